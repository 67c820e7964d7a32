//! Deterministic synthetic families, written as GEDCOM.
//!
//! [`generate`] simulates a population generation by generation from a seed and writes it as
//! GEDCOM 5.5.1 or 7.0. Same [`Config`] (seed included) → byte-identical output on every
//! platform (ChaCha8, a value-stable generator; no hash-map iteration, no clock).
//!
//! What the families look like:
//! - founder couples (about one per 1,500 people) start the lines; descendants marry spouses
//!   who "marry in" (people without parents in the file), so lines grow about 1.7× per
//!   generation until the requested number of people is reached — 10 to 15 generations for
//!   100k–1M people, with birth years ending in [`Config::present_year`];
//! - children per couple from 0 to 9 (mean ≈ 2.6), spaced 1–4 years, born while both partners
//!   live and the mother is under 45; child mortality (≈ 9 % die before 16); the living have
//!   no death event;
//! - remarriage after divorce (≈ 10 % of unions): half-siblings and step-parents; same-sex
//!   couples (≈ 1 % of unions) whose children are adopted; adoption (≈ 1.5 % of children,
//!   a third of them with their birth family known too); twins (≈ 1.5 % of births, a third
//!   monozygotic and so of one sex, as `_KV_TWIN`); consanguinity (≈ 2 % of marriages are
//!   between first cousins, marked `_KV_CONSANG`);
//! - dates of every precision GEDCOM has (exact, month, year, `ABT`, `BET … AND …`, missing),
//!   places and names with non-ASCII letters, married names, occupations, sources with
//!   citations, notes longer than a 5.5.1 line;
//! - health ([`Config::health`]): a dominant cancer-predisposition variant (BRCA1-like,
//!   1 % of founders) passed on with probability ½ and raising breast/ovarian/prostate cancer
//!   risk, plus common conditions — written the ways real files hold them: `_KV_COND` with
//!   SNOMED CT codes and onset ages, `DEAT.CAUS`, vendor `_MDCL`, `FACT` with `TYPE Medical`,
//!   genetic test results (`_KV_GTEST`) in the recent generations, one `_KV_PROBAND`.
//!
//! The simulation holds ~100 bytes per person (1M people: ~110 MB and ~9 s); writing streams one
//! record at a time.

use kinvault_gedcom::{Node, Record, WriteOptions, Writer};
use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};
use serde::Serialize;
use std::io::{self, Write};

const NONE: u32 = u32::MAX;

/// Which GEDCOM to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    /// GEDCOM 5.5.1, UTF-8.
    V5_5_1,
    /// GEDCOM 7.0.
    V7_0,
}

/// What to generate.
#[derive(Debug, Clone)]
pub struct Config {
    /// Exactly this many individuals are written.
    pub people: usize,
    /// Same seed, same file.
    pub seed: u64,
    /// The GEDCOM version written.
    pub version: Version,
    /// Write health data (conditions, causes of death, genetic tests, a proband).
    pub health: bool,
    /// The year of the last births; people whose death would come after it are living.
    pub present_year: i32,
}

impl Config {
    /// `people` individuals from `seed`, GEDCOM 5.5.1 with health data, present year 2025.
    pub fn new(people: usize, seed: u64) -> Config {
        Config { people, seed, version: Version::V5_5_1, health: true, present_year: 2025 }
    }
}

/// What was generated: counts of each feature.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub individuals: u64,
    pub families: u64,
    pub generations: u32,
    /// People without parents in the file (founders and spouses who married in).
    pub without_parents: u64,
    pub living: u64,
    pub remarriages: u64,
    pub divorces: u64,
    pub same_sex_unions: u64,
    pub consanguineous_unions: u64,
    pub adopted_children: u64,
    /// Adopted children whose birth family is in the file too.
    pub adopted_with_birth_family: u64,
    pub twin_sets: u64,
    pub monozygotic_twin_sets: u64,
    pub sources: u64,
    pub variant_carriers: u64,
    /// Conditions written as `_KV_COND`, `_MDCL` or medical `FACT`, and causes of death.
    pub health_observations: u64,
    pub causes_of_death: u64,
    pub genetic_tests: u64,
    /// The xref (without `@`) of the person marked `_KV_PROBAND`, if health data is written.
    pub proband: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sex {
    M,
    F,
    U,
}

impl Sex {
    fn code(self) -> &'static str {
        match self {
            Sex::M => "M",
            Sex::F => "F",
            Sex::U => "U",
        }
    }

    fn opposite(self) -> Sex {
        match self {
            Sex::M => Sex::F,
            Sex::F => Sex::M,
            Sex::U => Sex::U,
        }
    }
}

/// How precisely a date is known, chosen once per person (twins share it).
#[derive(Debug, Clone, Copy)]
enum Precision {
    Day,
    Month,
    Year,
    About,
    Between,
    Unknown,
}

struct Person {
    sex: Sex,
    /// Years relative to the founders until [`Sim::shift`], calendar years after.
    birth: i32,
    lifespan: u8,
    generation: u16,
    /// Day of the year (0..365) of birth.
    birth_day: u16,
    precision: Precision,
    /// The family the person grew up in (NONE for founders and spouses who married in).
    famc: u32,
    /// `famc` is an adoptive family.
    adopted: bool,
    /// For adopted children: the birth family, when known.
    birth_famc: u32,
    fams: Vec<u32>,
    given: u16,
    surname: u16,
    carrier: bool,
}

impl Person {
    fn death_year(&self) -> i32 {
        self.birth + i32::from(self.lifespan)
    }
}

struct Family {
    a: u32,
    b: u32,
    married: i32,
    divorced: Option<i32>,
    place: u16,
    children: Vec<u32>,
    consanguineous: bool,
    /// (first, second, monozygotic)
    twins: Vec<(u32, u32, bool)>,
}

struct Sim {
    rng: ChaCha8Rng,
    cap: usize,
    people: Vec<Person>,
    families: Vec<Family>,
    summary: Summary,
}

/// Children per couple: weights for 0, 1, 2, ... 9.
const CHILDREN_WEIGHTS: [u32; 10] = [10, 14, 24, 22, 14, 8, 4, 2, 1, 1];

impl Sim {
    fn chance(&mut self, p: f64) -> bool {
        self.rng.random_bool(p)
    }

    fn range(&mut self, lo: i32, hi: i32) -> i32 {
        self.rng.random_range(lo..=hi)
    }

    fn pick(&mut self, n: usize) -> usize {
        self.rng.random_range(0..n)
    }

    fn lifespan(&mut self) -> u8 {
        let r: f64 = self.rng.random();
        let years = if r < 0.06 {
            self.range(0, 4)
        } else if r < 0.09 {
            self.range(5, 15)
        } else {
            // A bell between 40 and 100.
            40 + self.range(0, 20) + self.range(0, 20) + self.range(0, 20)
        };
        years as u8
    }

    fn precision(&mut self) -> Precision {
        match self.range(0, 99) {
            0..=71 => Precision::Day,
            72..=79 => Precision::Month,
            80..=87 => Precision::About,
            88..=91 => Precision::Year,
            92..=94 => Precision::Between,
            _ => Precision::Unknown,
        }
    }

    fn random_sex(&mut self) -> Sex {
        if self.chance(0.003) {
            Sex::U
        } else if self.chance(0.5) {
            Sex::M
        } else {
            Sex::F
        }
    }

    fn new_person(&mut self, sex: Sex, birth: i32, generation: u16, surname: Option<u16>) -> Option<u32> {
        if self.people.len() >= self.cap {
            return None;
        }
        let lifespan = self.lifespan();
        let birth_day = self.range(0, 364) as u16;
        let precision = self.precision();
        // Taken modulo the list of the person's sex when written (a twin's sex may change).
        let given: u16 = self.rng.random();
        let surname = match surname {
            Some(s) => s,
            None => self.pick(SURNAMES.len()) as u16,
        };
        self.people.push(Person {
            sex,
            birth,
            lifespan,
            generation,
            birth_day,
            precision,
            famc: NONE,
            adopted: false,
            birth_famc: NONE,
            fams: Vec::new(),
            given,
            surname,
            carrier: false,
        });
        Some((self.people.len() - 1) as u32)
    }

    /// A person without parents in the file, who lives to adulthood (they marry).
    fn outsider(&mut self, sex: Sex, birth: i32, generation: u16) -> Option<u32> {
        let id = self.new_person(sex, birth, generation, None)?;
        let carrier = self.chance(0.01);
        let lifespan = 18 + self.range(0, 30) + self.range(0, 30) + self.range(0, 20);
        let p = &mut self.people[id as usize];
        p.carrier = carrier;
        p.lifespan = lifespan as u8;
        self.summary.without_parents += 1;
        Some(id)
    }

    fn add_family(&mut self, a: u32, b: u32, married: i32, consanguineous: bool) -> u32 {
        let id = self.families.len() as u32;
        let place = self.pick(PLACES.len()) as u16;
        self.families.push(Family {
            a,
            b,
            married,
            divorced: None,
            place,
            children: Vec::new(),
            consanguineous,
            twins: Vec::new(),
        });
        self.people[a as usize].fams.push(id);
        self.people[b as usize].fams.push(id);
        if self.people[a as usize].sex == self.people[b as usize].sex {
            self.summary.same_sex_unions += 1;
        }
        if consanguineous {
            self.summary.consanguineous_unions += 1;
        }
        id
    }

    fn founder_couple(&mut self, generation: u16, year: i32) -> Option<u32> {
        let birth = year + self.range(-5, 5);
        let a = self.outsider(Sex::M, birth, generation)?;
        let delta = self.range(-6, 4);
        let b = self.outsider(Sex::F, birth + delta, generation)?;
        let married = birth.max(self.people[b as usize].birth) + self.range(18, 30);
        Some(self.add_family(a, b, married, false))
    }

    fn inherits(&mut self, family: u32) -> bool {
        let f = &self.families[family as usize];
        let (a, b) = (self.people[f.a as usize].carrier, self.people[f.b as usize].carrier);
        (a && self.chance(0.5)) | (b && self.chance(0.5))
    }

    fn child_count(&mut self) -> usize {
        let total: u32 = CHILDREN_WEIGHTS.iter().sum();
        let mut r = self.rng.random_range(0..total);
        for (n, w) in CHILDREN_WEIGHTS.iter().enumerate() {
            if r < *w {
                return n;
            }
            r -= w;
        }
        0
    }

    /// Children of `family` (generation `generation`), appended to `out`. `peers` are the
    /// families of the same generation (birth families of some adoptees).
    fn have_children(&mut self, family: u32, generation: u16, peers: &[u32], out: &mut Vec<u32>) {
        let f = &self.families[family as usize];
        let (pa, pb) = (&self.people[f.a as usize], &self.people[f.b as usize]);
        let same_sex = pa.sex == pb.sex;
        let mother = if pb.sex == Sex::F { pb } else { pa };
        let end_fertile = if same_sex { i32::MAX } else { mother.birth + 44 };
        let end_alive = pa.death_year().min(pb.death_year());
        let end = end_fertile.min(end_alive).min(f.divorced.unwrap_or(i32::MAX));
        let surname = if pa.sex == Sex::M || pb.sex != Sex::M { pa.surname } else { pb.surname };
        let married = f.married;
        let n = self.child_count();
        let mut year = married + self.range(1, 3);
        for _ in 0..n {
            if year > end {
                break;
            }
            let twins = self.chance(0.015);
            let monozygotic = twins && self.chance(0.35);
            let adopted = same_sex || self.chance(0.015);
            let Some(first) = self.child(family, year, generation, surname, adopted, peers, out) else {
                return;
            };
            if twins {
                let Some(second) = self.child(family, year, generation, surname, adopted, peers, out) else {
                    return;
                };
                let (first_p, second_day, second_precision, second_birth_famc) = {
                    let p = &self.people[first as usize];
                    (p.sex, p.birth_day, p.precision, p.birth_famc)
                };
                let s = &mut self.people[second as usize];
                s.birth_day = second_day;
                s.precision = second_precision;
                if monozygotic {
                    s.sex = first_p;
                }
                // Twins adopted together come from the same birth family.
                if adopted && s.birth_famc != second_birth_famc {
                    let old = s.birth_famc;
                    s.birth_famc = second_birth_famc;
                    if old != NONE {
                        self.families[old as usize].children.retain(|&c| c != second);
                        self.summary.adopted_with_birth_family -= 1;
                    }
                    if second_birth_famc != NONE {
                        self.families[second_birth_famc as usize].children.push(second);
                        self.summary.adopted_with_birth_family += 1;
                    }
                }
                if monozygotic {
                    // One genome: the second twin's carrier status is the first's.
                    self.people[second as usize].carrier = self.people[first as usize].carrier;
                }
                self.families[family as usize].twins.push((first, second, monozygotic));
                self.summary.twin_sets += 1;
                if monozygotic {
                    self.summary.monozygotic_twin_sets += 1;
                }
            }
            year += self.range(1, 4);
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn child(
        &mut self,
        family: u32,
        year: i32,
        generation: u16,
        surname: u16,
        adopted: bool,
        peers: &[u32],
        out: &mut Vec<u32>,
    ) -> Option<u32> {
        let sex = self.random_sex();
        let id = self.new_person(sex, year, generation, Some(surname))?;
        let mut carrier = false;
        let mut birth_famc = NONE;
        if adopted {
            self.summary.adopted_children += 1;
            if peers.len() > 1 && self.chance(1.0 / 3.0) {
                let other = peers[self.pick(peers.len())];
                if other != family {
                    birth_famc = other;
                    carrier = self.inherits(other);
                    self.families[other as usize].children.push(id);
                    self.summary.adopted_with_birth_family += 1;
                }
            }
            if birth_famc == NONE {
                carrier = self.chance(0.01);
            }
        } else {
            carrier = self.inherits(family);
        }
        let p = &mut self.people[id as usize];
        p.famc = family;
        p.adopted = adopted;
        p.birth_famc = birth_famc;
        p.carrier = carrier;
        self.families[family as usize].children.push(id);
        out.push(id);
        Some(id)
    }

    /// An unmarried first cousin of the opposite sex who lives to adulthood.
    fn cousin_of(&mut self, c: u32) -> Option<u32> {
        let p = &self.people[c as usize];
        if p.famc == NONE || p.adopted {
            return None;
        }
        let f = &self.families[p.famc as usize];
        let want = p.sex.opposite();
        let mut found = Vec::new();
        for parent in [f.a, f.b] {
            let gp = self.people[parent as usize].famc;
            if gp == NONE || self.people[parent as usize].adopted {
                continue;
            }
            for &aunt in &self.families[gp as usize].children {
                if aunt == parent || self.people[aunt as usize].famc != gp || self.people[aunt as usize].adopted {
                    continue;
                }
                for &af in &self.people[aunt as usize].fams {
                    for &cousin in &self.families[af as usize].children {
                        let q = &self.people[cousin as usize];
                        if q.famc == af && !q.adopted && q.fams.is_empty() && q.sex == want && q.lifespan >= 18 {
                            found.push(cousin);
                        }
                    }
                }
            }
        }
        if found.is_empty() {
            None
        } else {
            Some(found[self.pick(found.len())])
        }
    }

    /// Marriages of this generation's children; returns the families formed.
    fn marry(&mut self, children: &[u32], generation: u16) -> Vec<u32> {
        let mut formed = Vec::new();
        for &c in children {
            let (sex, birth, lifespan, single) = {
                let p = &self.people[c as usize];
                (p.sex, p.birth, p.lifespan, p.fams.is_empty())
            };
            if !single || lifespan < 18 || sex == Sex::U || !self.chance(0.78) {
                continue;
            }
            let cousin = if self.chance(0.02) { self.cousin_of(c) } else { None };
            let (spouse, consanguineous) = match cousin {
                Some(s) => (s, true),
                None => {
                    let spouse_sex = if self.chance(0.01) { sex } else { sex.opposite() };
                    let delta = self.range(-6, 6);
                    match self.outsider(spouse_sex, birth + delta, generation) {
                        Some(s) => (s, false),
                        None => break,
                    }
                }
            };
            let married = birth.max(self.people[spouse as usize].birth) + self.range(18, 30);
            let first = self.add_family(c, spouse, married, consanguineous);
            formed.push(first);
            if self.chance(0.10) {
                let divorced = married + self.range(3, 12);
                let new_sex = self.people[spouse as usize].sex;
                let delta = self.range(-8, 8);
                let Some(second_spouse) = self.outsider(new_sex, birth + delta, generation) else {
                    break;
                };
                self.families[first as usize].divorced = Some(divorced);
                self.summary.divorces += 1;
                let remarried = divorced.max(self.people[second_spouse as usize].birth + 18) + self.range(1, 4);
                formed.push(self.add_family(c, second_spouse, remarried, false));
                self.summary.remarriages += 1;
            }
        }
        formed
    }

    fn run(&mut self) {
        let founders = (self.cap / 1500).max(1);
        let mut current = Vec::new();
        let mut generation = 0u16;
        while self.people.len() < self.cap {
            if current.is_empty() {
                // The first generation, or every line died out: new founders.
                let year = self.families.iter().map(|f| f.married).max().map_or(0, |y| y + 5);
                for _ in 0..founders {
                    match self.founder_couple(generation, year) {
                        Some(f) => current.push(f),
                        None => break,
                    }
                }
                if current.is_empty() {
                    // Room for one person only.
                    self.outsider(Sex::F, year, generation);
                    break;
                }
            }
            generation += 1;
            let mut children = Vec::new();
            for i in 0..current.len() {
                self.have_children(current[i], generation, &current, &mut children);
            }
            current = self.marry(&children, generation);
        }
        self.summary.generations = u32::from(self.people.iter().map(|p| p.generation).max().unwrap_or(0)) + 1;
    }

    /// Moves the years so the last births are in `present`.
    fn shift(&mut self, present: i32) {
        let last = self.people.iter().map(|p| p.birth).max().unwrap_or(0);
        let delta = present - last;
        for p in &mut self.people {
            p.birth += delta;
        }
        for f in &mut self.families {
            f.married += delta;
            f.divorced = f.divorced.map(|y| y + delta);
        }
    }
}

const MONTHS: [&str; 12] = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];

fn date_text(year: i32, day_of_year: u16, precision: Precision) -> Option<String> {
    let month = (day_of_year / 31).min(11) as usize;
    let day = day_of_year % 28 + 1;
    Some(match precision {
        Precision::Day => format!("{day} {} {year}", MONTHS[month]),
        Precision::Month => format!("{} {year}", MONTHS[month]),
        Precision::Year => format!("{year}"),
        Precision::About => format!("ABT {year}"),
        Precision::Between => format!("BET {} AND {}", year - 1, year + 1),
        Precision::Unknown => return None,
    })
}

fn event(tag: &str, date: Option<String>, place: Option<&str>) -> Node {
    let mut n = Node::new(tag);
    if let Some(d) = date {
        n.children.push(Node::with_text("DATE", d));
    }
    if let Some(p) = place {
        n.children.push(Node::with_text("PLAC", p));
    }
    if n.children.is_empty() {
        // "it happened, details unknown"
        n = Node::with_text(tag, "Y");
    }
    n
}

/// A condition the simulation gave someone: (label, SNOMED CT code, onset age).
struct Condition {
    label: &'static str,
    snomed: &'static str,
    onset: i32,
    how: Encoding,
}

#[derive(Clone, Copy, PartialEq)]
enum Encoding {
    KvCond,
    Mdcl,
    MedicalFact,
}

struct Output<'c> {
    config: &'c Config,
    rng: ChaCha8Rng,
    sources: usize,
    proband: u32,
}

impl Output<'_> {
    fn chance(&mut self, p: f64) -> bool {
        self.rng.random_bool(p)
    }

    fn range(&mut self, lo: i32, hi: i32) -> i32 {
        self.rng.random_range(lo..=hi)
    }

    fn v7(&self) -> bool {
        self.config.version == Version::V7_0
    }

    fn conditions(&mut self, p: &Person, reached: i32) -> Vec<Condition> {
        let mut out = Vec::new();
        let add = |c: Condition, out: &mut Vec<Condition>| {
            if c.onset <= reached {
                out.push(c);
            }
        };
        if p.sex == Sex::F {
            if self.chance(if p.carrier { 0.55 } else { 0.07 }) {
                let onset = if p.carrier { self.range(28, 60) } else { self.range(40, 85) };
                let c = Condition { label: "Breast cancer", snomed: "254837009", onset, how: Encoding::KvCond };
                add(c, &mut out);
            }
            if self.chance(if p.carrier { 0.25 } else { 0.012 }) {
                let onset = if p.carrier { self.range(40, 70) } else { self.range(50, 85) };
                let c = Condition { label: "Ovarian cancer", snomed: "363443007", onset, how: Encoding::KvCond };
                add(c, &mut out);
            }
        }
        if p.sex == Sex::M && self.chance(if p.carrier { 0.2 } else { 0.1 }) {
            let onset = self.range(50, 90);
            add(Condition { label: "Prostate cancer", snomed: "399068003", onset, how: Encoding::KvCond }, &mut out);
        }
        if self.chance(0.04) {
            let onset = self.range(45, 90);
            add(Condition { label: "Colorectal cancer", snomed: "363406005", onset, how: Encoding::KvCond }, &mut out);
        }
        if self.chance(0.10) {
            let onset = self.range(40, 80);
            add(Condition { label: "Type 2 diabetes", snomed: "44054006", onset, how: Encoding::KvCond }, &mut out);
        }
        if self.chance(0.15) {
            let onset = self.range(35, 80);
            add(Condition { label: "Hypertension", snomed: "38341003", onset, how: Encoding::MedicalFact }, &mut out);
        }
        if self.chance(0.05) {
            let onset = self.range(2, 30);
            add(Condition { label: "Asthma", snomed: "195967001", onset, how: Encoding::Mdcl }, &mut out);
        }
        out
    }

    fn person_record(&mut self, sim: &Sim, id: u32, summary: &mut Summary) -> Record {
        let p = &sim.people[id as usize];
        let present = self.config.present_year;
        let mut r = Node::new("INDI");
        r.xref = Some(format!("I{}", id + 1));
        let names = match p.sex {
            Sex::M => MALE_NAMES,
            Sex::F => FEMALE_NAMES,
            Sex::U => NEUTRAL_NAMES,
        };
        let given = names[p.given as usize % names.len()];
        let surname = SURNAMES[p.surname as usize];
        r.children.push(
            Node::with_text("NAME", format!("{given} /{surname}/"))
                .child_node(Node::with_text("GIVN", given))
                .child_node(Node::with_text("SURN", surname)),
        );
        // Some married women are also known by their first husband's surname.
        if p.sex == Sex::F {
            if let Some(&f) = p.fams.first() {
                let f = &sim.families[f as usize];
                let husband = if f.a == id { f.b } else { f.a };
                let h = &sim.people[husband as usize];
                if h.sex == Sex::M && h.surname != p.surname && self.chance(0.3) {
                    let married = SURNAMES[h.surname as usize];
                    r.children.push(
                        Node::with_text("NAME", format!("{given} /{married}/"))
                            .child_node(Node::with_text("TYPE", if self.v7() { "MARRIED" } else { "married" })),
                    );
                }
            }
        }
        r.children.push(Node::with_text("SEX", p.sex.code()));

        let home = if p.famc != NONE { sim.families[p.famc as usize].place } else { (id % PLACES.len() as u32) as u16 };
        let mut birth = event("BIRT", date_text(p.birth, p.birth_day, p.precision), Some(PLACES[home as usize]));
        if self.sources > 0 && self.chance(0.25) {
            let s = self.rng.random_range(0..self.sources);
            let page = self.range(1, 400);
            birth.children.push(
                Node::with_pointer("SOUR", format!("S{}", s + 1))
                    .child_node(Node::with_text("PAGE", format!("folio {page}"))),
            );
        }
        r.children.push(birth);

        let living = p.death_year() > present;
        let reached = if living { present - p.birth } else { i32::from(p.lifespan) };
        if living {
            summary.living += 1;
        }
        let conditions = if self.config.health { self.conditions(p, reached) } else { Vec::new() };
        if !living {
            let precision = if matches!(p.precision, Precision::Unknown) { Precision::Year } else { p.precision };
            let day = self.range(0, 364) as u16;
            let mut death = event("DEAT", date_text(p.death_year(), day, precision), None);
            if self.config.health && self.chance(0.5) {
                let cause = if p.lifespan < 16 {
                    CHILD_DEATHS[self.rng.random_range(0..CHILD_DEATHS.len())]
                } else if let Some(c) = conditions.iter().find(|c| c.label.ends_with("cancer")) {
                    c.label
                } else {
                    ADULT_DEATHS[self.rng.random_range(0..ADULT_DEATHS.len())]
                };
                death.children.push(Node::with_text("CAUS", cause));
                summary.causes_of_death += 1;
                summary.health_observations += 1;
            }
            r.children.push(death);
        }
        if reached >= 16 && self.chance(0.3) {
            let occupation = OCCUPATIONS[self.rng.random_range(0..OCCUPATIONS.len())];
            r.children.push(Node::with_text("OCCU", occupation));
        }
        for c in &conditions {
            summary.health_observations += 1;
            r.children.push(match c.how {
                Encoding::KvCond => {
                    let mut n = Node::with_text("_KV_COND", c.label)
                        .child_node(Node::with_text("_STAT", "affected"))
                        .child_node(Node::with_text("_CODE", c.snomed).child_node(Node::with_text("_SYS", "snomed")))
                        .child_node(Node::with_text("_ONSET", c.onset.to_string()));
                    let certainty = if self.chance(0.8) { "confirmed" } else { "probable" };
                    n.children.push(Node::with_text("_CERT", certainty));
                    let provenance = if self.chance(0.6) { "medical_record" } else { "reported_by_relative" };
                    n.children.push(Node::with_text("_PROV", provenance));
                    n
                }
                Encoding::Mdcl => Node::with_text("_MDCL", c.label)
                    .child_node(Node::with_text("DATE", format!("{}", p.birth + c.onset))),
                Encoding::MedicalFact => Node::with_text("FACT", c.label)
                    .child_node(Node::with_text("TYPE", "Medical condition"))
                    .child_node(Node::with_text("DATE", format!("ABT {}", p.birth + c.onset))),
            });
        }
        if self.config.health && reached >= 18 && p.birth + 18 >= present - 40 {
            let parent_carrier = p.famc != NONE && !p.adopted && {
                let f = &sim.families[p.famc as usize];
                sim.people[f.a as usize].carrier || sim.people[f.b as usize].carrier
            };
            let tested = (p.carrier && self.chance(0.4)) || (!p.carrier && parent_carrier && self.chance(0.3));
            if tested {
                summary.genetic_tests += 1;
                let year = (p.birth + self.range(18, reached.max(18))).min(present);
                r.children.push(
                    Node::with_text("_KV_GTEST", "BRCA1")
                        .child_node(Node::with_text("_VAR", "NM_007294.4:c.68_69del"))
                        .child_node(Node::with_text(
                            "_ACMG",
                            if p.carrier { "pathogenic" } else { "uncertain_significance" },
                        ))
                        .child_node(Node::with_text("_RES", if p.carrier { "positive" } else { "negative" }))
                        .child_node(Node::with_text(
                            "_METH",
                            if p.carrier { "NGS panel" } else { "Targeted variant analysis" },
                        ))
                        .child_node(Node::with_text("_LAB", LABS[(id as usize) % LABS.len()]))
                        .child_node(Node::with_text("DATE", year.to_string()))
                        .child_node(Node::with_text("_PROV", "medical_record")),
                );
            }
        }
        if self.config.health && id == self.proband {
            r.children.push(Node::with_text("_KV_PROBAND", "Y"));
            summary.proband = r.xref.clone();
        }
        if p.famc != NONE {
            let mut famc = Node::with_pointer("FAMC", format!("F{}", p.famc + 1));
            if p.adopted {
                famc.children.push(Node::with_text("PEDI", if self.v7() { "ADOPTED" } else { "adopted" }));
            }
            r.children.push(famc);
        }
        if p.birth_famc != NONE {
            r.children.push(
                Node::with_pointer("FAMC", format!("F{}", p.birth_famc + 1))
                    .child_node(Node::with_text("PEDI", if self.v7() { "BIRTH" } else { "birth" })),
            );
        }
        for &f in &p.fams {
            r.children.push(Node::with_pointer("FAMS", format!("F{}", f + 1)));
        }
        if self.chance(0.03) {
            let n = self.range(1, 6) as usize;
            let text: Vec<&str> = (0..n).map(|i| NOTE_SENTENCES[(id as usize + i) % NOTE_SENTENCES.len()]).collect();
            r.children.push(Node::with_text("NOTE", text.join(" ")));
        }
        r
    }

    fn family_record(&mut self, sim: &Sim, id: u32) -> Record {
        let f = &sim.families[id as usize];
        let mut r = Node::new("FAM");
        r.xref = Some(format!("F{}", id + 1));
        // HUSB/WIFE by sex; a same-sex couple as partner 1 / partner 2 (GEDCOM 7's reading).
        let (h, w) = if sim.people[f.a as usize].sex == Sex::F && sim.people[f.b as usize].sex != Sex::F {
            (f.b, f.a)
        } else {
            (f.a, f.b)
        };
        r.children.push(Node::with_pointer("HUSB", format!("I{}", h + 1)));
        r.children.push(Node::with_pointer("WIFE", format!("I{}", w + 1)));
        if f.married <= self.config.present_year {
            let day = self.range(0, 364) as u16;
            let precision = if self.chance(0.85) { Precision::Day } else { Precision::Year };
            r.children.push(event("MARR", date_text(f.married, day, precision), Some(PLACES[f.place as usize])));
        }
        if let Some(d) = f.divorced.filter(|&d| d <= self.config.present_year) {
            r.children.push(event("DIV", Some(d.to_string()), None));
        }
        for &c in &f.children {
            r.children.push(Node::with_pointer("CHIL", format!("I{}", c + 1)));
        }
        if f.consanguineous {
            r.children.push(Node::with_text("_KV_CONSANG", "Y"));
        }
        for &(a, b, mz) in &f.twins {
            r.children.push(
                Node::with_text("_KV_TWIN", if mz { "monozygotic" } else { "dizygotic" })
                    .child_node(Node::with_pointer("CHIL", format!("I{}", a + 1)))
                    .child_node(Node::with_pointer("CHIL", format!("I{}", b + 1))),
            );
        }
        r
    }
}

fn header(config: &Config) -> Record {
    let mut sour = Node::with_text("SOUR", "KINVAULT_SYNTH")
        .child_node(Node::with_text("VERS", env!("CARGO_PKG_VERSION")))
        .child_node(Node::with_text("NAME", "Kinvault synthetic families"));
    if config.version == Version::V5_5_1 {
        sour = sour.child_node(Node::with_text("CORP", "Kinvault"));
    }
    let mut head = Node::new("HEAD").child_node(sour);
    head.children
        .push(Node::with_text("NOTE", format!("Synthetic data: {} people, seed {}", config.people, config.seed)));
    if config.version == Version::V5_5_1 {
        head.children.push(Node::with_pointer("SUBM", "U1"));
    }
    head
}

/// Kinvault's extension tags used here, with the URIs Kinvault declares for them.
const EXTENSIONS: &[&str] = &["_KV_COND", "_KV_GTEST", "_KV_PROBAND", "_KV_CONSANG", "_KV_TWIN", "_MDCL"];
/// Those written only with health data.
const HEALTH_TAGS: &[&str] = &["_KV_COND", "_KV_GTEST", "_KV_PROBAND", "_MDCL"];

/// Generates the families described by `config` and writes them to `out` as GEDCOM.
pub fn generate<W: Write>(config: &Config, out: W) -> io::Result<Summary> {
    let mut sim = Sim {
        rng: ChaCha8Rng::seed_from_u64(config.seed),
        cap: config.people,
        people: Vec::with_capacity(config.people),
        families: Vec::new(),
        summary: Summary::default(),
    };
    if config.people > 0 {
        sim.run();
    }
    sim.shift(config.present_year);

    let mut summary = std::mem::take(&mut sim.summary);
    summary.individuals = sim.people.len() as u64;
    summary.families = sim.families.len() as u64;
    summary.variant_carriers = sim.people.iter().filter(|p| p.carrier).count() as u64;
    let sources = (config.people / 100).clamp(1, 5000);
    // The proband: the youngest carrier woman, else the youngest person.
    let proband = sim
        .people
        .iter()
        .rposition(|p| p.carrier && p.sex == Sex::F && p.famc != NONE)
        .or_else(|| sim.people.len().checked_sub(1))
        .map_or(NONE, |i| i as u32);

    let options = match config.version {
        Version::V5_5_1 => WriteOptions::gedcom_551(),
        Version::V7_0 => WriteOptions {
            extension_tags: EXTENSIONS
                .iter()
                .filter(|t| t.starts_with("_KV") && (config.health || !HEALTH_TAGS.contains(t)))
                .map(|t| {
                    let uri = format!(
                        "https://kinvault.org/gedcom/{}",
                        t.trim_start_matches('_').to_ascii_lowercase().replace('_', "-")
                    );
                    (t.to_string(), uri)
                })
                .collect(),
            ..WriteOptions::gedcom_70()
        },
    };
    let mut writer = Writer::new(out, Some(&header(config)), options)?;
    if config.version == Version::V5_5_1 {
        let mut subm = Node::new("SUBM").child_node(Node::with_text("NAME", "Kinvault synthetic data"));
        subm.xref = Some("U1".into());
        writer.write_record(&subm)?;
    }
    // A second stream for the details decided while writing, so the families themselves do
    // not depend on them.
    let mut output = Output {
        config,
        rng: ChaCha8Rng::seed_from_u64(config.seed ^ 0x0005_eed0_fd37_a115),
        sources: if config.people > 0 { sources } else { 0 },
        proband,
    };
    for id in 0..sim.people.len() as u32 {
        let record = output.person_record(&sim, id, &mut summary);
        writer.write_record(&record)?;
    }
    for id in 0..sim.families.len() as u32 {
        let record = output.family_record(&sim, id);
        writer.write_record(&record)?;
    }
    for s in 0..output.sources {
        let place = PLACES[s % PLACES.len()];
        let from = config.present_year - 300 + (s as i32 % 250);
        let mut r = Node::new("SOUR")
            .child_node(Node::with_text("TITL", format!("Parish register of {place}, {from}–{}", from + 50)))
            .child_node(Node::with_text("AUTH", "Parish clerk"));
        r.xref = Some(format!("S{}", s + 1));
        writer.write_record(&r)?;
    }
    summary.sources = output.sources as u64;
    writer.finish()?;
    Ok(summary)
}

const MALE_NAMES: &[&str] = &[
    "John",
    "William",
    "James",
    "Thomas",
    "George",
    "Henry",
    "Charles",
    "Joseph",
    "Edward",
    "Robert",
    "Samuel",
    "Peter",
    "Johann",
    "Friedrich",
    "Karl",
    "Heinrich",
    "Jean",
    "Pierre",
    "François",
    "Louis",
    "José",
    "Juan",
    "Antonio",
    "Giovanni",
    "Giuseppe",
    "Jan",
    "Piotr",
    "Stanisław",
    "Lars",
    "Björn",
    "Søren",
    "Håkon",
    "Jiří",
    "Miklós",
    "Seán",
    "Eóin",
    "Oğuz",
    "Nikolaï",
    "Ahmed",
    "Kenji",
];

const FEMALE_NAMES: &[&str] = &[
    "Mary",
    "Elizabeth",
    "Sarah",
    "Anna",
    "Margaret",
    "Catherine",
    "Jane",
    "Emma",
    "Alice",
    "Ellen",
    "Martha",
    "Maria",
    "Johanna",
    "Margarethe",
    "Elisabeth",
    "Marie",
    "Jeanne",
    "Françoise",
    "Hélène",
    "Zoë",
    "Carmen",
    "Lucía",
    "Giulia",
    "Chiara",
    "Agnieszka",
    "Małgorzata",
    "Ingrid",
    "Åsa",
    "Sigríður",
    "Dagmar",
    "Božena",
    "Erzsébet",
    "Siobhán",
    "Aoife",
    "Ayşe",
    "Olga",
    "Fatima",
    "Yuki",
    "Noémie",
    "Renée",
];

const NEUTRAL_NAMES: &[&str] = &["Alex", "Sam", "Robin", "Kim", "Jo", "Charlie"];

const SURNAMES: &[&str] = &[
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Williams",
    "Wilson",
    "Johnson",
    "Davies",
    "Robinson",
    "Wright",
    "Thompson",
    "Evans",
    "Walker",
    "White",
    "Roberts",
    "Green",
    "Hall",
    "Wood",
    "Jackson",
    "Clarke",
    "Müller",
    "Schmidt",
    "Schneider",
    "Fischer",
    "Weber",
    "Meyer",
    "Wagner",
    "Becker",
    "Schäfer",
    "Köhler",
    "Martin",
    "Bernard",
    "Dubois",
    "Lefèvre",
    "Lefebvre",
    "Girard",
    "Bonnet",
    "Dupont",
    "Lambert",
    "Fontaine",
    "García",
    "Fernández",
    "López",
    "Martínez",
    "Sánchez",
    "Pérez",
    "Gómez",
    "Rossi",
    "Russo",
    "Ferrari",
    "Esposito",
    "Bianchi",
    "Romano",
    "Colombo",
    "Nowak",
    "Kowalski",
    "Wiśniewski",
    "Wójcik",
    "Kamiński",
    "Lewandowski",
    "Andersson",
    "Johansson",
    "Karlsson",
    "Nilsson",
    "Eriksson",
    "Larsen",
    "Jensen",
    "Nielsen",
    "Hansen",
    "Pedersen",
    "Sørensen",
    "Jónsson",
    "Dvořák",
    "Novák",
    "Svoboda",
    "Černý",
    "Horváth",
    "Kovács",
    "Nagy",
    "Tóth",
    "Szabó",
    "O'Brien",
    "Ó Briain",
    "Murphy",
    "Kelly",
    "Walsh",
    "Byrne",
    "Ryan",
    "O'Connor",
    "MacDonald",
    "Campbell",
    "Stewart",
    "de Vries",
    "van den Berg",
    "Janssen",
    "Bakker",
    "Visser",
    "Peeters",
    "Yılmaz",
    "Kaya",
    "Demir",
    "Ivanov",
    "Petrov",
    "Smirnov",
    "Kuznetsov",
    "Nguyen",
    "Tran",
    "Kim",
    "Lee",
    "Park",
    "Sato",
    "Suzuki",
    "Tanaka",
    "Cohen",
    "Levi",
    "Mizrahi",
    "Haddad",
    "Khoury",
    "da Silva",
    "Santos",
    "Oliveira",
];

const PLACES: &[&str] = &[
    "York, Yorkshire, England",
    "Bristol, Gloucestershire, England",
    "Cork, County Cork, Ireland",
    "Edinburgh, Midlothian, Scotland",
    "Zürich, Zürich, Switzerland",
    "München, Bayern, Deutschland",
    "Köln, Nordrhein-Westfalen, Deutschland",
    "Lyon, Rhône, France",
    "Saint-Étienne, Loire, France",
    "Montréal, Québec, Canada",
    "Québec, Québec, Canada",
    "Sevilla, Andalucía, España",
    "A Coruña, Galicia, España",
    "Napoli, Campania, Italia",
    "Kraków, Małopolskie, Polska",
    "Łódź, Łódzkie, Polska",
    "Göteborg, Västra Götaland, Sverige",
    "Århus, Midtjylland, Danmark",
    "Reykjavík, Ísland",
    "Plzeň, Plzeňský kraj, Česko",
    "Debrecen, Hajdú-Bihar, Magyarország",
    "Groningen, Groningen, Nederland",
    "Antwerpen, Antwerpen, België",
    "İzmir, Türkiye",
    "São Paulo, São Paulo, Brasil",
    "Boston, Suffolk, Massachusetts, USA",
    "Salt Lake City, Salt Lake, Utah, USA",
    "Cincinnati, Hamilton, Ohio, USA",
    "Melbourne, Victoria, Australia",
    "Dunedin, Otago, New Zealand",
];

const OCCUPATIONS: &[&str] = &[
    "Farmer",
    "Labourer",
    "Weaver",
    "Blacksmith",
    "Carpenter",
    "Teacher",
    "Nurse",
    "Clerk",
    "Miner",
    "Mariner",
    "Shopkeeper",
    "Engineer",
    "Physician",
    "Seamstress",
    "Baker",
    "Software developer",
];

const CHILD_DEATHS: &[&str] = &["Diphtheria", "Measles", "Scarlet fever", "Whooping cough", "Pneumonia"];

const ADULT_DEATHS: &[&str] =
    &["Myocardial infarction", "Stroke", "Pneumonia", "Tuberculosis", "Heart failure", "Old age", "Accident"];

const LABS: &[&str] = &["Ambry Genetics", "Invitae", "GeneDx", "Centogene", "Labor Berlin"];

const NOTE_SENTENCES: &[&str] = &[
    "Family tradition says the household moved twice before settling near the river.",
    "The parish register spells the surname three different ways in ten years.",
    "A letter kept by a granddaughter mentions a long illness in the winter.",
    "Emigration papers list a trade different from the census of the same year.",
    "The baptism was recorded late, after the family returned from abroad.",
    "Cousins remember the farm being sold when the eldest son took over the mill.",
];
