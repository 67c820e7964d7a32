//! Shared helpers for the integration tests: finding the conformance corpus, counting records
//! the dumb way, and checking round trips.
#![allow(dead_code)] // each test binary uses a different subset

#[allow(unused_imports)] // each test binary uses a different subset
pub use kinvault_testkit::{conformance_dir, extension, gedcom_files, rel, walk};

use kinvault_gedcom::{read, write, Document, Node, Version, WarningKind, WriteOptions};

/// Counts lines matching `^\s*0\s+@[^@]+@\s+(INDI|FAM)\b` (case-insensitive) on the raw bytes,
/// independently of the reader (UTF-16 is decoded first). Returns (INDI, FAM).
pub fn count_records_bytewise(bytes: &[u8]) -> (usize, usize) {
    let owned;
    let bytes = match bytes {
        [0xFF, 0xFE, rest @ ..] => {
            owned = encoding_rs::UTF_16LE.decode_without_bom_handling(rest).0.into_owned().into_bytes();
            &owned[..]
        }
        [0xFE, 0xFF, rest @ ..] => {
            owned = encoding_rs::UTF_16BE.decode_without_bom_handling(rest).0.into_owned().into_bytes();
            &owned[..]
        }
        _ => bytes,
    };
    let (mut indi, mut fam) = (0, 0);
    for line in bytes.split(|&b| b == b'\n' || b == b'\r') {
        match match_record_line(line) {
            Some(true) => indi += 1,
            Some(false) => fam += 1,
            None => {}
        }
    }
    (indi, fam)
}

/// `Some(true)` for an INDI line, `Some(false)` for FAM.
fn match_record_line(line: &[u8]) -> Option<bool> {
    let ws = |b: &u8| b.is_ascii_whitespace();
    let mut i = line.iter().take_while(|b| ws(b)).count();
    if line.get(i) != Some(&b'0') {
        return None;
    }
    i += 1;
    let n = line[i..].iter().take_while(|b| ws(b)).count();
    if n == 0 {
        return None;
    }
    i += n;
    if line.get(i) != Some(&b'@') {
        return None;
    }
    let k = line[i + 1..].iter().take_while(|&&b| b != b'@').count();
    if k == 0 || i + 1 + k >= line.len() {
        return None;
    }
    i += k + 2;
    let n = line[i..].iter().take_while(|b| ws(b)).count();
    if n == 0 {
        return None;
    }
    i += n;
    let rest = &line[i..];
    let word = |w: &[u8]| {
        rest.len() >= w.len()
            && rest[..w.len()].eq_ignore_ascii_case(w)
            && rest.get(w.len()).is_none_or(|b| !(b.is_ascii_alphanumeric() || *b == b'_'))
    };
    if word(b"INDI") {
        Some(true)
    } else if word(b"FAM") {
        Some(false)
    } else {
        None
    }
}

/// Records with an xref and tag INDI / FAM, as the reader saw them.
pub fn count_records_parsed(doc: &Document) -> (usize, usize) {
    let n = |tag: &str| doc.records.iter().filter(|r| r.tag == tag && r.xref.is_some()).count();
    (n("INDI"), n("FAM"))
}

/// The write options matching a document's version (7.x → 7.0, anything else → 5.5.1).
pub fn options_for(doc: &Document) -> WriteOptions {
    if doc.version == Version::V7 {
        WriteOptions::gedcom_70()
    } else {
        WriteOptions::gedcom_551()
    }
}

/// The header without what the writer normalises (GEDC, CHAR, SCHMA).
pub fn comparable_header(h: &Node) -> Node {
    let mut h = h.clone();
    h.children.retain(|c| !matches!(c.tag.as_str(), "GEDC" | "CHAR" | "SCHMA"));
    h
}

/// write(doc) then read again; checks records and header survive, lines fit (5.5.1), and the
/// written file reads without warnings other than the input's own xref problems.
pub fn check_round_trip(doc: &Document, options: &WriteOptions) -> Result<Document, String> {
    let bytes = write(Some(&doc.header), &doc.records, options);
    if options.version == kinvault_gedcom::WriteVersion::V5_5_1 {
        for (i, line) in bytes.split(|&b| b == b'\n').enumerate() {
            if line.len() + 1 > options.max_line_bytes {
                return Err(format!("written line {} has {} bytes", i + 1, line.len() + 1));
            }
        }
    }
    let again = read(&bytes).map_err(|e| format!("re-read failed: {e}"))?;
    if again.records.len() != doc.records.len() {
        return Err(format!("{} records became {}", doc.records.len(), again.records.len()));
    }
    for (a, b) in doc.records.iter().zip(&again.records) {
        if let Some(diff) = a.first_difference(b) {
            return Err(format!("record @{}@ {} differs: {diff}", a.xref.as_deref().unwrap_or(""), a.tag));
        }
    }
    if let Some(diff) = comparable_header(&doc.header).first_difference(&comparable_header(&again.header)) {
        return Err(format!("header differs: {diff}"));
    }
    let unexpected: Vec<_> = again
        .warnings
        .iter()
        .filter(|w| !matches!(w.kind, WarningKind::DuplicateXref | WarningKind::DanglingPointer))
        .collect();
    if !unexpected.is_empty() {
        return Err(format!("the written file has warnings: {unexpected:?}"));
    }
    Ok(again)
}
