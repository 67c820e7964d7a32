//! What a report prints: neutral, already-worded data. The API layer builds a [`ReportData`] from
//! the vault, the pedigree drawing and the risk engine; this crate only lays it out. Every string
//! is printed as text (escaped in HTML), except [`ReportData::pedigree_svg`], which is inlined.

use kinvault_model::{Provenance, Sex};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Everything one clinician report contains.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
pub struct ReportData {
    /// The document title ("Family history and genetic risk report").
    pub title: String,
    /// When the report was made, ISO 8601 as given by the caller: `2025-03-14T10:22:05Z`,
    /// `2025-03-14T10:22+01:00`, `2025-03-14T10:22:05` (no offset) or `2025-03-14`. Printed in
    /// the header; the PDF's creation date is taken from it (see [`crate::to_pdf`]).
    pub generated_at: String,
    pub vault_id: String,
    /// The condition catalog's version (which numbers the risks were computed with).
    pub catalog_version: String,
    /// The Kinvault version that made the report.
    pub app_version: String,
    pub proband: ReportProband,
    /// A complete SVG document (the pedigree drawing). Trusted: it is inlined as is into the
    /// HTML (its XML declaration and doctype removed) and converted to vector graphics in the
    /// PDF. Empty: the report says no drawing is included.
    #[serde(default)]
    pub pedigree_svg: String,
    #[serde(default)]
    pub pedigree_caption: String,
    #[serde(default)]
    pub relatives: Vec<RelativeRow>,
    #[serde(default)]
    pub risks: Vec<RiskSection>,
    /// Family-history stratification and criteria results (Amsterdam II, revised Bethesda...),
    /// one worded line each.
    #[serde(default)]
    pub family_history: Vec<String>,
    #[serde(default)]
    pub references: Vec<ReportReference>,
    #[serde(default)]
    pub provenance: ProvenanceSummary,
    #[serde(default)]
    pub privacy: NamePrivacy,
}

/// The person the report is about.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
pub struct ReportProband {
    /// The proband's name, or "Proband" when names are hidden.
    pub label: String,
    #[serde(default)]
    pub sex: Sex,
    /// Age in completed years, when known.
    #[serde(default)]
    pub age: Option<u32>,
    /// The proband's identifier (pedigree number or record id).
    pub id: String,
}

/// One relative, one row of the relatives table.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[ts(rename = "ReportRelativeRow")]
pub struct RelativeRow {
    /// The pedigree number ("II-3").
    pub number: String,
    /// Relationship to the proband ("mother", "maternal aunt").
    pub relation: String,
    /// None when names are hidden or unknown.
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub sex: Sex,
    /// Current age in completed years (living relatives).
    #[serde(default)]
    pub age: Option<u32>,
    #[serde(default)]
    pub deceased: bool,
    /// Age at death in completed years (deceased relatives), when known.
    #[serde(default)]
    pub age_at_death: Option<u32>,
    #[serde(default)]
    pub conditions: Vec<ReportCondition>,
    #[serde(default)]
    pub tests: Vec<ReportTest>,
}

/// A condition recorded for a relative.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
pub struct ReportCondition {
    /// "Breast cancer".
    pub label: String,
    /// Codes with their system, as printed: "SNOMED 254837009", "ICD-10 C50".
    #[serde(default)]
    pub codes: Vec<String>,
    /// Onset or diagnosis, worded ("45 y", "in her 40s").
    #[serde(default)]
    pub onset: Option<String>,
    /// "affected", "unaffected", "carrier", "suspected"...
    #[serde(default)]
    pub status: String,
    /// Printed as "self-reported", "reported by relative", "medical record" or
    /// "imported (GEDCOM), unverified".
    #[serde(default)]
    pub provenance: Provenance,
}

/// A genetic test result, worded by the caller.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
pub struct ReportTest {
    /// "BRCA1".
    pub gene: String,
    /// "c.68_69del (p.Glu23fs)".
    #[serde(default)]
    pub variant: Option<String>,
    /// "positive", "negative", "VUS"...
    #[serde(default)]
    pub result: String,
    /// ACMG class, worded ("pathogenic").
    #[serde(default)]
    pub acmg: Option<String>,
    #[serde(default)]
    pub lab: Option<String>,
    #[serde(default)]
    pub date: Option<String>,
}

/// The assessment of one condition, as the risk engine explained it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[ts(rename = "ReportRiskSection")]
pub struct RiskSection {
    pub condition: String,
    /// The model in words ("Autosomal recessive, exact Bayesian calculation over the pedigree").
    pub model: String,
    /// The main result ("Carrier probability 67% (population 4.0%)").
    pub headline: String,
    /// Family-history category ("high", "moderate", "average") for multifactorial conditions.
    #[serde(default)]
    pub category: Option<String>,
    #[serde(default)]
    pub summary: String,
    /// What moved the number.
    #[serde(default)]
    pub facts: Vec<RiskFact>,
    /// Each catalog number used.
    #[serde(default)]
    pub parameters: Vec<RiskParameter>,
    #[serde(default)]
    pub notes: Vec<String>,
}

/// One fact that changed a risk: the result without it and with it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[ts(rename = "ReportRiskFact")]
pub struct RiskFact {
    pub description: String,
    #[serde(default)]
    pub without: Option<String>,
    #[serde(default)]
    pub with: Option<String>,
}

/// One catalog number a risk was computed with, and where it comes from.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[ts(rename = "ReportRiskParameter")]
pub struct RiskParameter {
    pub name: String,
    pub value: String,
    /// A [`ReportReference::id`].
    #[serde(default)]
    pub reference: Option<String>,
}

/// A cited source.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
pub struct ReportReference {
    /// The id parameters cite ("scheuner1997").
    pub id: String,
    pub citation: String,
    #[serde(default)]
    pub year: Option<u32>,
    /// Printed; in the HTML a link only when it is http(s).
    #[serde(default)]
    pub url: Option<String>,
}

/// How many of the facts the report rests on came from where.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(rename = "ReportProvenanceSummary")]
pub struct ProvenanceSummary {
    #[serde(default)]
    pub self_reported: u32,
    #[serde(default)]
    pub reported_by_relative: u32,
    #[serde(default)]
    pub medical_record: u32,
    /// Imported from a file and not verified since.
    #[serde(default)]
    pub imported: u32,
    /// One worded sentence ("Most facts are self-reported; 3 are confirmed by medical records.").
    #[serde(default)]
    pub sentence: String,
}

/// Whether names were printed. The caller removes the names when they are hidden; the report
/// only says so.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(rename = "ReportNamePrivacy")]
pub enum NamePrivacy {
    #[default]
    NamesShown,
    NamesHidden,
}
