//! Cross-references: an index from xref to record, and the checks for duplicate xrefs and
//! dangling pointers. (Cycles — a person their own ancestor — are a graph question, answered
//! above this crate.)

use std::collections::HashMap;

use crate::node::{Record, Value};
use crate::warning::{Warning, WarningKind};

/// GEDCOM 7's null pointer, `@VOID@`: never dangling.
pub const VOID: &str = "VOID";

/// Checks xrefs record by record, as a stream goes by. The [`crate::Reader`] runs one unless
/// told otherwise ([`crate::ReadOptions::check_xrefs`]).
///
/// Memory: one entry per record xref, plus one per distinct forward reference still unresolved.
#[derive(Debug, Default)]
pub struct XrefChecker {
    /// Record xrefs seen, with the line that defined them.
    defined: HashMap<String, u32>,
    /// Pointers to xrefs not (yet) defined: first line and count.
    unresolved: HashMap<String, (u32, u32)>,
}

impl XrefChecker {
    /// An empty checker.
    pub fn new() -> XrefChecker {
        XrefChecker::default()
    }

    /// Adds a record (its level-0 xref, and every pointer in it). Duplicates are reported now.
    pub fn add(&mut self, record: &Record, warnings: &mut Vec<Warning>) {
        if let Some(xref) = &record.xref {
            match self.defined.get(xref) {
                Some(&first) => warnings.push(Warning::new(
                    record.line,
                    WarningKind::DuplicateXref,
                    format!("xref @{xref}@ is already used by the record on line {first}; both records are kept"),
                )),
                None => {
                    self.unresolved.remove(xref.as_str());
                    self.defined.insert(xref.clone(), record.line);
                }
            }
        }
        for (node, _) in record.descendants() {
            if let Some(Value::Pointer(p)) = &node.value {
                if p == VOID || self.defined.contains_key(p) {
                    continue;
                }
                let entry = self.unresolved.entry(p.clone()).or_insert((node.line, 0));
                entry.1 += 1;
            }
        }
    }

    /// Reports the pointers that never found their record, in line order.
    pub fn finish(self, warnings: &mut Vec<Warning>) {
        let mut dangling: Vec<(String, (u32, u32))> = self.unresolved.into_iter().collect();
        if dangling.is_empty() {
            return;
        }
        dangling.sort_by_key(|(x, (line, _))| (*line, x.clone()));
        let folded: HashMap<String, &str> = self.defined.keys().map(|k| (k.to_lowercase(), k.as_str())).collect();
        for (xref, (line, count)) in dangling {
            let times = if count > 1 { format!(" ({count} pointers)") } else { String::new() };
            let hint = match folded.get(&xref.to_lowercase()) {
                Some(other) => format!("; @{other}@ exists, but xrefs are case-sensitive"),
                None => String::new(),
            };
            warnings.push(Warning::new(
                line,
                WarningKind::DanglingPointer,
                format!("pointer @{xref}@ points to no record{times}{hint}"),
            ));
        }
    }
}

/// Runs the xref checks over a whole document (the header's pointers included).
pub fn check<'a>(header: Option<&Record>, records: impl IntoIterator<Item = &'a Record>) -> Vec<Warning> {
    let mut checker = XrefChecker::new();
    let mut warnings = Vec::new();
    if let Some(h) = header {
        checker.add(h, &mut warnings);
    }
    for r in records {
        checker.add(r, &mut warnings);
    }
    checker.finish(&mut warnings);
    warnings
}

/// xref → record, for following pointers. The first record wins when an xref is duplicated.
#[derive(Debug, Default)]
pub struct XrefIndex<'a> {
    map: HashMap<&'a str, &'a Record>,
}

impl<'a> XrefIndex<'a> {
    /// Indexes the records that have an xref.
    pub fn new(records: &'a [Record]) -> XrefIndex<'a> {
        let mut map = HashMap::with_capacity(records.len());
        for r in records {
            if let Some(x) = &r.xref {
                map.entry(x.as_str()).or_insert(r);
            }
        }
        XrefIndex { map }
    }

    /// The record with this xref (given without `@`s).
    pub fn get(&self, xref: &str) -> Option<&'a Record> {
        self.map.get(xref).copied()
    }

    /// Follows a pointer value.
    pub fn resolve(&self, value: &Value) -> Option<&'a Record> {
        match value {
            Value::Pointer(p) => self.get(p),
            Value::Text(_) => None,
        }
    }

    /// Number of indexed records.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// True when no record has an xref.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}
