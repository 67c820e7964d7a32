//! `sync-load`: the sync load benchmark (issue 9; see docs/benchmarks.md).
//!
//! ```text
//! sync-load [--records 100000] [--clients 1,4,16] [--seconds 20] [--edits 5]
//!           [--persons-per-account 1000] [--pool-size 16] [--server-bin PATH]
//! ```
//!
//! It starts a throwaway PostgreSQL cluster and the real `kinvault-server` binary as a child
//! process on 127.0.0.1 (rate limits raised so they never throttle the clients), then:
//!
//! 1. **Initial sync**: one vault with `--records` people (written in one transaction) creates an
//!    account and syncs (collect + seal + push); a second, empty vault joins and syncs (pull +
//!    open + apply); the second vault must then hold exactly the same people.
//! 2. **Concurrency**, for each N in `--clients`: N client threads, each with its own device and
//!    vault, in accounts of two devices (so every pull carries the other device's edits), loop
//!    { edit `--edits` people, sync } until `--seconds` have passed; each sync's latency is
//!    recorded. Afterwards the two devices of every account must hold the same data.
//!
//! The server's resident memory is sampled from `/proc/<pid>/status` by a thread during each
//! step, so it is the server's alone. Results go to standard output as Markdown, progress to
//! standard error. The exit status is non-zero when any sync fails or the data differ.

use anyhow::{anyhow, bail, ensure, Context, Result};
use clap::Parser;
use kinvault_bench::machine::Machine;
use kinvault_bench::peak;
use kinvault_bench::report::{fmt_bytes, fmt_kib, fmt_secs};
use kinvault_bench::run::fmt_int;
use kinvault_model::{ConditionObservation, ConditionStatus, Event, EventKind, Note, Person, PersonName, Place, Sex};
use kinvault_server::testing::TestPostgres;
use kinvault_sync::transport::{HttpTransport, PullPage, PushAck, Registration, SnapshotBlob, Transport};
use kinvault_sync::{create_account, join_account, sync, Options, SyncError};
use kinvault_vault::{KdfParams, Vault};
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::hash::{Hash, Hasher};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{mpsc, Arc, Barrier, OnceLock};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};
use uuid::Uuid;

const MAX_CLIENTS: usize = 64;
const MAX_SECONDS: u64 = 120;
const PASS: &str = "sync-load benchmark passphrase";

/// Sync load benchmark: N concurrent clients against a real kinvault-server on loopback, and a
/// large initial sync. Prints Markdown tables (see docs/benchmarks.md).
#[derive(Parser)]
#[command(version)]
struct Args {
    /// People in the vault of the initial-sync phase (0: skip that phase).
    #[arg(long, default_value_t = 100_000)]
    records: usize,
    /// Concurrent clients, comma-separated for several runs (each at most 64).
    #[arg(long, value_delimiter = ',', default_values_t = [16usize])]
    clients: Vec<usize>,
    /// Length of each concurrency run in seconds (at most 120); no sync starts after it.
    #[arg(long, default_value_t = 20)]
    seconds: u64,
    /// People each client edits before each of its syncs.
    #[arg(long, default_value_t = 5)]
    edits: usize,
    /// People in each account of the concurrency runs (shared by its two devices).
    #[arg(long, default_value_t = 1000)]
    persons_per_account: usize,
    /// The server's PostgreSQL pool size (KINVAULT_SERVER_POOL_SIZE).
    #[arg(long, default_value_t = 16)]
    pool_size: usize,
    /// The kinvault-server binary [default: next to this program].
    #[arg(long, value_name = "PATH")]
    server_bin: Option<PathBuf>,
}

fn main() -> ExitCode {
    let argv: Vec<String> = std::env::args().collect();
    let args = Args::parse();
    let command =
        std::iter::once("sync-load".to_string()).chain(argv.into_iter().skip(1)).collect::<Vec<_>>().join(" ");
    match run(&args, &command) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("sync-load: FAILED: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn progress(msg: impl AsRef<str>) {
    eprintln!("[sync-load] {}", msg.as_ref());
}

fn validate(args: &Args) -> Result<()> {
    ensure!(!args.clients.is_empty(), "--clients needs at least one number");
    for &n in &args.clients {
        ensure!((1..=MAX_CLIENTS).contains(&n), "--clients {n}: each run needs 1 to {MAX_CLIENTS} clients");
    }
    ensure!((1..=MAX_SECONDS).contains(&args.seconds), "--seconds {}: 1 to {MAX_SECONDS}", args.seconds);
    ensure!(args.edits >= 1, "--edits must be at least 1");
    ensure!(
        args.persons_per_account >= 2 * args.edits,
        "--persons-per-account must be at least twice --edits (each device edits its own half)"
    );
    ensure!(args.pool_size >= 1, "--pool-size must be at least 1");
    Ok(())
}

/// Runs everything; `Ok(false)` when phase 2 had errors or data differ (tables still printed).
fn run(args: &Args, command: &str) -> Result<bool> {
    validate(args)?;
    if cfg!(debug_assertions) {
        progress("debug build — build with --release for numbers that mean something");
    }
    let machine = Machine::detect();
    let server_bin = match &args.server_bin {
        Some(p) => p.clone(),
        None => std::env::current_exe()
            .context("finding this program")?
            .parent()
            .ok_or_else(|| anyhow!("this program has no directory"))?
            .join("kinvault-server"),
    };
    ensure!(
        server_bin.is_file(),
        "no server binary at {} (build it with `cargo build --release -p kinvault-server`, or pass --server-bin)",
        server_bin.display()
    );
    let server_version = Command::new(&server_bin)
        .arg("--version")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.lines().next().map(|l| l.trim().to_string()))
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "kinvault-server (version unknown)".into());

    progress("starting a throwaway PostgreSQL cluster");
    let pg = TestPostgres::start().map_err(|e| anyhow!("starting PostgreSQL: {e}"))?;
    let pg_version = std::fs::read_to_string(pg.data_dir().join("PG_VERSION"))
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|_| "?".into());
    let work = tempfile::Builder::new().prefix("kinvault-sync-load-").tempdir().context("temp dir")?;
    progress(format!("starting {} ({})", server_bin.display(), server_version));
    let mut server = ServerChild::start(&server_bin, &pg.url(), args.pool_size, work.path())?;
    server.postmaster = std::fs::read_to_string(pg.data_dir().join("postmaster.pid"))
        .ok()
        .and_then(|t| t.lines().next().and_then(|l| l.trim().parse().ok()));
    let url = format!("http://{}", server.addr);
    progress(format!("server pid {} listening on {url}; log {}", server.pid, server.log.display()));

    let phase1 = if args.records > 0 {
        Some(initial_sync(args.records, &url, &server, work.path())?)
    } else {
        progress("--records 0: initial-sync phase skipped");
        None
    };

    let mut runs = Vec::new();
    for &n in &args.clients {
        runs.push(concurrency(args, n, &url, &server, work.path())?);
    }

    let load_at_end = Machine::load_now();
    let md = markdown(args, command, &machine, &load_at_end, &server_version, &pg_version, phase1.as_ref(), &runs);
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{md}");
    let _ = out.flush();

    let mut ok = true;
    for r in &runs {
        if !r.errors.is_empty() {
            ok = false;
            progress(format!("{} clients: {} sync errors:", r.clients, r.errors.len()));
            for (msg, count) in count_distinct(&r.errors) {
                progress(format!("  {count}× {msg}"));
            }
        }
        if let Some(d) = &r.divergence {
            ok = false;
            progress(format!("{} clients: DEVICES DIFFER after the run: {d}", r.clients));
        }
    }
    drop(server);
    drop(pg);
    Ok(ok)
}

// ---------------------------------------------------------------------------------------------
// The server child process

/// The real `kinvault-server` as a child process; killed (SIGTERM, then SIGKILL) on drop.
struct ServerChild {
    child: Child,
    pid: u32,
    addr: SocketAddr,
    log: PathBuf,
    /// PostgreSQL's postmaster, for its CPU time.
    postmaster: Option<u32>,
}

impl ServerChild {
    fn start(bin: &Path, database_url: &str, pool_size: usize, dir: &Path) -> Result<ServerChild> {
        let log = dir.join("server.log");
        let mut cmd = Command::new(bin);
        cmd.arg("serve")
            .env("KINVAULT_SERVER_DATABASE_URL", database_url)
            .env("KINVAULT_SERVER_LISTEN", "127.0.0.1:0")
            .env("KINVAULT_SERVER_RATE_PER_SEC", "1000000")
            .env("KINVAULT_SERVER_RATE_BURST", "1000000")
            .env("KINVAULT_SERVER_IP_RATE_PER_SEC", "1000000")
            .env("KINVAULT_SERVER_IP_RATE_BURST", "1000000")
            .env("KINVAULT_SERVER_POOL_SIZE", pool_size.to_string())
            .env_remove("KINVAULT_SERVER_MEMORY_ALERT_BYTES")
            .env_remove("KINVAULT_SERVER_MAX_BODY_BYTES")
            .env("RUST_LOG", "info")
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        // If this process dies without running its destructors (SIGKILL, Ctrl-C), the kernel
        // sends the server SIGTERM.
        // SAFETY: prctl is async-signal-safe; nothing else runs between fork and exec.
        unsafe {
            cmd.pre_exec(|| {
                if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM as libc::c_ulong) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let mut child = cmd.spawn().with_context(|| format!("starting {}", bin.display()))?;
        let pid = child.id();
        let stderr = child.stderr.take().expect("piped");
        let (tx, rx) = mpsc::channel::<SocketAddr>();
        let mut file = std::fs::File::create(&log).context("server log file")?;
        // Copies the server's log to the file and reports the address it listens on.
        std::thread::spawn(move || {
            let mut tx = Some(tx);
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                let _ = writeln!(file, "{line}");
                if tx.is_some() && line.contains("kinvault-server listening") {
                    if let Some(addr) = listen_addr(&line) {
                        let _ = tx.take().expect("some").send(addr);
                    }
                }
            }
        });
        let mut server = ServerChild { child, pid, addr: "127.0.0.1:0".parse().expect("addr"), log, postmaster: None };
        let until = Instant::now() + Duration::from_secs(60);
        loop {
            match rx.recv_timeout(Duration::from_millis(100)) {
                Ok(addr) => {
                    server.addr = addr;
                    break;
                }
                Err(mpsc::RecvTimeoutError::Timeout) if Instant::now() < until => {
                    if let Some(status) = server.child.try_wait()? {
                        bail!("the server exited ({status}) before listening: {}", server.log_tail());
                    }
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    bail!("the server did not report its address within 60 s: {}", server.log_tail())
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    // Its standard error closed: it exited (or closed it) without listening.
                    let status = server.child.wait()?;
                    bail!("the server exited ({status}) before listening: {}", server.log_tail());
                }
            }
        }
        // Ready when /health says so (database reachable).
        let until = Instant::now() + Duration::from_secs(30);
        loop {
            match http_get(server.addr, "/health") {
                Ok((200, _)) => break,
                _ if Instant::now() < until => std::thread::sleep(Duration::from_millis(100)),
                Ok((status, body)) => bail!("/health answered {status}: {body}"),
                Err(e) => bail!("/health: {e}; {}", server.log_tail()),
            }
        }
        Ok(server)
    }

    fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(5)..].join(" / ")
    }

    fn rss(&self) -> Option<u64> {
        proc_status_kib(self.pid, "VmRSS:")
    }

    fn metrics(&self) -> Metrics {
        match http_get(self.addr, "/metrics") {
            Ok((200, body)) => Metrics::parse(&body),
            _ => Metrics::default(),
        }
    }
}

impl Drop for ServerChild {
    fn drop(&mut self) {
        if let Ok(Some(_)) = self.child.try_wait() {
            return;
        }
        // SAFETY: signalling our own child, which has not been reaped yet.
        unsafe {
            libc::kill(self.pid as libc::pid_t, libc::SIGTERM);
        }
        let until = Instant::now() + Duration::from_secs(10);
        while Instant::now() < until {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `addr=127.0.0.1:1234` in a log line (ANSI colour codes ignored).
fn listen_addr(line: &str) -> Option<SocketAddr> {
    let mut plain = String::new();
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            plain.push(c);
        }
    }
    plain.split_whitespace().find_map(|w| w.strip_prefix("addr=")).and_then(|a| a.parse().ok())
}

/// A plain HTTP/1.1 GET on loopback: (status, body).
fn http_get(addr: SocketAddr, path: &str) -> Result<(u16, String)> {
    let mut s = TcpStream::connect_timeout(&addr, Duration::from_secs(5))?;
    s.set_read_timeout(Some(Duration::from_secs(10)))?;
    write!(s, "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n")?;
    let mut buf = Vec::new();
    s.read_to_end(&mut buf)?;
    let text = String::from_utf8_lossy(&buf);
    let (head, body) = text.split_once("\r\n\r\n").ok_or_else(|| anyhow!("no HTTP head"))?;
    let status =
        head.split_whitespace().nth(1).and_then(|s| s.parse().ok()).ok_or_else(|| anyhow!("no HTTP status"))?;
    Ok((status, body.to_string()))
}

fn proc_status_kib(pid: u32, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    line[field.len()..].trim().trim_end_matches("kB").trim().parse().ok()
}

/// The server's request counters from `/metrics`.
#[derive(Debug, Clone, Default)]
struct Metrics {
    requests: u64,
    /// 429 and 5xx answers.
    refused: u64,
    batches_stored: u64,
    snapshots_stored: u64,
}

impl Metrics {
    fn parse(text: &str) -> Metrics {
        let mut m = Metrics::default();
        for line in text.lines() {
            let Some((series, value)) = line.rsplit_once(' ') else { continue };
            let value = value.parse::<f64>().unwrap_or(0.0) as u64;
            if series.starts_with("kinvault_http_requests_total{") {
                m.requests += value;
                let status = series.split("status=\"").nth(1).and_then(|s| s.split('"').next()).unwrap_or("");
                if status == "429" || status.starts_with('5') {
                    m.refused += value;
                }
            } else if series == "kinvault_batches_stored_total" {
                m.batches_stored = value;
            } else if series == "kinvault_snapshots_stored_total" {
                m.snapshots_stored = value;
            }
        }
        m
    }

    fn since(&self, before: &Metrics) -> Metrics {
        Metrics {
            requests: self.requests.saturating_sub(before.requests),
            refused: self.refused.saturating_sub(before.refused),
            batches_stored: self.batches_stored.saturating_sub(before.batches_stored),
            snapshots_stored: self.snapshots_stored.saturating_sub(before.snapshots_stored),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Memory

/// Samples the server's RSS every 20 ms during one step. The kernel's high-water mark (`VmHWM`)
/// is reset at the start (`/proc/<pid>/clear_refs`), so a peak between two samples is caught
/// too.
struct RssSampler {
    pid: u32,
    stop: Arc<AtomicBool>,
    thread: JoinHandle<u64>,
    start_kib: u64,
    hwm_reset: bool,
}

#[derive(Debug, Clone, Copy, Default)]
struct RssReading {
    start_kib: u64,
    peak_kib: u64,
    end_kib: u64,
}

impl RssSampler {
    fn start(server: &ServerChild) -> RssSampler {
        let pid = server.pid;
        let start_kib = server.rss().unwrap_or(0);
        let hwm_reset = std::fs::OpenOptions::new()
            .write(true)
            .open(format!("/proc/{pid}/clear_refs"))
            .and_then(|mut f| f.write_all(b"5"))
            .is_ok();
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::spawn(move || {
            let mut max = 0;
            while !flag.load(Ordering::Relaxed) {
                max = max.max(proc_status_kib(pid, "VmRSS:").unwrap_or(0));
                std::thread::sleep(Duration::from_millis(20));
            }
            max
        });
        RssSampler { pid, stop, thread, start_kib, hwm_reset }
    }

    fn finish(self) -> RssReading {
        self.stop.store(true, Ordering::Relaxed);
        let sampled = self.thread.join().unwrap_or(0);
        let end_kib = proc_status_kib(self.pid, "VmRSS:").unwrap_or(0);
        let hwm = if self.hwm_reset { proc_status_kib(self.pid, "VmHWM:").unwrap_or(0) } else { 0 };
        RssReading { start_kib: self.start_kib, peak_kib: sampled.max(hwm).max(end_kib), end_kib }
    }
}

/// This process's peak RSS since the last [`peak::reset_hwm`] (or since start, from
/// `getrusage` where `/proc` does not tell).
fn bench_peak_kib() -> u64 {
    peak::vm_hwm_kib().unwrap_or_else(|| {
        // SAFETY: an all-zero `rusage` is valid; getrusage fills it.
        let mut u: libc::rusage = unsafe { std::mem::zeroed() };
        // SAFETY: a valid pointer to a local.
        unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut u) };
        u64::try_from(u.ru_maxrss).unwrap_or(0)
    })
}

/// Gives freed heap back to the kernel, so a step's RSS starts from what is really in use.
fn trim_heap() {
    #[cfg(target_env = "gnu")]
    // SAFETY: malloc_trim only releases free memory of the allocator's own arenas.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// CPU seconds used so far: this process (every client thread), the server, and PostgreSQL
/// (the postmaster, its live backends, and those that ended).
#[derive(Debug, Clone, Copy, Default)]
struct Cpu {
    bench: f64,
    server: f64,
    postgres: f64,
}

impl Cpu {
    fn now(server: &ServerChild) -> Cpu {
        // SAFETY: an all-zero `rusage` is valid; getrusage fills it.
        let mut u: libc::rusage = unsafe { std::mem::zeroed() };
        // SAFETY: a valid pointer to a local.
        unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut u) };
        let tv = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
        let bench = tv(u.ru_utime) + tv(u.ru_stime);
        let server_cpu = proc_cpu(server.pid).map(|c| c.own).unwrap_or(0.0);
        let mut postgres = 0.0;
        if let Some(pm) = server.postmaster {
            if let Ok(entries) = std::fs::read_dir("/proc") {
                for e in entries.flatten() {
                    let Some(pid) = e.file_name().to_str().and_then(|n| n.parse::<u32>().ok()) else { continue };
                    match proc_cpu(pid) {
                        Some(c) if pid == pm => postgres += c.own + c.children,
                        Some(c) if c.ppid == pm => postgres += c.own,
                        _ => {}
                    }
                }
            }
        }
        Cpu { bench, server: server_cpu, postgres }
    }

    fn since(&self, b: &Cpu) -> Cpu {
        Cpu { bench: self.bench - b.bench, server: self.server - b.server, postgres: self.postgres - b.postgres }
    }

    fn cell(&self) -> String {
        format!("{:.1} / {:.1} / {:.1}", self.bench, self.server, self.postgres)
    }
}

struct ProcCpu {
    own: f64,
    children: f64,
    ppid: u32,
}

/// From `/proc/<pid>/stat`: user + system time, that of reaped children, the parent.
fn proc_cpu(pid: u32) -> Option<ProcCpu> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest = &stat[stat.rfind(')')? + 1..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    // SAFETY: sysconf has no preconditions.
    let tick = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as f64;
    let n = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0) / tick;
    Some(ProcCpu { own: n(11) + n(12), children: n(13) + n(14), ppid: f.get(1)?.parse().ok()? })
}

/// What one step cost: time, the server's memory, this process's memory, CPU everywhere.
struct Probe {
    rss: RssSampler,
    bench_before_kib: u64,
    cpu: Cpu,
    t: Instant,
}

#[derive(Debug, Clone, Copy)]
struct Measured {
    secs: f64,
    server: RssReading,
    bench_before_kib: u64,
    bench_peak_kib: u64,
    cpu: Cpu,
}

impl Probe {
    fn start(server: &ServerChild) -> Probe {
        trim_heap();
        peak::reset_hwm();
        let bench_before_kib = peak::vm_rss_kib().unwrap_or(0);
        let rss = RssSampler::start(server);
        Probe { rss, bench_before_kib, cpu: Cpu::now(server), t: Instant::now() }
    }

    fn finish(self, server: &ServerChild) -> Measured {
        let secs = self.t.elapsed().as_secs_f64();
        let cpu = Cpu::now(server).since(&self.cpu);
        Measured {
            secs,
            server: self.rss.finish(),
            bench_before_kib: self.bench_before_kib,
            bench_peak_kib: bench_peak_kib(),
            cpu,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// A transport that counts

/// The app's HTTP client, counting requests, ciphertext bytes and the time spent in requests.
struct Counting {
    inner: HttpTransport,
    requests: AtomicU64,
    sent: AtomicU64,
    received: AtomicU64,
    pulled_batches: AtomicU64,
    nanos: AtomicU64,
}

impl Counting {
    fn new(url: &str) -> Result<Counting> {
        Ok(Counting {
            inner: HttpTransport::new(url).map_err(|e| anyhow!("{e}"))?,
            requests: AtomicU64::new(0),
            sent: AtomicU64::new(0),
            received: AtomicU64::new(0),
            pulled_batches: AtomicU64::new(0),
            nanos: AtomicU64::new(0),
        })
    }

    fn timed<T>(&self, f: impl FnOnce() -> T) -> T {
        let t = Instant::now();
        let out = f();
        self.nanos.fetch_add(t.elapsed().as_nanos() as u64, Ordering::Relaxed);
        self.requests.fetch_add(1, Ordering::Relaxed);
        out
    }

    fn snapshot(&self) -> IoCount {
        IoCount {
            requests: self.requests.load(Ordering::Relaxed),
            sent: self.sent.load(Ordering::Relaxed),
            received: self.received.load(Ordering::Relaxed),
            pulled_batches: self.pulled_batches.load(Ordering::Relaxed),
            secs: self.nanos.load(Ordering::Relaxed) as f64 / 1e9,
        }
    }
}

#[derive(Debug, Clone, Copy, Default)]
struct IoCount {
    requests: u64,
    sent: u64,
    received: u64,
    pulled_batches: u64,
    secs: f64,
}

impl IoCount {
    fn since(&self, b: &IoCount) -> IoCount {
        IoCount {
            requests: self.requests - b.requests,
            sent: self.sent - b.sent,
            received: self.received - b.received,
            pulled_batches: self.pulled_batches - b.pulled_batches,
            secs: self.secs - b.secs,
        }
    }
}

impl Transport for Counting {
    fn create_account(&self, auth_key: &[u8; 32]) -> Result<Registration, SyncError> {
        self.timed(|| self.inner.create_account(auth_key))
    }
    fn add_device(&self, account: Uuid, auth_key: &[u8; 32]) -> Result<Registration, SyncError> {
        self.timed(|| self.inner.add_device(account, auth_key))
    }
    fn push(&self, token: &str, seq: u64, ciphertext: &[u8]) -> Result<PushAck, SyncError> {
        self.sent.fetch_add(ciphertext.len() as u64, Ordering::Relaxed);
        self.timed(|| self.inner.push(token, seq, ciphertext))
    }
    fn pull(&self, token: &str, after: i64, limit: u32) -> Result<PullPage, SyncError> {
        let page = self.timed(|| self.inner.pull(token, after, limit))?;
        let bytes: usize = page.batches.iter().map(|b| b.ciphertext.len()).sum();
        self.received.fetch_add(bytes as u64, Ordering::Relaxed);
        self.pulled_batches.fetch_add(page.batches.len() as u64, Ordering::Relaxed);
        Ok(page)
    }
    fn put_snapshot(&self, token: &str, cursor: i64, ciphertext: &[u8]) -> Result<(), SyncError> {
        self.sent.fetch_add(ciphertext.len() as u64, Ordering::Relaxed);
        self.timed(|| self.inner.put_snapshot(token, cursor, ciphertext))
    }
    fn get_snapshot(&self, token: &str) -> Result<Option<SnapshotBlob>, SyncError> {
        let snap = self.timed(|| self.inner.get_snapshot(token))?;
        if let Some(s) = &snap {
            self.received.fetch_add(s.ciphertext.len() as u64, Ordering::Relaxed);
        }
        Ok(snap)
    }
}

// ---------------------------------------------------------------------------------------------
// Vaults and people

const GIVEN: [&str; 16] = [
    "Ada", "Bruno", "Clara", "Dmitri", "Elif", "Farid", "Greta", "Hugo", "Ines", "Jonas", "Kaja", "Liam", "Mira",
    "Nils", "Olga", "Pavel",
];
const SURNAMES: [&str; 12] = [
    "Andersen", "Baker", "Costa", "Dubois", "Eriksen", "Fischer", "Garcia", "Horvat", "Ivanova", "Jensen", "Kowalski",
    "Laine",
];
const PLACES: [&str; 6] = ["Bergen", "Lyon", "Porto", "Graz", "Tartu", "Cork"];
const MONTHS: [&str; 12] = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];

/// Person `i` of a synthetic family tree: a name, sex, a dated birth with a place, a note, and
/// a condition for every seventh person — the shape of a typical imported record, smaller.
fn person(i: usize) -> Person {
    let sex = if i.is_multiple_of(2) { Sex::Female } else { Sex::Male };
    let mut p = Person::new(PersonName::new(GIVEN[i % GIVEN.len()], SURNAMES[(i / 7) % SURNAMES.len()]), sex);
    let date = format!("{} {} {}", 1 + i % 28, MONTHS[(i / 3) % 12], 1900 + i % 110);
    let mut birth = Event::new(EventKind::Birth, Some(&date));
    birth.place = Some(Place { name: PLACES[i % PLACES.len()].to_string(), latitude: None, longitude: None });
    p.events.push(birth);
    // A token that does not compress, as real text compresses less than these repetitive names.
    let mut z = (i as u64).wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    p.notes.push(Note {
        text: format!("Synthetic person {i} ({:016x}), written by the sync load benchmark.", z ^ (z >> 31)),
    });
    if i.is_multiple_of(7) {
        p.conditions.push(ConditionObservation::new(None, "Type 2 diabetes", ConditionStatus::Affected));
    }
    p
}

fn new_vault(dir: &Path, name: &str) -> Result<Vault> {
    // Test key-derivation parameters: opening a vault is not what is measured.
    Ok(Vault::create(&dir.join(format!("{name}.kinvault")), PASS, KdfParams::TESTING_ONLY)?.0)
}

/// Writes `n` people in one transaction; their ids in order.
fn fill(vault: &mut Vault, n: usize, offset: usize) -> Result<Vec<Uuid>> {
    let people: Vec<Person> = (0..n).map(|i| person(offset + i)).collect();
    let ids = people.iter().map(|p| p.id).collect();
    vault.write_bulk(|tx| {
        for p in &people {
            tx.put_person(p)?;
        }
        Ok(())
    })?;
    Ok(ids)
}

/// Every person as JSON, hashed, by id: equal maps mean equal people.
fn digest(vault: &Vault) -> Result<BTreeMap<Uuid, u64>> {
    let mut out = BTreeMap::new();
    vault.for_each_person(|p| {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        serde_json::to_string(&p).unwrap_or_default().hash(&mut h);
        out.insert(p.id, h.finish());
        Ok(())
    })?;
    Ok(out)
}

/// Why two digests differ, or `None`.
fn compare(a: &BTreeMap<Uuid, u64>, b: &BTreeMap<Uuid, u64>) -> Option<String> {
    if a == b {
        return None;
    }
    let missing = a.keys().filter(|k| !b.contains_key(k)).count();
    let extra = b.keys().filter(|k| !a.contains_key(k)).count();
    let differ = a.iter().filter(|(k, v)| b.get(k).is_some_and(|w| w != *v)).count();
    Some(format!(
        "{} vs {} people: {missing} missing, {extra} extra, {differ} with different content",
        a.len(),
        b.len()
    ))
}

fn sync_err(e: SyncError) -> anyhow::Error {
    anyhow!("{e}")
}

// ---------------------------------------------------------------------------------------------
// Phase 1: initial sync

/// One step of the initial sync.
struct Step {
    label: String,
    records: Option<u64>,
    batches: Option<u64>,
    m: Measured,
    /// Whether the step involved the server (its memory and CPU are shown).
    server: bool,
    notes: Vec<String>,
}

struct Phase1 {
    records: usize,
    steps: Vec<Step>,
    check: String,
}

fn initial_sync(records: usize, url: &str, server: &ServerChild, dir: &Path) -> Result<Phase1> {
    let dir = dir.join("initial");
    std::fs::create_dir_all(&dir)?;
    let mut steps = Vec::new();

    progress(format!("initial sync: writing {} people into vault A (one transaction)", fmt_int(records as u64)));
    let mut a = new_vault(&dir, "a")?;
    let probe = Probe::start(server);
    fill(&mut a, records, 0)?;
    let m = probe.finish(server);
    steps.push(Step {
        label: "write people into vault A (one transaction; not sync)".into(),
        records: Some(records as u64),
        batches: None,
        m,
        server: false,
        notes: vec![format!("vault {}", vault_size(a.path()))],
    });
    progress(format!("  {}", fmt_secs(m.secs)));

    let ta = Counting::new(url)?;
    let t = Instant::now();
    create_account(&mut a, &ta, url).map_err(sync_err).context("creating the account")?;
    let create_secs = t.elapsed().as_secs_f64();

    progress("initial sync: device A's first sync (collect + seal + push)");
    let before = ta.snapshot();
    let m0 = server.metrics();
    let probe = Probe::start(server);
    let report = sync(&mut a, &ta, &Options::default()).map_err(sync_err).context("device A's first sync")?;
    let m = probe.finish(server);
    let io = ta.snapshot().since(&before);
    let stored = server.metrics().since(&m0);
    progress(format!(
        "  {}: {} records in {} batches, {} sent",
        fmt_secs(m.secs),
        fmt_int(report.pushed_changes),
        report.pushed_batches,
        fmt_bytes(io.sent)
    ));
    ensure!(
        report.pushed_changes >= records as u64,
        "device A pushed {} records, expected at least {records}",
        report.pushed_changes
    );
    steps.push(Step {
        label: "device A, first sync: collect + seal + push".into(),
        records: Some(report.pushed_changes),
        batches: Some(report.pushed_batches),
        m,
        server: true,
        notes: vec![
            format!("{} sent (ciphertext)", fmt_bytes(io.sent)),
            format!(
                "{} in {} HTTP requests ({:.0} %), {} collecting, sealing and storing locally",
                fmt_secs(io.secs),
                io.requests,
                100.0 * io.secs / m.secs.max(1e-9),
                fmt_secs((m.secs - io.secs).max(0.0))
            ),
            format!("server stored {} batches", stored.batches_stored),
            format!("account creation before it {} (Argon2id 19 MiB, not in time)", fmt_secs(create_secs)),
            format!("vault A afterwards {}", vault_size(a.path())),
        ],
    });

    progress("initial sync: device B joins and syncs (pull + open + apply)");
    let mut b = new_vault(&dir, "b")?;
    let tb = Counting::new(url)?;
    let code = kinvault_sync::join_code(&a).map_err(sync_err)?;
    let probe = Probe::start(server);
    let joined = join_account(&mut b, &tb, url, &code).map_err(sync_err).context("device B joining")?;
    let m = probe.finish(server);
    steps.push(Step {
        label: "device B joins (register; snapshot if any)".into(),
        records: None,
        batches: None,
        m,
        server: true,
        notes: vec![
            if joined.snapshot_applied {
                format!("snapshot at cursor {} applied", joined.cursor)
            } else {
                "no snapshot on the server yet (a device makes one after 200 batches)".into()
            },
            "includes Argon2id 19 MiB key derivation".into(),
        ],
    });

    let before = tb.snapshot();
    let probe = Probe::start(server);
    let report = sync(&mut b, &tb, &Options::default()).map_err(sync_err).context("device B's first sync")?;
    let m = probe.finish(server);
    let io = tb.snapshot().since(&before);
    progress(format!(
        "  {}: {} records from {} batches, {} received",
        fmt_secs(m.secs),
        fmt_int(report.applied_changes),
        report.pulled_batches,
        fmt_bytes(io.received)
    ));
    let mut notes = vec![
        format!("{} received (ciphertext)", fmt_bytes(io.received)),
        format!(
            "{} in {} HTTP requests ({:.0} %), {} opening and applying locally",
            fmt_secs(io.secs),
            io.requests,
            100.0 * io.secs / m.secs.max(1e-9),
            fmt_secs((m.secs - io.secs).max(0.0))
        ),
    ];
    if report.snapshot_uploaded {
        notes.push("uploaded a snapshot (included)".into());
    }
    notes.push(format!("vault B afterwards {}", vault_size(b.path())));
    steps.push(Step {
        label: "device B, first sync: pull + open + apply".into(),
        records: Some(report.applied_changes),
        batches: Some(report.pulled_batches),
        m,
        server: true,
        notes,
    });

    progress("initial sync: comparing the two vaults");
    let stats = b.stats()?;
    ensure!(
        stats.individuals == records as u64,
        "device B holds {} people after its first sync, device A {records}",
        stats.individuals
    );
    let (da, db) = (digest(&a)?, digest(&b)?);
    if let Some(why) = compare(&da, &db) {
        bail!("device B's people differ from device A's: {why}");
    }
    let check = format!(
        "Check: device B holds {} people after its first sync, as device A does, every one identical \
         (each person's JSON compared).",
        fmt_int(stats.individuals)
    );
    Ok(Phase1 { records, steps, check })
}

/// `12.3 MB + WAL 4.5 MB`.
fn vault_size(p: &Path) -> String {
    let main = std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
    let wal = std::fs::metadata(format!("{}-wal", p.display())).map(|m| m.len()).unwrap_or(0);
    if wal > 0 {
        format!("{} + WAL {}", fmt_bytes(main), fmt_bytes(wal))
    } else {
        fmt_bytes(main)
    }
}

// ---------------------------------------------------------------------------------------------
// Phase 2: concurrency

struct Device {
    account: usize,
    vault: Vault,
    transport: Counting,
    /// The people this device edits (its half of the account's).
    mine: Vec<Uuid>,
}

#[derive(Default)]
struct ClientResult {
    latencies: Vec<Duration>,
    /// Latencies of the syncs that also uploaded a snapshot.
    snapshot_latencies: Vec<Duration>,
    pushed: u64,
    pulled: u64,
    snapshots: u64,
    errors: Vec<String>,
}

struct Phase2 {
    clients: usize,
    accounts: usize,
    wall_secs: f64,
    syncs: usize,
    pushed: u64,
    pulled: u64,
    snapshots: u64,
    latencies_ms: Vec<f64>,
    snapshot_latencies_ms: Vec<f64>,
    errors: Vec<String>,
    server: RssReading,
    cpu: Cpu,
    metrics: Metrics,
    setup_secs: f64,
    divergence: Option<String>,
    io: IoCount,
}

fn concurrency(args: &Args, n: usize, url: &str, server: &ServerChild, dir: &Path) -> Result<Phase2> {
    let dir = dir.join(format!("clients-{n}"));
    std::fs::create_dir_all(&dir)?;
    let accounts = n.div_ceil(2);
    progress(format!(
        "{n} clients: setting up {accounts} account(s) of {} people, two devices each",
        fmt_int(args.persons_per_account as u64)
    ));
    let t = Instant::now();
    let mut devices = Vec::with_capacity(n);
    for k in 0..accounts {
        let pair = if 2 * k + 1 < n { 2 } else { 1 };
        let mut a = new_vault(&dir, &format!("acct{k}-a"))?;
        let ids = fill(&mut a, args.persons_per_account, k * args.persons_per_account)?;
        let ta = Counting::new(url)?;
        let code = create_account(&mut a, &ta, url).map_err(sync_err)?;
        sync(&mut a, &ta, &Options::default()).map_err(sync_err)?;
        let (even, odd): (Vec<_>, Vec<_>) = ids.iter().enumerate().partition(|(i, _)| i.is_multiple_of(2));
        let even: Vec<Uuid> = even.into_iter().map(|(_, id)| *id).collect();
        let odd: Vec<Uuid> = odd.into_iter().map(|(_, id)| *id).collect();
        if pair == 2 {
            let mut b = new_vault(&dir, &format!("acct{k}-b"))?;
            let tb = Counting::new(url)?;
            join_account(&mut b, &tb, url, &code).map_err(sync_err)?;
            sync(&mut b, &tb, &Options::default()).map_err(sync_err)?;
            devices.push(Device { account: k, vault: a, transport: ta, mine: even });
            devices.push(Device { account: k, vault: b, transport: tb, mine: odd });
        } else {
            devices.push(Device { account: k, vault: a, transport: ta, mine: ids });
        }
    }
    let setup_secs = t.elapsed().as_secs_f64();
    progress(format!("  set up in {}; running for {} s", fmt_secs(setup_secs), args.seconds));

    let io_before: Vec<IoCount> = devices.iter().map(|d| d.transport.snapshot()).collect();
    let m0 = server.metrics();
    let probe = Probe::start(server);
    let barrier = Barrier::new(n + 1);
    let deadline: OnceLock<Instant> = OnceLock::new();
    let run_for = Duration::from_secs(args.seconds);
    let edits = args.edits;
    let (results, start, end) = std::thread::scope(|s| {
        let handles: Vec<_> = devices
            .iter_mut()
            .enumerate()
            .map(|(i, d)| {
                let (barrier, deadline) = (&barrier, &deadline);
                s.spawn(move || {
                    barrier.wait();
                    let deadline = *deadline.get().expect("set before the barrier");
                    client_loop(i, d, edits, deadline)
                })
            })
            .collect();
        let start = Instant::now();
        deadline.set(start + run_for).expect("set once");
        barrier.wait();
        let results: Vec<ClientResult> = handles
            .into_iter()
            .map(|h| {
                h.join().unwrap_or_else(|_| ClientResult {
                    errors: vec!["client thread panicked".into()],
                    ..Default::default()
                })
            })
            .collect();
        (results, start, Instant::now())
    });
    let m = probe.finish(server);
    let server_rss = m.server;
    let metrics = server.metrics().since(&m0);
    let wall_secs = (end - start).as_secs_f64();
    let io = devices.iter().zip(&io_before).fold(IoCount::default(), |acc, (d, b)| {
        let x = d.transport.snapshot().since(b);
        IoCount {
            requests: acc.requests + x.requests,
            sent: acc.sent + x.sent,
            received: acc.received + x.received,
            pulled_batches: acc.pulled_batches + x.pulled_batches,
            secs: acc.secs + x.secs,
        }
    });

    let mut latencies_ms: Vec<f64> =
        results.iter().flat_map(|r| r.latencies.iter().map(|d| d.as_secs_f64() * 1e3)).collect();
    latencies_ms.sort_by(f64::total_cmp);
    let mut snapshot_latencies_ms: Vec<f64> =
        results.iter().flat_map(|r| r.snapshot_latencies.iter().map(|d| d.as_secs_f64() * 1e3)).collect();
    snapshot_latencies_ms.sort_by(f64::total_cmp);
    let errors: Vec<String> = results.iter().flat_map(|r| r.errors.iter().cloned()).collect();
    let out = Phase2 {
        clients: n,
        accounts,
        wall_secs,
        syncs: latencies_ms.len(),
        pushed: results.iter().map(|r| r.pushed).sum(),
        pulled: results.iter().map(|r| r.pulled).sum(),
        snapshots: results.iter().map(|r| r.snapshots).sum(),
        latencies_ms,
        snapshot_latencies_ms,
        errors,
        server: server_rss,
        cpu: m.cpu,
        metrics,
        setup_secs,
        divergence: converge(&mut devices)?,
        io,
    };
    progress(format!(
        "  {} syncs in {} ({:.1}/s), p50 {:.0} ms, p99 {:.0} ms, {} errors; server RSS peak {}",
        out.syncs,
        fmt_secs(wall_secs),
        out.syncs as f64 / wall_secs,
        percentile(&out.latencies_ms, 0.50),
        percentile(&out.latencies_ms, 0.99),
        out.errors.len(),
        fmt_kib(server_rss.peak_kib)
    ));
    drop(devices);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(out)
}

/// One client: edit, sync, until the deadline. At most 20 errors, then it gives up.
fn client_loop(i: usize, d: &mut Device, edits: usize, deadline: Instant) -> ClientResult {
    let mut r = ClientResult::default();
    let opts = Options::default();
    let mut round = 0usize;
    while Instant::now() < deadline && r.errors.len() < 20 {
        if let Err(e) = edit(d, i, round, edits) {
            r.errors.push(format!("editing: {e:#}"));
            continue;
        }
        let t = Instant::now();
        match sync(&mut d.vault, &d.transport, &opts) {
            Ok(rep) => {
                let took = t.elapsed();
                r.latencies.push(took);
                if rep.snapshot_uploaded {
                    r.snapshot_latencies.push(took);
                }
                r.pushed += rep.pushed_changes;
                r.pulled += rep.applied_changes;
                r.snapshots += u64::from(rep.snapshot_uploaded);
            }
            Err(e) => {
                r.errors.push(e.to_string());
                std::thread::sleep(Duration::from_millis(100));
            }
        }
        round += 1;
    }
    r
}

/// Changes `edits` of this device's people: sex and the note.
fn edit(d: &mut Device, client: usize, round: usize, edits: usize) -> Result<()> {
    let mut people = Vec::with_capacity(edits);
    for j in 0..edits {
        let id = d.mine[(round * edits + j) % d.mine.len()];
        let mut p = d.vault.get_person(id)?.ok_or_else(|| anyhow!("person {id} is gone"))?;
        p.sex = match (round + j) % 3 {
            0 => Sex::Male,
            1 => Sex::Female,
            _ => Sex::Unknown,
        };
        p.notes = vec![Note { text: format!("Edited by client {client} in round {round}.") }];
        people.push(p);
    }
    d.vault.write(|tx| {
        for p in &people {
            tx.put_person(p)?;
        }
        Ok(())
    })?;
    Ok(())
}

/// Syncs every account's devices until each has the other's last edits, then compares them.
fn converge(devices: &mut [Device]) -> Result<Option<String>> {
    let opts = Options::default();
    let mut problems = Vec::new();
    let mut by_account: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (i, d) in devices.iter().enumerate() {
        by_account.entry(d.account).or_default().push(i);
    }
    for (account, idx) in by_account {
        // A, B, A: both then hold everything either pushed.
        let order: Vec<usize> = if idx.len() == 2 { vec![idx[0], idx[1], idx[0]] } else { idx.clone() };
        for i in order {
            let d = &mut devices[i];
            if let Err(e) = sync(&mut d.vault, &d.transport, &opts) {
                problems.push(format!("account {account}: final sync failed: {e}"));
            }
        }
        if idx.len() == 2 {
            let (a, b) = (digest(&devices[idx[0]].vault)?, digest(&devices[idx[1]].vault)?);
            if let Some(why) = compare(&a, &b) {
                problems.push(format!("account {account}: {why}"));
            }
        }
    }
    Ok((!problems.is_empty()).then(|| problems.join("; ")))
}

/// Nearest-rank percentile of sorted values.
fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = (p * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn count_distinct(errors: &[String]) -> Vec<(String, usize)> {
    let mut m: HashMap<&str, usize> = HashMap::new();
    for e in errors {
        *m.entry(e.as_str()).or_default() += 1;
    }
    let mut v: Vec<(String, usize)> = m.into_iter().map(|(k, c)| (k.to_string(), c)).collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    v
}

// ---------------------------------------------------------------------------------------------
// Output

fn rate(count: u64, secs: f64) -> String {
    if secs > 0.0 && count > 0 {
        fmt_int((count as f64 / secs).round() as u64)
    } else {
        "—".into()
    }
}

fn ms(v: f64) -> String {
    if v.is_nan() {
        "—".into()
    } else if v < 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.0}")
    }
}

#[allow(clippy::too_many_arguments)]
fn markdown(
    args: &Args,
    command: &str,
    m: &Machine,
    load_at_end: &str,
    server_version: &str,
    pg_version: &str,
    phase1: Option<&Phase1>,
    runs: &[Phase2],
) -> String {
    let cores = m.cores;
    let mut out = String::new();
    let _ = writeln!(out, "## {} — sync load (crates/bench)\n", &m.date[..10.min(m.date.len())]);
    if m.profile != "release" {
        out.push_str("> **Debug build: these numbers are not a benchmark result (use `--release`).**\n\n");
    }
    let _ = writeln!(
        out,
        "Machine: {}, {} logical CPUs, {:.1} GiB RAM; {}, Linux {}; {}, {} build. \
         Load average (1/5/15 min) at start {}, at end {}. Measured {}.\n",
        m.cpu,
        m.cores,
        m.ram_bytes as f64 / (1u64 << 30) as f64,
        m.os,
        m.kernel,
        m.rustc,
        m.profile,
        m.load_at_start,
        load_at_end,
        m.date
    );
    let _ = writeln!(out, "Command: `{command}`\n");
    let _ = writeln!(
        out,
        "Setup: `{server_version}` (release) as a child process on 127.0.0.1, PostgreSQL {pg_version} \
         (throwaway cluster: fsync and full-page writes off), pool {} connections, rate limits raised \
         to 10⁶/s; clients, vaults and database on the same machine. Clients are the app's sync engine \
         and HTTP client (`kinvault_sync::sync`, `HttpTransport`, default options: 1 000 records per \
         batch), one thread per device, vaults created with test key-derivation parameters (opening a \
         vault is not measured). MB = 10⁶ bytes.\n",
        args.pool_size
    );

    if let Some(p) = phase1 {
        let _ = writeln!(out, "### Initial sync: {} people\n", fmt_int(p.records as u64));
        out.push_str(
            "| step | records | time | records/s | batches | bench RSS before / peak | \
             server RSS before / peak / after | CPU s: bench / server / PostgreSQL | notes |\n\
             |---|---:|---:|---:|---:|---:|---:|---:|---|\n",
        );
        for s in &p.steps {
            let m = &s.m;
            let records = s.records.map(fmt_int).unwrap_or_else(|| "—".into());
            let r = s.records.map(|n| rate(n, m.secs)).unwrap_or_else(|| "—".into());
            let batches = s.batches.map(fmt_int).unwrap_or_else(|| "—".into());
            let bench = format!("{} / {}", fmt_kib(m.bench_before_kib), fmt_kib(m.bench_peak_kib));
            let server = if s.server {
                let r = m.server;
                format!("{} / {} / {}", fmt_kib(r.start_kib), fmt_kib(r.peak_kib), fmt_kib(r.end_kib))
            } else {
                "—".into()
            };
            let _ = writeln!(
                out,
                "| {} | {records} | {} | {r} | {batches} | {bench} | {server} | {} | {} |",
                s.label,
                fmt_secs(m.secs),
                m.cpu.cell(),
                s.notes.join("; ")
            );
        }
        let _ = writeln!(out, "\n{}\n", p.check);
    }

    if !runs.is_empty() {
        let _ = writeln!(
            out,
            "### Concurrency: {} s per run, {} edits per sync, accounts of two devices sharing {} people\n",
            args.seconds,
            args.edits,
            fmt_int(args.persons_per_account as u64)
        );
        out.push_str(
            "| clients | accounts | run time | syncs | syncs/s | records pushed/s | records pulled/s | \
             p50 ms | p95 ms | p99 ms | max ms | errors | server 429/5xx | server RSS before | \
             server peak RSS | server RSS at end |\n\
             |---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n",
        );
        for r in runs {
            let l = &r.latencies_ms;
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                r.clients,
                r.accounts,
                fmt_secs(r.wall_secs),
                fmt_int(r.syncs as u64),
                if r.wall_secs > 0.0 { format!("{:.1}", r.syncs as f64 / r.wall_secs) } else { "—".into() },
                rate(r.pushed, r.wall_secs),
                rate(r.pulled, r.wall_secs),
                ms(percentile(l, 0.50)),
                ms(percentile(l, 0.95)),
                ms(percentile(l, 0.99)),
                ms(l.last().copied().unwrap_or(f64::NAN)),
                r.errors.len(),
                r.metrics.refused,
                fmt_kib(r.server.start_kib),
                fmt_kib(r.server.peak_kib),
                fmt_kib(r.server.end_kib),
            );
        }
        out.push('\n');
        for r in runs {
            let _ = writeln!(
                out,
                "- {} client{}: {} HTTP requests ({}/s), {} batches stored; {} snapshots uploaded{}; \
                 {} sent, {} received; CPU s bench / server / PostgreSQL {} (of {:.0} available); \
                 set-up (not timed) {}; {}.",
                r.clients,
                if r.clients == 1 { "" } else { "s" },
                fmt_int(r.metrics.requests),
                rate(r.metrics.requests, r.wall_secs),
                fmt_int(r.metrics.batches_stored),
                r.snapshots,
                if r.snapshot_latencies_ms.is_empty() {
                    String::new()
                } else {
                    format!(
                        " (those syncs: p50 {} ms, max {} ms)",
                        ms(percentile(&r.snapshot_latencies_ms, 0.5)),
                        ms(r.snapshot_latencies_ms.last().copied().unwrap_or(f64::NAN))
                    )
                },
                fmt_bytes(r.io.sent),
                fmt_bytes(r.io.received),
                r.cpu.cell(),
                r.wall_secs * cores as f64,
                fmt_secs(r.setup_secs),
                match &r.divergence {
                    None => "afterwards both devices of every account hold identical people".to_string(),
                    Some(d) => format!("**DEVICES DIFFER afterwards**: {d}"),
                }
            );
        }
        let failed: Vec<&Phase2> = runs.iter().filter(|r| !r.errors.is_empty()).collect();
        if !failed.is_empty() {
            out.push_str("\n**Sync errors:**\n\n");
            for r in failed {
                for (msg, count) in count_distinct(&r.errors).into_iter().take(10) {
                    let _ = writeln!(out, "- {} clients: {count}× {}", r.clients, msg.replace('|', "\\|"));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles() {
        let v: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&v, 0.5), 50.0);
        assert_eq!(percentile(&v, 0.99), 99.0);
        assert_eq!(percentile(&v, 1.0), 100.0);
        assert_eq!(percentile(&[7.0], 0.95), 7.0);
        assert!(percentile(&[], 0.5).is_nan());
    }

    #[test]
    fn addr_from_log_line() {
        let line = "2026-11-26T00:00:00Z  INFO kinvault_server::server: kinvault-server listening addr=127.0.0.1:4321";
        assert_eq!(listen_addr(line), Some("127.0.0.1:4321".parse().unwrap()));
        let coloured = "\u{1b}[2m2026\u{1b}[0m \u{1b}[32m INFO\u{1b}[0m kinvault-server listening \u{1b}[3maddr\u{1b}[0m\u{1b}[2m=\u{1b}[0m127.0.0.1:99";
        assert_eq!(listen_addr(coloured), Some("127.0.0.1:99".parse().unwrap()));
    }

    #[test]
    fn metrics_counted() {
        let text = "# HELP x\n\
            kinvault_http_requests_total{method=\"GET\",route=\"/v1/batches\",status=\"200\"} 10\n\
            kinvault_http_requests_total{method=\"POST\",route=\"/v1/batches\",status=\"503\"} 2\n\
            kinvault_http_requests_total{method=\"POST\",route=\"/v1/batches\",status=\"429\"} 1\n\
            kinvault_batches_stored_total 7\n";
        let m = Metrics::parse(text);
        assert_eq!((m.requests, m.refused, m.batches_stored), (13, 3, 7));
    }
}
