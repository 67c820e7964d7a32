//! What machine the numbers were measured on, printed with the results so they can be pasted
//! into docs/benchmarks.md.

use serde::{Deserialize, Serialize};
use std::time::{SystemTime, UNIX_EPOCH};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Machine {
    /// `YYYY-MM-DD HH:MM UTC`.
    pub date: String,
    pub cpu: String,
    /// Logical CPUs this process may use.
    pub cores: usize,
    pub ram_bytes: u64,
    pub os: String,
    pub kernel: String,
    /// 1/5/15-minute load averages when the run started (other work on the machine skews
    /// wall-clock numbers).
    pub load_at_start: String,
    pub rustc: String,
    /// `release` or `debug` (a debug build's numbers mean nothing).
    pub profile: String,
}

impl Machine {
    pub fn detect() -> Machine {
        let read = |p: &str| std::fs::read_to_string(p).unwrap_or_default();
        let cpuinfo = read("/proc/cpuinfo");
        let cpu = cpuinfo
            .lines()
            .find(|l| l.starts_with("model name") || l.starts_with("Model") || l.starts_with("cpu model"))
            .and_then(|l| l.split_once(':'))
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_else(|| "unknown".into());
        // Virtual machines often name the CPU vaguely ("AMD EPYC"): add family and model.
        let field = |name: &str| {
            cpuinfo
                .lines()
                .find(|l| l.split(':').next().map(str::trim) == Some(name))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_string())
        };
        let mut cpu = cpu;
        if let (Some(family), Some(model)) = (field("cpu family"), field("model")) {
            cpu = format!("{cpu} (family {family}, model {model})");
        }
        if field("flags").is_some_and(|f| f.split_whitespace().any(|x| x == "hypervisor")) {
            cpu.push_str(", virtual machine");
        }
        let ram_kib: u64 = read("/proc/meminfo")
            .lines()
            .find(|l| l.starts_with("MemTotal:"))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let os = read("/etc/os-release")
            .lines()
            .find_map(|l| l.strip_prefix("PRETTY_NAME="))
            .map(|v| v.trim_matches('"').to_string())
            .unwrap_or_else(|| std::env::consts::OS.into());
        let load = read("/proc/loadavg").split_whitespace().take(3).collect::<Vec<_>>().join(" ");
        Machine {
            date: utc_now(),
            cpu,
            cores: std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
            ram_bytes: ram_kib * 1024,
            os,
            kernel: read("/proc/sys/kernel/osrelease").trim().to_string(),
            load_at_start: load,
            rustc: env!("KINVAULT_BENCH_RUSTC").to_string(),
            profile: if cfg!(debug_assertions) { "debug" } else { "release" }.into(),
        }
    }

    /// The load averages now.
    pub fn load_now() -> String {
        std::fs::read_to_string("/proc/loadavg")
            .unwrap_or_default()
            .split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// The current UTC date and time, `YYYY-MM-DD HH:MM UTC`.
pub fn utc_now() -> String {
    let secs = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0);
    let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
    let t = secs.rem_euclid(86_400);
    format!("{y:04}-{m:02}-{d:02} {:02}:{:02} UTC", t / 3600, t % 3600 / 60)
}

/// Gregorian date of a day counted from 1970-01-01 (Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        assert_eq!(civil_from_days(20_782), (2026, 11, 25));
    }

    #[test]
    fn detects_something() {
        let m = Machine::detect();
        assert!(m.cores >= 1);
        assert!(m.date.ends_with("UTC"));
    }
}
