//! The synthetic families: deterministic, exactly sized, clean GEDCOM, and every feature the
//! generator promises shows up in what Kinvault imports from it.

use kinvault_gedcom::{read, Version as ReadVersion};
use kinvault_interop::gedcom::{Importer, Mapped, Prescan};
use kinvault_model::{ChildRelationship, Family, Person, Sex, Zygosity};
use kinvault_pedigree::FamilyGraph;
use kinvault_synth::{generate, Config, Summary, Version};

fn bytes(config: &Config) -> (Vec<u8>, Summary) {
    let mut out = Vec::new();
    let summary = generate(config, &mut out).unwrap();
    (out, summary)
}

/// Reads with our reader and maps with our importer, as an import does.
fn import(data: &[u8]) -> (Vec<Person>, Vec<Family>, usize) {
    let doc = read(data).unwrap();
    assert!(doc.warnings.is_empty(), "a clean file: {:?}", &doc.warnings[..doc.warnings.len().min(5)]);
    let mut scan = Prescan::new();
    for r in &doc.records {
        scan.record(r);
    }
    let mut importer: Importer = scan.into_importer();
    let (mut people, mut families) = (vec![], vec![]);
    for r in &doc.records {
        match importer.map(r) {
            Some(Mapped::Person(p)) => people.push(p),
            Some(Mapped::Family(f)) => families.push(f),
            _ => {}
        }
    }
    let warnings = importer.finish().warnings;
    assert!(warnings.is_empty(), "mapping warnings: {:?}", &warnings[..warnings.len().min(5)]);
    (people, families, doc.records.len())
}

#[test]
fn same_seed_same_bytes_other_seed_other_families() {
    let a = bytes(&Config::new(3_000, 42));
    let b = bytes(&Config::new(3_000, 42));
    assert!(a.0 == b.0, "same config, same bytes");
    assert_eq!(a.1, b.1);
    let c = bytes(&Config::new(3_000, 43));
    assert!(a.0 != c.0);
    assert_ne!(a.1.families, 0);
}

#[test]
fn exactly_the_requested_number_of_people_at_every_size() {
    for n in [0usize, 1, 2, 3, 7, 100, 1_001, 4_999] {
        let (data, s) = bytes(&Config::new(n, 5));
        let doc = read(&data[..]).unwrap();
        assert!(doc.warnings.is_empty(), "{n}: {:?}", doc.warnings.first());
        assert_eq!(doc.records_tagged("INDI").count(), n, "{n} people");
        assert_eq!(s.individuals, n as u64);
        assert_eq!(doc.records_tagged("FAM").count() as u64, s.families);
    }
}

#[test]
fn every_promised_feature_is_in_what_kinvault_imports() {
    let (data, s) = bytes(&Config::new(20_000, 1));
    let (people, families, _) = import(&data);
    assert_eq!(people.len(), 20_000);
    assert_eq!(families.len() as u64, s.families);
    assert!(s.generations >= 7, "realistic depth: {}", s.generations);

    // Health: what was written is what was mapped.
    let conditions: usize = people.iter().map(|p| p.conditions.len()).sum();
    assert_eq!(conditions as u64, s.health_observations);
    let tests: usize = people.iter().map(|p| p.genetic_tests.len()).sum();
    assert_eq!(tests as u64, s.genetic_tests);
    assert!(s.genetic_tests > 0 && s.causes_of_death > 0 && s.variant_carriers > 0);
    let proband: Vec<&Person> = people.iter().filter(|p| p.proband).collect();
    assert_eq!(proband.len(), 1);
    assert_eq!(proband[0].xref.as_deref(), s.proband.as_deref().map(|x| format!("@{x}@")).as_deref());
    assert!(people.iter().any(|p| p.conditions.iter().any(|c| c.code.is_some() && c.onset.is_some())));

    // Family structure.
    let adopted = families
        .iter()
        .flat_map(|f| &f.children)
        .filter(|c| c.links.iter().any(|l| l.relationship == ChildRelationship::Adopted))
        .count() as u64;
    assert_eq!(adopted, s.adopted_children);
    assert!(s.adopted_with_birth_family > 0);
    let twins: Vec<_> = families.iter().flat_map(|f| &f.twins).collect();
    assert_eq!(twins.len() as u64, s.twin_sets);
    let mz = twins.iter().filter(|t| t.zygosity == Zygosity::Monozygotic).count() as u64;
    assert_eq!(mz, s.monozygotic_twin_sets);
    assert!(mz > 0 && s.twin_sets > mz);
    assert!(s.remarriages > 0 && s.divorces > 0 && s.same_sex_unions > 0 && s.consanguineous_unions > 0);
    assert!(s.living > 0 && s.living < 20_000);
    assert!(people.iter().any(|p| p.names.len() > 1), "married names");
    assert!(people.iter().any(|p| p.sex == Sex::Unknown));

    // Consanguinity and twins as the family graph sees them.
    let (graph, warnings) = FamilyGraph::build(people.iter().map(|p| (p.id, p.sex)), families.iter());
    assert!(warnings.is_empty(), "{:?}", &warnings[..warnings.len().min(3)]);
    let cousin_children: Vec<_> = families
        .iter()
        .filter(|f| f.consanguineous && !f.children.is_empty())
        .flat_map(|f| f.children.iter().filter(|c| c.links.is_empty()))
        .map(|c| c.person)
        .take(20)
        .collect();
    assert!(!cousin_children.is_empty());
    for c in cousin_children {
        // First cousins' child: F = 1/16 exactly, unless the parents are related more than once.
        let f = graph.inbreeding(c).unwrap();
        assert!(f.to_f64() >= 1.0 / 16.0, "child of first cousins, F = {}", f.to_f64());
    }
    for t in twins.iter().filter(|t| t.zygosity == Zygosity::Monozygotic).take(10) {
        assert_eq!(graph.kinship(t.members[0], t.members[1]).unwrap().to_f64(), 0.5, "MZ twins φ = 1/2");
    }
}

#[test]
fn gedcom_7_and_no_health() {
    let config = Config { version: Version::V7_0, health: false, ..Config::new(2_000, 9) };
    let (data, s) = bytes(&config);
    let doc = read(&data[..]).unwrap();
    assert_eq!(doc.version, ReadVersion::V7);
    let (people, _, _) = import(&data);
    assert_eq!(people.len(), 2_000);
    assert!(people.iter().all(|p| p.conditions.is_empty() && p.genetic_tests.is_empty() && !p.proband));
    assert_eq!((s.health_observations, s.genetic_tests, s.proband.clone()), (0, 0, None));
    let text = String::from_utf8(data).unwrap();
    assert!(!text.contains("_KV_COND") && !text.contains("CAUS") && !text.contains("_MDCL"));
}
