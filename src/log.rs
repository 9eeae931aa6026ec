//! The file log for the people who carry opsdeck on: what the cockpit and
//! the commands did (effects, reloads, rule evaluations, source runs,
//! notification commands and their exit status, waits for the write lock).
//!
//! It goes to `opsdeck.log` in the platform state folder
//! (`~/.local/state/opsdeck/` on Linux), rotated daily and kept for a week,
//! never to the terminal. `OPSDECK_LOG` sets the level (`error`, `warn`,
//! `info` — the default —, `debug`, `trace`, or `off`); `OPSDECK_LOG_DIR`
//! names another folder.

use std::path::{Path, PathBuf};
use tracing_subscriber::filter::LevelFilter;

/// How many daily files are kept.
const KEEP_FILES: usize = 7;

/// The level named by `OPSDECK_LOG`'s value; `None` for a word it does not
/// know (the caller warns and keeps the default).
pub(crate) fn parse_level(text: &str) -> Option<LevelFilter> {
    Some(match text.trim().to_ascii_lowercase().as_str() {
        "off" | "none" | "0" => LevelFilter::OFF,
        "error" => LevelFilter::ERROR,
        "warn" | "warning" => LevelFilter::WARN,
        "" | "info" => LevelFilter::INFO,
        "debug" => LevelFilter::DEBUG,
        "trace" => LevelFilter::TRACE,
        _ => return None,
    })
}

/// The folder the log goes to: `OPSDECK_LOG_DIR`, else the platform state
/// folder (the data folder where a platform has none).
pub fn log_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("OPSDECK_LOG_DIR").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(dir));
    }
    let dirs = directories::ProjectDirs::from("", "", "opsdeck")?;
    Some(
        dirs.state_dir()
            .unwrap_or_else(|| dirs.data_local_dir())
            .to_path_buf(),
    )
}

/// Starts the file log for this process. Never fails the command: a log
/// that cannot be written is no log (a read-only home, a full disk), and
/// the reason is returned for `doctor` to show.
pub fn init() -> Result<Option<PathBuf>, String> {
    let level = match std::env::var("OPSDECK_LOG") {
        Ok(v) => parse_level(&v).ok_or_else(|| {
            format!(
                "OPSDECK_LOG={}: not a level (error, warn, info, debug, trace, off)",
                crate::text::sanitize(&v)
            )
        })?,
        Err(_) => LevelFilter::INFO,
    };
    if level == LevelFilter::OFF {
        return Ok(None);
    }
    let dir = log_dir().ok_or("no home folder for the log")?;
    start(&dir, level).map(Some)
}

fn start(dir: &Path, level: LevelFilter) -> Result<PathBuf, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // The log quotes alert titles and notes: the owner's only.
        let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700));
    }
    let appender = tracing_appender::rolling::Builder::new()
        .rotation(tracing_appender::rolling::Rotation::DAILY)
        .filename_prefix("opsdeck")
        .filename_suffix("log")
        .max_log_files(KEEP_FILES)
        .build(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?;
    #[cfg(unix)]
    if let Ok(entries) = std::fs::read_dir(dir) {
        use std::os::unix::fs::PermissionsExt;
        for entry in entries.flatten() {
            let name = entry.file_name();
            if name.to_string_lossy().starts_with("opsdeck.") {
                let _ =
                    std::fs::set_permissions(entry.path(), std::fs::Permissions::from_mode(0o600));
            }
        }
    }
    tracing_subscriber::fmt()
        .with_writer(appender)
        .with_ansi(false)
        .with_max_level(level)
        .with_target(false)
        .try_init()
        .map_err(|e| e.to_string())?;
    Ok(dir.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_by_name_and_unknown_words_refused() {
        assert_eq!(parse_level("debug"), Some(LevelFilter::DEBUG));
        assert_eq!(parse_level(" WARN "), Some(LevelFilter::WARN));
        assert_eq!(parse_level("off"), Some(LevelFilter::OFF));
        assert_eq!(parse_level(""), Some(LevelFilter::INFO));
        assert_eq!(parse_level("verbose"), None);
    }
}
