//! Text for the PDF's base-14 fonts: Unicode to WinAnsiEncoding bytes, widths, line wrapping.
//!
//! WinAnsiEncoding (PDF 32000-1, Annex D) is Windows code page 1252: ASCII, Latin-1 and 27
//! typographic characters (curly quotes, dashes, bullet, ellipsis, euro, trademark, Š š Ž ž Œ œ
//! Ÿ ƒ ˆ ˜ ‰ † ‡ ‹ ›). A few common characters outside it are spelled with ASCII (≤ "<=", ≥ ">=",
//! − "-", → "->", ≈ "~", thin and other spaces " "); any other character is printed as '?'.
//! Text is not normalised: a letter followed by a combining accent prints as the letter and '?'.

use super::metrics::Font;

/// The WinAnsi code of a character, if it has one.
fn winansi(c: char) -> Option<u8> {
    let u = c as u32;
    match u {
        0x20..=0x7E | 0xA0..=0xFF => Some(u as u8),
        _ => Some(match c {
            '€' => 0x80,
            '‚' => 0x82,
            'ƒ' => 0x83,
            '„' => 0x84,
            '…' => 0x85,
            '†' => 0x86,
            '‡' => 0x87,
            'ˆ' => 0x88,
            '‰' => 0x89,
            'Š' => 0x8A,
            '‹' => 0x8B,
            'Œ' => 0x8C,
            'Ž' => 0x8E,
            '\u{2018}' => 0x91,
            '\u{2019}' => 0x92,
            '\u{201C}' => 0x93,
            '\u{201D}' => 0x94,
            '•' => 0x95,
            '–' => 0x96,
            '—' => 0x97,
            '˜' => 0x98,
            '™' => 0x99,
            'š' => 0x9A,
            '›' => 0x9B,
            'œ' => 0x9C,
            'ž' => 0x9E,
            'Ÿ' => 0x9F,
            _ => return None,
        }),
    }
}

/// An ASCII spelling for a few characters outside WinAnsi.
fn fallback(c: char) -> Option<&'static str> {
    Some(match c {
        '\t' | '\u{2000}'..='\u{200A}' | '\u{202F}' | '\u{205F}' | '\u{3000}' => " ",
        '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}' => "",
        '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2212}' => "-",
        '\u{2015}' => "\u{2014}",
        '\u{2032}' => "'",
        '\u{2033}' => "\"",
        '\u{2264}' => "<=",
        '\u{2265}' => ">=",
        '\u{2260}' => "!=",
        '\u{2248}' => "~",
        '\u{2192}' => "->",
        '\u{2190}' => "<-",
        '\u{2194}' => "<->",
        '\u{221E}' => "infinity",
        _ => return None,
    })
}

/// The text as WinAnsi bytes: control characters become spaces, characters without a WinAnsi
/// code or fallback become '?'. The soft hyphen is dropped (it would print as a hyphen).
pub fn encode(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    for c in text.chars() {
        if let Some(s) = fallback(c) {
            for f in s.chars() {
                out.push(winansi(f).unwrap_or(b'?'));
            }
        } else if c.is_control() {
            out.push(b' ');
        } else {
            out.push(winansi(c).unwrap_or(b'?'));
        }
    }
    out
}

/// The width of encoded text in points.
pub fn width(font: Font, size: f32, text: &[u8]) -> f32 {
    let units: u32 = text.iter().map(|&b| u32::from(font.width(b))).sum();
    units as f32 * size / 1000.0
}

/// Wraps text into lines no wider than `max_width` points: words are separated by spaces (runs
/// of spaces collapse), a word wider than a line is cut where it must be, and '\n' starts a new
/// line. Empty text gives no lines.
pub fn wrap(font: Font, size: f32, text: &str, max_width: f32) -> Vec<Vec<u8>> {
    let mut lines = Vec::new();
    let space = width(font, size, b" ");
    for paragraph in text.split('\n') {
        let bytes = encode(paragraph);
        let mut line: Vec<u8> = Vec::new();
        let mut line_w = 0.0f32;
        for word in bytes.split(|&b| b == b' ').filter(|w| !w.is_empty()) {
            let word_w = width(font, size, word);
            let needed = if line.is_empty() { word_w } else { line_w + space + word_w };
            if needed <= max_width + 0.01 {
                if !line.is_empty() {
                    line.push(b' ');
                }
                line.extend_from_slice(word);
                line_w = needed;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
                line_w = 0.0;
            }
            if word_w <= max_width + 0.01 {
                line.extend_from_slice(word);
                line_w = word_w;
                continue;
            }
            // A word longer than the line: cut it, preferring a cut after '/', '-' or '_'.
            let mut rest = word;
            while !rest.is_empty() {
                let mut fit = 0;
                let mut w = 0.0f32;
                for &b in rest {
                    let bw = f32::from(font.width(b)) * size / 1000.0;
                    if fit > 0 && w + bw > max_width + 0.01 {
                        break;
                    }
                    w += bw;
                    fit += 1;
                }
                if fit < rest.len() {
                    if let Some(p) =
                        rest[..fit].iter().rposition(|b| matches!(b, b'/' | b'-' | b'_' | b'.' | b'&' | b'?'))
                    {
                        if p + 1 >= fit / 2 {
                            fit = p + 1;
                        }
                    }
                    lines.push(rest[..fit].to_vec());
                    rest = &rest[fit..];
                } else {
                    line = rest.to_vec();
                    line_w = width(font, size, &line);
                    rest = &[];
                }
            }
        }
        if !line.is_empty() {
            lines.push(line);
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_winansi() {
        assert_eq!(encode("Aé€–“x”"), vec![b'A', 0xE9, 0x80, 0x96, 0x93, b'x', 0x94]);
        assert_eq!(encode("κ ≥ 2\t√"), b"? >= 2 ?".to_vec());
        assert_eq!(encode("Jos\u{e9}"), vec![b'J', b'o', b's', 0xE9]);
        assert_eq!(encode("Jose\u{301}"), b"Jose?".to_vec());
        assert_eq!(encode("ab\u{ad}c"), b"abc".to_vec());
    }

    #[test]
    fn widths() {
        // "Hello" in Helvetica: H 722 + e 556 + l 222 + l 222 + o 556 = 2278.
        assert!((width(Font::Regular, 10.0, b"Hello") - 22.78).abs() < 1e-4);
        assert!((width(Font::Bold, 10.0, b"Hello") - (722.0 + 556.0 + 278.0 + 278.0 + 611.0) / 100.0).abs() < 1e-4);
    }

    #[test]
    fn wraps_at_spaces() {
        let text = "the quick brown fox jumps over the lazy dog";
        let lines = wrap(Font::Regular, 10.0, text, 60.0);
        assert!(lines.len() > 2);
        for l in &lines {
            assert!(width(Font::Regular, 10.0, l) <= 60.01, "{}", String::from_utf8_lossy(l));
            assert!(!l.starts_with(b" ") && !l.ends_with(b" "));
        }
        let joined: Vec<String> = lines.iter().map(|l| String::from_utf8(l.clone()).unwrap()).collect();
        assert_eq!(joined.join(" "), text);
    }

    #[test]
    fn cuts_long_words_and_keeps_newlines() {
        let url = "https://example.org/a/very/long/path/that/does/not/fit/on/one/line/at/all";
        let lines = wrap(Font::Regular, 10.0, url, 80.0);
        assert!(lines.len() > 1);
        assert_eq!(lines.concat(), url.as_bytes());
        for l in &lines {
            assert!(width(Font::Regular, 10.0, l) <= 80.01);
        }
        assert_eq!(wrap(Font::Regular, 10.0, "a\nb", 500.0), vec![b"a".to_vec(), b"b".to_vec()]);
        assert!(wrap(Font::Regular, 10.0, "   ", 500.0).is_empty());
        // A line narrower than one character still makes progress.
        assert_eq!(wrap(Font::Regular, 10.0, "WW", 1.0), vec![b"W".to_vec(), b"W".to_vec()]);
    }
}
