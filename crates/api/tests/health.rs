//! Health records beyond single observations: the vault's own catalog conditions, ancestry, and
//! the family health questionnaire (relatives created, linked and given conditions in one
//! transaction).

use kinvault_api::catalog::ConditionDef;
use kinvault_api::history::{
    questionnaire, save_questionnaire, Questionnaire, QuestionnaireCondition, QuestionnaireRelation as R,
    QuestionnaireRelative,
};
use kinvault_api::model::{ConditionStatus, Provenance, Sex, VitalStatus};
use kinvault_api::*;
use std::path::Path;

fn vault(dir: &Path) -> Vault {
    Vault::create(&dir.join("h.kinvault"), "test passphrase", KdfParams::TESTING_ONLY).unwrap().0
}

fn user_condition(id: &str) -> ConditionDef {
    let toml = format!(
        r#"
id = "{id}"
name = "Family cardiomyopathy"
category = "cardiovascular"
inheritance = "autosomal_dominant"
genes = ["MYH7"]
[[frequencies]]
population = "general"
label = "Counsellor's estimate"
given = "allele_frequency"
allele_frequency = 0.001
ref = "clinic"
[[penetrance]]
female = [[10.0, 0.0], [40.0, 0.3], [70.0, 0.6]]
male = [[10.0, 0.0], [40.0, 0.4], [70.0, 0.7]]
ref = "clinic"
[[references]]
id = "clinic"
citation = "Letter from the cardiogenetics clinic, 2025."
year = 2025
"#
    );
    toml::from_str(&toml).unwrap()
}

#[test]
fn user_conditions_are_stored_in_the_vault_validated_and_usable() {
    let dir = tempfile::tempdir().unwrap();
    let mut v = vault(dir.path());
    let before = v.changes_since(0, 1000).unwrap().len();
    let saved = clinical::save_user_condition(&mut v, user_condition("family-cardiomyopathy")).unwrap();
    assert!(saved.user_defined);
    // Logged in the change log as a meta change.
    let changes = v.changes_since(0, 1000).unwrap();
    assert_eq!(changes.len(), before + 1);
    assert_eq!(changes.last().unwrap().entity, "meta");

    let cat = clinical::vault_catalog(&v).unwrap();
    assert_eq!(cat.get("family-cardiomyopathy").map(|c| c.user_defined), Some(true));
    assert!(clinical::catalog_search(&cat, "cardiomyopathy").iter().any(|c| c.id == "family-cardiomyopathy"));
    // The built-in catalog is untouched.
    assert!(clinical::catalog().get("family-cardiomyopathy").is_none());

    // Recording it on a person uses its name and the kinvault code (no standard code given).
    let p = people::add(
        &mut v,
        &NewPerson { given: "Ann".into(), surname: "Lee".into(), sex: Sex::Female, ..Default::default() },
    )
    .unwrap();
    let req = AddCondition {
        condition: "family-cardiomyopathy".into(),
        status: ConditionStatus::Affected,
        onset_age: Some(38.0),
        age: None,
        certainty: Default::default(),
        provenance: Default::default(),
        note: None,
    };
    let p = clinical::add_condition(&mut v, &p.id.to_string(), &req).unwrap();
    assert_eq!(p.conditions[0].label, "Family cardiomyopathy");
    assert_eq!(p.conditions[0].code.as_ref().unwrap().code, "family-cardiomyopathy");

    // Replacing keeps one entry; invalid entries and built-in ids are refused with the field.
    let mut changed = user_condition("family-cardiomyopathy");
    changed.name = "Familial cardiomyopathy (our family)".into();
    clinical::save_user_condition(&mut v, changed).unwrap();
    assert_eq!(clinical::user_conditions(&v).unwrap().len(), 1);
    let e = clinical::save_user_condition(&mut v, user_condition("cystic-fibrosis")).unwrap_err();
    assert!(e.message.contains("cystic-fibrosis"), "{}", e.message);
    let mut bad = user_condition("bad-numbers");
    bad.frequencies[0].allele_frequency = 1.5;
    let e = clinical::save_user_condition(&mut v, bad).unwrap_err();
    assert!(e.message.contains("frequencies[0].allele_frequency"), "{}", e.message);
    assert_eq!(clinical::user_conditions(&v).unwrap().len(), 1, "a refused entry stores nothing");

    // Survives closing and reopening; removal keeps the observations.
    drop(v);
    let mut v = Vault::open(&dir.path().join("h.kinvault"), "test passphrase").unwrap();
    assert_eq!(clinical::user_conditions(&v).unwrap()[0].name, "Familial cardiomyopathy (our family)");
    clinical::delete_user_condition(&mut v, "family-cardiomyopathy").unwrap();
    assert!(clinical::vault_catalog(&v).unwrap().get("family-cardiomyopathy").is_none());
    assert_eq!(v.get_person(p.id).unwrap().unwrap().conditions.len(), 1);
    let e = clinical::delete_user_condition(&mut v, "cystic-fibrosis").unwrap_err();
    assert!(e.message.contains("built-in"), "{}", e.message);
}

#[test]
fn ancestry_round_trips_and_old_records_read_without_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut v = vault(dir.path());
    let mut p = people::add(
        &mut v,
        &NewPerson { given: "Rivka".into(), surname: "K".into(), sex: Sex::Female, ..Default::default() },
    )
    .unwrap();
    assert!(p.ancestry.is_empty());
    assert!(!serde_json::to_string(&p).unwrap().contains("ancestry"), "empty ancestry is not written");
    p.ancestry = vec!["ashkenazi_jewish".into()];
    let p = people::update(&mut v, p).unwrap();
    assert_eq!(v.get_person(p.id).unwrap().unwrap().ancestry, vec!["ashkenazi_jewish".to_string()]);
}

fn rel(relation: R, name: &str, sex: Sex, add: &[(&str, Option<f64>)]) -> QuestionnaireRelative {
    QuestionnaireRelative {
        person: None,
        relation,
        name: name.into(),
        sex,
        alive: None,
        age: None,
        cause_of_death: None,
        recorded: vec![],
        add: add.iter().map(|(c, a)| QuestionnaireCondition { condition: c.to_string(), onset_age: *a }).collect(),
    }
}

#[test]
fn the_questionnaire_creates_links_and_records_a_whole_family_in_one_go() {
    let dir = tempfile::tempdir().unwrap();
    let mut v = vault(dir.path());
    let me = people::add(
        &mut v,
        &NewPerson { given: "Dana".into(), surname: "Ruiz".into(), sex: Sex::Female, ..Default::default() },
    )
    .unwrap();
    let empty = questionnaire(&v, &me.id.to_string()).unwrap();
    assert_eq!(empty.relatives.len(), 1, "only the proband");
    assert_eq!(empty.relatives[0].relation, R::Proband);

    let mut mother = rel(R::Mother, "", Sex::Female, &[("breast-cancer", Some(44.0))]);
    mother.alive = Some(true);
    mother.age = Some(70.0);
    let mut grandfather =
        rel(R::PaternalGrandfather, "Jorge Ruiz", Sex::Male, &[("coronary-heart-disease", Some(52.0))]);
    grandfather.alive = Some(false);
    grandfather.age = Some(61.0);
    grandfather.cause_of_death = Some("heart attack".into());
    let mut proband = empty.relatives[0].clone();
    proband.add = vec![QuestionnaireCondition { condition: "type-2-diabetes".into(), onset_age: Some(35.0) }];
    let q = Questionnaire {
        proband: me.id.to_string(),
        relatives: vec![
            proband,
            // Listed before its parent on purpose: parents are created first.
            rel(R::MaternalAuntOrUncle, "", Sex::Female, &[("ovarian-cancer", None)]),
            mother,
            rel(R::Sibling, "Luis", Sex::Male, &[]),
            grandfather,
            rel(R::Child, "", Sex::Unknown, &[]),
        ],
    };
    let saved = save_questionnaire(&mut v, &q).unwrap();
    // Mother, aunt, brother, grandfather, child, plus placeholders: the father (linking the
    // grandfather and making the brother a full sibling) and the maternal grandparents (making
    // the aunt the mother's full sister).
    assert_eq!(saved.people_created, 8);
    assert_eq!(saved.people_updated, 1, "the proband got a condition");
    assert_eq!(saved.conditions_added, 4);
    // Birth family, mother's birth family, father's birth family, the proband's own family.
    assert_eq!(saved.families_changed, 4);

    let back = saved.questionnaire;
    let find = |r: R| back.relatives.iter().filter(move |x| x.relation == r).collect::<Vec<_>>();
    assert_eq!(find(R::Mother)[0].name, "Mother");
    assert_eq!(find(R::Mother)[0].recorded[0].condition.as_deref(), Some("breast-cancer"));
    assert_eq!(find(R::Mother)[0].recorded[0].onset_age, Some(44.0));
    assert_eq!(find(R::Mother)[0].alive, Some(true));
    assert_eq!(find(R::Father)[0].name, "Father", "placeholder created to carry the grandfather");
    assert_eq!(find(R::PaternalGrandfather)[0].name, "Jorge Ruiz");
    assert_eq!(find(R::PaternalGrandfather)[0].cause_of_death.as_deref(), Some("heart attack"));
    assert_eq!(find(R::MaternalAuntOrUncle)[0].name, "Maternal aunt");
    assert_eq!(find(R::MaternalGrandmother)[0].name, "Maternal grandmother");
    assert_eq!(find(R::MaternalGrandfather)[0].name, "Maternal grandfather");
    assert!(find(R::PaternalGrandmother).is_empty(), "no placeholder where nothing hangs on it");
    assert_eq!(find(R::MaternalAuntOrUncle)[0].recorded[0].onset_age, None);
    assert_eq!(find(R::Sibling)[0].name, "Luis");
    assert_eq!(find(R::Child).len(), 1);
    assert_eq!(find(R::Proband)[0].recorded[0].condition.as_deref(), Some("type-2-diabetes"));

    // Provenance: the proband's own report vs a relative's.
    let me_now = v.get_person(me.id).unwrap().unwrap();
    assert_eq!(me_now.conditions[0].provenance, Provenance::SelfReported);
    let gf_id = find(R::PaternalGrandfather)[0].person.clone().unwrap();
    let gf = people::resolve(&v, &gf_id).unwrap();
    assert_eq!(gf.conditions[0].provenance, Provenance::ReportedByRelative);
    assert!(matches!(gf.vital_status, VitalStatus::Deceased { age: Some(61.0), .. }));

    // The graph sees the new links: the grandfather is the proband's paternal grandparent.
    let g = graph::load(&v).unwrap();
    let r = graph::relate(&v, &g.graph, &me.id.to_string(), &gf_id).unwrap();
    assert!(r.relationships.iter().any(|x| x.name.contains("grandfather")), "{:?}", r.relationships);
    let aunt = find(R::MaternalAuntOrUncle)[0].person.clone().unwrap();
    let r = graph::relate(&v, &g.graph, &me.id.to_string(), &aunt).unwrap();
    assert!(r.relationships.iter().any(|x| x.name == "aunt"), "{:?}", r.relationships);

    // A second mother is refused, and the refusal changes nothing.
    let changes = v.changes_since(0, 100_000).unwrap().len();
    let q2 = Questionnaire {
        proband: me.id.to_string(),
        relatives: vec![rel(R::Sibling, "New", Sex::Female, &[]), rel(R::Mother, "Other", Sex::Female, &[])],
    };
    let e = save_questionnaire(&mut v, &q2).unwrap_err();
    assert!(e.message.contains("already has a mother"), "{}", e.message);
    // An unknown condition names the relative and the entry.
    let q3 = Questionnaire {
        proband: me.id.to_string(),
        relatives: vec![rel(R::Sibling, "Eva", Sex::Female, &[("not-a-condition", None)])],
    };
    let e = save_questionnaire(&mut v, &q3).unwrap_err();
    assert!(e.message.contains("sister (Eva), condition 1"), "{}", e.message);
    // Onset after the stated age.
    let mut late = rel(R::Sibling, "Tom", Sex::Male, &[("stroke", Some(80.0))]);
    late.age = Some(40.0);
    let e =
        save_questionnaire(&mut v, &Questionnaire { proband: me.id.to_string(), relatives: vec![late] }).unwrap_err();
    assert!(e.message.contains("after their age"), "{}", e.message);
    assert_eq!(v.changes_since(0, 100_000).unwrap().len(), changes, "refused questionnaires write nothing");
    assert_eq!(questionnaire(&v, &me.id.to_string()).unwrap().relatives.len(), back.relatives.len());
}

#[test]
fn families_from_a_spec_and_a_persons_families() {
    use kinvault_api::families::{family_from_spec, person_families, FamilySpec};
    use kinvault_api::model::{ChildRelationship, UnionKind, Zygosity};
    let dir = tempfile::tempdir().unwrap();
    let mut v = vault(dir.path());
    let add = |v: &mut Vault, given: &str, sex: Sex| {
        people::add(v, &NewPerson { given: given.into(), surname: "F".into(), sex, ..Default::default() })
            .unwrap()
            .id
            .to_string()
    };
    let (a, b) = (add(&mut v, "Ana", Sex::Female), add(&mut v, "Ben", Sex::Male));
    let (t1, t2, k) =
        (add(&mut v, "Tia", Sex::Female), add(&mut v, "Tara", Sex::Female), add(&mut v, "Kai", Sex::Male));
    let spec = FamilySpec {
        partners: vec![a.clone(), b.clone()],
        children: vec![t1.clone(), t2.clone(), k.clone()],
        adopted: vec![k.clone()],
        twins: vec![(vec![t1.clone(), t2.clone()], Zygosity::Monozygotic)],
        kind: Some(UnionKind::Married),
        consanguineous: true,
        ..Default::default()
    };
    let f = family_from_spec(&v, &spec).unwrap();
    assert_eq!(f.children.len(), 3);
    assert_eq!(f.children[2].relationship_to(f.partners[0]), ChildRelationship::Adopted);
    assert_eq!(f.children[0].relationship_to(f.partners[0]), ChildRelationship::Birth);
    assert_eq!(f.twins[0].zygosity, Zygosity::Monozygotic);
    assert!(f.consanguineous);
    v.write(|tx| tx.put_family(&f)).unwrap();

    let pf = person_families(&v, &t1).unwrap();
    assert_eq!(pf.as_child.len(), 1);
    assert!(pf.as_partner.is_empty());
    assert_eq!(pf.as_child[0].people.len(), 5);
    let pa = person_families(&v, &a).unwrap();
    assert_eq!(pa.as_partner.len(), 1);
    assert_eq!(pa.as_partner[0].people.iter().find(|p| p.id == k).unwrap().display_name, "Kai F");

    // Refusals name the reason.
    let twice = FamilySpec { partners: vec![a.clone()], children: vec![a.clone()], ..Default::default() };
    assert!(family_from_spec(&v, &twice).unwrap_err().message.contains("named twice"));
    let stray = FamilySpec {
        partners: vec![a.clone()],
        children: vec![t1.clone()],
        adopted: vec![k.clone()],
        ..Default::default()
    };
    assert!(family_from_spec(&v, &stray).unwrap_err().message.contains("not one of the children"));
    let three = FamilySpec { partners: vec![a.clone(), b.clone(), k.clone()], ..Default::default() };
    assert!(family_from_spec(&v, &three).unwrap_err().message.contains("at most two partners"));
    assert_eq!(family_from_spec(&v, &FamilySpec::default()).unwrap_err().kind, ErrorKind::InvalidInput);
}
