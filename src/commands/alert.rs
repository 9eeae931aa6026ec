//! `opsdeck alert list|show|ack|resolve|snooze|escalate|raise|pause|resume|note`

use super::Context;
use crate::cli::{AlertCommand, ListFormat, SeverityArg};
use crate::domain::alert_rules::Severity;
use crate::domain::duration::format_age;
use crate::domain::escalation::AlertState;
use crate::format::{rfc3339, utc_minute};
use crate::ingest::fields::{check_len, parse_until, MAX_TEXT};
use crate::notify::AlertSettings;
use crate::store::alerts::{self, Alert, NotifyReason, ToNotify};
use crate::store::oncall::OnCallBook;
use crate::text::{sanitize, sanitize_truncate};
use anyhow::anyhow;
use std::fmt::Write as _;

/// The alert settings (config file, then environment), with a warning on
/// stderr for each bad value.
pub(crate) fn settings(ctx: &Context) -> AlertSettings {
    let (settings, warnings) = AlertSettings::load(&ctx.config);
    for w in warnings {
        errln!("opsdeck: {w}; using the default");
    }
    settings
}

/// A severity's symbol, so it never depends on colour.
pub(crate) fn severity_symbol(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "✗",
        Severity::Warning => "▲",
        Severity::Info => "·",
    }
}

/// The short state word of an alert at `now`: open, acked, resolved, with
/// snoozed, paused and cleared shown after the title.
fn state_word(a: &Alert) -> &'static str {
    match a.state {
        AlertState::Open => "open",
        AlertState::Acknowledged => "acked",
        AlertState::Resolved => "resolved",
    }
}

fn flags(a: &Alert, now: i64, book: &OnCallBook) -> String {
    let mut f = Vec::new();
    if let Some(by) = a.is_active().then(|| book.silenced(a, now)).flatten() {
        f.push(format!(
            "silenced by {} until {} UTC: {}",
            sanitize(&by.by),
            utc_minute(by.until),
            sanitize(&by.reason)
        ));
    }
    if let Some(u) = a.snoozed_until.filter(|u| *u > now) {
        f.push(format!("snoozed until {} UTC", utc_minute(u)));
    }
    if a.paused {
        let why = a.pause_reason.as_deref().map(sanitize).unwrap_or_default();
        f.push(format!("escalation paused: {why}"));
    }
    if a.cleared_at.is_some() && a.is_active() {
        f.push("cause cleared".into());
    }
    if a.count > 1 {
        f.push(format!("{}×", a.count));
    }
    if f.is_empty() {
        String::new()
    } else {
        format!(" [{}]", f.join("; "))
    }
}

/// The alert as JSON with who it waits for and what silences it.
pub(crate) fn alert_json(a: &Alert, book: &OnCallBook, now: i64) -> serde_json::Value {
    let mut v = a.to_json(now);
    v["waiting_for"] = serde_json::Value::from(sanitize(&book.waiting_for(a, now)));
    v["silenced"] = match a.is_active().then(|| book.silenced(a, now)).flatten() {
        Some(s) => {
            serde_json::json!({"by": s.by, "reason": sanitize(&s.reason), "until": rfc3339(s.until)})
        }
        None => serde_json::Value::Null,
    };
    v
}

/// Alerts as aligned lines: id, severity, state, level, who it waits for
/// (the on-call person of a role), age, title; with `detail`, the detail on
/// a second line.
pub(crate) fn alert_lines(list: &[Alert], book: &OnCallBook, now: i64, detail: bool) -> String {
    let mut s = String::new();
    for a in list {
        let _ = writeln!(
            s,
            "{:>5} {} {:<8} {:<8} L{}/{} {:<12} {:>4}  {}{}",
            format!("#{}", a.id),
            severity_symbol(a.severity),
            a.severity.word(),
            state_word(a),
            a.level + 1,
            a.path.len(),
            sanitize_truncate(&book.waiting_for(a, now), 12),
            format_age(now - a.first_seen),
            sanitize(&a.title),
            flags(a, now, book)
        );
        if detail && !a.detail.trim().is_empty() {
            let _ = writeln!(s, "{:>7}{}", "", sanitize(&a.detail));
        }
    }
    s
}

fn note_ok(note: Option<&str>) -> anyhow::Result<()> {
    if let Some(n) = note {
        check_len(n, MAX_TEXT).map_err(|e| anyhow!("--note: {e}"))?;
    }
    Ok(())
}

/// Runs one alert subcommand.
pub fn run(ctx: &Context, action: AlertCommand) -> anyhow::Result<u8> {
    use AlertCommand::*;
    let now = ctx.now;
    match action {
        List { all, format } => list(ctx, all, format),
        Show { id } => show(ctx, id),
        Ack { id, note } => step(ctx, note.as_deref(), None, |tx| {
            alerts::acknowledge(tx, id, now, note.as_deref())
        }),
        Resolve { id, note } => step(ctx, note.as_deref(), None, |tx| {
            alerts::resolve(tx, id, now, note.as_deref())
        }),
        Snooze { id, until, note } => {
            let until = parse_until(&until, now).map_err(|e| anyhow!(e))?;
            step(ctx, note.as_deref(), None, |tx| {
                alerts::snooze(tx, id, until, now, note.as_deref())
            })
        }
        Escalate { id, note } => step(ctx, note.as_deref(), Some(NotifyReason::Escalated), |tx| {
            alerts::escalate(tx, id, now, note.as_deref())
        }),
        Pause { id, reason } => step(ctx, Some(&reason), None, |tx| {
            alerts::pause(tx, id, now, &reason)
        }),
        Resume { id, note } => step(ctx, note.as_deref(), None, |tx| {
            alerts::resume(tx, id, now, note.as_deref())
        }),
        Note { id, text } => step(ctx, Some(&text), None, |tx| {
            alerts::add_alert_note(tx, id, now, &text)
        }),
        Raise {
            title,
            severity,
            note,
            playbook,
        } => raise(ctx, &title, severity, note.as_deref(), playbook.as_deref()),
    }
}

fn step(
    ctx: &Context,
    note: Option<&str>,
    notify: Option<NotifyReason>,
    f: impl FnOnce(&crate::store::Tx<'_>) -> crate::store::Result<Alert>,
) -> anyhow::Result<u8> {
    note_ok(note)?;
    let mut store = ctx.open()?;
    let a = store.write(f)?;
    outln!("{}", done_line(&a, &store.oncall_book(ctx.now)?, ctx.now));
    if a.state == AlertState::Resolved && a.cleared_at.is_none() && a.source.clears_itself() {
        outln!("note: its cause still holds; the next check opens a new alert for it");
    }
    if let Some(reason) = notify {
        send(ctx, &mut store, vec![ToNotify { alert: a, reason }]);
    }
    Ok(0)
}

fn done_line(a: &Alert, book: &OnCallBook, now: i64) -> String {
    format!(
        "#{} {} {} — {} L{}/{} {}{}",
        a.id,
        severity_symbol(a.severity),
        sanitize(&a.title),
        state_word(a),
        a.level + 1,
        a.path.len(),
        sanitize(&book.waiting_for(a, now)),
        flags(a, now, book)
    )
}

fn send(ctx: &Context, store: &mut crate::store::Store, list: Vec<ToNotify>) {
    let settings = settings(ctx);
    for problem in crate::notify::deliver(
        store,
        &settings,
        &list,
        crate::notify::Urgency::ByHand,
        ctx.now,
    ) {
        errln!("opsdeck: notify: {problem}");
    }
}

/// `--severity` as the domain's severity.
pub(crate) fn severity(s: SeverityArg) -> Severity {
    match s {
        SeverityArg::Info => Severity::Info,
        SeverityArg::Warning => Severity::Warning,
        SeverityArg::Critical => Severity::Critical,
    }
}

fn raise(
    ctx: &Context,
    title: &str,
    severity: SeverityArg,
    note: Option<&str>,
    playbook: Option<&str>,
) -> anyhow::Result<u8> {
    note_ok(note)?;
    check_len(title, 200).map_err(|e| anyhow!("TITLE: {e}"))?;
    let severity = self::severity(severity);
    let mut store = ctx.open()?;
    if let Some(key) = playbook {
        if store.playbook(key)?.is_none() {
            let known: Vec<String> = store
                .playbooks(ctx.now)?
                .into_iter()
                .map(|p| p.key)
                .collect();
            anyhow::bail!(
                "--playbook: no playbook '{}' (playbooks: {})",
                sanitize_truncate(key, 40),
                known.join(", ")
            );
        }
    }
    let (a, new) = store.write(|tx| alerts::raise(tx, ctx.now, title, severity, note, playbook))?;
    let verb = if new {
        "raised"
    } else {
        "already open, updated"
    };
    outln!(
        "{verb}: {}",
        done_line(&a, &store.oncall_book(ctx.now)?, ctx.now)
    );
    if let (Some(run), true) = (a.run_id, new) {
        outln!(
            "started run #{run} of {}",
            sanitize(playbook.unwrap_or_default())
        );
    }
    if new {
        let opened = ToNotify {
            alert: a,
            reason: NotifyReason::Opened,
        };
        send(ctx, &mut store, vec![opened]);
    }
    Ok(0)
}

fn list(ctx: &Context, all: bool, format: ListFormat) -> anyhow::Result<u8> {
    let store = ctx.open()?;
    let list = if all {
        store.recent_alerts(10_000)?
    } else {
        store.active_alerts()?
    };
    let book = store.oncall_book(ctx.now)?;
    let out = match format {
        ListFormat::Json => {
            let v: Vec<_> = list.iter().map(|a| alert_json(a, &book, ctx.now)).collect();
            super::json_document(serde_json::json!({"at": rfc3339(ctx.now), "alerts": v}))?
        }
        ListFormat::Text if list.is_empty() => if all {
            "no alerts\n"
        } else {
            "no open alerts\n"
        }
        .to_string(),
        ListFormat::Text => alert_lines(&list, &book, ctx.now, false),
    };
    crate::commands::emit(&out)?;
    Ok(0)
}

fn show(ctx: &Context, id: i64) -> anyhow::Result<u8> {
    let store = ctx.open()?;
    let a = store.alert(id)?;
    let book = store.oncall_book(ctx.now)?;
    let mut s = alert_lines(std::slice::from_ref(&a), &book, ctx.now, true);
    let _ = writeln!(s, "  cause: {}", sanitize(&a.key));
    if a.is_active() {
        let _ = writeln!(
            s,
            "  waiting for: {}",
            sanitize(&book.waiting_for(&a, ctx.now))
        );
    }
    // Pages not sent yet: held by a silence, quiet hours or the group window.
    for p in store
        .pending_notifications()?
        .into_iter()
        .filter(|p| p.alert_id == id)
    {
        let when = match p.due_at {
            Some(t) => format!("at {} UTC", utc_minute(t)),
            None => "when it ends".to_string(),
        };
        let _ = writeln!(
            s,
            "  page pending: to {} {when} ({})",
            sanitize(&p.recipient),
            sanitize(p.held.as_deref().unwrap_or("due"))
        );
    }
    let path: Vec<String> = a
        .path
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let mark = if i == a.level { "*" } else { "" };
            format!(
                "{mark}{} after {}",
                sanitize(&p.target),
                crate::domain::duration::format_duration(p.after_secs)
            )
        })
        .collect();
    let _ = writeln!(s, "  escalation: {}", path.join(" → "));
    if let Some(run) = a
        .run_id
        .and_then(|id| store.run_link(id, ctx.now).transpose())
    {
        let r = run?;
        let late = if r.overdue { ", overdue" } else { "" };
        let _ = writeln!(
            s,
            "  run: #{} {} {}/{} items ({}{late})",
            r.id,
            r.playbook,
            r.done + r.skipped,
            r.total,
            r.state
        );
    }
    if let Some(i) = store.incident_of_alert(id)? {
        let _ = writeln!(s, "  incident #{i} (opsdeck incident show {i})");
    }
    let _ = writeln!(s, "  history:");
    for e in store.alert_events(id)? {
        let _ = writeln!(
            s,
            "    {} UTC  {:<13} {:<12} {}",
            utc_minute(e.at),
            e.kind,
            crate::format::acting(
                &e.actor,
                e.login.as_deref(),
                crate::domain::limits::MAX_NAME
            ),
            e.note.as_deref().map(sanitize).unwrap_or_default()
        );
    }
    crate::commands::emit(&s)?;
    Ok(0)
}
