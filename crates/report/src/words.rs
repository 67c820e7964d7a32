//! The wording and structure both renderers share: section ids and headings, how a sex, an age,
//! a provenance, a condition or a test is printed, and the timestamp.

use crate::data::{ReportCondition, ReportTest};
use kinvault_model::{Provenance, Sex};

/// The report's sections in order: (HTML id, heading).
pub const SECTIONS: [(&str, &str); 6] = [
    ("pedigree", "Pedigree"),
    ("relatives", "Relatives"),
    ("risk-assessment", "Risk assessment"),
    ("family-history-criteria", "Family history criteria"),
    ("provenance", "Provenance"),
    ("references", "References"),
];

pub const PEDIGREE: usize = 0;
pub const RELATIVES: usize = 1;
pub const RISKS: usize = 2;
pub const FAMILY_HISTORY: usize = 3;
pub const PROVENANCE: usize = 4;
pub const REFERENCES: usize = 5;

pub const NAMES_HIDDEN_NOTE: &str = "Names hidden: relatives are identified by pedigree number and relationship only.";
pub const NO_PEDIGREE: &str = "No pedigree drawing is included in this report.";
pub const NO_RELATIVES: &str = "No relatives are recorded.";
pub const NO_RISKS: &str = "No risk assessment is included in this report.";
pub const NO_FAMILY_HISTORY: &str = "No family-history criteria were evaluated.";
pub const NO_REFERENCES: &str = "No references.";

pub fn sex(s: Sex) -> &'static str {
    match s {
        Sex::Male => "male",
        Sex::Female => "female",
        Sex::Intersex => "intersex",
        Sex::Unknown => "sex unknown",
    }
}

/// "45 y", "d. 62 y", "deceased", or "" when nothing is known.
pub fn age(age: Option<u32>, deceased: bool, age_at_death: Option<u32>) -> String {
    match (deceased, age_at_death, age) {
        (true, Some(a), _) => format!("d. {a} y"),
        (true, None, _) => "deceased".to_string(),
        (false, _, Some(a)) => format!("{a} y"),
        (false, _, None) => String::new(),
    }
}

pub fn provenance(p: &Provenance) -> String {
    match p {
        Provenance::SelfReported => "self-reported".to_string(),
        Provenance::ReportedByRelative => "reported by relative".to_string(),
        Provenance::MedicalRecord => "medical record".to_string(),
        Provenance::Imported { format } if format.trim().is_empty() => "imported, unverified".to_string(),
        Provenance::Imported { format } => format!("imported ({}), unverified", format.trim()),
    }
}

/// The codes in brackets: "SNOMED 254837009; ICD-10 C50", or "" without codes.
pub fn codes(c: &ReportCondition) -> String {
    c.codes.iter().map(|s| s.trim()).filter(|s| !s.is_empty()).collect::<Vec<_>>().join("; ")
}

/// "Breast cancer (SNOMED 254837009; ICD-10 C50)".
pub fn condition_title(c: &ReportCondition) -> String {
    let codes = codes(c);
    if codes.is_empty() {
        c.label.clone()
    } else {
        format!("{} ({codes})", c.label)
    }
}

/// "affected, onset 45 y; medical record".
pub fn condition_details(c: &ReportCondition) -> String {
    let mut first = Vec::new();
    if !c.status.trim().is_empty() {
        first.push(c.status.trim().to_string());
    }
    if let Some(o) = c.onset.as_deref().map(str::trim).filter(|o| !o.is_empty()) {
        first.push(format!("onset {o}"));
    }
    let p = provenance(&c.provenance);
    if first.is_empty() {
        p
    } else {
        format!("{}; {p}", first.join(", "))
    }
}

/// "BRCA1 c.68_69del".
pub fn test_title(t: &ReportTest) -> String {
    match t.variant.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
        Some(v) => format!("{} {v}", t.gene),
        None => t.gene.clone(),
    }
}

/// "positive, pathogenic; Myriad, 2019-05-02".
pub fn test_details(t: &ReportTest) -> String {
    let mut first: Vec<&str> = Vec::new();
    for s in [Some(t.result.as_str()), t.acmg.as_deref()].into_iter().flatten() {
        if !s.trim().is_empty() {
            first.push(s.trim());
        }
    }
    let mut second: Vec<&str> = Vec::new();
    for s in [t.lab.as_deref(), t.date.as_deref()].into_iter().flatten() {
        if !s.trim().is_empty() {
            second.push(s.trim());
        }
    }
    match (first.is_empty(), second.is_empty()) {
        (_, true) => first.join(", "),
        (true, false) => second.join(", "),
        (false, false) => format!("{}; {}", first.join(", "), second.join(", ")),
    }
}

/// "Proband: Anna Berg, female, 41 y (id I1)" pieces.
pub fn proband_line(label: &str, s: Sex, a: Option<u32>, id: &str) -> String {
    let mut parts = vec![label.to_string(), sex(s).to_string()];
    let a = age(a, false, None);
    if !a.is_empty() {
        parts.push(a);
    }
    let mut line = parts.join(", ");
    if !id.trim().is_empty() {
        line.push_str(&format!(" (id {})", id.trim()));
    }
    line
}

/// A parsed ISO 8601 timestamp (the subset [`crate::ReportData::generated_at`] documents).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timestamp {
    pub year: u16,
    pub month: u8,
    pub day: u8,
    /// Hour, minute, second; None for a date alone.
    pub time: Option<(u8, u8, u8)>,
    /// Offset from UTC in minutes; None when not given.
    pub offset_minutes: Option<i16>,
}

impl Timestamp {
    pub fn parse(s: &str) -> Option<Timestamp> {
        let s = s.trim();
        let b = s.as_bytes();
        let num = |r: std::ops::Range<usize>| -> Option<u32> {
            let part = s.get(r)?;
            if part.is_empty() || !part.bytes().all(|c| c.is_ascii_digit()) {
                return None;
            }
            part.parse().ok()
        };
        if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let year = num(0..4)? as u16;
        let month = num(5..7)? as u8;
        let day = num(8..10)? as u8;
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        let mut ts = Timestamp { year, month, day, time: None, offset_minutes: None };
        if b.len() == 10 {
            return Some(ts);
        }
        if !matches!(b[10], b'T' | b't' | b' ') || b.len() < 16 || b[13] != b':' {
            return None;
        }
        let hour = num(11..13)? as u8;
        let minute = num(14..16)? as u8;
        let mut i = 16;
        let mut second = 0u8;
        if b.get(i) == Some(&b':') {
            second = num(i + 1..i + 3)? as u8;
            i += 3;
            if b.get(i) == Some(&b'.') || b.get(i) == Some(&b',') {
                i += 1;
                let start = i;
                while b.get(i).is_some_and(u8::is_ascii_digit) {
                    i += 1;
                }
                if i == start {
                    return None;
                }
            }
        }
        // 60: a leap second.
        if hour > 23 || minute > 59 || second > 60 {
            return None;
        }
        ts.time = Some((hour, minute, second.min(59)));
        match b.get(i) {
            None => {}
            Some(b'Z' | b'z') if i + 1 == b.len() => ts.offset_minutes = Some(0),
            Some(&sign @ (b'+' | b'-')) => {
                let rest = &s[i + 1..];
                let (h, m) = match rest.len() {
                    5 if rest.as_bytes()[2] == b':' => (num(i + 1..i + 3)?, num(i + 4..i + 6)?),
                    4 => (num(i + 1..i + 3)?, num(i + 3..i + 5)?),
                    2 => (num(i + 1..i + 3)?, 0),
                    _ => return None,
                };
                if h > 23 || m > 59 {
                    return None;
                }
                let total = (h * 60 + m) as i16;
                ts.offset_minutes = Some(if sign == b'-' { -total } else { total });
            }
            _ => return None,
        }
        Some(ts)
    }

    /// "2025-03-14 10:22 UTC", "2025-03-14 10:22 (UTC+01:00)", "2025-03-14".
    pub fn display(&self) -> String {
        let mut s = format!("{:04}-{:02}-{:02}", self.year, self.month, self.day);
        if let Some((h, m, _)) = self.time {
            s.push_str(&format!(" {h:02}:{m:02}"));
            match self.offset_minutes {
                Some(0) => s.push_str(" UTC"),
                Some(o) => {
                    let sign = if o < 0 { '-' } else { '+' };
                    let o = o.unsigned_abs();
                    s.push_str(&format!(" (UTC{sign}{:02}:{:02})", o / 60, o % 60));
                }
                None => {}
            }
        }
        s
    }
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// The generated-at text as printed: the parsed form when it parses, else as given.
pub fn generated_at(raw: &str) -> String {
    Timestamp::parse(raw).map(|t| t.display()).unwrap_or_else(|| raw.trim().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps() {
        let t = Timestamp::parse("2025-03-14T10:22:05Z").unwrap();
        assert_eq!(t.time, Some((10, 22, 5)));
        assert_eq!(t.offset_minutes, Some(0));
        assert_eq!(t.display(), "2025-03-14 10:22 UTC");
        let t = Timestamp::parse("2025-03-14T10:22:05.123-05:30").unwrap();
        assert_eq!(t.offset_minutes, Some(-330));
        assert_eq!(t.display(), "2025-03-14 10:22 (UTC-05:30)");
        let t = Timestamp::parse("2025-03-14T10:22").unwrap();
        assert_eq!((t.time, t.offset_minutes), (Some((10, 22, 0)), None));
        assert_eq!(Timestamp::parse("2024-02-29").unwrap().display(), "2024-02-29");
        assert_eq!(Timestamp::parse("2025-03-14T10:22+0100").unwrap().offset_minutes, Some(60));
        for bad in [
            "",
            "2025-02-29",
            "2025-13-01",
            "2025-03-14T25:00Z",
            "2025-03-14T10:22Q",
            "yesterday",
            "2025-03-14T10:22:05+1",
        ] {
            assert_eq!(Timestamp::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn wording() {
        assert_eq!(age(Some(45), false, None), "45 y");
        assert_eq!(age(Some(45), true, Some(62)), "d. 62 y");
        assert_eq!(age(None, true, None), "deceased");
        assert_eq!(provenance(&Provenance::Imported { format: "GEDCOM".into() }), "imported (GEDCOM), unverified");
        let c = ReportCondition {
            label: "Breast cancer".into(),
            codes: vec!["SNOMED 254837009".into(), "ICD-10 C50".into()],
            onset: Some("45 y".into()),
            status: "affected".into(),
            provenance: Provenance::MedicalRecord,
        };
        assert_eq!(condition_title(&c), "Breast cancer (SNOMED 254837009; ICD-10 C50)");
        assert_eq!(condition_details(&c), "affected, onset 45 y; medical record");
        let t = ReportTest {
            gene: "BRCA1".into(),
            variant: Some("c.68_69del".into()),
            result: "positive".into(),
            acmg: Some("pathogenic".into()),
            lab: None,
            date: Some("2019-05-02".into()),
        };
        assert_eq!(test_title(&t), "BRCA1 c.68_69del");
        assert_eq!(test_details(&t), "positive, pathogenic; 2019-05-02");
    }
}
