//! The precomputed working-time table of a calendar: one lazily built chunk per UTC year.
//!
//! A chunk holds the *working pieces* of its year: maximal half-open UTC intervals of instants
//! whose local wall time (in the calendar's time zone) falls inside a working interval of a
//! working day, clipped to the chunk's UTC range, sorted, disjoint, with prefix sums of their
//! lengths. Business time before an instant inside a chunk is then one binary search.

use std::sync::OnceLock;

use chrono::{DateTime, Offset, TimeZone};
use chrono_tz::Tz;

use crate::value::{DurationMs, EpochMs};

/// Milliseconds in a (civil, 86,400 s) day.
pub(crate) const DAY_MS: i64 = 86_400_000;
/// Milliseconds in a minute.
pub(crate) const MINUTE_MS: i64 = 60_000;
/// The first UTC year with a table.
pub(crate) const FIRST_YEAR: i32 = 1900;
/// The number of UTC years with a table (1900..=2199).
pub(crate) const YEARS: usize = 300;

/// Days from 1970-01-01 to `year`-01-01 (proleptic Gregorian; H. Hinnant's `days_from_civil`).
const fn days_to_new_year(year: i64) -> i64 {
    let y = year - 1; // January counts in the previous "March year"
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    // Day of year of 01-01 counted from 03-01: 306.
    let doy = 306;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Chunk boundaries: `BOUNDS[i]` is the instant of `FIRST_YEAR + i`-01-01T00:00:00Z.
#[expect(
    clippy::indexing_slicing,
    reason = "evaluated at compile time: an out-of-range index cannot build"
)]
static BOUNDS: [EpochMs; YEARS + 1] = {
    let mut out = [0i64; YEARS + 1];
    let mut i = 0;
    while i <= YEARS {
        out[i] = days_to_new_year(FIRST_YEAR as i64 + i as i64) * DAY_MS;
        i += 1;
    }
    out
};

/// The chunk index of an instant, if inside the table: one division and at most a couple of
/// comparisons.
pub(crate) fn chunk_of(t: EpochMs) -> Option<usize> {
    let first = *BOUNDS.first()?;
    let last = *BOUNDS.last()?;
    if t < first || t >= last {
        return None;
    }
    // A guess within one year of the answer (the mean Gregorian year is 365.2425 days).
    let days = (t - first).div_euclid(DAY_MS);
    let mut i = usize::try_from(days * 400 / 146_097).ok()?.min(YEARS - 1);
    while i > 0 && BOUNDS.get(i).is_some_and(|&b| b > t) {
        i -= 1;
    }
    while BOUNDS.get(i + 1).is_some_and(|&b| b <= t) {
        i += 1;
    }
    Some(i)
}

/// The UTC range `[start, end)` of chunk `i`.
pub(crate) fn chunk_range(i: usize) -> Option<(EpochMs, EpochMs)> {
    Some((*BOUNDS.get(i)?, *BOUNDS.get(i + 1)?))
}

/// The time-zone-independent rules of a calendar, in the form the table builder needs.
#[derive(Debug)]
pub(crate) struct Rules {
    /// The time zone.
    pub tz: Tz,
    /// Working intervals per weekday (Monday first), in minutes after local midnight,
    /// sorted, disjoint, non-empty, within `0..=1440`.
    pub weekly: [Vec<(u16, u16)>; 7],
    /// Closed days as inclusive ranges of days since 1970-01-01, sorted and merged.
    pub closed: Vec<(i64, i64)>,
}

impl Rules {
    fn is_closed(&self, day: i64) -> bool {
        let i = self.closed.partition_point(|&(_, to)| to < day);
        self.closed.get(i).is_some_and(|&(from, _)| from <= day)
    }

    fn day_intervals(&self, day: i64) -> &[(u16, u16)] {
        if self.is_closed(day) {
            return &[];
        }
        // 1970-01-01 was a Thursday (Monday = 0).
        let wd = usize::try_from((day + 3).rem_euclid(7)).unwrap_or(0);
        self.weekly.get(wd).map(Vec::as_slice).unwrap_or(&[])
    }

    /// The UTC offset (ms, local minus UTC) at an instant.
    fn offset_at(&self, t: EpochMs) -> i64 {
        match DateTime::from_timestamp_millis(t) {
            Some(dt) => {
                let off = self.tz.offset_from_utc_datetime(&dt.naive_utc()).fix();
                i64::from(off.local_minus_utc()) * 1000
            }
            None => 0,
        }
    }

    /// Constant-offset segments covering `[start, end)`: `(from, to, offset_ms)`.
    ///
    /// Offsets are probed every hour and transitions located to the second by bisection (zone
    /// transitions happen on whole seconds; two transitions less than an hour apart do not occur
    /// in the IANA database for the years the table covers).
    fn segments(&self, start: EpochMs, end: EpochMs) -> Vec<(EpochMs, EpochMs, i64)> {
        const STEP: i64 = 3_600_000;
        let mut out = Vec::with_capacity(4);
        let mut seg_start = start;
        let mut seg_off = self.offset_at(start);
        let mut probe = start;
        while probe < end {
            let next = (probe + STEP).min(end);
            let off_next = if next < end {
                self.offset_at(next)
            } else {
                seg_off
            };
            if off_next != seg_off {
                // Bisect on whole seconds in (probe, next]: the first second with the new offset.
                let mut lo = probe.div_euclid(1000); // offset seg_off here
                let mut hi = next.div_euclid(1000); // offset off_next here
                while hi - lo > 1 {
                    let mid = lo + (hi - lo) / 2;
                    if self.offset_at(mid * 1000) == seg_off {
                        lo = mid;
                    } else {
                        hi = mid;
                    }
                }
                let at = hi * 1000;
                out.push((seg_start, at, seg_off));
                seg_start = at;
                seg_off = self.offset_at(at);
            }
            probe = next;
        }
        out.push((seg_start, end, seg_off));
        out
    }
}

/// The working pieces of one UTC year.
#[derive(Debug, Default)]
pub(crate) struct Chunk {
    /// The chunk's first instant (a UTC midnight).
    start: EpochMs,
    /// Sorted, disjoint `[start, end)` pieces.
    pieces: Vec<(EpochMs, EpochMs)>,
    /// `prefix[i]` = total length of `pieces[..i]`; one longer than `pieces`.
    prefix: Vec<DurationMs>,
    /// `day_first[d]` = the number of pieces starting before UTC day `d` of the chunk begins,
    /// so finding the piece of an instant is a lookup and a scan over one day's pieces.
    day_first: Vec<u32>,
}

impl Chunk {
    fn build(rules: &Rules, start: EpochMs, end: EpochMs) -> Chunk {
        let mut pieces: Vec<(EpochMs, EpochMs)> = Vec::with_capacity(600);
        for (s, e, off) in rules.segments(start, end) {
            let first_day = (s + off).div_euclid(DAY_MS);
            let last_day = (e - 1 + off).div_euclid(DAY_MS);
            for day in first_day..=last_day {
                let base = day * DAY_MS - off;
                for &(m1, m2) in rules.day_intervals(day) {
                    let a = (base + i64::from(m1) * MINUTE_MS).max(s);
                    let b = (base + i64::from(m2) * MINUTE_MS).min(e);
                    if a < b {
                        match pieces.last_mut() {
                            Some(last) if last.1 == a => last.1 = b,
                            _ => pieces.push((a, b)),
                        }
                    }
                }
            }
        }
        let mut prefix = Vec::with_capacity(pieces.len() + 1);
        let mut acc = 0;
        prefix.push(0);
        for &(a, b) in &pieces {
            acc += b - a;
            prefix.push(acc);
        }
        let days = (end - start).div_euclid(DAY_MS) + 1;
        let mut day_first = Vec::with_capacity(usize::try_from(days).unwrap_or(0));
        let mut i = 0usize;
        for d in 0..days {
            let day_start = start + d * DAY_MS;
            while pieces.get(i).is_some_and(|&(s, _)| s < day_start) {
                i += 1;
            }
            day_first.push(u32::try_from(i).unwrap_or(u32::MAX));
        }
        Chunk {
            start,
            pieces,
            prefix,
            day_first,
        }
    }

    /// The number of pieces starting at or before `t` (`t` inside the chunk).
    fn pieces_started(&self, t: EpochMs) -> usize {
        let day = usize::try_from((t - self.start).div_euclid(DAY_MS)).ok();
        match day.and_then(|d| self.day_first.get(d)) {
            Some(&first) => {
                let mut i = first as usize;
                while self.pieces.get(i).is_some_and(|&(s, _)| s <= t) {
                    i += 1;
                }
                i
            }
            None => self.pieces.partition_point(|&(s, _)| s <= t),
        }
    }

    /// Total working time of the chunk.
    pub(crate) fn total(&self) -> DurationMs {
        self.prefix.last().copied().unwrap_or(0)
    }

    /// Working time in the chunk before `t`.
    pub(crate) fn before(&self, t: EpochMs) -> DurationMs {
        let i = self.pieces_started(t);
        let done = self.prefix.get(i).copied().unwrap_or(0);
        match i.checked_sub(1).and_then(|j| self.pieces.get(j)) {
            Some(&(_, e)) if t < e => done - (e - t),
            _ => done,
        }
    }

    /// The earliest instant at which the chunk's working time before it reaches `target`
    /// (`0 < target <= total`).
    pub(crate) fn instant_at(&self, target: DurationMs) -> Option<EpochMs> {
        // First piece i with prefix[i + 1] >= target.
        let i = self.prefix.get(1..)?.partition_point(|&p| p < target);
        let &(s, _) = self.pieces.get(i)?;
        let done = self.prefix.get(i).copied()?;
        Some(s + (target - done))
    }
}

/// Lazily built chunks for every table year.
#[derive(Debug)]
pub(crate) struct Table {
    rules: Rules,
    chunks: Box<[OnceLock<Chunk>]>,
}

impl Table {
    pub(crate) fn new(rules: Rules) -> Table {
        let chunks = (0..YEARS).map(|_| OnceLock::new()).collect();
        Table { rules, chunks }
    }

    pub(crate) fn rules(&self) -> &Rules {
        &self.rules
    }

    /// Chunk `i`, built on first use.
    pub(crate) fn chunk(&self, i: usize) -> Option<&Chunk> {
        let cell = self.chunks.get(i)?;
        Some(cell.get_or_init(|| match chunk_range(i) {
            Some((s, e)) => Chunk::build(&self.rules, s, e),
            None => Chunk::default(),
        }))
    }

    /// Whether any weekday has working hours.
    pub(crate) fn has_hours(&self) -> bool {
        self.rules.weekly.iter().any(|d| !d.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn bounds_are_utc_new_years_and_chunk_of_inverts_them() {
        for i in 0..=YEARS {
            let year = FIRST_YEAR + i32::try_from(i).unwrap();
            let expected = NaiveDate::from_ymd_opt(year, 1, 1)
                .unwrap()
                .and_hms_opt(0, 0, 0)
                .unwrap()
                .and_utc()
                .timestamp_millis();
            assert_eq!(BOUNDS[i], expected, "year {year}");
            if i < YEARS {
                assert_eq!(chunk_of(BOUNDS[i]), Some(i));
                assert_eq!(chunk_of(BOUNDS[i + 1] - 1), Some(i));
                assert_eq!(chunk_of(BOUNDS[i] + 200 * DAY_MS), Some(i));
            }
        }
        assert_eq!(chunk_of(BOUNDS[0] - 1), None);
        assert_eq!(chunk_of(BOUNDS[YEARS]), None);
        assert_eq!(chunk_of(i64::MIN), None);
        assert_eq!(chunk_of(i64::MAX), None);
    }
}
