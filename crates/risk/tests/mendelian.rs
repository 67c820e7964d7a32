//! The Mendelian engine on textbook cases (exact expectations), numeric cases ported from public
//! test suites (pedprobr, segregatr), consanguinity, MZ twins, test sensitivity, outcome
//! penetrances (BRCA1), couple risks, options, and the error cases.

use kinvault_catalog::{Catalog, ConditionDef};
use kinvault_model::{AgeRange, ConditionStatus, Sex, TestResult};
use kinvault_risk::mendelian::{assess, couple_risk, Assessment, Limits, Options, RiskError};
use kinvault_risk::{ConditionFact, Ix, Member, Pedigree, TestFact};
use serde_json::json;

const EPS: f64 = 1e-9;

fn close(a: f64, b: f64, what: &str) {
    assert!((a - b).abs() < EPS, "{what}: {a} vs expected {b} (diff {:e})", a - b);
}

fn close_rel(a: f64, b: f64, what: &str) {
    assert!(((a - b) / b).abs() < EPS, "{what}: {a} vs expected {b}");
}

// ── Builders ────────────────────────────────────────────────────────────────────────────────

#[derive(Default)]
struct Ped(Pedigree);

impl Ped {
    fn add(&mut self, sex: Sex, father: Option<Ix>, mother: Option<Ix>) -> Ix {
        let i = self.0.members.len();
        self.0.members.push(Member { id: format!("p{}", i + 1), sex, father, mother, ..Member::default() });
        i
    }
    fn founder(&mut self, sex: Sex) -> Ix {
        self.add(sex, None, None)
    }
    fn child(&mut self, sex: Sex, father: Ix, mother: Ix) -> Ix {
        self.add(sex, Some(father), Some(mother))
    }
    fn status(&mut self, i: Ix, condition: &str, status: ConditionStatus) -> &mut Self {
        self.0.members[i].conditions.push(ConditionFact { condition: condition.into(), status, onset: None });
        self
    }
    fn affected(&mut self, i: Ix, condition: &str) -> &mut Self {
        self.status(i, condition, ConditionStatus::Affected)
    }
    fn unaffected(&mut self, i: Ix, condition: &str) -> &mut Self {
        self.status(i, condition, ConditionStatus::Unaffected)
    }
    fn test(&mut self, i: Ix, gene: &str, result: TestResult, sensitivity: Option<f64>) -> &mut Self {
        self.0.members[i].tests.push(TestFact { gene: gene.into(), result, sensitivity });
        self
    }
    fn age(&mut self, i: Ix, age: f64) -> &mut Self {
        self.0.members[i].age = Some(age);
        self
    }
}

/// A condition with one allele frequency and one penetrance (JSON curves).
fn def(inheritance: &str, q: f64, female: serde_json::Value, male: serde_json::Value) -> ConditionDef {
    def_with(inheritance, q, female, male, |_| {})
}

fn def_with(
    inheritance: &str,
    q: f64,
    female: serde_json::Value,
    male: serde_json::Value,
    edit: impl FnOnce(&mut serde_json::Value),
) -> ConditionDef {
    let mut d = json!({
        "id": "cond",
        "name": "Condition",
        "category": "other",
        "inheritance": inheritance,
        "genes": ["G1"],
        "frequencies": [{"population": "general", "label": "l", "given": "allele_frequency",
                          "allele_frequency": q, "ref": "r"}],
        "penetrance": [{"female": female, "male": male, "ref": "r"}],
    });
    edit(&mut d);
    serde_json::from_value(d).unwrap()
}

fn cat() -> &'static Catalog {
    Catalog::builtin()
}

fn run(p: &Ped, d: &ConditionDef) -> Assessment {
    assess(&p.0, d, cat(), &Options::default()).unwrap_or_else(|e| panic!("{e}"))
}

fn likelihood(p: &Ped, d: &ConditionDef) -> f64 {
    10f64.powf(run(p, d).log10_likelihood)
}

fn posterior(a: &Assessment, i: Ix, genotype: &str) -> f64 {
    a.member(i).unwrap().genotypes.iter().find(|g| g.genotype == genotype).unwrap().posterior
}

// ── 1. Cystic fibrosis: the unaffected sib of an affected child ─────────────────────────────

#[test]
fn cf_unaffected_sib_of_affected_child_is_carrier_with_two_thirds() {
    let cf = cat().get("cystic-fibrosis").unwrap();
    let mut p = Ped::default();
    let (f, m) = (p.founder(Sex::Male), p.founder(Sex::Female));
    let (a, s) = (p.child(Sex::Male, f, m), p.child(Sex::Female, f, m));
    p.unaffected(f, "cystic-fibrosis").unaffected(m, "cystic-fibrosis");
    p.affected(a, "cystic-fibrosis").unaffected(s, "cystic-fibrosis");
    let r = run(&p, cf);
    assert_eq!(r.catalog_version, cat().version());
    // Unaffected parents of an affected child are obligate heterozygotes (penetrance 1).
    close(r.member(f).unwrap().carrier_probability, 1.0, "father");
    close(r.member(m).unwrap().carrier_probability, 1.0, "mother");
    close(posterior(&r, a, "aa"), 1.0, "affected child");
    close(r.member(s).unwrap().carrier_probability, 2.0 / 3.0, "unaffected sib");
    close(posterior(&r, s, "AA"), 1.0 / 3.0, "sib AA");
    // Priors: Hardy–Weinberg with the European (default) frequency.
    let q = 0.0204168;
    close(r.member(s).unwrap().prior_carrier_probability.unwrap(), 2.0 * q * (1.0 - q), "prior");
    // The unaffected sib's own risk is 0 (penetrance 1 of a congenital disease).
    close(r.member(s).unwrap().lifetime_risk, 0.0, "sib lifetime risk");
}

#[test]
fn cf_negative_test_with_sensitivity() {
    let cf = cat().get("cystic-fibrosis").unwrap();
    let mut p = Ped::default();
    let (f, m) = (p.founder(Sex::Male), p.founder(Sex::Female));
    let (a, s) = (p.child(Sex::Male, f, m), p.child(Sex::Female, f, m));
    p.unaffected(f, "cystic-fibrosis").unaffected(m, "cystic-fibrosis");
    p.affected(a, "cystic-fibrosis").unaffected(s, "cystic-fibrosis");
    // The test's own sensitivity 0.9: (2/3 · 0.1) / (2/3 · 0.1 + 1/3) = 1/6.
    p.test(s, "CFTR", TestResult::Negative, Some(0.9));
    close(run(&p, cf).member(s).unwrap().carrier_probability, 1.0 / 6.0, "s = 0.9");
    // No sensitivity given: the population's detection rate (Ashkenazi 0.94) comes first.
    p.0.members[s].tests[0].sensitivity = None;
    p.0.members[s].population = Some("ashkenazi_jewish".into());
    let x = 2.0 / 3.0 * 0.06;
    close(run(&p, cf).member(s).unwrap().carrier_probability, x / (x + 1.0 / 3.0), "detection rate 0.94");
    // Population not in the table: the first entry's rate (0.88), the same as the default.
    p.0.members[s].population = Some("martian".into());
    let x = 2.0 / 3.0 * 0.12;
    close(run(&p, cf).member(s).unwrap().carrier_probability, x / (x + 1.0 / 3.0), "fallback rate 0.88");
    // A VUS tells nothing.
    p.0.members[s].tests[0].result = TestResult::Vus;
    close(run(&p, cf).member(s).unwrap().carrier_probability, 2.0 / 3.0, "VUS");
}

// ── 2. X-linked recessive: Bayes with unaffected sons; Haldane ──────────────────────────────

#[test]
fn xlr_daughter_of_obligate_carrier_with_one_unaffected_son() {
    // q tiny, no mutation: the grandmother is a carrier by her positive test.
    let q = 1e-10;
    let d = def("x_linked_recessive", q, json!(1.0), json!(1.0));
    let mut p = Ped::default();
    let (gf, gm) = (p.founder(Sex::Male), p.founder(Sex::Female));
    let w = p.child(Sex::Female, gf, gm);
    let h = p.founder(Sex::Male);
    let son = p.child(Sex::Male, h, w);
    p.test(gm, "G1", TestResult::Positive, None);
    p.unaffected(son, "cond");
    let r = run(&p, &d);
    // Exact: the grandmother transmits a with t = 1/(2−q); the grandfather with q.
    let t = 1.0 / (2.0 - q);
    let (aa0, het, _hom) = ((1.0 - q) * (1.0 - t), q * (1.0 - t) + (1.0 - q) * t, q * t);
    let post = het * 0.5 / (aa0 + het * 0.5);
    close(r.member(w).unwrap().carrier_probability, post, "exact");
    close(r.member(w).unwrap().carrier_probability, 1.0 / 3.0, "1/3");
    close(posterior(&r, son, "A"), 1.0, "son unaffected");
    // Without the son's evidence: the prior 1/2.
    let o = Options { ignore_evidence_of: vec![son], ..Options::default() };
    let r2 = assess(&p.0, &d, cat(), &o).unwrap();
    close(r2.member(w).unwrap().carrier_probability, het, "without the son");
    close(r2.member(w).unwrap().carrier_probability, 0.5, "1/2");
    // Her next son's risk, with and without the evidence (couple risk).
    let c = couple_risk(&p.0, &d, cat(), h, w, &Options::default()).unwrap();
    close(c.son.lifetime_risk, 1.0 / 6.0, "next son affected");
    close(c.daughter.carrier_probability, 1.0 / 6.0, "next daughter carrier");
}

#[test]
fn dmd_isolated_case_mother_at_haldane_equilibrium() {
    let dmd = cat().get("duchenne-muscular-dystrophy").unwrap();
    let mu = 9.52e-5;
    let mut p = Ped::default();
    let (f, m) = (p.founder(Sex::Male), p.founder(Sex::Female));
    let son = p.child(Sex::Male, f, m);
    p.affected(son, "duchenne-muscular-dystrophy");
    let r = run(&p, dmd);
    let h = r.haldane.expect("Haldane founders for a genetic lethal");
    close(h.male_affected, 3.0 * mu, "I = 3μ");
    // Founder female: mother transmits a with I, father with μ.
    let (i, pf) = (3.0 * mu, mu);
    let prior = [(1.0 - i) * (1.0 - pf), i * (1.0 - pf) + (1.0 - i) * pf, i * pf];
    close(h.female_carrier, prior[1], "female carrier prior");
    assert!((h.female_carrier / (4.0 * mu) - 1.0).abs() < 1e-3, "≈ 4μ");
    close(r.member(m).unwrap().prior_carrier_probability.unwrap(), prior[1], "mother prior");
    // Son affected: P(son gets a | mother) = t + μ(1 − t).
    let lik = [mu, 0.5 + 0.5 * mu, 1.0];
    let z: f64 = prior.iter().zip(lik).map(|(p, l)| p * l).sum();
    close(r.member(m).unwrap().carrier_probability, prior[1] * lik[1] / z, "mother posterior");
    assert!((r.member(m).unwrap().carrier_probability - 2.0 / 3.0).abs() < 1e-3, "≈ 2/3");
    // The affected son's father is irrelevant (no male-to-male transmission).
    close(r.member(f).unwrap().p_mutant_allele, i, "father stays at the prior");
    close(r.mutation_rate, mu, "μ");
}

#[test]
fn no_male_to_male_transmission() {
    let d = def("x_linked_recessive", 0.01, json!(1.0), json!(1.0));
    let mut p = Ped::default();
    let (f, m) = (p.founder(Sex::Male), p.founder(Sex::Female));
    let (son, daughter) = (p.child(Sex::Male, f, m), p.child(Sex::Female, f, m));
    p.affected(f, "cond").unaffected(m, "cond").test(m, "G1", TestResult::Negative, Some(1.0));
    let r = run(&p, &d);
    close(posterior(&r, son, "a"), 0.0, "son of an affected father");
    close(posterior(&r, daughter, "Aa"), 1.0, "daughter is an obligate carrier");
}

// ── 3. Autosomal dominant with an age curve ─────────────────────────────────────────────────

#[test]
fn ad_age_dependent_penetrance_matches_hand_bayes() {
    let q = 1e-6;
    let curve = json!([[30, 0.0], [50, 0.5], [70, 0.9]]);
    let d = def("autosomal_dominant", q, curve.clone(), curve);
    let mut p = Ped::default();
    let (f, m) = (p.founder(Sex::Male), p.founder(Sex::Female));
    let son = p.child(Sex::Male, f, m);
    p.affected(f, "cond").age(f, 60.0);
    p.unaffected(son, "cond").age(son, 50.0);
    let r = run(&p, &d);
    // Father: affected by 60 (F = 0.7) → Aa : aa = 2q(1−q) : q²; transmits a with 1/(2−q).
    let tf = 1.0 / (2.0 - q);
    let aa0 = (1.0 - tf) * (1.0 - q);
    // Son unaffected at 50: carriers × (1 − 0.5).
    let post = (1.0 - aa0) * 0.5 / (aa0 + (1.0 - aa0) * 0.5);
    let s = r.member(son).unwrap();
    close(s.carrier_probability, post, "son carrier");
    close(s.prior_carrier_probability.unwrap(), 2.0 * q * (1.0 - q) + q * q, "prior");
    // Risks: 0 now; remaining to 85 = P(c)·(0.9 − 0.5)/(1 − 0.5).
    close(s.affected_now.unwrap(), 0.0, "affected now");
    close(s.remaining_lifetime_risk, post * 0.8, "remaining");
    close(s.lifetime_risk, post * 0.8, "lifetime");
    close(r.affected_by(son, 60.0).unwrap(), post * (0.7 - 0.5) / 0.5, "by 60");
    close(r.affected_by(son, 40.0).unwrap(), 0.0, "by 40 (known unaffected)");
    close(r.member(f).unwrap().lifetime_risk, 1.0, "affected father");
    // Without the son's age, his unaffected status is read at the earliest age (F = 0): no
    // information.
    p.0.members[son].age = None;
    close(run(&p, &d).member(son).unwrap().carrier_probability, 1.0 - aa0, "no age");
    // Deceased at 50 unaffected: nothing remains.
    p.0.members[son].age = Some(50.0);
    p.0.members[son].alive = Some(false);
    close(run(&p, &d).member(son).unwrap().remaining_lifetime_risk, 0.0, "deceased");
}

#[test]
fn affected_before_the_curve_starts_counts_as_affected_in_life() {
    let d = def("autosomal_dominant", 0.01, json!([[30, 0.0], [70, 0.8]]), json!([[30, 0.0], [70, 0.8]]));
    let mut p = Ped::default();
    let x = p.founder(Sex::Female);
    p.affected(x, "cond").age(x, 20.0);
    let r = run(&p, &d);
    close(r.member(x).unwrap().p_mutant_allele, 1.0, "carrier");
    // Onset range: the upper end is used when the age is unknown.
    let mut p = Ped::default();
    let x = p.founder(Sex::Female);
    p.0.members[x].conditions.push(ConditionFact {
        condition: "cond".into(),
        status: ConditionStatus::Affected,
        onset: Some(AgeRange { min: 40.0, max: 50.0 }),
    });
    let r = run(&p, &d);
    let q: f64 = 0.01;
    let f50 = 0.8 * 20.0 / 40.0;
    let carriers = 1.0 - (1.0 - q).powi(2);
    close(r.log10_likelihood, (carriers * f50).log10(), "likelihood uses F(50)");
}

// ── 4. Consanguinity ────────────────────────────────────────────────────────────────────────

fn first_cousin_child(p: &mut Ped) -> (Ix, Ix, Ix) {
    let (g1, g2) = (p.founder(Sex::Male), p.founder(Sex::Female));
    let (a, b) = (p.child(Sex::Male, g1, g2), p.child(Sex::Female, g1, g2));
    let (sa, sb) = (p.founder(Sex::Female), p.founder(Sex::Male));
    let c1 = p.child(Sex::Male, a, sa);
    let c2 = p.child(Sex::Female, sb, b);
    let kid = p.child(Sex::Female, c1, c2);
    (c1, c2, kid)
}

#[test]
fn child_of_first_cousins_inbreeding() {
    let q = 0.01;
    let d = def("autosomal_recessive", q, json!(1.0), json!(1.0));
    let mut p = Ped::default();
    let (c1, c2, kid) = first_cousin_child(&mut p);
    let r = run(&p, &d);
    let f = 1.0 / 16.0;
    close(r.member(kid).unwrap().p_penetrant_genotype, q * q + f * q * (1.0 - q), "P(aa), F = 1/16");
    close(r.member(kid).unwrap().lifetime_risk, q * q + f * q * (1.0 - q), "risk");
    // The same through the couple helper.
    let c = couple_risk(&p.0, &d, cat(), c1, c2, &Options::default()).unwrap();
    close(c.son.p_penetrant_genotype, q * q + f * q * (1.0 - q), "couple risk");
}

#[test]
fn child_of_double_first_cousins_inbreeding() {
    let q = 0.02;
    let d = def("autosomal_recessive", q, json!(1.0), json!(1.0));
    let mut p = Ped::default();
    // Two brothers marry two sisters; a child of each couple marry.
    let (g1, g2, g3, g4) = (p.founder(Sex::Male), p.founder(Sex::Female), p.founder(Sex::Male), p.founder(Sex::Female));
    let (b1, b2) = (p.child(Sex::Male, g1, g2), p.child(Sex::Male, g1, g2));
    let (s1, s2) = (p.child(Sex::Female, g3, g4), p.child(Sex::Female, g3, g4));
    let c1 = p.child(Sex::Male, b1, s1);
    let c2 = p.child(Sex::Female, b2, s2);
    let kid = p.child(Sex::Male, c1, c2);
    let r = run(&p, &d);
    let f = 1.0 / 8.0;
    close(r.member(kid).unwrap().p_penetrant_genotype, q * q + f * q * (1.0 - q), "F = 1/8");
    assert!(r.complexity.max_clique_states > 9, "a real loop: {:?}", r.complexity);
}

#[test]
fn child_of_first_cousins_with_evidence() {
    // An affected child of first cousins: both cousins are obligate carriers, and P(E) is the
    // inbred child's P(aa). (Loops with evidence in general: tests/mendelian_bruteforce.rs.)
    let q = 0.01;
    let d = def("autosomal_recessive", q, json!(1.0), json!(1.0));
    let mut p = Ped::default();
    let (c1, c2, kid) = first_cousin_child(&mut p);
    p.affected(kid, "cond");
    let r = run(&p, &d);
    close(r.member(c1).unwrap().p_mutant_allele, 1.0, "obligate carrier");
    close(r.member(c2).unwrap().p_mutant_allele, 1.0, "obligate carrier");
    // Likelihood: P(kid aa) = q² + q(1−q)/16.
    close_rel(10f64.powf(r.log10_likelihood), q * q + q * (1.0 - q) / 16.0, "P(E)");
}

// ── 6. Public test suites ───────────────────────────────────────────────────────────────────
//
// Genotypes of a biallelic marker are encoded as evidence for a recessive condition with
// penetrance 1 and mutant allele "1" (frequency p): 1/1 = affected; 1/2 = unaffected with a
// positive test; 2/2 = a negative test of sensitivity 1. At an X-linked locus (recessive,
// penetrance 1): male "1" = affected, male "2" = negative test; females as above. The
// likelihood of the marker data is then P(evidence).

fn geno(p: &mut Ped, i: Ix, g: &str) {
    match g {
        "1/1" | "1" => {
            p.affected(i, "cond");
        }
        "1/2" => {
            p.unaffected(i, "cond").test(i, "G1", TestResult::Positive, None);
        }
        "2/2" | "2" => {
            p.test(i, "G1", TestResult::Negative, Some(1.0));
        }
        _ => unreachable!(),
    }
}

fn nuclear(nch: usize, child_sex: Sex) -> (Ped, Vec<Ix>) {
    let mut p = Ped::default();
    let (f, m) = (p.founder(Sex::Male), p.founder(Sex::Female));
    let mut ids = vec![f, m];
    for _ in 0..nch {
        ids.push(p.child(child_sex, f, m));
    }
    (p, ids)
}

/// pedprobr tests/testthat/test-likelihood.R ("nuclear likelihoods are correct, HW-like",
/// "trio SNP", "sibling SNP", "3 generat. SNP").
#[test]
fn pedprobr_autosomal_likelihoods() {
    let ar = |p: f64| def("autosomal_recessive", p, json!(1.0), json!(1.0));
    let case = |p: f64, nch: usize, gs: &[(usize, &str)]| {
        let (mut ped, ids) = nuclear(nch, Sex::Male);
        for &(k, g) in gs {
            geno(&mut ped, ids[k - 1], g);
        }
        likelihood(&ped, &ar(p))
    };
    let (p, q) = (0.1, 0.9);
    close_rel(case(p, 1, &[(1, "1/1")]), p * p, "m1");
    close_rel(case(p, 1, &[(1, "1/2")]), 2.0 * p * q, "m2");
    close_rel(case(p, 1, &[(3, "1/1")]), p * p, "m3");
    close_rel(case(p, 1, &[(3, "1/2")]), 2.0 * p * q, "m4");
    close_rel(case(p, 1, &[(1, "1/1"), (2, "2/2")]), p * p * q * q, "m5");
    close_rel(case(p, 1, &[(1, "1/1"), (2, "2/2"), (3, "1/2")]), p * p * q * q, "m6");
    let (p, q) = (0.2, 0.8);
    close_rel(case(p, 1, &[(1, "1/2"), (2, "1/2"), (3, "1/2")]), 2.0 * p * p * q * q, "trio");
    close_rel(case(p, 1, &[(1, "1/2"), (3, "1/2")]), p * q, "trio without mother");
    close_rel(case(p, 2, &[(3, "2/2"), (4, "2/2")]), 0.25 * q * q * (1.0 + q) * (1.0 + q), "siblings");
    // Three generations: nuclearPed(1) + parents 4, 5 of 1 and 6, 7 of 2; 4, 7, 3 heterozygous.
    let mut ped = Ped::default();
    let (g4, g5, g6, g7) =
        (ped.founder(Sex::Male), ped.founder(Sex::Female), ped.founder(Sex::Male), ped.founder(Sex::Female));
    let f = ped.child(Sex::Male, g4, g5);
    let m = ped.child(Sex::Female, g6, g7);
    let c = ped.child(Sex::Male, f, m);
    for i in [g4, g7, c] {
        geno(&mut ped, i, "1/2");
    }
    close_rel(likelihood(&ped, &ar(p)), (2.0 * p * q).powi(2) * (3.0 / 8.0 + p * q / 2.0), "3 generations");
}

/// pedprobr tests/testthat/test-X-linked-likelihood.R.
#[test]
fn pedprobr_x_linked_likelihoods() {
    let xr = |p: f64| def("x_linked_recessive", p, json!(1.0), json!(1.0));
    let case = |p: f64, nch: usize, sex: Sex, gs: &[(usize, &str)]| {
        let (mut ped, ids) = nuclear(nch, sex);
        for &(k, g) in gs {
            geno(&mut ped, ids[k - 1], g);
        }
        likelihood(&ped, &xr(p))
    };
    let (p, q) = (0.1, 0.9);
    close_rel(case(p, 1, Sex::Male, &[(1, "1")]), p, "m1");
    close_rel(case(p, 1, Sex::Male, &[(2, "1/2")]), 2.0 * p * q, "m2");
    close_rel(case(p, 1, Sex::Male, &[(3, "1")]), p, "m3");
    close_rel(case(p, 1, Sex::Male, &[(1, "1"), (2, "2/2")]), p * q * q, "m4");
    close_rel(case(p, 1, Sex::Male, &[(2, "2/2"), (3, "2")]), q * q, "m5");
    let (p, q) = (0.2, 0.8);
    close_rel(case(p, 1, Sex::Female, &[(1, "1"), (2, "1/2"), (3, "1/2")]), p * 2.0 * p * q * 0.5, "trio");
    close_rel(case(p, 1, Sex::Female, &[(2, "1/2"), (3, "1/2")]), p * q, "trio without dad");
    close_rel(case(p, 2, Sex::Male, &[(3, "1"), (4, "1")]), p * 0.5 * (1.0 + p), "brothers");
    close_rel(case(p, 2, Sex::Female, &[(3, "1/1"), (4, "1/1")]), p * p * 0.5 * (1.0 + p), "sisters");
    // m6/m7: impossible data.
    let (mut ped, ids) = nuclear(1, Sex::Male);
    geno(&mut ped, ids[0], "1");
    geno(&mut ped, ids[1], "1/1");
    geno(&mut ped, ids[2], "2");
    let err = assess(&ped.0, &xr(0.1), cat(), &Options::default()).unwrap_err();
    assert!(matches!(err, RiskError::InconsistentEvidence { .. }), "{err}");
}

/// pedprobr tests/testthat/test-oneMarkerDist.R ("conditional nuclear example", "on X is
/// independent of male-male"): marginal genotype distributions.
#[test]
fn pedprobr_one_marker_distributions() {
    let (p, q) = (0.2, 0.8);
    // Autosomal: daughter 2/2 → father (1/1, 1/2, 2/2) = (0, p, q).
    let (mut ped, ids) = nuclear(1, Sex::Female);
    geno(&mut ped, ids[2], "2/2");
    let r = run(&ped, &def("autosomal_recessive", p, json!(1.0), json!(1.0)));
    close(posterior(&r, ids[0], "aa"), 0.0, "father 1/1");
    close(posterior(&r, ids[0], "Aa"), p, "father 1/2");
    close(posterior(&r, ids[0], "AA"), q, "father 2/2");
    // X: daughter 2/2 → father (1, 2) = (0, 1); mother (0, p, q).
    let r = run(&ped, &def("x_linked_recessive", p, json!(1.0), json!(1.0)));
    close(posterior(&r, ids[0], "A"), 1.0, "father 2");
    close(posterior(&r, ids[1], "Aa"), p, "mother 1/2");
    close(posterior(&r, ids[1], "AA"), q, "mother 2/2");
    // X: father "1" → son (1, 2) = (p, q).
    let (mut ped, ids) = nuclear(1, Sex::Male);
    geno(&mut ped, ids[0], "1");
    let r = run(&ped, &def("x_linked_recessive", p, json!(1.0), json!(1.0)));
    close(posterior(&r, ids[2], "a"), p, "son 1");
    close(posterior(&r, ids[2], "A"), q, "son 2");
    // Empty X-linked nuclear family: the mother is Hardy–Weinberg, the father (q, p).
    let (ped, ids) = nuclear(1, Sex::Female);
    let r = run(&ped, &def("x_linked_recessive", p, json!(1.0), json!(1.0)));
    close(posterior(&r, ids[0], "a"), p, "father");
    close(posterior(&r, ids[2], "Aa"), 2.0 * p * q, "daughter");
    close(r.log10_likelihood, 0.0, "empty marker likelihood 1");
}

/// pedprobr tests/testthat/test-loops.R: pedigrees with loops (parent–offspring and half-sib
/// matings; an X-linked founder loop).
#[test]
fn pedprobr_loop_likelihoods() {
    let ped_from = |fid: [usize; 6], mid: [usize; 6], sex: [u8; 6]| {
        let mut p = Ped::default();
        for k in 0..6 {
            let s = if sex[k] == 1 { Sex::Male } else { Sex::Female };
            let par = |x: usize| if x == 0 { None } else { Some(x - 1) };
            p.add(s, par(fid[k]), par(mid[k]));
        }
        p
    };
    // Father–daughter matings: 6 is 1/1 → p² + 3/8 p(1−p).
    for p in [0.2, 0.3] {
        let mut x = ped_from([0, 0, 1, 1, 1, 5], [0, 0, 2, 2, 3, 3], [1, 2, 2, 2, 1, 1]);
        geno(&mut x, 5, "1/1");
        close_rel(
            likelihood(&x, &def("autosomal_recessive", p, json!(1.0), json!(1.0))),
            p * p + 3.0 / 8.0 * p * (1.0 - p),
            "3/8",
        );
    }
    // Half-sib mating: F = 1/8.
    let mut x = ped_from([0, 0, 0, 1, 1, 4], [0, 0, 0, 2, 3, 5], [1, 2, 2, 1, 2, 1]);
    geno(&mut x, 5, "1/1");
    let p = 0.2;
    close_rel(
        likelihood(&x, &def("autosomal_recessive", p, json!(1.0), json!(1.0))),
        p * p + p * (1.0 - p) / 8.0,
        "1/8",
    );
    let mut x = ped_from([0, 0, 0, 1, 1, 4], [0, 0, 0, 2, 3, 5], [1, 2, 2, 1, 2, 1]);
    geno(&mut x, 5, "1/2");
    let p = 0.3;
    close_rel(
        likelihood(&x, &def("autosomal_recessive", p, json!(1.0), json!(1.0))),
        2.0 * p * (1.0 - p) * 7.0 / 8.0,
        "7/8",
    );
    // X-linked: 4 and 6 hemizygous "1" → p² + pq/4.
    let mut x = ped_from([0, 0, 0, 2, 3, 4], [0, 0, 0, 1, 1, 5], [2, 1, 1, 1, 2, 1]);
    geno(&mut x, 3, "1");
    geno(&mut x, 5, "1");
    let p = 0.2;
    close_rel(
        likelihood(&x, &def("x_linked_recessive", p, json!(1.0), json!(1.0))),
        p * p + p * (1.0 - p) / 4.0,
        "X loop",
    );
}

/// segregatr tests/testthat/test-thompson-examples.R: full-likelihood Bayes factors of
/// Thompson, Easton & Goldgar (Am J Hum Genet 2003;73:652–655), pedigree 1 (first cousins 7
/// and 8, their parents 4 and 5 sibs) and pedigree 2, penetrances (0.05, 0.7, 0.7), allele
/// frequency 0.001, proband 7:
/// FLB = P(phen, geno) · P(geno of proband) / (P(geno) · P(phen, geno of proband)).
///
/// segregatr's carriers are exactly heterozygous; a positive clinical test here means "at least
/// one variant allele", which moves some factors in the second decimal. So the test enumerates
/// the same model both ways: with exact heterozygotes it must reproduce segregatr's published
/// values (checking the pedigrees and the setup were ported right), and with "≥ 1 allele"
/// carriers it must equal the engine to 1e-9.
#[test]
fn segregatr_thompson_full_likelihood_bayes_factors() {
    let freq = 0.001;
    let pen = [0.05, 0.7, 0.7];
    let d = def_with("autosomal_dominant", freq, json!(0.7), json!(0.7), |d| {
        d["lifetime_risk"] = json!([{"population": "general", "label": "l", "sex": "any", "value": 0.05, "ref": "r"}]);
    });
    // Parents (1-based) per member. Pedigree 1 (after segregatr's relabelling): 1, 2 founders;
    // 4, 5 their children; 3 and 6 the spouses of 4 and 5; 7 child of 3 & 4; 8 child of 5 & 6.
    let ped1: [(usize, usize); 8] = [(0, 0), (0, 0), (0, 0), (1, 2), (1, 2), (0, 0), (3, 4), (5, 6)];
    // Pedigree 2: nuclearPed(3) (1, 2; children 3, 4, 5); 3 and a new partner 6 have 7 and 8.
    let ped2: [(usize, usize); 8] = [(0, 0), (0, 0), (1, 2), (1, 2), (1, 2), (0, 0), (3, 6), (3, 6)];
    struct Ev<'a> {
        carriers: &'a [usize],
        non: &'a [usize],
        aff: &'a [usize],
        unknown: &'a [usize],
    }
    // Enumeration of the model: P(phenotypes if `phen`, genotypes of all listed or of the
    // proband only).
    let enumerate = |ped: &[(usize, usize)], ev: &Ev, phen: bool, all: bool, exact_het: bool| -> f64 {
        let n = ped.len();
        let hw = [(1.0 - freq) * (1.0 - freq), 2.0 * freq * (1.0 - freq), freq * freq];
        let mut total = 0.0;
        for code in 0..3usize.pow(n as u32) {
            let g: Vec<usize> = (0..n).map(|i| code / 3usize.pow(i as u32) % 3).collect();
            let mut p = 1.0;
            for (i, &(f, m)) in ped.iter().enumerate() {
                p *= if f == 0 {
                    hw[g[i]]
                } else {
                    let (tf, tm) = (g[f - 1] as f64 / 2.0, g[m - 1] as f64 / 2.0);
                    [(1.0 - tf) * (1.0 - tm), tf * (1.0 - tm) + (1.0 - tf) * tm, tf * tm][g[i]]
                };
                let id = i + 1;
                if phen && !ev.unknown.contains(&id) {
                    p *= if ev.aff.contains(&id) { pen[g[i]] } else { 1.0 - pen[g[i]] };
                }
                if all || id == 7 {
                    if ev.carriers.contains(&id) && !(if exact_het { g[i] == 1 } else { g[i] >= 1 }) {
                        p = 0.0;
                    }
                    if ev.non.contains(&id) && g[i] != 0 {
                        p = 0.0;
                    }
                }
            }
            total += p;
        }
        total
    };
    let engine = |ped: &[(usize, usize)], ev: &Ev, phen: bool, all: bool| -> f64 {
        let mut p = Ped::default();
        for &(f, m) in ped {
            p.add(Sex::Unknown, f.checked_sub(1), m.checked_sub(1));
        }
        for id in 1..=ped.len() {
            let i = id - 1;
            if phen && !ev.unknown.contains(&id) {
                if ev.aff.contains(&id) {
                    p.affected(i, "cond");
                } else {
                    p.unaffected(i, "cond");
                }
            }
            if all || id == 7 {
                if ev.carriers.contains(&id) {
                    p.test(i, "G1", TestResult::Positive, None);
                } else if ev.non.contains(&id) {
                    p.test(i, "G1", TestResult::Negative, Some(1.0));
                }
            }
        }
        likelihood(&p, &d)
    };
    let flb =
        |lik: &dyn Fn(bool, bool) -> f64| lik(true, true) * lik(false, false) / (lik(false, true) * lik(true, false));
    let round2 = |x: f64| (x * 100.0).round() / 100.0;
    type Case<'a> = (&'a [(usize, usize)], Ev<'a>, f64);
    let cases: [Case; 8] = [
        (&ped1, Ev { carriers: &[4, 5, 7, 8], non: &[], aff: &[4, 5, 7, 8], unknown: &[] }, 7.37),
        (&ped1, Ev { carriers: &[7, 8], non: &[], aff: &[4, 5, 7, 8], unknown: &[] }, 7.30),
        (&ped1, Ev { carriers: &[7, 8], non: &[], aff: &[7, 8], unknown: &[4, 5] }, 5.28),
        (&ped1, Ev { carriers: &[7, 8], non: &[], aff: &[7, 8], unknown: &[] }, 1.83),
        (&ped1, Ev { carriers: &[7], non: &[8], aff: &[4, 5, 7, 8], unknown: &[] }, 0.09),
        (&ped1, Ev { carriers: &[7], non: &[8], aff: &[7, 8], unknown: &[4, 5] }, 0.38),
        (&ped1, Ev { carriers: &[7], non: &[8], aff: &[7, 8], unknown: &[] }, 0.88),
        (&ped2, Ev { carriers: &[7, 8], non: &[6], aff: &[4, 5, 6, 7, 8], unknown: &[] }, 1.03),
    ];
    for (k, (ped, ev, published)) in cases.iter().enumerate() {
        let het = flb(&|phen, all| enumerate(ped, ev, phen, all, true));
        assert_eq!(round2(het), *published, "case {k}: segregatr's setup reproduced");
        let any = flb(&|phen, all| enumerate(ped, ev, phen, all, false));
        let ours = flb(&|phen, all| engine(ped, ev, phen, all));
        close_rel(ours, any, &format!("case {k}: engine vs enumeration"));
        assert!((ours - published).abs() < 0.03, "case {k}: {ours} vs published {published}");
    }
}

// ── 7. MZ twins, unknown sex, outcomes, options, errors ─────────────────────────────────────

#[test]
fn mz_twins_share_one_genotype() {
    let cf = cat().get("cystic-fibrosis").unwrap();
    let mut p = Ped::default();
    let (f, m) = (p.founder(Sex::Male), p.founder(Sex::Female));
    let a = p.child(Sex::Male, f, m);
    let (t1, t2) = (p.child(Sex::Female, f, m), p.child(Sex::Female, f, m));
    p.0.members[t1].mz_twin_set = Some(1);
    p.0.members[t2].mz_twin_set = Some(1);
    p.affected(a, "cystic-fibrosis").unaffected(f, "cystic-fibrosis").unaffected(m, "cystic-fibrosis");
    p.unaffected(t1, "cystic-fibrosis");
    // The test of one twin applies to both.
    p.test(t2, "CFTR", TestResult::Negative, Some(0.9));
    let r = run(&p, cf);
    close(r.member(t1).unwrap().carrier_probability, 1.0 / 6.0, "twin 1");
    close(r.member(t2).unwrap().carrier_probability, 1.0 / 6.0, "twin 2");
    // An affected twin makes the other affected-genotype with certainty.
    let d = def("autosomal_dominant", 0.001, json!(1.0), json!(1.0));
    let mut p = Ped::default();
    let (t1, t2) = (p.founder(Sex::Male), p.founder(Sex::Male));
    p.0.members[t1].mz_twin_set = Some(7);
    p.0.members[t2].mz_twin_set = Some(7);
    p.affected(t1, "cond");
    let r = run(&p, &d);
    close(r.member(t2).unwrap().p_mutant_allele, 1.0, "co-twin");
    close(r.member(t2).unwrap().lifetime_risk, 1.0, "co-twin risk");
    assert_eq!(r.complexity.variables, 1);
}

#[test]
fn x_linked_member_of_unknown_sex_is_a_mixture() {
    let d = def("x_linked_recessive", 1e-12, json!(1.0), json!(1.0));
    let mut p = Ped::default();
    let (f, m) = (p.founder(Sex::Male), p.founder(Sex::Female));
    let c = p.child(Sex::Unknown, f, m);
    p.test(m, "G1", TestResult::Positive, None).unaffected(m, "cond");
    let r = run(&p, &d);
    let k = r.member(c).unwrap();
    assert_eq!(k.genotypes.iter().map(|g| g.genotype.as_str()).collect::<Vec<_>>(), ["A", "a", "AA", "Aa", "aa"]);
    assert!((posterior(&r, c, "a") - 0.25).abs() < 1e-9);
    assert!((posterior(&r, c, "Aa") - 0.25).abs() < 1e-9);
    assert!((posterior(&r, c, "A") - 0.25).abs() < 1e-9);
    assert!((k.lifetime_risk - 0.25).abs() < 1e-9);
    // Recorded as a father: male by role.
    let mut p2 = p.0.clone();
    p2.members.push(Member { id: "grandchild".into(), father: Some(c), ..Member::default() });
    let r = assess(&p2, &d, cat(), &Options::default()).unwrap();
    assert_eq!(r.member(c).unwrap().genotypes.len(), 2);
    assert_eq!(r.member(c).unwrap().sex, Sex::Male);
}

#[test]
fn brca1_outcome_penetrances_and_phenocopies() {
    let brca1 = cat().get("brca1-associated-cancer").unwrap();
    let mut p = Ped::default();
    let w = p.founder(Sex::Female);
    p.age(w, 50.0);
    p.0.members[w].conditions.push(ConditionFact {
        condition: "breast-cancer".into(),
        status: ConditionStatus::Affected,
        onset: Some(AgeRange::exact(45.0)),
    });
    p.unaffected(w, "ovarian-cancer");
    let r = run(&p, brca1);
    let q = 0.000550303;
    let pc = 1.0 - (1.0 - q) * (1.0 - q);
    // Carrier: breast F(50) = 0.72·30/60, ovarian F(50) = 0.44·20/50.
    let (fb, fo) = (0.36, 0.176);
    // Non-carrier: SEER lifetime risks with the carrier curves' shapes.
    let (nb, no) = (0.124 * fb / 0.72, 0.013 * fo / 0.44);
    let lc = fb * (1.0 - fo);
    let ln = nb * (1.0 - no);
    let post = pc * lc / (pc * lc + (1.0 - pc) * ln);
    let m = r.member(w).unwrap();
    close(m.p_mutant_allele, post, "carrier");
    assert_eq!(m.status, ConditionStatus::Affected);
    close(m.lifetime_risk, 1.0, "affected by an outcome");
    let ov = m.outcomes.iter().find(|o| o.phenotype == "ovarian-cancer").unwrap();
    assert_eq!(ov.status, ConditionStatus::Unaffected);
    let rem = post * (0.44 - fo) / (1.0 - fo) + (1.0 - post) * (0.013 - no) / (1.0 - no);
    close(ov.remaining_lifetime_risk, rem, "ovarian remaining risk");
    close(ov.affected_now.unwrap(), 0.0, "ovarian now");
    // A man with breast cancer: male carrier curve, no male phenocopy rate in the catalog.
    let mut p = Ped::default();
    let man = p.founder(Sex::Male);
    p.affected(man, "breast-cancer").age(man, 60.0);
    close(run(&p, brca1).member(man).unwrap().p_mutant_allele, 1.0, "male breast cancer");
}

#[test]
fn syndrome_diagnosis_and_outcome_daughter() {
    let brca1 = cat().get("brca1-associated-cancer").unwrap();
    let mut p = Ped::default();
    let (f, m) = (p.founder(Sex::Male), p.founder(Sex::Female));
    let d = p.child(Sex::Female, f, m);
    p.affected(m, "brca1-associated-cancer");
    p.age(d, 30.0).unaffected(d, "breast-cancer").unaffected(d, "ovarian-cancer");
    let r = run(&p, brca1);
    close(r.member(m).unwrap().p_mutant_allele, 1.0, "diagnosed mother");
    // Daughter: 1/2 prior (plus the father's q), unaffected at 30 by both outcomes.
    let q = 0.000550303;
    let fb = 0.72 * 10.0 / 60.0;
    let fo = 0.0;
    let (nb, no) = (0.124 * fb / 0.72, 0.0);
    // Mother: diagnosis → Aa : aa = 2(1−q) : q; transmits a with 1/(2−q). Father: q.
    let tm = 1.0 / (2.0 - q);
    let p_non = (1.0 - tm) * (1.0 - q);
    let lc = (1.0 - fb) * (1.0 - fo);
    let ln = (1.0 - nb) * (1.0 - no);
    let post = (1.0 - p_non) * lc / ((1.0 - p_non) * lc + p_non * ln);
    let dr = r.member(d).unwrap();
    close(dr.p_mutant_allele, post, "daughter");
    assert_eq!(dr.status, ConditionStatus::Unaffected);
    // Member-level lifetime risk = any outcome by 85, given unaffected at 30.
    let any = |b85: f64, o85: f64, b30: f64, o30: f64| 1.0 - (1.0 - b85) / (1.0 - b30) * (1.0 - o85) / (1.0 - o30);
    let lr = post * any(0.72, 0.44, fb, fo) + (1.0 - post) * any(0.124, 0.013, nb, no);
    close(dr.lifetime_risk, lr, "daughter lifetime risk");
    close(dr.affected_now.unwrap(), 0.0, "now");
}

#[test]
fn couple_risks() {
    // Two tested carriers of a recessive condition.
    let d = def("autosomal_recessive", 0.01, json!(1.0), json!(1.0));
    let mut p = Ped::default();
    let (f, m) = (p.founder(Sex::Male), p.founder(Sex::Female));
    for i in [f, m] {
        p.unaffected(i, "cond").test(i, "G1", TestResult::Positive, None);
    }
    let c = couple_risk(&p.0, &d, cat(), f, m, &Options::default()).unwrap();
    close(c.son.lifetime_risk, 0.25, "affected");
    close(c.daughter.carrier_probability, 0.5, "carrier");
    close(c.son.p_mutant_allele, 0.75, "≥1 allele");
    // X-linked: carrier mother, unaffected father.
    let d = def("x_linked_recessive", 1e-12, json!(1.0), json!(1.0));
    let mut p = Ped::default();
    let (f, m) = (p.founder(Sex::Male), p.founder(Sex::Female));
    p.unaffected(f, "cond").unaffected(m, "cond").test(m, "G1", TestResult::Positive, None);
    let c = couple_risk(&p.0, &d, cat(), f, m, &Options::default()).unwrap();
    assert!((c.son.lifetime_risk - 0.5).abs() < 1e-9);
    assert!((c.daughter.carrier_probability - 0.5).abs() < 1e-9);
    assert!(c.daughter.lifetime_risk < 1e-9);
    assert!(matches!(couple_risk(&p.0, &d, cat(), f, f, &Options::default()), Err(RiskError::InvalidInput { .. })));
}

#[test]
fn requested_members_and_priors_options() {
    let cf = cat().get("cystic-fibrosis").unwrap();
    let mut p = Ped::default();
    let (f, m) = (p.founder(Sex::Male), p.founder(Sex::Female));
    let (a, s) = (p.child(Sex::Male, f, m), p.child(Sex::Female, f, m));
    let unrelated = p.founder(Sex::Male);
    let grandchild = p.child(Sex::Male, unrelated, s);
    p.affected(a, "cystic-fibrosis")
        .unaffected(s, "cystic-fibrosis")
        .unaffected(f, "cystic-fibrosis")
        .unaffected(m, "cystic-fibrosis");
    let full = run(&p, cf);
    let o = Options { members: Some(vec![s]), with_prior: false, ..Options::default() };
    let one = assess(&p.0, cf, cat(), &o).unwrap();
    assert_eq!(one.members.len(), 1);
    close(one.members[0].carrier_probability, full.member(s).unwrap().carrier_probability, "same");
    assert!(one.members[0].prior_carrier_probability.is_none());
    assert!(one.members[0].genotypes.iter().all(|g| g.prior.is_none()));
    // The barren grandchild and his father are left out.
    assert_eq!(one.complexity.variables, 4);
    close(one.log10_likelihood, full.log10_likelihood, "likelihood");
    // The grandchild: half the sib's 2/3, plus his father's q.
    let q = 0.0204168;
    close(full.member(grandchild).unwrap().p_mutant_allele, 1.0 - (1.0 - 1.0 / 3.0) * (1.0 - q), "grandchild");
    // Serialises.
    let v = serde_json::to_value(&one).unwrap();
    assert!(v["members"][0]["carrier_probability"].is_number());
    assert!(v.get("ctx").is_none());
}

#[test]
fn impossible_evidence_is_an_error_with_a_hint() {
    let cf = cat().get("cystic-fibrosis").unwrap();
    let mut p = Ped::default();
    let (f, m) = (p.founder(Sex::Male), p.founder(Sex::Female));
    let a = p.child(Sex::Male, f, m);
    for i in [f, m] {
        p.unaffected(i, "cystic-fibrosis").test(i, "CFTR", TestResult::Negative, Some(1.0));
    }
    p.affected(a, "cystic-fibrosis");
    match assess(&p.0, cf, cat(), &Options::default()) {
        Err(RiskError::InconsistentEvidence { hint, members }) => {
            assert_eq!(members, vec![a], "{hint}");
            assert!(hint.contains("p3"), "{hint}");
        }
        other => panic!("{other:?}"),
    }
    // Evidence impossible on its own: a man with ovarian cancer (BRCA1).
    let brca1 = cat().get("brca1-associated-cancer").unwrap();
    let mut p = Ped::default();
    let x = p.founder(Sex::Male);
    p.affected(x, "ovarian-cancer");
    match assess(&p.0, brca1, cat(), &Options::default()) {
        Err(RiskError::InconsistentEvidence { members, .. }) => assert_eq!(members, vec![x]),
        other => panic!("{other:?}"),
    }
}

#[test]
fn invalid_inputs() {
    let d = def("autosomal_recessive", 0.01, json!(1.0), json!(1.0));
    let mut p = Ped::default();
    let a = p.founder(Sex::Male);
    let b = p.child(Sex::Male, a, a);
    let _ = b;
    assert!(matches!(assess(&p.0, &d, cat(), &Options::default()), Err(RiskError::InvalidPedigree { .. })));
    // A cycle.
    let mut p = Ped::default();
    let a = p.founder(Sex::Male);
    let b = p.founder(Sex::Female);
    let c = p.child(Sex::Male, a, b);
    p.0.members[a].father = Some(c);
    assert!(matches!(assess(&p.0, &d, cat(), &Options::default()), Err(RiskError::InvalidPedigree { .. })));
    // Not Mendelian.
    let bc = cat().get("breast-cancer").unwrap();
    assert!(matches!(
        assess(&Pedigree::default(), bc, cat(), &Options::default()),
        Err(RiskError::NotMendelian { .. })
    ));
    // Out-of-range options.
    let o = Options { members: Some(vec![99]), ..Options::default() };
    assert!(matches!(assess(&Pedigree::default(), &d, cat(), &o), Err(RiskError::InvalidInput { .. })));
    // An empty pedigree is fine.
    let r = assess(&Pedigree::default(), &d, cat(), &Options::default()).unwrap();
    assert!(r.members.is_empty());
    close(r.log10_likelihood, 0.0, "empty");
}

/// A dense pedigree: every generation, each child's parents are drawn from all members of the
/// previous generations, which makes the loops interlock.
fn dense_pedigree(founders: usize, children: usize, seed: u64) -> Pedigree {
    let mut s = seed;
    let mut next = move || {
        s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (s >> 33) as usize
    };
    let mut p = Ped::default();
    let mut males = vec![];
    let mut females = vec![];
    for k in 0..founders {
        if k % 2 == 0 {
            males.push(p.founder(Sex::Male));
        } else {
            females.push(p.founder(Sex::Female));
        }
    }
    for k in 0..children {
        let f = males[next() % males.len()];
        let m = females[next() % females.len()];
        let sex = if k % 2 == 0 { Sex::Male } else { Sex::Female };
        let c = p.child(sex, f, m);
        if sex == Sex::Male {
            males.push(c);
        } else {
            females.push(c);
        }
    }
    p.0
}

#[test]
fn too_complex_pedigrees_are_refused_before_allocating() {
    const DENSE_CHILDREN: usize = 40;
    let d = def("autosomal_recessive", 0.01, json!(1.0), json!(1.0));
    let ped = dense_pedigree(6, DENSE_CHILDREN, 42);
    let ok = assess(&ped, &d, cat(), &Options::default()).unwrap();
    assert!(ok.complexity.max_clique_states > 81, "{:?}", ok.complexity);
    let low = Options { limits: Limits { max_clique_states: 81, max_total_states: 1 << 24 }, ..Options::default() };
    match assess(&ped, &d, cat(), &low) {
        Err(RiskError::TooComplex { clique_states, limit }) => {
            assert_eq!(limit, 81);
            assert!(clique_states > 81);
        }
        other => panic!("{other:?}"),
    }
    let low = Options { limits: Limits { max_clique_states: 1 << 30, max_total_states: 1000 }, ..Options::default() };
    assert!(matches!(assess(&ped, &d, cat(), &low), Err(RiskError::TooMuchMemory { .. })));
}

#[test]
fn huntington_lifetime_penetrance_does_not_read_unaffected_as_for_life() {
    // The catalog's Huntington curve is a constant lifetime risk without an age pattern
    // (`lifetime_only`, catalog v2): an unaffected 30-year-old child of an affected father keeps
    // the prior 1/2 (plus the mother's tiny share) instead of being excluded.
    let hd = cat().get("huntington-disease").unwrap();
    assert!(hd.penetrance_for(None).unwrap().lifetime_only);
    let mut p = Ped::default();
    let (f, m) = (p.founder(Sex::Male), p.founder(Sex::Female));
    let (c1, c2) = (p.child(Sex::Male, f, m), p.child(Sex::Female, f, m));
    p.affected(f, "huntington-disease").age(f, 55.0);
    p.unaffected(c1, "huntington-disease").age(c1, 30.0);
    let r = run(&p, hd);
    let a = r.member(c1).unwrap().p_mutant_allele;
    let b = r.member(c2).unwrap().p_mutant_allele;
    close(a, b, "the unaffected child is like the untested one");
    assert!(a > 0.5 && a < 0.5001, "≈ 1/2, got {a}");
}
