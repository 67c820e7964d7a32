//! Health records: condition observations, vital status, genetic test results.

use crate::GDate;
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum CodeSystem {
    /// SNOMED CT (`http://snomed.info/sct`).
    Snomed,
    /// ICD-10 / ICD-10-CM.
    Icd10,
    Omim,
    Mondo,
    /// HPO phenotype terms.
    Hpo,
    /// The Kinvault condition catalog slug (e.g. `cystic-fibrosis`).
    Kinvault,
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Code {
    pub system: CodeSystem,
    pub code: String,
    pub display: String,
}

impl Code {
    pub fn new(system: CodeSystem, code: &str, display: &str) -> Self {
        Code { system, code: code.to_string(), display: display.to_string() }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ConditionStatus {
    Affected,
    Unaffected,
    #[default]
    Unknown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Certainty {
    Confirmed,
    Probable,
    Possible,
    #[default]
    Unknown,
}

/// Where a fact came from; clinicians weigh a record above hearsay.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Provenance {
    #[default]
    SelfReported,
    ReportedByRelative,
    MedicalRecord,
    /// Brought in from a file (GEDCOM, FHIR, PED...); unverified until someone checks it.
    Imported {
        format: String,
    },
}

/// An age in years, possibly a range ("in her 40s" = 40..=49). Fractions allowed.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, TS)]
pub struct AgeRange {
    pub min: f64,
    pub max: f64,
}

impl AgeRange {
    pub fn exact(age: f64) -> Self {
        AgeRange { min: age, max: age }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ConditionObservation {
    pub id: Uuid,
    /// Coded form when known (catalog slug, SNOMED CT, ICD-10...).
    #[serde(default)]
    pub code: Option<Code>,
    /// What the person or record calls it.
    pub label: String,
    pub status: ConditionStatus,
    #[serde(default)]
    pub onset: Option<AgeRange>,
    #[serde(default)]
    pub certainty: Certainty,
    #[serde(default)]
    pub provenance: Provenance,
    #[serde(default)]
    pub note: Option<String>,
    /// Substructures of the imported structure this observation came from that it does not
    /// map (e.g. the `DATE` and `PLAC` of a GEDCOM `_MDCL`), written back on export.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[ts(optional, as = "Option<Vec<crate::RawStructure>>")]
    pub unmapped: Vec<crate::RawStructure>,
}

impl ConditionObservation {
    pub fn new(code: Option<Code>, label: &str, status: ConditionStatus) -> Self {
        ConditionObservation {
            id: crate::new_id(),
            code,
            label: label.to_string(),
            status,
            onset: None,
            certainty: Certainty::Unknown,
            provenance: Provenance::SelfReported,
            note: None,
            unmapped: Vec::new(),
        }
    }
}

/// Alive or not, with what is known about the death.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case", tag = "status")]
pub enum VitalStatus {
    Alive {
        /// Age at the last time the status was known (for risk "unaffected at age t").
        #[serde(default)]
        age: Option<f64>,
    },
    Deceased {
        #[serde(default)]
        age: Option<f64>,
        #[serde(default)]
        date: Option<GDate>,
        #[serde(default)]
        cause: Option<String>,
    },
    #[default]
    Unknown,
}

/// ACMG/AMP 2015 five-tier variant classification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum AcmgClass {
    Pathogenic,
    LikelyPathogenic,
    UncertainSignificance,
    LikelyBenign,
    Benign,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum TestResult {
    Positive,
    Negative,
    Vus,
    Inconclusive,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct GeneticTest {
    pub id: Uuid,
    pub gene: String,
    /// HGVS notation, e.g. `NM_000492.4:c.1521_1523del`.
    #[serde(default)]
    pub variant: Option<String>,
    #[serde(default)]
    pub acmg_class: Option<AcmgClass>,
    pub result: TestResult,
    /// e.g. "NGS panel", "targeted familial variant", "MLPA".
    #[serde(default)]
    pub method: Option<String>,
    /// Probability the test detects a pathogenic variant that is present (0–1).
    #[serde(default)]
    pub sensitivity: Option<f64>,
    #[serde(default)]
    pub lab: Option<String>,
    #[serde(default)]
    pub date: Option<GDate>,
    #[serde(default)]
    pub provenance: Provenance,
}
