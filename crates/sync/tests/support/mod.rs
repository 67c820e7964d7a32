//! Test support: vaults, people, and an in-process relay that follows the server's rules
//! (docs/server.md) for the convergence property test, where a real server per case would
//! make 1,000 cases take hours. The end-to-end tests use the real server.
#![allow(dead_code)]

use kinvault_model::{Person, PersonName, Sex};
use kinvault_sync::transport::{PullPage, PulledBatch, PushAck, Registration, SnapshotBlob, Transport};
use kinvault_sync::SyncError;
use kinvault_vault::{KdfParams, Vault};
use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Mutex;
use uuid::Uuid;

pub const PASS: &str = "correct horse battery staple";

pub fn vault(dir: &Path, name: &str) -> Vault {
    Vault::create(&dir.join(format!("{name}.kinvault")), PASS, KdfParams::TESTING_ONLY).unwrap().0
}

pub fn person(given: &str, surname: &str, sex: Sex) -> Person {
    Person::new(PersonName::new(given, surname), sex)
}

/// Everything sync carries, by record, as JSON (the vault's own identity entries excluded:
/// each device's vault has its own).
pub fn content(v: &Vault) -> std::collections::BTreeMap<(String, String), serde_json::Value> {
    let mut out = std::collections::BTreeMap::new();
    v.for_each_person(|p| {
        out.insert(("person".into(), p.id.to_string()), serde_json::to_value(&p).unwrap());
        Ok(())
    })
    .unwrap();
    v.for_each_family(|f| {
        out.insert(("family".into(), f.id.to_string()), serde_json::to_value(&f).unwrap());
        Ok(())
    })
    .unwrap();
    v.for_each_source(|s| {
        out.insert(("source".into(), s.id.to_string()), serde_json::to_value(&s).unwrap());
        Ok(())
    })
    .unwrap();
    let mut st = v
        .connection()
        .prepare("SELECT key, value FROM meta WHERE key NOT IN ('vault_id', 'created_at', 'created_by')")
        .unwrap();
    let rows = st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))).unwrap();
    for r in rows {
        let (k, val) = r.unwrap();
        out.insert(("meta".into(), k), serde_json::Value::String(val));
    }
    out
}

/// Every device syncs, twice round, so each sees what the others pushed.
pub fn sync_all(devices: &mut [Vault], t: &dyn Transport) {
    for _ in 0..2 {
        for v in devices.iter_mut() {
            kinvault_sync::sync(v, t, &kinvault_sync::Options::default()).unwrap();
        }
    }
}

pub fn assert_converged(devices: &[Vault]) {
    let first = content(&devices[0]);
    assert!(!first.is_empty());
    for (i, d) in devices.iter().enumerate().skip(1) {
        assert_eq!(content(d), first, "device {i} differs from device 0");
    }
}

#[derive(Default)]
struct Account {
    auth: [u8; 32],
    batches: Vec<PulledBatch>,
    last_seq: HashMap<Uuid, u64>,
    snapshot: Option<SnapshotBlob>,
}

#[derive(Default)]
struct Inner {
    accounts: HashMap<Uuid, Account>,
    tokens: HashMap<String, (Uuid, Uuid)>,
}

#[derive(Default)]
pub struct Relay {
    inner: Mutex<Inner>,
    /// Pushes to store and then "lose the connection" on (the answer never arrives).
    pub cut_after_store: AtomicU32,
}

impl Relay {
    fn register(&self, inner: &mut Inner, account: Uuid) -> Registration {
        let device = Uuid::now_v7();
        let token = Uuid::now_v7().simple().to_string();
        inner.tokens.insert(token.clone(), (account, device));
        Registration { account_id: Some(account), device_id: device, device_token: token }
    }

    fn who(&self, inner: &Inner, token: &str) -> Result<(Uuid, Uuid), SyncError> {
        inner.tokens.get(token).copied().ok_or_else(|| SyncError::Unauthorized("unknown token".into()))
    }

    /// Flips one byte of a stored batch's ciphertext (a server that tampers).
    pub fn tamper(&self, cursor: i64) {
        let mut inner = self.inner.lock().unwrap();
        for a in inner.accounts.values_mut() {
            if let Some(b) = a.batches.iter_mut().find(|b| b.cursor == cursor) {
                let n = b.ciphertext.len();
                b.ciphertext[n / 2] ^= 0x40;
            }
        }
    }

    /// Offers an already delivered batch again at a new cursor (a server that replays).
    pub fn replay(&self, cursor: i64) {
        let mut inner = self.inner.lock().unwrap();
        for a in inner.accounts.values_mut() {
            if let Some(b) = a.batches.iter().find(|b| b.cursor == cursor).cloned() {
                let next = a.batches.len() as i64 + 1;
                a.batches.push(PulledBatch { cursor: next, ..b });
            }
        }
    }

    pub fn batch_count(&self) -> usize {
        self.inner.lock().unwrap().accounts.values().map(|a| a.batches.len()).sum()
    }
}

impl Transport for Relay {
    fn create_account(&self, auth_key: &[u8; 32]) -> Result<Registration, SyncError> {
        let mut inner = self.inner.lock().unwrap();
        let id = Uuid::now_v7();
        inner.accounts.insert(id, Account { auth: *auth_key, ..Default::default() });
        Ok(self.register(&mut inner, id))
    }

    fn add_device(&self, account: Uuid, auth_key: &[u8; 32]) -> Result<Registration, SyncError> {
        let mut inner = self.inner.lock().unwrap();
        match inner.accounts.get(&account) {
            Some(a) if a.auth == *auth_key => Ok(self.register(&mut inner, account)),
            _ => Err(SyncError::Unauthorized("wrong account or key".into())),
        }
    }

    fn push(&self, token: &str, seq: u64, ciphertext: &[u8]) -> Result<PushAck, SyncError> {
        let mut inner = self.inner.lock().unwrap();
        let (account, device) = self.who(&inner, token)?;
        let a = inner.accounts.get_mut(&account).unwrap();
        let last = a.last_seq.get(&device).copied().unwrap_or(0);
        if seq <= last {
            let stored = a.batches.iter().find(|b| b.device_id == device && b.seq == seq).unwrap();
            if stored.ciphertext != ciphertext {
                return Err(SyncError::Conflict { message: "different batch".into(), expected_seq: Some(last + 1) });
            }
            return Ok(PushAck { cursor: stored.cursor, duplicate: true });
        }
        if seq != last + 1 {
            return Err(SyncError::Conflict { message: "gap".into(), expected_seq: Some(last + 1) });
        }
        let cursor = a.batches.len() as i64 + 1;
        a.batches.push(PulledBatch { cursor, device_id: device, seq, ciphertext: ciphertext.to_vec() });
        a.last_seq.insert(device, seq);
        if self.cut_after_store.load(Ordering::SeqCst) > 0 {
            self.cut_after_store.fetch_sub(1, Ordering::SeqCst);
            return Err(SyncError::Unreachable("connection reset (test)".into()));
        }
        Ok(PushAck { cursor, duplicate: false })
    }

    fn pull(&self, token: &str, after: i64, limit: u32) -> Result<PullPage, SyncError> {
        let inner = self.inner.lock().unwrap();
        let (account, _) = self.who(&inner, token)?;
        let a = &inner.accounts[&account];
        let rest: Vec<PulledBatch> = a.batches.iter().filter(|b| b.cursor > after).cloned().collect();
        let more = rest.len() > limit as usize;
        Ok(PullPage {
            batches: rest.into_iter().take(limit as usize).collect(),
            latest_cursor: a.batches.len() as i64,
            more,
        })
    }

    fn put_snapshot(&self, token: &str, cursor: i64, ciphertext: &[u8]) -> Result<(), SyncError> {
        let mut inner = self.inner.lock().unwrap();
        let (account, device) = self.who(&inner, token)?;
        let a = inner.accounts.get_mut(&account).unwrap();
        if a.snapshot.as_ref().is_some_and(|s| s.cursor > cursor) {
            return Err(SyncError::Conflict { message: "newer snapshot stored".into(), expected_seq: None });
        }
        a.snapshot = Some(SnapshotBlob { cursor, device_id: device, ciphertext: ciphertext.to_vec() });
        Ok(())
    }

    fn get_snapshot(&self, token: &str) -> Result<Option<SnapshotBlob>, SyncError> {
        let inner = self.inner.lock().unwrap();
        let (account, _) = self.who(&inner, token)?;
        Ok(inner.accounts[&account].snapshot.clone())
    }
}
