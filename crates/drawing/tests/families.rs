//! Pedigree shapes one at a time: consanguinity, twins, adoption, remarriage, many generations,
//! a large family, unusual unions, several families, invalid input.

mod common;

use common::*;
use kinvault_drawing::*;

fn people(spec: &[(&str, Sex)]) -> Vec<DrawPerson> {
    spec.iter().map(|&(id, sex)| person(id, sex)).collect()
}

fn input(people: Vec<DrawPerson>, unions: Vec<DrawUnion>) -> DrawingInput {
    DrawingInput { people, unions, conditions: vec![], options: DrawOptions::default() }
}

use Sex::{Female as F, Male as M};

/// Grandparents, two children with spouses, a first cousin from each marrying the other.
fn cousins() -> DrawingInput {
    input(
        people(&[
            ("gf", M),
            ("gm", F),
            ("a", M),
            ("x", F),
            ("b", F),
            ("y", M),
            ("a1", M),
            ("c1", M),
            ("a2", F),
            ("b1", F),
            ("c2", F),
            ("b2", M),
            ("d1", F),
            ("d2", M),
        ]),
        vec![
            union(&["gf", "gm"], &["a", "b"]),
            union(&["a", "x"], &["a1", "c1", "a2"]),
            union(&["y", "b"], &["b1", "c2", "b2"]),
            union(&["c1", "c2"], &["d1", "d2"]),
        ],
    )
}

#[test]
fn first_cousins_married_side_by_side_with_double_line() {
    let (d, els) = check(&cousins());
    let (c1, c2) = (sym(&d, "c1"), sym(&d, "c2"));
    assert_eq!(c1.generation, c2.generation);
    assert_eq!(c1.position + 1, c2.position, "the cousins stand side by side");
    let union: Vec<_> = segs(&d, SegmentKind::Union).filter(|s| s.ids == ["c1", "c2"]).collect();
    let double: Vec<_> = segs(&d, SegmentKind::UnionDouble).filter(|s| s.ids == ["c1", "c2"]).collect();
    assert_eq!((union.len(), double.len()), (1, 1));
    assert!((union[0].y1 - double[0].y1).abs() > 3.0, "two parallel lines");
    // Detected from the common grandparents: the input did not flag it.
    assert!(!cousins().unions[3].consanguineous);
    assert_eq!(els.iter().filter(|e| e.has_class("union-double")).count(), 1);
    // Each cousin's siblings still in birth order on the far side.
    let row: Vec<&str> = d.layout.rows[2].ids.iter().map(String::as_str).collect();
    let i = |id: &str| row.iter().position(|x| *x == id).unwrap();
    assert!(i("a1") < i("a2") && i("a2") < i("c1"));
    assert!(i("c2") < i("b1") && i("b1") < i("b2"));
    // Their children are in the next generation, under them.
    let (k1, k2) = (sym(&d, "d1"), sym(&d, "d2"));
    assert_eq!(k1.generation, 3);
    let mid = (c1.x + c2.x) / 2.0;
    assert!((((k1.x + k2.x) / 2.0) - mid).abs() < 1.0, "children centred under the couple");
}

#[test]
fn strict_birth_order_routes_the_union_line_over_the_row() {
    let mut inp = cousins();
    inp.options.strict_birth_order = true;
    let (d, _) = check(&inp);
    let row: Vec<&str> = d.layout.rows[2].ids.iter().map(String::as_str).collect();
    let i = |id: &str| row.iter().position(|x| *x == id).unwrap();
    assert!(i("a1") < i("c1") && i("c1") < i("a2"), "birth order kept");
    assert!(i("c2") < i("b1") || i("b1") < i("c2"));
    let union: Vec<_> = segs(&d, SegmentKind::Union).filter(|s| s.ids == ["c1", "c2"]).collect();
    assert_eq!(union.len(), 5, "routed over the people between them");
    let top = sym(&d, "c1").y - sym(&d, "c1").size / 2.0;
    assert!(union[2].y1 < top && union[2].y2 < top, "the long part runs above the symbols");
    assert_eq!(segs(&d, SegmentKind::UnionDouble).filter(|s| s.ids == ["c1", "c2"]).count(), 1);
    // The children's line drops in a gap between two symbols, not through one.
    let desc = segs(&d, SegmentKind::Descent).find(|s| s.ids == ["c1", "c2"]).unwrap();
    for s in &d.layout.symbols {
        if s.generation == 2 {
            assert!((desc.x1 - s.x).abs() > s.size / 2.0, "descent line clear of {}", s.id);
        }
    }
}

#[test]
fn uncle_niece_and_double_first_cousins() {
    // Two brothers marry two sisters; their children (double first cousins) marry.
    let inp = input(
        people(&[
            ("g1", M),
            ("g2", F),
            ("h1", M),
            ("h2", F),
            ("b1", M),
            ("b2", M),
            ("s1", F),
            ("s2", F),
            ("k1", M),
            ("k2", F),
            ("z", M),
        ]),
        vec![
            union(&["g1", "g2"], &["b1", "b2"]),
            union(&["h1", "h2"], &["s1", "s2"]),
            union(&["b1", "s1"], &["k1"]),
            union(&["b2", "s2"], &["k2"]),
            union(&["k1", "k2"], &["z"]),
        ],
    );
    let (d, _) = check(&inp);
    assert_eq!(segs(&d, SegmentKind::UnionDouble).filter(|s| s.ids.contains(&"k1".to_string())).count(), 1);
    assert_eq!(sym(&d, "z").generation, 3);
}

#[test]
fn parent_child_union_is_drawn_across_generations() {
    let inp = input(
        people(&[("f", M), ("m", F), ("d", F), ("c", M)]),
        vec![union(&["f", "m"], &["d"]), union(&["f", "d"], &["c"])],
    );
    let (d, _) = check(&inp);
    assert_eq!(sym(&d, "f").generation, 0);
    assert_eq!(sym(&d, "d").generation, 1);
    assert_eq!(sym(&d, "c").generation, 2);
    assert_eq!(segs(&d, SegmentKind::UnionDouble).count(), 1, "consanguineous");
}

#[test]
fn twins_monozygotic_dizygotic_unknown_and_triplets() {
    let mut inp = input(
        people(&[("f", M), ("m", F), ("a", M), ("b", M), ("c", F), ("e", M), ("g", F), ("h", F), ("i", F), ("j", M)]),
        vec![union(&["f", "m"], &["a", "b", "c", "e", "g", "h", "i", "j"])],
    );
    inp.unions[0].twins = vec![
        DrawTwins { ids: vec!["b".into(), "a".into()], zygosity: Zygosity::Monozygotic },
        DrawTwins { ids: vec!["c".into(), "e".into()], zygosity: Zygosity::Dizygotic },
        DrawTwins { ids: vec!["g".into(), "h".into(), "i".into()], zygosity: Zygosity::Unknown },
    ];
    let (d, els) = check(&inp);
    let child = |id: &str| segs(&d, SegmentKind::Child).find(|s| s.ids == [id]).unwrap().clone();
    let apex = |id: &str| {
        let c = child(id);
        (c.x1, c.y1)
    };
    assert_eq!(apex("a"), apex("b"));
    assert_eq!(apex("c"), apex("e"));
    assert_eq!(apex("g"), apex("h"));
    assert_eq!(apex("g"), apex("i"));
    assert_ne!(apex("a"), apex("c"));
    assert_eq!(child("j").x1, sym(&d, "j").x, "a single child's line is vertical");
    for t in ["a", "b", "c", "e", "g", "i"] {
        assert!((child(t).x1 - child(t).x2).abs() > 5.0, "{t}: twin line slants");
    }
    // Twins stand together, in birth order.
    let row: Vec<&str> = d.layout.rows[1].ids.iter().map(String::as_str).collect();
    assert_eq!(row, ["a", "b", "c", "e", "g", "h", "i", "j"]);
    let bars: Vec<_> = segs(&d, SegmentKind::TwinBar).collect();
    assert_eq!(bars.len(), 1);
    assert_eq!(bars[0].ids, ["a", "b"]);
    // The bar joins the two twins' lines half-way down.
    let (ca, cb) = (child("a"), child("b"));
    let mid_a = ((ca.x1 + ca.x2) / 2.0, (ca.y1 + ca.y2) / 2.0);
    let mid_b = ((cb.x1 + cb.x2) / 2.0, (cb.y1 + cb.y2) / 2.0);
    assert!(close(bars[0].x1, mid_a.0) && close(bars[0].y1, mid_a.1));
    assert!(close(bars[0].x2, mid_b.0) && close(bars[0].y2, mid_b.1));
    let q: Vec<_> = d.layout.marks.iter().filter(|m| m.kind == MarkKind::TwinZygosityUnknown).collect();
    assert_eq!(q.len(), 1);
    assert_eq!(q[0].ids, ["g", "h", "i"]);
    assert_eq!(els.iter().filter(|e| e.has_class("twin-unknown")).count(), 1);
}

#[test]
fn adoption_in_and_out_with_both_families() {
    // "k" was born to b1+b2, placed for adoption out, and adopted in by a1+a2: drawn once,
    // under the birth parents, with a dashed line from the adoptive parents.
    let mut inp = input(
        people(&[("b1", M), ("b2", F), ("a1", M), ("a2", F), ("k", F), ("s", M), ("t", F)]),
        vec![union(&["b1", "b2"], &["k", "s"]), union(&["a1", "a2"], &["t"])],
    );
    inp.unions[1].children.push(DrawChild::adopted("k"));
    inp.people[4].adoption = Some(DrawAdoption::Out);
    let (d, els) = check(&inp);
    let k = sym(&d, "k");
    assert_eq!(k.adoption, Some(DrawAdoption::Out));
    let secondary: Vec<_> = segs(&d, SegmentKind::SecondaryChild).filter(|s| s.ids == ["k"]).collect();
    assert!(!secondary.is_empty());
    assert!(secondary.iter().all(|s| s.dashed && s.union.as_deref() == Some("u1")));
    let last = secondary.last().unwrap();
    assert!((last.x2 - k.x).abs() < k.size / 2.0 && last.y2 >= k.y - k.size / 2.0 - 0.1, "reaches k's symbol");
    let birth = segs(&d, SegmentKind::Child).find(|s| s.ids == ["k"]).unwrap();
    assert!(!birth.dashed);
    let g = els.iter().find(|e| e.has_class("person") && e.attr("data-id") == Some("k")).unwrap();
    assert_eq!(g.attr("data-adoption"), Some("out"));
}

#[test]
fn remarriage_person_between_partners() {
    // m married w1 (children c1, c2), then w2 (child c3); w2 had a child with another man.
    let inp = input(
        people(&[("m", M), ("w1", F), ("w2", F), ("o", M), ("c1", M), ("c2", F), ("c3", F), ("c4", M)]),
        vec![
            DrawUnion { status: UnionStatus::Divorced, ..union(&["m", "w1"], &["c1", "c2"]) },
            union(&["m", "w2"], &["c3"]),
            union(&["o", "w2"], &["c4"]),
        ],
    );
    let (d, _) = check(&inp);
    let pos = |id: &str| sym(&d, id).position;
    assert!(pos("w1") + 1 == pos("m") && pos("m") + 1 == pos("w2"), "m between his wives");
    assert_eq!(pos("w2") + 1, pos("o"), "w2 between her partners");
    // Each union's children under it, in union order left to right.
    let x = |id: &str| sym(&d, id).x;
    assert!(x("c2") < x("c3") && x("c3") < x("c4"));
    for (u, kids) in [("u0", vec!["c1", "c2"]), ("u1", vec!["c3"]), ("u2", vec!["c4"])] {
        let desc = segs(&d, SegmentKind::Descent).find(|s| s.union.as_deref() == Some(u)).unwrap();
        for k in kids {
            let line = segs(&d, SegmentKind::Child).find(|s| s.ids == [k]).unwrap();
            assert_eq!(line.union.as_deref(), Some(u));
            assert!((line.y1 - desc.y2).abs() < 0.01);
        }
    }
    assert_eq!(segs(&d, SegmentKind::Separation).count(), 2);
}

#[test]
fn partners_without_children_and_single_parents() {
    let inp = input(
        people(&[("a", M), ("b", F), ("c", F), ("k1", M), ("k2", F), ("s1", M), ("s2", M), ("e", F)]),
        vec![
            union(&["a", "b"], &[]),
            union(&["c"], &["k1", "k2"]),
            DrawUnion { partners: vec![], ..union(&[], &["s1", "s2"]) },
            union(&["e"], &[]),
        ],
    );
    let (d, _) = check(&inp);
    // A childless couple: a union line, no sibship or descent line.
    assert_eq!(segs(&d, SegmentKind::Union).filter(|s| s.ids == ["a", "b"]).count(), 1);
    assert!(segs(&d, SegmentKind::Descent).all(|s| s.union.as_deref() != Some("u0")));
    assert!(segs(&d, SegmentKind::Sibship).all(|s| s.union.as_deref() != Some("u0")));
    // A single parent: a short line to the side, then down to the children.
    let stub = segs(&d, SegmentKind::UnionStub).find(|s| s.ids == ["c"]).unwrap();
    let c = sym(&d, "c");
    assert!(close(stub.x1, c.x + c.size / 2.0) && stub.x2 > stub.x1);
    let desc = segs(&d, SegmentKind::Descent).find(|s| s.union.as_deref() == Some("u1")).unwrap();
    assert!(close(desc.x1, stub.x2));
    // Siblings without parents: a sibship line only.
    assert!(segs(&d, SegmentKind::Sibship).any(|s| s.union.as_deref() == Some("u2")));
    assert!(segs(&d, SegmentKind::Descent).all(|s| s.union.as_deref() != Some("u2")));
    assert_eq!(sym(&d, "s1").generation, sym(&d, "s2").generation);
    // Nothing for a union with one partner and no children.
    assert!(d.layout.segments.iter().all(|s| s.union.as_deref() != Some("u3")));
}

#[test]
fn unconnected_families_side_by_side() {
    let inp = input(
        people(&[("a", M), ("b", F), ("c", M), ("x", M), ("y", F), ("z", F), ("lone", Sex::Unknown)]),
        vec![union(&["a", "b"], &["c"]), union(&["x", "y"], &["z"])],
    );
    let (d, _) = check(&inp);
    let right_of_first = ["a", "b", "c"].iter().map(|i| sym(&d, i).x).fold(f64::MIN, f64::max);
    let left_of_second = ["x", "y", "z"].iter().map(|i| sym(&d, i).x).fold(f64::MAX, f64::min);
    assert!(left_of_second - right_of_first > 60.0, "families apart");
    assert!(sym(&d, "lone").x > right_of_first);
}

#[test]
fn five_generations() {
    let inp = big_family(5, 7);
    let (d, _) = check(&inp);
    assert_eq!(d.layout.rows.len(), 5);
    let numerals: Vec<&str> = d.layout.rows.iter().map(|r| r.numeral.as_str()).collect();
    assert_eq!(numerals, ["I", "II", "III", "IV", "V"]);
    // Parents with one union sit above their children (someone between two partners compromises).
    let unions_of = |id: &String| inp.unions.iter().filter(|u| u.partners.contains(id)).count();
    let mut checked = 0;
    for (ui, u) in inp.unions.iter().enumerate() {
        if u.children.is_empty() || u.partners.iter().any(|p| unions_of(p) > 1) {
            continue;
        }
        checked += 1;
        let uid = format!("u{ui}");
        let desc = segs(&d, SegmentKind::Descent).find(|s| s.union.as_deref() == Some(uid.as_str())).unwrap();
        let xs: Vec<f64> = u.children.iter().map(|c| sym(&d, &c.id).x).collect();
        let lo = xs.iter().copied().fold(f64::MAX, f64::min);
        let hi = xs.iter().copied().fold(f64::MIN, f64::max);
        assert!(
            desc.x1 >= lo - 1.0 && desc.x1 <= hi + 1.0,
            "{uid}: parents over their children: {} not in {lo}..{hi}",
            desc.x1
        );
        if xs.len() == 1 {
            assert!((desc.x1 - xs[0]).abs() < 1.0, "{uid}: an only child straight below");
        }
    }
    assert!(checked > 5);
}

#[test]
fn large_family_without_overlaps() {
    let mut inp = big_family(6, 42);
    while inp.people.len() < 200 {
        let more = big_family(6, 42 + inp.people.len() as u64);
        let off = inp.people.len();
        let rename = |id: &str| format!("q{off}-{id}");
        for mut p in more.people {
            p.id = rename(&p.id);
            inp.people.push(p);
        }
        for mut u in more.unions {
            u.partners = u.partners.iter().map(|p| rename(p)).collect();
            u.children.iter_mut().for_each(|c| c.id = rename(&c.id));
            u.twins.iter_mut().for_each(|t| t.ids = t.ids.iter().map(|i| rename(i)).collect());
            inp.unions.push(u);
        }
    }
    assert!(inp.people.len() >= 200, "{}", inp.people.len());
    let started = std::time::Instant::now();
    let (d, _) = check(&inp);
    assert!(started.elapsed().as_secs() < 20, "took {:?}", started.elapsed());
    // No two symbols overlap anywhere (boxes, every pair).
    let s = &d.layout.symbols;
    for i in 0..s.len() {
        for j in i + 1..s.len() {
            let (a, b) = (&s[i], &s[j]);
            let apart_x = (a.x - b.x).abs() >= (a.size + b.size) / 2.0 + d.layout.min_gap - 1e-6;
            let apart_y = (a.y - b.y).abs() >= (a.size + b.size) / 2.0;
            assert!(apart_x || apart_y, "{} and {} overlap", a.id, b.id);
        }
    }
}

#[test]
fn invalid_input_is_an_error() {
    let base = || input(people(&[("a", M), ("b", F), ("c", M)]), vec![union(&["a", "b"], &["c"])]);
    let mut i = base();
    i.people.push(person("a", F));
    assert_eq!(draw(&i).unwrap_err(), DrawError::DuplicatePerson("a".into()));
    let mut i = base();
    i.unions[0].children.push(DrawChild::biological("nobody"));
    assert!(matches!(draw(&i).unwrap_err(), DrawError::UnknownPerson { .. }));
    let mut i = base();
    i.unions.push(union(&["c"], &["a"]));
    assert!(matches!(draw(&i).unwrap_err(), DrawError::Cycle(_)));
    let mut i = base();
    i.unions[0].partners.push("c".into());
    assert!(matches!(draw(&i).unwrap_err(), DrawError::TooManyPartners(_) | DrawError::Repeated { .. }));
    let mut i = base();
    i.people[0].affected.push(affected("nope", None));
    assert!(matches!(draw(&i).unwrap_err(), DrawError::UnknownCondition { .. }));
    let mut i = base();
    i.unions[0].twins.push(DrawTwins { ids: vec!["c".into(), "a".into()], zygosity: Zygosity::Dizygotic });
    assert!(matches!(draw(&i).unwrap_err(), DrawError::BadTwins { .. }));
    assert_eq!(draw(&input(vec![], vec![])).map(|d| d.layout.symbols.len()), Ok(0));
}

#[test]
fn two_conditions_use_halves_and_more_use_sectors() {
    let mut inp = input(people(&[("a", M), ("b", F)]), vec![union(&["a", "b"], &[])]);
    inp.conditions = (0..2).map(|i| condition(&format!("c{i}"), &format!("C{i}"), &format!("C{i}"))).collect();
    inp.people[0].affected = vec![affected("c0", None), affected("c1", Some(50))];
    let (d, els) = check(&inp);
    assert_eq!(sym(&d, "a").sections.iter().map(|s| (s.index, s.count)).collect::<Vec<_>>(), [(0, 2), (1, 2)]);
    // Two in the symbol, one in each legend entry.
    assert_eq!(els.iter().filter(|e| e.has_class("section")).count(), 4);
    // One condition shown: the whole symbol is filled solid black.
    inp.people[0].affected = vec![affected("c1", None)];
    let (d, els) = check(&inp);
    assert_eq!(sym(&d, "a").sections[0].count, 1);
    let fill = els.iter().find(|e| e.has_class("fill")).unwrap();
    assert_eq!(fill.name, "rect");
    assert_eq!(fill.attr("fill"), Some("#000"));
    // Six conditions: six sectors.
    inp.conditions = (0..6).map(|i| condition(&format!("c{i}"), &format!("C{i}"), &format!("C{i}"))).collect();
    inp.people[0].affected = (0..6).map(|i| affected(&format!("c{i}"), None)).collect();
    let (d, _) = check(&inp);
    assert_eq!(sym(&d, "a").sections.iter().map(|s| s.count).collect::<Vec<_>>(), [6; 6]);
    assert_eq!(d.layout.legend.iter().filter(|e| e.kind == LegendKind::Condition).count(), 6);
}

#[test]
fn json_round_trip_of_input_and_layout() {
    let inp = reference_family();
    let json = serde_json::to_string(&inp).unwrap();
    let back: DrawingInput = serde_json::from_str(&json).unwrap();
    assert_eq!(back, inp);
    // Omitted fields take their defaults.
    let minimal: DrawingInput = serde_json::from_str(r#"{"people":[{"id":"a","sex":"F"}]}"#).unwrap();
    assert!(minimal.options.names && minimal.unions.is_empty());
    let d = draw(&minimal).unwrap();
    let layout_json = serde_json::to_value(&d.layout).unwrap();
    assert_eq!(layout_json["symbols"][0]["shape"], "circle");
    // Same input, same SVG.
    assert_eq!(draw(&inp).unwrap().svg, draw(&back).unwrap().svg);
}
