//! Benchmark on a synthetic multi-generation tree (deterministic seed). Prints a Markdown table.
//!
//!     cargo run --release -p kinvault-pedigree --example relate_bench [-- PEOPLE [PAIRS]]
//!
//! The tree: villages of ~200 people per generation; people mostly marry within their village
//! (sometimes the next village, often someone "married in" with no recorded parents); children
//! are spread over the couples at random; a few remarriages (half-siblings), adoptions, births
//! with one parent unrecorded and monozygotic twins. Every person's ancestry is therefore a few
//! thousand people deep and collapses, as in real village genealogies.

use std::time::{Duration, Instant};

use kinvault_model::{ChildRelationship, Family, FamilyChild, ParentLink, Sex, TwinSet, UnionKind, Zygosity};
use kinvault_pedigree::{Chromosome, FamilyGraph, KinshipOptions, Links, PersonIx, RelateOptions};
use uuid::Uuid;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // splitmix64
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }
}

const VILLAGES: usize = 200;
const PER_VILLAGE: usize = 200;

struct Tree {
    people: Vec<(Uuid, Sex)>,
    families: Vec<Family>,
    /// (village, generation) of each person born in the tree; married-in people have none.
    home: Vec<Option<(u32, u32)>>,
}

impl Tree {
    fn person(&mut self, rng: &mut Rng, sex: Sex, home: Option<(u32, u32)>) -> usize {
        let id = Uuid::from_u64_pair(rng.next(), rng.next());
        self.people.push((id, sex));
        self.home.push(home);
        self.people.len() - 1
    }

    fn family(&mut self, rng: &mut Rng, partners: &[usize]) -> usize {
        let mut f = Family::new(partners.iter().map(|&p| self.people[p].0).collect());
        f.id = Uuid::from_u64_pair(rng.next(), rng.next());
        f.kind = UnionKind::Married;
        self.families.push(f);
        self.families.len() - 1
    }
}

fn sex(rng: &mut Rng) -> Sex {
    if rng.chance(0.5) {
        Sex::Male
    } else {
        Sex::Female
    }
}

fn generate(target: usize, seed: u64) -> Tree {
    let mut rng = Rng(seed);
    let mut t = Tree { people: Vec::with_capacity(target + 100_000), families: Vec::new(), home: Vec::new() };
    let mut prev: Vec<Vec<usize>> = (0..VILLAGES)
        .map(|v| {
            (0..PER_VILLAGE)
                .map(|_| {
                    let s = sex(&mut rng);
                    t.person(&mut rng, s, Some((v as u32, 0)))
                })
                .collect()
        })
        .collect();
    let mut generation = 0u32;
    while t.people.len() < target {
        generation += 1;
        let mut next: Vec<Vec<usize>> = vec![Vec::new(); VILLAGES];
        for v in 0..VILLAGES {
            // Couples from the previous generation.
            let mut pool = prev[v].clone();
            for i in (1..pool.len()).rev() {
                pool.swap(i, rng.below(i + 1));
            }
            let mut taken = vec![false; pool.len()];
            let mut couples: Vec<(usize, [usize; 2])> = Vec::new(); // (family, partners)
            for i in 0..pool.len() {
                if taken[i] || rng.chance(0.1) {
                    continue; // already married, or stays single
                }
                taken[i] = true;
                let x = pool[i];
                let want = if t.people[x].1 == Sex::Male { Sex::Female } else { Sex::Male };
                let spouse = if rng.chance(0.55) {
                    (i + 1..pool.len()).find(|&j| !taken[j] && t.people[pool[j]].1 == want).map(|j| {
                        taken[j] = true;
                        pool[j]
                    })
                } else if rng.chance(0.1) {
                    let nv = &prev[(v + 1) % VILLAGES];
                    let pick = nv[rng.below(nv.len())];
                    (t.people[pick].1 == want).then_some(pick)
                } else {
                    None
                };
                let spouse = spouse.unwrap_or_else(|| t.person(&mut rng, want, None));
                couples.push((t.family(&mut rng, &[x, spouse]), [x, spouse]));
                if rng.chance(0.05) {
                    // A second marriage: half-siblings.
                    let second = t.person(&mut rng, want, None);
                    couples.push((t.family(&mut rng, &[x, second]), [x, second]));
                }
            }
            if couples.is_empty() {
                continue;
            }
            let mut born = 0;
            while born < PER_VILLAGE {
                let home = Some((v as u32, generation));
                let s = sex(&mut rng);
                let c = t.person(&mut rng, s, home);
                born += 1;
                next[v].push(c);
                let (mut fi, partners) = couples[rng.below(couples.len())];
                if rng.chance(0.02) {
                    // Only one parent recorded.
                    let one = partners[rng.below(2)];
                    fi = t.family(&mut rng, &[one]);
                }
                let cid = t.people[c].0;
                let links = if rng.chance(0.01) {
                    t.families[fi]
                        .partners
                        .iter()
                        .map(|&parent| ParentLink { parent, relationship: ChildRelationship::Adopted })
                        .collect()
                } else {
                    vec![]
                };
                t.families[fi].children.push(FamilyChild { person: cid, links: links.clone() });
                if rng.chance(0.004) {
                    let twin = t.person(&mut rng, t.people[c].1, home);
                    next[v].push(twin);
                    let tid = t.people[twin].0;
                    t.families[fi].children.push(FamilyChild { person: tid, links });
                    t.families[fi].twins.push(TwinSet { members: vec![cid, tid], zygosity: Zygosity::Monozygotic });
                }
            }
        }
        prev = next;
    }
    t
}

fn pct(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn fmt(d: Duration) -> String {
    if d.as_secs_f64() >= 1.0 {
        format!("{:.2} s", d.as_secs_f64())
    } else if d.as_secs_f64() >= 1e-3 {
        format!("{:.2} ms", d.as_secs_f64() * 1e3)
    } else {
        format!("{:.1} µs", d.as_secs_f64() * 1e6)
    }
}

fn rss_kib(field: &str) -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn main() {
    let mut args = std::env::args().skip(1);
    let target: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(1_000_000);
    let pairs: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(10_000);

    let t0 = Instant::now();
    let tree = generate(target, 0x5EED_2024);
    let gen_time = t0.elapsed();
    let rss_before = rss_kib("VmRSS:");

    let t0 = Instant::now();
    let (g, warnings) = FamilyGraph::build(tree.people.iter().copied(), tree.families.iter());
    let build_time = t0.elapsed();
    let rss_after = rss_kib("VmRSS:");

    let mut rng = Rng(42);
    let n = g.index_bound();
    let ix = |id: Uuid| g.index_of(id).unwrap_or(0);
    let opts = RelateOptions::default();

    // Random pairs over the whole tree.
    let mut times = Vec::with_capacity(pairs);
    let mut related = 0;
    for _ in 0..pairs {
        let (a, b) = (rng.below(n) as PersonIx, rng.below(n) as PersonIx);
        let t0 = Instant::now();
        let r = g.relate_ix(a, b, &opts);
        times.push(t0.elapsed());
        related += usize::from(r.is_related());
    }
    times.sort();

    // Pairs from one village and generation (mostly cousins of some degree).
    let last_gen = tree.home.iter().flatten().map(|&(_, gen)| gen).max().unwrap_or(0);
    let by_home: Vec<usize> =
        (0..tree.home.len()).filter(|&i| tree.home[i].is_some_and(|(_, gen)| gen >= last_gen / 2)).collect();
    let mut local = Vec::with_capacity(pairs);
    let mut local_related = 0;
    let mut local_pairs = Vec::new();
    for _ in 0..pairs {
        let a = by_home[rng.below(by_home.len())];
        let home = tree.home[a];
        // Walk to a neighbour born in the same village and generation.
        let mut b = a;
        for k in 1..1000 {
            let cand = (a + k * 7) % tree.home.len();
            if tree.home[cand] == home && cand != a {
                b = cand;
                break;
            }
        }
        let (ia, ib) = (ix(tree.people[a].0), ix(tree.people[b].0));
        local_pairs.push((ia, ib));
        let t0 = Instant::now();
        let r = g.relate_ix(ia, ib, &opts);
        local.push(t0.elapsed());
        local_related += usize::from(r.is_related());
    }
    local.sort();

    // Ancestors, 10 generations, of people from the youngest generations.
    let young: Vec<usize> = (0..tree.home.len()).rev().filter(|&i| tree.home[i].is_some()).take(50_000).collect();
    let mut anc = Vec::new();
    let mut anc_count = 0usize;
    for _ in 0..1000 {
        let p = ix(tree.people[young[rng.below(young.len())]].0);
        let t0 = Instant::now();
        let a = g.ancestor_indices(p, 10, Links::Biological);
        anc.push(t0.elapsed());
        anc_count += a.len();
    }
    anc.sort();

    // Exact kinship for 1000 of the same-village pairs.
    let kopts = KinshipOptions::default();
    let mut kin = Vec::new();
    let mut kin_x = Vec::new();
    let mut nonzero = 0;
    let mut x_errors = 0;
    for &(a, b) in local_pairs.iter().take(1000) {
        let t0 = Instant::now();
        let phi = g.kinship_ix(a, b, Chromosome::Autosomal, &kopts);
        kin.push(t0.elapsed());
        nonzero += usize::from(phi.is_ok_and(|p| !p.is_zero()));
        let t0 = Instant::now();
        let phx = g.kinship_ix(a, b, Chromosome::X, &kopts);
        kin_x.push(t0.elapsed());
        x_errors += usize::from(phx.is_err());
    }
    kin.sort();
    kin_x.sort();

    println!("| measure | value |");
    println!("|---|---|");
    println!("| people / families / generations | {} / {} / {} |", g.len(), tree.families.len(), last_gen + 1);
    println!("| generate synthetic tree | {} |", fmt(gen_time));
    let mut kinds: Vec<String> = warnings
        .iter()
        .map(|w| serde_json::to_value(w).ok().and_then(|v| v["kind"].as_str().map(str::to_string)).unwrap_or_default())
        .collect();
    kinds.sort();
    kinds.dedup();
    println!("| build graph | {} ({} warnings: {}) |", fmt(build_time), warnings.len(), kinds.join(", "));
    println!("| graph memory | {:.1} MB, {:.1} bytes/person |", g.memory_bytes() as f64 / 1e6, g.bytes_per_person());
    if let (Some(b), Some(a)) = (rss_before, rss_after) {
        println!("| process RSS growth during build | {:.1} MB |", (a.saturating_sub(b)) as f64 / 1024.0);
    }
    println!(
        "| relate, {} random pairs: p50 / p99 / max | {} / {} / {} ({} related) |",
        pairs,
        fmt(pct(&times, 0.5)),
        fmt(pct(&times, 0.99)),
        fmt(pct(&times, 1.0)),
        related
    );
    println!(
        "| relate, {} same-village pairs: p50 / p99 / max | {} / {} / {} ({} related) |",
        pairs,
        fmt(pct(&local, 0.5)),
        fmt(pct(&local, 0.99)),
        fmt(pct(&local, 1.0)),
        local_related
    );
    println!(
        "| ancestors, 10 generations, 1000 people: p50 / p99 | {} / {} (avg {} ancestors) |",
        fmt(pct(&anc, 0.5)),
        fmt(pct(&anc, 0.99)),
        anc_count / 1000
    );
    println!(
        "| exact kinship φ, 1000 same-village pairs: p50 / p99 | {} / {} ({} non-zero) |",
        fmt(pct(&kin, 0.5)),
        fmt(pct(&kin, 0.99)),
        nonzero
    );
    println!(
        "| exact X kinship φx, same pairs: p50 / p99 | {} / {} ({} undefined: unknown sex) |",
        fmt(pct(&kin_x, 0.5)),
        fmt(pct(&kin_x, 0.99)),
        x_errors
    );
    if let Some(hwm) = rss_kib("VmHWM:") {
        println!("| peak process RSS (tree input + graph) | {:.0} MB |", hwm as f64 / 1024.0);
    }
}
