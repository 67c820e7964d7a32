//! `kinvault share create|open|keygen` run as a user would, and interoperability with the real
//! age command line (Debian package `age`): it decrypts our shares, and files it encrypts (to an
//! `age-keygen` key, armoured or not, or to a passphrase) open with `kinvault share open`.
//! Without `age` on PATH the interop tests print SKIPPED locally and fail in CI (CI=true).

mod common;

use common::{json, kinvault, ok};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const SHARE_PASS: &str = "share passphrase for the clinic";

fn run(dir: &Path, args: &[&str]) -> Output {
    kinvault(dir).env_remove("KINVAULT_SHARE_PASSPHRASE").args(args).output().unwrap()
}

/// The command's stderr; it must have failed.
fn fails(out: Output) -> String {
    assert!(!out.status.success(), "succeeded: {}", String::from_utf8_lossy(&out.stdout));
    String::from_utf8(out.stderr).unwrap()
}

fn path(dir: &Path, name: &str) -> String {
    dir.join(name).display().to_string()
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.display().to_string()
}

/// Tom and Mia with their daughter Ann (the proband, BRCA1 positive); Mia had breast cancer.
const FAMILY: &str = "0 HEAD\n1 GEDC\n2 VERS 5.5.1\n1 CHAR UTF-8\n\
0 @I1@ INDI\n1 NAME Tom /Lee/\n1 SEX M\n1 BIRT\n2 DATE 1950\n1 FAMS @F1@\n\
0 @I2@ INDI\n1 NAME Mia /Lee/\n1 SEX F\n1 BIRT\n2 DATE 1952\n1 DEAT\n2 DATE 2015\n1 FAMS @F1@\n\
0 @I3@ INDI\n1 NAME Ann /Lee/\n1 SEX F\n1 BIRT\n2 DATE 1980\n1 FAMC @F1@\n\
0 @F1@ FAM\n1 HUSB @I1@\n1 WIFE @I2@\n1 CHIL @I3@\n0 TRLR\n";

fn family_vault(dir: &Path) -> String {
    let vault = path(dir, "family.kinvault");
    ok(kinvault(dir).arg("init").arg(&vault).output().unwrap());
    let ged = write(dir, "family.ged", FAMILY);
    ok(run(dir, &["import", &vault, &ged]));
    let cond = ["condition", "add", &vault, "I2", "--condition", "breast-cancer", "--status", "affected"];
    ok(run(dir, &[&cond[..], &["--onset-age", "44"]].concat()));
    ok(run(dir, &["test", "add", &vault, "I3", "--gene", "BRCA1", "--result", "positive", "--acmg", "pathogenic"]));
    vault
}

/// `kinvault share keygen`: the key file's path and the public key printed.
fn keygen(dir: &Path, name: &str) -> (String, String) {
    let key = path(dir, name);
    let public = ok(run(dir, &["share", "keygen", "-o", &key])).trim().to_string();
    (key, public)
}

#[test]
fn keygen_create_and_open_with_a_key() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    let vault = family_vault(dir);
    let (key, public) = keygen(dir, "clinic.key");
    assert!(public.starts_with("age1") && public.len() == 62, "{public}");
    let text = std::fs::read_to_string(&key).unwrap();
    assert!(text.contains(&format!("# public key: {public}")) && text.contains("AGE-SECRET-KEY-1"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&key).unwrap().permissions().mode() & 0o777, 0o600);
    }
    let e = fails(run(dir, &["share", "keygen", "-o", &key]));
    assert!(e.contains("refusing to replace a key file"), "{e}");
    assert_eq!(std::fs::read_to_string(&key).unwrap(), text, "the key file is untouched");

    let share = path(dir, "family.age");
    let made =
        json(run(dir, &["share", "create", &vault, "--proband", "I3", "--recipient", &public, "-o", &share, "--json"]));
    assert_eq!(made["manifest"]["counts"]["people"], 3);
    assert_eq!(made["manifest"]["options"]["protection"], "x25519");
    assert_eq!(made["manifest"]["options"]["living_included"], true);
    let stderr = String::from_utf8(
        run(dir, &["share", "create", &vault, "--proband", "I3", "--recipient", &public, "-o", &share]).stderr,
    )
    .unwrap();
    assert!(stderr.contains("encrypted to 1 public key") && stderr.contains("health data"), "{stderr}");

    let opened = json(run(dir, &["share", "open", &share, "--identity", &key, "--json"]));
    assert_eq!(opened["manifest"]["format"], "kinvault-clinician-share");
    assert_eq!(opened["manifest"]["proband"]["label"], "Ann Lee");
    let people = opened["people"].as_array().unwrap();
    assert_eq!(people.len(), 3);
    assert_eq!(people[0]["relation"], "proband");
    assert_eq!(people[0]["tests"][0]["gene"], "BRCA1");
    let mia = people.iter().find(|p| p["name"] == "Mia Lee").unwrap();
    assert_eq!((mia["relation"].as_str(), mia["vital_status"].as_str()), (Some("mother"), Some("deceased")));
    assert_eq!(mia["death_year"], 2015);
    assert_eq!(mia["conditions"][0]["onset"], "44 y");

    let table = ok(run(dir, &["share", "open", &share, "-i", &key]));
    assert!(table.contains("proband        Ann Lee"), "{table}");
    assert!(table.contains("BRCA1 positive, pathogenic"), "{table}");
    assert!(
        table.lines().any(|l| l.contains("Mia Lee") && l.contains("deceased 2015") && l.contains("SNOMED")),
        "{table}"
    );

    let out = path(dir, "opened");
    ok(run(dir, &["share", "open", &share, "-i", &key, "--extract", &out]));
    let pdf = std::fs::read(Path::new(&out).join("report.pdf")).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    for f in [
        "manifest.json",
        "README.txt",
        "family-history.fhir.json",
        "pedigree.ga4gh.json",
        "genetic-tests.json",
        "report.html",
    ] {
        assert!(Path::new(&out).join(f).is_file(), "{f}");
    }
    let e = fails(run(dir, &["share", "open", &share, "-i", &key, "--extract", &out]));
    assert!(e.contains("extract into an empty folder"), "{e}");

    // A key that is not a recipient, no key at all, a passphrase for a key share.
    let (other, _) = keygen(dir, "other.key");
    let e = fails(run(dir, &["share", "open", &share, "-i", &other]));
    assert!(e.contains("this key cannot open the share"), "{e}");
    let e = fails(run(dir, &["share", "open", &share]));
    assert!(e.contains("--identity KEYFILE"), "{e}");
    let e = fails(run(dir, &["share", "open", &path(dir, "family.ged"), "-i", &key]));
    assert!(e.contains("not an age-encrypted file"), "{e}");
}

#[test]
fn create_refuses_bad_protection() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    let vault = family_vault(dir);
    let share = path(dir, "x.age");
    let e = fails(run(dir, &["share", "create", &vault, "--proband", "I3", "-o", &share]));
    assert!(e.contains("--recipient") && e.contains("required"), "{e}");
    let e = fails(run(dir, &["share", "create", &vault, "--proband", "I3", "--recipient", "age1nope", "-o", &share]));
    assert!(e.contains("recipient 1 is not usable"), "{e}");
    let pass = write(dir, "pass.txt", SHARE_PASS);
    let (_, public) = keygen(dir, "k.key");
    let both = [
        "share",
        "create",
        &vault,
        "--proband",
        "I3",
        "--recipient",
        &public,
        "--share-passphrase-file",
        &pass,
        "-o",
        &share,
    ];
    let e = fails(run(dir, &both));
    assert!(e.contains("cannot be used with"), "{e}");
    let short = write(dir, "short.txt", "short\n");
    let e = fails(run(
        dir,
        &["share", "create", &vault, "--proband", "I3", "--share-passphrase-file", &short, "-o", &share],
    ));
    assert!(e.contains("at least 8 characters"), "{e}");
    // No terminal and no KINVAULT_SHARE_PASSPHRASE: a clear error (the vault's passphrase in the
    // environment is never taken for the share's).
    let e = fails(run(dir, &["share", "create", &vault, "--proband", "I3", "--passphrase-prompt", "-o", &share]));
    assert!(e.contains("KINVAULT_SHARE_PASSPHRASE"), "{e}");
    assert!(!Path::new(&share).exists());
}

#[test]
fn passphrase_shares_from_a_file_or_the_environment() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    let vault = family_vault(dir);
    let pass = write(dir, "pass.txt", &format!("{SHARE_PASS}\nsecond line ignored\n"));
    let share = path(dir, "family.age");
    ok(run(dir, &["share", "create", &vault, "--proband", "I3", "--share-passphrase-file", &pass, "-o", &share]));
    let opened = json(run(dir, &["share", "open", &share, "--share-passphrase-file", &pass, "--json"]));
    assert_eq!(opened["manifest"]["options"]["protection"], "passphrase");
    let by_env = kinvault(dir)
        .env("KINVAULT_SHARE_PASSPHRASE", SHARE_PASS)
        .args(["share", "open", &share, "--json"])
        .output()
        .unwrap();
    assert_eq!(json(by_env)["manifest"], opened["manifest"]);
    let wrong = write(dir, "wrong.txt", "not the passphrase\n");
    let e = fails(run(dir, &["share", "open", &share, "--share-passphrase-file", &wrong]));
    assert!(e.contains("wrong passphrase for this share"), "{e}");
    let (key, _) = keygen(dir, "k.key");
    let e = fails(run(dir, &["share", "open", &share, "-i", &key]));
    assert!(e.contains("protected by a passphrase"), "{e}");
}

// ---------------------------------------------------------------------------------------------
// The age command line
// ---------------------------------------------------------------------------------------------

/// `name` on PATH; `None` (with a printed note) when it is missing locally; a failure in CI.
fn external_tool(name: &str, install: &str) -> Option<PathBuf> {
    let found = std::env::var_os("PATH")
        .and_then(|paths| std::env::split_paths(&paths).map(|d| d.join(name)).find(|p| p.is_file()));
    if found.is_some() {
        return found;
    }
    let ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && v != "false");
    if ci {
        panic!("{name} is not on PATH, and CI must run this check: install it ({install})");
    }
    eprintln!("SKIPPED: {name} is not on PATH, so this check did not run ({install}); in CI this fails.");
    None
}

fn age_tools() -> Option<(PathBuf, PathBuf)> {
    Some((
        external_tool("age", "Debian package age; scripts/deps.sh installs it")?,
        external_tool("age-keygen", "Debian package age; scripts/deps.sh installs it")?,
    ))
}

fn tool(program: &Path, args: &[&str]) -> Output {
    let out = Command::new(program).args(args).stdin(Stdio::null()).output().unwrap();
    assert!(out.status.success(), "{} {args:?} failed: {}", program.display(), String::from_utf8_lossy(&out.stderr));
    out
}

/// Runs `age` with `args` on a pseudo-terminal (util-linux `script`), typing `typed` — age reads
/// passphrases from the terminal only. `None` when `script` is missing.
fn age_on_a_tty(age: &Path, args: &[&str], typed: &str) -> Option<Output> {
    let script = external_tool("script", "Debian package bsdutils (util-linux)")?;
    let quote = |s: &str| format!("'{}'", s.replace('\'', r"'\''"));
    let command = std::iter::once(age.display().to_string())
        .chain(args.iter().map(|a| a.to_string()))
        .map(|a| quote(&a))
        .collect::<Vec<_>>()
        .join(" ");
    let mut child = Command::new(script)
        .args(["-qec", &command, "/dev/null"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(child.stdin.as_mut().unwrap(), typed.as_bytes()).unwrap();
    Some(child.wait_with_output().unwrap())
}

fn is_share_zip(bytes: &[u8]) -> bool {
    let has = |name: &[u8]| bytes.windows(name.len()).any(|w| w == name);
    bytes.starts_with(b"PK\x03\x04") && has(b"manifest.json") && has(b"report.pdf") && has(b"pedigree.ga4gh.json")
}

#[test]
fn the_age_cli_opens_our_shares_and_we_open_its_files() {
    let Some((age, age_keygen)) = age_tools() else { return };
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    let vault = family_vault(dir);

    // Our key and share → `age -d -i key share.age > share.zip`.
    let (key, public) = keygen(dir, "ours.key");
    let share = path(dir, "family.age");
    ok(run(dir, &["share", "create", &vault, "--proband", "I3", "--recipient", &public, "-o", &share]));
    let zip = path(dir, "share.zip");
    tool(&age, &["-d", "-i", &key, "-o", &zip, &share]);
    let plain = std::fs::read(&zip).unwrap();
    assert!(is_share_zip(&plain), "age -d gives the share's zip archive");

    // An age-keygen key; the same archive encrypted by age to it, binary and armoured.
    let theirs = path(dir, "theirs.txt");
    let made = tool(&age_keygen, &["-o", &theirs]);
    let stderr = String::from_utf8(made.stderr).unwrap();
    let their_public =
        stderr.trim().strip_prefix("Public key: ").expect("age-keygen prints the public key").to_string();
    // A share can be made to it, and to ours, at once.
    let both = path(dir, "both.age");
    ok(run(
        dir,
        &[
            "share",
            "create",
            &vault,
            "--proband",
            "I3",
            "--recipient",
            &their_public,
            "--recipient",
            &public,
            "-o",
            &both,
        ],
    ));
    tool(&age, &["-d", "-i", &theirs, "-o", &path(dir, "both.zip"), &both]);
    assert!(is_share_zip(&std::fs::read(path(dir, "both.zip")).unwrap()));

    for (name, armor) in [("by-age.age", false), ("by-age-armored.age", true)] {
        let out = path(dir, name);
        let mut args = vec!["-r", their_public.as_str(), "-o", out.as_str()];
        if armor {
            args.push("-a");
        }
        args.push(zip.as_str());
        tool(&age, &args);
        if armor {
            assert!(std::fs::read_to_string(&out).unwrap().starts_with("-----BEGIN AGE ENCRYPTED FILE-----"));
        }
        let opened = json(run(dir, &["share", "open", &out, "--identity", &theirs, "--json"]));
        assert_eq!(opened["manifest"]["proband"]["label"], "Ann Lee", "{name}");
        assert_eq!(opened["people"].as_array().unwrap().len(), 3, "{name}");
        let e = fails(run(dir, &["share", "open", &out, "--identity", &key]));
        assert!(e.contains("this key cannot open the share"), "{name}: {e}");
    }

    // A file age encrypted that is not a share.
    let note = write(dir, "note.txt", "hello");
    let enc = path(dir, "note.age");
    tool(&age, &["-r", &their_public, "-o", &enc, &note]);
    let e = fails(run(dir, &["share", "open", &enc, "--identity", &theirs]));
    assert!(e.contains("decrypts, but it is not a Kinvault share"), "{e}");
}

#[test]
fn passphrase_shares_with_the_age_cli() {
    let Some((age, _)) = age_tools() else { return };
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    let vault = family_vault(dir);
    let pass = write(dir, "pass.txt", SHARE_PASS);
    let share = path(dir, "family.age");
    ok(run(dir, &["share", "create", &vault, "--proband", "I3", "--share-passphrase-file", &pass, "-o", &share]));

    // age asks for the passphrase on the terminal: typed into a pseudo-terminal.
    let zip = path(dir, "share.zip");
    let Some(out) = age_on_a_tty(&age, &["-d", "-o", &zip, &share], &format!("{SHARE_PASS}\n")) else { return };
    assert!(out.status.success(), "age -d failed: {}", String::from_utf8_lossy(&out.stdout));
    assert!(is_share_zip(&std::fs::read(&zip).unwrap()));

    // `age -p` (passphrase typed twice) makes a file `kinvault share open` reads.
    let by_age = path(dir, "by-age.age");
    let typed = format!("{SHARE_PASS}\n{SHARE_PASS}\n");
    let Some(out) = age_on_a_tty(&age, &["-p", "-o", &by_age, &zip], &typed) else { return };
    assert!(out.status.success(), "age -p failed: {}", String::from_utf8_lossy(&out.stdout));
    let opened = json(run(dir, &["share", "open", &by_age, "--share-passphrase-file", &pass, "--json"]));
    assert_eq!(opened["manifest"]["proband"]["label"], "Ann Lee");
    let wrong = write(dir, "wrong.txt", "a wrong passphrase");
    let e = fails(run(dir, &["share", "open", &by_age, "--share-passphrase-file", &wrong]));
    assert!(e.contains("wrong passphrase"), "{e}");
}
