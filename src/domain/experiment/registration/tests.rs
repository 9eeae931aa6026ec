//! Tests of the parent module, with hand-worked expected values.

use super::super::criterion::Comparison;
use super::super::definition::tests::courier_pilot;
use super::*;
use crate::domain::DAY;

#[test]
fn canonical_text_is_documented_and_stable() {
    let def = courier_pilot();
    let expected = "opsdeck experiment registration v1\n\
         hypothesis 50:The new courier raises on-time delivery above 90 %\n\
         scope 25:Standard orders in Berlin\n\
         start 8640000\n\
         end 9849600\n\
         control baseline 7430400 8640000\n\
         criterion primary 12:on_time_rate >= 90 min_events 5\n\
         criterion guardrail 11:defect_rate <= 3 min_events 5\n";
    assert_eq!(registration_text(&def), expected);
    // Computed outside opsdeck: printf '<the text above>' | sha256sum
    assert_eq!(
        registration_hash(&def),
        "d2bc2f6f9a0a4b8257784489d91ad9315247a575b3770998f1ca05007b21bec4"
    );
}

#[test]
fn hash_matches_a_known_sha256() {
    // The FIPS 180-2 test vector for "abc" guards the hex encoding.
    let digest = Sha256::digest(b"abc");
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(
        hex,
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
}

#[test]
fn hash_changes_with_what_is_registered_only() {
    let def = courier_pilot();
    let base = registration_hash(&def);

    let mut changed = def.clone();
    changed.hypothesis.push('!');
    assert_ne!(registration_hash(&changed), base);

    let mut changed = def.clone();
    changed.criteria[0].threshold = 91.0;
    assert_ne!(registration_hash(&changed), base);

    let mut changed = def.clone();
    changed.end += DAY;
    assert_ne!(registration_hash(&changed), base);

    // Title, objective and criteria order are not part of the registration.
    let mut same = def.clone();
    same.title = "Renamed".into();
    same.objective = "Other words".into();
    same.criteria.reverse();
    assert_eq!(registration_hash(&same), base);

    // An explicit control equal to the default baseline registers the same.
    let mut same = def.clone();
    same.control = Some(def.effective_control());
    assert_eq!(registration_hash(&same), base);
}

#[test]
fn newlines_in_text_cannot_forge_lines() {
    let mut a = courier_pilot();
    a.hypothesis = "H\nscope 1:x".into();
    a.scope = "y".into();
    let mut b = courier_pilot();
    b.hypothesis = "H".into();
    b.scope = "x\nscope 1:y".into();
    assert_ne!(registration_hash(&a), registration_hash(&b));
}

#[test]
fn anything_goes_before_the_start() {
    let old = courier_pilot();
    let mut new = old.clone();
    new.hypothesis = "Different".into();
    new.key = "renamed".into();
    assert_eq!(
        check_change(&old, &new, false, None),
        Ok(ChangeKind::Edit {
            fields: vec![Field::Key, Field::Hypothesis]
        })
    );
    assert_eq!(
        check_change(&old, &old, true, None),
        Ok(ChangeKind::Unchanged)
    );
}

#[test]
fn locked_fields_are_refused_after_the_start() {
    let old = courier_pilot();
    let mut new = old.clone();
    new.hypothesis = "The new courier raises on-time delivery above 80 %".into();
    new.criteria[0].comparison = Comparison::Gt;
    let err = check_change(&old, &new, true, None).unwrap_err();
    assert_eq!(
        err,
        LockError::Locked {
            fields: vec![Field::Hypothesis, Field::Criteria]
        }
    );
    assert_eq!(
        err.to_string(),
        "the experiment has started, so its hypothesis and criteria are locked; \
         record an amendment with a reason to change them"
    );
    // A blank reason is no reason.
    assert!(matches!(
        check_change(&old, &new, true, Some("  ")),
        Err(LockError::Locked { .. })
    ));
    let long = "r".repeat(2_001);
    assert!(matches!(
        check_change(&old, &new, true, Some(&long)),
        Err(LockError::ReasonTooLong(_))
    ));
    let mut renamed = old.clone();
    renamed.key = "other".into();
    assert_eq!(
        check_change(&old, &renamed, true, Some("why")),
        Err(LockError::KeyChanged)
    );
}

#[test]
fn an_amendment_is_recorded_with_both_hashes() {
    let old = courier_pilot();
    let mut new = old.clone();
    new.end = old.end + 7 * DAY;
    new.title = "Courier pilot (extended)".into();
    let kind = check_change(&old, &new, true, Some(" Volume too low in week 1 ")).unwrap();
    assert_eq!(
        kind,
        ChangeKind::Amendment {
            // The default baseline follows the period, so it moved too.
            fields: vec![Field::Title, Field::End, Field::Control],
            reason: "Volume too low in week 1".into(),
            original_hash: registration_hash(&old),
            amended_hash: registration_hash(&new),
        }
    );
    if let ChangeKind::Amendment {
        original_hash,
        amended_hash,
        ..
    } = kind
    {
        assert_ne!(original_hash, amended_hash);
    }
}

#[test]
fn unlocked_fields_stay_editable_after_the_start() {
    let old = courier_pilot();
    let mut new = old.clone();
    new.title = "Courier pilot B".into();
    new.indicators.push("defect_rate".into());
    assert_eq!(
        check_change(&old, &new, true, None),
        Ok(ChangeKind::Edit {
            fields: vec![Field::Title, Field::Indicators]
        })
    );
    // Reordering criteria is not a change.
    let mut reordered = old.clone();
    reordered.criteria.reverse();
    assert_eq!(
        check_change(&old, &reordered, true, None),
        Ok(ChangeKind::Unchanged)
    );
}
