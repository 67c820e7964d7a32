//! A person's families as the person page and `kinvault family` show them: the families they were
//! born or adopted into and the ones they formed, each with its members as [`PersonRef`]s. Edits
//! go through [`crate::App::save_family`] (checked against the family graph: no one becomes their
//! own ancestor) — this module only reads and builds families from CLI-style arguments.

use crate::{graph, ApiError, ErrorKind, PersonRef, Result};
use kinvault_model::{ChildRelationship, Family, FamilyChild, ParentLink, TwinSet, UnionKind, Zygosity};
use kinvault_vault::Vault;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use ts_rs::TS;
use uuid::Uuid;

/// A family with its members' names, for display.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct FamilyView {
    pub family: Family,
    /// Every partner and child of the family, by id.
    pub people: Vec<PersonRef>,
}

/// The families of one person.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct PersonFamilies {
    pub person: PersonRef,
    /// Families in which the person is a child (birth, adoptive, foster...).
    pub as_child: Vec<FamilyView>,
    /// Families in which the person is a partner.
    pub as_partner: Vec<FamilyView>,
}

fn view(vault: &Vault, family: Family) -> Result<FamilyView> {
    let ids: Vec<Uuid> = family.partners.iter().copied().chain(family.children.iter().map(|c| c.person)).collect();
    let by_id: HashMap<String, PersonRef> =
        vault.person_rows(&ids)?.into_iter().map(graph::from_row).map(|p| (p.id.clone(), p)).collect();
    let people = ids.iter().filter_map(|id| by_id.get(&id.to_string()).cloned()).collect();
    Ok(FamilyView { family, people })
}

/// The families `person` (id or xref) belongs to.
pub fn person_families(vault: &Vault, person: &str) -> Result<PersonFamilies> {
    let p = graph::person_ref(vault, person)?;
    let id = Uuid::parse_str(&p.id).map_err(|_| ApiError::new(ErrorKind::Internal, "person id is not a UUID"))?;
    let mut as_child = Vec::new();
    let mut as_partner = Vec::new();
    for f in vault.families_of(id)? {
        let partner = f.partners.contains(&id);
        let child = f.children.iter().any(|c| c.person == id);
        if child {
            as_child.push(view(vault, f.clone())?);
        }
        if partner {
            as_partner.push(view(vault, f)?);
        }
    }
    Ok(PersonFamilies { person: p, as_child, as_partner })
}

/// A family described the way the CLI takes it: people by id or xref.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
pub struct FamilySpec {
    pub partners: Vec<String>,
    pub children: Vec<String>,
    /// Children (also listed in `children`) adopted by the partners.
    #[serde(default)]
    pub adopted: Vec<String>,
    /// Children fostered by the partners.
    #[serde(default)]
    pub foster: Vec<String>,
    #[serde(default)]
    pub kind: Option<UnionKind>,
    /// Twin sets among the children, with their zygosity.
    #[serde(default)]
    pub twins: Vec<(Vec<String>, Zygosity)>,
    /// The partners are blood relatives.
    #[serde(default)]
    pub consanguineous: bool,
}

/// Builds a new family from a [`FamilySpec`], resolving every person; the caller saves it with
/// [`crate::App::save_family`] or [`save_new_family`].
pub fn family_from_spec(vault: &Vault, spec: &FamilySpec) -> Result<Family> {
    let resolve = |r: &str| -> Result<Uuid> {
        let p = graph::person_ref(vault, r)?;
        Uuid::parse_str(&p.id).map_err(|_| ApiError::new(ErrorKind::Internal, "person id is not a UUID"))
    };
    if spec.partners.is_empty() && spec.children.is_empty() {
        return Err(ApiError::invalid("a family needs at least one partner or child"));
    }
    if spec.partners.len() > 2 {
        return Err(ApiError::invalid("a family has at most two partners (record another union as another family)"));
    }
    let partners: Vec<Uuid> = spec.partners.iter().map(|r| resolve(r)).collect::<Result<_>>()?;
    let children: Vec<Uuid> = spec.children.iter().map(|r| resolve(r)).collect::<Result<_>>()?;
    let mut seen = std::collections::HashSet::new();
    for id in partners.iter().chain(&children) {
        if !seen.insert(*id) {
            return Err(ApiError::invalid(format!("person {id} is named twice in the family")));
        }
    }
    let link = |list: &[String], what: &str| -> Result<Vec<Uuid>> {
        list.iter()
            .map(|r| {
                let id = resolve(r)?;
                if !children.contains(&id) {
                    return Err(ApiError::invalid(format!("{r} is marked {what} but is not one of the children")));
                }
                Ok(id)
            })
            .collect()
    };
    let adopted = link(&spec.adopted, "adopted")?;
    let foster = link(&spec.foster, "fostered")?;
    let mut f = Family::new(partners.clone());
    f.kind = spec.kind.unwrap_or_default();
    f.consanguineous = spec.consanguineous;
    f.children = children
        .iter()
        .map(|&c| {
            let rel = if adopted.contains(&c) {
                Some(ChildRelationship::Adopted)
            } else if foster.contains(&c) {
                Some(ChildRelationship::Foster)
            } else {
                None
            };
            FamilyChild {
                person: c,
                links: rel
                    .map(|r| partners.iter().map(|&p| ParentLink { parent: p, relationship: r }).collect())
                    .unwrap_or_default(),
            }
        })
        .collect();
    for (members, zygosity) in &spec.twins {
        if members.len() < 2 {
            return Err(ApiError::invalid("a twin set needs at least two children"));
        }
        let ids = link(members, "a twin")?;
        f.twins.push(TwinSet { members: ids, zygosity: *zygosity });
    }
    Ok(f)
}
