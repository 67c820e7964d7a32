//! A "smoke fuzz" that runs on stable in every `cargo test`: the reader over deterministic
//! mutations (bit flips, interesting bytes, insertions, deletions, truncations, splices) of the
//! conformance files. Each input must read without panicking and, when it reads, survive a
//! write/read round trip. Bounded in iterations and time. The real fuzzer is
//! `crates/gedcom/fuzz` (cargo-fuzz, nightly); see docs/gedcom.md.
//!
//! Longer local runs: `GEDCOM_SMOKE_FUZZ_ITERATIONS=200000 GEDCOM_SMOKE_FUZZ_SEED=7 cargo test
//! --release -p kinvault-gedcom --test smoke_fuzz -- --nocapture` (the time budget then grows
//! with the iterations).

mod common;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::{Duration, Instant};

use common::{conformance_dir, extension, walk};
use kinvault_gedcom::{gedzip, read, write, WriteOptions};

const ITERATIONS: usize = 4000;
const TIME_BUDGET: Duration = Duration::from_secs(25);
const SEED: u64 = 0x6ED0_C0DE_5EED_2025;

/// xorshift64*: small, deterministic, good enough to pick mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

const INTERESTING: &[&[u8]] = &[
    b"\n",
    b"\r",
    b"\r\n",
    b"\n\r",
    b"@",
    b"@@",
    b"0 ",
    b"1 ",
    b"99 ",
    b"100 ",
    b" ",
    b"\t",
    b"\x00",
    b"\xFF",
    b"\xE2",
    b"\xC3",
    b"\xEF\xBB\xBF",
    b"\xFF\xFE",
    b"CONC ",
    b"CONT ",
    b"\n2 CONC ",
    b"\n1 CONT ",
    b"\n0 TRLR\n",
    b"\n0 HEAD\n",
    b"\n1 CHAR ANSEL\n",
    b"\n1 CHAR UNICODE\n",
    b"\n2 VERS 7.0\n",
    b"@#DJULIAN@",
    b"\x1A",
];

fn mutate(rng: &mut Rng, input: &mut Vec<u8>, seeds: &[Vec<u8>]) {
    for _ in 0..1 + rng.below(6) {
        let len = input.len();
        match rng.below(8) {
            0 if len > 0 => {
                let i = rng.below(len);
                input[i] ^= 1 << rng.below(8);
            }
            1 if len > 0 => {
                let i = rng.below(len);
                input[i] = INTERESTING[rng.below(INTERESTING.len())][0];
            }
            2 => {
                let i = rng.below(len + 1);
                let piece = INTERESTING[rng.below(INTERESTING.len())];
                input.splice(i..i, piece.iter().copied());
            }
            3 if len > 0 => {
                let i = rng.below(len);
                let n = 1 + rng.below(64.min(len - i));
                input.drain(i..i + n);
            }
            4 if len > 0 => {
                let i = rng.below(len);
                let n = 1 + rng.below(256.min(len - i));
                let chunk: Vec<u8> = input[i..i + n].to_vec();
                let at = rng.below(input.len() + 1);
                input.splice(at..at, chunk);
            }
            5 if len > 0 => input.truncate(rng.below(len)),
            6 => {
                let other = &seeds[rng.below(seeds.len())];
                if !other.is_empty() {
                    let i = rng.below(other.len());
                    let n = 1 + rng.below(512.min(other.len() - i));
                    let at = rng.below(input.len() + 1);
                    input.splice(at..at, other[i..i + n].iter().copied());
                }
            }
            _ => {
                // swap every LF for CR (or back) in a window: line-ending confusion
                if len > 0 {
                    let i = rng.below(len);
                    let end = (i + 2048).min(len);
                    for b in &mut input[i..end] {
                        *b = match *b {
                            b'\n' => b'\r',
                            b'\r' => b'\n',
                            other => other,
                        };
                    }
                }
            }
        }
    }
}

/// Reads, and when that works, writes and reads again: the records must come back.
fn check(input: &[u8]) -> Result<(), String> {
    let Ok(doc) = read(input) else { return Ok(()) };
    let options = if doc.version.is_v7() { WriteOptions::gedcom_70() } else { WriteOptions::gedcom_551() };
    let again = read(&write(Some(&doc.header), &doc.records, &options)).map_err(|e| e.to_string())?;
    if again.records.len() != doc.records.len() {
        return Err(format!("{} records came back as {}", doc.records.len(), again.records.len()));
    }
    for (a, b) in doc.records.iter().zip(&again.records) {
        if let Some(d) = a.first_difference(b) {
            return Err(d);
        }
    }
    Ok(())
}

#[test]
fn mutated_conformance_files() {
    let root = conformance_dir();
    let mut seeds: Vec<Vec<u8>> = Vec::new();
    for path in walk(&root) {
        let ext = extension(&path);
        let Ok(bytes) = std::fs::read(&path) else { continue };
        if ext == "gdz" {
            if let Ok(mut a) = gedzip::open(std::io::Cursor::new(&bytes[..])) {
                seeds.extend(a.gedcom_bytes().ok());
            }
        } else if ext == "ged" && bytes.len() <= 64 << 10 {
            seeds.push(bytes);
        }
    }
    assert!(seeds.len() > 50, "only {} seed files", seeds.len());

    let env = |name: &str| std::env::var(name).ok().and_then(|v| v.parse::<u64>().ok());
    let iterations = env("GEDCOM_SMOKE_FUZZ_ITERATIONS").map_or(ITERATIONS, |n| n as usize);
    let budget = TIME_BUDGET * (iterations / ITERATIONS).max(1) as u32;
    let mut rng = Rng(env("GEDCOM_SMOKE_FUZZ_SEED").map_or(SEED, |s| s | 1));
    let start = Instant::now();
    let mut done = 0;
    while done < iterations && start.elapsed() < budget {
        let mut input = seeds[rng.below(seeds.len())].clone();
        mutate(&mut rng, &mut input, &seeds);
        let outcome = catch_unwind(AssertUnwindSafe(|| check(&input)));
        let failure = match outcome {
            Ok(Ok(())) => None,
            Ok(Err(e)) => Some(format!("round trip failed: {e}")),
            Err(_) => Some("panicked".to_string()),
        };
        if let Some(why) = failure {
            let dir = std::env::temp_dir().join("kinvault-gedcom-smoke-fuzz");
            let _ = std::fs::create_dir_all(&dir);
            let file = dir.join(format!("failure-{done}.ged"));
            let _ = std::fs::write(&file, &input);
            panic!("iteration {done}: {why}; input saved to {}", file.display());
        }
        done += 1;
    }
    println!("smoke fuzz: {done} mutated inputs in {:.1} s", start.elapsed().as_secs_f64());
    assert!(done >= 500, "only {done} iterations in the time budget");
}
