//! `gedcom-bench`: the GEDCOM import/export benchmark (see docs/benchmarks.md).
//!
//! ```text
//! gedcom-bench [--sizes 10000,100000,200000,1000000] [--seed 1] [--no-peers] [--keep DIR]
//!              [--runs N] [--gramps-up-to N] [--gramps PROGRAM] [--json FILE] [--fast-kdf]
//! ```
//!
//! The measurements re-invoke this binary as `gedcom-bench child TASK ...` (internal, one
//! process per measurement so each has its own peak RSS).

use clap::Parser;
use kinvault_bench::run::{DEFAULT_GRAMPS_UP_TO, DEFAULT_SIZES};
use kinvault_bench::{report, run, Options};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// GEDCOM import/export benchmark: Kinvault (import into a new encrypted vault, export, parse)
/// against ged_io's parser and the Gramps CLI, on synthetic files. Prints a Markdown table.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// Individuals per synthetic file, comma-separated.
    #[arg(long, value_delimiter = ',', default_values_t = DEFAULT_SIZES)]
    sizes: Vec<usize>,
    /// Seed of the synthetic files (same seed, same file).
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Measure Kinvault only: no ged_io, no Gramps.
    #[arg(long)]
    no_peers: bool,
    /// Run Gramps on sizes up to this many people.
    #[arg(long, default_value_t = DEFAULT_GRAMPS_UP_TO)]
    gramps_up_to: usize,
    /// The Gramps program (name in PATH or path).
    #[arg(long, default_value = "gramps")]
    gramps: String,
    /// Keep the generated files, vaults, exports and Gramps logs in DIR.
    #[arg(long, value_name = "DIR")]
    keep: Option<PathBuf>,
    /// Runs per measurement; the median time is reported.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=99))]
    runs: u32,
    /// Also write the results as JSON to FILE.
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
    /// TEST ONLY: cheap key-derivation parameters for the vaults (for the smoke test). The
    /// output is marked; the numbers are not a benchmark result.
    #[arg(long)]
    fast_kdf: bool,
}

fn main() -> ExitCode {
    let argv: Vec<String> = std::env::args().collect();
    if argv.get(1).map(String::as_str) == Some("child") {
        return match kinvault_bench::child::main(&argv[2..]) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("gedcom-bench child: {e:#}");
                ExitCode::FAILURE
            }
        };
    }
    let args = Args::parse();
    let exe = match std::env::current_exe() {
        Ok(e) => e,
        Err(e) => {
            eprintln!("gedcom-bench: cannot find its own binary: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut opts = Options::new(exe);
    opts.sizes = args.sizes;
    opts.seed = args.seed;
    opts.peers = !args.no_peers;
    opts.gramps_up_to = args.gramps_up_to;
    opts.gramps = args.gramps;
    opts.keep = args.keep;
    opts.runs = args.runs as usize;
    opts.fast_kdf = args.fast_kdf;
    opts.command =
        std::iter::once("gedcom-bench".to_string()).chain(argv.into_iter().skip(1)).collect::<Vec<_>>().join(" ");
    if opts.sizes.is_empty() || opts.sizes.contains(&0) {
        eprintln!("gedcom-bench: --sizes needs one or more sizes above 0");
        return ExitCode::FAILURE;
    }
    if cfg!(debug_assertions) {
        eprintln!("gedcom-bench: debug build — build with --release for numbers that mean something");
    }
    if opts.fast_kdf {
        eprintln!("gedcom-bench: --fast-kdf (test only): not a benchmark result");
    }
    let result = run(&opts, &mut |line| eprintln!("{line}"));
    let report = match result {
        Ok(r) => r,
        Err(e) => {
            eprintln!("gedcom-bench: {e:#}");
            return ExitCode::FAILURE;
        }
    };
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{}", report::markdown(&report));
    if let Some(path) = args.json {
        let written =
            serde_json::to_vec_pretty(&report).map_err(std::io::Error::other).and_then(|j| std::fs::write(&path, j));
        if let Err(e) = written {
            eprintln!("gedcom-bench: cannot write {}: {e}", path.display());
            return ExitCode::FAILURE;
        }
    }
    let failures = report.own_failures();
    if !failures.is_empty() {
        for f in &failures {
            eprintln!("gedcom-bench: FAILED: {f}");
        }
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
