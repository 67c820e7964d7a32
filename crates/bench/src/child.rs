//! The measurements, each run by the harness in a child process of its own (the same binary,
//! hidden subcommand `child`), which prints one [`Measured`] as JSON on standard output.
//!
//! Times are taken inside the child around the measured call only (no process start-up);
//! the parent also records the child's wall time from spawn to exit.

use crate::peak::{reset_hwm, vm_hwm_kib};
use anyhow::{Context, Result};
use kinvault_api::transfer::{export_gedcom, import_gedcom, NoProgress};
use kinvault_api::{ExportFormat, ExportRequest};
use kinvault_gedcom::{ReadOptions, Reader};
use kinvault_vault::{KdfParams, Vault};
use serde::{Deserialize, Serialize};
use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// The benchmark vaults' passphrase. They hold synthetic data only and are deleted after the
/// run (unless `--keep`); a fixed passphrase keeps it off the command line of the children.
pub const PASSPHRASE: &str = "kinvault-bench synthetic data only";

/// Read buffer for every parser, ours and the peer's alike.
const READ_BUFFER: usize = 1 << 16;

/// What one child measured.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Measured {
    /// The timed call, seconds.
    pub secs: f64,
    /// Before the timed call: creating the vault (import) or opening it (export), seconds.
    pub setup_secs: Option<f64>,
    /// After it: closing the vault, seconds.
    pub close_secs: Option<f64>,
    pub individuals: u64,
    pub families: u64,
    /// All records handled (individuals, families, sources, other records).
    pub records: u64,
    pub warnings: u64,
    /// Size of what was written: the GEDCOM file, the vault (+ WAL), the export.
    pub bytes: Option<u64>,
    /// Peak RSS of the whole child process, KiB.
    pub peak_rss_kib: Option<u64>,
    /// Peak RSS of the timed phase only (high-water mark reset before it), KiB.
    pub phase_rss_kib: Option<u64>,
    /// The measured operation failed (the peer could not parse the file...): why. The counts
    /// are then what was done before the failure.
    pub error: Option<String>,
}

/// The operations a child can measure.
#[derive(Debug, Clone)]
pub enum Task {
    /// Write the synthetic file with kinvault-synth.
    Generate { people: usize, seed: u64, out: PathBuf },
    /// Parse with `kinvault_gedcom::Reader`, every record, no vault.
    ParseKinvault { file: PathBuf },
    /// Parse with ged_io's streaming parser.
    ParseGedIo { file: PathBuf },
    /// Create a new encrypted vault and import the file into it.
    Import { file: PathBuf, vault: PathBuf, fast_kdf: bool },
    /// Export the vault to GEDCOM 5.5.1, everything included.
    Export { vault: PathBuf, out: PathBuf },
}

impl Task {
    /// Runs the task in this process.
    pub fn run(&self) -> Result<Measured> {
        match self {
            Task::Generate { people, seed, out } => generate(*people, *seed, out),
            Task::ParseKinvault { file } => parse_kinvault(file),
            Task::ParseGedIo { file } => parse_ged_io(file),
            Task::Import { file, vault, fast_kdf } => import(file, vault, *fast_kdf),
            Task::Export { vault, out } => export(vault, out),
        }
    }

    /// The arguments of the hidden `child` subcommand that runs this task.
    pub fn args(&self) -> Vec<String> {
        let p = |p: &Path| p.display().to_string();
        match self {
            Task::Generate { people, seed, out } => {
                vec!["generate".into(), people.to_string(), seed.to_string(), p(out)]
            }
            Task::ParseKinvault { file } => vec!["parse-kinvault".into(), p(file)],
            Task::ParseGedIo { file } => vec!["parse-ged-io".into(), p(file)],
            Task::Import { file, vault, fast_kdf } => {
                let mut v = vec!["import".into(), p(file), p(vault)];
                if *fast_kdf {
                    v.push("--fast-kdf".into());
                }
                v
            }
            Task::Export { vault, out } => vec!["export".into(), p(vault), p(out)],
        }
    }

    /// Parses what [`Task::args`] produced.
    pub fn from_args(args: &[String]) -> Result<Task> {
        let arg = |i: usize| args.get(i).cloned().with_context(|| format!("child: missing argument {i}"));
        let path = |i: usize| arg(i).map(PathBuf::from);
        Ok(match args.first().map(String::as_str) {
            Some("generate") => Task::Generate { people: arg(1)?.parse()?, seed: arg(2)?.parse()?, out: path(3)? },
            Some("parse-kinvault") => Task::ParseKinvault { file: path(1)? },
            Some("parse-ged-io") => Task::ParseGedIo { file: path(1)? },
            Some("import") => Task::Import {
                file: path(1)?,
                vault: path(2)?,
                fast_kdf: args.get(3).map(String::as_str) == Some("--fast-kdf"),
            },
            Some("export") => Task::Export { vault: path(1)?, out: path(2)? },
            other => anyhow::bail!("child: unknown task {other:?}"),
        })
    }
}

fn secs(start: Instant) -> f64 {
    start.elapsed().as_secs_f64()
}

fn file_len(path: &Path) -> u64 {
    std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}

/// The whole process's peak after the measured work: the larger of the mark read before a
/// reset (if any) and the mark now.
fn whole_peak(before_reset: Option<u64>) -> Option<u64> {
    match (before_reset, vm_hwm_kib()) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}

/// Resets the high-water mark for the phase about to start; returns the mark before the
/// reset and whether the reset took.
fn start_phase() -> (Option<u64>, bool) {
    let before = vm_hwm_kib();
    (before, reset_hwm())
}

fn generate(people: usize, seed: u64, out: &Path) -> Result<Measured> {
    let start = Instant::now();
    let file = File::create(out).with_context(|| format!("create {}", out.display()))?;
    let mut w = BufWriter::with_capacity(READ_BUFFER, file);
    let summary = kinvault_synth::generate(&kinvault_synth::Config::new(people, seed), &mut w)?;
    w.into_inner().map_err(|e| e.into_error())?.sync_all()?;
    let secs = secs(start);
    Ok(Measured {
        secs,
        individuals: summary.individuals,
        families: summary.families,
        records: summary.individuals + summary.families + summary.sources,
        bytes: Some(file_len(out)),
        peak_rss_kib: vm_hwm_kib(),
        ..Measured::default()
    })
}

fn parse_kinvault(file: &Path) -> Result<Measured> {
    let start = Instant::now();
    let input = BufReader::with_capacity(READ_BUFFER, File::open(file)?);
    // No xref check: ged_io does none either, so both do the same work.
    let mut reader = Reader::with_options(input, ReadOptions { check_xrefs: false })?;
    // The header was read when the reader was made: counted as a record, as ged_io does.
    let (mut records, mut individuals, mut families, mut warnings) = (1u64, 0u64, 0u64, 0u64);
    while let Some(record) = reader.next_record()? {
        records += 1;
        match record.tag.as_str() {
            "INDI" => individuals += 1,
            "FAM" => families += 1,
            _ => {}
        }
        // Warnings are kept by the reader until taken; count and drop them as the import does.
        warnings += reader.take_warnings().len() as u64;
    }
    let secs = secs(start);
    Ok(Measured { secs, individuals, families, records, warnings, peak_rss_kib: vm_hwm_kib(), ..Measured::default() })
}

fn parse_ged_io(file: &Path) -> Result<Measured> {
    use ged_io::stream::{GedcomRecord, GedcomStreamParser};
    let start = Instant::now();
    let input = BufReader::with_capacity(READ_BUFFER, File::open(file)?);
    let (mut records, mut individuals, mut families) = (0u64, 0u64, 0u64);
    let mut error = None;
    match GedcomStreamParser::new(input) {
        Err(e) => error = Some(e.to_string()),
        Ok(parser) => {
            for record in parser {
                match record {
                    Ok(r) => {
                        records += 1;
                        match r {
                            GedcomRecord::Individual(_) => individuals += 1,
                            GedcomRecord::Family(_) => families += 1,
                            _ => {}
                        }
                    }
                    // The stream ends at its first error.
                    Err(e) => error = Some(e.to_string()),
                }
            }
        }
    }
    let secs = secs(start);
    Ok(Measured { secs, individuals, families, records, error, peak_rss_kib: vm_hwm_kib(), ..Measured::default() })
}

fn vault_bytes(vault: &Path) -> u64 {
    let mut wal = vault.as_os_str().to_owned();
    wal.push("-wal");
    file_len(vault) + file_len(Path::new(&wal))
}

fn import(file: &Path, vault_path: &Path, fast_kdf: bool) -> Result<Measured> {
    let kdf = if fast_kdf { KdfParams::TESTING_ONLY } else { KdfParams::INTERACTIVE };
    let start = Instant::now();
    let (mut vault, _recovery) = Vault::create(vault_path, PASSPHRASE, kdf)?;
    let setup_secs = secs(start);
    let (before, reset) = start_phase();
    let start = Instant::now();
    let report = import_gedcom(&mut vault, file, &NoProgress)?;
    let secs = secs(start);
    let start = Instant::now();
    drop(vault);
    let close_secs = self::secs(start);
    let records = u64::from(report.individuals)
        + u64::from(report.families)
        + u64::from(report.sources)
        + u64::from(report.other_records);
    Ok(Measured {
        secs,
        setup_secs: Some(setup_secs),
        close_secs: Some(close_secs),
        individuals: report.individuals.into(),
        families: report.families.into(),
        records,
        warnings: report.warnings.len() as u64,
        bytes: Some(vault_bytes(vault_path)),
        phase_rss_kib: if reset { vm_hwm_kib() } else { None },
        peak_rss_kib: whole_peak(before),
        error: None,
    })
}

fn export(vault_path: &Path, out: &Path) -> Result<Measured> {
    let start = Instant::now();
    let vault = Vault::open(vault_path, PASSPHRASE)?;
    let setup_secs = secs(start);
    let (before, reset) = start_phase();
    let req = ExportRequest {
        path: out.display().to_string(),
        format: ExportFormat::Gedcom551,
        // Everything, so that every record read is written.
        include_living: true,
        include_health: true,
    };
    let start = Instant::now();
    let report = export_gedcom(&vault, &req, &NoProgress)?;
    let secs = secs(start);
    let start = Instant::now();
    drop(vault);
    let close_secs = self::secs(start);
    let records = u64::from(report.individuals)
        + u64::from(report.families)
        + u64::from(report.sources)
        + u64::from(report.other_records);
    Ok(Measured {
        secs,
        setup_secs: Some(setup_secs),
        close_secs: Some(close_secs),
        individuals: report.individuals.into(),
        families: report.families.into(),
        records,
        bytes: Some(report.bytes),
        phase_rss_kib: if reset { vm_hwm_kib() } else { None },
        peak_rss_kib: whole_peak(before),
        ..Measured::default()
    })
}

/// Entry point of the hidden `child` subcommand: runs the task, prints the JSON line.
pub fn main(args: &[String]) -> Result<()> {
    let task = Task::from_args(args)?;
    let measured = task.run()?;
    let mut out = std::io::stdout().lock();
    serde_json::to_writer(&mut out, &measured)?;
    writeln!(out)?;
    Ok(())
}
