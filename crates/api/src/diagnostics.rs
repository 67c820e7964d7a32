//! Diagnostics for support and incidents: how much memory this process (and its webview
//! children) uses, what state a vault file is in, and a bundle of both that a user can send.
//!
//! **What a bundle never holds.** No names, condition labels, notes, xrefs, record or vault ids,
//! no vault path or file name (a file name can hold a surname: only sizes are reported), no
//! server URL or account id, no error *texts* that could quote a record or a path (only error
//! kinds and fixed explanations), no passphrase, no key. Everything is a number, a fixed word
//! chosen here, or a property of the machine (OS name, kernel release, CPU count, RAM).
//! `tests::bundle_has_no_names_ids_or_paths` and `crates/cli/tests/diagnose.rs` hold this.
//!
//! **Logs.** Kinvault writes its log to stderr only (`KINVAULT_LOG` sets the filter); there is
//! no log file, so a bundle has no log lines.
//!
//! **Memory alert.** [`MemoryAlert`] compares resident memory (this process plus its child
//! processes — the webviews) with the threshold from the settings (`memory_alert_mb`) and logs
//! one `warn` line when the total crosses it upwards and one `info` line when it falls back:
//! numbers only, once per crossing, however often the UI polls.
//!
//! Where `/proc` is missing (not Linux, or a sandbox) the process figures are `None` and the
//! child list is empty; nothing here panics on a missing or odd file.

use crate::{ApiError, ErrorKind, Result};
use kinvault_vault::{keys, vfs, Vault, VaultError};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::io::Read;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use ts_rs::TS;

/// Version of the bundle's JSON layout; bumped when a field changes meaning.
pub const BUNDLE_FORMAT: u32 = 1;
/// Child processes listed at most (a webview has a handful).
const MAX_CHILDREN: usize = 64;
/// Other Kinvault processes listed at most.
const MAX_APP_PROCESSES: usize = 16;

/// Memory of this process, the SQLite allocator inside it, and its child processes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct MemoryReport {
    /// Resident memory now (`VmRSS`); `None` without procfs.
    #[ts(type = "number | null")]
    pub rss_bytes: Option<u64>,
    /// The most resident memory since the process started (`VmHWM`); `None` without procfs.
    #[ts(type = "number | null")]
    pub peak_rss_bytes: Option<u64>,
    /// Bytes SQLite (SQLCipher) holds now through its allocator (`sqlite3_memory_used`).
    #[ts(type = "number")]
    pub sqlite_bytes: u64,
    /// The most SQLite has held at once (`sqlite3_memory_highwater`).
    #[ts(type = "number")]
    pub sqlite_peak_bytes: u64,
    /// Child processes of this one, recursively (in the desktop app: the webview processes).
    pub children: Vec<ProcessMemory>,
    /// Sum of the children's resident memory.
    #[ts(type = "number")]
    pub children_rss_bytes: u64,
}

/// One process: its short command name (`comm`, at most 15 bytes), id and resident memory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ProcessMemory {
    pub name: String,
    pub pid: u32,
    #[ts(type = "number | null")]
    pub rss_bytes: Option<u64>,
}

impl MemoryReport {
    /// This process, read from `/proc`.
    pub fn read() -> MemoryReport {
        Self::read_from(Path::new("/proc"), std::process::id())
    }

    /// As [`MemoryReport::read`] from another procfs root (tests use a fake one).
    pub fn read_from(proc_root: &Path, pid: u32) -> MemoryReport {
        let (rss_bytes, peak_rss_bytes) = read_status(proc_root, pid);
        let table = ProcTable::scan(proc_root);
        let children: Vec<ProcessMemory> = table
            .descendants(pid)
            .into_iter()
            .map(|e| ProcessMemory { name: e.comm.clone(), pid: e.pid, rss_bytes: read_status(proc_root, e.pid).0 })
            .collect();
        let children_rss_bytes = children.iter().filter_map(|c| c.rss_bytes).sum();
        MemoryReport {
            rss_bytes,
            peak_rss_bytes,
            sqlite_bytes: kinvault_vault::sqlite_memory_used().max(0) as u64,
            sqlite_peak_bytes: kinvault_vault::sqlite_memory_highwater().max(0) as u64,
            children,
            children_rss_bytes,
        }
    }

    /// This process plus its children: what the memory alert compares with its threshold.
    /// `None` when this process's own figure is unknown.
    pub fn total_rss_bytes(&self) -> Option<u64> {
        self.rss_bytes.map(|r| r.saturating_add(self.children_rss_bytes))
    }
}

/// `VmRSS` and `VmHWM` of a process, in bytes.
fn read_status(proc_root: &Path, pid: u32) -> (Option<u64>, Option<u64>) {
    match std::fs::read_to_string(proc_root.join(pid.to_string()).join("status")) {
        Ok(text) => (status_kib(&text, "VmRSS:"), status_kib(&text, "VmHWM:")),
        Err(_) => (None, None),
    }
}

/// A `Key:   1234 kB` line of `/proc/PID/status`, in bytes.
fn status_kib(text: &str, key: &str) -> Option<u64> {
    let line = text.lines().find(|l| l.starts_with(key))?;
    let mut words = line[key.len()..].split_whitespace();
    let n: u64 = words.next()?.parse().ok()?;
    match words.next() {
        Some("kB") | None => n.checked_mul(1024),
        Some(_) => None,
    }
}

/// One row of the process table: id, parent id and short name.
#[derive(Debug, Clone)]
struct ProcEntry {
    pid: u32,
    ppid: u32,
    comm: String,
}

/// `/proc/PID/stat`: `pid (comm) state ppid …`. `comm` may hold spaces and parentheses, so
/// the name ends at the *last* `)`.
fn parse_stat(text: &str) -> Option<(String, u32)> {
    let open = text.find('(')?;
    let close = text.rfind(')')?;
    if close < open {
        return None;
    }
    let comm = text[open + 1..close].to_string();
    let mut rest = text[close + 1..].split_whitespace();
    let _state = rest.next()?;
    let ppid = rest.next()?.parse().ok()?;
    Some((comm, ppid))
}

struct ProcTable {
    entries: Vec<ProcEntry>,
}

impl ProcTable {
    /// Every process whose `stat` is readable; empty without procfs. Processes that end while
    /// the table is read are skipped.
    fn scan(proc_root: &Path) -> ProcTable {
        let mut entries = vec![];
        if let Ok(dir) = std::fs::read_dir(proc_root) {
            for e in dir.flatten() {
                let Some(pid) = e.file_name().to_str().and_then(|n| n.parse::<u32>().ok()) else { continue };
                let Ok(text) = std::fs::read_to_string(e.path().join("stat")) else { continue };
                if let Some((comm, ppid)) = parse_stat(&text) {
                    entries.push(ProcEntry { pid, ppid, comm });
                }
            }
        }
        entries.sort_by_key(|e| e.pid);
        ProcTable { entries }
    }

    /// The children of `pid`, their children and so on (breadth first, each once, at most
    /// [`MAX_CHILDREN`]).
    fn descendants(&self, pid: u32) -> Vec<&ProcEntry> {
        let mut by_parent: BTreeMap<u32, Vec<&ProcEntry>> = BTreeMap::new();
        for e in &self.entries {
            by_parent.entry(e.ppid).or_default().push(e);
        }
        let mut seen = BTreeSet::from([pid]);
        let mut queue = VecDeque::from([pid]);
        let mut out = vec![];
        while let Some(p) = queue.pop_front() {
            for &c in by_parent.get(&p).map(Vec::as_slice).unwrap_or_default() {
                if out.len() >= MAX_CHILDREN {
                    return out;
                }
                if seen.insert(c.pid) {
                    out.push(c);
                    queue.push_back(c.pid);
                }
            }
        }
        out
    }
}

/// Another running Kinvault process (the desktop app seen from the CLI, a second CLI, a
/// sync server on this machine), with its children's memory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AppProcess {
    pub name: String,
    pub pid: u32,
    #[ts(type = "number | null")]
    pub rss_bytes: Option<u64>,
    #[ts(type = "number | null")]
    pub peak_rss_bytes: Option<u64>,
    #[ts(type = "number")]
    pub children_rss_bytes: u64,
    /// Its memory plus its children's is above this machine's `memory_alert_mb`.
    pub above_memory_alert: bool,
}

/// Processes named `kinvault…` other than `self_pid`.
pub fn kinvault_processes(proc_root: &Path, self_pid: u32, alert_bytes: u64) -> Vec<AppProcess> {
    let table = ProcTable::scan(proc_root);
    table
        .entries
        .iter()
        .filter(|e| e.pid != self_pid && e.comm.starts_with("kinvault"))
        .take(MAX_APP_PROCESSES)
        .map(|e| {
            let (rss_bytes, peak_rss_bytes) = read_status(proc_root, e.pid);
            let children_rss_bytes: u64 =
                table.descendants(e.pid).iter().filter_map(|c| read_status(proc_root, c.pid).0).sum();
            let above_memory_alert = rss_bytes.is_some_and(|r| r.saturating_add(children_rss_bytes) > alert_bytes);
            AppProcess {
                name: e.comm.clone(),
                pid: e.pid,
                rss_bytes,
                peak_rss_bytes,
                children_rss_bytes,
                above_memory_alert,
            }
        })
        .collect()
}

/// What the memory alert saw at one poll.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct MemoryStatus {
    pub memory: MemoryReport,
    /// This process plus its children (`None` without procfs).
    #[ts(type = "number | null")]
    pub total_rss_bytes: Option<u64>,
    /// The threshold from the settings, in MiB.
    pub alert_mb: u32,
    #[ts(type = "number")]
    pub alert_bytes: u64,
    /// `total_rss_bytes` is above the threshold (false when it is unknown).
    pub above_threshold: bool,
}

/// A threshold crossing seen by [`MemoryAlert::observe`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Crossing {
    /// No change since the last reading.
    None,
    /// Rose above the threshold (logged as a warning).
    Up,
    /// Fell back to or below it (logged as info).
    Down,
}

/// Remembers whether the last reading was above the threshold, so that each crossing is
/// logged once and not on every poll. Safe to share between threads.
#[derive(Debug, Default)]
pub struct MemoryAlert {
    above: AtomicBool,
}

pub fn mib_to_bytes(mb: u32) -> u64 {
    u64::from(mb) << 20
}

impl MemoryAlert {
    /// Compares `total` (bytes) with `limit_bytes` and logs a crossing. An unknown total (no
    /// procfs) counts as below and changes nothing.
    pub fn observe(&self, total: Option<u64>, limit_bytes: u64) -> (bool, Crossing) {
        let Some(total) = total else { return (false, Crossing::None) };
        let now = total > limit_bytes;
        let was = self.above.swap(now, Ordering::SeqCst);
        let crossing = match (was, now) {
            (false, true) => {
                tracing::warn!(rss_bytes = total, limit_bytes, "memory alert: resident memory above the threshold");
                Crossing::Up
            }
            (true, false) => {
                tracing::info!(
                    rss_bytes = total,
                    limit_bytes,
                    "memory alert cleared: resident memory below the threshold"
                );
                Crossing::Down
            }
            _ => Crossing::None,
        };
        (now, crossing)
    }

    /// Reads the memory report and observes it against `alert_mb`.
    pub fn status(&self, memory: MemoryReport, alert_mb: u32) -> MemoryStatus {
        let total_rss_bytes = memory.total_rss_bytes();
        let alert_bytes = mib_to_bytes(alert_mb);
        let (above_threshold, _) = self.observe(total_rss_bytes, alert_bytes);
        MemoryStatus { memory, total_rss_bytes, alert_mb, alert_bytes, above_threshold }
    }
}

/// The machine: nothing that names it or its user (no host name, no user name, no paths).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SystemInfo {
    /// `linux`, `macos`, `windows`…
    pub os: String,
    /// `PRETTY_NAME` from /etc/os-release, e.g. "Debian GNU/Linux 12 (bookworm)".
    pub os_name: Option<String>,
    /// Kernel release (`uname -r`).
    pub kernel: Option<String>,
    /// CPU architecture (`uname -m`).
    pub machine: String,
    pub cpus: u32,
    #[ts(type = "number | null")]
    pub ram_bytes: Option<u64>,
    #[ts(type = "number | null")]
    pub ram_available_bytes: Option<u64>,
}

impl SystemInfo {
    pub fn read() -> SystemInfo {
        Self::read_from(Path::new("/proc"), Path::new("/etc/os-release"))
    }

    fn read_from(proc_root: &Path, os_release: &Path) -> SystemInfo {
        let meminfo = std::fs::read_to_string(proc_root.join("meminfo")).unwrap_or_default();
        let os_name = std::fs::read_to_string(os_release)
            .or_else(|_| std::fs::read_to_string("/usr/lib/os-release"))
            .ok()
            .and_then(|t| pretty_name(&t));
        SystemInfo {
            os: std::env::consts::OS.to_string(),
            os_name,
            kernel: std::fs::read_to_string(proc_root.join("sys/kernel/osrelease"))
                .ok()
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty()),
            machine: std::env::consts::ARCH.to_string(),
            cpus: std::thread::available_parallelism().map(|n| n.get() as u32).unwrap_or(1),
            ram_bytes: status_kib(&meminfo, "MemTotal:"),
            ram_available_bytes: status_kib(&meminfo, "MemAvailable:"),
        }
    }
}

/// `PRETTY_NAME="…"` of an os-release file, unquoted.
fn pretty_name(text: &str) -> Option<String> {
    let v = text.lines().find_map(|l| l.strip_prefix("PRETTY_NAME="))?;
    let v = v.trim().trim_matches('"').trim_matches('\'').trim();
    (!v.is_empty()).then(|| v.chars().take(120).collect())
}

/// What the first 4 KiB of a file say about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum HeaderState {
    /// At least one key-envelope slot is intact: the passphrase or recovery key can open it.
    Valid,
    /// Kinvault's magic is there but no slot passes its checksum: the key header is damaged.
    Damaged,
    /// A plain (unencrypted) SQLite database, not a vault.
    PlainSqlite,
    /// Neither: some other file.
    NotAVault,
    /// Shorter than the 4 KiB header: truncated or not a vault.
    TooShort,
    /// The file exists but could not be read (permissions, I/O error).
    Unreadable,
    /// No file at the path.
    Missing,
}

/// A vault file examined without unlocking it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct VaultFileReport {
    pub header: HeaderState,
    #[ts(type = "number | null")]
    pub file_bytes: Option<u64>,
    /// The `-wal` beside it (present while open, or after a crash).
    #[ts(type = "number | null")]
    pub wal_bytes: Option<u64>,
    pub shm_present: bool,
    /// A `-journal` beside it: a bulk import was interrupted; the next unlock rolls it back.
    #[ts(type = "number | null")]
    pub journal_bytes: Option<u64>,
    /// The key-envelope format version (1 for `KINVLT01`).
    pub format_version: Option<u32>,
    /// Intact envelope slots (0, 1 or 2; a passphrase change leaves 2).
    pub valid_slots: u32,
    /// Generation of the newest intact slot (grows with each passphrase change or recovery).
    #[ts(type = "number | null")]
    pub envelope_generation: Option<u64>,
    /// Argon2id memory cost, KiB (unlock takes about this much memory).
    pub kdf_memory_kib: Option<u32>,
    pub kdf_iterations: Option<u32>,
    pub kdf_parallelism: Option<u32>,
    /// One sentence about the state, for people.
    pub summary: String,
}

fn sibling_len(path: &Path, suffix: &str) -> Option<u64> {
    let mut s = path.as_os_str().to_os_string();
    s.push(suffix);
    std::fs::metadata(Path::new(&s)).ok().filter(|m| m.is_file()).map(|m| m.len())
}

/// Examines a vault file without unlocking it: sizes, and whether its key header is intact.
/// Reads at most 4 KiB and writes nothing.
///
/// Do not use it on a vault this process has open ([`probe_open_vault`] is for that): on
/// POSIX, closing any descriptor of a file drops the process's SQLite locks on it.
pub fn probe_file(path: &Path) -> VaultFileReport {
    let meta = std::fs::metadata(path);
    let file_bytes = meta.as_ref().ok().filter(|m| m.is_file()).map(|m| m.len());
    let header = match &meta {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Ok(m) if !m.is_file() => Some(Err(())),
        _ => Some(read_head(path).map_err(|_| ())),
    };
    let mut report = match header {
        None => blank(HeaderState::Missing),
        Some(Err(())) => blank(HeaderState::Unreadable),
        Some(Ok(bytes)) => examine_header(&bytes),
    };
    report.file_bytes = file_bytes;
    report.wal_bytes = sibling_len(path, "-wal");
    report.shm_present = sibling_len(path, "-shm").is_some();
    report.journal_bytes = sibling_len(path, "-journal");
    report.summary = summary(&report);
    report
}

/// As [`probe_file`] for the vault this process has open: the header is read through SQLite's
/// own file handle.
pub fn probe_open_vault(vault: &Vault) -> VaultFileReport {
    let mut report = match vfs::read_header(vault.connection(), 0, vfs::HEADER_LEN) {
        Ok(bytes) => examine_header(&bytes),
        Err(_) => blank(HeaderState::Unreadable),
    };
    let path = vault.path();
    report.file_bytes = std::fs::metadata(path).ok().map(|m| m.len());
    report.wal_bytes = sibling_len(path, "-wal");
    report.shm_present = sibling_len(path, "-shm").is_some();
    report.journal_bytes = sibling_len(path, "-journal");
    report.summary = summary(&report);
    report
}

fn read_head(path: &Path) -> std::io::Result<Vec<u8>> {
    let mut bytes = Vec::with_capacity(vfs::HEADER_LEN);
    std::fs::File::open(path)?.take(vfs::HEADER_LEN as u64).read_to_end(&mut bytes)?;
    Ok(bytes)
}

fn blank(header: HeaderState) -> VaultFileReport {
    VaultFileReport {
        header,
        file_bytes: None,
        wal_bytes: None,
        shm_present: false,
        journal_bytes: None,
        format_version: None,
        valid_slots: 0,
        envelope_generation: None,
        kdf_memory_kib: None,
        kdf_iterations: None,
        kdf_parallelism: None,
        summary: String::new(),
    }
}

/// Kinvault's envelope magic is `KINVLT` followed by two version digits.
const MAGIC_PREFIX: &[u8] = b"KINVLT";

fn examine_header(bytes: &[u8]) -> VaultFileReport {
    if bytes.starts_with(b"SQLite format 3\0") {
        return blank(HeaderState::PlainSqlite);
    }
    if bytes.len() < vfs::HEADER_LEN {
        return blank(HeaderState::TooShort);
    }
    let slots: Vec<&[u8]> = bytes.chunks(keys::SLOT_LEN).take(2).collect();
    let version = slots.iter().find_map(|s| {
        let digits = s.strip_prefix(MAGIC_PREFIX)?.get(..2)?;
        std::str::from_utf8(digits).ok()?.parse::<u32>().ok()
    });
    let valid = slots.iter().filter(|s| keys::Envelope::decode(s).is_some()).count() as u32;
    let newest = keys::newest(bytes).map(|(_, e)| e);
    let mut r = blank(match (&newest, version) {
        (Some(_), _) => HeaderState::Valid,
        (None, Some(_)) => HeaderState::Damaged,
        (None, None) => HeaderState::NotAVault,
    });
    r.format_version = version;
    r.valid_slots = valid;
    if let Some(e) = newest {
        r.envelope_generation = Some(e.generation);
        r.kdf_memory_kib = Some(e.kdf.memory_kib);
        r.kdf_iterations = Some(e.kdf.iterations);
        r.kdf_parallelism = Some(e.kdf.parallelism);
    }
    r
}

fn summary(r: &VaultFileReport) -> String {
    let mut s = match r.header {
        HeaderState::Valid if r.valid_slots == 2 => "A Kinvault vault; its key header is intact.".to_string(),
        HeaderState::Valid => "A Kinvault vault; one of its two key-header slots is intact (normal for a vault \
                               whose passphrase was never changed, or after an interrupted change)."
            .to_string(),
        HeaderState::Damaged => "Kinvault's key header is there but damaged in both slots: the vault cannot be \
                                 unlocked. Restore it from a backup."
            .to_string(),
        HeaderState::PlainSqlite => "A plain SQLite database, not a Kinvault vault.".to_string(),
        HeaderState::NotAVault => "Not a Kinvault vault (no key header).".to_string(),
        HeaderState::TooShort => "Shorter than a vault's 4 KiB key header: truncated, or not a vault.".to_string(),
        HeaderState::Unreadable => "The file exists but could not be read (check its permissions).".to_string(),
        HeaderState::Missing => "There is no file at the given path.".to_string(),
    };
    if r.journal_bytes.is_some() {
        s.push_str(" A -journal file lies beside it: an import was interrupted; the next unlock rolls it back.");
    }
    s
}

/// Record counts of an open vault: numbers only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RecordCounts {
    #[ts(type = "number")]
    pub people: u64,
    #[ts(type = "number")]
    pub families: u64,
    #[ts(type = "number")]
    pub sources: u64,
    #[ts(type = "number")]
    pub media_files: u64,
    #[ts(type = "number")]
    pub media_bytes: u64,
    /// Imported records kept verbatim (repositories, submitters, shared notes…).
    #[ts(type = "number")]
    pub other_records: u64,
    #[ts(type = "number")]
    pub conditions: u64,
    #[ts(type = "number")]
    pub genetic_tests: u64,
    #[ts(type = "number")]
    pub change_log: u64,
}

/// Sync state without the server address, account, device or error text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SyncSummary {
    pub enabled: bool,
    /// Batches sealed here and not yet acknowledged by the server.
    #[ts(type = "number")]
    pub outbox: u64,
    #[ts(type = "number")]
    pub unresolved_conflicts: u64,
    /// The last sync failed (`kinvault sync VAULT --status` shows why).
    pub has_last_error: bool,
    /// Unix milliseconds of the last successful sync.
    #[ts(type = "number | null")]
    pub last_sync_at: Option<i64>,
}

/// The integrity check's verdict: "ok" or how many problems (not what they are: a problem
/// names a record).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct IntegritySummary {
    pub ok: bool,
    #[ts(type = "number")]
    pub problems: u64,
    /// Set when the check itself failed to run.
    pub error: Option<ErrorKind>,
}

/// An open vault: its size, SQLite layout, record counts, sync state and integrity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct VaultReport {
    #[ts(type = "number")]
    pub file_bytes: u64,
    #[ts(type = "number | null")]
    pub wal_bytes: Option<u64>,
    pub schema_version: u32,
    pub page_size: u32,
    #[ts(type = "number")]
    pub page_count: u64,
    #[ts(type = "number")]
    pub freelist_count: u64,
    pub counts: RecordCounts,
    /// `None` when the sync settings could not be read.
    pub sync: Option<SyncSummary>,
    /// `None` when the check was not asked for (it reads every page).
    pub integrity: Option<IntegritySummary>,
}

/// An integer PRAGMA. SQLCipher answers some (e.g. `page_size`, which it maps to
/// `cipher_page_size`) as text, so both forms are read.
fn pragma(vault: &Vault, name: &str) -> Result<u64> {
    let v: Option<i64> = vault
        .connection()
        .query_row(&format!("PRAGMA {name}"), [], |r| {
            let v = r.get_ref(0)?;
            Ok(v.as_i64().ok().or_else(|| v.as_str().ok().and_then(|s| s.trim().parse().ok())))
        })
        .map_err(VaultError::from)?;
    Ok(v.unwrap_or(0).max(0) as u64)
}

/// The report of an open vault; `integrity` runs the full integrity check (every page and its
/// MAC; seconds to minutes on a large vault).
pub fn vault_report(vault: &Vault, integrity: bool) -> Result<VaultReport> {
    let stats = vault.stats()?;
    let (media_files, media_bytes): (i64, i64) = vault
        .connection()
        .query_row("SELECT count(*), coalesce(sum(size), 0) FROM media_blob", [], |r| Ok((r.get(0)?, r.get(1)?)))
        .map_err(VaultError::from)?;
    let sync = kinvault_sync::status(vault).ok().map(|s| match s {
        None => SyncSummary {
            enabled: false,
            outbox: 0,
            unresolved_conflicts: 0,
            has_last_error: false,
            last_sync_at: None,
        },
        Some(s) => SyncSummary {
            enabled: true,
            outbox: s.outbox,
            unresolved_conflicts: s.unresolved_conflicts,
            has_last_error: s.last_error.is_some_and(|e| !e.is_empty()),
            last_sync_at: s.last_sync_at,
        },
    });
    let integrity = integrity.then(|| match vault.integrity_check() {
        Ok(r) => IntegritySummary { ok: r.ok, problems: r.problems.len() as u64, error: None },
        Err(e) => IntegritySummary { ok: false, problems: 0, error: Some(ApiError::from(e).kind) },
    });
    Ok(VaultReport {
        file_bytes: stats.file_bytes,
        wal_bytes: sibling_len(vault.path(), "-wal"),
        schema_version: stats.schema_version,
        page_size: u32::try_from(pragma(vault, "page_size")?).unwrap_or(u32::MAX),
        page_count: pragma(vault, "page_count")?,
        freelist_count: pragma(vault, "freelist_count")?,
        counts: RecordCounts {
            people: stats.individuals,
            families: stats.families,
            sources: stats.sources,
            media_files: media_files.max(0) as u64,
            media_bytes: media_bytes.max(0) as u64,
            other_records: stats.raw_records,
            conditions: stats.conditions,
            genetic_tests: stats.genetic_tests,
            change_log: stats.changes,
        },
        sync,
        integrity,
    })
}

/// Whether the vault was unlocked for the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case", tag = "status")]
pub enum UnlockOutcome {
    /// No vault was named.
    NoVault,
    /// Examined without unlocking (no passphrase given, or not asked to).
    NotAttempted,
    Unlocked,
    /// Unlocking failed: the error's kind and a fixed explanation (never the error's own text,
    /// which can hold the path).
    Failed {
        error: ErrorKind,
        explanation: String,
    },
}

impl UnlockOutcome {
    pub fn failed(e: &ApiError) -> UnlockOutcome {
        UnlockOutcome::Failed { error: e.kind, explanation: explain(e.kind).to_string() }
    }
}

/// A fixed sentence for an error kind, safe to put in a bundle.
pub fn explain(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::WrongPassphrase => "wrong passphrase (the vault is unchanged; the recovery key can reset it)",
        ErrorKind::WrongRecoveryKey => "wrong recovery key",
        ErrorKind::WeakPassphrase => "the passphrase is too short",
        ErrorKind::Locked => "the vault is locked",
        ErrorKind::NotFound => "no vault at the given path",
        ErrorKind::AlreadyExists => "a file already exists there",
        ErrorKind::NotAVault => "not a Kinvault vault, or its key header is damaged",
        ErrorKind::InvalidInput => "invalid input",
        ErrorKind::TooNew => "written by a newer Kinvault: update Kinvault to open it",
        ErrorKind::Corrupt => "the vault is damaged (run `kinvault check`; restore from a backup)",
        ErrorKind::Io => "a file-system error (disk full, permissions, or the file is on a drive that went away)",
        ErrorKind::Cancelled => "cancelled",
        ErrorKind::Internal => "an internal error (SQLite or encryption); report it with this bundle",
    }
}

/// The bundle a user sends with a support request or an incident. See the module docs for what
/// it never holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Diagnostics {
    /// Version of this layout (`BUNDLE_FORMAT`, now 1); bumped when a field changes meaning.
    pub format: u32,
    /// Unix milliseconds when it was collected.
    #[ts(type = "number")]
    pub generated_at: i64,
    pub app_version: String,
    /// `kinvault` (the CLI) or `kinvault-desktop`.
    pub collected_by: String,
    pub system: SystemInfo,
    /// The collecting process.
    pub memory: MemoryReport,
    /// The memory-alert threshold from the settings, MiB.
    pub memory_alert_mb: u32,
    /// The collecting process (with its children) is above it.
    pub memory_above_threshold: bool,
    /// Other `kinvault…` processes on this machine, e.g. the desktop app seen from the CLI.
    pub kinvault_processes: Vec<AppProcess>,
    pub unlock: UnlockOutcome,
    /// The vault file examined without unlocking (when a vault was named or is open).
    pub vault_file: Option<VaultFileReport>,
    /// The unlocked vault.
    pub vault: Option<VaultReport>,
}

impl Diagnostics {
    /// The machine and memory part; the caller adds the vault parts.
    pub fn collect(collected_by: &str, memory_alert_mb: u32, memory: MemoryReport, above_threshold: bool) -> Self {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0);
        Diagnostics {
            format: BUNDLE_FORMAT,
            generated_at: now,
            app_version: env!("CARGO_PKG_VERSION").to_string(),
            collected_by: collected_by.to_string(),
            system: SystemInfo::read(),
            memory,
            memory_alert_mb,
            memory_above_threshold: above_threshold,
            kinvault_processes: kinvault_processes(
                Path::new("/proc"),
                std::process::id(),
                mib_to_bytes(memory_alert_mb),
            ),
            unlock: UnlockOutcome::NoVault,
            vault_file: None,
            vault: None,
        }
    }
}

/// What the desktop app asks for.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
pub struct DiagnosticsRequest {
    /// A vault to examine without unlocking (e.g. one that will not open). Absent: the open
    /// vault, if any.
    #[serde(default)]
    pub path: Option<String>,
    /// Also run the integrity check of the open vault (reads every page: slow on a big vault).
    #[serde(default)]
    pub integrity: bool,
}

/// Whether two paths name the same file (same device and inode on Unix).
pub fn same_file(a: &Path, b: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        match (std::fs::metadata(a), std::fs::metadata(b)) {
            (Ok(x), Ok(y)) => x.dev() == y.dev() && x.ino() == y.ino(),
            _ => false,
        }
    }
    #[cfg(not(unix))]
    {
        match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
            (Ok(x), Ok(y)) => x == y,
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    fn fake_proc(dir: &Path, pid: u32, ppid: u32, comm: &str, rss_kib: u64, hwm_kib: u64) {
        let d = dir.join(pid.to_string());
        std::fs::create_dir_all(&d).unwrap();
        std::fs::write(d.join("stat"), format!("{pid} ({comm}) S {ppid} 1 1 0 -1 4194560 0 0 0 0\n")).unwrap();
        std::fs::write(
            d.join("status"),
            format!("Name:\t{comm}\nVmPeak:\t 9999 kB\nVmHWM:\t {hwm_kib} kB\nVmRSS:\t {rss_kib} kB\nThreads:\t1\n"),
        )
        .unwrap();
    }

    #[test]
    fn status_and_stat_parsing() {
        assert_eq!(status_kib("VmRSS:\t  1234 kB\n", "VmRSS:"), Some(1234 * 1024));
        assert_eq!(status_kib("VmRSS:\t  x kB\n", "VmRSS:"), None);
        assert_eq!(status_kib("VmHWM: 5 kB\n", "VmRSS:"), None);
        assert_eq!(status_kib("VmRSS: 5 MB\n", "VmRSS:"), None, "unknown unit is not guessed");
        // A command name with spaces and parentheses.
        assert_eq!(parse_stat("42 (a (b) c) S 7 1 1"), Some(("a (b) c".into(), 7)));
        assert_eq!(parse_stat("42 (x"), None);
        assert_eq!(parse_stat(""), None);
        assert_eq!(
            pretty_name("NAME=x\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n").as_deref(),
            Some("Debian GNU/Linux 12 (bookworm)")
        );
        assert_eq!(pretty_name("NAME=x\n"), None);
    }

    #[test]
    fn children_walked_recursively_from_a_fake_procfs() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path();
        fake_proc(p, 100, 1, "kinvault-deskto", 50_000, 60_000);
        fake_proc(p, 101, 100, "WebKitWebProces", 20_000, 21_000);
        fake_proc(p, 102, 100, "WebKitNetworkPr", 5_000, 5_000);
        fake_proc(p, 103, 101, "nested (child)", 1_000, 1_000);
        fake_proc(p, 200, 1, "unrelated", 7_000, 7_000);
        std::fs::create_dir_all(p.join("300")).unwrap(); // a process that went away: no stat
        std::fs::write(p.join("self"), b"not a dir").unwrap();
        let m = MemoryReport::read_from(p, 100);
        assert_eq!(m.rss_bytes, Some(50_000 * 1024));
        assert_eq!(m.peak_rss_bytes, Some(60_000 * 1024));
        let mut names: Vec<(&str, u32)> = m.children.iter().map(|c| (c.name.as_str(), c.pid)).collect();
        names.sort();
        assert_eq!(names, [("WebKitNetworkPr", 102), ("WebKitWebProces", 101), ("nested (child)", 103)]);
        assert_eq!(m.children_rss_bytes, 26_000 * 1024);
        assert_eq!(m.total_rss_bytes(), Some(76_000 * 1024));

        // Seen from another process (the CLI): the app and its children.
        let apps = kinvault_processes(p, 999, mib_to_bytes(64));
        assert_eq!(apps.len(), 1);
        assert_eq!((apps[0].pid, apps[0].children_rss_bytes), (100, 26_000 * 1024));
        assert!(apps[0].above_memory_alert, "76 MB > 64 MiB");
        assert!(!kinvault_processes(p, 999, mib_to_bytes(1024))[0].above_memory_alert);
        assert!(kinvault_processes(p, 100, 0).is_empty(), "itself is not listed");
    }

    #[test]
    fn a_cycle_in_the_process_table_does_not_loop() {
        let d = tempfile::tempdir().unwrap();
        fake_proc(d.path(), 10, 11, "a", 1, 1);
        fake_proc(d.path(), 11, 10, "b", 1, 1);
        let m = MemoryReport::read_from(d.path(), 10);
        assert_eq!(m.children.len(), 1);
    }

    #[test]
    fn no_procfs_is_tolerated() {
        let d = tempfile::tempdir().unwrap();
        let missing = d.path().join("no-proc");
        let m = MemoryReport::read_from(&missing, 1);
        assert_eq!((m.rss_bytes, m.peak_rss_bytes, m.total_rss_bytes()), (None, None, None));
        assert!(m.children.is_empty());
        assert_eq!(m.children_rss_bytes, 0);
        assert!(kinvault_processes(&missing, 1, 0).is_empty());
        let s = SystemInfo::read_from(&missing, &missing.join("os-release"));
        assert_eq!((s.kernel, s.ram_bytes), (None, None));
        assert!(s.cpus >= 1);
        // An unknown reading is below the threshold and never logs.
        let alert = MemoryAlert::default();
        let st = alert.status(m, 64);
        assert!(!st.above_threshold);
        assert_eq!(alert.observe(None, 0), (false, Crossing::None));
        // The real procfs, when there is one, gives this process's numbers.
        if Path::new("/proc/self/status").exists() {
            let m = MemoryReport::read();
            assert!(m.rss_bytes.unwrap() > 0 && m.peak_rss_bytes.unwrap() >= m.rss_bytes.unwrap());
        }
    }

    /// Counts `warn` and `info` events and keeps their fields, to see what a crossing logs.
    type Logged = Vec<(tracing::Level, Vec<(String, String)>)>;

    #[derive(Default, Clone)]
    struct Capture(Arc<Mutex<Logged>>);

    struct Fields(Vec<(String, String)>);

    impl tracing::field::Visit for Fields {
        fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
            self.0.push((field.name().to_string(), format!("{value:?}")));
        }
    }

    impl tracing::Subscriber for Capture {
        fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
            true
        }
        fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
            tracing::span::Id::from_u64(1)
        }
        fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
        fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
        fn event(&self, event: &tracing::Event<'_>) {
            let mut f = Fields(vec![]);
            event.record(&mut f);
            self.0.lock().unwrap().push((*event.metadata().level(), f.0));
        }
        fn enter(&self, _: &tracing::span::Id) {}
        fn exit(&self, _: &tracing::span::Id) {}
    }

    #[test]
    fn threshold_crossing_logs_once_per_crossing() {
        let capture = Capture::default();
        let alert = MemoryAlert::default();
        let mib = 1u64 << 20;
        let seen = tracing::subscriber::with_default(capture.clone(), || {
            let mut seen = vec![];
            for total in [100, 200, 1500, 1600, 1700, 1024, 900, 2000, 2000, 2000] {
                seen.push(alert.observe(Some(total * mib), 1024 * mib));
            }
            seen
        });
        let crossings: Vec<Crossing> = seen.iter().map(|s| s.1).collect();
        use Crossing::{Down, None as No, Up};
        assert_eq!(crossings, [No, No, Up, No, No, Down, No, Up, No, No]);
        assert_eq!(
            seen.iter().map(|s| s.0).collect::<Vec<_>>(),
            [false, false, true, true, true, false, false, true, true, true]
        );
        let events = capture.0.lock().unwrap();
        let warns: Vec<_> = events.iter().filter(|(l, _)| *l == tracing::Level::WARN).collect();
        let infos: Vec<_> = events.iter().filter(|(l, _)| *l == tracing::Level::INFO).collect();
        assert_eq!((warns.len(), infos.len()), (2, 1), "{events:?}");
        // Numbers only: the message and two integer fields.
        for (_, fields) in warns.iter().chain(&infos) {
            for (name, value) in fields {
                match name.as_str() {
                    "message" => assert!(value.starts_with("memory alert")),
                    "rss_bytes" | "limit_bytes" => assert!(value.parse::<u64>().is_ok(), "{name}={value}"),
                    other => panic!("unexpected field {other}"),
                }
            }
        }
        assert_eq!(warns[0].1.iter().find(|(n, _)| n == "rss_bytes").unwrap().1, (1500 * mib).to_string());
    }

    #[test]
    fn header_states() {
        let d = tempfile::tempdir().unwrap();
        let p = |name: &str, bytes: &[u8]| {
            let f = d.path().join(name);
            std::fs::write(&f, bytes).unwrap();
            probe_file(&f)
        };
        assert_eq!(probe_file(&d.path().join("nothing")).header, HeaderState::Missing);
        assert_eq!(probe_file(d.path()).header, HeaderState::Unreadable, "a directory");
        assert_eq!(p("short", b"hello").header, HeaderState::TooShort);
        let mut sqlite = b"SQLite format 3\0".to_vec();
        sqlite.resize(8192, 0);
        assert_eq!(p("plain.db", &sqlite).header, HeaderState::PlainSqlite);
        assert_eq!(p("zeros", &[0u8; 8192]).header, HeaderState::NotAVault);
        let mut damaged = vec![0u8; 8192];
        damaged[..8].copy_from_slice(b"KINVLT01");
        damaged[2048..2056].copy_from_slice(b"KINVLT01");
        let r = p("damaged", &damaged);
        assert_eq!((r.header, r.format_version, r.valid_slots), (HeaderState::Damaged, Some(1), 0));
        assert!(r.summary.contains("damaged"));
        assert_eq!(r.file_bytes, Some(8192));

        let vault_path = d.path().join("v.kinvault");
        let (v, _) = Vault::create(&vault_path, "pass phrase 1", kinvault_vault::KdfParams::TESTING_ONLY).unwrap();
        let open = probe_open_vault(&v);
        assert_eq!((open.header, open.format_version, open.valid_slots), (HeaderState::Valid, Some(1), 1));
        assert_eq!(open.kdf_memory_kib, Some(kinvault_vault::KdfParams::TESTING_ONLY.memory_kib));
        drop(v);
        let closed = probe_file(&vault_path);
        assert_eq!(closed.header, HeaderState::Valid);
        assert_eq!(closed.envelope_generation, open.envelope_generation);
        assert!(closed.file_bytes.unwrap() > 4096);
        assert_eq!(closed.journal_bytes, None);
    }
}
