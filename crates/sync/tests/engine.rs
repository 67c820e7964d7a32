//! The sync engine over real vaults, through the in-process relay (tests/support): devices
//! create, join, edit, delete and converge; tampered and replayed batches are refused; a push
//! whose answer was lost is retried without duplicating anything; a new device starts from a
//! snapshot. The same scenarios through the real server and PostgreSQL: tests/server.rs.

mod support;

use kinvault_model::{ConditionObservation, ConditionStatus, Family, FamilyChild, Note, Sex};
use kinvault_sync::{create_account, join_account, sync, Options, SyncError};
use kinvault_vault::Vault;
use std::sync::atomic::Ordering;
use support::*;

const SERVER: &str = "http://relay.test";

fn setup(dir: &std::path::Path, relay: &Relay, n: usize) -> Vec<Vault> {
    let mut first = vault(dir, "device0");
    let code = create_account(&mut first, relay, SERVER).unwrap();
    let mut out = vec![first];
    for i in 1..n {
        let mut v = vault(dir, &format!("device{i}"));
        join_account(&mut v, relay, SERVER, &code).unwrap();
        out.push(v);
    }
    out
}

#[test]
fn three_devices_edit_delete_and_converge() {
    let dir = tempfile::tempdir().unwrap();
    let relay = Relay::default();
    let mut d = setup(dir.path(), &relay, 3);

    // Device 0 records a family; everyone gets it.
    let mother = person("Ada", "Lovelace", Sex::Female);
    let father = person("William", "King", Sex::Male);
    let child = person("Byron", "King", Sex::Male);
    let mut fam = Family::new(vec![mother.id, father.id]);
    fam.children.push(FamilyChild { person: child.id, links: vec![] });
    d[0].write(|tx| {
        tx.put_person(&mother)?;
        tx.put_person(&father)?;
        tx.put_person(&child)?;
        tx.put_family(&fam)?;
        tx.put_meta("catalog.user_conditions", Some("[]"))
    })
    .unwrap();
    sync_all(&mut d, &relay);
    assert_converged(&d);
    assert!(d[2].get_family(fam.id).unwrap().is_some());

    // Offline edits on all three: a condition on 1, another on 2 (same person), the sex of the
    // child on 0 and 1 (1 is later), the father deleted on 2, a note on 0.
    let mut m1 = d[1].get_person(mother.id).unwrap().unwrap();
    m1.conditions.push(ConditionObservation::new(None, "Breast cancer", ConditionStatus::Affected));
    d[1].write(|tx| tx.put_person(&m1)).unwrap();
    let mut m2 = d[2].get_person(mother.id).unwrap().unwrap();
    m2.conditions.push(ConditionObservation::new(None, "Ovarian cancer", ConditionStatus::Affected));
    d[2].write(|tx| tx.put_person(&m2)).unwrap();
    let mut c0 = d[0].get_person(child.id).unwrap().unwrap();
    c0.sex = Sex::Unknown;
    c0.notes.push(Note { text: "Raised by his grandmother".into() });
    d[0].write(|tx| tx.put_person(&c0)).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(5));
    let mut c1 = d[1].get_person(child.id).unwrap().unwrap();
    c1.sex = Sex::Intersex;
    d[1].write(|tx| tx.put_person(&c1)).unwrap();
    d[2].write(|tx| tx.delete_person(father.id)).unwrap();

    sync_all(&mut d, &relay);
    assert_converged(&d);
    let m = d[0].get_person(mother.id).unwrap().unwrap();
    let labels: Vec<&str> = m.conditions.iter().map(|c| c.label.as_str()).collect();
    assert_eq!(labels.len(), 2, "both concurrent conditions kept: {labels:?}");
    let c = d[0].get_person(child.id).unwrap().unwrap();
    assert_eq!(c.sex, Sex::Intersex, "the later edit wins");
    assert_eq!(c.notes.len(), 1);
    assert!(d[1].get_person(father.id).unwrap().is_none());
    assert_eq!(d[1].get_family(fam.id).unwrap().unwrap().partners, vec![mother.id]);
}

#[test]
fn concurrent_notes_are_kept_both_and_listed_for_review() {
    let dir = tempfile::tempdir().unwrap();
    let relay = Relay::default();
    let mut d = setup(dir.path(), &relay, 2);
    let p = person("Mary", "Shelley", Sex::Female);
    d[0].write(|tx| tx.put_person(&p)).unwrap();
    sync_all(&mut d, &relay);
    for (i, text) in ["Diagnosed 1990, per her sister", "Diagnosed 1991, per the hospital letter"].iter().enumerate() {
        let mut q = d[i].get_person(p.id).unwrap().unwrap();
        q.notes = vec![Note { text: text.to_string() }];
        d[i].write(|tx| tx.put_person(&q)).unwrap();
    }
    sync(&mut d[0], &relay, &Options::default()).unwrap();
    let report = sync(&mut d[1], &relay, &Options::default()).unwrap();
    assert_eq!(report.new_conflicts, 1);
    sync_all(&mut d, &relay);
    assert_converged(&d);
    assert_eq!(d[0].get_person(p.id).unwrap().unwrap().notes.len(), 2, "neither text was dropped");
    let conflicts = d[1].sync_conflicts(false).unwrap();
    assert_eq!(conflicts.len(), 1);
    assert_eq!(conflicts[0].kind, "kept-both");
    assert_eq!(conflicts[0].field.as_deref(), Some("notes"));
}

#[test]
fn a_tampered_batch_is_refused_and_nothing_from_it_applied() {
    let dir = tempfile::tempdir().unwrap();
    let relay = Relay::default();
    let mut d = setup(dir.path(), &relay, 2);
    let p = person("Alan", "Turing", Sex::Male);
    d[0].write(|tx| tx.put_person(&p)).unwrap();
    sync(&mut d[0], &relay, &Options::default()).unwrap();
    relay.tamper(1);
    let err = sync(&mut d[1], &relay, &Options::default()).unwrap_err();
    assert!(matches!(err, SyncError::Tampered(_)), "{err}");
    assert!(d[1].get_person(p.id).unwrap().is_none());
    assert_eq!(kinvault_sync::status(&d[1]).unwrap().unwrap().cursor, 0);
    assert!(kinvault_sync::status(&d[1]).unwrap().unwrap().last_error.unwrap().contains("failed authentication"));
}

#[test]
fn a_replayed_batch_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let relay = Relay::default();
    let mut d = setup(dir.path(), &relay, 2);
    let mut p = person("Grace", "Hopper", Sex::Female);
    d[0].write(|tx| tx.put_person(&p)).unwrap();
    sync(&mut d[0], &relay, &Options::default()).unwrap();
    sync(&mut d[1], &relay, &Options::default()).unwrap();
    // Device 1 changes her; then the server offers device 0's original batch again.
    p.sex = Sex::Unknown;
    d[1].write(|tx| tx.put_person(&p)).unwrap();
    sync(&mut d[1], &relay, &Options::default()).unwrap();
    relay.replay(1);
    let report = sync(&mut d[1], &relay, &Options::default()).unwrap();
    assert_eq!(report.rejected_replays, 1);
    assert_eq!(d[1].get_person(p.id).unwrap().unwrap().sex, Sex::Unknown);
}

#[test]
fn a_push_whose_answer_was_lost_is_retried_without_duplicates() {
    let dir = tempfile::tempdir().unwrap();
    let relay = Relay::default();
    let mut d = setup(dir.path(), &relay, 2);
    let p = person("Emmy", "Noether", Sex::Female);
    d[0].write(|tx| tx.put_person(&p)).unwrap();
    relay.cut_after_store.store(1, Ordering::SeqCst);
    let err = sync(&mut d[0], &relay, &Options::default()).unwrap_err();
    assert!(matches!(err, SyncError::Unreachable(_)));
    assert_eq!(kinvault_sync::status(&d[0]).unwrap().unwrap().outbox, 1, "the sealed batch waits");
    // A later edit does not disturb the waiting batch.
    let q = person("Sophie", "Germain", Sex::Female);
    d[0].write(|tx| tx.put_person(&q)).unwrap();
    let report = sync(&mut d[0], &relay, &Options::default()).unwrap();
    assert_eq!(report.pushed_batches, 2);
    assert_eq!(relay.batch_count(), 2, "the retried batch was stored once");
    sync_all(&mut d, &relay);
    assert_converged(&d);
    assert!(d[1].get_person(p.id).unwrap().is_some());
}

#[test]
fn a_new_device_starts_from_a_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let relay = Relay::default();
    let mut d = setup(dir.path(), &relay, 1);
    let opts = Options { batch_records: 10, snapshot_every: 3, ..Options::default() };
    let people: Vec<_> = (0..45).map(|i| person(&format!("P{i}"), "Snap", Sex::Unknown)).collect();
    d[0].write(|tx| people.iter().try_for_each(|p| tx.put_person(p))).unwrap();
    let first = sync(&mut d[0], &relay, &opts).unwrap();
    assert_eq!(first.pushed_batches, 5);
    assert!(!first.snapshot_uploaded, "nothing to snapshot before the pull sees a batch");
    let deleted = people[3].id;
    d[0].write(|tx| tx.delete_person(deleted)).unwrap();
    // The pull sees the 5 batches (≥ 3 since the last snapshot): snapshot at cursor 5, then
    // the delete goes out as batch 6.
    let second = sync(&mut d[0], &relay, &opts).unwrap();
    assert!(second.snapshot_uploaded, "{second:?}");
    let code = kinvault_sync::join_code(&d[0]).unwrap();
    let mut fresh = vault(dir.path(), "late");
    let joined = join_account(&mut fresh, &relay, SERVER, &code).unwrap();
    assert!(joined.snapshot_applied);
    let report = sync(&mut fresh, &relay, &opts).unwrap();
    assert_eq!(report.pulled_batches, 1, "only what came after the snapshot: {report:?}");
    d.push(fresh);
    sync_all(&mut d, &relay);
    assert_converged(&d);
    assert!(d[1].get_person(deleted).unwrap().is_none());
    assert_eq!(d[1].stats().unwrap().individuals, 44);
}

#[test]
fn joining_needs_the_right_code_and_a_vault_not_syncing_yet() {
    let dir = tempfile::tempdir().unwrap();
    let relay = Relay::default();
    let mut d = setup(dir.path(), &relay, 2);
    let code = kinvault_sync::join_code(&d[0]).unwrap();
    let err = join_account(&mut d[1], &relay, SERVER, &code).unwrap_err();
    assert!(matches!(err, SyncError::AlreadyConfigured(_)));
    let mut other = vault(dir.path(), "other");
    let mut wrong = code.clone();
    let last = wrong.pop().unwrap();
    wrong.push(if last == '0' { '1' } else { '0' });
    let err = join_account(&mut other, &relay, SERVER, &wrong).unwrap_err();
    assert!(matches!(err, SyncError::Unauthorized(_)), "{err}");
    assert!(kinvault_sync::status(&other).unwrap().is_none(), "a refused join leaves the vault as it was");
    assert!(matches!(join_account(&mut other, &relay, SERVER, "KVSYNC1-00"), Err(SyncError::BadJoinCode)));
}

#[test]
fn a_member_added_on_one_device_while_deleted_on_another_leaves_the_family_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    let relay = Relay::default();
    let mut d = setup(dir.path(), &relay, 2);
    let mother = person("Mary", "Anning", Sex::Female);
    let joseph = person("Joseph", "Anning", Sex::Male);
    let henry = person("Henry", "Anning", Sex::Male);
    let fam = Family::new(vec![mother.id]);
    d[0].write(|tx| {
        tx.put_person(&mother)?;
        tx.put_person(&joseph)?;
        tx.put_person(&henry)?;
        tx.put_family(&fam)
    })
    .unwrap();
    sync_all(&mut d, &relay);

    // Offline, crosswise: device 0 adds Joseph to the family and deletes Henry (one batch);
    // device 1 adds Henry to the family and deletes Joseph. Applying device 0's batch on device
    // 1 writes a family naming Joseph, who is gone there, and then deletes Henry, who is in it.
    let mut f0 = d[0].get_family(fam.id).unwrap().unwrap();
    f0.children.push(FamilyChild { person: joseph.id, links: vec![] });
    d[0].write(|tx| {
        tx.put_family(&f0)?;
        tx.delete_person(henry.id)
    })
    .unwrap();
    let mut f1 = d[1].get_family(fam.id).unwrap().unwrap();
    f1.children.push(FamilyChild { person: henry.id, links: vec![] });
    d[1].write(|tx| {
        tx.put_family(&f1)?;
        tx.delete_person(joseph.id)
    })
    .unwrap();
    sync(&mut d[0], &relay, &Options::default()).unwrap();

    sync_all(&mut d, &relay);
    assert_converged(&d);
    for v in &d {
        let f = v.get_family(fam.id).unwrap().unwrap();
        assert_eq!(f.partners, vec![mother.id]);
        assert!(f.children.is_empty(), "deleted people are nobody's children: {:?}", f.children);
        assert!(v.get_person(joseph.id).unwrap().is_none());
        assert!(v.get_person(henry.id).unwrap().is_none());
    }
}
