//! Issue 5 through the real binary: SLO listing and import, and the demo's
//! burning, escalated, acknowledged and resolved alerts.

use crate::common;
use common::{json, stderr, stdout, Env};

const NOW: &str = "2026-11-25T12:00:00Z";

#[test]
fn slo_list_and_import() {
    let env = Env::new();
    let text = stdout(&env.at(NOW, &["slo", "list"]).output().unwrap());
    assert!(text.contains("On-time fulfilment"), "{text}");
    assert!(text.contains("Billing correct"), "{text}");
    let file = env.file(
        "slos.toml",
        b"[[slo]]\nkey = \"refunds\"\nname = \"Refunds on time\"\nobjective = 0.9\nwindow = \"28d\"\nsource = \"work_items\"\nwork_kind = \"refund\"\ngood = \"on_time\"\n",
    );
    let out = env.at(NOW, &["slo", "import", &file]).output().unwrap();
    assert!(stdout(&out).contains("refunds: added"), "{}", stdout(&out));
    let out = env.at(NOW, &["slo", "import", &file]).output().unwrap();
    assert!(
        stdout(&out).contains("refunds: unchanged"),
        "{}",
        stdout(&out)
    );
    let bad = env.file("bad.toml", b"[[slo]]\nkey = \"x\"\nname = \"X\"\nobjective = 1.5\nwindow = \"28d\"\nsource = \"work_items\"\nwork_kind = \"a\"\ngood = \"on_time\"\n");
    let out = env.at(NOW, &["slo", "import", &bad]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("bad.toml:4:"), "{}", stderr(&out));
    let v = json(
        &env.at(NOW, &["slo", "list", "--format", "json"])
            .output()
            .unwrap(),
    );
    assert_eq!(v["slos"].as_array().unwrap().len(), 4);
}

#[test]
fn the_demo_has_burning_escalated_acknowledged_and_resolved_alerts() {
    let env = Env::new();
    env.at(NOW, &["demo"]).assert().success();
    let v = json(
        &env.at(NOW, &["alert", "list", "--all", "--format", "json"])
            .output()
            .unwrap(),
    );
    let alerts = v["alerts"].as_array().unwrap();
    let has = |f: &dyn Fn(&serde_json::Value) -> bool| alerts.iter().any(f);
    assert!(
        has(&|a| a["source"] == "burn" && a["state"] != "resolved"),
        "a burning SLO"
    );
    assert!(
        has(&|a| a["state"] == "open" && a["level"].as_u64() > Some(0)),
        "escalated, unacked"
    );
    assert!(has(&|a| a["state"] == "acknowledged"), "acknowledged");
    assert!(has(&|a| a["state"] == "resolved"), "resolved history");
    let slos = json(
        &env.at(NOW, &["slo", "list", "--format", "json"])
            .output()
            .unwrap(),
    );
    let billing = slos["slos"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["key"] == "billing_correct")
        .unwrap()
        .clone();
    assert!(
        billing["total"].as_u64() > Some(100),
        "invoices feed the billing SLO: {billing}"
    );
}

/// An SLO changed today is in force from today: a window ending yesterday
/// is judged by the version in force then.
#[test]
fn a_past_window_uses_the_slo_version_in_force_then() {
    let env = Env::new();
    let objective = |now: &str| -> f64 {
        let v = json(
            &env.at(now, &["slo", "list", "--format", "json"])
                .output()
                .unwrap(),
        );
        v["slos"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["key"] == "on_time_fulfilment")
            .expect("the starter SLO")["objective"]
            .as_f64()
            .unwrap()
    };
    assert_eq!(objective("2026-11-20T12:00:00Z"), 0.95);
    let file = env.file(
        "slos.toml",
        b"[[slo]]\nkey = \"on_time_fulfilment\"\nname = \"On-time fulfilment\"\nobjective = 0.97\nwindow = \"28d\"\nsource = \"work_items\"\nwork_kind = \"order\"\ngood = \"on_time\"\nowner_role = \"fulfilment\"\nplaybook = \"incident-response\"\n",
    );
    let out = env.at(NOW, &["slo", "import", &file]).output().unwrap();
    assert!(
        stdout(&out).contains("on_time_fulfilment: updated"),
        "{}",
        stdout(&out)
    );
    assert_eq!(
        objective("2026-11-24T12:00:00Z"),
        0.95,
        "yesterday: version 1"
    );
    assert_eq!(objective(NOW), 0.97, "from the import on: version 2");
}
