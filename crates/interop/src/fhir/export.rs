//! Model → FHIR R4 JSON: the family-history Bundle and the GA4GH Pedigree Bundle.

use std::collections::{HashMap, HashSet};

use kinvault_catalog::Catalog;
use kinvault_model::{
    Certainty, ChildRelationship, CodeSystem, ConditionObservation, ConditionStatus, Family, Person, Sex, TwinSet,
    UnionKind, VitalStatus, Zygosity,
};
use kinvault_pedigree::lineage::Links;
use kinvault_pedigree::{FamilyGraph, LegalKind, PersonIx, RelateOptions, RelationKind, Relationship};
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::codes::*;
use crate::family::{stable_ids, Exported, FamilySnapshot, Format, FormatError, FormatWarning, Location};

/// What to write besides the family.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FhirExportOptions {
    /// The GA4GH Pedigree Composition's `date` (FHIR `date`/`dateTime`). Default: today (UTC).
    pub date: Option<String>,
    /// GA4GH form: the catalog condition the pedigree was collected for. The proband's affected
    /// observations of it go into the Composition's `reason` section.
    pub reason: Option<String>,
}

/// The family-history form: a `collection` Bundle with the proband's `Patient` and `Condition`s
/// and one `FamilyMemberHistory` per other person, its relationship a v3 RoleCode derived from
/// the pedigree. Needs a proband.
pub fn export_fhir(
    snapshot: &FamilySnapshot,
    catalog: &Catalog,
    _options: &FhirExportOptions,
) -> Result<Exported, FormatError> {
    let proband = snapshot.require_proband(Format::Fhir)?;
    let mut cx = Cx::new(snapshot, catalog);
    let (graph, warnings) = snapshot.graph();
    cx.warnings.extend(warnings);
    let pix = graph.index_of(proband.id).expect("the proband is in the graph");
    let sides = Sides::new(&graph, pix);
    let partner_kinds = partner_kinds(snapshot.families);

    let mut entries = vec![cx.entry(full_url(proband.id), cx.patient(proband, false))];
    for (i, o) in proband.conditions.iter().enumerate() {
        entries.push(cx.entry(condition_url(proband, o), cx.condition(proband, i, o)));
    }
    let opts = RelateOptions { max_relationships: 1, ..RelateOptions::default() };
    let mut dropped = 0usize;
    for p in snapshot.persons.iter().filter(|p| p.id != proband.id) {
        let ix = graph.index_of(p.id).expect("every person is in the graph");
        let rels = graph.relate_ix(pix, ix, &opts);
        let rel = rels.primary();
        let twin = twin_zygosity(snapshot.families, proband.id, p.id);
        let code = role_code(rel, p.sex, sides.of(&graph, rel), twin, partner_kinds.get(&couple(proband.id, p.id)));
        let text = match rel {
            Some(r) => r.name.clone(),
            None => "not related by any recorded link".to_string(),
        };
        if rel.is_none() {
            cx.warnings.push(FormatWarning::new(
                Location::File,
                format!("{} is not related to the proband by any recorded link: written as FAMMEMB", cx.ids[&p.id]),
            ));
        }
        let (fmh, n) = cx.member_history(p, proband, code, &text);
        dropped += n;
        entries.push(cx.entry(derived_url(&[p.id.as_bytes(), b"FamilyMemberHistory"]), fmh));
    }
    if dropped > 0 {
        cx.warnings.push(FormatWarning::new(
            Location::File,
            format!(
                "{dropped} unaffected or unknown-status observations of relatives not written \
                 (FamilyMemberHistory.condition only states conditions a relative had)"
            ),
        ));
    }
    cx.tests_warning(snapshot.persons);
    Ok(cx.finish(entries))
}

/// The GA4GH Pedigree IG form: a `collection` Bundle with the `Pedigree` Composition first, a
/// `PedigreeIndividual` Patient per person, a `Condition` per observation and a
/// `PedigreeRelationship` per parent–child link, couple and twin pair.
pub fn export_ga4gh_pedigree(
    snapshot: &FamilySnapshot,
    catalog: &Catalog,
    options: &FhirExportOptions,
) -> Result<Exported, FormatError> {
    let reason = match options.reason.as_deref() {
        Some(id) => Some(catalog.get(id).ok_or_else(|| {
            FormatError::new(
                Format::Ga4ghPedigree,
                Location::File,
                format!("unknown condition {id:?}: give an id from the condition catalog"),
            )
        })?),
        None => None,
    };
    let proband = match snapshot.proband_id() {
        Some(_) => Some(snapshot.require_proband(Format::Ga4ghPedigree)?),
        None => None,
    };
    let mut cx = Cx::new(snapshot, catalog);
    let (_, warnings) = snapshot.graph();
    cx.warnings.extend(warnings);

    let mut patients = Vec::new();
    let mut conditions = Vec::new();
    let mut reason_refs = Vec::new();
    for p in snapshot.persons {
        patients.push(cx.entry(full_url(p.id), cx.patient(p, true)));
        for (i, o) in p.conditions.iter().enumerate() {
            let url = condition_url(p, o);
            let is_reason = Some(p.id) == proband.map(|q| q.id)
                && o.status == ConditionStatus::Affected
                && reason.is_some_and(|r| catalog.link(o).is_some_and(|c| c.id == r.id));
            if is_reason {
                reason_refs.push(json!({ "reference": url }));
            }
            conditions.push((is_reason, cx.entry(url, cx.condition(p, i, o))));
        }
    }

    let relationships = cx.relationships(snapshot.families);
    let mut composition = Map::new();
    composition.insert("resourceType".into(), json!("Composition"));
    composition.insert("id".into(), json!("pedigree"));
    composition.insert("meta".into(), json!({ "profile": [PROFILE_PEDIGREE] }));
    composition.insert("status".into(), json!("final"));
    composition.insert(
        "type".into(),
        json!({ "coding": [{ "system": SNOMED, "code": PEDIGREE_TYPE.0, "display": PEDIGREE_TYPE.1 }] }),
    );
    if let Some(p) = proband {
        composition.insert("subject".into(), json!({ "reference": full_url(p.id) }));
    }
    composition.insert("date".into(), json!(options.date.clone().unwrap_or_else(today)));
    composition.insert("author".into(), json!([{ "display": "Kinvault" }]));
    composition.insert("title".into(), json!("Pedigree"));
    let refs = |entries: &[Value]| -> Vec<Value> {
        entries.iter().map(|e| json!({ "reference": e["fullUrl"].clone() })).collect()
    };
    let other: Vec<Value> =
        conditions.iter().filter(|(r, _)| !r).map(|(_, e)| json!({ "reference": e["fullUrl"].clone() })).collect();
    composition.insert(
        "section".into(),
        json!([
            section(
                "proband",
                "Proband",
                proband.map(|p| vec![json!({ "reference": full_url(p.id) })]).unwrap_or_default()
            ),
            section("reason", "Reason", reason_refs),
            section("individuals", "Individuals", refs(&patients)),
            section("relationships", "Relationships", refs(&relationships)),
            section("other", "Other", other),
        ]),
    );
    let anchor = proband.map(|p| p.id).or(snapshot.persons.first().map(|p| p.id)).unwrap_or_default();
    let mut entries = vec![cx.entry(derived_url(&[anchor.as_bytes(), b"Composition"]), Value::Object(composition))];
    entries.extend(patients);
    entries.extend(conditions.into_iter().map(|(_, e)| e));
    entries.extend(relationships);
    cx.tests_warning(snapshot.persons);
    let vital_lost = snapshot
        .persons
        .iter()
        .filter(|p| match &p.vital_status {
            VitalStatus::Alive { age } => age.is_some(),
            VitalStatus::Deceased { age, cause, .. } => age.is_some() || cause.is_some(),
            VitalStatus::Unknown => false,
        })
        .count();
    if vital_lost > 0 {
        cx.warnings.push(FormatWarning::new(
            Location::File,
            format!(
                "ages and causes of death of {vital_lost} people not written (a PedigreeIndividual has deceased \
                 yes/no or a date only)"
            ),
        ));
    }
    Ok(cx.finish(entries))
}

struct Cx<'a> {
    catalog: &'a Catalog,
    ids: HashMap<Uuid, String>,
    by_id: HashMap<Uuid, &'a Person>,
    warnings: Vec<FormatWarning>,
}

impl<'a> Cx<'a> {
    fn new(snapshot: &FamilySnapshot<'a>, catalog: &'a Catalog) -> Self {
        // FHIR ids: [A-Za-z0-9-.]{1,64}.
        let ids = stable_ids(snapshot.persons, |c| c.is_ascii_alphanumeric() || c == '-' || c == '.', &[], 64);
        Cx { catalog, ids, by_id: snapshot.persons.iter().map(|p| (p.id, p)).collect(), warnings: vec![] }
    }

    fn entry(&self, full_url: String, resource: Value) -> Value {
        json!({ "fullUrl": full_url, "resource": resource })
    }

    fn finish(self, entries: Vec<Value>) -> Exported {
        let bundle = json!({ "resourceType": "Bundle", "type": "collection", "entry": entries });
        let mut text = serde_json::to_string_pretty(&bundle).expect("JSON values always serialise");
        text.push('\n');
        Exported { text, warnings: self.warnings }
    }

    fn tests_warning(&mut self, persons: &[Person]) {
        let n: usize = persons.iter().map(|p| p.genetic_tests.len()).sum();
        if n > 0 {
            self.warnings.push(FormatWarning::new(Location::File, format!("{n} genetic test results not written")));
        }
    }

    fn patient(&self, p: &Person, ga4gh: bool) -> Value {
        let mut r = Map::new();
        r.insert("resourceType".into(), json!("Patient"));
        r.insert("id".into(), json!(self.ids[&p.id]));
        if ga4gh {
            r.insert("meta".into(), json!({ "profile": [PROFILE_INDIVIDUAL] }));
        }
        let names: Vec<Value> = p.names.iter().filter_map(human_name).collect();
        if !names.is_empty() {
            r.insert("name".into(), Value::Array(names));
        }
        r.insert("gender".into(), json!(gender(p.sex)));
        if let Some(d) = p.birth().and_then(fhir_date) {
            r.insert("birthDate".into(), json!(d));
        }
        match &p.vital_status {
            VitalStatus::Alive { .. } => {
                r.insert("deceasedBoolean".into(), json!(false));
            }
            VitalStatus::Deceased { date, .. } => {
                let date = date.as_ref().or(p.death()).and_then(fhir_date);
                match date {
                    Some(d) => r.insert("deceasedDateTime".into(), json!(d)),
                    None => r.insert("deceasedBoolean".into(), json!(true)),
                };
            }
            VitalStatus::Unknown => {}
        }
        Value::Object(r)
    }

    /// A `Condition` resource for observation `i` of `p`: unaffected is `refuted`, unknown
    /// `unconfirmed`, affected carries the certainty (confirmed / provisional / differential).
    fn condition(&self, p: &Person, i: usize, o: &ConditionObservation) -> Value {
        let mut r = Map::new();
        r.insert("resourceType".into(), json!("Condition"));
        r.insert("id".into(), json!(format!("{}-condition-{}", self.ids[&p.id], i + 1)));
        let ver = match (o.status, o.certainty) {
            (ConditionStatus::Unaffected, _) => Some(("refuted", "Refuted")),
            (ConditionStatus::Unknown, _) => Some(("unconfirmed", "Unconfirmed")),
            (ConditionStatus::Affected, Certainty::Confirmed) => Some(("confirmed", "Confirmed")),
            (ConditionStatus::Affected, Certainty::Probable) => Some(("provisional", "Provisional")),
            (ConditionStatus::Affected, Certainty::Possible) => Some(("differential", "Differential")),
            (ConditionStatus::Affected, Certainty::Unknown) => None,
        };
        if let Some((code, display)) = ver {
            r.insert(
                "verificationStatus".into(),
                json!({ "coding": [{ "system": VER_STATUS, "code": code, "display": display }] }),
            );
        }
        r.insert("code".into(), self.condition_code(o));
        r.insert("subject".into(), json!({ "reference": full_url(p.id) }));
        if let Some((key, v)) = onset(o) {
            r.insert(key.into(), v);
        }
        if let Some(n) = o.note.as_deref().filter(|n| !n.is_empty()) {
            r.insert("note".into(), json!([{ "text": n }]));
        }
        Value::Object(r)
    }

    /// The observation's own code first (`userSelected`), then the linked catalog entry's
    /// SNOMED CT, ICD-10 and catalog codes it does not repeat; the label as `text`.
    fn condition_code(&self, o: &ConditionObservation) -> Value {
        let mut codings: Vec<Value> = Vec::new();
        let mut seen: HashSet<(CodeSystem, String)> = HashSet::new();
        if let Some(c) = &o.code {
            if let Some(uri) = system_uri(c.system) {
                codings.push(coding_value(uri, &c.code, &c.display, true));
                seen.insert((c.system, c.code.clone()));
            }
        }
        if let Some(def) = self.catalog.link(o) {
            let kin = def.kinvault_code();
            for c in [def.preferred_code(CodeSystem::Snomed), def.preferred_code(CodeSystem::Icd10), Some(&kin)]
                .into_iter()
                .flatten()
            {
                if seen.insert((c.system, c.code.clone())) {
                    let uri = system_uri(c.system).expect("catalog codes have FHIR systems");
                    codings.push(coding_value(uri, &c.code, &c.display, false));
                }
            }
        }
        let mut v = Map::new();
        if !codings.is_empty() {
            v.insert("coding".into(), Value::Array(codings));
        }
        v.insert("text".into(), json!(o.label));
        Value::Object(v)
    }

    /// A relative's `FamilyMemberHistory` and how many of their observations it could not hold.
    fn member_history(&self, p: &Person, proband: &Person, code: &str, text: &str) -> (Value, usize) {
        let mut r = Map::new();
        r.insert("resourceType".into(), json!("FamilyMemberHistory"));
        r.insert("id".into(), json!(self.ids[&p.id]));
        r.insert("status".into(), json!("completed"));
        r.insert("patient".into(), json!({ "reference": full_url(proband.id) }));
        let name = p.display_name();
        if !name.is_empty() {
            r.insert("name".into(), json!(name));
        }
        r.insert(
            "relationship".into(),
            json!({ "coding": [{ "system": ROLE_CODE, "code": code, "display": role_display(code) }], "text": text }),
        );
        r.insert(
            "sex".into(),
            json!({ "coding": [{ "system": GENDER, "code": gender(p.sex), "display": capitalised(gender(p.sex)) }] }),
        );
        // age[x] and born[x] exclude each other (fhs-1): the age the status was known at wins.
        let alive_age = match &p.vital_status {
            VitalStatus::Alive { age: Some(a) } => Some(*a),
            _ => None,
        };
        match (alive_age, p.birth().and_then(fhir_date)) {
            (Some(a), _) => {
                r.insert("ageAge".into(), age_value(a));
            }
            (None, Some(d)) => {
                r.insert("bornDate".into(), json!(d));
            }
            _ => {}
        }
        let mut cause = None;
        match &p.vital_status {
            VitalStatus::Alive { .. } => {
                r.insert("deceasedBoolean".into(), json!(false));
            }
            VitalStatus::Deceased { age, date, cause: c } => {
                cause = c.as_deref().filter(|c| !c.trim().is_empty());
                match (age, date.as_ref().or(p.death()).and_then(fhir_date)) {
                    (Some(a), _) => r.insert("deceasedAge".into(), age_value(*a)),
                    (None, Some(d)) => r.insert("deceasedDate".into(), json!(d)),
                    (None, None) => r.insert("deceasedBoolean".into(), json!(true)),
                };
            }
            VitalStatus::Unknown => {}
        }
        let mut conditions = Vec::new();
        let mut dropped = 0;
        let mut cause_written = false;
        for o in &p.conditions {
            if o.status != ConditionStatus::Affected {
                dropped += 1;
                continue;
            }
            let mut c = Map::new();
            c.insert("code".into(), self.condition_code(o));
            let caused_death = cause.is_some_and(|cause| self.same_condition(o, cause));
            if caused_death && !cause_written {
                cause_written = true;
                c.insert("outcome".into(), outcome_dead());
                c.insert("contributedToDeath".into(), json!(true));
            }
            if let Some((key, v)) = onset(o) {
                c.insert(key.into(), v);
            }
            if let Some(n) = o.note.as_deref().filter(|n| !n.is_empty()) {
                c.insert("note".into(), json!([{ "text": n }]));
            }
            conditions.push(Value::Object(c));
        }
        if let (Some(cause), false) = (cause, cause_written) {
            conditions.push(json!({
                "code": { "text": cause },
                "outcome": outcome_dead(),
                "contributedToDeath": true
            }));
        }
        if !conditions.is_empty() {
            r.insert("condition".into(), Value::Array(conditions));
        }
        (Value::Object(r), dropped)
    }

    /// `o` is the condition a cause of death names: same label, or linked to the same entry.
    fn same_condition(&self, o: &ConditionObservation, cause: &str) -> bool {
        if o.label.trim().eq_ignore_ascii_case(cause.trim()) {
            return true;
        }
        let probe = ConditionObservation::new(None, cause, ConditionStatus::Affected);
        match (self.catalog.link(o), self.catalog.link(&probe)) {
            (Some(a), Some(b)) => a.id == b.id,
            _ => false,
        }
    }

    /// PedigreeRelationship resources: every parent–child link (child = patient, parent =
    /// relative), every couple once, every twin pair once.
    fn relationships(&mut self, families: &[Family]) -> Vec<Value> {
        let mut out = Vec::new();
        let mut seen: HashSet<(Uuid, Uuid, &str)> = HashSet::new();
        for f in families {
            for c in &f.children {
                let mut parents: Vec<Uuid> = f.partners.clone();
                parents.extend(c.links.iter().map(|l| l.parent).filter(|p| !f.partners.contains(p)));
                for q in parents {
                    let Some(parent) = self.by_id.get(&q) else { continue };
                    if !self.by_id.contains_key(&c.person) {
                        continue;
                    }
                    let kin = match c.relationship_to(q) {
                        ChildRelationship::Birth | ChildRelationship::Unknown => match parent.sex {
                            Sex::Male => KIN_FATHER,
                            Sex::Female => KIN_MOTHER,
                            _ => KIN_PARENT,
                        },
                        ChildRelationship::Adopted => KIN_ADOPTIVE,
                        ChildRelationship::Foster => KIN_FOSTER,
                        ChildRelationship::Step => KIN_STEP,
                        ChildRelationship::Sealing => KIN_PARENT_FIGURE,
                    };
                    if seen.insert((c.person, q, kin.0)) {
                        out.push(self.relationship(c.person, q, kin));
                    }
                }
            }
            let kin = if f.consanguineous { KIN_CONSANGUINEOUS } else { KIN_PARTNER };
            for (i, &a) in f.partners.iter().enumerate() {
                for &b in &f.partners[i + 1..] {
                    if self.by_id.contains_key(&a) && self.by_id.contains_key(&b) && seen.insert((a, b, kin.0)) {
                        out.push(self.relationship(a, b, kin));
                    }
                }
            }
            for TwinSet { members, zygosity } in &f.twins {
                let kin = match zygosity {
                    Zygosity::Monozygotic => KIN_MZ_TWIN,
                    Zygosity::Dizygotic => KIN_DZ_TWIN,
                    Zygosity::Unknown => KIN_TWIN,
                };
                for (i, &a) in members.iter().enumerate() {
                    for &b in &members[i + 1..] {
                        if self.by_id.contains_key(&a) && self.by_id.contains_key(&b) && seen.insert((a, b, kin.0)) {
                            out.push(self.relationship(a, b, kin));
                        }
                    }
                }
            }
        }
        let sealing =
            out.iter().filter(|e| e["resource"]["relationship"]["coding"][0]["code"] == KIN_PARENT_FIGURE.0).count();
        if sealing > 0 {
            self.warnings.push(FormatWarning::new(
                Location::File,
                format!("{sealing} sealing links written as KIN:020 isParentFigure (KIN has no sealing code)"),
            ));
        }
        out
    }

    fn relationship(&self, patient: Uuid, relative: Uuid, (code, display): (&str, &str)) -> Value {
        let url = derived_url(&[patient.as_bytes(), relative.as_bytes(), code.as_bytes()]);
        let id = format!("{}-{}-{}", self.ids[&patient], code.replace(':', ""), self.ids[&relative]);
        // Ids longer than FHIR's 64 characters fall back to the derived UUID.
        let id = if id.len() <= 64 { id } else { url.trim_start_matches("urn:uuid:").to_string() };
        let resource = json!({
            "resourceType": "FamilyMemberHistory",
            "id": id,
            "meta": { "profile": [PROFILE_RELATIONSHIP] },
            "extension": [{ "url": PATIENT_RECORD, "valueReference": { "reference": full_url(relative) } }],
            "identifier": [{ "system": KINVAULT_RELATIONSHIP, "value": id }],
            "status": "completed",
            "patient": { "reference": full_url(patient) },
            "relationship": { "coding": [{ "system": KIN, "code": code, "display": display }] }
        });
        self.entry(url, resource)
    }
}

fn section(code: &str, title: &str, entries: Vec<Value>) -> Value {
    if entries.is_empty() {
        // cmp-1: a section needs text, entries or sub-sections.
        return json!({
            "title": title,
            "code": { "coding": [{ "system": SECTION_TYPE, "code": code }] },
            "text": {
                "status": "generated",
                "div": format!("<div xmlns=\"http://www.w3.org/1999/xhtml\">No {} recorded.</div>", title.to_lowercase())
            },
            "emptyReason": { "coding": [{ "system": LIST_EMPTY_REASON, "code": "unavailable", "display": "Unavailable" }] }
        });
    }
    json!({ "title": title, "code": { "coding": [{ "system": SECTION_TYPE, "code": code }] }, "entry": entries })
}

fn coding_value(system: &str, code: &str, display: &str, user_selected: bool) -> Value {
    let mut c = Map::new();
    c.insert("system".into(), json!(system));
    c.insert("code".into(), json!(code));
    if !display.is_empty() {
        c.insert("display".into(), json!(display));
    }
    if user_selected {
        c.insert("userSelected".into(), json!(true));
    }
    Value::Object(c)
}

fn outcome_dead() -> Value {
    json!({ "coding": [{ "system": SNOMED, "code": OUTCOME_DEAD.0, "display": OUTCOME_DEAD.1 }] })
}

/// An age in years as a FHIR `Age` (UCUM `a`).
fn age_value(years: f64) -> Value {
    json!({ "value": years, "unit": "years", "system": UCUM, "code": "a" })
}

fn onset(o: &ConditionObservation) -> Option<(&'static str, Value)> {
    let r = o.onset?;
    if r.min == r.max {
        Some(("onsetAge", age_value(r.min)))
    } else {
        Some(("onsetRange", json!({ "low": age_value(r.min), "high": age_value(r.max) })))
    }
}

fn human_name(n: &kinvault_model::PersonName) -> Option<Value> {
    let mut v = Map::new();
    if !n.surname.trim().is_empty() {
        v.insert("family".into(), json!(n.surname.trim()));
    }
    let given: Vec<&str> = n.given.split_whitespace().collect();
    if !given.is_empty() {
        v.insert("given".into(), json!(given));
    }
    if let Some(p) = n.prefix.as_deref().filter(|p| !p.trim().is_empty()) {
        v.insert("prefix".into(), json!([p.trim()]));
    }
    if let Some(s) = n.suffix.as_deref().filter(|s| !s.trim().is_empty()) {
        v.insert("suffix".into(), json!([s.trim()]));
    }
    (!v.is_empty()).then_some(Value::Object(v))
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

pub(crate) fn full_url(id: Uuid) -> String {
    format!("urn:uuid:{id}")
}

fn condition_url(p: &Person, o: &ConditionObservation) -> String {
    derived_url(&[p.id.as_bytes(), o.id.as_bytes(), b"Condition"])
}

/// A UUID (version 8) derived from the parts, so the same family gives the same file.
fn derived_url(parts: &[&[u8]]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update((p.len() as u64).to_le_bytes());
        h.update(p);
    }
    let digest = h.finalize();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    full_url(uuid::Builder::from_custom_bytes(bytes).into_uuid())
}

fn couple(a: Uuid, b: Uuid) -> (Uuid, Uuid) {
    if a < b {
        (a, b)
    } else {
        (b, a)
    }
}

/// The strongest union kind of every couple (married over partners over unknown).
fn partner_kinds(families: &[Family]) -> HashMap<(Uuid, Uuid), UnionKind> {
    let rank = |k: UnionKind| match k {
        UnionKind::Married => 2,
        UnionKind::Partners => 1,
        UnionKind::Unknown => 0,
    };
    let mut out: HashMap<(Uuid, Uuid), UnionKind> = HashMap::new();
    for f in families {
        for (i, &a) in f.partners.iter().enumerate() {
            for &b in &f.partners[i + 1..] {
                let e = out.entry(couple(a, b)).or_insert(f.kind);
                if rank(f.kind) > rank(*e) {
                    *e = f.kind;
                }
            }
        }
    }
    out
}

fn twin_zygosity(families: &[Family], a: Uuid, b: Uuid) -> Option<Zygosity> {
    families
        .iter()
        .flat_map(|f| &f.twins)
        .find(|t| t.members.contains(&a) && t.members.contains(&b))
        .map(|t| t.zygosity)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Maternal,
    Paternal,
}

/// The proband's ancestors through the mother and through the father (each parent included).
struct Sides {
    maternal: HashSet<PersonIx>,
    paternal: HashSet<PersonIx>,
}

impl Sides {
    fn new(graph: &FamilyGraph, proband: PersonIx) -> Sides {
        let mut maternal = HashSet::new();
        let mut paternal = HashSet::new();
        let parents: Vec<(PersonIx, Sex)> = graph
            .biological_parents(proband)
            .map(|q| (q, graph.sex(q)))
            .chain(graph.legal_parents(proband).map(|(q, _)| (q, graph.sex(q))))
            .collect();
        for (q, sex) in parents {
            let set = match sex {
                Sex::Female => &mut maternal,
                Sex::Male => &mut paternal,
                _ => continue,
            };
            set.insert(q);
            set.extend(graph.ancestor_indices(q, 62, Links::All).into_iter().map(|(a, _)| a));
        }
        Sides { maternal, paternal }
    }

    /// The side a blood relationship runs through: all its common ancestors on one side only.
    fn of(&self, graph: &FamilyGraph, rel: Option<&Relationship>) -> Option<Side> {
        let r = rel?;
        if r.ga < 2 || r.common_ancestors.is_empty() {
            return None;
        }
        let ixs: Vec<PersonIx> = r.common_ancestors.iter().filter_map(|&id| graph.index_of(id)).collect();
        let m = ixs.iter().any(|x| self.maternal.contains(x));
        let p = ixs.iter().any(|x| self.paternal.contains(x));
        match (m, p) {
            (true, false) => Some(Side::Maternal),
            (false, true) => Some(Side::Paternal),
            _ => None,
        }
    }
}

/// The v3 RoleCode for what `rel` says the relative (of sex `sex`) is to the proband.
fn role_code(
    rel: Option<&Relationship>,
    sex: Sex,
    side: Option<Side>,
    twin: Option<Zygosity>,
    union: Option<&UnionKind>,
) -> &'static str {
    let pick = |m: &'static str, f: &'static str, n: &'static str| match sex {
        Sex::Male => m,
        Sex::Female => f,
        _ => n,
    };
    let Some(r) = rel else { return "FAMMEMB" };
    let legal = match r.legal.as_slice() {
        [] => None,
        [k] => Some(*k),
        _ => return "FAMMEMB",
    };
    match r.kind {
        RelationKind::Same => "FAMMEMB",
        RelationKind::Partner => match union {
            Some(UnionKind::Married) => pick("HUSB", "WIFE", "SPS"),
            Some(UnionKind::Partners) => "DOMPART",
            _ => "SIGOTHR",
        },
        RelationKind::Blood | RelationKind::NonBirth => match (r.ga, r.gb, legal) {
            (1, 0, None) => pick("FTH", "MTH", "PRN"),
            (1, 0, Some(LegalKind::Adopted)) => pick("ADOPTF", "ADOPTM", "ADOPTP"),
            (1, 0, Some(LegalKind::Foster)) => pick("FTHFOST", "MTHFOST", "PRNFOST"),
            (1, 0, Some(LegalKind::Step)) => pick("STPFTH", "STPMTH", "STPPRN"),
            (0, 1, None) => pick("SON", "DAU", "NCHILD"),
            (0, 1, Some(LegalKind::Adopted)) => pick("SONADOPT", "DAUADOPT", "CHLDADOPT"),
            (0, 1, Some(LegalKind::Foster)) => pick("SONFOST", "DAUFOST", "CHLDFOST"),
            (0, 1, Some(LegalKind::Step)) => pick("STPSON", "STPDAU", "STPCHLD"),
            (1, 1, None) => match (twin, r.half) {
                (Some(Zygosity::Monozygotic), _) => pick("ITWINBRO", "ITWINSIS", "ITWIN"),
                (Some(Zygosity::Dizygotic), _) => pick("FTWINBRO", "FTWINSIS", "FTWIN"),
                (Some(Zygosity::Unknown), _) => pick("TWINBRO", "TWINSIS", "TWIN"),
                (None, true) => pick("HBRO", "HSIS", "HSIB"),
                (None, false) => pick("NBRO", "NSIS", "NSIB"),
            },
            (1, 1, Some(_)) => pick("BRO", "SIS", "SIB"),
            (2, 0, _) => match side {
                Some(Side::Maternal) => pick("MGRFTH", "MGRMTH", "MGRPRN"),
                Some(Side::Paternal) => pick("PGRFTH", "PGRMTH", "PGRPRN"),
                None => pick("GRFTH", "GRMTH", "GRPRN"),
            },
            (3, 0, _) => match side {
                Some(Side::Maternal) => pick("MGGRFTH", "MGGRMTH", "MGGRPRN"),
                Some(Side::Paternal) => pick("PGGRFTH", "PGGRMTH", "PGGRPRN"),
                None => pick("GGRFTH", "GGRMTH", "GGRPRN"),
            },
            (0, 2, _) => pick("GRNDSON", "GRNDDAU", "GRNDCHILD"),
            (2, 1, _) => match side {
                Some(Side::Maternal) => pick("MUNCLE", "MAUNT", "EXT"),
                Some(Side::Paternal) => pick("PUNCLE", "PAUNT", "EXT"),
                None => pick("UNCLE", "AUNT", "EXT"),
            },
            (1, 2, _) => pick("NEPHEW", "NIECE", "NIENEPH"),
            (2, 2, _) => match side {
                Some(Side::Maternal) => "MCOUSN",
                Some(Side::Paternal) => "PCOUSN",
                None => "COUSN",
            },
            _ => "EXT",
        },
        RelationKind::Step => match (r.ga, r.gb) {
            (1, 0) => pick("STPFTH", "STPMTH", "STPPRN"),
            (0, 1) => pick("STPSON", "STPDAU", "STPCHLD"),
            (1, 1) => pick("STPBRO", "STPSIS", "STPSIB"),
            _ => "FAMMEMB",
        },
        RelationKind::InLaw => match (r.ga, r.gb) {
            (1, 0) => pick("FTHINLAW", "MTHINLAW", "PRNINLAW"),
            (1, 1) => pick("BROINLAW", "SISINLAW", "SIBINLAW"),
            (0, 1) => pick("SONINLAW", "DAUINLAW", "CHLDINLAW"),
            _ => "INLAW",
        },
    }
}
