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
