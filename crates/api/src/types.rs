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
