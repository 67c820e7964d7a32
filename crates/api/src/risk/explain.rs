//! Explanations: every number with what moved it, the model's parameters and their references.
//!
//! "Which facts moved it" is measured, not narrated: the person's carrier probability is
//! recomputed with one relative's (or one group of relatives') evidence left out, and the
//! difference reported — e.g. "3 brothers: unaffected (ages 31–45): 50% → 11%". Unaffected
//! relatives of the same relation are grouped, as a counsellor would say it; affected relatives
//! and test results stand alone.

use super::scope::{self, RiskScope};
use super::{has_evidence, DEFAULT_HORIZON};
use crate::Result;
use kinvault_catalog::{Catalog, ConditionDef, Curve, Reference};
use kinvault_model::{ConditionStatus, Sex, TestResult};
use kinvault_pedigree::{FamilyGraph, PersonIx};
use kinvault_risk::mendelian::{self, Complexity, CoupleRisk, MemberRisk, Options};
use kinvault_risk::stratify::{ConditionStratum, Relative};
use kinvault_risk::{Ix, Pedigree};
use kinvault_vault::Vault;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use ts_rs::TS;
use uuid::Uuid;

/// Why a number is what it is.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, TS)]
#[ts(rename = "RiskExplanation")]
pub struct Explanation {
    /// One or two sentences: the result, the prior, the biggest mover.
    pub summary: String,
    /// The recorded facts that moved the result most, largest effect first.
    pub facts: Vec<FactEffect>,
    /// The model's numbers, each with the catalog reference it comes from.
    pub parameters: Vec<ModelParameter>,
    pub references: Vec<Reference>,
    /// Assumptions and caveats.
    pub notes: Vec<String>,
}

/// The effect of one fact, or one group of like facts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct FactEffect {
    /// Person ids of the relatives whose records these are.
    pub people: Vec<String>,
    /// e.g. "mother: affected (onset 45)", "3 brothers: unaffected (ages 31–45)".
    pub description: String,
    /// What is measured, e.g. "carrier probability".
    pub measure: String,
    /// The measure without these facts, and with everything (`None` for a categorical result
    /// such as a familial risk level, where the fact's rule is the explanation).
    pub without: Option<f64>,
    pub with: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ModelParameter {
    pub name: String,
    pub value: String,
    /// Id of the catalog reference (in [`Explanation::references`]).
    pub reference: Option<String>,
}

/// A probability as people read it: "67%", "4.0%", "0.12%", "1 in 25,000".
pub fn percent(p: f64) -> String {
    if !p.is_finite() {
        return "—".into();
    }
    let pc = p * 100.0;
    if p <= 0.0 {
        "0%".into()
    } else if p < 1.0 && pc >= 99.995 {
        ">99.99%".into()
    } else if p < 1.0 && pc >= 99.5 {
        // Not "100%" for something that is not certain.
        format!("{pc:.2}%")
    } else if pc >= 10.0 {
        format!("{pc:.0}%")
    } else if pc >= 1.0 {
        format!("{pc:.1}%")
    } else if pc >= 0.1 {
        format!("{pc:.2}%")
    } else {
        format!("1 in {}", thousands((1.0 / p).round() as u64))
    }
}

fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn age_text(a: f64) -> String {
    if a.fract() == 0.0 {
        format!("{a:.0}")
    } else {
        format!("{a:.1}")
    }
}

/// How member `m` is related to the assessed person, in words (no names).
pub fn relation_of(ped: &Pedigree, m: Ix, relatives: &[Relative], center: Option<Ix>) -> String {
    if center == Some(m) {
        return "this person".into();
    }
    match relatives.iter().find(|r| r.ix == m) {
        Some(r) if r.degree == 0 => "this person".into(),
        Some(r) => r.relation.clone(),
        None => match ped.members[m].sex {
            Sex::Female => "a more distant relative (female)".into(),
            Sex::Male => "a more distant relative (male)".into(),
            _ => "a more distant relative".into(),
        },
    }
}

fn plural(relation: &str, n: usize) -> String {
    if n == 1 {
        return relation.to_string();
    }
    let p = if let Some(stem) = relation.strip_suffix("child") {
        format!("{stem}children")
    } else if relation == "this person" {
        relation.to_string()
    } else {
        format!("{relation}s")
    };
    format!("{n} {p}")
}

/// The member's evidence for `def`, in words, and whether it is a plain "unaffected" (grouped).
fn evidence_text(ped: &Pedigree, m: Ix, def: &ConditionDef, catalog: &Catalog) -> (String, bool) {
    let member = &ped.members[m];
    let outcome_name = |c: &str| {
        if c == def.id {
            None
        } else {
            Some(catalog.get(c).map(|d| d.name.to_lowercase()).unwrap_or_else(|| c.to_string()))
        }
    };
    let mut parts = Vec::new();
    let mut only_unaffected = true;
    for f in member.conditions.iter().filter(|f| {
        f.status != ConditionStatus::Unknown
            && (f.condition == def.id
                || def.penetrance.iter().any(|p| p.outcome.as_deref() == Some(f.condition.as_str())))
    }) {
        let what = outcome_name(&f.condition).map(|n| format!(" ({n})")).unwrap_or_default();
        match f.status {
            ConditionStatus::Affected => {
                only_unaffected = false;
                let onset = f.onset.map(|o| {
                    if o.min == o.max {
                        format!(", onset {}", age_text(o.min))
                    } else {
                        format!(", onset {}–{}", age_text(o.min), age_text(o.max))
                    }
                });
                parts.push(format!("affected{what}{}", onset.unwrap_or_default()));
            }
            _ => parts.push(format!("unaffected{what}")),
        }
    }
    for t in member.tests.iter().filter(|t| def.genes.iter().any(|g| g.eq_ignore_ascii_case(&t.gene))) {
        only_unaffected = false;
        let r = match t.result {
            TestResult::Positive => "tested positive",
            TestResult::Negative => "tested negative",
            TestResult::Vus => "a variant of uncertain significance",
            TestResult::Inconclusive => "an inconclusive test",
        };
        parts.push(format!("{r} ({})", t.gene));
    }
    parts.dedup();
    (parts.join("; "), only_unaffected && !parts.is_empty())
}

/// One group of evidence to leave out.
struct Group {
    members: Vec<Ix>,
    description: String,
    /// Closeness (smallest degree in the group; unknown = 9), for ordering and the run budget.
    degree: u8,
}

/// Most leave-out recalculations per condition (the closest groups first).
const MAX_GROUPS: usize = 40;
/// Effects smaller than this (absolute) are not listed.
const MIN_EFFECT: f64 = 0.0005;
/// At most this many facts are listed.
const MAX_FACTS: usize = 8;

fn groups(
    ped: &Pedigree,
    center: Ix,
    evidence: &[Ix],
    relatives: &[Relative],
    def: &ConditionDef,
    catalog: &Catalog,
) -> Vec<Group> {
    let degree: HashMap<Ix, u8> = relatives.iter().map(|r| (r.ix, r.degree)).collect();
    let mut unaffected: HashMap<String, Vec<Ix>> = HashMap::new();
    let mut out = Vec::new();
    for &m in evidence {
        let relation = relation_of(ped, m, relatives, Some(center));
        let (text, plain_unaffected) = evidence_text(ped, m, def, catalog);
        if plain_unaffected {
            unaffected.entry(relation).or_default().push(m);
        } else {
            out.push(Group {
                members: vec![m],
                description: format!("{relation}: {text}"),
                degree: if m == center { 0 } else { degree.get(&m).copied().unwrap_or(9) },
            });
        }
    }
    for (relation, members) in unaffected {
        let ages: Vec<f64> = members.iter().filter_map(|&m| ped.members[m].age).collect();
        let ages = match (ages.iter().copied().reduce(f64::min), ages.iter().copied().reduce(f64::max)) {
            (Some(lo), Some(hi)) if lo == hi && members.len() == 1 => format!(" at {}", age_text(lo)),
            (Some(lo), Some(hi)) if lo == hi => format!(" (age {})", age_text(lo)),
            (Some(lo), Some(hi)) => format!(" (ages {}–{})", age_text(lo), age_text(hi)),
            _ => " (age unknown)".into(),
        };
        out.push(Group {
            degree: if members.contains(&center) {
                0
            } else {
                members.iter().filter_map(|m| degree.get(m)).copied().min().unwrap_or(9)
            },
            description: format!("{}: unaffected{ages}", plural(&relation, members.len())),
            members,
        });
    }
    out.sort_by(|a, b| a.degree.cmp(&b.degree).then(a.members.cmp(&b.members)));
    out.truncate(MAX_GROUPS);
    out
}

fn curve_text(c: &Curve, horizon: f64) -> String {
    match c {
        Curve::Constant(v) => format!("{} at any age", percent(*v)),
        Curve::Points(_) => format!("{} by {}", percent(c.cumulative(horizon)), age_text(horizon)),
    }
}

/// The catalog numbers a Mendelian calculation used, with references.
fn mendelian_parameters(
    def: &ConditionDef,
    catalog: &Catalog,
    population: Option<&str>,
    horizon: f64,
) -> Vec<ModelParameter> {
    let mut out = Vec::new();
    if let Some(f) = def.frequency_for(population.unwrap_or("")) {
        let reported = f.as_reported.as_deref().map(|r| format!(", reported as {r}")).unwrap_or_default();
        out.push(ModelParameter {
            name: format!("allele frequency q ({})", f.label),
            value: format!("{:.6}{reported}", f.allele_frequency),
            reference: Some(f.reference.clone()),
        });
    }
    for p in &def.penetrance {
        let what = match &p.outcome {
            None => "penetrance".to_string(),
            Some(o) => format!("penetrance for {}", catalog.get(o).map(|d| d.name.to_lowercase()).unwrap_or(o.clone())),
        };
        out.push(ModelParameter {
            name: format!("{what}, women"),
            value: curve_text(&p.female, horizon),
            reference: Some(p.reference_for(Sex::Female).to_string()),
        });
        out.push(ModelParameter {
            name: format!("{what}, men"),
            value: curve_text(&p.male, horizon),
            reference: Some(p.reference_for(Sex::Male).to_string()),
        });
    }
    if let Some(t) = &def.test_sensitivity {
        out.push(ModelParameter {
            name: format!("test sensitivity ({})", t.method),
            value: percent(t.value),
            reference: Some(t.reference.clone()),
        });
    }
    if let Some(m) = &def.mutation_rate {
        out.push(ModelParameter {
            name: "new-mutation rate per gamete".into(),
            value: format!("{:e}", m.value),
            reference: Some(m.reference.clone()),
        });
    }
    out.push(ModelParameter {
        name: "risk horizon".into(),
        value: format!("age {}", age_text(horizon)),
        reference: None,
    });
    out
}

fn model_words(def: &ConditionDef) -> String {
    let mode = match def.inheritance {
        kinvault_catalog::Inheritance::AutosomalDominant => "autosomal dominant",
        kinvault_catalog::Inheritance::AutosomalRecessive => "autosomal recessive",
        kinvault_catalog::Inheritance::XLinkedRecessive => "X-linked recessive",
        kinvault_catalog::Inheritance::XLinkedDominant => "X-linked dominant",
        kinvault_catalog::Inheritance::Multifactorial => "multifactorial",
    };
    let genes = if def.genes.is_empty() { String::new() } else { format!(", {}", def.genes.join("/")) };
    format!("{mode}{genes}")
}

fn base(def: &ConditionDef, catalog: &Catalog, population: Option<&str>, horizon: f64) -> Explanation {
    Explanation {
        summary: String::new(),
        facts: vec![],
        parameters: mendelian_parameters(def, catalog, population, horizon),
        references: def.references.clone(),
        notes: def.notes.iter().cloned().collect(),
    }
}

/// Parameters and references only (when no number could be computed).
pub fn parameters_only(def: &ConditionDef, catalog: &Catalog, population: Option<&str>) -> Explanation {
    base(def, catalog, population, DEFAULT_HORIZON)
}

pub struct MendelianInput<'a> {
    pub ped: &'a Pedigree,
    pub center: Ix,
    pub relatives: &'a [Relative],
    pub def: &'a ConditionDef,
    pub catalog: &'a Catalog,
    pub evidence: &'a [Ix],
    pub full: &'a MemberRisk,
    pub horizon: f64,
    pub complexity: Complexity,
    pub haldane: bool,
}

/// The explanation of a Mendelian result: prior vs posterior, the facts that moved it (each
/// measured by leaving it out), parameters and references.
pub fn mendelian(i: MendelianInput<'_>) -> Explanation {
    let population = i.ped.members[i.center].population.as_deref();
    let mut e = base(i.def, i.catalog, population, i.horizon);
    let with = i.full.carrier_probability;
    let prior = i.full.prior_carrier_probability;
    let measure = "carrier probability".to_string();
    let mut facts = Vec::new();
    for g in groups(i.ped, i.center, i.evidence, i.relatives, i.def, i.catalog) {
        let opts = Options {
            horizon: i.horizon,
            members: Some(vec![i.center]),
            ignore_evidence_of: g.members.clone(),
            with_prior: false,
            ..Options::default()
        };
        // Leaving evidence out can only make the rest more plausible, never impossible; an error
        // here (a limit) just drops this line of the explanation.
        let Ok(a) = mendelian::assess(i.ped, i.def, i.catalog, &opts) else { continue };
        let Some(m) = a.member(i.center) else { continue };
        let without = m.carrier_probability;
        if (with - without).abs() >= MIN_EFFECT {
            facts.push(FactEffect {
                people: g.members.iter().map(|&x| i.ped.members[x].id.clone()).collect(),
                description: g.description,
                measure: measure.clone(),
                without: Some(without),
                with: Some(with),
            });
        }
    }
    let effect = |f: &FactEffect| (f.with.unwrap_or(0.0) - f.without.unwrap_or(0.0)).abs();
    facts.sort_by(|a, b| effect(b).total_cmp(&effect(a)));
    facts.truncate(MAX_FACTS);
    let carrier_word = match i.def.inheritance {
        kinvault_catalog::Inheritance::AutosomalRecessive | kinvault_catalog::Inheritance::XLinkedRecessive => {
            "carrier probability"
        }
        _ => "probability of carrying a pathogenic variant",
    };
    let mut summary = format!(
        "{}: {carrier_word} {}{}.",
        i.def.name,
        percent(with),
        prior.map(|p| format!(" (before any family facts: {})", percent(p))).unwrap_or_default()
    );
    if let Some(top) = facts.first() {
        summary.push_str(&format!(
            " Moved most by {}: {} → {}.",
            top.description,
            percent(top.without.unwrap_or(f64::NAN)),
            percent(top.with.unwrap_or(f64::NAN))
        ));
    } else if i.evidence.is_empty() {
        summary.push_str(" No one in the family has a recorded status or test for it: this is the population prior.");
    }
    summary.push_str(&format!(
        " Model: {}, exact Bayesian calculation over {} relatives.",
        model_words(i.def),
        i.complexity.variables
    ));
    if i.haldane {
        e.notes.push(
            "Founders' genotypes at mutation–selection equilibrium (Haldane 1935): a third of affected males carry a \
             new mutation."
                .into(),
        );
    }
    e.notes.push(
        "A recorded status is read as known up to the person's current age (or age at death); relatives without a \
         status or test add only their place in the family."
            .into(),
    );
    if i.def.penetrance.iter().any(|p| p.lifetime_only) {
        e.notes.push(
            "The catalog gives this condition's penetrance as a lifetime figure without an age pattern, so recorded \
             \"unaffected\" statuses are not used (an unaffected 30-year-old may still develop it)."
                .into(),
        );
    }
    e.summary = summary;
    e.facts = facts;
    e
}

/// The explanation of a Scheuner stratum.
pub fn stratified(s: &ConditionStratum, def: &ConditionDef, population: Option<&str>, sex: Sex) -> Explanation {
    let mut facts = Vec::new();
    for hit in &s.rules {
        let people: Vec<String> = hit.evidence.iter().map(|ev| ev.member.id.clone()).collect();
        let who: Vec<String> = hit
            .evidence
            .iter()
            .map(|ev| {
                let onset = ev.onset.map(|o| format!(" at {}", age_text(o.min))).unwrap_or_default();
                format!("{}{onset}", ev.member.relation)
            })
            .collect();
        let description = if who.is_empty() { hit.text.clone() } else { format!("{} ({})", hit.text, who.join(", ")) };
        facts.push(FactEffect { people, description, measure: "familial risk".into(), without: None, with: None });
    }
    let mut parameters = Vec::new();
    for p in &s.premature_onset {
        parameters.push(ModelParameter {
            name: format!("premature onset ({} relatives)", format!("{:?}", p.sex).to_lowercase()),
            value: format!("{} {}", if p.inclusive { "≤" } else { "<" }, age_text(p.age)),
            reference: Some(p.reference.clone()),
        });
    }
    if let Some(l) = def.lifetime_risk_for(population.unwrap_or(""), sex) {
        parameters.push(ModelParameter {
            name: format!("population lifetime risk ({})", l.label),
            value: percent(l.value),
            reference: Some(l.reference.clone()),
        });
    }
    let level = format!("{:?}", s.stratum).to_lowercase();
    let summary = match s.rules.first() {
        Some(hit) => format!("{}: {level} familial risk — {}. Next step: {}", s.name, hit.text, s.next_step.text),
        None => format!("{}: {level} familial risk (no rule of Scheuner 1997 applies). {}", s.name, s.next_step.text),
    };
    let mut references = s.references.clone();
    for r in &s.next_step.references {
        if !references.iter().any(|x| x.id == r.id) {
            references.push(r.clone());
        }
    }
    for r in &def.references {
        if !references.iter().any(|x| x.id == r.id) {
            references.push(r.clone());
        }
    }
    Explanation { summary, facts, parameters, references, notes: s.notes.clone() }
}

/// A multifactorial condition outside the stratified set.
pub fn not_modelled(def: &ConditionDef) -> Explanation {
    Explanation {
        summary: format!(
            "{}: multifactorial, and not among the conditions the family-history stratification covers; no risk is computed.",
            def.name
        ),
        references: def.references.clone(),
        ..Explanation::default()
    }
}

/// The pedigree holding both partners of a couple.
pub struct Merged {
    pub ped: Pedigree,
    pub a: Ix,
    pub b: Ix,
    pub graph_ix: Vec<PersonIx>,
}

/// The pedigrees around `a` and around `b`, merged (the people they share once).
pub fn couple_pedigree(vault: &Vault, graph: &FamilyGraph, catalog: &Catalog, a: Uuid, b: Uuid) -> Result<Merged> {
    let year = crate::clock::this_year();
    let scope = RiskScope::default();
    let ea = scope::extract(vault, graph, catalog, a, &scope, year)?;
    let mut ped = ea.pedigree;
    let mut graph_ix = ea.graph_ix;
    let mut index: HashMap<PersonIx, Ix> = graph_ix.iter().enumerate().map(|(i, &g)| (g, i)).collect();
    let gb =
        graph.index_of(b).ok_or_else(|| crate::ApiError::new(crate::ErrorKind::NotFound, "person not in the graph"))?;
    if !index.contains_key(&gb) {
        let eb = scope::extract(vault, graph, catalog, b, &scope, year)?;
        let offset_map: Vec<Option<Ix>> = eb.graph_ix.iter().map(|g| index.get(g).copied()).collect();
        let mut new_ix = Vec::with_capacity(eb.graph_ix.len());
        for (k, g) in eb.graph_ix.iter().enumerate() {
            new_ix.push(match offset_map[k] {
                Some(i) => i,
                None => {
                    let i = ped.members.len();
                    ped.members.push(eb.pedigree.members[k].clone());
                    graph_ix.push(*g);
                    index.insert(*g, i);
                    i
                }
            });
        }
        // Remap the added members' parents; MZ set numbers apart from the first pedigree's.
        let base_set = ped.members.iter().filter_map(|m| m.mz_twin_set).max().map_or(0, |s| s + 1);
        for (k, _) in eb.graph_ix.iter().enumerate() {
            if offset_map[k].is_some() {
                continue;
            }
            let i = new_ix[k];
            let m = &mut ped.members[i];
            m.father = eb.pedigree.members[k].father.map(|f| new_ix[f]);
            m.mother = eb.pedigree.members[k].mother.map(|f| new_ix[f]);
            m.mz_twin_set = m.mz_twin_set.map(|s| s + base_set);
        }
    }
    let ib = index[&gb];
    Ok(Merged { ped, a: 0, b: ib, graph_ix })
}

/// The explanation of a couple's risk to a child.
pub fn couple(
    def: &ConditionDef,
    catalog: &Catalog,
    ped: &Pedigree,
    (father, mother): (Ix, Ix),
    phi: &kinvault_pedigree::Dyadic,
    r: &CoupleRisk,
    horizon: f64,
) -> Explanation {
    let population = ped.members[father].population.as_deref().or(ped.members[mother].population.as_deref());
    let mut e = base(def, catalog, population, horizon);
    let evidence = (0..ped.len()).filter(|&m| has_evidence(ped, m, def)).count();
    e.summary = format!(
        "{}: a son would be affected with probability {}, a daughter {} ({} carrier). Parents' kinship φ = {}{}; {} \
         relatives' records used. Model: {}, exact calculation with the prospective child added to the pedigree.",
        def.name,
        percent(r.son.lifetime_risk),
        percent(r.daughter.lifetime_risk),
        percent(r.daughter.carrier_probability),
        phi,
        if phi.to_f64() > 0.0 {
            " (related: the child's inbreeding coefficient F equals φ)"
        } else {
            " (unrelated as recorded)"
        },
        evidence,
        model_words(def),
    );
    e
}

#[cfg(test)]
mod tests {
    use super::percent;

    #[test]
    fn percentages_read_like_a_counsellor_writes_them() {
        // The same cases as ui/src/lib/risk.test.ts (the UI's port must print the same text).
        for (p, text) in [
            (1.0, "100%"),
            (0.99999, ">99.99%"),
            (0.9996, "99.96%"),
            (0.995, "99.50%"),
            (2.0 / 3.0, "67%"),
            (0.04, "4.0%"),
            (0.0012, "0.12%"),
            (0.0009999, "1 in 1,000"),
            (4e-5, "1 in 25,000"),
            (0.0, "0%"),
            (f64::NAN, "—"),
        ] {
            assert_eq!(percent(p), text, "{p}");
        }
    }
}
