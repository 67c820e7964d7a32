//! Warnings: what the lenient reader found wrong and what it did about it.

use std::fmt;

/// Something wrong in the input that the reader worked around. The import goes on; the warning
/// says where (1-based physical line; 0 when it concerns the whole file) and what was done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// 1-based line number in the input (0: the whole file).
    pub line: u32,
    /// What kind of problem, for filtering and counting.
    pub kind: WarningKind,
    /// A sentence for people: what was wrong and what the reader did.
    pub message: String,
}

impl Warning {
    pub(crate) fn new(line: u32, kind: WarningKind, message: impl Into<String>) -> Warning {
        Warning { line, kind, message: message.into() }
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}", self.message)
        } else {
            write!(f, "line {}: {}", self.line, self.message)
        }
    }
}

/// The kinds of [`Warning`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum WarningKind {
    /// An empty or whitespace-only line; skipped.
    BlankLine,
    /// A line that is not `level [@xref@] TAG [value]`. Inside a record its text is kept as a
    /// continuation (CONT) of the previous value — usually a note with a raw line break —
    /// otherwise it is skipped.
    MalformedLine,
    /// A subordinate line (level > 0) before any record; skipped.
    OrphanLine,
    /// A level more than one deeper than its predecessor; the line is attached one level below
    /// the previous structure.
    LevelJump,
    /// A tag with lower-case letters (not an `_extension`); upper-cased.
    LowercaseTag,
    /// An empty or unterminated `@xref@`.
    InvalidXref,
    /// The file does not start with a `HEAD` record; an empty header is assumed.
    MissingHeader,
    /// A second `HEAD` record; dropped.
    DuplicateHeader,
    /// No `0 TRLR` at the end.
    MissingTrailer,
    /// Records after `0 TRLR`; they are read anyway.
    DataAfterTrailer,
    /// CONC in a GEDCOM 7 file (7 has only CONT); joined anyway.
    ConcInGedcom7,
    /// `HEAD.GEDC.VERS` missing or not a known version; read with GEDCOM 5.5.1 rules.
    UnknownVersion,
    /// `HEAD.CHAR` names an encoding we do not know; read as UTF-8, else windows-1252.
    UnknownEncoding,
    /// The byte-order mark contradicts `HEAD.CHAR`; the BOM wins.
    EncodingMismatch,
    /// Bytes that did not decode in the declared encoding (see the message for what was done).
    /// Reported once per kind of problem per file.
    Decoding,
    /// Two records with the same xref; both are kept.
    DuplicateXref,
    /// A pointer to an xref that no record has.
    DanglingPointer,
}
