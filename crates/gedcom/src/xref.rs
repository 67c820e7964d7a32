//! Cross-references: an index from xref to record, and the checks for duplicate xrefs and
//! dangling pointers. (Cycles — a person their own ancestor — are a graph question, answered
//! above this crate.)

use foldhash::HashMap;
use std::hash::BuildHasher;

use crate::node::{Record, Value};
use crate::warning::{Warning, WarningKind};

/// GEDCOM 7's null pointer, `@VOID@`: never dangling.
pub const VOID: &str = "VOID";

/// A compact set of xref strings, each with a dense index (0, 1, 2... in insertion order).
///
/// Big files have millions of xrefs, and the importer and the checker each need to know them
/// all: a `HashMap<String, T>` costs ~100 bytes per xref (the `String`, its heap block, the slot).
/// Here the text lives in one arena, and the hash table holds only `u32` indices: ~20 bytes per
/// xref plus its text. The hasher is foldhash, randomly seeded per table (no crafted collisions).
#[derive(Default)]
pub struct XrefTable {
    table: hashbrown::HashTable<u32>,
    /// Byte offset in `arena` where each xref ends (it starts where the previous one ends).
    ends: Vec<usize>,
    arena: String,
    hasher: foldhash::fast::RandomState,
}

impl std::fmt::Debug for XrefTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("XrefTable").field("len", &self.len()).finish()
    }
}

impl XrefTable {
    /// An empty table.
    pub fn new() -> XrefTable {
        XrefTable::default()
    }

    /// Number of xrefs.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The xref with this index.
    pub fn name(&self, i: u32) -> &str {
        slice(&self.ends, &self.arena, i)
    }

    /// The index of `xref`, if it is in the table.
    pub fn get(&self, xref: &str) -> Option<u32> {
        let hash = self.hasher.hash_one(xref);
        self.table.find(hash, |&i| slice(&self.ends, &self.arena, i) == xref).copied()
    }

    /// The index of `xref`, added if new; `true` when it was added now.
    ///
    /// # Panics
    /// On more than `u32::MAX` xrefs (a file of hundreds of gigabytes).
    pub fn insert(&mut self, xref: &str) -> (u32, bool) {
        let hash = self.hasher.hash_one(xref);
        let XrefTable { table, ends, arena, hasher } = self;
        if let Some(&i) = table.find(hash, |&i| slice(ends, arena, i) == xref) {
            return (i, false);
        }
        let i = u32::try_from(ends.len()).expect("more than 4 billion xrefs");
        arena.push_str(xref);
        ends.push(arena.len());
        table.insert_unique(hash, i, |&j| hasher.hash_one(slice(ends, arena, j)));
        (i, true)
    }

    /// Every xref, by index.
    pub fn iter(&self) -> impl Iterator<Item = &str> + '_ {
        (0..self.ends.len() as u32).map(move |i| self.name(i))
    }
}

fn slice<'a>(ends: &[usize], arena: &'a str, i: u32) -> &'a str {
    let i = i as usize;
    let start = if i == 0 { 0 } else { ends[i - 1] };
    &arena[start..ends[i]]
}

/// What the checker knows of one xref.
#[derive(Debug, Clone, Copy)]
struct XrefState {
    /// Line of the record that defines it; `NOT_DEFINED` until one does.
    defined: u32,
    /// First line pointing to it while it was not defined, and how many such pointers.
    first_pointer: u32,
    pointers: u32,
}

const NOT_DEFINED: u32 = u32::MAX;

/// Checks xrefs record by record, as a stream goes by. The [`crate::Reader`] runs one unless
/// told otherwise ([`crate::ReadOptions::check_xrefs`]).
///
/// Memory: one [`XrefTable`] entry and 12 bytes per distinct xref, defined or pointed to.
#[derive(Debug, Default)]
pub struct XrefChecker {
    xrefs: XrefTable,
    state: Vec<XrefState>,
}

impl XrefChecker {
    /// An empty checker.
    pub fn new() -> XrefChecker {
        XrefChecker::default()
    }

    fn slot(&mut self, xref: &str) -> usize {
        let (i, new) = self.xrefs.insert(xref);
        if new {
            self.state.push(XrefState { defined: NOT_DEFINED, first_pointer: 0, pointers: 0 });
        }
        i as usize
    }

    /// Adds a record (its level-0 xref, and every pointer in it). Duplicates are reported now.
    pub fn add(&mut self, record: &Record, warnings: &mut Vec<Warning>) {
        if let Some(xref) = &record.xref {
            let i = self.slot(xref);
            let s = &mut self.state[i];
            if s.defined == NOT_DEFINED {
                s.defined = record.line;
            } else {
                warnings.push(Warning::new(
                    record.line,
                    WarningKind::DuplicateXref,
                    format!("xref @{xref}@ is already used by the record on line {}; both records are kept", s.defined),
                ));
            }
        }
        for (node, _) in record.descendants() {
            if let Some(Value::Pointer(p)) = &node.value {
                if p == VOID {
                    continue;
                }
                let i = self.slot(p);
                let s = &mut self.state[i];
                if s.defined == NOT_DEFINED {
                    if s.pointers == 0 {
                        s.first_pointer = node.line;
                    }
                    s.pointers += 1;
                }
            }
        }
    }

    /// Reports the pointers that never found their record, in line order.
    pub fn finish(self, warnings: &mut Vec<Warning>) {
        let mut dangling: Vec<(u32, &str, u32)> = self
            .state
            .iter()
            .enumerate()
            .filter(|(_, s)| s.defined == NOT_DEFINED && s.pointers > 0)
            .map(|(i, s)| (s.first_pointer, self.xrefs.name(i as u32), s.pointers))
            .collect();
        if dangling.is_empty() {
            return;
        }
        dangling.sort();
        let folded: HashMap<String, &str> = self
            .state
            .iter()
            .enumerate()
            .filter(|(_, s)| s.defined != NOT_DEFINED)
            .map(|(i, _)| {
                let x = self.xrefs.name(i as u32);
                (x.to_lowercase(), x)
            })
            .collect();
        for (line, xref, count) in dangling {
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
        let mut map = HashMap::with_capacity_and_hasher(records.len(), Default::default());
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
