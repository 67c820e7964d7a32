//! Health records and the clinical family-history formats.
//!
//! - The condition catalog ([`catalog_list`], [`catalog_search`]): the built-in
//!   `kinvault-catalog` data, serialisable as is.
//! - [`add_condition`] / [`add_genetic_test`]: one observation or test result on one person,
//!   validated, in one vault transaction (so the change log records it). Conditions are named by
//!   catalog id; the observation gets the entry's name as label and its primary code.
//! - [`import_family_file`]: PED/PLINK `.fam`, CanRisk, FHIR (family-history and GA4GH Pedigree
//!   Bundles) and My Family Health Portrait files, recognised by content ([`detect_format`]),
//!   converted by `kinvault-interop` and stored in ONE transaction: a bad file changes nothing.
//!   GEDCOM stays on [`crate::transfer::import_gedcom`]; shells dispatch on [`detect_format`].
//! - [`export_family_file`]: the vault's people and families around a proband as FHIR, GA4GH
//!   Pedigree, PED or CanRisk, written to a temporary file and renamed into place.
//!
//! Mapping rules and what each format loses: `docs/interop.md`.

use crate::{
    graph, people, AddCondition, AddGeneticTest, ApiError, ErrorKind, ExportFamilyRequest, FamilyExportReport,
    FamilyFormat, FamilyImportOptions, FamilyImportReport, ImportWarning, Result,
};
use kinvault_catalog::{Catalog, CatalogData, ConditionDef};
use kinvault_interop::{
    export_canrisk, export_fhir, export_ga4gh_pedigree, export_ped, import_canrisk, import_fhir, import_mfhp,
    import_ped, CanRiskExportOptions, Exported, FamilySnapshot, FhirExportOptions, Format, FormatWarning, Location,
    PedExportOptions, PedImportOptions,
};
use kinvault_model::{
    Code, CodeSystem, ConditionObservation, ConditionStatus, Family, GDate, GeneticTest, Person, VitalStatus,
};
use kinvault_vault::Vault;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use uuid::Uuid;

/// Ages above this are rejected as typing errors.
const MAX_AGE: f64 = 130.0;

/// The built-in condition catalog.
pub fn catalog() -> &'static Catalog {
    Catalog::builtin()
}

/// The `meta` key under which a vault keeps its user-defined conditions (a JSON array of
/// [`ConditionDef`]).
pub const USER_CONDITIONS_KEY: &str = "catalog.user_conditions";

/// The conditions the user added to this vault's catalog, in the order they were added.
pub fn user_conditions(vault: &Vault) -> Result<Vec<ConditionDef>> {
    match vault.meta(USER_CONDITIONS_KEY)? {
        None => Ok(Vec::new()),
        Some(json) => serde_json::from_str(&json).map_err(|e| {
            ApiError::new(ErrorKind::Corrupt, format!("the vault's user-defined conditions do not parse: {e}"))
        }),
    }
}

/// The catalog this vault uses: the built-in conditions followed by the user's own.
pub fn vault_catalog(vault: &Vault) -> Result<Catalog> {
    let user = user_conditions(vault)?;
    if user.is_empty() {
        return Ok(catalog().clone());
    }
    catalog().with_user_conditions(user).map_err(|errors| {
        ApiError::new(
            ErrorKind::Corrupt,
            format!("the vault's user-defined conditions are no longer valid: {}", join_errors(&errors)),
        )
    })
}

fn join_errors(errors: &[kinvault_catalog::ValidationError]) -> String {
    errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")
}

/// Adds a condition of the user's own to the vault's catalog, or replaces the user condition
/// with the same id. It is validated like a built-in entry (codes, frequencies consistent under
/// Hardy–Weinberg, penetrance curves, a reference for every number) and may not reuse a built-in
/// id. Returns the stored entry (`user_defined` set).
pub fn save_user_condition(vault: &mut Vault, def: ConditionDef) -> Result<ConditionDef> {
    let mut user = user_conditions(vault)?;
    let id = def.id.trim().to_string();
    let def = ConditionDef { id: id.clone(), user_defined: true, ..def };
    match user.iter_mut().find(|u| u.id == id) {
        Some(slot) => *slot = def.clone(),
        None => user.push(def.clone()),
    }
    catalog()
        .with_user_conditions(user.clone())
        .map_err(|errors| ApiError::invalid(format!("the condition cannot be added: {}", join_errors(&errors))))?;
    let json = serde_json::to_string(&user).map_err(|e| ApiError::new(ErrorKind::Internal, e.to_string()))?;
    vault.write(|tx| tx.put_meta(USER_CONDITIONS_KEY, Some(&json)))?;
    Ok(def)
}

/// Removes a user-defined condition from the vault's catalog. Observations recorded with it keep
/// their label and code; they are simply no longer linked to catalog numbers.
pub fn delete_user_condition(vault: &mut Vault, id: &str) -> Result<()> {
    let mut user = user_conditions(vault)?;
    let before = user.len();
    user.retain(|u| u.id != id.trim());
    if user.len() == before {
        let what = if catalog().get(id.trim()).is_some() {
            "a built-in condition, which cannot be removed"
        } else {
            "not in this vault's catalog"
        };
        return Err(ApiError::new(ErrorKind::NotFound, format!("{:?} is {what}", id.trim())));
    }
    let json = (!user.is_empty())
        .then(|| serde_json::to_string(&user))
        .transpose()
        .map_err(|e| ApiError::new(ErrorKind::Internal, e.to_string()))?;
    vault.write(|tx| tx.put_meta(USER_CONDITIONS_KEY, json.as_deref()))?;
    Ok(())
}

/// The whole catalog: version, conditions with codes, numbers and references, criteria.
pub fn catalog_list(cat: &Catalog) -> CatalogData {
    cat.data().clone()
}

/// Conditions matching `query` (a name, synonym, id, gene symbol or code), best first.
pub fn catalog_search(cat: &Catalog, query: &str) -> Vec<ConditionDef> {
    cat.search(query).into_iter().cloned().collect()
}

/// The catalog entry with this id, or an `invalid` error saying how to find ids.
pub fn catalog_condition<'a>(cat: &'a Catalog, id: &str) -> Result<&'a ConditionDef> {
    let id = id.trim();
    if id.is_empty() {
        return Err(ApiError::invalid(
            "name the condition by its catalog id, e.g. cystic-fibrosis (`kinvault catalog list` lists them)",
        ));
    }
    cat.get(id).ok_or_else(|| {
        let hint = cat.search(id).first().map(|c| format!(" Did you mean {}?", c.id)).unwrap_or_default();
        ApiError::invalid(format!(
            "{id:?} is not a condition id in the catalog.{hint} `kinvault catalog list` lists the ids \
             (`--search WORD` finds one by name, gene or code)"
        ))
    })
}

/// The code an observation of `def` is recorded with: the entry's first code of SNOMED CT, else
/// ICD-10, OMIM, MONDO — the first that identifies this entry alone (Lynch syndrome's SNOMED CT
/// code is shared by four per-gene entries) — else its `kinvault` code (the catalog id). So
/// `Catalog::link` finds the entry again from the stored code.
pub fn primary_code(cat: &Catalog, def: &ConditionDef) -> Code {
    for system in [CodeSystem::Snomed, CodeSystem::Icd10, CodeSystem::Omim, CodeSystem::Mondo] {
        if let Some(c) = def.preferred_code(system) {
            if cat.find_by_code(system, &c.code).is_some_and(|d| d.id == def.id) {
                return c.clone();
            }
        }
    }
    def.kinvault_code()
}

fn check_age(what: &str, age: Option<f64>) -> Result<Option<f64>> {
    match age {
        Some(a) if !a.is_finite() || !(0.0..=MAX_AGE).contains(&a) => {
            Err(ApiError::invalid(format!("{what} {a} is not an age in years between 0 and {MAX_AGE}")))
        }
        other => Ok(other),
    }
}

fn load_person(vault: &Vault, reference: &str) -> Result<Person> {
    let r = graph::person_ref(vault, reference)?;
    let id = Uuid::parse_str(&r.id).map_err(|_| ApiError::new(ErrorKind::Internal, "person id is not a UUID"))?;
    vault.get_person(id)?.ok_or_else(|| ApiError::new(ErrorKind::NotFound, format!("person {id} is not in this vault")))
}

fn non_empty(s: &Option<String>) -> Option<String> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string)
}

/// Records a condition observation of catalog condition `req.condition` on a person (id or
/// GEDCOM xref). Returns the updated person; the new observation is the last of `conditions`.
///
/// `req.age` (age at the observation) is kept as a note on the observation; when the person is
/// not recorded as deceased their vital status becomes alive with at least that age, and for a
/// deceased person it must not exceed the recorded age at death.
pub fn add_condition(vault: &mut Vault, person: &str, req: &AddCondition) -> Result<Person> {
    let cat = vault_catalog(vault)?;
    let def = catalog_condition(&cat, &req.condition)?;
    let onset = check_age("onset age", req.onset_age)?;
    let age = check_age("age", req.age)?;
    if onset.is_some() && req.status != ConditionStatus::Affected {
        return Err(ApiError::invalid("an onset age goes with status affected only"));
    }
    if let (Some(o), Some(a)) = (onset, age) {
        if o > a {
            return Err(ApiError::invalid(format!("onset age {o} is after the age at observation {a}")));
        }
    }
    let mut p = load_person(vault, person)?;
    if let Some(a) = age {
        match &mut p.vital_status {
            VitalStatus::Alive { age: known } => *known = Some(known.map_or(a, |k| k.max(a))),
            VitalStatus::Unknown => p.vital_status = VitalStatus::Alive { age: Some(a) },
            VitalStatus::Deceased { age: Some(d), .. } if a > *d => {
                return Err(ApiError::invalid(format!("age {a} is after the recorded age at death {d}")));
            }
            VitalStatus::Deceased { .. } => {}
        }
    }
    let mut obs = ConditionObservation::new(Some(primary_code(&cat, def)), &def.name, req.status);
    obs.onset = onset.map(kinvault_model::AgeRange::exact);
    obs.certainty = req.certainty;
    obs.provenance = req.provenance.clone();
    let notes: Vec<String> =
        non_empty(&req.note).into_iter().chain(age.map(|a| format!("status as of age {a}"))).collect();
    obs.note = (!notes.is_empty()).then(|| notes.join("; "));
    p.conditions.push(obs);
    vault.write(|tx| tx.put_person(&p))?;
    Ok(p)
}

/// Records a genetic test result on a person (id or GEDCOM xref). Returns the updated person;
/// the new test is the last of `genetic_tests`.
pub fn add_genetic_test(vault: &mut Vault, person: &str, req: &AddGeneticTest) -> Result<Person> {
    let gene = req.gene.trim();
    if gene.is_empty() {
        return Err(ApiError::invalid("name the gene tested (HGNC symbol, e.g. BRCA1)"));
    }
    if gene.chars().any(char::is_whitespace) {
        return Err(ApiError::invalid(format!("{gene:?} is not a gene symbol (one word, e.g. BRCA1)")));
    }
    if let Some(s) = req.sensitivity {
        if !s.is_finite() || s <= 0.0 || s > 1.0 {
            return Err(ApiError::invalid(format!("sensitivity {s} is not a probability in (0, 1], e.g. 0.9")));
        }
    }
    people::validate_date("test", &req.date)?;
    let mut p = load_person(vault, person)?;
    p.genetic_tests.push(GeneticTest {
        id: kinvault_model::new_id(),
        gene: gene.to_string(),
        variant: non_empty(&req.variant),
        acmg_class: req.acmg_class,
        result: req.result,
        method: non_empty(&req.method),
        sensitivity: req.sensitivity,
        lab: non_empty(&req.lab),
        date: non_empty(&req.date).map(|d| GDate::parse(&d)),
        provenance: req.provenance.clone(),
    });
    vault.write(|tx| tx.put_person(&p))?;
    Ok(p)
}

fn io_error(what: &str, path: &Path, e: std::io::Error) -> ApiError {
    let kind = if e.kind() == std::io::ErrorKind::NotFound { ErrorKind::NotFound } else { ErrorKind::Io };
    ApiError::new(kind, format!("cannot {what} {}: {e}", path.display()))
}

fn from_interop(f: Format) -> FamilyFormat {
    match f {
        Format::Ped => FamilyFormat::Ped,
        Format::Fhir => FamilyFormat::Fhir,
        Format::Ga4ghPedigree => FamilyFormat::Ga4gh,
        Format::CanRisk => FamilyFormat::Canrisk,
        Format::Mfhp => FamilyFormat::Mfhp,
    }
}

/// The clinical format of a file's bytes; `None` for GEDCOM, GEDZIP and anything else.
fn sniff(bytes: &[u8], file_name: Option<&str>) -> Option<FamilyFormat> {
    let ext = file_name.and_then(|n| n.rsplit_once('.')).map(|(_, e)| e.to_ascii_lowercase());
    if matches!(ext.as_deref(), Some("ged" | "gdz" | "zip")) || bytes.starts_with(b"PK") {
        return None;
    }
    let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let start = text.iter().position(|b| !b.is_ascii_whitespace()).map_or(&text[..0], |i| &text[i..]);
    if start.starts_with(b"0 HEAD") {
        return None;
    }
    kinvault_interop::sniff(bytes, file_name).map(from_interop)
}

/// Which clinical format the file at `path` is in, by content (`.ped`/`.fam` also by name);
/// `None` means it is not one of them (GEDCOM and GEDZIP go to `transfer::import_gedcom`).
/// Reads the first 4 KiB, or the whole file when it is JSON.
pub fn detect_format(path: &Path) -> Result<Option<FamilyFormat>> {
    let mut file = std::fs::File::open(path).map_err(|e| io_error("read", path, e))?;
    let mut head = Vec::with_capacity(4096);
    (&mut file).take(4096).read_to_end(&mut head).map_err(|e| io_error("read", path, e))?;
    let text = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&head);
    if text.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{') {
        file.read_to_end(&mut head).map_err(|e| io_error("read", path, e))?;
    }
    Ok(sniff(&head, path.file_name().and_then(|n| n.to_str())))
}

fn import_warning(w: FormatWarning) -> ImportWarning {
    let line = match &w.location {
        Location::Line(l) | Location::Field { line: l, .. } => u32::try_from(*l).ok(),
        _ => None,
    };
    let message = match w.location {
        Location::Field { field, .. } => format!("{field}: {}", w.message),
        Location::Path(p) => format!("{p}: {}", w.message),
        Location::File | Location::Line(_) => w.message,
    };
    ImportWarning { line, message }
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Imports a PED/.fam, CanRisk, FHIR or My Family Health Portrait file into the vault as new
/// people and families, in one transaction. PED needs `options.condition`, the catalog id of the
/// phenotype column's condition; the other formats name their conditions and take none.
///
/// Ids from the file become GEDCOM-style xrefs (`@I1@` for `I1`), so people can be named by
/// them afterwards. A bad file is an `invalid` error naming where and why, and changes nothing.
pub fn import_family_file(vault: &mut Vault, path: &Path, options: &FamilyImportOptions) -> Result<FamilyImportReport> {
    let bytes = std::fs::read(path).map_err(|e| io_error("read", path, e))?;
    let format = sniff(&bytes, path.file_name().and_then(|n| n.to_str())).ok_or_else(|| {
        ApiError::invalid(format!(
            "cannot import {}: not a PED/.fam, CanRisk, FHIR or My Family Health Portrait file",
            path.display()
        ))
    })?;
    let condition = non_empty(&options.condition);
    let cat = &vault_catalog(vault)?;
    if let Some(c) = &condition {
        catalog_condition(cat, c)?;
        if format != FamilyFormat::Ped {
            return Err(ApiError::invalid(format!(
                "{} is a {} file, which names its own conditions; a condition is given for PED files only",
                path.display(),
                format.name()
            )));
        }
    }
    let imported = match format {
        FamilyFormat::Ped => {
            let Some(condition) = condition else {
                return Err(ApiError::invalid(format!(
                    "{} is a PED file: say which condition its phenotype column records with --condition ID \
                     (a catalog id; `kinvault catalog list` lists them)",
                    path.display()
                )));
            };
            import_ped(&bytes, cat, &PedImportOptions { condition: Some(condition) })
        }
        FamilyFormat::Fhir | FamilyFormat::Ga4gh => import_fhir(&bytes, cat),
        FamilyFormat::Canrisk => import_canrisk(&bytes, cat),
        FamilyFormat::Mfhp => import_mfhp(&bytes, cat),
    }
    .map_err(|e| ApiError::invalid(format!("cannot import {}: {e}", path.display())))?;

    let mut persons = imported.persons;
    for p in &mut persons {
        if let Some(x) = p.xref.take() {
            let x = x.trim();
            p.xref = (!x.is_empty()).then(|| if x.starts_with('@') { x.to_string() } else { format!("@{x}@") });
        }
        if imported.proband == Some(p.id) {
            p.proband = true;
        }
    }
    let families = imported.families;
    vault.write(|tx| {
        for p in &persons {
            tx.put_person(p)?;
        }
        for f in &families {
            tx.put_family(f)?;
        }
        Ok(())
    })?;
    tracing::info!(people = persons.len(), families = families.len(), format = format.name(), "family file imported");
    Ok(FamilyImportReport {
        format,
        individuals: count(persons.len()),
        families: count(families.len()),
        health_observations: count(persons.iter().map(|p| p.conditions.len()).sum()),
        genetic_tests: count(persons.iter().map(|p| p.genetic_tests.len()).sum()),
        proband: imported.proband.map(|id| id.to_string()),
        warnings: imported.warnings.into_iter().map(import_warning).collect(),
    })
}

/// Exports every person and family in the vault, with `req.proband` as the proband, as FHIR,
/// GA4GH Pedigree, PED or CanRisk (see [`ExportFamilyRequest`]). The file is written beside the
/// target and renamed into place when complete.
pub fn export_family_file(vault: &Vault, req: &ExportFamilyRequest) -> Result<FamilyExportReport> {
    let path = PathBuf::from(req.path.trim());
    if req.path.trim().is_empty() {
        return Err(ApiError::invalid("choose a file to export to"));
    }
    let same = match (path.canonicalize(), vault.path().canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => path == vault.path(),
    };
    if same {
        return Err(ApiError::invalid("refusing to export over the vault itself; choose another file"));
    }
    let condition = non_empty(&req.condition);
    let cat = &vault_catalog(vault)?;
    check_family_export(cat, req.format, &condition)?;
    let proband = graph::person_ref(vault, &req.proband)?;
    let proband = Uuid::parse_str(&proband.id).map_err(|_| ApiError::new(ErrorKind::Internal, "bad person id"))?;
    let mut persons = Vec::new();
    vault.for_each_person(|p| {
        persons.push(p);
        Ok(())
    })?;
    let mut families = Vec::new();
    vault.for_each_family(|f| {
        families.push(f);
        Ok(())
    })?;
    let exported = export_family_text(cat, &persons, &families, proband, req.format, condition)?;

    write_atomically(&path, exported.text.as_bytes()).map_err(|e| io_error("write", &path, e))?;
    tracing::info!(people = persons.len(), format = req.format.name(), "family file exported");
    Ok(FamilyExportReport {
        path: path.display().to_string(),
        format: req.format,
        individuals: count(persons.len()),
        families: count(families.len()),
        bytes: exported.text.len() as u64,
        warnings: exported.warnings.iter().map(ToString::to_string).collect(),
    })
}

/// Refuses a format/condition pair that cannot be written: MFHP (import only), PED without its
/// phenotype condition, a condition for a format that takes none, an id not in `cat`.
fn check_family_export(cat: &Catalog, format: FamilyFormat, condition: &Option<String>) -> Result<()> {
    if let Some(c) = condition {
        catalog_condition(cat, c)?;
    }
    match (format, condition) {
        (FamilyFormat::Mfhp, _) => Err(ApiError::invalid(
            "My Family Health Portrait files can be imported but not written; choose fhir, ga4gh, ped or canrisk",
        )),
        (FamilyFormat::Ped, None) => Err(ApiError::invalid(
            "a PED file records one condition as its phenotype column: choose it with --condition ID \
             (a catalog id; `kinvault catalog list` lists them)",
        )),
        (FamilyFormat::Fhir | FamilyFormat::Canrisk, Some(_)) => Err(ApiError::invalid(format!(
            "a condition is used by ped (the phenotype) and ga4gh (the reason for the pedigree) only; {} \
             exports every recorded condition it can carry",
            format.name()
        ))),
        _ => Ok(()),
    }
}

/// The family of `persons` and `families` around `proband` (one of `persons`) as the text of a
/// clinical format, in memory — the one conversion path behind [`export_family_file`] (the whole
/// vault, to a file) and `share::create_share` (the report's people, into an encrypted share).
pub(crate) fn export_family_text(
    cat: &Catalog,
    persons: &[Person],
    families: &[Family],
    proband: Uuid,
    format: FamilyFormat,
    condition: Option<String>,
) -> Result<Exported> {
    check_family_export(cat, format, &condition)?;
    let snapshot = FamilySnapshot::new(persons, families, Some(proband));
    match format {
        FamilyFormat::Ped => export_ped(&snapshot, cat, &PedExportOptions { condition, ..PedExportOptions::default() }),
        FamilyFormat::Fhir => export_fhir(&snapshot, cat, &FhirExportOptions::default()),
        FamilyFormat::Ga4gh => {
            export_ga4gh_pedigree(&snapshot, cat, &FhirExportOptions { reason: condition, ..Default::default() })
        }
        FamilyFormat::Canrisk => export_canrisk(&snapshot, cat, &CanRiskExportOptions::default()),
        FamilyFormat::Mfhp => unreachable!("refused by check_family_export"),
    }
    .map_err(|e| ApiError::invalid(format!("cannot export: {e}")))
}

/// Writes `bytes` to a temporary file beside `path` and renames it into place, so a failed
/// write leaves no half-written file (and an existing one untouched).
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    let written = (|| {
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::NewPerson;
    use kinvault_model::{Family, FamilyChild, Sex, TestResult};
    use kinvault_vault::KdfParams;

    fn vault(dir: &Path) -> Vault {
        Vault::create(&dir.join("v.kinvault"), "test passphrase", KdfParams::TESTING_ONLY).unwrap().0
    }

    fn person(v: &mut Vault, given: &str, sex: Sex) -> Person {
        people::add(v, &NewPerson { given: given.into(), surname: "Lee".into(), sex, ..Default::default() }).unwrap()
    }

    fn condition(id: &str, status: ConditionStatus) -> AddCondition {
        AddCondition {
            condition: id.into(),
            status,
            onset_age: None,
            age: None,
            certainty: Default::default(),
            provenance: Default::default(),
            note: None,
        }
    }

    #[test]
    fn primary_codes_identify_their_entry() {
        for def in catalog().iter() {
            let code = primary_code(catalog(), def);
            let obs = ConditionObservation::new(Some(code.clone()), "", ConditionStatus::Affected);
            assert_eq!(catalog().link(&obs).map(|d| &d.id), Some(&def.id), "{} {code:?}", def.id);
        }
        let cf = primary_code(catalog(), catalog().get("cystic-fibrosis").unwrap());
        assert_eq!(cf.system, CodeSystem::Snomed, "SNOMED CT first");
        let lynch = primary_code(catalog(), catalog().get("lynch-syndrome-mlh1").unwrap());
        assert_ne!(lynch.system, CodeSystem::Snomed, "the shared Lynch SNOMED CT code would be ambiguous");
    }

    #[test]
    fn add_condition_and_test() {
        let d = tempfile::tempdir().unwrap();
        let mut v = vault(d.path());
        let ann = person(&mut v, "Ann", Sex::Female);
        let changes = v.stats().unwrap().changes;
        let p = add_condition(
            &mut v,
            &ann.id.to_string(),
            &AddCondition {
                onset_age: Some(41.0),
                age: Some(50.0),
                ..condition("brca1-associated-cancer", ConditionStatus::Affected)
            },
        )
        .unwrap();
        let obs = p.conditions.last().unwrap();
        assert_eq!(obs.label, catalog().get("brca1-associated-cancer").unwrap().name);
        assert_eq!(obs.onset.map(|o| o.min), Some(41.0));
        assert_eq!(obs.note.as_deref(), Some("status as of age 50"));
        assert_eq!(p.vital_status, VitalStatus::Alive { age: Some(50.0) });
        assert_eq!(v.stats().unwrap().changes, changes + 1, "logged in the change log");

        let p = add_genetic_test(
            &mut v,
            &ann.id.to_string(),
            &AddGeneticTest {
                gene: " BRCA1 ".into(),
                variant: Some("NM_007294.4:c.68_69del".into()),
                result: TestResult::Positive,
                acmg_class: None,
                sensitivity: Some(0.9),
                method: Some("NGS panel".into()),
                lab: None,
                date: Some("2021".into()),
                provenance: Default::default(),
            },
        )
        .unwrap();
        assert_eq!(p.genetic_tests[0].gene, "BRCA1");
        assert_eq!(v.get_person(ann.id).unwrap().unwrap(), p);
    }

    #[test]
    fn bad_health_input_is_rejected_and_changes_nothing() {
        let d = tempfile::tempdir().unwrap();
        let mut v = vault(d.path());
        let ann = person(&mut v, "Ann", Sex::Female);
        let id = ann.id.to_string();
        let before = v.stats().unwrap();
        let e = add_condition(&mut v, &id, &condition("cystic-fibrosis-x", ConditionStatus::Affected)).unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidInput);
        assert!(e.message.contains("kinvault catalog list"), "{}", e.message);
        let bad = [
            AddCondition { onset_age: Some(30.0), ..condition("stroke", ConditionStatus::Unaffected) },
            AddCondition { onset_age: Some(-1.0), ..condition("stroke", ConditionStatus::Affected) },
            AddCondition { onset_age: Some(60.0), age: Some(50.0), ..condition("stroke", ConditionStatus::Affected) },
            AddCondition { age: Some(f64::NAN), ..condition("stroke", ConditionStatus::Unknown) },
        ];
        for req in &bad {
            assert_eq!(add_condition(&mut v, &id, req).unwrap_err().kind, ErrorKind::InvalidInput, "{req:?}");
        }
        let test = |gene: &str, sensitivity: Option<f64>| AddGeneticTest {
            gene: gene.into(),
            variant: None,
            result: TestResult::Negative,
            acmg_class: None,
            sensitivity,
            method: None,
            lab: None,
            date: None,
            provenance: Default::default(),
        };
        for t in [test("", None), test("BRCA 1", None), test("BRCA1", Some(0.0)), test("BRCA1", Some(1.5))] {
            assert_eq!(add_genetic_test(&mut v, &id, &t).unwrap_err().kind, ErrorKind::InvalidInput, "{t:?}");
        }
        let e = add_genetic_test(&mut v, "I99", &test("BRCA1", None)).unwrap_err();
        assert_eq!(e.kind, ErrorKind::NotFound);
        assert_eq!(v.stats().unwrap(), before);
    }

    #[test]
    fn export_and_import_each_format() {
        let d = tempfile::tempdir().unwrap();
        let mut v = vault(d.path());
        let dad = person(&mut v, "Tom", Sex::Male);
        let mum = person(&mut v, "Mia", Sex::Female);
        let kid = person(&mut v, "Ann", Sex::Female);
        let mut fam = Family::new(vec![dad.id, mum.id]);
        fam.children.push(FamilyChild { person: kid.id, links: vec![] });
        v.write(|tx| tx.put_family(&fam)).unwrap();
        let affected = AddCondition { onset_age: Some(44.0), ..condition("breast-cancer", ConditionStatus::Affected) };
        add_condition(&mut v, &mum.id.to_string(), &affected).unwrap();

        for (format, cond) in [
            (FamilyFormat::Fhir, None),
            (FamilyFormat::Ga4gh, Some("breast-cancer")),
            (FamilyFormat::Ped, Some("breast-cancer")),
            (FamilyFormat::Canrisk, None),
        ] {
            let path = d.path().join(format!("out.{}", format.name()));
            let req = ExportFamilyRequest {
                path: path.display().to_string(),
                format,
                proband: kid.id.to_string(),
                condition: cond.map(str::to_string),
            };
            let r = export_family_file(&v, &req).unwrap();
            assert_eq!((r.individuals, r.families), (3, 1), "{format:?}");
            assert_eq!(detect_format(&path).unwrap().map(|f| f == format || f == FamilyFormat::Fhir), Some(true));

            let mut w = Vault::create(
                &d.path().join(format!("{}.kinvault", format.name())),
                "test passphrase",
                KdfParams::TESTING_ONLY,
            )
            .unwrap()
            .0;
            let options =
                FamilyImportOptions { condition: cond.filter(|_| format == FamilyFormat::Ped).map(Into::into) };
            let back = import_family_file(&mut w, &path, &options).unwrap();
            assert_eq!((back.individuals, back.families, back.health_observations), (3, 1, 1), "{format:?}");
            if format == FamilyFormat::Ped {
                assert_eq!(back.proband, None, "PED has no proband");
                continue;
            }
            let proband = w.get_person(back.proband.unwrap().parse().unwrap()).unwrap().unwrap();
            assert!(proband.proband, "{format:?}");
            let xref = proband.xref.clone().unwrap();
            assert!(xref.starts_with('@') && xref.ends_with('@'), "{xref}");
            assert_eq!(graph::person_ref(&w, xref.trim_matches('@')).unwrap().id, proband.id.to_string());
        }
    }

    #[test]
    fn export_requests_are_checked() {
        let d = tempfile::tempdir().unwrap();
        let mut v = vault(d.path());
        let kid = person(&mut v, "Ann", Sex::Female);
        let req = |format, condition: Option<&str>| ExportFamilyRequest {
            path: d.path().join("out").display().to_string(),
            format,
            proband: kid.id.to_string(),
            condition: condition.map(str::to_string),
        };
        let e = export_family_file(&v, &req(FamilyFormat::Ped, None)).unwrap_err();
        assert!(e.message.contains("--condition"), "{}", e.message);
        for bad in [
            req(FamilyFormat::Ped, Some("no-such-thing")),
            req(FamilyFormat::Fhir, Some("stroke")),
            req(FamilyFormat::Mfhp, None),
            ExportFamilyRequest { path: v.path().display().to_string(), ..req(FamilyFormat::Fhir, None) },
        ] {
            assert_eq!(export_family_file(&v, &bad).unwrap_err().kind, ErrorKind::InvalidInput, "{bad:?}");
        }
        assert!(!d.path().join("out").exists());
    }
}
