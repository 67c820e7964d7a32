//! Peak memory (resident set size) and child processes.
//!
//! Every measurement runs in its own child process so that its peak RSS is its own. Two sources:
//!
//! - the child reads its high-water mark `VmHWM` from `/proc/self/status` ([`vm_hwm_kib`]);
//!   to measure one phase only (the import after the vault was created, whose Argon2id key
//!   derivation allocates 64 MiB), it first resets the mark by writing `5` to
//!   `/proc/self/clear_refs` ([`reset_hwm`], Linux ≥ 4.0) and reads `VmHWM` again at the end;
//! - the parent reaps the child with `wait4`, whose `ru_maxrss` is the child's peak RSS
//!   ([`run_child`]). The kernel takes that value from the same high-water mark when the
//!   process exits, so for a child that reset the mark it covers only the time after the
//!   reset: such children also report the mark they read just before resetting it, and the
//!   whole-process peak is the larger of the readings.

use std::fs::File;
use std::io::{self, Read, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// `VmHWM` of this process in KiB (peak resident set size since start or since the last
/// [`reset_hwm`]), or `None` where `/proc` does not tell.
pub fn vm_hwm_kib() -> Option<u64> {
    status_field("VmHWM:")
}

/// `VmRSS` of this process in KiB.
pub fn vm_rss_kib() -> Option<u64> {
    status_field("VmRSS:")
}

fn status_field(name: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(name))?;
    line[name.len()..].trim().trim_end_matches("kB").trim().parse().ok()
}

/// Resets this process's RSS high-water mark to the current RSS (writes `5` to
/// `/proc/self/clear_refs`). Returns `false` where the kernel does not allow it.
pub fn reset_hwm() -> bool {
    std::fs::OpenOptions::new().write(true).open("/proc/self/clear_refs").and_then(|mut f| f.write_all(b"5")).is_ok()
}

/// How a child process ended.
#[derive(Debug)]
pub struct ChildExit {
    /// `Some(code)` if it exited, `None` if a signal ended it.
    pub code: Option<i32>,
    /// The signal that ended it.
    pub signal: Option<i32>,
    /// `ru_maxrss` from `wait4`, KiB.
    pub maxrss_kib: u64,
    /// From spawn to reaped.
    pub wall: Duration,
    pub stdout: String,
    /// Its standard error, unless it was sent to a file.
    pub stderr: String,
}

impl ChildExit {
    pub fn success(&self) -> bool {
        self.code == Some(0)
    }

    /// A one-line reason for a failure: the exit status and the last line of standard error.
    pub fn failure(&self) -> String {
        let status = match (self.code, self.signal) {
            (Some(c), _) => format!("exit status {c}"),
            (None, Some(s)) if s == libc::SIGKILL => "killed (SIGKILL — out of memory?)".to_string(),
            (None, Some(s)) => format!("killed by signal {s}"),
            (None, None) => "unknown status".to_string(),
        };
        // The last line that says something (a panic ends with a "note: run with
        // RUST_BACKTRACE" line after its message).
        let said = |l: &&str| !l.trim().is_empty() && !l.starts_with("note: ");
        match self.stderr.lines().rev().find(said) {
            Some(last) => format!("{status}: {}", last.trim()),
            None => status,
        }
    }
}

/// Runs `cmd` to completion, capturing its standard output (and its standard error unless
/// `stderr_to` is given), and reaps it with `wait4` to learn its peak RSS.
pub fn run_child(mut cmd: Command, stderr_to: Option<File>) -> io::Result<ChildExit> {
    cmd.stdin(Stdio::null()).stdout(Stdio::piped());
    match stderr_to {
        Some(f) => cmd.stderr(f),
        None => cmd.stderr(Stdio::piped()),
    };
    let start = Instant::now();
    let mut child = cmd.spawn()?;
    let pid = child.id() as libc::pid_t;
    let mut out = child.stdout.take();
    let mut err = child.stderr.take();
    let err_thread = std::thread::spawn(move || {
        let mut s = Vec::new();
        if let Some(e) = err.as_mut() {
            let _ = e.read_to_end(&mut s);
        }
        String::from_utf8_lossy(&s).into_owned()
    });
    let mut stdout = Vec::new();
    if let Some(o) = out.as_mut() {
        o.read_to_end(&mut stdout)?;
    }
    let stderr = err_thread.join().unwrap_or_default();
    let mut status: libc::c_int = 0;
    // SAFETY: an all-zero `rusage` is a valid value of this plain C struct.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: `pid` is our own unreaped child; both pointers are to live locals.
        let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        if r == pid {
            break;
        }
        let e = io::Error::last_os_error();
        if e.kind() != io::ErrorKind::Interrupted {
            return Err(e);
        }
    }
    let wall = start.elapsed();
    // Reaped above: `child` must not be waited for again (dropping it does not wait).
    drop(child);
    let (code, signal) = if libc::WIFEXITED(status) {
        (Some(libc::WEXITSTATUS(status)), None)
    } else if libc::WIFSIGNALED(status) {
        (None, Some(libc::WTERMSIG(status)))
    } else {
        (None, None)
    };
    Ok(ChildExit {
        code,
        signal,
        maxrss_kib: u64::try_from(usage.ru_maxrss).unwrap_or(0),
        wall,
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hwm_is_read_and_reset() {
        let before = vm_hwm_kib().expect("VmHWM in /proc/self/status");
        assert!(before > 0);
        // Touch 32 MiB, free it, reset: the mark falls back to about the current RSS.
        let mut big = vec![0u8; 32 << 20];
        for i in (0..big.len()).step_by(4096) {
            big[i] = 1;
        }
        std::hint::black_box(&big);
        let high = vm_hwm_kib().unwrap();
        assert!(high >= 32 * 1024, "{high}");
        drop(big);
        if reset_hwm() {
            let after = vm_hwm_kib().unwrap();
            assert!(after < high, "{after} < {high}");
        }
    }

    #[test]
    fn child_rss_and_status() {
        let mut cmd = Command::new("sh");
        cmd.args(["-c", "echo hello; echo oops >&2; echo 'note: run with RUST_BACKTRACE=1' >&2; exit 3"]);
        let exit = run_child(cmd, None).unwrap();
        assert_eq!(exit.code, Some(3));
        assert_eq!(exit.stdout, "hello\n");
        assert_eq!(exit.failure(), "exit status 3: oops");
        assert!(exit.maxrss_kib > 0);
    }
}
