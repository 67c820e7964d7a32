//! Horizontal positions, given the order of every row.
//!
//! Each row is a sequence with a minimum distance between neighbours (symbols, decorations and
//! labels clear of each other), so order and spacing hold by construction. Side-by-side
//! partners move as one unit. Within that, a convex quadratic energy puts each union's drop
//! point over the mean of its children (and so the children under their parents), with small
//! terms that keep siblings and neighbours from spreading without a reason; it is minimised by
//! accelerated projected gradient descent, the projection onto a row's constraints being an
//! isotonic regression (pool-adjacent-violators). Deterministic: same input, same positions.
//! Unconnected families are solved separately and set side by side.

use crate::geom::{Metrics, COMPONENT_GAP};
use crate::model::Model;

/// Weights of the energy's terms: family centring dominates; the compaction terms are small
/// enough that an only child ends up straight below their parents (to a fraction of a unit).
const W_FAMILY: f64 = 1.0;
const W_SIB: f64 = 0.002;
const W_GAP: f64 = 0.0005;
const W_ANCHOR: f64 = 1e-5;
const MAX_ITERATIONS: usize = 5000;
const TOLERANCE: f64 = 0.001;

/// The families (connected components) in drawing order: each a list of rows, each row a list
/// of people left to right.
pub(crate) fn components(m: &Model, rows: &[Vec<usize>], seq: &[usize]) -> Vec<Vec<Vec<usize>>> {
    let mut parent: Vec<usize> = (0..m.n).collect();
    fn find(g: &mut [usize], mut x: usize) -> usize {
        while g[x] != x {
            g[x] = g[g[x]];
            x = g[x];
        }
        x
    }
    for u in &m.unions {
        let mut members = u.partners.iter().copied().chain(u.children.iter().map(|&(c, _)| c));
        if let Some(first) = members.next() {
            for other in members {
                let (a, b) = (find(&mut parent, first), find(&mut parent, other));
                if a != b {
                    parent[a] = b;
                }
            }
        }
    }
    let mut first_seen = vec![usize::MAX; m.n];
    for (p, &when) in seq.iter().enumerate() {
        let r = find(&mut parent, p);
        first_seen[r] = first_seen[r].min(when);
    }
    // (first placement, root) of each family
    let mut rank: Vec<(usize, usize)> =
        first_seen.iter().enumerate().filter(|(_, &f)| f != usize::MAX).map(|(r, &f)| (f, r)).collect();
    rank.sort();
    let comp_of_root: std::collections::HashMap<usize, usize> =
        rank.iter().enumerate().map(|(k, &(_, r))| (r, k)).collect();
    let mut out = vec![vec![Vec::new(); rows.len()]; rank.len()];
    for (r, row) in rows.iter().enumerate() {
        for &p in row {
            let k = comp_of_root[&find(&mut parent, p)];
            out[k][r].push(p);
        }
    }
    out
}

/// x of every person's centre. Component `k` is placed to the right of component `k - 1`;
/// the leftmost drawing reaches x = 0.
pub(crate) fn place(m: &Model, comps: &[Vec<Vec<usize>>], met: &Metrics) -> Vec<f64> {
    let mut x = vec![0.0; m.n];
    let mut cursor = 0.0;
    for comp in comps {
        solve_component(m, comp, met, &mut x);
        let people = comp.iter().flatten();
        let lo = people.clone().map(|&p| x[p] - met.extent_left(p)).fold(f64::INFINITY, f64::min);
        let hi = people.clone().map(|&p| x[p] + met.extent_right(p)).fold(f64::NEG_INFINITY, f64::max);
        if lo.is_finite() {
            let shift = cursor - lo;
            for &p in people {
                x[p] += shift;
            }
            cursor = hi + shift + COMPONENT_GAP;
        }
    }
    x
}

/// One row of a component: people left to right, glued into units (chains of side-by-side
/// partners, who keep exactly their minimum distance).
struct Block {
    people: Vec<usize>,
    /// Minimum distance from the block's first person to each person.
    offs: Vec<f64>,
    /// Units as ranges of `people`.
    units: Vec<std::ops::Range<usize>>,
}

/// A squared linear term of the energy: `w · (Σ coef·X[unit] − b)²`.
struct Term {
    w: f64,
    coefs: Vec<(usize, f64)>,
    b: f64,
}

/// Solves one component in place. Variables: one x per unit (a chain of side-by-side partners
/// keeps its minimum spacing). The energy, a convex quadratic, is
///
/// - `(drop point − mean of the children)²` per family with children: parents over their
///   children and children under their parents, without making wide sibships costly,
/// - plus small `(slack)²` terms between consecutive siblings and between neighbouring units,
///   so nothing spreads without a reason, and a tiny pull to the packed start,
///
/// minimised under the rows' minimum distances by accelerated projected gradient descent
/// (FISTA; the projection onto a row's constraints is an isotonic regression).
fn solve_component(m: &Model, rows: &[Vec<usize>], met: &Metrics, x: &mut [f64]) {
    let blocks: Vec<Block> = rows
        .iter()
        .map(|row| {
            let mut offs = Vec::with_capacity(row.len());
            let mut units = Vec::new();
            let mut acc = 0.0;
            let mut start = 0;
            for (i, &p) in row.iter().enumerate() {
                if i > 0 {
                    acc += met.sep(m, row[i - 1], p);
                    if !m.aligned_partners(row[i - 1], p) {
                        units.push(start..i);
                        start = i;
                    }
                }
                offs.push(acc);
            }
            if !row.is_empty() {
                units.push(start..row.len());
            }
            Block { people: row.clone(), offs, units }
        })
        .collect();
    // Global unit numbering; each person's unit and offset in it.
    let mut unit_first: Vec<usize> = Vec::new(); // unit -> first person
    let mut unit_row_start = Vec::new(); // row -> first unit index
    let mut unit_of = vec![usize::MAX; m.n];
    let mut off = vec![0.0; m.n];
    let mut row_of = vec![usize::MAX; m.n];
    for (r, b) in blocks.iter().enumerate() {
        unit_row_start.push(unit_first.len());
        for range in &b.units {
            let u = unit_first.len();
            unit_first.push(b.people[range.start]);
            for i in range.clone() {
                let p = b.people[i];
                unit_of[p] = u;
                off[p] = b.offs[i] - b.offs[range.start];
                row_of[p] = r;
            }
        }
    }
    unit_row_start.push(unit_first.len());
    let nu = unit_first.len();
    if nu == 0 {
        return;
    }
    // Start: every row packed and centred on the widest one.
    let widest = blocks.iter().map(|b| b.offs.last().copied().unwrap_or(0.0)).fold(0.0, f64::max);
    let mut xu = vec![0.0; nu];
    let mut uoffs = vec![0.0; nu]; // minimum distance from the row's first unit
    for (r, b) in blocks.iter().enumerate() {
        let w = b.offs.last().copied().unwrap_or(0.0);
        for (k, range) in b.units.iter().enumerate() {
            let u = unit_row_start[r] + k;
            uoffs[u] = b.offs[range.start];
            xu[u] = b.offs[range.start] + (widest - w) / 2.0;
        }
    }
    let start = xu.clone();

    let mut terms: Vec<Term> = Vec::new();
    for u in 0..m.unions.len() {
        let un = &m.unions[u];
        let children: Vec<usize> = m.primary_children(u).filter(|&c| unit_of[c] != usize::MAX).collect();
        if children.is_empty() || un.partners.is_empty() || un.partners.iter().any(|&p| unit_of[p] == usize::MAX) {
            continue;
        }
        let (np, k) = (un.partners.len() as f64, children.len() as f64);
        let mut coefs = Vec::new();
        let mut b = 0.0;
        for &p in &un.partners {
            coefs.push((unit_of[p], 1.0 / np));
            b -= off[p] / np;
        }
        if let [p] = un.partners[..] {
            b -= met.stub[p].unwrap_or(0.0);
        }
        for &c in &children {
            coefs.push((unit_of[c], -1.0 / k));
            b += off[c] / k;
        }
        terms.push(Term { w: W_FAMILY, coefs, b });
        // Consecutive siblings in a row (different units): their slack.
        let mut sorted = children.clone();
        sorted.sort_by_key(|&c| (row_of[c], unit_of[c]));
        for w in sorted.windows(2) {
            let (c1, c2) = (w[0], w[1]);
            if row_of[c1] == row_of[c2] && unit_of[c1] != unit_of[c2] {
                let (u1, u2) = (unit_of[c1], unit_of[c2]);
                terms.push(Term { w: W_SIB, coefs: vec![(u2, 1.0), (u1, -1.0)], b: uoffs[u2] - uoffs[u1] });
            }
        }
    }
    for r in 0..blocks.len() {
        for u in unit_row_start[r]..unit_row_start[r + 1] {
            if u + 1 < unit_row_start[r + 1] {
                terms.push(Term { w: W_GAP, coefs: vec![(u + 1, 1.0), (u, -1.0)], b: uoffs[u + 1] - uoffs[u] });
            }
            terms.push(Term { w: W_ANCHOR, coefs: vec![(u, 1.0)], b: start[u] });
        }
    }
    // Lipschitz constant of the gradient (Gershgorin bound on the Hessian).
    let mut rowsum = vec![0.0; nu];
    for t in &terms {
        let total: f64 = t.coefs.iter().map(|(_, c)| c.abs()).sum();
        for &(u, c) in &t.coefs {
            rowsum[u] += 2.0 * t.w * c.abs() * total;
        }
    }
    let lip = rowsum.iter().copied().fold(1e-9, f64::max);

    let project = |v: &mut [f64]| {
        for r in 0..blocks.len() {
            let (a, b) = (unit_row_start[r], unit_row_start[r + 1]);
            if a == b {
                continue;
            }
            let ones = vec![1.0; b - a];
            let solved = isotonic(&v[a..b], &ones, &uoffs[a..b]);
            v[a..b].copy_from_slice(&solved);
        }
    };
    let mut y = xu.clone();
    let mut grad = vec![0.0; nu];
    let mut t = 1.0f64;
    for it in 0..MAX_ITERATIONS {
        grad.iter_mut().for_each(|g| *g = 0.0);
        for term in &terms {
            let r: f64 = term.coefs.iter().map(|&(u, c)| c * y[u]).sum::<f64>() - term.b;
            for &(u, c) in &term.coefs {
                grad[u] += 2.0 * term.w * c * r;
            }
        }
        let mut next: Vec<f64> = (0..nu).map(|u| y[u] - grad[u] / lip).collect();
        project(&mut next);
        let moved = (0..nu).map(|u| (next[u] - xu[u]).abs()).fold(0.0, f64::max);
        let t_next = (1.0 + (1.0 + 4.0 * t * t).sqrt()) / 2.0;
        let beta = (t - 1.0) / t_next;
        for u in 0..nu {
            y[u] = next[u] + beta * (next[u] - xu[u]);
        }
        // The extrapolated point must satisfy the constraints too.
        project(&mut y);
        xu = next;
        t = t_next;
        if moved < TOLERANCE && it > 10 {
            break;
        }
    }
    for p in 0..m.n {
        if unit_of[p] != usize::MAX {
            x[p] = xu[unit_of[p]] + off[p];
        }
    }
    // The projection already keeps every minimum distance; make it exact to the last bit.
    for b in &blocks {
        for i in 1..b.people.len() {
            let (l, r) = (b.people[i - 1], b.people[i]);
            let min = x[l] + (b.offs[i] - b.offs[i - 1]);
            if x[r] < min {
                x[r] = min;
            }
        }
    }
}

/// Positions closest (weighted least squares) to `targets` with `x[i+1] - x[i] >= offs[i+1] -
/// offs[i]`: substitute `y = x - offs`, fit a non-decreasing `y` by pool-adjacent-violators.
pub(crate) fn isotonic(targets: &[f64], weights: &[f64], offs: &[f64]) -> Vec<f64> {
    // (sum of weights, weighted sum, count)
    let mut pools: Vec<(f64, f64, usize)> = Vec::with_capacity(targets.len());
    for i in 0..targets.len() {
        pools.push((weights[i], weights[i] * (targets[i] - offs[i]), 1));
        while pools.len() >= 2 {
            let (w2, s2, c2) = pools[pools.len() - 1];
            let (w1, s1, c1) = pools[pools.len() - 2];
            if s1 / w1 <= s2 / w2 {
                break;
            }
            pools.pop();
            *pools.last_mut().expect("two pools") = (w1 + w2, s1 + s2, c1 + c2);
        }
    }
    let mut out = Vec::with_capacity(targets.len());
    for (w, s, c) in pools {
        let y = s / w;
        for _ in 0..c {
            let i = out.len();
            out.push(y + offs[i]);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::isotonic;

    #[test]
    fn isotonic_keeps_order_and_distance() {
        let x = isotonic(&[10.0, 0.0, 5.0], &[1.0, 1.0, 1.0], &[0.0, 10.0, 20.0]);
        for w in x.windows(2) {
            assert!(w[1] - w[0] >= 10.0 - 1e-9, "{x:?}");
        }
        // Unconstrained targets are met exactly.
        let y = isotonic(&[0.0, 50.0], &[1.0, 1.0], &[0.0, 10.0]);
        assert_eq!(y, vec![0.0, 50.0]);
    }
}
