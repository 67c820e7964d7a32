//! The clinical pedigree of a proband, drawn by `kinvault-drawing` (NSGC symbols) from the vault:
//! who is in it (blood relatives within N generations up and down, and their partners), each
//! person's symbol data (sex, vital status, ages, proband/consultand, conditions shaded, carriers,
//! test results, adoption) and every family as a union (partners, children in birth order with
//! their links, twins, consanguinity).

use crate::risk::scope::age_of;
use crate::{graph, ApiError, ErrorKind, Result};
use kinvault_catalog::{Catalog, Inheritance};
use kinvault_drawing::{
    DrawAdoption, DrawAffected, DrawChild, DrawChildLink, DrawCondition, DrawOptions, DrawPerson, DrawTwins, DrawUnion,
    DrawingInput,
};
use kinvault_model::{ChildRelationship, ConditionStatus, Family, Person, TestResult, VitalStatus};
use kinvault_pedigree::{FamilyGraph, PersonIx};
use kinvault_vault::Vault;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use ts_rs::TS;
use uuid::Uuid;

/// Most people a drawing holds; beyond it the closest are kept and `truncated` is set.
pub const MAX_PEOPLE: usize = 1_000;

/// What to draw.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct PedigreeRequest {
    /// The proband (id or GEDCOM xref).
    pub proband: String,
    /// Generations up and down from the proband; `None`: everyone related by blood (up to
    /// [`MAX_PEOPLE`]).
    #[serde(default)]
    pub generations: Option<u32>,
    /// Catalog ids of the conditions to shade; empty: the (at most four) conditions most often
    /// recorded as affected among the people drawn.
    #[serde(default)]
    pub conditions: Vec<String>,
    /// Names under the symbols (off: no name anywhere in the drawing).
    #[serde(default = "yes")]
    pub names: bool,
    /// Ages, birth years, causes of death.
    #[serde(default = "yes")]
    pub ages: bool,
    /// Genetic test results under the symbols.
    #[serde(default = "yes")]
    pub test_results: bool,
    #[serde(default)]
    pub title: Option<String>,
}

fn yes() -> bool {
    true
}

impl PedigreeRequest {
    pub fn new(proband: &str) -> Self {
        PedigreeRequest {
            proband: proband.into(),
            generations: Some(3),
            conditions: vec![],
            names: true,
            ages: true,
            test_results: true,
            title: None,
        }
    }
}

/// A drawn pedigree.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct PedigreeDrawing {
    pub svg: String,
    pub people: u32,
    pub unions: u32,
    /// The conditions shaded, in legend order (catalog ids).
    pub conditions: Vec<String>,
    /// The family was cut at [`MAX_PEOPLE`].
    pub truncated: bool,
    /// Every person drawn: id → individual number ("II-3").
    pub numbers: BTreeMap<String, String>,
}

/// Blood relatives within `generations` of `center` (up, then down, never up after down), the
/// children adopted or fostered by anyone included, and the partners of everyone included;
/// closest first.
fn select(graph: &FamilyGraph, center: PersonIx, generations: Option<u32>) -> (Vec<PersonIx>, bool) {
    let limit = generations.map_or(i64::MAX, i64::from);
    let mut seen = HashSet::from([center]);
    let mut order = Vec::new();
    let mut queue = VecDeque::from([(center, 0i64, false)]);
    let mut truncated = false;
    while let Some((ix, level, descending)) = queue.pop_front() {
        if order.len() >= MAX_PEOPLE {
            truncated = true;
            break;
        }
        order.push(ix);
        if !descending && level < limit {
            for p in graph.biological_parents(ix) {
                if seen.insert(p) {
                    queue.push_back((p, level + 1, false));
                }
            }
        }
        if level > -limit {
            // Adopted and fostered children are drawn too (with brackets), though not by blood.
            let legal = graph.legal_children(ix).map(|(c, _)| c);
            for c in graph.biological_children(ix).chain(legal) {
                if seen.insert(c) {
                    queue.push_back((c, level - 1, true));
                }
            }
        }
    }
    let blood: Vec<PersonIx> = order.clone();
    for ix in blood {
        for (partner, _) in graph.partners(ix) {
            if order.len() >= MAX_PEOPLE {
                truncated = true;
                break;
            }
            if seen.insert(partner) {
                order.push(partner);
            }
        }
    }
    (order, truncated)
}

fn test_text(t: &kinvault_model::GeneticTest) -> String {
    let r = match t.result {
        TestResult::Positive => "+",
        TestResult::Negative => "−",
        TestResult::Vus => "VUS",
        TestResult::Inconclusive => "inconclusive",
    };
    format!("{} {r}", t.gene)
}

fn draw_person(p: &Person, catalog: &Catalog, shown: &[String], req: &PedigreeRequest, year: i32) -> DrawPerson {
    let deceased = matches!(p.vital_status, VitalStatus::Deceased { .. }) || p.death().is_some();
    let cause = match &p.vital_status {
        VitalStatus::Deceased { cause, .. } => cause.clone(),
        _ => None,
    };
    let mut d = DrawPerson::new(p.id.to_string(), p.sex);
    d.name = req.names.then(|| p.display_name()).filter(|n| !n.is_empty());
    d.birth_year = p.birth().and_then(|b| b.year());
    d.age = age_of(p, year).map(|a| a.max(0.0).floor() as u32);
    d.deceased = deceased;
    d.cause_of_death = cause;
    d.proband = p.proband;
    d.consultand = p.consultand;
    for o in &p.conditions {
        let Some(def) = catalog.link(o) else { continue };
        if o.status == ConditionStatus::Affected
            && shown.contains(&def.id)
            && !d.affected.iter().any(|a| a.condition == def.id)
        {
            d.affected
                .push(DrawAffected { condition: def.id.clone(), onset_age: o.onset.map(|r| r.min.max(0.0) as u32) });
        }
    }
    for t in &p.genetic_tests {
        if req.test_results {
            d.tests.push(test_text(t));
        }
        if t.result != TestResult::Positive {
            continue;
        }
        for def in
            catalog.iter().filter(|c| shown.contains(&c.id) && c.genes.iter().any(|g| g.eq_ignore_ascii_case(&t.gene)))
        {
            if d.affected.iter().any(|a| a.condition == def.id) {
                continue;
            }
            // A carrier of a recessive allele is drawn with a dot; an unaffected carrier of a
            // dominant one (presymptomatic) with a vertical line.
            match def.inheritance {
                Inheritance::AutosomalRecessive | Inheritance::XLinkedRecessive => d.carrier.push(def.id.clone()),
                _ => d.presymptomatic.push(def.id.clone()),
            }
        }
    }
    d
}

fn union_of(f: &Family, drawn: &HashSet<Uuid>) -> Option<DrawUnion> {
    let partners: Vec<Uuid> = f.partners.iter().copied().filter(|p| drawn.contains(p)).collect();
    let children: Vec<DrawChild> = f
        .children
        .iter()
        .filter(|c| drawn.contains(&c.person))
        .map(|c| {
            let adopted = f.partners.iter().any(|&p| {
                matches!(
                    c.relationship_to(p),
                    ChildRelationship::Adopted | ChildRelationship::Foster | ChildRelationship::Step
                )
            });
            DrawChild {
                id: c.person.to_string(),
                link: if adopted { DrawChildLink::Adopted } else { DrawChildLink::Biological },
            }
        })
        .collect();
    if partners.is_empty() && children.len() < 2 {
        return None;
    }
    let twins = f
        .twins
        .iter()
        .map(|t| DrawTwins {
            ids: t.members.iter().filter(|m| drawn.contains(m)).map(Uuid::to_string).collect(),
            zygosity: t.zygosity,
        })
        .filter(|t| t.ids.len() >= 2)
        .collect();
    let status = if f.events.iter().any(|e| matches!(e.kind, kinvault_model::EventKind::Divorce)) {
        kinvault_drawing::UnionStatus::Divorced
    } else {
        kinvault_drawing::UnionStatus::Together
    };
    Some(DrawUnion {
        id: Some(f.id.to_string()),
        partners: partners.iter().map(Uuid::to_string).collect(),
        children,
        consanguineous: f.consanguineous,
        consanguinity_note: None,
        status,
        twins,
        reproduction: None,
    })
}

/// Draws the pedigree around `req.proband`.
pub fn pedigree(vault: &Vault, graph: &FamilyGraph, req: &PedigreeRequest) -> Result<PedigreeDrawing> {
    let catalog = crate::clinical::vault_catalog(vault)?;
    for c in &req.conditions {
        crate::clinical::catalog_condition(&catalog, c)?;
    }
    if req.generations.is_some_and(|g| g > 20) {
        return Err(ApiError::invalid("at most 20 generations up and down (or all of them: leave it out)"));
    }
    let (center_ix, center) = graph::resolve(vault, graph, &req.proband)?;
    let (order, truncated) = select(graph, center_ix, req.generations);
    let mut people = Vec::with_capacity(order.len());
    for &ix in &order {
        let id = graph.id_of(ix);
        people.push(vault.get_person(id)?.ok_or_else(|| {
            ApiError::new(ErrorKind::Internal, format!("person {id} is in the graph but not the vault"))
        })?);
    }
    // The conditions shaded: as asked, else the most frequent affected ones (at most four).
    let shown: Vec<String> = if req.conditions.is_empty() {
        let mut counts: HashMap<String, usize> = HashMap::new();
        for p in &people {
            let mut mine = HashSet::new();
            for o in p.conditions.iter().filter(|o| o.status == ConditionStatus::Affected) {
                if let Some(def) = catalog.link(o) {
                    if mine.insert(def.id.clone()) {
                        *counts.entry(def.id.clone()).or_default() += 1;
                    }
                }
            }
        }
        let mut v: Vec<(String, usize)> = counts.into_iter().collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        v.into_iter().take(4).map(|(id, _)| id).collect()
    } else {
        req.conditions.iter().map(|c| c.trim().to_string()).collect()
    };
    let year = crate::clock::this_year();
    let mut persons: Vec<DrawPerson> = people.iter().map(|p| draw_person(p, &catalog, &shown, req, year)).collect();
    // With no proband flag in the family, the person asked for carries the P.
    if !persons.iter().any(|p| p.proband) {
        if let Some(p) = persons.iter_mut().find(|p| p.id == center.id) {
            p.proband = true;
        }
    }
    let drawn: HashSet<Uuid> = people.iter().map(|p| p.id).collect();
    let mut families: BTreeMap<Uuid, Family> = BTreeMap::new();
    for p in &people {
        for f in vault.families_of(p.id)? {
            families.entry(f.id).or_insert(f);
        }
    }
    // Families in the order their first member appears (closest to the proband first).
    let rank: HashMap<Uuid, usize> = people.iter().enumerate().map(|(i, p)| (p.id, i)).collect();
    let mut fams: Vec<&Family> = families.values().collect();
    fams.sort_by_key(|f| {
        f.partners.iter().chain(f.children.iter().map(|c| &c.person)).filter_map(|id| rank.get(id)).min().copied()
    });
    let unions: Vec<DrawUnion> = fams.iter().filter_map(|f| union_of(f, &drawn)).collect();
    // Adopted in: a child drawn with an adoptive link and no birth family drawn.
    for u in &unions {
        for c in u.children.iter().filter(|c| c.link == DrawChildLink::Adopted) {
            let has_birth_union =
                unions.iter().any(|o| o.children.iter().any(|x| x.id == c.id && x.link == DrawChildLink::Biological));
            if let Some(p) = persons.iter_mut().find(|p| p.id == c.id) {
                p.adoption = Some(if has_birth_union { DrawAdoption::Out } else { DrawAdoption::In });
            }
        }
    }
    let conditions: Vec<DrawCondition> = shown
        .iter()
        .map(|id| DrawCondition {
            id: id.clone(),
            label: catalog.get(id).map(|d| d.name.clone()).unwrap_or_else(|| id.clone()),
            short: None,
            style: None,
        })
        .collect();
    let options = DrawOptions {
        names: req.names,
        ages: req.ages,
        birth_years: req.ages,
        test_results: req.test_results,
        title: req.title.clone(),
        ..DrawOptions::default()
    };
    let input = DrawingInput { people: persons, unions, conditions, options };
    let drawing =
        kinvault_drawing::draw(&input).map_err(|e| ApiError::invalid(format!("the pedigree cannot be drawn: {e}")))?;
    let numbers = drawing_numbers(&drawing);
    Ok(PedigreeDrawing {
        svg: drawing.svg,
        people: input.people.len() as u32,
        unions: input.unions.len() as u32,
        conditions: shown,
        truncated,
        numbers,
    })
}

fn drawing_numbers(d: &kinvault_drawing::Drawing) -> BTreeMap<String, String> {
    d.layout.symbols.iter().map(|s| (s.id.clone(), s.number.clone())).collect()
}
