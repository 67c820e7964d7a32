//! Versioned schema migrations. `PRAGMA user_version` holds the number of migrations applied;
//! each runs in the same transaction as its version bump. Never edit a shipped migration:
//! append a new one, and extend `tests/migrations.rs` with data written at the old version.

use rusqlite::Connection;

pub struct Migration {
    pub version: u32,
    pub description: &'static str,
    pub apply: fn(&Connection) -> rusqlite::Result<()>,
}

pub const MIGRATIONS: &[Migration] = &[
    Migration { version: 1, description: "people, families, sources, metadata and the change log", apply: v1 },
    Migration {
        version: 2,
        description: "sortable birth/death columns on person, backfilled from the record",
        apply: v2,
    },
    Migration {
        version: 3,
        description: "raw records: imported records the model has no type for, kept for lossless export",
        apply: v3,
    },
    Migration { version: 4, description: "media files (photos, scans) brought in with a GEDZIP archive", apply: v4 },
    Migration {
        version: 5,
        description: "sync state: synced base and field clocks per record, conflicts, settings",
        apply: v5,
    },
];

pub const LATEST: u32 = 5;

fn v1(c: &Connection) -> rusqlite::Result<()> {
    c.execute_batch(
        "
        CREATE TABLE meta (
            key   TEXT PRIMARY KEY,
            value TEXT NOT NULL
        ) STRICT;

        -- Each record is stored whole as JSON (the serde form of kinvault-model), with the
        -- columns we search, sort and join on beside it.
        CREATE TABLE person (
            id          TEXT PRIMARY KEY,
            xref        TEXT,
            given       TEXT NOT NULL DEFAULT '',
            surname     TEXT NOT NULL DEFAULT '',
            sex         TEXT NOT NULL,
            search      TEXT NOT NULL DEFAULT '',
            data        TEXT NOT NULL,
            created_at  INTEGER NOT NULL,
            updated_at  INTEGER NOT NULL
        ) STRICT;
        CREATE INDEX person_xref ON person(xref) WHERE xref IS NOT NULL;
        CREATE INDEX person_name ON person(surname COLLATE NOCASE, given COLLATE NOCASE);

        CREATE TABLE family (
            id          TEXT PRIMARY KEY,
            xref        TEXT,
            data        TEXT NOT NULL,
            created_at  INTEGER NOT NULL,
            updated_at  INTEGER NOT NULL
        ) STRICT;
        CREATE INDEX family_xref ON family(xref) WHERE xref IS NOT NULL;

        -- Who belongs to which family, derived from family.data on every write, for lookups.
        CREATE TABLE family_member (
            family_id   TEXT NOT NULL REFERENCES family(id) ON DELETE CASCADE,
            person_id   TEXT NOT NULL,
            role        TEXT NOT NULL CHECK (role IN ('partner', 'child')),
            PRIMARY KEY (family_id, person_id, role)
        ) STRICT, WITHOUT ROWID;
        CREATE INDEX family_member_person ON family_member(person_id);

        CREATE TABLE source (
            id          TEXT PRIMARY KEY,
            xref        TEXT,
            data        TEXT NOT NULL,
            created_at  INTEGER NOT NULL,
            updated_at  INTEGER NOT NULL
        ) STRICT;

        -- Every mutation, in the transaction that made it. Sync, undo and audit read this.
        CREATE TABLE change_log (
            seq         INTEGER PRIMARY KEY AUTOINCREMENT,
            at          INTEGER NOT NULL,            -- unix milliseconds
            entity      TEXT NOT NULL,               -- person | family | source | meta
            entity_id   TEXT NOT NULL,
            op          TEXT NOT NULL CHECK (op IN ('insert', 'update', 'delete')),
            before      TEXT,                        -- JSON, for update/delete (undo)
            after       TEXT                         -- JSON, for insert/update
        ) STRICT;
        CREATE INDEX change_log_entity ON change_log(entity, entity_id);
        ",
    )
}

fn v2(c: &Connection) -> rusqlite::Result<()> {
    c.execute_batch(
        "
        ALTER TABLE person ADD COLUMN birth_sort INTEGER;
        ALTER TABLE person ADD COLUMN death_sort INTEGER;
        CREATE INDEX person_birth ON person(birth_sort);
        ",
    )?;
    // Backfill from the stored records (written by version 1 without these columns).
    let mut read = c.prepare("SELECT id, data FROM person")?;
    let rows: Vec<(String, String)> = read.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<Result<_, _>>()?;
    let mut write = c.prepare("UPDATE person SET birth_sort = ?2, death_sort = ?3 WHERE id = ?1")?;
    for (id, data) in rows {
        let (birth, death) = match serde_json::from_str::<kinvault_model::Person>(&data) {
            Ok(p) => (p.birth().and_then(|d| d.sort_key()), p.death().and_then(|d| d.sort_key())),
            // A record that does not parse keeps NULL sort keys; the integrity check reports it.
            Err(_) => (None, None),
        };
        write.execute(rusqlite::params![id, birth, death])?;
    }
    Ok(())
}

fn v3(c: &Connection) -> rusqlite::Result<()> {
    c.execute_batch(
        "
        CREATE TABLE raw_record (
            id          TEXT PRIMARY KEY,
            xref        TEXT,
            tag         TEXT NOT NULL,
            data        TEXT NOT NULL,
            created_at  INTEGER NOT NULL,
            updated_at  INTEGER NOT NULL
        ) STRICT;
        CREATE INDEX raw_record_xref ON raw_record(xref) WHERE xref IS NOT NULL;
        ",
    )
}

fn v4(c: &Connection) -> rusqlite::Result<()> {
    c.execute_batch(
        "
        -- Keyed by the path media references use (GEDCOM FILE, percent-decoded): the bytes of
        -- what `MediaRef.path` and raw OBJE records point to.
        CREATE TABLE media_blob (
            path        TEXT PRIMARY KEY,
            sha256      TEXT NOT NULL,
            size        INTEGER NOT NULL,
            data        BLOB NOT NULL,
            created_at  INTEGER NOT NULL
        ) STRICT;
        ",
    )
}

fn v5(c: &Connection) -> rusqlite::Result<()> {
    c.execute_batch(
        "
        -- Sync bookkeeping (crates/sync, docs/sync-protocol.md). None of these tables is in the
        -- change log: they describe what was exchanged, they are not family data.
        -- One row per record ever synced: its state as last agreed with the other devices
        -- (NULL once deleted) and the clock of each field (JSON).
        CREATE TABLE sync_record (
            entity      TEXT NOT NULL,
            entity_id   TEXT NOT NULL,
            base        TEXT,
            clocks      TEXT NOT NULL,
            PRIMARY KEY (entity, entity_id)
        ) STRICT, WITHOUT ROWID;

        -- Concurrent edits that were merged by keeping both, or lost to a delete: for review.
        CREATE TABLE sync_conflict (
            id          INTEGER PRIMARY KEY,
            at          INTEGER NOT NULL,
            entity      TEXT NOT NULL,
            entity_id   TEXT NOT NULL,
            field       TEXT,
            kind        TEXT NOT NULL,
            local       TEXT,
            remote      TEXT,
            resolved_at INTEGER
        ) STRICT;

        -- Account, device, keys, cursors: inside the encrypted vault, never synced.
        CREATE TABLE sync_config (
            key         TEXT PRIMARY KEY,
            value       TEXT NOT NULL
        ) STRICT;

        -- Sealed batches waiting for the server's acknowledgement, in push order.
        CREATE TABLE sync_outbox (
            seq         INTEGER PRIMARY KEY,
            ciphertext  BLOB NOT NULL
        ) STRICT;
        ",
    )
}

/// Applies migrations up to `target` (normally [`LATEST`]); returns the versions applied.
pub fn migrate_to(c: &mut Connection, target: u32) -> rusqlite::Result<Vec<u32>> {
    let mut applied = vec![];
    loop {
        let current: u32 = c.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        let Some(m) = MIGRATIONS.iter().find(|m| m.version == current + 1 && m.version <= target) else {
            break;
        };
        let tx = c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        (m.apply)(&tx)?;
        tx.pragma_update(None, "user_version", m.version)?;
        tx.commit()?;
        tracing::info!(version = m.version, "applied vault migration");
        applied.push(m.version);
    }
    Ok(applied)
}
