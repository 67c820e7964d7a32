//! Creating, opening, checking and re-keying vaults.

use crate::{IntegrityReport, Result, VaultInfo};
use kinvault_vault::{KdfParams, RecoveryKey, Vault};
use std::path::Path;

pub fn info(vault: &Vault) -> Result<VaultInfo> {
    Ok(VaultInfo { path: vault.path().display().to_string(), id: vault.id().to_string(), stats: vault.stats()?.into() })
}

/// Creates a vault with production KDF parameters. Returns it with its printable recovery key.
pub fn create(path: &Path, passphrase: &str) -> Result<(Vault, String)> {
    create_with(path, passphrase, KdfParams::INTERACTIVE)
}

/// As [`create`] with explicit KDF cost (tests use cheap parameters).
pub fn create_with(path: &Path, passphrase: &str, kdf: KdfParams) -> Result<(Vault, String)> {
    let (vault, recovery) = Vault::create(path, passphrase, kdf)?;
    let shown = recovery.display().to_string();
    tracing::info!("vault created");
    Ok((vault, shown))
}

pub fn open(path: &Path, passphrase: &str) -> Result<Vault> {
    Ok(Vault::open(path, passphrase)?)
}

/// Forgotten passphrase: unlock with the recovery key and set a new passphrase.
pub fn recover(path: &Path, recovery_key: &str, new_passphrase: &str) -> Result<Vault> {
    kinvault_vault::check_passphrase(new_passphrase)?;
    let rk = RecoveryKey::parse(recovery_key)?;
    let mut vault = Vault::open_with_recovery_key(path, &rk)?;
    vault.change_passphrase(new_passphrase)?;
    tracing::info!("passphrase reset with the recovery key");
    Ok(vault)
}

pub fn check(vault: &Vault) -> Result<IntegrityReport> {
    let r = vault.integrity_check()?;
    Ok(IntegrityReport { ok: r.ok, problems: r.problems })
}
