//! Reading the recorded facts: which members are affected, and whether an onset is early.

use super::types::{Evidence, OnsetClass, Relative, Threshold};
use crate::input::{ConditionFact, Pedigree};
use kinvault_catalog::Reference;
use kinvault_model::{AgeRange, ConditionStatus};

/// Onset against a set of thresholds: early when the whole recorded range is early under every
/// threshold, late when it is late under every threshold, unknown otherwise (no onset, a range
/// that straddles, thresholds that disagree, no threshold).
pub(crate) fn classify(onset: Option<&AgeRange>, thresholds: &[Threshold]) -> OnsetClass {
    let Some(r) = onset else { return OnsetClass::Unknown };
    if thresholds.is_empty() || !r.min.is_finite() || !r.max.is_finite() {
        return OnsetClass::Unknown;
    }
    let (lo, hi) = (r.min.min(r.max), r.min.max(r.max));
    if thresholds.iter().all(|t| t.is_early(hi)) {
        OnsetClass::Early
    } else if thresholds.iter().all(|t| !t.is_early(lo)) {
        OnsetClass::Late
    } else {
        OnsetClass::Unknown
    }
}

fn rank(class: OnsetClass) -> u8 {
    match class {
        OnsetClass::Early => 0,
        OnsetClass::Late => 1,
        OnsetClass::Unknown => 2,
    }
}

fn lowest_age(f: &ConditionFact) -> f64 {
    f.onset.as_ref().map(|r| r.min.min(r.max)).filter(|a| a.is_finite()).unwrap_or(f64::INFINITY)
}

/// The member's affected record of `condition` that says most: early onset first, then late,
/// then unknown; the earliest onset within each.
pub(crate) fn best_fact<'a>(
    ped: &'a Pedigree,
    member: &Relative,
    condition: &str,
    thresholds: &[Threshold],
) -> Option<(&'a ConditionFact, OnsetClass)> {
    ped.members[member.ix]
        .conditions
        .iter()
        .filter(|f| f.condition == condition && f.status == ConditionStatus::Affected)
        .map(|f| (f, classify(f.onset.as_ref(), thresholds)))
        .min_by(|(a, ca), (b, cb)| rank(*ca).cmp(&rank(*cb)).then(lowest_age(a).total_cmp(&lowest_age(b))))
}

/// Like [`best_fact`] over several conditions (the first listed wins a tie).
pub(crate) fn best_fact_of<'a>(
    ped: &'a Pedigree,
    member: &Relative,
    conditions: &[String],
    thresholds: &[Threshold],
) -> Option<(&'a ConditionFact, OnsetClass)> {
    conditions
        .iter()
        .filter_map(|c| best_fact(ped, member, c, thresholds))
        .min_by(|(a, ca), (b, cb)| rank(*ca).cmp(&rank(*cb)).then(lowest_age(a).total_cmp(&lowest_age(b))))
}

pub(crate) fn evidence(
    member: &Relative,
    fact: &ConditionFact,
    class: OnsetClass,
    thresholds: &[Threshold],
) -> Evidence {
    Evidence {
        member: member.clone(),
        condition: fact.condition.clone(),
        onset: fact.onset,
        onset_class: class,
        threshold: if thresholds.len() == 1 { Some(thresholds[0]) } else { None },
    }
}

/// Evidence in report order (closest relatives first, then member order), each member once.
pub(crate) fn sorted(mut ev: Vec<Evidence>) -> Vec<Evidence> {
    ev.sort_by_key(|e| (e.member.degree, e.member.ix));
    ev.dedup_by_key(|e| e.member.ix);
    ev
}

/// Appends the references not already in `out` (by id).
pub(crate) fn add_refs<'a>(out: &mut Vec<Reference>, refs: impl IntoIterator<Item = &'a Reference>) {
    for r in refs {
        if !out.iter().any(|o| o.id == r.id) {
            out.push(r.clone());
        }
    }
}

/// `"45"`, `"40–45"` or `"unknown"`.
pub(crate) fn onset_text(onset: Option<&AgeRange>) -> String {
    match onset {
        None => "unknown".into(),
        Some(r) if r.min == r.max => format!("{}", r.min),
        Some(r) => format!("{}–{}", r.min, r.max),
    }
}
