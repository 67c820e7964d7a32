//! Runs the real `kinvault` binary the way a user or a script would.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const PASS: &str = "correct horse battery staple";

fn kinvault(data_dir: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_kinvault"));
    c.env_remove("KINVAULT_PASSPHRASE")
        .env_remove("KINVAULT_NEW_PASSPHRASE")
        .env_remove("KINVAULT_RECOVERY_KEY")
        .env("KINVAULT_DATA_DIR", data_dir)
        .stdin(Stdio::null());
    c
}

fn ok(out: Output) -> String {
    assert!(out.status.success(), "failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn setup() -> (tempfile::TempDir, PathBuf) {
    let d = tempfile::tempdir().unwrap();
    let vault = d.path().join("fam.kinvault");
    let out = kinvault(d.path()).args(["init"]).arg(&vault).env("KINVAULT_PASSPHRASE", PASS).output().unwrap();
    let key = ok(out);
    assert_eq!(key.trim().split('-').count(), 16, "init prints the recovery key: {key}");
    std::fs::write(d.path().join("recovery.txt"), key.trim()).unwrap();
    (d, vault)
}

#[test]
fn person_add_list_show_stats_check() {
    let (d, vault) = setup();
    let run = |args: &[&str]| kinvault(d.path()).args(args).env("KINVAULT_PASSPHRASE", PASS).output().unwrap();
    let v = vault.to_str().unwrap();
    let id = ok(run(&[
        "person",
        "add",
        v,
        "--given",
        "Ada",
        "--surname",
        "Lovelace",
        "--sex",
        "F",
        "--birth",
        "10 DEC 1815",
        "--death",
        "27 NOV 1852",
    ]));
    let id = id.trim();
    assert_eq!(uuid_version(id), 7, "ids are UUIDv7: {id}");
    ok(run(&["person", "add", v, "--given", "Charles", "--surname", "Babbage", "--sex", "m"]));

    let list: serde_json::Value =
        serde_json::from_str(&ok(run(&["person", "list", v, "--search", "love", "--json"]))).unwrap();
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["id"], id);
    assert_eq!(list["items"][0]["birth_year"], 1815);

    let show: serde_json::Value = serde_json::from_str(&ok(run(&["person", "show", v, id, "--json"]))).unwrap();
    assert_eq!(show["names"][0]["surname"], "Lovelace");
    assert_eq!(show["sex"], "F");
    assert_eq!(show["events"][0]["date"]["original"], "10 DEC 1815");

    let stats: serde_json::Value = serde_json::from_str(&ok(run(&["stats", v, "--json"]))).unwrap();
    assert_eq!(stats["individuals"], 2);
    assert_eq!(stats["families"], 0);
    assert_eq!(stats["changes"], 2);

    assert_eq!(ok(run(&["check", v])).trim(), "ok");
    let check: serde_json::Value = serde_json::from_str(&ok(run(&["check", v, "--json"]))).unwrap();
    assert_eq!(check["ok"], true);

    ok(run(&["person", "delete", v, id]));
    let stats: serde_json::Value = serde_json::from_str(&ok(run(&["stats", v, "--json"]))).unwrap();
    assert_eq!(stats["individuals"], 1);
}

fn uuid_version(id: &str) -> u32 {
    id.chars().nth(14).and_then(|c| c.to_digit(16)).unwrap_or(0)
}

#[test]
fn failures_are_one_line_with_nonzero_exit() {
    let (d, vault) = setup();
    let v = vault.to_str().unwrap();
    let out = kinvault(d.path()).args(["stats", v]).env("KINVAULT_PASSPHRASE", "wrong wrong wrong").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.trim(), "kinvault: wrong passphrase");

    let out = kinvault(d.path()).args(["stats", v]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("set KINVAULT_PASSPHRASE"),
        "no TTY, no env: says what to do"
    );

    let out = kinvault(d.path())
        .args(["person", "add", v, "--given", "A", "--birth", "31 FEB 1900"])
        .env("KINVAULT_PASSPHRASE", PASS)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.starts_with("kinvault: birth date \"31 FEB 1900\""), "{err}");
    assert_eq!(err.trim().lines().count(), 1);

    let out = kinvault(d.path()).args(["person", "show", v, "@I9@"]).env("KINVAULT_PASSPHRASE", PASS).output().unwrap();
    assert_eq!(out.status.code(), Some(1));

    let out = kinvault(d.path())
        .args(["stats", d.path().join("nope.kinvault").to_str().unwrap()])
        .env("KINVAULT_PASSPHRASE", PASS)
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("kinvault: no vault at"));

    // The passphrase is never accepted on the command line.
    let out = kinvault(d.path()).args(["stats", v, "--passphrase", PASS]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "clap rejects the unknown option");
}

#[test]
fn passwd_and_recover() {
    let (d, vault) = setup();
    let v = vault.to_str().unwrap();
    let newfile = d.path().join("new.txt");
    std::fs::write(&newfile, "second passphrase\n").unwrap();
    ok(kinvault(d.path())
        .args(["passwd", v, "--new-passphrase-file"])
        .arg(&newfile)
        .env("KINVAULT_PASSPHRASE", PASS)
        .output()
        .unwrap());
    let old = kinvault(d.path()).args(["stats", v]).env("KINVAULT_PASSPHRASE", PASS).output().unwrap();
    assert!(!old.status.success());
    // --passphrase-file strips the trailing newline.
    ok(kinvault(d.path()).args(["stats", v, "--passphrase-file"]).arg(&newfile).output().unwrap());

    ok(kinvault(d.path())
        .args(["recover", v, "--recovery-key-file"])
        .arg(d.path().join("recovery.txt"))
        .env("KINVAULT_NEW_PASSPHRASE", "third passphrase")
        .output()
        .unwrap());
    ok(kinvault(d.path()).args(["stats", v]).env("KINVAULT_PASSPHRASE", "third passphrase").output().unwrap());
}

#[test]
fn help_everywhere() {
    let d = tempfile::tempdir().unwrap();
    for args in [vec!["--help"], vec!["person", "--help"], vec!["person", "add", "--help"], vec!["init", "--help"]] {
        let out = ok(kinvault(d.path()).args(&args).output().unwrap());
        assert!(out.contains("Usage:"), "{args:?}");
    }
}

#[test]
fn default_vault_location_comes_from_the_data_dir() {
    let d = tempfile::tempdir().unwrap();
    ok(kinvault(d.path()).args(["init"]).env("KINVAULT_PASSPHRASE", PASS).output().unwrap());
    assert!(d.path().join("family.kinvault").is_file());
    let vault = d.path().join("family.kinvault");
    let stats = ok(kinvault(d.path())
        .arg("stats")
        .arg(&vault)
        .arg("--json")
        .env("KINVAULT_PASSPHRASE", PASS)
        .output()
        .unwrap());
    assert!(stats.contains("\"individuals\": 0"));
}
