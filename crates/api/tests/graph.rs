//! The graph API (relate, inbreeding, charts, person resolution) on small pedigrees stored in a
//! real vault. Expected values are worked out by hand in the comments.

use kinvault_api::model::{ChildRelationship, Family, FamilyChild, ParentLink, Person, PersonName, Sex, UnionKind};
use kinvault_api::*;
use std::collections::HashMap;
use std::path::Path;
use uuid::Uuid;

fn vault(dir: &Path) -> Vault {
    Vault::create(&dir.join("g.kinvault"), "test passphrase", KdfParams::TESTING_ONLY).unwrap().0
}

struct Tree {
    vault: Vault,
    ids: HashMap<&'static str, Uuid>,
}

impl Tree {
    /// People named by a short key, stored with xref `@<key>@`.
    fn new(dir: &Path, people: &[(&'static str, Sex)]) -> Tree {
        let mut vault = vault(dir);
        let mut ids = HashMap::new();
        vault
            .write(|tx| {
                for (key, sex) in people {
                    let mut p = Person::new(PersonName::new(key, "Test"), *sex);
                    p.xref = Some(format!("@{key}@"));
                    p.set_event_date(kinvault_api::model::EventKind::Birth, Some("1900"));
                    tx.put_person(&p)?;
                    ids.insert(*key, p.id);
                }
                Ok(())
            })
            .unwrap();
        Tree { vault, ids }
    }

    fn family(&mut self, partners: &[&str], children: &[&str]) -> Family {
        self.family_with(partners, children, UnionKind::Married, None)
    }

    fn family_with(
        &mut self,
        partners: &[&str],
        children: &[&str],
        kind: UnionKind,
        link: Option<ChildRelationship>,
    ) -> Family {
        let mut f = Family::new(partners.iter().map(|k| self.ids[k]).collect());
        f.kind = kind;
        f.children = children
            .iter()
            .map(|k| FamilyChild {
                person: self.ids[k],
                links: match link {
                    Some(r) => f.partners.iter().map(|&p| ParentLink { parent: p, relationship: r }).collect(),
                    None => vec![],
                },
            })
            .collect();
        self.vault.write(|tx| tx.put_family(&f)).unwrap();
        f
    }

    fn id(&self, key: &str) -> String {
        self.ids[key].to_string()
    }
}

fn names(path: &[PathStep]) -> Vec<String> {
    path.iter().map(|s| s.person.display_name.split(' ').next().unwrap().to_string()).collect()
}

/// G1 (M) + G2 (F) have daughters P1 and P2. P1 + S1 (M) have A (M); P2 + S2 (M) have B (F).
/// A and B, first cousins, have C (F).
fn cousins(dir: &Path) -> Tree {
    use Sex::*;
    let mut t = Tree::new(
        dir,
        &[
            ("G1", Male),
            ("G2", Female),
            ("P1", Female),
            ("P2", Female),
            ("S1", Male),
            ("S2", Male),
            ("A", Male),
            ("B", Female),
            ("C", Female),
        ],
    );
    t.family(&["G1", "G2"], &["P1", "P2"]);
    t.family(&["S1", "P1"], &["A"]);
    t.family(&["S2", "P2"], &["B"]);
    t.family(&["A", "B"], &["C"]);
    t
}

#[test]
fn relate_first_cousins_with_path_and_coefficients() {
    let d = tempfile::tempdir().unwrap();
    let t = cousins(d.path());
    let loaded = graph::load(&t.vault).unwrap();
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    assert_eq!((loaded.graph.len(), loaded.families), (9, 4));

    // By xref in both spellings.
    let r = graph::relate(&t.vault, &loaded.graph, "A", "@B@").unwrap();
    assert_eq!(r.a.id, t.id("A"));
    assert_eq!(r.b.xref.as_deref(), Some("@B@"));
    assert_eq!(r.b.birth_year, Some(1900));
    let blood: Vec<_> = r.relationships.iter().filter(|x| x.kind == RelationshipKind::Blood).collect();
    assert_eq!(blood.len(), 1, "{r:#?}");
    let cousin = blood[0];
    assert_eq!((cousin.name.as_str(), cousin.ga, cousin.gb, cousin.half), ("first cousin", 2, 2, false));
    // The common couple, father first.
    let common: Vec<_> = cousin.common_ancestors.iter().map(|p| p.id.clone()).collect();
    assert_eq!(common, vec![t.id("G1"), t.id("G2")]);
    assert_eq!(cousin.description, "first cousin through G1 Test and G2 Test");
    // Up from A through his mother P1 to G1, down through P2 to B.
    assert_eq!(names(&cousin.path), ["A", "P1", "G1", "P2", "B"]);
    let links: Vec<_> = cousin.path.iter().map(|s| s.link).collect();
    use PathLink::*;
    assert_eq!(links, [None, Some(Parent), Some(Parent), Some(Child), Some(Child)]);
    assert!(cousin.path[1..].iter().all(|s| s.link_kind == Some(LinkKind::Birth)));
    // They are also a couple: B is A's wife.
    assert!(r.relationships.iter().any(|x| x.kind == RelationshipKind::Partner && x.name == "wife"));

    // φ(first cousins) = 2 · (1/2)^(2+2+1) = 1/16.
    assert_eq!((r.kinship, r.kinship_exact.as_deref()), (Some(0.0625), Some("1/16")));
    // X: A is male, so φx(A, B) = φx(P1, B) = ½ φx(P1, P2) (B's father S2 is unrelated), and
    // P1, P2 are full sisters: φx = 3/8. So 3/16.
    assert_eq!(r.kinship_x_exact.as_deref(), Some("3/16"));
    assert_eq!(r.kinship_x, Some(0.1875));
    // First cousins: κ = (3/4, 1/4, 0).
    let k = r.kappa.as_ref().unwrap();
    assert_eq!((k.k0.exact.as_str(), k.k1.exact.as_str(), k.k2.exact.as_str()), ("3/4", "1/4", "0"));
    assert!(r.notes.is_empty(), "{:?}", r.notes);
    assert!(r.summary.starts_with("first cousin"), "{}", r.summary);

    // What A is to G2: grandson, a direct line: the path goes straight up.
    let r = graph::relate(&t.vault, &loaded.graph, "G2", &t.id("A")).unwrap();
    assert_eq!(r.relationships[0].name, "grandson");
    assert_eq!(names(&r.relationships[0].path), ["G2", "P1", "A"]);
    assert_eq!(r.relationships[0].path[1].link, Some(Child));
    assert_eq!(r.kinship_exact.as_deref(), Some("1/8"));
}

#[test]
fn inbreeding_of_a_child_of_first_cousins() {
    let d = tempfile::tempdir().unwrap();
    let t = cousins(d.path());
    let g = graph::load(&t.vault).unwrap().graph;
    let r = graph::inbreeding(&t.vault, &g, "@C@").unwrap();
    // F = φ(A, B) = 1/16; C is female: Fx = φx(A, B) = 3/16 (see above).
    assert_eq!((r.f_exact.as_deref(), r.f), (Some("1/16"), Some(0.0625)));
    assert_eq!(r.f_x_exact.as_deref(), Some("3/16"));
    let parents: Vec<_> = r.parents.iter().map(|p| p.id.clone()).collect();
    assert_eq!(parents, [t.id("A"), t.id("B")], "father first");
    assert_eq!(r.parents_relationship.as_deref(), Some("first cousin"));
    // A is male: one X, Fx = 1 by convention; his parents are unrelated, F = 0.
    let r = graph::inbreeding(&t.vault, &g, "A").unwrap();
    assert_eq!((r.f_exact.as_deref(), r.f_x_exact.as_deref()), (Some("0"), Some("1")));
    assert_eq!(r.parents_relationship.as_deref(), Some("not related"));
    // κ is given for non-inbred people only: C and her father A are related, and C is inbred.
    let r = graph::relate(&t.vault, &g, "C", "A").unwrap();
    // φ(C, A) = ½ (φ(A, A) + φ(B, A)) = ½ (½ + 1/16) = 9/32: more than parent–child's 1/4.
    assert_eq!(r.kinship_exact.as_deref(), Some("9/32"));
    assert!(r.kappa.is_none());
    assert!(r.notes.iter().any(|n| n.starts_with("kappa") && n.contains("@C@ is inbred")), "{:?}", r.notes);
    // One recorded parent: F = 0, no relationship to tell.
    let r = graph::inbreeding(&t.vault, &g, "G1").unwrap();
    assert!(r.parents.is_empty() && r.parents_relationship.is_none());
}

#[test]
fn unknown_sex_leaves_the_x_coefficient_out_with_a_note() {
    let d = tempfile::tempdir().unwrap();
    let mut t = Tree::new(d.path(), &[("F", Sex::Unknown), ("M", Sex::Female), ("K1", Sex::Female), ("K2", Sex::Male)]);
    t.family(&["F", "M"], &["K1", "K2"]);
    let g = graph::load(&t.vault).unwrap().graph;
    let r = graph::relate(&t.vault, &g, "K1", "K2").unwrap();
    assert_eq!(r.relationships[0].name, "brother");
    assert_eq!(r.kinship_exact.as_deref(), Some("1/4"));
    assert_eq!(r.kinship_x, None);
    assert!(r.notes.iter().any(|n| n.contains("X-chromosome kinship") && n.contains("@F@")), "{:?}", r.notes);
    assert!(r.notes.iter().all(|n| !n.contains("Test")), "notes name people by xref only: {:?}", r.notes);
}

#[test]
fn step_in_law_and_adoptive_paths() {
    use PathLink::*;
    use Sex::*;
    let d = tempfile::tempdir().unwrap();
    let mut t = Tree::new(
        d.path(),
        &[
            ("Dad", Male),
            ("Mum", Female),
            ("Kid", Male),
            ("Wife2", Female),
            ("Bride", Female),
            ("Inlaw", Male),
            ("Adoptee", Female),
        ],
    );
    t.family(&["Dad", "Mum"], &["Kid"]);
    t.family(&["Dad", "Wife2"], &[]);
    t.family(&["Inlaw"], &["Bride"]);
    t.family(&["Kid", "Bride"], &[]);
    t.family_with(&["Dad", "Wife2"], &["Adoptee"], UnionKind::Married, Some(ChildRelationship::Adopted));
    let g = graph::load(&t.vault).unwrap().graph;

    let r = graph::relate(&t.vault, &g, "Kid", "Wife2").unwrap();
    let step = &r.relationships[0];
    assert_eq!((step.name.as_str(), step.kind), ("stepmother", RelationshipKind::Step));
    assert_eq!(step.via.as_ref().unwrap().id, t.id("Dad"));
    assert_eq!(step.description, "stepmother through Dad Test");
    assert_eq!(names(&step.path), ["Kid", "Dad", "Wife2"]);
    assert_eq!(step.path.iter().map(|s| s.link).collect::<Vec<_>>(), [None, Some(Parent), Some(Partner)]);
    assert_eq!(r.kinship_exact.as_deref(), Some("0"));
    let k = r.kappa.as_ref().unwrap();
    assert_eq!((k.k0.exact.as_str(), k.k1.value, k.k2.value), ("1", 0.0, 0.0), "unrelated: κ = (1, 0, 0)");

    let r = graph::relate(&t.vault, &g, "Kid", "Inlaw").unwrap();
    let inlaw = &r.relationships[0];
    assert_eq!((inlaw.name.as_str(), inlaw.kind), ("father-in-law", RelationshipKind::InLaw));
    assert_eq!(names(&inlaw.path), ["Kid", "Bride", "Inlaw"]);
    assert_eq!(inlaw.path.iter().map(|s| s.link).collect::<Vec<_>>(), [None, Some(Partner), Some(Parent)]);

    // The reverse: Kid is Inlaw's son-in-law, through Bride (b's partner).
    let r = graph::relate(&t.vault, &g, "Inlaw", "Kid").unwrap();
    assert_eq!(r.relationships[0].name, "son-in-law");
    assert_eq!(names(&r.relationships[0].path), ["Inlaw", "Bride", "Kid"]);

    let r = graph::relate(&t.vault, &g, "Dad", "Adoptee").unwrap();
    let adopted = r.relationships.iter().find(|x| x.kind == RelationshipKind::NonBirth).unwrap();
    assert_eq!(adopted.name, "daughter (adopted)");
    assert_eq!(adopted.legal, [LinkKind::Adopted]);
    assert_eq!(names(&adopted.path), ["Dad", "Adoptee"]);
    assert_eq!(adopted.path[1].link_kind, Some(LinkKind::Adopted));
    assert_eq!(r.kinship_exact.as_deref(), Some("0"), "adoption is not kinship");

    // Adopted and birth children of Dad: sister (adoptive) to Kid.
    let r = graph::relate(&t.vault, &g, "Kid", "Adoptee").unwrap();
    let sis = r.relationships.iter().find(|x| x.kind == RelationshipKind::NonBirth).unwrap();
    assert_eq!(sis.name, "sister (adoptive)");
    assert_eq!(names(&sis.path), ["Kid", "Dad", "Adoptee"]);
    assert_eq!(sis.path[2].link_kind, Some(LinkKind::Adopted));
}

#[test]
fn charts_pedigree_descendants_hourglass() {
    let d = tempfile::tempdir().unwrap();
    let t = cousins(d.path());
    let g = graph::load(&t.vault).unwrap().graph;
    let key = |id: &str| t.ids.iter().find(|(_, v)| v.to_string() == id).map(|(k, _)| *k).unwrap();

    let c = graph::ancestors(&t.vault, &g, "C", 3).unwrap();
    assert_eq!(c.kind, ChartKind::Pedigree);
    let order: Vec<_> = c.nodes.iter().map(|n| key(&n.person.id)).collect();
    assert_eq!(order, ["C", "A", "B", "S1", "P1", "S2", "P2", "G1", "G2"]);
    let node = |k: &str| c.nodes.iter().find(|n| n.person.id == t.id(k)).unwrap();
    assert_eq!(node("C").role, ChartRole::Center);
    assert_eq!(node("C").generations, [0]);
    assert_eq!(node("G1").generations, [-3], "reached twice, both times three generations up");
    assert_eq!(c.collapsed, 0);
    let ids = |links: &[ChartLink]| links.iter().map(|l| key(&l.id)).collect::<Vec<_>>();
    assert_eq!(ids(&node("C").parents), ["A", "B"], "father first");
    assert_eq!(ids(&node("G1").children), ["P1", "P2"]);
    assert_eq!(node("G1").partners, [t.id("G2")]);
    assert!(!node("G1").more_ancestors && !node("G1").more_descendants);
    assert!(!c.truncated);

    // Two generations: the grandparents' parents are beyond the chart.
    let c = graph::ancestors(&t.vault, &g, "C", 2).unwrap();
    assert_eq!(c.nodes.len(), 7);
    assert!(c.nodes.iter().find(|n| n.person.id == t.id("P1")).unwrap().more_ancestors);

    // Descendants of G1, with the partners who married in.
    let c = graph::descendants(&t.vault, &g, "G1", 3).unwrap();
    let order: Vec<_> = c.nodes.iter().map(|n| (key(&n.person.id), n.role, n.generations.clone())).collect();
    use ChartRole::*;
    assert_eq!(
        order,
        [
            ("G1", Center, vec![0]),
            ("G2", Partner, vec![0]),
            ("P1", Descendant, vec![1]),
            ("S1", Partner, vec![1]),
            ("P2", Descendant, vec![1]),
            ("S2", Partner, vec![1]),
            ("A", Descendant, vec![2]),
            ("B", Descendant, vec![2]),
            ("C", Descendant, vec![3]),
        ]
    );
    let a = &c.nodes[6];
    assert_eq!(a.partners, [t.id("B")], "a descendant married to a descendant is not repeated as a partner");
    assert_eq!(ids(&a.parents), ["S1", "P1"]);

    // Hourglass around A, and the node limit.
    let req = |max_nodes| ChartRequest {
        center: "A".into(),
        kind: ChartKind::Hourglass,
        generations: 2,
        include_non_birth: false,
        max_nodes,
    };
    let c = graph::chart(&t.vault, &g, &req(0)).unwrap();
    let order: Vec<_> = c.nodes.iter().map(|n| key(&n.person.id)).collect();
    assert_eq!(order, ["A", "B", "S1", "P1", "C", "G1", "G2"]);
    assert_eq!(c.nodes[1].role, ChartRole::Partner);
    assert!(!c.truncated);
    let c = graph::chart(&t.vault, &g, &req(3)).unwrap();
    assert_eq!(c.nodes.len(), 3);
    assert!(c.truncated);

    let e = graph::chart(&t.vault, &g, &ChartRequest { generations: 201, ..req(0) }).unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidInput);
}

#[test]
fn people_are_named_by_id_or_xref_with_a_clear_not_found() {
    let d = tempfile::tempdir().unwrap();
    let t = cousins(d.path());
    let g = graph::load(&t.vault).unwrap().graph;
    assert_eq!(graph::person_ref(&t.vault, "@G1@").unwrap().id, t.id("G1"));
    assert_eq!(graph::person_ref(&t.vault, " G1 ").unwrap().id, t.id("G1"));
    assert_eq!(graph::person_ref(&t.vault, &t.id("G1")).unwrap().display_name, "G1 Test");
    for bad in ["I999", "@I999@", &Uuid::now_v7().to_string()] {
        let e = graph::relate(&t.vault, &g, "A", bad).unwrap_err();
        assert_eq!(e.kind, ErrorKind::NotFound);
        assert!(e.message.contains(bad.trim_matches('@')), "{}", e.message);
    }
    assert_eq!(graph::person_ref(&t.vault, "  ").unwrap_err().kind, ErrorKind::InvalidInput);
}

#[test]
fn report_names_cycles_by_xref() {
    use Sex::*;
    let d = tempfile::tempdir().unwrap();
    let mut t = Tree::new(d.path(), &[("X", Male), ("Y", Female), ("Z", Male)]);
    // X is Y's father, Y is Z's mother, Z is X's father: a cycle of three.
    t.family(&["X"], &["Y"]);
    t.family(&["Y"], &["Z"]);
    t.family(&["Z"], &["X"]);
    let loaded = graph::load(&t.vault).unwrap();
    let report = graph::report(&t.vault, &loaded).unwrap();
    assert_eq!((report.people, report.families, report.issues_total), (3, 3, 1));
    let issue = &report.issues[0];
    assert_eq!(issue.kind, GraphIssueKind::Cycle);
    assert_eq!(issue.people.len(), 3);
    assert!(issue.message.starts_with("3 people are recorded as their own ancestors"), "{}", issue.message);
    assert!(issue.message.contains("@X@") && !issue.message.contains("Test"), "{}", issue.message);
    // The graph still answers, without looping.
    let r = graph::relate(&t.vault, &loaded.graph, "X", "Z").unwrap();
    assert!(!r.relationships.is_empty());
    assert!(graph::ancestors(&t.vault, &loaded.graph, "X", 200).unwrap().nodes.len() <= 3);
}
