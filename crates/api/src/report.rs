//! The clinician report of a proband: the NSGC pedigree, a table of the relatives drawn with
//! their coded conditions and test results, the risk results with their explanations and
//! references, the family-history criteria, where the facts came from, the date and the vault
//! id — assembled here from the vault and laid out by `kinvault-report` as HTML or PDF, locally.

use crate::pedigree_drawing::{self, PedigreeRequest};
use crate::risk::{self, explain::percent, RiskModel, RiskReport, RiskRequest};
use crate::{graph, Result};
use kinvault_catalog::Catalog;
use kinvault_model::{
    AcmgClass, Certainty, CodeSystem, ConditionObservation, ConditionStatus, Person, Provenance, TestResult,
    VitalStatus,
};
use kinvault_pedigree::FamilyGraph;
use kinvault_report::{
    NamePrivacy, ProvenanceSummary, RelativeRow, ReportCondition, ReportData, ReportProband, ReportReference,
    ReportTest, RiskFact, RiskParameter, RiskSection,
};
use kinvault_risk::stratify::{CriterionStatus, Stratum};
use kinvault_vault::Vault;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use ts_rs::TS;
use uuid::Uuid;

/// What the report covers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ReportRequest {
    /// The proband (id or GEDCOM xref).
    pub proband: String,
    /// Generations up and down drawn and listed (default 3; `Some(0)`: everyone by blood).
    #[serde(default)]
    pub generations: Option<u32>,
    /// Conditions shaded and assessed in detail (catalog ids); empty: the notable ones (a
    /// family fact, an elevated risk, a familial risk above average).
    #[serde(default)]
    pub conditions: Vec<String>,
    /// Names in the drawing and the tables (off: "Proband", relations and numbers only).
    #[serde(default = "yes")]
    pub names: bool,
}

fn yes() -> bool {
    true
}

/// The file formats of the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ReportFormat {
    Pdf,
    Html,
}

/// A rendered report for the desktop app to save (bytes as base64).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ReportFile {
    pub file_name: String,
    pub base64: String,
}

fn code_text(system: CodeSystem, code: &str) -> Option<String> {
    let s = match system {
        CodeSystem::Snomed => "SNOMED",
        CodeSystem::Icd10 => "ICD-10",
        CodeSystem::Omim => "OMIM",
        CodeSystem::Mondo => return Some(code.to_string()),
        CodeSystem::Hpo => "HPO",
        CodeSystem::Kinvault | CodeSystem::Other => return None,
    };
    Some(format!("{s} {code}"))
}

fn age_words(min: f64, max: f64) -> String {
    if min == max {
        format!("{} y", min.round())
    } else {
        format!("{}–{} y", min.round(), max.round())
    }
}

/// A condition as the report words it: catalog name, codes, onset, status.
pub(crate) fn condition_row(o: &ConditionObservation, catalog: &Catalog) -> ReportCondition {
    let def = catalog.link(o);
    let mut codes: Vec<String> = Vec::new();
    if let Some(c) = &o.code {
        codes.extend(code_text(c.system, &c.code));
    }
    if let Some(d) = def {
        for sys in [CodeSystem::Snomed, CodeSystem::Icd10] {
            if let Some(c) = d.preferred_code(sys) {
                let t = code_text(sys, &c.code).unwrap_or_default();
                if !codes.contains(&t) {
                    codes.push(t);
                }
            }
        }
    }
    let status = match (o.status, o.certainty) {
        (ConditionStatus::Affected, Certainty::Probable | Certainty::Possible) => "suspected",
        (ConditionStatus::Affected, _) => "affected",
        (ConditionStatus::Unaffected, _) => "unaffected",
        (ConditionStatus::Unknown, _) => "unknown",
    };
    ReportCondition {
        label: def.map(|d| d.name.clone()).unwrap_or_else(|| o.label.clone()),
        codes,
        onset: o.onset.map(|r| age_words(r.min, r.max)),
        status: status.into(),
        provenance: o.provenance.clone(),
    }
}

/// A genetic test result as the report words it.
pub(crate) fn test_row(t: &kinvault_model::GeneticTest) -> ReportTest {
    ReportTest {
        gene: t.gene.clone(),
        variant: t.variant.clone(),
        result: match t.result {
            TestResult::Positive => "positive",
            TestResult::Negative => "negative",
            TestResult::Vus => "VUS",
            TestResult::Inconclusive => "inconclusive",
        }
        .into(),
        acmg: t.acmg_class.map(|a| {
            match a {
                AcmgClass::Pathogenic => "pathogenic",
                AcmgClass::LikelyPathogenic => "likely pathogenic",
                AcmgClass::UncertainSignificance => "uncertain significance",
                AcmgClass::LikelyBenign => "likely benign",
                AcmgClass::Benign => "benign",
            }
            .into()
        }),
        lab: t.lab.clone(),
        date: t.date.as_ref().map(|d| d.original.clone()),
    }
}

fn model_words(m: RiskModel) -> &'static str {
    match m {
        RiskModel::MendelianAutosomalDominant => "Autosomal dominant — exact Bayesian calculation over the pedigree",
        RiskModel::MendelianAutosomalRecessive => "Autosomal recessive — exact Bayesian calculation over the pedigree",
        RiskModel::MendelianXLinkedRecessive => "X-linked recessive — exact Bayesian calculation over the pedigree",
        RiskModel::MendelianXLinkedDominant => "X-linked dominant — exact Bayesian calculation over the pedigree",
        RiskModel::FamilyHistoryScheuner1997 => "Family-history stratification (Scheuner et al. 1997)",
        RiskModel::NotModelled => "Multifactorial — not modelled",
    }
}

/// Conditions worth a section: asked for, or with a family fact, an error, an elevated Mendelian
/// risk or a familial risk above average.
fn notable(c: &risk::ConditionRisk, asked: &[String]) -> bool {
    if !asked.is_empty() {
        return asked.contains(&c.condition);
    }
    let elevated = c.carrier_probability.zip(c.prior_carrier_probability).is_some_and(|(p, q)| p > 2.0 * q && p > 0.01);
    c.family_evidence || c.error.is_some() || elevated || c.category.is_some_and(|s| s > Stratum::Average)
}

fn risk_sections(
    report: &RiskReport,
    asked: &[String],
    refs: &mut BTreeMap<String, ReportReference>,
) -> Vec<RiskSection> {
    let mut out = Vec::new();
    for c in report.conditions.iter().filter(|c| notable(c, asked)) {
        let headline = match (&c.error, c.category, c.carrier_probability) {
            (Some(e), _, _) => format!("Not assessed: {e}"),
            (None, Some(s), _) => format!("{s:?} familial risk"),
            (None, None, Some(p)) => {
                let prior =
                    c.prior_carrier_probability.map(|q| format!(" (population {})", percent(q))).unwrap_or_default();
                let affected = c
                    .affected_probability
                    .map(|a| format!("; affected by {}: {}", a.horizon, percent(a.by_horizon)))
                    .unwrap_or_default();
                format!("Carrier probability {}{prior}{affected}", percent(p))
            }
            (None, None, None) => "No number computed".into(),
        };
        for r in &c.explanation.references {
            refs.entry(r.id.clone()).or_insert_with(|| ReportReference {
                id: r.id.clone(),
                citation: r.citation.clone(),
                year: r.year.map(u32::from),
                url: r.url.clone(),
            });
        }
        out.push(RiskSection {
            condition: c.name.clone(),
            model: model_words(c.model).into(),
            headline,
            category: c.category.map(|s| format!("{s:?}").to_lowercase()),
            summary: c.explanation.summary.clone(),
            facts: c
                .explanation
                .facts
                .iter()
                .map(|f| RiskFact {
                    description: f.description.clone(),
                    without: f.without.map(percent),
                    with: f.with.map(percent),
                })
                .collect(),
            parameters: c
                .explanation
                .parameters
                .iter()
                .map(|p| RiskParameter { name: p.name.clone(), value: p.value.clone(), reference: p.reference.clone() })
                .collect(),
            notes: c.explanation.notes.clone(),
        });
    }
    out
}

fn family_history_lines(report: &RiskReport) -> Vec<String> {
    let mut out = Vec::new();
    for c in &report.family_history.conditions {
        let level = format!("{:?}", c.stratum).to_lowercase();
        match c.rules.first() {
            Some(rule) => {
                let who: Vec<String> = rule
                    .evidence
                    .iter()
                    .map(|e| match e.onset {
                        Some(o) => format!("{} at {}", e.member.relation, o.min.round()),
                        None => e.member.relation.clone(),
                    })
                    .collect();
                let who = if who.is_empty() { String::new() } else { format!(" ({})", who.join(", ")) };
                out.push(format!("{}: {level} familial risk — {}{who}. {}", c.name, rule.text, c.next_step.text));
            }
            None => out.push(format!("{}: {level} familial risk.", c.name)),
        }
    }
    let l = &report.family_history.lynch;
    for cr in [&l.amsterdam_ii, &l.revised_bethesda] {
        let status = match cr.status {
            CriterionStatus::Met => "met",
            CriterionStatus::MetPendingVerification => "met, pending verification",
            CriterionStatus::NotMet => "not met",
            CriterionStatus::NotApplicable => "not applicable",
            CriterionStatus::Unavailable => "cannot be evaluated",
        };
        let next = cr.next_step.as_ref().map(|n| format!(" {}", n.text)).unwrap_or_default();
        out.push(format!("{}: {status}.{next}", cr.name));
    }
    out
}

fn provenance(people: &[&Person]) -> ProvenanceSummary {
    let mut s = ProvenanceSummary::default();
    let facts = people
        .iter()
        .flat_map(|p| p.conditions.iter().map(|o| &o.provenance).chain(p.genetic_tests.iter().map(|t| &t.provenance)));
    for pv in facts {
        match pv {
            Provenance::SelfReported => s.self_reported += 1,
            Provenance::ReportedByRelative => s.reported_by_relative += 1,
            Provenance::MedicalRecord => s.medical_record += 1,
            Provenance::Imported { .. } => s.imported += 1,
        }
    }
    let total = s.self_reported + s.reported_by_relative + s.medical_record + s.imported;
    s.sentence = if total == 0 {
        "No health facts are recorded for the people in this report.".into()
    } else {
        format!(
            "{total} health facts: {} from medical records, {} self-reported, {} reported by a relative, {} imported from files and not verified.",
            s.medical_record, s.self_reported, s.reported_by_relative, s.imported
        )
    };
    s
}

/// Assembles the report's data for `req`.
pub fn build(vault: &Vault, graph: &FamilyGraph, req: &ReportRequest) -> Result<ReportData> {
    build_with_people(vault, graph, req).map(|(data, _)| data)
}

/// The report's data and the people it covers (the pedigree's selection: blood relatives within
/// the generations asked for, their partners, adopted and fostered children), in pedigree-number
/// order — the same selection a clinician share packs (`share::create_share`).
pub fn build_with_people(vault: &Vault, graph: &FamilyGraph, req: &ReportRequest) -> Result<(ReportData, Vec<Person>)> {
    let catalog = crate::clinical::vault_catalog(vault)?;
    let generations = match req.generations {
        None => Some(3),
        Some(0) => None,
        g => g,
    };
    let drawing = pedigree_drawing::pedigree(
        vault,
        graph,
        &PedigreeRequest {
            proband: req.proband.clone(),
            generations,
            conditions: req.conditions.clone(),
            names: req.names,
            ages: true,
            test_results: true,
            title: None,
        },
    )?;
    let center = graph::person_ref(vault, &req.proband)?;
    let risk = risk::person_risk(
        vault,
        graph,
        &RiskRequest { person: center.id.clone(), conditions: vec![], horizon: None, scope: None },
    )?;
    // Relatives in pedigree-number order (generation, then left to right).
    let mut numbered: Vec<(&String, &String)> = drawing.numbers.iter().collect();
    let key = |n: &str| {
        let (g, i) = n.split_once('-').unwrap_or((n, "0"));
        let roman = |r: &str| {
            r.chars()
                .map(|c| match c {
                    'I' => 1,
                    'V' => 5,
                    'X' => 10,
                    'L' => 50,
                    _ => 0,
                })
                .collect::<Vec<i32>>()
        };
        let v = roman(g);
        let gen: i32 = (0..v.len()).map(|k| if k + 1 < v.len() && v[k] < v[k + 1] { -v[k] } else { v[k] }).sum();
        (gen, i.parse::<u32>().unwrap_or(0))
    };
    numbered.sort_by_key(|(_, n)| key(n));
    let mut people: Vec<Person> = Vec::new();
    let mut rows = Vec::new();
    let year = crate::clock::this_year();
    for (id, number) in numbered {
        let Some(p) = Uuid::parse_str(id).ok().and_then(|u| vault.get_person(u).ok().flatten()) else { continue };
        let relation = if p.id.to_string() == center.id {
            "proband".to_string()
        } else {
            graph::relate(vault, graph, &center.id, id)
                .ok()
                .and_then(|r| r.relationships.first().map(|x| x.name.clone()))
                .unwrap_or_else(|| "not related by blood (partner)".into())
        };
        let deceased = matches!(p.vital_status, VitalStatus::Deceased { .. }) || p.death().is_some();
        let age = risk::scope::age_of(&p, year).map(|a| a.max(0.0).floor() as u32);
        rows.push(RelativeRow {
            number: number.clone(),
            relation,
            name: req.names.then(|| p.display_name()).filter(|n| !n.is_empty()),
            sex: p.sex,
            age: (!deceased).then_some(age).flatten(),
            deceased,
            age_at_death: deceased.then_some(age).flatten(),
            conditions: p.conditions.iter().map(|o| condition_row(o, &catalog)).collect(),
            tests: p.genetic_tests.iter().map(test_row).collect(),
        });
        people.push(p);
    }
    let mut refs = BTreeMap::new();
    let risks = risk_sections(&risk, &req.conditions, &mut refs);
    let proband_person = people.iter().find(|p| p.id.to_string() == center.id);
    let data = ReportData {
        title: "Family history and genetic risk report".into(),
        generated_at: crate::clock::now_iso(),
        vault_id: vault.id().to_string(),
        catalog_version: catalog.version().to_string(),
        app_version: env!("CARGO_PKG_VERSION").into(),
        proband: ReportProband {
            label: if req.names { center.display_name.clone() } else { "Proband".into() },
            sex: center.sex,
            age: proband_person.and_then(|p| risk::scope::age_of(p, year)).map(|a| a.max(0.0).floor() as u32),
            id: drawing.numbers.get(&center.id).cloned().unwrap_or_else(|| center.id.clone()),
        },
        pedigree_svg: drawing.svg,
        pedigree_caption: format!(
            "{} people in {} families{}; shaded: {}.",
            drawing.people,
            drawing.unions,
            if drawing.truncated { " (cut at the size limit)" } else { "" },
            if drawing.conditions.is_empty() {
                "none".to_string()
            } else {
                drawing
                    .conditions
                    .iter()
                    .map(|c| catalog.get(c).map_or(c.clone(), |d| d.name.clone()))
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        ),
        relatives: rows,
        risks,
        family_history: family_history_lines(&risk),
        references: refs.into_values().collect(),
        provenance: provenance(&people.iter().collect::<Vec<_>>()),
        privacy: if req.names { NamePrivacy::NamesShown } else { NamePrivacy::NamesHidden },
    };
    Ok((data, people))
}

/// The report as a file's bytes.
pub fn render(vault: &Vault, graph: &FamilyGraph, req: &ReportRequest, format: ReportFormat) -> Result<Vec<u8>> {
    render_data(&build(vault, graph, req)?, format)
}

/// Lays out assembled report data as a file's bytes.
pub fn render_data(data: &ReportData, format: ReportFormat) -> Result<Vec<u8>> {
    match format {
        ReportFormat::Html => Ok(kinvault_report::to_html(data).into_bytes()),
        ReportFormat::Pdf => kinvault_report::to_pdf(data)
            .map_err(|e| crate::ApiError::new(crate::ErrorKind::Internal, format!("the PDF could not be made: {e}"))),
    }
}
