//! The reference family (every feature): symbols, decorations, fills, lines and labels, checked
//! on the layout and on the SVG text itself.

mod common;

use common::*;
use kinvault_drawing::*;

fn person_el<'a>(els: &'a [El], id: &str) -> (usize, &'a El) {
    let i = els
        .iter()
        .position(|e| e.name == "g" && e.has_class("person") && e.attr("data-id") == Some(id))
        .unwrap_or_else(|| panic!("no <g> for {id}"));
    (i, &els[i])
}

fn classes_inside(els: &[El], id: &str) -> Vec<String> {
    let (i, _) = person_el(els, id);
    inside(els, i).iter().filter_map(|e| e.attr("class").map(str::to_string)).collect()
}

fn texts_inside(els: &[El], id: &str) -> Vec<String> {
    let (i, _) = person_el(els, id);
    inside(els, i).iter().filter(|e| e.name == "text").map(|e| e.text.clone()).collect()
}

#[test]
fn reference_family_structure() {
    let input = reference_family();
    let (d, _) = check(&input);
    assert_eq!(d.layout.rows.len(), 4, "four generations");
    let gen = |id: &str| sym(&d, id).generation;
    for (id, g) in
        [("walter", 0), ("ruth", 0), ("paul", 1), ("susan", 1), ("linda", 1), ("emma", 2), ("david", 2), ("noah", 3)]
    {
        assert_eq!(gen(id), g, "{id}");
    }
    // Married-in spouses next to their partner.
    let pos = |id: &str| sym(&d, id).position;
    for (a, b) in [("emma", "david"), ("diane", "robert"), ("mark", "jenny"), ("paul", "susan")] {
        assert_eq!(pos(a).abs_diff(pos(b)), 1, "{a} beside {b}");
    }
    // Remarriage: Frank between his two wives, each union with its own line and children.
    assert!(pos("linda") + 1 == pos("frank") && pos("frank") + 1 == pos("carol"));
    assert!(sym(&d, "tom").x < sym(&d, "amy").x, "first marriage's children on the first wife's side");
    // The cousins who married stand side by side with a double line and the note.
    assert_eq!(pos("james") + 1, pos("lucy"));
    let cousins: Vec<_> = d.layout.segments.iter().filter(|s| s.ids == ["james", "lucy"]).collect();
    assert!(cousins.iter().any(|s| s.kind == SegmentKind::Union));
    assert!(cousins.iter().any(|s| s.kind == SegmentKind::UnionDouble));
    assert!(d.layout.marks.iter().any(|m| m.kind == MarkKind::ConsanguinityNote && m.text == "first cousins"));
    // Siblings in birth order (James, with his twin, moved to the end facing Lucy).
    let order: Vec<&str> = d.layout.rows[2].ids.iter().map(String::as_str).collect();
    let idx = |id: &str| order.iter().position(|x| *x == id).unwrap();
    assert!(
        idx("emma") < idx("sab") && idx("sab") < idx("kate") && idx("kate") < idx("john") && idx("john") < idx("james")
    );
    assert!(idx("lucy") < idx("anne") && idx("anne") < idx("sam"));
}

#[test]
fn reference_family_decorations_in_svg() {
    let input = reference_family();
    let (d, els) = check(&input);
    let attr = |id: &str, k: &str| person_el(&els, id).1.attr(k).map(str::to_string);

    // Deceased: slash and data attribute; the living have neither.
    for id in ["walter", "helen", "ruth", "sam", "sb"] {
        assert_eq!(attr(id, "data-deceased").as_deref(), Some("true"), "{id}");
        assert_eq!(classes_inside(&els, id).iter().filter(|c| *c == "deceased").count(), 1, "{id} slash");
    }
    for id in ["emma", "paul", "noah"] {
        assert!(attr(id, "data-deceased").is_none());
        assert!(!classes_inside(&els, id).contains(&"deceased".to_string()));
    }
    // Proband: arrow and P; consultand: arrow only.
    assert_eq!(attr("emma", "data-proband").as_deref(), Some("true"));
    let emma = classes_inside(&els, "emma");
    assert!(emma.contains(&"proband-arrow".into()) && emma.contains(&"proband-p".into()));
    assert!(texts_inside(&els, "emma").contains(&"P".into()));
    let james = classes_inside(&els, "james");
    assert!(james.contains(&"consultand-arrow".into()) && !james.contains(&"proband-p".into()));
    assert_eq!(els.iter().filter(|e| e.has_class("proband-arrow")).count(), 1);
    assert_eq!(els.iter().filter(|e| e.has_class("proband-p")).count(), 1);
    // Adoption: brackets for both; dashed line only for adopted in.
    for (id, kind) in [("kate", "in"), ("anne", "out")] {
        assert_eq!(attr(id, "data-adoption").as_deref(), Some(kind));
        let c = classes_inside(&els, id);
        assert!(c.contains(&"bracket bracket-left".into()) && c.contains(&"bracket bracket-right".into()), "{id}");
    }
    let child_line = |id: &str| {
        els.iter().find(|e| e.name == "line" && e.has_class("child") && e.attr("data-child") == Some(id)).unwrap()
    };
    assert!(child_line("kate").attr("stroke-dasharray").is_some());
    assert!(child_line("anne").attr("stroke-dasharray").is_none());
    // Carriers: a dot; presymptomatic: a vertical line.
    for id in ["arthur", "susan", "mark", "james", "lucy"] {
        assert_eq!(attr(id, "data-carrier").as_deref(), Some("cf"), "{id}");
        assert!(classes_inside(&els, id).contains(&"carrier".into()));
    }
    assert!(classes_inside(&els, "susan").contains(&"presymptomatic".into()));
    assert!(!classes_inside(&els, "emma").contains(&"carrier".into()));
    // Three conditions shown: quadrants (UL breast, UR ovarian, LR cystic fibrosis) + legend.
    let sections = |id: &str| -> Vec<(String, String)> {
        let (i, _) = person_el(&els, id);
        inside(&els, i)
            .iter()
            .filter(|e| e.has_class("section"))
            .map(|e| (e.attr("data-condition").unwrap().into(), e.attr("data-section").unwrap().into()))
            .collect()
    };
    assert_eq!(sections("emma"), [("brca".into(), "0".into()), ("ovc".into(), "1".into())]);
    assert_eq!(sections("noah"), [("cf".to_string(), "2".to_string())]);
    assert_eq!(attr("emma", "data-affected").as_deref(), Some("brca ovc"));
    let emma = sym(&d, "emma");
    assert_eq!(emma.sections.iter().map(|s| (s.index, s.count)).collect::<Vec<_>>(), [(0, 4), (1, 4)]);
    let legend: Vec<_> = els.iter().filter(|e| e.has_class("legend-entry")).collect();
    let conds: Vec<(&str, &str)> = legend
        .iter()
        .filter(|e| e.attr("data-kind") == Some("condition"))
        .map(|e| (e.attr("data-condition").unwrap(), e.attr("data-section").unwrap()))
        .collect();
    assert_eq!(conds, [("brca", "0"), ("ovc", "1"), ("cf", "2")]);
    let labels: Vec<&str> = els.iter().filter(|e| e.has_class("legend-label")).map(|e| e.text.as_str()).collect();
    assert!(labels.starts_with(&["Breast cancer", "Ovarian cancer", "Cystic fibrosis"]));
    // Solid black for the first condition, a pattern for the second, grey for the third.
    let fill_of = |id: &str, cond: &str| {
        let (i, _) = person_el(&els, id);
        inside(&els, i)
            .iter()
            .find(|e| e.attr("data-condition") == Some(cond))
            .unwrap()
            .attr("fill")
            .unwrap()
            .to_string()
    };
    assert_eq!(fill_of("emma", "brca"), "#000");
    assert_eq!(fill_of("emma", "ovc"), "url(#ped-fill-1)");
    assert_eq!(fill_of("noah", "cf"), "#9e9e9e");
    assert!(els.iter().any(|e| e.name == "pattern" && e.attr("id") == Some("ped-fill-1")));
    assert!(els.iter().any(|e| e.name == "clipPath" && e.attr("id") == Some("ped-clip-circle")));
    // Pregnancy "P", miscarriage and termination triangles (termination slashed), stillbirth.
    assert!(texts_inside(&els, "mia").contains(&"P".into()));
    assert!(classes_inside(&els, "top").contains(&"termination".into()));
    assert!(!classes_inside(&els, "sab").contains(&"termination".into()));
    assert!(texts_inside(&els, "sab").contains(&"SAB 10 wk".into()));
    assert!(texts_inside(&els, "top").contains(&"TOP 14 wk".into()));
    assert!(texts_inside(&els, "sb").contains(&"SB 32 wk".into()));
    assert!(sym(&d, "sab").size < sym(&d, "emma").size);
    // Intersex: diamond with the note.
    assert_eq!(attr("alex", "data-shape").as_deref(), Some("diamond"));
    assert!(texts_inside(&els, "alex").contains(&"intersex".into()));
    // Labels: number, name, ages, causes, conditions with age at diagnosis, tests.
    let walter = texts_inside(&els, "walter");
    assert_eq!(walter, ["I-1", "Walter Hayes", "b. 1930, d. 78 y", "MI"]);
    let emma_t = texts_inside(&els, "emma");
    for t in ["Emma Hayes", "b. 1989, 35 y", "BrCa dx 33 y", "OvCa dx 35 y", "BRCA1 +"] {
        assert!(emma_t.contains(&t.to_string()), "{t} in {emma_t:?}");
    }
    assert!(texts_inside(&els, "susan").contains(&"CF carrier".into()));
    // Markers: infertility on a couple (two bars), no children on a person (one bar).
    let rep =
        |ids: &[&str]| d.layout.segments.iter().filter(|s| s.kind == SegmentKind::Reproduction && s.ids == ids).count();
    assert_eq!(rep(&["diane", "robert"]), 3);
    assert_eq!(rep(&["john"]), 2);
    assert_eq!(attr("john", "data-reproduction").as_deref(), Some("no_children"));
    // Divorce: two hash marks; separation: one.
    let hashes = |a: &str, b: &str| {
        els.iter()
            .filter(|e| e.has_class("separation") && e.attr("data-a") == Some(a) && e.attr("data-b") == Some(b))
            .count()
    };
    assert_eq!(hashes("linda", "frank"), 2);
    assert_eq!(hashes("mark", "jenny"), 1);
    assert_eq!(hashes("paul", "susan"), 0);
    // Generation numerals and the title.
    let numerals: Vec<&str> = els.iter().filter(|e| e.has_class("generation")).map(|e| e.text.as_str()).collect();
    assert_eq!(numerals, ["I", "II", "III", "IV"]);
    assert!(els.iter().any(|e| e.has_class("title") && e.text.starts_with("Hayes")));
}

#[test]
fn reference_family_lines_in_svg() {
    let input = reference_family();
    let (d, els) = check(&input);
    let group = els.iter().position(|e| e.name == "g" && e.has_class("lines")).unwrap();
    let lines: Vec<&El> = els.iter().filter(|e| e.name == "line" && e.parent == Some(group)).collect();
    let svg_sym = |id: &str| {
        let e = els.iter().find(|e| e.has_class("person") && e.attr("data-id") == Some(id)).unwrap();
        translate(e)
    };
    // Union lines in the SVG end at the partners' symbols.
    for (a, b) in [("walter", "helen"), ("arthur", "ruth"), ("paul", "susan"), ("james", "lucy"), ("frank", "carol")] {
        let l = lines
            .iter()
            .find(|e| e.has_class("union") && e.attr("data-a") == Some(a) && e.attr("data-b") == Some(b))
            .unwrap_or_else(|| panic!("no union line {a}-{b}"));
        let (xa, ya) = svg_sym(a);
        let (xb, _) = svg_sym(b);
        assert!(close(l.f("x1"), xa + 20.0) && close(l.f("x2"), xb - 20.0), "{a}-{b}");
        assert!((l.f("y1") - ya).abs() <= 3.0);
    }
    // Double line for the cousins only.
    let doubles: Vec<_> = lines.iter().filter(|e| e.has_class("union-double")).collect();
    assert_eq!(doubles.len(), 1);
    assert_eq!(doubles[0].attr("data-a"), Some("james"));
    // Child lines reach the tops of the children's symbols.
    for c in ["frank", "emma", "noah", "olivia", "kate"] {
        let l = lines.iter().find(|e| e.has_class("child") && e.attr("data-child") == Some(c)).unwrap();
        let (x, y) = svg_sym(c);
        assert!(close(l.f("x2"), x) && close(l.f("y2"), y - 20.0), "{c}");
    }
    // Twins: lines from one point; a bar for MZ, none for DZ, "?" for unknown.
    let apex = |c: &str| {
        let l = lines.iter().find(|e| e.has_class("child") && e.attr("data-child") == Some(c)).unwrap();
        (l.f("x1"), l.f("y1"))
    };
    assert_eq!(apex("james"), apex("john"));
    assert_eq!(apex("olivia"), apex("leo"));
    assert_eq!(apex("amy"), apex("ben"));
    assert_ne!(apex("emma"), apex("james"));
    let bars: Vec<_> = lines.iter().filter(|e| e.has_class("twin-bar")).collect();
    assert_eq!(bars.len(), 1);
    assert_eq!(bars[0].attr("data-ids"), Some("john james"));
    let q: Vec<_> = els.iter().filter(|e| e.has_class("twin-unknown")).collect();
    assert_eq!(q.len(), 1);
    assert_eq!(q[0].text, "?");
    assert_eq!(q[0].attr("data-ids"), Some("amy ben"));
    // The layout and the SVG have the same lines.
    assert_eq!(lines.len(), d.layout.segments.len());
    // No union line for a person with no partner; a descent line for every union with children.
    assert_eq!(segs(&d, SegmentKind::Descent).count(), input.unions.iter().filter(|u| !u.children.is_empty()).count());
}

#[test]
fn names_hidden() {
    let mut input = reference_family();
    input.options.names = false;
    input.options.title = Some("Family A".into());
    let (d, els) = check(&input);
    let names: Vec<String> =
        reference_family().people.iter().filter_map(|p| p.name.clone()).filter(|n| !n.is_empty()).collect();
    assert!(!names.is_empty());
    for name in &names {
        for part in name.split_whitespace() {
            assert!(!d.svg.contains(part), "{part} appears in the SVG");
        }
    }
    assert!(els.iter().all(|e| !e.has_class("name")));
    assert!(d.layout.symbols.iter().all(|s| s.label.iter().all(|l| !names.contains(l))));
    // Everything else is still written.
    assert!(d.svg.contains("BRCA1 +") && d.svg.contains("d. 78 y"));
}

#[test]
fn options_turn_text_off() {
    let mut input = reference_family();
    input.options = DrawOptions {
        ages: false,
        birth_years: false,
        test_results: false,
        conditions: false,
        generation_numerals: false,
        individual_numbers: false,
        legend: false,
        title: None,
        ..Default::default()
    };
    let (d, els) = check(&input);
    let text: Vec<&str> = els.iter().filter(|e| e.name == "text").map(|e| e.text.as_str()).collect();
    for gone in ["BRCA1 +", "b. 1930", "d. 78", "dx 33", "III-4", "Breast cancer", "Hayes–Cole"] {
        assert!(!text.iter().any(|t| t.contains(gone)), "{gone}");
    }
    assert!(els.iter().all(|e| !e.has_class("generation") && !e.has_class("legend-entry")));
    assert!(d.svg.contains("Emma Hayes"));
    assert!(d.layout.legend.is_empty());
}

#[test]
fn text_is_escaped() {
    let mut input = reference_family();
    input.people[0].name = Some("Walter <\"Wally\"> & Sons'".into());
    input.conditions[0].label = "Breast <cancer> & \"more\"".into();
    input.options.title = Some("A & B <family>".into());
    input.options.id_prefix = "x\" onload=\"alert(1)".into();
    let (_, els) = check(&input);
    assert!(els.iter().any(|e| e.has_class("name") && e.text == "Walter <\"Wally\"> &"));
    assert!(els.iter().any(|e| e.has_class("legend-label") && e.text == "Breast <cancer> & \"more\""));
    assert!(els.iter().any(|e| e.has_class("title") && e.text == "A & B <family>"));
    assert!(els.iter().all(|e| !e.attrs.contains_key("onload")));
}
