//! Prints what a GEDCOM file maps to (JSON, one record per line) and the import warnings:
//! `cargo run -p kinvault-interop --example gedcom-map -- FILE.ged [--export 5.5.1|7.0]`.

use kinvault_interop::gedcom::{export_records, import_records, ExportOptions, WriteVersion};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(path) = args.first() else {
        eprintln!("usage: gedcom-map FILE [--export 5.5.1|7.0]");
        std::process::exit(2);
    };
    let bytes = std::fs::read(path).unwrap_or_else(|e| {
        eprintln!("{path}: {e}");
        std::process::exit(1)
    });
    let doc = match kinvault_gedcom::read(&bytes) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(1)
        }
    };
    let imported = import_records(&doc.records);
    let export = args.iter().position(|a| a == "--export").and_then(|i| args.get(i + 1));
    if let Some(v) = export {
        let version = if v.starts_with('7') { WriteVersion::V7_0 } else { WriteVersion::V5_5_1 };
        let mut o = ExportOptions::new(version, 2026);
        o.include_living = true;
        o.include_health = true;
        let (out, _) =
            export_records(&imported.persons, &imported.families, &imported.sources, &imported.raw_records, o);
        print!("{}", String::from_utf8_lossy(&out));
        return;
    }
    let line = |v: serde_json::Result<String>| println!("{}", v.unwrap_or_default());
    imported.persons.iter().for_each(|p| line(serde_json::to_string(p)));
    imported.families.iter().for_each(|f| line(serde_json::to_string(f)));
    imported.sources.iter().for_each(|s| line(serde_json::to_string(s)));
    imported.raw_records.iter().for_each(|r| line(serde_json::to_string(r)));
    for w in doc.warnings.iter().map(|w| w.to_string()).chain(imported.summary.warnings.iter().map(|w| w.to_string())) {
        eprintln!("warning: {w}");
    }
    eprintln!("{:?}", imported.summary.counts);
}
