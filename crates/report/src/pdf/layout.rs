//! Flowing the report onto A4 pages: a cursor that moves down the page, blocks (headings,
//! wrapped paragraphs, bullet lists, label/value lines, tables, a figure) that start a new page
//! when the current one is full, and the drawing operations each page collects. Coordinates are
//! PDF points from the bottom-left corner.

use super::metrics::Font;
use super::text::{self, wrap};

/// A4 in points.
pub const PAGE_W: f32 = 595.276;
pub const PAGE_H: f32 = 841.89;
pub const MARGIN_X: f32 = 50.0;
/// Room above the content for the running header (pages after the first).
pub const MARGIN_TOP: f32 = 58.0;
/// Room below the content for the footer.
pub const MARGIN_BOTTOM: f32 = 58.0;
pub const CONTENT_W: f32 = PAGE_W - 2.0 * MARGIN_X;
const TOP: f32 = PAGE_H - MARGIN_TOP;
const CONTENT_H: f32 = TOP - MARGIN_BOTTOM;

/// A text style: font, size, line height, grey level (0 black, 1 white).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Style {
    pub font: Font,
    pub size: f32,
    pub leading: f32,
    pub gray: f32,
}

impl Style {
    const fn new(font: Font, size: f32, leading: f32, gray: f32) -> Style {
        Style { font, size, leading, gray }
    }
    pub const fn gray(self, gray: f32) -> Style {
        Style { gray, ..self }
    }
    pub const fn bold(self) -> Style {
        Style { font: Font::Bold, ..self }
    }
}

pub const TITLE: Style = Style::new(Font::Bold, 17.0, 22.0, 0.0);
pub const H2: Style = Style::new(Font::Bold, 13.0, 17.0, 0.0);
pub const H3: Style = Style::new(Font::Bold, 10.5, 14.0, 0.0);
pub const BODY: Style = Style::new(Font::Regular, 9.5, 12.6, 0.0);
pub const TABLE: Style = Style::new(Font::Regular, 8.3, 10.6, 0.0);
pub const SMALL: Style = Style::new(Font::Regular, 7.5, 9.5, 0.35);
/// Grey of secondary text (codes, details).
pub const MUTED: f32 = 0.33;

/// One drawing operation.
#[derive(Debug, Clone, PartialEq)]
pub enum Op {
    /// Encoded text with its baseline starting at (x, y).
    Text {
        font: Font,
        size: f32,
        gray: f32,
        x: f32,
        y: f32,
        text: Vec<u8>,
    },
    Line {
        x1: f32,
        y1: f32,
        x2: f32,
        y2: f32,
        width: f32,
        gray: f32,
    },
    FillRect {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        gray: f32,
    },
    /// The pedigree Form XObject, its lower-left corner at (x, y).
    Figure {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
    },
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Page {
    pub ops: Vec<Op>,
}

/// A table column: its heading and its share of the content width.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub title: &'static str,
    pub share: f32,
}

/// One paragraph of a table cell.
#[derive(Debug, Clone)]
pub struct CellText {
    pub font: Font,
    pub gray: f32,
    pub text: String,
}

impl CellText {
    pub fn plain(text: impl Into<String>) -> CellText {
        CellText { font: Font::Regular, gray: 0.0, text: text.into() }
    }
    pub fn bold(text: impl Into<String>) -> CellText {
        CellText { font: Font::Bold, gray: 0.0, text: text.into() }
    }
    pub fn muted(text: impl Into<String>) -> CellText {
        CellText { font: Font::Regular, gray: MUTED, text: text.into() }
    }
}

/// A table cell: paragraphs, one under the other.
pub type Cell = Vec<CellText>;

const CELL_PAD_X: f32 = 3.0;
const CELL_PAD_Y: f32 = 2.5;

/// The pages and the cursor: `y` is the top of the free space on the last page.
#[derive(Debug)]
pub struct Layout {
    pub pages: Vec<Page>,
    y: f32,
}

impl Default for Layout {
    fn default() -> Self {
        Layout::new()
    }
}

impl Layout {
    pub fn new() -> Layout {
        Layout { pages: vec![Page::default()], y: TOP }
    }

    fn page(&mut self) -> &mut Page {
        self.pages.last_mut().expect("a layout always has a page")
    }

    fn at_page_top(&self) -> bool {
        self.y >= TOP - 0.01
    }

    /// The space left on the current page.
    pub fn remaining(&self) -> f32 {
        self.y - MARGIN_BOTTOM
    }

    pub fn new_page(&mut self) {
        self.pages.push(Page::default());
        self.y = TOP;
    }

    /// Starts a new page unless `h` points fit on this one (or this page is still empty).
    pub fn ensure(&mut self, h: f32) {
        if self.remaining() < h - 0.01 && !self.at_page_top() {
            self.new_page();
        }
    }

    /// Vertical space; none at the top of a page.
    pub fn gap(&mut self, h: f32) {
        if !self.at_page_top() {
            self.y -= h;
            if self.remaining() < 0.0 {
                self.new_page();
            }
        }
    }

    /// The baseline of a line of `style` whose box starts at `top`.
    fn baseline(top: f32, style: Style) -> f32 {
        let ascent = Font::ASCENDER / 1000.0 * style.size;
        let height = (Font::ASCENDER - Font::DESCENDER) / 1000.0 * style.size;
        top - (style.leading - height) / 2.0 - ascent
    }

    fn text_at(&mut self, style: Style, x: f32, top: f32, text: Vec<u8>) {
        let y = Self::baseline(top, style);
        self.page().ops.push(Op::Text { font: style.font, size: style.size, gray: style.gray, x, y, text });
    }

    fn rule(&mut self, y: f32, width: f32, gray: f32) {
        self.page().ops.push(Op::Line { x1: MARGIN_X, y1: y, x2: MARGIN_X + CONTENT_W, y2: y, width, gray });
    }

    /// Lines of wrapped text, each moved to a new page when it does not fit.
    fn lines(&mut self, style: Style, x: f32, lines: Vec<Vec<u8>>) {
        for line in lines {
            self.ensure(style.leading);
            let top = self.y;
            self.text_at(style, x, top, line);
            self.y -= style.leading;
        }
    }

    /// The document title and a rule under it.
    pub fn title(&mut self, text: &str) {
        let lines = wrap(TITLE.font, TITLE.size, text, CONTENT_W);
        self.lines(TITLE, MARGIN_X, lines);
        self.y -= 4.0;
        let y = self.y;
        self.rule(y, 1.2, 0.0);
        self.y -= 8.0;
    }

    /// A section heading (kept with at least `keep` points of what follows) and a rule.
    pub fn section(&mut self, text: &str, keep: f32) {
        self.gap(14.0);
        let lines = wrap(H2.font, H2.size, text, CONTENT_W);
        self.ensure(lines.len() as f32 * H2.leading + 6.0 + keep);
        self.lines(H2, MARGIN_X, lines);
        self.y -= 2.0;
        let y = self.y;
        self.rule(y, 0.6, 0.45);
        self.y -= 6.0;
    }

    /// A subheading, kept with at least `keep` points of what follows.
    pub fn subheading(&mut self, text: &str, keep: f32) {
        self.gap(8.0);
        let lines = wrap(H3.font, H3.size, text, CONTENT_W);
        self.ensure(lines.len() as f32 * H3.leading + keep);
        self.lines(H3, MARGIN_X, lines);
        self.y -= 1.0;
    }

    /// A wrapped paragraph.
    pub fn paragraph(&mut self, style: Style, text: &str) {
        self.paragraph_indented(style, 0.0, text);
    }

    pub fn paragraph_indented(&mut self, style: Style, indent: f32, text: &str) {
        let lines = wrap(style.font, style.size, text, CONTENT_W - indent);
        self.lines(style, MARGIN_X + indent, lines);
    }

    /// A bulleted list.
    pub fn bullets(&mut self, style: Style, items: &[&str]) {
        let indent = 12.0;
        for item in items {
            let lines = wrap(style.font, style.size, item, CONTENT_W - indent);
            if lines.is_empty() {
                continue;
            }
            // Keep two-line items together.
            self.ensure(style.leading * lines.len().min(2) as f32);
            let top = self.y;
            self.text_at(style, MARGIN_X + 2.0, top, text::encode("\u{2022}"));
            self.lines(style, MARGIN_X + indent, lines);
            self.y -= 2.0;
        }
    }

    /// "Label: value" lines with the labels in a column of their own.
    pub fn labelled(&mut self, style: Style, label_w: f32, rows: &[(&str, String)]) {
        for (label, value) in rows {
            let lines = wrap(style.font, style.size, value, CONTENT_W - label_w);
            let label = fit(style.bold(), label, CONTENT_W);
            let own_line = text::width(Font::Bold, style.size, &label) > label_w - 4.0;
            self.ensure(style.leading * if own_line { 2.0 } else { 1.0 });
            let top = self.y;
            self.text_at(style.bold(), MARGIN_X, top, label);
            if lines.is_empty() || own_line {
                self.y -= style.leading;
            }
            self.lines(style, MARGIN_X + label_w, lines);
        }
    }

    /// A table with a header row (repeated on every page the table continues on). A row moves to
    /// the next page whole when it fits there, and is split between lines otherwise.
    pub fn table(&mut self, columns: &[Column], rows: &[Vec<Cell>]) {
        let style = TABLE;
        let total: f32 = columns.iter().map(|c| c.share).sum();
        let widths: Vec<f32> = columns.iter().map(|c| c.share / total * CONTENT_W).collect();
        let xs: Vec<f32> = widths
            .iter()
            .scan(MARGIN_X, |x, w| {
                let this = *x;
                *x += w;
                Some(this)
            })
            .collect();
        let wrap_cell = |cell: &Cell, col: usize, bold_all: bool| -> Vec<(Style, Vec<u8>)> {
            let mut out = Vec::new();
            for p in cell {
                let s = Style { font: if bold_all { Font::Bold } else { p.font }, gray: p.gray, ..style };
                let lines = wrap(s.font, s.size, &p.text, widths[col] - 2.0 * CELL_PAD_X);
                out.extend(lines.into_iter().map(|l| (s, l)));
            }
            out
        };
        let header: Vec<Vec<(Style, Vec<u8>)>> =
            columns.iter().enumerate().map(|(i, c)| wrap_cell(&vec![CellText::bold(c.title)], i, true)).collect();
        let header_h = header.iter().map(Vec::len).max().unwrap_or(1) as f32 * style.leading + 2.0 * CELL_PAD_Y;

        let draw_header = |l: &mut Layout| {
            let top = l.y;
            l.page().ops.push(Op::FillRect { x: MARGIN_X, y: top - header_h, w: CONTENT_W, h: header_h, gray: 0.9 });
            for (col, lines) in header.iter().enumerate() {
                for (i, (s, line)) in lines.iter().enumerate() {
                    let line_top = top - CELL_PAD_Y - i as f32 * style.leading;
                    l.text_at(*s, xs[col] + CELL_PAD_X, line_top, line.clone());
                }
            }
            l.y -= header_h;
            let y = l.y;
            l.rule(y, 0.6, 0.3);
        };

        let first_row_h = rows
            .first()
            .map(|r| {
                r.iter().enumerate().map(|(c, cell)| wrap_cell(cell, c, false).len()).max().unwrap_or(1).clamp(1, 3)
            })
            .unwrap_or(1) as f32
            * style.leading
            + 2.0 * CELL_PAD_Y;
        self.ensure(header_h + first_row_h);
        draw_header(self);

        for row in rows {
            let cells: Vec<Vec<(Style, Vec<u8>)>> =
                row.iter().enumerate().take(columns.len()).map(|(c, cell)| wrap_cell(cell, c, false)).collect();
            let n = cells.iter().map(Vec::len).max().unwrap_or(0).max(1);
            let row_h = n as f32 * style.leading + 2.0 * CELL_PAD_Y;
            if self.remaining() < row_h && row_h <= CONTENT_H - header_h {
                self.new_page();
                draw_header(self);
            }
            // Print the row, as many lines as fit on each page.
            let mut start = 0;
            while start < n {
                let room = ((self.remaining() - 2.0 * CELL_PAD_Y) / style.leading).floor().max(0.0) as usize;
                if room == 0 {
                    self.new_page();
                    draw_header(self);
                    continue;
                }
                let end = (start + room).min(n);
                let top = self.y - CELL_PAD_Y;
                for (col, lines) in cells.iter().enumerate() {
                    for (i, (s, line)) in lines.iter().enumerate().take(end).skip(start) {
                        let line_top = top - (i - start) as f32 * style.leading;
                        self.text_at(*s, xs[col] + CELL_PAD_X, line_top, line.clone());
                    }
                }
                self.y -= (end - start) as f32 * style.leading + 2.0 * CELL_PAD_Y;
                let y = self.y;
                self.rule(y, 0.3, 0.7);
                start = end;
                if start < n {
                    self.new_page();
                    draw_header(self);
                }
            }
        }
        self.y -= 6.0;
    }

    /// Room for a figure of `w` by `h` points, scaled to the content width and, when taller than
    /// a page, to the page height less `reserve` (for the caption).
    pub fn figure(&mut self, w: f32, h: f32, reserve: f32) {
        if w <= 0.0 || h <= 0.0 {
            return;
        }
        let mut scale = CONTENT_W / w;
        if h * scale > CONTENT_H - reserve {
            scale = (CONTENT_H - reserve) / h;
        }
        let (fw, fh) = (w * scale, h * scale);
        self.ensure(fh + reserve);
        let x = MARGIN_X + (CONTENT_W - fw) / 2.0;
        let y = self.y - fh;
        self.page().ops.push(Op::Figure { x, y, w: fw, h: fh });
        self.y = y - 4.0;
    }

    /// The running header (pages after the first) and the footer of every page, once the page
    /// count is known.
    pub fn decorate(&mut self, header: &str, footer: &str) {
        let total = self.pages.len();
        let header = text::encode(header);
        for (i, page) in self.pages.iter_mut().enumerate() {
            let fy = MARGIN_BOTTOM - 24.0;
            page.ops.push(Op::Line {
                x1: MARGIN_X,
                y1: fy + 10.0,
                x2: MARGIN_X + CONTENT_W,
                y2: fy + 10.0,
                width: 0.4,
                gray: 0.6,
            });
            let left = fit(SMALL, footer, CONTENT_W * 0.75);
            page.ops.push(Op::Text {
                font: SMALL.font,
                size: SMALL.size,
                gray: SMALL.gray,
                x: MARGIN_X,
                y: fy,
                text: left,
            });
            let number = text::encode(&format!("Page {} of {}", i + 1, total));
            let nw = text::width(SMALL.font, SMALL.size, &number);
            page.ops.push(Op::Text {
                font: SMALL.font,
                size: SMALL.size,
                gray: SMALL.gray,
                x: MARGIN_X + CONTENT_W - nw,
                y: fy,
                text: number,
            });
            if i > 0 {
                let hy = PAGE_H - MARGIN_TOP + 22.0;
                let mut h = header.clone();
                truncate_to(SMALL, &mut h, CONTENT_W);
                page.ops.push(Op::Text {
                    font: SMALL.font,
                    size: SMALL.size,
                    gray: SMALL.gray,
                    x: MARGIN_X,
                    y: hy,
                    text: h,
                });
                page.ops.push(Op::Line {
                    x1: MARGIN_X,
                    y1: hy - 5.0,
                    x2: MARGIN_X + CONTENT_W,
                    y2: hy - 5.0,
                    width: 0.4,
                    gray: 0.6,
                });
            }
        }
    }
}

/// The text encoded and cut to `max_w` (ending in "…" when cut).
fn fit(style: Style, s: &str, max_w: f32) -> Vec<u8> {
    let mut t = text::encode(s);
    truncate_to(style, &mut t, max_w);
    t
}

fn truncate_to(style: Style, t: &mut Vec<u8>, max_w: f32) {
    if text::width(style.font, style.size, t) <= max_w {
        return;
    }
    let ellipsis = 0x85u8;
    let ew = f32::from(style.font.width(ellipsis)) * style.size / 1000.0;
    while !t.is_empty() && text::width(style.font, style.size, t) + ew > max_w {
        t.pop();
    }
    t.push(ellipsis);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(l: &Layout, page: usize) -> Vec<String> {
        l.pages[page]
            .ops
            .iter()
            .filter_map(|op| match op {
                Op::Text { text, .. } => Some(String::from_utf8_lossy(text).into_owned()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn paragraphs_flow_onto_new_pages() {
        let mut l = Layout::new();
        for i in 0..200 {
            l.paragraph(BODY, &format!("Line {i}"));
        }
        let per_page = (CONTENT_H / BODY.leading).floor() as usize;
        assert_eq!(l.pages.len(), 200usize.div_ceil(per_page));
        for page in &l.pages {
            for op in &page.ops {
                if let Op::Text { y, .. } = op {
                    assert!(*y > MARGIN_BOTTOM - 3.0 && *y < TOP, "{y}");
                }
            }
        }
    }

    #[test]
    fn tables_repeat_their_header_and_split_tall_rows() {
        let mut l = Layout::new();
        let cols = [Column { title: "A", share: 1.0 }, Column { title: "B", share: 3.0 }];
        let rows: Vec<Vec<Cell>> =
            (0..120).map(|i| vec![vec![CellText::plain(format!("r{i}"))], vec![CellText::plain("x")]]).collect();
        l.table(&cols, &rows);
        assert!(l.pages.len() >= 2);
        for p in 0..l.pages.len() {
            assert_eq!(texts(&l, p)[..2], ["A".to_string(), "B".to_string()], "page {p}");
        }
        // One row taller than a page is split, not lost.
        let mut l = Layout::new();
        let tall: Vec<Cell> =
            vec![vec![CellText::plain("tall")], (0..150).map(|i| CellText::plain(format!("p{i}"))).collect()];
        l.table(&cols, &[tall]);
        assert!(l.pages.len() >= 2);
        let all: Vec<String> = (0..l.pages.len()).flat_map(|p| texts(&l, p)).collect();
        for i in 0..150 {
            assert!(all.contains(&format!("p{i}")));
        }
    }

    #[test]
    fn figures_fit_the_page() {
        let mut l = Layout::new();
        l.figure(1000.0, 5000.0, 30.0);
        match l.pages[0].ops[0] {
            Op::Figure { w, h, .. } => {
                assert!(w <= CONTENT_W + 0.01 && h <= CONTENT_H - 30.0 + 0.01);
                assert!((w / h - 0.2).abs() < 1e-4);
            }
            ref other => panic!("{other:?}"),
        }
    }

    #[test]
    fn footer_on_every_page() {
        let mut l = Layout::new();
        l.new_page();
        l.decorate("Report", "Kinvault");
        assert!(texts(&l, 0).contains(&"Page 1 of 2".to_string()));
        assert!(texts(&l, 1).contains(&"Page 2 of 2".to_string()));
        assert!(!texts(&l, 0).contains(&"Report".to_string()));
        assert!(texts(&l, 1).contains(&"Report".to_string()));
    }
}
