//! What import and export share: tag tables, value formats, raw ⇄ node conversion, and the
//! health rules. Keeping both directions here makes the round trip a property of one table.

use kinvault_gedcom::{Node, Value};
use kinvault_model::{ChildRelationship, EventKind, NameKind, RawStructure, Sex, UnionKind};
use serde::{de::DeserializeOwned, Serialize};

/// The note put on every health observation derived from a GEDCOM file.
pub const IMPORTED_NOTE: &str = "imported from GEDCOM, unverified";

/// `Provenance::Imported { format }` prefix for observations that came from a GEDCOM file.
pub const PROV_PREFIX: &str = "GEDCOM ";
/// ... from `DEAT.CAUS`.
pub const PROV_DEAT_CAUS: &str = "GEDCOM DEAT.CAUS";
/// ... from `_MDCL` (Family Tree Maker / Ancestry "medical condition").
pub const PROV_MDCL: &str = "GEDCOM _MDCL";

/// Kinvault's own extension tags, with the URIs they are declared under in GEDCOM 7 `HEAD.SCHMA`
/// (documented in docs/gedcom-extensions.md).
pub const EXT_COND: &str = "_KV_COND";
pub const EXT_GTEST: &str = "_KV_GTEST";
pub const EXT_PROBAND: &str = "_KV_PROBAND";
pub const EXT_GENDER: &str = "_KV_GENDER";
pub const EXT_ALIVE: &str = "_KV_ALIVE";
pub const EXT_UNION: &str = "_KV_UNION";
pub const EXT_CONSANG: &str = "_KV_CONSANG";
pub const EXT_TWIN: &str = "_KV_TWIN";

pub fn extension_uri(tag: &str) -> String {
    format!("https://kinvault.org/gedcom/{}", tag.trim_start_matches('_').to_ascii_lowercase().replace('_', "-"))
}

/// Extension tags that carry health data (left out of exports unless health is asked for).
pub const HEALTH_EXTENSIONS: &[&str] = &[EXT_COND, EXT_GTEST, EXT_PROBAND];

/// Individual events the model maps (tag, kind). `EVEN`/`FACT` are handled apart.
pub fn indi_event_kind(tag: &str) -> Option<EventKind> {
    Some(match tag {
        "BIRT" => EventKind::Birth,
        "CHR" => EventKind::Christening,
        "BAPM" => EventKind::Baptism,
        "DEAT" => EventKind::Death,
        "BURI" => EventKind::Burial,
        "CREM" => EventKind::Cremation,
        "ADOP" => EventKind::Adoption,
        "CENS" => EventKind::Census,
        "RESI" => EventKind::Residence,
        "OCCU" => EventKind::Occupation,
        "EDUC" => EventKind::Education,
        "EMIG" => EventKind::Emigration,
        "IMMI" => EventKind::Immigration,
        "NATU" => EventKind::Naturalization,
        "GRAD" => EventKind::Graduation,
        "RETI" => EventKind::Retirement,
        "WILL" => EventKind::Will,
        "PROB" => EventKind::Probate,
        _ => return None,
    })
}

/// Family events the model maps: (kind, tag to remember when the kind does not say it).
pub fn fam_event_kind(tag: &str) -> Option<(EventKind, Option<&'static str>)> {
    let custom = |label: &str, tag: &'static str| (EventKind::Custom(label.to_string()), Some(tag));
    Some(match tag {
        "MARR" => (EventKind::Marriage, None),
        "DIV" => (EventKind::Divorce, None),
        "ENGA" => (EventKind::Engagement, None),
        "_SEPR" => (EventKind::Separation, None),
        "CENS" => (EventKind::Census, None),
        "RESI" => (EventKind::Residence, None),
        "ANUL" => custom("Annulment", "ANUL"),
        "MARB" => custom("Marriage banns", "MARB"),
        "MARC" => custom("Marriage contract", "MARC"),
        "MARL" => custom("Marriage licence", "MARL"),
        "MARS" => custom("Marriage settlement", "MARS"),
        "DIVF" => custom("Divorce filed", "DIVF"),
        _ => return None,
    })
}

/// The tag an event is written with.
pub fn event_tag(kind: &EventKind, tag: Option<&str>) -> String {
    if let Some(t) = tag {
        return t.to_string();
    }
    match kind {
        EventKind::Birth => "BIRT",
        EventKind::Baptism => "BAPM",
        EventKind::Christening => "CHR",
        EventKind::Death => "DEAT",
        EventKind::Burial => "BURI",
        EventKind::Cremation => "CREM",
        EventKind::Marriage => "MARR",
        EventKind::Engagement => "ENGA",
        EventKind::Divorce => "DIV",
        EventKind::Separation => "_SEPR",
        EventKind::Adoption => "ADOP",
        EventKind::Census => "CENS",
        EventKind::Residence => "RESI",
        EventKind::Occupation => "OCCU",
        EventKind::Education => "EDUC",
        EventKind::Emigration => "EMIG",
        EventKind::Immigration => "IMMI",
        EventKind::Naturalization => "NATU",
        EventKind::Graduation => "GRAD",
        EventKind::Retirement => "RETI",
        EventKind::Will => "WILL",
        EventKind::Probate => "PROB",
        EventKind::Custom(_) => "EVEN",
    }
    .to_string()
}

/// Events whose "it happened, details unknown" form is the value `Y`.
pub fn takes_y(tag: &str) -> bool {
    !matches!(tag, "EVEN" | "FACT" | "OCCU" | "EDUC" | "RESI")
}

/// `TYPE` values that make an `EVEN`/`FACT`/`_ATTR` a health fact.
pub fn is_medical_type(t: &str) -> bool {
    t.to_lowercase().contains("medical")
}

/// Person-level structures that hold health data when kept raw (so the privacy filter can drop
/// them): `_MDCL`, our health extensions, and anything typed "medical".
pub fn raw_is_health(r: &RawStructure) -> bool {
    r.tag == "_MDCL"
        || HEALTH_EXTENSIONS.contains(&r.tag.as_str())
        || r.children.iter().any(|c| c.tag == "TYPE" && c.text.as_deref().is_some_and(is_medical_type))
}

pub fn sex_code(sex: Sex) -> Option<&'static str> {
    match sex {
        Sex::Male => Some("M"),
        Sex::Female => Some("F"),
        Sex::Intersex => Some("X"),
        Sex::Unknown => None,
    }
}

/// `PEDI` values (5.5.1 lower case, 7.0 upper case). `OTHER`, `STEP` and unknown words are not
/// mapped (kept raw).
pub fn parse_pedi(text: &str) -> Option<ChildRelationship> {
    match text.trim().to_ascii_lowercase().as_str() {
        "birth" => Some(ChildRelationship::Birth),
        "adopted" => Some(ChildRelationship::Adopted),
        "foster" => Some(ChildRelationship::Foster),
        "sealing" => Some(ChildRelationship::Sealing),
        _ => None,
    }
}

pub fn pedi_text(rel: ChildRelationship, v7: bool) -> Option<&'static str> {
    let t = match rel {
        ChildRelationship::Birth => "birth",
        ChildRelationship::Adopted => "adopted",
        ChildRelationship::Foster => "foster",
        ChildRelationship::Sealing => "sealing",
        ChildRelationship::Step | ChildRelationship::Unknown => return None,
    };
    Some(if v7 {
        match rel {
            ChildRelationship::Birth => "BIRTH",
            ChildRelationship::Adopted => "ADOPTED",
            ChildRelationship::Foster => "FOSTER",
            _ => "SEALING",
        }
    } else {
        t
    })
}

/// Ancestry / Family Tree Maker `_FREL` / `_MREL` values.
pub fn parse_frel(text: &str) -> Option<ChildRelationship> {
    match text.trim().to_ascii_lowercase().as_str() {
        "natural" | "birth" | "biological" => Some(ChildRelationship::Birth),
        "adopted" => Some(ChildRelationship::Adopted),
        "step" | "stepchild" => Some(ChildRelationship::Step),
        "foster" => Some(ChildRelationship::Foster),
        "sealing" => Some(ChildRelationship::Sealing),
        "unknown" => Some(ChildRelationship::Unknown),
        _ => None,
    }
}

pub fn frel_text(rel: ChildRelationship) -> &'static str {
    match rel {
        ChildRelationship::Birth => "Natural",
        ChildRelationship::Adopted => "Adopted",
        ChildRelationship::Step => "Step",
        ChildRelationship::Foster => "Foster",
        ChildRelationship::Sealing => "Sealing",
        ChildRelationship::Unknown => "Unknown",
    }
}

pub fn parse_name_type(text: &str) -> Option<NameKind> {
    match text.trim().to_ascii_lowercase().as_str() {
        "birth" => Some(NameKind::Birth),
        "married" => Some(NameKind::Married),
        "aka" | "also known as" => Some(NameKind::AlsoKnownAs),
        "immigrant" => Some(NameKind::Immigrant),
        "religious" => Some(NameKind::Religious),
        "professional" => Some(NameKind::Professional),
        "other" => Some(NameKind::Other),
        _ => None,
    }
}

pub fn name_type_text(kind: NameKind, v7: bool) -> &'static str {
    let (low, up) = match kind {
        NameKind::Birth => ("birth", "BIRTH"),
        NameKind::Married => ("married", "MARRIED"),
        NameKind::AlsoKnownAs => ("aka", "AKA"),
        NameKind::Immigrant => ("immigrant", "IMMIGRANT"),
        NameKind::Religious => ("religious", "RELIGIOUS"),
        NameKind::Professional => ("professional", "PROFESSIONAL"),
        NameKind::Other => ("other", "OTHER"),
    };
    if v7 {
        up
    } else {
        low
    }
}

/// The kind of union the family's own structures say: a marriage event or a `_STAT`/`TYPE`
/// that names one. Used on import, and on export to decide whether `_KV_UNION` is needed.
pub fn derived_union_kind<'a>(has_marriage: bool, raw: impl IntoIterator<Item = &'a RawStructure>) -> UnionKind {
    for r in raw {
        if r.tag == "_STAT" || r.tag == "TYPE" {
            match r.text.as_deref().map(|t| t.trim().to_ascii_lowercase()).as_deref() {
                Some("married") => return UnionKind::Married,
                Some("partners" | "unmarried" | "civil union" | "domestic partnership" | "partner") => {
                    return UnionKind::Partners
                }
                _ => {}
            }
        }
    }
    if has_marriage {
        UnionKind::Married
    } else {
        UnionKind::Unknown
    }
}

/// `MAP.LATI`/`LONG` value: `N51.5`, `W0.12`, or a plain signed number.
pub fn parse_coordinate(text: &str, positive: char, negative: char) -> Option<f64> {
    let t = text.trim();
    let first = t.chars().next()?;
    let (sign, rest) = if first.eq_ignore_ascii_case(&positive) {
        (1.0, &t[1..])
    } else if first.eq_ignore_ascii_case(&negative) {
        (-1.0, &t[1..])
    } else {
        (1.0, t)
    };
    let v: f64 = rest.trim().parse().ok()?;
    v.is_finite().then_some(sign * v)
}

pub fn format_coordinate(v: f64, positive: char, negative: char) -> String {
    if v < 0.0 {
        format!("{negative}{}", -v)
    } else {
        format!("{positive}{}", v)
    }
}

/// A GEDCOM `AGE` in years (`42y 3m`, `> 42y`, `42`); keywords and unparsable text give `None`.
pub fn parse_age(text: &str) -> Option<f64> {
    let t = text.trim().trim_start_matches(['<', '>']).trim();
    if let Ok(y) = t.parse::<f64>() {
        return (y.is_finite() && y >= 0.0).then_some(y);
    }
    let mut years = 0.0;
    let mut any = false;
    for part in t.split_whitespace() {
        let (num, unit) = part.split_at(part.len().checked_sub(1)?);
        let n: f64 = num.parse().ok()?;
        match unit.to_ascii_lowercase().as_str() {
            "y" => years += n,
            "m" => years += n / 12.0,
            "w" => years += n * 7.0 / 365.25,
            "d" => years += n / 365.25,
            _ => return None,
        }
        any = true;
    }
    any.then_some(years)
}

/// A number as the shortest text that parses back to it (`40`, `42.5`).
pub fn format_number(v: f64) -> String {
    format!("{v}")
}

/// The snake_case serde name of a unit enum variant.
pub fn enum_text<T: Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

/// Parses a snake_case serde name back into the enum.
pub fn enum_parse<T: DeserializeOwned>(text: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(text.trim().to_string())).ok()
}

pub fn node_to_raw(n: &Node) -> RawStructure {
    let (text, pointer) = match &n.value {
        Some(Value::Text(t)) => (Some(t.clone()), None),
        Some(Value::Pointer(p)) => (None, Some(p.clone())),
        None => (None, None),
    };
    RawStructure {
        tag: n.tag.clone(),
        xref: n.xref.clone(),
        text,
        pointer,
        children: n.children.iter().map(node_to_raw).collect(),
    }
}

pub fn raw_to_node(r: &RawStructure) -> Node {
    let value = match (&r.pointer, &r.text) {
        (Some(p), _) => Some(Value::Pointer(p.clone())),
        (None, Some(t)) if !t.is_empty() => Some(Value::Text(t.clone())),
        _ => None,
    };
    Node {
        tag: r.tag.clone(),
        xref: r.xref.clone(),
        value,
        line: 0,
        children: r.children.iter().map(raw_to_node).collect(),
    }
}

/// The text value of a node with no substructures (the only nodes that map to a plain field).
pub fn leaf_text(n: &Node) -> Option<&str> {
    if n.children.is_empty() {
        n.text()
    } else {
        None
    }
}

/// `xref` (without `@`s) as the model stores it: `@I1@`.
pub fn model_xref(x: &str) -> String {
    format!("@{x}@")
}

/// A model xref (`@I1@`, or `I1` from older data) as a GEDCOM xref without `@`s.
pub fn bare_xref(x: &str) -> &str {
    x.trim().trim_start_matches('@').trim_end_matches('@')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coordinates_round_trip() {
        assert_eq!(parse_coordinate("N51.5", 'N', 'S'), Some(51.5));
        assert_eq!(parse_coordinate("s33.86", 'N', 'S'), Some(-33.86));
        assert_eq!(parse_coordinate("-0.12", 'E', 'W'), Some(-0.12));
        assert_eq!(parse_coordinate("N51°30'", 'N', 'S'), None);
        for v in [51.5, -0.1278, 0.0, 179.999_999_9] {
            assert_eq!(parse_coordinate(&format_coordinate(v, 'E', 'W'), 'E', 'W'), Some(v));
        }
    }

    #[test]
    fn ages() {
        assert_eq!(parse_age("42y"), Some(42.0));
        assert_eq!(parse_age("> 42y 6m"), Some(42.5));
        assert_eq!(parse_age("42"), Some(42.0));
        assert_eq!(parse_age("CHILD"), None);
        assert_eq!(parse_age(""), None);
    }

    #[test]
    fn enum_names() {
        assert_eq!(enum_text(&kinvault_model::ConditionStatus::Affected), "affected");
        assert_eq!(
            enum_parse::<kinvault_model::AcmgClass>("likely_pathogenic"),
            Some(kinvault_model::AcmgClass::LikelyPathogenic)
        );
        assert_eq!(enum_parse::<kinvault_model::AcmgClass>("nope"), None);
    }
}
