//! Shared builders for the KPI tests: events at hours after a fixed Monday, timelines, SLAs.
#![expect(dead_code, clippy::unwrap_used, reason = "test support code")]

use leadrail_core::sla::{Goal, SlaPolicy, SlaSet};
use leadrail_core::timeline::{Event, EventData, EventKind, Timeline};
use leadrail_core::value::EpochMs;

/// An hour (ms).
pub const H: i64 = 3_600_000;
/// 2026-03-02T00:00:00Z, a Monday.
pub const T0: EpochMs = 1_772_409_600_000;

/// `hours` after [`T0`].
pub fn at(hours: i64) -> EpochMs {
    T0 + hours * H
}

/// An RFC 3339 instant in ms.
pub fn ms(s: &str) -> EpochMs {
    chrono::DateTime::parse_from_rfc3339(s)
        .unwrap()
        .timestamp_millis()
}

fn p(s: &str) -> String {
    s.to_string()
}

pub fn assigned(h: i64, partner: &str) -> Event {
    Event::new(
        at(h),
        EventData::Assigned {
            partner: p(partner),
        },
    )
}
pub fn reassigned(h: i64, partner: &str) -> Event {
    Event::new(
        at(h),
        EventData::Reassigned {
            partner: p(partner),
        },
    )
}
pub fn handed_down(h: i64, reseller: &str) -> Event {
    Event::new(
        at(h),
        EventData::HandedDown {
            reseller: p(reseller),
        },
    )
}
pub fn accepted(h: i64, partner: &str) -> Event {
    Event::new(
        at(h),
        EventData::Accepted {
            partner: p(partner),
        },
    )
}
pub fn rejected(h: i64, partner: &str, reason: &str) -> Event {
    Event::new(
        at(h),
        EventData::Rejected {
            partner: p(partner),
            reason: p(reason),
        },
    )
}
pub fn viewed(h: i64) -> Event {
    Event::new(at(h), EventData::Viewed { partner: None })
}
pub fn contacted(h: i64) -> Event {
    Event::new(at(h), EventData::Contacted { partner: None })
}
pub fn retracted(h: i64) -> Event {
    Event::new(at(h), EventData::Retracted { partner: None })
}
pub fn stage(h: i64, s: &str) -> Event {
    Event::new(at(h), EventData::StageChanged { stage: p(s) })
}
pub fn status(h: i64, s: &str) -> Event {
    Event::new(at(h), EventData::StatusChanged { status: p(s) })
}
pub fn won(h: i64) -> Event {
    Event::new(at(h), EventData::Won)
}
pub fn lost(h: i64) -> Event {
    Event::new(at(h), EventData::Lost)
}
pub fn ordered(h: i64) -> Event {
    Event::new(at(h), EventData::Ordered)
}
pub fn delivered(h: i64) -> Event {
    Event::new(at(h), EventData::Delivered)
}

pub fn tl(lead: &str, events: Vec<Event>) -> Timeline {
    Timeline::new(lead, events)
}

/// One SLA, `accept`: from `assigned` until `accepted` or `rejected`, `goal_h` hours of
/// calendar time.
pub fn accept_sla(goal_h: i64) -> SlaSet {
    SlaSet::new(
        vec![SlaPolicy {
            name: "accept".into(),
            start: vec![EventKind::Assigned],
            stop: vec![EventKind::Accepted, EventKind::Rejected],
            pause_while: vec![],
            goal: Goal {
                duration_ms: goal_h * H,
                business: false,
                calendar: None,
            },
            warn: vec![],
            on_breach: vec![],
            per_stage: None,
        }],
        vec![],
    )
    .unwrap()
}
