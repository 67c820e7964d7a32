//! Exact Mendelian risk: genotype posteriors for one biallelic locus per catalog condition on any
//! pedigree — loops from consanguinity, double first cousins or pedigree collapse included — by
//! exact inference on a junction tree. No sampling, no approximation beyond floating point.
//!
//! ```text
//! assess(pedigree, condition, catalog, options) -> Assessment
//! couple_risk(pedigree, condition, catalog, father, mother, options) -> CoupleRisk
//! ```
//!
//! # The model
//!
//! **Locus and genotypes.** One biallelic locus (normal allele A, mutant a, all pathogenic
//! alleles pooled). Autosomal conditions: unordered genotypes AA, Aa, aa. X-linked: males are
//! hemizygous (A, a), females AA, Aa, aa; a son receives only his mother's X, a daughter her
//! father's X and one of her mother's (no male-to-male transmission). Monozygotic twins (same
//! `mz_twin_set`) share one genotype variable, to which both twins' evidence applies.
//!
//! **Chromosomal sex.** A member recorded as someone's father is male and one recorded as a
//! mother is female for genetic purposes, whatever the recorded sex (the parental role is what
//! determines which X is transmitted); otherwise the recorded sex is used. A member whose sex
//! is unknown or intersex and who has no parental role is, at an X-linked locus, a 50:50
//! mixture of the male and female genotype spaces (five states: A, a, AA, Aa, aa); for
//! autosomal conditions their sex only selects penetrance curves, averaged 50:50 (the posterior
//! sex weights given their own phenotype are used for their risk outputs).
//!
//! **Founder priors.** Hardy–Weinberg proportions from the catalog allele frequency q of the
//! member's population (`frequency_for`, the first entry when the population is unknown or not
//! listed): (1−q)², 2q(1−q), q² and, for males at an X-linked locus, 1−q, q. For an X-linked
//! recessive condition with a catalog `mutation_rate` μ and `reproductive_fitness` f < 1
//! (Duchenne muscular dystrophy, a genetic lethal with f = 0) founders are instead at Haldane's
//! mutation–selection equilibrium (Haldane JBS, J Genet 1935;31:317–326): the incidence of
//! affected males is I = 3μ/(1−f) (3μ for a lethal, so a third of cases are new mutations),
//! and a founder female is the daughter of a mother who transmits a mutant X with probability I
//! and a father who does so with probability fI + μ, which makes her a carrier with probability
//! ≈ (4+2f)μ/(1−f) (4μ for a lethal) and homozygous with probability I(fI+μ). These priors
//! are derived from μ (the catalog derives μ from the reported male incidence, so they agree
//! with its allele frequency); see [`HaldaneEquilibrium`].
//!
//! **Transmission and new mutations.** A parent transmits a mutant allele with probability t
//! (0, ½, 1 by genotype; a hemizygous father 0 or 1 to daughters). When the catalog gives a
//! mutation rate μ, a normal allele mutates in the transmitted gamete with probability μ:
//! P(child receives a) = t + μ(1 − t) = (1−μ)·t + μ·(1 − t) + μ·t. Back-mutation of a
//! pathogenic allele is not modelled: a gamete that already carries it stays mutant. Conditions
//! without a catalog rate use μ = 0. A parent missing from the pedigree (a member with one
//! known parent) is an implicit founder of the child's population: it transmits a mutant allele
//! with probability Σ_g prior(g)·t(g) (= q under Hardy–Weinberg).
//!
//! **Penetrance (phenotype likelihoods).** The catalog curves F(age) are cumulative risks for
//! the penetrant genotype: aa (autosomal recessive); Aa and aa (dominant); a in males and aa in
//! females (X-linked recessive — heterozygous females have penetrance 0, as the catalog
//! states); a in males and Aa, aa in females (X-linked dominant). For each member and each
//! phenotype:
//!
//! * **affected** → F_g(t), t = the age by which the person is known to have been affected:
//!   their current age, or age at death (the larger of that and the end of the recorded onset
//!   range), else the onset range's upper end, else the end of the curve ("some time in life").
//!   This is the liability-class convention of LINKAGE/MENDEL for cumulative curves. The
//!   alternative F_g(age at onset) makes early onset look *less* likely for a carrier whenever a
//!   phenocopy rate exists, and a density at onset needs curves the catalog does not give. When
//!   F is 0 at t for every genotype (onset before the first curve point, whose start age is
//!   often an anchor the catalog chose) the status is read at the end of the curve instead.
//! * **unaffected at age t** (current age or age at death) → 1 − F_g(t). Unaffected with no
//!   known age → 1 − F_g(earliest curve age): full evidence for constant (congenital) curves,
//!   and little or none for age-dependent ones, since we cannot tell how long they have been at
//!   risk.
//! * **unknown** → 1.
//!
//! Non-penetrant genotypes get a phenocopy risk: 0, unless the catalog entry of the phenotype
//! has a population `lifetime_risk` L for the member's sex (e.g. `breast-cancer` for the
//! BRCA1 outcome `breast-cancer`); the phenocopy curve is then L with the carrier curve's shape,
//! L·min(1, C(t)/C(anchor)) (anchor = the figure's `to_age`, else the curve's last point; L
//! itself for constant curves). Its `from_age` is ignored.
//!
//! **Conditions with outcome penetrances** (BRCA1/2, Lynch, FH's coronary heart disease). Each
//! outcome is a phenotype read from the facts recorded under the outcome's catalog id (e.g.
//! `breast-cancer`, `ovarian-cancer`). Outcomes are independent given the genotype, so a
//! carrier's likelihood is the product over outcomes. When the condition has no penetrance of
//! its own, "affected" in the member-level outputs means "affected by any of its outcomes"
//! (1 − Π(1 − F_k)), and a fact recorded under the condition's own id (e.g. "BRCA1-associated
//! cancer: affected", as a syndrome diagnosis is usually coded) is read as a diagnosis of the
//! genotype — likelihood 1 for the penetrant genotypes, 0 otherwise — unless outcome facts are
//! recorded, which then take its place (so one cancer is not counted twice).
//!
//! **Genetic tests** for a gene of the condition: positive → 1 for genotypes with at least one
//! mutant allele, 0 for AA (no false positives); negative with sensitivity s → (1−s)^k for k
//! mutant alleles (each allele missed independently) and 1 for AA; VUS and inconclusive carry
//! no information. s is the test's own, else the detection rate of the member's population in
//! the catalog (more specific than the condition-wide default), else the catalog's
//! `test_sensitivity`, else 1.
//!
//! # Inference
//!
//! One variable per member (or MZ twin set) with factors: founder prior or transmission
//! P(child | father, mother), and evidence. The moral graph is triangulated by greedy min-fill
//! elimination; the elimination cliques form a junction tree built once per assessment, on
//! which Hugin propagation (Lauritzen & Spiegelhalter, J R Stat Soc B 1988;50:157–224; Jensen,
//! Lauritzen & Olesen 1990) yields every member's posterior in two passes, plus log P(evidence).
//! On a pedigree without loops this is Elston–Stewart peeling (Elston & Stewart, Hum Hered
//! 1971;21:523–542); with loops it is exact, so inbreeding needs no special treatment: the child
//! of first cousins gets P(aa) = q² + q(1−q)/16. Messages are normalised as they go, so long
//! pedigrees do not underflow.
//!
//! The prior distributions reported beside the posteriors come from a second propagation on the
//! same tree with all evidence removed. When only some members are requested
//! ([`Options::members`]), members with no evidence and no requested or evidence-bearing
//! descendant are summed out exactly by leaving them out (barren nodes).
//!
//! Memory: the clique tables are checked against [`Limits`] before anything is allocated
//! ([`RiskError::TooComplex`], [`RiskError::TooMuchMemory`]); an assessment allocates in
//! proportion to the pedigree and its tables, and frees everything when it returns. Nothing is
//! cached between calls.

mod assess;
mod elimination;
mod factor;
mod model;
mod network;
mod propagate;
mod result;

pub use assess::{assess, couple_risk};
pub use model::HaldaneEquilibrium;
pub use result::{Assessment, Complexity, CoupleRisk, GenotypeProbability, MemberRisk, PhenotypeRisk};

use crate::input::Ix;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Bounds on the tables exact inference may allocate (8 bytes per entry).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(rename = "RiskLimits")]
pub struct Limits {
    /// Most entries (joint genotype states) in one clique table. Default 3^14 = 4,782,969
    /// (38 MB): fourteen autosomal genotypes at once, far beyond any realistic pedigree loop.
    pub max_clique_states: u64,
    /// Most entries in all clique and separator tables together. Default 2^24 = 16,777,216
    /// (134 MB).
    pub max_total_states: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_clique_states: 4_782_969, max_total_states: 1 << 24 }
    }
}

/// What to assess and how.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(rename = "MendelianOptions")]
#[serde(default)]
pub struct Options {
    /// Age (years) up to which lifetime risks are computed. Default 85.
    pub horizon: f64,
    /// Members whose recorded statuses and test results are left out (for "what would the
    /// risk be without this evidence" explanations).
    pub ignore_evidence_of: Vec<Ix>,
    /// Members to report, `None` for everyone. Asking for fewer members lets the engine drop
    /// relatives that carry no information for them, which makes repeated calls cheaper.
    pub members: Option<Vec<Ix>>,
    /// Also compute prior distributions (a second propagation without evidence). Default true.
    pub with_prior: bool,
    pub limits: Limits,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            horizon: 85.0,
            ignore_evidence_of: vec![],
            members: None,
            with_prior: true,
            limits: Limits::default(),
        }
    }
}

/// Why an assessment could not be made.
#[derive(Debug, Clone, PartialEq, thiserror::Error, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RiskError {
    #[error("`{condition}` is not a Mendelian condition")]
    NotMendelian { condition: String },
    #[error("the catalog entry `{condition}` has no {what}")]
    MissingParameter { condition: String, what: String },
    #[error("invalid input: {reason}")]
    InvalidInput { reason: String },
    #[error("invalid pedigree: {reason}")]
    InvalidPedigree { member: Option<Ix>, reason: String },
    /// Exact inference would need a clique table larger than the limit (a pedigree with very
    /// many interlocking loops).
    #[error(
        "the pedigree is too complex for exact inference: a table of {clique_states} joint genotype states \
         would be needed (limit {limit})"
    )]
    TooComplex { clique_states: u64, limit: u64 },
    #[error(
        "the pedigree is too complex for exact inference: {table_entries} table entries would be needed \
         (limit {limit})"
    )]
    TooMuchMemory { table_entries: u64, limit: u64 },
    /// The recorded evidence has probability 0 under the model (e.g. a child affected by a
    /// recessive condition whose parents both tested negative with a test of sensitivity 1).
    /// `members` lists members whose evidence alone, left out, makes the rest consistent.
    #[error("the recorded statuses and test results cannot all be true under the model: {hint}")]
    InconsistentEvidence { hint: String, members: Vec<Ix> },
}
