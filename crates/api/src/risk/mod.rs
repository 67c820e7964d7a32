//! Genetic risk for people in the vault.
//!
//! - [`scope`]: the pedigree around a person (blood relatives, closest first, bounded), with
//!   the health facts linked to catalog ids.
//! - [`person_risk`]: one entry per catalog condition — Mendelian conditions through
//!   `kinvault_risk::mendelian` (exact genotype posteriors: carrier probability, affected now and
//!   by the horizon), multifactorial ones through `kinvault_risk::stratify` (Scheuner 1997
//!   category) — each with its explanation: prior vs posterior, the facts that moved it (found by
//!   re-running the calculation without each relative's or group of relatives' evidence), the
//!   model's parameters and their references.
//! - [`couple_risk`]: risk to a prospective child of two people, related or not; the
//!   inbreeding coefficient of the child and the added risk for each recessive condition.
//! - [`family_overview`]: who in the family should consider genetic counselling, testing or
//!   earlier screening, and why.
//!
//! Memory: every call extracts its pedigree, assesses and drops everything before returning;
//! nothing is cached (the incident this module's predecessor caused is in docs/postmortems/).

pub mod explain;
pub mod scope;

use crate::{graph, ApiError, ErrorKind, Result};
use kinvault_catalog::{Catalog, ConditionDef, Inheritance};
use kinvault_model::ConditionStatus;
use kinvault_pedigree::FamilyGraph;
use kinvault_risk::mendelian::{self, MemberRisk, Options, RiskError};
pub use kinvault_risk::stratify::{self, CriterionStatus, FamilyHistoryReport, Stratum};
use kinvault_risk::{Ix, Pedigree};
use kinvault_vault::Vault;
pub use scope::RiskScope;
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;

pub use explain::{Explanation, FactEffect, ModelParameter};

/// Default age up to which lifetime risks run.
pub const DEFAULT_HORIZON: f64 = 85.0;

/// What to assess.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, TS)]
pub struct RiskRequest {
    /// Id or GEDCOM xref of the person assessed.
    pub person: String,
    /// Catalog ids; empty: every condition in the catalog.
    #[serde(default)]
    pub conditions: Vec<String>,
    /// Age (years) lifetime risks run to; default 85.
    #[serde(default)]
    pub horizon: Option<f64>,
    /// How much of the family to read; default [`RiskScope::default`].
    #[serde(default)]
    pub scope: Option<RiskScope>,
}

/// The pedigree an assessment read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PedigreeSummary {
    pub people: u32,
    /// People with at least one health fact (condition or test) linked to the catalog.
    pub with_health_facts: u32,
    /// `RiskScope::max_people` cut the family short.
    pub truncated: bool,
}

/// How a condition's risk was computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum RiskModel {
    /// One biallelic locus, exact Bayesian calculation over the pedigree.
    MendelianAutosomalDominant,
    MendelianAutosomalRecessive,
    MendelianXLinkedRecessive,
    MendelianXLinkedDominant,
    /// Family-history stratification (Scheuner et al. 1997, CDC Family Healthware).
    FamilyHistoryScheuner1997,
    /// A multifactorial condition outside the Scheuner conditions: nothing computed.
    NotModelled,
}

impl RiskModel {
    fn of(def: &ConditionDef, stratified: bool) -> RiskModel {
        match def.inheritance {
            Inheritance::AutosomalDominant => RiskModel::MendelianAutosomalDominant,
            Inheritance::AutosomalRecessive => RiskModel::MendelianAutosomalRecessive,
            Inheritance::XLinkedRecessive => RiskModel::MendelianXLinkedRecessive,
            Inheritance::XLinkedDominant => RiskModel::MendelianXLinkedDominant,
            Inheritance::Multifactorial if stratified => RiskModel::FamilyHistoryScheuner1997,
            Inheritance::Multifactorial => RiskModel::NotModelled,
        }
    }
}

/// Probability of being affected, with its age horizon.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, TS)]
pub struct AffectedProbability {
    /// P(affected by the current age, or by death); `None` when the age is unknown.
    pub now: Option<f64>,
    /// The age `now` refers to.
    pub at_age: Option<f64>,
    /// P(affected by `horizon`) (for a living person recorded unaffected: now + remaining).
    pub by_horizon: f64,
    /// P(becoming affected after the current age and by `horizon`).
    pub remaining: f64,
    pub horizon: f64,
    /// `by_horizon` with no evidence at all (population and Mendelian prior).
    pub prior_by_horizon: Option<f64>,
}

/// One condition's result for the person.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ConditionRisk {
    /// Catalog id.
    pub condition: String,
    pub name: String,
    pub model: RiskModel,
    /// The person's own recorded status for the condition.
    pub status: ConditionStatus,
    /// Familial risk level (multifactorial conditions).
    pub category: Option<Stratum>,
    /// P(carrier | everything recorded): heterozygote for recessive (a hemizygous male for
    /// X-linked recessive), at least one pathogenic allele for dominant conditions.
    pub carrier_probability: Option<f64>,
    pub prior_carrier_probability: Option<f64>,
    pub affected_probability: Option<AffectedProbability>,
    /// Someone in the family has a recorded status or test result for this condition.
    pub family_evidence: bool,
    pub explanation: Explanation,
    /// Why no number could be given (inconsistent records, a pedigree too complex), if so.
    pub error: Option<String>,
}

/// Everything assessed for one person.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct RiskReport {
    /// Person id.
    pub person: String,
    pub catalog_version: u32,
    pub horizon: f64,
    pub pedigree: PedigreeSummary,
    pub conditions: Vec<ConditionRisk>,
    /// Scheuner stratification and the Lynch syndrome criteria, with the triggering relatives.
    pub family_history: FamilyHistoryReport,
}

fn person_id(vault: &Vault, reference: &str) -> Result<Uuid> {
    let r = graph::person_ref(vault, reference)?;
    Uuid::parse_str(&r.id).map_err(|_| ApiError::new(ErrorKind::Internal, "person id is not a UUID"))
}

fn pedigree_error(e: kinvault_pedigree::PedigreeError) -> ApiError {
    ApiError::invalid(format!("the kinship of the couple cannot be computed: {e}"))
}

fn check_horizon(h: Option<f64>) -> Result<f64> {
    let h = h.unwrap_or(DEFAULT_HORIZON);
    if !h.is_finite() || !(1.0..=120.0).contains(&h) {
        return Err(ApiError::invalid(format!("horizon {h} is not an age between 1 and 120")));
    }
    Ok(h)
}

fn conditions_of<'c>(catalog: &'c Catalog, ids: &[String]) -> Result<Vec<&'c ConditionDef>> {
    if ids.is_empty() {
        return Ok(catalog.iter().collect());
    }
    ids.iter().map(|id| crate::clinical::catalog_condition(catalog, id)).collect()
}

/// Whether member `m` carries evidence for `def`: a status or onset for it (or for one of its
/// outcomes), or a test of one of its genes.
pub(crate) fn has_evidence(ped: &Pedigree, m: Ix, def: &ConditionDef) -> bool {
    let member = &ped.members[m];
    let outcome = |c: &str| c == def.id || def.penetrance.iter().any(|p| p.outcome.as_deref() == Some(c));
    member.conditions.iter().any(|c| outcome(&c.condition) && c.status != ConditionStatus::Unknown)
        || member.tests.iter().any(|t| def.genes.iter().any(|g| g.eq_ignore_ascii_case(&t.gene)))
}

fn status_of(ped: &Pedigree, m: Ix, def: &ConditionDef) -> ConditionStatus {
    let facts = ped.members[m].conditions.iter().filter(|c| c.condition == def.id);
    let mut status = ConditionStatus::Unknown;
    for f in facts {
        match f.status {
            ConditionStatus::Affected => return ConditionStatus::Affected,
            ConditionStatus::Unaffected => status = ConditionStatus::Unaffected,
            ConditionStatus::Unknown => {}
        }
    }
    status
}

fn affected(m: &MemberRisk, prior: Option<&MemberRisk>, horizon: f64, age: Option<f64>) -> AffectedProbability {
    AffectedProbability {
        now: m.affected_now,
        at_age: age,
        by_horizon: m.lifetime_risk,
        remaining: m.remaining_lifetime_risk,
        horizon,
        prior_by_horizon: prior.map(|p| p.lifetime_risk),
    }
}

/// Assesses one Mendelian condition for member `center`.
fn mendelian_risk(
    ped: &Pedigree,
    center: Ix,
    relatives: &[stratify::Relative],
    def: &ConditionDef,
    catalog: &Catalog,
    horizon: f64,
) -> ConditionRisk {
    let status = status_of(ped, center, def);
    let evidence: Vec<Ix> = (0..ped.len()).filter(|&m| has_evidence(ped, m, def)).collect();
    let opts = Options { horizon, members: Some(vec![center]), ..Options::default() };
    let mut out = ConditionRisk {
        condition: def.id.clone(),
        name: def.name.clone(),
        model: RiskModel::of(def, false),
        status,
        category: None,
        carrier_probability: None,
        prior_carrier_probability: None,
        affected_probability: None,
        family_evidence: !evidence.is_empty(),
        explanation: Explanation::default(),
        error: None,
    };
    let full = match mendelian::assess(ped, def, catalog, &opts) {
        Ok(a) => a,
        Err(e) => {
            out.error = Some(risk_error_text(&e, ped, relatives));
            out.explanation = explain::parameters_only(def, catalog, ped.members[center].population.as_deref());
            return out;
        }
    };
    let Some(me) = full.member(center) else {
        out.error = Some("the person was not assessed".into());
        return out;
    };
    // Prior of the same person with no evidence anywhere (the `prior_*` fields).
    out.carrier_probability = Some(me.carrier_probability);
    out.prior_carrier_probability = me.prior_carrier_probability;
    let prior_member = prior_member(ped, center, def, catalog, horizon);
    out.affected_probability = Some(affected(me, prior_member.as_ref(), horizon, ped.members[center].age));
    out.explanation = explain::mendelian(explain::MendelianInput {
        ped,
        center,
        relatives,
        def,
        catalog,
        evidence: &evidence,
        full: me,
        horizon,
        complexity: full.complexity,
        haldane: full.haldane.is_some(),
    });
    out
}

/// The person's risks with every piece of evidence ignored.
fn prior_member(ped: &Pedigree, center: Ix, def: &ConditionDef, catalog: &Catalog, horizon: f64) -> Option<MemberRisk> {
    let opts = Options {
        horizon,
        members: Some(vec![center]),
        ignore_evidence_of: (0..ped.len()).collect(),
        with_prior: false,
        ..Options::default()
    };
    mendelian::assess(ped, def, catalog, &opts).ok().and_then(|a| a.member(center).cloned())
}

pub(crate) fn risk_error_text(e: &RiskError, ped: &Pedigree, relatives: &[stratify::Relative]) -> String {
    match e {
        RiskError::InconsistentEvidence { hint, members } if !members.is_empty() => {
            let who: Vec<String> = members.iter().map(|&m| explain::relation_of(ped, m, relatives, None)).collect();
            format!("the records cannot all be true under the model ({hint}); check the records of: {}", who.join(", "))
        }
        other => other.to_string(),
    }
}

fn stratified_risk(def: &ConditionDef, report: &FamilyHistoryReport, ped: &Pedigree, center: Ix) -> ConditionRisk {
    let stratum = report.conditions.iter().find(|c| c.condition == def.id);
    let evidence = (0..ped.len()).any(|m| m != center && has_evidence(ped, m, def));
    ConditionRisk {
        condition: def.id.clone(),
        name: def.name.clone(),
        model: RiskModel::of(def, stratum.is_some()),
        status: status_of(ped, center, def),
        category: stratum.map(|s| s.stratum),
        carrier_probability: None,
        prior_carrier_probability: None,
        affected_probability: None,
        family_evidence: evidence,
        explanation: match stratum {
            Some(s) => explain::stratified(s, def, ped.members[center].population.as_deref(), ped.members[center].sex),
            None => explain::not_modelled(def),
        },
        error: None,
    }
}

/// Everything [`person_risk`] reads, extracted once.
pub(crate) struct Prepared {
    pub ped: Pedigree,
    pub center: Ix,
    pub relatives: Vec<stratify::Relative>,
    pub summary: PedigreeSummary,
}

pub(crate) fn prepare(
    vault: &Vault,
    graph: &FamilyGraph,
    catalog: &Catalog,
    person: Uuid,
    scope: &RiskScope,
) -> Result<Prepared> {
    let ex = scope::extract(vault, graph, catalog, person, scope, crate::clock::this_year())?;
    let relatives = stratify::relatives(&ex.pedigree, ex.center);
    let with_facts =
        ex.pedigree.members.iter().filter(|m| !m.conditions.is_empty() || !m.tests.is_empty()).count() as u32;
    let summary =
        PedigreeSummary { people: ex.pedigree.len() as u32, with_health_facts: with_facts, truncated: ex.truncated };
    Ok(Prepared { ped: ex.pedigree, center: ex.center, relatives, summary })
}

/// Risk for one person: one entry per requested catalog condition, and the family-history
/// report.
pub fn person_risk(vault: &Vault, graph: &FamilyGraph, req: &RiskRequest) -> Result<RiskReport> {
    let catalog = crate::clinical::vault_catalog(vault)?;
    let horizon = check_horizon(req.horizon)?;
    let defs = conditions_of(&catalog, &req.conditions)?;
    let person = person_id(vault, &req.person)?;
    let p = prepare(vault, graph, &catalog, person, &req.scope.unwrap_or_default())?;
    let family_history = stratify::stratify(&p.ped, p.center, &catalog);
    let conditions = defs
        .into_iter()
        .map(|def| {
            if def.is_mendelian() {
                mendelian_risk(&p.ped, p.center, &p.relatives, def, &catalog, horizon)
            } else {
                stratified_risk(def, &family_history, &p.ped, p.center)
            }
        })
        .collect();
    Ok(RiskReport {
        person: person.to_string(),
        catalog_version: catalog.version(),
        horizon,
        pedigree: p.summary,
        conditions,
        family_history,
    })
}

/// Risk to a prospective child of two people.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct CoupleRiskReport {
    pub condition: String,
    pub name: String,
    pub model: RiskModel,
    /// Person ids as given: the one in the father role first.
    pub father: String,
    pub mother: String,
    /// Kinship coefficient φ of the couple = inbreeding coefficient F of their child, exact.
    pub kinship: f64,
    /// φ as a fraction, e.g. "1/16".
    pub kinship_fraction: String,
    /// P(a son is affected by the horizon), P(he carries).
    pub son_affected: f64,
    pub son_carrier: f64,
    pub daughter_affected: f64,
    pub daughter_carrier: f64,
    /// P(a child of either sex, 50:50, is affected by the horizon).
    pub child_affected: f64,
    pub horizon: f64,
    pub explanation: Explanation,
}

/// Risk to a child of `a` and `b` for `condition`, given everything recorded in both their
/// families (the two pedigrees are merged when the couple are not already in one).
pub fn couple_risk(
    vault: &Vault,
    graph: &FamilyGraph,
    a: &str,
    b: &str,
    condition: &str,
    horizon: Option<f64>,
) -> Result<CoupleRiskReport> {
    let catalog = crate::clinical::vault_catalog(vault)?;
    let horizon = check_horizon(horizon)?;
    let def = crate::clinical::catalog_condition(&catalog, condition)?;
    if !def.is_mendelian() {
        return Err(ApiError::invalid(format!(
            "{} is multifactorial: a child's risk comes from the family history of each parent (`kinvault risk --person`)",
            def.name
        )));
    }
    let (ia, ib) = (person_id(vault, a)?, person_id(vault, b)?);
    if ia == ib {
        return Err(ApiError::invalid("a couple needs two different people"));
    }
    let merged = explain::couple_pedigree(vault, graph, &catalog, ia, ib)?;
    let (ped, ma, mb) = (merged.ped, merged.a, merged.b);
    // The father role: a male partner, else the first named.
    let (father, mother) = match (ped.members[ma].sex, ped.members[mb].sex) {
        (kinvault_model::Sex::Female, kinvault_model::Sex::Male) => (mb, ma),
        _ => (ma, mb),
    };
    let opts = Options { horizon, ..Options::default() };
    let r = mendelian::couple_risk(&ped, def, &catalog, father, mother, &opts)
        .map_err(|e| ApiError::invalid(format!("{}: {}", def.name, risk_error_text(&e, &ped, &[]))))?;
    let (ga, gb) = (merged.graph_ix[father], merged.graph_ix[mother]);
    let phi = graph
        .kinship_ix(ga, gb, kinvault_pedigree::Chromosome::Autosomal, &Default::default())
        .map_err(pedigree_error)?;
    let child_affected = 0.5 * (r.son.lifetime_risk + r.daughter.lifetime_risk);
    let explanation = explain::couple(def, &catalog, &ped, (father, mother), &phi, &r, horizon);
    Ok(CoupleRiskReport {
        condition: def.id.clone(),
        name: def.name.clone(),
        model: RiskModel::of(def, false),
        father: ped.members[father].id.clone(),
        mother: ped.members[mother].id.clone(),
        kinship: phi.to_f64(),
        kinship_fraction: phi.to_string(),
        son_affected: r.son.lifetime_risk,
        son_carrier: r.son.carrier_probability,
        daughter_affected: r.daughter.lifetime_risk,
        daughter_carrier: r.daughter.carrier_probability,
        child_affected,
        horizon,
        explanation,
    })
}

/// Inbreeding of a prospective child of two relatives and the added risk for each autosomal
/// recessive condition in the catalog.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ConsanguinityReport {
    pub a: String,
    pub b: String,
    /// F of their child (= φ of the couple), exact, and as a fraction.
    pub inbreeding: f64,
    pub inbreeding_fraction: String,
    pub conditions: Vec<ConsanguinityRisk>,
    pub notes: Vec<String>,
}

/// One recessive condition: risk to a child of an unrelated couple vs this couple, from the
/// population allele frequency alone (q² vs q² + F·q(1−q)), penetrance applied.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ConsanguinityRisk {
    pub condition: String,
    pub name: String,
    pub allele_frequency: f64,
    pub population: String,
    pub unrelated_risk: f64,
    pub couple_risk: f64,
    pub added_risk: f64,
    /// couple_risk / unrelated_risk (`None` when the unrelated risk is 0).
    pub relative_risk: Option<f64>,
    pub reference: String,
}

/// Inbreeding coefficient of a child of `a` and `b` and the added recessive risk per condition.
pub fn consanguinity(vault: &Vault, graph: &FamilyGraph, a: &str, b: &str) -> Result<ConsanguinityReport> {
    let catalog = crate::clinical::vault_catalog(vault)?;
    let (ia, ib) = (person_id(vault, a)?, person_id(vault, b)?);
    if ia == ib {
        return Err(ApiError::invalid("a couple needs two different people"));
    }
    let phi = graph.kinship(ia, ib).map_err(pedigree_error)?;
    let f = phi.to_f64();
    let population =
        [ia, ib].iter().filter_map(|id| vault.get_person(*id).ok().flatten()).find_map(|p| p.ancestry.first().cloned());
    let mut conditions = Vec::new();
    for def in catalog.iter().filter(|d| d.inheritance == Inheritance::AutosomalRecessive) {
        let Some(freq) = def.frequency_for(population.as_deref().unwrap_or("")) else { continue };
        let q = freq.allele_frequency;
        let pen = def
            .penetrance_for(None)
            .map(|p| p.cumulative(kinvault_model::Sex::Unknown, DEFAULT_HORIZON))
            .unwrap_or(1.0);
        let unrelated = q * q * pen;
        let couple = (q * q + f * q * (1.0 - q)) * pen;
        conditions.push(ConsanguinityRisk {
            condition: def.id.clone(),
            name: def.name.clone(),
            allele_frequency: q,
            population: freq.label.clone(),
            unrelated_risk: unrelated,
            couple_risk: couple,
            added_risk: couple - unrelated,
            relative_risk: (unrelated > 0.0).then(|| couple / unrelated),
            reference: def.reference(&freq.reference).map(|r| r.citation.clone()).unwrap_or_default(),
        });
    }
    conditions.sort_by(|x, y| y.added_risk.total_cmp(&x.added_risk));
    let notes = vec![
        "P(affected child) = (q² + F·q(1−q)) × penetrance, q the population allele frequency (Hardy–Weinberg with \
         inbreeding; Wright 1922). Family records are not used here: `risk --couple A B --condition ID` uses them."
            .to_string(),
        format!(
            "Beyond the named conditions, first-cousin couples have an added risk of about 1.7–2.8% for a child with a \
             serious recessive disorder or birth defect over the population's 3–4% (Bennett et al. 2002, J Genet Couns \
             11:97–119); F here is {phi}."
        ),
    ];
    Ok(ConsanguinityReport {
        a: ia.to_string(),
        b: ib.to_string(),
        inbreeding: f,
        inbreeding_fraction: phi.to_string(),
        conditions,
        notes,
    })
}

/// One suggestion of the family overview.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct OverviewItem {
    pub person: String,
    /// How they are related to the proband ("mother", "maternal aunt"...).
    pub relation: String,
    pub condition: String,
    pub name: String,
    pub suggestion: OverviewSuggestion,
    /// Carrier probability (Mendelian) when that is the reason.
    pub carrier_probability: Option<f64>,
    pub category: Option<Stratum>,
    pub reason: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum OverviewSuggestion {
    /// Genetic counselling and testing (a Mendelian carrier probability above the threshold).
    GeneticCounselling,
    /// Earlier or more frequent screening / clinical risk assessment (high familial risk).
    Screening,
    /// Personalised prevention (moderate familial risk).
    Prevention,
}

/// Who in the family should consider counselling, testing or screening.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct FamilyOverview {
    pub proband: String,
    pub pedigree: PedigreeSummary,
    /// Carrier probability from which genetic counselling is suggested (default 10%).
    pub carrier_threshold: f64,
    pub items: Vec<OverviewItem>,
    /// Conditions that could not be assessed, with why.
    pub errors: Vec<String>,
}

/// Carrier probability from which the overview suggests counselling.
pub const COUNSELLING_THRESHOLD: f64 = 0.10;

/// Family overview around `proband`: every living (or vital status unknown) blood relative up to
/// the second degree, assessed for every condition with evidence in the family.
pub fn family_overview(vault: &Vault, graph: &FamilyGraph, proband: &str, scope: &RiskScope) -> Result<FamilyOverview> {
    let catalog = crate::clinical::vault_catalog(vault)?;
    let person = person_id(vault, proband)?;
    let p = prepare(vault, graph, &catalog, person, scope)?;
    let close: Vec<&stratify::Relative> =
        p.relatives.iter().filter(|r| r.degree <= 2 && p.ped.members[r.ix].alive != Some(false)).collect();
    let members: Vec<Ix> = {
        let mut m: Vec<Ix> = close.iter().map(|r| r.ix).collect();
        m.sort_unstable();
        m
    };
    let mut items = Vec::new();
    let mut errors = Vec::new();
    for def in catalog.iter().filter(|d| d.is_mendelian()) {
        if !(0..p.ped.len()).any(|m| has_evidence(&p.ped, m, def)) {
            continue;
        }
        let opts = Options { members: Some(members.clone()), with_prior: false, ..Options::default() };
        match mendelian::assess(&p.ped, def, &catalog, &opts) {
            Ok(a) => {
                for r in &close {
                    let Some(m) = a.member(r.ix) else { continue };
                    if m.status == ConditionStatus::Affected {
                        continue;
                    }
                    let tested = p.ped.members[r.ix]
                        .tests
                        .iter()
                        .any(|t| def.genes.iter().any(|g| g.eq_ignore_ascii_case(&t.gene)));
                    if m.carrier_probability >= COUNSELLING_THRESHOLD && !tested {
                        items.push(OverviewItem {
                            person: m.id.clone(),
                            relation: r.relation.clone(),
                            condition: def.id.clone(),
                            name: def.name.clone(),
                            suggestion: OverviewSuggestion::GeneticCounselling,
                            carrier_probability: Some(m.carrier_probability),
                            category: None,
                            reason: format!(
                                "carrier probability {} for {} (not tested for {})",
                                explain::percent(m.carrier_probability),
                                def.name,
                                def.genes.join("/")
                            ),
                        });
                    }
                }
            }
            Err(e) => errors.push(format!("{}: {}", def.name, risk_error_text(&e, &p.ped, &p.relatives))),
        }
    }
    for r in close.iter().filter(|r| r.degree <= 1) {
        let report = stratify::stratify(&p.ped, r.ix, &catalog);
        for c in report.conditions.iter().filter(|c| c.stratum > Stratum::Average) {
            let (suggestion, what) = match c.stratum {
                Stratum::High => (OverviewSuggestion::Screening, "high"),
                _ => (OverviewSuggestion::Prevention, "moderate"),
            };
            let triggers = c.rules.first().map(|h| h.text.clone()).unwrap_or_default();
            items.push(OverviewItem {
                person: p.ped.members[r.ix].id.clone(),
                relation: r.relation.clone(),
                condition: c.condition.clone(),
                name: c.name.clone(),
                suggestion,
                carrier_probability: None,
                category: Some(c.stratum),
                reason: format!("{what} familial risk of {}: {triggers}", c.name.to_lowercase()),
            });
        }
    }
    items.sort_by(|x, y| {
        let rank = |s: OverviewSuggestion| match s {
            OverviewSuggestion::GeneticCounselling => 0,
            OverviewSuggestion::Screening => 1,
            OverviewSuggestion::Prevention => 2,
        };
        rank(x.suggestion)
            .cmp(&rank(y.suggestion))
            .then(y.carrier_probability.unwrap_or(0.0).total_cmp(&x.carrier_probability.unwrap_or(0.0)))
    });
    Ok(FamilyOverview {
        proband: person.to_string(),
        pedigree: p.summary,
        carrier_threshold: COUNSELLING_THRESHOLD,
        items,
        errors,
    })
}
