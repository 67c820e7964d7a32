//! The validated input as indices, and the generation (row) of every person.

use crate::input::{DrawChildLink, DrawPerson, DrawingInput};
use crate::DrawError;
use kinvault_model::Zygosity;
use std::collections::{HashMap, HashSet, VecDeque};

pub(crate) struct MUnion {
    pub partners: Vec<usize>,
    pub children: Vec<(usize, DrawChildLink)>,
    pub twins: Vec<(Vec<usize>, Zygosity)>,
    /// Partners drawn in one row (false when one partner descends from the other); for a union
    /// without partners, its children drawn in one row.
    pub aligned: bool,
    /// Double union line: the input flag, or a common ancestor (biological) in the drawing.
    pub consanguineous: bool,
}

impl MUnion {
    pub fn has_partner(&self, p: usize) -> bool {
        self.partners.contains(&p)
    }
    /// The twin group (index into `twins`) of a child.
    pub fn twin_group(&self, c: usize) -> Option<usize> {
        self.twins.iter().position(|(ids, _)| ids.contains(&c))
    }
}

pub(crate) struct Model<'a> {
    pub input: &'a DrawingInput,
    pub n: usize,
    pub index: HashMap<&'a str, usize>,
    pub unions: Vec<MUnion>,
    /// `DrawUnion::id` or `u<index>`.
    pub union_ids: Vec<String>,
    /// Unions a person is a partner in, input order.
    pub partner_of: Vec<Vec<usize>>,
    /// Unions a person is a child of, input order; the first is where they are drawn.
    pub child_of: Vec<Vec<usize>>,
    pub cond_index: HashMap<&'a str, usize>,
}

impl<'a> Model<'a> {
    pub fn build(input: &'a DrawingInput) -> Result<Model<'a>, DrawError> {
        let n = input.people.len();
        let mut index = HashMap::with_capacity(n);
        for (i, p) in input.people.iter().enumerate() {
            if p.id.is_empty() {
                return Err(DrawError::EmptyId(i));
            }
            if index.insert(p.id.as_str(), i).is_some() {
                return Err(DrawError::DuplicatePerson(p.id.clone()));
            }
        }
        let mut cond_index = HashMap::new();
        for (i, c) in input.conditions.iter().enumerate() {
            if cond_index.insert(c.id.as_str(), i).is_some() {
                return Err(DrawError::DuplicateCondition(c.id.clone()));
            }
        }
        for p in &input.people {
            let ids = p.affected.iter().map(|a| &a.condition).chain(&p.carrier).chain(&p.presymptomatic);
            for c in ids {
                if !cond_index.contains_key(c.as_str()) {
                    return Err(DrawError::UnknownCondition { person: p.id.clone(), condition: c.clone() });
                }
            }
        }

        let mut union_ids = Vec::with_capacity(input.unions.len());
        let mut seen_union_ids = HashSet::new();
        for (i, u) in input.unions.iter().enumerate() {
            let id = u.id.clone().unwrap_or_else(|| format!("u{i}"));
            if !seen_union_ids.insert(id.clone()) {
                return Err(DrawError::DuplicateUnion(id));
            }
            union_ids.push(id);
        }

        let mut unions = Vec::with_capacity(input.unions.len());
        let mut partner_of = vec![Vec::new(); n];
        let mut child_of = vec![Vec::new(); n];
        for (ui, u) in input.unions.iter().enumerate() {
            let uid = &union_ids[ui];
            let look = |id: &String| {
                index
                    .get(id.as_str())
                    .copied()
                    .ok_or_else(|| DrawError::UnknownPerson { union: uid.clone(), id: id.clone() })
            };
            if u.partners.len() > 2 {
                return Err(DrawError::TooManyPartners(uid.clone()));
            }
            let mut members = HashSet::new();
            let mut partners = Vec::new();
            for id in &u.partners {
                let p = look(id)?;
                if !members.insert(p) {
                    return Err(DrawError::Repeated { union: uid.clone(), id: id.clone() });
                }
                partners.push(p);
            }
            let mut children = Vec::new();
            for c in &u.children {
                let p = look(&c.id)?;
                if !members.insert(p) {
                    return Err(DrawError::Repeated { union: uid.clone(), id: c.id.clone() });
                }
                children.push((p, c.link));
            }
            let mut twins = Vec::new();
            let mut twinned = HashSet::new();
            for t in &u.twins {
                if t.ids.len() < 2 {
                    return Err(DrawError::BadTwins {
                        union: uid.clone(),
                        reason: "a twin group needs two or more children".into(),
                    });
                }
                let mut ids = Vec::new();
                for id in &t.ids {
                    let p = look(id)?;
                    if !children.iter().any(|&(c, _)| c == p) {
                        return Err(DrawError::BadTwins {
                            union: uid.clone(),
                            reason: format!("{id:?} is not a child of the union"),
                        });
                    }
                    if !twinned.insert(p) {
                        return Err(DrawError::BadTwins {
                            union: uid.clone(),
                            reason: format!("{id:?} is in two twin groups"),
                        });
                    }
                    ids.push(p);
                }
                // Keep the twins in the children's (birth) order.
                ids.sort_by_key(|p| children.iter().position(|&(c, _)| c == *p));
                twins.push((ids, t.zygosity));
            }
            for &p in &partners {
                partner_of[p].push(ui);
            }
            for &(c, _) in &children {
                child_of[c].push(ui);
            }
            unions.push(MUnion { partners, children, twins, aligned: true, consanguineous: u.consanguineous });
        }

        let mut m = Model { input, n, index, unions, union_ids, partner_of, child_of, cond_index };
        m.check_cycles()?;
        for u in 0..m.unions.len() {
            if let [a, b] = m.unions[u].partners[..] {
                let anc_a = m.ancestors(a, false);
                let anc_b = m.ancestors(b, false);
                m.unions[u].aligned = !anc_a.contains(&b) && !anc_b.contains(&a);
                if !m.unions[u].consanguineous {
                    let bio_a = m.ancestors(a, true);
                    let bio_b = m.ancestors(b, true);
                    let blood = bio_a.contains(&b) || bio_b.contains(&a) || bio_a.intersection(&bio_b).next().is_some();
                    m.unions[u].consanguineous = blood;
                }
            }
        }
        Ok(m)
    }

    pub fn person(&self, p: usize) -> &'a DrawPerson {
        &self.input.people[p]
    }

    pub fn id(&self, p: usize) -> &'a str {
        &self.input.people[p].id
    }

    /// The union a person is drawn under (their first parental union).
    pub fn primary(&self, p: usize) -> Option<usize> {
        self.child_of[p].first().copied()
    }

    /// No parents in the drawing.
    pub fn is_founder(&self, p: usize) -> bool {
        self.child_of[p].is_empty()
    }

    /// The children a union draws in its own sibship (those whose primary union it is), in
    /// birth order.
    pub fn primary_children(&self, u: usize) -> impl Iterator<Item = usize> + '_ {
        self.unions[u].children.iter().map(|&(c, _)| c).filter(move |&c| self.primary(c) == Some(u))
    }

    /// Whether `a` and `b` are partners in a union drawn in one row.
    pub fn aligned_partners(&self, a: usize, b: usize) -> bool {
        self.partner_of[a].iter().any(|&u| self.unions[u].aligned && self.unions[u].has_partner(b))
    }

    /// Ancestors of `p` in the drawing (through biological links only if `bio`).
    pub fn ancestors(&self, p: usize, bio: bool) -> HashSet<usize> {
        let mut seen = HashSet::new();
        let mut queue = VecDeque::from([p]);
        while let Some(c) = queue.pop_front() {
            for &u in &self.child_of[c] {
                let un = &self.unions[u];
                if bio && un.children.iter().any(|&(k, l)| k == c && l != DrawChildLink::Biological) {
                    continue;
                }
                for &q in &un.partners {
                    if seen.insert(q) {
                        queue.push_back(q);
                    }
                }
            }
        }
        seen
    }

    /// Kahn's algorithm on partner → child edges: anyone left over is their own ancestor.
    fn check_cycles(&self) -> Result<(), DrawError> {
        let mut indeg = vec![0usize; self.n];
        for u in &self.unions {
            for &(c, _) in &u.children {
                indeg[c] += u.partners.len();
            }
        }
        let mut queue: VecDeque<usize> = (0..self.n).filter(|&p| indeg[p] == 0).collect();
        let mut done = 0;
        while let Some(p) = queue.pop_front() {
            done += 1;
            for &u in &self.partner_of[p] {
                for &(c, _) in &self.unions[u].children {
                    indeg[c] -= 1;
                    if indeg[c] == 0 {
                        queue.push_back(c);
                    }
                }
            }
        }
        if done < self.n {
            let p = (0..self.n).find(|&p| indeg[p] > 0).unwrap_or(0);
            return Err(DrawError::Cycle(self.id(p).to_string()));
        }
        Ok(())
    }

    /// The row (generation) of every person, 0 at the top: children one row below their
    /// parents, partners in one row, people without parents in the drawing pushed down to just
    /// above their children. Marks as not aligned any union whose partners cannot share a row
    /// (one descends from the other, or a longer loop forces it).
    pub fn rows(&mut self) -> Vec<usize> {
        let aligned: Vec<bool> = self.unions.iter().map(|u| u.aligned).collect();
        let rows = match self.fixpoint(&aligned) {
            Some(r) => r,
            None => {
                // Some loop of "partners share a row" and "children one row down" cannot hold
                // at once: align unions greedily, in input order, while that stays possible.
                let mut ok = vec![false; self.unions.len()];
                // With nothing aligned this is the longest path in an acyclic graph: it converges.
                let mut rows = self.fixpoint(&ok).unwrap_or_else(|| vec![0; self.n]);
                for u in 0..self.unions.len() {
                    if !aligned[u] {
                        continue;
                    }
                    ok[u] = true;
                    match self.fixpoint(&ok) {
                        Some(r) => rows = r,
                        None => ok[u] = false,
                    }
                }
                for (u, &a) in ok.iter().enumerate() {
                    self.unions[u].aligned = a;
                }
                rows
            }
        };
        self.push_down(rows)
    }

    fn fixpoint(&self, aligned: &[bool]) -> Option<Vec<usize>> {
        let mut row = vec![0usize; self.n];
        let cap = self.n + 2;
        for _ in 0..=cap {
            let mut changed = false;
            for (ui, u) in self.unions.iter().enumerate() {
                let top = u.partners.iter().map(|&p| row[p]).max();
                if let Some(top) = top {
                    if aligned[ui] {
                        for &p in &u.partners {
                            if row[p] != top {
                                row[p] = top;
                                changed = true;
                            }
                        }
                    }
                    for &(c, _) in &u.children {
                        if row[c] < top + 1 {
                            if top + 1 > cap {
                                return None;
                            }
                            row[c] = top + 1;
                            changed = true;
                        }
                    }
                } else if aligned[ui] && u.children.len() > 1 {
                    let top = u.children.iter().map(|&(c, _)| row[c]).max().unwrap_or(0);
                    for &(c, _) in &u.children {
                        if row[c] != top {
                            row[c] = top;
                            changed = true;
                        }
                    }
                }
            }
            if !changed {
                return Some(row);
            }
        }
        None
    }

    /// Groups of partners (joined through aligned unions) none of whom has parents in the
    /// drawing move down to just above their highest child.
    fn push_down(&self, mut row: Vec<usize>) -> Vec<usize> {
        let mut group: Vec<usize> = (0..self.n).collect();
        fn find(g: &mut [usize], mut x: usize) -> usize {
            while g[x] != x {
                g[x] = g[g[x]];
                x = g[x];
            }
            x
        }
        for u in &self.unions {
            if u.aligned {
                if let [a, b] = u.partners[..] {
                    let (ra, rb) = (find(&mut group, a), find(&mut group, b));
                    group[ra] = rb;
                }
            }
        }
        let mut members: HashMap<usize, Vec<usize>> = HashMap::new();
        for p in 0..self.n {
            let g = find(&mut group, p);
            members.entry(g).or_default().push(p);
        }
        let mut groups: Vec<Vec<usize>> = members.into_values().collect();
        groups.sort();
        for g in groups {
            if !g.iter().all(|&p| self.is_founder(p)) {
                continue;
            }
            let lowest_child = g
                .iter()
                .flat_map(|&p| self.partner_of[p].iter())
                .flat_map(|&u| self.unions[u].children.iter())
                .map(|&(c, _)| row[c])
                .min();
            if let Some(r) = lowest_child {
                if r >= 1 && r - 1 > row[g[0]] {
                    for &p in &g {
                        row[p] = r - 1;
                    }
                }
            }
        }
        let top = row.iter().copied().min().unwrap_or(0);
        for r in &mut row {
            *r -= top;
        }
        row
    }
}
