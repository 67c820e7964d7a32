//! The catalog API: search, code and label linking, user-defined conditions and their
//! validation errors, parsing, serialisation and TypeScript bindings.

use kinvault_catalog::*;
use kinvault_model::{Code, CodeSystem, ConditionObservation, ConditionStatus};

fn catalog() -> &'static Catalog {
    Catalog::builtin()
}

fn ids<'a>(v: impl IntoIterator<Item = &'a ConditionDef>) -> Vec<&'a str> {
    v.into_iter().map(|c| c.id.as_str()).collect()
}

fn first(query: &str) -> Option<&'static str> {
    catalog().search(query).first().map(|c| c.id.as_str())
}

// ── Search ────────────────────────────────────────────────────────────────────────────────

#[test]
fn search_finds_by_name_synonym_and_id_ignoring_case_accents_and_punctuation() {
    assert_eq!(first("Cystic fibrosis"), Some("cystic-fibrosis"));
    assert_eq!(first("CYSTIC FIBROSIS"), Some("cystic-fibrosis"));
    assert_eq!(first("mucoviscidosis"), Some("cystic-fibrosis"));
    assert_eq!(first("tay sachs"), Some("tay-sachs-disease"));
    assert_eq!(first("Tay–Sachs"), Some("tay-sachs-disease"));
    assert_eq!(first("TAY-SACHS DISEASE"), Some("tay-sachs-disease"));
    assert_eq!(first("Huntingtón"), Some("huntington-disease"));
    assert_eq!(first("huntington's"), Some("huntington-disease"));
    assert_eq!(first("hemophilia a"), Some("haemophilia-a"));
    assert_eq!(first("Haemophilia A"), Some("haemophilia-a"));
    assert_eq!(first("sickle-cell-disease"), Some("sickle-cell-disease"));
    assert_eq!(first("bowel cancer"), Some("colorectal-cancer"));
    assert_eq!(first("womb cancer"), Some("endometrial-cancer"));
    assert!(catalog().search("").is_empty());
    assert!(catalog().search("  –  ").is_empty());
    assert!(catalog().search("no such disease xyz").is_empty());
}

#[test]
fn search_finds_by_code_in_every_system_and_by_gene() {
    assert_eq!(first("190905008"), Some("cystic-fibrosis"));
    assert_eq!(first("SCTID: 190905008"), Some("cystic-fibrosis"));
    assert_eq!(first("E84"), Some("cystic-fibrosis"));
    assert_eq!(first("e84"), Some("cystic-fibrosis"));
    assert_eq!(first("219700"), Some("cystic-fibrosis"));
    assert_eq!(first("OMIM:219700"), Some("cystic-fibrosis"));
    assert_eq!(first("MONDO:0009061"), Some("cystic-fibrosis"));
    assert_eq!(first("mondo_0009061"), Some("cystic-fibrosis"));
    assert_eq!(first("C54.1"), Some("endometrial-cancer"));
    assert_eq!(first("C541"), Some("endometrial-cancer"));
    // An ICD-10 subcode finds the entry coded with its category.
    assert_eq!(first("C50.9"), Some("breast-cancer"));
    assert_eq!(first("I21.4"), Some("coronary-heart-disease"));
    // Gene symbols.
    assert_eq!(first("CFTR"), Some("cystic-fibrosis"));
    assert_eq!(first("hexa"), Some("tay-sachs-disease"));
    assert_eq!(ids(catalog().search("PKD2")), ["adpkd"]);
}

#[test]
fn an_exact_code_match_ranks_before_names() {
    // A user condition whose name contains another entry's code: the coded entry comes first.
    let user = ConditionDef { id: "e84-like".into(), name: "E84 look-alike".into(), ..user_condition("e84-like") };
    let merged = catalog().with_user_conditions(vec![user]).unwrap();
    assert_eq!(ids(merged.search("E84")), ["cystic-fibrosis", "e84-like"]);
    // Exact names before word prefixes before substrings.
    let found = ids(catalog().search("cancer"));
    assert!(found.len() >= 5);
    let breast = ids(catalog().search("breast cancer"));
    assert_eq!(breast[0], "breast-cancer", "exact name first: {breast:?}");
    let breast_word = ids(catalog().search("breast"));
    assert!(breast_word.contains(&"brca1-associated-cancer") && breast_word.contains(&"breast-cancer"));
    let lynch = ids(catalog().search("lynch"));
    assert_eq!(lynch, ["lynch-syndrome-mlh1", "lynch-syndrome-msh2", "lynch-syndrome-msh6", "lynch-syndrome-pms2"]);
}

// ── Codes and labels from imported observations ──────────────────────────────────────────

#[test]
fn find_by_code_links_model_codes() {
    let by = |s, c| catalog().find_by_code(s, c).map(|c| c.id.as_str());
    assert_eq!(by(CodeSystem::Snomed, "254837009"), Some("breast-cancer"));
    assert_eq!(by(CodeSystem::Snomed, " 254837009 "), Some("breast-cancer"));
    assert_eq!(by(CodeSystem::Snomed, "22298006"), Some("coronary-heart-disease"));
    assert_eq!(by(CodeSystem::Icd10, "C50"), Some("breast-cancer"));
    assert_eq!(by(CodeSystem::Icd10, "c50.919"), Some("breast-cancer"));
    assert_eq!(by(CodeSystem::Icd10, "E11.9"), Some("type-2-diabetes"));
    assert_eq!(by(CodeSystem::Icd10, "C54.9"), None, "C54.9 is not endometrium and C54 is not listed");
    assert_eq!(by(CodeSystem::Omim, "143100"), Some("huntington-disease"));
    assert_eq!(by(CodeSystem::Mondo, "MONDO:0007739"), Some("huntington-disease"));
    assert_eq!(by(CodeSystem::Kinvault, "marfan-syndrome"), Some("marfan-syndrome"));
    assert_eq!(by(CodeSystem::Snomed, "1000001"), None);
    // The SNOMED code is in another system's namespace: no cross-system match.
    assert_eq!(by(CodeSystem::Omim, "190905008"), None);
    // Shared codes are ambiguous: find_by_code refuses to guess, find_all_by_code lists them.
    assert_eq!(by(CodeSystem::Snomed, "315058005"), None);
    assert_eq!(ids(catalog().find_all_by_code(CodeSystem::Snomed, "315058005")).len(), 4);
    assert_eq!(
        ids(catalog().find_all_by_code(CodeSystem::Snomed, "718220008")),
        ["brca1-associated-cancer", "brca2-associated-cancer"]
    );
}

#[test]
fn match_label_is_exact_only() {
    let m = |l| catalog().match_label(l).map(|c| c.id.as_str());
    assert_eq!(m("Breast cancer"), Some("breast-cancer"));
    assert_eq!(m("BREAST  CANCER"), Some("breast-cancer"));
    assert_eq!(m("Breast Cancer"), Some("breast-cancer"));
    assert_eq!(m("Stroke/Brain Attack"), Some("stroke"));
    assert_eq!(m("Type 2 Diabetes"), Some("type-2-diabetes"));
    assert_eq!(m("Heart Attack"), Some("coronary-heart-disease"));
    assert_eq!(m("Uterine Cancer"), Some("endometrial-cancer"));
    assert_eq!(m("Huntington's disease"), Some("huntington-disease"));
    assert_eq!(m("Tay-Sachs disease"), Some("tay-sachs-disease"));
    // No fuzzy guessing.
    assert_eq!(m("Breast canc"), None);
    assert_eq!(m("breast cancer in mother"), None);
    assert_eq!(m("cancer"), None);
    assert_eq!(m(""), None);
    // Ambiguous labels match nothing; match_label_all says which.
    assert_eq!(m("Lynch syndrome"), None);
    assert_eq!(catalog().match_label_all("Lynch syndrome").len(), 4);
    assert_eq!(catalog().match_label_all("HBOC").len(), 2);
}

#[test]
fn link_uses_the_code_then_the_label() {
    let coded = ConditionObservation::new(
        Some(Code::new(CodeSystem::Snomed, "399068003", "Malignant tumor of prostate")),
        "something else entirely",
        ConditionStatus::Affected,
    );
    assert_eq!(catalog().link(&coded).unwrap().id, "prostate-cancer");
    let by_label = ConditionObservation::new(None, "Colon Cancer", ConditionStatus::Affected);
    assert_eq!(catalog().link(&by_label).unwrap().id, "colorectal-cancer");
    let unknown_code = ConditionObservation::new(
        Some(Code::new(CodeSystem::Other, "X1", "local")),
        "Cystic fibrosis",
        ConditionStatus::Affected,
    );
    assert_eq!(catalog().link(&unknown_code).unwrap().id, "cystic-fibrosis");
    let neither = ConditionObservation::new(None, "asthma", ConditionStatus::Affected);
    assert!(catalog().link(&neither).is_none());
    let kv = catalog().get("adpkd").unwrap().kinvault_code();
    assert_eq!(catalog().find_by_code(kv.system, &kv.code).unwrap().id, "adpkd");
}

// ── User conditions ──────────────────────────────────────────────────────────────────────

fn user_condition(id: &str) -> ConditionDef {
    ConditionDef {
        id: id.into(),
        name: "Family-specific cardiomyopathy".into(),
        synonyms: vec!["our cardiomyopathy".into()],
        category: Category::Cardiovascular,
        inheritance: Inheritance::AutosomalDominant,
        genes: vec!["MYH7".into()],
        codes: vec![Code::new(CodeSystem::Snomed, "85898001", "Cardiomyopathy")],
        frequencies: vec![PopulationFrequency {
            population: "general".into(),
            label: "Genetic counsellor's estimate".into(),
            given: FrequencyGiven::CarrierFrequency,
            as_reported: Some("1 in 500".into()),
            allele_frequency: 0.001001,
            carrier_frequency: Some(0.002),
            homozygote_frequency: None,
            affected_frequency: None,
            detection_rate: None,
            reference: "clinic".into(),
            note: None,
        }],
        penetrance: vec![Penetrance {
            outcome: None,
            female: Curve::Points(vec![(10.0, 0.0), (40.0, 0.3), (70.0, 0.6)]),
            male: Curve::Points(vec![(10.0, 0.0), (40.0, 0.4), (70.0, 0.7)]),
            reference: "clinic".into(),
            female_ref: None,
            male_ref: None,
            lifetime_only: false,
            note: None,
        }],
        mutation_rate: None,
        reproductive_fitness: None,
        test_sensitivity: Some(TestSensitivity {
            value: 0.9,
            method: "MYH7 sequencing".into(),
            reference: "clinic".into(),
            note: None,
        }),
        lifetime_risk: vec![],
        premature_onset: vec![],
        references: vec![Reference {
            id: "clinic".into(),
            citation: "Letter from the cardiogenetics clinic, 2025.".into(),
            year: Some(2025),
            url: None,
        }],
        notes: None,
        user_defined: false,
    }
}

fn errors_for(c: ConditionDef) -> Vec<ValidationError> {
    catalog().with_user_conditions(vec![c]).expect_err("should be rejected")
}

fn has_error(errors: &[ValidationError], field: &str, needle: &str) -> bool {
    errors.iter().any(|e| e.field == field && e.message.contains(needle))
}

#[test]
fn a_valid_user_condition_is_merged_after_the_builtin_ones() {
    let merged = catalog().with_user_conditions(vec![user_condition("family-cardiomyopathy")]).unwrap();
    assert_eq!(merged.len(), catalog().len() + 1);
    let c = merged.get("family-cardiomyopathy").unwrap();
    assert!(c.user_defined);
    assert_eq!(merged.iter().last().unwrap().id, "family-cardiomyopathy");
    assert_eq!(ids(merged.search("our cardiomyopathy")), ["family-cardiomyopathy"]);
    assert_eq!(merged.match_label("Family-specific cardiomyopathy").unwrap().id, "family-cardiomyopathy");
    assert!(merged.validate().is_empty());
    // The built-in catalog is unchanged.
    assert!(catalog().get("family-cardiomyopathy").is_none());
    // A user condition may name a built-in condition as an outcome.
    let mut with_outcome = user_condition("fam-lipid");
    with_outcome
        .penetrance
        .push(Penetrance { outcome: Some("coronary-heart-disease".into()), ..with_outcome.penetrance[0].clone() });
    assert!(catalog().with_user_conditions(vec![with_outcome]).is_ok());
}

#[test]
fn lifetime_only_goes_with_constant_curves_only() {
    let mut c = user_condition("u-lifetime");
    c.penetrance[0].lifetime_only = true;
    let e = errors_for(c);
    assert!(has_error(&e, "penetrance[0].lifetime_only", "only constant curves"), "{e:?}");
    let mut ok = user_condition("u-lifetime-ok");
    ok.penetrance[0].female = Curve::Constant(0.8);
    ok.penetrance[0].male = Curve::Constant(0.8);
    ok.penetrance[0].lifetime_only = true;
    assert!(catalog().with_user_conditions(vec![ok]).is_ok());
    for id in ["huntington-disease", "marfan-syndrome", "adpkd"] {
        assert!(catalog().get(id).unwrap().penetrance_for(None).unwrap().lifetime_only, "{id}");
    }
    assert!(!catalog().get("cystic-fibrosis").unwrap().penetrance_for(None).unwrap().lifetime_only);
}

#[test]
fn user_condition_errors_name_the_field_and_the_reason() {
    // Id clashes with a built-in condition.
    let e = errors_for(user_condition("cystic-fibrosis"));
    assert!(has_error(&e, "id", "already a built-in condition"), "{e:#?}");
    assert!(e.iter().all(|x| x.condition == "cystic-fibrosis"));

    // Not a slug.
    let e = errors_for(user_condition("Bad Id"));
    assert!(has_error(&e, "id", "not a slug"), "{e:#?}");

    // Frequency out of range.
    let mut c = user_condition("u1");
    c.frequencies[0].allele_frequency = 1.5;
    let e = errors_for(c);
    assert!(has_error(&e, "frequencies[0].allele_frequency", "outside [0, 1]"), "{e:#?}");

    // Carrier frequency inconsistent with q.
    let mut c = user_condition("u2");
    c.frequencies[0].carrier_frequency = Some(0.2);
    let e = errors_for(c);
    assert!(has_error(&e, "frequencies[0].carrier_frequency", "Hardy–Weinberg"), "{e:#?}");

    // `given` names a figure that is missing.
    let mut c = user_condition("u3");
    c.frequencies[0].given = FrequencyGiven::AffectedFrequency;
    let e = errors_for(c);
    assert!(has_error(&e, "frequencies[0].affected_frequency", "missing"), "{e:#?}");

    // Decreasing penetrance.
    let mut c = user_condition("u4");
    c.penetrance[0].female = Curve::Points(vec![(10.0, 0.0), (40.0, 0.5), (70.0, 0.4)]);
    let e = errors_for(c);
    assert!(has_error(&e, "penetrance[0].female[2]", "must not decrease"), "{e:#?}");

    // Ages not increasing; risk above 1; constant out of range.
    let mut c = user_condition("u5");
    c.penetrance[0].male = Curve::Points(vec![(40.0, 0.1), (30.0, 1.2)]);
    c.penetrance[0].female = Curve::Constant(-0.1);
    let e = errors_for(c);
    assert!(has_error(&e, "penetrance[0].male[1]", "does not increase"), "{e:#?}");
    assert!(has_error(&e, "penetrance[0].male[1]", "outside [0, 1]"), "{e:#?}");
    assert!(has_error(&e, "penetrance[0].female", "outside [0, 1]"), "{e:#?}");

    // A number citing a reference the entry does not have.
    let mut c = user_condition("u6");
    c.penetrance[0].reference = "nowhere2020".into();
    let e = errors_for(c);
    assert!(has_error(&e, "penetrance[0].ref", "`nowhere2020` is not in this entry's references"), "{e:#?}");

    // An outcome that is not a condition.
    let mut c = user_condition("u7");
    c.penetrance.push(Penetrance { outcome: Some("martian-flu".into()), ..c.penetrance[0].clone() });
    let e = errors_for(c);
    assert!(has_error(&e, "penetrance[1].outcome", "`martian-flu` is not a catalog condition"), "{e:#?}");

    // A SNOMED CT code with a bad check digit.
    let mut c = user_condition("u8");
    c.codes[0].code = "85898002".into();
    let e = errors_for(c);
    assert!(has_error(&e, "codes[0].code", "Verhoeff"), "{e:#?}");

    // Mendelian without frequencies or penetrance; sensitivity of 0.
    let mut c = user_condition("u9");
    c.frequencies.clear();
    c.penetrance.clear();
    c.test_sensitivity.as_mut().unwrap().value = 0.0;
    let e = errors_for(c);
    assert!(has_error(&e, "frequencies", "at least one population frequency"), "{e:#?}");
    assert!(has_error(&e, "penetrance", "at least one penetrance curve"), "{e:#?}");
    assert!(has_error(&e, "test_sensitivity.value", "outside (0, 1]"), "{e:#?}");

    // Multifactorial with single-locus parameters and no lifetime risk.
    let mut c = user_condition("u10");
    c.inheritance = Inheritance::Multifactorial;
    let e = errors_for(c);
    assert!(has_error(&e, "frequencies", "multifactorial"), "{e:#?}");
    assert!(has_error(&e, "lifetime_risk", "lifetime risk"), "{e:#?}");

    // Two user conditions with the same id.
    let e = catalog()
        .with_user_conditions(vec![user_condition("twin"), user_condition("twin")])
        .expect_err("duplicate ids");
    assert!(has_error(&e, "id", "more than one condition"), "{e:#?}");

    // Reference without year or url; bad gene symbol.
    let mut c = user_condition("u11");
    c.references[0].year = None;
    c.genes = vec!["myh7".into()];
    let e = errors_for(c);
    assert!(has_error(&e, "references[0].year", "year"), "{e:#?}");
    assert!(has_error(&e, "genes[0]", "HGNC"), "{e:#?}");

    // Display of an error: condition, field, reason.
    let mut c = user_condition("u12");
    c.frequencies[0].allele_frequency = -0.1;
    let e = errors_for(c);
    let shown = e[0].to_string();
    assert!(shown.starts_with("u12: frequencies[0].allele_frequency: "), "{shown}");
}

#[test]
fn condition_validate_reports_nothing_for_a_good_entry() {
    assert!(user_condition("fine").validate().is_empty());
    for c in catalog().iter() {
        assert!(c.validate().is_empty(), "{}", c.id);
    }
}

// ── Parsing, serialisation, bindings ─────────────────────────────────────────────────────

#[test]
fn catalog_files_with_unknown_fields_or_bad_data_are_rejected() {
    let unknown = "version = 1\nreleased = \"2026-01-01\"\nmystery = 3\n";
    assert!(matches!(Catalog::from_toml_str(unknown), Err(CatalogError::Parse(_))));

    let typo = BUILTIN_TOML.replacen("as_reported = \"1 in 25\"", "as_reportd = \"1 in 25\"", 1);
    let err = Catalog::from_toml_str(&typo).unwrap_err();
    assert!(err.to_string().contains("as_reportd"), "{err}");

    let broken = BUILTIN_TOML.replacen("carrier_frequency = 0.04\n", "carrier_frequency = 0.05\n", 1);
    match Catalog::from_toml_str(&broken) {
        Err(CatalogError::Invalid(errors)) => {
            assert!(has_error(&errors, "frequencies[0].carrier_frequency", "Hardy–Weinberg"), "{errors:#?}");
        }
        other => panic!("expected invalid, got {other:?}"),
    }

    let dangling = BUILTIN_TOML.replacen("ref = \"acog2011\"", "ref = \"acog2012\"", 1);
    match Catalog::from_toml_str(&dangling) {
        Err(CatalogError::Invalid(errors)) => {
            assert!(has_error(&errors, "frequencies[0].ref", "acog2012"), "{errors:#?}")
        }
        other => panic!("expected invalid, got {other:?}"),
    }
}

#[test]
fn catalog_data_round_trips_through_json() {
    let json = serde_json::to_string(catalog().data()).unwrap();
    let back: CatalogData = serde_json::from_str(&json).unwrap();
    assert_eq!(&back, catalog().data());
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    let cf = &value["condition"][0];
    assert_eq!(cf["id"], "cystic-fibrosis");
    assert_eq!(cf["frequencies"][0]["ref"], "acog2011");
    assert_eq!(cf["codes"][0]["system"], "snomed");
    assert_eq!(value["condition"][8]["penetrance"][0]["female"], serde_json::json!([[20.0, 0.0], [80.0, 0.72]]));
    let rebuilt = Catalog::from_data(back).unwrap();
    assert_eq!(rebuilt.len(), catalog().len());
}

#[test]
fn typescript_bindings_export() {
    use ts_rs::TS;
    let dir = tempfile::tempdir().unwrap();
    CatalogData::export_all_to(dir.path()).unwrap();
    ValidationError::export_all_to(dir.path()).unwrap();
    // Generic Rust names get specific TypeScript names (the bindings folder is one namespace).
    for name in [
        "CatalogData",
        "ConditionDef",
        "RiskCurve",
        "Penetrance",
        "PopulationFrequency",
        "CatalogValidationError",
        "CatalogReference",
        "FamilyHistoryCriterion",
        "ConditionCategory",
        "Code",
    ] {
        assert!(dir.path().join(format!("{name}.ts")).exists(), "{name}.ts not written");
    }
    let curve = std::fs::read_to_string(dir.path().join("RiskCurve.ts")).unwrap();
    assert!(curve.contains("number | Array<[number, number]>"), "{curve}");
    let pen = std::fs::read_to_string(dir.path().join("Penetrance.ts")).unwrap();
    assert!(pen.contains("ref: string"), "{pen}");
}
