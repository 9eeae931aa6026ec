//! `opsdeck silence add|list|end`: silences typed at the command line, and
//! the maintenance windows of the definition beside them.

use super::oncall::{check_reason, time_arg};
use super::Context;
use crate::cli::oncall::SilenceCommand;
use crate::cli::ListFormat;
use crate::domain::duration::parse_duration;
use crate::domain::oncall::{window_open_until, Matcher, SilenceRule};
use crate::domain::Timestamp;
use crate::format::{rfc3339, utc_minute};
use crate::store::oncall::{self as store_oncall, OnCallBook};
use crate::text::sanitize;
use anyhow::anyhow;
use std::fmt::Write as _;

/// A silence as typed, checked (the `:` line uses it too).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SilenceInput {
    /// All must hold.
    pub matchers: Vec<Matcher>,
    /// Expiry.
    pub until: Timestamp,
    /// Why.
    pub reason: String,
}

impl SilenceInput {
    /// Reads `--match` (at least one), `--until` or `--for` (mandatory, at
    /// most ten years) and `--reason`.
    pub fn parse(
        matchers: &[String],
        until: Option<&str>,
        for_: Option<&str>,
        reason: &str,
        now: Timestamp,
    ) -> Result<SilenceInput, String> {
        if matchers.is_empty() {
            return Err("--match: give at least one FIELD=VALUE".into());
        }
        let matchers = matchers
            .iter()
            .map(|m| Matcher::parse(m).map_err(|e| format!("--match: {e}")))
            .collect::<Result<Vec<_>, _>>()?;
        let until = match (until, for_) {
            (Some(u), None) => time_arg("--until", u, now)?,
            (None, Some(f)) => {
                now + parse_duration(f)
                    .map_err(|e| format!("--for: {e}"))?
                    .num_seconds()
            }
            _ => {
                return Err(
                    "give one of --until TIME or --for DURATION: a silence always expires".into(),
                )
            }
        };
        if until <= now {
            return Err("--until: is not in the future".into());
        }
        if until - now > crate::domain::duration::MAX_SECS {
            return Err("--until: at most ten years from now (a silence always expires)".into());
        }
        check_reason(reason)?;
        Ok(SilenceInput {
            matchers,
            until,
            reason: reason.trim().to_string(),
        })
    }

    /// Records it (audited) and returns its id.
    pub fn add(&self, tx: &crate::store::Tx<'_>, now: Timestamp) -> crate::store::Result<i64> {
        store_oncall::add_silence(tx, now, &self.matchers, self.until, &self.reason)
    }
}

/// Runs `opsdeck silence ...`.
pub fn run(ctx: &Context, command: SilenceCommand) -> anyhow::Result<u8> {
    match command {
        SilenceCommand::Add {
            matchers,
            until,
            for_,
            reason,
        } => {
            let s = SilenceInput::parse(
                &matchers,
                until.as_deref(),
                for_.as_deref(),
                &reason,
                ctx.now,
            )
            .map_err(|e| anyhow!(e))?;
            let mut store = ctx.open()?;
            let id = store.write(|tx| s.add(tx, ctx.now))?;
            let m: Vec<String> = s.matchers.iter().map(Matcher::text).collect();
            outln!(
                "silence #{id}: {} until {} UTC",
                sanitize(&m.join(" ")),
                utc_minute(s.until)
            );
            Ok(0)
        }
        SilenceCommand::End { id } => {
            let mut store = ctx.open()?;
            store.write(|tx| store_oncall::end_silence(tx, ctx.now, id))?;
            outln!(
                "ended silence #{id}; what it held notifies on the next check if its cause remains"
            );
            Ok(0)
        }
        SilenceCommand::List { format } => list_silences(ctx, format),
    }
}

/// How far back `silence list` shows silences that are over.
const ENDED_SHOWN_SECS: i64 = 7 * crate::domain::DAY;

fn silence_state(x: &crate::domain::oncall::SilenceRule, now: Timestamp) -> &'static str {
    if x.until <= now {
        "ended"
    } else if x.from > now {
        "future"
    } else {
        "active"
    }
}

fn silence_lines(silences: &[SilenceRule], book: &OnCallBook, now: Timestamp) -> String {
    let mut s = String::new();
    for x in silences {
        let m: Vec<String> = x.matchers.iter().map(Matcher::text).collect();
        let state = silence_state(x, now);
        let _ = writeln!(
            s,
            "{:>5} {state} until {} UTC  {}  {}",
            format!("#{}", x.id),
            utc_minute(x.until),
            sanitize(&m.join(" ")),
            sanitize(&x.reason)
        );
    }
    for w in &book.def.windows {
        let m: Vec<String> = w.matchers.iter().map(Matcher::text).collect();
        let open = match window_open_until(w, book.tz, now) {
            Some(u) => format!("open until {} UTC", utc_minute(u)),
            None => "closed".into(),
        };
        let tz = w
            .timezone
            .clone()
            .unwrap_or_else(|| book.tz.name().to_string());
        let _ = writeln!(
            s,
            "window {} every {} ({tz}), {open}  {}  {}",
            sanitize(&w.name),
            sanitize(&w.every),
            if m.is_empty() {
                "all alerts".to_string()
            } else {
                sanitize(&m.join(" "))
            },
            sanitize(&w.reason)
        );
    }
    s
}

fn list_silences(ctx: &Context, format: ListFormat) -> anyhow::Result<u8> {
    let store = ctx.open()?;
    let book = store.oncall_book(ctx.now)?;
    let listed: Vec<SilenceRule> = store
        .silences_after(ctx.now - ENDED_SHOWN_SECS)?
        .into_iter()
        .map(|r| r.s)
        .collect();
    let out = match format {
        ListFormat::Json => {
            let silences: Vec<_> = listed
                .iter()
                .map(|x| {
                    serde_json::json!({
                        "id": x.id,
                        "match": x.matchers.iter().map(Matcher::text).collect::<Vec<_>>(),
                        "from": rfc3339(x.from),
                        "until": rfc3339(x.until),
                        "reason": x.reason,
                        "state": silence_state(x, ctx.now),
                    })
                })
                .collect();
            let windows: Vec<_> = book
                .def
                .windows
                .iter()
                .map(|w| {
                    serde_json::json!({
                        "name": w.name,
                        "every": w.every,
                        "timezone": w.timezone.clone().unwrap_or_else(|| book.tz.name().to_string()),
                        "match": w.matchers.iter().map(Matcher::text).collect::<Vec<_>>(),
                        "reason": w.reason,
                        "open_until": window_open_until(w, book.tz, ctx.now).map(rfc3339),
                    })
                })
                .collect();
            super::json_document(serde_json::json!({
                "at": rfc3339(ctx.now),
                "silences": silences,
                "windows": windows,
            }))?
        }
        ListFormat::Text if listed.is_empty() && book.def.windows.is_empty() => {
            "no silences (none in force, none ended in the last 7 days) and no maintenance windows\n".into()
        }
        ListFormat::Text => silence_lines(&listed, &book, ctx.now),
    };
    super::emit(&out)?;
    Ok(0)
}
