//! GEDCOM records → model records.
//!
//! Two passes over the file, one record in memory at a time:
//!
//! 1. [`Prescan`] sees every record once: it learns which xrefs exist and what they are (so a
//!    pointer to nothing is kept raw instead of becoming a dangling link), gives each its UUID,
//!    and collects the links individuals declare from their side (`FAMC` + `PEDI`, `FAMS`), so a
//!    family can be completed when it is mapped whatever the record order.
//! 2. [`Importer::map`] turns each record into a [`Mapped`] item ready to store.
//!
//! The rule everywhere: a structure is mapped to a model field only if the model can hold it
//! whole ("the first one that fits"); everything else — vendor tags, repeated or unusual
//! substructures — is kept as a [`RawStructure`] in the `unmapped` list of the record, event,
//! name, citation or observation it belongs to, in file order. Substructures of a mapped line
//! the model cannot hold (`DATE.TIME`, `PLAC.NOTE`, `FAMC.NOTE`, `CHIL.SLGC`...) are kept as a
//! *carrier*: a raw structure with the same tag (and pointer), no text, and those children; the
//! exporter merges it back into the line it writes.

use super::common::*;
use foldhash::HashMap;
use kinvault_gedcom::xref::XrefTable;
use kinvault_gedcom::{Node, Record};
use kinvault_model::*;
use uuid::Uuid;

/// Something the importer could not take as it was, with the line it concerns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportWarning {
    pub line: Option<u32>,
    pub message: String,
}

impl ImportWarning {
    fn at(line: u32, message: impl Into<String>) -> ImportWarning {
        ImportWarning { line: (line > 0).then_some(line), message: message.into() }
    }
}

impl std::fmt::Display for ImportWarning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(l) => write!(f, "line {l}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// One record, mapped.
// One value lives at a time while a record streams through; boxing the person would add an
// allocation per individual on the import hot path for no memory saved.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Mapped {
    Person(Person),
    Family(Family),
    Source(Source),
    Raw(RawRecord),
}

/// What an import brought in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportCounts {
    pub individuals: u64,
    pub families: u64,
    pub sources: u64,
    /// Records kept verbatim (repositories, submitters, shared notes, media records, vendor records).
    pub other_records: u64,
    /// Media: `OBJE` records plus inline media references.
    pub media: u64,
    /// Health observations derived from the file (`DEAT.CAUS`, `_MDCL`, medical facts, `_KV_COND`).
    pub health_observations: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Indi,
    Fam,
    Sour,
    Other,
}

impl Kind {
    fn of(tag: &str) -> Kind {
        match tag {
            "INDI" => Kind::Indi,
            "FAM" => Kind::Fam,
            "SOUR" => Kind::Sour,
            _ => Kind::Other,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Kind::Indi => "an individual (INDI)",
            Kind::Fam => "a family (FAM)",
            Kind::Sour => "a source (SOUR)",
            Kind::Other => "another kind of record",
        }
    }
}

struct Entry {
    id: Uuid,
    /// Position of the (first) record with this xref in the file (0: no record has it yet).
    index: u64,
    kind: Kind,
    /// Records with this xref mapped so far (2+: duplicates, whose ids are in `duplicates`).
    mapped: u32,
    /// The links individuals declare to this family were handed to its (first) record.
    pending_taken: bool,
}

#[derive(Clone, Copy)]
enum Side {
    Partner,
    Child(Option<ChildRelationship>),
}

/// A `FAMS`/`FAMC` of an individual, waiting for its family's record.
struct PendingLink {
    person: Uuid,
    /// The family's index in [`Xrefs`].
    family: u32,
    line: u32,
    side: Side,
}

/// Every xref of the file, compactly (see [`XrefTable`]): ~60 bytes per record, so a
/// million-person file needs tens of megabytes here, not hundreds.
#[derive(Default)]
struct Xrefs {
    table: XrefTable,
    entries: Vec<Entry>,
    /// Ids of the second, third... record with the same xref (rare: a damaged file).
    duplicates: HashMap<u32, Vec<Uuid>>,
}

impl Xrefs {
    /// The entry of a record that exists.
    fn get(&self, xref: &str) -> Option<&Entry> {
        let e = &self.entries[self.table.get(xref)? as usize];
        (e.index > 0).then_some(e)
    }

    /// The index of `xref`, with an entry created if needed (a family pointed to before its
    /// record comes: `index` stays 0 until it does).
    fn slot(&mut self, xref: &str) -> u32 {
        let (i, new) = self.table.insert(xref);
        if new {
            self.entries.push(Entry { id: Uuid::nil(), index: 0, kind: Kind::Other, mapped: 0, pending_taken: false });
        }
        i
    }
}

/// Pass 1: see every record once (see the module docs).
#[derive(Default)]
pub struct Prescan {
    xrefs: Xrefs,
    /// Links declared on the individual's side, in file order.
    pending: Vec<PendingLink>,
    records: u64,
}

impl Prescan {
    pub fn new() -> Prescan {
        Prescan::default()
    }

    /// Records seen so far (a progress total for pass 2).
    pub fn records(&self) -> u64 {
        self.records
    }

    pub fn record(&mut self, r: &Record) {
        self.records += 1;
        let Some(x) = &r.xref else { return };
        let kind = Kind::of(&r.tag);
        let slot = self.xrefs.slot(x);
        let id = new_id();
        let e = &mut self.xrefs.entries[slot as usize];
        if e.index == 0 {
            *e = Entry { id, index: self.records, kind, mapped: 0, pending_taken: false };
        } else {
            self.xrefs.duplicates.entry(slot).or_default().push(id);
        }
        if kind != Kind::Indi {
            return;
        }
        for c in &r.children {
            let side = match c.tag.as_str() {
                "FAMS" => Side::Partner,
                "FAMC" => Side::Child(famc_pedi(c).map(|(rel, _)| rel)),
                _ => continue,
            };
            if let Some(fam) = c.pointer() {
                let family = self.xrefs.slot(fam);
                self.pending.push(PendingLink { person: id, family, line: c.line, side });
            }
        }
    }

    /// Ends pass 1.
    pub fn into_importer(mut self) -> Importer {
        // Grouped by family, file order kept within each.
        self.pending.sort_by_key(|l| l.family);
        self.pending.shrink_to_fit();
        Importer { xrefs: self.xrefs, pending: self.pending, warnings: vec![], counts: ImportCounts::default() }
    }
}

/// The first `PEDI` of a `FAMC` that maps, and its index among the children.
fn famc_pedi(famc: &Node) -> Option<(ChildRelationship, usize)> {
    famc.children
        .iter()
        .enumerate()
        .find_map(|(i, c)| (c.tag == "PEDI").then(|| leaf_text(c).and_then(parse_pedi).map(|r| (r, i))).flatten())
}

/// Pass 2: maps records one at a time.
pub struct Importer {
    xrefs: Xrefs,
    /// Sorted by family.
    pending: Vec<PendingLink>,
    warnings: Vec<ImportWarning>,
    counts: ImportCounts,
}

/// The end of an import: the counts, and warnings not yet taken.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportSummary {
    pub counts: ImportCounts,
    pub warnings: Vec<ImportWarning>,
}

/// Accumulates an `unmapped` list.
#[derive(Default)]
struct Rest(Vec<RawStructure>);

impl Rest {
    fn keep(&mut self, n: &Node) {
        self.0.push(node_to_raw(n));
    }

    /// A carrier: `tag` (+ pointer) with the given children and no text.
    fn carrier(&mut self, tag: &str, pointer: Option<&str>, children: Vec<RawStructure>) {
        if !children.is_empty() {
            self.0.push(RawStructure {
                tag: tag.to_string(),
                pointer: pointer.map(str::to_string),
                children,
                ..RawStructure::default()
            });
        }
    }
}

impl Importer {
    /// Warnings so far (drained, so they do not pile up on a huge file).
    pub fn take_warnings(&mut self) -> Vec<ImportWarning> {
        std::mem::take(&mut self.warnings)
    }

    pub fn counts(&self) -> ImportCounts {
        self.counts
    }

    /// Ends pass 2.
    pub fn finish(self) -> ImportSummary {
        ImportSummary { counts: self.counts, warnings: self.warnings }
    }

    /// Maps one record (after the [`Prescan`] saw them all). `HEAD` and `TRLR` give `None`.
    pub fn map(&mut self, r: &Record) -> Option<Mapped> {
        match r.tag.as_str() {
            "HEAD" | "TRLR" => None,
            "INDI" => {
                self.counts.individuals += 1;
                Some(Mapped::Person(self.person(r)))
            }
            "FAM" => {
                self.counts.families += 1;
                Some(Mapped::Family(self.family(r)))
            }
            "SOUR" => {
                self.counts.sources += 1;
                Some(Mapped::Source(self.source(r)))
            }
            _ => {
                self.counts.other_records += 1;
                if r.tag == "OBJE" {
                    self.counts.media += 1;
                }
                let id = self.own_id(r);
                Some(Mapped::Raw(RawRecord { id, structure: node_to_raw(r) }))
            }
        }
    }

    /// The id of the record being mapped (a duplicate xref gets its own).
    fn own_id(&mut self, r: &Record) -> Uuid {
        let Some(x) = &r.xref else { return new_id() };
        let slot = self.xrefs.table.get(x).filter(|&i| self.xrefs.entries[i as usize].index > 0);
        match slot {
            Some(slot) => {
                let e = &mut self.xrefs.entries[slot as usize];
                e.mapped += 1;
                match e.mapped {
                    1 => e.id,
                    n => {
                        let id = self
                            .xrefs
                            .duplicates
                            .get(&slot)
                            .and_then(|d| d.get(n as usize - 2))
                            .copied()
                            .unwrap_or_else(new_id);
                        self.warnings.push(ImportWarning::at(
                            r.line,
                            format!(
                                "a second record has the xref @{x}@; it is kept, and pointers to @{x}@ go to the first"
                            ),
                        ));
                        id
                    }
                }
            }
            // Not seen by the prescan (the caller skipped it): still a record.
            None => new_id(),
        }
    }

    /// The record a pointer leads to, if it is of the expected kind. A pointer to another kind
    /// of record is warned about; a pointer to nothing was already reported by the reader.
    fn target(&mut self, n: &Node, kind: Kind) -> Option<Uuid> {
        let p = n.pointer()?;
        let e = self.xrefs.get(p)?;
        if e.kind == kind {
            return Some(e.id);
        }
        self.warnings.push(ImportWarning::at(
            n.line,
            format!("{} @{p}@ should point to {} but points to {}; kept as is", n.tag, kind.name(), e.kind.name()),
        ));
        None
    }

    fn person(&mut self, r: &Record) -> Person {
        let id = self.own_id(r);
        let mut p = Person::new(PersonName::default(), Sex::Unknown);
        p.names.clear();
        p.id = id;
        p.xref = r.xref.as_deref().map(model_xref);
        let mut rest = Rest::default();
        let (mut sex_done, mut gender_done, mut proband_done, mut alive) = (false, false, false, None);
        let mut other_health = vec![];
        for c in &r.children {
            match c.tag.as_str() {
                "NAME" if c.pointer().is_none() => p.names.push(self.name(c)),
                "SEX" if !sex_done && c.children.is_empty() && c.pointer().is_none() => {
                    match Sex::parse(c.text().unwrap_or("")) {
                        Some(s) => {
                            p.sex = s;
                            sex_done = true;
                        }
                        None => rest.keep(c),
                    }
                }
                t if indi_event_kind(t).is_some() && c.pointer().is_none() => {
                    let kind = indi_event_kind(t).unwrap_or(EventKind::Custom(String::new()));
                    p.events.push(self.event(c, kind, None, false));
                }
                "EVEN" | "FACT" | "_ATTR" if c.pointer().is_none() => {
                    let ty = c.children.iter().find(|t| t.tag == "TYPE").and_then(leaf_text);
                    match ty {
                        Some(ty) if is_medical_type(ty) => other_health.push(self.medical_fact(c, ty)),
                        _ if c.tag == "_ATTR" => rest.keep(c),
                        _ => {
                            let tag = (c.tag == "FACT").then_some("FACT");
                            p.events.push(self.event(c, EventKind::Custom(String::new()), tag, true));
                        }
                    }
                }
                "FAMC" | "FAMS" => self.family_link(c, p.xref.is_some(), &mut rest),
                "ASSO" => match self.target(c, Kind::Indi) {
                    Some(other) => {
                        let (relation, extras) = asso_relation(c);
                        p.associations.push(Association { person: other, relation });
                        rest.carrier("ASSO", c.pointer(), extras);
                    }
                    None => rest.keep(c),
                },
                "OBJE" => match media_ref(c) {
                    Some(m) => {
                        self.counts.media += 1;
                        p.media.push(m);
                    }
                    None => rest.keep(c),
                },
                "NOTE" => match leaf_text(c) {
                    Some(t) => p.notes.push(Note { text: t.to_string() }),
                    None => rest.keep(c),
                },
                "SOUR" => match self.citation(c) {
                    Some(cit) => p.citations.push(cit),
                    None => rest.keep(c),
                },
                "_MDCL" if c.pointer().is_none() => {
                    let mut o = imported_observation(c.text().unwrap_or(""), PROV_MDCL);
                    o.unmapped = c.children.iter().map(node_to_raw).collect();
                    other_health.push(o);
                }
                EXT_COND => match parse_kv_cond(c) {
                    Some(o) => other_health.push(o),
                    None => rest.keep(c),
                },
                EXT_GTEST => match parse_kv_gtest(c) {
                    Some(t) => p.genetic_tests.push(t),
                    None => rest.keep(c),
                },
                EXT_PROBAND if !proband_done && leaf_text(c) == Some("Y") => {
                    p.proband = true;
                    proband_done = true;
                }
                EXT_GENDER if !gender_done && leaf_text(c).is_some() => {
                    p.gender = leaf_text(c).map(str::to_string);
                    gender_done = true;
                }
                EXT_ALIVE if alive.is_none() && c.value.is_none() => match parse_alive(c) {
                    Some(age) => alive = Some(age),
                    None => rest.keep(c),
                },
                _ => rest.keep(c),
            }
        }
        // Death causes first, then the other observations in file order: the exporter writes
        // causes inside their DEAT events and the others after the events, so this order is
        // what a re-import of the export gives.
        for e in p.events.iter().filter(|e| e.kind == EventKind::Death) {
            for cause in e.unmapped.iter().filter(|r| r.tag == "CAUS") {
                if let Some(label) = cause.text.as_deref().filter(|t| !t.trim().is_empty()) {
                    p.conditions.push(imported_observation(label, PROV_DEAT_CAUS));
                }
            }
        }
        // A cause of death edited in Kinvault comes back as `_KV_COND` beside the `DEAT.CAUS` it
        // started from: it takes that cause's place.
        for o in other_health {
            let edited_cause = matches!(&o.provenance, Provenance::Imported { format } if format == PROV_DEAT_CAUS);
            let slot = p.conditions.iter().position(|c| {
                edited_cause && c.label == o.label && c.note.as_deref() == Some(IMPORTED_NOTE) && c.code.is_none()
            });
            match slot {
                Some(i) => p.conditions[i] = o,
                None => p.conditions.push(o),
            }
        }
        self.counts.health_observations += p.conditions.len() as u64;
        p.vital_status = vital_status(&p.events, alive);
        // Carriers in the order the exporter writes their lines: FAMC, FAMS (by family), ASSO.
        let mut unmapped = rest.0;
        unmapped.sort_by_key(|r| match (r.tag.as_str(), r.pointer.as_deref(), r.text.is_none()) {
            ("FAMC", Some(x), true) => (0, self.index_of(x)),
            ("FAMS", Some(x), true) => (1, self.index_of(x)),
            ("ASSO", Some(_), true) => (2, 0),
            _ => (3, 0),
        });
        p.unmapped = unmapped;
        p
    }

    fn index_of(&self, xref: &str) -> u64 {
        self.xrefs.get(xref).map(|e| e.index).unwrap_or(u64::MAX)
    }

    /// The links individuals declare to this family, for its first record only.
    fn take_pending(&mut self, xref: &str) -> Vec<PendingLink> {
        let Some(slot) = self.xrefs.table.get(xref) else { return vec![] };
        let e = &mut self.xrefs.entries[slot as usize];
        if xref.is_empty() || e.pending_taken {
            return vec![];
        }
        e.pending_taken = true;
        let start = self.pending.partition_point(|l| l.family < slot);
        let end = self.pending.partition_point(|l| l.family <= slot);
        self.pending[start..end]
            .iter()
            .map(|l| PendingLink { person: l.person, family: l.family, line: l.line, side: l.side })
            .collect()
    }

    fn medical_fact(&mut self, c: &Node, ty: &str) -> ConditionObservation {
        let label = c.text().filter(|t| !t.trim().is_empty()).unwrap_or(ty);
        let mut o = imported_observation(label, &format!("{PROV_PREFIX}{} TYPE {ty}", c.tag));
        let type_index = c.children.iter().position(|t| t.tag == "TYPE");
        o.unmapped = c
            .children
            .iter()
            .enumerate()
            .filter(|(i, _)| Some(*i) != type_index)
            .map(|(_, n)| node_to_raw(n))
            .collect();
        o
    }

    /// `FAMC`/`FAMS`: membership itself came from the prescan; here only what the line carries
    /// beyond it is kept.
    fn family_link(&mut self, c: &Node, has_xref: bool, rest: &mut Rest) {
        if !has_xref || self.target(c, Kind::Fam).is_none() {
            rest.keep(c);
            return;
        }
        let skip = if c.tag == "FAMC" { famc_pedi(c).map(|(_, i)| i) } else { None };
        let extras = c.children.iter().enumerate().filter(|(i, _)| Some(*i) != skip).map(|(_, n)| node_to_raw(n));
        rest.carrier(&c.tag, c.pointer(), extras.collect());
    }

    fn name(&mut self, n: &Node) -> PersonName {
        let (mut vg, vs, vx) = split_name(n.text().unwrap_or(""));
        let mut name = PersonName::default();
        let mut rest = Rest::default();
        let first_leaf = |tag: &str| n.children.iter().position(|c| c.tag == tag && leaf_text(c).is_some());
        let npfx = first_leaf("NPFX");
        if let Some(p) = npfx.and_then(|i| leaf_text(&n.children[i])) {
            name.prefix = Some(p.to_string());
            if let Some(stripped) = vg.strip_prefix(p) {
                if stripped.is_empty() || stripped.starts_with(char::is_whitespace) {
                    vg = stripped.trim().to_string();
                }
            }
        }
        // GIVN/SURN/NSFX are taken when they agree with the value (or the value lacks that
        // part); a disagreeing one is kept raw and the value wins, so the value is rebuilt as
        // it was.
        let agree = |i: Option<usize>, from_value: &str| -> Option<(usize, String)> {
            let i = i?;
            let t = leaf_text(&n.children[i])?;
            (from_value.is_empty() || t == from_value).then(|| (i, t.to_string()))
        };
        let givn = agree(first_leaf("GIVN"), &vg);
        let surn = agree(first_leaf("SURN"), &vs);
        let nsfx = agree(first_leaf("NSFX"), &vx);
        name.given = givn.as_ref().map(|(_, t)| t.clone()).unwrap_or(vg);
        name.surname = surn.as_ref().map(|(_, t)| t.clone()).unwrap_or(vs);
        name.suffix = nsfx.as_ref().map(|(_, t)| t.clone()).or((!vx.is_empty()).then_some(vx));
        let (givn, surn, nsfx) = (givn.map(|g| g.0), surn.map(|s| s.0), nsfx.map(|s| s.0));
        let nick = first_leaf("NICK");
        name.nickname = nick.and_then(|i| leaf_text(&n.children[i])).map(str::to_string);
        let ty = n.children.iter().position(|c| c.tag == "TYPE" && leaf_text(c).and_then(parse_name_type).is_some());
        if let Some(kind) = ty.and_then(|i| leaf_text(&n.children[i])).and_then(parse_name_type) {
            name.kind = kind;
        }
        let taken = [npfx, givn, surn, nsfx, nick, ty];
        for (i, c) in n.children.iter().enumerate() {
            if !taken.contains(&Some(i)) {
                rest.keep(c);
            }
        }
        name.unmapped = rest.0;
        name
    }

    /// An event. `custom`: `EVEN`/`FACT`, whose first `TYPE` is the label.
    fn event(&mut self, n: &Node, kind: EventKind, tag: Option<&str>, custom: bool) -> Event {
        let mut e = Event::new(kind, None);
        e.tag = tag.map(str::to_string);
        e.description = n.text().filter(|t| !t.is_empty() && *t != "Y").map(str::to_string);
        let mut rest = Rest::default();
        let mut label = None;
        for c in &n.children {
            match c.tag.as_str() {
                "TYPE" if custom && label.is_none() && leaf_text(c).is_some() => {
                    label = leaf_text(c).map(str::to_string);
                }
                "DATE" if e.date.is_none() && c.text().is_some() => {
                    e.date = c.text().map(GDate::parse);
                    rest.carrier("DATE", None, c.children.iter().map(node_to_raw).collect());
                }
                "PLAC" if e.place.is_none() && c.pointer().is_none() => match place(c) {
                    Some((p, extras)) => {
                        e.place = Some(p);
                        rest.carrier("PLAC", None, extras);
                    }
                    None => rest.keep(c),
                },
                "NOTE" => match leaf_text(c) {
                    Some(t) => e.notes.push(Note { text: t.to_string() }),
                    None => rest.keep(c),
                },
                "SOUR" => match self.citation(c) {
                    Some(cit) => e.citations.push(cit),
                    None => rest.keep(c),
                },
                _ => rest.keep(c),
            }
        }
        if custom {
            e.kind = EventKind::Custom(label.unwrap_or_default());
        }
        // Carriers first, as the exporter writes DATE and PLAC before the rest.
        let mut unmapped = rest.0;
        unmapped.sort_by_key(|r| match (r.tag.as_str(), r.text.is_none() && r.pointer.is_none()) {
            ("DATE", true) => 0,
            ("PLAC", true) => 1,
            _ => 2,
        });
        e.unmapped = unmapped;
        e
    }

    fn citation(&mut self, c: &Node) -> Option<Citation> {
        let source = self.target(c, Kind::Sour)?;
        let mut cit = Citation { source, page: None, quality: None, unmapped: vec![] };
        let mut rest = Rest::default();
        for ch in &c.children {
            match ch.tag.as_str() {
                "PAGE" if cit.page.is_none() && leaf_text(ch).is_some() => cit.page = leaf_text(ch).map(str::to_string),
                "QUAY" if cit.quality.is_none() && leaf_text(ch).and_then(parse_quay).is_some() => {
                    cit.quality = leaf_text(ch).and_then(parse_quay)
                }
                _ => rest.keep(ch),
            }
        }
        cit.unmapped = rest.0;
        Some(cit)
    }

    fn family(&mut self, r: &Record) -> Family {
        let id = self.own_id(r);
        let mut f = Family::new(vec![]);
        f.id = id;
        f.xref = r.xref.as_deref().map(model_xref);
        let mut rest = Rest::default();
        let (mut husbands, mut wives) = (vec![], vec![]);
        // (child, _FREL, _MREL)
        let mut children: Vec<(Uuid, Option<ChildRelationship>, Option<ChildRelationship>)> = vec![];
        let (mut union_kind, mut consang_done) = (None, false);
        for c in &r.children {
            match c.tag.as_str() {
                "HUSB" | "WIFE" => match self.target(c, Kind::Indi) {
                    Some(pid) => {
                        if c.tag == "HUSB" {
                            husbands.push(pid);
                        } else {
                            wives.push(pid);
                        }
                        rest.carrier(&c.tag, c.pointer(), c.children.iter().map(node_to_raw).collect());
                    }
                    None => rest.keep(c),
                },
                "CHIL" => match self.target(c, Kind::Indi) {
                    Some(pid) => {
                        if children.iter().any(|(p, _, _)| *p == pid) {
                            self.warnings.push(ImportWarning::at(
                                c.line,
                                "the same child is listed twice in this family; kept once",
                            ));
                            rest.carrier("CHIL", c.pointer(), c.children.iter().map(node_to_raw).collect());
                            continue;
                        }
                        let rel = |tag: &str| {
                            c.children.iter().position(|x| x.tag == tag && leaf_text(x).and_then(parse_frel).is_some())
                        };
                        let (fi, mi) = (rel("_FREL"), rel("_MREL"));
                        let get = |i: Option<usize>| i.and_then(|i| leaf_text(&c.children[i])).and_then(parse_frel);
                        children.push((pid, get(fi), get(mi)));
                        let extras = c.children.iter().enumerate().filter(|(i, _)| Some(*i) != fi && Some(*i) != mi);
                        rest.carrier("CHIL", c.pointer(), extras.map(|(_, n)| node_to_raw(n)).collect());
                    }
                    None => rest.keep(c),
                },
                t if fam_event_kind(t).is_some() && c.pointer().is_none() => {
                    let (kind, tag) = fam_event_kind(t).unwrap_or((EventKind::Custom(String::new()), None));
                    f.events.push(self.event(c, kind, tag, false));
                }
                "EVEN" | "FACT" if c.pointer().is_none() => {
                    let tag = (c.tag == "FACT").then_some("FACT");
                    f.events.push(self.event(c, EventKind::Custom(String::new()), tag, true));
                }
                "NOTE" => match leaf_text(c) {
                    Some(t) => f.notes.push(Note { text: t.to_string() }),
                    None => rest.keep(c),
                },
                "SOUR" => match self.citation(c) {
                    Some(cit) => f.citations.push(cit),
                    None => rest.keep(c),
                },
                EXT_UNION if union_kind.is_none() && leaf_text(c).and_then(enum_parse::<UnionKind>).is_some() => {
                    union_kind = leaf_text(c).and_then(enum_parse::<UnionKind>);
                }
                EXT_CONSANG if !consang_done && leaf_text(c) == Some("Y") => {
                    f.consanguineous = true;
                    consang_done = true;
                }
                EXT_TWIN => match self.twin_set(c) {
                    Some(t) => f.twins.push(t),
                    None => rest.keep(c),
                },
                _ => rest.keep(c),
            }
        }
        let (husband, wife) = (husbands.first().copied(), wives.first().copied());
        for pid in husbands.into_iter().chain(wives) {
            if !f.partners.contains(&pid) {
                f.partners.push(pid);
            }
        }
        for (pid, frel, mrel) in children {
            let mut links = vec![];
            if let (Some(h), Some(rel)) = (husband, frel) {
                links.push(ParentLink { parent: h, relationship: rel });
            }
            if let (Some(w), Some(rel)) = (wife, mrel) {
                if !links.iter().any(|l| l.parent == w) {
                    links.push(ParentLink { parent: w, relationship: rel });
                }
            }
            f.children.push(FamilyChild { person: pid, links });
        }
        // What the individuals say from their side: FAMS/FAMC the family does not list, and PEDI.
        let xref = r.xref.as_deref().unwrap_or("");
        let pending = self.take_pending(xref);
        for l in pending.iter().filter(|l| matches!(l.side, Side::Partner)) {
            if !f.partners.contains(&l.person) {
                f.partners.push(l.person);
                self.warnings.push(ImportWarning::at(
                    l.line,
                    format!("FAMS @{xref}@: the family does not list this person as a partner; added"),
                ));
            }
        }
        for l in &pending {
            let Side::Child(pedi) = l.side else { continue };
            let i = match f.children.iter().position(|c| c.person == l.person) {
                Some(i) => i,
                None => {
                    self.warnings.push(ImportWarning::at(
                        l.line,
                        format!("FAMC @{xref}@: the family does not list this person as a child; added"),
                    ));
                    f.children.push(FamilyChild { person: l.person, links: vec![] });
                    f.children.len() - 1
                }
            };
            if let Some(rel) = pedi {
                // Per-parent _FREL/_MREL win; PEDI speaks for the parents they leave out.
                for &p in &f.partners {
                    let child = &mut f.children[i];
                    if !child.links.iter().any(|l| l.parent == p) {
                        child.links.push(ParentLink { parent: p, relationship: rel });
                    }
                }
            }
        }
        let order: Vec<Uuid> = f.partners.clone();
        for c in &mut f.children {
            c.links.sort_by_key(|l| order.iter().position(|p| *p == l.parent).unwrap_or(usize::MAX));
        }
        // Carriers in the order the exporter writes their lines: partners, then children.
        let mut unmapped = rest.0;
        let id_of = |x: &str| self.xrefs.get(x).map(|e| e.id);
        unmapped.sort_by_key(|r| match (r.tag.as_str(), r.pointer.as_deref(), r.text.is_none()) {
            ("HUSB" | "WIFE", Some(x), true) => {
                (0, f.partners.iter().position(|p| Some(*p) == id_of(x)).unwrap_or(usize::MAX))
            }
            ("CHIL", Some(x), true) => {
                (1, f.children.iter().position(|c| Some(c.person) == id_of(x)).unwrap_or(usize::MAX))
            }
            _ => (2, 0),
        });
        f.unmapped = unmapped;
        let has_marriage = f.events.iter().any(|e| e.kind == EventKind::Marriage);
        f.kind = union_kind.unwrap_or_else(|| derived_union_kind(has_marriage, &f.unmapped));
        f
    }

    fn twin_set(&mut self, c: &Node) -> Option<TwinSet> {
        let zygosity = c.text().and_then(enum_parse::<Zygosity>)?;
        let mut members = vec![];
        for m in &c.children {
            if m.tag != "CHIL" || !m.children.is_empty() {
                return None;
            }
            members.push(self.target(m, Kind::Indi)?);
        }
        Some(TwinSet { members, zygosity })
    }

    fn source(&mut self, r: &Record) -> Source {
        let id = self.own_id(r);
        let mut s = Source {
            id,
            xref: r.xref.as_deref().map(model_xref),
            title: String::new(),
            author: None,
            publication: None,
            repository: None,
            notes: vec![],
            unmapped: vec![],
        };
        let mut rest = Rest::default();
        let mut title_done = false;
        for c in &r.children {
            let text = leaf_text(c).map(str::to_string);
            match c.tag.as_str() {
                "TITL" if !title_done && text.is_some() => {
                    s.title = text.unwrap_or_default();
                    title_done = true;
                }
                "AUTH" if s.author.is_none() && text.is_some() => s.author = text,
                "PUBL" if s.publication.is_none() && text.is_some() => s.publication = text,
                "REPO" if s.repository.is_none() && text.is_some() => s.repository = text,
                "NOTE" if text.is_some() => s.notes.push(Note { text: text.unwrap_or_default() }),
                _ => rest.keep(c),
            }
        }
        s.unmapped = rest.0;
        s
    }
}

fn parse_quay(t: &str) -> Option<u8> {
    t.trim().parse::<u8>().ok().filter(|q| *q <= 3)
}

/// `NAME` value → (given part, surname, suffix part): `Given /Surname/ Suffix`.
pub(crate) fn split_name(value: &str) -> (String, String, String) {
    match value.find('/') {
        None => (value.trim().to_string(), String::new(), String::new()),
        Some(a) => {
            let after = &value[a + 1..];
            match after.find('/') {
                Some(b) => {
                    (value[..a].trim().to_string(), after[..b].trim().to_string(), after[b + 1..].trim().to_string())
                }
                None => (value[..a].trim().to_string(), after.trim().to_string(), String::new()),
            }
        }
    }
}

/// `PLAC` → place and the children it does not map, or `None` when there is nothing to map.
fn place(c: &Node) -> Option<(Place, Vec<RawStructure>)> {
    let mut p = Place { name: c.text().unwrap_or("").to_string(), latitude: None, longitude: None };
    let mut extras = vec![];
    for ch in &c.children {
        match map_coordinates(ch).filter(|_| ch.tag == "MAP" && p.latitude.is_none()) {
            Some((lat, long)) => {
                p.latitude = Some(lat);
                p.longitude = Some(long);
            }
            None => extras.push(node_to_raw(ch)),
        }
    }
    (!p.name.is_empty() || p.latitude.is_some()).then_some((p, extras))
}

/// `MAP` with exactly one `LATI` and one `LONG`, both readable.
fn map_coordinates(map: &Node) -> Option<(f64, f64)> {
    if map.value.is_some() || map.children.len() != 2 {
        return None;
    }
    let lat = map.children.iter().find(|c| c.tag == "LATI").and_then(leaf_text)?;
    let long = map.children.iter().find(|c| c.tag == "LONG").and_then(leaf_text)?;
    Some((parse_coordinate(lat, 'N', 'S')?, parse_coordinate(long, 'E', 'W')?))
}

/// `ASSO` → (relation, children not mapped). 5.5.1 `RELA text`; 7.0 `ROLE ENUM` or
/// `ROLE OTHER` + `PHRASE text`.
fn asso_relation(c: &Node) -> (Option<String>, Vec<RawStructure>) {
    let mut relation = None;
    let mut extras = vec![];
    for ch in &c.children {
        if relation.is_none() {
            if let Some(t) = leaf_text(ch).filter(|_| ch.tag == "RELA" || ch.tag == "ROLE") {
                relation = Some(t.to_string());
                continue;
            }
            if ch.tag == "ROLE" && ch.text() == Some("OTHER") && ch.children.len() == 1 {
                if let Some(phrase) = leaf_text(&ch.children[0]).filter(|_| ch.children[0].tag == "PHRASE") {
                    relation = Some(phrase.to_string());
                    continue;
                }
            }
        }
        extras.push(node_to_raw(ch));
    }
    (relation, extras)
}

/// An inline `OBJE` with one `FILE` and at most a `FORM` and a `TITL` (5.5, 5.5.1 and 7.0
/// placements), or `None`.
fn media_ref(c: &Node) -> Option<MediaRef> {
    if c.value.is_some() {
        return None;
    }
    let mut m = MediaRef { path: String::new(), mime: None, title: None };
    let mut file_seen = false;
    for ch in &c.children {
        match ch.tag.as_str() {
            "FILE" if !file_seen => {
                file_seen = true;
                m.path = ch.text()?.to_string();
                for sub in &ch.children {
                    match sub.tag.as_str() {
                        "FORM" if m.mime.is_none() => m.mime = Some(leaf_text(sub)?.to_string()),
                        "TITL" if m.title.is_none() => m.title = Some(leaf_text(sub)?.to_string()),
                        _ => return None,
                    }
                }
            }
            "FORM" if m.mime.is_none() => m.mime = Some(leaf_text(ch)?.to_string()),
            "TITL" if m.title.is_none() => m.title = Some(leaf_text(ch)?.to_string()),
            _ => return None,
        }
    }
    file_seen.then_some(m)
}

fn imported_observation(label: &str, format: &str) -> ConditionObservation {
    let mut o = ConditionObservation::new(None, label, ConditionStatus::Affected);
    o.provenance = Provenance::Imported { format: format.to_string() };
    o.note = Some(IMPORTED_NOTE.to_string());
    o
}

/// Vital status from the events: a death, burial or cremation makes the person deceased (date,
/// age and cause from the first `DEAT`); else `_KV_ALIVE`; else unknown.
pub(crate) fn vital_status(events: &[Event], alive: Option<Option<f64>>) -> VitalStatus {
    if let Some(d) = events.iter().find(|e| e.kind == EventKind::Death) {
        let raw = |tag: &str| d.unmapped.iter().find(|r| r.tag == tag).and_then(|r| r.text.as_deref());
        return VitalStatus::Deceased {
            age: raw("AGE").and_then(parse_age),
            date: d.date.clone(),
            cause: raw("CAUS").map(str::to_string),
        };
    }
    if events.iter().any(|e| matches!(e.kind, EventKind::Burial | EventKind::Cremation)) {
        return VitalStatus::Deceased { age: None, date: None, cause: None };
    }
    match alive {
        Some(age) => VitalStatus::Alive { age },
        None => VitalStatus::Unknown,
    }
}

/// `_KV_ALIVE` with at most an `AGE`: `Some(age)`, or `None` if it has anything else.
fn parse_alive(c: &Node) -> Option<Option<f64>> {
    match c.children.as_slice() {
        [] => Some(None),
        [age] if age.tag == "AGE" => Some(Some(leaf_text(age).and_then(parse_age)?)),
        _ => None,
    }
}

/// `_KV_COND` (see docs/gedcom-extensions.md).
fn parse_kv_cond(c: &Node) -> Option<ConditionObservation> {
    if c.pointer().is_some() {
        return None;
    }
    let mut o = ConditionObservation::new(None, c.text().unwrap_or(""), ConditionStatus::Unknown);
    let (mut status, mut code, mut onset, mut cert, mut prov, mut note) = (false, false, false, false, false, false);
    let mut rest = Rest::default();
    for ch in &c.children {
        let text = leaf_text(ch);
        match ch.tag.as_str() {
            "_STAT" if !status && text.and_then(enum_parse::<ConditionStatus>).is_some() => {
                o.status = text.and_then(enum_parse).unwrap_or_default();
                status = true;
            }
            "_CODE" if !code && parse_code(ch).is_some() => {
                o.code = parse_code(ch);
                code = true;
            }
            "_ONSET" if !onset && text.and_then(parse_age_range).is_some() => {
                o.onset = text.and_then(parse_age_range);
                onset = true;
            }
            "_CERT" if !cert && text.and_then(enum_parse::<Certainty>).is_some() => {
                o.certainty = text.and_then(enum_parse).unwrap_or_default();
                cert = true;
            }
            "_PROV" if !prov && parse_provenance(ch).is_some() => {
                o.provenance = parse_provenance(ch).unwrap_or_default();
                prov = true;
            }
            "NOTE" if !note && text.is_some() => {
                o.note = text.map(str::to_string);
                note = true;
            }
            _ => rest.keep(ch),
        }
    }
    o.unmapped = rest.0;
    Some(o)
}

fn parse_code(c: &Node) -> Option<Code> {
    let code = c.text()?;
    let mut system = None;
    let mut display = None;
    for ch in &c.children {
        match ch.tag.as_str() {
            "_SYS" if system.is_none() => system = Some(leaf_text(ch).and_then(enum_parse::<CodeSystem>)?),
            "_DISP" if display.is_none() => display = Some(leaf_text(ch)?.to_string()),
            _ => return None,
        }
    }
    Some(Code { system: system?, code: code.to_string(), display: display.unwrap_or_default() })
}

pub(crate) fn parse_age_range(t: &str) -> Option<AgeRange> {
    let parse = |s: &str| s.trim().parse::<f64>().ok().filter(|v| v.is_finite() && *v >= 0.0);
    match t.split_once('-') {
        Some((a, b)) => Some(AgeRange { min: parse(a)?, max: parse(b)? }),
        None => parse(t).map(AgeRange::exact),
    }
}

fn parse_provenance(c: &Node) -> Option<Provenance> {
    let t = c.text()?;
    match (t, c.children.as_slice()) {
        ("imported", [form]) if form.tag == "_FORM" => {
            Some(Provenance::Imported { format: leaf_text(form)?.to_string() })
        }
        (_, []) => match t {
            "self_reported" => Some(Provenance::SelfReported),
            "reported_by_relative" => Some(Provenance::ReportedByRelative),
            "medical_record" => Some(Provenance::MedicalRecord),
            _ => None,
        },
        _ => None,
    }
}

/// `_KV_GTEST` (see docs/gedcom-extensions.md). Everything it holds must map (a genetic test
/// has no `unmapped`); otherwise it stays raw.
fn parse_kv_gtest(c: &Node) -> Option<GeneticTest> {
    let mut t = GeneticTest {
        id: new_id(),
        gene: c.text().unwrap_or("").to_string(),
        variant: None,
        acmg_class: None,
        result: TestResult::Inconclusive,
        method: None,
        sensitivity: None,
        lab: None,
        date: None,
        provenance: Provenance::SelfReported,
    };
    let mut result = false;
    let mut prov = false;
    for ch in &c.children {
        let text = leaf_text(ch);
        match ch.tag.as_str() {
            "_VAR" if t.variant.is_none() => t.variant = Some(text?.to_string()),
            "_ACMG" if t.acmg_class.is_none() => t.acmg_class = Some(text.and_then(enum_parse)?),
            "_RES" if !result => {
                t.result = text.and_then(enum_parse)?;
                result = true;
            }
            "_METH" if t.method.is_none() => t.method = Some(text?.to_string()),
            "_SENS" if t.sensitivity.is_none() => {
                t.sensitivity = Some(text?.trim().parse::<f64>().ok().filter(|v| v.is_finite())?)
            }
            "_LAB" if t.lab.is_none() => t.lab = Some(text?.to_string()),
            "DATE" if t.date.is_none() => t.date = Some(GDate::parse(text?)),
            "_PROV" if !prov => {
                t.provenance = parse_provenance(ch)?;
                prov = true;
            }
            _ => return None,
        }
    }
    Some(t)
}
