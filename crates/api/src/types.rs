//! Request and response types shared by every shell (and, through ts-rs, the web UI).

use kinvault_model::Sex;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AppInfo {
    pub version: String,
    /// Where a new vault goes unless the user picks another place.
    pub default_vault_path: Option<String>,
    pub recent_vaults: Vec<RecentVault>,
    pub idle_lock_seconds: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RecentVault {
    pub path: String,
    /// Unix milliseconds of the last successful unlock.
    #[ts(type = "number")]
    pub last_opened: i64,
    /// Whether the file is still there (a moved or deleted vault stays listed, greyed out).
    pub exists: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CreateVaultRequest {
    pub path: String,
    pub passphrase: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct OpenVaultRequest {
    pub path: String,
    pub passphrase: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RecoverVaultRequest {
    pub path: String,
    pub recovery_key: String,
    pub new_passphrase: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ChangePassphraseRequest {
    pub current_passphrase: String,
    pub new_passphrase: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct VaultStats {
    pub individuals: u32,
    pub families: u32,
    pub sources: u32,
    /// Imported records kept verbatim (repositories, submitters, shared notes, vendor records).
    pub other_records: u32,
    pub conditions: u32,
    pub genetic_tests: u32,
    pub probands: u32,
    pub changes: u32,
    pub schema_version: u32,
    #[ts(type = "number")]
    pub file_bytes: u64,
}

impl From<kinvault_vault::Stats> for VaultStats {
    fn from(s: kinvault_vault::Stats) -> Self {
        let n = |v: u64| u32::try_from(v).unwrap_or(u32::MAX);
        VaultStats {
            individuals: n(s.individuals),
            families: n(s.families),
            sources: n(s.sources),
            other_records: n(s.raw_records),
            conditions: n(s.conditions),
            genetic_tests: n(s.genetic_tests),
            probands: n(s.probands),
            changes: n(s.changes),
            schema_version: s.schema_version,
            file_bytes: s.file_bytes,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct VaultInfo {
    pub path: String,
    pub id: String,
    pub stats: VaultStats,
}

/// Returned once, when a vault is created: the recovery key is never shown again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CreatedVault {
    pub vault: VaultInfo,
    pub recovery_key: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct VaultStatus {
    pub unlocked: bool,
    pub path: Option<String>,
    pub idle_lock_seconds: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct IntegrityReport {
    pub ok: bool,
    pub problems: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
pub struct NewPerson {
    pub given: String,
    pub surname: String,
    pub sex: Sex,
    /// GEDCOM-style date text ("10 DEC 1815", "ABT 1850"); empty or absent for none.
    #[serde(default)]
    pub birth: Option<String>,
    #[serde(default)]
    pub death: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
pub struct PeopleQuery {
    /// Words that must all occur in a name or xref (case-insensitive).
    #[serde(default)]
    pub search: Option<String>,
    #[serde(default)]
    pub offset: u32,
    /// At most 1000; 0 means the default of 100.
    #[serde(default)]
    pub limit: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PersonSummary {
    pub id: String,
    pub xref: Option<String>,
    pub given: String,
    pub surname: String,
    pub display_name: String,
    pub sex: Sex,
    pub birth_year: Option<i32>,
    pub death_year: Option<i32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PeoplePage {
    pub total: u32,
    pub offset: u32,
    pub items: Vec<PersonSummary>,
}

/// Something in an imported file that was not taken as it was; the import went on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ImportWarning {
    /// 1-based line in the file, when the warning is about one place.
    pub line: Option<u32>,
    pub message: String,
}

/// What an import brought into the vault.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ImportReport {
    /// `gedcom` or `gedzip`.
    pub format: String,
    /// The GEDCOM version the file was read as (`5.5.1`, `7.0`...).
    pub version: String,
    /// The character encoding it was read in (`UTF-8`, `ANSEL`, `windows-1252`...).
    pub encoding: String,
    pub individuals: u32,
    pub families: u32,
    pub sources: u32,
    /// Media references and media records (the references are kept; see `media_files`).
    pub media: u32,
    /// Media files from a GEDZIP archive stored in the vault (encrypted like everything else).
    pub media_files: u32,
    /// Records kept verbatim: repositories, submitters, shared notes, media, vendor records.
    pub other_records: u32,
    /// Health observations derived from the file (causes of death, medical facts), marked
    /// "imported from GEDCOM, unverified".
    pub health_observations: u32,
    /// In file order; at most [`crate::transfer::MAX_WARNINGS`] (the last one then says how
    /// many more there were).
    pub warnings: Vec<ImportWarning>,
}

/// The file formats the vault can be exported to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
pub enum ExportFormat {
    /// GEDCOM 5.5.1 (UTF-8), what most genealogy programs read.
    #[serde(rename = "gedcom-5.5.1")]
    Gedcom551,
    /// GEDCOM 7.0.
    #[serde(rename = "gedcom-7")]
    Gedcom7,
    /// GEDZIP: GEDCOM 7.0 in a zip archive, with the stored media files the export refers to.
    #[serde(rename = "gedzip")]
    Gedzip,
}

impl ExportFormat {
    pub fn name(self) -> &'static str {
        match self {
            ExportFormat::Gedcom551 => "gedcom-5.5.1",
            ExportFormat::Gedcom7 => "gedcom-7",
            ExportFormat::Gedzip => "gedzip",
        }
    }
}

/// Private by default: living people and health data leave only when asked for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ExportRequest {
    /// The file to write (replaced if it exists).
    pub path: String,
    pub format: ExportFormat,
    /// Include people who may be living (no death recorded and born less than 110 years ago).
    #[serde(default)]
    pub include_living: bool,
    /// Include conditions, genetic tests, causes of death and medical facts.
    #[serde(default)]
    pub include_health: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ExportReport {
    pub path: String,
    pub format: ExportFormat,
    pub individuals: u32,
    pub families: u32,
    pub sources: u32,
    pub other_records: u32,
    pub media: u32,
    /// People left out because they may be living.
    pub living_excluded: u32,
    /// Health items left out (conditions, genetic tests, medical facts).
    pub health_excluded: u32,
    /// Records left out because only people left out point at them (their shared notes, media).
    pub records_excluded: u32,
    /// Media files written into a GEDZIP archive.
    pub media_files: u32,
    #[ts(type = "number")]
    pub bytes: u64,
}

/// Which part of a long operation is running.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ProgressPhase {
    /// First pass over the file (done/total in bytes).
    Reading,
    /// Records mapped and stored (done/total in records).
    Importing,
    /// GEDZIP media files stored (done/total in files).
    Media,
    /// Final checks inside the import transaction.
    Checking,
    /// First pass over the vault (done/total in records).
    Scanning,
    /// Records written (done/total in records).
    Exporting,
}

/// A progress report, as shells pass it on (e.g. a Tauri event payload).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ProgressEvent {
    pub phase: ProgressPhase,
    #[ts(type = "number")]
    pub done: u64,
    #[ts(type = "number")]
    pub total: u64,
}
