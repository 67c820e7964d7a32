//! Left-to-right order of the people in each row.
//!
//! A depth-first walk over unions that only ever *appends* to rows, so the order is structural
//! and deterministic (input order, birth order; no hashing, no numeric sorting that a new
//! relative could tip over):
//!
//! - It starts at the highest union whose partners have no parents in the drawing (first in
//!   input order among equals).
//! - Visiting a union places its partners if they are not placed yet — a partner with parents
//!   in the drawing brings their whole parental family along (parents above, siblings beside):
//!   that is how a spouse's family ends up on the spouse's side — then appends its children's
//!   sibship to the row below, in birth order, twins together. Each child comes with the
//!   partners who have no parents in the drawing ("married-in" spouses) beside them: one spouse
//!   to the right, two or more on both sides (the person between their partners).
//! - Then it visits the unions of everyone it just placed, left to right by where the union line
//!   will be, and last the descendants of any family brought along, so those land further right.
//! - A child whose partner comes from another sibship in the drawing moves to the end of their
//!   sibship facing that partner (unless `strict_birth_order`), so cousins who marry stand side
//!   by side.
//!
//! Adding a relative inserts them (and what hangs off them) into this sequence without
//! reordering anyone else.

use crate::model::Model;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Left,
    Right,
}

pub(crate) struct Order {
    /// Person indices per row, left to right.
    pub rows: Vec<Vec<usize>>,
    /// When each person was placed (0, 1, 2... in walk order).
    pub seq: Vec<usize>,
}

struct Orderer<'m, 'a> {
    m: &'m Model<'a>,
    row: &'m [usize],
    strict: bool,
    placed: Vec<bool>,
    visited: Vec<bool>,
    rows: Vec<Vec<usize>>,
    pos: Vec<usize>,
    seq: Vec<usize>,
    count: usize,
}

pub(crate) fn order(m: &Model, row: &[usize], strict: bool) -> Order {
    let nrows = row.iter().copied().max().map_or(0, |r| r + 1);
    let mut o = Orderer {
        m,
        row,
        strict,
        placed: vec![false; m.n],
        visited: vec![false; m.unions.len()],
        rows: vec![Vec::new(); nrows],
        pos: vec![0; m.n],
        seq: vec![0; m.n],
        count: 0,
    };
    // Roots: unions whose partners have no parents here, highest first, then input order.
    let union_row = |u: usize| -> usize {
        let un = &m.unions[u];
        match un.partners.first() {
            Some(&p) => row[p],
            None => un.children.iter().map(|&(c, _)| row[c]).min().unwrap_or(0),
        }
    };
    let mut roots: Vec<usize> =
        (0..m.unions.len()).filter(|&u| m.unions[u].partners.iter().all(|&p| m.is_founder(p))).collect();
    roots.sort_by_key(|&u| (union_row(u), u));
    for u in roots {
        o.visit(u);
    }
    for u in 0..m.unions.len() {
        o.visit(u);
    }
    for p in 0..m.n {
        if !o.placed[p] {
            let cluster = o.place_cluster(p, None, Side::Right);
            o.descend(&cluster);
        }
    }
    Order { rows: o.rows, seq: o.seq }
}

impl Orderer<'_, '_> {
    fn place(&mut self, p: usize) {
        let r = self.row[p];
        self.pos[p] = self.rows[r].len();
        self.rows[r].push(p);
        self.placed[p] = true;
        self.seq[p] = self.count;
        self.count += 1;
    }

    fn visit(&mut self, u: usize) {
        if self.visited[u] {
            return;
        }
        self.visited[u] = true;
        let mut tasks = Vec::new();
        for p in self.m.unions[u].partners.clone() {
            self.ensure_placed(p, Some(u), &mut tasks);
        }
        let placed = self.place_sibship(u);
        self.descend(&placed);
        // Then what hangs off the families brought along with the partners.
        for people in tasks {
            self.descend(&people);
        }
    }

    /// Visits the unions of `people`, left to right by where their union lines are.
    fn descend(&mut self, people: &[usize]) {
        for v in self.sorted_unions(people) {
            self.visit(v);
        }
    }

    fn sorted_unions(&self, people: &[usize]) -> Vec<usize> {
        let mut unions: Vec<usize> = Vec::new();
        for &p in people {
            for &u in self.m.partner_of[p].iter().chain(self.m.child_of[p].iter()) {
                if !self.visited[u] && !unions.contains(&u) {
                    unions.push(u);
                }
            }
        }
        // Key: unions with a partner still to be placed (who will be appended to the right)
        // last; otherwise by the mean position of their partners; a single partner's line goes
        // to the right of them.
        let key = |u: usize| -> (bool, f64, usize) {
            let un = &self.m.unions[u];
            let placed: Vec<f64> =
                un.partners.iter().filter(|&&p| self.placed[p]).map(|&p| self.pos[p] as f64).collect();
            let pending = placed.len() < un.partners.len();
            let mean = if placed.is_empty() {
                f64::MAX
            } else if un.partners.len() == 1 {
                placed[0] + 0.5
            } else {
                placed.iter().sum::<f64>() / placed.len() as f64
            };
            (pending, mean, u)
        };
        let mut keyed: Vec<_> = unions.into_iter().map(|u| (key(u), u)).collect();
        keyed.sort_by(|a, b| a.0 .0.cmp(&b.0 .0).then(a.0 .1.total_cmp(&b.0 .1)).then(a.0 .2.cmp(&b.0 .2)));
        keyed.into_iter().map(|(_, u)| u).collect()
    }

    /// Places `p` if needed: with their parental family if they have one in the drawing,
    /// otherwise as a cluster of partners without parents. `via` is the union being visited.
    fn ensure_placed(&mut self, p: usize, via: Option<usize>, tasks: &mut Vec<Vec<usize>>) {
        if self.placed[p] {
            return;
        }
        if let Some(w) = self.m.primary(p) {
            if !self.visited[w] {
                self.visited[w] = true;
                let mut up = Vec::new();
                for q in self.m.unions[w].partners.clone() {
                    self.ensure_placed(q, Some(w), &mut up);
                }
                let placed = self.place_sibship(w);
                // This family's descendants first, then the families above it.
                tasks.push(placed);
                tasks.extend(up);
            }
        }
        if !self.placed[p] {
            let cluster = self.place_cluster(p, via, Side::Right);
            tasks.push(cluster);
        }
    }

    /// Appends `anchor` and their partners without parents in the drawing (and theirs, and so
    /// on): one such partner on `single`'s side, several alternating left and right starting on
    /// the left, the partner in `first` (the union being visited) first. Returns them left to
    /// right.
    fn place_cluster(&mut self, anchor: usize, first: Option<usize>, single: Side) -> Vec<usize> {
        let m = self.m;
        let mut unions = m.partner_of[anchor].clone();
        if let Some(f) = first {
            if let Some(i) = unions.iter().position(|&u| u == f) {
                let f = unions.remove(i);
                unions.insert(0, f);
            }
        }
        let mut in_cluster = vec![anchor];
        let mut direct = Vec::new();
        for &u in &unions {
            let un = &m.unions[u];
            if !un.aligned {
                continue;
            }
            for &q in &un.partners {
                if q != anchor && !self.placed[q] && m.is_founder(q) && !in_cluster.contains(&q) {
                    in_cluster.push(q);
                    direct.push(q);
                }
            }
        }
        let (mut left, mut right) = (Vec::new(), Vec::new());
        let count = direct.len();
        for (k, q) in direct.into_iter().enumerate() {
            let side = if count == 1 {
                single
            } else if k % 2 == 0 {
                Side::Left
            } else {
                Side::Right
            };
            let list = if side == Side::Left { &mut left } else { &mut right };
            list.push(q);
            self.extend_cluster(q, list, &mut in_cluster);
        }
        let mut seq: Vec<usize> = left.into_iter().rev().collect();
        seq.push(anchor);
        seq.extend(right);
        for &p in &seq {
            self.place(p);
        }
        seq
    }

    fn extend_cluster(&self, q: usize, list: &mut Vec<usize>, in_cluster: &mut Vec<usize>) {
        let m = self.m;
        for &u in &m.partner_of[q] {
            if !m.unions[u].aligned {
                continue;
            }
            for &w in &m.unions[u].partners {
                if w != q && !self.placed[w] && m.is_founder(w) && !in_cluster.contains(&w) {
                    in_cluster.push(w);
                    list.push(w);
                    self.extend_cluster(w, list, in_cluster);
                }
            }
        }
    }

    /// Which end of their sibship a child should stand at: towards a partner from another
    /// sibship (already placed: left; to be placed later, so to the right: right).
    fn facing(&self, c: usize, sibs: &[usize]) -> Option<Side> {
        let m = self.m;
        let mut right = false;
        for &u in &m.partner_of[c] {
            if !m.unions[u].aligned {
                continue;
            }
            for &q in &m.unions[u].partners {
                if q == c || sibs.contains(&q) {
                    continue;
                }
                if self.placed[q] {
                    return Some(Side::Left);
                }
                if !m.is_founder(q) {
                    right = true;
                }
            }
        }
        right.then_some(Side::Right)
    }

    /// Appends the children drawn under union `u` (with their clusters); returns everyone placed.
    fn place_sibship(&mut self, u: usize) -> Vec<usize> {
        let m = self.m;
        let kids: Vec<usize> = m.primary_children(u).filter(|&c| !self.placed[c]).collect();
        if kids.is_empty() {
            return Vec::new();
        }
        // Units: single children, or twin groups kept together at the first twin's place.
        let un = &m.unions[u];
        let mut units: Vec<Vec<usize>> = Vec::new();
        let mut done_groups = Vec::new();
        for &c in &kids {
            match un.twin_group(c) {
                Some(g) => {
                    if !done_groups.contains(&g) {
                        done_groups.push(g);
                        units.push(un.twins[g].0.iter().copied().filter(|t| kids.contains(t)).collect());
                    }
                }
                None => units.push(vec![c]),
            }
        }
        let mut right_unit = None;
        if !self.strict {
            let facing: Vec<Vec<Option<Side>>> =
                units.iter().map(|unit| unit.iter().map(|&c| self.facing(c, &kids)).collect()).collect();
            let left = facing.iter().position(|f| f.contains(&Some(Side::Left)));
            let right = facing.iter().enumerate().position(|(i, f)| Some(i) != left && f.contains(&Some(Side::Right)));
            let mut moved: Vec<Vec<usize>> = Vec::with_capacity(units.len());
            if let Some(l) = left {
                let mut unit = units[l].clone();
                if let Some(i) = facing[l].iter().position(|f| *f == Some(Side::Left)) {
                    let c = unit.remove(i);
                    unit.insert(0, c);
                }
                moved.push(unit);
            }
            for (i, unit) in units.iter().enumerate() {
                if Some(i) != left && Some(i) != right {
                    moved.push(unit.clone());
                }
            }
            if let Some(r) = right {
                let mut unit = units[r].clone();
                if let Some(i) = facing[r].iter().position(|f| *f == Some(Side::Right)) {
                    let c = unit.remove(i);
                    unit.push(c);
                }
                right_unit = Some(unit.last().copied().unwrap_or(usize::MAX));
                moved.push(unit);
            }
            units = moved;
        }
        let mut out = Vec::new();
        for unit in &units {
            let last = unit.len() - 1;
            for (k, &c) in unit.iter().enumerate() {
                // Spouses go to the right, except: for the child facing a partner to the
                // right, and for the first of twins (so twins' lines do not enclose them).
                let side = if Some(c) == right_unit || (last > 0 && k == 0) { Side::Left } else { Side::Right };
                out.extend(self.place_cluster(c, None, side));
            }
        }
        out
    }
}
