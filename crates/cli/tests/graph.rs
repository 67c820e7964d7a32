//! `kinvault relate` / `inbreeding` / `ancestors` / `descendants` / `graph-check`, run as a user
//! would, on a small imported family and on conformance files.

mod common;

use common::*;
use std::path::{Path, PathBuf};

/// George + Grace have daughters Paula and Petra. Paula + Sam have Adam; Petra + Saul have Beth.
/// Adam and Beth (first cousins) have Cora.
const COUSINS: &str = "0 HEAD
1 GEDC
2 VERS 5.5.1
1 CHAR UTF-8
0 @I1@ INDI
1 NAME George /Old/
1 SEX M
1 BIRT
2 DATE 1850
1 DEAT
2 DATE 1920
1 FAMS @F1@
0 @I2@ INDI
1 NAME Grace /Old/
1 SEX F
1 FAMS @F1@
0 @I3@ INDI
1 NAME Paula /Old/
1 SEX F
1 FAMC @F1@
1 FAMS @F2@
0 @I4@ INDI
1 NAME Petra /Old/
1 SEX F
1 FAMC @F1@
1 FAMS @F3@
0 @I5@ INDI
1 NAME Sam /Smith/
1 SEX M
1 FAMS @F2@
0 @I6@ INDI
1 NAME Saul /Jones/
1 SEX M
1 FAMS @F3@
0 @I7@ INDI
1 NAME Adam /Smith/
1 SEX M
1 FAMC @F2@
1 FAMS @F4@
0 @I8@ INDI
1 NAME Beth /Jones/
1 SEX F
1 FAMC @F3@
1 FAMS @F4@
0 @I9@ INDI
1 NAME Cora /Smith/
1 SEX F
1 FAMC @F4@
0 @F1@ FAM
1 HUSB @I1@
1 WIFE @I2@
1 CHIL @I3@
1 CHIL @I4@
0 @F2@ FAM
1 HUSB @I5@
1 WIFE @I3@
1 CHIL @I7@
0 @F3@ FAM
1 HUSB @I6@
1 WIFE @I4@
1 CHIL @I8@
0 @F4@ FAM
1 HUSB @I7@
1 WIFE @I8@
1 MARR
2 DATE 1950
1 CHIL @I9@
0 TRLR
";

fn cousins(dir: &Path) -> PathBuf {
    let vault = dir.join("fam.kinvault");
    ok(kinvault(dir).arg("init").arg(&vault).output().unwrap());
    let ged = dir.join("cousins.ged");
    std::fs::write(&ged, COUSINS).unwrap();
    ok(kinvault(dir).arg("import").arg(&vault).arg(&ged).output().unwrap());
    vault
}

#[test]
fn relate_json_and_text() {
    let d = tempfile::tempdir().unwrap();
    let vault = cousins(d.path());
    let r = json(kinvault(d.path()).arg("relate").arg(&vault).args(["I7", "@I8@", "--json"]).output().unwrap());
    let first = &r["relationships"][0];
    assert_eq!(first["name"], "first cousin");
    assert_eq!(first["kind"], "blood");
    let common: Vec<&str> =
        first["common_ancestors"].as_array().unwrap().iter().map(|p| p["xref"].as_str().unwrap()).collect();
    assert_eq!(common, ["@I1@", "@I2@"]);
    assert_eq!(first["common_ancestors"][0]["display_name"], "George Old");
    let path: Vec<&str> =
        first["path"].as_array().unwrap().iter().map(|s| s["person"]["xref"].as_str().unwrap()).collect();
    assert_eq!(path, ["@I7@", "@I3@", "@I1@", "@I4@", "@I8@"]);
    // φ(first cousins) = 1/16. X: Adam is male, so φx = φx(Paula, Beth) = ½ φx(Paula, Petra), and
    // full sisters have φx = 3/8: 3/16.
    assert_eq!(r["kinship"], 0.0625);
    assert_eq!(r["kinship_exact"], "1/16");
    assert_eq!(r["kinship_x"], 0.1875);
    assert_eq!(r["kinship_x_exact"], "3/16");
    assert_eq!(r["kappa"]["k1"]["exact"], "1/4");
    assert!(r["relationships"].as_array().unwrap().iter().any(|x| x["name"] == "wife"));

    let text = ok(kinvault(d.path()).arg("relate").arg(&vault).args(["I7", "I8"]).output().unwrap());
    assert!(text.starts_with("Beth Jones (@I8@) is Adam Smith (@I7@)'s\n"), "{text}");
    assert!(text.contains("\n  first cousin through George Old and Grace Old\n"), "{text}");
    assert!(text.contains("Adam Smith → Paula Old → George Old → Petra Old → Beth Jones"), "{text}");
    assert!(text.contains("φ  = 1/16 (0.0625)"), "{text}");
    assert!(text.contains("φx = 3/16 (0.1875)"), "{text}");

    // Cora is Paula's granddaughter (through Adam) and also her grandniece (through Beth, the
    // daughter of Paula's sister Petra): two paths, closest first.
    let r = json(kinvault(d.path()).arg("relate").arg(&vault).args(["I3", "I9", "--json"]).output().unwrap());
    let names: Vec<&str> = r["relationships"].as_array().unwrap().iter().map(|x| x["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["granddaughter", "grandniece"], "through Adam, and through Beth (Petra's daughter)");
}

#[test]
fn inbreeding_json_and_text() {
    let d = tempfile::tempdir().unwrap();
    let vault = cousins(d.path());
    let r = json(kinvault(d.path()).arg("inbreeding").arg(&vault).args(["I9", "--json"]).output().unwrap());
    assert_eq!(r["f"], 0.0625);
    assert_eq!(r["f_exact"], "1/16");
    // Cora is female: Fx = φx(Adam, Beth) = 3/16 (see above).
    assert_eq!(r["f_x_exact"], "3/16");
    assert_eq!(r["parents_relationship"], "first cousin");
    let text = ok(kinvault(d.path()).arg("inbreeding").arg(&vault).arg("@I9@").output().unwrap());
    assert!(text.contains("Beth Jones is Adam Smith's first cousin"), "{text}");
    assert!(text.contains("F         1/16 (0.0625)"), "{text}");
    assert!(text.contains("F (X)     3/16 (0.1875)"), "{text}");
}

#[test]
fn ancestors_and_descendants() {
    let d = tempfile::tempdir().unwrap();
    let vault = cousins(d.path());
    let c = json(
        kinvault(d.path()).arg("ancestors").arg(&vault).args(["I9", "--generations", "2", "--json"]).output().unwrap(),
    );
    assert_eq!(c["kind"], "pedigree");
    let nodes = c["nodes"].as_array().unwrap();
    assert_eq!(nodes.len(), 1 + 2 + 4);
    assert_eq!(nodes[0]["role"], "center");
    assert_eq!(nodes[1]["generations"], serde_json::json!([-1]));
    assert!(nodes[3..].iter().all(|n| n["generations"] == serde_json::json!([-2])));
    assert_eq!(nodes[0]["parents"].as_array().unwrap().len(), 2);

    let text = ok(kinvault(d.path()).arg("ancestors").arg(&vault).args(["I9", "-g", "3"]).output().unwrap());
    assert!(text.starts_with("Ancestors of Cora Smith (@I9@), 3 generations: 8 people\n"), "{text}");
    assert!(text.contains("generation 3\n  George Old (@I1@)  M  1850–1920\n"), "{text}");

    let text =
        ok(kinvault(d.path()).arg("descendants").arg(&vault).args(["I1", "--generations", "3"]).output().unwrap());
    assert!(text.starts_with("Descendants of George Old (@I1@), 3 generations: 5 people\n"), "{text}");
    assert!(text.contains("  partner: Grace Old (@I2@)"), "{text}");
    assert!(text.contains("generation 1\n  Paula Old (@I3@)  F\n      partner: Sam Smith (@I5@)  M\n"), "{text}");
    assert!(text.contains("generation 3\n  Cora Smith (@I9@)"), "{text}");
    let c = json(kinvault(d.path()).arg("descendants").arg(&vault).args(["I1", "-g", "1", "--json"]).output().unwrap());
    assert_eq!(c["nodes"].as_array().unwrap().len(), 1 + 1 + 2 + 2, "George, Grace, daughters and their husbands");
}

#[test]
fn unknown_people_and_missing_passphrase_fail_clearly() {
    let d = tempfile::tempdir().unwrap();
    let vault = cousins(d.path());
    let out = kinvault(d.path()).arg("relate").arg(&vault).args(["I7", "I99"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no person with id or xref \"I99\" in this vault"), "{err}");
    let out = kinvault(d.path()).arg("ancestors").arg(&vault).args(["I7", "-g", "500"]).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("at most 200 generations"));

    // Passphrases as for every other command: a file works, argv never, no TTY means a clear error.
    let pass = d.path().join("pass.txt");
    std::fs::write(&pass, format!("{PASS}\n")).unwrap();
    let out = kinvault(d.path())
        .env_remove("KINVAULT_PASSPHRASE")
        .arg("inbreeding")
        .arg(&vault)
        .arg("I9")
        .arg("--passphrase-file")
        .arg(&pass)
        .output()
        .unwrap();
    assert!(ok(out).contains("1/16"));
    let out = kinvault(d.path())
        .env_remove("KINVAULT_PASSPHRASE")
        .arg("relate")
        .arg(&vault)
        .args(["I7", "I8"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("KINVAULT_PASSPHRASE"));
    let out = kinvault(d.path())
        .env("KINVAULT_PASSPHRASE", "wrong words here")
        .arg("relate")
        .arg(&vault)
        .args(["I7", "I8"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("wrong passphrase"));
}

#[test]
fn royal92_and_a_cyclic_file() {
    let d = tempfile::tempdir().unwrap();
    let vault = d.path().join("royal.kinvault");
    ok(kinvault(d.path()).arg("init").arg(&vault).output().unwrap());
    ok(kinvault(d.path())
        .arg("import")
        .arg(&vault)
        .arg(conformance("gedcom-go/gedcom-5.5/royal92.ged"))
        .output()
        .unwrap());
    // Charles II of Spain (@I2130@): his mother Mariana was his father Philip IV's niece, so
    // F = 1/8 (worked out in crates/api/tests/graph_conformance.rs).
    let r = json(kinvault(d.path()).arg("inbreeding").arg(&vault).args(["I2130", "--json"]).output().unwrap());
    assert_eq!(r["f_exact"], "1/8");
    assert_eq!(r["parents_relationship"], "niece");
    let r = json(kinvault(d.path()).arg("relate").arg(&vault).args(["I2131", "I2416", "--json"]).output().unwrap());
    assert_eq!(r["relationships"][0]["name"], "niece");
    assert_eq!(r["kinship"], 0.125);
    let c =
        json(kinvault(d.path()).arg("ancestors").arg(&vault).args(["I2130", "-g", "10", "--json"]).output().unwrap());
    assert_eq!(c["collapsed"], 13);
    let text = ok(kinvault(d.path()).arg("graph-check").arg(&vault).output().unwrap());
    assert!(text.contains("people         3010\n") && text.contains("problems       0\n"), "{text}");

    let cyc = d.path().join("cyc.kinvault");
    ok(kinvault(d.path()).arg("init").arg(&cyc).output().unwrap());
    ok(kinvault(d.path())
        .arg("import")
        .arg(&cyc)
        .arg(conformance("gedcom-go/malformed/circular-reference.ged"))
        .output()
        .unwrap());
    let out = kinvault(d.path()).arg("graph-check").arg(&cyc).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "problems found");
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("recorded as their own ancestors"), "{text}");
    let out = kinvault(d.path()).arg("graph-check").arg(&cyc).arg("--json").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(report["issues"].as_array().unwrap().iter().any(|i| i["kind"] == "cycle"));
}
