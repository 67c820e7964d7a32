//! Lynch syndrome criteria: Amsterdam II (Vasen 1999) for the family and the revised Bethesda
//! guidelines (Umar 2004) for a person's colorectal cancer.

use super::facts::{add_refs, best_fact, best_fact_of, evidence, sorted};
use super::kin::{relatives_of, Family};
use super::types::{
    Clause, ClauseStatus, CriterionResult, CriterionStatus, Evidence, LynchClause, NextStep, NextStepKind, OnsetClass,
    Relative, Threshold,
};
use crate::input::Ix;
use kinvault_catalog::{Catalog, Criterion};
use std::collections::HashMap;

pub(crate) const AMSTERDAM: &str = "amsterdam-ii";
pub(crate) const BETHESDA: &str = "revised-bethesda";
/// The cancer the revised Bethesda guidelines select tumours of.
const COLORECTAL: &str = "colorectal-cancer";
/// Vasen 1999 / Umar 2004 ages, used only if the catalog criterion lists none.
const DEFAULT_EARLY: f64 = 50.0;
const DEFAULT_MSI: f64 = 60.0;

/// The members the criteria look at: the proband and the relatives up to the third degree.
pub(crate) struct Kindred<'a> {
    pub fam: &'a Family<'a>,
    pub catalog: &'a Catalog,
    pub proband: &'a Relative,
    /// Closest first.
    pub relatives: &'a [Relative],
    by_ix: HashMap<Ix, &'a Relative>,
}

impl<'a> Kindred<'a> {
    pub fn new(fam: &'a Family<'a>, catalog: &'a Catalog, proband: &'a Relative, relatives: &'a [Relative]) -> Self {
        let by_ix = std::iter::once(proband).chain(relatives).map(|r| (r.ix, r)).collect();
        Kindred { fam, catalog, proband, relatives, by_ix }
    }

    fn members(&self) -> impl Iterator<Item = &'a Relative> + '_ {
        std::iter::once(self.proband).chain(self.relatives.iter())
    }

    /// Names of catalog conditions, e.g. "colorectal cancer, endometrial cancer".
    fn names(&self, ids: &[String]) -> String {
        ids.iter()
            .map(|id| self.catalog.get(id).map(|c| c.name.to_lowercase()).unwrap_or_else(|| id.clone()))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// A member's Lynch-associated cancer record (early first), judged against `t`.
    fn tumour(&self, m: &Relative, counts: &[String], t: Threshold) -> Option<Evidence> {
        best_fact_of(self.fam.pedigree(), m, counts, &[t]).map(|(f, c)| evidence(m, f, c, &[t]))
    }
}

fn who(r: &Relative) -> String {
    if r.degree == 0 {
        "the proband".into()
    } else {
        format!("the {}", r.relation)
    }
}

fn clause(clause: LynchClause, text: String, status: ClauseStatus, evidence: Vec<Evidence>) -> Clause {
    Clause { clause, text, status, evidence: sorted(evidence), note: None }
}

fn met(b: bool) -> ClauseStatus {
    if b {
        ClauseStatus::Met
    } else {
        ClauseStatus::NotMet
    }
}

fn unavailable(id: &str, index: &Relative) -> CriterionResult {
    CriterionResult {
        criterion: id.into(),
        name: id.into(),
        index: index.clone(),
        status: CriterionStatus::Unavailable,
        clauses: vec![],
        next_step: None,
        notes: vec![format!("The condition catalog does not define the `{id}` criterion.")],
        references: vec![],
    }
}

fn early_age(k: &Criterion, i: usize, default: f64) -> f64 {
    k.age_thresholds.get(i).copied().unwrap_or(default)
}

/// Amsterdam II over the proband and relatives up to the third degree.
pub(crate) fn amsterdam(kin: &Kindred) -> CriterionResult {
    let Some(k) = kin.catalog.criterion(AMSTERDAM) else { return unavailable(AMSTERDAM, kin.proband) };
    let age = early_age(k, 0, DEFAULT_EARLY);
    let t = Threshold { age, inclusive: false };
    let affected: Vec<Evidence> = kin.members().filter_map(|m| kin.tumour(m, &k.counts, t)).collect();

    let c1 = clause(
        LynchClause::ThreeAffected,
        format!(
            "At least three relatives (the proband counts as one) with a Lynch-associated cancer ({})",
            kin.names(&k.counts)
        ),
        met(affected.len() >= 3),
        affected.clone(),
    );

    // The affected member with the most affected first-degree relatives, if at least two.
    let hub = affected
        .iter()
        .map(|x| {
            let fdrs: Vec<&Evidence> =
                affected.iter().filter(|y| kin.fam.first_degree(x.member.ix, y.member.ix)).collect();
            (x, fdrs)
        })
        .filter(|(_, fdrs)| fdrs.len() >= 2)
        .fold(None::<(&Evidence, Vec<&Evidence>)>, |best, cand| match best {
            Some(b) if b.1.len() >= cand.1.len() => Some(b),
            _ => Some(cand),
        });
    let mut c2 = clause(
        LynchClause::OneFirstDegreeOfOtherTwo,
        "One of them is a first-degree relative of the other two".into(),
        met(hub.is_some()),
        hub.as_ref().map(|(x, f)| std::iter::once(*x).chain(f.iter().copied()).cloned().collect()).unwrap_or_default(),
    );
    if let Some((x, f)) = &hub {
        let others: Vec<String> = f.iter().map(|e| who(&e.member)).collect();
        c2.note =
            Some(format!("{} is a first-degree relative of {}.", capitalise(&who(&x.member)), others.join(" and ")));
    }

    let gens: Vec<i8> = affected.iter().map(|e| e.member.generation).collect();
    let successive = gens.iter().copied().filter(|g| gens.contains(&(g + 1))).min();
    let c3 = clause(
        LynchClause::SuccessiveGenerations,
        "At least two successive generations affected".into(),
        met(successive.is_some()),
        successive
            .map(|g| {
                affected.iter().filter(|e| e.member.generation == g || e.member.generation == g + 1).cloned().collect()
            })
            .unwrap_or_default(),
    );

    let early: Vec<Evidence> = affected.iter().filter(|e| e.onset_class == OnsetClass::Early).cloned().collect();
    let c4 = clause(
        LynchClause::OneDiagnosedEarly,
        format!("At least one diagnosed before age {age}"),
        met(!early.is_empty()),
        early,
    );

    let mut c5 = clause(
        LynchClause::FapExcluded,
        "Familial adenomatous polyposis excluded in any colorectal cancer case".into(),
        ClauseStatus::NotAssessable,
        vec![],
    );
    c5.note = Some(
        "Polyposis is not recorded: a clinician must exclude familial adenomatous polyposis in every colorectal \
         cancer case."
            .into(),
    );
    let mut c6 = clause(
        LynchClause::PathologyVerified,
        "Tumours verified by pathological examination".into(),
        ClauseStatus::NotAssessable,
        vec![],
    );
    c6.note = Some(
        "Diagnoses are as recorded (often reported by relatives); they must be verified from pathology reports.".into(),
    );

    let all_met = [&c1, &c2, &c3, &c4].iter().all(|c| c.status == ClauseStatus::Met);
    let status = if all_met { CriterionStatus::MetPendingVerification } else { CriterionStatus::NotMet };
    let mut references = Vec::new();
    add_refs(&mut references, &k.references);
    let next_step = all_met.then(|| NextStep {
        kind: NextStepKind::GeneticCounselling,
        text: "The family history as recorded meets the Amsterdam II criteria for Lynch syndrome: referral for \
               genetic counselling, to consider germline testing of the mismatch-repair genes, is the next step. \
               A clinician must first verify the diagnoses from pathology reports and exclude familial \
               adenomatous polyposis."
            .into(),
        references: references.clone(),
    });
    CriterionResult {
        criterion: k.id.clone(),
        name: k.name.clone(),
        index: kin.proband.clone(),
        status,
        clauses: vec![c1, c2, c3, c4, c5, c6],
        next_step,
        notes: vec![
            format!(
                "Counted as Lynch-associated cancers: {} (the catalog's conditions for this criterion). Small bowel, \
                 ureter and renal pelvis cancers also count in Amsterdam II but are not catalog conditions, so they \
                 are not counted.",
                kin.names(&k.counts)
            ),
            "The proband and relatives up to the third degree are counted; generations are counted from the \
             proband."
                .into(),
        ],
        references,
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// The first- and second-degree relatives of `index` among the kindred, with their degree to
/// `index` (the records themselves name them relative to the proband).
fn close_relatives<'a>(kin: &Kindred<'a>, index: &Relative) -> Vec<(u8, &'a Relative)> {
    if index.ix == kin.proband.ix {
        return kin.relatives.iter().filter(|r| r.degree <= 2).map(|r| (r.degree, r)).collect();
    }
    relatives_of(kin.fam, index.ix, 2)
        .into_iter()
        .filter_map(|r| kin.by_ix.get(&r.ix).map(|&k| (r.degree, k)))
        .collect()
}

/// The revised Bethesda guidelines for `index`'s colorectal cancer.
pub(crate) fn bethesda(kin: &Kindred, index: &Relative) -> CriterionResult {
    let Some(k) = kin.catalog.criterion(BETHESDA) else { return unavailable(BETHESDA, index) };
    let early = early_age(k, 0, DEFAULT_EARLY);
    let msi = early_age(k, 1, DEFAULT_MSI);
    let t = Threshold { age: early, inclusive: false };
    let ped = kin.fam.pedigree();
    let mut references = Vec::new();
    add_refs(&mut references, &k.references);
    let mut notes = vec![format!(
        "Lynch-associated tumours counted: {} (the catalog's conditions for this criterion). Stomach, pancreas, \
         ureter and renal pelvis, biliary tract, brain and small bowel tumours, sebaceous gland adenomas and \
         keratoacanthomas are Lynch-associated in the revised Bethesda guidelines but are not catalog conditions, \
         so they are not counted.",
        kin.names(&k.counts)
    )];
    let base = CriterionResult {
        criterion: k.id.clone(),
        name: k.name.clone(),
        index: index.clone(),
        status: CriterionStatus::NotApplicable,
        clauses: vec![],
        next_step: None,
        notes: vec![],
        references,
    };
    let Some((crc_fact, crc_class)) = best_fact(ped, index, COLORECTAL, &[t]) else {
        notes.insert(
            0,
            format!(
                "No colorectal cancer is recorded for {}: the revised Bethesda guidelines select colorectal tumours \
                 for testing.",
                who(index)
            ),
        );
        return CriterionResult { notes, ..base };
    };
    let crc = evidence(index, crc_fact, crc_class, &[t]);
    let crc_early = crc_class == OnsetClass::Early;

    let c1 = clause(
        LynchClause::ColorectalEarly,
        format!("Colorectal cancer diagnosed before age {early}"),
        met(crc_early),
        vec![crc.clone()],
    );

    let own: Vec<Evidence> = k
        .counts
        .iter()
        .filter_map(|c| best_fact(ped, index, c, &[t]).map(|(f, cl)| evidence(index, f, cl, &[t])))
        .collect();
    let mut c2 = clause(
        LynchClause::MultipleTumours,
        "Synchronous or metachronous colorectal or other Lynch-associated tumours, whatever the age".into(),
        met(own.len() >= 2),
        vec![],
    );
    c2.evidence = own.clone();
    c2.note = Some(
        "Counted as different Lynch-associated cancers recorded for the same person; a second colorectal primary \
         cannot be told apart from a repeated record of one cancer."
            .into(),
    );

    let mut c3 = clause(
        LynchClause::MsiHighHistology,
        format!("Colorectal cancer with MSI-high histology diagnosed before age {msi}"),
        ClauseStatus::NotAssessable,
        vec![],
    );
    c3.note = Some("Tumour histology is not recorded.".into());

    let close = close_relatives(kin, index);
    let with_tumour = |max: u8| -> Vec<Evidence> {
        close.iter().filter(|(d, _)| *d <= max).filter_map(|(_, r)| kin.tumour(r, &k.counts, t)).collect()
    };
    let fdr = with_tumour(1);
    let fdr_early = fdr.iter().any(|e| e.onset_class == OnsetClass::Early);
    let c4_met = !fdr.is_empty() && (crc_early || fdr_early);
    let mut c4_ev = fdr.clone();
    if c4_met && crc_early {
        c4_ev.push(crc.clone());
    }
    let c4 = clause(
        LynchClause::FirstDegreeRelativeEarly,
        format!(
            "Colorectal cancer and one or more first-degree relatives with a Lynch-associated tumour, one of the \
             cancers diagnosed before age {early}"
        ),
        met(c4_met),
        c4_ev,
    );
    let both = with_tumour(2);
    let c5 = clause(
        LynchClause::TwoRelativesAnyAge,
        "Colorectal cancer and two or more first- or second-degree relatives with Lynch-associated tumours, \
         whatever the age"
            .into(),
        met(both.len() >= 2),
        both,
    );

    let clauses = vec![c1, c2, c3, c4, c5];
    let any = clauses.iter().any(|c| c.status == ClauseStatus::Met);
    let next_step = any.then(|| NextStep {
        kind: NextStepKind::TumourTesting,
        text: format!(
            "{} colorectal cancer meets the revised Bethesda guidelines: the tumour should be tested for \
             microsatellite instability (MSI) or loss of mismatch-repair proteins (immunohistochemistry); where \
             tumour testing is not possible, germline testing for Lynch syndrome can be discussed through genetic \
             counselling.",
            capitalise(&possessive(index))
        ),
        references: base.references.clone(),
    });
    if index.degree != 0 {
        notes.push(format!(
            "Counted among the members recorded around the proband (up to the third degree); relatives of {} beyond \
             them are not seen.",
            who(index)
        ));
    }
    CriterionResult {
        status: if any { CriterionStatus::Met } else { CriterionStatus::NotMet },
        clauses,
        next_step,
        notes,
        ..base
    }
}

fn possessive(r: &Relative) -> String {
    if r.degree == 0 {
        "the proband's".into()
    } else {
        format!("the {}'s", r.relation)
    }
}

/// Relatives with colorectal cancer whose tumours meet the revised Bethesda guidelines.
pub(crate) fn bethesda_relatives(kin: &Kindred) -> Vec<CriterionResult> {
    let t = [Threshold { age: DEFAULT_EARLY, inclusive: false }];
    kin.relatives
        .iter()
        .filter(|r| best_fact(kin.fam.pedigree(), r, COLORECTAL, &t).is_some())
        .map(|r| bethesda(kin, r))
        .filter(|res| res.status == CriterionStatus::Met)
        .collect()
}
