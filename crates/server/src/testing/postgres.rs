//! A throwaway PostgreSQL cluster: initdb in a temp dir, pg_ctl start on a free port.

use std::net::TcpListener;
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use super::{TestServer, TestingError};
use crate::{Config, ServerError};

/// The cluster's superuser role (also its database name).
const SUPERUSER: &str = "postgres";
/// Start attempts, each on a fresh port (another process may take the port we picked).
const START_ATTEMPTS: usize = 5;

/// A PostgreSQL cluster of its own in a temp dir, listening on 127.0.0.1 only, with `trust`
/// authentication and durability off (fsync, full pages) for speed. Stopped and deleted on drop;
/// a watchdog process also removes it if the test process dies without dropping it.
///
/// As root (CI), initdb and postgres run as the `postgres` user, or `nobody` when there is
/// none, since PostgreSQL refuses to run as root; the temp dir is chowned to that user.
#[derive(Debug)]
pub struct TestPostgres {
    root: Option<tempfile::TempDir>,
    root_path: PathBuf,
    bin: PathBuf,
    run_as: Option<(u32, u32)>,
    port: u16,
    running: bool,
    watchdog: Option<Child>,
}

impl TestPostgres {
    /// Creates and starts a cluster (about a second). Honours `KINVAULT_PG_BIN` (a directory
    /// with initdb and pg_ctl) before PATH and /usr/lib/postgresql/*/bin.
    pub fn start() -> Result<TestPostgres, TestingError> {
        let bin = find_bin_dir().ok_or(TestingError::PostgresNotFound)?;
        let run_as = if unsafe { libc::geteuid() } == 0 { Some(unprivileged_user()?) } else { None };
        let base = if run_as.is_some() { PathBuf::from("/tmp") } else { std::env::temp_dir() };
        let root = tempfile::Builder::new().prefix("kinvault-pg-").tempdir_in(&base).map_err(|source| {
            TestingError::Io { what: format!("creating a temp dir in {}", base.display()), source }
        })?;
        let root_path = root.path().to_owned();
        if let Some((uid, gid)) = run_as {
            std::os::unix::fs::chown(&root_path, Some(uid), Some(gid))
                .map_err(|source| TestingError::Io { what: format!("chown {}", root_path.display()), source })?;
        }
        let mut pg = TestPostgres { root: Some(root), root_path, bin, run_as, port: 0, running: false, watchdog: None };
        pg.watchdog = pg.spawn_watchdog().ok();
        let data = pg.data_dir();
        pg.run(
            "initdb",
            pg.command("initdb")
                .args(["-U", SUPERUSER, "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync", "-D"])
                .arg(&data),
        )?;
        let mut last_error = None;
        for _ in 0..START_ATTEMPTS {
            pg.port = free_port()?;
            match pg.pg_start() {
                Ok(()) => return Ok(pg),
                Err(e) => last_error = Some(e),
            }
        }
        Err(last_error.expect("at least one attempt"))
    }

    /// `postgres://postgres@127.0.0.1:PORT/postgres`
    pub fn url(&self) -> String {
        format!("postgres://{SUPERUSER}@127.0.0.1:{}/{SUPERUSER}", self.port)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The cluster's data directory.
    pub fn data_dir(&self) -> PathBuf {
        self.root_path.join("data")
    }

    /// The server log (postgres writes it; read it when a test fails mysteriously).
    pub fn log_path(&self) -> PathBuf {
        self.root_path.join("postgres.log")
    }

    pub fn is_running(&self) -> bool {
        self.running
    }

    /// Stops PostgreSQL (fast shutdown: sessions are disconnected); data is kept for
    /// [`TestPostgres::resume`]. Use it to make the database unreachable.
    pub fn stop(&mut self) -> Result<(), TestingError> {
        if self.running {
            self.pg_stop("fast")?;
        }
        Ok(())
    }

    /// Starts a stopped cluster again, on the same port with the same data.
    pub fn resume(&mut self) -> Result<(), TestingError> {
        if !self.running {
            self.pg_start()?;
        }
        Ok(())
    }

    /// A server configuration for this database: listen on 127.0.0.1 with a free port, rate
    /// limits high enough never to interfere, a small pool. Adjust fields before starting.
    pub fn server_config(&self) -> Config {
        Config {
            listen: "127.0.0.1:0".parse().expect("valid address"),
            rate_per_sec: 1_000_000.0,
            rate_burst: 1_000_000,
            ip_rate_per_sec: 1_000_000.0,
            ip_rate_burst: 1_000_000,
            pool_size: 8,
            ..Config::new(self.url())
        }
    }

    /// Starts a server on this database with [`TestPostgres::server_config`].
    pub async fn start_server(&self) -> Result<TestServer, ServerError> {
        TestServer::start(self.server_config()).await
    }

    /// A direct connection (for checking what the server stored). Call within a tokio runtime.
    pub async fn connect(&self) -> Result<tokio_postgres::Client, tokio_postgres::Error> {
        let (client, connection) = tokio_postgres::connect(&self.url(), tokio_postgres::NoTls).await?;
        tokio::spawn(async move {
            let _ = connection.await;
        });
        Ok(client)
    }

    fn command(&self, program: &str) -> Command {
        let mut cmd = Command::new(self.bin.join(program));
        cmd.current_dir(&self.root_path).env("LC_ALL", "C").env_remove("PGDATA").stdin(Stdio::null());
        if let Some((uid, gid)) = self.run_as {
            // Like `runuser -u postgres --`: the child sets its ids (and drops root's
            // supplementary groups) before exec.
            cmd.uid(uid).gid(gid);
        }
        cmd
    }

    fn run(&self, what: &str, cmd: &mut Command) -> Result<(), TestingError> {
        let out = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .output()
            .map_err(|source| TestingError::Io { what: format!("running {what}"), source })?;
        if out.status.success() {
            return Ok(());
        }
        let mut output = String::from_utf8_lossy(&out.stderr).into_owned();
        output.push_str(&String::from_utf8_lossy(&out.stdout));
        if let Ok(log) = std::fs::read_to_string(self.log_path()) {
            let tail: Vec<&str> = log.lines().rev().take(20).collect();
            output.push_str("\n--- postgres.log (last lines) ---\n");
            output.push_str(&tail.into_iter().rev().collect::<Vec<_>>().join("\n"));
        }
        Err(TestingError::Command { what: what.to_owned(), status: out.status.to_string(), output })
    }

    fn pg_start(&mut self) -> Result<(), TestingError> {
        let options = format!(
            "-p {} -c listen_addresses=127.0.0.1 -k '{}' -F -c full_page_writes=off -c synchronous_commit=off \
             -c max_connections=60 -c shared_buffers=16MB",
            self.port,
            self.root_path.display()
        );
        let data = self.data_dir();
        let log = self.log_path();
        self.run(
            "pg_ctl start",
            self.command("pg_ctl")
                .arg("-D")
                .arg(&data)
                .arg("-l")
                .arg(&log)
                .args(["-w", "-t", "30", "-o", &options, "start"]),
        )?;
        self.running = true;
        Ok(())
    }

    fn pg_stop(&mut self, mode: &str) -> Result<(), TestingError> {
        let data = self.data_dir();
        self.run(
            "pg_ctl stop",
            self.command("pg_ctl").arg("-D").arg(&data).args(["-m", mode, "-w", "-t", "30", "stop"]),
        )?;
        self.running = false;
        Ok(())
    }

    /// A detached shell that, should this process die without dropping us, stops the
    /// postmaster (SIGQUIT: immediate shutdown) and deletes the directory. It exits by itself
    /// once the directory is gone.
    fn spawn_watchdog(&self) -> std::io::Result<Child> {
        const SCRIPT: &str = r#"parent=$1; root=$2
while kill -0 "$parent" 2>/dev/null && [ -d "$root" ]; do sleep 1; done
if [ -d "$root" ]; then
  pid=$(head -n 1 "$root/data/postmaster.pid" 2>/dev/null) && kill -QUIT "$pid" 2>/dev/null
  sleep 2
  rm -rf "$root"
fi"#;
        Command::new("/bin/sh")
            .args(["-c", SCRIPT, "kinvault-pg-watchdog"])
            .arg(std::process::id().to_string())
            .arg(&self.root_path)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0) // not killed with the test's process group
            .spawn()
    }
}

impl Drop for TestPostgres {
    fn drop(&mut self) {
        if self.running && self.pg_stop("immediate").is_err() {
            // pg_ctl failed: signal the postmaster directly.
            if let Ok(pidfile) = std::fs::read_to_string(self.data_dir().join("postmaster.pid")) {
                if let Some(pid) = pidfile.lines().next().and_then(|l| l.trim().parse::<i32>().ok()) {
                    unsafe { libc::kill(pid, libc::SIGQUIT) };
                }
            }
        }
        if let Some(root) = self.root.take() {
            let _ = root.close();
        }
        if let Some(mut watchdog) = self.watchdog.take() {
            let _ = watchdog.kill();
            let _ = watchdog.wait();
        }
    }
}

fn has_tools(dir: &Path) -> bool {
    dir.join("initdb").is_file() && dir.join("pg_ctl").is_file()
}

/// `$KINVAULT_PG_BIN`, then PATH, then the newest /usr/lib/postgresql/N/bin, then
/// /usr/local/pgsql/bin.
fn find_bin_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("KINVAULT_PG_BIN") {
        let dir = PathBuf::from(dir);
        return has_tools(&dir).then_some(dir);
    }
    if let Some(path) = std::env::var_os("PATH") {
        if let Some(dir) = std::env::split_paths(&path).find(|d| has_tools(d)) {
            return Some(dir);
        }
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let version = e.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = e.path().join("bin");
            has_tools(&bin).then_some((version, bin))
        })
        .collect();
    versions.sort();
    if let Some((_, bin)) = versions.pop() {
        return Some(bin);
    }
    let local = PathBuf::from("/usr/local/pgsql/bin");
    has_tools(&local).then_some(local)
}

/// uid and gid of `postgres`, else `nobody`.
fn unprivileged_user() -> Result<(u32, u32), TestingError> {
    for name in [c"postgres", c"nobody"] {
        let mut pwd: libc::passwd = unsafe { std::mem::zeroed() };
        let mut buf = vec![0 as libc::c_char; 16 * 1024];
        let mut result: *mut libc::passwd = std::ptr::null_mut();
        // SAFETY: getpwnam_r (the thread-safe variant) writes into our passwd and buffer and
        // sets `result` to &pwd on success, to null when there is no such user.
        let rc = unsafe { libc::getpwnam_r(name.as_ptr(), &mut pwd, buf.as_mut_ptr(), buf.len(), &mut result) };
        if rc == 0 && !result.is_null() {
            return Ok((pwd.pw_uid, pwd.pw_gid));
        }
    }
    Err(TestingError::Io {
        what: "running as root, and neither a `postgres` nor a `nobody` user exists to run PostgreSQL as".into(),
        source: std::io::Error::from(std::io::ErrorKind::NotFound),
    })
}

fn free_port() -> Result<u16, TestingError> {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|source| TestingError::Io { what: "finding a free port".into(), source })
}
