//! One file per subcommand: read the arguments, call the store and the
//! domain, print. Every error becomes one line on stderr and exit status 2.

pub mod backup;
pub mod decision;
pub mod demo;
pub mod experiment;
pub mod export;
pub mod feedback;
pub mod import;
pub mod record;
pub mod restore;
pub mod status;

use crate::cli::{Cli, Command};
use crate::store::Store;
use anyhow::Context as _;
use std::path::PathBuf;
use std::process::ExitCode;

/// What every command needs: where the database is, who acts, and when.
#[derive(Debug, Clone)]
pub struct Context {
    pub db: PathBuf,
    pub actor: String,
    /// The command's clock (unix seconds); one reading per command.
    pub now: i64,
    /// True when `--demo` chose the database.
    pub demo: bool,
}

impl Context {
    /// Opens (creating and migrating if needed) the database.
    pub fn open(&self) -> anyhow::Result<Store> {
        Ok(Store::open(&self.db, &self.actor)?)
    }
}

/// The platform data directory (`~/.local/share/opsdeck` on Linux).
pub fn data_dir() -> anyhow::Result<PathBuf> {
    directories::ProjectDirs::from("", "", "opsdeck")
        .map(|d| d.data_dir().to_path_buf())
        .context("cannot find a home directory for the default database: pass --db PATH or set OPSDECK_DB")
}

/// The user's own default database.
pub fn default_db() -> anyhow::Result<PathBuf> {
    Ok(data_dir()?.join("opsdeck.db"))
}

/// The demo database.
pub fn demo_db() -> anyhow::Result<PathBuf> {
    Ok(data_dir()?.join("demo.db"))
}

/// The acting user: `--as`, else `OPSDECK_USER`, else the login name.
pub fn resolve_actor(flag: Option<&str>) -> String {
    let clean = |s: String| {
        let t = crate::text::sanitize(s.trim());
        (!t.is_empty()).then_some(t)
    };
    flag.map(str::to_string)
        .and_then(clean)
        .or_else(|| std::env::var("OPSDECK_USER").ok().and_then(clean))
        .or_else(|| std::env::var("USER").ok().and_then(clean))
        .or_else(|| std::env::var("LOGNAME").ok().and_then(clean))
        .unwrap_or_else(|| "unknown".to_string())
}

/// Runs the command line and returns the process exit status.
pub fn run(cli: Cli) -> ExitCode {
    match dispatch(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("opsdeck: {}", one_line(&e));
            ExitCode::from(2)
        }
    }
}

/// An error chain as one clean line.
pub fn one_line(e: &anyhow::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    for cause in e.chain() {
        let s = crate::text::sanitize(&cause.to_string());
        if !parts.iter().any(|p| p.contains(&s)) {
            parts.push(s);
        }
    }
    parts.join(": ")
}

fn dispatch(cli: Cli) -> anyhow::Result<u8> {
    let demo = cli.demo;
    let db = match (&cli.db, demo) {
        (Some(p), _) => p.clone(),
        (None, true) => demo_db()?,
        (None, false) => match &cli.command {
            Some(Command::Demo) => demo_db()?,
            _ => default_db()?,
        },
    };
    let ctx = Context {
        db,
        actor: resolve_actor(cli.actor.as_deref()),
        // The hidden OPSDECK_NOW (RFC 3339) fixes the clock, for tests.
        now: std::env::var("OPSDECK_NOW")
            .ok()
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(&t).ok())
            .map_or_else(|| chrono::Utc::now().timestamp(), |t| t.timestamp()),
        demo,
    };
    if demo && !ctx.db.exists() {
        demo::create(&ctx)?;
    }
    match cli.command {
        None => status::run(&ctx, crate::cli::OutputFormat::Text),
        Some(Command::Demo) => demo::run(&ctx),
        Some(Command::Standup) => status::run(&ctx, crate::cli::OutputFormat::Text),
        Some(Command::Record {
            indicator,
            value,
            at,
            note,
        }) => record::run(&ctx, &indicator, &value, at.as_deref(), note.as_deref()),
        Some(Command::Import {
            file,
            kind,
            format,
            skip_bad,
        }) => import::run(&ctx, &file, kind, format, skip_bad),
        Some(Command::Status { format }) => status::run(&ctx, format),
        Some(Command::Snapshot { .. }) => anyhow::bail!("snapshot is not available yet"),
        Some(Command::Experiment { command }) => experiment::run(&ctx, command),
        Some(Command::Decision { command }) => decision::run(&ctx, command),
        Some(Command::Feedback { command }) => feedback::run(&ctx, command),
        Some(Command::Export(args)) => export::run(&ctx, &args),
        Some(Command::Restore { file }) => restore::run(&ctx, &file),
        Some(Command::Backup { path }) => backup::run(&ctx, &path),
    }
}
