//! CanRisk pedigree file (version 4.0; versions 1–3 are read too) ⇄ model: the format
//! BOADICEA/CanRisk (<https://canrisk.org>) and pedigreejs read and write.
//!
//! ```text
//! ##CanRisk 4.0
//! ##FamID  Name  Target  IndivID  FathID  MothID  Sex  MZtwin  Dead  Age  Yob  BC1  BC2  OC  PRO
//!   PAN  Ashkn  BRCA1  BRCA2  PALB2  ATM  CHEK2  BARD1  RAD51D  RAD51C  BRIP1  HOXB13
//!   ER:PR:HER2:CK14:CK56
//! ```
//!
//! One tab-separated line per person (28 columns in version 4). Cancers are ages at diagnosis
//! (`0` unaffected, `AU` affected at an unknown age) from observations linked to the catalog's
//! breast, ovarian and prostate cancer entries, and pancreatic cancer by code or name; genetic
//! tests are `type:result` (`S` mutation search / `T` direct test, `P`/`N`; `0:0` untested).
//! The column list follows pedigreejs' `canrisk_file` (version 4 added HOXB13). Mapping and
//! losses: `docs/interop.md`.

use std::collections::{HashMap, HashSet};

use kinvault_catalog::{normalize_text, Catalog, ConditionDef};
use kinvault_model::{
    AgeRange, Code, CodeSystem, ConditionObservation, ConditionStatus, EventKind, Family, FamilyChild, GeneticTest,
    Note, Person, PersonName, Provenance, Sex, TestResult, TwinSet, VitalStatus, Zygosity,
};
use kinvault_pedigree::{FamilyGraph, GraphWarning};
use uuid::Uuid;

use crate::family::{
    bio_parents, imported_observation, new_person, Exported, FamilySnapshot, Format, FormatError, FormatWarning,
    ImportedFamily, Location,
};
use crate::ped::parents_first;

const F: Format = Format::CanRisk;

/// Columns before the genes, the same in every version.
const FIRST: [&str; 17] = [
    "FamID", "Name", "Target", "IndivID", "FathID", "MothID", "Sex", "MZtwin", "Dead", "Age", "Yob", "BC1", "BC2",
    "OC", "PRO", "PAN", "Ashkn",
];
const PATHOLOGY: &str = "ER:PR:HER2:CK14:CK56";

/// The genetic-test columns of a file format version.
fn genes(version: u32) -> &'static [&'static str] {
    match version {
        1 => &["BRCA1", "BRCA2", "PALB2", "ATM", "CHEK2", "RAD51D", "RAD51C", "BRIP1"],
        2 | 3 => &["BRCA1", "BRCA2", "PALB2", "ATM", "CHEK2", "BARD1", "RAD51D", "RAD51C", "BRIP1"],
        _ => &["BRCA1", "BRCA2", "PALB2", "ATM", "CHEK2", "BARD1", "RAD51D", "RAD51C", "BRIP1", "HOXB13"],
    }
}

/// The cancer columns and the catalog entries they come from (pancreatic cancer is not in the
/// catalog: matched by code or name, see [`is_pancreatic`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cancer {
    Breast,
    Ovarian,
    Prostate,
    Pancreatic,
}

impl Cancer {
    fn catalog_id(self) -> Option<&'static str> {
        match self {
            Cancer::Breast => Some("breast-cancer"),
            Cancer::Ovarian => Some("ovarian-cancer"),
            Cancer::Prostate => Some("prostate-cancer"),
            Cancer::Pancreatic => None,
        }
    }
}

/// SNOMED CT 363418001 "Malignant tumor of pancreas" / ICD-10 C25: what PAN is written from.
const PANCREATIC: (&str, &str) = ("363418001", "Pancreatic cancer");

fn is_pancreatic(o: &ConditionObservation) -> bool {
    if let Some(c) = &o.code {
        let code = c.code.trim().to_ascii_uppercase();
        match c.system {
            CodeSystem::Snomed if code == "363418001" || code == "372142002" => return true,
            CodeSystem::Icd10 if code.starts_with("C25") => return true,
            _ => {}
        }
    }
    matches!(
        normalize_text(&o.label).as_str(),
        "pancreatic cancer"
            | "pancreas cancer"
            | "cancer of the pancreas"
            | "cancer of pancreas"
            | "carcinoma of pancreas"
            | "pancreatic carcinoma"
            | "malignant tumor of pancreas"
            | "malignant tumour of pancreas"
            | "malignant neoplasm of pancreas"
    )
}

fn cancer_of(o: &ConditionObservation, catalog: &Catalog) -> Option<Cancer> {
    if is_pancreatic(o) {
        return Some(Cancer::Pancreatic);
    }
    match catalog.link(o).map(|c| c.id.as_str()) {
        Some("breast-cancer") => Some(Cancer::Breast),
        Some("ovarian-cancer") => Some(Cancer::Ovarian),
        Some("prostate-cancer") => Some(Cancer::Prostate),
        _ => None,
    }
}

/// What to write.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CanRiskExportOptions {
    /// The FamID column (at most 13 characters, no whitespace). Default `FAM1`.
    pub family_id: Option<String>,
    /// Write first names (at most 8 characters) in the Name column; default: anonymous (the
    /// IndivID), as pedigreejs does.
    pub names: bool,
}

/// Writes the snapshot as a CanRisk 4.0 pedigree file. Needs a proband (the Target).
pub fn export_canrisk(
    snapshot: &FamilySnapshot,
    catalog: &Catalog,
    options: &CanRiskExportOptions,
) -> Result<Exported, FormatError> {
    let proband = snapshot.require_proband(F)?;
    let famid = options.family_id.clone().unwrap_or_else(|| "FAM1".into());
    if famid.is_empty() || famid.len() > 13 || famid.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(FormatError::new(
            F,
            Location::File,
            format!("family id {famid:?} must be 1 to 13 characters without whitespace"),
        ));
    }
    let (graph, mut warnings) = snapshot.graph();
    let mut parents = bio_parents(&graph, snapshot.persons);
    let by_id: HashMap<Uuid, &Person> = snapshot.persons.iter().map(|p| (p.id, p)).collect();
    let mut ids = canrisk_ids(snapshot.persons);

    // CanRisk needs both parents or none: a missing one becomes a placeholder line.
    let mut placeholders: Vec<(Uuid, Sex)> = Vec::new();
    for p in snapshot.persons {
        let bp = parents.get_mut(&p.id).expect("every person has a parents entry");
        if bp.father.is_some() != bp.mother.is_some() {
            let (sex, slot) =
                if bp.father.is_none() { (Sex::Male, &mut bp.father) } else { (Sex::Female, &mut bp.mother) };
            let id = Uuid::now_v7();
            let label = unique_id(&ids, "X", placeholders.len() + 1);
            warnings.push(FormatWarning::new(
                Location::File,
                format!(
                    "{}: the unknown {} is written as placeholder {label} (CanRisk needs both parents or none)",
                    ids[&p.id],
                    if sex == Sex::Male { "father" } else { "mother" }
                ),
            ));
            ids.insert(id, label);
            *slot = Some(id);
            placeholders.push((id, sex));
        }
    }
    for p in snapshot.persons {
        if let Some(ix) = graph.index_of(p.id) {
            if graph.legal_parents(ix).next().is_some() {
                warnings.push(FormatWarning::new(
                    Location::File,
                    format!(
                        "{}: adoptive/foster/step parents not written (CanRisk has biological parents only)",
                        ids[&p.id]
                    ),
                ));
            }
        }
    }
    // Monozygotic twin sets get a character each: 1–9, then A–Z.
    let mut mz: HashMap<Uuid, char> = HashMap::new();
    let marks: Vec<char> = ('1'..='9').chain('A'..='Z').collect();
    for set in snapshot.families.iter().flat_map(|f| &f.twins).filter(|t| t.zygosity == Zygosity::Monozygotic) {
        let Some(&mark) = marks.get(mz.values().collect::<HashSet<_>>().len()) else {
            warnings
                .push(FormatWarning::new(Location::File, "more than 35 monozygotic twin sets: the rest not marked"));
            break;
        };
        for m in &set.members {
            mz.insert(*m, mark);
        }
    }

    let genes = genes(4);
    let mut out = String::from("##CanRisk 4.0\n##");
    out.push_str(&FIRST.join("\t"));
    for g in genes {
        out.push('\t');
        out.push_str(g);
    }
    out.push('\t');
    out.push_str(PATHOLOGY);
    out.push('\n');

    let mut rows: Vec<Vec<String>> = Vec::new();
    for (id, sex) in &placeholders {
        let label = ids[id].clone();
        let mut row =
            vec![famid.clone(), label.clone(), "0".into(), label, "0".into(), "0".into(), sex_code(*sex).into()];
        row.extend(["0", "0", "0", "0", "0", "0", "0", "0", "0", "0"].map(String::from));
        row.extend(genes.iter().map(|_| "0:0".to_string()));
        row.push("0:0:0:0:0".into());
        rows.push(row);
    }
    let fathers: HashSet<Uuid> = parents.values().filter_map(|b| b.father).collect();
    let mothers: HashSet<Uuid> = parents.values().filter_map(|b| b.mother).collect();
    for id in parents_first(snapshot.persons, &parents) {
        let Some(&p) = by_id.get(&id) else { continue }; // a placeholder, written above
        let bp = &parents[&id];
        let col = |q: Option<Uuid>| q.map(|q| ids[&q].clone()).unwrap_or_else(|| "0".into());
        // A father or mother of unknown sex is written with the sex the column implies.
        let role_sex = if fathers.contains(&id) {
            Some(Sex::Male)
        } else if mothers.contains(&id) {
            Some(Sex::Female)
        } else {
            None
        };
        let sex = match (p.sex, role_sex) {
            (Sex::Male | Sex::Female, Some(r)) if p.sex != r => {
                warnings.push(FormatWarning::new(
                    Location::File,
                    format!(
                        "{} is written as a {} but is recorded {:?}",
                        ids[&id],
                        if r == Sex::Male { "father" } else { "mother" },
                        p.sex
                    ),
                ));
                r
            }
            (Sex::Male | Sex::Female, _) => p.sex,
            (_, Some(r)) => {
                warnings.push(FormatWarning::new(
                    Location::File,
                    format!("{}: sex unknown, written as {} (a parent's column implies it)", ids[&id], sex_code(r)),
                ));
                r
            }
            (_, None) => {
                warnings.push(FormatWarning::new(
                    Location::File,
                    format!("{}: sex unknown or intersex, written as U (CanRisk's models need M or F)", ids[&id]),
                ));
                Sex::Unknown
            }
        };
        let name = if options.names {
            let n: String = p
                .primary_name()
                .map(|n| n.given.split_whitespace().next().unwrap_or("").to_string())
                .unwrap_or_default()
                .chars()
                .filter(|c| c.is_alphanumeric() || *c == '-')
                .take(8)
                .collect();
            if n.is_empty() {
                ids[&id].clone()
            } else {
                n
            }
        } else {
            ids[&id].clone()
        };
        let (dead, age) = match &p.vital_status {
            VitalStatus::Alive { age } => ("0", *age),
            VitalStatus::Deceased { age, .. } => ("1", *age),
            VitalStatus::Unknown => ("0", None),
        };
        let age = age.map(|a| format!("{}", a.round() as i64)).unwrap_or_else(|| "0".into());
        let yob = p.birth().and_then(|d| d.year()).map(|y| y.to_string()).unwrap_or_else(|| "0".into());
        let mut row = vec![
            famid.clone(),
            name,
            if id == proband.id { "1" } else { "0" }.into(),
            ids[&id].clone(),
            col(bp.father),
            col(bp.mother),
            sex_code(sex).into(),
            mz.get(&id).map(|c| c.to_string()).unwrap_or_else(|| "0".into()),
            dead.into(),
            age,
            yob,
        ];
        row.extend(cancer_columns(p, catalog, &ids[&id], &mut warnings));
        row.push("0".into()); // Ashkn: the model has no ancestry yet.
        for g in genes {
            row.push(gene_column(p, g, &ids[&id], &mut warnings));
        }
        row.push("0:0:0:0:0".into());
        rows.push(row);
    }
    for r in rows {
        out.push_str(&r.join("\t"));
        out.push('\n');
    }
    let other_tests: usize = snapshot
        .persons
        .iter()
        .flat_map(|p| &p.genetic_tests)
        .filter(|t| !genes.iter().any(|g| g.eq_ignore_ascii_case(t.gene.trim())))
        .count();
    if other_tests > 0 {
        warnings.push(FormatWarning::new(
            Location::File,
            format!("{other_tests} genetic test results for genes without a CanRisk column not written"),
        ));
    }
    Ok(Exported { text: out, warnings })
}

fn sex_code(s: Sex) -> &'static str {
    match s {
        Sex::Male => "M",
        Sex::Female => "F",
        _ => "U",
    }
}

/// IndivIDs: the xref without `@`s when it has at most 7 letters/digits and is not `0`, else
/// `P1`, `P2`... (CanRisk allows 7 characters).
fn canrisk_ids(persons: &[Person]) -> HashMap<Uuid, String> {
    let mut out: HashMap<Uuid, String> = HashMap::new();
    let mut taken: HashSet<String> = HashSet::new();
    for p in persons {
        if let Some(x) = p.xref.as_deref().map(|x| x.trim().trim_matches('@')) {
            if !x.is_empty()
                && x.len() <= 7
                && x != "0"
                && x.chars().all(|c| c.is_ascii_alphanumeric())
                && taken.insert(x.to_string())
            {
                out.insert(p.id, x.to_string());
            }
        }
    }
    let mut n = 0;
    for p in persons {
        if !out.contains_key(&p.id) {
            loop {
                n += 1;
                let id = format!("P{n}");
                if taken.insert(id.clone()) {
                    out.insert(p.id, id);
                    break;
                }
            }
        }
    }
    out
}

fn unique_id(ids: &HashMap<Uuid, String>, prefix: &str, start: usize) -> String {
    let taken: HashSet<&String> = ids.values().collect();
    (start..).map(|n| format!("{prefix}{n}")).find(|c| !taken.contains(c)).expect("an unused id exists")
}

/// BC1, BC2, OC, PRO, PAN: the age at diagnosis of affected observations (`AU` without an age),
/// `0` otherwise. A second breast cancer is BC2 (CanRisk: contralateral).
fn cancer_columns(p: &Person, catalog: &Catalog, id: &str, warnings: &mut Vec<FormatWarning>) -> Vec<String> {
    let mut found: HashMap<&'static str, Vec<Option<AgeRange>>> = HashMap::new();
    for o in p.conditions.iter().filter(|o| o.status == ConditionStatus::Affected) {
        let key = match cancer_of(o, catalog) {
            Some(Cancer::Breast) => "BC",
            Some(Cancer::Ovarian) => "OC",
            Some(Cancer::Prostate) => "PRO",
            Some(Cancer::Pancreatic) => "PAN",
            None => continue,
        };
        found.entry(key).or_default().push(o.onset);
    }
    let age = |r: &Option<AgeRange>, warnings: &mut Vec<FormatWarning>| -> String {
        match r {
            None => "AU".into(),
            Some(r) => {
                let v = if r.min == r.max {
                    r.min
                } else {
                    warnings.push(FormatWarning::new(
                        Location::File,
                        format!("{id}: onset {}–{} written as its midpoint (CanRisk takes one age)", r.min, r.max),
                    ));
                    (r.min + r.max) / 2.0
                };
                format!("{}", (v.round() as i64).max(1))
            }
        }
    };
    let mut out = Vec::with_capacity(5);
    let mut breast = found.remove("BC").unwrap_or_default();
    breast.sort_by(|a, b| {
        let k = |r: &Option<AgeRange>| r.map(|r| r.min).unwrap_or(f64::MAX);
        k(a).total_cmp(&k(b))
    });
    if breast.len() > 2 {
        warnings.push(FormatWarning::new(
            Location::File,
            format!("{id}: more than two breast cancers; the first two written"),
        ));
    }
    out.push(breast.first().map(|r| age(r, warnings)).unwrap_or_else(|| "0".into()));
    out.push(breast.get(1).map(|r| age(r, warnings)).unwrap_or_else(|| "0".into()));
    for key in ["OC", "PRO", "PAN"] {
        let v = found.remove(key).unwrap_or_default();
        let first = v.iter().min_by(|a, b| {
            let k = |r: &&Option<AgeRange>| r.map(|r| r.min).unwrap_or(f64::MAX);
            k(a).total_cmp(&k(b))
        });
        out.push(first.map(|r| age(r, warnings)).unwrap_or_else(|| "0".into()));
    }
    out
}

/// `type:result` for one gene: a positive test wins over negatives; VUS and inconclusive results
/// have no CanRisk code.
fn gene_column(p: &Person, gene: &str, id: &str, warnings: &mut Vec<FormatWarning>) -> String {
    let tests: Vec<&GeneticTest> =
        p.genetic_tests.iter().filter(|t| t.gene.trim().eq_ignore_ascii_case(gene)).collect();
    let pick = tests
        .iter()
        .find(|t| t.result == TestResult::Positive)
        .or_else(|| tests.iter().find(|t| t.result == TestResult::Negative));
    for t in &tests {
        if matches!(t.result, TestResult::Vus | TestResult::Inconclusive) {
            warnings.push(FormatWarning::new(
                Location::File,
                format!("{id}: {gene} {:?} result not written (CanRisk has positive or negative only)", t.result),
            ));
        }
    }
    match pick {
        None => "0:0".into(),
        Some(t) => {
            let direct = t.method.as_deref().is_some_and(|m| {
                let m = m.to_ascii_lowercase();
                m.contains("direct") || m.contains("targeted") || m.contains("familial")
            });
            let result = if t.result == TestResult::Positive { "P" } else { "N" };
            format!("{}:{result}", if direct { "T" } else { "S" })
        }
    }
}

/// Reads a CanRisk pedigree file (versions 1–4).
pub fn import_canrisk(bytes: &[u8], catalog: &Catalog) -> Result<ImportedFamily, FormatError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let line = bytes[..e.valid_up_to()].iter().filter(|&&b| b == b'\n').count() + 1;
        FormatError::new(F, Location::Line(line), "not UTF-8 text")
    })?;
    let mut warnings = Vec::new();
    let mut version: Option<u32> = None;
    let mut header_seen = false;
    let mut rows: Vec<Row> = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let l = raw.trim_end_matches('\r');
        if l.trim().is_empty() {
            continue;
        }
        if version.is_none() {
            let v =
                l.trim().strip_prefix("##CanRisk").map(|rest| rest.split(';').next().unwrap_or("").trim()).ok_or_else(
                    || {
                        FormatError::new(
                            F,
                            Location::Line(line),
                            "not a CanRisk file: the first line must be \"##CanRisk <version>\"",
                        )
                    },
                )?;
            let major = v.split('.').next().and_then(|m| m.parse::<u32>().ok()).filter(|m| (1..=4).contains(m));
            version = Some(major.ok_or_else(|| {
                FormatError::new(
                    F,
                    Location::Line(line),
                    format!("CanRisk file format version {v:?} is not 1.0 to 4.0"),
                )
            })?);
            if l.contains(';') {
                warnings.push(FormatWarning::new(Location::Line(line), "surgery data on the ##CanRisk line not kept"));
            }
            continue;
        }
        let v = version.expect("set above");
        let expected = FIRST.len() + genes(v).len() + 1;
        if let Some(h) = l.strip_prefix("##") {
            if h.starts_with("FamID") {
                let cols: Vec<&str> = h.split(['\t', ' ']).filter(|c| !c.is_empty()).collect();
                let want: Vec<&str> = FIRST.iter().chain(genes(v)).copied().chain([PATHOLOGY]).collect();
                if cols != want {
                    let at = cols
                        .iter()
                        .zip(&want)
                        .position(|(a, b)| !a.eq_ignore_ascii_case(b))
                        .unwrap_or(cols.len().min(want.len()));
                    return Err(FormatError::new(
                        F,
                        Location::Line(line),
                        format!(
                            "the column header does not match CanRisk {v}.0: column {} is {:?}, expected {:?}",
                            at + 1,
                            cols.get(at).copied().unwrap_or("(missing)"),
                            want.get(at).copied().unwrap_or("(no more columns)")
                        ),
                    ));
                }
                header_seen = true;
            } else if !h.trim().is_empty() {
                warnings.push(FormatWarning::new(
                    Location::Line(line),
                    format!("risk-factor line ##{} not kept (Kinvault does not record it)", h.trim()),
                ));
            }
            continue;
        }
        if !header_seen {
            return Err(FormatError::new(F, Location::Line(line), "a data line before the ##FamID column header"));
        }
        let cols: Vec<&str> =
            if l.contains('\t') { l.split('\t').map(str::trim).collect() } else { l.split_whitespace().collect() };
        if cols.len() != expected {
            return Err(FormatError::new(
                F,
                Location::Line(line),
                format!("found {} columns, expected {expected} for CanRisk {v}.0", cols.len()),
            ));
        }
        rows.push(parse_row(line, v, &cols)?);
    }
    if version.is_none() {
        return Err(FormatError::new(F, Location::File, "empty file: not a CanRisk pedigree"));
    }
    if rows.is_empty() {
        return Err(FormatError::new(F, Location::File, "no individuals: the file has no data lines"));
    }

    let mut index: HashMap<&str, usize> = HashMap::new();
    for (i, r) in rows.iter().enumerate() {
        if let Some(&j) = index.get(r.id.as_str()) {
            return Err(FormatError::new(
                F,
                Location::Field { line: r.line, field: "IndivID".into() },
                format!("{} appears twice (first at line {})", r.id, rows[j].line),
            ));
        }
        index.insert(&r.id, i);
    }
    let famids: HashSet<&str> = rows.iter().map(|r| r.famid.as_str()).collect();
    if famids.len() > 1 {
        warnings.push(FormatWarning::new(
            Location::File,
            format!("{} FamIDs in one file: imported as one family", famids.len()),
        ));
    }
    let targets: Vec<&Row> = rows.iter().filter(|r| r.target).collect();
    if targets.len() > 1 {
        return Err(FormatError::new(
            F,
            Location::Field { line: targets[1].line, field: "Target".into() },
            format!("a second target ({}, the first is {} at line {})", targets[1].id, targets[0].id, targets[0].line),
        ));
    }
    if targets.is_empty() {
        warnings.push(FormatWarning::new(Location::File, "no Target: the proband is not known"));
    }

    let mut persons: Vec<Person> = rows.iter().map(|r| r.person.clone()).collect();
    let mut pairs: Vec<(usize, Option<usize>, Option<usize>)> = Vec::new();
    for (i, r) in rows.iter().enumerate() {
        let mut found = [None, None];
        for (slot, (token, field, want)) in
            [(&r.father, "FathID", Sex::Male), (&r.mother, "MothID", Sex::Female)].into_iter().enumerate()
        {
            if token == "0" {
                continue;
            }
            let at = Location::Field { line: r.line, field: field.into() };
            let Some(&j) = index.get(token.as_str()) else {
                return Err(FormatError::new(F, at, format!("{token} is not in the file")));
            };
            if j == i {
                return Err(FormatError::new(F, at, format!("{token} is listed as their own parent")));
            }
            if rows[j].person.sex != want {
                return Err(FormatError::new(
                    F,
                    at,
                    format!(
                        "{token} is the {} of {} but has sex {} at line {}",
                        if want == Sex::Male { "father" } else { "mother" },
                        r.id,
                        sex_code(rows[j].person.sex),
                        rows[j].line
                    ),
                ));
            }
            found[slot] = Some(j);
        }
        if found[0].is_some() != found[1].is_some() {
            warnings.push(FormatWarning::new(
                Location::Line(r.line),
                format!("{} has one parent in the file; CanRisk expects both or none", r.id),
            ));
        }
        pairs.push((i, found[0], found[1]));
    }
    let mut families: Vec<Family> = Vec::new();
    let mut fam_of: HashMap<(Option<usize>, Option<usize>), usize> = HashMap::new();
    for &(child, father, mother) in &pairs {
        if father.is_none() && mother.is_none() {
            continue;
        }
        let fi = *fam_of.entry((father, mother)).or_insert_with(|| {
            families.push(Family::new([father, mother].into_iter().flatten().map(|j| persons[j].id).collect()));
            families.len() - 1
        });
        families[fi].children.push(FamilyChild { person: persons[child].id, links: vec![] });
    }
    // Monozygotic twins: same mark, same parents.
    let mut marks: Vec<(String, Vec<usize>)> = Vec::new();
    for (i, r) in rows.iter().enumerate() {
        if let Some(m) = &r.mztwin {
            match marks.iter_mut().find(|(k, _)| k == m) {
                Some((_, v)) => v.push(i),
                None => marks.push((m.clone(), vec![i])),
            }
        }
    }
    for (mark, members) in marks {
        let r0 = &rows[members[0]];
        if members.len() < 2 {
            warnings.push(FormatWarning::new(
                Location::Field { line: r0.line, field: "MZtwin".into() },
                format!("twin mark {mark} is on one person only: ignored"),
            ));
            continue;
        }
        let key = (pairs[members[0]].1, pairs[members[0]].2);
        if let Some(&other) = members.iter().find(|&&m| (pairs[m].1, pairs[m].2) != key) {
            return Err(FormatError::new(
                F,
                Location::Field { line: rows[other].line, field: "MZtwin".into() },
                format!(
                    "{} and {} are marked monozygotic twins ({mark}) but have different parents",
                    r0.id, rows[other].id
                ),
            ));
        }
        let Some(&fi) = fam_of.get(&key) else {
            warnings.push(FormatWarning::new(
                Location::Field { line: r0.line, field: "MZtwin".into() },
                format!("twins marked {mark} have no parents in the file: twin link not kept"),
            ));
            continue;
        };
        families[fi].twins.push(TwinSet {
            members: members.iter().map(|&m| persons[m].id).collect(),
            zygosity: Zygosity::Monozygotic,
        });
    }
    let proband = targets.first().map(|t| index[t.id.as_str()]);
    if let Some(p) = proband {
        persons[p].proband = true;
    }
    // Conditions come with kinvault codes from the catalog (pancreatic: SNOMED CT).
    for (i, r) in rows.iter().enumerate() {
        for (cancer, onset, note) in &r.cancers {
            let def: Option<&ConditionDef> = cancer.catalog_id().and_then(|id| catalog.get(id));
            let (code, label) = match def {
                Some(d) => (d.kinvault_code(), d.name.clone()),
                None => (Code::new(CodeSystem::Snomed, PANCREATIC.0, PANCREATIC.1), PANCREATIC.1.to_string()),
            };
            let mut o = imported_observation(catalog, F, Some(code), Some(&label), ConditionStatus::Affected, *onset);
            o.note = note.map(str::to_string);
            persons[i].conditions.push(o);
        }
        for w in &r.warnings {
            warnings.push(FormatWarning::new(Location::Line(r.line), w.clone()));
        }
    }
    let (_, graph_warnings) = FamilyGraph::build(persons.iter().map(|p| (p.id, p.sex)), families.iter());
    for w in graph_warnings {
        if let GraphWarning::Cycle { people, .. } = w {
            let x = |id: &Uuid| persons.iter().find(|p| p.id == *id).and_then(|p| p.xref.clone()).unwrap_or_default();
            let chain: Vec<String> = people.iter().map(x).collect();
            return Err(FormatError::new(
                F,
                Location::File,
                format!("{} is their own ancestor (each a child of the next: {})", chain[0], chain.join(" → ")),
            ));
        }
    }
    Ok(ImportedFamily { proband: proband.map(|p| persons[p].id), persons, families, warnings })
}

struct Row {
    line: usize,
    famid: String,
    id: String,
    target: bool,
    father: String,
    mother: String,
    mztwin: Option<String>,
    person: Person,
    cancers: Vec<(Cancer, Option<AgeRange>, Option<&'static str>)>,
    warnings: Vec<String>,
}

fn parse_row(line: usize, version: u32, c: &[&str]) -> Result<Row, FormatError> {
    let at = |field: &str| Location::Field { line, field: field.into() };
    let err = |field: &str, reason: String| FormatError::new(F, at(field), reason);
    let id = c[3];
    if id.is_empty() || id == "0" {
        return Err(err("IndivID", format!("{id:?} is not an individual id")));
    }
    let target = match c[2] {
        "1" => true,
        "0" => false,
        o => return Err(err("Target", format!("{o:?} is not 0 or 1"))),
    };
    let sex = match c[6] {
        "M" | "m" => Sex::Male,
        "F" | "f" => Sex::Female,
        "U" | "u" => Sex::Unknown,
        o => return Err(err("Sex", format!("{o:?} is not M, F or U"))),
    };
    let mztwin = match c[7] {
        "0" => None,
        m if m.chars().count() == 1 && m.chars().all(|ch| ch.is_ascii_alphanumeric()) => Some(m.to_string()),
        o => return Err(err("MZtwin", format!("{o:?} is not 0 or one letter or digit"))),
    };
    let dead = match c[8] {
        "0" => false,
        "1" => true,
        o => return Err(err("Dead", format!("{o:?} is not 0 (alive) or 1 (dead)"))),
    };
    let int = |field: &str, v: &str, max: u32| -> Result<Option<u32>, FormatError> {
        match v.parse::<u32>() {
            Ok(0) => Ok(None),
            Ok(n) if n <= max => Ok(Some(n)),
            _ => Err(err(field, format!("{v:?} is not a whole number from 0 to {max}"))),
        }
    };
    let age = int("Age", c[9], 125)?;
    let yob = int("Yob", c[10], 2200)?;
    if yob.is_some_and(|y| y < 1800) {
        return Err(err("Yob", format!("{} is not a plausible year of birth", c[10])));
    }
    let mut p = new_person(id, sex);
    let name = c[1].trim();
    if !name.is_empty() && name != "NA" && name != id {
        p.names.push(PersonName::new(name, ""));
    }
    if let Some(y) = yob {
        p.set_event_date(EventKind::Birth, Some(&y.to_string()));
    }
    p.vital_status = if dead {
        VitalStatus::Deceased { age: age.map(f64::from), date: None, cause: None }
    } else {
        VitalStatus::Alive { age: age.map(f64::from) }
    };
    let mut cancers = Vec::new();
    for (k, (field, cancer)) in [
        ("BC1", Cancer::Breast),
        ("BC2", Cancer::Breast),
        ("OC", Cancer::Ovarian),
        ("PRO", Cancer::Prostate),
        ("PAN", Cancer::Pancreatic),
    ]
    .into_iter()
    .enumerate()
    {
        let v = c[11 + k];
        let onset = match v {
            "0" => continue,
            "AU" | "au" => None,
            _ => Some(AgeRange::exact(f64::from(
                int(field, v, 125)?.ok_or_else(|| err(field, "an age at diagnosis of 0".into()))?,
            ))),
        };
        let note = (field == "BC2").then_some("second (contralateral) breast cancer, CanRisk BC2");
        cancers.push((cancer, onset, note));
    }
    let mut warnings = Vec::new();
    match c[16] {
        "0" => {}
        "1" => {
            warnings.push(format!("{id}: Ashkenazi Jewish ancestry not kept (Kinvault does not record ancestry yet)"))
        }
        o => return Err(err("Ashkn", format!("{o:?} is not 0 or 1"))),
    }
    for (k, gene) in genes(version).iter().enumerate() {
        let v = c[17 + k];
        let (ty, result) =
            v.split_once(':').ok_or_else(|| err(gene, format!("{v:?} is not type:result (e.g. S:P, T:N, 0:0)")))?;
        let method = match ty {
            "0" => None,
            "S" => Some("mutation search"),
            "T" => Some("direct gene test"),
            o => {
                return Err(err(gene, format!("test type {o:?} is not 0, S (mutation search) or T (direct gene test)")))
            }
        };
        let result = match result {
            "0" if ty == "0" => continue,
            "0" => return Err(err(gene, format!("{v:?}: a test type without a result"))),
            "P" => TestResult::Positive,
            "N" => TestResult::Negative,
            o => return Err(err(gene, format!("test result {o:?} is not 0, P (positive) or N (negative)"))),
        };
        p.genetic_tests.push(GeneticTest {
            id: kinvault_model::new_id(),
            gene: gene.to_string(),
            variant: None,
            acmg_class: None,
            result,
            method: method.map(str::to_string),
            sensitivity: None,
            lab: None,
            date: None,
            provenance: Provenance::Imported { format: F.provenance().to_string() },
        });
    }
    let path_col = c[17 + genes(version).len()];
    let parts: Vec<&str> = path_col.split(':').collect();
    if parts.len() != 5 || parts.iter().any(|s| !matches!(*s, "0" | "P" | "N")) {
        return Err(err(PATHOLOGY, format!("{path_col:?} is not five of 0, P, N separated by ':'")));
    }
    if parts.iter().any(|s| *s != "0") {
        warnings.push(format!(
            "{id}: breast tumour pathology {path_col} kept as a note only (Kinvault does not record it)"
        ));
        p.notes.push(Note { text: format!("CanRisk breast tumour pathology (ER:PR:HER2:CK14:CK56): {path_col}") });
    }
    Ok(Row {
        line,
        famid: c[0].to_string(),
        id: id.to_string(),
        target,
        father: c[4].to_string(),
        mother: c[5].to_string(),
        mztwin,
        person: p,
        cancers,
        warnings,
    })
}
