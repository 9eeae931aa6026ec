//! The post-mortem of an incident as Markdown, from a fixed template:
//! summary, alerts, timeline, impact on indicators and error budgets
//! between the incident's start and end, what went well and what did not
//! (facts drawn from the timeline, plus room for the team's own words),
//! action items and, when asked, a proposed experiment. Pure: every number
//! is given; text from the data goes through the sanitiser.

use super::{ActionItem, Incident, IncidentState, Origin, TimelineEntry};
use crate::domain::duration::format_duration;
use crate::domain::{Status, Timestamp};
use crate::text::sanitize;
use std::fmt::Write as _;

/// One alert of the incident, as the post-mortem lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertLine {
    /// Alert id.
    pub id: i64,
    /// Its severity word.
    pub severity: &'static str,
    /// Its title.
    pub title: String,
    /// Its cause (`indicator:on_time_rate`).
    pub cause: String,
}

/// An indicator at the incident's start and end.
#[derive(Debug, Clone, PartialEq)]
pub struct ImpactRow {
    /// Indicator key.
    pub key: String,
    /// Its unit (`%`, `h`).
    pub unit: String,
    /// Value and status at the start.
    pub start: (Option<f64>, Status),
    /// Value and status at the end.
    pub end: (Option<f64>, Status),
    /// One of the incident's alerts names it.
    pub hit: bool,
}

/// An SLO's error budget remaining (share of the allowed failures, 1 =
/// untouched, negative = overspent) at the incident's start and end.
#[derive(Debug, Clone, PartialEq)]
pub struct BudgetRow {
    /// SLO key.
    pub key: String,
    /// Remaining at the start; `None` without events.
    pub start: Option<f64>,
    /// Remaining at the end.
    pub end: Option<f64>,
}

/// Everything the post-mortem is written from.
#[derive(Debug, Clone)]
pub struct PostMortem<'a> {
    /// The incident.
    pub incident: &'a Incident,
    /// Its alerts.
    pub alerts: Vec<AlertLine>,
    /// Its timeline, oldest first.
    pub timeline: &'a [TimelineEntry],
    /// Indicators that were not ok at the start or the end, or that an alert named.
    pub impact: Vec<ImpactRow>,
    /// Every SLO's budget at the start and the end.
    pub budgets: Vec<BudgetRow>,
    /// Its action items.
    pub actions: &'a [ActionItem],
    /// A proposed `opsdeck experiment new` line, when asked for.
    pub experiment: Option<String>,
    /// When it is written (unix seconds, UTC).
    pub now: Timestamp,
}

fn minute(t: Timestamp) -> String {
    format!("{} UTC", crate::format::utc_minute(t))
}

fn value(v: Option<f64>, unit: &str) -> String {
    match v {
        Some(v) => format!("{}{}", crate::format::number(v), sanitize(unit)),
        None => "—".into(),
    }
}

fn budget(v: Option<f64>) -> String {
    match v {
        Some(v) => format!("{:.0} %", v * 100.0),
        None => "—".into(),
    }
}

/// Markdown cell text: sanitised, pipes escaped, on one line.
fn cell(text: &str) -> String {
    sanitize(text).replace('|', "\\|").replace('\n', " ")
}

/// The facts of the timeline that went well and that did not.
fn lessons(pm: &PostMortem<'_>) -> (Vec<String>, Vec<String>) {
    let (start, _) = pm.incident.span(pm.now);
    let mut well = Vec::new();
    let mut not = Vec::new();
    let first = |suffix: &str| {
        pm.timeline
            .iter()
            .find(|e| e.origin == Origin::Alert && e.what.ends_with(suffix))
    };
    match first(" acknowledged") {
        Some(e) => well.push(format!(
            "first acknowledgement {} after the first alert ({})",
            format_duration(e.at - start),
            sanitize(&e.actor)
        )),
        None => not.push("no alert was acknowledged".to_string()),
    }
    let escalations = pm
        .timeline
        .iter()
        .filter(|e| e.origin == Origin::Alert && e.what.ends_with(" escalated"))
        .count();
    if escalations == 0 {
        well.push("no escalation was needed".into());
    } else {
        not.push(format!(
            "escalated {escalations} time{} before it was under control",
            if escalations == 1 { "" } else { "s" }
        ));
    }
    let done = pm
        .timeline
        .iter()
        .filter(|e| e.origin == Origin::Run && e.what.ends_with(" done"))
        .count();
    if done > 0 {
        well.push(format!(
            "{done} checklist item{} done",
            if done == 1 { "" } else { "s" }
        ));
    }
    for e in pm
        .timeline
        .iter()
        .filter(|e| e.origin == Origin::Run && e.what.ends_with(" skipped"))
    {
        not.push(format!(
            "{}: {}",
            sanitize(&e.what),
            e.note.as_deref().map(sanitize).unwrap_or_default()
        ));
    }
    for (state, label) in [
        (IncidentState::Mitigated, "mitigated"),
        (IncidentState::Resolved, "resolved"),
    ] {
        if let Some(s) = pm.incident.step(state) {
            well.push(format!(
                "{label} {} after the start",
                format_duration(s.at - start)
            ));
        }
    }
    for r in pm.impact.iter().filter(|r| r.end.1 == Status::Breach) {
        not.push(format!("{} still in breach at the end", sanitize(&r.key)));
    }
    (well, not)
}

/// Writes the post-mortem.
pub fn render(pm: &PostMortem<'_>) -> String {
    let i = pm.incident;
    let (start, end) = i.span(pm.now);
    let mut s = String::new();
    let _ = writeln!(
        s,
        "# Post-mortem: incident #{} — {}\n",
        i.id,
        sanitize(&i.title)
    );
    let _ = writeln!(s, "- **Severity:** {}", i.severity.word());
    let _ = writeln!(
        s,
        "- **Commander:** {}",
        i.commander
            .as_deref()
            .map(sanitize)
            .unwrap_or_else(|| "—".into())
    );
    let _ = writeln!(s, "- **State:** {}", i.state.word());
    let _ = writeln!(
        s,
        "- **Declared:** {} by {}",
        minute(i.declared.at),
        sanitize(&i.declared.by)
    );
    for st in [
        IncidentState::Mitigated,
        IncidentState::Resolved,
        IncidentState::Reviewed,
    ] {
        if let Some(step) = i.step(st) {
            let mut word = st.word().to_string();
            word[..1].make_ascii_uppercase();
            let _ = writeln!(
                s,
                "- **{word}:** {} by {}",
                minute(step.at),
                sanitize(&step.by)
            );
        }
    }
    let ongoing = if i.resolved.is_none() {
        " (ongoing)"
    } else {
        ""
    };
    let _ = writeln!(
        s,
        "- **Span:** {} → {} ({}){ongoing}",
        minute(start),
        minute(end),
        format_duration(end - start)
    );
    let _ = writeln!(s, "- **Written:** {}\n", minute(pm.now));

    let _ = writeln!(s, "## Alerts\n");
    for a in &pm.alerts {
        let _ = writeln!(
            s,
            "- #{} {} — {} (`{}`)",
            a.id,
            a.severity,
            sanitize(&a.title),
            sanitize(&a.cause)
        );
    }

    let _ = writeln!(s, "\n## Timeline\n");
    let _ = writeln!(s, "| time (UTC) | from | who | what | note |");
    let _ = writeln!(s, "| --- | --- | --- | --- | --- |");
    for e in pm.timeline {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} |",
            crate::format::utc_minute(e.at),
            e.origin.word(),
            cell(&e.actor),
            cell(&e.what),
            e.note.as_deref().map(cell).unwrap_or_default()
        );
    }

    let _ = writeln!(s, "\n## Impact\n");
    let _ = writeln!(
        s,
        "Indicators at the start ({}) and the end ({}); those an alert named are marked ◆.\n",
        minute(start),
        minute(end)
    );
    if pm.impact.is_empty() {
        let _ = writeln!(s, "Every indicator was ok at the start and the end.");
    } else {
        let _ = writeln!(s, "| indicator | start | end |");
        let _ = writeln!(s, "| --- | --- | --- |");
        for r in &pm.impact {
            let _ = writeln!(
                s,
                "| {}{} | {} {} | {} {} |",
                cell(&r.key),
                if r.hit { " ◆" } else { "" },
                value(r.start.0, &r.unit),
                r.start.1.word(),
                value(r.end.0, &r.unit),
                r.end.1.word()
            );
        }
    }
    if !pm.budgets.is_empty() {
        let _ = writeln!(s, "\nError budgets remaining:\n");
        let _ = writeln!(s, "| SLO | start | end | change |");
        let _ = writeln!(s, "| --- | --- | --- | --- |");
        for b in &pm.budgets {
            let spent = match (b.start, b.end) {
                (Some(a), Some(z)) => format!("{:+.0} points", (z - a) * 100.0),
                _ => "—".into(),
            };
            let _ = writeln!(
                s,
                "| {} | {} | {} | {spent} |",
                cell(&b.key),
                budget(b.start),
                budget(b.end)
            );
        }
    }

    let (well, not) = lessons(pm);
    let _ = writeln!(s, "\n## What went well\n");
    for l in well {
        let _ = writeln!(s, "- {l}");
    }
    let _ = writeln!(s, "- _(the team's own words)_");
    let _ = writeln!(s, "\n## What did not\n");
    for l in not {
        let _ = writeln!(s, "- {l}");
    }
    let _ = writeln!(s, "- _(the team's own words)_");

    let _ = writeln!(s, "\n## Action items\n");
    if pm.actions.is_empty() {
        let _ = writeln!(
            s,
            "None yet: `opsdeck incident action {} --owner PERSON --due DATE TEXT`.",
            i.id
        );
    } else {
        let _ = writeln!(s, "| id | owner | due | state | action |");
        let _ = writeln!(s, "| --- | --- | --- | --- | --- |");
        for a in pm.actions {
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} | {} |",
                cell(&a.external_id),
                cell(&a.owner),
                a.due
                    .map(crate::format::utc_minute)
                    .unwrap_or_else(|| "—".into()),
                a.state_word(pm.now),
                cell(&a.text)
            );
        }
    }
    if let Some(line) = &pm.experiment {
        let _ = writeln!(s, "\n## Proposed experiment\n");
        let _ = writeln!(
            s,
            "A draft to test a fix against the indicators this incident hit; edit the hypothesis and run it:\n"
        );
        let _ = writeln!(s, "```sh\n{}\n```", sanitize(line));
    }
    s
}
