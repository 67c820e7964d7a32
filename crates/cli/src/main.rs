//! `kinvault`: the command line. Every command is a thin call into `kinvault-api`, so anything
//! the desktop app can do can be scripted and tested from here.
//!
//! Passphrases never come from argv (they would show in `ps` and shell history): they come from
//! `KINVAULT_PASSPHRASE`, `--passphrase-file`, or a prompt on the terminal.

use anyhow::{anyhow, bail, Context, Result};
use clap::{Args, Parser, Subcommand, ValueEnum};
use kinvault_api::model::{AcmgClass, Certainty, ConditionStatus, Person, Provenance, Sex, TestResult};
use kinvault_api::{
    clinical, families, graph, people, share, transfer, vault_ops, AddCondition, AddGeneticTest, Chart, ChartKind,
    ChartRequest, ChartRole, ExportFamilyRequest, ExportFormat, ExportRequest, FamilyFormat, FamilyImportOptions,
    NewPerson, PeopleQuery, PersonRef, ProgressPhase, Vault,
};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

#[derive(Parser)]
#[command(
    name = "kinvault",
    version,
    about = "Your family tree and family health history, encrypted on your own computer."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Clone)]
struct Secrets {
    /// Read the passphrase from this file (first line) instead of KINVAULT_PASSPHRASE or a prompt.
    #[arg(long, value_name = "FILE", global = true)]
    passphrase_file: Option<PathBuf>,
}

#[derive(Args)]
struct VaultArg {
    /// The vault file.
    #[arg(value_name = "VAULT")]
    vault: PathBuf,
    #[command(flatten)]
    secrets: Secrets,
}

#[derive(Args)]
struct NewVaultArg {
    /// Where to create the vault (default: family.kinvault in the platform data folder, or in
    /// $KINVAULT_DATA_DIR).
    #[arg(value_name = "VAULT")]
    vault: Option<PathBuf>,
    #[command(flatten)]
    secrets: Secrets,
}

#[derive(Args)]
struct JsonFlag {
    /// Machine-readable output.
    #[arg(long)]
    json: bool,
}

#[derive(Subcommand)]
enum Command {
    /// Create a new encrypted vault and print its recovery key (shown once: store it safely).
    Init {
        #[command(flatten)]
        v: NewVaultArg,
        #[command(flatten)]
        out: JsonFlag,
    },
    /// Change the passphrase (new one from KINVAULT_NEW_PASSPHRASE, --new-passphrase-file or a prompt).
    Passwd {
        #[command(flatten)]
        v: VaultArg,
        /// Read the new passphrase from this file.
        #[arg(long, value_name = "FILE")]
        new_passphrase_file: Option<PathBuf>,
    },
    /// Forgotten passphrase: unlock with the recovery key (KINVAULT_RECOVERY_KEY, --recovery-key-file
    /// or a prompt) and set a new passphrase.
    Recover {
        #[command(flatten)]
        v: VaultArg,
        #[arg(long, value_name = "FILE")]
        recovery_key_file: Option<PathBuf>,
        #[arg(long, value_name = "FILE")]
        new_passphrase_file: Option<PathBuf>,
    },
    /// Check the vault's integrity (pages, encryption MACs, records). Exit code 1 if damaged.
    Check {
        #[command(flatten)]
        v: VaultArg,
        #[command(flatten)]
        out: JsonFlag,
    },
    /// Counts of what the vault holds.
    Stats {
        #[command(flatten)]
        v: VaultArg,
        #[command(flatten)]
        out: JsonFlag,
    },
    /// Import a GEDCOM file (.ged, any version and encoding), a GEDZIP archive (.gdz), or a
    /// family-history file: PED/PLINK .fam (with --condition), CanRisk, FHIR JSON (family history
    /// or GA4GH Pedigree), My Family Health Portrait XML/JSON — recognised by content. All or
    /// nothing: on an error the vault is left as it was.
    Import {
        #[command(flatten)]
        v: VaultArg,
        /// The file.
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// PED/.fam files: the catalog id of the condition the phenotype column records
        /// (`kinvault catalog list`).
        #[arg(long, value_name = "ID")]
        condition: Option<String>,
        #[command(flatten)]
        out: JsonFlag,
    },
    /// Export the vault as GEDCOM (people who may be living and health data are left out unless
    /// asked for), or the family around a proband as FHIR, GA4GH Pedigree, PED or CanRisk (with
    /// every health record: that is what those formats are for).
    Export {
        #[command(flatten)]
        v: VaultArg,
        #[arg(long, value_enum)]
        format: FormatArg,
        /// The file to write (replaced if it exists).
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: PathBuf,
        /// fhir, ga4gh, ped, canrisk: the person the family history is about (id or xref).
        #[arg(long, value_name = "PERSON")]
        proband: Option<String>,
        /// ped: the catalog condition written as the phenotype (required); ga4gh: the condition
        /// the pedigree was collected for.
        #[arg(long, value_name = "ID")]
        condition: Option<String>,
        /// Include people who may be living (no death recorded, born less than 110 years ago).
        #[arg(long)]
        include_living: bool,
        /// Include conditions, genetic tests, causes of death and medical facts.
        #[arg(long)]
        include_health: bool,
        #[command(flatten)]
        out: JsonFlag,
    },
    /// Add, list, show or delete people.
    Person {
        #[command(subcommand)]
        command: PersonCommand,
    },
    /// The condition catalog: ids, names, codes, genetics and references.
    Catalog {
        #[command(subcommand)]
        command: CatalogCommand,
    },
    /// Families: who are partners and whose children are whose (adoption, fostering, twins,
    /// consanguinity).
    Family {
        #[command(subcommand)]
        command: FamilyCommand,
    },
    /// Record a person's conditions (by catalog id).
    Condition {
        #[command(subcommand)]
        command: ConditionCommand,
    },
    /// Record a person's genetic test results.
    Test {
        #[command(subcommand)]
        command: TestCommand,
    },
    /// How B is related to A: every relationship (in English, as Gramps names them) with the
    /// common ancestors, and the kinship coefficients (autosomal, X chromosome, kappa).
    Relate {
        #[command(flatten)]
        v: VaultArg,
        /// A person: id or GEDCOM xref (I12 or @I12@).
        #[arg(value_name = "A")]
        a: String,
        /// The other person; names say what B is to A.
        #[arg(value_name = "B")]
        b: String,
        #[command(flatten)]
        out: JsonFlag,
    },
    /// Genetic risk: for a person (one entry per catalog condition: Mendelian carrier and
    /// affected probabilities, family-history category for multifactorial conditions, each
    /// explained), for a couple's prospective child (--couple A B --condition ID; without
    /// --condition: inbreeding of the child and the added risk for recessive conditions), or a
    /// family overview of who should consider counselling or screening (--overview).
    Risk {
        #[command(flatten)]
        v: VaultArg,
        /// The person assessed (id or GEDCOM xref).
        #[arg(long, value_name = "P", conflicts_with = "couple", required_unless_present = "couple")]
        person: Option<String>,
        /// Two people: the risk to their prospective child.
        #[arg(long, num_args = 2, value_names = ["A", "B"])]
        couple: Option<Vec<String>>,
        /// Catalog ids (repeatable); default: every condition.
        #[arg(long, value_name = "ID")]
        condition: Vec<String>,
        /// Age lifetime risks run to.
        #[arg(long, value_name = "AGE")]
        horizon: Option<f64>,
        /// Who in the person's family should consider counselling, testing or screening.
        #[arg(long, requires = "person")]
        overview: bool,
        /// Without --json: only conditions with a family fact, an elevated risk or a category
        /// above average.
        #[arg(long)]
        notable: bool,
        #[command(flatten)]
        out: JsonFlag,
    },
    /// Draw the clinical pedigree (NSGC symbols) around a proband as SVG.
    Pedigree {
        #[command(flatten)]
        v: VaultArg,
        /// The proband (id or GEDCOM xref).
        #[arg(long, value_name = "P")]
        proband: String,
        /// Generations up and down from the proband (default 3; 0 = everyone related by blood).
        #[arg(long, short = 'g', value_name = "N", default_value_t = 3)]
        generations: u32,
        /// Conditions to shade (catalog ids, repeatable); default: the most frequent ones.
        #[arg(long, value_name = "ID")]
        condition: Vec<String>,
        /// Leave names out of the drawing.
        #[arg(long)]
        no_names: bool,
        /// The SVG file to write.
        #[arg(short = 'o', long, value_name = "FILE.svg")]
        output: PathBuf,
    },
    /// The clinician report of a proband: pedigree, relatives with coded conditions and test
    /// results, risks with explanations and references, provenance. PDF or HTML by extension.
    Report {
        #[command(flatten)]
        v: VaultArg,
        #[arg(long, value_name = "P")]
        proband: String,
        /// Generations up and down (default 3; 0 = everyone related by blood).
        #[arg(long, short = 'g', value_name = "N", default_value_t = 3)]
        generations: u32,
        /// Conditions to shade and assess in detail (repeatable); default: the notable ones.
        #[arg(long, value_name = "ID")]
        condition: Vec<String>,
        #[arg(long)]
        no_names: bool,
        /// FILE.pdf or FILE.html.
        #[arg(short = 'o', long, value_name = "FILE")]
        output: PathBuf,
    },
    /// A person's inbreeding coefficients (autosomal and X chromosome) and how their parents are
    /// related.
    Inbreeding {
        #[command(flatten)]
        v: VaultArg,
        /// Id or GEDCOM xref.
        #[arg(value_name = "PERSON")]
        person: String,
        #[command(flatten)]
        out: JsonFlag,
    },
    /// A person's ancestors by generation (someone reached along several lines is listed once,
    /// with every generation).
    Ancestors {
        #[command(flatten)]
        v: VaultArg,
        #[command(flatten)]
        lineage: LineageArgs,
        #[command(flatten)]
        out: JsonFlag,
    },
    /// A person's descendants by generation, with their partners.
    Descendants {
        #[command(flatten)]
        v: VaultArg,
        #[command(flatten)]
        lineage: LineageArgs,
        #[command(flatten)]
        out: JsonFlag,
    },
    /// Problems in the family links: people recorded as their own ancestors, more than two birth
    /// parents, twins with different parents... Exit code 1 if there are any.
    GraphCheck {
        #[command(flatten)]
        v: VaultArg,
        #[command(flatten)]
        out: JsonFlag,
    },
    /// Sync with the platform API, end-to-end encrypted: the server never sees a name or a
    /// condition. First time: `--server URL` creates an account and prints the join code other
    /// devices need; `--server URL --join` joins one (the code from KINVAULT_SYNC_CODE,
    /// --join-code-file or a prompt). Afterwards `kinvault sync VAULT` syncs. docs/sync-protocol.md.
    Sync {
        #[command(flatten)]
        v: VaultArg,
        /// The platform API (https://…; http:// only for a server on this machine).
        #[arg(long, value_name = "URL")]
        server: Option<String>,
        /// Join an existing account instead of creating one.
        #[arg(long, requires = "server")]
        join: bool,
        /// Read the join code from this file (first line).
        #[arg(long, value_name = "FILE", requires = "join")]
        join_code_file: Option<PathBuf>,
        /// Show sync settings and state; do not sync.
        #[arg(long, conflicts_with_all = ["server", "conflicts", "resolve", "show_code", "leave"])]
        status: bool,
        /// List concurrent edits that were merged by keeping both, or lost to a delete.
        #[arg(long, conflicts_with_all = ["server", "resolve", "show_code", "leave"])]
        conflicts: bool,
        /// Mark a listed conflict as reviewed.
        #[arg(long, value_name = "ID", conflicts_with_all = ["server", "show_code", "leave"])]
        resolve: Option<i64>,
        /// Print the join code for adding another device (it lets that device read everything).
        #[arg(long, conflicts_with_all = ["server", "leave"])]
        show_code: bool,
        /// Stop syncing on this device (its data stays; the account and other devices are untouched).
        #[arg(long, conflicts_with = "server")]
        leave: bool,
        #[command(flatten)]
        out: JsonFlag,
    },
    /// Diagnostics for a support request or an incident (docs/runbook.md): this machine, memory
    /// (this process and any running Kinvault app with its webviews), and VAULT examined without
    /// unlocking it (size, key header) — plus, when a passphrase is available (KINVAULT_PASSPHRASE,
    /// --passphrase-file, or the prompt at a terminal; Enter skips), its layout, record counts,
    /// sync state and integrity. The report holds numbers only: no names, conditions, notes, ids
    /// or paths.
    Diagnose {
        /// The vault (optional: without it, only the machine and memory).
        #[arg(value_name = "VAULT")]
        vault: Option<PathBuf>,
        #[command(flatten)]
        secrets: Secrets,
        /// Do not unlock the vault, even when a passphrase is available.
        #[arg(long)]
        no_unlock: bool,
        /// Skip the integrity check of an unlocked vault (it reads every page).
        #[arg(long)]
        no_integrity: bool,
        /// Also write the bundle as JSON to this file (written atomically; replaced if it exists).
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: Option<PathBuf>,
        #[command(flatten)]
        out: JsonFlag,
    },
    /// Encrypted shares for a clinician (age format): make one from a vault, open one read-only,
    /// or make the key pair a clinician receives shares with. docs/sharing.md.
    Share {
        #[command(subcommand)]
        command: ShareCommand,
    },
}

#[derive(Subcommand)]
enum ShareCommand {
    /// Make an encrypted share of the proband's family — the clinician report's people, with
    /// their health data, living people included: FHIR R4 and GA4GH Pedigree bundles, genetic
    /// test results and the report as PDF and HTML, zipped and encrypted with age to the
    /// clinician's public keys or to a passphrase.
    #[command(group(clap::ArgGroup::new("protection").required(true).args(["recipient", "passphrase_prompt", "share_passphrase_file"])))]
    Create {
        #[command(flatten)]
        v: VaultArg,
        /// The proband (id or GEDCOM xref).
        #[arg(long, value_name = "P")]
        proband: String,
        /// Generations up and down, as in the report (default 3; 0 = everyone related by blood).
        #[arg(long, short = 'g', value_name = "N", default_value_t = 3)]
        generations: u32,
        /// Conditions the report assesses in detail (repeatable); default: the notable ones.
        #[arg(long, value_name = "ID")]
        condition: Vec<String>,
        /// Leave names out of the files and the report.
        #[arg(long)]
        no_names: bool,
        /// An age public key (age1…) that may open the share (repeatable).
        #[arg(long, value_name = "AGE1…")]
        recipient: Vec<String>,
        /// Protect it with a passphrase instead: KINVAULT_SHARE_PASSPHRASE, or asked twice at the
        /// terminal.
        #[arg(long)]
        passphrase_prompt: bool,
        /// Protect it with the passphrase on this file's first line instead of keys.
        #[arg(long, value_name = "FILE")]
        share_passphrase_file: Option<PathBuf>,
        /// The share to write (FILE.age; replaced if it exists).
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: PathBuf,
        #[command(flatten)]
        out: JsonFlag,
    },
    /// Open a share read-only: what it is, who is in it with their conditions and test results;
    /// --extract saves its files (the report PDF/HTML, the FHIR and GA4GH bundles). Writes to no
    /// vault.
    Open {
        /// The share (FILE.age).
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// A key share: the identity file with the secret key (AGE-SECRET-KEY-1…), as
        /// `kinvault share keygen` or age-keygen write it.
        #[arg(long, short = 'i', value_name = "KEYFILE", conflicts_with = "share_passphrase_file")]
        identity: Option<PathBuf>,
        /// A passphrase share: the passphrase on this file's first line (else
        /// KINVAULT_SHARE_PASSPHRASE, else a prompt).
        #[arg(long, value_name = "FILE")]
        share_passphrase_file: Option<PathBuf>,
        /// Write the share's files into this folder (created if missing; existing files are not
        /// replaced).
        #[arg(long, value_name = "DIR")]
        extract: Option<PathBuf>,
        #[command(flatten)]
        out: JsonFlag,
    },
    /// Make an age key pair for receiving shares: writes the secret key to KEYFILE (owner-only,
    /// never replaces a file) and prints the public key to give to whoever makes shares.
    Keygen {
        #[arg(short = 'o', long = "output", value_name = "KEYFILE")]
        output: PathBuf,
        #[command(flatten)]
        out: JsonFlag,
    },
}

#[derive(Args)]
struct LineageArgs {
    /// Id or GEDCOM xref.
    #[arg(value_name = "PERSON")]
    person: String,
    /// How many generations (1 to 200).
    #[arg(long, short = 'g', default_value_t = 4)]
    generations: u32,
    /// Also follow adopted, foster, step and sealing links.
    #[arg(long)]
    include_non_birth: bool,
    /// List at most this many people, nearest generations first (at most 200000).
    #[arg(long, default_value_t = 10_000)]
    max_people: u32,
}

#[derive(Clone, Copy, ValueEnum)]
enum SexArg {
    M,
    F,
    X,
    U,
}

impl From<SexArg> for Sex {
    fn from(s: SexArg) -> Sex {
        match s {
            SexArg::M => Sex::Male,
            SexArg::F => Sex::Female,
            SexArg::X => Sex::Intersex,
            SexArg::U => Sex::Unknown,
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum FormatArg {
    #[value(name = "gedcom-5.5.1")]
    Gedcom551,
    #[value(name = "gedcom-7")]
    Gedcom7,
    #[value(name = "gedzip")]
    Gedzip,
    /// HL7 FHIR R4 family-history Bundle.
    Fhir,
    /// GA4GH Pedigree IG Bundle (FHIR R4).
    Ga4gh,
    /// PED / PLINK .fam (needs --condition).
    Ped,
    /// CanRisk v4 pedigree file.
    Canrisk,
}

/// A GEDCOM format, or the clinical format.
enum ExportTarget {
    Gedcom(ExportFormat),
    Family(FamilyFormat),
}

impl From<FormatArg> for ExportTarget {
    fn from(f: FormatArg) -> ExportTarget {
        match f {
            FormatArg::Gedcom551 => ExportTarget::Gedcom(ExportFormat::Gedcom551),
            FormatArg::Gedcom7 => ExportTarget::Gedcom(ExportFormat::Gedcom7),
            FormatArg::Gedzip => ExportTarget::Gedcom(ExportFormat::Gedzip),
            FormatArg::Fhir => ExportTarget::Family(FamilyFormat::Fhir),
            FormatArg::Ga4gh => ExportTarget::Family(FamilyFormat::Ga4gh),
            FormatArg::Ped => ExportTarget::Family(FamilyFormat::Ped),
            FormatArg::Canrisk => ExportTarget::Family(FamilyFormat::Canrisk),
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum StatusArg {
    Affected,
    Unaffected,
    Unknown,
}

impl From<StatusArg> for ConditionStatus {
    fn from(s: StatusArg) -> ConditionStatus {
        match s {
            StatusArg::Affected => ConditionStatus::Affected,
            StatusArg::Unaffected => ConditionStatus::Unaffected,
            StatusArg::Unknown => ConditionStatus::Unknown,
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum CertaintyArg {
    Confirmed,
    Probable,
    Possible,
    Unknown,
}

impl From<CertaintyArg> for Certainty {
    fn from(c: CertaintyArg) -> Certainty {
        match c {
            CertaintyArg::Confirmed => Certainty::Confirmed,
            CertaintyArg::Probable => Certainty::Probable,
            CertaintyArg::Possible => Certainty::Possible,
            CertaintyArg::Unknown => Certainty::Unknown,
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum ProvenanceArg {
    SelfReported,
    ReportedByRelative,
    MedicalRecord,
}

impl From<ProvenanceArg> for Provenance {
    fn from(p: ProvenanceArg) -> Provenance {
        match p {
            ProvenanceArg::SelfReported => Provenance::SelfReported,
            ProvenanceArg::ReportedByRelative => Provenance::ReportedByRelative,
            ProvenanceArg::MedicalRecord => Provenance::MedicalRecord,
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum ResultArg {
    Positive,
    Negative,
    /// Variant of uncertain significance.
    Vus,
    Inconclusive,
}

impl From<ResultArg> for TestResult {
    fn from(r: ResultArg) -> TestResult {
        match r {
            ResultArg::Positive => TestResult::Positive,
            ResultArg::Negative => TestResult::Negative,
            ResultArg::Vus => TestResult::Vus,
            ResultArg::Inconclusive => TestResult::Inconclusive,
        }
    }
}

/// ACMG/AMP 2015 variant classes.
#[derive(Clone, Copy, ValueEnum)]
enum AcmgArg {
    Pathogenic,
    LikelyPathogenic,
    UncertainSignificance,
    LikelyBenign,
    Benign,
}

impl From<AcmgArg> for AcmgClass {
    fn from(a: AcmgArg) -> AcmgClass {
        match a {
            AcmgArg::Pathogenic => AcmgClass::Pathogenic,
            AcmgArg::LikelyPathogenic => AcmgClass::LikelyPathogenic,
            AcmgArg::UncertainSignificance => AcmgClass::UncertainSignificance,
            AcmgArg::LikelyBenign => AcmgClass::LikelyBenign,
            AcmgArg::Benign => AcmgClass::Benign,
        }
    }
}

#[derive(Subcommand)]
enum CatalogCommand {
    /// List the catalog's conditions (id, name, genes); --json has everything, with references.
    List {
        /// Also list this vault's own (user-defined) conditions.
        #[arg(long, value_name = "VAULT")]
        vault: Option<PathBuf>,
        /// Only conditions matching a name, synonym, id, gene symbol or code, best first.
        #[arg(long, value_name = "Q")]
        search: Option<String>,
        #[command(flatten)]
        secrets: Secrets,
        #[command(flatten)]
        out: JsonFlag,
    },
    /// Add a condition of your own to a vault's catalog (or replace one you added), from a TOML
    /// or JSON file holding one entry in the catalog's format (docs/catalog.md).
    Add {
        #[command(flatten)]
        v: VaultArg,
        /// The entry: `.toml` (the fields of one `[[condition]]`) or `.json`.
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
    /// Remove a condition you added; observations recorded with it keep their label and code.
    Remove {
        #[command(flatten)]
        v: VaultArg,
        #[arg(value_name = "ID")]
        id: String,
    },
}

#[derive(Subcommand)]
enum FamilyCommand {
    /// Add a family: up to two partners and their children, by id or xref; prints its id.
    Add {
        #[command(flatten)]
        v: VaultArg,
        /// A partner (repeat for the second).
        #[arg(long, value_name = "P")]
        partner: Vec<String>,
        /// A child, in birth order (repeatable).
        #[arg(long, value_name = "C")]
        child: Vec<String>,
        /// A child (also given with --child) adopted by the partners.
        #[arg(long, value_name = "C")]
        adopted: Vec<String>,
        /// A child (also given with --child) fostered by the partners.
        #[arg(long, value_name = "C")]
        foster: Vec<String>,
        /// Children who are twins (or triplets...), comma-separated: `--twins I4,I5`.
        #[arg(long, value_name = "C,C")]
        twins: Vec<String>,
        /// Zygosity of every --twins set.
        #[arg(long, value_enum, default_value = "unknown")]
        zygosity: ZygosityArg,
        #[arg(long, value_enum)]
        union: Option<UnionArg>,
        /// The partners are blood relatives.
        #[arg(long)]
        consanguineous: bool,
        #[command(flatten)]
        out: JsonFlag,
    },
    /// The families a person belongs to (as a child and as a partner).
    List {
        #[command(flatten)]
        v: VaultArg,
        #[arg(value_name = "PERSON")]
        person: String,
        #[command(flatten)]
        out: JsonFlag,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum ZygosityArg {
    Mz,
    Dz,
    Unknown,
}

#[derive(Clone, Copy, ValueEnum)]
enum UnionArg {
    Married,
    Partners,
    Unknown,
}

#[derive(Subcommand)]
enum ConditionCommand {
    /// Record a condition observation on a person; prints its id.
    Add {
        #[command(flatten)]
        v: VaultArg,
        /// Id or GEDCOM xref.
        #[arg(value_name = "PERSON")]
        person: String,
        /// Catalog id (`kinvault catalog list`), e.g. cystic-fibrosis.
        #[arg(long, value_name = "ID")]
        condition: String,
        #[arg(long, value_enum)]
        status: StatusArg,
        /// Age at onset or diagnosis, in years (status affected only).
        #[arg(long, value_name = "N")]
        onset_age: Option<f64>,
        /// Age at which the status was observed ("unaffected at 45"); also the person's last
        /// known age alive unless they are recorded as deceased.
        #[arg(long, value_name = "N")]
        age: Option<f64>,
        #[arg(long, value_enum, default_value = "unknown")]
        certainty: CertaintyArg,
        #[arg(long, value_enum, default_value = "self-reported")]
        provenance: ProvenanceArg,
        #[arg(long)]
        note: Option<String>,
        #[command(flatten)]
        out: JsonFlag,
    },
}

#[derive(Subcommand)]
enum TestCommand {
    /// Record a genetic test result on a person; prints its id.
    Add {
        #[command(flatten)]
        v: VaultArg,
        /// Id or GEDCOM xref.
        #[arg(value_name = "PERSON")]
        person: String,
        /// HGNC gene symbol, e.g. BRCA1.
        #[arg(long)]
        gene: String,
        /// HGVS notation, e.g. NM_007294.4:c.68_69del.
        #[arg(long)]
        variant: Option<String>,
        #[arg(long, value_enum)]
        result: ResultArg,
        #[arg(long, value_enum)]
        acmg: Option<AcmgArg>,
        /// Probability the test finds a pathogenic variant that is present, in (0, 1].
        #[arg(long, value_name = "S")]
        sensitivity: Option<f64>,
        /// e.g. "NGS panel", "targeted familial variant", "MLPA".
        #[arg(long)]
        method: Option<String>,
        #[arg(long)]
        lab: Option<String>,
        /// Date of the result, GEDCOM style: "12 MAR 2021", "2021".
        #[arg(long)]
        date: Option<String>,
        #[arg(long, value_enum, default_value = "self-reported")]
        provenance: ProvenanceArg,
        #[command(flatten)]
        out: JsonFlag,
    },
}

#[derive(Subcommand)]
enum PersonCommand {
    /// Add a person; prints the new id.
    Add {
        #[command(flatten)]
        v: VaultArg,
        #[arg(long, default_value = "")]
        given: String,
        #[arg(long, default_value = "")]
        surname: String,
        /// Sex recorded at birth.
        #[arg(long, value_enum, ignore_case = true, default_value = "u")]
        sex: SexArg,
        /// Birth date, GEDCOM style: "10 DEC 1815", "ABT 1850", "BET 1850 AND 1860".
        #[arg(long)]
        birth: Option<String>,
        /// Death date, GEDCOM style.
        #[arg(long)]
        death: Option<String>,
        #[command(flatten)]
        out: JsonFlag,
    },
    /// List people sorted by surname, optionally filtered.
    List {
        #[command(flatten)]
        v: VaultArg,
        /// Words that must all occur in a name or xref.
        #[arg(long)]
        search: Option<String>,
        #[arg(long, default_value_t = 0)]
        offset: u32,
        #[arg(long, default_value_t = 1000)]
        limit: u32,
        #[command(flatten)]
        out: JsonFlag,
    },
    /// Show one person by id or GEDCOM xref.
    Show {
        #[command(flatten)]
        v: VaultArg,
        #[arg(value_name = "ID")]
        id: String,
        #[command(flatten)]
        out: JsonFlag,
    },
    /// Delete a person (and remove them from their families).
    Delete {
        #[command(flatten)]
        v: VaultArg,
        #[arg(value_name = "ID")]
        id: String,
    },
}

/// A secret from, in order: a file, an environment variable, a terminal prompt.
fn secret(file: Option<&Path>, env: &str, prompt: &str, confirm: bool) -> Result<Zeroizing<String>> {
    if let Some(f) = file {
        let text = Zeroizing::new(std::fs::read_to_string(f).with_context(|| format!("cannot read {}", f.display()))?);
        let line = text.lines().next().unwrap_or("");
        return Ok(Zeroizing::new(line.to_string()));
    }
    if let Ok(v) = std::env::var(env) {
        return Ok(Zeroizing::new(v));
    }
    if !std::io::stdin().is_terminal() {
        bail!("no terminal to ask for the {prompt}: set {env} or pass the matching --…-file option");
    }
    let first =
        Zeroizing::new(rpassword::prompt_password(format!("{prompt}: ")).context("cannot read from the terminal")?);
    if confirm {
        let again = Zeroizing::new(rpassword::prompt_password(format!("{prompt} (again): "))?);
        if *again != *first {
            bail!("the two entries differ");
        }
    }
    Ok(first)
}

struct SyncCli {
    server: Option<String>,
    join: bool,
    join_code_file: Option<PathBuf>,
    status: bool,
    conflicts: bool,
    resolve: Option<i64>,
    show_code: bool,
    leave: bool,
    json: bool,
}

fn run_sync(vault: &mut Vault, o: SyncCli) -> Result<()> {
    use kinvault_api::sync;
    if o.status {
        let s = sync::status(vault)?;
        if o.json {
            return print_json(&s);
        }
        if !s.enabled {
            println!("sync is off (kinvault sync VAULT --server URL turns it on)");
            return Ok(());
        }
        println!("server             {}", s.server.unwrap_or_default());
        println!("account            {}", s.account_id.unwrap_or_default());
        println!("device             {}", s.device_id.unwrap_or_default());
        let last = s.last_sync_at.map(|ms| format!("{} (unix ms)", ms)).unwrap_or_else(|| "never".into());
        println!("last sync          {last}");
        println!("batches pushed     {}", s.batches_pushed);
        println!("waiting to send    {}", s.outbox);
        println!("open conflicts     {}", s.unresolved_conflicts);
        if let Some(e) = s.last_error {
            println!("last error         {e}");
        }
        return Ok(());
    }
    if o.conflicts {
        let list = sync::conflicts(vault, false)?;
        if o.json {
            return print_json(&list);
        }
        if list.is_empty() {
            println!("no conflicts to review");
        }
        for c in list {
            println!("#{}  {}  {}{}", c.id, c.label, c.kind, c.field.map(|f| format!(" ({f})")).unwrap_or_default());
            println!("     {}", c.explanation);
            if let Some(l) = c.local {
                println!("     this device: {l}");
            }
            if let Some(r) = c.remote {
                println!("     other device: {r}");
            }
        }
        return Ok(());
    }
    if let Some(id) = o.resolve {
        sync::resolve_conflict(vault, id)?;
        eprintln!("Conflict {id} marked as reviewed.");
        return Ok(());
    }
    if o.show_code {
        println!("{}", sync::join_code(vault)?);
        return Ok(());
    }
    if o.leave {
        sync::leave(vault)?;
        eprintln!("This device no longer syncs. Its data stays in the vault.");
        return Ok(());
    }
    let current = sync::status(vault)?;
    let report = match (current.enabled, o.server) {
        (false, None) => {
            bail!("sync is not set up for this vault: give --server URL (and --join to join an existing account)")
        }
        (true, Some(server)) if current.server.as_deref() != Some(server.trim()) => bail!(
            "this vault already syncs with {}; run `kinvault sync VAULT --leave` first to use another server",
            current.server.unwrap_or_default()
        ),
        (true, _) => sync::sync_now(vault)?,
        (false, Some(server)) => {
            let join_code = if o.join {
                Some(secret(o.join_code_file.as_deref(), "KINVAULT_SYNC_CODE", "Join code", false)?.to_string())
            } else {
                None
            };
            let result = sync::setup(vault, &sync::SyncSetupRequest { server, join_code })?;
            if let Some(code) = &result.join_code {
                if !o.json {
                    eprintln!("Created a sync account. To add another device, run there:");
                    eprintln!("  kinvault sync OTHER_VAULT --server URL --join");
                    eprintln!("and give it this join code (it lets that device read everything; keep it safe):");
                    println!("{code}");
                }
            }
            if o.json {
                return print_json(&result);
            }
            match (result.report, result.sync_error) {
                (Some(report), _) => report,
                (None, error) => {
                    bail!(
                        "sync is on, but the first sync failed: {} (run `kinvault sync VAULT` again to retry)",
                        error.unwrap_or_default()
                    );
                }
            }
        }
    };
    if o.json {
        return print_json(&report);
    }
    eprintln!(
        "Synced: received {} batches ({} record changes), sent {} batches ({} record changes){}{}.",
        report.pulled_batches,
        report.applied_changes,
        report.pushed_batches,
        report.pushed_changes,
        if report.new_conflicts > 0 {
            format!(", {} new conflicts to review (--conflicts)", report.new_conflicts)
        } else {
            String::new()
        },
        if report.rejected_replays > 0 {
            format!(", {} repeated batches ignored", report.rejected_replays)
        } else {
            String::new()
        },
    );
    Ok(())
}

fn passphrase(v: &VaultArg) -> Result<Zeroizing<String>> {
    secret(v.secrets.passphrase_file.as_deref(), "KINVAULT_PASSPHRASE", "Passphrase", false)
}

fn open(v: &VaultArg) -> Result<Vault> {
    let pass = passphrase(v)?;
    Ok(vault_ops::open(&v.vault, &pass)?)
}

#[allow(clippy::too_many_arguments)]
fn run_risk(
    vault: &Vault,
    g: &kinvault_api::pedigree::FamilyGraph,
    person: Option<String>,
    couple: Option<Vec<String>>,
    conditions: Vec<String>,
    horizon: Option<f64>,
    overview: bool,
    notable: bool,
    json: bool,
) -> Result<()> {
    use kinvault_api::risk::{self, explain::percent};
    if let Some(pair) = couple {
        let (a, b) = (&pair[0], &pair[1]);
        match conditions.as_slice() {
            [] => {
                let r = risk::consanguinity(vault, g, a, b)?;
                if json {
                    return print_json(&r);
                }
                println!("inbreeding coefficient of a child  F = {} ({:.6})", r.inbreeding_fraction, r.inbreeding);
                println!("{:32}  {:>12}  {:>12}  {:>12}", "recessive condition", "unrelated", "this couple", "added");
                for c in &r.conditions {
                    println!(
                        "{:32}  {:>12}  {:>12}  {:>12}",
                        c.name,
                        percent(c.unrelated_risk),
                        percent(c.couple_risk),
                        percent(c.added_risk)
                    );
                }
                for n in &r.notes {
                    eprintln!("note: {n}");
                }
            }
            [c] => {
                let r = risk::couple_risk(vault, g, a, b, c, horizon)?;
                if json {
                    return print_json(&r);
                }
                println!("{}", r.explanation.summary);
                println!("child affected (either sex)  {}", percent(r.child_affected));
                println!("son affected / carrier       {} / {}", percent(r.son_affected), percent(r.son_carrier));
                println!(
                    "daughter affected / carrier  {} / {}",
                    percent(r.daughter_affected),
                    percent(r.daughter_carrier)
                );
            }
            _ => bail!("--couple takes one --condition (or none, for the inbreeding table)"),
        }
        return Ok(());
    }
    let person = person.ok_or_else(|| anyhow!("name the person with --person P"))?;
    if overview {
        let r = risk::family_overview(vault, g, &person, &Default::default())?;
        if json {
            return print_json(&r);
        }
        if r.items.is_empty() {
            println!(
                "No one in the family ({} people read) needs more than population recommendations.",
                r.pedigree.people
            );
        }
        for i in &r.items {
            println!("{:24}  {:?}  {}", i.relation, i.suggestion, i.reason);
        }
        for e in &r.errors {
            eprintln!("not assessed: {e}");
        }
        return Ok(());
    }
    let r = risk::person_risk(vault, g, &risk::RiskRequest { person, conditions, horizon, scope: None })?;
    if json {
        return print_json(&r);
    }
    eprintln!(
        "{} people read ({} with health records){}; catalog v{}",
        r.pedigree.people,
        r.pedigree.with_health_facts,
        if r.pedigree.truncated { ", family cut at the scope limit" } else { "" },
        r.catalog_version
    );
    for c in &r.conditions {
        let elevated =
            c.carrier_probability.zip(c.prior_carrier_probability).is_some_and(|(p, q)| p > 2.0 * q && p > 0.01);
        let above = c.category.is_some_and(|s| s != risk::Stratum::Average);
        if notable && !(c.family_evidence || elevated || above || c.error.is_some()) {
            continue;
        }
        match (&c.error, c.category) {
            (Some(e), _) => println!("{:32}  not assessed: {e}", c.name),
            (None, Some(s)) => println!("{:32}  {:?} familial risk", c.name, s),
            (None, None) => {
                let carrier = c.carrier_probability.map(percent).unwrap_or_else(|| "—".into());
                let affected = c.affected_probability.map(|a| format!("{} by {}", percent(a.by_horizon), a.horizon));
                println!("{:32}  carrier {carrier:>10}  affected {}", c.name, affected.unwrap_or_else(|| "—".into()));
            }
        }
        if c.family_evidence || above {
            println!("    {}", c.explanation.summary);
            for f in c.explanation.facts.iter().take(3) {
                match (f.without, f.with) {
                    (Some(a), Some(b)) => println!("    - {}: {} → {}", f.description, percent(a), percent(b)),
                    _ => println!("    - {}", f.description),
                }
            }
        }
    }
    let l = &r.family_history.lynch;
    for c in [&l.amsterdam_ii, &l.revised_bethesda] {
        if matches!(c.status, risk::CriterionStatus::Met | risk::CriterionStatus::MetPendingVerification) {
            println!("{}: {:?}", c.name, c.status);
        }
    }
    Ok(())
}

fn print_json<T: serde::Serialize>(value: &T) -> Result<()> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}

fn life(p: &Person) -> String {
    let b = p.birth().map(|d| d.original.clone()).unwrap_or_default();
    let d = p.death().map(|d| d.original.clone()).unwrap_or_default();
    if b.is_empty() && d.is_empty() {
        String::new()
    } else {
        format!("{b} – {d}")
    }
}

/// A progress bar on stderr when it is a terminal (hidden otherwise, so scripts and logs stay
/// clean).
fn progress_bar() -> indicatif::ProgressBar {
    if !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(0);
    if let Ok(style) = indicatif::ProgressStyle::with_template("{msg:10} [{bar:40}] {percent:>3}% {eta}") {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

/// Runs `f` with a terminal progress bar as its progress report, cleared when `f` returns.
fn with_progress_bar<T>(f: impl FnOnce(&dyn transfer::Progress) -> T) -> T {
    let bar = progress_bar();
    let progress = |phase: ProgressPhase, done: u64, total: u64| {
        bar.set_message(phase_label(phase));
        bar.set_length(total.max(1));
        bar.set_position(done);
        true
    };
    let out = f(&progress);
    bar.finish_and_clear();
    out
}

fn phase_label(p: ProgressPhase) -> &'static str {
    match p {
        ProgressPhase::Reading => "reading",
        ProgressPhase::Importing => "importing",
        ProgressPhase::Media => "media",
        ProgressPhase::Checking => "checking",
        ProgressPhase::Scanning => "scanning",
        ProgressPhase::Exporting => "exporting",
    }
}

/// "Ann Lee (@I12@)", or the id when there is no xref.
fn who(p: &PersonRef) -> String {
    let tag = p.xref.clone().unwrap_or_else(|| p.id.clone());
    if p.display_name.is_empty() {
        tag
    } else {
        format!("{} ({tag})", p.display_name)
    }
}

fn years(p: &PersonRef) -> String {
    match (p.birth_year, p.death_year) {
        (None, None) => String::new(),
        (b, d) => {
            format!("{}–{}", b.map(|y| y.to_string()).unwrap_or_default(), d.map(|y| y.to_string()).unwrap_or_default())
        }
    }
}

/// "1/16 (0.0625)"; "n/a" when missing.
fn coefficient(exact: Option<&str>, value: Option<f64>) -> String {
    match (exact, value) {
        (Some(e), Some(v)) if v != 0.0 && v < 1e-4 => format!("{e} ({v:.4e})"),
        (Some(e), Some(v)) => format!("{e} ({v})"),
        _ => "n/a".into(),
    }
}

fn print_lineage(chart: &Chart, what: &str) {
    let people = chart.nodes.iter().filter(|n| matches!(n.role, ChartRole::Ancestor | ChartRole::Descendant)).count();
    println!(
        "{what} of {}, {} generation{}: {people} people{}",
        who(&chart.center),
        chart.generations,
        if chart.generations == 1 { "" } else { "s" },
        if chart.collapsed > 0 { format!(", {} on more than one line", chart.collapsed) } else { String::new() }
    );
    let line = |indent: &str, p: &PersonRef, extra: &str| {
        let text = format!("{indent}{}  {}  {}{extra}", who(p), p.sex.code(), years(p));
        println!("{}", text.trim_end());
    };
    let mut current = 0;
    for n in &chart.nodes {
        let first = n.generations.iter().map(|g| g.abs()).min().unwrap_or(0);
        match n.role {
            ChartRole::Center => continue,
            ChartRole::Partner if first == 0 => {
                line("  partner: ", &n.person, "");
                continue;
            }
            ChartRole::Partner => {
                line("      partner: ", &n.person, "");
                continue;
            }
            _ => {}
        }
        if first != current {
            current = first;
            println!("generation {current}");
        }
        let others: Vec<String> =
            n.generations.iter().map(|g| g.abs()).filter(|&g| g != first).map(|g| g.to_string()).collect();
        let also = if others.is_empty() { String::new() } else { format!("  [also generation {}]", others.join(", ")) };
        line("  ", &n.person, &also);
    }
    if chart.truncated {
        eprintln!("The list was cut at {} people; use --max-people for more.", chart.nodes.len());
    }
}

fn lineage(vault: &Vault, l: &LineageArgs, kind: ChartKind) -> Result<Chart> {
    let loaded = graph::load(vault)?;
    Ok(graph::chart(
        vault,
        &loaded.graph,
        &ChartRequest {
            center: l.person.clone(),
            kind,
            generations: l.generations,
            include_non_birth: l.include_non_birth,
            max_nodes: l.max_people,
        },
    )?)
}

fn run(cli: Cli) -> Result<i32> {
    match cli.command {
        Command::Init { v, out } => {
            let path = match v.vault {
                Some(p) => p,
                None => kinvault_api::default_vault_path()
                    .ok_or_else(|| anyhow!("no VAULT given and no home folder to put one in"))?,
            };
            let pass = secret(v.secrets.passphrase_file.as_deref(), "KINVAULT_PASSPHRASE", "New passphrase", true)?;
            let (vault, recovery) = vault_ops::create(&path, &pass)?;
            if out.json {
                print_json(&serde_json::json!({ "vault": vault_ops::info(&vault)?, "recovery_key": recovery }))?;
            } else {
                eprintln!("Created {}", path.display());
                eprintln!("Recovery key — write it down and keep it apart from the computer. It is shown only now,");
                eprintln!("and it is the only way back in if the passphrase is forgotten:");
                println!("{recovery}");
            }
        }
        Command::Passwd { v, new_passphrase_file } => {
            let mut vault = open(&v)?;
            let new = secret(new_passphrase_file.as_deref(), "KINVAULT_NEW_PASSPHRASE", "New passphrase", true)?;
            vault.change_passphrase(&new).map_err(kinvault_api::ApiError::from)?;
            eprintln!("Passphrase changed.");
        }
        Command::Recover { v, recovery_key_file, new_passphrase_file } => {
            let path = v.vault;
            let key = secret(recovery_key_file.as_deref(), "KINVAULT_RECOVERY_KEY", "Recovery key", false)?;
            let new = secret(new_passphrase_file.as_deref(), "KINVAULT_NEW_PASSPHRASE", "New passphrase", true)?;
            vault_ops::recover(&path, &key, &new)?;
            eprintln!("Passphrase reset. The recovery key still works; keep it safe.");
        }
        Command::Check { v, out } => {
            let vault = open(&v)?;
            let report = vault_ops::check(&vault)?;
            if out.json {
                print_json(&report)?;
            } else if report.ok {
                println!("ok");
            } else {
                for p in &report.problems {
                    println!("{p}");
                }
            }
            if !report.ok {
                return Ok(1);
            }
        }
        Command::Stats { v, out } => {
            let vault = open(&v)?;
            let stats = vault_ops::info(&vault)?.stats;
            if out.json {
                print_json(&stats)?;
            } else {
                println!("individuals    {}", stats.individuals);
                println!("families       {}", stats.families);
                println!("sources        {}", stats.sources);
                println!("conditions     {}", stats.conditions);
                println!("genetic tests  {}", stats.genetic_tests);
                println!("changes        {}", stats.changes);
                println!("schema         {}", stats.schema_version);
                println!("file bytes     {}", stats.file_bytes);
            }
        }
        Command::Import { v, file, condition, out } => {
            let mut vault = open(&v)?;
            if clinical::detect_format(&file)?.is_some() {
                let report = clinical::import_family_file(&mut vault, &file, &FamilyImportOptions { condition })?;
                if out.json {
                    print_json(&report)?;
                } else {
                    println!("individuals    {}", report.individuals);
                    println!("families       {}", report.families);
                    println!("health         {}", report.health_observations);
                    println!("genetic tests  {}", report.genetic_tests);
                    println!("warnings       {}", report.warnings.len());
                    eprintln!("Imported {} ({}).", file.display(), report.format.name());
                    if report.health_observations + report.genetic_tests > 0 {
                        eprintln!("Health records from the file are marked as imported, unverified.");
                    }
                    if !report.warnings.is_empty() {
                        eprintln!("Use --json to list the warnings.");
                    }
                }
                return Ok(0);
            }
            if condition.is_some() {
                bail!("--condition is for PED/.fam files; {} is not one", file.display());
            }
            let report = with_progress_bar(|progress| transfer::import_gedcom(&mut vault, &file, progress))?;
            if out.json {
                print_json(&report)?;
            } else {
                println!("individuals    {}", report.individuals);
                println!("families       {}", report.families);
                println!("sources        {}", report.sources);
                println!("media          {}", report.media);
                println!("other records  {}", report.other_records);
                println!("health         {}", report.health_observations);
                println!("warnings       {}", report.warnings.len());
                eprintln!("Imported {} ({} {}, {}).", file.display(), report.format, report.version, report.encoding);
                if report.health_observations > 0 {
                    eprintln!("Health observations from the file are marked \"imported from GEDCOM, unverified\".");
                }
                if report.media_files > 0 {
                    eprintln!("Stored {} media files from the archive.", report.media_files);
                }
                if !report.warnings.is_empty() {
                    eprintln!("Use --json to list the warnings.");
                }
            }
        }
        Command::Export { v, format, output, proband, condition, include_living, include_health, out } => {
            let format = match ExportTarget::from(format) {
                ExportTarget::Gedcom(f) => {
                    if proband.is_some() || condition.is_some() {
                        bail!("--proband and --condition are for the fhir, ga4gh, ped and canrisk formats");
                    }
                    f
                }
                ExportTarget::Family(format) => {
                    if include_living || include_health {
                        bail!("--include-living and --include-health are for GEDCOM; {} exports carry every health record", format.name());
                    }
                    let Some(proband) = proband else {
                        bail!(
                            "the {} format is a family history around one person: name them with --proband PERSON",
                            format.name()
                        );
                    };
                    let vault = open(&v)?;
                    let req = ExportFamilyRequest { path: output.display().to_string(), format, proband, condition };
                    let report = clinical::export_family_file(&vault, &req)?;
                    if out.json {
                        print_json(&report)?;
                    } else {
                        println!("individuals    {}", report.individuals);
                        println!("families       {}", report.families);
                        eprintln!("Wrote {} ({}, {} bytes).", report.path, report.format.name(), report.bytes);
                        for w in &report.warnings {
                            eprintln!("warning: {w}");
                        }
                    }
                    return Ok(0);
                }
            };
            let vault = open(&v)?;
            let req = ExportRequest { path: output.display().to_string(), format, include_living, include_health };
            let report = with_progress_bar(|progress| transfer::export_gedcom(&vault, &req, progress))?;
            if out.json {
                print_json(&report)?;
            } else {
                println!("individuals    {}", report.individuals);
                println!("families       {}", report.families);
                println!("sources        {}", report.sources);
                println!("other records  {}", report.other_records);
                eprintln!("Wrote {} ({}, {} bytes).", report.path, report.format.name(), report.bytes);
                if report.media_files > 0 {
                    eprintln!("The archive holds {} media files.", report.media_files);
                }
                if report.records_excluded > 0 {
                    eprintln!(
                        "Left out {} records only those people point to (their shared notes, media).",
                        report.records_excluded
                    );
                }
                if report.living_excluded > 0 {
                    eprintln!(
                        "Left out {} people who may be living (--include-living to include them).",
                        report.living_excluded
                    );
                }
                if report.health_excluded > 0 {
                    eprintln!("Left out {} health items (--include-health to include them).", report.health_excluded);
                }
            }
        }
        Command::Person { command } => match command {
            PersonCommand::Add { v, given, surname, sex, birth, death, out } => {
                let mut vault = open(&v)?;
                let p = people::add(&mut vault, &NewPerson { given, surname, sex: sex.into(), birth, death })?;
                if out.json {
                    print_json(&p)?;
                } else {
                    println!("{}", p.id);
                }
            }
            PersonCommand::List { v, search, offset, limit, out } => {
                let vault = open(&v)?;
                let page = people::list(&vault, &PeopleQuery { search, offset, limit })?;
                if out.json {
                    print_json(&page)?;
                } else {
                    for p in &page.items {
                        let years = match (p.birth_year, p.death_year) {
                            (None, None) => String::new(),
                            (b, d) => format!(
                                "{}–{}",
                                b.map(|y| y.to_string()).unwrap_or_default(),
                                d.map(|y| y.to_string()).unwrap_or_default()
                            ),
                        };
                        println!("{}  {}  {}  {}", p.id, p.sex.code(), p.display_name, years);
                    }
                    eprintln!("{} of {} shown", page.items.len(), page.total);
                }
            }
            PersonCommand::Show { v, id, out } => {
                let vault = open(&v)?;
                let p = people::resolve(&vault, &id)?;
                if out.json {
                    print_json(&p)?;
                } else {
                    println!("{}  {}", p.id, p.display_name());
                    println!("sex     {}", p.sex.code());
                    let l = life(&p);
                    if !l.is_empty() {
                        println!("life    {l}");
                    }
                    println!("health  {} conditions, {} genetic tests", p.conditions.len(), p.genetic_tests.len());
                }
            }
            PersonCommand::Delete { v, id } => {
                let mut vault = open(&v)?;
                let p = people::resolve(&vault, &id)?;
                people::delete(&mut vault, p.id)?;
                eprintln!("Deleted {}", p.id);
            }
        },
        Command::Catalog { command: CatalogCommand::List { vault, search, secrets, out } } => {
            let cat = match vault {
                Some(vault) => clinical::vault_catalog(&open(&VaultArg { vault, secrets })?)?,
                None => clinical::catalog().clone(),
            };
            let mut data = clinical::catalog_list(&cat);
            if let Some(q) = search.as_deref() {
                data.conditions = clinical::catalog_search(&cat, q);
            }
            if out.json {
                print_json(&data)?;
            } else {
                for c in &data.conditions {
                    let genes = if c.genes.is_empty() { String::new() } else { format!("  ({})", c.genes.join(", ")) };
                    println!("{:32}  {}{genes}", c.id, c.name);
                }
                eprintln!(
                    "{} conditions (catalog data version {}); --json has codes, numbers and references.",
                    data.conditions.len(),
                    data.version
                );
            }
        }
        Command::Catalog { command: CatalogCommand::Add { v, file } } => {
            let text = std::fs::read_to_string(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let def: kinvault_api::catalog::ConditionDef =
                if file.extension().is_some_and(|e| e.eq_ignore_ascii_case("json")) {
                    serde_json::from_str(&text)
                        .with_context(|| format!("{} is not a condition entry", file.display()))?
                } else {
                    toml::from_str(&text).with_context(|| format!("{} is not a condition entry", file.display()))?
                };
            let mut vault = open(&v)?;
            let saved = clinical::save_user_condition(&mut vault, def)?;
            eprintln!("Added {} ({}) to this vault's catalog", saved.id, saved.name);
        }
        Command::Catalog { command: CatalogCommand::Remove { v, id } } => {
            let mut vault = open(&v)?;
            clinical::delete_user_condition(&mut vault, &id)?;
            eprintln!("Removed {} from this vault's catalog", id.trim());
        }
        Command::Family {
            command:
                FamilyCommand::Add { v, partner, child, adopted, foster, twins, zygosity, union, consanguineous, out },
        } => {
            use kinvault_api::model::{UnionKind, Zygosity};
            let mut vault = open(&v)?;
            let zygosity = match zygosity {
                ZygosityArg::Mz => Zygosity::Monozygotic,
                ZygosityArg::Dz => Zygosity::Dizygotic,
                ZygosityArg::Unknown => Zygosity::Unknown,
            };
            let spec = families::FamilySpec {
                partners: partner,
                children: child,
                adopted,
                foster,
                kind: union.map(|u| match u {
                    UnionArg::Married => UnionKind::Married,
                    UnionArg::Partners => UnionKind::Partners,
                    UnionArg::Unknown => UnionKind::Unknown,
                }),
                twins: twins
                    .iter()
                    .map(|t| (t.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect(), zygosity))
                    .collect(),
                consanguineous,
            };
            let family = families::family_from_spec(&vault, &spec)?;
            let loaded = graph::load(&vault)?;
            graph::check_family(&loaded.graph, &family)?;
            vault.write(|tx| tx.put_family(&family))?;
            if out.json {
                print_json(&family)?;
            } else {
                println!("{}", family.id);
            }
        }
        Command::Family { command: FamilyCommand::List { v, person, out } } => {
            let vault = open(&v)?;
            let f = families::person_families(&vault, &person)?;
            if out.json {
                print_json(&f)?;
            } else {
                let names = |fv: &families::FamilyView, ids: &mut dyn Iterator<Item = &kinvault_api::Uuid>| -> String {
                    ids.filter_map(|id| fv.people.iter().find(|p| p.id == id.to_string()))
                        .map(graph::label)
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                for fv in &f.as_child {
                    println!("child of   {}", names(fv, &mut fv.family.partners.iter()));
                }
                for fv in &f.as_partner {
                    let others: Vec<kinvault_api::Uuid> =
                        fv.family.partners.iter().copied().filter(|p| p.to_string() != f.person.id).collect();
                    println!(
                        "partner of {}{}",
                        if others.is_empty() {
                            "(no partner recorded)".to_string()
                        } else {
                            names(fv, &mut others.iter())
                        },
                        if fv.family.consanguineous { " (consanguineous)" } else { "" }
                    );
                    let kids = names(fv, &mut fv.family.children.iter().map(|c| &c.person));
                    if !kids.is_empty() {
                        println!("  children {kids}");
                    }
                }
            }
        }
        Command::Condition {
            command:
                ConditionCommand::Add { v, person, condition, status, onset_age, age, certainty, provenance, note, out },
        } => {
            let mut vault = open(&v)?;
            let req = AddCondition {
                condition,
                status: status.into(),
                onset_age,
                age,
                certainty: certainty.into(),
                provenance: provenance.into(),
                note,
            };
            let p = clinical::add_condition(&mut vault, &person, &req)?;
            let obs = p.conditions.last().ok_or_else(|| anyhow!("the observation was not stored"))?;
            if out.json {
                print_json(obs)?;
            } else {
                println!("{}", obs.id);
            }
        }
        Command::Test {
            command:
                TestCommand::Add { v, person, gene, variant, result, acmg, sensitivity, method, lab, date, provenance, out },
        } => {
            let mut vault = open(&v)?;
            let req = AddGeneticTest {
                gene,
                variant,
                result: result.into(),
                acmg_class: acmg.map(Into::into),
                sensitivity,
                method,
                lab,
                date,
                provenance: provenance.into(),
            };
            let p = clinical::add_genetic_test(&mut vault, &person, &req)?;
            let test = p.genetic_tests.last().ok_or_else(|| anyhow!("the test was not stored"))?;
            if out.json {
                print_json(test)?;
            } else {
                println!("{}", test.id);
            }
        }
        Command::Relate { v, a, b, out } => {
            let vault = open(&v)?;
            let loaded = graph::load(&vault)?;
            let r = graph::relate(&vault, &loaded.graph, &a, &b)?;
            if out.json {
                print_json(&r)?;
            } else {
                if r.relationships.is_empty() {
                    println!("{} and {} are not related (as far as the vault records).", who(&r.b), who(&r.a));
                } else {
                    println!("{} is {}'s", who(&r.b), who(&r.a));
                    for rel in &r.relationships {
                        println!("  {}", rel.description);
                        if rel.path.len() > 2 {
                            let path: Vec<String> = rel.path.iter().map(|s| graph::label(&s.person)).collect();
                            println!("      {}", path.join(" → "));
                        }
                    }
                }
                println!("kinship        φ  = {}", coefficient(r.kinship_exact.as_deref(), r.kinship));
                println!("X chromosome   φx = {}", coefficient(r.kinship_x_exact.as_deref(), r.kinship_x));
                if let Some(k) = &r.kappa {
                    println!("kappa          k0 = {}, k1 = {}, k2 = {}", k.k0.exact, k.k1.exact, k.k2.exact);
                }
                for n in &r.notes {
                    eprintln!("note: {n}");
                }
                if r.truncated {
                    eprintln!("note: the search stopped at its limits; more distant relationships may exist.");
                }
            }
        }
        Command::Risk { v, person, couple, condition, horizon, overview, notable, out } => {
            let vault = open(&v)?;
            let loaded = graph::load(&vault)?;
            run_risk(&vault, &loaded.graph, person, couple, condition, horizon, overview, notable, out.json)?;
        }
        Command::Pedigree { v, proband, generations, condition, no_names, output } => {
            let vault = open(&v)?;
            let loaded = graph::load(&vault)?;
            let req = kinvault_api::pedigree_drawing::PedigreeRequest {
                proband,
                generations: (generations > 0).then_some(generations),
                conditions: condition,
                names: !no_names,
                ..kinvault_api::pedigree_drawing::PedigreeRequest::new("")
            };
            let d = kinvault_api::pedigree_drawing::pedigree(&vault, &loaded.graph, &req)?;
            clinical::write_atomically(&output, d.svg.as_bytes())
                .with_context(|| format!("cannot write {}", output.display()))?;
            eprintln!(
                "Wrote {} ({} people, {} families{}{})",
                output.display(),
                d.people,
                d.unions,
                if d.conditions.is_empty() { String::new() } else { format!("; shaded: {}", d.conditions.join(", ")) },
                if d.truncated { "; cut at the size limit" } else { "" }
            );
        }
        Command::Report { v, proband, generations, condition, no_names, output } => {
            use kinvault_api::report::{render, ReportFormat, ReportRequest};
            let format = match output.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
                Some("pdf") => ReportFormat::Pdf,
                Some("html" | "htm") => ReportFormat::Html,
                _ => bail!("{}: name the report FILE.pdf or FILE.html", output.display()),
            };
            let vault = open(&v)?;
            let loaded = graph::load(&vault)?;
            let req =
                ReportRequest { proband, generations: Some(generations), conditions: condition, names: !no_names };
            let bytes = render(&vault, &loaded.graph, &req, format)?;
            clinical::write_atomically(&output, &bytes)
                .with_context(|| format!("cannot write {}", output.display()))?;
            eprintln!("Wrote {} ({} bytes)", output.display(), bytes.len());
        }
        Command::Inbreeding { v, person, out } => {
            let vault = open(&v)?;
            let loaded = graph::load(&vault)?;
            let r = graph::inbreeding(&vault, &loaded.graph, &person)?;
            if out.json {
                print_json(&r)?;
            } else {
                println!("{}", who(&r.person));
                match (&r.parents[..], r.parents_relationship.as_deref()) {
                    ([], _) => println!("parents   none recorded"),
                    ([p, q], Some("not related")) => {
                        println!("parents   {} and {}, not related by blood as far as recorded", who(p), who(q))
                    }
                    ([p, q], Some(rel)) => {
                        println!("parents   {} and {}", who(p), who(q));
                        println!("          {} is {}'s {rel}", graph::label(q), graph::label(p));
                    }
                    (ps, _) => {
                        println!("parents   {} (only one recorded)", ps.iter().map(who).collect::<Vec<_>>().join(", "))
                    }
                }
                println!("F         {}", coefficient(r.f_exact.as_deref(), r.f));
                println!("F (X)     {}", coefficient(r.f_x_exact.as_deref(), r.f_x));
                for n in &r.notes {
                    eprintln!("note: {n}");
                }
            }
        }
        Command::Ancestors { v, lineage: l, out } => {
            let vault = open(&v)?;
            let chart = lineage(&vault, &l, ChartKind::Pedigree)?;
            if out.json {
                print_json(&chart)?;
            } else {
                print_lineage(&chart, "Ancestors");
            }
        }
        Command::Descendants { v, lineage: l, out } => {
            let vault = open(&v)?;
            let chart = lineage(&vault, &l, ChartKind::Descendants)?;
            if out.json {
                print_json(&chart)?;
            } else {
                print_lineage(&chart, "Descendants");
            }
        }
        Command::Sync { v, server, join, join_code_file, status, conflicts, resolve, show_code, leave, out } => {
            let mut vault = open(&v)?;
            let opts =
                SyncCli { server, join, join_code_file, status, conflicts, resolve, show_code, leave, json: out.json };
            run_sync(&mut vault, opts)?;
        }
        Command::Share { command } => run_share(command)?,
        Command::Diagnose { vault, secrets, no_unlock, no_integrity, output, out } => {
            let d = diagnose(vault.as_deref(), &secrets, no_unlock, !no_integrity)?;
            if let Some(path) = &output {
                let mut bytes = serde_json::to_vec_pretty(&d)?;
                bytes.push(b'\n');
                clinical::write_atomically(path, &bytes).with_context(|| format!("cannot write {}", path.display()))?;
            }
            if out.json {
                print_json(&d)?;
            } else {
                print_diagnostics(&d);
            }
            if let Some(path) = &output {
                eprintln!(
                    "Wrote the diagnostics bundle to {} (JSON, numbers only; read it before you send it).",
                    path.display()
                );
            }
        }
        Command::GraphCheck { v, out } => {
            let vault = open(&v)?;
            let loaded = graph::load(&vault)?;
            let report = graph::report(&vault, &loaded)?;
            if out.json {
                print_json(&report)?;
            } else {
                println!("people         {}", report.people);
                println!("families       {}", report.families);
                println!("problems       {}", report.issues_total);
                for i in &report.issues {
                    println!("  {}", i.message);
                }
                if report.issues_total as usize > report.issues.len() {
                    eprintln!("Listed the first {}; --json has the same list.", report.issues.len());
                }
            }
            if report.issues_total > 0 {
                return Ok(1);
            }
        }
    }
    Ok(0)
}

/// The passphrase for `diagnose`, if one is available: --passphrase-file, KINVAULT_PASSPHRASE,
/// or a prompt at a terminal where an empty answer means "do not unlock".
fn diagnose_passphrase(secrets: &Secrets) -> Result<Option<Zeroizing<String>>> {
    if let Some(f) = &secrets.passphrase_file {
        return Ok(Some(secret(Some(f), "KINVAULT_PASSPHRASE", "Passphrase", false)?));
    }
    if let Some(v) = std::env::var("KINVAULT_PASSPHRASE").ok().filter(|v| !v.is_empty()) {
        return Ok(Some(Zeroizing::new(v)));
    }
    if !std::io::stdin().is_terminal() {
        return Ok(None);
    }
    let p = Zeroizing::new(
        rpassword::prompt_password("Passphrase (Enter to examine the vault without unlocking it): ")
            .context("cannot read from the terminal")?,
    );
    Ok((!p.is_empty()).then_some(p))
}

fn diagnose(
    vault: Option<&Path>,
    secrets: &Secrets,
    no_unlock: bool,
    integrity: bool,
) -> Result<kinvault_api::diagnostics::Diagnostics> {
    use kinvault_api::diagnostics::{self as diag, HeaderState, UnlockOutcome};
    let alert_mb = kinvault_api::settings::Settings::file()
        .map(|f| kinvault_api::settings::Settings::load(&f).memory_alert_mb)
        .unwrap_or(kinvault_api::settings::DEFAULT_MEMORY_ALERT_MB);
    let memory = diag::MemoryReport::read();
    let above = memory.total_rss_bytes().is_some_and(|t| t > diag::mib_to_bytes(alert_mb));
    let mut d = diag::Diagnostics::collect("kinvault", alert_mb, memory, above);
    let Some(path) = vault else { return Ok(d) };
    // Examined before unlocking, while no SQLite handle of this process has it open.
    let file = diag::probe_file(path);
    let valid = file.header == HeaderState::Valid;
    d.vault_file = Some(file);
    d.unlock = UnlockOutcome::NotAttempted;
    if no_unlock || !valid {
        return Ok(d);
    }
    let Some(pass) = diagnose_passphrase(secrets)? else { return Ok(d) };
    match vault_ops::open(path, &pass) {
        Ok(v) => {
            d.vault = Some(diag::vault_report(&v, integrity)?);
            d.unlock = UnlockOutcome::Unlocked;
            // The memory with the vault open, after its work (page cache, integrity check).
            d.memory = diag::MemoryReport::read();
            d.memory_above_threshold = d.memory.total_rss_bytes().is_some_and(|t| t > diag::mib_to_bytes(alert_mb));
        }
        Err(e) => d.unlock = UnlockOutcome::failed(&e),
    }
    Ok(d)
}

/// "812 KiB", "17.5 MiB", "23.5 GiB".
fn mib(bytes: u64) -> String {
    let b = bytes as f64;
    if bytes < 1 << 20 {
        format!("{} KiB", bytes.div_ceil(1024))
    } else if bytes < 1 << 30 {
        format!("{:.1} MiB", b / f64::from(1u32 << 20))
    } else {
        format!("{:.1} GiB", b / f64::from(1u32 << 30))
    }
}

fn opt_mib(bytes: Option<u64>) -> String {
    bytes.map(mib).unwrap_or_else(|| "unknown".into())
}

fn print_diagnostics(d: &kinvault_api::diagnostics::Diagnostics) {
    use kinvault_api::diagnostics::{HeaderState, UnlockOutcome};
    let s = &d.system;
    println!("Kinvault {} diagnostics (numbers only: no names, conditions, ids or paths)", d.app_version);
    println!(
        "system          {}; {} {} {}; {} CPUs; RAM {} ({} available)",
        s.os_name.as_deref().unwrap_or("unknown OS"),
        s.os,
        s.kernel.as_deref().unwrap_or("?"),
        s.machine,
        s.cpus,
        opt_mib(s.ram_bytes),
        opt_mib(s.ram_available_bytes)
    );
    let m = &d.memory;
    println!(
        "memory          this process {} (peak {}); SQLite {} (peak {})",
        opt_mib(m.rss_bytes),
        opt_mib(m.peak_rss_bytes),
        mib(m.sqlite_bytes),
        mib(m.sqlite_peak_bytes)
    );
    println!("memory alert    {} MiB (setting memory_alert_mb)", d.memory_alert_mb);
    if d.kinvault_processes.is_empty() {
        println!("kinvault procs  none other running");
    }
    for (i, p) in d.kinvault_processes.iter().enumerate() {
        println!(
            "{}{} (pid {}): {} (peak {}), child processes {}{}",
            if i == 0 { "kinvault procs  " } else { "                " },
            p.name,
            p.pid,
            opt_mib(p.rss_bytes),
            opt_mib(p.peak_rss_bytes),
            mib(p.children_rss_bytes),
            if p.above_memory_alert { " — ABOVE the memory alert" } else { "" }
        );
    }
    let Some(f) = &d.vault_file else {
        println!("vault           none given");
        return;
    };
    let mut sizes = vec![f.file_bytes.map(|b| format!("{b} bytes")).unwrap_or_else(|| "no file".into())];
    if let Some(w) = f.wal_bytes {
        sizes.push(format!("-wal {w} bytes"));
    }
    if f.shm_present {
        sizes.push("-shm present".into());
    }
    if let Some(j) = f.journal_bytes {
        sizes.push(format!("-journal {j} bytes"));
    }
    let header = match f.header {
        HeaderState::Valid => format!(
            "key header valid (format {}, generation {}, {} of 2 slots intact; Argon2id {} MiB, {} passes)",
            f.format_version.unwrap_or(0),
            f.envelope_generation.unwrap_or(0),
            f.valid_slots,
            f.kdf_memory_kib.unwrap_or(0) / 1024,
            f.kdf_iterations.unwrap_or(0)
        ),
        HeaderState::Damaged => "key header DAMAGED".into(),
        HeaderState::PlainSqlite => "plain SQLite database".into(),
        HeaderState::NotAVault => "not a vault".into(),
        HeaderState::TooShort => "too short to be a vault".into(),
        HeaderState::Unreadable => "unreadable".into(),
        HeaderState::Missing => "missing".into(),
    };
    println!("vault file      {}; {header}", sizes.join(", "));
    println!("                {}", f.summary);
    match &d.unlock {
        UnlockOutcome::Unlocked => println!("unlock          ok"),
        UnlockOutcome::NoVault => {}
        UnlockOutcome::NotAttempted => println!(
            "unlock          not attempted{}",
            if f.header == HeaderState::Valid {
                " (--no-unlock, or no passphrase: for counts, sync and integrity give it with KINVAULT_PASSPHRASE, \
                 --passphrase-file or at a terminal)"
            } else {
                ""
            }
        ),
        UnlockOutcome::Failed { explanation, .. } => println!("unlock          FAILED: {explanation}"),
    }
    let Some(v) = &d.vault else { return };
    println!(
        "vault           schema {}; {} pages of {} bytes, {} free; {} bytes{}",
        v.schema_version,
        v.page_count,
        v.page_size,
        v.freelist_count,
        v.file_bytes,
        v.wal_bytes.map(|w| format!(" + -wal {w} bytes")).unwrap_or_default()
    );
    let c = &v.counts;
    println!("people          {}", c.people);
    println!("families        {}", c.families);
    println!("sources         {}", c.sources);
    println!("media files     {} ({} bytes)", c.media_files, c.media_bytes);
    println!("other records   {}", c.other_records);
    println!("conditions      {}", c.conditions);
    println!("genetic tests   {}", c.genetic_tests);
    println!("change log      {}", c.change_log);
    match &v.sync {
        None => println!("sync            settings unreadable"),
        Some(s) if !s.enabled => println!("sync            off"),
        Some(s) => println!(
            "sync            on; {} batches waiting to send, {} open conflicts; last sync {}{}",
            s.outbox,
            s.unresolved_conflicts,
            s.last_sync_at.map(|t| format!("{t} (unix ms)")).unwrap_or_else(|| "never".into()),
            if s.has_last_error { "; the last sync FAILED (kinvault sync VAULT --status says why)" } else { "" }
        ),
    }
    match &v.integrity {
        None => println!("integrity       not checked"),
        Some(i) if i.ok => println!("integrity       ok"),
        Some(i) if i.error.is_some() => println!("integrity       the check could not run"),
        Some(i) => println!("integrity       {} problems (kinvault check VAULT lists them)", i.problems),
    }
}

/// "1 family", "3 families".
fn plural(n: u32, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// "12 KiB".
fn size(bytes: u64) -> String {
    if bytes < 10 * 1024 {
        format!("{bytes} B")
    } else if bytes < 10 << 20 {
        format!("{} KiB", bytes.div_ceil(1024))
    } else {
        format!("{} MiB", bytes.div_ceil(1 << 20))
    }
}

fn print_share(s: &share::OpenedShare) {
    let m = &s.manifest;
    let c = &m.counts;
    println!("Kinvault clinician share made {} (format version {}), vault {}", m.created, m.version, m.vault_id);
    println!("proband        {} ({})", m.proband.label, m.proband.id);
    println!(
        "people         {} in {} ({} may be living)",
        plural(c.people, "person", "people"),
        plural(c.families, "family", "families"),
        c.living
    );
    println!(
        "health         {}, {}",
        plural(c.conditions, "condition", "conditions"),
        plural(c.genetic_tests, "genetic test result", "genetic test results")
    );
    let g = m.options.generations.map_or("everyone related by blood".into(), |g| format!("{g} generations"));
    println!("scope          {g}; names {}", if m.options.names { "included" } else { "left out" });
    println!(
        "files          {}",
        m.contents.iter().map(|e| format!("{} ({})", e.name, size(e.bytes))).collect::<Vec<_>>().join(", ")
    );
    println!();
    println!(
        "{:10}  {:24}  {:24}  {:3}  {:5}  {:14}  conditions; tests",
        "id", "name", "relation", "sex", "born", "status"
    );
    for p in &s.people {
        let status = match (p.vital_status, p.death_year) {
            (share::ShareVital::Alive, _) => "alive".to_string(),
            (share::ShareVital::Deceased, Some(y)) => format!("deceased {y}"),
            (share::ShareVital::Deceased, None) => "deceased".to_string(),
            (share::ShareVital::Unknown, _) => "unknown".to_string(),
        };
        let conditions = p.conditions.iter().map(|c| {
            let onset = c.onset.as_ref().map(|o| format!(" at {o}")).unwrap_or_default();
            let codes = if c.codes.is_empty() { String::new() } else { format!(" [{}]", c.codes.join(", ")) };
            format!("{} {}{onset}{codes}", c.label, c.status)
        });
        let tests = p.tests.iter().map(|t| {
            let acmg = t.acmg.as_ref().map(|a| format!(", {a}")).unwrap_or_default();
            format!("{} {}{acmg}", t.gene, t.result)
        });
        let facts: Vec<String> = conditions.chain(tests).collect();
        let born = p.birth_year.map(|y| y.to_string()).unwrap_or_default();
        let line = format!(
            "{:10}  {:24}  {:24}  {:3}  {:5}  {:14}  {}",
            p.id,
            p.name.as_deref().unwrap_or("—"),
            p.relation,
            p.sex.code(),
            born,
            status,
            facts.join("; ")
        );
        println!("{}", line.trim_end());
    }
    for w in &s.warnings {
        eprintln!("note: {w}");
    }
}

fn run_share(command: ShareCommand) -> Result<()> {
    match command {
        ShareCommand::Create {
            v,
            proband,
            generations,
            condition,
            no_names,
            recipient,
            passphrase_prompt,
            share_passphrase_file,
            output,
            out,
        } => {
            // The vault's passphrase is asked for first, then the share's ("Share passphrase").
            let vault = open(&v)?;
            let passphrase = if recipient.is_empty() && (passphrase_prompt || share_passphrase_file.is_some()) {
                Some(secret(share_passphrase_file.as_deref(), "KINVAULT_SHARE_PASSPHRASE", "Share passphrase", true)?)
            } else {
                None
            };
            let loaded = graph::load(&vault)?;
            let req = share::ShareRequest {
                proband,
                generations: Some(generations),
                conditions: condition,
                names: !no_names,
                recipients: recipient,
                passphrase: passphrase.as_ref().map(|p| p.to_string()),
            };
            let report = share::create_share(&vault, &loaded.graph, &req, &output)?;
            if out.json {
                return print_json(&report);
            }
            let m = &report.manifest;
            let to = match m.options.protection {
                share::ShareProtection::X25519 => {
                    format!("{} public key{}", m.options.recipients, if m.options.recipients == 1 { "" } else { "s" })
                }
                share::ShareProtection::Passphrase => "a passphrase".into(),
            };
            eprintln!(
                "Wrote {} ({}), encrypted to {to}: {}, {}, {}, {}.",
                output.display(),
                size(report.bytes),
                plural(m.counts.people, "person", "people"),
                plural(m.counts.families, "family", "families"),
                plural(m.counts.conditions, "condition", "conditions"),
                plural(m.counts.genetic_tests, "genetic test result", "genetic test results"),
            );
            eprintln!(
                "It holds health data and {} people who may be living. The clinician opens it with \
                 `kinvault share open` or `age -d`.",
                m.counts.living
            );
        }
        ShareCommand::Open { file, identity, share_passphrase_file, extract, out } => {
            let bytes = share::read_share(&file)?;
            let opened = match identity {
                Some(keyfile) => {
                    let key = share::read_identity_file(&keyfile)?;
                    share::open_share(&bytes, share::ShareSecret::Identity(&key))?
                }
                None => {
                    if share::share_protection(&bytes)? == share::ShareProtection::X25519 {
                        bail!(
                            "{} is encrypted to an age public key: open it with --identity KEYFILE (the matching \
                             secret key)",
                            file.display()
                        );
                    }
                    let pass = secret(
                        share_passphrase_file.as_deref(),
                        "KINVAULT_SHARE_PASSPHRASE",
                        "Share passphrase",
                        false,
                    )?;
                    share::open_share(&bytes, share::ShareSecret::Passphrase(&pass))?
                }
            };
            if let Some(dir) = &extract {
                let written = share::extract_share(&opened, dir)?;
                eprintln!("Wrote {} files to {}", written.len(), dir.display());
            }
            if out.json {
                return print_json(&opened);
            }
            print_share(&opened);
            if extract.is_none() {
                eprintln!("--extract DIR saves the report (PDF, HTML) and the FHIR/GA4GH files.");
            }
        }
        ShareCommand::Keygen { output, out } => {
            let key = share::write_identity_file(&output)?;
            if out.json {
                return print_json(&key);
            }
            eprintln!("Wrote the secret key to {} (keep it private: it opens your shares).", output.display());
            eprintln!("Public key — give it to whoever makes shares for you:");
            println!("{}", key.public_key);
        }
    }
    Ok(())
}

fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_env("KINVAULT_LOG").unwrap_or_else(|_| "warn".into()))
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => std::process::exit(code),
        Err(e) => {
            // One line: the reason, with its causes joined.
            let msg = e.chain().map(|c| c.to_string()).collect::<Vec<_>>().join(": ");
            eprintln!("kinvault: {msg}");
            std::process::exit(1);
        }
    }
}
