//! View models computed from the store with the domain functions: the one
//! truth behind `status`, `check`, `snapshot` and every screen.

use super::work_items::KindItems;
use super::{Result, Store};
use crate::domain::capacity::{self, Capacity};
use crate::domain::flow::{self, FlowSummary, Metric};
use crate::domain::indicator::{
    aggregate, bucketed, status_of, trend, IndicatorDef, Source, Trend,
};
use crate::domain::{Status, Timestamp, DAY};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::Arc;

/// Buckets in an indicator's sparkline.
pub(crate) const SPARK_BUCKETS: usize = 16;

/// An indicator's value now, against its thresholds and the previous window.
#[derive(Debug, Clone, Serialize)]
pub struct Reading {
    /// Row id of the indicator.
    pub id: i64,
    /// The indicator's definition: key, name, unit, thresholds, window.
    pub def: IndicatorDef,
    /// Aggregated value over `(now - window, now]`.
    pub value: Option<f64>,
    /// The same over the window before.
    pub previous: Option<f64>,
    /// Status against the thresholds; [`Status::NoData`] while the window
    /// holds fewer than `min_events` values (see [`Reading::enough_data`]).
    pub status: Status,
    /// Direction of `value` against `previous`, judged by the indicator's direction (better or worse).
    pub trend: Trend,
    /// Number of values (observations, items, responses) behind `value`.
    pub events: usize,
    /// Values the window needs before the indicator has a status.
    pub min_events: usize,
    /// The window cut into [`SPARK_BUCKETS`] slices, oldest first (empty
    /// for an indicator read from its summaries by
    /// [`Store::indicator_board_totals`]).
    pub spark: Vec<Option<f64>>,
}

/// The indicator board at one time.
#[derive(Debug, Clone, Serialize)]
pub struct Board {
    /// The time the board was computed at (unix seconds, UTC); every window ends here.
    pub now: Timestamp,
    /// One reading per indicator, in the indicators' board order.
    pub readings: Vec<Reading>,
}

impl Reading {
    /// Whether the window holds at least `min_events` values.
    pub fn enough_data(&self) -> bool {
        self.events >= self.min_events
    }

    /// The status in words: `not enough data (3 of 5)` below `min_events`
    /// (with at least one value), else the status word.
    pub fn status_text(&self) -> String {
        if self.events > 0 && !self.enough_data() {
            format!("not enough data ({} of {})", self.events, self.min_events)
        } else {
            self.status.word().to_string()
        }
    }

    /// [`Reading::status_text`] for a narrow column: `3 of 5` below
    /// `min_events`.
    pub(crate) fn status_short(&self) -> String {
        if self.events > 0 && !self.enough_data() {
            format!("{} of {}", self.events, self.min_events)
        } else {
            self.status.word().to_string()
        }
    }
}

impl Board {
    /// Count of readings per status.
    pub fn count(&self, status: Status) -> usize {
        self.readings.iter().filter(|r| r.status == status).count()
    }
}

/// Capacity figures of one work kind.
#[derive(Debug, Clone, Serialize)]
pub struct CapacityReading {
    /// The kind's configured capacity and utilisation bands (from `operation.toml`).
    pub capacity: Capacity,
    /// Demand over capacity (0–1) over the flow window.
    pub utilisation: Option<f64>,
    /// Ok, warn or breach by the utilisation bands; no data when `utilisation` is `None`.
    pub band: Status,
    /// When the trend of daily utilisation crosses the warn band (`Some(now)`
    /// when it already has), within 90 days.
    pub warn_forecast: Option<Timestamp>,
}

/// Flow of one work kind, or of one segment of it.
#[derive(Debug, Clone, Serialize)]
pub struct FlowRow {
    /// Work kind (e.g. `order`), as on the work items.
    pub kind: String,
    /// `None` for the kind's total row.
    pub segment: Option<String>,
    /// Arrivals, completions, work in progress, lead times over the window.
    pub summary: FlowSummary,
    /// Only on the kind's total row.
    pub capacity: Option<CapacityReading>,
}

impl FlowRow {
    /// A kind's total row as the cockpit's Flow pane and the standup's work
    /// section show it: every kind but incident action items (kind
    /// `action`, no capacity), which the Work view lists on their own row.
    pub fn in_capacity_panes(&self) -> bool {
        self.segment.is_none() && self.kind != crate::domain::incident::ACTION_KIND
    }
}

/// The Work view: flow by kind and segment.
#[derive(Debug, Clone, Serialize)]
pub struct FlowModel {
    /// The time the model was computed at (unix seconds, UTC); the window ends here.
    pub now: Timestamp,
    /// Length of the flow window, in seconds.
    pub window_secs: i64,
    /// Each kind's total row, followed by its segments.
    pub rows: Vec<FlowRow>,
}

/// Work items per kind, shared by the loads of one refresh (the board and
/// the flow need the same rows): a kind loaded from an earlier time serves
/// any later `from`, since every consumer filters by time. Behind it, the
/// store keeps what it read between refreshes while the rows are unchanged
/// ([`Store::work_items_shared`]).
#[derive(Debug, Default)]
pub(crate) struct WorkCache(HashMap<String, (Timestamp, Arc<KindItems>)>);

impl WorkCache {
    /// Items of `kind` closed since `from` (or earlier) or still open.
    pub fn get(&mut self, store: &Store, kind: &str, from: Timestamp) -> Result<&KindItems> {
        let stale = self.0.get(kind).is_none_or(|(f, _)| *f > from);
        if stale {
            let items = store.work_items_shared(kind, from)?;
            self.0.insert(kind.to_string(), (from, items));
        }
        Ok(&self.0[kind].1)
    }
}

/// Points of an indicator in `[from, now]` from whatever feeds it.
struct Sources<'a, 'c> {
    store: &'a Store,
    work: &'c mut WorkCache,
    feedback: Option<Vec<super::feedback::FeedbackRow>>,
    capacities: Vec<Capacity>,
    /// The longest indicator window, read on first need.
    widest: Option<i64>,
}

impl Sources<'_, '_> {
    fn widest(&mut self) -> Result<i64> {
        if let Some(w) = self.widest {
            return Ok(w);
        }
        let w = self.store.indicators_widest_window()?;
        self.widest = Some(w);
        Ok(w)
    }

    fn points(
        &mut self,
        id: i64,
        def: &IndicatorDef,
        from: Timestamp,
        now: Timestamp,
    ) -> Result<Vec<(Timestamp, f64)>> {
        match def.source {
            Source::Observations => self.store.observation_points(id, from, now),
            Source::WorkItems => {
                let kind = def.work_kind.clone().unwrap_or_default();
                let Some(metric) = def.metric.as_deref().and_then(Metric::parse) else {
                    return Ok(Vec::new());
                };
                // Load once per kind, wide enough for every indicator of the
                // board (two windows of the longest: trend needs both).
                let widest = self.widest()?;
                let k = self.work.get(self.store, &kind, now - 2 * widest)?;
                let cap = self
                    .capacities
                    .iter()
                    .find(|c| c.work_kind == kind)
                    .map(|c| c.units_per_day);
                if metric == Metric::Wip {
                    return Ok(flow::wip_points(&k.items, from, now, def.window_secs));
                }
                Ok(flow::metric_series(
                    &k.items, metric, from, now, &k.repeat, cap,
                ))
            }
            Source::Feedback => {
                if self.feedback.is_none() {
                    let widest = self.widest()?;
                    self.feedback = Some(self.store.feedback_between(now - 2 * widest, now)?);
                }
                let metric = def.metric.clone().unwrap_or_default();
                Ok(self
                    .feedback
                    .iter()
                    .flatten()
                    .filter(|f| f.at >= from && f.at <= now)
                    .filter_map(|f| Some((f.at, f.metric(&metric)?)))
                    .collect())
            }
        }
    }
}

/// Reads one indicator from its points over two windows ending at `now`.
pub(crate) fn reading_from_points(
    id: i64,
    def: &IndicatorDef,
    points: &[(Timestamp, f64)],
    now: Timestamp,
) -> Reading {
    let w = def.window_secs;
    let start = now - w;
    let (current, previous): (Vec<_>, Vec<_>) = points.iter().partition(|(at, _)| *at > start);
    let previous: Vec<_> = previous
        .into_iter()
        .filter(|(at, _)| *at > start - w)
        .collect();
    let value = aggregate(&current, def.aggregation, w);
    let prev = aggregate(&previous, def.aggregation, w);
    let min_events = def.min_events() as usize;
    // Below min_events there is a value but no status (and so no alert).
    let status = if current.len() < min_events {
        Status::NoData
    } else {
        status_of(value, def.direction, def.warn, def.breach)
    };
    Reading {
        id,
        def: def.clone(),
        value,
        previous: prev,
        status,
        trend: trend(value, prev, def.direction),
        events: current.len(),
        min_events,
        spark: bucketed(&current, def.aggregation, start + 1, now + 1, SPARK_BUCKETS),
    }
}

impl Store {
    /// The longest indicator window, in seconds (at least a day).
    pub(crate) fn indicators_widest_window(&self) -> Result<i64> {
        let w: Option<i64> =
            self.conn()
                .query_row("SELECT max(window_secs) FROM indicators", [], |r| r.get(0))?;
        Ok(w.unwrap_or(DAY).max(DAY))
    }

    /// Every indicator read at `now`: value, status, trend and sparkline.
    pub fn indicator_board(&self, now: Timestamp) -> Result<Board> {
        self.indicator_board_cached(now, &mut WorkCache::default())
    }

    /// [`Store::indicator_board`] sharing loaded work items through `cache`.
    pub(crate) fn indicator_board_cached(
        &self,
        now: Timestamp,
        cache: &mut WorkCache,
    ) -> Result<Board> {
        self.indicator_board_of(now, cache, None, true)
    }

    /// The board without sparklines, for what shows none (`status`, the
    /// rules of `check`): an indicator read from its summaries then reads
    /// both windows from whole days, with hours and values only at their
    /// ends. Every [`Reading::spark`] of such an indicator is empty.
    pub fn indicator_board_totals(&self, now: Timestamp) -> Result<Board> {
        self.indicator_board_totals_cached(now, &mut WorkCache::default())
    }

    /// [`Store::indicator_board_totals`] sharing loaded work items through `cache`.
    pub(crate) fn indicator_board_totals_cached(
        &self,
        now: Timestamp,
        cache: &mut WorkCache,
    ) -> Result<Board> {
        self.indicator_board_of(now, cache, None, false)
    }

    /// The readings at `now` of the indicators with these keys only (the
    /// others are not read), in board order.
    pub(crate) fn indicator_readings(
        &self,
        now: Timestamp,
        keys: &std::collections::BTreeSet<String>,
    ) -> Result<Vec<Reading>> {
        Ok(self
            .indicator_board_of(now, &mut WorkCache::default(), Some(keys), true)?
            .readings)
    }

    fn indicator_board_of(
        &self,
        now: Timestamp,
        cache: &mut WorkCache,
        only: Option<&std::collections::BTreeSet<String>>,
        spark: bool,
    ) -> Result<Board> {
        let _snapshot = self.read_tx()?;
        let mut sources = Sources {
            store: self,
            work: cache,
            feedback: None,
            capacities: self.capacities_at(now)?,
            widest: None,
        };
        let mut readings = Vec::new();
        // Each indicator is read with the definition in force at `now`.
        let in_force = self.definitions_in_force(now)?;
        let indicators = self.indicators()?;
        // On a server every statement is a round trip: what each
        // indicator's reading asks is read for all of them at once.
        let _prefetched = if self.conn().is_pg() {
            let observed: Vec<(i64, i64)> = indicators
                .iter()
                .filter(|i| only.is_none_or(|keys| keys.contains(&i.def.key)))
                .filter_map(|i| {
                    let def = match in_force.get(&i.id) {
                        Some(Some(then)) => then,
                        Some(None) => return None,
                        None => &i.def,
                    };
                    (def.source == Source::Observations).then_some((i.id, def.window_secs))
                })
                .collect();
            Some(PrefetchGuard::start(self, now, &observed)?)
        } else {
            None
        };
        for ind in indicators {
            if only.is_some_and(|keys| !keys.contains(&ind.def.key)) {
                continue;
            }
            let def = match in_force.get(&ind.id) {
                None => &ind.def,
                Some(Some(then)) => then,
                Some(None) => continue,
            };
            if def.source == Source::Observations {
                if let Some(r) = self.reading_from_hours(ind.id, def, now, spark)? {
                    readings.push(r);
                    continue;
                }
            }
            let from = now - 2 * def.window_secs;
            let points = sources.points(ind.id, def, from, now)?;
            readings.push(reading_from_points(ind.id, def, &points, now));
        }
        Ok(Board { now, readings })
    }

    /// The full history of one indicator over `[from, now]`, for its chart.
    pub(crate) fn indicator_history(
        &self,
        id: i64,
        def: &IndicatorDef,
        from: Timestamp,
        now: Timestamp,
    ) -> Result<Vec<(Timestamp, f64)>> {
        let mut cache = WorkCache::default();
        if def.source == Source::WorkItems {
            cache.get(self, def.work_kind.as_deref().unwrap_or_default(), from)?;
        }
        let mut sources = Sources {
            store: self,
            work: &mut cache,
            feedback: None,
            capacities: self.capacities()?,
            widest: None,
        };
        if def.source == Source::Feedback {
            sources.feedback = Some(self.feedback_between(from, now)?);
        }
        sources.points(id, def, from, now)
    }

    /// Flow by work kind and segment over `window_secs` ending at `now`, with
    /// capacity bands and the forecast of the warn-band crossing (fitted on
    /// the last 28 full days of demand).
    pub fn flow_model(&self, now: Timestamp, window_secs: i64) -> Result<FlowModel> {
        self.flow_model_cached(now, window_secs, &mut WorkCache::default())
    }

    /// [`Store::flow_model`] sharing loaded work items through `cache`.
    pub(crate) fn flow_model_cached(
        &self,
        now: Timestamp,
        window_secs: i64,
        cache: &mut WorkCache,
    ) -> Result<FlowModel> {
        let capacities = self.capacities_at(now)?;
        let history = 28 * DAY;
        let mut rows = Vec::new();
        for kind in self.work_kinds()? {
            let k = cache.get(self, &kind, now - history.max(window_secs))?;
            let cap = capacities.iter().find(|c| c.work_kind == kind).cloned();
            let summary = flow::summarize(&k.items, &k.repeat, now, window_secs);
            let capacity = cap.map(|c| {
                // Complete days only, through the function behind the
                // capacity indicator: the pane and the board agree.
                let u = flow::utilisation_pct(&k.items, now, window_secs, c.units_per_day)
                    .map(|pct| pct / 100.0);
                let today = now - now.rem_euclid(DAY);
                let daily: Vec<(Timestamp, f64)> =
                    flow::daily_counts(&k.items, today - history, today - 1)
                        .into_iter()
                        .map(|(d, n)| (d, n as f64 / c.units_per_day))
                        .collect();
                CapacityReading {
                    band: capacity::band(u, &c),
                    warn_forecast: capacity::forecast_crossing(&daily, c.warn_at, now, 90),
                    utilisation: u,
                    capacity: c,
                }
            });
            rows.push(FlowRow {
                kind: kind.clone(),
                segment: None,
                summary,
                capacity,
            });
            let mut segments: Vec<String> =
                k.items.iter().filter_map(|w| w.segment.clone()).collect();
            segments.sort();
            segments.dedup();
            // Only items that can count in the window are copied per segment:
            // open, or closed within it (the cache holds weeks more).
            let from = now - window_secs;
            let counts = |w: &&flow::WorkItem| w.closed_at.is_none_or(|c| c >= from);
            for seg in segments {
                let (items, repeat): (Vec<_>, Vec<_>) = k
                    .items
                    .iter()
                    .zip(&k.repeat)
                    .filter(|(w, _)| counts(w) && w.segment.as_deref() == Some(seg.as_str()))
                    .map(|(w, r)| (w.clone(), *r))
                    .unzip();
                let summary = flow::summarize(&items, &repeat, now, window_secs);
                rows.push(FlowRow {
                    kind: kind.clone(),
                    segment: Some(seg),
                    summary,
                    capacity: None,
                });
            }
        }
        Ok(FlowModel {
            now,
            window_secs,
            rows,
        })
    }
}

/// Values `(at, id, value)` per indicator, in time order.
pub(crate) type ValuesById = std::collections::HashMap<i64, Vec<(Timestamp, i64, f64)>>;

/// What a board on PostgreSQL reads once for every indicator instead of
/// once per indicator: which indicators have stale summaries, their daily
/// counts over their two windows, and the values of their two windows for
/// the indicators read from values.
#[derive(Debug, Default)]
pub(crate) struct Prefetch {
    /// The indicators prefetched, each with where its days and values
    /// start (two of its windows back): any other indicator, or an earlier
    /// range, reads its own.
    pub from: std::collections::HashMap<i64, Timestamp>,
    /// Indicators with stale hour or day summaries.
    pub stale: std::collections::HashSet<i64>,
    /// `(day, n, hours)` per indicator, from the day of its `from`.
    pub days: std::collections::HashMap<i64, Vec<(Timestamp, i64, i64)>>,
    /// Values `(at, id, value)` per indicator from its `from`, in time order.
    pub points: Option<ValuesById>,
    /// Where `points` end.
    pub to: Timestamp,
}

/// Clears the store's prefetch when the board is read.
struct PrefetchGuard<'s> {
    store: &'s Store,
}

/// `(VALUES (id, window), ...) AS w(id, win)`: a list of integers written
/// into the statement's text (nothing else is), for a lateral join that
/// reads each indicator's own range from its index. The subquery's
/// `ORDER BY` (its index's order) keeps the planner from flattening it into
/// a plain join, which it plans as a hash join over the whole table. The
/// ranges are computed from `now`, a parameter: the text stays the same
/// from one reload to the next, and so does its prepared statement.
fn windows_sql(windows: &[(i64, i64)]) -> String {
    let rows = windows
        .iter()
        .map(|(id, w)| format!("(CAST({id} AS BIGINT), CAST({w} AS BIGINT))"))
        .collect::<Vec<_>>()
        .join(", ");
    format!("(VALUES {rows}) AS w(id, win)")
}

impl<'s> PrefetchGuard<'s> {
    /// Reads, for the observation indicators `(id, window)`, which have
    /// stale summaries, their days, and the values of those the board will
    /// read from values (see `reading_from_hours`), each over its own two
    /// windows only.
    fn start(
        store: &'s Store,
        now: Timestamp,
        observed: &[(i64, i64)],
    ) -> Result<PrefetchGuard<'s>> {
        if observed.is_empty() {
            return Ok(PrefetchGuard::install(store, Prefetch::default()));
        }
        let day = crate::domain::DAY;
        let floor = |t: Timestamp| t - t.rem_euclid(day);
        let from: std::collections::HashMap<i64, Timestamp> =
            observed.iter().map(|&(id, w)| (id, now - 2 * w)).collect();
        let conn = store.conn();
        let mut stale = std::collections::HashSet::new();
        {
            let mut stmt = conn.prepare_cached(
                "SELECT indicator_id FROM observation_hours_stale
                 UNION SELECT indicator_id FROM observation_days_stale",
            )?;
            for id in stmt.query_map([], |r| r.get::<_, i64>(0))? {
                stale.insert(id?);
            }
        }
        let mut days: std::collections::HashMap<i64, Vec<(Timestamp, i64, i64)>> =
            std::collections::HashMap::new();
        {
            // The day of `now - 2 * win`, as `floor` computes it.
            let mut stmt = conn.prepare(&format!(
                "SELECT w.id, d.day, d.n, d.hours FROM {}
                  CROSS JOIN LATERAL (SELECT day, n, hours FROM observation_days
                                       WHERE indicator_id = w.id
                                         AND day >= (?1 - 2 * w.win) - (((?1 - 2 * w.win) % 86400) + 86400) % 86400
                                       ORDER BY day) d",
                windows_sql(observed)
            ))?;
            for row in stmt.query_map([now], |r| {
                Ok((r.get::<_, i64>(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })? {
                let (id, day, n, hours) = row?;
                days.entry(id).or_default().push((day, n, hours));
            }
        }
        let mut prefetch = Prefetch {
            from,
            stale,
            days,
            points: None,
            to: now,
        };
        // The indicators whose reading falls back to their values, as
        // `reading_from_hours` decides: stale, few values, or sparse.
        let from_values: Vec<(i64, i64)> = observed
            .iter()
            .filter(|(id, w)| {
                let (lo, hi) = (now - 2 * w + 1, now + 1);
                let (lo_day, hi_day) = (floor(lo), floor(hi - 1) + day);
                let (mut n, mut hours) = (0i64, 0i64);
                for &(d, dn, dh) in prefetch.days.get(id).map(Vec::as_slice).unwrap_or_default() {
                    if d >= lo_day && d < hi_day {
                        n += dn;
                        hours += dh;
                    }
                }
                prefetch.stale.contains(id)
                    || (n as u64) < super::hours::EXACT_BELOW
                    || hours * 4 > n
            })
            .copied()
            .collect();
        let mut points = ValuesById::new();
        for (id, _) in &from_values {
            points.insert(*id, Vec::new());
        }
        if !from_values.is_empty() {
            let mut stmt = conn.prepare(&format!(
                "SELECT w.id, o.at, o.id, o.value FROM {}
                  CROSS JOIN LATERAL (SELECT at, id, value FROM observations
                                       WHERE indicator_id = w.id AND at >= ?1 - 2 * w.win AND at <= ?1
                                       ORDER BY at) o",
                windows_sql(&from_values)
            ))?;
            for row in stmt.query_map([now], |r| {
                Ok((r.get::<_, i64>(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })? {
                let (ind, at, oid, v) = row?;
                points.entry(ind).or_default().push((at, oid, v));
            }
            for v in points.values_mut() {
                v.sort_by_key(|p| (p.0, p.1));
            }
        }
        prefetch.points = Some(points);
        Ok(PrefetchGuard::install(store, prefetch))
    }

    fn install(store: &'s Store, prefetch: Prefetch) -> PrefetchGuard<'s> {
        *store.prefetch.borrow_mut() = Some(prefetch);
        PrefetchGuard { store }
    }
}

impl Drop for PrefetchGuard<'_> {
    fn drop(&mut self) {
        *self.store.prefetch.borrow_mut() = None;
    }
}

impl Store {
    /// The prefetched answer to "are this indicator's summaries stale, and
    /// how many values and hours do its days in `[lo_day, hi_day)` hold",
    /// when a board on a server is being read.
    pub(crate) fn prefetched_days(
        &self,
        id: i64,
        lo_day: Timestamp,
        hi_day: Timestamp,
    ) -> Option<(bool, i64, i64)> {
        let p = self.prefetch.borrow();
        let p = p.as_ref()?;
        let from = *p.from.get(&id)?;
        if lo_day < from - from.rem_euclid(crate::domain::DAY) {
            return None;
        }
        let (mut n, mut hours) = (0, 0);
        for &(day, dn, dh) in p.days.get(&id).map(Vec::as_slice).unwrap_or_default() {
            if day >= lo_day && day < hi_day {
                n += dn;
                hours += dh;
            }
        }
        Some((p.stale.contains(&id), n, hours))
    }

    /// The prefetched values of an indicator in `[from, to]` (read for
    /// every indicator at once on first need), when a board on a server is
    /// being read and the range is within the prefetched one.
    pub(crate) fn prefetched_points(
        &self,
        id: i64,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Option<Vec<(Timestamp, i64, f64)>>> {
        let (p_from, p_to, loaded) = match self.prefetch.borrow().as_ref() {
            None => return Ok(None),
            Some(p) => match p.from.get(&id) {
                None => return Ok(None),
                Some(&from) => (from, p.to, p.points.is_some()),
            },
        };
        if from < p_from || to > p_to {
            return Ok(None);
        }
        if !loaded {
            return Ok(None);
        }
        // An indicator read from values has its values here; one that was
        // expected to read from its summaries and did not (they changed in
        // between: never inside the board's snapshot) reads its own.
        let p = self.prefetch.borrow();
        let Some(all) = p.as_ref().and_then(|p| p.points.as_ref()) else {
            return Ok(None);
        };
        let Some(v) = all.get(&id) else {
            return Ok(None);
        };
        Ok(Some(
            v.iter()
                .filter(|(at, _, _)| *at >= from && *at <= to)
                .copied()
                .collect(),
        ))
    }
}
