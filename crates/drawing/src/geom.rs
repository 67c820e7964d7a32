//! Sizes and spacing (SVG user units, about pixels), and each person's measurements: symbol
//! size, how far decorations reach left and right, the label lines and their width.

use crate::input::{DrawKind, DrawOptions};
use crate::model::Model;
use crate::text::{label_lines, text_width, LineKind, LINE_H};

/// Symbol width and height.
pub(crate) const S: f64 = 40.0;
/// Miscarriage/termination triangles.
pub(crate) const SMALL: f64 = 0.7 * S;
/// Gaps between symbol boxes (decorations included) of neighbours in a row.
pub(crate) const COUPLE_GAP: f64 = 34.0;
pub(crate) const SIB_GAP: f64 = 26.0;
pub(crate) const OTHER_GAP: f64 = 44.0;
/// Space between the labels of neighbours.
pub(crate) const TEXT_PAD: f64 = 8.0;
/// How far the proband/consultand arrow (and its "P") reaches left of the centre.
pub(crate) const ARROW_EXT: f64 = 1.55 * S;
/// How far adoption brackets reach from the centre.
pub(crate) const BRACKET_EXT: f64 = 0.75 * S;
/// Height of the children's lines from the sibship line down to their symbols.
pub(crate) const V_CHILD: f64 = 22.0;
/// The same in a row with twins.
pub(crate) const V_TWIN: f64 = 40.0;
/// From a symbol's bottom (or its no-children marker) to the top of its label.
pub(crate) const LABEL_GAP: f64 = 5.0;
/// From the bottom of a row's labels to the sibship lines of the next row.
pub(crate) const ROW_GAP: f64 = 16.0;
/// Height of a no-children / infertility marker under a symbol.
pub(crate) const MARKER_H: f64 = 18.0;
pub(crate) const MARGIN: f64 = 20.0;
/// Width of the column of generation numerals.
pub(crate) const NUMERAL_W: f64 = 36.0;
/// Between unconnected families side by side.
pub(crate) const COMPONENT_GAP: f64 = 60.0;

pub(crate) struct Metrics {
    pub size: Vec<f64>,
    /// Symbol and decorations, left and right of the centre.
    pub left: Vec<f64>,
    pub right: Vec<f64>,
    /// Label lines, the individual number first when shown.
    pub label: Vec<Vec<(LineKind, String)>>,
    pub label_w: Vec<f64>,
    /// Offset from the centre down to the top of the label.
    pub label_top: Vec<f64>,
    /// For the sole drawn partner of a union with children: how far right of the centre the
    /// children's line drops.
    pub stub: Vec<Option<f64>>,
    pub has_arrow: Vec<bool>,
}

impl Metrics {
    pub fn compute(m: &Model, opt: &DrawOptions, numbers: &[String]) -> Metrics {
        let n = m.n;
        let mut met = Metrics {
            size: vec![S; n],
            left: vec![S / 2.0; n],
            right: vec![S / 2.0; n],
            label: Vec::with_capacity(n),
            label_w: vec![0.0; n],
            label_top: vec![0.0; n],
            stub: vec![None; n],
            has_arrow: vec![false; n],
        };
        for (p, number) in numbers.iter().enumerate() {
            let person = m.person(p);
            let size = match person.kind {
                DrawKind::Miscarriage | DrawKind::Termination => SMALL,
                _ => S,
            };
            met.size[p] = size;
            let mut half = size / 2.0;
            if person.adoption.is_some() {
                half = half.max(BRACKET_EXT);
            }
            met.left[p] = half;
            met.right[p] = half;
            if person.proband || person.consultand {
                met.left[p] = met.left[p].max(ARROW_EXT);
                met.has_arrow[p] = true;
            }
            let mut lines = Vec::new();
            if opt.individual_numbers {
                lines.push((LineKind::Number, number.clone()));
            }
            lines.extend(label_lines(m, p, opt));
            met.label_w[p] = lines.iter().map(|(_, l)| text_width(l)).fold(0.0, f64::max);
            let marker = if person.reproduction.is_some() { MARKER_H } else { 0.0 };
            met.label_top[p] = size / 2.0 + marker + LABEL_GAP;
            met.label.push(lines);
        }
        for u in &m.unions {
            if let [p] = u.partners[..] {
                if !u.children.is_empty() {
                    met.stub[p] = Some((0.9 * S).max(met.label_w[p] / 2.0 + TEXT_PAD));
                }
            }
        }
        met
    }

    /// Height of the label block under the symbol's centre (symbol half, marker, lines).
    pub fn below(&self, p: usize) -> f64 {
        let lines = self.label[p].len() as f64;
        if lines == 0.0 {
            self.label_top[p] - LABEL_GAP
        } else {
            self.label_top[p] + lines * LINE_H
        }
    }

    /// How far the person's drawing (symbol, decorations, label) reaches left and right.
    pub fn extent_left(&self, p: usize) -> f64 {
        self.left[p].max(self.label_w[p] / 2.0)
    }

    pub fn extent_right(&self, p: usize) -> f64 {
        self.right[p].max(self.label_w[p] / 2.0).max(self.stub[p].map_or(0.0, |s| s + 2.0))
    }

    /// The smallest distance between the centres of neighbours `a` (left) and `b` (right).
    pub fn sep(&self, m: &Model, a: usize, b: usize) -> f64 {
        let partners = m.aligned_partners(a, b);
        let siblings = m.primary(a).is_some() && m.primary(a) == m.primary(b);
        let gap = if partners {
            COUPLE_GAP
        } else if siblings {
            SIB_GAP
        } else {
            OTHER_GAP
        };
        let (la, lb) = (self.label_w[a] / 2.0, self.label_w[b] / 2.0);
        let mut s = self.right[a] + self.left[b] + gap;
        s = s.max(la + lb + TEXT_PAD);
        if partners {
            // The children's line drops half-way: it must pass between the two labels.
            s = s.max(2.0 * la.max(lb) + 2.0 * TEXT_PAD);
        }
        if self.has_arrow[b] {
            s = s.max(la + ARROW_EXT + TEXT_PAD / 2.0);
        }
        if let Some(stub) = self.stub[a] {
            s = s.max(stub + self.left[b].max(lb) + TEXT_PAD);
        }
        s
    }
}
