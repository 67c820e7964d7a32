//! Exact kinship (φ) and inbreeding (F) coefficients, autosomal and X-chromosome, and Jacquard's
//! condensed coefficients κ = (k0, k1, k2) for non-inbred pairs.
//!
//! # Method
//! Kinship obeys a linear recursion (Karigl 1981; Lange, *Mathematical and Statistical Methods
//! for Genetic Analysis*, ch. 5): for `a` not an ancestor of `b`, φ(a,b) = Σ_p w(a,p)·φ(p,b)
//! over `a`'s parents `p`, and φ(a,a) = s(a). Autosomal: w = ½ for each parent, s(a) = ½(1+F_a),
//! F_a = φ(father, mother). X chromosome (as ribd's `kinshipX` / kinship2 `chrtype = "x"`): a
//! female has w = ½ to each parent and s = ½(1+F_a) with F_a = φx(father, mother); a male has
//! w = 1 to his mother only (a father→son step carries no X) and s = 1.
//!
//! Any such recursion factors as Φ = T·Δ·Tᵀ (Henderson's A = TDT′ decomposition): T[a,k] sums
//! Πw over the paths from `a` up to ancestor `k` (Wright's path coefficients), and
//! Δ_k = base − Σ_p w(k,p)²·s(p) is what `k` adds that its parents do not explain (base ½, or 1 for
//! an X-male). So
//!
//!   φ(a,b) = Σ_{k common ancestor-or-self of a and b} T[a,k]·T[b,k]·Δ_k,
//!
//! which is Wright's formula Σ (½)^(n1+n2+1)(1+F_A) with the overlapping-path bookkeeping done by
//! Δ. Only the sub-pedigree above `a` and `b` is touched: it is numbered in topological order by
//! an iterative DFS, T rows are pushed up with a max-heap (each ancestor once, children before
//! parents), and F is computed only for common ancestors that are parents of other common
//! ancestors, oldest first. Memory is O(ancestors of a and b), all freed on return; nothing is
//! cached between calls. Monozygotic twins are one genome: each twin is replaced by the set's
//! canonical member, so φ(MZ twins) = ½(1+F).
//!
//! Cyclic input cannot loop: the graph drops cycle-closing links at build time, and the DFS here
//! also ignores any link to a person still on its stack (twin merging could otherwise close one).

use std::collections::BinaryHeap;

use kinvault_model::Sex;
use serde::Serialize;
use uuid::Uuid;

use crate::dyadic::Dyadic;
use crate::graph::{FamilyGraph, PersonIx, NONE};
use crate::hash::{FxHashMap, FxHashSet};
use crate::PedigreeError;

/// Which chromosome the coefficient is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Chromosome {
    #[default]
    Autosomal,
    X,
}

/// Resource limits for one coefficient computation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KinshipOptions {
    /// Most people in the ancestry of the pair (about 250 bytes each while computing).
    /// Default 500 000.
    pub max_ancestors: usize,
    /// Most ancestor visits (heap pops) in total, a bound on time (roughly 20–50 ns each).
    /// Default 200 000 000.
    pub max_work: u64,
}

impl Default for KinshipOptions {
    fn default() -> Self {
        KinshipOptions { max_ancestors: 500_000, max_work: 200_000_000 }
    }
}

/// Jacquard's condensed identity coefficients for two non-inbred people: the probabilities that
/// they share 0, 1 or 2 alleles identical by descent at an autosomal locus.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Kappa {
    pub k0: Dyadic,
    pub k1: Dyadic,
    pub k2: Dyadic,
}

impl FamilyGraph {
    /// Autosomal kinship φ(a, b): the probability that an allele drawn at random from each is
    /// identical by descent.
    pub fn kinship(&self, a: Uuid, b: Uuid) -> Result<Dyadic, PedigreeError> {
        self.kinship_with(a, b, Chromosome::Autosomal, &KinshipOptions::default())
    }

    /// X-chromosome kinship φx(a, b). Needs the sex of everyone on an X-transmitting line.
    pub fn kinship_x(&self, a: Uuid, b: Uuid) -> Result<Dyadic, PedigreeError> {
        self.kinship_with(a, b, Chromosome::X, &KinshipOptions::default())
    }

    pub fn kinship_with(
        &self,
        a: Uuid,
        b: Uuid,
        chrom: Chromosome,
        opts: &KinshipOptions,
    ) -> Result<Dyadic, PedigreeError> {
        let ia = self.index_of(a).ok_or(PedigreeError::UnknownPerson(a))?;
        let ib = self.index_of(b).ok_or(PedigreeError::UnknownPerson(b))?;
        self.kinship_ix(ia, ib, chrom, opts)
    }

    /// Index-level kinship.
    pub fn kinship_ix(
        &self,
        ia: PersonIx,
        ib: PersonIx,
        chrom: Chromosome,
        opts: &KinshipOptions,
    ) -> Result<Dyadic, PedigreeError> {
        let (x, y) = (self.genome_of(ia), self.genome_of(ib));
        if x == y {
            self.self_kinship(x, chrom, opts)
        } else {
            Sub::build(self, chrom, &[x, y], opts)?.pair_of_roots()
        }
    }

    /// Autosomal inbreeding F(a) = φ(father, mother); 0 when a parent is unknown.
    pub fn inbreeding(&self, a: Uuid) -> Result<Dyadic, PedigreeError> {
        self.inbreeding_with(a, Chromosome::Autosomal, &KinshipOptions::default())
    }

    /// X-chromosome inbreeding: φx(father, mother) for a female; 1 for a male (one X, so
    /// trivially homozygous — ribd's convention).
    pub fn inbreeding_x(&self, a: Uuid) -> Result<Dyadic, PedigreeError> {
        self.inbreeding_with(a, Chromosome::X, &KinshipOptions::default())
    }

    pub fn inbreeding_with(&self, a: Uuid, chrom: Chromosome, opts: &KinshipOptions) -> Result<Dyadic, PedigreeError> {
        let ia = self.index_of(a).ok_or(PedigreeError::UnknownPerson(a))?;
        self.inbreeding_ix(self.genome_of(ia), chrom, opts)
    }

    fn inbreeding_ix(&self, x: u32, chrom: Chromosome, opts: &KinshipOptions) -> Result<Dyadic, PedigreeError> {
        // Parents that are one genome (a chain of them, in odd data) are walked iteratively:
        // F(x) = s(p) when both parents of x are p.
        let mut chain: Vec<u32> = Vec::new();
        let mut seen: FxHashSet<u32> = FxHashSet::default();
        let mut cur = x;
        let mut f = loop {
            if chrom == Chromosome::X && self.is_male_for_x(cur)? {
                break Dyadic::ONE;
            }
            let ps = genetic_parents(self, cur, chrom)?;
            let (p, q) = match ps {
                [(p, _), (q, _)] if p != NONE && q != NONE => (p, q),
                _ => break Dyadic::ZERO,
            };
            if p != q {
                break Sub::build(self, chrom, &[p, q], opts)?.pair_of_roots()?;
            }
            if !seen.insert(cur) {
                break Dyadic::ZERO; // a cycle through merged twins: ignore the closing link
            }
            chain.push(cur);
            cur = p;
        };
        // Unwind: each link of the chain has F = s(parent) = ½(1 + F(parent)).
        let mut s_cur = self_from_f(&f, chrom == Chromosome::X && self.is_male_for_x(cur)?);
        while let Some(_child) = chain.pop() {
            f = s_cur.clone();
            s_cur = self_from_f(&f, false);
        }
        Ok(f)
    }

    fn self_kinship(&self, x: u32, chrom: Chromosome, opts: &KinshipOptions) -> Result<Dyadic, PedigreeError> {
        let male_x = chrom == Chromosome::X && self.is_male_for_x(x)?;
        if male_x {
            return Ok(Dyadic::ONE);
        }
        let f = self.inbreeding_ix(x, chrom, opts)?;
        Ok(self_from_f(&f, false))
    }

    fn is_male_for_x(&self, x: u32) -> Result<bool, PedigreeError> {
        match self.sex(x) {
            Sex::Male => Ok(true),
            Sex::Female => Ok(false),
            _ => Err(PedigreeError::UnknownSex(self.id_of(x))),
        }
    }

    /// Jacquard's κ for two non-inbred people: k2 = φ(pa,pb)φ(qa,qb) + φ(pa,qb)φ(qa,pb) over their
    /// parents, k1 = 4φ − 2k2, k0 = 1 − k1 − k2 (Lange ch. 5). The same genome (one person, MZ
    /// twins) gives (0, 0, 1). Errors with [`PedigreeError::Inbred`] for an inbred person.
    pub fn kappa(&self, a: Uuid, b: Uuid) -> Result<Kappa, PedigreeError> {
        let opts = KinshipOptions::default();
        let ia = self.index_of(a).ok_or(PedigreeError::UnknownPerson(a))?;
        let ib = self.index_of(b).ok_or(PedigreeError::UnknownPerson(b))?;
        for (ix, id) in [(ia, a), (ib, b)] {
            if !self.inbreeding_ix(self.genome_of(ix), Chromosome::Autosomal, &opts)?.is_zero() {
                return Err(PedigreeError::Inbred(id));
            }
        }
        let (x, y) = (self.genome_of(ia), self.genome_of(ib));
        if x == y {
            return Ok(Kappa { k0: Dyadic::ZERO, k1: Dyadic::ZERO, k2: Dyadic::ONE });
        }
        let phi = self.kinship_ix(x, y, Chromosome::Autosomal, &opts)?;
        let [pa, qa] = self.bio_parent_pair(x);
        let [pb, qb] = self.bio_parent_pair(y);
        let term = |p1: u32, p2: u32, q1: u32, q2: u32| -> Result<Dyadic, PedigreeError> {
            if [p1, p2, q1, q2].contains(&NONE) {
                return Ok(Dyadic::ZERO);
            }
            let first = self.kinship_ix(p1, p2, Chromosome::Autosomal, &opts)?;
            if first.is_zero() {
                return Ok(Dyadic::ZERO);
            }
            Ok(&first * &self.kinship_ix(q1, q2, Chromosome::Autosomal, &opts)?)
        };
        let k2 = &term(pa, pb, qa, qb)? + &term(pa, qb, qa, pb)?;
        let four_phi = phi * Dyadic::new(4, 0);
        let k1 = four_phi.saturating_sub(&(&k2 + &k2));
        let k0 = Dyadic::ONE.saturating_sub(&(&k1 + &k2));
        Ok(Kappa { k0, k1, k2 })
    }
}

/// s = ½(1 + F), or 1 for an X-male.
fn self_from_f(f: &Dyadic, male_x: bool) -> Dyadic {
    if male_x {
        Dyadic::ONE
    } else {
        (&Dyadic::ONE + f).half()
    }
}

/// Two parent slots: (genome or `NONE`, weight-is-1 flag).
type GeneticParents = [(u32, bool); 2];

/// The parents that pass genes on for this chromosome, as genomes, with "weight is 1" flags
/// (otherwise ½). X: a female gets one X from each parent, a male only from his mother.
fn genetic_parents(g: &FamilyGraph, x: u32, chrom: Chromosome) -> Result<GeneticParents, PedigreeError> {
    let [p, q] = g.bio_parent_pair(x);
    let canon = |p: u32| if p == NONE { NONE } else { g.genome_of(p) };
    match chrom {
        Chromosome::Autosomal => Ok([(canon(p), false), (canon(q), false)]),
        Chromosome::X => match g.sex(x) {
            Sex::Female => Ok([(canon(p), false), (canon(q), false)]),
            Sex::Male => {
                let known: Vec<u32> = [p, q].into_iter().filter(|&v| v != NONE).collect();
                let females: Vec<u32> = known.iter().copied().filter(|&v| g.sex(v) == Sex::Female).collect();
                match females.as_slice() {
                    [m] => Ok([(canon(*m), true), (NONE, false)]),
                    [] => match known.iter().find(|&&v| g.sex(v) != Sex::Male) {
                        // A parent of unrecorded sex could be the mother.
                        Some(&v) => Err(PedigreeError::UnknownSex(g.id_of(v))),
                        None => Ok([(NONE, false), (NONE, false)]),
                    },
                    _ => Err(PedigreeError::AmbiguousMother(g.id_of(x))),
                }
            }
            _ => Err(PedigreeError::UnknownSex(g.id_of(x))),
        },
    }
}

const IN_PROGRESS: u32 = u32::MAX - 1;

/// The ancestry of the roots, numbered so that parents come before children.
struct Sub {
    roots: Vec<u32>,
    /// Local parents (`NONE` when unknown); weight 1 if the flag is set, else ½.
    par: Vec<[(u32, bool); 2]>,
    /// X-males (self-kinship 1).
    male_x: Vec<bool>,
    f: Vec<Option<Dyadic>>,
    delta: Vec<Option<Dyadic>>,
    t: [Vec<Dyadic>; 4],
    stamp: [Vec<u32>; 4],
    epoch: [u32; 4],
    heap: BinaryHeap<u32>,
    work: u64,
    max_work: u64,
}

impl Sub {
    fn build(g: &FamilyGraph, chrom: Chromosome, roots: &[u32], opts: &KinshipOptions) -> Result<Self, PedigreeError> {
        let mut local: FxHashMap<u32, u32> = FxHashMap::default();
        let mut par: Vec<[(u32, bool); 2]> = Vec::new();
        let mut male_x: Vec<bool> = Vec::new();
        let mut stack: Vec<(u32, usize, GeneticParents)> = Vec::new();
        let mut local_roots = Vec::with_capacity(roots.len());
        for &root in roots {
            if let std::collections::hash_map::Entry::Vacant(e) = local.entry(root) {
                e.insert(IN_PROGRESS);
                stack.push((root, 0, genetic_parents(g, root, chrom)?));
            }
            while let Some(top) = stack.last_mut() {
                if top.1 < 2 {
                    let (p, _) = top.2[top.1];
                    top.1 += 1;
                    if p == NONE || local.contains_key(&p) {
                        continue; // known, done, or on the stack (a cycle: ignore this link)
                    }
                    local.insert(p, IN_PROGRESS);
                    let gp = genetic_parents(g, p, chrom)?;
                    stack.push((p, 0, gp));
                    continue;
                }
                let (x, _, gp) = stack.pop().unwrap_or((NONE, 0, [(NONE, false); 2]));
                let ix = par.len() as u32;
                let map = |(p, one): (u32, bool)| match local.get(&p) {
                    Some(&l) if p != NONE && l != IN_PROGRESS => (l, one),
                    _ => (NONE, false),
                };
                par.push([map(gp[0]), map(gp[1])]);
                male_x.push(chrom == Chromosome::X && g.sex(x) == Sex::Male);
                local.insert(x, ix);
                if par.len() > opts.max_ancestors {
                    return Err(PedigreeError::TooLarge { limit: opts.max_ancestors });
                }
            }
            local_roots.push(local[&root]);
        }
        let n = par.len();
        Ok(Sub {
            roots: local_roots,
            par,
            male_x,
            f: vec![None; n],
            delta: vec![None; n],
            t: std::array::from_fn(|_| Vec::new()),
            stamp: std::array::from_fn(|_| Vec::new()),
            epoch: [0; 4],
            heap: BinaryHeap::new(),
            work: 0,
            max_work: opts.max_work,
        })
    }

    /// φ between the two roots (different genomes).
    fn pair_of_roots(mut self) -> Result<Dyadic, PedigreeError> {
        let (x, y) = (self.roots[0], self.roots[1]);
        let va = self.tvec(0, x)?;
        self.tvec(1, y)?;
        let (e0, e1) = (self.epoch[0], self.epoch[1]);
        let mut common: Vec<u32> = va.into_iter().filter(|&v| self.stamp[1][v as usize] == e1).collect();
        common.sort_unstable();
        // F is needed for the parents of common ancestors (their Δ uses it).
        let mut needed = vec![false; self.par.len()];
        for &v in &common {
            for (p, _) in self.par[v as usize] {
                if p != NONE {
                    needed[p as usize] = true;
                }
            }
        }
        for &k in &common {
            if needed[k as usize] {
                let f = self.inbreeding_local(k)?;
                self.f[k as usize] = Some(f);
            }
        }
        let mut sum = Dyadic::ZERO;
        for &v in &common {
            debug_assert!(self.stamp[0][v as usize] == e0);
            let d = self.delta(v);
            let term = &(&self.t[0][v as usize] * &self.t[1][v as usize]) * &d;
            sum += &term;
        }
        Ok(sum)
    }

    /// F of local node `k`; every F it depends on must be known (ascending order guarantees it).
    fn inbreeding_local(&mut self, k: u32) -> Result<Dyadic, PedigreeError> {
        if self.male_x[k as usize] {
            return Ok(Dyadic::ONE);
        }
        let [(p, _), (q, _)] = self.par[k as usize];
        if p == NONE || q == NONE {
            return Ok(Dyadic::ZERO);
        }
        if p == q {
            return Ok(self.self_kin(p));
        }
        let vp = self.tvec(2, p)?;
        self.tvec(3, q)?;
        let e3 = self.epoch[3];
        let mut sum = Dyadic::ZERO;
        for v in vp {
            if self.stamp[3][v as usize] == e3 {
                let d = self.delta(v);
                let term = &(&self.t[2][v as usize] * &self.t[3][v as usize]) * &d;
                sum += &term;
            }
        }
        Ok(sum)
    }

    fn self_kin(&self, v: u32) -> Dyadic {
        if self.male_x[v as usize] {
            return Dyadic::ONE;
        }
        let f = self.f[v as usize].clone().unwrap_or(Dyadic::ZERO);
        self_from_f(&f, false)
    }

    /// Δ_v = base − Σ w²·s(parent).
    fn delta(&mut self, v: u32) -> Dyadic {
        if let Some(d) = &self.delta[v as usize] {
            return d.clone();
        }
        let male = self.male_x[v as usize];
        let base = if male { Dyadic::ONE } else { Dyadic::pow2_neg(1) };
        let mut sum = Dyadic::ZERO;
        for (p, one) in self.par[v as usize] {
            if p != NONE {
                let s = self.self_kin(p);
                sum += &if one { s } else { s.shr(2) };
            }
        }
        let d = base.saturating_sub(&sum);
        self.delta[v as usize] = Some(d.clone());
        d
    }

    /// T row of `x` in slot `slot`: `t[slot][k]` = Σ over paths x → k of Π weights. Returns the
    /// ancestors-or-self of `x` (local indices, descending).
    fn tvec(&mut self, slot: usize, x: u32) -> Result<Vec<u32>, PedigreeError> {
        if self.t[slot].is_empty() {
            // Allocated on first use: the F slots are often never needed.
            self.t[slot] = vec![Dyadic::ZERO; self.par.len()];
            self.stamp[slot] = vec![0; self.par.len()];
        }
        self.epoch[slot] += 1;
        let e = self.epoch[slot];
        self.stamp[slot][x as usize] = e;
        self.t[slot][x as usize] = Dyadic::ONE;
        self.heap.clear();
        self.heap.push(x);
        let mut visited = Vec::new();
        // Parents have smaller local indices than children, so popping the largest first sees
        // every child of a node before the node: its T value is complete when popped.
        while let Some(v) = self.heap.pop() {
            self.work += 1;
            if self.work > self.max_work {
                return Err(PedigreeError::WorkLimit(self.max_work));
            }
            visited.push(v);
            let tv = self.t[slot][v as usize].clone();
            for (p, one) in self.par[v as usize] {
                if p == NONE {
                    continue;
                }
                let add = if one { tv.clone() } else { tv.half() };
                if self.stamp[slot][p as usize] != e {
                    self.stamp[slot][p as usize] = e;
                    self.t[slot][p as usize] = add;
                    self.heap.push(p);
                } else {
                    self.t[slot][p as usize] += &add;
                }
            }
        }
        Ok(visited)
    }
}
