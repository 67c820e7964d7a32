//! PED / PLINK `.fam` ⇄ model: `FID IID father mother sex phenotype`, one line per person,
//! with one chosen catalog condition as the phenotype.
//!
//! Export ([`export_ped`]): tab-separated, parents before children, one family id for everyone.
//! IIDs are the GEDCOM xref without `@`s when usable (unique, no whitespace or `#`, not `0`),
//! else the last 8 hex digits of the person's id. Father and mother are the biological parents
//! (birth or unknown links; adoptive, foster, step and sealing links are not written); a founder's
//! parents are `0`. Sex: 1 male, 2 female, 0 otherwise. Phenotype for the chosen condition
//! (observations linked to the catalog entry): 2 affected, 1 unaffected, else the missing value
//! (`-9` by default, or `0`).
//!
//! Import ([`import_ped`]): fields separated by spaces or tabs, `#` comment lines and an optional
//! `FID IID ...` header skipped, 5 columns (no phenotype) or 6. With a condition, phenotype 2/1
//! become an affected/unaffected observation of it, 0/-9/NA none. A parent id that is not in
//! the file (same FID) is read as unknown, with a warning, as PLINK does. Errors name the line
//! and the column: wrong column count, duplicate id, a parent whose sex contradicts the column
//! (a female father), one person as both father and mother, a bad sex or phenotype code,
//! someone their own ancestor.
//!
//! Mapping and losses: `docs/interop.md`.

use std::collections::{HashMap, HashSet};

use kinvault_catalog::{Catalog, ConditionDef};
use kinvault_model::{ConditionStatus, Person, Sex};
use kinvault_pedigree::{FamilyGraph, GraphWarning};
use uuid::Uuid;

use crate::family::{
    bio_parents, families_from_parents, imported_observation, new_person, stable_ids, Exported, FamilySnapshot, Format,
    FormatError, FormatWarning, ImportedFamily, Location, ParentPair,
};

const F: Format = Format::Ped;

/// How an unknown phenotype is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MissingPhenotype {
    /// `-9`: PLINK's missing value, never mistaken for a quantitative 0.
    #[default]
    Minus9,
    /// `0`: what LINKAGE-style tools (GATK, peddy, KING) write.
    Zero,
}

/// What to write.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PedExportOptions {
    /// The catalog condition written as the phenotype. `None`: every phenotype is missing.
    pub condition: Option<String>,
    /// The FID column. Default: the proband's IID, else `FAM1`.
    pub family_id: Option<String>,
    pub missing: MissingPhenotype,
}

/// How to read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PedImportOptions {
    /// The catalog condition the phenotype column records. `None`: the column is ignored (with a
    /// warning if it holds any case or control).
    pub condition: Option<String>,
}

/// Writes the snapshot as a PLINK `.fam` file. Fails only for an unknown condition or an
/// unusable family id.
pub fn export_ped(
    snapshot: &FamilySnapshot,
    catalog: &Catalog,
    options: &PedExportOptions,
) -> Result<Exported, FormatError> {
    let condition = options.condition.as_deref().map(|id| condition_def(catalog, id)).transpose()?;
    let ids = stable_ids(snapshot.persons, id_char_ok, &["0"], usize::MAX);
    let fid = match &options.family_id {
        Some(f) if f.is_empty() || !f.chars().all(id_char_ok) => {
            return Err(FormatError::new(
                F,
                Location::File,
                format!("family id {f:?} is empty or has whitespace or '#'; PED ids are single words"),
            ))
        }
        Some(f) => f.clone(),
        None => snapshot.proband_id().and_then(|p| ids.get(&p).cloned()).unwrap_or_else(|| "FAM1".to_string()),
    };
    let (graph, mut warnings) = snapshot.graph();
    let parents = bio_parents(&graph, snapshot.persons);
    let by_id: HashMap<Uuid, &Person> = snapshot.persons.iter().map(|p| (p.id, p)).collect();

    let mut legal_links = 0usize;
    for p in snapshot.persons {
        if let Some(ix) = graph.index_of(p.id) {
            legal_links += graph.legal_parents(ix).count();
        }
    }
    if legal_links > 0 {
        warnings.push(FormatWarning::new(
            Location::File,
            format!(
                "{legal_links} adoptive/foster/step/sealing parent links not written (PED has biological parents only)"
            ),
        ));
    }

    let mut out = String::new();
    for id in parents_first(snapshot.persons, &parents) {
        let p = by_id[&id];
        let bp = &parents[&id];
        let col = |parent: Option<Uuid>| parent.map(|q| ids[&q].as_str()).unwrap_or("0");
        for (parent, want, column) in [(bp.father, Sex::Male, "father"), (bp.mother, Sex::Female, "mother")] {
            if let Some(q) = parent.map(|q| by_id[&q]) {
                if q.sex != want && q.sex != Sex::Unknown {
                    warnings.push(FormatWarning::new(
                        Location::File,
                        format!(
                            "{} is written as the {column} of {} but is recorded {:?}",
                            ids[&q.id], ids[&id], q.sex
                        ),
                    ));
                }
            }
        }
        if p.sex == Sex::Intersex {
            warnings
                .push(FormatWarning::new(Location::File, format!("{}: intersex written as sex 0 (unknown)", ids[&id])));
        }
        let sex = match p.sex {
            Sex::Male => "1",
            Sex::Female => "2",
            _ => "0",
        };
        let pheno = match condition.map(|c| status_for(p, catalog, c)) {
            Some(ConditionStatus::Affected) => "2",
            Some(ConditionStatus::Unaffected) => "1",
            _ => match options.missing {
                MissingPhenotype::Minus9 => "-9",
                MissingPhenotype::Zero => "0",
            },
        };
        out.push_str(&format!("{fid}\t{}\t{}\t{}\t{sex}\t{pheno}\n", ids[&id], col(bp.father), col(bp.mother)));
    }
    Ok(Exported { text: out, warnings })
}

/// Reads a PED / `.fam` file. See the module docs for what is accepted and rejected.
pub fn import_ped(bytes: &[u8], catalog: &Catalog, options: &PedImportOptions) -> Result<ImportedFamily, FormatError> {
    let condition = options.condition.as_deref().map(|id| condition_def(catalog, id)).transpose()?;
    let text = decode(bytes)?;
    let rows = parse_rows(text)?;
    let mut warnings = Vec::new();

    // Ids: (FID, IID) → row index.
    let mut key: HashMap<(&str, &str), usize> = HashMap::new();
    for (i, r) in rows.iter().enumerate() {
        if let Some(&j) = key.get(&(r.fid, r.iid)) {
            return Err(FormatError::new(
                F,
                Location::Field { line: r.line, field: "column 2 (IID)".into() },
                format!("{} appears twice in family {} (first at line {})", r.iid, r.fid, rows[j].line),
            ));
        }
        key.insert((r.fid, r.iid), i);
    }
    let mut iid_count: HashMap<&str, usize> = HashMap::new();
    for r in &rows {
        *iid_count.entry(r.iid).or_default() += 1;
    }
    let fids: HashSet<&str> = rows.iter().map(|r| r.fid).collect();

    let mut persons: Vec<Person> = rows
        .iter()
        .map(|r| {
            let xref = if iid_count[r.iid] == 1 { r.iid.to_string() } else { format!("{}:{}", r.fid, r.iid) };
            new_person(&xref, r.sex)
        })
        .collect();

    // Parents, with role checks.
    let mut role: HashMap<usize, (&str, usize)> = HashMap::new(); // row → (role, line that gave it)
    let mut pairs = Vec::with_capacity(rows.len());
    for r in &rows {
        let mut found = [None, None];
        for (slot, (token, column, want, name)) in
            [(r.father, 3, Sex::Male, "father"), (r.mother, 4, Sex::Female, "mother")].into_iter().enumerate()
        {
            if token == "0" {
                continue;
            }
            let field = format!("column {column} ({name})");
            if token == r.iid {
                return Err(FormatError::new(
                    F,
                    Location::Field { line: r.line, field },
                    format!("{} is listed as their own {name}", r.iid),
                ));
            }
            let Some(&j) = key.get(&(r.fid, token)) else {
                warnings.push(FormatWarning::new(
                    Location::Field { line: r.line, field },
                    format!("{name} {token} is not in the file (family {}); {} is read without a {name}", r.fid, r.iid),
                ));
                continue;
            };
            let parent = &rows[j];
            let contradicts = parent.sex != want && parent.sex != Sex::Unknown;
            if contradicts {
                return Err(FormatError::new(
                    F,
                    Location::Field { line: r.line, field },
                    format!(
                        "{token} is listed as {name} of {} but has sex {} ({}) at line {}",
                        r.iid,
                        parent.sex_token,
                        if parent.sex == Sex::Male { "male" } else { "female" },
                        parent.line
                    ),
                ));
            }
            match role.get(&j) {
                Some(&(other, line)) if other != name => {
                    return Err(FormatError::new(
                        F,
                        Location::Field { line: r.line, field },
                        format!("{token} is listed as {name} here but as {other} at line {line}"),
                    ))
                }
                Some(_) => {}
                None => {
                    role.insert(j, (name, r.line));
                }
            }
            found[slot] = Some(j);
        }
        pairs.push(ParentPair {
            child: persons[key[&(r.fid, r.iid)]].id,
            father: found[0].map(|j| persons[j].id),
            mother: found[1].map(|j| persons[j].id),
        });
    }

    // Phenotypes.
    let mut ignored = 0usize;
    for (i, r) in rows.iter().enumerate() {
        let Some(token) = r.pheno else { continue };
        let status = match token {
            "2" => Some(ConditionStatus::Affected),
            "1" => Some(ConditionStatus::Unaffected),
            "0" | "-9" | "NA" | "na" => None,
            other => {
                if condition.is_some() {
                    return Err(FormatError::new(
                        F,
                        Location::Field { line: r.line, field: "column 6 (phenotype)".into() },
                        format!(
                            "phenotype {other:?} is not 2 (affected), 1 (unaffected), 0 or -9 (unknown); \
                             a quantitative phenotype cannot be read as a condition"
                        ),
                    ));
                }
                ignored += 1;
                None
            }
        };
        match (status, condition) {
            (Some(s), Some(c)) => persons[i].conditions.push(imported_observation(
                catalog,
                F,
                Some(c.kinvault_code()),
                Some(&c.name),
                s,
                None,
            )),
            (Some(_), None) => ignored += 1,
            (None, _) => {}
        }
    }
    if ignored > 0 {
        warnings.push(FormatWarning::new(
            Location::File,
            format!("{ignored} phenotype values ignored: give the condition the phenotype column records"),
        ));
    }
    if fids.len() > 1 {
        warnings.push(FormatWarning::new(
            Location::File,
            format!(
                "{} families (FID) imported together; the family ids are not kept (an IID used in two families \
                 gets the xref FID:IID)",
                fids.len()
            ),
        ));
    }

    let families = families_from_parents(&pairs);
    // Someone their own ancestor is an error, not a warning: the file is inconsistent.
    let (_, graph_warnings) = FamilyGraph::build(persons.iter().map(|p| (p.id, p.sex)), families.iter());
    let xref_of: HashMap<Uuid, &str> = persons.iter().map(|p| (p.id, p.xref.as_deref().unwrap_or(""))).collect();
    for w in &graph_warnings {
        if let GraphWarning::Cycle { people, .. } = w {
            let chain: Vec<&str> = people.iter().map(|id| xref_of[id]).collect();
            return Err(FormatError::new(
                F,
                Location::File,
                format!(
                    "{} is their own ancestor (each listed as a child of the next: {})",
                    chain[0],
                    chain.join(" → ")
                ),
            ));
        }
    }
    Ok(ImportedFamily { persons, families, proband: None, warnings })
}

fn condition_def<'c>(catalog: &'c Catalog, id: &str) -> Result<&'c ConditionDef, FormatError> {
    catalog.get(id).ok_or_else(|| {
        FormatError::new(F, Location::File, format!("unknown condition {id:?}: give an id from the condition catalog"))
    })
}

/// PED ids are single tokens; `#` would start a comment line when it begins one.
fn id_char_ok(c: char) -> bool {
    !c.is_whitespace() && !c.is_control() && c != '#'
}

/// The person's status for `condition`: affected if any linked observation says so, else
/// unaffected if any says that, else unknown.
pub(crate) fn status_for(p: &Person, catalog: &Catalog, condition: &ConditionDef) -> ConditionStatus {
    let mut status = ConditionStatus::Unknown;
    for o in &p.conditions {
        if catalog.link(o).is_some_and(|c| c.id == condition.id) {
            match o.status {
                ConditionStatus::Affected => return ConditionStatus::Affected,
                ConditionStatus::Unaffected => status = ConditionStatus::Unaffected,
                ConditionStatus::Unknown => {}
            }
        }
    }
    status
}

/// Person ids with every biological parent before its children, otherwise in input order.
pub(crate) fn parents_first(persons: &[Person], parents: &HashMap<Uuid, crate::family::BioParents>) -> Vec<Uuid> {
    let mut done: HashSet<Uuid> = HashSet::with_capacity(persons.len());
    let mut out = Vec::with_capacity(persons.len());
    for p in persons {
        let mut stack = vec![(p.id, false)];
        while let Some((id, expanded)) = stack.pop() {
            if done.contains(&id) {
                continue;
            }
            if expanded {
                done.insert(id);
                out.push(id);
                continue;
            }
            stack.push((id, true));
            if let Some(bp) = parents.get(&id) {
                // Pushed mother first so the father is written first. The graph has no cycles,
                // so this ends.
                for q in [bp.mother, bp.father].into_iter().flatten() {
                    if !done.contains(&q) {
                        stack.push((q, false));
                    }
                }
            }
        }
    }
    out
}

/// UTF-8 text without a BOM; invalid bytes are an error naming their line.
pub(crate) fn decode(bytes: &[u8]) -> Result<&str, FormatError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    std::str::from_utf8(bytes).map_err(|e| {
        let line = bytes[..e.valid_up_to()].iter().filter(|&&b| b == b'\n').count() + 1;
        FormatError::new(F, Location::Line(line), "not UTF-8 text (is this a binary .bed/.pgen file?)")
    })
}

struct Row<'a> {
    line: usize,
    fid: &'a str,
    iid: &'a str,
    father: &'a str,
    mother: &'a str,
    sex: Sex,
    sex_token: &'a str,
    pheno: Option<&'a str>,
}

fn parse_rows(text: &str) -> Result<Vec<Row<'_>>, FormatError> {
    let mut rows = Vec::new();
    let mut columns: Option<(usize, usize)> = None; // (count, line)
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let l = raw.trim();
        if l.is_empty() || l.starts_with('#') {
            continue;
        }
        let t: Vec<&str> = l.split_whitespace().collect();
        if columns.is_none() && t.len() >= 2 && t[0].eq_ignore_ascii_case("FID") && t[1].eq_ignore_ascii_case("IID") {
            continue; // a header line
        }
        if t.len() != 5 && t.len() != 6 {
            let hint =
                if t.len() > 6 { " (genotype columns are not read: convert with plink2 --make-just-fam)" } else { "" };
            return Err(FormatError::new(
                F,
                Location::Line(line),
                format!("expected 5 or 6 columns (FID IID father mother sex [phenotype]), found {}{hint}", t.len()),
            ));
        }
        match columns {
            Some((n, first)) if n != t.len() => {
                return Err(FormatError::new(
                    F,
                    Location::Line(line),
                    format!("{} columns, but line {first} has {n}: every line must have the same columns", t.len()),
                ))
            }
            Some(_) => {}
            None => columns = Some((t.len(), line)),
        }
        if t[1] == "0" {
            return Err(FormatError::new(
                F,
                Location::Field { line, field: "column 2 (IID)".into() },
                "individual id 0 is reserved for an unknown parent",
            ));
        }
        let sex = match t[4] {
            "1" | "M" | "m" => Sex::Male,
            "2" | "F" | "f" => Sex::Female,
            "0" | "-9" | "U" | "u" | "NA" | "na" => Sex::Unknown,
            other => {
                return Err(FormatError::new(
                    F,
                    Location::Field { line, field: "column 5 (sex)".into() },
                    format!("sex {other:?} is not 1 (male), 2 (female) or 0 (unknown)"),
                ))
            }
        };
        if t[2] != "0" && t[2] == t[3] {
            return Err(FormatError::new(
                F,
                Location::Field { line, field: "column 4 (mother)".into() },
                format!("{} is listed as both father and mother", t[2]),
            ));
        }
        rows.push(Row {
            line,
            fid: t[0],
            iid: t[1],
            father: t[2],
            mother: t[3],
            sex,
            sex_token: t[4],
            pheno: t.get(5).copied(),
        });
    }
    if rows.is_empty() {
        return Err(FormatError::new(F, Location::File, "no individuals: the file has no data lines"));
    }
    Ok(rows)
}
