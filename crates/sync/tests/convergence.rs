//! Property: whatever the interleaving of edits and syncs on three devices, once every device
//! has synced after the last edit, all three vaults hold the same content.
//!
//! Each case gets its own people and family on three devices that live for 50 cases (vault
//! creation and key derivation per case would make 1,000 cases take many minutes); the check
//! compares that case's records. The relay follows the server's rules (tests/support).

mod support;

use kinvault_model::{ConditionObservation, ConditionStatus, Family, FamilyChild, Note, Person, Sex};
use kinvault_sync::{create_account, join_account, sync, Options};
use kinvault_vault::Vault;
use proptest::prelude::*;
use std::cell::RefCell;
use support::*;
use uuid::Uuid;

#[derive(Debug, Clone)]
enum Step {
    Edit { dev: usize, who: usize, what: u8, val: u8 },
    Family { dev: usize, what: u8, who: usize },
    Delete { dev: usize, who: usize },
    Sync { dev: usize },
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        5 => (0..3usize, 0..4usize, 0..7u8, any::<u8>()).prop_map(|(dev, who, what, val)| Step::Edit { dev, who, what, val }),
        2 => (0..3usize, 0..3u8, 0..4usize).prop_map(|(dev, what, who)| Step::Family { dev, what, who }),
        1 => (0..3usize, 2..4usize).prop_map(|(dev, who)| Step::Delete { dev, who }),
        4 => (0..3usize).prop_map(|dev| Step::Sync { dev }),
    ]
}

struct World {
    _dir: tempfile::TempDir,
    relay: Relay,
    devices: Vec<Vault>,
}

impl World {
    fn new() -> World {
        let dir = tempfile::tempdir().unwrap();
        let relay = Relay::default();
        let mut first = vault(dir.path(), "d0");
        let code = create_account(&mut first, &relay, "http://relay.test").unwrap();
        let mut devices = vec![first];
        for i in 1..3 {
            let mut v = vault(dir.path(), &format!("d{i}"));
            join_account(&mut v, &relay, "http://relay.test", &code).unwrap();
            devices.push(v);
        }
        World { _dir: dir, relay, devices }
    }

    fn sync(&mut self, dev: usize) {
        sync(&mut self.devices[dev], &self.relay, &Options::default()).unwrap();
    }
}

fn edit(v: &mut Vault, id: Uuid, f: impl FnOnce(&mut Person)) {
    if let Some(mut p) = v.get_person(id).unwrap() {
        f(&mut p);
        v.write(|tx| tx.put_person(&p)).unwrap();
    }
}

fn run(world: &mut World, steps: &[Step]) -> Result<(), TestCaseError> {
    let people: Vec<Person> = (0..4).map(|i| person(&format!("N{i}"), "Case", Sex::Unknown)).collect();
    let ids: Vec<Uuid> = people.iter().map(|p| p.id).collect();
    let mut fam = Family::new(vec![ids[0], ids[1]]);
    fam.children.push(FamilyChild { person: ids[2], links: vec![] });
    let fid = fam.id;
    world.devices[0]
        .write(|tx| {
            people.iter().try_for_each(|p| tx.put_person(p))?;
            tx.put_family(&fam)
        })
        .unwrap();
    for d in 0..3 {
        world.sync(d);
    }
    for s in steps {
        match *s {
            Step::Edit { dev, who, what, val } => edit(&mut world.devices[dev], ids[who], |p| match what {
                0 => p.sex = [Sex::Male, Sex::Female, Sex::Intersex, Sex::Unknown][val as usize % 4],
                1 => p.gender = Some(format!("g{val}")),
                2 => p.conditions.push(ConditionObservation::new(None, &format!("c{val}"), ConditionStatus::Affected)),
                3 => {
                    if !p.conditions.is_empty() {
                        p.conditions.remove(val as usize % p.conditions.len());
                    }
                }
                4 => p.notes = vec![Note { text: format!("n{val}") }],
                5 => p.notes.push(Note { text: format!("m{val}") }),
                _ => {
                    let a = format!("a{}", val % 3);
                    match p.ancestry.iter().position(|x| *x == a) {
                        Some(i) => {
                            p.ancestry.remove(i);
                        }
                        None => p.ancestry.push(a),
                    }
                }
            }),
            Step::Family { dev, what, who } => {
                let v = &mut world.devices[dev];
                let Some(mut f) = v.get_family(fid).unwrap() else { continue };
                let pid = ids[who];
                match what {
                    0 if v.get_person(pid).unwrap().is_some() && !f.children.iter().any(|c| c.person == pid) => {
                        f.children.push(FamilyChild { person: pid, links: vec![] })
                    }
                    1 => f.children.retain(|c| c.person != pid),
                    _ => f.consanguineous = !f.consanguineous,
                }
                v.write(|tx| tx.put_family_unchecked(&f)).unwrap();
            }
            Step::Delete { dev, who } => {
                let v = &mut world.devices[dev];
                if v.get_person(ids[who]).unwrap().is_some() {
                    v.write(|tx| tx.delete_person(ids[who])).unwrap();
                }
            }
            Step::Sync { dev } => world.sync(dev),
        }
    }
    // Everyone syncs after the last edit: twice round, so each sees what the others pushed.
    for _ in 0..2 {
        for d in 0..3 {
            world.sync(d);
        }
    }
    let mine = |v: &Vault| {
        let mut c = std::collections::BTreeMap::new();
        for id in &ids {
            c.insert(id.to_string(), serde_json::to_value(v.get_person(*id).unwrap()).unwrap());
        }
        c.insert(fid.to_string(), serde_json::to_value(v.get_family(fid).unwrap()).unwrap());
        c
    };
    let first = mine(&world.devices[0]);
    for d in 1..3 {
        let other = mine(&world.devices[d]);
        if other != first {
            let differing: Vec<_> =
                first.keys().chain(other.keys()).filter(|k| first.get(*k) != other.get(*k)).collect();
            let k = differing[0];
            return Err(TestCaseError::fail(format!(
                "device {d} differs at {k:?}:\n d0: {}\n d{d}: {}",
                first.get(k).map(|v| v.to_string()).unwrap_or_default(),
                other.get(k).map(|v| v.to_string()).unwrap_or_default()
            )));
        }
    }
    Ok(())
}

thread_local! {
    static WORLD: RefCell<Option<(World, u32)>> = const { RefCell::new(None) };
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|s| s.parse().ok()).unwrap_or(1000),
        max_shrink_iters: 200,
        ..ProptestConfig::default()
    })]
    #[test]
    fn random_interleavings_converge(steps in proptest::collection::vec(step(), 1..30)) {
        WORLD.with(|w| {
            let mut w = w.borrow_mut();
            if w.as_ref().is_none_or(|(_, used)| *used >= 50) {
                *w = Some((World::new(), 0));
            }
            let (world, used) = w.as_mut().unwrap();
            *used += 1;
            run(world, &steps)
        })?;
    }
}
