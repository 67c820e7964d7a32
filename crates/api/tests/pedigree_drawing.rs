//! The clinical pedigree drawn from a vault: who is selected, which symbols and marks the vault's
//! records become, and the privacy switch. The drawing's geometry is tested in crates/drawing.

use kinvault_api::model::{
    AgeRange, ChildRelationship, ConditionObservation, ConditionStatus, Family, FamilyChild, GeneticTest, ParentLink,
    Person, PersonName, Sex, TestResult, TwinSet, VitalStatus, Zygosity,
};
use kinvault_api::pedigree_drawing::{pedigree, PedigreeRequest};
use kinvault_api::*;
use std::collections::HashMap;
use uuid::Uuid;

struct Fam {
    vault: Vault,
    ids: HashMap<&'static str, Uuid>,
    _dir: tempfile::TempDir,
}

impl Fam {
    fn new() -> Fam {
        let dir = tempfile::tempdir().unwrap();
        let vault =
            Vault::create(&dir.path().join("d.kinvault"), "test passphrase", KdfParams::TESTING_ONLY).unwrap().0;
        Fam { vault, ids: HashMap::new(), _dir: dir }
    }
    fn person(&mut self, key: &'static str, sex: Sex, f: impl FnOnce(&mut Person)) {
        let mut p = Person::new(PersonName::new(key, "Zed"), sex);
        p.vital_status = VitalStatus::Alive { age: Some(40.0) };
        f(&mut p);
        self.vault.write(|tx| tx.put_person(&p)).unwrap();
        self.ids.insert(key, p.id);
    }
    fn family(
        &mut self,
        partners: &[&str],
        children: &[&str],
        f: impl FnOnce(&mut Family, &HashMap<&'static str, Uuid>),
    ) {
        let mut fam = Family::new(partners.iter().map(|k| self.ids[k]).collect());
        fam.children = children.iter().map(|k| FamilyChild { person: self.ids[k], links: vec![] }).collect();
        f(&mut fam, &self.ids);
        self.vault.write(|tx| tx.put_family(&fam)).unwrap();
    }
    fn id(&self, k: &str) -> String {
        self.ids[k].to_string()
    }
    fn draw(&self, req: &PedigreeRequest) -> kinvault_api::pedigree_drawing::PedigreeDrawing {
        let g = graph::load(&self.vault).unwrap();
        pedigree(&self.vault, &g.graph, req).unwrap()
    }
}

fn affected(label: &str, code: &str, onset: f64) -> ConditionObservation {
    let mut o = ConditionObservation::new(
        Some(kinvault_api::model::Code::new(kinvault_api::model::CodeSystem::Kinvault, code, label)),
        label,
        ConditionStatus::Affected,
    );
    o.onset = Some(AgeRange::exact(onset));
    o
}

/// The `<g class="person" ...>` element of a person, as text.
fn symbol<'a>(svg: &'a str, id: &str) -> &'a str {
    let at = svg.find(&format!("class=\"person\" data-id=\"{id}\"")).unwrap_or_else(|| panic!("no symbol for {id}"));
    let end = svg[at..].find('>').unwrap();
    &svg[at..at + end]
}

/// Grandparents G1 + G2 with daughters Mum and Aunt; Mum + Dad (married in) have MZ twins T1,
/// T2 and an adopted son Ad; Aunt has breast cancer at 41; T1 carries BRCA1. A
/// great-grandmother GG is above G2; a stranger S is unrelated.
fn family() -> Fam {
    let mut f = Fam::new();
    f.person("GG", Sex::Female, |p| {
        p.vital_status = VitalStatus::Deceased { age: Some(80.0), date: None, cause: None }
    });
    f.person("G1", Sex::Male, |_| {});
    f.person("G2", Sex::Female, |_| {});
    f.person("Mum", Sex::Female, |_| {});
    f.person("Aunt", Sex::Female, |p| p.conditions.push(affected("Breast cancer", "breast-cancer", 41.0)));
    f.person("Dad", Sex::Male, |_| {});
    f.person("T1", Sex::Female, |p| {
        p.proband = true;
        p.genetic_tests.push(GeneticTest {
            id: Uuid::now_v7(),
            gene: "BRCA1".into(),
            variant: None,
            acmg_class: None,
            result: TestResult::Positive,
            method: None,
            sensitivity: None,
            lab: None,
            date: None,
            provenance: Default::default(),
        });
    });
    f.person("T2", Sex::Female, |p| p.consultand = true);
    f.person("Ad", Sex::Male, |_| {});
    f.person("S", Sex::Male, |_| {});
    f.family(&["GG"], &["G2"], |_, _| {});
    f.family(&["G1", "G2"], &["Mum", "Aunt"], |_, _| {});
    f.family(&["Dad", "Mum"], &["T1", "T2", "Ad"], |fam, ids| {
        fam.twins.push(TwinSet { members: vec![ids["T1"], ids["T2"]], zygosity: Zygosity::Monozygotic });
        let (dad, mum) = (ids["Dad"], ids["Mum"]);
        fam.children[2].links = vec![
            ParentLink { parent: dad, relationship: ChildRelationship::Adopted },
            ParentLink { parent: mum, relationship: ChildRelationship::Adopted },
        ];
    });
    f
}

#[test]
fn the_vaults_records_become_nsgc_symbols() {
    let f = family();
    let mut req = PedigreeRequest::new(&f.id("T1"));
    req.generations = Some(2);
    let d = f.draw(&req);
    // Two generations up from T1: grandparents, not the great-grandmother; the stranger never.
    for k in ["G1", "G2", "Mum", "Aunt", "Dad", "T1", "T2", "Ad"] {
        symbol(&d.svg, &f.id(k));
    }
    assert!(!d.svg.contains(&f.id("GG")), "three generations up is out of scope");
    assert!(!d.svg.contains(&f.id("S")), "an unrelated person is not drawn");
    assert_eq!(d.people, 8);
    // The shaded condition is the one recorded; the aunt's symbol is filled for it.
    assert_eq!(d.conditions, vec!["breast-cancer".to_string()]);
    assert!(
        symbol(&d.svg, &f.id("Aunt")).contains("data-affected=\"breast-cancer\""),
        "{}",
        symbol(&d.svg, &f.id("Aunt"))
    );
    // Proband, consultand, shapes.
    assert!(symbol(&d.svg, &f.id("T1")).contains("data-proband=\"true\""));
    assert!(symbol(&d.svg, &f.id("T2")).contains("data-consultand=\"true\""));
    assert!(symbol(&d.svg, &f.id("Dad")).contains("data-shape=\"square\""));
    // T1's positive BRCA1 test: written under the symbol; no BRCA1 condition shaded, so no mark.
    assert!(d.svg.contains("BRCA1 +"));
    // The adopted son has brackets (adopted in: no birth family drawn) and a dashed line.
    assert!(symbol(&d.svg, &f.id("Ad")).contains("data-adoption=\"in\""));
    assert!(d.svg.contains("stroke-dasharray"), "the adoption line is dashed");
    // MZ twins.
    // MZ twins: the bar between the twins' lines, naming both.
    let bar =
        d.svg.find("class=\"twin-bar\"").map(|at| &d.svg[at..at + d.svg[at..].find('>').unwrap()]).expect("a twin bar");
    assert!(bar.contains(&f.id("T1")) && bar.contains(&f.id("T2")), "{bar}");
    // Individual numbers for every person drawn.
    assert_eq!(d.numbers.len(), 8);
    assert!(d.numbers.values().all(|n| n.contains('-')));

    // Everyone related by blood: the great-grandmother comes in.
    req.generations = None;
    let all = f.draw(&req);
    symbol(&all.svg, &f.id("GG"));
    assert!(!all.svg.contains(&f.id("S")));
}

#[test]
fn names_can_be_left_out_and_bad_requests_say_why() {
    let f = family();
    let mut req = PedigreeRequest::new(&f.id("T1"));
    let named = f.draw(&req);
    assert!(named.svg.contains("Aunt Zed"));
    req.names = false;
    let anonymous = f.draw(&req);
    assert!(!anonymous.svg.contains("Zed"), "no name anywhere when names are off");
    // A carrier mark when the condition is shaded on request.
    let mut brca = PedigreeRequest::new(&f.id("T1"));
    brca.conditions = vec!["brca1-associated-cancer".into()];
    let d = f.draw(&brca);
    assert!(
        symbol(&d.svg, &f.id("T1")).contains("data-presymptomatic=\"brca1-associated-cancer\""),
        "{}",
        symbol(&d.svg, &f.id("T1"))
    );
    let g = graph::load(&f.vault).unwrap();
    let mut bad = PedigreeRequest::new(&f.id("T1"));
    bad.conditions = vec!["no-such-condition".into()];
    assert!(pedigree(&f.vault, &g.graph, &bad).unwrap_err().message.contains("not a condition id"));
    let e = pedigree(&f.vault, &g.graph, &PedigreeRequest::new("NOBODY")).unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotFound);
}
