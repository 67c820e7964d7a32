//! Kinvault pedigree drawing: a standardized clinical pedigree (NSGC nomenclature, Bennett et al.
//! 2008, updated 2022) laid out and written as SVG, so the UI, the report and the CLI draw the
//! same picture. A domain crate: no vault, no I/O, no SVG library (the SVG text is written here).
//!
//! - [`draw`] lays out a [`DrawingInput`] and returns a [`Drawing`]: the SVG text and its
//!   [`Layout`] (every symbol's box, every line with the people it connects), in the same
//!   coordinates. The SVG carries stable classes and `data-*` attributes (`<g class="person"
//!   data-id=… data-shape=… data-affected=…>`, `<line class="union" data-a=… data-b=…>`...).
//! - [`select`] keeps the relatives of a proband within N generations, for callers that do not
//!   choose whom to draw themselves.
//!
//! Symbols: square (male), circle (female), diamond (unknown sex; intersex with a note);
//! triangles for miscarriage and termination; "P" inside for a pregnancy. Shading for conditions
//! (whole symbol for one condition shown, halves/quadrants/sectors and a legend for several),
//! a dot for carriers, a vertical line for presymptomatic carriers, a slash for the deceased,
//! brackets for adoption, the arrow (with "P" for the proband), no-children and infertility
//! markers. Lines: union (double when consanguineous, hash marks when separated or divorced),
//! descent, sibship, children (dashed when adopted in), twins (one point; a bar for monozygotic,
//! "?" for unknown zygosity). Text: individual number, name (optional), birth year, age or age
//! at death and cause, conditions with age at diagnosis, test results; generation numerals.
//!
//! Layout in three steps: rows (generations: children one row below their parents, partners in
//! one row, married-in spouses beside their partner), the order of each row (a deterministic
//! depth-first walk that only appends, see `order.rs`, so adding a relative never reorders the
//! others), and positions (parents over their children, children under their parents, under
//! hard minimum distances between neighbours, see `coords.rs`).

mod coords;
mod geom;
mod input;
mod layout;
mod model;
mod order;
mod render;
mod select;
mod svg;
mod text;

pub use input::*;
pub use kinvault_model::{Sex, Zygosity};
pub use layout::*;
pub use select::select;

use serde::{Deserialize, Serialize};

/// Why an input cannot be drawn.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum DrawError {
    #[error("person number {0} has an empty id")]
    EmptyId(usize),
    #[error("two people have the id {0:?}")]
    DuplicatePerson(String),
    #[error("two conditions have the id {0:?}")]
    DuplicateCondition(String),
    #[error("two unions have the id {0:?}")]
    DuplicateUnion(String),
    #[error("union {union}: no person has the id {id:?}")]
    UnknownPerson { union: String, id: String },
    #[error("union {0} has more than two partners")]
    TooManyPartners(String),
    #[error("union {union} lists {id:?} more than once")]
    Repeated { union: String, id: String },
    #[error("person {person:?}: no condition has the id {condition:?}")]
    UnknownCondition { person: String, condition: String },
    #[error("union {union}: {reason}")]
    BadTwins { union: String, reason: String },
    #[error("{0:?} is their own ancestor")]
    Cycle(String),
    #[error("no person has the id {0:?}")]
    UnknownProband(String),
}

/// Lays out and draws the pedigree.
pub fn draw(input: &DrawingInput) -> Result<Drawing, DrawError> {
    let opt = &input.options;
    let mut m = model::Model::build(input)?;
    let row = m.rows();
    let ord = order::order(&m, &row, opt.strict_birth_order);
    // Families side by side in walk order; each row left to right.
    let comps = coords::components(&m, &ord.rows, &ord.seq);
    let nrows = ord.rows.len();
    let rows: Vec<Vec<usize>> = (0..nrows).map(|r| comps.iter().flat_map(|c| c[r].iter().copied()).collect()).collect();
    let mut numbers = vec![String::new(); m.n];
    for (r, people) in rows.iter().enumerate() {
        let numeral = text::roman(r as u32 + 1);
        for (i, &p) in people.iter().enumerate() {
            numbers[p] = format!("{numeral}-{}", i + 1);
        }
    }
    let met = geom::Metrics::compute(&m, opt, &numbers);
    let x = coords::place(&m, &comps, &met);
    let placed = render::Placed { rows: &rows, row: &row, x: &x, numbers: &numbers };
    let layout = render::build(&m, opt, &met, &placed);
    debug_assert!(min_gap_holds(&layout), "symbols closer than the minimum gap");
    let svg = svg::write(&m, opt, &met, &layout);
    Ok(Drawing { svg, layout })
}

/// Whether every two neighbours in a row are at least [`Layout::min_gap`] apart (boxes).
fn min_gap_holds(l: &Layout) -> bool {
    l.rows.iter().all(|row| {
        let mut xs: Vec<&LayoutSymbol> =
            row.ids.iter().filter_map(|id| l.symbols.iter().find(|s| &s.id == id)).collect();
        xs.sort_by(|a, b| a.x.total_cmp(&b.x));
        xs.windows(2).all(|w| w[1].x - w[0].x - (w[0].size + w[1].size) / 2.0 >= l.min_gap - 0.01)
    })
}
