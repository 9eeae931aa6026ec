//! One file per subcommand: read the arguments, call the store and the
//! domain, print. Every error becomes one line on stderr and exit status 2.

/// `println!` that never panics: a closed stdout (`opsdeck record ... | true`)
/// must not turn a committed write into exit 101, so output errors are
/// ignored here. Every command prints through this or [`emit`].
macro_rules! outln {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($t)*);
    }};
}

/// `eprintln!` that never panics: a closed stderr changes nothing either.
macro_rules! errln {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr().lock(), $($t)*);
    }};
}

pub mod alert;
pub mod backup;
pub mod check;
pub mod cmdline;
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
pub mod incident;
pub mod indicator;
pub mod observation;
pub mod observation_confirm;
pub mod oncall;
pub mod playbook;
pub mod record;
pub mod restore;
pub mod role;
pub mod run;
pub mod silence;
pub mod slo;
pub mod sources;
pub mod sources_plan;
pub mod status;
pub mod team;

use crate::cli::{Cli, Command};
use crate::store::Store;
use anyhow::Context as _;
use std::path::PathBuf;
use std::process::ExitCode;

/// What every command needs: where the database is, who acts, and when.
#[derive(Debug, Clone)]
pub struct Context {
    /// The database file, as resolved from `--db`, `OPSDECK_DB` or the default.
    pub db: PathBuf,
    /// Who changes are attributed to (`--as`, `OPSDECK_USER`, config, `USER`, login name).
    pub actor: String,
    /// The command's clock (unix seconds); one reading per command.
    pub now: i64,
    /// True when `--demo` chose the database.
    pub demo: bool,
    /// Settings from the config file.
    pub config: crate::config::Config,
    /// `--read-only`: open the database without write access.
    pub read_only: bool,
    /// The cockpit captures the mouse: not `--no-mouse`, nor `mouse =
    /// false` in the config file.
    pub mouse: bool,
    /// `OPSDECK_NOW` pinned the clock (debug and test builds only): the
    /// cockpit's clock stays at [`Context::now`] too.
    pub fixed_clock: bool,
    /// True when this command may create the database (`init`, `demo`, the
    /// cockpit on the default path); every other command needs it to exist.
    pub create: bool,
    /// `--as` or `OPSDECK_USER` when given: on PostgreSQL the acting user
    /// is the database login, and this is recorded as "on behalf of".
    pub on_behalf_of: Option<String>,
}

impl Context {
    /// Opens and migrates the database; creates it only when the command
    /// may ([`Context::create`]), else a missing file is an error.
    pub fn open(&self) -> anyhow::Result<Store> {
        if crate::store::pg::is_url(&self.db) {
            return Ok(Store::open_pg(
                &self.db.to_string_lossy(),
                self.on_behalf_of.as_deref(),
                self.now,
                self.create,
                self.read_only,
            )?);
        }
        if self.db.is_dir() {
            anyhow::bail!(
                "{}: is a folder, not a database file; --db takes the file's path (e.g. {})",
                crate::text::sanitize_path(&self.db),
                crate::text::sanitize_path(&self.db.join("opsdeck.db"))
            );
        }
        if self.create {
            Ok(Store::open_with(
                &self.db,
                &self.actor,
                self.now,
                self.read_only,
            )?)
        } else {
            Ok(Store::open_existing(
                &self.db,
                &self.actor,
                self.now,
                self.read_only,
            )?)
        }
    }
}

/// The platform data directory (`~/.local/share/opsdeck` on Linux).
pub fn data_dir() -> anyhow::Result<PathBuf> {
    directories::ProjectDirs::from("", "", "opsdeck")
        .map(|d| d.data_dir().to_path_buf())
        .context("cannot find a home directory for the default database: pass --db PATH or set OPSDECK_DB")
}

/// The user's own default database.
pub(crate) fn default_db() -> anyhow::Result<PathBuf> {
    Ok(data_dir()?.join("opsdeck.db"))
}

/// The demo database.
pub(crate) fn demo_db() -> anyhow::Result<PathBuf> {
    Ok(data_dir()?.join("demo.db"))
}

/// Checks `--as` and `OPSDECK_USER` before anything is opened: refused when
/// the config says `allow_as = false`, when empty, or when longer than a name
/// field ([`crate::ingest::fields::MAX_NAME`] characters).
pub(crate) fn check_actor(flag: Option<&str>, allow_as: bool) -> anyhow::Result<()> {
    let env = std::env::var("OPSDECK_USER").ok();
    for (what, value) in [("--as", flag), ("OPSDECK_USER", env.as_deref())] {
        let Some(value) = value else { continue };
        if !allow_as {
            anyhow::bail!(
                "{what}: acting as someone else is turned off on this host (allow_as = false in the config); changes are recorded under your login"
            );
        }
        if value.trim().is_empty() {
            anyhow::bail!("{what}: the acting name is empty; give a name or leave it out to act as your login");
        }
        let len = value.trim().chars().count();
        if len > crate::ingest::fields::MAX_NAME {
            anyhow::bail!(
                "{what}: the acting name is {len} characters, longer than a name field ({} at most)",
                crate::ingest::fields::MAX_NAME
            );
        }
    }
    Ok(())
}

/// The acting user: `--as`, else `OPSDECK_USER`, else the login name.
pub(crate) fn resolve_actor(flag: Option<&str>, configured: Option<&str>) -> String {
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
    crate::store::audit::login_of(crate::store::audit::os_user().uid)
}

/// Runs the command line and returns the process exit status.
pub fn run(cli: Cli) -> ExitCode {
    match dispatch(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            errln!("opsdeck: {}", one_line(&e));
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

/// Writes a command's output to stdout. A reader that went away (EPIPE,
/// `opsdeck check | head -1`) is not an error: whatever was committed stays
/// committed and the exit status stays the command's. Other write errors
/// (a full disk behind `> file`) are reported.
pub(crate) fn emit(text: &str) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

/// An error chain as one clean line.
pub(crate) fn one_line(e: &anyhow::Error) -> String {
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
pub(crate) fn json_document(value: impl serde::Serialize) -> anyhow::Result<String> {
    let mut value = serde_json::to_value(value)?;
    crate::text::sanitize_json(&mut value);
    Ok(serde_json::to_string_pretty(&value)? + "\n")
}

/// Rewrites the unix-second integers under any of `keys`, anywhere in
/// `value`, as RFC 3339 UTC, the JSON outputs' one way to write a time. For
/// types whose own serialisation keeps unix seconds (stored, hashed, captured).
pub(crate) fn rfc3339_times(value: &mut serde_json::Value, keys: &[&str]) {
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

/// The command's clock: now, and whether it was pinned. In test and debug
/// builds only (`debug_assertions`), `OPSDECK_NOW` (RFC 3339) pins it so
/// that tests never depend on the wall clock (the cockpit's header clock
/// included); the release binary has no such variable and ignores it
/// (`.ci/run` checks this on a release build).
#[cfg(debug_assertions)]
fn command_now() -> anyhow::Result<(i64, bool)> {
    match std::env::var("OPSDECK_NOW") {
        Ok(t) => crate::ingest::parse_time(&t)
            .map(|t| (t, true))
            .map_err(|e| anyhow::anyhow!("OPSDECK_NOW: {e}")),
        Err(_) => Ok((chrono::Utc::now().timestamp(), false)),
    }
}

/// The command's clock: the wall clock, always (release build).
#[cfg(not(debug_assertions))]
fn command_now() -> anyhow::Result<(i64, bool)> {
    Ok((chrono::Utc::now().timestamp(), false))
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
        (None, false) => match (&cli.command, &config.database) {
            (Some(Command::Demo), _) => demo_db()?,
            (_, Some(configured)) => PathBuf::from(configured),
            _ => default_db()?,
        },
    };
    let on_behalf_of = cli
        .actor
        .clone()
        .or_else(|| std::env::var("OPSDECK_USER").ok())
        .map(|a| crate::text::sanitize(a.trim()))
        .filter(|a| !a.is_empty());
    check_actor(cli.actor.as_deref(), config.allow_as)?;
    let (now, fixed_clock) = command_now()?;
    let ctx = Context {
        db,
        actor: resolve_actor(cli.actor.as_deref(), config.user.as_deref()),
        now,
        demo,
        mouse: config.mouse_capture(cli.no_mouse),
        config,
        read_only: cli.read_only,
        fixed_clock,
        create: match &cli.command {
            Some(Command::Init { .. }) | Some(Command::Demo) => true,
            None => cli.db.is_none() && !demo,
            _ => false,
        },
        on_behalf_of,
    };
    if let Err(problem) = &log {
        // Not fatal: the command runs without its log.
        eprintln!("opsdeck: no log: {problem}");
    }
    let name = command_name(&cli.command);
    tracing::info!(
        command = %name,
        db = %if crate::store::pg::is_url(&ctx.db) {
            // Never the password a URL may (wrongly) carry.
            crate::store::pg::shown(&ctx.db.to_string_lossy())
        } else {
            crate::text::sanitize_path(&ctx.db)
        },
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
        Some(Command::Standup {
            format: Some(crate::cli::StandupFormat::Markdown),
        }) => cockpit::standup_markdown(&ctx),
        Some(Command::Standup { .. }) => cockpit::run(&ctx, crate::tui::app::View::Standup),
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
        Some(Command::Oncall(args)) => oncall::run(&ctx, args),
        Some(Command::Silence { command }) => silence::run(&ctx, command),
        Some(Command::Completions { .. }) | Some(Command::Man) => Ok(0),
        Some(Command::Snapshot {
            width,
            height,
            view,
        }) => cockpit::snapshot(&ctx, width, height, &view),
        Some(Command::Check { format, quiet }) => check::run(&ctx, format, quiet),
        Some(Command::Alert { action }) => alert::run(&ctx, action),
        Some(Command::Slo { action }) => slo::run(&ctx, action),
        Some(Command::Incident { command }) => incident::run(&ctx, command),
        Some(Command::Sources { command }) => sources::run(&ctx, command),
        Some(Command::Playbook { command }) => playbook::run(&ctx, command),
        Some(Command::Role { command }) => role::run(&ctx, command),
        Some(Command::Observation { command }) => observation::run(&ctx, command),
        Some(Command::Run { command }) => run::run(&ctx, command),
        Some(Command::Experiment { command }) => experiment::run(&ctx, command),
        Some(Command::Decision { command }) => decision::run(&ctx, command),
        Some(Command::Feedback { command }) => feedback::run(&ctx, command),
        Some(Command::Export(args)) => export::run(&ctx, &args),
        Some(Command::Team { command }) => team::run(&ctx, &command),
        Some(Command::Migrate { to }) => team::migrate(&ctx, &to),
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
