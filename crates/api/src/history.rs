//! The family health questionnaire: a proband's close relatives (parents, siblings, children,
//! grandparents, aunts and uncles) in one form — who had what, at what age — like My Family
//! Health Portrait, but on the vault's own people.
//!
//! [`questionnaire`] reads the relatives already in the vault through the proband's birth family
//! and their parents' birth families; [`save_questionnaire`] creates the relatives the user
//! added, links them into those families (creating the families when missing), updates vital
//! status and records the new conditions, all in ONE transaction: a bad entry changes nothing.
//!
//! A sibling needs both parents and an aunt or uncle both grandparents to be a blood relative
//! in the family graph (siblings are people with the same parents): missing ones are created as
//! placeholders named by their relation ("Maternal grandmother"), as My Family Health Portrait
//! does, and can be renamed and filled in later.

use crate::clinical::{catalog_condition, primary_code, vault_catalog};
use crate::{ApiError, Result};
use kinvault_model::{
    ChildRelationship, ConditionObservation, ConditionStatus, Family, FamilyChild, Person, PersonName, Provenance, Sex,
    VitalStatus,
};
use kinvault_vault::Vault;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use ts_rs::TS;
use uuid::Uuid;

/// How a questionnaire entry is related to the proband.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum QuestionnaireRelation {
    /// The proband themself.
    Proband,
    Mother,
    Father,
    /// A full sibling (a child of the proband's birth family).
    Sibling,
    Child,
    MaternalGrandmother,
    MaternalGrandfather,
    PaternalGrandmother,
    PaternalGrandfather,
    /// A sibling of the mother.
    MaternalAuntOrUncle,
    /// A sibling of the father.
    PaternalAuntOrUncle,
}

impl QuestionnaireRelation {
    /// The words the UI and new relatives' placeholder names use.
    pub fn label(self, sex: Sex) -> &'static str {
        use QuestionnaireRelation::*;
        match (self, sex) {
            (Proband, _) => "Proband",
            (Mother, _) => "Mother",
            (Father, _) => "Father",
            (Sibling, Sex::Female) => "Sister",
            (Sibling, Sex::Male) => "Brother",
            (Sibling, _) => "Sibling",
            (Child, Sex::Female) => "Daughter",
            (Child, Sex::Male) => "Son",
            (Child, _) => "Child",
            (MaternalGrandmother, _) => "Maternal grandmother",
            (MaternalGrandfather, _) => "Maternal grandfather",
            (PaternalGrandmother, _) => "Paternal grandmother",
            (PaternalGrandfather, _) => "Paternal grandfather",
            (MaternalAuntOrUncle, Sex::Female) => "Maternal aunt",
            (MaternalAuntOrUncle, Sex::Male) => "Maternal uncle",
            (MaternalAuntOrUncle, _) => "Mother's sibling",
            (PaternalAuntOrUncle, Sex::Female) => "Paternal aunt",
            (PaternalAuntOrUncle, Sex::Male) => "Paternal uncle",
            (PaternalAuntOrUncle, _) => "Father's sibling",
        }
    }

    /// The sex this relation implies, if any.
    fn implied_sex(self) -> Option<Sex> {
        use QuestionnaireRelation::*;
        match self {
            Mother | MaternalGrandmother | PaternalGrandmother => Some(Sex::Female),
            Father | MaternalGrandfather | PaternalGrandfather => Some(Sex::Male),
            _ => None,
        }
    }
}

/// A condition already recorded for a relative (read-only in the questionnaire).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct RecordedCondition {
    /// Catalog id when the observation links to the catalog.
    pub condition: Option<String>,
    pub label: String,
    pub status: ConditionStatus,
    pub onset_age: Option<f64>,
}

/// A condition to record: the relative had `condition` (catalog id), first diagnosed at
/// `onset_age` when known.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct QuestionnaireCondition {
    pub condition: String,
    #[serde(default)]
    pub onset_age: Option<f64>,
}

/// One relative in the questionnaire.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct QuestionnaireRelative {
    /// The person in the vault; `None` for a relative to create.
    #[serde(default)]
    pub person: Option<String>,
    pub relation: QuestionnaireRelation,
    /// Name shown (existing people) or given to a new relative (empty: the relation's label,
    /// e.g. "Maternal grandmother").
    #[serde(default)]
    pub name: String,
    pub sex: Sex,
    /// `Some(true)` living, `Some(false)` deceased, `None` unknown / unchanged.
    #[serde(default)]
    pub alive: Option<bool>,
    /// Current age, or age at death.
    #[serde(default)]
    pub age: Option<f64>,
    #[serde(default)]
    pub cause_of_death: Option<String>,
    /// What the vault already records (filled by [`questionnaire`]; ignored on save).
    #[serde(default)]
    pub recorded: Vec<RecordedCondition>,
    /// Conditions to add.
    #[serde(default)]
    pub add: Vec<QuestionnaireCondition>,
}

/// The questionnaire for one proband.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Questionnaire {
    /// The proband's person id.
    pub proband: String,
    pub relatives: Vec<QuestionnaireRelative>,
}

/// What [`save_questionnaire`] did, and the questionnaire as it now stands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct QuestionnaireSaved {
    pub people_created: u32,
    pub people_updated: u32,
    pub families_changed: u32,
    pub conditions_added: u32,
    pub questionnaire: Questionnaire,
}

/// The proband's close family as the vault records it.
struct Close {
    proband: Person,
    /// The family the proband was born into, if any.
    birth: Option<Family>,
    /// Families in which the proband is a partner.
    own: Vec<Family>,
    mother: Option<Person>,
    father: Option<Person>,
    mother_birth: Option<Family>,
    father_birth: Option<Family>,
}

/// The family in which `child` is a birth child.
fn birth_family(vault: &Vault, child: Uuid) -> Result<Option<Family>> {
    Ok(vault.families_of(child)?.into_iter().find(|f| {
        f.children
            .iter()
            .any(|c| c.person == child && f.partners.iter().all(|p| c.relationship_to(*p) == ChildRelationship::Birth))
    }))
}

/// The partners of a family as (mother, father): by sex, a partner of unknown sex filling the
/// slot left open.
fn parents_of(vault: &Vault, family: &Family) -> Result<(Option<Person>, Option<Person>)> {
    let mut mother = None;
    let mut father = None;
    let mut unknown = Vec::new();
    for id in &family.partners {
        let Some(p) = vault.get_person(*id)? else { continue };
        match p.sex {
            Sex::Female if mother.is_none() => mother = Some(p),
            Sex::Male if father.is_none() => father = Some(p),
            _ => unknown.push(p),
        }
    }
    for p in unknown {
        if mother.is_none() {
            mother = Some(p);
        } else if father.is_none() {
            father = Some(p);
        }
    }
    Ok((mother, father))
}

fn close_family(vault: &Vault, proband: Person) -> Result<Close> {
    let birth = birth_family(vault, proband.id)?;
    let own = vault.families_of(proband.id)?.into_iter().filter(|f| f.partners.contains(&proband.id)).collect();
    let (mother, father) = match &birth {
        Some(f) => parents_of(vault, f)?,
        None => (None, None),
    };
    let mother_birth = mother.as_ref().map(|m| birth_family(vault, m.id)).transpose()?.flatten();
    let father_birth = father.as_ref().map(|f| birth_family(vault, f.id)).transpose()?.flatten();
    Ok(Close { proband, birth, own, mother, father, mother_birth, father_birth })
}

fn entry(p: &Person, relation: QuestionnaireRelation, catalog: &kinvault_catalog::Catalog) -> QuestionnaireRelative {
    let (alive, age, cause) = match &p.vital_status {
        VitalStatus::Alive { age } => (Some(true), *age, None),
        VitalStatus::Deceased { age, cause, .. } => (Some(false), *age, cause.clone()),
        VitalStatus::Unknown => (None, None, None),
    };
    QuestionnaireRelative {
        person: Some(p.id.to_string()),
        relation,
        name: p.display_name(),
        sex: p.sex,
        alive,
        age,
        cause_of_death: cause,
        recorded: p
            .conditions
            .iter()
            .map(|o| RecordedCondition {
                condition: catalog.link(o).map(|d| d.id.clone()),
                label: o.label.clone(),
                status: o.status,
                onset_age: o.onset.map(|r| r.min),
            })
            .collect(),
        add: Vec::new(),
    }
}

/// The questionnaire for `proband` (id or xref) with the relatives the vault already has.
pub fn questionnaire(vault: &Vault, proband: &str) -> Result<Questionnaire> {
    use QuestionnaireRelation::*;
    let cat = vault_catalog(vault)?;
    let proband = crate::people::resolve(vault, proband)?;
    let close = close_family(vault, proband)?;
    let mut relatives = vec![entry(&close.proband, Proband, &cat)];
    let person = |id: Uuid| vault.get_person(id);
    for (p, rel) in [(&close.mother, Mother), (&close.father, Father)] {
        if let Some(p) = p {
            relatives.push(entry(p, rel, &cat));
        }
    }
    if let Some(f) = &close.birth {
        for c in f.children.iter().filter(|c| c.person != close.proband.id) {
            if let Some(p) = person(c.person)? {
                relatives.push(entry(&p, Sibling, &cat));
            }
        }
    }
    for f in &close.own {
        for c in &f.children {
            if let Some(p) = person(c.person)? {
                relatives.push(entry(&p, Child, &cat));
            }
        }
    }
    let sides = [
        (&close.mother, &close.mother_birth, MaternalGrandmother, MaternalGrandfather, MaternalAuntOrUncle),
        (&close.father, &close.father_birth, PaternalGrandmother, PaternalGrandfather, PaternalAuntOrUncle),
    ];
    for (parent, fam, gm, gf, au) in sides {
        let (Some(parent), Some(fam)) = (parent, fam) else { continue };
        let (m, f) = parents_of(vault, fam)?;
        for (p, rel) in [(m, gm), (f, gf)] {
            if let Some(p) = p {
                relatives.push(entry(&p, rel, &cat));
            }
        }
        for c in fam.children.iter().filter(|c| c.person != parent.id) {
            if let Some(p) = person(c.person)? {
                relatives.push(entry(&p, au, &cat));
            }
        }
    }
    Ok(Questionnaire { proband: close.proband.id.to_string(), relatives })
}

fn check_age(what: &str, age: Option<f64>) -> Result<()> {
    match age {
        Some(a) if !a.is_finite() || !(0.0..=130.0).contains(&a) => {
            Err(ApiError::invalid(format!("{what}: {a} is not an age in years between 0 and 130")))
        }
        _ => Ok(()),
    }
}

/// Pending writes: people and families by id, in first-touched order.
#[derive(Default)]
struct Plan {
    people: BTreeMap<Uuid, Person>,
    created: Vec<Uuid>,
    families: BTreeMap<Uuid, Family>,
}

impl Plan {
    fn family(&mut self, f: &Option<Family>) -> Option<Uuid> {
        let f = f.as_ref()?;
        self.families.entry(f.id).or_insert_with(|| f.clone());
        Some(f.id)
    }

    fn new_person(&mut self, name: &str, relation: QuestionnaireRelation, sex: Sex) -> Uuid {
        let name = name.trim();
        let display = if name.is_empty() { relation.label(sex) } else { name };
        let (given, surname) = match display.rsplit_once(' ') {
            Some((g, s)) if !name.is_empty() => (g, s),
            _ => (display, ""),
        };
        let p = Person::new(PersonName::new(given, surname), sex);
        let id = p.id;
        self.people.insert(id, p);
        self.created.push(id);
        id
    }
}

/// Where the relatives of the proband hang in the plan.
struct Anchors {
    proband: Uuid,
    birth: Option<Uuid>,
    own: Option<Uuid>,
    mother: Option<Uuid>,
    father: Option<Uuid>,
    mother_birth: Option<Uuid>,
    father_birth: Option<Uuid>,
}

impl Anchors {
    /// The proband's birth family, created with the proband as its child when missing.
    fn birth(&mut self, plan: &mut Plan) -> Uuid {
        *self.birth.get_or_insert_with(|| {
            let mut f = Family::new(vec![]);
            f.children.push(FamilyChild { person: self.proband, links: vec![] });
            let id = f.id;
            plan.families.insert(id, f);
            id
        })
    }

    /// The mother (or father), created as a placeholder parent when missing.
    fn parent(&mut self, plan: &mut Plan, mother: bool) -> Uuid {
        if let Some(id) = if mother { self.mother } else { self.father } {
            return id;
        }
        let (rel, sex) = if mother {
            (QuestionnaireRelation::Mother, Sex::Female)
        } else {
            (QuestionnaireRelation::Father, Sex::Male)
        };
        let id = plan.new_person("", rel, sex);
        let fam = self.birth(plan);
        plan.families.get_mut(&fam).expect("planned family").partners.push(id);
        if mother {
            self.mother = Some(id);
        } else {
            self.father = Some(id);
        }
        id
    }

    /// The mother's (or father's) birth family, created when missing.
    fn parent_birth(&mut self, plan: &mut Plan, mother: bool) -> Uuid {
        if let Some(id) = if mother { self.mother_birth } else { self.father_birth } {
            return id;
        }
        let parent = self.parent(plan, mother);
        let mut f = Family::new(vec![]);
        f.children.push(FamilyChild { person: parent, links: vec![] });
        let id = f.id;
        plan.families.insert(id, f);
        if mother {
            self.mother_birth = Some(id);
        } else {
            self.father_birth = Some(id);
        }
        id
    }

    /// The proband's birth family with both parents (placeholders when missing), so a sibling
    /// added to it is a full sibling in the family graph.
    fn sibling_family(&mut self, plan: &mut Plan) -> Uuid {
        self.parent(plan, true);
        self.parent(plan, false);
        self.birth(plan)
    }

    /// The mother's (or father's) birth family with both grandparents (placeholders when
    /// missing): without them an aunt would not be related to the proband by blood in the graph.
    fn parent_sibling_family(&mut self, plan: &mut Plan, vault: &Vault, maternal: bool) -> Uuid {
        use QuestionnaireRelation::*;
        let fam = self.parent_birth(plan, maternal);
        let roles = if maternal {
            [(Sex::Female, MaternalGrandmother), (Sex::Male, MaternalGrandfather)]
        } else {
            [(Sex::Female, PaternalGrandmother), (Sex::Male, PaternalGrandfather)]
        };
        for (sex, relation) in roles {
            let has = plan.families[&fam]
                .partners
                .iter()
                .any(|p| plan.people.get(p).map(|x| x.sex).or_else(|| known_sex(vault, *p)) == Some(sex));
            if !has {
                let id = plan.new_person("", relation, sex);
                plan.families.get_mut(&fam).expect("planned family").partners.push(id);
            }
        }
        fam
    }

    /// A family in which the proband is a partner, created when missing.
    fn own(&mut self, plan: &mut Plan) -> Uuid {
        *self.own.get_or_insert_with(|| {
            let f = Family::new(vec![self.proband]);
            let id = f.id;
            plan.families.insert(id, f);
            id
        })
    }
}

/// Saves the questionnaire: creates the relatives without a `person`, links them, updates vital
/// status of everyone listed and adds their new conditions — one transaction.
pub fn save_questionnaire(vault: &mut Vault, q: &Questionnaire) -> Result<QuestionnaireSaved> {
    use QuestionnaireRelation::*;
    let cat = vault_catalog(vault)?;
    let proband = crate::people::resolve(vault, &q.proband)?;
    let close = close_family(vault, proband)?;
    let mut plan = Plan::default();
    let mut anchors = Anchors {
        proband: close.proband.id,
        birth: plan.family(&close.birth),
        own: close.own.first().map(|f| f.id),
        mother: close.mother.as_ref().map(|p| p.id),
        father: close.father.as_ref().map(|p| p.id),
        mother_birth: plan.family(&close.mother_birth),
        father_birth: plan.family(&close.father_birth),
    };
    if let Some(f) = close.own.first() {
        plan.families.insert(f.id, f.clone());
    }
    // Parents first, so grandparents and aunts/uncles entered in the same form hang under them.
    let mut order: Vec<&QuestionnaireRelative> = q.relatives.iter().collect();
    order.sort_by_key(|r| r.relation);
    let mut conditions_added = 0u32;
    let mut touched: Vec<Uuid> = Vec::new();
    for r in order {
        let who = || {
            if r.name.trim().is_empty() {
                r.relation.label(r.sex).to_string()
            } else {
                format!("{} ({})", r.relation.label(r.sex).to_lowercase(), r.name.trim())
            }
        };
        check_age(&format!("{}: age", who()), r.age)?;
        if let Some(sex) = r.relation.implied_sex() {
            if r.person.is_none() && r.sex != sex && r.sex != Sex::Unknown {
                return Err(ApiError::invalid(format!("{}: the sex does not match the relation", who())));
            }
        }
        let id = match &r.person {
            Some(reference) => {
                let p = crate::people::resolve(vault, reference)?;
                if r.relation == Proband && p.id != close.proband.id {
                    return Err(ApiError::invalid("the proband entry names another person"));
                }
                let id = p.id;
                plan.people.entry(id).or_insert(p);
                id
            }
            None => {
                let sex = r.relation.implied_sex().unwrap_or(r.sex);
                match r.relation {
                    Proband => return Err(ApiError::invalid("the proband entry must name the proband")),
                    Mother | Father => {
                        let mother = r.relation == Mother;
                        if (if mother { anchors.mother } else { anchors.father }).is_some() {
                            return Err(ApiError::invalid(format!(
                                "the proband already has a {} recorded: edit that entry instead of adding one",
                                r.relation.label(sex).to_lowercase()
                            )));
                        }
                        let id = plan.new_person(&r.name, r.relation, sex);
                        let fam = anchors.birth(&mut plan);
                        plan.families.get_mut(&fam).expect("planned family").partners.push(id);
                        if mother {
                            anchors.mother = Some(id);
                        } else {
                            anchors.father = Some(id);
                        }
                        id
                    }
                    Sibling | Child | MaternalAuntOrUncle | PaternalAuntOrUncle => {
                        let fam = match r.relation {
                            Sibling => anchors.sibling_family(&mut plan),
                            Child => anchors.own(&mut plan),
                            MaternalAuntOrUncle => anchors.parent_sibling_family(&mut plan, vault, true),
                            _ => anchors.parent_sibling_family(&mut plan, vault, false),
                        };
                        let id = plan.new_person(&r.name, r.relation, sex);
                        let f = plan.families.get_mut(&fam).expect("planned family");
                        f.children.push(FamilyChild { person: id, links: vec![] });
                        id
                    }
                    MaternalGrandmother | MaternalGrandfather | PaternalGrandmother | PaternalGrandfather => {
                        let maternal = matches!(r.relation, MaternalGrandmother | MaternalGrandfather);
                        let fam = anchors.parent_birth(&mut plan, maternal);
                        let taken = plan.families[&fam]
                            .partners
                            .iter()
                            .filter_map(|p| plan.people.get(p).map(|x| x.sex).or_else(|| known_sex(vault, *p)))
                            .any(|s| s == sex);
                        if taken {
                            return Err(ApiError::invalid(format!(
                                "the proband already has a {} recorded: edit that entry instead of adding one",
                                r.relation.label(sex).to_lowercase()
                            )));
                        }
                        let id = plan.new_person(&r.name, r.relation, sex);
                        plan.families.get_mut(&fam).expect("planned family").partners.push(id);
                        id
                    }
                }
            }
        };
        let p = plan.people.get_mut(&id).expect("planned person");
        let before = p.clone();
        match r.alive {
            Some(true) => p.vital_status = VitalStatus::Alive { age: r.age },
            Some(false) => {
                let date = match &p.vital_status {
                    VitalStatus::Deceased { date, .. } => date.clone(),
                    _ => None,
                };
                let cause = r.cause_of_death.as_deref().map(str::trim).filter(|c| !c.is_empty()).map(str::to_string);
                p.vital_status = VitalStatus::Deceased { age: r.age, date, cause };
            }
            None => {}
        }
        for (j, c) in r.add.iter().enumerate() {
            let def = catalog_condition(&cat, &c.condition)
                .map_err(|e| ApiError::invalid(format!("{}, condition {}: {}", who(), j + 1, e.message)))?;
            check_age(&format!("{}: onset of {}", who(), def.name), c.onset_age)?;
            if let (Some(o), Some(a)) = (c.onset_age, r.age) {
                if o > a {
                    return Err(ApiError::invalid(format!(
                        "{}: onset of {} at {o} is after their age {a}",
                        who(),
                        def.name
                    )));
                }
            }
            let mut obs =
                ConditionObservation::new(Some(primary_code(&cat, def)), &def.name, ConditionStatus::Affected);
            obs.onset = c.onset_age.map(kinvault_model::AgeRange::exact);
            obs.provenance =
                if r.relation == Proband { Provenance::SelfReported } else { Provenance::ReportedByRelative };
            p.conditions.push(obs);
            conditions_added += 1;
        }
        if *p != before && !plan.created.contains(&id) && !touched.contains(&id) {
            touched.push(id);
        }
    }
    let created = plan.created.len() as u32;
    let updated = touched.len() as u32;
    let mut families: Vec<&Family> = Vec::new();
    let originals: BTreeMap<Uuid, Family> = [&close.birth, &close.mother_birth, &close.father_birth]
        .into_iter()
        .flatten()
        .chain(close.own.first())
        .map(|f| (f.id, f.clone()))
        .collect();
    for f in plan.families.values() {
        if originals.get(&f.id) != Some(f) {
            families.push(f);
        }
    }
    let families_changed = families.len() as u32;
    vault.write(|tx| {
        for id in plan.created.iter().chain(&touched) {
            tx.put_person(&plan.people[id])?;
        }
        for f in &families {
            tx.put_family(f)?;
        }
        Ok(())
    })?;
    let questionnaire = questionnaire(vault, &close.proband.id.to_string())?;
    Ok(QuestionnaireSaved {
        people_created: created,
        people_updated: updated,
        families_changed,
        conditions_added,
        questionnaire,
    })
}

fn known_sex(vault: &Vault, id: Uuid) -> Option<Sex> {
    vault.get_person(id).ok().flatten().map(|p| p.sex)
}
