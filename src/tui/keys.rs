//! Key bindings as data, written once: every bindable action with its keys,
//! where it applies, its help text and its footer word. The keymap, the `?`
//! help overlay and the footer are all generated from [`BINDINGS`] (gitui's
//! `key_list.rs` is the model).
//!
//! Lookup order: the visible view's own bindings first, then the global
//! ones; so a view may give a global key (Esc, Enter) its own meaning.

use super::action::Action;
use super::app::View;
use super::cmdline::Compose;
use super::state::alerts::AlertVerb;
use super::state::playbooks::RunAction;
use crossterm::event::KeyCode;
use std::borrow::Cow;

/// Rows moved by PgUp/PgDn.
pub const PAGE: i32 = 10;

/// An action a key can be bound to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Act {
    /// Leave the cockpit (or the standup).
    Quit,
    /// The next tab.
    NextView,
    /// The previous tab.
    PrevView,
    /// Number keys 1–9: the tab of that number.
    GotoTab,
    /// Selection one row up.
    Up,
    /// Selection one row down.
    Down,
    /// A page up.
    PageUp,
    /// A page down.
    PageDown,
    /// The first row.
    Top,
    /// The last row.
    Bottom,
    /// Open the selection's detail.
    Enter,
    /// Close a detail, or clear the filter.
    Back,
    /// The `?` overlay.
    Help,
    /// The `/` filter line.
    Filter,
    /// Indicators: cycle the sort column.
    Sort,
    /// Indicators: record a value or a note.
    Record,
    /// Indicator detail: correct the selected recent value.
    Correct,
    /// Alerts: acknowledge.
    AlertAck,
    /// Alerts: resolve.
    AlertResolve,
    /// Alerts: snooze until a time.
    AlertSnooze,
    /// Alerts: escalate one level.
    AlertEscalate,
    /// Alerts: add a note.
    AlertNote,
    /// Runs: check the item.
    RunCheck,
    /// Runs: skip the item, with a reason.
    RunSkip,
    /// Runs: put the item back to pending.
    RunUndo,
    /// Runs: add a note to the run.
    RunNote,
    /// Standup: next section.
    StandupNext,
    /// Standup: previous section.
    StandupPrev,
    /// Standup: next speaker.
    StandupSpeaker,
    /// Sources: run the selected source now.
    SourceRun,
    /// `:`: the command line (the CLI's verbs).
    Command,
    /// Raise an alert by hand (the command line, prefilled).
    AlertRaise,
    /// Alerts: pause the selected alert's escalation.
    AlertPause,
    /// Alerts: resume the selected alert's escalation.
    AlertResume,
    /// Playbooks: start a run of the selected playbook.
    RunStart,
    /// Experiments, Decisions, Indicators: add a decision (evidence prefilled).
    DecisionAdd,
    /// Feedback: record a response.
    FeedbackAdd,
    /// Alerts: declare an incident from the selected alert (the command
    /// line, prefilled).
    IncidentDeclare,
}

impl Act {
    /// The action for this binding, pressed as `key`.
    pub fn action(self, key: KeyCode) -> Option<Action> {
        Some(match self {
            Act::Quit => Action::Quit,
            Act::NextView => Action::NextView,
            Act::PrevView => Action::PrevView,
            Act::GotoTab => match key {
                KeyCode::Char(c @ '1'..='9') => Action::Goto(View::TABS[(c as u8 - b'1') as usize]),
                _ => return None,
            },
            Act::Up => Action::Move(-1),
            Act::Down => Action::Move(1),
            Act::PageUp => Action::Move(-PAGE),
            Act::PageDown => Action::Move(PAGE),
            Act::Top => Action::Top,
            Act::Bottom => Action::Bottom,
            Act::Enter => Action::Enter,
            Act::Back => Action::Back,
            Act::Help => Action::ToggleHelp,
            Act::Filter => Action::OpenFilter,
            Act::Sort => Action::CycleSort,
            Act::Record => Action::OpenRecord,
            Act::Correct => Action::OpenCorrect,
            Act::AlertAck => Action::Alert(AlertVerb::Ack),
            Act::AlertResolve => Action::Alert(AlertVerb::Resolve),
            Act::AlertSnooze => Action::Alert(AlertVerb::Snooze),
            Act::AlertEscalate => Action::Alert(AlertVerb::Escalate),
            Act::AlertNote => Action::Alert(AlertVerb::Note),
            Act::RunCheck => Action::Run(RunAction::Check),
            Act::RunSkip => Action::Run(RunAction::Skip),
            Act::RunUndo => Action::Run(RunAction::Undo),
            Act::RunNote => Action::Run(RunAction::Note),
            Act::StandupNext => Action::StandupNext,
            Act::StandupPrev => Action::StandupPrev,
            Act::StandupSpeaker => Action::NextSpeaker,
            Act::SourceRun => Action::RunSource,
            Act::Command => Action::OpenCommand(Compose::Empty),
            Act::AlertRaise => Action::OpenCommand(Compose::RaiseAlert),
            Act::AlertPause => Action::OpenCommand(Compose::PauseAlert),
            Act::AlertResume => Action::OpenCommand(Compose::ResumeAlert),
            Act::RunStart => Action::OpenCommand(Compose::StartRun),
            Act::DecisionAdd => Action::OpenCommand(Compose::Decision),
            Act::FeedbackAdd => Action::OpenCommand(Compose::Feedback),
            Act::IncidentDeclare => Action::OpenCommand(Compose::DeclareIncident),
        })
    }
}

/// Where a binding applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Every view, the standup included.
    Everywhere,
    /// Every tabbed view (not the standup).
    Tabs,
    /// One view, list or detail.
    View(View),
    /// One view while its list has the cursor (no detail open).
    List(View),
    /// One view while a detail is open (an indicator, a run or playbook).
    Detail(View),
}

/// Where the keys are pressed: the view and whether a detail is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Context {
    /// The visible view.
    pub view: View,
    /// An indicator's detail or a run's (playbook's) items are open.
    pub detail: bool,
    /// The database is read-only (`--read-only`, or a file that cannot be
    /// written): the keys that change something are hidden and refused.
    pub read_only: bool,
    /// An incident's detail is open over the Alerts view: the view's own
    /// keys (which act on an alert) do not apply, only Esc and the global ones.
    pub incident: bool,
}

impl Context {
    /// A context on `view` (`detail` open or not) of a writable database.
    pub fn new(view: View, detail: bool) -> Context {
        Context {
            view,
            detail,
            read_only: false,
            incident: false,
        }
    }
}

impl Act {
    /// Whether the action changes the database (hidden and refused when it
    /// is read-only). The `:` line runs only writes, so it counts as one.
    pub fn writes(self) -> bool {
        matches!(
            self,
            Act::Record
                | Act::Correct
                | Act::AlertAck
                | Act::AlertResolve
                | Act::AlertSnooze
                | Act::AlertEscalate
                | Act::AlertNote
                | Act::RunCheck
                | Act::RunSkip
                | Act::RunUndo
                | Act::RunNote
                | Act::SourceRun
                | Act::Command
                | Act::AlertRaise
                | Act::AlertPause
                | Act::AlertResume
                | Act::RunStart
                | Act::DecisionAdd
                | Act::FeedbackAdd
                | Act::IncidentDeclare
        )
    }
}

impl Scope {
    /// Whether the binding applies in `cx`.
    pub fn applies(self, cx: Context) -> bool {
        match self {
            Scope::Everywhere => true,
            Scope::Tabs => cx.view != View::Standup,
            Scope::View(v) => cx.view == v,
            Scope::List(v) => cx.view == v && !cx.detail,
            Scope::Detail(v) => cx.view == v && cx.detail,
        }
    }

    /// Whether it is one view's own binding (not a global one).
    pub(crate) fn is_view(self) -> bool {
        !matches!(self, Scope::Everywhere | Scope::Tabs)
    }
}

/// How a binding shows in the footer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Footer {
    /// Not in the footer.
    No,
    /// A leading hint: a view's own bindings; the global ones lead only in
    /// a context without hints of its own.
    Lead(&'static str),
    /// A trailing hint, added while the footer stays within
    /// [`FOOTER_BUDGET`]; `always` ones are never left out; `list_only`
    /// ones not while a detail is open.
    Tail {
        /// What the key does, in one word.
        word: &'static str,
        /// Shown whatever the room.
        always: bool,
        /// Not shown while a detail is open.
        list_only: bool,
    },
}

/// Characters of hints the footer holds before trailing ones are left out
/// (the rest of the line is for the filter and the message).
pub(crate) const FOOTER_BUDGET: usize = 56;

/// One binding: an action, its keys, where it applies, its help and footer.
#[derive(Debug, Clone)]
pub struct Binding {
    /// What the keys do.
    pub act: Act,
    /// Where they do it.
    pub scope: Scope,
    /// The default keys, or those `keys.toml` gives the action.
    pub keys: Cow<'static, [KeyCode]>,
    /// The `?` help's text.
    pub help: &'static str,
    /// How it shows in the footer.
    pub footer: Footer,
}

use KeyCode::{
    BackTab, Char as C, Down as KDown, End, Enter as KEnter, Esc, Home, Left, PageDown as PgDn,
    PageUp as PgUp, Right, Tab, Up as KUp,
};

const fn b(
    act: Act,
    scope: Scope,
    keys: &'static [KeyCode],
    help: &'static str,
    footer: Footer,
) -> Binding {
    Binding {
        act,
        scope,
        keys: Cow::Borrowed(keys),
        help,
        footer,
    }
}

const fn lead(word: &'static str) -> Footer {
    Footer::Lead(word)
}

/// Every binding, in the order help and footer list them.
#[rustfmt::skip]
pub const BINDINGS: &[Binding] = &[
    // Indicators
    b(Act::Back, Scope::Detail(View::Indicators), &[Esc], "back to the table", lead("back")),
    b(Act::Enter, Scope::List(View::Indicators), &[KEnter], "chart, thresholds, definition, notes", lead("detail")),
    b(Act::Record, Scope::List(View::Indicators), &[C('n')], "record a value (VALUE [note]) or a note (# text)", lead("record")),
    b(Act::Record, Scope::Detail(View::Indicators), &[C('n')], "record a value (VALUE [note]) or a note (# text)", lead("record/note")),
    b(Act::Correct, Scope::Detail(View::Indicators), &[C('c')], "correct the selected recent value (↑↓ picks it)", lead("correct")),
    b(Act::Sort, Scope::List(View::Indicators), &[C('o')], "sort by status, name, kind, owner", lead("sort")),
    b(Act::DecisionAdd, Scope::List(View::Indicators), &[C('d')], "add a decision, this indicator as evidence", Footer::No),
    // Alerts
    b(Act::SourceRun, Scope::View(View::Sources), &[C('r')], "run the selected source now (in the background)", lead("run now")),
    b(Act::AlertAck, Scope::View(View::Alerts), &[C('a')], "acknowledge the selected alert (you own it); again: re-ack, its ack timeout restarts", lead("ack")),
    b(Act::AlertResolve, Scope::View(View::Alerts), &[C('r')], "resolve it", lead("resolve")),
    b(Act::AlertSnooze, Scope::View(View::Alerts), &[C('s')], "snooze it until a time (2h, 1d, RFC 3339)", lead("snooze")),
    b(Act::AlertEscalate, Scope::View(View::Alerts), &[C('e')], "escalate it one level", lead("escalate")),
    b(Act::AlertNote, Scope::View(View::Alerts), &[C('n')], "add a note to its history", lead("note")),
    b(Act::Enter, Scope::List(View::Alerts), &[KEnter], "timeline, escalation path, linked run, notes", Footer::No),
    b(Act::Enter, Scope::Detail(View::Alerts), &[KEnter], "the timeline of the alert's incident", Footer::No),
    b(Act::Back, Scope::Detail(View::Alerts), &[Esc], "back (to the list, or from an incident to its alert)", lead("back")),
    b(Act::IncidentDeclare, Scope::View(View::Alerts), &[C('I')], "declare an incident from the selected alert", Footer::No),
    // Cockpit and Work
    b(Act::Enter, Scope::View(View::Cockpit), &[KEnter], "open the selected item in its view", Footer::No),
    b(Act::Enter, Scope::List(View::Work), &[KEnter], "the items of the selected kind or segment: late, at risk, open", Footer::No),
    b(Act::Enter, Scope::Detail(View::Work), &[KEnter], "the selected item's times, outcome and linked runs", lead("item")),
    b(Act::Back, Scope::Detail(View::Work), &[Esc], "back (clears the filter first)", lead("back")),
    b(Act::AlertRaise, Scope::View(View::Alerts), &[C('!')], "raise an alert by hand (--playbook starts a run)", Footer::No),
    b(Act::AlertPause, Scope::View(View::Alerts), &[C('p')], "pause its escalation, with the reason", Footer::No),
    b(Act::AlertResume, Scope::View(View::Alerts), &[C('u')], "resume its escalation", Footer::No),
    b(Act::DecisionAdd, Scope::View(View::Alerts), &[C('d')], "add a decision, this alert as evidence", Footer::No),
    // Playbooks & runs
    b(Act::Enter, Scope::List(View::Playbooks), &[KEnter], "open a run's items or a playbook's steps", lead("open")),
    b(Act::RunCheck, Scope::Detail(View::Playbooks), &[C('x')], "check the selected item (a step not started asks a reason)", lead("check")),
    b(Act::RunSkip, Scope::Detail(View::Playbooks), &[C('s')], "skip the selected item, with a reason", lead("skip")),
    b(Act::RunUndo, Scope::Detail(View::Playbooks), &[C('u')], "undo: put the item back to pending", lead("undo")),
    b(Act::RunNote, Scope::View(View::Playbooks), &[C('n')], "add a note to the run", lead("note")),
    b(Act::Back, Scope::Detail(View::Playbooks), &[Esc], "back to the list", lead("back")),
    b(Act::RunStart, Scope::View(View::Playbooks), &[C('S')], "start a run of this playbook (--for, --due)", Footer::No),
    // Experiments, decisions, feedback
    b(Act::DecisionAdd, Scope::View(View::Experiments), &[C('d')], "add a decision, this experiment as evidence", Footer::No),
    b(Act::DecisionAdd, Scope::View(View::Decisions), &[C('d')], "add a decision", Footer::No),
    b(Act::FeedbackAdd, Scope::View(View::Feedback), &[C('n')], "record a feedback response", Footer::No),
    // Standup
    b(Act::StandupNext, Scope::View(View::Standup), &[C(' '), Right, C('l')], "next section", Footer::No),
    b(Act::StandupPrev, Scope::View(View::Standup), &[Left, C('h')], "previous section", Footer::No),
    b(Act::Down, Scope::View(View::Standup), &[KDown, C('j')], "scroll the section", Footer::No),
    b(Act::Up, Scope::View(View::Standup), &[KUp, C('k')], "scroll the section", Footer::No),
    b(Act::PageDown, Scope::View(View::Standup), &[PgDn], "scroll the section a page", Footer::No),
    b(Act::PageUp, Scope::View(View::Standup), &[PgUp], "scroll the section a page", Footer::No),
    b(Act::Top, Scope::View(View::Standup), &[Home, C('g')], "top / bottom of the section", Footer::No),
    b(Act::Bottom, Scope::View(View::Standup), &[End, C('G')], "top / bottom of the section", Footer::No),
    b(Act::StandupSpeaker, Scope::View(View::Standup), &[C('t')], "next speaker (starts the timer)", Footer::No),
    b(Act::Quit, Scope::View(View::Standup), &[Esc], "leave the standup", Footer::No),
    // Every tabbed view
    b(Act::NextView, Scope::Tabs, &[Tab, Right, C('l')], "next / previous view", lead("views")),
    b(Act::PrevView, Scope::Tabs, &[BackTab, Left, C('h')], "next / previous view", Footer::No),
    b(Act::GotoTab, Scope::Tabs, &[C('1'), C('2'), C('3'), C('4'), C('5'), C('6'), C('7'), C('8'), C('9')], "go to a view", lead("views")),
    b(Act::Up, Scope::Tabs, &[KUp, C('k')], "move the selection", lead("move")),
    b(Act::Down, Scope::Tabs, &[KDown, C('j')], "move the selection", lead("move")),
    b(Act::PageUp, Scope::Tabs, &[PgUp], "a page up / down", Footer::No),
    b(Act::PageDown, Scope::Tabs, &[PgDn], "a page up / down", Footer::No),
    b(Act::Top, Scope::Tabs, &[Home, C('g')], "top / bottom", Footer::No),
    b(Act::Bottom, Scope::Tabs, &[End, C('G')], "top / bottom", Footer::No),
    b(Act::Enter, Scope::Tabs, &[KEnter], "open the detail", Footer::No),
    b(Act::Back, Scope::Tabs, &[Esc], "back / clear the filter", Footer::No),
    b(Act::Filter, Scope::Tabs, &[C('/')], "filter the list", Footer::Tail { word: "filter", always: false, list_only: true }),
    b(Act::Help, Scope::Everywhere, &[C('?')], "this help", Footer::Tail { word: "help", always: true, list_only: false }),
    b(Act::Quit, Scope::Everywhere, &[C('q')], "quit", Footer::Tail { word: "quit", always: false, list_only: false }),
    b(Act::Command, Scope::Tabs, &[C(':')], "command line, the CLI's verbs (alert ack 12)", Footer::Tail { word: "cmd", always: false, list_only: false }),
];

/// The bindings in force: [`BINDINGS`], with the keys `keys.toml` remaps.
#[derive(Debug, Clone)]
pub struct KeyTable {
    bindings: Vec<Binding>,
}

impl Default for KeyTable {
    fn default() -> KeyTable {
        KeyTable {
            bindings: BINDINGS.to_vec(),
        }
    }
}

impl KeyTable {
    /// Every binding, in table order.
    pub fn bindings(&self) -> &[Binding] {
        &self.bindings
    }

    /// Every binding, to remap (`keys_file`).
    pub(crate) fn bindings_mut(&mut self) -> &mut [Binding] {
        &mut self.bindings
    }

    /// The bindings that apply in `cx`, the view's own first.
    pub fn active(&self, cx: Context) -> impl Iterator<Item = &Binding> {
        let refused = move |b: &&Binding| {
            (cx.read_only && b.act.writes())
                || (cx.incident && b.scope.is_view() && b.act != Act::Back)
        };
        let shown = move |b: &&Binding| !refused(b);
        let own = self
            .bindings
            .iter()
            .filter(move |b| b.scope.is_view() && b.scope.applies(cx))
            .filter(shown);
        let global = self
            .bindings
            .iter()
            .filter(move |b| !b.scope.is_view() && b.scope.applies(cx))
            .filter(shown);
        own.chain(global)
    }

    /// The write action `key` would mean in `cx` were the database
    /// writable: what a read-only cockpit refuses with its reason.
    pub(crate) fn refused_write(&self, cx: Context, key: KeyCode) -> Option<&Binding> {
        if !cx.read_only {
            return None;
        }
        let writable = Context {
            read_only: false,
            ..cx
        };
        self.active(writable)
            .find(|b| b.keys.contains(&key))
            .filter(|b| b.act.writes())
    }

    /// The action `key` means in `cx`, if any.
    pub(crate) fn lookup(&self, cx: Context, key: KeyCode) -> Option<Action> {
        self.active(cx)
            .find(|b| b.keys.contains(&key))
            .and_then(|b| b.act.action(key))
    }

    /// The help overlay's lines for `cx`: (keys, text) for the view's own
    /// bindings and for the global ones; consecutive bindings with the same
    /// text share a line (`↑ k / ↓ j  move the selection`).
    pub(crate) fn help_lines(&self, cx: Context) -> (Vec<HelpLine>, Vec<HelpLine>) {
        let group = |own: bool| {
            let mut out: Vec<HelpLine> = Vec::new();
            for b in self.active(cx).filter(|b| b.scope.is_view() == own) {
                match out.last_mut() {
                    Some((keys, help)) if *help == b.help => {
                        keys.push_str(" / ");
                        keys.push_str(&keys_label(b));
                    }
                    _ => out.push((keys_label(b), b.help)),
                }
            }
            out
        };
        (group(true), group(false))
    }

    /// The footer hints for `cx`: the context's own leading hints (or the
    /// global ones when it has none), then the trailing ones that fit.
    pub fn footer(&self, cx: Context) -> String {
        footer(self.active(cx).collect(), cx)
    }
}

/// How a key reads on screen: `Enter`, `↑`, `S-Tab`, `Space`, `q`.
pub(crate) fn key_label(key: KeyCode) -> String {
    match key {
        KeyCode::Char(' ') => "Space".into(),
        KeyCode::Char(c) => c.to_string(),
        KeyCode::Up => "↑".into(),
        KeyCode::Down => "↓".into(),
        KeyCode::Left => "←".into(),
        KeyCode::Right => "→".into(),
        KeyCode::PageUp => "PgUp".into(),
        KeyCode::PageDown => "PgDn".into(),
        KeyCode::Home => "Home".into(),
        KeyCode::End => "End".into(),
        KeyCode::Enter => "Enter".into(),
        KeyCode::Esc => "Esc".into(),
        KeyCode::Tab => "Tab".into(),
        KeyCode::BackTab => "S-Tab".into(),
        other => format!("{other:?}"),
    }
}

/// A binding's keys as the help lists them: `↑ k`, and `1-9` for a run of
/// digits.
pub fn keys_label(b: &Binding) -> String {
    if b.act == Act::GotoTab {
        if let (Some(KeyCode::Char(f)), Some(KeyCode::Char(l))) = (b.keys.first(), b.keys.last()) {
            return format!("{f}-{l}");
        }
    }
    b.keys
        .iter()
        .map(|k| key_label(*k))
        .collect::<Vec<_>>()
        .join(" ")
}

/// One line of the help: the keys and what they do.
pub(crate) type HelpLine = (String, &'static str);

/// The footer from the `active` bindings of `cx`.
fn footer(active: Vec<&Binding>, cx: Context) -> String {
    let mut parts: Vec<(String, &'static str)> = Vec::new();
    let own: Vec<&Binding> = active
        .iter()
        .copied()
        .filter(|b| b.scope.is_view() && matches!(b.footer, Footer::Lead(_)))
        .collect();
    let leads: Vec<&Binding> = if own.is_empty() {
        active
            .iter()
            .copied()
            .filter(|b| matches!(b.footer, Footer::Lead(_)))
            .collect()
    } else {
        own
    };
    for b in leads {
        if let Footer::Lead(w) = b.footer {
            add(&mut parts, b, w);
        }
    }
    let text = |parts: &[(String, &str)]| {
        parts
            .iter()
            .map(|(k, w)| format!("{k} {w}"))
            .collect::<Vec<_>>()
            .join("  ")
    };
    let tails: Vec<(&Binding, &'static str, bool)> = active
        .iter()
        .copied()
        .filter_map(|b| match b.footer {
            Footer::Tail {
                word,
                always,
                list_only,
            } if !(list_only && cx.detail) => Some((b, word, always)),
            _ => None,
        })
        .collect();
    // The ones that must stay are counted first, then the others in order.
    let mut room = FOOTER_BUDGET.saturating_sub(text(&parts).chars().count());
    let cost = |b: &Binding, w: &str| keys_label_short(b).chars().count() + 1 + w.len() + 2;
    for (b, w, always) in &tails {
        if *always {
            room = room.saturating_sub(cost(b, w));
        }
    }
    for (b, w, always) in tails {
        if always {
            add(&mut parts, b, w);
        } else if cost(b, w) <= room {
            room -= cost(b, w);
            add(&mut parts, b, w);
        }
    }
    text(&parts)
}

/// Adds a footer hint; hints with the same word share one (`Tab/1-9
/// views`, `↑↓ move`).
fn add(parts: &mut Vec<(String, &'static str)>, b: &Binding, word: &'static str) {
    let first = keys_label_short(b);
    match parts.iter_mut().find(|(_, w)| *w == word) {
        Some((keys, _)) => {
            if keys.chars().count() != 1 || first.chars().count() != 1 {
                keys.push('/');
            }
            keys.push_str(&first);
        }
        None => parts.push((first, word)),
    }
}

/// The footer names a binding by its first key (`1-9` for the digits).
fn keys_label_short(b: &Binding) -> String {
    if b.act == Act::GotoTab {
        return keys_label(b);
    }
    b.keys.first().map(|k| key_label(*k)).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cx(view: View, detail: bool) -> Context {
        Context::new(view, detail)
    }

    #[test]
    fn footers_as_they_were_written_by_hand() {
        assert_eq!(
            KeyTable::default().footer(cx(View::Indicators, false)),
            "Enter detail  n record  o sort  / filter  ? help  q quit"
        );
        assert_eq!(
            KeyTable::default().footer(cx(View::Indicators, true)),
            "Esc back  n record/note  c correct  ? help  q quit"
        );
        assert_eq!(
            KeyTable::default().footer(cx(View::Alerts, false)),
            "a ack  r resolve  s snooze  e escalate  n note  ? help"
        );
        assert_eq!(
            KeyTable::default().footer(cx(View::Playbooks, true)),
            "x check  s skip  u undo  n note  Esc back  ? help  : cmd"
        );
        assert_eq!(
            KeyTable::default().footer(cx(View::Playbooks, false)),
            "Enter open  n note  / filter  ? help  q quit  : cmd"
        );
        assert_eq!(
            KeyTable::default().footer(cx(View::Alerts, true)),
            "a ack  r resolve  s snooze  e escalate  n note  Esc back  ? help"
        );
        assert_eq!(
            KeyTable::default().footer(cx(View::Work, true)),
            "Enter item  Esc back  ? help  q quit  : cmd"
        );
        assert_eq!(
            KeyTable::default().footer(cx(View::Work, false)),
            "Tab/1-9 views  ↑↓ move  / filter  ? help  q quit  : cmd"
        );
    }

    #[test]
    fn a_view_key_wins_over_the_global_one() {
        assert!(matches!(
            KeyTable::default().lookup(cx(View::Standup, false), KeyCode::Esc),
            Some(Action::Quit)
        ));
        assert!(matches!(
            KeyTable::default().lookup(cx(View::Work, false), KeyCode::Esc),
            Some(Action::Back)
        ));
        assert!(KeyTable::default()
            .lookup(cx(View::Standup, false), KeyCode::Tab)
            .is_none());
    }
}
