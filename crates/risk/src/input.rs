//! What the engine reads: a pedigree of members with biological parents, sex, ages and the
//! health facts recorded for them. Built by the API layer from the vault (biological links
//! only: adoptive and step links carry no genes); the engine never sees names.

use kinvault_model::{AgeRange, ConditionStatus, Sex, TestResult};
use serde::{Deserialize, Serialize};

/// Index of a member in [`Pedigree::members`].
pub type Ix = usize;

/// A pedigree: members and their biological parents. Parents refer to earlier or later members
/// by index; a member with one parent known has the other treated as a founder of unknown
/// genotype by the engines.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Pedigree {
    pub members: Vec<Member>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Member {
    /// Stable id used in results and explanations (the vault's person UUID as text).
    pub id: String,
    pub sex: Sex,
    pub father: Option<Ix>,
    pub mother: Option<Ix>,
    /// `Some(true)` alive, `Some(false)` deceased, `None` unknown.
    pub alive: Option<bool>,
    /// Current age if alive, age at death if deceased (years).
    pub age: Option<f64>,
    /// Ancestry slug matched against the catalog's frequency populations (`european`,
    /// `ashkenazi_jewish`, ...). `None`: the catalog's default population.
    pub population: Option<String>,
    /// Members of the same monozygotic twin set share this number (and one genotype).
    pub mz_twin_set: Option<u32>,
    pub conditions: Vec<ConditionFact>,
    pub tests: Vec<TestFact>,
}

/// A condition recorded for a member, by catalog id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConditionFact {
    /// Catalog id (e.g. `cystic-fibrosis`, `breast-cancer`).
    pub condition: String,
    pub status: ConditionStatus,
    /// Age at onset or diagnosis, possibly a range.
    pub onset: Option<AgeRange>,
}

/// A genetic test result for a gene (HGNC symbol), matched to conditions through the catalog's
/// `genes`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TestFact {
    pub gene: String,
    pub result: TestResult,
    /// Probability the test detects a pathogenic variant that is present; `None`: the catalog
    /// default for the condition.
    pub sensitivity: Option<f64>,
}

impl Pedigree {
    pub fn len(&self) -> usize {
        self.members.len()
    }

    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    /// The facts recorded for `condition` on member `ix`.
    pub fn facts<'a>(&'a self, ix: Ix, condition: &'a str) -> impl Iterator<Item = &'a ConditionFact> + 'a {
        self.members[ix].conditions.iter().filter(move |c| c.condition == condition)
    }

    /// Children of every member, in member order (one pass over the parent links).
    pub fn children(&self) -> Vec<Vec<Ix>> {
        let mut out = vec![Vec::new(); self.members.len()];
        for (i, m) in self.members.iter().enumerate() {
            for p in [m.father, m.mother].into_iter().flatten() {
                if p < out.len() {
                    out[p].push(i);
                }
            }
        }
        out
    }
}
