//! Shared helpers of the clinical format tests (PED, FHIR, CanRisk, MFHP): a three-generation
//! family with coded conditions, deaths, genetic tests, a half-sibling, an adoption and a
//! married-in uncle; a summary of a family to compare round trips with; external tools.
#![allow(dead_code)] // each test binary uses a different subset

use std::collections::BTreeMap;
use std::path::PathBuf;

use kinvault_interop::ImportedFamily;
use kinvault_model::*;
use uuid::Uuid;

/// The test family. Xrefs: I1/I2 paternal grandparents, I3/I4 maternal grandparents, I5 father,
/// I6 mother, I7 paternal uncle, I8 maternal aunt, I13 her husband, I12 their daughter, I9 the
/// proband, I10 sister, I11 brother, I14 the proband's husband, I15 daughter, I16 son, I17 the
/// father's first partner, I18 her son with I5 (paternal half-brother), I19 the sister's daughter
/// (father unknown), I20 the proband's adopted son.
pub struct Fixture {
    pub persons: Vec<Person>,
    pub families: Vec<Family>,
    pub proband: Uuid,
}

impl Fixture {
    pub fn id(&self, xref: &str) -> Uuid {
        self.persons.iter().find(|p| p.xref.as_deref() == Some(xref)).unwrap_or_else(|| panic!("no {xref}")).id
    }
}

fn person(xref: &str, given: &str, surname: &str, sex: Sex) -> Person {
    let mut p = Person::new(PersonName::new(given, surname), sex);
    p.xref = Some(xref.to_string());
    p
}

pub fn cond(
    system: CodeSystem,
    code: &str,
    display: &str,
    status: ConditionStatus,
    onset: Option<f64>,
) -> ConditionObservation {
    let mut o = ConditionObservation::new(Some(Code::new(system, code, display)), display, status);
    o.onset = onset.map(AgeRange::exact);
    o
}

pub fn test(gene: &str, result: TestResult) -> GeneticTest {
    GeneticTest {
        id: new_id(),
        gene: gene.to_string(),
        variant: None,
        acmg_class: None,
        result,
        method: None,
        sensitivity: None,
        lab: None,
        date: None,
        provenance: Provenance::MedicalRecord,
    }
}

fn family(partners: &[&Person], children: &[&Person]) -> Family {
    let mut f = Family::new(partners.iter().map(|p| p.id).collect());
    f.children = children.iter().map(|c| FamilyChild { person: c.id, links: vec![] }).collect();
    f
}

pub fn fixture() -> Fixture {
    use CodeSystem::*;
    use ConditionStatus::*;
    let mut i1 = person("I1", "Arthur", "Hale", Sex::Male);
    i1.vital_status = VitalStatus::Deceased { age: Some(80.0), date: None, cause: Some("Prostate cancer".into()) };
    i1.conditions.push(cond(Snomed, "399068003", "Prostate cancer", Affected, Some(72.0)));
    i1.set_event_date(EventKind::Birth, Some("1930"));
    let mut i2 = person("I2", "Beatrice", "Hale", Sex::Female);
    i2.vital_status = VitalStatus::Deceased { age: Some(91.0), date: None, cause: None };
    i2.set_event_date(EventKind::Birth, Some("1932"));
    let mut i3 = person("I3", "Cyril", "Moss", Sex::Male);
    i3.vital_status = VitalStatus::Deceased { age: Some(70.0), date: None, cause: None };
    i3.conditions.push(cond(Snomed, "53741008", "Coronary heart disease", Affected, Some(55.0)));
    i3.set_event_date(EventKind::Birth, Some("1928"));
    let mut i4 = person("I4", "Dora", "Moss", Sex::Female);
    i4.vital_status = VitalStatus::Deceased { age: Some(60.0), date: None, cause: Some("Breast cancer".into()) };
    i4.conditions.push(cond(Icd10, "C50", "Breast cancer", Affected, Some(45.0)));
    i4.set_event_date(EventKind::Birth, Some("1931"));
    let mut i5 = person("I5", "Edwin", "Hale", Sex::Male);
    i5.vital_status = VitalStatus::Alive { age: Some(66.0) };
    i5.set_event_date(EventKind::Birth, Some("1958"));
    let mut i6 = person("I6", "Fiona", "Hale", Sex::Female);
    i6.vital_status = VitalStatus::Alive { age: Some(64.0) };
    i6.conditions.push(cond(Snomed, "363443007", "Ovarian cancer", Affected, Some(52.0)));
    i6.genetic_tests.push(test("BRCA1", TestResult::Positive));
    i6.genetic_tests.push(test("BRCA2", TestResult::Negative));
    i6.set_event_date(EventKind::Birth, Some("1960"));
    let mut i7 = person("I7", "Gordon", "Hale", Sex::Male);
    i7.vital_status = VitalStatus::Alive { age: Some(63.0) };
    let mut i8 = person("I8", "Helen", "Price", Sex::Female);
    i8.vital_status = VitalStatus::Deceased { age: Some(41.0), date: None, cause: Some("Breast cancer".into()) };
    i8.conditions.push(cond(Kinvault, "breast-cancer", "Breast cancer", Affected, Some(38.0)));
    let mut i9 = person("I9", "Iris", "Hale", Sex::Female);
    i9.proband = true;
    i9.vital_status = VitalStatus::Alive { age: Some(40.0) };
    i9.conditions.push(cond(Snomed, "254837009", "Breast cancer", Unaffected, None));
    i9.genetic_tests.push(test("BRCA1", TestResult::Positive));
    i9.set_event_date(EventKind::Birth, Some("1985"));
    let mut i10 = person("I10", "Jane", "Hale", Sex::Female);
    i10.vital_status = VitalStatus::Alive { age: Some(37.0) };
    i10.conditions.push(ConditionObservation::new(None, "Migraine", Affected));
    let mut i11 = person("I11", "Kit", "Hale", Sex::Male);
    i11.vital_status = VitalStatus::Alive { age: Some(35.0) };
    let mut i12 = person("I12", "Lucy", "Price", Sex::Female);
    i12.vital_status = VitalStatus::Alive { age: Some(15.0) };
    let mut i13 = person("I13", "Martin", "Price", Sex::Male);
    i13.vital_status = VitalStatus::Alive { age: Some(45.0) };
    let mut i14 = person("I14", "Neil", "Ward", Sex::Male);
    i14.vital_status = VitalStatus::Alive { age: Some(42.0) };
    let mut i15 = person("I15", "Olive", "Ward", Sex::Female);
    i15.vital_status = VitalStatus::Alive { age: Some(12.0) };
    let mut i16 = person("I16", "Piers", "Ward", Sex::Male);
    i16.vital_status = VitalStatus::Alive { age: Some(9.0) };
    let i17 = person("I17", "Queenie", "Stone", Sex::Female);
    let mut i18 = person("I18", "Rob", "Stone", Sex::Male);
    i18.vital_status = VitalStatus::Alive { age: Some(44.0) };
    let mut i19 = person("I19", "Sara", "Hale", Sex::Female);
    i19.vital_status = VitalStatus::Alive { age: Some(6.0) };
    let mut i20 = person("I20", "Tom", "Ward", Sex::Male);
    i20.vital_status = VitalStatus::Alive { age: Some(4.0) };

    let mut families = vec![
        family(&[&i1, &i2], &[&i5, &i7]),
        family(&[&i3, &i4], &[&i6, &i8]),
        family(&[&i5, &i6], &[&i9, &i10, &i11]),
        family(&[&i13, &i8], &[&i12]),
        family(&[&i14, &i9], &[&i15, &i16, &i20]),
        family(&[&i5, &i17], &[&i18]),
        family(&[&i10], &[&i19]),
    ];
    families[4].children[2].links = vec![
        ParentLink { parent: i14.id, relationship: ChildRelationship::Adopted },
        ParentLink { parent: i9.id, relationship: ChildRelationship::Adopted },
    ];
    families[2].kind = UnionKind::Married;
    families[4].kind = UnionKind::Married;
    let proband = i9.id;
    let persons = vec![i1, i2, i3, i4, i5, i6, i7, i8, i9, i10, i11, i12, i13, i14, i15, i16, i17, i18, i19, i20];
    Fixture { persons, families, proband }
}

/// (code system and code, label, status, onset min and max) of one observation.
pub type CondSummary = (Option<(CodeSystem, String)>, String, ConditionStatus, Option<(f64, f64)>);

/// What a format can keep of one person, by xref, for comparing round trips.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    pub sex: Sex,
    /// Biological father and mother (by xref).
    pub father: Option<String>,
    pub mother: Option<String>,
    /// Non-biological parents (by xref, sorted) with the link kind.
    pub legal_parents: Vec<(String, ChildRelationship)>,
    pub conditions: Vec<CondSummary>,
    pub vital: VitalStatus,
    pub tests: Vec<(String, TestResult)>,
    pub proband: bool,
}

pub fn summarize(persons: &[Person], families: &[Family]) -> BTreeMap<String, Summary> {
    let xref: BTreeMap<Uuid, String> =
        persons.iter().map(|p| (p.id, p.xref.clone().unwrap_or_else(|| p.id.to_string()))).collect();
    let sex: BTreeMap<Uuid, Sex> = persons.iter().map(|p| (p.id, p.sex)).collect();
    let mut out = BTreeMap::new();
    for p in persons {
        let mut bio = vec![];
        let mut legal = vec![];
        for f in families {
            for c in f.children.iter().filter(|c| c.person == p.id) {
                for &q in &f.partners {
                    match c.relationship_to(q) {
                        ChildRelationship::Birth | ChildRelationship::Unknown => bio.push(q),
                        r => legal.push((xref[&q].clone(), r)),
                    }
                }
            }
        }
        legal.sort_by(|a, b| a.0.cmp(&b.0));
        let father = bio.iter().find(|q| sex[q] != Sex::Female).map(|q| xref[q].clone());
        let mother = bio.iter().find(|q| sex[q] == Sex::Female).map(|q| xref[q].clone());
        out.insert(
            xref[&p.id].clone(),
            Summary {
                sex: p.sex,
                father,
                mother,
                legal_parents: legal,
                conditions: p
                    .conditions
                    .iter()
                    .map(|o| {
                        (
                            o.code.as_ref().map(|c| (c.system, c.code.clone())),
                            o.label.clone(),
                            o.status,
                            o.onset.map(|r| (r.min, r.max)),
                        )
                    })
                    .collect(),
                vital: p.vital_status.clone(),
                tests: p.genetic_tests.iter().map(|t| (t.gene.clone(), t.result)).collect(),
                proband: p.proband,
            },
        );
    }
    out
}

pub fn summarize_import(i: &ImportedFamily) -> BTreeMap<String, Summary> {
    summarize(&i.persons, &i.families)
}

/// An external program on PATH. Missing: `None` with a message on a developer's machine, a
/// failure in CI (`CI` set), where scripts/deps.sh must have installed it.
pub fn external_tool(name: &str, install: &str) -> Option<PathBuf> {
    let found = std::env::var_os("PATH")
        .and_then(|paths| std::env::split_paths(&paths).map(|d| d.join(name)).find(|p| p.is_file()));
    if found.is_some() {
        return found;
    }
    let ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && v != "false");
    if ci {
        panic!("{name} is not on PATH, and CI must run this check: install it ({install})");
    }
    eprintln!("SKIPPED: {name} is not on PATH, so this check did not run ({install}); in CI this fails.");
    None
}

/// Runs `scripts/fhir-validate.sh` on `files`: `Some(output)` with its exit status, `None` when the
/// validator cannot be set up here (exit 3: no python3/venv/PyPI), which fails in CI.
pub fn fhir_validate(files: &[PathBuf]) -> Option<(bool, String)> {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../scripts/fhir-validate.sh");
    let out = std::process::Command::new("bash").arg(&script).args(files).output().expect("bash runs");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    if out.status.code() == Some(3) {
        let ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && v != "false");
        if ci {
            panic!("the FHIR validator could not be set up, and CI must run it:\n{text}");
        }
        eprintln!("SKIPPED: the FHIR validator could not be set up ({text}); in CI this fails.");
        return None;
    }
    Some((out.status.success(), text))
}

/// A fresh temporary directory under the target dir (kept out of /tmp clutter, removed on drop).
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        let base = option_env!("CARGO_TARGET_TMPDIR").map(PathBuf::from).unwrap_or_else(std::env::temp_dir);
        let dir = base.join(format!("kinvault-interop-{tag}-{}", Uuid::now_v7().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
