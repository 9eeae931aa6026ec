//! The cockpit: terminal setup and restore, and the loop that turns keys,
//! ticks and database changes into actions, runs effects against the store
//! and redraws only when something changed.
//!
//! One pattern for every feature, key → popup → confirm → effect → store:
//! - `keys.rs`: the one key table (action, keys, scope, help, footer word);
//!   `keymap.rs` reads it (and a popup's own keys), `?` help and the footer
//!   are generated from it; `keys_file.rs` applies `keys.toml`.
//! - `action.rs`: [`action::Action`] (intents, data, results) and
//!   [`action::Effect`] (work for the store, naming items by id).
//! - `app.rs`: the state and the `update` dispatcher (what every view
//!   shares); `state/<view>.rs`: each view's state (rows, selection by id,
//!   scroll) and its part of `update`; `list.rs`: the selection-by-identity
//!   list with its persistent `TableState` and scrollbar.
//! - `popups/`: each popup's keys return a [`popups::PopupOutcome`].
//! - `effects.rs`: the one place that runs every effect against the store.
//! - `cmdline.rs`: the `:` command line; the [`cmdline::CommandLine`] that
//!   parses it with the CLI's clap definitions is handed in by `commands`.
//! - `views/<view>.rs`: drawing, from the view's state and model only.
//! - `mouse.rs`: wheel and clicks as actions, hit-tested against where the
//!   last frame drew the tabs, rows and panes.

pub mod action;
pub mod app;
pub mod cmdline;
pub mod corrections;
pub mod effects;
pub mod keymap;
pub mod keys;
pub mod keys_file;
pub mod list;
pub mod models;
pub mod mouse;
pub mod popups;
pub mod state;
pub mod theme;
pub mod views;
pub mod widgets;
pub mod worker;

use crate::domain::Timestamp;
use crate::store::{notes, Store};
use action::Action;
use app::{update, App, View};
use crossterm::event::{self, DisableMouseCapture, EnableMouseCapture, Event};
use crossterm::terminal::{
    self, BeginSynchronizedUpdate, EndSynchronizedUpdate, EnterAlternateScreen,
    LeaveAlternateScreen,
};
use crossterm::{cursor, execute, queue};
pub use effects::run_effect;
use ratatui::backend::{CrosstermBackend, TestBackend};
use ratatui::Terminal;
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// How often the loop asks SQLite whether another process committed, by
/// default (`refresh_ms` in the config file).
pub const POLL_INTERVAL: Duration = Duration::from_millis(500);

/// Notices commits by other connections to the cockpit's database (`PRAGMA
/// data_version`): another process recording a value, a `check` from cron,
/// `opsdeck demo` recreating the demo under an open cockpit (it rewrites the
/// file in place, see `commands::demo`, so this connection sees it).
#[derive(Debug, Clone, Copy)]
pub struct ChangeWatch {
    version: i64,
}

impl ChangeWatch {
    /// Starts watching from what `store` sees now.
    pub fn new(store: &Store) -> crate::store::Result<ChangeWatch> {
        Ok(ChangeWatch {
            version: store.data_version()?,
        })
    }

    /// True when another connection committed since the last call (or
    /// since [`ChangeWatch::new`]).
    pub fn changed(&mut self, store: &Store) -> crate::store::Result<bool> {
        let v = store.data_version()?;
        let changed = v != self.version;
        self.version = v;
        Ok(changed)
    }
}

/// Applies an action and every action its effects lead to.
pub fn dispatch(store: &mut Store, app: &mut App, action: Action) {
    let mut next = Some(action);
    while let Some(a) = next.take() {
        if let Some(effect) = update(app, a) {
            next = run_logged(store, app, effect);
        }
    }
}

/// Runs one effect and logs its name and duration (a reload or refresh at
/// debug, in microseconds; a failure as a warning).
pub(crate) fn run_logged(
    store: &mut Store,
    app: &mut App,
    effect: action::Effect,
) -> Option<Action> {
    let name = effect.name();
    let started = std::time::Instant::now();
    let next = run_effect(store, app, effect);
    let elapsed = started.elapsed();
    let ms = elapsed.as_millis() as u64;
    let us = elapsed.as_micros() as u64;
    match &next {
        Some(Action::Done(Err(e)) | Action::LoadFailed(e)) => {
            tracing::warn!(
                effect = name,
                ms,
                "cockpit: failed: {}",
                crate::text::sanitize(e)
            )
        }
        _ if name == "reload" => tracing::debug!(us, "cockpit: reloaded the visible view"),
        _ if name == "refresh" => {
            tracing::debug!(us, "cockpit: read what another process changed")
        }
        _ => tracing::info!(effect = name, ms, "cockpit: ran"),
    }
    next
}

/// Renders one frame of `app` into plain text (no escape codes): the
/// snapshot command and the screen tests use the same code as the terminal.
pub fn render_to_text(app: &App, width: u16, height: u16) -> String {
    let backend = TestBackend::new(width, height);
    let mut terminal = match Terminal::new(backend) {
        Ok(t) => t,
        Err(e) => return format!("cannot render: {e}"),
    };
    if let Err(e) = terminal.draw(|f| views::draw(f, app)) {
        return format!("cannot render: {e}");
    }
    buffer_to_text(terminal.backend().buffer())
}

/// The text of a rendered buffer, one line per row, trailing spaces trimmed.
pub fn buffer_to_text(buf: &ratatui::buffer::Buffer) -> String {
    let mut out = String::new();
    for y in 0..buf.area.height {
        let mut line = String::new();
        let mut skip = 0;
        for x in 0..buf.area.width {
            if skip > 0 {
                skip -= 1;
                continue;
            }
            let sym = buf[(x, y)].symbol();
            let w = unicode_width::UnicodeWidthStr::width(sym);
            if w > 1 {
                skip = w - 1;
            }
            line.push_str(sym);
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// A loaded app for `view` at `now`, as the cockpit would show it.
pub fn loaded_app(store: &mut Store, view: View, now: Timestamp, theme: theme::Theme) -> App {
    let mut app = App::new(view, now, theme);
    dispatch(store, &mut app, Action::DataChanged);
    app.dirty = true;
    app
}

/// Whether the cockpit has taken over the terminal (raw mode, alternate
/// screen); restoring twice would move the cursor of the main screen.
static TERMINAL_TAKEN: AtomicBool = AtomicBool::new(false);

/// Whether the cockpit turned the terminal's mouse reporting on.
static MOUSE_TAKEN: AtomicBool = AtomicBool::new(false);

/// Restores the terminal: mouse reporting off, raw mode off, main screen
/// back, cursor shown. Does nothing when the terminal was not taken or is
/// already restored (a quit, a panic, SIGTERM and SIGHUP all come here).
pub(crate) fn restore_terminal() {
    if !TERMINAL_TAKEN.swap(false, Ordering::SeqCst) {
        return;
    }
    let mut out = std::io::stdout();
    if MOUSE_TAKEN.swap(false, Ordering::SeqCst) {
        let _ = execute!(out, DisableMouseCapture);
    }
    let _ = terminal::disable_raw_mode();
    let _ = execute!(
        out,
        EndSynchronizedUpdate,
        LeaveAlternateScreen,
        cursor::Show
    );
    let _ = out.flush();
}

/// Restores the terminal when dropped, whatever way the loop ended.
struct TerminalGuard;

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore_terminal();
    }
}

/// How the live cockpit runs, besides the config file.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Capture the mouse (wheel, clicks); off with `--no-mouse` or
    /// `mouse = false`.
    pub mouse: bool,
    /// A clock pinned by `OPSDECK_NOW` (debug and test builds): the header
    /// and the ticks stay at this time. `None`: the wall clock.
    pub fixed_now: Option<Timestamp>,
}

/// Opens the cockpit on `store` and runs until `q`, SIGTERM or SIGHUP. With
/// `standup`, opens the standup view and records the standup time.
/// `keys` is the key table (`keys.toml` applied); `cmdline` parses the `:`
/// command line (the CLI's definitions, from `commands`).
pub fn run(
    mut store: Store,
    view: View,
    config: &crate::config::Config,
    keys: keys::KeyTable,
    cmdline: Option<std::sync::Arc<dyn cmdline::CommandLine>>,
    options: Options,
) -> anyhow::Result<()> {
    use std::io::IsTerminal;
    if !std::io::stdout().is_terminal() {
        anyhow::bail!(
            "the cockpit needs a terminal; use `opsdeck snapshot` or `opsdeck status` in scripts"
        );
    }
    let now = || {
        options
            .fixed_now
            .unwrap_or_else(|| chrono::Utc::now().timestamp())
    };
    if view == View::Standup && !store.is_read_only() {
        store.write(|tx| notes::record_standup(tx, now()))?;
    }
    // SIGTERM and SIGHUP (an SSH connection dropping) end the cockpit from a
    // thread of their own: when the terminal is gone, crossterm's event
    // reader can spin without ever returning to the loop, so a flag checked
    // there would never be seen. The thread restores the terminal (if it is
    // still there) and exits; every write is a finished transaction, so
    // nothing is lost.
    let mut signals = signal_hook::iterator::Signals::new([
        signal_hook::consts::SIGTERM,
        signal_hook::consts::SIGHUP,
    ])?;
    let signals_handle = signals.handle();
    std::thread::spawn(move || {
        if let Some(sig) = signals.forever().next() {
            restore_terminal();
            std::process::exit(128 + sig);
        }
    });
    let previous_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore_terminal();
        previous_hook(info);
    }));
    terminal::enable_raw_mode()?;
    TERMINAL_TAKEN.store(true, Ordering::SeqCst);
    let _guard = TerminalGuard;
    execute!(std::io::stdout(), EnterAlternateScreen, cursor::Hide)?;
    if options.mouse {
        MOUSE_TAKEN.store(true, Ordering::SeqCst);
        execute!(std::io::stdout(), EnableMouseCapture)?;
    }
    let mut terminal = Terminal::new(CrosstermBackend::new(std::io::stdout()))?;
    terminal.clear()?;
    let sync = config.sync_output && std::env::var_os("OPSDECK_NO_SYNC").is_none();
    // Team mode: other clients' commits arrive as notifications, counted
    // by the listener; looking at the count is an atomic read, so the
    // cockpit looks often and reloads within a frame or two of a commit
    // (on SQLite, `refresh_ms` paces the `data_version` poll).
    let poll_interval = if store.is_server() {
        Duration::from_millis(config.refresh_ms.min(40))
    } else {
        Duration::from_millis(config.refresh_ms)
    };
    let panic_after = std::env::var("OPSDECK_DEBUG_PANIC_AFTER_MS")
        .ok()
        .and_then(|v| v.parse::<u64>().ok());
    let started = Instant::now();

    let mut app = loaded_app(
        &mut store,
        view,
        now(),
        theme::Theme {
            color: config.use_color(),
        },
    );
    app.zone = config.timezone;
    app.mouse = options.mouse;
    app.keys = keys;
    app.cmdline = cmdline;
    let (alert_settings, _) = crate::notify::AlertSettings::load(config);
    app.alert_settings = alert_settings;
    let mut bell = state::alerts::BellWatch::default();
    bell.observe(app.models.alerts.as_ref());
    let mut watch = ChangeWatch::new(&store)?;
    let mut last_poll = Instant::now();
    // Writes run on a writer of their own (a read-only cockpit has none).
    let writer = if store.is_read_only() {
        None
    } else {
        Some(worker::Worker::start(&store)?)
    };
    let w = writer.as_ref();
    loop {
        if app.dirty {
            if bell.observe(app.models.alerts.as_ref()) && app.alert_settings.bell {
                queue!(terminal.backend_mut(), crossterm::style::Print('\u{7}'))?;
            }
            if sync {
                queue!(terminal.backend_mut(), BeginSynchronizedUpdate)?;
            }
            terminal.draw(|f| views::draw(f, &app))?;
            if sync {
                execute!(terminal.backend_mut(), EndSynchronizedUpdate)?;
            }
            app.dirty = false;
        }
        if app.quit {
            break;
        }
        if let Some(ms) = panic_after {
            if started.elapsed() >= Duration::from_millis(ms) {
                panic!("debug panic requested by OPSDECK_DEBUG_PANIC_AFTER_MS");
            }
        }
        let until_poll = poll_interval.saturating_sub(last_poll.elapsed());
        // While a write runs, look for its result often.
        let step = if app.pending.is_some() { 20 } else { 250 };
        let timeout = until_poll.min(Duration::from_millis(step));
        if event::poll(timeout)? {
            match event::read()? {
                Event::Key(key) => worker::key(&mut store, &mut app, w, key),
                Event::Mouse(m) if options.mouse => worker::mouse(&mut store, &mut app, w, m),
                Event::Resize(..) => worker::handle(&mut store, &mut app, w, Action::Resize),
                _ => {}
            }
        }
        if let Some(done) = w.and_then(|w| w.poll(&mut app)) {
            worker::handle(&mut store, &mut app, w, done);
        }
        worker::handle(&mut store, &mut app, w, Action::Tick(now()));
        if last_poll.elapsed() >= poll_interval {
            last_poll = Instant::now();
            match watch.changed(&store) {
                Ok(true) => {
                    tracing::debug!("cockpit: another process committed; reloading");
                    worker::handle(&mut store, &mut app, w, Action::DataChanged);
                }
                Ok(false) => {}
                Err(e) => tracing::warn!("cockpit: cannot tell whether the data changed: {e}"),
            }
            // Team mode: say so while the server cannot be reached (the
            // store and its listener reconnect by themselves).
            let reconnecting = store.is_reconnecting();
            if reconnecting != app.models.header.reconnecting {
                app.models.header.reconnecting = reconnecting;
                app.dirty = true;
            }
        }
    }
    signals_handle.close();
    Ok(())
}
