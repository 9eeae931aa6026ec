//! `parse_duration` on arbitrary text: no panic; what it accepts is positive,
//! at most ten years, and reads back the same from `format_duration`.
#![no_main]

use opsdeck::domain::duration::{format_duration, parse_duration};

libfuzzer_sys::fuzz_target!(|text: &str| {
    if let Ok(d) = parse_duration(text) {
        let secs = d.num_seconds();
        assert!(secs > 0 && secs <= 10 * 366 * 86_400, "{text:?} -> {secs}");
        let again = parse_duration(&format_duration(secs)).map(|d| d.num_seconds());
        assert_eq!(again, Ok(secs), "{text:?} does not round-trip");
    }
});
