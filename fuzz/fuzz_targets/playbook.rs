//! The playbook parser on arbitrary text: no panic; every problem it reports
//! names a line inside the file; what it accepts has steps, items and an
//! escalation path.
#![no_main]

use opsdeck::domain::playbook::parse_playbook;

const ROLES: &[&str] = &["demand", "fulfilment", "support", "finance", "ops-lead"];

libfuzzer_sys::fuzz_target!(|text: &str| {
    match parse_playbook("fuzz.toml", text, ROLES) {
        Ok(def) => {
            assert!(!def.steps.is_empty());
            assert!(def.steps.iter().all(|s| !s.items.is_empty()));
            assert!(!def.escalation.is_empty());
        }
        Err(errors) => {
            assert!(!errors.is_empty());
            let lines = text.lines().count().max(1);
            for e in &errors {
                assert!(e.line >= 1 && e.line <= lines + 1, "line {} of {lines}: {e}", e.line);
            }
        }
    }
});
