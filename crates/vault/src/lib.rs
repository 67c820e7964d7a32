//! The Kinvault vault: one SQLCipher-encrypted file holding a family's tree and health history.
//!
//! File layout: a 4 KiB plaintext header with the key envelope (see [`keys`]) followed by the
//! SQLCipher database (see [`vfs`] for how SQLite is pointed past the header). The database is
//! keyed with a random 256-bit data key; the passphrase and the recovery key only unwrap it, so a
//! passphrase change rewrites 2 KiB, not the whole file.
//!
//! Every mutation goes through [`Vault::write`], whose [`Tx`] records a change-log row in the same
//! transaction as the change.

mod compact;
pub mod keys;
pub mod schema;
mod sync_store;
pub mod vfs;

use kinvault_model::{Family, Person, RawRecord, Sex, Source};
use rusqlite::{params, Connection, OpenFlags, OptionalExtension};
use serde::{de::DeserializeOwned, Serialize};
use sha2::Digest;
use std::path::{Path, PathBuf};
use uuid::Uuid;
use zeroize::Zeroizing;

pub use keys::{KdfParams, RecoveryKey};
pub use sync_store::{ChangedEntity, SyncConflict, SyncRecord, SYNCED_ENTITIES};

#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    #[error("no vault at {0}")]
    Missing(PathBuf),
    #[error("{0} already exists; choose another file name")]
    AlreadyExists(PathBuf),
    #[error("{0} is not a Kinvault vault (no valid key header)")]
    NotAVault(PathBuf),
    #[error("wrong passphrase")]
    WrongPassphrase,
    #[error("wrong recovery key")]
    WrongRecoveryKey,
    #[error("malformed recovery key: expected 64 hexadecimal digits (dashes and spaces are ignored)")]
    BadRecoveryKey,
    #[error("passphrase too weak: {0}")]
    WeakPassphrase(&'static str),
    #[error("this SQLite build has no encryption (PRAGMA cipher_version is empty); refusing to write health data in plaintext")]
    NoEncryption,
    #[error("the vault was written by a newer Kinvault (schema version {found}; this build knows up to {known})")]
    TooNew { found: u32, known: u32 },
    #[error("{entity} {id} not found")]
    NotFound { entity: &'static str, id: String },
    #[error("stored {entity} {id} is unreadable: {reason}")]
    Corrupt { entity: &'static str, id: String, reason: String },
    #[error("invalid data: {0}")]
    Invalid(String),
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("crypto error: {0}")]
    Crypto(String),
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
}

pub type Result<T, E = VaultError> = std::result::Result<T, E>;

/// Minimum passphrase length in characters. Argon2id makes guessing slow, not impossible.
pub const MIN_PASSPHRASE_CHARS: usize = 8;

pub fn check_passphrase(p: &str) -> Result<()> {
    if p.chars().count() < MIN_PASSPHRASE_CHARS {
        return Err(VaultError::WeakPassphrase("use at least 8 characters"));
    }
    Ok(())
}

/// Where Kinvault keeps its settings and, by default, the vault. `KINVAULT_DATA_DIR` overrides
/// the platform location (used by tests and portable installs).
pub fn data_dir() -> Option<PathBuf> {
    if let Some(d) = std::env::var_os("KINVAULT_DATA_DIR").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(d));
    }
    directories::ProjectDirs::from("org", "Kinvault", "Kinvault").map(|p| p.data_dir().to_path_buf())
}

/// Bytes SQLite (SQLCipher) currently holds through its allocator, across every connection in
/// the process (`sqlite3_memory_used`): page caches, prepared statements, schema. Diagnostics
/// and the memory tests read it.
pub fn sqlite_memory_used() -> i64 {
    // SAFETY: a read of SQLite's global allocation counter; no arguments, no shared state.
    unsafe { rusqlite::ffi::sqlite3_memory_used() }
}

/// The most SQLite has held at once since the process started (`sqlite3_memory_highwater`).
pub fn sqlite_memory_highwater() -> i64 {
    // SAFETY: as above; 0 = do not reset the mark.
    unsafe { rusqlite::ffi::sqlite3_memory_highwater(0) }
}

/// The vault path offered when the user has not chosen one.
pub fn default_vault_path() -> Option<PathBuf> {
    data_dir().map(|d| d.join("family.kinvault"))
}

fn now_millis() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

/// An unlocked vault. Dropping it closes the database and wipes the data key from memory.
pub struct Vault {
    conn: Connection,
    path: PathBuf,
    id: Uuid,
    data_key: keys::Key,
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vault").field("path", &self.path).field("id", &self.id).finish_non_exhaustive()
    }
}

fn open_raw(path: &Path, create: bool) -> Result<Connection> {
    vfs::register()
        .map_err(|rc| VaultError::Sqlite(rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(rc), None)))?;
    let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    if create {
        flags |= OpenFlags::SQLITE_OPEN_CREATE;
    }
    let conn = Connection::open_with_flags_and_vfs(path, flags, vfs::VFS_NAME)?;
    // Plain SQLite ignores `PRAGMA key` and would store everything in the clear: refuse.
    let version: Option<String> = conn.query_row("PRAGMA cipher_version", [], |r| r.get(0)).optional()?;
    if version.as_deref().unwrap_or("").is_empty() {
        return Err(VaultError::NoEncryption);
    }
    Ok(conn)
}

fn read_envelope(conn: &Connection, path: &Path) -> Result<(usize, keys::Envelope)> {
    let header = vfs::read_header(conn, 0, vfs::HEADER_LEN)?;
    keys::newest(&header).ok_or_else(|| VaultError::NotAVault(path.to_path_buf()))
}

fn apply_key(conn: &Connection, data_key: &keys::Key) -> Result<()> {
    // Raw-key form: SQLCipher uses the 256-bit key as is, with no second KDF.
    let key_text = Zeroizing::new(format!("x'{}'", hex::encode(&data_key[..])));
    // SAFETY: valid connection handle and a buffer that outlives the call.
    let rc = unsafe {
        rusqlite::ffi::sqlite3_key(conn.handle(), key_text.as_ptr() as *const std::ffi::c_void, key_text.len() as i32)
    };
    if rc != rusqlite::ffi::SQLITE_OK {
        return Err(VaultError::Sqlite(rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rc),
            Some("keying failed".into()),
        )));
    }
    conn.execute_batch(
        "PRAGMA cipher_memory_security = OFF;
         PRAGMA journal_mode = WAL;
         PRAGMA synchronous = FULL;
         PRAGMA foreign_keys = ON;
         PRAGMA temp_store = MEMORY;
         PRAGMA busy_timeout = 5000;",
    )?;
    Ok(())
}

/// Page cache of a bulk write ([`Vault::write_bulk`]), in KiB; other writes use SQLite's default
/// 2 MiB.
pub const BULK_CACHE_KIB: u32 = 32 * 1024;

impl Vault {
    /// Creates a new vault at `path` (which must not exist). Returns the vault and the recovery
    /// key, which is shown to the user once and never stored in readable form.
    pub fn create(path: &Path, passphrase: &str, kdf: KdfParams) -> Result<(Vault, RecoveryKey)> {
        create_at_schema_version(path, passphrase, kdf, schema::LATEST)
    }

    /// Opens with the passphrase. A wrong passphrase fails before SQLite reads or writes a page.
    pub fn open(path: &Path, passphrase: &str) -> Result<Vault> {
        Self::open_with(path, |env| env.unwrap_with_passphrase(passphrase))
    }

    /// Opens with the recovery key (for a forgotten passphrase; follow with
    /// [`Vault::change_passphrase`]).
    pub fn open_with_recovery_key(path: &Path, recovery: &RecoveryKey) -> Result<Vault> {
        Self::open_with(path, |env| env.unwrap_with_recovery(recovery))
    }

    fn open_with(path: &Path, unwrap: impl FnOnce(&keys::Envelope) -> Result<keys::Key>) -> Result<Vault> {
        if !path.is_file() {
            return Err(VaultError::Missing(path.to_path_buf()));
        }
        let mut conn = open_raw(path, false)?;
        let (_, env) = read_envelope(&conn, path)?;
        let data_key = unwrap(&env)?;
        apply_key(&conn, &data_key)?;
        let version: u32 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if version > schema::LATEST {
            return Err(VaultError::TooNew { found: version, known: schema::LATEST });
        }
        schema::migrate_to(&mut conn, schema::LATEST)?;
        let stored: Option<String> =
            conn.query_row("SELECT value FROM meta WHERE key = 'vault_id'", [], |r| r.get(0)).optional()?;
        if stored.as_deref() != Some(env.vault_id.to_string().as_str()) {
            return Err(VaultError::Corrupt {
                entity: "vault",
                id: path.display().to_string(),
                reason: "the key header belongs to a different vault".into(),
            });
        }
        Ok(Vault { conn, path: path.to_path_buf(), id: env.vault_id, data_key })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn id(&self) -> Uuid {
        self.id
    }

    /// Read access for queries that live in other modules of this crate.
    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    pub fn schema_version(&self) -> Result<u32> {
        Ok(self.conn.query_row("PRAGMA user_version", [], |r| r.get(0))?)
    }

    /// Re-wraps the data key under a new passphrase. The database is not re-encrypted; the old
    /// passphrase stops working as soon as this returns.
    pub fn change_passphrase(&mut self, new_passphrase: &str) -> Result<()> {
        check_passphrase(new_passphrase)?;
        self.update_envelope(|env, dk| env.rewrap_passphrase(dk, new_passphrase, KdfParams::INTERACTIVE.max(env.kdf)))
    }

    /// Replaces the recovery key; the old one stops working. Returns the new one to show once.
    pub fn rotate_recovery_key(&mut self) -> Result<RecoveryKey> {
        let recovery = RecoveryKey::generate()?;
        self.update_envelope(|env, dk| {
            let mut next = env.clone();
            next.generation += 1;
            next.rewrap_recovery(dk, &recovery)?;
            Ok(next)
        })?;
        Ok(recovery)
    }

    fn update_envelope(&mut self, f: impl FnOnce(&keys::Envelope, &keys::Key) -> Result<keys::Envelope>) -> Result<()> {
        // The write lock serialises envelope changes with any other process holding the vault.
        let tx = self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let (slot, env) = read_envelope(&tx, &self.path)?;
        let next = f(&env, &self.data_key)?;
        // Write the other slot: until the fsync completes, the current envelope stays valid.
        vfs::write_header(&tx, (1 - slot) * keys::SLOT_LEN, &next.encode())?;
        tx.commit()?;
        Ok(())
    }

    /// Runs `f` in one transaction; its changes and their change-log rows commit together or not
    /// at all.
    pub fn write<T>(&mut self, f: impl FnOnce(&mut Tx<'_>) -> Result<T>) -> Result<T> {
        let tx = self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let mut w = Tx {
            tx,
            now: now_millis(),
            fresh: [None; FRESH_TABLES.len()],
            unchecked: Vec::new(),
            new_people: Vec::new(),
            new_people_valid: true,
        };
        let out = f(&mut w)?;
        // The change-log rows of records inserted with `insert_new_*` not yet logged.
        w.log_fresh()?;
        w.tx.commit()?;
        Ok(out)
    }

    /// [`Vault::write`] for one very large transaction (an import of a whole file).
    ///
    /// For its duration the vault uses a rollback journal instead of the write-ahead log and a
    /// larger page cache ([`BULK_CACHE_KIB`]): pages the transaction adds to the end of the file
    /// are then written once, not to the WAL and again at checkpoint, and are not journaled at
    /// all. It is exactly as atomic: an error rolls back, and a crash leaves a hot journal that
    /// the next open rolls back before anything is read. WAL mode is restored afterwards, also
    /// when `f` fails.
    pub fn write_bulk<T>(&mut self, f: impl FnOnce(&mut Tx<'_>) -> Result<T>) -> Result<T> {
        self.conn.execute_batch(&format!("PRAGMA journal_mode = DELETE; PRAGMA cache_size = -{BULK_CACHE_KIB};"))?;
        let result = self.write(f);
        let restored = self.conn.execute_batch("PRAGMA cache_size = -2000; PRAGMA journal_mode = WAL;");
        let out = result?;
        restored?;
        Ok(out)
    }

    pub fn get_person(&self, id: Uuid) -> Result<Option<Person>> {
        get_record(&self.conn, "person", id)
    }

    pub fn get_family(&self, id: Uuid) -> Result<Option<Family>> {
        get_record(&self.conn, "family", id)
    }

    pub fn get_source(&self, id: Uuid) -> Result<Option<Source>> {
        get_record(&self.conn, "source", id)
    }

    /// A vault-level setting or document stored in the `meta` table (e.g. the user's own
    /// catalog conditions), `None` when absent.
    pub fn meta(&self, key: &str) -> Result<Option<String>> {
        Ok(self.conn.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0)).optional()?)
    }

    /// Calls `f` for every record of a table in insertion order, one decoded record at a time
    /// (memory stays flat however large the vault).
    fn for_each<T: DeserializeOwned>(&self, table: &'static str, mut f: impl FnMut(T) -> Result<()>) -> Result<()> {
        let mut st = self.conn.prepare(&format!("SELECT id, data FROM {table} ORDER BY rowid"))?;
        let mut rows = st.query([])?;
        while let Some(row) = rows.next()? {
            let id: String = row.get(0)?;
            let data: String = row.get(1)?;
            f(decode(table, &id, &data)?)?;
        }
        Ok(())
    }

    pub fn for_each_person(&self, f: impl FnMut(Person) -> Result<()>) -> Result<()> {
        self.for_each("person", f)
    }

    pub fn for_each_family(&self, f: impl FnMut(Family) -> Result<()>) -> Result<()> {
        self.for_each("family", f)
    }

    pub fn for_each_source(&self, f: impl FnMut(Source) -> Result<()>) -> Result<()> {
        self.for_each("source", f)
    }

    pub fn for_each_raw_record(&self, f: impl FnMut(RawRecord) -> Result<()>) -> Result<()> {
        self.for_each("raw_record", f)
    }

    /// The bytes of the media file stored under `path`.
    pub fn media_blob(&self, path: &str) -> Result<Option<Vec<u8>>> {
        Ok(self
            .conn
            .prepare_cached("SELECT data FROM media_blob WHERE path = ?1")?
            .query_row([path], |r| r.get(0))
            .optional()?)
    }

    /// Paths of the stored media files, sorted.
    pub fn media_paths(&self) -> Result<Vec<String>> {
        let mut st = self.conn.prepare("SELECT path FROM media_blob ORDER BY path")?;
        let rows = st.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Every person's id and sex, in insertion order, read from the columns without decoding
    /// the records.
    pub fn for_each_person_sex(&self, f: impl FnMut(Uuid, Sex)) -> Result<()> {
        person_sexes(&self.conn, f)
    }

    /// Every family's links, in insertion order: only `id`, `partners`, `children` (with their
    /// parent links), `kind` and `twins` are decoded; events, notes and citations are skipped
    /// unparsed and left empty in the `Family` passed to `f`.
    pub fn for_each_family_links(&self, f: impl FnMut(Family) -> Result<()>) -> Result<()> {
        family_links(&self.conn, f)
    }

    /// What the family graph is built from: every person's id and sex and every family's links
    /// ([`Vault::for_each_person_sex`], [`Vault::for_each_family_links`]), in insertion order.
    ///
    /// The time goes into decrypting and checking every page of the two tables (the JSON is a
    /// small part), so the families are read on a second, read-only connection on another
    /// thread while this one reads the people; if that connection cannot be opened, both are
    /// read here in turn.
    pub fn read_graph_input(&self) -> Result<GraphInput> {
        let read_families = |conn: &Connection| -> Result<Vec<Family>> {
            let mut out = Vec::new();
            family_links(conn, |f| {
                out.push(f);
                Ok(())
            })?;
            Ok(out)
        };
        let mut persons = Vec::new();
        let second = open_raw(&self.path, false).and_then(|c| {
            apply_key(&c, &self.data_key)?;
            c.execute_batch("PRAGMA query_only = ON;")?;
            Ok(c)
        });
        let Ok(second) = second else {
            person_sexes(&self.conn, |id, sex| persons.push((id, sex)))?;
            return Ok(GraphInput { persons, families: read_families(&self.conn)? });
        };
        std::thread::scope(|s| {
            let families = s.spawn(move || read_families(&second));
            let mine = person_sexes(&self.conn, |id, sex| persons.push((id, sex)));
            let families =
                families.join().map_err(|_| VaultError::Invalid("the family reader thread panicked".into()))?;
            mine?;
            Ok(GraphInput { persons, families: families? })
        })
    }

    /// The list rows (name, sex, sortable dates; no record decoding) of the people with these
    /// ids that are in the vault, in no particular order.
    pub fn person_rows(&self, ids: &[Uuid]) -> Result<Vec<PersonRow>> {
        const CHUNK: usize = 500;
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(CHUNK) {
            let marks = vec!["?"; chunk.len()].join(", ");
            let mut st = self.conn.prepare_cached(&format!(
                "SELECT id, xref, given, surname, sex, birth_sort, death_sort FROM person WHERE id IN ({marks})"
            ))?;
            let rows = st.query_map(rusqlite::params_from_iter(chunk.iter().map(Uuid::to_string)), person_row)?;
            for r in rows {
                out.push(r?);
            }
        }
        Ok(out)
    }

    /// The list row of the person with this GEDCOM xref (`@I12@`), if any.
    pub fn person_row_by_xref(&self, xref: &str) -> Result<Option<PersonRow>> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT id, xref, given, surname, sex, birth_sort, death_sort FROM person WHERE xref = ?1 LIMIT 1",
            )?
            .query_row([xref], person_row)
            .optional()?)
    }

    pub fn find_person_by_xref(&self, xref: &str) -> Result<Option<Person>> {
        let data: Option<(String, String)> = self
            .conn
            .query_row("SELECT id, data FROM person WHERE xref = ?1 LIMIT 1", [xref], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        data.map(|(id, d)| decode("person", &id, &d)).transpose()
    }

    /// Families in which the person is a partner or a child.
    pub fn families_of(&self, person: Uuid) -> Result<Vec<Family>> {
        let mut st = self.conn.prepare_cached(
            "SELECT DISTINCT f.id, f.data FROM family_member m JOIN family f ON f.id = m.family_id
             WHERE m.person_id = ?1 ORDER BY f.id",
        )?;
        let rows = st.query_map([person.to_string()], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        rows.map(|r| {
            let (id, d) = r?;
            decode("family", &id, &d)
        })
        .collect()
    }

    /// A page of people, sorted by surname then given name, optionally filtered by a search
    /// string (every word must occur in a name or the xref, case-insensitively).
    pub fn list_people(&self, search: Option<&str>, offset: u32, limit: u32) -> Result<(u64, Vec<PersonRow>)> {
        let words: Vec<String> = search
            .unwrap_or("")
            .split_whitespace()
            .map(|w| format!("%{}%", w.to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")))
            .collect();
        let mut filter = String::new();
        for i in 0..words.len() {
            filter.push_str(if i == 0 { " WHERE " } else { " AND " });
            filter.push_str(&format!("search LIKE ?{} ESCAPE '\\'", i + 1));
        }
        let args = rusqlite::params_from_iter(words.iter());
        let total: u64 =
            self.conn.query_row(&format!("SELECT count(*) FROM person{filter}"), args.clone(), |r| r.get(0))?;
        let sql = format!(
            "SELECT id, xref, given, surname, sex, birth_sort, death_sort FROM person{filter}
             ORDER BY surname COLLATE NOCASE, given COLLATE NOCASE, id LIMIT {limit} OFFSET {offset}"
        );
        let mut st = self.conn.prepare(&sql)?;
        let rows = st.query_map(args, person_row)?.collect::<Result<Vec<_>, _>>()?;
        Ok((total, rows))
    }

    pub fn stats(&self) -> Result<Stats> {
        let count = |sql: &str| -> Result<u64> { Ok(self.conn.query_row(sql, [], |r| r.get::<_, i64>(0))? as u64) };
        let file_bytes = std::fs::metadata(&self.path).map(|m| m.len()).unwrap_or(0);
        Ok(Stats {
            individuals: count("SELECT count(*) FROM person")?,
            families: count("SELECT count(*) FROM family")?,
            sources: count("SELECT count(*) FROM source")?,
            raw_records: count("SELECT count(*) FROM raw_record")?,
            conditions: count("SELECT coalesce(sum(json_array_length(data, '$.conditions')), 0) FROM person")?,
            genetic_tests: count("SELECT coalesce(sum(json_array_length(data, '$.genetic_tests')), 0) FROM person")?,
            probands: count("SELECT count(*) FROM person WHERE json_extract(data, '$.proband') = 1")?,
            changes: count("SELECT count(*) FROM change_log")?,
            schema_version: self.schema_version()?,
            file_bytes,
        })
    }

    /// Change-log rows after `seq`, oldest first, at most `limit`.
    pub fn changes_since(&self, seq: i64, limit: u32) -> Result<Vec<Change>> {
        let mut st = self.conn.prepare_cached(
            "SELECT seq, at, entity, entity_id, op, before, after FROM change_log WHERE seq > ?1 ORDER BY seq LIMIT ?2",
        )?;
        let rows = st.query_map(params![seq, limit], |r| {
            Ok(Change {
                seq: r.get(0)?,
                at: r.get(1)?,
                entity: r.get(2)?,
                entity_id: r.get(3)?,
                op: r.get(4)?,
                before: r.get(5)?,
                after: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Page-level and logical checks. `ok` is false if anything is wrong; `problems` says what.
    pub fn integrity_check(&self) -> Result<IntegrityReport> {
        let mut problems = vec![];
        let mut st = self.conn.prepare("PRAGMA integrity_check")?;
        for row in st.query_map([], |r| r.get::<_, String>(0))? {
            let row = row?;
            if row != "ok" {
                problems.push(format!("sqlite: {row}"));
            }
        }
        // SQLCipher's per-page HMAC check over the whole file.
        let mut st = self.conn.prepare("PRAGMA cipher_integrity_check")?;
        for row in st.query_map([], |r| r.get::<_, String>(0))? {
            problems.push(format!("cipher: {}", row?));
        }
        let mut st = self.conn.prepare("PRAGMA foreign_key_check")?;
        for row in st.query_map([], |r| {
            Ok(format!("foreign key: {} row {:?}", r.get::<_, String>(0)?, r.get::<_, Option<i64>>(1)?))
        })? {
            problems.push(row?);
        }
        for (table, check) in [
            ("person", check_json::<Person> as fn(&str) -> Option<String>),
            ("family", check_json::<Family>),
            ("source", check_json::<Source>),
            ("raw_record", check_json::<RawRecord>),
        ] {
            let mut st = self.conn.prepare(&format!("SELECT id, data FROM {table}"))?;
            for row in st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))? {
                let (id, data) = row?;
                if let Some(reason) = check(&data) {
                    problems.push(format!("{table} {id}: unreadable record: {reason}"));
                }
            }
        }
        {
            let mut st = self.conn.prepare("SELECT path, sha256, data FROM media_blob")?;
            let mut rows = st.query([])?;
            while let Some(row) = rows.next()? {
                let (path, sha, data): (String, String, Vec<u8>) = (row.get(0)?, row.get(1)?, row.get(2)?);
                if hex::encode(sha2::Sha256::digest(&data)) != sha {
                    problems.push(format!("media file {path}: content does not match its SHA-256"));
                }
            }
        }
        let dangling: Vec<String> = {
            let mut st = self.conn.prepare(
                "SELECT DISTINCT m.person_id FROM family_member m LEFT JOIN person p ON p.id = m.person_id WHERE p.id IS NULL",
            )?;
            let rows = st.query_map([], |r| r.get(0))?;
            rows.collect::<Result<_, _>>()?
        };
        for id in dangling {
            problems.push(format!("family member {id} is not a person in this vault"));
        }
        Ok(IntegrityReport { ok: problems.is_empty(), problems })
    }
}

/// Creates a vault whose schema stops at `version` — for migration tests only.
#[doc(hidden)]
pub fn create_at_schema_version(
    path: &Path,
    passphrase: &str,
    kdf: KdfParams,
    version: u32,
) -> Result<(Vault, RecoveryKey)> {
    check_passphrase(passphrase)?;
    if path.exists() {
        return Err(VaultError::AlreadyExists(path.to_path_buf()));
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let result = (|| {
        let mut conn = open_raw(path, true)?;
        let id = Uuid::now_v7();
        let data_key = keys::random_key()?;
        let recovery = RecoveryKey::generate()?;
        let env = keys::Envelope::seal(id, 1, kdf, &data_key, passphrase, &recovery)?;
        vfs::write_header(&conn, 0, &env.encode())?;
        apply_key(&conn, &data_key)?;
        schema::migrate_to(&mut conn, version)?;
        conn.execute(
            "INSERT INTO meta(key, value) VALUES ('vault_id', ?1), ('created_at', ?2), ('created_by', ?3)",
            params![id.to_string(), now_millis().to_string(), concat!("kinvault ", env!("CARGO_PKG_VERSION"))],
        )?;
        Ok((Vault { conn, path: path.to_path_buf(), id, data_key }, recovery))
    })();
    if result.is_err() {
        // Nothing of value can be in a file we failed to create.
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
    }
    result
}

/// Parses a stored record. serde_json's default nesting limit (128) is lifted: raw GEDCOM
/// structures kept verbatim nest two JSON levels per GEDCOM level, and the GEDCOM reader allows
/// 100 levels, so a sound imported record can be ~200 deep. The depth stays bounded (we wrote
/// the JSON, and SQLCipher authenticates every page), so the stack is safe.
fn from_json<T: DeserializeOwned>(data: &str) -> serde_json::Result<T> {
    let mut de = serde_json::Deserializer::from_str(data);
    de.disable_recursion_limit();
    let value = T::deserialize(&mut de)?;
    de.end()?;
    Ok(value)
}

fn check_json<T: DeserializeOwned>(data: &str) -> Option<String> {
    from_json::<T>(data).err().map(|e| e.to_string())
}

fn decode<T: DeserializeOwned>(entity: &'static str, id: &str, data: &str) -> Result<T> {
    from_json(data).map_err(|e| VaultError::Corrupt { entity, id: id.to_string(), reason: e.to_string() })
}

fn get_record<T: DeserializeOwned>(conn: &Connection, table: &'static str, id: Uuid) -> Result<Option<T>> {
    let data: Option<String> = conn
        .query_row(&format!("SELECT data FROM {table} WHERE id = ?1"), [id.to_string()], |r| r.get(0))
        .optional()?;
    data.map(|d| decode(table, &id.to_string(), &d)).transpose()
}

impl KdfParams {
    /// The stronger of two parameter sets (a passphrase change never weakens the KDF).
    fn max(self, other: KdfParams) -> KdfParams {
        KdfParams {
            memory_kib: self.memory_kib.max(other.memory_kib),
            iterations: self.iterations.max(other.iterations),
            parallelism: self.parallelism.max(other.parallelism),
        }
    }
}

/// What [`Vault::read_graph_input`] reads.
#[derive(Debug, Clone, Default)]
pub struct GraphInput {
    /// Every person's id and sex, in insertion order.
    pub persons: Vec<(Uuid, Sex)>,
    /// Every family with only its links decoded, in insertion order.
    pub families: Vec<Family>,
}

fn person_sexes(conn: &Connection, mut f: impl FnMut(Uuid, Sex)) -> Result<()> {
    let mut st = conn.prepare("SELECT id, sex FROM person ORDER BY rowid")?;
    let mut rows = st.query([])?;
    while let Some(row) = rows.next()? {
        let id = row.get_ref(0)?.as_str().map_err(rusqlite::Error::from)?;
        let sex = row.get_ref(1)?.as_str().map_err(rusqlite::Error::from)?;
        let id = Uuid::parse_str(id).map_err(|e| VaultError::Corrupt {
            entity: "person",
            id: id.to_string(),
            reason: format!("bad id: {e}"),
        })?;
        f(id, Sex::parse(sex).unwrap_or_default())
    }
    Ok(())
}

fn family_links(conn: &Connection, mut f: impl FnMut(Family) -> Result<()>) -> Result<()> {
    #[derive(serde::Deserialize)]
    struct Links {
        id: Uuid,
        #[serde(default)]
        partners: Vec<Uuid>,
        #[serde(default)]
        children: Vec<kinvault_model::FamilyChild>,
        #[serde(default)]
        kind: kinvault_model::UnionKind,
        #[serde(default)]
        twins: Vec<kinvault_model::TwinSet>,
    }
    let mut st = conn.prepare("SELECT id, data FROM family ORDER BY rowid")?;
    let mut rows = st.query([])?;
    while let Some(row) = rows.next()? {
        let data = row.get_ref(1)?.as_str().map_err(rusqlite::Error::from)?;
        let l: Links = from_json(data).map_err(|e| VaultError::Corrupt {
            entity: "family",
            id: row.get_ref(0).ok().and_then(|v| v.as_str().ok()).unwrap_or("?").to_string(),
            reason: e.to_string(),
        })?;
        let mut fam = Family::new(l.partners);
        fam.id = l.id;
        fam.children = l.children;
        fam.kind = l.kind;
        fam.twins = l.twins;
        f(fam)?;
    }
    Ok(())
}

fn person_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<PersonRow> {
    Ok(PersonRow {
        id: r.get(0)?,
        xref: r.get(1)?,
        given: r.get(2)?,
        surname: r.get(3)?,
        sex: r.get(4)?,
        birth_sort: r.get(5)?,
        death_sort: r.get(6)?,
    })
}

/// One row of the people list (no JSON decoding needed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonRow {
    pub id: String,
    pub xref: Option<String>,
    pub given: String,
    pub surname: String,
    pub sex: String,
    pub birth_sort: Option<i64>,
    pub death_sort: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Stats {
    pub individuals: u64,
    pub families: u64,
    pub sources: u64,
    pub raw_records: u64,
    pub conditions: u64,
    pub genetic_tests: u64,
    pub probands: u64,
    pub changes: u64,
    pub schema_version: u32,
    pub file_bytes: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IntegrityReport {
    pub ok: bool,
    pub problems: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub seq: i64,
    pub at: i64,
    pub entity: String,
    pub entity_id: String,
    pub op: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// A write transaction. Every method records the change in the change log.
pub struct Tx<'a> {
    tx: rusqlite::Transaction<'a>,
    now: i64,
    /// Per table of [`FRESH_TABLES`], the rowids of records inserted by `insert_new_*` whose
    /// change-log rows are not written yet (one contiguous run; see [`Tx::log_fresh`]).
    fresh: [Option<(i64, i64)>; FRESH_TABLES.len()],
    /// Members of the families written without the membership check in this transaction
    /// (`put_family_unchecked`, `insert_new`), for [`Tx::remove_dangling_family_members`].
    unchecked: Vec<Uuid>,
    /// People inserted by `insert_new` in this transaction (they need no lookup there), unless
    /// a person was deleted since (`new_people_valid` false: every member is looked up).
    new_people: Vec<Uuid>,
    new_people_valid: bool,
}

/// The tables `insert_new_*` write to, in the order their pending change-log rows are written.
const FRESH_TABLES: [&str; 4] = ["person", "family", "source", "raw_record"];
const PERSON: usize = 0;
const FAMILY: usize = 1;
const SOURCE: usize = 2;
const RAW_RECORD: usize = 3;
/// At most this many new rows wait for their change-log rows: the statement that writes them
/// reads the rows back, which must still be in the page cache (a whole import's worth would
/// have to be read back from the file and decrypted again).
const FRESH_RUN: i64 = 512;

impl Tx<'_> {
    fn log(&self, entity: &str, id: Uuid, op: &str, before: Option<&str>, after: Option<&str>) -> Result<()> {
        self.log_entry(entity, &id.to_string(), op, before, after)
    }

    /// Logs an insert or update of a record whose JSON is now `data`.
    ///
    /// An insert is logged WITHOUT its `after`: the state it created is the row itself, or the
    /// `before` of the next update or delete of that record, so repeating it would only double
    /// the size of every import. Updates keep both sides (undo and audit).
    fn log_put(&self, entity: &str, id: Uuid, before: Option<&str>, data: &str) -> Result<()> {
        match before {
            Some(b) => self.log(entity, id, "update", Some(b), Some(data)),
            None => self.log(entity, id, "insert", None, None),
        }
    }

    fn log_entry(&self, entity: &str, id: &str, op: &str, before: Option<&str>, after: Option<&str>) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT INTO change_log(at, entity, entity_id, op, before, after) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![self.now, entity, id, op, before, after])?;
        Ok(())
    }

    fn current(&self, table: &str, id: Uuid) -> Result<Option<String>> {
        Ok(self
            .tx
            .prepare_cached(&format!("SELECT data FROM {table} WHERE id = ?1"))?
            .query_row([id.to_string()], |r| r.get(0))
            .optional()?)
    }

    /// The stored form of a record: its serde JSON without default-valued members (see
    /// [`compact`]).
    fn json<T: Serialize>(v: &T) -> Result<String> {
        compact::to_stored_json(v).map_err(|e| VaultError::Invalid(e.to_string()))
    }

    /// Is `before` (the stored row) the record whose stored form is `data`? Rows written before
    /// the compact form hold the full serde JSON of the same record.
    fn unchanged<T: Serialize>(before: Option<&str>, data: &str, v: &T) -> bool {
        match before {
            None => false,
            Some(b) if b == data => true,
            Some(b) => b.len() > data.len() && serde_json::to_string(v).is_ok_and(|full| full == b),
        }
    }

    /// Records that `insert_new_*` just inserted a row into `FRESH_TABLES[table]`.
    fn note_fresh(&mut self, table: usize) -> Result<()> {
        let rowid = self.tx.last_insert_rowid();
        match &mut self.fresh[table] {
            Some((first, last)) if rowid == *last + 1 && rowid - *first < FRESH_RUN => *last = rowid,
            _ => {
                self.log_fresh_table(table)?;
                self.fresh[table] = Some((rowid, rowid));
            }
        }
        Ok(())
    }

    /// Writes the change-log rows (`insert`, no copy) of the records `insert_new_*` inserted
    /// since the last call, one statement per table. Runs before any other change is made or
    /// logged, and before commit, so the log stays in the order of the changes to each record.
    fn log_fresh(&mut self) -> Result<()> {
        for table in 0..FRESH_TABLES.len() {
            self.log_fresh_table(table)?;
        }
        Ok(())
    }

    fn log_fresh_table(&mut self, table: usize) -> Result<()> {
        let Some((first, last)) = self.fresh[table].take() else { return Ok(()) };
        let name = FRESH_TABLES[table];
        // Every rowid of the run is a row `insert_new_*` inserted (`note_fresh` starts a new
        // run at any gap) and nothing has deleted one since (every other change logs the runs
        // first), so the count must match: anything else is a bug, and fails the transaction.
        let logged = self
            .tx
            .prepare_cached(&format!(
                "INSERT INTO change_log(at, entity, entity_id, op)
                 SELECT ?1, '{name}', id, 'insert' FROM {name} WHERE rowid BETWEEN ?2 AND ?3 ORDER BY rowid"
            ))?
            .execute(params![self.now, first, last])?;
        if logged as i64 != last - first + 1 {
            return Err(VaultError::Invalid(format!(
                "change log: {logged} new {name} rows found for {} inserted",
                last - first + 1
            )));
        }
        Ok(())
    }

    /// Sets (or with `None` removes) a `meta` entry, logged in the change log as entity `meta`
    /// with the key as its id. The vault's own identity keys cannot be changed this way.
    pub fn put_meta(&mut self, key: &str, value: Option<&str>) -> Result<()> {
        self.log_fresh()?;
        if matches!(key, "vault_id" | "created_at" | "created_by") || key.trim().is_empty() {
            return Err(VaultError::Invalid(format!("meta key {key:?} is reserved")));
        }
        let before: Option<String> =
            self.tx.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0)).optional()?;
        if before.as_deref() == value {
            return Ok(());
        }
        match value {
            Some(v) => {
                self.tx.execute(
                    "INSERT INTO meta(key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = ?2",
                    params![key, v],
                )?;
                let op = if before.is_some() { "update" } else { "insert" };
                self.log_entry("meta", key, op, before.as_deref(), Some(v))
            }
            None => {
                self.tx.execute("DELETE FROM meta WHERE key = ?1", [key])?;
                self.log_entry("meta", key, "delete", before.as_deref(), None)
            }
        }
    }

    /// Inserts or replaces a person.
    pub fn put_person(&mut self, p: &Person) -> Result<()> {
        self.log_fresh()?;
        let data = Self::json(p)?;
        let before = self.current("person", p.id)?;
        if Self::unchanged(before.as_deref(), &data, p) {
            return Ok(());
        }
        let (given, surname) = p.primary_name().map(|n| (n.given.as_str(), n.surname.as_str())).unwrap_or(("", ""));
        self.tx
            .prepare_cached(
                "INSERT INTO person(id, xref, given, surname, sex, search, data, created_at, updated_at, birth_sort, death_sort)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8, ?9, ?10)
                 ON CONFLICT(id) DO UPDATE SET xref = ?2, given = ?3, surname = ?4, sex = ?5, search = ?6, data = ?7,
                    updated_at = ?8, birth_sort = ?9, death_sort = ?10",
            )?
            .execute(params![
                p.id.to_string(),
                p.xref,
                given,
                surname,
                p.sex.code(),
                p.search_text(),
                data,
                self.now,
                p.birth().and_then(|d| d.sort_key()),
                p.death().and_then(|d| d.sort_key()),
            ])?;
        self.log_put("person", p.id, before.as_deref(), &data)
    }

    /// Deletes a person and removes them from every family they were in (logged as family
    /// updates, so undo and sync see the whole change).
    pub fn delete_person(&mut self, id: Uuid) -> Result<()> {
        self.log_fresh()?;
        self.new_people_valid = false;
        let Some(before) = self.current("person", id)? else {
            return Err(VaultError::NotFound { entity: "person", id: id.to_string() });
        };
        let family_ids: Vec<String> = {
            let mut st = self.tx.prepare_cached("SELECT DISTINCT family_id FROM family_member WHERE person_id = ?1")?;
            let rows = st.query_map([id.to_string()], |r| r.get(0))?;
            rows.collect::<Result<_, _>>()?
        };
        for fid in family_ids {
            let data = self.current("family", parse_id(&fid)?)?.unwrap_or_default();
            let mut fam: Family = decode("family", &fid, &data)?;
            fam.partners.retain(|p| *p != id);
            fam.children.retain(|c| c.person != id);
            // A deleted parent is no parent of anyone's in the links either.
            for c in &mut fam.children {
                c.links.retain(|l| l.parent != id);
            }
            for t in &mut fam.twins {
                t.members.retain(|m| *m != id);
            }
            fam.twins.retain(|t| t.members.len() > 1);
            // Only removes a member, so nothing to check: a member still missing was written
            // unchecked in this transaction and waits for the dangling-member sweep (sync
            // applies a family from another device and then a delete, in one transaction).
            self.write_family(&fam)?;
        }
        self.tx.prepare_cached("DELETE FROM person WHERE id = ?1")?.execute([id.to_string()])?;
        self.log("person", id, "delete", Some(&before), None)
    }

    /// Inserts or replaces a family. Every partner and child must already be in the vault.
    pub fn put_family(&mut self, f: &Family) -> Result<()> {
        self.log_fresh()?;
        for pid in f.partners.iter().chain(f.children.iter().map(|c| &c.person)) {
            if self.current("person", *pid)?.is_none() {
                return Err(VaultError::Invalid(format!(
                    "family {} refers to person {pid}, who is not in this vault",
                    f.id
                )));
            }
        }
        self.write_family(f)
    }

    /// Inserts or replaces a family whose members may not be stored yet — for imports, where a
    /// family can come before its people. Call [`Tx::remove_dangling_family_members`] before
    /// the transaction ends.
    pub fn put_family_unchecked(&mut self, f: &Family) -> Result<()> {
        self.log_fresh()?;
        self.unchecked.extend(f.partners.iter().chain(f.children.iter().map(|c| &c.person)));
        self.write_family(f)
    }

    /// Removes from the families written by [`Tx::put_family_unchecked`] and [`Tx::insert_new`]
    /// in this transaction (every other write checks its members) the partners and children
    /// that are not people in this vault (logged as family updates). Returns one line per
    /// removal, for the import report.
    pub fn remove_dangling_family_members(&mut self) -> Result<Vec<String>> {
        self.log_fresh()?;
        let mut members = std::mem::take(&mut self.unchecked);
        members.sort_unstable();
        members.dedup();
        self.new_people.sort_unstable();
        let mut missing = vec![];
        {
            let mut stored = self.tx.prepare_cached("SELECT 1 FROM person WHERE id = ?1")?;
            for m in members {
                let known = self.new_people_valid && self.new_people.binary_search(&m).is_ok();
                if !known && !stored.exists([m.to_string()])? {
                    missing.push(m);
                }
            }
        }
        let mut dangling: Vec<(String, String)> = vec![];
        {
            let mut st = self.tx.prepare_cached("SELECT DISTINCT family_id FROM family_member WHERE person_id = ?1")?;
            for pid in missing {
                let pid = pid.to_string();
                for fid in st.query_map([&pid], |r| r.get::<_, String>(0))? {
                    dangling.push((fid?, pid.clone()));
                }
            }
        }
        dangling.sort_unstable();
        let mut out = vec![];
        let mut by_family: Vec<(String, Vec<Uuid>)> = vec![];
        for (fid, pid) in dangling {
            let pid = parse_id(&pid)?;
            match by_family.last_mut() {
                Some((f, ids)) if *f == fid => ids.push(pid),
                _ => by_family.push((fid, vec![pid])),
            }
        }
        for (fid, gone) in by_family {
            let data = self.current("family", parse_id(&fid)?)?.unwrap_or_default();
            let mut fam: Family = decode("family", &fid, &data)?;
            fam.partners.retain(|p| !gone.contains(p));
            fam.children.retain(|c| !gone.contains(&c.person));
            for t in &mut fam.twins {
                t.members.retain(|m| !gone.contains(m));
            }
            fam.twins.retain(|t| t.members.len() > 1);
            let name = fam.xref.clone().unwrap_or_else(|| fid.clone());
            for pid in &gone {
                out.push(format!("family {name}: member {pid} is not a person in this vault; removed"));
            }
            self.write_family(&fam)?;
        }
        Ok(out)
    }

    fn write_family(&mut self, f: &Family) -> Result<()> {
        let data = Self::json(f)?;
        let before = self.current("family", f.id)?;
        if Self::unchanged(before.as_deref(), &data, f) {
            return Ok(());
        }
        self.tx
            .prepare_cached(
                "INSERT INTO family(id, xref, data, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?4)
                 ON CONFLICT(id) DO UPDATE SET xref = ?2, data = ?3, updated_at = ?4",
            )?
            .execute(params![f.id.to_string(), f.xref, data, self.now])?;
        self.tx.prepare_cached("DELETE FROM family_member WHERE family_id = ?1")?.execute([f.id.to_string()])?;
        self.insert_members(f)?;
        self.log_put("family", f.id, before.as_deref(), &data)
    }

    /// The `family_member` rows of `f` (none may exist yet).
    fn insert_members(&self, f: &Family) -> Result<()> {
        let fid = f.id.to_string();
        let mut ins = self
            .tx
            .prepare_cached("INSERT OR IGNORE INTO family_member(family_id, person_id, role) VALUES (?1, ?2, ?3)")?;
        let members = f.partners.iter().map(|p| (p, "partner")).chain(f.children.iter().map(|c| (&c.person, "child")));
        for (pid, role) in members {
            ins.execute(params![fid, pid.to_string(), role])?;
        }
        Ok(())
    }

    pub fn delete_family(&mut self, id: Uuid) -> Result<()> {
        self.log_fresh()?;
        let Some(before) = self.current("family", id)? else {
            return Err(VaultError::NotFound { entity: "family", id: id.to_string() });
        };
        self.tx.prepare_cached("DELETE FROM family WHERE id = ?1")?.execute([id.to_string()])?;
        self.log("family", id, "delete", Some(&before), None)
    }

    pub fn put_source(&mut self, s: &Source) -> Result<()> {
        self.log_fresh()?;
        let data = Self::json(s)?;
        let before = self.current("source", s.id)?;
        if Self::unchanged(before.as_deref(), &data, s) {
            return Ok(());
        }
        self.tx
            .prepare_cached(
                "INSERT INTO source(id, xref, data, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?4)
                 ON CONFLICT(id) DO UPDATE SET xref = ?2, data = ?3, updated_at = ?4",
            )?
            .execute(params![s.id.to_string(), s.xref, data, self.now])?;
        self.log_put("source", s.id, before.as_deref(), &data)
    }
}

impl Tx<'_> {
    /// Stores a media file's bytes under `path` unless a file is already stored there. Returns
    /// `false` (and stores nothing) when one is, with other bytes — a second import must not
    /// change what an earlier one's references show. The change log gets the path, hash and
    /// size, not the bytes (they would double the file).
    pub fn put_media_blob(&mut self, path: &str, bytes: &[u8]) -> Result<bool> {
        self.log_fresh()?;
        let sha = hex::encode(sha2::Sha256::digest(bytes));
        let existing: Option<String> = self
            .tx
            .prepare_cached("SELECT sha256 FROM media_blob WHERE path = ?1")?
            .query_row([path], |r| r.get(0))
            .optional()?;
        if let Some(old) = existing {
            return Ok(old == sha);
        }
        self.tx
            .prepare_cached("INSERT INTO media_blob(path, sha256, size, data, created_at) VALUES (?1, ?2, ?3, ?4, ?5)")?
            .execute(params![path, sha, bytes.len() as i64, bytes, self.now])?;
        let after = serde_json::json!({ "path": path, "sha256": sha, "size": bytes.len() }).to_string();
        // Media files are named by their path, not a UUID.
        self.log_entry("media_blob", path, "insert", None, Some(&after))?;
        Ok(true)
    }

    /// Inserts or replaces a record kept verbatim from an imported file.
    pub fn put_raw_record(&mut self, r: &RawRecord) -> Result<()> {
        self.log_fresh()?;
        let data = Self::json(r)?;
        let before = self.current("raw_record", r.id)?;
        if Self::unchanged(before.as_deref(), &data, r) {
            return Ok(());
        }
        self.tx
            .prepare_cached(
                "INSERT INTO raw_record(id, xref, tag, data, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5)
                 ON CONFLICT(id) DO UPDATE SET xref = ?2, tag = ?3, data = ?4, updated_at = ?5",
            )?
            .execute(params![r.id.to_string(), r.structure.xref, r.structure.tag, data, self.now])?;
        self.log_put("raw_record", r.id, before.as_deref(), &data)
    }
}

/// A record whose id was just generated (an import), in its stored form: built from a model
/// record on any thread ([`NewRecord::person`]...), inserted with [`Tx::insert_new`].
#[derive(Debug, Clone)]
pub struct NewRecord(NewKind);

#[derive(Debug, Clone)]
enum NewKind {
    Person {
        uuid: Uuid,
        id: String,
        xref: Option<String>,
        given: String,
        surname: String,
        sex: &'static str,
        search: String,
        data: String,
        birth: Option<i64>,
        death: Option<i64>,
    },
    Family {
        id: String,
        xref: Option<String>,
        data: String,
        /// `family_member` rows: person id and role.
        members: Vec<(Uuid, &'static str)>,
    },
    Source {
        id: String,
        xref: Option<String>,
        data: String,
    },
    Raw {
        id: String,
        xref: Option<String>,
        tag: String,
        data: String,
    },
}

impl NewRecord {
    pub fn person(p: &Person) -> Result<NewRecord> {
        let (given, surname) = p.primary_name().map(|n| (n.given.as_str(), n.surname.as_str())).unwrap_or(("", ""));
        Ok(NewRecord(NewKind::Person {
            uuid: p.id,
            id: p.id.to_string(),
            xref: p.xref.clone(),
            given: given.to_string(),
            surname: surname.to_string(),
            sex: p.sex.code(),
            search: p.search_text(),
            data: Tx::json(p)?,
            birth: p.birth().and_then(|d| d.sort_key()),
            death: p.death().and_then(|d| d.sort_key()),
        }))
    }

    pub fn family(f: &Family) -> Result<NewRecord> {
        let members =
            f.partners.iter().map(|p| (*p, "partner")).chain(f.children.iter().map(|c| (c.person, "child"))).collect();
        Ok(NewRecord(NewKind::Family { id: f.id.to_string(), xref: f.xref.clone(), data: Tx::json(f)?, members }))
    }

    pub fn source(s: &Source) -> Result<NewRecord> {
        Ok(NewRecord(NewKind::Source { id: s.id.to_string(), xref: s.xref.clone(), data: Tx::json(s)? }))
    }

    pub fn raw_record(r: &RawRecord) -> Result<NewRecord> {
        Ok(NewRecord(NewKind::Raw {
            id: r.id.to_string(),
            xref: r.structure.xref.clone(),
            tag: r.structure.tag.clone(),
            data: Tx::json(r)?,
        }))
    }
}

/// Inserts of records whose ids were just generated (an import): no lookup of a stored version,
/// no `family_member` clean-up, and the change-log rows written by one statement per table when
/// the run of inserts ends — before the next other change, or at commit (see [`Tx::log_fresh`]).
/// Each record is logged as an `insert`, exactly as `put_*` would log it. An id that is already
/// in the vault is an error (the primary key refuses it), never an overwrite.
impl Tx<'_> {
    /// Inserts a record whose id is new to the vault. A family's members need not be stored
    /// yet (call [`Tx::remove_dangling_family_members`] before the end, as for
    /// [`Tx::put_family_unchecked`]).
    pub fn insert_new(&mut self, r: &NewRecord) -> Result<()> {
        match &r.0 {
            NewKind::Person { uuid, id, xref, given, surname, sex, search, data, birth, death } => {
                self.tx
                    .prepare_cached(
                        "INSERT INTO person(id, xref, given, surname, sex, search, data, created_at, updated_at, birth_sort, death_sort)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8, ?9, ?10)",
                    )?
                    .execute(params![id, xref, given, surname, sex, search, data, self.now, birth, death])?;
                self.new_people.push(*uuid);
                self.note_fresh(PERSON)
            }
            NewKind::Family { id, xref, data, members } => {
                self.tx
                    .prepare_cached(
                        "INSERT INTO family(id, xref, data, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?4)",
                    )?
                    .execute(params![id, xref, data, self.now])?;
                self.note_fresh(FAMILY)?;
                let mut ins = self.tx.prepare_cached(
                    "INSERT OR IGNORE INTO family_member(family_id, person_id, role) VALUES (?1, ?2, ?3)",
                )?;
                let mut text = Uuid::encode_buffer();
                for (pid, role) in members {
                    ins.execute(params![id, &*pid.hyphenated().encode_lower(&mut text), role])?;
                }
                self.unchecked.extend(members.iter().map(|(pid, _)| *pid));
                Ok(())
            }
            NewKind::Source { id, xref, data } => {
                self.tx
                    .prepare_cached(
                        "INSERT INTO source(id, xref, data, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?4)",
                    )?
                    .execute(params![id, xref, data, self.now])?;
                self.note_fresh(SOURCE)
            }
            NewKind::Raw { id, xref, tag, data } => {
                self.tx
                    .prepare_cached(
                        "INSERT INTO raw_record(id, xref, tag, data, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
                    )?
                    .execute(params![id, xref, tag, data, self.now])?;
                self.note_fresh(RAW_RECORD)
            }
        }
    }

    /// [`Tx::put_person`] for a person whose id is new to the vault.
    pub fn insert_new_person(&mut self, p: &Person) -> Result<()> {
        self.insert_new(&NewRecord::person(p)?)
    }

    /// [`Tx::put_family_unchecked`] for a family whose id is new to the vault.
    pub fn insert_new_family(&mut self, f: &Family) -> Result<()> {
        self.insert_new(&NewRecord::family(f)?)
    }

    /// [`Tx::put_source`] for a source whose id is new to the vault.
    pub fn insert_new_source(&mut self, s: &Source) -> Result<()> {
        self.insert_new(&NewRecord::source(s)?)
    }

    /// [`Tx::put_raw_record`] for a record whose id is new to the vault.
    pub fn insert_new_raw_record(&mut self, r: &RawRecord) -> Result<()> {
        self.insert_new(&NewRecord::raw_record(r)?)
    }
}

fn parse_id(s: &str) -> Result<Uuid> {
    Uuid::parse_str(s).map_err(|e| VaultError::Invalid(format!("bad id {s}: {e}")))
}
