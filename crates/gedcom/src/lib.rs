//! GEDCOM in and out: bytes ⇄ records, for GEDCOM 5.5, 5.5.1, 5.5.5 and 7.0, and GEDZIP.
//!
//! This crate knows the *format* only: lines, levels, tags, xrefs, values, encodings. It has no
//! notion of people or families (the mapping to `kinvault-model` lives above it) and no storage.
//!
//! - [`read`] / [`Reader`]: a lenient reader. Every problem short of "this is not GEDCOM" becomes
//!   a [`Warning`] with a line number, and reading goes on. [`Reader`] streams one record at a
//!   time.
//! - [`write()`] / [`Writer`]: GEDCOM 5.5.1 (UTF-8, lines ≤ 255 bytes with CONC/CONT) or 7.0.
//! - [`gedzip`]: `.gdz` archives (GEDCOM plus media files).
//! - [`encoding`]: encoding detection and decoding (ANSEL, code pages, UTF-16...).
//! - [`xref`]: duplicate-xref and dangling-pointer checks, and an xref index.
//!
//! ```
//! use kinvault_gedcom::{read, write, WriteOptions};
//!
//! let doc = read(b"0 HEAD\n1 GEDC\n2 VERS 5.5.1\n1 CHAR UTF-8\n0 @I1@ INDI\n1 NAME Ann /Lee/\n0 TRLR\n").unwrap();
//! assert_eq!(doc.records[0].child("NAME").and_then(|n| n.text()), Some("Ann /Lee/"));
//! let bytes = write(Some(&doc.header), &doc.records, &WriteOptions::gedcom_551());
//! let again = read(&bytes).unwrap();
//! assert!(again.records[0].same_content(&doc.records[0]));
//! ```
//!
//! See `docs/gedcom.md` for the leniency rules, the encodings table and known gaps.

pub mod encoding;
pub mod gedzip;
mod node;
pub mod reader;
mod warning;
pub mod writer;
pub mod xref;

use std::fmt;

pub use encoding::{Encoding, EncodingSource};
pub use node::{Descendants, Node, Record, Value};
pub use reader::{read, read_from, ReadOptions, Reader};
pub use warning::{Warning, WarningKind};
pub use writer::{write, WriteOptions, WriteVersion, Writer};

/// The GEDCOM version of a file, from `HEAD.GEDC.VERS`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Version {
    /// 5.5 (1996).
    V5_5,
    /// 5.5.1 (1999/2019): the de-facto standard of most vendor exports.
    V5_5_1,
    /// 5.5.5 (2019, gedcom.org).
    V5_5_5,
    /// 7.0.x, and 7.x previews (read with 7.0 rules).
    V7,
    /// Missing or unrecognised (`4.0`, `5.3`...): read with 5.5.1 rules.
    Unknown,
}

impl Version {
    /// Parses a `HEAD.GEDC.VERS` value.
    pub fn parse(text: &str) -> Version {
        match text.trim() {
            "5.5" | "5.5.0" => Version::V5_5,
            "5.5.1" => Version::V5_5_1,
            "5.5.5" => Version::V5_5_5,
            t if t == "7" || t.starts_with("7.") => Version::V7,
            _ => Version::Unknown,
        }
    }

    /// True for GEDCOM 7.x.
    pub fn is_v7(self) -> bool {
        self == Version::V7
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Version::V5_5 => "5.5",
            Version::V5_5_1 => "5.5.1",
            Version::V5_5_5 => "5.5.5",
            Version::V7 => "7.0",
            Version::Unknown => "unknown",
        })
    }
}

/// A whole GEDCOM file, as read by [`read`].
#[derive(Debug, Clone)]
pub struct Document {
    /// The version the file was read as.
    pub version: Version,
    /// `HEAD.GEDC.VERS` as written.
    pub version_text: Option<String>,
    /// The encoding the file was read in.
    pub encoding: Encoding,
    /// Where `encoding` came from.
    pub encoding_source: EncodingSource,
    /// `HEAD.CHAR` as written.
    pub declared_charset: Option<String>,
    /// The `HEAD` record (empty if the file had none; see the warnings).
    pub header: Record,
    /// Every record after the header, in file order (`TRLR` excluded).
    pub records: Vec<Record>,
    /// What was wrong and what the reader did about it, in file order (xref checks at the end).
    pub warnings: Vec<Warning>,
}

impl Document {
    /// The records with this tag (`"INDI"`, `"FAM"`...).
    pub fn records_tagged<'a>(&'a self, tag: &'a str) -> impl Iterator<Item = &'a Record> + 'a {
        self.records.iter().filter(move |r| r.tag == tag)
    }
}

/// Why input could not be read at all. Everything less serious is a [`Warning`].
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Reading the input failed.
    #[error("reading the GEDCOM input failed after line {line}: {source}")]
    Io {
        /// Lines read before the failure.
        line: u32,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The input is not GEDCOM (empty, binary, another format).
    #[error("not a GEDCOM file: {reason}")]
    NotGedcom {
        /// Why, with the line where that was decided.
        reason: String,
    },
    /// A physical line longer than [`reader::MAX_LINE_BYTES`] (not GEDCOM, or damaged).
    #[error("line {line} is longer than {max} bytes: not a GEDCOM file, or a damaged one")]
    LineTooLong {
        /// The line.
        line: u32,
        /// The limit.
        max: usize,
    },
}
