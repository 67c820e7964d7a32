//! `select`: the proband's relatives within N generations, with the partners that connect them.

mod common;

use common::*;
use kinvault_drawing::*;

fn ids(input: &DrawingInput) -> Vec<&str> {
    let mut v: Vec<&str> = input.people.iter().map(|p| p.id.as_str()).collect();
    v.sort();
    v
}

#[test]
fn one_generation_around_the_proband() {
    let full = reference_family();
    let sel = select(&full, "emma", 1).unwrap();
    let mut want = vec![
        "paul", "susan", "emma", "james", "john", "sab", "kate", "david", "lucy", "olivia", "leo", "top", "noah",
        "mia", "sb",
    ];
    want.sort();
    assert_eq!(ids(&sel), want);
    // Unions keep only people kept; those left without partners go.
    assert!(sel.unions.iter().all(|u| !u.partners.is_empty()));
    assert!(!sel.unions.iter().any(|u| u.partners.contains(&"walter".to_string())));
    // James and Lucy's common grandparents are gone, but their line stays double.
    let jl = sel.unions.iter().find(|u| u.partners == ["james", "lucy"]).unwrap();
    assert!(jl.consanguineous);
    let (d, _) = check(&sel);
    assert!(segs(&d, SegmentKind::UnionDouble)
        .any(|s| s.ids.contains(&"james".to_string()) && s.ids.contains(&"lucy".to_string())));
    assert_eq!(d.layout.rows.len(), 3);
}

#[test]
fn two_generations_reach_grandparents_aunts_and_cousins() {
    let full = reference_family();
    let sel = select(&full, "emma", 2).unwrap();
    for id in ["walter", "helen", "arthur", "ruth", "frank", "diane", "mark", "alex", "tom", "amy", "lucy", "anne"] {
        assert!(sel.people.iter().any(|p| p.id == id), "{id}");
    }
    // Partners connect: Frank's wives, Diane's husband, Mark's wife.
    for id in ["linda", "carol", "robert", "jenny"] {
        assert!(sel.people.iter().any(|p| p.id == id), "{id}");
    }
    assert_eq!(sel.people.len(), full.people.len());
    check(&sel);
}

#[test]
fn zero_generations_and_unknown_proband() {
    let full = reference_family();
    let sel = select(&full, "emma", 0).unwrap();
    assert_eq!(ids(&sel), ["david", "emma"]);
    check(&sel);
    assert_eq!(select(&full, "nobody", 2).unwrap_err(), DrawError::UnknownProband("nobody".into()));
}

#[test]
fn descendants_only_below() {
    let full = reference_family();
    let sel = select(&full, "walter", 2).unwrap();
    // Walter's descendants two generations down and their partners; not his in-laws' family.
    assert!(sel.people.iter().any(|p| p.id == "emma"));
    assert!(!sel.people.iter().any(|p| p.id == "noah"), "three generations down");
    assert!(!sel.people.iter().any(|p| p.id == "mark"), "Susan's brother is no relative of Walter");
    assert!(sel.people.iter().any(|p| p.id == "susan"), "Paul's wife connects");
    check(&sel);
}
