//! The results as Markdown: machine, table, and the targets with PASS / FAIL / not
//! measured, computed from what was measured.

use crate::child::Measured;
use crate::run::{fmt_int, Op, Outcome, Report};
use std::fmt::Write;

/// The targets of issue 3.
pub const TARGET_PERSONS_PER_SEC: f64 = 100_000.0;
pub const TARGET_VS_GED_IO: f64 = 1.5;
pub const TARGET_VS_GRAMPS: f64 = 50.0;
pub const TARGET_RSS_PEOPLE: usize = 200_000;
pub const TARGET_RSS_BYTES: f64 = 100e6;
pub const TARGET_WORKS_PEOPLE: usize = 1_000_000;

/// The operation's name in the table.
pub fn op_label(op: Op, ged_io: Option<&str>, gramps: Option<&str>) -> String {
    match op {
        Op::Generate => "generate file (kinvault-synth)".into(),
        Op::ParseKinvault => "parse only: Kinvault reader".into(),
        Op::ParseGedIo => match ged_io {
            Some(v) => format!("parse only: ged_io {v} (stream)"),
            None => "parse only: ged_io (stream)".into(),
        },
        Op::Import => "import → new encrypted vault".into(),
        Op::Export => "export vault → GEDCOM 5.5.1".into(),
        Op::Gramps => match gramps {
            Some(v) => format!("Gramps {v} CLI import"),
            None => "Gramps CLI import".into(),
        },
    }
}

/// `0.0123` → `12.3 ms`, `1.234` → `1.23 s`, `123.4` → `123 s (2 min 03 s)`.
pub fn fmt_secs(s: f64) -> String {
    if s < 0.01 {
        format!("{:.2} ms", s * 1e3)
    } else if s < 1.0 {
        format!("{:.0} ms", s * 1e3)
    } else if s < 100.0 {
        format!("{s:.2} s")
    } else {
        let whole = s.round() as u64;
        format!("{whole} s ({} min {:02} s)", whole / 60, whole % 60)
    }
}

/// Like [`fmt_secs`] without the minutes, for text in parentheses.
fn fmt_secs_short(s: f64) -> String {
    if s < 100.0 {
        fmt_secs(s)
    } else {
        format!("{s:.0} s")
    }
}

/// KiB → `12.3 MB` (MB = 10⁶ bytes).
pub fn fmt_kib(kib: u64) -> String {
    format!("{:.1} MB", kib as f64 * 1024.0 / 1e6)
}

pub fn fmt_bytes(b: u64) -> String {
    format!("{:.1} MB", b as f64 / 1e6)
}

fn rate(count: u64, secs: f64) -> Option<f64> {
    (secs > 0.0 && count > 0).then(|| count as f64 / secs)
}

fn fmt_rate(r: Option<f64>) -> String {
    r.map(|r| fmt_int(r.round() as u64)).unwrap_or_else(|| "—".into())
}

fn notes(op: Op, m: &Measured, wall: f64) -> String {
    let mut n: Vec<String> = Vec::new();
    match op {
        Op::Generate => {
            n.push(format!("file {}", fmt_bytes(m.bytes.unwrap_or(0))));
            n.push(format!("{} families", fmt_int(m.families)));
        }
        Op::ParseKinvault => {
            n.push(format!("{} records", fmt_int(m.records)));
            n.push("xref check off (ged_io has none)".into());
        }
        Op::ParseGedIo => {
            n.push(format!("{} records", fmt_int(m.records)));
            if m.error.is_none() {
                n.push("whole file read without error".into());
            }
        }
        Op::Import => {
            if let Some(p) = m.phase_rss_kib {
                n.push(format!("import phase peak {}", fmt_kib(p)));
            } else {
                n.push("import phase peak not available (clear_refs refused)".into());
            }
            if let Some(s) = m.setup_secs {
                n.push(format!("vault creation {} (Argon2id, not in time)", fmt_secs(s)));
            }
            if let Some(s) = m.close_secs {
                n.push(format!("close {}", fmt_secs(s)));
            }
            n.push(format!("whole process {}", fmt_secs_short(wall)));
            n.push(format!("vault {}", fmt_bytes(m.bytes.unwrap_or(0))));
        }
        Op::Export => {
            n.push(format!("{} records/s", fmt_rate(rate(m.records, m.secs))));
            if let Some(p) = m.phase_rss_kib {
                n.push(format!("export phase peak {}", fmt_kib(p)));
            }
            if let Some(s) = m.setup_secs {
                n.push(format!("vault open {} (not in time)", fmt_secs(s)));
            }
            n.push(format!("file {}", fmt_bytes(m.bytes.unwrap_or(0))));
            n.push("living + health included".into());
        }
        Op::Gramps => {
            n.push(format!("{} people in the new tree", fmt_int(m.individuals)));
            n.push("wall time incl. Python start-up".into());
        }
    }
    if m.warnings > 0 {
        n.push(format!("{} warnings", fmt_int(m.warnings)));
    }
    if let Some(e) = &m.error {
        let mut e = e.replace('|', "\\|").replace('\n', " ");
        if e.chars().count() > 160 {
            e = e.chars().take(160).collect::<String>() + "…";
        }
        n.insert(0, format!("**FAILED** after {} records: {e}", fmt_int(m.records)));
    }
    n.join("; ")
}

/// The results table.
pub fn table(report: &Report) -> String {
    let mut out = String::new();
    out.push_str("| people | operation | time | persons/s | peak RSS | notes |\n");
    out.push_str("|---:|---|---:|---:|---:|---|\n");
    let gramps = report.gramps_version.as_deref();
    for row in &report.rows {
        let label = op_label(row.op, Some(&report.ged_io_version), gramps);
        let people = fmt_int(row.people as u64);
        let line = match &row.outcome {
            Outcome::Done { measured: m, wall_secs, .. } => {
                let r = if m.error.is_none() { fmt_rate(rate(m.individuals, m.secs)) } else { "—".into() };
                let rss = m.peak_rss_kib.map(fmt_kib).unwrap_or_else(|| "—".into());
                format!(
                    "| {people} | {label} | {} | {r} | {rss} | {} |",
                    fmt_secs(m.secs),
                    notes(row.op, m, *wall_secs)
                )
            }
            Outcome::Failed { why, wall_secs, peak_rss_kib } => format!(
                "| {people} | {label} | — | — | {} | **FAILED** after {}: {} |",
                peak_rss_kib.map(fmt_kib).unwrap_or_else(|| "—".into()),
                fmt_secs(*wall_secs),
                why.replace('|', "\\|")
            ),
            Outcome::Skipped { why } => format!("| {people} | {label} | — | — | — | skipped: {why} |"),
        };
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// One target check.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    pub target: String,
    pub people: Option<usize>,
    pub measured: String,
    /// `PASS`, `FAIL` or `not measured (why)`.
    pub result: String,
}

fn pass(ok: bool) -> String {
    if ok { "PASS" } else { "FAIL" }.to_string()
}

fn not_measured(why: impl Into<String>) -> String {
    format!("not measured ({})", why.into())
}

/// Why a row has no usable measurement.
fn missing(o: Option<&Outcome>, what: &str) -> String {
    match o {
        None => format!("{what} not run"),
        Some(Outcome::Skipped { why }) => format!("{what} skipped: {why}"),
        Some(Outcome::Failed { .. }) => format!("{what} failed"),
        Some(Outcome::Done { measured, .. }) => match &measured.error {
            Some(_) => format!("{what} failed to parse the file"),
            None => format!("{what}: nothing to compare"),
        },
    }
}

/// The targets, checked against what was measured.
pub fn verdicts(report: &Report) -> Vec<Verdict> {
    let mut v = Vec::new();
    let sizes = &report.sizes;

    // ≥ 100k persons/s end-to-end into the encrypted vault.
    let target = format!("import ≥ {} persons/s into the encrypted vault", fmt_int(TARGET_PERSONS_PER_SEC as u64));
    for &n in sizes {
        let o = report.row(n, Op::Import);
        let (measured, result) = match o.and_then(Outcome::succeeded) {
            Some(m) => match rate(m.individuals, m.secs) {
                Some(r) => (format!("{} persons/s", fmt_int(r.round() as u64)), pass(r >= TARGET_PERSONS_PER_SEC)),
                None => ("—".into(), not_measured("no time")),
            },
            None => ("—".into(), not_measured(missing(o, "import"))),
        };
        v.push(Verdict { target: target.clone(), people: Some(n), measured, result });
    }

    // ≥ 1.5× faster than ged_io's parse alone: our import, end to end, against ged_io only
    // parsing; and, apples to apples, our parser alone against it.
    for (ours_op, target, what) in [
        (
            Op::Import,
            format!("import (parse + map + encrypted store) ≥ {TARGET_VS_GED_IO}× faster than ged_io's parse alone"),
            "import",
        ),
        (
            Op::ParseKinvault,
            format!("parse vs parse: Kinvault reader ≥ {TARGET_VS_GED_IO}× faster than ged_io"),
            "Kinvault parse",
        ),
    ] {
        for &n in sizes {
            let ours = report.row(n, ours_op);
            let peer = report.row(n, Op::ParseGedIo);
            let (measured, result) = match (ours.and_then(Outcome::succeeded), peer.and_then(Outcome::succeeded)) {
                (Some(a), Some(b)) if a.secs > 0.0 => {
                    let x = b.secs / a.secs;
                    (
                        format!("{x:.2}× ({} vs {})", fmt_secs_short(a.secs), fmt_secs_short(b.secs)),
                        pass(x >= TARGET_VS_GED_IO),
                    )
                }
                (None, _) => ("—".into(), not_measured(missing(ours, what))),
                (_, _) => ("—".into(), not_measured(missing(peer, "ged_io"))),
            };
            v.push(Verdict { target: target.clone(), people: Some(n), measured, result });
        }
    }

    // ≥ 50× faster than Gramps: whole process against whole process (our process start,
    // Argon2id vault creation, import and close against `gramps -C -i`); the import call
    // alone is shown too.
    let target = format!("≥ {TARGET_VS_GRAMPS}× faster than Gramps CLI import (whole process vs whole process)");
    let mut any_gramps = false;
    for &n in sizes {
        let peer = report.row(n, Op::Gramps);
        if matches!(peer, Some(Outcome::Skipped { why }) if why.starts_with("only up to")) {
            continue;
        }
        any_gramps = true;
        let ours = report.row(n, Op::Import);
        let (measured, result) = match (ours, peer.and_then(Outcome::succeeded)) {
            (Some(Outcome::Done { measured: a, wall_secs, .. }), Some(g)) if *wall_secs > 0.0 && a.secs > 0.0 => {
                let x = g.secs / wall_secs;
                (
                    format!(
                        "{x:.0}× ({} vs {}; import call alone {:.0}×)",
                        fmt_secs_short(*wall_secs),
                        fmt_secs_short(g.secs),
                        g.secs / a.secs
                    ),
                    pass(x >= TARGET_VS_GRAMPS),
                )
            }
            (o, Some(_)) => ("—".into(), not_measured(missing(o, "import"))),
            (_, None) => ("—".into(), not_measured(missing(peer, "Gramps"))),
        };
        v.push(Verdict { target: target.clone(), people: Some(n), measured, result });
    }
    if !any_gramps {
        v.push(Verdict {
            target,
            people: None,
            measured: "—".into(),
            result: not_measured("Gramps runs only on sizes up to --gramps-up-to"),
        });
    }

    // Peak RSS ≤ 100 MB at 200k persons.
    let n = TARGET_RSS_PEOPLE;
    let o = report.row(n, Op::Import);
    for (whole, target) in [
        (
            true,
            format!(
                "peak RSS ≤ {:.0} MB importing {} people (whole import process)",
                TARGET_RSS_BYTES / 1e6,
                fmt_int(n as u64)
            ),
        ),
        (
            false,
            format!(
                "peak RSS ≤ {:.0} MB importing {} people (import phase only)",
                TARGET_RSS_BYTES / 1e6,
                fmt_int(n as u64)
            ),
        ),
    ] {
        let (measured, result) = if !sizes.contains(&n) {
            ("—".into(), not_measured(format!("{} not among the sizes", fmt_int(n as u64))))
        } else {
            match o.and_then(Outcome::succeeded) {
                Some(m) => match if whole { m.peak_rss_kib } else { m.phase_rss_kib } {
                    Some(kib) => (fmt_kib(kib), pass(kib as f64 * 1024.0 <= TARGET_RSS_BYTES)),
                    None => ("—".into(), not_measured("the kernel did not report it")),
                },
                None => ("—".into(), not_measured(missing(o, "import"))),
            }
        };
        v.push(Verdict { target, people: Some(n), measured, result });
    }

    // 1M persons works: imported with every person, and exported.
    let n = TARGET_WORKS_PEOPLE;
    let target = format!("{} people: import and export work", fmt_int(n as u64));
    let (measured, result) = if !sizes.contains(&n) {
        ("—".into(), not_measured(format!("{} not among the sizes", fmt_int(n as u64))))
    } else {
        let import = report.row(n, Op::Import);
        let export = report.row(n, Op::Export);
        match (import.and_then(Outcome::succeeded), export.and_then(Outcome::succeeded)) {
            (Some(i), Some(e)) => (
                format!("imported {}, exported {}", fmt_int(i.individuals), fmt_int(e.individuals)),
                pass(i.individuals == n as u64 && e.individuals == n as u64),
            ),
            (None, _) => ("—".into(), pass(false) + &format!(" ({})", missing(import, "import"))),
            (_, None) => ("—".into(), pass(false) + &format!(" ({})", missing(export, "export"))),
        }
    };
    v.push(Verdict { target, people: Some(n), measured, result });
    v
}

/// The whole report: heading, machine, table, targets.
pub fn markdown(report: &Report) -> String {
    let m = &report.machine;
    let mut out = String::new();
    let _ = writeln!(out, "## {} — GEDCOM import/export (crates/bench)\n", &m.date[..10.min(m.date.len())]);
    if report.fast_kdf {
        out.push_str(
            "> **--fast-kdf: TEST-ONLY key-derivation parameters. Vault creation and peak RSS are not \
             the production ones; these numbers are not a benchmark result.**\n\n",
        );
    }
    if m.profile != "release" {
        out.push_str("> **Debug build: these numbers are not a benchmark result (use `--release`).**\n\n");
    }
    let _ = writeln!(
        out,
        "Machine: {}, {} logical CPUs, {:.1} GiB RAM; {}, Linux {}; {}, {} build. \
         Load average (1/5/15 min) at start {}, at end {}. Measured {}.",
        m.cpu,
        m.cores,
        m.ram_bytes as f64 / (1u64 << 30) as f64,
        m.os,
        m.kernel,
        m.rustc,
        m.profile,
        m.load_at_start,
        report.load_at_end,
        m.date
    );
    let _ = writeln!(out);
    let _ = writeln!(out, "Command: `{}`", report.command);
    let _ = writeln!(out);
    let gramps = match &report.gramps_version {
        Some(v) => format!("Gramps {v} (`gramps -C tree -i file.ged`, throwaway GRAMPSHOME)"),
        None => "Gramps not run".into(),
    };
    let _ = writeln!(
        out,
        "Files: kinvault-synth, seed {}, GEDCOM 5.5.1 UTF-8 with health data. Peers: ged_io {} \
         (`GedcomStreamParser`), {gramps}. Every measurement runs in a process of its own; {}. \
         MB = 10⁶ bytes.",
        report.seed,
        report.ged_io_version,
        if report.runs > 1 {
            format!("times are the median of {} runs, peak RSS the largest", report.runs)
        } else {
            "one run each".to_string()
        }
    );
    let _ = writeln!(out);
    out.push_str(&table(report));
    let _ = writeln!(out);
    let _ = writeln!(out, "### Targets (issue 3)\n");
    out.push_str("| target | people | measured | result |\n|---|---:|---|---|\n");
    for v in verdicts(report) {
        let people = v.people.map(|p| fmt_int(p as u64)).unwrap_or_else(|| "—".into());
        let _ = writeln!(out, "| {} | {people} | {} | {} |", v.target, v.measured, v.result);
    }
    if report.fast_kdf {
        out.push_str("\n(--fast-kdf: test-only run, not a benchmark result.)\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::machine::Machine;
    use crate::run::Row;

    fn done(secs: f64, individuals: u64, peak_mb: u64) -> Outcome {
        Outcome::Done {
            measured: Measured {
                secs,
                individuals,
                peak_rss_kib: Some(peak_mb * 1_000_000 / 1024),
                phase_rss_kib: Some(peak_mb * 500_000 / 1024),
                ..Measured::default()
            },
            wall_secs: secs + 0.5,
            runs: 1,
        }
    }

    fn report(sizes: Vec<usize>, rows: Vec<(usize, Op, Outcome)>) -> Report {
        Report {
            machine: Machine::detect(),
            load_at_end: String::new(),
            command: "gedcom-bench".into(),
            seed: 1,
            sizes,
            runs: 1,
            fast_kdf: false,
            ged_io_version: "0.17.0".into(),
            gramps_version: Some("5.1.5".into()),
            rows: rows.into_iter().map(|(people, op, outcome)| Row { people, op, outcome }).collect(),
        }
    }

    fn find<'a>(v: &'a [Verdict], prefix: &str, people: usize) -> &'a Verdict {
        v.iter().find(|x| x.target.starts_with(prefix) && x.people == Some(people)).unwrap()
    }

    #[test]
    fn verdicts_follow_the_numbers() {
        let r = report(
            vec![10_000, 200_000],
            vec![
                (10_000, Op::ParseKinvault, done(0.01, 10_000, 10)),
                (10_000, Op::ParseGedIo, done(0.05, 10_000, 10)),
                (10_000, Op::Import, done(0.05, 10_000, 80)),
                (10_000, Op::Gramps, done(60.0, 10_000, 300)),
                (200_000, Op::ParseKinvault, done(0.2, 200_000, 10)),
                (
                    200_000,
                    Op::ParseGedIo,
                    Outcome::Done {
                        measured: Measured { secs: 0.1, error: Some("Unhandled tag X".into()), ..Measured::default() },
                        wall_secs: 0.2,
                        runs: 1,
                    },
                ),
                (200_000, Op::Import, done(4.0, 200_000, 150)),
                (200_000, Op::Gramps, Outcome::Skipped { why: "only up to 10 000 people (--gramps-up-to)".into() }),
            ],
        );
        let v = verdicts(&r);
        assert_eq!(find(&v, "import ≥", 10_000).result, "PASS"); // 200k/s
        assert_eq!(find(&v, "import ≥", 200_000).result, "FAIL"); // 50k/s
        assert_eq!(find(&v, "import (parse", 10_000).result, "FAIL"); // 1×
        assert_eq!(find(&v, "parse vs parse", 10_000).result, "PASS"); // 5×
        assert!(find(&v, "parse vs parse", 200_000).result.starts_with("not measured (ged_io failed"));
        let g = find(&v, "≥ 50×", 10_000);
        assert_eq!(g.result, "PASS", "{g:?}"); // 60 s / 0.55 s
        assert!(!v.iter().any(|x| x.target.starts_with("≥ 50×") && x.people == Some(200_000)));
        assert_eq!(find(&v, "peak RSS", 200_000).result, "FAIL"); // 150 MB whole
        let phase = v.iter().filter(|x| x.target.starts_with("peak RSS")).nth(1).unwrap();
        assert_eq!(phase.result, "PASS"); // 75 MB phase
        assert!(find(&v, "1 000 000", 1_000_000).result.starts_with("not measured"));
        let md = markdown(&r);
        assert!(md.contains("| 10 000 | import → new encrypted vault | 50 ms | 200 000 | 80.0 MB |"), "{md}");
        assert!(md.contains("**FAILED** after 0 records: Unhandled tag X"), "{md}");
    }

    #[test]
    fn nothing_measured_is_never_a_pass() {
        let r = report(vec![10_000], vec![(10_000, Op::Import, Outcome::Skipped { why: "x".into() })]);
        for v in verdicts(&r) {
            assert!(v.result.starts_with("not measured"), "{v:?}");
        }
    }

    #[test]
    fn times() {
        assert_eq!(fmt_secs(0.0012), "1.20 ms");
        assert_eq!(fmt_secs(0.5), "500 ms");
        assert_eq!(fmt_secs(12.345), "12.35 s");
        assert_eq!(fmt_secs(123.4), "123 s (2 min 03 s)");
        assert_eq!(fmt_kib(97_657), "100.0 MB");
    }
}
