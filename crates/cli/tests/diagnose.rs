//! `kinvault diagnose`: the diagnostics bundle holds counts and sizes, never a name, condition,
//! note, xref, id or path — locked or unlocked, as text, `--json` or a file — and a file that is
//! not a vault, a damaged key header or a wrong passphrase give a clear report, not a failure.

mod common;

use common::{json, kinvault, ok, PASS};
use std::path::{Path, PathBuf};
use std::process::Output;

/// Strings that are in the vault and must never be in a report.
const SECRETS: &[&str] = &[
    "Quillfeather",
    "Wilhelmina",
    "Bartholomew",
    "Ottoline",
    "Snodsbury",
    "Xanthoderm",
    "Glimmerwick",
    "glimmerwick",
    "Brambleton",
    "ystic", // the catalog condition recorded (cystic fibrosis)
    "I4711",
    "I4712",
    "I4713",
    "F815",
    "S99",
    PASS,
];

fn run(dir: &Path, args: &[&str]) -> Output {
    kinvault(dir).args(args).output().unwrap()
}

/// Stdout and stderr together.
fn all_output(out: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

/// A vault whose file name holds the family's surname, with names, notes, xrefs, a source, a
/// cause of death, a catalog condition and a user-defined one with notes. Returns its path and
/// the people's ids.
fn family_vault(d: &Path) -> (PathBuf, Vec<String>) {
    let vault = d.join("Quillfeather-family.kinvault");
    let v = vault.to_str().unwrap();
    ok(run(d, &["init", v]));
    let ged = d.join("tree.ged");
    std::fs::write(
        &ged,
        "0 HEAD\n1 GEDC\n2 VERS 5.5.1\n1 CHAR UTF-8\n\
         0 @I4711@ INDI\n1 NAME Wilhelmina /Quillfeather/\n1 SEX F\n1 NOTE Kept bees at Upper Snodsbury\n\
         1 DEAT\n2 CAUS Xanthoderm fever\n1 SOUR @S99@\n1 FAMS @F815@\n\
         0 @I4712@ INDI\n1 NAME Bartholomew /Quillfeather/\n1 SEX M\n1 FAMS @F815@\n\
         0 @I4713@ INDI\n1 NAME Ottoline /Quillfeather/\n1 SEX F\n1 FAMC @F815@\n\
         0 @F815@ FAM\n1 HUSB @I4712@\n1 WIFE @I4711@\n1 CHIL @I4713@\n\
         0 @S99@ SOUR\n1 TITL Parish register of Brambleton\n0 TRLR\n",
    )
    .unwrap();
    ok(run(d, &["import", v, ged.to_str().unwrap()]));
    let def = d.join("glimmerwick.toml");
    std::fs::write(
        &def,
        r#"id = "glimmerwick-syndrome"
name = "Glimmerwick syndrome"
category = "other"
inheritance = "autosomal_dominant"
genes = []
[[frequencies]]
population = "general"
label = "estimate"
given = "allele_frequency"
allele_frequency = 0.001
ref = "r"
[[penetrance]]
female = [[10.0, 0.0], [70.0, 0.5]]
male = [[10.0, 0.0], [70.0, 0.5]]
ref = "r"
[[references]]
id = "r"
citation = "Glimmerwick clinic letter."
year = 2025
"#,
    )
    .unwrap();
    ok(run(d, &["catalog", "add", v, def.to_str().unwrap()]));
    ok(run(
        d,
        &[
            "condition",
            "add",
            v,
            "I4713",
            "--condition",
            "glimmerwick-syndrome",
            "--status",
            "affected",
            "--onset-age",
            "30",
            "--note",
            "Seen at the Glimmerwick clinic",
        ],
    ));
    ok(run(
        d,
        &[
            "condition",
            "add",
            v,
            "@I4712@",
            "--condition",
            "cystic-fibrosis",
            "--status",
            "affected",
            "--note",
            "Ottoline's brother in law",
        ],
    ));
    let list = json(run(d, &["person", "list", v, "--json"]));
    let ids: Vec<String> =
        list["items"].as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap().to_string()).collect();
    assert_eq!(ids.len(), 3);
    (vault, ids)
}

/// Fails if `text` holds any of the vault's strings, a person id, any UUID, or the folder.
fn assert_clean(text: &str, ids: &[String], dir: &Path) {
    for s in SECRETS {
        assert!(!text.contains(s), "{s:?} in:\n{text}");
    }
    for id in ids {
        assert!(!text.contains(id.as_str()), "person id {id} in:\n{text}");
    }
    let uuid = text
        .split(|c: char| !(c.is_ascii_hexdigit() || c == '-'))
        .find(|w| w.len() == 36 && w.matches('-').count() == 4);
    assert!(uuid.is_none(), "an id {uuid:?} in:\n{text}");
    assert!(!text.contains(&*dir.to_string_lossy()), "the folder's path in:\n{text}");
    assert!(!text.contains(".kinvault"), "a vault file name in:\n{text}");
}

#[test]
fn unlocked_report_has_counts_and_nothing_identifying() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (vault, ids) = family_vault(d);
    let v = vault.to_str().unwrap();

    // Text.
    let out = run(d, &["diagnose", v]);
    assert!(out.status.success(), "{}", all_output(&out));
    let text = all_output(&out);
    assert_clean(&text, &ids, d);
    for line in [
        "people          3",
        "families        1",
        "sources         1",
        "conditions      3",
        "unlock          ok",
        "integrity       ok",
        "sync            off",
        "key header valid (format 1",
        "memory alert    1024 MiB",
    ] {
        assert!(text.contains(line), "{line:?} missing from:\n{text}");
    }
    assert!(text.contains(&format!("vault file      {} bytes", std::fs::metadata(&vault).unwrap().len())), "{text}");

    // JSON on stdout and the same bundle written to a file (atomically: no temp file left).
    let bundle = d.join("bundle.json");
    let out = run(d, &["diagnose", v, "--json", "-o", bundle.to_str().unwrap()]);
    assert!(out.status.success(), "{}", all_output(&out));
    assert_clean(&String::from_utf8_lossy(&out.stdout), &ids, d);
    let printed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let file_text = std::fs::read_to_string(&bundle).unwrap();
    assert_clean(&file_text, &ids, d);
    let written: serde_json::Value = serde_json::from_str(&file_text).unwrap();
    for j in [&printed, &written] {
        assert_eq!(j["format"], 1);
        assert_eq!(j["collected_by"], "kinvault");
        assert_eq!(j["unlock"]["status"], "unlocked");
        let c = &j["vault"]["counts"];
        assert_eq!((c["people"].as_u64(), c["families"].as_u64(), c["sources"].as_u64()), (Some(3), Some(1), Some(1)));
        assert_eq!(c["conditions"], 3, "cause of death, Glimmerwick and CF");
        assert!(c["change_log"].as_u64().unwrap() >= 5);
        assert_eq!(j["vault"]["schema_version"], 5);
        assert_eq!(j["vault"]["integrity"]["ok"], true);
        assert_eq!(j["vault"]["sync"]["enabled"], false);
        assert_eq!(j["vault_file"]["header"], "valid");
        assert!(j["memory"]["rss_bytes"].as_u64().unwrap() > 0);
        assert!(j["system"]["cpus"].as_u64().unwrap() >= 1);
    }
    let leftovers: Vec<_> = std::fs::read_dir(d)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");

    // -o without --json: text on stdout, the bundle in the file; a passphrase file works too.
    let pass_file = d.join("pass.txt");
    std::fs::write(&pass_file, format!("{PASS}\n")).unwrap();
    let out = kinvault(d)
        .env_remove("KINVAULT_PASSPHRASE")
        .args(["diagnose", v, "--passphrase-file", pass_file.to_str().unwrap(), "--no-integrity", "-o"])
        .arg(&bundle)
        .output()
        .unwrap();
    let text = all_output(&out);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("integrity       not checked") && text.contains("people          3"), "{text}");
    let written: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&bundle).unwrap()).unwrap();
    assert_eq!(written["vault"]["integrity"], serde_json::Value::Null);
    assert_eq!(written["vault"]["counts"]["people"], 3);
}

#[test]
fn without_a_passphrase_the_file_is_examined_without_unlocking() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (vault, ids) = family_vault(d);
    let v = vault.to_str().unwrap();
    let before = std::fs::read(&vault).unwrap();
    let locked = |extra: &[&str]| {
        let out = kinvault(d).env_remove("KINVAULT_PASSPHRASE").arg("diagnose").arg(v).args(extra).output().unwrap();
        assert!(out.status.success(), "{}", all_output(&out));
        assert_clean(&all_output(&out), &ids, d);
        out
    };
    let text = all_output(&locked(&[]));
    assert!(text.contains("unlock          not attempted"), "{text}");
    assert!(text.contains("key header valid") && !text.contains("people "), "{text}");
    let j: serde_json::Value = serde_json::from_slice(&locked(&["--json"]).stdout).unwrap();
    assert_eq!(j["unlock"]["status"], "not_attempted");
    assert_eq!(j["vault"], serde_json::Value::Null);
    assert_eq!(j["vault_file"]["file_bytes"], before.len() as u64);
    assert_eq!(j["vault_file"]["valid_slots"], 1);
    // --no-unlock wins over a passphrase in the environment.
    let j = json(run(d, &["diagnose", v, "--no-unlock", "--json"]));
    assert_eq!(j["unlock"]["status"], "not_attempted");
    assert_eq!(std::fs::read(&vault).unwrap(), before, "examining changes nothing");
    // No vault at all: the machine and memory only.
    let j = json(run(d, &["diagnose", "--json"]));
    assert_eq!((j["unlock"]["status"].as_str(), &j["vault_file"]), (Some("no_vault"), &serde_json::Value::Null));
}

#[test]
fn wrong_passphrase_not_a_vault_and_damaged_header_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (vault, ids) = family_vault(d);
    let v = vault.to_str().unwrap();

    // Wrong passphrase: a clear line, exit 0, the file unchanged.
    let before = std::fs::read(&vault).unwrap();
    let out = kinvault(d).env("KINVAULT_PASSPHRASE", "not the passphrase").args(["diagnose", v]).output().unwrap();
    let text = all_output(&out);
    assert!(out.status.success(), "{text}");
    assert_clean(&text, &ids, d);
    assert!(text.contains("unlock          FAILED: wrong passphrase"), "{text}");
    assert!(!text.contains("not the passphrase"), "{text}");
    let j = json(
        kinvault(d).env("KINVAULT_PASSPHRASE", "not the passphrase").args(["diagnose", v, "--json"]).output().unwrap(),
    );
    assert_eq!(j["unlock"]["status"], "failed");
    assert_eq!(j["unlock"]["error"], "wrong_passphrase");
    assert_eq!(j["vault"], serde_json::Value::Null);
    assert_eq!(std::fs::read(&vault).unwrap(), before);

    // Not a vault: said so, and the passphrase is not even tried.
    let notes = d.join("Quillfeather-notes.txt");
    std::fs::write(&notes, "Wilhelmina Quillfeather kept bees at Upper Snodsbury\n".repeat(200)).unwrap();
    let out = run(d, &["diagnose", notes.to_str().unwrap()]);
    let text = all_output(&out);
    assert!(out.status.success(), "{text}");
    assert_clean(&text, &ids, d);
    assert!(text.contains("Not a Kinvault vault"), "{text}");
    let j = json(run(d, &["diagnose", notes.to_str().unwrap(), "--json"]));
    assert_eq!(
        (j["vault_file"]["header"].as_str(), j["unlock"]["status"].as_str()),
        (Some("not_a_vault"), Some("not_attempted"))
    );

    // Truncated and missing files.
    let short = d.join("short.bin");
    std::fs::write(&short, b"KINVLT01").unwrap();
    assert_eq!(json(run(d, &["diagnose", short.to_str().unwrap(), "--json"]))["vault_file"]["header"], "too_short");
    let gone = d.join("Quillfeather-gone.kinvault");
    let text = ok(run(d, &["diagnose", gone.to_str().unwrap()]));
    assert!(text.contains("There is no file at the given path."), "{text}");
    assert_clean(&text, &ids, d);

    // A damaged key header: the magic is there, the checksum fails.
    let damaged = d.join("copy.kinvault");
    let mut bytes = before.clone();
    bytes[100] ^= 0xff;
    std::fs::write(&damaged, &bytes).unwrap();
    let out = run(d, &["diagnose", damaged.to_str().unwrap()]);
    let text = all_output(&out);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("key header DAMAGED") && text.contains("Restore it from a backup"), "{text}");
    let j = json(run(d, &["diagnose", damaged.to_str().unwrap(), "--json"]));
    assert_eq!(
        (j["vault_file"]["header"].as_str(), j["vault_file"]["valid_slots"].as_u64()),
        (Some("damaged"), Some(0))
    );
}

#[test]
fn help_lists_the_command() {
    let d = tempfile::tempdir().unwrap();
    let help = ok(run(d.path(), &["diagnose", "--help"]));
    for flag in ["--json", "--output", "--no-unlock", "--no-integrity", "--passphrase-file"] {
        assert!(help.contains(flag), "{flag} in {help}");
    }
}
