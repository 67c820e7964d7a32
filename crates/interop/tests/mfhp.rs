//! My Family Health Portrait import: an XML and a JSON family (tests/data/mfhp-family.*, written
//! by hand for these tests from the tool's save format — see the comment in the XML — not files
//! the tool produced), and malformed files rejected with where and why.

mod clinical;

use clinical::*;
use kinvault_catalog::Catalog;
use kinvault_interop::*;
use kinvault_model::*;

const XML: &str = include_str!("data/mfhp-family.xml");
const JSON: &str = include_str!("data/mfhp-family.json");

fn import(text: &str) -> Result<ImportedFamily, FormatError> {
    import_mfhp(text.as_bytes(), Catalog::builtin())
}

/// (code, label, onset) of a person's observations.
type Cond = (Option<(CodeSystem, String)>, String, Option<(f64, f64)>);

fn conditions(i: &ImportedFamily, x: &str) -> Vec<Cond> {
    i.person_by_xref(x)
        .unwrap()
        .conditions
        .iter()
        .map(|o| {
            assert_eq!(o.provenance, Provenance::Imported { format: "MFHP".into() });
            assert_eq!(o.status, ConditionStatus::Affected);
            (o.code.as_ref().map(|c| (c.system, c.code.clone())), o.label.clone(), o.onset.map(|r| (r.min, r.max)))
        })
        .collect()
}

fn snomed(code: &str) -> Option<(CodeSystem, String)> {
    Some((CodeSystem::Snomed, code.to_string()))
}

#[test]
fn xml_family_is_rebuilt_with_conditions_deaths_twins_and_parent_links() {
    let i = import(XML).unwrap();
    assert_eq!(i.persons.len(), 13, "the proband, 11 relatives, the implied other parent of the half-brother");
    let proband = i.person_by_xref("p-0001").unwrap();
    assert_eq!(i.proband, Some(proband.id));
    assert_eq!(proband.display_name(), "Ruth Calder");
    assert_eq!(proband.sex, Sex::Female);
    assert_eq!(proband.birth().unwrap().original, "14 SEP 1978");
    let s = summarize_import(&i);
    let parents = |x: &str| (s[x].father.as_deref(), s[x].mother.as_deref());
    assert_eq!(parents("p-0001"), (Some("p-0003"), Some("p-0002")));
    assert_eq!(parents("p-0008"), (Some("p-0003"), Some("p-0002")), "sister");
    assert_eq!(parents("p-0002"), (Some("p-0005"), Some("p-0004")), "mother's parents");
    assert_eq!(parents("p-0006"), (Some("p-0005"), Some("p-0004")), "maternal aunt");
    assert_eq!(parents("p-0007"), (None, Some("p-0006")), "cousin, by parent id");
    assert_eq!(parents("p-0009"), (None, Some("p-0008")), "niece, by parent id");
    assert_eq!(parents("p-0010"), (None, Some("p-0001")), "son");
    let other = "implied-other-parent-of-the-paternal-half-siblings";
    assert_eq!(parents("p-0011"), (Some("p-0003"), Some(other)), "paternal half-brother");
    assert_eq!(parents("p-0012"), (None, None), "grandson without a parent id: not placed");
    assert!(i.person_by_xref("p-0012").unwrap().notes[0].text.contains("GRNSON"));
    // Twins.
    let twins = &i.families.iter().find(|f| !f.twins.is_empty()).unwrap().twins[0];
    assert_eq!(twins.zygosity, Zygosity::Monozygotic);
    assert_eq!(twins.members, vec![proband.id, i.person_by_xref("p-0008").unwrap().id]);
    // Conditions: codes from the file, labels, onset ranges; causes of death.
    assert_eq!(conditions(&i, "p-0001"), [(snomed("254837009"), "Breast Cancer".into(), Some((40.0, 49.0)))]);
    assert_eq!(conditions(&i, "p-0002"), [(snomed("363443007"), "Ovarian Cancer".into(), Some((50.0, 59.0)))]);
    assert_eq!(conditions(&i, "p-0004"), [(snomed("254837009"), "Breast Cancer".into(), Some((60.0, 110.0)))]);
    assert_eq!(conditions(&i, "p-0005"), [(snomed("22298006"), "Heart Attack".into(), None)]);
    let cat = Catalog::builtin();
    assert_eq!(cat.link(&i.person_by_xref("p-0005").unwrap().conditions[0]).unwrap().id, "coronary-heart-disease");
    let mother = i.person_by_xref("p-0002").unwrap();
    assert_eq!(
        mother.vital_status,
        VitalStatus::Deceased { age: None, date: None, cause: Some("Ovarian Cancer".into()) }
    );
    assert_eq!(mother.notes[0].text, "My Family Health Portrait estimated age at death: 60–69 years");
    assert_eq!(i.person_by_xref("p-0003").unwrap().vital_status, VitalStatus::Alive { age: None });
    assert_eq!(i.person_by_xref("p-0004").unwrap().vital_status, VitalStatus::Unknown);
    let w: Vec<String> = i.warnings.iter().map(|w| w.to_string()).collect();
    assert!(w.iter().any(|m| m.contains("race and ethnicity (Ashkenazi Jewish ancestry included) not kept")), "{w:?}");
    assert!(w.iter().any(|m| m.contains("height, weight and activity not kept")), "{w:?}");
    assert!(w.iter().any(|m| m.contains("p-0012 (GRNSON) could not be placed")), "{w:?}");
}

#[test]
fn json_family_is_rebuilt_with_implied_people_adoption_and_consanguinity() {
    let i = import(JSON).unwrap();
    assert_eq!(i.persons.len(), 11, "the proband, 9 relatives, the implied other parent of the half-sister");
    let s = summarize_import(&i);
    let parents = |x: &str| (s[x].father.as_deref(), s[x].mother.as_deref());
    assert_eq!(parents("a1"), (Some("a2"), Some("a3")));
    assert_eq!(parents("a7"), (Some("a2"), Some("a3")), "brother");
    assert_eq!(parents("a2"), (Some("a4"), None), "father's father");
    assert_eq!(parents("a5"), (Some("a4"), None), "paternal uncle");
    assert_eq!(parents("a6"), (Some("a5"), None), "cousin, by parent id");
    assert_eq!(parents("a8"), (Some("a7"), None), "nephew, by parent id");
    assert_eq!(parents("a10"), (Some("implied-other-parent-of-the-maternal-half-siblings"), Some("a3")));
    assert_eq!(s["a9"].legal_parents, [("a1".to_string(), ChildRelationship::Adopted)], "adopted daughter");
    let parents_family = i.families.iter().find(|f| f.children.iter().any(|c| Some(c.person) == i.proband)).unwrap();
    assert!(parents_family.consanguineous);
    // Conditions: the code given, the catalog's for a label alone, none for a condition the
    // catalog does not know; "Healthy" is not a condition.
    assert_eq!(conditions(&i, "a1"), [(snomed("44054006"), "Type 2 Diabetes".into(), Some((40.0, 49.0)))]);
    assert_eq!(
        conditions(&i, "a5"),
        [(Some((CodeSystem::Kinvault, "stroke".into())), "Stroke/Brain Attack".into(), Some((50.0, 54.0)))]
    );
    assert_eq!(conditions(&i, "a7"), [(None, "Gout".into(), Some((30.0, 39.0)))]);
    // Death: cause (not repeated as a second condition), estimated age at death as a note.
    let father = i.person_by_xref("a2").unwrap();
    assert_eq!(father.conditions.len(), 1);
    assert_eq!(
        father.vital_status,
        VitalStatus::Deceased { age: None, date: None, cause: Some("Heart Attack".into()) }
    );
    assert_eq!(father.notes[0].text, "My Family Health Portrait estimated age at death: 60–64 years");
    assert_eq!(i.person_by_xref("a3").unwrap().vital_status, VitalStatus::Alive { age: Some(78.0) });
    assert_eq!(i.person_by_xref("a4").unwrap().vital_status, VitalStatus::Unknown);
    assert_eq!(i.person_by_xref("a1").unwrap().birth().unwrap().original, "8 MAR 1971");
    let w: Vec<String> = i.warnings.iter().map(|w| w.to_string()).collect();
    assert!(
        w.iter()
            .any(|m| m
                == "race and ethnicity (Ashkenazi Jewish ancestry included) not kept (Kinvault does not record it)"),
        "{w:?}"
    );
    assert!(w.iter().any(|m| m.contains("height, weight and activity")), "{w:?}");
    assert!(!w.iter().any(|m| m.contains("lifestyle")), "an empty answer is not data: {w:?}");
    // The bare personal_information object (without the wrapper) reads the same.
    let bare: serde_json::Value = serde_json::from_str(JSON).unwrap();
    let again = import(&bare["personal_information"].to_string()).unwrap();
    assert_eq!(again.persons.len(), 11);
}

#[test]
fn malformed_files_are_rejected_with_where_and_why() {
    let xml_person = |inner: &str| {
        format!(
            "<FamilyHistory xmlns=\"urn:hl7-org:v3\"><subject><patient><patientPerson><id extension=\"p\"/>{inner}</patientPerson></patient></subject></FamilyHistory>"
        )
    };
    let rel = |code: &str, holder: &str| {
        format!("<relative><code code=\"{code}\"/><relationshipHolder>{holder}</relationshipHolder></relative>")
    };
    let cases: Vec<(String, &str, &str)> = vec![
        ("hello".into(), "file", "expected its XML (<FamilyHistory>) or JSON"),
        ("<FamilyHistory>\n<subject>\n</patient>\n</FamilyHistory>".into(), "line 3", "malformed XML"),
        ("<ClinicalDocument/>".into(), "ClinicalDocument", "expected <FamilyHistory>"),
        ("<FamilyHistory xmlns=\"urn:hl7-org:v3\"><subject/></FamilyHistory>".into(), "FamilyHistory/subject/patient/patientPerson", "required but missing"),
        (xml_person("<relative><relationshipHolder><id extension=\"r\"/></relationshipHolder></relative>"), "FamilyHistory/subject/patient/patientPerson/relative[0]/code", "a relative without a relationship code"),
        (xml_person(&rel("NMTH", "<id extension=\"p\"/>")), "FamilyHistory/subject/patient/patientPerson/relative[0]/relationshipHolder/id", "id p is used by two people"),
        (xml_person(&rel("NMTH", "<administrativeGenderCode code=\"1\" displayName=\"robot\"/>")), "FamilyHistory/subject/patient/patientPerson/relative[0]/relationshipHolder/administrativeGenderCode", "is not male or female"),
        (
            xml_person("<subjectOf2><clinicalObservation><code code=\"254837009\" codeSystemName=\"SNOMED_CT\"/><subject><dataEstimatedAge><value unit=\"kg\"><low value=\"4\"/></value></dataEstimatedAge></subject></clinicalObservation></subjectOf2>"),
            "FamilyHistory/subject/patient/patientPerson/subjectOf2[0]/clinicalObservation[0]/subject/dataEstimatedAge/value/@unit",
            "\"kg\" is not a unit of time",
        ),
        (
            xml_person("<subjectOf2><clinicalObservation><code code=\"254837009\" codeSystemName=\"SNOMED_CT\"/><subject><dataEstimatedAge><value unit=\"year\"><low value=\"50\"/><high value=\"40\"/></value></dataEstimatedAge></subject></clinicalObservation></subjectOf2>"),
            "FamilyHistory/subject/patient/patientPerson/subjectOf2[0]/clinicalObservation[0]/subject/dataEstimatedAge/value",
            "the low age is above the high age",
        ),
        (xml_person(&rel("NIECE", "<relative><code code=\"PAR\"/><relationshipHolder><id extension=\"n\"/></relationshipHolder></relative><id extension=\"n\"/>")), "FamilyHistory/subject/patient/patientPerson/relative[0]/relationshipHolder", "n is listed as their own parent"),
        ("{\"name\": \"x\",\n \"gender\": }".into(), "line 2, column 12", "not valid JSON"),
        ("{\"foo\": 1}".into(), "file", "not a My Family Health Portrait file"),
        ("{\"personal_information\": {\"name\": \"x\", \"gender\": \"robot\"}}".into(), "personal_information.gender", "\"robot\" is not MALE or FEMALE"),
        ("{\"name\": \"x\", \"father\": \"Bob\"}".into(), "father", "expected an object, found a string"),
        ("{\"name\": \"x\", \"Health History\": {}}".into(), "Health History", "expected an array, found an object"),
        ("{\"name\": \"x\", \"Health History\": [\"Gout\"]}".into(), "Health History[0]", "expected an object"),
        ("{\"name\": \"x\", \"mother\": {\"is_alive\": \"maybe\"}}".into(), "mother.is_alive", "\"maybe\" is not alive, dead or unknown"),
        ("{\"name\": \"x\", \"mother\": {\"age\": \"old\"}}".into(), "mother.age", "\"old\" is not an age in years"),
        ("{\"name\": \"x\", \"Health History\": [{\"Age At Diagnosis\": \"fifties\"}]}".into(), "Health History[0]", "a condition without a name or code"),
    ];
    for (text, at, why) in &cases {
        let e = import(text).expect_err(text);
        assert_eq!(e.format, Format::Mfhp, "{text}");
        assert_eq!(e.location.to_string(), *at, "{text}\n{e}");
        assert!(e.reason.contains(why), "{text}\n{e}");
    }
    let e = import_mfhp(b"{\"name\": \"\xff\"}", Catalog::builtin()).unwrap_err();
    assert_eq!(e.to_string(), "MFHP line 1: not UTF-8 text");
}

#[test]
fn unknown_age_words_and_relationships_are_warnings_not_errors() {
    let text = r#"{"name": "x", "gender": "FEMALE",
        "Health History": [{"Disease Name": "Cancer", "Detailed Disease Name": "Breast Cancer", "Age At Diagnosis": "a while ago"}],
        "second_cousin_0": {"relationship": "second_cousin", "name": "y"}}"#;
    let i = import(text).unwrap();
    assert_eq!(i.persons.len(), 1);
    assert_eq!(i.persons[0].conditions[0].onset, None);
    let w: Vec<String> = i.warnings.iter().map(|w| w.to_string()).collect();
    assert!(
        w.contains(&"Health History[0].Age At Diagnosis: age \"a while ago\" not understood: not kept".to_string()),
        "{w:?}"
    );
    assert!(
        w.contains(
            &"second_cousin_0: relative \"second_cousin_0\" is not a relationship the tool writes: not imported"
                .to_string()
        ),
        "{w:?}"
    );
}
