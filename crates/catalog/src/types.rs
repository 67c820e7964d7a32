//! The catalog's data types. They mirror `data/conditions.toml` field for field (unknown keys are
//! rejected), serialise to JSON for the UI and the CLI, and derive [`TS`] for the bindings.

use kinvault_model::{Code, Sex};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Everything the catalog file holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct CatalogData {
    /// Data version: bumped on every change to the numbers or the entries (docs/catalog.md).
    pub version: u32,
    /// Release date of this version (ISO 8601).
    pub released: String,
    #[serde(default, rename = "condition")]
    pub conditions: Vec<ConditionDef>,
    /// Named family-history criteria (Amsterdam II, revised Bethesda, Scheuner 1997).
    #[serde(default, rename = "criterion")]
    pub criteria: Vec<Criterion>,
}

/// One condition: its identity and codes, its genetics and the numbers a risk model needs, each
/// number pointing (`ref`) at an entry of `references`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct ConditionDef {
    /// Stable slug, e.g. `cystic-fibrosis` (also the `kinvault` code system's code).
    pub id: String,
    pub name: String,
    /// Other names people and files use; searched and matched like the name.
    #[serde(default)]
    pub synonyms: Vec<String>,
    pub category: Category,
    pub inheritance: Inheritance,
    /// HGNC symbols of the genes, for Mendelian conditions.
    #[serde(default)]
    pub genes: Vec<String>,
    /// SNOMED CT, ICD-10 (WHO), OMIM, MONDO codes. The first code of a system is the preferred
    /// one for export; later ones are narrower or alternative codes that also map here.
    #[serde(default)]
    pub codes: Vec<Code>,
    /// Allele / carrier frequencies. The first entry is the default when a person's ancestry
    /// matches no other entry.
    #[serde(default)]
    pub frequencies: Vec<PopulationFrequency>,
    /// Cumulative risk of being affected for a person with the affected genotype (see
    /// [`Penetrance`]), for the condition itself and/or for named outcomes.
    #[serde(default)]
    pub penetrance: Vec<Penetrance>,
    /// New-mutation rate per gene per generation (used with Haldane's equilibrium for X-linked
    /// lethal conditions).
    #[serde(default)]
    pub mutation_rate: Option<SourcedValue>,
    /// Reproductive fitness of affected individuals relative to the population (0 = genetic
    /// lethal).
    #[serde(default)]
    pub reproductive_fitness: Option<SourcedValue>,
    /// Sensitivity to assume for a negative genetic test that does not state its own.
    #[serde(default)]
    pub test_sensitivity: Option<TestSensitivity>,
    /// Population lifetime risk (multifactorial conditions).
    #[serde(default)]
    pub lifetime_risk: Vec<LifetimeRisk>,
    /// "Premature / early onset" age thresholds for family-history stratification.
    #[serde(default)]
    pub premature_onset: Vec<PrematureOnset>,
    #[serde(default)]
    pub references: Vec<Reference>,
    /// Caveats, modelling assumptions and anything a reviewer should know.
    #[serde(default)]
    pub notes: Option<String>,
    /// True for conditions a user added (never set in the built-in data).
    #[serde(default)]
    pub user_defined: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(rename = "ConditionCategory")]
pub enum Category {
    Cancer,
    Cardiovascular,
    Metabolic,
    Endocrine,
    Neuromuscular,
    Neurological,
    Haematological,
    Respiratory,
    Renal,
    ConnectiveTissue,
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Inheritance {
    AutosomalDominant,
    AutosomalRecessive,
    XLinkedRecessive,
    XLinkedDominant,
    Multifactorial,
}

impl Inheritance {
    /// One biallelic locus with Mendelian transmission (everything but multifactorial).
    pub fn is_mendelian(self) -> bool {
        !matches!(self, Inheritance::Multifactorial)
    }

    pub fn is_x_linked(self) -> bool {
        matches!(self, Inheritance::XLinkedRecessive | Inheritance::XLinkedDominant)
    }
}

/// Which of a frequency entry's numbers the source reported; the others are derived from it
/// under Hardy–Weinberg equilibrium (docs/catalog.md gives the formulas).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum FrequencyGiven {
    /// q itself.
    AlleleFrequency,
    /// Heterozygote frequency 2q(1−q).
    CarrierFrequency,
    /// Homozygote frequency q² (e.g. HFE C282Y/C282Y in a screened population).
    HomozygoteFrequency,
    /// Frequency of affected people: q² (recessive), 1−(1−q)² (dominant), q in males
    /// (X-linked). Prevalence of a late-onset disease understates the genotype frequency.
    AffectedFrequency,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct PopulationFrequency {
    /// Ancestry slug the risk engine matches on: `european`, `ashkenazi_jewish`,
    /// `african_american`, `hispanic`, `asian`, `native_american`, `general`, `global`.
    pub population: String,
    /// The population as the source describes it.
    pub label: String,
    pub given: FrequencyGiven,
    /// The figure as printed in the source, e.g. "1 in 25".
    #[serde(default)]
    pub as_reported: Option<String>,
    /// q, the frequency of the disease allele (all pathogenic alleles pooled).
    pub allele_frequency: f64,
    #[serde(default)]
    pub carrier_frequency: Option<f64>,
    #[serde(default)]
    pub homozygote_frequency: Option<f64>,
    #[serde(default)]
    pub affected_frequency: Option<f64>,
    /// Share of carriers the usual test detects in this population (same source).
    #[serde(default)]
    pub detection_rate: Option<f64>,
    #[serde(rename = "ref")]
    pub reference: String,
    #[serde(default)]
    pub note: Option<String>,
}

/// Cumulative risk by age for people with the affected genotype: heterozygotes (dominant),
/// homozygotes (recessive), hemizygous males and homozygous females (X-linked recessive),
/// hemizygous males and heterozygous females (X-linked dominant).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct Penetrance {
    /// `None`: the condition itself. Otherwise the catalog id of the outcome (e.g.
    /// `breast-cancer` for a BRCA1 carrier).
    #[serde(default)]
    pub outcome: Option<String>,
    pub female: Curve,
    pub male: Curve,
    #[serde(rename = "ref")]
    pub reference: String,
    /// Overrides `ref` for the female curve when it comes from another source.
    #[serde(default)]
    pub female_ref: Option<String>,
    /// Overrides `ref` for the male curve when it comes from another source.
    #[serde(default)]
    pub male_ref: Option<String>,
    /// The curves are constant lifetime risks whose age pattern the catalog does not give
    /// (adult-onset conditions without an age curve, e.g. Huntington disease): a person's
    /// "unaffected" status then says nothing about their genotype and the risk engine does not
    /// use it. Constant curves without this flag hold from birth (congenital conditions).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    #[ts(optional, as = "Option<bool>")]
    pub lifetime_only: bool,
    #[serde(default)]
    pub note: Option<String>,
}

impl Penetrance {
    /// Cumulative risk of being affected by `age` (years). Sex unknown or intersex: the mean of
    /// the female and male curves (a 50:50 prior on the two).
    pub fn cumulative(&self, sex: Sex, age: f64) -> f64 {
        match sex {
            Sex::Female => self.female.cumulative(age),
            Sex::Male => self.male.cumulative(age),
            Sex::Intersex | Sex::Unknown => 0.5 * (self.female.cumulative(age) + self.male.cumulative(age)),
        }
    }

    /// Both curves are constants (no age dependence).
    pub fn is_constant(&self) -> bool {
        matches!(self.female, Curve::Constant(_)) && matches!(self.male, Curve::Constant(_))
    }

    /// The reference id behind the curve for `sex` (the female one for unknown sex when they
    /// differ, since the mean uses both).
    pub fn reference_for(&self, sex: Sex) -> &str {
        match sex {
            Sex::Male => self.male_ref.as_deref().unwrap_or(&self.reference),
            _ => self.female_ref.as_deref().unwrap_or(&self.reference),
        }
    }
}

/// A cumulative-risk curve: a constant, or `[age, cumulative risk]` points in increasing age
/// with non-decreasing risk. Between points the risk is interpolated linearly; before the first
/// point it is the first point's risk and after the last point the last's (clamped).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(untagged)]
#[ts(rename = "RiskCurve")]
pub enum Curve {
    Constant(f64),
    Points(Vec<(f64, f64)>),
}

impl Curve {
    /// Cumulative risk by `age`; monotone non-decreasing in `age` for a valid curve, always in
    /// [0, 1]. A NaN age is treated as the earliest age.
    pub fn cumulative(&self, age: f64) -> f64 {
        let r = match self {
            Curve::Constant(v) => *v,
            Curve::Points(pts) => match pts.first() {
                None => 0.0,
                // `age <= a0`, and NaN (which compares false to everything) too.
                Some(&(a0, r0)) if age.partial_cmp(&a0) != Some(std::cmp::Ordering::Greater) => r0,
                Some(_) => {
                    let mut value = pts[pts.len() - 1].1;
                    for w in pts.windows(2) {
                        let ((a0, r0), (a1, r1)) = (w[0], w[1]);
                        if age <= a1 {
                            value = r0 + (r1 - r0) * (age - a0) / (a1 - a0);
                            break;
                        }
                    }
                    value
                }
            },
        };
        if r.is_nan() {
            0.0
        } else {
            r.clamp(0.0, 1.0)
        }
    }

    /// Every number in the curve (for reference and range checks).
    pub fn values(&self) -> Vec<f64> {
        match self {
            Curve::Constant(v) => vec![*v],
            Curve::Points(p) => p.iter().flat_map(|&(a, r)| [a, r]).collect(),
        }
    }
}

/// A single number with its source.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct SourcedValue {
    pub value: f64,
    #[serde(rename = "ref")]
    pub reference: String,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct TestSensitivity {
    /// Probability the test finds a pathogenic variant that is present.
    pub value: f64,
    /// The test the figure is for.
    pub method: String,
    #[serde(rename = "ref")]
    pub reference: String,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum SexScope {
    Female,
    Male,
    Any,
}

impl SexScope {
    /// Whether a figure for this scope applies to a person of `sex` (unknown sex: only `any`).
    pub fn applies_to(self, sex: Sex) -> bool {
        match self {
            SexScope::Any => true,
            SexScope::Female => sex == Sex::Female,
            SexScope::Male => sex == Sex::Male,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct LifetimeRisk {
    /// Population slug (`united_states`, `global`, ...).
    pub population: String,
    pub label: String,
    pub sex: SexScope,
    pub value: f64,
    /// Risk counted from this age (e.g. 40 for the Framingham CHD estimate).
    #[serde(default)]
    pub from_age: Option<f64>,
    /// Risk counted up to this age (open-ended = lifetime).
    #[serde(default)]
    pub to_age: Option<f64>,
    #[serde(rename = "ref")]
    pub reference: String,
    #[serde(default)]
    pub note: Option<String>,
}

/// "Premature onset" for family-history stratification: onset at or before (`inclusive`) or
/// before `age` counts as premature under `scheme`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct PrematureOnset {
    /// `scheuner1997` (Scheuner et al. 1997, as used by CDC Family Healthware) or `cdc_mfhp`
    /// (CDC My Family Health Portrait).
    pub scheme: String,
    /// Sex of the affected relative the threshold is for.
    pub sex: SexScope,
    pub age: f64,
    /// True: onset ≤ age is premature; false: onset < age.
    pub inclusive: bool,
    /// Onset before the menopause also counts (breast, ovarian, endometrial cancer).
    #[serde(default)]
    pub or_premenopausal: bool,
    #[serde(rename = "ref")]
    pub reference: String,
    #[serde(default)]
    pub note: Option<String>,
}

impl PrematureOnset {
    /// Whether onset at `onset_age` counts as premature under this threshold.
    pub fn is_premature(&self, onset_age: f64) -> bool {
        if self.inclusive {
            onset_age <= self.age
        } else {
            onset_age < self.age
        }
    }
}

/// A paper, guideline or data release.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(rename = "CatalogReference")]
pub struct Reference {
    /// Short id used by `ref` fields, e.g. `kuchenbaecker2017`.
    pub id: String,
    /// Vancouver-style citation.
    pub citation: String,
    /// Publication year; left out only for an undated web page, which then needs `url`.
    #[serde(default)]
    pub year: Option<u16>,
    #[serde(default)]
    pub url: Option<String>,
}

/// A named family-history criterion the risk engine evaluates (the logic lives in the engine;
/// the catalog holds the definition, its age thresholds and its citation).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(rename = "FamilyHistoryCriterion")]
pub struct Criterion {
    pub id: String,
    pub name: String,
    /// Catalog ids of the conditions the criterion screens for.
    pub applies_to: Vec<String>,
    /// Catalog ids of the conditions whose occurrence in relatives the criterion counts.
    #[serde(default)]
    pub counts: Vec<String>,
    pub description: String,
    /// Ages (years) the criterion's rules use; `description` says how.
    #[serde(default)]
    pub age_thresholds: Vec<f64>,
    /// Source of the definition and of `age_thresholds`.
    #[serde(rename = "ref")]
    pub reference: String,
    pub references: Vec<Reference>,
}

impl ConditionDef {
    pub fn is_mendelian(&self) -> bool {
        self.inheritance.is_mendelian()
    }

    /// The reference with this id in this entry.
    pub fn reference(&self, id: &str) -> Option<&Reference> {
        self.references.iter().find(|r| r.id == id)
    }

    /// The frequency entry for an ancestry slug, falling back to the first (default) entry.
    pub fn frequency_for(&self, population: &str) -> Option<&PopulationFrequency> {
        self.frequencies.iter().find(|f| f.population == population).or_else(|| self.frequencies.first())
    }

    /// The penetrance for the condition itself (`None`) or for an outcome id.
    pub fn penetrance_for(&self, outcome: Option<&str>) -> Option<&Penetrance> {
        self.penetrance.iter().find(|p| p.outcome.as_deref() == outcome)
    }

    /// The premature-onset threshold of `scheme` that applies to a relative of `sex` (a
    /// sex-specific threshold first, then one for any sex).
    pub fn premature_onset_for(&self, scheme: &str, sex: Sex) -> Option<&PrematureOnset> {
        let of_scheme = || self.premature_onset.iter().filter(move |p| p.scheme == scheme);
        of_scheme()
            .find(|p| p.sex != SexScope::Any && p.sex.applies_to(sex))
            .or_else(|| of_scheme().find(|p| p.sex == SexScope::Any))
    }

    /// The lifetime risk for `sex` in `population` (a sex-specific figure first, then one for
    /// any sex), falling back to the first entry's population.
    pub fn lifetime_risk_for(&self, population: &str, sex: Sex) -> Option<&LifetimeRisk> {
        let pick = |pop: &str| {
            let of_pop = || self.lifetime_risk.iter().filter(move |r| r.population == pop);
            of_pop()
                .find(|r| r.sex != SexScope::Any && r.sex.applies_to(sex))
                .or_else(|| of_pop().find(|r| r.sex == SexScope::Any))
        };
        pick(population).or_else(|| self.lifetime_risk.first().and_then(|r| pick(&r.population)))
    }

    /// The code of `system` preferred for export (the first one listed).
    pub fn preferred_code(&self, system: kinvault_model::CodeSystem) -> Option<&Code> {
        self.codes.iter().find(|c| c.system == system)
    }

    /// This condition as a model code in the `kinvault` system (its slug).
    pub fn kinvault_code(&self) -> Code {
        Code::new(kinvault_model::CodeSystem::Kinvault, &self.id, &self.name)
    }
}
