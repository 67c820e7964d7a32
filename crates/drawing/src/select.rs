//! Choosing whom to draw around a proband.

use crate::input::{DrawTwins, DrawUnion, DrawingInput};
use crate::model::Model;
use crate::DrawError;
use std::collections::VecDeque;

/// The proband's relatives within `generations` generations up and down, as a new input:
///
/// - ancestors up to `generations` generations above the proband,
/// - every descendant of those ancestors (and of the proband) down to `generations`
///   generations below the proband — siblings, aunts and uncles, cousins, nieces and nephews,
///   children, grandchildren... — following birth and adoptive links alike,
/// - and the partners of everyone kept (the other parent of their children, spouses), the
///   connectors a pedigree needs.
///
/// People, unions, children and twins keep their input order; unions left without a partner
/// are dropped (their children stay, with their other links), and so are childless unions
/// left with one partner. A union whose partners share an ancestor in the input is marked
/// consanguineous, so the double line survives leaving that ancestor out. Conditions and
/// options are copied.
pub fn select(input: &DrawingInput, proband: &str, generations: u32) -> Result<DrawingInput, DrawError> {
    let m = Model::build(input)?;
    let start = *m.index.get(proband).ok_or_else(|| DrawError::UnknownProband(proband.to_string()))?;
    let g = generations as i64;
    // Generation relative to the proband: negative above.
    let mut level: Vec<Option<i64>> = vec![None; m.n];
    // Up: ancestors.
    let mut up = VecDeque::from([(start, 0i64)]);
    let mut ancestors = vec![start];
    level[start] = Some(0);
    while let Some((p, l)) = up.pop_front() {
        if l <= -g {
            continue;
        }
        for &u in &m.child_of[p] {
            for &q in &m.unions[u].partners {
                if level[q].is_none() {
                    level[q] = Some(l - 1);
                    ancestors.push(q);
                    up.push_back((q, l - 1));
                }
            }
        }
    }
    // Down from every ancestor (the proband included), keeping the lowest level reached.
    let mut down: VecDeque<(usize, i64)> = ancestors.iter().map(|&a| (a, level[a].unwrap_or(0))).collect();
    while let Some((p, l)) = down.pop_front() {
        if l >= g {
            continue;
        }
        for &u in &m.partner_of[p] {
            for &(c, _) in &m.unions[u].children {
                if level[c].is_none_or(|old| l + 1 < old) {
                    level[c] = Some(l + 1);
                    down.push_back((c, l + 1));
                }
            }
        }
    }
    let mut keep: Vec<bool> = level.iter().map(Option::is_some).collect();
    let relatives = keep.clone();
    for un in &m.unions {
        if un.partners.iter().any(|&p| relatives[p]) {
            for &p in &un.partners {
                keep[p] = true;
            }
        }
    }

    let kept = |id: &str| m.index.get(id).is_some_and(|&p| keep[p]);
    let people = input.people.iter().filter(|p| kept(&p.id)).cloned().collect();
    let mut unions = Vec::new();
    for (ui, u) in input.unions.iter().enumerate() {
        let partners: Vec<String> = u.partners.iter().filter(|p| kept(p)).cloned().collect();
        let children: Vec<_> = u.children.iter().filter(|c| kept(&c.id)).cloned().collect();
        if partners.is_empty() || (partners.len() == 1 && children.is_empty()) {
            continue;
        }
        let twins = u
            .twins
            .iter()
            .map(|t| DrawTwins { ids: t.ids.iter().filter(|i| kept(i)).cloned().collect(), zygosity: t.zygosity })
            .filter(|t| t.ids.len() >= 2)
            .collect();
        // Consanguinity seen through ancestors left out stays drawn.
        let consanguineous = u.consanguineous || m.unions[ui].consanguineous;
        unions.push(DrawUnion { partners, children, twins, consanguineous, ..u.clone() });
    }
    Ok(DrawingInput { people, unions, conditions: input.conditions.clone(), options: input.options.clone() })
}
