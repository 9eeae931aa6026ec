//! One file per subcommand: read the arguments, call the store and the
//! domain, print. Every error becomes one line on stderr and exit status 2.

pub mod alert;
pub mod backup;
pub mod check;
pub mod cockpit;
pub mod completions;
pub mod decision;
pub mod definition;
pub mod demo;
pub mod doctor;
pub mod experiment;
pub mod export;
pub mod feedback;
pub mod import;
pub mod indicator;
pub mod observation_confirm;
pub mod playbook;
pub mod record;
pub mod restore;
pub mod role;
pub mod run;
pub mod slo;
pub mod sources;
pub mod sources_plan;
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
    /// Settings from the config file.
    pub config: crate::config::Config,
    /// `--read-only`: open the database without write access.
    pub read_only: bool,
}

impl Context {
    /// Opens (creating and migrating if needed) the database.
    pub fn open(&self) -> anyhow::Result<Store> {
        Ok(Store::open_with(
            &self.db,
            &self.actor,
            self.now,
            self.read_only,
        )?)
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
pub fn resolve_actor(flag: Option<&str>, configured: Option<&str>) -> String {
    let clean = |s: String| {
        let t = crate::text::sanitize(s.trim());
        (!t.is_empty()).then_some(t)
    };
    flag.map(str::to_string)
        .and_then(clean)
        .or_else(|| std::env::var("OPSDECK_USER").ok().and_then(clean))
        .or_else(|| configured.map(str::to_string).and_then(clean))
        .or_else(|| std::env::var("USER").ok().and_then(clean))
        .or_else(|| std::env::var("LOGNAME").ok().and_then(clean))
        .or_else(|| login_name().and_then(clean))
        .unwrap_or_else(|| "unknown".to_string())
}

/// The login name of the process's user, from the password database.
fn login_name() -> Option<String> {
    let mut buf = vec![0u8; 4096];
    let mut pwd: libc::passwd = unsafe { std::mem::zeroed() };
    let mut result: *mut libc::passwd = std::ptr::null_mut();
    // SAFETY: getpwuid_r writes into `pwd` and `buf`, both owned here and
    // large enough as declared; `result` is null or points to `pwd`.
    let rc = unsafe {
        libc::getpwuid_r(
            libc::getuid(),
            &mut pwd,
            buf.as_mut_ptr().cast(),
            buf.len(),
            &mut result,
        )
    };
    if rc != 0 || result.is_null() || pwd.pw_name.is_null() {
        return None;
    }
    // SAFETY: pw_name is a NUL-terminated string inside `buf`.
    let name = unsafe { std::ffi::CStr::from_ptr(pwd.pw_name) };
    Some(name.to_string_lossy().into_owned())
}

/// Runs the command line and returns the process exit status.
pub fn run(cli: Cli) -> ExitCode {
    match dispatch(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("opsdeck: {}", one_line(&e));
            ExitCode::from(2)
        }
    }
}

/// True when the error is stdout closed early (`opsdeck status | head`):
/// not worth a message.
fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain()
        .filter_map(|c| c.downcast_ref::<std::io::Error>())
        .any(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
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

/// A command's JSON output as one document: pretty-printed, one trailing
/// newline, and every string through the sanitiser ([`crate::text::sanitize_json`]).
pub fn json_document(value: impl serde::Serialize) -> anyhow::Result<String> {
    let mut value = serde_json::to_value(value)?;
    crate::text::sanitize_json(&mut value);
    Ok(serde_json::to_string_pretty(&value)? + "\n")
}

/// Rewrites the unix-second integers under any of `keys`, anywhere in
/// `value`, as RFC 3339 UTC, the JSON outputs' one way to write a time. For
/// types whose own serialisation keeps unix seconds (stored, hashed, captured).
pub fn rfc3339_times(value: &mut serde_json::Value, keys: &[&str]) {
    match value {
        serde_json::Value::Array(items) => {
            for v in items {
                rfc3339_times(v, keys);
            }
        }
        serde_json::Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                match v.as_i64() {
                    Some(t) if keys.contains(&k.as_str()) => {
                        *v = serde_json::Value::String(crate::format::rfc3339(t));
                    }
                    _ => rfc3339_times(v, keys),
                }
            }
        }
        _ => {}
    }
}

/// The command's clock: now, or the hidden `OPSDECK_NOW` (RFC 3339) that
/// tests use to pin time.
fn command_now() -> anyhow::Result<i64> {
    match std::env::var("OPSDECK_NOW") {
        Ok(t) => crate::ingest::parse_time(&t).map_err(|e| anyhow::anyhow!("OPSDECK_NOW: {e}")),
        Err(_) => Ok(chrono::Utc::now().timestamp()),
    }
}

fn dispatch(cli: Cli) -> anyhow::Result<u8> {
    match &cli.command {
        Some(Command::Completions { shell }) => return completions::completions(*shell),
        Some(Command::Man) => return completions::man(),
        _ => {}
    }
    let log = crate::log::init();
    let config = crate::config::Config::load().map_err(|e| anyhow::anyhow!(e))?;
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
        actor: resolve_actor(cli.actor.as_deref(), config.user.as_deref()),
        now: command_now()?,
        demo,
        config,
        read_only: cli.read_only,
    };
    if let Err(problem) = &log {
        // Not fatal: the command runs without its log.
        eprintln!("opsdeck: no log: {problem}");
    }
    let name = command_name(&cli.command);
    tracing::info!(
        command = %name,
        db = %crate::text::sanitize_path(&ctx.db),
        actor = %ctx.actor,
        "start"
    );
    let started = std::time::Instant::now();
    let result = run_command(ctx, cli);
    match &result {
        Ok(code) => tracing::info!(
            command = %name,
            exit = code,
            ms = started.elapsed().as_millis() as u64,
            "done"
        ),
        Err(e) => tracing::warn!(
            command = %name,
            ms = started.elapsed().as_millis() as u64,
            "failed: {}",
            one_line(e)
        ),
    }
    result
}

/// The subcommand's name, for the log: the variant's name, never its
/// arguments (they can hold notes and titles).
fn command_name(command: &Option<Command>) -> String {
    match command {
        None => "cockpit".to_string(),
        Some(c) => format!("{c:?}")
            .chars()
            .take_while(|c| c.is_alphanumeric())
            .collect::<String>()
            .to_lowercase(),
    }
}

fn run_command(ctx: Context, cli: Cli) -> anyhow::Result<u8> {
    if ctx.demo && !ctx.db.exists() {
        demo::create(&ctx)?;
    }
    match cli.command {
        None => cockpit::run(&ctx, crate::tui::app::View::Cockpit),
        Some(Command::Demo) => demo::run(&ctx),
        Some(Command::Standup) => cockpit::run(&ctx, crate::tui::app::View::Standup),
        Some(Command::Record {
            indicator,
            value,
            at,
            note,
            force,
        }) => record::run(
            &ctx,
            &indicator,
            &value,
            at.as_deref(),
            note.as_deref(),
            force,
        ),
        Some(Command::Import {
            file,
            kind,
            format,
            skip_bad,
            force,
        }) => import::run(&ctx, &file, kind, format, skip_bad, force),
        Some(Command::Status { format }) => status::run(&ctx, format),
        Some(Command::Doctor) => doctor::run(&ctx),
        Some(Command::Completions { .. }) | Some(Command::Man) => Ok(0),
        Some(Command::Snapshot {
            width,
            height,
            view,
        }) => cockpit::snapshot(&ctx, width, height, &view),
        Some(Command::Check { format, quiet }) => check::run(&ctx, format, quiet),
        Some(Command::Alert { action }) => alert::run(&ctx, action),
        Some(Command::Slo { action }) => slo::run(&ctx, action),
        Some(Command::Sources { command }) => sources::run(&ctx, command),
        Some(Command::Observation {
            command: crate::cli::sources::ObservationCommand::Confirm { id },
        }) => observation_confirm::run(&ctx, id),
        Some(Command::Playbook { command }) => playbook::run(&ctx, command),
        Some(Command::Role { command }) => role::run(&ctx, command),
        Some(Command::Run { command }) => run::run(&ctx, command),
        Some(Command::Experiment { command }) => experiment::run(&ctx, command),
        Some(Command::Decision { command }) => decision::run(&ctx, command),
        Some(Command::Feedback { command }) => feedback::run(&ctx, command),
        Some(Command::Export(args)) => export::run(&ctx, &args),
        Some(Command::Restore { file }) => restore::run(&ctx, &file),
        Some(Command::Backup { path }) => backup::run(&ctx, &path),
        Some(Command::Init { dir }) => definition::init(&ctx, dir.as_deref()),
        Some(Command::Apply {
            dir,
            dry_run,
            prune,
        }) => definition::apply(&ctx, &dir, dry_run, prune),
        Some(Command::Definition { dir }) => definition::write(&ctx, &dir),
        Some(Command::Indicator { command }) => indicator::run(&ctx, command),
        Some(Command::Capacity { command }) => indicator::capacity(&ctx, command),
        Some(Command::Person {
            command: crate::cli::PersonCommand::Add { name, roles },
        }) => indicator::person_add(&ctx, &name, &roles),
    }
}
