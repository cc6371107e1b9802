//! BENCH.md W4: SLA evaluation over lead timelines, generated deterministically from a seed.
//!
//! Each timeline: `assigned` (one of 300 partners, each on one of three calendars:
//! America/Chicago, Europe/Berlin, Asia/Tokyo, with weekly hours and 10 holidays a year), then
//! with probability 70% / 10% / 20% `accepted` / `rejected` / nothing; after an acceptance,
//! `contacted` with probability 80%, with a pause (`waiting_on_customer` then `open`) before it
//! with probability 30%; then 2 to 6 stage changes (the last may be `won` or `lost`). Instants are
//! spread over 90 days; all timelines are evaluated at one `now` at the end of that window.
//! Policies: `accept` (24 business hours, warnings at 50/75/90%, remind + re-route), the
//! `first_contact` (48 business hours, paused while waiting on the customer, escalate), both on
//! the partner's calendar, and `stalled` (per stage except won/lost, 7 days, alert).

use crate::rng::SplitMix64;
use chrono::{Datelike, NaiveDate};
use leadrail_core::calendar::{Calendar, CalendarError, CalendarSpec, Holiday, WorkInterval};
use leadrail_core::sla::{
    Action, CalendarRef, Done, Evaluation, Goal, SlaError, SlaPolicy, SlaSet, StageSpec,
};
use leadrail_core::timeline::{Event, EventData, EventKind, Timeline};
use leadrail_core::value::EpochMs;
use rustc_hash::FxHashMap;

const H: i64 = 3_600_000;
const DAY: i64 = 24 * H;
/// 2026-01-05T00:00:00Z, the start of the 90-day window.
pub const W4_START: EpochMs = 1_767_571_200_000;

/// The W4 workload.
#[derive(Debug, Clone)]
pub struct W4 {
    /// The policies and calendars.
    pub set: SlaSet,
    /// Partner id -> calendar name (a host's partner table, with a fast hasher).
    pub partners: FxHashMap<String, String>,
    /// The timelines.
    pub timelines: Vec<Timeline>,
    /// The evaluation instant.
    pub now: EpochMs,
}

fn calendar(
    name: &str,
    tz: &str,
    hours: &[WorkInterval],
    seed: u64,
) -> Result<Calendar, CalendarError> {
    let mut spec = CalendarSpec::weekdays(name, tz, hours);
    // 10 holidays a year on weekdays, for 2025..=2027.
    let mut rng = SplitMix64::new(seed);
    for year in 2025..=2027 {
        let mut n = 0;
        while n < 10 {
            let ordinal = u32::try_from(1 + rng.below(365)).unwrap_or(1);
            if let Some(date) = NaiveDate::from_yo_opt(year, ordinal) {
                if date.weekday().num_days_from_monday() < 5
                    && !spec.holidays.iter().any(|h| h.date == date)
                {
                    spec.holidays.push(Holiday { date, name: None });
                    n += 1;
                }
            }
        }
    }
    Calendar::new(spec)
}

/// The W4 policies over the three calendars (errors as their messages).
pub fn policies() -> Result<SlaSet, String> {
    let calendars = vec![
        calendar(
            "us-central",
            "America/Chicago",
            &[WorkInterval::hm(8, 0, 17, 0)],
            1,
        ),
        calendar(
            "de",
            "Europe/Berlin",
            &[
                WorkInterval::hm(9, 0, 12, 30),
                WorkInterval::hm(13, 30, 18, 0),
            ],
            2,
        ),
        calendar("jp", "Asia/Tokyo", &[WorkInterval::hm(9, 0, 18, 0)], 3),
    ]
    .into_iter()
    .collect::<Result<Vec<_>, _>>()
    .map_err(|e| e.to_string())?;
    let partner_cal = Some(CalendarRef::PartnerField("calendar".into()));
    SlaSet::new(
        vec![
            SlaPolicy {
                name: "accept".into(),
                start: vec![EventKind::Assigned],
                stop: vec![EventKind::Accepted, EventKind::Rejected],
                pause_while: vec![],
                goal: Goal {
                    duration_ms: 24 * H,
                    business: true,
                    calendar: partner_cal.clone(),
                },
                warn: vec![0.5, 0.75, 0.9],
                on_breach: vec![Action::Remind, Action::RetractAndReroute],
                per_stage: None,
            },
            SlaPolicy {
                name: "first_contact".into(),
                start: vec![EventKind::Accepted],
                stop: vec![EventKind::Contacted],
                pause_while: vec!["waiting_on_customer".into()],
                goal: Goal {
                    duration_ms: 48 * H,
                    business: true,
                    calendar: partner_cal,
                },
                warn: vec![0.75],
                on_breach: vec![Action::Escalate {
                    role: "channel-manager".into(),
                }],
                per_stage: None,
            },
            SlaPolicy {
                name: "stalled".into(),
                start: vec![],
                stop: vec![],
                pause_while: vec![],
                goal: Goal {
                    duration_ms: 7 * DAY,
                    business: false,
                    calendar: None,
                },
                warn: vec![],
                on_breach: vec![Action::Alert {
                    message: "stalled lead".into(),
                }],
                per_stage: Some(StageSpec {
                    except: vec!["won".into(), "lost".into()],
                }),
            },
        ],
        calendars,
    )
    .map_err(|errors| {
        errors
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("; ")
    })
}

const STAGES: [&str; 5] = ["new", "qualified", "proposal", "negotiation", "closing"];

/// One timeline from the generator.
pub fn timeline(rng: &mut SplitMix64, i: usize, partners: usize) -> Timeline {
    let mut at = W4_START + rng.below_i64(80 * DAY);
    let partner = format!("P{:03}", rng.below(u64::try_from(partners).unwrap_or(1)));
    let mut events = Vec::with_capacity(12);
    events.push(Event::new(
        at,
        EventData::Assigned {
            partner: partner.clone(),
        },
    ));
    let roll = rng.below(100);
    if roll < 70 {
        at += rng.below_i64(3 * DAY);
        events.push(Event::new(
            at,
            EventData::Accepted {
                partner: partner.clone(),
            },
        ));
        if rng.below(100) < 80 {
            if rng.below(100) < 30 {
                at += rng.below_i64(DAY);
                events.push(Event::new(
                    at,
                    EventData::StatusChanged {
                        status: "waiting_on_customer".into(),
                    },
                ));
                at += rng.below_i64(3 * DAY);
                events.push(Event::new(
                    at,
                    EventData::StatusChanged {
                        status: "open".into(),
                    },
                ));
            }
            at += rng.below_i64(4 * DAY);
            events.push(Event::new(
                at,
                EventData::Contacted {
                    partner: Some(partner),
                },
            ));
        }
    } else if roll < 80 {
        at += rng.below_i64(2 * DAY);
        events.push(Event::new(
            at,
            EventData::Rejected {
                partner,
                reason: "no capacity".into(),
            },
        ));
    }
    let stages = 2 + rng.below(5);
    for s in 0..stages {
        at += rng.below_i64(10 * DAY);
        let last = s + 1 == stages;
        let stage = match (last, rng.below(3)) {
            (true, 0) => "won",
            (true, 1) => "lost",
            _ => STAGES
                .get(usize::try_from(s).unwrap_or(0))
                .copied()
                .unwrap_or("closing"),
        };
        events.push(Event::new(
            at,
            EventData::StageChanged {
                stage: stage.into(),
            },
        ));
    }
    Timeline::new(format!("L{i:07}"), events)
}

/// Generates `n` timelines from `seed`.
pub fn generate(n: usize, seed: u64) -> Result<W4, String> {
    let set = policies()?;
    let cals = ["us-central", "de", "jp"];
    let partners: FxHashMap<String, String> = (0..300)
        .map(|i| {
            let cal = cals.get(i % 3).copied().unwrap_or("us-central");
            (format!("P{i:03}"), cal.to_string())
        })
        .collect();
    let mut rng = SplitMix64::new(seed);
    let timelines = (0..n).map(|i| timeline(&mut rng, i, 300)).collect();
    Ok(W4 {
        set,
        partners,
        timelines,
        now: W4_START + 90 * DAY,
    })
}

/// Evaluates one timeline of the workload.
pub fn evaluate(w: &W4, t: &Timeline) -> Result<Evaluation, SlaError> {
    w.set.evaluate_with(t, w.now, &Done::Nothing, &w.partners)
}

/// An empty evaluation to reuse with [`evaluate_into`].
pub fn scratch(w: &W4) -> Evaluation {
    Evaluation {
        lead: String::new(),
        slas: Vec::new(),
        due: Vec::new(),
        next_deadline: None,
        cursor: w.now,
    }
}

/// Evaluates one timeline of the workload into a reused evaluation (a host's batch loop).
pub fn evaluate_into(w: &W4, t: &Timeline, out: &mut Evaluation) -> Result<(), SlaError> {
    w.set
        .evaluate_into(t, w.now, &Done::Nothing, &w.partners, out)
}
