//! Cyclic data (someone recorded as their own ancestor) is reported, broken, and never makes a
//! query loop. These tests finish quickly or not at all; there are no timings in them.

mod common;

use common::Ped;
use kinvault_model::{ChildRelationship, Family, FamilyChild, ParentLink, Sex};
use kinvault_pedigree::{FamilyGraph, GraphWarning, Links, RelateOptions};
use uuid::Uuid;

fn cycles(w: &[GraphWarning]) -> Vec<&GraphWarning> {
    w.iter().filter(|w| matches!(w, GraphWarning::Cycle { .. })).collect()
}

fn assert_acyclic(g: &FamilyGraph) {
    assert!(petgraph::algo::toposort(g, None).is_ok(), "graph still has a cycle");
}

#[test]
fn three_cycle_is_reported_and_broken() {
    let mut p = Ped::new();
    let (a, b, c, w) = (p.male(), p.male(), p.male(), p.female());
    p.add_child(&[a, w], b, &[]);
    p.add_child(&[b], c, &[]);
    p.add_child(&[c], a, &[]); // a is his own great-grandfather
    let (g, warnings) = p.build();
    let cyc = cycles(&warnings);
    assert_eq!(cyc.len(), 1, "{warnings:?}");
    let GraphWarning::Cycle { people, length, removed_child, removed_parent } = cyc[0] else { unreachable!() };
    assert_eq!(*length, 3);
    let mut sorted = people.clone();
    sorted.sort();
    assert_eq!(sorted, vec![a, b, c]);
    // The dropped link closes the cycle: the parent is the first listed, the child the last.
    assert_eq!((people[0], people[2]), (*removed_parent, *removed_child));
    assert!(cyc[0].to_string().contains("cycle of 3 people"));
    assert_acyclic(&g);
    // Every query still answers.
    for x in [a, b, c] {
        for y in [a, b, c, w] {
            g.relate(x, y, &RelateOptions::default()).unwrap();
            g.kinship(x, y).unwrap();
        }
        g.ancestors(x, 100, Links::All).unwrap();
        g.descendants(x, 100, Links::All).unwrap();
        g.inbreeding(x).unwrap();
    }
}

#[test]
fn own_parent_and_legal_cycles() {
    let mut p = Ped::new();
    let (a, b) = (p.male(), p.female());
    p.add_child(&[a], a, &[]);
    // b adopted her own father-in-law... of sorts: a legal link closing a cycle with a birth one.
    let c = p.child(&[b], Sex::Male);
    p.add_child(&[c], b, &[(c, ChildRelationship::Adopted)]);
    let (g, warnings) = p.build();
    assert_eq!(cycles(&warnings).len(), 2, "{warnings:?}");
    assert_acyclic(&g);
    g.relate(a, c, &RelateOptions::default()).unwrap();
    g.relate(b, c, &RelateOptions::default()).unwrap();
    g.ancestors(b, 10, Links::All).unwrap();
}

#[test]
fn very_deep_cycle_is_found_without_recursion() {
    // A chain 300 000 long whose top person is also recorded as the bottom one's child.
    let n = 300_000usize;
    let ids: Vec<Uuid> = (1..=n as u128).map(Uuid::from_u128).collect();
    let mut families = Vec::with_capacity(n);
    for i in 1..n {
        let mut f = Family::new(vec![ids[i]]);
        f.id = Uuid::from_u128(10_000_000 + i as u128);
        f.children.push(FamilyChild { person: ids[i - 1], links: vec![] });
        families.push(f);
    }
    let mut closing = Family::new(vec![ids[0]]);
    closing.id = Uuid::from_u128(20_000_000);
    closing.children.push(FamilyChild { person: ids[n - 1], links: vec![] });
    families.push(closing);
    let (g, warnings) = FamilyGraph::build(ids.iter().map(|&id| (id, Sex::Male)), families.iter());
    let cyc = cycles(&warnings);
    assert_eq!(cyc.len(), 1);
    let GraphWarning::Cycle { people, length, .. } = cyc[0] else { unreachable!() };
    assert_eq!(*length, n);
    assert_eq!(people.len(), 1000, "the listed people are capped");
    assert_acyclic(&g);
    // Queries along the whole chain stay iterative.
    let anc = g.ancestors(ids[0], u32::MAX, Links::Biological).unwrap();
    assert!(anc.len() >= n - 2);
    g.kinship(ids[0], ids[n / 2]).unwrap();
    g.relate(ids[0], ids[n - 1], &RelateOptions::default()).unwrap();
}

#[test]
fn incremental_links_that_close_a_cycle_are_refused() {
    let mut p = Ped::new();
    let (a, w) = (p.male(), p.female());
    let b = p.child(&[a, w], Sex::Male);
    let c = p.child(&[b], Sex::Male);
    let mut g = p.graph();
    let mut bad = Family::new(vec![c]);
    bad.id = Uuid::from_u128(0xBAD);
    bad.children
        .push(FamilyChild { person: a, links: vec![ParentLink { parent: c, relationship: ChildRelationship::Birth }] });
    let warnings = g.add_family(&bad);
    let cyc = cycles(&warnings);
    assert_eq!(cyc.len(), 1, "{warnings:?}");
    let GraphWarning::Cycle { people, removed_child, removed_parent, .. } = cyc[0] else { unreachable!() };
    assert_eq!((*removed_child, *removed_parent), (a, c));
    assert_eq!(people, &vec![c, b, a]);
    assert_acyclic(&g);
    assert_eq!(g.biological_parents(g.index_of(a).unwrap()).count(), 0);
}
