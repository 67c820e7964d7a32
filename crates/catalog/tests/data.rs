//! Integrity of the built-in catalog data: required entries, a resolvable reference behind every
//! number, well-formed codes (with an independent Verhoeff check), sane frequencies and
//! Hardy–Weinberg consistency, monotone penetrance curves.

use kinvault_catalog::*;
use kinvault_model::{CodeSystem, Sex};

fn catalog() -> &'static Catalog {
    Catalog::builtin()
}

const MENDELIAN: &[&str] = &[
    "cystic-fibrosis",
    "sickle-cell-disease",
    "tay-sachs-disease",
    "spinal-muscular-atrophy",
    "hfe-haemochromatosis",
    "duchenne-muscular-dystrophy",
    "haemophilia-a",
    "huntington-disease",
    "brca1-associated-cancer",
    "brca2-associated-cancer",
    "lynch-syndrome-mlh1",
    "lynch-syndrome-msh2",
    "lynch-syndrome-msh6",
    "lynch-syndrome-pms2",
    "familial-hypercholesterolaemia",
    "marfan-syndrome",
    "adpkd",
];

const MULTIFACTORIAL: &[&str] = &[
    "coronary-heart-disease",
    "stroke",
    "type-2-diabetes",
    "breast-cancer",
    "ovarian-cancer",
    "colorectal-cancer",
    "prostate-cancer",
    "endometrial-cancer",
];

#[test]
fn every_required_condition_is_present_with_the_right_inheritance() {
    for id in MENDELIAN {
        let c = catalog().get(id).unwrap_or_else(|| panic!("{id} missing"));
        assert!(c.is_mendelian(), "{id} should be Mendelian");
        assert!(!c.genes.is_empty(), "{id} has no gene");
    }
    for id in MULTIFACTORIAL {
        let c = catalog().get(id).unwrap_or_else(|| panic!("{id} missing"));
        assert_eq!(c.inheritance, Inheritance::Multifactorial, "{id}");
    }
    let inh = |id: &str| catalog().get(id).unwrap().inheritance;
    assert_eq!(inh("cystic-fibrosis"), Inheritance::AutosomalRecessive);
    assert_eq!(inh("huntington-disease"), Inheritance::AutosomalDominant);
    assert_eq!(inh("duchenne-muscular-dystrophy"), Inheritance::XLinkedRecessive);
    assert_eq!(inh("haemophilia-a"), Inheritance::XLinkedRecessive);
    assert_eq!(catalog().len(), MENDELIAN.len() + MULTIFACTORIAL.len());
    assert!(catalog().iter().all(|c| !c.user_defined));
}

#[test]
fn the_builtin_catalog_validates() {
    let errors = catalog().validate();
    assert!(errors.is_empty(), "{errors:#?}");
}

/// Every number in an entry with the reference id it claims (collected by hand from the
/// structure, independently of the library's validator).
fn numbers_with_refs(c: &ConditionDef) -> Vec<(String, f64, String)> {
    let mut out = vec![];
    for (i, f) in c.frequencies.iter().enumerate() {
        let r = f.reference.clone();
        out.push((format!("frequencies[{i}].allele_frequency"), f.allele_frequency, r.clone()));
        for (n, v) in [
            ("carrier_frequency", f.carrier_frequency),
            ("homozygote_frequency", f.homozygote_frequency),
            ("affected_frequency", f.affected_frequency),
            ("detection_rate", f.detection_rate),
        ] {
            if let Some(v) = v {
                out.push((format!("frequencies[{i}].{n}"), v, r.clone()));
            }
        }
    }
    for (i, p) in c.penetrance.iter().enumerate() {
        let f_ref = p.female_ref.clone().unwrap_or(p.reference.clone());
        let m_ref = p.male_ref.clone().unwrap_or(p.reference.clone());
        for v in p.female.values() {
            out.push((format!("penetrance[{i}].female"), v, f_ref.clone()));
        }
        for v in p.male.values() {
            out.push((format!("penetrance[{i}].male"), v, m_ref.clone()));
        }
    }
    for (name, v) in [("mutation_rate", &c.mutation_rate), ("reproductive_fitness", &c.reproductive_fitness)] {
        if let Some(v) = v {
            out.push((name.to_string(), v.value, v.reference.clone()));
        }
    }
    if let Some(s) = &c.test_sensitivity {
        out.push(("test_sensitivity".into(), s.value, s.reference.clone()));
    }
    for (i, r) in c.lifetime_risk.iter().enumerate() {
        out.push((format!("lifetime_risk[{i}].value"), r.value, r.reference.clone()));
        for a in [r.from_age, r.to_age].into_iter().flatten() {
            out.push((format!("lifetime_risk[{i}] age"), a, r.reference.clone()));
        }
    }
    for (i, t) in c.premature_onset.iter().enumerate() {
        out.push((format!("premature_onset[{i}].age"), t.age, t.reference.clone()));
    }
    out
}

#[test]
fn every_number_carries_a_reference_that_exists_in_its_entry() {
    let mut checked = 0;
    for c in catalog().iter() {
        assert!(!c.references.is_empty(), "{}: no references", c.id);
        for (field, value, r) in numbers_with_refs(c) {
            assert!(value.is_finite(), "{}: {field} is not finite", c.id);
            let found =
                c.reference(&r).unwrap_or_else(|| panic!("{}: {field} = {value} cites `{r}`, not in references", c.id));
            assert!(!found.citation.trim().is_empty());
            checked += 1;
        }
        for r in &c.references {
            assert!(r.year.is_some() || r.url.is_some(), "{}: reference {} has neither year nor url", c.id, r.id);
            if let Some(y) = r.year {
                assert!(
                    r.citation.contains(&y.to_string()),
                    "{}: reference {} citation does not show its year {y}",
                    c.id,
                    r.id
                );
            }
        }
    }
    assert!(checked > 150, "only {checked} numbers checked");
    for k in catalog().criteria() {
        assert!(k.references.iter().any(|r| r.id == k.reference), "criterion {}: ref {} missing", k.id, k.reference);
    }
}

#[test]
fn every_reference_is_cited_by_a_number_or_named_in_the_notes() {
    for c in catalog().iter() {
        let cited: Vec<String> = numbers_with_refs(c).into_iter().map(|(_, _, r)| r).collect();
        let notes = [c.notes.clone()]
            .into_iter()
            .chain(c.frequencies.iter().map(|f| f.note.clone()))
            .chain(c.penetrance.iter().map(|p| p.note.clone()))
            .chain([c.mutation_rate.as_ref().and_then(|m| m.note.clone())])
            .flatten()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase();
        for r in &c.references {
            let first_author = r.citation.split_whitespace().next().unwrap_or("").trim_end_matches(',').to_lowercase();
            let named = notes.contains(&r.id) || (first_author.len() > 3 && notes.contains(&first_author));
            assert!(cited.contains(&r.id) || named, "{}: reference {} is neither cited nor mentioned", c.id, r.id);
        }
    }
}

// ── Codes ─────────────────────────────────────────────────────────────────────────────────

/// Verhoeff check, written independently of the library: the dihedral group D5 product and the
/// permutation are computed rather than tabulated.
fn verhoeff_ok(s: &str) -> bool {
    fn d5(a: u32, b: u32) -> u32 {
        // Elements 0–4 are rotations, 5–9 reflections.
        match (a < 5, b < 5) {
            (true, true) => (a + b) % 5,
            (true, false) => 5 + (a + (b - 5)) % 5,
            (false, true) => 5 + ((a - 5) + 5 - b) % 5,
            (false, false) => ((a - 5) + 5 - (b - 5)) % 5,
        }
    }
    const P1: [u32; 10] = [1, 5, 7, 6, 2, 8, 3, 0, 9, 4];
    fn perm(pos: usize, digit: u32) -> u32 {
        (0..pos % 8).fold(digit, |d, _| P1[d as usize])
    }
    !s.is_empty()
        && s.chars().all(|c| c.is_ascii_digit())
        && s.chars().rev().enumerate().fold(0, |c, (i, ch)| d5(c, perm(i, ch.to_digit(10).unwrap()))) == 0
}

#[test]
fn the_independent_verhoeff_check_agrees_with_known_values_and_the_library() {
    // Wikipedia's worked example: 236 takes check digit 3.
    assert!(verhoeff_ok("2363"));
    assert!(!verhoeff_ok("2364"));
    // Real SNOMED CT concepts: root, clinical finding, disorder.
    for id in ["138875005", "404684003", "64572001", "22298006", "190905008"] {
        assert!(verhoeff_ok(id), "{id}");
        assert!(verhoeff_is_valid(id), "{id}");
        assert!(snomed_concept_id_is_valid(id), "{id}");
    }
    // A one-digit change or an adjacent transposition is always caught.
    for bad in ["190905009", "190950008", "1000001"] {
        assert!(!verhoeff_ok(bad), "{bad}");
        assert!(!snomed_concept_id_is_valid(bad), "{bad}");
    }
    for n in 100_000u64..101_000 {
        let s = n.to_string();
        assert_eq!(verhoeff_ok(&s), verhoeff_is_valid(&s), "{s}");
    }
}

#[test]
fn codes_are_well_formed() {
    for c in catalog().iter() {
        for code in &c.codes {
            let s = code.code.as_str();
            let ok = match code.system {
                CodeSystem::Snomed => {
                    s.len() >= 6
                        && s.len() <= 18
                        && !s.starts_with('0')
                        && verhoeff_ok(s)
                        && &s[s.len() - 3..s.len() - 1] == "00"
                }
                CodeSystem::Icd10 => {
                    let b = s.as_bytes();
                    b.len() >= 3
                        && b[0].is_ascii_uppercase()
                        && b[1..3].iter().all(u8::is_ascii_digit)
                        && (b.len() == 3
                            || (b[3] == b'.'
                                && (5..=8).contains(&b.len())
                                && b[4..].iter().all(u8::is_ascii_alphanumeric)))
                }
                CodeSystem::Omim => s.len() == 6 && s.bytes().all(|b| b.is_ascii_digit()),
                CodeSystem::Mondo => {
                    s.len() == 13 && s.starts_with("MONDO:") && s[6..].bytes().all(|b| b.is_ascii_digit())
                }
                other => panic!("{}: unexpected code system {other:?}", c.id),
            };
            assert!(ok, "{}: malformed {:?} code `{s}`", c.id, code.system);
            assert!(!code.display.trim().is_empty(), "{}: {s} has no display", c.id);
        }
    }
}

#[test]
fn every_condition_has_snomed_and_mondo_and_icd10_where_one_exists() {
    for c in catalog().iter() {
        let has = |s: CodeSystem| c.codes.iter().any(|k| k.system == s);
        assert!(has(CodeSystem::Snomed), "{}: no SNOMED CT code", c.id);
        assert!(has(CodeSystem::Mondo), "{}: no MONDO code", c.id);
        // WHO ICD-10 has no code for a cancer predisposition (Z15 is ICD-10-CM only).
        let predisposition = c.id.starts_with("brca") || c.id.starts_with("lynch");
        assert!(predisposition || has(CodeSystem::Icd10), "{}: no ICD-10 code", c.id);
        assert!(c.is_mendelian() || !c.id.is_empty());
    }
    // No OMIM phenotype entry stands for coronary heart disease or stroke as such.
    let with_omim = MULTIFACTORIAL.iter().filter(|id| !matches!(**id, "coronary-heart-disease" | "stroke"));
    for id in MENDELIAN.iter().chain(with_omim) {
        let c = catalog().get(id).unwrap();
        let lynch_without_omim = matches!(*id, "lynch-syndrome-msh6" | "lynch-syndrome-pms2");
        assert!(lynch_without_omim || c.codes.iter().any(|k| k.system == CodeSystem::Omim), "{id}: no OMIM");
    }
}

// ── Frequencies ───────────────────────────────────────────────────────────────────────────

#[test]
fn frequencies_are_in_range_and_populations_are_distinct() {
    for c in catalog().iter().filter(|c| c.is_mendelian()) {
        assert!(!c.frequencies.is_empty(), "{}", c.id);
        let mut pops = std::collections::HashSet::new();
        for f in &c.frequencies {
            assert!(pops.insert(&f.population), "{}: {} twice", c.id, f.population);
            for v in [Some(f.allele_frequency), f.carrier_frequency, f.homozygote_frequency, f.affected_frequency]
                .into_iter()
                .flatten()
            {
                assert!(v > 0.0 && v <= 0.5, "{} {}: frequency {v} outside (0, 0.5]", c.id, f.population);
            }
            if let Some(d) = f.detection_rate {
                assert!(d > 0.0 && d <= 1.0);
            }
            assert!(f.as_reported.is_some(), "{} {}: say what the source printed", c.id, f.population);
        }
    }
}

#[test]
fn hardy_weinberg_holds_between_q_and_the_reported_figure() {
    let rel = |a: f64, b: f64| (a - b).abs() / b;
    for c in catalog().iter() {
        for f in &c.frequencies {
            let q = f.allele_frequency;
            let reported = match f.given {
                FrequencyGiven::AlleleFrequency => Some(q),
                FrequencyGiven::CarrierFrequency => f.carrier_frequency,
                FrequencyGiven::HomozygoteFrequency => f.homozygote_frequency,
                FrequencyGiven::AffectedFrequency => f.affected_frequency,
            };
            assert!(reported.is_some(), "{} {}: the given figure is missing", c.id, f.population);
            if let Some(h) = f.carrier_frequency {
                assert!(rel(2.0 * q * (1.0 - q), h) < 1e-3, "{} {}: carrier {h} vs 2q(1-q)", c.id, f.population);
            }
            if let Some(h) = f.homozygote_frequency {
                assert!(rel(q * q, h) < 1e-3, "{} {}: homozygotes {h} vs q²", c.id, f.population);
            }
            if let Some(a) = f.affected_frequency {
                let expect = match c.inheritance {
                    Inheritance::AutosomalRecessive => q * q,
                    Inheritance::AutosomalDominant => 1.0 - (1.0 - q).powi(2),
                    _ => q,
                };
                assert!(rel(expect, a) < 1e-3, "{} {}: affected {a} vs {expect}", c.id, f.population);
            }
        }
    }
}

#[test]
fn x_linked_lethal_parameters_are_consistent_with_haldane() {
    let dmd = catalog().get("duchenne-muscular-dystrophy").unwrap();
    let mu = dmd.mutation_rate.as_ref().expect("DMD mutation rate").value;
    let fitness = dmd.reproductive_fitness.as_ref().expect("DMD fitness").value;
    assert_eq!(fitness, 0.0);
    let incidence = dmd.frequencies[0].affected_frequency.unwrap();
    // Haldane: for fitness 0, male birth incidence = 3μ.
    assert!((3.0 * mu - incidence).abs() / incidence < 0.01, "3μ = {} vs incidence {incidence}", 3.0 * mu);
    assert!((5e-5..2e-4).contains(&mu), "μ = {mu} is not ~1e-4");
}

#[test]
fn default_test_sensitivity_matches_the_default_population_detection_rate() {
    for c in catalog().iter() {
        if let (Some(s), Some(f)) = (&c.test_sensitivity, c.frequencies.first()) {
            if let Some(d) = f.detection_rate {
                assert_eq!(s.value, d, "{}", c.id);
                assert_eq!(s.reference, f.reference, "{}", c.id);
            }
        }
    }
}

// ── Penetrance ────────────────────────────────────────────────────────────────────────────

#[test]
fn penetrance_curves_are_monotone_within_0_1_and_cover_both_sexes() {
    for c in catalog().iter() {
        for p in &c.penetrance {
            for (sex_name, curve) in [("female", &p.female), ("male", &p.male)] {
                if let Curve::Points(pts) = curve {
                    assert!(!pts.is_empty());
                    for w in pts.windows(2) {
                        assert!(w[1].0 > w[0].0, "{}: {sex_name} ages not increasing", c.id);
                        assert!(w[1].1 >= w[0].1, "{}: {sex_name} risk decreases", c.id);
                    }
                }
            }
            for sex in [Sex::Female, Sex::Male, Sex::Unknown, Sex::Intersex] {
                let mut last = 0.0;
                for step in 0..=240 {
                    let age = step as f64 * 0.5;
                    let r = p.cumulative(sex, age);
                    assert!((0.0..=1.0).contains(&r), "{}: {r} at {age}", c.id);
                    assert!(r >= last - 1e-12, "{}: cumulative risk falls at {age} ({sex:?})", c.id);
                    last = r;
                }
            }
        }
    }
}

#[test]
fn outcome_penetrances_point_at_multifactorial_entries_and_respect_sex() {
    let sex_limited = |id: &str| match id {
        "ovarian-cancer" | "endometrial-cancer" => Some(Sex::Male),
        "prostate-cancer" => Some(Sex::Female),
        _ => None,
    };
    for c in catalog().iter() {
        for p in &c.penetrance {
            if let Some(o) = &p.outcome {
                let target = catalog().get(o).unwrap_or_else(|| panic!("{}: outcome {o} missing", c.id));
                assert_eq!(target.inheritance, Inheritance::Multifactorial, "{}: outcome {o}", c.id);
                if let Some(never) = sex_limited(o) {
                    assert_eq!(p.cumulative(never, 90.0), 0.0, "{}: {o} for {never:?}", c.id);
                    let other = if never == Sex::Male { Sex::Female } else { Sex::Male };
                    assert!(p.cumulative(other, 90.0) > 0.0, "{}: {o} for {other:?}", c.id);
                }
            }
        }
    }
}

#[test]
fn key_penetrance_figures_and_interpolation() {
    let brca1 = catalog().get("brca1-associated-cancer").unwrap();
    let breast = brca1.penetrance_for(Some("breast-cancer")).unwrap();
    assert_eq!(breast.cumulative(Sex::Female, 80.0), 0.72);
    assert!((breast.cumulative(Sex::Female, 50.0) - 0.36).abs() < 1e-12, "linear between (20,0) and (80,0.72)");
    assert_eq!(breast.cumulative(Sex::Female, 10.0), 0.0, "clamped before the first point");
    assert_eq!(breast.cumulative(Sex::Female, 95.0), 0.72, "clamped after the last point");
    assert_eq!(breast.cumulative(Sex::Male, 70.0), 0.012);
    assert_eq!(breast.reference_for(Sex::Female), "kuchenbaecker2017");
    assert_eq!(breast.reference_for(Sex::Male), "tai2007");
    let unknown = breast.cumulative(Sex::Unknown, 80.0);
    assert!((unknown - 0.5 * (0.72 + 0.012)).abs() < 1e-12);

    let brca2 = catalog().get("brca2-associated-cancer").unwrap();
    assert_eq!(brca2.penetrance_for(Some("ovarian-cancer")).unwrap().cumulative(Sex::Female, 80.0), 0.17);

    let hfe = catalog().get("hfe-haemochromatosis").unwrap().penetrance_for(None).unwrap();
    assert!(hfe.is_constant());
    assert_eq!(hfe.cumulative(Sex::Male, 30.0), 0.284);
    assert_eq!(hfe.cumulative(Sex::Female, 30.0), 0.012);

    let fh = catalog().get("familial-hypercholesterolaemia").unwrap();
    let chd = fh.penetrance_for(Some("coronary-heart-disease")).unwrap();
    assert_eq!(chd.cumulative(Sex::Male, 50.0), 0.514);
    assert!((chd.cumulative(Sex::Male, 55.0) - (0.514 + 0.854) / 2.0).abs() < 1e-12);
    assert_eq!(chd.cumulative(Sex::Female, 60.0), 0.574);

    let cf = catalog().get("cystic-fibrosis").unwrap().penetrance_for(None).unwrap();
    assert_eq!(cf.cumulative(Sex::Unknown, 0.0), 1.0);
}

#[test]
fn curve_edge_cases() {
    let c = Curve::Points(vec![(30.0, 0.1), (40.0, 0.3), (60.0, 0.3), (70.0, 0.5)]);
    assert_eq!(c.cumulative(f64::NAN), 0.1);
    assert_eq!(c.cumulative(-5.0), 0.1);
    assert!((c.cumulative(35.0) - 0.2).abs() < 1e-12);
    assert_eq!(c.cumulative(50.0), 0.3);
    assert!((c.cumulative(65.0) - 0.4).abs() < 1e-12);
    assert_eq!(c.cumulative(f64::INFINITY), 0.5);
    assert_eq!(Curve::Points(vec![]).cumulative(50.0), 0.0);
    assert_eq!(Curve::Constant(0.25).cumulative(1.0), 0.25);
}

// ── Multifactorial ────────────────────────────────────────────────────────────────────────

#[test]
fn multifactorial_entries_carry_scheuner_thresholds_and_lifetime_risk() {
    for id in MULTIFACTORIAL {
        let c = catalog().get(id).unwrap();
        assert!(!c.lifetime_risk.is_empty(), "{id}");
        assert!(c.lifetime_risk.iter().all(|r| r.value > 0.0 && r.value < 1.0));
        for sex in [Sex::Female, Sex::Male] {
            let t = c.premature_onset_for("scheuner1997", sex);
            assert!(t.is_some(), "{id}: no Scheuner threshold for {sex:?}");
        }
    }
    let chd = catalog().get("coronary-heart-disease").unwrap();
    let men = chd.premature_onset_for("scheuner1997", Sex::Male).unwrap();
    let women = chd.premature_onset_for("scheuner1997", Sex::Female).unwrap();
    assert_eq!((men.age, women.age), (55.0, 65.0));
    assert!(men.is_premature(55.0) && !men.is_premature(55.5));
    let mfhp = chd.premature_onset_for("cdc_mfhp", Sex::Male).unwrap();
    assert!(mfhp.is_premature(49.9) && !mfhp.is_premature(50.0));
    for id in ["breast-cancer", "ovarian-cancer", "endometrial-cancer"] {
        let t = catalog().get(id).unwrap().premature_onset_for("scheuner1997", Sex::Female).unwrap();
        assert_eq!(t.age, 50.0);
        assert!(t.or_premenopausal, "{id}");
    }
    for id in ["stroke", "type-2-diabetes", "colorectal-cancer", "prostate-cancer"] {
        let t = catalog().get(id).unwrap().premature_onset_for("scheuner1997", Sex::Male).unwrap();
        assert_eq!(t.age, 50.0, "{id}");
    }
    let lr = chd.lifetime_risk_for("united_states", Sex::Female).unwrap();
    assert_eq!(lr.value, 0.317);
    let lr = catalog().get("colorectal-cancer").unwrap().lifetime_risk_for("nowhere", Sex::Male).unwrap();
    assert_eq!(lr.sex, SexScope::Any);
}

#[test]
fn criteria_name_existing_conditions() {
    let ids: Vec<_> = catalog().criteria().iter().map(|k| k.id.as_str()).collect();
    assert_eq!(ids, ["amsterdam-ii", "revised-bethesda", "scheuner-1997"]);
    for k in catalog().criteria() {
        for id in k.applies_to.iter().chain(&k.counts) {
            assert!(catalog().get(id).is_some(), "{}: {id}", k.id);
        }
    }
    assert_eq!(catalog().criterion("amsterdam-ii").unwrap().age_thresholds, [50.0]);
    assert_eq!(catalog().criterion("revised-bethesda").unwrap().age_thresholds, [50.0, 60.0]);
}

// ── Versioning ────────────────────────────────────────────────────────────────────────────

#[test]
fn the_version_has_a_changelog_line() {
    let v = catalog().version();
    assert!(v >= 1);
    assert_eq!(catalog().released().len(), 10);
    let line = format!("#   {v}  {}", catalog().released());
    assert!(BUILTIN_TOML.contains("# Changelog"), "the data file needs a changelog");
    assert!(BUILTIN_TOML.contains(&line), "no changelog line `{line}` for the current version");
}

#[test]
fn population_frequency_fallback_and_lookup() {
    let cf = catalog().get("cystic-fibrosis").unwrap();
    assert_eq!(cf.frequency_for("ashkenazi_jewish").unwrap().carrier_frequency, Some(0.0416667));
    assert_eq!(cf.frequency_for("martian").unwrap().population, "european");
    let tsd = catalog().get("tay-sachs-disease").unwrap();
    let aj = tsd.frequency_for("ashkenazi_jewish").unwrap().allele_frequency;
    let general = tsd.frequency_for("general").unwrap().allele_frequency;
    assert!(aj > 9.0 * general, "Tay–Sachs founder frequency");
}
