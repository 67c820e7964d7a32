//! Character encodings: which one a file uses, and decoding value bytes to Unicode.
//!
//! The reader splits lines, levels, tags and xrefs on raw bytes (they are ASCII in every
//! ASCII-compatible encoding), joins CONC/CONT payloads as bytes, and only then calls
//! [`decode`] on each joined value — so a multi-byte character (or an ANSEL diacritic and its
//! base letter) that a vendor split across two CONC lines decodes correctly. UTF-16 input is
//! transcoded to UTF-8 up front, after which it is ASCII-compatible too.
//!
//! How the encoding is chosen, first match wins:
//! 1. a byte-order mark (UTF-8, UTF-16 LE/BE), or UTF-16 recognised from the first bytes (`0\0`);
//! 2. the header's `HEAD.CHAR` value (see [`Encoding::from_label`]);
//! 3. GEDCOM 7 files are UTF-8 by definition;
//! 4. otherwise, per value: valid UTF-8 is UTF-8, anything else is windows-1252.
//!
//! Declared 8-bit encodings are checked value by value as well: a value with non-ASCII bytes that
//! is valid UTF-8 is decoded as UTF-8 (files labelled `ANSI` or `ANSEL` that are really UTF-8 are
//! common, while legacy text that happens to be valid UTF-8 is vanishingly rare).

mod tables;

use std::borrow::Cow;
use std::fmt;

use unicode_normalization::UnicodeNormalization;

/// The character encoding of a GEDCOM file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-8 (with or without BOM). Also the default when nothing is declared.
    Utf8,
    /// UTF-16 little-endian (`CHAR UNICODE` with a `FF FE` BOM).
    Utf16Le,
    /// UTF-16 big-endian (`CHAR UNICODE` with a `FE FF` BOM).
    Utf16Be,
    /// ANSEL (ANSI Z39.47 / MARC-8 Latin with GEDCOM's additions); diacritics precede the letter.
    Ansel,
    /// Declared `ASCII`. Pure ASCII decodes as itself; 8-bit bytes (which such files do contain)
    /// are decoded like undeclared text: UTF-8 when valid, else windows-1252.
    Ascii,
    /// windows-1252, declared as `ANSI`, `IBM WINDOWS`, `WINDOWS`, `CP1252` or ISO-8859-1
    /// (as in browsers, Latin-1 labels are read as its superset windows-1252).
    Windows1252,
    /// Mac OS Roman, declared as `MACINTOSH`.
    MacRoman,
    /// IBM PC code page 437, declared as `IBMPC` or `IBM DOS`.
    Cp437,
    /// IBM code page 850 (DOS Latin-1), declared as `CP850` or `IBM850`.
    Cp850,
    /// Another ASCII-compatible encoding known to the WHATWG Encoding Standard (e.g. `ISO-8859-2`,
    /// `WINDOWS-1250`, `KOI8-R`), found through its label.
    Other(&'static encoding_rs::Encoding),
}

impl Encoding {
    /// The encoding named by a `HEAD.CHAR` value (case-insensitive, spaces, `-` and `_` ignored),
    /// or `None` if the label is unknown.
    ///
    /// `UNICODE` maps to [`Encoding::Utf16Le`]; the reader keeps UTF-16 only when the bytes are
    /// UTF-16 (a BOM or `0\0`), and otherwise reads such a file as UTF-8.
    pub fn from_label(label: &str) -> Option<Encoding> {
        let trimmed = label.trim();
        let key: String =
            trimmed.chars().filter(|c| !matches!(c, ' ' | '-' | '_')).map(|c| c.to_ascii_uppercase()).collect();
        let enc = match key.as_str() {
            "UTF8" => Encoding::Utf8,
            "UNICODE" | "UTF16" | "UCS2" => Encoding::Utf16Le,
            "UTF16LE" => Encoding::Utf16Le,
            "UTF16BE" => Encoding::Utf16Be,
            "ANSEL" | "MARC8" => Encoding::Ansel,
            "ASCII" | "USASCII" => Encoding::Ascii,
            "ANSI" | "IBMWINDOWS" | "WINDOWS" | "CP1252" | "WINDOWS1252" | "MSWINDOWS" | "ISO88591" | "ISOLATIN1"
            | "LATIN1" | "8859" => Encoding::Windows1252,
            "ISO885915" | "LATIN9" => Encoding::Other(encoding_rs::ISO_8859_15),
            "MACINTOSH" | "MACROMAN" | "MAC" | "XMACROMAN" => Encoding::MacRoman,
            "IBMPC" | "IBMDOS" | "CP437" | "IBM437" | "DOS" | "MSDOS" | "PC8" => Encoding::Cp437,
            "CP850" | "IBM850" | "DOS850" | "PC850" => Encoding::Cp850,
            _ => {
                let enc = encoding_rs::Encoding::for_label(trimmed.as_bytes())?;
                if enc == encoding_rs::UTF_8 {
                    Encoding::Utf8
                } else if enc == encoding_rs::WINDOWS_1252 {
                    Encoding::Windows1252
                } else if enc == encoding_rs::MACINTOSH {
                    Encoding::MacRoman
                } else if enc == encoding_rs::UTF_16LE {
                    Encoding::Utf16Le
                } else if enc == encoding_rs::UTF_16BE {
                    Encoding::Utf16Be
                } else if enc.is_ascii_compatible() && enc != encoding_rs::REPLACEMENT {
                    Encoding::Other(enc)
                } else {
                    return None;
                }
            }
        };
        Some(enc)
    }

    /// A short stable name, e.g. `"UTF-8"`, `"ANSEL"`, `"windows-1252"`.
    pub fn name(&self) -> &'static str {
        match self {
            Encoding::Utf8 => "UTF-8",
            Encoding::Utf16Le => "UTF-16LE",
            Encoding::Utf16Be => "UTF-16BE",
            Encoding::Ansel => "ANSEL",
            Encoding::Ascii => "ASCII",
            Encoding::Windows1252 => "windows-1252",
            Encoding::MacRoman => "macintosh",
            Encoding::Cp437 => "IBM437",
            Encoding::Cp850 => "IBM850",
            Encoding::Other(e) => e.name(),
        }
    }

    /// True for UTF-16, the only supported encodings that are not ASCII-compatible.
    pub fn is_utf16(&self) -> bool {
        matches!(self, Encoding::Utf16Le | Encoding::Utf16Be)
    }
}

impl fmt::Display for Encoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Where the reader's choice of [`Encoding`] came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EncodingSource {
    /// A byte-order mark.
    Bom,
    /// UTF-16 recognised from the first bytes without a BOM.
    Sniffed,
    /// The header's `HEAD.CHAR` value.
    Declared,
    /// Nothing usable was declared: UTF-8, with windows-1252 for values that are not valid UTF-8.
    Default,
}

/// Recognises a byte-order mark at the start of `prefix`: the encoding and the BOM's length.
pub fn sniff_bom(prefix: &[u8]) -> Option<(Encoding, usize)> {
    match prefix {
        [0xEF, 0xBB, 0xBF, ..] => Some((Encoding::Utf8, 3)),
        [0xFF, 0xFE, ..] => Some((Encoding::Utf16Le, 2)),
        [0xFE, 0xFF, ..] => Some((Encoding::Utf16Be, 2)),
        _ => None,
    }
}

/// Recognises BOM-less UTF-16 from the first two bytes: a GEDCOM file starts with an ASCII
/// character (`0`, a space, a newline), so one zero byte beside a non-zero one gives it away.
pub fn sniff_utf16(prefix: &[u8]) -> Option<Encoding> {
    match prefix {
        [a, 0, ..] if *a != 0 && a.is_ascii() => Some(Encoding::Utf16Le),
        [0, b, ..] if *b != 0 && b.is_ascii() => Some(Encoding::Utf16Be),
        _ => None,
    }
}

/// Something worth a warning that happened while decoding one value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecodeIssue {
    /// The value was not valid UTF-8 and was decoded as windows-1252 instead.
    InvalidUtf8,
    /// The file declared an 8-bit encoding but this value was valid UTF-8 (with non-ASCII bytes),
    /// so it was decoded as UTF-8.
    Utf8InLegacyFile,
    /// A byte with no meaning in the encoding (ANSEL) was replaced by U+FFFD.
    UndefinedByte(u8),
}

/// Decodes one value's bytes. Never fails: undecodable bytes become U+FFFD and are reported.
///
/// `enc` must be ASCII-compatible; UTF-16 input reaches here already transcoded to UTF-8, so
/// both UTF-16 variants are treated as UTF-8.
pub fn decode(bytes: &[u8], enc: Encoding) -> (Cow<'_, str>, Option<DecodeIssue>) {
    if bytes.is_ascii() {
        // ASCII is ASCII in every encoding we accept (ANSEL, the code pages and UTF-8 alike), and
        // ASCII is valid UTF-8, so the fallback below is never taken.
        return (Cow::Borrowed(std::str::from_utf8(bytes).unwrap_or_default()), None);
    }
    match enc {
        Encoding::Utf8 | Encoding::Utf16Le | Encoding::Utf16Be | Encoding::Ascii => match std::str::from_utf8(bytes) {
            Ok(s) => (Cow::Borrowed(s), None),
            Err(_) => (decode_whatwg(bytes, encoding_rs::WINDOWS_1252), Some(DecodeIssue::InvalidUtf8)),
        },
        legacy => {
            if let Ok(s) = std::str::from_utf8(bytes) {
                return (Cow::Borrowed(s), Some(DecodeIssue::Utf8InLegacyFile));
            }
            match legacy {
                Encoding::Ansel => {
                    let (s, issue) = decode_ansel(bytes);
                    (Cow::Owned(s), issue)
                }
                Encoding::Cp437 => (Cow::Owned(decode_table(bytes, &tables::CP437_HIGH)), None),
                Encoding::Cp850 => (Cow::Owned(decode_table(bytes, &tables::CP850_HIGH)), None),
                Encoding::MacRoman => (decode_whatwg(bytes, encoding_rs::MACINTOSH), None),
                Encoding::Other(e) => {
                    let (s, had_errors) = e.decode_without_bom_handling(bytes);
                    let issue = had_errors.then_some(DecodeIssue::UndefinedByte(first_non_ascii(bytes)));
                    (s, issue)
                }
                // Windows1252, and (unreachable) the UTF variants handled above.
                _ => (decode_whatwg(bytes, encoding_rs::WINDOWS_1252), None),
            }
        }
    }
}

fn first_non_ascii(bytes: &[u8]) -> u8 {
    bytes.iter().copied().find(|b| !b.is_ascii()).unwrap_or(0)
}

fn decode_whatwg<'a>(bytes: &'a [u8], enc: &'static encoding_rs::Encoding) -> Cow<'a, str> {
    // windows-1252 and macintosh map every byte, so there are never errors to report.
    enc.decode_without_bom_handling(bytes).0
}

fn decode_table(bytes: &[u8], high: &[char; 128]) -> String {
    let mut out = String::with_capacity(bytes.len() + bytes.len() / 2);
    for &b in bytes {
        if b < 0x80 {
            out.push(b as char);
        } else {
            out.push(high[usize::from(b - 0x80)]);
        }
    }
    out
}

/// ANSEL to Unicode. ANSEL writes a combining diacritic *before* the letter it sits on, Unicode
/// after it: marks are held back until the next spacing character has been emitted, then the
/// result is NFC-composed (so `E2 65` gives the single character `é`).
pub fn decode_ansel(bytes: &[u8]) -> (String, Option<DecodeIssue>) {
    let mut out = String::with_capacity(bytes.len() + bytes.len() / 2);
    let mut marks: Vec<char> = Vec::new();
    let mut issue = None;
    let mut composed_needed = false;
    for &b in bytes {
        let spacing = if b < 0x80 {
            b as char
        } else if let Some(mark) = tables::ansel_combining(b) {
            marks.push(mark);
            composed_needed = true;
            continue;
        } else if let Some(c) = tables::ansel_spacing(b) {
            c
        } else {
            issue.get_or_insert(DecodeIssue::UndefinedByte(b));
            '\u{FFFD}'
        };
        out.push(spacing);
        out.extend(marks.drain(..));
    }
    // Diacritics with nothing after them (end of value) stay, as bare combining marks.
    out.extend(marks.drain(..));
    if composed_needed {
        out = out.nfc().collect();
    }
    (out, issue)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ansel_diacritic_precedes_base_letter() {
        // E2 = acute, E8 = diaeresis, F0 = cedilla.
        let (s, issue) = decode_ansel(b"Fran\xF0cois M\xE8uller Jos\xE2e");
        assert_eq!(s, "François Müller José");
        assert_eq!(issue, None);
    }

    #[test]
    fn ansel_two_marks_and_nfc() {
        // dot below + circumflex + e = ệ (U+1EC7) after NFC
        let (s, _) = decode_ansel(b"\xF2\xE3e");
        assert_eq!(s, "\u{1EC7}");
        // a mark with no letter after it survives as a bare combining mark
        let (s, _) = decode_ansel(b"a\xE2");
        assert_eq!(s, "a\u{0301}".nfc().collect::<String>());
    }

    #[test]
    fn ansel_specials_and_undefined() {
        let (s, issue) = decode_ansel(b"\xA1\xB1\xB9\xCF\x80");
        assert_eq!(s, "Łł£ß\u{FFFD}");
        assert_eq!(issue, Some(DecodeIssue::UndefinedByte(0x80)));
    }

    #[test]
    fn labels() {
        assert_eq!(Encoding::from_label("IBM WINDOWS"), Some(Encoding::Windows1252));
        assert_eq!(Encoding::from_label("ansi"), Some(Encoding::Windows1252));
        assert_eq!(Encoding::from_label("IBMPC"), Some(Encoding::Cp437));
        assert_eq!(Encoding::from_label("MACINTOSH"), Some(Encoding::MacRoman));
        assert_eq!(Encoding::from_label("UNICODE"), Some(Encoding::Utf16Le));
        assert_eq!(Encoding::from_label("utf-8"), Some(Encoding::Utf8));
        assert_eq!(Encoding::from_label("ISO-8859-1"), Some(Encoding::Windows1252));
        assert_eq!(Encoding::from_label("ISO-8859-2"), Some(Encoding::Other(encoding_rs::ISO_8859_2)));
        assert_eq!(Encoding::from_label("CP850"), Some(Encoding::Cp850));
        assert_eq!(Encoding::from_label("KLINGON"), None);
    }

    #[test]
    fn code_pages() {
        assert_eq!(decode(b"Fr\x82mont", Encoding::Cp437).0, "Frémont");
        assert_eq!(decode(b"\x9D", Encoding::Cp850).0, "Ø");
        assert_eq!(decode(b"\x9D", Encoding::Cp437).0, "¥");
        assert_eq!(decode(b"Le\xF3n", Encoding::Windows1252).0, "León");
        assert_eq!(decode(b"\x8E", Encoding::MacRoman).0, "é");
    }

    #[test]
    fn utf8_fallbacks() {
        assert_eq!(decode(b"Le\xF3n", Encoding::Utf8), (Cow::Borrowed("León"), Some(DecodeIssue::InvalidUtf8)));
        let (s, issue) = decode("León".as_bytes(), Encoding::Windows1252);
        assert_eq!(s, "León");
        assert_eq!(issue, Some(DecodeIssue::Utf8InLegacyFile));
    }
}
