//! What [`crate::draw`] returns besides the SVG text: every symbol's box and every line with what
//! it connects, in the SVG's own coordinates (the viewBox is `0 0 width height`). Tests check
//! structure here without parsing SVG; the UI uses it for hit-testing and highlighting.

use crate::input::{DrawAdoption, DrawKind, ReproductionKind};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The result of [`crate::draw`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(rename = "PedigreeDrawing")]
pub struct Drawing {
    /// A standalone SVG document.
    pub svg: String,
    pub layout: Layout,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(rename = "PedigreeLayout")]
pub struct Layout {
    pub width: f64,
    pub height: f64,
    /// Width and height of a person's symbol.
    pub symbol_size: f64,
    /// The smallest horizontal gap between two symbols' boxes in one generation (guaranteed).
    pub min_gap: f64,
    /// Generations, top to bottom.
    pub rows: Vec<LayoutRow>,
    /// One per person, in input order.
    pub symbols: Vec<LayoutSymbol>,
    pub segments: Vec<LayoutSegment>,
    pub marks: Vec<LayoutMark>,
    pub legend: Vec<LegendEntry>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(rename = "PedigreeRow")]
pub struct LayoutRow {
    /// 0 for the top generation.
    pub generation: u32,
    /// "I", "II", ...
    pub numeral: String,
    /// Centre line of the row's symbols.
    pub y: f64,
    /// Person ids, left to right.
    pub ids: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(rename = "PedigreeShape")]
pub enum SymbolShape {
    Square,
    Circle,
    Diamond,
    /// Miscarriage and termination.
    Triangle,
}

impl SymbolShape {
    pub fn as_str(self) -> &'static str {
        match self {
            SymbolShape::Square => "square",
            SymbolShape::Circle => "circle",
            SymbolShape::Diamond => "diamond",
            SymbolShape::Triangle => "triangle",
        }
    }
}

/// One shaded part of a symbol: the whole symbol when one condition is shown, a half, a quadrant
/// or a sector when several are.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(rename = "PedigreeSection")]
pub struct LayoutSection {
    pub condition: String,
    /// Which part: 0.. `count`-1 (halves: left, right; quadrants: upper left, upper right,
    /// lower right, lower left; more: sectors clockwise from 12 o'clock).
    pub index: u32,
    /// 1 (whole symbol), 2 (halves), 4 (quadrants) or the number of conditions shown.
    pub count: u32,
    /// Fill style (see [`crate::DrawCondition::style`]).
    pub style: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(rename = "PedigreeSymbol")]
pub struct LayoutSymbol {
    pub id: String,
    /// Generation numeral and position from the left: "II-3".
    pub number: String,
    pub generation: u32,
    /// 1-based position from the left in the generation.
    pub position: u32,
    /// Centre of the symbol.
    pub x: f64,
    pub y: f64,
    /// Width and height of the symbol's box.
    pub size: f64,
    pub shape: SymbolShape,
    pub kind: DrawKind,
    pub sections: Vec<LayoutSection>,
    pub carrier: bool,
    pub presymptomatic: bool,
    /// Slash through the symbol (deceased or stillbirth).
    pub deceased: bool,
    pub proband: bool,
    pub consultand: bool,
    pub adoption: Option<DrawAdoption>,
    pub reproduction: Option<ReproductionKind>,
    /// The text lines under the symbol, top to bottom.
    pub label: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(rename = "PedigreeSegmentKind")]
pub enum SegmentKind {
    /// Between two partners (`ids`: the two partners, left one first). A union whose partners
    /// are not side by side is drawn as several segments routed above the row.
    Union,
    /// The second line of a consanguineous union.
    UnionDouble,
    /// From a single drawn parent to where the children's line drops (`ids`: the parent).
    UnionStub,
    /// A hash mark across a union line (one: separated, two: divorced).
    Separation,
    /// From the union line down to the sibship line (`ids`: the partners).
    Descent,
    /// Horizontal line over the children (`ids`: the children, left to right).
    Sibship,
    /// From the sibship line to one child's symbol (`ids`: the child). Dashed for adoption.
    Child,
    /// From a second union (e.g. adoptive parents when the birth parents are drawn too) to a
    /// child drawn under their first union (`ids`: the child).
    SecondaryChild,
    /// The bar between monozygotic twins' lines (`ids`: the twins).
    TwinBar,
    /// The line and bar(s) of a no-children / infertility marker (`ids`: the person or couple).
    Reproduction,
}

impl SegmentKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SegmentKind::Union => "union",
            SegmentKind::UnionDouble => "union-double",
            SegmentKind::UnionStub => "union-stub",
            SegmentKind::Separation => "separation",
            SegmentKind::Descent => "descent",
            SegmentKind::Sibship => "sibship",
            SegmentKind::Child => "child",
            SegmentKind::SecondaryChild => "secondary-child",
            SegmentKind::TwinBar => "twin-bar",
            SegmentKind::Reproduction => "reproduction",
        }
    }
}

/// One straight line of the drawing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(rename = "PedigreeSegment")]
pub struct LayoutSegment {
    pub kind: SegmentKind,
    pub x1: f64,
    pub y1: f64,
    pub x2: f64,
    pub y2: f64,
    pub dashed: bool,
    /// The union it belongs to ([`crate::DrawUnion::id`] or `u<index>`), if any.
    pub union: Option<String>,
    /// The people it connects (see [`SegmentKind`]).
    pub ids: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(rename = "PedigreeMarkKind")]
pub enum MarkKind {
    /// "?" between the lines of twins of unknown zygosity.
    TwinZygosityUnknown,
    /// The note over a consanguineous union line.
    ConsanguinityNote,
}

/// A piece of text in the drawing that belongs to lines rather than to a person.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(rename = "PedigreeMark")]
pub struct LayoutMark {
    pub kind: MarkKind,
    pub x: f64,
    pub y: f64,
    pub text: String,
    pub union: Option<String>,
    pub ids: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(rename = "PedigreeLegendKind")]
pub enum LegendKind {
    Condition,
    Carrier,
    Presymptomatic,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(rename = "PedigreeLegendEntry")]
pub struct LegendEntry {
    pub kind: LegendKind,
    /// The condition id for [`LegendKind::Condition`].
    pub condition: Option<String>,
    pub label: String,
    /// The section of a symbol this condition fills (see [`LayoutSection`]).
    pub section: u32,
    pub count: u32,
    pub style: u32,
    /// Centre of the legend's sample symbol.
    pub x: f64,
    pub y: f64,
}
