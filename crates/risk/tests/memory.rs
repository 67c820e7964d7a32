//! Bounded memory of the Mendelian engine (harness = false: this file is its own `main`).
//!
//! A counting global allocator tracks live heap bytes and allocations. A pedigree of 2,000
//! members with first-cousin marriages (deterministic LCG) carries simulated evidence for
//! cystic fibrosis and Duchenne muscular dystrophy (and BRCA1 outcome facts). After a warm-up,
//! 10,000 assessments run in batches, cycling condition, proband and left-out evidence:
//!
//! * 9,900 on the proband's extended family carved from the big pedigree (great-grandparents
//!   and their descendants down four generations, with their spouses: up to a few hundred
//!   members, fewer for married-in spouses; the sizes are printed), alternating full reports
//!   and single-member queries with one member's evidence left out — an unoptimised test build
//!   cannot run 10,000 full 2,000-member assessments in a minute;
//! * 100 on the whole 2,000-member pedigree (every member reported, with priors).
//!
//! Asserted: live heap bytes and allocations return exactly to the baseline after every batch,
//! and resident memory (/proc/self/statm) grows by less than 1 MB after the warm-up.

use kinvault_catalog::{Catalog, ConditionDef};
use kinvault_model::{ConditionStatus, Sex, TestResult};
use kinvault_risk::mendelian::{assess, Options};
use kinvault_risk::{ConditionFact, Member, Pedigree, TestFact};
use kinvault_testkit::alloc;
use std::time::Instant;

#[global_allocator]
static GLOBAL: alloc::Counting = alloc::Counting;

struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, p: f64) -> bool {
        (self.next() as f64 / (1u64 << 31) as f64) < p
    }
}

/// About `target` members: founder couples, 2–4 children per couple, a fifth of the married
/// children marrying a first cousin when one is free.
fn generate(target: usize, seed: u64) -> Pedigree {
    let mut rng = Lcg(seed);
    let mut members: Vec<Member> = vec![];
    let add = |members: &mut Vec<Member>, sex: Sex, father: Option<usize>, mother: Option<usize>| {
        let i = members.len();
        let age = Some(5.0 + (i * 7 % 80) as f64);
        members.push(Member { id: format!("m{i}"), sex, father, mother, age, ..Member::default() });
        i
    };
    let mut couples = vec![];
    for _ in 0..(target / 50).max(4) {
        let f = add(&mut members, Sex::Male, None, None);
        let m = add(&mut members, Sex::Female, None, None);
        couples.push((f, m));
    }
    let grand = |members: &Vec<Member>, x: usize| -> Vec<usize> {
        [members[x].father, members[x].mother]
            .into_iter()
            .flatten()
            .flat_map(|p| [members[p].father, members[p].mother])
            .flatten()
            .collect()
    };
    while members.len() < target {
        let mut kids = vec![];
        for &(f, m) in &couples {
            for _ in 0..2 + rng.below(3) {
                if members.len() >= target {
                    break;
                }
                let sex = if rng.chance(0.5) { Sex::Male } else { Sex::Female };
                kids.push(add(&mut members, sex, Some(f), Some(m)));
            }
        }
        let mut next = vec![];
        let mut married = vec![false; members.len()];
        for &a in &kids {
            if married[a] || members.len() >= target || rng.chance(0.55) {
                continue;
            }
            let ga = grand(&members, a);
            let cousin = if rng.chance(0.2) {
                kids.iter().copied().find(|&b| {
                    !married[b]
                        && members[b].sex != members[a].sex
                        && members[b].father != members[a].father
                        && grand(&members, b).iter().any(|x| ga.contains(x))
                })
            } else {
                None
            };
            let b = cousin.unwrap_or_else(|| {
                let sex = if members[a].sex == Sex::Male { Sex::Female } else { Sex::Male };
                married.push(false);
                add(&mut members, sex, None, None)
            });
            married[a] = true;
            married[b] = true;
            next.push(if members[a].sex == Sex::Male { (a, b) } else { (b, a) });
        }
        if next.is_empty() {
            break;
        }
        couples = next;
    }
    Pedigree { members }
}

/// Genotypes dropped down the pedigree (allele frequency `q`), then penetrance-1 statuses for
/// half the members and tests for a few: always consistent evidence.
fn add_evidence(ped: &mut Pedigree, def: &ConditionDef, q: f64, seed: u64) {
    let mut rng = Lcg(seed);
    let x = def.inheritance.is_x_linked();
    let n = ped.members.len();
    let mut g = vec![0u8; n];
    for i in 0..n {
        let (male, father, mother) = (ped.members[i].sex == Sex::Male, ped.members[i].father, ped.members[i].mother);
        let mut from = |p: Option<usize>, paternal: bool| -> u8 {
            match p {
                None => u8::from(rng.chance(q)),
                Some(p) if x && paternal => g[p],
                Some(p) => match g[p] {
                    0 => 0,
                    2 => 1,
                    _ => u8::from(rng.chance(0.5)),
                },
            }
        };
        g[i] = if x && male { from(mother, false) } else { from(father, true) + from(mother, false) };
    }
    for (m, &gi) in ped.members.iter_mut().zip(&g) {
        let male = m.sex == Sex::Male;
        let affected = if x && male { gi == 1 } else { gi == 2 };
        if rng.chance(0.5) {
            let status = if affected { ConditionStatus::Affected } else { ConditionStatus::Unaffected };
            m.conditions.push(ConditionFact { condition: def.id.clone(), status, onset: None });
        }
        if rng.chance(0.05) {
            let result = if gi > 0 { TestResult::Positive } else { TestResult::Negative };
            m.tests.push(TestFact { gene: def.genes[0].clone(), result, sensitivity: Some(0.9) });
        }
    }
}

/// The proband's great-grandparents and their descendants down four generations, with the other
/// parents of those descendants (parents outside the set become unknown).
fn extended_family(ped: &Pedigree, children: &[Vec<usize>], proband: usize) -> Pedigree {
    let n = ped.members.len();
    let mut inside = vec![false; n];
    // Ancestors up to the great-grandparents.
    let mut tops = vec![proband];
    let mut level = vec![proband];
    for _ in 0..3 {
        let up: Vec<usize> =
            level.iter().flat_map(|&x| [ped.members[x].father, ped.members[x].mother]).flatten().collect();
        tops.extend(&up);
        level = up;
    }
    let mut frontier = tops.clone();
    for &t in &tops {
        inside[t] = true;
    }
    for _ in 0..4 {
        let mut next = vec![];
        for &x in &frontier {
            for &c in &children[x] {
                if !inside[c] {
                    inside[c] = true;
                    next.push(c);
                }
                for p in [ped.members[c].father, ped.members[c].mother].into_iter().flatten() {
                    inside[p] = true;
                }
            }
        }
        frontier = next;
    }
    let mut map = vec![usize::MAX; n];
    let mut members = vec![];
    for i in 0..n {
        if inside[i] {
            map[i] = members.len();
            let mut m = ped.members[i].clone();
            m.father = m.father.filter(|&f| inside[f]).map(|f| map[f]);
            m.mother = m.mother.filter(|&f| inside[f]).map(|f| map[f]);
            members.push(m);
        }
    }
    Pedigree { members }
}

struct Report {
    passed: usize,
    failed: usize,
}

impl Report {
    fn check(&mut self, ok: bool, what: &str) {
        if ok {
            self.passed += 1;
        } else {
            self.failed += 1;
            println!("FAILED: {what}");
        }
    }
}

fn main() {
    if alloc::listing_only("engine_memory_returns_to_baseline") {
        return;
    }
    let started = Instant::now();
    let catalog = Catalog::builtin();
    let cf = catalog.get("cystic-fibrosis").unwrap();
    let dmd = catalog.get("duchenne-muscular-dystrophy").unwrap();
    let brca1 = catalog.get("brca1-associated-cancer").unwrap();
    let mut ped = generate(2_000, 3);
    add_evidence(&mut ped, cf, 0.1, 4);
    add_evidence(&mut ped, dmd, 0.05, 5);
    for (i, m) in ped.members.iter_mut().enumerate() {
        if m.sex == Sex::Female && i % 17 == 0 {
            m.conditions.push(ConditionFact {
                condition: "breast-cancer".into(),
                status: ConditionStatus::Affected,
                onset: None,
            });
        }
    }
    let children = ped.children();
    let conditions: [&ConditionDef; 3] = [cf, dmd, brca1];
    let mut report = Report { passed: 0, failed: 0 };
    println!("memory: {} members; warming up", ped.members.len());

    // One run of every kind, then the baseline.
    let mut checksum = 0.0;
    let one_run = |k: usize, full: bool, checksum: &mut f64| -> (usize, bool) {
        let def = conditions[k % 3];
        if full {
            let a = assess(&ped, def, catalog, &Options::default());
            let ok = a.as_ref().is_ok_and(|a| a.members.iter().all(|m| (0.0..=1.0).contains(&m.carrier_probability)));
            if let Ok(a) = a {
                *checksum += a.members[k % a.members.len()].carrier_probability;
            }
            return (ped.members.len(), ok);
        }
        let proband = (k * 7919) % ped.members.len();
        let sub = extended_family(&ped, &children, proband);
        let size = sub.members.len();
        let me = sub.members.iter().position(|m| m.id == ped.members[proband].id).unwrap();
        let opts = if k.is_multiple_of(2) {
            Options::default()
        } else {
            Options { members: Some(vec![me]), ignore_evidence_of: vec![(k / 2) % size], ..Options::default() }
        };
        let a = assess(&sub, def, catalog, &opts);
        let ok = a.as_ref().is_ok_and(|a| !a.members.is_empty() && a.log10_likelihood.is_finite());
        if let Ok(a) = a {
            *checksum += a.members[0].p_mutant_allele;
        }
        (size, ok)
    };
    for k in 0..6 {
        let (_, ok) = one_run(k, k < 3, &mut checksum);
        report.check(ok, "warm-up run");
    }
    let baseline_bytes = alloc::live_bytes();
    let baseline_allocs = alloc::live_allocations();
    let rss_start = alloc::rss_bytes();
    println!(
        "| batch | runs | members per run | time (s) | baseline bytes | max live bytes in a run (above baseline) | live bytes after | RSS (kB) |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");

    // 9,900 extended-family runs and 100 whole-pedigree runs.
    let batches: [(usize, bool); 12] = [
        (1000, false),
        (50, true),
        (1000, false),
        (1000, false),
        (1000, false),
        (1000, false),
        (1000, false),
        (50, true),
        (1000, false),
        (1000, false),
        (1000, false),
        (900, false),
    ];
    let mut runs = 0;
    let mut k = 6;
    for (b, &(count, full)) in batches.iter().enumerate() {
        alloc::reset_peak();
        let t = Instant::now();
        let (mut min_size, mut max_size) = (usize::MAX, 0);
        let mut all_ok = true;
        for _ in 0..count {
            let (size, ok) = one_run(k, full, &mut checksum);
            all_ok &= ok;
            min_size = min_size.min(size);
            max_size = max_size.max(size);
            k += 1;
        }
        runs += count;
        let live = alloc::live_bytes();
        let allocs = alloc::live_allocations();
        let peak = alloc::peak_bytes() - baseline_bytes;
        println!(
            "| {} | {count} | {} | {:.1} | {baseline_bytes} | {peak} | {live} | {} |",
            b + 1,
            if min_size == max_size { format!("{min_size}") } else { format!("{min_size}–{max_size}") },
            t.elapsed().as_secs_f64(),
            alloc::rss_bytes() / 1024
        );
        report.check(all_ok, &format!("batch {}: every assessment succeeded", b + 1));
        report
            .check(live == baseline_bytes, &format!("batch {}: live bytes {live} == baseline {baseline_bytes}", b + 1));
        report.check(
            allocs == baseline_allocs,
            &format!("batch {}: live allocations {allocs} == {baseline_allocs}", b + 1),
        );
    }
    let rss_end = alloc::rss_bytes();
    let growth = rss_end as i64 - rss_start as i64;
    println!(
        "runs: {runs}; RSS start {} kB, end {} kB, growth {} kB; checksum {checksum:.6}; {:.1} s",
        rss_start / 1024,
        rss_end / 1024,
        growth / 1024,
        started.elapsed().as_secs_f64()
    );
    report.check(runs == 10_000, "10,000 assessments");
    report.check(growth < 1 << 20, &format!("RSS growth {growth} bytes < 1 MB"));
    println!("{} passed, {} failed", report.passed, report.failed);
    if report.failed > 0 {
        std::process::exit(1);
    }
}
