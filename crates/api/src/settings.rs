//! App settings kept beside the vaults (not inside them, since they are needed before unlock):
//! recent vault paths, the idle-lock delay and the memory-alert threshold. Nothing secret and no
//! health data lives here.

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

pub const DEFAULT_IDLE_LOCK_SECONDS: u32 = 600;
/// The memory alert's default threshold (this process plus its webview processes), MiB. A
/// 100,000-person vault with the family graph loaded stays well below it (docs/benchmarks.md).
pub const DEFAULT_MEMORY_ALERT_MB: u32 = 1024;
/// Thresholds a user may set, MiB: 64 MiB to 1 TiB.
pub const MEMORY_ALERT_MB_RANGE: std::ops::RangeInclusive<u32> = 64..=1_048_576;
const MAX_RECENT: usize = 10;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    #[serde(default)]
    pub recent: Vec<Recent>,
    #[serde(default = "default_idle")]
    pub idle_lock_seconds: u32,
    /// Resident memory (MiB) above which the app logs a memory alert and the diagnostics view
    /// shows it (see `crate::diagnostics`). A value out of range in the file reads as the default.
    #[serde(default = "default_memory_alert", deserialize_with = "memory_alert_or_default")]
    pub memory_alert_mb: u32,
}

fn default_memory_alert() -> u32 {
    DEFAULT_MEMORY_ALERT_MB
}

fn memory_alert_or_default<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    let v = serde_json::Value::deserialize(d)?;
    Ok(v.as_u64()
        .and_then(|v| u32::try_from(v).ok())
        .filter(|v| MEMORY_ALERT_MB_RANGE.contains(v))
        .unwrap_or(DEFAULT_MEMORY_ALERT_MB))
}

fn default_idle() -> u32 {
    DEFAULT_IDLE_LOCK_SECONDS
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            recent: vec![],
            idle_lock_seconds: DEFAULT_IDLE_LOCK_SECONDS,
            memory_alert_mb: DEFAULT_MEMORY_ALERT_MB,
        }
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

    /// Checks a memory-alert threshold, MiB.
    pub fn check_memory_alert_mb(mb: u32) -> Result<u32, String> {
        if MEMORY_ALERT_MB_RANGE.contains(&mb) {
            Ok(mb)
        } else {
            Err(format!(
                "the memory alert must be between {} MiB and {} MiB",
                MEMORY_ALERT_MB_RANGE.start(),
                MEMORY_ALERT_MB_RANGE.end()
            ))
        }
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

    #[test]
    fn memory_alert_default_validation_and_old_files() {
        assert_eq!(Settings::default().memory_alert_mb, DEFAULT_MEMORY_ALERT_MB);
        assert!(Settings::check_memory_alert_mb(63).is_err());
        assert!(Settings::check_memory_alert_mb(1_048_577).is_err());
        assert_eq!(Settings::check_memory_alert_mb(2048), Ok(2048));
        let d = tempfile::tempdir().unwrap();
        let f = d.path().join("settings.json");
        // A file from before the setting existed.
        std::fs::write(&f, br#"{"recent": [], "idle_lock_seconds": 900}"#).unwrap();
        let s = Settings::load(&f);
        assert_eq!((s.idle_lock_seconds, s.memory_alert_mb), (900, DEFAULT_MEMORY_ALERT_MB));
        // An out-of-range value edited into the file reads as the default, keeping the rest.
        std::fs::write(&f, br#"{"idle_lock_seconds": 900, "memory_alert_mb": 1}"#).unwrap();
        assert_eq!(Settings::load(&f).memory_alert_mb, DEFAULT_MEMORY_ALERT_MB);
        assert_eq!(Settings::load(&f).idle_lock_seconds, 900);
        std::fs::write(&f, br#"{"memory_alert_mb": 99999999999}"#).unwrap();
        assert_eq!(Settings::load(&f).memory_alert_mb, DEFAULT_MEMORY_ALERT_MB);
        std::fs::write(&f, br#"{"memory_alert_mb": "lots"}"#).unwrap();
        assert_eq!(Settings::load(&f).memory_alert_mb, DEFAULT_MEMORY_ALERT_MB);
        std::fs::write(&f, br#"{"memory_alert_mb": -5}"#).unwrap();
        assert_eq!(Settings::load(&f).memory_alert_mb, DEFAULT_MEMORY_ALERT_MB);
        let s = Settings { memory_alert_mb: 3000, ..Settings::default() };
        s.save(&f).unwrap();
        assert_eq!(Settings::load(&f).memory_alert_mb, 3000);
    }
}
