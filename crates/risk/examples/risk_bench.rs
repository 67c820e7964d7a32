//! Benchmark of the exact Mendelian engine: every member of large pedigrees with loops assessed
//! for a recessive and an X-linked recessive condition (posteriors and priors), plus a
//! one-member query (the re-run an explanation makes). Prints a Markdown table.
//!
//! `cargo run -p kinvault-risk --release --example risk_bench`
//!
//! Pedigrees are generated deterministically: founder couples, 2–4 children per couple, most
//! children marrying in a new founder but one in eight (one in two in the dense variant)
//! marrying a first cousin when one is free, which puts many interlocking loops into the graph. Phenotypes and tests are simulated from genotypes dropped
//! down the pedigree (so the evidence is always consistent): penetrance-1 statuses for 60% of
//! members, tests for 5%.

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

/// A pedigree of about `target` members with cousin marriages.
fn generate(target: usize, cousin_rate: f64, seed: u64) -> Pedigree {
    let mut rng = Lcg(seed);
    let mut members: Vec<Member> = vec![];
    let add = |members: &mut Vec<Member>, sex: Sex, father: Option<usize>, mother: Option<usize>| {
        let i = members.len();
        members.push(Member {
            id: format!("m{i}"),
            sex,
            father,
            mother,
            age: Some(20.0 + (i % 60) as f64),
            ..Member::default()
        });
        i
    };
    let mut couples: Vec<(usize, usize)> = vec![];
    let founders = (target / 50).max(4);
    for _ in 0..founders {
        let f = add(&mut members, Sex::Male, None, None);
        let m = add(&mut members, Sex::Female, None, None);
        couples.push((f, m));
    }
    while members.len() < target {
        let mut kids: Vec<usize> = vec![];
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
        for k in 0..kids.len() {
            let a = kids[k];
            if married[a] || members.len() >= target {
                continue;
            }
            if rng.chance(0.6) {
                continue; // stays single
            }
            // A first cousin: an unmarried child of the generation with the other sex, other
            // parents and a grandparent in common.
            let cousin = if rng.chance(cousin_rate) {
                let grand = |members: &Vec<Member>, x: usize| -> Vec<usize> {
                    [members[x].father, members[x].mother]
                        .into_iter()
                        .flatten()
                        .flat_map(|p| [members[p].father, members[p].mother])
                        .flatten()
                        .collect()
                };
                let ga = grand(&members, a);
                kids.iter().copied().find(|&b| {
                    !married[b]
                        && members[b].sex != members[a].sex
                        && members[b].father != members[a].father
                        && grand(&members, b).iter().any(|x| ga.contains(x))
                })
            } else {
                None
            };
            let b = match cousin {
                Some(b) => b,
                None => {
                    let sex = if members[a].sex == Sex::Male { Sex::Female } else { Sex::Male };
                    let b = add(&mut members, sex, None, None);
                    married.push(false);
                    b
                }
            };
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

/// Simulated genotypes (mutant allele counts) with allele frequency `q`, then penetrance-1
/// statuses and tests recorded as evidence.
fn add_evidence(ped: &mut Pedigree, def: &ConditionDef, q: f64, seed: u64) {
    let mut rng = Lcg(seed);
    let x = def.inheritance.is_x_linked();
    let n = ped.members.len();
    let mut g = vec![0u8; n];
    // Members are in an order where parents come first.
    for i in 0..n {
        let m = &ped.members[i];
        let male = m.sex == Sex::Male;
        let draw = |rng: &mut Lcg| u8::from(rng.chance(q));
        let from = |rng: &mut Lcg, p: Option<usize>, father: bool| -> u8 {
            match p {
                None => draw(rng),
                Some(p) if x && father => g[p],
                Some(p) => match g[p] {
                    0 => 0,
                    2 => 1,
                    _ => u8::from(rng.chance(0.5)),
                },
            }
        };
        g[i] = if x && male {
            from(&mut rng, m.mother, false)
        } else {
            from(&mut rng, m.father, true) + from(&mut rng, m.mother, false)
        };
    }
    let recessive = !matches!(def.inheritance, kinvault_catalog::Inheritance::AutosomalDominant);
    for (m, &gi) in ped.members.iter_mut().zip(&g) {
        let male = m.sex == Sex::Male;
        let affected = match (x, male, recessive) {
            (true, true, _) => gi == 1,
            (_, _, true) => gi == 2,
            _ => gi >= 1,
        };
        if rng.chance(0.6) {
            let status = if affected { ConditionStatus::Affected } else { ConditionStatus::Unaffected };
            m.conditions.push(ConditionFact { condition: def.id.clone(), status, onset: None });
        }
        if rng.chance(0.05) {
            let result = if gi > 0 { TestResult::Positive } else { TestResult::Negative };
            m.tests.push(TestFact { gene: def.genes[0].clone(), result, sensitivity: Some(0.95) });
        }
    }
}

fn main() {
    let catalog = Catalog::builtin();
    println!("| pedigree | condition | members reported | time (ms) | max clique (states) | table entries | peak live heap |");
    println!("|---|---|---:|---:|---:|---:|---:|");
    for &(size, rate, seed) in &[(1_000usize, 0.125, 7u64), (1_000, 0.5, 5), (10_000, 0.125, 11)] {
        for id in ["cystic-fibrosis", "haemophilia-a"] {
            let def = catalog.get(id).unwrap();
            let mut ped = generate(size, rate, seed);
            add_evidence(&mut ped, def, 0.1, seed + 1);
            // Spouses either marry in (founders) or are cousins.
            let loops = ped
                .members
                .iter()
                .filter(|m| match (m.father, m.mother) {
                    (Some(f), Some(mo)) => ped.members[f].father.is_some() && ped.members[mo].father.is_some(),
                    _ => false,
                })
                .count();
            // Warm-up, then the best of 5 timed runs.
            let _ = assess(&ped, def, catalog, &Options::default()).unwrap();
            let mut best = f64::INFINITY;
            let mut stats = None;
            for _ in 0..5 {
                let before = alloc::live_bytes();
                alloc::reset_peak();
                let t = Instant::now();
                let a = assess(&ped, def, catalog, &Options::default()).unwrap();
                best = best.min(t.elapsed().as_secs_f64() * 1e3);
                let peak = alloc::peak_bytes() - before;
                stats = Some((a.members.len(), a.complexity, peak));
            }
            let (reported, cx, peak) = stats.unwrap();
            println!(
                "| {} members, {} children of first cousins | {id} | {reported} | {best:.1} | {} | {} | {:.1} MB |",
                ped.members.len(),
                loops,
                cx.max_clique_states,
                cx.table_entries,
                peak as f64 / 1e6
            );
            // One member (explanations re-run like this).
            let proband = ped.members.len() - 1;
            let o = Options { members: Some(vec![proband]), with_prior: false, ..Options::default() };
            let t = Instant::now();
            let a = assess(&ped, def, catalog, &o).unwrap();
            println!(
                "| same, one member, no priors | {id} | 1 | {:.1} | {} | {} | |",
                t.elapsed().as_secs_f64() * 1e3,
                a.complexity.max_clique_states,
                a.complexity.table_entries
            );
        }
    }
}
