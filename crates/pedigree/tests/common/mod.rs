//! A tiny pedigree builder for tests.
#![allow(dead_code)]

use std::collections::HashMap;

use kinvault_model::{ChildRelationship, Family, FamilyChild, ParentLink, Sex, TwinSet, UnionKind, Zygosity};
use kinvault_pedigree::{Dyadic, FamilyGraph, GraphWarning};
use uuid::Uuid;

#[derive(Default)]
pub struct Ped {
    pub people: Vec<(Uuid, Sex)>,
    pub families: Vec<Family>,
    index: HashMap<Vec<Uuid>, usize>,
}

impl Ped {
    pub fn new() -> Ped {
        Ped::default()
    }

    pub fn person(&mut self, sex: Sex) -> Uuid {
        let id = Uuid::from_u128(self.people.len() as u128 + 1);
        self.people.push((id, sex));
        id
    }

    pub fn male(&mut self) -> Uuid {
        self.person(Sex::Male)
    }

    pub fn female(&mut self) -> Uuid {
        self.person(Sex::Female)
    }

    /// The family of exactly these partners (created if new).
    pub fn family_of(&mut self, partners: &[Uuid]) -> usize {
        let mut want = partners.to_vec();
        want.sort();
        if let Some(&i) = self.index.get(&want) {
            return i;
        }
        self.index.insert(want, self.families.len());
        let mut f = Family::new(partners.to_vec());
        f.id = Uuid::from_u128(0xF000_0000 + self.families.len() as u128);
        self.families.push(f);
        self.families.len() - 1
    }

    pub fn marry(&mut self, a: Uuid, b: Uuid) -> usize {
        let i = self.family_of(&[a, b]);
        self.families[i].kind = UnionKind::Married;
        i
    }

    /// A new birth child of `parents`.
    pub fn child(&mut self, parents: &[Uuid], sex: Sex) -> Uuid {
        let c = self.person(sex);
        self.add_child(parents, c, &[]);
        c
    }

    /// Adds an existing person as a child of `parents`, with per-parent relationships (others
    /// birth).
    pub fn add_child(&mut self, parents: &[Uuid], child: Uuid, links: &[(Uuid, ChildRelationship)]) {
        let i = self.family_of(parents);
        self.families[i].children.push(FamilyChild {
            person: child,
            links: links.iter().map(|&(parent, relationship)| ParentLink { parent, relationship }).collect(),
        });
    }

    /// A new child adopted by `parents`.
    pub fn adopted(&mut self, parents: &[Uuid], sex: Sex) -> Uuid {
        let c = self.person(sex);
        let links: Vec<_> = parents.iter().map(|&p| (p, ChildRelationship::Adopted)).collect();
        self.add_child(parents, c, &links);
        c
    }

    pub fn twins(&mut self, parents: &[Uuid], sex: Sex, zygosity: Zygosity) -> (Uuid, Uuid) {
        let a = self.child(parents, sex);
        let b = self.child(parents, sex);
        let i = self.family_of(parents);
        self.families[i].twins.push(TwinSet { members: vec![a, b], zygosity });
        (a, b)
    }

    pub fn build(&self) -> (FamilyGraph, Vec<GraphWarning>) {
        FamilyGraph::build(self.people.iter().copied(), self.families.iter())
    }

    pub fn graph(&self) -> FamilyGraph {
        let (g, w) = self.build();
        assert!(w.is_empty(), "unexpected warnings: {w:?}");
        g
    }
}

pub fn d(s: &str) -> Dyadic {
    s.parse().unwrap()
}
