//! Byte tables for the single-byte code pages `encoding_rs` does not carry (it implements the
//! WHATWG Encoding Standard, which has no DOS code pages) and for GEDCOM's ANSEL.
//!
//! cp437/cp850: generated from the Unicode mapping files (as shipped in Python's codecs).
//! ANSEL: ANSI/NISO Z39.47 (MARC-8 Latin) as published by the Library of Congress, plus the
//! GEDCOM additions (0xBE, 0xBF, 0xCD, 0xCE, 0xCF, 0xFC).

/// Bytes 0x80..=0xFF of cp437; 0x00..=0x7F are ASCII.
pub(crate) static CP437_HIGH: [char; 128] = [
    '\u{00C7}', '\u{00FC}', '\u{00E9}', '\u{00E2}', '\u{00E4}', '\u{00E0}', '\u{00E5}', '\u{00E7}', '\u{00EA}',
    '\u{00EB}', '\u{00E8}', '\u{00EF}', '\u{00EE}', '\u{00EC}', '\u{00C4}', '\u{00C5}', '\u{00C9}', '\u{00E6}',
    '\u{00C6}', '\u{00F4}', '\u{00F6}', '\u{00F2}', '\u{00FB}', '\u{00F9}', '\u{00FF}', '\u{00D6}', '\u{00DC}',
    '\u{00A2}', '\u{00A3}', '\u{00A5}', '\u{20A7}', '\u{0192}', '\u{00E1}', '\u{00ED}', '\u{00F3}', '\u{00FA}',
    '\u{00F1}', '\u{00D1}', '\u{00AA}', '\u{00BA}', '\u{00BF}', '\u{2310}', '\u{00AC}', '\u{00BD}', '\u{00BC}',
    '\u{00A1}', '\u{00AB}', '\u{00BB}', '\u{2591}', '\u{2592}', '\u{2593}', '\u{2502}', '\u{2524}', '\u{2561}',
    '\u{2562}', '\u{2556}', '\u{2555}', '\u{2563}', '\u{2551}', '\u{2557}', '\u{255D}', '\u{255C}', '\u{255B}',
    '\u{2510}', '\u{2514}', '\u{2534}', '\u{252C}', '\u{251C}', '\u{2500}', '\u{253C}', '\u{255E}', '\u{255F}',
    '\u{255A}', '\u{2554}', '\u{2569}', '\u{2566}', '\u{2560}', '\u{2550}', '\u{256C}', '\u{2567}', '\u{2568}',
    '\u{2564}', '\u{2565}', '\u{2559}', '\u{2558}', '\u{2552}', '\u{2553}', '\u{256B}', '\u{256A}', '\u{2518}',
    '\u{250C}', '\u{2588}', '\u{2584}', '\u{258C}', '\u{2590}', '\u{2580}', '\u{03B1}', '\u{00DF}', '\u{0393}',
    '\u{03C0}', '\u{03A3}', '\u{03C3}', '\u{00B5}', '\u{03C4}', '\u{03A6}', '\u{0398}', '\u{03A9}', '\u{03B4}',
    '\u{221E}', '\u{03C6}', '\u{03B5}', '\u{2229}', '\u{2261}', '\u{00B1}', '\u{2265}', '\u{2264}', '\u{2320}',
    '\u{2321}', '\u{00F7}', '\u{2248}', '\u{00B0}', '\u{2219}', '\u{00B7}', '\u{221A}', '\u{207F}', '\u{00B2}',
    '\u{25A0}', '\u{00A0}',
];

/// Bytes 0x80..=0xFF of cp850; 0x00..=0x7F are ASCII.
pub(crate) static CP850_HIGH: [char; 128] = [
    '\u{00C7}', '\u{00FC}', '\u{00E9}', '\u{00E2}', '\u{00E4}', '\u{00E0}', '\u{00E5}', '\u{00E7}', '\u{00EA}',
    '\u{00EB}', '\u{00E8}', '\u{00EF}', '\u{00EE}', '\u{00EC}', '\u{00C4}', '\u{00C5}', '\u{00C9}', '\u{00E6}',
    '\u{00C6}', '\u{00F4}', '\u{00F6}', '\u{00F2}', '\u{00FB}', '\u{00F9}', '\u{00FF}', '\u{00D6}', '\u{00DC}',
    '\u{00F8}', '\u{00A3}', '\u{00D8}', '\u{00D7}', '\u{0192}', '\u{00E1}', '\u{00ED}', '\u{00F3}', '\u{00FA}',
    '\u{00F1}', '\u{00D1}', '\u{00AA}', '\u{00BA}', '\u{00BF}', '\u{00AE}', '\u{00AC}', '\u{00BD}', '\u{00BC}',
    '\u{00A1}', '\u{00AB}', '\u{00BB}', '\u{2591}', '\u{2592}', '\u{2593}', '\u{2502}', '\u{2524}', '\u{00C1}',
    '\u{00C2}', '\u{00C0}', '\u{00A9}', '\u{2563}', '\u{2551}', '\u{2557}', '\u{255D}', '\u{00A2}', '\u{00A5}',
    '\u{2510}', '\u{2514}', '\u{2534}', '\u{252C}', '\u{251C}', '\u{2500}', '\u{253C}', '\u{00E3}', '\u{00C3}',
    '\u{255A}', '\u{2554}', '\u{2569}', '\u{2566}', '\u{2560}', '\u{2550}', '\u{256C}', '\u{00A4}', '\u{00F0}',
    '\u{00D0}', '\u{00CA}', '\u{00CB}', '\u{00C8}', '\u{0131}', '\u{00CD}', '\u{00CE}', '\u{00CF}', '\u{2518}',
    '\u{250C}', '\u{2588}', '\u{2584}', '\u{00A6}', '\u{00CC}', '\u{2580}', '\u{00D3}', '\u{00DF}', '\u{00D4}',
    '\u{00D2}', '\u{00F5}', '\u{00D5}', '\u{00B5}', '\u{00FE}', '\u{00DE}', '\u{00DA}', '\u{00DB}', '\u{00D9}',
    '\u{00FD}', '\u{00DD}', '\u{00AF}', '\u{00B4}', '\u{00AD}', '\u{00B1}', '\u{2017}', '\u{00BE}', '\u{00B6}',
    '\u{00A7}', '\u{00F7}', '\u{00B8}', '\u{00B0}', '\u{00A8}', '\u{00B7}', '\u{00B9}', '\u{00B3}', '\u{00B2}',
    '\u{25A0}', '\u{00A0}',
];
/// ANSEL spacing characters in 0x80..=0xDF. `None` = undefined in ANSEL.
pub(crate) fn ansel_spacing(b: u8) -> Option<char> {
    Some(match b {
        0x88 => '\u{0098}', // non-sort begin (MARC)
        0x89 => '\u{009C}', // non-sort end (MARC)
        0x8D => '\u{200D}', // joiner
        0x8E => '\u{200C}', // non-joiner
        0xA1 => '\u{0141}', // Ł
        0xA2 => '\u{00D8}', // Ø
        0xA3 => '\u{0110}', // Đ
        0xA4 => '\u{00DE}', // Þ
        0xA5 => '\u{00C6}', // Æ
        0xA6 => '\u{0152}', // Œ
        0xA7 => '\u{02B9}', // ʹ miagkii znak
        0xA8 => '\u{00B7}', // ·
        0xA9 => '\u{266D}', // ♭
        0xAA => '\u{00AE}', // ®
        0xAB => '\u{00B1}', // ±
        0xAC => '\u{01A0}', // Ơ
        0xAD => '\u{01AF}', // Ư
        0xAE => '\u{02BC}', // ʼ alif
        0xB0 => '\u{02BB}', // ʻ ayn
        0xB1 => '\u{0142}', // ł
        0xB2 => '\u{00F8}', // ø
        0xB3 => '\u{0111}', // đ
        0xB4 => '\u{00FE}', // þ
        0xB5 => '\u{00E6}', // æ
        0xB6 => '\u{0153}', // œ
        0xB7 => '\u{02BA}', // ʺ tverdyi znak
        0xB8 => '\u{0131}', // ı
        0xB9 => '\u{00A3}', // £
        0xBA => '\u{00F0}', // ð
        0xBC => '\u{01A1}', // ơ
        0xBD => '\u{01B0}', // ư
        0xBE => '\u{25A1}', // □ GEDCOM: empty box
        0xBF => '\u{25A0}', // ■ GEDCOM: black box
        0xC0 => '\u{00B0}', // °
        0xC1 => '\u{2113}', // ℓ
        0xC2 => '\u{2117}', // ℗
        0xC3 => '\u{00A9}', // ©
        0xC4 => '\u{266F}', // ♯
        0xC5 => '\u{00BF}', // ¿
        0xC6 => '\u{00A1}', // ¡
        0xC7 => '\u{00DF}', // ß (MARC-8)
        0xC8 => '\u{20AC}', // € (MARC-8)
        0xCD => '\u{0065}', // GEDCOM: midline e
        0xCE => '\u{006F}', // GEDCOM: midline o
        0xCF => '\u{00DF}', // GEDCOM: es zet
        _ => return None,
    })
}

/// ANSEL combining (non-spacing) marks in 0xE0..=0xFE, which precede their base letter.
pub(crate) fn ansel_combining(b: u8) -> Option<char> {
    Some(match b {
        0xE0 => '\u{0309}', // hook above
        0xE1 => '\u{0300}', // grave
        0xE2 => '\u{0301}', // acute
        0xE3 => '\u{0302}', // circumflex
        0xE4 => '\u{0303}', // tilde
        0xE5 => '\u{0304}', // macron
        0xE6 => '\u{0306}', // breve
        0xE7 => '\u{0307}', // dot above
        0xE8 => '\u{0308}', // diaeresis (umlaut)
        0xE9 => '\u{030C}', // caron (hacek)
        0xEA => '\u{030A}', // ring above
        0xEB => '\u{FE20}', // ligature, left half
        0xEC => '\u{FE21}', // ligature, right half
        0xED => '\u{0315}', // comma above right
        0xEE => '\u{030B}', // double acute
        0xEF => '\u{0310}', // candrabindu
        0xF0 => '\u{0327}', // cedilla
        0xF1 => '\u{0328}', // ogonek (right hook)
        0xF2 => '\u{0323}', // dot below
        0xF3 => '\u{0324}', // double dot below
        0xF4 => '\u{0325}', // ring below
        0xF5 => '\u{0333}', // double underscore
        0xF6 => '\u{0332}', // underscore
        0xF7 => '\u{0326}', // comma below (left hook)
        0xF8 => '\u{031C}', // right cedilla
        0xF9 => '\u{032E}', // breve below (upadhmaniya)
        0xFA => '\u{FE22}', // double tilde, left half
        0xFB => '\u{FE23}', // double tilde, right half
        0xFC => '\u{0338}', // GEDCOM: diacritic slash
        0xFE => '\u{0313}', // comma above (high comma, centred)
        _ => return None,
    })
}
