//! Incremental updates and graph plumbing (petgraph traits, memory report).

mod common;

use common::{d, Ped};
use kinvault_model::{Family, FamilyChild, Sex, UnionKind};
use kinvault_pedigree::{Dyadic, FamilyGraph, Links, RelateOptions};
use petgraph::visit::{Dfs, IntoNeighborsDirected, Reversed};
use petgraph::Direction;
use uuid::Uuid;

fn primary(g: &FamilyGraph, a: Uuid, b: Uuid) -> String {
    g.relate(a, b, &RelateOptions::default()).unwrap().primary().map(|r| r.name.clone()).unwrap_or_default()
}

#[test]
fn add_and_remove_people_and_families() {
    let mut p = Ped::new();
    let (gf, gm) = (p.male(), p.female());
    let f = p.child(&[gf, gm], Sex::Male);
    let m = p.female();
    let kid = p.child(&[f, m], Sex::Female);
    let mut g = p.graph();
    assert_eq!(primary(&g, kid, gf), "grandfather");

    // A new person and family: kid has a son.
    let (partner, son) = (Uuid::from_u128(500), Uuid::from_u128(501));
    g.add_person(partner, Sex::Male);
    g.add_person(son, Sex::Male);
    let mut fam = Family::new(vec![partner, kid]);
    fam.id = Uuid::from_u128(600);
    fam.children.push(FamilyChild { person: son, links: vec![] });
    assert!(g.add_family(&fam).is_empty());
    assert_eq!(primary(&g, son, gm), "great grandmother");
    assert_eq!(primary(&g, kid, partner), "partner");
    assert_eq!(g.kinship(son, gf).unwrap(), d("1/16"));

    // They marry: update the family.
    let mut married = fam.clone();
    married.kind = UnionKind::Married;
    assert!(g.update_family(&fam, &married).is_empty());
    assert_eq!(primary(&g, kid, partner), "husband");
    assert_eq!(primary(&g, partner, kid), "wife");

    // Remove the father: the line to the grandparents is cut.
    assert!(g.remove_person(f));
    assert!(!g.contains(f));
    assert_eq!(g.len(), 6);
    assert_eq!(g.kinship(kid, gf).unwrap(), Dyadic::ZERO);
    assert!(!g.relate(kid, gf, &RelateOptions::default()).unwrap().is_related());
    assert_eq!(g.ancestors(son, 5, Links::All).unwrap().len(), 3, "partner, kid, m");
    assert!(g.relate(f, kid, &RelateOptions::default()).is_err());
    // Re-adding revives the id with no links.
    g.add_person(f, Sex::Male);
    assert_eq!(g.ancestors(f, 3, Links::All).unwrap(), vec![]);

    // Remove the new family again.
    assert!(g.remove_family(&married));
    assert!(!g.relate(kid, son, &RelateOptions::default()).unwrap().is_related());
    assert!(g.set_sex(son, Sex::Female));
    assert_eq!(g.sex(g.index_of(son).unwrap()), Sex::Female);
}

#[test]
fn petgraph_sees_the_biological_graph() {
    let mut p = Ped::new();
    let (gf, gm) = (p.male(), p.female());
    let f = p.child(&[gf, gm], Sex::Male);
    let m = p.female();
    let kid = p.child(&[f, m], Sex::Female);
    let adopted = p.adopted(&[f, m], Sex::Male);
    let g = p.graph();
    let ix = |id| g.index_of(id).unwrap();
    let order = petgraph::algo::toposort(&g, None).unwrap();
    let pos = |id| order.iter().position(|&x| x == ix(id)).unwrap();
    assert!(pos(gf) < pos(f) && pos(f) < pos(kid) && pos(m) < pos(kid));
    let parents: Vec<_> = (&g).neighbors_directed(ix(kid), Direction::Incoming).collect();
    assert_eq!(parents.len(), 2);
    // Descendants with petgraph's (iterative) DFS; adoption is not a biological edge.
    let mut dfs = Dfs::new(&g, ix(gf));
    let mut seen = Vec::new();
    while let Some(n) = dfs.next(&g) {
        seen.push(g.id_of(n));
    }
    assert!(seen.contains(&kid) && !seen.contains(&adopted));
    // Ancestors by walking the reversed graph.
    let rev = Reversed(&g);
    let mut dfs = Dfs::new(rev, ix(kid));
    let mut count = 0;
    while dfs.next(rev).is_some() {
        count += 1;
    }
    assert_eq!(count, 5, "kid, f, m, gf, gm");
}

#[test]
fn memory_is_reported() {
    let mut p = Ped::new();
    for _ in 0..100 {
        let (a, b) = (p.male(), p.female());
        p.marry(a, b);
        p.child(&[a, b], Sex::Female);
    }
    let g = p.graph();
    assert_eq!(g.len(), 300);
    assert!(g.memory_bytes() > 300 * 40);
    assert!(g.bytes_per_person() < 200.0, "{}", g.bytes_per_person());
}
