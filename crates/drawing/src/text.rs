//! Text: the lines under a symbol, their estimated width, XML escaping, Roman numerals.

use crate::input::{DrawKind, DrawOptions, DrawPerson};
use crate::model::Model;
use kinvault_model::Sex;

/// Font size of the labels (SVG user units).
pub(crate) const FONT: f64 = 11.0;
/// Baseline-to-baseline distance of label lines.
pub(crate) const LINE_H: f64 = 13.0;
/// Average advance of a character of a sans-serif font at [`FONT`] (a generous estimate: wide
/// labels get a little more room than they need rather than overlapping).
const CHAR_W: f64 = FONT * 0.58;
/// Lines longer than this many characters are wrapped at spaces.
const WRAP: usize = 18;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LineKind {
    Number,
    Name,
    Age,
    Note,
    Condition,
    Test,
}

impl LineKind {
    pub fn class(self) -> &'static str {
        match self {
            LineKind::Number => "label number",
            LineKind::Name => "label name",
            LineKind::Age => "label age",
            LineKind::Note => "label note",
            LineKind::Condition => "label condition",
            LineKind::Test => "label test",
        }
    }
}

pub(crate) fn text_width(s: &str) -> f64 {
    s.chars().count() as f64 * CHAR_W
}

/// The label lines of person `p` (without the individual number, added by the caller).
pub(crate) fn label_lines(m: &Model, p: usize, opt: &DrawOptions) -> Vec<(LineKind, String)> {
    let person = m.person(p);
    let mut out = Vec::new();
    if opt.names {
        if let Some(name) = person.name.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            for l in wrap(name) {
                out.push((LineKind::Name, l));
            }
        }
    }
    if let Some(line) = kind_line(person) {
        out.push((LineKind::Note, line));
    }
    let age = age_line(person, opt);
    if !age.is_empty() {
        out.push((LineKind::Age, age));
    }
    if opt.ages && person.deceased {
        if let Some(cause) = person.cause_of_death.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            for l in wrap(cause) {
                out.push((LineKind::Age, l));
            }
        }
    }
    if person.sex == Sex::Intersex {
        out.push((LineKind::Note, "intersex".into()));
    }
    if opt.conditions {
        for a in &person.affected {
            let name = short(m, &a.condition);
            let line = match a.onset_age {
                Some(age) => format!("{name} dx {age} y"),
                None => name.to_string(),
            };
            out.extend(wrap(&line).into_iter().map(|l| (LineKind::Condition, l)));
        }
        for c in &person.carrier {
            let line = format!("{} carrier", short(m, c));
            out.extend(wrap(&line).into_iter().map(|l| (LineKind::Condition, l)));
        }
    }
    if opt.test_results {
        for t in person.tests.iter().map(|t| t.trim()).filter(|t| !t.is_empty()) {
            out.extend(wrap(t).into_iter().map(|l| (LineKind::Test, l)));
        }
    }
    if let Some(note) = person.reproduction.as_ref().and_then(|r| r.note.as_deref()).filter(|s| !s.trim().is_empty()) {
        out.extend(wrap(note.trim()).into_iter().map(|l| (LineKind::Note, l)));
    }
    out
}

fn short<'a>(m: &Model<'a>, condition: &str) -> &'a str {
    let c = &m.input.conditions[m.cond_index[condition]];
    c.short.as_deref().filter(|s| !s.is_empty()).unwrap_or(&c.label)
}

fn kind_line(p: &DrawPerson) -> Option<String> {
    let tag = match p.kind {
        DrawKind::Person => return None,
        DrawKind::Pregnancy => "",
        DrawKind::Miscarriage => "SAB",
        DrawKind::Termination => "TOP",
        DrawKind::Stillbirth => "SB",
    };
    let gest = p.gestation.as_deref().map(str::trim).unwrap_or("");
    let line = [tag, gest].iter().filter(|s| !s.is_empty()).copied().collect::<Vec<_>>().join(" ");
    (!line.is_empty()).then_some(line)
}

fn age_line(p: &DrawPerson, opt: &DrawOptions) -> String {
    let mut parts = Vec::new();
    if opt.birth_years {
        if let Some(y) = p.birth_year {
            parts.push(format!("b. {y}"));
        }
    }
    if opt.ages && p.kind == DrawKind::Person {
        match (p.deceased, p.age) {
            (true, Some(a)) => parts.push(format!("d. {a} y")),
            (true, None) => parts.push("d.".into()),
            (false, Some(a)) => parts.push(format!("{a} y")),
            (false, None) => {}
        }
    }
    parts.join(", ")
}

/// Greedy word wrap at [`WRAP`] characters (a longer word stays whole).
pub(crate) fn wrap(s: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut cur = String::new();
    for word in s.split_whitespace() {
        if !cur.is_empty() && cur.chars().count() + 1 + word.chars().count() > WRAP {
            lines.push(std::mem::take(&mut cur));
        }
        if !cur.is_empty() {
            cur.push(' ');
        }
        cur.push_str(word);
    }
    if !cur.is_empty() {
        lines.push(cur);
    }
    lines
}

/// Escapes text for XML element content and attribute values.
pub(crate) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 does not allow at all are dropped.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            '\u{FFFE}' | '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// I, II, III, IV... for generation `n` (1-based).
pub(crate) fn roman(mut n: u32) -> String {
    const TABLE: [(u32, &str); 13] = [
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ];
    let mut out = String::new();
    for &(v, s) in &TABLE {
        while n >= v {
            out.push_str(s);
            n -= v;
        }
    }
    out
}

/// A number for SVG output: at most one decimal, no "-0".
pub(crate) fn num(v: f64) -> String {
    let r = (v * 10.0).round() / 10.0;
    let r = if r == 0.0 { 0.0 } else { r };
    if r.fract() == 0.0 {
        format!("{}", r as i64)
    } else {
        format!("{r:.1}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roman_numerals() {
        let got: Vec<String> = (1..=10).map(roman).collect();
        assert_eq!(got, ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"]);
        assert_eq!(roman(14), "XIV");
    }

    #[test]
    fn escaping_and_numbers() {
        assert_eq!(esc("a<b & \"c\" 'd'>\u{1}"), "a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;");
        assert_eq!(num(1.04), "1");
        assert_eq!(num(-0.01), "0");
        assert_eq!(num(2.25), "2.3");
    }

    #[test]
    fn wrapping() {
        assert_eq!(wrap("Margaret Elizabeth Thompson"), ["Margaret Elizabeth", "Thompson"]);
        assert_eq!(wrap("  a  b "), ["a b"]);
        assert!(wrap("").is_empty());
    }
}
