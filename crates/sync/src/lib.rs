//! End-to-end-encrypted sync of a vault through the platform API (docs/sync-protocol.md).
//!
//! - [`merge`]: field clocks and the merge rules (pure; property-tested).
//! - [`wire`]: what a sealed batch or snapshot holds.
//! - [`crypto`]: the join code, key derivation, sealing bound to account/device/seq.
//! - [`transport`]: the server API (HTTP client, or anything with the same rules).
//! - this module: the engine — create or join an account, pull and apply, collect and push
//!   local changes through an outbox, snapshots — over a [`kinvault_vault::Vault`].
//!
//! Nothing here makes a network connection unless the caller hands it a transport, which the
//! app does only when the user has turned sync on.

pub mod crypto;
pub mod merge;
pub mod transport;
pub mod wire;

use crypto::{Binding, JoinCode, Keys};
use kinvault_vault::{SyncRecord, Tx, Vault, VaultError};
use merge::{Clocks, State};
use serde_json::Value;
use std::collections::BTreeMap;
use transport::Transport;
use uuid::Uuid;
use wire::{Batch, Op, RecordChange, Snapshot, SnapshotRecord, FORMAT};

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Vault(#[from] VaultError),
    #[error("sync is not set up for this vault (give a server address to create or join an account)")]
    NotConfigured,
    #[error("this vault already syncs with account {0}; it cannot join or create another")]
    AlreadyConfigured(Uuid),
    #[error("not a valid join code (it starts with KVSYNC1- and has 96 hex digits after it)")]
    BadJoinCode,
    #[error("{0}")]
    Config(String),
    #[error("cannot reach the sync server: {0}")]
    Unreachable(String),
    #[error("the sync server refused the credentials: {0}")]
    Unauthorized(String),
    #[error("the sync server refused a batch: {message}")]
    Conflict { message: String, expected_seq: Option<u64> },
    #[error("the sync server answered {status}: {message}")]
    Http { status: u16, message: String },
    #[error("unexpected answer from the sync server: {0}")]
    Protocol(String),
    #[error(
        "{0} failed authentication: it was altered, or is not what the server says it is; nothing from it was applied"
    )]
    Tampered(String),
    #[error("device {device} skipped batches: expected its batch {expected}, got {got}; the server is missing data, nothing was applied")]
    Gap { device: Uuid, expected: u64, got: u64 },
    #[error("this vault's sync state is behind the server's (was it restored from an older copy?): {0}")]
    Diverged(String),
    #[error("sync payload: {0}")]
    Payload(String),
    #[error("sync keys: {0}")]
    Crypto(String),
}

pub type Result<T> = std::result::Result<T, SyncError>;

/// Tuning; the defaults are what the app uses.
#[derive(Debug, Clone)]
pub struct Options {
    /// Records per pushed batch.
    pub batch_records: usize,
    /// Batches per pull request.
    pub pull_limit: u32,
    /// Upload a snapshot when this many batches arrived since the last one this device made.
    pub snapshot_every: i64,
}

impl Default for Options {
    fn default() -> Self {
        Options { batch_records: 1000, pull_limit: 200, snapshot_every: 200 }
    }
}

/// What one sync did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Report {
    pub pulled_batches: u64,
    pub applied_changes: u64,
    pub pushed_batches: u64,
    pub pushed_changes: u64,
    pub new_conflicts: u64,
    /// Batches the server offered again after they had been applied (ignored).
    pub rejected_replays: u64,
    pub snapshot_uploaded: bool,
    pub snapshot_applied: bool,
    pub cursor: i64,
}

/// The sync settings kept (encrypted) in the vault.
struct Config {
    server: String,
    account: Uuid,
    device: Uuid,
    token: String,
    code: JoinCode,
    keys: Keys,
}

mod key {
    pub const SERVER: &str = "server";
    pub const ACCOUNT: &str = "account_id";
    pub const DEVICE: &str = "device_id";
    pub const TOKEN: &str = "device_token";
    pub const CODE: &str = "join_code";
    pub const KEYS: &str = "keys";
    pub const CURSOR: &str = "cursor";
    pub const SEQS: &str = "seqs";
    pub const NEXT_SEQ: &str = "next_seq";
    pub const PUSHED_CHANGE: &str = "pushed_change_seq";
    pub const SNAPSHOT_CURSOR: &str = "snapshot_cursor";
    pub const LAST_SYNC: &str = "last_sync_at";
    pub const LAST_ERROR: &str = "last_error";
}

fn parse_uuid(s: &str, what: &str) -> Result<Uuid> {
    Uuid::parse_str(s).map_err(|e| SyncError::Config(format!("stored {what} is not an id: {e}")))
}

impl Config {
    fn load(vault: &Vault) -> Result<Config> {
        let get = |k: &str| vault.sync_config(k);
        let (Some(server), Some(account), Some(device), Some(token), Some(code), Some(keys)) = (
            get(key::SERVER)?,
            get(key::ACCOUNT)?,
            get(key::DEVICE)?,
            get(key::TOKEN)?,
            get(key::CODE)?,
            get(key::KEYS)?,
        ) else {
            return Err(SyncError::NotConfigured);
        };
        Ok(Config {
            server,
            account: parse_uuid(&account, "account")?,
            device: parse_uuid(&device, "device")?,
            token,
            code: JoinCode::parse(&code)?,
            keys: Keys::from_hex(&keys)?,
        })
    }

    fn save(&self, tx: &mut Tx<'_>) -> Result<()> {
        tx.set_sync_config(key::SERVER, Some(&self.server))?;
        tx.set_sync_config(key::ACCOUNT, Some(&self.account.to_string()))?;
        tx.set_sync_config(key::DEVICE, Some(&self.device.to_string()))?;
        tx.set_sync_config(key::TOKEN, Some(&self.token))?;
        tx.set_sync_config(key::CODE, Some(&self.code.display()))?;
        tx.set_sync_config(key::KEYS, Some(&self.keys.to_hex()))?;
        Ok(())
    }
}

fn num(v: Option<String>) -> i64 {
    v.and_then(|s| s.parse().ok()).unwrap_or(0)
}

fn seqs_of(v: Option<String>) -> Result<BTreeMap<Uuid, u64>> {
    match v {
        Some(s) => serde_json::from_str(&s).map_err(|e| SyncError::Config(format!("stored batch numbers: {e}"))),
        None => Ok(BTreeMap::new()),
    }
}

/// Sync state shown to the user.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Status {
    pub server: String,
    pub account_id: Uuid,
    pub device_id: Uuid,
    pub cursor: i64,
    pub batches_pushed: u64,
    pub outbox: u64,
    pub unresolved_conflicts: u64,
    pub last_sync_at: Option<i64>,
    pub last_error: Option<String>,
}

/// `None` when sync is not set up.
pub fn status(vault: &Vault) -> Result<Option<Status>> {
    let cfg = match Config::load(vault) {
        Ok(c) => c,
        Err(SyncError::NotConfigured) => return Ok(None),
        Err(e) => return Err(e),
    };
    Ok(Some(Status {
        server: cfg.server,
        account_id: cfg.account,
        device_id: cfg.device,
        cursor: num(vault.sync_config(key::CURSOR)?),
        batches_pushed: (num(vault.sync_config(key::NEXT_SEQ)?).max(1) - 1) as u64 - vault.sync_outbox()?.len() as u64,
        outbox: vault.sync_outbox()?.len() as u64,
        unresolved_conflicts: vault.sync_conflicts(false)?.len() as u64,
        last_sync_at: vault.sync_config(key::LAST_SYNC)?.and_then(|s| s.parse().ok()),
        last_error: vault.sync_config(key::LAST_ERROR)?,
    }))
}

/// The printed join code, for adding another device.
pub fn join_code(vault: &Vault) -> Result<String> {
    Ok(Config::load(vault)?.code.display().to_string())
}

fn ensure_unconfigured(vault: &Vault) -> Result<()> {
    match Config::load(vault) {
        Ok(c) => Err(SyncError::AlreadyConfigured(c.account)),
        Err(SyncError::NotConfigured) => Ok(()),
        Err(e) => Err(e),
    }
}

/// Creates an account on `server` with this vault as its first device. Returns the join code
/// (shown to the user: it is what lets another device join and read the data).
pub fn create_account(vault: &mut Vault, transport: &dyn Transport, server: &str) -> Result<String> {
    ensure_unconfigured(vault)?;
    let draft = JoinCode::generate(Uuid::nil())?;
    let keys = draft.keys()?;
    let reg = transport.create_account(&keys.auth)?;
    let account = reg.account_id.ok_or_else(|| SyncError::Protocol("no account id in the answer".into()))?;
    let cfg = Config {
        server: server.to_string(),
        account,
        device: reg.device_id,
        token: reg.device_token,
        code: draft.with_account(account),
        keys,
    };
    write_sync(vault, |tx| cfg.save(tx))?;
    Ok(cfg.code.display().to_string())
}

/// Joins an existing account as a new device: registers, then starts from the account's latest
/// snapshot when there is one (the rest comes with the next [`sync`]).
pub fn join_account(vault: &mut Vault, transport: &dyn Transport, server: &str, code: &str) -> Result<Report> {
    ensure_unconfigured(vault)?;
    let code = JoinCode::parse(code)?;
    let keys = code.keys()?;
    let reg = transport.add_device(code.account, &keys.auth)?;
    let cfg = Config {
        server: server.to_string(),
        account: code.account,
        device: reg.device_id,
        token: reg.device_token,
        code,
        keys,
    };
    write_sync(vault, |tx| cfg.save(tx))?;
    let keys = &cfg.keys;
    let mut report = Report::default();
    if let Some(snap) = transport.get_snapshot(&cfg.token)? {
        let plain = keys.open(
            Binding::Snapshot { account: cfg.account, device: snap.device_id, cursor: snap.cursor },
            &snap.ciphertext,
        )?;
        let s: Snapshot = wire::decode(&plain, "snapshot")?;
        wire::check_format(s.format, "the snapshot")?;
        if s.cursor != snap.cursor {
            return Err(SyncError::Tampered(format!("snapshot at cursor {}", snap.cursor)));
        }
        apply_snapshot(vault, s)?;
        report.snapshot_applied = true;
        report.cursor = snap.cursor;
    }
    Ok(report)
}

fn apply_snapshot(vault: &mut Vault, s: Snapshot) -> Result<()> {
    vault.write_bulk(|tx| {
        let mut persons_deleted = false;
        for r in s.records {
            if let Some(base) = &r.base {
                tx.put_record_value(&r.entity, &r.id, unwrap_value(&r.entity, base.clone()))?;
            } else if tx.delete_record(&r.entity, &r.id)? {
                persons_deleted |= r.entity == "person";
            }
            let clocks = serde_json::to_string(&r.clocks).map_err(|e| VaultError::Invalid(e.to_string()))?;
            tx.put_sync_record(&r.entity, &r.id, &SyncRecord { base: r.base.map(|b| b.to_string()), clocks })?;
        }
        if persons_deleted {
            tx.remove_dangling_family_members()?;
        }
        tx.set_sync_config(key::CURSOR, Some(&s.cursor.to_string()))?;
        tx.set_sync_config(
            key::SEQS,
            Some(&serde_json::to_string(&s.seqs).map_err(|e| VaultError::Invalid(e.to_string()))?),
        )?;
        tx.set_sync_config(key::SNAPSHOT_CURSOR, Some(&s.cursor.to_string()))?;
        Ok(())
    })?;
    Ok(())
}

/// Forgets the account on this device: settings, keys, unsent batches and sync state go; the
/// vault's data stays, and the account on the server and the other devices are untouched. If the
/// vault joins again, everything in it is sent as new.
pub fn leave(vault: &mut Vault) -> Result<()> {
    vault.write(|tx| tx.clear_sync_state())?;
    Ok(())
}

/// [`Vault::write`] for closures that fail with a [`SyncError`]: the transaction rolls back and
/// the error comes out as it was.
fn write_sync<T>(vault: &mut Vault, f: impl FnOnce(&mut Tx<'_>) -> Result<T>) -> Result<T> {
    let mut failure = None;
    let out = vault.write(|tx| {
        f(tx).map_err(|e| {
            let shown = VaultError::Invalid(e.to_string());
            failure = Some(e);
            shown
        })
    });
    match (out, failure) {
        (_, Some(e)) => Err(e),
        (Ok(v), None) => Ok(v),
        (Err(e), None) => Err(e.into()),
    }
}

/// Meta entries are strings; the merge works on objects.
fn wrap_value(entity: &str, v: Option<Value>) -> Option<Value> {
    match (entity, v) {
        ("meta", Some(s)) => Some(serde_json::json!({ "value": s })),
        (_, v) => v,
    }
}

fn unwrap_value(entity: &str, v: Value) -> Value {
    match entity {
        "meta" => v.get("value").cloned().unwrap_or(Value::Null),
        _ => v,
    }
}

fn load_state(tx: &Tx<'_>, entity: &str, id: &str) -> Result<(State, bool)> {
    let rec = tx.sync_record(entity, id)?;
    let known = rec.is_some();
    let (base, clocks) = match rec {
        Some(r) => (
            r.base
                .map(|b| serde_json::from_str(&b).map(merge::normalize))
                .transpose()
                .map_err(|e| SyncError::Config(format!("sync state of {entity} {id}: {e}")))?,
            serde_json::from_str::<Clocks>(&r.clocks)
                .map_err(|e| SyncError::Config(format!("sync clocks of {entity} {id}: {e}")))?,
        ),
        None => (None, Clocks::default()),
    };
    let current = wrap_value(entity, tx.record_value(entity, id)?).map(merge::normalize);
    Ok((State { current, base, clocks }, known))
}

fn save_state(tx: &mut Tx<'_>, entity: &str, id: &str, state: &State, original: &Option<Value>) -> Result<()> {
    if state.current != *original {
        match &state.current {
            Some(v) => tx.put_record_value(entity, id, unwrap_value(entity, v.clone()))?,
            None => {
                tx.delete_record(entity, id)?;
            }
        }
    }
    let clocks = serde_json::to_string(&state.clocks).map_err(|e| SyncError::Payload(e.to_string()))?;
    tx.put_sync_record(entity, id, &SyncRecord { base: state.base.as_ref().map(|b| b.to_string()), clocks })?;
    Ok(())
}

fn entity_rank(e: &str) -> usize {
    kinvault_vault::SYNCED_ENTITIES.iter().position(|x| *x == e).unwrap_or(usize::MAX)
}

/// Applies another device's changes: records that others point to first (people before the
/// families naming them), deletes last and in reverse. Returns whether a family may now name
/// someone who is not in the vault (a person deleted, or a family changed: a member added on
/// another device while deleted here), for the caller to sweep once per page.
fn apply_changes(tx: &mut Tx<'_>, changes: &[RecordChange], me: Uuid, report: &mut Report) -> Result<bool> {
    let mut order: Vec<&RecordChange> = changes.iter().collect();
    order.sort_by_key(|c| match c.op {
        Op::Put(_) => (0, entity_rank(&c.entity)),
        Op::Delete(_) => (1, usize::MAX - entity_rank(&c.entity)),
    });
    let mut sweep = false;
    for change in order {
        if entity_rank(&change.entity) == usize::MAX {
            return Err(SyncError::Payload(format!("unknown record type {:?}", change.entity)));
        }
        let (mut state, _) = load_state(tx, &change.entity, &change.id)?;
        let original = state.current.clone();
        let pending_at =
            if state.current != state.base { tx.last_change_at(&change.entity, &change.id)? } else { None };
        let conflicts = merge::apply_remote(&change.entity, change, &mut state, pending_at, me);
        sweep |= change.entity == "person" && original.is_some() && state.current.is_none()
            || change.entity == "family" && state.current.is_some() && state.current != original;
        save_state(tx, &change.entity, &change.id, &state, &original)?;
        for c in conflicts {
            let json = |v: &Option<Value>| v.as_ref().map(|v| v.to_string());
            tx.add_sync_conflict(
                &change.entity,
                &change.id,
                c.field.as_deref(),
                c.kind,
                json(&c.local).as_deref(),
                json(&c.remote).as_deref(),
            )?;
            report.new_conflicts += 1;
        }
        report.applied_changes += 1;
    }
    Ok(sweep)
}

/// Pulls, snapshots when due, pushes. Safe to call again after any failure: an interrupted
/// pull re-applies nothing twice (cursor and batch numbers commit with the changes), and
/// batches sealed but not acknowledged wait in the outbox and are sent again unchanged.
pub fn sync(vault: &mut Vault, transport: &dyn Transport, options: &Options) -> Result<Report> {
    let result = sync_inner(vault, transport, options);
    let outcome = match &result {
        Ok(_) => None,
        Err(e) => Some(e.to_string()),
    };
    let now =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0);
    vault.write(|tx| {
        if outcome.is_none() {
            tx.set_sync_config(key::LAST_SYNC, Some(&now.to_string()))?;
        }
        tx.set_sync_config(key::LAST_ERROR, outcome.as_deref())
    })?;
    result
}

fn sync_inner(vault: &mut Vault, transport: &dyn Transport, options: &Options) -> Result<Report> {
    let cfg = Config::load(vault)?;
    let keys = &cfg.keys;
    let mut report = Report::default();
    flush_outbox(vault, transport, &cfg, &mut report)?;
    pull(vault, transport, &cfg, keys, options, &mut report)?;
    let cursor = num(vault.sync_config(key::CURSOR)?);
    report.cursor = cursor;
    if cursor > 0 && cursor - num(vault.sync_config(key::SNAPSHOT_CURSOR)?) >= options.snapshot_every {
        upload_snapshot(vault, transport, &cfg, keys, cursor)?;
        report.snapshot_uploaded = true;
    }
    collect_local(vault, &cfg, keys, options, &mut report)?;
    flush_outbox(vault, transport, &cfg, &mut report)?;
    Ok(report)
}

fn flush_outbox(vault: &mut Vault, transport: &dyn Transport, cfg: &Config, report: &mut Report) -> Result<()> {
    for (seq, ciphertext) in vault.sync_outbox()? {
        match transport.push(&cfg.token, seq, &ciphertext) {
            Ok(_) => {}
            Err(SyncError::Conflict { message, expected_seq }) => {
                return Err(SyncError::Diverged(format!(
                    "batch {seq} refused ({message}; the server expects batch {})",
                    expected_seq.map(|s| s.to_string()).unwrap_or_else(|| "?".into())
                )))
            }
            Err(e) => return Err(e),
        }
        vault.write(|tx| tx.remove_outbox(seq))?;
        report.pushed_batches += 1;
    }
    Ok(())
}

fn pull(
    vault: &mut Vault,
    transport: &dyn Transport,
    cfg: &Config,
    keys: &Keys,
    options: &Options,
    report: &mut Report,
) -> Result<()> {
    loop {
        let cursor = num(vault.sync_config(key::CURSOR)?);
        let page = transport.pull(&cfg.token, cursor, options.pull_limit)?;
        if page.batches.is_empty() {
            return Ok(());
        }
        let mut last = cursor;
        for b in &page.batches {
            if b.cursor <= last {
                return Err(SyncError::Protocol(format!("batches out of order: cursor {} after {last}", b.cursor)));
            }
            last = b.cursor;
        }
        write_sync(vault, |tx| apply_page(tx, &page.batches, cfg, keys, report))?;
        report.pulled_batches += page.batches.len() as u64;
        if !page.more {
            return Ok(());
        }
    }
}

fn apply_page(
    tx: &mut Tx<'_>,
    batches: &[transport::PulledBatch],
    cfg: &Config,
    keys: &Keys,
    report: &mut Report,
) -> Result<()> {
    let mut seqs = seqs_of(tx.sync_config(key::SEQS)?)?;
    let mut sweep = false;
    for b in batches {
        let last = seqs.get(&b.device_id).copied().unwrap_or(0);
        if b.device_id == cfg.device {
            seqs.insert(b.device_id, last.max(b.seq));
        } else if b.seq <= last {
            report.rejected_replays += 1;
            tracing::warn!(seq = b.seq, "ignored a batch offered again");
        } else if b.seq != last + 1 {
            return Err(SyncError::Gap { device: b.device_id, expected: last + 1, got: b.seq });
        } else {
            let plain =
                keys.open(Binding::Batch { account: cfg.account, device: b.device_id, seq: b.seq }, &b.ciphertext)?;
            let batch: Batch = wire::decode(&plain, "batch")?;
            wire::check_format(batch.format, "a batch")?;
            sweep |= apply_changes(tx, &batch.changes, cfg.device, report)?;
            seqs.insert(b.device_id, b.seq);
        }
        tx.set_sync_config(key::CURSOR, Some(&b.cursor.to_string()))?;
    }
    if sweep {
        // Delete wins: a member who is gone here leaves the family (a local edit, sent on the
        // next push, so every device ends the same).
        tx.remove_dangling_family_members()?;
    }
    let seqs = serde_json::to_string(&seqs).map_err(|e| SyncError::Payload(e.to_string()))?;
    tx.set_sync_config(key::SEQS, Some(&seqs))?;
    Ok(())
}

fn upload_snapshot(vault: &mut Vault, transport: &dyn Transport, cfg: &Config, keys: &Keys, cursor: i64) -> Result<()> {
    let mut records = vec![];
    vault.for_each_sync_record(|entity, id, r| {
        let base =
            r.base.map(|b| serde_json::from_str(&b)).transpose().map_err(|e| VaultError::Invalid(e.to_string()))?;
        let clocks = serde_json::from_str(&r.clocks).map_err(|e| VaultError::Invalid(e.to_string()))?;
        records.push(SnapshotRecord { entity: entity.to_string(), id: id.to_string(), base, clocks });
        Ok(())
    })?;
    let snapshot = Snapshot { format: FORMAT, cursor, seqs: seqs_of(vault.sync_config(key::SEQS)?)?, records };
    let plain = zeroize::Zeroizing::new(wire::encode(&snapshot)?);
    drop(snapshot);
    let sealed = keys.seal(Binding::Snapshot { account: cfg.account, device: cfg.device, cursor }, &plain)?;
    match transport.put_snapshot(&cfg.token, cursor, &sealed) {
        // A newer snapshot is already there: as good.
        Ok(()) | Err(SyncError::Conflict { .. }) => {}
        Err(e) => return Err(e),
    }
    vault.write(|tx| tx.set_sync_config(key::SNAPSHOT_CURSOR, Some(&cursor.to_string())))?;
    Ok(())
}

/// Turns local edits since the last push into sealed batches in the outbox (one vault
/// transaction per batch, so memory stays bounded however much changed).
fn collect_local(vault: &mut Vault, cfg: &Config, keys: &Keys, options: &Options, report: &mut Report) -> Result<()> {
    let upto = vault.last_change_seq()?;
    let pushed = num(vault.sync_config(key::PUSHED_CHANGE)?);
    if upto <= pushed {
        return Ok(());
    }
    let changed = vault.changed_entities_since(pushed)?;
    let chunks: Vec<&[kinvault_vault::ChangedEntity]> = changed.chunks(options.batch_records.max(1)).collect();
    let total = chunks.len();
    for (i, chunk) in chunks.into_iter().enumerate() {
        write_sync(vault, |tx| {
            let mut changes = vec![];
            for e in chunk {
                let (mut state, known) = load_state(tx, &e.entity, &e.entity_id)?;
                if !known && state.current.is_none() {
                    continue; // created and deleted before it was ever synced
                }
                let original = state.current.clone();
                if let Some(ch) = merge::local_change(&e.entity, &e.entity_id, &mut state, e.last_at, cfg.device) {
                    changes.push(ch);
                }
                save_state(tx, &e.entity, &e.entity_id, &state, &original)?;
            }
            if !changes.is_empty() {
                let seq = num(tx.sync_config(key::NEXT_SEQ)?).max(1) as u64;
                report.pushed_changes += changes.len() as u64;
                let plain = zeroize::Zeroizing::new(wire::encode(&Batch { format: FORMAT, changes })?);
                let sealed = keys.seal(Binding::Batch { account: cfg.account, device: cfg.device, seq }, &plain)?;
                tx.push_outbox(seq, &sealed)?;
                tx.set_sync_config(key::NEXT_SEQ, Some(&(seq + 1).to_string()))?;
            }
            if i + 1 == total {
                tx.set_sync_config(key::PUSHED_CHANGE, Some(&upto.to_string()))?;
            }
            Ok(())
        })?;
    }
    Ok(())
}
