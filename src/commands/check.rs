//! `opsdeck check`: evaluate every rule, advance escalation, notify, print
//! the open alerts; exit 0 (no critical open), 1 (some critical open) or 2.

use super::alert::{alert_json, alert_lines, settings};
use super::Context;
use crate::cli::ListFormat;
use crate::domain::alert_rules::Severity;
use crate::format::{rfc3339, utc_minute};
use crate::store::alerts::{evaluate_rules, Alert, Evaluation, RULES_ACTOR};
use crate::store::oncall::OnCallBook;
use std::fmt::Write as _;

/// Runs one evaluation and returns the exit status.
pub fn run(ctx: &Context, format: ListFormat, quiet: bool) -> anyhow::Result<u8> {
    let settings = settings(ctx);
    let mut store = ctx.open()?;
    // What the rules change is theirs, not the caller's (see RULES_ACTOR).
    let ev = store.write_with_reads(|store, tx| {
        evaluate_rules(store, &tx.acting_as(RULES_ACTOR), ctx.now, &settings.policy)
    })?;
    // The alerts are committed; a failing or hanging command cannot lose them.
    for problem in crate::notify::deliver(
        &mut store,
        &settings,
        &ev.notify,
        crate::notify::Urgency::Rules,
        ctx.now,
    ) {
        errln!("opsdeck: notify: {problem}");
    }
    let active = store.active_alerts()?;
    let book = store.oncall_book(ctx.now)?;
    let critical = critical_open(&active, ctx.now);
    // What a silence or a maintenance window holds is not news for cron's
    // mail either (the alert is still listed, and still counts below).
    let news = |ids: &[i64]| {
        ids.iter().any(|id| {
            active
                .iter()
                .find(|a| a.id == *id)
                .is_none_or(|a| book.silenced(a, ctx.now).is_none())
        })
    };
    let noteworthy = news(&ev.opened) || news(&ev.escalated) || news(&ev.reopened);
    let out = match format {
        ListFormat::Json => super::json_document(json(&ev, &active, &book, ctx.now))?,
        ListFormat::Text if quiet && !noteworthy => String::new(),
        ListFormat::Text => text(&ev, &active, &book, ctx.now),
    };
    crate::commands::emit(&out)?;
    Ok(u8::from(critical > 0))
}

/// Critical alerts that are open or acknowledged and not snoozed: what
/// makes `check` exit 1.
pub fn critical_open(active: &[Alert], now: i64) -> usize {
    active
        .iter()
        .filter(|a| a.severity == Severity::Critical && a.is_active() && !a.is_snoozed(now))
        .count()
}

fn changes(ev: &Evaluation) -> String {
    let parts = [
        (ev.opened.len(), "opened"),
        (ev.recurred.len(), "recurred"),
        (ev.escalated.len(), "escalated"),
        (ev.reopened.len(), "re-opened"),
        (ev.cleared.len(), "cleared"),
        (ev.auto_resolved.len(), "auto-resolved"),
    ];
    let said: Vec<String> = parts
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, w)| format!("{n} {w}"))
        .collect();
    if said.is_empty() {
        "no changes".into()
    } else {
        said.join(", ")
    }
}

fn text(ev: &Evaluation, active: &[Alert], book: &OnCallBook, now: i64) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "check at {} UTC: {}", utc_minute(now), changes(ev));
    let critical = critical_open(active, now);
    if active.is_empty() {
        let _ = writeln!(s, "no open alerts");
    } else {
        let _ = writeln!(
            s,
            "{} open alert{}, {critical} critical",
            active.len(),
            if active.len() == 1 { "" } else { "s" }
        );
        s.push_str(&alert_lines(active, book, now, true));
    }
    s
}

fn json(ev: &Evaluation, active: &[Alert], book: &OnCallBook, now: i64) -> serde_json::Value {
    serde_json::json!({
        "at": rfc3339(now),
        "opened": ev.opened,
        "recurred": ev.recurred,
        "escalated": ev.escalated,
        "reopened": ev.reopened,
        "cleared": ev.cleared,
        "auto_resolved": ev.auto_resolved,
        "critical_open": critical_open(active, now),
        "alerts": active.iter().map(|a| alert_json(a, book, now)).collect::<Vec<_>>(),
    })
}
