//! The result types of [`super::stratify`] and [`super::relatives`]. They serialise to JSON for
//! the UI and the report, and derive [`TS`] for the TypeScript bindings. Members are identified by
//! their index in the [`Pedigree`](crate::Pedigree) and their `id`; no names.

use crate::input::Ix;
use kinvault_catalog::{PrematureOnset, Reference};
use kinvault_model::{AgeRange, Sex};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Side of the family a relative belongs to, for Scheuner's "same side" (same lineage) rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(rename = "FamilySide")]
pub enum Side {
    /// Reached through the proband's mother: the mother herself, maternal grandparents, aunts,
    /// uncles, cousins, half-siblings through the mother and their descendants.
    Maternal,
    /// Reached through the proband's father (the father himself included).
    Paternal,
    /// Related through both parents: full siblings and their descendants (or, by pedigree
    /// collapse, a relative reached as closely through the mother as through the father).
    Both,
    /// Related through neither parent: the proband's own descendants.
    Neither,
}

impl Side {
    /// Whether a relative on this side belongs to the `lineage` (`Maternal`, `Paternal` or
    /// `Neither`) for the same-side rules: relatives on `Both` sides belong to the maternal and
    /// to the paternal lineage; the proband's descendants (`Neither`) form their own. (`Both` as
    /// a lineage holds only the relatives on both sides.)
    pub fn in_lineage(self, lineage: Side) -> bool {
        match lineage {
            Side::Maternal | Side::Paternal => self == lineage || self == Side::Both,
            Side::Neither => self == Side::Neither,
            Side::Both => self == Side::Both,
        }
    }

    /// Whether two relatives count as being "on the same side" (from the same lineage).
    pub fn same_lineage(self, other: Side) -> bool {
        [Side::Maternal, Side::Paternal, Side::Neither].iter().any(|&l| self.in_lineage(l) && other.in_lineage(l))
    }
}

/// A blood relative of the proband (or the proband, with `degree` 0 and relation `"self"`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(rename = "KinRelative")]
pub struct Relative {
    /// Index in the pedigree.
    pub ix: Ix,
    /// The member's id (the vault's person id).
    pub id: String,
    pub sex: Sex,
    /// Degree of relationship: 1 parents, full siblings, children; 2 grandparents, aunts and
    /// uncles, half-siblings, nieces and nephews, grandchildren; 3 great-grandparents, great-aunts
    /// and -uncles, first cousins, half-aunts and -uncles, half-nieces and -nephews,
    /// grandnieces and -nephews, great-grandchildren. The closest when reached several ways.
    pub degree: u8,
    pub side: Side,
    /// The relationship in English, e.g. `"mother"`, `"maternal aunt"`, `"paternal half-brother"`,
    /// `"niece"`, `"maternal first cousin"`.
    pub relation: String,
    /// Generation relative to the proband: parents −1, siblings and cousins 0, children +1.
    pub generation: i8,
    /// The relationship runs through half-siblings: one shared recorded parent, and the other
    /// parents recorded and different, or recorded for only one of the two.
    pub half: bool,
    /// The relationship runs through two people who share one recorded parent while neither has
    /// the other parent recorded; they are treated as full siblings (see the module notes).
    pub assumed_full: bool,
}

/// Familial risk level of Scheuner et al. 1997.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(rename = "FamilialRisk")]
pub enum Stratum {
    Average,
    Moderate,
    High,
}

/// Onset of a recorded condition against the age threshold a rule uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum OnsetClass {
    /// At or before the threshold (Scheuner's "premature"), or before it (the Lynch criteria's
    /// "diagnosed before 50"): the whole recorded onset range is on the early side.
    Early,
    /// The whole recorded onset range is past the threshold.
    Late,
    /// No onset recorded, a range that straddles the threshold, or (coronary heart disease) a
    /// relative of unrecorded sex whose onset is premature under one sex's threshold only.
    /// The rules count it with late onset ("late or unknown onset").
    Unknown,
}

/// An age threshold: onset at `age` counts as early when `inclusive`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, TS)]
#[ts(rename = "OnsetThreshold")]
pub struct Threshold {
    pub age: f64,
    pub inclusive: bool,
}

impl Threshold {
    /// Whether onset at `age` is on the early side.
    pub fn is_early(&self, age: f64) -> bool {
        if self.inclusive {
            age <= self.age
        } else {
            age < self.age
        }
    }
}

/// A recorded fact that a rule or clause counted: who, which condition, at what age.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Evidence {
    pub member: Relative,
    /// Catalog id of the condition.
    pub condition: String,
    /// Age at onset or diagnosis as recorded.
    pub onset: Option<AgeRange>,
    pub onset_class: OnsetClass,
    /// The threshold `onset_class` was judged against; `None` when several applied (relative of
    /// unrecorded sex) or none is defined.
    pub threshold: Option<Threshold>,
}

/// The rules of Scheuner et al. 1997 (as tabulated by CDC, Prev Chronic Dis 2010), with the
/// stratum each one assigns. Serialised in kebab-case; the ids are stable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "kebab-case")]
pub enum ScheunerRule {
    /// High: premature disease in a first-degree relative.
    PrematureFirstDegree,
    /// High (coronary heart disease only): premature disease in a second-degree relative.
    PrematureSecondDegreeChd,
    /// High: two affected first-degree relatives.
    TwoFirstDegree,
    /// High: a first-degree relative with late or unknown onset and a second-degree relative
    /// with premature onset from the same lineage.
    FirstDegreeAndPrematureSecondDegree,
    /// High: two second-degree relatives on the same side, at least one with premature onset.
    TwoSecondDegreeOnePremature,
    /// High: three or more affected relatives on the same (maternal or paternal) side.
    ThreeSameSide,
    /// High: a moderate-risk history on both sides of the family.
    ModerateBothSides,
    /// High: the cancers cluster as in a hereditary cancer syndrome (Lynch syndrome: the
    /// Amsterdam II criteria are met, pending verification).
    HereditaryCancerCluster,
    /// Moderate: a first-degree relative with late or unknown onset.
    FirstDegreeLate,
    /// Moderate: two second-degree relatives on the same side with late or unknown onset.
    TwoSecondDegreeLate,
    /// Average: no affected relatives.
    NoAffectedRelatives,
    /// Average: a single affected second-degree relative on either or both sides.
    SingleSecondDegree,
    /// Average: no first- or second-degree relative is recorded (no known family history).
    NoKnownFamilyHistory,
}

impl ScheunerRule {
    /// The stratum the rule assigns.
    pub fn stratum(self) -> Stratum {
        use ScheunerRule::*;
        match self {
            PrematureFirstDegree
            | PrematureSecondDegreeChd
            | TwoFirstDegree
            | FirstDegreeAndPrematureSecondDegree
            | TwoSecondDegreeOnePremature
            | ThreeSameSide
            | ModerateBothSides
            | HereditaryCancerCluster => Stratum::High,
            FirstDegreeLate | TwoSecondDegreeLate => Stratum::Moderate,
            NoAffectedRelatives | SingleSecondDegree | NoKnownFamilyHistory => Stratum::Average,
        }
    }

    /// The rule in words.
    pub fn text(self) -> &'static str {
        use ScheunerRule::*;
        match self {
            PrematureFirstDegree => "Premature onset in a first-degree relative",
            PrematureSecondDegreeChd => "Premature coronary heart disease in a second-degree relative",
            TwoFirstDegree => "Two or more affected first-degree relatives",
            FirstDegreeAndPrematureSecondDegree => {
                "A first-degree relative with late or unknown onset and a second-degree relative with premature \
                 onset on the same side of the family"
            }
            TwoSecondDegreeOnePremature => {
                "Two second-degree relatives on the same side of the family, at least one with premature onset"
            }
            ThreeSameSide => "Three or more affected relatives on the same side of the family",
            ModerateBothSides => "A moderate-risk family history on both sides of the family",
            HereditaryCancerCluster => {
                "Cancers in the family cluster as in a hereditary cancer syndrome (Lynch syndrome: Amsterdam II \
                 criteria met, pending verification)"
            }
            FirstDegreeLate => "A first-degree relative with late or unknown onset",
            TwoSecondDegreeLate => {
                "Two second-degree relatives on the same side of the family with late or unknown onset"
            }
            NoAffectedRelatives => "No affected first- or second-degree relatives",
            SingleSecondDegree => "At most one affected second-degree relative on each side of the family",
            NoKnownFamilyHistory => "No first- or second-degree relatives are recorded (no known family history)",
        }
    }
}

/// One rule that applies, with the relatives and facts that satisfy it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct RuleHit {
    pub rule: ScheunerRule,
    pub stratum: Stratum,
    /// The rule in words (the condition named where it helps).
    pub text: String,
    /// For the same-side rules, the lineage the relatives share (`both`: the same relatives
    /// satisfy the rule for the maternal and the paternal lineage, e.g. two nieces).
    pub side: Option<Side>,
    /// The affected relatives the rule counted, closest first.
    pub evidence: Vec<Evidence>,
}

/// What kind of next step is recommended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum NextStepKind {
    /// Average familial risk: the recommendations for the general population.
    PopulationRecommendations,
    /// Moderate familial risk: personalised prevention and screening per guideline.
    PersonalisedPrevention,
    /// High familial risk: clinical risk assessment with referral for genetic evaluation, and
    /// personalised (possibly earlier or more frequent) screening per guideline.
    GeneticEvaluation,
    /// Revised Bethesda met: test the colorectal tumour (MSI / mismatch-repair IHC).
    TumourTesting,
    /// Amsterdam II met: genetic counselling to consider germline testing for Lynch syndrome.
    GeneticCounselling,
}

/// The recommended next step, with its sources.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct NextStep {
    pub kind: NextStepKind,
    pub text: String,
    pub references: Vec<Reference>,
}

/// The proband's own record of the condition, reported apart from the family history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ProbandCondition {
    /// The proband's affected records of the condition.
    pub facts: Vec<Evidence>,
    pub note: String,
}

/// Scheuner stratification of one condition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ConditionStratum {
    /// Catalog id.
    pub condition: String,
    pub name: String,
    pub stratum: Stratum,
    /// Every rule of the assigned stratum that applies (the first decides the wording); for an
    /// average stratum, the average-risk description that fits.
    pub rules: Vec<RuleHit>,
    /// The catalog's `scheuner1997` premature-onset thresholds for the condition.
    pub premature_onset: Vec<PrematureOnset>,
    /// Set when the proband has the condition recorded as affected.
    pub proband: Option<ProbandCondition>,
    pub next_step: NextStep,
    /// Caveats specific to this condition and family (menopause not recorded, onset ranges that
    /// straddle a threshold, relatives not counted, ...).
    pub notes: Vec<String>,
    /// Sources of the rules, thresholds and next step.
    pub references: Vec<Reference>,
}

/// How many relatives of each degree the pedigree records around the proband.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RelativeCounts {
    pub first_degree: u32,
    pub second_degree: u32,
    pub third_degree: u32,
}

/// Outcome of a named criterion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum CriterionStatus {
    /// Every clause is met.
    Met,
    /// Every clause that the recorded data can show is met; the others (pathology
    /// verification, exclusion of familial adenomatous polyposis) must be checked by a clinician.
    MetPendingVerification,
    NotMet,
    /// The criterion does not apply (revised Bethesda: the person has no colorectal cancer
    /// recorded).
    NotApplicable,
    /// The catalog does not define the criterion.
    Unavailable,
}

/// Outcome of one clause of a criterion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ClauseStatus {
    Met,
    NotMet,
    /// The data needed is not recorded (pathology, polyposis, tumour histology).
    NotAssessable,
}

/// The clauses of Amsterdam II and the revised Bethesda guidelines. Stable kebab-case ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "kebab-case")]
pub enum LynchClause {
    /// Amsterdam II: at least three relatives with a Lynch-associated cancer.
    ThreeAffected,
    /// Amsterdam II: one is a first-degree relative of the other two.
    OneFirstDegreeOfOtherTwo,
    /// Amsterdam II: at least two successive generations affected.
    SuccessiveGenerations,
    /// Amsterdam II: at least one diagnosed before 50.
    OneDiagnosedEarly,
    /// Amsterdam II: familial adenomatous polyposis excluded.
    FapExcluded,
    /// Amsterdam II: tumours verified by pathology.
    PathologyVerified,
    /// Revised Bethesda: colorectal cancer diagnosed before 50.
    ColorectalEarly,
    /// Revised Bethesda: synchronous or metachronous colorectal or other Lynch-associated
    /// tumours, whatever the age.
    MultipleTumours,
    /// Revised Bethesda: colorectal cancer with MSI-high histology diagnosed before 60.
    MsiHighHistology,
    /// Revised Bethesda: one or more first-degree relatives with a Lynch-associated tumour, one
    /// of the cancers diagnosed before 50.
    FirstDegreeRelativeEarly,
    /// Revised Bethesda: two or more first- or second-degree relatives with Lynch-associated
    /// tumours, whatever the age.
    TwoRelativesAnyAge,
}

/// One clause with what satisfied it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Clause {
    pub clause: LynchClause,
    pub text: String,
    pub status: ClauseStatus,
    /// The members and facts that satisfy the clause (or that were counted towards it).
    pub evidence: Vec<Evidence>,
    pub note: Option<String>,
}

/// Outcome of a Lynch syndrome criterion for one person.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct CriterionResult {
    /// Catalog criterion id (`amsterdam-ii`, `revised-bethesda`).
    pub criterion: String,
    pub name: String,
    /// Whom the criterion is evaluated for: the proband (Amsterdam II is a property of the
    /// family, counted around the proband), or the person whose colorectal cancer the revised
    /// Bethesda guidelines are applied to.
    pub index: Relative,
    pub status: CriterionStatus,
    pub clauses: Vec<Clause>,
    /// Set when the criterion is met.
    pub next_step: Option<NextStep>,
    pub notes: Vec<String>,
    pub references: Vec<Reference>,
}

/// The Lynch syndrome criteria.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct LynchReport {
    /// Amsterdam II over the proband and relatives up to the third degree.
    pub amsterdam_ii: CriterionResult,
    /// Revised Bethesda for the proband (`not_applicable` without colorectal cancer).
    pub revised_bethesda: CriterionResult,
    /// Relatives (up to the third degree) with colorectal cancer whose tumours meet the revised
    /// Bethesda guidelines, i.e. whose tumours should be tested; counted among the recorded
    /// members around the proband.
    pub bethesda_relatives: Vec<CriterionResult>,
}

/// Everything [`super::stratify`] finds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct FamilyHistoryReport {
    pub proband: Ix,
    pub proband_id: String,
    pub relatives: RelativeCounts,
    /// One entry per condition the catalog's `scheuner-1997` criterion applies to, in catalog
    /// order.
    pub conditions: Vec<ConditionStratum>,
    pub lynch: LynchReport,
    /// Caveats about the family as a whole.
    pub notes: Vec<String>,
}
