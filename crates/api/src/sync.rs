//! Sync use cases (crates/sync does the work): set up (create or join an account), sync now,
//! status, conflicts for review, leave. The only place the app opens a network connection, and
//! only when the user asked for sync.

use crate::{ApiError, ErrorKind, Result};
use kinvault_sync::transport::HttpTransport;
use kinvault_sync::SyncError;
use kinvault_vault::Vault;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

impl From<SyncError> for ApiError {
    fn from(e: SyncError) -> Self {
        if let SyncError::Vault(v) = e {
            return v.into();
        }
        let kind = match &e {
            SyncError::NotConfigured => ErrorKind::NotFound,
            SyncError::AlreadyConfigured(_) => ErrorKind::AlreadyExists,
            SyncError::BadJoinCode | SyncError::Config(_) => ErrorKind::InvalidInput,
            SyncError::Unreachable(_) => ErrorKind::Io,
            _ => ErrorKind::Internal,
        };
        ApiError::new(kind, e.to_string())
    }
}

/// Sync settings and state for the settings screen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct SyncStatus {
    pub enabled: bool,
    pub server: Option<String>,
    pub account_id: Option<String>,
    pub device_id: Option<String>,
    /// Unix milliseconds of the last successful sync.
    #[ts(type = "number | null")]
    pub last_sync_at: Option<i64>,
    pub last_error: Option<String>,
    /// Batches sealed here and not yet acknowledged by the server.
    #[ts(type = "number")]
    pub outbox: u64,
    #[ts(type = "number")]
    pub unresolved_conflicts: u64,
    #[ts(type = "number")]
    pub batches_pushed: u64,
    #[ts(type = "number")]
    pub cursor: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct SyncSetupRequest {
    /// `https://…` (or `http://` for a server on this machine).
    pub server: String,
    /// A join code from another device; absent to create a new account.
    pub join_code: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct SyncSetupResult {
    /// The code that lets another device join (shown once after creating; keep it safe).
    pub join_code: Option<String>,
    /// What the first sync did; absent when it failed (sync is on all the same: see `sync_error`).
    pub report: Option<SyncReport>,
    /// Why the first sync failed (e.g. the connection dropped); the next sync retries it.
    pub sync_error: Option<String>,
}

/// What one sync did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct SyncReport {
    #[ts(type = "number")]
    pub pulled_batches: u64,
    #[ts(type = "number")]
    pub applied_changes: u64,
    #[ts(type = "number")]
    pub pushed_batches: u64,
    #[ts(type = "number")]
    pub pushed_changes: u64,
    #[ts(type = "number")]
    pub new_conflicts: u64,
    #[ts(type = "number")]
    pub rejected_replays: u64,
    pub snapshot_uploaded: bool,
    pub snapshot_applied: bool,
}

impl From<kinvault_sync::Report> for SyncReport {
    fn from(r: kinvault_sync::Report) -> Self {
        SyncReport {
            pulled_batches: r.pulled_batches,
            applied_changes: r.applied_changes,
            pushed_batches: r.pushed_batches,
            pushed_changes: r.pushed_changes,
            new_conflicts: r.new_conflicts,
            rejected_replays: r.rejected_replays,
            snapshot_uploaded: r.snapshot_uploaded,
            snapshot_applied: r.snapshot_applied,
        }
    }
}

/// A merge to review: both texts kept, or an edit that lost to a delete.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct SyncConflictView {
    #[ts(type = "number")]
    pub id: i64,
    #[ts(type = "number")]
    pub at: i64,
    pub entity: String,
    pub entity_id: String,
    /// Who or what it is about (a person's name when the record is a person).
    pub label: String,
    pub field: Option<String>,
    /// `kept-both`, `deleted-elsewhere` or `edited-elsewhere`.
    pub kind: String,
    pub explanation: String,
    /// JSON of this device's version, when there is one.
    pub local: Option<String>,
    /// JSON of the other device's version, when there is one.
    pub remote: Option<String>,
}

pub fn status(vault: &Vault) -> Result<SyncStatus> {
    Ok(match kinvault_sync::status(vault)? {
        None => SyncStatus {
            enabled: false,
            server: None,
            account_id: None,
            device_id: None,
            last_sync_at: None,
            last_error: None,
            outbox: 0,
            unresolved_conflicts: 0,
            batches_pushed: 0,
            cursor: 0,
        },
        Some(s) => SyncStatus {
            enabled: true,
            server: Some(s.server),
            account_id: Some(s.account_id.to_string()),
            device_id: Some(s.device_id.to_string()),
            last_sync_at: s.last_sync_at,
            last_error: s.last_error,
            outbox: s.outbox,
            unresolved_conflicts: s.unresolved_conflicts,
            batches_pushed: s.batches_pushed,
            cursor: s.cursor,
        },
    })
}

fn transport(server: &str) -> Result<HttpTransport> {
    Ok(HttpTransport::new(server)?)
}

/// Creates an account (no join code) or joins one, then syncs once.
pub fn setup(vault: &mut Vault, req: &SyncSetupRequest) -> Result<SyncSetupResult> {
    let server = req.server.trim();
    let t = transport(server)?;
    let options = kinvault_sync::Options::default();
    let join_code = match req.join_code.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        Some(code) => {
            kinvault_sync::join_account(vault, &t, server, code)?;
            None
        }
        None => Some(kinvault_sync::create_account(vault, &t, server)?),
    };
    // The account exists from here on: a failed first sync must not hide the join code (it is
    // shown once), so it is reported beside it and the next sync picks up where this one stopped.
    match kinvault_sync::sync(vault, &t, &options) {
        Ok(report) => Ok(SyncSetupResult { join_code, report: Some(report.into()), sync_error: None }),
        Err(e) => {
            let e = ApiError::from(e);
            Ok(SyncSetupResult { join_code, report: None, sync_error: Some(e.message) })
        }
    }
}

/// Syncs with the server this vault was set up with.
pub fn sync_now(vault: &mut Vault) -> Result<SyncReport> {
    let server = kinvault_sync::status(vault)?.ok_or(SyncError::NotConfigured)?.server;
    let t = transport(&server)?;
    Ok(kinvault_sync::sync(vault, &t, &kinvault_sync::Options::default())?.into())
}

pub fn join_code(vault: &Vault) -> Result<String> {
    Ok(kinvault_sync::join_code(vault)?)
}

pub fn leave(vault: &mut Vault) -> Result<()> {
    Ok(kinvault_sync::leave(vault)?)
}

fn explain(kind: &str, field: Option<&str>) -> String {
    match kind {
        "kept-both" => format!(
            "The {} were edited on this device and on another at the same time; both versions are kept. Remove the one that is wrong.",
            field.unwrap_or("text")
        ),
        "deleted-elsewhere" => "Deleted on another device while edited here; the delete won. This device's version is kept below.".into(),
        "edited-elsewhere" => "Edited on another device after it was deleted here; the delete won. The other device's version is kept below.".into(),
        other => other.to_string(),
    }
}

fn label(vault: &Vault, entity: &str, id: &str, local: Option<&str>, remote: Option<&str>) -> String {
    let name_of = |json: &str| -> Option<String> {
        let p: kinvault_model::Person = serde_json::from_str(json).ok()?;
        p.primary_name().map(|n| format!("{} {}", n.given, n.surname).trim().to_string())
    };
    if entity == "person" {
        let current = uuid::Uuid::parse_str(id).ok().and_then(|u| vault.get_person(u).ok().flatten());
        if let Some(n) =
            current.and_then(|p| p.primary_name().map(|n| format!("{} {}", n.given, n.surname).trim().to_string()))
        {
            return n;
        }
        if let Some(n) = local.and_then(name_of).or_else(|| remote.and_then(name_of)) {
            return n;
        }
    }
    format!("{entity} {id}")
}

pub fn conflicts(vault: &Vault, include_resolved: bool) -> Result<Vec<SyncConflictView>> {
    Ok(vault
        .sync_conflicts(include_resolved)?
        .into_iter()
        .map(|c| SyncConflictView {
            label: label(vault, &c.entity, &c.entity_id, c.local.as_deref(), c.remote.as_deref()),
            explanation: explain(&c.kind, c.field.as_deref()),
            id: c.id,
            at: c.at,
            entity: c.entity,
            entity_id: c.entity_id,
            field: c.field,
            kind: c.kind,
            local: c.local,
            remote: c.remote,
        })
        .collect())
}

/// Marks a conflict as reviewed.
pub fn resolve_conflict(vault: &mut Vault, id: i64) -> Result<()> {
    if vault.write(|tx| tx.resolve_sync_conflict(id))? {
        Ok(())
    } else {
        Err(ApiError::new(ErrorKind::NotFound, format!("no open sync conflict {id}")))
    }
}
