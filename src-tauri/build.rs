//! The config lives at the top level (tauri.conf.json), not beside this crate: point
//! tauri-build at it, and list the app's commands so each gets a permission that the
//! capability in capabilities/ grants explicitly (least privilege).

const COMMANDS: &[&str] = &[
    "app_info",
    "vault_status",
    "create_vault",
    "open_vault",
    "recover_vault",
    "change_passphrase",
    "lock_vault",
    "touch",
    "set_idle_lock_seconds",
    "vault_info",
    "check_vault",
    "list_people",
    "get_person",
    "add_person",
    "update_person",
    "delete_person",
    "pick_vault_path",
    "import_gedcom",
    "export_gedcom",
    "cancel_transfer",
    "pick_import_file",
    "pick_export_path",
    "save_text_file",
    "save_binary_file",
    "catalog",
    "search_catalog",
    "add_condition",
    "add_genetic_test",
    "import_family_file",
    "export_family_file",
    "find_person_ref",
    "relate",
    "inbreeding",
    "chart",
    "graph_report",
    "save_user_condition",
    "delete_user_condition",
    "questionnaire",
    "save_questionnaire",
    "person_risk",
    "couple_risk",
    "consanguinity",
    "family_overview",
    "pedigree_drawing",
    "clinician_report",
    "person_families",
    "save_family",
    "delete_family",
    "create_share",
    "open_share",
    "generate_share_identity",
    "pick_share_file",
    "sync_status",
    "sync_setup",
    "sync_now",
    "sync_join_code",
    "sync_leave",
    "sync_conflicts",
    "resolve_sync_conflict",
    "memory_status",
    "set_memory_alert_mb",
    "diagnostics",
];

fn main() {
    let attrs = tauri_build::Attributes::new()
        .config_path("../tauri.conf.json")
        .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    if let Err(e) = tauri_build::try_build(attrs) {
        panic!("tauri-build failed: {e:#}");
    }
}
