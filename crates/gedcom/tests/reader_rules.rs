//! The reader's rules on small hand-made inputs: encodings across CONC, line endings,
//! leniency and its warnings, `@@` per version, streaming; and the writer's line limit.

use std::io::BufReader;

use kinvault_gedcom::xref::{self, XrefIndex};
use kinvault_gedcom::{
    read, write, Encoding, Error, Node, Reader, Value, Version, WarningKind, WriteOptions, WriteVersion,
};

const HEAD_551: &str = "0 HEAD\n1 GEDC\n2 VERS 5.5.1\n2 FORM LINEAGE-LINKED\n1 CHAR UTF-8\n";
const HEAD_70: &str = "0 HEAD\n1 GEDC\n2 VERS 7.0\n";

fn doc(text: &[u8]) -> kinvault_gedcom::Document {
    read(text).unwrap_or_else(|e| panic!("{e}"))
}

fn kinds(d: &kinvault_gedcom::Document) -> Vec<(u32, WarningKind)> {
    d.warnings.iter().map(|w| (w.line, w.kind)).collect()
}

fn note(d: &kinvault_gedcom::Document) -> &str {
    d.records[0].child("NOTE").and_then(Node::text).expect("a NOTE")
}

#[test]
fn ansel_diacritic_split_across_conc() {
    let d = doc(b"0 HEAD\n1 CHAR ANSEL\n1 GEDC\n2 VERS 5.5\n0 @I1@ INDI\n1 NOTE Jos\xE2\n2 CONC e M\xE8\n2 CONC uller\n0 TRLR\n");
    assert_eq!(d.encoding, Encoding::Ansel);
    assert_eq!(note(&d), "José Müller");
    assert!(d.warnings.is_empty(), "{:?}", d.warnings);
}

#[test]
fn utf8_character_split_across_conc() {
    let input =
        [HEAD_551.as_bytes(), b"0 @I1@ INDI\n1 NOTE Jos\xC3\n2 CONC \xA9 paid \xE2\x82\n2 CONC \xAC5\n0 TRLR\n"]
            .concat();
    let d = doc(&input);
    assert_eq!(note(&d), "José paid €5");
    assert!(d.warnings.is_empty(), "{:?}", d.warnings);
}

#[test]
fn cont_and_conc_keep_leading_spaces() {
    let input =
        format!("{HEAD_551}0 @I1@ INDI\n1 NOTE first\n2 CONT   indented\n2 CONC  word\n2 CONT\n2 CONT last\n0 TRLR\n");
    assert_eq!(note(&doc(input.as_bytes())), "first\n  indented word\n\nlast");
}

#[test]
fn all_line_endings_read_alike() {
    let lf = format!("{HEAD_551}0 @I1@ INDI\n1 NAME Ann /Lee/\n1 NOTE a\n2 CONT b\n0 TRLR\n");
    let base = doc(lf.as_bytes());
    for ending in ["\r", "\r\n", "\n\r"] {
        let other = lf.replace('\n', ending);
        let d = doc(other.as_bytes());
        assert!(d.warnings.is_empty(), "{ending:?}: {:?}", d.warnings);
        assert_eq!(d.records, base.records, "{ending:?}"); // line numbers included
        assert_eq!(note(&d), "a\nb");
    }
}

#[test]
fn lowercase_tags_are_upper_cased_with_a_warning() {
    let input = format!("{HEAD_551}0 @I1@ indi\n1 name Ann /Lee/\n1 Sex f\n1 _Custom Keep\n0 TRLR\n");
    let d = doc(input.as_bytes());
    let r = &d.records[0];
    assert_eq!(r.tag, "INDI");
    assert_eq!(r.children.iter().map(|c| c.tag.as_str()).collect::<Vec<_>>(), ["NAME", "SEX", "_Custom"]);
    assert_eq!(r.child("SEX").and_then(Node::text), Some("f"), "values keep their case");
    assert_eq!(
        kinds(&d),
        [(6, WarningKind::LowercaseTag), (7, WarningKind::LowercaseTag), (8, WarningKind::LowercaseTag)]
    );
}

#[test]
fn double_at_in_551() {
    let input = format!(
        "{HEAD_551}0 @I1@ INDI\n1 NOTE mail me@@example.com @@x @#DJULIAN@ 1700 a@@@@b\n1 FAMS @F1@ \n1 _X @@I1@@\n0 @F1@ FAM\n0 TRLR\n"
    );
    let d = doc(input.as_bytes());
    assert_eq!(note(&d), "mail me@example.com @x @#DJULIAN@ 1700 a@@b");
    assert_eq!(d.records[0].child("FAMS").unwrap().value, Some(Value::Pointer("F1".into())), "trailing blank ok");
    assert_eq!(d.records[0].child("_X").unwrap().value, Some(Value::Text("@I1@".into())));
    assert!(d.warnings.is_empty(), "{:?}", d.warnings);
}

#[test]
fn double_at_in_70() {
    let input = format!(
        "{HEAD_70}0 @I1@ INDI\n1 NOTE @@me and a@@b\n2 CONT @@@@ leading only\n2 CONT mid @@ stays\n1 FAMC @VOID@\n0 TRLR\n"
    );
    let d = doc(input.as_bytes());
    assert_eq!(d.version, Version::V7);
    assert_eq!(note(&d), "@me and a@@b\n@@@ leading only\nmid @@ stays");
    assert_eq!(d.records[0].child("FAMC").and_then(Node::pointer), Some("VOID"));
    assert!(d.warnings.is_empty(), "@VOID@ is not dangling: {:?}", d.warnings);
}

#[test]
fn versions() {
    for (text, v) in [
        ("5.5", Version::V5_5),
        ("5.5.1", Version::V5_5_1),
        ("5.5.5", Version::V5_5_5),
        ("7.0", Version::V7),
        ("7.0.14", Version::V7),
        ("7.1", Version::V7),
        ("4.0", Version::Unknown),
    ] {
        let d = doc(format!("0 HEAD\n1 GEDC\n2 VERS {text}\n0 TRLR\n").as_bytes());
        assert_eq!(d.version, v, "{text}");
        assert_eq!(d.version_text.as_deref(), Some(text));
    }
    // SOUR.VERS is not GEDC.VERS
    let d = doc(b"0 HEAD\n1 SOUR X\n2 VERS 7.0\n0 TRLR\n");
    assert_eq!(d.version, Version::Unknown);
    assert_eq!(kinds(&d), [(1, WarningKind::UnknownVersion)]);
}

#[test]
fn leniency_warnings() {
    let input = "\
1 ORPHAN before any record
0 HEAD
1 GEDC
2 VERS 5.5.1

0 @I1@ INDI
1 NAME Ann /Lee/
3 DATE 1900
1 NOTE first line
a raw line break in a note
100 lines later
0 @@ INDI
0 @I3 INDI
0 HEAD
0 TRLR
0 @I4@ INDI
";
    let d = doc(input.as_bytes());
    assert_eq!(
        kinds(&d),
        [
            (1, WarningKind::OrphanLine),
            (5, WarningKind::BlankLine),
            (8, WarningKind::LevelJump),
            (10, WarningKind::MalformedLine),
            (11, WarningKind::MalformedLine),
            (12, WarningKind::InvalidXref),
            (13, WarningKind::InvalidXref),
            (14, WarningKind::DuplicateHeader),
            (16, WarningKind::DataAfterTrailer),
        ],
        "{:#?}",
        d.warnings
    );
    let ann = &d.records[0];
    assert_eq!(ann.child("NAME").unwrap().child("DATE").and_then(Node::text), Some("1900"), "3 DATE read as 2 DATE");
    assert_eq!(ann.child("NOTE").and_then(Node::text), Some("first line\na raw line break in a note\n100 lines later"));
    let xrefs: Vec<_> = d.records.iter().map(|r| r.xref.as_deref()).collect();
    assert_eq!(xrefs, [Some("I1"), None, Some("I3"), Some("I4")]);
    for w in &d.warnings {
        assert!(w.to_string().starts_with(&format!("line {}: ", w.line)), "{w}");
    }
}

#[test]
fn missing_header_and_dos_eof_mark() {
    let d = doc(b"0 @I1@ INDI\n1 NAME Ann\n0 TRLR\n\x1a");
    assert_eq!(d.header.tag, "HEAD");
    assert!(d.header.children.is_empty());
    assert_eq!(d.records.len(), 1);
    assert_eq!(kinds(&d), [(1, WarningKind::UnknownVersion), (1, WarningKind::MissingHeader)]);
}

#[test]
fn not_gedcom_at_all() {
    assert!(matches!(read(b""), Err(Error::NotGedcom { .. })));
    assert!(matches!(read(b"\n\n  \n"), Err(Error::NotGedcom { .. })));
    let junk: Vec<u8> = (0..5000u32).flat_map(|i| format!("junk {i}\n").into_bytes()).collect();
    let err = read(&junk).unwrap_err();
    assert!(err.to_string().starts_with("not a GEDCOM file: no GEDCOM record in the first 1000 lines"), "{err}");
}

#[test]
fn depth_is_bounded() {
    let mut input = String::from(HEAD_551);
    input.push_str("0 @I1@ INDI\n");
    for level in 1..=99 {
        input.push_str(&format!("{level} _L{level}\n"));
    }
    input.push_str("99 _SIBLING two\n100 CONT lines\n0 TRLR\n");
    let d = doc(input.as_bytes());
    assert!(d.warnings.is_empty(), "{:?}", d.warnings);
    let depth = d.records[0].descendants().map(|(_, depth)| depth).max();
    assert_eq!(depth, Some(99));
    assert_eq!(d.records[0].node_count(), 101);
    let deepest = d.records[0].descendants().last().map(|(n, _)| n.text());
    assert_eq!(deepest, Some(Some("two\nlines")), "level 100 is for the continuation of level 99");
    let back = write(Some(&d.header), &d.records, &WriteOptions::gedcom_551());
    assert!(doc(&back).records[0].same_content(&d.records[0]));
}

#[test]
fn streaming_matches_read_and_hands_out_records_one_by_one() {
    let mut input = String::from(HEAD_551);
    for i in 0..500 {
        input.push_str(&format!("0 @I{i}@ INDI\n1 NAME P{i} /X/\n1 FAMS @F{}@\n", i / 2));
    }
    for i in 0..250 {
        input.push_str(&format!("0 @F{i}@ FAM\n1 HUSB @I{}@\n1 WIFE @I{}@\n", 2 * i, 2 * i + 1));
    }
    input.push_str("0 TRLR\n");
    let whole = doc(input.as_bytes());
    let mut reader = Reader::new(BufReader::with_capacity(7, input.as_bytes())).unwrap();
    assert_eq!(reader.header(), &whole.header);
    let mut n = 0;
    while let Some(r) = reader.next_record().unwrap() {
        assert_eq!(r, whole.records[n]);
        n += 1;
    }
    assert_eq!(n, 750);
    assert_eq!(reader.bytes_read(), input.len() as u64);
    assert_eq!(reader.lines_read(), input.lines().count() as u32);
    assert!(reader.take_warnings().is_empty());
    assert!(reader.next_record().unwrap().is_none(), "stays at the end");
    // the iterator interface
    let reader = Reader::new(input.as_bytes()).unwrap();
    assert_eq!(reader.map(Result::unwrap).count(), 750);
}

#[test]
fn utf16_without_bom_and_bom_mismatch() {
    let text = format!("{HEAD_551}0 @I1@ INDI\n1 NAME Zoë /Brontë/\n0 TRLR\n").replace("UTF-8", "UNICODE");
    for (enc, want) in [(encoding_rs::UTF_16LE, Encoding::Utf16Le), (encoding_rs::UTF_16BE, Encoding::Utf16Be)] {
        let bytes: Vec<u8> = text
            .encode_utf16()
            .flat_map(|u| if enc == encoding_rs::UTF_16LE { u.to_le_bytes() } else { u.to_be_bytes() })
            .collect();
        let d = doc(&bytes);
        assert_eq!(d.encoding, want);
        assert_eq!(d.records[0].child("NAME").and_then(Node::text), Some("Zoë /Brontë/"));
        assert!(d.warnings.is_empty(), "{:?}", d.warnings);
    }
    let d = doc("\u{FEFF}0 HEAD\n1 CHAR ANSEL\n0 @I1@ INDI\n1 NAME Zoë\n0 TRLR\n".as_bytes());
    assert_eq!(d.encoding, Encoding::Utf8);
    assert_eq!(d.records[0].child("NAME").and_then(Node::text), Some("Zoë"));
    assert!(d.warnings.iter().any(|w| w.kind == WarningKind::EncodingMismatch));
}

#[test]
fn mislabelled_and_undeclared_8_bit_text() {
    // declared ANSI, really UTF-8
    let d = doc("0 HEAD\n1 CHAR ANSI\n0 @I1@ INDI\n1 NAME Zoë\n1 NOTE Le\u{f3}n\n0 TRLR\n".as_bytes());
    assert_eq!(d.records[0].child("NAME").and_then(Node::text), Some("Zoë"));
    assert_eq!(d.warnings.iter().filter(|w| w.kind == WarningKind::Decoding).count(), 1, "reported once");
    // nothing declared, windows-1252 bytes
    let d = doc(b"0 HEAD\n0 @I1@ INDI\n1 NAME Le\xF3n\n0 TRLR\n");
    assert_eq!(d.records[0].child("NAME").and_then(Node::text), Some("León"));
    assert!(d.warnings.iter().any(|w| w.kind == WarningKind::Decoding && w.line == 3));
    // MacRoman, cp850, an encoding_rs label, an unknown label
    let d = doc(b"0 HEAD\n1 CHAR MACINTOSH\n0 @I1@ INDI\n1 NAME Jos\x8E\n0 TRLR\n");
    assert_eq!((d.encoding, d.records[0].child("NAME").and_then(Node::text)), (Encoding::MacRoman, Some("José")));
    let d = doc(b"0 HEAD\n1 CHAR CP850\n0 @I1@ INDI\n1 NAME \x9D\n0 TRLR\n");
    assert_eq!(d.records[0].child("NAME").and_then(Node::text), Some("Ø"));
    let d = doc(b"0 HEAD\n1 CHAR ISO-8859-2\n0 @I1@ INDI\n1 NAME \xA3\xF3d\xBC\n0 TRLR\n");
    assert_eq!(d.records[0].child("NAME").and_then(Node::text), Some("Łódź"));
    let d = doc(b"0 HEAD\n1 CHAR EBCDIC-ISH\n0 TRLR\n");
    assert!(d.warnings.iter().any(|w| w.kind == WarningKind::UnknownEncoding));
}

#[test]
fn xref_helpers() {
    let d =
        doc(format!("{HEAD_551}0 @I1@ INDI\n1 FAMS @F1@\n1 FAMC @F9@\n0 @I1@ INDI\n0 @F1@ FAM\n1 HUSB @I1@\n0 TRLR\n")
            .as_bytes());
    assert_eq!(kinds(&d), [(9, WarningKind::DuplicateXref), (8, WarningKind::DanglingPointer)]);
    assert_eq!(xref::check(Some(&d.header), &d.records).len(), 2);
    let index = XrefIndex::new(&d.records);
    assert_eq!(index.len(), 2);
    let fam = index.get("F1").unwrap();
    let husband = index.resolve(fam.child("HUSB").unwrap().value.as_ref().unwrap()).unwrap();
    assert_eq!(husband.line, 6, "the first of the duplicates");
    assert!(index.get("F9").is_none());
}

#[test]
fn writer_keeps_lines_within_255_bytes() {
    let long: String = (0..400).map(|i| if i % 7 == 0 { "Brontë ".to_string() } else { format!("w{i} ") }).collect();
    let mut person = Node::new("INDI");
    person.xref = Some("I1".into());
    person.children.push(Node::with_text("NOTE", format!("{long}\n{long}é@x")));
    person.children.push(Node::with_text("_NOSPACE", "é".repeat(300)));
    for max in [255, 60] {
        let options = WriteOptions { max_line_bytes: max, ..WriteOptions::gedcom_551() };
        let bytes = write(None, std::slice::from_ref(&person), &options);
        let text = String::from_utf8(bytes.clone()).expect("UTF-8 out");
        assert!(text.lines().all(|l| l.len() < max), "a line over {max} bytes");
        assert!(text.contains("\n2 CONC "), "long values use CONC");
        assert!(text.contains("\n2 CONT "), "newlines use CONT");
        assert!(text.contains("é@@x"), "@ doubled in 5.5.1");
        let conc_lines: Vec<&str> = text.lines().filter(|l| l.starts_with("2 CONC ")).collect();
        let leading_space = conc_lines.iter().filter(|l| l.as_bytes().get(7) == Some(&b' ')).count();
        assert_eq!(leading_space, 0, "splits avoid spaces where they can");
        let again = doc(&bytes);
        assert!(again.records[0].same_content(&person), "{:?}", again.records[0].first_difference(&person));
        assert!(again.warnings.is_empty(), "{:?}", again.warnings);
    }
}

#[test]
fn writer_header_and_70_rules() {
    let src = doc(b"0 HEAD\n1 SOUR Old\n1 GEDC\n2 VERS 5.5\n1 CHAR ANSEL\n1 NOTE kept\n0 @I1@ INDI\n1 NOTE @@me\n2 CONT @@you\n0 TRLR\n");
    let options = WriteOptions {
        extension_tags: vec![("_HEALTH".into(), "https://kinvault.example/health".into())],
        ..WriteOptions::gedcom_70()
    };
    let bytes = write(Some(&src.header), &src.records, &options);
    let text = String::from_utf8(bytes.clone()).unwrap();
    let want = "0 HEAD\n1 SOUR Old\n1 GEDC\n2 VERS 7.0\n1 SCHMA\n2 TAG _HEALTH https://kinvault.example/health\n";
    assert!(text.starts_with(want), "{text}");
    assert!(!text.contains("CHAR"), "7.0 has no CHAR");
    assert!(text.contains("1 NOTE @@me\n2 CONT @@you\n"), "{text}");
    assert!(text.ends_with("0 TRLR\n"));
    let again = doc(&bytes);
    assert_eq!(again.version, Version::V7);
    assert!(again.records[0].same_content(&src.records[0]));

    let bytes =
        write(Some(&src.header), &src.records, &WriteOptions { crlf: true, bom: true, ..WriteOptions::gedcom_551() });
    assert!(bytes.starts_with(
        b"\xEF\xBB\xBF0 HEAD\r\n1 SOUR Old\r\n1 GEDC\r\n2 VERS 5.5.1\r\n2 FORM LINEAGE-LINKED\r\n1 CHAR UTF-8\r\n"
    ));
    let again = doc(&bytes);
    assert_eq!((again.version, again.encoding), (Version::V5_5_1, Encoding::Utf8));
    assert!(again.records[0].same_content(&src.records[0]));
    assert_eq!(WriteOptions::default().version, WriteVersion::V5_5_1);

    // 5.5.1 requires HEAD.SOUR: the caller can supply one
    let bytes =
        write(None, &[], &WriteOptions { source_system: Some("KINVAULT".into()), ..WriteOptions::gedcom_551() });
    assert_eq!(
        String::from_utf8(bytes).unwrap(),
        "0 HEAD\n1 GEDC\n2 VERS 5.5.1\n2 FORM LINEAGE-LINKED\n1 CHAR UTF-8\n1 SOUR KINVAULT\n0 TRLR\n"
    );
}

#[test]
fn xref_table_indexes_densely_and_finds_every_xref() {
    let mut t = xref::XrefTable::new();
    assert!(t.is_empty() && t.get("I1").is_none());
    for n in 0..50_000u32 {
        assert_eq!(t.insert(&format!("I{n}")), (n, true));
    }
    assert_eq!(t.insert("I7"), (7, false), "a second insert finds the first");
    assert_eq!(t.insert("i7"), (50_000, true), "case-sensitive");
    assert_eq!(t.len(), 50_001);
    for n in (0..50_000u32).step_by(997) {
        assert_eq!(t.get(&format!("I{n}")), Some(n));
        assert_eq!(t.name(n), format!("I{n}"));
    }
    assert_eq!(t.get("I50000"), None);
    assert_eq!(t.iter().nth(3), Some("I3"));
}
