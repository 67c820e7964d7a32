//! Writes the sample clinician report (a three-generation family with hereditary breast and
//! ovarian cancer, a cystic fibrosis carrier and colorectal cancer; a small hand-written pedigree
//! SVG) as `sample_report.html` and `sample_report.pdf` into the directory given as the first
//! argument (default: the current directory).
//!
//! `cargo run -p kinvault-report --example sample_report -- /tmp/report`
//!
//! `--names-hidden` writes the same report with names removed, as the API would;
//! `--extra-relatives N` adds N synthetic relatives (a long, multi-page relatives table);
//! `--pedigree FILE.svg` uses another pedigree drawing (e.g. one from kinvault-drawing's
//! `reference_family` example) instead of the hand-written one.

#[path = "../tests/common/mod.rs"]
mod common;

use kinvault_report::NamePrivacy;
use std::path::PathBuf;

fn main() {
    let mut dir = PathBuf::from(".");
    let mut hidden = false;
    let mut extra = 0;
    let mut pedigree = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--names-hidden" {
            hidden = true;
        } else if arg == "--extra-relatives" {
            extra = match args.next().and_then(|n| n.parse().ok()) {
                Some(n) => n,
                None => {
                    eprintln!("--extra-relatives needs a number");
                    std::process::exit(2);
                }
            };
        } else if arg == "--pedigree" {
            let Some(path) = args.next() else {
                eprintln!("--pedigree needs a file");
                std::process::exit(2);
            };
            match std::fs::read_to_string(&path) {
                Ok(svg) => pedigree = Some(svg),
                Err(e) => {
                    eprintln!("cannot read {path}: {e}");
                    std::process::exit(1);
                }
            }
        } else {
            dir = PathBuf::from(arg);
        }
    }
    let mut report = common::long_report(extra);
    if let Some(svg) = pedigree {
        report.pedigree_svg = svg;
    }
    if hidden {
        report.privacy = NamePrivacy::NamesHidden;
        report.proband.label = "Proband".into();
        for r in &mut report.relatives {
            r.name = None;
        }
    }
    if let Err(e) = std::fs::create_dir_all(&dir) {
        eprintln!("cannot create {}: {e}", dir.display());
        std::process::exit(1);
    }
    let html = kinvault_report::to_html(&report);
    let pdf = match kinvault_report::to_pdf(&report) {
        Ok(pdf) => pdf,
        Err(e) => {
            eprintln!("cannot make the PDF: {e}");
            std::process::exit(1);
        }
    };
    for (name, bytes) in [("sample_report.html", html.as_bytes()), ("sample_report.pdf", &pdf[..])] {
        let path = dir.join(name);
        if let Err(e) = std::fs::write(&path, bytes) {
            eprintln!("cannot write {}: {e}", path.display());
            std::process::exit(1);
        }
        println!("{} ({} bytes)", path.display(), bytes.len());
    }
}
