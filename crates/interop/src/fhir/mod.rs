//! HL7 FHIR R4 (JSON) ⇄ model, in two forms:
//!
//! - **Family history** ([`export_fhir`]): a `collection` Bundle with the proband's `Patient`
//!   (and `Condition`s) and one `FamilyMemberHistory` per relative, its `relationship` a
//!   v3 RoleCode derived from the pedigree (MTH, PGRFTH, MAUNT, NSIS, HBRO...; `EXT`/`FAMMEMB`
//!   when no code fits), with sex, age or birth date, deceased (boolean, age or date) and
//!   `condition[]` (SNOMED CT / ICD-10 codes, onset age, `contributedToDeath` + outcome for the
//!   cause of death).
//! - **GA4GH Pedigree IG** ([`export_ga4gh_pedigree`], <http://purl.org/ga4gh/pedigree-fhir-ig>):
//!   a `collection` Bundle whose first entry is the `Pedigree` Composition (sections proband,
//!   reason, individuals, relationships, other), a `PedigreeIndividual` Patient for everyone,
//!   a `Condition` per observation, and a `PedigreeRelationship` FamilyMemberHistory per link
//!   (patient = the individual, `familymemberhistory-patient-record` extension = the relative,
//!   `relationship` = what the relative is to the individual, a KIN code).
//!
//! [`import_fhir`] reads either (a Bundle with a Composition or with patient-record extensions
//! is the GA4GH form). Mapping and what is lost: `docs/interop.md`.

mod codes;
mod export;
mod import;
pub(crate) mod json;

pub use export::{export_fhir, export_ga4gh_pedigree, FhirExportOptions};
pub use import::import_fhir;
