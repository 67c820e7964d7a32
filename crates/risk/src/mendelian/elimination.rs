//! Elimination order and junction tree.
//!
//! The moral graph links each variable to its (genetically relevant) parents and the parents to
//! each other. Variables are eliminated greedily by minimum fill-in (ties: smaller clique
//! table, then lower index), which on a pedigree peels leaves and founders first — the
//! Elston–Stewart order where the pedigree has no loops — and finds small cut sets around
//! loops. Eliminating `v` creates the clique `{v} ∪ N(v)`; its separator `N(v)` links it to
//! the clique of the separator variable eliminated next, which yields a junction tree
//! (Lauritzen & Spiegelhalter 1988; Koller & Friedman 2009, §10.4). Every family factor goes to
//! the clique of its first-eliminated variable, which contains the whole family.
//!
//! Table sizes are checked against [`Limits`] while the order is chosen, before any table is
//! allocated; since no accepted clique can exceed `max_clique_states`, no variable is
//! eliminated with more than log2 of it neighbours, so fill-in (and the graph's memory) stays
//! linear in the number of variables.

use super::factor::{sub_strides, MAX_CLIQUE_VARS};
use super::{Limits, RiskError};
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// One clique of the junction tree. Its variables are its separator's (ascending) followed by
/// the variable whose elimination created it, so the separator table is the clique table
/// summed over contiguous blocks.
#[derive(Debug, Clone)]
pub(crate) struct Clique {
    pub vstart: usize,
    pub vlen: usize,
    pub offset: usize,
    pub size: usize,
    pub sep_offset: usize,
    pub sep_size: usize,
    pub parent: Option<u32>,
    /// Start in [`Tree::pstrides`] of the strides, per variable of the parent clique, into this
    /// clique's separator table.
    pub pstart: usize,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Tree {
    /// In elimination order: children before parents.
    pub cliques: Vec<Clique>,
    pub vars: Vec<u32>,
    pub cards: Vec<usize>,
    pub pstrides: Vec<usize>,
    /// Per variable: the clique its elimination created (the variable is that clique's last).
    pub clique_of: Vec<u32>,
    /// Per variable: the clique its family factor multiplies into and the start, in
    /// `fstrides`, of the strides (per variable of that clique) into the family table.
    pub family_clique: Vec<u32>,
    pub fstart: Vec<usize>,
    pub fstrides: Vec<usize>,
    /// Entries of all clique tables and of all separator tables.
    pub table_len: usize,
    pub sep_len: usize,
    pub max_clique_states: u64,
}

impl Tree {
    pub fn clique_vars(&self, c: &Clique) -> &[u32] {
        &self.vars[c.vstart..c.vstart + c.vlen]
    }

    pub fn clique_cards(&self, c: &Clique) -> &[usize] {
        &self.cards[c.vstart..c.vstart + c.vlen]
    }
}

/// Builds the junction tree of `n` variables with `cards`, whose family factor of variable `v`
/// ranges over `family(v)` = its genetically relevant parents followed by `v` itself.
pub(crate) fn build(cards: &[usize], families: &[([Option<u32>; 2], u32)], limits: &Limits) -> Result<Tree, RiskError> {
    let n = cards.len();
    let mut adj: Vec<Vec<u32>> = vec![Vec::new(); n];
    let link = |adj: &mut Vec<Vec<u32>>, a: u32, b: u32| {
        if a == b {
            return;
        }
        if let Err(p) = adj[a as usize].binary_search(&b) {
            adj[a as usize].insert(p, b);
        }
        if let Err(p) = adj[b as usize].binary_search(&a) {
            adj[b as usize].insert(p, a);
        }
    };
    for &(parents, v) in families {
        let ps: Vec<u32> = parents.iter().flatten().copied().collect();
        for &p in &ps {
            link(&mut adj, p, v);
        }
        if ps.len() == 2 {
            link(&mut adj, ps[0], ps[1]);
        }
    }

    let score = |adj: &Vec<Vec<u32>>, u: usize| -> (bool, u64, u64) {
        let nb = &adj[u];
        let mut weight = cards[u] as u64;
        for &w in nb {
            weight = weight.saturating_mul(cards[w as usize] as u64);
        }
        let over = weight > limits.max_clique_states || nb.len() + 1 > MAX_CLIQUE_VARS;
        if over {
            // Not eligible now; fill is irrelevant.
            return (true, u64::MAX, weight);
        }
        let mut fill = 0u64;
        for (i, &a) in nb.iter().enumerate() {
            let na = &adj[a as usize];
            for &b in &nb[i + 1..] {
                if na.binary_search(&b).is_err() {
                    fill += 1;
                }
            }
        }
        (false, fill, weight)
    };

    let mut stamp = vec![0u32; n];
    let mut heap = BinaryHeap::with_capacity(n);
    for u in 0..n {
        let (over, fill, weight) = score(&adj, u);
        heap.push(Reverse((over, fill, weight, u as u32, 0u32)));
    }
    let mut eliminated = vec![false; n];
    let mut order: Vec<u32> = Vec::with_capacity(n);
    let mut clique_vars: Vec<u32> = Vec::new();
    let mut cstart: Vec<usize> = Vec::with_capacity(n + 1);
    let mut total: u64 = 0;
    let mut max_clique = 0u64;
    let mut touched: Vec<u32> = Vec::new();
    let mut mark = vec![u32::MAX; n];

    while let Some(Reverse((_, _, weight, u, st))) = heap.pop() {
        let u = u as usize;
        if eliminated[u] || st != stamp[u] {
            continue;
        }
        let nb = std::mem::take(&mut adj[u]);
        if weight > limits.max_clique_states || nb.len() + 1 > MAX_CLIQUE_VARS {
            return Err(RiskError::TooComplex { clique_states: weight, limit: limits.max_clique_states });
        }
        let sep = weight / cards[u] as u64;
        total = total.saturating_add(weight).saturating_add(sep);
        if total > limits.max_total_states {
            return Err(RiskError::TooMuchMemory { table_entries: total, limit: limits.max_total_states });
        }
        max_clique = max_clique.max(weight);
        cstart.push(clique_vars.len());
        clique_vars.extend_from_slice(&nb);
        clique_vars.push(u as u32);
        order.push(u as u32);
        eliminated[u] = true;

        let mut filled = false;
        for i in 0..nb.len() {
            for j in i + 1..nb.len() {
                let (a, b) = (nb[i] as usize, nb[j] as usize);
                if let Err(p) = adj[a].binary_search(&nb[j]) {
                    adj[a].insert(p, nb[j]);
                    let q = adj[b].binary_search(&nb[i]).unwrap_err();
                    adj[b].insert(q, nb[i]);
                    filled = true;
                }
            }
        }
        for &w in &nb {
            let list = &mut adj[w as usize];
            if let Ok(p) = list.binary_search(&(u as u32)) {
                list.remove(p);
            }
        }
        touched.clear();
        let gen = order.len() as u32;
        for &w in &nb {
            if mark[w as usize] != gen {
                mark[w as usize] = gen;
                touched.push(w);
            }
            if filled {
                for &x in &adj[w as usize] {
                    if mark[x as usize] != gen {
                        mark[x as usize] = gen;
                        touched.push(x);
                    }
                }
            }
        }
        for &t in &touched {
            let t = t as usize;
            stamp[t] = stamp[t].wrapping_add(1);
            let (over, fill, weight) = score(&adj, t);
            heap.push(Reverse((over, fill, weight, t as u32, stamp[t])));
        }
    }
    cstart.push(clique_vars.len());
    drop(adj);
    drop(heap);

    let mut pos = vec![0u32; n];
    for (i, &v) in order.iter().enumerate() {
        pos[v as usize] = i as u32;
    }
    let mut tree = Tree {
        cliques: Vec::with_capacity(n),
        vars: clique_vars,
        cards: Vec::new(),
        pstrides: Vec::new(),
        clique_of: vec![0; n],
        family_clique: vec![0; n],
        fstart: vec![0; n],
        fstrides: Vec::new(),
        table_len: 0,
        sep_len: 0,
        max_clique_states: max_clique,
    };
    tree.cards = tree.vars.iter().map(|&v| cards[v as usize]).collect();
    let (mut offset, mut sep_offset) = (0usize, 0usize);
    for i in 0..n {
        let (vstart, vend) = (cstart[i], cstart[i + 1]);
        let vlen = vend - vstart;
        let size: usize = tree.cards[vstart..vend].iter().product();
        let sep_size = size / tree.cards[vend - 1];
        let parent = tree.vars[vstart..vend - 1].iter().map(|&w| pos[w as usize]).min();
        tree.cliques.push(Clique { vstart, vlen, offset, size, sep_offset, sep_size, parent, pstart: 0 });
        tree.clique_of[order[i] as usize] = i as u32;
        offset += size;
        sep_offset += sep_size;
    }
    tree.table_len = offset;
    tree.sep_len = sep_offset;
    // Strides from each parent clique into the child's separator.
    let mut pstrides = Vec::new();
    for i in 0..n {
        let c = &tree.cliques[i];
        if let Some(p) = c.parent {
            let pc = &tree.cliques[p as usize];
            let start = pstrides.len();
            pstrides.resize(start + pc.vlen, 0);
            let sep = &tree.vars[c.vstart..c.vstart + c.vlen - 1];
            let sep_cards = &tree.cards[c.vstart..c.vstart + c.vlen - 1];
            sub_strides(tree.clique_vars(pc), sep, sep_cards, &mut pstrides[start..]);
            tree.cliques[i].pstart = start;
        }
    }
    tree.pstrides = pstrides;
    // Family factors.
    let mut fstrides = Vec::new();
    for &(parents, v) in families {
        let mut fvars = [0u32; 3];
        let mut fcards = [0usize; 3];
        let mut k = 0;
        for p in parents.iter().flatten() {
            fvars[k] = *p;
            fcards[k] = cards[*p as usize];
            k += 1;
        }
        fvars[k] = v;
        fcards[k] = cards[v as usize];
        k += 1;
        let target = fvars[..k].iter().map(|&w| pos[w as usize]).min().unwrap_or(0);
        let c = &tree.cliques[target as usize];
        let start = fstrides.len();
        fstrides.resize(start + c.vlen, 0);
        sub_strides(tree.clique_vars(c), &fvars[..k], &fcards[..k], &mut fstrides[start..]);
        tree.family_clique[v as usize] = target;
        tree.fstart[v as usize] = start;
    }
    tree.fstrides = fstrides;
    Ok(tree)
}
