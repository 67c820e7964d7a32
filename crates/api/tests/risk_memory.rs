//! Bounded memory of risk assessment through the API, SQLite included (harness = false: this
//! file is its own `main` and prints its own "N passed, N failed" line).
//!
//! A synthetic genealogy (kinvault-synth: first-cousin marriages, remarriage, twins, a
//! BRCA1-like variant with cancers and genetic tests) is imported into an encrypted vault. After
//! a warm-up that brings every page into SQLite's cache, assessments run in batches — each
//! extracting a proband's family from the vault, assessing one condition (Mendelian with
//! explanations, or the family-history stratification) and dropping everything — cycling
//! proband and condition. The engine-only test (crates/risk/tests/memory.rs) runs 10,000
//! assessments on a 2,000-member pedigree; this one runs the whole path
//! (`KINVAULT_RISK_MEMORY_RUNS`, default 10,000).
//!
//! Asserted after every batch: live Rust heap bytes and allocations equal the baseline taken
//! after the warm-up; `sqlite3_memory_used` equals its baseline; and at the end resident memory
//! (/proc/self/statm) has grown by less than 1 MB since the warm-up.

use kinvault_api::risk::{self, RiskRequest, RiskScope};
use kinvault_api::*;
use kinvault_testkit::alloc;
use std::time::Instant;

#[global_allocator]
static GLOBAL: alloc::Counting = alloc::Counting;

const CONDITIONS: &[&str] = &[
    "brca1-associated-cancer",
    "cystic-fibrosis",
    "duchenne-muscular-dystrophy",
    "breast-cancer",
    "huntington-disease",
    "brca2-associated-cancer",
];

struct Outcome {
    passed: u32,
    failed: u32,
}

impl Outcome {
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
    if alloc::listing_only("risk_memory_returns_to_baseline") {
        return;
    }
    let runs: usize = std::env::var("KINVAULT_RISK_MEMORY_RUNS").ok().and_then(|v| v.parse().ok()).unwrap_or(10_000);
    let people: usize = std::env::var("KINVAULT_RISK_MEMORY_PEOPLE").ok().and_then(|v| v.parse().ok()).unwrap_or(3_000);
    let mut out = Outcome { passed: 0, failed: 0 };

    let dir = tempfile::tempdir().unwrap();
    let ged = dir.path().join("family.ged");
    let summary = kinvault_synth::generate(
        &kinvault_synth::Config::new(people, 20261125),
        std::io::BufWriter::new(std::fs::File::create(&ged).unwrap()),
    )
    .unwrap();
    let (mut vault, _) =
        Vault::create(&dir.path().join("m.kinvault"), "memory test passphrase", KdfParams::TESTING_ONLY).unwrap();
    transfer::import_gedcom(&mut vault, &ged, &NoProgress).unwrap();
    let g = graph::load(&vault).unwrap();
    // Probands: everyone with a recorded condition or test, and every 7th person.
    let mut probands = Vec::new();
    vault
        .for_each_person(|p| {
            if !p.conditions.is_empty() || !p.genetic_tests.is_empty() || probands.len() % 7 == 0 {
                probands.push(p.id.to_string());
            }
            Ok(())
        })
        .unwrap();
    probands.truncate(400);
    // A clinical-sized family per assessment (the default scope reads up to 2,000 people; an
    // unoptimised test build could not run 10,000 of those in CI's time).
    let scope = RiskScope { generations_up: 3, generations_down: 2, max_people: 150 };
    let request = |i: usize| RiskRequest {
        person: probands[(i * 7919) % probands.len()].clone(),
        conditions: vec![CONDITIONS[i % CONDITIONS.len()].to_string()],
        horizon: None,
        scope: Some(scope),
    };

    // Warm-up: every proband once (pages cached, statements prepared), and a full-scope report.
    let started = Instant::now();
    let mut sizes = (usize::MAX, 0usize);
    for i in 0..probands.len() {
        let r = risk::person_risk(&vault, &g.graph, &request(i)).unwrap();
        sizes = (sizes.0.min(r.pedigree.people as usize), sizes.1.max(r.pedigree.people as usize));
    }
    let full = risk::person_risk(
        &vault,
        &g.graph,
        &RiskRequest { person: probands[0].clone(), conditions: vec![], horizon: None, scope: None },
    )
    .unwrap();
    let warm = started.elapsed();
    let heap0 = alloc::live_bytes();
    let allocs0 = alloc::live_allocations();
    let sqlite0 = kinvault_vault::sqlite_memory_used();
    let rss0 = alloc::rss_bytes();
    alloc::reset_peak();

    let batch = 1_000.min(runs.max(1));
    let mut done = 0;
    let mut max_over = 0usize;
    let started = Instant::now();
    let mut assessed_nonzero = 0usize;
    while done < runs {
        let n = batch.min(runs - done);
        for i in done..done + n {
            let r = risk::person_risk(&vault, &g.graph, &request(i)).unwrap();
            if r.conditions[0].carrier_probability.is_some_and(|p| p > 0.0) || r.conditions[0].category.is_some() {
                assessed_nonzero += 1;
            }
        }
        done += n;
        let heap = alloc::live_bytes();
        let allocs = alloc::live_allocations();
        let sqlite = kinvault_vault::sqlite_memory_used();
        max_over = max_over.max(alloc::peak_bytes() - heap0);
        out.check(heap == heap0, &format!("after {done} runs live heap {heap} B != baseline {heap0} B"));
        out.check(allocs == allocs0, &format!("after {done} runs {allocs} live allocations != baseline {allocs0}"));
        out.check(sqlite == sqlite0, &format!("after {done} runs SQLite holds {sqlite} B != baseline {sqlite0} B"));
    }
    let elapsed = started.elapsed();
    let rss1 = alloc::rss_bytes();
    out.check(rss1 < rss0 + 1_000_000, &format!("RSS grew {} B (limit 1 MB)", rss1 as i64 - rss0 as i64));
    out.check(assessed_nonzero == runs, &format!("{assessed_nonzero} of {runs} assessments gave a result"));
    out.check(full.conditions.len() > 20, "the full report has every condition");

    println!("risk memory (API path: vault → pedigree → engine → explanation)");
    println!(
        "  vault               {} people, {} families (synthetic, seed 20261125)",
        summary.individuals, summary.families
    );
    println!(
        "  families assessed   {}–{} people each ({} probands, {} conditions)",
        sizes.0,
        sizes.1,
        probands.len(),
        CONDITIONS.len()
    );
    println!("  full-scope report   {} people, {} conditions", full.pedigree.people, full.conditions.len());
    println!("  warm-up             {:.1} s", warm.as_secs_f64());
    println!(
        "  assessments         {runs} in {:.1} s ({:.2} ms each)",
        elapsed.as_secs_f64(),
        elapsed.as_secs_f64() * 1e3 / runs as f64
    );
    println!("  heap baseline       {heap0} B in {allocs0} allocations; final {} B", alloc::live_bytes());
    println!("  heap peak above     {max_over} B during a run");
    println!("  SQLite memory       {sqlite0} B baseline; final {} B", kinvault_vault::sqlite_memory_used());
    println!("  RSS                 {} KiB after warm-up; {} KiB at the end", rss0 / 1024, rss1 / 1024);
    println!("{} passed, {} failed", out.passed, out.failed);
    drop(vault);
    if out.failed > 0 {
        std::process::exit(1);
    }
}
