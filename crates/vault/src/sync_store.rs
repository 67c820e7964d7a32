//! What the sync layer (crates/sync) keeps in the vault: per-record sync state, conflicts for
//! review, settings and the outbox of sealed batches (schema migration 5), and a generic view
//! of records as JSON values so the sync layer can merge any record type field by field.
//!
//! The sync tables are not change-logged (they describe the exchange, not family data), and
//! records written here go through the same typed `put_*` methods as every other write, so
//! their change-log rows, derived columns and checks are the usual ones.

use crate::{decode, parse_id, Result, Tx, Vault, VaultError};
use kinvault_model::{Family, Person, RawRecord, Source};
use rusqlite::{params, Connection, OptionalExtension};
use serde_json::Value;

/// The record types that sync carries. Media files are not synced (see docs/sync-protocol.md).
pub const SYNCED_ENTITIES: &[&str] = &["meta", "person", "source", "raw_record", "family"];

/// Sync state of one record: its JSON as last agreed with the other devices (`None` once
/// deleted) and the field clocks (JSON owned by crates/sync).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncRecord {
    pub base: Option<String>,
    pub clocks: String,
}

/// A record changed locally: the newest change-log row for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangedEntity {
    pub entity: String,
    pub entity_id: String,
    pub last_at: i64,
    pub last_seq: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SyncConflict {
    pub id: i64,
    pub at: i64,
    pub entity: String,
    pub entity_id: String,
    pub field: Option<String>,
    pub kind: String,
    pub local: Option<String>,
    pub remote: Option<String>,
    pub resolved_at: Option<i64>,
}

fn table_of(entity: &str) -> Result<&'static str> {
    SYNCED_ENTITIES
        .iter()
        .find(|e| **e == entity)
        .copied()
        .ok_or_else(|| VaultError::Invalid(format!("{entity:?} is not a synced record type")))
}

/// A record as a JSON value, whatever its storage form: decoded into its model type first, so
/// the value is exactly the record's serde form. `meta` entries are JSON strings.
fn record_value(conn: &Connection, entity: &str, id: &str) -> Result<Option<Value>> {
    let table = table_of(entity)?;
    if table == "meta" {
        let v: Option<String> =
            conn.query_row("SELECT value FROM meta WHERE key = ?1", [id], |r| r.get(0)).optional()?;
        return Ok(v.map(Value::String));
    }
    let data: Option<String> = conn
        .prepare_cached(&format!("SELECT data FROM {table} WHERE id = ?1"))?
        .query_row([id], |r| r.get(0))
        .optional()?;
    let Some(data) = data else { return Ok(None) };
    let value = match table {
        "person" => to_value(&decode::<Person>(table, id, &data)?),
        "family" => to_value(&decode::<Family>(table, id, &data)?),
        "source" => to_value(&decode::<Source>(table, id, &data)?),
        _ => to_value(&decode::<RawRecord>(table, id, &data)?),
    }?;
    Ok(Some(value))
}

fn to_value<T: serde::Serialize>(v: &T) -> Result<Value> {
    serde_json::to_value(v).map_err(|e| VaultError::Invalid(e.to_string()))
}

fn from_value<T: serde::de::DeserializeOwned>(entity: &str, id: &str, v: Value) -> Result<T> {
    serde_json::from_value(v).map_err(|e| VaultError::Invalid(format!("{entity} {id} from sync: {e}")))
}

impl Vault {
    pub fn sync_config(&self, key: &str) -> Result<Option<String>> {
        Ok(self.conn.query_row("SELECT value FROM sync_config WHERE key = ?1", [key], |r| r.get(0)).optional()?)
    }

    /// The newest change-log sequence number (0 for an empty log).
    pub fn last_change_seq(&self) -> Result<i64> {
        Ok(self.conn.query_row("SELECT coalesce(max(seq), 0) FROM change_log", [], |r| r.get(0))?)
    }

    /// Synced records changed after `seq`, one entry per record, oldest last change first.
    pub fn changed_entities_since(&self, seq: i64) -> Result<Vec<ChangedEntity>> {
        let mut st = self.conn.prepare(
            "SELECT entity, entity_id, max(at), max(seq) FROM change_log
             WHERE seq > ?1 AND entity IN ('meta', 'person', 'source', 'raw_record', 'family')
             GROUP BY entity, entity_id ORDER BY max(seq)",
        )?;
        let rows = st.query_map([seq], |r| {
            Ok(ChangedEntity { entity: r.get(0)?, entity_id: r.get(1)?, last_at: r.get(2)?, last_seq: r.get(3)? })
        })?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    pub fn record_value(&self, entity: &str, id: &str) -> Result<Option<Value>> {
        record_value(&self.conn, entity, id)
    }

    /// Every sync state row, in key order (for snapshots).
    pub fn for_each_sync_record(&self, mut f: impl FnMut(&str, &str, SyncRecord) -> Result<()>) -> Result<()> {
        let mut st =
            self.conn.prepare("SELECT entity, entity_id, base, clocks FROM sync_record ORDER BY entity, entity_id")?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            let (entity, id): (String, String) = (r.get(0)?, r.get(1)?);
            f(&entity, &id, SyncRecord { base: r.get(2)?, clocks: r.get(3)? })?;
        }
        Ok(())
    }

    pub fn sync_conflicts(&self, include_resolved: bool) -> Result<Vec<SyncConflict>> {
        let mut st = self.conn.prepare(
            "SELECT id, at, entity, entity_id, field, kind, local, remote, resolved_at FROM sync_conflict
             WHERE ?1 OR resolved_at IS NULL ORDER BY id",
        )?;
        let rows = st.query_map([include_resolved], |r| {
            Ok(SyncConflict {
                id: r.get(0)?,
                at: r.get(1)?,
                entity: r.get(2)?,
                entity_id: r.get(3)?,
                field: r.get(4)?,
                kind: r.get(5)?,
                local: r.get(6)?,
                remote: r.get(7)?,
                resolved_at: r.get(8)?,
            })
        })?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    /// Sealed batches not yet acknowledged by the server, oldest first.
    pub fn sync_outbox(&self) -> Result<Vec<(u64, Vec<u8>)>> {
        let mut st = self.conn.prepare("SELECT seq, ciphertext FROM sync_outbox ORDER BY seq")?;
        let rows = st.query_map([], |r| Ok((r.get::<_, i64>(0)? as u64, r.get(1)?)))?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }
}

impl Tx<'_> {
    pub fn sync_config(&self, key: &str) -> Result<Option<String>> {
        Ok(self.tx.query_row("SELECT value FROM sync_config WHERE key = ?1", [key], |r| r.get(0)).optional()?)
    }

    pub fn set_sync_config(&mut self, key: &str, value: Option<&str>) -> Result<()> {
        match value {
            Some(v) => self.tx.execute(
                "INSERT INTO sync_config(key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = ?2",
                params![key, v],
            )?,
            None => self.tx.execute("DELETE FROM sync_config WHERE key = ?1", [key])?,
        };
        Ok(())
    }

    pub fn sync_record(&self, entity: &str, id: &str) -> Result<Option<SyncRecord>> {
        Ok(self
            .tx
            .prepare_cached("SELECT base, clocks FROM sync_record WHERE entity = ?1 AND entity_id = ?2")?
            .query_row([entity, id], |r| Ok(SyncRecord { base: r.get(0)?, clocks: r.get(1)? }))
            .optional()?)
    }

    pub fn put_sync_record(&mut self, entity: &str, id: &str, rec: &SyncRecord) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT INTO sync_record(entity, entity_id, base, clocks) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT(entity, entity_id) DO UPDATE SET base = ?3, clocks = ?4",
            )?
            .execute(params![entity, id, rec.base, rec.clocks])?;
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    pub fn add_sync_conflict(
        &mut self,
        entity: &str,
        id: &str,
        field: Option<&str>,
        kind: &str,
        local: Option<&str>,
        remote: Option<&str>,
    ) -> Result<()> {
        self.tx.execute(
            "INSERT INTO sync_conflict(at, entity, entity_id, field, kind, local, remote) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![self.now, entity, id, field, kind, local, remote],
        )?;
        Ok(())
    }

    /// Marks a conflict as reviewed. Returns false when there is no such unresolved conflict.
    pub fn resolve_sync_conflict(&mut self, id: i64) -> Result<bool> {
        let n = self.tx.execute(
            "UPDATE sync_conflict SET resolved_at = ?1 WHERE id = ?2 AND resolved_at IS NULL",
            params![self.now, id],
        )?;
        Ok(n == 1)
    }

    /// Forgets everything about the exchange (settings, outbox, synced bases and clocks), keeping
    /// the records and the conflict list: the vault is as if it had never synced.
    pub fn clear_sync_state(&mut self) -> Result<()> {
        self.tx.execute_batch("DELETE FROM sync_config; DELETE FROM sync_outbox; DELETE FROM sync_record;")?;
        Ok(())
    }

    pub fn push_outbox(&mut self, seq: u64, ciphertext: &[u8]) -> Result<()> {
        self.tx.execute("INSERT INTO sync_outbox(seq, ciphertext) VALUES (?1, ?2)", params![seq as i64, ciphertext])?;
        Ok(())
    }

    pub fn remove_outbox(&mut self, seq: u64) -> Result<()> {
        self.tx.execute("DELETE FROM sync_outbox WHERE seq = ?1", [seq as i64])?;
        Ok(())
    }

    pub fn record_value(&self, entity: &str, id: &str) -> Result<Option<Value>> {
        record_value(&self.tx, entity, id)
    }

    /// When the record was last changed (unix ms), from the change log.
    pub fn last_change_at(&self, entity: &str, id: &str) -> Result<Option<i64>> {
        Ok(self
            .tx
            .prepare_cached("SELECT max(at) FROM change_log WHERE entity = ?1 AND entity_id = ?2")?
            .query_row([entity, id], |r| r.get(0))?)
    }

    /// Writes a record given as its JSON value (the serde form of its model type; a JSON string
    /// for `meta`). Families may name people not stored (yet): see
    /// [`Tx::remove_dangling_family_members`].
    pub fn put_record_value(&mut self, entity: &str, id: &str, value: Value) -> Result<()> {
        if let Some(inner) = value.get("id") {
            if inner.as_str() != Some(id) {
                return Err(VaultError::Invalid(format!("{entity} {id} from sync carries the id {inner}")));
            }
        }
        match table_of(entity)? {
            "meta" => match value {
                Value::String(s) => self.put_meta(id, Some(&s)),
                other => Err(VaultError::Invalid(format!("meta {id} from sync is not a string: {other}"))),
            },
            "person" => self.put_person(&from_value(entity, id, value)?),
            "family" => self.put_family_unchecked(&from_value(entity, id, value)?),
            "source" => self.put_source(&from_value(entity, id, value)?),
            _ => self.put_raw_record(&from_value(entity, id, value)?),
        }
    }

    /// Deletes a record if it exists; returns whether it did.
    pub fn delete_record(&mut self, entity: &str, id: &str) -> Result<bool> {
        if record_value(&self.tx, entity, id)?.is_none() {
            return Ok(false);
        }
        match table_of(entity)? {
            "meta" => self.put_meta(id, None)?,
            "person" => self.delete_person(parse_id(id)?)?,
            "family" => self.delete_family(parse_id(id)?)?,
            table => {
                let before = record_value(&self.tx, entity, id)?.map(|v| v.to_string());
                self.tx.execute(&format!("DELETE FROM {table} WHERE id = ?1"), [id])?;
                self.log_entry(table, id, "delete", before.as_deref(), None)?;
            }
        }
        Ok(true)
    }
}
