//! The cockpit's writer: every write effect runs on a thread of its own
//! with its own connection to the same file, so a write that waits for
//! another process's lock never freezes the screen. While it waits (after
//! [`WAIT_SHOWN_AFTER`]) the footer says "waiting for the database… (Esc
//! cancels)"; Esc makes the wait give up. A failed write gives back the
//! popup it came from, with what was typed, and its error stays on screen
//! until a key.

use super::action::{Action, Effect};
use super::app::App;
use super::popups::Popup;
use crate::store::Store;
use std::sync::mpsc::{channel, Receiver, Sender};
use std::time::{Duration, Instant};

/// The writer connection's page cache, in KiB (the UI's connection keeps
/// SQLite's default): its writes touch few pages.
const WRITER_PAGE_CACHE_KIB: u32 = 256;

/// How long a write runs before the footer says it is waiting.
pub const WAIT_SHOWN_AFTER: Duration = Duration::from_millis(300);

/// The write on the worker, as the app shows it.
#[derive(Debug, Clone)]
pub struct PendingWrite {
    /// The effect's name (`record`, `alert`, …), for the log.
    pub name: &'static str,
    /// When it was sent.
    pub started: Instant,
    /// The popup it came from, given back with its text if it fails.
    pub popup: Option<Popup>,
    /// The footer says "waiting for the database…".
    pub shown: bool,
    /// Esc was pressed: the wait gives up.
    pub cancelled: bool,
    /// The minute's rule evaluation, which nobody typed: Esc does not
    /// cancel it, the footer does not wait on it, and a write the user
    /// submits meanwhile makes it give up and runs next ([`Self::deferred`]).
    pub background: bool,
    /// The user's write that arrived while the background evaluation ran,
    /// with its popup: sent as soon as the evaluation is over.
    pub deferred: Option<Box<(Effect, Option<Popup>)>>,
}

/// The thread that runs the cockpit's writes.
pub struct Worker {
    jobs: Sender<(Effect, Box<App>)>,
    results: Receiver<Option<Action>>,
    /// Set: the write waiting for the lock on the writer gives up.
    cancel: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

/// Whether `effect` runs on the worker (everything but a reload, which only
/// reads, and the source run, which has a thread of its own).
pub fn runs_on_worker(effect: &Effect) -> bool {
    !matches!(
        effect,
        Effect::Reload | Effect::Refresh | Effect::RunSource { .. }
    )
}

impl Worker {
    /// Starts the writer on its own connection to `store`'s file, as the
    /// same actor; its wait for the lock can be cancelled.
    pub fn start(store: &Store) -> crate::store::Result<Worker> {
        let mut own = Store::open_existing(store.path(), store.actor(), 0, false)?;
        own.wait_cancellably()?;
        own.limit_page_cache(WRITER_PAGE_CACHE_KIB)?;
        let (jobs, inbox) = channel::<(Effect, Box<App>)>();
        let (outbox, results) = channel();
        let cancel = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let switch = cancel.clone();
        std::thread::Builder::new()
            .name("cockpit writer".into())
            .spawn(move || {
                crate::store::cancel_switch_for_this_thread(switch.clone());
                for (effect, app) in inbox {
                    switch.store(false, std::sync::atomic::Ordering::SeqCst);
                    let out = super::effects::run_effect(&mut own, &app, effect);
                    if outbox.send(out).is_err() {
                        break;
                    }
                }
            })
            .map_err(|e| {
                crate::store::StoreError::Invalid(format!("cannot start the writer: {e}"))
            })?;
        Ok(Worker {
            jobs,
            results,
            cancel,
        })
    }

    /// Makes the write now waiting for the lock on the writer give up.
    pub fn cancel_wait(&self) {
        self.cancel.store(true, std::sync::atomic::Ordering::SeqCst);
    }

    /// Sends `effect` (with the app as it is now) to the writer; the app
    /// records it as pending, with the popup it came from.
    pub fn send(&self, app: &mut App, effect: Effect, popup: Option<Popup>) {
        let pending = PendingWrite {
            name: effect.name(),
            started: Instant::now(),
            popup,
            shown: false,
            cancelled: false,
            background: effect == Effect::EvaluateAlerts,
            deferred: None,
        };
        if self.jobs.send((effect, Box::new(app.clone()))).is_err() {
            app.flash("error: the cockpit's writer has stopped; restart the cockpit".into());
            return;
        }
        app.pending = Some(pending);
    }

    /// The finished write's result, if it finished: the pending write is
    /// cleared; a failure gives back its popup and says so (cancelled or
    /// the error). Also marks a long write as shown.
    pub fn poll(&self, app: &mut App) -> Option<Action> {
        let pending = app.pending.as_mut()?;
        match self.results.try_recv() {
            Ok(out) => {
                let mut p = app.pending.take()?;
                if p.background {
                    // The evaluation is over (it may have given up for a
                    // write the user submitted meanwhile: that runs now;
                    // the rules run again on the next minute).
                    let gave_way = p.deferred.is_some();
                    if let Some(next) = p.deferred.take() {
                        let (effect, popup) = *next;
                        self.send(app, effect, popup);
                    }
                    app.dirty = true;
                    return match out {
                        Some(Action::Done(Err(e))) if gave_way => {
                            tracing::debug!(
                                "cockpit: the rule evaluation gave way to a write: {}",
                                crate::text::sanitize(&e)
                            );
                            None
                        }
                        other => other,
                    };
                }
                let out = match out {
                    Some(Action::Done(Err(e))) => {
                        if app.popup.is_none() {
                            app.popup = p.popup;
                        }
                        let e = if p.cancelled {
                            "cancelled while waiting for the database: nothing was written; what you typed is kept, submit it again".to_string()
                        } else {
                            e
                        };
                        tracing::warn!(
                            effect = p.name,
                            "cockpit: write failed: {}",
                            crate::text::sanitize(&e)
                        );
                        Some(Action::Done(Err(e)))
                    }
                    other => {
                        tracing::info!(
                            effect = p.name,
                            ms = p.started.elapsed().as_millis() as u64,
                            "cockpit: ran"
                        );
                        other
                    }
                };
                app.dirty = true;
                out
            }
            Err(std::sync::mpsc::TryRecvError::Empty) => {
                if !pending.shown && pending.started.elapsed() >= WAIT_SHOWN_AFTER {
                    pending.shown = true;
                    app.dirty = true;
                }
                None
            }
            Err(std::sync::mpsc::TryRecvError::Disconnected) => {
                app.pending = None;
                Some(Action::Done(Err(
                    "the cockpit's writer has stopped; restart the cockpit".into(),
                )))
            }
        }
    }
}

/// Esc while a write waits: cancel it.
pub fn cancel(app: &mut App, worker: &Worker) {
    if let Some(p) = app.pending.as_mut() {
        if p.background {
            // Only the user's write behind the evaluation is theirs to
            // cancel: it is dropped before it is sent, its text given back.
            if let Some(d) = p.deferred.take() {
                if app.popup.is_none() {
                    app.popup = d.1;
                }
                app.flash("cancelled while waiting for the database: nothing was written; what you typed is kept, submit it again".into());
            }
            app.dirty = true;
            return;
        }
        p.cancelled = true;
        worker.cancel_wait();
        app.dirty = true;
    }
}

/// [`super::dispatch`] with the writes on `worker`: reloads run here, every
/// other effect goes to the writer (one at a time; a second write while one
/// waits is refused, and its popup kept). Call [`Worker::poll`] each turn
/// of the loop and dispatch what it returns.
pub fn dispatch(store: &mut Store, app: &mut App, worker: &Worker, action: Action) {
    let mut next = Some(action);
    while let Some(a) = next.take() {
        let before = app.popup.clone();
        let Some(effect) = super::app::update(app, a) else {
            continue;
        };
        if !runs_on_worker(&effect) {
            next = super::run_logged(store, app, effect);
            continue;
        }
        if let Some(p) = app.pending.as_mut() {
            if effect == Effect::EvaluateAlerts {
                continue; // the rules run again on the next minute
            }
            if p.background && p.deferred.is_none() {
                // The minute's evaluation gives way: the user's write runs
                // as soon as it is over (at once if it is still waiting).
                p.deferred = Some(Box::new((effect, before)));
                worker.cancel_wait();
                continue;
            }
            if app.popup.is_none() {
                app.popup = before;
            }
            app.flash(
                "error: another change is still waiting for the database; Esc cancels it".into(),
            );
            continue;
        }
        worker.send(app, effect, before);
    }
}

/// One key in the live cockpit: Esc while a write waits cancels it;
/// otherwise the key's action, its writes on `worker` (on the UI thread
/// without one: a read-only cockpit).
pub fn key(
    store: &mut Store,
    app: &mut App,
    worker: Option<&Worker>,
    key: crossterm::event::KeyEvent,
) {
    let waiting_on_user = app
        .pending
        .as_ref()
        .is_some_and(|p| !p.background || p.deferred.is_some());
    if let Some(w) = worker.filter(|_| {
        key.code == crossterm::event::KeyCode::Esc && waiting_on_user && app.popup.is_none()
    }) {
        cancel(app, w);
        return;
    }
    if let Some(action) = super::keymap::keymap(app, key) {
        handle(store, app, worker, action);
    }
}

/// One mouse event in the live cockpit: its action (wheel, click) goes the
/// way a key's does, its writes (if any) on `worker`.
pub fn mouse(
    store: &mut Store,
    app: &mut App,
    worker: Option<&Worker>,
    event: crossterm::event::MouseEvent,
) {
    if let Some(action) = super::mouse::action(event) {
        handle(store, app, worker, action);
    }
}

/// Applies `action`: through `worker` when there is one.
pub fn handle(store: &mut Store, app: &mut App, worker: Option<&Worker>, action: Action) {
    match worker {
        Some(w) => dispatch(store, app, w, action),
        None => super::dispatch(store, app, action),
    }
}
