//! The cockpit's state and `update`, the only place it changes. No I/O here:
//! what needs the store is returned as an [`Effect`].

use super::action::{Action, Effect};
use super::models::{Models, Needs};
use super::popups::Popup;
use super::theme::Theme;
use crate::domain::Timestamp;
use crate::store::board::Reading;
use tui_input::backend::crossterm::EventHandler;
use tui_input::Input;

/// The screens, in tab order; number keys 1–8 jump to them.
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
    /// The standup walk-through; opened with `opsdeck standup`, not a tab.
    Standup,
}

impl View {
    /// The tabbed views (the standup is opened with `opsdeck standup`).
    pub const TABS: [View; 8] = [
        View::Cockpit,
        View::Indicators,
        View::Work,
        View::Playbooks,
        View::Alerts,
        View::Experiments,
        View::Decisions,
        View::Feedback,
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
            View::Standup => "Standup",
        }
    }

    /// Short title for narrow terminals.
    pub fn short(self) -> &'static str {
        match self {
            View::Cockpit => "Cockpit",
            View::Indicators => "Indic",
            View::Work => "Work",
            View::Playbooks => "Runs",
            View::Alerts => "Alerts",
            View::Experiments => "Exper",
            View::Decisions => "Decis",
            View::Feedback => "Feedbk",
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
}

/// How the Indicators table is sorted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    /// Worst status first (the default).
    Status,
    /// By indicator name, A to Z (case-insensitive).
    Name,
    /// By kind (lagging before leading), then name.
    Kind,
    /// By owner role, then name.
    Owner,
}

impl SortKey {
    fn next(self) -> SortKey {
        match self {
            SortKey::Status => SortKey::Name,
            SortKey::Name => SortKey::Kind,
            SortKey::Kind => SortKey::Owner,
            SortKey::Owner => SortKey::Status,
        }
    }

    /// Column name shown in the title.
    pub fn word(self) -> &'static str {
        match self {
            SortKey::Status => "status",
            SortKey::Name => "name",
            SortKey::Kind => "kind",
            SortKey::Owner => "owner",
        }
    }
}

/// The standup's position.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StandupState {
    /// Current section, 0-based (`Space`/`PageDown` goes to the next).
    pub section: usize,
    /// Speaker number (1-based; 0 before the first `t`).
    pub speaker: usize,
    /// When the current speaker started (unix seconds, UTC); `None` before the first `t`.
    pub speaker_started: Option<Timestamp>,
}

/// Whether a row with these texts passes the `/` filter: an empty filter
/// passes everything; otherwise one text must contain it, ignoring case.
/// `filter` is already lower-case.
pub fn matches_filter(filter: &str, texts: &[&str]) -> bool {
    filter.is_empty() || texts.iter().any(|t| t.to_lowercase().contains(filter))
}

/// How long a status-line message stays, in seconds.
pub const FLASH_SECS: i64 = 8;

/// The whole state of the cockpit.
#[derive(Debug, Clone)]
pub struct App {
    /// The view on screen.
    pub view: View,
    /// What the store last gave the views; refreshed on reload.
    pub models: Models,
    /// The clock as of the last tick.
    pub now: Timestamp,
    /// Selected row per view.
    pub selected: [usize; 9],
    /// Indicator whose detail is open (Indicators view).
    pub detail: Option<i64>,
    /// The selected recent value in the open indicator detail.
    pub value_sel: usize,
    /// Sort column of the Indicators table.
    pub sort: SortKey,
    /// Rows must contain this (case-insensitive) to be listed.
    pub filter: String,
    /// The open popup, if any; it gets the keys first.
    pub popup: Option<Popup>,
    /// The status-line message of the last action, and when it was set.
    pub flash: Option<(String, Timestamp)>,
    /// Show times in local time (the live cockpit) or UTC (snapshots, tests).
    pub local_time: bool,
    /// Where the standup is: section, speaker, speaker's clock.
    pub standup: StandupState,
    /// Colours and symbols (honours `NO_COLOR`).
    pub theme: Theme,
    /// Alert policy, notification command and bell (config and environment).
    pub alert_settings: crate::notify::AlertSettings,
    /// The Playbooks & runs view's open run or playbook.
    pub runs_ui: super::runs::RunsUi,
    /// Set by `q` or `Ctrl-C`: the loop ends after this update.
    pub quit: bool,
    /// Something changed since the last draw.
    pub dirty: bool,
}

impl App {
    /// A new app on `view` at `now`, with empty models until the first load.
    pub fn new(view: View, now: Timestamp, theme: Theme) -> App {
        App {
            view,
            models: Models::default(),
            now,
            selected: [0; 9],
            detail: None,
            value_sel: 0,
            sort: SortKey::Status,
            filter: String::new(),
            popup: None,
            flash: None,
            local_time: false,
            standup: StandupState::default(),
            theme,
            alert_settings: crate::notify::AlertSettings::default(),
            runs_ui: Default::default(),
            quit: false,
            dirty: true,
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
                detail: self.detail,
                ..Needs::default()
            },
            View::Work => Needs {
                flow: true,
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
            _ => Needs::default(),
        };
        needs.alerts = true;
        needs
    }

    fn sel_index(&self) -> usize {
        match self.view {
            View::Standup => 8,
            v => v.index(),
        }
    }

    /// The selected row of the visible view.
    pub fn selected(&self) -> usize {
        self.selected[self.sel_index()]
    }

    /// Indicator readings as the Indicators table lists them: filtered and sorted.
    pub fn indicator_rows(&self) -> Vec<&Reading> {
        let Some(board) = &self.models.board else {
            return Vec::new();
        };
        let f = self.filter.to_lowercase();
        let mut rows: Vec<&Reading> = board
            .readings
            .iter()
            .filter(|r| matches_filter(&f, &[&r.def.name, &r.def.key, &r.def.owner_role]))
            .collect();
        match self.sort {
            SortKey::Status => {
                rows.sort_by_key(|r| (r.status.severity_rank(), r.def.name.to_lowercase()))
            }
            SortKey::Name => rows.sort_by_key(|r| r.def.name.to_lowercase()),
            SortKey::Kind => rows.sort_by_key(|r| (r.def.kind.as_str(), r.def.name.to_lowercase())),
            SortKey::Owner => {
                rows.sort_by_key(|r| (r.def.owner_role.clone(), r.def.name.to_lowercase()))
            }
        }
        rows
    }

    /// Number of rows in the visible view's list.
    pub fn row_count(&self) -> usize {
        match self.view {
            View::Indicators => self.indicator_rows().len(),
            View::Work => self.work_rows().len(),
            View::Alerts => super::views::alerts::rows(self).len(),
            View::Playbooks => super::runs::row_count(self),
            View::Experiments => super::views::experiments::rows(self).len(),
            View::Decisions => super::views::decisions::rows(self).len(),
            _ => 0,
        }
    }

    /// Flow rows of the Work view, filtered.
    pub fn work_rows(&self) -> Vec<&crate::store::board::FlowRow> {
        let Some(flow) = &self.models.flow else {
            return Vec::new();
        };
        let f = self.filter.to_lowercase();
        flow.rows
            .iter()
            .filter(|r| matches_filter(&f, &[&r.kind, r.segment.as_deref().unwrap_or_default()]))
            .collect()
    }

    fn clamp_selection(&mut self) {
        let n = self.row_count();
        let i = self.sel_index();
        self.selected[i] = if n == 0 {
            0
        } else {
            self.selected[i].min(n - 1)
        };
    }

    fn set_view(&mut self, v: View) -> Option<Effect> {
        if self.view == v {
            return None;
        }
        self.view = v;
        self.detail = None;
        self.runs_ui = Default::default();
        self.filter.clear();
        self.dirty = true;
        Some(Effect::Reload)
    }
}

/// Applies `action` to the state; returns the effect the loop must run.
pub fn update(app: &mut App, action: Action) -> Option<Effect> {
    // Popups take the keys first.
    if let Some(popup) = app.popup.take() {
        let (keep, effect) = super::popups::update(app, popup, &action);
        app.popup = keep;
        app.dirty = true;
        if let Some(e) = effect {
            return e;
        }
    }
    match action {
        Action::Quit => {
            app.quit = true;
            None
        }
        Action::NextView | Action::PrevView if app.view == View::Standup => None,
        Action::NextView => {
            let i = (app.view.index() + 1) % View::TABS.len();
            app.set_view(View::TABS[i])
        }
        Action::PrevView => {
            let i = (app.view.index() + View::TABS.len() - 1) % View::TABS.len();
            app.set_view(View::TABS[i])
        }
        Action::Goto(v) => app.set_view(v),
        Action::Move(d) if app.view == View::Indicators && app.detail.is_some() => {
            // In the detail the arrows pick one of the recent values.
            let n = app.models.detail.as_ref().map_or(0, |d| d.values.len());
            let cur = app.value_sel as i64 + d as i64;
            app.value_sel = cur.clamp(0, n.saturating_sub(1) as i64) as usize;
            app.dirty = true;
            None
        }
        Action::OpenCorrect => super::corrections::open(app),
        Action::Move(d) => {
            let n = app.row_count();
            if n > 0 {
                let i = app.sel_index();
                let cur = app.selected[i] as i64 + d as i64;
                app.selected[i] = cur.clamp(0, n as i64 - 1) as usize;
                app.dirty = true;
            }
            None
        }
        Action::Top => {
            let i = app.sel_index();
            app.selected[i] = 0;
            app.dirty = true;
            None
        }
        Action::Bottom => {
            let i = app.sel_index();
            app.selected[i] = app.row_count().saturating_sub(1);
            app.dirty = true;
            None
        }
        Action::Enter if app.view == View::Playbooks => super::runs::enter(app),
        Action::Enter => {
            if app.view == View::Indicators {
                let id = app.indicator_rows().get(app.selected()).map(|r| r.id);
                if id.is_some() {
                    app.detail = id;
                    app.value_sel = 0;
                    app.dirty = true;
                    return Some(Effect::Reload);
                }
            }
            None
        }
        Action::Back if app.view == View::Playbooks && super::runs::back(app) => None,
        Action::Back => {
            if app.detail.take().is_some() {
                app.models.detail = None;
                app.dirty = true;
            } else if !app.filter.is_empty() {
                app.filter.clear();
                app.dirty = true;
            }
            None
        }
        Action::ToggleHelp => {
            app.popup = Some(Popup::Help);
            app.dirty = true;
            None
        }
        Action::OpenFilter => {
            app.popup = Some(Popup::Filter(Input::new(app.filter.clone())));
            app.dirty = true;
            None
        }
        Action::CycleSort => {
            app.sort = app.sort.next();
            app.selected[View::Indicators.index()] = 0;
            app.dirty = true;
            None
        }
        Action::OpenRecord => {
            let target = if app.view == View::Indicators {
                match app.detail {
                    Some(id) => app
                        .models
                        .board
                        .as_ref()
                        .and_then(|b| b.readings.iter().find(|r| r.id == id)),
                    None => app.indicator_rows().get(app.selected()).copied(),
                }
            } else {
                None
            };
            if let Some(r) = target {
                app.popup = Some(Popup::Record {
                    indicator_id: r.id,
                    key: r.def.key.clone(),
                    name: r.def.name.clone(),
                    derived: r.def.source != crate::domain::indicator::Source::Observations,
                    input: Input::default(),
                    error: None,
                });
                app.dirty = true;
            }
            None
        }
        Action::InputKey(_) | Action::Submit | Action::Confirmed => None,
        Action::Tick(now) => {
            let minute_changed = now / 60 != app.now / 60;
            let second_changed = now != app.now;
            app.now = now;
            if app
                .flash
                .as_ref()
                .is_some_and(|(_, at)| now - at >= FLASH_SECS)
            {
                app.flash = None;
                app.dirty = true;
            }
            if app.view == View::Standup && app.standup.speaker_started.is_some() && second_changed
            {
                app.dirty = true;
            }
            if minute_changed {
                app.dirty = true;
                return Some(Effect::EvaluateAlerts);
            }
            None
        }
        Action::DataChanged => Some(Effect::Reload),
        Action::Loaded(models) => {
            app.models = *models;
            if app.detail.is_some() && app.models.detail.is_none() {
                app.detail = None;
            }
            app.clamp_selection();
            app.dirty = true;
            None
        }
        Action::Done(result) => {
            app.flash = Some((
                match result {
                    Ok(m) => m,
                    Err(e) => format!("error: {e}"),
                },
                app.now,
            ));
            app.dirty = true;
            Some(Effect::Reload)
        }
        Action::StandupNext => {
            let n = super::views::standup::section_count(&app.models);
            app.standup.section = (app.standup.section + 1).min(n.saturating_sub(1));
            app.dirty = true;
            None
        }
        Action::StandupPrev => {
            app.standup.section = app.standup.section.saturating_sub(1);
            app.dirty = true;
            None
        }
        Action::NextSpeaker => {
            app.standup.speaker += 1;
            app.standup.speaker_started = Some(app.now);
            app.dirty = true;
            None
        }
        Action::Resize => {
            app.dirty = true;
            None
        }
        Action::Alert(verb) => super::alert_actions::open(app, verb),
        Action::Run(a) => super::runs::update(app, a),
    }
}

/// Feeds a key into a text input.
pub fn input_key(input: &mut Input, key: crossterm::event::KeyEvent) {
    input.handle_event(&crossterm::event::Event::Key(key));
}
