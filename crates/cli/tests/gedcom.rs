//! `kinvault import` / `kinvault export`, run as a user would.

mod common;

use common::{conformance, json, kinvault, ok};
use std::path::{Path, PathBuf};
use std::process::Stdio;

fn new_vault(dir: &Path, name: &str) -> PathBuf {
    let vault = dir.join(name);
    ok(kinvault(dir).arg("init").arg(&vault).output().unwrap());
    vault
}

#[test]
fn import_export_both_versions_and_reimport() {
    let d = tempfile::tempdir().unwrap();
    let vault = new_vault(d.path(), "fam.kinvault");
    let file = conformance("gedcom-go/encoding/ansi-cp1252-ftm17.ged");
    let report = json(kinvault(d.path()).arg("import").arg(&vault).arg(&file).arg("--json").output().unwrap());
    assert_eq!(report["individuals"], 178);
    assert_eq!(report["families"], 113);
    assert_eq!(report["sources"], 4);
    assert_eq!(report["encoding"], "windows-1252");
    assert!(report["warnings"].is_array());
    let stats = json(kinvault(d.path()).arg("stats").arg(&vault).arg("--json").output().unwrap());
    assert_eq!((stats["individuals"].as_u64(), stats["families"].as_u64()), (Some(178), Some(113)));

    // Text output: the counts, one per line.
    let other = new_vault(d.path(), "other.kinvault");
    let text = ok(kinvault(d.path()).arg("import").arg(&other).arg(&file).output().unwrap());
    assert!(text.contains("individuals    178\n") && text.contains("warnings       "), "{text}");

    for format in ["gedcom-5.5.1", "gedcom-7", "gedzip"] {
        let out = d.path().join(format!("out.{format}"));
        let export = json(
            kinvault(d.path())
                .args(["export"])
                .arg(&vault)
                .args(["--format", format, "-o"])
                .arg(&out)
                .args(["--include-living", "--include-health", "--json"])
                .output()
                .unwrap(),
        );
        assert_eq!(export["individuals"], 178, "{format}");
        assert_eq!(export["living_excluded"], 0);
        let again = new_vault(d.path(), &format!("again-{format}.kinvault"));
        let back = json(kinvault(d.path()).arg("import").arg(&again).arg(&out).arg("--json").output().unwrap());
        for k in ["individuals", "families", "sources", "health_observations"] {
            assert_eq!(back[k], report[k], "{format} {k}");
        }
    }

    // Private by default.
    let out = d.path().join("private.ged");
    let export = json(
        kinvault(d.path())
            .arg("export")
            .arg(&vault)
            .args(["--format", "gedcom-5.5.1", "--output"])
            .arg(&out)
            .arg("--json")
            .output()
            .unwrap(),
    );
    let living = export["living_excluded"].as_u64().unwrap();
    assert!(living > 0, "{export}");
    assert_eq!(export["individuals"].as_u64().unwrap() + living, 178);
}

#[test]
fn malformed_file_gives_warnings_not_failure() {
    let d = tempfile::tempdir().unwrap();
    let vault = new_vault(d.path(), "v.kinvault");
    let file = conformance("gedcom-go/malformed/invalid-level.ged");
    let report = json(kinvault(d.path()).arg("import").arg(&vault).arg(&file).arg("--json").output().unwrap());
    assert_eq!(report["individuals"], 1);
    let warnings = report["warnings"].as_array().unwrap();
    assert!(!warnings.is_empty());
    assert!(warnings[0]["line"].is_u64(), "{report}");
    let out = kinvault(d.path()).arg("import").arg(&vault).arg(&file).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("--json to list the warnings"));
}

#[test]
fn not_gedcom_is_a_clear_error_and_changes_nothing() {
    let d = tempfile::tempdir().unwrap();
    let vault = new_vault(d.path(), "v.kinvault");
    ok(kinvault(d.path()).args(["person", "add"]).arg(&vault).args(["--given", "Ada"]).output().unwrap());
    let before = json(kinvault(d.path()).arg("stats").arg(&vault).arg("--json").output().unwrap());
    let junk = d.path().join("photo.jpg");
    std::fs::write(&junk, [0xFFu8, 0xD8, 0xFF, 0xE0, 0, 0x10, b'J', b'F', b'I', b'F', 0, 1, 2, 3]).unwrap();
    let out = kinvault(d.path()).arg("import").arg(&vault).arg(&junk).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.starts_with("kinvault: cannot import") && err.contains("not a GEDCOM file"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    let out = kinvault(d.path()).arg("import").arg(&vault).arg(d.path().join("nope.ged")).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("kinvault: cannot read"), "missing file");
    let after = json(kinvault(d.path()).arg("stats").arg(&vault).arg("--json").output().unwrap());
    assert_eq!(before["individuals"], after["individuals"]);
    assert_eq!(before["changes"], after["changes"]);
    // Bad format names are refused by the argument parser.
    let out = kinvault(d.path()).arg("export").arg(&vault).args(["--format", "csv", "-o", "x"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// An import is one transaction, also when the process dies in the middle of it (power cut,
/// kill -9): the next open rolls the hot journal back and the vault holds what it held before.
#[test]
fn killed_import_leaves_the_vault_as_it_was() {
    let d = tempfile::tempdir().unwrap();
    let vault = new_vault(d.path(), "fam.kinvault");
    let small = conformance("gedcom-go/encoding/ansi-cp1252-ftm17.ged");
    ok(kinvault(d.path()).arg("import").arg(&vault).arg(&small).output().unwrap());
    let big = d.path().join("big.ged");
    let file = std::io::BufWriter::new(std::fs::File::create(&big).unwrap());
    kinvault_synth::generate(&kinvault_synth::Config::new(60_000, 3), file).unwrap();

    let mut child = kinvault(d.path())
        .arg("import")
        .arg(&vault)
        .arg(&big)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Wait until the import transaction is writing (its rollback journal exists), then a little
    // longer so pages of the new data have reached the file.
    let journal = PathBuf::from(format!("{}-journal", vault.display()));
    let start = std::time::Instant::now();
    while !journal.exists() && start.elapsed() < std::time::Duration::from_secs(60) {
        assert!(child.try_wait().unwrap().is_none(), "the import ended before it could be interrupted");
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    assert!(journal.exists(), "the import never started writing");
    std::thread::sleep(std::time::Duration::from_millis(500));
    assert!(child.try_wait().unwrap().is_none(), "the import finished before it could be killed; use a bigger file");
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(journal.exists(), "a hot journal is left behind");

    let stats = json(kinvault(d.path()).arg("stats").arg(&vault).arg("--json").output().unwrap());
    assert_eq!((stats["individuals"].as_u64(), stats["families"].as_u64()), (Some(178), Some(113)));
    ok(kinvault(d.path()).arg("check").arg(&vault).output().unwrap());
    assert!(!journal.exists(), "the journal was rolled back and removed");
}

/// A record whose vendor structures nest deep (the reader allows 100 levels) is stored raw and
/// must read back: `person show` and `check` work on it.
#[test]
fn deeply_nested_records_read_back_from_the_vault() {
    let d = tempfile::tempdir().unwrap();
    let vault = new_vault(d.path(), "deep.kinvault");
    let file = conformance("gedcom-go/edge-cases/deep-nesting-levels.ged");
    let report = json(kinvault(d.path()).arg("import").arg(&vault).arg(&file).arg("--json").output().unwrap());
    assert!(report["individuals"].as_u64().unwrap() >= 1);
    let people = json(kinvault(d.path()).args(["person", "list"]).arg(&vault).arg("--json").output().unwrap());
    for p in people["items"].as_array().unwrap() {
        let id = p["id"].as_str().unwrap();
        let shown =
            json(kinvault(d.path()).args(["person", "show"]).arg(&vault).arg(id).arg("--json").output().unwrap());
        assert_eq!(shown["id"], p["id"]);
    }
    ok(kinvault(d.path()).arg("check").arg(&vault).output().unwrap());
}
