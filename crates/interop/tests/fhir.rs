//! HL7 FHIR R4: the family-history Bundle and the GA4GH Pedigree Bundle — their content,
//! validation by Python's fhir.resources, round trips, relationships rebuilt from RoleCodes, and
//! malformed files rejected with the path and the reason.

mod clinical;

use std::collections::BTreeMap;

use clinical::*;
use kinvault_catalog::Catalog;
use kinvault_interop::*;
use kinvault_model::*;
use serde_json::{json, Value};

fn options() -> FhirExportOptions {
    FhirExportOptions { date: Some("2026-01-31".into()), reason: Some("breast-cancer".into()) }
}

fn plain(f: &Fixture) -> Exported {
    export_fhir(&FamilySnapshot::new(&f.persons, &f.families, Some(f.proband)), Catalog::builtin(), &options()).unwrap()
}

fn ga4gh(f: &Fixture) -> Exported {
    export_ga4gh_pedigree(
        &FamilySnapshot::new(&f.persons, &f.families, Some(f.proband)),
        Catalog::builtin(),
        &options(),
    )
    .unwrap()
}

fn resources(text: &str) -> Vec<Value> {
    let v: Value = serde_json::from_str(text).unwrap();
    assert_eq!(v["resourceType"], "Bundle");
    assert_eq!(v["type"], "collection");
    v["entry"].as_array().unwrap().iter().map(|e| e["resource"].clone()).collect()
}

fn import(text: &str) -> Result<ImportedFamily, FormatError> {
    import_fhir(text.as_bytes(), Catalog::builtin())
}

#[test]
fn family_history_codes_each_relative_from_the_pedigree() {
    let f = fixture();
    let out = plain(&f);
    let res = resources(&out.text);
    assert_eq!(res[0]["resourceType"], "Patient");
    assert_eq!(res[0]["id"], "I9");
    // The proband's own observation (unaffected) is a refuted Condition.
    let cond = res.iter().find(|r| r["resourceType"] == "Condition").unwrap();
    assert_eq!(cond["verificationStatus"]["coding"][0]["code"], "refuted");
    let codes: BTreeMap<String, String> = res
        .iter()
        .filter(|r| r["resourceType"] == "FamilyMemberHistory")
        .map(|r| {
            assert_eq!(r["relationship"]["coding"][0]["system"], "http://terminology.hl7.org/CodeSystem/v3-RoleCode");
            (
                r["id"].as_str().unwrap().to_string(),
                r["relationship"]["coding"][0]["code"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let want = [
        ("I1", "PGRFTH"),
        ("I2", "PGRMTH"),
        ("I3", "MGRFTH"),
        ("I4", "MGRMTH"),
        ("I5", "FTH"),
        ("I6", "MTH"),
        ("I7", "PUNCLE"),
        ("I8", "MAUNT"),
        ("I10", "NSIS"),
        ("I11", "NBRO"),
        ("I12", "MCOUSN"),
        ("I13", "INLAW"),
        ("I14", "HUSB"),
        ("I15", "DAU"),
        ("I16", "SON"),
        ("I17", "STPMTH"),
        ("I18", "HBRO"),
        ("I19", "NIECE"),
        ("I20", "SONADOPT"),
    ];
    assert_eq!(codes, want.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect());
    // The maternal grandmother: coded condition with onset and the cause of death.
    let i4 = res.iter().find(|r| r["id"] == "I4").unwrap();
    assert_eq!(i4["sex"]["coding"][0]["code"], "female");
    assert_eq!(
        i4["deceasedAge"],
        json!({ "value": 60.0, "unit": "years", "system": "http://unitsofmeasure.org", "code": "a" })
    );
    let c = &i4["condition"][0];
    assert_eq!(
        c["code"]["coding"][0],
        json!({ "system": "http://hl7.org/fhir/sid/icd-10", "code": "C50", "display": "Breast cancer", "userSelected": true })
    );
    assert_eq!(c["code"]["coding"][1]["system"], "http://snomed.info/sct");
    assert_eq!(c["code"]["coding"][1]["code"], "254837009");
    assert_eq!(c["onsetAge"]["value"], 45.0);
    assert_eq!(c["contributedToDeath"], true);
    assert_eq!(c["outcome"]["coding"][0]["code"], "419099009");
    // A living relative: age, not birth date (fhs-1).
    let i6 = res.iter().find(|r| r["id"] == "I6").unwrap();
    assert_eq!(i6["ageAge"]["value"], 64.0);
    assert!(i6.get("bornDate").is_none());
    assert_eq!(i6["deceasedBoolean"], false);
    assert!(out.warnings.iter().any(|w| w.message.contains("genetic test results not written")));
    // No proband: an error, not a guess.
    let mut f2 = fixture();
    f2.persons.iter_mut().for_each(|p| p.proband = false);
    let e =
        export_fhir(&FamilySnapshot::new(&f2.persons, &f2.families, None), Catalog::builtin(), &options()).unwrap_err();
    assert!(e.reason.starts_with("no proband"), "{e}");
}

#[test]
fn ga4gh_pedigree_has_the_composition_individuals_and_kin_links() {
    let f = fixture();
    let res = resources(&ga4gh(&f).text);
    let comp = &res[0];
    assert_eq!(comp["resourceType"], "Composition");
    assert_eq!(comp["meta"]["profile"][0], "http://purl.org/ga4gh/pedigree-fhir-ig/StructureDefinition/Pedigree");
    assert_eq!(comp["type"]["coding"][0]["code"], "422432008");
    assert_eq!(comp["date"], "2026-01-31");
    let sections: Vec<&str> =
        comp["section"].as_array().unwrap().iter().map(|s| s["code"]["coding"][0]["code"].as_str().unwrap()).collect();
    assert_eq!(sections, ["proband", "reason", "individuals", "relationships", "other"]);
    // The proband is unaffected by the reason condition: the reason section is empty, with text.
    assert!(comp["section"][1]["entry"].is_null());
    assert!(comp["section"][1]["text"]["div"].as_str().unwrap().starts_with("<div"));
    assert_eq!(comp["section"][2]["entry"].as_array().unwrap().len(), 20);
    let patients = res.iter().filter(|r| r["resourceType"] == "Patient").count();
    assert_eq!(patients, 20);
    let rels: Vec<&Value> = res.iter().filter(|r| r["resourceType"] == "FamilyMemberHistory").collect();
    // 25 parent–child links (the adopted son's two are KIN:022) and 6 couples.
    assert_eq!(rels.len(), 31);
    let count = |code: &str| rels.iter().filter(|r| r["relationship"]["coding"][0]["code"] == code).count();
    assert_eq!((count("KIN:027"), count("KIN:028"), count("KIN:022"), count("KIN:026")), (12, 11, 2, 6));
    // The proband's mother link: patient = the proband, relative = her mother.
    let by_url: BTreeMap<String, String> = serde_json::from_str::<Value>(&ga4gh(&f).text).unwrap()["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["fullUrl"].as_str().unwrap().to_string(), e["resource"]["id"].as_str().unwrap().to_string()))
        .collect();
    let mother = rels
        .iter()
        .find(|r| {
            by_url[r["patient"]["reference"].as_str().unwrap()] == "I9"
                && r["relationship"]["coding"][0]["code"] == "KIN:027"
        })
        .unwrap();
    assert_eq!(by_url[mother["extension"][0]["valueReference"]["reference"].as_str().unwrap()], "I6");
    assert_eq!(
        mother["meta"]["profile"][0],
        "http://purl.org/ga4gh/pedigree-fhir-ig/StructureDefinition/PedigreeRelationship"
    );
    for forbidden in ["sex", "condition", "deceasedBoolean", "name"] {
        assert!(rels.iter().all(|r| r.get(forbidden).is_none()), "{forbidden} is 0..0 in PedigreeRelationship");
    }
}

#[test]
fn fhir_resources_validates_both_exports_and_rejects_a_broken_bundle() {
    let f = fixture();
    let dir = TempDir::new("fhir");
    let files = [("family-history.json", plain(&f).text), ("ga4gh-pedigree.json", ga4gh(&f).text)];
    let mut paths = vec![];
    for (name, text) in &files {
        let p = dir.0.join(name);
        std::fs::write(&p, text).unwrap();
        paths.push(p);
    }
    let Some((ok, output)) = fhir_validate(&paths) else { return };
    assert!(ok, "fhir.resources rejected an export:\n{output}");
    assert_eq!(output.matches("VALID ").count(), 2, "{output}");

    // The validator is not a rubber stamp: a FamilyMemberHistory without its required
    // relationship, and a dangling reference, are both reported.
    let bad = dir.0.join("broken.json");
    std::fs::write(
        &bad,
        json!({
            "resourceType": "Bundle", "type": "collection",
            "entry": [{ "fullUrl": "urn:uuid:0196a3c0-0000-7000-8000-000000000001",
                        "resource": { "resourceType": "FamilyMemberHistory", "status": "completed",
                                      "patient": { "reference": "urn:uuid:0196a3c0-0000-7000-8000-000000000002" } } }]
        })
        .to_string(),
    )
    .unwrap();
    let (ok, output) = fhir_validate(&[bad]).unwrap();
    assert!(!ok, "{output}");
    assert!(output.contains("relationship"), "{output}");
}

#[test]
fn family_history_round_trip_rebuilds_the_tree_the_codes_describe() {
    let f = fixture();
    let back = import(&plain(&f).text).unwrap();
    let before = summarize(&f.persons, &f.families);
    let after = summarize_import(&back);
    assert_eq!(after.len(), 20, "no implied people: every slot is in the file");
    let proband = back.person_by_xref("I9").unwrap();
    assert_eq!(back.proband, Some(proband.id));
    assert!(proband.proband);
    // Placed relatives keep their biological parents; conditions (codes, onset, status) and
    // vital status come back, but FamilyMemberHistory states only conditions a relative had.
    let placed = ["I1", "I2", "I3", "I4", "I5", "I6", "I7", "I8", "I9", "I10", "I11", "I14", "I15", "I16", "I17"];
    for x in placed {
        let (a, b) = (&after[x], &before[x]);
        assert_eq!((a.sex, &a.father, &a.mother), (b.sex, &b.father, &b.mother), "{x}");
        let affected: Vec<_> =
            b.conditions.iter().filter(|c| x == "I9" || c.2 == ConditionStatus::Affected).cloned().collect();
        assert_eq!(a.conditions, affected, "{x}");
        let vital = match (&b.vital, x) {
            // A Patient has no age: the proband's comes back without it.
            (VitalStatus::Alive { .. }, "I9") => VitalStatus::Alive { age: None },
            (v, _) => v.clone(),
        };
        assert_eq!(a.vital, vital, "{x}");
    }
    // The adopted son: adopted by both, as before.
    assert_eq!(after["I20"].legal_parents, before["I20"].legal_parents);
    // The stepmother is the father's partner.
    let (i5, i17) = (back.person_by_xref("I5").unwrap().id, back.person_by_xref("I17").unwrap().id);
    assert!(back.families.iter().any(|fam| fam.partners == vec![i5, i17]));
    // Relatives the codes cannot place: imported with a note and a warning.
    for (x, code) in [("I12", "MCOUSN"), ("I13", "INLAW"), ("I18", "HBRO"), ("I19", "NIECE")] {
        let p = back.person_by_xref(x).unwrap();
        assert!(p.notes[0].text.contains(&format!("({code})")), "{x}: {:?}", p.notes);
        assert!(after[x].father.is_none() && after[x].mother.is_none());
        assert!(back.warnings.iter().any(|w| w.message.starts_with(&format!("{x}: "))), "{x}");
    }
    // Provenance and codes of an imported observation.
    let i4 = back.person_by_xref("I4").unwrap();
    assert_eq!(i4.conditions[0].provenance, Provenance::Imported { format: "FHIR".into() });
    assert_eq!(i4.conditions[0].code, Some(Code::new(CodeSystem::Icd10, "C50", "Breast cancer")));
    // Exporting the import again gives the same relationship codes.
    let again =
        export_fhir(&FamilySnapshot::new(&back.persons, &back.families, back.proband), Catalog::builtin(), &options())
            .unwrap();
    let codes = |text: &str| -> BTreeMap<String, Value> {
        resources(text)
            .into_iter()
            .filter(|r| r["resourceType"] == "FamilyMemberHistory")
            .map(|r| (r["id"].as_str().unwrap().to_string(), r["relationship"]["coding"][0]["code"].clone()))
            .collect()
    };
    let (first, second) = (codes(&plain(&f).text), codes(&again.text));
    for x in placed.iter().filter(|x| **x != "I9") {
        assert_eq!(first[*x], second[*x], "{x}");
    }
}

#[test]
fn ga4gh_round_trip_keeps_the_whole_tree() {
    let f = fixture();
    let back = import(&ga4gh(&f).text).unwrap();
    assert_eq!(back.proband, Some(back.person_by_xref("I9").unwrap().id));
    assert!(back.warnings.is_empty(), "{:?}", back.warnings);
    let before = summarize(&f.persons, &f.families);
    let after = summarize_import(&back);
    assert_eq!(after.keys().collect::<Vec<_>>(), before.keys().collect::<Vec<_>>());
    for (x, b) in &before {
        let a = &after[x];
        assert_eq!(
            (a.sex, &a.father, &a.mother, &a.legal_parents),
            (b.sex, &b.father, &b.mother, &b.legal_parents),
            "{x}"
        );
        assert_eq!(a.conditions, b.conditions, "{x}");
        // A PedigreeIndividual says alive or deceased (or a death date): no ages, no cause.
        let vital = match &b.vital {
            VitalStatus::Alive { .. } => VitalStatus::Alive { age: None },
            VitalStatus::Deceased { .. } => VitalStatus::Deceased { age: None, date: None, cause: None },
            VitalStatus::Unknown => VitalStatus::Unknown,
        };
        assert_eq!(a.vital, vital, "{x}");
    }
    // Names and birth dates travel in Patient.
    let i1 = back.person_by_xref("I1").unwrap();
    assert_eq!(i1.display_name(), "Arthur Hale");
    assert_eq!(i1.birth().map(|d| d.original.as_str()), Some("1930"));
    // Exporting again gives the same Bundle.
    let again = export_ga4gh_pedigree(
        &FamilySnapshot::new(&back.persons, &back.families, back.proband),
        Catalog::builtin(),
        &options(),
    )
    .unwrap();
    let ids = |text: &str| -> Vec<String> {
        let mut v: Vec<String> = resources(text).iter().map(|r| r["id"].as_str().unwrap().to_string()).collect();
        v.sort();
        v
    };
    assert_eq!(ids(&again.text), ids(&ga4gh(&f).text));
}

#[test]
fn twins_and_consanguinity_survive_both_forms() {
    let mut dad = Person::new(PersonName::new("D", "T"), Sex::Male);
    dad.xref = Some("D".into());
    let mut mum = Person::new(PersonName::new("M", "T"), Sex::Female);
    mum.xref = Some("M".into());
    let mut a = Person::new(PersonName::new("A", "T"), Sex::Female);
    a.xref = Some("A".into());
    a.proband = true;
    let mut b = Person::new(PersonName::new("B", "T"), Sex::Female);
    b.xref = Some("B".into());
    let mut fam = Family::new(vec![dad.id, mum.id]);
    fam.consanguineous = true;
    fam.children = vec![FamilyChild { person: a.id, links: vec![] }, FamilyChild { person: b.id, links: vec![] }];
    fam.twins = vec![TwinSet { members: vec![a.id, b.id], zygosity: Zygosity::Monozygotic }];
    let persons = vec![dad, mum, a, b];
    let families = vec![fam];
    let snap = FamilySnapshot::new(&persons, &families, None);

    let g = export_ga4gh_pedigree(&snap, Catalog::builtin(), &FhirExportOptions::default()).unwrap();
    assert!(g.text.contains("KIN:010") && g.text.contains("KIN:030"));
    let back = import(&g.text).unwrap();
    assert_eq!(back.families.len(), 1);
    assert!(back.families[0].consanguineous);
    assert_eq!(back.families[0].twins[0].zygosity, Zygosity::Monozygotic);
    assert_eq!(back.families[0].twins[0].members.len(), 2);

    let p = export_fhir(&snap, Catalog::builtin(), &FhirExportOptions::default()).unwrap();
    assert!(p.text.contains("\"ITWINSIS\""), "{}", p.text);
    let back = import(&p.text).unwrap();
    let twins = &back.families.iter().find(|f| !f.twins.is_empty()).unwrap().twins[0];
    assert_eq!((twins.zygosity, twins.members.len()), (Zygosity::Monozygotic, 2));
}

/// A family history as another system might write it: relative references by `Patient/id`,
/// a maternal grandmother and aunt without the mother, a half-sister, text-only conditions,
/// onset ranges and months.
#[test]
fn third_party_family_history_is_placed_with_implied_people() {
    let text = json!({
        "resourceType": "Bundle", "type": "collection",
        "entry": [
            { "resource": { "resourceType": "Patient", "id": "pat", "gender": "female", "birthDate": "1980-05-02",
                            "name": [{ "family": "Doe", "given": ["Jane", "Q"] }] } },
            { "resource": { "resourceType": "FamilyMemberHistory", "id": "gm", "status": "completed",
                "patient": { "reference": "Patient/pat" },
                "relationship": { "coding": [{ "system": "http://terminology.hl7.org/CodeSystem/v3-RoleCode", "code": "MGRMTH" }] },
                "deceasedBoolean": true,
                "condition": [{ "code": { "coding": [{ "system": "http://snomed.info/sct", "code": "363443007" }] },
                                "onsetRange": { "low": { "value": 50, "code": "a" }, "high": { "value": 59, "code": "a" } } }] } },
            { "resource": { "resourceType": "FamilyMemberHistory", "id": "aunt", "status": "completed",
                "patient": { "reference": "Patient/pat" },
                "relationship": { "coding": [{ "system": "http://terminology.hl7.org/CodeSystem/v3-RoleCode", "code": "MAUNT" }] },
                "condition": [{ "code": { "text": "Breast Cancer" }, "onsetAge": { "value": 540, "unit": "months", "system": "http://unitsofmeasure.org", "code": "mo" } }] } },
            { "resource": { "resourceType": "FamilyMemberHistory", "id": "half", "status": "completed",
                "patient": { "reference": "Patient/pat" },
                "relationship": { "coding": [{ "system": "http://terminology.hl7.org/CodeSystem/v3-RoleCode", "code": "HSIS" }] } } }
        ]
    })
    .to_string();
    let i = import(&text).unwrap();
    assert_eq!(i.persons.len(), 5, "pat, gm, aunt, half and the implied mother");
    let mum = i.person_by_xref("implied-mother").unwrap();
    assert_eq!(mum.sex, Sex::Female);
    assert!(mum.notes[0].text.starts_with("Implied mother of the proband"));
    let s = summarize_import(&i);
    assert_eq!(s["pat"].mother.as_deref(), Some("implied-mother"));
    assert_eq!(s["implied-mother"].mother.as_deref(), Some("gm"));
    assert_eq!(s["aunt"].mother.as_deref(), Some("gm"));
    assert_eq!(s["gm"].sex, Sex::Female, "sex implied by MGRMTH");
    let gm = i.person_by_xref("gm").unwrap();
    assert_eq!(gm.conditions[0].label, "Ovarian cancer", "label from the catalog for a code alone");
    assert_eq!(gm.conditions[0].onset, Some(AgeRange { min: 50.0, max: 59.0 }));
    assert_eq!(gm.vital_status, VitalStatus::Deceased { age: None, date: None, cause: None });
    let aunt = i.person_by_xref("aunt").unwrap();
    assert_eq!(aunt.conditions[0].code.as_ref().unwrap().code, "breast-cancer", "code from the catalog for a label");
    assert_eq!(aunt.conditions[0].onset, Some(AgeRange::exact(45.0)));
    let pat = i.person_by_xref("pat").unwrap();
    assert_eq!(pat.display_name(), "Jane Q Doe");
    assert_eq!(pat.birth().unwrap().original, "2 MAY 1980");
    assert!(i.warnings.iter().any(|w| w.message.contains("added the proband's mother")));
    assert!(
        i.warnings.iter().any(|w| w.message.starts_with("half: half-sister (HSIS) could not be placed")),
        "{:?}",
        i.warnings
    );
}

/// Each malformed Bundle: its error's location and a part of its reason.
#[test]
fn malformed_bundles_are_rejected_with_path_and_reason() {
    let rc = "http://terminology.hl7.org/CodeSystem/v3-RoleCode";
    let pat = json!({ "fullUrl": "urn:uuid:p", "resource": { "resourceType": "Patient", "id": "p" } });
    let fmh = |extra: Value| {
        let mut r = json!({ "resourceType": "FamilyMemberHistory", "status": "completed",
                            "patient": { "reference": "urn:uuid:p" },
                            "relationship": { "coding": [{ "system": rc, "code": "MTH" }] } });
        for (k, v) in extra.as_object().unwrap() {
            if v.is_null() {
                r.as_object_mut().unwrap().remove(k);
            } else {
                r[k] = v.clone();
            }
        }
        json!({ "resource": r })
    };
    let bundle =
        |entries: Vec<Value>| json!({ "resourceType": "Bundle", "type": "collection", "entry": entries }).to_string();
    let kin = |patient: &str, relative: &str, code: &str| {
        json!({ "resource": { "resourceType": "FamilyMemberHistory", "status": "completed",
            "patient": { "reference": patient },
            "extension": [{ "url": "http://hl7.org/fhir/StructureDefinition/familymemberhistory-patient-record",
                            "valueReference": { "reference": relative } }],
            "relationship": { "coding": [{ "system": "http://purl.org/ga4gh/kin.fhir", "code": code }] } } })
    };
    let person = |id: &str, gender: &str| json!({ "fullUrl": format!("urn:uuid:{id}"), "resource": { "resourceType": "Patient", "id": id, "gender": gender } });
    let cases: Vec<(String, Format, &str, &str)> = vec![
        (
            "{\n  \"resourceType\": \"Bundle\",\n  \"entry\": [,]\n}".into(),
            Format::Fhir,
            "line 3, column 13",
            "not valid JSON",
        ),
        (
            json!({ "resourceType": "Patient" }).to_string(),
            Format::Fhir,
            "resourceType",
            "expected a Bundle, found Patient",
        ),
        (json!({ "entry": [] }).to_string(), Format::Fhir, "resourceType", "is this a FHIR resource?"),
        (bundle(vec![]), Format::Fhir, "entry", "the Bundle has no entries"),
        (bundle(vec![json!({ "fullUrl": "x" })]), Format::Fhir, "entry[0].resource", "an entry without a resource"),
        (
            bundle(vec![pat.clone(), fmh(json!({ "relationship": null }))]),
            Format::Fhir,
            "entry[1].resource.relationship",
            "required but missing",
        ),
        (
            bundle(vec![pat.clone(), fmh(json!({ "patient": { "reference": "urn:uuid:nobody" } }))]),
            Format::Fhir,
            "entry[1].resource.patient.reference",
            "urn:uuid:nobody is not in the Bundle",
        ),
        (
            bundle(vec![
                pat.clone(),
                person("q", "male"),
                fmh(json!({})),
                fmh(json!({ "patient": { "reference": "urn:uuid:q" } })),
            ]),
            Format::Fhir,
            "entry[3].resource.patient",
            "about different patients",
        ),
        (
            bundle(vec![
                pat.clone(),
                fmh(
                    json!({ "sex": { "coding": [{ "system": "http://hl7.org/fhir/administrative-gender", "code": "f" }] } }),
                ),
            ]),
            Format::Fhir,
            "entry[1].resource.sex.coding[0].code",
            "\"f\" is not an administrative gender",
        ),
        (
            bundle(vec![
                pat.clone(),
                fmh(json!({ "condition": [{ "code": { "text": "x" }, "onsetAge": { "value": 4, "code": "kg" } }] })),
            ]),
            Format::Fhir,
            "entry[1].resource.condition[0].onsetAge.code",
            "\"kg\" is not a unit of time",
        ),
        (
            bundle(vec![pat.clone(), fmh(json!({ "condition": [{ "onsetAge": { "value": 4, "code": "a" } }] }))]),
            Format::Fhir,
            "entry[1].resource.condition[0].code",
            "required but missing",
        ),
        (
            bundle(vec![pat.clone(), fmh(json!({ "relationship": { "coding": "MTH" } }))]),
            Format::Fhir,
            "entry[1].resource.relationship.coding",
            "expected an array, found a string",
        ),
        (
            bundle(vec![pat.clone(), fmh(json!({ "ageAge": { "value": 900, "code": "a" } }))]),
            Format::Fhir,
            "entry[1].resource.ageAge.value",
            "not a plausible age",
        ),
        (
            bundle(vec![
                json!({ "resource": { "resourceType": "Condition", "subject": { "reference": "urn:uuid:p" } } }),
            ]),
            Format::Fhir,
            "file",
            "no Patient and no FamilyMemberHistory",
        ),
        (
            bundle(vec![
                pat.clone(),
                json!({ "resource": { "resourceType": "Condition", "subject": { "reference": "urn:uuid:x" } } }),
            ]),
            Format::Fhir,
            "entry[1].resource.subject.reference",
            "urn:uuid:x is not in the Bundle",
        ),
        (
            bundle(vec![person("q", "x")]),
            Format::Fhir,
            "entry[0].resource.gender",
            "\"x\" is not an administrative gender",
        ),
        (
            bundle(vec![pat.clone(), person("q", "male")]),
            Format::Fhir,
            "entry[1].resource",
            "several Patients and no FamilyMemberHistory or Composition",
        ),
        (
            bundle(vec![
                person("a", "female"),
                person("b", "female"),
                json!({ "resource": { "resourceType": "FamilyMemberHistory", "status": "completed", "patient": { "reference": "urn:uuid:a" },
                "extension": [{ "url": "http://hl7.org/fhir/StructureDefinition/familymemberhistory-patient-record", "valueReference": { "reference": "urn:uuid:b" } }],
                "relationship": { "coding": [{ "system": rc, "code": "MTH" }] } } }),
            ]),
            Format::Ga4ghPedigree,
            "entry[2].resource.relationship",
            "no coding from the KIN code system",
        ),
        (
            bundle(vec![
                person("a", "female"),
                person("b", "female"),
                json!({ "resource": { "resourceType": "Composition" } }),
                json!({ "resource": { "resourceType": "FamilyMemberHistory", "status": "completed", "patient": { "reference": "urn:uuid:a" },
                "relationship": { "coding": [{ "system": "http://purl.org/ga4gh/kin.fhir", "code": "KIN:027" }] } } }),
            ]),
            Format::Ga4ghPedigree,
            "entry[3].resource.extension",
            "needs the http://hl7.org/fhir/StructureDefinition/familymemberhistory-patient-record extension",
        ),
        (
            bundle(vec![
                person("a", "female"),
                person("b", "female"),
                person("c", "female"),
                kin("urn:uuid:a", "urn:uuid:b", "KIN:027"),
                kin("urn:uuid:a", "urn:uuid:c", "KIN:027"),
            ]),
            Format::Ga4ghPedigree,
            "entry[4].resource",
            "a would have two biological mothers",
        ),
        (
            bundle(vec![
                person("a", "female"),
                person("b", "male"),
                kin("urn:uuid:a", "urn:uuid:b", "KIN:028"),
                kin("urn:uuid:b", "urn:uuid:a", "KIN:027"),
            ]),
            Format::Ga4ghPedigree,
            "file",
            "is their own ancestor",
        ),
        (
            bundle(vec![person("a", "female"), kin("urn:uuid:a", "urn:uuid:a", "KIN:027")]),
            Format::Ga4ghPedigree,
            "entry[1].resource",
            "the individual and the relative are the same Patient",
        ),
        (
            bundle(vec![
                person("a", "female"),
                json!({ "fullUrl": "urn:uuid:c", "resource": { "resourceType": "Condition", "subject": { "reference": "urn:uuid:a" } } }),
                kin("urn:uuid:a", "urn:uuid:c", "KIN:027"),
            ]),
            Format::Ga4ghPedigree,
            "entry[2].resource.extension[0].valueReference.reference",
            "urn:uuid:c is a Condition, expected a Patient",
        ),
    ];
    for (text, format, at, why) in &cases {
        let e = import(text).expect_err(text);
        assert_eq!((e.format, e.location.to_string().as_str()), (*format, *at), "{text}\n{e}");
        assert!(e.reason.contains(why), "{text}\n{e}");
    }
}
