//! The routing instants of a host's batch, in one of three forms, checked once.

#![expect(
    clippy::result_large_err,
    reason = "batch items carry the language-neutral ErrorReport"
)]

use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

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

/// How every error about `now` says what to pass.
const NOW_HELP: &str = "pass one instant (milliseconds since the epoch, an RFC 3339 text or an \
                        aware datetime), one per lead (any sequence), or `{\"start\": instant, \
                        \"step\": milliseconds}`";

impl Instants {
    /// `now` of a batch in its JSON form (the bindings convert theirs to it): one instant (an
    /// integer, milliseconds since the epoch, or an RFC 3339 text), an array of them (one per
    /// lead), or `{"start": instant, "step": step}` (lead `i` at `start + i * step`; the step
    /// in milliseconds or as a duration text, `"90s"`).
    ///
    /// ```
    /// use leadrail_core::host::Instants;
    /// use serde_json::json;
    ///
    /// assert_eq!(Instants::from_json(&json!(5)).unwrap(), Instants::One(5));
    /// assert_eq!(Instants::from_json(&json!([1, "1970-01-01T00:00:00.002Z"])).unwrap(), Instants::PerLead(vec![1, 2]));
    /// let steps = Instants::from_json(&json!({"start": "2026-11-24T09:00:00Z", "step": "1m"})).unwrap();
    /// assert_eq!(steps, Instants::Step { start: 1795510800000, step_ms: 60_000 });
    /// let e = Instants::from_json(&json!({"start": 0})).unwrap_err();
    /// assert_eq!(e.message, "`now` as start and step needs `step` (milliseconds between leads)");
    /// ```
    pub fn from_json(json: &Json) -> Result<Instants, ErrorReport> {
        match json {
            Json::Array(items) => items
                .iter()
                .enumerate()
                .map(|(i, t)| instant(t, &format!("now[{i}]")))
                .collect::<Result<Vec<_>, _>>()
                .map(Instants::PerLead),
            Json::Object(map) => {
                if let Some(k) = map.keys().find(|k| *k != "start" && *k != "step") {
                    return Err(now_error(format!(
                        "`now` as start and step has an unknown key `{k}`"
                    )));
                }
                let (Some(start), Some(step)) = (map.get("start"), map.get("step")) else {
                    let missing = match map.contains_key("start") {
                        true => "`step` (milliseconds between leads)",
                        false => "`start` (the first lead's instant)",
                    };
                    return Err(now_error(format!(
                        "`now` as start and step needs {missing}"
                    )));
                };
                let step_ms = match step {
                    Json::Number(n) => n.as_i64(),
                    Json::String(s) => crate::record::parse_duration(s).ok(),
                    _ => None,
                }
                .ok_or_else(|| {
                    now_error(format!(
                        "`now`'s step must be milliseconds (an integer) or a duration text \
                         (`\"90s\"`), not `{step}`"
                    ))
                })?;
                Ok(Instants::Step {
                    start: instant(start, "now.start")?,
                    step_ms,
                })
            }
            other => instant(other, "now").map(Instants::One),
        }
    }
}

/// One instant in its JSON form: milliseconds since the epoch, or an RFC 3339 text; `what`
/// names it in the error.
pub(crate) fn instant(json: &Json, what: &str) -> Result<EpochMs, ErrorReport> {
    match json {
        Json::Number(n) => n
            .as_i64()
            .ok_or_else(|| now_error(format!("`{what}` must be whole milliseconds, not `{n}`"))),
        Json::String(s) => instant_text(s),
        other => Err(now_error(format!(
            "`{what}` must be an instant, not `{other}`"
        ))),
    }
}

/// An RFC 3339 instant (with an offset).
pub(crate) fn instant_text(s: &str) -> Result<EpochMs, ErrorReport> {
    chrono::DateTime::parse_from_rfc3339(s)
        .map(|t| t.timestamp_millis())
        .map_err(|_| {
            ErrorReport::request(
                format!("`{s}` is not an RFC 3339 instant"),
                "write instants like `2026-11-24T09:00:00Z` or as milliseconds since the epoch",
            )
        })
}

fn now_error(message: String) -> ErrorReport {
    ErrorReport::request(message, NOW_HELP)
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
