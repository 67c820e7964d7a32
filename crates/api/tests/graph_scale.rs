//! How long loading the family graph from a large vault takes. Ignored by default (it writes a
//! vault of about a gigabyte); run in release mode:
//!
//!     cargo test --release -p kinvault-api --test graph_scale -- --ignored --nocapture
//!
//! `KINVAULT_GRAPH_SCALE=200000` changes the number of people (default 1 000 000).

use kinvault_api::model::{Event, EventKind, Family, FamilyChild, Person, PersonName, Place, Sex, UnionKind};
use kinvault_api::*;
use std::time::Instant;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const GIVEN: [&str; 8] = ["Anna", "Johann", "Maria", "Peter", "Elisabeth", "Jakob", "Katharina", "Michael"];
const SURNAME: [&str; 6] = ["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer"];

fn person(rng: &mut Rng, n: usize, sex: Sex, year: i64) -> Person {
    let mut p = Person::new(PersonName::new(GIVEN[rng.below(8) as usize], SURNAME[rng.below(6) as usize]), sex);
    p.xref = Some(format!("@I{n}@"));
    p.set_event_date(EventKind::Birth, Some(&format!("{} MAR {year}", 1 + rng.below(28))));
    if year < 1930 {
        p.set_event_date(EventKind::Death, Some(&format!("ABT {}", year + 40 + rng.below(40) as i64)));
    }
    p
}

/// Villages of ~200 people per generation, about 20 generations: people marry within their
/// village (a spouse from outside when the village has no partner left), couples have 0–4
/// children who stay in the village. Every ancestry is a few thousand people and collapses, as in
/// real village genealogies.
fn fill(vault: &mut Vault, people: usize) -> (usize, usize) {
    const VILLAGE: usize = 200;
    let mut rng = Rng(7);
    let (mut n_people, mut n_families) = (0usize, 0usize);
    vault
        .write(|tx| {
            let mut year = 1500;
            let villages = (people / 20 / VILLAGE).max(10);
            let mut current: Vec<Vec<Person>> = vec![];
            for _ in 0..villages {
                let mut v = vec![];
                for _ in 0..VILLAGE {
                    n_people += 1;
                    let sex = if n_people % 2 == 0 { Sex::Male } else { Sex::Female };
                    let p = person(&mut rng, n_people, sex, year);
                    tx.put_person(&p)?;
                    v.push(p);
                }
                current.push(v);
            }
            'generations: while n_people < people {
                year += 25;
                let mut next_gen: Vec<Vec<Person>> = vec![];
                for village in &current {
                    let men: Vec<&Person> = village.iter().filter(|p| p.sex == Sex::Male).collect();
                    let mut women: Vec<&Person> = village.iter().filter(|p| p.sex != Sex::Male).collect();
                    for i in (1..women.len()).rev() {
                        women.swap(i, rng.below(i as u64 + 1) as usize);
                    }
                    let mut next = vec![];
                    for (k, h) in men.iter().enumerate() {
                        if n_people >= people {
                            break 'generations;
                        }
                        let wife = match women.get(k) {
                            Some(w) => w.id,
                            None => {
                                n_people += 1;
                                let o = person(&mut rng, n_people, Sex::Female, year - 25);
                                tx.put_person(&o)?;
                                o.id
                            }
                        };
                        let mut f = Family::new(vec![h.id, wife]);
                        f.xref = Some(format!("@F{n_families}@"));
                        f.kind = UnionKind::Married;
                        let mut marr = Event::new(EventKind::Marriage, Some(&format!("{year}")));
                        marr.place =
                            Some(Place { name: "Sankt Georgen, Baden".into(), latitude: None, longitude: None });
                        f.events.push(marr);
                        for _ in 0..rng.below(5) {
                            n_people += 1;
                            let sex = if rng.below(2) == 0 { Sex::Male } else { Sex::Female };
                            let c = person(&mut rng, n_people, sex, year);
                            tx.put_person(&c)?;
                            f.children.push(FamilyChild { person: c.id, links: vec![] });
                            next.push(c);
                        }
                        tx.put_family(&f)?;
                        n_families += 1;
                    }
                    next_gen.push(next);
                }
                current = next_gen;
            }
            Ok(())
        })
        .unwrap();
    (n_people, n_families)
}

#[test]
#[ignore = "writes a large vault; run in release with --ignored --nocapture"]
fn graph_load_time_on_a_large_vault() {
    let people: usize = std::env::var("KINVAULT_GRAPH_SCALE").ok().and_then(|v| v.parse().ok()).unwrap_or(1_000_000);
    let d = tempfile::tempdir().unwrap();
    // KINVAULT_GRAPH_SCALE_VAULT=/some/file.kinvault keeps the vault there and reuses it on the
    // next run (to measure loading again without writing it again).
    let path = std::env::var_os("KINVAULT_GRAPH_SCALE_VAULT")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| d.path().join("big.kinvault"));
    let n = if path.exists() {
        Vault::open(&path, "test passphrase").unwrap().stats().unwrap().individuals as usize
    } else {
        let mut vault = Vault::create(&path, "test passphrase", KdfParams::TESTING_ONLY).unwrap().0;
        let t = Instant::now();
        let (n, f) = fill(&mut vault, people);
        eprintln!("wrote {n} people, {f} families in {:.1} s", t.elapsed().as_secs_f64());
        n
    };
    eprintln!("vault file: {} MB", std::fs::metadata(&path).unwrap().len() / 1_000_000);

    // A cold open, as after an unlock.
    let vault = Vault::open(&path, "test passphrase").unwrap();
    for run in 1..=3 {
        let t = Instant::now();
        let loaded = graph::load(&vault).unwrap();
        eprintln!(
            "run {run}: graph::load {:.2} s ({} people, {} families, {} warnings, {:.1} MB, {:.1} bytes/person)",
            t.elapsed().as_secs_f64(),
            loaded.graph.len(),
            loaded.families,
            loaded.warnings.len(),
            loaded.graph.memory_bytes() as f64 / 1e6,
            loaded.graph.bytes_per_person()
        );
        assert_eq!(loaded.graph.len(), n);
    }
    // The parts, for the record. A full scan of the person table (no index can answer it) is
    // what reading the whole table costs: decrypting and checking every page.
    let t = Instant::now();
    let c: i64 = vault.connection().query_row("SELECT count(*) FROM person WHERE sex = '?'", [], |r| r.get(0)).unwrap();
    eprintln!("  full scan of the person table: {:.2} s ({c})", t.elapsed().as_secs_f64());
    let pages = |t: &str| -> i64 {
        vault
            .connection()
            .query_row(&format!("SELECT count(*) FROM dbstat WHERE name = '{t}'"), [], |r| r.get(0))
            .unwrap_or(-1)
    };
    eprintln!(
        "  pages: person {}, family {}, family_member {}",
        pages("person"),
        pages("family"),
        pages("family_member")
    );
    let t = Instant::now();
    let kinvault_vault::GraphInput { persons: p, families: f } = vault.read_graph_input().unwrap();
    eprintln!("  read_graph_input (people and families in parallel): {:.2} s", t.elapsed().as_secs_f64());
    let t = Instant::now();
    let (graph, _) = kinvault_api::pedigree::FamilyGraph::build(p, f.iter());
    eprintln!("  FamilyGraph::build: {:.2} s", t.elapsed().as_secs_f64());
    drop((graph, f));
    let t = Instant::now();
    let mut k = 0;
    vault.for_each_person_sex(|_, _| k += 1).unwrap();
    eprintln!("  person ids + sex alone: {:.2} s", t.elapsed().as_secs_f64());
    let t = Instant::now();
    vault
        .for_each_family_links(|_| {
            k += 1;
            Ok(())
        })
        .unwrap();
    eprintln!("  family links alone (narrow decode): {:.2} s", t.elapsed().as_secs_f64());
    let t = Instant::now();
    vault
        .for_each_family(|_| {
            k += 1;
            Ok(())
        })
        .unwrap();
    eprintln!("  families, full records (for comparison): {:.2} s", t.elapsed().as_secs_f64());

    let loaded = graph::load(&vault).unwrap();
    let g = &loaded.graph;
    let mut rng = Rng(11);
    // The API's relate and what it is made of, on the same random pairs.
    use kinvault_api::pedigree::{Chromosome, KinshipOptions, RelateOptions};
    let pairs: Vec<(u32, u32)> = (0..200)
        .map(|_| (rng.below(g.index_bound() as u64) as u32, rng.below(g.index_bound() as u64) as u32))
        .collect();
    let measure = |label: &str, f: &dyn Fn(u32, u32)| {
        let mut times: Vec<f64> = pairs
            .iter()
            .map(|&(a, b)| {
                let t = Instant::now();
                f(a, b);
                t.elapsed().as_secs_f64() * 1000.0
            })
            .collect();
        times.sort_by(f64::total_cmp);
        eprintln!(
            "{label}, 200 random pairs: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
            times[100], times[198], times[199]
        );
    };
    measure("graph::relate (API: names, paths, φ, φx, κ)", &|a, b| {
        graph::relate(&vault, g, &g.id_of(a).to_string(), &g.id_of(b).to_string()).unwrap();
    });
    measure("  FamilyGraph::relate_ix", &|a, b| {
        g.relate_ix(a, b, &RelateOptions::default());
    });
    measure("  kinship φ", &|a, b| {
        let _ = g.kinship_ix(a, b, Chromosome::Autosomal, &KinshipOptions::default());
    });
    measure("  kinship φx", &|a, b| {
        let _ = g.kinship_ix(a, b, Chromosome::X, &KinshipOptions::default());
    });
    measure("  kappa", &|a, b| {
        let _ = g.kappa(g.id_of(a), g.id_of(b));
    });
    let mut times = vec![];
    for _ in 0..200 {
        let a = g.id_of((g.index_bound() - 1 - rng.below(10_000) as usize) as u32).to_string();
        let t = Instant::now();
        graph::ancestors(&vault, g, &a, 10).unwrap();
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    eprintln!(
        "graph::ancestors 10 generations (API chart), 200 people: p50 {:.2} ms, p99 {:.2} ms",
        times[100], times[198]
    );
}
