//! Property tests on random pedigrees, checked against the classic tabular (matrix) kinship
//! algorithm computed exactly, and against the recursive definitions.

use std::collections::BTreeMap;

use kinvault_model::{Family, FamilyChild, Sex, TwinSet, Zygosity};
use kinvault_pedigree::{Dyadic, FamilyGraph, GraphWarning, Links, RelateOptions, RelationKind};
use proptest::prelude::*;
use uuid::Uuid;

/// A random pedigree: person `i`'s parents are earlier people (a DAG), so indices are a
/// topological order; pairs of same-sex siblings may be monozygotic twins.
#[derive(Debug, Clone)]
struct Spec {
    male: Vec<bool>,
    parents: Vec<(Option<usize>, Option<usize>)>,
    /// `twin_of[i] = Some(j)`: i is an MZ twin of the earlier j.
    twin_of: Vec<Option<usize>>,
}

fn spec(max: usize) -> impl Strategy<Value = Spec> {
    (2usize..max)
        .prop_flat_map(|n| proptest::collection::vec((any::<bool>(), any::<u16>(), any::<u16>(), 0u8..100), n))
        .prop_map(|rows| {
            let mut s = Spec { male: vec![], parents: vec![], twin_of: vec![] };
            for (i, &(male, fp, mp, r)) in rows.iter().enumerate() {
                // Recent people are likelier parents, so loops (inbreeding) are common.
                let pick = |want_male: bool, roll: u16, s: &Spec| {
                    let cands: Vec<usize> = (0..i).rev().filter(|&j| s.male[j] == want_male).take(6).collect();
                    if cands.is_empty() || roll < u16::MAX / 5 {
                        None
                    } else {
                        Some(cands[roll as usize % cands.len()])
                    }
                };
                let (f, m) = (pick(true, fp, &s), pick(false, mp, &s));
                let twin = (i > 0 && r < 15)
                    .then(|| i - 1)
                    .filter(|&j| s.parents[j] == (f, m) && s.male[j] == male && (f.is_some() || m.is_some()));
                s.male.push(male);
                s.parents.push((f, m));
                s.twin_of.push(twin.map(|j| s.twin_of[j].unwrap_or(j)));
            }
            s
        })
}

fn id(i: usize) -> Uuid {
    Uuid::from_u128(i as u128 + 1)
}

fn families(s: &Spec) -> Vec<Family> {
    let mut by_couple: BTreeMap<(Option<usize>, Option<usize>), Family> = BTreeMap::new();
    for (i, &(f, m)) in s.parents.iter().enumerate() {
        if f.is_none() && m.is_none() {
            continue;
        }
        let fam = by_couple.entry((f, m)).or_insert_with(|| {
            let mut fam = Family::new([f, m].into_iter().flatten().map(id).collect());
            fam.id = Uuid::from_u128(0xF000_0000 + i as u128);
            fam
        });
        fam.children.push(FamilyChild { person: id(i), links: vec![] });
        if let Some(j) = s.twin_of[i] {
            match fam.twins.iter_mut().find(|t| t.members.contains(&id(j))) {
                Some(t) => t.members.push(id(i)),
                None => fam.twins.push(TwinSet { members: vec![id(j), id(i)], zygosity: Zygosity::Monozygotic }),
            }
        }
    }
    by_couple.into_values().collect()
}

fn people(s: &Spec) -> Vec<(Uuid, Sex)> {
    s.male.iter().enumerate().map(|(i, &m)| (id(i), if m { Sex::Male } else { Sex::Female })).collect()
}

fn build(s: &Spec) -> FamilyGraph {
    let fams = families(s);
    let (g, w) = FamilyGraph::build(people(s), fams.iter());
    assert!(w.is_empty(), "{w:?}");
    g
}

/// The tabular method: fill the kinship matrix in topological order (Emik & Terrill 1949; for
/// X, the same recursion as ribd's kinshipX). MZ twins copy their co-twin's row.
#[allow(clippy::needless_range_loop)] // matrix code reads better with indices
fn oracle(s: &Spec, x: bool) -> Vec<Vec<Dyadic>> {
    let n = s.male.len();
    let mut phi = vec![vec![Dyadic::ZERO; n]; n];
    let half = |v: Dyadic| v.half();
    for i in 0..n {
        if let Some(c) = s.twin_of[i] {
            for j in 0..i {
                phi[i][j] = phi[c][j].clone();
                phi[j][i] = phi[c][j].clone();
            }
            phi[i][i] = phi[c][c].clone();
            continue;
        }
        let (f, m) = s.parents[i];
        let get = |p: Option<usize>, j: usize, phi: &Vec<Vec<Dyadic>>| p.map_or(Dyadic::ZERO, |p| phi[p][j].clone());
        let inbreeding = match (f, m) {
            (Some(f), Some(m)) => phi[f][m].clone(),
            _ => Dyadic::ZERO,
        };
        phi[i][i] = if x && s.male[i] { Dyadic::ONE } else { half(Dyadic::ONE + inbreeding) };
        for j in 0..i {
            let v = if x && s.male[i] { get(m, j, &phi) } else { half(get(f, j, &phi) + get(m, j, &phi)) };
            phi[i][j] = v.clone();
            phi[j][i] = v;
        }
    }
    phi
}

proptest! {
    // PROPTEST_CASES raises the count for a soak run.
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(48),
        ..ProptestConfig::default()
    })]

    #[test]
    fn kinship_matches_the_tabular_method(s in spec(22)) {
        let g = build(&s);
        let (auto, xk) = (oracle(&s, false), oracle(&s, true));
        let n = s.male.len();
        for i in 0..n {
            for j in 0..n {
                prop_assert_eq!(&g.kinship(id(i), id(j)).unwrap(), &auto[i][j], "autosomal {} {}", i, j);
                prop_assert_eq!(&g.kinship_x(id(i), id(j)).unwrap(), &xk[i][j], "X {} {}", i, j);
            }
            let f = match s.parents[i] { (Some(f), Some(m)) => auto[f][m].clone(), _ => Dyadic::ZERO };
            prop_assert_eq!(g.inbreeding(id(i)).unwrap(), f);
        }
    }

    #[test]
    fn kinship_identities(s in spec(26)) {
        let g = build(&s);
        let n = s.male.len();
        for a in 0..n {
            let (ia, fa) = (id(a), g.inbreeding(id(a)).unwrap());
            // φ(a,a) = ½(1 + F_a)
            prop_assert_eq!(g.kinship(ia, ia).unwrap(), (Dyadic::ONE + fa).half());
            // Descendants of a's genome (a and any MZ co-twin).
            let canon = |i: usize| s.twin_of[i].unwrap_or(i);
            let mut desc: Vec<Uuid> = Vec::new();
            for x in (0..n).filter(|&x| canon(x) == canon(a)) {
                desc.extend(g.descendants(id(x), 100, Links::Biological).unwrap().into_iter().map(|e| e.person));
            }
            for b in 0..n {
                let ib = id(b);
                // Symmetry.
                prop_assert_eq!(g.kinship(ia, ib).unwrap(), g.kinship(ib, ia).unwrap());
                prop_assert_eq!(g.kinship_x(ia, ib).unwrap(), g.kinship_x(ib, ia).unwrap());
                // The parent recursion, for b not a's genome nor its descendant.
                if canon(b) != canon(a) && !desc.contains(&ib) {
                    let (f, m) = s.parents[a];
                    let phi = |p: Option<usize>| p.map_or(Dyadic::ZERO, |p| g.kinship(id(p), ib).unwrap());
                    prop_assert_eq!(g.kinship(ia, ib).unwrap(), (phi(f) + phi(m)).half(), "{} {}", a, b);
                }
            }
        }
    }

    #[test]
    fn relate_agrees_with_kinship_and_is_symmetric(s in spec(22)) {
        let g = build(&s);
        let n = s.male.len();
        let opts = RelateOptions::default();
        for a in 0..n {
            for b in 0..n {
                if a == b { continue; }
                let r = g.relate(id(a), id(b), &opts).unwrap();
                let blood: Vec<_> = r.relationships.iter().filter(|r| r.kind == RelationKind::Blood).collect();
                let related = !g.kinship(id(a), id(b)).unwrap().is_zero();
                prop_assert_eq!(!blood.is_empty(), related, "{} {}: {:?}", a, b, r);
                let back = g.relate(id(b), id(a), &opts).unwrap();
                let mut fwd: Vec<_> = blood.iter().map(|r| (r.ga, r.gb, r.common_ancestors.clone(), r.half)).collect();
                let mut rev: Vec<_> = back.relationships.iter().filter(|r| r.kind == RelationKind::Blood)
                    .map(|r| (r.gb, r.ga, r.common_ancestors.clone(), r.half)).collect();
                fwd.sort();
                rev.sort();
                prop_assert_eq!(fwd, rev);
            }
        }
    }

    #[test]
    fn incremental_updates_match_a_rebuild(s in spec(18), drop in any::<prop::sample::Index>()) {
        let fams = families(&s);
        let full = build(&s);
        let (mut inc, _) = FamilyGraph::build(std::iter::empty(), std::iter::empty::<&Family>());
        for (pid, sex) in people(&s) {
            inc.add_person(pid, sex);
        }
        for f in &fams {
            prop_assert!(inc.add_family(f).is_empty());
        }
        let n = s.male.len();
        let same = |x: &FamilyGraph, y: &FamilyGraph| -> Result<(), TestCaseError> {
            for a in 0..n {
                for b in 0..n {
                    prop_assert_eq!(x.kinship(id(a), id(b)).unwrap(), y.kinship(id(a), id(b)).unwrap());
                    let names = |g: &FamilyGraph| {
                        let mut v: Vec<String> = g.relate(id(a), id(b), &RelateOptions::default()).unwrap()
                            .relationships.into_iter().map(|r| r.name).collect();
                        v.sort();
                        v
                    };
                    prop_assert_eq!(names(x), names(y));
                }
            }
            Ok(())
        };
        same(&full, &inc)?;
        if !fams.is_empty() {
            let k = drop.index(fams.len());
            prop_assert!(inc.remove_family(&fams[k]));
            let rest: Vec<&Family> = fams.iter().enumerate().filter(|&(i, _)| i != k).map(|(_, f)| f).collect();
            let (rebuilt, _) = FamilyGraph::build(people(&s), rest);
            same(&rebuilt, &inc)?;
        }
    }

    /// Arbitrary parent links, cycles included: building breaks every cycle, and no query hangs.
    #[test]
    fn cyclic_graphs_never_hang(n in 2usize..30, links in proptest::collection::vec((any::<u16>(), any::<u16>(), any::<bool>()), 1..60)) {
        let ids: Vec<Uuid> = (0..n).map(id).collect();
        let mut fams = Vec::new();
        for (k, &(c, p, male)) in links.iter().enumerate() {
            let mut f = Family::new(vec![ids[p as usize % n]]);
            f.id = Uuid::from_u128(0xF000_0000 + k as u128);
            f.children.push(FamilyChild { person: ids[c as usize % n], links: vec![] });
            let _ = male;
            fams.push(f);
        }
        let people: Vec<(Uuid, Sex)> = ids.iter().enumerate().map(|(i, &u)| (u, if i % 2 == 0 { Sex::Male } else { Sex::Female })).collect();
        let (g, warnings) = FamilyGraph::build(people, fams.iter());
        prop_assert!(petgraph::algo::toposort(&g, None).is_ok());
        let had_cycle = warnings.iter().any(|w| matches!(w, GraphWarning::Cycle { .. }));
        let _ = had_cycle;
        for &a in &ids {
            g.ancestors(a, 1000, Links::All).unwrap();
            g.inbreeding(a).unwrap();
            for &b in &ids {
                g.relate(a, b, &RelateOptions::default()).unwrap();
                g.kinship(a, b).unwrap();
            }
        }
    }
}
