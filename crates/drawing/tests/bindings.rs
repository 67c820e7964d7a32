//! The public types export to TypeScript under distinct `Pedigree*` names (the UI's bindings
//! folder holds one file per type name, so they must not collide with existing ones).

use kinvault_drawing::*;
use ts_rs::TS;

#[test]
fn typescript_bindings_export() {
    let dir = std::env::temp_dir().join(format!("kv-drawing-bindings-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    DrawingInput::export_all_to(&dir).unwrap();
    Drawing::export_all_to(&dir).unwrap();
    let mut names: Vec<String> =
        std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    let _ = std::fs::remove_dir_all(&dir);
    for n in &names {
        assert!(n.starts_with("Pedigree") || n == "Sex.ts" || n == "Zygosity.ts", "{n}");
    }
    for want in ["PedigreeDrawingInput.ts", "PedigreeLayout.ts", "PedigreeSymbol.ts", "PedigreeSegment.ts"] {
        assert!(names.iter().any(|n| n == want), "{want} in {names:?}");
    }
}
