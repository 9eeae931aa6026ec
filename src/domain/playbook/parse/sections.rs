//! Validating the raw structs: the top-level fields, the escalation path and
//! the steps with their items.

use std::collections::HashMap;
use std::ops::Range;

use toml::Spanned;

use super::structure::RawPlaybook;
use super::{normalise, shorten, Checker};
use crate::domain::duration::format_duration;
use crate::domain::playbook::{EscalationLevel, EscalationTarget, PlaybookDef, StepDef};

impl Checker<'_> {
    pub(super) fn validate(&mut self, raw: &RawPlaybook) -> Option<PlaybookDef> {
        let top = self.top.clone();
        let key = self.key_field(raw.key.as_ref(), &top, "");
        let name = self.text_field(raw.name.as_ref(), &top, "", "name");
        let version = match &raw.version {
            Some(v) if *v.get_ref() < 1 => {
                self.err(&v.span(), "`version`: must be a positive integer".into());
                None
            }
            Some(v) => Some(Some(*v.get_ref())),
            None => Some(None),
        };
        let description = self.text_field(raw.description.as_ref(), &top, "", "description");
        let review_every = self.duration_field(raw.review_every.as_ref(), &top, "", "review_every");
        let last_reviewed = self.date_field(raw.last_reviewed.as_ref());
        let escalation = self.validate_escalation(raw);
        let steps = self.validate_steps(raw);
        Some(PlaybookDef {
            key: key?,
            name: name?,
            version: version?,
            description: description?,
            review_every_secs: review_every?,
            last_reviewed: last_reviewed?,
            escalation: escalation?,
            steps: steps?,
        })
    }

    fn validate_escalation(&mut self, raw: &RawPlaybook) -> Option<Vec<EscalationLevel>> {
        let Some(path) = &raw.escalation else {
            let top = self.top.clone();
            self.missing(
                &top,
                "",
                "escalation",
                ": the escalation path is empty (add at least one [[escalation]] level)",
            );
            return None;
        };
        if path.get_ref().is_empty() {
            self.err(
                &path.span(),
                "`escalation`: the escalation path is empty (add at least one level)".into(),
            );
            return None;
        }
        let mut levels = Some(Vec::new());
        let mut previous: Option<i64> = None;
        for (i, level) in path.get_ref().iter().enumerate() {
            let span = level.span();
            let context = format!("escalation level {}: ", i + 1);
            let raw = level.get_ref();
            let after = self.duration_field(raw.after.as_ref(), &span, &context, "after");
            if let (Some(after), Some(before), Some(field)) = (after, previous, &raw.after) {
                if after <= before {
                    self.err(
                        &field.span(),
                        format!(
                            "`after`: {} is not later than the previous level's {} \
                             (each level counts from when the alert opened)",
                            format_duration(after),
                            format_duration(before)
                        ),
                    );
                }
            }
            previous = after.or(previous);
            let target = match (&raw.role, &raw.person) {
                (Some(role), None) => self.role_field(role, "role").map(EscalationTarget::Role),
                (None, Some(person)) => self
                    .check_text(person, "person")
                    .map(EscalationTarget::Person),
                (Some(_), Some(person)) => {
                    self.err(
                        &person.span(),
                        format!("{context}set `role` or `person`, not both"),
                    );
                    None
                }
                (None, None) => {
                    if !self.was_removed(&span, "role") && !self.was_removed(&span, "person") {
                        self.err(&span, format!("{context}missing field `role` or `person`"));
                    }
                    None
                }
            };
            match (after, target, levels.as_mut()) {
                (Some(after_secs), Some(target), Some(levels)) => {
                    levels.push(EscalationLevel { after_secs, target })
                }
                _ => levels = None,
            }
        }
        levels
    }

    fn validate_steps(&mut self, raw: &RawPlaybook) -> Option<Vec<StepDef>> {
        let Some(steps) = &raw.step else {
            let top = self.top.clone();
            self.missing(&top, "", "step", ": no steps (add at least one [[step]])");
            return None;
        };
        if steps.get_ref().is_empty() {
            self.err(&steps.span(), "`step`: no steps (add at least one)".into());
            return None;
        }
        let count = steps.get_ref().len();
        let mut first_line_of_key: HashMap<String, usize> = HashMap::new();
        let mut out = Some(Vec::new());
        for (i, step) in steps.get_ref().iter().enumerate() {
            let span = step.span();
            let raw = step.get_ref();
            let label = match &raw.key {
                Some(k) => format!("step {} ('{}')", i + 1, shorten(k.get_ref())),
                None => format!("step {}", i + 1),
            };
            let context = format!("{label}: ");
            let key = self.key_field(raw.key.as_ref(), &span, &context);
            if let (Some(key), Some(k)) = (&key, &raw.key) {
                let line = self.line_of(k.span().start);
                if let Some(first) = first_line_of_key.get(key) {
                    self.err(
                        &k.span(),
                        format!(
                            "`key`: duplicate step key '{}' (first used on line {first})",
                            shorten(key)
                        ),
                    );
                } else {
                    first_line_of_key.insert(key.clone(), line);
                }
            }
            let title = self.text_field(raw.title.as_ref(), &span, &context, "title");
            let owner = match &raw.owner {
                Some(o) => self.role_field(o, "owner"),
                None => {
                    self.missing(&span, &context, "owner", "");
                    None
                }
            };
            let entry = self.text_field(raw.entry.as_ref(), &span, &context, "entry");
            let exit = self.text_field(raw.exit.as_ref(), &span, &context, "exit");
            let tolerance =
                self.duration_field(raw.tolerance.as_ref(), &span, &context, "tolerance");
            let handoff = match &raw.handoff {
                Some(h) => self.role_field(h, "handoff").map(Some),
                None if i + 1 == count => Some(None),
                None => {
                    self.missing(
                        &span,
                        &context,
                        "handoff",
                        " (only the last step may omit it)",
                    );
                    None
                }
            };
            let items = self.validate_items(raw.items.as_ref(), &span, &context, &label);
            let def = (|| {
                Some(StepDef {
                    key: key?,
                    title: title?,
                    owner: owner?,
                    entry: entry?,
                    exit: exit?,
                    tolerance_secs: tolerance?,
                    handoff: handoff?,
                    items: items?,
                })
            })();
            match (def, out.as_mut()) {
                (Some(def), Some(out)) => out.push(def),
                _ => out = None,
            }
        }
        out
    }

    fn validate_items(
        &mut self,
        items: Option<&Spanned<Vec<Spanned<String>>>>,
        step_span: &Range<usize>,
        context: &str,
        label: &str,
    ) -> Option<Vec<String>> {
        let Some(items) = items else {
            self.missing(step_span, context, "items", " (at least one check item)");
            return None;
        };
        if items.get_ref().is_empty() {
            self.err(
                &items.span(),
                format!("`items`: {label} has no check items (add at least one)"),
            );
            return None;
        }
        let mut seen: Vec<String> = Vec::new();
        let mut out = Some(Vec::new());
        for item in items.get_ref() {
            let text = self.check_text(item, "items");
            let normalised = normalise(item.get_ref());
            if let Some(n) = seen.iter().position(|s| *s == normalised) {
                self.err(
                    &item.span(),
                    format!(
                        "`items`: duplicate check item '{}' in {label} (same as item {})",
                        shorten(item.get_ref()),
                        n + 1
                    ),
                );
                out = None;
            }
            seen.push(normalised);
            match (text, out.as_mut()) {
                (Some(text), Some(out)) => out.push(text),
                _ => out = None,
            }
        }
        out
    }
}
