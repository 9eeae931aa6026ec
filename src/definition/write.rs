//! Writing a [`Definition`] back as the folder's files, in the same format
//! [`super::parse_folder`] reads.

use super::{Definition, INDICATORS_FILE, OPERATION_FILE, PLAYBOOKS_DIR, SLOS_FILE};
use crate::domain::budget::{default_burn_rules, EventSource, SloDef, DEFAULT_MIN_EVENTS};
use crate::domain::duration::format_duration;
use crate::domain::indicator::Source;
use crate::domain::playbook::{EscalationTarget, PlaybookDef};
use std::fmt::Write as _;

/// A TOML string literal.
fn q(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// A number: integers without a fraction, others exactly.
fn num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        toml::Value::Float(v).to_string()
    }
}

/// A duration in days when whole, else the compact form (`1h30m`).
fn dur(secs: i64) -> String {
    if secs > 0 && secs % 86_400 == 0 {
        format!("{}d", secs / 86_400)
    } else {
        format_duration(secs)
    }
}

fn target_line(t: &EscalationTarget) -> String {
    match t {
        EscalationTarget::Role(r) => format!("role = {}\n", q(r)),
        EscalationTarget::Person(p) => format!("person = {}\n", q(p)),
    }
}

/// The files of `def`: `(path inside the folder, text)`.
pub fn to_files(def: &Definition) -> Vec<(String, String)> {
    let mut files = vec![
        (OPERATION_FILE.to_string(), operation(def)),
        (INDICATORS_FILE.to_string(), indicators(def)),
        (SLOS_FILE.to_string(), slos(&def.slos)),
    ];
    if def.oncall != crate::domain::oncall::OnCallDef::default() {
        files.push((
            super::ONCALL_FILE.to_string(),
            super::oncall::write(&def.oncall),
        ));
    }
    for p in &def.playbooks {
        files.push((format!("{PLAYBOOKS_DIR}/{}.toml", p.key), playbook(p)));
    }
    files
}

fn operation(def: &Definition) -> String {
    let op = &def.operation;
    let mut s = String::from(
        "# The operation: company, time zone, roles, people, capacities and alert\n# defaults. Apply changes with `opsdeck apply DIR`.\n\n",
    );
    let _ = writeln!(s, "company = {}", q(&op.company));
    let _ = writeln!(s, "timezone = {}", q(&op.timezone));
    let _ = writeln!(
        s,
        "\n[alerts]\nack_timeout = {}",
        q(&dur(op.alerts.ack_timeout_secs))
    );
    for l in &op.alerts.escalation {
        let _ = write!(
            s,
            "\n[[alerts.escalation]]\nafter = {}\n{}",
            q(&dur(l.after_secs)),
            target_line(&l.target)
        );
    }
    for r in &op.roles {
        let _ = write!(
            s,
            "\n[[role]]\nkey = {}\nname = {}\n",
            q(&r.key),
            q(&r.name)
        );
    }
    for p in &op.people {
        let roles: Vec<String> = p.roles.iter().map(|r| q(r)).collect();
        let _ = write!(
            s,
            "\n[[person]]\nname = {}\nroles = [{}]\n",
            q(&p.name),
            roles.join(", ")
        );
    }
    for c in &op.capacity {
        let _ = write!(
            s,
            "\n[[capacity]]\nwork_kind = {}\nunits_per_day = {}\nwarn_at = {}\nbreach_at = {}\n",
            q(&c.work_kind),
            num(c.units_per_day),
            num(c.warn_at),
            num(c.breach_at)
        );
    }
    s
}

fn indicators(def: &Definition) -> String {
    let mut s = String::from("# The indicators, in board order. Fields: see the README.\n");
    for i in &def.indicators {
        let _ = write!(
            s,
            "\n[[indicator]]\nkey = {}\nname = {}\ndefinition = {}\nkind = {}\nunit = {}\ndirection = {}\naggregation = {}\nwindow = {}\ntarget = {}\nwarn = {}\nbreach = {}\nowner = {}\n",
            q(&i.key),
            q(&i.name),
            q(&i.definition),
            q(i.kind.as_str()),
            q(&i.unit),
            q(i.direction.as_str()),
            q(i.aggregation.as_str()),
            q(&dur(i.window_secs)),
            num(i.target),
            num(i.warn),
            num(i.breach),
            q(&i.owner_role)
        );
        if i.source != Source::Observations {
            let _ = writeln!(s, "source = {}", q(i.source.as_str()));
        }
        for (k, v) in [("metric", &i.metric), ("work_kind", &i.work_kind)] {
            if let Some(v) = v {
                let _ = writeln!(s, "{k} = {}", q(v));
            }
        }
        for (k, v) in [("min", i.min), ("max", i.max)] {
            if let Some(v) = v {
                let _ = writeln!(s, "{k} = {}", num(v));
            }
        }
        if let Some(n) = i.min_events {
            let _ = writeln!(s, "min_events = {n}");
        }
    }
    s
}

fn slos(slos: &[SloDef]) -> String {
    let mut s = String::from("# Service level objectives. Fields: see the README.\n");
    for d in slos {
        let EventSource::WorkItems {
            work_kind,
            segment,
            good,
        } = &d.source;
        let _ = write!(s, "\n[[slo]]\nkey = {}\nname = {}\n", q(&d.key), q(&d.name));
        if !d.description.is_empty() {
            let _ = writeln!(s, "description = {}", q(&d.description));
        }
        let _ = write!(
            s,
            "objective = {}\nwindow = {}\nsource = \"work_items\"\nwork_kind = {}\n",
            num(d.objective),
            q(&dur(d.window_secs)),
            q(work_kind)
        );
        if let Some(seg) = segment {
            let _ = writeln!(s, "segment = {}", q(seg));
        }
        let _ = writeln!(s, "good = {}", q(&String::from(*good)));
        if d.min_events != DEFAULT_MIN_EVENTS {
            let _ = writeln!(s, "min_events = {}", d.min_events);
        }
        if let Some(r) = &d.owner_role {
            let _ = writeln!(s, "owner_role = {}", q(r));
        }
        if let Some(p) = &d.playbook {
            let _ = writeln!(s, "playbook = {}", q(p));
        }
        if d.burn_rules != default_burn_rules(d.window_secs) {
            if d.burn_rules.is_empty() {
                let _ = writeln!(s, "burn_rule = []");
            }
            for r in &d.burn_rules {
                let _ = write!(
                    s,
                    "\n[[slo.burn_rule]]\nseverity = {}\nlong_window = {}\nfactor = {}\n",
                    q(r.severity.word()),
                    q(&format_duration(r.long_window_secs)),
                    num(r.factor)
                );
            }
        }
    }
    s
}

fn playbook(p: &PlaybookDef) -> String {
    let mut s = format!("key = {}\nname = {}\n", q(&p.key), q(&p.name));
    if let Some(v) = p.version {
        let _ = writeln!(s, "version = {v}");
    }
    let _ = write!(
        s,
        "description = {}\nreview_every = {}\nlast_reviewed = {}\n",
        q(&p.description),
        q(&dur(p.review_every_secs)),
        p.last_reviewed.format("%Y-%m-%d")
    );
    for l in &p.escalation {
        let _ = write!(
            s,
            "\n[[escalation]]\nafter = {}\n{}",
            q(&dur(l.after_secs)),
            target_line(&l.target)
        );
    }
    for st in &p.steps {
        let _ = write!(
            s,
            "\n[[step]]\nkey = {}\ntitle = {}\nowner = {}\nentry = {}\nexit = {}\ntolerance = {}\n",
            q(&st.key),
            q(&st.title),
            q(&st.owner),
            q(&st.entry),
            q(&st.exit),
            q(&dur(st.tolerance_secs))
        );
        if let Some(h) = &st.handoff {
            let _ = writeln!(s, "handoff = {}", q(h));
        }
        let items: Vec<String> = st.items.iter().map(|i| format!("  {},", q(i))).collect();
        let _ = writeln!(s, "items = [\n{}\n]", items.join("\n"));
    }
    s
}
