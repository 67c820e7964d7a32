//! GEDCOM-style dates: the original text is always kept, and a sortable Gregorian range that is
//! guaranteed to contain the date is derived from it where the grammar allows.
//!
//! Supported: exact and partial dates (`1815`, `DEC 1815`, `10 DEC 1815`), approximations
//! (`ABT`, `CAL`, `EST`), ranges (`BEF`, `AFT`, `BET .. AND ..`), periods (`FROM .. TO ..`),
//! interpreted dates (`INT .. (phrase)`), phrases (`(text)`), dual years (`1699/00`), `B.C.`/`BCE`,
//! and the Gregorian, Julian, Hebrew and French Republican calendars in both the 5.5.1 escape form
//! (`@#DJULIAN@`) and the 7.0 keyword form (`JULIAN`). ISO `YYYY-MM-DD`, which some vendors write,
//! is accepted too. Anything else is kept as text with no range, never rejected.

use serde::{Deserialize, Serialize};
use std::fmt;
use ts_rs::TS;

/// A day in the proleptic Gregorian calendar (astronomical year numbering: 1 BC is year 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, TS)]
pub struct Ymd {
    pub year: i32,
    pub month: u8,
    pub day: u8,
}

impl Ymd {
    /// Integer that sorts like the date (`year * 10000 + month * 100 + day`).
    pub fn sort_key(self) -> i64 {
        i64::from(self.year) * 10_000 + i64::from(self.month) * 100 + i64::from(self.day)
    }

    fn from_jdn(jdn: i64) -> Ymd {
        let (y, m, d) = jdn_to_gregorian(jdn);
        Ymd { year: y as i32, month: m as u8, day: d as u8 }
    }

    fn jdn(self) -> i64 {
        gregorian_to_jdn(i64::from(self.year), i64::from(self.month), i64::from(self.day))
    }
}

impl fmt::Display for Ymd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Calendar {
    Gregorian,
    Julian,
    Hebrew,
    FrenchRepublican,
    /// A calendar we do not convert (`@#DROMAN@`, `@#DUNKNOWN@`, extension calendars).
    Other,
}

/// How the date relates to the event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum DateQualifier {
    Exact,
    About,
    Calculated,
    Estimated,
    Before,
    After,
    Between,
    From,
    To,
    FromTo,
    Interpreted,
    /// Free text only, e.g. `(in the spring after the flood)`.
    Phrase,
    /// Did not parse; the original text is kept as is.
    Unparsed,
}

/// A date as written, plus a Gregorian range that contains it (bounds inclusive, `None` = open).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct GDate {
    pub original: String,
    pub qualifier: DateQualifier,
    pub calendar: Calendar,
    pub earliest: Option<Ymd>,
    pub latest: Option<Ymd>,
    pub phrase: Option<String>,
}

impl GDate {
    /// Parses leniently: never fails, unparsable text becomes [`DateQualifier::Unparsed`].
    pub fn parse(text: &str) -> GDate {
        let original = text.trim().to_string();
        parse_value(&original).unwrap_or(GDate {
            original: original.clone(),
            qualifier: DateQualifier::Unparsed,
            calendar: Calendar::Gregorian,
            earliest: None,
            latest: None,
            phrase: None,
        })
    }

    /// Sort key: the earliest bound, else the latest, else `None` (sorts last by convention).
    pub fn sort_key(&self) -> Option<i64> {
        self.earliest.or(self.latest).map(Ymd::sort_key)
    }

    /// The year to show in short listings (e.g. "1815"), if the range gives one.
    pub fn year(&self) -> Option<i32> {
        self.earliest.or(self.latest).map(|d| d.year)
    }
}

impl fmt::Display for GDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.original)
    }
}

/// One calendar date as written, before conversion to a range.
struct Simple {
    calendar: Calendar,
    earliest: Ymd,
    latest: Ymd,
}

fn parse_value(text: &str) -> Option<GDate> {
    let upper = text.to_ascii_uppercase();
    let tokens: Vec<&str> = upper.split_whitespace().collect();
    if tokens.is_empty() {
        return None;
    }
    let mk = |qualifier, calendar, earliest, latest, phrase| {
        Some(GDate { original: text.to_string(), qualifier, calendar, earliest, latest, phrase })
    };
    if text.starts_with('(') && text.ends_with(')') {
        let phrase = text[1..text.len() - 1].trim().to_string();
        return mk(DateQualifier::Phrase, Calendar::Gregorian, None, None, Some(phrase));
    }
    let head = tokens[0];
    let rest = &tokens[1..];
    match head {
        "ABT" | "ABOUT" | "CAL" | "EST" | "ABT." | "CIRCA" | "C." => {
            let q = match head {
                "CAL" => DateQualifier::Calculated,
                "EST" => DateQualifier::Estimated,
                _ => DateQualifier::About,
            };
            let s = parse_simple(rest)?;
            mk(q, s.calendar, Some(s.earliest), Some(s.latest), None)
        }
        "BEF" | "BEFORE" | "BEF." => {
            let s = parse_simple(rest)?;
            let latest = Ymd::from_jdn(s.earliest.jdn() - 1);
            mk(DateQualifier::Before, s.calendar, None, Some(latest), None)
        }
        "AFT" | "AFTER" | "AFT." => {
            let s = parse_simple(rest)?;
            let earliest = Ymd::from_jdn(s.latest.jdn() + 1);
            mk(DateQualifier::After, s.calendar, Some(earliest), None, None)
        }
        "BET" | "BETWEEN" => {
            let and = rest.iter().position(|t| *t == "AND")?;
            let a = parse_simple(&rest[..and])?;
            let b = parse_simple(&rest[and + 1..])?;
            mk(DateQualifier::Between, a.calendar, Some(a.earliest.min(b.earliest)), Some(a.latest.max(b.latest)), None)
        }
        "FROM" => {
            if let Some(to) = rest.iter().position(|t| *t == "TO") {
                let a = parse_simple(&rest[..to])?;
                let b = parse_simple(&rest[to + 1..])?;
                mk(
                    DateQualifier::FromTo,
                    a.calendar,
                    Some(a.earliest.min(b.earliest)),
                    Some(a.latest.max(b.latest)),
                    None,
                )
            } else {
                let a = parse_simple(rest)?;
                mk(DateQualifier::From, a.calendar, Some(a.earliest), None, None)
            }
        }
        "TO" => {
            let b = parse_simple(rest)?;
            mk(DateQualifier::To, b.calendar, None, Some(b.latest), None)
        }
        "INT" => {
            // `INT <date> (<phrase>)`: the phrase is taken from the original-case text.
            let open = text.find('(');
            let date_part: Vec<&str> = match open {
                Some(i) => upper[..i].split_whitespace().skip(1).collect(),
                None => rest.to_vec(),
            };
            let phrase = open.map(|i| text[i..].trim_matches(|c| c == '(' || c == ')' || c == ' ').to_string());
            let s = parse_simple(&date_part)?;
            mk(DateQualifier::Interpreted, s.calendar, Some(s.earliest), Some(s.latest), phrase)
        }
        _ => {
            let s = parse_simple(&tokens)?;
            mk(DateQualifier::Exact, s.calendar, Some(s.earliest), Some(s.latest), None)
        }
    }
}

fn parse_simple(tokens: &[&str]) -> Option<Simple> {
    let mut tokens = tokens.to_vec();
    if tokens.is_empty() {
        return None;
    }
    let mut calendar = Calendar::Gregorian;
    let first = tokens[0];
    let escape = match first {
        "@#DGREGORIAN@" | "GREGORIAN" => Some(Calendar::Gregorian),
        "@#DJULIAN@" | "JULIAN" => Some(Calendar::Julian),
        "@#DHEBREW@" | "HEBREW" => Some(Calendar::Hebrew),
        "FRENCH_R" => Some(Calendar::FrenchRepublican),
        "@#DFRENCH" if tokens.get(1) == Some(&"R@") => {
            tokens.remove(1);
            Some(Calendar::FrenchRepublican)
        }
        "@#DROMAN@" | "@#DUNKNOWN@" => Some(Calendar::Other),
        t if t.starts_with("@#D") || (t.starts_with('_') && t.len() > 1) => Some(Calendar::Other),
        _ => None,
    };
    if let Some(c) = escape {
        calendar = c;
        tokens.remove(0);
    }
    if calendar == Calendar::Other {
        return None;
    }
    // Era suffix.
    let mut bce = false;
    if let Some(last) = tokens.last() {
        if matches!(*last, "B.C." | "BC" | "BCE" | "B.C.E.") {
            bce = true;
            tokens.pop();
        }
    }
    // ISO form written by some vendors.
    if tokens.len() == 1 && calendar == Calendar::Gregorian && !bce {
        if let Some(d) = parse_iso(tokens[0]) {
            return Some(Simple { calendar, earliest: d, latest: d });
        }
    }
    let (day, month, year_tok) = match tokens.as_slice() {
        [y] => (None, None, *y),
        [m, y] => (None, Some(*m), *y),
        [d, m, y] => (Some(*d), Some(*m), *y),
        _ => return None,
    };
    let (mut year, dual) = parse_year(year_tok)?;
    if bce {
        year = 1 - year;
    }
    let month = match month {
        Some(m) => Some(month_number(calendar, m)?),
        None => None,
    };
    let day: Option<u32> = match day {
        Some(d) => Some(d.parse().ok().filter(|d| (1..=31).contains(d))?),
        None => None,
    };
    if day.is_some() && month.is_none() {
        return None;
    }
    // A dual year (1699/00) is the old-style year; the modern year is the second one.
    let year = if dual { year + 1 } else { year };
    let (earliest, latest) = calendar_range(calendar, year, month, day)?;
    Some(Simple { calendar, earliest: Ymd::from_jdn(earliest), latest: Ymd::from_jdn(latest) })
}

fn parse_iso(t: &str) -> Option<Ymd> {
    let mut parts = t.split('-');
    let y: i32 = parts.next()?.parse().ok()?;
    let m: u8 = parts.next()?.parse().ok()?;
    let d: u8 = parts.next()?.parse().ok()?;
    if parts.next().is_some()
        || !(1..=12).contains(&m)
        || d < 1
        || u32::from(d) > days_in_gregorian_month(i64::from(y), u32::from(m))
    {
        return None;
    }
    Some(Ymd { year: y, month: m, day: d })
}

/// Returns the year and whether it was a dual year like `1699/00` or `1699/1700`.
fn parse_year(t: &str) -> Option<(i32, bool)> {
    if let Some((a, b)) = t.split_once('/') {
        let y: i32 = a.parse().ok()?;
        if b.is_empty() || b.len() > 4 || !b.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        return Some((y, true));
    }
    if t.is_empty() || t.len() > 5 || !t.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    t.parse().ok().map(|y| (y, false))
}

const GREGORIAN_MONTHS: [&str; 12] =
    ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const HEBREW_MONTHS: [&str; 13] =
    ["TSH", "CSH", "KSL", "TVT", "SHV", "ADR", "ADS", "NSN", "IYR", "SVN", "TMZ", "AAV", "ELL"];
const FRENCH_MONTHS: [&str; 13] =
    ["VEND", "BRUM", "FRIM", "NIVO", "PLUV", "VENT", "GERM", "FLOR", "PRAI", "MESS", "THER", "FRUC", "COMP"];

fn month_number(calendar: Calendar, token: &str) -> Option<u32> {
    let token = token.trim_end_matches('.');
    let table: &[&str] = match calendar {
        Calendar::Gregorian | Calendar::Julian => &GREGORIAN_MONTHS,
        Calendar::Hebrew => &HEBREW_MONTHS,
        Calendar::FrenchRepublican => &FRENCH_MONTHS,
        Calendar::Other => return None,
    };
    if let Some(i) = table.iter().position(|m| *m == token) {
        return Some(i as u32 + 1);
    }
    // Lenient: full English month names ("December") for the Gregorian and Julian calendars.
    if matches!(calendar, Calendar::Gregorian | Calendar::Julian) && token.len() > 3 {
        return GREGORIAN_MONTHS.iter().position(|m| token.starts_with(m)).map(|i| i as u32 + 1);
    }
    None
}

/// Julian day numbers of the first and last day the written date can mean.
fn calendar_range(cal: Calendar, year: i32, month: Option<u32>, day: Option<u32>) -> Option<(i64, i64)> {
    let y = i64::from(year);
    match cal {
        Calendar::Gregorian | Calendar::Julian => {
            let to_jdn = |y, m, d| {
                if cal == Calendar::Julian {
                    julian_to_jdn(y, m, d)
                } else {
                    gregorian_to_jdn(y, m, d)
                }
            };
            match (month, day) {
                (None, _) => Some((to_jdn(y, 1, 1), to_jdn(y, 12, 31))),
                (Some(m), None) => {
                    let last = days_in_month(cal, y, m);
                    Some((to_jdn(y, i64::from(m), 1), to_jdn(y, i64::from(m), i64::from(last))))
                }
                (Some(m), Some(d)) => {
                    if d > days_in_month(cal, y, m) {
                        return None;
                    }
                    let j = to_jdn(y, i64::from(m), i64::from(d));
                    Some((j, j))
                }
            }
        }
        Calendar::FrenchRepublican => {
            if year < 1 {
                return None;
            }
            // 1 Vendémiaire an I = 22 September 1792; sextile (leap) years III, VII, XI, XV...
            let start = 2_375_840 + (y - 1) * 365 + y / 4;
            let year_len = if y % 4 == 3 { 366 } else { 365 };
            match (month, day) {
                (None, _) => Some((start, start + year_len - 1)),
                (Some(m), None) => {
                    let s = start + (i64::from(m) - 1) * 30;
                    let len = if m == 13 { year_len - 360 } else { 30 };
                    Some((s, s + len - 1))
                }
                (Some(m), Some(d)) => {
                    if d > 30 || (m == 13 && i64::from(d) > year_len - 360) {
                        return None;
                    }
                    let j = start + (i64::from(m) - 1) * 30 + i64::from(d) - 1;
                    Some((j, j))
                }
            }
        }
        Calendar::Hebrew => {
            // Exact Hebrew conversion is not needed for sorting; Rosh Hashanah of year Y always
            // falls between 5 September and 5 October of Gregorian year Y − 3761, so this range
            // contains any date of Hebrew year Y.
            let g = y - 3761;
            Some((gregorian_to_jdn(g, 9, 5), gregorian_to_jdn(g + 1, 10, 5)))
        }
        Calendar::Other => None,
    }
}

fn days_in_month(cal: Calendar, y: i64, m: u32) -> u32 {
    if cal == Calendar::Julian && m == 2 {
        return if y.rem_euclid(4) == 0 { 29 } else { 28 };
    }
    days_in_gregorian_month(y, m)
}

fn days_in_gregorian_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (y.rem_euclid(4) == 0 && y.rem_euclid(100) != 0) || y.rem_euclid(400) == 0 => 29,
        2 => 28,
        _ => 0,
    }
}

// Julian day number conversions (Fliegel & Van Flandern; floor division for negative years).
fn gregorian_to_jdn(y: i64, m: i64, d: i64) -> i64 {
    let a = (14 - m).div_euclid(12);
    let y2 = y + 4800 - a;
    let m2 = m + 12 * a - 3;
    d + (153 * m2 + 2).div_euclid(5) + 365 * y2 + y2.div_euclid(4) - y2.div_euclid(100) + y2.div_euclid(400) - 32045
}

fn julian_to_jdn(y: i64, m: i64, d: i64) -> i64 {
    let a = (14 - m).div_euclid(12);
    let y2 = y + 4800 - a;
    let m2 = m + 12 * a - 3;
    d + (153 * m2 + 2).div_euclid(5) + 365 * y2 + y2.div_euclid(4) - 32083
}

fn jdn_to_gregorian(j: i64) -> (i64, i64, i64) {
    let a = j + 32044;
    let b = (4 * a + 3).div_euclid(146_097);
    let c = a - (146_097 * b).div_euclid(4);
    let d = (4 * c + 3).div_euclid(1461);
    let e = c - (1461 * d).div_euclid(4);
    let m = (5 * e + 2).div_euclid(153);
    let day = e - (153 * m + 2).div_euclid(5) + 1;
    let month = m + 3 - 12 * m.div_euclid(10);
    let year = 100 * b + d - 4800 + m.div_euclid(10);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ymd(year: i32, month: u8, day: u8) -> Ymd {
        Ymd { year, month, day }
    }

    #[test]
    fn exact_and_partial_dates() {
        let d = GDate::parse("10 DEC 1815");
        assert_eq!(d.qualifier, DateQualifier::Exact);
        assert_eq!(d.earliest, Some(ymd(1815, 12, 10)));
        assert_eq!(d.latest, Some(ymd(1815, 12, 10)));
        let d = GDate::parse("dec 1815");
        assert_eq!((d.earliest, d.latest), (Some(ymd(1815, 12, 1)), Some(ymd(1815, 12, 31))));
        let d = GDate::parse("1900");
        assert_eq!((d.earliest, d.latest), (Some(ymd(1900, 1, 1)), Some(ymd(1900, 12, 31))));
        let d = GDate::parse("FEB 1900");
        assert_eq!(d.latest, Some(ymd(1900, 2, 28)), "1900 is not a Gregorian leap year");
        assert_eq!(GDate::parse("29 FEB 1900").qualifier, DateQualifier::Unparsed);
        assert_eq!(GDate::parse("1815-12-10").earliest, Some(ymd(1815, 12, 10)));
    }

    #[test]
    fn qualifiers_and_ranges() {
        let d = GDate::parse("ABT 1850");
        assert_eq!(d.qualifier, DateQualifier::About);
        assert_eq!(d.earliest, Some(ymd(1850, 1, 1)));
        let d = GDate::parse("BEF 1 JAN 1900");
        assert_eq!((d.earliest, d.latest), (None, Some(ymd(1899, 12, 31))));
        let d = GDate::parse("AFT 1900");
        assert_eq!((d.earliest, d.latest), (Some(ymd(1901, 1, 1)), None));
        let d = GDate::parse("BET 1850 AND MAR 1860");
        assert_eq!(d.qualifier, DateQualifier::Between);
        assert_eq!((d.earliest, d.latest), (Some(ymd(1850, 1, 1)), Some(ymd(1860, 3, 31))));
        let d = GDate::parse("FROM 1900 TO 1910");
        assert_eq!(d.qualifier, DateQualifier::FromTo);
        assert_eq!(d.latest, Some(ymd(1910, 12, 31)));
        assert_eq!(GDate::parse("FROM 1900").qualifier, DateQualifier::From);
        assert_eq!(GDate::parse("TO 1900").latest, Some(ymd(1900, 12, 31)));
    }

    #[test]
    fn phrases_and_interpreted() {
        let d = GDate::parse("(the year the river flooded)");
        assert_eq!(d.qualifier, DateQualifier::Phrase);
        assert_eq!(d.phrase.as_deref(), Some("the year the river flooded"));
        assert_eq!(d.sort_key(), None);
        let d = GDate::parse("INT 1850 (Christmas after the war)");
        assert_eq!(d.qualifier, DateQualifier::Interpreted);
        assert_eq!(d.phrase.as_deref(), Some("Christmas after the war"));
        assert_eq!(d.year(), Some(1850));
        let d = GDate::parse("sometime in spring");
        assert_eq!(d.qualifier, DateQualifier::Unparsed);
        assert_eq!(d.original, "sometime in spring");
    }

    #[test]
    fn calendars() {
        // 4 October 1582 Julian was followed by 15 October 1582 Gregorian.
        let d = GDate::parse("@#DJULIAN@ 4 OCT 1582");
        assert_eq!(d.calendar, Calendar::Julian);
        assert_eq!(d.earliest, Some(ymd(1582, 10, 14)));
        assert_eq!(GDate::parse("JULIAN 4 OCT 1582").earliest, Some(ymd(1582, 10, 14)));
        // 1 Vendémiaire an II = 22 September 1793.
        let d = GDate::parse("@#DFRENCH R@ 1 VEND 2");
        assert_eq!(d.calendar, Calendar::FrenchRepublican);
        assert_eq!(d.earliest, Some(ymd(1793, 9, 22)));
        // 18 Brumaire an VIII = 9 November 1799.
        assert_eq!(GDate::parse("FRENCH_R 18 BRUM 8").earliest, Some(ymd(1799, 11, 9)));
        // 1 Tishrei 5785 = 3 October 2024: inside the containing range.
        let d = GDate::parse("@#DHEBREW@ 1 TSH 5785");
        assert_eq!(d.calendar, Calendar::Hebrew);
        assert!(d.earliest.unwrap() <= ymd(2024, 10, 3) && ymd(2024, 10, 3) <= d.latest.unwrap());
        assert_eq!(GDate::parse("@#DROMAN@ 5 AUC").qualifier, DateQualifier::Unparsed);
    }

    #[test]
    fn dual_years_and_bce() {
        let d = GDate::parse("11 FEB 1731/32");
        assert_eq!(d.earliest, Some(ymd(1732, 2, 11)));
        let d = GDate::parse("44 B.C.");
        assert_eq!(d.year(), Some(-43));
        assert_eq!(GDate::parse("44 BCE").year(), Some(-43));
    }

    proptest! {
        #[test]
        fn jdn_round_trip(j in 0i64..4_000_000) {
            let (y, m, d) = jdn_to_gregorian(j);
            prop_assert_eq!(gregorian_to_jdn(y, m, d), j);
        }

        #[test]
        fn parse_never_panics_and_keeps_text(s in "\\PC{0,40}") {
            let d = GDate::parse(&s);
            prop_assert_eq!(d.original, s.trim());
            if let (Some(a), Some(b)) = (d.earliest, d.latest) {
                prop_assert!(a <= b);
            }
        }

        #[test]
        fn exact_dates_sort_like_the_calendar(a in 0i64..900_000, b in 0i64..900_000) {
            let (ya, ma, da) = jdn_to_gregorian(2_000_000 + a);
            let (yb, mb, db) = jdn_to_gregorian(2_000_000 + b);
            let month = |m: i64| GREGORIAN_MONTHS[(m - 1) as usize];
            let pa = GDate::parse(&format!("{da} {} {ya}", month(ma)));
            let pb = GDate::parse(&format!("{db} {} {yb}", month(mb)));
            prop_assert_eq!(pa.sort_key().cmp(&pb.sort_key()), a.cmp(&b));
        }
    }
}
