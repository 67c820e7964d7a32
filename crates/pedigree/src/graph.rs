//! The family graph: people as compact `u32` indices, biological and legal parent links, partner
//! links and monozygotic-twin sets, in a few flat arrays.
//!
//! Layout (per person unless noted):
//! - `people`: UUIDs in input order (the index of a person is its position) with a compact
//!   open-addressing table of `u32` indices for lookup (~22 bytes/person, not the ~60 of a
//!   `HashMap<Uuid, u32>` next to the list).
//! - `parents: [u32; 2]`: the biological parents (`NONE` when unknown).
//! - `first_child` + `next_sibling: [u32; 2]`: children as intrusive linked lists threaded
//!   through the children themselves (the slot says which parent's list), so adding or removing
//!   a link is O(siblings) and needs no reallocation, unlike CSR.
//! - `partner_head` + a partner-edge arena (20 bytes per couple), same intrusive-list idea.
//! - Legal (adopted, foster, step, sealing) links, twin sets: hash maps, because they are rare.
//!
//! Cycles (someone recorded as their own ancestor) are broken at build time: an iterative DFS
//! finds every back edge, drops it and reports the cycle. Everything else can then assume a DAG,
//! and still bounds its loops by visited sets or generation counts.

use std::fmt;

use fixedbitset::FixedBitSet;
use kinvault_model::{ChildRelationship, Family, Sex, UnionKind, Zygosity};
use serde::Serialize;
use uuid::Uuid;

use crate::hash::{map_bytes, FxHashMap, FxHashSet};

/// "No person" in the index arrays.
pub(crate) const NONE: u32 = u32::MAX;

/// Compact index of a person inside one [`FamilyGraph`] (not stable across rebuilds).
pub type PersonIx = u32;

/// A parent–child link that is not biological. Kinship ignores these; names use them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LegalKind {
    Adopted,
    Foster,
    Step,
    Sealing,
}

impl LegalKind {
    /// `Birth` and `Unknown` are biological (`None`); the rest are legal-only links.
    pub fn from_relationship(r: ChildRelationship) -> Option<LegalKind> {
        match r {
            ChildRelationship::Birth | ChildRelationship::Unknown => None,
            ChildRelationship::Adopted => Some(LegalKind::Adopted),
            ChildRelationship::Foster => Some(LegalKind::Foster),
            ChildRelationship::Step => Some(LegalKind::Step),
            ChildRelationship::Sealing => Some(LegalKind::Sealing),
        }
    }

    pub(crate) fn bit(self) -> u8 {
        match self {
            LegalKind::Adopted => 1,
            LegalKind::Foster => 2,
            LegalKind::Step => 4,
            LegalKind::Sealing => 8,
        }
    }

    pub(crate) fn from_bits(bits: u8) -> Vec<LegalKind> {
        [LegalKind::Adopted, LegalKind::Foster, LegalKind::Step, LegalKind::Sealing]
            .into_iter()
            .filter(|k| bits & k.bit() != 0)
            .collect()
    }
}

/// Something in the input the graph could not take as it was. Building never fails; it reports.
/// Messages carry ids only, never names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum GraphWarning {
    /// A family names a person missing from the person list; that link was skipped.
    UnknownPerson { family: Uuid, person: Uuid },
    /// The same person id was given twice; the first entry was kept.
    DuplicatePerson { person: Uuid },
    /// The same family id was given twice; the first was kept.
    DuplicateFamily { family: Uuid },
    /// More than two biological parents; the first two (in family order) were kept as biological
    /// and the others ignored for kinship.
    TooManyBiologicalParents { child: Uuid, kept: Vec<Uuid>, ignored: Vec<Uuid> },
    /// Someone is their own ancestor. `people[i + 1]` is a parent of `people[i]`, and `people[0]`
    /// is a parent of the last one; the link "`removed_parent` is a parent of `removed_child`"
    /// (the one closing the cycle) was dropped from the graph. `people` is cut at 1000 entries;
    /// `length` is the full cycle length.
    Cycle { people: Vec<Uuid>, length: usize, removed_child: Uuid, removed_parent: Uuid },
    /// Members of a twin set do not have the same biological parents.
    TwinsWithDifferentParents { family: Uuid, members: Vec<Uuid> },
    /// Monozygotic twins with different recorded sexes (kept as one genome anyway).
    MonozygoticTwinsDifferentSex { family: Uuid, members: Vec<Uuid> },
    /// A twin-set member is not a child of the family.
    TwinNotAChild { family: Uuid, person: Uuid },
}

impl fmt::Display for GraphWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GraphWarning::UnknownPerson { family, person } => {
                write!(f, "family {family} refers to unknown person {person}; link skipped")
            }
            GraphWarning::DuplicatePerson { person } => write!(f, "person {person} given twice; first kept"),
            GraphWarning::DuplicateFamily { family } => write!(f, "family {family} given twice; first kept"),
            GraphWarning::TooManyBiologicalParents { child, kept, ignored } => write!(
                f,
                "{child} has {} biological parents; kept {}, ignored {}",
                kept.len() + ignored.len(),
                join(kept),
                join(ignored)
            ),
            GraphWarning::Cycle { people, length, removed_child, removed_parent } => write!(
                f,
                "cycle of {length} people (each their own ancestor): {}{}; ignored the link \
                 \"{removed_parent} is a parent of {removed_child}\"",
                join(people),
                if *length > people.len() { ", ..." } else { "" }
            ),
            GraphWarning::TwinsWithDifferentParents { family, members } => {
                write!(f, "twins {} in family {family} have different parents", join(members))
            }
            GraphWarning::MonozygoticTwinsDifferentSex { family, members } => {
                write!(f, "monozygotic twins {} in family {family} have different sexes", join(members))
            }
            GraphWarning::TwinNotAChild { family, person } => {
                write!(f, "twin {person} is not a child of family {family}")
            }
        }
    }
}

fn join(ids: &[Uuid]) -> String {
    ids.iter().map(Uuid::to_string).collect::<Vec<_>>().join(", ")
}

/// UUIDs in insertion order (index = position) and an open-addressing table of `u32` indices:
/// O(1) lookup for 4–8 extra bytes per id (a `HashMap<Uuid, u32>` costs ~40), and people keep
/// the order they were given in — usually file order, which keeps relatives near each other in
/// memory.
#[derive(Debug, Clone, Default)]
struct IdIndex {
    ids: Vec<Uuid>,
    /// Power-of-two size, at most 3/4 full; `NONE` marks an empty slot.
    table: Vec<u32>,
}

fn id_hash(id: &Uuid) -> u64 {
    let (hi, lo) = id.as_u64_pair();
    // splitmix64 finalizer: UUIDv7's timestamp bits are far from uniform, the mix makes them so.
    let mut z = hi ^ lo.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl IdIndex {
    fn with_capacity(n: usize) -> IdIndex {
        let mut x = IdIndex { ids: Vec::with_capacity(n), table: Vec::new() };
        x.rehash(n);
        x
    }

    fn get(&self, id: &Uuid) -> Option<u32> {
        if self.table.is_empty() {
            return None;
        }
        let mask = self.table.len() - 1;
        let mut slot = id_hash(id) as usize & mask;
        loop {
            let ix = self.table[slot];
            if ix == NONE {
                return None;
            }
            if self.ids[ix as usize] == *id {
                return Some(ix);
            }
            slot = (slot + 1) & mask;
        }
    }

    /// Adds `id`; `Err(existing index)` if it is already there.
    fn insert(&mut self, id: Uuid) -> Result<u32, u32> {
        if (self.ids.len() + 1) * 4 > self.table.len() * 3 {
            self.rehash(self.ids.len() + 1);
        }
        let mask = self.table.len() - 1;
        let mut slot = id_hash(&id) as usize & mask;
        loop {
            let ix = self.table[slot];
            if ix == NONE {
                let new = self.ids.len() as u32;
                self.table[slot] = new;
                self.ids.push(id);
                return Ok(new);
            }
            if self.ids[ix as usize] == id {
                return Err(ix);
            }
            slot = (slot + 1) & mask;
        }
    }

    fn rehash(&mut self, want: usize) {
        let size = (want.max(self.ids.len()) * 4 / 3 + 1).next_power_of_two().max(16);
        let mut table = vec![NONE; size];
        let mask = size - 1;
        for (ix, id) in self.ids.iter().enumerate() {
            let mut slot = id_hash(id) as usize & mask;
            while table[slot] != NONE {
                slot = (slot + 1) & mask;
            }
            table[slot] = ix as u32;
        }
        self.table = table;
    }

    fn id(&self, ix: u32) -> Uuid {
        self.ids[ix as usize]
    }

    fn len(&self) -> usize {
        self.ids.len()
    }

    fn bytes(&self) -> usize {
        self.ids.capacity() * 16 + self.table.capacity() * 4
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct LegalLink {
    pub(crate) other: u32,
    pub(crate) kind: LegalKind,
}

#[derive(Debug, Clone, Copy)]
struct PartnerEdge {
    a: u32,
    b: u32,
    family: u32,
    next_a: u32,
    next_b: u32,
}

/// Where a parent edge of a person lives (used while breaking cycles).
#[derive(Debug, Clone, Copy)]
enum EdgeRef {
    Bio(usize),
    Legal(u32),
}

enum EdgeStep {
    Done,
    Skip,
    Edge(u32, EdgeRef),
}

/// The family graph. Build it with [`FamilyGraph::build`]; query it with the methods in this
/// module, [`crate::lineage`], [`crate::relate`] and [`crate::kinship`].
#[derive(Debug, Clone)]
pub struct FamilyGraph {
    people: IdIndex,
    alive: FixedBitSet,
    live: usize,
    sex: Vec<Sex>,
    pub(crate) parents: Vec<[u32; 2]>,
    next_sibling: Vec<[u32; 2]>,
    first_child: Vec<u32>,
    partner_head: Vec<u32>,
    partner_edges: Vec<PartnerEdge>,
    free_partner_edges: Vec<u32>,
    families: IdIndex,
    family_kind: Vec<UnionKind>,
    pub(crate) legal_parents: FxHashMap<u32, Vec<LegalLink>>,
    legal_children: FxHashMap<u32, Vec<LegalLink>>,
    /// Non-canonical monozygotic twin → the canonical member of its set (smallest index).
    mz: FxHashMap<u32, u32>,
    /// Children lists are maintained (false only inside `build`, which threads them at the end).
    lists_built: bool,
}

impl FamilyGraph {
    /// Builds the graph from people (id and sex) and families. Never fails: problems in the data
    /// come back as warnings, and the graph holds what could be used.
    ///
    /// For each family child and each parent (the family's partners, plus any parent named only
    /// in the child's links): `Birth`/`Unknown` make a biological link, `Adopted`/`Foster`/`Step`/
    /// `Sealing` a legal-only link. Every pair of partners gets a partner link (any number, any
    /// sex). Monozygotic twin sets become one genome for kinship.
    pub fn build<'f>(
        persons: impl IntoIterator<Item = (Uuid, Sex)>,
        families: impl IntoIterator<Item = &'f Family>,
    ) -> (FamilyGraph, Vec<GraphWarning>) {
        let mut warnings = Vec::new();
        let persons = persons.into_iter();
        let mut people = IdIndex::with_capacity(persons.size_hint().0);
        let mut sex = Vec::with_capacity(persons.size_hint().0);
        for (id, s) in persons {
            match people.insert(id) {
                Ok(_) => sex.push(s),
                Err(_) => warnings.push(GraphWarning::DuplicatePerson { person: id }),
            }
        }
        people.ids.shrink_to_fit();
        sex.shrink_to_fit();
        let n = people.len();
        let mut alive = FixedBitSet::with_capacity(n);
        alive.insert_range(..);

        let families = families.into_iter();
        let mut fams = IdIndex::with_capacity(families.size_hint().0);
        let mut kept: Vec<&Family> = Vec::with_capacity(families.size_hint().0);
        for f in families {
            match fams.insert(f.id) {
                Ok(_) => kept.push(f),
                Err(_) => warnings.push(GraphWarning::DuplicateFamily { family: f.id }),
            }
        }
        let family_kind = kept.iter().map(|f| f.kind).collect();

        let mut g = FamilyGraph {
            people,
            alive,
            live: n,
            sex,
            parents: vec![[NONE; 2]; n],
            next_sibling: vec![[NONE; 2]; n],
            first_child: vec![NONE; n],
            partner_head: vec![NONE; n],
            partner_edges: Vec::new(),
            free_partner_edges: Vec::new(),
            families: fams,
            family_kind,
            legal_parents: FxHashMap::default(),
            legal_children: FxHashMap::default(),
            mz: FxHashMap::default(),
            lists_built: false,
        };
        let mut extra = FxHashMap::default();
        for (fix, fam) in kept.iter().enumerate() {
            g.link_family(fix as u32, fam, &mut warnings, &mut extra);
        }
        g.report_extra_parents(extra, &mut warnings);
        for fam in &kept {
            g.link_twins(fam, &mut warnings);
        }
        g.break_cycles(&mut warnings);
        g.thread_lists();
        g.partner_edges.shrink_to_fit();
        (g, warnings)
    }

    // ----- lookups -------------------------------------------------------------------------

    /// Number of people (removed ones excluded).
    pub fn len(&self) -> usize {
        self.live
    }

    pub fn is_empty(&self) -> bool {
        self.live == 0
    }

    /// Upper bound of person indices (removed people keep their slot until a rebuild).
    pub fn index_bound(&self) -> usize {
        self.people.len()
    }

    pub fn index_of(&self, id: Uuid) -> Option<PersonIx> {
        self.people.get(&id).filter(|&ix| self.alive.contains(ix as usize))
    }

    pub fn id_of(&self, ix: PersonIx) -> Uuid {
        self.people.id(ix)
    }

    pub fn contains(&self, id: Uuid) -> bool {
        self.index_of(id).is_some()
    }

    pub(crate) fn is_alive(&self, ix: u32) -> bool {
        self.alive.contains(ix as usize)
    }

    pub fn sex(&self, ix: PersonIx) -> Sex {
        self.sex[ix as usize]
    }

    /// Biological parents (0, 1 or 2).
    pub fn biological_parents(&self, ix: PersonIx) -> impl Iterator<Item = PersonIx> + '_ {
        self.parents[ix as usize].into_iter().filter(|&p| p != NONE)
    }

    /// Legal-only parents with the kind of link.
    pub fn legal_parents(&self, ix: PersonIx) -> impl Iterator<Item = (PersonIx, LegalKind)> + '_ {
        self.legal_parents.get(&ix).into_iter().flatten().map(|l| (l.other, l.kind))
    }

    /// Biological children.
    pub fn biological_children(&self, ix: PersonIx) -> Children<'_> {
        Children { g: self, parent: ix, next: self.first_child[ix as usize] }
    }

    /// Legal-only children with the kind of link.
    pub fn legal_children(&self, ix: PersonIx) -> impl Iterator<Item = (PersonIx, LegalKind)> + '_ {
        self.legal_children.get(&ix).into_iter().flatten().map(|l| (l.other, l.kind))
    }

    /// Partners, with the index of the family that links them (a couple in two families appears
    /// twice).
    pub fn partners(&self, ix: PersonIx) -> Partners<'_> {
        Partners { g: self, person: ix, edge: self.partner_head[ix as usize] }
    }

    pub fn family_id(&self, family: u32) -> Uuid {
        self.families.id(family)
    }

    pub fn family_kind(&self, family: u32) -> UnionKind {
        self.family_kind[family as usize]
    }

    /// The person whose genome stands for this one in kinship (a monozygotic twin set shares
    /// one); the person itself otherwise.
    pub fn genome_of(&self, ix: PersonIx) -> PersonIx {
        if self.mz.is_empty() {
            ix
        } else {
            self.mz.get(&ix).copied().unwrap_or(ix)
        }
    }

    pub(crate) fn bio_parent_pair(&self, ix: u32) -> [u32; 2] {
        self.parents[ix as usize]
    }

    pub(crate) fn has_legal(&self) -> bool {
        !self.legal_parents.is_empty()
    }

    /// Approximate heap bytes held by the graph (arrays at capacity, hash maps by bucket count).
    pub fn memory_bytes(&self) -> usize {
        use std::mem::size_of;
        let legal = |m: &FxHashMap<u32, Vec<LegalLink>>| {
            map_bytes(m) + m.values().map(|v| v.capacity() * size_of::<LegalLink>()).sum::<usize>()
        };
        self.people.bytes()
            + self.alive.len().div_ceil(8)
            + self.sex.capacity() * size_of::<Sex>()
            + self.parents.capacity() * 8
            + self.next_sibling.capacity() * 8
            + self.first_child.capacity() * 4
            + self.partner_head.capacity() * 4
            + self.partner_edges.capacity() * size_of::<PartnerEdge>()
            + self.free_partner_edges.capacity() * 4
            + self.families.bytes()
            + self.family_kind.capacity() * size_of::<UnionKind>()
            + legal(&self.legal_parents)
            + legal(&self.legal_children)
            + map_bytes(&self.mz)
    }

    /// `memory_bytes() / len()`.
    pub fn bytes_per_person(&self) -> f64 {
        if self.live == 0 {
            0.0
        } else {
            self.memory_bytes() as f64 / self.live as f64
        }
    }

    // ----- incremental updates -------------------------------------------------------------

    /// Adds a person (or revives / updates the sex of an existing one) and returns its index.
    pub fn add_person(&mut self, id: Uuid, sex: Sex) -> PersonIx {
        if let Some(ix) = self.people.get(&id) {
            if !self.alive.contains(ix as usize) {
                self.alive.insert(ix as usize);
                self.live += 1;
            }
            self.sex[ix as usize] = sex;
            return ix;
        }
        let ix = match self.people.insert(id) {
            Ok(ix) | Err(ix) => ix,
        };
        self.alive.grow(ix as usize + 1);
        self.alive.insert(ix as usize);
        self.live += 1;
        self.sex.push(sex);
        self.parents.push([NONE; 2]);
        self.next_sibling.push([NONE; 2]);
        self.first_child.push(NONE);
        self.partner_head.push(NONE);
        ix
    }

    /// Changes a person's sex; false if unknown.
    pub fn set_sex(&mut self, id: Uuid, sex: Sex) -> bool {
        match self.index_of(id) {
            Some(ix) => {
                self.sex[ix as usize] = sex;
                true
            }
            None => false,
        }
    }

    /// Removes a person and every link to them. Their index stays reserved until a rebuild.
    pub fn remove_person(&mut self, id: Uuid) -> bool {
        let Some(x) = self.index_of(id) else { return false };
        let children: Vec<u32> = self.biological_children(x).collect();
        for c in children {
            self.remove_bio_link(c, x);
        }
        for p in self.parents[x as usize] {
            if p != NONE {
                self.remove_bio_link(x, p);
            }
        }
        for l in self.legal_parents.get(&x).cloned().unwrap_or_default() {
            self.remove_legal_link(x, l.other);
        }
        for l in self.legal_children.get(&x).cloned().unwrap_or_default() {
            self.remove_legal_link(l.other, x);
        }
        while self.partner_head[x as usize] != NONE {
            let e = self.partner_head[x as usize];
            self.remove_partner_edge(e);
        }
        self.forget_twin(x);
        self.alive.set(x as usize, false);
        self.live -= 1;
        true
    }

    /// Adds a family's links (for a family that is new to the graph). A link that would make
    /// someone their own ancestor is refused and reported.
    pub fn add_family(&mut self, family: &Family) -> Vec<GraphWarning> {
        let mut warnings = Vec::new();
        let fix = match self.families.get(&family.id) {
            Some(fix) => {
                self.family_kind[fix as usize] = family.kind;
                fix
            }
            None => {
                self.family_kind.push(family.kind);
                match self.families.insert(family.id) {
                    Ok(fix) | Err(fix) => fix,
                }
            }
        };
        let mut extra = FxHashMap::default();
        self.link_family(fix, family, &mut warnings, &mut extra);
        self.report_extra_parents(extra, &mut warnings);
        self.link_twins(family, &mut warnings);
        warnings
    }

    /// Removes the links a family describes (give the family as it was when added). A link that
    /// another family also describes goes too: rebuild if your data has such duplicates.
    pub fn remove_family(&mut self, family: &Family) -> bool {
        let Some(fix) = self.families.get(&family.id) else { return false };
        for pid in &family.partners {
            let Some(p) = self.index_of(*pid) else { continue };
            let mut e = self.partner_head[p as usize];
            while e != NONE {
                let pe = self.partner_edges[e as usize];
                let next = if pe.a == p { pe.next_a } else { pe.next_b };
                if pe.family == fix {
                    self.remove_partner_edge(e);
                }
                e = next;
            }
        }
        for child in &family.children {
            let Some(c) = self.index_of(child.person) else { continue };
            for pid in family_parents(family, child) {
                let Some(p) = self.index_of(pid) else { continue };
                match LegalKind::from_relationship(child.relationship_to(pid)) {
                    None => self.remove_bio_link(c, p),
                    Some(_) => self.remove_legal_link(c, p),
                }
            }
        }
        for set in &family.twins {
            if set.zygosity == Zygosity::Monozygotic {
                for m in &set.members {
                    if let Some(x) = self.index_of(*m) {
                        self.forget_twin(x);
                    }
                }
            }
        }
        true
    }

    /// `remove_family(old)` then `add_family(new)`.
    pub fn update_family(&mut self, old: &Family, new: &Family) -> Vec<GraphWarning> {
        self.remove_family(old);
        self.add_family(new)
    }

    // ----- construction internals ----------------------------------------------------------

    fn link_family(
        &mut self,
        fix: u32,
        fam: &Family,
        warnings: &mut Vec<GraphWarning>,
        extra: &mut FxHashMap<u32, Vec<u32>>,
    ) {
        let mut resolved: Vec<(Uuid, Option<u32>)> = Vec::new();
        let mut resolve = |g: &FamilyGraph, id: Uuid, warnings: &mut Vec<GraphWarning>| -> Option<u32> {
            if let Some((_, r)) = resolved.iter().find(|(u, _)| *u == id) {
                return *r;
            }
            let r = g.index_of(id);
            if r.is_none() {
                warnings.push(GraphWarning::UnknownPerson { family: fam.id, person: id });
            }
            resolved.push((id, r));
            r
        };
        let mut partners: Vec<u32> = Vec::with_capacity(fam.partners.len());
        for id in &fam.partners {
            if let Some(p) = resolve(self, *id, warnings) {
                if !partners.contains(&p) {
                    partners.push(p);
                }
            }
        }
        for i in 0..partners.len() {
            for j in i + 1..partners.len() {
                self.add_partner_edge(partners[i], partners[j], fix);
            }
        }
        for child in &fam.children {
            let Some(c) = resolve(self, child.person, warnings) else { continue };
            for pid in family_parents(fam, child) {
                let Some(p) = resolve(self, pid, warnings) else { continue };
                let legal = LegalKind::from_relationship(child.relationship_to(pid));
                if self.lists_built {
                    // Incremental: refuse a link that closes a cycle (build breaks them later).
                    if let Some(path) = self.ancestor_path(p, c) {
                        warnings.push(self.cycle_warning(&path, path.len(), c, p));
                        continue;
                    }
                }
                match legal {
                    None => {
                        let slots = &mut self.parents[c as usize];
                        if slots.contains(&p) {
                            continue;
                        }
                        match slots.iter().position(|&s| s == NONE) {
                            Some(slot) => {
                                slots[slot] = p;
                                if self.lists_built {
                                    self.next_sibling[c as usize][slot] = self.first_child[p as usize];
                                    self.first_child[p as usize] = c;
                                }
                            }
                            None => {
                                let e = extra.entry(c).or_default();
                                if !e.contains(&p) {
                                    e.push(p);
                                }
                            }
                        }
                    }
                    Some(kind) => {
                        let links = self.legal_parents.entry(c).or_default();
                        if links.iter().any(|l| l.other == p) {
                            continue;
                        }
                        links.push(LegalLink { other: p, kind });
                        if self.lists_built {
                            self.legal_children.entry(p).or_default().push(LegalLink { other: c, kind });
                        }
                    }
                }
            }
        }
    }

    fn report_extra_parents(&self, extra: FxHashMap<u32, Vec<u32>>, warnings: &mut Vec<GraphWarning>) {
        let mut extra: Vec<_> = extra.into_iter().collect();
        extra.sort();
        for (c, ignored) in extra {
            warnings.push(GraphWarning::TooManyBiologicalParents {
                child: self.id_of(c),
                kept: self.biological_parents(c).map(|p| self.id_of(p)).collect(),
                ignored: ignored.into_iter().map(|p| self.id_of(p)).collect(),
            });
        }
    }

    fn link_twins(&mut self, fam: &Family, warnings: &mut Vec<GraphWarning>) {
        for set in &fam.twins {
            let mut members = Vec::new();
            for m in &set.members {
                let Some(x) = self.index_of(*m) else {
                    warnings.push(GraphWarning::UnknownPerson { family: fam.id, person: *m });
                    continue;
                };
                if !fam.children.iter().any(|c| c.person == *m) {
                    warnings.push(GraphWarning::TwinNotAChild { family: fam.id, person: *m });
                }
                if !members.contains(&x) {
                    members.push(x);
                }
            }
            if members.len() < 2 {
                continue;
            }
            let sorted_parents = |x: u32| {
                let mut p = self.parents[x as usize];
                p.sort();
                p
            };
            let first = sorted_parents(members[0]);
            if members.iter().any(|&m| sorted_parents(m) != first) {
                warnings.push(GraphWarning::TwinsWithDifferentParents {
                    family: fam.id,
                    members: members.iter().map(|&m| self.id_of(m)).collect(),
                });
            }
            if set.zygosity != Zygosity::Monozygotic {
                continue;
            }
            let known: FxHashSet<Sex> =
                members.iter().map(|&m| self.sex(m)).filter(|s| matches!(s, Sex::Male | Sex::Female)).collect();
            if known.len() > 1 {
                warnings.push(GraphWarning::MonozygoticTwinsDifferentSex {
                    family: fam.id,
                    members: members.iter().map(|&m| self.id_of(m)).collect(),
                });
            }
            // Merge with any set the members already belong to; the smallest index is canonical.
            let old: Vec<u32> = members.iter().map(|&m| self.genome_of(m)).collect();
            let canon = old.iter().chain(&members).copied().min().unwrap_or(members[0]);
            for v in self.mz.values_mut() {
                if old.contains(v) {
                    *v = canon;
                }
            }
            for &x in old.iter().chain(&members) {
                if x != canon {
                    self.mz.insert(x, canon);
                }
            }
        }
    }

    fn forget_twin(&mut self, x: u32) {
        if self.mz.is_empty() {
            return;
        }
        self.mz.remove(&x);
        let others: Vec<u32> = self.mz.iter().filter(|(_, &c)| c == x).map(|(&k, _)| k).collect();
        if let Some(&new_canon) = others.iter().min() {
            self.mz.remove(&new_canon);
            for k in others {
                if k != new_canon {
                    self.mz.insert(k, new_canon);
                }
            }
        }
    }

    fn add_partner_edge(&mut self, a: u32, b: u32, family: u32) {
        if a == b || self.partners(a).any(|(o, f)| o == b && f == family) {
            return;
        }
        let edge =
            PartnerEdge { a, b, family, next_a: self.partner_head[a as usize], next_b: self.partner_head[b as usize] };
        let e = match self.free_partner_edges.pop() {
            Some(e) => {
                self.partner_edges[e as usize] = edge;
                e
            }
            None => {
                self.partner_edges.push(edge);
                (self.partner_edges.len() - 1) as u32
            }
        };
        self.partner_head[a as usize] = e;
        self.partner_head[b as usize] = e;
    }

    fn remove_partner_edge(&mut self, e: u32) {
        let pe = self.partner_edges[e as usize];
        for x in [pe.a, pe.b] {
            let mut prev = NONE;
            let mut cur = self.partner_head[x as usize];
            while cur != NONE {
                let c = self.partner_edges[cur as usize];
                let next = if c.a == x { c.next_a } else { c.next_b };
                if cur == e {
                    if prev == NONE {
                        self.partner_head[x as usize] = next;
                    } else {
                        let p = &mut self.partner_edges[prev as usize];
                        if p.a == x {
                            p.next_a = next;
                        } else {
                            p.next_b = next;
                        }
                    }
                    break;
                }
                prev = cur;
                cur = next;
            }
        }
        self.partner_edges[e as usize] = PartnerEdge { a: NONE, b: NONE, family: NONE, next_a: NONE, next_b: NONE };
        self.free_partner_edges.push(e);
    }

    fn remove_bio_link(&mut self, c: u32, p: u32) {
        let Some(slot) = self.parents[c as usize].iter().position(|&s| s == p) else { return };
        // Unlink c from p's children list.
        let mut prev: Option<(u32, usize)> = None;
        let mut cur = self.first_child[p as usize];
        while cur != NONE {
            let s = if self.parents[cur as usize][0] == p { 0 } else { 1 };
            let next = self.next_sibling[cur as usize][s];
            if cur == c {
                match prev {
                    None => self.first_child[p as usize] = next,
                    Some((pc, ps)) => self.next_sibling[pc as usize][ps] = next,
                }
                break;
            }
            prev = Some((cur, s));
            cur = next;
        }
        self.parents[c as usize][slot] = NONE;
        self.next_sibling[c as usize][slot] = NONE;
    }

    fn remove_legal_link(&mut self, c: u32, p: u32) {
        if let Some(v) = self.legal_parents.get_mut(&c) {
            v.retain(|l| l.other != p);
            if v.is_empty() {
                self.legal_parents.remove(&c);
            }
        }
        if let Some(v) = self.legal_children.get_mut(&p) {
            v.retain(|l| l.other != c);
            if v.is_empty() {
                self.legal_children.remove(&p);
            }
        }
    }

    fn parent_edge(&self, x: u32, e: usize) -> EdgeStep {
        if e < 2 {
            let p = self.parents[x as usize][e];
            return if p == NONE { EdgeStep::Skip } else { EdgeStep::Edge(p, EdgeRef::Bio(e)) };
        }
        match self.legal_parents.get(&x).and_then(|v| v.get(e - 2)) {
            Some(l) => EdgeStep::Edge(l.other, EdgeRef::Legal(l.other)),
            None => EdgeStep::Done,
        }
    }

    /// Iterative DFS over parent links (biological and legal); every back edge closes a cycle
    /// and is removed. Removing all back edges of one DFS leaves a DAG.
    fn break_cycles(&mut self, warnings: &mut Vec<GraphWarning>) {
        let n = self.people.len();
        let mut color = vec![0u8; n]; // 0 unseen, 1 on the DFS stack, 2 done
        let mut pos = vec![0u32; n];
        let mut stack: Vec<(u32, usize)> = Vec::new();
        let mut back: Vec<(u32, EdgeRef, u32, Vec<u32>, usize)> = Vec::new();
        for root in 0..n {
            if color[root] != 0 || !self.alive.contains(root) {
                continue;
            }
            color[root] = 1;
            pos[root] = 0;
            stack.push((root as u32, 0));
            while let Some(top) = stack.last_mut() {
                let (x, e) = *top;
                top.1 += 1;
                match self.parent_edge(x, e) {
                    EdgeStep::Done => {
                        color[x as usize] = 2;
                        stack.pop();
                    }
                    EdgeStep::Skip => {}
                    EdgeStep::Edge(p, r) => match color[p as usize] {
                        0 => {
                            color[p as usize] = 1;
                            pos[p as usize] = stack.len() as u32;
                            stack.push((p, 0));
                        }
                        1 => {
                            let from = pos[p as usize] as usize;
                            let length = stack.len() - from;
                            let people = stack[from..].iter().take(1000).map(|&(v, _)| v).collect();
                            back.push((x, r, p, people, length));
                        }
                        _ => {}
                    },
                }
            }
        }
        for (x, r, p, people, length) in back {
            match r {
                EdgeRef::Bio(slot) => self.parents[x as usize][slot] = NONE,
                EdgeRef::Legal(q) => {
                    if let Some(v) = self.legal_parents.get_mut(&x) {
                        v.retain(|l| l.other != q);
                        if v.is_empty() {
                            self.legal_parents.remove(&x);
                        }
                    }
                }
            }
            warnings.push(self.cycle_warning(&people, length, x, p));
        }
    }

    fn cycle_warning(&self, people: &[u32], length: usize, child: u32, parent: u32) -> GraphWarning {
        GraphWarning::Cycle {
            people: people.iter().take(1000).map(|&v| self.id_of(v)).collect(),
            length,
            removed_child: self.id_of(child),
            removed_parent: self.id_of(parent),
        }
    }

    /// If `target` is `from` or one of its ancestors (any link), the chain `from, parent, ...,
    /// target` (each the parent of the one before). Breadth-first, so the chain is a shortest one.
    fn ancestor_path(&self, from: u32, target: u32) -> Option<Vec<u32>> {
        if from == target {
            return Some(vec![from]);
        }
        let mut pred: FxHashMap<u32, u32> = FxHashMap::default();
        pred.insert(from, NONE);
        let mut queue = std::collections::VecDeque::from([from]);
        while let Some(x) = queue.pop_front() {
            let legal = self.legal_parents.get(&x).into_iter().flatten().map(|l| l.other);
            for p in self.parents[x as usize].into_iter().filter(|&p| p != NONE).chain(legal) {
                if pred.contains_key(&p) {
                    continue;
                }
                pred.insert(p, x);
                if p == target {
                    let mut path = vec![p];
                    let mut cur = x;
                    while cur != NONE {
                        path.push(cur);
                        cur = pred[&cur];
                    }
                    path.reverse();
                    return Some(path);
                }
                queue.push_back(p);
            }
        }
        None
    }

    fn thread_lists(&mut self) {
        for c in (0..self.people.len() as u32).rev() {
            for slot in 0..2 {
                let p = self.parents[c as usize][slot];
                if p != NONE {
                    self.next_sibling[c as usize][slot] = self.first_child[p as usize];
                    self.first_child[p as usize] = c;
                }
            }
        }
        let mut keys: Vec<u32> = self.legal_parents.keys().copied().collect();
        keys.sort_unstable();
        for c in keys {
            for l in self.legal_parents[&c].clone() {
                self.legal_children.entry(l.other).or_default().push(LegalLink { other: c, kind: l.kind });
            }
        }
        self.lists_built = true;
    }
}

/// The family's partners, then any parent named only in the child's links (a person recorded as
/// their own parent stays in, so cycle handling reports it).
fn family_parents(fam: &Family, child: &kinvault_model::FamilyChild) -> Vec<Uuid> {
    let mut out: Vec<Uuid> = Vec::with_capacity(fam.partners.len() + child.links.len());
    for id in fam.partners.iter().chain(child.links.iter().map(|l| &l.parent)) {
        if !out.contains(id) {
            out.push(*id);
        }
    }
    out
}

/// Biological children of one person (see [`FamilyGraph::biological_children`]).
pub struct Children<'a> {
    g: &'a FamilyGraph,
    parent: u32,
    next: u32,
}

impl Iterator for Children<'_> {
    type Item = PersonIx;
    fn next(&mut self) -> Option<PersonIx> {
        if self.next == NONE {
            return None;
        }
        let cur = self.next;
        let slot = if self.g.parents[cur as usize][0] == self.parent { 0 } else { 1 };
        self.next = self.g.next_sibling[cur as usize][slot];
        Some(cur)
    }
}

/// Partners of one person with the family index (see [`FamilyGraph::partners`]).
pub struct Partners<'a> {
    g: &'a FamilyGraph,
    person: u32,
    edge: u32,
}

impl Iterator for Partners<'_> {
    type Item = (PersonIx, u32);
    fn next(&mut self) -> Option<(PersonIx, u32)> {
        if self.edge == NONE {
            return None;
        }
        let e = self.g.partner_edges[self.edge as usize];
        let (other, next) = if e.a == self.person { (e.b, e.next_a) } else { (e.a, e.next_b) };
        self.edge = next;
        Some((other, e.family))
    }
}
