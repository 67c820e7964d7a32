//! The genetic model of one condition: genotype spaces, founder priors (Hardy–Weinberg or
//! Haldane's equilibrium), transmission with new mutations, and the likelihood of a member's
//! recorded phenotypes and test results given each genotype. See the module docs of
//! [`super`] for the choices and their reasons.

use super::RiskError;
use crate::input::Member;
use kinvault_catalog::{Catalog, ConditionDef, Curve, Inheritance, Penetrance};
use kinvault_model::{ConditionStatus, Sex, TestResult};
use serde::Serialize;
use ts_rs::TS;

/// The genotype states a variable ranges over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Space {
    /// AA, Aa, aa (unordered).
    Autosomal,
    /// Hemizygous male at an X-linked locus: A, a.
    XMale,
    /// Female at an X-linked locus: AA, Aa, aa.
    XFemale,
    /// X-linked locus, chromosomal sex unknown: a 50:50 mixture of the two spaces above.
    XEither,
}

/// One genotype state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct GState {
    pub name: &'static str,
    /// The chromosomal sex the state implies (X-linked states only).
    pub sex: Option<Sex>,
    /// Number of mutant alleles.
    pub mutant: u8,
}

const fn gs(name: &'static str, sex: Option<Sex>, mutant: u8) -> GState {
    GState { name, sex, mutant }
}

static AUTOSOMAL: [GState; 3] = [gs("AA", None, 0), gs("Aa", None, 1), gs("aa", None, 2)];
static X_MALE: [GState; 2] = [gs("A", Some(Sex::Male), 0), gs("a", Some(Sex::Male), 1)];
static X_FEMALE: [GState; 3] =
    [gs("AA", Some(Sex::Female), 0), gs("Aa", Some(Sex::Female), 1), gs("aa", Some(Sex::Female), 2)];
static X_EITHER: [GState; 5] = [
    gs("A", Some(Sex::Male), 0),
    gs("a", Some(Sex::Male), 1),
    gs("AA", Some(Sex::Female), 0),
    gs("Aa", Some(Sex::Female), 1),
    gs("aa", Some(Sex::Female), 2),
];

/// Largest genotype space.
pub(crate) const MAX_STATES: usize = 5;

impl Space {
    pub fn states(self) -> &'static [GState] {
        match self {
            Space::Autosomal => &AUTOSOMAL,
            Space::XMale => &X_MALE,
            Space::XFemale => &X_FEMALE,
            Space::XEither => &X_EITHER,
        }
    }

    pub fn card(self) -> usize {
        self.states().len()
    }
}

/// Whether a state has the genotype the catalog's penetrance curves are for.
pub(crate) fn penetrant(inh: Inheritance, s: &GState) -> bool {
    match inh {
        Inheritance::AutosomalDominant | Inheritance::XLinkedDominant => s.mutant >= 1,
        Inheritance::AutosomalRecessive => s.mutant == 2,
        Inheritance::XLinkedRecessive => match s.sex {
            Some(Sex::Male) => s.mutant == 1,
            _ => s.mutant == 2,
        },
        Inheritance::Multifactorial => false,
    }
}

/// Whether a state counts as a carrier: exactly one mutant allele for recessive inheritance
/// (heterozygous, or a hemizygous male for X-linked recessive), at least one for dominant.
pub(crate) fn carrier(inh: Inheritance, s: &GState) -> bool {
    match inh {
        Inheritance::AutosomalRecessive | Inheritance::XLinkedRecessive => s.mutant == 1,
        _ => s.mutant >= 1,
    }
}

/// Haldane's mutation–selection equilibrium for an X-linked recessive condition whose affected
/// males have reduced reproductive fitness (Haldane 1935), used for founder priors.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, TS)]
pub struct HaldaneEquilibrium {
    /// Reproductive fitness f of affected males (catalog `reproductive_fitness`).
    pub fitness: f64,
    /// Mutation rate μ per gamete per generation (catalog `mutation_rate`).
    pub mutation_rate: f64,
    /// Prior probability that a founder male is affected (hemizygous): I = 3μ / (1 − f).
    pub male_affected: f64,
    /// Prior probability that a founder female is heterozygous (≈ (4 + 2f)μ / (1 − f); 4μ for
    /// a genetic lethal).
    pub female_carrier: f64,
    /// Prior probability that a founder female is homozygous (second order in μ).
    pub female_homozygous: f64,
}

/// One phenotype the condition's penetrance describes: the condition itself or a named
/// outcome (e.g. `breast-cancer` for BRCA1).
#[derive(Debug, Clone)]
pub(crate) struct Channel {
    /// Catalog id whose facts are this phenotype's evidence.
    pub phenotype: String,
    pub pen: Penetrance,
    /// Whether this is the condition's own penetrance (not an outcome).
    pub own: bool,
}

/// A phenocopy (non-carrier) cumulative risk for one channel and sex: the population lifetime
/// risk `l`, with the carrier curve's shape up to `anchor`.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub(crate) struct Phenocopy {
    pub l: f64,
    pub anchor: Option<f64>,
}

/// The phenotypes a condition's penetrance describes and how they combine; owned, so results
/// can evaluate risks at other ages after the assessment.
#[derive(Debug, Clone)]
pub(crate) struct Phenotypes {
    pub inh: Inheritance,
    pub channels: Vec<Channel>,
    /// Channels combined into the member-level notion of "affected": the condition's own
    /// penetrance when it has one, else every outcome ("any of the outcomes").
    pub member_level: Vec<usize>,
    /// Outcome channels, reported one by one.
    pub outcomes: Vec<usize>,
}

/// Everything about the condition the engine needs, resolved once per assessment.
#[derive(Debug, Clone)]
pub(crate) struct Params<'a> {
    pub def: &'a ConditionDef,
    pub inh: Inheritance,
    /// New-mutation rate per transmitted gamete (0 unless the catalog gives one).
    pub mu: f64,
    pub haldane: Option<HaldaneEquilibrium>,
    pub ph: Phenotypes,
    /// Per channel: the catalog entry that holds its population lifetime risk (phenocopies).
    pub risk_defs: Vec<Option<&'a ConditionDef>>,
}

impl<'a> Params<'a> {
    pub fn new(def: &'a ConditionDef, catalog: &'a Catalog) -> Result<Params<'a>, RiskError> {
        let inh = def.inheritance;
        if !inh.is_mendelian() {
            return Err(RiskError::NotMendelian { condition: def.id.clone() });
        }
        let missing = |what: &str| RiskError::MissingParameter { condition: def.id.clone(), what: what.into() };
        let invalid = |what: String| RiskError::InvalidInput { reason: format!("condition `{}`: {what}", def.id) };
        let mu = def.mutation_rate.as_ref().map_or(0.0, |m| m.value);
        if !(0.0..0.5).contains(&mu) {
            return Err(invalid(format!("mutation rate {mu} is not in [0, 0.5)")));
        }
        let fitness = def.reproductive_fitness.as_ref().map(|f| f.value);
        let haldane = match fitness {
            Some(f) if inh == Inheritance::XLinkedRecessive && mu > 0.0 && (0.0..1.0).contains(&f) => {
                let i = (3.0 * mu / (1.0 - f)).min(1.0);
                let pf = (f * i + mu).min(1.0);
                Some(HaldaneEquilibrium {
                    fitness: f,
                    mutation_rate: mu,
                    male_affected: i,
                    female_carrier: i * (1.0 - pf) + (1.0 - i) * pf,
                    female_homozygous: i * pf,
                })
            }
            _ => None,
        };
        if haldane.is_none() && def.frequencies.is_empty() {
            return Err(missing("an allele frequency"));
        }
        for f in &def.frequencies {
            if !(0.0..=1.0).contains(&f.allele_frequency) {
                return Err(invalid(format!(
                    "allele frequency {} for `{}` is not in [0, 1]",
                    f.allele_frequency, f.population
                )));
            }
        }
        let mut channels = vec![];
        let mut risk_defs = vec![];
        if let Some(p) = def.penetrance_for(None) {
            channels.push(Channel { phenotype: def.id.clone(), pen: p.clone(), own: true });
            risk_defs.push(Some(def));
        }
        for p in &def.penetrance {
            if let Some(o) = &p.outcome {
                channels.push(Channel { phenotype: o.clone(), pen: p.clone(), own: false });
                risk_defs.push(catalog.get(o));
            }
        }
        if channels.is_empty() {
            return Err(missing("a penetrance"));
        }
        let outcomes: Vec<usize> = (0..channels.len()).filter(|&k| !channels[k].own).collect();
        let member_level = if channels[0].own { vec![0] } else { outcomes.clone() };
        Ok(Params { def, inh, mu, haldane, ph: Phenotypes { inh, channels, member_level, outcomes }, risk_defs })
    }

    /// Whether the condition has no penetrance of its own (only outcomes, like BRCA1): a fact
    /// for the condition itself is then a diagnosis of the genotype.
    pub fn outcome_only(&self) -> bool {
        !self.ph.channels[0].own
    }

    fn q(&self, population: Option<&str>) -> f64 {
        self.def.frequency_for(population.unwrap_or("")).map_or(0.0, |f| f.allele_frequency)
    }

    /// Founder prior over the states of `space` for a member of `population`.
    pub fn founder_prior(&self, space: Space, population: Option<&str>) -> [f64; MAX_STATES] {
        let q = self.q(population);
        let hw = [(1.0 - q) * (1.0 - q), 2.0 * q * (1.0 - q), q * q];
        let male = match self.haldane {
            Some(h) => [1.0 - h.male_affected, h.male_affected],
            None => [1.0 - q, q],
        };
        let female = match self.haldane {
            Some(h) => [1.0 - h.female_carrier - h.female_homozygous, h.female_carrier, h.female_homozygous],
            None => hw,
        };
        match space {
            Space::Autosomal => [hw[0], hw[1], hw[2], 0.0, 0.0],
            Space::XMale => [male[0], male[1], 0.0, 0.0, 0.0],
            Space::XFemale => [female[0], female[1], female[2], 0.0, 0.0],
            Space::XEither => [0.5 * male[0], 0.5 * male[1], 0.5 * female[0], 0.5 * female[1], 0.5 * female[2]],
        }
    }

    /// Probability that a parent in `state` passes a mutant allele to a child (to a daughter,
    /// for a hemizygous father), new mutations included: t + μ(1 − t).
    pub fn transmit(&self, s: &GState) -> f64 {
        let t = if s.sex == Some(Sex::Male) { f64::from(s.mutant) } else { f64::from(s.mutant) / 2.0 };
        t + self.mu * (1.0 - t)
    }

    /// Transmission probability of a parent missing from the pedigree (a founder of the
    /// child's population, of the parent's sex).
    pub fn implicit_transmit(&self, father: bool, population: Option<&str>) -> f64 {
        let space = match (self.inh.is_x_linked(), father) {
            (false, _) => Space::Autosomal,
            (true, true) => Space::XMale,
            (true, false) => Space::XFemale,
        };
        let prior = self.founder_prior(space, population);
        space.states().iter().zip(prior).map(|(s, p)| p * self.transmit(s)).sum()
    }
}

/// Distribution of a child's states given the probabilities `pf`, `pm` that father and mother
/// transmit a mutant allele (`pf` is not used for a son at an X-linked locus).
pub(crate) fn child_distribution(space: Space, pf: f64, pm: f64) -> [f64; MAX_STATES] {
    let diploid = [(1.0 - pf) * (1.0 - pm), pf * (1.0 - pm) + (1.0 - pf) * pm, pf * pm];
    match space {
        Space::Autosomal | Space::XFemale => [diploid[0], diploid[1], diploid[2], 0.0, 0.0],
        Space::XMale => [1.0 - pm, pm, 0.0, 0.0, 0.0],
        Space::XEither => [0.5 * (1.0 - pm), 0.5 * pm, 0.5 * diploid[0], 0.5 * diploid[1], 0.5 * diploid[2]],
    }
}

/// A member's status for one phenotype channel, as used in the likelihood.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Obs {
    pub status: ConditionStatus,
    /// The age the status refers to: for affected, the age by which they were known to be
    /// affected (`+∞`: some time in life); for unaffected, the age they were last known
    /// unaffected (`−∞`: unknown, read as the earliest age of the curve).
    pub t: f64,
}

/// Everything recorded about one member that bears on one condition, plus what is needed to
/// evaluate it (sex, phenocopy rates).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct MemberEvidence {
    /// Sex used for the curves: the parental role, else the recorded sex, else unknown.
    pub sex: Sex,
    pub age: Option<f64>,
    pub deceased: bool,
    /// Per channel.
    pub obs: Vec<Obs>,
    /// Per channel, the phenocopy rate for [female, male].
    pub phenocopy: Vec<[Phenocopy; 2]>,
    /// Affected by a condition that has only outcome penetrances: a diagnosis of the genotype.
    pub diagnosis: bool,
    /// (positive, sensitivity) per informative test.
    pub tests: Vec<(bool, f64)>,
}

impl MemberEvidence {
    pub fn is_empty(&self) -> bool {
        !self.diagnosis && self.tests.is_empty() && self.obs.iter().all(|o| o.status == ConditionStatus::Unknown)
    }

    /// Reads a member's facts for the condition. `sex` is the member's model sex, `space` the
    /// genotype space of its variable; `use_facts` false leaves the evidence out (but keeps
    /// what the risk outputs need).
    pub fn read(
        p: &Params<'_>,
        m: &Member,
        sex: Sex,
        space: Space,
        use_facts: bool,
    ) -> Result<MemberEvidence, RiskError> {
        let age = m.age.filter(|a| a.is_finite());
        let pop = m.population.as_deref().unwrap_or("");
        let phenocopy = p
            .risk_defs
            .iter()
            .map(|d| {
                let pick = |s: Sex| {
                    d.and_then(|d| d.lifetime_risk_for(pop, s))
                        .map(|r| Phenocopy { l: r.value.clamp(0.0, 1.0), anchor: r.to_age })
                        .unwrap_or_default()
                };
                [pick(Sex::Female), pick(Sex::Male)]
            })
            .collect();
        let mut ev = MemberEvidence {
            sex,
            age,
            deceased: m.alive == Some(false),
            obs: vec![Obs { status: ConditionStatus::Unknown, t: f64::NEG_INFINITY }; p.ph.channels.len()],
            phenocopy,
            diagnosis: false,
            tests: vec![],
        };
        if !use_facts {
            return Ok(ev);
        }
        for (k, ch) in p.ph.channels.iter().enumerate() {
            let mut affected = false;
            let mut unaffected = false;
            let mut onset: Option<f64> = None;
            for f in m.conditions.iter().filter(|c| c.condition == ch.phenotype) {
                match f.status {
                    ConditionStatus::Affected => {
                        affected = true;
                        if let Some(r) = f.onset {
                            let hi = if r.max.is_finite() { r.max } else { r.min };
                            if hi.is_finite() {
                                onset = Some(onset.map_or(hi, |o: f64| o.max(hi)));
                            }
                        }
                    }
                    ConditionStatus::Unaffected => unaffected = true,
                    ConditionStatus::Unknown => {}
                }
            }
            ev.obs[k] = if affected {
                let t = match (age, onset) {
                    (Some(a), Some(o)) => a.max(o),
                    (Some(a), None) => a,
                    (None, Some(o)) => o,
                    (None, None) => f64::INFINITY,
                };
                Obs { status: ConditionStatus::Affected, t }
            } else if unaffected && !ch.pen.lifetime_only {
                // A lifetime-only constant (no age pattern, e.g. Huntington disease in catalog
                // v2) cannot say how long the person has been at risk: the status is not used.
                Obs { status: ConditionStatus::Unaffected, t: age.unwrap_or(f64::NEG_INFINITY) }
            } else {
                ev.obs[k]
            };
        }
        if p.outcome_only() {
            let has_outcome_facts = ev.obs.iter().any(|o| o.status != ConditionStatus::Unknown);
            ev.diagnosis = !has_outcome_facts
                && m.conditions.iter().any(|c| c.condition == p.def.id && c.status == ConditionStatus::Affected);
        }
        for t in &m.tests {
            if !p.def.genes.iter().any(|g| g.eq_ignore_ascii_case(t.gene.trim())) {
                continue;
            }
            let positive = match t.result {
                TestResult::Positive => true,
                TestResult::Negative => false,
                TestResult::Vus | TestResult::Inconclusive => continue,
            };
            let sensitivity = if positive {
                1.0
            } else {
                t.sensitivity
                    .or_else(|| p.def.frequency_for(pop).and_then(|f| f.detection_rate))
                    .or_else(|| p.def.test_sensitivity.as_ref().map(|s| s.value))
                    .unwrap_or(1.0)
            };
            if !(0.0..=1.0).contains(&sensitivity) {
                return Err(RiskError::InvalidInput {
                    reason: format!("member `{}`: test sensitivity {sensitivity} is not in [0, 1]", m.id),
                });
            }
            ev.tests.push((positive, sensitivity));
        }
        // An affected status whose curve is 0 at the recorded age for every genotype (onset
        // before the first point of a curve, whose start age is often our anchor): read it
        // as "affected some time in life" rather than as impossible.
        for k in 0..p.ph.channels.len() {
            if ev.obs[k].status == ConditionStatus::Affected && ev.obs[k].t.is_finite() {
                let t = ev.obs[k].t;
                let any = space.states().iter().any(|s| {
                    ev.sex_options(s)
                        .iter()
                        .any(|&(sx, w)| w > 0.0 && ev.cum(&p.ph, k, sx, penetrant(p.inh, s), t) > 0.0)
                });
                if !any {
                    ev.obs[k].t = f64::INFINITY;
                }
            }
        }
        Ok(ev)
    }

    /// The sexes to average over for state `s`, with weights: the state's own sex at an
    /// X-linked locus; else the member's sex, or 50:50 when unknown.
    pub fn sex_options(&self, s: &GState) -> [(Sex, f64); 2] {
        match s.sex.unwrap_or(self.sex) {
            Sex::Male => [(Sex::Male, 1.0), (Sex::Female, 0.0)],
            Sex::Female => [(Sex::Female, 1.0), (Sex::Male, 0.0)],
            Sex::Intersex | Sex::Unknown => [(Sex::Female, 0.5), (Sex::Male, 0.5)],
        }
    }

    /// Cumulative risk by age `t` of channel `k` for sex `sex` (Male or Female), for a
    /// penetrant genotype or a non-carrier (phenocopy).
    pub fn cum(&self, p: &Phenotypes, k: usize, sex: Sex, penetrant: bool, t: f64) -> f64 {
        cum(&p.channels[k].pen, self.phenocopy[k], sex, penetrant, t)
    }

    /// P(own phenotypes | state, sex) — the part of the likelihood that depends on sex.
    fn phenotype_likelihood(&self, p: &Phenotypes, s: &GState, sex: Sex) -> f64 {
        let pen = penetrant(p.inh, s);
        let mut l = 1.0;
        for (k, o) in self.obs.iter().enumerate() {
            l *= match o.status {
                ConditionStatus::Unknown => 1.0,
                ConditionStatus::Affected => self.cum(p, k, sex, pen, o.t),
                ConditionStatus::Unaffected => 1.0 - self.cum(p, k, sex, pen, o.t),
            };
        }
        l
    }

    /// P(everything recorded | state), for each state of `space`, written to `out`.
    pub fn likelihood(&self, p: &Phenotypes, space: Space, out: &mut [f64]) {
        for (x, s) in out.iter_mut().zip(space.states()) {
            let mut l = 1.0;
            for &(positive, sens) in &self.tests {
                if positive {
                    if s.mutant == 0 {
                        l = 0.0;
                    }
                } else {
                    l *= (1.0 - sens).powi(i32::from(s.mutant));
                }
            }
            if self.diagnosis && !penetrant(p.inh, s) {
                l = 0.0;
            }
            if l > 0.0 {
                l *= self
                    .sex_options(s)
                    .iter()
                    .filter(|o| o.1 > 0.0)
                    .map(|&(sex, w)| w * self.phenotype_likelihood(p, s, sex))
                    .sum::<f64>();
            }
            *x = l;
        }
    }

    /// P(affected by age `x` in the channels `chans`, combined as "any of them" | state, sex,
    /// own statuses): recorded affected counts 1; recorded unaffected at t gives 0 up to t and
    /// then (F(x) − F(t)) / (1 − F(t)); unknown gives F(x).
    fn affected_by_given(&self, p: &Phenotypes, chans: &[usize], s: &GState, sex: Sex, x: f64) -> f64 {
        let pen = penetrant(p.inh, s);
        let mut none = 1.0;
        for &k in chans {
            let o = self.obs[k];
            let a = match o.status {
                ConditionStatus::Affected => 1.0,
                ConditionStatus::Unaffected => {
                    if x <= o.t {
                        0.0
                    } else {
                        let ft = self.cum(p, k, sex, pen, o.t);
                        let fx = self.cum(p, k, sex, pen, x);
                        if ft >= 1.0 {
                            0.0
                        } else {
                            ((fx - ft) / (1.0 - ft)).clamp(0.0, 1.0)
                        }
                    }
                }
                ConditionStatus::Unknown => self.cum(p, k, sex, pen, x),
            };
            none *= 1.0 - a;
        }
        1.0 - none
    }

    /// P(affected by age `x` in `chans` | all evidence), given the member's posterior over the
    /// states of `space`. Sex, when unknown, is averaged with weights updated by the member's
    /// own phenotypes.
    pub fn affected_by(&self, p: &Phenotypes, space: Space, posterior: &[f64], chans: &[usize], x: f64) -> f64 {
        let mut total = 0.0;
        for (s, &w_s) in space.states().iter().zip(posterior) {
            if w_s <= 0.0 {
                continue;
            }
            let opts = self.sex_options(s);
            let weights: Vec<(Sex, f64)> = if opts[1].1 == 0.0 {
                vec![(opts[0].0, 1.0)]
            } else {
                let raw: Vec<(Sex, f64)> =
                    opts.iter().map(|&(sex, w)| (sex, w * self.phenotype_likelihood(p, s, sex))).collect();
                let z: f64 = raw.iter().map(|r| r.1).sum();
                if z <= 0.0 {
                    continue;
                }
                raw.into_iter().map(|(sex, w)| (sex, w / z)).collect()
            };
            let v: f64 = weights.iter().map(|&(sex, w)| w * self.affected_by_given(p, chans, s, sex, x)).sum();
            total += w_s * v;
        }
        total.clamp(0.0, 1.0)
    }
}

/// Cumulative risk by `t` from a channel's carrier curve, or the phenocopy curve for a
/// non-carrier: the population lifetime risk L with the carrier curve's shape,
/// L · min(1, C(t) / C(anchor)), anchor = the lifetime figure's `to_age`, else the curve's last
/// point; L itself for a constant curve (or one that is 0 at the anchor).
pub(crate) fn cum(pen: &Penetrance, ph: [Phenocopy; 2], sex: Sex, penetrant: bool, t: f64) -> f64 {
    let (curve, ph) = match sex {
        Sex::Male => (&pen.male, ph[1]),
        _ => (&pen.female, ph[0]),
    };
    if penetrant {
        return curve.cumulative(t);
    }
    if ph.l <= 0.0 {
        return 0.0;
    }
    match curve {
        Curve::Constant(_) => ph.l,
        Curve::Points(pts) => {
            let anchor = ph.anchor.or_else(|| pts.last().map(|p| p.0)).unwrap_or(f64::INFINITY);
            let c = curve.cumulative(anchor);
            if c > 0.0 {
                ph.l * (curve.cumulative(t) / c).min(1.0)
            } else {
                ph.l
            }
        }
    }
}
