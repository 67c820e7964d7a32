//! Scheuner et al. 1997 familial risk stratification of one condition (see the module notes in
//! `mod.rs` for the rules and how sides, onsets and relatives are read).

use super::facts::{add_refs, best_fact, evidence, onset_text, sorted};
use super::types::{
    ConditionStratum, Evidence, NextStep, NextStepKind, OnsetClass, ProbandCondition, Relative, RuleHit, ScheunerRule,
    Side, Stratum, Threshold,
};
use crate::input::Pedigree;
use kinvault_catalog::{Category, ConditionDef, Criterion, Reference};
use kinvault_model::Sex;

/// The catalog's premature-onset scheme for these rules.
pub(crate) const SCHEME: &str = "scheuner1997";
/// Premature disease in a second-degree relative is a high-risk rule for this condition only.
const CHD: &str = "coronary-heart-disease";

/// The thresholds that apply to a relative of `sex`: the sex-specific or any-sex one; for a
/// sex the catalog has no threshold for (unknown, intersex: coronary heart disease has male and
/// female thresholds only), all of the scheme's thresholds, which must agree.
pub(crate) fn thresholds(cond: &ConditionDef, sex: Sex) -> Vec<Threshold> {
    let t = |p: &kinvault_catalog::PrematureOnset| Threshold { age: p.age, inclusive: p.inclusive };
    match cond.premature_onset_for(SCHEME, sex) {
        Some(p) => vec![t(p)],
        None => cond.premature_onset.iter().filter(|p| p.scheme == SCHEME).map(t).collect(),
    }
}

/// Affected relatives of the proband (any degree in `relatives`), one record each.
pub(crate) fn affected(ped: &Pedigree, cond: &ConditionDef, relatives: &[Relative]) -> Vec<Evidence> {
    relatives
        .iter()
        .filter_map(|r| {
            let ts = thresholds(cond, r.sex);
            best_fact(ped, r, &cond.id, &ts).map(|(f, class)| evidence(r, f, class, &ts))
        })
        .collect()
}

/// A Lynch-syndrome cluster found by Amsterdam II, which makes the conditions it counts high
/// risk ("clusters of different cancers consistent with a hereditary cancer syndrome").
pub(crate) struct Cluster {
    pub conditions: Vec<String>,
    pub evidence: Vec<Evidence>,
    pub references: Vec<Reference>,
}

fn is_early(e: &Evidence) -> bool {
    e.onset_class == OnsetClass::Early
}

/// For each lineage, the relatives a same-side rule picks (`None`: the rule does not apply on
/// that lineage). When the maternal and paternal picks are the same relatives (all on both
/// sides), they are reported once with side `Both`.
fn per_lineage<'e>(
    lineages: &[Side],
    mut pick: impl FnMut(Side) -> Option<Vec<&'e Evidence>>,
) -> Vec<(Side, Vec<&'e Evidence>)> {
    let mut out: Vec<(Side, Vec<&Evidence>)> = Vec::new();
    for &l in lineages {
        let Some(v) = pick(l) else { continue };
        if l == Side::Paternal {
            if let Some(m) = out.iter_mut().find(|(s, _)| *s == Side::Maternal) {
                let ixs = |v: &[&Evidence]| {
                    let mut x: Vec<_> = v.iter().map(|e| e.member.ix).collect();
                    x.sort_unstable();
                    x
                };
                if ixs(&m.1) == ixs(&v) {
                    m.0 = Side::Both;
                    continue;
                }
            }
        }
        out.push((l, v));
    }
    out
}

fn in_lineage<'e, 'v>(v: &'v [&'e Evidence], l: Side) -> impl Iterator<Item = &'e Evidence> + 'v {
    v.iter().copied().filter(move |e| e.member.side.in_lineage(l))
}

fn hit(rule: ScheunerRule, side: Option<Side>, ev: Vec<&Evidence>) -> RuleHit {
    RuleHit {
        rule,
        stratum: rule.stratum(),
        text: rule.text().to_string(),
        side,
        evidence: sorted(ev.into_iter().cloned().collect()),
    }
}

/// The rules of one condition, as listed in the catalog's `scheuner-1997` criterion.
pub(crate) fn stratify_condition(
    ped: &Pedigree,
    cond: &ConditionDef,
    criterion: &Criterion,
    proband: &Relative,
    relatives: &[Relative],
    cluster: Option<&Cluster>,
) -> ConditionStratum {
    let all = affected(ped, cond, relatives);
    let counted: Vec<&Evidence> = all.iter().filter(|e| e.member.degree <= 2).collect();
    let fdr: Vec<&Evidence> = counted.iter().copied().filter(|e| e.member.degree == 1).collect();
    let sdr: Vec<&Evidence> = counted.iter().copied().filter(|e| e.member.degree == 2).collect();
    let lineages = [Side::Maternal, Side::Paternal, Side::Neither];
    let mut hits: Vec<RuleHit> = Vec::new();

    // High risk.
    let v: Vec<&Evidence> = fdr.iter().copied().filter(|e| is_early(e)).collect();
    if !v.is_empty() {
        hits.push(hit(ScheunerRule::PrematureFirstDegree, None, v));
    }
    if cond.id == CHD {
        let v: Vec<&Evidence> = sdr.iter().copied().filter(|e| is_early(e)).collect();
        if !v.is_empty() {
            hits.push(hit(ScheunerRule::PrematureSecondDegreeChd, None, v));
        }
    }
    if fdr.len() >= 2 {
        hits.push(hit(ScheunerRule::TwoFirstDegree, None, fdr.clone()));
    }
    for (side, v) in per_lineage(&lineages, |l| {
        let f: Vec<&Evidence> = in_lineage(&fdr, l).filter(|e| !is_early(e)).collect();
        let s: Vec<&Evidence> = in_lineage(&sdr, l).filter(|e| is_early(e)).collect();
        (!f.is_empty() && !s.is_empty()).then(|| f.into_iter().chain(s).collect())
    }) {
        hits.push(hit(ScheunerRule::FirstDegreeAndPrematureSecondDegree, Some(side), v));
    }
    for (side, v) in per_lineage(&lineages, |l| {
        let s: Vec<&Evidence> = in_lineage(&sdr, l).collect();
        (s.len() >= 2 && s.iter().any(|e| is_early(e))).then_some(s)
    }) {
        hits.push(hit(ScheunerRule::TwoSecondDegreeOnePremature, Some(side), v));
    }
    for (side, v) in per_lineage(&[Side::Maternal, Side::Paternal], |l| {
        let s: Vec<&Evidence> = in_lineage(&counted, l).collect();
        (s.len() >= 3).then_some(s)
    }) {
        hits.push(hit(ScheunerRule::ThreeSameSide, Some(side), v));
    }
    // A moderate-risk history on one side, counting only relatives on that side alone (a full
    // sibling's history would otherwise count on both sides).
    let one_side = |l: Side| -> Vec<&Evidence> {
        let parent: Vec<&Evidence> = fdr.iter().copied().filter(|e| e.member.side == l).collect();
        let second: Vec<&Evidence> = sdr.iter().copied().filter(|e| e.member.side == l).collect();
        let mut v = parent;
        if second.len() >= 2 {
            v.extend(second);
        }
        v
    };
    let (mat, pat) = (one_side(Side::Maternal), one_side(Side::Paternal));
    if !mat.is_empty() && !pat.is_empty() {
        hits.push(hit(ScheunerRule::ModerateBothSides, None, mat.into_iter().chain(pat).collect()));
    }
    let mut references: Vec<Reference> = Vec::new();
    add_refs(&mut references, &criterion.references);
    add_refs(
        &mut references,
        cond.premature_onset.iter().filter(|p| p.scheme == SCHEME).filter_map(|p| cond.reference(&p.reference)),
    );
    if let Some(c) = cluster.filter(|c| c.conditions.contains(&cond.id) && !c.evidence.is_empty()) {
        hits.push(hit(ScheunerRule::HereditaryCancerCluster, None, c.evidence.iter().collect()));
        add_refs(&mut references, &c.references);
    }

    // Moderate risk.
    let v: Vec<&Evidence> = fdr.iter().copied().filter(|e| !is_early(e)).collect();
    if !v.is_empty() {
        hits.push(hit(ScheunerRule::FirstDegreeLate, None, v));
    }
    for (side, v) in per_lineage(&lineages, |l| {
        let s: Vec<&Evidence> = in_lineage(&sdr, l).filter(|e| !is_early(e)).collect();
        (s.len() >= 2).then_some(s)
    }) {
        hits.push(hit(ScheunerRule::TwoSecondDegreeLate, Some(side), v));
    }

    let stratum = hits.iter().map(|h| h.stratum).max().unwrap_or(Stratum::Average);
    hits.retain(|h| h.stratum == stratum);
    if hits.is_empty() {
        let known = relatives.iter().any(|r| r.degree <= 2);
        hits.push(if !known {
            hit(ScheunerRule::NoKnownFamilyHistory, None, vec![])
        } else if counted.is_empty() {
            hit(ScheunerRule::NoAffectedRelatives, None, vec![])
        } else {
            hit(ScheunerRule::SingleSecondDegree, None, counted.clone())
        });
    }

    let mut notes = Vec::new();
    if cond.premature_onset.iter().any(|p| p.scheme == SCHEME && p.or_premenopausal) {
        notes.push(format!(
            "Scheuner's scheme also counts {} diagnosed before the menopause as premature; menopause is not \
             recorded, so only the age threshold is used and a premenopausal diagnosis after that age counts as \
             late onset.",
            cond.name.to_lowercase()
        ));
    }
    for e in counted.iter().filter(|e| e.onset_class == OnsetClass::Unknown && e.onset.is_some()) {
        let why = match thresholds(cond, e.member.sex).len() {
            0 => "the catalog defines no premature-onset threshold for it",
            1 => "the recorded range straddles the premature-onset threshold",
            _ => "their sex is not recorded and the premature-onset threshold differs by sex",
        };
        notes.push(format!(
            "The {}'s onset ({}) cannot be classed as premature or not because {why}; it counts as late or \
             unknown onset.",
            e.member.relation,
            onset_text(e.onset.as_ref())
        ));
    }
    let third = all.iter().filter(|e| e.member.degree == 3).count();
    if third > 0 {
        notes.push(format!(
            "{third} third-degree relative(s) with {} are recorded; Scheuner's scheme counts first- and \
             second-degree relatives only.",
            cond.name.to_lowercase()
        ));
    }

    let ts = thresholds(cond, proband.sex);
    let proband_facts: Vec<Evidence> = ped
        .facts(proband.ix, &cond.id)
        .filter(|f| f.status == kinvault_model::ConditionStatus::Affected)
        .map(|f| evidence(proband, f, super::facts::classify(f.onset.as_ref(), &ts), &ts))
        .collect();
    let proband_condition = (!proband_facts.is_empty()).then(|| ProbandCondition {
        facts: proband_facts,
        note: format!(
            "The proband has {} recorded. This stratification describes the familial risk of developing the \
             condition; it does not apply to the care of an existing diagnosis, which follows the proband's own \
             clinician. The diagnosis is part of the family history of the proband's relatives.",
            cond.name.to_lowercase()
        ),
    });

    ConditionStratum {
        condition: cond.id.clone(),
        name: cond.name.clone(),
        stratum,
        rules: hits,
        premature_onset: cond.premature_onset.iter().filter(|p| p.scheme == SCHEME).cloned().collect(),
        proband: proband_condition,
        next_step: next_step(cond, criterion, stratum),
        notes,
        references,
    }
}

/// The next step for a stratum. The three levels follow the Scheuner / Family Healthware
/// framework (average: population recommendations; moderate: personalised prevention and
/// screening; high: personalised prevention and referral for genetic evaluation); the checks
/// named for heart disease and stroke are those CDC's My Family Health Portrait names.
fn next_step(cond: &ConditionDef, criterion: &Criterion, stratum: Stratum) -> NextStep {
    let name = cond.name.to_lowercase();
    let mut references: Vec<Reference> = Vec::new();
    add_refs(&mut references, criterion.references.iter().filter(|r| r.id == "scheuner1997" || r.id == "yoon2009"));
    let checks = match (cond.category, cond.reference("cdcmfhp")) {
        (Category::Cardiovascular, Some(r)) => {
            add_refs(&mut references, [r]);
            "checks of blood pressure, cholesterol and blood glucose".to_string()
        }
        (Category::Metabolic, _) => "blood glucose testing for diabetes".to_string(),
        _ => format!("{name} screening where guidelines recommend it"),
    };
    let (kind, text) = match stratum {
        Stratum::Average => (
            NextStepKind::PopulationRecommendations,
            format!(
                "Average familial risk of {name}: follow the prevention and screening recommendations for the \
                 general population, and reassess if the family history changes."
            ),
        ),
        Stratum::Moderate => (
            NextStepKind::PersonalisedPrevention,
            format!(
                "Moderate familial risk of {name}: share this family history with a clinician for personalised \
                 prevention advice and {checks}, as current guidelines advise for this family history."
            ),
        ),
        Stratum::High => (
            NextStepKind::GeneticEvaluation,
            format!(
                "High familial risk of {name}: share this family history with a clinician for a clinical risk \
                 assessment, including referral for genetic counselling (genetic evaluation), and a personalised \
                 prevention plan; {checks} may start earlier or be more frequent than for the general population, \
                 as current guidelines advise."
            ),
        ),
    };
    NextStep { kind, text, references }
}
