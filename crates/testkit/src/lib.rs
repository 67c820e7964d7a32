//! Test helpers shared by several crates' test suites. A dev-dependency only; never shipped.
//! [`alloc`]: the counting allocator and RSS reading of the memory tests.

use std::path::{Path, PathBuf};

pub mod alloc;

/// The GEDCOM conformance corpus: `$KINVAULT_CONFORMANCE_DIR`, else
/// `<workspace>/../shared/conformance/gedcom`. Panics (failing the test) when it is missing: CI
/// has it there, and a silent skip would hide that.
pub fn conformance_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("KINVAULT_CONFORMANCE_DIR") {
        let dir = PathBuf::from(dir);
        assert!(dir.is_dir(), "KINVAULT_CONFORMANCE_DIR={} is not a directory", dir.display());
        return dir;
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance/gedcom");
    assert!(
        dir.is_dir(),
        "GEDCOM conformance corpus not found at {} (the workspace root's ../shared/conformance/gedcom); \
         set KINVAULT_CONFORMANCE_DIR to its location",
        dir.display()
    );
    dir.canonicalize().unwrap_or(dir)
}

/// Every file under `dir`, recursively, sorted.
pub fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else { continue };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Every `.ged` and `.gdz` file of the corpus at `root`, sorted. Asserts there are at least 100,
/// so a wrong directory fails instead of testing nothing.
pub fn gedcom_files(root: &Path) -> Vec<PathBuf> {
    let files: Vec<_> = walk(root).into_iter().filter(|p| matches!(extension(p).as_str(), "ged" | "gdz")).collect();
    assert!(files.len() >= 100, "only {} GEDCOM files under {}: wrong directory?", files.len(), root.display());
    files
}

/// The lower-cased extension of a path ("" if none).
pub fn extension(p: &Path) -> String {
    p.extension().and_then(|e| e.to_str()).unwrap_or_default().to_ascii_lowercase()
}

/// A corpus path relative to its root, for messages and allow-lists.
pub fn rel(root: &Path, p: &Path) -> String {
    p.strip_prefix(root).unwrap_or(p).to_string_lossy().replace('\\', "/")
}
