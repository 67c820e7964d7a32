//! CanRisk pedigree files: the export of the test family column by column, round trip, twins,
//! second breast cancers and pancreatic cancer, a file as pedigreejs writes it, and every
//! malformed case rejected with its line, column and reason.

mod clinical;

use clinical::*;
use kinvault_catalog::Catalog;
use kinvault_interop::*;
use kinvault_model::*;

const HEADER: &str = "##FamID\tName\tTarget\tIndivID\tFathID\tMothID\tSex\tMZtwin\tDead\tAge\tYob\tBC1\tBC2\tOC\tPRO\tPAN\t\
                      Ashkn\tBRCA1\tBRCA2\tPALB2\tATM\tCHEK2\tBARD1\tRAD51D\tRAD51C\tBRIP1\tHOXB13\tER:PR:HER2:CK14:CK56";

fn export(f: &Fixture) -> Exported {
    let snap = FamilySnapshot::new(&f.persons, &f.families, Some(f.proband));
    export_canrisk(&snap, Catalog::builtin(), &CanRiskExportOptions::default()).unwrap()
}

fn import(text: &str) -> Result<ImportedFamily, FormatError> {
    import_canrisk(text.as_bytes(), Catalog::builtin())
}

fn row<'a>(text: &'a str, id: &str) -> Vec<&'a str> {
    text.lines().map(|l| l.split('\t').collect::<Vec<_>>()).find(|c| c.len() > 3 && c[3] == id).unwrap()
}

/// (catalog id or label, onset) of a person's affected cancers CanRisk carries.
fn cancers(p: &Person) -> Vec<(String, Option<AgeRange>)> {
    let cat = Catalog::builtin();
    let mut v: Vec<(String, Option<AgeRange>)> = p
        .conditions
        .iter()
        .filter(|o| o.status == ConditionStatus::Affected)
        .filter_map(|o| {
            let id = cat.link(o).map(|c| c.id.clone()).unwrap_or_else(|| o.label.to_lowercase());
            ["breast-cancer", "ovarian-cancer", "prostate-cancer", "pancreatic cancer"]
                .contains(&id.as_str())
                .then_some((id, o.onset))
        })
        .collect();
    v.sort_by(|a, b| a.0.cmp(&b.0));
    v
}

#[test]
fn export_writes_the_v4_columns_cancers_tests_and_the_target() {
    let f = fixture();
    let out = export(&f);
    let lines: Vec<&str> = out.text.lines().collect();
    assert_eq!(lines[0], "##CanRisk 4.0");
    assert_eq!(lines[1], HEADER);
    assert_eq!(lines.len(), 2 + 21, "20 people and one placeholder father");
    assert!(lines[2..].iter().all(|l| l.split('\t').count() == 28));
    //                    FamID Name Target Indiv Fath Moth Sex MZ Dead Age Yob BC1 BC2 OC PRO PAN Ashkn
    assert_eq!(
        row(&out.text, "I9")[..17],
        ["FAM1", "I9", "1", "I9", "I5", "I6", "F", "0", "0", "40", "1985", "0", "0", "0", "0", "0", "0"]
    );
    assert_eq!(
        row(&out.text, "I9")[17..],
        ["S:P", "0:0", "0:0", "0:0", "0:0", "0:0", "0:0", "0:0", "0:0", "0:0", "0:0:0:0:0"]
    );
    assert_eq!(
        row(&out.text, "I4")[..17],
        ["FAM1", "I4", "0", "I4", "0", "0", "F", "0", "1", "60", "1931", "45", "0", "0", "0", "0", "0"]
    );
    assert_eq!(row(&out.text, "I6")[13], "52");
    assert_eq!(row(&out.text, "I6")[17..19], ["S:P", "S:N"]);
    assert_eq!(row(&out.text, "I1")[14], "72");
    assert_eq!(row(&out.text, "I8")[11], "38");
    // Mother only: a placeholder father, written before his child.
    let i19 = row(&out.text, "I19");
    assert_eq!(i19[4..6], ["X1", "I10"]);
    assert_eq!(row(&out.text, "X1")[4..7], ["0", "0", "M"]);
    assert!(out.warnings.iter().any(|w| w.message.contains("I19: the unknown father is written as placeholder X1")));
    // The adopted son: no biological parents.
    assert_eq!(row(&out.text, "I20")[4..6], ["0", "0"]);
    assert!(out.warnings.iter().any(|w| w.message.starts_with("I20: adoptive")));
    // Parents before children.
    let pos = |id: &str| lines.iter().position(|l| l.split('\t').nth(3) == Some(id)).unwrap();
    for l in &lines[2..] {
        let c: Vec<&str> = l.split('\t').collect();
        for parent in [c[4], c[5]] {
            if parent != "0" {
                assert!(pos(parent) < pos(c[3]), "{parent} after {}", c[3]);
            }
        }
    }
    // Names only when asked, at most 8 characters.
    let snap = FamilySnapshot::new(&f.persons, &f.families, Some(f.proband));
    let named = export_canrisk(
        &snap,
        Catalog::builtin(),
        &CanRiskExportOptions { family_id: Some("HALE".into()), names: true },
    )
    .unwrap();
    assert_eq!(row(&named.text, "I9")[..4], ["HALE", "Iris", "1", "I9"]);
    let e = export_canrisk(
        &snap,
        Catalog::builtin(),
        &CanRiskExportOptions { family_id: Some("FAMILY-ID-TOO-LONG".into()), names: false },
    )
    .unwrap_err();
    assert!(e.reason.contains("1 to 13 characters"), "{e}");
}

#[test]
fn round_trip_keeps_people_parents_cancers_vital_status_and_tests() {
    let f = fixture();
    let back = import(&export(&f).text).unwrap();
    assert_eq!(back.persons.len(), 21);
    assert_eq!(back.proband, Some(back.person_by_xref("I9").unwrap().id));
    let before = summarize(&f.persons, &f.families);
    let after = summarize_import(&back);
    for p in &f.persons {
        let x = p.xref.as_deref().unwrap();
        let (a, b) = (&after[x], &before[x]);
        let father = if x == "I19" { Some("X1".to_string()) } else { b.father.clone() };
        assert_eq!((a.sex, &a.father, &a.mother), (b.sex, &father, &b.mother), "{x}");
        assert_eq!(cancers(back.person_by_xref(x).unwrap()), cancers(p), "{x}");
        let vital = match &b.vital {
            VitalStatus::Deceased { age, .. } => VitalStatus::Deceased { age: *age, date: None, cause: None },
            VitalStatus::Unknown => VitalStatus::Alive { age: None },
            v => v.clone(),
        };
        assert_eq!(a.vital, vital, "{x}");
        assert_eq!(a.tests, b.tests, "{x}");
        assert_eq!(back.person_by_xref(x).unwrap().birth().and_then(|d| d.year()), p.birth().and_then(|d| d.year()));
    }
    let i6 = back.person_by_xref("I6").unwrap();
    assert_eq!(i6.genetic_tests[0].method.as_deref(), Some("mutation search"));
    assert_eq!(i6.genetic_tests[0].provenance, Provenance::Imported { format: "CanRisk".into() });
    assert_eq!(i6.conditions[0].provenance, Provenance::Imported { format: "CanRisk".into() });
    assert_eq!(i6.conditions[0].code.as_ref().unwrap().code, "ovarian-cancer");
    // And the export of the import is the same file.
    let snap = FamilySnapshot::new(&back.persons, &back.families, back.proband);
    let again = export_canrisk(&snap, Catalog::builtin(), &CanRiskExportOptions::default()).unwrap();
    let sorted = |t: &str| {
        let mut v: Vec<String> = t.lines().map(str::to_string).collect();
        v.sort();
        v
    };
    assert_eq!(sorted(&again.text), sorted(&export(&f).text));
}

#[test]
fn twins_second_breast_cancer_pancreatic_cancer_and_unknown_ages() {
    let mut mum = Person::new(PersonName::new("M", "T"), Sex::Female);
    mum.xref = Some("M".into());
    mum.conditions.push(cond(CodeSystem::Snomed, "254837009", "Breast cancer", ConditionStatus::Affected, Some(41.0)));
    mum.conditions.push(cond(CodeSystem::Snomed, "254837009", "Breast cancer", ConditionStatus::Affected, Some(55.0)));
    mum.conditions.push(ConditionObservation::new(None, "Pancreatic cancer", ConditionStatus::Affected));
    let mut dad = Person::new(PersonName::new("D", "T"), Sex::Male);
    dad.xref = Some("D".into());
    dad.conditions.push(cond(
        CodeSystem::Icd10,
        "C25.9",
        "Pancreas, unspecified",
        ConditionStatus::Affected,
        Some(66.0),
    ));
    let mut a = Person::new(PersonName::new("A", "T"), Sex::Female);
    a.xref = Some("A".into());
    a.proband = true;
    a.genetic_tests
        .push(GeneticTest { method: Some("targeted familial variant".into()), ..test("PALB2", TestResult::Negative) });
    a.genetic_tests.push(test("HOXB13", TestResult::Positive));
    a.genetic_tests.push(test("TP53", TestResult::Positive));
    let mut b = Person::new(PersonName::new("B", "T"), Sex::Female);
    b.xref = Some("B".into());
    let mut fam = Family::new(vec![dad.id, mum.id]);
    fam.children = vec![FamilyChild { person: a.id, links: vec![] }, FamilyChild { person: b.id, links: vec![] }];
    fam.twins = vec![TwinSet { members: vec![a.id, b.id], zygosity: Zygosity::Monozygotic }];
    let persons = vec![mum, dad, a, b];
    let families = vec![fam];
    let out = export_canrisk(
        &FamilySnapshot::new(&persons, &families, None),
        Catalog::builtin(),
        &CanRiskExportOptions::default(),
    )
    .unwrap();
    assert_eq!(row(&out.text, "M")[11..16], ["41", "55", "0", "0", "AU"]);
    assert_eq!(row(&out.text, "D")[15], "66");
    assert_eq!((row(&out.text, "A")[7], row(&out.text, "B")[7]), ("1", "1"));
    assert_eq!(row(&out.text, "A")[19], "T:N");
    assert_eq!(row(&out.text, "A")[26], "S:P");
    assert!(out
        .warnings
        .iter()
        .any(|w| w.message.contains("1 genetic test results for genes without a CanRisk column")));

    let back = import(&out.text).unwrap();
    let m = back.person_by_xref("M").unwrap();
    assert_eq!(m.conditions.len(), 3);
    assert_eq!(m.conditions[1].note.as_deref(), Some("second (contralateral) breast cancer, CanRisk BC2"));
    assert_eq!(m.conditions[2].code, Some(Code::new(CodeSystem::Snomed, "363418001", "Pancreatic cancer")));
    assert_eq!(m.conditions[2].onset, None, "AU: affected, age unknown");
    assert_eq!(back.families[0].twins[0].members.len(), 2);
    assert_eq!(back.families[0].twins[0].zygosity, Zygosity::Monozygotic);
    let a = back.person_by_xref("A").unwrap();
    assert_eq!(
        a.genetic_tests.iter().map(|t| (t.gene.as_str(), t.result)).collect::<Vec<_>>(),
        [("PALB2", TestResult::Negative), ("HOXB13", TestResult::Positive)]
    );
    assert_eq!(a.genetic_tests[0].method.as_deref(), Some("direct gene test"));
}

/// A file as pedigreejs / the CanRisk tool write it (risk-factor lines, surgery flags on the
/// version line, anonymous names, `0:0` untested genes), written for this test; version 2 too.
#[test]
fn pedigreejs_style_files_of_versions_2_and_4_are_read() {
    let v4 = "##CanRisk 4.0;OVARY2=y\n##menarche=13\n##parity=2\n##BMI=24.5\n".to_string()
        + HEADER
        + "\nXXXX\t0\t1\tch1\tm21\tf21\tF\t0\t0\t44\t1980\t42\t0\t0\t0\t0\t1\tS:N\t0:0\t0:0\t0:0\t0:0\t0:0\t0:0\t0:0\t0:0\t0:0\tP:N:0:0:0\
         \nXXXX\t1\t0\tm21\t0\t0\tM\t0\t1\t70\t1950\t0\t0\t0\t68\t0\t0\t0:0\t0:0\t0:0\t0:0\t0:0\t0:0\t0:0\t0:0\t0:0\t0:0\t0:0:0:0:0\
         \nXXXX\t2\t0\tf21\t0\t0\tF\t0\t0\t72\t1952\t0\t0\t0\t0\t0\t0\t0:0\t0:0\t0:0\t0:0\t0:0\t0:0\t0:0\t0:0\t0:0\t0:0\t0:0:0:0:0\n";
    let i = import(&v4).unwrap();
    assert_eq!(i.persons.len(), 3);
    let ch = i.person_by_xref("ch1").unwrap();
    assert!(ch.proband);
    assert_eq!(ch.names[0].given, "0", "Name column kept as written");
    assert_eq!(ch.conditions[0].onset, Some(AgeRange::exact(42.0)));
    assert_eq!(ch.notes[0].text, "CanRisk breast tumour pathology (ER:PR:HER2:CK14:CK56): P:N:0:0:0");
    let w: Vec<String> = i.warnings.iter().map(|w| w.to_string()).collect();
    assert!(w.contains(&"line 1: surgery data on the ##CanRisk line not kept".to_string()), "{w:?}");
    assert!(
        w.contains(&"line 2: risk-factor line ##menarche=13 not kept (Kinvault does not record it)".to_string()),
        "{w:?}"
    );
    assert!(w.iter().any(|m| m.contains("Ashkenazi Jewish ancestry not kept")), "{w:?}");
    let m21 = i.person_by_xref("m21").unwrap();
    assert_eq!(m21.vital_status, VitalStatus::Deceased { age: Some(70.0), date: None, cause: None });

    let v2_header = HEADER.replace("\tHOXB13", "");
    let v2 = format!(
        "##CanRisk 2.0\n{v2_header}\nXXXX\tA\t1\ta\t0\t0\tF\t0\t0\t30\t0\t0\t0\t0\t0\t0\t0\tT:P\t0:0\t0:0\t0:0\t0:0\t0:0\t0:0\t0:0\t0:0\t0:0:0:0:0\n"
    );
    let i = import(&v2).unwrap();
    assert_eq!(i.persons[0].genetic_tests[0].gene, "BRCA1");
    assert_eq!(i.persons[0].vital_status, VitalStatus::Alive { age: Some(30.0) });
}

#[test]
fn malformed_files_are_rejected_with_line_column_and_reason() {
    let line = |cols: &[&str]| {
        let mut base: Vec<String> = "F\tn\t0\ta\t0\t0\tF\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0:0\t0:0\t0:0\t0:0\t0:0\t0:0\t0:0\t0:0\t0:0\t0:0\t0:0:0:0:0"
            .split('\t')
            .map(str::to_string)
            .collect();
        for pair in cols.chunks(2) {
            base[pair[0].parse::<usize>().unwrap()] = pair[1].to_string();
        }
        base.join("\t")
    };
    let file = |rows: &[String]| format!("##CanRisk 4.0\n{HEADER}\n{}\n", rows.join("\n"));
    let cases: Vec<(String, &str, &str)> = vec![
        ("FamID\tName\n".into(), "line 1", "the first line must be \"##CanRisk <version>\""),
        ("##CanRisk 5.0\n".into(), "line 1", "version \"5.0\" is not 1.0 to 4.0"),
        (
            format!("##CanRisk 4.0\n{}\n", HEADER.replace("HOXB13", "HOX")),
            "line 2",
            "column 27 is \"HOX\", expected \"HOXB13\"",
        ),
        (format!("##CanRisk 4.0\n{}\n", line(&[])), "line 2", "a data line before the ##FamID column header"),
        (file(&[line(&[]).replace("\t0:0:0:0:0", "")]), "line 3", "found 27 columns, expected 28 for CanRisk 4.0"),
        (file(&[line(&[]), line(&[])]), "line 4, IndivID", "a appears twice (first at line 3)"),
        (file(&[line(&["4", "dad"])]), "line 3, FathID", "dad is not in the file"),
        (
            file(&[line(&["3", "m", "6", "F"]), line(&["3", "c", "4", "m"])]),
            "line 4, FathID",
            "m is the father of c but has sex F at line 3",
        ),
        (file(&[line(&["6", "X"])]), "line 3, Sex", "\"X\" is not M, F or U"),
        (file(&[line(&["8", "2"])]), "line 3, Dead", "\"2\" is not 0 (alive) or 1 (dead)"),
        (file(&[line(&["9", "4O"])]), "line 3, Age", "\"4O\" is not a whole number from 0 to 125"),
        (file(&[line(&["11", "-3"])]), "line 3, BC1", "\"-3\" is not a whole number"),
        (file(&[line(&["17", "S"])]), "line 3, BRCA1", "\"S\" is not type:result"),
        (file(&[line(&["17", "X:P"])]), "line 3, BRCA1", "test type \"X\" is not 0, S (mutation search) or T"),
        (file(&[line(&["18", "S:Q"])]), "line 3, BRCA2", "test result \"Q\" is not 0, P (positive) or N (negative)"),
        (file(&[line(&["27", "P:N:0"])]), "line 3, ER:PR:HER2:CK14:CK56", "is not five of 0, P, N"),
        (
            file(&[line(&["2", "1"]), line(&["2", "1", "3", "b"])]),
            "line 4, Target",
            "a second target (b, the first is a at line 3)",
        ),
        (file(&[line(&["16", "2"])]), "line 3, Ashkn", "\"2\" is not 0 or 1"),
        (file(&[line(&["7", "AB"])]), "line 3, MZtwin", "is not 0 or one letter or digit"),
        (
            file(&[
                line(&["3", "m", "6", "F"]),
                line(&["3", "d", "6", "M"]),
                line(&["3", "t1", "4", "d", "5", "m", "7", "1"]),
                line(&["3", "t2", "7", "1"]),
            ]),
            "line 6, MZtwin",
            "t1 and t2 are marked monozygotic twins (1) but have different parents",
        ),
        (
            file(&[
                line(&["3", "a", "4", "b", "5", "c"]),
                line(&["3", "b", "4", "a", "5", "c", "6", "M"]),
                line(&["3", "c"]),
            ]),
            "line 4, FathID",
            "a is the father of b but has sex F at line 3",
        ),
        (
            file(&[
                line(&["3", "a", "6", "M", "4", "b", "5", "c"]),
                line(&["3", "b", "6", "M", "4", "a", "5", "c"]),
                line(&["3", "c"]),
            ]),
            "file",
            "is their own ancestor",
        ),
        ("".into(), "file", "empty file"),
        (format!("##CanRisk 4.0\n{HEADER}\n"), "file", "no individuals"),
    ];
    for (text, at, why) in &cases {
        let e = import(text).expect_err(text);
        assert_eq!(e.format, Format::CanRisk);
        assert_eq!(e.location.to_string(), *at, "{text}\n{e}");
        assert!(e.reason.contains(why), "{text}\n{e}");
    }
}
