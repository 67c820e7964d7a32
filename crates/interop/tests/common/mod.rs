//! Shared test helpers: the conformance corpus, and comparing two imports up to generated ids.
#![allow(dead_code)] // each test binary uses a different subset

use kinvault_interop::gedcom::Imported;
#[allow(unused_imports)] // each test binary uses a different subset
pub use kinvault_testkit::{conformance_dir, extension, gedcom_files, rel, walk};
use serde_json::Value;
use std::collections::HashMap;

/// Every record as JSON with record ids replaced by the record's xref (or position), and every
/// other id (observations, tests) by `<id>`.
pub fn normalised(imp: &Imported) -> Vec<(String, Value)> {
    let mut names: HashMap<String, String> = HashMap::new();
    for (i, p) in imp.persons.iter().enumerate() {
        names.insert(p.id.to_string(), p.xref.clone().unwrap_or_else(|| format!("INDI#{i}")));
    }
    for (i, f) in imp.families.iter().enumerate() {
        names.insert(f.id.to_string(), f.xref.clone().unwrap_or_else(|| format!("FAM#{i}")));
    }
    for (i, s) in imp.sources.iter().enumerate() {
        names.insert(s.id.to_string(), s.xref.clone().unwrap_or_else(|| format!("SOUR#{i}")));
    }
    for (i, r) in imp.raw_records.iter().enumerate() {
        names.insert(r.id.to_string(), r.structure.xref.clone().unwrap_or_else(|| format!("RAW#{i}")));
    }
    let mut out = vec![];
    let mut push = |label: String, v: Value| out.push((label, replace_ids(v, &names)));
    for p in &imp.persons {
        push(format!("person {}", names[&p.id.to_string()]), serde_json::to_value(p).unwrap());
    }
    for f in &imp.families {
        push(format!("family {}", names[&f.id.to_string()]), serde_json::to_value(f).unwrap());
    }
    for s in &imp.sources {
        push(format!("source {}", names[&s.id.to_string()]), serde_json::to_value(s).unwrap());
    }
    for r in &imp.raw_records {
        push(format!("record {}", names[&r.id.to_string()]), serde_json::to_value(r).unwrap());
    }
    out
}

fn replace_ids(v: Value, names: &HashMap<String, String>) -> Value {
    match v {
        Value::String(s) if s.len() == 36 && uuid::Uuid::parse_str(&s).is_ok() => {
            Value::String(names.get(&s).cloned().unwrap_or_else(|| "<id>".into()))
        }
        Value::Array(a) => Value::Array(a.into_iter().map(|x| replace_ids(x, names)).collect()),
        Value::Object(o) => Value::Object(o.into_iter().map(|(k, x)| (k, replace_ids(x, names))).collect()),
        other => other,
    }
}

/// Where two imports differ (up to ids), or `None`.
pub fn model_difference(a: &Imported, b: &Imported) -> Option<String> {
    let (na, nb) = (normalised(a), normalised(b));
    if na.len() != nb.len() {
        return Some(format!("{} records became {}", na.len(), nb.len()));
    }
    for ((la, va), (lb, vb)) in na.iter().zip(&nb) {
        if la != lb {
            return Some(format!("{la} became {lb}"));
        }
        if let Some(d) = json_difference(va, vb, "") {
            return Some(format!("{la}: {d}"));
        }
    }
    None
}

fn json_difference(a: &Value, b: &Value, path: &str) -> Option<String> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys: std::collections::BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            for k in keys {
                let (p, q) = (x.get(k).unwrap_or(&Value::Null), y.get(k).unwrap_or(&Value::Null));
                if let Some(d) = json_difference(p, q, &format!("{path}/{k}")) {
                    return Some(d);
                }
            }
            None
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            x.iter().zip(y).enumerate().find_map(|(i, (p, q))| json_difference(p, q, &format!("{path}/{i}")))
        }
        _ if a == b => None,
        _ => Some(format!("{path}: {} vs {}", short(a), short(b))),
    }
}

fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 300 {
        format!("{}…", s.chars().take(300).collect::<String>())
    } else {
        s
    }
}
