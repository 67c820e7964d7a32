//! Request and response types shared by every shell (and, through ts-rs, the web UI).

use kinvault_model::{AcmgClass, Certainty, ConditionStatus, Provenance, Sex, TestResult};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AppInfo {
    pub version: String,
    /// Where a new vault goes unless the user picks another place.
    pub default_vault_path: Option<String>,
    pub recent_vaults: Vec<RecentVault>,
    pub idle_lock_seconds: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RecentVault {
    pub path: String,
    /// Unix milliseconds of the last successful unlock.
    #[ts(type = "number")]
    pub last_opened: i64,
    /// Whether the file is still there (a moved or deleted vault stays listed, greyed out).
    pub exists: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CreateVaultRequest {
    pub path: String,
    pub passphrase: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct OpenVaultRequest {
    pub path: String,
    pub passphrase: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RecoverVaultRequest {
    pub path: String,
    pub recovery_key: String,
    pub new_passphrase: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ChangePassphraseRequest {
    pub current_passphrase: String,
    pub new_passphrase: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct VaultStats {
    pub individuals: u32,
    pub families: u32,
    pub sources: u32,
    /// Imported records kept verbatim (repositories, submitters, shared notes, vendor records).
    pub other_records: u32,
    pub conditions: u32,
    pub genetic_tests: u32,
    pub probands: u32,
    pub changes: u32,
    pub schema_version: u32,
    #[ts(type = "number")]
    pub file_bytes: u64,
}

impl From<kinvault_vault::Stats> for VaultStats {
    fn from(s: kinvault_vault::Stats) -> Self {
        let n = |v: u64| u32::try_from(v).unwrap_or(u32::MAX);
        VaultStats {
            individuals: n(s.individuals),
            families: n(s.families),
            sources: n(s.sources),
            other_records: n(s.raw_records),
            conditions: n(s.conditions),
            genetic_tests: n(s.genetic_tests),
            probands: n(s.probands),
            changes: n(s.changes),
            schema_version: s.schema_version,
            file_bytes: s.file_bytes,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct VaultInfo {
    pub path: String,
    pub id: String,
    pub stats: VaultStats,
}

/// Returned once, when a vault is created: the recovery key is never shown again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CreatedVault {
    pub vault: VaultInfo,
    pub recovery_key: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct VaultStatus {
    pub unlocked: bool,
    pub path: Option<String>,
    pub idle_lock_seconds: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct IntegrityReport {
    pub ok: bool,
    pub problems: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
pub struct NewPerson {
    pub given: String,
    pub surname: String,
    pub sex: Sex,
    /// GEDCOM-style date text ("10 DEC 1815", "ABT 1850"); empty or absent for none.
    #[serde(default)]
    pub birth: Option<String>,
    #[serde(default)]
    pub death: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
pub struct PeopleQuery {
    /// Words that must all occur in a name or xref (case-insensitive).
    #[serde(default)]
    pub search: Option<String>,
    #[serde(default)]
    pub offset: u32,
    /// At most 1000; 0 means the default of 100.
    #[serde(default)]
    pub limit: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PersonSummary {
    pub id: String,
    pub xref: Option<String>,
    pub given: String,
    pub surname: String,
    pub display_name: String,
    pub sex: Sex,
    pub birth_year: Option<i32>,
    pub death_year: Option<i32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PeoplePage {
    pub total: u32,
    pub offset: u32,
    pub items: Vec<PersonSummary>,
}

/// Something in an imported file that was not taken as it was; the import went on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ImportWarning {
    /// 1-based line in the file, when the warning is about one place.
    pub line: Option<u32>,
    pub message: String,
}

/// What an import brought into the vault.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ImportReport {
    /// `gedcom` or `gedzip`.
    pub format: String,
    /// The GEDCOM version the file was read as (`5.5.1`, `7.0`...).
    pub version: String,
    /// The character encoding it was read in (`UTF-8`, `ANSEL`, `windows-1252`...).
    pub encoding: String,
    pub individuals: u32,
    pub families: u32,
    pub sources: u32,
    /// Media references and media records (the references are kept; see `media_files`).
    pub media: u32,
    /// Media files from a GEDZIP archive stored in the vault (encrypted like everything else).
    pub media_files: u32,
    /// Records kept verbatim: repositories, submitters, shared notes, media, vendor records.
    pub other_records: u32,
    /// Health observations derived from the file (causes of death, medical facts), marked
    /// "imported from GEDCOM, unverified".
    pub health_observations: u32,
    /// In file order; at most [`crate::transfer::MAX_WARNINGS`] (the last one then says how
    /// many more there were).
    pub warnings: Vec<ImportWarning>,
}

/// The file formats the vault can be exported to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
pub enum ExportFormat {
    /// GEDCOM 5.5.1 (UTF-8), what most genealogy programs read.
    #[serde(rename = "gedcom-5.5.1")]
    Gedcom551,
    /// GEDCOM 7.0.
    #[serde(rename = "gedcom-7")]
    Gedcom7,
    /// GEDZIP: GEDCOM 7.0 in a zip archive, with the stored media files the export refers to.
    #[serde(rename = "gedzip")]
    Gedzip,
}

impl ExportFormat {
    pub fn name(self) -> &'static str {
        match self {
            ExportFormat::Gedcom551 => "gedcom-5.5.1",
            ExportFormat::Gedcom7 => "gedcom-7",
            ExportFormat::Gedzip => "gedzip",
        }
    }
}

/// Private by default: living people and health data leave only when asked for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ExportRequest {
    /// The file to write (replaced if it exists).
    pub path: String,
    pub format: ExportFormat,
    /// Include people who may be living (no death recorded and born less than 110 years ago).
    #[serde(default)]
    pub include_living: bool,
    /// Include conditions, genetic tests, causes of death and medical facts.
    #[serde(default)]
    pub include_health: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ExportReport {
    pub path: String,
    pub format: ExportFormat,
    pub individuals: u32,
    pub families: u32,
    pub sources: u32,
    pub other_records: u32,
    pub media: u32,
    /// People left out because they may be living.
    pub living_excluded: u32,
    /// Health items left out (conditions, genetic tests, medical facts).
    pub health_excluded: u32,
    /// Records left out because only people left out point at them (their shared notes, media).
    pub records_excluded: u32,
    /// Media files written into a GEDZIP archive.
    pub media_files: u32,
    #[ts(type = "number")]
    pub bytes: u64,
}

/// Which part of a long operation is running.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ProgressPhase {
    /// First pass over the file (done/total in bytes).
    Reading,
    /// Records mapped and stored (done/total in records).
    Importing,
    /// GEDZIP media files stored (done/total in files).
    Media,
    /// Final checks inside the import transaction.
    Checking,
    /// First pass over the vault (done/total in records).
    Scanning,
    /// Records written (done/total in records).
    Exporting,
}

/// A progress report, as shells pass it on (e.g. a Tauri event payload).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ProgressEvent {
    pub phase: ProgressPhase,
    #[ts(type = "number")]
    pub done: u64,
    #[ts(type = "number")]
    pub total: u64,
}

// ----- family graph: relationships, coefficients, charts ------------------------------------

/// A person as graph results show them: enough to label a chart node, a list row or a path
/// step. Read from the people list columns (no full record).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PersonRef {
    pub id: String,
    /// The GEDCOM xref the person had in an imported file (`@I12@`), if any.
    pub xref: Option<String>,
    /// Given name(s) and surname; empty when the person has no name recorded.
    pub display_name: String,
    pub sex: Sex,
    pub birth_year: Option<i32>,
    pub death_year: Option<i32>,
}

/// How a relationship runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum RelationshipKind {
    /// The two people are the same person.
    Same,
    /// Through birth links only (kinship counts these).
    Blood,
    /// Through at least one adopted/foster/step/sealing link (`legal` says which).
    NonBirth,
    /// `b` is `a`'s partner (husband, wife, spouse, partner).
    Partner,
    /// Stepparent, stepchild, stepsibling: through a partner of a parent or ancestor (`via`).
    Step,
    /// A blood relative of `a`'s partner, or a partner of `a`'s blood relative (`via`).
    InLaw,
}

/// How a child is linked to a parent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum LinkKind {
    /// Birth (or not recorded, which counts as birth): the biological line kinship follows.
    Birth,
    Adopted,
    Foster,
    Step,
    Sealing,
}

/// How a step of a relationship path is linked to the step before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum PathLink {
    /// This person is a parent of the previous one (the path goes up a generation).
    Parent,
    /// This person is a child of the previous one (the path goes down a generation).
    Child,
    /// This person is a partner of the previous one.
    Partner,
}

/// One person on a relationship path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PathStep {
    pub person: PersonRef,
    /// How this person is linked to the previous step; `null` for the first step (`a`).
    pub link: Option<PathLink>,
    /// For a parent/child link: its kind (`birth` for biological).
    pub link_kind: Option<LinkKind>,
}

/// One way `b` is related to `a`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RelationshipInfo {
    /// What `b` is to `a`, in English as Gramps names it: "father", "half-sister",
    /// "second cousin once removed", "stepmother", "brother-in-law"...
    pub name: String,
    /// The name with who it goes through, for people: "first cousin once removed through
    /// John Lee and Mary Smith", "stepmother through Tom Lee" (just `name` for direct lines).
    pub description: String,
    pub kind: RelationshipKind,
    /// Generations from `a` (or from `via`, for an in-law through `a`'s partner) up to the
    /// common ancestor. 0 when `a` is the common ancestor.
    pub ga: u32,
    /// Generations from `b` (or from `via`, for an in-law through `b`'s partner) up to it.
    pub gb: u32,
    /// Through one parent of a couple only (half-brother, half-first cousin).
    pub half: bool,
    /// Non-birth links on the path (for kind `non_birth`).
    pub legal: Vec<LinkKind>,
    /// The common ancestor, or the couple (a couple counts once), father first. For a direct
    /// line it is the ancestor (`a` or `b` itself). Empty for partner and step relations.
    pub common_ancestors: Vec<PersonRef>,
    /// In-law: the partner it goes through. Step: the parent/ancestor (or partner) whose
    /// partnership makes the step relation.
    pub via: Option<PersonRef>,
    /// The people from `a` to `b` along this relationship (`a` first, `b` last), up to the
    /// common ancestor and down again, or across a partnership — what a UI draws as the path.
    /// Empty in the rare case no drawable path was found within the search limits.
    pub path: Vec<PathStep>,
}

/// An exact coefficient: the value and its exact dyadic fraction ("1/16", "3/2^70").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Coefficient {
    pub value: f64,
    pub exact: String,
}

/// Jacquard's condensed identity coefficients of two non-inbred people: the probabilities that
/// they share 0, 1 or 2 alleles identical by descent at an autosomal locus.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct KappaInfo {
    pub k0: Coefficient,
    pub k1: Coefficient,
    pub k2: Coefficient,
}

/// "How is `b` related to `a`?": every relationship found (closest first) and the kinship
/// coefficients.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct RelateResult {
    pub a: PersonRef,
    pub b: PersonRef,
    /// One line for people: "first cousin; also third cousin through Ann Lee and Tom Lee", or
    /// "not related".
    pub summary: String,
    /// Closest first: blood, non-birth, partner, step, in-law; then by generations.
    pub relationships: Vec<RelationshipInfo>,
    /// A search limit cut the list (at most 64 relationships, 30 generations up).
    pub truncated: bool,
    /// Autosomal kinship φ(a, b): the probability that an allele drawn at random from each is
    /// identical by descent (1/4 parent–child, 1/16 first cousins). `null` only when the
    /// computation exceeded its limits (see `notes`).
    pub kinship: Option<f64>,
    /// `kinship` as an exact fraction, e.g. "1/16".
    pub kinship_exact: Option<String>,
    /// X-chromosome kinship φx(a, b). `null` when a sex on an X-transmitting line is not
    /// recorded (see `notes`).
    pub kinship_x: Option<f64>,
    /// `kinship_x` as an exact fraction.
    pub kinship_x_exact: Option<String>,
    /// Jacquard's κ. Unrelated people (φ = 0) get (1, 0, 0). `null` when they are related and
    /// one of them is inbred (κ is computed for non-inbred people only), or on a limit (see
    /// `notes`).
    pub kappa: Option<KappaInfo>,
    /// Why a coefficient is missing, one line each.
    pub notes: Vec<String>,
}

/// Inbreeding of one person.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct InbreedingResult {
    pub person: PersonRef,
    /// The recorded biological parents (0, 1 or 2), father first. F is 0 unless both are known.
    pub parents: Vec<PersonRef>,
    /// What the mother is to the father, by blood ("first cousin", "niece; also third cousin
    /// through ..."), or "not related"; `null` unless both parents are recorded.
    pub parents_relationship: Option<String>,
    /// Autosomal inbreeding F = φ(father, mother). `null` only on a computation limit.
    pub f: Option<f64>,
    /// `f` as an exact fraction, e.g. "1/16".
    pub f_exact: Option<String>,
    /// X-chromosome inbreeding: φx(father, mother) for a female; 1 for a male (one X, by
    /// convention). `null` when a needed sex is not recorded (see `notes`).
    pub f_x: Option<f64>,
    /// `f_x` as an exact fraction.
    pub f_x_exact: Option<String>,
    pub notes: Vec<String>,
}

/// The genealogy charts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ChartKind {
    /// Ancestors of the center (generations −1, −2, ...).
    Pedigree,
    /// Descendants of the center (generations 1, 2, ...), with their partners.
    Descendants,
    /// Ancestors and descendants (with partners) around the center.
    Hourglass,
    /// Ancestors, for a fan (radial) layout: the same nodes as `pedigree`.
    Fan,
}

/// What chart to compute.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ChartRequest {
    /// The person in the middle: an id or a GEDCOM xref (`I12` or `@I12@`).
    pub center: String,
    pub kind: ChartKind,
    /// Generations each way from the center, 1 to 200; 0 means the default of 4.
    #[serde(default)]
    pub generations: u32,
    /// Also follow adopted, foster, step and sealing links (default: birth links only).
    #[serde(default)]
    pub include_non_birth: bool,
    /// Most nodes returned (nearest generations first); 0 means the default of 10 000, and at
    /// most 200 000.
    #[serde(default)]
    pub max_nodes: u32,
}

/// Why a node is in a chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ChartRole {
    Center,
    Ancestor,
    Descendant,
    /// A partner of a descendant (or of the center) who is not a descendant: the other parent
    /// of their children, drawn beside them.
    Partner,
}

/// A link from a chart node to another node of the same chart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ChartLink {
    /// The other node's person id.
    pub id: String,
    pub kind: LinkKind,
}

/// One person in a chart, with the links to the other nodes. The nodes and their `parents`/
/// `children` links form a graph (not always a tree: with pedigree collapse one ancestor is
/// reached along several lines, and appears once with several `generations`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ChartNode {
    pub person: PersonRef,
    pub role: ChartRole,
    /// Where the node sits relative to the center, ascending: 0 the center, −1 parents, −2
    /// grandparents, 1 children... More than one value means pedigree collapse (e.g. `[-3, -2]`:
    /// a grandparent on one line and a great-grandparent on another). A partner node has the
    /// generation of the descendant it is a partner of.
    pub generations: Vec<i32>,
    /// This person's parents that are in the chart: father first, then mother, then others.
    pub parents: Vec<ChartLink>,
    /// This person's children that are in the chart.
    pub children: Vec<ChartLink>,
    /// This person's partners that are in the chart.
    pub partners: Vec<String>,
    /// The person has parents not in the chart (beyond the generations asked for, or the other
    /// side of a descendants chart): a UI shows an "expand" mark and re-centres on click.
    pub more_ancestors: bool,
    /// The person has children not in the chart.
    pub more_descendants: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Chart {
    pub kind: ChartKind,
    pub center: PersonRef,
    /// Generations each way, as used (after defaults and limits).
    pub generations: u32,
    /// The center first, then by nearest generation (ancestors before descendants), partners
    /// right after the descendants they belong to.
    pub nodes: Vec<ChartNode>,
    /// The node limit cut the chart: the farthest generations are incomplete.
    pub truncated: bool,
    /// Nodes reached along more than one line (pedigree collapse).
    pub collapsed: u32,
}

/// The kinds of data problem the family graph reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum GraphIssueKind {
    /// Someone is recorded as their own ancestor; one link of the cycle is ignored.
    Cycle,
    /// A family names a person who is not in the vault.
    UnknownPerson,
    DuplicatePerson,
    DuplicateFamily,
    /// More than two biological parents; the first two are used for kinship.
    TooManyBiologicalParents,
    TwinsWithDifferentParents,
    MonozygoticTwinsDifferentSex,
    TwinNotAChild,
}

/// A problem in the family links. The graph still works: it ignores what it cannot use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct GraphIssue {
    pub kind: GraphIssueKind,
    /// One line, naming people by xref or id (never by name).
    pub message: String,
    /// The people concerned that are in the vault, in the message's order (for a cycle: each
    /// one a child of the next, the last a child of the first). At most 1000.
    pub people: Vec<PersonRef>,
    /// The family concerned, if one: its id.
    pub family: Option<String>,
}

/// The family graph of the open vault and the problems found building it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct GraphReport {
    pub people: u32,
    pub families: u32,
    /// Time the last full build from the vault took.
    pub build_millis: u32,
    #[ts(type = "number")]
    pub memory_bytes: u64,
    /// At most 1000, in the order found (cycles are found last).
    pub issues: Vec<GraphIssue>,
    /// How many issues there are in all.
    pub issues_total: u32,
}

// ----- health records and clinical family-history formats -----------------------------------

/// A condition observation to record on a person, by catalog id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct AddCondition {
    /// Catalog id, e.g. `cystic-fibrosis` (`kinvault catalog list`).
    pub condition: String,
    pub status: ConditionStatus,
    /// Age at onset or diagnosis, in years; only for status `affected`.
    #[serde(default)]
    pub onset_age: Option<f64>,
    /// Age (years) at which the status was observed ("unaffected at 45"). Kept on the
    /// observation as a note ("status as of age 45"); for a person not recorded as deceased it
    /// also raises the vital status to alive with at least this age, which is what the risk
    /// engine reads as "known unaffected up to this age".
    #[serde(default)]
    pub age: Option<f64>,
    #[serde(default)]
    pub certainty: Certainty,
    /// Default: self-reported.
    #[serde(default)]
    pub provenance: Provenance,
    #[serde(default)]
    pub note: Option<String>,
}

/// A genetic test result to record on a person.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct AddGeneticTest {
    /// HGNC symbol, e.g. `BRCA1`.
    pub gene: String,
    /// HGVS notation, e.g. `NM_000492.4:c.1521_1523del`.
    #[serde(default)]
    pub variant: Option<String>,
    pub result: TestResult,
    #[serde(default)]
    pub acmg_class: Option<AcmgClass>,
    /// Probability the test detects a pathogenic variant that is present, in (0, 1].
    #[serde(default)]
    pub sensitivity: Option<f64>,
    /// e.g. "NGS panel", "targeted familial variant", "MLPA".
    #[serde(default)]
    pub method: Option<String>,
    #[serde(default)]
    pub lab: Option<String>,
    /// GEDCOM-style date text ("12 MAR 2021", "2019").
    #[serde(default)]
    pub date: Option<String>,
    /// Default: self-reported.
    #[serde(default)]
    pub provenance: Provenance,
}

/// The clinical family-history file formats (GEDCOM has its own import and export).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum FamilyFormat {
    /// PED / PLINK `.fam`: one catalog condition as the phenotype column.
    Ped,
    /// HL7 FHIR R4 family-history Bundle (Patient + FamilyMemberHistory).
    Fhir,
    /// GA4GH Pedigree IG Bundle (FHIR R4: Composition + Patient + KIN-coded relationships).
    Ga4gh,
    /// CanRisk (BOADICEA) pedigree file, v1–v4 read, v4 written.
    Canrisk,
    /// My Family Health Portrait XML or JSON (import only).
    Mfhp,
}

impl FamilyFormat {
    pub fn name(self) -> &'static str {
        match self {
            FamilyFormat::Ped => "ped",
            FamilyFormat::Fhir => "fhir",
            FamilyFormat::Ga4gh => "ga4gh",
            FamilyFormat::Canrisk => "canrisk",
            FamilyFormat::Mfhp => "mfhp",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
pub struct FamilyImportOptions {
    /// PED files only, and required for them: the catalog id of the condition the phenotype
    /// column records.
    #[serde(default)]
    pub condition: Option<String>,
}

/// What a clinical-format import brought into the vault.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct FamilyImportReport {
    /// The format the file was recognised as (by content; `.ped`/`.fam` also by name).
    pub format: FamilyFormat,
    pub individuals: u32,
    pub families: u32,
    /// Condition observations, marked as imported from the format.
    pub health_observations: u32,
    pub genetic_tests: u32,
    /// Id of the person the file names as proband, if it names one.
    pub proband: Option<String>,
    /// What was not taken as it was (line numbers for text formats; paths inside JSON/XML are
    /// in the message).
    pub warnings: Vec<ImportWarning>,
}

/// A clinical-format export of the vault's people and families around a proband. Health data is
/// the point of these formats: everything recorded goes out (no living/health filter).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ExportFamilyRequest {
    /// The file to write (replaced if it exists).
    pub path: String,
    /// `fhir`, `ga4gh`, `ped` or `canrisk` (`mfhp` cannot be written).
    pub format: FamilyFormat,
    /// Id or GEDCOM xref of the person the family history is about.
    pub proband: String,
    /// Catalog id: required for `ped` (the phenotype column); for `ga4gh` the condition the
    /// pedigree was collected for (the Composition's `reason`); not used by the others.
    #[serde(default)]
    pub condition: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct FamilyExportReport {
    pub path: String,
    pub format: FamilyFormat,
    pub individuals: u32,
    pub families: u32,
    #[ts(type = "number")]
    pub bytes: u64,
    /// What the format could not carry (an adoption in PED, an intersex sex code...).
    pub warnings: Vec<String>,
}
