use kinvault_vault::VaultError;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// What went wrong, in a form every shell can show: a stable `kind` to branch on and a one-line
/// `message` for people. Messages never contain passphrases, names or conditions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, thiserror::Error)]
#[error("{message}")]
pub struct ApiError {
    pub kind: ErrorKind,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    WrongPassphrase,
    WrongRecoveryKey,
    WeakPassphrase,
    Locked,
    NotFound,
    AlreadyExists,
    NotAVault,
    InvalidInput,
    TooNew,
    Corrupt,
    Io,
    /// The user cancelled a long operation; nothing was changed.
    Cancelled,
    Internal,
}

impl ApiError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        ApiError { kind, message: message.into() }
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidInput, message)
    }

    pub fn cancelled() -> Self {
        Self::new(ErrorKind::Cancelled, "cancelled; nothing was changed")
    }

    pub fn locked() -> Self {
        Self::new(ErrorKind::Locked, "the vault is locked; unlock it first")
    }
}

impl From<VaultError> for ApiError {
    fn from(e: VaultError) -> Self {
        let kind = match &e {
            VaultError::WrongPassphrase => ErrorKind::WrongPassphrase,
            VaultError::WrongRecoveryKey | VaultError::BadRecoveryKey => ErrorKind::WrongRecoveryKey,
            VaultError::WeakPassphrase(_) => ErrorKind::WeakPassphrase,
            VaultError::Missing(_) | VaultError::NotFound { .. } => ErrorKind::NotFound,
            VaultError::AlreadyExists(_) => ErrorKind::AlreadyExists,
            VaultError::NotAVault(_) => ErrorKind::NotAVault,
            VaultError::Invalid(_) => ErrorKind::InvalidInput,
            VaultError::TooNew { .. } => ErrorKind::TooNew,
            VaultError::Corrupt { .. } => ErrorKind::Corrupt,
            VaultError::Io(_) => ErrorKind::Io,
            VaultError::NoEncryption | VaultError::Sqlite(_) | VaultError::Crypto(_) => ErrorKind::Internal,
        };
        ApiError::new(kind, e.to_string())
    }
}
