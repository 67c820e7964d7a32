//! Health records and the clinical family-history formats through the CLI: `catalog list`,
//! `condition add`, `test add`, `import` of PED/CanRisk/FHIR/MFHP files and `export --format
//! fhir|ga4gh|ped|canrisk`, run as a user would.

mod common;

use common::{json, kinvault, ok};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Output;

/// The command's stderr; it must have failed.
fn fails(out: Output) -> String {
    assert!(!out.status.success(), "succeeded: {}", String::from_utf8_lossy(&out.stdout));
    String::from_utf8(out.stderr).unwrap()
}

fn run(dir: &Path, args: &[&str]) -> Output {
    kinvault(dir).args(args).output().unwrap()
}

fn new_vault(dir: &Path, name: &str) -> String {
    let vault = dir.join(name);
    ok(kinvault(dir).arg("init").arg(&vault).output().unwrap());
    vault.display().to_string()
}

fn stats(dir: &Path, vault: &str) -> Value {
    json(run(dir, &["stats", vault, "--json"]))
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p: PathBuf = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.display().to_string()
}

/// Tom and Mia with their daughter Ann (the proband).
const FAMILY: &str = "0 HEAD\n1 GEDC\n2 VERS 5.5.1\n1 CHAR UTF-8\n\
0 @I1@ INDI\n1 NAME Tom /Lee/\n1 SEX M\n1 BIRT\n2 DATE 1950\n1 FAMS @F1@\n\
0 @I2@ INDI\n1 NAME Mia /Lee/\n1 SEX F\n1 BIRT\n2 DATE 1952\n1 FAMS @F1@\n\
0 @I3@ INDI\n1 NAME Ann /Lee/\n1 SEX F\n1 BIRT\n2 DATE 1980\n1 FAMC @F1@\n\
0 @F1@ FAM\n1 HUSB @I1@\n1 WIFE @I2@\n1 CHIL @I3@\n0 TRLR\n";

/// The family above with Mia's breast cancer and Ann's BRCA1 result recorded through the CLI.
fn family_vault(dir: &Path) -> String {
    let vault = new_vault(dir, "family.kinvault");
    let ged = write(dir, "family.ged", FAMILY);
    ok(run(dir, &["import", &vault, &ged]));
    let id = ok(run(
        dir,
        &[
            "condition",
            "add",
            &vault,
            "I2",
            "--condition",
            "breast-cancer",
            "--status",
            "affected",
            "--onset-age",
            "44",
        ],
    ));
    assert_eq!(id.trim().len(), 36, "prints the observation id: {id}");
    let obs = json(run(
        dir,
        &[
            "condition",
            "add",
            &vault,
            "@I3@",
            "--condition",
            "breast-cancer",
            "--status",
            "unaffected",
            "--age",
            "45",
            "--json",
        ],
    ));
    assert_eq!(obs["status"], "unaffected");
    assert_eq!(obs["code"]["system"], "snomed", "SNOMED CT code first");
    assert_eq!(obs["provenance"]["kind"], "self_reported");
    let test = json(run(
        dir,
        &[
            "test",
            "add",
            &vault,
            "I3",
            "--gene",
            "BRCA1",
            "--variant",
            "NM_007294.4:c.68_69del",
            "--result",
            "positive",
            "--sensitivity",
            "0.95",
            "--json",
        ],
    ));
    assert_eq!((test["gene"].as_str(), test["result"].as_str()), (Some("BRCA1"), Some("positive")));
    let ann = json(run(dir, &["person", "show", &vault, "I3", "--json"]));
    assert_eq!(ann["vital_status"], serde_json::json!({ "status": "alive", "age": 45.0 }), "--age: last known age");
    let s = stats(dir, &vault);
    assert_eq!(
        (s["individuals"].as_u64(), s["conditions"].as_u64(), s["genetic_tests"].as_u64()),
        (Some(3), Some(2), Some(1))
    );
    vault
}

#[test]
fn catalog_list_has_references() {
    let d = tempfile::tempdir().unwrap();
    let data = json(run(d.path(), &["catalog", "list", "--json"]));
    let cf =
        data["condition"].as_array().unwrap().iter().find(|c| c["id"] == "cystic-fibrosis").expect("cystic-fibrosis");
    assert!(cf["references"].as_array().is_some_and(|r| !r.is_empty() && r[0]["citation"].is_string()), "{cf}");
    assert!(cf["codes"].as_array().is_some_and(|c| c.iter().any(|c| c["system"] == "snomed")));
    let found = json(run(d.path(), &["catalog", "list", "--search", "CFTR", "--json"]));
    assert_eq!(found["condition"][0]["id"], "cystic-fibrosis", "search by gene");
    let text = ok(run(d.path(), &["catalog", "list"]));
    assert!(text.lines().any(|l| l.starts_with("cystic-fibrosis ") && l.contains("Cystic fibrosis")), "{text}");
}

#[test]
fn health_records_are_validated() {
    let d = tempfile::tempdir().unwrap();
    let vault = family_vault(d.path());
    let before = stats(d.path(), &vault);
    let e = fails(run(d.path(), &["condition", "add", &vault, "I1", "--condition", "cf", "--status", "affected"]));
    assert!(e.contains("not a condition id") && e.contains("kinvault catalog list"), "{e}");
    let e = fails(run(
        d.path(),
        &["condition", "add", &vault, "I1", "--condition", "stroke", "--status", "unaffected", "--onset-age", "40"],
    ));
    assert!(e.contains("onset age"), "{e}");
    let e = fails(run(
        d.path(),
        &["test", "add", &vault, "I1", "--gene", "BRCA2", "--result", "negative", "--sensitivity", "1.2"],
    ));
    assert!(e.contains("sensitivity 1.2"), "{e}");
    let e = fails(run(d.path(), &["test", "add", &vault, "I9", "--gene", "BRCA2", "--result", "negative"]));
    assert!(e.contains("no person"), "{e}");
    assert_eq!(stats(d.path(), &vault), before);
}

/// Individuals, families, conditions, genetic tests.
type Counts = (u64, u64, u64, u64);

/// (format, condition, counts after import into a fresh vault).
const ROUND_TRIPS: [(&str, Option<&str>, Counts); 4] = [
    // FHIR family history: every observation; genetic tests are not carried.
    ("fhir", None, (3, 1, 2, 0)),
    // GA4GH Pedigree: every observation; no genetic tests either.
    ("ga4gh", Some("breast-cancer"), (3, 1, 2, 0)),
    // PED: the one condition's phenotype (affected, unaffected).
    ("ped", Some("breast-cancer"), (3, 1, 2, 0)),
    // CanRisk: the breast cancer with its age, the BRCA1 column.
    ("canrisk", None, (3, 1, 1, 1)),
];

#[test]
fn export_each_format_and_import_into_a_fresh_vault() {
    let d = tempfile::tempdir().unwrap();
    let vault = family_vault(d.path());
    for (format, condition, (people, families, conditions, tests)) in ROUND_TRIPS {
        let out = d.path().join(format!("family.{format}"));
        let mut args = vec!["export", &vault, "--format", format, "--proband", "I3", "-o"];
        let out_str = out.display().to_string();
        args.push(&out_str);
        if let Some(c) = condition {
            args.extend(["--condition", c]);
        }
        args.push("--json");
        let report = json(run(d.path(), &args));
        assert_eq!((report["individuals"].as_u64(), report["families"].as_u64()), (Some(3), Some(1)), "{format}");
        assert_eq!(report["format"], format);
        assert!(report["bytes"].as_u64().unwrap() > 0 && out.is_file());

        let fresh = new_vault(d.path(), &format!("from-{format}.kinvault"));
        let mut args = vec!["import", &fresh, &out_str, "--json"];
        if format == "ped" {
            args.extend(["--condition", "breast-cancer"]);
        }
        let back = json(run(d.path(), &args));
        let expect_format = if format == "ga4gh" { "ga4gh" } else { format };
        assert_eq!(back["format"], expect_format);
        let s = stats(d.path(), &fresh);
        let got = (
            s["individuals"].as_u64().unwrap(),
            s["families"].as_u64().unwrap(),
            s["conditions"].as_u64().unwrap(),
            s["genetic_tests"].as_u64().unwrap(),
        );
        assert_eq!(got, (people, families, conditions, tests), "{format}: {back}");
        assert_eq!(back["individuals"].as_u64(), Some(people));
        // The file's ids are xrefs again: Mia is I2, affected, with her age at diagnosis.
        let mia = json(run(d.path(), &["person", "show", &fresh, "I2", "--json"]));
        let bc = mia["conditions"].as_array().unwrap().iter().find(|c| c["status"] == "affected");
        let bc = bc.unwrap_or_else(|| panic!("{format}: {mia}"));
        assert!(bc["label"].as_str().unwrap().to_lowercase().contains("breast"), "{format}: {bc}");
        if format != "ped" {
            assert_eq!(bc["onset"]["min"].as_f64(), Some(44.0), "{format}: {bc}");
            assert_eq!(back["proband"].as_str().map(str::len), Some(36), "{format}: the proband");
        }
        assert_eq!(bc["provenance"]["kind"], "imported");
    }
}

#[test]
fn ped_needs_a_condition() {
    let d = tempfile::tempdir().unwrap();
    let vault = family_vault(d.path());
    let out = d.path().join("family.ped").display().to_string();
    let e = fails(run(d.path(), &["export", &vault, "--format", "ped", "--proband", "I3", "-o", &out]));
    assert!(e.contains("--condition") && e.contains("phenotype"), "{e}");
    assert!(!Path::new(&out).exists(), "nothing written");
    let e = fails(run(d.path(), &["export", &vault, "--format", "fhir", "-o", &out]));
    assert!(e.contains("--proband"), "{e}");

    let ped = write(d.path(), "trio.fam", "F1 dad 0 0 1 1\nF1 mum 0 0 2 2\nF1 kid dad mum 2 2\n");
    let fresh = new_vault(d.path(), "fresh.kinvault");
    let e = fails(run(d.path(), &["import", &fresh, &ped]));
    assert!(e.contains("PED file") && e.contains("--condition ID"), "{e}");
    let e = fails(run(d.path(), &["import", &fresh, &ped, "--condition", "no-such-condition"]));
    assert!(e.contains("kinvault catalog list"), "{e}");
    assert_eq!(stats(d.path(), &fresh)["individuals"], 0);
    let report = json(run(d.path(), &["import", &fresh, &ped, "--condition", "cystic-fibrosis", "--json"]));
    assert_eq!((report["format"].as_str(), report["individuals"].as_u64()), (Some("ped"), Some(3)));
    assert_eq!(report["health_observations"], 3, "two affected, one unaffected");
    let kid = json(run(d.path(), &["person", "show", &fresh, "kid", "--json"]));
    assert_eq!(kid["conditions"][0]["label"], "Cystic fibrosis");
    assert_eq!(kid["conditions"][0]["provenance"], serde_json::json!({ "kind": "imported", "format": "PED" }));
}

#[test]
fn bad_files_are_rejected_with_where_and_why_and_change_nothing() {
    let d = tempfile::tempdir().unwrap();
    let vault = family_vault(d.path());
    let before = stats(d.path(), &vault);
    let canrisk_header = "##CanRisk 4.0\n##FamID\tName\tTarget\tIndivID\tFathID\tMothID\tSex\tMZtwin\tDead\tAge\tYob\t\
        BC1\tBC2\tOC\tPRO\tPAN\tAshkn\tBRCA1\tBRCA2\tPALB2\tATM\tCHEK2\tBARD1\tRAD51D\tRAD51C\tBRIP1\tHOXB13\t\
        ER:PR:HER2:CK14:CK56\n";
    let cases: [(&str, String, &[&str], &[&str]); 4] = [
        (
            "bad.ped",
            "F1 a 0 0 1 1\nF1 b 0 0 1 1\nF1 c a b 2 2\n".into(),
            &["--condition", "cystic-fibrosis"],
            &["PED line 3", "mother"],
        ),
        ("bad.canrisk", format!("{canrisk_header}FAM1\tx\t1\tx\t0\n"), &[], &["CanRisk line 3", "column"]),
        (
            "bad.json",
            r#"{"resourceType": "Bundle", "type": "collection", "entry": [{"resource": {"resourceType": "Patient", "id": "p1"}}, {"resource": {"resourceType": "FamilyMemberHistory", "status": "completed", "patient": {"reference": "Patient/p1"}}}]}"#
                .into(),
            &[],
            &["FHIR entry[1]"],
        ),
        ("bad.xml", "<FamilyHistory xmlns=\"urn:hl7-org:v3\">\n<subject>\n</FamilyHistory>\n".into(), &[], &["MFHP", "line"]),
    ];
    for (name, text, extra, want) in cases {
        let file = write(d.path(), name, &text);
        let mut args = vec!["import", &vault, &file];
        args.extend(extra);
        let e = fails(run(d.path(), &args));
        for w in want {
            assert!(e.contains(w), "{name}: want {w:?} in {e}");
        }
        assert!(e.starts_with("kinvault: cannot import"), "{name}: {e}");
        assert_eq!(stats(d.path(), &vault), before, "{name}: the vault is unchanged");
    }
    // Not a clinical format: GEDCOM's import path, which says why.
    let junk = write(d.path(), "junk.txt", "hello\n");
    fails(run(d.path(), &["import", &vault, &junk]));
    assert_eq!(stats(d.path(), &vault), before);
}
