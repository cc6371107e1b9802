//! Statistics of duration sets and rates.

use serde::{Deserialize, Serialize};

use crate::value::DurationMs;

/// Statistics of a set of durations (ms).
///
/// `count`; `sum` (exact; saturates at ±2^63 ms, about 292 million years); `mean` = sum / count;
/// `median`, the middle value, or the mean of the two middle values for an even count; `p90`,
/// the value at position ceil(9n/10) (1-based) of the ascending list, in integer arithmetic.
/// An empty set has count 0 and the rest null.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Stats {
    /// How many durations.
    pub count: u64,
    /// Their sum (ms).
    pub sum: Option<i64>,
    /// Their mean (ms).
    pub mean: Option<f64>,
    /// Their median (ms).
    pub median: Option<f64>,
    /// Their 90th percentile (ms): the value at position ceil(9n/10) of the ascending list.
    pub p90: Option<DurationMs>,
}

impl Stats {
    /// The statistics of `values` (sorted in place).
    pub fn of(values: &mut [DurationMs]) -> Stats {
        values.sort_unstable();
        let n = values.len();
        if n == 0 {
            return Stats::default();
        }
        let sum: i128 = values.iter().map(|&v| i128::from(v)).sum();
        let mid = |i: usize| values.get(i).map_or(0, |&v| i128::from(v));
        let median = if n % 2 == 1 {
            mid(n / 2) as f64
        } else {
            (mid(n / 2 - 1) + mid(n / 2)) as f64 / 2.0
        };
        // position ceil(9n/10), 1-based
        let p90 = values.get((9 * n).div_ceil(10).saturating_sub(1)).copied();
        Stats {
            count: n as u64,
            sum: Some(i64::try_from(sum).unwrap_or(if sum < 0 { i64::MIN } else { i64::MAX })),
            mean: Some(sum as f64 / n as f64),
            median: Some(median),
            p90,
        }
    }
}

/// `num / den`, or null when `den` is 0.
pub(crate) fn rate(num: u64, den: u64) -> Option<f64> {
    (den > 0).then(|| num as f64 / den as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn definitions() {
        assert_eq!(Stats::of(&mut []), Stats::default());
        let s = Stats::of(&mut [5]);
        assert_eq!(
            (s.count, s.sum, s.mean, s.median, s.p90),
            (1, Some(5), Some(5.0), Some(5.0), Some(5))
        );
        // even count: the mean of the two middle values; p90 at position ceil(36/10) = 4
        let s = Stats::of(&mut [4, 1, 3, 2]);
        assert_eq!(
            (s.sum, s.mean, s.median, s.p90),
            (Some(10), Some(2.5), Some(2.5), Some(4))
        );
        // n = 10: position 9
        let mut v: Vec<i64> = (1..=10).rev().collect();
        assert_eq!(Stats::of(&mut v).p90, Some(9));
        // n = 11: position ceil(99/10) = 10
        let mut v: Vec<i64> = (1..=11).collect();
        assert_eq!(Stats::of(&mut v).p90, Some(10));
        assert_eq!(rate(1, 0), None);
        assert_eq!(rate(1, 4), Some(0.25));
    }
}
