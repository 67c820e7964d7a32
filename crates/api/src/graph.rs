//! The family graph of a vault and what is asked of it: how two people are related, kinship and
//! inbreeding coefficients, ancestor/descendant charts, and the data problems found in the links.
//!
//! [`load`] builds a [`FamilyGraph`] (crate `kinvault-pedigree`) from the vault's people and
//! families, reading only the columns and JSON fields the graph needs. The other functions take
//! the vault (for names, xrefs and dates) and a loaded graph; [`crate::App`] keeps one graph per
//! open session and keeps it current on edits ([`apply_family_change`], [`check_family`]).
//!
//! People are named by id or by GEDCOM xref (`I12` or `@I12@`), see [`person_ref`].

use crate::people::display_name;
use crate::*;
use kinvault_model::{Family, Sex};
use kinvault_pedigree::{
    Chromosome, Dyadic, FamilyGraph, GraphWarning, KinshipOptions, LegalKind, Links, PedigreeError, PersonIx,
    RelateOptions, RelationKind, Relationship, Relationships,
};
use kinvault_vault::PersonRow;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::{Duration, Instant};
use uuid::Uuid;

/// Generations a chart goes each way when the request says 0.
pub const DEFAULT_CHART_GENERATIONS: u32 = 4;
/// Most generations a chart may ask for.
pub const MAX_CHART_GENERATIONS: u32 = 200;
/// Nodes in a chart when the request says 0.
pub const DEFAULT_CHART_NODES: u32 = 10_000;
/// Most nodes a chart may return.
pub const MAX_CHART_NODES: u32 = 200_000;
/// Most issues a [`GraphReport`] lists.
pub const MAX_ISSUES: usize = 1000;

/// A family graph built from a vault, with what building it found.
#[derive(Debug, Clone)]
pub struct LoadedGraph {
    pub graph: FamilyGraph,
    /// The data problems found by the last full build (see `fresh`).
    pub warnings: Vec<GraphWarning>,
    /// Families in the vault at the last full build.
    pub families: usize,
    pub build_time: Duration,
    /// No edit since the last full build: `warnings` and `families` describe the graph as it
    /// is. Edits keep the graph itself exact; only this report goes stale.
    pub fresh: bool,
}

/// Builds the family graph of the vault: people's ids and sexes from the person columns,
/// families' links from the JSON records (other fields are skipped unparsed), the two tables read
/// in parallel ([`Vault::read_graph_input`]). A few seconds for a million people, most of it
/// decrypting pages (see docs/pedigree.md).
pub fn load(vault: &Vault) -> Result<LoadedGraph> {
    let started = Instant::now();
    let kinvault_vault::GraphInput { persons, families } = vault.read_graph_input()?;
    let (graph, warnings) = FamilyGraph::build(persons, families.iter());
    let build_time = started.elapsed();
    tracing::info!(
        people = graph.len(),
        families = families.len(),
        warnings = warnings.len(),
        millis = build_time.as_millis() as u64,
        "family graph built"
    );
    Ok(LoadedGraph { graph, warnings, families: families.len(), build_time, fresh: true })
}

// ----- people --------------------------------------------------------------------------------

fn year(k: Option<i64>) -> Option<i32> {
    k.map(|k| k.div_euclid(10_000) as i32)
}

pub(crate) fn from_row(r: PersonRow) -> PersonRef {
    PersonRef {
        display_name: display_name(&r.given, &r.surname),
        sex: Sex::parse(&r.sex).unwrap_or_default(),
        birth_year: year(r.birth_sort),
        death_year: year(r.death_sort),
        id: r.id,
        xref: r.xref,
    }
}

/// Finds a person by id or GEDCOM xref (`I12` or `@I12@`).
pub fn person_ref(vault: &Vault, reference: &str) -> Result<PersonRef> {
    let r = reference.trim();
    if r.is_empty() {
        return Err(ApiError::invalid("name a person by id or GEDCOM xref (e.g. I12)"));
    }
    if let Ok(id) = Uuid::parse_str(r) {
        if let Some(row) = vault.person_rows(&[id])?.pop() {
            return Ok(from_row(row));
        }
    }
    let xref = if r.starts_with('@') { r.to_string() } else { format!("@{r}@") };
    match vault.person_row_by_xref(&xref)? {
        Some(row) => Ok(from_row(row)),
        None => Err(ApiError::new(ErrorKind::NotFound, format!("no person with id or xref {r:?} in this vault"))),
    }
}

/// [`person_ref`] and the person's index in the graph.
pub fn resolve(vault: &Vault, graph: &FamilyGraph, reference: &str) -> Result<(PersonIx, PersonRef)> {
    let p = person_ref(vault, reference)?;
    let ix = Uuid::parse_str(&p.id).ok().and_then(|id| graph.index_of(id)).ok_or_else(|| {
        ApiError::new(ErrorKind::Internal, format!("person {} is in the vault but not in the family graph", p.id))
    })?;
    Ok((ix, p))
}

/// Person refs for graph indices, read in batches. A person missing from the vault (which the
/// graph invariant rules out) gets a ref with only the id and sex.
struct Refs<'a> {
    graph: &'a FamilyGraph,
    map: HashMap<Uuid, PersonRef>,
}

impl<'a> Refs<'a> {
    fn load(vault: &Vault, graph: &'a FamilyGraph, ids: impl IntoIterator<Item = Uuid>) -> Result<Refs<'a>> {
        let mut want: Vec<Uuid> = ids.into_iter().collect();
        want.sort_unstable();
        want.dedup();
        let mut map = HashMap::with_capacity(want.len());
        for row in vault.person_rows(&want)? {
            if let Ok(id) = Uuid::parse_str(&row.id) {
                map.insert(id, from_row(row));
            }
        }
        Ok(Refs { graph, map })
    }

    fn get(&self, id: Uuid) -> PersonRef {
        self.map.get(&id).cloned().unwrap_or_else(|| PersonRef {
            id: id.to_string(),
            xref: None,
            display_name: String::new(),
            sex: self.graph.index_of(id).map(|ix| self.graph.sex(ix)).unwrap_or_default(),
            birth_year: None,
            death_year: None,
        })
    }

    fn ix(&self, ix: PersonIx) -> PersonRef {
        self.get(self.graph.id_of(ix))
    }
}

/// A person for people to read: the name, else the xref, else the id.
pub fn label(p: &PersonRef) -> String {
    if !p.display_name.is_empty() {
        p.display_name.clone()
    } else {
        tag(p)
    }
}

/// A person in a message that must not carry names: the xref, else the id.
fn tag(p: &PersonRef) -> String {
    p.xref.clone().unwrap_or_else(|| p.id.clone())
}

fn coefficient(d: &Dyadic) -> Coefficient {
    Coefficient { value: d.to_f64(), exact: d.to_string() }
}

fn link_kind(k: LegalKind) -> LinkKind {
    match k {
        LegalKind::Adopted => LinkKind::Adopted,
        LegalKind::Foster => LinkKind::Foster,
        LegalKind::Step => LinkKind::Step,
        LegalKind::Sealing => LinkKind::Sealing,
    }
}

/// Why a coefficient could not be computed, naming people by xref or id only.
fn pedigree_note(what: &str, e: &PedigreeError, refs: &impl Fn(Uuid) -> PersonRef) -> String {
    match e {
        PedigreeError::UnknownSex(id) => {
            format!("{what}: needs the sex of {}, which is not recorded as male or female", tag(&refs(*id)))
        }
        PedigreeError::AmbiguousMother(id) => {
            format!("{what}: cannot tell which parent of {} is the mother (record their sexes)", tag(&refs(*id)))
        }
        PedigreeError::Inbred(id) => {
            format!("{what}: given for non-inbred people only, and {} is inbred", tag(&refs(*id)))
        }
        PedigreeError::UnknownPerson(id) => format!("{what}: {id} is not in the family graph"),
        other => format!("{what}: {other}"),
    }
}

// ----- relate ----------------------------------------------------------------------------------

/// How `b` is related to `a` (names say what `b` is to `a`), with the kinship coefficients.
pub fn relate(vault: &Vault, graph: &FamilyGraph, a: &str, b: &str) -> Result<RelateResult> {
    let (ia, ra) = resolve(vault, graph, a)?;
    let (ib, rb) = resolve(vault, graph, b)?;
    let rels = graph.relate_ix(ia, ib, &RelateOptions::default());
    let mut anc = Ancestries::new(graph);
    let paths: Vec<Vec<Step>> =
        rels.relationships.iter().map(|r| relationship_path(graph, &mut anc, ia, ib, r)).collect();
    drop(anc);

    let mut ids: Vec<Uuid> = vec![];
    for (r, p) in rels.relationships.iter().zip(&paths) {
        ids.extend(r.common_ancestors.iter().copied());
        ids.extend(r.via);
        ids.extend(p.iter().map(|s| graph.id_of(s.ix)));
    }
    let refs = Refs::load(vault, graph, ids)?;
    let get = |id: Uuid| refs.get(id);

    let relationships =
        rels.relationships.iter().zip(paths).map(|(r, path)| relationship_info(r, path, &refs)).collect();
    let summary = rels.describe(|id| label(&get(id)));

    let opts = KinshipOptions::default();
    let mut notes = vec![];
    let (kinship, kinship_exact) = match graph.kinship_ix(ia, ib, Chromosome::Autosomal, &opts) {
        Ok(d) => (Some(d.to_f64()), Some(d.to_string())),
        Err(e) => {
            notes.push(pedigree_note("kinship", &e, &get));
            (None, None)
        }
    };
    let (kinship_x, kinship_x_exact) = match graph.kinship_ix(ia, ib, Chromosome::X, &opts) {
        Ok(d) => (Some(d.to_f64()), Some(d.to_string())),
        Err(e) => {
            notes.push(pedigree_note("X-chromosome kinship", &e, &get));
            (None, None)
        }
    };
    // Unrelated (φ = 0): no allele of one is identical by descent with one of the other, so
    // κ = (1, 0, 0) whatever their own inbreeding — no need for the costlier general case.
    let zero = || Coefficient { value: 0.0, exact: "0".into() };
    let kappa = if kinship == Some(0.0) {
        Some(KappaInfo { k0: Coefficient { value: 1.0, exact: "1".into() }, k1: zero(), k2: zero() })
    } else {
        match graph.kappa(graph.id_of(ia), graph.id_of(ib)) {
            Ok(k) => Some(KappaInfo { k0: coefficient(&k.k0), k1: coefficient(&k.k1), k2: coefficient(&k.k2) }),
            Err(e) => {
                notes.push(pedigree_note("kappa", &e, &get));
                None
            }
        }
    };
    Ok(RelateResult {
        a: ra,
        b: rb,
        summary,
        relationships,
        truncated: rels.truncated,
        kinship,
        kinship_exact,
        kinship_x,
        kinship_x_exact,
        kappa,
        notes,
    })
}

fn relationship_info(r: &Relationship, path: Vec<Step>, refs: &Refs<'_>) -> RelationshipInfo {
    let common: Vec<PersonRef> = r.common_ancestors.iter().map(|&id| refs.get(id)).collect();
    let via = r.via.map(|id| refs.get(id));
    let through: Vec<String> = match (r.kind, &via) {
        (RelationKind::InLaw | RelationKind::Step, Some(v)) => vec![label(v)],
        (RelationKind::Blood | RelationKind::NonBirth, _) if r.ga > 0 && r.gb > 0 => common.iter().map(label).collect(),
        _ => vec![],
    };
    let description =
        if through.is_empty() { r.name.clone() } else { format!("{} through {}", r.name, through.join(" and ")) };
    RelationshipInfo {
        name: r.name.clone(),
        description,
        kind: match r.kind {
            RelationKind::Same => RelationshipKind::Same,
            RelationKind::Blood => RelationshipKind::Blood,
            RelationKind::NonBirth => RelationshipKind::NonBirth,
            RelationKind::Partner => RelationshipKind::Partner,
            RelationKind::Step => RelationshipKind::Step,
            RelationKind::InLaw => RelationshipKind::InLaw,
        },
        ga: r.ga,
        gb: r.gb,
        half: r.half,
        legal: r.legal.iter().map(|&k| link_kind(k)).collect(),
        common_ancestors: common,
        via,
        path: path.into_iter().map(|s| PathStep { person: refs.ix(s.ix), link: s.link, link_kind: s.kind }).collect(),
    }
}

/// One step of a path, by index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Step {
    ix: PersonIx,
    link: Option<PathLink>,
    kind: Option<LinkKind>,
}

/// Parents of `x` with the kind of link; legal ones only when `legal`.
fn ups(g: &FamilyGraph, x: PersonIx, legal: bool) -> Vec<(PersonIx, LinkKind)> {
    let mut v: Vec<(PersonIx, LinkKind)> = g.biological_parents(x).map(|p| (p, LinkKind::Birth)).collect();
    if legal {
        v.extend(g.legal_parents(x).map(|(p, k)| (p, link_kind(k))));
    }
    v
}

/// A chain of exactly `len` parent steps from `from` up to `to`: `[(from, _), (parent, kind), ...,
/// (to, kind)]`, each kind being that of the link to the entry before. Legal links are used only
/// when `legal`; with `need_legal` the chain must use one. People in `avoid` are not passed
/// through. Iterative, and each (person, depth, used-legal) state is explored once.
fn chain_up(
    g: &FamilyGraph,
    from: PersonIx,
    to: PersonIx,
    len: u32,
    legal: bool,
    need_legal: bool,
    avoid: &Avoid<'_>,
) -> Option<Vec<(PersonIx, LinkKind)>> {
    struct Frame {
        node: PersonIx,
        kind: LinkKind,
        used: bool,
        edges: Vec<(PersonIx, LinkKind)>,
        next: usize,
    }
    let len = len as usize;
    let mut dead: HashSet<(PersonIx, usize, bool)> = HashSet::new();
    let mut stack = vec![Frame { node: from, kind: LinkKind::Birth, used: false, edges: ups(g, from, legal), next: 0 }];
    while !stack.is_empty() {
        let depth = stack.len() - 1;
        if depth == len {
            let top = &stack[depth];
            if top.node == to && (!need_legal || top.used) {
                return Some(stack.iter().map(|f| (f.node, f.kind)).collect());
            }
            dead.insert((top.node, depth, top.used));
            stack.pop();
            continue;
        }
        let top = &mut stack[depth];
        if top.next < top.edges.len() {
            let (p, kind) = top.edges[top.next];
            top.next += 1;
            let used = top.used || kind != LinkKind::Birth;
            let reach_to = p == to && depth + 1 == len;
            if (p == to && !reach_to) || (p != to && avoid.contains(p)) || dead.contains(&(p, depth + 1, used)) {
                continue;
            }
            stack.push(Frame { node: p, kind, used, edges: ups(g, p, legal), next: 0 });
        } else {
            dead.insert((top.node, depth, top.used));
            stack.pop();
        }
    }
    None
}

/// A set of people as one bit per graph index: cheap to fill with a whole ancestry.
struct Bits(Vec<u64>);

impl Bits {
    fn new(bound: usize) -> Bits {
        Bits(vec![0; bound.div_ceil(64)])
    }
    fn contains(&self, x: PersonIx) -> bool {
        self.0.get(x as usize / 64).is_some_and(|w| w >> (x % 64) & 1 == 1)
    }
    /// Inserts; false if it was there.
    fn insert(&mut self, x: PersonIx) -> bool {
        let w = &mut self.0[x as usize / 64];
        let was = *w >> (x % 64) & 1 == 1;
        *w |= 1 << (x % 64);
        !was
    }
}

/// Ancestries (with the person), as far up as the relationship search goes and, like it, not
/// walking on through the other person of the pair; computed once per query and shared by its
/// paths.
struct Ancestries<'g> {
    g: &'g FamilyGraph,
    sets: HashMap<(PersonIx, PersonIx, bool), Bits>,
}

impl<'g> Ancestries<'g> {
    fn new(g: &'g FamilyGraph) -> Self {
        Ancestries { g, sets: HashMap::new() }
    }

    /// `x` and its ancestors; `other` is recorded when reached but not walked through.
    fn of(&mut self, x: PersonIx, other: PersonIx, legal: bool) {
        let g = self.g;
        self.sets.entry((x, other, legal)).or_insert_with(|| {
            let mut seen = Bits::new(g.index_bound());
            seen.insert(x);
            let mut frontier = vec![x];
            for _ in 0..RelateOptions::default().max_generations {
                let mut next = vec![];
                for &y in frontier.iter().filter(|&&y| y == x || y != other) {
                    for (p, _) in ups(g, y, legal) {
                        if seen.insert(p) {
                            next.push(p);
                        }
                    }
                }
                if next.is_empty() {
                    break;
                }
                frontier = next;
            }
            seen
        });
    }
}

/// Where a chain may not go (its end is always allowed).
enum Avoid<'a> {
    Nothing,
    /// The common ancestors of a pair (in both ancestries) and the other person of the pair:
    /// as the relationship search counts a path, its halves meet only at the common ancestor
    /// they go to.
    Common {
        a: &'a Bits,
        b: &'a Bits,
        other: PersonIx,
    },
}

impl Avoid<'_> {
    fn contains(&self, x: PersonIx) -> bool {
        match self {
            Avoid::Nothing => false,
            Avoid::Common { a, b, other } => x == *other || (a.contains(x) && b.contains(x)),
        }
    }
}

/// Up from `a` (`ga` generations) to the common ancestor, down to `b` (`gb`): the halves meet only
/// at the common ancestor when possible (as the relationship search counts paths).
#[allow(clippy::too_many_arguments)]
fn blood_path(
    g: &FamilyGraph,
    anc: &mut Ancestries<'_>,
    a: PersonIx,
    b: PersonIx,
    common: &[Uuid],
    ga: u32,
    gb: u32,
    legal: bool,
) -> Option<Vec<Step>> {
    anc.of(a, b, legal);
    anc.of(b, a, legal);
    let (anc_a, anc_b) = (&anc.sets[&(a, b, legal)], &anc.sets[&(b, a, legal)]);
    for x in common.iter().filter_map(|&id| g.index_of(id)) {
        // Halves through no other common ancestor first; any chains of the right lengths as a
        // fallback.
        for disjoint in [true, false] {
            let (avoid_a, avoid_b) = if disjoint {
                (Avoid::Common { a: anc_a, b: anc_b, other: b }, Avoid::Common { a: anc_a, b: anc_b, other: a })
            } else {
                (Avoid::Nothing, Avoid::Nothing)
            };
            let needs: &[(bool, bool)] =
                if legal { &[(true, false), (false, true), (false, false)] } else { &[(false, false)] };
            for &(na, nb) in needs {
                let Some(up) = chain_up(g, a, x, ga, legal, na, &avoid_a) else { continue };
                let Some(down) = chain_up(g, b, x, gb, legal, nb, &avoid_b) else { continue };
                return Some(join_halves(&up, &down));
            }
        }
    }
    None
}

/// `up` from a to X and `down` from b to X, as one path a → X → b.
fn join_halves(up: &[(PersonIx, LinkKind)], down: &[(PersonIx, LinkKind)]) -> Vec<Step> {
    let mut steps: Vec<Step> = up
        .iter()
        .enumerate()
        .map(|(i, &(ix, kind))| {
            if i == 0 {
                Step { ix, link: None, kind: None }
            } else {
                Step { ix, link: Some(PathLink::Parent), kind: Some(kind) }
            }
        })
        .collect();
    // down = [b, ..., X]; walk it backwards from the node below X. The kind of the link between
    // down[i] and its parent down[i + 1] is stored at down[i + 1].
    for i in (0..down.len().saturating_sub(1)).rev() {
        steps.push(Step { ix: down[i].0, link: Some(PathLink::Child), kind: Some(down[i + 1].1) });
    }
    steps
}

fn partner_step(ix: PersonIx) -> Step {
    Step { ix, link: Some(PathLink::Partner), kind: None }
}

fn is_partner(g: &FamilyGraph, x: PersonIx, y: PersonIx) -> bool {
    g.partners(x).any(|(p, _)| p == y)
}

/// The people along one relationship, `a` first and `b` last (empty if none could be drawn).
fn relationship_path(
    g: &FamilyGraph,
    anc: &mut Ancestries<'_>,
    a: PersonIx,
    b: PersonIx,
    r: &Relationship,
) -> Vec<Step> {
    let start = Step { ix: a, link: None, kind: None };
    let legal = !r.legal.is_empty();
    let via = r.via.and_then(|v| g.index_of(v));
    let path = match r.kind {
        RelationKind::Same => Some(vec![start]),
        RelationKind::Partner => Some(vec![start, partner_step(b)]),
        RelationKind::Blood | RelationKind::NonBirth => {
            blood_path(g, anc, a, b, &r.common_ancestors, r.ga, r.gb, legal)
        }
        RelationKind::InLaw => via.and_then(|v| {
            let all = [g.id_of(v)];
            let common = if r.common_ancestors.is_empty() { &all[..] } else { &r.common_ancestors[..] };
            // b is a relative of a's partner v, or the partner of v, a relative of a.
            let through_a = if is_partner(g, a, v) {
                blood_path(g, anc, v, b, common, r.ga, r.gb, legal).map(|rest| {
                    let mut p = vec![start, partner_step(v)];
                    p.extend(rest.into_iter().skip(1));
                    p
                })
            } else {
                None
            };
            through_a.or_else(|| {
                if !is_partner(g, b, v) {
                    return None;
                }
                let mut p = blood_path(g, anc, a, v, common, r.ga, r.gb, legal)?;
                p.push(partner_step(b));
                Some(p)
            })
        }),
        RelationKind::Step => via.and_then(|v| {
            let none = Avoid::Nothing;
            if r.gb == 0 {
                // b is a partner of a's ancestor v.
                let up = chain_up(g, a, v, r.ga, true, false, &none)?;
                let mut p = join_halves(&up, &[(v, LinkKind::Birth)]);
                p.push(partner_step(b));
                Some(p)
            } else if r.ga == 0 {
                // a is a partner of v, b's ancestor.
                let down = chain_up(g, b, v, r.gb, true, false, &none)?;
                let mut p = vec![start, partner_step(v)];
                p.extend(join_halves(&[(v, LinkKind::Birth)], &down).into_iter().skip(1));
                Some(p)
            } else {
                // Stepsiblings: v is a's parent, partner of q, b's parent.
                let up = ups(g, a, true);
                let (_, ka) = up.iter().find(|(p, _)| *p == v)?;
                let (q, kb) = ups(g, b, true).into_iter().find(|&(q, _)| is_partner(g, v, q))?;
                Some(vec![
                    start,
                    Step { ix: v, link: Some(PathLink::Parent), kind: Some(*ka) },
                    partner_step(q),
                    Step { ix: b, link: Some(PathLink::Child), kind: Some(kb) },
                ])
            }
        }),
    };
    path.unwrap_or_default()
}

// ----- inbreeding ------------------------------------------------------------------------------

fn sex_rank(s: Sex) -> u8 {
    match s {
        Sex::Male => 0,
        Sex::Female => 1,
        _ => 2,
    }
}

/// The inbreeding coefficients of one person, with their parents and how those are related.
pub fn inbreeding(vault: &Vault, graph: &FamilyGraph, person: &str) -> Result<InbreedingResult> {
    let (ix, p) = resolve(vault, graph, person)?;
    let mut parents: Vec<PersonIx> = graph.biological_parents(ix).collect();
    parents.sort_by_key(|&q| sex_rank(graph.sex(q)));
    let rels = match parents[..] {
        [f, m] => Some(graph.relate_ix(f, m, &RelateOptions { step: false, in_law: false, ..Default::default() })),
        _ => None,
    };
    let mut ids: Vec<Uuid> = parents.iter().map(|&q| graph.id_of(q)).collect();
    if let Some(r) = &rels {
        ids.extend(r.relationships.iter().flat_map(|x| x.common_ancestors.iter().copied()));
    }
    let refs = Refs::load(vault, graph, ids)?;
    let get = |id: Uuid| refs.get(id);
    let parents_relationship = rels.map(|r| {
        let blood = Relationships {
            relationships: r.relationships.into_iter().filter(|x| x.kind == RelationKind::Blood).collect(),
            truncated: r.truncated,
        };
        blood.describe(|id| label(&get(id)))
    });
    let opts = KinshipOptions::default();
    let id = graph.id_of(ix);
    let mut notes = vec![];
    let (f, f_exact) = match graph.inbreeding_with(id, Chromosome::Autosomal, &opts) {
        Ok(d) => (Some(d.to_f64()), Some(d.to_string())),
        Err(e) => {
            notes.push(pedigree_note("inbreeding", &e, &get));
            (None, None)
        }
    };
    let (f_x, f_x_exact) = match graph.inbreeding_with(id, Chromosome::X, &opts) {
        Ok(d) => (Some(d.to_f64()), Some(d.to_string())),
        Err(e) => {
            notes.push(pedigree_note("X-chromosome inbreeding", &e, &get));
            (None, None)
        }
    };
    Ok(InbreedingResult {
        person: p,
        parents: parents.iter().map(|&q| refs.ix(q)).collect(),
        parents_relationship,
        f,
        f_exact,
        f_x,
        f_x_exact,
        notes,
    })
}

// ----- charts ----------------------------------------------------------------------------------

/// Ancestors of `person`, `generations` back (a pedigree chart).
pub fn ancestors(vault: &Vault, graph: &FamilyGraph, person: &str, generations: u32) -> Result<Chart> {
    chart(
        vault,
        graph,
        &ChartRequest {
            center: person.to_string(),
            kind: ChartKind::Pedigree,
            generations,
            include_non_birth: false,
            max_nodes: 0,
        },
    )
}

/// Descendants of `person`, `generations` down, with their partners.
pub fn descendants(vault: &Vault, graph: &FamilyGraph, person: &str, generations: u32) -> Result<Chart> {
    chart(
        vault,
        graph,
        &ChartRequest {
            center: person.to_string(),
            kind: ChartKind::Descendants,
            generations,
            include_non_birth: false,
            max_nodes: 0,
        },
    )
}

struct Placed {
    ix: PersonIx,
    role: ChartRole,
    generations: Vec<i32>,
}

/// The nodes and links of a chart around `req.center`.
pub fn chart(vault: &Vault, graph: &FamilyGraph, req: &ChartRequest) -> Result<Chart> {
    let generations = match req.generations {
        0 => DEFAULT_CHART_GENERATIONS,
        n if n > MAX_CHART_GENERATIONS => {
            return Err(ApiError::invalid(format!(
                "a chart goes at most {MAX_CHART_GENERATIONS} generations each way (asked for {n})"
            )))
        }
        n => n,
    };
    let max_nodes = match req.max_nodes {
        0 => DEFAULT_CHART_NODES,
        n => n.min(MAX_CHART_NODES),
    } as usize;
    let links = if req.include_non_birth { Links::All } else { Links::Biological };
    let (center, center_ref) = resolve(vault, graph, &req.center)?;
    let up = matches!(req.kind, ChartKind::Pedigree | ChartKind::Fan | ChartKind::Hourglass);
    let down = matches!(req.kind, ChartKind::Descendants | ChartKind::Hourglass);

    let anc = if up { graph.ancestor_indices(center, generations, links) } else { vec![] };
    let desc = if down { graph.descendant_indices(center, generations, links) } else { vec![] };
    // Partners who are in the chart anyway (a descendant married to a descendant; odd data
    // where a partner is also an ancestor) are linked, not repeated.
    let lineage: HashSet<PersonIx> = anc.iter().chain(&desc).map(|(x, _)| *x).collect();

    let mut placed: Vec<Placed> = vec![Placed { ix: center, role: ChartRole::Center, generations: vec![0] }];
    let mut pos: HashMap<PersonIx, usize> = HashMap::from([(center, 0)]);
    let mut truncated = false;
    // Partners of a descendant (or the center) who are not descendants, right after them.
    let add_partners = |placed: &mut Vec<Placed>, pos: &mut HashMap<PersonIx, usize>, x: PersonIx, gen: i32| {
        for (p, _) in graph.partners(x) {
            if lineage.contains(&p) || p == center {
                continue;
            }
            match pos.get(&p) {
                Some(&i) => {
                    let node = &mut placed[i];
                    if node.role == ChartRole::Partner && !node.generations.contains(&gen) {
                        node.generations.push(gen);
                        node.generations.sort_unstable();
                    }
                }
                None if placed.len() < max_nodes => {
                    pos.insert(p, placed.len());
                    placed.push(Placed { ix: p, role: ChartRole::Partner, generations: vec![gen] });
                }
                None => return false,
            }
        }
        true
    };
    if down && !add_partners(&mut placed, &mut pos, center, 0) {
        truncated = true;
    }
    // Nearest generations first, ancestors before descendants at the same distance.
    let (mut ia, mut id) = (anc.into_iter().peekable(), desc.into_iter().peekable());
    'outer: for d in 1..=generations {
        while let Some((x, gens)) = ia.next_if(|(_, g)| g[0] == d) {
            if pos.contains_key(&x) {
                continue;
            }
            if placed.len() >= max_nodes {
                truncated = true;
                break 'outer;
            }
            pos.insert(x, placed.len());
            let mut g: Vec<i32> = gens.iter().map(|&g| -(g as i32)).collect();
            g.sort_unstable();
            placed.push(Placed { ix: x, role: ChartRole::Ancestor, generations: g });
        }
        while let Some((x, gens)) = id.next_if(|(_, g)| g[0] == d) {
            if pos.contains_key(&x) {
                continue;
            }
            if placed.len() >= max_nodes {
                truncated = true;
                break 'outer;
            }
            pos.insert(x, placed.len());
            placed.push(Placed {
                ix: x,
                role: ChartRole::Descendant,
                generations: gens.iter().map(|&g| g as i32).collect(),
            });
            if !add_partners(&mut placed, &mut pos, x, d as i32) {
                truncated = true;
                break 'outer;
            }
        }
    }
    truncated |= ia.peek().is_some() || id.peek().is_some();

    let refs = Refs::load(vault, graph, placed.iter().map(|p| graph.id_of(p.ix)))?;
    let in_chart = |x: PersonIx| pos.contains_key(&x);
    let legal = links == Links::All;
    let mut collapsed = 0;
    let nodes = placed
        .into_iter()
        .map(|p| {
            if p.role != ChartRole::Partner && p.generations.len() > 1 {
                collapsed += 1;
            }
            let mut parents_all = ups(graph, p.ix, legal);
            parents_all.sort_by_key(|&(q, _)| sex_rank(graph.sex(q)));
            let mut children_all: Vec<(PersonIx, LinkKind)> =
                graph.biological_children(p.ix).map(|c| (c, LinkKind::Birth)).collect();
            if legal {
                children_all.extend(graph.legal_children(p.ix).map(|(c, k)| (c, link_kind(k))));
            }
            let link = |&(x, kind): &(PersonIx, LinkKind)| ChartLink { id: graph.id_of(x).to_string(), kind };
            let mut partners: Vec<String> = vec![];
            for (q, _) in graph.partners(p.ix) {
                let s = graph.id_of(q).to_string();
                if in_chart(q) && !partners.contains(&s) {
                    partners.push(s);
                }
            }
            ChartNode {
                person: refs.ix(p.ix),
                role: p.role,
                generations: p.generations,
                parents: parents_all.iter().filter(|(x, _)| in_chart(*x)).map(link).collect(),
                children: children_all.iter().filter(|(x, _)| in_chart(*x)).map(link).collect(),
                partners,
                more_ancestors: parents_all.iter().any(|(x, _)| !in_chart(*x)),
                more_descendants: children_all.iter().any(|(x, _)| !in_chart(*x)),
            }
        })
        .collect();
    Ok(Chart { kind: req.kind, center: center_ref, generations, nodes, truncated, collapsed })
}

// ----- data problems ---------------------------------------------------------------------------

/// The graph's size and data problems, naming people by xref or id.
pub fn report(vault: &Vault, loaded: &LoadedGraph) -> Result<GraphReport> {
    let shown = &loaded.warnings[..loaded.warnings.len().min(MAX_ISSUES)];
    let people_of = |w: &GraphWarning| -> (GraphIssueKind, Vec<Uuid>, Option<Uuid>) {
        match w {
            GraphWarning::UnknownPerson { family, person } => {
                (GraphIssueKind::UnknownPerson, vec![*person], Some(*family))
            }
            GraphWarning::DuplicatePerson { person } => (GraphIssueKind::DuplicatePerson, vec![*person], None),
            GraphWarning::DuplicateFamily { family } => (GraphIssueKind::DuplicateFamily, vec![], Some(*family)),
            GraphWarning::TooManyBiologicalParents { child, kept, ignored } => (
                GraphIssueKind::TooManyBiologicalParents,
                std::iter::once(*child).chain(kept.iter().copied()).chain(ignored.iter().copied()).collect(),
                None,
            ),
            GraphWarning::Cycle { people, .. } => (GraphIssueKind::Cycle, people.clone(), None),
            GraphWarning::TwinsWithDifferentParents { family, members } => {
                (GraphIssueKind::TwinsWithDifferentParents, members.clone(), Some(*family))
            }
            GraphWarning::MonozygoticTwinsDifferentSex { family, members } => {
                (GraphIssueKind::MonozygoticTwinsDifferentSex, members.clone(), Some(*family))
            }
            GraphWarning::TwinNotAChild { family, person } => {
                (GraphIssueKind::TwinNotAChild, vec![*person], Some(*family))
            }
        }
    };
    let mut ids: Vec<Uuid> = vec![];
    for w in shown {
        ids.extend(people_of(w).1);
        if let GraphWarning::Cycle { removed_child, removed_parent, .. } = w {
            ids.extend([*removed_child, *removed_parent]);
        }
    }
    let g = &loaded.graph;
    let refs = Refs::load(vault, g, ids)?;
    let t = |id: &Uuid| match refs.map.get(id) {
        Some(p) => tag(p),
        None => id.to_string(),
    };
    let ts = |ids: &[Uuid]| ids.iter().map(t).collect::<Vec<_>>().join(", ");
    let issues = shown
        .iter()
        .map(|w| {
            let (kind, people, family) = people_of(w);
            let fam = family.map(|f| f.to_string()).unwrap_or_default();
            let message = match w {
                GraphWarning::UnknownPerson { person, .. } => {
                    format!("family {fam} refers to {person}, who is not in the vault; that link is ignored")
                }
                GraphWarning::DuplicatePerson { person } => format!("person {person} is stored twice"),
                GraphWarning::DuplicateFamily { .. } => format!("family {fam} is stored twice"),
                GraphWarning::TooManyBiologicalParents { child, kept, ignored } => format!(
                    "{} has {} birth parents; {} are used for kinship, {} ignored",
                    t(child),
                    kept.len() + ignored.len(),
                    ts(kept),
                    ts(ignored)
                ),
                GraphWarning::Cycle { people, length, removed_child, removed_parent } => format!(
                    "{length} people are recorded as their own ancestors ({}{}); the link \"{} is a parent of {}\" is ignored",
                    people.iter().map(t).collect::<Vec<_>>().join(" → "),
                    if *length > people.len() { " → ..." } else { "" },
                    t(removed_parent),
                    t(removed_child)
                ),
                GraphWarning::TwinsWithDifferentParents { members, .. } => {
                    format!("twins {} in family {fam} have different parents", ts(members))
                }
                GraphWarning::MonozygoticTwinsDifferentSex { members, .. } => {
                    format!("identical twins {} in family {fam} have different sexes", ts(members))
                }
                GraphWarning::TwinNotAChild { person, .. } => {
                    format!("twin {} is not a child of family {fam}", t(person))
                }
            };
            GraphIssue {
                kind,
                message,
                people: people.iter().filter_map(|id| refs.map.get(id).cloned()).collect(),
                family: family.map(|f| f.to_string()),
            }
        })
        .collect();
    let n = |v: usize| u32::try_from(v).unwrap_or(u32::MAX);
    Ok(GraphReport {
        people: n(g.len()),
        families: n(loaded.families),
        build_millis: n(loaded.build_time.as_millis() as usize),
        memory_bytes: g.memory_bytes() as u64,
        issues,
        issues_total: n(loaded.warnings.len()),
    })
}

// ----- keeping the graph current -----------------------------------------------------------------

/// Refuses a family whose parent links would make someone their own ancestor (the graph would
/// have to drop a link, and kinship would silently change). Checks the links as they would be
/// with the family saved; the family's current links count too, so reversing a link in one
/// edit may be refused — delete the old link first.
pub fn check_family(graph: &FamilyGraph, family: &Family) -> Result<()> {
    // The parent links the family adds, child → parents (indices of people in the graph).
    let mut new_parents: BTreeMap<PersonIx, Vec<PersonIx>> = BTreeMap::new();
    for child in &family.children {
        let Some(c) = graph.index_of(child.person) else { continue };
        let parents = family.partners.iter().chain(child.links.iter().map(|l| &l.parent));
        for p in parents.filter_map(|&id| graph.index_of(id)) {
            let e = new_parents.entry(c).or_default();
            if !e.contains(&p) {
                e.push(p);
            }
        }
    }
    let own_ancestor = |who: PersonIx| {
        ApiError::invalid(format!(
            "this family would make {} their own ancestor; check who is parent and who is child",
            graph.id_of(who)
        ))
    };
    for (&c, parents) in &new_parents {
        if parents.contains(&c) {
            return Err(own_ancestor(c));
        }
        // Everyone above c, through existing links and the new ones.
        let mut seen: HashSet<PersonIx> = HashSet::new();
        let mut stack: Vec<PersonIx> = parents.clone();
        while let Some(x) = stack.pop() {
            if x == c {
                return Err(own_ancestor(c));
            }
            if !seen.insert(x) {
                continue;
            }
            stack.extend(ups(graph, x, true).into_iter().map(|(p, _)| p));
            if let Some(more) = new_parents.get(&x) {
                stack.extend(more.iter().copied());
            }
        }
    }
    Ok(())
}

/// Brings the graph up to date after a family was saved or deleted in the vault (`old` as it was
/// before, `new` as it is now; call after the write). Links that another family also describes
/// are kept: the other families of the old members are applied again.
pub fn apply_family_change(
    vault: &Vault,
    loaded: &mut LoadedGraph,
    old: Option<&Family>,
    new: Option<&Family>,
) -> Result<()> {
    let g = &mut loaded.graph;
    loaded.fresh = false;
    if let Some(old) = old {
        g.remove_family(old);
        let this = old.id;
        let mut others: BTreeMap<Uuid, Family> = BTreeMap::new();
        for m in old.partners.iter().chain(old.children.iter().map(|c| &c.person)) {
            for f in vault.families_of(*m)? {
                if f.id != this {
                    others.insert(f.id, f);
                }
            }
        }
        for f in others.values() {
            g.add_family(f);
        }
    }
    if let Some(new) = new {
        g.add_family(new);
    }
    Ok(())
}
