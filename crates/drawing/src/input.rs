//! What the drawing reads: people, unions (partners and their children), the conditions shown,
//! and display options. Neutral data — no vault, no ids other than the caller's strings — built
//! by the API layer from a vault, by the CLI, or by hand in tests.

use kinvault_model::{Sex, Zygosity};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Everything one pedigree drawing needs. Who is in it is the caller's choice (see
/// [`crate::select`] for "the proband's relatives within N generations").
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[ts(rename = "PedigreeDrawingInput")]
pub struct DrawingInput {
    pub people: Vec<DrawPerson>,
    #[serde(default)]
    pub unions: Vec<DrawUnion>,
    /// The conditions symbols are shaded for, in legend order. Their order also fixes which
    /// section of a symbol each condition fills when several are shown.
    #[serde(default)]
    pub conditions: Vec<DrawCondition>,
    #[serde(default)]
    pub options: DrawOptions,
}

/// What a symbol stands for (NSGC: individual, pregnancy, spontaneous abortion, termination,
/// stillbirth).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(rename = "PedigreeSymbolKind")]
pub enum DrawKind {
    /// A born individual: square, circle or diamond by sex.
    #[default]
    Person,
    /// An ongoing pregnancy: the sex symbol with a "P" inside.
    Pregnancy,
    /// Spontaneous abortion (miscarriage): a small triangle, labelled "SAB".
    Miscarriage,
    /// Termination of pregnancy: a small triangle with a slash, labelled "TOP".
    Termination,
    /// Stillbirth: the sex symbol with the deceased slash, labelled "SB".
    Stillbirth,
}

/// Adoption: brackets around the symbol. `In`: adopted into the family drawn (the line from the
/// adoptive parents is dashed — mark the child's link [`DrawChildLink::Adopted`]); `Out`: placed
/// for adoption out of the family drawn (solid line from the birth parents).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(rename = "PedigreeAdoption")]
pub enum DrawAdoption {
    In,
    Out,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(rename = "PedigreeReproductionKind")]
pub enum ReproductionKind {
    /// No children by choice or reason unknown: a line down with one bar.
    NoChildren,
    /// Infertility: a line down with two bars.
    Infertility,
}

/// The "no children" / "infertility" marker, on a person or on a couple.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(rename = "PedigreeReproduction")]
pub struct DrawReproduction {
    pub kind: ReproductionKind,
    /// Written under the marker (e.g. "vasectomy", "azoospermia").
    #[serde(default)]
    pub note: Option<String>,
}

/// A condition the person is affected by, with the age at onset/diagnosis ("dx 45 y").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(rename = "PedigreeAffected")]
pub struct DrawAffected {
    /// A [`DrawCondition::id`].
    pub condition: String,
    #[serde(default)]
    pub onset_age: Option<u32>,
}

/// One person (or pregnancy) in the drawing.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(default)]
#[ts(rename = "PedigreePerson")]
pub struct DrawPerson {
    /// The caller's id (e.g. the vault's person UUID); unique in the drawing, never shown.
    pub id: String,
    /// Shown under the symbol when [`DrawOptions::names`] is on.
    pub name: Option<String>,
    /// Square (male), circle (female), diamond (unknown; intersex with the note "intersex").
    pub sex: Sex,
    pub kind: DrawKind,
    /// Gestational age or dates for pregnancies, miscarriages, terminations and stillbirths
    /// (e.g. "20 wk"), written after "SAB", "TOP", "SB" or alone for a pregnancy.
    pub gestation: Option<String>,
    pub birth_year: Option<i32>,
    /// Current age if living, age at death if deceased (years).
    pub age: Option<u32>,
    pub deceased: bool,
    /// Written after "d." when ages are shown.
    pub cause_of_death: Option<String>,
    /// The affected person through whom the family came to attention: arrow and "P".
    pub proband: bool,
    /// The person seeking advice: arrow without "P".
    pub consultand: bool,
    /// Conditions this person is affected by: the symbol is shaded.
    pub affected: Vec<DrawAffected>,
    /// Condition ids this person is a (non-manifesting) carrier of: a dot in the middle.
    pub carrier: Vec<String>,
    /// Condition ids this person is an asymptomatic/presymptomatic carrier of: a vertical line
    /// through the symbol.
    pub presymptomatic: Vec<String>,
    /// Test results as written under the symbol (e.g. "BRCA1 +", "CFTR −/−").
    pub tests: Vec<String>,
    pub adoption: Option<DrawAdoption>,
    pub reproduction: Option<DrawReproduction>,
}

impl DrawPerson {
    /// A living person of that sex with nothing else recorded.
    pub fn new(id: impl Into<String>, sex: Sex) -> Self {
        DrawPerson { id: id.into(), sex, ..Default::default() }
    }
}

/// How a child is linked to the union's partners: a solid line (birth) or a dashed one
/// (adoption into this union).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(rename = "PedigreeChildLink")]
pub enum DrawChildLink {
    #[default]
    Biological,
    Adopted,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(rename = "PedigreeChild")]
pub struct DrawChild {
    pub id: String,
    #[serde(default)]
    pub link: DrawChildLink,
}

impl DrawChild {
    pub fn biological(id: impl Into<String>) -> Self {
        DrawChild { id: id.into(), link: DrawChildLink::Biological }
    }
    pub fn adopted(id: impl Into<String>) -> Self {
        DrawChild { id: id.into(), link: DrawChildLink::Adopted }
    }
}

/// Separation and divorce: one or two hash marks across the union line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(rename = "PedigreeUnionStatus")]
pub enum UnionStatus {
    #[default]
    Together,
    Separated,
    Divorced,
}

/// Twins (or higher multiples) among a union's children: their lines leave the sibship line
/// from one point. Monozygotic: a bar between the lines; dizygotic: no bar; unknown: "?".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(rename = "PedigreeTwins")]
pub struct DrawTwins {
    pub ids: Vec<String>,
    pub zygosity: Zygosity,
}

/// Partners and their children. One partner: the other parent is not drawn (a short line from
/// the partner leads to the children); no partner: siblings whose parents are not drawn.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(default)]
#[ts(rename = "PedigreeUnion")]
pub struct DrawUnion {
    /// Stable id for the SVG's `data-union` and the layout; `u<index>` when absent.
    pub id: Option<String>,
    /// Zero, one or two person ids.
    pub partners: Vec<String>,
    /// In birth order (left to right in the drawing, NSGC).
    pub children: Vec<DrawChild>,
    /// Double union line. Also drawn when the drawing shows a common ancestor of both partners.
    pub consanguineous: bool,
    /// Written above the union line (e.g. "first cousins") when the relationship is not obvious.
    pub consanguinity_note: Option<String>,
    pub status: UnionStatus,
    pub twins: Vec<DrawTwins>,
    /// The couple's "no children" / "infertility" marker (hangs from the union line).
    pub reproduction: Option<DrawReproduction>,
}

impl DrawUnion {
    /// Two partners with biological children in birth order.
    pub fn new(partners: &[&str], children: &[&str]) -> Self {
        DrawUnion {
            partners: partners.iter().map(|s| s.to_string()).collect(),
            children: children.iter().map(|c| DrawChild::biological(*c)).collect(),
            ..Default::default()
        }
    }
}

/// A condition symbols are shaded for.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
#[ts(rename = "PedigreeCondition")]
pub struct DrawCondition {
    pub id: String,
    /// Shown in the legend.
    pub label: String,
    /// Abbreviation under the symbols ("BrCa dx 45 y"); the label when absent.
    pub short: Option<String>,
    /// Fill style: 0 solid black, 1 diagonal hatching, 2 grey, 3 cross-hatching, 4 dots,
    /// 5 horizontal lines, 6 vertical lines, 7 dark grey (then again from 0). Default: the
    /// condition's position among the conditions shown.
    pub style: Option<u32>,
}

/// What is written and drawn besides the symbols and lines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
#[ts(rename = "PedigreeDrawOptions")]
pub struct DrawOptions {
    /// Names under the symbols. Off: no name anywhere in the SVG.
    pub names: bool,
    /// Current age / "d. <age at death> y" and the cause of death.
    pub ages: bool,
    /// "b. <year>".
    pub birth_years: bool,
    /// The test result lines.
    pub test_results: bool,
    /// "<condition> dx <age> y" and "<condition> carrier" lines.
    pub conditions: bool,
    /// I, II, III... at the left of each generation.
    pub generation_numerals: bool,
    /// "II-3" under each symbol.
    pub individual_numbers: bool,
    pub title: Option<String>,
    /// The legend of conditions (which section/fill is which condition) and markers.
    pub legend: bool,
    /// Keep siblings strictly in the given birth order. Off (default): a child whose partner
    /// comes from another sibship in the drawing is moved to the end of their sibship facing
    /// that partner (NSGC: birth order "when possible"), so the couple sits side by side.
    pub strict_birth_order: bool,
    /// Prefix of the SVG's element ids (patterns, clip paths), so several drawings can share
    /// one HTML page.
    pub id_prefix: String,
}

impl Default for DrawOptions {
    fn default() -> Self {
        DrawOptions {
            names: true,
            ages: true,
            birth_years: true,
            test_results: true,
            conditions: true,
            generation_numerals: true,
            individual_numbers: true,
            title: None,
            legend: true,
            strict_birth_order: false,
            id_prefix: "ped".into(),
        }
    }
}
