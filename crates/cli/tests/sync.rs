//! `kinvault sync` as a user runs it, against the real server over a throwaway PostgreSQL:
//! create an account, join from a second vault with the join code, sync both ways, status,
//! conflicts, leave; and the refusals (plain http to another machine, no server given, a
//! second server) that change nothing.

mod common;

use common::{json, kinvault, ok};
use kinvault_server::testing::BlockingServer;
use std::path::Path;

fn init(dir: &Path, name: &str) -> String {
    let vault = dir.join(name);
    ok(kinvault(dir).arg("init").arg(&vault).output().unwrap());
    vault.to_str().unwrap().to_string()
}

fn add(dir: &Path, vault: &str, given: &str, surname: &str) {
    ok(kinvault(dir).args(["person", "add", vault, "--given", given, "--surname", surname]).output().unwrap());
}

fn names(dir: &Path, vault: &str) -> Vec<String> {
    let list = json(kinvault(dir).args(["person", "list", vault, "--json"]).output().unwrap());
    let mut out: Vec<String> =
        list["items"].as_array().unwrap().iter().map(|p| p["display_name"].as_str().unwrap().to_string()).collect();
    out.sort();
    out
}

#[test]
fn create_join_sync_status_and_leave() {
    let server = BlockingServer::start().unwrap();
    let url = server.base_url();
    let d = tempfile::tempdir().unwrap();
    let (a, b) = (init(d.path(), "laptop.kinvault"), init(d.path(), "desktop.kinvault"));
    add(d.path(), &a, "Eleanor", "Marchbanks");

    // Sync is off, and says how to turn it on.
    let status = json(kinvault(d.path()).args(["sync", &a, "--status", "--json"]).output().unwrap());
    assert_eq!(status["enabled"], false);
    let out = kinvault(d.path()).args(["sync", &a]).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--server URL"));

    // Create: the join code on stdout (one line), the explanation on stderr.
    let out = kinvault(d.path()).args(["sync", &a, "--server", &url]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    let code = ok(out).trim().to_string();
    assert!(code.starts_with("KVSYNC1-"), "{code}");
    assert!(stderr.contains("join code"), "{stderr}");
    assert!(stderr.contains("Synced"), "{stderr}");

    // Join from the second vault: the code from the environment, never from argv.
    let joined = json(
        kinvault(d.path())
            .args(["sync", &b, "--server", &url, "--join", "--json"])
            .env("KINVAULT_SYNC_CODE", &code)
            .output()
            .unwrap(),
    );
    assert!(joined["join_code"].is_null());
    assert!(joined["sync_error"].is_null());
    assert!(joined["report"]["applied_changes"].as_u64().unwrap() >= 1, "{joined}");
    assert_eq!(names(d.path(), &b), names(d.path(), &a));

    // Both ways afterwards, with plain `kinvault sync VAULT`.
    add(d.path(), &b, "Tobias", "Marchbanks");
    let pushed = json(kinvault(d.path()).args(["sync", &b, "--json"]).output().unwrap());
    assert!(pushed["pushed_changes"].as_u64().unwrap() >= 1, "{pushed}");
    ok(kinvault(d.path()).args(["sync", &a]).output().unwrap());
    let both = names(d.path(), &a);
    assert_eq!(both.len(), 2, "{both:?}");
    assert_eq!(both, names(d.path(), &b));

    let status = json(kinvault(d.path()).args(["sync", &a, "--status", "--json"]).output().unwrap());
    assert_eq!(status["enabled"], true);
    assert_eq!(status["server"], url.as_str());
    assert_eq!(status["outbox"], 0);
    assert!(status["last_sync_at"].as_i64().unwrap() > 0);
    assert!(status["last_error"].is_null());
    let text = ok(kinvault(d.path()).args(["sync", &a, "--status"]).output().unwrap());
    assert!(text.contains("waiting to send    0"), "{text}");
    assert_eq!(ok(kinvault(d.path()).args(["sync", &a, "--show-code"]).output().unwrap()).trim(), code);
    let conflicts = json(kinvault(d.path()).args(["sync", &a, "--conflicts", "--json"]).output().unwrap());
    assert_eq!(conflicts.as_array().unwrap().len(), 0);
    let out = kinvault(d.path()).args(["sync", &a, "--resolve", "99"]).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no open sync conflict 99"));

    // Another server is refused while this one is set; leaving keeps the data.
    let out = kinvault(d.path()).args(["sync", &a, "--server", "https://other.example.org"]).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--leave"));
    ok(kinvault(d.path()).args(["sync", &a, "--leave"]).output().unwrap());
    let status = json(kinvault(d.path()).args(["sync", &a, "--status", "--json"]).output().unwrap());
    assert_eq!(status["enabled"], false);
    assert_eq!(names(d.path(), &a).len(), 2);
}

#[test]
fn plain_http_to_another_machine_and_bad_join_codes_are_refused_before_any_change() {
    let d = tempfile::tempdir().unwrap();
    let a = init(d.path(), "a.kinvault");
    let out = kinvault(d.path()).args(["sync", &a, "--server", "http://sync.example.org"]).output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("https://"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
    let out = kinvault(d.path())
        .args(["sync", &a, "--server", "http://127.0.0.1:9", "--join"])
        .env("KINVAULT_SYNC_CODE", "KVSYNC1-1234")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a valid join code"));
    let status = json(kinvault(d.path()).args(["sync", &a, "--status", "--json"]).output().unwrap());
    assert_eq!(status["enabled"], false);
}
