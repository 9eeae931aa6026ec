//! Work items (orders, tickets, tasks) and the flow metrics derived from them.

use super::indicator::percentile;
use super::{Timestamp, DAY, HOUR};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How a closed work item ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Delivered as promised.
    Ok,
    /// Delivered, but not as specified (late is measured separately).
    Deviation,
    /// Delivered with a defect (wrong item, billing error).
    Defect,
    /// Cancelled: closed without delivery; left out of the rates.
    Cancelled,
}

impl Outcome {
    /// The word used in files and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Deviation => "deviation",
            Outcome::Defect => "defect",
            Outcome::Cancelled => "cancelled",
        }
    }
    /// Parses [`Self::as_str`].
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "ok" => Some(Outcome::Ok),
            "deviation" => Some(Outcome::Deviation),
            "defect" => Some(Outcome::Defect),
            "cancelled" => Some(Outcome::Cancelled),
            _ => None,
        }
    }
}

/// One order, support ticket or task.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkItem {
    /// `order`, `ticket`, `task`, ...
    pub kind: String,
    /// Identifier in the system it came from; unique per kind.
    pub external_id: String,
    /// The customer, if known (for repeat-purchase rates).
    pub customer: Option<String>,
    /// Urgency/complexity segment (`standard`, `express`, `b2b`).
    pub segment: Option<String>,
    /// When it arrived (unix seconds, UTC).
    pub opened_at: Timestamp,
    /// When it was promised to the customer (unix seconds, UTC); `None` without a promise, so never late.
    pub promised_at: Option<Timestamp>,
    /// When it was finished or cancelled (unix seconds, UTC); `None` while open.
    pub closed_at: Option<Timestamp>,
    /// How it ended: ok, deviation, defect or cancelled; `None` while open or unknown.
    pub outcome: Option<Outcome>,
    /// Satisfaction score 1–5, when the customer gave one.
    pub satisfaction: Option<f64>,
}

impl WorkItem {
    /// Hours from opened to closed, for closed items.
    pub(crate) fn cycle_hours(&self) -> Option<f64> {
        self.closed_at
            .map(|c| (c - self.opened_at) as f64 / HOUR as f64)
    }

    /// Whether a closed item met its promise; `None` without a promise or
    /// when still open or cancelled.
    pub fn on_time(&self) -> Option<bool> {
        if self.outcome == Some(Outcome::Cancelled) {
            return None;
        }
        Some(self.closed_at? <= self.promised_at?)
    }

    /// Closed and not cancelled: counts in the rates.
    pub(crate) fn delivered(&self) -> bool {
        self.closed_at.is_some() && self.outcome != Some(Outcome::Cancelled)
    }

    /// Open (work in progress) at time `t`.
    pub fn open_at(&self, t: Timestamp) -> bool {
        self.opened_at <= t && self.closed_at.is_none_or(|c| c > t)
    }
}

/// A metric that can be derived from work items, as named in indicator
/// definitions (`metric = "on_time"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Metric {
    /// Hours from opened to closed, per closed item.
    CycleTime,
    /// 100 when closed by the promised time, else 0, per closed item.
    OnTime,
    /// 100 when the outcome was a deviation, else 0.
    Deviation,
    /// 100 when the outcome was a defect, else 0.
    Defect,
    /// Items open, sampled daily and at `now`.
    Wip,
    /// 1 per closed item (use with `rate` for items per day).
    Throughput,
    /// Satisfaction score per item that has one.
    Satisfaction,
    /// 100 when the item's customer had an earlier item of the kind, else 0,
    /// per opened item.
    RepeatPurchase,
    /// Demand over capacity in percent, one value per *complete* UTC day
    /// keyed at the day's last second (needs the kind's capacity): a day
    /// still under way never counts as a full one.
    Utilisation,
}

impl Metric {
    /// Parses the metric name used in indicator definitions.
    pub fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "cycle_time" => Metric::CycleTime,
            "on_time" => Metric::OnTime,
            "deviation" => Metric::Deviation,
            "defect" => Metric::Defect,
            "wip" => Metric::Wip,
            "throughput" => Metric::Throughput,
            "satisfaction" => Metric::Satisfaction,
            "repeat_purchase" => Metric::RepeatPurchase,
            "utilisation" => Metric::Utilisation,
            _ => return None,
        })
    }
}

/// The `(at, value)` series of a metric over the items, for times in
/// `[from, to]`; aggregated afterwards like recorded observations.
/// `repeat` says, per item index, whether its customer had an earlier item
/// (only read for [`Metric::RepeatPurchase`]); `capacity_per_day` is needed
/// for [`Metric::Utilisation`].
pub(crate) fn metric_series(
    items: &[WorkItem],
    metric: Metric,
    from: Timestamp,
    to: Timestamp,
    repeat: &[bool],
    capacity_per_day: Option<f64>,
) -> Vec<(Timestamp, f64)> {
    let closed_in =
        |w: &WorkItem| w.delivered() && w.closed_at.is_some_and(|c| c >= from && c <= to);
    let pct = |b: bool| if b { 100.0 } else { 0.0 };
    match metric {
        Metric::CycleTime => items
            .iter()
            .filter(|w| closed_in(w))
            .filter_map(|w| Some((w.closed_at?, w.cycle_hours()?)))
            .collect(),
        Metric::OnTime => items
            .iter()
            .filter(|w| closed_in(w))
            .filter_map(|w| Some((w.closed_at?, pct(w.on_time()?))))
            .collect(),
        Metric::Deviation | Metric::Defect => {
            let want = if metric == Metric::Deviation {
                Outcome::Deviation
            } else {
                Outcome::Defect
            };
            items
                .iter()
                .filter(|w| closed_in(w))
                .filter_map(|w| Some((w.closed_at?, pct(w.outcome == Some(want)))))
                .collect()
        }
        Metric::Throughput => items
            .iter()
            .filter(|w| closed_in(w))
            .filter_map(|w| Some((w.closed_at?, 1.0)))
            .collect(),
        Metric::Satisfaction => items
            .iter()
            .filter(|w| closed_in(w))
            .filter_map(|w| Some((w.closed_at?, w.satisfaction?)))
            .collect(),
        Metric::RepeatPurchase => items
            .iter()
            .enumerate()
            .filter(|(_, w)| w.opened_at >= from && w.opened_at <= to)
            .map(|(i, w)| (w.opened_at, pct(repeat.get(i).copied().unwrap_or(false))))
            .collect(),
        Metric::Wip => wip_series(items, from, to),
        Metric::Utilisation => match capacity_per_day {
            Some(cap) if cap > 0.0 => complete_day_counts(items, from, to)
                .into_iter()
                .map(|(day, n)| (day, 100.0 * n as f64 / cap))
                .collect(),
            _ => Vec::new(),
        },
    }
}

/// Work in progress sampled at the end of each day in `[from, to)` and at `to`.
pub(crate) fn wip_series(
    items: &[WorkItem],
    from: Timestamp,
    to: Timestamp,
) -> Vec<(Timestamp, f64)> {
    let mut samples: Vec<Timestamp> = Vec::new();
    let mut t = from - from.rem_euclid(DAY) + DAY - 1;
    while t < to {
        if t >= from {
            samples.push(t);
        }
        t += DAY;
    }
    samples.push(to);
    samples
        .into_iter()
        .map(|s| (s, items.iter().filter(|w| w.open_at(s)).count() as f64))
        .collect()
}

/// [`wip_series`] plus a sample at `to - window_secs`, so that an
/// indicator's previous window ends with the WIP at exactly one window ago:
/// the trend compares WIP now with WIP at now − window, not with the last
/// end-of-day sample before it.
pub(crate) fn wip_points(
    items: &[WorkItem],
    from: Timestamp,
    to: Timestamp,
    window_secs: i64,
) -> Vec<(Timestamp, f64)> {
    let mut s = wip_series(items, from, to);
    let back = to - window_secs;
    if back >= from && !s.iter().any(|(t, _)| *t == back) {
        let n = items.iter().filter(|w| w.open_at(back)).count() as f64;
        let i = s.partition_point(|(t, _)| *t < back);
        s.insert(i, (back, n));
    }
    s
}

/// Items opened per *complete* UTC day, keyed by the day's last second, for
/// the days that end in `[from, to]` (days without demand count as 0). A
/// day still under way at `to` is left out, so a window ending mid-morning
/// reads the last full days rather than a partial one counted as full.
pub(crate) fn complete_day_counts(
    items: &[WorkItem],
    from: Timestamp,
    to: Timestamp,
) -> Vec<(Timestamp, u32)> {
    // Start of the first day ending at or after `from`, and of the last
    // day ending at or before `to`.
    let first = -((DAY - 1 - from).div_euclid(DAY)) * DAY;
    let last = (to + 1 - DAY).div_euclid(DAY) * DAY;
    if last < first {
        return Vec::new();
    }
    daily_counts(items, first, last + DAY - 1)
        .into_iter()
        .map(|(day, n)| (day + DAY - 1, n))
        .collect()
}

/// Capacity utilisation in percent over the window `(now - window_secs,
/// now]`: the mean of the [`Metric::Utilisation`] values of the complete days
/// in it. The one number behind both the capacity indicator (a `mean` over
/// the same points) and the Flow pane. `None` without capacity or without a
/// complete day in the window.
pub(crate) fn utilisation_pct(
    items: &[WorkItem],
    now: Timestamp,
    window_secs: i64,
    capacity_per_day: f64,
) -> Option<f64> {
    let days = metric_series(
        items,
        Metric::Utilisation,
        now - window_secs + 1,
        now,
        &[],
        Some(capacity_per_day),
    );
    super::indicator::aggregate(&days, super::indicator::Aggregation::Mean, window_secs)
}

/// Items opened per UTC day for the days in `[from, to]` (days without
/// demand count as 0), keyed by the day's start.
pub(crate) fn daily_counts(
    items: &[WorkItem],
    from: Timestamp,
    to: Timestamp,
) -> Vec<(Timestamp, u32)> {
    let first = from - from.rem_euclid(DAY);
    let mut days: BTreeMap<Timestamp, u32> = BTreeMap::new();
    let mut d = first;
    while d <= to {
        days.insert(d, 0);
        d += DAY;
    }
    for w in items {
        if w.opened_at >= first && w.opened_at <= to {
            *days
                .entry(w.opened_at - w.opened_at.rem_euclid(DAY))
                .or_insert(0) += 1;
        }
    }
    days.into_iter().collect()
}

/// Flow figures for one group of work items (a kind, or a kind and segment)
/// over a window ending at `now`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FlowSummary {
    /// Items open at `now`.
    pub wip: u32,
    /// Delivered (closed, not cancelled) in the window.
    pub closed: u32,
    /// Opened in the window.
    pub opened: u32,
    /// Median cycle time in hours of items closed in the window.
    pub cycle_p50_h: Option<f64>,
    /// 90th percentile cycle time in hours.
    pub cycle_p90_h: Option<f64>,
    /// Share (0–100 %) of closed items with a promise that met it.
    pub on_time_pct: Option<f64>,
    /// Share (0–100 %) of closed items that were deviations.
    pub deviation_pct: Option<f64>,
    /// Share (0–100 %) of closed items that were defects.
    pub defect_pct: Option<f64>,
    /// Items delivered per day over the window.
    pub throughput_per_day: f64,
    /// Mean satisfaction (1–5) of the closed items that have a score.
    pub mean_satisfaction: Option<f64>,
    /// Share (0–100 %) of items opened in the window whose customer ordered before.
    pub repeat_pct: Option<f64>,
}

/// Summarises `items` over `[now - window, now]`. `repeat` is as in
/// [`metric_series`].
pub fn summarize(
    items: &[WorkItem],
    repeat: &[bool],
    now: Timestamp,
    window_secs: i64,
) -> FlowSummary {
    let from = now - window_secs;
    let mean = |v: Vec<(Timestamp, f64)>| {
        if v.is_empty() {
            None
        } else {
            Some(v.iter().map(|(_, x)| x).sum::<f64>() / v.len() as f64)
        }
    };
    let cycles: Vec<f64> = metric_series(items, Metric::CycleTime, from, now, repeat, None)
        .into_iter()
        .map(|(_, v)| v)
        .collect();
    let closed = cycles.len() as u32;
    FlowSummary {
        wip: items.iter().filter(|w| w.open_at(now)).count() as u32,
        closed,
        opened: items
            .iter()
            .filter(|w| w.opened_at >= from && w.opened_at <= now)
            .count() as u32,
        cycle_p50_h: percentile(cycles.clone(), 0.5),
        cycle_p90_h: percentile(cycles, 0.9),
        on_time_pct: mean(metric_series(
            items,
            Metric::OnTime,
            from,
            now,
            repeat,
            None,
        )),
        deviation_pct: mean(metric_series(
            items,
            Metric::Deviation,
            from,
            now,
            repeat,
            None,
        )),
        defect_pct: mean(metric_series(
            items,
            Metric::Defect,
            from,
            now,
            repeat,
            None,
        )),
        throughput_per_day: closed as f64 / (window_secs as f64 / DAY as f64),
        mean_satisfaction: mean(metric_series(
            items,
            Metric::Satisfaction,
            from,
            now,
            repeat,
            None,
        )),
        repeat_pct: mean(metric_series(
            items,
            Metric::RepeatPurchase,
            from,
            now,
            repeat,
            None,
        )),
    }
}

/// For each item, whether its customer has an earlier item (by opened time,
/// then external id) in `items`. Items without a customer are never repeats.
pub fn repeat_flags(items: &[WorkItem]) -> Vec<bool> {
    let mut first: std::collections::HashMap<&str, (Timestamp, &str)> =
        std::collections::HashMap::new();
    for w in items {
        if let Some(c) = w.customer.as_deref() {
            let key = (w.opened_at, w.external_id.as_str());
            first
                .entry(c)
                .and_modify(|e| {
                    if key < *e {
                        *e = key
                    }
                })
                .or_insert(key);
        }
    }
    items
        .iter()
        .map(|w| match w.customer.as_deref() {
            Some(c) => first
                .get(c)
                .is_some_and(|f| *f != (w.opened_at, w.external_id.as_str())),
            None => false,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(
        id: &str,
        opened: i64,
        promised: Option<i64>,
        closed: Option<i64>,
        outcome: Option<Outcome>,
    ) -> WorkItem {
        WorkItem {
            kind: "order".into(),
            external_id: id.into(),
            customer: Some(format!("c-{id}")),
            segment: Some("standard".into()),
            opened_at: opened,
            promised_at: promised,
            closed_at: closed,
            outcome,
            satisfaction: None,
        }
    }

    #[test]
    fn summary_on_a_worked_example() {
        let now = 10 * DAY;
        let h = HOUR;
        let mut items = vec![
            // closed in window: cycle 10h on time, 20h late deviation, 30h on time defect, 40h on time ok
            item(
                "a",
                5 * DAY,
                Some(5 * DAY + 12 * h),
                Some(5 * DAY + 10 * h),
                Some(Outcome::Ok),
            ),
            item(
                "b",
                6 * DAY,
                Some(6 * DAY + 12 * h),
                Some(6 * DAY + 20 * h),
                Some(Outcome::Deviation),
            ),
            item(
                "c",
                7 * DAY,
                Some(7 * DAY + 48 * h),
                Some(7 * DAY + 30 * h),
                Some(Outcome::Defect),
            ),
            item(
                "d",
                8 * DAY,
                Some(8 * DAY + 48 * h),
                Some(8 * DAY + 40 * h),
                Some(Outcome::Ok),
            ),
            // cancelled: left out of the rates
            item(
                "e",
                8 * DAY,
                Some(9 * DAY),
                Some(9 * DAY),
                Some(Outcome::Cancelled),
            ),
            // open: WIP
            item("f", 9 * DAY, Some(11 * DAY), None, None),
            item("g", 9 * DAY + h, None, None, None),
            // closed before the window
            item("h", DAY, Some(2 * DAY), Some(DAY + h), Some(Outcome::Ok)),
        ];
        items[0].satisfaction = Some(5.0);
        items[1].satisfaction = Some(2.0);
        let repeat = vec![false; items.len()];
        let s = summarize(&items, &repeat, now, 7 * DAY);
        assert_eq!(s.wip, 2);
        assert_eq!(s.closed, 4);
        assert_eq!(s.opened, 7); // a..g opened from day 3 on
        assert_eq!(s.cycle_p50_h, Some(25.0));
        // p90 rank 2.7 over 10,20,30,40 -> 30 + 0.7*10 = 37
        assert!((s.cycle_p90_h.unwrap() - 37.0).abs() < 1e-9);
        assert_eq!(s.on_time_pct, Some(75.0));
        assert_eq!(s.deviation_pct, Some(25.0));
        assert_eq!(s.defect_pct, Some(25.0));
        assert!((s.throughput_per_day - 4.0 / 7.0).abs() < 1e-9);
        assert_eq!(s.mean_satisfaction, Some(3.5));
    }

    #[test]
    fn repeat_purchase_flags_second_orders_of_a_customer() {
        let mut a = item("1", 10, None, None, None);
        let mut b = item("2", 20, None, None, None);
        let mut c = item("3", 30, None, None, None);
        a.customer = Some("x".into());
        b.customer = Some("y".into());
        c.customer = Some("x".into());
        let items = vec![c, a, b];
        assert_eq!(repeat_flags(&items), vec![true, false, false]);
        let s = metric_series(
            &items,
            Metric::RepeatPurchase,
            0,
            100,
            &repeat_flags(&items),
            None,
        );
        let mean = s.iter().map(|p| p.1).sum::<f64>() / s.len() as f64;
        assert!((mean - 100.0 / 3.0).abs() < 1e-9);
    }

    #[test]
    fn utilisation_is_daily_demand_over_capacity() {
        let items: Vec<WorkItem> = (0..6)
            .map(|i| item(&i.to_string(), DAY + i * 60, None, None, None))
            .collect();
        let s = metric_series(
            &items,
            Metric::Utilisation,
            DAY,
            2 * DAY - 1,
            &[],
            Some(10.0),
        );
        assert_eq!(s, vec![(2 * DAY - 1, 60.0)]);
        assert!(metric_series(&items, Metric::Utilisation, DAY, DAY + 100, &[], None).is_empty());
    }

    #[test]
    fn a_day_under_way_is_not_counted_as_a_full_one() {
        // 6 orders on day 1, 2 so far on day 2 (by 08:00).
        let mut items: Vec<WorkItem> = (0..6)
            .map(|i| item(&i.to_string(), DAY + i * 60, None, None, None))
            .collect();
        items.push(item("a", 2 * DAY + 3600, None, None, None));
        items.push(item("b", 2 * DAY + 7200, None, None, None));
        let now = 2 * DAY + 8 * 3600;
        let s = metric_series(&items, Metric::Utilisation, DAY, now, &[], Some(10.0));
        assert_eq!(s, vec![(2 * DAY - 1, 60.0)]);
        // A one-day window ending mid-morning reads yesterday, not 20 %.
        assert_eq!(utilisation_pct(&items, now, DAY, 10.0), Some(60.0));
        // At the last second of day 2 the day is complete and counts.
        assert_eq!(utilisation_pct(&items, 3 * DAY - 1, DAY, 10.0), Some(20.0));
        assert_eq!(
            complete_day_counts(&items, 0, 3 * DAY - 1),
            vec![(DAY - 1, 0), (2 * DAY - 1, 6), (3 * DAY - 1, 2)]
        );
        // No complete day in the window: no value.
        assert_eq!(utilisation_pct(&items, 2 * DAY + 100, 50, 10.0), None);
    }

    #[test]
    fn wip_is_sampled_daily_and_now() {
        let items = vec![
            item("a", 0, None, Some(DAY + 10), None),
            item("b", DAY / 2, None, None, None),
        ];
        let s = wip_series(&items, 0, 2 * DAY);
        assert_eq!(s, vec![(DAY - 1, 2.0), (2 * DAY - 1, 1.0), (2 * DAY, 1.0)]);
    }

    #[test]
    fn wip_points_sample_exactly_one_window_back() {
        // Open from 02:00 on day 1 to 20:00 on day 1: counted at 12:00 on
        // day 1 but not at the end of day 0 nor at the end of day 1.
        let items = vec![item("a", DAY + 2 * HOUR, None, Some(DAY + 20 * HOUR), None)];
        let now = 2 * DAY + 12 * HOUR;
        let s = wip_points(&items, 0, now, DAY);
        assert!(s.contains(&(DAY + 12 * HOUR, 1.0)), "{s:?}");
        assert!(s.windows(2).all(|w| w[0].0 < w[1].0), "sorted: {s:?}");
        assert_eq!(s.last(), Some(&(now, 0.0)));
        // No duplicate when the window lands on a day-end sample.
        let s = wip_points(&items, 0, 2 * DAY - 1 + DAY, DAY);
        assert_eq!(s.iter().filter(|(t, _)| *t == 2 * DAY - 1).count(), 1);
    }

    #[test]
    fn on_time_needs_a_promise_and_a_close() {
        assert_eq!(item("a", 0, None, Some(5), None).on_time(), None);
        assert_eq!(item("a", 0, Some(5), None, None).on_time(), None);
        assert_eq!(item("a", 0, Some(5), Some(5), None).on_time(), Some(true));
        assert_eq!(item("a", 0, Some(5), Some(6), None).on_time(), Some(false));
    }
}
