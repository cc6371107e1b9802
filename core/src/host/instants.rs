//! The routing instants of a host's batch, in one of three forms, checked once.

#![expect(
    clippy::result_large_err,
    reason = "batch items carry the language-neutral ErrorReport"
)]

use serde::{Deserialize, Serialize};

use super::errors;
use crate::report::ErrorReport;
use crate::route::Times;
use crate::value::{DurationMs, EpochMs};

/// The routing instants of a batch: one for every lead, one per lead, or a start and a step.
///
/// ```
/// use leadrail_core::host::Instants;
///
/// assert_eq!(Instants::One(5).get(9), Some(5));
/// assert_eq!(Instants::PerLead(vec![1, 2, 3]).get(2), Some(3));
/// assert_eq!(Instants::Step { start: 100, step_ms: 10 }.get(3), Some(130));
///
/// // checked once against the number of leads
/// assert!(Instants::PerLead(vec![1, 2, 3]).check(3).is_ok());
/// let e = Instants::PerLead(vec![1, 2]).check(3).unwrap_err();
/// assert_eq!(e.message, "3 leads but 2 instants");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Instants {
    /// Every lead at the same instant.
    One(EpochMs),
    /// One instant per lead, in lead order.
    PerLead(Vec<EpochMs>),
    /// Lead `i` (0-based, counted in the whole batch) at `start + i * step_ms`.
    Step {
        /// The first lead's instant.
        start: EpochMs,
        /// The gap between consecutive leads, in milliseconds.
        step_ms: DurationMs,
    },
}

impl Instants {
    /// The instant of lead `row` (0-based in the whole batch), if there is one.
    pub fn get(&self, row: usize) -> Option<EpochMs> {
        self.times().get(row)
    }

    /// Whether these instants fit a batch of `rows` leads: one per lead, or steps that stay in
    /// range. The host layer's batch entry points check it before reading any lead.
    pub fn check(&self, rows: usize) -> Result<(), ErrorReport> {
        match self {
            Instants::One(_) => Ok(()),
            Instants::PerLead(v) if v.len() == rows => Ok(()),
            Instants::PerLead(v) => Err(errors::instants_count(rows, v.len())),
            Instants::Step { start, step_ms } => match rows.checked_sub(1) {
                Some(last) if self.get(last).is_none() => {
                    Err(errors::instants_overflow(rows, *start, *step_ms))
                }
                _ => Ok(()),
            },
        }
    }

    /// The instants as the engine takes them, lead `i` at row `i`.
    pub(crate) fn times(&self) -> Times<'_> {
        match self {
            Instants::One(t) => Times::At(*t),
            Instants::PerLead(v) => Times::Each(v),
            Instants::Step { start, step_ms } => Times::Step {
                start: *start,
                step: *step_ms,
            },
        }
    }

    /// The instants of the good leads among rows `at..at + rows` of the batch, `bad` the rows
    /// left out (relative to `at`, ascending): lead `i` of the result is the `i`-th good row.
    pub(crate) fn of_good<'a>(&'a self, at: usize, rows: usize, bad: &[usize]) -> GoodTimes<'a> {
        match self {
            Instants::One(t) => GoodTimes::Times(Times::At(*t)),
            Instants::PerLead(v) if bad.is_empty() => {
                GoodTimes::Times(Times::Each(v.get(at..).unwrap_or(&[])))
            }
            Instants::Step { start, step_ms } if bad.is_empty() => {
                let start = i64::try_from(at)
                    .ok()
                    .and_then(|at| step_ms.checked_mul(at))
                    .and_then(|d| start.checked_add(d));
                match start {
                    Some(start) => GoodTimes::Times(Times::Step {
                        start,
                        step: *step_ms,
                    }),
                    None => GoodTimes::Owned(Vec::new()),
                }
            }
            _ => {
                let mut skip = bad.iter().copied().peekable();
                let kept = (0..rows)
                    .filter(|r| skip.next_if_eq(r).is_none())
                    .map_while(|r| self.get(at + r))
                    .collect();
                GoodTimes::Owned(kept)
            }
        }
    }
}

impl From<EpochMs> for Instants {
    fn from(t: EpochMs) -> Instants {
        Instants::One(t)
    }
}

impl From<Vec<EpochMs>> for Instants {
    fn from(v: Vec<EpochMs>) -> Instants {
        Instants::PerLead(v)
    }
}

/// The instants of a batch's good leads, borrowed from the batch's or computed for them.
pub(crate) enum GoodTimes<'a> {
    Times(Times<'a>),
    Owned(Vec<EpochMs>),
}

impl GoodTimes<'_> {
    /// As the engine takes them (a lead past the end gets the missing-instant error).
    pub(crate) fn times(&self) -> Times<'_> {
        match self {
            GoodTimes::Times(t) => *t,
            GoodTimes::Owned(v) => Times::Each(v),
        }
    }
}
