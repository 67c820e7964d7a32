//! The sync engine through the real server (crates/server) over a throwaway PostgreSQL, with the
//! HTTP client the app uses: devices converge through edits, deletes and days offline; the
//! server restarted mid-sync and a connection cut after the server stored a push lose and
//! duplicate nothing; accounts are isolated; ciphertext altered in the database is refused; the
//! database holds no plaintext. (The same rules through an in-process relay: tests/engine.rs.)

mod support;

use kinvault_model::{ConditionObservation, ConditionStatus, Family, FamilyChild, Note, Sex};
use kinvault_server::testing::{BlockingServer, CutRule};
use kinvault_sync::transport::{HttpTransport, PullPage, PushAck, Registration, SnapshotBlob, Transport};
use kinvault_sync::{create_account, join_account, sync, Options, SyncError};
use kinvault_vault::Vault;
use std::time::Duration;
use support::*;
use uuid::Uuid;

fn client(base_url: &str) -> HttpTransport {
    // Few, quick retries: the failures below are on purpose.
    HttpTransport::new(base_url).unwrap().with_retries(1, Duration::from_millis(20))
}

fn devices(dir: &std::path::Path, t: &dyn Transport, url: &str, names: &[&str]) -> Vec<Vault> {
    let mut first = vault(dir, names[0]);
    let code = create_account(&mut first, t, url).unwrap();
    let mut out = vec![first];
    for name in &names[1..] {
        let mut v = vault(dir, name);
        join_account(&mut v, t, url, &code).unwrap();
        out.push(v);
    }
    out
}

/// Every row of every table of the server's database as text (JSON, bytea as hex), and every
/// bytea column's raw bytes.
fn database_dump(server: &BlockingServer) -> (String, Vec<Vec<u8>>) {
    server.block_on(async {
        let db = server.postgres().connect().await.unwrap();
        let tables: Vec<String> = db
            .query("SELECT tablename::text FROM pg_tables WHERE schemaname = 'public'", &[])
            .await
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect();
        assert!(tables.iter().any(|t| t == "batches"), "{tables:?}");
        let mut text = String::new();
        for t in &tables {
            for row in db.query(&format!("SELECT row_to_json(t)::text FROM {t} t"), &[]).await.unwrap() {
                text.push_str(row.get::<_, &str>(0));
                text.push('\n');
            }
        }
        let mut blobs = Vec::new();
        for (table, column) in [("batches", "ciphertext"), ("snapshots", "ciphertext")] {
            for row in db.query(&format!("SELECT {column} FROM {table}"), &[]).await.unwrap() {
                blobs.push(row.get::<_, Vec<u8>>(0));
            }
        }
        (text, blobs)
    })
}

fn batch_rows(server: &BlockingServer) -> i64 {
    server.block_on(async {
        let db = server.postgres().connect().await.unwrap();
        db.query_one("SELECT count(*) FROM batches", &[]).await.unwrap().get(0)
    })
}

#[test]
fn three_devices_through_the_server_converge_and_the_database_holds_no_plaintext() {
    let server = BlockingServer::start().unwrap();
    let url = server.base_url();
    let t = client(&url);
    let dir = tempfile::tempdir().unwrap();
    let mut d = devices(dir.path(), &t, &url, &["laptop", "desktop", "tablet"]);

    let mother = person("Augusta", "Quillfeather", Sex::Female);
    let father = person("Bartholomew", "Quillfeather", Sex::Male);
    let child = person("Cordelia", "Quillfeather", Sex::Female);
    let mut fam = Family::new(vec![mother.id, father.id]);
    fam.children.push(FamilyChild { person: child.id, links: vec![] });
    d[0].write(|tx| {
        tx.put_person(&mother)?;
        tx.put_person(&father)?;
        tx.put_person(&child)?;
        tx.put_family(&fam)
    })
    .unwrap();
    sync_all(&mut d, &t);
    assert_converged(&d);

    // A period offline on every device: conditions recorded on two, the child's sex changed on
    // two (the later wins), a note written on one, the father deleted on the third.
    let mut m1 = d[1].get_person(mother.id).unwrap().unwrap();
    m1.conditions.push(ConditionObservation::new(None, "Zanzibarite syndrome", ConditionStatus::Affected));
    d[1].write(|tx| tx.put_person(&m1)).unwrap();
    let mut m2 = d[2].get_person(mother.id).unwrap().unwrap();
    m2.conditions.push(ConditionObservation::new(None, "Quokkaline dystrophy", ConditionStatus::Affected));
    d[2].write(|tx| tx.put_person(&m2)).unwrap();
    let mut c0 = d[0].get_person(child.id).unwrap().unwrap();
    c0.sex = Sex::Unknown;
    c0.notes.push(Note { text: "Lived in Xylophone Street".into() });
    d[0].write(|tx| tx.put_person(&c0)).unwrap();
    std::thread::sleep(Duration::from_millis(5));
    let mut c1 = d[1].get_person(child.id).unwrap().unwrap();
    c1.sex = Sex::Intersex;
    d[1].write(|tx| tx.put_person(&c1)).unwrap();
    d[2].write(|tx| tx.delete_person(father.id)).unwrap();

    sync_all(&mut d, &t);
    assert_converged(&d);
    let m = d[0].get_person(mother.id).unwrap().unwrap();
    assert_eq!(m.conditions.len(), 2, "both conditions recorded offline are kept");
    let c = d[2].get_person(child.id).unwrap().unwrap();
    assert_eq!(c.sex, Sex::Intersex, "the later edit wins");
    assert_eq!(c.notes.len(), 1);
    assert!(d[1].get_person(father.id).unwrap().is_none());
    assert_eq!(d[1].get_family(fam.id).unwrap().unwrap().partners, vec![mother.id]);

    // A snapshot too, so the scan covers both kinds of stored ciphertext.
    let opts = Options { snapshot_every: 1, ..Options::default() };
    assert!(sync(&mut d[0], &t, &opts).unwrap().snapshot_uploaded);

    let (text, blobs) = database_dump(&server);
    assert!(blobs.len() >= 4, "batches and a snapshot stored: {}", blobs.len());
    for secret in ["Augusta", "Quillfeather", "Cordelia", "Zanzibarite", "Quokkaline", "Xylophone"] {
        assert!(!text.contains(secret), "the server database holds {secret:?} in plaintext");
        let hex: String = secret.bytes().map(|b| format!("{b:02x}")).collect();
        assert!(!text.contains(&hex), "the server database holds {secret:?} (as hex bytes)");
        for blob in &blobs {
            assert!(!blob.windows(secret.len()).any(|w| w == secret.as_bytes()), "{secret:?} in a stored blob");
        }
    }
}

/// The HTTP client, with a hook run before each push (given the push's number, from 1): to stop
/// the server or arm the proxy's cut just then.
struct BeforePush<'a> {
    http: HttpTransport,
    hook: Box<dyn Fn(u32) + 'a>,
    pushes: std::cell::Cell<u32>,
}

impl<'a> BeforePush<'a> {
    fn new(http: HttpTransport, hook: impl Fn(u32) + 'a) -> BeforePush<'a> {
        BeforePush { http, hook: Box::new(hook), pushes: 0.into() }
    }
}

impl Transport for BeforePush<'_> {
    fn create_account(&self, auth_key: &[u8; 32]) -> Result<Registration, SyncError> {
        self.http.create_account(auth_key)
    }
    fn add_device(&self, account: Uuid, auth_key: &[u8; 32]) -> Result<Registration, SyncError> {
        self.http.add_device(account, auth_key)
    }
    fn push(&self, token: &str, seq: u64, ciphertext: &[u8]) -> Result<PushAck, SyncError> {
        self.pushes.set(self.pushes.get() + 1);
        (self.hook)(self.pushes.get());
        self.http.push(token, seq, ciphertext)
    }
    fn pull(&self, token: &str, after: i64, limit: u32) -> Result<PullPage, SyncError> {
        self.http.pull(token, after, limit)
    }
    fn put_snapshot(&self, token: &str, cursor: i64, ciphertext: &[u8]) -> Result<(), SyncError> {
        self.http.put_snapshot(token, cursor, ciphertext)
    }
    fn get_snapshot(&self, token: &str) -> Result<Option<SnapshotBlob>, SyncError> {
        self.http.get_snapshot(token)
    }
}

#[test]
fn the_server_restarted_mid_sync_loses_nothing() {
    let mut server = BlockingServer::start().unwrap();
    let url = server.base_url();
    let t = client(&url);
    let dir = tempfile::tempdir().unwrap();
    let mut d = devices(dir.path(), &t, &url, &["a", "b"]);
    let people: Vec<_> = (0..30).map(|i| person(&format!("Restart{i}"), "Ferncastle", Sex::Unknown)).collect();
    d[0].write(|tx| people.iter().try_for_each(|p| tx.put_person(p))).unwrap();
    // Small batches, so one sync sends several: the server stops before the second of them.
    let opts = Options { batch_records: 10, ..Options::default() };
    {
        let server = std::cell::RefCell::new(&mut server);
        let stopping = BeforePush::new(client(&url), |n| {
            if n == 2 {
                server.borrow_mut().stop().unwrap();
            }
        });
        let err = sync(&mut d[0], &stopping, &opts).unwrap_err();
        assert!(matches!(err, SyncError::Unreachable(_)), "{err}");
        assert_eq!(stopping.pushes.get(), 2, "one batch went out, the second found no server");
    }
    assert_eq!(kinvault_sync::status(&d[0]).unwrap().unwrap().outbox, 2, "the unsent batches wait");
    let status = kinvault_sync::status(&d[0]).unwrap().unwrap();
    assert!(status.last_error.unwrap().contains("cannot reach"));
    // Meanwhile both devices edit: more people on the first, the second (which only has what
    // went out before the stop) changes one of those it has.
    let more: Vec<_> = (0..25).map(|i| person(&format!("Later{i}"), "Ferncastle", Sex::Unknown)).collect();
    d[0].write(|tx| more.iter().try_for_each(|p| tx.put_person(p))).unwrap();
    assert!(sync(&mut d[1], &t, &opts).is_err());

    server.start_again().unwrap();
    sync(&mut d[1], &t, &opts).unwrap();
    let first_sent = people.iter().find(|p| d[1].get_person(p.id).unwrap().is_some()).expect("the first batch arrived");
    let mut p = d[1].get_person(first_sent.id).unwrap().unwrap();
    p.sex = Sex::Female;
    d[1].write(|tx| tx.put_person(&p)).unwrap();
    sync_all(&mut d, &t);
    assert_converged(&d);
    assert_eq!(d[1].stats().unwrap().individuals, 55);
    assert_eq!(d[0].get_person(first_sent.id).unwrap().unwrap().sex, Sex::Female);
    assert_eq!(kinvault_sync::status(&d[0]).unwrap().unwrap().outbox, 0);

    // The database going away (the server stays up and answers 503) is survived the same way.
    let q = person("Dbdown", "Ferncastle", Sex::Male);
    d[1].write(|tx| tx.put_person(&q)).unwrap();
    server.postgres_mut().stop().unwrap();
    let err = sync(&mut d[1], &t, &opts).unwrap_err();
    assert!(!matches!(err, SyncError::Tampered(_) | SyncError::Diverged(_)), "{err}");
    server.postgres_mut().resume().unwrap();
    let mut ok = false;
    for _ in 0..50 {
        // The pool reconnects on its own; give it a moment.
        if sync(&mut d[1], &t, &opts).is_ok() {
            ok = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    assert!(ok, "sync works again once the database is back");
    sync_all(&mut d, &t);
    assert_converged(&d);
    assert!(d[0].get_person(q.id).unwrap().is_some());
}

#[test]
fn a_connection_cut_after_the_server_stored_a_push_is_retried_without_duplicates() {
    let server = BlockingServer::start().unwrap();
    let proxy = server.proxy().unwrap();
    let url = proxy.base_url();
    // No retries inside the client: the cut surfaces as a failed sync, and the next sync retries.
    let cut_next = std::cell::Cell::new(false);
    let arm = |_| {
        if cut_next.replace(false) {
            proxy.set_rule(CutRule::CutOnResponse);
        }
    };
    let t = BeforePush::new(HttpTransport::new(&url).unwrap().with_retries(0, Duration::ZERO), arm);
    let dir = tempfile::tempdir().unwrap();
    let mut d = devices(dir.path(), &t, &url, &["a", "b"]);
    let p = person("Henrietta", "Wolstenholme", Sex::Female);
    d[0].write(|tx| tx.put_person(&p)).unwrap();
    cut_next.set(true);
    let err = sync(&mut d[0], &t, &Options::default()).unwrap_err();
    assert!(matches!(err, SyncError::Unreachable(_)), "{err}");
    assert_eq!(proxy.cuts(), 1);
    assert_eq!(batch_rows(&server), 1, "the server stored the push before the answer was cut");
    assert_eq!(kinvault_sync::status(&d[0]).unwrap().unwrap().outbox, 1, "the sealed batch waits to be resent");

    // An edit meanwhile does not disturb the waiting batch; the resend is recognised.
    let q = person("Ignatius", "Wolstenholme", Sex::Male);
    d[0].write(|tx| tx.put_person(&q)).unwrap();
    let report = sync(&mut d[0], &t, &Options::default()).unwrap();
    assert_eq!(report.pushed_batches, 2, "{report:?}");
    assert_eq!(batch_rows(&server), 2, "the resent batch was stored once");

    // With the client's own retries, a cut push is resent at once and acknowledged as a duplicate.
    let retrying = BeforePush::new(HttpTransport::new(&url).unwrap(), arm);
    cut_next.set(true);
    let r = person("Jemima", "Wolstenholme", Sex::Female);
    d[0].write(|tx| tx.put_person(&r)).unwrap();
    sync(&mut d[0], &retrying, &Options::default()).unwrap();
    assert_eq!(proxy.cuts(), 2);
    assert_eq!(batch_rows(&server), 3);

    sync_all(&mut d, &t);
    assert_converged(&d);
    assert_eq!(d[1].stats().unwrap().individuals, 3);
}

#[test]
fn accounts_are_isolated_and_altered_ciphertext_is_refused() {
    let server = BlockingServer::start().unwrap();
    let url = server.base_url();
    let t = client(&url);
    let dir = tempfile::tempdir().unwrap();
    let mut a = devices(dir.path(), &t, &url, &["a0", "a1"]);
    let mut b = devices(dir.path(), &t, &url, &["b0"]);
    let pa = person("Octavia", "Pemberton", Sex::Female);
    a[0].write(|tx| tx.put_person(&pa)).unwrap();
    let pb = person("Septimus", "Blackwood", Sex::Male);
    b[0].write(|tx| tx.put_person(&pb)).unwrap();
    sync_all(&mut a, &t);
    sync_all(&mut b, &t);
    assert!(a[1].get_person(pa.id).unwrap().is_some());
    assert!(b[0].get_person(pa.id).unwrap().is_none(), "account B sees nothing of account A");
    assert!(a[1].get_person(pb.id).unwrap().is_none(), "account A sees nothing of account B");

    // Account A's join code does not open account B, however it is presented.
    let code_a = kinvault_sync::join_code(&a[0]).unwrap();
    let code_b = kinvault_sync::join_code(&b[0]).unwrap();
    assert_ne!(code_a, code_b);

    // One byte of A's first batch altered in PostgreSQL: a new device refuses it and applies
    // nothing; the devices that already have it are unaffected.
    let account_a = kinvault_sync::status(&a[0]).unwrap().unwrap().account_id;
    let altered = server.block_on(async {
        let db = server.postgres().connect().await.unwrap();
        db.execute(
            "UPDATE batches SET ciphertext = set_byte(ciphertext, 29, get_byte(ciphertext, 29) # 1)
             WHERE account_id = $1 AND cursor = 1",
            &[&account_a],
        )
        .await
        .unwrap()
    });
    assert_eq!(altered, 1);
    let mut late = vault(dir.path(), "a-late");
    let code = &code_a;
    join_account(&mut late, &t, &url, code).unwrap();
    let err = sync(&mut late, &t, &Options::default()).unwrap_err();
    assert!(matches!(err, SyncError::Tampered(_)), "{err}");
    assert_eq!(late.stats().unwrap().individuals, 0, "nothing from the altered batch was applied");
    sync_all(&mut a, &t);
    assert!(a[1].get_person(pa.id).unwrap().is_some());
}
