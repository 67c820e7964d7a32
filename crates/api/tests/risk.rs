//! Risk through the API, on families stored in a real vault: textbook counselling answers, the
//! explanations ("three unaffected sons: 50% → 11%"), couples, consanguinity, the family overview
//! and the CLI-facing report shape.

use kinvault_api::catalog::ConditionDef;
use kinvault_api::model::{
    AgeRange, ConditionObservation, ConditionStatus, Family, FamilyChild, GeneticTest, Person, PersonName, Sex,
    TestResult, VitalStatus,
};
use kinvault_api::risk::{self, RiskModel, RiskRequest, Stratum};
use kinvault_api::*;
use std::collections::HashMap;
use std::path::Path;
use uuid::Uuid;

struct Fam {
    vault: Vault,
    ids: HashMap<&'static str, Uuid>,
}

impl Fam {
    fn new(dir: &Path) -> Fam {
        let vault = Vault::create(&dir.join("r.kinvault"), "test passphrase", KdfParams::TESTING_ONLY).unwrap().0;
        Fam { vault, ids: HashMap::new() }
    }

    fn person(&mut self, key: &'static str, sex: Sex, age: f64) -> &mut Self {
        let mut p = Person::new(PersonName::new(key, "Test"), sex);
        p.vital_status = VitalStatus::Alive { age: Some(age) };
        self.vault.write(|tx| tx.put_person(&p)).unwrap();
        self.ids.insert(key, p.id);
        self
    }

    fn edit(&mut self, key: &str, f: impl FnOnce(&mut Person)) -> &mut Self {
        let mut p = self.vault.get_person(self.ids[key]).unwrap().unwrap();
        f(&mut p);
        self.vault.write(|tx| tx.put_person(&p)).unwrap();
        self
    }

    fn condition(&mut self, key: &str, id: &str, status: ConditionStatus, onset: Option<f64>) -> &mut Self {
        let cat = clinical::vault_catalog(&self.vault).unwrap();
        let def = cat.get(id).unwrap().clone();
        self.edit(key, |p| {
            let mut o = ConditionObservation::new(Some(def.kinvault_code()), &def.name, status);
            o.onset = onset.map(AgeRange::exact);
            p.conditions.push(o);
        })
    }

    fn test(&mut self, key: &str, gene: &str, result: TestResult) -> &mut Self {
        self.edit(key, |p| {
            p.genetic_tests.push(GeneticTest {
                id: Uuid::now_v7(),
                gene: gene.into(),
                variant: None,
                acmg_class: None,
                result,
                method: None,
                sensitivity: None,
                lab: None,
                date: None,
                provenance: Default::default(),
            })
        })
    }

    fn family(&mut self, partners: &[&str], children: &[&str]) -> &mut Self {
        let mut f = Family::new(partners.iter().map(|k| self.ids[k]).collect());
        f.children = children.iter().map(|k| FamilyChild { person: self.ids[k], links: vec![] }).collect();
        self.vault.write(|tx| tx.put_family(&f)).unwrap();
        self
    }

    fn id(&self, key: &str) -> String {
        self.ids[key].to_string()
    }

    fn risk(&self, key: &str, conditions: &[&str]) -> risk::RiskReport {
        let g = graph::load(&self.vault).unwrap();
        let req = RiskRequest {
            person: self.id(key),
            conditions: conditions.iter().map(|c| c.to_string()).collect(),
            ..Default::default()
        };
        risk::person_risk(&self.vault, &g.graph, &req).unwrap()
    }
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol
}

#[test]
fn unaffected_sibling_of_a_child_with_cystic_fibrosis_is_a_carrier_with_probability_two_thirds() {
    use ConditionStatus::*;
    let dir = tempfile::tempdir().unwrap();
    let mut f = Fam::new(dir.path());
    f.person("Dad", Sex::Male, 40.0).person("Mum", Sex::Female, 38.0).person("Sib", Sex::Male, 10.0);
    f.person("Me", Sex::Female, 12.0).family(&["Dad", "Mum"], &["Sib", "Me"]);
    f.condition("Sib", "cystic-fibrosis", Affected, Some(0.0));
    for k in ["Dad", "Mum", "Me"] {
        f.condition(k, "cystic-fibrosis", Unaffected, None);
    }
    let r = f.risk("Me", &["cystic-fibrosis"]);
    assert_eq!(r.conditions.len(), 1);
    let cf = &r.conditions[0];
    assert_eq!(cf.model, RiskModel::MendelianAutosomalRecessive);
    assert!(cf.error.is_none(), "{:?}", cf.error);
    assert!(close(cf.carrier_probability.unwrap(), 2.0 / 3.0, 1e-9), "{:?}", cf.carrier_probability);
    // Population prior: 2q(1−q) with the catalog's default (European) q.
    let q = 0.0204168;
    assert!(close(cf.prior_carrier_probability.unwrap(), 2.0 * q * (1.0 - q), 1e-9));
    let a = cf.affected_probability.unwrap();
    assert_eq!(a.by_horizon, 0.0, "unaffected with complete childhood penetrance");
    // The explanation names the affected brother as what moved it, measured by leaving him out.
    let top = &cf.explanation.facts[0];
    assert_eq!(top.description, "brother: affected, onset 0");
    assert!(close(top.with.unwrap(), 2.0 / 3.0, 1e-9));
    assert!(top.without.unwrap() < 0.05, "without the brother the prior-like value remains: {:?}", top.without);
    assert_eq!(top.people, vec![f.id("Sib")]);
    assert!(cf.explanation.summary.contains("67%"), "{}", cf.explanation.summary);
    assert!(cf
        .explanation
        .parameters
        .iter()
        .any(|p| p.name.starts_with("allele frequency") && p.reference.as_deref() == Some("acog2011")));
    assert!(cf.explanation.references.iter().any(|r| r.id == "acog2011"));
}

/// A user-defined X-linked recessive condition with complete penetrance, no new mutations and
/// a negligible population frequency: the textbook setting.
fn textbook_xlr() -> ConditionDef {
    toml::from_str(
        r#"
id = "textbook-xlr"
name = "Textbook X-linked disorder"
category = "neuromuscular"
inheritance = "x_linked_recessive"
genes = ["TXL"]
[[frequencies]]
population = "general"
label = "negligible"
given = "allele_frequency"
allele_frequency = 1e-12
ref = "textbook"
[[penetrance]]
female = 0.0
male = 1.0
ref = "textbook"
[[references]]
id = "textbook"
citation = "Young ID. Introduction to Risk Calculation in Genetic Counseling. 3rd ed. Oxford University Press; 2007."
year = 2007
"#,
    )
    .unwrap()
}

#[test]
fn three_unaffected_sons_take_a_possible_carrier_from_one_half_to_one_ninth() {
    use ConditionStatus::*;
    let dir = tempfile::tempdir().unwrap();
    let mut f = Fam::new(dir.path());
    clinical::save_user_condition(&mut f.vault, textbook_xlr()).unwrap();
    f.person("Grandma", Sex::Female, 70.0).person("Grandpa", Sex::Male, 72.0);
    f.person("Me", Sex::Female, 45.0).person("Husband", Sex::Male, 47.0);
    f.person("S1", Sex::Male, 20.0).person("S2", Sex::Male, 18.0).person("S3", Sex::Male, 15.0);
    f.family(&["Grandpa", "Grandma"], &["Me"]).family(&["Husband", "Me"], &["S1", "S2", "S3"]);
    f.test("Grandma", "TXL", TestResult::Positive);
    f.condition("Grandpa", "textbook-xlr", Unaffected, None).condition("Husband", "textbook-xlr", Unaffected, None);
    let before = f.risk("Me", &["textbook-xlr"]);
    assert!(close(before.conditions[0].carrier_probability.unwrap(), 0.5, 1e-9));
    for s in ["S1", "S2", "S3"] {
        f.condition(s, "textbook-xlr", Unaffected, None);
    }
    let r = f.risk("Me", &["textbook-xlr"]);
    let c = &r.conditions[0];
    assert!(close(c.carrier_probability.unwrap(), 1.0 / 9.0, 1e-9), "{:?}", c.carrier_probability);
    let sons = c.explanation.facts.iter().find(|x| x.description.starts_with("3 sons")).expect("the sons, grouped");
    assert_eq!(sons.description, "3 sons: unaffected (ages 15–20)");
    assert!(close(sons.without.unwrap(), 0.5, 1e-9) && close(sons.with.unwrap(), 1.0 / 9.0, 1e-9));
    assert!(c.explanation.summary.contains("50% → 11%"), "{}", c.explanation.summary);
    let mother = c.explanation.facts.iter().find(|x| x.description.starts_with("mother")).unwrap();
    assert_eq!(mother.description, "mother: tested positive (TXL)");
}

#[test]
fn a_child_of_first_cousins_and_the_consanguinity_table() {
    let dir = tempfile::tempdir().unwrap();
    let mut f = Fam::new(dir.path());
    for (k, s) in [("G1", Sex::Male), ("G2", Sex::Female), ("S1", Sex::Male), ("S2", Sex::Male)] {
        f.person(k, s, 80.0);
    }
    f.person("P1", Sex::Female, 55.0).person("P2", Sex::Female, 53.0);
    f.person("A", Sex::Male, 30.0).person("B", Sex::Female, 29.0);
    f.family(&["G1", "G2"], &["P1", "P2"]).family(&["S1", "P1"], &["A"]).family(&["S2", "P2"], &["B"]);
    let g = graph::load(&f.vault).unwrap();
    let q = 0.0204168; // CF, European (catalog default)
    let r = risk::couple_risk(&f.vault, &g.graph, &f.id("A"), &f.id("B"), "cystic-fibrosis", None).unwrap();
    assert_eq!(r.kinship_fraction, "1/16");
    let expected = q * q + q * (1.0 - q) / 16.0;
    assert!(close(r.child_affected, expected, 1e-9), "{} vs {expected}", r.child_affected);
    assert!(close(r.son_affected, r.daughter_affected, 1e-12));
    assert!(r.explanation.summary.contains("1/16"), "{}", r.explanation.summary);

    let c = risk::consanguinity(&f.vault, &g.graph, &f.id("A"), &f.id("B")).unwrap();
    assert_eq!(c.inbreeding_fraction, "1/16");
    let cf = c.conditions.iter().find(|x| x.condition == "cystic-fibrosis").unwrap();
    assert!(close(cf.added_risk, q * (1.0 - q) / 16.0, 1e-12));
    assert!(close(cf.unrelated_risk, q * q, 1e-12));
    assert!(c.conditions.iter().all(|x| x.added_risk >= 0.0));
    // Unrelated couple: no added risk.
    let none = risk::consanguinity(&f.vault, &g.graph, &f.id("S1"), &f.id("P2")).unwrap();
    assert_eq!(none.inbreeding, 0.0);
    assert!(none.conditions.iter().all(|x| x.added_risk == 0.0));
    // A multifactorial condition is refused with the reason.
    let e = risk::couple_risk(&f.vault, &g.graph, &f.id("A"), &f.id("B"), "stroke", None).unwrap_err();
    assert!(e.message.contains("multifactorial"), "{}", e.message);
}

#[test]
fn every_condition_gets_an_entry_and_family_history_sets_the_category() {
    use ConditionStatus::*;
    let dir = tempfile::tempdir().unwrap();
    let mut f = Fam::new(dir.path());
    f.person("Dad", Sex::Male, 60.0).person("Mum", Sex::Female, 58.0).person("Me", Sex::Female, 30.0);
    f.person("Sis", Sex::Female, 33.0).family(&["Dad", "Mum"], &["Me", "Sis"]);
    f.condition("Mum", "breast-cancer", Affected, Some(44.0));
    f.test("Mum", "BRCA1", TestResult::Positive);
    let r = f.risk("Me", &[]);
    let cat = clinical::catalog();
    assert_eq!(r.conditions.len(), cat.len(), "one entry per catalog condition");
    let breast = r.conditions.iter().find(|c| c.condition == "breast-cancer").unwrap();
    assert_eq!(breast.model, RiskModel::FamilyHistoryScheuner1997);
    assert_eq!(breast.category, Some(Stratum::High));
    assert!(breast.explanation.facts[0].description.contains("mother at 44"), "{:?}", breast.explanation.facts);
    let brca1 = r.conditions.iter().find(|c| c.condition == "brca1-associated-cancer").unwrap();
    let p = brca1.carrier_probability.unwrap();
    // 1/2 from the carrier mother, plus the father's population chance (no status recorded).
    assert!(p > 0.5 && p < 0.501, "daughter of a BRCA1 carrier: just over 1/2, got {p}");
    assert!(brca1.affected_probability.unwrap().by_horizon > 0.2);
    let stroke = r.conditions.iter().find(|c| c.condition == "stroke").unwrap();
    assert_eq!(stroke.category, Some(Stratum::Average));
    let cf = r.conditions.iter().find(|c| c.condition == "cystic-fibrosis").unwrap();
    assert!(!cf.family_evidence);
    assert!(cf.explanation.summary.contains("population prior"), "{}", cf.explanation.summary);
    // Serialises for the CLI and UI.
    let json = serde_json::to_value(&r).unwrap();
    assert!(json["conditions"][0]["explanation"]["summary"].is_string());

    // The overview suggests counselling for the untested sister and screening for both.
    let g = graph::load(&f.vault).unwrap();
    let o = risk::family_overview(&f.vault, &g.graph, &f.id("Me"), &Default::default()).unwrap();
    let sis = f.id("Sis");
    assert!(o.items.iter().any(|i| i.person == sis
        && i.suggestion == risk::OverviewSuggestion::GeneticCounselling
        && i.condition == "brca1-associated-cancer"
        && i.relation == "sister"));
    assert!(o
        .items
        .iter()
        .any(|i| i.person == sis && i.condition == "breast-cancer" && i.category == Some(Stratum::High)));
    assert!(
        !o.items.iter().any(|i| i.person == f.id("Mum") && i.condition == "brca1-associated-cancer"),
        "tested already"
    );
}

#[test]
fn impossible_records_are_reported_per_condition_with_who_to_check() {
    use ConditionStatus::*;
    let dir = tempfile::tempdir().unwrap();
    let mut f = Fam::new(dir.path());
    clinical::save_user_condition(&mut f.vault, textbook_xlr()).unwrap();
    f.person("Dad", Sex::Male, 40.0).person("Mum", Sex::Female, 38.0).person("Son", Sex::Male, 10.0);
    f.family(&["Dad", "Mum"], &["Son"]);
    // An affected son of a mother who tested negative with a perfect test, and q ≈ 0, no new
    // mutations: impossible under the model.
    f.condition("Son", "textbook-xlr", Affected, Some(3.0));
    f.test("Mum", "TXL", TestResult::Negative);
    f.edit("Mum", |p| p.genetic_tests[0].sensitivity = Some(1.0));
    let r = f.risk("Dad", &["textbook-xlr", "cystic-fibrosis"]);
    let e = r.conditions[0].error.as_deref().expect("an error, not a number");
    assert!(e.contains("cannot all be true"), "{e}");
    assert!(r.conditions[0].carrier_probability.is_none());
    assert!(r.conditions[1].error.is_none(), "other conditions are still assessed");
}
