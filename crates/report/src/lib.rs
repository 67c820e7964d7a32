//! Kinvault's clinician report, rendered locally (no network, no browser): the family's pedigree
//! drawing, the relatives with their conditions and genetic tests, the risk assessment with what
//! moved each number and the catalog parameters behind it, the family-history criteria, where the
//! facts came from, and the references.
//!
//! - [`to_html`]: one self-contained HTML document — inline CSS (with print rules: A4, page
//!   breaks before the relatives and the risk assessment, table headers repeated), the pedigree
//!   SVG inlined, no scripts, no external resources. Every text field is escaped; links are made
//!   only for http(s) reference URLs.
//! - [`to_pdf`]: an A4 PDF. The text is real text in the base-14 fonts Helvetica and
//!   Helvetica-Bold with WinAnsiEncoding (not embedded; lines are wrapped with the fonts' Adobe
//!   AFM widths), so it can be searched and extracted. Characters outside WinAnsiEncoding
//!   (Windows-1252: Latin-1 plus curly quotes, dashes, €, Š, Œ...) are replaced — a few by an
//!   ASCII spelling (≤ "<=", ≥ ">=", − "-", → "->"), the rest by '?'. Headings, wrapped
//!   paragraphs, tables whose header repeats on each page they continue on, a page break
//!   whenever a page is full, a running header and "Page N of M" in the footer. The pedigree is
//!   embedded as vector graphics (a Form XObject made by svg2pdf), scaled to the page width (and
//!   down to the page height when it is taller).
//!
//! SVG text in the pedigree is laid out by usvg with the system's fonts (fontdb, loaded once per
//! process, fontconfig's configuration files read for the generic families) and drawn as glyph
//! outlines: it looks the same as text but cannot be selected or extracted (everything the
//! pedigree says is in the relatives table too). **Without system fonts, usvg drops the SVG's
//! text**: the drawing's shapes and lines still appear but its labels do not. The report's own
//! text layer does not depend on system fonts. Raster `<image>` elements in the SVG are not
//! rendered (svg2pdf is built without its image codecs) and no file or URL the SVG names is read.
//!
//! Both renderers print the same sections, in this order, under these headings (and, in the
//! HTML, these ids): Pedigree (`pedigree`), Relatives (`relatives`), Risk assessment
//! (`risk-assessment`), Family history criteria (`family-history-criteria`), Provenance
//! (`provenance`), References (`references`), after a header with the title, the date, the vault
//! id, the catalog and Kinvault versions, the proband and, when names are hidden, a note saying so.

mod data;
mod html;
mod pdf;
mod words;

pub use data::*;
pub use html::to_html;
pub use pdf::to_pdf;
pub use words::SECTIONS;

/// Why a PDF could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReportError {
    /// [`ReportData::generated_at`] is not an ISO 8601 date or date-time of the documented forms.
    #[error("the report's generated_at is not an ISO 8601 date-time: {0:?}")]
    InvalidTimestamp(String),
    /// The pedigree is not an SVG document usvg can read.
    #[error("the pedigree SVG cannot be read: {0}")]
    Svg(String),
    /// svg2pdf could not convert the pedigree.
    #[error("the pedigree SVG cannot be converted to PDF: {0}")]
    SvgConversion(String),
}
