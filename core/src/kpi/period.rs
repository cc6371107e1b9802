//! Periods of local dates in an IANA time zone: days, ISO weeks, months and quarters.
//!
//! An instant's period is that of its local date in the zone. Periods are half-open: local
//! midnight starts the new day, so a day with a DST change lasts 23 or 25 hours. A period is
//! identified by its first local date (a day number since 1970-01-01) and labelled
//! `2026-03-29` (day), `2026-W53` (ISO week, by ISO week-year), `2026-03` (month) or `2026-Q1`
//! (quarter).

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate, Offset, TimeZone};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::value::EpochMs;

/// Milliseconds in a civil day.
pub(crate) const DAY_MS: i64 = 86_400_000;
/// The earliest instant the KPI module accepts: 0001-01-01T00:00:00Z.
pub(crate) const MIN_INSTANT: EpochMs = -62_135_596_800_000;
/// The latest instant the KPI module accepts: 9999-12-31T23:59:59.999Z.
pub(crate) const MAX_INSTANT: EpochMs = 253_402_300_799_999;
/// Days from 0001-01-01 (day 1 of the common era) to 1970-01-01.
const CE_TO_EPOCH: i32 = 719_163;
/// The longest span of instants for which a zone's offsets are tabulated (400 years); wider
/// spans look every offset up in the zone database.
const TABLE_SPAN: i64 = 400 * 366 * DAY_MS;
/// Offsets are probed every 6 hours when tabulated (no zone changes its offset twice within
/// 6 hours).
const PROBE: i64 = 6 * 3_600_000;

/// How long a period is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Granularity {
    /// A local date: `2026-03-29`.
    Day,
    /// An ISO week (Monday to Sunday), labelled by ISO week-year: `2026-W53`.
    Week,
    /// A calendar month: `2026-03`.
    Month,
    /// A calendar quarter: `2026-Q1`.
    Quarter,
}

impl Granularity {
    /// The name used in `by` lists (`day`, `week`, `month`, `quarter`).
    pub fn as_str(self) -> &'static str {
        match self {
            Granularity::Day => "day",
            Granularity::Week => "week",
            Granularity::Month => "month",
            Granularity::Quarter => "quarter",
        }
    }
}

impl fmt::Display for Granularity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Granularity {
    type Err = ();
    fn from_str(s: &str) -> Result<Granularity, ()> {
        match s {
            "day" => Ok(Granularity::Day),
            "week" => Ok(Granularity::Week),
            "month" => Ok(Granularity::Month),
            "quarter" => Ok(Granularity::Quarter),
            _ => Err(()),
        }
    }
}

/// The date of a day number (days since 1970-01-01); days outside chrono's range clamp.
pub(crate) fn date_of(day: i32) -> NaiveDate {
    NaiveDate::from_num_days_from_ce_opt(day.saturating_add(CE_TO_EPOCH)).unwrap_or_default()
}

/// The day number (days since 1970-01-01) of a date.
pub(crate) fn day_of(date: NaiveDate) -> i32 {
    date.num_days_from_ce() - CE_TO_EPOCH
}

impl Granularity {
    /// The first day (day number) of the period holding local day `day`.
    pub(crate) fn period_of(self, day: i32) -> i32 {
        match self {
            Granularity::Day => day,
            // 1970-01-01 was a Thursday: (day + 3) mod 7 is 0 on Mondays
            Granularity::Week => day - (day + 3).rem_euclid(7),
            Granularity::Month | Granularity::Quarter => {
                let d = date_of(day);
                let month = match self {
                    Granularity::Quarter => (d.month0() / 3) * 3 + 1,
                    _ => d.month(),
                };
                NaiveDate::from_ymd_opt(d.year(), month, 1).map_or(day, day_of)
            }
        }
    }

    /// The label of the period starting on day `first`.
    pub(crate) fn label(self, first: i32) -> String {
        let d = date_of(first);
        match self {
            Granularity::Day => d.format("%Y-%m-%d").to_string(),
            Granularity::Week => {
                let w = d.iso_week();
                format!("{:04}-W{:02}", w.year(), w.week())
            }
            Granularity::Month => format!("{:04}-{:02}", d.year(), d.month()),
            Granularity::Quarter => format!("{:04}-Q{}", d.year(), d.month0() / 3 + 1),
        }
    }
}

/// A time zone's UTC offsets, tabulated over a span of instants: the local day of an instant
/// is one short search and a division.
#[derive(Debug, Clone)]
pub(crate) struct Zone {
    tz: Tz,
    /// `(from, offset_ms)`: the offset in force from `from` on, ascending; empty for UTC or
    /// when the span is too wide (then every offset is looked up).
    segments: Vec<(EpochMs, i64)>,
    lo: EpochMs,
    hi: EpochMs,
}

/// The offset (ms) of `tz` at `t` from the zone database.
fn offset_at(tz: Tz, t: EpochMs) -> i64 {
    match chrono::DateTime::from_timestamp_millis(t) {
        Some(utc) => {
            i64::from(
                tz.offset_from_utc_datetime(&utc.naive_utc())
                    .fix()
                    .local_minus_utc(),
            ) * 1000
        }
        None => 0,
    }
}

impl Zone {
    /// The zone's offsets over `[lo, hi]` (instants outside are looked up when asked for).
    pub(crate) fn new(tz: Tz, lo: EpochMs, hi: EpochMs) -> Zone {
        let mut zone = Zone {
            tz,
            segments: Vec::new(),
            lo,
            hi,
        };
        if tz == Tz::UTC || hi < lo || hi.saturating_sub(lo) > TABLE_SPAN {
            return zone;
        }
        let mut t = lo;
        let mut off = offset_at(tz, t);
        zone.segments.push((lo, off));
        while t < hi {
            let next = t.saturating_add(PROBE).min(hi);
            let o = offset_at(tz, next);
            if o != off {
                // the first instant in (t, next] with the new offset
                let (mut a, mut b) = (t, next);
                while b - a > 1 {
                    let mid = a + (b - a) / 2;
                    if offset_at(tz, mid) == off {
                        a = mid;
                    } else {
                        b = mid;
                    }
                }
                zone.segments.push((b, o));
                off = o;
            }
            t = next;
        }
        zone
    }

    /// The UTC offset (ms) at `t`.
    fn offset(&self, t: EpochMs) -> i64 {
        if self.tz == Tz::UTC {
            return 0;
        }
        if self.segments.is_empty() || t < self.lo || t > self.hi {
            return offset_at(self.tz, t);
        }
        let i = self.segments.partition_point(|&(from, _)| from <= t);
        self.segments
            .get(i.saturating_sub(1))
            .map_or(0, |&(_, off)| off)
    }

    /// The local day (days since 1970-01-01) of instant `t`.
    pub(crate) fn day(&self, t: EpochMs) -> i32 {
        let local = t.saturating_add(self.offset(t));
        i32::try_from(local.div_euclid(DAY_MS)).unwrap_or(if local < 0 {
            i32::MIN
        } else {
            i32::MAX
        })
    }

    /// The first instant of local date `date`: local midnight, or the end of a DST gap that
    /// swallows midnight, or (for a date the zone skipped) the start of the next date.
    pub(crate) fn start_of(&self, date: NaiveDate) -> EpochMs {
        use chrono::LocalResult;
        let mut d = date;
        for _ in 0..3 {
            let Some(midnight) = d.and_hms_opt(0, 0, 0) else {
                break;
            };
            for minute in 0..(24 * 60) {
                let local = midnight + chrono::Duration::minutes(minute);
                if local.date() != d {
                    break;
                }
                match self.tz.from_local_datetime(&local) {
                    LocalResult::Single(t) => return t.timestamp_millis(),
                    LocalResult::Ambiguous(a, _) => return a.timestamp_millis(),
                    LocalResult::None => {}
                }
            }
            match d.succ_opt() {
                Some(next) => d = next,
                None => break,
            }
        }
        i64::from(day_of(date)) * DAY_MS
    }
}

/// Local days and periods of instants, with a one-entry cache (items of one lead are often in
/// one period).
#[derive(Debug, Clone)]
pub(crate) struct Periods<'z> {
    zone: &'z Zone,
    granularity: Option<Granularity>,
    last_day: i32,
    last_period: i32,
}

impl<'z> Periods<'z> {
    /// Periods of `granularity` (none: every instant is in the one, unnamed, period).
    pub(crate) fn new(zone: &'z Zone, granularity: Option<Granularity>) -> Periods<'z> {
        Periods {
            zone,
            granularity,
            last_day: i32::MIN,
            last_period: 0,
        }
    }

    /// The period (its first day) of instant `t`, if periods are asked for.
    pub(crate) fn of(&mut self, t: EpochMs) -> Option<i32> {
        let g = self.granularity?;
        let day = self.zone.day(t);
        if day != self.last_day {
            self.last_day = day;
            self.last_period = g.period_of(day);
        }
        Some(self.last_period)
    }

    /// The local day of instant `t`.
    pub(crate) fn day(&self, t: EpochMs) -> i32 {
        self.zone.day(t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(s: &str) -> EpochMs {
        chrono::DateTime::parse_from_rfc3339(s)
            .unwrap()
            .timestamp_millis()
    }

    #[test]
    fn labels() {
        let d = |s: &str| day_of(NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap());
        let label = |g: Granularity, s: &str| g.label(g.period_of(d(s)));
        assert_eq!(label(Granularity::Day, "2026-03-29"), "2026-03-29");
        assert_eq!(label(Granularity::Week, "2027-01-03"), "2026-W53");
        assert_eq!(label(Granularity::Week, "2027-01-04"), "2027-W01");
        assert_eq!(label(Granularity::Week, "2024-12-30"), "2025-W01");
        assert_eq!(label(Granularity::Month, "2026-02-28"), "2026-02");
        assert_eq!(label(Granularity::Quarter, "2026-06-30"), "2026-Q2");
        assert_eq!(label(Granularity::Quarter, "2026-10-01"), "2026-Q4");
        assert_eq!(label(Granularity::Week, "1969-12-29"), "1970-W01");
    }

    #[test]
    fn tabulated_offsets_match_the_database() {
        let tz: Tz = "Europe/Berlin".parse().unwrap();
        let lo = ms("2025-01-01T00:00:00Z");
        let hi = ms("2027-01-01T00:00:00Z");
        let z = Zone::new(tz, lo, hi);
        assert_eq!(z.segments.len(), 5);
        let mut t = lo;
        while t <= hi {
            assert_eq!(z.offset(t), offset_at(tz, t), "{t}");
            t += 1_234_567;
        }
        // the spring-forward instant, to the millisecond
        let jump = ms("2026-03-29T01:00:00Z");
        assert_eq!(z.offset(jump - 1), 3_600_000);
        assert_eq!(z.offset(jump), 7_200_000);
    }

    #[test]
    fn days_across_dst() {
        let tz: Tz = "Europe/Berlin".parse().unwrap();
        let z = Zone::new(tz, ms("2026-01-01T00:00:00Z"), ms("2026-12-31T00:00:00Z"));
        let date = |t: &str| date_of(z.day(ms(t))).to_string();
        assert_eq!(date("2026-03-28T22:59:59.999Z"), "2026-03-28");
        assert_eq!(date("2026-03-28T23:00:00Z"), "2026-03-29");
        assert_eq!(date("2026-03-29T21:59:59.999Z"), "2026-03-29");
        assert_eq!(date("2026-03-29T22:00:00Z"), "2026-03-30");
        let start = |s: &str| z.start_of(NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap());
        assert_eq!(
            start("2026-03-30") - start("2026-03-29"),
            23 * 3_600_000,
            "spring forward: 23 hours"
        );
        assert_eq!(
            start("2026-10-26") - start("2026-10-25"),
            25 * 3_600_000,
            "fall back: 25 hours"
        );
    }

    #[test]
    fn a_gap_at_midnight_and_a_skipped_day() {
        // Chile moved its clocks from 00:00 to 01:00 on 2026-09-06
        let tz: Tz = "America/Santiago".parse().unwrap();
        let z = Zone::new(tz, 0, 1);
        let t = z.start_of(NaiveDate::from_ymd_opt(2026, 9, 6).unwrap());
        assert_eq!(t, ms("2026-09-06T04:00:00Z"));
        // Samoa skipped 2011-12-30
        let tz: Tz = "Pacific/Apia".parse().unwrap();
        let z = Zone::new(tz, 0, 1);
        let skipped = z.start_of(NaiveDate::from_ymd_opt(2011, 12, 30).unwrap());
        let next = z.start_of(NaiveDate::from_ymd_opt(2011, 12, 31).unwrap());
        assert_eq!(skipped, next);
    }
}
