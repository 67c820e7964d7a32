//! The SVG text, written by hand from the [`Layout`]: black strokes, white symbols, fills and
//! patterns for conditions, text in a sans-serif font; stable classes and `data-*` attributes
//! on every person, line and legend entry.

use crate::geom::{Metrics, MARGIN};
use crate::input::{DrawKind, DrawOptions};
use crate::layout::*;
use crate::model::Model;
use crate::render::LEGEND_SYMBOL;
use crate::text::{esc, num, LINE_H};
use std::fmt::Write;

const FONT_FAMILY: &str = "Helvetica, Arial, 'Liberation Sans', 'DejaVu Sans', sans-serif";
const STROKE: &str = "#000";
/// Fills of styles 0, 2 and 7 are plain colours; the others are patterns.
const PLAIN: [(u32, &str); 3] = [(0, "#000"), (2, "#9e9e9e"), (7, "#555")];

pub(crate) fn write(m: &Model, opt: &DrawOptions, met: &Metrics, lay: &Layout) -> String {
    let pre = sanitize_id(&opt.id_prefix);
    let mut s = String::with_capacity(4096 + m.n * 900);
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" version="1.1" class="pedigree" viewBox="0 0 {w} {h}" width="{w}" height="{h}" font-family="{ff}" font-size="11" role="img">"#,
        w = num(lay.width),
        h = num(lay.height),
        ff = esc(FONT_FAMILY),
    );
    let _ = write!(s, "<title>{}</title>", esc(opt.title.as_deref().unwrap_or("Pedigree")));
    defs(&mut s, &pre, lay);
    let _ = write!(
        s,
        r##"<rect class="background" x="0" y="0" width="{}" height="{}" fill="#fff"/>"##,
        num(lay.width),
        num(lay.height)
    );

    if let Some(t) = &opt.title {
        let _ = write!(
            s,
            r#"<text class="title" x="{}" y="{}" font-size="16" font-weight="bold">{}</text>"#,
            num(MARGIN),
            num(MARGIN + 16.0),
            esc(t)
        );
    }
    if opt.generation_numerals {
        s.push_str(r#"<g class="generations" font-size="13" font-weight="bold">"#);
        for r in &lay.rows {
            let _ = write!(
                s,
                r#"<text class="generation" data-generation="{}" x="{}" y="{}">{}</text>"#,
                r.generation,
                num(MARGIN),
                num(r.y + 4.5),
                r.numeral
            );
        }
        s.push_str("</g>");
    }

    let _ = write!(s, r#"<g class="lines" stroke="{STROKE}" stroke-width="1.5" fill="none">"#);
    for seg in &lay.segments {
        line(&mut s, seg);
    }
    s.push_str("</g>");

    s.push_str(r#"<g class="people">"#);
    for (p, sym) in lay.symbols.iter().enumerate() {
        person(&mut s, &pre, m, met, p, sym);
    }
    s.push_str("</g>");

    if !lay.marks.is_empty() {
        s.push_str(r#"<g class="marks" text-anchor="middle">"#);
        for mk in &lay.marks {
            let class = match mk.kind {
                MarkKind::TwinZygosityUnknown => "mark twin-unknown",
                MarkKind::ConsanguinityNote => "mark consanguinity-note",
            };
            let _ = write!(
                s,
                r##"<text class="{class}" data-union="{}" data-ids="{}" x="{}" y="{}" stroke="#fff" stroke-width="3" paint-order="stroke">{}</text>"##,
                esc(mk.union.as_deref().unwrap_or("")),
                esc(&mk.ids.join(" ")),
                num(mk.x),
                num(mk.y),
                esc(&mk.text)
            );
        }
        s.push_str("</g>");
    }

    if !lay.legend.is_empty() {
        s.push_str(r#"<g class="legend">"#);
        for e in &lay.legend {
            legend_entry(&mut s, &pre, e);
        }
        s.push_str("</g>");
    }
    s.push_str("</svg>\n");
    s
}

/// Element ids may only hold a safe subset of characters.
fn sanitize_id(prefix: &str) -> String {
    let p: String = prefix.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect();
    if p.is_empty() || !p.starts_with(|c: char| c.is_ascii_alphabetic()) {
        format!("ped{p}")
    } else {
        p
    }
}

fn fill(pre: &str, style: u32) -> String {
    let k = style % 8;
    PLAIN.iter().find(|(s, _)| *s == k).map_or_else(|| format!("url(#{pre}-fill-{k})"), |(_, c)| c.to_string())
}

fn defs(s: &mut String, pre: &str, lay: &Layout) {
    let mut styles: Vec<u32> = lay
        .symbols
        .iter()
        .flat_map(|sym| sym.sections.iter().map(|x| x.style % 8))
        .chain(lay.legend.iter().filter(|e| e.kind == LegendKind::Condition).map(|e| e.style % 8))
        .collect();
    styles.sort();
    styles.dedup();
    let mut clips: Vec<(SymbolShape, f64)> = lay
        .symbols
        .iter()
        .filter(|sym| sym.sections.iter().any(|x| x.count > 1))
        .map(|sym| (sym.shape, sym.size))
        .collect();
    clips.sort_by(|a, b| a.0.as_str().cmp(b.0.as_str()));
    clips.dedup_by(|a, b| a.0 == b.0);
    let legend_clip = lay.legend.iter().any(|e| e.count > 1);
    s.push_str("<defs>");
    for k in styles {
        let body = match k {
            1 => r##"<line x1="0" y1="0" x2="0" y2="5" stroke="#000" stroke-width="2"/>"##,
            3 => {
                r##"<line x1="0" y1="0" x2="0" y2="5" stroke="#000" stroke-width="1.3"/><line x1="0" y1="0" x2="5" y2="0" stroke="#000" stroke-width="1.3"/>"##
            }
            4 => r##"<circle cx="2.5" cy="2.5" r="1.2" fill="#000"/>"##,
            5 => r##"<line x1="0" y1="2.5" x2="5" y2="2.5" stroke="#000" stroke-width="1.6"/>"##,
            6 => r##"<line x1="2.5" y1="0" x2="2.5" y2="5" stroke="#000" stroke-width="1.6"/>"##,
            _ => continue,
        };
        let rotate = if matches!(k, 1 | 3) { r#" patternTransform="rotate(45)""# } else { "" };
        let _ = write!(
            s,
            r##"<pattern id="{pre}-fill-{k}" patternUnits="userSpaceOnUse" width="5" height="5"{rotate}><rect width="5" height="5" fill="#fff"/>{body}</pattern>"##
        );
    }
    for (shape, size) in clips {
        let _ = write!(s, r#"<clipPath id="{pre}-clip-{}">{}</clipPath>"#, shape.as_str(), outline(shape, size, ""));
    }
    if legend_clip {
        let _ = write!(
            s,
            r#"<clipPath id="{pre}-clip-legend">{}</clipPath>"#,
            outline(SymbolShape::Square, LEGEND_SYMBOL, "")
        );
    }
    s.push_str("</defs>");
}

/// The symbol's outline centred on (0, 0), with extra attributes.
fn outline(shape: SymbolShape, size: f64, attrs: &str) -> String {
    let h = size / 2.0;
    match shape {
        SymbolShape::Square => {
            format!(r#"<rect x="{}" y="{}" width="{}" height="{}"{attrs}/>"#, num(-h), num(-h), num(size), num(size))
        }
        SymbolShape::Circle => format!(r#"<circle cx="0" cy="0" r="{}"{attrs}/>"#, num(h)),
        SymbolShape::Diamond => {
            format!(r#"<path d="M0 {} L{} 0 L0 {} L{} 0 Z"{attrs}/>"#, num(-h), num(h), num(h), num(-h))
        }
        SymbolShape::Triangle => {
            format!(r#"<path d="M0 {} L{} {} L{} {} Z"{attrs}/>"#, num(-h), num(h), num(h), num(-h), num(h))
        }
    }
}

/// A wedge from the centre covering section `index` of `count` (large enough to be clipped by
/// any symbol of `size`).
fn wedge(index: u32, count: u32, size: f64) -> String {
    let start = match count {
        2 => 180.0,
        4 => 270.0,
        _ => 0.0,
    };
    let step = 360.0 / count as f64;
    let (a0, a1) = (start + index as f64 * step, start + (index + 1) as f64 * step);
    let r = size;
    let mut d = String::from("M0 0");
    let pieces = ((a1 - a0) / 15.0).ceil().max(1.0) as usize;
    for i in 0..=pieces {
        let a = (a0 + (a1 - a0) * i as f64 / pieces as f64).to_radians();
        let _ = write!(d, " L{} {}", num(r * a.sin()), num(-r * a.cos()));
    }
    d.push_str(" Z");
    d
}

fn sections(s: &mut String, pre: &str, shape: SymbolShape, size: f64, secs: &[LayoutSection], clip: &str) {
    for sec in secs {
        let f = fill(pre, sec.style);
        if sec.count <= 1 {
            let attrs = format!(
                r#" class="fill" data-condition="{}" data-section="0" fill="{f}" stroke="none""#,
                esc(&sec.condition)
            );
            s.push_str(&outline(shape, size, &attrs));
        } else {
            let _ = write!(
                s,
                r#"<path class="fill section" data-condition="{}" data-section="{}" d="{}" fill="{f}" stroke="none" clip-path="url(#{pre}-{clip})"/>"#,
                esc(&sec.condition),
                sec.index,
                wedge(sec.index, sec.count, size)
            );
        }
    }
}

fn line(s: &mut String, seg: &LayoutSegment) {
    let _ = write!(
        s,
        r#"<line class="{}" x1="{}" y1="{}" x2="{}" y2="{}""#,
        seg.kind.as_str(),
        num(seg.x1),
        num(seg.y1),
        num(seg.x2),
        num(seg.y2)
    );
    if seg.dashed {
        s.push_str(r#" stroke-dasharray="5 3""#);
    }
    if let Some(u) = &seg.union {
        let _ = write!(s, r#" data-union="{}""#, esc(u));
    }
    match seg.kind {
        SegmentKind::Union | SegmentKind::UnionDouble | SegmentKind::Separation if seg.ids.len() == 2 => {
            let _ = write!(s, r#" data-a="{}" data-b="{}""#, esc(&seg.ids[0]), esc(&seg.ids[1]));
        }
        SegmentKind::Child | SegmentKind::SecondaryChild => {
            let _ = write!(s, r#" data-child="{}""#, esc(&seg.ids[0]));
        }
        _ => {}
    }
    let _ = write!(s, r#" data-ids="{}"/>"#, esc(&seg.ids.join(" ")));
}

fn person(s: &mut String, pre: &str, m: &Model, met: &Metrics, p: usize, sym: &LayoutSymbol) {
    let person = m.person(p);
    let _ = write!(
        s,
        r#"<g class="person" data-id="{}" data-number="{}" data-shape="{}" data-kind="{}" data-sex="{}""#,
        esc(&sym.id),
        esc(&sym.number),
        sym.shape.as_str(),
        kind_str(sym.kind),
        person.sex.code()
    );
    let list = |v: Vec<&str>| v.join(" ");
    if !sym.sections.is_empty() {
        let ids = list(sym.sections.iter().map(|x| x.condition.as_str()).collect());
        let _ = write!(s, r#" data-affected="{}""#, esc(&ids));
    }
    if sym.carrier {
        let _ = write!(s, r#" data-carrier="{}""#, esc(&list(person.carrier.iter().map(String::as_str).collect())));
    }
    if sym.presymptomatic {
        let ids = list(person.presymptomatic.iter().map(String::as_str).collect());
        let _ = write!(s, r#" data-presymptomatic="{}""#, esc(&ids));
    }
    if sym.deceased {
        s.push_str(r#" data-deceased="true""#);
    }
    if sym.proband {
        s.push_str(r#" data-proband="true""#);
    }
    if sym.consultand {
        s.push_str(r#" data-consultand="true""#);
    }
    if let Some(a) = sym.adoption {
        let _ = write!(s, r#" data-adoption="{}""#, if a == crate::DrawAdoption::In { "in" } else { "out" });
    }
    if let Some(r) = sym.reproduction {
        let v = match r {
            crate::ReproductionKind::NoChildren => "no_children",
            crate::ReproductionKind::Infertility => "infertility",
        };
        let _ = write!(s, r#" data-reproduction="{v}""#);
    }
    let _ = write!(s, r#" transform="translate({} {})">"#, num(sym.x), num(sym.y));
    let tip = match sym.label.first() {
        Some(first) if !sym.number.is_empty() && first == &sym.number => {
            sym.label.iter().take(2).cloned().collect::<Vec<_>>().join(" ")
        }
        _ => sym.number.clone(),
    };
    let _ = write!(s, "<title>{}</title>", esc(&tip));

    let size = sym.size;
    let h = size / 2.0;
    s.push_str(&outline(sym.shape, size, r##" class="symbol-bg" fill="#fff" stroke="none""##));
    sections(s, pre, sym.shape, size, &sym.sections, &format!("clip-{}", sym.shape.as_str()));
    s.push_str(&outline(
        sym.shape,
        size,
        &format!(r#" class="symbol" fill="none" stroke="{STROKE}" stroke-width="1.6""#),
    ));

    if sym.kind == DrawKind::Pregnancy {
        let _ = write!(
            s,
            r##"<text class="pregnancy" x="0" y="5" text-anchor="middle" font-size="14" font-weight="bold" stroke="#fff" stroke-width="2.5" paint-order="stroke">P</text>"##
        );
    }
    if sym.presymptomatic {
        let _ = write!(
            s,
            r#"<line class="presymptomatic" x1="0" y1="{}" x2="0" y2="{}" stroke="{STROKE}" stroke-width="2.5"/>"#,
            num(-h),
            num(h)
        );
    }
    if sym.carrier {
        let _ = write!(
            s,
            r##"<circle class="carrier" cx="0" cy="0" r="{}" fill="#000" stroke="#fff" stroke-width="1.2"/>"##,
            num(0.1 * size.max(crate::geom::S))
        );
    }
    if sym.deceased || sym.kind == DrawKind::Termination {
        let class = if sym.deceased { "deceased" } else { "termination" };
        let e = 0.62 * size;
        let _ = write!(
            s,
            r#"<line class="{class}" x1="{}" y1="{}" x2="{}" y2="{}" stroke="{STROKE}" stroke-width="1.6"/>"#,
            num(-e),
            num(e),
            num(e),
            num(-e)
        );
    }
    if sym.adoption.is_some() {
        let (x1, x2, hh) = (0.6 * crate::geom::S, crate::geom::BRACKET_EXT - 1.0, 0.62 * crate::geom::S);
        for (class, sign) in [("bracket bracket-left", -1.0), ("bracket bracket-right", 1.0)] {
            let _ = write!(
                s,
                r#"<path class="{class}" d="M{} {} L{} {} L{} {} L{} {}" fill="none" stroke="{STROKE}" stroke-width="1.6"/>"#,
                num(sign * x1),
                num(-hh),
                num(sign * x2),
                num(-hh),
                num(sign * x2),
                num(hh),
                num(sign * x1),
                num(hh)
            );
        }
    }
    if sym.proband || sym.consultand {
        arrow(s, sym.shape, size, sym.proband);
    }
    let top = met.label_top[p];
    for (i, (kind, text)) in met.label[p].iter().enumerate() {
        let _ = write!(
            s,
            r#"<text class="{}" x="0" y="{}" text-anchor="middle">{}</text>"#,
            kind.class(),
            num(top + (i + 1) as f64 * LINE_H - 3.0),
            esc(text)
        );
    }
    s.push_str("</g>");
}

fn kind_str(k: DrawKind) -> &'static str {
    match k {
        DrawKind::Person => "person",
        DrawKind::Pregnancy => "pregnancy",
        DrawKind::Miscarriage => "miscarriage",
        DrawKind::Termination => "termination",
        DrawKind::Stillbirth => "stillbirth",
    }
}

/// The proband/consultand arrow from the lower left to the symbol (and "P" for the proband).
fn arrow(s: &mut String, shape: SymbolShape, size: f64, proband: bool) {
    let h = size / 2.0;
    let (bx, by) = match shape {
        SymbolShape::Square | SymbolShape::Triangle => (-h, h),
        SymbolShape::Circle => (-h * std::f64::consts::FRAC_1_SQRT_2, h * std::f64::consts::FRAC_1_SQRT_2),
        SymbolShape::Diamond => (-h / 2.0, h / 2.0),
    };
    let tip = (bx - 2.0, by + 2.0);
    let tail = (tip.0 - 26.0, tip.1 + 12.0);
    let (dx, dy) = (tip.0 - tail.0, tip.1 - tail.1);
    let len = (dx * dx + dy * dy).sqrt();
    let (ux, uy) = (dx / len, dy / len);
    let base = (tip.0 - 8.0 * ux, tip.1 - 8.0 * uy);
    let (px, py) = (-uy * 3.5, ux * 3.5);
    let class = if proband { "proband-arrow" } else { "consultand-arrow" };
    let _ = write!(
        s,
        r#"<g class="{class}"><line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{STROKE}" stroke-width="1.5"/><path class="arrowhead" d="M{} {} L{} {} L{} {} Z" fill="{STROKE}"/></g>"#,
        num(tail.0),
        num(tail.1),
        num(base.0),
        num(base.1),
        num(tip.0),
        num(tip.1),
        num(base.0 + px),
        num(base.1 + py),
        num(base.0 - px),
        num(base.1 - py)
    );
    if proband {
        let _ = write!(
            s,
            r#"<text class="proband-p" x="{}" y="{}" text-anchor="end" font-size="12" font-weight="bold">P</text>"#,
            num(tail.0 - 2.0),
            num(tail.1 + 4.0)
        );
    }
}

fn legend_entry(s: &mut String, pre: &str, e: &LegendEntry) {
    let kind = match e.kind {
        LegendKind::Condition => "condition",
        LegendKind::Carrier => "carrier",
        LegendKind::Presymptomatic => "presymptomatic",
    };
    let _ = write!(s, r#"<g class="legend-entry" data-kind="{kind}""#);
    if let Some(c) = &e.condition {
        let _ = write!(s, r#" data-condition="{}" data-section="{}" data-count="{}""#, esc(c), e.section, e.count);
    }
    let _ = write!(s, r#" transform="translate({} {})">"#, num(e.x), num(e.y));
    let size = LEGEND_SYMBOL;
    let h = size / 2.0;
    s.push_str(&outline(SymbolShape::Square, size, r##" fill="#fff" stroke="none""##));
    match e.kind {
        LegendKind::Condition => {
            let sec = LayoutSection {
                condition: e.condition.clone().unwrap_or_default(),
                index: e.section,
                count: e.count,
                style: e.style,
            };
            sections(s, pre, SymbolShape::Square, size, &[sec], "clip-legend");
        }
        LegendKind::Carrier => {
            let _ = write!(s, r##"<circle cx="0" cy="0" r="2.5" fill="#000"/>"##);
        }
        LegendKind::Presymptomatic => {
            let _ = write!(
                s,
                r#"<line x1="0" y1="{}" x2="0" y2="{}" stroke="{STROKE}" stroke-width="2"/>"#,
                num(-h),
                num(h)
            );
        }
    }
    s.push_str(&outline(SymbolShape::Square, size, &format!(r#" fill="none" stroke="{STROKE}" stroke-width="1.2""#)));
    let _ = write!(s, r#"<text class="legend-label" x="{}" y="4">{}</text>"#, num(h + 8.0), esc(&e.label));
    s.push_str("</g>");
}
