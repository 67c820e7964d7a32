//! Every file of the GEDCOM conformance corpus through the mapping: import (counts match the
//! records in the file), export in the file's own version with living people and health data,
//! import again — the two models must be equal up to generated ids. Prints a table with
//! `cargo test -p kinvault-interop --test conformance -- --nocapture`.

mod common;

use common::*;
use kinvault_gedcom::{gedzip, read, Version};
use kinvault_interop::gedcom::{export_records, import_records, ExportOptions, WriteVersion};
use std::fmt::Write as _;

#[test]
fn every_conformance_file_round_trips_through_the_model() {
    let root = conformance_dir();
    let files = gedcom_files(&root);
    let mut table = String::new();
    let _ = writeln!(
        table,
        "{:<62} {:>5} {:>5} {:>5} {:>5} {:>5} {:>5}",
        "file", "INDI", "FAM", "SOUR", "other", "health", "warn"
    );
    let mut failures = vec![];
    let only = std::env::var("CONFORMANCE_ONLY").unwrap_or_default();
    for path in &files {
        let name = rel(&root, path);
        if !name.contains(only.as_str()) {
            continue;
        }
        let started = std::time::Instant::now();
        let raw = std::fs::read(path).unwrap();
        let doc = if extension(path) == "gdz" {
            gedzip::read(&raw).map(|(d, _)| d).map_err(|e| e.to_string())
        } else {
            read(&raw).map_err(|e| e.to_string())
        };
        let doc = match doc {
            Ok(d) => d,
            Err(e) => {
                failures.push(format!("{name}: {e}"));
                continue;
            }
        };
        let first = import_records(&doc.records);
        let c = first.summary.counts;
        let n = |tag: &str| doc.records.iter().filter(|r| r.tag == tag).count() as u64;
        if (c.individuals, c.families, c.sources) != (n("INDI"), n("FAM"), n("SOUR")) {
            failures.push(format!(
                "{name}: imported (INDI, FAM, SOUR) = {:?}, the file has {:?}",
                (c.individuals, c.families, c.sources),
                (n("INDI"), n("FAM"), n("SOUR"))
            ));
        }
        let version = if doc.version == Version::V7 { WriteVersion::V7_0 } else { WriteVersion::V5_5_1 };
        let mut opts = ExportOptions::new(version, 2026);
        opts.include_living = true;
        opts.include_health = true;
        let (bytes, counts) =
            export_records(&first.persons, &first.families, &first.sources, &first.raw_records, opts.clone());
        assert_eq!(counts.individuals, c.individuals, "{name}: everyone exported");
        let doc2 = match read(&bytes) {
            Ok(d) => d,
            Err(e) => {
                failures.push(format!("{name}: the export does not read: {e}"));
                continue;
            }
        };
        let unexpected: Vec<_> = doc2
            .warnings
            .iter()
            .filter(|w| {
                !matches!(
                    w.kind,
                    kinvault_gedcom::WarningKind::DanglingPointer | kinvault_gedcom::WarningKind::DuplicateXref
                )
            })
            .collect();
        if !unexpected.is_empty() {
            failures.push(format!("{name}: the export reads with warnings: {unexpected:?}"));
        }
        let second = import_records(&doc2.records);
        if let Some(diff) = model_difference(&first, &second) {
            failures.push(format!("{name}: {diff}"));
        }
        // And once more: export → import is a fixed point after the first pass.
        let (bytes2, _) = export_records(&second.persons, &second.families, &second.sources, &second.raw_records, opts);
        if bytes2 != bytes {
            failures.push(format!("{name}: the second export differs from the first"));
        }
        if std::env::var_os("CONFORMANCE_VERBOSE").is_some() {
            eprintln!("{name}: {:?}", started.elapsed());
        }
        let _ = writeln!(
            table,
            "{:<62} {:>5} {:>5} {:>5} {:>5} {:>5} {:>5}",
            name,
            c.individuals,
            c.families,
            c.sources,
            c.other_records,
            c.health_observations,
            first.summary.warnings.len()
        );
    }
    println!("{table}");
    assert!(failures.is_empty(), "{} of {} files failed:\n{}", failures.len(), files.len(), failures.join("\n"));
}
