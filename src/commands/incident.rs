//! `opsdeck incident declare|list|show|mitigate|resolve|review|action|done|postmortem`

use super::Context;
use crate::cli::incident::IncidentCommand;
use crate::cli::ListFormat;
use crate::domain::incident::postmortem::{self, AlertLine, BudgetRow, ImpactRow, PostMortem};
use crate::domain::incident::{ActionItem, Incident, IncidentState, TimelineEntry};
use crate::domain::indicator::Direction;
use crate::domain::{Status, Timestamp, DAY};
use crate::format::{rfc3339, utc_minute};
use crate::store::incidents;
use crate::store::Store;
use crate::text::{sanitize, sanitize_truncate};
use std::fmt::Write as _;

/// Runs one incident subcommand.
pub fn run(ctx: &Context, command: IncidentCommand) -> anyhow::Result<u8> {
    use IncidentCommand::*;
    let now = ctx.now;
    match command {
        Declare {
            alerts,
            title,
            severity,
            commander,
            runs,
        } => {
            let d = incidents::Declaration {
                alerts: &alerts,
                title: &title,
                severity: severity.map(super::alert::severity),
                commander: commander.as_deref(),
                runs: &runs,
            };
            let mut store = ctx.open()?;
            let i = store.write(|tx| incidents::declare(tx, now, &d))?;
            outln!("declared: {}", headline(&i));
            Ok(0)
        }
        List { format } => list(ctx, format),
        Show { id, format } => show(ctx, id, format),
        Mitigate { id } => advance(ctx, id, IncidentState::Mitigated),
        Resolve { id } => advance(ctx, id, IncidentState::Resolved),
        Review { id } => advance(ctx, id, IncidentState::Reviewed),
        Action {
            id,
            owner,
            due,
            text,
        } => {
            let due = super::run::parse_due(&due, now)?;
            let mut store = ctx.open()?;
            let a = store.write(|tx| incidents::add_action(tx, now, id, &owner, due, &text))?;
            outln!(
                "action {} for {} due {} UTC: {}",
                a.external_id,
                sanitize(&a.owner),
                utc_minute(due),
                sanitize(&a.text)
            );
            Ok(0)
        }
        Done { action } => {
            let mut store = ctx.open()?;
            let a = store.write(|tx| incidents::close_action(tx, now, &action))?;
            outln!("action {} done: {}", a.external_id, sanitize(&a.text));
            Ok(0)
        }
        Postmortem {
            id,
            out,
            experiment,
            indicators,
        } => {
            let store = ctx.open()?;
            let experiment = experiment.then_some(indicators.as_slice());
            let text = postmortem_text(&store, id, experiment, now)?;
            match out {
                Some(path) => {
                    std::fs::write(&path, &text).map_err(|e| {
                        anyhow::anyhow!("--out {}: {e}", crate::text::sanitize_path(&path))
                    })?;
                    outln!(
                        "wrote the post-mortem of incident #{id} to {}",
                        crate::text::sanitize_path(&path)
                    );
                }
                None => super::emit(&text)?,
            }
            Ok(0)
        }
    }
}

/// `#3 ✗ critical open — Title`
pub(crate) fn headline(i: &Incident) -> String {
    format!(
        "#{} {} {} {} — {}",
        i.id,
        super::alert::severity_symbol(i.severity),
        i.severity.word(),
        i.state.word(),
        sanitize(&i.title)
    )
}

fn advance(ctx: &Context, id: i64, to: IncidentState) -> anyhow::Result<u8> {
    let mut store = ctx.open()?;
    let i = store.write(|tx| incidents::advance(tx, ctx.now, id, to))?;
    outln!("{}", headline(&i));
    if to == IncidentState::Resolved {
        outln!("next: opsdeck incident postmortem {id} --out incident-{id}.md");
    }
    Ok(0)
}

fn list(ctx: &Context, format: ListFormat) -> anyhow::Result<u8> {
    let store = ctx.open()?;
    let list = store.incidents()?;
    // Per incident: its action items and how many are late.
    let mut counts = Vec::with_capacity(list.len());
    for i in &list {
        let actions = store.incident_actions(i.id)?;
        let late = actions.iter().filter(|a| a.is_late(ctx.now)).count();
        counts.push((actions.len(), late));
    }
    let out = match format {
        ListFormat::Json => {
            let mut rows = Vec::new();
            for (i, (actions, late)) in list.iter().zip(&counts) {
                let mut v = serde_json::to_value(i)?;
                v["actions"] = serde_json::Value::from(*actions);
                v["late_actions"] = serde_json::Value::from(*late);
                rows.push(v);
            }
            let mut v = serde_json::Value::Array(rows);
            super::rfc3339_times(&mut v, &["at", "started_at"]);
            super::json_document(serde_json::json!({"at": rfc3339(ctx.now), "incidents": v}))?
        }
        ListFormat::Text if list.is_empty() => "no incidents\n".to_string(),
        ListFormat::Text => {
            let mut s = String::new();
            for (i, (actions, late)) in list.iter().zip(&counts) {
                let alerts: Vec<String> = i.alerts.iter().map(|a| format!("#{a}")).collect();
                let late = if *late > 0 {
                    format!(", {late} late")
                } else {
                    String::new()
                };
                let _ = writeln!(
                    s,
                    "{:>5} {} {:<8} {:<9} {:<12} {} UTC  {}  [alerts {} · actions {actions}{late}]",
                    format!("#{}", i.id),
                    super::alert::severity_symbol(i.severity),
                    i.severity.word(),
                    i.state.word(),
                    sanitize_truncate(i.commander.as_deref().unwrap_or("—"), 12),
                    utc_minute(i.declared.at),
                    sanitize(&i.title),
                    alerts.join(" ")
                );
            }
            s
        }
    };
    super::emit(&out)?;
    Ok(0)
}

fn timeline_lines(s: &mut String, timeline: &[TimelineEntry]) {
    for e in timeline {
        let _ = writeln!(
            s,
            "    {} UTC  {:<8} {:<12} {}{}",
            utc_minute(e.at),
            e.origin.word(),
            sanitize_truncate(&e.actor, 12),
            sanitize(&e.what),
            e.note
                .as_deref()
                .map(|n| format!(" — {}", sanitize(n)))
                .unwrap_or_default()
        );
    }
}

fn action_lines(s: &mut String, actions: &[ActionItem], now: Timestamp) {
    for a in actions {
        let _ = writeln!(
            s,
            "    {:<9} {:<4} {:<12} due {}  {}",
            a.external_id,
            a.state_word(now),
            sanitize_truncate(&a.owner, 12),
            a.due.map(utc_minute).unwrap_or_else(|| "—".into()),
            sanitize(&a.text)
        );
    }
}

fn show(ctx: &Context, id: i64, format: ListFormat) -> anyhow::Result<u8> {
    let store = ctx.open()?;
    let i = store.incident(id)?;
    let alerts = store.incident_alerts(&i)?;
    let timeline = store.incident_timeline(&i, ctx.now)?;
    let actions = store.incident_actions(id)?;
    let out = match format {
        ListFormat::Json => {
            let late: Vec<bool> = actions.iter().map(|a| a.is_late(ctx.now)).collect();
            let mut v = serde_json::json!({
                "at": ctx.now,
                "incident": i,
                "span": {"from": i.span(ctx.now).0, "to": i.span(ctx.now).1},
                "alerts": alerts.iter().map(|a| a.to_json(ctx.now)).collect::<Vec<_>>(),
                "timeline": timeline,
                "actions": actions.iter().zip(late).map(|(a, late)| {
                    let mut j = serde_json::to_value(a).unwrap_or_default();
                    j["state"] = serde_json::Value::from(a.state_word(ctx.now));
                    j["late"] = serde_json::Value::from(late);
                    j
                }).collect::<Vec<_>>(),
            });
            super::rfc3339_times(
                &mut v,
                &[
                    "at",
                    "started_at",
                    "from",
                    "to",
                    "created_at",
                    "due",
                    "closed_at",
                ],
            );
            super::json_document(v)?
        }
        ListFormat::Text => {
            let mut s = headline(&i) + "\n";
            let (from, to) = i.span(ctx.now);
            let _ = writeln!(
                s,
                "  commander {} · declared {} UTC by {} · span {} → {} UTC",
                i.commander
                    .as_deref()
                    .map(sanitize)
                    .unwrap_or_else(|| "—".into()),
                utc_minute(i.declared.at),
                sanitize(&i.declared.by),
                utc_minute(from),
                utc_minute(to)
            );
            let _ = writeln!(s, "  alerts:");
            let _ = write!(
                s,
                "{}",
                super::alert::alert_lines(&alerts, &store.oncall_book(ctx.now)?, ctx.now, false)
                    .lines()
                    .map(|l| format!("  {l}\n"))
                    .collect::<String>()
            );
            let _ = writeln!(s, "  timeline:");
            timeline_lines(&mut s, &timeline);
            if actions.is_empty() {
                let _ = writeln!(
                    s,
                    "  actions: none (opsdeck incident action {id} --owner PERSON --due DATE TEXT)"
                );
            } else {
                let _ = writeln!(s, "  actions:");
                action_lines(&mut s, &actions, ctx.now);
            }
            s
        }
    };
    super::emit(&out)?;
    Ok(0)
}

/// Quotes a word for a POSIX shell when it needs it.
fn sh_quote(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.:/@,+".contains(c));
    if plain {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

/// Builds and renders the post-mortem of incident `id` at `now`; with
/// `experiment`, a proposed experiment on those indicators (none given: the
/// ones its alerts named).
pub(crate) fn postmortem_text(
    store: &Store,
    id: i64,
    experiment: Option<&[String]>,
    now: Timestamp,
) -> anyhow::Result<String> {
    let i = store.incident(id)?;
    let alerts = store.incident_alerts(&i)?;
    let timeline = store.incident_timeline(&i, now)?;
    let actions = store.incident_actions(id)?;
    let (start, end) = i.span(now);
    let hit: Vec<String> = alerts
        .iter()
        .filter_map(|a| a.key.strip_prefix("indicator:").map(str::to_string))
        .collect();
    let before = store.indicator_board(start)?;
    let after = store.indicator_board(end)?;
    let mut impact = Vec::new();
    for r in &before.readings {
        let Some(e) = after.readings.iter().find(|e| e.def.key == r.def.key) else {
            continue;
        };
        let is_hit = hit.contains(&r.def.key);
        let bad = |s: Status| matches!(s, Status::Warn | Status::Breach);
        if is_hit || bad(r.status) || bad(e.status) {
            impact.push(ImpactRow {
                key: r.def.key.clone(),
                unit: r.def.unit.clone(),
                start: (r.value, r.status),
                end: (e.value, e.status),
                hit: is_hit,
            });
        }
    }
    let budgets_at = |t| -> anyhow::Result<Vec<(String, Option<f64>)>> {
        Ok(store
            .slo_standings(t)?
            .into_iter()
            .map(|s| (s.slo.def.key, s.report.budget.remaining_fraction))
            .collect())
    };
    let (b0, b1) = (budgets_at(start)?, budgets_at(end)?);
    let budgets = b0
        .into_iter()
        .map(|(key, s)| BudgetRow {
            end: b1.iter().find(|(k, _)| *k == key).and_then(|(_, v)| *v),
            key,
            start: s,
        })
        .collect();
    let experiment = match experiment {
        None => None,
        Some(given) => {
            let known: Vec<String> = after.readings.iter().map(|r| r.def.key.clone()).collect();
            for k in given {
                if !known.contains(k) {
                    anyhow::bail!(
                        "--indicator: unknown indicator '{}' (see `opsdeck indicator list`)",
                        sanitize_truncate(k, 40)
                    );
                }
            }
            let keys: Vec<String> = if given.is_empty() {
                impact
                    .iter()
                    .filter(|r| r.hit)
                    .map(|r| r.key.clone())
                    .collect()
            } else {
                given.to_vec()
            };
            Some(propose_experiment(store, &i, &keys, now))
        }
    };
    let pm = PostMortem {
        incident: &i,
        alerts: alerts
            .iter()
            .map(|a| AlertLine {
                id: a.id,
                severity: a.severity.word(),
                title: a.title.clone(),
                cause: a.key.clone(),
            })
            .collect(),
        timeline: &timeline,
        impact,
        budgets,
        actions: &actions,
        experiment,
        now,
    };
    Ok(postmortem::render(&pm))
}

/// An `opsdeck experiment new` line pre-filled from the incident: its
/// title and objective name the incident, the indicators are those it hit,
/// the primary criterion holds the first of them to its target, over two
/// weeks from the next day. The hypothesis is left for the team to write.
fn propose_experiment(store: &Store, i: &Incident, hit: &[String], now: Timestamp) -> String {
    let start = now - now.rem_euclid(DAY) + DAY;
    let end = start + 14 * DAY;
    let day = |t: Timestamp| rfc3339(t)[..10].to_string();
    let title = sanitize_truncate(&i.title, 60);
    let mut words: Vec<String> = vec![
        "opsdeck experiment new".into(),
        format!("inc-{}-follow-up", i.id),
        "--title".into(),
        sh_quote(&format!("After incident #{}: {title}", i.id)),
        "--objective".into(),
        sh_quote(&format!(
            "Decide whether the fix for incident #{} ({title}) keeps it from coming back",
            i.id
        )),
        "--hypothesis".into(),
        sh_quote(
            "TODO: the change made after the incident, and why it should move these indicators",
        ),
        "--scope".into(),
        sh_quote("all work from the start date"),
        "--start".into(),
        day(start),
        "--end".into(),
        day(end),
    ];
    for k in hit {
        words.push("--indicator".into());
        words.push(sh_quote(k));
    }
    let board = store.indicator_board(now).ok();
    if let Some(first) = hit.first() {
        let def = board
            .as_ref()
            .and_then(|b| b.readings.iter().find(|r| &r.def.key == first))
            .map(|r| r.def.clone());
        if let Some(def) = def {
            let op = match def.direction {
                Direction::Higher => ">=",
                Direction::Lower => "<=",
            };
            words.push("--primary".into());
            words.push(sh_quote(&format!(
                "{}{op}{}",
                def.key,
                crate::format::number(def.target)
            )));
        }
    } else {
        // No alert named an indicator and none was given: the team names them.
        words.push("--indicator KEY --primary".into());
        words.push(sh_quote("KEY>=TARGET"));
    }
    words.join(" ")
}
