//! The cockpit's state and `update`, the only place it changes. No I/O here:
//! what needs the store is returned as an [`Effect`].

use super::action::{Action, Effect};
use super::list::Cursor;
use super::models::{Models, Needs};
use super::popups::{Popup, PopupOutcome};
use super::state::{alerts, cockpit, indicators, playbooks, standup, work, ViewStates};
use super::theme::Theme;
use crate::domain::Timestamp;
use crate::store::board::Reading;
use tui_input::backend::crossterm::EventHandler;
use tui_input::Input;

/// The screens, in tab order; number keys 1–9 jump to them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum View {
    /// Overview: leading and lagging indicators, flow, alerts, today's checklists (key 1).
    Cockpit,
    /// Every indicator, sortable, with its detail (key 2).
    Indicators,
    /// Flow and capacity by work kind and segment (key 3).
    Work,
    /// Playbooks and checklist runs (key 4).
    Playbooks,
    /// Open alerts, history and error budgets (key 5).
    Alerts,
    /// Experiments with live criteria and verdicts (key 6).
    Experiments,
    /// The decision log (key 7).
    Decisions,
    /// Feedback scores, weekly means and comments (key 8).
    Feedback,
    /// The data sources: state, last success, lag, rows, last error (key 9).
    Sources,
    /// The standup walk-through; opened with `opsdeck standup`, not a tab.
    Standup,
}

impl View {
    /// The tabbed views (the standup is opened with `opsdeck standup`);
    /// number keys 1–9 jump to them.
    pub const TABS: [View; 9] = [
        View::Cockpit,
        View::Indicators,
        View::Work,
        View::Playbooks,
        View::Alerts,
        View::Experiments,
        View::Decisions,
        View::Feedback,
        View::Sources,
    ];

    /// Full title.
    pub fn title(self) -> &'static str {
        match self {
            View::Cockpit => "Cockpit",
            View::Indicators => "Indicators",
            View::Work => "Work",
            View::Playbooks => "Playbooks & runs",
            View::Alerts => "Alerts",
            View::Experiments => "Experiments",
            View::Decisions => "Decisions",
            View::Feedback => "Feedback",
            View::Sources => "Sources",
            View::Standup => "Standup",
        }
    }

    /// Short title for narrow terminals.
    pub fn short(self) -> &'static str {
        match self {
            View::Cockpit => "Cockpit",
            View::Indicators => "Ind",
            View::Work => "Work",
            View::Playbooks => "Runs",
            View::Alerts => "Alerts",
            View::Experiments => "Exper",
            View::Decisions => "Decis",
            View::Feedback => "Fdbk",
            View::Sources => "Srcs",
            View::Standup => "Standup",
        }
    }

    /// Parses a view name (`--view`).
    pub fn parse(name: &str) -> Option<View> {
        let n = name.to_ascii_lowercase();
        [View::Standup]
            .iter()
            .chain(View::TABS.iter())
            .copied()
            .find(|v| {
                v.title().to_ascii_lowercase() == n
                    || v.short().to_ascii_lowercase() == n
                    || (n == "playbooks" && *v == View::Playbooks)
            })
    }

    fn index(self) -> usize {
        View::TABS.iter().position(|v| *v == self).unwrap_or(0)
    }

    /// The tab `d` steps away, wrapping around.
    fn step(self, d: i64) -> View {
        let n = View::TABS.len() as i64;
        View::TABS[(self.index() as i64 + d).rem_euclid(n) as usize]
    }
}

pub use super::state::indicators::SortKey;
pub use super::state::standup::StandupState;

/// Whether a row with these texts passes the `/` filter: an empty filter
/// passes everything; otherwise one text must contain it, ignoring case.
/// `filter` is already lower-case.
pub(crate) fn matches_filter(filter: &str, texts: &[&str]) -> bool {
    filter.is_empty() || texts.iter().any(|t| t.to_lowercase().contains(filter))
}

/// How long a status-line message stays, in seconds.
pub(crate) const FLASH_SECS: i64 = 8;

/// The whole state of the cockpit.
#[derive(Debug, Clone)]
pub struct App {
    /// The view on screen.
    pub view: View,
    /// What the store last gave the views; refreshed on reload.
    pub models: Models,
    /// The clock as of the last tick.
    pub now: Timestamp,
    /// Each view's rows, selection (by id) and scroll state.
    pub ui: ViewStates,
    /// Rows must contain this (case-insensitive) to be listed.
    pub filter: String,
    /// The open popup, if any; it gets the keys first.
    pub popup: Option<Popup>,
    /// The status-line message of the last action, and when it was set.
    pub flash: Option<(String, Timestamp)>,
    /// The zone of the screen's times when the config file sets one
    /// (`timezone`); `None` shows them in the operation's zone.
    pub zone: Option<crate::format::Zone>,
    /// Colours and symbols (honours `NO_COLOR`).
    pub theme: Theme,
    /// Alert policy, notification command and bell (config and environment).
    pub alert_settings: crate::notify::AlertSettings,
    /// Set by `q` or `Ctrl-C`: the loop ends after this update.
    pub quit: bool,
    /// Something changed since the last draw.
    pub dirty: bool,
    /// The key bindings (defaults, remapped by `keys.toml`).
    pub keys: super::keys::KeyTable,
    /// Parses and completes the `:` command line (the CLI's definitions);
    /// `None` where the cockpit was opened without one.
    pub cmdline: Option<std::sync::Arc<dyn super::cmdline::CommandLine>>,
    /// The lines submitted on the `:` command line this session, oldest first.
    pub history: Vec<String>,
    /// The write running on the cockpit's writer, if any.
    pub pending: Option<super::worker::PendingWrite>,
    /// The terminal reports the mouse (the live cockpit unless
    /// `--no-mouse`): the help says what it does.
    pub mouse: bool,
    /// Where the last frame drew the tabs and the Cockpit's panes (written
    /// by `draw`, read by a mouse click).
    pub drawn: std::cell::RefCell<super::mouse::Drawn>,
    /// Why the last reload or refresh failed; `None` once one succeeds.
    /// `snapshot` and `standup --format markdown` fail with it.
    pub load_error: Option<String>,
}

impl App {
    /// A new app on `view` at `now`, with empty models until the first load.
    pub fn new(view: View, now: Timestamp, theme: Theme) -> App {
        App {
            view,
            models: Models::default(),
            now,
            ui: ViewStates::default(),
            filter: String::new(),
            popup: None,
            flash: None,
            zone: None,
            theme,
            alert_settings: crate::notify::AlertSettings::default(),
            quit: false,
            dirty: true,
            keys: Default::default(),
            cmdline: None,
            history: Vec::new(),
            pending: None,
            mouse: false,
            drawn: Default::default(),
            load_error: None,
        }
    }

    /// What the visible view needs loaded (alerts everywhere: the bell
    /// listens on every view).
    pub fn needs(&self) -> Needs {
        let mut needs = match self.view {
            View::Cockpit => Needs {
                board: true,
                flow: true,
                runs: true,
                ..Needs::default()
            },
            View::Playbooks => Needs {
                runs: true,
                ..Needs::default()
            },
            View::Indicators => Needs {
                board: true,
                detail: self.ui.indicators.detail,
                ..Needs::default()
            },
            View::Work => Needs {
                flow: true,
                work_list: self
                    .ui
                    .work
                    .items
                    .as_ref()
                    .map(|i| (i.kind.clone(), i.segment.clone())),
                work_item: self.ui.work.items.as_ref().and_then(|i| i.detail),
                ..Needs::default()
            },
            View::Alerts => Needs {
                alert_detail: self.ui.alerts.detail,
                incident: self.ui.alerts.incident,
                ..Needs::default()
            },
            View::Standup => Needs {
                board: true,
                flow: true,
                standup: true,
                runs: true,
                ..Needs::default()
            },
            View::Experiments => Needs {
                experiments: true,
                ..Needs::default()
            },
            View::Decisions => Needs {
                decisions: true,
                ..Needs::default()
            },
            View::Feedback => Needs {
                feedback: true,
                ..Needs::default()
            },
            View::Sources => Needs {
                sources: true,
                ..Needs::default()
            },
        };
        needs.alerts = true;
        needs.ack_timeout = self.alert_settings.policy.ack_timeout_secs;
        // The command line completes indicator keys, playbooks and run ids.
        if matches!(self.popup, Some(Popup::Command(_))) {
            needs.board = true;
            needs.runs = true;
        }
        needs
    }

    /// Where keys are pressed: the view and whether a detail is open.
    pub fn key_context(&self) -> super::keys::Context {
        super::keys::Context {
            read_only: self.models.header.read_only,
            incident: self.view == View::Alerts && self.ui.alerts.incident.is_some(),
            view: self.view,
            detail: match self.view {
                View::Indicators => self.ui.indicators.detail.is_some(),
                View::Playbooks => self.ui.playbooks.opened.is_some(),
                View::Alerts => {
                    self.ui.alerts.detail.is_some() || self.ui.alerts.incident.is_some()
                }
                View::Work => self.ui.work.items.is_some(),
                _ => false,
            },
        }
    }

    /// Colours and clock for the views.
    pub fn look(&self) -> crate::tui::views::Look {
        crate::tui::views::Look {
            theme: self.theme,
            now: self.now,
            zone: self.zone.unwrap_or(self.models.header.zone),
        }
    }

    /// The selected row of the visible view (0 without a list).
    pub fn selected(&self) -> usize {
        self.ui.cursor(self.view).map_or(0, |c| c.index())
    }

    /// Number of rows under the visible view's cursor.
    pub fn row_count(&self) -> usize {
        self.ui.cursor(self.view).map_or(0, |c| c.len())
    }

    /// Indicator readings as the Indicators table lists them: filtered and sorted.
    pub fn indicator_rows(&self) -> Vec<&Reading> {
        match &self.models.board {
            Some(b) => self.ui.indicators.rows(b),
            None => Vec::new(),
        }
    }

    /// Active alerts as the Alerts view lists them: filtered, in order.
    pub fn alert_rows(&self) -> Vec<&crate::store::alerts::AlertRow> {
        match &self.models.alerts {
            Some(m) => self.ui.alerts.rows(m),
            None => Vec::new(),
        }
    }

    /// Sets the `/` filter and recomputes the lists (the cursor follows its
    /// item while it stays listed).
    pub(crate) fn set_filter(&mut self, text: &str) {
        self.filter = text.to_string();
        self.ui
            .recompute(&self.models, &self.filter, self.view, self.now);
    }

    /// Shows `text` on the status line; a message set at the same second is
    /// kept and `text` is added to it.
    pub fn flash(&mut self, text: String) {
        self.flash = Some(match self.flash.take() {
            Some((old, at)) if at == self.now && !old.is_empty() => (format!("{old} · {text}"), at),
            _ => (text, self.now),
        });
        self.dirty = true;
    }

    /// Shows view `v` with its details closed and the filter cleared.
    pub(crate) fn set_view(&mut self, v: View) -> Option<Effect> {
        if self.view == v {
            return None;
        }
        self.view = v;
        self.ui.indicators.detail = None;
        self.ui.playbooks.opened = None;
        self.ui.alerts.detail = None;
        self.ui.alerts.incident = None;
        self.ui.work.items = None;
        self.models.alert_detail = None;
        self.models.incident = None;
        self.models.work_list = None;
        self.models.work_item = None;
        self.set_filter("");
        self.dirty = true;
        Some(Effect::Reload)
    }

    fn with_cursor(&mut self, f: impl FnOnce(&mut dyn Cursor)) -> Option<Effect> {
        if let Some(c) = self.ui.cursor_mut(self.view) {
            f(c);
            self.dirty = true;
        }
        None
    }
}

/// Applies `action` to the state; returns the effect the loop must run.
/// Popups take the keys first; then what every view shares; the rest goes
/// to the visible view's own `update` (in `tui::state`).
pub fn update(app: &mut App, action: Action) -> Option<Effect> {
    // A key dismisses an error message (and still does what it does).
    if action.is_from_user()
        && app
            .flash
            .as_ref()
            .is_some_and(|(m, _)| m.starts_with("error"))
    {
        app.flash = None;
        app.dirty = true;
    }
    // The mouse never acts on the view behind a popup: a click closes the
    // help (as any key does); every other popup ignores the mouse, so a
    // stray click drops nothing typed and answers no question.
    if matches!(action, Action::Wheel(_) | Action::Click { .. }) && app.popup.is_some() {
        if matches!(app.popup, Some(Popup::Help)) && matches!(action, Action::Click { .. }) {
            app.popup = None;
            app.dirty = true;
        }
        return None;
    }
    if let Some(mut popup) = app.popup.take() {
        app.dirty = true;
        match super::popups::update(app, &mut popup, &action) {
            PopupOutcome::Stay => {
                app.popup = Some(popup);
                return None;
            }
            PopupOutcome::Replace(next) => {
                app.popup = Some(next);
                return None;
            }
            PopupOutcome::Close => return None,
            PopupOutcome::CloseWith(effect) => return Some(effect),
            PopupOutcome::PassThrough => app.popup = Some(popup),
        }
    }
    match action {
        Action::Quit => {
            app.quit = true;
            None
        }
        Action::NextView | Action::PrevView if app.view == View::Standup => None,
        Action::NextView => app.set_view(app.view.step(1)),
        Action::PrevView => app.set_view(app.view.step(-1)),
        Action::Goto(v) => app.set_view(v),
        // In an indicator's detail the arrows pick one of its recent values.
        Action::Move(_) if app.view == View::Indicators && app.ui.indicators.detail.is_some() => {
            indicators::update(app, action)
        }
        // In the standup the arrows scroll the section.
        Action::Move(_) | Action::Top | Action::Bottom if app.view == View::Standup => {
            standup::update(app, action)
        }
        // In an incident's detail the arrows scroll its timeline.
        Action::Move(_) | Action::Top | Action::Bottom
            if app.view == View::Alerts && app.ui.alerts.incident.is_some() =>
        {
            alerts::update(app, action)
        }
        Action::Move(d) => app.with_cursor(|c| c.move_by(d)),
        Action::Top => app.with_cursor(|c| c.top()),
        Action::Bottom => app.with_cursor(|c| c.bottom()),
        Action::ToggleHelp => open(app, Popup::Help),
        Action::OpenFilter => open(app, Popup::Filter(Input::new(app.filter.clone()))),
        Action::InputKey(_) | Action::Submit | Action::Confirmed => None,
        Action::Tick(now) => tick(app, now),
        Action::DataChanged => Some(Effect::Refresh),
        Action::Loaded(models) => {
            app.load_error = None;
            loaded(app, *models)
        }
        Action::Evaluated => Some(Effect::Reload),
        Action::LoadFailed(e) => {
            app.flash(format!("error: could not read the database: {e}"));
            app.load_error = Some(e);
            None
        }
        Action::Done(result) => {
            app.flash(match result {
                Ok(m) => m,
                Err(e) => format!("error: {e}"),
            });
            Some(Effect::Reload)
        }
        Action::Resize => {
            app.dirty = true;
            None
        }
        Action::OpenCommand(what) => super::cmdline::open(app, what),
        Action::OpenIncident(id) => super::state::incident::open(app, id),
        // The wheel does what `↑`/`↓` do where the pointer's view is.
        Action::Wheel(d) => update(app, Action::Move(d)),
        Action::Click { column, row } => super::mouse::click(app, column, row),
        other => match app.view {
            View::Indicators => indicators::update(app, other),
            View::Playbooks => playbooks::update(app, other),
            View::Alerts => alerts::update(app, other),
            View::Standup => standup::update(app, other),
            View::Sources => super::state::sources::update(app, other),
            View::Work => work::update(app, other),
            View::Cockpit => cockpit::update(app, other),
            _ => super::state::common(app, other),
        },
    }
}

fn open(app: &mut App, popup: Popup) -> Option<Effect> {
    app.popup = Some(popup);
    app.dirty = true;
    None
}

/// The clock moved on: expire the message, tick the standup timer, and
/// evaluate the alert rules on the minute.
fn tick(app: &mut App, now: Timestamp) -> Option<Effect> {
    let minute_changed = now / 60 != app.now / 60;
    let second_changed = now != app.now;
    app.now = now;
    // An error stays until a key; other messages go after FLASH_SECS.
    if app
        .flash
        .as_ref()
        .is_some_and(|(m, at)| !m.starts_with("error") && now - at >= FLASH_SECS)
    {
        app.flash = None;
        app.dirty = true;
    }
    if app.view == View::Standup && app.ui.standup.speaker_started.is_some() && second_changed {
        app.dirty = true;
    }
    if minute_changed {
        app.dirty = true;
        return Some(Effect::EvaluateAlerts);
    }
    None
}

/// Fresh models: recompute every list; when the selected item is gone, say
/// where the cursor went.
fn loaded(app: &mut App, models: Models) -> Option<Effect> {
    app.models = models;
    if app.ui.indicators.detail.is_some() && app.models.detail.is_none() {
        app.ui.indicators.detail = None;
    }
    if app.view == View::Alerts
        && app.ui.alerts.detail.is_some()
        && app.models.alert_detail.is_none()
    {
        app.ui.alerts.detail = None;
    }
    if let (View::Alerts, Some(id), None) = (app.view, app.ui.alerts.incident, &app.models.incident)
    {
        app.ui.alerts.incident = None;
        app.flash(format!("no incident #{id}"));
    }
    if app.view == View::Work {
        if let Some(items) = &mut app.ui.work.items {
            if items.detail.is_some() && app.models.work_item.is_none() {
                items.detail = None;
            }
        }
    }
    if let Some(msg) = app
        .ui
        .recompute(&app.models, &app.filter, app.view, app.now)
    {
        app.flash(msg);
    }
    app.dirty = true;
    None
}

/// Feeds a key into a text input.
pub(crate) fn input_key(input: &mut Input, key: crossterm::event::KeyEvent) {
    input.handle_event(&crossterm::event::Event::Key(key));
}

/// Feeds a key into a popup's text line and clears the line's last error;
/// the popup stays open.
pub(crate) fn typed(
    input: &mut Input,
    error: &mut Option<String>,
    key: crossterm::event::KeyEvent,
) -> PopupOutcome {
    input_key(input, key);
    *error = None;
    PopupOutcome::Stay
}
