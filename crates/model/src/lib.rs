//! The Kinvault domain model: people, families, events, places, sources and health records.
//!
//! Plain data with serde; no storage, no I/O. Every type the UI sees derives [`ts_rs::TS`] so the
//! TypeScript bindings in `ui/src/bindings` are generated from here (see `kinvault-api`'s
//! `gen-bindings`). Ids are UUIDv7 (time-ordered, so inserts stay local in B-trees); the id a
//! record had in an imported file (a GEDCOM xref such as `@I12@`) is kept beside it.

pub mod date;
pub mod health;

pub use date::{Calendar, DateQualifier, GDate, Ymd};
pub use health::*;

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;

/// A new time-ordered id (UUIDv7).
pub fn new_id() -> Uuid {
    Uuid::now_v7()
}

/// Sex recorded at birth (GEDCOM `SEX`: M, F, X, U). Drives pedigree symbols and risk models.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, TS)]
pub enum Sex {
    #[serde(rename = "M")]
    Male,
    #[serde(rename = "F")]
    Female,
    /// Intersex / does not fit the binary (GEDCOM 7 `X`).
    #[serde(rename = "X")]
    Intersex,
    #[default]
    #[serde(rename = "U")]
    Unknown,
}

impl Sex {
    /// Lenient parse of the letters vendors write (any case, with or without words).
    pub fn parse(s: &str) -> Option<Sex> {
        match s.trim().to_ascii_uppercase().as_str() {
            "M" | "MALE" => Some(Sex::Male),
            "F" | "FEMALE" => Some(Sex::Female),
            "X" | "INTERSEX" => Some(Sex::Intersex),
            "U" | "UNKNOWN" | "" => Some(Sex::Unknown),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Sex::Male => "M",
            Sex::Female => "F",
            Sex::Intersex => "X",
            Sex::Unknown => "U",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum NameKind {
    #[default]
    Birth,
    Married,
    AlsoKnownAs,
    Immigrant,
    Religious,
    Professional,
    Other,
}

/// One name of a person; a person may have several (birth, married, aka...).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
pub struct PersonName {
    pub kind: NameKind,
    pub given: String,
    pub surname: String,
    #[serde(default)]
    pub prefix: Option<String>,
    #[serde(default)]
    pub suffix: Option<String>,
    #[serde(default)]
    pub nickname: Option<String>,
    /// Substructures of the imported name that the model does not map (citations on the name,
    /// `SPFX`, `_MARNM`, `TRAN`...), written back on export.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[ts(optional, as = "Option<Vec<RawStructure>>")]
    pub unmapped: Vec<RawStructure>,
}

impl PersonName {
    pub fn new(given: &str, surname: &str) -> Self {
        PersonName { given: given.trim().to_string(), surname: surname.trim().to_string(), ..Default::default() }
    }

    /// "Given Surname", skipping empty parts.
    pub fn display(&self) -> String {
        let mut out = String::new();
        for part in
            [self.prefix.as_deref(), Some(self.given.as_str()), Some(self.surname.as_str()), self.suffix.as_deref()]
                .into_iter()
                .flatten()
        {
            if !part.is_empty() {
                if !out.is_empty() {
                    out.push(' ');
                }
                out.push_str(part);
            }
        }
        out
    }
}

/// What happened. Common GEDCOM events have their own variant; anything else is `Custom`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case", tag = "type", content = "label")]
pub enum EventKind {
    Birth,
    Baptism,
    Christening,
    Death,
    Burial,
    Cremation,
    Marriage,
    Engagement,
    Divorce,
    Separation,
    Adoption,
    Census,
    Residence,
    Occupation,
    Education,
    Emigration,
    Immigration,
    Naturalization,
    Graduation,
    Retirement,
    Will,
    Probate,
    Custom(String),
}

/// A place as written, most specific part first ("Marylebone, London, England").
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, TS)]
pub struct Place {
    pub name: String,
    #[serde(default)]
    pub latitude: Option<f64>,
    #[serde(default)]
    pub longitude: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Event {
    pub kind: EventKind,
    /// The GEDCOM tag when `kind` alone does not say it: `FACT` (rather than `EVEN`) for a
    /// custom fact, `ANUL`/`MARB`/`MARC`/`MARL`/`MARS`/`DIVF` for family events the model has
    /// no variant for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub tag: Option<String>,
    #[serde(default)]
    pub date: Option<GDate>,
    #[serde(default)]
    pub place: Option<Place>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub citations: Vec<Citation>,
    #[serde(default)]
    pub notes: Vec<Note>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[ts(optional, as = "Option<Vec<RawStructure>>")]
    pub unmapped: Vec<RawStructure>,
}

impl Event {
    pub fn new(kind: EventKind, date: Option<&str>) -> Self {
        Event {
            kind,
            tag: None,
            date: date.filter(|d| !d.trim().is_empty()).map(GDate::parse),
            place: None,
            description: None,
            citations: vec![],
            notes: vec![],
            unmapped: vec![],
        }
    }
}

/// A structure from an imported file that the model does not map (a vendor extension tag, an
/// unknown record, a substructure we do not interpret). Kept with its record and written back on
/// export, so nothing a genealogist typed is lost.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
pub struct RawStructure {
    pub tag: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub xref: Option<String>,
    /// Text value (multi-line text joined with `\n`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub text: Option<String>,
    /// Pointer value: the xref it points to, without `@`s.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub pointer: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[ts(optional, as = "Option<Vec<RawStructure>>")]
    pub children: Vec<RawStructure>,
}

/// A whole record from an imported file that the model has no type for (GEDCOM `REPO`, `SUBM`,
/// shared `NOTE`, `OBJE`, vendor records): stored as is and written back on export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RawRecord {
    pub id: Uuid,
    pub structure: RawStructure,
}

/// A named link to another person that is not kinship (GEDCOM `ASSO`: godparent, witness...).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Association {
    pub person: Uuid,
    /// What the other person is to this one ("Godfather", "Witness").
    #[serde(default)]
    pub relation: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
pub struct Note {
    pub text: String,
}

/// A reference from a fact to a source, with where in the source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Citation {
    pub source: Uuid,
    #[serde(default)]
    pub page: Option<String>,
    /// GEDCOM QUAY 0–3.
    #[serde(default)]
    pub quality: Option<u8>,
    /// Substructures of the imported citation that the model does not map (`DATA`, `NOTE`,
    /// `OBJE`, vendor links...), written back on export.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[ts(optional, as = "Option<Vec<RawStructure>>")]
    pub unmapped: Vec<RawStructure>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Source {
    pub id: Uuid,
    #[serde(default)]
    pub xref: Option<String>,
    pub title: String,
    #[serde(default)]
    pub author: Option<String>,
    #[serde(default)]
    pub publication: Option<String>,
    #[serde(default)]
    pub repository: Option<String>,
    #[serde(default)]
    pub notes: Vec<Note>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[ts(optional, as = "Option<Vec<RawStructure>>")]
    pub unmapped: Vec<RawStructure>,
}

/// A file referenced by the tree (photo, scan); the bytes live outside the model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct MediaRef {
    pub path: String,
    #[serde(default)]
    pub mime: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Person {
    pub id: Uuid,
    /// Id in the file this person was imported from (e.g. GEDCOM `@I12@`).
    #[serde(default)]
    pub xref: Option<String>,
    /// First name is the primary one.
    pub names: Vec<PersonName>,
    pub sex: Sex,
    /// Self-described gender, free text; independent of sex recorded at birth.
    #[serde(default)]
    pub gender: Option<String>,
    #[serde(default)]
    pub events: Vec<Event>,
    #[serde(default)]
    pub vital_status: VitalStatus,
    /// The person the family history is about (clinical "proband"/consultand).
    #[serde(default)]
    pub proband: bool,
    /// The person seeking advice (clinical "consultand": arrow without P in a pedigree), when
    /// not the proband — e.g. the healthy sister of an affected proband.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    #[ts(optional, as = "Option<bool>")]
    pub consultand: bool,
    /// Ancestries as the risk engine's population slugs (`european`, `ashkenazi_jewish`,
    /// `african_american`, `hispanic`, `asian`, ...): they pick the catalog's allele and carrier
    /// frequencies. Empty: unknown (the catalog's default population).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[ts(optional, as = "Option<Vec<String>>")]
    pub ancestry: Vec<String>,
    #[serde(default)]
    pub conditions: Vec<ConditionObservation>,
    #[serde(default)]
    pub genetic_tests: Vec<GeneticTest>,
    #[serde(default)]
    pub notes: Vec<Note>,
    #[serde(default)]
    pub citations: Vec<Citation>,
    #[serde(default)]
    pub media: Vec<MediaRef>,
    #[serde(default)]
    pub associations: Vec<Association>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[ts(optional, as = "Option<Vec<RawStructure>>")]
    pub unmapped: Vec<RawStructure>,
}

impl Person {
    pub fn new(name: PersonName, sex: Sex) -> Self {
        Person {
            id: new_id(),
            xref: None,
            names: vec![name],
            sex,
            gender: None,
            events: vec![],
            vital_status: VitalStatus::Unknown,
            proband: false,
            consultand: false,
            ancestry: vec![],
            conditions: vec![],
            genetic_tests: vec![],
            notes: vec![],
            citations: vec![],
            media: vec![],
            associations: vec![],
            unmapped: vec![],
        }
    }

    pub fn primary_name(&self) -> Option<&PersonName> {
        self.names.first()
    }

    pub fn display_name(&self) -> String {
        self.primary_name().map(PersonName::display).unwrap_or_default()
    }

    pub fn event(&self, kind: &EventKind) -> Option<&Event> {
        self.events.iter().find(|e| &e.kind == kind)
    }

    pub fn birth(&self) -> Option<&GDate> {
        self.event(&EventKind::Birth).and_then(|e| e.date.as_ref())
    }

    pub fn death(&self) -> Option<&GDate> {
        self.event(&EventKind::Death).and_then(|e| e.date.as_ref())
    }

    /// Replaces the date of the first event of `kind`, adding the event if missing and removing
    /// a date-only event when `date` is empty.
    pub fn set_event_date(&mut self, kind: EventKind, date: Option<&str>) {
        let date = date.map(str::trim).filter(|d| !d.is_empty());
        match (self.events.iter().position(|e| e.kind == kind), date) {
            (Some(i), Some(d)) => self.events[i].date = Some(GDate::parse(d)),
            (Some(i), None) => {
                let e = &self.events[i];
                if e.place.is_none() && e.description.is_none() && e.citations.is_empty() && e.notes.is_empty() {
                    self.events.remove(i);
                } else {
                    self.events[i].date = None;
                }
            }
            (None, Some(d)) => self.events.push(Event::new(kind, Some(d))),
            (None, None) => {}
        }
    }

    /// Lower-cased text of all names, used for search.
    pub fn search_text(&self) -> String {
        let mut s = String::new();
        for n in &self.names {
            for part in [Some(n.given.as_str()), Some(n.surname.as_str()), n.nickname.as_deref()].into_iter().flatten()
            {
                s.push_str(&part.to_lowercase());
                s.push(' ');
            }
        }
        if let Some(x) = &self.xref {
            s.push_str(&x.to_lowercase());
        }
        s
    }
}

/// How a child relates to one parent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ChildRelationship {
    #[default]
    Birth,
    Adopted,
    Foster,
    Step,
    Sealing,
    Unknown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ParentLink {
    pub parent: Uuid,
    pub relationship: ChildRelationship,
}

/// A child of a family. `links` overrides the default ("birth child of every partner").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct FamilyChild {
    pub person: Uuid,
    #[serde(default)]
    pub links: Vec<ParentLink>,
}

impl FamilyChild {
    pub fn relationship_to(&self, parent: Uuid) -> ChildRelationship {
        self.links.iter().find(|l| l.parent == parent).map(|l| l.relationship).unwrap_or(ChildRelationship::Birth)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Zygosity {
    Monozygotic,
    Dizygotic,
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct TwinSet {
    pub members: Vec<Uuid>,
    pub zygosity: Zygosity,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum UnionKind {
    Married,
    Partners,
    #[default]
    Unknown,
}

/// A union of partners (any number, any sex) and their children.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Family {
    pub id: Uuid,
    #[serde(default)]
    pub xref: Option<String>,
    pub partners: Vec<Uuid>,
    #[serde(default)]
    pub children: Vec<FamilyChild>,
    #[serde(default)]
    pub kind: UnionKind,
    /// Marriage, divorce, separation...
    #[serde(default)]
    pub events: Vec<Event>,
    #[serde(default)]
    pub twins: Vec<TwinSet>,
    /// The partners are blood relatives (drawn with a double line; the graph computes how close).
    #[serde(default)]
    pub consanguineous: bool,
    #[serde(default)]
    pub notes: Vec<Note>,
    #[serde(default)]
    pub citations: Vec<Citation>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[ts(optional, as = "Option<Vec<RawStructure>>")]
    pub unmapped: Vec<RawStructure>,
}

impl Family {
    pub fn new(partners: Vec<Uuid>) -> Self {
        Family {
            id: new_id(),
            xref: None,
            partners,
            children: vec![],
            kind: UnionKind::Unknown,
            events: vec![],
            twins: vec![],
            consanguineous: false,
            notes: vec![],
            citations: vec![],
            unmapped: vec![],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn person_serde_round_trip_and_defaults() {
        let mut p = Person::new(PersonName::new(" Ada ", "Lovelace"), Sex::Female);
        p.set_event_date(EventKind::Birth, Some("10 DEC 1815"));
        p.conditions.push(ConditionObservation::new(
            Some(Code::new(CodeSystem::Snomed, "254837009", "Malignant neoplasm of breast")),
            "Breast cancer",
            ConditionStatus::Affected,
        ));
        let json = serde_json::to_string(&p).unwrap();
        let back: Person = serde_json::from_str(&json).unwrap();
        assert_eq!(back, p);
        assert_eq!(p.display_name(), "Ada Lovelace");
        assert_eq!(p.birth().and_then(GDate::year), Some(1815));
        // Older records without the optional fields still load.
        let minimal = format!(r#"{{"id":"{}","names":[],"sex":"U"}}"#, p.id);
        let m: Person = serde_json::from_str(&minimal).unwrap();
        assert_eq!(m.vital_status, VitalStatus::Unknown);
    }

    #[test]
    fn set_event_date_adds_replaces_and_removes() {
        let mut p = Person::new(PersonName::new("A", "B"), Sex::Unknown);
        p.set_event_date(EventKind::Death, Some("1900"));
        p.set_event_date(EventKind::Death, Some("ABT 1901"));
        assert_eq!(p.events.len(), 1);
        assert_eq!(p.death().map(|d| d.original.as_str()), Some("ABT 1901"));
        p.set_event_date(EventKind::Death, Some("  "));
        assert!(p.events.is_empty());
    }

    #[test]
    fn sex_parse_is_lenient() {
        assert_eq!(Sex::parse("m"), Some(Sex::Male));
        assert_eq!(Sex::parse("Female"), Some(Sex::Female));
        assert_eq!(Sex::parse(""), Some(Sex::Unknown));
        assert_eq!(Sex::parse("?"), None);
    }

    #[test]
    fn family_child_defaults_to_birth() {
        let parent = new_id();
        let other = new_id();
        let c = FamilyChild {
            person: new_id(),
            links: vec![ParentLink { parent, relationship: ChildRelationship::Adopted }],
        };
        assert_eq!(c.relationship_to(parent), ChildRelationship::Adopted);
        assert_eq!(c.relationship_to(other), ChildRelationship::Birth);
    }
}
