//! The Sources view's state: every data source in force, filtered by name,
//! kind or state, the selected one by name; `r` runs it now.

use crate::sources::run::SourceStatus;
use crate::tui::action::{Action, Effect};
use crate::tui::app::{matches_filter, App};
use crate::tui::list::Picker;

/// The Sources view's state.
#[derive(Debug, Clone, Default)]
pub struct SourcesState {
    /// Source names and their index in the model.
    pub list: Picker<String>,
}

impl SourcesState {
    /// Recomputes the rows; returns the selected name when no longer listed.
    pub fn recompute(&mut self, model: &[SourceStatus], filter: &str) -> Option<String> {
        let f = filter.to_lowercase();
        let rows = model
            .iter()
            .enumerate()
            .filter(|(_, s)| matches_filter(&f, &[&s.def.name, s.def.fetch.kind(), s.state_word()]))
            .map(|(i, s)| (s.def.name.clone(), i))
            .collect();
        self.list.set_rows(rows)
    }

    /// The listed sources, in order.
    pub fn rows<'m>(&self, model: &'m [SourceStatus]) -> Vec<&'m SourceStatus> {
        self.list
            .rows()
            .filter_map(|(_, i)| model.get(*i))
            .collect()
    }
}

/// The Sources view's part of `update`.
pub fn update(app: &mut App, action: Action) -> Option<Effect> {
    match action {
        Action::RunSource => {
            let Some(name) = app.ui.sources.list.selected().cloned() else {
                app.flash("no source to run: add a sources.toml to the definition folder and `opsdeck apply` it".into());
                return None;
            };
            if app.models.header.read_only {
                app.flash(format!(
                    "read-only: cannot run source {} (the cockpit was opened with --read-only or the file is not writable)",
                    crate::text::sanitize(&name)
                ));
                return None;
            }
            let running = app
                .models
                .sources
                .as_deref()
                .unwrap_or_default()
                .iter()
                .any(|s| s.def.name == name && s.running());
            if running {
                app.flash(format!(
                    "source {} is already running",
                    crate::text::sanitize(&name)
                ));
                return None;
            }
            Some(Effect::RunSource { name })
        }
        other => super::common(app, other),
    }
}
