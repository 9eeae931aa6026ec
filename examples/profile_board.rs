//! Repeats one piece of the cockpit's work on a database, for `perf record`
//! (a development aid):
//! `profile_board DB [board|obs|work|check|flow|load:VIEW|frame:VIEW] [N]`
//! prints the median time of N runs (default 50).
use opsdeck::tui::app::View;
use opsdeck::tui::theme::Theme;
use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let db = args
        .next()
        .unwrap_or_else(|| "target/bench-data/bench-v2-large.db".into());
    let what = args.next().unwrap_or_else(|| "board".into());
    let n: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(50);
    let now = std::env::var("OPSDECK_NOW")
        .ok()
        .and_then(|t| opsdeck::ingest::parse_time(&t).ok())
        .unwrap_or(1_795_510_800);
    let mut store = opsdeck::store::Store::open_at(std::path::Path::new(&db), "p", now).unwrap();
    let policy = opsdeck::store::alerts::AlertPolicy::default();
    let mut times = Vec::new();
    for _ in 0..n {
        let t = Instant::now();
        match what.split_once(':') {
            None if what == "board" => drop(store.indicator_board(now).unwrap()),
            None if what == "obs" => {
                for i in store.indicators().unwrap() {
                    if i.def.source == opsdeck::domain::indicator::Source::Observations {
                        let from = now - 2 * i.def.window_secs;
                        drop(store.observation_points(i.id, from, now).unwrap());
                    }
                }
            }
            None if what == "work" => {
                drop(store.work_items_since("order", now - 56 * 86_400).unwrap());
                drop(store.work_items_since("ticket", now - 56 * 86_400).unwrap());
            }
            None if what == "flow" => drop(store.flow_model(now, 7 * 86_400).unwrap()),
            None if what == "check" => drop(
                store
                    .write_with_reads(|s, tx| {
                        opsdeck::store::alerts::evaluate_rules(s, tx, now, &policy)
                    })
                    .unwrap(),
            ),
            Some(("load", view)) => {
                let app =
                    opsdeck::tui::app::App::new(View::parse(view).unwrap(), now, Theme::mono());
                drop(opsdeck::tui::models::load(&store, app.needs(), now).unwrap());
            }
            Some(("frame", view)) => {
                let app = opsdeck::tui::loaded_app(
                    &mut store,
                    View::parse(view).unwrap(),
                    now,
                    Theme::mono(),
                );
                drop(opsdeck::tui::render_to_text(&app, 200, 60));
            }
            _ => panic!("what: board, obs, work, check, flow, load:VIEW or frame:VIEW"),
        }
        times.push(t.elapsed());
    }
    times.sort();
    println!("{what}: median {:?} over {n}", times[n / 2]);
}
