//! The entry points: build the network, propagate with and without evidence, report.

use super::elimination::{self, Tree};
use super::model::{carrier, child_distribution, penetrant, MemberEvidence, Params, Space, MAX_STATES};
use super::network::Structure;
use super::propagate::Propagator;
use super::result::{Assessment, Complexity, CoupleRisk, EvalContext, GenotypeProbability, MemberRisk, PhenotypeRisk};
use super::{Options, RiskError};
use crate::input::{Ix, Member, Pedigree};
use kinvault_catalog::{Catalog, ConditionDef};
use kinvault_model::{ConditionStatus, Sex};

/// Assesses every requested member of `pedigree` for `condition` (a Mendelian catalog entry).
/// `catalog` supplies the entries of the condition's outcomes (their population lifetime risks
/// are the phenocopy rates). See the [module docs](super) for the model.
///
/// ```
/// use kinvault_catalog::Catalog;
/// use kinvault_model::{ConditionStatus, Sex};
/// use kinvault_risk::mendelian::{assess, Options};
/// use kinvault_risk::{ConditionFact, Member, Pedigree};
///
/// let fact = |status| ConditionFact { condition: "cystic-fibrosis".into(), status, onset: None };
/// let person = |id: &str, sex, parents: Option<(usize, usize)>, status| Member {
///     id: id.into(),
///     sex,
///     father: parents.map(|p| p.0),
///     mother: parents.map(|p| p.1),
///     conditions: vec![fact(status)],
///     ..Member::default()
/// };
/// let pedigree = Pedigree {
///     members: vec![
///         person("father", Sex::Male, None, ConditionStatus::Unaffected),
///         person("mother", Sex::Female, None, ConditionStatus::Unaffected),
///         person("son", Sex::Male, Some((0, 1)), ConditionStatus::Affected),
///         person("daughter", Sex::Female, Some((0, 1)), ConditionStatus::Unaffected),
///     ],
/// };
/// let catalog = Catalog::builtin();
/// let cf = catalog.get("cystic-fibrosis").unwrap();
/// let a = assess(&pedigree, cf, catalog, &Options::default()).unwrap();
/// let daughter = a.member(3).unwrap();
/// assert!((daughter.carrier_probability - 2.0 / 3.0).abs() < 1e-12);
/// ```
pub fn assess(
    pedigree: &Pedigree,
    condition: &ConditionDef,
    catalog: &Catalog,
    opts: &Options,
) -> Result<Assessment, RiskError> {
    check_options(pedigree, opts)?;
    let params = Params::new(condition, catalog)?;
    run(pedigree, &params, catalog.version(), opts)
}

/// Risks for a prospective child of `father` and `mother` (who may be related: their kinship
/// enters through the pedigree), given everything recorded in the pedigree: a son and a
/// daughter are added as virtual children and assessed. At an X-linked locus `father` must be
/// able to be male and `mother` female (their parental role sets their chromosomal sex).
pub fn couple_risk(
    pedigree: &Pedigree,
    condition: &ConditionDef,
    catalog: &Catalog,
    father: Ix,
    mother: Ix,
    opts: &Options,
) -> Result<CoupleRisk, RiskError> {
    let n = pedigree.members.len();
    for ix in [father, mother] {
        if ix >= n {
            return Err(RiskError::InvalidInput { reason: format!("member index {ix} is out of range") });
        }
    }
    if father == mother {
        return Err(RiskError::InvalidInput { reason: "a couple needs two different members".into() });
    }
    let mut ped = pedigree.clone();
    for (id, sex) in [("prospective-son", Sex::Male), ("prospective-daughter", Sex::Female)] {
        ped.members.push(Member {
            id: id.into(),
            sex,
            father: Some(father),
            mother: Some(mother),
            ..Member::default()
        });
    }
    let mut o = opts.clone();
    o.members = Some(vec![n, n + 1]);
    let a = assess(&ped, condition, catalog, &o)?;
    let mut it = a.members.into_iter();
    let (Some(son), Some(daughter)) = (it.next(), it.next()) else {
        unreachable!("both virtual children are requested");
    };
    Ok(CoupleRisk { father, mother, son, daughter, log10_likelihood: a.log10_likelihood })
}

fn check_options(ped: &Pedigree, opts: &Options) -> Result<(), RiskError> {
    let n = ped.members.len();
    if !(opts.horizon.is_finite() && opts.horizon > 0.0) {
        return Err(RiskError::InvalidInput { reason: format!("horizon {} is not a positive age", opts.horizon) });
    }
    let listed = opts.ignore_evidence_of.iter().chain(opts.members.iter().flatten());
    if let Some(ix) = listed.into_iter().find(|&&ix| ix >= n) {
        return Err(RiskError::InvalidInput { reason: format!("member index {ix} is out of range") });
    }
    Ok(())
}

/// The network after pruning: compact variable ids, their families and evidence.
struct Net<'s, 'p> {
    st: &'s Structure<'p>,
    /// Compact id → structure variable.
    kept: Vec<u32>,
    /// Structure variable → compact id (u32::MAX when pruned).
    compact: Vec<u32>,
}

fn run(ped: &Pedigree, p: &Params<'_>, catalog_version: u32, opts: &Options) -> Result<Assessment, RiskError> {
    let st = Structure::new(ped, p.inh.is_x_linked())?;
    let n = ped.members.len();
    let nv = st.n_vars();
    let mut ignore = vec![false; n];
    for &i in &opts.ignore_evidence_of {
        ignore[i] = true;
    }
    // Evidence of every member, and each variable's likelihood vector.
    let mut evidence = Vec::with_capacity(n);
    for (i, m) in ped.members.iter().enumerate() {
        let v = st.var_of[i] as usize;
        evidence.push(MemberEvidence::read(p, m, st.member_sex[i], st.space[v], !ignore[i])?);
    }
    let mut member_lik: Vec<Option<[f64; MAX_STATES]>> = vec![None; n];
    let mut has_evidence = vec![false; nv];
    for (i, ev) in evidence.iter().enumerate() {
        if !ev.is_empty() {
            let v = st.var_of[i] as usize;
            let mut l = [1.0; MAX_STATES];
            ev.likelihood(&p.ph, st.space[v], &mut l[..st.space[v].card()]);
            member_lik[i] = Some(l);
            has_evidence[v] = true;
        }
    }

    let report: Vec<Ix> = match &opts.members {
        None => (0..n).collect(),
        Some(list) => {
            let mut l = list.clone();
            l.sort_unstable();
            l.dedup();
            l
        }
    };
    let net = prune(&st, &report, &has_evidence, opts.members.is_none());
    let cards: Vec<usize> = net.kept.iter().map(|&v| st.space[v as usize].card()).collect();
    let families: Vec<([Option<u32>; 2], u32)> = net
        .kept
        .iter()
        .enumerate()
        .map(|(c, &v)| {
            let gp = st.genetic_parents(v as usize).map(|x| x.map(|x| net.compact[x as usize]));
            (gp, c as u32)
        })
        .collect();
    let tree = elimination::build(&cards, &families, &opts.limits)?;
    drop(families);

    let var_lik = |v: usize, skip: Option<Ix>| -> Option<[f64; MAX_STATES]> {
        let mut out: Option<[f64; MAX_STATES]> = None;
        for &i in st.members(v) {
            if Some(i) == skip {
                continue;
            }
            if let Some(l) = &member_lik[i] {
                let o = out.get_or_insert([1.0; MAX_STATES]);
                for (x, y) in o.iter_mut().zip(l) {
                    *x *= y;
                }
            }
        }
        out
    };

    let mut prop = Propagator::new(&tree);
    init(&mut prop, &net, p, |v| var_lik(v, None));
    let log_z = match prop.collect() {
        Ok(z) => z,
        Err(_) => {
            drop(prop);
            return Err(inconsistent(ped, p, &st, &net, &tree, &member_lik, &var_lik));
        }
    };
    prop.distribute();
    let marginal = |prop: &Propagator<'_>, i: Ix| {
        let v = st.var_of[i] as usize;
        let mut out = [0.0; MAX_STATES];
        prop.marginal(net.compact[v], &mut out[..st.space[v].card()]);
        out
    };
    let posteriors: Vec<[f64; MAX_STATES]> = report.iter().map(|&i| marginal(&prop, i)).collect();
    let priors: Option<Vec<[f64; MAX_STATES]>> = if opts.with_prior {
        init(&mut prop, &net, p, |_| None);
        // Without evidence the collect pass cannot meet a zero.
        if prop.collect().is_ok() {
            prop.distribute();
            Some(report.iter().map(|&i| marginal(&prop, i)).collect())
        } else {
            None
        }
    } else {
        None
    };
    drop(prop);

    let complexity = Complexity {
        variables: net.kept.len(),
        cliques: tree.cliques.len(),
        max_clique_states: tree.max_clique_states,
        table_entries: (tree.table_len + tree.sep_len) as u64,
    };
    drop(tree);

    let mut members = Vec::with_capacity(report.len());
    let mut ctx_members = Vec::with_capacity(report.len());
    let mut evidence: Vec<Option<MemberEvidence>> = evidence.into_iter().map(Some).collect();
    for (k, &i) in report.iter().enumerate() {
        let v = st.var_of[i] as usize;
        let space = st.space[v];
        let post = &posteriors[k][..space.card()];
        let prior = priors.as_ref().map(|pr| &pr[k][..space.card()]);
        let ev = evidence[i].take().unwrap_or_else(|| unreachable!("each member is reported once"));
        members.push(member_risk(ped, p, opts, i, &ev, space, post, prior));
        ctx_members.push((ev, space, posteriors[k]));
    }
    Ok(Assessment {
        condition: p.def.id.clone(),
        catalog_version,
        inheritance: p.inh,
        log10_likelihood: log_z / std::f64::consts::LN_10,
        horizon: opts.horizon,
        mutation_rate: p.mu,
        haldane: p.haldane,
        members,
        complexity,
        ctx: EvalContext { ph: Some(p.ph.clone()), members: ctx_members },
    })
}

/// Keeps the variables of reported or evidence-bearing members and their ancestors (through the
/// genetically relevant parents); the rest are barren and sum out to 1.
fn prune<'s, 'p>(st: &'s Structure<'p>, report: &[Ix], has_evidence: &[bool], all: bool) -> Net<'s, 'p> {
    let nv = st.n_vars();
    let mut keep = vec![all; nv];
    if !all {
        let mut stack: Vec<u32> = Vec::new();
        for &i in report {
            stack.push(st.var_of[i]);
        }
        stack.extend((0..nv as u32).filter(|&v| has_evidence[v as usize]));
        while let Some(v) = stack.pop() {
            if keep[v as usize] {
                continue;
            }
            keep[v as usize] = true;
            for p in st.genetic_parents(v as usize).into_iter().flatten() {
                if !keep[p as usize] {
                    stack.push(p);
                }
            }
        }
    }
    let mut compact = vec![u32::MAX; nv];
    let mut kept = Vec::new();
    for v in 0..nv {
        if keep[v] {
            compact[v] = kept.len() as u32;
            kept.push(v as u32);
        }
    }
    Net { st, kept, compact }
}

/// Resets the tables and multiplies in every family factor and, where `lik` gives one, the
/// evidence of each variable.
fn init(
    prop: &mut Propagator<'_>,
    net: &Net<'_, '_>,
    p: &Params<'_>,
    lik: impl Fn(usize) -> Option<[f64; MAX_STATES]>,
) {
    prop.reset();
    let st = net.st;
    let mut table = [0.0; 2 * 3 * MAX_STATES];
    for (c, &v) in net.kept.iter().enumerate() {
        let v = v as usize;
        let space = st.space[v];
        let card = space.card();
        let pop = st.population[v];
        if st.is_founder(v) {
            let prior = p.founder_prior(space, pop);
            prop.multiply_family(c as u32, &prior[..card]);
        } else {
            let [gf, gm] = st.genetic_parents(v);
            let implicit_f = p.implicit_transmit(true, pop);
            let implicit_m = p.implicit_transmit(false, pop);
            let mut fathers = [implicit_f; MAX_STATES];
            let nf = match gf {
                Some(f) => fill_transmit(p, st.space[f as usize], &mut fathers),
                None => 1,
            };
            let mut mothers = [implicit_m; MAX_STATES];
            let nm = match gm {
                Some(m) => fill_transmit(p, st.space[m as usize], &mut mothers),
                None => 1,
            };
            let mut k = 0;
            for &pf in &fathers[..nf] {
                for &pm in &mothers[..nm] {
                    let d = child_distribution(space, pf, pm);
                    table[k..k + card].copy_from_slice(&d[..card]);
                    k += card;
                }
            }
            prop.multiply_family(c as u32, &table[..k]);
        }
        if let Some(l) = lik(v) {
            prop.multiply_unary(c as u32, &l[..card]);
        }
    }
}

/// Writes each state's transmission probability; returns the number of states.
fn fill_transmit(p: &Params<'_>, space: Space, out: &mut [f64; MAX_STATES]) -> usize {
    for (o, s) in out.iter_mut().zip(space.states()) {
        *o = p.transmit(s);
    }
    space.card()
}

/// Builds the error for evidence of probability 0, naming the members whose evidence alone is
/// impossible, else those whose evidence, left out alone, makes the rest consistent (tried for
/// up to 40 members with evidence).
fn inconsistent(
    ped: &Pedigree,
    p: &Params<'_>,
    st: &Structure<'_>,
    net: &Net<'_, '_>,
    tree: &Tree,
    member_lik: &[Option<[f64; MAX_STATES]>],
    var_lik: &dyn Fn(usize, Option<Ix>) -> Option<[f64; MAX_STATES]>,
) -> RiskError {
    let name = |i: Ix| ped.members[i].id.clone();
    let alone: Vec<Ix> = member_lik
        .iter()
        .enumerate()
        .filter(|(i, l)| l.is_some_and(|l| l[..st.space[st.var_of[*i] as usize].card()].iter().all(|&x| x == 0.0)))
        .map(|(i, _)| i)
        .collect();
    if !alone.is_empty() {
        let names: Vec<String> = alone.iter().map(|&i| name(i)).collect();
        return RiskError::InconsistentEvidence {
            hint: format!(
                "the evidence recorded for {} is impossible for every genotype (e.g. affected where the \
                 penetrance is 0 for their sex, or a positive and a fully sensitive negative test)",
                names.join(", ")
            ),
            members: alone,
        };
    }
    let with_evidence: Vec<Ix> = (0..ped.members.len()).filter(|&i| member_lik[i].is_some()).collect();
    let mut culprits = vec![];
    if with_evidence.len() <= 40 {
        let mut prop = Propagator::new(tree);
        for &skip in &with_evidence {
            init(&mut prop, net, p, |v| var_lik(v, Some(skip)));
            if prop.collect().is_ok() {
                culprits.push(skip);
            }
        }
    }
    let hint = if culprits.is_empty() {
        format!(
            "no genotype assignment under {:?} inheritance explains all recorded statuses and tests together; check \
             parentage, test results (a sensitivity of 1 rules a variant out) and affected statuses",
            p.inh
        )
    } else {
        let names: Vec<String> = culprits.iter().map(|&i| name(i)).collect();
        format!(
            "leaving out the evidence of any one of {} makes the rest consistent; check their statuses, tests and \
             parentage",
            names.join(", ")
        )
    };
    RiskError::InconsistentEvidence { hint, members: culprits }
}

#[allow(clippy::too_many_arguments)]
fn member_risk(
    ped: &Pedigree,
    p: &Params<'_>,
    opts: &Options,
    i: Ix,
    ev: &MemberEvidence,
    space: Space,
    post: &[f64],
    prior: Option<&[f64]>,
) -> MemberRisk {
    let states = space.states();
    let sum_where = |dist: &[f64], f: &dyn Fn(usize) -> bool| -> f64 {
        dist.iter().enumerate().filter(|(k, _)| f(*k)).map(|(_, x)| x).sum::<f64>().clamp(0.0, 1.0)
    };
    let is_carrier = |k: usize| carrier(p.inh, &states[k]);
    let has_mutant = |k: usize| states[k].mutant >= 1;
    let genotypes = states
        .iter()
        .enumerate()
        .map(|(k, s)| GenotypeProbability {
            genotype: s.name.to_string(),
            prior: prior.map(|pr| pr[k]),
            posterior: post[k],
        })
        .collect();
    let risks = |chans: &[usize]| -> (ConditionStatus, Option<f64>, f64, f64) {
        let ph = &p.ph;
        let status = status_of(p, ev, chans);
        let now = match ev.age {
            Some(a) => Some(ev.affected_by(ph, space, post, chans, a)),
            None if status == ConditionStatus::Affected => Some(1.0),
            None => None,
        };
        let mut h = opts.horizon;
        if ev.deceased {
            h = ev.age.unwrap_or(h);
        } else {
            h = h.max(ev.age.unwrap_or(h));
            for &k in chans {
                if ev.obs[k].t.is_finite() {
                    h = h.max(ev.obs[k].t);
                }
            }
        }
        let lifetime = ev.affected_by(ph, space, post, chans, h);
        let base = now.unwrap_or_else(|| ev.affected_by(ph, space, post, chans, f64::NEG_INFINITY));
        (status, now, (lifetime - base).max(0.0), lifetime)
    };
    let (status, affected_now, remaining_lifetime_risk, lifetime_risk) = risks(&p.ph.member_level);
    let outcomes =
        p.ph.outcomes
            .iter()
            .map(|&k| {
                let (status, affected_now, remaining_lifetime_risk, lifetime_risk) = risks(&[k]);
                PhenotypeRisk {
                    phenotype: p.ph.channels[k].phenotype.clone(),
                    status,
                    affected_now,
                    remaining_lifetime_risk,
                    lifetime_risk,
                }
            })
            .collect();
    MemberRisk {
        member: i,
        id: ped.members[i].id.clone(),
        sex: ev.sex,
        has_evidence: !ev.is_empty(),
        genotypes,
        carrier_probability: sum_where(post, &is_carrier),
        prior_carrier_probability: prior.map(|pr| sum_where(pr, &is_carrier)),
        p_mutant_allele: sum_where(post, &has_mutant),
        prior_p_mutant_allele: prior.map(|pr| sum_where(pr, &has_mutant)),
        p_penetrant_genotype: sum_where(post, &|k| penetrant(p.inh, &states[k])),
        status,
        affected_now,
        remaining_lifetime_risk,
        lifetime_risk,
        outcomes,
    }
}

/// Affected if affected in any channel; unaffected if unaffected in every channel that can
/// occur for the member's sex (a curve above 0 somewhere); else unknown.
fn status_of(p: &Params<'_>, ev: &MemberEvidence, chans: &[usize]) -> ConditionStatus {
    if chans.iter().any(|&k| ev.obs[k].status == ConditionStatus::Affected) {
        return ConditionStatus::Affected;
    }
    let sexes: &[Sex] = match ev.sex {
        Sex::Male => &[Sex::Male],
        Sex::Female => &[Sex::Female],
        _ => &[Sex::Female, Sex::Male],
    };
    let applies = |k: usize| {
        let pen = &p.ph.channels[k].pen;
        sexes.iter().any(|&s| pen.cumulative(s, f64::INFINITY) > 0.0)
    };
    let relevant: Vec<usize> = chans.iter().copied().filter(|&k| applies(k)).collect();
    if !relevant.is_empty() && relevant.iter().all(|&k| ev.obs[k].status == ConditionStatus::Unaffected) {
        ConditionStatus::Unaffected
    } else {
        ConditionStatus::Unknown
    }
}
