//! The Kinvault condition catalog: the conditions the app knows by name, with their codes
//! (SNOMED CT, ICD-10, OMIM, MONDO), genetics (inheritance, genes, allele/carrier frequencies by
//! population, penetrance by sex and age, mutation rate, fitness, test sensitivity), the
//! family-history thresholds of multifactorial conditions, and a reference for every number.
//!
//! The data is versioned in `data/conditions.toml`, embedded at compile time and parsed once
//! ([`Catalog::builtin`]). Users may add their own conditions
//! ([`Catalog::with_user_conditions`]), validated field by field. Imported observations are
//! linked to entries by code ([`Catalog::find_by_code`]) or by exact label
//! ([`Catalog::match_label`]). No I/O, no storage. See docs/catalog.md.
//!
//! ```
//! use kinvault_catalog::{Catalog, CodeSystem, Sex};
//!
//! let cat = Catalog::builtin();
//! let brca1 = cat.get("brca1-associated-cancer").unwrap();
//! let breast = brca1.penetrance_for(Some("breast-cancer")).unwrap();
//! assert_eq!(breast.cumulative(Sex::Female, 80.0), 0.72);
//! assert_eq!(breast.reference_for(Sex::Female), "kuchenbaecker2017");
//! assert_eq!(cat.find_by_code(CodeSystem::Icd10, "C50.9").unwrap().id, "breast-cancer");
//! assert_eq!(cat.match_label("Tay-Sachs disease").unwrap().id, "tay-sachs-disease");
//! ```

mod codes;
mod text;
mod types;
mod validate;

/// The model types the catalog's API takes, re-exported for convenience.
pub use kinvault_model::{Code, CodeSystem, Sex};

pub use codes::{
    code_problem, icd10_is_well_formed, normalize_code, omim_is_well_formed, slug_is_valid, snomed_concept_id_is_valid,
    verhoeff_is_valid,
};
pub use text::normalize as normalize_text;
pub use types::*;
pub use validate::ValidationError;

use kinvault_model::ConditionObservation;
use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

/// The catalog file compiled into the binary.
pub const BUILTIN_TOML: &str = include_str!("../data/conditions.toml");

#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("catalog data does not parse: {0}")]
    Parse(String),
    #[error("catalog data is invalid:\n{}", list(.0))]
    Invalid(Vec<ValidationError>),
}

fn list(errors: &[ValidationError]) -> String {
    errors.iter().map(|e| format!("  {e}")).collect::<Vec<_>>().join("\n")
}

/// A validated set of conditions with lookup indexes.
#[derive(Debug, Clone)]
pub struct Catalog {
    data: CatalogData,
    by_id: HashMap<String, usize>,
    /// Per condition: its id, name and synonyms in [`normalize_text`] form.
    names: Vec<Vec<String>>,
}

impl Catalog {
    /// The built-in catalog, parsed and validated on first use. Panics only if the embedded data
    /// is broken, which the crate's tests rule out.
    pub fn builtin() -> &'static Catalog {
        static BUILTIN: OnceLock<Catalog> = OnceLock::new();
        BUILTIN.get_or_init(|| {
            Catalog::from_toml_str(BUILTIN_TOML)
                .unwrap_or_else(|e| panic!("the built-in condition catalog is broken: {e}"))
        })
    }

    /// Parses and validates catalog data in the `conditions.toml` format.
    pub fn from_toml_str(s: &str) -> Result<Catalog, CatalogError> {
        let data: CatalogData = toml::from_str(s).map_err(|e| CatalogError::Parse(e.to_string()))?;
        Catalog::from_data(data)
    }

    /// Validates `data` and indexes it.
    pub fn from_data(data: CatalogData) -> Result<Catalog, CatalogError> {
        let errors = validate_all(&data.conditions, &data.criteria, &HashSet::new());
        if !errors.is_empty() {
            return Err(CatalogError::Invalid(errors));
        }
        Ok(Catalog::index(data))
    }

    fn index(data: CatalogData) -> Catalog {
        let by_id = data.conditions.iter().enumerate().map(|(i, c)| (c.id.clone(), i)).collect();
        let names = data
            .conditions
            .iter()
            .map(|c| {
                std::iter::once(&c.id)
                    .chain(std::iter::once(&c.name))
                    .chain(&c.synonyms)
                    .map(|s| text::normalize(s))
                    .collect()
            })
            .collect();
        Catalog { data, by_id, names }
    }

    /// Data version of the catalog file.
    pub fn version(&self) -> u32 {
        self.data.version
    }

    /// Release date of the data version.
    pub fn released(&self) -> &str {
        &self.data.released
    }

    /// The whole catalog as data (serialisable: `kinvault catalog list --json`).
    pub fn data(&self) -> &CatalogData {
        &self.data
    }

    pub fn get(&self, id: &str) -> Option<&ConditionDef> {
        self.by_id.get(id).map(|&i| &self.data.conditions[i])
    }

    /// All conditions, built-in ones first, in file order.
    pub fn iter(&self) -> std::slice::Iter<'_, ConditionDef> {
        self.data.conditions.iter()
    }

    pub fn len(&self) -> usize {
        self.data.conditions.len()
    }

    pub fn is_empty(&self) -> bool {
        self.data.conditions.is_empty()
    }

    /// Named family-history criteria (Amsterdam II, revised Bethesda, Scheuner 1997).
    pub fn criteria(&self) -> &[Criterion] {
        &self.data.criteria
    }

    pub fn criterion(&self, id: &str) -> Option<&Criterion> {
        self.data.criteria.iter().find(|c| c.id == id)
    }

    /// Conditions matching `query`, best first: an exact code (any system; ICD-10 also by its
    /// parent category) first, then an exact id, name or synonym, then a gene symbol, then names
    /// and synonyms with a word starting with the query, then any that contain it. Case, accents
    /// and punctuation are ignored. An empty query finds nothing.
    pub fn search(&self, query: &str) -> Vec<&ConditionDef> {
        let q = text::normalize(query);
        if q.is_empty() {
            return vec![];
        }
        let mut tiers: [Vec<usize>; 6] = Default::default();
        let icd_parents = codes::icd10_parents(&normalize_code(CodeSystem::Icd10, query));
        for (i, c) in self.data.conditions.iter().enumerate() {
            // names[i][0] is the id; the rest are the name and synonyms.
            let all = &self.names[i];
            let names = &all[1..];
            let tier = if c.codes.iter().any(|code| code_matches(code.system, &code.code, query)) {
                0
            } else if c.codes.iter().any(|code| {
                code.system == CodeSystem::Icd10 && icd_parents.contains(&normalize_code(CodeSystem::Icd10, &code.code))
            }) {
                1
            } else if all.contains(&q) {
                2
            } else if c.genes.iter().any(|g| g.eq_ignore_ascii_case(query.trim())) {
                3
            } else if names.iter().any(|n| text::starts_word(n, &q)) {
                4
            } else if all.iter().any(|n| n.contains(&q)) {
                5
            } else {
                continue;
            };
            tiers[tier].push(i);
        }
        tiers.iter().flatten().map(|&i| &self.data.conditions[i]).collect()
    }

    /// Every condition carrying `code` in `system` (exactly, after normalisation; for ICD-10,
    /// failing an exact match, the nearest parent category that matches, so `C50.9` finds breast
    /// cancer through `C50`). The `kinvault` system's code is the condition id.
    pub fn find_all_by_code(&self, system: CodeSystem, code: &str) -> Vec<&ConditionDef> {
        if system == CodeSystem::Kinvault {
            return self.get(&normalize_code(system, code)).into_iter().collect();
        }
        let want = normalize_code(system, code);
        let with = |w: &str| -> Vec<&ConditionDef> {
            self.data
                .conditions
                .iter()
                .filter(|c| c.codes.iter().any(|k| k.system == system && normalize_code(system, &k.code) == w))
                .collect()
        };
        let exact = with(&want);
        if !exact.is_empty() || system != CodeSystem::Icd10 {
            return exact;
        }
        for parent in codes::icd10_parents(&want) {
            let found = with(&parent);
            if !found.is_empty() {
                return found;
            }
        }
        vec![]
    }

    /// The one condition carrying `code` in `system` (see [`Catalog::find_all_by_code`]); `None`
    /// when no condition or several do (e.g. the SNOMED CT code for Lynch syndrome maps to the
    /// four per-gene entries: the caller has to ask which).
    pub fn find_by_code(&self, system: CodeSystem, code: &str) -> Option<&ConditionDef> {
        single(self.find_all_by_code(system, code))
    }

    /// Conditions whose name or a synonym equals `label` (ignoring case, accents, punctuation
    /// and spacing). No fuzzy matching.
    pub fn match_label_all(&self, label: &str) -> Vec<&ConditionDef> {
        let l = text::normalize(label);
        if l.is_empty() {
            return vec![];
        }
        self.data
            .conditions
            .iter()
            .zip(&self.names)
            .filter(|(_, names)| names[1..].contains(&l))
            .map(|(c, _)| c)
            .collect()
    }

    /// The one condition whose name or a synonym equals `label`; `None` when none or several do.
    pub fn match_label(&self, label: &str) -> Option<&ConditionDef> {
        single(self.match_label_all(label))
    }

    /// The catalog entry an observation refers to: by its code when it has one that the catalog
    /// knows, else by its label.
    pub fn link(&self, obs: &ConditionObservation) -> Option<&ConditionDef> {
        obs.code.as_ref().and_then(|c| self.find_by_code(c.system, &c.code)).or_else(|| self.match_label(&obs.label))
    }

    /// A new catalog with the user's conditions added after the built-in ones. Each is
    /// validated; ids must not clash with existing ones or each other, and penetrance outcomes
    /// must name conditions that exist. All problems are reported at once.
    pub fn with_user_conditions(&self, user: Vec<ConditionDef>) -> Result<Catalog, Vec<ValidationError>> {
        let known: HashSet<&str> = self.data.conditions.iter().map(|c| c.id.as_str()).collect();
        let mut conditions = self.data.conditions.clone();
        conditions.extend(user.into_iter().map(|mut u| {
            u.user_defined = true;
            u
        }));
        let errors = validate_all(&conditions, &self.data.criteria, &known);
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Catalog::index(CatalogData { conditions, ..self.data.clone() }))
    }

    /// Everything wrong with the catalog (empty for a catalog built by this crate).
    pub fn validate(&self) -> Vec<ValidationError> {
        validate_all(&self.data.conditions, &self.data.criteria, &HashSet::new())
    }
}

fn single<T>(mut v: Vec<T>) -> Option<T> {
    if v.len() == 1 {
        v.pop()
    } else {
        None
    }
}

fn code_matches(system: CodeSystem, code: &str, query: &str) -> bool {
    let q = normalize_code(system, query);
    !q.is_empty() && normalize_code(system, code) == q
}

/// Entry checks plus the cross-entry ones. `skip` holds ids already known valid (the built-in
/// entries when user conditions are merged), whose own checks are not repeated.
fn validate_all(conditions: &[ConditionDef], criteria: &[Criterion], skip: &HashSet<&str>) -> Vec<ValidationError> {
    let mut errors = vec![];
    let ids: HashSet<&str> = conditions.iter().map(|c| c.id.as_str()).collect();
    let mut seen: HashMap<&str, bool> = HashMap::new();
    for c in conditions {
        let known = skip.contains(c.id.as_str()) && !c.user_defined;
        if let Some(&first_is_user) = seen.get(c.id.as_str()) {
            let message = if c.user_defined && !first_is_user {
                format!("`{}` is already a built-in condition; choose another id", c.id)
            } else {
                format!("the id `{}` is used by more than one condition", c.id)
            };
            errors.push(ValidationError { condition: c.id.clone(), field: "id".into(), message });
        } else {
            seen.insert(c.id.as_str(), c.user_defined);
        }
        if known {
            continue;
        }
        errors.extend(c.validate());
        for (i, p) in c.penetrance.iter().enumerate() {
            if let Some(o) = &p.outcome {
                if !ids.contains(o.as_str()) {
                    errors.push(ValidationError {
                        condition: c.id.clone(),
                        field: format!("penetrance[{i}].outcome"),
                        message: format!("`{o}` is not a catalog condition"),
                    });
                }
            }
        }
    }
    let mut seen_criteria = HashSet::new();
    for k in criteria {
        errors.extend(k.validate());
        if !seen_criteria.insert(k.id.as_str()) {
            errors.push(ValidationError {
                condition: k.id.clone(),
                field: "id".into(),
                message: "criterion id used twice".into(),
            });
        }
        for (field, list) in [("applies_to", &k.applies_to), ("counts", &k.counts)] {
            for (i, id) in list.iter().enumerate() {
                if !ids.contains(id.as_str()) {
                    errors.push(ValidationError {
                        condition: k.id.clone(),
                        field: format!("{field}[{i}]"),
                        message: format!("`{id}` is not a catalog condition"),
                    });
                }
            }
        }
    }
    errors
}
