//! The harness: for each size, generate the file, then run every measurement in a child
//! process of its own and collect the results.

use crate::child::{Measured, Task};
use crate::machine::Machine;
use crate::peak::run_child;
use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use std::ffi::OsString;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Sizes (individuals) measured when `--sizes` is not given: the 10k / 100k / 1M, and
/// 200k, where the issue sets the memory target.
pub const DEFAULT_SIZES: [usize; 4] = [10_000, 100_000, 200_000, 1_000_000];

/// Gramps runs on sizes up to this many people unless told otherwise (it imports a few
/// hundred people per second).
pub const DEFAULT_GRAMPS_UP_TO: usize = 10_000;

/// The name Gramps gives the throwaway tree.
const GRAMPS_TREE: &str = "kinvault-bench";

/// What to run.
#[derive(Debug, Clone)]
pub struct Options {
    /// Individuals per synthetic file.
    pub sizes: Vec<usize>,
    pub seed: u64,
    /// Run the peers: ged_io's parser, and Gramps on sizes up to [`Options::gramps_up_to`].
    pub peers: bool,
    pub gramps_up_to: usize,
    /// The Gramps program (a name looked up in `PATH`, or a path).
    pub gramps: String,
    /// Keep the generated files, vaults and exports in this directory (default: a temporary
    /// directory, removed at the end; each size's files are removed when it is done).
    pub keep: Option<PathBuf>,
    /// TEST ONLY: create vaults with `KdfParams::TESTING_ONLY` instead of the production
    /// Argon2id parameters. Marked in the output; its numbers are not a benchmark result.
    pub fast_kdf: bool,
    /// Runs per measurement; the median time is reported (and the largest peak RSS).
    pub runs: usize,
    /// The binary to re-invoke for the measurements (`gedcom-bench` itself).
    pub exe: PathBuf,
    /// The command line, as printed with the results.
    pub command: String,
}

impl Options {
    /// Defaults, re-invoking `exe`.
    pub fn new(exe: PathBuf) -> Options {
        Options {
            sizes: DEFAULT_SIZES.to_vec(),
            seed: 1,
            peers: true,
            gramps_up_to: DEFAULT_GRAMPS_UP_TO,
            gramps: "gramps".into(),
            keep: None,
            fast_kdf: false,
            runs: 1,
            exe,
            command: String::new(),
        }
    }
}

/// The measured operations, in the order they run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Op {
    /// kinvault-synth writing the file.
    Generate,
    /// `kinvault_gedcom::Reader`, every record, no vault.
    ParseKinvault,
    /// ged_io's streaming parser.
    ParseGedIo,
    /// File → new encrypted vault.
    Import,
    /// Vault → GEDCOM 5.5.1.
    Export,
    /// `gramps -C tree -i file.ged`.
    Gramps,
}

/// How a measurement went.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Outcome {
    /// Measured. `wall_secs` is the whole child process (start-up included) of the run whose
    /// time is reported.
    Done { measured: Measured, wall_secs: f64, runs: usize },
    /// The child failed (crashed, was killed, or returned an error).
    Failed { why: String, wall_secs: f64, peak_rss_kib: Option<u64> },
    /// Not run, and why.
    Skipped { why: String },
}

impl Outcome {
    pub fn done(&self) -> Option<&Measured> {
        match self {
            Outcome::Done { measured, .. } => Some(measured),
            _ => None,
        }
    }

    /// Measured and the operation itself succeeded (a peer that stopped at a parse error
    /// has `measured.error`).
    pub fn succeeded(&self) -> Option<&Measured> {
        self.done().filter(|m| m.error.is_none())
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Row {
    pub people: usize,
    pub op: Op,
    pub outcome: Outcome,
}

/// Everything one run measured.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Report {
    pub machine: Machine,
    pub load_at_end: String,
    pub command: String,
    pub seed: u64,
    pub sizes: Vec<usize>,
    pub runs: usize,
    pub fast_kdf: bool,
    pub ged_io_version: String,
    /// `None` when Gramps was not installed or not asked for.
    pub gramps_version: Option<String>,
    pub rows: Vec<Row>,
}

impl Report {
    pub fn row(&self, people: usize, op: Op) -> Option<&Outcome> {
        self.rows.iter().find(|r| r.people == people && r.op == op).map(|r| &r.outcome)
    }

    /// Did any of Kinvault's own measurements fail? (Peers failing is a result, not an error.)
    pub fn own_failures(&self) -> Vec<String> {
        self.rows
            .iter()
            .filter(|r| !matches!(r.op, Op::ParseGedIo | Op::Gramps))
            .filter_map(|r| match &r.outcome {
                Outcome::Failed { why, .. } => Some(format!("{} people, {:?}: {why}", r.people, r.op)),
                _ => None,
            })
            .collect()
    }
}

/// Where a program is: `name` itself if it has a slash, else the first match in `PATH`.
pub fn find_program(name: &str) -> Option<PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    let executable =
        |p: &Path| p.metadata().map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0).unwrap_or(false);
    if name.contains('/') {
        let p = PathBuf::from(name);
        return executable(&p).then_some(p);
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|dir| dir.join(name)).find(|p| executable(p))
}

/// Runs `task` in a child `runs` times; the run with the median time is reported, with the
/// largest peak RSS of all runs. `before_each` runs before every run (to remove a vault).
fn measure(opts: &Options, task: &Task, before_each: &dyn Fn()) -> Outcome {
    let mut done: Vec<(Measured, f64)> = Vec::new();
    for _ in 0..opts.runs.max(1) {
        before_each();
        let mut cmd = Command::new(&opts.exe);
        cmd.arg("child").args(task.args());
        let exit = match run_child(cmd, None) {
            Ok(e) => e,
            Err(e) => {
                return Outcome::Failed {
                    why: format!("cannot start {}: {e}", opts.exe.display()),
                    wall_secs: 0.0,
                    peak_rss_kib: None,
                }
            }
        };
        let wall = exit.wall.as_secs_f64();
        let parsed = exit
            .success()
            .then(|| exit.stdout.lines().rev().find_map(|l| serde_json::from_str::<Measured>(l).ok()))
            .flatten();
        match parsed {
            Some(mut m) => {
                // The child's own reading covers its whole life even when it reset the mark;
                // wait4's covers what came after a reset. The larger is the peak.
                m.peak_rss_kib = Some(m.peak_rss_kib.unwrap_or(0).max(exit.maxrss_kib));
                done.push((m, wall));
            }
            None => {
                let why = if exit.success() { "no result on standard output".to_string() } else { exit.failure() };
                return Outcome::Failed { why, wall_secs: wall, peak_rss_kib: Some(exit.maxrss_kib) };
            }
        }
    }
    median(done)
}

fn median(mut done: Vec<(Measured, f64)>) -> Outcome {
    let runs = done.len();
    let peak = done.iter().filter_map(|(m, _)| m.peak_rss_kib).max();
    let phase = done.iter().filter_map(|(m, _)| m.phase_rss_kib).max();
    done.sort_by(|a, b| a.0.secs.total_cmp(&b.0.secs));
    let (mut measured, wall_secs) = done.swap_remove(runs / 2);
    measured.peak_rss_kib = peak;
    measured.phase_rss_kib = phase;
    Outcome::Done { measured, wall_secs, runs }
}

fn remove_vault(vault: &Path) {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut p: OsString = vault.as_os_str().to_owned();
        p.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(p));
    }
}

/// The Gramps version (`gramps -v`), if it runs.
fn gramps_version(program: &Path, home: &Path) -> Option<String> {
    let mut cmd = Command::new(program);
    cmd.arg("-v");
    gramps_env(&mut cmd, home);
    let out = cmd.output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines()
        .find_map(|l| l.trim().strip_prefix("gramps").map(|v| v.trim().trim_start_matches(':').trim().to_string()))
        .filter(|v| !v.is_empty())
}

/// A throwaway Gramps home: Gramps never sees the user's trees or settings, and no window.
fn gramps_env(cmd: &mut Command, home: &Path) {
    cmd.env("HOME", home)
        .env("GRAMPSHOME", home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("XDG_DATA_HOME", home.join(".local/share"))
        .env("XDG_CACHE_HOME", home.join(".cache"))
        .env("LANG", "C.UTF-8")
        .env("LC_ALL", "C.UTF-8")
        .env_remove("LANGUAGE")
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY");
}

/// `gramps -C tree -i file` into a new throwaway home, timed from spawn to exit; then
/// `gramps -L` counts the people in the tree.
fn measure_gramps(opts: &Options, program: &Path, file: &Path, home: &Path, log: &Path) -> Outcome {
    let mut done = Vec::new();
    for _ in 0..opts.runs.max(1) {
        let _ = std::fs::remove_dir_all(home);
        if let Err(e) = std::fs::create_dir_all(home) {
            return Outcome::Failed {
                why: format!("cannot create {}: {e}", home.display()),
                wall_secs: 0.0,
                peak_rss_kib: None,
            };
        }
        let mut cmd = Command::new(program);
        cmd.args(["-C", GRAMPS_TREE, "-i"]).arg(file);
        gramps_env(&mut cmd, home);
        let log_file = match File::create(log) {
            Ok(f) => f,
            Err(e) => {
                return Outcome::Failed {
                    why: format!("cannot create {}: {e}", log.display()),
                    wall_secs: 0.0,
                    peak_rss_kib: None,
                }
            }
        };
        let exit = match run_child(cmd, Some(log_file)) {
            Ok(e) => e,
            Err(e) => {
                return Outcome::Failed { why: format!("cannot start gramps: {e}"), wall_secs: 0.0, peak_rss_kib: None }
            }
        };
        let wall = exit.wall.as_secs_f64();
        if !exit.success() {
            let last = std::fs::read_to_string(log)
                .ok()
                .and_then(|t| t.lines().rev().find(|l| !l.trim().is_empty()).map(str::to_string));
            let why = format!("{} ({})", exit.failure(), last.unwrap_or_default().trim());
            return Outcome::Failed { why, wall_secs: wall, peak_rss_kib: Some(exit.maxrss_kib) };
        }
        let (individuals, families) = gramps_counts(program, home);
        let mut m = Measured {
            secs: wall,
            individuals: individuals.unwrap_or(0),
            families: families.unwrap_or(0),
            peak_rss_kib: Some(exit.maxrss_kib),
            ..Measured::default()
        };
        if individuals.is_none() {
            m.error = Some("the new tree could not be listed (`gramps -L`)".into());
        }
        done.push((m, wall));
    }
    median(done)
}

/// People and families in the throwaway tree, from `gramps -L`.
fn gramps_counts(program: &Path, home: &Path) -> (Option<u64>, Option<u64>) {
    let mut cmd = Command::new(program);
    cmd.arg("-L");
    gramps_env(&mut cmd, home);
    let Ok(out) = cmd.output() else { return (None, None) };
    let text = String::from_utf8_lossy(&out.stdout);
    let count = |what: &str| {
        text.lines()
            .find_map(|l| l.trim().strip_prefix(what))
            .and_then(|v| v.trim_start_matches(':').trim().parse().ok())
    };
    (count("Number of people"), count("Number of families"))
}

/// Runs the whole benchmark. `progress` receives a line per step (for standard error).
pub fn run(opts: &Options, progress: &mut dyn FnMut(&str)) -> Result<Report> {
    let machine = Machine::detect();
    let temp;
    let dir: PathBuf = match &opts.keep {
        Some(d) => {
            std::fs::create_dir_all(d).with_context(|| format!("create {}", d.display()))?;
            d.clone()
        }
        None => {
            temp = tempfile::Builder::new().prefix("gedcom-bench-").tempdir()?;
            temp.path().to_path_buf()
        }
    };
    let gramps = if opts.peers { find_program(&opts.gramps) } else { None };
    let gramps_version = gramps.as_ref().and_then(|g| gramps_version(g, &dir.join("gramps-version")));
    let _ = std::fs::remove_dir_all(dir.join("gramps-version"));

    let mut rows = Vec::new();
    for &people in &opts.sizes {
        let mut push = |op: Op, outcome: Outcome, progress: &mut dyn FnMut(&str)| {
            progress(&step_line(people, op, &outcome));
            rows.push(Row { people, op, outcome });
        };
        let ged = dir.join(format!("synth-{people}-seed{}.ged", opts.seed));
        let vault = dir.join(format!("vault-{people}.kinvault"));
        let export = dir.join(format!("export-{people}.ged"));
        let gramps_home = dir.join(format!("gramps-home-{people}"));
        let gramps_log = dir.join(format!("gramps-{people}.log"));

        // The file is generated once, whatever --runs says.
        let generated = measure(
            &Options { runs: 1, ..opts.clone() },
            &Task::Generate { people, seed: opts.seed, out: ged.clone() },
            &|| {},
        );
        let ok = generated.done().is_some();
        push(Op::Generate, generated, progress);
        if !ok {
            for op in [Op::ParseKinvault, Op::ParseGedIo, Op::Import, Op::Export, Op::Gramps] {
                push(op, Outcome::Skipped { why: "the file could not be generated".into() }, progress);
            }
            continue;
        }

        let parsed = measure(opts, &Task::ParseKinvault { file: ged.clone() }, &|| {});
        push(Op::ParseKinvault, parsed, progress);

        let ged_io = if opts.peers {
            measure(opts, &Task::ParseGedIo { file: ged.clone() }, &|| {})
        } else {
            Outcome::Skipped { why: "--no-peers".into() }
        };
        push(Op::ParseGedIo, ged_io, progress);

        let import =
            measure(opts, &Task::Import { file: ged.clone(), vault: vault.clone(), fast_kdf: opts.fast_kdf }, &|| {
                remove_vault(&vault)
            });
        let imported = import.done().is_some();
        push(Op::Import, import, progress);

        let exported = if imported {
            measure(opts, &Task::Export { vault: vault.clone(), out: export.clone() }, &|| {
                let _ = std::fs::remove_file(&export);
            })
        } else {
            Outcome::Skipped { why: "the import failed".into() }
        };
        push(Op::Export, exported, progress);

        let gramps_outcome = if !opts.peers {
            Outcome::Skipped { why: "--no-peers".into() }
        } else if people > opts.gramps_up_to {
            Outcome::Skipped {
                why: format!("only up to {} people (--gramps-up-to)", fmt_int(opts.gramps_up_to as u64)),
            }
        } else {
            match &gramps {
                None => Outcome::Skipped {
                    why: format!("not installed (`{}` not found; scripts/bench-gedcom.sh installs it)", opts.gramps),
                },
                Some(program) => {
                    progress(&format!("[{}] Gramps import running (slow)…", fmt_int(people as u64)));
                    measure_gramps(opts, program, &ged, &gramps_home, &gramps_log)
                }
            }
        };
        push(Op::Gramps, gramps_outcome, progress);

        if opts.keep.is_none() {
            let _ = std::fs::remove_file(&ged);
            let _ = std::fs::remove_file(&export);
            let _ = std::fs::remove_file(&gramps_log);
            let _ = std::fs::remove_dir_all(&gramps_home);
            remove_vault(&vault);
        }
    }

    Ok(Report {
        machine,
        load_at_end: Machine::load_now(),
        command: opts.command.clone(),
        seed: opts.seed,
        sizes: opts.sizes.clone(),
        runs: opts.runs.max(1),
        fast_kdf: opts.fast_kdf,
        ged_io_version: env!("KINVAULT_BENCH_GED_IO").to_string(),
        gramps_version,
        rows,
    })
}

fn step_line(people: usize, op: Op, outcome: &Outcome) -> String {
    let what = match outcome {
        Outcome::Done { measured, .. } => match &measured.error {
            None => format!("{:.3} s", measured.secs),
            Some(e) => format!("{:.3} s, stopped: {e}", measured.secs),
        },
        Outcome::Failed { why, .. } => format!("FAILED: {why}"),
        Outcome::Skipped { why } => format!("skipped: {why}"),
    };
    format!("[{}] {}: {what}", fmt_int(people as u64), crate::report::op_label(op, None, None))
}

/// `1234567` → `1 234 567`.
pub fn fmt_int(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ints() {
        assert_eq!(fmt_int(0), "0");
        assert_eq!(fmt_int(999), "999");
        assert_eq!(fmt_int(1000), "1 000");
        assert_eq!(fmt_int(1_028_029), "1 028 029");
    }

    #[test]
    fn programs() {
        assert!(find_program("sh").is_some());
        assert!(find_program("/nonexistent/gramps").is_none());
        assert!(find_program("kinvault-bench-no-such-program").is_none());
    }
}
