//! The engine against brute-force enumeration of every genotype assignment, on a few hundred
//! seeded random pedigrees of up to 10 members with loops (any earlier man and woman may have
//! a child together: consanguinity, half-sib and parent–child matings, pedigree collapse), MZ
//! twins, members of unknown sex, one-parent members, and random evidence (affected /
//! unaffected at an age or with no age, positive and negative tests with sensitivities), for
//! all four inheritance modes with age-dependent, sex-specific curves and phenocopies.
//!
//! The enumerator below is written from the model as the module docs state it, independently of
//! the engine's code: priors, transmission with mutation, Haldane founders, curves,
//! phenocopies, test likelihoods, the sex rules.

use kinvault_catalog::{Catalog, ConditionDef, Curve};
use kinvault_model::{AgeRange, ConditionStatus, Sex, TestResult};
use kinvault_risk::mendelian::{assess, Options};
use kinvault_risk::{ConditionFact, Member, Pedigree, TestFact};
use serde_json::json;

const TOL: f64 = 1e-9;

/// A small deterministic generator (SplitMix64).
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
}

#[derive(Clone, Copy, PartialEq, Debug)]
enum Mode {
    Ad,
    Ar,
    Xlr,
    Xld,
}

struct Case {
    def: ConditionDef,
    mode: Mode,
    q: f64,
    mu: f64,
    /// Haldane founders: (male affected I, paternal gamete pf).
    haldane: Option<(f64, f64)>,
    /// Phenocopy lifetime risk [female, male].
    phenocopy: [f64; 2],
    female: Curve,
    male: Curve,
}

fn random_curve(rng: &mut Rng) -> Curve {
    match rng.below(3) {
        0 => Curve::Constant(0.3 + 0.7 * rng.unit()),
        1 => Curve::Constant(1.0),
        _ => {
            let a = 0.2 + 0.3 * rng.unit();
            let b = a + (1.0 - a) * rng.unit();
            Curve::Points(vec![(20.0, 0.0), (40.0, a), (70.0, b)])
        }
    }
}

fn curve_json(c: &Curve) -> serde_json::Value {
    match c {
        Curve::Constant(v) => json!(v),
        Curve::Points(p) => json!(p.iter().map(|&(a, r)| vec![a, r]).collect::<Vec<_>>()),
    }
}

fn random_case(rng: &mut Rng) -> Case {
    let mode = [Mode::Ad, Mode::Ar, Mode::Xlr, Mode::Xld][rng.below(4)];
    let q = [0.01, 0.1, 0.3][rng.below(3)];
    let mu = if rng.chance(0.3) { 0.001 + 0.01 * rng.unit() } else { 0.0 };
    let fitness = if mode == Mode::Xlr && mu > 0.0 && rng.chance(0.6) { Some(0.5 * rng.unit()) } else { None };
    let phenocopy = if rng.chance(0.4) { [0.05 * rng.unit(), 0.05 * rng.unit()] } else { [0.0, 0.0] };
    let female = random_curve(rng);
    let male = random_curve(rng);
    let inheritance = match mode {
        Mode::Ad => "autosomal_dominant",
        Mode::Ar => "autosomal_recessive",
        Mode::Xlr => "x_linked_recessive",
        Mode::Xld => "x_linked_dominant",
    };
    let mut d = json!({
        "id": "test-condition",
        "name": "Test condition",
        "category": "other",
        "inheritance": inheritance,
        "genes": ["GENE1"],
        "frequencies": [{"population": "general", "label": "l", "given": "allele_frequency",
                          "allele_frequency": q, "ref": "r"}],
        "penetrance": [{"female": curve_json(&female), "male": curve_json(&male), "ref": "r"}],
        "lifetime_risk": [
            {"population": "general", "label": "l", "sex": "female", "value": phenocopy[0], "ref": "r"},
            {"population": "general", "label": "l", "sex": "male", "value": phenocopy[1], "ref": "r"}
        ],
    });
    if mu > 0.0 {
        d["mutation_rate"] = json!({"value": mu, "ref": "r"});
    }
    if let Some(f) = fitness {
        d["reproductive_fitness"] = json!({"value": f, "ref": "r"});
    }
    let haldane = fitness.map(|f| {
        let i = 3.0 * mu / (1.0 - f);
        (i, f * i + mu)
    });
    Case { def: serde_json::from_value(d).unwrap(), mode, q, mu, haldane, phenocopy, female, male }
}

fn random_pedigree(rng: &mut Rng) -> Pedigree {
    let n = 2 + rng.below(9);
    let mut members: Vec<Member> = vec![];
    let mut as_father = vec![false; n];
    let mut as_mother = vec![false; n];
    let mut twin_sets = 0u32;
    for i in 0..n {
        let sex = match rng.below(9) {
            0 => Sex::Unknown,
            1..=4 => Sex::Male,
            _ => Sex::Female,
        };
        let mut m = Member { id: format!("m{i}"), sex, ..Member::default() };
        // An MZ twin of an earlier non-founder.
        if i > 0 && rng.chance(0.1) {
            let j = rng.below(i);
            if members[j].father.is_some() || members[j].mother.is_some() {
                let set = members[j].mz_twin_set.unwrap_or_else(|| {
                    twin_sets += 1;
                    twin_sets
                });
                members[j].mz_twin_set = Some(set);
                m.mz_twin_set = Some(set);
                m.father = members[j].father;
                m.mother = members[j].mother;
                if members[j].sex == Sex::Unknown {
                    members[j].sex = if as_mother[j] { Sex::Female } else { Sex::Male };
                }
                m.sex = members[j].sex;
                members.push(m);
                continue;
            }
        }
        if i >= 2 && rng.chance(0.7) {
            let fathers: Vec<usize> = (0..i).filter(|&j| members[j].sex != Sex::Female && !as_mother[j]).collect();
            let f = if fathers.is_empty() { None } else { Some(fathers[rng.below(fathers.len())]) };
            let mothers: Vec<usize> =
                (0..i).filter(|&j| members[j].sex != Sex::Male && !as_father[j] && Some(j) != f).collect();
            let mo = if mothers.is_empty() { None } else { Some(mothers[rng.below(mothers.len())]) };
            let (f, mo) = match rng.below(10) {
                0 => (f, None),
                1 => (None, mo),
                _ => (f, mo),
            };
            if let Some(f) = f {
                as_father[f] = true;
            }
            if let Some(mo) = mo {
                as_mother[mo] = true;
            }
            m.father = f;
            m.mother = mo;
        }
        members.push(m);
    }
    // Twins of a member who later became a parent keep their own roles; an MZ twin of an
    // unknown-sex member who became a parent takes that sex through the set (engine rule), so
    // give twins a definite sex when any of them is a parent.
    for i in 0..n {
        if let Some(s) = members[i].mz_twin_set {
            let role = (0..n).filter(|&j| members[j].mz_twin_set == Some(s)).find_map(|j| {
                if as_father[j] {
                    Some(Sex::Male)
                } else if as_mother[j] {
                    Some(Sex::Female)
                } else {
                    None
                }
            });
            if let Some(r) = role {
                members[i].sex = r;
            }
        }
    }
    // Twins both used as father and mother across the set would be invalid; drop such roles.
    Pedigree { members }
}

fn add_random_evidence(rng: &mut Rng, ped: &mut Pedigree) {
    for m in &mut ped.members {
        if rng.chance(0.35) {
            m.age = Some(10.0 + 70.0 * rng.unit());
        }
        match rng.below(5) {
            0 => m.conditions.push(ConditionFact {
                condition: "test-condition".into(),
                status: ConditionStatus::Affected,
                onset: if rng.chance(0.3) { Some(AgeRange { min: 30.0, max: 45.0 }) } else { None },
            }),
            1 | 2 => m.conditions.push(ConditionFact {
                condition: "test-condition".into(),
                status: ConditionStatus::Unaffected,
                onset: None,
            }),
            _ => {}
        }
        if rng.chance(0.15) {
            let positive = rng.chance(0.4);
            m.tests.push(TestFact {
                gene: "GENE1".into(),
                result: if positive { TestResult::Positive } else { TestResult::Negative },
                sensitivity: if rng.chance(0.5) { Some(0.5 + 0.5 * rng.unit()) } else { None },
            });
        }
    }
}

/// A genotype: (sex for X-linked states, mutant allele count).
#[derive(Clone, Copy, PartialEq, Debug)]
struct G {
    male: bool,
    mutant: u8,
}

struct Brute {
    /// Per member: the states it ranges over.
    domains: Vec<Vec<G>>,
    /// Per member: role-implied sex.
    sex: Vec<Sex>,
    twin_of: Vec<Option<usize>>,
}

fn brute_setup(c: &Case, ped: &Pedigree) -> Brute {
    let n = ped.members.len();
    let x = matches!(c.mode, Mode::Xlr | Mode::Xld);
    let mut sex: Vec<Sex> = ped.members.iter().map(|m| m.sex).collect();
    for m in &ped.members {
        if let Some(f) = m.father {
            sex[f] = Sex::Male;
        }
        if let Some(mo) = m.mother {
            sex[mo] = Sex::Female;
        }
    }
    // Twins share the set's sex.
    let mut twin_of = vec![None; n];
    for i in 0..n {
        if let Some(s) = ped.members[i].mz_twin_set {
            let first = (0..n).find(|&j| ped.members[j].mz_twin_set == Some(s)).unwrap();
            if first != i {
                twin_of[i] = Some(first);
            }
            let known = (0..n)
                .filter(|&j| ped.members[j].mz_twin_set == Some(s))
                .map(|j| sex[j])
                .find(|s| matches!(s, Sex::Male | Sex::Female));
            if let Some(k) = known {
                if x {
                    sex[i] = k;
                }
            }
        }
    }
    let domains = (0..n)
        .map(|i| {
            let diploid = |male| (0..3).map(|m| G { male, mutant: m }).collect::<Vec<_>>();
            if !x {
                diploid(false)
            } else {
                match sex[i] {
                    Sex::Male => vec![G { male: true, mutant: 0 }, G { male: true, mutant: 1 }],
                    Sex::Female => diploid(false),
                    _ => {
                        let mut v = vec![G { male: true, mutant: 0 }, G { male: true, mutant: 1 }];
                        v.extend(diploid(false));
                        v
                    }
                }
            }
        })
        .collect();
    Brute { domains, sex, twin_of }
}

fn hw(q: f64, m: u8) -> f64 {
    match m {
        0 => (1.0 - q) * (1.0 - q),
        1 => 2.0 * q * (1.0 - q),
        _ => q * q,
    }
}

fn founder_prior(c: &Case, x: bool, g: G, unknown_sex: bool) -> f64 {
    let w = if unknown_sex { 0.5 } else { 1.0 };
    if !x {
        return hw(c.q, g.mutant);
    }
    w * match (g.male, c.haldane) {
        (true, Some((i, _))) => {
            if g.mutant == 1 {
                i
            } else {
                1.0 - i
            }
        }
        (true, None) => {
            if g.mutant == 1 {
                c.q
            } else {
                1.0 - c.q
            }
        }
        (false, Some((i, pf))) => match g.mutant {
            0 => (1.0 - i) * (1.0 - pf),
            1 => i * (1.0 - pf) + (1.0 - i) * pf,
            _ => i * pf,
        },
        (false, None) => hw(c.q, g.mutant),
    }
}

fn transmit(c: &Case, g: G) -> f64 {
    let t = if g.male { f64::from(g.mutant) } else { f64::from(g.mutant) / 2.0 };
    t + c.mu * (1.0 - t)
}

fn implicit(c: &Case, x: bool, father: bool) -> f64 {
    let dom: Vec<G> = if x && father {
        vec![G { male: true, mutant: 0 }, G { male: true, mutant: 1 }]
    } else {
        (0..3).map(|m| G { male: false, mutant: m }).collect()
    };
    dom.iter().map(|&g| founder_prior(c, x, g, false) * transmit(c, g)).sum()
}

fn child_prob(c: &Case, x: bool, g: G, pf: f64, pm: f64, unknown_sex: bool) -> f64 {
    let diploid = |m: u8| match m {
        0 => (1.0 - pf) * (1.0 - pm),
        1 => pf * (1.0 - pm) + (1.0 - pf) * pm,
        _ => pf * pm,
    };
    if !x {
        return diploid(g.mutant);
    }
    let w = if unknown_sex { 0.5 } else { 1.0 };
    let _ = c;
    w * if g.male {
        if g.mutant == 1 {
            pm
        } else {
            1.0 - pm
        }
    } else {
        diploid(g.mutant)
    }
}

fn penetrant(mode: Mode, g: G) -> bool {
    match mode {
        Mode::Ad | Mode::Xld => g.mutant >= 1,
        Mode::Ar => g.mutant == 2,
        Mode::Xlr => {
            if g.male {
                g.mutant == 1
            } else {
                g.mutant == 2
            }
        }
    }
}

fn cum(c: &Case, male: bool, pen: bool, t: f64) -> f64 {
    let curve = if male { &c.male } else { &c.female };
    if pen {
        return curve.cumulative(t);
    }
    let l = c.phenocopy[usize::from(male)];
    match curve {
        Curve::Constant(_) => l,
        Curve::Points(p) => {
            let anchor = curve.cumulative(p.last().unwrap().0);
            l * (curve.cumulative(t) / anchor).min(1.0)
        }
    }
}

/// (status, likelihood age) of a member, per the model docs.
fn status(c: &Case, m: &Member, x: bool, sex: Sex, mode: Mode) -> Option<(bool, f64)> {
    let _ = x;
    let aff = m.conditions.iter().any(|f| f.status == ConditionStatus::Affected);
    let unaff = m.conditions.iter().any(|f| f.status == ConditionStatus::Unaffected);
    if aff {
        let onset = m
            .conditions
            .iter()
            .filter_map(|f| f.onset.map(|o| o.max))
            .fold(None, |a: Option<f64>, b| Some(a.map_or(b, |a| a.max(b))));
        let mut t = match (m.age, onset) {
            (Some(a), Some(o)) => a.max(o),
            (Some(a), None) => a,
            (None, Some(o)) => o,
            (None, None) => f64::INFINITY,
        };
        // Zero guard: F(t) = 0 for every genotype and sex considered → end of the curve.
        let sexes: Vec<bool> = match sex {
            Sex::Male => vec![true],
            Sex::Female => vec![false],
            _ => vec![true, false],
        };
        let any = sexes.iter().any(|&male| {
            [false, true].iter().any(|&pen| {
                // Only genotype classes present for this member matter; both classes exist in
                // every space.
                let _ = mode;
                cum(c, male, pen, t) > 0.0
            })
        });
        if t.is_finite() && !any {
            t = f64::INFINITY;
        }
        Some((true, t))
    } else if unaff {
        Some((false, m.age.unwrap_or(f64::NEG_INFINITY)))
    } else {
        None
    }
}

fn member_likelihood(c: &Case, b: &Brute, ped: &Pedigree, i: usize, g: G) -> f64 {
    let m = &ped.members[i];
    let x = matches!(c.mode, Mode::Xlr | Mode::Xld);
    let mut l = 1.0;
    for t in &m.tests {
        match t.result {
            TestResult::Positive if g.mutant == 0 => l = 0.0,
            TestResult::Negative => l *= (1.0 - t.sensitivity.unwrap_or(1.0)).powi(i32::from(g.mutant)),
            _ => {}
        }
    }
    let sexes: Vec<(bool, f64)> = if x {
        vec![(g.male, 1.0)]
    } else {
        match b.sex[i] {
            Sex::Male => vec![(true, 1.0)],
            Sex::Female => vec![(false, 1.0)],
            _ => vec![(false, 0.5), (true, 0.5)],
        }
    };
    let sex_for_guard = if x {
        // The guard looks at every state of the member's space.
        b.sex[i]
    } else {
        b.sex[i]
    };
    let st = status(c, m, x, sex_for_guard, c.mode);
    let pen = penetrant(c.mode, g);
    let ph: f64 = sexes
        .iter()
        .map(|&(male, w)| {
            w * match st {
                None => 1.0,
                Some((true, t)) => cum(c, male, pen, t),
                Some((false, t)) => 1.0 - cum(c, male, pen, t),
            }
        })
        .sum();
    l * ph
}

struct BruteResult {
    /// log P(E).
    log_z: f64,
    marginals: Vec<Vec<f64>>,
    priors: Vec<Vec<f64>>,
}

fn enumerate(c: &Case, ped: &Pedigree) -> BruteResult {
    let b = brute_setup(c, ped);
    let n = ped.members.len();
    let x = matches!(c.mode, Mode::Xlr | Mode::Xld);
    let free: Vec<usize> = (0..n).filter(|&i| b.twin_of[i].is_none()).collect();
    let mut idx = vec![0usize; n];
    let mut marg: Vec<Vec<f64>> = b.domains.iter().map(|d| vec![0.0; d.len()]).collect();
    let mut prior: Vec<Vec<f64>> = marg.clone();
    let mut z = 0.0;
    loop {
        for i in 0..n {
            if let Some(t) = b.twin_of[i] {
                idx[i] = idx[t];
            }
        }
        let g = |i: usize| b.domains[i][idx[i]];
        let mut p = 1.0;
        for &i in &free {
            let m = &ped.members[i];
            let unknown = x && !matches!(b.sex[i], Sex::Male | Sex::Female);
            if m.father.is_none() && m.mother.is_none() {
                p *= founder_prior(c, x, g(i), unknown);
            } else {
                let pf = m.father.map_or_else(|| implicit(c, x, true), |f| transmit(c, g(f)));
                let pm = m.mother.map_or_else(|| implicit(c, x, false), |mo| transmit(c, g(mo)));
                p *= child_prob(c, x, g(i), pf, pm, unknown);
            }
        }
        let mut e = p;
        for i in 0..n {
            e *= member_likelihood(c, &b, ped, i, g(i));
        }
        z += e;
        for i in 0..n {
            marg[i][idx[i]] += e;
            prior[i][idx[i]] += p;
        }
        // Next assignment.
        let mut k = 0;
        loop {
            if k == free.len() {
                let marginals = marg.into_iter().map(|v| v.iter().map(|x| x / z).collect()).collect();
                return BruteResult { log_z: z.ln(), marginals, priors: prior };
            }
            let i = free[k];
            idx[i] += 1;
            if idx[i] < b.domains[i].len() {
                break;
            }
            idx[i] = 0;
            k += 1;
        }
    }
}

fn check_case(seed: u64) -> usize {
    let mut rng = Rng(seed);
    let case = random_case(&mut rng);
    let mut ped = random_pedigree(&mut rng);
    add_random_evidence(&mut rng, &mut ped);
    let brute = enumerate(&case, &ped);
    let catalog = Catalog::builtin();
    let res = assess(&ped, &case.def, catalog, &Options::default());
    if !brute.log_z.is_finite() {
        let err = res.expect_err("impossible evidence must be an error");
        assert!(matches!(err, kinvault_risk::mendelian::RiskError::InconsistentEvidence { .. }), "seed {seed}: {err}");
        return 0;
    }
    let a = res.unwrap_or_else(|e| panic!("seed {seed}: {e}\n{ped:#?}"));
    let ctx = || format!("seed {seed}, mode {:?}, {} members\n{:#?}", case.mode, ped.members.len(), ped.members);
    assert!(
        (a.log10_likelihood - brute.log_z / std::f64::consts::LN_10).abs() < 1e-9,
        "log10 likelihood {} vs {}: {}",
        a.log10_likelihood,
        brute.log_z / std::f64::consts::LN_10,
        ctx()
    );
    for m in &a.members {
        let i = m.member;
        assert_eq!(m.genotypes.len(), brute.marginals[i].len(), "{}", ctx());
        for (k, g) in m.genotypes.iter().enumerate() {
            assert!(
                (g.posterior - brute.marginals[i][k]).abs() < TOL,
                "member {i} state {}: {} vs {}: {}",
                g.genotype,
                g.posterior,
                brute.marginals[i][k],
                ctx()
            );
            assert!(
                (g.prior.unwrap() - brute.priors[i][k]).abs() < TOL,
                "prior of member {i} state {}: {:?} vs {}: {}",
                g.genotype,
                g.prior,
                brute.priors[i][k],
                ctx()
            );
        }
    }
    // Requesting one member (pruning) gives the same numbers.
    let target = rng.below(ped.members.len());
    let one = assess(&ped, &case.def, catalog, &Options { members: Some(vec![target]), ..Options::default() }).unwrap();
    assert_eq!(one.members.len(), 1);
    for (g, b) in one.members[0].genotypes.iter().zip(&brute.marginals[target]) {
        assert!((g.posterior - b).abs() < TOL, "pruned: {}", ctx());
    }
    assert!((one.log10_likelihood - a.log10_likelihood).abs() < 1e-9, "pruned likelihood: {}", ctx());
    1
}

#[test]
fn engine_matches_enumeration_on_random_looped_pedigrees() {
    let mut checked = 0;
    for seed in 0..400u64 {
        checked += check_case(seed);
    }
    assert!(checked > 300, "only {checked} consistent cases");
}

/// The pedigrees above do have loops: count matings between relatives among them.
#[test]
fn random_pedigrees_include_loops() {
    let mut looped = 0;
    for seed in 0..400u64 {
        let mut rng = Rng(seed);
        let _ = random_case(&mut rng);
        let ped = random_pedigree(&mut rng);
        let anc = |i: usize| {
            let mut seen = vec![false; ped.members.len()];
            let mut stack = vec![i];
            while let Some(j) = stack.pop() {
                if !seen[j] {
                    seen[j] = true;
                    stack.extend(ped.members[j].father);
                    stack.extend(ped.members[j].mother);
                }
            }
            seen
        };
        if ped.members.iter().any(|m| match (m.father, m.mother) {
            (Some(f), Some(mo)) => anc(f).iter().zip(anc(mo)).any(|(a, b)| *a && b),
            _ => false,
        }) {
            looped += 1;
        }
    }
    assert!(looped > 80, "{looped} looped pedigrees");
}
