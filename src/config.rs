//! The optional config file: `config.toml` in the platform config directory
//! (`~/.config/opsdeck/` on Linux), or the file named by `OPSDECK_CONFIG`.
//!
//! ```toml
//! user = "maria"                 # default acting user (before the login name)
//! refresh_ms = 500               # how often the cockpit checks for changes (100–5000)
//! color = "auto"                 # auto (NO_COLOR honoured), always, never
//! bell = true                    # ring the terminal bell on a new critical alert
//! sync_output = true             # synchronized output around each frame
//! notify = ["/usr/local/bin/page-ops", "--channel", "ops"]   # run on new/escalated alerts
//! allow_as = false               # refuse --as and OPSDECK_USER (shared hosts)
//! timezone = "Europe/Paris"      # the cockpit's clock: local, UTC, +01:00 or an IANA name
//! mouse = true                   # wheel, clicks on tabs, rows and panes (--no-mouse)
//! database = "postgres://ops.internal/opsdeck"   # default --db (a file path or a URL)
//! ```
//!
//! Unknown keys are errors (a typo must not silently do nothing).

use serde::Deserialize;
use std::path::{Path, PathBuf};

/// Settings read from the config file; every field has a default.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Default acting user when neither `--as` nor `OPSDECK_USER` is given.
    pub user: Option<String>,
    /// Live refresh interval of the cockpit, milliseconds.
    pub refresh_ms: u64,
    /// `auto`, `always` or `never`.
    pub color: String,
    /// Ring the bell once when a new critical alert opens.
    pub bell: bool,
    /// Wrap frames in synchronized-output markers.
    pub sync_output: bool,
    /// A program and its arguments, run directly (never through a shell) on
    /// new or escalated alerts.
    pub notify: Option<Vec<String>>,
    /// Whether `--as` (and `OPSDECK_USER`) may name someone else as the
    /// acting user; `false` on a shared host makes every write the login's.
    pub allow_as: bool,
    /// The zone of the cockpit's clock and times: `local`, `UTC`, an
    /// offset (`+01:00`) or an IANA name (`Europe/Paris`); unset, the
    /// operation's `timezone` (`operation.toml`, UTC by default).
    #[serde(deserialize_with = "zone")]
    pub timezone: Option<crate::format::Zone>,
    /// Whether the cockpit captures the mouse (wheel, clicks); `--no-mouse`
    /// turns it off for one run.
    pub mouse: bool,
    /// The default database when neither `--db` nor `OPSDECK_DB` is given:
    /// an SQLite file's path or a `postgres://` URL (never with a
    /// password: libpq's `PGPASSWORD` or `~/.pgpass` hold it).
    pub database: Option<String>,
}

/// `timezone = "..."`, parsed; the error names the field (its line is
/// added by the caller from the value's position).
fn zone<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<crate::format::Zone>, D::Error> {
    let text = String::deserialize(d)?;
    crate::format::Zone::parse(&text)
        .map(Some)
        .map_err(|e| serde::de::Error::custom(format!("timezone: {e}")))
}

impl Default for Config {
    fn default() -> Config {
        Config {
            user: None,
            refresh_ms: 500,
            color: "auto".into(),
            bell: true,
            sync_output: true,
            notify: None,
            allow_as: true,
            timezone: None,
            mouse: true,
            database: None,
        }
    }
}

impl Config {
    /// Where the config file is looked for.
    pub fn path() -> Option<PathBuf> {
        if let Some(p) = std::env::var_os("OPSDECK_CONFIG") {
            return Some(PathBuf::from(p));
        }
        directories::ProjectDirs::from("", "", "opsdeck")
            .map(|d| d.config_dir().join("config.toml"))
    }

    /// Loads the config file; a missing file is the defaults. Errors are one
    /// line `FILE:LINE: reason`.
    pub fn load() -> Result<Config, String> {
        match Config::path() {
            Some(p) if p.exists() => Config::from_file(&p),
            _ => Ok(Config::default()),
        }
    }

    /// Parses and validates one file.
    pub(crate) fn from_file(path: &Path) -> Result<Config, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
        Config::parse(&path.display().to_string(), &text)
    }

    /// Parses and validates config text.
    pub fn parse(file: &str, text: &str) -> Result<Config, String> {
        let c: Config = toml::from_str(text).map_err(|e| field_error(file, text, &e))?;
        if !(100..=5000).contains(&c.refresh_ms) {
            return Err(format!(
                "{file}: refresh_ms: {} is out of range (100 to 5000)",
                c.refresh_ms
            ));
        }
        if !matches!(c.color.as_str(), "auto" | "always" | "never") {
            return Err(format!(
                "{file}: color: '{}' is not one of auto, always, never",
                crate::text::sanitize(&c.color)
            ));
        }
        if c.notify
            .as_ref()
            .is_some_and(|n| n.is_empty() || n[0].trim().is_empty())
        {
            return Err(format!(
                "{file}: notify: needs a program, e.g. [\"/usr/local/bin/page-ops\"]"
            ));
        }
        if !c.allow_as && c.user.is_some() {
            return Err(format!(
                "{file}: user: cannot be set together with allow_as = false (the acting user is the login)"
            ));
        }
        Ok(c)
    }

    /// Whether the cockpit captures the mouse: on unless `--no-mouse`
    /// (`no_mouse`) or `mouse = false` in the config file.
    pub fn mouse_capture(&self, no_mouse: bool) -> bool {
        self.mouse && !no_mouse
    }

    /// Whether the cockpit uses colour.
    pub(crate) fn use_color(&self) -> bool {
        match self.color.as_str() {
            "always" => true,
            "never" => false,
            _ => std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
        }
    }
}

/// A TOML error as `FILE:LINE: reason`; a value of the wrong type or form
/// also names its field (`FILE:LINE: mouse: invalid type: …`).
fn field_error(file: &str, text: &str, e: &toml::de::Error) -> String {
    let base = crate::assets::toml_error(file, text, e);
    let msg = e.message();
    if !(msg.starts_with("invalid type") || msg.starts_with("invalid value")) {
        return base;
    }
    let line = e.span().map_or("", |s| {
        let start = text[..s.start.min(text.len())]
            .rfind('\n')
            .map_or(0, |i| i + 1);
        text[start..].lines().next().unwrap_or("")
    });
    match line.split_once('=') {
        Some((key, _)) if !key.trim().is_empty() => {
            let key = crate::text::sanitize(key.trim().trim_matches('"'));
            let (head, reason) = base.split_at(base.len() - msg.replace('\n', " ").trim().len());
            format!("{head}{key}: {reason}")
        }
        _ => base,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_a_full_file() {
        assert_eq!(Config::parse("c.toml", "").unwrap(), Config::default());
        let c = Config::parse(
            "c.toml",
            "user = \"maria\"\nrefresh_ms = 250\ncolor = \"never\"\nbell = false\nnotify = [\"/bin/true\", \"x\"]\n",
        )
        .unwrap();
        assert_eq!(c.user.as_deref(), Some("maria"));
        assert_eq!(c.refresh_ms, 250);
        assert!(!c.use_color());
        assert_eq!(c.notify.unwrap()[0], "/bin/true");
    }

    #[test]
    fn typos_and_bad_values_are_errors_with_a_line() {
        let e = Config::parse("c.toml", "user = \"a\"\nrefersh_ms = 10\n").unwrap_err();
        assert!(e.starts_with("c.toml:2:"), "{e}");
        assert!(Config::parse("c.toml", "refresh_ms = 10")
            .unwrap_err()
            .contains("refresh_ms"));
        assert!(Config::parse("c.toml", "color = \"pink\"")
            .unwrap_err()
            .contains("color"));
        assert!(Config::parse("c.toml", "notify = []")
            .unwrap_err()
            .contains("notify"));
    }

    #[test]
    fn timezone_and_mouse() {
        use crate::format::Zone;
        let c = Config::parse("c.toml", "timezone = \"+01:00\"\nmouse = false\n").unwrap();
        assert_eq!(c.timezone, Some(Zone::Fixed(3600)));
        assert!(!c.mouse_capture(false));
        let d = Config::default();
        assert_eq!(d.timezone, None, "unset: the operation's zone");
        assert!(d.mouse_capture(false), "the mouse is on by default");
        assert!(!d.mouse_capture(true), "--no-mouse turns it off");
        for (text, zone) in [
            ("timezone = \"local\"", Zone::Local),
            ("timezone = \"UTC\"", Zone::Utc),
            (
                "timezone = \"Europe/Paris\"",
                Zone::Named(chrono_tz::Tz::Europe__Paris),
            ),
        ] {
            assert_eq!(Config::parse("c.toml", text).unwrap().timezone, Some(zone));
        }
        let e = Config::parse("c.toml", "bell = true\ntimezone = \"Mars/Olympus\"\n").unwrap_err();
        assert!(
            e.starts_with("c.toml:2: timezone: 'Mars/Olympus' is not a time zone"),
            "{e}"
        );
        let e = Config::parse("c.toml", "bell = true\n\nmouse = \"yes\"\n").unwrap_err();
        assert!(e.starts_with("c.toml:3: mouse: invalid type"), "{e}");
    }
}
