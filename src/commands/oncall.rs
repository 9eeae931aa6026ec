//! `opsdeck oncall [--at T] [--format json]` and `opsdeck oncall override ...`.

use super::Context;
use crate::cli::oncall::{OnCallArgs, OnCallCommand, OverrideCommand};
use crate::cli::ListFormat;
use crate::domain::duration::parse_duration;
use crate::domain::Timestamp;
use crate::format::{rfc3339, utc_minute};
use crate::ingest::fields::{check_len, parse_until, MAX_TEXT};
use crate::store::oncall as store_oncall;
use crate::text::sanitize;
use anyhow::anyhow;
use std::fmt::Write as _;

/// Runs `opsdeck oncall ...`.
pub fn run(ctx: &Context, args: OnCallArgs) -> anyhow::Result<u8> {
    match args.command {
        None => who(ctx, args.at.as_deref(), args.format),
        Some(OnCallCommand::Override {
            command: Some(OverrideCommand::List { format }),
            ..
        }) => list_overrides(ctx, format),
        Some(OnCallCommand::Override {
            command: Some(OverrideCommand::End { id }),
            ..
        }) => {
            let mut store = ctx.open()?;
            store.write(|tx| store_oncall::end_override(tx, ctx.now, id))?;
            outln!("ended override #{id}");
            Ok(0)
        }
        Some(OnCallCommand::Override {
            command: None,
            role,
            person,
            from,
            until,
            reason,
        }) => {
            let (Some(role), Some(person)) = (role, person) else {
                anyhow::bail!(
                    "oncall override: give ROLE PERSON --until T --reason R (or `list`, `end ID`)"
                );
            };
            let until = until.ok_or_else(|| anyhow!("--until: required"))?;
            let reason = reason.ok_or_else(|| anyhow!("--reason: required"))?;
            let o = OverrideInput::parse(&role, &person, from.as_deref(), &until, &reason, ctx.now)
                .map_err(|e| anyhow!(e))?;
            let mut store = ctx.open()?;
            let id = store.write(|tx| o.add(tx, ctx.now))?;
            outln!(
                "override #{id}: {} holds {} from {} until {} UTC",
                sanitize(&o.person),
                sanitize(&o.role),
                utc_minute(o.from),
                utc_minute(o.until)
            );
            Ok(0)
        }
    }
}

/// An override as typed, checked (the `:` line uses it too).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverrideInput {
    /// Role key.
    pub role: String,
    /// Person.
    pub person: String,
    /// Start.
    pub from: Timestamp,
    /// End (exclusive).
    pub until: Timestamp,
    /// Why.
    pub reason: String,
}

impl OverrideInput {
    /// Reads the arguments: `--from` a time (default now), `--until` a time
    /// or a duration from `--from`, a reason that is not empty.
    pub fn parse(
        role: &str,
        person: &str,
        from: Option<&str>,
        until: &str,
        reason: &str,
        now: Timestamp,
    ) -> Result<OverrideInput, String> {
        let from = match from {
            Some(f) => time_arg("--from", f, now)?,
            None => now,
        };
        let until = match parse_duration(until) {
            Ok(d) => from + d.num_seconds(),
            Err(_) => time_arg("--until", until, now)?,
        };
        check_reason(reason)?;
        if until - now > crate::domain::duration::MAX_SECS {
            return Err("--until: at most ten years from now".into());
        }
        Ok(OverrideInput {
            role: role.trim().to_string(),
            person: person.trim().to_string(),
            from,
            until,
            reason: reason.trim().to_string(),
        })
    }

    /// Records it (audited) and returns its id.
    pub fn add(&self, tx: &crate::store::Tx<'_>, now: Timestamp) -> crate::store::Result<i64> {
        store_oncall::add_override(
            tx,
            now,
            &self.role,
            &self.person,
            self.from,
            self.until,
            &self.reason,
        )
    }
}

/// A time argument: RFC 3339 (seconds optional), YYYY-MM-DD, or a
/// duration from now (`2h`).
pub(super) fn time_arg(flag: &str, text: &str, now: Timestamp) -> Result<Timestamp, String> {
    parse_until(text, now)
        .map_err(|e| format!("{flag}: {}", e.strip_prefix("UNTIL: ").unwrap_or(&e)))
}

pub(super) fn check_reason(reason: &str) -> Result<(), String> {
    if reason.trim().is_empty() {
        return Err("--reason: is empty".into());
    }
    check_len(reason, MAX_TEXT).map_err(|e| format!("--reason: {e}"))
}

fn until_text(t: Option<Timestamp>) -> String {
    t.map_or("-".into(), |t| format!("{} UTC", utc_minute(t)))
}

/// `opsdeck oncall [--at T]`.
fn who(ctx: &Context, at: Option<&str>, format: ListFormat) -> anyhow::Result<u8> {
    let at = match at {
        Some(t) => time_arg("--at", t, ctx.now).map_err(|e| anyhow!(e))?,
        None => ctx.now,
    };
    let store = ctx.open()?;
    let book = store.oncall_book(at)?;
    let rows: Vec<_> = book.roles.iter().map(|r| book.on_call(r, at)).collect();
    // Without a rotation, who holds the role is the next best answer.
    let holders = store.roles()?;
    let held_by = |role: &str| -> String {
        holders
            .iter()
            .find(|h| h.key == role)
            .filter(|h| !h.people.is_empty())
            .map(|h| {
                let names: Vec<String> = h.people.iter().map(|p| sanitize(p)).collect();
                format!("no rotation · held by {}", names.join(", "))
            })
            .unwrap_or_else(|| "no rotation".into())
    };
    let out = match format {
        ListFormat::Json => super::json_document(serde_json::json!({
            "at": rfc3339(at),
            "roles": rows.iter().map(|o| serde_json::json!({
                "role": o.role,
                "person": o.person,
                "until": o.until.map(rfc3339),
                "override": o.override_id,
                "rotation": book.def.rotation(&o.role).is_some(),
            })).collect::<Vec<_>>(),
        }))?,
        ListFormat::Text => {
            let mut s = format!("on call at {} UTC\n", utc_minute(at));
            for o in &rows {
                let who = match (&o.person, book.def.rotation(&o.role)) {
                    (Some(p), _) => sanitize(p),
                    (None, Some(_)) => "nobody yet (rotation not started)".into(),
                    (None, None) => held_by(&o.role),
                };
                let how = match o.override_id {
                    Some(id) => format!("  (override #{id})"),
                    None => String::new(),
                };
                let until = match (&o.person, o.until) {
                    (_, Some(_)) => format!("until {}", until_text(o.until)),
                    _ => String::new(),
                };
                let _ = writeln!(s, "  {:<12} {:<20} {until}{how}", sanitize(&o.role), who);
            }
            s
        }
    };
    super::emit(&out)?;
    Ok(0)
}

fn list_overrides(ctx: &Context, format: ListFormat) -> anyhow::Result<u8> {
    let store = ctx.open()?;
    let rows = store.overrides_after(ctx.now)?;
    let out = match format {
        ListFormat::Json => {
            let mut v = serde_json::to_value(&rows)?;
            super::rfc3339_times(&mut v, &["from", "until", "ended_at"]);
            super::json_document(serde_json::json!({"at": rfc3339(ctx.now), "overrides": v}))?
        }
        ListFormat::Text if rows.is_empty() => "no current or future overrides\n".into(),
        ListFormat::Text => {
            let mut s = String::new();
            for r in &rows {
                let _ = writeln!(
                    s,
                    "{:>5} {:<12} {:<16} {} → {} UTC  {} (by {})",
                    format!("#{}", r.o.id),
                    sanitize(&r.o.role),
                    sanitize(&r.o.person),
                    utc_minute(r.o.from),
                    utc_minute(r.o.until),
                    sanitize(&r.o.reason),
                    sanitize(&r.created_by)
                );
            }
            s
        }
    };
    super::emit(&out)?;
    Ok(0)
}
