//! `:oncall override ...` and `:silence add|end` on the cockpit's line:
//! checked by the same functions as the CLI commands, confirmed, then run
//! as one [`Effect::OnCall`].

use super::{confirmed, from_the_shell};
use crate::domain::Timestamp;
use crate::text::sanitize_truncate;
use crate::tui::action::Effect;
use crate::tui::cmdline::Parsed;

/// `:oncall override ...`: add or end an override (listing runs from the shell).
pub(super) fn oncall_line(
    args: crate::cli::oncall::OnCallArgs,
    now: Timestamp,
    words: &[String],
) -> Result<Parsed, String> {
    use crate::cli::oncall::{OnCallCommand, OverrideCommand};
    use crate::store::oncall::OnCallOp;
    match args.command {
        Some(OnCallCommand::Override {
            command: Some(OverrideCommand::End { id }),
            ..
        }) => confirmed(
            Effect::OnCall(OnCallOp::EndOverride(id)),
            format!("End override #{id} now? The rotation holds the role again."),
        ),
        Some(OnCallCommand::Override {
            command: None,
            role: Some(role),
            person: Some(person),
            from,
            until,
            reason,
        }) => {
            let until = until.ok_or("--until: required")?;
            let reason = reason.ok_or("--reason: required")?;
            let o = crate::commands::oncall::OverrideInput::parse(
                &role,
                &person,
                from.as_deref(),
                &until,
                &reason,
                now,
            )?;
            let prompt = format!(
                "{} holds {} from {} until {} UTC? (audited)",
                sanitize_truncate(&o.person, 20),
                sanitize_truncate(&o.role, 20),
                crate::format::utc_minute(o.from),
                crate::format::utc_minute(o.until)
            );
            confirmed(
                Effect::OnCall(OnCallOp::Override {
                    role: o.role,
                    person: o.person,
                    from: o.from,
                    until: o.until,
                    reason: o.reason,
                }),
                prompt,
            )
        }
        Some(OnCallCommand::Override { command: None, .. }) => {
            Err("oncall override: give ROLE PERSON --until T --reason R".into())
        }
        _ => Err(format!(
            "{} (the Alerts view shows who is on call)",
            from_the_shell(words)
        )),
    }
}

/// `:silence add|end`: add or end a silence (listing runs from the shell;
/// the Alerts view shows the silences in force).
pub(super) fn silence_line(
    command: crate::cli::oncall::SilenceCommand,
    now: Timestamp,
    words: &[String],
) -> Result<Parsed, String> {
    use crate::cli::oncall::SilenceCommand;
    use crate::store::oncall::OnCallOp;
    match command {
        SilenceCommand::Add {
            matchers,
            until,
            for_,
            reason,
        } => {
            let s = crate::commands::silence::SilenceInput::parse(
                &matchers,
                until.as_deref(),
                for_.as_deref(),
                &reason,
                now,
            )?;
            let m: Vec<String> = s.matchers.iter().map(|m| m.text()).collect();
            let prompt = format!(
                "Silence {} until {} UTC? Alerts stay recorded but neither notify nor escalate.",
                sanitize_truncate(&m.join(" "), 40),
                crate::format::utc_minute(s.until)
            );
            confirmed(
                Effect::OnCall(OnCallOp::Silence {
                    matchers: s.matchers,
                    until: s.until,
                    reason: s.reason,
                }),
                prompt,
            )
        }
        SilenceCommand::End { id } => confirmed(
            Effect::OnCall(OnCallOp::EndSilence(id)),
            format!("End silence #{id} now? What it held notifies if its cause remains."),
        ),
        SilenceCommand::List { .. } => Err(format!(
            "{} (the Alerts view lists the silences in force)",
            from_the_shell(words)
        )),
    }
}
