//! Kinvault's use cases: the one API that the desktop shell, the `kinvault` CLI, the tests and
//! (later) the server call. A feature exists here once; shells only translate.
//!
//! - Free functions in [`people`], [`vault_ops`], [`transfer`] (GEDCOM import/export) and
//!   [`clinical`] (health records, the condition catalog, PED/FHIR/CanRisk/MFHP files) work
//!   on an unlocked [`Vault`].
//! - [`graph`]: the family graph — how two people are related, kinship and inbreeding,
//!   ancestor/descendant charts — on a graph loaded from the vault.
//! - [`history`]: the family health questionnaire around a proband (relatives and their
//!   conditions in one form, saved in one transaction).
//! - [`share`]: encrypted shares for a clinician (age: X25519 keys or a passphrase) holding the
//!   FHIR/GA4GH bundles and the clinician report, made from a vault and opened read-only.
//! - [`sync`]: end-to-end-encrypted sync through the platform API (crates/sync): set up,
//!   sync now, status, conflicts for review. The app's only network access, off until asked.
//! - [`diagnostics`]: memory of this process and its webviews, the memory alert, a vault file
//!   examined without unlocking, and the diagnostics bundle (numbers only: no names, ids or paths).
//! - [`App`] adds the desktop session: which vault is open, idle lock, recent vaults.
//! - Request/response types derive `ts_rs::TS`; `gen-bindings` writes them to `ui/src/bindings`.

pub mod app;
pub mod clinical;
mod clock;
pub mod diagnostics;
pub mod error;
pub mod families;
pub mod graph;
pub mod history;
pub mod pedigree_drawing;
pub mod people;
pub mod report;
pub mod risk;
pub mod settings;
pub mod share;
pub mod sync;
pub mod transfer;
pub mod types;
pub mod vault_ops;

pub use app::App;
pub use error::{ApiError, ErrorKind};
pub use kinvault_catalog as catalog;
pub use kinvault_model as model;
pub use kinvault_pedigree as pedigree;
pub use kinvault_vault::{data_dir, default_vault_path, KdfParams, RecoveryKey, Vault};
pub use transfer::{NoProgress, Progress};
pub use types::*;
pub use uuid::Uuid;

pub type Result<T, E = ApiError> = std::result::Result<T, E>;
