//! Kinship around one member: the relatives up to the third degree, their side of the family,
//! generation and English name, found by walking parent and child links outwards from the
//! member (never the whole pedigree).

use super::types::{Relative, Side};
use crate::input::{Ix, Pedigree};
use kinvault_model::Sex;
use std::collections::hash_map::Entry;
use std::collections::HashMap;

/// The furthest degree of relationship [`relatives`](super::relatives) reports.
pub const MAX_DEGREE: u8 = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Slot {
    Father,
    Mother,
}

/// How two members who share a parent are siblings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SibKind {
    /// Same recorded father and mother.
    Full,
    /// One recorded parent in common and neither has the other parent recorded: treated as full
    /// (the unrecorded parent is taken to be the same person).
    AssumedFull,
    /// One recorded parent in common (in this slot); the other parents are recorded and differ,
    /// or only one of the two has the other parent recorded.
    Half(Slot),
}

impl SibKind {
    fn is_half(self) -> bool {
        matches!(self, SibKind::Half(_))
    }
}

/// Parent links, validated, and the inverse child links in compressed form (two flat arrays),
/// built in one pass over the pedigree.
pub(crate) struct Family<'a> {
    ped: &'a Pedigree,
    /// Children of `p` are `kids[start[p]..start[p + 1]]`, in member order.
    start: Vec<usize>,
    kids: Vec<Ix>,
}

impl<'a> Family<'a> {
    pub fn new(ped: &'a Pedigree) -> Family<'a> {
        let n = ped.members.len();
        let mut start = vec![0usize; n + 1];
        for i in 0..n {
            for p in parents_of(ped, i).into_iter().flatten() {
                start[p] += 1;
            }
        }
        // Running totals: start[p] is the end of p's block; filling backwards moves it to the
        // block's start and leaves every block in member order.
        for p in 1..n {
            start[p] += start[p - 1];
        }
        let total = if n == 0 { 0 } else { start[n - 1] };
        start[n] = total;
        let mut kids = vec![0; total];
        for i in (0..n).rev() {
            for p in parents_of(ped, i).into_iter().flatten() {
                start[p] -= 1;
                kids[start[p]] = i;
            }
        }
        Family { ped, start, kids }
    }

    pub fn pedigree(&self) -> &'a Pedigree {
        self.ped
    }

    /// `[father, mother]`, out-of-range and self links dropped.
    pub fn parents(&self, x: Ix) -> [Option<Ix>; 2] {
        parents_of(self.ped, x)
    }

    pub fn children(&self, x: Ix) -> &[Ix] {
        &self.kids[self.start[x]..self.start[x + 1]]
    }

    /// How `x` and `y` are siblings, if they are.
    pub fn sib_kind(&self, x: Ix, y: Ix) -> Option<SibKind> {
        if x == y {
            return None;
        }
        let [fx, mx] = self.parents(x);
        let [fy, my] = self.parents(y);
        let same_f = fx.is_some() && fx == fy;
        let same_m = mx.is_some() && mx == my;
        match (same_f, same_m) {
            (true, true) => Some(SibKind::Full),
            (false, false) => None,
            (true, false) if mx.is_none() && my.is_none() => Some(SibKind::AssumedFull),
            (false, true) if fx.is_none() && fy.is_none() => Some(SibKind::AssumedFull),
            (true, false) => Some(SibKind::Half(Slot::Father)),
            (false, true) => Some(SibKind::Half(Slot::Mother)),
        }
    }

    /// The siblings of `x` (children of either parent but `x`), each once, in member order.
    pub fn siblings(&self, x: Ix) -> Vec<(Ix, SibKind)> {
        let mut out: Vec<Ix> = self.parents(x).into_iter().flatten().flat_map(|p| self.children(p)).copied().collect();
        out.sort_unstable();
        out.dedup();
        out.into_iter().filter_map(|s| self.sib_kind(x, s).map(|k| (s, k))).collect()
    }

    /// Whether `x` and `y` are first-degree relatives: parent and child, or full siblings
    /// (assumed-full included).
    pub fn first_degree(&self, x: Ix, y: Ix) -> bool {
        self.parents(x).contains(&Some(y))
            || self.parents(y).contains(&Some(x))
            || matches!(self.sib_kind(x, y), Some(SibKind::Full | SibKind::AssumedFull))
    }
}

fn parents_of(ped: &Pedigree, i: Ix) -> [Option<Ix>; 2] {
    let n = ped.members.len();
    let m = &ped.members[i];
    let ok = |p: Option<Ix>| p.filter(|&p| p < n && p != i);
    let (f, mo) = (ok(m.father), ok(m.mother));
    if f.is_some() && f == mo {
        [f, None]
    } else {
        [f, mo]
    }
}

/// The path pattern a relative was reached by: `up` generations to an ancestor (or the
/// proband), across to a sibling of that person, `down` generations to the relative.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Path {
    Ancestor(u8),
    Descendant(u8),
    Collateral { up: u8, half: bool, down: u8 },
}

struct Found {
    degree: u8,
    generation: i8,
    maternal: bool,
    paternal: bool,
    path: Path,
    assumed_full: bool,
}

/// Records `f` for `ix` unless a closer relationship is known; at equal degree, the sides and
/// the certainty of the paths are merged.
fn record(found: &mut HashMap<Ix, Found>, proband: Ix, ix: Ix, f: Found) {
    if ix == proband {
        return;
    }
    match found.entry(ix) {
        Entry::Vacant(v) => {
            v.insert(f);
        }
        Entry::Occupied(mut o) => {
            let e = o.get_mut();
            if f.degree < e.degree {
                *e = f;
            } else if f.degree == e.degree {
                e.maternal |= f.maternal;
                e.paternal |= f.paternal;
                e.assumed_full &= f.assumed_full;
            }
        }
    }
}

/// The relatives of `proband` up to `max_degree` (at most [`MAX_DEGREE`]), closest first, then
/// in member order.
pub(crate) fn relatives_of(fam: &Family, proband: Ix, max_degree: u8) -> Vec<Relative> {
    let max = max_degree.min(MAX_DEGREE);
    let mut found: HashMap<Ix, Found> = HashMap::new();

    // Ancestors by generation, with the side(s) of the proband's parent they were reached
    // through (union over the paths of that length).
    let mut levels: Vec<Vec<(Ix, bool, bool)>> = vec![vec![(proband, false, false)]];
    for a in 1..=max {
        let mut next: Vec<(Ix, bool, bool)> = Vec::new();
        for &(x, m, p) in &levels[usize::from(a - 1)] {
            let [father, mother] = fam.parents(x);
            for (q, slot) in [(father, Slot::Father), (mother, Slot::Mother)] {
                let Some(q) = q else { continue };
                let (m2, p2) = if a == 1 { (slot == Slot::Mother, slot == Slot::Father) } else { (m, p) };
                match next.iter_mut().find(|e| e.0 == q) {
                    Some(e) => {
                        e.1 |= m2;
                        e.2 |= p2;
                    }
                    None => next.push((q, m2, p2)),
                }
            }
        }
        for &(q, m, p) in &next {
            let f = Found {
                degree: a,
                generation: -(a as i8),
                maternal: m,
                paternal: p,
                path: Path::Ancestor(a),
                assumed_full: false,
            };
            record(&mut found, proband, q, f);
        }
        levels.push(next);
    }

    // Collateral relatives: a sibling of the proband or of an ancestor, and the sibling's
    // descendants. A full sibling step adds one degree, a half one two.
    for a in 0..max {
        for &(x, m, p) in &levels[usize::from(a)] {
            for (s, kind) in fam.siblings(x) {
                let cost = if kind.is_half() { 2 } else { 1 };
                if a + cost > max {
                    continue;
                }
                let (sm, sp) = if a == 0 {
                    match kind {
                        SibKind::Half(Slot::Mother) => (true, false),
                        SibKind::Half(Slot::Father) => (false, true),
                        SibKind::Full | SibKind::AssumedFull => (true, true),
                    }
                } else {
                    (m, p)
                };
                let mut layer = vec![s];
                let mut b = 0u8;
                loop {
                    for &r in &layer {
                        let f = Found {
                            degree: a + cost + b,
                            generation: b as i8 - a as i8,
                            maternal: sm,
                            paternal: sp,
                            path: Path::Collateral { up: a, half: kind.is_half(), down: b },
                            assumed_full: kind == SibKind::AssumedFull,
                        };
                        record(&mut found, proband, r, f);
                    }
                    if a + cost + b >= max {
                        break;
                    }
                    layer = next_generation(fam, &layer);
                    if layer.is_empty() {
                        break;
                    }
                    b += 1;
                }
            }
        }
    }

    // The proband's descendants.
    let mut layer = fam.children(proband).to_vec();
    let mut b = 1u8;
    while b <= max && !layer.is_empty() {
        for &r in &layer {
            let f = Found {
                degree: b,
                generation: b as i8,
                maternal: false,
                paternal: false,
                path: Path::Descendant(b),
                assumed_full: false,
            };
            record(&mut found, proband, r, f);
        }
        layer = next_generation(fam, &layer);
        b += 1;
    }

    let ped = fam.pedigree();
    let mut out: Vec<Relative> = found
        .into_iter()
        .map(|(ix, f)| {
            let side = match (f.maternal, f.paternal) {
                (true, false) => Side::Maternal,
                (false, true) => Side::Paternal,
                (true, true) => Side::Both,
                (false, false) => Side::Neither,
            };
            let sex = ped.members[ix].sex;
            Relative {
                ix,
                id: ped.members[ix].id.clone(),
                sex,
                degree: f.degree,
                side,
                relation: relation_name(f.path, sex, side),
                generation: f.generation,
                half: matches!(f.path, Path::Collateral { half: true, .. }),
                assumed_full: f.assumed_full,
            }
        })
        .collect();
    out.sort_by_key(|r| (r.degree, r.ix));
    out
}

fn next_generation(fam: &Family, layer: &[Ix]) -> Vec<Ix> {
    let mut next: Vec<Ix> = layer.iter().flat_map(|&r| fam.children(r)).copied().collect();
    next.sort_unstable();
    next.dedup();
    next
}

/// The proband as a [`Relative`] of themself (degree 0, relation `"self"`).
pub(crate) fn self_relative(ped: &Pedigree, proband: Ix) -> Relative {
    let m = &ped.members[proband];
    Relative {
        ix: proband,
        id: m.id.clone(),
        sex: m.sex,
        degree: 0,
        side: Side::Neither,
        relation: "self".into(),
        generation: 0,
        half: false,
        assumed_full: false,
    }
}

fn gendered(sex: Sex, male: &str, female: &str, neutral: &str) -> String {
    match sex {
        Sex::Male => male,
        Sex::Female => female,
        Sex::Intersex | Sex::Unknown => neutral,
    }
    .to_string()
}

/// English name of the relationship, with "maternal"/"paternal" for relatives on one side
/// (parents and relatives on both or neither side excepted).
fn relation_name(path: Path, sex: Sex, side: Side) -> String {
    let base = match path {
        Path::Ancestor(1) => gendered(sex, "father", "mother", "parent"),
        Path::Ancestor(2) => gendered(sex, "grandfather", "grandmother", "grandparent"),
        Path::Ancestor(3) => gendered(sex, "great-grandfather", "great-grandmother", "great-grandparent"),
        Path::Descendant(1) => gendered(sex, "son", "daughter", "child"),
        Path::Descendant(2) => gendered(sex, "grandson", "granddaughter", "grandchild"),
        Path::Descendant(3) => gendered(sex, "great-grandson", "great-granddaughter", "great-grandchild"),
        Path::Collateral { up: 0, half: false, down: 0 } => gendered(sex, "brother", "sister", "sibling"),
        Path::Collateral { up: 0, half: true, down: 0 } => gendered(sex, "half-brother", "half-sister", "half-sibling"),
        Path::Collateral { up: 1, half: false, down: 0 } => gendered(sex, "uncle", "aunt", "aunt or uncle"),
        Path::Collateral { up: 1, half: true, down: 0 } => {
            gendered(sex, "half-uncle", "half-aunt", "half-aunt or half-uncle")
        }
        Path::Collateral { up: 2, half: false, down: 0 } => {
            gendered(sex, "great-uncle", "great-aunt", "great-aunt or great-uncle")
        }
        Path::Collateral { up: 0, half: false, down: 1 } => gendered(sex, "nephew", "niece", "niece or nephew"),
        Path::Collateral { up: 0, half: true, down: 1 } => {
            gendered(sex, "half-nephew", "half-niece", "half-niece or half-nephew")
        }
        Path::Collateral { up: 0, half: false, down: 2 } => {
            gendered(sex, "grandnephew", "grandniece", "grandniece or grandnephew")
        }
        Path::Collateral { up: 1, half: false, down: 1 } => "first cousin".to_string(),
        // Beyond the third degree (not produced with MAX_DEGREE = 3).
        Path::Ancestor(_) => "ancestor".to_string(),
        Path::Descendant(_) => "descendant".to_string(),
        Path::Collateral { .. } => "relative".to_string(),
    };
    let sided = !matches!(path, Path::Ancestor(1));
    match side {
        Side::Maternal if sided => format!("maternal {base}"),
        Side::Paternal if sided => format!("paternal {base}"),
        _ => base,
    }
}
