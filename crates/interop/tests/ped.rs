//! PED / PLINK `.fam`: export of the test family (read back by plink2 when it is installed),
//! round trip through import, the accepted variants, and every malformed case rejected with its
//! line, column and reason.

mod clinical;

use clinical::*;
use kinvault_catalog::Catalog;
use kinvault_interop::*;
use kinvault_model::*;
use std::process::Command;

fn export(f: &Fixture, condition: Option<&str>) -> Exported {
    let opts = PedExportOptions { condition: condition.map(str::to_string), ..Default::default() };
    export_ped(&FamilySnapshot::new(&f.persons, &f.families, Some(f.proband)), Catalog::builtin(), &opts).unwrap()
}

fn import(text: &str, condition: Option<&str>) -> Result<ImportedFamily, FormatError> {
    import_ped(text.as_bytes(), Catalog::builtin(), &PedImportOptions { condition: condition.map(str::to_string) })
}

fn lines(text: &str) -> Vec<Vec<String>> {
    text.lines().map(|l| l.split_whitespace().map(str::to_string).collect()).collect()
}

fn row<'a>(rows: &'a [Vec<String>], iid: &str) -> &'a [String] {
    rows.iter().find(|r| r[1] == iid).unwrap_or_else(|| panic!("no line for {iid}"))
}

#[test]
fn export_writes_biological_parents_sex_and_the_chosen_phenotype() {
    let f = fixture();
    let out = export(&f, Some("breast-cancer"));
    let rows = lines(&out.text);
    assert_eq!(rows.len(), 20);
    assert!(out.text.lines().all(|l| l.split('\t').count() == 6), "tab-separated, 6 columns:\n{}", out.text);
    // FID: the proband's IID. Parents, sex, phenotype (affected by ICD-10, kinvault code; the
    // proband's explicit unaffected; everyone else missing).
    assert_eq!(row(&rows, "I9"), ["I9", "I9", "I5", "I6", "2", "1"]);
    assert_eq!(row(&rows, "I4"), ["I9", "I4", "0", "0", "2", "2"]);
    assert_eq!(row(&rows, "I8"), ["I9", "I8", "I3", "I4", "2", "2"]);
    assert_eq!(row(&rows, "I1"), ["I9", "I1", "0", "0", "1", "-9"]);
    // Half-brother: his own mother. Niece: mother only. Adopted son: no biological parents.
    assert_eq!(row(&rows, "I18"), ["I9", "I18", "I5", "I17", "1", "-9"]);
    assert_eq!(row(&rows, "I19"), ["I9", "I19", "0", "I10", "2", "-9"]);
    assert_eq!(row(&rows, "I20"), ["I9", "I20", "0", "0", "1", "-9"]);
    assert!(out.warnings.iter().any(|w| w.message.contains("2 adoptive/foster/step/sealing parent links")));
    // Parents before children.
    let pos = |iid: &str| rows.iter().position(|r| r[1] == iid).unwrap();
    for r in &rows {
        for parent in [&r[2], &r[3]] {
            if parent != "0" {
                assert!(pos(parent) < pos(&r[1]), "{parent} after its child {}", r[1]);
            }
        }
    }
}

#[test]
fn export_options_missing_value_family_id_and_no_condition() {
    let f = fixture();
    let snap = FamilySnapshot::new(&f.persons, &f.families, Some(f.proband));
    let opts = PedExportOptions {
        condition: Some("ovarian-cancer".into()),
        family_id: Some("HALE".into()),
        missing: MissingPhenotype::Zero,
    };
    let rows = lines(&export_ped(&snap, Catalog::builtin(), &opts).unwrap().text);
    assert_eq!(row(&rows, "I6"), ["HALE", "I6", "I3", "I4", "2", "2"]);
    assert_eq!(row(&rows, "I9"), ["HALE", "I9", "I5", "I6", "2", "0"]);
    let rows = lines(&export(&f, None).text);
    assert!(rows.iter().all(|r| r[5] == "-9"));

    let bad = PedExportOptions { family_id: Some("two words".into()), ..Default::default() };
    let e = export_ped(&snap, Catalog::builtin(), &bad).unwrap_err();
    assert!(e.reason.contains("single words"), "{e}");
    let bad = PedExportOptions { condition: Some("no-such-thing".into()), ..Default::default() };
    let e = export_ped(&snap, Catalog::builtin(), &bad).unwrap_err();
    assert_eq!(e.to_string(), "PED file: unknown condition \"no-such-thing\": give an id from the condition catalog");
}

#[test]
fn export_ids_fall_back_to_short_ids_without_usable_xrefs() {
    let mut f = fixture();
    f.persons[0].xref = None; // I1
    f.persons[1].xref = Some("@I 2@".into()); // whitespace: unusable
    let rows = lines(&export(&f, None).text);
    let i5 = row(&rows, "I5");
    for (slot, p) in [(2, &f.persons[0]), (3, &f.persons[1])] {
        let simple = p.id.simple().to_string();
        assert_eq!(i5[slot], simple[simple.len() - 8..]);
    }
}

#[test]
fn plink2_reads_the_export() {
    let Some(plink2) = external_tool("plink2", "Debian package plink2") else { return };
    let f = fixture();
    let out = export(&f, Some("breast-cancer"));
    let dir = TempDir::new("ped");
    let fam = dir.0.join("family.fam");
    std::fs::write(&fam, &out.text).unwrap();
    let prefix = dir.0.join("checked");
    let run =
        Command::new(plink2).arg("--fam").arg(&fam).arg("--make-just-fam").arg("--out").arg(&prefix).output().unwrap();
    let log = std::fs::read_to_string(prefix.with_extension("log")).unwrap_or_default();
    assert!(run.status.success(), "plink2 failed:\n{}\n{log}", String::from_utf8_lossy(&run.stderr));
    // plink2's own count of what it read: 10 females, 10 males, 8 founders (both parents
    // unknown: the four grandparents, the uncle by marriage, the husband, the father's first
    // partner and the adopted son), one case and one control.
    assert!(log.contains("20 samples (10 females, 10 males; 8 founders)"), "{log}");
    assert!(log.contains("1 binary phenotype loaded (2 cases, 1 control)"), "{log}");
    // And what it wrote back is what we wrote.
    let back = std::fs::read_to_string(prefix.with_extension("fam")).unwrap();
    assert_eq!(lines(&back), lines(&out.text));
}

#[test]
fn round_trip_keeps_people_parents_sex_and_the_phenotype() {
    let f = fixture();
    let out = export(&f, Some("breast-cancer"));
    let back = import(&out.text, Some("breast-cancer")).unwrap();
    assert!(back.warnings.is_empty(), "{:?}", back.warnings);
    assert_eq!(back.proband, None, "PED has no proband column");
    let before = summarize(&f.persons, &f.families);
    let after = summarize_import(&back);
    assert_eq!(after.keys().collect::<Vec<_>>(), before.keys().collect::<Vec<_>>());
    let cat = Catalog::builtin();
    for (x, b) in &before {
        let a = &after[x];
        assert_eq!((a.sex, &a.father, &a.mother), (b.sex, &b.father, &b.mother), "{x}");
        assert!(a.legal_parents.is_empty());
        // Only the chosen condition comes back, as the catalog entry's kinvault code.
        let p = f.persons.iter().find(|p| p.xref.as_deref() == Some(x.as_str())).unwrap();
        let want: Vec<ConditionStatus> = p
            .conditions
            .iter()
            .filter(|o| cat.link(o).is_some_and(|c| c.id == "breast-cancer"))
            .map(|o| o.status)
            .collect();
        let got: Vec<ConditionStatus> = a.conditions.iter().map(|c| c.2).collect();
        assert_eq!(got, want, "{x}");
        for c in &a.conditions {
            assert_eq!(c.0, Some((CodeSystem::Kinvault, "breast-cancer".to_string())));
            assert_eq!(c.1, "Breast cancer");
        }
    }
    let i4 = back.person_by_xref("I4").unwrap();
    assert_eq!(i4.conditions[0].provenance, Provenance::Imported { format: "PED".into() });
    // The families: one per couple (or single parent) with children.
    assert_eq!(back.families.len(), 7);
    // Exporting the import again gives the same file.
    let snap = FamilySnapshot::new(&back.persons, &back.families, back.person_by_xref("I9").map(|p| p.id));
    let opts = PedExportOptions { condition: Some("breast-cancer".into()), ..Default::default() };
    let again = export_ped(&snap, cat, &opts).unwrap();
    let mut a = lines(&again.text);
    let mut b = lines(&out.text);
    a.sort();
    b.sort();
    assert_eq!(a, b);
}

#[test]
fn import_accepts_spaces_tabs_comments_header_and_five_columns() {
    let text = "# exported by hand\nFID IID PAT MAT SEX PHENOTYPE\nF1  dad 0 0 1 1\nF1\tmum\t0\t0\t2\t2\n\n \
                F1 kid dad mum 0 -9\nF1 kid2 dad mum F 0\n";
    let i = import(text, Some("cystic-fibrosis")).unwrap();
    assert_eq!(i.persons.len(), 4);
    let kid = i.person_by_xref("kid").unwrap();
    assert_eq!(kid.sex, Sex::Unknown);
    assert!(kid.conditions.is_empty(), "-9 is unknown: no observation");
    assert_eq!(i.person_by_xref("kid2").unwrap().sex, Sex::Female);
    let mum = i.person_by_xref("mum").unwrap();
    assert_eq!(mum.conditions[0].status, ConditionStatus::Affected);
    assert_eq!(mum.conditions[0].code.as_ref().unwrap().code, "cystic-fibrosis");
    assert_eq!(i.person_by_xref("dad").unwrap().conditions[0].status, ConditionStatus::Unaffected);
    assert_eq!(i.families.len(), 1);
    assert_eq!(i.families[0].partners, vec![i.person_by_xref("dad").unwrap().id, mum.id]);
    assert_eq!(i.families[0].children.len(), 2);

    let five = import("F1 a 0 0 1\nF1 b 0 0 2\nF1 c a b 1\n", None).unwrap();
    assert_eq!(five.persons.len(), 3);
    assert!(five.warnings.is_empty());
}

#[test]
fn import_reads_a_missing_parent_as_unknown_with_a_warning() {
    let i = import("F1 a 0 0 1 -9\nF1 c a ghost 2 -9\n", None).unwrap();
    assert_eq!(i.warnings.len(), 1);
    assert_eq!(
        i.warnings[0].to_string(),
        "line 2, column 4 (mother): mother ghost is not in the file (family F1); c is read without a mother"
    );
    assert_eq!(i.families.len(), 1);
    assert_eq!(i.families[0].partners.len(), 1);
}

#[test]
fn import_without_a_condition_ignores_phenotypes_with_a_warning() {
    let i = import("F1 a 0 0 1 2\nF1 b 0 0 2 1\nF1 c 0 0 2 4.5\n", None).unwrap();
    assert!(i.persons.iter().all(|p| p.conditions.is_empty()));
    assert!(i.warnings.iter().any(|w| w.message.starts_with("3 phenotype values ignored")), "{:?}", i.warnings);
}

#[test]
fn import_of_several_families_keeps_repeated_iids_apart() {
    let i = import("A 1 0 0 1 -9\nA 2 1 0 2 -9\nB 1 0 0 2 -9\nB 3 0 1 1 -9\n", None).unwrap();
    let xrefs: Vec<_> = i.persons.iter().map(|p| p.xref.clone().unwrap()).collect();
    assert_eq!(xrefs, ["A:1", "2", "B:1", "3"]);
    let three = i.person_by_xref("3").unwrap();
    let fam = i.families.iter().find(|f| f.children.iter().any(|c| c.person == three.id)).unwrap();
    assert_eq!(fam.partners, vec![i.person_by_xref("B:1").unwrap().id]);
    assert!(i.warnings.iter().any(|w| w.message.contains("2 families (FID)")));
}

/// Each malformed file: its error's location and a part of its reason.
#[test]
fn malformed_files_are_rejected_with_line_column_and_reason() {
    let cases: &[(&str, Option<&str>, &str, &str)] = &[
        ("F a 0 0 1 1\nF b 0 0 2\n", None, "line 2", "5 columns, but line 1 has 6"),
        (
            "F a 0 0 1 1\nF b 0 0\n",
            None,
            "line 2",
            "expected 5 or 6 columns (FID IID father mother sex [phenotype]), found 4",
        ),
        ("F a 0 0 1 1 A A C C\n", None, "line 1", "genotype columns are not read"),
        (
            "F a 0 0 2 1\nF b 0 0 2 1\nF c a b 1 1\n",
            None,
            "line 3, column 3 (father)",
            "a is listed as father of c but has sex 2 (female) at line 1",
        ),
        (
            "F a 0 0 1 1\nF b 0 0 1 1\nF c a b 1 1\n",
            None,
            "line 3, column 4 (mother)",
            "b is listed as mother of c but has sex 1 (male) at line 2",
        ),
        (
            "F a 0 0 0 1\nF b 0 0 0 1\nF c a b 1 1\nF d b a 1 1\n",
            None,
            "line 4, column 3 (father)",
            "b is listed as father here but as mother at line 3",
        ),
        ("F a 0 0 1 1\nF a 0 0 2 1\n", None, "line 2, column 2 (IID)", "a appears twice in family F (first at line 1)"),
        ("F a 0 0 3 1\n", None, "line 1, column 5 (sex)", "sex \"3\" is not 1 (male), 2 (female) or 0 (unknown)"),
        (
            "F a 0 0 1 3.5\n",
            Some("breast-cancer"),
            "line 1, column 6 (phenotype)",
            "a quantitative phenotype cannot be read",
        ),
        ("F 0 0 0 1 1\n", None, "line 1, column 2 (IID)", "individual id 0 is reserved"),
        ("F a a 0 1 1\n", None, "line 1, column 3 (father)", "a is listed as their own father"),
        ("F a 0 0 1 1\nF b a a 1 1\n", None, "line 2, column 4 (mother)", "a is listed as both father and mother"),
        ("F a b 0 1 1\nF b a 0 1 1\n", None, "file", "is their own ancestor"),
        ("# nothing\n\n", None, "file", "no individuals"),
        ("F a 0 0 1 1\n", Some("not-a-condition"), "file", "unknown condition \"not-a-condition\""),
    ];
    for (text, condition, at, why) in cases {
        let e = import(text, *condition).expect_err(text);
        assert_eq!(e.format, Format::Ped);
        assert_eq!(e.location.to_string(), *at, "{text:?}: {e}");
        assert!(e.reason.contains(why), "{text:?}: {e}");
    }
    let e =
        import_ped(b"F a 0 0 1 1\n\xff\xfe 0 0 1 1\n", Catalog::builtin(), &PedImportOptions::default()).unwrap_err();
    assert_eq!(e.to_string(), "PED line 2: not UTF-8 text (is this a binary .bed/.pgen file?)");
}
