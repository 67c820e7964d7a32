//! The relationship calculator: every way two people are related, named in English.
//!
//! Method (bounded, so a relate on a million-person tree costs only the two ancestries):
//! 1. Breadth-first up from `a` and from `b` (at most `max_generations` each way), keeping for
//!    every ancestor a bit mask of the generations at which it is reached — separately for
//!    birth-only paths and for paths that use an adopted/foster/step/sealing link.
//! 2. The common ancestors `C` are the intersection (ancestors of `a` reached without going
//!    through `b`, and of `b` without going through `a`; `a` and `b` count as their own
//!    ancestors). A relationship *path* goes up from `a` and up from `b` to some `X ∈ C` without
//!    passing through any other member of `C` (so both halves meet only at `X`, as in Wright's
//!    path counting). Found by a second pair of walks
//!    that stop at members of `C`. This lists double cousins twice and "also third cousin
//!    through X" when a second, independent line exists, while the ancestors of the nearest
//!    common ancestors are not listed again.
//! 3. A common-ancestor couple counts once per path, as the pair: `X` and `Y` are paired when
//!    the children of `X` on both halves also both have `Y` as parent. If both those children
//!    have a known other parent and they differ, the path is "half-".
//! 4. Names follow Gramps' English calculator (see [`crate::names`]). Step relations (a partner
//!    of an ancestor, an ancestor of a partner, children of partners) and in-laws (blood
//!    relatives of a partner, partners of blood relatives) are added on top.
//!
//! Names say what `b` is to `a`: `relate(a, b)` → "father" means b is a's father. `ga`/`gb` are
//! the generations from `a`/`b` up to the common ancestor (Gramps' Ga/Gb).

use kinvault_model::{Sex, UnionKind};
use serde::Serialize;
use uuid::Uuid;

use crate::graph::{FamilyGraph, LegalKind, PersonIx, NONE};
use crate::hash::{FxHashMap, FxHashSet};
use crate::names::{partner_name, relationship_name, Parts};
use crate::PedigreeError;

/// Limits and switches for [`FamilyGraph::relate`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelateOptions {
    /// Generations searched up from each person (clamped to 62). Default 30.
    pub max_generations: u32,
    /// At most this many relationships are returned (closest first). Default 64.
    pub max_relationships: usize,
    /// Stop widening an ancestor search past this many people. Default 250 000.
    pub max_visited: usize,
    /// Include step relations. Default true.
    pub step: bool,
    /// Include in-laws (and partners' relatives). Default true.
    pub in_law: bool,
    /// Append Gramps' " (up)"/" (down)" to removed cousins. Default false.
    pub cousin_direction: bool,
}

impl Default for RelateOptions {
    fn default() -> Self {
        RelateOptions {
            max_generations: 30,
            max_relationships: 64,
            max_visited: 250_000,
            step: true,
            in_law: true,
            cousin_direction: false,
        }
    }
}

/// How a relationship runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RelationKind {
    /// `a` and `b` are the same person.
    Same,
    /// Through biological links only.
    Blood,
    /// Through at least one adopted/foster/step/sealing link (`legal` says which).
    NonBirth,
    /// `b` is `a`'s partner.
    Partner,
    /// Stepparent, stepchild, stepsibling: through a partner of a parent (or ancestor).
    Step,
    /// A blood relative of `a`'s partner, or a partner of `a`'s blood relative (`via`).
    InLaw,
}

/// One way `b` is related to `a`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Relationship {
    /// What `b` is to `a`, e.g. "second cousin once removed".
    pub name: String,
    pub kind: RelationKind,
    /// Generations from `a` (or from `via` for in-laws through `a`'s partner) to the common
    /// ancestor.
    pub ga: u32,
    /// Generations from `b` (or from `via` for in-laws through `b`'s partner).
    pub gb: u32,
    /// Through only one of two parents (half-sibling, half-first cousin...).
    pub half: bool,
    /// Non-birth links on the path.
    pub legal: Vec<LegalKind>,
    /// The common ancestor, or the couple (a pair counts once). For a direct line it is the
    /// ancestor (`a` or `b` itself). Empty for partner and step relations.
    pub common_ancestors: Vec<Uuid>,
    /// In-law: the partner it goes through (`a`'s partner, or `b`'s partner). Step: `a`'s
    /// ancestor whose partner is `b`, `a`'s partner who is `b`'s ancestor, or `a`'s parent whose
    /// partner is `b`'s parent.
    pub via: Option<Uuid>,
}

/// Every relationship found, closest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Relationships {
    pub relationships: Vec<Relationship>,
    /// A limit cut the search or the list (see [`RelateOptions`]).
    pub truncated: bool,
}

impl Relationships {
    pub fn is_related(&self) -> bool {
        !self.relationships.is_empty()
    }

    /// The closest relationship.
    pub fn primary(&self) -> Option<&Relationship> {
        self.relationships.first()
    }

    /// One line for people: "first cousin; also third cousin through Ann Lee".
    pub fn describe(&self, name_of: impl Fn(Uuid) -> String) -> String {
        let mut out = String::new();
        for (i, r) in self.relationships.iter().enumerate() {
            if i > 0 {
                out.push_str("; also ");
            }
            out.push_str(&r.name);
            let through: Vec<Uuid> = match (r.kind, r.via) {
                (RelationKind::InLaw | RelationKind::Step, Some(v)) => vec![v],
                (RelationKind::Blood | RelationKind::NonBirth, _) if i > 0 && r.ga > 0 && r.gb > 0 => {
                    r.common_ancestors.clone()
                }
                _ => vec![],
            };
            if !through.is_empty() {
                out.push_str(" through ");
                out.push_str(&through.into_iter().map(&name_of).collect::<Vec<_>>().join(" and "));
            }
        }
        if out.is_empty() {
            out.push_str("not related");
        }
        out
    }
}

#[derive(Debug, Clone, Copy, Default)]
struct Reach {
    /// Bit g: reached g generations up through birth links only.
    bio: u64,
    /// Bit g: reached g generations up through a path with at least one legal link.
    legal: u64,
    /// `LegalKind` bits seen on legal paths.
    kinds: u8,
}

impl Reach {
    fn any(&self) -> u64 {
        self.bio | self.legal
    }
}

struct AncMap {
    map: FxHashMap<u32, Reach>,
    any_legal: bool,
    truncated: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Bio,
    Any,
}

/// A found path before naming.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Raw {
    common: Vec<u32>,
    ga: u32,
    gb: u32,
    half: bool,
    /// `LegalKind` bits; 0 for blood.
    kinds: u8,
}

fn bits(mask: u64) -> impl Iterator<Item = u32> {
    (0..64u32).filter(move |g| mask >> g & 1 == 1)
}

impl FamilyGraph {
    /// Every relationship between `a` and `b` (what `b` is to `a`), closest first.
    pub fn relate(&self, a: Uuid, b: Uuid, opts: &RelateOptions) -> Result<Relationships, PedigreeError> {
        let ia = self.index_of(a).ok_or(PedigreeError::UnknownPerson(a))?;
        let ib = self.index_of(b).ok_or(PedigreeError::UnknownPerson(b))?;
        Ok(self.relate_ix(ia, ib, opts))
    }

    /// Index-level [`FamilyGraph::relate`].
    pub fn relate_ix(&self, ia: PersonIx, ib: PersonIx, opts: &RelateOptions) -> Relationships {
        let max_gen = opts.max_generations.min(62);
        let sex_b = self.sex(ib);
        if ia == ib {
            return Relationships {
                relationships: vec![Relationship {
                    name: relationship_name(0, 0, sex_b, Parts::default()),
                    kind: RelationKind::Same,
                    ga: 0,
                    gb: 0,
                    half: false,
                    legal: vec![],
                    common_ancestors: vec![self.id_of(ia)],
                    via: None,
                }],
                truncated: false,
            };
        }
        let ma = self.reach(ia, max_gen, Mode::Any, None, opts.max_visited);
        let mb = self.reach(ib, max_gen, Mode::Any, None, opts.max_visited);
        let mut truncated = ma.truncated || mb.truncated;
        let mut out: Vec<Relationship> = Vec::new();

        for raw in self.paths(ia, &ma, ib, &mb, max_gen, opts, &mut truncated) {
            out.push(self.named(&raw, sex_b, false, None, opts));
        }

        // Partners.
        let mut married: Option<bool> = None;
        for (p, fam) in self.partners(ia) {
            if p == ib {
                married = Some(married.unwrap_or(false) || self.family_kind(fam) == UnionKind::Married);
            }
        }
        if let Some(m) = married {
            out.push(Relationship {
                name: partner_name(sex_b, m),
                kind: RelationKind::Partner,
                ga: 0,
                gb: 0,
                half: false,
                legal: vec![],
                common_ancestors: vec![],
                via: None,
            });
        }

        if opts.step {
            self.step_relations(ia, &ma, ib, &mb, sex_b, &mut out);
        }

        if opts.in_law {
            // b is a blood (or non-birth) relative of a's partner s, not s's descendant.
            let mut seen = FxHashSet::default();
            for (s, _) in self.partners(ia) {
                if s == ib || !seen.insert(s) {
                    continue;
                }
                let ms = self.reach(s, max_gen, Mode::Any, None, opts.max_visited);
                truncated |= ms.truncated;
                for raw in self.paths(s, &ms, ib, &mb, max_gen, opts, &mut truncated) {
                    if raw.ga >= 1 {
                        out.push(self.named(&raw, sex_b, true, Some(s), opts));
                    }
                }
            }
            // b is the partner of t, a blood relative of a who is not a's ancestor.
            seen.clear();
            for (t, _) in self.partners(ib) {
                if t == ia || !seen.insert(t) {
                    continue;
                }
                let mt = self.reach(t, max_gen, Mode::Any, None, opts.max_visited);
                truncated |= mt.truncated;
                for raw in self.paths(ia, &ma, t, &mt, max_gen, opts, &mut truncated) {
                    if raw.gb >= 1 {
                        out.push(self.named(&raw, sex_b, true, Some(t), opts));
                    }
                }
            }
        }

        out.sort_by(|x, y| {
            (x.kind, x.ga + x.gb, x.ga, &x.name, &x.common_ancestors, x.via).cmp(&(
                y.kind,
                y.ga + y.gb,
                y.ga,
                &y.name,
                &y.common_ancestors,
                y.via,
            ))
        });
        out.dedup();
        if out.len() > opts.max_relationships {
            out.truncate(opts.max_relationships);
            truncated = true;
        }
        Relationships { relationships: out, truncated }
    }

    fn named(&self, raw: &Raw, sex_b: Sex, in_law: bool, via: Option<u32>, opts: &RelateOptions) -> Relationship {
        let kinds = LegalKind::from_bits(raw.kinds);
        let (step, qualifier) = match kinds.as_slice() {
            [] => (false, None),
            [LegalKind::Step] => (true, None),
            [LegalKind::Adopted] if raw.ga == 0 => (false, Some("adopted")),
            [LegalKind::Adopted] => (false, Some("adoptive")),
            [LegalKind::Foster] => (false, Some("foster")),
            [LegalKind::Sealing] => (false, Some("sealing")),
            _ => (false, Some("non-birth")),
        };
        let parts = Parts { step, in_law, half: raw.half, qualifier, direction: opts.cousin_direction };
        let mut common: Vec<u32> = raw.common.clone();
        let rank = |s: Sex| match s {
            Sex::Male => 0,
            Sex::Female => 1,
            _ => 2,
        };
        common.sort_by_key(|&x| (rank(self.sex(x)), x));
        Relationship {
            name: relationship_name(raw.ga, raw.gb, sex_b, parts),
            kind: if in_law {
                RelationKind::InLaw
            } else if raw.kinds == 0 {
                RelationKind::Blood
            } else {
                RelationKind::NonBirth
            },
            ga: raw.ga,
            gb: raw.gb,
            half: raw.half,
            legal: kinds,
            common_ancestors: common.into_iter().map(|x| self.id_of(x)).collect(),
            via: via.map(|v| self.id_of(v)),
        }
    }

    /// Breadth-first up from `start`, one level at a time, recording generation masks. Members
    /// of `block` (other than `start`) are recorded but not expanded.
    fn reach(
        &self,
        start: u32,
        max_gen: u32,
        mode: Mode,
        block: Option<&FxHashSet<u32>>,
        max_visited: usize,
    ) -> AncMap {
        let mut map: FxHashMap<u32, Reach> = FxHashMap::default();
        map.insert(start, Reach { bio: 1, legal: 0, kinds: 0 });
        let check_legal = mode == Mode::Any && self.has_legal();
        let mut any_legal = false;
        let mut truncated = false;
        let mut frontier = vec![start];
        let mut next: Vec<u32> = Vec::new();
        for g in 0..max_gen {
            for &x in &frontier {
                if x != start && block.is_some_and(|b| b.contains(&x)) {
                    continue;
                }
                let r = map[&x];
                let bit = 1u64 << g;
                let up = bit << 1;
                let (has_bio, has_legal) = (r.bio & bit != 0, r.legal & bit != 0);
                for p in self.bio_parent_pair(x) {
                    if p != NONE {
                        mark(
                            &mut map,
                            &mut next,
                            p,
                            if has_bio { up } else { 0 },
                            if has_legal { up } else { 0 },
                            r.kinds,
                        );
                    }
                }
                if check_legal {
                    for (p, kind) in self.legal_parents(x) {
                        any_legal = true;
                        mark(&mut map, &mut next, p, 0, up, r.kinds | kind.bit());
                    }
                }
            }
            if map.len() > max_visited {
                truncated = true;
                break;
            }
            if next.is_empty() {
                break;
            }
            std::mem::swap(&mut frontier, &mut next);
            next.clear();
        }
        AncMap { map, any_legal, truncated }
    }

    /// Blood and non-birth relationship paths between `a` and `b` (see the module docs).
    #[allow(clippy::too_many_arguments)]
    fn paths(
        &self,
        ia: u32,
        ma: &AncMap,
        ib: u32,
        mb: &AncMap,
        max_gen: u32,
        opts: &RelateOptions,
        truncated: &mut bool,
    ) -> Vec<Raw> {
        let mut raws: Vec<Raw> = Vec::new();
        // Common ancestors are counted on paths that do not go through the other person: when b
        // is a's father, b's own parents are not "common" just because a reaches them via b.
        let (own_a, own_b);
        let ma = if ma.map.contains_key(&ib) {
            own_a = self.reach(ia, max_gen, Mode::Any, Some(&FxHashSet::from_iter([ib])), opts.max_visited);
            &own_a
        } else {
            ma
        };
        let mb = if mb.map.contains_key(&ia) {
            own_b = self.reach(ib, max_gen, Mode::Any, Some(&FxHashSet::from_iter([ia])), opts.max_visited);
            &own_b
        } else {
            mb
        };
        let (small, large) = if ma.map.len() <= mb.map.len() { (ma, mb) } else { (mb, ma) };

        let common_bio: FxHashSet<u32> = small
            .map
            .iter()
            .filter(|(x, r)| r.bio != 0 && large.map.get(x).is_some_and(|o| o.bio != 0))
            .map(|(&x, _)| x)
            .collect();
        if !common_bio.is_empty() {
            let ra = self.reach(ia, max_gen, Mode::Bio, Some(&common_bio), opts.max_visited);
            let rb = self.reach(ib, max_gen, Mode::Bio, Some(&common_bio), opts.max_visited);
            *truncated |= ra.truncated || rb.truncated;
            let mut xs: Vec<u32> = common_bio.iter().copied().collect();
            xs.sort_unstable();
            for x in xs {
                let (Some(ea), Some(eb)) = (ra.map.get(&x), rb.map.get(&x)) else { continue };
                for ga in bits(ea.bio) {
                    for gb in bits(eb.bio) {
                        for (common, half) in self.group(x, ga, gb, Mode::Bio, &ra, &rb) {
                            raws.push(Raw { common, ga, gb, half, kinds: 0 });
                        }
                    }
                }
            }
        }

        if ma.any_legal || mb.any_legal {
            let common_any: FxHashSet<u32> = small.map.keys().filter(|x| large.map.contains_key(x)).copied().collect();
            let ra = self.reach(ia, max_gen, Mode::Any, Some(&common_any), opts.max_visited);
            let rb = self.reach(ib, max_gen, Mode::Any, Some(&common_any), opts.max_visited);
            *truncated |= ra.truncated || rb.truncated;
            let mut xs: Vec<u32> = common_any.iter().copied().collect();
            xs.sort_unstable();
            for x in xs {
                let (Some(ea), Some(eb)) = (ra.map.get(&x), rb.map.get(&x)) else { continue };
                for ga in bits(ea.any()) {
                    for gb in bits(eb.any()) {
                        let (a_bio, b_bio) = (ea.bio >> ga & 1 == 1, eb.bio >> gb & 1 == 1);
                        if a_bio && b_bio {
                            continue; // a blood path, found above
                        }
                        let kinds = if a_bio { 0 } else { ea.kinds } | if b_bio { 0 } else { eb.kinds };
                        for (common, _) in self.group(x, ga, gb, Mode::Any, &ra, &rb) {
                            raws.push(Raw { common, ga, gb, half: false, kinds });
                        }
                    }
                }
            }
        }

        for r in &mut raws {
            r.common.sort_unstable();
        }
        let mut seen = FxHashSet::default();
        // Different children of one ancestor can give both a half and a not-known-half path:
        // they are distinct paths, so both stay.
        raws.retain(|r| seen.insert((r.common.clone(), r.ga, r.gb, r.half, r.kinds == 0)));
        raws
    }

    /// Pairs common ancestor `x` with its partner when both halves go through children of the
    /// same couple; tells half-relations apart.
    fn group(&self, x: u32, ga: u32, gb: u32, mode: Mode, ra: &AncMap, rb: &AncMap) -> Vec<(Vec<u32>, bool)> {
        if ga == 0 || gb == 0 {
            return vec![(vec![x], false)];
        }
        let on_path = |m: &AncMap, c: u32, g: u32| {
            m.map.get(&c).is_some_and(|e| {
                let mask = if mode == Mode::Bio { e.bio } else { e.any() };
                mask >> g & 1 == 1
            })
        };
        let mut kids: Vec<u32> = self.biological_children(x).collect();
        if mode == Mode::Any {
            kids.extend(self.legal_children(x).map(|(c, _)| c));
        }
        let ca: Vec<u32> = kids.iter().copied().filter(|&c| on_path(ra, c, ga - 1)).collect();
        let cb: Vec<u32> = kids.iter().copied().filter(|&c| on_path(rb, c, gb - 1)).collect();
        let others = |c: u32| -> Vec<u32> {
            let mut v: Vec<u32> = self.bio_parent_pair(c).into_iter().filter(|&p| p != NONE && p != x).collect();
            if mode == Mode::Any {
                v.extend(self.legal_parents(c).map(|(p, _)| p).filter(|&p| p != x));
            }
            v
        };
        let mut outcomes: Vec<(Vec<u32>, bool)> = Vec::new();
        for &ka in &ca {
            for &kb in &cb {
                if ka == kb {
                    continue;
                }
                let (pa, pb) = (others(ka), others(kb));
                let outcome = match pa.iter().find(|p| pb.contains(p)) {
                    Some(&y) => (vec![x, y], false),
                    None => (vec![x], mode == Mode::Bio && !pa.is_empty() && !pb.is_empty()),
                };
                if !outcomes.contains(&outcome) {
                    outcomes.push(outcome);
                }
            }
        }
        if outcomes.is_empty() {
            outcomes.push((vec![x], false));
        }
        outcomes
    }

    fn step_relations(&self, ia: u32, ma: &AncMap, ib: u32, mb: &AncMap, sex_b: Sex, out: &mut Vec<Relationship>) {
        let step = Parts { step: true, ..Default::default() };
        let rel = |name: String, ga: u32, gb: u32, via: u32| Relationship {
            name,
            kind: RelationKind::Step,
            ga,
            gb,
            half: false,
            legal: vec![],
            common_ancestors: vec![],
            via: Some(self.id_of(via)),
        };
        // b is a partner of a's ancestor p, and not an ancestor of a: stepparent, stepgrandparent.
        if !ma.map.contains_key(&ib) {
            for (p, _) in self.partners(ib) {
                if let Some(r) = ma.map.get(&p) {
                    let m = r.any() & !1;
                    if m != 0 {
                        let g = m.trailing_zeros();
                        out.push(rel(relationship_name(g, 0, sex_b, step), g, 0, p));
                    }
                }
            }
        }
        // a is a partner of b's ancestor p, and not b's ancestor: stepchild, stepgrandchild.
        if !mb.map.contains_key(&ia) {
            for (p, _) in self.partners(ia) {
                if let Some(r) = mb.map.get(&p) {
                    let m = r.any() & !1;
                    if m != 0 {
                        let g = m.trailing_zeros();
                        out.push(rel(relationship_name(0, g, sex_b, step), 0, g, p));
                    }
                }
            }
        }
        // Stepsiblings: no parent in common, but a parent of each are partners.
        let parents = |x: u32| -> Vec<u32> {
            let mut v: Vec<u32> = self.bio_parent_pair(x).into_iter().filter(|&p| p != NONE).collect();
            v.extend(self.legal_parents(x).map(|(p, _)| p));
            v
        };
        let (pa, pb) = (parents(ia), parents(ib));
        if !pa.iter().any(|p| pb.contains(p)) {
            'found: for &q in &pb {
                for (r, _) in self.partners(q) {
                    if pa.contains(&r) {
                        out.push(rel(relationship_name(1, 1, sex_b, step), 1, 1, r));
                        break 'found;
                    }
                }
            }
        }
    }
}

fn mark(map: &mut FxHashMap<u32, Reach>, next: &mut Vec<u32>, p: u32, bio: u64, legal: u64, kinds: u8) {
    let level = bio | legal;
    if level == 0 {
        return;
    }
    let e = map.entry(p).or_default();
    let was = e.any() & level != 0;
    e.bio |= bio;
    if legal != 0 {
        e.legal |= legal;
        e.kinds |= kinds;
    }
    if !was {
        next.push(p);
    }
}
