//! The stored form of a record: its serde JSON without the object members that decode to what
//! their absence decodes to.
//!
//! A record's `data` column holds JSON that `serde_json` reads back into the model type. The
//! serde form the API and the UI see writes every field, most of them `null` or `[]` in a
//! typical imported person (`"prefix":null`, `"citations":[]`, `"latitude":null`...): about a
//! third of its bytes, which the vault would otherwise encrypt, write and read back for nothing.
//! [`to_stored_json`] leaves out, from every JSON object (never from arrays):
//!
//! - members whose value is `null`: every `Option` field of the model decodes a missing member
//!   as `None` (serde's rule for `Option` fields; none of the stored types overrides it);
//! - members named in [`EMPTY_ARRAY_DEFAULTS`] whose value is `[]`, and in [`FALSE_DEFAULTS`]
//!   whose value is `false`: fields that carry `#[serde(default)]` in every model type that has
//!   them, so their absence decodes to the same empty list or `false`.
//!
//! The result is still JSON of the same shape (SQLite's `json_*` functions read it; a missing
//! array counts as NULL, which `sum()` skips), and rows written before this form existed read
//! exactly as before: nothing about decoding changed. `tests` round-trips every stored type
//! with every such field empty, so a field that loses its `default` fails there, not in a vault.

/// Fields whose empty list may be left out (each has `#[serde(default)]` wherever it occurs).
/// Not here, because they are required: `names` (Person), `partners` (Family), `members`
/// (TwinSet).
pub(crate) const EMPTY_ARRAY_DEFAULTS: &[&[u8]] = &[
    b"ancestry",
    b"associations",
    b"children",
    b"citations",
    b"conditions",
    b"events",
    b"genetic_tests",
    b"links",
    b"media",
    b"notes",
    b"twins",
    b"unmapped",
];

/// Boolean fields whose `false` may be left out (`#[serde(default)]` wherever they occur).
pub(crate) const FALSE_DEFAULTS: &[&[u8]] = &[b"consanguineous", b"consultand", b"proband"];

use serde::Serialize;
use serde_json::ser::{CharEscape, CompactFormatter, Formatter};
use std::io::{self, Write};

/// The stored JSON of `v`: `serde_json::to_string` without the default-valued members (see the
/// module docs), in one pass — the formatter drops a member as soon as its value is written.
pub(crate) fn to_stored_json<T: Serialize + ?Sized>(v: &T) -> serde_json::Result<String> {
    let mut buf = Vec::with_capacity(1024);
    let mut objects = Vec::with_capacity(8);
    let mut ser =
        serde_json::Serializer::with_formatter(std::io::sink(), Compact { buf: &mut buf, objects: &mut objects });
    v.serialize(&mut ser)?;
    String::from_utf8(buf).map_err(serde::ser::Error::custom)
}

/// Where the member being written in an open object started.
struct Frame {
    /// A member of this object has been kept (the next one needs a comma).
    kept: bool,
    /// Start of the member (its comma, if any), of its key (the opening quote) and of its value.
    member: usize,
    key: usize,
    key_end: usize,
    value: usize,
}

/// serde_json's `CompactFormatter`, writing into `buf` (the writer serde_json passes is a sink)
/// so that a member can be taken back once its value is known.
struct Compact<'a> {
    buf: &'a mut Vec<u8>,
    objects: &'a mut Vec<Frame>,
}

macro_rules! delegate {
    ($($name:ident($t:ty)),* $(,)?) => {
        $(fn $name<W: ?Sized + Write>(&mut self, _: &mut W, value: $t) -> io::Result<()> {
            CompactFormatter.$name(self.buf, value)
        })*
    };
}

impl Formatter for Compact<'_> {
    delegate!(
        write_bool(bool),
        write_i8(i8),
        write_i16(i16),
        write_i32(i32),
        write_i64(i64),
        write_i128(i128),
        write_u8(u8),
        write_u16(u16),
        write_u32(u32),
        write_u64(u64),
        write_u128(u128),
        write_f32(f32),
        write_f64(f64),
        write_number_str(&str),
        write_string_fragment(&str),
        write_char_escape(CharEscape),
        write_byte_array(&[u8]),
        write_raw_fragment(&str),
    );

    fn write_null<W: ?Sized + Write>(&mut self, _: &mut W) -> io::Result<()> {
        self.buf.extend_from_slice(b"null");
        Ok(())
    }

    fn begin_string<W: ?Sized + Write>(&mut self, _: &mut W) -> io::Result<()> {
        self.buf.push(b'"');
        Ok(())
    }

    fn end_string<W: ?Sized + Write>(&mut self, _: &mut W) -> io::Result<()> {
        self.buf.push(b'"');
        Ok(())
    }

    fn begin_array<W: ?Sized + Write>(&mut self, _: &mut W) -> io::Result<()> {
        self.buf.push(b'[');
        Ok(())
    }

    fn end_array<W: ?Sized + Write>(&mut self, _: &mut W) -> io::Result<()> {
        self.buf.push(b']');
        Ok(())
    }

    fn begin_array_value<W: ?Sized + Write>(&mut self, _: &mut W, first: bool) -> io::Result<()> {
        if !first {
            self.buf.push(b',');
        }
        Ok(())
    }

    fn begin_object<W: ?Sized + Write>(&mut self, _: &mut W) -> io::Result<()> {
        self.buf.push(b'{');
        self.objects.push(Frame { kept: false, member: 0, key: 0, key_end: 0, value: 0 });
        Ok(())
    }

    fn end_object<W: ?Sized + Write>(&mut self, _: &mut W) -> io::Result<()> {
        self.objects.pop();
        self.buf.push(b'}');
        Ok(())
    }

    fn begin_object_key<W: ?Sized + Write>(&mut self, _: &mut W, _first: bool) -> io::Result<()> {
        let f = self.objects.last_mut().ok_or_else(|| io::Error::other("object key outside an object"))?;
        f.member = self.buf.len();
        if f.kept {
            self.buf.push(b',');
        }
        f.key = self.buf.len();
        Ok(())
    }

    fn end_object_key<W: ?Sized + Write>(&mut self, _: &mut W) -> io::Result<()> {
        if let Some(f) = self.objects.last_mut() {
            f.key_end = self.buf.len();
        }
        Ok(())
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, _: &mut W) -> io::Result<()> {
        self.buf.push(b':');
        if let Some(f) = self.objects.last_mut() {
            f.value = self.buf.len();
        }
        Ok(())
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, _: &mut W) -> io::Result<()> {
        let f = self.objects.last_mut().ok_or_else(|| io::Error::other("object value outside an object"))?;
        let value = &self.buf[f.value..];
        // The key as written, without its quotes (field names need no escapes).
        let key = self.buf.get(f.key + 1..f.key_end.saturating_sub(1)).unwrap_or_default();
        let default = value == b"null"
            || (value == b"[]" && EMPTY_ARRAY_DEFAULTS.contains(&key))
            || (value == b"false" && FALSE_DEFAULTS.contains(&key));
        if default {
            self.buf.truncate(f.member);
        } else {
            f.kept = true;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kinvault_model::*;
    use serde::de::DeserializeOwned;
    use serde_json::Value;

    fn round_trip<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(v: &T) -> String {
        let full = serde_json::to_string(v).unwrap();
        let small = to_stored_json(v).unwrap();
        let back: T = serde_json::from_str(&small).unwrap_or_else(|e| panic!("{e}: {small}"));
        assert_eq!(&back, v, "{small}");
        assert!(small.len() <= full.len());
        // Nothing but left-out members differs: filling them back in gives the full form.
        let (a, b): (Value, Value) = (serde_json::from_str(&full).unwrap(), serde_json::from_str(&small).unwrap());
        assert_eq!(fill(&a, &b), a, "{small}");
        small
    }

    /// `small` with the members of `full` it lacks put back (they must be defaults).
    fn fill(full: &Value, small: &Value) -> Value {
        match (full, small) {
            (Value::Object(f), Value::Object(s)) => Value::Object(
                f.iter()
                    .map(|(k, fv)| match s.get(k) {
                        Some(sv) => (k.clone(), fill(fv, sv)),
                        None => {
                            assert!(
                                fv.is_null()
                                    || (fv == &Value::Array(vec![]) && EMPTY_ARRAY_DEFAULTS.contains(&k.as_bytes()))
                                    || (fv == &Value::Bool(false) && FALSE_DEFAULTS.contains(&k.as_bytes())),
                                "{k}: {fv} left out"
                            );
                            (k.clone(), fv.clone())
                        }
                    })
                    .collect(),
            ),
            (Value::Array(f), Value::Array(s)) => {
                assert_eq!(f.len(), s.len());
                Value::Array(f.iter().zip(s).map(|(a, b)| fill(a, b)).collect())
            }
            _ => small.clone(),
        }
    }

    fn date(text: &str) -> Option<GDate> {
        Some(GDate::parse(text))
    }

    #[test]
    fn empty_records_round_trip() {
        // Every optional field None, every defaulted list empty, every flag false.
        let mut p = Person::new(PersonName::default(), Sex::Unknown);
        p.names.clear();
        let small = round_trip(&p);
        // Required lists stay, even empty.
        assert_eq!(small, format!(r#"{{"id":"{}","names":[],"sex":"U","vital_status":{{"status":"unknown"}}}}"#, p.id));
        round_trip(&Family::new(vec![]));
        round_trip(&Source {
            id: new_id(),
            xref: None,
            title: String::new(),
            author: None,
            publication: None,
            repository: None,
            notes: vec![],
            unmapped: vec![],
        });
        round_trip(&RawRecord { id: new_id(), structure: RawStructure::default() });
    }

    #[test]
    fn full_records_round_trip() {
        let source = new_id();
        let citation = Citation {
            source,
            page: None,
            quality: None,
            unmapped: vec![RawStructure::default(), RawStructure::default()],
        };
        let mut p = Person::new(PersonName::new("Ada \"the\" \\ Countess", "Lovelace, null"), Sex::Female);
        p.names.push(PersonName::default());
        p.names[0].unmapped.push(RawStructure {
            tag: "_MARNM".into(),
            text: Some("null".into()),
            children: vec![RawStructure {
                tag: "NOTE".into(),
                text: Some("{\"a\":null}".into()),
                ..Default::default()
            }],
            ..Default::default()
        });
        let mut birth = Event::new(EventKind::Birth, Some("10 DEC 1815"));
        birth.place = Some(Place { name: "London".into(), latitude: Some(51.5), longitude: None });
        birth.citations.push(citation.clone());
        birth.notes.push(Note::default());
        p.events.push(birth);
        p.events.push(Event::new(EventKind::Custom(String::new()), None));
        p.events.push(Event::new(EventKind::Death, Some("ABT 1852")));
        p.vital_status = VitalStatus::Deceased { age: None, date: date("27 NOV 1852"), cause: None };
        p.proband = true;
        p.consultand = true;
        p.ancestry = vec!["european".into()];
        let mut cond = ConditionObservation::new(
            Some(Code::new(CodeSystem::Snomed, "254837009", "Malignant neoplasm of breast")),
            "",
            ConditionStatus::Affected,
        );
        cond.onset = Some(AgeRange::exact(36.0));
        p.conditions.push(cond.clone());
        cond.code = None;
        p.conditions.push(cond);
        p.notes.push(Note { text: "line\nbreak \u{1F600} ünïcödé".into() });
        p.citations.push(citation.clone());
        p.media.push(MediaRef { path: "a.jpg".into(), mime: None, title: Some(String::new()) });
        p.associations.push(Association { person: new_id(), relation: None });
        round_trip(&p);

        let mut f = Family::new(vec![p.id, new_id()]);
        f.children.push(FamilyChild { person: new_id(), links: vec![] });
        f.children.push(FamilyChild {
            person: new_id(),
            links: vec![ParentLink { parent: p.id, relationship: ChildRelationship::Adopted }],
        });
        f.twins.push(TwinSet { members: vec![], zygosity: Zygosity::Unknown });
        f.consanguineous = true;
        f.events.push(Event::new(EventKind::Marriage, None));
        f.citations.push(citation);
        round_trip(&f);
        f.consanguineous = false;
        f.twins[0].members = vec![];
        round_trip(&f);
    }

    #[test]
    fn only_object_members_are_left_out() {
        let stored = |json: &str| -> Value {
            let v: Value = serde_json::from_str(json).unwrap();
            serde_json::from_str(&to_stored_json(&v).unwrap()).unwrap()
        };
        let same = |a: &str, b: &str| assert_eq!(stored(a), serde_json::from_str::<Value>(b).unwrap(), "{a}");
        same(r#"{"a":null,"b":[null,false,[]],"notes":[],"proband":false}"#, r#"{"b":[null,false,[]]}"#);
        same(
            r#"{"names":[],"partners":[],"x":false,"notes":[1]}"#,
            r#"{"names":[],"partners":[],"x":false,"notes":[1]}"#,
        );
        same(r#"{"a":"null","b":{"c":null,"d":{"e":null}},"c":1}"#, r#"{"a":"null","b":{"d":{}},"c":1}"#);
        same(r#"{"k\"":null,"e":"\\","z":null}"#, r#"{"e":"\\"}"#);
        same("[1,null,{}]", "[1,null,{}]");
        assert_eq!(to_stored_json(&serde_json::json!({"a": null, "b": 1})).unwrap(), r#"{"b":1}"#);
    }
}
