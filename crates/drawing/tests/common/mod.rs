//! Families shared by the tests and the reference example, and a tiny SVG reader for the tests.
#![allow(dead_code)]

use kinvault_drawing::*;
use kinvault_model::{Sex, Zygosity};
use std::collections::BTreeMap;

pub fn person(id: &str, sex: Sex) -> DrawPerson {
    DrawPerson::new(id, sex)
}

pub fn union(partners: &[&str], children: &[&str]) -> DrawUnion {
    DrawUnion::new(partners, children)
}

pub fn condition(id: &str, label: &str, short: &str) -> DrawCondition {
    DrawCondition { id: id.into(), label: label.into(), short: Some(short.into()), style: None }
}

pub fn affected(condition: &str, onset: Option<u32>) -> DrawAffected {
    DrawAffected { condition: condition.into(), onset_age: onset }
}

/// A 4-generation family with every feature the drawing has: deceased with causes, quadrant
/// fills for three conditions, carriers, a presymptomatic carrier, test results, proband and
/// consultand, remarriage with a divorce, separation, first cousins married, monozygotic,
/// dizygotic and unknown-zygosity twins, adoption in and out, pregnancy, stillbirth,
/// miscarriage, termination, intersex, infertility and no-children markers.
pub fn reference_family() -> DrawingInput {
    let mut people = Vec::new();
    let mut add = |id: &str, name: &str, sex: Sex, f: &dyn Fn(&mut DrawPerson)| {
        let mut p = person(id, sex);
        p.name = Some(name.into());
        f(&mut p);
        people.push(p);
    };
    use Sex::{Female as F, Intersex as X, Male as M};
    // Generation I
    add("walter", "Walter Hayes", M, &|p| {
        p.birth_year = Some(1930);
        p.deceased = true;
        p.age = Some(78);
        p.cause_of_death = Some("MI".into());
    });
    add("helen", "Helen Hayes", F, &|p| {
        p.birth_year = Some(1932);
        p.deceased = true;
        p.age = Some(60);
        p.cause_of_death = Some("breast cancer".into());
        p.affected = vec![affected("brca", Some(48))];
    });
    add("arthur", "Arthur Cole", M, &|p| {
        p.birth_year = Some(1935);
        p.age = Some(89);
        p.carrier = vec!["cf".into()];
    });
    add("ruth", "Ruth Cole", F, &|p| {
        p.birth_year = Some(1937);
        p.deceased = true;
        p.age = Some(70);
        p.affected = vec![affected("ovc", Some(65))];
    });
    // Generation II
    add("frank", "Frank Hayes", M, &|p| p.age = Some(66));
    add("linda", "Linda Hayes", F, &|p| p.age = Some(64));
    add("carol", "Carol Hayes", F, &|p| p.age = Some(58));
    add("diane", "Diane Price", F, &|p| {
        p.age = Some(62);
        p.affected = vec![affected("brca", Some(42))];
        p.tests = vec!["BRCA1 +".into()];
    });
    add("robert", "Robert Price", M, &|p| p.age = Some(63));
    add("paul", "Paul Hayes", M, &|p| p.age = Some(60));
    add("susan", "Susan Hayes", F, &|p| {
        p.age = Some(58);
        p.presymptomatic = vec!["brca".into()];
        p.carrier = vec!["cf".into()];
        p.tests = vec!["BRCA1 +".into()];
    });
    add("mark", "Mark Cole", M, &|p| {
        p.age = Some(55);
        p.carrier = vec!["cf".into()];
    });
    add("jenny", "Jenny Cole", F, &|p| p.age = Some(54));
    add("alex", "Alex Cole", X, &|p| p.age = Some(50));
    // Generation III
    add("tom", "Tom Hayes", M, &|p| p.age = Some(40));
    add("amy", "Amy Hayes", F, &|p| p.age = Some(30));
    add("ben", "Ben Hayes", M, &|p| p.age = Some(30));
    add("emma", "Emma Hayes", F, &|p| {
        p.proband = true;
        p.birth_year = Some(1989);
        p.age = Some(35);
        p.affected = vec![affected("brca", Some(33)), affected("ovc", Some(35))];
        p.tests = vec!["BRCA1 +".into()];
    });
    add("david", "David Reyes", M, &|p| p.age = Some(37));
    add("james", "James Hayes", M, &|p| {
        p.consultand = true;
        p.age = Some(32);
        p.carrier = vec!["cf".into()];
        p.tests = vec!["CFTR F508del het".into()];
    });
    add("john", "John Hayes", M, &|p| {
        p.age = Some(32);
        p.reproduction = Some(DrawReproduction { kind: ReproductionKind::NoChildren, note: Some("by choice".into()) });
    });
    add("kate", "Kate Hayes", F, &|p| {
        p.age = Some(25);
        p.adoption = Some(DrawAdoption::In);
    });
    add("sab", "", Sex::Unknown, &|p| {
        p.name = None;
        p.kind = DrawKind::Miscarriage;
        p.gestation = Some("10 wk".into());
    });
    add("anne", "Anne Cole", F, &|p| {
        p.age = Some(36);
        p.adoption = Some(DrawAdoption::Out);
    });
    add("sam", "Sam Cole", M, &|p| {
        p.deceased = true;
        p.age = Some(1);
        p.cause_of_death = Some("SIDS".into());
    });
    add("lucy", "Lucy Hayes", F, &|p| {
        p.age = Some(30);
        p.carrier = vec!["cf".into()];
    });
    // Generation IV
    add("olivia", "Olivia Reyes", F, &|p| p.age = Some(8));
    add("leo", "Leo Reyes", M, &|p| p.age = Some(8));
    add("top", "", Sex::Unknown, &|p| {
        p.name = None;
        p.kind = DrawKind::Termination;
        p.gestation = Some("14 wk".into());
    });
    add("noah", "Noah Hayes", M, &|p| {
        p.age = Some(4);
        p.affected = vec![affected("cf", Some(0))];
        p.tests = vec!["CFTR F508del hom".into()];
    });
    add("mia", "", F, &|p| {
        p.name = None;
        p.kind = DrawKind::Pregnancy;
        p.gestation = Some("20 wk".into());
    });
    add("sb", "", M, &|p| {
        p.name = None;
        p.kind = DrawKind::Stillbirth;
        p.gestation = Some("32 wk".into());
    });

    let mut unions = vec![
        union(&["walter", "helen"], &["frank", "diane", "paul"]),
        union(&["arthur", "ruth"], &["susan", "mark", "alex"]),
        DrawUnion { status: UnionStatus::Divorced, ..union(&["frank", "linda"], &["tom"]) },
        DrawUnion {
            twins: vec![DrawTwins { ids: vec!["amy".into(), "ben".into()], zygosity: Zygosity::Unknown }],
            ..union(&["frank", "carol"], &["amy", "ben"])
        },
        DrawUnion {
            reproduction: Some(DrawReproduction { kind: ReproductionKind::Infertility, note: None }),
            ..union(&["diane", "robert"], &[])
        },
        DrawUnion {
            twins: vec![DrawTwins { ids: vec!["james".into(), "john".into()], zygosity: Zygosity::Monozygotic }],
            ..union(&["paul", "susan"], &["emma", "james", "john", "sab"])
        },
        DrawUnion { status: UnionStatus::Separated, ..union(&["mark", "jenny"], &["anne", "sam", "lucy"]) },
        DrawUnion {
            twins: vec![DrawTwins { ids: vec!["olivia".into(), "leo".into()], zygosity: Zygosity::Dizygotic }],
            ..union(&["emma", "david"], &["olivia", "leo", "top"])
        },
        DrawUnion {
            consanguinity_note: Some("first cousins".into()),
            ..union(&["james", "lucy"], &["noah", "mia", "sb"])
        },
    ];
    unions[5].children.push(DrawChild::adopted("kate"));
    DrawingInput {
        people,
        unions,
        conditions: vec![
            condition("brca", "Breast cancer", "BrCa"),
            condition("ovc", "Ovarian cancer", "OvCa"),
            condition("cf", "Cystic fibrosis", "CF"),
        ],
        options: DrawOptions { title: Some("Hayes–Cole family (reference pedigree)".into()), ..Default::default() },
    }
}

/// A family of `generations` generations: every couple has 1-4 children (deterministic), most
/// children marry in a spouse, some have twins or remarry.
pub fn big_family(generations: usize, seed: u64) -> DrawingInput {
    let mut state = seed;
    let mut rnd = move |n: u64| {
        state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (state >> 33) % n
    };
    let mut people = vec![person("p0", Sex::Male), person("p1", Sex::Female)];
    let mut unions = vec![union(&["p0", "p1"], &[])];
    let mut couples = vec![0usize];
    for _ in 1..generations {
        let mut next = Vec::new();
        for &u in &couples {
            let kids = 1 + rnd(4) as usize;
            for _ in 0..kids {
                let id = format!("p{}", people.len());
                let sex = if rnd(2) == 0 { Sex::Male } else { Sex::Female };
                let mut p = person(&id, sex);
                p.name = Some(format!("Person {}", people.len()));
                p.age = Some(rnd(90) as u32);
                people.push(p);
                unions[u].children.push(DrawChild::biological(id.clone()));
                if rnd(4) != 0 {
                    let sid = format!("p{}", people.len());
                    people.push(person(&sid, if sex == Sex::Male { Sex::Female } else { Sex::Male }));
                    unions.push(union(&[&id, &sid], &[]));
                    next.push(unions.len() - 1);
                    if rnd(8) == 0 {
                        let tid = format!("p{}", people.len());
                        people.push(person(&tid, if sex == Sex::Male { Sex::Female } else { Sex::Male }));
                        unions.push(union(&[&id, &tid], &[]));
                        next.push(unions.len() - 1);
                    }
                }
            }
            let ch = &unions[u].children;
            if ch.len() >= 2 && rnd(3) == 0 {
                let ids = vec![ch[0].id.clone(), ch[1].id.clone()];
                unions[u].twins.push(DrawTwins { ids, zygosity: Zygosity::Monozygotic });
            }
        }
        couples = next;
    }
    DrawingInput { people, unions, conditions: vec![], options: DrawOptions::default() }
}

/// One SVG element: its name, attributes, and the text directly inside it.
#[derive(Debug, Clone)]
pub struct El {
    pub name: String,
    pub attrs: BTreeMap<String, String>,
    pub text: String,
    /// Index of the enclosing element in the document order, if any.
    pub parent: Option<usize>,
}

impl El {
    pub fn attr(&self, k: &str) -> Option<&str> {
        self.attrs.get(k).map(String::as_str)
    }
    pub fn f(&self, k: &str) -> f64 {
        self.attr(k).unwrap_or_else(|| panic!("{} has no {k}", self.name)).parse().unwrap()
    }
    pub fn has_class(&self, c: &str) -> bool {
        self.attr("class").is_some_and(|v| v.split_whitespace().any(|x| x == c))
    }
}

/// Parses the SVG with quick-xml into a flat list of elements (document order).
pub fn parse_svg(svg: &str) -> Vec<El> {
    use quick_xml::events::Event;
    use quick_xml::XmlVersion::Implicit1_0 as V;
    let mut reader = quick_xml::Reader::from_str(svg);
    let mut out: Vec<El> = Vec::new();
    let mut stack: Vec<usize> = Vec::new();
    loop {
        match reader.read_event().expect("well-formed SVG") {
            Event::Start(e) => {
                out.push(element(&e, stack.last().copied()));
                stack.push(out.len() - 1);
            }
            Event::Empty(e) => out.push(element(&e, stack.last().copied())),
            Event::End(_) => {
                stack.pop();
            }
            Event::Text(t) => {
                if let Some(&i) = stack.last() {
                    out[i].text.push_str(&t.xml_content(V));
                }
            }
            Event::GeneralRef(r) => {
                if let Some(&i) = stack.last() {
                    let ch = match r.xml_content(V).as_ref() {
                        "amp" => "&",
                        "lt" => "<",
                        "gt" => ">",
                        "quot" => "\"",
                        "apos" => "'",
                        other => panic!("unexpected entity {other}"),
                    };
                    out[i].text.push_str(ch);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert!(stack.is_empty(), "unclosed elements");
    out
}

fn element(e: &quick_xml::events::BytesStart, parent: Option<usize>) -> El {
    let name = e.name().as_ref().to_string();
    let mut attrs = BTreeMap::new();
    for a in e.attributes() {
        let a = a.expect("attribute");
        let k = a.key.as_ref().to_string();
        let v = a.normalized_value(quick_xml::XmlVersion::Implicit1_0).expect("attribute value").to_string();
        assert!(attrs.insert(k.clone(), v).is_none(), "duplicate attribute {k}");
    }
    El { name, attrs, text: String::new(), parent }
}

pub fn sym<'a>(d: &'a Drawing, id: &str) -> &'a LayoutSymbol {
    d.layout.symbols.iter().find(|s| s.id == id).unwrap_or_else(|| panic!("no symbol for {id}"))
}

pub fn segs<'a>(d: &'a Drawing, kind: SegmentKind) -> impl Iterator<Item = &'a LayoutSegment> + 'a {
    d.layout.segments.iter().filter(move |s| s.kind == kind)
}

pub fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 0.11
}

/// The person elements of the SVG by data-id.
pub fn svg_people(els: &[El]) -> BTreeMap<String, Vec<usize>> {
    let mut out: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, e) in els.iter().enumerate() {
        if e.name == "g" && e.has_class("person") {
            out.entry(e.attr("data-id").expect("data-id").to_string()).or_default().push(i);
        }
    }
    out
}

/// Elements inside element `i` (any depth).
pub fn inside(els: &[El], i: usize) -> Vec<&El> {
    els.iter()
        .enumerate()
        .filter(|(j, _)| {
            let mut p = els[*j].parent;
            while let Some(k) = p {
                if k == i {
                    return true;
                }
                p = els[k].parent;
            }
            false
        })
        .map(|(_, e)| e)
        .collect()
}

pub fn translate(e: &El) -> (f64, f64) {
    let t = e.attr("transform").expect("transform");
    let inner = t.trim_start_matches("translate(").trim_end_matches(')');
    let mut it = inner.split_whitespace().map(|v| v.parse::<f64>().unwrap());
    (it.next().unwrap(), it.next().unwrap())
}

pub fn expected_shape(p: &DrawPerson) -> &'static str {
    match p.kind {
        DrawKind::Miscarriage | DrawKind::Termination => "triangle",
        _ => match p.sex {
            Sex::Male => "square",
            Sex::Female => "circle",
            _ => "diamond",
        },
    }
}

/// Draws `input` and checks what must hold for every drawing; returns the drawing and the
/// parsed SVG.
pub fn check(input: &DrawingInput) -> (Drawing, Vec<El>) {
    let d = draw(input).unwrap_or_else(|e| panic!("draw failed: {e}"));
    // KV_DRAWING_DUMP=<dir>: keep each test's SVG to look at.
    if let Ok(dir) = std::env::var("KV_DRAWING_DUMP") {
        let name = std::thread::current().name().unwrap_or("drawing").replace("::", "-");
        let _ = std::fs::write(format!("{dir}/{name}.svg"), &d.svg);
    }
    let els = parse_svg(&d.svg);
    let l = &d.layout;
    assert_eq!(els[0].name, "svg");
    assert_eq!(els[0].attr("viewBox").unwrap(), format!("0 0 {} {}", fmt(l.width), fmt(l.height)));

    // Exactly one symbol per person, of the right shape, where the layout says.
    let people = svg_people(&els);
    assert_eq!(people.len(), input.people.len(), "one <g class=person> per person");
    assert_eq!(l.symbols.len(), input.people.len());
    for (p, s) in input.people.iter().zip(&l.symbols) {
        assert_eq!(p.id, s.id, "symbols in input order");
        let gs = &people[&p.id];
        assert_eq!(gs.len(), 1, "{} drawn once", p.id);
        let g = &els[gs[0]];
        assert_eq!(g.attr("data-shape"), Some(expected_shape(p)), "{}", p.id);
        assert_eq!(s.shape.as_str(), expected_shape(p));
        let (x, y) = translate(g);
        assert!(close(x, s.x) && close(y, s.y), "{} at ({x},{y}) vs layout ({},{})", p.id, s.x, s.y);
        let outlines: Vec<_> = inside(&els, gs[0]).into_iter().filter(|e| e.has_class("symbol")).collect();
        assert_eq!(outlines.len(), 1, "{} has one outline", p.id);
        // Fill: affected symbols carry their conditions, unaffected ones none.
        let fills: Vec<String> = inside(&els, gs[0])
            .into_iter()
            .filter(|e| e.has_class("fill"))
            .map(|e| e.attr("data-condition").unwrap().to_string())
            .collect();
        let mut want: Vec<String> = p.affected.iter().map(|a| a.condition.clone()).collect();
        want.dedup();
        assert_eq!(fills, want, "{} fills", p.id);
        // Content is inside the viewBox.
        assert!(s.x - s.size / 2.0 >= 0.0 && s.x + s.size / 2.0 <= l.width, "{} inside horizontally", p.id);
        assert!(s.y - s.size / 2.0 >= 0.0 && s.y + s.size / 2.0 <= l.height, "{} inside vertically", p.id);
    }

    // Rows: every person in exactly one row, at the row's y, left to right without overlap.
    let mut seen = std::collections::HashSet::new();
    for (r, row) in l.rows.iter().enumerate() {
        assert_eq!(row.generation as usize, r);
        let syms: Vec<&LayoutSymbol> = row.ids.iter().map(|id| sym(&d, id)).collect();
        for (i, s) in syms.iter().enumerate() {
            assert!(seen.insert(s.id.clone()), "{} in two rows", s.id);
            assert_eq!(s.generation as usize, r);
            assert_eq!(s.position as usize, i + 1);
            assert!(close(s.y, row.y), "{} on its row's line", s.id);
            assert_eq!(s.number, format!("{}-{}", row.numeral, i + 1));
        }
        for w in syms.windows(2) {
            let gap = w[1].x - w[0].x - (w[0].size + w[1].size) / 2.0;
            assert!(gap >= l.min_gap - 1e-6, "{} and {} only {gap} apart", w[0].id, w[1].id);
        }
    }
    assert_eq!(seen.len(), input.people.len());
    for w in l.rows.windows(2) {
        assert!(w[1].y - w[0].y >= l.symbol_size * 2.0, "rows well apart");
    }

    // Lines connect the right symbols.
    for (ui, u) in input.unions.iter().enumerate() {
        let uid = u.id.clone().unwrap_or_else(|| format!("u{ui}"));
        let mine: Vec<&LayoutSegment> = l.segments.iter().filter(|s| s.union.as_deref() == Some(&uid)).collect();
        let of = |k: SegmentKind| mine.iter().filter(move |s| s.kind == k).copied().collect::<Vec<_>>();
        if u.partners.len() == 2 {
            let (a, b) = (sym(&d, &u.partners[0]), sym(&d, &u.partners[1]));
            let (a, b) = if a.x <= b.x { (a, b) } else { (b, a) };
            let lines = of(SegmentKind::Union);
            assert!(!lines.is_empty(), "union {uid} has a line");
            for s in &lines {
                assert_eq!(s.ids, vec![a.id.clone(), b.id.clone()]);
            }
            let first = lines[0];
            let last = lines[lines.len() - 1];
            if a.generation == b.generation {
                // The line starts at the left partner's right side and ends at the right one's
                // left.
                assert!(
                    close(first.x1, a.x + a.size / 2.0) && (first.y1 - a.y).abs() <= 3.0,
                    "{uid} starts at {}",
                    a.id
                );
                assert!(close(last.x2, b.x - b.size / 2.0) && (last.y2 - b.y).abs() <= 3.0, "{uid} ends at {}", b.id);
                let consecutive = b.position == a.position + 1;
                assert_eq!(lines.len(), if consecutive { 1 } else { 5 }, "{uid}: straight or routed over the row");
            } else {
                // Partners in two generations: from the upper one's side to the lower one's.
                let (up, low) = if a.y < b.y { (a, b) } else { (b, a) };
                assert!(
                    close((first.x1 - up.x).abs(), up.size / 2.0) && close(first.y1, up.y),
                    "{uid} starts at {}",
                    up.id
                );
                assert!(
                    close((last.x2 - low.x).abs(), low.size / 2.0) && close(last.y2, low.y),
                    "{uid} ends at {}",
                    low.id
                );
            }
            for w in lines.windows(2) {
                assert!(close(w[0].x2, w[1].x1) && close(w[0].y2, w[1].y1), "{uid}: one connected line");
            }
        }
        let primary: Vec<&str> = u
            .children
            .iter()
            .map(|c| c.id.as_str())
            .filter(|c| input.unions.iter().position(|v| v.children.iter().any(|k| k.id == *c)) == Some(ui))
            .collect();
        let drawn_with_parents = !u.partners.is_empty() || primary.len() > 1;
        if !primary.is_empty() && drawn_with_parents {
            let sib = of(SegmentKind::Sibship);
            let child_lines = of(SegmentKind::Child);
            for c in &primary {
                let s = sym(&d, c);
                for p in &u.partners {
                    assert!(s.generation > sym(&d, p).generation, "{c} below parent {p}");
                }
                let mine: Vec<_> = child_lines.iter().filter(|l| l.ids == vec![c.to_string()]).collect();
                assert_eq!(mine.len(), 1, "{c} has one line from union {uid}");
                let line = mine[0];
                assert!(close(line.x2, s.x), "{c}: line reaches the symbol's x");
                let top = s.y - s.size / 2.0;
                assert!(close(line.y2, top), "{c}: line reaches the symbol's top ({} vs {top})", line.y2);
                let dashed = u.children.iter().any(|k| k.id == *c && k.link == DrawChildLink::Adopted);
                assert_eq!(line.dashed, dashed, "{c}: dashed iff adopted in");
                // It leaves from the sibship line (or the descent line's end for an only child).
                let y0 = line.y1;
                let on_sibship =
                    sib.iter().any(|sl| close(sl.y1, y0) && sl.x1 - 0.11 <= line.x1 && line.x1 <= sl.x2 + 0.11);
                let on_descent = of(SegmentKind::Descent).iter().any(|dl| close(dl.x2, line.x1) && close(dl.y2, y0));
                assert!(on_sibship || on_descent, "{c}: line hangs from the sibship line");
            }
            if !u.partners.is_empty() {
                let desc = of(SegmentKind::Descent);
                assert_eq!(desc.len(), 1, "{uid} has one descent line");
                let dl = desc[0];
                assert!(close(dl.x1, dl.x2) && dl.y2 > dl.y1, "{uid}: the descent line goes straight down");
            }
        }
    }
    assert!(min_gap_in_svg(&els, l.min_gap, l.symbol_size, input));
    (d, els)
}

fn fmt(v: f64) -> String {
    let r = (v * 10.0).round() / 10.0;
    if r.fract() == 0.0 {
        format!("{}", r as i64)
    } else {
        format!("{r:.1}")
    }
}

/// The same no-overlap check on the SVG itself: person groups in one row (same y) are at least
/// a symbol plus the minimum gap apart (triangles are smaller).
fn min_gap_in_svg(els: &[El], gap: f64, size: f64, input: &DrawingInput) -> bool {
    let mut by_row: BTreeMap<i64, Vec<(f64, f64)>> = BTreeMap::new();
    for e in els.iter().filter(|e| e.name == "g" && e.has_class("person")) {
        let (x, y) = translate(e);
        let id = e.attr("data-id").unwrap();
        let p = input.people.iter().find(|p| p.id == id).unwrap();
        let s = if matches!(p.kind, DrawKind::Miscarriage | DrawKind::Termination) { size * 0.7 } else { size };
        by_row.entry((y * 10.0).round() as i64).or_default().push((x, s));
    }
    by_row.values_mut().all(|row| {
        row.sort_by(|a, b| a.0.total_cmp(&b.0));
        row.windows(2).all(|w| w[1].0 - w[0].0 - (w[0].1 + w[1].1) / 2.0 >= gap - 0.11)
    })
}
