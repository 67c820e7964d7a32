//! Writes the reference pedigree — a 4-generation family with every symbol, line and label the
//! drawing has — as SVG to the path given as the first argument (default
//! `reference_family.svg`), and prints a short summary of the layout.
//!
//! `cargo run -p kinvault-drawing --example reference_family -- /tmp/reference.svg`

#[path = "../tests/common/mod.rs"]
mod common;

fn main() {
    let path = std::env::args().nth(1).unwrap_or_else(|| "reference_family.svg".into());
    let input = common::reference_family();
    let drawing = match kinvault_drawing::draw(&input) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("cannot draw the reference family: {e}");
            std::process::exit(1);
        }
    };
    if let Err(e) = std::fs::write(&path, &drawing.svg) {
        eprintln!("cannot write {path}: {e}");
        std::process::exit(1);
    }
    let l = &drawing.layout;
    println!(
        "{path}: {} people in {} generations, {} line segments, {:.0} x {:.0}",
        l.symbols.len(),
        l.rows.len(),
        l.segments.len(),
        l.width,
        l.height
    );
    for row in &l.rows {
        println!("  {:>4}: {}", row.numeral, row.ids.join(" "));
    }
}
