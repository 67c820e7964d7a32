//! The desktop session: at most one unlocked vault, the idle lock, recent vaults.
//!
//! The Tauri shell holds one [`App`] and forwards each command to a method here; nothing in the
//! shell decides anything. Every method is safe to call from several threads.

use crate::settings::Settings;
use crate::*;
use kinvault_model::Person;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};
use uuid::Uuid;

struct Session {
    vault: Vault,
    last_activity: Instant,
}

pub struct App {
    session: Mutex<Option<Session>>,
    settings: Mutex<Settings>,
    settings_file: Option<PathBuf>,
    kdf: KdfParams,
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
        App { session: Mutex::new(None), settings: Mutex::new(settings), settings_file, kdf }
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

    fn start_session(&self, vault: Vault) -> Result<VaultInfo> {
        let info = vault_ops::info(&vault)?;
        self.remember(vault.path());
        *self.session() = Some(Session { vault, last_activity: Instant::now() });
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
        self.with_vault(|v| people::add(v, p))
    }

    pub fn update_person(&self, p: Person) -> Result<Person> {
        self.with_vault(|v| people::update(v, p))
    }

    pub fn delete_person(&self, id: &str) -> Result<()> {
        let id = parse_uuid(id)?;
        self.with_vault(|v| people::delete(v, id))
    }

    /// Imports a GEDCOM file or GEDZIP archive into the open vault (one transaction; see
    /// [`transfer::import_gedcom`]). The session stays busy meanwhile, so other commands wait.
    pub fn import_gedcom(&self, path: &str, progress: &dyn transfer::Progress) -> Result<ImportReport> {
        let path = PathBuf::from(path.trim());
        self.with_vault_long(|v| transfer::import_gedcom(v, &path, progress))
    }

    /// Exports the open vault (see [`transfer::export_gedcom`]).
    pub fn export_gedcom(&self, req: &ExportRequest, progress: &dyn transfer::Progress) -> Result<ExportReport> {
        self.with_vault_long(|v| transfer::export_gedcom(v, req, progress))
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
