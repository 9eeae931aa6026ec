//! Mergeable summaries of many values: what the store keeps per indicator
//! and hour so that a window of millions of values is read as a few hundred
//! summaries instead of every value.
//!
//! A [`Summary`] holds the count, sum, minimum, maximum, the latest value
//! and a [`Sketch`] of the distribution. Merging two summaries gives the
//! summary of both sets of values; count, sum, min, max and last are exact,
//! the quantiles come from the sketch.
//!
//! The [`Sketch`] is the DDSketch of Masson, Rim and Lee (VLDB 2019): each
//! value `x` counts in the bin `ceil(log_γ |x|)` with `γ = (1 + α) / (1 − α)`,
//! one set of bins for positive and one for negative values, and values
//! closer to zero than [`ZERO_BELOW`] count as zero. A bin's value is
//! `2γ^i / (γ + 1)`, within `α` (relative) of every value in the bin: so a
//! quantile read from the sketch is within [`RELATIVE_ERROR`] (1 %) of the
//! value at the same rank. Between two ranks it interpolates linearly, as
//! [`super::indicator::percentile`] does, and stays within 1 % of the exact
//! answer when the two neighbouring values have the same sign.
//!
//! Why our own and not a crate: the sketch is stored in the database, so
//! its encoding is part of opsdeck's file format and must not change with
//! a dependency's release. `sketches-ddsketch` only offers serde of its
//! internal structs (no documented format, and it would need another
//! serializer crate); `sketches-rust` has a binary format but little use.
//! The algorithm is 150 lines and is tested against exact quantiles.

use super::indicator::Aggregation;
use super::{Timestamp, DAY};

/// The relative accuracy `α` of every quantile read from a [`Sketch`].
pub const RELATIVE_ERROR: f64 = 0.01;

/// Values with a magnitude below this count as zero in a [`Sketch`].
pub const ZERO_BELOW: f64 = 1e-9;

/// Magnitudes above this are counted in the bin of this value: far beyond
/// every plausible measure (values above 1e15 need `--force` to be stored).
const LARGEST: f64 = 1e18;

/// The format byte at the start of an encoded sketch.
const FORMAT: u8 = 1;

fn gamma() -> f64 {
    (1.0 + RELATIVE_ERROR) / (1.0 - RELATIVE_ERROR)
}

/// Bins of one sign: counts of consecutive bin indexes from `offset`.
#[derive(Debug, Clone, Default, PartialEq)]
struct Bins {
    offset: i32,
    counts: Vec<u64>,
}

impl Bins {
    fn add(&mut self, index: i32, count: u64) {
        if self.counts.is_empty() {
            self.offset = index;
            self.counts.push(count);
            return;
        }
        if index < self.offset {
            let grow = (self.offset - index) as usize;
            self.counts.splice(0..0, std::iter::repeat_n(0, grow));
            self.offset = index;
        }
        let at = (index - self.offset) as usize;
        if at >= self.counts.len() {
            self.counts.resize(at + 1, 0);
        }
        self.counts[at] += count;
    }

    fn merge(&mut self, other: &Bins) {
        if other.counts.is_empty() {
            return;
        }
        if self.counts.is_empty() {
            *self = other.clone();
            return;
        }
        let lo = self.offset.min(other.offset);
        let hi =
            (self.offset + self.counts.len() as i32).max(other.offset + other.counts.len() as i32);
        if lo < self.offset {
            let grow = (self.offset - lo) as usize;
            self.counts.splice(0..0, std::iter::repeat_n(0, grow));
            self.offset = lo;
        }
        self.counts.resize((hi - lo) as usize, 0);
        let start = (other.offset - lo) as usize;
        for (slot, c) in self.counts[start..].iter_mut().zip(&other.counts) {
            *slot += c;
        }
    }

    fn total(&self) -> u64 {
        self.counts.iter().sum()
    }
}

/// A mergeable summary of a distribution with a relative error bound (see
/// the module documentation).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sketch {
    positive: Bins,
    negative: Bins,
    zero: u64,
}

impl Sketch {
    fn index(magnitude: f64) -> i32 {
        (magnitude.min(LARGEST).ln() / gamma().ln()).ceil() as i32
    }

    fn value_of(index: i32) -> f64 {
        let g = gamma();
        2.0 * g.powi(index) / (g + 1.0)
    }

    /// Counts `value` (NaN is ignored).
    pub fn add(&mut self, value: f64) {
        if value.is_nan() {
            return;
        }
        if value.abs() < ZERO_BELOW {
            self.zero += 1;
        } else if value > 0.0 {
            self.positive.add(Self::index(value), 1);
        } else {
            self.negative.add(Self::index(-value), 1);
        }
    }

    /// Adds every value counted in `other`.
    pub fn merge(&mut self, other: &Sketch) {
        self.positive.merge(&other.positive);
        self.negative.merge(&other.negative);
        self.zero += other.zero;
    }

    /// Adds every value counted in the sketch `bytes` encodes (as
    /// [`Sketch::encode`] wrote it), without building it first: what the
    /// board does with hundreds of stored sketches. `None` (and `self`
    /// unchanged) for anything else.
    pub fn merge_encoded(&mut self, bytes: &[u8]) -> Option<()> {
        let (&format, mut rest) = bytes.split_first()?;
        if format != FORMAT {
            return None;
        }
        // Checked whole before anything is added.
        let zero = get_varint(&mut rest)?;
        let mut parts: [(i32, &[u8], usize); 2] = [(0, &[], 0); 2];
        for part in &mut parts {
            let offset = unzigzag(get_varint(&mut rest)?)?;
            let len = usize::try_from(get_varint(&mut rest)?).ok()?;
            let start = rest;
            for _ in 0..len {
                get_varint(&mut rest)?;
            }
            let used = start.len() - rest.len();
            *part = (offset, &start[..used], len);
        }
        if !rest.is_empty() {
            return None;
        }
        self.zero += zero;
        for ((offset, mut counts, len), bins) in parts
            .into_iter()
            .zip([&mut self.positive, &mut self.negative])
        {
            if len == 0 {
                continue;
            }
            // Make room for the whole range once, then add in place.
            bins.add(offset, 0);
            bins.add(offset + len as i32 - 1, 0);
            let base = (offset - bins.offset) as usize;
            for slot in &mut bins.counts[base..base + len] {
                *slot += get_varint(&mut counts)?;
            }
        }
        Some(())
    }

    /// Number of values counted.
    pub fn count(&self) -> u64 {
        self.positive.total() + self.negative.total() + self.zero
    }

    /// The value at 0-based `rank` (`0..count`), within `α` of the exact one.
    fn at_rank(&self, rank: u64) -> Option<f64> {
        let mut seen = 0u64;
        // Negative values, most negative (highest index) first.
        for (i, c) in self.negative.counts.iter().enumerate().rev() {
            seen += c;
            if rank < seen {
                return Some(-Self::value_of(self.negative.offset + i as i32));
            }
        }
        seen += self.zero;
        if rank < seen {
            return Some(0.0);
        }
        for (i, c) in self.positive.counts.iter().enumerate() {
            seen += c;
            if rank < seen {
                return Some(Self::value_of(self.positive.offset + i as i32));
            }
        }
        None
    }

    /// The `q` quantile (0..=1), interpolated linearly between the closest
    /// ranks like [`super::indicator::percentile`]. `None` when empty.
    pub fn quantile(&self, q: f64) -> Option<f64> {
        let n = self.count();
        if n == 0 {
            return None;
        }
        let rank = q.clamp(0.0, 1.0) * (n - 1) as f64;
        let (lo, hi) = (rank.floor() as u64, rank.ceil() as u64);
        let (a, b) = (self.at_rank(lo)?, self.at_rank(hi)?);
        Some(a + (b - a) * (rank - lo as f64))
    }

    /// The compact encoding stored in the database: a format byte, the zero
    /// count, then for the positive and the negative bins the offset, the
    /// number of bins and each count, all as LEB128 varints (offsets
    /// zigzag-encoded).
    pub fn encode(&self) -> Vec<u8> {
        let mut out = vec![FORMAT];
        put_varint(&mut out, self.zero);
        for bins in [&self.positive, &self.negative] {
            put_varint(&mut out, zigzag(bins.offset));
            put_varint(&mut out, bins.counts.len() as u64);
            for c in &bins.counts {
                put_varint(&mut out, *c);
            }
        }
        out
    }

    /// Reads what [`Sketch::encode`] wrote; `None` for anything else.
    pub fn decode(bytes: &[u8]) -> Option<Sketch> {
        let (&format, mut rest) = bytes.split_first()?;
        if format != FORMAT {
            return None;
        }
        let zero = get_varint(&mut rest)?;
        let read_bins = |rest: &mut &[u8]| -> Option<Bins> {
            let offset = unzigzag(get_varint(rest)?)?;
            let len = usize::try_from(get_varint(rest)?).ok()?;
            if len > rest.len() {
                return None;
            }
            let counts = (0..len)
                .map(|_| get_varint(rest))
                .collect::<Option<Vec<u64>>>()?;
            Some(Bins { offset, counts })
        };
        let positive = read_bins(&mut rest)?;
        let negative = read_bins(&mut rest)?;
        rest.is_empty().then_some(Sketch {
            positive,
            negative,
            zero,
        })
    }
}

fn zigzag(v: i32) -> u64 {
    ((v << 1) ^ (v >> 31)) as u32 as u64
}

fn unzigzag(v: u64) -> Option<i32> {
    let v = u32::try_from(v).ok()?;
    Some(((v >> 1) as i32) ^ -((v & 1) as i32))
}

fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn get_varint(input: &mut &[u8]) -> Option<u64> {
    let mut v = 0u64;
    for shift in (0..64).step_by(7) {
        let (&b, rest) = input.split_first()?;
        *input = rest;
        v |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return Some(v);
        }
    }
    None
}

/// The latest value of a set: the greatest time, and among equal times the
/// greatest row id (the value recorded last).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Latest {
    /// When the value was observed.
    pub at: Timestamp,
    /// Row id of the observation (later rows win ties).
    pub id: i64,
    /// The value.
    pub value: f64,
}

/// Count, sum, extremes, latest value and sketch of a set of values.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Summary {
    /// Number of values.
    pub count: u64,
    /// Their sum.
    pub sum: f64,
    /// The smallest (meaningless when `count` is 0).
    pub min: f64,
    /// The largest (meaningless when `count` is 0).
    pub max: f64,
    /// The latest value (`None` when empty, or when the reader of stored
    /// summaries did not need it: only `last` reads it).
    pub last: Option<Latest>,
    /// Their distribution.
    pub sketch: Sketch,
}

impl Summary {
    /// Adds one observation.
    pub fn add(&mut self, at: Timestamp, id: i64, value: f64) {
        self.merge_parts(1, value, value, value, Some(Latest { at, id, value }));
        self.sketch.add(value);
    }

    /// Adds `count` values with this sum, minimum, maximum and latest value
    /// (`None`: not known, the latest stays as it is); their sketch is the
    /// caller's to merge.
    pub fn merge_parts(&mut self, count: u64, sum: f64, min: f64, max: f64, last: Option<Latest>) {
        if count == 0 {
            return;
        }
        if self.count == 0 {
            self.min = min;
            self.max = max;
        } else {
            self.min = self.min.min(min);
            self.max = self.max.max(max);
        }
        self.count += count;
        self.sum += sum;
        if let Some(last) = last {
            if self.last.is_none_or(|l| (last.at, last.id) > (l.at, l.id)) {
                self.last = Some(last);
            }
        }
    }

    /// Adds every value of `other`.
    pub fn merge(&mut self, other: &Summary) {
        if other.count == 0 {
            return;
        }
        self.merge_parts(other.count, other.sum, other.min, other.max, other.last);
        self.sketch.merge(&other.sketch);
    }

    /// The window's value by `aggregation`, as
    /// [`super::indicator::aggregate`] computes it from every value: exact
    /// for last, mean, sum and rate; p50 and p90 from the sketch (within
    /// [`RELATIVE_ERROR`]). `None` when empty.
    pub fn aggregate(&self, aggregation: Aggregation, window_secs: i64) -> Option<f64> {
        if self.count == 0 {
            return None;
        }
        match aggregation {
            Aggregation::Last => self.last.map(|l| l.value),
            Aggregation::Mean => Some(self.sum / self.count as f64),
            Aggregation::Sum => Some(self.sum),
            Aggregation::Rate => Some(self.sum / (window_secs as f64 / DAY as f64)),
            Aggregation::P50 => self.sketch.quantile(0.5),
            Aggregation::P90 => self.sketch.quantile(0.9),
        }
    }
}

/// Where the values of `[from, to)` come from: whole hours from the hourly
/// summaries, the partial hours at either end from the values themselves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cover {
    /// Values before the first whole hour: `[from, hours.0)`.
    pub head: (Timestamp, Timestamp),
    /// Whole hours, `[hours.0, hours.1)` (empty when `hours.0 == hours.1`).
    pub hours: (Timestamp, Timestamp),
    /// Values after the last whole hour: `[hours.1, to)`.
    pub tail: (Timestamp, Timestamp),
}

/// The [`Cover`] of `[from, to)` with buckets of `bucket` seconds aligned
/// on multiples of it.
pub fn cover(from: Timestamp, to: Timestamp, bucket: i64) -> Cover {
    let up = (from + bucket - 1).div_euclid(bucket) * bucket;
    let down = to.div_euclid(bucket) * bucket;
    if up >= down {
        return Cover {
            head: (from, to),
            hours: (to, to),
            tail: (to, to),
        };
    }
    Cover {
        head: (from, up),
        hours: (up, down),
        tail: (down, to),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::indicator::{aggregate, percentile};
    use crate::domain::test_rng::Rng;

    fn values(seed: u64, n: usize) -> Vec<f64> {
        let mut rng = Rng::new(seed);
        (0..n)
            .map(|i| match i % 5 {
                0 => 50.0 + 10.0 * rng.normal(),
                1 => 1000.0 * rng.unit(),
                2 => -20.0 * rng.unit(),
                3 => 0.0,
                _ => (3.0 * rng.normal()).exp(),
            })
            .collect()
    }

    #[test]
    fn merging_an_encoded_sketch_is_merging_the_sketch() {
        let mut parts = Vec::new();
        for seed in 0..6 {
            let mut s = Sketch::default();
            values(seed, 300 + 50 * seed as usize)
                .iter()
                .for_each(|v| s.add(*v));
            parts.push(s);
        }
        parts.push(Sketch::default());
        let mut by_value = Sketch::default();
        let mut by_bytes = Sketch::default();
        for p in &parts {
            by_value.merge(p);
            by_bytes.merge_encoded(&p.encode()).unwrap();
        }
        assert_eq!(by_bytes.count(), by_value.count());
        for q in [0.0, 0.1, 0.5, 0.9, 0.99, 1.0] {
            assert_eq!(by_bytes.quantile(q), by_value.quantile(q), "q {q}");
        }
        // Anything else is refused and leaves the sketch as it was.
        let before = by_bytes.clone();
        let mut bad = parts[1].encode();
        bad.truncate(bad.len() - 1);
        assert!(by_bytes.merge_encoded(&bad).is_none());
        assert!(by_bytes.merge_encoded(&[9, 0]).is_none());
        assert_eq!(by_bytes, before);
    }

    #[test]
    fn every_quantile_is_within_one_percent_of_the_value_at_its_rank() {
        let vals = values(11, 20_000);
        let mut s = Sketch::default();
        vals.iter().for_each(|v| s.add(*v));
        let mut sorted = vals.clone();
        sorted.sort_by(|a, b| a.total_cmp(b));
        for rank in (0..sorted.len()).step_by(37) {
            let exact = sorted[rank];
            let est = s.at_rank(rank as u64).unwrap();
            assert!(
                (est - exact).abs() <= RELATIVE_ERROR * exact.abs() + ZERO_BELOW,
                "rank {rank}: {est} vs {exact}"
            );
        }
    }

    #[test]
    fn p50_and_p90_agree_with_the_exact_percentile_within_the_bound() {
        // The fixed dataset of the board: positive, continuous values.
        let mut rng = Rng::new(5);
        let vals: Vec<f64> = (0..50_000)
            .map(|_| (40.0 + 12.0 * rng.normal()).max(0.5))
            .collect();
        let mut whole = Summary::default();
        // Merged from 100 pieces, as the store merges hours.
        for (k, chunk) in vals.chunks(500).enumerate() {
            let mut part = Summary::default();
            for (j, v) in chunk.iter().enumerate() {
                part.add((k * 500 + j) as i64, (k * 500 + j) as i64, *v);
            }
            whole.merge(&part);
        }
        for (agg, q) in [(Aggregation::P50, 0.5), (Aggregation::P90, 0.9)] {
            let exact = percentile(vals.clone(), q).unwrap();
            let est = whole.aggregate(agg, DAY).unwrap();
            assert!(
                (est - exact).abs() <= RELATIVE_ERROR * exact,
                "{agg:?}: {est} vs exact {exact}"
            );
        }
    }

    #[test]
    fn merged_summaries_are_exact_for_count_sum_extremes_and_last() {
        let vals = values(3, 5_000);
        let pts: Vec<(Timestamp, f64)> = vals
            .iter()
            .enumerate()
            .map(|(i, v)| ((i as i64 * 7919) % 3_000, *v))
            .collect();
        let mut merged = Summary::default();
        for chunk in pts.chunks(333).enumerate() {
            let mut part = Summary::default();
            for (j, (at, v)) in chunk.1.iter().enumerate() {
                part.add(*at, (chunk.0 * 333 + j) as i64, *v);
            }
            merged.merge(&part);
        }
        for agg in [
            Aggregation::Last,
            Aggregation::Mean,
            Aggregation::Sum,
            Aggregation::Rate,
        ] {
            let exact = aggregate(&pts, agg, 7 * DAY).unwrap();
            let got = merged.aggregate(agg, 7 * DAY).unwrap();
            assert!(
                (got - exact).abs() <= 1e-9 * exact.abs().max(1.0),
                "{agg:?}"
            );
        }
        assert_eq!(merged.count, 5_000);
        let min = vals.iter().cloned().fold(f64::INFINITY, f64::min);
        assert_eq!(merged.min, min);
    }

    #[test]
    fn the_encoding_round_trips_and_refuses_garbage() {
        let mut s = Sketch::default();
        values(9, 3_000).iter().for_each(|v| s.add(*v));
        s.add(f64::NAN);
        s.add(1e300);
        let bytes = s.encode();
        assert_eq!(Sketch::decode(&bytes), Some(s.clone()));
        assert_eq!(Sketch::decode(&bytes[..bytes.len() - 1]), None);
        assert_eq!(Sketch::decode(&[]), None);
        assert_eq!(Sketch::decode(&[9, 0, 0, 0, 0, 0]), None);
        let mut longer = bytes.clone();
        longer.push(0);
        assert_eq!(Sketch::decode(&longer), None);
        assert_eq!(Sketch::default().quantile(0.5), None);
    }

    #[test]
    fn a_cover_splits_partial_hours_from_whole_ones() {
        let h = 3600;
        assert_eq!(
            cover(10 * h + 5, 13 * h + 7, h),
            Cover {
                head: (10 * h + 5, 11 * h),
                hours: (11 * h, 13 * h),
                tail: (13 * h, 13 * h + 7)
            }
        );
        // Within one hour: all values.
        let c = cover(10 * h + 5, 10 * h + 700, h);
        assert_eq!(c.head, (10 * h + 5, 10 * h + 700));
        assert_eq!(c.hours.0, c.hours.1);
        // Aligned ends: nothing partial.
        let c = cover(10 * h, 12 * h, h);
        assert_eq!((c.head.0, c.head.1), (10 * h, 10 * h));
        assert_eq!(c.tail.0, c.tail.1);
        // Before 1970.
        let c = cover(-2 * h - 5, -h + 3, h);
        assert_eq!(c.hours, (-2 * h, -h));
    }
}
