//! The report as a PDF: A4 pages, text set in the base-14 fonts Helvetica and Helvetica-Bold
//! (WinAnsiEncoding, not embedded: every PDF reader has them, and the text extracts as text),
//! the pedigree SVG embedded as a vector Form XObject by svg2pdf (its text as glyph outlines,
//! laid out by usvg with the system fonts).
//!
//! - `metrics`: the fonts' glyph widths (Adobe core-14 AFM data), for wrapping.
//! - `text`: Unicode → WinAnsi bytes, widths, line wrapping.
//! - `layout`: flowing headings, paragraphs, tables and the figure onto pages.
//! - here: what goes where, and writing the PDF objects.

mod layout;
mod metrics;
mod text;

use crate::data::{NamePrivacy, ReportData, RiskSection};
use crate::words::{self, Timestamp, SECTIONS};
use crate::ReportError;
use layout::{CellText, Column, Layout, Op, Style, BODY, MUTED, PAGE_H, PAGE_W, SMALL};
use metrics::Font;
use pdf_writer::{Chunk, Content, Date, Filter, Finish, Name, Pdf, Rect, Ref, Str, TextStr};
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

/// The Form XObject's resource name on the pages that show the pedigree.
const FIGURE: &[u8] = b"Pedigree";

/// The report as a PDF document.
pub fn to_pdf(r: &ReportData) -> Result<Vec<u8>, ReportError> {
    let generated =
        Timestamp::parse(&r.generated_at).ok_or_else(|| ReportError::InvalidTimestamp(r.generated_at.clone()))?;
    let pedigree = pedigree_chunk(&r.pedigree_svg)?;

    let mut l = Layout::new();
    lay_out(&mut l, r, &generated, pedigree.as_ref().map(|p| (p.width, p.height)));
    let date = generated.display();
    l.decorate(
        &format!("{} \u{2014} {} \u{2014} {date}", r.title.trim(), r.proband.label.trim()),
        &format!(
            "Kinvault {} \u{00B7} vault {} \u{00B7} condition catalog {}",
            r.app_version.trim(),
            r.vault_id.trim(),
            r.catalog_version.trim()
        ),
    );
    Ok(write_pdf(r, &generated, &l.pages, pedigree))
}

/// The pedigree converted by svg2pdf: its chunk, the Form XObject's id in it, its size.
struct PedigreeChunk {
    chunk: Chunk,
    xobject: Ref,
    width: f32,
    height: f32,
}

/// The system fonts, loaded once per process (SVG text needs them; see the crate docs).
fn system_fonts() -> Arc<usvg::fontdb::Database> {
    static FONTS: OnceLock<Arc<usvg::fontdb::Database>> = OnceLock::new();
    FONTS
        .get_or_init(|| {
            let mut db = usvg::fontdb::Database::new();
            db.load_system_fonts();
            // fontdb takes the generic families from fontconfig when it can, and else assumes
            // Arial / Times New Roman; make sure each generic family names a font we have.
            let present = |db: &usvg::fontdb::Database, family: &str| {
                db.faces().any(|f| f.families.iter().any(|(name, _)| name.eq_ignore_ascii_case(family)))
            };
            let sans = ["Helvetica", "Arial", "Liberation Sans", "Nimbus Sans", "DejaVu Sans", "Noto Sans"];
            let fallback = match sans.iter().find(|n| present(&db, n)) {
                Some(name) => Some(name.to_string()),
                None => db.faces().next().and_then(|f| f.families.first()).map(|(n, _)| n.clone()),
            };
            if let Some(name) = fallback {
                if !present(&db, db.family_name(&usvg::fontdb::Family::SansSerif)) {
                    db.set_sans_serif_family(name.clone());
                }
                // usvg falls back to the serif family when nothing else matches.
                if !present(&db, db.family_name(&usvg::fontdb::Family::Serif)) {
                    db.set_serif_family(name);
                }
            }
            Arc::new(db)
        })
        .clone()
}

fn pedigree_chunk(svg: &str) -> Result<Option<PedigreeChunk>, ReportError> {
    if svg.trim().is_empty() {
        return Ok(None);
    }
    let opt = usvg::Options {
        fontdb: system_fonts(),
        font_family: "sans-serif".to_string(),
        // Nothing outside the SVG text is read: no files named by <image href>, no URLs. (Raster
        // images would be skipped anyway: svg2pdf is built without its `image` feature.)
        image_href_resolver: usvg::ImageHrefResolver {
            resolve_data: Box::new(|_, _, _| None),
            resolve_string: Box::new(|_, _| None),
        },
        ..Default::default()
    };
    let tree = usvg::Tree::from_str(svg, &opt).map_err(|e| ReportError::Svg(e.to_string()))?;
    // SVG text as outlines: usvg lays the text out with the system fonts and writes each glyph
    // as a path (text in patterns, masks and clip paths included); the result is read again and
    // has no text left, so svg2pdf needs no font embedding of its own (its `text` feature, see
    // Cargo.toml).
    let write = usvg::WriteOptions { coordinates_precision: 3, transforms_precision: 5, ..Default::default() };
    let outlined = tree.to_string(&write);
    let tree = usvg::Tree::from_str(&outlined, &opt).map_err(|e| ReportError::SvgConversion(e.to_string()))?;
    let size = tree.size();
    let (chunk, xobject) = svg2pdf::to_chunk(&tree, svg2pdf::ConversionOptions::default())
        .map_err(|e| ReportError::SvgConversion(e.to_string()))?;
    Ok(Some(PedigreeChunk { chunk, xobject, width: size.width(), height: size.height() }))
}

fn lay_out(l: &mut Layout, r: &ReportData, generated: &Timestamp, pedigree: Option<(f32, f32)>) {
    // Header.
    l.title(&r.title);
    let p = &r.proband;
    let header_rows = [
        ("Generated", generated.display()),
        ("Vault", r.vault_id.clone()),
        ("Catalog version", r.catalog_version.clone()),
        ("Kinvault version", r.app_version.clone()),
        ("Proband", words::proband_line(&p.label, p.sex, p.age, &p.id)),
    ];
    l.labelled(BODY, 95.0, &header_rows);
    if r.privacy == NamePrivacy::NamesHidden {
        l.gap(4.0);
        l.paragraph(BODY.gray(MUTED), words::NAMES_HIDDEN_NOTE);
    }

    // Pedigree.
    let caption = r.pedigree_caption.trim();
    l.section(SECTIONS[words::PEDIGREE].1, 60.0);
    match pedigree {
        Some((w, h)) => {
            let caption_h = if caption.is_empty() { 0.0 } else { 3.0 * SMALL.leading };
            l.figure(w, h, caption_h);
            if !caption.is_empty() {
                l.gap(2.0);
                l.paragraph(SMALL, caption);
            }
        }
        None => l.paragraph(BODY.gray(MUTED), words::NO_PEDIGREE),
    }

    relatives(l, r);

    // Risk assessment.
    l.section(SECTIONS[words::RISKS].1, 70.0);
    if r.risks.is_empty() {
        l.paragraph(BODY.gray(MUTED), words::NO_RISKS);
    }
    for risk in &r.risks {
        risk_section(l, risk);
    }

    // Family history criteria.
    l.section(SECTIONS[words::FAMILY_HISTORY].1, 30.0);
    let lines: Vec<&str> = r.family_history.iter().map(|s| s.trim()).filter(|s| !s.is_empty()).collect();
    if lines.is_empty() {
        l.paragraph(BODY.gray(MUTED), words::NO_FAMILY_HISTORY);
    } else {
        l.bullets(BODY, &lines);
    }

    // Provenance.
    l.section(SECTIONS[words::PROVENANCE].1, 80.0);
    let rows: Vec<Vec<Vec<CellText>>> = crate::html::provenance_rows(&r.provenance)
        .iter()
        .map(|(label, n)| vec![vec![CellText::plain(*label)], vec![CellText::plain(n.to_string())]])
        .collect();
    l.table(&[Column { title: "Source of the facts", share: 3.0 }, Column { title: "Facts", share: 1.0 }], &rows);
    if !r.provenance.sentence.trim().is_empty() {
        l.paragraph(BODY, &r.provenance.sentence);
    }

    // References.
    l.section(SECTIONS[words::REFERENCES].1, 30.0);
    if r.references.is_empty() {
        l.paragraph(BODY.gray(MUTED), words::NO_REFERENCES);
    }
    let label_w = r
        .references
        .iter()
        .map(|x| text::width(Font::Bold, BODY.size, &text::encode(&format!("[{}]", x.id.trim()))))
        .fold(0.0f32, f32::max)
        .min(110.0)
        + 8.0;
    for x in &r.references {
        let mut s = x.citation.trim().to_string();
        if let Some(y) = x.year {
            s.push_str(&format!(" ({y})"));
        }
        if let Some(url) = x.url.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
            s.push_str(&format!(". {url}"));
        }
        l.labelled(BODY, label_w, &[(&format!("[{}]", x.id.trim()), s)]);
        l.gap(2.0);
    }
}

fn relatives(l: &mut Layout, r: &ReportData) {
    l.section(SECTIONS[words::RELATIVES].1, 50.0);
    if r.relatives.is_empty() {
        l.paragraph(BODY.gray(MUTED), words::NO_RELATIVES);
        return;
    }
    let names = r.privacy == NamePrivacy::NamesShown;
    let mut columns = vec![Column { title: "No.", share: 6.5 }, Column { title: "Relation", share: 13.0 }];
    if names {
        columns.push(Column { title: "Name", share: 14.0 });
    }
    columns.push(Column { title: "Sex, age", share: 10.0 });
    columns.push(Column { title: "Conditions", share: if names { 33.5 } else { 42.0 } });
    columns.push(Column { title: "Genetic tests", share: if names { 23.0 } else { 28.5 } });
    let rows: Vec<Vec<Vec<CellText>>> = r
        .relatives
        .iter()
        .map(|rel| {
            let mut row = vec![vec![CellText::plain(&rel.number)], vec![CellText::plain(&rel.relation)]];
            if names {
                row.push(vec![CellText::plain(rel.name.as_deref().unwrap_or(""))]);
            }
            let mut sex_age = vec![CellText::plain(words::sex(rel.sex))];
            let age = words::age(rel.age, rel.deceased, rel.age_at_death);
            if !age.is_empty() {
                sex_age.push(CellText::plain(age));
            }
            row.push(sex_age);
            row.push(
                rel.conditions
                    .iter()
                    .flat_map(|c| {
                        [CellText::plain(words::condition_title(c)), CellText::muted(words::condition_details(c))]
                    })
                    .collect(),
            );
            row.push(
                rel.tests
                    .iter()
                    .flat_map(|t| {
                        let details = words::test_details(t);
                        let mut v = vec![CellText::plain(words::test_title(t))];
                        if !details.is_empty() {
                            v.push(CellText::muted(details));
                        }
                        v
                    })
                    .collect(),
            );
            row
        })
        .collect();
    l.table(&columns, &rows);
}

fn risk_section(l: &mut Layout, risk: &RiskSection) {
    l.subheading(&risk.condition, 3.0 * BODY.leading);
    if !risk.model.trim().is_empty() {
        l.paragraph(BODY.gray(MUTED), &risk.model);
    }
    l.paragraph(Style { size: 10.0, leading: 13.5, ..BODY.bold() }, &risk.headline);
    if let Some(c) = risk.category.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        l.paragraph(BODY, &format!("Family-history category: {c}"));
    }
    if !risk.summary.trim().is_empty() {
        l.gap(2.0);
        l.paragraph(BODY, &risk.summary);
    }
    if !risk.facts.is_empty() {
        l.gap(4.0);
        let rows: Vec<Vec<Vec<CellText>>> = risk
            .facts
            .iter()
            .map(|f| {
                vec![
                    vec![CellText::plain(&f.description)],
                    vec![CellText::plain(f.without.as_deref().unwrap_or(""))],
                    vec![CellText::plain(f.with.as_deref().unwrap_or(""))],
                ]
            })
            .collect();
        l.table(
            &[
                Column { title: "What moved the number", share: 56.0 },
                Column { title: "Without it", share: 22.0 },
                Column { title: "With it", share: 22.0 },
            ],
            &rows,
        );
    }
    if !risk.parameters.is_empty() {
        l.gap(if risk.facts.is_empty() { 4.0 } else { 0.0 });
        let rows: Vec<Vec<Vec<CellText>>> = risk
            .parameters
            .iter()
            .map(|p| {
                let reference = p.reference.as_deref().map(str::trim).filter(|s| !s.is_empty());
                vec![
                    vec![CellText::plain(&p.name)],
                    vec![CellText::plain(&p.value)],
                    vec![CellText::plain(reference.map(|r| format!("[{r}]")).unwrap_or_default())],
                ]
            })
            .collect();
        l.table(
            &[
                Column { title: "Parameter", share: 50.0 },
                Column { title: "Value", share: 30.0 },
                Column { title: "Reference", share: 20.0 },
            ],
            &rows,
        );
    }
    let notes: Vec<&str> = risk.notes.iter().map(|s| s.trim()).filter(|s| !s.is_empty()).collect();
    if !notes.is_empty() {
        l.bullets(Style { gray: MUTED, ..BODY }, &notes);
    }
    l.gap(6.0);
}

/// The PDF date of the timestamp (local time of the viewer when it had no offset).
fn pdf_date(t: &Timestamp) -> Date {
    let mut d = Date::new(t.year).month(t.month).day(t.day);
    if let Some((h, m, s)) = t.time {
        d = d.hour(h).minute(m).second(s);
        if let Some(off) = t.offset_minutes {
            let hours = (off / 60) as i8;
            let minutes = (off.unsigned_abs() % 60) as u8;
            d = d.utc_offset_hour(hours).utc_offset_minute(minutes);
        }
    } else {
        d = d.hour(0).minute(0).second(0);
    }
    d
}

fn deflate(data: &[u8]) -> Vec<u8> {
    miniz_oxide::deflate::compress_to_vec_zlib(data, 6)
}

fn write_pdf(
    r: &ReportData,
    generated: &Timestamp,
    pages: &[layout::Page],
    pedigree: Option<PedigreeChunk>,
) -> Vec<u8> {
    let mut alloc = Ref::new(1);
    let catalog = alloc.bump();
    let tree = alloc.bump();
    let info = alloc.bump();
    let fonts = [(Font::Regular, alloc.bump()), (Font::Bold, alloc.bump())];
    let page_ids: Vec<(Ref, Ref)> = pages.iter().map(|_| (alloc.bump(), alloc.bump())).collect();

    let mut pdf = Pdf::new();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree).kids(page_ids.iter().map(|(p, _)| *p)).count(page_ids.len() as i32);

    for (font, id) in fonts {
        pdf.type1_font(id)
            .base_font(Name(font.base_font()))
            .encoding_predefined(Name(b"WinAnsiEncoding"))
            .first_char(32)
            .last_char(255)
            .widths(font.widths().iter().map(|&w| f32::from(w)));
    }

    // The pedigree's objects, renumbered after ours.
    let figure = pedigree.map(|p| {
        let mut map = HashMap::new();
        let chunk = p.chunk.renumber(|old| *map.entry(old).or_insert_with(|| alloc.bump()));
        let id = map[&p.xobject];
        (chunk, id)
    });

    for (page, (page_id, content_id)) in pages.iter().zip(&page_ids) {
        let uses_figure = page.ops.iter().any(|op| matches!(op, Op::Figure { .. }));
        let mut w = pdf.page(*page_id);
        w.media_box(Rect::new(0.0, 0.0, PAGE_W, PAGE_H));
        w.parent(tree);
        w.contents(*content_id);
        let mut res = w.resources();
        {
            let mut f = res.fonts();
            for (font, id) in fonts {
                f.pair(Name(font.resource()), id);
            }
        }
        if let (true, Some((_, id))) = (uses_figure, &figure) {
            res.x_objects().pair(Name(FIGURE), *id);
        }
        res.finish();
        w.finish();

        let content = content_stream(page);
        pdf.stream(*content_id, &deflate(&content)).filter(Filter::FlateDecode);
    }

    if let Some((chunk, _)) = &figure {
        pdf.extend(chunk);
    }

    let mut di = pdf.document_info(info);
    di.title(TextStr(r.title.trim()));
    di.subject(TextStr(&format!("Clinician report for {}", r.proband.label.trim())));
    di.creator(TextStr(&format!("Kinvault {}", r.app_version.trim())));
    di.producer(TextStr("Kinvault"));
    di.creation_date(pdf_date(generated));
    di.finish();
    pdf.finish()
}

fn content_stream(page: &layout::Page) -> Vec<u8> {
    let mut c = Content::new();
    for op in &page.ops {
        match op {
            Op::Text { font, size, gray, x, y, text } => {
                c.set_fill_gray(*gray);
                c.begin_text();
                c.set_font(Name(font.resource()), *size);
                c.next_line(*x, *y);
                c.show(Str(text));
                c.end_text();
            }
            Op::Line { x1, y1, x2, y2, width, gray } => {
                c.set_stroke_gray(*gray);
                c.set_line_width(*width);
                c.move_to(*x1, *y1);
                c.line_to(*x2, *y2);
                c.stroke();
            }
            Op::FillRect { x, y, w, h, gray } => {
                c.set_fill_gray(*gray);
                c.rect(*x, *y, *w, *h);
                c.fill_nonzero();
            }
            Op::Figure { x, y, w, h } => {
                c.save_state();
                c.transform([*w, 0.0, 0.0, *h, *x, *y]);
                c.x_object(Name(FIGURE));
                c.restore_state();
            }
        }
    }
    c.finish()
}
