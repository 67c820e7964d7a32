//! From positions to the [`Layout`]: rows' y, symbols, every line with what it connects, marks,
//! the legend and the drawing's size.

use crate::geom::{Metrics, MARGIN, MARKER_H, NUMERAL_W, ROW_GAP, S, V_CHILD, V_TWIN};
use crate::input::{DrawChildLink, DrawKind, DrawOptions, ReproductionKind, UnionStatus};
use crate::layout::*;
use crate::model::Model;
use crate::text::{roman, text_width, FONT};
use kinvault_model::{Sex, Zygosity};

/// Height of the title line.
const TITLE_H: f64 = 30.0;
/// Offset of a bridge (union line routed over the row) above the symbols' tops.
const BRIDGE_UP: f64 = 14.0;
/// Half the distance between the two lines of a consanguineous union.
const DOUBLE: f64 = 2.5;
/// Height of a legend entry.
pub(crate) const LEGEND_ROW: f64 = 22.0;
/// Size of a legend's sample symbol.
pub(crate) const LEGEND_SYMBOL: f64 = 16.0;

pub(crate) struct Placed<'r> {
    pub rows: &'r [Vec<usize>],
    pub row: &'r [usize],
    pub x: &'r [f64],
    pub numbers: &'r [String],
}

/// Sections a symbol is divided into when `used` conditions are shown: whole, halves, quadrants
/// (for three or four), otherwise one sector each.
pub(crate) fn section_count(used: usize) -> u32 {
    match used {
        0 | 1 => 1,
        2 => 2,
        3 | 4 => 4,
        n => n as u32,
    }
}

pub(crate) fn shape_of(m: &Model, p: usize) -> SymbolShape {
    let person = m.person(p);
    match person.kind {
        DrawKind::Miscarriage | DrawKind::Termination => SymbolShape::Triangle,
        _ => match person.sex {
            Sex::Male => SymbolShape::Square,
            Sex::Female => SymbolShape::Circle,
            Sex::Intersex | Sex::Unknown => SymbolShape::Diamond,
        },
    }
}

/// Offset from the centre to the top of the symbol's outline, `dx` right of the centre.
fn top_at(shape: SymbolShape, size: f64, dx: f64) -> f64 {
    let h = size / 2.0;
    let dx = dx.abs().min(h);
    match shape {
        SymbolShape::Square => -h,
        SymbolShape::Circle => -(h * h - dx * dx).sqrt(),
        SymbolShape::Diamond => -(h - dx),
        SymbolShape::Triangle => -h + 2.0 * dx,
    }
}

/// The conditions shown (someone in the drawing is affected), in input order.
pub(crate) fn used_conditions(m: &Model) -> Vec<usize> {
    let mut used = vec![false; m.input.conditions.len()];
    for p in &m.input.people {
        for a in &p.affected {
            used[m.cond_index[a.condition.as_str()]] = true;
        }
    }
    (0..used.len()).filter(|&i| used[i]).collect()
}

pub(crate) fn condition_style(m: &Model, cond: usize, rank: usize) -> u32 {
    m.input.conditions[cond].style.unwrap_or(rank as u32)
}

pub(crate) fn build(m: &Model, opt: &DrawOptions, met: &Metrics, pl: &Placed) -> Layout {
    let n = m.n;
    let nrows = pl.rows.len();
    // Horizontal: leave the margin and the numerals' column at the left.
    let left_edge = MARGIN + if opt.generation_numerals { NUMERAL_W } else { 0.0 };
    let lo = (0..n).map(|p| pl.x[p] - met.extent_left(p)).fold(f64::INFINITY, f64::min);
    let dx = if lo.is_finite() { left_edge - lo } else { left_edge };
    let x: Vec<f64> = pl.x.iter().map(|v| v + dx).collect();

    // Vertical: each row below the previous row's labels, with room for the sibship lines.
    let mut pos = vec![0usize; n];
    for row in pl.rows {
        for (i, &p) in row.iter().enumerate() {
            pos[p] = i;
        }
    }
    // Rows with twins get taller children's lines, so the twins' converging lines show; so do
    // rows with a union line routed over them, to keep it clear of the sibship lines.
    let mut v_child = vec![V_CHILD; nrows];
    for un in &m.unions {
        for (ids, _) in &un.twins {
            for &t in ids {
                v_child[pl.row[t]] = V_TWIN;
            }
        }
        if let [a, b] = un.partners[..] {
            if pl.row[a] == pl.row[b] && pos[a].abs_diff(pos[b]) > 1 {
                v_child[pl.row[a]] = V_TWIN;
            }
        }
    }
    let mut row_y = vec![0.0; nrows];
    let mut y = MARGIN + if opt.title.is_some() { TITLE_H } else { 0.0 } + V_CHILD + S / 2.0;
    for r in 0..nrows {
        if r > 0 {
            y += v_child[r] + S / 2.0;
        }
        row_y[r] = y;
        let below = pl.rows[r].iter().map(|&p| met.below(p)).fold(S / 2.0, f64::max);
        y += below + ROW_GAP;
    }
    let rows_bottom = (0..nrows)
        .map(|r| pl.rows[r].iter().map(|&p| row_y[r] + met.below(p)).fold(row_y[r] + S / 2.0, f64::max))
        .fold(0.0, f64::max);

    let used = used_conditions(m);
    let count = section_count(used.len());
    let symbols: Vec<LayoutSymbol> = (0..n)
        .map(|p| {
            let person = m.person(p);
            let sections = person
                .affected
                .iter()
                .filter_map(|a| {
                    let c = m.cond_index[a.condition.as_str()];
                    let rank = used.iter().position(|&u| u == c)?;
                    Some(LayoutSection {
                        condition: a.condition.clone(),
                        index: rank as u32,
                        count,
                        style: condition_style(m, c, rank),
                    })
                })
                .fold(Vec::<LayoutSection>::new(), |mut acc, s| {
                    if !acc.iter().any(|t| t.index == s.index) {
                        acc.push(s);
                    }
                    acc
                });
            LayoutSymbol {
                id: person.id.clone(),
                number: pl.numbers[p].clone(),
                generation: pl.row[p] as u32,
                position: pos[p] as u32 + 1,
                x: x[p],
                y: row_y[pl.row[p]],
                size: met.size[p],
                shape: shape_of(m, p),
                kind: person.kind,
                sections,
                carrier: !person.carrier.is_empty(),
                presymptomatic: !person.presymptomatic.is_empty(),
                deceased: person.deceased || person.kind == DrawKind::Stillbirth,
                proband: person.proband,
                consultand: person.consultand && !person.proband,
                adoption: person.adoption,
                reproduction: person.reproduction.as_ref().map(|r| r.kind),
                label: met.label[p].iter().map(|(_, l)| l.clone()).collect(),
            }
        })
        .collect();

    let mut lines = Lines { segments: Vec::new(), marks: Vec::new() };
    let ids = |ps: &[usize]| -> Vec<String> { ps.iter().map(|&p| m.id(p).to_string()).collect() };
    for (u, un) in m.unions.iter().enumerate() {
        let uid = Some(m.union_ids[u].clone());
        let input = &m.input.unions[u];
        let mut partners = un.partners.clone();
        partners.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
        let pids = ids(&partners);
        // Where the children's line leaves the union.
        let drop: Option<(f64, f64)> = match partners[..] {
            [] => None,
            [p] => {
                let y = row_y[pl.row[p]];
                match met.stub[p] {
                    Some(stub) => {
                        lines.seg(SegmentKind::UnionStub, (x[p] + met.size[p] / 2.0, y), (x[p] + stub, y), &uid, &pids);
                        Some((x[p] + stub, y))
                    }
                    None => None,
                }
            }
            [a, b] => {
                let (ya, yb) = (row_y[pl.row[a]], row_y[pl.row[b]]);
                let ea = x[a] + met.size[a] / 2.0;
                let eb = x[b] - met.size[b] / 2.0;
                let same_row = pl.row[a] == pl.row[b];
                if same_row && pos[b] == pos[a] + 1 {
                    let (y1, y2) = if un.consanguineous { (ya - DOUBLE, ya + DOUBLE) } else { (ya, ya) };
                    lines.seg(SegmentKind::Union, (ea, y1), (eb, y1), &uid, &pids);
                    if un.consanguineous {
                        lines.seg(SegmentKind::UnionDouble, (ea, y2), (eb, y2), &uid, &pids);
                    }
                    lines.hashes(input.status, ea + (eb - ea) * 0.28, ya, &uid, &pids);
                    if un.consanguineous {
                        lines.note(
                            input.consanguinity_note.as_deref(),
                            (x[a] + x[b]) / 2.0,
                            ya - S / 2.0 - 4.0,
                            &uid,
                            &pids,
                        );
                    }
                    Some(((x[a] + x[b]) / 2.0, y2))
                } else if same_row {
                    // Not side by side: route over the row, from and to the partners' sides.
                    let yc = ya - S / 2.0 - BRIDGE_UP;
                    let (sa, sb) = (ea + 7.0, eb - 7.0);
                    let path = [(ea, ya), (sa, ya), (sa, yc), (sb, yc), (sb, ya), (eb, ya)];
                    for w in path.windows(2) {
                        lines.seg(SegmentKind::Union, w[0], w[1], &uid, &pids);
                    }
                    if un.consanguineous {
                        lines.seg(
                            SegmentKind::UnionDouble,
                            (sa, yc - 2.0 * DOUBLE),
                            (sb, yc - 2.0 * DOUBLE),
                            &uid,
                            &pids,
                        );
                        lines.note(
                            input.consanguinity_note.as_deref(),
                            (sa + sb) / 2.0,
                            yc - 2.0 * DOUBLE - 4.0,
                            &uid,
                            &pids,
                        );
                    }
                    lines.hashes(input.status, sa + 10.0, yc, &uid, &pids);
                    // Drop in the gap between two neighbours nearest the middle.
                    let row = &pl.rows[pl.row[a]];
                    let mid = (x[a] + x[b]) / 2.0;
                    let mut best = (f64::INFINITY, mid);
                    for i in pos[a]..pos[b] {
                        let (l, r) = (row[i], row[i + 1]);
                        let gl = x[l] + met.right[l].max(met.label_w[l] / 2.0);
                        let gr = x[r] - met.left[r].max(met.label_w[r] / 2.0);
                        let g = (gl + gr) / 2.0;
                        if (g - mid).abs() < best.0 {
                            best = ((g - mid).abs(), g);
                        }
                    }
                    Some((best.1, yc))
                } else {
                    // Partners in different generations (one descends from the other): from
                    // the upper partner's side along their row, down beside the lower partner,
                    // into their side — clear of the lower partner's own line from above.
                    let (up, low) = if ya < yb { (a, b) } else { (b, a) };
                    let (yu, yl) = (row_y[pl.row[up]], row_y[pl.row[low]]);
                    let (hu, hl) = (met.size[up] / 2.0, met.size[low] / 2.0);
                    let right = x[low] >= x[up];
                    let sign = if right { 1.0 } else { -1.0 };
                    let start = (x[up] + sign * hu, yu);
                    // The vertical part runs beside the lower partner, on the side facing the
                    // upper one if there is room, else on the far side.
                    let near = x[low] - sign * (hl + 10.0);
                    let xv = if (near - start.0) * sign > 4.0 { near } else { x[low] + sign * (hl + 10.0) };
                    let end = (x[low] + if xv < x[low] { -hl } else { hl }, yl);
                    let path = [start, (xv, yu), (xv, yl), end];
                    for w in path.windows(2) {
                        lines.seg(SegmentKind::Union, w[0], w[1], &uid, &pids);
                    }
                    if un.consanguineous {
                        let d = 2.0 * DOUBLE * sign;
                        lines.seg(SegmentKind::UnionDouble, (xv + d, yu + 2.0 * DOUBLE), (xv + d, yl), &uid, &pids);
                    }
                    lines.hashes(input.status, (start.0 + xv) / 2.0, yu, &uid, &pids);
                    Some((xv, yl))
                }
            }
            _ => None,
        };

        // The children drawn here, left to right, grouped: singles and twin groups.
        let mut kids: Vec<usize> = m.primary_children(u).collect();
        kids.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
        if !kids.is_empty() && (drop.is_some() || kids.len() > 1) {
            let first_row = kids.iter().map(|&c| pl.row[c]).min().unwrap_or(0);
            let y_sib = row_y[first_row] - S / 2.0 - v_child[first_row];
            let mut points: Vec<f64> = Vec::new();
            let mut seen_groups = Vec::new();
            for &c in &kids {
                let link = un.children.iter().find(|&&(k, _)| k == c).map_or(DrawChildLink::Biological, |&(_, l)| l);
                let dashed = link == DrawChildLink::Adopted;
                let top = row_y[pl.row[c]] + top_at(symbols[c].shape, met.size[c], 0.0);
                match un.twin_group(c) {
                    Some(g) => {
                        let members: Vec<usize> = un.twins[g].0.iter().copied().filter(|t| kids.contains(t)).collect();
                        let apex = members.iter().map(|&t| x[t]).sum::<f64>() / members.len() as f64;
                        lines.seg_dashed(SegmentKind::Child, (apex, y_sib), (x[c], top), dashed, &uid, &ids(&[c]));
                        if !seen_groups.contains(&g) {
                            seen_groups.push(g);
                            points.push(apex);
                            let zyg = un.twins[g].1;
                            let mut sorted = members.clone();
                            sorted.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
                            if sorted.len() < 2 {
                                continue;
                            }
                            let (first, last) = (sorted[0], sorted[sorted.len() - 1]);
                            let at = |t: usize, f: f64| {
                                let top = row_y[pl.row[t]] + top_at(symbols[t].shape, met.size[t], 0.0);
                                (apex + (x[t] - apex) * f, y_sib + (top - y_sib) * f)
                            };
                            match zyg {
                                Zygosity::Monozygotic => {
                                    lines.seg(SegmentKind::TwinBar, at(first, 0.5), at(last, 0.5), &uid, &ids(&sorted));
                                }
                                Zygosity::Unknown => {
                                    // Between the two leftmost twins' lines, low down.
                                    let second = sorted[1];
                                    let (xa, yq) = at(first, 0.8);
                                    let (xb, _) = at(second, 0.8);
                                    let apex = (xa + xb) / 2.0;
                                    lines.marks.push(LayoutMark {
                                        kind: MarkKind::TwinZygosityUnknown,
                                        x: apex,
                                        y: yq,
                                        text: "?".into(),
                                        union: uid.clone(),
                                        ids: ids(&sorted),
                                    });
                                }
                                Zygosity::Dizygotic => {}
                            }
                        }
                    }
                    None => {
                        points.push(x[c]);
                        lines.seg_dashed(SegmentKind::Child, (x[c], y_sib), (x[c], top), dashed, &uid, &ids(&[c]));
                    }
                }
            }
            let mut lo = points.iter().copied().fold(f64::INFINITY, f64::min);
            let mut hi = points.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            if let Some((dx, dy)) = drop {
                lo = lo.min(dx);
                hi = hi.max(dx);
                lines.seg(SegmentKind::Descent, (dx, dy), (dx, y_sib), &uid, &pids);
            }
            if hi - lo > 0.05 {
                lines.seg(SegmentKind::Sibship, (lo, y_sib), (hi, y_sib), &uid, &ids(&kids));
            }
        }

        // Children drawn under another union (e.g. birth parents), linked here too.
        if let Some((dx, dy)) = drop {
            for &(c, link) in &un.children {
                if m.primary(c) == Some(u) {
                    continue;
                }
                let dashed = link == DrawChildLink::Adopted;
                let off = 0.25 * met.size[c];
                let cx = x[c] + off;
                let top = row_y[pl.row[c]] + top_at(symbols[c].shape, met.size[c], off);
                let y2 = row_y[pl.row[c]] - S / 2.0 - v_child[pl.row[c]] - 7.0;
                let path = [(dx, dy), (dx, y2), (cx, y2), (cx, top)];
                for w in path.windows(2) {
                    lines.seg_dashed(SegmentKind::SecondaryChild, w[0], w[1], dashed, &uid, &ids(&[c]));
                }
            }
        }

        // The couple's no-children / infertility marker.
        if let (Some(rep), Some((dx, dy))) = (&input.reproduction, drop) {
            lines.marker(rep.kind, dx, dy, &uid, &pids);
        }
    }

    for p in 0..n {
        if let Some(rep) = &m.person(p).reproduction {
            let y = row_y[pl.row[p]] + met.size[p] / 2.0;
            lines.marker(rep.kind, x[p], y, &None, &ids(&[p]));
        }
    }

    // Legend, below the drawing.
    let mut legend = Vec::new();
    if opt.legend {
        let lx = left_edge + LEGEND_SYMBOL / 2.0;
        let mut ly = rows_bottom + 24.0 + LEGEND_SYMBOL / 2.0;
        for (rank, &c) in used.iter().enumerate() {
            let cond = &m.input.conditions[c];
            legend.push(LegendEntry {
                kind: LegendKind::Condition,
                condition: Some(cond.id.clone()),
                label: cond.label.clone(),
                section: rank as u32,
                count,
                style: condition_style(m, c, rank),
                x: lx,
                y: ly,
            });
            ly += LEGEND_ROW;
        }
        let people = &m.input.people;
        for (kind, label, any) in [
            (LegendKind::Carrier, "carrier", people.iter().any(|p| !p.carrier.is_empty())),
            (LegendKind::Presymptomatic, "presymptomatic carrier", people.iter().any(|p| !p.presymptomatic.is_empty())),
        ] {
            if any {
                legend.push(LegendEntry {
                    kind,
                    condition: None,
                    label: label.into(),
                    section: 0,
                    count: 1,
                    style: 0,
                    x: lx,
                    y: ly,
                });
                ly += LEGEND_ROW;
            }
        }
    }

    let mut width = (0..n).map(|p| x[p] + met.extent_right(p)).fold(left_edge, f64::max);
    for e in &legend {
        width = width.max(e.x + LEGEND_SYMBOL + text_width(&e.label));
    }
    for mk in &lines.marks {
        width = width.max(mk.x + text_width(&mk.text) / 2.0);
    }
    if let Some(t) = &opt.title {
        width = width.max(MARGIN + text_width(t) * 16.0 / FONT);
    }
    width += MARGIN;
    let bottom = legend.last().map_or(rows_bottom, |e| e.y + LEGEND_SYMBOL / 2.0);
    let height = bottom + MARGIN;

    let rows = (0..nrows)
        .map(|r| LayoutRow { generation: r as u32, numeral: roman(r as u32 + 1), y: row_y[r], ids: ids(&pl.rows[r]) })
        .collect();

    Layout {
        width,
        height,
        symbol_size: S,
        min_gap: crate::geom::SIB_GAP,
        rows,
        symbols,
        segments: lines.segments,
        marks: lines.marks,
        legend,
    }
}

struct Lines {
    segments: Vec<LayoutSegment>,
    marks: Vec<LayoutMark>,
}

impl Lines {
    fn seg(&mut self, kind: SegmentKind, a: (f64, f64), b: (f64, f64), union: &Option<String>, ids: &[String]) {
        self.seg_dashed(kind, a, b, false, union, ids);
    }

    fn seg_dashed(
        &mut self,
        kind: SegmentKind,
        a: (f64, f64),
        b: (f64, f64),
        dashed: bool,
        union: &Option<String>,
        ids: &[String],
    ) {
        self.segments.push(LayoutSegment {
            kind,
            x1: a.0,
            y1: a.1,
            x2: b.0,
            y2: b.1,
            dashed,
            union: union.clone(),
            ids: ids.to_vec(),
        });
    }

    /// One (separated) or two (divorced) short slashes across a union line at (x, y).
    fn hashes(&mut self, status: UnionStatus, x: f64, y: f64, union: &Option<String>, ids: &[String]) {
        let n = match status {
            UnionStatus::Together => 0,
            UnionStatus::Separated => 1,
            UnionStatus::Divorced => 2,
        };
        for k in 0..n {
            let cx = x + k as f64 * 5.0;
            self.seg(SegmentKind::Separation, (cx - 3.5, y + 7.0), (cx + 3.5, y - 7.0), union, ids);
        }
    }

    fn note(&mut self, text: Option<&str>, x: f64, y: f64, union: &Option<String>, ids: &[String]) {
        if let Some(t) = text.map(str::trim).filter(|t| !t.is_empty()) {
            self.marks.push(LayoutMark {
                kind: MarkKind::ConsanguinityNote,
                x,
                y,
                text: t.to_string(),
                union: union.clone(),
                ids: ids.to_vec(),
            });
        }
    }

    /// A line down from (x, y) ending in one bar (no children) or two (infertility).
    fn marker(&mut self, kind: ReproductionKind, x: f64, y: f64, union: &Option<String>, ids: &[String]) {
        let bar_y = y + MARKER_H - 5.0;
        self.seg(SegmentKind::Reproduction, (x, y), (x, bar_y), union, ids);
        self.seg(SegmentKind::Reproduction, (x - 9.0, bar_y), (x + 9.0, bar_y), union, ids);
        if kind == ReproductionKind::Infertility {
            self.seg(SegmentKind::Reproduction, (x - 9.0, bar_y + 4.0), (x + 9.0, bar_y + 4.0), union, ids);
        }
    }
}
