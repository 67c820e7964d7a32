//! What an assessment returns.

use super::model::{HaldaneEquilibrium, MemberEvidence, Phenotypes, Space, MAX_STATES};
use crate::input::Ix;
use kinvault_catalog::Inheritance;
use kinvault_model::{ConditionStatus, Sex};
use serde::Serialize;
use ts_rs::TS;

/// Genotype posteriors and risks for the requested members of a pedigree, for one condition.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(rename = "MendelianAssessment")]
pub struct Assessment {
    /// Catalog id of the condition.
    pub condition: String,
    /// Data version of the catalog the numbers came from (docs/catalog.md: results record it so
    /// a report can be reproduced or flagged as stale).
    pub catalog_version: u32,
    pub inheritance: Inheritance,
    /// log10 P(all evidence used) under the model: the probability of the recorded statuses and
    /// test results. Differences between calls with different evidence are log10 likelihood
    /// ratios (useful for explanations).
    pub log10_likelihood: f64,
    /// The age (years) lifetime risks run to.
    pub horizon: f64,
    /// New-mutation rate per transmitted gamete used (0 when the catalog gives none).
    pub mutation_rate: f64,
    /// Founder priors at Haldane's equilibrium, when they were used instead of Hardy–Weinberg.
    pub haldane: Option<HaldaneEquilibrium>,
    /// The requested members, in member order.
    pub members: Vec<MemberRisk>,
    pub complexity: Complexity,
    #[serde(skip)]
    #[ts(skip)]
    pub(crate) ctx: EvalContext,
}

/// One member's genotype distribution and risks.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(rename = "MendelianMemberRisk")]
pub struct MemberRisk {
    /// Index in the pedigree.
    pub member: Ix,
    /// The member's id as given in the pedigree.
    pub id: String,
    /// The sex used: the parental role, else the recorded sex.
    pub sex: Sex,
    /// Whether the member's own facts or tests entered the calculation.
    pub has_evidence: bool,
    /// Every genotype state: `AA`, `Aa`, `aa` (autosomal, and females at an X-linked locus),
    /// `A`, `a` (males at an X-linked locus); a member of unknown sex at an X-linked locus has
    /// all five.
    pub genotypes: Vec<GenotypeProbability>,
    /// P(carrier | evidence): exactly one mutant allele for recessive conditions (a
    /// heterozygote, or a hemizygous male at an X-linked recessive locus), at least one for
    /// dominant ones.
    pub carrier_probability: f64,
    /// Same, with no evidence at all (population and Mendelian prior; `None` when priors were
    /// not requested).
    pub prior_carrier_probability: Option<f64>,
    /// P(at least one mutant allele | evidence).
    pub p_mutant_allele: f64,
    pub prior_p_mutant_allele: Option<f64>,
    /// P(the genotype the penetrance applies to | evidence): aa for recessive; Aa or aa for
    /// dominant; a or aa for X-linked recessive; a, Aa or aa for X-linked dominant.
    pub p_penetrant_genotype: f64,
    /// The member's status for the condition as used: affected, unaffected, or unknown (for a
    /// condition with only outcome penetrances: affected by any outcome, unaffected by all that
    /// apply to their sex).
    pub status: ConditionStatus,
    /// P(affected by the current age, or the age at death | evidence): 1 when recorded affected,
    /// 0 when recorded unaffected now; `None` when the age is unknown (and the member is not
    /// recorded affected).
    pub affected_now: Option<f64>,
    /// P(becoming affected after the current age and by the horizon | evidence) — for a member
    /// recorded unaffected, the remaining lifetime risk Σ_g P(g | E)·(F_g(h) − F_g(t)) /
    /// (1 − F_g(t)); 0 for the deceased and the affected.
    pub remaining_lifetime_risk: f64,
    /// P(affected by the horizon, or by death | evidence) = `affected_now` +
    /// `remaining_lifetime_risk` (when the age is known).
    pub lifetime_risk: f64,
    /// The same risks for each outcome of a condition with outcome penetrances (e.g. breast and
    /// ovarian cancer for BRCA1), one by one.
    pub outcomes: Vec<PhenotypeRisk>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct GenotypeProbability {
    pub genotype: String,
    /// With no evidence (`None` when priors were not requested).
    pub prior: Option<f64>,
    /// Given all evidence used.
    pub posterior: f64,
}

/// Risks for one outcome phenotype (see [`MemberRisk`] for the fields' meaning).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct PhenotypeRisk {
    /// Catalog id of the outcome.
    pub phenotype: String,
    pub status: ConditionStatus,
    pub affected_now: Option<f64>,
    pub remaining_lifetime_risk: f64,
    pub lifetime_risk: f64,
}

/// The size of the inference problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[ts(rename = "MendelianComplexity")]
pub struct Complexity {
    /// Genotype variables after merging MZ twins and leaving out uninformative relatives.
    pub variables: usize,
    pub cliques: usize,
    /// Entries of the largest clique table.
    pub max_clique_states: u64,
    /// Entries of all clique and separator tables.
    pub table_entries: u64,
}

/// Risks for a prospective child of two members.
#[derive(Debug, Clone, Serialize, TS)]
pub struct CoupleRisk {
    pub father: Ix,
    pub mother: Ix,
    /// A prospective son (genotype distribution given everything recorded; `lifetime_risk` is
    /// P(affected by the horizon)).
    pub son: MemberRisk,
    pub daughter: MemberRisk,
    /// log10 P(evidence), as in [`Assessment`].
    pub log10_likelihood: f64,
}

/// What [`Assessment::affected_by`] needs: the phenotype model and each reported member's
/// evidence and posterior.
#[derive(Debug, Clone, Default)]
pub(crate) struct EvalContext {
    pub ph: Option<Phenotypes>,
    pub members: Vec<(MemberEvidence, Space, [f64; MAX_STATES])>,
}

impl Assessment {
    /// The reported risks of member `ix`, if it was requested.
    pub fn member(&self, ix: Ix) -> Option<&MemberRisk> {
        self.members.binary_search_by_key(&ix, |m| m.member).ok().map(|k| &self.members[k])
    }

    /// P(member `ix` is affected by `age` | evidence), in the member-level sense of
    /// [`MemberRisk::status`]: 1 if recorded affected; for a member recorded unaffected at t, 0
    /// up to t and Σ_g P(g | E)·(F_g(age) − F_g(t)) / (1 − F_g(t)) after; otherwise
    /// Σ_g P(g | E)·F_g(age). `None` if `ix` was not requested.
    pub fn affected_by(&self, ix: Ix, age: f64) -> Option<f64> {
        let k = self.members.binary_search_by_key(&ix, |m| m.member).ok()?;
        let ph = self.ctx.ph.as_ref()?;
        let (ev, space, post) = &self.ctx.members[k];
        Some(ev.affected_by(ph, *space, &post[..space.card()], &ph.member_level, age))
    }
}
