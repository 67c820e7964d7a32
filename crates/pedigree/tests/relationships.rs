//! Relationship names on built pedigrees (Gramps' English terms), every path listed.

mod common;

use common::Ped;
use kinvault_model::{ChildRelationship, Sex};
use kinvault_pedigree::{FamilyGraph, LegalKind, Links, RelateOptions, RelationKind, Relationships};
use uuid::Uuid;

fn relate(g: &FamilyGraph, a: Uuid, b: Uuid) -> Relationships {
    g.relate(a, b, &RelateOptions::default()).unwrap()
}

fn names(r: &Relationships) -> Vec<String> {
    r.relationships.iter().map(|r| r.name.clone()).collect()
}

fn primary(g: &FamilyGraph, a: Uuid, b: Uuid) -> String {
    relate(g, a, b).primary().map(|r| r.name.clone()).unwrap_or_default()
}

/// Three lines down from one couple: a (all male), b (all male), c (all female).
struct Lines {
    g: FamilyGraph,
    root: (Uuid, Uuid),
    a: Vec<Uuid>,
    b: Vec<Uuid>,
    c: Vec<Uuid>,
    unknown_child: Uuid,
}

fn lines() -> Lines {
    let mut p = Ped::new();
    let (r1, r2) = (p.male(), p.female());
    let line = |p: &mut Ped, sex: Sex| {
        let mut v = vec![Uuid::nil()];
        let mut cur = p.child(&[r1, r2], sex);
        v.push(cur);
        for _ in 2..=5 {
            let spouse = p.person(if sex == Sex::Male { Sex::Female } else { Sex::Male });
            cur = p.child(&[cur, spouse], sex);
            v.push(cur);
        }
        v
    };
    let a = line(&mut p, Sex::Male);
    let b = line(&mut p, Sex::Male);
    let c = line(&mut p, Sex::Female);
    let unknown_child = p.child(&[r1, r2], Sex::Unknown);
    Lines { g: p.graph(), root: (r1, r2), a, b, c, unknown_child }
}

#[test]
fn gramps_names_by_ga_gb() {
    let l = lines();
    // (Ga, Gb, what a male b is, what a female b is)
    let table = [
        (1, 1, "brother", "sister"),
        (2, 1, "uncle", "aunt"),
        (3, 1, "granduncle", "grandaunt"),
        (4, 1, "great granduncle", "great grandaunt"),
        (5, 1, "second great granduncle", "second great grandaunt"),
        (1, 2, "nephew", "niece"),
        (1, 3, "grandnephew", "grandniece"),
        (1, 4, "great grandnephew", "great grandniece"),
        (1, 5, "second great grandnephew", "second great grandniece"),
        (2, 2, "first cousin", "first cousin"),
        (3, 3, "second cousin", "second cousin"),
        (4, 4, "third cousin", "third cousin"),
        (5, 5, "fourth cousin", "fourth cousin"),
        (2, 3, "first cousin once removed", "first cousin once removed"),
        (3, 2, "first cousin once removed", "first cousin once removed"),
        (2, 4, "first cousin twice removed", "first cousin twice removed"),
        (5, 2, "first cousin three times removed", "first cousin three times removed"),
        (3, 5, "second cousin twice removed", "second cousin twice removed"),
        (4, 5, "third cousin once removed", "third cousin once removed"),
    ];
    for (ga, gb, male, female) in table {
        for (b, want) in [(l.b[gb as usize], male), (l.c[gb as usize], female)] {
            let r = relate(&l.g, l.a[ga as usize], b);
            assert_eq!(r.relationships.len(), 1, "({ga},{gb}): {r:?}");
            let rel = &r.relationships[0];
            assert_eq!(rel.name, want, "Ga={ga} Gb={gb}");
            assert_eq!((rel.ga, rel.gb, rel.kind, rel.half), (ga, gb, RelationKind::Blood, false));
            assert_eq!(rel.common_ancestors, vec![l.root.0, l.root.1], "the couple counts once");
        }
    }
    // Direct lines: Gb = 0 (b is the ancestor) and Ga = 0 (b is the descendant).
    let (r1, r2) = l.root;
    let up =
        [(1, "father", "mother"), (2, "grandfather", "grandmother"), (3, "great grandfather", "great grandmother")];
    for (ga, male, female) in up {
        assert_eq!(primary(&l.g, l.a[ga], r1), male);
        assert_eq!(primary(&l.g, l.a[ga], r2), female);
    }
    assert_eq!(primary(&l.g, l.a[4], r1), "second great grandfather");
    assert_eq!(primary(&l.g, l.a[5], r2), "third great grandmother");
    let down = [(1, "son", "daughter"), (2, "grandson", "granddaughter"), (3, "great grandson", "great granddaughter")];
    for (gb, male, female) in down {
        assert_eq!(primary(&l.g, r1, l.b[gb]), male);
        assert_eq!(primary(&l.g, r2, l.c[gb]), female);
    }
    assert_eq!(primary(&l.g, r1, l.b[4]), "second great grandson");
    let r = relate(&l.g, l.a[3], r1);
    assert_eq!((r.relationships[0].ga, r.relationships[0].gb), (3, 0));
    assert_eq!(r.relationships[0].common_ancestors, vec![r1]);
    // Unknown sex: Gramps' neutral words.
    assert_eq!(primary(&l.g, l.a[2], l.unknown_child), "uncle/aunt");
    assert_eq!(primary(&l.g, l.unknown_child, l.a[2]), "nephew");
    assert_eq!(primary(&l.g, l.a[1], l.unknown_child), "sibling");
    assert_eq!(primary(&l.g, l.a[1], l.a[1]), "same person");
}

#[test]
fn relate_is_symmetric_in_ga_gb() {
    let l = lines();
    for &x in &l.a[1..] {
        for &y in l.b[1..].iter().chain(&l.c[1..]) {
            let (xy, yx) = (relate(&l.g, x, y), relate(&l.g, y, x));
            let flip: Vec<_> = yx.relationships.iter().map(|r| (r.gb, r.ga, r.common_ancestors.clone())).collect();
            let same: Vec<_> = xy.relationships.iter().map(|r| (r.ga, r.gb, r.common_ancestors.clone())).collect();
            assert_eq!(same, flip);
        }
    }
}

#[test]
fn half_relations() {
    let mut p = Ped::new();
    let (f, m1, m2) = (p.male(), p.female(), p.female());
    let x = p.child(&[f, m1], Sex::Male);
    let y = p.child(&[f, m2], Sex::Female);
    let lone = p.person(Sex::Male);
    p.add_child(&[f], lone, &[]); // other parent unknown
    let (wx, hy) = (p.female(), p.male());
    let xc = p.child(&[x, wx], Sex::Female);
    let yc = p.child(&[hy, y], Sex::Male);
    let g = p.graph();
    let r = relate(&g, x, y);
    assert_eq!(names(&r), ["half-sister"]);
    assert!(r.relationships[0].half);
    assert_eq!(r.relationships[0].common_ancestors, vec![f]);
    assert_eq!(primary(&g, y, x), "half-brother");
    assert_eq!(primary(&g, xc, y), "half-aunt");
    assert_eq!(primary(&g, y, xc), "half-niece");
    assert_eq!(primary(&g, xc, yc), "half-first cousin");
    // Gramps: with a parent unknown, we cannot say "half".
    assert_eq!(primary(&g, x, lone), "brother");
}

#[test]
fn double_first_cousins_list_both_couples() {
    let mut p = Ped::new();
    let (f1, m1, f2, m2) = (p.male(), p.female(), p.male(), p.female());
    let x1 = p.child(&[f1, m1], Sex::Male);
    let x2 = p.child(&[f1, m1], Sex::Male);
    let y1 = p.child(&[f2, m2], Sex::Female);
    let y2 = p.child(&[f2, m2], Sex::Female);
    let a = p.child(&[x1, y1], Sex::Male);
    let b = p.child(&[x2, y2], Sex::Female);
    let g = p.graph();
    let r = relate(&g, a, b);
    assert_eq!(names(&r), ["first cousin", "first cousin"]);
    let mut commons: Vec<_> = r.relationships.iter().map(|r| r.common_ancestors.clone()).collect();
    commons.sort();
    assert_eq!(commons, vec![vec![f1, m1], vec![f2, m2]]);
    let text = r.describe(|id| format!("#{}", id.as_u128()));
    assert!(text.starts_with("first cousin; also first cousin through #"), "{text}");
    let one = RelateOptions { max_relationships: 1, ..Default::default() };
    let r = g.relate(a, b, &one).unwrap();
    assert_eq!((r.relationships.len(), r.truncated), (1, true));
    assert_eq!(relate(&g, f1, f2).describe(|_| String::new()), "not related");
}

#[test]
fn also_third_cousin_through_another_line() {
    let mut p = Ped::new();
    // First cousins through grandparents g1, g2...
    let (g1, g2) = (p.male(), p.female());
    let pa = p.child(&[g1, g2], Sex::Male);
    let pb = p.child(&[g1, g2], Sex::Female);
    // ...and their other parents are second cousins through h1, h2.
    let (h1, h2) = (p.male(), p.female());
    let s1 = p.child(&[h1, h2], Sex::Female);
    let s2 = p.child(&[h1, h2], Sex::Male);
    let (o1, o2) = (p.male(), p.female());
    let t1 = p.child(&[o1, s1], Sex::Female);
    let t2 = p.child(&[s2, o2], Sex::Male);
    let (o3, o4) = (p.male(), p.female());
    let qa = p.child(&[o3, t1], Sex::Female);
    let qb = p.child(&[t2, o4], Sex::Male);
    let a = p.child(&[pa, qa], Sex::Male);
    let b = p.child(&[qb, pb], Sex::Female);
    let g = p.graph();
    let r = relate(&g, a, b);
    assert_eq!(names(&r), ["first cousin", "third cousin"]);
    assert_eq!(r.relationships[1].common_ancestors, vec![h1, h2]);
    assert_eq!((r.relationships[1].ga, r.relationships[1].gb), (4, 4));
    let text = r.describe(|id| {
        if id == h1 {
            "H1".into()
        } else if id == h2 {
            "H2".into()
        } else {
            "?".into()
        }
    });
    assert_eq!(text, "first cousin; also third cousin through H1 and H2");
}

#[test]
fn pedigree_collapse() {
    let mut p = Ped::new();
    let (g, gw) = (p.male(), p.female());
    let son = p.child(&[g, gw], Sex::Male);
    let dau = p.child(&[g, gw], Sex::Female);
    let sw = p.female();
    let grandson = p.child(&[son, sw], Sex::Male);
    // The grandson marries his aunt: their child descends from g at generations 2 and 3.
    let kid = p.child(&[grandson, dau], Sex::Female);
    let graph = p.graph();
    let anc = graph.ancestors(kid, 5, Links::Biological).unwrap();
    let entry = anc.iter().find(|e| e.person == g).unwrap();
    assert_eq!(entry.generations, vec![2, 3], "listed once, with both generations");
    assert_eq!(anc.iter().filter(|e| e.person == g).count(), 1);
    assert_eq!(anc.len(), 6, "grandson, dau, son, sw, g, gw — g and gw once each: {anc:?}");
    let r = relate(&graph, kid, g);
    assert_eq!(names(&r), ["grandfather", "great grandfather"]);
    // Her father is also her first cousin (his father is her mother's brother), and the husband
    // of her grandaunt (her mother is her grandfather's sister).
    assert_eq!(names(&relate(&graph, kid, grandson)), ["father", "first cousin", "granduncle-in-law"]);
    let desc = graph.descendants(g, 3, Links::Biological).unwrap();
    let k = desc.iter().find(|e| e.person == kid).unwrap();
    assert_eq!(k.generations, vec![2, 3]);
}

#[test]
fn adoption_is_named_but_not_blood() {
    let mut p = Ped::new();
    let (gf, gm) = (p.male(), p.female());
    let f = p.child(&[gf, gm], Sex::Male);
    let m = p.female();
    let bio = p.child(&[f, m], Sex::Female);
    let adopted = p.adopted(&[f, m], Sex::Male);
    let g = p.graph();
    let r = relate(&g, f, adopted);
    assert_eq!(names(&r), ["son (adopted)"]);
    assert_eq!(r.relationships[0].kind, RelationKind::NonBirth);
    assert_eq!(r.relationships[0].legal, vec![LegalKind::Adopted]);
    assert_eq!(primary(&g, adopted, f), "father (adoptive)");
    assert_eq!(primary(&g, adopted, bio), "sister (adoptive)");
    assert_eq!(primary(&g, bio, adopted), "brother (adoptive)");
    assert_eq!(primary(&g, adopted, gf), "grandfather (adoptive)");
    assert_eq!(g.ancestors(adopted, 2, Links::Biological).unwrap(), vec![]);
    assert_eq!(g.ancestors(adopted, 1, Links::All).unwrap().len(), 2);
}

#[test]
fn step_relations() {
    let mut p = Ped::new();
    let (f, m) = (p.male(), p.female());
    let kid = p.child(&[f, m], Sex::Female);
    // The mother remarries; her new husband has a son from before.
    let (step_father, his_ex) = (p.male(), p.female());
    p.marry(m, step_father);
    let step_brother = p.child(&[step_father, his_ex], Sex::Male);
    // A child recorded with an explicit step link to the new husband.
    let recorded = p.person(Sex::Male);
    p.add_child(&[step_father, m], recorded, &[(step_father, ChildRelationship::Step)]);
    // The father's father remarries too.
    let (gf, gm, gf_wife) = (p.male(), p.female(), p.female());
    p.add_child(&[gf, gm], f, &[]);
    p.marry(gf, gf_wife);
    let g = p.graph();
    let r = relate(&g, kid, step_father);
    assert_eq!(names(&r), ["stepfather"]);
    assert_eq!((r.relationships[0].kind, r.relationships[0].via), (RelationKind::Step, Some(m)));
    assert_eq!(primary(&g, step_father, kid), "stepdaughter");
    assert_eq!(primary(&g, kid, step_brother), "stepbrother");
    assert_eq!(primary(&g, step_brother, kid), "stepsister");
    assert_eq!(primary(&g, kid, gf_wife), "stepgrandmother");
    assert_eq!(primary(&g, gf_wife, kid), "stepgranddaughter");
    // Explicit step link: named through the link (Gramps' "step" prefix), no kinship.
    assert_eq!(primary(&g, recorded, step_father), "stepfather");
    assert_eq!(primary(&g, step_father, recorded), "stepson");
    assert_eq!(primary(&g, recorded, m), "mother");
    // Gramps: the other birth parent is unknown, so not "half-".
    assert_eq!(primary(&g, kid, recorded), "brother");
}

#[test]
fn in_laws_and_partners() {
    let mut p = Ped::new();
    let (hf, hm) = (p.male(), p.female());
    let h = p.child(&[hf, hm], Sex::Male);
    let hs = p.child(&[hf, hm], Sex::Female);
    let hsh = p.male();
    p.marry(hsh, hs);
    let (wf, wm) = (p.male(), p.female());
    let w = p.child(&[wf, wm], Sex::Female);
    let wb = p.child(&[wf, wm], Sex::Male);
    let wbw = p.female();
    p.marry(wb, wbw);
    p.marry(h, w);
    let son = p.child(&[h, w], Sex::Male);
    let sw = p.female();
    p.marry(son, sw);
    // A first cousin of the wife.
    let wf_bro = p.person(Sex::Male);
    let (wgf, wgm) = (p.male(), p.female());
    p.add_child(&[wgf, wgm], wf, &[]);
    p.add_child(&[wgf, wgm], wf_bro, &[]);
    let wc = p.child(&[wf_bro], Sex::Female);
    // Two women, partners (not married).
    let (x, y) = (p.female(), p.female());
    p.family_of(&[x, y]);
    let g = p.graph();

    assert_eq!(names(&relate(&g, h, w)), ["wife"]);
    assert_eq!(names(&relate(&g, w, h)), ["husband"]);
    assert_eq!(names(&relate(&g, x, y)), ["partner"]);
    let r = relate(&g, h, wf);
    assert_eq!(names(&r), ["father-in-law"]);
    assert_eq!((r.relationships[0].kind, r.relationships[0].via), (RelationKind::InLaw, Some(w)));
    assert_eq!(primary(&g, h, wm), "mother-in-law");
    assert_eq!(primary(&g, h, wb), "brother-in-law");
    assert_eq!(primary(&g, h, hsh), "brother-in-law");
    assert_eq!(primary(&g, hsh, h), "brother-in-law");
    assert_eq!(primary(&g, wb, h), "brother-in-law");
    assert_eq!(primary(&g, h, sw), "daughter-in-law");
    assert_eq!(primary(&g, w, sw), "daughter-in-law");
    assert_eq!(primary(&g, sw, h), "father-in-law");
    assert_eq!(primary(&g, h, wc), "first cousin-in-law");
    assert_eq!(primary(&g, hf, w), "daughter-in-law");
    // The wife's brother's wife: two partner hops, not named (as in Gramps).
    assert!(!relate(&g, h, wbw).is_related());
    // Switches.
    let no_in_laws = RelateOptions { in_law: false, ..Default::default() };
    assert!(!g.relate(h, wf, &no_in_laws).unwrap().is_related());
}

#[test]
fn bounded_search_and_truncation() {
    let l = lines();
    let shallow = RelateOptions { max_generations: 2, ..Default::default() };
    assert_eq!(l.g.relate(l.a[2], l.b[2], &shallow).unwrap().primary().unwrap().name, "first cousin");
    assert!(!l.g.relate(l.a[3], l.b[3], &shallow).unwrap().is_related());
    let direction = RelateOptions { cousin_direction: true, ..Default::default() };
    assert_eq!(l.g.relate(l.a[3], l.b[2], &direction).unwrap().relationships[0].name, "first cousin once removed (up)");
    assert_eq!(
        l.g.relate(l.a[2], l.b[3], &direction).unwrap().relationships[0].name,
        "first cousin once removed (down)"
    );
}

#[test]
fn unknown_people_are_errors() {
    let l = lines();
    assert!(l.g.relate(Uuid::from_u128(999_999), l.a[1], &RelateOptions::default()).is_err());
}
