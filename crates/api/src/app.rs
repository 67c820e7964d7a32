//! The desktop session: at most one unlocked vault, the idle lock, recent vaults, and the
//! family graph of the open vault.
//!
//! The Tauri shell holds one [`App`] and forwards each command to a method here; nothing in the
//! shell decides anything. Every method is safe to call from several threads.
//!
//! **Graph cache invariant.** The session's family graph is built on the first graph query
//! (relate, inbreeding, charts, family edits) and from then on always equals what a fresh
//! [`graph::load`] would give: person add/update/delete and family save/delete go through `App`
//! and update it in place; an import drops it (rebuilt on the next query); locking or closing
//! the vault drops it with the session.

use crate::settings::Settings;
use crate::*;
use kinvault_model::{Family, Person};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};
use uuid::Uuid;

struct Session {
    vault: Vault,
    last_activity: Instant,
    /// The family graph, once a query needed it (see the module docs for the invariant).
    graph: Option<graph::LoadedGraph>,
}

impl Session {
    fn graph(&mut self) -> Result<&mut graph::LoadedGraph> {
        if self.graph.is_none() {
            self.graph = Some(graph::load(&self.vault)?);
        }
        self.graph.as_mut().ok_or_else(|| ApiError::new(ErrorKind::Internal, "family graph missing"))
    }
}

pub struct App {
    session: Mutex<Option<Session>>,
    settings: Mutex<Settings>,
    settings_file: Option<PathBuf>,
    kdf: KdfParams,
    /// Whether the last memory poll was above the threshold (one log line per crossing).
    memory_alert: crate::diagnostics::MemoryAlert,
}

fn now_millis() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

fn parse_uuid(id: &str) -> Result<Uuid> {
    Uuid::parse_str(id.trim()).map_err(|_| ApiError::invalid(format!("{id:?} is not a person id")))
}

impl App {
    /// An app with settings in the platform data directory (or `KINVAULT_DATA_DIR`).
    pub fn new() -> App {
        Self::with_settings_file(Settings::file(), KdfParams::INTERACTIVE)
    }

    pub fn with_settings_file(settings_file: Option<PathBuf>, kdf: KdfParams) -> App {
        let settings = settings_file.as_deref().map(Settings::load).unwrap_or_default();
        App {
            session: Mutex::new(None),
            settings: Mutex::new(settings),
            settings_file,
            kdf,
            memory_alert: Default::default(),
        }
    }

    fn settings(&self) -> std::sync::MutexGuard<'_, Settings> {
        self.settings.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn session(&self) -> std::sync::MutexGuard<'_, Option<Session>> {
        self.session.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn remember(&self, path: &Path) {
        let mut s = self.settings();
        s.remember(path, now_millis());
        if let Some(f) = &self.settings_file {
            if let Err(e) = s.save(f) {
                tracing::warn!(error = %e, "could not save settings");
            }
        }
    }

    /// Runs `f` on the unlocked vault, counting it as activity.
    fn with_vault<T>(&self, f: impl FnOnce(&mut Vault) -> Result<T>) -> Result<T> {
        let mut guard = self.session();
        let s = guard.as_mut().ok_or_else(ApiError::locked)?;
        s.last_activity = Instant::now();
        f(&mut s.vault)
    }

    /// Runs `f` on the whole session (vault and graph), counting it as activity at the start and
    /// the end (building the graph of a large vault takes seconds).
    fn with_session<T>(&self, f: impl FnOnce(&mut Session) -> Result<T>) -> Result<T> {
        let mut guard = self.session();
        let s = guard.as_mut().ok_or_else(ApiError::locked)?;
        s.last_activity = Instant::now();
        let out = f(s);
        s.last_activity = Instant::now();
        out
    }

    /// Runs `f` on the vault and its family graph (built now if this is the first graph query).
    fn with_graph<T>(&self, f: impl FnOnce(&Vault, &graph::LoadedGraph) -> Result<T>) -> Result<T> {
        self.with_session(|s| {
            s.graph()?;
            match &s.graph {
                Some(g) => f(&s.vault, g),
                None => Err(ApiError::new(ErrorKind::Internal, "family graph missing")),
            }
        })
    }

    /// Like [`App::with_vault`] for long operations: activity counts at the end too, so the
    /// idle lock does not strike the moment an hour-long import finishes.
    fn with_vault_long<T>(&self, f: impl FnOnce(&mut Vault) -> Result<T>) -> Result<T> {
        let mut guard = self.session();
        let s = guard.as_mut().ok_or_else(ApiError::locked)?;
        let out = f(&mut s.vault);
        s.last_activity = Instant::now();
        out
    }

    pub fn info(&self) -> AppInfo {
        let s = self.settings();
        AppInfo {
            version: env!("CARGO_PKG_VERSION").to_string(),
            default_vault_path: kinvault_vault::default_vault_path().map(|p| p.display().to_string()),
            recent_vaults: s
                .recent
                .iter()
                .map(|r| RecentVault {
                    path: r.path.display().to_string(),
                    last_opened: r.last_opened,
                    exists: r.path.is_file(),
                })
                .collect(),
            idle_lock_seconds: s.idle_lock_seconds,
        }
    }

    pub fn status(&self) -> VaultStatus {
        let guard = self.session();
        VaultStatus {
            unlocked: guard.is_some(),
            path: guard.as_ref().map(|s| s.vault.path().display().to_string()),
            idle_lock_seconds: self.settings().idle_lock_seconds,
        }
    }

    pub fn set_idle_lock_seconds(&self, seconds: u32) -> Result<AppInfo> {
        if !(30..=86_400).contains(&seconds) {
            return Err(ApiError::invalid("idle lock must be between 30 seconds and 24 hours"));
        }
        {
            let mut s = self.settings();
            s.idle_lock_seconds = seconds;
            if let Some(f) = &self.settings_file {
                s.save(f).map_err(|e| ApiError::new(ErrorKind::Io, format!("could not save settings: {e}")))?;
            }
        }
        Ok(self.info())
    }

    /// This process's memory (and its webview processes') against the memory-alert threshold.
    /// The diagnostics view polls it; crossing the threshold upwards logs one warning, falling
    /// back one info line, however often it is polled (see [`crate::diagnostics::MemoryAlert`]).
    pub fn memory_status(&self) -> crate::diagnostics::MemoryStatus {
        self.memory_status_of(crate::diagnostics::MemoryReport::read())
    }

    fn memory_status_of(&self, memory: crate::diagnostics::MemoryReport) -> crate::diagnostics::MemoryStatus {
        let alert_mb = self.settings().memory_alert_mb;
        self.memory_alert.status(memory, alert_mb)
    }

    /// Sets the memory-alert threshold (MiB, 64 to 1,048,576) and returns the status against it.
    pub fn set_memory_alert_mb(&self, mb: u32) -> Result<crate::diagnostics::MemoryStatus> {
        let mb = Settings::check_memory_alert_mb(mb).map_err(ApiError::invalid)?;
        {
            let mut s = self.settings();
            s.memory_alert_mb = mb;
            if let Some(f) = &self.settings_file {
                s.save(f).map_err(|e| ApiError::new(ErrorKind::Io, format!("could not save settings: {e}")))?;
            }
        }
        Ok(self.memory_status())
    }

    /// The diagnostics bundle (see [`crate::diagnostics`]): the machine, memory, and the open
    /// vault — or, with `req.path` naming another file, that file examined without unlocking it
    /// (for a vault that will not open). Holds no names, ids or paths. Not counted as activity.
    pub fn diagnostics(&self, req: &crate::diagnostics::DiagnosticsRequest) -> Result<crate::diagnostics::Diagnostics> {
        use crate::diagnostics::{self as diag, UnlockOutcome};
        let status = self.memory_status();
        let mut d =
            diag::Diagnostics::collect("kinvault-desktop", status.alert_mb, status.memory, status.above_threshold);
        let asked = req.path.as_deref().map(str::trim).filter(|p| !p.is_empty()).map(PathBuf::from);
        let guard = self.session();
        match (guard.as_ref(), asked) {
            (Some(s), asked) if asked.as_deref().is_none_or(|p| diag::same_file(p, s.vault.path())) => {
                d.vault_file = Some(diag::probe_open_vault(&s.vault));
                d.vault = Some(diag::vault_report(&s.vault, req.integrity)?);
                d.unlock = UnlockOutcome::Unlocked;
            }
            (_, Some(path)) => {
                d.vault_file = Some(diag::probe_file(&path));
                d.unlock = UnlockOutcome::NotAttempted;
            }
            (_, None) => {}
        }
        Ok(d)
    }

    fn start_session(&self, vault: Vault) -> Result<VaultInfo> {
        let info = vault_ops::info(&vault)?;
        self.remember(vault.path());
        *self.session() = Some(Session { vault, last_activity: Instant::now(), graph: None });
        Ok(info)
    }

    pub fn create_vault(&self, req: &CreateVaultRequest) -> Result<CreatedVault> {
        let path = PathBuf::from(req.path.trim());
        if req.path.trim().is_empty() {
            return Err(ApiError::invalid("choose where to save the vault"));
        }
        self.lock();
        let (vault, recovery_key) = vault_ops::create_with(&path, &req.passphrase, self.kdf)?;
        Ok(CreatedVault { vault: self.start_session(vault)?, recovery_key })
    }

    pub fn open_vault(&self, req: &OpenVaultRequest) -> Result<VaultInfo> {
        let path = PathBuf::from(req.path.trim());
        // Opening happens before the current vault is locked, so a typo does not lock the user out.
        let vault = vault_ops::open(&path, &req.passphrase)?;
        self.lock();
        self.start_session(vault)
    }

    pub fn recover_vault(&self, req: &RecoverVaultRequest) -> Result<VaultInfo> {
        let vault = vault_ops::recover(Path::new(req.path.trim()), &req.recovery_key, &req.new_passphrase)?;
        self.lock();
        self.start_session(vault)
    }

    pub fn change_passphrase(&self, req: &ChangePassphraseRequest) -> Result<()> {
        self.with_vault(|v| {
            // Re-check the current passphrase: an unattended unlocked screen must not be enough.
            drop(Vault::open(v.path(), &req.current_passphrase)?);
            v.change_passphrase(&req.new_passphrase)?;
            Ok(())
        })
    }

    /// Locks: closes the database and wipes the key. Idempotent.
    pub fn lock(&self) {
        if self.session().take().is_some() {
            tracing::info!("vault locked");
        }
    }

    /// Locks if idle for longer than the configured delay; returns whether it locked now.
    pub fn lock_if_idle(&self) -> bool {
        let idle = Duration::from_secs(u64::from(self.settings().idle_lock_seconds));
        let mut guard = self.session();
        if guard.as_ref().is_some_and(|s| s.last_activity.elapsed() >= idle) {
            *guard = None;
            tracing::info!("vault locked after idle time");
            return true;
        }
        false
    }

    /// Counts user activity (the UI reports input) without doing anything else.
    pub fn touch(&self) -> Result<()> {
        self.with_vault(|_| Ok(()))
    }

    pub fn vault_info(&self) -> Result<VaultInfo> {
        self.with_vault(|v| vault_ops::info(v))
    }

    pub fn check(&self) -> Result<IntegrityReport> {
        self.with_vault(|v| vault_ops::check(v))
    }

    pub fn list_people(&self, q: &PeopleQuery) -> Result<PeoplePage> {
        self.with_vault(|v| people::list(v, q))
    }

    pub fn get_person(&self, id: &str) -> Result<Person> {
        self.with_vault(|v| people::resolve(v, id))
    }

    pub fn add_person(&self, p: &NewPerson) -> Result<Person> {
        self.with_session(|s| {
            let p = people::add(&mut s.vault, p)?;
            if let Some(g) = &mut s.graph {
                g.graph.add_person(p.id, p.sex);
                g.fresh = false;
            }
            Ok(p)
        })
    }

    pub fn update_person(&self, p: Person) -> Result<Person> {
        self.with_session(|s| {
            let p = people::update(&mut s.vault, p)?;
            if let Some(g) = &mut s.graph {
                // Only the sex matters to the graph (names and dates are read from the vault).
                g.graph.add_person(p.id, p.sex);
                g.fresh = false;
            }
            Ok(p)
        })
    }

    /// Deletes a person; the vault removes them from their families, the graph drops their links.
    pub fn delete_person(&self, id: &str) -> Result<()> {
        let id = parse_uuid(id)?;
        self.with_session(|s| {
            people::delete(&mut s.vault, id)?;
            if let Some(g) = &mut s.graph {
                g.graph.remove_person(id);
                g.fresh = false;
            }
            Ok(())
        })
    }

    /// Saves a family (new or changed): partners and children must be people in the vault, and
    /// no one may become their own ancestor ([`graph::check_family`]).
    pub fn save_family(&self, family: Family) -> Result<Family> {
        self.with_session(|s| {
            s.graph()?;
            let Session { vault, graph: cached, .. } = s;
            let Some(g) = cached.as_mut() else {
                return Err(ApiError::new(ErrorKind::Internal, "family graph missing"));
            };
            graph::check_family(&g.graph, &family)?;
            let old = vault.get_family(family.id)?;
            vault.write(|tx| tx.put_family(&family))?;
            if let Err(e) = graph::apply_family_change(vault, g, old.as_ref(), Some(&family)) {
                *cached = None; // rebuilt on the next query
                return Err(e);
            }
            Ok(family)
        })
    }

    /// The families a person belongs to, with their members' names (see
    /// [`crate::families::person_families`]).
    pub fn person_families(&self, person: &str) -> Result<crate::families::PersonFamilies> {
        self.with_vault(|v| crate::families::person_families(v, person))
    }

    pub fn delete_family(&self, id: &str) -> Result<()> {
        let id = Uuid::parse_str(id.trim()).map_err(|_| ApiError::invalid(format!("{id:?} is not a family id")))?;
        self.with_session(|s| {
            let old = s
                .vault
                .get_family(id)?
                .ok_or_else(|| ApiError::new(ErrorKind::NotFound, format!("family {id} is not in this vault")))?;
            s.vault.write(|tx| tx.delete_family(id))?;
            let Session { vault, graph: cached, .. } = s;
            if let Some(g) = cached.as_mut() {
                if let Err(e) = graph::apply_family_change(vault, g, Some(&old), None) {
                    *cached = None; // rebuilt on the next query
                    return Err(e);
                }
            }
            Ok(())
        })
    }

    /// A person by id or GEDCOM xref, as graph results show people.
    pub fn find_person_ref(&self, reference: &str) -> Result<PersonRef> {
        self.with_vault(|v| graph::person_ref(v, reference))
    }

    /// How `b` is related to `a` (see [`graph::relate`]).
    pub fn relate(&self, a: &str, b: &str) -> Result<RelateResult> {
        self.with_graph(|v, g| graph::relate(v, &g.graph, a, b))
    }

    pub fn inbreeding(&self, person: &str) -> Result<InbreedingResult> {
        self.with_graph(|v, g| graph::inbreeding(v, &g.graph, person))
    }

    /// A pedigree, descendants, hourglass or fan chart (see [`graph::chart`]).
    pub fn chart(&self, req: &ChartRequest) -> Result<Chart> {
        self.with_graph(|v, g| graph::chart(v, &g.graph, req))
    }

    /// The graph's size and data problems (cycles...). Rebuilds the graph first if it was edited
    /// since it was built, so the problems listed are current.
    pub fn graph_report(&self) -> Result<GraphReport> {
        self.with_session(|s| {
            if !s.graph.as_ref().is_some_and(|g| g.fresh) {
                s.graph = Some(graph::load(&s.vault)?);
            }
            match &s.graph {
                Some(g) => graph::report(&s.vault, g),
                None => Err(ApiError::new(ErrorKind::Internal, "family graph missing")),
            }
        })
    }

    /// Imports a GEDCOM file or GEDZIP archive into the open vault (one transaction; see
    /// [`transfer::import_gedcom`]). The session stays busy meanwhile, so other commands wait.
    pub fn import_gedcom(&self, path: &str, progress: &dyn transfer::Progress) -> Result<ImportReport> {
        let path = PathBuf::from(path.trim());
        self.with_session(|s| {
            let report = transfer::import_gedcom(&mut s.vault, &path, progress)?;
            // Rebuilt on the next graph query: faster than a million incremental updates.
            s.graph = None;
            Ok(report)
        })
    }

    /// Exports the open vault (see [`transfer::export_gedcom`]).
    pub fn export_gedcom(&self, req: &ExportRequest, progress: &dyn transfer::Progress) -> Result<ExportReport> {
        self.with_vault_long(|v| transfer::export_gedcom(v, req, progress))
    }

    /// The condition catalog: the built-in one, plus the user's own conditions when a vault is
    /// open.
    pub fn catalog(&self) -> Result<kinvault_catalog::CatalogData> {
        self.with_catalog(clinical::catalog_list)
    }

    /// Catalog conditions (built-in and, with a vault open, the user's own) matching a name,
    /// synonym, id, gene or code, best first.
    pub fn search_catalog(&self, query: &str) -> Result<Vec<kinvault_catalog::ConditionDef>> {
        self.with_catalog(|c| clinical::catalog_search(c, query))
    }

    fn with_catalog<T>(&self, f: impl FnOnce(&kinvault_catalog::Catalog) -> T) -> Result<T> {
        if self.status().unlocked {
            self.with_vault(|v| Ok(f(&clinical::vault_catalog(v)?)))
        } else {
            Ok(f(clinical::catalog()))
        }
    }

    /// Adds or replaces a condition of the user's own in the vault's catalog (see
    /// [`clinical::save_user_condition`]).
    pub fn save_user_condition(&self, def: kinvault_catalog::ConditionDef) -> Result<kinvault_catalog::ConditionDef> {
        self.with_vault(|v| clinical::save_user_condition(v, def))
    }

    /// Removes a user-defined condition (see [`clinical::delete_user_condition`]).
    pub fn delete_user_condition(&self, id: &str) -> Result<()> {
        self.with_vault(|v| clinical::delete_user_condition(v, id))
    }

    /// Records a condition observation (see [`clinical::add_condition`]). Health records are
    /// not in the family graph, so the cached graph stays as it is.
    pub fn add_condition(&self, person: &str, req: &AddCondition) -> Result<Person> {
        self.with_vault(|v| clinical::add_condition(v, person, req))
    }

    /// Records a genetic test result (see [`clinical::add_genetic_test`]).
    pub fn add_genetic_test(&self, person: &str, req: &AddGeneticTest) -> Result<Person> {
        self.with_vault(|v| clinical::add_genetic_test(v, person, req))
    }

    /// The family health questionnaire for a proband (see [`crate::history::questionnaire`]).
    pub fn questionnaire(&self, proband: &str) -> Result<crate::history::Questionnaire> {
        self.with_vault(|v| crate::history::questionnaire(v, proband))
    }

    /// Saves a family health questionnaire in one transaction (see
    /// [`crate::history::save_questionnaire`]); new relatives and families drop the cached graph.
    pub fn save_questionnaire(&self, q: &crate::history::Questionnaire) -> Result<crate::history::QuestionnaireSaved> {
        self.with_session(|s| {
            let saved = crate::history::save_questionnaire(&mut s.vault, q)?;
            if saved.families_changed > 0 {
                s.graph = None;
            }
            Ok(saved)
        })
    }

    /// Genetic risk for one person, one entry per condition (see [`crate::risk::person_risk`]).
    pub fn risk(&self, req: &crate::risk::RiskRequest) -> Result<crate::risk::RiskReport> {
        self.with_graph(|v, g| crate::risk::person_risk(v, &g.graph, req))
    }

    /// Risk to a prospective child of two people (see [`crate::risk::couple_risk`]).
    pub fn couple_risk(
        &self,
        a: &str,
        b: &str,
        condition: &str,
        horizon: Option<f64>,
    ) -> Result<crate::risk::CoupleRiskReport> {
        self.with_graph(|v, g| crate::risk::couple_risk(v, &g.graph, a, b, condition, horizon))
    }

    /// Inbreeding of a prospective child of two people and the added recessive risk.
    pub fn consanguinity(&self, a: &str, b: &str) -> Result<crate::risk::ConsanguinityReport> {
        self.with_graph(|v, g| crate::risk::consanguinity(v, &g.graph, a, b))
    }

    /// The clinical (NSGC) pedigree drawing around a proband (see
    /// [`crate::pedigree_drawing::pedigree`]).
    pub fn pedigree_drawing(
        &self,
        req: &crate::pedigree_drawing::PedigreeRequest,
    ) -> Result<crate::pedigree_drawing::PedigreeDrawing> {
        self.with_graph(|v, g| crate::pedigree_drawing::pedigree(v, &g.graph, req))
    }

    /// The clinician report as a file (see [`crate::report`]).
    pub fn clinician_report(
        &self,
        req: &crate::report::ReportRequest,
        format: crate::report::ReportFormat,
    ) -> Result<Vec<u8>> {
        self.with_graph(|v, g| crate::report::render(v, &g.graph, req, format))
    }

    /// An encrypted share for a clinician, in memory for the app to save (see [`crate::share`]).
    pub fn create_share(&self, req: &crate::share::ShareRequest) -> Result<crate::share::ShareFile> {
        self.with_graph(|v, g| crate::share::share_file(v, &g.graph, req))
    }

    /// Who in the family should consider counselling, testing or screening.
    pub fn family_overview(&self, proband: &str) -> Result<crate::risk::FamilyOverview> {
        self.with_graph(|v, g| crate::risk::family_overview(v, &g.graph, proband, &Default::default()))
    }

    /// The clinical format of a file, `None` for GEDCOM and others (see
    /// [`clinical::detect_format`]).
    pub fn detect_family_format(&self, path: &str) -> Result<Option<FamilyFormat>> {
        clinical::detect_format(Path::new(path.trim()))
    }

    /// Imports a PED, CanRisk, FHIR or MFHP file (one transaction; see
    /// [`clinical::import_family_file`]).
    pub fn import_family_file(&self, path: &str, options: &FamilyImportOptions) -> Result<FamilyImportReport> {
        let path = PathBuf::from(path.trim());
        self.with_session(|s| {
            let report = clinical::import_family_file(&mut s.vault, &path, options)?;
            s.graph = None; // new people and families: rebuilt on the next graph query
            Ok(report)
        })
    }

    /// Exports the family around a proband as FHIR, GA4GH Pedigree, PED or CanRisk (see
    /// [`clinical::export_family_file`]).
    pub fn export_family_file(&self, req: &ExportFamilyRequest) -> Result<FamilyExportReport> {
        self.with_vault_long(|v| clinical::export_family_file(v, req))
    }

    pub fn sync_status(&self) -> Result<crate::sync::SyncStatus> {
        self.with_vault(|v| crate::sync::status(v))
    }

    /// Turns sync on: creates an account or joins one, then syncs once (see [`crate::sync`]).
    pub fn sync_setup(&self, req: &crate::sync::SyncSetupRequest) -> Result<crate::sync::SyncSetupResult> {
        self.with_session(|s| {
            let out = crate::sync::setup(&mut s.vault, req);
            s.graph = None; // other devices' people and families may have arrived
            out
        })
    }

    pub fn sync_now(&self) -> Result<crate::sync::SyncReport> {
        self.with_session(|s| {
            let out = crate::sync::sync_now(&mut s.vault);
            s.graph = None;
            out
        })
    }

    pub fn sync_join_code(&self) -> Result<String> {
        self.with_vault(|v| crate::sync::join_code(v))
    }

    pub fn sync_leave(&self) -> Result<()> {
        self.with_vault(crate::sync::leave)
    }

    pub fn sync_conflicts(&self, include_resolved: bool) -> Result<Vec<crate::sync::SyncConflictView>> {
        self.with_vault(|v| crate::sync::conflicts(v, include_resolved))
    }

    pub fn resolve_sync_conflict(&self, id: i64) -> Result<()> {
        self.with_vault(|v| crate::sync::resolve_conflict(v, id))
    }
}

impl Default for App {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kinvault_model::Sex;

    fn app(dir: &Path) -> App {
        App::with_settings_file(Some(dir.join("settings.json")), KdfParams::TESTING_ONLY)
    }

    #[test]
    fn desktop_flow_create_add_lock_unlock() {
        let d = tempfile::tempdir().unwrap();
        let a = app(d.path());
        let path = d.path().join("fam.kinvault").display().to_string();
        assert_eq!(a.list_people(&PeopleQuery::default()).unwrap_err().kind, ErrorKind::Locked);
        let created =
            a.create_vault(&CreateVaultRequest { path: path.clone(), passphrase: "pass phrase 1".into() }).unwrap();
        assert_eq!(created.recovery_key.split('-').count(), 16);
        a.add_person(&NewPerson {
            given: "Ada".into(),
            surname: "Lovelace".into(),
            sex: Sex::Female,
            ..Default::default()
        })
        .unwrap();
        a.lock();
        assert!(!a.status().unlocked);
        let e = a.open_vault(&OpenVaultRequest { path: path.clone(), passphrase: "nope nope".into() }).unwrap_err();
        assert_eq!(e.kind, ErrorKind::WrongPassphrase);
        assert!(e.message.contains("passphrase"));
        let info = a.open_vault(&OpenVaultRequest { path: path.clone(), passphrase: "pass phrase 1".into() }).unwrap();
        assert_eq!(info.stats.individuals, 1);
        assert_eq!(a.info().recent_vaults[0].path, path);
        assert!(a.info().recent_vaults[0].exists);
        // Settings persist across app restarts.
        assert_eq!(app(d.path()).info().recent_vaults.len(), 1);

        // Recovery path from the UI.
        a.lock();
        a.recover_vault(&RecoverVaultRequest {
            path: path.clone(),
            recovery_key: created.recovery_key.clone(),
            new_passphrase: "brand new phrase".into(),
        })
        .unwrap();
        let e = a
            .change_passphrase(&ChangePassphraseRequest {
                current_passphrase: "pass phrase 1".into(),
                new_passphrase: "whatever else".into(),
            })
            .unwrap_err();
        assert_eq!(e.kind, ErrorKind::WrongPassphrase);
    }

    /// Everything the graph says about each person, by id (indices differ between builds).
    type Fingerprint = std::collections::BTreeMap<Uuid, (Sex, Vec<Uuid>, Vec<(Uuid, String)>, Vec<(Uuid, Uuid)>, Uuid)>;

    fn fingerprint(g: &kinvault_pedigree::FamilyGraph) -> Fingerprint {
        let mut out = Fingerprint::new();
        for ix in 0..g.index_bound() as u32 {
            let id = g.id_of(ix);
            if g.index_of(id) != Some(ix) {
                continue; // removed
            }
            let mut bio: Vec<Uuid> = g.biological_parents(ix).map(|p| g.id_of(p)).collect();
            bio.sort();
            let mut legal: Vec<(Uuid, String)> =
                g.legal_parents(ix).map(|(p, k)| (g.id_of(p), format!("{k:?}"))).collect();
            legal.sort();
            let mut partners: Vec<(Uuid, Uuid)> = g.partners(ix).map(|(p, f)| (g.id_of(p), g.family_id(f))).collect();
            partners.sort();
            out.insert(id, (g.sex(ix), bio, legal, partners, g.id_of(g.genome_of(ix))));
        }
        out
    }

    /// The cached graph equals a fresh build from the vault.
    fn assert_graph_current(a: &App) {
        let guard = a.session();
        let s = guard.as_ref().unwrap();
        let cached = &s.graph.as_ref().expect("graph cached").graph;
        let fresh = graph::load(&s.vault).unwrap().graph;
        assert_eq!(fingerprint(cached), fingerprint(&fresh));
        assert_eq!(cached.len(), fresh.len());
    }

    fn person(a: &App, given: &str, sex: Sex) -> Person {
        a.add_person(&NewPerson { given: given.into(), surname: "Test".into(), sex, ..Default::default() }).unwrap()
    }

    fn family(partners: &[&Person], children: &[&Person]) -> Family {
        let mut f = Family::new(partners.iter().map(|p| p.id).collect());
        f.children = children.iter().map(|c| kinvault_model::FamilyChild { person: c.id, links: vec![] }).collect();
        f
    }

    #[test]
    fn graph_cache_follows_every_edit() {
        let d = tempfile::tempdir().unwrap();
        let a = app(d.path());
        a.create_vault(&CreateVaultRequest {
            path: d.path().join("g.kinvault").display().to_string(),
            passphrase: "pass phrase 1".into(),
        })
        .unwrap();
        let dad = person(&a, "Dad", Sex::Male);
        let mum = person(&a, "Mum", Sex::Female);
        let kid = person(&a, "Kid", Sex::Unknown);
        assert!(a.session().as_ref().unwrap().graph.is_none(), "built lazily");
        let fam = a.save_family(family(&[&dad, &mum], &[&kid])).unwrap();
        assert_graph_current(&a);
        assert_eq!(a.relate(&dad.id.to_string(), &kid.id.to_string()).unwrap().relationships[0].name, "child");

        // A person added after the build, then linked in by editing the family.
        let kid2 = person(&a, "Kid2", Sex::Female);
        assert_graph_current(&a);
        let mut edited = fam.clone();
        edited.children.push(kinvault_model::FamilyChild { person: kid2.id, links: vec![] });
        a.save_family(edited.clone()).unwrap();
        assert_graph_current(&a);
        assert_eq!(a.relate(&kid.id.to_string(), &kid2.id.to_string()).unwrap().relationships[0].name, "sister");

        // A second family describing one of the same links (duplicated records happen in imported
        // files): deleting it must not take the link from the first family.
        let dup = a.save_family(family(&[&dad], &[&kid])).unwrap();
        a.delete_family(&dup.id.to_string()).unwrap();
        assert_graph_current(&a);
        assert_eq!(a.relate(&dad.id.to_string(), &kid.id.to_string()).unwrap().relationships[0].name, "child");

        // Sex change: the name follows.
        let mut k = a.get_person(&kid.id.to_string()).unwrap();
        k.sex = Sex::Male;
        a.update_person(k).unwrap();
        assert_graph_current(&a);
        assert_eq!(a.relate(&dad.id.to_string(), &kid.id.to_string()).unwrap().relationships[0].name, "son");

        // Identical twins in a second family of the same couple, then the twin set taken away.
        let t1 = person(&a, "Twin1", Sex::Female);
        let t2 = person(&a, "Twin2", Sex::Female);
        let mut twins = family(&[&dad, &mum], &[&t1, &t2]);
        twins.twins = vec![kinvault_model::TwinSet {
            members: vec![t1.id, t2.id],
            zygosity: kinvault_model::Zygosity::Monozygotic,
        }];
        let twins = a.save_family(twins).unwrap();
        assert_graph_current(&a);
        assert_eq!(a.relate(&t1.id.to_string(), &t2.id.to_string()).unwrap().kinship_exact.as_deref(), Some("1/2"));
        let mut no_twins = twins.clone();
        no_twins.twins.clear();
        a.save_family(no_twins).unwrap();
        assert_graph_current(&a);
        assert_eq!(a.relate(&t1.id.to_string(), &t2.id.to_string()).unwrap().kinship_exact.as_deref(), Some("1/4"));
        a.delete_family(&twins.id.to_string()).unwrap();
        assert_graph_current(&a);
        a.delete_person(&t1.id.to_string()).unwrap();
        a.delete_person(&t2.id.to_string()).unwrap();

        // Adopted link instead of birth.
        let mut adopted = edited.clone();
        adopted.children[1].links = vec![
            kinvault_model::ParentLink { parent: dad.id, relationship: kinvault_model::ChildRelationship::Adopted },
            kinvault_model::ParentLink { parent: mum.id, relationship: kinvault_model::ChildRelationship::Adopted },
        ];
        a.save_family(adopted).unwrap();
        assert_graph_current(&a);
        assert_eq!(a.inbreeding(&kid2.id.to_string()).unwrap().parents.len(), 0, "no birth parents now");

        // A link that would make Dad his own grandparent is refused, and nothing changes.
        let e = a.save_family(family(&[&kid], &[&dad])).unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidInput);
        assert!(e.message.contains("own ancestor") && e.message.contains(&dad.id.to_string()), "{}", e.message);
        assert!(a.save_family(family(&[&kid], &[&kid])).is_err(), "own parent");
        assert_eq!(a.vault_info().unwrap().stats.families, 1);
        assert_graph_current(&a);

        // Deleting a person drops their links; the report is rebuilt and current.
        a.delete_person(&mum.id.to_string()).unwrap();
        assert_graph_current(&a);
        assert!(!a.session().as_ref().unwrap().graph.as_ref().unwrap().fresh);
        let report = a.graph_report().unwrap();
        // The vault takes Mum out of the family's partners and out of Kid2's parent links
        // (`Tx::delete_person`), so nothing dangles.
        assert_eq!((report.people, report.families, report.issues_total), (3, 1, 0), "{report:#?}");
        assert!(a.session().as_ref().unwrap().graph.as_ref().unwrap().fresh);

        a.delete_family(&fam.id.to_string()).unwrap();
        assert_graph_current(&a);
        assert!(a.relate(&dad.id.to_string(), &kid.id.to_string()).unwrap().relationships.is_empty());
        assert_eq!(a.delete_family(&fam.id.to_string()).unwrap_err().kind, ErrorKind::NotFound);

        // Lock drops the graph with the session.
        a.lock();
        assert_eq!(a.relate("x", "y").unwrap_err().kind, ErrorKind::Locked);
    }

    #[test]
    fn import_drops_the_graph_and_the_next_query_rebuilds_it() {
        let d = tempfile::tempdir().unwrap();
        let a = app(d.path());
        a.create_vault(&CreateVaultRequest {
            path: d.path().join("i.kinvault").display().to_string(),
            passphrase: "pass phrase 1".into(),
        })
        .unwrap();
        let solo = person(&a, "Solo", Sex::Female);
        assert_eq!(
            a.chart(&ChartRequest {
                center: solo.id.to_string(),
                kind: ChartKind::Pedigree,
                generations: 3,
                include_non_birth: false,
                max_nodes: 0,
            })
            .unwrap()
            .nodes
            .len(),
            1
        );
        let ged = d.path().join("f.ged");
        std::fs::write(
            &ged,
            "0 HEAD\n1 GEDC\n2 VERS 5.5.1\n1 CHAR UTF-8\n0 @I1@ INDI\n1 NAME Ann /Lee/\n1 SEX F\n1 FAMC @F1@\n\
             0 @I2@ INDI\n1 NAME Bob /Lee/\n1 SEX M\n1 FAMS @F1@\n0 @F1@ FAM\n1 HUSB @I2@\n1 CHIL @I1@\n0 TRLR\n",
        )
        .unwrap();
        a.import_gedcom(&ged.display().to_string(), &NoProgress).unwrap();
        assert!(a.session().as_ref().unwrap().graph.is_none(), "dropped by the import");
        let r = a.relate("I1", "@I2@").unwrap();
        assert_eq!(r.relationships[0].name, "father");
        assert_eq!(a.find_person_ref("I2").unwrap().display_name, "Bob Lee");
        assert_graph_current(&a);
    }

    fn fake_memory(rss_mib: u64) -> crate::diagnostics::MemoryReport {
        crate::diagnostics::MemoryReport {
            rss_bytes: Some(rss_mib << 20),
            peak_rss_bytes: Some(rss_mib << 20),
            sqlite_bytes: 0,
            sqlite_peak_bytes: 0,
            children: vec![crate::diagnostics::ProcessMemory {
                name: "WebKitWebProces".into(),
                pid: 2,
                rss_bytes: Some(10 << 20),
            }],
            children_rss_bytes: 10 << 20,
        }
    }

    #[test]
    fn memory_alert_setting_and_crossings() {
        let d = tempfile::tempdir().unwrap();
        let a = app(d.path());
        assert_eq!(a.memory_status().alert_mb, crate::settings::DEFAULT_MEMORY_ALERT_MB);
        assert_eq!(a.set_memory_alert_mb(10).unwrap_err().kind, ErrorKind::InvalidInput);
        assert_eq!(a.set_memory_alert_mb(200).unwrap().alert_mb, 200);
        assert_eq!(app(d.path()).memory_status().alert_mb, 200, "persisted");
        // The children (webviews) count: 185 + 10 MiB is below 200, 195 + 10 above.
        let polls: Vec<bool> = [100, 185, 195, 300, 300, 150, 250]
            .into_iter()
            .map(|mib| a.memory_status_of(fake_memory(mib)).above_threshold)
            .collect();
        assert_eq!(polls, [false, false, true, true, true, false, true]);
        let s = a.memory_status_of(fake_memory(300));
        assert_eq!((s.total_rss_bytes, s.alert_bytes), (Some(310 << 20), 200 << 20));
        // Raising the threshold clears the alert at the next poll.
        a.set_memory_alert_mb(4096).unwrap();
        assert!(!a.memory_status_of(fake_memory(300)).above_threshold);
    }

    #[test]
    fn diagnostics_bundle_has_no_names_ids_or_paths() {
        let d = tempfile::tempdir().unwrap();
        let a = app(d.path());
        // The surname is in the file name too.
        let path = d.path().join("Quarrendon-family.kinvault");
        a.create_vault(&CreateVaultRequest { path: path.display().to_string(), passphrase: "pass phrase 1".into() })
            .unwrap();
        let ged = d.path().join("f.ged");
        std::fs::write(
            &ged,
            "0 HEAD\n1 GEDC\n2 VERS 5.5.1\n1 CHAR UTF-8\n0 @I4711@ INDI\n1 NAME Wilhelmina /Quarrendon/\n1 SEX F\n\
             1 NOTE Grandmother kept bees at Upper Snodsbury\n1 DEAT\n2 CAUS Xanthoderm fever\n0 @I4712@ INDI\n\
             1 NAME Bartholomew /Quarrendon/\n1 SEX M\n0 @F815@ FAM\n1 HUSB @I4712@\n1 WIFE @I4711@\n0 TRLR\n",
        )
        .unwrap();
        a.import_gedcom(&ged.display().to_string(), &NoProgress).unwrap();
        let p = a.find_person_ref("I4712").unwrap();
        a.add_condition(
            &p.id,
            &AddCondition {
                condition: "cystic-fibrosis".into(),
                status: kinvault_model::ConditionStatus::Affected,
                onset_age: Some(3.0),
                age: None,
                certainty: Default::default(),
                provenance: Default::default(),
                note: Some("Diagnosed at Glimmerford clinic".into()),
            },
        )
        .unwrap();
        let forbidden = [
            "Quarrendon",
            "Wilhelmina",
            "Bartholomew",
            "Snodsbury",
            "Xanthoderm",
            "Glimmerford",
            "ystic",
            "I4711",
            "I4712",
            "F815",
            "pass phrase",
        ];
        let uuid_like = |text: &str| {
            text.split(|c: char| !(c.is_ascii_hexdigit() || c == '-'))
                .any(|w| w.len() == 36 && Uuid::parse_str(w).is_ok())
        };
        let check = |diag: &crate::diagnostics::Diagnostics| {
            let text = serde_json::to_string(diag).unwrap();
            for f in forbidden {
                assert!(!text.contains(f), "{f:?} in {text}");
            }
            assert!(!text.contains(&p.id), "person id in {text}");
            assert!(!text.contains(&d.path().display().to_string()), "a path in {text}");
            assert!(!uuid_like(&text), "an id in {text}");
            text
        };

        // The open vault, with the integrity check.
        let req = crate::diagnostics::DiagnosticsRequest { path: None, integrity: true };
        let diag = a.diagnostics(&req).unwrap();
        check(&diag);
        assert_eq!(diag.unlock, crate::diagnostics::UnlockOutcome::Unlocked);
        let v = diag.vault.as_ref().unwrap();
        assert_eq!((v.counts.people, v.counts.families, v.counts.conditions), (2, 1, 2), "CAUS and CF");
        assert!(v.counts.change_log >= 4);
        assert!(v.integrity.as_ref().unwrap().ok);
        assert!(!v.sync.as_ref().unwrap().enabled);
        assert!(v.page_count > 0 && v.page_size >= 1024);
        assert_eq!(v.file_bytes, std::fs::metadata(&path).unwrap().len());
        assert_eq!(diag.vault_file.as_ref().unwrap().header, crate::diagnostics::HeaderState::Valid);
        // Naming the open vault's file gives the same.
        let again = a
            .diagnostics(&crate::diagnostics::DiagnosticsRequest {
                path: Some(path.display().to_string()),
                integrity: false,
            })
            .unwrap();
        assert_eq!(again.unlock, crate::diagnostics::UnlockOutcome::Unlocked);
        assert!(again.vault.unwrap().integrity.is_none());
        // The vault still works: its locks were not dropped by the diagnostics.
        assert_eq!(a.vault_info().unwrap().stats.individuals, 2);

        // Locked: the file examined without unlocking.
        a.lock();
        let locked = a
            .diagnostics(&crate::diagnostics::DiagnosticsRequest {
                path: Some(path.display().to_string()),
                integrity: false,
            })
            .unwrap();
        check(&locked);
        assert_eq!(locked.unlock, crate::diagnostics::UnlockOutcome::NotAttempted);
        assert!(locked.vault.is_none());
        let f = locked.vault_file.unwrap();
        assert_eq!((f.header, f.file_bytes), (crate::diagnostics::HeaderState::Valid, Some(v.file_bytes)));
        let none = a.diagnostics(&Default::default()).unwrap();
        assert_eq!((none.unlock, none.vault_file), (crate::diagnostics::UnlockOutcome::NoVault, None));
        assert_eq!(none.memory_alert_mb, crate::settings::DEFAULT_MEMORY_ALERT_MB);
    }

    #[test]
    fn idle_lock() {
        let d = tempfile::tempdir().unwrap();
        let a = app(d.path());
        assert!(a.set_idle_lock_seconds(5).is_err());
        a.set_idle_lock_seconds(30).unwrap();
        a.create_vault(&CreateVaultRequest {
            path: d.path().join("v.kinvault").display().to_string(),
            passphrase: "pass phrase 1".into(),
        })
        .unwrap();
        assert!(!a.lock_if_idle(), "fresh activity");
        a.session().as_mut().unwrap().last_activity = Instant::now() - Duration::from_secs(31);
        assert!(a.lock_if_idle());
        assert!(!a.status().unlocked);
        assert_eq!(a.touch().unwrap_err().kind, ErrorKind::Locked);
    }
}
