//! Model records → GEDCOM records (5.5.1 or 7.0), one record at a time.
//!
//! An export is two passes over the stored records:
//!
//! 1. `scan_*` every person, family, source and raw record: the exporter learns every xref
//!    (and invents one for records that have none), who is living (left out unless asked for),
//!    and who belongs to which family (for `FAMC`/`FAMS`).
//! 2. [`Exporter::header`], then [`Exporter::person`], [`Exporter::family`],
//!    [`Exporter::source`], [`Exporter::raw_record`] for each record, then
//!    [`Exporter::trailing_records`]; give each node to a [`kinvault_gedcom::Writer`].
//!
//! What the importer kept raw is written back where it was: `unmapped` lists after the mapped
//! fields, carriers merged into the line they belong to (see `import.rs`).

use super::common::*;
use kinvault_gedcom::{Node, WriteOptions, WriteVersion};
use kinvault_model::*;
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// How to export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportOptions {
    pub version: WriteVersion,
    /// Include people who may be living (see [`is_living`]). Off by default.
    pub include_living: bool,
    /// Include health data (conditions, genetic tests, causes of death, medical facts). Off by
    /// default.
    pub include_health: bool,
    /// A person born at least this many years ago counts as no longer living (default 110).
    pub living_years: u32,
    /// The current year, for the living rule.
    pub now_year: i32,
}

impl ExportOptions {
    /// Private defaults: no living people, no health data, 110 years.
    pub fn new(version: WriteVersion, now_year: i32) -> ExportOptions {
        ExportOptions { version, include_living: false, include_health: false, living_years: 110, now_year }
    }
}

/// What an export wrote and what it left out.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ExportCounts {
    pub individuals: u64,
    pub families: u64,
    pub sources: u64,
    pub other_records: u64,
    /// Media references and media records written.
    pub media: u64,
    /// People left out because they may be living.
    pub living_excluded: u64,
    /// Records (shared notes, media records...) left out because only people left out point
    /// at them.
    pub records_excluded: u64,
    /// Health items left out (conditions, genetic tests, medical facts and vendor medical tags).
    pub health_excluded: u64,
}

/// Living unless the record says otherwise: not deceased, no death/burial/cremation/probate,
/// and not born (or christened/baptised) at least `living_years` before `now_year` (by the
/// latest year the date allows). Unknown birth and no death: living.
pub fn is_living(p: &Person, living_years: u32, now_year: i32) -> bool {
    match p.vital_status {
        VitalStatus::Deceased { .. } => return false,
        VitalStatus::Alive { .. } => return true,
        VitalStatus::Unknown => {}
    }
    let dead =
        |k: &EventKind| matches!(k, EventKind::Death | EventKind::Burial | EventKind::Cremation | EventKind::Probate);
    if p.events.iter().any(|e| dead(&e.kind)) {
        return false;
    }
    let year = |k: EventKind| {
        p.events.iter().filter(|e| e.kind == k).find_map(|e| e.date.as_ref().and_then(|d| d.latest).map(|y| y.year))
    };
    let born = year(EventKind::Birth).or_else(|| year(EventKind::Christening)).or_else(|| year(EventKind::Baptism));
    born.is_none_or(|y| i64::from(now_year) - i64::from(y) < i64::from(living_years))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Person,
    Family,
    Source,
    Other,
}

struct PersonInfo {
    xref: String,
    excluded: bool,
    female: bool,
}

#[derive(Clone, Copy)]
enum Role {
    Partner,
    /// A child, with the `PEDI` to write on its `FAMC` (when one relationship speaks for
    /// every parent).
    Child(Option<ChildRelationship>),
}

/// The exporter (see the module docs for the call order).
pub struct Exporter {
    opts: ExportOptions,
    v7: bool,
    persons: HashMap<Uuid, PersonInfo>,
    families: HashMap<Uuid, (String, bool)>,
    sources: HashMap<Uuid, String>,
    /// Every xref in the export (without `@`s) and what it names.
    known: HashMap<String, Kind>,
    excluded_xrefs: HashSet<String>,
    membership: HashMap<Uuid, Vec<(Uuid, Role)>>,
    need_xref: Vec<(Uuid, Kind)>,
    /// People some other record points at (associations, twins): they need an xref.
    referenced: HashSet<Uuid>,
    /// Xrefs that written records point at from their raw structures, and xrefs that only
    /// records left out (or parts left out) point at.
    included_refs: HashSet<String>,
    excluded_refs: HashSet<String>,
    /// Kinvault extension tags this export uses (declared in a GEDCOM 7 header).
    used_extensions: std::collections::BTreeSet<&'static str>,
    /// Families someone's FAMC/FAMS will point at.
    linked_families: HashSet<Uuid>,
    next_generated: u64,
    first_submitter: Option<String>,
    media_records: Vec<Node>,
    counts: ExportCounts,
}

/// Raw structures of one list, with the carriers consumed so far.
struct Pool<'a> {
    items: &'a [RawStructure],
    used: Vec<bool>,
}

impl<'a> Pool<'a> {
    fn new(items: &'a [RawStructure]) -> Pool<'a> {
        Pool { items, used: vec![false; items.len()] }
    }

    /// Children of the first unused carrier with one of `tags` and this pointer (`None`: a
    /// singleton carrier such as `DATE`).
    fn carrier(&mut self, tags: &[&str], pointer: Option<&str>) -> &'a [RawStructure] {
        for (i, r) in self.items.iter().enumerate() {
            if !self.used[i]
                && tags.contains(&r.tag.as_str())
                && r.text.is_none()
                && r.xref.is_none()
                && r.pointer.as_deref() == pointer
            {
                self.used[i] = true;
                return &r.children;
            }
        }
        &[]
    }

    /// Carriers left for the same link (the file repeated the line, e.g. two `FAMC @F1@` with
    /// different `STAT`): each becomes a line of its own.
    fn repeats(&mut self, tags: &[&str], pointer: &str) -> Vec<&'a RawStructure> {
        let mut out = vec![];
        for (i, r) in self.items.iter().enumerate() {
            if !self.used[i]
                && tags.contains(&r.tag.as_str())
                && r.text.is_none()
                && r.xref.is_none()
                && r.pointer.as_deref() == Some(pointer)
            {
                self.used[i] = true;
                out.push(r);
            }
        }
        out
    }

    fn has(&self, tag: &str) -> bool {
        self.items.iter().any(|r| r.tag == tag)
    }

    fn rest(&self) -> impl Iterator<Item = &'a RawStructure> + '_ {
        self.items.iter().zip(&self.used).filter(|(_, u)| !**u).map(|(r, _)| r)
    }
}

fn text(tag: &str, t: &str) -> Node {
    Node::with_text(tag, t)
}

fn pointer(tag: &str, xref: &str) -> Node {
    Node::with_pointer(tag, xref)
}

const ASSO_ROLES_V7: &[&str] = &[
    "CHIL",
    "CLERGY",
    "FATH",
    "FRIEND",
    "GODP",
    "HUSB",
    "MOTH",
    "MULTIPLE",
    "NGHBR",
    "OFFICIATOR",
    "PARENT",
    "SPOU",
    "WIFE",
    "WITN",
    "OTHER",
];

impl Exporter {
    pub fn new(opts: ExportOptions) -> Exporter {
        let v7 = opts.version == WriteVersion::V7_0;
        Exporter {
            opts,
            v7,
            persons: HashMap::new(),
            families: HashMap::new(),
            sources: HashMap::new(),
            known: HashMap::new(),
            excluded_xrefs: HashSet::new(),
            membership: HashMap::new(),
            need_xref: vec![],
            referenced: HashSet::new(),
            linked_families: HashSet::new(),
            used_extensions: Default::default(),
            included_refs: HashSet::new(),
            excluded_refs: HashSet::new(),
            next_generated: 1,
            first_submitter: None,
            media_records: vec![],
            counts: ExportCounts::default(),
        }
    }

    pub fn options(&self) -> &ExportOptions {
        &self.opts
    }

    pub fn counts(&self) -> ExportCounts {
        self.counts
    }

    fn own_xref(&mut self, id: Uuid, xref: Option<&str>, kind: Kind) -> String {
        match xref.map(bare_xref).filter(|x| !x.is_empty()) {
            Some(x) => {
                self.known.entry(x.to_string()).or_insert(kind);
                x.to_string()
            }
            None => {
                self.need_xref.push((id, kind));
                String::new()
            }
        }
    }

    /// Pass 1, people first (families need to know who is living).
    pub fn scan_person(&mut self, p: &Person) {
        let xref = self.own_xref(p.id, p.xref.as_deref(), Kind::Person);
        let excluded = !self.opts.include_living && is_living(p, self.opts.living_years, self.opts.now_year);
        if excluded {
            self.counts.living_excluded += 1;
            if !xref.is_empty() {
                self.excluded_xrefs.insert(xref.clone());
            }
        }
        self.persons.insert(p.id, PersonInfo { xref, excluded, female: p.sex == Sex::Female });
        self.referenced.extend(p.associations.iter().map(|a| a.person));
        let raws = p
            .unmapped
            .iter()
            .chain(p.names.iter().flat_map(|n| &n.unmapped))
            .chain(p.citations.iter().flat_map(|c| &c.unmapped))
            .chain(p.conditions.iter().flat_map(|c| &c.unmapped))
            .chain(p.events.iter().flat_map(|e| e.unmapped.iter().chain(e.citations.iter().flat_map(|c| &c.unmapped))));
        note_pointers(if excluded { &mut self.excluded_refs } else { &mut self.included_refs }, raws);
        let health = self.opts.include_health;
        for (tag, used) in [
            (EXT_GENDER, p.gender.as_deref().is_some_and(|g| !g.is_empty())),
            (EXT_ALIVE, matches!(p.vital_status, VitalStatus::Alive { .. })),
            (EXT_COND, health && !p.conditions.is_empty()),
            (EXT_GTEST, health && !p.genetic_tests.is_empty()),
            (EXT_PROBAND, health && p.proband),
        ] {
            if used && !excluded {
                self.used_extensions.insert(tag);
            }
        }
        self.note_citations(p.citations.iter().chain(p.events.iter().flat_map(|e| &e.citations)));
    }

    fn note_citations<'a>(&mut self, cits: impl Iterator<Item = &'a Citation>) {
        self.referenced.extend(cits.map(|c| c.source));
    }

    fn included(&self, person: Uuid) -> bool {
        self.persons.get(&person).is_some_and(|i| !i.excluded)
    }

    /// Pass 1, after every person.
    pub fn scan_family(&mut self, f: &Family) {
        let xref = self.own_xref(f.id, f.xref.as_deref(), Kind::Family);
        let partners: Vec<Uuid> = f.partners.iter().copied().filter(|p| self.included(*p)).collect();
        let children: Vec<&FamilyChild> = f.children.iter().filter(|c| self.included(c.person)).collect();
        self.note_citations(f.citations.iter().chain(f.events.iter().flat_map(|e| &e.citations)));
        let had_members = !f.partners.is_empty() || !f.children.is_empty();
        let excluded = had_members && partners.is_empty() && children.is_empty();
        self.families.insert(f.id, (xref, excluded));
        // A family with a partner left out is written without its own details.
        let private = excluded || f.partners.iter().any(|p| !self.included(*p));
        let raws =
            f.unmapped.iter().chain(f.citations.iter().flat_map(|c| &c.unmapped)).chain(
                f.events.iter().flat_map(|e| e.unmapped.iter().chain(e.citations.iter().flat_map(|c| &c.unmapped))),
            );
        note_pointers(if private { &mut self.excluded_refs } else { &mut self.included_refs }, raws);
        if excluded {
            return;
        }
        if !partners.is_empty() || !children.is_empty() {
            self.linked_families.insert(f.id);
        }
        let has_marriage = f.events.iter().any(|e| e.kind == EventKind::Marriage);
        for (tag, used) in [
            (EXT_UNION, derived_union_kind(has_marriage, &f.unmapped) != f.kind),
            (EXT_CONSANG, f.consanguineous),
            (EXT_TWIN, !f.twins.is_empty()),
        ] {
            if used {
                self.used_extensions.insert(tag);
            }
        }
        for p in partners.iter().copied().collect::<HashSet<_>>() {
            self.membership.entry(p).or_default().push((f.id, Role::Partner));
        }
        for c in children {
            let pedi = uniform_relationship(c, &partners);
            self.membership.entry(c.person).or_default().push((f.id, Role::Child(pedi)));
        }
    }

    pub fn scan_source(&mut self, s: &Source) {
        note_pointers(&mut self.included_refs, &s.unmapped);
        let xref = self.own_xref(s.id, s.xref.as_deref(), Kind::Source);
        self.sources.insert(s.id, xref);
    }

    pub fn scan_raw_record(&mut self, r: &RawRecord) {
        note_pointers(&mut self.included_refs, &r.structure.children);
        if let Some(x) = r.structure.xref.as_deref() {
            self.known.entry(x.to_string()).or_insert(Kind::Other);
            if r.structure.tag == "SUBM" && self.first_submitter.is_none() {
                self.first_submitter = Some(x.to_string());
            }
        }
    }

    fn generate_xref(&mut self, prefix: char, kind: Kind) -> String {
        loop {
            let x = format!("{prefix}{}", self.next_generated);
            self.next_generated += 1;
            if !self.known.contains_key(&x) {
                self.known.insert(x.clone(), kind);
                return x;
            }
        }
    }

    /// Ends pass 1: gives records without an xref a fresh one — in GEDCOM 7 only those something
    /// points at (7 allows records without xref; 5.5.1 does not).
    pub fn prepare(&mut self) {
        for (id, kind) in std::mem::take(&mut self.need_xref) {
            let needed = !self.v7
                || match kind {
                    Kind::Person => self.membership.contains_key(&id) || self.referenced.contains(&id),
                    Kind::Family => self.linked_families.contains(&id),
                    Kind::Source => self.referenced.contains(&id),
                    Kind::Other => true,
                };
            if !needed {
                continue;
            }
            match kind {
                Kind::Person => {
                    let x = self.generate_xref('I', kind);
                    if let Some(info) = self.persons.get_mut(&id) {
                        if info.excluded {
                            self.excluded_xrefs.insert(x.clone());
                        }
                        info.xref = x;
                    }
                }
                Kind::Family => {
                    let x = self.generate_xref('F', kind);
                    if let Some(f) = self.families.get_mut(&id) {
                        f.0 = x;
                    }
                }
                Kind::Source => {
                    let x = self.generate_xref('S', kind);
                    self.sources.insert(id, x);
                }
                Kind::Other => {}
            }
        }
    }

    /// The Kinvault extension tags this export uses, with their URIs, for a GEDCOM 7
    /// `HEAD.SCHMA` (after the scan).
    pub fn extension_tags(&self) -> Vec<(String, String)> {
        self.used_extensions.iter().map(|t| (t.to_string(), extension_uri(t))).collect()
    }

    /// Writer options for this export.
    pub fn write_options(&self) -> WriteOptions {
        let mut o = if self.v7 { WriteOptions::gedcom_70() } else { WriteOptions::gedcom_551() };
        o.extension_tags = self.extension_tags();
        o
    }

    pub fn header(&self) -> Node {
        let mut h = Node::new("HEAD");
        h.children.push(
            text("SOUR", "KINVAULT")
                .child_node(text("VERS", env!("CARGO_PKG_VERSION")))
                .child_node(text("NAME", "Kinvault")),
        );
        if let Some(s) = &self.first_submitter {
            h.children.push(pointer("SUBM", s));
        }
        h
    }

    /// Drops raw structures that point at someone left out (and their substructures that do).
    fn raw(&self, r: &RawStructure) -> Option<Node> {
        if r.pointer.as_deref().is_some_and(|p| self.excluded_xrefs.contains(p)) {
            return None;
        }
        let mut n = raw_to_node(&RawStructure { children: vec![], ..r.clone() });
        n.children = r.children.iter().filter_map(|c| self.raw(c)).collect();
        Some(n)
    }

    fn raws<'a>(&self, items: impl IntoIterator<Item = &'a RawStructure>) -> Vec<Node> {
        items.into_iter().filter_map(|r| self.raw(r)).collect()
    }

    /// A carrier left over whose pointer names a record of the kind the line would point to:
    /// the link it belonged to is gone (or left out), so it goes too. A carrier-shaped
    /// structure pointing at nothing known is a dangling pointer from the file: kept.
    fn stale(&self, r: &RawStructure, tags: &[(&str, Kind)]) -> bool {
        r.text.is_none()
            && tags.iter().any(|(t, k)| {
                r.tag == *t && r.pointer.as_deref().and_then(|p| self.known.get(p)).is_some_and(|known| known == k)
            })
    }

    /// Pass 2: a person's `INDI` record, or `None` if left out.
    pub fn person(&mut self, p: &Person) -> Option<Node> {
        let info = self.persons.get(&p.id)?;
        if info.excluded {
            return None;
        }
        let xref = info.xref.clone();
        self.counts.individuals += 1;
        let health = self.opts.include_health;
        let mut n = Node::new("INDI");
        n.xref = Some(xref).filter(|x| !x.is_empty());
        let mut pool = Pool::new(&p.unmapped);
        for name in &p.names {
            n.children.push(self.name(name));
        }
        if let Some(code) = sex_code(p.sex) {
            n.children.push(text("SEX", code));
        }
        let mut has_death = false;
        for e in &p.events {
            if !health && event_is_health(e) {
                self.counts.health_excluded += 1;
                continue;
            }
            has_death |= matches!(e.kind, EventKind::Death | EventKind::Burial | EventKind::Cremation);
            n.children.push(self.event(e, !health && e.kind == EventKind::Death));
        }
        match &p.vital_status {
            VitalStatus::Deceased { age, date, cause } if !has_death => {
                let mut d = Node::new("DEAT");
                if let Some(date) = date {
                    d.children.push(text("DATE", &date.original));
                }
                if let Some(age) = age {
                    d.children.push(text("AGE", &format!("{}y", format_number(*age))));
                }
                if let Some(cause) = cause.as_deref().filter(|_| health) {
                    d.children.push(text("CAUS", cause));
                }
                if d.children.is_empty() {
                    d = text("DEAT", "Y");
                }
                n.children.push(d);
            }
            VitalStatus::Alive { age } => {
                let mut a = Node::new(EXT_ALIVE);
                if let Some(age) = age {
                    a.children.push(text("AGE", &format_number(*age)));
                }
                n.children.push(a);
            }
            _ => {}
        }
        // FAMC before FAMS, each in family order.
        let links = self.membership.get(&p.id).cloned().unwrap_or_default();
        for child_links in [true, false] {
            for (fam, role) in &links {
                let (tag, pedi) = match role {
                    Role::Child(pedi) if child_links => ("FAMC", *pedi),
                    Role::Partner if !child_links => ("FAMS", None),
                    _ => continue,
                };
                let Some((fx, _)) = self.families.get(fam) else { continue };
                let mut l = pointer(tag, fx);
                if let Some(t) = pedi.and_then(|r| pedi_text(r, self.v7)) {
                    l.children.push(text("PEDI", t));
                }
                l.children.extend(self.raws(pool.carrier(&[tag], Some(fx))));
                n.children.push(l);
                n.children.extend(pool.repeats(&[tag], fx).into_iter().filter_map(|r| self.raw(r)));
            }
        }
        for a in &p.associations {
            let Some(other) = self.persons.get(&a.person).filter(|o| !o.excluded) else { continue };
            let ox = other.xref.clone();
            let mut l = pointer("ASSO", &ox);
            if let Some(rel) = &a.relation {
                if !self.v7 {
                    l.children.push(text("RELA", rel));
                } else if ASSO_ROLES_V7.contains(&rel.as_str()) {
                    l.children.push(text("ROLE", rel));
                } else {
                    l.children.push(text("ROLE", "OTHER").child_node(text("PHRASE", rel)));
                }
            }
            l.children.extend(self.raws(pool.carrier(&["ASSO"], Some(&ox))));
            n.children.push(l);
        }
        for m in &p.media {
            n.children.push(self.media(m));
        }
        for note in &p.notes {
            n.children.push(text("NOTE", &note.text));
        }
        for c in &p.citations {
            if let Some(c) = self.citation(c) {
                n.children.push(c);
            }
        }
        if health {
            for c in &p.conditions {
                if let Some(node) = self.condition(c, p) {
                    n.children.push(node);
                }
            }
            for t in &p.genetic_tests {
                n.children.push(genetic_test(t));
            }
            if p.proband {
                n.children.push(text(EXT_PROBAND, "Y"));
            }
        } else {
            self.counts.health_excluded += (p.conditions.len() + p.genetic_tests.len() + usize::from(p.proband)) as u64;
        }
        if let Some(g) = p.gender.as_deref().filter(|g| !g.is_empty()) {
            n.children.push(text(EXT_GENDER, g));
        }
        let stale_tags = [("FAMC", Kind::Family), ("FAMS", Kind::Family), ("ASSO", Kind::Person)];
        let rest: Vec<&RawStructure> = pool.rest().filter(|r| !self.stale(r, &stale_tags)).collect();
        for r in rest {
            if !health && raw_is_health(r) {
                self.counts.health_excluded += 1;
                continue;
            }
            if let Some(node) = self.raw(r) {
                n.children.push(node);
            }
        }
        Some(n)
    }

    fn name(&self, name: &PersonName) -> Node {
        let mut value = String::new();
        let mut push = |part: &str| {
            if !part.is_empty() {
                if !value.is_empty() {
                    value.push(' ');
                }
                value.push_str(part);
            }
        };
        push(name.prefix.as_deref().unwrap_or(""));
        push(&name.given);
        let suffix = name.suffix.as_deref().unwrap_or("");
        if !name.surname.is_empty() || !suffix.is_empty() {
            push(&format!("/{}/", name.surname));
        }
        push(suffix);
        let mut n = text("NAME", &value);
        let pool = Pool::new(&name.unmapped);
        let mut piece = |tag: &str, v: Option<&str>| {
            if let Some(v) = v.filter(|v| !v.is_empty() && !pool.has(tag)) {
                n.children.push(text(tag, v));
            }
        };
        piece("TYPE", (name.kind != NameKind::Birth).then(|| name_type_text(name.kind, self.v7)));
        piece("NPFX", name.prefix.as_deref());
        piece("GIVN", Some(&name.given));
        piece("SURN", Some(&name.surname));
        piece("NSFX", name.suffix.as_deref());
        piece("NICK", name.nickname.as_deref());
        n.children.extend(self.raws(&name.unmapped));
        n
    }

    fn event(&self, e: &Event, strip_cause: bool) -> Node {
        let tag = event_tag(&e.kind, e.tag.as_deref());
        let mut n = text(&tag, e.description.as_deref().unwrap_or(""));
        let mut pool = Pool::new(&e.unmapped);
        if let EventKind::Custom(label) = &e.kind {
            if (tag == "EVEN" || tag == "FACT") && !label.is_empty() {
                n.children.push(text("TYPE", label));
            }
        }
        if let Some(d) = &e.date {
            let mut date = text("DATE", &d.original);
            date.children = self.raws(pool.carrier(&["DATE"], None));
            n.children.push(date);
        }
        if let Some(p) = &e.place {
            let mut plac = text("PLAC", &p.name);
            if let (Some(lat), Some(long)) = (p.latitude, p.longitude) {
                plac.children.push(
                    Node::new("MAP")
                        .child_node(text("LATI", &format_coordinate(lat, 'N', 'S')))
                        .child_node(text("LONG", &format_coordinate(long, 'E', 'W'))),
                );
            }
            plac.children.extend(self.raws(pool.carrier(&["PLAC"], None)));
            n.children.push(plac);
        }
        for note in &e.notes {
            n.children.push(text("NOTE", &note.text));
        }
        for c in &e.citations {
            if let Some(c) = self.citation(c) {
                n.children.push(c);
            }
        }
        let rest: Vec<&RawStructure> = pool.rest().filter(|r| !(strip_cause && r.tag == "CAUS")).collect();
        n.children.extend(self.raws(rest));
        if n.value.is_none() && n.children.is_empty() && takes_y(&tag) {
            n = text(&tag, "Y");
        }
        n
    }

    fn citation(&self, c: &Citation) -> Option<Node> {
        let sx = self.sources.get(&c.source).filter(|x| !x.is_empty())?;
        let mut n = pointer("SOUR", sx);
        if let Some(page) = &c.page {
            n.children.push(text("PAGE", page));
        }
        if let Some(q) = c.quality {
            n.children.push(text("QUAY", &q.to_string()));
        }
        n.children.extend(self.raws(&c.unmapped));
        Some(n)
    }

    fn media(&mut self, m: &MediaRef) -> Node {
        self.counts.media += 1;
        let mut file = text("FILE", &m.path);
        if let Some(form) = &m.mime {
            file.children.push(text("FORM", form));
        }
        if !self.v7 {
            let mut obje = Node::new("OBJE").child_node(file);
            if let Some(t) = &m.title {
                obje.children.push(text("TITL", t));
            }
            return obje;
        }
        // GEDCOM 7 has no inline media: a record per reference.
        if let Some(t) = &m.title {
            file.children.push(text("TITL", t));
        }
        let x = self.generate_xref('M', Kind::Other);
        let mut record = Node::new("OBJE").child_node(file);
        record.xref = Some(x.clone());
        self.media_records.push(record);
        pointer("OBJE", &x)
    }

    /// A condition in the form it came in (`DEAT.CAUS`, `_MDCL`, a medical `EVEN`/`FACT`) while
    /// it is as imported, else as `_KV_COND`. `None`: carried by the person's `DEAT`.
    fn condition(&self, c: &ConditionObservation, p: &Person) -> Option<Node> {
        let untouched = c.code.is_none()
            && c.status == ConditionStatus::Affected
            && c.onset.is_none()
            && c.certainty == Certainty::Unknown
            && c.note.as_deref() == Some(IMPORTED_NOTE);
        if let (true, Provenance::Imported { format }) = (untouched, &c.provenance) {
            if format == PROV_DEAT_CAUS && c.unmapped.is_empty() {
                let carried = p.events.iter().any(|e| {
                    e.kind == EventKind::Death
                        && e.unmapped.iter().any(|r| r.tag == "CAUS" && r.text.as_deref() == Some(c.label.as_str()))
                });
                if carried {
                    return None;
                }
            } else if format == PROV_MDCL {
                let mut n = text("_MDCL", &c.label);
                n.children = self.raws(&c.unmapped);
                return Some(n);
            } else if let Some((tag, ty)) = format.strip_prefix(PROV_PREFIX).and_then(|f| f.split_once(" TYPE ")) {
                if matches!(tag, "EVEN" | "FACT" | "_ATTR") {
                    let mut n = text(tag, if c.label == ty { "" } else { &c.label });
                    n.children.push(text("TYPE", ty));
                    n.children.extend(self.raws(&c.unmapped));
                    return Some(n);
                }
            }
        }
        let mut n = text(EXT_COND, &c.label);
        n.children.push(text("_STAT", &enum_text(&c.status)));
        if let Some(code) = &c.code {
            let mut cn = text("_CODE", &code.code).child_node(text("_SYS", &enum_text(&code.system)));
            if !code.display.is_empty() {
                cn.children.push(text("_DISP", &code.display));
            }
            n.children.push(cn);
        }
        if let Some(o) = &c.onset {
            let range = if o.min == o.max {
                format_number(o.min)
            } else {
                format!("{}-{}", format_number(o.min), format_number(o.max))
            };
            n.children.push(text("_ONSET", &range));
        }
        if c.certainty != Certainty::Unknown {
            n.children.push(text("_CERT", &enum_text(&c.certainty)));
        }
        n.children.push(provenance(&c.provenance));
        if let Some(note) = &c.note {
            n.children.push(text("NOTE", note));
        }
        n.children.extend(self.raws(&c.unmapped));
        Some(n)
    }

    /// Pass 2: a family's `FAM` record, or `None` if every member is left out. A family with a
    /// partner left out keeps only its links to the others (its events would tell about a
    /// living person).
    pub fn family(&mut self, f: &Family) -> Option<Node> {
        let (xref, excluded) = self.families.get(&f.id)?.clone();
        if excluded {
            return None;
        }
        self.counts.families += 1;
        let private = f.partners.iter().any(|p| !self.included(*p));
        let mut n = Node::new("FAM");
        n.xref = Some(xref).filter(|x| !x.is_empty());
        let mut pool = Pool::new(&f.unmapped);
        let partners: Vec<Uuid> = f.partners.iter().copied().filter(|p| self.included(*p)).collect();
        let roles = self.partner_roles(&partners);
        let husband = roles.iter().find(|(_, r)| *r == "HUSB").map(|(p, _)| *p);
        let wife = roles.iter().find(|(_, r)| *r == "WIFE").map(|(p, _)| *p);
        for (p, role) in &roles {
            let px = self.persons[p].xref.clone();
            let mut l = pointer(role, &px);
            l.children.extend(self.raws(pool.carrier(&["HUSB", "WIFE"], Some(&px))));
            n.children.push(l);
            n.children.extend(pool.repeats(&["HUSB", "WIFE"], &px).into_iter().filter_map(|r| self.raw(r)));
        }
        for c in f.children.iter().filter(|c| self.included(c.person)) {
            let cx = self.persons[&c.person].xref.clone();
            let mut l = pointer("CHIL", &cx);
            if uniform_relationship(c, &partners).is_none() {
                for (parent, tag) in [(husband, "_FREL"), (wife, "_MREL")] {
                    let link = parent.and_then(|p| c.links.iter().find(|l| l.parent == p));
                    if let Some(link) = link {
                        l.children.push(text(tag, frel_text(link.relationship)));
                    }
                }
            }
            l.children.extend(self.raws(pool.carrier(&["CHIL"], Some(&cx))));
            n.children.push(l);
            n.children.extend(pool.repeats(&["CHIL"], &cx).into_iter().filter_map(|r| self.raw(r)));
        }
        if !private {
            for e in &f.events {
                n.children.push(self.event(e, false));
            }
            let has_marriage = f.events.iter().any(|e| e.kind == EventKind::Marriage);
            if derived_union_kind(has_marriage, &f.unmapped) != f.kind {
                n.children.push(text(EXT_UNION, &enum_text(&f.kind)));
            }
            if f.consanguineous {
                n.children.push(text(EXT_CONSANG, "Y"));
            }
            for t in &f.twins {
                let members: Vec<Node> = t
                    .members
                    .iter()
                    .filter(|m| self.included(**m))
                    .map(|m| pointer("CHIL", &self.persons[m].xref))
                    .collect();
                if members.len() >= 2 {
                    let mut tn = text(EXT_TWIN, &enum_text(&t.zygosity));
                    tn.children = members;
                    n.children.push(tn);
                }
            }
            for note in &f.notes {
                n.children.push(text("NOTE", &note.text));
            }
            for c in &f.citations {
                if let Some(c) = self.citation(c) {
                    n.children.push(c);
                }
            }
            let stale_tags = [("HUSB", Kind::Person), ("WIFE", Kind::Person), ("CHIL", Kind::Person)];
            let rest: Vec<&RawStructure> = pool.rest().filter(|r| !self.stale(r, &stale_tags)).collect();
            n.children.extend(self.raws(rest));
        }
        Some(n)
    }

    /// `HUSB`/`WIFE` for the partners: the first is `HUSB` and the second `WIFE` (the order the
    /// importer gives them), except that a lone woman is `WIFE`; more than two go by sex.
    fn partner_roles(&self, partners: &[Uuid]) -> Vec<(Uuid, &'static str)> {
        let female = |p: &Uuid| self.persons.get(p).is_some_and(|i| i.female);
        partners
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let role = match (partners.len(), i) {
                    (1, _) if female(p) => "WIFE",
                    (1, _) | (_, 0) => "HUSB",
                    (_, 1) => "WIFE",
                    _ if female(p) => "WIFE",
                    _ => "HUSB",
                };
                (*p, role)
            })
            .collect()
    }

    pub fn source(&mut self, s: &Source) -> Node {
        self.counts.sources += 1;
        let mut n = Node::new("SOUR");
        n.xref = self.sources.get(&s.id).cloned().filter(|x| !x.is_empty());
        if !s.title.is_empty() {
            n.children.push(text("TITL", &s.title));
        }
        for (tag, v) in [("AUTH", &s.author), ("PUBL", &s.publication), ("REPO", &s.repository)] {
            if let Some(v) = v {
                n.children.push(text(tag, v));
            }
        }
        for note in &s.notes {
            n.children.push(text("NOTE", &note.text));
        }
        n.children.extend(self.raws(&s.unmapped));
        n
    }

    /// A record kept verbatim, or `None` when only people (or family details) left out point
    /// at it — their shared notes and media records go with them.
    pub fn raw_record(&mut self, r: &RawRecord) -> Option<Node> {
        if let Some(x) = r.structure.xref.as_deref() {
            if self.excluded_refs.contains(x) && !self.included_refs.contains(x) {
                self.counts.records_excluded += 1;
                return None;
            }
        }
        let n = self.raw(&r.structure)?;
        self.counts.other_records += 1;
        if n.tag == "OBJE" {
            self.counts.media += 1;
        }
        Some(n)
    }

    /// Records made up during the export (GEDCOM 7 media records), to write last.
    pub fn trailing_records(&mut self) -> Vec<Node> {
        std::mem::take(&mut self.media_records)
    }
}

/// The one relationship a child has to every (included) partner, when `PEDI` can say it.
fn uniform_relationship(c: &FamilyChild, partners: &[Uuid]) -> Option<ChildRelationship> {
    let mut rel = None;
    for p in partners {
        let r = c.links.iter().find(|l| l.parent == *p)?.relationship;
        if rel.is_some_and(|x| x != r) {
            return None;
        }
        rel = Some(r);
    }
    rel.filter(|r| pedi_text(*r, false).is_some())
}

/// Adds every pointer in these raw structures (and below) to `set`.
fn note_pointers<'a>(set: &mut HashSet<String>, raws: impl IntoIterator<Item = &'a RawStructure>) {
    let mut stack: Vec<&RawStructure> = raws.into_iter().collect();
    while let Some(r) = stack.pop() {
        if let Some(p) = &r.pointer {
            set.insert(p.clone());
        }
        stack.extend(&r.children);
    }
}

/// An event that is health data (a medical fact kept as an event).
fn event_is_health(e: &Event) -> bool {
    matches!(&e.kind, EventKind::Custom(l) if is_medical_type(l))
        || e.unmapped.iter().any(|r| r.tag == "TYPE" && r.text.as_deref().is_some_and(is_medical_type))
}

fn provenance(p: &Provenance) -> Node {
    match p {
        Provenance::SelfReported => text("_PROV", "self_reported"),
        Provenance::ReportedByRelative => text("_PROV", "reported_by_relative"),
        Provenance::MedicalRecord => text("_PROV", "medical_record"),
        Provenance::Imported { format } => text("_PROV", "imported").child_node(text("_FORM", format)),
    }
}

fn genetic_test(t: &GeneticTest) -> Node {
    let mut n = text(EXT_GTEST, &t.gene);
    let mut opt = |tag: &str, v: Option<String>| {
        if let Some(v) = v {
            n.children.push(text(tag, &v));
        }
    };
    opt("_VAR", t.variant.clone());
    opt("_ACMG", t.acmg_class.map(|a| enum_text(&a)));
    opt("_RES", Some(enum_text(&t.result)));
    opt("_METH", t.method.clone());
    opt("_SENS", t.sensitivity.map(format_number));
    opt("_LAB", t.lab.clone());
    opt("DATE", t.date.as_ref().map(|d| d.original.clone()));
    n.children.push(provenance(&t.provenance));
    n
}
