//! Smoke test: the whole harness on a tiny file, so CI notices when it breaks. Uses the
//! test-only KDF (`--fast-kdf`), a Gramps that is not there, and runs in a few seconds.

use kinvault_bench::{report, run, Op, Options, Outcome};
use std::path::PathBuf;
use std::process::Command;

const EXE: &str = env!("CARGO_BIN_EXE_gedcom-bench");

#[test]
fn harness_measures_a_tiny_file() {
    let keep = tempfile::tempdir().unwrap();
    let mut opts = Options::new(PathBuf::from(EXE));
    opts.sizes = vec![300];
    opts.seed = 7;
    opts.fast_kdf = true;
    // ged_io runs (it is a crate, always there); Gramps is "not installed".
    opts.gramps = "/nonexistent/gramps".into();
    opts.keep = Some(keep.path().to_path_buf());
    opts.command = "smoke test".into();
    let mut lines = Vec::new();
    let r = run(&opts, &mut |l| lines.push(l.to_string())).unwrap();
    assert!(r.own_failures().is_empty(), "{:?}", r.own_failures());
    assert_eq!(lines.len(), 6, "{lines:?}");

    let done =
        |op: Op| r.row(300, op).and_then(Outcome::done).unwrap_or_else(|| panic!("{op:?}: {:?}", r.row(300, op)));
    assert_eq!(done(Op::Generate).individuals, 300);
    assert!(done(Op::Generate).bytes.unwrap() > 10_000);
    let parsed = done(Op::ParseKinvault);
    assert_eq!(parsed.individuals, 300);
    assert_eq!(parsed.families, done(Op::Generate).families);
    assert!(done(Op::ParseGedIo).records > 0);
    let import = done(Op::Import);
    assert_eq!(import.individuals, 300);
    assert_eq!(import.families, parsed.families);
    assert_eq!(import.warnings, 0);
    assert!(import.setup_secs.is_some() && import.bytes.unwrap() > 0);
    let (whole, phase) = (import.peak_rss_kib.unwrap(), import.phase_rss_kib.expect("clear_refs works"));
    assert!(whole >= phase && phase > 0, "{whole} {phase}");
    let export = done(Op::Export);
    assert_eq!(export.individuals, 300);
    assert!(export.records >= export.individuals + export.families);
    match r.row(300, Op::Gramps) {
        Some(Outcome::Skipped { why }) => assert!(why.starts_with("not installed"), "{why}"),
        other => panic!("{other:?}"),
    }
    // --keep kept the files.
    assert!(keep.path().join("synth-300-seed7.ged").exists());
    assert!(keep.path().join("vault-300.kinvault").exists());
    assert!(keep.path().join("export-300.ged").exists());

    let md = report::markdown(&r);
    assert!(md.contains("TEST-ONLY"), "{md}");
    assert!(md.contains("| people | operation | time | persons/s | peak RSS | notes |"), "{md}");
    assert!(md.contains("| 300 | import → new encrypted vault |"), "{md}");
    assert!(md.contains("skipped: not installed"), "{md}");
    assert!(md.contains("not measured (Gramps skipped: not installed"), "{md}");
}

#[test]
fn command_line_runs_and_writes_json() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("r.json");
    let out =
        Command::new(EXE).args(["--sizes", "120", "--no-peers", "--fast-kdf", "--json"]).arg(&json).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("| 120 | export vault → GEDCOM 5.5.1 |"), "{stdout}");
    assert!(stdout.contains("skipped: --no-peers"), "{stdout}");
    assert!(stdout.contains("### Targets (issue 3)"), "{stdout}");
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    assert_eq!(v["fast_kdf"], true);
    assert_eq!(v["rows"].as_array().unwrap().len(), 6);
}

#[test]
fn child_failure_is_reported_not_hidden() {
    let out = Command::new(EXE)
        .args(["child", "import", "/nonexistent/file.ged", "/nonexistent/dir/v.kinvault", "--fast-kdf"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("gedcom-bench child:"));
}

#[test]
fn a_failing_measurement_is_a_failed_row() {
    let mut opts = Options::new(PathBuf::from("/bin/false"));
    opts.sizes = vec![50];
    opts.peers = false;
    let r = run(&opts, &mut |_| {}).unwrap();
    assert!(matches!(r.row(50, Op::Generate), Some(Outcome::Failed { .. })));
    assert!(matches!(r.row(50, Op::Import), Some(Outcome::Skipped { .. })));
    assert_eq!(r.own_failures().len(), 1);
    assert!(report::markdown(&r).contains("**FAILED**"));
}
