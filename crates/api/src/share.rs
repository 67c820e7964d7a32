//! Encrypted shares for a clinician: the proband's family as FHIR R4 and GA4GH Pedigree
//! bundles, their genetic test results and the clinician report (PDF and HTML), packed in a zip
//! archive and encrypted with [age](https://age-encryption.org) — to one or more X25519 public
//! keys (`age1…`) or to a passphrase (age's scrypt recipient). The age command line decrypts a
//! share (`age -d -i key.txt share.age > share.zip`); [`open_share`] opens one read-only and never
//! touches a vault.
//!
//! - [`create_share`] / [`share_bytes`] / [`share_file`]: the report's selection of people
//!   (`report::build_with_people`), converted by the same code as the clinical exports
//!   (`clinical::export_family_text`) and laid out by the same report code
//!   (`report::render_data`). Health data and living people are included — that is the point of
//!   a share — and the manifest says so.
//! - [`open_share`] / [`open_share_file`] / [`open_share_request`]: decrypt, unpack with size
//!   limits ([`ShareLimits`]), check the manifest, and summarise the people from the GA4GH and
//!   FHIR bundles (sex, birth year, vital status, coded conditions) and `genetic-tests.json`.
//! - [`generate_identity`] / [`write_identity_file`]: an age key pair for a clinician without
//!   the age tools, written in `age-keygen`'s format.
//!
//! Format, contents and threat notes: `docs/sharing.md`.

use crate::clinical::{self, export_family_text};
use crate::report::{self, ReportFile, ReportFormat, ReportRequest};
use crate::{ApiError, ErrorKind, FamilyFormat, Result};
use age::secrecy::{ExposeSecret, SecretString};
use base64::Engine as _;
use kinvault_catalog::Catalog;
use kinvault_model::{Family, GeneticTest, Person, Sex, VitalStatus};
use kinvault_pedigree::FamilyGraph;
use kinvault_report::{ReportCondition, ReportTest};
use kinvault_vault::Vault;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::io::{Cursor, Read, Write};
use std::path::{Path, PathBuf};
use ts_rs::TS;
use uuid::Uuid;
use zeroize::Zeroizing;

/// The manifest's `format`: what tells a Kinvault share from any other age file.
pub const SHARE_FORMAT: &str = "kinvault-clinician-share";
/// The newest share format version this build writes and reads.
pub const SHARE_VERSION: u32 = 1;

/// The archive's entries.
pub const MANIFEST_FILE: &str = "manifest.json";
pub const README_FILE: &str = "README.txt";
pub const FHIR_FILE: &str = "family-history.fhir.json";
pub const GA4GH_FILE: &str = "pedigree.ga4gh.json";
pub const TESTS_FILE: &str = "genetic-tests.json";
pub const REPORT_PDF_FILE: &str = "report.pdf";
pub const REPORT_HTML_FILE: &str = "report.html";

/// What a share is made from.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ShareRequest {
    /// The proband (id or GEDCOM xref).
    pub proband: String,
    /// Generations up and down, as the report counts them (default 3; `Some(0)`: everyone related
    /// by blood).
    #[serde(default)]
    pub generations: Option<u32>,
    /// Conditions the report shades and assesses in detail (catalog ids); empty: the notable ones.
    #[serde(default)]
    pub conditions: Vec<String>,
    /// Names in the files and the report (off: ids, relations and numbers only).
    #[serde(default = "yes")]
    pub names: bool,
    /// The clinician's age X25519 public keys (`age1…`); or leave empty and give `passphrase`.
    #[serde(default)]
    pub recipients: Vec<String>,
    /// A passphrase (at least 8 characters) instead of recipient keys.
    #[serde(default)]
    pub passphrase: Option<String>,
}

fn yes() -> bool {
    true
}

impl std::fmt::Debug for ShareRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ShareRequest")
            .field("generations", &self.generations)
            .field("conditions", &self.conditions.len())
            .field("names", &self.names)
            .field("recipients", &self.recipients.len())
            .field("passphrase", &self.passphrase.as_ref().map(|_| "<redacted>"))
            .finish_non_exhaustive()
    }
}

impl ShareRequest {
    /// A request for `proband` with the report's defaults and no protection chosen yet.
    pub fn new(proband: &str) -> Self {
        ShareRequest {
            proband: proband.into(),
            generations: None,
            conditions: vec![],
            names: true,
            recipients: vec![],
            passphrase: None,
        }
    }
}

/// How a share is encrypted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ShareProtection {
    /// To one or more age X25519 public keys; opened with a matching `AGE-SECRET-KEY-1…`.
    X25519,
    /// To a passphrase (age's scrypt recipient).
    Passphrase,
}

/// The proband as the share names them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ShareProband {
    /// The proband's id in the FHIR and GA4GH bundles (their Patient id).
    pub id: String,
    /// The proband's name, or "Proband" when names are left out.
    pub label: String,
}

/// One file in the archive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ShareEntry {
    pub name: String,
    pub media_type: String,
    pub description: String,
    #[ts(type = "number")]
    pub bytes: u64,
}

/// What the share holds, counted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ShareCounts {
    pub people: u32,
    pub families: u32,
    /// People not recorded as deceased (who may be living).
    pub living: u32,
    pub conditions: u32,
    pub genetic_tests: u32,
}

/// The options the share was made with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ShareOptions {
    /// Generations up and down from the proband; `None`: everyone related by blood.
    pub generations: Option<u32>,
    /// Conditions the report was asked to assess (catalog ids); empty: the notable ones.
    pub conditions: Vec<String>,
    /// Names are in the files and the report.
    pub names: bool,
    /// Conditions, genetic tests and vital status are included (always, in a share).
    pub health_included: bool,
    /// People who may be living are included (always, in a share).
    pub living_included: bool,
    pub protection: ShareProtection,
    /// How many public keys can open it (0 for a passphrase).
    pub recipients: u32,
}

/// `manifest.json`: what the share is, when and from which vault it was made, what is inside.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ShareManifest {
    /// Always [`SHARE_FORMAT`].
    pub format: String,
    /// The share format version ([`SHARE_VERSION`] when written by this build).
    pub version: u32,
    /// UTC date made, `YYYY-MM-DD`.
    pub created: String,
    /// UTC time made, `YYYY-MM-DDTHH:MM:SSZ`.
    pub created_at: String,
    pub app_version: String,
    pub catalog_version: String,
    /// The id of the vault the share was made from.
    pub vault_id: String,
    pub proband: ShareProband,
    /// Every other file in the archive.
    pub contents: Vec<ShareEntry>,
    pub counts: ShareCounts,
    pub options: ShareOptions,
    /// What the FHIR and GA4GH files could not carry (ids only, never names).
    pub warnings: Vec<String>,
}

/// A share that was made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ShareReport {
    /// Where it was written (`None` when it was made in memory for the app to save).
    pub path: Option<String>,
    /// A file name to suggest when saving it.
    pub file_name: String,
    /// Size of the encrypted file.
    #[ts(type = "number")]
    pub bytes: u64,
    pub manifest: ShareManifest,
}

/// A share made for the desktop app to save (encrypted bytes as base64).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ShareFile {
    pub file_name: String,
    pub base64: String,
    pub report: ShareReport,
}

/// Vital status as a share states it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ShareVital {
    Alive,
    Deceased,
    Unknown,
}

/// One person of an opened share, read from its files.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct SharePerson {
    /// The person's id in the FHIR and GA4GH bundles.
    pub id: String,
    /// Empty when the share was made without names.
    pub name: Option<String>,
    pub proband: bool,
    /// Relationship to the proband, in English (from the FHIR family-history bundle).
    pub relation: String,
    pub sex: Sex,
    pub birth_year: Option<i32>,
    pub vital_status: ShareVital,
    pub death_year: Option<i32>,
    pub conditions: Vec<ReportCondition>,
    pub tests: Vec<ReportTest>,
}

/// An opened share: the manifest, the people it describes, and its files (not serialised; see
/// [`OpenedShare::file`], [`OpenedShare::report`]).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct OpenedShare {
    pub manifest: ShareManifest,
    pub people: Vec<SharePerson>,
    /// What reading the files noticed (ids only).
    pub warnings: Vec<String>,
    #[serde(skip)]
    #[ts(skip)]
    files: Vec<(String, Vec<u8>)>,
}

impl OpenedShare {
    /// The bytes of the archive entry `name`.
    pub fn file(&self, name: &str) -> Option<&[u8]> {
        self.files.iter().find(|(n, _)| n == name).map(|(_, b)| b.as_slice())
    }

    /// Every archive entry (name, bytes), in archive order.
    pub fn files(&self) -> impl Iterator<Item = (&str, &[u8])> {
        self.files.iter().map(|(n, b)| (n.as_str(), b.as_slice()))
    }

    /// The clinician report in `format`.
    pub fn report(&self, format: ReportFormat) -> &[u8] {
        let name = match format {
            ReportFormat::Pdf => REPORT_PDF_FILE,
            ReportFormat::Html => REPORT_HTML_FILE,
        };
        self.file(name).unwrap_or_default()
    }

    /// The share with its two report files base64-encoded, for the desktop app.
    pub fn into_view(self) -> OpenedShareView {
        let encode = |format: ReportFormat, ext: &str| ReportFile {
            file_name: format!("family-report-{}.{ext}", self.manifest.created),
            base64: base64::engine::general_purpose::STANDARD.encode(self.report(format)),
        };
        let report_pdf = encode(ReportFormat::Pdf, "pdf");
        let report_html = encode(ReportFormat::Html, "html");
        OpenedShareView { share: self, report_pdf, report_html }
    }
}

/// An opened share for the desktop app: the share and its report files to save.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct OpenedShareView {
    pub share: OpenedShare,
    pub report_pdf: ReportFile,
    pub report_html: ReportFile,
}

/// Opening a share from the desktop app: the file and exactly one secret.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct OpenShareRequest {
    pub path: String,
    /// A secret key (`AGE-SECRET-KEY-1…`) or the contents of an identity file, pasted.
    #[serde(default)]
    pub identity: Option<String>,
    /// The path of an identity file (as `age-keygen` writes them).
    #[serde(default)]
    pub identity_file: Option<String>,
    #[serde(default)]
    pub passphrase: Option<String>,
}

impl std::fmt::Debug for OpenShareRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenShareRequest")
            .field("identity", &self.identity.as_ref().map(|_| "<redacted>"))
            .field("identity_file", &self.identity_file.is_some())
            .field("passphrase", &self.passphrase.as_ref().map(|_| "<redacted>"))
            .finish_non_exhaustive()
    }
}

/// What opens a share.
#[derive(Clone, Copy)]
pub enum ShareSecret<'a> {
    /// One or more `AGE-SECRET-KEY-1…` lines (an identity file's contents; `#` lines ignored).
    Identity(&'a str),
    Passphrase(&'a str),
}

/// A new age key pair.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ShareIdentity {
    /// `age1…`: give this to whoever makes shares for you.
    pub public_key: String,
    /// `AGE-SECRET-KEY-1…`: keep it private; it opens the shares.
    pub secret_key: String,
}

impl std::fmt::Debug for ShareIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ShareIdentity").field("public_key", &self.public_key).finish_non_exhaustive()
    }
}

impl Drop for ShareIdentity {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.secret_key);
    }
}

/// A key file that was written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ShareKeyFile {
    pub path: String,
    pub public_key: String,
}

/// Bounds on what opening a share reads, so a crafted file (a zip bomb, a huge archive) fails
/// with an error instead of exhausting memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShareLimits {
    /// The encrypted file.
    pub max_file_bytes: u64,
    /// The decrypted zip archive.
    pub max_archive_bytes: u64,
    /// One entry, decompressed.
    pub max_entry_bytes: u64,
    /// All entries, decompressed.
    pub max_total_bytes: u64,
    pub max_entries: usize,
}

const MIB: u64 = 1 << 20;

impl ShareLimits {
    /// Far above any real share (a 1,000-person family makes a few MiB).
    pub const DEFAULT: ShareLimits = ShareLimits {
        max_file_bytes: 256 * MIB,
        max_archive_bytes: 256 * MIB,
        max_entry_bytes: 128 * MIB,
        max_total_bytes: 512 * MIB,
        max_entries: 64,
    };
}

impl Default for ShareLimits {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// One person's genetic test results in `genetic-tests.json`, by their bundle id (the FHIR
/// exports do not carry test results).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct PersonTests {
    patient: String,
    tests: Vec<GeneticTest>,
}

fn internal(what: &str, e: impl std::fmt::Display) -> ApiError {
    ApiError::new(ErrorKind::Internal, format!("{what}: {e}"))
}

fn not_a_share(why: &str) -> ApiError {
    ApiError::invalid(format!("this file decrypts, but it is not a Kinvault share: {why}"))
}

fn mib(bytes: u64) -> String {
    format!("{} MiB", bytes.div_ceil(MIB))
}

// ---------------------------------------------------------------------------------------------
// Protection
// ---------------------------------------------------------------------------------------------

enum Protection {
    Keys(Vec<age::x25519::Recipient>),
    Passphrase(Zeroizing<String>),
}

/// The recipients or passphrase of `req`, checked: exactly one kind, every key an age X25519
/// public key, a passphrase of at least 8 characters.
fn protection(req: &ShareRequest) -> Result<Protection> {
    let keys: Vec<&str> = req.recipients.iter().map(|k| k.trim()).filter(|k| !k.is_empty()).collect();
    let passphrase = req.passphrase.as_deref().filter(|p| !p.is_empty());
    match (keys.is_empty(), passphrase) {
        (true, None) => Err(ApiError::invalid(
            "choose who can open the share: the clinician's age public key (age1…) — one or more — or a passphrase",
        )),
        (false, Some(_)) => Err(ApiError::invalid(
            "give either recipient public keys or a passphrase, not both: a share is protected one way",
        )),
        (true, Some(p)) => {
            kinvault_vault::check_passphrase(p).map_err(|_| {
                ApiError::new(
                    ErrorKind::WeakPassphrase,
                    "the share passphrase is too short: use at least 8 characters (better, several words)",
                )
            })?;
            Ok(Protection::Passphrase(Zeroizing::new(p.to_string())))
        }
        (false, None) => {
            let mut seen = HashSet::new();
            let mut out = Vec::new();
            for (i, key) in keys.iter().enumerate() {
                let r = parse_recipient(i + 1, key)?;
                if seen.insert(r.to_string()) {
                    out.push(r);
                }
            }
            Ok(Protection::Keys(out))
        }
    }
}

/// Recipient `n` (1-based) as an age X25519 public key. Messages never repeat the text given (it
/// could be a secret key pasted by mistake).
fn parse_recipient(n: usize, key: &str) -> Result<age::x25519::Recipient> {
    let bad = |why: String| ApiError::invalid(format!("recipient {n} is not usable: {why}"));
    if key.to_ascii_uppercase().starts_with("AGE-SECRET-KEY-") {
        return Err(bad(
            "it is a secret key (AGE-SECRET-KEY-…). Use the clinician's public key (age1…), and keep the secret \
             key private"
                .into(),
        ));
    }
    if key.starts_with("ssh-") || key.starts_with("ecdsa-") {
        return Err(bad("SSH keys are not supported; use an age public key (age1…, from age-keygen)".into()));
    }
    if !key.to_ascii_lowercase().starts_with("age1") {
        return Err(bad("an age public key starts with \"age1\" (e.g. age1ql3z7hjy54pw3hyww5ay…)".into()));
    }
    key.parse::<age::x25519::Recipient>().map_err(|_| {
        if key.len() != 62 {
            bad(format!(
                "an age X25519 public key is \"age1\" and 58 more letters and digits (62 characters); {} were \
                 given. Keys of plugins and post-quantum keys are not supported",
                key.chars().count()
            ))
        } else {
            bad("its checksum does not match: a character is mistyped; copy the key again".into())
        }
    })
}

fn encrypt(plain: &[u8], protection: &Protection) -> Result<Vec<u8>> {
    let encryptor = match protection {
        Protection::Keys(keys) => age::Encryptor::with_recipients(keys.iter().map(|k| k as &dyn age::Recipient))
            .map_err(|e| internal("the share could not be encrypted", e))?,
        Protection::Passphrase(p) => age::Encryptor::with_user_passphrase(SecretString::from(p.to_string())),
    };
    let mut out = Vec::with_capacity(plain.len() + 1024);
    let mut writer = encryptor.wrap_output(&mut out).map_err(|e| internal("the share could not be encrypted", e))?;
    writer.write_all(plain).map_err(|e| internal("the share could not be encrypted", e))?;
    writer.finish().map_err(|e| internal("the share could not be encrypted", e))?;
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// Creating
// ---------------------------------------------------------------------------------------------

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn deceased(p: &Person) -> bool {
    matches!(p.vital_status, VitalStatus::Deceased { .. }) || p.death().is_some()
}

/// The families among `people`: members outside the selection left out, families with fewer
/// than two members left dropped.
fn families_among(vault: &Vault, people: &HashSet<Uuid>) -> Result<Vec<Family>> {
    let mut out = Vec::new();
    vault.for_each_family(|mut f| {
        f.partners.retain(|p| people.contains(p));
        f.children.retain(|c| people.contains(&c.person));
        for c in &mut f.children {
            c.links.retain(|l| people.contains(&l.parent));
        }
        for t in &mut f.twins {
            t.members.retain(|m| people.contains(m));
        }
        f.twins.retain(|t| t.members.len() >= 2);
        if f.partners.len() + f.children.len() >= 2 {
            out.push(f);
        }
        Ok(())
    })?;
    Ok(out)
}

/// The Patient ids of a bundle, in entry order.
fn patient_ids(bundle: &str) -> Result<Vec<String>> {
    let v: serde_json::Value =
        serde_json::from_str(bundle).map_err(|e| internal("the GA4GH bundle does not parse", e))?;
    Ok(v["entry"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["resource"]["resourceType"] == "Patient")
        .filter_map(|e| e["resource"]["id"].as_str().map(str::to_string))
        .collect())
}

fn readme(manifest: &ShareManifest) -> String {
    let mut s = String::new();
    s.push_str("Kinvault clinician share\n========================\n\n");
    s.push_str(&format!(
        "Made {} by Kinvault {} (format {} version {}).\n{} people in {} families: {} conditions, {} genetic test \
         results.\nHealth data and people who may be living are included.\n\nFiles:\n",
        manifest.created,
        manifest.app_version,
        manifest.format,
        manifest.version,
        manifest.counts.people,
        manifest.counts.families,
        manifest.counts.conditions,
        manifest.counts.genetic_tests,
    ));
    s.push_str(&format!("  {MANIFEST_FILE:28} what this share is and holds (JSON)\n"));
    for e in &manifest.contents {
        s.push_str(&format!("  {:28} {}\n", e.name, e.description));
    }
    s.push_str(
        "\nThis archive is confidential health information. Keep it encrypted: delete the decrypted copy when \
         it has been imported or read.\n",
    );
    s
}

fn zip_archive(entries: &[(&str, &[u8])]) -> Result<Vec<u8>> {
    use zip::write::SimpleFileOptions;
    let mut zw = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in entries {
        zw.start_file(*name, options).map_err(|e| internal("the share archive could not be written", e))?;
        zw.write_all(bytes).map_err(|e| internal("the share archive could not be written", e))?;
    }
    let cursor = zw.finish().map_err(|e| internal("the share archive could not be written", e))?;
    Ok(cursor.into_inner())
}

/// Makes a share in memory: the encrypted bytes and its manifest. Nothing is written anywhere.
pub fn share_bytes(vault: &Vault, graph: &FamilyGraph, req: &ShareRequest) -> Result<(Vec<u8>, ShareManifest)> {
    let protection = protection(req)?;
    let catalog = clinical::vault_catalog(vault)?;
    let report_req = ReportRequest {
        proband: req.proband.clone(),
        generations: req.generations,
        conditions: req.conditions.clone(),
        names: req.names,
    };
    let (data, mut persons) = report::build_with_people(vault, graph, &report_req)?;
    let center = crate::graph::person_ref(vault, &req.proband)?;
    let proband = Uuid::parse_str(&center.id).map_err(|_| ApiError::new(ErrorKind::Internal, "bad person id"))?;
    if !persons.iter().any(|p| p.id == proband) {
        return Err(ApiError::new(ErrorKind::Internal, "the proband is not among the report's people"));
    }
    if !req.names {
        for p in &mut persons {
            p.names.clear();
        }
    }
    let selected: HashSet<Uuid> = persons.iter().map(|p| p.id).collect();
    let families = families_among(vault, &selected)?;

    let fhir = export_family_text(&catalog, &persons, &families, proband, FamilyFormat::Fhir, None)?;
    let ga4gh = export_family_text(&catalog, &persons, &families, proband, FamilyFormat::Ga4gh, None)?;
    // The GA4GH bundle has one Patient per person, in the order given.
    let ids = patient_ids(&ga4gh.text)?;
    if ids.len() != persons.len() {
        return Err(ApiError::new(ErrorKind::Internal, "the GA4GH bundle does not list every person"));
    }
    let proband_fhir_id = ids[persons.iter().position(|p| p.id == proband).unwrap_or(0)].clone();
    let tests: Vec<PersonTests> = persons
        .iter()
        .zip(&ids)
        .filter(|(p, _)| !p.genetic_tests.is_empty())
        .map(|(p, id)| PersonTests { patient: id.clone(), tests: p.genetic_tests.clone() })
        .collect();
    let tests_json = serde_json::to_vec_pretty(&tests).map_err(|e| internal("genetic tests", e))?;
    let pdf = report::render_data(&data, ReportFormat::Pdf)?;
    let html = report::render_data(&data, ReportFormat::Html)?;

    let entry = |name: &str, media_type: &str, description: &str, bytes: usize| ShareEntry {
        name: name.into(),
        media_type: media_type.into(),
        description: description.into(),
        bytes: bytes as u64,
    };
    let contents = vec![
        entry(
            FHIR_FILE,
            "application/fhir+json",
            "HL7 FHIR R4 family-history Bundle: the proband's Patient and Conditions, a FamilyMemberHistory per relative",
            fhir.text.len(),
        ),
        entry(
            GA4GH_FILE,
            "application/fhir+json",
            "GA4GH Pedigree (FHIR R4) Bundle: a Patient per person, their Conditions and family links",
            ga4gh.text.len(),
        ),
        entry(
            TESTS_FILE,
            "application/json",
            "genetic test results by Patient id (gene, variant, result, ACMG class, lab, date)",
            tests_json.len(),
        ),
        entry(REPORT_PDF_FILE, "application/pdf", "the clinician report (PDF)", pdf.len()),
        entry(REPORT_HTML_FILE, "text/html", "the clinician report (HTML)", html.len()),
    ];
    let created_at = crate::clock::now_iso();
    let (kind, recipients) = match &protection {
        Protection::Keys(k) => (ShareProtection::X25519, count(k.len())),
        Protection::Passphrase(_) => (ShareProtection::Passphrase, 0),
    };
    let warnings = fhir
        .warnings
        .iter()
        .map(|w| format!("{FHIR_FILE}: {w}"))
        .chain(ga4gh.warnings.iter().map(|w| format!("{GA4GH_FILE}: {w}")))
        .collect();
    let manifest = ShareManifest {
        format: SHARE_FORMAT.into(),
        version: SHARE_VERSION,
        created: created_at[..10].to_string(),
        created_at: created_at.clone(),
        app_version: env!("CARGO_PKG_VERSION").into(),
        catalog_version: catalog.version().to_string(),
        vault_id: vault.id().to_string(),
        proband: ShareProband { id: proband_fhir_id, label: data.proband.label.clone() },
        contents,
        counts: ShareCounts {
            people: count(persons.len()),
            families: count(families.len()),
            living: count(persons.iter().filter(|p| !deceased(p)).count()),
            conditions: count(persons.iter().map(|p| p.conditions.len()).sum()),
            genetic_tests: count(persons.iter().map(|p| p.genetic_tests.len()).sum()),
        },
        options: ShareOptions {
            generations: match req.generations {
                None => Some(3),
                Some(0) => None,
                g => g,
            },
            conditions: req.conditions.clone(),
            names: req.names,
            health_included: true,
            living_included: true,
            protection: kind,
            recipients,
        },
        warnings,
    };
    let manifest_json = serde_json::to_vec_pretty(&manifest).map_err(|e| internal("manifest", e))?;
    let readme = readme(&manifest);
    let archive = zip_archive(&[
        (MANIFEST_FILE, &manifest_json),
        (README_FILE, readme.as_bytes()),
        (FHIR_FILE, fhir.text.as_bytes()),
        (GA4GH_FILE, ga4gh.text.as_bytes()),
        (TESTS_FILE, &tests_json),
        (REPORT_PDF_FILE, &pdf),
        (REPORT_HTML_FILE, &html),
    ])?;
    let encrypted = encrypt(&archive, &protection)?;
    tracing::info!(people = persons.len(), bytes = encrypted.len(), protection = ?kind, "clinician share made");
    Ok((encrypted, manifest))
}

fn file_name(manifest: &ShareManifest) -> String {
    format!("family-share-{}.age", manifest.created)
}

/// Makes a share and writes it to `path` (through a temporary file renamed into place).
pub fn create_share(vault: &Vault, graph: &FamilyGraph, req: &ShareRequest, path: &Path) -> Result<ShareReport> {
    if path.as_os_str().is_empty() {
        return Err(ApiError::invalid("choose a file to write the share to"));
    }
    let same = match (path.canonicalize(), vault.path().canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => path == vault.path(),
    };
    if same {
        return Err(ApiError::invalid("refusing to write the share over the vault itself; choose another file"));
    }
    let (bytes, manifest) = share_bytes(vault, graph, req)?;
    clinical::write_atomically(path, &bytes)
        .map_err(|e| ApiError::new(ErrorKind::Io, format!("cannot write {}: {e}", path.display())))?;
    Ok(ShareReport {
        path: Some(path.display().to_string()),
        file_name: file_name(&manifest),
        bytes: bytes.len() as u64,
        manifest,
    })
}

/// Makes a share for the desktop app to save: base64 bytes, a file name, the report.
pub fn share_file(vault: &Vault, graph: &FamilyGraph, req: &ShareRequest) -> Result<ShareFile> {
    let (bytes, manifest) = share_bytes(vault, graph, req)?;
    let report = ShareReport { path: None, file_name: file_name(&manifest), bytes: bytes.len() as u64, manifest };
    Ok(ShareFile {
        file_name: report.file_name.clone(),
        base64: base64::engine::general_purpose::STANDARD.encode(&bytes),
        report,
    })
}

// ---------------------------------------------------------------------------------------------
// Opening
// ---------------------------------------------------------------------------------------------

fn not_age() -> ApiError {
    ApiError::invalid("this is not an age-encrypted file, so not a Kinvault share (shares end in .age)")
}

/// Which secret opens this share: a key or a passphrase. Reads only the age header.
pub fn share_protection(bytes: &[u8]) -> Result<ShareProtection> {
    let decryptor = age::Decryptor::new(age::armor::ArmoredReader::new(bytes)).map_err(|_| not_age())?;
    Ok(if decryptor.is_scrypt() { ShareProtection::Passphrase } else { ShareProtection::X25519 })
}

/// The X25519 identities in `text`: `AGE-SECRET-KEY-1…` lines; empty and `#` lines are ignored.
fn parse_identities(text: &str) -> Result<Vec<age::x25519::Identity>> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        match line.parse::<age::x25519::Identity>() {
            Ok(id) => out.push(id),
            Err(_) if line.to_ascii_lowercase().starts_with("age1") => {
                return Err(ApiError::invalid(format!(
                    "line {} of the key is a public key (age1…); opening a share needs the matching secret key \
                     (AGE-SECRET-KEY-1…)",
                    i + 1
                )))
            }
            Err(_) => {
                return Err(ApiError::invalid(format!(
                    "line {} of the key is not an age secret key (AGE-SECRET-KEY-1… as age-keygen writes it)",
                    i + 1
                )))
            }
        }
    }
    if out.is_empty() {
        return Err(ApiError::invalid("no secret key given: paste or choose the AGE-SECRET-KEY-1… key (or key file)"));
    }
    Ok(out)
}

fn decrypt_error(e: age::DecryptError, passphrase: bool) -> ApiError {
    use age::DecryptError as D;
    match e {
        D::NoMatchingKeys => ApiError::new(
            ErrorKind::WrongPassphrase,
            "this key cannot open the share: it was encrypted to other public keys",
        ),
        D::DecryptionFailed | D::KeyDecryptionFailed if passphrase => {
            ApiError::new(ErrorKind::WrongPassphrase, "wrong passphrase for this share")
        }
        D::InvalidMac | D::DecryptionFailed | D::KeyDecryptionFailed => ApiError::new(
            ErrorKind::Corrupt,
            "the share is damaged or has been altered: its encryption header does not authenticate",
        ),
        D::ExcessiveWork { required, target } => ApiError::invalid(format!(
            "the share's passphrase protection asks for about {}× the work this computer allows \
             (scrypt work factor {required}, limit {target}); refusing to try",
            1u64 << required.saturating_sub(target).min(63)
        )),
        D::InvalidHeader | D::UnknownFormat | D::Io(_) => not_age(),
        other => ApiError::invalid(format!("the share cannot be decrypted: {other}")),
    }
}

/// Decrypts `bytes` (binary or ASCII-armoured age) into the plaintext archive.
fn decrypt(bytes: &[u8], secret: ShareSecret<'_>, limits: &ShareLimits) -> Result<Zeroizing<Vec<u8>>> {
    if bytes.len() as u64 > limits.max_file_bytes {
        return Err(ApiError::invalid(format!(
            "the file is larger than {}, far more than any share; refusing to open it",
            mib(limits.max_file_bytes)
        )));
    }
    let decryptor = age::Decryptor::new(age::armor::ArmoredReader::new(bytes)).map_err(|_| not_age())?;
    let scrypt = decryptor.is_scrypt();
    let reader = match secret {
        ShareSecret::Identity(text) => {
            if scrypt {
                return Err(ApiError::invalid(
                    "this share is protected by a passphrase, not a key: open it with the passphrase",
                ));
            }
            let ids = parse_identities(text)?;
            decryptor.decrypt(ids.iter().map(|i| i as &dyn age::Identity)).map_err(|e| decrypt_error(e, false))?
        }
        ShareSecret::Passphrase(p) => {
            if !scrypt {
                return Err(ApiError::invalid(
                    "this share is encrypted to an age key, not a passphrase: open it with the secret key \
                     (AGE-SECRET-KEY-1…) that matches the public key it was made for",
                ));
            }
            if p.is_empty() {
                return Err(ApiError::invalid("enter the share's passphrase"));
            }
            let id = age::scrypt::Identity::new(SecretString::from(p.to_string()));
            decryptor.decrypt(std::iter::once(&id as &dyn age::Identity)).map_err(|e| decrypt_error(e, true))?
        }
    };
    let mut plain = Zeroizing::new(Vec::new());
    reader.take(limits.max_archive_bytes + 1).read_to_end(&mut plain).map_err(|_| {
        ApiError::new(
            ErrorKind::Corrupt,
            "the share is damaged or has been altered: its encrypted content does not authenticate",
        )
    })?;
    if plain.len() as u64 > limits.max_archive_bytes {
        return Err(ApiError::invalid(format!(
            "the share's archive is larger than {}; refusing to open it",
            mib(limits.max_archive_bytes)
        )));
    }
    Ok(plain)
}

/// A safe, flat entry name: letters, digits, `.`, `-`, `_`; not starting with a dot.
fn safe_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 100
        && !name.starts_with('.')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
}

/// Unpacks the archive within `limits`.
fn unzip(plain: &[u8], limits: &ShareLimits) -> Result<Vec<(String, Vec<u8>)>> {
    let mut zip = zip::ZipArchive::new(Cursor::new(plain)).map_err(|_| not_a_share("it holds no zip archive"))?;
    if zip.len() > limits.max_entries {
        return Err(not_a_share(&format!(
            "its archive has {} files (a share has fewer than {})",
            zip.len(),
            limits.max_entries
        )));
    }
    let mut total = 0u64;
    let mut out: Vec<(String, Vec<u8>)> = Vec::new();
    for i in 0..zip.len() {
        let entry = zip.by_index(i).map_err(|_| not_a_share("its archive cannot be read"))?;
        if entry.is_dir() {
            continue;
        }
        let name = entry.name().map_err(|_| not_a_share("an archive entry has an unreadable name"))?.into_owned();
        if !safe_name(&name) {
            return Err(not_a_share("its archive holds a file with a path or an unexpected name"));
        }
        if out.iter().any(|(n, _)| *n == name) {
            return Err(not_a_share(&format!("its archive holds {name} twice")));
        }
        let too_large = || {
            ApiError::invalid(format!(
                "{name} in the share unpacks to more than {}; refusing to unpack it (the file may be crafted to \
                 exhaust memory)",
                mib(limits.max_entry_bytes)
            ))
        };
        if entry.size() > limits.max_entry_bytes {
            return Err(too_large());
        }
        let mut bytes = Vec::with_capacity(usize::try_from(entry.size()).unwrap_or(0).min(16 << 20));
        // The declared size may lie: never read more than the cap.
        entry
            .take(limits.max_entry_bytes + 1)
            .read_to_end(&mut bytes)
            .map_err(|_| not_a_share(&format!("{name} in its archive cannot be unpacked")))?;
        if bytes.len() as u64 > limits.max_entry_bytes {
            return Err(too_large());
        }
        total += bytes.len() as u64;
        if total > limits.max_total_bytes {
            return Err(ApiError::invalid(format!(
                "the share unpacks to more than {} in all; refusing to unpack it (the file may be crafted to \
                 exhaust memory)",
                mib(limits.max_total_bytes)
            )));
        }
        out.push((name, bytes));
    }
    Ok(out)
}

fn vital(p: &Person) -> (ShareVital, Option<i32>) {
    let death_year = match &p.vital_status {
        VitalStatus::Deceased { date: Some(d), .. } => d.year(),
        _ => None,
    }
    .or_else(|| p.death().and_then(|d| d.year()));
    match p.vital_status {
        VitalStatus::Alive { .. } => (ShareVital::Alive, None),
        VitalStatus::Deceased { .. } => (ShareVital::Deceased, death_year),
        VitalStatus::Unknown if p.death().is_some() => (ShareVital::Deceased, death_year),
        VitalStatus::Unknown => (ShareVital::Unknown, None),
    }
}

/// The people of a share from its GA4GH bundle (people, sex, birth, vital status, conditions),
/// FHIR bundle (relationships to the proband) and test results.
fn summarise(ga4gh: &[u8], fhir: &[u8], tests: &[u8], catalog: &Catalog) -> Result<(Vec<SharePerson>, Vec<String>)> {
    let family = kinvault_interop::import_fhir(ga4gh, catalog)
        .map_err(|e| not_a_share(&format!("its GA4GH pedigree does not read ({e})")))?;
    let bundle: serde_json::Value =
        serde_json::from_slice(fhir).map_err(|_| not_a_share("its FHIR bundle is not JSON"))?;
    let mut relations: HashMap<String, String> = HashMap::new();
    for e in bundle["entry"].as_array().into_iter().flatten() {
        let r = &e["resource"];
        if r["resourceType"] == "FamilyMemberHistory" {
            if let (Some(id), Some(text)) = (r["id"].as_str(), r["relationship"]["text"].as_str()) {
                relations.insert(id.to_string(), text.to_string());
            }
        }
    }
    let tests: Vec<PersonTests> =
        serde_json::from_slice(tests).map_err(|e| not_a_share(&format!("{TESTS_FILE} does not read ({e})")))?;
    let mut by_patient: HashMap<String, Vec<GeneticTest>> = HashMap::new();
    for t in tests {
        by_patient.entry(t.patient).or_default().extend(t.tests);
    }
    let mut people = Vec::with_capacity(family.persons.len());
    for p in &family.persons {
        let id = p.xref.clone().unwrap_or_default();
        let proband = family.proband == Some(p.id);
        let (vital_status, death_year) = vital(p);
        let name = p.display_name();
        people.push(SharePerson {
            relation: if proband {
                "proband".into()
            } else {
                relations.get(&id).cloned().unwrap_or_else(|| "relative".into())
            },
            name: (!name.trim().is_empty()).then_some(name),
            proband,
            sex: p.sex,
            birth_year: p.birth().and_then(|b| b.year()),
            vital_status,
            death_year,
            conditions: p.conditions.iter().map(|o| report::condition_row(o, catalog)).collect(),
            tests: by_patient.remove(&id).unwrap_or_default().iter().map(report::test_row).collect(),
            id,
        });
    }
    people.sort_by_key(|p| !p.proband);
    let mut warnings: Vec<String> = family.warnings.iter().map(|w| format!("{GA4GH_FILE}: {w}")).collect();
    if !by_patient.is_empty() {
        warnings.push(format!("{TESTS_FILE}: test results of {} ids not in the pedigree", by_patient.len()));
    }
    Ok((people, warnings))
}

/// Opens a share read-only with the default [`ShareLimits`].
pub fn open_share(bytes: &[u8], secret: ShareSecret<'_>) -> Result<OpenedShare> {
    open_share_with_limits(bytes, secret, &ShareLimits::DEFAULT)
}

/// Opens a share read-only: decrypts it, unpacks it within `limits`, checks the manifest and
/// reads the people. Writes nothing anywhere.
pub fn open_share_with_limits(bytes: &[u8], secret: ShareSecret<'_>, limits: &ShareLimits) -> Result<OpenedShare> {
    let plain = decrypt(bytes, secret, limits)?;
    let files = unzip(&plain, limits)?;
    drop(plain);
    let get = |name: &str| files.iter().find(|(n, _)| n == name).map(|(_, b)| b.as_slice());
    let manifest_bytes = get(MANIFEST_FILE).ok_or_else(|| not_a_share("it has no manifest.json"))?;
    let value: serde_json::Value =
        serde_json::from_slice(manifest_bytes).map_err(|_| not_a_share("its manifest.json is not JSON"))?;
    if value["format"] != SHARE_FORMAT {
        return Err(not_a_share("its manifest.json does not name the Kinvault share format"));
    }
    let version = value["version"].as_u64().unwrap_or(0);
    if version > u64::from(SHARE_VERSION) {
        return Err(ApiError::new(
            ErrorKind::TooNew,
            format!(
                "this share was made by a newer Kinvault (share format version {version}); this version reads \
                 version {SHARE_VERSION} — update Kinvault to open it"
            ),
        ));
    }
    let manifest: ShareManifest =
        serde_json::from_value(value).map_err(|e| not_a_share(&format!("its manifest.json does not read ({e})")))?;
    let need = |name: &str| get(name).ok_or_else(|| not_a_share(&format!("it lacks {name}")));
    let (people, warnings) =
        summarise(need(GA4GH_FILE)?, need(FHIR_FILE)?, need(TESTS_FILE)?, kinvault_catalog::Catalog::builtin())?;
    need(REPORT_PDF_FILE)?;
    need(REPORT_HTML_FILE)?;
    tracing::info!(people = people.len(), "clinician share opened");
    Ok(OpenedShare { manifest, people, warnings, files })
}

fn read_capped(path: &Path, max: u64, what: &str) -> Result<Vec<u8>> {
    let file = std::fs::File::open(path).map_err(|e| {
        let kind = if e.kind() == std::io::ErrorKind::NotFound { ErrorKind::NotFound } else { ErrorKind::Io };
        ApiError::new(kind, format!("cannot read {what} {}: {e}", path.display()))
    })?;
    let mut bytes = Vec::new();
    file.take(max + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| ApiError::new(ErrorKind::Io, format!("cannot read {what} {}: {e}", path.display())))?;
    if bytes.len() as u64 > max {
        return Err(ApiError::invalid(format!("{} is larger than {}: not a {what}", path.display(), mib(max))));
    }
    Ok(bytes)
}

/// The bytes of the share file at `path` (at most the default [`ShareLimits::max_file_bytes`]).
pub fn read_share(path: &Path) -> Result<Vec<u8>> {
    read_capped(path, ShareLimits::DEFAULT.max_file_bytes, "share")
}

/// Reads the share at `path` (size-capped) and opens it.
pub fn open_share_file(path: &Path, secret: ShareSecret<'_>) -> Result<OpenedShare> {
    open_share(&read_share(path)?, secret)
}

/// The secret key text in an identity file (at most 64 KiB).
pub fn read_identity_file(path: &Path) -> Result<Zeroizing<String>> {
    let bytes = Zeroizing::new(read_capped(path, 64 * 1024, "key file")?);
    let text = std::str::from_utf8(&bytes)
        .map_err(|_| ApiError::invalid(format!("{} is not a key file (not text)", path.display())))?;
    Ok(Zeroizing::new(text.to_string()))
}

/// Opens a share for the desktop app: exactly one of a pasted key, a key file or a passphrase.
pub fn open_share_request(req: &OpenShareRequest) -> Result<OpenedShareView> {
    let path = req.path.trim();
    if path.is_empty() {
        return Err(ApiError::invalid("choose the share file to open"));
    }
    let given = |s: &Option<String>| s.as_deref().is_some_and(|s| !s.trim().is_empty());
    let file_key;
    let secret = match (given(&req.identity), given(&req.identity_file), given(&req.passphrase)) {
        (true, false, false) => ShareSecret::Identity(req.identity.as_deref().unwrap_or_default()),
        (false, true, false) => {
            file_key = read_identity_file(Path::new(req.identity_file.as_deref().unwrap_or_default().trim()))?;
            ShareSecret::Identity(&file_key)
        }
        (false, false, true) => ShareSecret::Passphrase(req.passphrase.as_deref().unwrap_or_default()),
        (false, false, false) => {
            return Err(ApiError::invalid("give the secret key, a key file or the passphrase that opens the share"))
        }
        _ => return Err(ApiError::invalid("give one secret: a secret key, a key file or a passphrase")),
    };
    Ok(open_share_file(Path::new(path), secret)?.into_view())
}

/// Writes every file of an opened share into `dir` (created if missing); refuses to replace a
/// file that exists. Returns the paths written.
pub fn extract_share(opened: &OpenedShare, dir: &Path) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir)
        .map_err(|e| ApiError::new(ErrorKind::Io, format!("cannot create {}: {e}", dir.display())))?;
    let mut written = Vec::new();
    for (name, bytes) in opened.files() {
        let path = dir.join(name);
        let mut file = std::fs::OpenOptions::new().write(true).create_new(true).open(&path).map_err(|e| {
            if e.kind() == std::io::ErrorKind::AlreadyExists {
                ApiError::new(
                    ErrorKind::AlreadyExists,
                    format!("{} exists; extract into an empty folder", path.display()),
                )
            } else {
                ApiError::new(ErrorKind::Io, format!("cannot write {}: {e}", path.display()))
            }
        })?;
        file.write_all(bytes)
            .map_err(|e| ApiError::new(ErrorKind::Io, format!("cannot write {}: {e}", path.display())))?;
        written.push(path);
    }
    Ok(written)
}

// ---------------------------------------------------------------------------------------------
// Keys
// ---------------------------------------------------------------------------------------------

/// A new age X25519 key pair.
pub fn generate_identity() -> ShareIdentity {
    let id = age::x25519::Identity::generate();
    ShareIdentity { public_key: id.to_public().to_string(), secret_key: id.to_string().expose_secret().to_string() }
}

/// An identity file's text in `age-keygen`'s format (creation time and public key as comments).
pub fn identity_file_text(id: &ShareIdentity) -> Zeroizing<String> {
    Zeroizing::new(format!(
        "# created: {}\n# public key: {}\n{}\n",
        crate::clock::now_iso(),
        id.public_key,
        id.secret_key
    ))
}

/// Generates a key pair and writes the secret key to a new file at `path`, readable by its owner
/// only (0600 on Unix); refuses to replace an existing file. Returns the public key.
pub fn write_identity_file(path: &Path) -> Result<ShareKeyFile> {
    if path.as_os_str().is_empty() {
        return Err(ApiError::invalid("choose where to save the key file"));
    }
    let id = generate_identity();
    let text = identity_file_text(&id);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            ApiError::new(
                ErrorKind::AlreadyExists,
                format!("{} exists; refusing to replace a key file (it may open earlier shares)", path.display()),
            )
        } else {
            ApiError::new(ErrorKind::Io, format!("cannot write {}: {e}", path.display()))
        }
    })?;
    let written = file.write_all(text.as_bytes()).and_then(|_| file.sync_all());
    if let Err(e) = written {
        let _ = std::fs::remove_file(path);
        return Err(ApiError::new(ErrorKind::Io, format!("cannot write {}: {e}", path.display())));
    }
    Ok(ShareKeyFile { path: path.display().to_string(), public_key: id.public_key.clone() })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err<T>(r: Result<T>) -> ApiError {
        match r {
            Ok(_) => panic!("expected an error"),
            Err(e) => e,
        }
    }

    #[test]
    fn recipients_are_checked_without_echoing_them() {
        let id = generate_identity();
        assert!(id.public_key.starts_with("age1") && id.public_key.len() == 62);
        assert!(id.secret_key.starts_with("AGE-SECRET-KEY-1"));
        assert!(parse_recipient(1, &id.public_key).is_ok());
        let e = parse_recipient(2, &id.secret_key).unwrap_err();
        assert!(e.message.contains("recipient 2") && e.message.contains("secret key"), "{}", e.message);
        assert!(!e.message.contains(&id.secret_key[16..]), "the secret key is not repeated");
        let mut typo = id.public_key.clone();
        let last = if typo.ends_with('q') { 'p' } else { 'q' };
        typo.pop();
        typo.push(last);
        assert!(parse_recipient(1, &typo).unwrap_err().message.contains("checksum"));
        assert!(parse_recipient(1, &id.public_key[..40]).unwrap_err().message.contains("62 characters"));
        assert!(parse_recipient(1, "ssh-ed25519 AAAAC3Nza").unwrap_err().message.contains("SSH"));
        assert!(parse_recipient(1, "hello").unwrap_err().message.contains("age1"));
    }

    #[test]
    fn exactly_one_kind_of_protection() {
        let id = generate_identity();
        let mut req = ShareRequest::new("x");
        assert!(err(protection(&req)).message.contains("choose who can open"));
        req.recipients = vec![id.public_key.clone(), format!(" {} ", id.public_key)];
        assert!(matches!(protection(&req).unwrap(), Protection::Keys(k) if k.len() == 1), "duplicates merged");
        req.passphrase = Some("long enough passphrase".into());
        assert!(err(protection(&req)).message.contains("not both"));
        req.recipients.clear();
        assert!(matches!(protection(&req).unwrap(), Protection::Passphrase(_)));
        req.passphrase = Some("short".into());
        assert_eq!(err(protection(&req)).kind, ErrorKind::WeakPassphrase);
        assert!(!format!("{req:?}").contains("short"), "Debug redacts the passphrase");
    }

    #[test]
    fn identities_are_parsed_from_key_files() {
        let id = generate_identity();
        let text = identity_file_text(&id);
        assert_eq!(parse_identities(&text).unwrap().len(), 1);
        let e = err(parse_identities(&id.public_key));
        assert!(e.message.contains("public key"), "{}", e.message);
        assert!(err(parse_identities("# only a comment\n")).message.contains("no secret key"));
        assert!(err(parse_identities("AGE-SECRET-KEY-1NOTAKEY")).message.contains("line 1"));
    }

    #[test]
    fn safe_names_only() {
        for ok in ["manifest.json", "report.pdf", "family-history.fhir.json", "a_b"] {
            assert!(safe_name(ok), "{ok}");
        }
        for bad in ["", "../x", "a/b", ".hidden", "a\\b", "C:x", "é.json"] {
            assert!(!safe_name(bad), "{bad}");
        }
    }
}
