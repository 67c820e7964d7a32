//! The key envelope: the vault's random 256-bit data key, wrapped twice — once under a key
//! derived from the passphrase (Argon2id), once under the printable recovery key — and stored
//! in the plaintext header of the vault file (see `vfs.rs`).
//!
//! Two slots of [`SLOT_LEN`] bytes hold envelopes with a generation counter; a change writes the
//! inactive slot and fsyncs, so a crash mid-write leaves the previous envelope valid. Each slot
//! carries a SHA-256 checksum to detect a torn write; the AEAD tags authenticate the contents
//! (KDF parameters, salts and vault id are associated data, so they cannot be weakened).

use argon2::{Algorithm, Argon2, Params, Version};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use sha2::{Digest, Sha256};
use uuid::Uuid;
use zeroize::{Zeroize, Zeroizing};

use crate::VaultError;

pub const SLOT_LEN: usize = 2048;
const MAGIC: &[u8; 8] = b"KINVLT01";
const KEY_LEN: usize = 32;
const WRAPPED_LEN: usize = KEY_LEN + 16;

/// A 256-bit key that is wiped from memory when dropped.
pub type Key = Zeroizing<[u8; KEY_LEN]>;

/// Argon2id cost. Stored in the envelope so a vault always opens with the parameters it was
/// created with, and new vaults can use stronger ones later.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KdfParams {
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
}

impl KdfParams {
    /// The default: 64 MiB, 3 passes, 1 lane (above OWASP's 2023 minimum of 19 MiB × 2).
    pub const INTERACTIVE: KdfParams = KdfParams { memory_kib: 64 * 1024, iterations: 3, parallelism: 1 };
    /// Cheap parameters for tests that create many vaults. Never the default.
    pub const TESTING_ONLY: KdfParams = KdfParams { memory_kib: 256, iterations: 1, parallelism: 1 };
}

/// The printable recovery key: 32 random bytes as 16 groups of 4 hex digits.
pub struct RecoveryKey(Key);

impl RecoveryKey {
    pub fn generate() -> Result<RecoveryKey, VaultError> {
        Ok(RecoveryKey(random_key()?))
    }

    /// Parses the printed form; spaces, dashes and case are ignored.
    pub fn parse(text: &str) -> Result<RecoveryKey, VaultError> {
        let hex: Zeroizing<String> = Zeroizing::new(
            text.chars().filter(|c| !c.is_whitespace() && *c != '-').collect::<String>().to_ascii_lowercase(),
        );
        let mut key = Zeroizing::new([0u8; KEY_LEN]);
        if hex.len() != KEY_LEN * 2 || hex::decode_to_slice(hex.as_bytes(), &mut key[..]).is_err() {
            return Err(VaultError::BadRecoveryKey);
        }
        Ok(RecoveryKey(key))
    }

    /// The form shown to the user once, at creation: `ABCD-1234-...`.
    pub fn display(&self) -> Zeroizing<String> {
        let hex = Zeroizing::new(hex::encode_upper(&self.0[..]));
        let mut out = String::with_capacity(80);
        for (i, chunk) in hex.as_bytes().chunks(4).enumerate() {
            if i > 0 {
                out.push('-');
            }
            out.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        }
        Zeroizing::new(out)
    }

    fn wrapping_key(&self, salt: &[u8; 16]) -> Key {
        // The recovery key is uniformly random, so a hash with domain separation is a sound KDF;
        // Argon2's work factor would add nothing.
        let mut h = Sha256::new();
        h.update(b"kinvault recovery wrap v1");
        h.update(salt);
        h.update(&self.0[..]);
        let mut out = Zeroizing::new([0u8; KEY_LEN]);
        out.copy_from_slice(&h.finalize());
        out
    }
}

pub fn random_key() -> Result<Key, VaultError> {
    let mut k = Zeroizing::new([0u8; KEY_LEN]);
    getrandom::getrandom(&mut k[..]).map_err(|e| VaultError::Crypto(format!("no system randomness: {e}")))?;
    Ok(k)
}

fn random<const N: usize>() -> Result<[u8; N], VaultError> {
    let mut b = [0u8; N];
    getrandom::getrandom(&mut b).map_err(|e| VaultError::Crypto(format!("no system randomness: {e}")))?;
    Ok(b)
}

/// One decoded envelope slot.
#[derive(Clone)]
pub struct Envelope {
    pub generation: u64,
    pub vault_id: Uuid,
    pub kdf: KdfParams,
    pass_salt: [u8; 16],
    pass_nonce: [u8; 24],
    pass_wrapped: [u8; WRAPPED_LEN],
    rec_salt: [u8; 16],
    rec_nonce: [u8; 24],
    rec_wrapped: [u8; WRAPPED_LEN],
}

fn derive_passphrase_key(passphrase: &str, salt: &[u8; 16], kdf: KdfParams) -> Result<Key, VaultError> {
    let params = Params::new(kdf.memory_kib, kdf.iterations, kdf.parallelism, Some(KEY_LEN))
        .map_err(|e| VaultError::Crypto(format!("bad KDF parameters: {e}")))?;
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
    let mut out = Zeroizing::new([0u8; KEY_LEN]);
    argon
        .hash_password_into(passphrase.as_bytes(), salt, &mut out[..])
        .map_err(|e| VaultError::Crypto(format!("key derivation failed: {e}")))?;
    Ok(out)
}

impl Envelope {
    /// Wraps `data_key` under both the passphrase and the recovery key.
    pub fn seal(
        vault_id: Uuid,
        generation: u64,
        kdf: KdfParams,
        data_key: &Key,
        passphrase: &str,
        recovery: &RecoveryKey,
    ) -> Result<Envelope, VaultError> {
        let mut env = Envelope {
            generation,
            vault_id,
            kdf,
            pass_salt: random()?,
            pass_nonce: random()?,
            pass_wrapped: [0; WRAPPED_LEN],
            rec_salt: random()?,
            rec_nonce: random()?,
            rec_wrapped: [0; WRAPPED_LEN],
        };
        let pk = derive_passphrase_key(passphrase, &env.pass_salt, kdf)?;
        env.pass_wrapped = wrap(&pk, &env.pass_nonce, &env.aad(b"pass"), data_key)?;
        let rk = recovery.wrapping_key(&env.rec_salt);
        env.rec_wrapped = wrap(&rk, &env.rec_nonce, &env.aad(b"recovery"), data_key)?;
        Ok(env)
    }

    /// Same data key and recovery wrap, new passphrase wrap (passphrase change: no re-encryption).
    pub fn rewrap_passphrase(
        &self,
        data_key: &Key,
        new_passphrase: &str,
        kdf: KdfParams,
    ) -> Result<Envelope, VaultError> {
        let mut env = self.clone();
        env.generation = self.generation + 1;
        env.kdf = kdf;
        env.pass_salt = random()?;
        env.pass_nonce = random()?;
        let pk = derive_passphrase_key(new_passphrase, &env.pass_salt, kdf)?;
        env.pass_wrapped = wrap(&pk, &env.pass_nonce, &env.aad(b"pass"), data_key)?;
        Ok(env)
    }

    pub fn rewrap_recovery(&mut self, data_key: &Key, recovery: &RecoveryKey) -> Result<(), VaultError> {
        self.rec_salt = random()?;
        self.rec_nonce = random()?;
        let rk = recovery.wrapping_key(&self.rec_salt);
        self.rec_wrapped = wrap(&rk, &self.rec_nonce, &self.aad(b"recovery"), data_key)?;
        Ok(())
    }

    pub fn unwrap_with_passphrase(&self, passphrase: &str) -> Result<Key, VaultError> {
        let pk = derive_passphrase_key(passphrase, &self.pass_salt, self.kdf)?;
        unwrap(&pk, &self.pass_nonce, &self.aad(b"pass"), &self.pass_wrapped).ok_or(VaultError::WrongPassphrase)
    }

    pub fn unwrap_with_recovery(&self, recovery: &RecoveryKey) -> Result<Key, VaultError> {
        let rk = recovery.wrapping_key(&self.rec_salt);
        unwrap(&rk, &self.rec_nonce, &self.aad(b"recovery"), &self.rec_wrapped).ok_or(VaultError::WrongRecoveryKey)
    }

    /// Associated data of one wrap: binds it to this vault and to the parameters it depends on
    /// (each wrap only to its own, so either can be replaced without the other's secret).
    fn aad(&self, purpose: &[u8]) -> Vec<u8> {
        let mut a = Vec::with_capacity(64);
        a.extend_from_slice(MAGIC);
        a.extend_from_slice(purpose);
        a.extend_from_slice(self.vault_id.as_bytes());
        if purpose == b"pass" {
            a.extend_from_slice(&self.kdf.memory_kib.to_le_bytes());
            a.extend_from_slice(&self.kdf.iterations.to_le_bytes());
            a.extend_from_slice(&self.kdf.parallelism.to_le_bytes());
            a.extend_from_slice(&self.pass_salt);
        } else {
            a.extend_from_slice(&self.rec_salt);
        }
        a
    }

    pub fn encode(&self) -> Vec<u8> {
        let mut b = Vec::with_capacity(SLOT_LEN);
        b.extend_from_slice(MAGIC);
        b.extend_from_slice(&self.generation.to_le_bytes());
        b.extend_from_slice(self.vault_id.as_bytes());
        b.extend_from_slice(&self.kdf.memory_kib.to_le_bytes());
        b.extend_from_slice(&self.kdf.iterations.to_le_bytes());
        b.extend_from_slice(&self.kdf.parallelism.to_le_bytes());
        b.extend_from_slice(&self.pass_salt);
        b.extend_from_slice(&self.pass_nonce);
        b.extend_from_slice(&self.pass_wrapped);
        b.extend_from_slice(&self.rec_salt);
        b.extend_from_slice(&self.rec_nonce);
        b.extend_from_slice(&self.rec_wrapped);
        let sum = Sha256::digest(&b);
        b.extend_from_slice(&sum);
        b.resize(SLOT_LEN, 0);
        b
    }

    /// Decodes a slot; `None` if it is empty, torn or not ours.
    pub fn decode(slot: &[u8]) -> Option<Envelope> {
        let body_len = 8 + 8 + 16 + 12 + 16 + 24 + WRAPPED_LEN + 16 + 24 + WRAPPED_LEN;
        if slot.len() < body_len + 32 || &slot[..8] != MAGIC {
            return None;
        }
        if Sha256::digest(&slot[..body_len])[..] != slot[body_len..body_len + 32] {
            return None;
        }
        let mut r = Reader { b: slot, at: 8 };
        Some(Envelope {
            generation: u64::from_le_bytes(r.take()),
            vault_id: Uuid::from_bytes(r.take()),
            kdf: KdfParams {
                memory_kib: u32::from_le_bytes(r.take()),
                iterations: u32::from_le_bytes(r.take()),
                parallelism: u32::from_le_bytes(r.take()),
            },
            pass_salt: r.take(),
            pass_nonce: r.take(),
            pass_wrapped: r.take(),
            rec_salt: r.take(),
            rec_nonce: r.take(),
            rec_wrapped: r.take(),
        })
    }
}

struct Reader<'a> {
    b: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn take<const N: usize>(&mut self) -> [u8; N] {
        let mut out = [0u8; N];
        out.copy_from_slice(&self.b[self.at..self.at + N]);
        self.at += N;
        out
    }
}

fn wrap(kek: &Key, nonce: &[u8; 24], aad: &[u8], data_key: &Key) -> Result<[u8; WRAPPED_LEN], VaultError> {
    let cipher = XChaCha20Poly1305::new_from_slice(&kek[..]).map_err(|e| VaultError::Crypto(e.to_string()))?;
    let mut ct = cipher
        .encrypt(XNonce::from_slice(nonce), Payload { msg: &data_key[..], aad })
        .map_err(|e| VaultError::Crypto(e.to_string()))?;
    let mut out = [0u8; WRAPPED_LEN];
    out.copy_from_slice(&ct);
    ct.zeroize();
    Ok(out)
}

fn unwrap(kek: &Key, nonce: &[u8; 24], aad: &[u8], wrapped: &[u8; WRAPPED_LEN]) -> Option<Key> {
    let cipher = XChaCha20Poly1305::new_from_slice(&kek[..]).ok()?;
    let pt = Zeroizing::new(cipher.decrypt(XNonce::from_slice(nonce), Payload { msg: wrapped, aad }).ok()?);
    let mut key = Zeroizing::new([0u8; KEY_LEN]);
    key.copy_from_slice(&pt);
    Some(key)
}

/// Picks the newest valid envelope of the two slots.
pub fn newest(header: &[u8]) -> Option<(usize, Envelope)> {
    (0..2)
        .filter_map(|i| Envelope::decode(&header[i * SLOT_LEN..(i + 1) * SLOT_LEN]).map(|e| (i, e)))
        .max_by_key(|(_, e)| e.generation)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_unwrap_and_tamper() {
        let dk = random_key().unwrap();
        let rk = RecoveryKey::generate().unwrap();
        let env = Envelope::seal(Uuid::now_v7(), 1, KdfParams::TESTING_ONLY, &dk, "pw", &rk).unwrap();
        let bytes = env.encode();
        let back = Envelope::decode(&bytes).unwrap();
        assert_eq!(&back.unwrap_with_passphrase("pw").unwrap()[..], &dk[..]);
        assert!(matches!(back.unwrap_with_passphrase("pW"), Err(VaultError::WrongPassphrase)));
        let rk2 = RecoveryKey::parse(&rk.display().to_lowercase()).unwrap();
        assert_eq!(&back.unwrap_with_recovery(&rk2).unwrap()[..], &dk[..]);
        // A flipped bit anywhere in the body is caught by the checksum.
        let mut torn = bytes.clone();
        torn[40] ^= 1;
        assert!(Envelope::decode(&torn).is_none());
        // Weakening the KDF parameters (with a recomputed checksum) fails authentication.
        let mut weak = back.clone();
        weak.kdf.iterations = 1;
        weak.kdf.memory_kib = 8;
        let weak = Envelope::decode(&weak.encode()).unwrap();
        assert!(weak.unwrap_with_passphrase("pw").is_err());
    }

    #[test]
    fn recovery_key_format() {
        let rk = RecoveryKey::generate().unwrap();
        let shown = rk.display();
        assert_eq!(shown.len(), 64 + 15);
        assert_eq!(shown.split('-').count(), 16);
        assert!(RecoveryKey::parse("not-a-key").is_err());
        assert!(RecoveryKey::parse(&shown[..70]).is_err());
    }
}
