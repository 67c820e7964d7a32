//! Family-history stratification of multifactorial conditions and the Lynch syndrome criteria.
//!
//! [`stratify`] reads the proband's relatives from the pedigree ([`relatives`]) and returns, per
//! condition of the catalog's `scheuner-1997` criterion (coronary heart disease, stroke, type 2
//! diabetes, breast, ovarian, colorectal, prostate and endometrial cancer, in catalog order), the
//! familial risk level of Scheuner et al. 1997 as used by CDC Family Healthware, and the Lynch
//! syndrome criteria Amsterdam II and revised Bethesda. Every result lists the rule or clause
//! that applied, the relatives and facts that triggered it, a next step and its sources.
//!
//! # Relatives
//!
//! Relationships come from shared biological parents. Full siblings share a recorded father and
//! mother; half-siblings share one recorded parent and have different recorded other parents
//! (or only one of them has the other parent recorded). Two people who share one recorded parent
//! while *neither* has the other recorded are treated as full siblings and flagged
//! ([`Relative::assumed_full`]): a family record with one partner missing (a grandmother entered
//! without the grandfather) is far more often a full sibship than a half one, and treating it as
//! half would push aunts and uncles to the third degree, out of the stratification.
//!
//! Degrees: 1 — parents, full siblings, children; 2 — grandparents, aunts and uncles,
//! half-siblings, nieces and nephews, grandchildren; 3 — great-grandparents, great-aunts and
//! -uncles, first cousins, half-aunts and -uncles, half-nieces and -nephews, grandnieces and
//! -nephews, great-grandchildren. A relative reached several ways (pedigree collapse) gets the
//! closest degree; paths of that degree through the mother and through the father make the
//! relative `both`-sided.
//!
//! Sides ([`Side`]): the mother and everyone related through her only (maternal grandparents,
//! aunts, uncles, cousins, half-siblings through the mother and their children) are maternal;
//! likewise paternal. Full siblings and their descendants are related through both parents
//! (`both`); the proband's descendants through neither (`neither`).
//!
//! The sources do not say how siblings enter the "same side" rules: CDC's table of Scheuner's
//! criteria (Prev Chronic Dis 2010;7(1), figure) speaks of relatives "from the same lineage",
//! "maternal or paternal relatives" and "both sides of the pedigree"; Yoon et al. 2009 (Prev
//! Chronic Dis 2009;6(1):A33) say Family Healthware weighs "how closely related the relatives
//! are to each other and to the user", without giving the lineage assignment. We therefore
//! choose, and document: a `both`-sided relative belongs to the maternal and to the paternal
//! lineage (a full sibling's disease may come from either parent, so a sibling and a maternal
//! aunt are from one lineage), the proband's descendants form a lineage of their own, and the
//! "moderate history on both sides" rule counts each side's own relatives only (the parent on
//! that side and second-degree relatives on that side alone) — otherwise one affected sibling
//! would be a moderate history on both sides and make the risk high, contradicting the
//! moderate-risk rule for a single first-degree relative.
//!
//! # Scheuner 1997 rules, as implemented
//!
//! Per condition, counting affected first-degree (FDR) and second-degree (SDR) relatives only
//! (Family Healthware collects these two degrees; third-degree relatives serve the Lynch
//! criteria). "Premature" is onset at or before the condition's `scheuner1997` threshold for the
//! relative's sex (`premature_onset_for`): coronary heart disease ≤ 55 men, ≤ 65 women; stroke,
//! type 2 diabetes, colorectal and prostate cancer ≤ 50; breast, ovarian and endometrial cancer
//! ≤ 50 *or premenopausal* — menopause is not recorded, so only the age is used. An onset range
//! is premature when wholly at or before the threshold, late when wholly after; no onset, a range
//! straddling the threshold, or a relative of unrecorded sex whose coronary onset is premature
//! under one sex's threshold only count as "late or unknown onset", as the rules read.
//!
//! High ([`ScheunerRule`]): premature disease in a FDR; premature coronary heart disease in a SDR
//! (this condition only); two or more affected FDRs; a FDR with late/unknown onset and a SDR with
//! premature onset from the same lineage; two SDRs from the same lineage, at least one premature;
//! three or more affected relatives (FDR or SDR) on the maternal or on the paternal side; a
//! moderate-risk history on both sides; and, for the cancers Amsterdam II counts, a Lynch
//! syndrome cluster (Amsterdam II met pending verification) — the catalog's "clusters of
//! different cancers consistent with a hereditary cancer syndrome count as high risk", applied
//! where the catalog defines such a cluster. Moderate: a FDR with late/unknown onset; two SDRs
//! from the same lineage with late/unknown onset. Average: otherwise — no affected relatives, at
//! most one affected SDR per side, or no recorded relatives (unknown family history).
//!
//! Scheuner assesses each disease on its own, so breast and ovarian cancer are stratified
//! separately; when both occur among the relatives the report says so in a note, but the catalog
//! holds no criterion defining a breast–ovarian cluster, so it is not scored.
//!
//! The proband's own diagnosis is reported apart ([`ConditionStratum::proband`]): the
//! stratification is about the family history.
//!
//! # Lynch syndrome
//!
//! Amsterdam II (Vasen 1999) is evaluated over the proband and relatives up to the third
//! degree, the proband counting as a family member, with the catalog criterion's `counts`
//! (colorectal and endometrial cancer; small bowel, ureter and renal pelvis cancers are not
//! catalog conditions): three or more affected; one a first-degree relative of the other two;
//! two successive generations affected (generations counted from the proband); one diagnosed
//! before 50. Polyposis exclusion and pathology verification cannot be checked, so a family
//! meeting the rest is `met_pending_verification`.
//!
//! The revised Bethesda guidelines (Umar 2004) select a person's colorectal tumour for testing.
//! They are evaluated for the proband (`not_applicable` without colorectal cancer) and for every
//! relative with colorectal cancer, listing those who meet them. Lynch-associated tumours are the
//! criterion's `counts` (colorectal, endometrial, ovarian). Clauses: colorectal cancer before 50;
//! two different Lynch-associated cancers in the person; MSI-high histology before 60 (not
//! recordable); one or more FDRs with a Lynch-associated tumour, one of the cancers before 50;
//! two or more FDRs or SDRs with Lynch-associated tumours at any age.
//!
//! # Memory
//!
//! One pass over the pedigree builds the child links (two flat arrays); everything else walks
//! outwards from the proband to the third degree. Nothing is cached.

mod facts;
mod kin;
mod lynch;
mod scheuner;
mod types;

pub use kin::MAX_DEGREE;
pub use types::*;

use crate::input::{Ix, Pedigree};
use kinvault_catalog::Catalog;

/// The catalog criterion that lists the stratified conditions.
pub const SCHEUNER_CRITERION: &str = "scheuner-1997";

/// The blood relatives of `proband` up to the third degree, closest first, then in member
/// order, with their side of the family and relation name.
///
/// # Panics
///
/// If `proband` is not a member index of `pedigree`.
pub fn relatives(pedigree: &Pedigree, proband: Ix) -> Vec<Relative> {
    assert!(proband < pedigree.len(), "proband {proband} is not a member of the pedigree ({} members)", pedigree.len());
    let fam = kin::Family::new(pedigree);
    kin::relatives_of(&fam, proband, MAX_DEGREE)
}

/// Family-history stratification of `proband`: Scheuner 1997 per condition and the Lynch
/// syndrome criteria (see the module notes for the rules).
///
/// # Panics
///
/// If `proband` is not a member index of `pedigree`.
pub fn stratify(pedigree: &Pedigree, proband: Ix, catalog: &Catalog) -> FamilyHistoryReport {
    assert!(proband < pedigree.len(), "proband {proband} is not a member of the pedigree ({} members)", pedigree.len());
    let fam = kin::Family::new(pedigree);
    let me = kin::self_relative(pedigree, proband);
    let rels = kin::relatives_of(&fam, proband, MAX_DEGREE);
    let mut counts = RelativeCounts::default();
    for r in &rels {
        match r.degree {
            1 => counts.first_degree += 1,
            2 => counts.second_degree += 1,
            _ => counts.third_degree += 1,
        }
    }

    let kindred = lynch::Kindred::new(&fam, catalog, &me, &rels);
    let amsterdam_ii = lynch::amsterdam(&kindred);
    let revised_bethesda = lynch::bethesda(&kindred, &me);
    let bethesda_relatives = lynch::bethesda_relatives(&kindred);

    let cluster = (amsterdam_ii.status == CriterionStatus::MetPendingVerification)
        .then(|| catalog.criterion(lynch::AMSTERDAM))
        .flatten()
        .map(|k| scheuner::Cluster {
            conditions: k.counts.clone(),
            evidence: amsterdam_ii
                .clauses
                .iter()
                .find(|c| c.clause == LynchClause::ThreeAffected)
                .map(|c| c.evidence.iter().filter(|e| e.member.degree > 0).cloned().collect())
                .unwrap_or_default(),
            references: k.references.clone(),
        });

    let mut conditions = Vec::new();
    if let Some(k) = catalog.criterion(SCHEUNER_CRITERION) {
        for cond in catalog.iter().filter(|c| k.applies_to.contains(&c.id)) {
            conditions.push(scheuner::stratify_condition(pedigree, cond, k, &me, &rels, cluster.as_ref()));
        }
        breast_ovarian_note(pedigree, catalog, &rels, &mut conditions);
    }

    let mut notes = Vec::new();
    if catalog.criterion(SCHEUNER_CRITERION).is_none() {
        notes.push(format!("The condition catalog does not define the `{SCHEUNER_CRITERION}` criterion."));
    }
    if counts.first_degree + counts.second_degree == 0 {
        notes.push(
            "No first- or second-degree relatives are recorded: Scheuner's scheme classes an unknown family history \
             as average risk, which may understate the real risk."
                .into(),
        );
    }
    let assumed: Vec<&str> = rels.iter().filter(|r| r.assumed_full).map(|r| r.relation.as_str()).collect();
    if !assumed.is_empty() {
        notes.push(format!(
            "{} relative(s) ({}) are related through siblings who share one recorded parent while neither has the \
             other parent recorded; they are treated as full siblings.",
            assumed.len(),
            assumed.join(", ")
        ));
    }

    FamilyHistoryReport {
        proband,
        proband_id: me.id.clone(),
        relatives: counts,
        conditions,
        lynch: LynchReport { amsterdam_ii, revised_bethesda, bethesda_relatives },
        notes,
    }
}

/// When breast and ovarian cancer both occur among first- and second-degree relatives of one
/// lineage, notes on both conditions that they are stratified separately.
fn breast_ovarian_note(ped: &Pedigree, catalog: &Catalog, rels: &[Relative], conditions: &mut [ConditionStratum]) {
    const PAIR: [&str; 2] = ["breast-cancer", "ovarian-cancer"];
    let (Some(b), Some(o)) = (catalog.get(PAIR[0]), catalog.get(PAIR[1])) else { return };
    let close: Vec<Relative> = rels.iter().filter(|r| r.degree <= 2).cloned().collect();
    let (with_b, with_o) = (scheuner::affected(ped, b, &close), scheuner::affected(ped, o, &close));
    let shared = with_b.iter().any(|x| with_o.iter().any(|y| x.member.side.same_lineage(y.member.side)));
    if !shared {
        return;
    }
    let note = "Breast and ovarian cancer both occur among first- and second-degree relatives on the same side of \
                the family. Scheuner's scheme stratifies each cancer separately, and counts clusters of different \
                cancers consistent with a hereditary cancer syndrome as high risk; the catalog defines no criterion \
                for a breast–ovarian cluster, so it is not scored here and is for a clinician or genetic counsellor \
                to assess.";
    for c in conditions.iter_mut().filter(|c| PAIR.contains(&c.condition.as_str())) {
        c.notes.push(note.to_string());
    }
}
