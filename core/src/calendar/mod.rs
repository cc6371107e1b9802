//! Business calendars and business-time arithmetic.
//!
//! A [`Calendar`] is an IANA time zone, weekly working hours (any number of intervals a day,
//! e.g. `08:00-12:00` and `13:00-17:00` for a lunch break), and closed days: holidays (single
//! dates) and closures (inclusive date ranges, e.g. a 3-day plant shutdown).
//!
//! # Business time
//!
//! The *working set* of a calendar is the set of instants whose **local wall time** (in the
//! calendar's zone) lies inside a working interval of a day that is a working day (its weekday
//! has hours and it is not a holiday or inside a closure). Business time between two instants is
//! the measure (in milliseconds) of the working set between them. Consequences, all deliberate:
//!
//! - Spring-forward: local times that do not exist are not in the working set, so a day
//!   `01:00-05:00` across a 02:00 -> 03:00 jump counts 3 hours.
//! - Fall-back: local times that happen twice are in the working set twice (they are distinct
//!   instants), so a day `00:00-04:00` across a 03:00 -> 02:00 repeat counts 5 hours.
//! - Holidays and closures are local dates; an interval ending at `24:00` ends at local midnight.
//! - [`Calendar::business_add`]`(t, d)` is the **earliest** instant `u >= t` with
//!   `business_between(t, u) == d`: adding 1 hour at 16:00 on a Friday with hours until 17:00
//!   gives 17:00 Friday, not 08:00 Monday; adding a duration from a non-working instant first
//!   waits for the next working instant.
//! - `business_between(a, b)` is negative when `b < a`; `business_add` takes `d >= 0`.
//!
//! Instants are `i64` milliseconds since the epoch (UTC); durations are `i64` milliseconds.
//! The working set is precomputed lazily per UTC year (years 1900 to 2199) and shared by clones
//! of the calendar, so each call is a couple of binary searches. Instants outside that range
//! give [`CalendarError::OutOfRange`].
//!
//! # Holiday files
//!
//! [`parse_holidays`] reads the holiday-file format: one `YYYY-MM-DD [name]` per line, or a
//! closure `YYYY-MM-DD..YYYY-MM-DD [name]`; `#` starts a comment; blank lines are ignored. The
//! core does no I/O: the host or the CLI reads the file and passes its text.

mod table;

use std::fmt;
use std::sync::Arc;

use chrono::{Datelike, NaiveDate};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::report::{codes, ErrorReport};
use crate::value::{DurationMs, EpochMs};

use table::{chunk_of, Rules, Table, YEARS};

/// Days from 0001-01-01 (day 1 in chrono's count) to 1970-01-01.
const CE_TO_EPOCH_DAYS: i64 = 719_163;

/// An error building a calendar, reading a holiday file or doing business-time arithmetic.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CalendarError {
    /// The time zone name is not an IANA zone.
    #[error("unknown time zone `{name}`")]
    UnknownTimeZone {
        /// The name given.
        name: String,
    },
    /// A working interval is empty, reversed, outside the day or overlaps another one.
    #[error("invalid working hours `{interval}` on {weekday}: {reason}")]
    InvalidHours {
        /// The weekday (`mon`..`sun`).
        weekday: String,
        /// The interval, as `HH:MM-HH:MM`.
        interval: String,
        /// What is wrong.
        reason: String,
    },
    /// The weekly hours do not have one entry per weekday.
    #[error("weekly hours have {found} days, expected 7 (monday first)")]
    WeekLength {
        /// The number of days given.
        found: usize,
    },
    /// A closure's end date is before its start date.
    #[error("closure `{from}..{to}` ends before it starts")]
    ReversedClosure {
        /// First closed date.
        from: NaiveDate,
        /// Last closed date.
        to: NaiveDate,
    },
    /// A line of a holiday file is not of the form `YYYY-MM-DD [name]`.
    #[error("holiday file line {line}: {reason} in `{text}`")]
    HolidayLine {
        /// 1-based line number.
        line: usize,
        /// The line's text (trimmed).
        text: String,
        /// What is wrong.
        reason: String,
    },
    /// The calendar has no working time at all, so a business duration can never elapse.
    #[error("calendar `{name}` has no working hours")]
    NoWorkingTime {
        /// The calendar's name.
        name: String,
    },
    /// An instant (or a result) is outside the years the calendar supports.
    #[error("instant `{at}` is outside the supported years 1900 to 2199")]
    OutOfRange {
        /// The instant (ms since the epoch).
        at: EpochMs,
    },
    /// A negative duration was passed to `business_add`.
    #[error("negative business duration `{duration_ms}` ms")]
    NegativeDuration {
        /// The duration given.
        duration_ms: DurationMs,
    },
}

impl CalendarError {
    /// The stable code of this error.
    pub fn code(&self) -> &'static str {
        match self {
            CalendarError::UnknownTimeZone { .. } => codes::CALENDAR_UNKNOWN_TIME_ZONE,
            CalendarError::InvalidHours { .. } | CalendarError::WeekLength { .. } => {
                codes::CALENDAR_INVALID_HOURS
            }
            CalendarError::ReversedClosure { .. } => codes::CALENDAR_INVALID_CLOSURE,
            CalendarError::HolidayLine { .. } => codes::CALENDAR_HOLIDAY_FILE,
            CalendarError::NoWorkingTime { .. } => codes::CALENDAR_NO_WORKING_TIME,
            CalendarError::OutOfRange { .. } | CalendarError::NegativeDuration { .. } => {
                codes::CALENDAR_OUT_OF_RANGE
            }
        }
    }

    /// How to fix it.
    pub fn help(&self) -> String {
        match self {
            CalendarError::UnknownTimeZone { .. } => {
                "use an IANA zone name such as `America/Chicago` or `Europe/Berlin`".into()
            }
            CalendarError::InvalidHours { .. } | CalendarError::WeekLength { .. } => {
                "give each day sorted, non-overlapping `HH:MM-HH:MM` intervals within 00:00-24:00"
                    .into()
            }
            CalendarError::ReversedClosure { .. } => "write the earlier date first".into(),
            CalendarError::HolidayLine { .. } => {
                "write one `YYYY-MM-DD [name]` (or `YYYY-MM-DD..YYYY-MM-DD [name]`) per line; `#` starts a comment".into()
            }
            CalendarError::NoWorkingTime { .. } => {
                "give the calendar working hours, or use a goal in calendar time".into()
            }
            CalendarError::OutOfRange { .. } => {
                "use instants between 1900-01-01 and 2199-12-31".into()
            }
            CalendarError::NegativeDuration { .. } => "pass a duration of 0 or more".into(),
        }
    }
}

impl From<&CalendarError> for ErrorReport {
    fn from(e: &CalendarError) -> ErrorReport {
        let line = match e {
            CalendarError::HolidayLine { line, .. } => u32::try_from(*line).unwrap_or(u32::MAX),
            _ => 0,
        };
        ErrorReport::error(e.code(), e.to_string())
            .with_help(e.help())
            .at(line, if line > 0 { 1 } else { 0 })
    }
}

impl From<CalendarError> for ErrorReport {
    fn from(e: CalendarError) -> ErrorReport {
        ErrorReport::from(&e)
    }
}

/// A working interval of a day: minutes after local midnight, `start < end <= 1440`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct WorkInterval {
    /// Start, in minutes after local midnight.
    pub start: u16,
    /// End (exclusive), in minutes after local midnight; 1440 is the next midnight.
    pub end: u16,
}

impl WorkInterval {
    /// An interval from `HH:MM` to `HH:MM` given as numbers.
    pub fn hm(start_h: u16, start_m: u16, end_h: u16, end_m: u16) -> WorkInterval {
        WorkInterval {
            start: start_h * 60 + start_m,
            end: end_h * 60 + end_m,
        }
    }
}

impl fmt::Display for WorkInterval {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:02}:{:02}-{:02}:{:02}",
            self.start / 60,
            self.start % 60,
            self.end / 60,
            self.end % 60
        )
    }
}

/// A named closed date (a public holiday).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Holiday {
    /// The date.
    pub date: NaiveDate,
    /// Its name, if given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// A range of closed dates, both ends included (a plant shutdown, a stocktake).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Closure {
    /// First closed date.
    pub from: NaiveDate,
    /// Last closed date (included).
    pub to: NaiveDate,
    /// Its name, if given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// The serde (and builder) form of a calendar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarSpec {
    /// The calendar's name.
    pub name: String,
    /// The IANA time zone name, e.g. `America/Chicago`.
    pub timezone: String,
    /// Working intervals per weekday, Monday first (7 entries).
    pub weekly: Vec<Vec<WorkInterval>>,
    /// Holidays.
    #[serde(default)]
    pub holidays: Vec<Holiday>,
    /// Closures (date ranges).
    #[serde(default)]
    pub closures: Vec<Closure>,
}

impl CalendarSpec {
    /// A spec with the same hours Monday to Friday and none at the weekend.
    pub fn weekdays(name: &str, timezone: &str, hours: &[WorkInterval]) -> CalendarSpec {
        let mut weekly = vec![hours.to_vec(); 5];
        weekly.push(Vec::new());
        weekly.push(Vec::new());
        CalendarSpec {
            name: name.to_string(),
            timezone: timezone.to_string(),
            weekly,
            holidays: Vec::new(),
            closures: Vec::new(),
        }
    }
}

const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// A business calendar: time zone, weekly hours, holidays and closures.
///
/// Cheap to clone (shared); `Send + Sync`. See the module docs for the semantics.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(try_from = "CalendarSpec", into = "CalendarSpec")]
pub struct Calendar {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    spec: CalendarSpec,
    table: Table,
}

impl PartialEq for Calendar {
    fn eq(&self, other: &Calendar) -> bool {
        self.inner.spec == other.inner.spec
    }
}

impl From<Calendar> for CalendarSpec {
    fn from(c: Calendar) -> CalendarSpec {
        c.inner.spec.clone()
    }
}

impl TryFrom<CalendarSpec> for Calendar {
    type Error = CalendarError;
    fn try_from(spec: CalendarSpec) -> Result<Calendar, CalendarError> {
        Calendar::new(spec)
    }
}

fn days_since_epoch(d: NaiveDate) -> i64 {
    i64::from(d.num_days_from_ce()) - CE_TO_EPOCH_DAYS
}

impl Calendar {
    /// Builds and validates a calendar.
    ///
    /// Each day's intervals are sorted; they must be non-empty, within `00:00-24:00`, and must
    /// not overlap (touching intervals are merged). Holidays and closures may be in any order.
    pub fn new(spec: CalendarSpec) -> Result<Calendar, CalendarError> {
        let tz: Tz = spec
            .timezone
            .parse()
            .map_err(|_| CalendarError::UnknownTimeZone {
                name: spec.timezone.clone(),
            })?;
        if spec.weekly.len() != 7 {
            return Err(CalendarError::WeekLength {
                found: spec.weekly.len(),
            });
        }
        let mut weekly: [Vec<(u16, u16)>; 7] = Default::default();
        for ((day, out), name) in spec.weekly.iter().zip(weekly.iter_mut()).zip(WEEKDAYS) {
            let mut sorted = day.clone();
            sorted.sort();
            for iv in &sorted {
                let bad = |reason: &str| CalendarError::InvalidHours {
                    weekday: name.to_string(),
                    interval: iv.to_string(),
                    reason: reason.to_string(),
                };
                if iv.end > 1440 {
                    return Err(bad("it ends after 24:00"));
                }
                if iv.start >= iv.end {
                    return Err(bad("it is empty or ends before it starts"));
                }
                match out.last_mut() {
                    Some(last) if last.1 > iv.start => {
                        return Err(bad("it overlaps another interval of the day"))
                    }
                    Some(last) if last.1 == iv.start => last.1 = iv.end,
                    _ => out.push((iv.start, iv.end)),
                }
            }
        }
        let mut closed: Vec<(i64, i64)> = Vec::new();
        for h in &spec.holidays {
            let d = days_since_epoch(h.date);
            closed.push((d, d));
        }
        for c in &spec.closures {
            if c.to < c.from {
                return Err(CalendarError::ReversedClosure {
                    from: c.from,
                    to: c.to,
                });
            }
            closed.push((days_since_epoch(c.from), days_since_epoch(c.to)));
        }
        closed.sort();
        let mut merged: Vec<(i64, i64)> = Vec::with_capacity(closed.len());
        for (a, b) in closed {
            match merged.last_mut() {
                Some(last) if a <= last.1 + 1 => last.1 = last.1.max(b),
                _ => merged.push((a, b)),
            }
        }
        let table = Table::new(Rules {
            tz,
            weekly,
            closed: merged,
        });
        Ok(Calendar {
            inner: Arc::new(Inner { spec, table }),
        })
    }

    /// The calendar's name.
    pub fn name(&self) -> &str {
        &self.inner.spec.name
    }

    /// The calendar's time zone.
    pub fn tz(&self) -> Tz {
        self.inner.table.rules().tz
    }

    /// The calendar's definition.
    pub fn spec(&self) -> &CalendarSpec {
        &self.inner.spec
    }

    /// Whether a local date is a working day (its weekday has hours and it is not closed).
    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        let rules = self.inner.table.rules();
        let day = days_since_epoch(date);
        let closed = {
            let i = rules.closed.partition_point(|&(_, to)| to < day);
            rules.closed.get(i).is_some_and(|&(from, _)| from <= day)
        };
        let wd = date.weekday().num_days_from_monday() as usize;
        !closed && rules.weekly.get(wd).is_some_and(|v| !v.is_empty())
    }

    fn chunk_index(&self, t: EpochMs) -> Result<usize, CalendarError> {
        chunk_of(t).ok_or(CalendarError::OutOfRange { at: t })
    }

    /// Business time (ms) from `a` to `b`: the measure of the working set in `[a, b)`; negative
    /// when `b < a`.
    pub fn business_between(&self, a: EpochMs, b: EpochMs) -> Result<DurationMs, CalendarError> {
        if b < a {
            return self.business_between(b, a).map(|d| -d);
        }
        let ia = self.chunk_index(a)?;
        let ib = self.chunk_index(b)?;
        let table = &self.inner.table;
        let ca = table.chunk(ia).ok_or(CalendarError::OutOfRange { at: a })?;
        if ia == ib {
            return Ok(ca.before(b) - ca.before(a));
        }
        let mut total = ca.total() - ca.before(a);
        for i in ia + 1..ib {
            total += table
                .chunk(i)
                .ok_or(CalendarError::OutOfRange { at: b })?
                .total();
        }
        let cb = table.chunk(ib).ok_or(CalendarError::OutOfRange { at: b })?;
        Ok(total + cb.before(b))
    }

    /// The earliest instant `u >= t` with `business_between(t, u) == d` (`d >= 0`).
    pub fn business_add(&self, t: EpochMs, d: DurationMs) -> Result<EpochMs, CalendarError> {
        if d < 0 {
            return Err(CalendarError::NegativeDuration { duration_ms: d });
        }
        let mut i = self.chunk_index(t)?;
        if d == 0 {
            return Ok(t);
        }
        if !self.inner.table.has_hours() {
            return Err(CalendarError::NoWorkingTime {
                name: self.name().to_string(),
            });
        }
        let table = &self.inner.table;
        let first = table.chunk(i).ok_or(CalendarError::OutOfRange { at: t })?;
        let mut target = first.before(t) + d;
        while i < YEARS {
            let c = table.chunk(i).ok_or(CalendarError::OutOfRange { at: t })?;
            let total = c.total();
            if target <= total {
                return c
                    .instant_at(target)
                    .ok_or(CalendarError::OutOfRange { at: t });
            }
            target -= total;
            i += 1;
        }
        Err(CalendarError::OutOfRange { at: t })
    }

    /// Whether the instant is inside the working set.
    pub fn is_working_at(&self, t: EpochMs) -> Result<bool, CalendarError> {
        Ok(self.business_between(t, t + 1)? == 1)
    }
}

/// Every IANA time zone name the calendars accept (for suggestions in error messages).
pub fn time_zone_names() -> impl Iterator<Item = &'static str> {
    chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name())
}

/// Parses a holiday file: one `YYYY-MM-DD [name]` or `YYYY-MM-DD..YYYY-MM-DD [name]` per line,
/// `#` comments, blank lines ignored.
///
/// Returns the holidays and closures found, or **every** bad line (the list is never empty).
pub fn parse_holidays(text: &str) -> Result<(Vec<Holiday>, Vec<Closure>), Vec<CalendarError>> {
    let mut holidays = Vec::new();
    let mut closures = Vec::new();
    let mut errors = Vec::new();
    for (n, raw) in text.lines().enumerate() {
        let line = raw.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        let (first, rest) = match line.split_once(char::is_whitespace) {
            Some((f, r)) => (f, r.trim()),
            None => (line, ""),
        };
        let name = if rest.is_empty() {
            None
        } else {
            Some(rest.to_string())
        };
        let err = |reason: String| CalendarError::HolidayLine {
            line: n + 1,
            text: line.to_string(),
            reason,
        };
        let parse = |s: &str| {
            NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .ok()
                .filter(|_| s.len() == 10)
                .ok_or_else(|| err(format!("`{s}` is not a date of the form YYYY-MM-DD")))
        };
        match first.split_once("..") {
            Some((a, b)) => match (parse(a), parse(b)) {
                (Ok(from), Ok(to)) if to >= from => closures.push(Closure { from, to, name }),
                (Ok(_), Ok(_)) => errors.push(err("the closure ends before it starts".into())),
                (Err(e), _) | (_, Err(e)) => errors.push(e),
            },
            None => match parse(first) {
                Ok(date) => holidays.push(Holiday { date, name }),
                Err(e) => errors.push(e),
            },
        }
    }
    if errors.is_empty() {
        Ok((holidays, closures))
    } else {
        Err(errors)
    }
}
