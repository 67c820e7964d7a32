//! Reads GEDCOM or GEDZIP files and prints what the reader saw: version, encoding, record counts,
//! warnings, and the time it took.
//!
//! `cargo run --release -p kinvault-gedcom --example gedcom-check -- FILE... [--warnings]`

use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let show = args.iter().any(|a| a == "--warnings");
    for path in args.iter().filter(|a| !a.starts_with("--")) {
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("{path}: {e}");
                continue;
            }
        };
        let start = Instant::now();
        let result = if path.to_ascii_lowercase().ends_with(".gdz") {
            kinvault_gedcom::gedzip::read(&bytes).map(|(d, _)| d).map_err(|e| e.to_string())
        } else {
            kinvault_gedcom::read(&bytes).map_err(|e| e.to_string())
        };
        let elapsed = start.elapsed();
        match result {
            Ok(doc) => {
                let indi = doc.records_tagged("INDI").count();
                let fam = doc.records_tagged("FAM").count();
                println!(
                    "{path}: GEDCOM {} ({}), {} records ({indi} INDI, {fam} FAM), {} warnings, {:.1} ms, {:.0} MB/s",
                    doc.version,
                    doc.encoding,
                    doc.records.len(),
                    doc.warnings.len(),
                    elapsed.as_secs_f64() * 1e3,
                    bytes.len() as f64 / 1e6 / elapsed.as_secs_f64().max(1e-9)
                );
                if show {
                    for w in &doc.warnings {
                        println!("  {w}");
                    }
                }
            }
            Err(e) => println!("{path}: {e}"),
        }
    }
}
