//! [`OnCallBook`]: the definition, overrides, silences and zone read once,
//! to say who is on call and what is silenced at a time.

use super::{overrides_after, silences_after};
use crate::domain::oncall::{
    on_call_at, silenced_by, AlertFacts, OnCall, OnCallDef, Override, SilenceRule, Silenced,
};
use crate::domain::Timestamp;
use crate::store::alerts::Alert;
use crate::store::db::Conn as Connection;
use crate::store::definition::oncall_def_at;
use crate::store::Result;
use chrono_tz::Tz;

/// Everything needed to say who is on call and what is silenced: the
/// definition, the current and future overrides and silences, the zone.
#[derive(Debug, Clone, PartialEq)]
pub struct OnCallBook {
    /// `oncall.toml` as in force at the time the book was read for.
    pub def: OnCallDef,
    /// Overrides ending after the time the book was read for.
    pub overrides: Vec<Override>,
    /// Silences ending after that time.
    pub silences: Vec<SilenceRule>,
    /// Role keys, in definition order.
    pub roles: Vec<String>,
    /// The operation's zone.
    pub tz: Tz,
}

impl OnCallBook {
    /// Reads the book for times from `at` on.
    pub fn load(conn: &Connection, at: Timestamp) -> Result<OnCallBook> {
        let mut stmt = conn.prepare_cached("SELECT key FROM roles ORDER BY id")?;
        let roles = stmt
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<Vec<String>>>()?;
        Ok(OnCallBook {
            def: oncall_def_at(conn, at)?,
            overrides: overrides_after(conn, at)?
                .into_iter()
                .map(|o| o.o)
                .collect(),
            silences: silences_after(conn, at)?.into_iter().map(|s| s.s).collect(),
            roles,
            tz: super::operation_zone(conn)?,
        })
    }

    /// Who holds `role` at `at`.
    pub fn on_call(&self, role: &str, at: Timestamp) -> OnCall {
        on_call_at(role, self.def.rotation(role), &self.overrides, self.tz, at)
    }

    /// Every role with a rotation or an override, in role order.
    pub fn covered_roles(&self) -> Vec<&str> {
        self.roles
            .iter()
            .filter(|r| {
                self.def.rotation(r).is_some() || self.overrides.iter().any(|o| &o.role == *r)
            })
            .map(String::as_str)
            .collect()
    }

    /// The person an escalation target means at `at`: a role's on-call
    /// person, else the target as written (a person, or a role nobody is on
    /// call for).
    pub fn person_for(&self, target: &str, at: Timestamp) -> String {
        if self.roles.iter().any(|r| r == target) {
            if let Some(p) = self.on_call(target, at).person {
                return p;
            }
        }
        target.to_string()
    }

    /// Who the alert is waiting for at `at`: whoever acknowledged it, else
    /// the person its current level pages.
    pub fn waiting_for(&self, a: &Alert, at: Timestamp) -> String {
        match (&a.state, &a.acked_by) {
            (crate::domain::escalation::AlertState::Acknowledged, Some(who)) => who.clone(),
            _ => self.person_for(a.target(), at),
        }
    }

    /// The silence or open window covering the alert at `at`.
    pub fn silenced(&self, a: &Alert, at: Timestamp) -> Option<Silenced> {
        let facts = AlertFacts {
            source: a.source.word(),
            key: &a.key,
            severity: a.severity.word(),
            playbook: a.playbook.as_deref(),
        };
        silenced_by(&facts, &self.silences, &self.def.windows, self.tz, at)
    }
}
