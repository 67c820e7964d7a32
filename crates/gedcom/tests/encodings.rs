//! The encoding folder of the conformance corpus (and the ANSEL torture tests) decode to the
//! right Unicode text.

mod common;

use common::conformance_dir;
use kinvault_gedcom::{read, Document, Encoding, EncodingSource};
use unicode_normalization::UnicodeNormalization;

fn load(rel: &str) -> Document {
    let path = conformance_dir().join(rel);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    read(&bytes).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// Every text value in the document (header included).
fn texts(doc: &Document) -> Vec<String> {
    std::iter::once(&doc.header)
        .chain(&doc.records)
        .flat_map(|r| r.descendants().filter_map(|(n, _)| n.text().map(str::to_string)).collect::<Vec<_>>())
        .collect()
}

fn assert_has(doc: &Document, needle: &str) {
    let all = texts(doc);
    assert!(all.iter().any(|t| t.contains(needle)), "no value contains {needle:?}");
}

fn name_of(doc: &Document, xref: &str) -> String {
    let r = doc.records.iter().find(|r| r.xref.as_deref() == Some(xref)).unwrap_or_else(|| panic!("no @{xref}@"));
    r.child("NAME").and_then(|n| n.text()).unwrap_or_default().to_string()
}

#[test]
fn utf8_without_bom() {
    let doc = load("gedcom-go/encoding/utf8-unicode.ged");
    assert_eq!((doc.encoding, doc.encoding_source), (Encoding::Utf8, EncodingSource::Declared));
    assert_eq!(name_of(&doc, "I1"), "François /Müller/");
    assert_has(&doc, "Paris, Île-de-France, France");
    assert_has(&doc, "François était un célèbre généalogiste français.");
    assert_has(&doc, "José /García/");
    let doc = load("gedcom-go/encoding/utf8-nobom-lf.ged");
    assert_has(&doc, "АБВГДЕЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ");
    assert_has(&doc, "αβγδεζηθικλμνξοπρςστυφχψω");
}

#[test]
fn utf8_bom_and_utf16_le_be_agree() {
    let u8doc = load("gedcom-go/encoding/utf8-bom.ged");
    let le = load("gedcom-go/encoding/utf16le.ged");
    let be = load("gedcom-go/encoding/utf16be.ged");
    assert_eq!((u8doc.encoding, u8doc.encoding_source), (Encoding::Utf8, EncodingSource::Bom));
    assert_eq!((le.encoding, le.encoding_source), (Encoding::Utf16Le, EncodingSource::Bom));
    assert_eq!((be.encoding, be.encoding_source), (Encoding::Utf16Be, EncodingSource::Bom));
    assert_eq!(le.declared_charset.as_deref(), Some("UNICODE"));
    assert_eq!(name_of(&le, "I1"), "Robert Eugene /Williams/");
    assert_eq!(name_of(&be, "I2"), name_of(&u8doc, "I2"));
    for doc in [&le, &be] {
        assert!(doc.warnings.is_empty(), "{:?}", doc.warnings);
        assert_eq!(doc.records.len(), u8doc.records.len());
        for (a, b) in doc.records.iter().zip(&u8doc.records) {
            assert!(a.same_content(b), "{:?}", a.first_difference(b));
        }
    }
}

#[test]
fn windows_1252_as_ansi() {
    let doc = load("gedcom-go/encoding/ansi-cp1252-ftm17.ged");
    assert_eq!(doc.encoding, Encoding::Windows1252);
    assert_eq!(doc.declared_charset.as_deref(), Some("ANSI"));
    assert_has(&doc, "La Coruña");
    assert_has(&doc, "king of Castile and León.");
    assert_has(&doc, "£5.99");
    assert!(doc.warnings.is_empty(), "{:?}", doc.warnings);
}

#[test]
fn ibm_windows_is_1252() {
    let doc = load("gedcom-go/encoding/ibm-windows-easytree.ged");
    assert_eq!(doc.encoding, Encoding::Windows1252);
    assert_eq!(doc.declared_charset.as_deref(), Some("IBM WINDOWS"));
    assert_has(&doc, "Joseph Patrick /KENNEDY/");
}

#[test]
fn ibmpc_is_cp437() {
    let doc = load("gedcom-go/encoding/ibmpc-cp437-broskeep.ged");
    assert_eq!(doc.encoding, Encoding::Cp437);
    assert_has(&doc, "over John C. Frémont and Millard Fillmore");
}

#[test]
fn ansel_specials_and_combining_marks() {
    let doc = load("gedcom-go/encoding/ansel-lf.ged");
    assert_eq!(doc.encoding, Encoding::Ansel);
    assert!(doc.warnings.is_empty(), "{:?}", doc.warnings);
    assert_has(
        &doc,
        "slash l - uppercase (Ł), slash o - uppercase (Ø), slash d - uppercase (Đ), thorn - uppercase (Þ)",
    );
    assert_has(&doc, "es zet (ß)");
    // E2 = acute: precomposed where Unicode has the letter, base + U+0301 where it has not
    assert_has(&doc, "ÁB\u{301}ĆD\u{301}ÉF\u{301}Ǵ");
    assert_has(&doc, "áb\u{301}ćd\u{301}éf\u{301}ǵ");
    // E8 = diaeresis, F0 = cedilla
    assert_has(&doc, "ÄB\u{308}C\u{308}D\u{308}Ë");
    assert_has(&doc, "A\u{327}B\u{327}Ç\u{1E10}\u{228}");
    for t in texts(&doc) {
        assert_eq!(t.nfc().collect::<String>(), t, "ANSEL output is NFC");
    }
}

#[test]
fn ansel_torture_test_cr_only_matches_crlf_version() {
    let cr = load("gedcom-go/gedcom-5.5/torture-test/TGC55C.ged");
    let lf = load("gedcom-go/gedcom-5.5/torture-test/TGC55CLF.ged");
    assert_eq!(cr.encoding, Encoding::Ansel);
    let copr = cr.header.child("COPR").and_then(|c| c.text()).unwrap();
    assert_eq!(copr, "© 1997 by H. Eichmann, parts © 1999-2000 by J. A. Nairn.");
    assert_has(&cr, "A1 slash l - uppercase (Ł)");
    assert_has(&cr, "BE empty box - LDS extension (□)");
    assert_eq!(cr.records.len(), lf.records.len());
    for (a, b) in cr.records.iter().zip(&lf.records) {
        assert!(a.same_content(b), "{:?}", a.first_difference(b));
    }
}
