//! Issue 13 point 7e: work kinds exist because the operation defines them
//! (with their capacity); an import row of another kind is refused.

use crate::common::{stderr, Env};

const NOW: &str = "2026-11-25T12:00:00Z";

#[test]
fn an_undefined_kind_is_refused_with_the_known_kinds_listed() {
    let env = Env::new();
    let f = env.file(
        "items.csv",
        b"kind,external_id,opened_at\norder,A-1,2026-11-24\nOrder,A-2,2026-11-24\nwidget,W-1,2026-11-24\n",
    );
    let o = env.at(NOW, &["import", &f]).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(
        e.contains(&format!(
            "{f}:3: kind: unknown work kind 'Order' (known: invoice, order, ticket)"
        )),
        "{e}"
    );
    assert!(
        e.contains(&format!(
            "{f}:4: kind: unknown work kind 'widget' (known: invoice, order, ticket)"
        )),
        "{e}"
    );
    // All-or-nothing: not even the good row, and no kind was created.
    assert_eq!(env.query_i64("SELECT count(*) FROM work_items"), 0);
    assert_eq!(
        env.query_i64("SELECT count(*) FROM capacity WHERE work_kind IN ('Order', 'widget')"),
        0
    );
    // --skip-bad imports the good row only (and still exits 2: rows were bad).
    let o = env.at(NOW, &["import", &f, "--skip-bad"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(env.query_i64("SELECT count(*) FROM work_items"), 1);
    assert_eq!(
        env.query_i64("SELECT count(*) FROM work_items WHERE kind <> 'order'"),
        0
    );
}

#[test]
fn the_starter_set_and_the_demo_define_every_kind_they_use() {
    let env = Env::new();
    env.at(NOW, &["demo"]).assert().success();
    assert!(env.query_i64("SELECT count(DISTINCT kind) FROM work_items") >= 3);
    assert_eq!(
        env.query_i64(
            "SELECT count(*) FROM (SELECT DISTINCT kind FROM work_items) AS k \
             WHERE kind NOT IN (SELECT work_kind FROM capacity)"
        ),
        1,
        "every demo kind has a capacity but the built-in `action` (incident action items)"
    );
    assert_eq!(
        env.query_i64(
            "SELECT count(*) FROM work_items WHERE kind = 'action' \
             AND kind NOT IN (SELECT work_kind FROM capacity)"
        ),
        3,
        "the demo incident's three action items"
    );
    // Every work-item indicator of the starter set names a defined kind.
    assert_eq!(
        env.query_i64(
            "SELECT count(*) FROM indicators WHERE source = 'work_items' \
             AND work_kind NOT IN (SELECT work_kind FROM capacity)"
        ),
        0
    );
}
