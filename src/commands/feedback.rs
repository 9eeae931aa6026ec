//! `opsdeck feedback add|summary`: structured customer feedback.

use super::Context;
use crate::cli::learning::FeedbackCommand;
use crate::cli::ListFormat;
use crate::domain::feedback::{
    summarize, validate_feedback, validate_score, Channel, FeedbackInput, FeedbackSummary, GroupBy,
};
use crate::domain::DAY;
use crate::format::rfc3339;
use crate::ingest::parse_time;
use crate::store::feedback::{add_feedback, FeedbackRow};
use crate::store::learning_models::feedback_input;
use crate::text::sanitize_truncate;
use anyhow::anyhow;
use std::fmt::Write as _;

/// Runs one feedback subcommand.
pub fn run(ctx: &Context, command: FeedbackCommand) -> anyhow::Result<u8> {
    match command {
        FeedbackCommand::Add {
            ease,
            reliability,
            value,
            channel,
            segment,
            customer,
            comment,
            at,
        } => {
            let input = feedback_args(
                ctx.now,
                FeedbackArgs {
                    ease,
                    reliability,
                    value,
                    channel,
                    segment,
                    customer,
                    comment,
                    at,
                },
            )?;
            add(ctx, input)
        }
        FeedbackCommand::Summary { days, format } => summary(ctx, days, format),
    }
}

/// The typed fields of `feedback add`.
pub(crate) struct FeedbackArgs {
    pub ease: String,
    pub reliability: String,
    pub value: String,
    pub channel: Option<String>,
    pub segment: Option<String>,
    pub customer: Option<String>,
    pub comment: Option<String>,
    pub at: Option<String>,
}

/// Checks the fields of `feedback add` (the CLI and the cockpit's `:`
/// line): the response as it would be stored, or a one-line error naming
/// the field.
pub(crate) fn feedback_args(
    now: crate::domain::Timestamp,
    a: FeedbackArgs,
) -> anyhow::Result<FeedbackRow> {
    let FeedbackArgs {
        ease,
        reliability,
        value,
        channel,
        segment,
        customer,
        comment,
        at,
    } = a;
    let f = FeedbackInput {
        at: match at {
            Some(t) => parse_time(&t).map_err(|e| anyhow!("--at: {e}"))?,
            None => now,
        },
        ease: validate_score("--ease", &ease).map_err(|e| anyhow!(e))?,
        reliability: validate_score("--reliability", &reliability).map_err(|e| anyhow!(e))?,
        value: validate_score("--value", &value).map_err(|e| anyhow!(e))?,
        channel: match channel {
            Some(c) => Channel::parse(&c).map_err(|e| anyhow!("--channel: {e}"))?,
            None => Channel::default(),
        },
        segment: segment.filter(|s| !s.trim().is_empty()),
        customer: customer.filter(|s| !s.trim().is_empty()),
        comment: comment.filter(|s| !s.trim().is_empty()),
    };
    validate_feedback(&f).map_err(|e| anyhow!(e.join("; ")))?;
    Ok(FeedbackRow {
        at: f.at,
        customer: f.customer.clone(),
        segment: f.segment.clone(),
        channel: f.channel.as_str().to_string(),
        ease: f.ease,
        reliability: f.reliability,
        value: f.value,
        comment: f.comment.clone(),
    })
}

fn add(ctx: &Context, row: FeedbackRow) -> anyhow::Result<u8> {
    let mut store = ctx.open()?;
    let new = store.write(|tx| add_feedback(tx, ctx.now, &row))?;
    let what = format!(
        "ease {}, reliability {}, value {} ({}{})",
        row.ease,
        row.reliability,
        row.value,
        row.channel,
        row.segment
            .as_deref()
            .map(|s| format!(", segment {}", sanitize_truncate(s, 40)))
            .unwrap_or_default()
    );
    if new {
        outln!("recorded feedback: {what}");
    } else {
        outln!("already recorded: {what} (nothing changed)");
    }
    Ok(0)
}

fn summary(ctx: &Context, days: u32, format: ListFormat) -> anyhow::Result<u8> {
    let store = ctx.open()?;
    let from = ctx.now - i64::from(days.max(1)) * DAY;
    let rows: Vec<FeedbackInput> = store
        .feedback_between(from, ctx.now)?
        .iter()
        .map(feedback_input)
        .collect();
    let all = summarize(&rows, GroupBy::None);
    let segments = summarize(&rows, GroupBy::Segment);
    let channels = summarize(&rows, GroupBy::Channel);
    let out = match format {
        ListFormat::Json => super::json_document(serde_json::json!({
            "at": rfc3339(ctx.now),
            "from": rfc3339(from),
            "to": rfc3339(ctx.now),
            "all": all.first(),
            "by_segment": segments,
            "by_channel": channels,
        }))?,
        ListFormat::Text if rows.is_empty() => {
            format!("no feedback in the last {days} days\n")
        }
        ListFormat::Text => {
            let mut s = format!("feedback over the last {days} days (scores 1–5)\n");
            for (title, groups) in [
                ("ALL", &all),
                ("BY SEGMENT", &segments),
                ("BY CHANNEL", &channels),
            ] {
                s.push_str(&table(title, groups));
            }
            s
        }
    };
    crate::commands::emit(&out)?;
    Ok(0)
}

fn table(title: &str, groups: &[FeedbackSummary]) -> String {
    let mut s = format!(
        "\n{title:<20} {:>9} {:>6} {:>12} {:>6} {:>10}\n",
        "responses", "ease", "reliability", "value", "low share"
    );
    for g in groups {
        let _ = writeln!(
            s,
            "{:<20} {:>9} {:>6.2} {:>12.2} {:>6.2} {:>9.0}%",
            sanitize_truncate(&g.group, 20),
            g.responses,
            g.mean_ease,
            g.mean_reliability,
            g.mean_value,
            g.low_share * 100.0
        );
    }
    s
}
