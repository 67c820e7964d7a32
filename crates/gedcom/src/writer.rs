//! The writer: records → GEDCOM 5.5.1 or 7.0 bytes (always UTF-8).
//!
//! - **5.5.1**: `1 CHAR UTF-8`; every line at most [`WriteOptions::max_line_bytes`] bytes
//!   (255, terminator included — stricter than the standard's 255 characters, so byte-counting
//!   readers are safe too). Long values are split with CONC at character boundaries, preferably
//!   where neither side is a space or `@` and not before a combining mark (readers that trim
//!   lines or normalise per line then lose nothing). `@` is written `@@`, except in `@#...@`
//!   escapes (calendar escapes such as `@#DJULIAN@`).
//! - **7.0**: no CONC and no length limit; only a leading `@` of a line value is doubled.
//!   `HEAD.SCHMA` declares extension tags the caller passes in [`WriteOptions::extension_tags`].
//! - Both: newlines in values become CONT lines (`\r\n` and `\r` count as newlines), the header
//!   gets `GEDC.VERS` (and `GEDC.FORM`/`CHAR` for 5.5.1) to match what is written, and `0 TRLR`
//!   ends the file.
//!
//! Round trip: `read(write(doc))` gives back the same records (tags, xrefs, values, structure).
//! Trees are walked with an explicit stack; levels above 99 (trees deeper than 100 nodes built
//! in code) are written as they are, though readers, ours included, reject them.

use std::borrow::Cow;
use std::io::{self, Write};

use crate::node::{Node, Record, Value};

/// Which GEDCOM to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteVersion {
    /// GEDCOM 5.5.1, UTF-8.
    V5_5_1,
    /// GEDCOM 7.0.
    V7_0,
}

/// How to write.
#[derive(Debug, Clone)]
pub struct WriteOptions {
    /// The version to write.
    pub version: WriteVersion,
    /// 7.0 only: extension tags to declare in `HEAD.SCHMA`, as (`_TAG`, URI); added to those the
    /// header already declares. Ignored for 5.5.1, which has no SCHMA (and whose SCHMA, if the
    /// header has one, is dropped).
    pub extension_tags: Vec<(String, String)>,
    /// 5.5.1 only: the longest line in bytes, terminator included (default 255). At least one
    /// character of value goes on each line, so a level/xref/tag longer than this still works.
    pub max_line_bytes: usize,
    /// End lines with CR LF instead of LF.
    pub crlf: bool,
    /// Start the file with a UTF-8 byte-order mark.
    pub bom: bool,
    /// `HEAD.SOUR` to add when the header has none (5.5.1 requires one).
    pub source_system: Option<String>,
}

impl WriteOptions {
    /// GEDCOM 5.5.1 with the defaults.
    pub fn gedcom_551() -> WriteOptions {
        WriteOptions {
            version: WriteVersion::V5_5_1,
            extension_tags: Vec::new(),
            max_line_bytes: 255,
            crlf: false,
            bom: false,
            source_system: None,
        }
    }

    /// GEDCOM 7.0 with the defaults.
    pub fn gedcom_70() -> WriteOptions {
        WriteOptions { version: WriteVersion::V7_0, ..WriteOptions::gedcom_551() }
    }
}

impl Default for WriteOptions {
    fn default() -> Self {
        WriteOptions::gedcom_551()
    }
}

/// Writes a whole file to memory: the header (normalised, see [`Writer::new`]), the records
/// (any tagged `HEAD` or `TRLR` are skipped), and `0 TRLR`.
pub fn write(header: Option<&Record>, records: &[Record], options: &WriteOptions) -> Vec<u8> {
    let mut out = Vec::with_capacity(64 * records.len() + 256);
    // Writing to a Vec cannot fail.
    let result = Writer::new(&mut out, header, options.clone()).and_then(|mut w| {
        for r in records {
            w.write_record(r)?;
        }
        w.finish().map(|_| ())
    });
    debug_assert!(result.is_ok());
    out
}

/// A streaming writer: header first, then one record at a time, then [`Writer::finish`].
pub struct Writer<W: Write> {
    out: W,
    options: WriteOptions,
}

impl<W: Write> Writer<W> {
    /// Writes the header. It is normalised to what is written: `GEDC` is replaced by
    /// `GEDC.VERS 5.5.1` + `GEDC.FORM LINEAGE-LINKED` (5.5.1) or `GEDC.VERS 7.0` (7.0); `CHAR` is
    /// set to `UTF-8` (5.5.1) or dropped (7.0, which is UTF-8 by definition); `SCHMA` is merged
    /// with [`WriteOptions::extension_tags`] (7.0) or dropped (5.5.1). Everything else in the
    /// header is kept as it is.
    pub fn new(mut out: W, header: Option<&Record>, options: WriteOptions) -> io::Result<Writer<W>> {
        if options.bom {
            out.write_all(b"\xEF\xBB\xBF")?;
        }
        let mut writer = Writer { out, options };
        let head = normalized_header(header, &writer.options);
        writer.write_tree(&head)?;
        Ok(writer)
    }

    /// Writes one record (and everything below it). Records tagged `HEAD` or `TRLR` are skipped.
    pub fn write_record(&mut self, record: &Record) -> io::Result<()> {
        if record.tag == "HEAD" || record.tag == "TRLR" {
            return Ok(());
        }
        self.write_tree(record)
    }

    /// Writes `0 TRLR` and hands back the output.
    pub fn finish(mut self) -> io::Result<W> {
        self.out.write_all(b"0 TRLR")?;
        self.end_line()?;
        self.out.flush()?;
        Ok(self.out)
    }

    fn end_line(&mut self) -> io::Result<()> {
        self.out.write_all(if self.options.crlf { b"\r\n" } else { b"\n" })
    }

    fn terminator_len(&self) -> usize {
        if self.options.crlf {
            2
        } else {
            1
        }
    }

    fn write_tree(&mut self, root: &Node) -> io::Result<()> {
        let mut stack = vec![(root, 0usize)];
        while let Some((node, level)) = stack.pop() {
            self.write_node(node, level)?;
            stack.extend(node.children.iter().rev().map(|c| (c, level + 1)));
        }
        Ok(())
    }

    fn write_node(&mut self, node: &Node, level: usize) -> io::Result<()> {
        let mut prefix = String::with_capacity(16 + node.tag.len());
        prefix.push_str(&level.to_string());
        prefix.push(' ');
        if let Some(x) = &node.xref {
            prefix.push('@');
            prefix.push_str(x);
            prefix.push_str("@ ");
        }
        prefix.push_str(&node.tag);
        match &node.value {
            None => {
                self.out.write_all(prefix.as_bytes())?;
                self.end_line()
            }
            Some(Value::Pointer(p)) => {
                write!(self.out, "{prefix} @{p}@")?;
                self.end_line()
            }
            Some(Value::Text(text)) => {
                let text = normalize_newlines(text);
                let v7 = self.options.version == WriteVersion::V7_0;
                let escaped = if v7 { Cow::Borrowed(&*text) } else { escape_at_551(&text) };
                let cont_prefix = format!("{} CONT", level + 1);
                let conc_prefix = format!("{} CONC", level + 1);
                for (i, segment) in escaped.split('\n').enumerate() {
                    let line_prefix = if i == 0 { prefix.as_str() } else { cont_prefix.as_str() };
                    if v7 {
                        self.out.write_all(line_prefix.as_bytes())?;
                        if !segment.is_empty() {
                            self.out.write_all(b" ")?;
                            if segment.starts_with('@') {
                                self.out.write_all(b"@")?;
                            }
                            self.out.write_all(segment.as_bytes())?;
                        }
                        self.end_line()?;
                    } else {
                        self.write_split(line_prefix, &conc_prefix, segment)?;
                    }
                }
                Ok(())
            }
        }
    }

    /// One logical 5.5.1 line, split with CONC to fit the line limit.
    fn write_split(&mut self, first_prefix: &str, conc_prefix: &str, mut rest: &str) -> io::Result<()> {
        let mut prefix = first_prefix;
        loop {
            self.out.write_all(prefix.as_bytes())?;
            if rest.is_empty() {
                return self.end_line();
            }
            let budget = self.options.max_line_bytes.saturating_sub(prefix.len() + 1 + self.terminator_len());
            let cut = if rest.len() <= budget { rest.len() } else { split_point(rest, budget) };
            self.out.write_all(b" ")?;
            self.out.write_all(&rest.as_bytes()[..cut])?;
            self.end_line()?;
            rest = &rest[cut..];
            if rest.is_empty() {
                return Ok(());
            }
            prefix = conc_prefix;
        }
    }
}

fn normalize_newlines(text: &str) -> Cow<'_, str> {
    if text.contains('\r') {
        Cow::Owned(text.replace("\r\n", "\n").replace('\r', "\n"))
    } else {
        Cow::Borrowed(text)
    }
}

/// Where to cut `s` so the first part has at most `budget` bytes (but at least one character):
/// at a character boundary, preferably one with no space or `@` on either side and no combining
/// mark right after it.
fn split_point(s: &str, budget: usize) -> usize {
    let mut hard = budget.min(s.len());
    while hard > 0 && !s.is_char_boundary(hard) {
        hard -= 1;
    }
    if hard == 0 {
        return s.chars().next().map_or(s.len(), char::len_utf8);
    }
    let nice = |k: usize| {
        let before = s[..k].chars().next_back();
        let after = s[k..].chars().next();
        let bad = |c: Option<char>| c.is_none_or(|c| c.is_whitespace() || c == '@');
        !bad(before) && !bad(after) && !after.is_some_and(unicode_normalization::char::is_combining_mark)
    };
    // Look back a little (a quarter of the line at most) for a nice place.
    let lowest = hard - hard / 4;
    let mut k = hard;
    while k > lowest.max(1) {
        if s.is_char_boundary(k) && nice(k) {
            return k;
        }
        k -= 1;
    }
    hard
}

/// GEDCOM 5.5.1: `@` → `@@`, except the `@#...@` escapes (`@#DJULIAN@`), which the reader leaves
/// alone. An `@#` right after another `@` is not taken for an escape, so every text survives
/// the round trip: the reader turns each `@@` back into `@`, scanning left to right.
fn escape_at_551(text: &str) -> Cow<'_, str> {
    if !text.contains('@') {
        return Cow::Borrowed(text);
    }
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len() + 8);
    let mut run_start = 0;
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'@' {
            i += 1;
            continue;
        }
        out.push_str(&text[run_start..i]);
        let escape_end = if b.get(i + 1) == Some(&b'#') && (i == 0 || b[i - 1] != b'@') {
            b[i + 2..]
                .iter()
                .position(|&c| c == b'@' || c == b'\n')
                .filter(|&k| b[i + 2 + k] == b'@')
                .map(|k| i + 3 + k)
        } else {
            None
        };
        match escape_end {
            Some(end) => {
                out.push_str(&text[i..end]);
                i = end;
            }
            None => {
                out.push_str("@@");
                i += 1;
            }
        }
        run_start = i;
    }
    out.push_str(&text[run_start..]);
    Cow::Owned(out)
}

fn normalized_header(header: Option<&Record>, options: &WriteOptions) -> Node {
    let v7 = options.version == WriteVersion::V7_0;
    let gedc = if v7 {
        Node::new("GEDC").child_node(Node::with_text("VERS", "7.0"))
    } else {
        Node::new("GEDC")
            .child_node(Node::with_text("VERS", "5.5.1"))
            .child_node(Node::with_text("FORM", "LINEAGE-LINKED"))
    };
    let charset = (!v7).then(|| Node::with_text("CHAR", "UTF-8"));
    let empty = Node::new("HEAD");
    let src = header.unwrap_or(&empty);

    let schma = if v7 {
        let mut schma = src.child("SCHMA").cloned().unwrap_or_else(|| Node::new("SCHMA"));
        for (tag, uri) in &options.extension_tags {
            let decl = format!("{tag} {uri}");
            if !schma.children.iter().any(|c| c.tag == "TAG" && c.text() == Some(decl.as_str())) {
                schma.children.push(Node::with_text("TAG", decl));
            }
        }
        (!schma.children.is_empty() || schma.value.is_some()).then_some(schma)
    } else {
        None
    };

    let mut head =
        Node { tag: "HEAD".into(), xref: src.xref.clone(), value: src.value.clone(), line: 0, children: Vec::new() };
    let mut gedc = Some(gedc);
    let mut charset = charset;
    let mut schma = schma;
    let mut gedc_at = 0;
    for child in &src.children {
        match child.tag.as_str() {
            "GEDC" => {
                if let Some(g) = gedc.take() {
                    gedc_at = head.children.len();
                    head.children.push(g);
                }
            }
            "CHAR" => head.children.extend(charset.take()),
            "SCHMA" => head.children.extend(schma.take()),
            _ => head.children.push(child.clone()),
        }
    }
    // What the source header lacked goes right after GEDC (GEDC first when it lacked that too:
    // 7.0 readers look for it early).
    let mut missing: Vec<Node> = schma.into_iter().chain(charset).collect();
    if let Some(sour) = &options.source_system {
        if src.child("SOUR").is_none() {
            missing.push(Node::with_text("SOUR", sour.clone()));
        }
    }
    let at = match gedc {
        Some(g) => {
            missing.insert(0, g);
            0
        }
        None => gedc_at + 1,
    };
    head.children.splice(at..at, missing);
    head
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_551() {
        assert_eq!(escape_at_551("a@b"), "a@@b");
        assert_eq!(escape_at_551("@#DJULIAN@ 1700"), "@#DJULIAN@ 1700");
        assert_eq!(escape_at_551("x@@#D@"), "x@@@@#D@@");
        assert_eq!(escape_at_551("@#a\n@"), "@@#a\n@@");
        assert_eq!(escape_at_551("no at"), "no at");
    }

    #[test]
    fn split_prefers_non_space_boundaries() {
        let s = "aaaa bbbb cccc";
        let k = split_point(s, 6);
        assert_eq!(&s[..k], "aaaa b"); // cutting at 5 would start the next line with a space
        let k = split_point("ééééé", 3);
        assert_eq!(k, 2);
        assert_eq!(split_point("é", 1), 2); // at least one character per line
    }
}
