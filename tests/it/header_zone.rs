//! Issue 15.4, the header names its time zone: `09:00 UTC`, `10:00 CET`,
//! `10:00 +01:00`; from `timezone` in the config file, else the
//! operation's `timezone`. The clock and `READ-ONLY` are never cut.

use crate::common::screens::{app_on, demo_store, NOW};
use crate::common::{stderr, stdout, Env};
use opsdeck::format::Zone;
use opsdeck::tui::app::View;
use opsdeck::tui::render_to_text;

const AT: &str = "2026-11-24T09:00:00Z";

fn header(screen: &str) -> &str {
    screen.lines().next().unwrap()
}

#[test]
fn the_header_names_the_zone_at_80x24_and_120x40() {
    let mut store = demo_store();
    let mut app = app_on(&mut store, View::Cockpit);
    assert_eq!(app.now, NOW);
    // The operation's zone by default: the demo's is UTC.
    assert!(header(&render_to_text(&app, 80, 24)).ends_with(" 09:00 UTC"));
    app.zone = Some(Zone::Fixed(3600));
    for (w, h) in [(80, 24), (120, 40)] {
        let text = render_to_text(&app, w, h);
        assert!(header(&text).ends_with(" 10:00 +01:00"), "{text}");
        insta::assert_snapshot!(format!("header_offset_{w}x{h}"), text);
    }
    app.zone = Some(Zone::parse("Europe/Paris").unwrap());
    for (w, h) in [(80, 24), (120, 40)] {
        let text = render_to_text(&app, w, h);
        assert!(header(&text).ends_with(" 10:00 CET"), "{text}");
        insta::assert_snapshot!(format!("header_paris_{w}x{h}"), text);
    }
}

#[test]
fn read_only_and_the_clock_are_never_cut_by_a_long_zone() {
    let mut store = demo_store();
    let mut app = app_on(&mut store, View::Indicators);
    app.models.header.read_only = true;
    app.zone = Some(Zone::Fixed(-(9 * 3600 + 30 * 60)));
    for w in [60, 80, 120] {
        let text = render_to_text(&app, w, 24);
        let line = header(&text);
        assert!(line.chars().count() <= w as usize, "{line}");
        assert!(line.contains("│ READ-ONLY"), "{w}: {line}");
        assert!(line.ends_with(" 23:30 -09:30"), "{w}: {line}");
    }
    insta::assert_snapshot!("header_read_only_zone_80x24", render_to_text(&app, 80, 24));
}

#[test]
fn the_operations_zone_is_the_default_and_the_config_overrides_it() {
    let env = Env::new();
    let ops = env.path().join("ops");
    env.ok_at(AT, &["init", ops.to_str().unwrap()]);
    let snap = |cfg: Option<&str>, tz: Option<&str>| {
        let mut c = env.at(AT, &["snapshot", "--width", "80", "--height", "24"]);
        if let Some(cfg) = cfg {
            c.env("OPSDECK_CONFIG", cfg);
        }
        if let Some(tz) = tz {
            c.env("TZ", tz);
        }
        let out = c.output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        header(&stdout(&out)).to_string()
    };
    assert!(snap(None, None).ends_with(" 09:00 UTC"));
    // The operation says Europe/Paris: the header follows it.
    let file = ops.join("operation.toml");
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains("timezone = \"UTC\""), "{text}");
    std::fs::write(
        &file,
        text.replace("timezone = \"UTC\"", "timezone = \"Europe/Paris\""),
    )
    .unwrap();
    env.ok_at(AT, &["apply", ops.to_str().unwrap()]);
    let paris = snap(None, None);
    assert!(paris.ends_with(" 10:00 CET"), "{paris}");
    // The config file wins: an offset, UTC, the local zone (TZ).
    for (value, tz, end) in [
        ("+01:00", None, " 10:00 +01:00"),
        ("UTC", None, " 09:00 UTC"),
        ("local", Some("Asia/Tokyo"), " 18:00 JST"),
        ("local", Some("<+0330>-3:30"), " 12:30 +03:30"),
    ] {
        let cfg = env.file(
            "config.toml",
            format!("timezone = \"{value}\"\n").as_bytes(),
        );
        let got = snap(Some(&cfg), tz);
        assert!(got.ends_with(end), "{value} {tz:?}: {got}");
    }
}

#[test]
fn a_wrong_zone_is_an_error_naming_file_line_and_field() {
    let env = Env::new();
    let cfg = env.file(
        "config.toml",
        b"bell = true\ntimezone = \"Europe/Pariss\"\n",
    );
    let out = env
        .at(AT, &["status"])
        .env("OPSDECK_CONFIG", &cfg)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let e = stderr(&out);
    assert!(
        e.contains("config.toml:2: timezone: 'Europe/Pariss' is not a time zone"),
        "{e}"
    );
    assert_eq!(e.trim().lines().count(), 1, "{e}");
    for bad in ["+25:00", "CET+1"] {
        let cfg = env.file("c2.toml", format!("timezone = \"{bad}\"\n").as_bytes());
        let out = env
            .at(AT, &["status"])
            .env("OPSDECK_CONFIG", &cfg)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        assert!(
            stderr(&out).contains("c2.toml:1: timezone:"),
            "{}",
            stderr(&out)
        );
    }
    // In operation.toml, a name the zone database does not know.
    let ops = env.path().join("ops");
    env.ok_at(AT, &["init", ops.to_str().unwrap()]);
    let file = ops.join("operation.toml");
    let text = std::fs::read_to_string(&file).unwrap();
    let line = text
        .lines()
        .position(|l| l.starts_with("timezone"))
        .unwrap()
        + 1;
    std::fs::write(
        &file,
        text.replace("timezone = \"UTC\"", "timezone = \"Mars/Olympus\""),
    )
    .unwrap();
    let out = env.run_at(AT, &["apply", ops.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let e = stderr(&out);
    assert!(
        e.contains(&format!("operation.toml:{line}: timezone: 'Mars/Olympus'")),
        "{e}"
    );
}

#[test]
fn reconnecting_is_said_in_the_header_and_never_cut() {
    let mut store = demo_store();
    let mut app = app_on(&mut store, View::Cockpit);
    app.models.header.reconnecting = true;
    for (w, h) in [(80, 24), (120, 40)] {
        let text = render_to_text(&app, w, h);
        let line = header(&text);
        assert!(line.chars().count() <= w as usize, "{line}");
        assert!(line.contains("│ reconnecting…"), "{w}: {line}");
        assert!(line.ends_with(" 09:00 UTC"), "{w}: {line}");
        insta::assert_snapshot!(format!("header_reconnecting_{w}x{h}"), text);
    }
}
