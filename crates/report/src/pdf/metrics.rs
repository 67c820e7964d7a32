//! Glyph widths of the two base-14 fonts the report's text is set in, Helvetica and
//! Helvetica-Bold, for every WinAnsiEncoding code from 32 to 255, in 1/1000 em.
//!
//! The numbers are Adobe's published core-14 font metrics (the `WX` values of `Helvetica.afm`
//! and `Helvetica-Bold.afm`, AFM 4.1, 1997; the Euro, missing there, at 556 as every PDF
//! library and the metric-compatible URW Nimbus Sans use), arranged by WinAnsiEncoding code.
//! Codes WinAnsi leaves undefined (0x7F, 0x81, 0x8D, 0x8F, 0x90, 0x9D) are 0: the encoder
//! never produces them.

/// The report's two fonts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Font {
    Regular,
    Bold,
}

impl Font {
    /// The base-14 font's PostScript name.
    pub fn base_font(self) -> &'static [u8] {
        match self {
            Font::Regular => b"Helvetica",
            Font::Bold => b"Helvetica-Bold",
        }
    }

    /// The font's resource name in the page resources.
    pub fn resource(self) -> &'static [u8] {
        match self {
            Font::Regular => b"F1",
            Font::Bold => b"F2",
        }
    }

    /// The widths of codes 32..=255.
    pub fn widths(self) -> &'static [u16; 224] {
        match self {
            Font::Regular => &HELVETICA,
            Font::Bold => &HELVETICA_BOLD,
        }
    }

    /// The advance width of one WinAnsi code in 1/1000 em (0 for codes below 32).
    pub fn width(self, code: u8) -> u16 {
        if code < 32 {
            0
        } else {
            self.widths()[usize::from(code - 32)]
        }
    }

    /// Ascender and descender (1/1000 em) from the AFM headers: 718 and -207 for both.
    pub const ASCENDER: f32 = 718.0;
    pub const DESCENDER: f32 = -207.0;
}

pub(super) const HELVETICA: [u16; 224] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, // 0x20
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, // 0x30
    1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, // 0x40
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, // 0x50
    333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, // 0x60
    556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584, 0, // 0x70
    556, 0, 222, 556, 333, 1000, 556, 556, 333, 1000, 667, 333, 1000, 0, 611, 0, // 0x80
    0, 222, 222, 333, 333, 350, 556, 1000, 333, 1000, 500, 333, 944, 0, 500, 667, // 0x90
    278, 333, 556, 556, 556, 556, 260, 556, 333, 737, 370, 556, 584, 333, 737, 333, // 0xA0
    400, 584, 333, 333, 333, 556, 537, 278, 333, 333, 365, 556, 834, 834, 834, 611, // 0xB0
    667, 667, 667, 667, 667, 667, 1000, 722, 667, 667, 667, 667, 278, 278, 278, 278, // 0xC0
    722, 722, 778, 778, 778, 778, 778, 584, 778, 722, 722, 722, 722, 667, 667, 611, // 0xD0
    556, 556, 556, 556, 556, 556, 889, 500, 556, 556, 556, 556, 278, 278, 278, 278, // 0xE0
    556, 556, 556, 556, 556, 556, 556, 584, 611, 556, 556, 556, 556, 500, 556, 500, // 0xF0
];

pub(super) const HELVETICA_BOLD: [u16; 224] = [
    278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278, // 0x20
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611, // 0x30
    975, 722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833, 722, 778, // 0x40
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 333, 278, 333, 584, 556, // 0x50
    333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889, 611, 611, // 0x60
    611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584, 0, // 0x70
    556, 0, 278, 556, 500, 1000, 556, 556, 333, 1000, 667, 333, 1000, 0, 611, 0, // 0x80
    0, 278, 278, 500, 500, 350, 556, 1000, 333, 1000, 556, 333, 944, 0, 500, 667, // 0x90
    278, 333, 556, 556, 556, 556, 280, 556, 333, 737, 370, 556, 584, 333, 737, 333, // 0xA0
    400, 584, 333, 333, 333, 611, 556, 278, 333, 333, 365, 556, 834, 834, 834, 611, // 0xB0
    722, 722, 722, 722, 722, 722, 1000, 722, 667, 667, 667, 667, 278, 278, 278, 278, // 0xC0
    722, 722, 778, 778, 778, 778, 778, 584, 778, 722, 722, 722, 722, 667, 667, 611, // 0xD0
    556, 556, 556, 556, 556, 556, 889, 556, 556, 556, 556, 556, 278, 278, 278, 278, // 0xE0
    611, 611, 611, 611, 611, 611, 611, 584, 611, 611, 611, 611, 611, 556, 611, 556, // 0xF0
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_widths() {
        // A few AFM entries, by glyph name: space, A, a, i, W, m, quotesingle, Euro, endash,
        // eacute, germandbls, ydieresis.
        let regular = [(b' ', 278), (b'A', 667), (b'a', 556), (b'i', 222), (b'W', 944), (b'm', 833), (b'\'', 191)];
        for (c, w) in regular {
            assert_eq!(Font::Regular.width(c), w, "{}", c as char);
        }
        let bold = [(b' ', 278), (b'A', 722), (b'a', 556), (b'i', 278), (b'W', 944), (b'm', 889), (b'\'', 238)];
        for (c, w) in bold {
            assert_eq!(Font::Bold.width(c), w, "{}", c as char);
        }
        for (code, regular, bold) in
            [(0x80, 556, 556), (0x96, 556, 556), (0xE9, 556, 556), (0xDF, 611, 611), (0xFF, 500, 556)]
        {
            assert_eq!(Font::Regular.width(code), regular, "{code:#x}");
            assert_eq!(Font::Bold.width(code), bold, "{code:#x}");
        }
        for undefined in [0x7F, 0x81, 0x8D, 0x8F, 0x90, 0x9D] {
            assert_eq!(Font::Regular.width(undefined), 0);
        }
        assert_eq!(Font::Regular.width(b'\n'), 0);
    }
}
