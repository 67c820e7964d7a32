//! Focused mapping rules: one GEDCOM feature per test, import and (where it matters) export.

mod common;

use common::model_difference;
use kinvault_interop::gedcom::*;
use kinvault_model::*;

fn import(text: &str) -> Imported {
    let doc = kinvault_gedcom::read(text.as_bytes()).expect("test input is GEDCOM");
    import_records(&doc.records)
}

fn all_options(version: WriteVersion) -> ExportOptions {
    let mut o = ExportOptions::new(version, 2026);
    o.include_living = true;
    o.include_health = true;
    o
}

fn export(i: &Imported, o: ExportOptions) -> (String, ExportCounts) {
    let (bytes, counts) = export_records(&i.persons, &i.families, &i.sources, &i.raw_records, o);
    (String::from_utf8(bytes).unwrap(), counts)
}

/// import → export (everything included) → import must give the same model.
fn assert_round_trip(i: &Imported, version: WriteVersion) -> String {
    let (text, _) = export(i, all_options(version));
    let again = import(&text);
    if let Some(d) = model_difference(i, &again) {
        panic!("round trip ({version:?}) differs: {d}\n--- export ---\n{text}");
    }
    text
}

const HEAD551: &str = "0 HEAD\n1 GEDC\n2 VERS 5.5.1\n1 CHAR UTF-8\n";
const HEAD70: &str = "0 HEAD\n1 GEDC\n2 VERS 7.0\n";

fn ged(head: &str, body: &str) -> String {
    format!("{head}{body}0 TRLR\n")
}

fn person<'a>(i: &'a Imported, xref: &str) -> &'a Person {
    i.persons.iter().find(|p| p.xref.as_deref() == Some(xref)).unwrap_or_else(|| panic!("no {xref}"))
}

#[test]
fn pedi_adopted_applies_to_both_parents_even_when_the_family_comes_first() {
    let i = import(&ged(
        HEAD551,
        "0 @F1@ FAM\n1 HUSB @I1@\n1 WIFE @I2@\n1 CHIL @I3@\n\
         0 @I1@ INDI\n1 NAME Al /A/\n1 SEX M\n1 FAMS @F1@\n\
         0 @I2@ INDI\n1 NAME Bea /B/\n1 SEX F\n1 FAMS @F1@\n\
         0 @I3@ INDI\n1 NAME Cy /A/\n1 FAMC @F1@\n2 PEDI adopted\n",
    ));
    let f = &i.families[0];
    let (al, bea, cy) = (person(&i, "@I1@").id, person(&i, "@I2@").id, person(&i, "@I3@").id);
    assert_eq!(f.partners, vec![al, bea]);
    assert_eq!(f.children[0].person, cy);
    assert_eq!(f.children[0].relationship_to(al), ChildRelationship::Adopted);
    assert_eq!(f.children[0].relationship_to(bea), ChildRelationship::Adopted);
    assert!(person(&i, "@I3@").unmapped.is_empty(), "PEDI is mapped, FAMC is regenerated");
    let text = assert_round_trip(&i, WriteVersion::V5_5_1);
    assert!(text.contains("1 FAMC @F1@\n2 PEDI adopted\n"), "{text}");
    let text = assert_round_trip(&i, WriteVersion::V7_0);
    assert!(text.contains("2 PEDI ADOPTED\n"), "{text}");
}

#[test]
fn frel_mrel_give_per_parent_relationships() {
    let i = import(&ged(
        HEAD551,
        "0 @I1@ INDI\n1 NAME Dad /A/\n1 SEX M\n0 @I2@ INDI\n1 NAME Mum /B/\n1 SEX F\n0 @I3@ INDI\n1 NAME Kid /A/\n\
         0 @F1@ FAM\n1 HUSB @I1@\n1 WIFE @I2@\n1 CHIL @I3@\n2 _FREL Step\n2 _MREL Natural\n",
    ));
    let c = &i.families[0].children[0];
    assert_eq!(c.relationship_to(person(&i, "@I1@").id), ChildRelationship::Step);
    assert_eq!(c.relationship_to(person(&i, "@I2@").id), ChildRelationship::Birth);
    assert!(i.families[0].unmapped.is_empty());
    let text = assert_round_trip(&i, WriteVersion::V5_5_1);
    assert!(text.contains("1 CHIL @I3@\n2 _FREL Step\n2 _MREL Natural\n"), "{text}");
    // Both adopted: said once, as PEDI on the child's FAMC.
    let i = import(&ged(
        HEAD551,
        "0 @I1@ INDI\n0 @I2@ INDI\n1 SEX F\n0 @I3@ INDI\n\
         0 @F1@ FAM\n1 HUSB @I1@\n1 WIFE @I2@\n1 CHIL @I3@\n2 _FREL Adopted\n2 _MREL Adopted\n",
    ));
    let text = assert_round_trip(&i, WriteVersion::V5_5_1);
    assert!(text.contains("1 FAMC @F1@\n2 PEDI adopted\n") && !text.contains("_FREL"), "{text}");
}

#[test]
fn death_cause_becomes_an_unverified_observation_and_stays_on_the_death() {
    let i = import(&ged(
        HEAD551,
        "0 @I1@ INDI\n1 NAME Ann /Lee/\n1 DEAT\n2 DATE 3 MAR 1950\n2 AGE 61y\n2 CAUS Breast cancer\n",
    ));
    let p = person(&i, "@I1@");
    assert_eq!(p.conditions.len(), 1);
    let c = &p.conditions[0];
    assert_eq!(c.label, "Breast cancer");
    assert_eq!(c.status, ConditionStatus::Affected);
    assert_eq!(c.provenance, Provenance::Imported { format: "GEDCOM DEAT.CAUS".into() });
    assert_eq!(c.note.as_deref(), Some("imported from GEDCOM, unverified"));
    match &p.vital_status {
        VitalStatus::Deceased { age, date, cause } => {
            assert_eq!(*age, Some(61.0));
            assert_eq!(date.as_ref().map(|d| d.original.as_str()), Some("3 MAR 1950"));
            assert_eq!(cause.as_deref(), Some("Breast cancer"));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(i.summary.counts.health_observations, 1);
    let text = assert_round_trip(&i, WriteVersion::V5_5_1);
    assert_eq!(text.matches("CAUS Breast cancer").count(), 1, "written once, inside DEAT: {text}");
    assert!(!text.contains("_KV_COND"), "{text}");
    // Edited in Kinvault (coded): goes out as _KV_COND, comes back in the cause's place.
    let mut edited = i.clone();
    edited.persons[0].conditions[0].code = Some(Code::new(CodeSystem::Snomed, "254837009", "Breast cancer"));
    let text = assert_round_trip(&edited, WriteVersion::V7_0);
    assert!(text.contains("1 _KV_COND Breast cancer\n"), "{text}");
}

#[test]
fn mdcl_and_medical_facts_become_observations_in_their_original_form() {
    let i = import(&ged(
        HEAD551,
        "0 @I1@ INDI\n1 NAME Phil /P/\n\
         1 _MDCL Decapitated, but recovered\n2 DATE 08 AUG 1978\n2 PLAC San Antonio\n\
         1 EVEN Diabetes type 2\n2 TYPE Medical condition\n2 DATE 1990\n\
         1 FACT Asthma\n2 TYPE medical\n\
         1 _ATTR Caries\n2 TYPE Medical Condition\n\
         1 EVEN Won a prize\n2 TYPE Award\n",
    ));
    let p = person(&i, "@I1@");
    let labels: Vec<(&str, &str)> = p
        .conditions
        .iter()
        .map(|c| {
            let Provenance::Imported { format } = &c.provenance else { panic!() };
            (c.label.as_str(), format.as_str())
        })
        .collect();
    assert_eq!(
        labels,
        vec![
            ("Decapitated, but recovered", "GEDCOM _MDCL"),
            ("Diabetes type 2", "GEDCOM EVEN TYPE Medical condition"),
            ("Asthma", "GEDCOM FACT TYPE medical"),
            ("Caries", "GEDCOM _ATTR TYPE Medical Condition"),
        ]
    );
    assert_eq!(p.conditions[0].unmapped.len(), 2, "DATE and PLAC kept with the observation");
    assert_eq!(p.events.len(), 1, "only the award stays an event");
    assert_eq!(p.events[0].kind, EventKind::Custom("Award".into()));
    let text = assert_round_trip(&i, WriteVersion::V5_5_1);
    assert!(text.contains("1 _MDCL Decapitated, but recovered\n2 DATE 08 AUG 1978\n2 PLAC San Antonio\n"), "{text}");
    assert!(text.contains("1 EVEN Diabetes type 2\n2 TYPE Medical condition\n2 DATE 1990\n"), "{text}");
    assert!(text.contains("1 FACT Asthma\n2 TYPE medical\n"), "{text}");
    assert_round_trip(&i, WriteVersion::V7_0);
}

#[test]
fn health_is_left_out_unless_asked_for() {
    let mut i = import(&ged(
        HEAD551,
        "0 @I1@ INDI\n1 NAME Old /One/\n1 BIRT\n2 DATE 1850\n1 DEAT\n2 DATE 1900\n2 CAUS Tuberculosis\n\
         1 _MDCL Gout\n1 EVEN Diabetes\n2 TYPE Medical\n1 _ATTR Caries\n2 TYPE Medical Condition\n1 OCCU Smith\n",
    ));
    let p = &mut i.persons[0];
    let mut cond = ConditionObservation::new(None, "Cystic fibrosis", ConditionStatus::Affected);
    cond.onset = Some(AgeRange { min: 40.0, max: 49.0 });
    p.conditions.push(cond);
    p.genetic_tests.push(GeneticTest {
        id: new_id(),
        gene: "CFTR".into(),
        variant: Some("NM_000492.4:c.1521_1523del".into()),
        acmg_class: Some(AcmgClass::Pathogenic),
        result: TestResult::Positive,
        method: None,
        sensitivity: Some(0.99),
        lab: None,
        date: Some(GDate::parse("2020")),
        provenance: Provenance::MedicalRecord,
    });
    p.proband = true;
    let (private, counts) = export(&i, ExportOptions::new(WriteVersion::V7_0, 2026));
    for word in ["Tuberculosis", "Gout", "Diabetes", "Caries", "Cystic", "CFTR", "_KV_", "Medical"] {
        assert!(!private.contains(word), "{word} leaked:\n{private}");
    }
    assert!(private.contains("1 OCCU Smith") && private.contains("2 DATE 1900"), "the rest is there: {private}");
    assert_eq!(counts.health_excluded, 7, "{counts:?}");
    let text = assert_round_trip(&i, WriteVersion::V7_0);
    assert!(
        text.contains("1 _KV_COND Cystic fibrosis\n2 _STAT affected\n2 _ONSET 40-49\n2 _PROV self_reported\n"),
        "{text}"
    );
    assert!(
        text.contains("1 _KV_GTEST CFTR\n2 _VAR NM_000492.4:c.1521_1523del\n2 _ACMG pathogenic\n2 _RES positive\n"),
        "{text}"
    );
    assert!(text.contains("2 TAG _KV_COND https://kinvault.org/gedcom/kv-cond\n"), "declared in SCHMA: {text}");
    assert!(text.contains("1 _KV_PROBAND Y\n"), "{text}");
    assert_round_trip(&i, WriteVersion::V5_5_1);
}

#[test]
fn living_people_are_left_out_with_their_links() {
    let mut i = import(&ged(
        HEAD551,
        "0 @I1@ INDI\n1 NAME Grandpa /G/\n1 SEX M\n1 BIRT\n2 DATE 1900\n1 FAMS @F1@\n\
         0 @I2@ INDI\n1 NAME Grandma /G/\n1 SEX F\n1 DEAT Y\n1 FAMS @F1@\n\
         0 @I3@ INDI\n1 NAME Dad /G/\n1 SEX M\n1 BIRT\n2 DATE ABT 1950\n1 FAMC @F1@\n1 FAMS @F2@\n1 ASSO @I1@\n2 RELA Friend\n\
         0 @I4@ INDI\n1 NAME Mum /M/\n1 SEX F\n1 FAMS @F2@\n1 _NOTE see @I3@\n1 NOTE @N1@\n1 NOTE @N2@\n\
         0 @I5@ INDI\n1 NAME Kid /G/\n1 BIRT\n2 DATE 1980\n1 FAMC @F2@\n\
         0 @I6@ INDI\n1 NAME Uncle /G/\n1 BIRT\n2 DATE BEF 1916\n1 FAMC @F1@\n1 _FRIEND @I3@\n\
         0 @F1@ FAM\n1 HUSB @I1@\n1 WIFE @I2@\n1 CHIL @I3@\n1 CHIL @I6@\n1 MARR\n2 DATE 1925\n\
         0 @F2@ FAM\n1 HUSB @I3@\n1 WIFE @I4@\n1 CHIL @I5@\n1 MARR\n2 DATE 1975\n\
         0 @N1@ NOTE Mum's private note\n0 @N2@ NOTE shared with Grandpa\n0 @N3@ NOTE nobody's\n",
    ));
    i.persons[0].unmapped.push(RawStructure { tag: "NOTE".into(), pointer: Some("N2".into()), ..Default::default() });
    assert!(!is_living(person(&i, "@I1@"), 110, 2026), "born 1900");
    assert!(!is_living(person(&i, "@I2@"), 110, 2026), "dead");
    assert!(is_living(person(&i, "@I3@"), 110, 2026), "born about 1950");
    assert!(is_living(person(&i, "@I4@"), 110, 2026), "nothing known: living, to be safe");
    assert!(!is_living(person(&i, "@I6@"), 110, 2026), "before 1916: at least 110");
    assert!(is_living(person(&i, "@I6@"), 112, 2026));
    let (text, counts) = export(&i, ExportOptions::new(WriteVersion::V5_5_1, 2026));
    assert_eq!(counts.living_excluded, 3);
    assert_eq!(counts.records_excluded, 1, "the note only a living person points at");
    assert!(!text.contains("private note") && text.contains("0 @N2@ NOTE") && text.contains("0 @N3@ NOTE"), "{text}");
    assert_eq!((counts.individuals, counts.families), (3, 1), "F2 has only living members");
    for word in ["Dad", "Mum", "Kid", "@I3@", "@I4@", "@I5@", "@F2@", "1975"] {
        assert!(!text.contains(word), "{word} leaked:\n{text}");
    }
    assert!(text.contains("0 @F1@ FAM\n1 HUSB @I1@\n1 WIFE @I2@\n1 CHIL @I6@\n1 MARR\n"), "{text}");
    let again = import(&text);
    assert_eq!(again.persons.len(), 3);
    assert!(again.summary.warnings.is_empty(), "{:?}", again.summary.warnings);
    let doc = kinvault_gedcom::read(text.as_bytes()).unwrap();
    assert!(doc.warnings.is_empty(), "no dangling pointers: {:?}", doc.warnings);
    // A family with a living partner keeps only its links to the others.
    let mut with_living_partner = i.clone();
    with_living_partner.persons.retain(|p| p.xref.as_deref() != Some("@I4@"));
    let (text, _) = export(&with_living_partner, ExportOptions::new(WriteVersion::V5_5_1, 2026));
    assert!(!text.contains("1975"), "{text}");
}

#[test]
fn associations_in_both_versions() {
    let i = import(&ged(
        HEAD551,
        "0 @I1@ INDI\n1 NAME A /A/\n1 ASSO @I2@\n2 RELA Godfather\n2 NOTE met at church\n1 ASSO @I9@\n2 RELA Ghost\n\
         0 @I2@ INDI\n1 NAME B /B/\n",
    ));
    let a = person(&i, "@I1@");
    assert_eq!(a.associations, vec![Association { person: person(&i, "@I2@").id, relation: Some("Godfather".into()) }]);
    assert_eq!(a.unmapped.len(), 2, "the NOTE rides on a carrier, the dangling ASSO is kept raw: {:?}", a.unmapped);
    let text = assert_round_trip(&i, WriteVersion::V5_5_1);
    assert!(
        text.contains("1 ASSO @I2@\n2 RELA Godfather\n2 NOTE met at church\n1 ASSO @I9@\n2 RELA Ghost\n"),
        "{text}"
    );
    let text = assert_round_trip(&i, WriteVersion::V7_0);
    assert!(text.contains("1 ASSO @I2@\n2 ROLE OTHER\n3 PHRASE Godfather\n"), "{text}");
    let i7 = import(&ged(HEAD70, "0 @I1@ INDI\n1 ASSO @I2@\n2 ROLE GODP\n0 @I2@ INDI\n"));
    assert_eq!(i7.persons[0].associations[0].relation.as_deref(), Some("GODP"));
    let text = assert_round_trip(&i7, WriteVersion::V7_0);
    assert!(text.contains("2 ROLE GODP\n"), "{text}");
}

#[test]
fn names_events_places_and_dual_dates() {
    let i = import(&ged(
        HEAD551,
        "0 @I1@ INDI\n1 NAME Lt. Cmndr. Joseph /Allen/ jr.\n2 NPFX Lt. Cmndr.\n2 GIVN Joseph\n2 SURN Allen\n2 NSFX jr.\n\
         2 NICK Joe\n2 SOUR @S1@\n3 PAGE 12\n2 _MARNM Smith\n\
         1 NAME Jo /Allen/\n2 TYPE aka\n1 SEX male\n\
         1 BIRT\n2 DATE 11 FEB 1731/32\n2 PLAC London, England\n3 MAP\n4 LATI N51.5\n4 LONG W0.1275\n3 NOTE old parish\n\
         2 _UID 123\n2 SOUR @S1@\n3 PAGE p. 7\n3 QUAY 3\n3 DATA\n4 TEXT entry\n\
         1 EVEN\n2 TYPE Military service\n2 DATE FROM 1750 TO 1755\n\
         1 NOTE A note\n1 NOTE @N1@\n1 OBJE\n2 FILE photo.jpg\n3 FORM jpg\n2 TITL Portrait\n\
         0 @S1@ SOUR\n1 TITL Parish register\n1 AUTH Vicar\n1 REPO @R1@\n1 _APID 1,7602::0\n\
         0 @N1@ NOTE shared\n0 @R1@ REPO\n1 NAME Archive\n",
    ));
    let p = person(&i, "@I1@");
    let n = &p.names[0];
    assert_eq!((n.prefix.as_deref(), n.given.as_str(), n.surname.as_str()), (Some("Lt. Cmndr."), "Joseph", "Allen"));
    assert_eq!((n.suffix.as_deref(), n.nickname.as_deref()), (Some("jr."), Some("Joe")));
    assert_eq!(n.unmapped.iter().map(|r| r.tag.as_str()).collect::<Vec<_>>(), ["SOUR", "_MARNM"]);
    assert_eq!(p.names[1].kind, NameKind::AlsoKnownAs);
    assert_eq!(p.sex, Sex::Male);
    let birth = &p.events[0];
    let d = birth.date.as_ref().unwrap();
    assert_eq!(d.original, "11 FEB 1731/32");
    assert_eq!(d.year(), Some(1732), "dual year: the Gregorian year");
    let place = birth.place.as_ref().unwrap();
    assert_eq!((place.latitude, place.longitude), (Some(51.5), Some(-0.1275)));
    assert_eq!(birth.citations[0].page.as_deref(), Some("p. 7"));
    assert_eq!(birth.citations[0].quality, Some(3));
    assert_eq!(birth.citations[0].unmapped[0].tag, "DATA");
    assert_eq!(birth.unmapped[0].tag, "PLAC", "the place's NOTE rides on a carrier");
    assert_eq!(birth.unmapped[1].tag, "_UID", "vendor tags kept");
    assert_eq!(p.events[1].kind, EventKind::Custom("Military service".into()));
    assert_eq!(p.notes, vec![Note { text: "A note".into() }]);
    assert_eq!(p.unmapped[0].pointer.as_deref(), Some("N1"), "shared note pointer kept raw");
    assert_eq!(
        p.media[0],
        MediaRef { path: "photo.jpg".into(), mime: Some("jpg".into()), title: Some("Portrait".into()) }
    );
    let s = &i.sources[0];
    assert_eq!((s.title.as_str(), s.author.as_deref()), ("Parish register", Some("Vicar")));
    assert_eq!(s.unmapped.len(), 2, "REPO pointer and _APID kept");
    assert_eq!(i.raw_records.len(), 2);
    assert_eq!(i.summary.counts.media, 1);
    let text = assert_round_trip(&i, WriteVersion::V5_5_1);
    assert!(
        text.contains("1 NAME Lt. Cmndr. Joseph /Allen/ jr.\n2 NPFX Lt. Cmndr.\n2 GIVN Joseph\n2 SURN Allen\n2 NSFX jr.\n2 NICK Joe\n2 SOUR @S1@\n3 PAGE 12\n2 _MARNM Smith\n"),
        "{text}"
    );
    assert!(
        text.contains("2 PLAC London, England\n3 MAP\n4 LATI N51.5\n4 LONG W0.1275\n3 NOTE old parish\n"),
        "{text}"
    );
    assert!(text.contains("0 @N1@ NOTE shared\n0 @R1@ REPO\n"), "{text}");
    // GEDCOM 7 has no inline media: the reference goes out as a media record (which a re-import
    // keeps raw, so this is not a model round trip).
    let (text7, _) = export(&i, all_options(WriteVersion::V7_0));
    assert!(
        text7.contains("1 OBJE @M1@\n")
            && text7.contains("0 @M1@ OBJE\n1 FILE photo.jpg\n2 FORM jpg\n2 TITL Portrait\n"),
        "{text7}"
    );
}

#[test]
fn dangling_pointers_and_wrong_kinds_are_kept_raw_with_warnings() {
    let i = import(&ged(
        HEAD551,
        "0 @I1@ INDI\n1 FAMC @F9@\n1 FAMS @S1@\n1 SOUR @I1@\n0 @F1@ FAM\n1 HUSB @I7@\n1 CHIL @I1@\n0 @S1@ SOUR\n",
    ));
    let p = &i.persons[0];
    assert_eq!(p.unmapped.iter().map(|r| r.tag.as_str()).collect::<Vec<_>>(), ["FAMC", "FAMS", "SOUR"]);
    assert!(p.citations.is_empty());
    assert_eq!(i.families[0].partners, Vec::<uuid::Uuid>::new());
    assert_eq!(i.families[0].unmapped[0].pointer.as_deref(), Some("I7"));
    let w: Vec<String> = i.summary.warnings.iter().map(|w| w.to_string()).collect();
    assert!(w.iter().any(|w| w.starts_with("line 7: FAMS @S1@ should point to a family")), "{w:?}");
    assert!(w.iter().any(|w| w.contains("SOUR @I1@ should point to a source")), "{w:?}");
    let text = assert_round_trip(&i, WriteVersion::V5_5_1);
    assert!(text.contains("1 FAMC @F9@\n") && text.contains("1 HUSB @I7@\n"), "kept as they were: {text}");
}

#[test]
fn one_sided_links_are_completed_and_duplicates_kept() {
    let i = import(&ged(
        HEAD551,
        "0 @I1@ INDI\n1 FAMS @F1@\n0 @I2@ INDI\n1 FAMC @F1@\n0 @F1@ FAM\n0 @I1@ INDI\n1 NAME Second /One/\n",
    ));
    assert_eq!(i.persons.len(), 3);
    assert_ne!(i.persons[0].id, i.persons[2].id, "a duplicate xref is a record of its own");
    let f = &i.families[0];
    assert_eq!(f.partners, vec![i.persons[0].id]);
    assert_eq!(f.children[0].person, i.persons[1].id);
    let w: Vec<String> = i.summary.warnings.iter().map(|w| w.to_string()).collect();
    assert_eq!(w.len(), 3, "{w:?}");
    assert_round_trip(&i, WriteVersion::V5_5_1);
}

#[test]
fn vendor_tags_and_unknown_records_survive() {
    let i = import(&ged(
        HEAD551,
        "0 @I1@ INDI\n1 NAME A /B/\n1 _MILT Army\n2 DATE 1916\n2 _CUSTOM\n3 _DEEPER x\n1 BIRT\n2 DATE 1900\n3 TIME 10:00\n\
         1 CHAN\n2 DATE 1 JAN 2020\n1 RIN 7\n1 REFN abc\n0 @X1@ _PLACE\n1 NAME somewhere\n0 @U1@ SUBM\n1 NAME me\n",
    ));
    let p = &i.persons[0];
    assert_eq!(p.unmapped.iter().map(|r| r.tag.as_str()).collect::<Vec<_>>(), ["_MILT", "CHAN", "RIN", "REFN"]);
    assert_eq!(p.events[0].unmapped[0].children[0].tag, "TIME", "DATE.TIME on a carrier");
    assert_eq!(i.raw_records.len(), 2);
    let text = assert_round_trip(&i, WriteVersion::V5_5_1);
    assert!(text.contains("1 _MILT Army\n2 DATE 1916\n2 _CUSTOM\n3 _DEEPER x\n"), "{text}");
    assert!(text.contains("2 DATE 1900\n3 TIME 10:00\n"), "{text}");
    assert!(text.contains("0 @X1@ _PLACE\n"), "{text}");
    assert!(text.contains("1 SUBM @U1@\n"), "HEAD points at the submitter: {text}");
}

#[test]
fn records_made_in_kinvault_export_and_come_back() {
    let mut ada = Person::new(PersonName::new("Ada", "Lovelace"), Sex::Female);
    ada.set_event_date(EventKind::Birth, Some("10 DEC 1815"));
    ada.vital_status = VitalStatus::Deceased { age: Some(36.0), date: None, cause: None };
    let mut bob = Person::new(PersonName::new("Bob", "Byron"), Sex::Male);
    bob.vital_status = VitalStatus::Alive { age: Some(40.0) };
    bob.gender = Some("man".into());
    let (t1, t2) =
        (Person::new(PersonName::new("T1", "B"), Sex::Male), Person::new(PersonName::new("T2", "B"), Sex::Male));
    let mut fam = Family::new(vec![ada.id, bob.id]);
    fam.kind = UnionKind::Partners;
    fam.consanguineous = true;
    fam.children = vec![
        FamilyChild {
            person: t1.id,
            links: vec![ParentLink { parent: bob.id, relationship: ChildRelationship::Step }],
        },
        FamilyChild { person: t2.id, links: vec![] },
    ];
    fam.twins.push(TwinSet { members: vec![t1.id, t2.id], zygosity: Zygosity::Monozygotic });
    let source = Source {
        id: new_id(),
        xref: None,
        title: "Letters".into(),
        author: None,
        publication: None,
        repository: Some("British Library".into()),
        notes: vec![],
        unmapped: vec![],
    };
    ada.citations.push(Citation { source: source.id, page: Some("f. 3".into()), quality: None, unmapped: vec![] });
    let people = vec![ada, bob, t1, t2];
    let (text, counts) = export_records(&people, &[fam.clone()], &[source], &[], all_options(WriteVersion::V5_5_1));
    let text = String::from_utf8(text).unwrap();
    assert_eq!(counts.individuals, 4);
    let back = import(&text);
    let ada2 = &back.persons[0];
    assert_eq!(ada2.xref.as_deref(), Some("@I1@"), "xrefs are made up where missing");
    assert!(matches!(ada2.vital_status, VitalStatus::Deceased { age: Some(a), .. } if a == 36.0), "{text}");
    assert_eq!(ada2.citations[0].page.as_deref(), Some("f. 3"));
    assert_eq!(back.persons[1].vital_status, VitalStatus::Alive { age: Some(40.0) });
    assert_eq!(back.persons[1].gender.as_deref(), Some("man"));
    let f2 = &back.families[0];
    assert_eq!((f2.kind, f2.consanguineous), (UnionKind::Partners, true));
    assert_eq!(f2.twins[0].zygosity, Zygosity::Monozygotic);
    assert_eq!(f2.twins[0].members, vec![back.persons[2].id, back.persons[3].id]);
    assert_eq!(f2.children[0].relationship_to(back.persons[1].id), ChildRelationship::Step);
    assert_eq!(back.sources[0].repository.as_deref(), Some("British Library"));
    // GEDCOM 7: an unlinked person without xref stays without one.
    let loner = Person::new(PersonName::new("Solo", "S"), Sex::Unknown);
    let (t7, _) = export_records(&[loner], &[], &[], &[], all_options(WriteVersion::V7_0));
    assert!(String::from_utf8(t7).unwrap().contains("0 INDI\n1 NAME Solo /S/\n"));
}

#[test]
fn fam_events_and_union_kinds() {
    let i = import(&ged(
        HEAD551,
        "0 @I1@ INDI\n1 SEX F\n0 @I2@ INDI\n1 SEX F\n\
         0 @F1@ FAM\n1 HUSB @I1@\n1 WIFE @I2@\n1 MARR\n2 DATE 2015\n1 DIV\n1 ANUL\n2 DATE 2016\n1 _SEPR\n2 PLAC Paris\n\
         1 EVEN\n2 TYPE Honeymoon\n1 _STAT Never Married\n",
    ));
    let f = &i.families[0];
    let kinds: Vec<&EventKind> = f.events.iter().map(|e| &e.kind).collect();
    assert_eq!(
        kinds,
        [
            &EventKind::Marriage,
            &EventKind::Divorce,
            &EventKind::Custom("Annulment".into()),
            &EventKind::Separation,
            &EventKind::Custom("Honeymoon".into())
        ]
    );
    assert_eq!(f.events[2].tag.as_deref(), Some("ANUL"));
    assert_eq!(f.kind, UnionKind::Married);
    assert_eq!(f.partners.len(), 2, "partners of any sex");
    let text = assert_round_trip(&i, WriteVersion::V5_5_1);
    assert!(text.contains("1 DIV Y\n1 ANUL\n2 DATE 2016\n1 _SEPR\n2 PLAC Paris\n"), "{text}");
    assert_round_trip(&i, WriteVersion::V7_0);
}
