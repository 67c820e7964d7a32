//! App settings kept beside the vaults (not inside them, since they are needed before unlock):
//! recent vault paths and the idle-lock delay. Nothing secret and no health data lives here.

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

pub const DEFAULT_IDLE_LOCK_SECONDS: u32 = 600;
const MAX_RECENT: usize = 10;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    #[serde(default)]
    pub recent: Vec<Recent>,
    #[serde(default = "default_idle")]
    pub idle_lock_seconds: u32,
}

fn default_idle() -> u32 {
    DEFAULT_IDLE_LOCK_SECONDS
}

impl Default for Settings {
    fn default() -> Self {
        Settings { recent: vec![], idle_lock_seconds: DEFAULT_IDLE_LOCK_SECONDS }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recent {
    pub path: PathBuf,
    pub last_opened: i64,
}

impl Settings {
    pub fn file() -> Option<PathBuf> {
        kinvault_vault::data_dir().map(|d| d.join("settings.json"))
    }

    /// Loads settings; a missing or unreadable file gives the defaults (settings are a
    /// convenience and must never stop the app from starting).
    pub fn load(path: &Path) -> Settings {
        match std::fs::read(path) {
            Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or_else(|e| {
                tracing::warn!(error = %e, "settings file unreadable; using defaults");
                Settings::default()
            }),
            Err(_) => Settings::default(),
        }
    }

    /// Writes atomically (temp file + rename) so a crash never leaves half a file.
    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let tmp = path.with_extension("json.tmp");
        std::fs::write(&tmp, serde_json::to_vec_pretty(self).map_err(std::io::Error::other)?)?;
        std::fs::rename(tmp, path)
    }

    pub fn remember(&mut self, vault: &Path, now: i64) {
        let vault = std::path::absolute(vault).unwrap_or_else(|_| vault.to_path_buf());
        self.recent.retain(|r| r.path != vault);
        self.recent.insert(0, Recent { path: vault, last_opened: now });
        self.recent.truncate(MAX_RECENT);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remember_dedupes_orders_and_caps() {
        let mut s = Settings::default();
        for i in 0..15 {
            s.remember(Path::new(&format!("/v/{i}.kinvault")), i);
        }
        s.remember(Path::new("/v/3.kinvault"), 99);
        assert_eq!(s.recent.len(), MAX_RECENT);
        assert_eq!(s.recent[0].path, Path::new("/v/3.kinvault"));
        assert_eq!(s.recent.iter().filter(|r| r.path == Path::new("/v/3.kinvault")).count(), 1);
    }

    #[test]
    fn save_load_and_corrupt_file() {
        let d = tempfile::tempdir().unwrap();
        let f = d.path().join("sub/settings.json");
        let mut s = Settings::default();
        s.remember(Path::new("/x.kinvault"), 5);
        s.save(&f).unwrap();
        assert_eq!(Settings::load(&f), s);
        std::fs::write(&f, b"{not json").unwrap();
        assert_eq!(Settings::load(&f), Settings::default());
    }
}
