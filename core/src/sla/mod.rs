//! SLA policies and their evaluation over lead timelines.
//!
//! An [`SlaPolicy`] is what an `sla "name" { ... }` declaration lowers to. A validated set of
//! policies plus the calendars they name is an [`SlaSet`]; [`SlaSet::evaluate`] runs it over a
//! [`Timeline`](crate::timeline::Timeline) at a given `now` and returns an [`Evaluation`].
//!
//! # Instances
//!
//! A policy runs as *instances*: periods during which its clock is owed.
//! - An instance **starts** at an event whose kind is in `start`. If an instance of the policy
//!   is still open, it is ended first (as [`SlaState::Cancelled`], or breached if its goal had
//!   already run out) and a new one starts: so after a retraction and a new `assigned`, the
//!   accept SLA restarts for the new assignment.
//! - A per-stage policy (`per_stage` set, "stalled" SLAs) ignores `start`: every
//!   `stage_changed` to a stage not in `except` starts an instance for that stage, and the next
//!   `stage_changed` ends it as met (the lead moved on in time) or breached.
//! - An instance **stops** at the first event whose kind is in `stop`: it is
//!   [`SlaState::Met`] if that instant is not later than the due instant, else
//!   [`SlaState::Breached`].
//! - An instance bound to a partner (one was assigned when it started; not per-stage) ends as
//!   cancelled when that partner loses the lead (`rejected`, `retracted`, `reassigned`,
//!   `handed_down`) unless that event is in `stop`. `won`, `lost` and `delivered` end every open
//!   instance the same way.
//! - While the lead's status (the last `status_changed`) is in `pause_while`, the clock of an
//!   open instance is stopped ([`SlaState::Paused`]); it resumes when the status changes to one
//!   not in the list. A pause never reduces the remaining time.
//! - Events later than `now` are ignored: the evaluation is "as of `now`".
//!
//! # Clocks
//!
//! A business goal measures elapsed time with [`Calendar::business_between`] on the named
//! calendar, or on the calendar of the instance's partner ([`CalendarRef::PartnerField`], looked
//! up through [`PartnerCalendars`] when the instance starts). A calendar-time goal counts every
//! millisecond (a `7d` goal is `7 * 24` hours of real time).
//!
//! # Deadlines and actions
//!
//! A warning threshold `f` (e.g. `0.75`) is crossed at the earliest instant at which the
//! instance's elapsed time reaches `round(f * goal)`; the breach happens at the earliest instant
//! at which it reaches the goal (the *due instant*). Each crossing makes actions due, with a
//! stable id:
//! - `"{instance}:warn:{percent}"` for a warning (`accept:warn:75`, `accept:warn:12.5`);
//! - `"{instance}:breach:{action}"` for each breach action, with `{action}` one of `remind`,
//!   `escalate:{role}`, `alert`, `reroute`.
//!
//! `{instance}` is the policy name for its first instance and `name#n` for the n-th restart
//! (`accept#1`), so ids never change as events are appended. An action is due when its
//! crossing instant is `<= now` and the host has not executed it yet ([`Done`]: the ids already
//! executed, or the cursor returned by the previous evaluation). Crossings are recorded only
//! while an instance is open, so an instance met before 75% never warns.
//!
//! `next_deadline` is the earliest crossing instant later than `now` of any running instance:
//! the one instant at which the answer changes if no event is recorded first.

mod eval;
mod reroute;

use std::collections::{BTreeSet, HashMap, HashSet};
use std::hash::BuildHasher;
use std::sync::Arc;

use rustc_hash::FxHashMap;

use crate::calendar::{Calendar, CalendarError};
use crate::report::{codes, ErrorReport};
use crate::timeline::{EventKind, TimelineError};
use crate::value::{DurationMs, EpochMs};

pub use crate::plan::policy::{Action, CalendarRef, Goal, SlaPolicy, StageSpec};
pub use eval::{DueAction, DueKind, Evaluation, SlaState, SlaStatus};
pub use reroute::{exclusions, reroute_plan, RerouteExclusion, ReroutePlan, RerouteReason};

/// Which actions the host has already executed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Done {
    /// None: every crossing at or before `now` is due.
    #[default]
    Nothing,
    /// These action ids were executed.
    Ids(HashSet<String>),
    /// Actions at or before this instant were executed: the `cursor` of the previous
    /// evaluation. Assumes events are recorded before a later evaluation.
    Cursor(EpochMs),
}

/// Looks up a partner's calendar name for [`CalendarRef::PartnerField`].
pub trait PartnerCalendars {
    /// The name of the calendar that `field` of partner `partner` holds, if any.
    fn calendar_name(&self, partner: &str, field: &str) -> Option<&str>;
}

/// No partner has a calendar.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoPartnerCalendars;

impl PartnerCalendars for NoPartnerCalendars {
    fn calendar_name(&self, _partner: &str, _field: &str) -> Option<&str> {
        None
    }
}

/// Partner id -> calendar name (whatever the field), with any hasher.
impl<S: BuildHasher> PartnerCalendars for HashMap<String, String, S> {
    fn calendar_name(&self, partner: &str, _field: &str) -> Option<&str> {
        self.get(partner).map(String::as_str)
    }
}

/// An invalid policy set, or an evaluation that cannot proceed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum SlaError {
    /// A policy is malformed.
    #[error("sla `{sla}`: {reason}")]
    InvalidPolicy {
        /// The policy's name.
        sla: String,
        /// What is wrong.
        reason: String,
        /// How to fix it.
        help: String,
    },
    /// A policy names a calendar the set does not define.
    #[error("sla `{sla}` uses calendar `{calendar}`, which is not defined")]
    UnknownCalendar {
        /// The policy's name.
        sla: String,
        /// The calendar's name.
        calendar: String,
    },
    /// An instance bound to a partner's calendar, but the partner has none (or none is
    /// defined with that name), or no partner is assigned.
    #[error(
        "sla `{sla}` on lead `{lead}`: no calendar for partner `{partner}` in field `{field}`"
    )]
    NoPartnerCalendar {
        /// The policy's name.
        sla: String,
        /// The lead id.
        lead: String,
        /// The partner id (empty if none is assigned).
        partner: String,
        /// The partner field.
        field: String,
    },
    /// A calendar of the set is invalid.
    #[error("calendar `{calendar}`: {source}")]
    InvalidCalendar {
        /// The calendar's name.
        calendar: String,
        /// What is wrong.
        source: CalendarError,
    },
    /// The timeline is invalid.
    #[error(transparent)]
    Timeline(#[from] TimelineError),
    /// Business-time arithmetic failed (an instant outside the supported years).
    #[error("lead `{lead}`: {source}")]
    Calendar {
        /// The lead id.
        lead: String,
        /// The calendar error.
        source: CalendarError,
    },
}

impl From<&SlaError> for ErrorReport {
    fn from(e: &SlaError) -> ErrorReport {
        match e {
            SlaError::Timeline(t) => ErrorReport::from(t),
            SlaError::Calendar { lead, source } => {
                let mut r = ErrorReport::from(source);
                r.message = e.to_string();
                r.record = Some(lead.clone());
                r
            }
            SlaError::InvalidCalendar { source, .. } => {
                let mut r = ErrorReport::from(source);
                r.message = e.to_string();
                r
            }
            _ => {
                let (code, help, record) = match e {
                    SlaError::InvalidPolicy { help, .. } => {
                        (codes::SLA_INVALID_POLICY, help.clone(), None)
                    }
                    SlaError::UnknownCalendar { .. } => (
                        codes::SLA_UNKNOWN_CALENDAR,
                        "define the calendar, or fix the name".to_string(),
                        None,
                    ),
                    SlaError::NoPartnerCalendar { lead, .. } => (
                        codes::SLA_UNKNOWN_CALENDAR,
                        "give the partner a calendar, or use a named calendar".to_string(),
                        Some(lead.clone()),
                    ),
                    _ => (codes::REQUEST_INVALID, String::new(), None),
                };
                ErrorReport::error(code, e.to_string())
                    .with_help(help)
                    .with_record_opt(record)
            }
        }
    }
}

impl From<SlaError> for ErrorReport {
    fn from(e: SlaError) -> ErrorReport {
        ErrorReport::from(&e)
    }
}

/// A threshold or the goal, compiled.
#[derive(Debug, Clone)]
pub(crate) struct Target {
    /// Elapsed time (ms) at which it is crossed.
    pub at_elapsed: DurationMs,
    /// `Some(f)` for a warning at fraction `f`; `None` for the breach.
    pub warn: Option<f64>,
    /// The id suffix (`warn:75`, or empty for the breach: its actions give the suffixes).
    pub suffix: String,
}

/// How a compiled policy finds its clock.
#[derive(Debug, Clone)]
pub(crate) enum ClockSpec {
    /// Calendar time.
    Wall,
    /// Business time on this calendar.
    Named(Calendar),
    /// Business time on the partner's calendar from this field.
    Partner(String),
}

/// A validated policy with precomputed lookups.
#[derive(Debug, Clone)]
pub(crate) struct Compiled {
    pub name: Arc<str>,
    pub policy: SlaPolicy,
    pub start: u32,
    pub stop: u32,
    pub clock: ClockSpec,
    /// Warnings ascending, then the breach (always last).
    pub targets: Vec<Target>,
    /// Breach action id suffixes, parallel to `policy.on_breach`.
    pub breach_suffixes: Vec<String>,
    /// Instance labels of the first [`SHARED_INSTANCES`] instances (`name`, `name#1`, ...).
    pub labels: Vec<Arc<str>>,
    /// Full action ids of the first [`SHARED_INSTANCES`] instances: per instance, one per
    /// warning, then one per breach action.
    pub ids: Vec<Vec<Arc<str>>>,
}

/// How many instances per policy get labels and action ids built once with the set (later
/// restarts format theirs when they are evaluated).
pub(crate) const SHARED_INSTANCES: u32 = 16;

/// A validated set of SLA policies with the calendars they use. `Send + Sync`; build once,
/// evaluate many timelines (also in parallel).
#[derive(Debug, Clone)]
pub struct SlaSet {
    pub(crate) policies: Vec<Compiled>,
    pub(crate) calendars: FxHashMap<String, Calendar>,
}

fn kinds_mask(kinds: &[EventKind]) -> u32 {
    kinds.iter().fold(0, |m, k| m | k.bit())
}

/// The label of instance `index` of policy `name`: `name`, then `name#1`, `name#2`, ...
pub(crate) fn instance_label(name: &str, index: u32) -> Arc<str> {
    if index == 0 {
        Arc::from(name)
    } else {
        Arc::from(format!("{name}#{index}"))
    }
}

fn percent(f: f64) -> String {
    let p = f * 100.0;
    if (p - p.round()).abs() < 1e-9 {
        format!("{}", p.round() as i64)
    } else {
        format!("{p}")
    }
}

impl SlaSet {
    /// Validates the policies against the calendars. Reports every problem (the list is never
    /// empty on error): duplicate policy names, a non-positive goal, a business goal without a
    /// calendar, an unknown calendar, a threshold outside `(0, 1)` or repeated, a repeated
    /// breach action, a non-per-stage policy without `start`, a per-stage policy with `start`.
    pub fn new(
        policies: Vec<SlaPolicy>,
        calendars: Vec<Calendar>,
    ) -> Result<SlaSet, Vec<SlaError>> {
        let calendars: FxHashMap<String, Calendar> = calendars
            .into_iter()
            .map(|c| (c.name().to_string(), c))
            .collect();
        let mut errors = Vec::new();
        let mut names = BTreeSet::new();
        let mut compiled = Vec::with_capacity(policies.len());
        for p in policies {
            let invalid = |reason: &str, help: &str| SlaError::InvalidPolicy {
                sla: p.name.clone(),
                reason: reason.to_string(),
                help: help.to_string(),
            };
            let before = errors.len();
            if !names.insert(p.name.clone()) {
                errors.push(invalid("is defined twice", "give each sla a unique name"));
            }
            if p.goal.duration_ms <= 0 {
                errors.push(invalid(
                    "the goal must be longer than zero",
                    "write a goal such as `24h`",
                ));
            }
            match (&p.per_stage, p.start.is_empty()) {
                (None, true) => errors.push(invalid(
                    "has no start event",
                    "add `start <event>`, or make it a per-stage sla with `each stage`",
                )),
                (Some(_), false) => errors.push(invalid(
                    "is per stage, so it starts on stage changes and takes no start event",
                    "remove `start`",
                )),
                _ => {}
            }
            let clock = if p.goal.business {
                match &p.goal.calendar {
                    None => {
                        errors.push(invalid(
                            "a business-time goal needs a calendar",
                            "name a calendar, e.g. `goal 24h business \"us-central\"`",
                        ));
                        ClockSpec::Wall
                    }
                    Some(CalendarRef::Named(n)) => match calendars.get(n) {
                        Some(c) => ClockSpec::Named(c.clone()),
                        None => {
                            errors.push(SlaError::UnknownCalendar {
                                sla: p.name.clone(),
                                calendar: n.clone(),
                            });
                            ClockSpec::Wall
                        }
                    },
                    Some(CalendarRef::PartnerField(f)) => ClockSpec::Partner(f.clone()),
                }
            } else {
                ClockSpec::Wall
            };
            let mut warn = p.warn.clone();
            warn.sort_by(f64::total_cmp);
            if warn.iter().any(|f| !(*f > 0.0 && *f < 1.0)) {
                errors.push(invalid(
                    "warning thresholds must be between 0% and 100%, exclusive",
                    "write thresholds such as `warn 50%, 75%`",
                ));
            }
            if warn.windows(2).any(|w| w.first() == w.get(1)) {
                errors.push(invalid(
                    "a warning threshold is repeated",
                    "list each threshold once",
                ));
            }
            let breach_suffixes: Vec<String> = p
                .on_breach
                .iter()
                .map(|a| format!("breach:{}", a.id_part()))
                .collect();
            let unique: BTreeSet<&String> = breach_suffixes.iter().collect();
            if unique.len() != breach_suffixes.len() {
                errors.push(invalid(
                    "a breach action is repeated",
                    "list each action once",
                ));
            }
            if errors.len() > before {
                continue;
            }
            let goal = p.goal.duration_ms;
            let mut targets: Vec<Target> = warn
                .iter()
                .map(|&f| Target {
                    at_elapsed: ((goal as f64) * f).round().clamp(1.0, goal as f64) as i64,
                    warn: Some(f),
                    suffix: format!("warn:{}", percent(f)),
                })
                .collect();
            targets.push(Target {
                at_elapsed: goal,
                warn: None,
                suffix: String::new(),
            });
            let labels: Vec<Arc<str>> = (0..SHARED_INSTANCES)
                .map(|i| instance_label(&p.name, i))
                .collect();
            let ids = labels
                .iter()
                .map(|label| {
                    targets
                        .iter()
                        .filter(|t| t.warn.is_some())
                        .map(|t| &t.suffix)
                        .chain(&breach_suffixes)
                        .map(|sfx| Arc::from(format!("{label}:{sfx}")))
                        .collect()
                })
                .collect();
            compiled.push(Compiled {
                labels,
                ids,
                name: Arc::from(p.name.as_str()),
                start: kinds_mask(&p.start),
                stop: kinds_mask(&p.stop),
                clock,
                targets,
                breach_suffixes,
                policy: p,
            });
        }
        if errors.is_empty() {
            Ok(SlaSet {
                policies: compiled,
                calendars,
            })
        } else {
            Err(errors)
        }
    }

    /// [`SlaSet::new`] from calendar definitions (e.g. a plan's `calendars`): every invalid
    /// calendar is reported as [`SlaError::InvalidCalendar`], then the policies are validated.
    pub fn from_specs(
        policies: Vec<SlaPolicy>,
        calendars: &[crate::calendar::CalendarSpec],
    ) -> Result<SlaSet, Vec<SlaError>> {
        let mut built = Vec::with_capacity(calendars.len());
        let mut errors = Vec::new();
        for spec in calendars {
            match Calendar::new(spec.clone()) {
                Ok(c) => built.push(c),
                Err(source) => errors.push(SlaError::InvalidCalendar {
                    calendar: spec.name.clone(),
                    source,
                }),
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        SlaSet::new(policies, built)
    }

    /// The policies, in order.
    pub fn policies(&self) -> impl Iterator<Item = &SlaPolicy> {
        self.policies.iter().map(|c| &c.policy)
    }

    /// A calendar of the set by name.
    pub fn calendar(&self, name: &str) -> Option<&Calendar> {
        self.calendars.get(name)
    }

    /// Evaluates every policy over a timeline at `now` (see the module docs), with no partner
    /// calendars.
    pub fn evaluate(
        &self,
        timeline: &crate::timeline::Timeline,
        now: EpochMs,
        done: &Done,
    ) -> Result<Evaluation, SlaError> {
        self.evaluate_with(timeline, now, done, &NoPartnerCalendars)
    }

    /// The next instant (`> now`) at which the evaluation changes if no event is recorded:
    /// the earliest warning or due instant of a running instance; `None` if nothing is running.
    pub fn next_deadline(
        &self,
        timeline: &crate::timeline::Timeline,
        now: EpochMs,
    ) -> Result<Option<EpochMs>, SlaError> {
        Ok(self.evaluate(timeline, now, &Done::Nothing)?.next_deadline)
    }
}

/// Evaluates `set` over `timeline` at `now`: the free-function form of [`SlaSet::evaluate`].
pub fn evaluate(
    set: &SlaSet,
    timeline: &crate::timeline::Timeline,
    now: EpochMs,
    done: &Done,
) -> Result<Evaluation, SlaError> {
    set.evaluate(timeline, now, done)
}

/// The next instant at which anything changes: the free-function form of
/// [`SlaSet::next_deadline`].
pub fn next_deadline(
    set: &SlaSet,
    timeline: &crate::timeline::Timeline,
    now: EpochMs,
) -> Result<Option<EpochMs>, SlaError> {
    set.next_deadline(timeline, now)
}
