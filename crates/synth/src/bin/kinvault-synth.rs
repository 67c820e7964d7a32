//! `kinvault-synth`: writes a deterministic synthetic family file.
//!
//! ```text
//! kinvault-synth --people 100000 --seed 7 -o families.ged [--gedcom 7] [--no-health] [--json]
//! ```

use clap::{Parser, ValueEnum};
use kinvault_synth::{generate, Config, Version};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Clone, Copy, ValueEnum)]
enum GedcomVersion {
    #[value(name = "5.5.1")]
    V551,
    #[value(name = "7")]
    V7,
}

/// Writes a deterministic synthetic family tree as GEDCOM (same seed, same file).
#[derive(Parser)]
#[command(version)]
struct Args {
    /// How many individuals.
    #[arg(long, default_value_t = 10_000)]
    people: usize,
    /// The random seed.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// GEDCOM version to write.
    #[arg(long, value_enum, default_value = "5.5.1")]
    gedcom: GedcomVersion,
    /// Leave out health data (conditions, causes of death, genetic tests).
    #[arg(long)]
    no_health: bool,
    /// The year of the last births.
    #[arg(long, default_value_t = 2025)]
    present_year: i32,
    /// Output file (`-` for standard output).
    #[arg(short, long)]
    output: PathBuf,
    /// Print the summary as JSON.
    #[arg(long)]
    json: bool,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let config = Config {
        people: args.people,
        seed: args.seed,
        version: match args.gedcom {
            GedcomVersion::V551 => Version::V5_5_1,
            GedcomVersion::V7 => Version::V7_0,
        },
        health: !args.no_health,
        present_year: args.present_year,
    };
    let result = if args.output.as_os_str() == "-" {
        generate(&config, BufWriter::with_capacity(1 << 16, std::io::stdout().lock()))
    } else {
        File::create(&args.output)
            .and_then(|f| generate(&config, BufWriter::with_capacity(1 << 16, f)))
            .map_err(|e| std::io::Error::new(e.kind(), format!("{}: {e}", args.output.display())))
    };
    match result {
        Ok(summary) => {
            let mut err = std::io::stderr().lock();
            if args.json {
                let _ = writeln!(err, "{}", serde_json::to_string_pretty(&summary).unwrap_or_default());
            } else {
                let _ = writeln!(
                    err,
                    "{} individuals, {} families, {} generations, {} living, {} health observations",
                    summary.individuals,
                    summary.families,
                    summary.generations,
                    summary.living,
                    summary.health_observations
                );
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("kinvault-synth: cannot write {e}");
            ExitCode::FAILURE
        }
    }
}
