//! Keys and sealing. The device that creates a sync account draws a random 256-bit secret; the
//! *join code* shown to the user is the account id plus that secret. From the secret, Argon2id
//! then HKDF-SHA256 derive two independent keys:
//! - the **batch key** (XChaCha20-Poly1305), which seals every batch and snapshot and never
//!   leaves the devices;
//! - the **auth key**, which the server stores only as a SHA-256 hash and which proves to it
//!   that a new device may join the account. Knowing it tells nothing about the batch key.
//!
//! Associated data binds each sealed blob to its account, device and sequence number (or
//! snapshot cursor), so the server cannot move a batch to another account or device, reorder,
//! or pass an old snapshot off as a new one without the open failing.

use crate::SyncError;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use uuid::Uuid;
use zeroize::Zeroizing;

const SECRET_LEN: usize = 32;
const NONCE_LEN: usize = 24;
const CODE_PREFIX: &str = "KVSYNC1";

/// The account's shared secret, with the account it belongs to.
#[derive(Clone)]
pub struct JoinCode {
    pub account: Uuid,
    secret: Zeroizing<[u8; SECRET_LEN]>,
}

impl std::fmt::Debug for JoinCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JoinCode").field("account", &self.account).finish_non_exhaustive()
    }
}

impl JoinCode {
    /// A new secret for an account the server has just created.
    pub fn generate(account: Uuid) -> Result<JoinCode, SyncError> {
        let mut secret = Zeroizing::new([0u8; SECRET_LEN]);
        getrandom::getrandom(&mut secret[..]).map_err(|e| SyncError::Crypto(format!("no randomness: {e}")))?;
        Ok(JoinCode { account, secret })
    }

    /// Builds the code for an account whose secret is not known yet (the account is created
    /// with the auth key derived from the secret, then the server assigns the id).
    pub fn with_account(&self, account: Uuid) -> JoinCode {
        JoinCode { account, secret: self.secret.clone() }
    }

    /// `KVSYNC1-` then the account id and the secret in hex, in groups of eight.
    pub fn display(&self) -> Zeroizing<String> {
        let mut bytes = Zeroizing::new(Vec::with_capacity(16 + SECRET_LEN));
        bytes.extend_from_slice(self.account.as_bytes());
        bytes.extend_from_slice(&self.secret[..]);
        let hex = Zeroizing::new(hex::encode_upper(&bytes[..]));
        let mut out = String::from(CODE_PREFIX);
        for chunk in hex.as_bytes().chunks(8) {
            out.push('-');
            out.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        }
        Zeroizing::new(out)
    }

    /// Parses a printed code; spaces, dashes and case do not matter.
    pub fn parse(text: &str) -> Result<JoinCode, SyncError> {
        let bad = || SyncError::BadJoinCode;
        let cleaned: Zeroizing<String> = Zeroizing::new(
            text.chars().filter(|c| !c.is_whitespace() && *c != '-').collect::<String>().to_ascii_uppercase(),
        );
        let hex = cleaned.strip_prefix(CODE_PREFIX).ok_or_else(bad)?;
        let mut bytes = Zeroizing::new([0u8; 16 + SECRET_LEN]);
        if hex.len() != bytes.len() * 2 || hex::decode_to_slice(hex, &mut bytes[..]).is_err() {
            return Err(bad());
        }
        let mut account = [0u8; 16];
        account.copy_from_slice(&bytes[..16]);
        let mut secret = Zeroizing::new([0u8; SECRET_LEN]);
        secret.copy_from_slice(&bytes[16..]);
        Ok(JoinCode { account: Uuid::from_bytes(account), secret })
    }

    /// Derives the batch and auth keys (Argon2id, then HKDF-SHA256 with one label per key).
    pub fn keys(&self) -> Result<Keys, SyncError> {
        // The secret is uniformly random, so Argon2id's cost protects nothing a human chose;
        // moderate parameters keep joining quick while following the protocol's derivation.
        let params = argon2::Params::new(19 * 1024, 2, 1, Some(32)).map_err(|e| SyncError::Crypto(e.to_string()))?;
        let argon = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
        let mut root = Zeroizing::new([0u8; 32]);
        argon
            .hash_password_into(&self.secret[..], b"kinvault-sync-v1", &mut root[..])
            .map_err(|e| SyncError::Crypto(e.to_string()))?;
        let hk = hkdf::Hkdf::<sha2::Sha256>::new(Some(b"kinvault-sync-v1"), &root[..]);
        let mut batch = Zeroizing::new([0u8; 32]);
        let mut auth = Zeroizing::new([0u8; 32]);
        hk.expand(b"batch key", &mut batch[..]).map_err(|e| SyncError::Crypto(e.to_string()))?;
        hk.expand(b"server auth key", &mut auth[..]).map_err(|e| SyncError::Crypto(e.to_string()))?;
        Ok(Keys { batch, auth })
    }
}

pub struct Keys {
    batch: Zeroizing<[u8; 32]>,
    pub auth: Zeroizing<[u8; 32]>,
}

/// What a sealed blob is bound to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Binding {
    Batch { account: Uuid, device: Uuid, seq: u64 },
    Snapshot { account: Uuid, device: Uuid, cursor: i64 },
}

impl Binding {
    fn aad(&self) -> Vec<u8> {
        let mut a = b"kinvault-sync-v1\0".to_vec();
        match self {
            Binding::Batch { account, device, seq } => {
                a.extend_from_slice(b"batch\0");
                a.extend_from_slice(account.as_bytes());
                a.extend_from_slice(device.as_bytes());
                a.extend_from_slice(&seq.to_be_bytes());
            }
            Binding::Snapshot { account, device, cursor } => {
                a.extend_from_slice(b"snapshot\0");
                a.extend_from_slice(account.as_bytes());
                a.extend_from_slice(device.as_bytes());
                a.extend_from_slice(&cursor.to_be_bytes());
            }
        }
        a
    }
}

impl Keys {
    /// The stored form (inside the encrypted vault), so syncing does not repeat the derivation.
    pub fn to_hex(&self) -> Zeroizing<String> {
        Zeroizing::new(format!("{}:{}", hex::encode(&self.batch[..]), hex::encode(&self.auth[..])))
    }

    pub fn from_hex(text: &str) -> Result<Keys, SyncError> {
        let bad = || SyncError::Config("stored sync keys are damaged".into());
        let (b, a) = text.split_once(':').ok_or_else(bad)?;
        let mut batch = Zeroizing::new([0u8; 32]);
        let mut auth = Zeroizing::new([0u8; 32]);
        hex::decode_to_slice(b, &mut batch[..]).map_err(|_| bad())?;
        hex::decode_to_slice(a, &mut auth[..]).map_err(|_| bad())?;
        Ok(Keys { batch, auth })
    }

    /// `nonce || ciphertext+tag`, with a fresh random 192-bit nonce.
    pub fn seal(&self, binding: Binding, plaintext: &[u8]) -> Result<Vec<u8>, SyncError> {
        let cipher = XChaCha20Poly1305::new(self.batch[..].into());
        let mut nonce = [0u8; NONCE_LEN];
        getrandom::getrandom(&mut nonce).map_err(|e| SyncError::Crypto(format!("no randomness: {e}")))?;
        let aad = binding.aad();
        let ct = cipher
            .encrypt(XNonce::from_slice(&nonce), Payload { msg: plaintext, aad: &aad })
            .map_err(|_| SyncError::Crypto("sealing failed".into()))?;
        let mut out = Vec::with_capacity(NONCE_LEN + ct.len());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&ct);
        Ok(out)
    }

    /// Opens a sealed blob; fails if it was altered or is presented as something it is not.
    pub fn open(&self, binding: Binding, sealed: &[u8]) -> Result<Zeroizing<Vec<u8>>, SyncError> {
        let what = match binding {
            Binding::Batch { device, seq, .. } => format!("batch {seq} of device {device}"),
            Binding::Snapshot { cursor, .. } => format!("snapshot at cursor {cursor}"),
        };
        if sealed.len() < NONCE_LEN + 16 {
            return Err(SyncError::Tampered(what));
        }
        let cipher = XChaCha20Poly1305::new(self.batch[..].into());
        let (nonce, ct) = sealed.split_at(NONCE_LEN);
        cipher
            .decrypt(XNonce::from_slice(nonce), Payload { msg: ct, aad: &binding.aad() })
            .map(Zeroizing::new)
            .map_err(|_| SyncError::Tampered(what))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn join_code_round_trips_and_rejects_typos() {
        let code = JoinCode::generate(Uuid::now_v7()).unwrap();
        let shown = code.display();
        let back = JoinCode::parse(&shown.to_lowercase().replace('-', " ")).unwrap();
        assert_eq!(back.account, code.account);
        assert_eq!(&back.secret[..], &code.secret[..]);
        let mut typo = shown.to_string();
        typo.pop();
        assert!(matches!(JoinCode::parse(&typo), Err(SyncError::BadJoinCode)));
        assert!(matches!(JoinCode::parse("KVSYNC1-ZZ"), Err(SyncError::BadJoinCode)));
    }

    #[test]
    fn keys_are_deterministic_and_independent() {
        let code = JoinCode::generate(Uuid::nil()).unwrap();
        let (a, b) = (code.keys().unwrap(), code.keys().unwrap());
        assert_eq!(&a.batch[..], &b.batch[..]);
        assert_ne!(&a.batch[..], &a.auth[..]);
        let other = JoinCode::generate(Uuid::nil()).unwrap().keys().unwrap();
        assert_ne!(&a.batch[..], &other.batch[..]);
    }

    #[test]
    fn sealed_batches_are_bound_to_account_device_and_seq() {
        let keys = JoinCode::generate(Uuid::nil()).unwrap().keys().unwrap();
        let (acc, dev) = (Uuid::now_v7(), Uuid::now_v7());
        let b = Binding::Batch { account: acc, device: dev, seq: 7 };
        let sealed = keys.seal(b, b"hello").unwrap();
        assert_eq!(&keys.open(b, &sealed).unwrap()[..], b"hello");
        for wrong in [
            Binding::Batch { account: Uuid::now_v7(), device: dev, seq: 7 },
            Binding::Batch { account: acc, device: Uuid::now_v7(), seq: 7 },
            Binding::Batch { account: acc, device: dev, seq: 8 },
            Binding::Snapshot { account: acc, device: dev, cursor: 7 },
        ] {
            assert!(matches!(keys.open(wrong, &sealed), Err(SyncError::Tampered(_))));
        }
        for i in [0, 10, sealed.len() - 1] {
            let mut t = sealed.clone();
            t[i] ^= 1;
            assert!(matches!(keys.open(b, &t), Err(SyncError::Tampered(_))));
        }
        assert!(matches!(keys.open(b, &sealed[..20]), Err(SyncError::Tampered(_))));
    }
}
