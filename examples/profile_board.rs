//! Times the parts of the board load on the bench database (a development aid).
use std::time::Instant;
fn main() {
    let db = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "target/bench-data/bench-large.db".into());
    let now = 1_795_510_800;
    let store = opsdeck::store::Store::open_at(std::path::Path::new(&db), "p", now).unwrap();
    let inds = store.indicators().unwrap();
    for _ in 0..3 {
        let t = Instant::now();
        let mut rows = 0;
        for i in &inds {
            if i.def.source == opsdeck::domain::indicator::Source::Observations {
                rows += store
                    .observation_points(i.id, now - 2 * i.def.window_secs, now)
                    .unwrap()
                    .len();
            }
        }
        let obs = t.elapsed();
        let t = Instant::now();
        let k = store.work_items_since("order", now - 56 * 86_400).unwrap();
        let work = t.elapsed();
        let t = Instant::now();
        let _ = store.indicator_board(now).unwrap();
        let board = t.elapsed();
        let t = Instant::now();
        let _ = store.flow_model(now, 7 * 86_400).unwrap();
        let flow = t.elapsed();
        println!("obs {obs:?} ({rows} rows), order items {work:?} ({} items), board {board:?}, flow {flow:?}", k.items.len());
    }
}
