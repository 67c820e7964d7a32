//! GEDCOM import and export through the API, against a real encrypted vault.

use kinvault_api::transfer::{export_gedcom, import_gedcom};
use kinvault_api::*;
use std::cell::Cell;
use std::path::{Path, PathBuf};

fn conformance(rel: &str) -> PathBuf {
    let root = match std::env::var_os("KINVAULT_CONFORMANCE_DIR") {
        Some(d) => PathBuf::from(d),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance/gedcom"),
    };
    assert!(root.is_dir(), "GEDCOM conformance corpus not found at {}; set KINVAULT_CONFORMANCE_DIR", root.display());
    root.join(rel)
}

fn vault(dir: &Path, name: &str) -> Vault {
    Vault::create(&dir.join(name), "test passphrase", KdfParams::TESTING_ONLY).unwrap().0
}

/// What the vault holds (the file size may move with SQLite's housekeeping).
fn content(v: &Vault) -> (u64, u64, u64, u64, u64) {
    let s = v.stats().unwrap();
    (s.individuals, s.families, s.sources, s.raw_records, s.changes)
}

fn request(path: &Path, format: ExportFormat) -> ExportRequest {
    ExportRequest { path: path.display().to_string(), format, include_living: true, include_health: true }
}

#[test]
fn import_counts_match_the_file_and_export_reimports_equal() {
    let d = tempfile::tempdir().unwrap();
    let mut v = vault(d.path(), "a.kinvault");
    let file = conformance("gedcom-go/edge-cases/vendor-ancestris11-export.ged");
    let phases = Cell::new(vec![]);
    let progress = |phase: ProgressPhase, done: u64, total: u64| {
        assert!(done <= total, "{phase:?} {done}/{total}");
        let mut p = phases.take();
        if p.last() != Some(&phase) {
            p.push(phase);
        }
        phases.set(p);
        true
    };
    let report = import_gedcom(&mut v, &file, &progress).unwrap();
    assert_eq!(phases.take(), vec![ProgressPhase::Reading, ProgressPhase::Importing, ProgressPhase::Checking]);
    assert_eq!((report.format.as_str(), report.version.as_str()), ("gedcom", "5.5.1"));
    assert_eq!((report.individuals, report.families, report.sources), (303, 139, 6));
    assert_eq!(report.health_observations, 11);
    let stats = v.stats().unwrap();
    assert_eq!((stats.individuals, stats.families, stats.sources), (303, 139, 6));
    assert_eq!(stats.changes, 303 + 139 + 6 + stats.raw_records, "every record logged once");
    assert!(v.integrity_check().unwrap().ok);
    assert!(people::resolve(&v, "@I1@").is_ok(), "xrefs resolve");

    for format in [ExportFormat::Gedcom551, ExportFormat::Gedcom7, ExportFormat::Gedzip] {
        let out = d.path().join(format!("out-{}.ged", format.name()));
        let r = export_gedcom(&v, &request(&out, format), &NoProgress).unwrap();
        assert_eq!((r.individuals, r.families, r.living_excluded, r.health_excluded), (303, 139, 0, 0));
        assert!(r.bytes > 0 && r.bytes == std::fs::metadata(&out).unwrap().len());
        let head = std::fs::read(&out).unwrap();
        assert_eq!(head.starts_with(b"PK"), format == ExportFormat::Gedzip);
        let mut again = vault(d.path(), &format!("b-{}.kinvault", format.name()));
        let back = import_gedcom(&mut again, &out, &NoProgress).unwrap();
        assert_eq!(
            (back.individuals, back.families, back.sources, back.health_observations),
            (303, 139, 6, 11),
            "{format:?}"
        );
        assert_eq!(back.format, if format == ExportFormat::Gedzip { "gedzip" } else { "gedcom" });
    }
    let leftovers: Vec<_> = std::fs::read_dir(d.path())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with("kinvault-partial"))
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn cancelled_or_failed_import_leaves_the_vault_as_it_was() {
    let d = tempfile::tempdir().unwrap();
    let mut v = vault(d.path(), "v.kinvault");
    people::add(&mut v, &NewPerson { given: "Keep".into(), surname: "Me".into(), ..Default::default() }).unwrap();
    let before = content(&v);
    let file = conformance("gedcom-go/gedcom-5.5/royal92.ged");
    let stop_importing = |phase: ProgressPhase, done: u64, _| !(phase == ProgressPhase::Importing && done >= 1000);
    let e = import_gedcom(&mut v, &file, &stop_importing).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Cancelled);
    assert_eq!(content(&v), before);
    let stop_at_the_end = |phase: ProgressPhase, done: u64, _| !(phase == ProgressPhase::Checking && done == 1);
    assert_eq!(import_gedcom(&mut v, &file, &stop_at_the_end).unwrap_err().kind, ErrorKind::Cancelled);
    assert_eq!(content(&v), before);
    let stop_reading = |phase: ProgressPhase, _, _| phase != ProgressPhase::Reading;
    assert_eq!(import_gedcom(&mut v, &file, &stop_reading).unwrap_err().kind, ErrorKind::Cancelled);

    let junk = d.path().join("junk.ged");
    std::fs::write(&junk, b"\x7fELF\x02\x01\x01 this is not a family tree\n").unwrap();
    let e = import_gedcom(&mut v, &junk, &NoProgress).unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidInput);
    assert!(e.message.contains("not a GEDCOM file"), "{}", e.message);
    let zip = d.path().join("x.gdz");
    std::fs::write(&zip, b"PK\x03\x04 broken").unwrap();
    let e = import_gedcom(&mut v, &zip, &NoProgress).unwrap_err();
    assert!(e.message.contains("GEDZIP"), "{}", e.message);
    let e = import_gedcom(&mut v, &d.path().join("missing.ged"), &NoProgress).unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotFound);
    assert_eq!(content(&v), before);
    assert!(v.integrity_check().unwrap().ok);
}

#[test]
fn malformed_files_import_what_is_sound_with_warnings() {
    let d = tempfile::tempdir().unwrap();
    let mut v = vault(d.path(), "v.kinvault");
    let r = import_gedcom(&mut v, &conformance("gedcom-go/malformed/level-jump-skip.ged"), &NoProgress).unwrap();
    assert_eq!(r.individuals, 1);
    assert!(!r.warnings.is_empty());
    assert!(r.warnings.iter().all(|w| w.line.is_some_and(|l| l > 0) || !w.message.is_empty()));
    let r = import_gedcom(&mut v, &conformance("gedcom-go/malformed/missing-xref.ged"), &NoProgress).unwrap();
    assert!(r.warnings.iter().any(|w| w.message.contains("F999")), "{:?}", r.warnings);
}

#[test]
fn gedzip_import_counts_media_and_export_is_private_by_default() {
    let d = tempfile::tempdir().unwrap();
    let mut v = vault(d.path(), "v.kinvault");
    let r = import_gedcom(&mut v, &conformance("gedcom70-official/gedcom70/maximal70.gdz"), &NoProgress).unwrap();
    assert_eq!((r.format.as_str(), r.version.as_str(), r.individuals), ("gedzip", "7.0", 4));
    assert_eq!(r.media_files, 5, "{r:?}");
    assert!(r.media >= 1);
    assert!(v.media_paths().unwrap().contains(&"media/CharlotteBrontë.jpg".to_string()));
    let out = d.path().join("all.gdz");
    let e = export_gedcom(&v, &request(&out, ExportFormat::Gedzip), &NoProgress).unwrap();
    assert_eq!(e.media_files, 5, "every file the records refer to: {e:?}");
    let bytes = std::fs::read(&out).unwrap();
    let (_, mut archive) = kinvault_gedcom::gedzip::read(&bytes).unwrap();
    let jpg = archive.media_bytes("media/CharlotteBrontë.jpg").unwrap();
    assert_eq!(Some(jpg), v.media_blob("media/CharlotteBrontë.jpg").unwrap());
    // Re-importing the same archive keeps the stored files; the vault's check verifies them.
    let again = import_gedcom(&mut v, &out, &NoProgress).unwrap();
    assert_eq!(again.media_files, 5);
    assert!(v.integrity_check().unwrap().ok);

    let mut v = vault(d.path(), "w.kinvault");
    let r = import_gedcom(&mut v, &conformance("gedcom-go/edge-cases/ancestry-2025-export.ged"), &NoProgress).unwrap();
    assert_eq!(r.individuals, 14);
    let out = d.path().join("private.ged");
    let req = ExportRequest {
        path: out.display().to_string(),
        format: ExportFormat::Gedcom551,
        include_living: false,
        include_health: false,
    };
    let rep = export_gedcom(&v, &req, &NoProgress).unwrap();
    assert!(rep.living_excluded > 0, "{rep:?}");
    assert_eq!(rep.individuals + rep.living_excluded, 14);
    assert!(rep.health_excluded > 0, "{rep:?}");
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(!text.contains("CAUS"), "{text}");

    // Export refuses to overwrite the vault and can be cancelled without leaving a file.
    let e = export_gedcom(&v, &request(v.path(), ExportFormat::Gedcom7), &NoProgress).unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidInput);
    let mut big = vault(d.path(), "big.kinvault");
    import_gedcom(&mut big, &conformance("gedcom-go/gedcom-5.5/royal92.ged"), &NoProgress).unwrap();
    let target = d.path().join("cancelled.ged");
    let stop = |phase: ProgressPhase, _, _| phase != ProgressPhase::Exporting;
    let e = export_gedcom(&big, &request(&target, ExportFormat::Gedcom551), &stop).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Cancelled);
    assert!(!target.exists());
    assert_eq!(
        std::fs::read_dir(d.path())
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().contains("partial"))
            .count(),
        0
    );
}

#[test]
fn desktop_session_imports_and_exports() {
    let d = tempfile::tempdir().unwrap();
    let app = App::with_settings_file(Some(d.path().join("settings.json")), KdfParams::TESTING_ONLY);
    let file = conformance("gedcom-go/edge-cases/vendor-legacy.ged");
    assert_eq!(app.import_gedcom(&file.display().to_string(), &NoProgress).unwrap_err().kind, ErrorKind::Locked);
    app.create_vault(&CreateVaultRequest {
        path: d.path().join("v.kinvault").display().to_string(),
        passphrase: "pass phrase 1".into(),
    })
    .unwrap();
    let r = app.import_gedcom(&file.display().to_string(), &NoProgress).unwrap();
    assert_eq!(app.vault_info().unwrap().stats.individuals, r.individuals);
    let out = d.path().join("out.ged");
    let e = app.export_gedcom(&request(&out, ExportFormat::Gedcom7), &NoProgress).unwrap();
    assert_eq!(e.individuals, r.individuals);
    let json = serde_json::to_value(&e).unwrap();
    assert_eq!(json["format"], "gedcom-7");
}
