//! The pedigree a risk assessment reads: the person's blood relatives around them (up to
//! `generations_up` generations of ancestors and everyone descended from those ancestors, at
//! most `generations_down` generations below the person's own), plus the other parent of every
//! child included (married-in partners, as founders: their genotype matters to the children).
//! Closest relatives first, at most `max_people` people, so an assessment on a million-person
//! genealogy reads a clinical-sized family, not the vault.

use kinvault_catalog::Catalog;
use kinvault_model::{GDate, Person, Sex, VitalStatus};
use kinvault_pedigree::{FamilyGraph, PersonIx};
use kinvault_risk::{ConditionFact, Member, Pedigree, TestFact};
use kinvault_vault::Vault;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet, VecDeque};
use ts_rs::TS;

use crate::{ApiError, ErrorKind, Result};

/// How much of the family an assessment reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RiskScope {
    /// Generations of ancestors (4: great-great-grandparents).
    pub generations_up: u32,
    /// Generations below the person's own (2: grandchildren, grand-nieces and -nephews).
    pub generations_down: u32,
    /// At most this many people, closest first.
    pub max_people: u32,
}

impl Default for RiskScope {
    fn default() -> Self {
        RiskScope { generations_up: 4, generations_down: 2, max_people: 2_000 }
    }
}

/// A pedigree extracted from the vault, with the graph index of each member.
pub struct Extracted {
    pub pedigree: Pedigree,
    /// `graph_ix[i]` is member `i`'s index in the family graph.
    pub graph_ix: Vec<PersonIx>,
    /// The person's member index.
    pub center: usize,
    /// True when `max_people` cut the family short.
    pub truncated: bool,
}

/// Blood relatives of `center` by BFS over parent/child links, never going up after going down
/// (so only blood relatives), closest first; then the co-parents of included children.
fn select(graph: &FamilyGraph, center: PersonIx, scope: &RiskScope) -> (Vec<PersonIx>, bool) {
    let max = scope.max_people.max(1) as usize;
    // (person, generations up so far, generation relative to the center, descending yet)
    let mut seen: HashSet<PersonIx> = HashSet::new();
    let mut order = Vec::new();
    let mut queue = VecDeque::from([(center, 0u32, 0i64, false)]);
    seen.insert(center);
    let mut truncated = false;
    while let Some((ix, up, level, descending)) = queue.pop_front() {
        if order.len() >= max {
            truncated = true;
            break;
        }
        order.push(ix);
        if !descending && up < scope.generations_up {
            for p in graph.biological_parents(ix) {
                if seen.insert(p) {
                    queue.push_back((p, up + 1, level + 1, false));
                }
            }
        }
        // Going down: generation relative to the center is `level`; stop `generations_down`
        // below the center's own generation.
        if level > -(scope.generations_down as i64) {
            for c in graph.biological_children(ix) {
                if seen.insert(c) {
                    queue.push_back((c, up, level - 1, true));
                }
            }
        }
    }
    // Co-parents of included children (founders in this pedigree).
    let included: Vec<PersonIx> = order.clone();
    for ix in included {
        for p in graph.biological_parents(ix) {
            if order.len() >= max {
                truncated = true;
                break;
            }
            if seen.insert(p) {
                order.push(p);
            }
        }
    }
    (order, truncated)
}

/// Age in years: recorded on the vital status, else from the birth and death dates (alive:
/// to `this_year`).
pub fn age_of(p: &Person, this_year: i32) -> Option<f64> {
    let recorded = match &p.vital_status {
        VitalStatus::Alive { age } | VitalStatus::Deceased { age, .. } => *age,
        VitalStatus::Unknown => None,
    };
    recorded.or_else(|| {
        let birth = p.birth().and_then(GDate::year)?;
        let end = match (&p.vital_status, p.death().and_then(GDate::year)) {
            (_, Some(d)) => d,
            (VitalStatus::Alive { .. }, None) => this_year,
            // No death recorded and no vital status: alive only if plausibly so.
            (VitalStatus::Unknown, None) if this_year - birth <= 110 => this_year,
            _ => return None,
        };
        (end >= birth).then(|| f64::from(end - birth))
    })
}

fn alive_of(p: &Person) -> Option<bool> {
    match p.vital_status {
        VitalStatus::Alive { .. } => Some(true),
        VitalStatus::Deceased { .. } => Some(false),
        VitalStatus::Unknown if p.death().is_some() => Some(false),
        VitalStatus::Unknown => None,
    }
}

/// The member record of a person: health facts linked to catalog ids (observations the catalog
/// cannot link are left out: the engine reasons about catalog conditions only).
pub fn member_of(p: &Person, catalog: &Catalog, this_year: i32) -> Member {
    Member {
        id: p.id.to_string(),
        sex: p.sex,
        father: None,
        mother: None,
        alive: alive_of(p),
        age: age_of(p, this_year),
        population: p.ancestry.first().cloned(),
        mz_twin_set: None,
        conditions: p
            .conditions
            .iter()
            .filter_map(|o| {
                catalog.link(o).map(|d| ConditionFact { condition: d.id.clone(), status: o.status, onset: o.onset })
            })
            .collect(),
        tests: p
            .genetic_tests
            .iter()
            .map(|t| TestFact { gene: t.gene.to_ascii_uppercase(), result: t.result, sensitivity: t.sensitivity })
            .collect(),
    }
}

/// Extracts the pedigree around `center` from the vault.
pub fn extract(
    vault: &Vault,
    graph: &FamilyGraph,
    catalog: &Catalog,
    center: uuid::Uuid,
    scope: &RiskScope,
    this_year: i32,
) -> Result<Extracted> {
    let Some(cix) = graph.index_of(center) else {
        return Err(ApiError::new(ErrorKind::NotFound, format!("person {center} is not in the family graph")));
    };
    let (order, truncated) = select(graph, cix, scope);
    let index: HashMap<PersonIx, usize> = order.iter().enumerate().map(|(i, &g)| (g, i)).collect();
    let mut members = Vec::with_capacity(order.len());
    for &g in &order {
        let id = graph.id_of(g);
        let p = vault.get_person(id)?.ok_or_else(|| {
            ApiError::new(ErrorKind::Internal, format!("person {id} is in the graph but not the vault"))
        })?;
        members.push(member_of(&p, catalog, this_year));
    }
    // Parent links, only between members; a married-in founder keeps no parents.
    for (i, &g) in order.iter().enumerate() {
        for p in graph.biological_parents(g) {
            let Some(&pi) = index.get(&p) else { continue };
            let m = &mut members[i];
            let slot = match graph.sex(p) {
                Sex::Female => &mut m.mother,
                Sex::Male => &mut m.father,
                Sex::Intersex | Sex::Unknown if m.father.is_none() => &mut m.father,
                Sex::Intersex | Sex::Unknown => &mut m.mother,
            };
            // Two parents of one sex (a data error): the second is left out.
            if slot.is_none() {
                *slot = Some(pi);
            }
        }
    }
    // Monozygotic twins share a genome in the graph.
    let mut sets: HashMap<PersonIx, Vec<usize>> = HashMap::new();
    for (i, &g) in order.iter().enumerate() {
        sets.entry(graph.genome_of(g)).or_default().push(i);
    }
    for (n, group) in sets.into_values().filter(|v| v.len() > 1).enumerate() {
        for i in group {
            members[i].mz_twin_set = Some(n as u32);
        }
    }
    Ok(Extracted { pedigree: Pedigree { members }, graph_ix: order, center: 0, truncated })
}

#[cfg(test)]
mod tests {
    use super::*;
    use kinvault_model::{EventKind, PersonName};

    #[test]
    fn ages_come_from_the_vital_status_or_the_dates() {
        let mut p = Person::new(PersonName::new("A", "B"), Sex::Female);
        assert_eq!(age_of(&p, 2026), None);
        p.set_event_date(EventKind::Birth, Some("1960"));
        assert_eq!(age_of(&p, 2026), Some(66.0));
        p.set_event_date(EventKind::Death, Some("2000"));
        assert_eq!(age_of(&p, 2026), Some(40.0));
        assert_eq!(alive_of(&p), Some(false));
        p.vital_status = VitalStatus::Deceased { age: Some(41.0), date: None, cause: None };
        assert_eq!(age_of(&p, 2026), Some(41.0));
        let mut old = Person::new(PersonName::new("C", "D"), Sex::Male);
        old.set_event_date(EventKind::Birth, Some("1850"));
        assert_eq!(age_of(&old, 2026), None, "born 176 years ago, no death: age unknown");
    }
}
