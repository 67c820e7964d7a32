//! What the clinical pedigree formats (PED, FHIR, CanRisk, My Family Health Portrait) share:
//! the family snapshot an export reads, the family an import builds, and errors and warnings that
//! say where and why.
//!
//! Exports take a [`FamilySnapshot`] (people, families, the proband) and return [`Exported`]
//! text plus warnings about what the format could not carry. Imports take the file's bytes and
//! return an [`ImportedFamily`] — new people and families with fresh ids, ready to store in one
//! transaction — or a [`FormatError`]; an import never returns half a family.

use std::collections::HashMap;
use std::fmt;

use kinvault_catalog::Catalog;
use kinvault_model::{
    AgeRange, Code, ConditionObservation, ConditionStatus, Family, FamilyChild, Person, Provenance, Sex,
};
use kinvault_pedigree::{FamilyGraph, GraphWarning};
use uuid::Uuid;

/// The clinical formats of this crate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// PED / PLINK `.fam`.
    Ped,
    /// HL7 FHIR R4 Bundle of a Patient and FamilyMemberHistory resources.
    Fhir,
    /// The GA4GH Pedigree FHIR IG form (Composition + Patient + FamilyMemberHistory, KIN codes).
    Ga4ghPedigree,
    /// CanRisk v4 pedigree file.
    CanRisk,
    /// My Family Health Portrait saved files (XML or JSON).
    Mfhp,
}

impl Format {
    /// The name used in messages.
    pub fn name(self) -> &'static str {
        match self {
            Format::Ped => "PED",
            Format::Fhir => "FHIR",
            Format::Ga4ghPedigree => "GA4GH Pedigree",
            Format::CanRisk => "CanRisk",
            Format::Mfhp => "MFHP",
        }
    }

    /// The `format` of [`Provenance::Imported`] on observations and tests this format brought
    /// in: "PED", "FHIR" (both FHIR forms), "CanRisk", "MFHP".
    pub fn provenance(self) -> &'static str {
        match self {
            Format::Ga4ghPedigree => "FHIR",
            f => f.name(),
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Which clinical format a file is in, from its first bytes (and its name for PED, whose lines
/// have no signature): `##CanRisk` → CanRisk; a FHIR `Bundle` → FHIR, or GA4GH Pedigree when it
/// holds a Composition; `<FamilyHistory` or a `personal_information`/`Health History` JSON
/// object → MFHP; a `.ped`/`.fam` name, or whitespace-separated lines of 5 or 6 columns → PED.
/// `None`: none of these (a GEDCOM file, for one).
pub fn sniff(bytes: &[u8], file_name: Option<&str>) -> Option<Format> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]);
    let start = head.trim_start();
    if start.starts_with("##CanRisk") {
        return Some(Format::CanRisk);
    }
    if start.starts_with('<') {
        return head.contains("<FamilyHistory").then_some(Format::Mfhp);
    }
    if start.starts_with('{') {
        let v: serde_json::Value = serde_json::from_slice(bytes).ok()?;
        if v.get("resourceType").and_then(|t| t.as_str()) == Some("Bundle") {
            let composition = v
                .get("entry")
                .and_then(|e| e.as_array())
                .is_some_and(|entries| entries.iter().any(|e| e["resource"]["resourceType"] == "Composition"));
            return Some(if composition { Format::Ga4ghPedigree } else { Format::Fhir });
        }
        let mfhp = ["personal_information", "Health History"].iter().any(|k| v.get(*k).is_some());
        return mfhp.then_some(Format::Mfhp);
    }
    let ext = file_name.and_then(|n| n.rsplit_once('.')).map(|(_, e)| e.to_ascii_lowercase());
    if matches!(ext.as_deref(), Some("ped" | "fam")) {
        return Some(Format::Ped);
    }
    let mut data = head.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).peekable();
    data.peek()?;
    data.take(5).all(|l| matches!(l.split_whitespace().count(), 5 | 6)).then_some(Format::Ped)
}

/// Where in a file something is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// The file as a whole.
    File,
    /// A line (1-based).
    Line(usize),
    /// A named column or field on a line (1-based).
    Field { line: usize, field: String },
    /// A path inside a structured document, e.g. `entry[3].resource.relationship.coding[0].code`
    /// or `/FamilyHistory/relative[2]/@code`.
    Path(String),
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::File => f.write_str("file"),
            Location::Line(l) => write!(f, "line {l}"),
            Location::Field { line, field } => write!(f, "line {line}, {field}"),
            Location::Path(p) => f.write_str(p),
        }
    }
}

/// A file (or a family, on export) that cannot be converted: which format, where, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormatError {
    pub format: Format,
    pub location: Location,
    pub reason: String,
}

impl FormatError {
    pub fn new(format: Format, location: Location, reason: impl Into<String>) -> Self {
        FormatError { format, location, reason: reason.into() }
    }
}

impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}: {}", self.format, self.location, self.reason)
    }
}

impl std::error::Error for FormatError {}

/// Something converted with a loss or an assumption; the conversion went on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormatWarning {
    pub location: Location,
    pub message: String,
}

impl FormatWarning {
    pub fn new(location: Location, message: impl Into<String>) -> Self {
        FormatWarning { location, message: message.into() }
    }
}

impl fmt::Display for FormatWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.location {
            Location::File => f.write_str(&self.message),
            ref l => write!(f, "{l}: {}", self.message),
        }
    }
}

/// The family an export reads: every person and family to write, and the proband.
#[derive(Debug, Clone, Copy)]
pub struct FamilySnapshot<'a> {
    pub persons: &'a [Person],
    pub families: &'a [Family],
    /// The person the family history is about. `None`: the first person flagged
    /// [`Person::proband`], if any.
    pub proband: Option<Uuid>,
}

impl<'a> FamilySnapshot<'a> {
    pub fn new(persons: &'a [Person], families: &'a [Family], proband: Option<Uuid>) -> Self {
        FamilySnapshot { persons, families, proband }
    }

    /// The proband: the explicit one, else the first person flagged as proband.
    pub fn proband_id(&self) -> Option<Uuid> {
        self.proband.or_else(|| self.persons.iter().find(|p| p.proband).map(|p| p.id))
    }

    /// The proband, or an error naming `format` when there is none or it is not in the snapshot.
    pub fn require_proband(&self, format: Format) -> Result<&'a Person, FormatError> {
        let id = self.proband_id().ok_or_else(|| {
            FormatError::new(format, Location::File, "no proband: choose the person the family history is about")
        })?;
        self.persons.iter().find(|p| p.id == id).ok_or_else(|| {
            FormatError::new(format, Location::File, format!("the proband {id} is not among the people exported"))
        })
    }

    /// The family graph of the snapshot (biological and legal links, cycles broken) and what
    /// building it reported, as warnings.
    pub fn graph(&self) -> (FamilyGraph, Vec<FormatWarning>) {
        let (graph, warnings) = FamilyGraph::build(self.persons.iter().map(|p| (p.id, p.sex)), self.families.iter());
        (graph, warnings.iter().map(graph_warning).collect())
    }
}

/// A [`GraphWarning`] as a format warning (ids only, never names).
pub(crate) fn graph_warning(w: &GraphWarning) -> FormatWarning {
    FormatWarning::new(Location::File, w.to_string())
}

/// An export: the file's text and what it could not carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exported {
    pub text: String,
    pub warnings: Vec<FormatWarning>,
}

/// What an import built: new people and families (fresh ids; `xref` keeps the id each had in the
/// file), the proband when the file names one, and what was converted with a loss.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ImportedFamily {
    pub persons: Vec<Person>,
    pub families: Vec<Family>,
    pub proband: Option<Uuid>,
    pub warnings: Vec<FormatWarning>,
}

impl ImportedFamily {
    /// The imported person whose `xref` is `xref`.
    pub fn person_by_xref(&self, xref: &str) -> Option<&Person> {
        self.persons.iter().find(|p| p.xref.as_deref() == Some(xref))
    }
}

/// One child's biological parents as a file states them (either may be missing).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ParentPair {
    pub child: Uuid,
    pub father: Option<Uuid>,
    pub mother: Option<Uuid>,
}

/// Groups children by their (father, mother) pair into families, in order of first appearance:
/// one family per couple (or single parent), partners father first, children as birth children.
pub(crate) fn families_from_parents(pairs: &[ParentPair]) -> Vec<Family> {
    let mut index: HashMap<(Option<Uuid>, Option<Uuid>), usize> = HashMap::new();
    let mut out: Vec<Family> = Vec::new();
    for p in pairs {
        if p.father.is_none() && p.mother.is_none() {
            continue;
        }
        let i = *index.entry((p.father, p.mother)).or_insert_with(|| {
            out.push(Family::new(p.father.into_iter().chain(p.mother).collect()));
            out.len() - 1
        });
        out[i].children.push(FamilyChild { person: p.child, links: vec![] });
    }
    out
}

/// A person's biological parents (birth/unknown links only, at most two, as the family graph
/// keeps them) in the father and mother slots.
pub(crate) struct BioParents {
    pub father: Option<Uuid>,
    pub mother: Option<Uuid>,
}

/// The biological father and mother of every person in the graph (see [`assign_parent_roles`]).
pub(crate) fn bio_parents(graph: &FamilyGraph, persons: &[Person]) -> HashMap<Uuid, BioParents> {
    let mut out = HashMap::with_capacity(persons.len());
    for p in persons {
        let Some(ix) = graph.index_of(p.id) else { continue };
        let parents: Vec<(Uuid, Sex)> = graph.biological_parents(ix).map(|q| (graph.id_of(q), graph.sex(q))).collect();
        let (father, mother) = assign_parent_roles(&parents);
        out.insert(p.id, BioParents { father, mother });
    }
    out
}

/// Father and mother slots for up to two biological parents: a male parent is the father and a
/// female one the mother; a parent of unknown sex takes whichever slot is left (the father's
/// first).
pub(crate) fn assign_parent_roles(parents: &[(Uuid, Sex)]) -> (Option<Uuid>, Option<Uuid>) {
    let mut father = parents.iter().find(|(_, s)| *s == Sex::Male).map(|(id, _)| *id);
    let mut mother = parents.iter().find(|(_, s)| *s == Sex::Female).map(|(id, _)| *id);
    for (id, _) in parents {
        if Some(*id) == father || Some(*id) == mother {
            continue;
        }
        if father.is_none() {
            father = Some(*id);
        } else if mother.is_none() {
            mother = Some(*id);
        }
    }
    (father, mother)
}

/// Stable, file-safe ids for people: the GEDCOM xref without `@`s when it is usable (non-empty,
/// at most `max_len` bytes, only characters `allowed` accepts, not `reserved`, unique), else the
/// last 8 hex digits of the id (the random part of a UUIDv7), else the whole id in simple form.
pub(crate) fn stable_ids(
    persons: &[Person],
    allowed: impl Fn(char) -> bool,
    reserved: &[&str],
    max_len: usize,
) -> HashMap<Uuid, String> {
    let mut taken: HashMap<String, Uuid> = HashMap::new();
    let mut out = HashMap::with_capacity(persons.len());
    // Xrefs first, so a generated id never steals one.
    for p in persons {
        if let Some(x) = p.xref.as_deref() {
            let x = x.trim().trim_start_matches('@').trim_end_matches('@');
            let usable = !x.is_empty() && x.len() <= max_len && x.chars().all(&allowed) && !reserved.contains(&x);
            if usable && !taken.contains_key(x) {
                taken.insert(x.to_string(), p.id);
                out.insert(p.id, x.to_string());
            }
        }
    }
    for p in persons {
        if out.contains_key(&p.id) {
            continue;
        }
        let simple = p.id.simple().to_string();
        let short = simple[simple.len() - 8..].to_string();
        let id = if !taken.contains_key(&short) && !reserved.contains(&short.as_str()) { short } else { simple };
        taken.insert(id.clone(), p.id);
        out.insert(p.id, id);
    }
    out
}

/// A new person for an import: no name unless the file has one, `xref` = the file's id.
pub(crate) fn new_person(xref: &str, sex: Sex) -> Person {
    let mut p = Person::new(Default::default(), sex);
    p.names.clear();
    p.xref = Some(xref.to_string());
    p
}

/// An imported condition observation, coded as far as the file and the catalog allow: a code
/// without a label gets the catalog's name (or the code's display), a label without a code gets
/// the catalog entry's `kinvault` code when the label matches one entry exactly.
pub(crate) fn imported_observation(
    catalog: &Catalog,
    format: Format,
    code: Option<Code>,
    label: Option<&str>,
    status: ConditionStatus,
    onset: Option<AgeRange>,
) -> ConditionObservation {
    let label = label.map(str::trim).filter(|l| !l.is_empty());
    let mut o = ConditionObservation::new(code, label.unwrap_or(""), status);
    o.onset = onset;
    o.provenance = Provenance::Imported { format: format.provenance().to_string() };
    let linked = catalog.link(&o);
    if o.code.is_none() {
        o.code = linked.map(|c| c.kinvault_code());
    }
    if o.label.is_empty() {
        o.label = match (linked, &o.code) {
            (Some(c), _) => c.name.clone(),
            (None, Some(code)) if !code.display.is_empty() => code.display.clone(),
            (None, Some(code)) => code.code.clone(),
            (None, None) => String::new(),
        };
    }
    if let Some(code) = o.code.as_mut().filter(|c| c.display.is_empty()) {
        code.display = linked.map(|c| c.name.clone()).unwrap_or_else(|| o.label.clone());
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;
    use kinvault_model::PersonName;

    #[test]
    fn stable_ids_prefer_xrefs_and_stay_unique() {
        let mut a = Person::new(PersonName::new("A", "X"), Sex::Male);
        a.xref = Some("@I1@".into());
        let mut b = Person::new(PersonName::new("B", "X"), Sex::Female);
        b.xref = Some("@I1@".into()); // duplicate: falls back
        let mut c = Person::new(PersonName::new("C", "X"), Sex::Female);
        c.xref = Some("@I 2@".into()); // space not allowed
        let d = Person::new(PersonName::new("D", "X"), Sex::Female);
        let ids = stable_ids(&[a.clone(), b.clone(), c.clone(), d.clone()], |ch| !ch.is_whitespace(), &["0"], 20);
        assert_eq!(ids[&a.id], "I1");
        assert_eq!(ids[&b.id].len(), 8);
        assert_eq!(ids[&c.id].len(), 8);
        let unique: std::collections::HashSet<_> = ids.values().collect();
        assert_eq!(unique.len(), 4);
    }

    #[test]
    fn sniff_tells_the_formats_apart() {
        assert_eq!(sniff(b"##CanRisk 4.0\n##FamID\tName", None), Some(Format::CanRisk));
        assert_eq!(
            sniff(b"<?xml version=\"1.0\"?><FamilyHistory xmlns=\"urn:hl7-org:v3\"/>", None),
            Some(Format::Mfhp)
        );
        assert_eq!(sniff(br#"{"resourceType":"Bundle","entry":[]}"#, None), Some(Format::Fhir));
        let ga4gh = br#"{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Composition"}}]}"#;
        assert_eq!(sniff(ga4gh, None), Some(Format::Ga4ghPedigree));
        assert_eq!(sniff(br#"{"personal_information":{}}"#, None), Some(Format::Mfhp));
        assert_eq!(sniff(b"F a 0 0 1 2\nF b 0 0 2 1\n", None), Some(Format::Ped));
        assert_eq!(sniff(b"anything", Some("family.FAM")), Some(Format::Ped));
        assert_eq!(sniff(b"0 HEAD\n1 GEDC\n2 VERS 5.5.1\n0 TRLR\n", Some("tree.ged")), None);
        assert_eq!(sniff(b"", None), None);
    }

    #[test]
    fn parent_roles_follow_sex_then_order() {
        let [m, f, u, v] = [1u128, 2, 3, 4].map(Uuid::from_u128);
        assert_eq!(assign_parent_roles(&[(f, Sex::Female), (m, Sex::Male)]), (Some(m), Some(f)));
        assert_eq!(assign_parent_roles(&[(u, Sex::Unknown), (m, Sex::Male)]), (Some(m), Some(u)));
        assert_eq!(assign_parent_roles(&[(u, Sex::Unknown), (v, Sex::Unknown)]), (Some(u), Some(v)));
        assert_eq!(assign_parent_roles(&[(f, Sex::Female)]), (None, Some(f)));
    }

    #[test]
    fn imported_observation_fills_the_missing_side_from_the_catalog() {
        let cat = Catalog::builtin();
        let o = imported_observation(cat, Format::Fhir, None, Some("Breast cancer"), ConditionStatus::Affected, None);
        assert_eq!(o.code.as_ref().map(|c| c.code.as_str()), Some("breast-cancer"));
        assert_eq!(o.provenance, Provenance::Imported { format: "FHIR".into() });
        let code = Code::new(kinvault_model::CodeSystem::Icd10, "C50.9", "");
        let o = imported_observation(cat, Format::Fhir, Some(code), None, ConditionStatus::Affected, None);
        assert_eq!(o.label, cat.get("breast-cancer").unwrap().name);
        assert_eq!(o.code.unwrap().display, o.label);
        let o = imported_observation(cat, Format::Mfhp, None, Some("Gout"), ConditionStatus::Affected, None);
        assert!(o.code.is_none());
        assert_eq!(o.label, "Gout");
    }
}
