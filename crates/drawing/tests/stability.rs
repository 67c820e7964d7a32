//! Stability: adding a relative does not scramble the drawing. The left-to-right order of the
//! people already drawn never changes, and people elsewhere in the family move by a bounded
//! amount (about one symbol slot).

mod common;

use common::*;
use kinvault_drawing::*;
use proptest::prelude::*;
use std::collections::HashMap;

/// Adds a new youngest child `id` to union `u`.
fn with_new_child(input: &DrawingInput, u: usize, id: &str, sex: Sex) -> DrawingInput {
    let mut out = input.clone();
    out.people.push(person(id, sex));
    out.unions[u].children.push(DrawChild::biological(id));
    out
}

/// Every row of `before`, restricted to people also in `after`, keeps its order there; returns
/// the largest horizontal move of anyone not in `exclude`.
fn compare(before: &Drawing, after: &Drawing, exclude: &[&str]) -> f64 {
    for (rb, ra) in before.layout.rows.iter().zip(&after.layout.rows) {
        let kept: Vec<&String> = ra.ids.iter().filter(|id| rb.ids.contains(id)).collect();
        assert_eq!(kept, rb.ids.iter().collect::<Vec<_>>(), "row {} reordered", rb.numeral);
    }
    let after_x: HashMap<&str, (f64, u32)> =
        after.layout.symbols.iter().map(|s| (s.id.as_str(), (s.x, s.generation))).collect();
    let mut worst: f64 = 0.0;
    for s in &before.layout.symbols {
        let (x, g) = after_x[s.id.as_str()];
        assert_eq!(g, s.generation, "{} changed generation", s.id);
        if !exclude.contains(&s.id.as_str()) {
            worst = worst.max((x - s.x).abs());
        }
    }
    worst
}

/// One slot: a symbol, the gap to a neighbour and room for labels.
const SLOT: f64 = 100.0;

/// The family the child joins: the union's partners and their ancestors (who re-centre over
/// the wider sibship), the siblings and everyone below them.
fn close_family(input: &DrawingInput, u: usize) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut up: Vec<String> = input.unions[u].partners.clone();
    while let Some(p) = up.pop() {
        if !out.contains(&p) {
            out.push(p.clone());
            for un in input.unions.iter().filter(|un| un.children.iter().any(|c| c.id == p)) {
                up.extend(un.partners.iter().cloned());
            }
        }
    }
    let mut down: Vec<String> = input.unions[u].children.iter().map(|c| c.id.clone()).collect();
    while let Some(p) = down.pop() {
        if !out.contains(&p) {
            out.push(p.clone());
            for un in input.unions.iter().filter(|un| un.partners.contains(&p)) {
                down.extend(un.partners.iter().cloned());
                down.extend(un.children.iter().map(|c| c.id.clone()));
            }
        }
    }
    out
}

#[test]
fn new_child_in_the_reference_family() {
    let input = reference_family();
    let before = draw(&input).unwrap();
    // A new youngest child for Mark and Jenny (generation III), and one for Emma and David.
    for (u, id) in [(6usize, "new1"), (7, "new2"), (0, "new3")] {
        let after_input = with_new_child(&input, u, id, Sex::Female);
        let (after, _) = check(&after_input);
        let worst = compare(&before, &after, &[]);
        assert!(worst <= 1.5 * SLOT, "union {u}: someone moved {worst}");
        // People of the other side of the family hardly move.
        let far: &[&str] = if u == 6 { &["walter", "helen", "frank", "linda", "tom"] } else { &["arthur", "ruth"] };
        let moved = far.iter().map(|id| (sym(&before, id).x - sym(&after, id).x).abs()).fold(0.0, f64::max);
        assert!(moved <= SLOT, "union {u}: far relatives moved {moved}");
    }
}

#[test]
fn new_child_in_a_large_family() {
    let input = big_family(6, 42);
    let before = draw(&input).unwrap();
    let (mut worst, mut worst_all): (f64, f64) = (0.0, 0.0);
    let with_kids: Vec<usize> = (0..input.unions.len()).filter(|&u| !input.unions[u].children.is_empty()).collect();
    assert!(with_kids.len() >= 12);
    for &u in &with_kids {
        let after = draw(&with_new_child(&input, u, "newborn", Sex::Male)).unwrap();
        let family = close_family(&input, u);
        let family: Vec<&str> = family.iter().map(String::as_str).collect();
        worst = worst.max(compare(&before, &after, &family));
        worst_all = worst_all.max(compare(&before, &after, &[]));
    }
    eprintln!("large family: outside the family {worst:.1}, anyone {worst_all:.1}");
    assert!(worst <= SLOT, "someone outside the child's family moved {worst}");
    assert!(worst_all <= 2.5 * SLOT, "someone moved {worst_all}");
}

#[test]
fn same_input_same_drawing() {
    let input = big_family(5, 3);
    let a = draw(&input).unwrap();
    let b = draw(&input.clone()).unwrap();
    assert_eq!(a.svg, b.svg);
    assert_eq!(a.layout, b.layout);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Whatever the family and wherever the child is added, the order of everyone already
    /// drawn is kept, and the new child stands among their siblings.
    #[test]
    fn adding_a_child_never_reorders(seed in 0u64..10_000, gens in 2usize..5, pick in 0usize..1000) {
        let input = big_family(gens, seed);
        let with_kids: Vec<usize> = (0..input.unions.len()).filter(|&u| !input.unions[u].children.is_empty()).collect();
        prop_assume!(!with_kids.is_empty());
        let u = with_kids[pick % with_kids.len()];
        let before = draw(&input).unwrap();
        let after_input = with_new_child(&input, u, "newborn", Sex::Female);
        let (after, _) = check(&after_input);
        compare(&before, &after, &[]);
        let new = sym(&after, "newborn");
        let sibs: Vec<&LayoutSymbol> = input.unions[u].children.iter().map(|c| sym(&after, &c.id)).collect();
        prop_assert!(sibs.iter().all(|s| s.generation == new.generation));
    }
}
