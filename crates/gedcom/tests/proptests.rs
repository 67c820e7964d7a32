//! Property tests: the reader never panics on any bytes, and any record tree survives the
//! writer (5.5.1 at several line limits, and 7.0).

use kinvault_gedcom::{read, write, Node, Value, WriteOptions};
use proptest::prelude::*;

/// Lines that look like GEDCOM, built from the pieces parsers trip on.
fn gedcomish() -> impl Strategy<Value = Vec<u8>> {
    const PIECES: &[&[u8]] = &[
        b"0 ",
        b"1 ",
        b"2 ",
        b"99 ",
        b"100 ",
        b"@I1@ ",
        b"@",
        b"@@",
        b"@#DJULIAN@ ",
        b"HEAD",
        b"TRLR",
        b"INDI",
        b"NOTE ",
        b"CONC ",
        b"CONT ",
        b"CHAR ANSEL",
        b"CHAR UTF-8",
        b"CHAR UNICODE",
        b"GEDC\n2 VERS 7.0",
        b"\n",
        b"\r",
        b"\r\n",
        b"\n\r",
        b" ",
        b"\t",
        b"\xE2",
        b"\xC3",
        b"\xFF\xFE",
        b"\x00",
        b"name",
        b"x",
    ];
    let piece = prop::sample::select(PIECES);
    prop::collection::vec(piece, 0..80).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        let _ = read(&bytes);
    }

    #[test]
    fn gedcomish_bytes_never_panic_and_round_trip(bytes in gedcomish()) {
        if let Ok(doc) = read(&bytes) {
            let options = if doc.version.is_v7() { WriteOptions::gedcom_70() } else { WriteOptions::gedcom_551() };
            let again = read(&write(Some(&doc.header), &doc.records, &options)).unwrap();
            prop_assert_eq!(again.records.len(), doc.records.len());
            for (a, b) in doc.records.iter().zip(&again.records) {
                prop_assert!(a.same_content(b), "{:?}", a.first_difference(b));
            }
        }
    }
}

fn tag() -> impl Strategy<Value = String> {
    prop_oneof![
        "[A-Z][A-Z0-9_]{0,5}"
            .prop_filter("not a reserved tag", |t| !matches!(t.as_str(), "CONT" | "CONC" | "HEAD" | "TRLR")),
        "_[A-Za-z0-9_]{1,6}",
    ]
}

fn text_char() -> impl Strategy<Value = char> {
    prop_oneof![
        4 => prop::char::range('a', 'z'),
        2 => Just(' '),
        1 => Just('@'),
        1 => Just('#'),
        1 => Just('\n'),
        1 => Just('\t'),
        1 => Just('é'),
        1 => Just('\u{301}'),
        1 => Just('€'),
        1 => Just('𝄞'),
        1 => any::<char>().prop_filter("CR is a line break", |c| *c != '\r'),
    ]
}

fn value() -> impl Strategy<Value = Option<Value>> {
    prop_oneof![
        2 => Just(None),
        4 => prop::collection::vec(text_char(), 1..300).prop_map(|cs| Some(Value::Text(cs.into_iter().collect()))),
        1 => "[A-Za-z0-9_][A-Za-z0-9_ ]{0,7}".prop_map(|p| Some(Value::Pointer(p))),
    ]
}

fn node() -> impl Strategy<Value = Node> {
    let leaf = (tag(), value(), prop::option::weighted(0.1, "[A-Z0-9_]{1,6}")).prop_map(|(tag, value, xref)| Node {
        tag,
        xref,
        value,
        line: 0,
        children: Vec::new(),
    });
    leaf.prop_recursive(5, 48, 5, |inner| {
        (tag(), value(), prop::collection::vec(inner, 0..5)).prop_map(|(tag, value, children)| Node {
            tag,
            xref: None,
            value,
            line: 0,
            children,
        })
    })
}

fn record() -> impl Strategy<Value = Node> {
    (node(), prop::option::weighted(0.8, "[A-Z][A-Z0-9_]{0,7}")).prop_map(|(mut n, xref)| {
        n.xref = xref;
        n
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn any_tree_round_trips(records in prop::collection::vec(record(), 0..6), max in 20usize..300, v7 in any::<bool>()) {
        let options = if v7 {
            WriteOptions::gedcom_70()
        } else {
            WriteOptions { max_line_bytes: max, ..WriteOptions::gedcom_551() }
        };
        let bytes = write(None, &records, &options);
        if !v7 {
            for line in bytes.split(|&b| b == b'\n') {
                // at least one character of value per line, so a long prefix may overrun
                prop_assert!(line.len() < max.max(40), "line of {} bytes", line.len());
            }
        }
        let doc = read(&bytes).unwrap();
        prop_assert_eq!(doc.records.len(), records.len());
        for (a, b) in records.iter().zip(&doc.records) {
            prop_assert!(a.same_content(b), "{:?}", a.first_difference(b));
        }
        let unexpected: Vec<_> = doc.warnings.iter()
            .filter(|w| !matches!(w.kind, kinvault_gedcom::WarningKind::DanglingPointer | kinvault_gedcom::WarningKind::DuplicateXref))
            .collect();
        prop_assert!(unexpected.is_empty(), "{:?}", unexpected);
    }
}
