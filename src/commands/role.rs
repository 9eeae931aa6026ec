//! `opsdeck role list|assign PERSON ROLE|unassign PERSON ROLE`

use super::Context;
use crate::cli::{ListFormat, RoleCommand};
use crate::store::roles::{assign, unassign, RoleHolders};
use crate::text::sanitize;
use std::fmt::Write as _;

/// Runs one `role` subcommand.
pub fn run(ctx: &Context, command: RoleCommand) -> anyhow::Result<u8> {
    let mut store = ctx.open()?;
    let out = match command {
        RoleCommand::List { format } => match format {
            ListFormat::Text => list(&store.roles()?),
            ListFormat::Json => json(&store.roles()?)?,
        },
        RoleCommand::Assign { person, role } => {
            let added = store.write(|tx| assign(tx, ctx.now, &person, &role))?;
            let verb = if added { "now holds" } else { "already holds" };
            let mut s = format!("{} {verb} {}", sanitize(person.trim()), sanitize(&role));
            if !added {
                s.push_str("; nothing changed");
            }
            s + "\n" + &holders_line(&store.roles()?, &role)
        }
        RoleCommand::Unassign { person, role } => {
            store.write(|tx| unassign(tx, ctx.now, &person, &role))?;
            format!(
                "{} no longer holds {}\n{}",
                sanitize(person.trim()),
                sanitize(&role),
                holders_line(&store.roles()?, &role)
            )
        }
    };
    crate::commands::emit(&out)?;
    Ok(0)
}

/// `⚠ single point of failure` for a role held by fewer than two people.
pub(crate) fn spof_flag(role: &RoleHolders) -> &'static str {
    if role.is_single_point_of_failure() {
        "⚠ single point of failure"
    } else {
        ""
    }
}

fn people(role: &RoleHolders) -> String {
    if role.people.is_empty() {
        "(nobody)".to_string()
    } else {
        role.people
            .iter()
            .map(|p| sanitize(p))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn holders_line(roles: &[RoleHolders], key: &str) -> String {
    match roles.iter().find(|r| r.key == key) {
        Some(r) => {
            format!("{}: {} {}\n", sanitize(&r.key), people(r), spof_flag(r)).replace(" \n", "\n")
        }
        None => String::new(),
    }
}

/// `role list --format json`: `{"roles": [...]}`, each with its people and
/// the single-point-of-failure flag.
fn json(roles: &[RoleHolders]) -> anyhow::Result<String> {
    let rows: Vec<serde_json::Value> = roles
        .iter()
        .map(|r| {
            serde_json::json!({
                "key": r.key,
                "name": r.name,
                "people": r.people,
                "single_point_of_failure": r.is_single_point_of_failure(),
            })
        })
        .collect();
    super::json_document(serde_json::json!({ "roles": rows }))
}

fn list(roles: &[RoleHolders]) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "{:<14} {:<22} PEOPLE", "ROLE", "NAME");
    for r in roles {
        let line = format!(
            "{:<14} {:<22} {} {}",
            sanitize(&r.key),
            crate::text::sanitize_truncate(&r.name, 22),
            people(r),
            spof_flag(r)
        );
        let _ = writeln!(s, "{}", line.trim_end());
    }
    let spof = roles
        .iter()
        .filter(|r| r.is_single_point_of_failure())
        .count();
    if spof > 0 {
        let _ = writeln!(
            s,
            "{spof} role{} held by fewer than two people: train a second person",
            if spof == 1 { "" } else { "s" }
        );
    }
    s
}
