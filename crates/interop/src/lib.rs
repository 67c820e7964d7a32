//! File formats ⇄ the Kinvault model. No storage: callers stream records in from a reader and
//! out to a vault (import), or from a vault to a writer (export).
//!
//! - [`gedcom`]: GEDCOM 5.5–7.0 (via `kinvault-gedcom`) ⇄ people, families, sources and raw
//!   records. Mapping rules, privacy rules and extension tags: `docs/gedcom.md` and
//!   `docs/gedcom-extensions.md`.
//! - The clinical pedigree formats, each a pair of pure functions over a [`FamilySnapshot`] (export)
//!   and an [`ImportedFamily`] (import), sharing [`FormatError`]/[`FormatWarning`] (see
//!   [`family`]); mapping rules and losses in `docs/interop.md`:
//!   - [`ped`]: PED / PLINK `.fam` with one catalog condition as the phenotype.
//!   - [`fhir`]: HL7 FHIR R4 JSON, the family-history Bundle (Patient + FamilyMemberHistory with
//!     v3 RoleCodes) and the GA4GH Pedigree IG Bundle (Composition + Patient + KIN-coded links).
//!   - [`canrisk`]: CanRisk v4 pedigree files (BOADICEA / pedigreejs): cancers with ages at
//!     diagnosis, gene test results.
//!   - [`mfhp`]: My Family Health Portrait saved files (HL7 v3 FamilyHistory XML and the tool's
//!     JSON), import only.

pub mod canrisk;
pub mod family;
pub mod fhir;
pub mod gedcom;
pub mod mfhp;
pub mod ped;

pub use canrisk::{export_canrisk, import_canrisk, CanRiskExportOptions};
pub use family::{sniff, Exported, FamilySnapshot, Format, FormatError, FormatWarning, ImportedFamily, Location};
pub use fhir::{export_fhir, export_ga4gh_pedigree, import_fhir, FhirExportOptions};
pub use mfhp::import_mfhp;
pub use ped::{export_ped, import_ped, MissingPhenotype, PedExportOptions, PedImportOptions};
