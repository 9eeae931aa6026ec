//! Text sparklines: a series drawn with the eight block characters, so it
//! fits in a table cell and survives a plain-text snapshot.

const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// Draws `values` (oldest first, `None` = no data, shown as a space) into
/// `width` characters, scaling between the series' min and max.
pub(crate) fn spark_text(values: &[Option<f64>], width: usize) -> String {
    if width == 0 || values.is_empty() {
        return String::new();
    }
    let resampled: Vec<Option<f64>> = (0..width)
        .map(|i| {
            let a = i * values.len() / width;
            let b = ((i + 1) * values.len() / width)
                .max(a + 1)
                .min(values.len());
            let slice: Vec<f64> = values[a..b].iter().flatten().copied().collect();
            (!slice.is_empty()).then(|| slice.iter().sum::<f64>() / slice.len() as f64)
        })
        .collect();
    let known: Vec<f64> = resampled.iter().flatten().copied().collect();
    if known.is_empty() {
        return " ".repeat(width);
    }
    let lo = known.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = known.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    resampled
        .iter()
        .map(|v| match v {
            None => ' ',
            Some(_) if hi - lo < 1e-12 => BARS[3],
            Some(x) => BARS[(((x - lo) / (hi - lo)) * 7.0).round().clamp(0.0, 7.0) as usize],
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scales_between_min_and_max() {
        assert_eq!(spark_text(&[Some(0.0), Some(7.0)], 2), "▁█");
        assert_eq!(spark_text(&[Some(1.0), None, Some(1.0)], 3), "▄ ▄");
        assert_eq!(spark_text(&[None, None], 2), "  ");
        assert_eq!(
            spark_text(&[Some(0.0), Some(1.0), Some(2.0), Some(3.0)], 2),
            "▁█"
        );
        assert_eq!(spark_text(&[Some(1.0)], 3).chars().count(), 3);
    }
}
