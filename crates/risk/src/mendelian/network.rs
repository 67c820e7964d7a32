//! From a pedigree to genotype variables: one variable per member, or per monozygotic twin set;
//! chromosomal sex resolved from parental roles; parents checked (in range, distinct, no one
//! their own ancestor).

use super::model::Space;
use super::RiskError;
use crate::input::{Ix, Pedigree};
use kinvault_model::Sex;
use std::collections::HashMap;

pub(crate) struct Structure<'p> {
    /// Member → variable.
    pub var_of: Vec<u32>,
    /// Members of each variable (CSR: `mlist[mstart[v]..mstart[v + 1]]`).
    pub mstart: Vec<usize>,
    pub mlist: Vec<Ix>,
    /// Per member: the sex used for penetrance curves (parental role, else recorded).
    pub member_sex: Vec<Sex>,
    /// Per variable.
    pub space: Vec<Space>,
    pub father: Vec<Option<u32>>,
    pub mother: Vec<Option<u32>>,
    pub population: Vec<Option<&'p str>>,
}

const FATHER: u8 = 1;
const MOTHER: u8 = 2;

impl<'p> Structure<'p> {
    pub fn new(ped: &'p Pedigree, x_linked: bool) -> Result<Structure<'p>, RiskError> {
        let n = ped.members.len();
        let invalid = |member: Ix, reason: String| RiskError::InvalidPedigree { member: Some(member), reason };
        let name = |i: Ix| ped.members[i].id.as_str();
        let mut role = vec![0u8; n];
        for (i, m) in ped.members.iter().enumerate() {
            for (p, r) in [(m.father, FATHER), (m.mother, MOTHER)] {
                if let Some(p) = p {
                    if p >= n {
                        return Err(invalid(i, format!("`{}` has a parent index {p} out of range", name(i))));
                    }
                    if p == i {
                        return Err(invalid(i, format!("`{}` is recorded as their own parent", name(i))));
                    }
                    role[p] |= r;
                }
            }
            if m.father.is_some() && m.father == m.mother {
                return Err(invalid(i, format!("`{}` has the same person as father and mother", name(i))));
            }
        }
        let mut member_sex = Vec::with_capacity(n);
        for (i, m) in ped.members.iter().enumerate() {
            let sex = match role[i] {
                FATHER => Sex::Male,
                MOTHER => Sex::Female,
                r if r == FATHER | MOTHER && x_linked => {
                    return Err(invalid(
                        i,
                        format!("`{}` is recorded as a father and as a mother; an X-linked locus needs one", name(i)),
                    ))
                }
                _ => m.sex,
            };
            member_sex.push(sex);
        }
        // Variables: MZ twin sets share one.
        let mut var_of = vec![0u32; n];
        let mut sets: HashMap<u32, u32> = HashMap::new();
        let mut nv = 0u32;
        for (i, m) in ped.members.iter().enumerate() {
            var_of[i] = match m.mz_twin_set {
                Some(s) => *sets.entry(s).or_insert_with(|| {
                    nv += 1;
                    nv - 1
                }),
                None => {
                    nv += 1;
                    nv - 1
                }
            };
        }
        drop(sets);
        let nv = nv as usize;
        let mut mstart = vec![0usize; nv + 1];
        for &v in &var_of {
            mstart[v as usize + 1] += 1;
        }
        for v in 0..nv {
            mstart[v + 1] += mstart[v];
        }
        let mut fill = mstart.clone();
        let mut mlist = vec![0; n];
        for (i, &v) in var_of.iter().enumerate() {
            mlist[fill[v as usize]] = i;
            fill[v as usize] += 1;
        }
        drop(fill);

        let mut father: Vec<Option<u32>> = vec![None; nv];
        let mut mother: Vec<Option<u32>> = vec![None; nv];
        let mut population: Vec<Option<&str>> = vec![None; nv];
        let mut var_sex = vec![Sex::Unknown; nv];
        for (i, m) in ped.members.iter().enumerate() {
            let v = var_of[i] as usize;
            for (p, slot, what) in [(m.father, &mut father, "fathers"), (m.mother, &mut mother, "mothers")] {
                if let Some(p) = p {
                    let pv = var_of[p];
                    if pv as usize == v {
                        return Err(invalid(i, format!("`{}` is recorded as a parent of their own twin", name(i))));
                    }
                    match slot[v] {
                        Some(x) if x != pv => {
                            return Err(invalid(
                                i,
                                format!("`{}` and their monozygotic twin have different {what}", name(i)),
                            ))
                        }
                        _ => slot[v] = Some(pv),
                    }
                }
            }
            if population[v].is_none() {
                population[v] = m.population.as_deref();
            }
            match (var_sex[v], member_sex[i]) {
                (Sex::Male, Sex::Female) | (Sex::Female, Sex::Male) if x_linked => {
                    return Err(invalid(i, format!("`{}` and their monozygotic twin differ in sex", name(i))))
                }
                (_, s @ (Sex::Male | Sex::Female)) => var_sex[v] = s,
                _ => {}
            }
        }
        for v in 0..nv {
            if father[v].is_some() && father[v] == mother[v] {
                let i = mlist[mstart[v]];
                return Err(invalid(i, format!("`{}` has the same person as father and mother", name(i))));
            }
        }
        // Nobody may be their own ancestor (Kahn's algorithm on parent → child edges).
        let mut cstart = vec![0usize; nv + 1];
        for v in 0..nv {
            for p in [father[v], mother[v]].into_iter().flatten() {
                cstart[p as usize + 1] += 1;
            }
        }
        for v in 0..nv {
            cstart[v + 1] += cstart[v];
        }
        let mut cfill = cstart.clone();
        let mut children = vec![0u32; cstart[nv]];
        let mut indeg = vec![0u8; nv];
        for v in 0..nv {
            for p in [father[v], mother[v]].into_iter().flatten() {
                children[cfill[p as usize]] = v as u32;
                cfill[p as usize] += 1;
                indeg[v] += 1;
            }
        }
        drop(cfill);
        let mut queue: Vec<u32> = (0..nv as u32).filter(|&v| indeg[v as usize] == 0).collect();
        let mut seen = 0;
        while let Some(v) = queue.pop() {
            seen += 1;
            for &c in &children[cstart[v as usize]..cstart[v as usize + 1]] {
                indeg[c as usize] -= 1;
                if indeg[c as usize] == 0 {
                    queue.push(c);
                }
            }
        }
        if seen < nv {
            let v = (0..nv).find(|&v| indeg[v] > 0).unwrap_or(0);
            let i = mlist[mstart[v]];
            return Err(invalid(
                i,
                format!("the parent links around `{}` form a cycle (someone is their own ancestor)", name(i)),
            ));
        }
        let space = var_sex
            .iter()
            .map(|s| match (x_linked, s) {
                (false, _) => Space::Autosomal,
                (true, Sex::Male) => Space::XMale,
                (true, Sex::Female) => Space::XFemale,
                (true, _) => Space::XEither,
            })
            .collect();
        Ok(Structure { var_of, mstart, mlist, member_sex, space, father, mother, population })
    }

    pub fn n_vars(&self) -> usize {
        self.space.len()
    }

    pub fn members(&self, v: usize) -> &[Ix] {
        &self.mlist[self.mstart[v]..self.mstart[v + 1]]
    }

    pub fn is_founder(&self, v: usize) -> bool {
        self.father[v].is_none() && self.mother[v].is_none()
    }

    /// The parents whose genotype the variable's distribution depends on: both, except that a
    /// male at an X-linked locus gets nothing from his father.
    pub fn genetic_parents(&self, v: usize) -> [Option<u32>; 2] {
        let father = if self.space[v] == Space::XMale { None } else { self.father[v] };
        [father, self.mother[v]]
    }
}
