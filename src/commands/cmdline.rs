//! The cockpit's `:` command line, parsed by the CLI's own clap definitions:
//! a line is split like a shell, parsed with `Cli::try_parse_from`, and the
//! subcommands that change data day to day are mapped to the same
//! [`Effect`]s the cockpit's keys produce (checked by the same functions
//! the CLI commands use). Completion walks clap's `Command` tree for verbs
//! and flags and the loaded models for keys and ids.

use crate::cli::incident::IncidentCommand;
use crate::cli::learning::{DecisionCommand, FeedbackCommand};
use crate::cli::observation::ObservationCommand;
use crate::cli::{AlertCommand, Cli, Command, RunCommand};
use crate::domain::Timestamp;
use crate::ingest::fields::{check_len, parse_number, parse_until, MAX_TEXT};
use crate::text::sanitize_truncate;
use crate::tui::action::Effect;
use crate::tui::cmdline::{join_free_text, split_words, CommandLine, Parsed};
use crate::tui::models::Models;
use crate::tui::state::alerts::AlertOp;
use crate::tui::state::incident::IncidentOp;
use crate::tui::state::playbooks::{run_items, ItemChangeKind, RunEffect};
use clap::{CommandFactory, Parser};

mod oncall;

/// The command line of the cockpit, backed by the CLI's definitions.
#[derive(Debug, Default)]
pub struct ClapCommandLine;

/// The status-line form of a clap error: its message, tip and usage, one
/// per line (the popup shows the first ones).
fn clap_message(e: &clap::Error) -> String {
    crate::cli::one_line_usage_error(&e.render().to_string())
        .split("; ")
        .collect::<Vec<_>>()
        .join("\n")
}

fn note_ok(flag: &str, note: Option<&str>) -> Result<(), String> {
    match note {
        Some(n) => check_len(n, MAX_TEXT).map_err(|e| format!("{flag}: {e}")),
        None => Ok(()),
    }
}

fn needs_text(flag: &str, text: &str) -> Result<(), String> {
    if text.trim().is_empty() {
        return Err(format!("{flag}: is empty"));
    }
    check_len(text, MAX_TEXT).map_err(|e| format!("{flag}: {e}"))
}

/// The alert's title as the models have it, cut, for a confirmation.
fn alert_title(models: &Models, id: i64) -> String {
    models
        .alerts
        .as_ref()
        .and_then(|m| m.active.iter().find(|a| a.id == id))
        .map(|a| format!(" {}", sanitize_truncate(&a.title, 40)))
        .unwrap_or_default()
}

fn confirmed(effect: Effect, prompt: String) -> Result<Parsed, String> {
    Ok(Parsed {
        effect,
        confirm: Some(prompt),
    })
}

fn at_once(effect: Effect) -> Result<Parsed, String> {
    Ok(Parsed {
        effect,
        confirm: None,
    })
}

/// "`opsdeck X` runs from the shell": X is the subcommand path of `words`.
fn from_the_shell(words: &[String]) -> String {
    let root = Cli::command();
    let mut cmd = &root;
    let mut path: Vec<&str> = Vec::new();
    for w in words {
        match cmd.find_subcommand(w) {
            Some(sub) => {
                path.push(sub.get_name());
                cmd = sub;
            }
            None => break,
        }
    }
    format!(
        "`opsdeck {}` runs from the shell, not the cockpit",
        path.join(" ")
    )
}

impl ClapCommandLine {
    fn alert(
        &self,
        a: AlertCommand,
        models: &Models,
        now: Timestamp,
        words: &[String],
    ) -> Result<Parsed, String> {
        use AlertCommand::*;
        let effect = |id, op, note| Effect::Alert { id, op, note };
        match a {
            Ack { id, note } => {
                note_ok("--note", note.as_deref())?;
                let t = alert_title(models, id);
                confirmed(
                    effect(id, AlertOp::Ack, note),
                    format!("Acknowledge #{id}{t}? You will own it."),
                )
            }
            Resolve { id, note } => {
                note_ok("--note", note.as_deref())?;
                let t = alert_title(models, id);
                confirmed(
                    effect(id, AlertOp::Resolve, note),
                    format!("Resolve #{id}{t}? This cannot be undone."),
                )
            }
            Snooze { id, until, note } => {
                note_ok("--note", note.as_deref())?;
                let until = parse_until(&until, now)?;
                let t = alert_title(models, id);
                confirmed(
                    effect(id, AlertOp::Snooze { until }, note),
                    format!(
                        "Snooze #{id}{t} until {} UTC?",
                        crate::format::utc_minute(until)
                    ),
                )
            }
            Escalate { id, note } => {
                note_ok("--note", note.as_deref())?;
                let t = alert_title(models, id);
                confirmed(
                    effect(id, AlertOp::Escalate, note),
                    format!("Escalate #{id}{t} one level?"),
                )
            }
            Pause { id, reason } => {
                needs_text("--reason", &reason)?;
                let t = alert_title(models, id);
                confirmed(
                    effect(id, AlertOp::Pause { reason }, None),
                    format!("Pause the escalation of #{id}{t}?"),
                )
            }
            Resume { id, note } => {
                note_ok("--note", note.as_deref())?;
                let t = alert_title(models, id);
                confirmed(
                    effect(id, AlertOp::Resume, note),
                    format!("Resume the escalation of #{id}{t}? Its clock restarts now."),
                )
            }
            Note { id, text } => {
                needs_text("TEXT", &text)?;
                let t = alert_title(models, id);
                confirmed(
                    effect(id, AlertOp::Note { text }, None),
                    format!("Add the note to #{id}{t}? Notes stay in its history."),
                )
            }
            Raise {
                title,
                severity,
                note,
                playbook,
            } => {
                note_ok("--note", note.as_deref())?;
                needs_text("TITLE", &title)?;
                check_len(&title, 200).map_err(|e| format!("TITLE: {e}"))?;
                if let (Some(key), Some(runs)) = (&playbook, &models.runs) {
                    if !runs.playbooks.iter().any(|p| &p.key == key) {
                        let known: Vec<&str> =
                            runs.playbooks.iter().map(|p| p.key.as_str()).collect();
                        return Err(format!(
                            "--playbook: no playbook '{}' (playbooks: {})",
                            sanitize_truncate(key, 40),
                            known.join(", ")
                        ));
                    }
                }
                let severity = super::alert::severity(severity);
                let with_run = playbook
                    .as_deref()
                    .map(|k| format!(" and start {} run", crate::text::with_article(k)))
                    .unwrap_or_default();
                let prompt = format!(
                    "Raise {} alert \"{}\"{with_run}? This cannot be undone.",
                    severity.word(),
                    sanitize_truncate(&title, 40)
                );
                confirmed(
                    Effect::RaiseAlert {
                        title,
                        severity,
                        note,
                        playbook,
                    },
                    prompt,
                )
            }
            List { .. } | Show { .. } => Err(from_the_shell(words)),
        }
    }

    fn run(&self, r: RunCommand, now: Timestamp, words: &[String]) -> Result<Parsed, String> {
        let number = |t: &str| super::run::run_number(t).map_err(|e| format!("RUN: {e}"));
        let item = |run, item, change, override_reason| {
            Effect::Run(RunEffect::Item {
                run,
                item,
                change,
                override_reason,
            })
        };
        match r {
            RunCommand::Start { key, context, due } => {
                let due = due
                    .as_deref()
                    .map(|d| super::run::parse_due(d, now).map_err(|e| e.to_string()))
                    .transpose()?;
                let ctx = context
                    .as_deref()
                    .filter(|c| !c.trim().is_empty())
                    .map(|c| format!(" for {}", sanitize_truncate(c, 30)))
                    .unwrap_or_default();
                let due_text = due
                    .map(|d| format!(", due {} UTC", crate::format::utc_minute(d)))
                    .unwrap_or_default();
                let prompt = format!(
                    "Start a run of {}{ctx}{due_text}?",
                    sanitize_truncate(&key, 30)
                );
                confirmed(Effect::StartRun { key, context, due }, prompt)
            }
            RunCommand::Done {
                run,
                item: it,
                note,
                override_reason,
            } => {
                if let Some(n) = &note {
                    needs_text("--note", n)?;
                }
                at_once(item(
                    number(&run)?,
                    it,
                    ItemChangeKind::Done(note),
                    override_reason,
                ))
            }
            RunCommand::Skip {
                run,
                item: it,
                reason,
                override_reason,
            } => {
                needs_text("--reason", &reason)?;
                at_once(item(
                    number(&run)?,
                    it,
                    ItemChangeKind::Skip(reason),
                    override_reason,
                ))
            }
            RunCommand::Undo { run, item: it } => {
                at_once(item(number(&run)?, it, ItemChangeKind::Undo, None))
            }
            RunCommand::Note { run, text } => {
                needs_text("TEXT", &text)?;
                let run = number(&run)?;
                confirmed(
                    Effect::Run(RunEffect::Note { run, text }),
                    format!("Add the note to run #{run}? Notes stay in its history."),
                )
            }
            RunCommand::List { .. } | RunCommand::Show { .. } | RunCommand::Cancel { .. } => {
                Err(from_the_shell(words))
            }
        }
    }
}

/// `:incident ...`: the same checks and effects as the CLI's, each
/// confirmed (incidents and their steps are never undone); `show` opens the
/// incident's detail; `list` and `postmortem` run from the shell.
fn incident(
    c: IncidentCommand,
    models: &Models,
    now: Timestamp,
    words: &[String],
) -> Result<Parsed, String> {
    use crate::domain::incident::IncidentState;
    let advance = |id: i64, to: IncidentState| {
        confirmed(
            Effect::Incident(IncidentOp::Advance { id, to }),
            format!(
                "Mark incident #{id} {}? An incident's state only moves forward.",
                to.word()
            ),
        )
    };
    match c {
        IncidentCommand::Declare {
            alerts,
            title,
            severity,
            commander,
            runs,
        } => {
            needs_text("--title", &title)?;
            check_len(&title, 200).map_err(|e| format!("--title: {e}"))?;
            if let Some(c) = &commander {
                needs_text("--commander", c)?;
            }
            let ids: Vec<String> = alerts
                .iter()
                .map(|id| format!("#{id}{}", alert_title(models, *id)))
                .collect();
            let prompt = format!(
                "Declare incident \"{}\" from alert {}? Incidents are never deleted.",
                sanitize_truncate(&title, 40),
                ids.join(", ")
            );
            confirmed(
                Effect::Incident(IncidentOp::Declare {
                    alerts,
                    title,
                    severity: severity.map(super::alert::severity),
                    commander,
                    runs,
                }),
                prompt,
            )
        }
        IncidentCommand::Mitigate { id } => advance(id, IncidentState::Mitigated),
        IncidentCommand::Resolve { id } => advance(id, IncidentState::Resolved),
        IncidentCommand::Review { id } => advance(id, IncidentState::Reviewed),
        IncidentCommand::Action {
            id,
            owner,
            due,
            text,
        } => {
            needs_text("--owner", &owner)?;
            needs_text("TEXT", &text)?;
            let due = super::run::parse_due(&due, now).map_err(|e| e.to_string())?;
            let prompt = format!(
                "Add action \"{}\" for {} due {} UTC to incident #{id}?",
                sanitize_truncate(&text, 30),
                sanitize_truncate(&owner, 20),
                crate::format::utc_minute(due)
            );
            confirmed(
                Effect::Incident(IncidentOp::Action {
                    id,
                    owner,
                    due,
                    text,
                }),
                prompt,
            )
        }
        IncidentCommand::Done { action } => {
            needs_text("ACTION", &action)?;
            let prompt = format!("Mark action {} done?", sanitize_truncate(&action, 20));
            confirmed(Effect::Incident(IncidentOp::Done { action }), prompt)
        }
        IncidentCommand::Show { id, .. } => at_once(Effect::ShowIncident(id)),
        IncidentCommand::List { .. } | IncidentCommand::Postmortem { .. } => {
            Err(from_the_shell(words))
        }
    }
}

impl CommandLine for ClapCommandLine {
    fn parse(&self, line: &str, models: &Models, now: Timestamp) -> Result<Parsed, String> {
        let words = join_free_text(split_words(line)?);
        let words: Vec<String> = match words.first().map(String::as_str) {
            // `:opsdeck alert ack 12` reads like the shell line it is.
            Some("opsdeck") => words[1..].to_vec(),
            _ => words,
        };
        if words.is_empty() {
            return Err("type a command, e.g. alert ack 12 (Tab completes)".into());
        }
        let argv = std::iter::once("opsdeck".to_string()).chain(words.iter().cloned());
        let cli = Cli::try_parse_from(argv).map_err(|e| clap_message(&e))?;
        if cli.actor.is_some() || cli.read_only || cli.demo {
            return Err(
                "--as, --read-only, --demo: the cockpit keeps the database and name it opened with"
                    .into(),
            );
        }
        match cli.command {
            None => Err("type a command, e.g. alert ack 12 (Tab completes)".into()),
            Some(Command::Alert { action }) => self.alert(action, models, now, &words),
            Some(Command::Incident { command }) => incident(command, models, now, &words),
            Some(Command::Run { command }) => self.run(command, now, &words),
            Some(Command::Record {
                indicator,
                value,
                at,
                note,
                force,
            }) => {
                if at.is_some() || force {
                    return Err("--at, --force: the cockpit records now; use `opsdeck record` in the shell for another time".into());
                }
                let value = parse_number(&value).map_err(|e| format!("value: {e}"))?;
                note_ok("--note", note.as_deref())?;
                let board = models
                    .board
                    .as_ref()
                    .ok_or("the indicators are still loading; try again")?;
                let r = board
                    .readings
                    .iter()
                    .find(|r| r.def.key == indicator)
                    .ok_or_else(|| {
                        format!(
                            "INDICATOR: no indicator '{}' (Tab lists them)",
                            sanitize_truncate(&indicator, 40)
                        )
                    })?;
                if r.def.source != crate::domain::indicator::Source::Observations {
                    return Err(format!(
                        "{} is derived from {}; record the underlying data with `opsdeck import` instead",
                        r.def.key,
                        r.def.source.as_str().replace('_', " ")
                    ));
                }
                at_once(Effect::Record {
                    indicator_id: r.id,
                    key: r.def.key.clone(),
                    value: Some(value),
                    note,
                })
            }
            Some(Command::Observation {
                command: ObservationCommand::Correct { id, value, reason },
            }) => {
                let value = parse_number(&value).map_err(|e| format!("VALUE: {e}"))?;
                needs_text("--reason", &reason)?;
                confirmed(
                    Effect::Correct { id, value, reason },
                    format!(
                        "Correct value #{id} to {}? The old value stays in the history.",
                        crate::format::number(value)
                    ),
                )
            }
            Some(Command::Decision {
                command:
                    DecisionCommand::Add {
                        title,
                        why,
                        evidence,
                        supersedes,
                    },
            }) => {
                needs_text("TITLE", &title)?;
                needs_text("--why", &why)?;
                let (evidence, supersedes) =
                    super::decision::decision_args(&evidence, supersedes.as_deref())
                        .map_err(|e| e.to_string())?;
                let refs: Vec<String> = evidence.iter().map(|e| e.to_string()).collect();
                let with = if refs.is_empty() {
                    String::new()
                } else {
                    format!(" with evidence {}", refs.join(", "))
                };
                let prompt = format!(
                    "Add decision \"{}\"{with} to the log? Entries are never removed.",
                    sanitize_truncate(&title, 40)
                );
                confirmed(
                    Effect::AddDecision {
                        title,
                        why,
                        evidence,
                        supersedes,
                    },
                    prompt,
                )
            }
            Some(Command::Feedback {
                command:
                    FeedbackCommand::Add {
                        ease,
                        reliability,
                        value,
                        channel,
                        segment,
                        customer,
                        comment,
                        at,
                    },
            }) => {
                let row = super::feedback::feedback_args(
                    now,
                    super::feedback::FeedbackArgs {
                        ease,
                        reliability,
                        value,
                        channel,
                        segment,
                        customer,
                        comment,
                        at,
                    },
                )
                .map_err(|e| e.to_string())?;
                let prompt = format!(
                    "Record feedback: ease {}, reliability {}, value {} ({})?",
                    row.ease, row.reliability, row.value, row.channel
                );
                confirmed(Effect::AddFeedback(row), prompt)
            }
            Some(Command::Oncall(args)) => oncall::oncall_line(args, now, &words),
            Some(Command::Silence { command }) => oncall::silence_line(command, now, &words),
            Some(_) => Err(from_the_shell(&words)),
        }
    }

    fn complete(&self, line: &str, models: &Models) -> Vec<String> {
        complete(line, models)
    }
}

/// What completes the last word of `line` (the text before the cursor).
pub(crate) fn complete(line: &str, models: &Models) -> Vec<String> {
    let Ok(mut words) = split_words(line) else {
        return Vec::new();
    };
    if line.is_empty() || line.ends_with(char::is_whitespace) {
        words.push(String::new());
    }
    let partial = words.pop().unwrap_or_default();
    if words.first().map(String::as_str) == Some("opsdeck") {
        words.remove(0);
    }
    let root = Cli::command();
    let mut cmd = &root;
    let mut path: Vec<String> = Vec::new();
    let mut positionals: Vec<String> = Vec::new();
    let mut pending_flag: Option<&clap::Arg> = None;
    for w in &words {
        if let Some(flag) = pending_flag.take() {
            let _ = flag;
            continue;
        }
        if let Some(long) = w.strip_prefix("--") {
            let name = long.split('=').next().unwrap_or_default();
            if let Some(a) = cmd.get_arguments().find(|a| a.get_long() == Some(name)) {
                if a.get_action().takes_values() && !long.contains('=') {
                    pending_flag = Some(a);
                }
            }
            continue;
        }
        if positionals.is_empty() {
            if let Some(sub) = cmd.find_subcommand(w) {
                cmd = sub;
                path.push(w.clone());
                continue;
            }
        }
        positionals.push(w.clone());
    }
    let mut out: Vec<String> = if let Some(flag) = pending_flag {
        flag_values(flag, models)
    } else if partial.starts_with('-') {
        cmd.get_arguments()
            .filter(|a| !a.is_hide_set())
            .filter_map(|a| a.get_long().map(|l| format!("--{l}")))
            .filter(|l| l != "--help" && l != "--version")
            .collect()
    } else if cmd.has_subcommands() && positionals.is_empty() {
        cmd.get_subcommands()
            .filter(|s| !s.is_hide_set() && s.get_name() != "help")
            .map(|s| s.get_name().to_string())
            .collect()
    } else {
        let arg = cmd
            .get_positionals()
            .nth(positionals.len())
            .map(|a| a.get_id().as_str().to_string())
            .unwrap_or_default();
        positional_values(&path, &arg, &positionals, models)
    };
    out.retain(|c| c.starts_with(&partial));
    out.dedup();
    out
}

fn alert_ids(models: &Models) -> Vec<String> {
    models
        .alerts
        .as_ref()
        .map(|m| m.active.iter().map(|a| a.id.to_string()).collect())
        .unwrap_or_default()
}

fn run_ids(models: &Models) -> Vec<String> {
    models
        .runs
        .as_ref()
        .map(|m| m.open_runs.iter().map(|o| o.run.id.to_string()).collect())
        .unwrap_or_default()
}

fn playbook_keys(models: &Models) -> Vec<String> {
    models
        .runs
        .as_ref()
        .map(|m| m.playbooks.iter().map(|p| p.key.clone()).collect())
        .unwrap_or_default()
}

fn indicator_keys(models: &Models) -> Vec<String> {
    models
        .board
        .as_ref()
        .map(|b| b.readings.iter().map(|r| r.def.key.clone()).collect())
        .unwrap_or_default()
}

/// The values a flag's argument may take.
fn flag_values(flag: &clap::Arg, models: &Models) -> Vec<String> {
    let possible: Vec<String> = flag
        .get_possible_values()
        .iter()
        .map(|v| v.get_name().to_string())
        .collect();
    if !possible.is_empty() {
        return possible;
    }
    match flag.get_long().unwrap_or_default() {
        "playbook" => playbook_keys(models),
        "channel" => ["survey", "interview", "support"]
            .map(String::from)
            .to_vec(),
        "ease" | "reliability" | "value" => (1..=5).map(|n| n.to_string()).collect(),
        "evidence" => {
            let mut v: Vec<String> = indicator_keys(models)
                .into_iter()
                .map(|k| format!("indicator:{k}"))
                .collect();
            if let Some(e) = &models.experiments {
                v.extend(e.rows.iter().map(|r| format!("experiment:{}", r.key)));
            }
            v.extend(
                alert_ids(models)
                    .into_iter()
                    .map(|id| format!("alert:{id}")),
            );
            v
        }
        _ => Vec::new(),
    }
}

/// The values of the positional argument `arg` of subcommand `path`.
fn positional_values(path: &[String], arg: &str, given: &[String], models: &Models) -> Vec<String> {
    let first = path.first().map(String::as_str);
    match (first, arg) {
        (Some("alert"), "id") | (Some("incident"), "alerts") => alert_ids(models),
        (Some("run"), "key") => playbook_keys(models),
        (Some("run"), "run") => run_ids(models),
        (Some("run"), "item") => {
            let id = given
                .first()
                .and_then(|r| r.trim_start_matches('#').parse::<i64>().ok());
            let Some(runs) = &models.runs else {
                return Vec::new();
            };
            id.and_then(|id| crate::tui::state::playbooks::find_run(runs, id))
                .map(|run| {
                    run_items(run)
                        .into_iter()
                        .filter_map(|i| run.def().item_label(i))
                        .collect()
                })
                .unwrap_or_default()
        }
        (Some("record"), "indicator") | (Some("indicator"), "key") => indicator_keys(models),
        (Some("playbook"), "key") => playbook_keys(models),
        _ => Vec::new(),
    }
}
