//! The Kinvault desktop shell. Glue only: each command forwards to `kinvault_api::App` on a
//! blocking thread (Argon2id and SQLite must not stall the UI thread) and returns its result.
//! No domain logic lives here.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use kinvault_api::model::Person;
use kinvault_api::*;
use serde::Serialize;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tauri::{AppHandle, Emitter, Manager, State};
use tauri_plugin_dialog::DialogExt;

type Shared<'a> = State<'a, Arc<App>>;

/// Set by `cancel_transfer`, read by the progress callback of a running import or export.
#[derive(Default)]
struct CancelFlag(Arc<AtomicBool>);

/// Runs `f` on the blocking pool with the shared app.
async fn blocking<T: Send + 'static>(
    app: &Shared<'_>,
    f: impl FnOnce(&App) -> Result<T> + Send + 'static,
) -> Result<T> {
    let app = Arc::clone(app);
    tauri::async_runtime::spawn_blocking(move || f(&app))
        .await
        .map_err(|e| ApiError::new(ErrorKind::Internal, format!("background task failed: {e}")))?
}

#[derive(Clone, Serialize)]
struct LockedEvent {
    reason: &'static str,
}

#[tauri::command]
async fn app_info(app: Shared<'_>) -> Result<AppInfo> {
    blocking(&app, |a| Ok(a.info())).await
}

#[tauri::command]
async fn vault_status(app: Shared<'_>) -> Result<VaultStatus> {
    blocking(&app, |a| Ok(a.status())).await
}

#[tauri::command]
async fn create_vault(app: Shared<'_>, req: CreateVaultRequest) -> Result<CreatedVault> {
    blocking(&app, move |a| a.create_vault(&req)).await
}

#[tauri::command]
async fn open_vault(app: Shared<'_>, req: OpenVaultRequest) -> Result<VaultInfo> {
    blocking(&app, move |a| a.open_vault(&req)).await
}

#[tauri::command]
async fn recover_vault(app: Shared<'_>, req: RecoverVaultRequest) -> Result<VaultInfo> {
    blocking(&app, move |a| a.recover_vault(&req)).await
}

#[tauri::command]
async fn change_passphrase(app: Shared<'_>, req: ChangePassphraseRequest) -> Result<()> {
    blocking(&app, move |a| a.change_passphrase(&req)).await
}

#[tauri::command]
async fn lock_vault(app: Shared<'_>, handle: AppHandle) -> Result<()> {
    blocking(&app, |a| {
        a.lock();
        Ok(())
    })
    .await?;
    let _ = handle.emit("vault-locked", LockedEvent { reason: "manual" });
    Ok(())
}

#[tauri::command]
async fn touch(app: Shared<'_>) -> Result<()> {
    blocking(&app, |a| a.touch()).await
}

#[tauri::command]
async fn set_idle_lock_seconds(app: Shared<'_>, seconds: u32) -> Result<AppInfo> {
    blocking(&app, move |a| a.set_idle_lock_seconds(seconds)).await
}

#[tauri::command]
async fn vault_info(app: Shared<'_>) -> Result<VaultInfo> {
    blocking(&app, |a| a.vault_info()).await
}

#[tauri::command]
async fn check_vault(app: Shared<'_>) -> Result<IntegrityReport> {
    blocking(&app, |a| a.check()).await
}

#[tauri::command]
async fn list_people(app: Shared<'_>, query: PeopleQuery) -> Result<PeoplePage> {
    blocking(&app, move |a| a.list_people(&query)).await
}

#[tauri::command]
async fn get_person(app: Shared<'_>, id: String) -> Result<Person> {
    blocking(&app, move |a| a.get_person(&id)).await
}

#[tauri::command]
async fn add_person(app: Shared<'_>, person: NewPerson) -> Result<Person> {
    blocking(&app, move |a| a.add_person(&person)).await
}

#[tauri::command]
async fn update_person(app: Shared<'_>, person: Person) -> Result<Person> {
    blocking(&app, move |a| a.update_person(person)).await
}

#[tauri::command]
async fn delete_person(app: Shared<'_>, id: String) -> Result<()> {
    blocking(&app, move |a| a.delete_person(&id)).await
}

/// A person by id or GEDCOM xref (`I12`, `@I12@`), e.g. to check what the user typed.
#[tauri::command]
async fn find_person_ref(app: Shared<'_>, reference: String) -> Result<PersonRef> {
    blocking(&app, move |a| a.find_person_ref(&reference)).await
}

/// How `b` is related to `a`, with the kinship coefficients. The first graph query of a session
/// builds the family graph (seconds on a very large vault).
#[tauri::command]
async fn catalog(app: Shared<'_>) -> Result<catalog::CatalogData> {
    blocking(&app, |a| a.catalog()).await
}

#[tauri::command]
async fn search_catalog(app: Shared<'_>, query: String) -> Result<Vec<catalog::ConditionDef>> {
    blocking(&app, move |a| a.search_catalog(&query)).await
}

#[tauri::command]
async fn save_user_condition(app: Shared<'_>, def: catalog::ConditionDef) -> Result<catalog::ConditionDef> {
    blocking(&app, move |a| a.save_user_condition(def)).await
}

#[tauri::command]
async fn delete_user_condition(app: Shared<'_>, id: String) -> Result<()> {
    blocking(&app, move |a| a.delete_user_condition(&id)).await
}

#[tauri::command]
async fn questionnaire(app: Shared<'_>, proband: String) -> Result<history::Questionnaire> {
    blocking(&app, move |a| a.questionnaire(&proband)).await
}

/// Genetic risk for one person, every number explained (builds the family graph on first use).
#[tauri::command]
async fn person_risk(app: Shared<'_>, req: risk::RiskRequest) -> Result<risk::RiskReport> {
    blocking(&app, move |a| a.risk(&req)).await
}

#[tauri::command]
async fn couple_risk(
    app: Shared<'_>,
    a: String,
    b: String,
    condition: String,
    horizon: Option<f64>,
) -> Result<risk::CoupleRiskReport> {
    blocking(&app, move |x| x.couple_risk(&a, &b, &condition, horizon)).await
}

#[tauri::command]
async fn consanguinity(app: Shared<'_>, a: String, b: String) -> Result<risk::ConsanguinityReport> {
    blocking(&app, move |x| x.consanguinity(&a, &b)).await
}

#[tauri::command]
async fn family_overview(app: Shared<'_>, proband: String) -> Result<risk::FamilyOverview> {
    blocking(&app, move |a| a.family_overview(&proband)).await
}

/// The clinical (NSGC) pedigree around a proband, as SVG.
#[tauri::command]
async fn pedigree_drawing(
    app: Shared<'_>,
    req: pedigree_drawing::PedigreeRequest,
) -> Result<pedigree_drawing::PedigreeDrawing> {
    blocking(&app, move |a| a.pedigree_drawing(&req)).await
}

/// The clinician report of a proband as PDF or HTML, base64-encoded for `save_binary_file`.
#[tauri::command]
async fn clinician_report(
    app: Shared<'_>,
    req: report::ReportRequest,
    format: report::ReportFormat,
) -> Result<report::ReportFile> {
    use base64::Engine as _;
    blocking(&app, move |a| {
        let bytes = a.clinician_report(&req, format)?;
        let ext = match format {
            report::ReportFormat::Pdf => "pdf",
            report::ReportFormat::Html => "html",
        };
        Ok(report::ReportFile {
            file_name: format!("family-report.{ext}"),
            base64: base64::engine::general_purpose::STANDARD.encode(bytes),
        })
    })
    .await
}

/// The families a person belongs to, with their members' names.
#[tauri::command]
async fn person_families(app: Shared<'_>, person: String) -> Result<families::PersonFamilies> {
    blocking(&app, move |a| a.person_families(&person)).await
}

/// Saves a family (new or changed); refused if someone would become their own ancestor.
#[tauri::command]
async fn save_family(app: Shared<'_>, family: kinvault_api::model::Family) -> Result<kinvault_api::model::Family> {
    blocking(&app, move |a| a.save_family(family)).await
}

#[tauri::command]
async fn delete_family(app: Shared<'_>, id: String) -> Result<()> {
    blocking(&app, move |a| a.delete_family(&id)).await
}

#[tauri::command]
async fn save_questionnaire(
    app: Shared<'_>,
    questionnaire: history::Questionnaire,
) -> Result<history::QuestionnaireSaved> {
    blocking(&app, move |a| a.save_questionnaire(&questionnaire)).await
}

#[tauri::command]
async fn add_condition(app: Shared<'_>, person: String, req: AddCondition) -> Result<Person> {
    blocking(&app, move |a| a.add_condition(&person, &req)).await
}

#[tauri::command]
async fn add_genetic_test(app: Shared<'_>, person: String, req: AddGeneticTest) -> Result<Person> {
    blocking(&app, move |a| a.add_genetic_test(&person, &req)).await
}

#[tauri::command]
async fn import_family_file(app: Shared<'_>, path: String, options: FamilyImportOptions) -> Result<FamilyImportReport> {
    blocking(&app, move |a| a.import_family_file(&path, &options)).await
}

#[tauri::command]
async fn export_family_file(app: Shared<'_>, req: ExportFamilyRequest) -> Result<FamilyExportReport> {
    blocking(&app, move |a| a.export_family_file(&req)).await
}

#[tauri::command]
async fn relate(app: Shared<'_>, a: String, b: String) -> Result<RelateResult> {
    blocking(&app, move |x| x.relate(&a, &b)).await
}

#[tauri::command]
async fn inbreeding(app: Shared<'_>, person: String) -> Result<InbreedingResult> {
    blocking(&app, move |a| a.inbreeding(&person)).await
}

/// Pedigree, descendants, hourglass or fan chart data.
#[tauri::command]
async fn chart(app: Shared<'_>, req: ChartRequest) -> Result<Chart> {
    blocking(&app, move |a| a.chart(&req)).await
}

#[tauri::command]
async fn graph_report(app: Shared<'_>) -> Result<GraphReport> {
    blocking(&app, |a| a.graph_report()).await
}

/// A progress callback that forwards to the UI as `transfer-progress` events and stops when
/// the user cancels.
fn progress_to_ui(handle: AppHandle, cancel: Arc<AtomicBool>) -> impl Fn(ProgressPhase, u64, u64) -> bool {
    cancel.store(false, Ordering::SeqCst);
    move |phase, done, total| {
        let _ = handle.emit("transfer-progress", ProgressEvent { phase, done, total });
        !cancel.load(Ordering::SeqCst)
    }
}

#[tauri::command]
async fn import_gedcom(
    app: Shared<'_>,
    cancel: State<'_, CancelFlag>,
    handle: AppHandle,
    path: String,
) -> Result<ImportReport> {
    let progress = progress_to_ui(handle, Arc::clone(&cancel.0));
    blocking(&app, move |a| a.import_gedcom(&path, &progress)).await
}

#[tauri::command]
async fn export_gedcom(
    app: Shared<'_>,
    cancel: State<'_, CancelFlag>,
    handle: AppHandle,
    req: ExportRequest,
) -> Result<ExportReport> {
    let progress = progress_to_ui(handle, Arc::clone(&cancel.0));
    blocking(&app, move |a| a.export_gedcom(&req, &progress)).await
}

#[tauri::command]
fn cancel_transfer(cancel: State<'_, CancelFlag>) {
    cancel.0.store(true, Ordering::SeqCst);
}

/// Runs a native file dialog off the main thread.
async fn dialog<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T> {
    tauri::async_runtime::spawn_blocking(f)
        .await
        .map_err(|e| ApiError::new(ErrorKind::Internal, format!("file dialog failed: {e}")))
}

/// Debug builds only: the end-to-end suite cannot drive native GTK file dialogs, so an
/// environment variable answers the dialog instead (the path the user would have picked).
/// Release builds never read it.
fn e2e_answer(var: &str) -> Option<String> {
    if cfg!(debug_assertions) {
        std::env::var(var).ok().filter(|v| !v.is_empty())
    } else {
        None
    }
}

#[tauri::command]
async fn pick_import_file(handle: AppHandle) -> Result<Option<String>> {
    if let Some(path) = e2e_answer("KINVAULT_E2E_IMPORT_FILE") {
        return Ok(Some(path));
    }
    dialog(move || {
        handle
            .dialog()
            .file()
            .add_filter("GEDCOM", &["ged", "gdz", "GED", "GDZ"])
            .blocking_pick_file()
            .and_then(|p| p.into_path().ok())
            .map(|p| p.display().to_string())
    })
    .await
}

#[tauri::command]
async fn pick_export_path(handle: AppHandle, format: ExportFormat) -> Result<Option<String>> {
    let (name, ext) = match format {
        ExportFormat::Gedzip => ("family.gdz", "gdz"),
        _ => ("family.ged", "ged"),
    };
    dialog(move || {
        handle
            .dialog()
            .file()
            .add_filter("GEDCOM", &[ext])
            .set_file_name(name)
            .blocking_save_file()
            .and_then(|p| p.into_path().ok())
            .map(|p| p.display().to_string())
    })
    .await
}

/// Saves a text the UI produced (e.g. an import warnings report) where the user chooses.
#[tauri::command]
async fn save_text_file(handle: AppHandle, suggested_name: String, text: String) -> Result<Option<String>> {
    let path = dialog(move || {
        handle.dialog().file().set_file_name(&suggested_name).blocking_save_file().and_then(|p| p.into_path().ok())
    })
    .await?;
    let Some(path) = path else { return Ok(None) };
    std::fs::write(&path, text)
        .map_err(|e| ApiError::new(ErrorKind::Io, format!("could not write {}: {e}", path.display())))?;
    Ok(Some(path.display().to_string()))
}

/// Saves bytes the UI produced (a chart as PNG), given base64-encoded, where the user chooses.
#[tauri::command]
async fn save_binary_file(handle: AppHandle, suggested_name: String, base64: String) -> Result<Option<String>> {
    use base64::Engine as _;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(base64.trim())
        .map_err(|e| ApiError::invalid(format!("the file content is not valid base64: {e}")))?;
    let path = dialog(move || {
        handle.dialog().file().set_file_name(&suggested_name).blocking_save_file().and_then(|p| p.into_path().ok())
    })
    .await?;
    let Some(path) = path else { return Ok(None) };
    std::fs::write(&path, bytes)
        .map_err(|e| ApiError::new(ErrorKind::Io, format!("could not write {}: {e}", path.display())))?;
    Ok(Some(path.display().to_string()))
}

/// An encrypted share for a clinician, base64-encoded for `save_binary_file`.
#[tauri::command]
async fn create_share(app: Shared<'_>, req: share::ShareRequest) -> Result<share::ShareFile> {
    blocking(&app, move |a| a.create_share(&req)).await
}

/// Opens a share read-only (needs no vault and writes to none).
#[tauri::command]
async fn open_share(req: share::OpenShareRequest) -> Result<share::OpenedShareView> {
    tauri::async_runtime::spawn_blocking(move || share::open_share_request(&req))
        .await
        .map_err(|e| ApiError::new(ErrorKind::Internal, format!("background task failed: {e}")))?
}

/// Makes an age key pair: the secret key goes to a new file the user picks (owner-only, never
/// replacing one) and never reaches the web view; the public key is returned. `None`: cancelled.
#[tauri::command]
async fn generate_share_identity(handle: AppHandle) -> Result<Option<share::ShareKeyFile>> {
    let path = dialog(move || {
        handle
            .dialog()
            .file()
            .set_file_name("kinvault-share-key.txt")
            .blocking_save_file()
            .and_then(|p| p.into_path().ok())
    })
    .await?;
    let Some(path) = path else { return Ok(None) };
    tauri::async_runtime::spawn_blocking(move || share::write_identity_file(&path).map(Some))
        .await
        .map_err(|e| ApiError::new(ErrorKind::Internal, format!("background task failed: {e}")))?
}

/// Native open dialog for a share (`key` false: `.age` files) or a key file (`key` true).
#[tauri::command]
async fn pick_share_file(handle: AppHandle, key: bool) -> Result<Option<String>> {
    dialog(move || {
        let d = handle.dialog().file();
        let d = if key { d } else { d.add_filter("Kinvault share (age)", &["age", "AGE"]) };
        d.blocking_pick_file().and_then(|p| p.into_path().ok()).map(|p| p.display().to_string())
    })
    .await
}

/// Sync state for the settings screen (reads the vault only; no network).
#[tauri::command]
async fn sync_status(app: Shared<'_>) -> Result<sync::SyncStatus> {
    blocking(&app, |a| a.sync_status()).await
}

/// Turns sync on (creates an account, or joins one with a join code) and syncs once. With
/// `sync_now`, the app's only network access, and only when the user asks.
#[tauri::command]
async fn sync_setup(app: Shared<'_>, req: sync::SyncSetupRequest) -> Result<sync::SyncSetupResult> {
    blocking(&app, move |a| a.sync_setup(&req)).await
}

/// Syncs with the server now (the user pressed "Sync now"; there is no background sync).
#[tauri::command]
async fn sync_now(app: Shared<'_>) -> Result<sync::SyncReport> {
    blocking(&app, |a| a.sync_now()).await
}

#[tauri::command]
async fn sync_join_code(app: Shared<'_>) -> Result<String> {
    blocking(&app, |a| a.sync_join_code()).await
}

#[tauri::command]
async fn sync_leave(app: Shared<'_>) -> Result<()> {
    blocking(&app, |a| a.sync_leave()).await
}

#[tauri::command]
async fn sync_conflicts(app: Shared<'_>, include_resolved: bool) -> Result<Vec<sync::SyncConflictView>> {
    blocking(&app, move |a| a.sync_conflicts(include_resolved)).await
}

#[tauri::command]
async fn resolve_sync_conflict(app: Shared<'_>, id: i64) -> Result<()> {
    blocking(&app, move |a| a.resolve_sync_conflict(id)).await
}

/// This process's memory and its webviews' against the memory-alert threshold (the diagnostics
/// view polls it; a crossing is logged once).
#[tauri::command]
async fn memory_status(app: Shared<'_>) -> Result<diagnostics::MemoryStatus> {
    blocking(&app, |a| Ok(a.memory_status())).await
}

#[tauri::command]
async fn set_memory_alert_mb(app: Shared<'_>, mb: u32) -> Result<diagnostics::MemoryStatus> {
    blocking(&app, move |a| a.set_memory_alert_mb(mb)).await
}

/// The diagnostics bundle: numbers only, no names, ids or paths (docs/runbook.md).
#[tauri::command]
async fn diagnostics(app: Shared<'_>, req: diagnostics::DiagnosticsRequest) -> Result<diagnostics::Diagnostics> {
    blocking(&app, move |a| a.diagnostics(&req)).await
}

/// Native file dialog, opened from Rust so the web view needs no dialog or file-system rights.
#[tauri::command]
async fn pick_vault_path(handle: AppHandle, save: bool) -> Result<Option<String>> {
    tauri::async_runtime::spawn_blocking(move || {
        let dialog = handle.dialog().file().add_filter("Kinvault vault", &["kinvault"]);
        let picked = if save {
            dialog.set_file_name("family.kinvault").blocking_save_file()
        } else {
            dialog.blocking_pick_file()
        };
        picked.and_then(|p| p.into_path().ok()).map(|p| p.display().to_string())
    })
    .await
    .map_err(|e| ApiError::new(ErrorKind::Internal, format!("file dialog failed: {e}")))
}

fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_env("KINVAULT_LOG").unwrap_or_else(|_| "info".into()))
        .with_writer(std::io::stderr)
        .init();

    let app = Arc::new(App::new());
    let result = tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .manage(Arc::clone(&app))
        .manage(CancelFlag::default())
        .setup(move |tauri_app| {
            // Idle lock: checked every few seconds; the API owns the rule, the shell only asks.
            let handle = tauri_app.handle().clone();
            let idle_app = Arc::clone(&app);
            std::thread::Builder::new().name("idle-lock".into()).spawn(move || loop {
                std::thread::sleep(Duration::from_secs(5));
                if idle_app.lock_if_idle() {
                    let _ = handle.emit("vault-locked", LockedEvent { reason: "idle" });
                }
            })?;
            // Memory alert: polled here too, so a crossing is logged even when no diagnostics
            // view is open (one warning per crossing; see kinvault_api::diagnostics).
            let memory_app = Arc::clone(&app);
            std::thread::Builder::new().name("memory-alert".into()).spawn(move || loop {
                std::thread::sleep(Duration::from_secs(10));
                memory_app.memory_status();
            })?;
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            app_info,
            vault_status,
            create_vault,
            open_vault,
            recover_vault,
            change_passphrase,
            lock_vault,
            touch,
            set_idle_lock_seconds,
            vault_info,
            check_vault,
            list_people,
            get_person,
            add_person,
            update_person,
            delete_person,
            pick_vault_path,
            import_gedcom,
            export_gedcom,
            cancel_transfer,
            pick_import_file,
            pick_export_path,
            save_text_file,
            save_binary_file,
            catalog,
            search_catalog,
            add_condition,
            add_genetic_test,
            import_family_file,
            export_family_file,
            find_person_ref,
            relate,
            inbreeding,
            chart,
            graph_report,
            save_user_condition,
            delete_user_condition,
            questionnaire,
            save_questionnaire,
            person_risk,
            couple_risk,
            consanguinity,
            family_overview,
            pedigree_drawing,
            clinician_report,
            person_families,
            save_family,
            delete_family,
            create_share,
            open_share,
            generate_share_identity,
            pick_share_file,
            sync_status,
            sync_setup,
            sync_now,
            sync_join_code,
            sync_leave,
            sync_conflicts,
            resolve_sync_conflict,
            memory_status,
            set_memory_alert_mb,
            diagnostics,
        ])
        .build(tauri::generate_context!("../tauri.conf.json"));
    match result {
        Ok(tauri_app) => tauri_app.run(|handle, event| {
            if let tauri::RunEvent::Exit = event {
                // Close the database and wipe the key before the process ends.
                handle.state::<Arc<App>>().lock();
            }
        }),
        Err(e) => {
            eprintln!("kinvault-desktop: could not start: {e}");
            std::process::exit(1);
        }
    }
}
