//! Every file of the conformance corpus (`shared/conformance/gedcom`): reads without panic, has
//! as many INDI and FAM records as a byte-level count finds, and survives a write/read round
//! trip in its own version. Prints a summary table (`-- --nocapture` to see it).

mod common;

use std::collections::BTreeMap;
use std::fmt::Write as _;

use common::*;
use kinvault_gedcom::{gedzip, read};

/// Files whose reader count legitimately differs from the byte-level count, and why.
/// (path relative to the corpus root, INDI expected, FAM expected, reason)
const COUNT_EXCEPTIONS: &[(&str, usize, usize, &str)] = &[(
    "gedcom-go/malformed/unterminated-xref.ged",
    1,
    0,
    "`0 @I1 INDI` has no closing @, so the byte pattern does not match; the reader repairs it to \
     @I1@ (with a warning) and keeps the person",
)];

#[test]
fn every_conformance_file() {
    let root = conformance_dir();
    let files = gedcom_files(&root);

    let mut table = String::new();
    let _ = writeln!(
        table,
        "{:<58} {:>6} {:<13} {:>7} {:>6} {:>5} {:>5} {:>6}",
        "file", "vers", "encoding", "records", "INDI", "FAM", "warn", "media"
    );
    let mut failures = Vec::new();
    let mut totals = (0usize, 0usize, 0usize);
    let mut kinds: BTreeMap<String, usize> = BTreeMap::new();
    for path in &files {
        let name = rel(&root, path);
        let raw = std::fs::read(path).unwrap_or_else(|e| panic!("{name}: {e}"));
        let (bytes, media) = if extension(path) == "gdz" {
            let mut archive = match gedzip::open(std::io::Cursor::new(&raw[..])) {
                Ok(a) => a,
                Err(e) => {
                    failures.push(format!("{name}: {e}"));
                    continue;
                }
            };
            let names: Vec<String> = archive.media().map(|m| m.name.clone()).collect();
            for m in &names {
                let size = archive.media().find(|e| &e.name == m).map(|e| e.size);
                match archive.media_bytes(m) {
                    Ok(b) if Some(b.len() as u64) == size => {}
                    Ok(b) => failures.push(format!("{name}: media {m} has {} bytes, declared {size:?}", b.len())),
                    Err(e) => failures.push(format!("{name}: media {m}: {e}")),
                }
            }
            (archive.gedcom_bytes().unwrap_or_else(|e| panic!("{name}: {e}")), names.len())
        } else {
            (raw, 0)
        };

        let doc = match read(&bytes) {
            Ok(doc) => doc,
            Err(e) => {
                failures.push(format!("{name}: {e}"));
                continue;
            }
        };
        let mut expected = count_records_bytewise(&bytes);
        if let Some((_, i, f, _)) = COUNT_EXCEPTIONS.iter().find(|(n, ..)| *n == name) {
            expected = (*i, *f);
        }
        let parsed = count_records_parsed(&doc);
        if parsed != expected {
            failures.push(format!("{name}: (INDI, FAM) = {parsed:?}, the bytes say {expected:?}"));
        }
        if let Err(e) = check_round_trip(&doc, &options_for(&doc)) {
            failures.push(format!("{name}: round trip: {e}"));
        }
        for w in &doc.warnings {
            *kinds.entry(format!("{:?}", w.kind)).or_default() += 1;
        }
        totals.0 += doc.records.len();
        totals.1 += doc.warnings.len();
        totals.2 += media;
        let short = if name.len() > 58 { format!("…{}", &name[name.len() - 57..]) } else { name.clone() };
        let _ = writeln!(
            table,
            "{:<58} {:>6} {:<13} {:>7} {:>6} {:>5} {:>5} {:>6}",
            short,
            doc.version.to_string(),
            doc.encoding.name(),
            doc.records.len(),
            parsed.0,
            parsed.1,
            doc.warnings.len(),
            media
        );
    }
    let _ = writeln!(
        table,
        "{} files, {} records, {} warnings, {} media entries; warnings by kind: {kinds:?}",
        files.len(),
        totals.0,
        totals.1,
        totals.2
    );
    println!("{table}");
    assert!(failures.is_empty(), "{} conformance failures:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn maximal70_gdz_brings_its_media() {
    let root = conformance_dir();
    let path = root.join("gedcom70-official/gedcom70/maximal70.gdz");
    let raw = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let (doc, mut archive) = gedzip::read(&raw).unwrap();
    assert_eq!(doc.version, kinvault_gedcom::Version::V7);
    let mut found = Vec::new();
    for record in &doc.records {
        for (node, _) in record.descendants() {
            if node.tag == "FILE" {
                if let Some(entry) = node.text().and_then(|f| archive.media_for_file_ref(f)) {
                    found.push(entry.name.clone());
                }
            }
        }
    }
    assert!(found.contains(&"media/CharlotteBrontë.jpg".to_string()), "{found:?}");
    assert!(found.contains(&"path/to/file1".to_string()), "{found:?}");
    let jpg = archive.media_bytes("media/CharlotteBrontë.jpg").unwrap();
    assert_eq!(jpg.len(), 79000);
    assert_eq!(&jpg[..2], b"\xFF\xD8", "a JPEG starts with FFD8");

    // and it can be written back and read again, media included
    let ged = kinvault_gedcom::write(Some(&doc.header), &doc.records, &kinvault_gedcom::WriteOptions::gedcom_70());
    let media: Vec<(String, Vec<u8>)> = archive
        .media()
        .map(|m| m.name.clone())
        .collect::<Vec<_>>()
        .into_iter()
        .map(|n| {
            let b = archive.media_bytes(&n).unwrap();
            (n, b)
        })
        .collect();
    let refs: Vec<(&str, &[u8])> = media.iter().map(|(n, b)| (n.as_str(), b.as_slice())).collect();
    let out = gedzip::write(std::io::Cursor::new(Vec::new()), &ged, &refs).unwrap().into_inner();
    let (doc2, mut archive2) = gedzip::read(&out).unwrap();
    assert_eq!(doc2.records.len(), doc.records.len());
    assert_eq!(archive2.media().len(), media.len());
    assert_eq!(archive2.media_bytes("media/CharlotteBrontë.jpg").unwrap(), jpg);
}
