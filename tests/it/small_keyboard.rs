//! Issue 15 point 7, the small ones seen at the keyboard: each test here
//! fails without its fix.

use crate::common::{stderr, stdout, Env};

const NOW: &str = "2026-11-25T12:00:00Z";

#[test]
fn snapshot_below_the_minimum_size_is_refused_with_exit_2() {
    let env = Env::new();
    for (w, h) in [("59", "30"), ("100", "15"), ("40", "12")] {
        let out = env
            .at(NOW, &["snapshot", "--width", w, "--height", h])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{w}x{h}: {}", stderr(&out));
        assert!(stdout(&out).is_empty(), "{}", stdout(&out));
        let err = stderr(&out);
        assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
        assert!(
            err.contains(&format!("--width/--height: {w}x{h} is smaller than the 60x16 a view needs")),
            "{err}"
        );
    }
    // The minimum itself draws.
    let out = env
        .at(NOW, &["snapshot", "--width", "60", "--height", "16"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(!stdout(&out).contains("too small"), "{}", stdout(&out));
}
