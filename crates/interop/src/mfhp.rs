//! My Family Health Portrait (the US Surgeon General's / CBIIT "FHH" tool) saved files → model.
//! Import only.
//!
//! Two forms, told apart by their first character:
//!
//! - **XML** (`<FamilyHistory xmlns="urn:hl7-org:v3">`): the HL7 v3 Family History model the tool
//!   saves — `subject/patient/patientPerson` is the user, each `relative` has a `code` (NMTH,
//!   NFTH, MGRMTH, NBRO, SON, MAUNT, MCOUSN, NIECE, GRNSON, MHBRO...) and a `relationshipHolder`
//!   with `id` (`extension`, or the older tool's `extention`), `name/@formatted`,
//!   `administrativeGenderCode`, `deceasedIndCode`, `birthTime`, `subjectOf1/deceasedEstimatedAge`,
//!   `subjectOf2/clinicalObservation` (diseases with `subject/dataEstimatedAge`, a cause of death
//!   marked by `sourceOf/code` 419620001, twin and adoption observations), and a nested `relative`
//!   (code `PAR`, or NMTH/NFTH in the older tool) whose `relationshipHolder/id` is a parent.
//! - **JSON**: the tool's `personal_information` object (optionally wrapped as
//!   `{"personal_information": {...}}`) — the user's fields plus one member per relative:
//!   `father`, `mother`, `maternal_grandfather`..., `brother_0`, `sister_1`, `son_0`,
//!   `maternal_aunt_0`, `paternal_cousin_0`, `niece_0`, `grandson_0`, `maternal_halfbrother_0`...,
//!   each with `id`, `name`, `gender`, `parent_id`, `is_alive`, `age`/`estimated_age`,
//!   `estimated_death_age`, `cause_of_death`/`detailed_cause_of_death`/`cause_of_death_code`,
//!   `twin_status`, `adopted` and `Health History` (`Disease Name`, `Detailed Disease Name`,
//!   `Age At Diagnosis`, `Disease Code` such as `SNOMED_CT-254837009`).
//!
//! The tree is rebuilt from the relationship codes and `parent_id` (cousins, nieces and nephews,
//! grandchildren hang off the relative their `parent_id` names). Mapping and losses:
//! `docs/interop.md`.

use std::collections::HashMap;

use kinvault_catalog::Catalog;
use kinvault_model::{
    AgeRange, ChildRelationship, Code, CodeSystem, ConditionStatus, EventKind, Family, FamilyChild, Note, ParentLink,
    PersonName, Sex, TwinSet, VitalStatus, Zygosity,
};
use serde::Deserialize;
use serde_json::Value;
use uuid::Uuid;

use crate::family::{imported_observation, new_person, Format, FormatError, FormatWarning, ImportedFamily, Location};
use crate::fhir::json::J;

const F: Format = Format::Mfhp;

/// Reads a My Family Health Portrait file (XML or JSON).
pub fn import_mfhp(bytes: &[u8], catalog: &Catalog) -> Result<ImportedFamily, FormatError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let line = bytes[..e.valid_up_to()].iter().filter(|&&b| b == b'\n').count() + 1;
        FormatError::new(F, Location::Line(line), "not UTF-8 text")
    })?;
    let parsed = match text.trim_start().chars().next() {
        Some('<') => xml::parse(text)?,
        Some('{') => json::parse(text)?,
        _ => {
            return Err(FormatError::new(
                F,
                Location::File,
                "not a My Family Health Portrait file: expected its XML (<FamilyHistory>) or JSON ({...})",
            ))
        }
    };
    build(parsed, catalog)
}

/// A person as the file describes them.
#[derive(Debug, Default)]
struct Subject {
    id: Option<String>,
    name: Option<String>,
    sex: Option<Sex>,
    /// GEDCOM date text.
    birth: Option<String>,
    alive: Option<bool>,
    age: Option<AgeRange>,
    death_age: Option<AgeRange>,
    diseases: Vec<Disease>,
    cause: Option<Disease>,
    twin: Option<Zygosity>,
    adopted: bool,
    consanguinity: bool,
    at: String,
}

#[derive(Debug, Clone)]
struct Disease {
    label: Option<String>,
    code: Option<Code>,
    onset: Option<AgeRange>,
}

#[derive(Debug)]
struct Relative {
    code: String,
    parent_id: Option<String>,
    s: Subject,
}

#[derive(Debug, Default)]
struct Parsed {
    proband: Subject,
    relatives: Vec<Relative>,
    warnings: Vec<FormatWarning>,
    /// Kinds of data the file has and the model does not keep (one warning each).
    lost: Vec<&'static str>,
}

impl Parsed {
    fn lose(&mut self, what: &'static str) {
        if !self.lost.contains(&what) {
            self.lost.push(what);
        }
    }
}

/// A disease code as the tool writes it: `SNOMED_CT-254837009` (JSON) or code + system name.
fn disease_code(system: &str, code: &str) -> Option<Code> {
    let code = code.trim();
    if code.is_empty() {
        return None;
    }
    let system = system.trim().to_ascii_uppercase().replace([' ', '-'], "_");
    match system.as_str() {
        "SNOMED_CT" | "SNOMED" | "SNOMED_COMPLETE" | "SNOMEDCT" => Some(Code::new(CodeSystem::Snomed, code, "")),
        "ICD10" | "ICD_10" | "ICD_10_CM" => Some(Code::new(CodeSystem::Icd10, code, "")),
        _ => None,
    }
}

/// "Healthy" and "Unknown" entries are not conditions.
fn is_placeholder_disease(label: Option<&str>, code: Option<&Code>) -> bool {
    let l = label.map(|l| l.trim().to_ascii_lowercase()).unwrap_or_default();
    matches!(l.as_str(), "healthy" | "unknown" | "none" | "")
        && code.is_none_or(|c| c.code == "261665006" || c.code.eq_ignore_ascii_case("HEALTHY"))
}

/// Age words the tool writes (`Age At Diagnosis`, `estimated_age`, `estimated_death_age`).
/// `Ok(None)`: unknown/blank; `Err(())`: a word we do not know.
fn age_words(s: &str) -> Result<Option<AgeRange>, ()> {
    let w = s.trim().to_ascii_lowercase().replace([' ', '-'], "_");
    let r = |a: f64, b: f64| Ok(Some(AgeRange { min: a, max: b }));
    if let Ok(n) = w.parse::<f64>() {
        return if (0.0..=130.0).contains(&n) { Ok(Some(AgeRange::exact(n))) } else { Err(()) };
    }
    let decade = |d: &str| -> Option<f64> {
        Some(match d {
            "teens" | "teen" => 10.0,
            "twenties" => 20.0,
            "thirties" => 30.0,
            "forties" | "fourties" => 40.0,
            "fifties" => 50.0,
            "sixties" => 60.0,
            "seventies" => 70.0,
            "eighties" => 80.0,
            "nineties" => 90.0,
            _ => return None,
        })
    };
    match w.as_str() {
        "" | "unknown" | "blank" | "null" => Ok(None),
        "prebirth" | "pre_birth" => r(0.0, 0.0),
        "newborn" => r(0.0, 28.0 / 365.25),
        "infant" | "in_infancy" => r(29.0 / 365.25, 2.0),
        "child" | "in_childhood" => r(2.0, 10.0),
        "teen" | "in_adolescence" => r(10.0, 19.0),
        "senior" | "60_years_or_older" => r(60.0, 110.0),
        _ => {
            if let Some(d) = decade(&w) {
                return r(d, d + 9.0);
            }
            if let Some(d) = w.strip_prefix("early_").and_then(decade) {
                return r(d, d + 4.0);
            }
            if let Some(d) = w.strip_prefix("late_").and_then(decade) {
                return r(d + 5.0, d + 9.0);
            }
            // "20_29_years"
            let parts: Vec<&str> = w.trim_end_matches("_years").split('_').collect();
            if let [a, b] = parts.as_slice() {
                if let (Ok(a), Ok(b)) = (a.parse::<f64>(), b.parse::<f64>()) {
                    if a <= b {
                        return r(a, b);
                    }
                }
            }
            Err(())
        }
    }
}

/// Birth dates as the tool writes them (`1980/05/02`, `12/20/1960`, `1965`, `1980-05-02`) as
/// GEDCOM date text.
fn birth_date(s: &str) -> Option<String> {
    const MONTHS: [&str; 12] = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
    let parts: Vec<&str> = s.trim().split(['/', '-']).collect();
    let n = |p: &str| p.parse::<u32>().ok();
    let (y, m, d) = match parts.as_slice() {
        [y] if y.len() == 4 => return n(y).filter(|y| (1800..=2200).contains(y)).map(|y| y.to_string()),
        [y, m, d] if y.len() == 4 => (n(y)?, n(m)?, n(d)?),
        [m, d, y] if y.len() == 4 => (n(y)?, n(m)?, n(d)?),
        _ => return None,
    };
    ((1..=12).contains(&m) && (1..=31).contains(&d) && (1800..=2200).contains(&y))
        .then(|| format!("{d} {} {y}", MONTHS[m as usize - 1]))
}

mod xml {
    //! The HL7 v3 FamilyHistory XML, read with quick-xml's serde support.

    use super::*;
    use quick_xml::events::Event;
    use quick_xml::Reader;

    #[derive(Deserialize, Default)]
    struct XCode {
        #[serde(rename = "@code")]
        code: Option<String>,
        #[serde(rename = "@codeSystemName")]
        system: Option<String>,
        #[serde(rename = "@displayName")]
        display: Option<String>,
        #[serde(rename = "@originalText")]
        original: Option<String>,
    }

    #[derive(Deserialize)]
    struct XId {
        #[serde(rename = "@extension")]
        extension: Option<String>,
        /// The misspelling the older tool wrote.
        #[serde(rename = "@extention")]
        extention: Option<String>,
    }

    #[derive(Deserialize)]
    struct XAttr {
        #[serde(rename = "@value")]
        value: Option<String>,
        #[serde(rename = "@formatted")]
        formatted: Option<String>,
    }

    #[derive(Deserialize)]
    struct XRange {
        #[serde(rename = "@unit")]
        unit: Option<String>,
        #[serde(rename = "@value")]
        value: Option<String>,
        low: Option<XAttr>,
        high: Option<XAttr>,
    }

    #[derive(Deserialize)]
    struct XEstimatedAge {
        code: Option<XCode>,
        value: Option<XRange>,
    }

    #[derive(Deserialize)]
    struct XObsSubject {
        #[serde(rename = "dataEstimatedAge")]
        age: Option<XEstimatedAge>,
    }

    #[derive(Deserialize)]
    struct XSourceOf {
        code: Option<XCode>,
    }

    #[derive(Deserialize)]
    struct XObservation {
        code: Option<XCode>,
        subject: Option<XObsSubject>,
        #[serde(rename = "sourceOf")]
        source_of: Option<XSourceOf>,
    }

    #[derive(Deserialize, Default)]
    struct XSubjectOf2 {
        #[serde(rename = "clinicalObservation", default)]
        observations: Vec<XObservation>,
    }

    #[derive(Deserialize)]
    struct XSubjectOf1 {
        #[serde(rename = "deceasedEstimatedAge")]
        age: Option<XEstimatedAge>,
    }

    /// A `patientPerson` or a `relationshipHolder`: the same person fields.
    #[derive(Deserialize, Default)]
    struct XPerson {
        #[serde(default)]
        id: Vec<XId>,
        name: Option<XAttr>,
        #[serde(rename = "birthTime")]
        birth: Option<XAttr>,
        #[serde(rename = "administrativeGenderCode")]
        gender: Option<XCode>,
        #[serde(rename = "deceasedIndCode")]
        deceased: Option<XAttr>,
        #[serde(rename = "subjectOf1", default)]
        subject_of1: Vec<XSubjectOf1>,
        #[serde(rename = "subjectOf2", default)]
        subject_of2: Vec<XSubjectOf2>,
        #[serde(rename = "raceCode", default)]
        race: Vec<XCode>,
        #[serde(rename = "ethnicGroupCode", default)]
        ethnicity: Vec<XCode>,
        #[serde(rename = "relative", default)]
        relatives: Vec<XRelative>,
    }

    #[derive(Deserialize)]
    struct XRelative {
        code: Option<XCode>,
        #[serde(rename = "relationshipHolder")]
        holder: Option<XPerson>,
    }

    #[derive(Deserialize)]
    struct XPatient {
        #[serde(rename = "patientPerson")]
        person: Option<XPerson>,
    }

    #[derive(Deserialize)]
    struct XSubject {
        patient: Option<XPatient>,
    }

    #[derive(Deserialize)]
    struct XFamilyHistory {
        subject: Option<XSubject>,
    }

    const PERSON: &str = "FamilyHistory/subject/patient/patientPerson";

    pub(super) fn parse(text: &str) -> Result<Parsed, FormatError> {
        // Well-formedness first, with a line number: serde's errors carry none.
        let mut reader = Reader::from_str(text);
        let mut root: Option<String> = None;
        loop {
            match reader.read_event() {
                Ok(Event::Start(e)) | Ok(Event::Empty(e)) if root.is_none() => {
                    root = Some(e.local_name().as_ref().to_string());
                }
                Ok(Event::Eof) => break,
                Ok(_) => {}
                Err(e) => {
                    let pos = reader.error_position() as usize;
                    let line = text.as_bytes()[..pos.min(text.len())].iter().filter(|&&b| b == b'\n').count() + 1;
                    return Err(FormatError::new(F, Location::Line(line), format!("malformed XML: {e}")));
                }
            }
        }
        match root.as_deref() {
            Some("FamilyHistory") => {}
            Some(other) => {
                return Err(FormatError::new(
                    F,
                    Location::Path(other.to_string()),
                    format!("the root element is <{other}>, expected <FamilyHistory> (HL7 v3 Family History)"),
                ))
            }
            None => return Err(FormatError::new(F, Location::File, "no XML element")),
        }
        let doc: XFamilyHistory = quick_xml::de::from_str(text).map_err(|e| {
            FormatError::new(F, Location::Path("FamilyHistory".into()), format!("unexpected structure: {e}"))
        })?;
        let person = doc.subject.and_then(|s| s.patient).and_then(|p| p.person).ok_or_else(|| {
            FormatError::new(F, Location::Path(PERSON.into()), "required but missing: the person the history is about")
        })?;
        let mut out = Parsed::default();
        out.proband = subject(&person, PERSON, &mut out)?;
        for (i, r) in person.relatives.iter().enumerate() {
            let at = format!("{PERSON}/relative[{i}]");
            let code =
                r.code.as_ref().and_then(|c| c.code.clone()).filter(|c| !c.trim().is_empty()).ok_or_else(|| {
                    FormatError::new(F, Location::Path(format!("{at}/code")), "a relative without a relationship code")
                })?;
            let holder = r.holder.as_ref().ok_or_else(|| {
                FormatError::new(F, Location::Path(format!("{at}/relationshipHolder")), "required but missing")
            })?;
            let s = subject(holder, &format!("{at}/relationshipHolder"), &mut out)?;
            // Parents: nested relatives (PAR; NMTH/NFTH in the older tool) that carry only an id.
            let parent_id = holder.relatives.iter().filter_map(|p| p.holder.as_ref().and_then(|h| id_of(&h.id))).next();
            out.relatives.push(Relative { code: code.trim().to_string(), parent_id, s });
        }
        Ok(out)
    }

    fn id_of(ids: &[XId]) -> Option<String> {
        ids.iter().find_map(|i| i.extension.clone().or(i.extention.clone())).filter(|s| !s.trim().is_empty())
    }

    fn range(v: &XRange, at: &str) -> Result<Option<AgeRange>, FormatError> {
        let factor = match v.unit.as_deref().map(|u| u.trim().to_ascii_lowercase()) {
            None => 1.0,
            Some(u) if u.starts_with("year") || u == "a" => 1.0,
            Some(u) if u.starts_with("month") || u == "mo" => 1.0 / 12.0,
            Some(u) if u.starts_with("week") || u == "wk" => 7.0 / 365.25,
            Some(u) if u.starts_with("day") || u == "d" => 1.0 / 365.25,
            Some(u) => {
                return Err(FormatError::new(
                    F,
                    Location::Path(format!("{at}/@unit")),
                    format!("{u:?} is not a unit of time"),
                ))
            }
        };
        let num = |a: &Option<XAttr>, key: &str| -> Result<Option<f64>, FormatError> {
            match a.as_ref().and_then(|a| a.value.as_deref()) {
                None => Ok(None),
                Some(s) => s.trim().parse::<f64>().map(|n| Some(n * factor)).map_err(|_| {
                    FormatError::new(F, Location::Path(format!("{at}/{key}/@value")), format!("{s:?} is not a number"))
                }),
            }
        };
        let single = match v.value.as_deref() {
            Some(s) => Some(s.trim().parse::<f64>().map(|n| n * factor).map_err(|_| {
                FormatError::new(F, Location::Path(format!("{at}/@value")), format!("{s:?} is not a number"))
            })?),
            None => None,
        };
        Ok(match (num(&v.low, "low")?, num(&v.high, "high")?, single) {
            (Some(l), Some(h), _) if l <= h => Some(AgeRange { min: l, max: h }),
            (Some(_), Some(_), _) => {
                return Err(FormatError::new(F, Location::Path(at.to_string()), "the low age is above the high age"))
            }
            (Some(l), None, _) => Some(AgeRange { min: l, max: l.max(110.0) }),
            (None, Some(h), _) => Some(AgeRange { min: 0.0, max: h }),
            (None, None, Some(v)) => Some(AgeRange::exact(v)),
            (None, None, None) => None,
        })
    }

    fn estimated(a: &XEstimatedAge, at: &str) -> Result<Option<AgeRange>, FormatError> {
        if let Some(o) = a.code.as_ref().and_then(|c| c.original.as_deref()) {
            if o.eq_ignore_ascii_case("pre-birth") {
                return Ok(Some(AgeRange::exact(0.0)));
            }
        }
        match &a.value {
            Some(v) => range(v, &format!("{at}/value")),
            None => Ok(None),
        }
    }

    fn subject(p: &XPerson, at: &str, out: &mut Parsed) -> Result<Subject, FormatError> {
        let mut s = Subject { at: at.to_string(), id: id_of(&p.id), ..Default::default() };
        s.name = p.name.as_ref().and_then(|n| n.formatted.clone()).filter(|n| !n.trim().is_empty());
        if let Some(g) = &p.gender {
            let word = g.display.as_deref().unwrap_or("").trim().to_ascii_lowercase();
            s.sex = Some(match (g.code.as_deref(), word.as_str()) {
                (Some("248153007"), _) | (_, "male") => Sex::Male,
                (Some("248152002"), _) | (_, "female") => Sex::Female,
                (None, "") => Sex::Unknown,
                _ => {
                    return Err(FormatError::new(
                        F,
                        Location::Path(format!("{at}/administrativeGenderCode")),
                        format!("gender {:?} / {:?} is not male or female", g.code.as_deref().unwrap_or(""), word),
                    ))
                }
            });
        }
        if let Some(b) = p.birth.as_ref().and_then(|b| b.value.as_deref()) {
            match birth_date(b) {
                Some(d) => s.birth = Some(d),
                None => out.warnings.push(FormatWarning::new(
                    Location::Path(format!("{at}/birthTime")),
                    format!("birth date {b:?} not understood: not kept"),
                )),
            }
        }
        if let Some(d) = p.deceased.as_ref().and_then(|d| d.value.as_deref()) {
            s.alive = match d.trim().to_ascii_lowercase().as_str() {
                "true" | "dead" | "deceased" => Some(false),
                "false" | "alive" => Some(true),
                _ => None,
            };
        }
        for (k, s1) in p.subject_of1.iter().enumerate() {
            if let Some(a) = &s1.age {
                s.death_age = estimated(a, &format!("{at}/subjectOf1[{k}]/deceasedEstimatedAge"))?;
                if s.alive.is_none() {
                    s.alive = Some(false);
                }
            }
        }
        if !p.race.is_empty() || !p.ethnicity.is_empty() {
            out.lose("race and ethnicity (Ashkenazi Jewish ancestry included)");
        }
        for (k, s2) in p.subject_of2.iter().enumerate() {
            for (j, o) in s2.observations.iter().enumerate() {
                let oat = format!("{at}/subjectOf2[{k}]/clinicalObservation[{j}]");
                let Some(c) = &o.code else { continue };
                let code = c.code.as_deref().unwrap_or("");
                let label = c.original.clone().or(c.display.clone()).filter(|l| !l.trim().is_empty());
                match code {
                    "313415001" => s.twin = Some(Zygosity::Monozygotic),
                    "313416000" => s.twin = Some(Zygosity::Dizygotic),
                    "160496001" => s.adopted = true,
                    "271603002" | "107647005" | "228447005" => out.lose("height, weight and activity"),
                    _ if label.as_deref() == Some("Parental consanguinity indicated") => s.consanguinity = true,
                    _ => {
                        let d = Disease {
                            label: label.clone(),
                            code: disease_code(c.system.as_deref().unwrap_or("SNOMED_CT"), code).map(|mut k| {
                                k.display = c.display.clone().unwrap_or_default();
                                k
                            }),
                            onset: match o.subject.as_ref().and_then(|s| s.age.as_ref()) {
                                Some(a) => estimated(a, &format!("{oat}/subject/dataEstimatedAge"))?,
                                None => None,
                            },
                        };
                        let is_cause =
                            o.source_of.as_ref().and_then(|x| x.code.as_ref()).and_then(|c| c.code.as_deref())
                                == Some("419620001");
                        if is_cause {
                            s.cause = Some(d);
                            s.alive = Some(false);
                        } else if d.label.is_none() && d.code.is_none() {
                            return Err(FormatError::new(
                                F,
                                Location::Path(format!("{oat}/code")),
                                "a condition without a name or code",
                            ));
                        } else {
                            s.diseases.push(d);
                        }
                    }
                }
            }
        }
        Ok(s)
    }
}

mod json {
    //! The tool's `personal_information` JSON.

    use super::*;

    /// Relative members: the key prefix and the HL7 code it stands for.
    const KEYS: &[(&str, &str)] = &[
        ("maternal_halfbrother_", "MHBRO"),
        ("maternal_halfsister_", "MHSIS"),
        ("paternal_halfbrother_", "PHBRO"),
        ("paternal_halfsister_", "PHSIS"),
        ("maternal_grandfather", "MGRFTH"),
        ("maternal_grandmother", "MGRMTH"),
        ("paternal_grandfather", "PGRFTH"),
        ("paternal_grandmother", "PGRMTH"),
        ("maternal_aunt_", "MAUNT"),
        ("maternal_uncle_", "MUNCLE"),
        ("paternal_aunt_", "PAUNT"),
        ("paternal_uncle_", "PUNCLE"),
        ("maternal_cousin_", "MCOUSN"),
        ("paternal_cousin_", "PCOUSN"),
        ("granddaughter_", "GRNDAU"),
        ("grandson_", "GRNSON"),
        ("brother_", "NBRO"),
        ("sister_", "NSIS"),
        ("daughter_", "DAU"),
        ("son_", "SON"),
        ("niece_", "NIECE"),
        ("nephew_", "NEPHEW"),
        ("father", "NFTH"),
        ("mother", "NMTH"),
    ];

    fn code_of(key: &str) -> Option<&'static str> {
        KEYS.iter().find_map(|(prefix, code)| {
            let exact = !prefix.ends_with('_');
            let ok = if exact {
                key == *prefix
            } else {
                key.strip_prefix(prefix).is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
            };
            ok.then_some(*code)
        })
    }

    pub(super) fn parse(text: &str) -> Result<Parsed, FormatError> {
        let value: Value = serde_json::from_str(text).map_err(|e| {
            let msg = e.to_string();
            let reason = msg.rfind(" at line ").map(|i| msg[..i].to_string()).unwrap_or(msg);
            FormatError::new(
                F,
                Location::Field { line: e.line(), field: format!("column {}", e.column()) },
                format!("not valid JSON: {reason}"),
            )
        })?;
        let root = J::root(&value);
        let pi = match root.obj("personal_information").map_err(mfhp)? {
            Some(p) => p,
            None => root.clone(),
        };
        let Some(map) = pi.v.as_object() else {
            return Err(mfhp(pi.err("expected a JSON object")));
        };
        let known = ["Health History", "gender", "name", "father", "mother"];
        if !known.iter().any(|k| map.contains_key(*k)) {
            return Err(mfhp(pi.err(
                "not a My Family Health Portrait file: none of \"Health History\", \"gender\", \"name\", \"father\", \"mother\"",
            )));
        }
        let mut out = Parsed::default();
        out.proband = subject(&pi, &mut out).map_err(mfhp)?;
        for (key, v) in map {
            let Some(code) = code_of(key) else {
                if v.is_object() && v.get("relationship").is_some() {
                    out.warnings.push(FormatWarning::new(
                        Location::Path(format!("{}{key}", prefix(&pi))),
                        format!("relative {key:?} is not a relationship the tool writes: not imported"),
                    ));
                }
                continue;
            };
            let r = pi.obj(key).map_err(mfhp)?.ok_or_else(|| mfhp(pi.err_at(key, "expected an object")))?;
            let s = subject(&r, &mut out).map_err(mfhp)?;
            let parent_id = r.str("parent_id").map_err(mfhp)?.map(str::to_string).filter(|p| !p.trim().is_empty());
            out.relatives.push(Relative { code: code.to_string(), parent_id, s });
        }
        Ok(out)
    }

    fn prefix(j: &J) -> String {
        if j.path.is_empty() {
            String::new()
        } else {
            format!("{}.", j.path)
        }
    }

    fn mfhp(mut e: FormatError) -> FormatError {
        e.format = F;
        e
    }

    /// A string or a number as text.
    fn text(j: &J, key: &str) -> Result<Option<String>, FormatError> {
        match j.get(key) {
            None => Ok(None),
            Some(x) => match x.v {
                Value::String(s) => Ok(Some(s.clone()).filter(|s| !s.trim().is_empty())),
                Value::Number(n) => Ok(Some(n.to_string())),
                Value::Bool(b) => Ok(Some(b.to_string())),
                _ => Err(x.err("expected a string or a number")),
            },
        }
    }

    fn age(j: &J, key: &str, out: &mut Parsed) -> Result<Option<AgeRange>, FormatError> {
        let Some(t) = text(j, key)? else { return Ok(None) };
        match age_words(&t) {
            Ok(r) => Ok(r),
            Err(()) => {
                out.warnings.push(FormatWarning::new(
                    Location::Path(format!("{}{key}", prefix(j))),
                    format!("age {t:?} not understood: not kept"),
                ));
                Ok(None)
            }
        }
    }

    fn subject(j: &J, out: &mut Parsed) -> Result<Subject, FormatError> {
        let mut s = Subject { at: j.path.clone(), ..Default::default() };
        s.id = text(j, "id")?;
        s.name = text(j, "name")?;
        s.sex = match text(j, "gender")? {
            None => None,
            Some(g) => Some(match g.trim().to_ascii_uppercase().as_str() {
                "MALE" | "M" => Sex::Male,
                "FEMALE" | "F" => Sex::Female,
                "UNKNOWN" | "U" => Sex::Unknown,
                _ => return Err(j.err_at("gender", format!("{g:?} is not MALE or FEMALE"))),
            }),
        };
        if let Some(b) = text(j, "date_of_birth")?.or(text(j, "year_of_birth")?) {
            match birth_date(&b) {
                Some(d) => s.birth = Some(d),
                None => out.warnings.push(FormatWarning::new(
                    Location::Path(format!("{}date_of_birth", prefix(j))),
                    format!("birth date {b:?} not understood: not kept"),
                )),
            }
        }
        s.alive = match text(j, "is_alive")?.map(|a| a.to_ascii_lowercase()) {
            Some(a) if a == "alive" || a == "true" => Some(true),
            Some(a) if a == "dead" || a == "false" || a == "deceased" => Some(false),
            Some(a) if a == "unknown" => None,
            Some(a) => return Err(j.err_at("is_alive", format!("{a:?} is not alive, dead or unknown"))),
            None => None,
        };
        s.age = match text(j, "age")? {
            Some(a) => match a.trim().parse::<f64>() {
                Ok(n) if (0.0..=130.0).contains(&n) => Some(AgeRange::exact(n)),
                _ => return Err(j.err_at("age", format!("{a:?} is not an age in years"))),
            },
            None => age(j, "estimated_age", out)?,
        };
        s.death_age = age(j, "estimated_death_age", out)?;
        let cause_label = text(j, "detailed_cause_of_death")?.or(text(j, "cause_of_death")?);
        let cause_code = text(j, "cause_of_death_code")?.and_then(|c| {
            let (sys, code) = c.split_once('-')?;
            disease_code(sys, code)
        });
        if cause_label.is_some() || cause_code.is_some() {
            let d = Disease { label: cause_label, code: cause_code, onset: None };
            if !is_placeholder_disease(d.label.as_deref(), d.code.as_ref()) {
                s.cause = Some(d);
            }
            s.alive = Some(false);
        }
        s.twin = match text(j, "twin_status")?.map(|t| t.to_ascii_uppercase()) {
            Some(t) if t == "IDENTICAL" => Some(Zygosity::Monozygotic),
            Some(t) if t == "FRATERNAL" => Some(Zygosity::Dizygotic),
            _ => None,
        };
        s.adopted = matches!(text(j, "adopted")?.as_deref(), Some("true"));
        s.consanguinity = matches!(text(j, "consanguinity")?.as_deref(), Some("true"));
        for (k, d) in j.arr("Health History")?.into_iter().enumerate() {
            if !d.v.is_object() {
                return Err(d.err("expected an object (Disease Name, Detailed Disease Name, Age At Diagnosis)"));
            }
            let detailed = text(&d, "Detailed Disease Name")?.filter(|n| !n.eq_ignore_ascii_case("none"));
            let label = detailed.or(text(&d, "Disease Name")?);
            let code = text(&d, "Disease Code")?.and_then(|c| {
                let (sys, code) = c.split_once('-')?;
                disease_code(sys, code)
            });
            if is_placeholder_disease(label.as_deref(), code.as_ref()) {
                if label.is_none() && code.is_none() {
                    return Err(j.err_at(&format!("Health History[{k}]"), "a condition without a name or code"));
                }
                continue;
            }
            let onset = age(&d, "Age At Diagnosis", out)?;
            s.diseases.push(Disease { label, code, onset });
        }
        for (key, what) in [
            ("race", "race and ethnicity (Ashkenazi Jewish ancestry included)"),
            ("ethnicity", "race and ethnicity (Ashkenazi Jewish ancestry included)"),
            ("height", "height, weight and activity"),
            ("weight", "height, weight and activity"),
            ("smoker", "lifestyle answers (smoking, diet, exercise)"),
        ] {
            let present = match j.v.get(key) {
                Some(Value::Object(m)) => m.values().any(|v| v == &Value::Bool(true)),
                Some(Value::Null) | None => false,
                Some(Value::String(s)) => !s.trim().is_empty(),
                Some(_) => true,
            };
            if present {
                out.lose(what);
            }
        }
        Ok(s)
    }
}

/// Where a relative goes, from the tool's relationship code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    Father,
    Mother,
    Grandparent {
        maternal: bool,
    },
    Sibling,
    HalfSibling {
        maternal: bool,
    },
    Child,
    AuntUncle {
        maternal: bool,
    },
    /// Child of the relative `parent_id` names (cousins, nieces and nephews, grandchildren).
    ChildOfParentId,
    Unknown,
}

fn place_of(code: &str) -> (Place, Option<Sex>) {
    let (m, f) = (Some(Sex::Male), Some(Sex::Female));
    match code {
        "NFTH" | "FTH" => (Place::Father, m),
        "NMTH" | "MTH" => (Place::Mother, f),
        "MGRFTH" => (Place::Grandparent { maternal: true }, m),
        "MGRMTH" => (Place::Grandparent { maternal: true }, f),
        "PGRFTH" => (Place::Grandparent { maternal: false }, m),
        "PGRMTH" => (Place::Grandparent { maternal: false }, f),
        "NBRO" | "BRO" => (Place::Sibling, m),
        "NSIS" | "SIS" => (Place::Sibling, f),
        "MHBRO" => (Place::HalfSibling { maternal: true }, m),
        "MHSIS" => (Place::HalfSibling { maternal: true }, f),
        "PHBRO" => (Place::HalfSibling { maternal: false }, m),
        "PHSIS" => (Place::HalfSibling { maternal: false }, f),
        "SON" => (Place::Child, m),
        "DAU" => (Place::Child, f),
        "MAUNT" => (Place::AuntUncle { maternal: true }, f),
        "MUNCLE" => (Place::AuntUncle { maternal: true }, m),
        "PAUNT" => (Place::AuntUncle { maternal: false }, f),
        "PUNCLE" => (Place::AuntUncle { maternal: false }, m),
        "MCOUSN" | "PCOUSN" => (Place::ChildOfParentId, None),
        "NIECE" | "GRNDAU" | "GRNDDAU" => (Place::ChildOfParentId, f),
        "NEPHEW" | "GRNSON" | "GRNDSON" => (Place::ChildOfParentId, m),
        _ => (Place::Unknown, None),
    }
}

fn build(parsed: Parsed, catalog: &Catalog) -> Result<ImportedFamily, FormatError> {
    let Parsed { proband, relatives, mut warnings, lost } = parsed;
    let mut out = ImportedFamily::default();
    // People, with ids unique in the file.
    let mut by_file_id: HashMap<String, usize> = HashMap::new();
    let mut places: Vec<(Place, String)> = vec![(Place::Unknown, "self".into())];
    let subjects: Vec<(&Subject, Option<Sex>, String)> = std::iter::once((&proband, None, "proband".to_string()))
        .chain(relatives.iter().enumerate().map(|(i, r)| {
            let (place, sex) = place_of(&r.code);
            places.push((place, r.code.clone()));
            (&r.s, sex, format!("{}-{}", r.code.to_ascii_lowercase(), i + 1))
        }))
        .collect();
    for (i, (s, implied_sex, fallback)) in subjects.iter().enumerate() {
        let xref = s.id.clone().unwrap_or_else(|| fallback.clone());
        if let Some(id) = &s.id {
            if by_file_id.insert(id.clone(), i).is_some() {
                return Err(FormatError::new(
                    F,
                    Location::Path(format!("{}/id", s.at)),
                    format!("id {id} is used by two people"),
                ));
            }
        }
        let mut p = new_person(&xref, s.sex.or(*implied_sex).unwrap_or_default());
        if let Some(n) = &s.name {
            let n = n.trim();
            let (given, surname) = n.rsplit_once(' ').unwrap_or((n, ""));
            p.names.push(PersonName::new(given, surname));
        }
        if let Some(b) = &s.birth {
            p.set_event_date(EventKind::Birth, Some(b));
        }
        for d in &s.diseases {
            p.conditions.push(imported_observation(
                catalog,
                F,
                d.code.clone(),
                d.label.as_deref(),
                ConditionStatus::Affected,
                d.onset,
            ));
        }
        let exact = |r: Option<AgeRange>| r.filter(|r| r.min == r.max).map(|r| r.min);
        p.vital_status = match s.alive {
            Some(true) => VitalStatus::Alive { age: exact(s.age) },
            Some(false) => {
                let cause = s.cause.as_ref().map(|c| {
                    let o = imported_observation(
                        catalog,
                        F,
                        c.code.clone(),
                        c.label.as_deref(),
                        ConditionStatus::Affected,
                        c.onset,
                    );
                    let known = p.conditions.iter().any(|x| {
                        x.label.eq_ignore_ascii_case(&o.label)
                            || (x.code.is_some()
                                && x.code.as_ref().map(|k| &k.code) == o.code.as_ref().map(|k| &k.code))
                    });
                    let label = o.label.clone();
                    if !known {
                        p.conditions.push(o);
                    }
                    label
                });
                VitalStatus::Deceased { age: exact(s.death_age), date: None, cause }
            }
            None => VitalStatus::Unknown,
        };
        for (r, what) in [(s.age, "estimated age"), (s.death_age, "estimated age at death")] {
            if let Some(r) = r.filter(|r| r.min != r.max) {
                p.notes.push(Note {
                    text: format!("My Family Health Portrait {what}: {}–{} years", fmt(r.min), fmt(r.max)),
                });
            }
        }
        out.persons.push(p);
    }
    let proband_ix = 0;
    out.persons[proband_ix].proband = true;
    out.proband = Some(out.persons[proband_ix].id);

    // Slots.
    let mut father = None;
    let mut mother = None;
    let mut grand: HashMap<(bool, Sex), usize> = HashMap::new();
    let mut unplaced: Vec<(usize, &'static str)> = Vec::new();
    for (i, (place, _)) in places.iter().enumerate().skip(1) {
        let sex = out.persons[i].sex;
        match *place {
            Place::Father if father.is_none() => father = Some(i),
            Place::Mother if mother.is_none() => mother = Some(i),
            Place::Father | Place::Mother => unplaced.push((i, "a second father or mother")),
            Place::Grandparent { maternal } => {
                let key = (maternal, if sex == Sex::Female { Sex::Female } else { Sex::Male });
                match grand.entry(key) {
                    std::collections::hash_map::Entry::Occupied(_) => {
                        unplaced.push((i, "a second grandparent in the same place"))
                    }
                    std::collections::hash_map::Entry::Vacant(v) => {
                        v.insert(i);
                    }
                }
            }
            Place::Unknown => unplaced.push((i, "a relationship code the tool does not write")),
            _ => {}
        }
    }
    let any = |f: &dyn Fn(Place) -> bool| places.iter().any(|(p, _)| f(*p));
    let maternal_side =
        any(&|p| matches!(p, Place::AuntUncle { maternal: true } | Place::HalfSibling { maternal: true }))
            || grand.keys().any(|(m, _)| *m);
    let paternal_side =
        any(&|p| matches!(p, Place::AuntUncle { maternal: false } | Place::HalfSibling { maternal: false }))
            || grand.keys().any(|(m, _)| !*m);
    let siblings = any(&|p| p == Place::Sibling);
    if mother.is_none() && (maternal_side || siblings) {
        mother = Some(implied(&mut out, &mut warnings, "proband's mother", Sex::Female));
    }
    if father.is_none() && (paternal_side || siblings) {
        father = Some(implied(&mut out, &mut warnings, "proband's father", Sex::Male));
    }
    for (maternal, side) in [(true, "maternal"), (false, "paternal")] {
        let has_aunts = any(&|p| p == Place::AuntUncle { maternal });
        if has_aunts && !grand.contains_key(&(maternal, Sex::Male)) && !grand.contains_key(&(maternal, Sex::Female)) {
            let gf = implied(&mut out, &mut warnings, &format!("{side} grandfather"), Sex::Male);
            let gm = implied(&mut out, &mut warnings, &format!("{side} grandmother"), Sex::Female);
            grand.insert((maternal, Sex::Male), gf);
            grand.insert((maternal, Sex::Female), gm);
        }
    }

    let id = |out: &ImportedFamily, i: usize| out.persons[i].id;
    let child = |out: &ImportedFamily, c: usize, parents: &[Uuid], adopted: bool| FamilyChild {
        person: out.persons[c].id,
        links: if adopted {
            parents.iter().map(|&parent| ParentLink { parent, relationship: ChildRelationship::Adopted }).collect()
        } else {
            vec![]
        },
    };
    // The parents' family: the proband, siblings, twins.
    if father.is_some() || mother.is_some() {
        let partners: Vec<Uuid> = [father, mother].into_iter().flatten().map(|i| id(&out, i)).collect();
        let mut f = Family::new(partners.clone());
        f.consanguineous = proband.consanguinity;
        f.children.push(child(&out, proband_ix, &partners, proband.adopted));
        let mut twins: HashMap<Zygosity, Vec<Uuid>> = HashMap::new();
        if let Some(z) = proband.twin {
            twins.entry(z).or_default().push(id(&out, proband_ix));
        }
        for i in 1..subjects.len() {
            if places[i].0 == Place::Sibling {
                f.children.push(child(&out, i, &partners, subjects[i].0.adopted));
                if let Some(z) = subjects[i].0.twin {
                    twins.entry(z).or_default().push(id(&out, i));
                }
            }
        }
        for z in [Zygosity::Monozygotic, Zygosity::Dizygotic] {
            match twins.remove(&z) {
                Some(members) if members.len() >= 2 => f.twins.push(TwinSet { members, zygosity: z }),
                Some(_) => warnings.push(FormatWarning::new(
                    Location::File,
                    "a twin without a matching twin sibling: twin status not kept",
                )),
                None => {}
            }
        }
        out.families.push(f);
    }
    // Grandparents with the parent and the aunts and uncles.
    for (maternal, parent) in [(true, mother), (false, father)] {
        let (gf, gm) = (grand.get(&(maternal, Sex::Male)).copied(), grand.get(&(maternal, Sex::Female)).copied());
        if gf.is_none() && gm.is_none() {
            continue;
        }
        let partners: Vec<Uuid> = [gf, gm].into_iter().flatten().map(|i| id(&out, i)).collect();
        let mut f = Family::new(partners.clone());
        if let Some(p) = parent {
            let adopted = p < subjects.len() && subjects[p].0.adopted;
            f.children.push(child(&out, p, &partners, adopted));
        }
        for i in 1..subjects.len() {
            if places[i].0 == (Place::AuntUncle { maternal }) {
                f.children.push(child(&out, i, &partners, subjects[i].0.adopted));
            }
        }
        out.families.push(f);
    }
    // Half-siblings: the shared parent and an implied other parent.
    for (maternal, parent) in [(true, mother), (false, father)] {
        let halves: Vec<usize> =
            (1..subjects.len()).filter(|&i| places[i].0 == Place::HalfSibling { maternal }).collect();
        if halves.is_empty() {
            continue;
        }
        let Some(parent) = parent else { continue };
        let side = if maternal { "maternal" } else { "paternal" };
        let other = implied(
            &mut out,
            &mut warnings,
            &format!("other parent of the {side} half-siblings"),
            if maternal { Sex::Male } else { Sex::Female },
        );
        let partners =
            if maternal { vec![id(&out, other), id(&out, parent)] } else { vec![id(&out, parent), id(&out, other)] };
        let mut f = Family::new(partners.clone());
        for i in halves {
            f.children.push(child(&out, i, &partners, subjects[i].0.adopted));
        }
        out.families.push(f);
    }
    // The proband's children (the other parent is not recorded by the tool).
    let kids: Vec<usize> = (1..subjects.len()).filter(|&i| places[i].0 == Place::Child).collect();
    if !kids.is_empty() {
        let partners = vec![id(&out, proband_ix)];
        let mut f = Family::new(partners.clone());
        for i in kids {
            f.children.push(child(&out, i, &partners, subjects[i].0.adopted));
        }
        out.families.push(f);
    }
    // Cousins, nieces and nephews, grandchildren: children of the relative `parent_id` names.
    let mut by_parent: Vec<(usize, Vec<usize>)> = Vec::new();
    for (i, r) in relatives.iter().enumerate() {
        let i = i + 1;
        if places[i].0 != Place::ChildOfParentId {
            continue;
        }
        let Some(pid) = &r.parent_id else {
            unplaced.push((i, "no parent_id says whose child they are"));
            continue;
        };
        let Some(&p) = by_file_id.get(pid) else {
            unplaced.push((i, "their parent_id names nobody in the file"));
            continue;
        };
        if p == i {
            return Err(FormatError::new(
                F,
                Location::Path(r.s.at.clone()),
                format!("{pid} is listed as their own parent"),
            ));
        }
        match by_parent.iter_mut().find(|(q, _)| *q == p) {
            Some((_, v)) => v.push(i),
            None => by_parent.push((p, vec![i])),
        }
    }
    for (p, kids) in by_parent {
        let partners = vec![id(&out, p)];
        let mut f = Family::new(partners.clone());
        for i in kids {
            f.children.push(child(&out, i, &partners, subjects[i].0.adopted));
        }
        out.families.push(f);
    }
    for (i, why) in unplaced {
        let xref = out.persons[i].xref.clone().unwrap_or_default();
        let code = &places[i].1;
        out.persons[i].notes.push(Note {
            text: format!("My Family Health Portrait relationship {code}; not placed in the tree ({why})."),
        });
        warnings.push(FormatWarning::new(
            Location::Path(subjects[i].0.at.clone()),
            format!("{xref} ({code}) could not be placed in the tree ({why}); imported without links"),
        ));
    }
    for what in lost {
        warnings.push(FormatWarning::new(Location::File, format!("{what} not kept (Kinvault does not record it)")));
    }
    out.warnings = warnings;
    Ok(out)
}

/// Adds a person the file implies but does not list.
fn implied(out: &mut ImportedFamily, warnings: &mut Vec<FormatWarning>, label: &str, sex: Sex) -> usize {
    let mut p = new_person(&format!("implied-{}", label.replace(['\'', ' '], "-")), sex);
    p.notes.push(Note { text: format!("Implied {label}: not in the file, added to connect the relatives it names.") });
    out.persons.push(p);
    warnings.push(FormatWarning::new(
        Location::File,
        format!("added the {label} (not in the file) to connect the relatives it names"),
    ));
    out.persons.len() - 1
}

fn fmt(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{}", v as i64)
    } else {
        format!("{v:.1}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn age_words_cover_both_vocabularies() {
        assert_eq!(age_words("fifties"), Ok(Some(AgeRange { min: 50.0, max: 59.0 })));
        assert_eq!(age_words("Late_Fifties"), Ok(Some(AgeRange { min: 55.0, max: 59.0 })));
        assert_eq!(age_words("early_sixties"), Ok(Some(AgeRange { min: 60.0, max: 64.0 })));
        assert_eq!(age_words("40-49 years"), Ok(Some(AgeRange { min: 40.0, max: 49.0 })));
        assert_eq!(age_words("Pre-Birth"), Ok(Some(AgeRange::exact(0.0))));
        assert_eq!(age_words("senior").unwrap().unwrap().min, 60.0);
        assert_eq!(age_words("47"), Ok(Some(AgeRange::exact(47.0))));
        assert_eq!(age_words("blank"), Ok(None));
        assert_eq!(age_words("sometime"), Err(()));
    }

    #[test]
    fn birth_dates_in_the_tools_formats() {
        assert_eq!(birth_date("1980/05/02").as_deref(), Some("2 MAY 1980"));
        assert_eq!(birth_date("12/20/1960").as_deref(), Some("20 DEC 1960"));
        assert_eq!(birth_date("1965").as_deref(), Some("1965"));
        assert_eq!(birth_date("20/12/60"), None);
    }
}
