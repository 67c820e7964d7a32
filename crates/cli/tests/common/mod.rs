//! Helpers shared by the CLI test suites that run `kinvault` with a passphrase in the
//! environment (gedcom.rs, graph.rs, clinical.rs). Each suite uses a subset.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub const PASS: &str = "correct horse battery staple";

/// The real binary, with the passphrase in the environment and a private data folder.
pub fn kinvault(data_dir: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_kinvault"));
    c.env_remove("KINVAULT_NEW_PASSPHRASE")
        .env_remove("KINVAULT_RECOVERY_KEY")
        .env("KINVAULT_PASSPHRASE", PASS)
        .env("KINVAULT_DATA_DIR", data_dir)
        .stdin(Stdio::null());
    c
}

/// The command's stdout; it must have succeeded.
pub fn ok(out: Output) -> String {
    assert!(out.status.success(), "failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// The command's stdout as JSON; it must have succeeded.
pub fn json(out: Output) -> serde_json::Value {
    // Records with deep raw GEDCOM structures print JSON deeper than serde_json's default limit.
    let text = ok(out);
    let mut de = serde_json::Deserializer::from_str(&text);
    de.disable_recursion_limit();
    serde::Deserialize::deserialize(&mut de).unwrap()
}

/// A file of the GEDCOM conformance corpus.
pub fn conformance(rel: &str) -> PathBuf {
    kinvault_testkit::conformance_dir().join(rel)
}
