//! FHIR R4 JSON → model: the family-history form (relatives hang off the proband by a v3
//! RoleCode; the tree is rebuilt from the codes where they say enough) and the GA4GH Pedigree
//! form (explicit links between individuals).

use std::collections::HashMap;

use kinvault_catalog::Catalog;
use kinvault_model::{
    AgeRange, Certainty, ChildRelationship, Code, ConditionStatus, EventKind, Family, FamilyChild, GDate, Note,
    ParentLink, PersonName, Sex, TwinSet, UnionKind, VitalStatus, Zygosity,
};
use kinvault_pedigree::{FamilyGraph, GraphWarning};
use serde_json::Value;
use uuid::Uuid;

use super::codes::*;
use super::json::{J, R};
use crate::family::{imported_observation, new_person, Format, FormatError, FormatWarning, ImportedFamily, Location};

/// Reads a FHIR R4 JSON Bundle in either form (see the module docs of [`crate::fhir`]). The
/// GA4GH form is recognised by a Composition or by `familymemberhistory-patient-record`
/// extensions; errors then name [`Format::Ga4ghPedigree`].
pub fn import_fhir(bytes: &[u8], catalog: &Catalog) -> Result<ImportedFamily, FormatError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let value: Value = serde_json::from_slice(bytes).map_err(|e| {
        let msg = e.to_string();
        let reason = msg.rfind(" at line ").map(|i| msg[..i].to_string()).unwrap_or(msg);
        FormatError::new(
            Format::Fhir,
            Location::Field { line: e.line(), field: format!("column {}", e.column()) },
            format!("not valid JSON: {reason}"),
        )
    })?;
    let root = J::root(&value);
    if !value.is_object() {
        return Err(root.err("expected a JSON object (a FHIR Bundle)"));
    }
    match root.str("resourceType")? {
        Some("Bundle") => {}
        Some(other) => return Err(root.err_at("resourceType", format!("expected a Bundle, found {other}"))),
        None => return Err(root.err_at("resourceType", "required but missing: is this a FHIR resource?")),
    }
    let bundle = Bundle::read(&root)?;
    let ga4gh =
        bundle.entries.iter().any(|e| {
            e.kind == "Composition"
                || (e.kind == "FamilyMemberHistory"
                    && e.j.v.get("extension").and_then(Value::as_array).is_some_and(|xs| {
                        xs.iter().any(|x| x.get("url").and_then(Value::as_str) == Some(PATIENT_RECORD))
                    }))
        });
    let mut imp = Importer { bundle: &bundle, catalog, out: ImportedFamily::default(), person_of: HashMap::new() };
    let result = if ga4gh { imp.ga4gh() } else { imp.family_history() };
    match result {
        Ok(()) => {
            imp.check_cycles(if ga4gh { Format::Ga4ghPedigree } else { Format::Fhir })?;
            Ok(imp.out)
        }
        Err(mut e) => {
            if ga4gh {
                e.format = Format::Ga4ghPedigree;
            }
            Err(e)
        }
    }
}

struct Entry<'a> {
    j: J<'a>,
    kind: &'a str,
    id: Option<&'a str>,
}

struct Bundle<'a> {
    entries: Vec<Entry<'a>>,
    /// fullUrl and `Type/id` → entry index.
    index: HashMap<String, usize>,
}

impl<'a> Bundle<'a> {
    fn read(root: &J<'a>) -> R<Bundle<'a>> {
        let mut entries = Vec::new();
        let mut index = HashMap::new();
        for e in root.arr("entry")? {
            let Some(res) = e.obj("resource")? else {
                return Err(e.err_at("resource", "required but missing: an entry without a resource"));
            };
            let kind = res.req_str("resourceType")?;
            let id = res.str("id")?;
            let i = entries.len();
            if let Some(url) = e.str("fullUrl")? {
                if index.insert(url.to_string(), i).is_some() {
                    return Err(e.err_at("fullUrl", format!("{url} is used by two entries")));
                }
            }
            if let Some(id) = id {
                index.entry(format!("{kind}/{id}")).or_insert(i);
            }
            entries.push(Entry { j: res, kind, id });
        }
        if entries.is_empty() {
            return Err(root.err_at("entry", "the Bundle has no entries"));
        }
        Ok(Bundle { entries, index })
    }

    /// The entry a Reference points to: by fullUrl, else by `Type/id` (the last two segments of
    /// an absolute URL).
    fn resolve(&self, reference: &J<'a>, want: &str) -> R<usize> {
        let r = reference.req_str("reference")?;
        let found = self.index.get(r).copied().or_else(|| {
            let segs: Vec<&str> = r.trim_end_matches('/').rsplitn(3, '/').collect();
            (segs.len() >= 2).then(|| self.index.get(&format!("{}/{}", segs[1], segs[0])).copied()).flatten()
        });
        let Some(i) = found else {
            return Err(reference.err_at("reference", format!("{r} is not in the Bundle")));
        };
        if self.entries[i].kind != want {
            return Err(reference.err_at("reference", format!("{r} is a {}, expected a {want}", self.entries[i].kind)));
        }
        Ok(i)
    }
}

struct Importer<'a, 'c> {
    bundle: &'a Bundle<'a>,
    catalog: &'c Catalog,
    out: ImportedFamily,
    /// Bundle entry → person index in `out.persons`.
    person_of: HashMap<usize, usize>,
}

/// What a v3 RoleCode says about where a relative goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Parent,
    Legal(ChildRelationship),
    StepParent,
    Child,
    LegalChild(ChildRelationship),
    StepChild,
    Sibling,
    Twin(Zygosity),
    Grandparent(Option<bool>),
    AuntUncle(Option<bool>),
    Spouse(UnionKind),
    /// Known code, but it does not say enough to place the relative (half-sibling: which
    /// parent? cousin: whose child?).
    Unplaced,
}

/// Role and implied sex of a RoleCode. `Some(true)` = maternal side.
fn role_of(code: &str) -> Option<(Role, Option<Sex>)> {
    use Role::*;
    let (m, f) = (Some(Sex::Male), Some(Sex::Female));
    Some(match code {
        "FTH" | "NFTH" => (Parent, m),
        "MTH" | "NMTH" => (Parent, f),
        "PRN" | "NPRN" => (Parent, None),
        "ADOPTF" => (Legal(ChildRelationship::Adopted), m),
        "ADOPTM" => (Legal(ChildRelationship::Adopted), f),
        "ADOPTP" => (Legal(ChildRelationship::Adopted), None),
        "FTHFOST" => (Legal(ChildRelationship::Foster), m),
        "MTHFOST" => (Legal(ChildRelationship::Foster), f),
        "PRNFOST" => (Legal(ChildRelationship::Foster), None),
        "STPFTH" => (StepParent, m),
        "STPMTH" => (StepParent, f),
        "SON" | "SONC" => (Child, m),
        "DAU" | "DAUC" => (Child, f),
        "CHILD" | "NCHILD" => (Child, None),
        "SONADOPT" => (LegalChild(ChildRelationship::Adopted), m),
        "DAUADOPT" => (LegalChild(ChildRelationship::Adopted), f),
        "CHLDADOPT" => (LegalChild(ChildRelationship::Adopted), None),
        "SONFOST" => (LegalChild(ChildRelationship::Foster), m),
        "DAUFOST" => (LegalChild(ChildRelationship::Foster), f),
        "CHLDFOST" => (LegalChild(ChildRelationship::Foster), None),
        "STPSON" => (StepChild, m),
        "STPDAU" => (StepChild, f),
        "STPCHLD" => (StepChild, None),
        "NBRO" | "BRO" => (Sibling, m),
        "NSIS" | "SIS" => (Sibling, f),
        "NSIB" | "SIB" => (Sibling, None),
        "ITWINBRO" => (Twin(Zygosity::Monozygotic), m),
        "ITWINSIS" => (Twin(Zygosity::Monozygotic), f),
        "ITWIN" => (Twin(Zygosity::Monozygotic), None),
        "FTWINBRO" => (Twin(Zygosity::Dizygotic), m),
        "FTWINSIS" => (Twin(Zygosity::Dizygotic), f),
        "FTWIN" => (Twin(Zygosity::Dizygotic), None),
        "TWINBRO" => (Twin(Zygosity::Unknown), m),
        "TWINSIS" => (Twin(Zygosity::Unknown), f),
        "TWIN" => (Twin(Zygosity::Unknown), None),
        "MGRFTH" => (Grandparent(Some(true)), m),
        "MGRMTH" => (Grandparent(Some(true)), f),
        "MGRPRN" => (Grandparent(Some(true)), None),
        "PGRFTH" => (Grandparent(Some(false)), m),
        "PGRMTH" => (Grandparent(Some(false)), f),
        "PGRPRN" => (Grandparent(Some(false)), None),
        "GRFTH" => (Grandparent(None), m),
        "GRMTH" => (Grandparent(None), f),
        "GRPRN" => (Grandparent(None), None),
        "MUNCLE" => (AuntUncle(Some(true)), m),
        "MAUNT" => (AuntUncle(Some(true)), f),
        "PUNCLE" => (AuntUncle(Some(false)), m),
        "PAUNT" => (AuntUncle(Some(false)), f),
        "UNCLE" => (AuntUncle(None), m),
        "AUNT" => (AuntUncle(None), f),
        "HUSB" => (Spouse(UnionKind::Married), m),
        "WIFE" => (Spouse(UnionKind::Married), f),
        "SPS" => (Spouse(UnionKind::Married), None),
        "DOMPART" => (Spouse(UnionKind::Partners), None),
        "SIGOTHR" => (Spouse(UnionKind::Unknown), None),
        "HBRO" | "STPBRO" | "GGRFTH" | "MGGRFTH" | "PGGRFTH" | "GRNDSON" | "NEPHEW" | "FTHINLAW" | "BROINLAW"
        | "SONINLAW" => (Unplaced, m),
        "HSIS" | "STPSIS" | "GGRMTH" | "MGGRMTH" | "PGGRMTH" | "GRNDDAU" | "NIECE" | "MTHINLAW" | "SISINLAW"
        | "DAUINLAW" => (Unplaced, f),
        "HSIB" | "STPSIB" | "STPPRN" | "GGRPRN" | "MGGRPRN" | "PGGRPRN" | "GRNDCHILD" | "NIENEPH" | "COUSN"
        | "MCOUSN" | "PCOUSN" | "PRNINLAW" | "SIBINLAW" | "CHLDINLAW" | "INLAW" | "EXT" | "FAMMEMB" => (Unplaced, None),
        _ => return None,
    })
}

/// Where implied people go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Slot {
    Father,
    Mother,
    MaternalGrandfather,
    MaternalGrandmother,
    PaternalGrandfather,
    PaternalGrandmother,
}

impl Slot {
    fn label(self) -> &'static str {
        match self {
            Slot::Father => "father",
            Slot::Mother => "mother",
            Slot::MaternalGrandfather => "maternal grandfather",
            Slot::MaternalGrandmother => "maternal grandmother",
            Slot::PaternalGrandfather => "paternal grandfather",
            Slot::PaternalGrandmother => "paternal grandmother",
        }
    }

    fn sex(self) -> Sex {
        match self {
            Slot::Father | Slot::MaternalGrandfather | Slot::PaternalGrandfather => Sex::Male,
            _ => Sex::Female,
        }
    }
}

impl<'a, 'c> Importer<'a, 'c> {
    fn warn(&mut self, at: &J, message: impl Into<String>) {
        self.out.warnings.push(FormatWarning::new(Location::Path(at.path.clone()), message));
    }

    fn id(&self, p: usize) -> Uuid {
        self.out.persons[p].id
    }

    // ----- the family-history form -----------------------------------------------------------

    fn family_history(&mut self) -> R<()> {
        let b = self.bundle;
        let fmhs: Vec<usize> = (0..b.entries.len()).filter(|&i| b.entries[i].kind == "FamilyMemberHistory").collect();
        let patients: Vec<usize> = (0..b.entries.len()).filter(|&i| b.entries[i].kind == "Patient").collect();
        // The proband: the Patient every FamilyMemberHistory is about.
        let mut proband_entry: Option<usize> = None;
        for &i in &fmhs {
            let j = &b.entries[i].j;
            let p = b.resolve(&j.req("patient")?, "Patient")?;
            match proband_entry {
                Some(q) if q != p => {
                    return Err(j.err_at(
                        "patient",
                        "FamilyMemberHistory resources about different patients: one Bundle holds one family history",
                    ))
                }
                _ => proband_entry = Some(p),
            }
        }
        let proband_entry = match (proband_entry, patients.as_slice()) {
            (Some(p), _) => p,
            (None, [p]) => *p,
            (None, []) => {
                return Err(J::root(&Value::Null).err("no Patient and no FamilyMemberHistory: nothing to import"))
            }
            (None, _) => {
                return Err(b.entries[patients[1]]
                    .j
                    .err("several Patients and no FamilyMemberHistory or Composition: which one is the proband?"))
            }
        };
        let proband = self.patient(proband_entry)?;
        self.out.persons[proband].proband = true;
        self.out.proband = Some(self.id(proband));
        for &i in &patients {
            if i != proband_entry {
                let j = b.entries[i].j.clone();
                self.warn(&j, "a second Patient in a family-history Bundle (not the proband): not imported");
            }
        }
        self.conditions(&[proband_entry])?;

        // Relatives.
        let mut placed: Vec<(usize, Role, String)> = Vec::new();
        for &i in &fmhs {
            let j = b.entries[i].j.clone();
            if j.str("status")? == Some("entered-in-error") {
                self.warn(&j, "entered in error: not imported");
                continue;
            }
            let rel = j.req("relationship")?;
            let coding = codings(&rel)?.into_iter().find(|(s, _, _, _)| *s == ROLE_CODE || *s == ROLE_CODE_OLD);
            let text = rel.str("text")?.map(str::to_string);
            let (role, implied_sex, label) = match &coding {
                Some((_, code, display, _)) => match role_of(code) {
                    Some((role, sex)) => {
                        let label = text.clone().or(display.clone()).unwrap_or_else(|| role_display(code).to_string());
                        (role, sex, format!("{label} ({code})"))
                    }
                    None => {
                        let at = rel.clone();
                        self.warn(&at, format!("RoleCode {code} is not a family relationship Kinvault knows"));
                        (Role::Unplaced, None, format!("{} ({code})", text.clone().unwrap_or_default()))
                    }
                },
                None if text.is_some() || rel.get("coding").is_some() => {
                    let at = rel.clone();
                    self.warn(&at, "no v3 RoleCode coding: the relative cannot be placed");
                    (Role::Unplaced, None, text.clone().unwrap_or_else(|| "unknown".into()))
                }
                None => return Err(rel.err("a relationship without a coding or text")),
            };
            let p = self.member(i, implied_sex)?;
            placed.push((p, role, label));
        }
        self.place(proband, placed);
        Ok(())
    }

    /// A person from a FamilyMemberHistory (name, sex, age/birth, deceased, conditions).
    fn member(&mut self, entry: usize, implied_sex: Option<Sex>) -> R<usize> {
        let j = self.bundle.entries[entry].j.clone();
        let xref = self.bundle.entries[entry]
            .id
            .map(str::to_string)
            .unwrap_or_else(|| format!("FamilyMemberHistory-{}", entry + 1));
        let sex = match j.obj("sex")? {
            Some(s) => {
                let c = codings(&s)?.into_iter().find(|(sys, _, _, _)| *sys == GENDER);
                match c {
                    Some((_, code, _, at)) => sex_of_gender(&code).ok_or_else(|| {
                        at.err_at(
                            "code",
                            format!("{code:?} is not an administrative gender (male, female, other, unknown)"),
                        )
                    })?,
                    None => implied_sex.unwrap_or_default(),
                }
            }
            None => implied_sex.unwrap_or_default(),
        };
        let mut p = new_person(&xref, sex);
        if let Some(name) = j.str("name")?.map(str::trim).filter(|n| !n.is_empty()) {
            let (given, surname) = name.rsplit_once(' ').unwrap_or((name, ""));
            p.names.push(PersonName::new(given, surname));
        }
        if let Some(d) = j.str("bornDate")? {
            let g = gedcom_date(d).ok_or_else(|| j.err_at("bornDate", format!("{d:?} is not a FHIR date")))?;
            p.set_event_date(EventKind::Birth, Some(&g));
        }
        let age = match j.obj("ageAge")? {
            Some(a) => Some(years(&a)?),
            None => None,
        };
        let mut vital = match (j.bool("deceasedBoolean")?, j.obj("deceasedAge")?, j.str("deceasedDate")?) {
            (Some(true), _, _) => VitalStatus::Deceased { age: None, date: None, cause: None },
            (Some(false), _, _) => VitalStatus::Alive { age },
            (None, Some(a), _) => VitalStatus::Deceased { age: Some(years(&a)?), date: None, cause: None },
            (None, None, Some(d)) => {
                let g = gedcom_date(d).ok_or_else(|| j.err_at("deceasedDate", format!("{d:?} is not a FHIR date")))?;
                VitalStatus::Deceased { age: None, date: Some(GDate::parse(&g)), cause: None }
            }
            (None, None, None) if j.get("deceasedString").is_some() || j.get("deceasedRange").is_some() => {
                self.warn(&j, "deceased as text or a range: read as deceased, age unknown");
                VitalStatus::Deceased { age: None, date: None, cause: None }
            }
            (None, None, None) => match age {
                Some(a) => VitalStatus::Alive { age: Some(a) },
                None => VitalStatus::Unknown,
            },
        };
        for c in j.arr("condition")? {
            let code = c.req("code")?;
            let (code_value, label) = codeable(&code)?;
            if code_value.is_none() && label.is_none() {
                return Err(code.err("a condition without a coding or text"));
            }
            let onset = onset(self, &c)?;
            let mut o = imported_observation(
                self.catalog,
                Format::Fhir,
                code_value,
                label.as_deref(),
                ConditionStatus::Affected,
                onset,
            );
            o.note = notes(&c)?;
            let died = c.bool("contributedToDeath")? == Some(true)
                || match c.obj("outcome")? {
                    Some(out) => codings(&out)?.iter().any(|(s, code, _, _)| *s == SNOMED && code == OUTCOME_DEAD.0),
                    None => false,
                };
            if died {
                vital = match vital {
                    VitalStatus::Deceased { age, date, .. } => {
                        VitalStatus::Deceased { age, date, cause: Some(o.label.clone()) }
                    }
                    _ => VitalStatus::Deceased { age: None, date: None, cause: Some(o.label.clone()) },
                };
            }
            p.conditions.push(o);
        }
        p.vital_status = vital;
        self.out.persons.push(p);
        let i = self.out.persons.len() - 1;
        self.person_of.insert(entry, i);
        Ok(i)
    }

    /// Rebuilds what the relationship codes say about the tree, adding the people they imply.
    fn place(&mut self, proband: usize, relatives: Vec<(usize, Role, String)>) {
        let mut slots: HashMap<Slot, usize> = HashMap::new();
        let mut implied: Vec<Slot> = Vec::new();
        let mut unplaced: Vec<(usize, String, &'static str)> = Vec::new();
        let sex_of = |imp: &Self, p: usize| imp.out.persons[p].sex;
        // 1. Parents and grandparents into their slots.
        for (p, role, label) in &relatives {
            let slot_pair = match role {
                Role::Parent => Some((Slot::Father, Slot::Mother)),
                Role::Grandparent(Some(true)) => Some((Slot::MaternalGrandfather, Slot::MaternalGrandmother)),
                Role::Grandparent(Some(false)) => Some((Slot::PaternalGrandfather, Slot::PaternalGrandmother)),
                Role::Grandparent(None) => {
                    unplaced.push((*p, label.clone(), "maternal or paternal is not stated"));
                    continue;
                }
                _ => None,
            };
            let Some((male, female)) = slot_pair else { continue };
            let slot = match sex_of(self, *p) {
                Sex::Male => male,
                Sex::Female => female,
                _ if !slots.contains_key(&male) => male,
                _ => female,
            };
            match slots.entry(slot) {
                std::collections::hash_map::Entry::Occupied(_) => {
                    unplaced.push((*p, label.clone(), "a second person in the same place"))
                }
                std::collections::hash_map::Entry::Vacant(v) => {
                    v.insert(*p);
                }
            }
        }
        let has = |role: &dyn Fn(&Role) -> bool| relatives.iter().any(|(_, r, _)| role(r));
        let maternal_side = has(&|r| matches!(r, Role::AuntUncle(Some(true))))
            || slots.contains_key(&Slot::MaternalGrandfather)
            || slots.contains_key(&Slot::MaternalGrandmother);
        let paternal_side = has(&|r| matches!(r, Role::AuntUncle(Some(false))))
            || slots.contains_key(&Slot::PaternalGrandfather)
            || slots.contains_key(&Slot::PaternalGrandmother);
        let siblings = has(&|r| matches!(r, Role::Sibling | Role::Twin(_)));
        // A stepfather is the mother's partner, a stepmother the father's.
        let step =
            |sex: Sex| relatives.iter().any(|(p, r, _)| *r == Role::StepParent && self.out.persons[*p].sex == sex);
        let need_mother = maternal_side || step(Sex::Male);
        let need_father = paternal_side || step(Sex::Female);
        let mut ensure = |imp: &mut Self, slot: Slot, slots: &mut HashMap<Slot, usize>| -> usize {
            *slots.entry(slot).or_insert_with(|| {
                implied.push(slot);
                let mut p = new_person(&format!("implied-{}", slot.label().replace(' ', "-")), slot.sex());
                p.notes.push(Note {
                    text: format!(
                        "Implied {} of the proband: not in the FHIR file, added to connect the relatives it names.",
                        slot.label()
                    ),
                });
                imp.out.persons.push(p);
                imp.out.persons.len() - 1
            })
        };
        if need_mother || (siblings && !slots.contains_key(&Slot::Father)) {
            ensure(self, Slot::Mother, &mut slots);
        }
        if need_father || (siblings && !slots.contains_key(&Slot::Mother)) {
            ensure(self, Slot::Father, &mut slots);
        }
        if maternal_side
            && !slots.contains_key(&Slot::MaternalGrandfather)
            && !slots.contains_key(&Slot::MaternalGrandmother)
        {
            ensure(self, Slot::MaternalGrandfather, &mut slots);
            ensure(self, Slot::MaternalGrandmother, &mut slots);
        }
        if paternal_side
            && !slots.contains_key(&Slot::PaternalGrandfather)
            && !slots.contains_key(&Slot::PaternalGrandmother)
        {
            ensure(self, Slot::PaternalGrandfather, &mut slots);
            ensure(self, Slot::PaternalGrandmother, &mut slots);
        }

        let ids = |imp: &Self, ps: &[Option<usize>]| -> Vec<Uuid> { ps.iter().flatten().map(|&p| imp.id(p)).collect() };
        // 2. The parents' family: the proband, siblings, twins.
        let father = slots.get(&Slot::Father).copied();
        let mother = slots.get(&Slot::Mother).copied();
        if father.is_some() || mother.is_some() {
            let mut f = Family::new(ids(self, &[father, mother]));
            f.children.push(FamilyChild { person: self.id(proband), links: vec![] });
            let mut twins: HashMap<Zygosity, Vec<Uuid>> = HashMap::new();
            for (p, role, _) in &relatives {
                match role {
                    Role::Sibling => f.children.push(FamilyChild { person: self.id(*p), links: vec![] }),
                    Role::Twin(z) => {
                        f.children.push(FamilyChild { person: self.id(*p), links: vec![] });
                        twins.entry(*z).or_insert_with(|| vec![self.id(proband)]).push(self.id(*p));
                    }
                    _ => {}
                }
            }
            for z in [Zygosity::Monozygotic, Zygosity::Dizygotic, Zygosity::Unknown] {
                if let Some(members) = twins.remove(&z) {
                    f.twins.push(TwinSet { members, zygosity: z });
                }
            }
            self.out.families.push(f);
        }
        // 3. Grandparents' families with the parent and the aunts and uncles.
        for (maternal, parent, gf, gm) in [
            (true, mother, Slot::MaternalGrandfather, Slot::MaternalGrandmother),
            (false, father, Slot::PaternalGrandfather, Slot::PaternalGrandmother),
        ] {
            let (gf, gm) = (slots.get(&gf).copied(), slots.get(&gm).copied());
            if gf.is_none() && gm.is_none() {
                continue;
            }
            let mut f = Family::new(ids(self, &[gf, gm]));
            if let Some(parent) = parent {
                f.children.push(FamilyChild { person: self.id(parent), links: vec![] });
            }
            for (p, role, _) in &relatives {
                if *role == Role::AuntUncle(Some(maternal)) {
                    f.children.push(FamilyChild { person: self.id(*p), links: vec![] });
                }
            }
            self.out.families.push(f);
        }
        // 4. Step-parents (a partner of the other-sex parent), adoptive and foster parents.
        let mut legal: HashMap<ChildRelationship, Vec<usize>> = HashMap::new();
        for (p, role, label) in &relatives {
            match role {
                Role::StepParent => {
                    let partner = match sex_of(self, *p) {
                        Sex::Male => mother,
                        Sex::Female => father,
                        _ => None,
                    };
                    match partner {
                        Some(q) => self.out.families.push(Family::new(vec![self.id(q), self.id(*p)])),
                        None => unplaced.push((*p, label.clone(), "whose partner is not stated")),
                    }
                }
                Role::Legal(kind) => legal.entry(*kind).or_default().push(*p),
                Role::AuntUncle(None) => unplaced.push((*p, label.clone(), "maternal or paternal is not stated")),
                Role::Unplaced => unplaced.push((*p, label.clone(), "the code does not say which relative links them")),
                _ => {}
            }
        }
        for kind in [ChildRelationship::Adopted, ChildRelationship::Foster] {
            if let Some(ps) = legal.remove(&kind) {
                let partners: Vec<Uuid> = ps.iter().map(|&p| self.id(p)).collect();
                let links = partners.iter().map(|&parent| ParentLink { parent, relationship: kind }).collect();
                let mut f = Family::new(partners);
                f.children.push(FamilyChild { person: self.id(proband), links });
                self.out.families.push(f);
            }
        }
        // 5. Partners and children.
        let spouses: Vec<(usize, UnionKind)> = relatives
            .iter()
            .filter_map(|(p, r, _)| match r {
                Role::Spouse(k) => Some((*p, *k)),
                _ => None,
            })
            .collect();
        let mut child_family: Option<usize> = None;
        for (p, kind) in &spouses {
            let mut f = Family::new(vec![self.id(proband), self.id(*p)]);
            f.kind = *kind;
            self.out.families.push(f);
            if spouses.len() == 1 {
                child_family = Some(self.out.families.len() - 1);
            }
        }
        for (p, role, label) in &relatives {
            let link = match role {
                Role::Child => None,
                Role::LegalChild(kind) => Some(*kind),
                Role::StepChild => {
                    match spouses.as_slice() {
                        [(s, _)] => {
                            let mut f = Family::new(vec![self.id(*s)]);
                            f.children.push(FamilyChild { person: self.id(*p), links: vec![] });
                            self.out.families.push(f);
                        }
                        _ => unplaced.push((*p, label.clone(), "the proband does not have exactly one partner")),
                    }
                    continue;
                }
                _ => continue,
            };
            let fi = *child_family.get_or_insert_with(|| {
                self.out.families.push(Family::new(vec![self.out.persons[proband].id]));
                self.out.families.len() - 1
            });
            let f = &mut self.out.families[fi];
            let links = match link {
                Some(kind) => f.partners.iter().map(|&parent| ParentLink { parent, relationship: kind }).collect(),
                None => vec![],
            };
            let person = self.out.persons[*p].id;
            f.children.push(FamilyChild { person, links });
        }
        for slot in implied {
            self.out.warnings.push(FormatWarning::new(
                Location::File,
                format!("added the proband's {} (not in the file) to connect the relatives it names", slot.label()),
            ));
        }
        for (p, label, why) in unplaced {
            let xref = self.out.persons[p].xref.clone().unwrap_or_default();
            self.out.persons[p].notes.push(Note {
                text: format!("FHIR relationship to the proband: {label}; not placed in the tree ({why})."),
            });
            self.out.warnings.push(FormatWarning::new(
                Location::File,
                format!("{xref}: {label} could not be placed in the tree ({why}); imported without links"),
            ));
        }
    }

    // ----- the GA4GH Pedigree form -----------------------------------------------------------

    fn ga4gh(&mut self) -> R<()> {
        let b = self.bundle;
        let patients: Vec<usize> = (0..b.entries.len()).filter(|&i| b.entries[i].kind == "Patient").collect();
        if patients.is_empty() {
            return Err(J::root(&Value::Null).err("no Patient (PedigreeIndividual) in the Bundle"));
        }
        for &i in &patients {
            self.patient(i)?;
        }
        // The proband: the Composition's proband section, else its subject.
        let mut reason: Option<usize> = None;
        if let Some(ci) = (0..b.entries.len()).find(|&i| b.entries[i].kind == "Composition") {
            let comp = b.entries[ci].j.clone();
            let mut proband = None;
            for s in comp.arr("section")? {
                let code = match s.obj("code")? {
                    Some(c) => codings(&c)?
                        .into_iter()
                        .find(|(sys, _, _, _)| sys.ends_with("/CodeSystem/SectionType"))
                        .map(|c| c.1),
                    None => None,
                };
                let entries = s.arr("entry")?;
                match code.as_deref() {
                    Some("proband") => {
                        if let Some(e) = entries.first() {
                            proband = Some(b.resolve(e, "Patient")?);
                        }
                    }
                    Some("reason") | Some("reasonCollected") => {
                        if let Some(e) = entries.first() {
                            reason = Some(b.resolve(e, "Condition")?);
                        }
                    }
                    _ => {}
                }
            }
            if proband.is_none() {
                if let Some(subject) = comp.obj("subject")? {
                    proband = Some(b.resolve(&subject, "Patient")?);
                }
            }
            if let Some(pe) = proband {
                let p = self.person_of[&pe];
                self.out.persons[p].proband = true;
                self.out.proband = Some(self.id(p));
            }
        } else {
            let at = b.entries[0].j.clone();
            self.warn(&at, "no Composition: the proband is not known");
        }
        self.conditions(&patients)?;
        self.affected_status(reason)?;

        // Links: child → (parent, kind); couples; twins.
        let mut parents: HashMap<usize, Vec<(usize, ChildRelationship, usize)>> = HashMap::new(); // child → (parent, kind, entry)
        let mut couples: Vec<(usize, usize, bool)> = Vec::new();
        let mut twins: Vec<(usize, usize, Zygosity)> = Vec::new();
        for i in 0..b.entries.len() {
            if b.entries[i].kind != "FamilyMemberHistory" {
                continue;
            }
            let j = b.entries[i].j.clone();
            if j.str("status")? == Some("entered-in-error") {
                self.warn(&j, "entered in error: not imported");
                continue;
            }
            let patient = self.person_of[&b.resolve(&j.req("patient")?, "Patient")?];
            let mut relative = None;
            for x in j.arr("extension")? {
                if x.str("url")? == Some(PATIENT_RECORD) {
                    relative = Some(self.person_of[&b.resolve(&x.req("valueReference")?, "Patient")?]);
                }
            }
            let Some(relative) = relative else {
                return Err(j.err_at(
                    "extension",
                    format!("a PedigreeRelationship needs the {PATIENT_RECORD} extension naming the relative"),
                ));
            };
            if relative == patient {
                return Err(j.err("the individual and the relative are the same Patient"));
            }
            let rel = j.req("relationship")?;
            let Some((_, code, _, at)) = codings(&rel)?.into_iter().find(|(s, _, _, _)| *s == KIN) else {
                return Err(rel.err(format!("no coding from the KIN code system ({KIN})")));
            };
            match code.as_str() {
                // The relative is a parent of the individual...
                "KIN:027" | "KIN:028" | "KIN:003" => {
                    parents.entry(patient).or_default().push((relative, ChildRelationship::Birth, i))
                }
                "KIN:022" => parents.entry(patient).or_default().push((relative, ChildRelationship::Adopted, i)),
                "KIN:021" | "KIN:020" => {
                    parents.entry(patient).or_default().push((relative, ChildRelationship::Foster, i))
                }
                "KIN:023" => parents.entry(patient).or_default().push((relative, ChildRelationship::Step, i)),
                // ... or a child of it.
                "KIN:033" | "KIN:034" | "KIN:040" | "KIN:041" => {
                    parents.entry(relative).or_default().push((patient, ChildRelationship::Birth, i))
                }
                "KIN:026" => couples.push((patient, relative, false)),
                "KIN:030" => couples.push((patient, relative, true)),
                "KIN:010" => twins.push((patient, relative, Zygosity::Monozygotic)),
                "KIN:011" => twins.push((patient, relative, Zygosity::Dizygotic)),
                "KIN:009" => twins.push((patient, relative, Zygosity::Unknown)),
                other => {
                    self.warn(
                        &at,
                        format!("{other} is not a parent, partner or twin link: not imported (the tree is built from those)"),
                    );
                }
            }
        }
        // Checks: at most one biological father and one mother.
        let mut children: Vec<usize> = parents.keys().copied().collect();
        children.sort_unstable();
        let mut groups: Vec<(ParentKey, Vec<usize>)> = Vec::new();
        for child in children {
            let mut ps = parents.remove(&child).unwrap_or_default();
            ps.sort_by_key(|(p, _, e)| (sort_rank(self.out.persons[*p].sex), *e, *p));
            ps.dedup_by_key(|(p, k, _)| (*p, *k));
            let bio: Vec<&(usize, ChildRelationship, usize)> =
                ps.iter().filter(|(_, k, _)| *k == ChildRelationship::Birth).collect();
            if bio.len() > 2 {
                let j = &b.entries[bio[2].2].j;
                return Err(j.err(format!(
                    "{} would have three biological parents",
                    self.out.persons[child].xref.as_deref().unwrap_or("a Patient")
                )));
            }
            if bio.len() == 2
                && self.out.persons[bio[0].0].sex == self.out.persons[bio[1].0].sex
                && matches!(self.out.persons[bio[0].0].sex, Sex::Male | Sex::Female)
            {
                let j = &b.entries[bio[1].2].j;
                return Err(j.err(format!(
                    "{} would have two biological {}s",
                    self.out.persons[child].xref.as_deref().unwrap_or("a Patient"),
                    if self.out.persons[bio[0].0].sex == Sex::Male { "father" } else { "mother" }
                )));
            }
            // Children with the same parents (and kinds) share a family.
            let mut key: Vec<(usize, ChildRelationship)> = ps.iter().map(|(p, k, _)| (*p, *k)).collect();
            key.sort_by_key(|(p, _)| (sort_rank(self.out.persons[*p].sex), *p));
            match groups.iter_mut().find(|(k, _)| *k == key) {
                Some((_, kids)) => kids.push(child),
                None => groups.push((key, vec![child])),
            }
        }
        for (key, kids) in groups {
            let partners: Vec<Uuid> = key.iter().map(|(p, _)| self.id(*p)).collect();
            let mut f = Family::new(partners);
            for child in kids {
                let links = key
                    .iter()
                    .filter(|(_, k)| *k != ChildRelationship::Birth)
                    .map(|(p, k)| ParentLink { parent: self.out.persons[*p].id, relationship: *k })
                    .collect();
                f.children.push(FamilyChild { person: self.id(child), links });
            }
            self.out.families.push(f);
        }
        for (a, b2, consanguineous) in couples {
            let (ia, ib) = (self.id(a), self.id(b2));
            let fam = self.out.families.iter_mut().find(|f| f.partners.contains(&ia) && f.partners.contains(&ib));
            match fam {
                Some(f) => f.consanguineous |= consanguineous,
                None => {
                    let mut f = Family::new(vec![ia, ib]);
                    f.consanguineous = consanguineous;
                    self.out.families.push(f);
                }
            }
        }
        for (a, b2, z) in twins {
            let (ia, ib) = (self.id(a), self.id(b2));
            let fam = self
                .out
                .families
                .iter_mut()
                .find(|f| f.children.iter().any(|c| c.person == ia) && f.children.iter().any(|c| c.person == ib));
            let Some(f) = fam else {
                let xa = self.out.persons[a].xref.clone().unwrap_or_default();
                let xb = self.out.persons[b2].xref.clone().unwrap_or_default();
                self.out.warnings.push(FormatWarning::new(
                    Location::File,
                    format!("twins {xa} and {xb} have no parents in common in the file: twin link not kept"),
                ));
                continue;
            };
            match f.twins.iter_mut().find(|t| t.zygosity == z && (t.members.contains(&ia) || t.members.contains(&ib))) {
                Some(t) => {
                    for x in [ia, ib] {
                        if !t.members.contains(&x) {
                            t.members.push(x);
                        }
                    }
                }
                None => f.twins.push(TwinSet { members: vec![ia, ib], zygosity: z }),
            }
        }
        Ok(())
    }

    /// AffectedStatus observations (SNOMED CT 103309006, boolean): affected/unaffected for the
    /// Composition's reason condition, unless the person already has an observation of it.
    fn affected_status(&mut self, reason: Option<usize>) -> R<()> {
        let b = self.bundle;
        for i in 0..b.entries.len() {
            if b.entries[i].kind != "Observation" {
                continue;
            }
            let j = b.entries[i].j.clone();
            let Some(code) = j.obj("code")? else { continue };
            if !codings(&code)?.iter().any(|(s, c, _, _)| *s == SNOMED && c == "103309006") {
                continue;
            }
            let Some(value) = j.bool("valueBoolean")? else { continue };
            let Some(r) = reason else {
                self.warn(&j, "an affected status without a reason condition in the Composition: not imported");
                continue;
            };
            let subject = self.person_of[&b.resolve(&j.req("subject")?, "Patient")?];
            let (code, label) = codeable(&b.entries[r].j.req("code")?)?;
            let status = if value { ConditionStatus::Affected } else { ConditionStatus::Unaffected };
            let o = imported_observation(self.catalog, Format::Ga4ghPedigree, code, label.as_deref(), status, None);
            let linked = self.catalog.link(&o).map(|c| c.id.clone());
            let person = &mut self.out.persons[subject];
            let known = person.conditions.iter().any(|c| {
                c.label == o.label || (linked.is_some() && self.catalog.link(c).map(|d| d.id.clone()) == linked)
            });
            if !known {
                person.conditions.push(o);
            }
        }
        Ok(())
    }

    // ----- shared ----------------------------------------------------------------------------

    /// A person from a Patient resource.
    fn patient(&mut self, entry: usize) -> R<usize> {
        let e = &self.bundle.entries[entry];
        let j = e.j.clone();
        let xref = e.id.map(str::to_string).unwrap_or_else(|| format!("Patient-{}", entry + 1));
        let sex = match j.str("gender")? {
            Some(g) => sex_of_gender(g).ok_or_else(|| {
                j.err_at("gender", format!("{g:?} is not an administrative gender (male, female, other, unknown)"))
            })?,
            None => Sex::Unknown,
        };
        let mut p = new_person(&xref, sex);
        for n in j.arr("name")? {
            let given: Vec<&str> = n
                .arr("given")?
                .iter()
                .map(|g| g.v.as_str().ok_or_else(|| g.err("expected a string")))
                .collect::<R<_>>()?;
            let mut name = PersonName::new(&given.join(" "), n.str("family")?.unwrap_or(""));
            let first = |key: &str| -> R<Option<String>> {
                Ok(n.arr(key)?.first().and_then(|v| v.v.as_str()).map(str::to_string))
            };
            name.prefix = first("prefix")?;
            name.suffix = first("suffix")?;
            if name.given.is_empty() && name.surname.is_empty() {
                if let Some(t) = n.str("text")? {
                    let (g, s) = t.trim().rsplit_once(' ').unwrap_or((t.trim(), ""));
                    name = PersonName::new(g, s);
                }
            }
            p.names.push(name);
        }
        if let Some(d) = j.str("birthDate")? {
            let g = gedcom_date(d).ok_or_else(|| j.err_at("birthDate", format!("{d:?} is not a FHIR date")))?;
            p.set_event_date(EventKind::Birth, Some(&g));
        }
        p.vital_status = match (j.bool("deceasedBoolean")?, j.str("deceasedDateTime")?) {
            (Some(true), _) => VitalStatus::Deceased { age: None, date: None, cause: None },
            (Some(false), _) => VitalStatus::Alive { age: None },
            (None, Some(d)) => {
                let g = gedcom_date(d)
                    .ok_or_else(|| j.err_at("deceasedDateTime", format!("{d:?} is not a FHIR dateTime")))?;
                VitalStatus::Deceased { age: None, date: Some(GDate::parse(&g)), cause: None }
            }
            (None, None) => VitalStatus::Unknown,
        };
        self.out.persons.push(p);
        let i = self.out.persons.len() - 1;
        self.person_of.insert(entry, i);
        Ok(i)
    }

    /// Condition resources whose subject is one of `subjects` become observations.
    fn conditions(&mut self, subjects: &[usize]) -> R<()> {
        let b = self.bundle;
        for i in 0..b.entries.len() {
            if b.entries[i].kind != "Condition" {
                continue;
            }
            let j = b.entries[i].j.clone();
            let subject = b.resolve(&j.req("subject")?, "Patient")?;
            if !subjects.contains(&subject) {
                self.warn(&j, "about a Patient that is not imported: not imported");
                continue;
            }
            let (status, certainty) = match j.obj("verificationStatus")? {
                Some(v) => match codings(&v)?.into_iter().find(|(s, _, _, _)| *s == VER_STATUS).map(|c| c.1).as_deref()
                {
                    Some("refuted") => (ConditionStatus::Unaffected, Certainty::Unknown),
                    Some("unconfirmed") => (ConditionStatus::Unknown, Certainty::Unknown),
                    Some("confirmed") => (ConditionStatus::Affected, Certainty::Confirmed),
                    Some("provisional") => (ConditionStatus::Affected, Certainty::Probable),
                    Some("differential") => (ConditionStatus::Affected, Certainty::Possible),
                    Some("entered-in-error") => {
                        self.warn(&j, "entered in error: not imported");
                        continue;
                    }
                    _ => (ConditionStatus::Affected, Certainty::Unknown),
                },
                None => (ConditionStatus::Affected, Certainty::Unknown),
            };
            let Some(code) = j.obj("code")? else {
                self.warn(&j, "a Condition without a code: not imported");
                continue;
            };
            let (code_value, label) = codeable(&code)?;
            if code_value.is_none() && label.is_none() {
                self.warn(&code, "a Condition without a coding or text: not imported");
                continue;
            }
            let onset = onset(self, &j)?;
            let mut o = imported_observation(self.catalog, Format::Fhir, code_value, label.as_deref(), status, onset);
            o.certainty = certainty;
            o.note = notes(&j)?;
            let p = self.person_of[&subject];
            self.out.persons[p].conditions.push(o);
        }
        Ok(())
    }

    fn check_cycles(&self, format: Format) -> Result<(), FormatError> {
        let (_, warnings) =
            FamilyGraph::build(self.out.persons.iter().map(|p| (p.id, p.sex)), self.out.families.iter());
        for w in warnings {
            if let GraphWarning::Cycle { people, .. } = w {
                let xref = |id: &Uuid| {
                    self.out.persons.iter().find(|p| p.id == *id).and_then(|p| p.xref.clone()).unwrap_or_default()
                };
                let chain: Vec<String> = people.iter().map(xref).collect();
                return Err(FormatError::new(
                    format,
                    Location::File,
                    format!("{} is their own ancestor (each a child of the next: {})", chain[0], chain.join(" → ")),
                ));
            }
        }
        Ok(())
    }
}

/// A child's parents with the kind of each link: children with the same key share a family.
type ParentKey = Vec<(usize, ChildRelationship)>;

/// One coding: system, code, display, and where it is.
type Coding<'a> = (&'a str, String, Option<String>, J<'a>);

fn sort_rank(s: Sex) -> u8 {
    match s {
        Sex::Male => 0,
        Sex::Female => 1,
        _ => 2,
    }
}

/// The codings of a CodeableConcept: (system, code, display, where).
fn codings<'a>(cc: &J<'a>) -> R<Vec<Coding<'a>>> {
    let mut out = Vec::new();
    for c in cc.arr("coding")? {
        let system = c.str("system")?.unwrap_or("");
        let Some(code) = c.str("code")? else { continue };
        out.push((system, code.to_string(), c.str("display")?.map(str::to_string), c));
    }
    Ok(out)
}

/// A CodeableConcept as a model code (the `userSelected` coding of a known system, else the
/// first of a known system) and a label (`text`, else that coding's display).
fn codeable(cc: &J) -> R<(Option<Code>, Option<String>)> {
    let mut chosen: Option<(Code, bool)> = None;
    for c in cc.arr("coding")? {
        let (Some(system), Some(code)) = (c.str("system")?, c.str("code")?) else { continue };
        let Some(sys) = system_of(system) else { continue };
        let selected = c.bool("userSelected")? == Some(true);
        let code = Code::new(sys, code, c.str("display")?.unwrap_or(""));
        match &chosen {
            None => chosen = Some((code, selected)),
            Some((_, false)) if selected => chosen = Some((code, true)),
            _ => {}
        }
    }
    let code = chosen.map(|(c, _)| c);
    let label = cc
        .str("text")?
        .map(str::to_string)
        .or_else(|| code.as_ref().map(|c| c.display.clone()).filter(|d| !d.is_empty()))
        .filter(|l| !l.trim().is_empty());
    Ok((code, label))
}

fn notes(j: &J) -> R<Option<String>> {
    let mut texts = Vec::new();
    for n in j.arr("note")? {
        if let Some(t) = n.str("text")? {
            texts.push(t.to_string());
        }
    }
    Ok((!texts.is_empty()).then(|| texts.join("\n")))
}

/// An `Age` (or Quantity) in years.
fn years(j: &J) -> R<f64> {
    let v = j.num("value")?.ok_or_else(|| j.err_at("value", "required but missing"))?;
    let unit = j.str("code")?.or(j.str("unit")?).unwrap_or("a");
    let factor = match unit {
        "a" | "yr" | "year" | "years" | "y" => 1.0,
        "mo" | "month" | "months" => 1.0 / 12.0,
        "wk" | "week" | "weeks" => 7.0 / 365.25,
        "d" | "day" | "days" => 1.0 / 365.25,
        other => return Err(j.err_at("code", format!("{other:?} is not a unit of time (UCUM a, mo, wk, d)"))),
    };
    if !(0.0..=150.0).contains(&(v * factor)) {
        return Err(j.err_at("value", format!("{v} {unit} is not a plausible age")));
    }
    Ok(v * factor)
}

fn onset(imp: &mut Importer, j: &J) -> R<Option<AgeRange>> {
    if let Some(a) = j.obj("onsetAge")? {
        return Ok(Some(AgeRange::exact(years(&a)?)));
    }
    if let Some(r) = j.obj("onsetRange")? {
        let low = r.obj("low")?.map(|l| years(&l)).transpose()?;
        let high = r.obj("high")?.map(|h| years(&h)).transpose()?;
        return match (low, high) {
            (Some(l), Some(h)) if l <= h => Ok(Some(AgeRange { min: l, max: h })),
            (Some(_), Some(_)) => Err(r.err("the range's low is above its high")),
            (Some(l), None) => Ok(Some(AgeRange { min: l, max: 150.0 })),
            (None, Some(h)) => Ok(Some(AgeRange { min: 0.0, max: h })),
            (None, None) => Ok(None),
        };
    }
    for key in ["onsetString", "onsetPeriod", "onsetDateTime"] {
        if let Some(x) = j.get(key) {
            imp.warn(&x, "onset given as text, a period or a date: not kept (Kinvault records onset as an age)");
        }
    }
    Ok(None)
}
