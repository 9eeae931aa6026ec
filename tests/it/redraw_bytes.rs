//! Over SSH every byte counts: a redraw writes only the cells that changed.
//! Measures the bytes sent to the terminal for a full first frame, for a
//! frame where nothing changed and for one where one value changed.

use opsdeck::store::{indicators, Store};
use opsdeck::tui::action::Action;
use opsdeck::tui::app::View;
use opsdeck::tui::theme::Theme;
use ratatui::backend::CrosstermBackend;
use ratatui::layout::Rect;
use ratatui::{Terminal, TerminalOptions, Viewport};

const NOW: i64 = 1_795_510_800;

/// A terminal stand-in that counts the bytes written to it.
#[derive(Clone, Default)]
struct Counter(std::rc::Rc<std::cell::Cell<usize>>);

impl std::io::Write for Counter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.set(self.0.get() + buf.len());
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn one_changed_value_is_a_small_diff_and_no_change_writes_nothing() {
    let mut store = Store::open_in_memory_at("t", NOW).unwrap();
    opsdeck::demo::populate(&mut store, NOW).unwrap();
    let mut app = opsdeck::tui::loaded_app(&mut store, View::Cockpit, NOW, Theme { color: true });
    let counter = Counter::default();
    let backend = CrosstermBackend::new(counter.clone());
    let mut terminal = Terminal::with_options(
        backend,
        TerminalOptions {
            viewport: Viewport::Fixed(Rect::new(0, 0, 120, 40)),
        },
    )
    .unwrap();
    let draw = |terminal: &mut Terminal<CrosstermBackend<Counter>>,
                app: &opsdeck::tui::app::App|
     -> usize {
        let before = counter.0.get();
        terminal
            .draw(|f| opsdeck::tui::views::draw(f, app))
            .unwrap();
        counter.0.get() - before
    };
    let full = draw(&mut terminal, &app);
    let unchanged = draw(&mut terminal, &app);
    // One value changes (another process records trial-to-paid conversion).
    let id = store.indicator("trial_to_paid").unwrap().unwrap().id;
    store
        .write(|tx| {
            indicators::insert_observation(tx, id, NOW - 60, 30.0, None, indicators::Origin::Manual)
        })
        .unwrap();
    opsdeck::tui::dispatch(&mut store, &mut app, Action::DataChanged);
    let one = draw(&mut terminal, &app);
    eprintln!(
        "bytes at 120x40: first frame {full}, nothing changed {unchanged}, one value changed {one}"
    );
    assert!(full > 4_000, "a full frame is a full repaint ({full})");
    assert!(
        unchanged <= 32,
        "nothing changed: (almost) nothing written ({unchanged})"
    );
    assert!(
        one > 0 && one * 10 < full,
        "one value: a small diff ({one} of {full})"
    );
}
