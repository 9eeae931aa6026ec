//! Store-level tests of playbook import, versioning and review flags.

use super::*;
use crate::domain::DAY;

fn starter(store: &Store, key: &str) -> PlaybookDef {
    store.playbook(key).unwrap().unwrap().def
}

#[test]
fn a_new_database_has_the_starter_playbooks_at_version_one() {
    let store = Store::open_in_memory("t").unwrap();
    let list = store.playbooks(0).unwrap();
    let keys: Vec<&str> = list.iter().map(|p| p.key.as_str()).collect();
    assert_eq!(
        keys,
        [
            "daily-standup",
            "incident-response",
            "order-fulfilment",
            "support-ticket",
            "weekly-ops-review"
        ]
    );
    assert!(list.iter().all(|p| p.version == 1 && p.versions == 1));
    assert!(
        list.iter().all(|p| !p.past_review),
        "not past review in 1970"
    );
    assert!(list.iter().all(|p| p.open_runs == 0 && p.items > 0));
}

#[test]
fn identical_import_is_a_no_op_and_a_change_is_a_new_version() {
    let mut store = Store::open_in_memory("t").unwrap();
    let mut def = starter(&store, "support-ticket");
    let audits = store.audit_recent(100).unwrap().len();
    let same = store
        .write(|tx| import_playbook(tx, 10, &def, "x.toml"))
        .unwrap();
    assert_eq!(same, ImportOutcome::Unchanged { version: 1 });
    assert_eq!(store.audit_recent(100).unwrap().len(), audits);

    def.steps[0].tolerance_secs = DAY;
    let changed = store
        .write(|tx| import_playbook(tx, 20, &def, "x.toml"))
        .unwrap();
    assert_eq!(
        changed,
        ImportOutcome::NewVersion {
            version: 2,
            previous: 1
        }
    );
    let versions = store.playbook_versions("support-ticket").unwrap();
    assert_eq!(versions.len(), 2);
    assert_eq!(versions[1].def.steps[0].tolerance_secs, DAY);
    assert_eq!(versions[1].imported_by, "t");
    assert_eq!(
        store.playbook("support-ticket").unwrap().unwrap().version,
        2
    );
    assert_eq!(store.audit_recent(1).unwrap()[0].action, "import");
}

#[test]
fn review_flag_follows_now() {
    let store = Store::open_in_memory("t").unwrap();
    let due = starter(&store, "daily-standup").review_due_at();
    let at = |now| {
        store
            .playbooks(now)
            .unwrap()
            .into_iter()
            .find(|p| p.key == "daily-standup")
            .unwrap()
    };
    assert!(!at(due).past_review);
    assert!(at(due + 1).past_review);
    assert_eq!(at(due).review_due_at, due);
}

#[test]
fn unknown_key_is_none() {
    let store = Store::open_in_memory("t").unwrap();
    assert!(store.playbook("nope").unwrap().is_none());
    assert!(store.playbook_versions("nope").unwrap().is_empty());
}
