//! Alert settings and the optional notification command.
//!
//! The settings come from the config file (`notify`, `bell`) and the
//! environment, which wins ([`AlertSettings::load`]). The notification command runs on a new,
//! escalated or re-opened alert, always after the alert was committed: it
//! is executed directly (never through a shell), gets the alert as JSON on
//! stdin and `-- ID SEVERITY TITLE` as its last four arguments (the `--` ends
//! option parsing, so a title such as `-o/tmp/x` is never read as an option),
//! and is killed after its timeout. Its failure is reported and recorded,
//! never fatal. The title and the JSON come from data anyone who can raise an
//! alert or name an indicator controls: the command must treat them as
//! untrusted text (never pass them to a shell or `eval`).

use crate::domain::duration::parse_duration;
use crate::domain::Timestamp;
use crate::store::alerts::{record_notification, AlertPolicy, ToNotify};
pub use crate::store::oncall::outbox::Urgency;
use crate::store::oncall::outbox::{self, Group};
use crate::store::Store;
use std::io::{Read, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Default time a notification command may run before it is killed.
pub(crate) const DEFAULT_NOTIFY_TIMEOUT: Duration = Duration::from_secs(5);

/// The command to run: a program and its leading arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotifyCommand {
    /// Program to run (looked up on `PATH`); the alert comes as JSON on its standard input.
    pub program: String,
    /// Arguments given before the `ID SEVERITY TITLE` that opsdeck appends.
    pub args: Vec<String>,
    /// Killed after this long.
    pub timeout: Duration,
}

impl NotifyCommand {
    /// Reads a command line: a JSON array of strings (`["/bin/notify",
    /// "--to", "ops"]`), or words split on whitespace (no quoting, no shell).
    /// Empty text means no command.
    pub fn parse(spec: &str) -> Result<Option<NotifyCommand>, String> {
        let spec = spec.trim();
        if spec.is_empty() {
            return Ok(None);
        }
        let words: Vec<String> = if spec.starts_with('[') {
            serde_json::from_str(spec).map_err(|e| format!("not a JSON array of strings ({e})"))?
        } else {
            spec.split_whitespace().map(str::to_string).collect()
        };
        let mut words = words.into_iter();
        let program = words
            .next()
            .filter(|p| !p.trim().is_empty())
            .ok_or("names no program")?;
        Ok(Some(NotifyCommand {
            program,
            args: words.collect(),
            timeout: DEFAULT_NOTIFY_TIMEOUT,
        }))
    }
}

/// Everything configurable about alerts.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AlertSettings {
    /// Auto-resolve, acknowledgement timeout, capacity window.
    pub policy: AlertPolicy,
    /// Command run for each notification; `None` means no notifications.
    pub notify: Option<NotifyCommand>,
    /// Ring the terminal bell when a new critical alert opens in the cockpit.
    pub bell: bool,
}

impl AlertSettings {
    /// From the config file (`notify`, `bell`), then the environment, which
    /// wins: `OPSDECK_NOTIFY` (a command line, or a JSON array),
    /// `OPSDECK_NOTIFY_TIMEOUT` (duration, default 5s), `OPSDECK_ACK_TIMEOUT`
    /// (duration, `0` = never; default 4h), `OPSDECK_AUTO_RESOLVE`
    /// (`1`/`true`) and `OPSDECK_BELL` (`0`/`false` turns the bell off). A
    /// bad value is reported in the returned warnings and its default used.
    pub fn load(config: &crate::config::Config) -> (AlertSettings, Vec<String>) {
        Self::from_lookup(config, |k| std::env::var(k).ok())
    }

    /// Like [`AlertSettings::load`] over any environment lookup (tests).
    pub(crate) fn from_lookup(
        config: &crate::config::Config,
        get: impl Fn(&str) -> Option<String>,
    ) -> (AlertSettings, Vec<String>) {
        let mut s = AlertSettings {
            bell: config.bell,
            notify: config.notify.as_ref().and_then(|words| {
                let (program, args) = words.split_first()?;
                Some(NotifyCommand {
                    program: program.clone(),
                    args: args.to_vec(),
                    timeout: DEFAULT_NOTIFY_TIMEOUT,
                })
            }),
            ..AlertSettings::default()
        };
        let mut warnings = Vec::new();
        let secs = |name: &str, warnings: &mut Vec<String>| -> Option<i64> {
            let v = get(name)?;
            if v.trim() == "0" {
                return Some(0);
            }
            match parse_duration(&v) {
                Ok(d) => Some(d.num_seconds()),
                Err(e) => {
                    warnings.push(format!("{name}: {}", crate::text::sanitize(&e)));
                    None
                }
            }
        };
        if let Some(t) = secs("OPSDECK_ACK_TIMEOUT", &mut warnings) {
            s.policy.ack_timeout_secs = Some(t);
        }
        let flag = |name: &str| {
            get(name).map(|v| {
                matches!(
                    v.trim().to_ascii_lowercase().as_str(),
                    "1" | "true" | "yes" | "on"
                )
            })
        };
        if let Some(on) = flag("OPSDECK_AUTO_RESOLVE") {
            s.policy.auto_resolve = on;
        }
        if let Some(on) = flag("OPSDECK_BELL") {
            s.bell = on;
        }
        match get("OPSDECK_NOTIFY").map(|v| NotifyCommand::parse(&v)) {
            Some(Ok(cmd)) => s.notify = cmd,
            Some(Err(e)) => warnings.push(format!("OPSDECK_NOTIFY: {}", crate::text::sanitize(&e))),
            None => {}
        }
        if let (Some(cmd), Some(t)) = (&mut s.notify, secs("OPSDECK_NOTIFY_TIMEOUT", &mut warnings))
        {
            cmd.timeout = Duration::from_secs(t.clamp(1, 300) as u64);
        }
        (s, warnings)
    }
}

/// How one notification went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Exited with status 0.
    Delivered,
    /// Could not start, or exited with another status.
    Failed(String),
    /// Still running at the timeout: killed.
    TimedOut,
}

impl Outcome {
    /// One line for the history and stderr.
    pub(crate) fn describe(&self, timeout: Duration) -> String {
        match self {
            Outcome::Delivered => "notification command succeeded".into(),
            Outcome::Failed(why) => format!("notification command failed: {why}"),
            Outcome::TimedOut => format!(
                "notification command killed after {} s (timeout)",
                timeout.as_secs()
            ),
        }
    }
}

/// Runs the command once per group, all at once, and waits at most the
/// timeout for them together; stragglers are killed. Never panics.
pub(crate) fn run_all(cmd: &NotifyCommand, groups: &[Group], now: Timestamp) -> Vec<Outcome> {
    let deadline = Instant::now() + cmd.timeout;
    let mut children: Vec<Result<Child, String>> =
        groups.iter().map(|g| spawn(cmd, g, now)).collect();
    let mut outcomes: Vec<Option<Outcome>> = children
        .iter()
        .map(|c| c.as_ref().err().map(|e| Outcome::Failed(e.clone())))
        .collect();
    loop {
        let mut waiting = false;
        for (child, out) in children.iter_mut().zip(outcomes.iter_mut()) {
            let (Ok(child), None) = (child, &out) else {
                continue;
            };
            match child.try_wait() {
                Ok(Some(status)) if status.success() => *out = Some(Outcome::Delivered),
                Ok(Some(status)) => *out = Some(Outcome::Failed(failure(child, status))),
                Ok(None) => waiting = true,
                Err(e) => *out = Some(Outcome::Failed(e.to_string())),
            }
        }
        if !waiting {
            break;
        }
        if Instant::now() >= deadline {
            for (child, out) in children.iter_mut().zip(outcomes.iter_mut()) {
                if let (Ok(child), None) = (child, &out) {
                    let _ = child.kill();
                    let _ = child.wait();
                    *out = Some(Outcome::TimedOut);
                }
            }
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    outcomes
        .into_iter()
        .map(|o| o.unwrap_or(Outcome::TimedOut))
        .collect()
}

/// The arguments after `--` and the JSON body of one command run.
///
/// One alert (the form every notifier has known): `ID SEVERITY TITLE`, and
/// the alert as a JSON object with `reason` and `recipient`. A group:
/// `ID,ID,... SEVERITY SUMMARY` (the highest severity, `N alerts for
/// RECIPIENT: first title (+N-1 more)`), and `{"group": true, "recipient",
/// "count", "alerts": [alert objects with their reason]}`.
pub(crate) fn message(g: &Group, now: Timestamp) -> (Vec<String>, serde_json::Value) {
    let recipient = crate::text::sanitize(&g.recipient);
    let one = |n: &ToNotify| {
        let mut json = n.alert.to_json(now);
        json["reason"] = serde_json::Value::from(n.reason.word());
        json["recipient"] = serde_json::Value::from(recipient.clone());
        json
    };
    if let [n] = g.items.as_slice() {
        let a = &n.alert;
        let args = vec![
            a.id.to_string(),
            a.severity.word().to_string(),
            crate::text::sanitize(&a.title),
        ];
        return (args, one(n));
    }
    let ids: Vec<String> = g.items.iter().map(|n| n.alert.id.to_string()).collect();
    let severity = g
        .items
        .iter()
        .map(|n| n.alert.severity)
        .max()
        .map_or("info", |s| s.word());
    let first = g
        .items
        .first()
        .map(|n| crate::text::sanitize(&n.alert.title))
        .unwrap_or_default();
    let summary = format!(
        "{} alerts for {recipient}: {first} (+{} more)",
        g.items.len(),
        g.items.len() - 1
    );
    let body = serde_json::json!({
        "group": true,
        "recipient": recipient,
        "count": g.items.len(),
        "alerts": g.items.iter().map(one).collect::<Vec<_>>(),
    });
    (vec![ids.join(","), severity.to_string(), summary], body)
}

fn spawn(cmd: &NotifyCommand, g: &Group, now: Timestamp) -> Result<Child, String> {
    let (args, json) = message(g, now);
    let mut child = Command::new(&cmd.program)
        .args(&cmd.args)
        // Untrusted data follows: end option parsing first.
        .arg("--")
        .args(&args)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run {}: {e}", crate::text::sanitize(&cmd.program)))?;
    if let Some(mut stdin) = child.stdin.take() {
        let body = json.to_string() + "\n";
        // A thread, so a command that never reads its input cannot block us;
        // a command that exits early just closes the pipe.
        std::thread::spawn(move || {
            let _ = stdin.write_all(body.as_bytes());
        });
    }
    Ok(child)
}

/// Exit status and the first line of stderr of a finished command.
fn failure(child: &mut Child, status: std::process::ExitStatus) -> String {
    let mut text = String::new();
    if let Some(mut err) = child.stderr.take() {
        // The command has exited; a grandchild holding the pipe open must not
        // hang us, so read in a thread and wait briefly.
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = (&mut err).take(4096).read_to_end(&mut buf);
            let _ = tx.send(buf);
        });
        if let Ok(buf) = rx.recv_timeout(Duration::from_millis(200)) {
            text = String::from_utf8_lossy(&buf)
                .lines()
                .next()
                .unwrap_or("")
                .to_string();
        }
    }
    let status = match status.code() {
        Some(c) => format!("exit status {c}"),
        None => "killed by a signal".into(),
    };
    if text.trim().is_empty() {
        status
    } else {
        format!(
            "{status}: {}",
            crate::text::sanitize_truncate(text.trim(), 200)
        )
    }
}

/// Queues the notifications of an evaluation (or a manual step) that has
/// been committed, sends every notification now due (one command per
/// recipient: see [`message`]), then records each outcome in the alert's
/// history. Silences, maintenance windows, quiet hours and the group window
/// hold rules notifications in the outbox (`urgency`); a later call sends
/// them when they fall due. Returns one line per failure, for stderr; never
/// an error: the alerts are already safe in the database.
pub fn deliver(
    store: &mut Store,
    settings: &AlertSettings,
    list: &[ToNotify],
    urgency: Urgency,
    now: Timestamp,
) -> Vec<String> {
    let Some(cmd) = &settings.notify else {
        return Vec::new();
    };
    let groups = match store.write(|tx| -> crate::store::Result<Vec<Group>> {
        outbox::queue(tx, list, urgency, now)?;
        outbox::take_due(tx, now)
    }) {
        Ok(g) => g,
        Err(e) => return vec![format!("could not queue the notifications: {e}")],
    };
    if groups.is_empty() {
        return Vec::new();
    }
    let outcomes = run_all(cmd, &groups, now);
    let mut problems = Vec::new();
    let program = crate::text::sanitize(&cmd.program);
    for (g, o) in groups.iter().zip(&outcomes) {
        let outcome = o.describe(cmd.timeout);
        let ids: Vec<i64> = g.items.iter().map(|n| n.alert.id).collect();
        if *o == Outcome::Delivered {
            tracing::info!(alerts = ?ids, recipient = %crate::text::sanitize(&g.recipient), %program, "notify: delivered (exit status 0)");
        } else {
            tracing::warn!(alerts = ?ids, recipient = %crate::text::sanitize(&g.recipient), %program, "notify: {outcome}");
            for id in &ids {
                problems.push(format!("alert {id}: {outcome}"));
            }
        }
    }
    let recorded = store.write(|tx| -> crate::store::Result<()> {
        for (g, o) in groups.iter().zip(&outcomes) {
            let with = if g.items.len() > 1 {
                format!(" (one page of {} for {})", g.items.len(), g.recipient)
            } else {
                format!(" (to {})", g.recipient)
            };
            for n in &g.items {
                let detail = format!("{}: {}{with}", n.reason.word(), o.describe(cmd.timeout));
                record_notification(tx, n.alert.id, now, *o == Outcome::Delivered, &detail)?;
            }
        }
        Ok(())
    });
    if let Err(e) = recorded {
        problems.push(format!("could not record the notification outcome: {e}"));
    }
    problems
}

/// Like [`deliver`], on a thread with its own connection to the store's
/// file, so the cockpit never waits for a notification command. Does
/// nothing without a command, with nothing to send or waiting, or on an
/// in-memory store.
pub(crate) fn deliver_in_background(
    store: &Store,
    settings: &AlertSettings,
    list: Vec<ToNotify>,
    urgency: Urgency,
    now: Timestamp,
) {
    if settings.notify.is_none() || store.path() == Path::new(":memory:") {
        return;
    }
    if list.is_empty() && !store.outbox_has_pending().unwrap_or(false) {
        return;
    }
    let (path, actor, settings) = (
        store.path().to_path_buf(),
        store.actor().to_string(),
        settings.clone(),
    );
    std::thread::spawn(move || {
        // Failures are recorded in each alert's history by `deliver`.
        if let Ok(mut store) = Store::open(&path, &actor) {
            let _ = deliver(&mut store, &settings, &list, urgency, now);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_words_and_json_arrays() {
        let c = NotifyCommand::parse("/usr/bin/notify --to ops")
            .unwrap()
            .unwrap();
        assert_eq!(c.program, "/usr/bin/notify");
        assert_eq!(c.args, ["--to", "ops"]);
        let c = NotifyCommand::parse(r#"["/opt/my notifier", "a b"]"#)
            .unwrap()
            .unwrap();
        assert_eq!(c.program, "/opt/my notifier");
        assert_eq!(c.args, ["a b"]);
        assert_eq!(NotifyCommand::parse("  ").unwrap(), None);
        assert!(NotifyCommand::parse("[1, 2]").is_err());
        assert!(NotifyCommand::parse("[]").is_err());
    }

    #[test]
    fn settings_from_a_lookup() {
        let env = |k: &str| match k {
            "OPSDECK_NOTIFY" => Some("notify-send".to_string()),
            "OPSDECK_NOTIFY_TIMEOUT" => Some("2s".to_string()),
            "OPSDECK_ACK_TIMEOUT" => Some("soon".to_string()),
            "OPSDECK_AUTO_RESOLVE" => Some("yes".to_string()),
            "OPSDECK_BELL" => Some("0".to_string()),
            _ => None,
        };
        let (s, warnings) = AlertSettings::from_lookup(&crate::config::Config::default(), env);
        assert_eq!(s.notify.unwrap().timeout, Duration::from_secs(2));
        assert!(s.policy.auto_resolve);
        assert!(!s.bell);
        assert_eq!(
            s.policy.ack_timeout_secs,
            AlertPolicy::default().ack_timeout_secs
        );
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(warnings[0].starts_with("OPSDECK_ACK_TIMEOUT:"));
        // The config file's command and bell, when the environment is silent.
        let config = crate::config::Config {
            notify: Some(vec!["/bin/page".into(), "ops".into()]),
            bell: false,
            ..crate::config::Config::default()
        };
        let (s, _) = AlertSettings::from_lookup(&config, |_| None);
        let cmd = s.notify.unwrap();
        assert_eq!((cmd.program.as_str(), cmd.args.len()), ("/bin/page", 1));
        assert!(!s.bell);
    }
}
