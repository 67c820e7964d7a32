//! Ancestors and descendants by generation, with pedigree collapse: a person reached along
//! several lines is listed once, with every generation at which they appear.

use serde::Serialize;
use uuid::Uuid;

use crate::graph::{FamilyGraph, PersonIx, NONE};
use crate::hash::FxHashMap;
use crate::PedigreeError;

/// Which parent–child links to follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Links {
    /// Birth (and unknown-kind) links only.
    #[default]
    Biological,
    /// Also adopted, foster, step and sealing links.
    All,
}

/// One ancestor or descendant and the generations (1 = parent/child) at which they appear,
/// ascending. More than one generation means pedigree collapse.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LineageEntry {
    pub person: Uuid,
    pub generations: Vec<u32>,
}

impl FamilyGraph {
    /// Ancestors up to `generations` back, nearest generation first (then discovery order).
    pub fn ancestors(&self, person: Uuid, generations: u32, links: Links) -> Result<Vec<LineageEntry>, PedigreeError> {
        let ix = self.index_of(person).ok_or(PedigreeError::UnknownPerson(person))?;
        Ok(self.to_entries(self.walk(ix, generations, links, true)))
    }

    /// Descendants up to `generations` down, nearest generation first.
    pub fn descendants(
        &self,
        person: Uuid,
        generations: u32,
        links: Links,
    ) -> Result<Vec<LineageEntry>, PedigreeError> {
        let ix = self.index_of(person).ok_or(PedigreeError::UnknownPerson(person))?;
        Ok(self.to_entries(self.walk(ix, generations, links, false)))
    }

    /// Index-level [`FamilyGraph::ancestors`].
    pub fn ancestor_indices(&self, ix: PersonIx, generations: u32, links: Links) -> Vec<(PersonIx, Vec<u32>)> {
        self.walk(ix, generations, links, true)
    }

    /// Index-level [`FamilyGraph::descendants`].
    pub fn descendant_indices(&self, ix: PersonIx, generations: u32, links: Links) -> Vec<(PersonIx, Vec<u32>)> {
        self.walk(ix, generations, links, false)
    }

    fn to_entries(&self, v: Vec<(PersonIx, Vec<u32>)>) -> Vec<LineageEntry> {
        v.into_iter().map(|(ix, generations)| LineageEntry { person: self.id_of(ix), generations }).collect()
    }

    /// Level-synchronous BFS. A person enters level `g` at most once, so the work is bounded by
    /// (people reached) × (distinct generations) even with heavy collapse, and by `generations`
    /// whatever the data.
    fn walk(&self, start: PersonIx, generations: u32, links: Links, up: bool) -> Vec<(PersonIx, Vec<u32>)> {
        let mut out: Vec<(PersonIx, Vec<u32>)> = Vec::new();
        let mut pos: FxHashMap<u32, usize> = FxHashMap::default();
        let mut frontier = vec![start];
        let mut next = Vec::new();
        for g in 1..=generations {
            for &x in &frontier {
                let mut visit = |y: u32| {
                    if y == NONE || y == start {
                        return;
                    }
                    match pos.get(&y) {
                        Some(&i) => {
                            if out[i].1.last() != Some(&g) {
                                out[i].1.push(g);
                                next.push(y);
                            }
                        }
                        None => {
                            pos.insert(y, out.len());
                            out.push((y, vec![g]));
                            next.push(y);
                        }
                    }
                };
                if up {
                    for p in self.bio_parent_pair(x) {
                        visit(p);
                    }
                    if links == Links::All {
                        for (p, _) in self.legal_parents(x) {
                            visit(p);
                        }
                    }
                } else {
                    for c in self.biological_children(x) {
                        visit(c);
                    }
                    if links == Links::All {
                        for (c, _) in self.legal_children(x) {
                            visit(c);
                        }
                    }
                }
            }
            if next.is_empty() {
                break;
            }
            std::mem::swap(&mut frontier, &mut next);
            next.clear();
        }
        out
    }
}
