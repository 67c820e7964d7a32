//! Fuzzes the GEDCOM reader: no input may panic it, and whatever it reads must survive a
//! write/read round trip. The streaming reader, fed through a tiny buffer, must agree with the
//! in-memory one.
#![no_main]

use std::io::BufReader;

use kinvault_gedcom::{read, write, Reader, WriteOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(doc) = read(data) else { return };

    let options = if doc.version.is_v7() { WriteOptions::gedcom_70() } else { WriteOptions::gedcom_551() };
    let written = write(Some(&doc.header), &doc.records, &options);
    let again = read(&written).expect("the writer's output reads");
    assert_eq!(again.records.len(), doc.records.len());
    for (a, b) in doc.records.iter().zip(&again.records) {
        assert!(a.same_content(b), "round trip changed a record: {:?}", a.first_difference(b));
    }

    let mut reader = Reader::new(BufReader::with_capacity(3, data)).expect("read() accepted it");
    for expected in &doc.records {
        let got = reader.next_record().expect("no I/O errors on a slice").expect("as many records");
        assert_eq!(&got, expected);
    }
    assert!(reader.next_record().expect("no I/O errors").is_none());
});
