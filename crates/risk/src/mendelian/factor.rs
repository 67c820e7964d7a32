//! Dense tables over genotype variables, stored row-major (the last variable varies fastest),
//! and the one index walk every table operation of the junction tree is built on: visiting
//! each entry of a table together with the matching entry of a table over a subset of its
//! variables.

/// Most variables one clique may hold. Every variable has at least two states, so a clique
/// with more variables would have more than 2^48 entries and could never be allocated; the
/// elimination refuses it before any table exists.
pub(crate) const MAX_CLIQUE_VARS: usize = 48;

/// Writes into `out[i]` the stride, in a table over `sub` (row-major, cardinalities
/// `sub_cards`), of the variable `vars[i]`, or 0 when `vars[i]` is not in `sub`.
pub(crate) fn sub_strides(vars: &[u32], sub: &[u32], sub_cards: &[usize], out: &mut [usize]) {
    debug_assert!(sub.len() <= MAX_CLIQUE_VARS && vars.len() <= out.len());
    let mut strides = [0usize; MAX_CLIQUE_VARS];
    let mut stride = 1;
    for j in (0..sub.len()).rev() {
        strides[j] = stride;
        stride *= sub_cards[j];
    }
    for (i, v) in vars.iter().enumerate() {
        out[i] = sub.iter().position(|s| s == v).map_or(0, |j| strides[j]);
    }
}

/// Calls `f(i, j)` for every entry `i` of the table with cardinalities `cards`, `j` being the
/// index of the entry with the same values of the shared variables in the sub-table whose
/// strides (per variable of the big table, 0 for variables it lacks) are `strides`.
#[inline]
pub(crate) fn for_each_mapped(cards: &[usize], strides: &[usize], mut f: impl FnMut(usize, usize)) {
    let k = cards.len();
    if k == 0 {
        f(0, 0);
        return;
    }
    let last = k - 1;
    let (inner, inner_stride) = (cards[last], strides[last]);
    let total: usize = cards.iter().product();
    let mut digits = [0usize; MAX_CLIQUE_VARS];
    let mut j = 0usize;
    let mut i = 0usize;
    while i < total {
        for d in 0..inner {
            f(i + d, j + d * inner_stride);
        }
        i += inner;
        let mut p = last;
        while p > 0 {
            p -= 1;
            digits[p] += 1;
            j += strides[p];
            if digits[p] < cards[p] {
                break;
            }
            j -= strides[p] * cards[p];
            digits[p] = 0;
        }
    }
}

/// `table[i] *= sub[j]` over the mapping of [`for_each_mapped`].
pub(crate) fn multiply_in(table: &mut [f64], cards: &[usize], strides: &[usize], sub: &[f64]) {
    for_each_mapped(cards, strides, |i, j| table[i] *= sub[j]);
}

/// `out[j] = Σ table[i]` over the mapping of [`for_each_mapped`] (marginalisation onto the
/// sub-table's variables).
pub(crate) fn marginalize(table: &[f64], cards: &[usize], strides: &[usize], out: &mut [f64]) {
    out.iter_mut().for_each(|x| *x = 0.0);
    for_each_mapped(cards, strides, |i, j| out[j] += table[i]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mapping_matches_explicit_indexing() {
        // Table over (x0: 2, x1: 3, x2: 5); sub-table over (x2, x0).
        let vars = [10u32, 11, 12];
        let cards = [2usize, 3, 5];
        let mut strides = [0usize; 3];
        sub_strides(&vars, &[12, 10], &[5, 2], &mut strides);
        assert_eq!(strides, [1, 0, 2]);
        let mut seen = vec![];
        for_each_mapped(&cards, &strides, |i, j| seen.push((i, j)));
        assert_eq!(seen.len(), 30);
        for (i, j) in seen {
            let (a, b, c) = (i / 15, (i / 5) % 3, i % 5);
            let _ = b;
            assert_eq!(j, c * 2 + a);
        }
    }

    #[test]
    fn marginal_sums() {
        let cards = [2usize, 3];
        let table: Vec<f64> = (0..6).map(|x| x as f64).collect();
        let mut strides = [0usize; 2];
        sub_strides(&[0, 1], &[0], &[2], &mut strides);
        let mut out = [0.0; 2];
        marginalize(&table, &cards, &strides, &mut out);
        assert_eq!(out, [3.0, 12.0]);
    }
}
