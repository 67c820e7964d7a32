//! English relationship names, following Gramps' English relationship calculator
//! (`gramps/gen/relationship.py`, `RelationshipCalculator.get_single_relationship_string`):
//! "father", "grandfather", "great grandfather", "second great grandfather"; "uncle",
//! "granduncle", "great granduncle"; "nephew", "grandnephew", "great grandnephew"; "first
//! cousin", "second cousin once removed"; the `step` prefix goes on the last word
//! ("great stepgrandfather", "first stepcousin") and `-in-law` follows it ("great
//! grandfather-in-law", "first cousin-in-law once removed"), exactly where Gramps puts them.
//!
//! Departures from Gramps, all documented in docs/pedigree.md: unknown-sex ancestors and
//! descendants are "parent"/"grandparent"/"child"/"grandchild" (Gramps says "first ancestor",
//! "second descendant"...); "half-" applies to every collateral line through one shared ancestor
//! (Gramps only says "half-brother"/"half-sister"); ordinals go on past Gramps' table of fifty.

use kinvault_model::Sex;

/// Optional parts of a name.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Parts {
    pub step: bool,
    pub in_law: bool,
    pub half: bool,
    /// Appended in parentheses: "adopted", "adoptive", "foster", "sealing", "non-birth".
    pub qualifier: Option<&'static str>,
    /// Gramps' " (up)" / " (down)" after "removed" cousins.
    pub direction: bool,
}

/// What `b` is to `a`, where `ga`/`gb` are the generations from `a`/`b` up to the common
/// ancestor and `sex` is `b`'s.
pub(crate) fn relationship_name(ga: u32, gb: u32, sex: Sex, parts: Parts) -> String {
    let step = if parts.step { "step" } else { "" };
    let inlaw = if parts.in_law { "-in-law" } else { "" };
    let male = sex == Sex::Male;
    let female = sex == Sex::Female;
    let pick = |m: &'static str, f: &'static str, n: &'static str| {
        if male {
            m
        } else if female {
            f
        } else {
            n
        }
    };
    let mut name = match (ga, gb) {
        (0, 0) => "same person".to_string(),
        (0, g) => {
            let (first, grand) = (pick("son", "daughter", "child"), pick("grandson", "granddaughter", "grandchild"));
            ladder(g, first, grand, step, inlaw)
        }
        (g, 0) => {
            let (first, grand) =
                (pick("father", "mother", "parent"), pick("grandfather", "grandmother", "grandparent"));
            ladder(g, first, grand, step, inlaw)
        }
        (1, 1) => format!("{step}{}{inlaw}", pick("brother", "sister", "sibling")),
        (g, 1) => {
            let (first, grand) =
                (pick("uncle", "aunt", "uncle/aunt"), pick("granduncle", "grandaunt", "granduncle/aunt"));
            ladder(g - 1, first, grand, step, inlaw)
        }
        (1, g) => {
            if male || female {
                let (first, grand) = (pick("nephew", "niece", ""), pick("grandnephew", "grandniece", ""));
                ladder(g - 1, first, grand, step, inlaw)
            } else {
                format!(
                    "{} or {}",
                    ladder(g - 1, "nephew", "grandnephew", step, inlaw),
                    ladder(g - 1, "niece", "grandniece", step, inlaw)
                )
            }
        }
        (x, y) => {
            let level = x.min(y) - 1;
            let removed = x.abs_diff(y);
            let mut s = format!("{} {step}cousin{inlaw}", ordinal(level));
            if removed > 0 {
                s.push(' ');
                s.push_str(&times(removed));
                s.push_str(" removed");
                if parts.direction {
                    s.push_str(if x > y { " (up)" } else { " (down)" });
                }
            }
            s
        }
    };
    if parts.half && ga > 0 && gb > 0 {
        name.insert_str(0, "half-");
    }
    if let Some(q) = parts.qualifier {
        name.push_str(" (");
        name.push_str(q);
        name.push(')');
    }
    name
}

/// Partner words: Gramps' "husband"/"wife"/"spouse" for a marriage, "partner" otherwise.
pub(crate) fn partner_name(sex: Sex, married: bool) -> String {
    match (married, sex) {
        (true, Sex::Male) => "husband",
        (true, Sex::Female) => "wife",
        (true, _) => "spouse",
        (false, _) => "partner",
    }
    .to_string()
}

/// 1 → "father", 2 → "grandfather", 3 → "great grandfather", n → "(n-2)th great grandfather".
fn ladder(level: u32, first: &str, grand: &str, step: &str, inlaw: &str) -> String {
    match level {
        0 => String::new(),
        1 => format!("{step}{first}{inlaw}"),
        2 => format!("{step}{grand}{inlaw}"),
        3 => format!("great {step}{grand}{inlaw}"),
        n => format!("{} great {step}{grand}{inlaw}", ordinal(n - 2)),
    }
}

const UNITS: [&str; 20] = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
];
const UNIT_ORDINALS: [&str; 20] = [
    "zeroth",
    "first",
    "second",
    "third",
    "fourth",
    "fifth",
    "sixth",
    "seventh",
    "eighth",
    "ninth",
    "tenth",
    "eleventh",
    "twelfth",
    "thirteenth",
    "fourteenth",
    "fifteenth",
    "sixteenth",
    "seventeenth",
    "eighteenth",
    "nineteenth",
];
const TENS: [&str; 10] = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"];
const TEN_ORDINALS: [&str; 10] =
    ["", "", "twentieth", "thirtieth", "fortieth", "fiftieth", "sixtieth", "seventieth", "eightieth", "ninetieth"];

/// "first", "second", ..., "twenty-first", ..., "ninety-ninth", then "100th".
pub(crate) fn ordinal(n: u32) -> String {
    match (n / 10, n % 10) {
        (0..=1, _) => UNIT_ORDINALS[n as usize].to_string(),
        (t @ 2..=9, 0) => TEN_ORDINALS[t as usize].to_string(),
        (t @ 2..=9, u) => format!("{}-{}", TENS[t as usize], UNIT_ORDINALS[u as usize]),
        _ => format!("{n}th"),
    }
}

/// "once", "twice", "three times", ..., "twenty-one times".
fn times(n: u32) -> String {
    match (n / 10, n % 10) {
        (0, 1) => "once".to_string(),
        (0, 2) => "twice".to_string(),
        (0..=1, _) => format!("{} times", UNITS[n as usize]),
        (t @ 2..=9, 0) => format!("{} times", TENS[t as usize]),
        (t @ 2..=9, u) => format!("{}-{} times", TENS[t as usize], UNITS[u as usize]),
        _ => format!("{n} times"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(ga: u32, gb: u32, sex: Sex) -> String {
        relationship_name(ga, gb, sex, Parts::default())
    }

    #[test]
    fn ordinals_and_times() {
        assert_eq!(ordinal(1), "first");
        assert_eq!(ordinal(21), "twenty-first");
        assert_eq!(ordinal(30), "thirtieth");
        assert_eq!(ordinal(100), "100th");
        assert_eq!(times(3), "three times");
        assert_eq!(times(21), "twenty-one times");
    }

    #[test]
    fn gramps_table() {
        // (Ga, Gb, sex of b, expected) — Gramps' English strings.
        let m = Sex::Male;
        let f = Sex::Female;
        let u = Sex::Unknown;
        let cases = [
            (0, 0, m, "same person"),
            (0, 1, m, "son"),
            (0, 1, f, "daughter"),
            (0, 1, u, "child"),
            (0, 2, f, "granddaughter"),
            (0, 3, m, "great grandson"),
            (0, 4, m, "second great grandson"),
            (1, 0, m, "father"),
            (1, 0, f, "mother"),
            (1, 0, u, "parent"),
            (2, 0, m, "grandfather"),
            (3, 0, f, "great grandmother"),
            (4, 0, m, "second great grandfather"),
            (5, 0, u, "third great grandparent"),
            (1, 1, m, "brother"),
            (1, 1, f, "sister"),
            (1, 1, u, "sibling"),
            (2, 1, m, "uncle"),
            (2, 1, f, "aunt"),
            (2, 1, u, "uncle/aunt"),
            (3, 1, f, "grandaunt"),
            (3, 1, m, "granduncle"),
            (4, 1, m, "great granduncle"),
            (5, 1, f, "second great grandaunt"),
            (1, 2, m, "nephew"),
            (1, 2, f, "niece"),
            (1, 2, u, "nephew or niece"),
            (1, 3, f, "grandniece"),
            (1, 4, m, "great grandnephew"),
            (1, 5, f, "second great grandniece"),
            (2, 2, u, "first cousin"),
            (3, 3, m, "second cousin"),
            (4, 4, f, "third cousin"),
            (2, 3, m, "first cousin once removed"),
            (3, 2, m, "first cousin once removed"),
            (3, 4, f, "second cousin once removed"),
            (2, 4, m, "first cousin twice removed"),
            (2, 5, m, "first cousin three times removed"),
            (5, 3, u, "second cousin twice removed"),
        ];
        for (ga, gb, sex, want) in cases {
            assert_eq!(name(ga, gb, sex), want, "Ga={ga} Gb={gb} {sex:?}");
        }
    }

    #[test]
    fn parts() {
        let p = |step, in_law, half| Parts { step, in_law, half, ..Default::default() };
        assert_eq!(relationship_name(1, 1, Sex::Male, p(false, false, true)), "half-brother");
        assert_eq!(relationship_name(2, 2, Sex::Male, p(false, false, true)), "half-first cousin");
        assert_eq!(relationship_name(1, 0, Sex::Female, p(true, false, false)), "stepmother");
        assert_eq!(relationship_name(3, 0, Sex::Male, p(true, false, false)), "great stepgrandfather");
        assert_eq!(relationship_name(1, 0, Sex::Male, p(false, true, false)), "father-in-law");
        assert_eq!(relationship_name(1, 1, Sex::Female, p(false, true, false)), "sister-in-law");
        assert_eq!(relationship_name(2, 3, Sex::Male, p(false, true, false)), "first cousin-in-law once removed");
        let dir = Parts { direction: true, ..Default::default() };
        assert_eq!(relationship_name(3, 2, Sex::Male, dir), "first cousin once removed (up)");
        assert_eq!(relationship_name(2, 3, Sex::Male, dir), "first cousin once removed (down)");
        let adopted = Parts { qualifier: Some("adopted"), ..Default::default() };
        assert_eq!(relationship_name(0, 1, Sex::Male, adopted), "son (adopted)");
    }
}
