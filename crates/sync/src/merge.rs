//! Field-level merge of records given as JSON objects (the serde form of the model types).
//!
//! Every top-level field of a record is one of three kinds ([`kind`]):
//! - a **register** (sex, names, events, …): last writer wins by [`Stamp`];
//! - a **set** of keyed elements (a person's conditions and genetic tests by id, ancestry,
//!   a family's partners and children by person): each element is its own last-writer-wins
//!   register with a tombstone, so concurrent additions on two devices both survive;
//! - **text** (`notes`): like a register, but when both sides changed it concurrently, both
//!   versions are kept (their union) and the conflict is listed for review.
//!
//! A record deleted on any device stays deleted (the tombstone wins over concurrent edits; the
//! edit that lost is kept in the conflict list). This module is pure: no vault, no I/O.

use crate::wire::{FieldChange, Op, RecordChange};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use uuid::Uuid;

/// A hybrid-logical-clock stamp: `t` is milliseconds since the epoch shifted left 16 bits plus
/// a logical counter; the device id breaks ties, so stamps from two devices never compare equal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Stamp {
    pub t: u64,
    pub d: Uuid,
}

impl Stamp {
    /// The stamp of a local edit made at `at_ms` to a value whose last stamp was `after`: the
    /// edit's wall-clock time, but always after the value it replaced (the causal order wins
    /// over a device clock running behind).
    pub fn local(at_ms: i64, after: Option<Stamp>, device: Uuid) -> Stamp {
        let wall = (at_ms.max(0) as u64) << 16;
        let t = match after {
            Some(a) => wall.max(a.t.saturating_add(1)),
            None => wall,
        };
        Stamp { t, d: device }
    }

    pub fn millis(&self) -> u64 {
        self.t >> 16
    }
}

/// Where a set element sorts: the stamp of the edit that added it and its index then. Every
/// device orders a set's elements by this, so they agree on the order as well as the content.
pub type Order = (Stamp, u32);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ElemClock {
    pub s: Stamp,
    pub o: Order,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub gone: bool,
}

/// The clocks of one record, stored beside its synced base.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Clocks {
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub f: BTreeMap<String, Stamp>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub e: BTreeMap<String, BTreeMap<String, ElemClock>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub del: Option<Stamp>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Register,
    Text,
    /// Elements keyed by themselves (strings) or by the named field of each element object.
    Set(Option<&'static str>),
}

pub fn kind(entity: &str, field: &str) -> Kind {
    match (entity, field) {
        ("person", "conditions" | "genetic_tests") => Kind::Set(Some("id")),
        ("person", "ancestry") | ("family", "partners") => Kind::Set(None),
        ("family", "children") => Kind::Set(Some("person")),
        (_, "notes") => Kind::Text,
        _ => Kind::Register,
    }
}

fn elem_key(e: &Value, by: Option<&str>) -> String {
    let k = match by {
        Some(f) => e.get(f),
        None => Some(e),
    };
    match k {
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
        None => e.to_string(),
    }
}

fn elems(v: Option<&Value>, by: Option<&str>) -> Vec<(String, Value)> {
    match v {
        Some(Value::Array(a)) => a.iter().map(|e| (elem_key(e, by), e.clone())).collect(),
        _ => vec![],
    }
}

fn find<'a>(list: &'a [(String, Value)], key: &str) -> Option<&'a Value> {
    list.iter().find(|(k, _)| k == key).map(|(_, v)| v)
}

/// Sorts a set field's elements by their clocks' order; elements without one (local additions
/// not pushed yet) go last, in their present order.
fn sort_elems(list: &mut [(String, Value)], clocks: Option<&BTreeMap<String, ElemClock>>) {
    let max = Stamp { t: u64::MAX, d: Uuid::max() };
    let pos: Vec<String> = list.iter().map(|(k, _)| k.clone()).collect();
    list.sort_by_key(|(k, _)| {
        let own = clocks.and_then(|c| c.get(k)).filter(|c| !c.gone).map(|c| c.o);
        own.unwrap_or((max, pos.iter().position(|p| p == k).unwrap_or(0) as u32))
    });
}

fn set_field(obj: &mut Map<String, Value>, field: &str, value: Option<Value>) {
    match value {
        Some(v) if !v.is_null() => {
            obj.insert(field.to_string(), v);
        }
        _ => {
            obj.remove(field);
        }
    }
}

fn as_obj(v: Option<&Value>) -> Map<String, Value> {
    match v {
        Some(Value::Object(m)) => m.iter().filter(|(_, v)| !v.is_null()).map(|(k, v)| (k.clone(), v.clone())).collect(),
        _ => Map::new(),
    }
}

/// A record as the merge sees it: a field holding `null` is the same as an absent field (an
/// empty `Option` serialises as `null`, travels as "no value" and comes back absent), so
/// neither side ever mistakes one for the other as an edit.
pub fn normalize(v: Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(m.into_iter().filter(|(_, v)| !v.is_null()).collect()),
        other => other,
    }
}

/// A record's local state while merging: its current value (`None`: absent or deleted), its
/// synced base and its clocks.
#[derive(Debug, Clone, PartialEq)]
pub struct State {
    pub current: Option<Value>,
    pub base: Option<Value>,
    pub clocks: Clocks,
}

/// What a merge decided, for the conflict list.
#[derive(Debug, Clone, PartialEq)]
pub struct Conflict {
    pub field: Option<String>,
    /// `kept-both` (text edited on two devices), `deleted-elsewhere` (local edits lost to a
    /// delete made on another device), `edited-elsewhere` (another device's edit lost to a
    /// delete made here).
    pub kind: &'static str,
    pub local: Option<Value>,
    pub remote: Option<Value>,
}

/// The local edits of a record since it was last synced, as one change stamped at `at_ms`
/// (the time of its newest local edit), with the state it leaves: base = current, clocks
/// advanced, set fields in their agreed order. `None` when nothing changed.
pub fn local_change(entity: &str, id: &str, state: &mut State, at_ms: i64, device: Uuid) -> Option<RecordChange> {
    if state.clocks.del.is_some() {
        // Deleted elsewhere already: a tombstone is final.
        return None;
    }
    let (cur, base) = match (&state.current, &state.base) {
        (None, None) => return None,
        (None, Some(_)) => {
            let newest = state
                .clocks
                .f
                .values()
                .chain(state.clocks.e.values().flat_map(|m| m.values().map(|c| &c.s)))
                .max()
                .copied();
            let stamp = Stamp::local(at_ms, newest, device);
            state.clocks.del = Some(stamp);
            state.base = None;
            return Some(RecordChange { entity: entity.into(), id: id.into(), op: Op::Delete(stamp) });
        }
        (Some(c), b) => (as_obj(Some(c)), as_obj(b.as_ref())),
    };
    let mut fields: Vec<&String> = cur.keys().chain(base.keys()).collect();
    fields.sort();
    fields.dedup();
    let mut out = vec![];
    let mut sorted = cur.clone();
    for field in fields {
        let (c, b) = (cur.get(field), base.get(field));
        match kind(entity, field) {
            Kind::Set(by) => {
                let (ce, be) = (elems(c, by), elems(b, by));
                let clocks = state.clocks.e.entry(field.clone()).or_default();
                let mut keys: Vec<&String> = ce.iter().chain(be.iter()).map(|(k, _)| k).collect();
                keys.sort();
                keys.dedup();
                for key in keys {
                    let (cv, bv) = (find(&ce, key), find(&be, key));
                    if cv == bv {
                        continue;
                    }
                    let prev = clocks.get(key);
                    let stamp = Stamp::local(at_ms, prev.map(|p| p.s), device);
                    let order = match (prev, cv) {
                        (Some(p), _) if !p.gone => p.o,
                        _ => (stamp, ce.iter().position(|(k, _)| k == key).unwrap_or(0) as u32),
                    };
                    clocks.insert(key.clone(), ElemClock { s: stamp, o: order, gone: cv.is_none() });
                    out.push(FieldChange::Elem {
                        field: field.clone(),
                        key: key.clone(),
                        stamp,
                        order,
                        value: cv.cloned(),
                    });
                }
                if c.is_some() {
                    let mut list = ce;
                    sort_elems(&mut list, Some(clocks));
                    sorted.insert(field.clone(), Value::Array(list.into_iter().map(|(_, v)| v).collect()));
                }
            }
            Kind::Register | Kind::Text => {
                if c == b {
                    continue;
                }
                let stamp = Stamp::local(at_ms, state.clocks.f.get(field).copied(), device);
                state.clocks.f.insert(field.clone(), stamp);
                out.push(FieldChange::Reg { field: field.clone(), stamp, value: c.cloned() });
            }
        }
    }
    let sorted = Value::Object(sorted);
    state.current = Some(sorted.clone());
    state.base = Some(sorted);
    if out.is_empty() {
        return None;
    }
    Some(RecordChange { entity: entity.into(), id: id.into(), op: Op::Put(out) })
}

/// Applies a change made on another device. `pending_at` is the time of the newest local edit
/// not pushed yet (what that edit's stamp would be built from), `None` if there is none.
/// Returns the conflicts to list; `state` is updated in place (the caller writes `current` back
/// when it changed).
pub fn apply_remote(
    entity: &str,
    change: &RecordChange,
    state: &mut State,
    pending_at: Option<i64>,
    device: Uuid,
) -> Vec<Conflict> {
    let mut conflicts = vec![];
    let at = pending_at.unwrap_or(0);
    match &change.op {
        Op::Delete(stamp) => {
            if let Some(d) = state.clocks.del {
                state.clocks.del = Some(d.max(*stamp));
                return conflicts;
            }
            if state.current.is_some() && state.current != state.base {
                conflicts.push(Conflict {
                    field: None,
                    kind: "deleted-elsewhere",
                    local: state.current.clone(),
                    remote: None,
                });
            }
            state.clocks.del = Some(*stamp);
            state.current = None;
            state.base = None;
        }
        Op::Put(fields) => {
            if state.clocks.del.is_some() || state.current.is_none() && state.base.is_some() {
                // Deleted here (pushed or not): the delete wins; keep what it overrides.
                conflicts.push(Conflict {
                    field: None,
                    kind: "edited-elsewhere",
                    local: None,
                    remote: Some(fields_value(fields)),
                });
                return conflicts;
            }
            let mut cur = as_obj(state.current.as_ref());
            let mut base = as_obj(state.base.as_ref());
            for fc in fields {
                match fc {
                    FieldChange::Reg { field, stamp, value } => {
                        let clock = state.clocks.f.get(field).copied();
                        if clock.is_some_and(|c| *stamp <= c) {
                            continue; // already seen, or older than what we have
                        }
                        let pending = cur.get(field) != base.get(field);
                        if !pending || *stamp > Stamp::local(at, clock, device) && kind(entity, field) != Kind::Text {
                            set_field(&mut cur, field, value.clone());
                        } else if kind(entity, field) == Kind::Text && value.as_ref() != base.get(field) {
                            let merged = union(cur.get(field), value.as_ref());
                            if merged.as_ref() != value.as_ref() && merged.as_ref() != cur.get(field) {
                                conflicts.push(Conflict {
                                    field: Some(field.clone()),
                                    kind: "kept-both",
                                    local: cur.get(field).cloned(),
                                    remote: value.clone(),
                                });
                            }
                            set_field(&mut cur, field, merged);
                        } else if *stamp > Stamp::local(at, clock, device) {
                            set_field(&mut cur, field, value.clone());
                        }
                        // Otherwise ours is newer: it stays, and goes out stamped after theirs.
                        set_field(&mut base, field, value.clone());
                        state.clocks.f.insert(field.clone(), *stamp);
                    }
                    FieldChange::Elem { field, key, stamp, order, value } => {
                        let Kind::Set(by) = kind(entity, field) else { continue };
                        let clocks = state.clocks.e.entry(field.clone()).or_default();
                        let clock = clocks.get(key).map(|c| c.s);
                        if clock.is_some_and(|c| *stamp <= c) {
                            continue;
                        }
                        let mut ce = elems(cur.get(field), by);
                        let mut be = elems(base.get(field), by);
                        let pending = find(&ce, key) != find(&be, key);
                        if !pending || *stamp > Stamp::local(at, clock, device) {
                            put_elem(&mut ce, key, value.as_ref());
                        }
                        put_elem(&mut be, key, value.as_ref());
                        clocks.insert(key.clone(), ElemClock { s: *stamp, o: *order, gone: value.is_none() });
                        sort_elems(&mut ce, Some(clocks));
                        sort_elems(&mut be, Some(clocks));
                        if cur.contains_key(field) || value.is_some() {
                            cur.insert(field.clone(), Value::Array(ce.into_iter().map(|(_, v)| v).collect()));
                        }
                        if base.contains_key(field) || value.is_some() {
                            base.insert(field.clone(), Value::Array(be.into_iter().map(|(_, v)| v).collect()));
                        }
                    }
                }
            }
            state.current = Some(Value::Object(cur));
            state.base = Some(Value::Object(base));
        }
    }
    conflicts
}

fn put_elem(list: &mut Vec<(String, Value)>, key: &str, value: Option<&Value>) {
    let at = list.iter().position(|(k, _)| k == key);
    match (at, value) {
        (Some(i), Some(v)) => list[i].1 = v.clone(),
        (Some(i), None) => {
            list.remove(i);
        }
        (None, Some(v)) => list.push((key.to_string(), v.clone())),
        (None, None) => {}
    }
}

/// Both versions of a text field: the remote's items, then the local items it lacks.
fn union(local: Option<&Value>, remote: Option<&Value>) -> Option<Value> {
    match (local, remote) {
        (Some(Value::Array(l)), Some(Value::Array(r))) => {
            let mut out = r.clone();
            for item in l {
                if !out.contains(item) {
                    out.push(item.clone());
                }
            }
            Some(Value::Array(out))
        }
        (Some(l), None) => Some(l.clone()),
        (None, r) => r.cloned(),
        (Some(l), Some(_)) => Some(l.clone()),
    }
}

/// The fields a change carries, as an object (for the conflict list).
fn fields_value(fields: &[FieldChange]) -> Value {
    let mut m = Map::new();
    for f in fields {
        match f {
            FieldChange::Reg { field, value, .. } => {
                m.insert(field.clone(), value.clone().unwrap_or(Value::Null));
            }
            FieldChange::Elem { field, value, .. } => {
                if let Some(v) = value {
                    let slot = m.entry(field.clone()).or_insert_with(|| Value::Array(vec![]));
                    if let Value::Array(a) = slot {
                        a.push(v.clone());
                    }
                }
            }
        }
    }
    Value::Object(m)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn dev(n: u8) -> Uuid {
        Uuid::from_bytes([n; 16])
    }

    fn fresh(v: Value) -> State {
        State { current: Some(v), base: None, clocks: Clocks::default() }
    }

    /// Pushes `a`'s local edits and applies them to `b`.
    fn send(
        entity: &str,
        a: &mut State,
        b: &mut State,
        at: i64,
        from: Uuid,
        to: Uuid,
        b_pending_at: Option<i64>,
    ) -> Vec<Conflict> {
        match local_change(entity, "x", a, at, from) {
            Some(ch) => apply_remote(entity, &ch, b, b_pending_at, to),
            None => vec![],
        }
    }

    #[test]
    fn an_empty_optional_field_is_no_edit_and_a_later_value_wins() {
        // A record whose optional field is empty (null) reaches another device, where that
        // field comes back absent or null: neither device sees an edit in that, so a real edit
        // of the field made later on one device is not overridden by a phantom "no value".
        let (d1, d2) = (dev(1), dev(2));
        let mut a = fresh(json!({"name": "N", "gender": null}));
        let mut b = State { current: None, base: None, clocks: Clocks::default() };
        send("person", &mut a, &mut b, 1_000, d1, d2, None);
        b.current = Some(normalize(json!({"name": "N", "gender": null})));
        assert_eq!(local_change("person", "x", &mut b, 2_000, d2), None);
        a.current = Some(json!({"name": "N", "gender": null, "xref": null}));
        assert_eq!(local_change("person", "x", &mut a, 2_000, d1), None);
        a.current = Some(json!({"name": "N", "gender": "g1"}));
        send("person", &mut a, &mut b, 3_000, d1, d2, None);
        assert_eq!(b.current, Some(json!({"name": "N", "gender": "g1"})));
        b.current = Some(json!({"name": "N", "gender": "g1", "xref": null}));
        assert_eq!(local_change("person", "x", &mut b, 4_000, d2), None);
    }

    #[test]
    fn a_new_record_arrives_whole() {
        let mut a = fresh(json!({"id": "x", "sex": "F", "conditions": [{"id": "c1", "label": "CF"}], "notes": []}));
        let mut b = State { current: None, base: None, clocks: Clocks::default() };
        send("person", &mut a, &mut b, 1000, dev(1), dev(2), None);
        assert_eq!(b.current, a.current);
        assert_eq!(b.base, a.base);
        assert_eq!(b.clocks, a.clocks);
    }

    #[test]
    fn last_writer_wins_per_field_and_other_fields_merge() {
        let v = json!({"id": "x", "sex": "U", "gender": null, "notes": []});
        let mut a = fresh(v.clone());
        let mut b = State { current: None, base: None, clocks: Clocks::default() };
        send("person", &mut a, &mut b, 1000, dev(1), dev(2), None);
        // Concurrent: a sets sex at t=2000, b sets sex at t=3000 and gender at t=3000.
        a.current.as_mut().unwrap()["sex"] = json!("F");
        b.current.as_mut().unwrap()["sex"] = json!("M");
        b.current.as_mut().unwrap()["gender"] = json!("man");
        let ca = local_change("person", "x", &mut a, 2000, dev(1)).unwrap();
        let cb = local_change("person", "x", &mut b, 3000, dev(2)).unwrap();
        apply_remote("person", &cb, &mut a, None, dev(1));
        apply_remote("person", &ca, &mut b, None, dev(2));
        assert_eq!(a.current, b.current);
        assert_eq!(a.current.as_ref().unwrap()["sex"], json!("M"));
        assert_eq!(a.current.as_ref().unwrap()["gender"], json!("man"));
    }

    #[test]
    fn pending_local_edit_that_is_newer_survives_and_wins_later() {
        let mut a = fresh(json!({"id": "x", "sex": "U"}));
        let mut b = State { current: None, base: None, clocks: Clocks::default() };
        send("person", &mut a, &mut b, 1000, dev(1), dev(2), None);
        a.current.as_mut().unwrap()["sex"] = json!("F");
        let ca = local_change("person", "x", &mut a, 2000, dev(1)).unwrap();
        // b edited at 5000 but has not pushed yet when a's change (2000) arrives.
        b.current.as_mut().unwrap()["sex"] = json!("M");
        apply_remote("person", &ca, &mut b, Some(5000), dev(2));
        assert_eq!(b.current.as_ref().unwrap()["sex"], json!("M"));
        let cb = local_change("person", "x", &mut b, 5000, dev(2)).unwrap();
        apply_remote("person", &cb, &mut a, None, dev(1));
        assert_eq!(a.current, b.current);
    }

    #[test]
    fn concurrent_additions_to_a_set_both_survive_in_one_order() {
        let mut a = fresh(json!({"id": "x", "conditions": []}));
        let mut b = State { current: None, base: None, clocks: Clocks::default() };
        send("person", &mut a, &mut b, 1000, dev(1), dev(2), None);
        a.current.as_mut().unwrap()["conditions"] = json!([{"id": "c1"}]);
        b.current.as_mut().unwrap()["conditions"] = json!([{"id": "c2"}]);
        let ca = local_change("person", "x", &mut a, 2000, dev(1)).unwrap();
        let cb = local_change("person", "x", &mut b, 2000, dev(2)).unwrap();
        apply_remote("person", &cb, &mut a, None, dev(1));
        apply_remote("person", &ca, &mut b, None, dev(2));
        assert_eq!(a.current, b.current);
        assert_eq!(a.current.as_ref().unwrap()["conditions"], json!([{"id": "c1"}, {"id": "c2"}]));
    }

    #[test]
    fn removing_an_element_does_not_undo_a_concurrent_edit_of_another() {
        let mut a = fresh(json!({"id": "f", "partners": ["p1", "p2"], "children": [{"person": "k1", "links": []}]}));
        let mut b = State { current: None, base: None, clocks: Clocks::default() };
        send("family", &mut a, &mut b, 1000, dev(1), dev(2), None);
        a.current.as_mut().unwrap()["partners"] = json!(["p1"]);
        b.current.as_mut().unwrap()["children"] = json!([{"person": "k1", "links": [{"parent": "p1", "relationship": "adopted"}]}, {"person": "k2", "links": []}]);
        let ca = local_change("family", "x", &mut a, 2000, dev(1)).unwrap();
        let cb = local_change("family", "x", &mut b, 2100, dev(2)).unwrap();
        apply_remote("family", &cb, &mut a, None, dev(1));
        apply_remote("family", &ca, &mut b, None, dev(2));
        assert_eq!(a.current, b.current);
        let f = a.current.unwrap();
        assert_eq!(f["partners"], json!(["p1"]));
        assert_eq!(f["children"].as_array().unwrap().len(), 2);
    }

    #[test]
    fn concurrent_notes_are_both_kept_and_listed() {
        let mut a = fresh(json!({"id": "x", "notes": [{"text": "base"}]}));
        let mut b = State { current: None, base: None, clocks: Clocks::default() };
        send("person", &mut a, &mut b, 1000, dev(1), dev(2), None);
        a.current.as_mut().unwrap()["notes"] = json!([{"text": "base, edited on a"}]);
        b.current.as_mut().unwrap()["notes"] = json!([{"text": "base, edited on b"}]);
        let ca = local_change("person", "x", &mut a, 2000, dev(1)).unwrap();
        // b receives a's edit while its own is pending: both kept, conflict listed.
        let conflicts = apply_remote("person", &ca, &mut b, Some(3000), dev(2));
        assert_eq!(conflicts.len(), 1);
        assert_eq!(conflicts[0].kind, "kept-both");
        let cb = local_change("person", "x", &mut b, 3000, dev(2)).unwrap();
        apply_remote("person", &cb, &mut a, None, dev(1));
        assert_eq!(a.current, b.current);
        assert_eq!(a.current.unwrap()["notes"], json!([{"text": "base, edited on a"}, {"text": "base, edited on b"}]));
    }

    #[test]
    fn delete_wins_and_the_lost_edit_is_listed() {
        let mut a = fresh(json!({"id": "x", "sex": "U"}));
        let mut b = State { current: None, base: None, clocks: Clocks::default() };
        send("person", &mut a, &mut b, 1000, dev(1), dev(2), None);
        a.current = None;
        b.current.as_mut().unwrap()["sex"] = json!("F");
        let ca = local_change("person", "x", &mut a, 2000, dev(1)).unwrap();
        assert!(matches!(ca.op, Op::Delete(_)));
        let cb = local_change("person", "x", &mut b, 3000, dev(2)).unwrap();
        let lost_here = apply_remote("person", &cb, &mut a, None, dev(1));
        assert_eq!(lost_here[0].kind, "edited-elsewhere");
        apply_remote("person", &ca, &mut b, None, dev(2));
        assert_eq!(a.current, None);
        assert_eq!(b.current, None);
        assert!(a.clocks.del.is_some() && b.clocks.del.is_some());
    }

    #[test]
    fn replaying_a_change_changes_nothing() {
        let mut a = fresh(json!({"id": "x", "sex": "U", "ancestry": ["ashkenazi"]}));
        let mut b = State { current: None, base: None, clocks: Clocks::default() };
        let ch = local_change("person", "x", &mut a, 1000, dev(1)).unwrap();
        apply_remote("person", &ch, &mut b, None, dev(2));
        let once = b.clone();
        apply_remote("person", &ch, &mut b, None, dev(2));
        assert_eq!(b, once);
    }
}
