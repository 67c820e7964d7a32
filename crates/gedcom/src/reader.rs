//! The lenient, streaming GEDCOM reader.
//!
//! Three stages per record, so that memory holds one record at a time:
//! 1. **Lines** (`LineSource`): physical lines split on CR, LF, CRLF or LFCR with `memchr`,
//!    appended to one reusable byte buffer (no allocation per line).
//! 2. **Lexing** (`lex`): level, xref, tag and value located on the raw bytes; levels checked
//!    and repaired with a depth counter (no tree yet). A record ends where the next level-0 line
//!    starts.
//! 3. **Building** (`build_record`): the tree is assembled with an explicit stack, CONC/CONT
//!    payloads are joined as bytes, `@@` is unescaped per version, and only then is each value
//!    decoded to Unicode.
//!
//! The header is lexed before it is built, so `HEAD.CHAR` and `HEAD.GEDC.VERS` are known before
//! any value is decoded.

use std::borrow::Cow;
use std::io::{self, BufRead, Cursor, Read};

use crate::encoding::{self, DecodeIssue, Encoding, EncodingSource};
use crate::node::{Node, Record, Value};
use crate::warning::{Warning, WarningKind};
use crate::xref::XrefChecker;
use crate::{Document, Error, Version};

/// Deepest level accepted (`0..=99`, as levels have at most two digits); a record is thus at
/// most 100 nodes deep.
pub const MAX_LEVEL: u8 = 99;

/// Longest physical line accepted, as a guard against unbounded memory on non-GEDCOM input.
pub const MAX_LINE_BYTES: usize = 32 << 20;

/// How many unusable lines may precede the first record before the input is rejected as not
/// GEDCOM at all.
const MAX_JUNK_LINES: u32 = 1000;

/// Options for [`Reader::with_options`].
#[derive(Debug, Clone)]
pub struct ReadOptions {
    /// Report duplicate xrefs and dangling pointers (default `true`). Costs memory proportional
    /// to the number of records (one entry per xref).
    pub check_xrefs: bool,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions { check_xrefs: true }
    }
}

/// Reads a whole GEDCOM file held in memory. Lenient: only input that is not GEDCOM at all is
/// an error; everything else becomes [`Document::warnings`].
pub fn read(bytes: &[u8]) -> Result<Document, Error> {
    read_from(bytes)
}

/// Reads a whole GEDCOM file from a reader (see [`read`]).
pub fn read_from<R: BufRead>(input: R) -> Result<Document, Error> {
    let mut reader = Reader::new(input)?;
    let mut records = Vec::new();
    while let Some(record) = reader.next_record()? {
        records.push(record);
    }
    Ok(Document {
        version: reader.version,
        version_text: reader.version_text.take(),
        encoding: reader.encoding,
        encoding_source: reader.encoding_source,
        declared_charset: reader.declared_charset.take(),
        header: std::mem::take(&mut reader.header),
        records,
        warnings: std::mem::take(&mut reader.warnings),
    })
}

/// A streaming reader: one level-0 record at a time, so memory does not grow with file size
/// (beyond the xref table, see [`ReadOptions::check_xrefs`], and the warnings, which
/// [`Reader::take_warnings`] drains).
///
/// ```
/// let bytes = b"0 HEAD\n1 GEDC\n2 VERS 5.5.1\n0 @I1@ INDI\n1 NAME Ann /Lee/\n0 TRLR\n";
/// let mut reader = kinvault_gedcom::Reader::new(&bytes[..]).unwrap();
/// assert_eq!(reader.version(), kinvault_gedcom::Version::V5_5_1);
/// while let Some(record) = reader.next_record().unwrap() {
///     assert_eq!(record.tag, "INDI");
/// }
/// assert!(reader.warnings().is_empty());
/// ```
pub struct Reader<R: BufRead> {
    lines: LineSource<Source<R>>,
    encoding: Encoding,
    encoding_source: EncodingSource,
    declared_charset: Option<String>,
    version: Version,
    version_text: Option<String>,
    header: Record,
    /// Bytes of the record being collected (all its lines, terminators stripped).
    buf: Vec<u8>,
    /// Its lexed lines, indexing into `buf`.
    raw: Vec<RawLine>,
    /// Open nodes in the record being collected (a level-`n` line opens node `n + 1`).
    depth: usize,
    /// A record read while looking for the header, to be returned first.
    stashed: Option<Record>,
    eof: bool,
    seen_trailer: bool,
    reported_after_trailer: bool,
    reported_utf16_errors: bool,
    decode: DecodeState,
    warnings: Vec<Warning>,
    xrefs: Option<XrefChecker>,
}

impl<R: BufRead> Reader<R> {
    /// Starts reading: sniffs the BOM, reads the header and settles encoding and version.
    pub fn new(input: R) -> Result<Self, Error> {
        Self::with_options(input, ReadOptions::default())
    }

    /// Like [`Reader::new`], with options.
    pub fn with_options(mut input: R, options: ReadOptions) -> Result<Self, Error> {
        let mut prefix = [0u8; 4];
        let mut n = 0;
        while n < prefix.len() {
            match input.read(&mut prefix[n..]) {
                Ok(0) => break,
                Ok(k) => n += k,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(Error::Io { line: 0, source: e }),
            }
        }
        let prefix = &prefix[..n];
        let (sniffed, bom_len, sniff_source) = match encoding::sniff_bom(prefix) {
            Some((enc, len)) => (Some(enc), len, EncodingSource::Bom),
            None => (encoding::sniff_utf16(prefix), 0, EncodingSource::Sniffed),
        };
        let rest = Cursor::new(prefix[bom_len..].to_vec()).chain(input);
        let source = match sniffed {
            Some(Encoding::Utf16Le) => Source::Utf16(Utf16ToUtf8::new(rest, encoding_rs::UTF_16LE)),
            Some(Encoding::Utf16Be) => Source::Utf16(Utf16ToUtf8::new(rest, encoding_rs::UTF_16BE)),
            _ => Source::Plain(rest),
        };
        let mut reader = Reader {
            lines: LineSource::new(source),
            encoding: Encoding::Utf8,
            encoding_source: EncodingSource::Default,
            declared_charset: None,
            version: Version::Unknown,
            version_text: None,
            header: Node::new("HEAD"),
            buf: Vec::with_capacity(8192),
            raw: Vec::with_capacity(64),
            depth: 0,
            stashed: None,
            eof: false,
            seen_trailer: false,
            reported_after_trailer: false,
            reported_utf16_errors: false,
            decode: DecodeState::default(),
            warnings: Vec::new(),
            xrefs: options.check_xrefs.then(XrefChecker::new),
        };
        reader.read_header(sniffed.map(|e| (e, sniff_source)))?;
        Ok(reader)
    }

    fn read_header(&mut self, sniffed: Option<(Encoding, EncodingSource)>) -> Result<(), Error> {
        let pending = self.collect_record(true)?;
        if self.raw.is_empty() {
            let reason = if self.lines.line_no == 0 {
                "the input is empty".to_string()
            } else {
                format!("none of its {} lines is a GEDCOM line (level number, then a tag)", self.lines.line_no)
            };
            return Err(Error::NotGedcom { reason });
        }
        let is_head = self.raw[0].kind == LineKind::Node && self.tag_bytes(&self.raw[0]) == b"HEAD";
        let (charset, vers) = if is_head { self.scan_header() } else { (None, None) };

        self.version = match &vers {
            Some(v) => Version::parse(v),
            None => Version::Unknown,
        };
        if self.version == Version::Unknown {
            let message = match &vers {
                Some(v) => format!("unknown GEDCOM version {v:?} in HEAD.GEDC.VERS; read with 5.5.1 rules"),
                None => "no HEAD.GEDC.VERS; read with GEDCOM 5.5.1 rules".to_string(),
            };
            self.warnings.push(Warning::new(self.raw[0].line, WarningKind::UnknownVersion, message));
        }
        self.version_text = vers;
        self.settle_encoding(sniffed, charset);

        let record = self.build(pending);
        self.finish_record(pending);
        if is_head {
            self.header = record;
            if let Some(x) = &mut self.xrefs {
                x.add(&self.header, &mut self.warnings);
            }
        } else {
            self.warnings.push(Warning::new(
                record.line,
                WarningKind::MissingHeader,
                "the file does not start with a HEAD record; an empty header is assumed",
            ));
            if record.tag == "TRLR" {
                self.seen_trailer = true;
            } else {
                self.accept(&record);
                self.stashed = Some(record);
            }
        }
        Ok(())
    }

    /// HEAD.CHAR and HEAD.GEDC.VERS from the lexed (not yet decoded) header lines.
    fn scan_header(&self) -> (Option<String>, Option<String>) {
        let mut charset = None;
        let mut vers = None;
        let mut level1: &[u8] = b"";
        for line in &self.raw {
            if line.kind != LineKind::Node {
                continue;
            }
            let tag = self.tag_bytes(line);
            let value = || line.value.map(|(a, b)| String::from_utf8_lossy(&self.buf[a..b]).trim().to_string());
            match line.level {
                1 => {
                    level1 = tag;
                    if tag == b"CHAR" {
                        charset = value();
                    }
                }
                2 if level1 == b"GEDC" && tag == b"VERS" => vers = value(),
                _ => {}
            }
        }
        (charset.filter(|s| !s.is_empty()), vers.filter(|s| !s.is_empty()))
    }

    fn settle_encoding(&mut self, sniffed: Option<(Encoding, EncodingSource)>, charset: Option<String>) {
        let line = self.raw.first().map_or(0, |l| l.line);
        let declared = charset.as_deref().map(|c| (c, Encoding::from_label(c)));
        if let Some((label, None)) = declared {
            self.warnings.push(Warning::new(
                line,
                WarningKind::UnknownEncoding,
                format!("unknown character set {label:?} in HEAD.CHAR; read as UTF-8, else windows-1252"),
            ));
        }
        let declared_enc = declared.and_then(|(_, e)| e);
        (self.encoding, self.encoding_source) = match (sniffed, declared_enc) {
            (Some((enc, source)), declared) => {
                let unicode_declared =
                    matches!(declared, None | Some(Encoding::Utf8 | Encoding::Utf16Le | Encoding::Utf16Be));
                if !unicode_declared {
                    self.warnings.push(Warning::new(
                        line,
                        WarningKind::EncodingMismatch,
                        format!(
                            "HEAD.CHAR says {} but the file starts as {}; read as {}",
                            charset.as_deref().unwrap_or_default(),
                            enc.name(),
                            enc.name()
                        ),
                    ));
                }
                (enc, source)
            }
            // `CHAR UNICODE` on bytes that are not UTF-16: in practice UTF-8.
            (None, Some(Encoding::Utf16Le | Encoding::Utf16Be)) => (Encoding::Utf8, EncodingSource::Declared),
            (None, Some(enc)) => (enc, EncodingSource::Declared),
            (None, None) => (Encoding::Utf8, EncodingSource::Default),
        };
        self.declared_charset = charset;
    }

    /// The GEDCOM version, from `HEAD.GEDC.VERS`.
    pub fn version(&self) -> Version {
        self.version
    }

    /// `HEAD.GEDC.VERS` as written in the file.
    pub fn version_text(&self) -> Option<&str> {
        self.version_text.as_deref()
    }

    /// The encoding the file is read in.
    pub fn encoding(&self) -> Encoding {
        self.encoding
    }

    /// Where [`Reader::encoding`] came from.
    pub fn encoding_source(&self) -> EncodingSource {
        self.encoding_source
    }

    /// `HEAD.CHAR` as written in the file.
    pub fn declared_charset(&self) -> Option<&str> {
        self.declared_charset.as_deref()
    }

    /// The header record (an empty `HEAD` if the file has none).
    pub fn header(&self) -> &Record {
        &self.header
    }

    /// Warnings so far.
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }

    /// Takes the warnings so far, so that they do not pile up in memory on a huge file.
    pub fn take_warnings(&mut self) -> Vec<Warning> {
        std::mem::take(&mut self.warnings)
    }

    /// The number of physical lines read so far.
    pub fn lines_read(&self) -> u32 {
        self.lines.line_no
    }

    /// Bytes read so far, for progress against the file size (for UTF-16 input: UTF-8 bytes
    /// after transcoding, so only an estimate).
    pub fn bytes_read(&self) -> u64 {
        self.lines.bytes
    }

    /// The next record after the header, or `None` at the end. `HEAD` and `TRLR` are not
    /// returned. Errors only on I/O failure and on a line over [`MAX_LINE_BYTES`].
    pub fn next_record(&mut self) -> Result<Option<Record>, Error> {
        if let Some(record) = self.stashed.take() {
            return Ok(Some(record));
        }
        loop {
            let pending = self.collect_record(false)?;
            if self.raw.is_empty() {
                self.finish_input();
                return Ok(None);
            }
            let tag = self.tag_bytes(&self.raw[0]);
            if self.raw[0].kind == LineKind::Node && tag == b"TRLR" {
                self.seen_trailer = true;
                self.finish_record(pending);
                continue;
            }
            let record = self.build(pending);
            self.finish_record(pending);
            self.check_utf16_errors();
            if record.tag == "HEAD" {
                self.warnings.push(Warning::new(
                    record.line,
                    WarningKind::DuplicateHeader,
                    "a second HEAD record; dropped",
                ));
                continue;
            }
            self.accept(&record);
            return Ok(Some(record));
        }
    }

    /// Bookkeeping for a record about to be handed out.
    fn accept(&mut self, record: &Record) {
        if self.seen_trailer && !self.reported_after_trailer {
            self.reported_after_trailer = true;
            self.warnings.push(Warning::new(
                record.line,
                WarningKind::DataAfterTrailer,
                "records after 0 TRLR; they are read anyway",
            ));
        }
        if let Some(x) = &mut self.xrefs {
            x.add(record, &mut self.warnings);
        }
    }

    fn finish_input(&mut self) {
        if self.eof && !self.seen_trailer {
            self.seen_trailer = true; // report once
            self.warnings.push(Warning::new(
                self.lines.line_no,
                WarningKind::MissingTrailer,
                "the file does not end with 0 TRLR (truncated?)",
            ));
        }
        self.check_utf16_errors();
        if let Some(x) = self.xrefs.take() {
            x.finish(&mut self.warnings);
        }
    }

    fn check_utf16_errors(&mut self) {
        if !self.reported_utf16_errors && self.lines.inner.utf16_had_errors() {
            self.reported_utf16_errors = true;
            self.warnings.push(Warning::new(
                self.lines.line_no,
                WarningKind::Decoding,
                "invalid UTF-16 (unpaired surrogate or odd length) replaced by U+FFFD",
            ));
        }
    }

    fn tag_bytes(&self, line: &RawLine) -> &[u8] {
        &self.buf[line.tag.0..line.tag.1]
    }

    /// Reads lines into `buf`/`raw` until the next level-0 line (kept as pending: its index in
    /// `raw` is returned) or the end of input. Leaves `raw` empty at the end of input.
    fn collect_record(&mut self, first: bool) -> Result<Option<usize>, Error> {
        let mut junk = 0u32;
        while !self.eof {
            let start = self.buf.len();
            let got =
                self.lines.next_line(&mut self.buf).map_err(|e| Error::Io { line: self.lines.line_no, source: e })?;
            if !got {
                self.eof = true;
                break;
            }
            let line_no = self.lines.line_no;
            if self.buf.len() - start > MAX_LINE_BYTES {
                return Err(Error::LineTooLong { line: line_no, max: MAX_LINE_BYTES });
            }
            let mark = self.warnings.len();
            let mut lexed = lex(&self.buf, start, line_no, &mut self.warnings);
            if let Lexed::Line(line) = &lexed {
                // a level-100 CONT/CONC continues a level-99 value, and nothing else
                if line.level > MAX_LEVEL && self.depth != usize::from(line.level) {
                    self.warnings.truncate(mark);
                    lexed = Lexed::Malformed(LEVEL_OVER_99);
                } else if line.lowercase {
                    let tag = &mut self.buf[line.tag.0..line.tag.1];
                    self.warnings.push(Warning::new(
                        line_no,
                        WarningKind::LowercaseTag,
                        format!("lower-case tag {:?}; read as upper case", String::from_utf8_lossy(tag)),
                    ));
                    tag.make_ascii_uppercase();
                }
            }
            match lexed {
                Lexed::Blank => self.buf.truncate(start),
                Lexed::Malformed(why) => {
                    if self.raw.is_empty() {
                        self.warnings.push(Warning::new(
                            line_no,
                            WarningKind::MalformedLine,
                            format!("{why}; skipped (no record to attach it to)"),
                        ));
                        self.buf.truncate(start);
                        junk += 1;
                        if first && junk >= MAX_JUNK_LINES {
                            return Err(Error::NotGedcom {
                                reason: format!("no GEDCOM record in the first {junk} lines (line {line_no}: {why})"),
                            });
                        }
                    } else {
                        self.warnings.push(Warning::new(
                            line_no,
                            WarningKind::MalformedLine,
                            format!("{why}; its text is kept as a new line of the previous value"),
                        ));
                        // the continuation of the deepest open node's value
                        self.raw.push(RawLine {
                            start,
                            line: line_no,
                            level: self.depth as u8,
                            kind: LineKind::Cont,
                            xref: None,
                            tag: (start, start),
                            value: Some((start, self.buf.len())),
                            lowercase: false,
                        });
                    }
                }
                Lexed::Line(mut line) => {
                    if line.level == 0 {
                        self.raw.push(line);
                        if self.raw.len() > 1 {
                            return Ok(Some(self.raw.len() - 1));
                        }
                        self.depth = 1;
                        continue;
                    }
                    if self.raw.is_empty() {
                        self.warnings.push(Warning::new(
                            line_no,
                            WarningKind::OrphanLine,
                            format!("a level-{} line before any record; skipped", line.level),
                        ));
                        self.buf.truncate(start);
                        junk += 1;
                        if first && junk >= MAX_JUNK_LINES {
                            return Err(Error::NotGedcom {
                                reason: format!("no level-0 record in the first {junk} lines"),
                            });
                        }
                        continue;
                    }
                    let level = usize::from(line.level);
                    // A continuation may sit at most one level below the deepest open node;
                    // an ordinary line as well (it then opens a node one deeper).
                    if level > self.depth {
                        self.warnings.push(Warning::new(
                            line_no,
                            WarningKind::LevelJump,
                            format!(
                                "level {} follows level {}; read as level {}",
                                line.level,
                                self.depth - 1,
                                self.depth
                            ),
                        ));
                        line.level = self.depth as u8;
                    }
                    let level = usize::from(line.level);
                    self.depth = if line.kind == LineKind::Node { level + 1 } else { level };
                    self.raw.push(line);
                }
            }
        }
        Ok(None)
    }

    /// Drops the record just built, keeping the pending level-0 line (if any) as the first line
    /// of the next one.
    fn finish_record(&mut self, pending: Option<usize>) {
        match pending {
            Some(i) => {
                let mut line = self.raw[i];
                let first = line.start;
                self.buf.drain(..first);
                line.shift(first);
                self.raw.clear();
                self.raw.push(line);
                self.depth = 1;
            }
            None => {
                self.buf.clear();
                self.raw.clear();
                self.depth = 0;
            }
        }
    }

    /// Builds the record collected in `raw[..pending]`.
    fn build(&mut self, pending: Option<usize>) -> Record {
        let lines = &self.raw[..pending.unwrap_or(self.raw.len())];
        let mut ctx = BuildCtx {
            buf: &self.buf,
            encoding: self.encoding,
            version: self.version,
            decode: &mut self.decode,
            warnings: &mut self.warnings,
        };
        build_record(lines, &mut ctx)
    }
}

impl<R: BufRead> Iterator for Reader<R> {
    type Item = Result<Record, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_record().transpose()
    }
}

// ---------------------------------------------------------------------------------------------
// Stage 1: physical lines

/// Splits a byte stream into lines on CR, LF, CRLF and LFCR (a CR/LF pair in either order is one
/// terminator; anything else is one terminator per byte, so blank lines are still seen).
struct LineSource<R> {
    inner: R,
    /// 1-based number of the last line returned.
    line_no: u32,
    /// Bytes consumed so far.
    bytes: u64,
    /// After a lone CR (or LF) at the end of a buffer: swallow an LF (or CR) that starts the
    /// next one.
    skip_next: Option<u8>,
}

impl<R: BufRead> LineSource<R> {
    fn new(inner: R) -> Self {
        LineSource { inner, line_no: 0, bytes: 0, skip_next: None }
    }

    /// Appends the next line (without its terminator) to `buf`; `false` at end of input.
    fn next_line(&mut self, buf: &mut Vec<u8>) -> io::Result<bool> {
        let mut partial = false;
        loop {
            let avail = match self.inner.fill_buf() {
                Ok(a) => a,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if avail.is_empty() {
                if partial {
                    self.line_no = self.line_no.saturating_add(1);
                }
                return Ok(partial);
            }
            if let Some(skip) = self.skip_next.take() {
                if avail[0] == skip {
                    self.inner.consume(1);
                    self.bytes += 1;
                    continue;
                }
            }
            match memchr::memchr2(b'\n', b'\r', avail) {
                Some(i) => {
                    buf.extend_from_slice(&avail[..i]);
                    let other = if avail[i] == b'\n' { b'\r' } else { b'\n' };
                    let used = match avail.get(i + 1) {
                        Some(&next) if next == other => i + 2,
                        Some(_) => i + 1,
                        None => {
                            self.skip_next = Some(other);
                            i + 1
                        }
                    };
                    self.inner.consume(used);
                    self.bytes += used as u64;
                    self.line_no = self.line_no.saturating_add(1);
                    return Ok(true);
                }
                None => {
                    let n = avail.len();
                    buf.extend_from_slice(avail);
                    self.inner.consume(n);
                    self.bytes += n as u64;
                    partial = true;
                    if buf.len() > MAX_LINE_BYTES {
                        self.line_no = self.line_no.saturating_add(1);
                        return Ok(true);
                    }
                }
            }
        }
    }
}

/// The input after BOM sniffing: bytes as they are, or UTF-16 transcoded to UTF-8.
enum Source<R> {
    Plain(io::Chain<Cursor<Vec<u8>>, R>),
    Utf16(Utf16ToUtf8<io::Chain<Cursor<Vec<u8>>, R>>),
}

impl<R: BufRead> Source<R> {
    fn utf16_had_errors(&self) -> bool {
        matches!(self, Source::Utf16(t) if t.had_errors)
    }
}

impl<R: BufRead> Read for Source<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let avail = self.fill_buf()?;
        let n = avail.len().min(out.len());
        out[..n].copy_from_slice(&avail[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Source<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        match self {
            Source::Plain(r) => r.fill_buf(),
            Source::Utf16(r) => r.fill_buf(),
        }
    }

    fn consume(&mut self, n: usize) {
        match self {
            Source::Plain(r) => r.consume(n),
            Source::Utf16(r) => r.consume(n),
        }
    }
}

/// Streaming UTF-16 → UTF-8 transcoder, so the rest of the reader only sees ASCII-compatible
/// bytes.
struct Utf16ToUtf8<R> {
    inner: R,
    decoder: encoding_rs::Decoder,
    out: Vec<u8>,
    pos: usize,
    done: bool,
    had_errors: bool,
}

impl<R: BufRead> Utf16ToUtf8<R> {
    fn new(inner: R, enc: &'static encoding_rs::Encoding) -> Self {
        Utf16ToUtf8 {
            inner,
            decoder: enc.new_decoder_without_bom_handling(),
            out: Vec::new(),
            pos: 0,
            done: false,
            had_errors: false,
        }
    }

    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        while self.pos >= self.out.len() && !self.done {
            self.out.clear();
            self.pos = 0;
            let src = self.inner.fill_buf()?;
            let last = src.is_empty();
            let room = self.decoder.max_utf8_buffer_length(src.len()).unwrap_or(src.len().saturating_mul(3) + 16);
            self.out.resize(room, 0);
            let (_, read, written, had_errors) = self.decoder.decode_to_utf8(src, &mut self.out, last);
            self.out.truncate(written);
            self.had_errors |= had_errors;
            self.inner.consume(read);
            self.done = last;
        }
        Ok(&self.out[self.pos..])
    }

    fn consume(&mut self, n: usize) {
        self.pos = (self.pos + n).min(self.out.len());
    }
}

// ---------------------------------------------------------------------------------------------
// Stage 2: lexing

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LineKind {
    Node,
    Cont,
    Conc,
}

/// One lexed line; ranges index into the record buffer.
#[derive(Debug, Clone, Copy)]
struct RawLine {
    /// Where the line's bytes begin in the buffer.
    start: usize,
    line: u32,
    level: u8,
    kind: LineKind,
    xref: Option<(usize, usize)>,
    tag: (usize, usize),
    value: Option<(usize, usize)>,
    /// The tag has lower-case letters (and is not an `_extension`).
    lowercase: bool,
}

impl RawLine {
    fn shift(&mut self, by: usize) {
        let sub = |r: (usize, usize)| (r.0 - by, r.1 - by);
        self.start -= by;
        self.tag = sub(self.tag);
        self.xref = self.xref.map(sub);
        self.value = self.value.map(sub);
    }
}

enum Lexed {
    Blank,
    Malformed(&'static str),
    Line(RawLine),
}

const LEVEL_OVER_99: &str = "the level number is over 99";

fn is_space(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// Lexes `buf[start..]` (one line). A malformed line adds no warning here (the caller says
/// what it did with it).
fn lex(buf: &[u8], start: usize, line_no: u32, warnings: &mut Vec<Warning>) -> Lexed {
    let mark = warnings.len();
    let lexed = lex_line(buf, start, line_no, warnings);
    if matches!(lexed, Lexed::Malformed(_)) {
        warnings.truncate(mark);
    }
    lexed
}

fn lex_line(buf: &[u8], start: usize, line_no: u32, warnings: &mut Vec<Warning>) -> Lexed {
    let bytes = &buf[start..];
    let mut i = 0;
    while i < bytes.len() && is_space(bytes[i]) {
        i += 1;
    }
    if i == bytes.len() || bytes[i..].iter().all(|&b| is_space(b) || b == 0x1A || b == 0) {
        // 0x1A is the DOS end-of-file mark some old exports end with: not worth a warning.
        if !(bytes.first() == Some(&0x1A) && bytes.iter().all(|&b| b == 0x1A)) {
            warnings.push(Warning::new(line_no, WarningKind::BlankLine, "blank line; skipped"));
        }
        return Lexed::Blank;
    }
    let digits = bytes[i..].iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 {
        return Lexed::Malformed("the line does not start with a level number");
    }
    if digits > 3 {
        return Lexed::Malformed(LEVEL_OVER_99);
    }
    let level = bytes[i..i + digits].iter().fold(0u16, |acc, b| acc * 10 + u16::from(b - b'0'));
    // Level 100 is let through for CONT/CONC only (checked by the caller): the continuation of a
    // level-99 value, which a writer has no other way to express.
    let Ok(level) = u8::try_from(level) else { return Lexed::Malformed(LEVEL_OVER_99) };
    i += digits;
    if i == bytes.len() {
        return Lexed::Malformed("a level number with no tag");
    }
    if !is_space(bytes[i]) {
        return Lexed::Malformed("no space after the level number");
    }
    while i < bytes.len() && is_space(bytes[i]) {
        i += 1;
    }
    let mut xref = None;
    if bytes.get(i) == Some(&b'@') {
        match memchr::memchr(b'@', &bytes[i + 1..]) {
            Some(k) => {
                let close = i + 1 + k;
                if k == 0 {
                    warnings.push(Warning::new(line_no, WarningKind::InvalidXref, "empty xref @@; ignored"));
                } else {
                    xref = Some((start + i + 1, start + close));
                }
                i = close + 1;
            }
            None => {
                let len = bytes[i + 1..].iter().take_while(|&&b| !is_space(b)).count();
                if len > 0 {
                    warnings.push(Warning::new(
                        line_no,
                        WarningKind::InvalidXref,
                        format!(
                            "unterminated xref @{}; read as @{}@",
                            String::from_utf8_lossy(&bytes[i + 1..i + 1 + len]),
                            String::from_utf8_lossy(&bytes[i + 1..i + 1 + len])
                        ),
                    ));
                    xref = Some((start + i + 1, start + i + 1 + len));
                }
                i += 1 + len;
            }
        }
        while i < bytes.len() && is_space(bytes[i]) {
            i += 1;
        }
    }
    let tag_len = bytes[i..].iter().take_while(|&&b| !is_space(b)).count();
    if tag_len == 0 {
        return Lexed::Malformed("no tag");
    }
    let tag = &bytes[i..i + tag_len];
    if !tag.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'_') {
        return Lexed::Malformed("the tag has characters other than letters, digits and _");
    }
    let tag_range = (start + i, start + i + tag_len);
    let lowercase = tag[0] != b'_' && tag.iter().any(u8::is_ascii_lowercase);
    let kind = if level == 0 {
        LineKind::Node
    } else if tag.eq_ignore_ascii_case(b"CONT") {
        LineKind::Cont
    } else if tag.eq_ignore_ascii_case(b"CONC") {
        LineKind::Conc
    } else {
        LineKind::Node
    };
    if level > MAX_LEVEL + 1 || (level > MAX_LEVEL && kind == LineKind::Node) {
        return Lexed::Malformed(LEVEL_OVER_99);
    }
    i += tag_len;
    // The value is everything after the one delimiter that follows the tag: leading spaces of
    // CONC/CONT payloads are significant.
    let value = (i < bytes.len()).then_some((start + i + 1, start + bytes.len()));
    Lexed::Line(RawLine { start, line: line_no, level, kind, xref, tag: tag_range, value, lowercase })
}

// ---------------------------------------------------------------------------------------------
// Stage 3: building

/// Which decoding problems were already reported (once per kind per file).
#[derive(Debug, Default)]
struct DecodeState {
    invalid_utf8: bool,
    utf8_in_legacy: bool,
    undefined_byte: bool,
    conc_in_v7: bool,
}

struct BuildCtx<'a> {
    buf: &'a [u8],
    encoding: Encoding,
    version: Version,
    decode: &'a mut DecodeState,
    warnings: &'a mut Vec<Warning>,
}

impl BuildCtx<'_> {
    fn decode<'b>(&mut self, bytes: &'b [u8], line: u32) -> Cow<'b, str> {
        let (text, issue) = encoding::decode(bytes, self.encoding);
        if let Some(issue) = issue {
            let (flag, message) = match issue {
                DecodeIssue::InvalidUtf8 => (
                    &mut self.decode.invalid_utf8,
                    "text that is not valid UTF-8 was read as windows-1252 (further occurrences not reported)"
                        .to_string(),
                ),
                DecodeIssue::Utf8InLegacyFile => (
                    &mut self.decode.utf8_in_legacy,
                    format!(
                        "the file declares {} but has UTF-8 text, which was read as UTF-8 (further occurrences \
                         not reported)",
                        self.encoding.name()
                    ),
                ),
                DecodeIssue::UndefinedByte(b) => (
                    &mut self.decode.undefined_byte,
                    format!(
                        "byte 0x{b:02X} has no meaning in {}; replaced by U+FFFD (further occurrences not reported)",
                        self.encoding.name()
                    ),
                ),
            };
            if !*flag {
                *flag = true;
                self.warnings.push(Warning::new(line, WarningKind::Decoding, message));
            }
        }
        text
    }
}

/// A node being built: its value bytes so far.
struct Open {
    node: Node,
    /// The value on the node's own line.
    first: Option<(usize, usize)>,
    /// CONC/CONT joined so far (starting with `first`), once there was one.
    joined: Option<Vec<u8>>,
}

fn build_record(lines: &[RawLine], ctx: &mut BuildCtx<'_>) -> Record {
    let mut stack: Vec<Open> = Vec::with_capacity(8);
    let mut root: Option<Node> = None;
    for line in lines {
        // Levels were repaired while lexing: a line at level n has n open ancestors at most.
        let level = usize::from(line.level);
        while stack.len() > level {
            close(&mut stack, &mut root, ctx);
        }
        match line.kind {
            LineKind::Node => {
                let tag = String::from_utf8_lossy(&ctx.buf[line.tag.0..line.tag.1]).into_owned();
                let buf = ctx.buf;
                let xref = line.xref.map(|(a, b)| ctx.decode(&buf[a..b], line.line).into_owned());
                stack.push(Open {
                    node: Node { tag, xref, value: None, line: line.line, children: Vec::new() },
                    first: line.value,
                    joined: None,
                });
            }
            LineKind::Cont | LineKind::Conc => {
                if line.kind == LineKind::Conc && ctx.version == Version::V7 && !ctx.decode.conc_in_v7 {
                    ctx.decode.conc_in_v7 = true;
                    ctx.warnings.push(Warning::new(
                        line.line,
                        WarningKind::ConcInGedcom7,
                        "CONC is not part of GEDCOM 7; joined anyway (further occurrences not reported)",
                    ));
                }
                let Some(open) = stack.last_mut() else { continue };
                let v7 = ctx.version == Version::V7;
                let joined = open.joined.get_or_insert_with(|| {
                    let first = open.first.map_or(&[][..], |(a, b)| &ctx.buf[a..b]);
                    let mut v = Vec::with_capacity(first.len() + 80);
                    v.extend_from_slice(if v7 { strip_leading_at(first) } else { first });
                    v
                });
                if line.kind == LineKind::Cont {
                    joined.push(b'\n');
                }
                let seg = line.value.map_or(&[][..], |(a, b)| &ctx.buf[a..b]);
                joined.extend_from_slice(if v7 { strip_leading_at(seg) } else { seg });
            }
        }
    }
    while !stack.is_empty() {
        close(&mut stack, &mut root, ctx);
    }
    root.unwrap_or_default()
}

/// Pops the top node, settles its value and attaches it to its parent (or makes it the root).
fn close(stack: &mut Vec<Open>, root: &mut Option<Node>, ctx: &mut BuildCtx<'_>) {
    let Some(mut open) = stack.pop() else { return };
    open.node.value = match open.joined.take() {
        Some(joined) => text_value(&joined, open.node.line, ctx),
        None => match open.first {
            Some((a, b)) => {
                let buf = ctx.buf;
                single_value(&buf[a..b], open.node.line, ctx)
            }
            None => None,
        },
    };
    match stack.last_mut() {
        Some(parent) => parent.node.children.push(open.node),
        None => *root = Some(open.node),
    }
}

fn single_value(raw: &[u8], line: u32, ctx: &mut BuildCtx<'_>) -> Option<Value> {
    if let Some(xref) = as_pointer(raw) {
        return Some(Value::Pointer(ctx.decode(xref, line).into_owned()));
    }
    if ctx.version == Version::V7 {
        return text_value(strip_leading_at(raw), line, ctx);
    }
    text_value(raw, line, ctx)
}

/// Decodes text (for GEDCOM 5, unescaping `@@` first; GEDCOM 7 strips leading `@@` per line
/// before joining).
fn text_value(raw: &[u8], line: u32, ctx: &mut BuildCtx<'_>) -> Option<Value> {
    if raw.is_empty() {
        return None;
    }
    let unescaped: Cow<'_, [u8]> = if ctx.version == Version::V7 { Cow::Borrowed(raw) } else { unescape_at_55(raw) };
    let text = ctx.decode(&unescaped, line).into_owned();
    Some(Value::Text(text))
}

/// `@xref@` → the xref bytes. Trailing blanks are allowed (vendors leave them), leading ones
/// are not (a GEDCOM 7 text value ` @x@` must stay text). `@#...@` is a GEDCOM 5 escape (a
/// calendar), not a pointer.
fn as_pointer(raw: &[u8]) -> Option<&[u8]> {
    let end = raw.len() - raw.iter().rev().take_while(|&&b| is_space(b)).count();
    let t = &raw[..end];
    if t.len() >= 3 && t[0] == b'@' && t[t.len() - 1] == b'@' && t[1] != b'#' && !t[1..t.len() - 1].contains(&b'@') {
        Some(&t[1..t.len() - 1])
    } else {
        None
    }
}

/// GEDCOM 7: a line value starting with `@@` stands for one starting with `@`.
fn strip_leading_at(raw: &[u8]) -> &[u8] {
    if raw.starts_with(b"@@") {
        &raw[1..]
    } else {
        raw
    }
}

/// GEDCOM 5.x: every `@@` in a value stands for `@`.
fn unescape_at_55(raw: &[u8]) -> Cow<'_, [u8]> {
    if memchr::memmem::find(raw, b"@@").is_none() {
        return Cow::Borrowed(raw);
    }
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        out.push(raw[i]);
        i += if raw[i] == b'@' && raw.get(i + 1) == Some(&b'@') { 2 } else { 1 };
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointer_detection() {
        assert_eq!(as_pointer(b"@I1@"), Some(&b"I1"[..]));
        assert_eq!(as_pointer(b"@I1@ \t"), Some(&b"I1"[..]));
        assert_eq!(as_pointer(b" @I1@"), None);
        assert_eq!(as_pointer(b"@NoTe ref@"), Some(&b"NoTe ref"[..]));
        assert_eq!(as_pointer(b"@#DJULIAN@"), None);
        assert_eq!(as_pointer(b"@@"), None);
        assert_eq!(as_pointer(b"@@I1@@"), None);
        assert_eq!(as_pointer(b"@I1@ x"), None);
    }

    #[test]
    fn at_unescaping() {
        assert_eq!(&*unescape_at_55(b"a@@b@@@c@"), b"a@b@@c@");
        assert_eq!(strip_leading_at(b"@@@@x"), b"@@@x");
        assert_eq!(strip_leading_at(b"a@@"), b"a@@");
    }

    fn lines_of(input: &[u8]) -> Vec<Vec<u8>> {
        let mut src = LineSource::new(input);
        let mut out = Vec::new();
        loop {
            let mut buf = Vec::new();
            if !src.next_line(&mut buf).unwrap() {
                break;
            }
            out.push(buf);
        }
        out
    }

    #[test]
    fn line_endings() {
        let want: Vec<Vec<u8>> = vec![b"a".to_vec(), b"b".to_vec(), b"".to_vec(), b"c".to_vec()];
        assert_eq!(lines_of(b"a\nb\n\nc"), want);
        assert_eq!(lines_of(b"a\r\nb\r\n\r\nc\r\n"), want);
        assert_eq!(lines_of(b"a\rb\r\rc\r"), want);
        assert_eq!(lines_of(b"a\n\rb\n\r\n\rc\n\r"), want);
    }

    #[test]
    fn line_endings_across_buffer_boundaries() {
        // A BufReader with a 1-byte buffer splits every CR/LF pair.
        for input in [&b"a\r\nb\r\n\r\nc"[..], b"a\n\rb\n\r\n\rc", b"a\rb\r\rc"] {
            let mut src = LineSource::new(io::BufReader::with_capacity(1, input));
            let mut got = Vec::new();
            loop {
                let mut buf = Vec::new();
                if !src.next_line(&mut buf).unwrap() {
                    break;
                }
                got.push(buf);
            }
            assert_eq!(got, vec![b"a".to_vec(), b"b".to_vec(), b"".to_vec(), b"c".to_vec()], "{input:?}");
        }
    }
}
