//! Validation of condition entries and criteria: every error names the entry, the field (a path
//! such as `frequencies[1].carrier_frequency`) and what is wrong with it.

use crate::codes::{code_problem, slug_is_valid};
use crate::types::*;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::fmt;
use ts_rs::TS;

/// One problem with one field of one catalog entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(rename = "CatalogValidationError")]
pub struct ValidationError {
    /// The condition (or criterion) id, as written (may itself be the invalid field).
    pub condition: String,
    /// Path of the field, e.g. `penetrance[0].female[2]`.
    pub field: String,
    pub message: String,
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}", self.condition, self.field, self.message)
    }
}

impl std::error::Error for ValidationError {}

/// Relative tolerance of the Hardy–Weinberg consistency checks between q and the reported
/// figure (the data stores q to six significant digits).
const HW_TOLERANCE: f64 = 1e-3;

struct Check<'a> {
    id: &'a str,
    refs: HashSet<&'a str>,
    errors: Vec<ValidationError>,
}

impl<'a> Check<'a> {
    fn err(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.errors.push(ValidationError {
            condition: self.id.to_string(),
            field: field.into(),
            message: message.into(),
        });
    }

    /// A finite number in [lo, hi] (or (lo, hi] when `open_low`).
    fn range(&mut self, field: &str, v: f64, lo: f64, hi: f64, open_low: bool) -> bool {
        let ok = v.is_finite() && v <= hi && if open_low { v > lo } else { v >= lo };
        if !ok {
            let lower = if open_low { "(" } else { "[" };
            self.err(field, format!("{v} is outside {lower}{lo}, {hi}]"));
        }
        ok
    }

    fn reference(&mut self, field: &str, r: &str) {
        if r.trim().is_empty() {
            self.err(field, "a reference id is required for this number");
        } else if !self.refs.contains(r) {
            self.err(field, format!("reference `{r}` is not in this entry's references"));
        }
    }

    fn text(&mut self, field: &str, s: &str) {
        if s.trim().is_empty() {
            self.err(field, "must not be empty");
        }
    }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= HW_TOLERANCE * a.abs().max(b.abs()) + 1e-15
}

fn check_references(c: &mut Check<'_>, refs: &[Reference], path: &str) {
    let mut seen = HashSet::new();
    for (i, r) in refs.iter().enumerate() {
        let f = format!("{path}[{i}]");
        if !slug_is_valid(&r.id.replace('_', "-")) {
            c.err(format!("{f}.id"), format!("`{}` is not a reference id (lowercase letters, digits, `-`, `_`)", r.id));
        }
        if !seen.insert(r.id.as_str()) {
            c.err(format!("{f}.id"), format!("reference id `{}` is used twice", r.id));
        }
        c.text(&format!("{f}.citation"), &r.citation);
        match r.year {
            Some(y) if !(1800..=2100).contains(&y) => {
                c.err(format!("{f}.year"), format!("{y} is not a plausible publication year"));
            }
            None if r.url.as_deref().is_none_or(|u| u.trim().is_empty()) => {
                c.err(format!("{f}.year"), "give the publication year (or, for an undated web page, its url)");
            }
            _ => {}
        }
    }
}

fn check_curve(c: &mut Check<'_>, field: &str, curve: &Curve) {
    match curve {
        Curve::Constant(v) => {
            c.range(field, *v, 0.0, 1.0, false);
        }
        Curve::Points(pts) => {
            if pts.is_empty() {
                c.err(field, "a curve needs at least one [age, risk] point");
            }
            for (i, &(age, risk)) in pts.iter().enumerate() {
                let f = format!("{field}[{i}]");
                if !(age.is_finite() && (0.0..=130.0).contains(&age)) {
                    c.err(&f, format!("age {age} is outside [0, 130]"));
                }
                if !(risk.is_finite() && (0.0..=1.0).contains(&risk)) {
                    c.err(&f, format!("cumulative risk {risk} is outside [0, 1]"));
                }
                if i > 0 {
                    let (pa, pr) = pts[i - 1];
                    if age <= pa {
                        c.err(&f, format!("age {age} does not increase on the previous point's {pa}"));
                    }
                    if risk < pr {
                        c.err(
                            &f,
                            format!("cumulative risk falls from {pr} to {risk}: a cumulative curve must not decrease"),
                        );
                    }
                }
            }
        }
    }
}

impl ConditionDef {
    /// Everything wrong with this entry on its own (the catalog adds the checks that need the
    /// other entries: unique ids, outcomes that exist). Empty when the entry is valid.
    pub fn validate(&self) -> Vec<ValidationError> {
        let id = if self.id.is_empty() { "<no id>" } else { self.id.as_str() };
        let mut c = Check { id, refs: self.references.iter().map(|r| r.id.as_str()).collect(), errors: vec![] };

        if !slug_is_valid(&self.id) {
            c.err("id", format!("`{}` is not a slug (lowercase letters and digits joined by `-`)", self.id));
        }
        c.text("name", &self.name);
        for (i, s) in self.synonyms.iter().enumerate() {
            c.text(&format!("synonyms[{i}]"), s);
        }
        for (i, g) in self.genes.iter().enumerate() {
            let ok = !g.is_empty()
                && g.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-')
                && g.as_bytes()[0].is_ascii_alphanumeric();
            if !ok {
                c.err(
                    format!("genes[{i}]"),
                    format!("`{g}` is not an HGNC gene symbol (uppercase letters and digits)"),
                );
            }
        }

        let mut seen_codes = HashSet::new();
        for (i, code) in self.codes.iter().enumerate() {
            if let Some(problem) = code_problem(code.system, &code.code) {
                c.err(format!("codes[{i}].code"), problem);
            }
            if !seen_codes.insert((code.system, code.code.as_str())) {
                c.err(format!("codes[{i}]"), format!("code `{}` is listed twice", code.code));
            }
            c.text(&format!("codes[{i}].display"), &code.display);
        }

        let mendelian = self.inheritance.is_mendelian();
        if mendelian {
            if self.frequencies.is_empty() {
                c.err("frequencies", "a Mendelian condition needs at least one population frequency");
            }
            if self.penetrance.is_empty() {
                c.err("penetrance", "a Mendelian condition needs at least one penetrance curve");
            }
        } else {
            for (field, present) in [
                ("frequencies", !self.frequencies.is_empty()),
                ("penetrance", !self.penetrance.is_empty()),
                ("mutation_rate", self.mutation_rate.is_some()),
            ] {
                if present {
                    c.err(field, "a multifactorial condition has no single-locus parameters; leave this out");
                }
            }
            if self.lifetime_risk.is_empty() {
                c.err("lifetime_risk", "a multifactorial condition needs its population lifetime risk");
            }
        }

        let mut populations = HashSet::new();
        for (i, f) in self.frequencies.iter().enumerate() {
            let p = format!("frequencies[{i}]");
            if !slug_is_valid(&f.population.replace('_', "-")) {
                c.err(
                    format!("{p}.population"),
                    format!("`{}` is not a population slug (e.g. `ashkenazi_jewish`)", f.population),
                );
            }
            if !populations.insert(f.population.as_str()) {
                c.err(format!("{p}.population"), format!("population `{}` is listed twice", f.population));
            }
            c.text(&format!("{p}.label"), &f.label);
            c.reference(&format!("{p}.ref"), &f.reference);
            let q = f.allele_frequency;
            let q_ok = c.range(&format!("{p}.allele_frequency"), q, 0.0, 1.0, false);
            for (name, v) in [
                ("carrier_frequency", f.carrier_frequency),
                ("homozygote_frequency", f.homozygote_frequency),
                ("affected_frequency", f.affected_frequency),
            ] {
                if let Some(v) = v {
                    c.range(&format!("{p}.{name}"), v, 0.0, 1.0, false);
                }
            }
            if let Some(d) = f.detection_rate {
                c.range(&format!("{p}.detection_rate"), d, 0.0, 1.0, true);
            }
            let (given_name, given_value) = match f.given {
                FrequencyGiven::AlleleFrequency => ("allele_frequency", Some(q)),
                FrequencyGiven::CarrierFrequency => ("carrier_frequency", f.carrier_frequency),
                FrequencyGiven::HomozygoteFrequency => ("homozygote_frequency", f.homozygote_frequency),
                FrequencyGiven::AffectedFrequency => ("affected_frequency", f.affected_frequency),
            };
            if given_value.is_none() {
                c.err(
                    format!("{p}.{given_name}"),
                    format!("`given` says the source reported {given_name}, but it is missing"),
                );
            }
            if !q_ok {
                continue;
            }
            if let Some(h) = f.carrier_frequency {
                let expect = 2.0 * q * (1.0 - q);
                if !close(h, expect) {
                    c.err(
                        format!("{p}.carrier_frequency"),
                        format!("{h} is not 2q(1−q) = {expect:.6} for allele_frequency {q} (Hardy–Weinberg)"),
                    );
                }
            }
            if let Some(h) = f.homozygote_frequency {
                if !close(h, q * q) {
                    c.err(
                        format!("{p}.homozygote_frequency"),
                        format!("{h} is not q² = {:.6e} for allele_frequency {q}", q * q),
                    );
                }
            }
            if let Some(a) = f.affected_frequency {
                let (expect, formula) = match self.inheritance {
                    Inheritance::AutosomalRecessive => (q * q, "q²"),
                    Inheritance::AutosomalDominant => (1.0 - (1.0 - q) * (1.0 - q), "1−(1−q)²"),
                    Inheritance::XLinkedRecessive | Inheritance::XLinkedDominant => (q, "q (affected males)"),
                    Inheritance::Multifactorial => (a, ""),
                };
                if !close(a, expect) {
                    c.err(
                        format!("{p}.affected_frequency"),
                        format!("{a} is not {formula} = {expect:.6e} for allele_frequency {q}"),
                    );
                }
            }
        }

        let mut outcomes = HashSet::new();
        for (i, pen) in self.penetrance.iter().enumerate() {
            let p = format!("penetrance[{i}]");
            if !outcomes.insert(pen.outcome.as_deref()) {
                let what = pen.outcome.as_deref().unwrap_or("the condition itself");
                c.err(format!("{p}.outcome"), format!("a second curve for {what}"));
            }
            if let Some(o) = &pen.outcome {
                if o == &self.id {
                    c.err(format!("{p}.outcome"), "leave `outcome` out for the condition's own phenotype");
                }
            }
            if pen.lifetime_only && !pen.is_constant() {
                c.err(
                    format!("{p}.lifetime_only"),
                    "only constant curves can be lifetime-only (an age curve has an age pattern)",
                );
            }
            check_curve(&mut c, &format!("{p}.female"), &pen.female);
            check_curve(&mut c, &format!("{p}.male"), &pen.male);
            c.reference(&format!("{p}.ref"), &pen.reference);
            if let Some(r) = &pen.female_ref {
                c.reference(&format!("{p}.female_ref"), r);
            }
            if let Some(r) = &pen.male_ref {
                c.reference(&format!("{p}.male_ref"), r);
            }
        }

        if let Some(m) = &self.mutation_rate {
            c.range("mutation_rate.value", m.value, 0.0, 0.01, true);
            c.reference("mutation_rate.ref", &m.reference);
        }
        if let Some(fit) = &self.reproductive_fitness {
            c.range("reproductive_fitness.value", fit.value, 0.0, 1.0, false);
            c.reference("reproductive_fitness.ref", &fit.reference);
        }
        if let Some(s) = &self.test_sensitivity {
            c.range("test_sensitivity.value", s.value, 0.0, 1.0, true);
            c.text("test_sensitivity.method", &s.method);
            c.reference("test_sensitivity.ref", &s.reference);
        }

        for (i, r) in self.lifetime_risk.iter().enumerate() {
            let p = format!("lifetime_risk[{i}]");
            c.text(&format!("{p}.label"), &r.label);
            c.range(&format!("{p}.value"), r.value, 0.0, 1.0, true);
            for (name, age) in [("from_age", r.from_age), ("to_age", r.to_age)] {
                if let Some(a) = age {
                    c.range(&format!("{p}.{name}"), a, 0.0, 130.0, false);
                }
            }
            if let (Some(a), Some(b)) = (r.from_age, r.to_age) {
                if a >= b {
                    c.err(format!("{p}.to_age"), format!("{b} is not after from_age {a}"));
                }
            }
            c.reference(&format!("{p}.ref"), &r.reference);
        }

        for (i, t) in self.premature_onset.iter().enumerate() {
            let p = format!("premature_onset[{i}]");
            c.text(&format!("{p}.scheme"), &t.scheme);
            c.range(&format!("{p}.age"), t.age, 0.0, 130.0, true);
            c.reference(&format!("{p}.ref"), &t.reference);
        }

        check_references(&mut c, &self.references, "references");
        c.errors
    }
}

impl Criterion {
    /// Everything wrong with this criterion on its own.
    pub fn validate(&self) -> Vec<ValidationError> {
        let id = if self.id.is_empty() { "<no id>" } else { self.id.as_str() };
        let mut c = Check { id, refs: self.references.iter().map(|r| r.id.as_str()).collect(), errors: vec![] };
        if !slug_is_valid(&self.id) {
            c.err("id", format!("`{}` is not a slug", self.id));
        }
        c.text("name", &self.name);
        c.text("description", &self.description);
        if self.applies_to.is_empty() {
            c.err("applies_to", "name at least one condition");
        }
        for (i, a) in self.age_thresholds.iter().enumerate() {
            c.range(&format!("age_thresholds[{i}]"), *a, 0.0, 130.0, true);
        }
        c.reference("ref", &self.reference);
        check_references(&mut c, &self.references, "references");
        c.errors
    }
}
