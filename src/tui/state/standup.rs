//! The standup's state (section, scroll, speaker, timer) and its part of `update`.

use crate::domain::Timestamp;
use crate::tui::action::{Action, Effect};
use crate::tui::app::App;

/// The standup's position.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StandupState {
    /// Current section, 0-based (`Space`/`→` goes to the next).
    pub section: usize,
    /// First line of the section shown (`j`/`k`, `PgDn`/`PgUp` scroll);
    /// back to 0 on another section.
    pub scroll: usize,
    /// How many speakers have had their turn (0 before the first `t`);
    /// the one speaking is [`StandupState::speaker_name`].
    pub speaker: usize,
    /// When the current speaker started (unix seconds, UTC); `None` before the first `t`.
    pub speaker_started: Option<Timestamp>,
}

impl StandupState {
    /// Who is speaking, from today's order (`None` before the first `t` or
    /// without people); after the last one the order starts again.
    pub fn speaker_name<'a>(&self, order: &'a [String]) -> Option<&'a str> {
        if self.speaker == 0 || order.is_empty() {
            return None;
        }
        Some(order[(self.speaker - 1) % order.len()].as_str())
    }

    /// Who speaks after the current speaker (the first before any `t`).
    pub fn next_name<'a>(&self, order: &'a [String]) -> Option<&'a str> {
        if order.is_empty() {
            return None;
        }
        Some(order[self.speaker % order.len()].as_str())
    }
}

/// The standup's part of `update`: next and previous section, scrolling,
/// next speaker.
pub fn update(app: &mut App, action: Action) -> Option<Effect> {
    let lines = crate::tui::views::standup::section_lines(&app.models, app.ui.standup.section);
    let n = crate::tui::views::standup::section_count(&app.models);
    let st = &mut app.ui.standup;
    let last = lines.saturating_sub(1);
    match action {
        Action::StandupNext => {
            let next = (st.section + 1).min(n.saturating_sub(1));
            if next != st.section {
                st.scroll = 0;
            }
            st.section = next;
        }
        Action::StandupPrev => {
            if st.section > 0 {
                st.scroll = 0;
            }
            st.section = st.section.saturating_sub(1);
        }
        Action::Move(d) => {
            let to = st.scroll as i64 + i64::from(d);
            st.scroll = to.clamp(0, last as i64) as usize;
        }
        Action::Top => st.scroll = 0,
        Action::Bottom => st.scroll = last,
        Action::NextSpeaker => {
            st.speaker += 1;
            st.speaker_started = Some(app.now);
        }
        _ => return None,
    }
    app.dirty = true;
    None
}
