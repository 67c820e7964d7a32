//! Hugin propagation on the junction tree (Jensen, Lauritzen & Olesen 1990): a collect pass in
//! elimination order (children before parents; each message is the clique table summed over
//! its eliminated variable, normalised, its log-sum added to log P(evidence)) and a distribute
//! pass in reverse order (each child multiplied by new separator ÷ old separator, 0/0 = 0),
//! after which every clique table, normalised, is the posterior of its variables. All tables
//! live in two flat buffers allocated once per tree.

use super::elimination::Tree;
use super::factor::{marginalize, multiply_in};

pub(crate) struct Propagator<'t> {
    tree: &'t Tree,
    table: Vec<f64>,
    sep: Vec<f64>,
    scratch: Vec<f64>,
}

/// The evidence has probability 0: the clique where a message summed to 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ZeroLikelihood;

impl<'t> Propagator<'t> {
    pub fn new(tree: &'t Tree) -> Propagator<'t> {
        let max_sep = tree.cliques.iter().map(|c| c.sep_size).max().unwrap_or(1);
        Propagator { tree, table: vec![1.0; tree.table_len], sep: vec![0.0; tree.sep_len], scratch: vec![0.0; max_sep] }
    }

    /// Sets every clique table to 1 (before the factors are multiplied in).
    pub fn reset(&mut self) {
        self.table.iter_mut().for_each(|x| *x = 1.0);
    }

    /// Multiplies the family factor of `v` (a table over its parents then `v`) into its clique.
    pub fn multiply_family(&mut self, v: u32, values: &[f64]) {
        let t = self.tree;
        let c = &t.cliques[t.family_clique[v as usize] as usize];
        let start = t.fstart[v as usize];
        multiply_in(
            &mut self.table[c.offset..c.offset + c.size],
            t.clique_cards(c),
            &t.fstrides[start..start + c.vlen],
            values,
        );
    }

    /// Multiplies a factor over `v` alone into the clique `v`'s elimination created (where `v`
    /// is the last, fastest-varying variable).
    pub fn multiply_unary(&mut self, v: u32, values: &[f64]) {
        let t = self.tree;
        let c = &t.cliques[t.clique_of[v as usize] as usize];
        let card = values.len();
        for block in self.table[c.offset..c.offset + c.size].chunks_exact_mut(card) {
            for (x, y) in block.iter_mut().zip(values) {
                *x *= y;
            }
        }
    }

    /// The collect pass; returns ln P(evidence).
    pub fn collect(&mut self) -> Result<f64, ZeroLikelihood> {
        let t = self.tree;
        let mut log_z = 0.0;
        for c in &t.cliques {
            let card = t.cards[c.vstart + c.vlen - 1];
            let sep = &mut self.sep[c.sep_offset..c.sep_offset + c.sep_size];
            let tab = &self.table[c.offset..c.offset + c.size];
            let mut sum = 0.0;
            for (s, block) in sep.iter_mut().zip(tab.chunks_exact(card)) {
                *s = block.iter().sum();
                sum += *s;
            }
            if sum.is_nan() || sum <= 0.0 || sum.is_infinite() {
                return Err(ZeroLikelihood);
            }
            let inv = 1.0 / sum;
            sep.iter_mut().for_each(|s| *s *= inv);
            log_z += sum.ln();
            if let Some(p) = c.parent {
                let pc = &t.cliques[p as usize];
                multiply_in(
                    &mut self.table[pc.offset..pc.offset + pc.size],
                    t.clique_cards(pc),
                    &t.pstrides[c.pstart..c.pstart + pc.vlen],
                    &self.sep[c.sep_offset..c.sep_offset + c.sep_size],
                );
            }
        }
        Ok(log_z)
    }

    /// The distribute pass (after a successful collect): every clique table becomes its
    /// normalised posterior.
    pub fn distribute(&mut self) {
        let t = self.tree;
        for c in t.cliques.iter().rev() {
            if let Some(p) = c.parent {
                let pc = &t.cliques[p as usize];
                let fresh = &mut self.scratch[..c.sep_size];
                marginalize(
                    &self.table[pc.offset..pc.offset + pc.size],
                    t.clique_cards(pc),
                    &t.pstrides[c.pstart..c.pstart + pc.vlen],
                    fresh,
                );
                let card = t.cards[c.vstart + c.vlen - 1];
                let old = &self.sep[c.sep_offset..c.sep_offset + c.sep_size];
                let tab = &mut self.table[c.offset..c.offset + c.size];
                for ((block, &o), &f) in tab.chunks_exact_mut(card).zip(old).zip(fresh.iter()) {
                    let ratio = if o > 0.0 { f / o } else { 0.0 };
                    block.iter_mut().for_each(|x| *x *= ratio);
                }
            }
            let tab = &mut self.table[c.offset..c.offset + c.size];
            let sum: f64 = tab.iter().sum();
            if sum > 0.0 {
                let inv = 1.0 / sum;
                tab.iter_mut().for_each(|x| *x *= inv);
            }
        }
    }

    /// Posterior of variable `v` (after [`Propagator::distribute`]), written to `out`.
    pub fn marginal(&self, v: u32, out: &mut [f64]) {
        let t = self.tree;
        let c = &t.cliques[t.clique_of[v as usize] as usize];
        let card = out.len();
        out.iter_mut().for_each(|x| *x = 0.0);
        for block in self.table[c.offset..c.offset + c.size].chunks_exact(card) {
            for (o, x) in out.iter_mut().zip(block) {
                *o += x;
            }
        }
        let sum: f64 = out.iter().sum();
        if sum > 0.0 {
            out.iter_mut().for_each(|x| *x /= sum);
        }
    }
}
