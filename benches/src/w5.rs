//! BENCH.md W5: KPIs over 10,000,000 events of 100,000 leads across 1,000 partners and 24
//! months, generated deterministically from a seed.
//!
//! Each lead starts at a uniform instant of the 24 months before `now` (2026-04-01T00:00Z) and
//! is `assigned` to one of 1,000 partners; then, up to three routings: accepted (65%, after a
//! `viewed` half the time; a distributor hands 10% of its accepted leads down to a reseller, who
//! accepts 80% of them), rejected (15%, one of five reasons; re-assigned to another partner 80%
//! of the time), retracted (10%; re-assigned 80%), reassigned (5%) or left pending (5%). Then
//! 3 to 8 stage changes over five stages (stages may repeat and reopen) among filler events
//! (`viewed`, `contacted`, `status_changed`) that bring the lead to 62 to 142 events (about
//! 100 on average), minutes to hours apart; then won (30%; ordered 70% of those, delivered 80% of
//! those), lost (35%) or still open (35%). Amounts are log-uniform between 1,000 and 500,000;
//! regions 50 subdivisions of 10 countries; 20 product lines.
//!
//! SLAs (calendar time, so the polars pipeline can compute the same): `accept` (assigned until
//! accepted or rejected, 24h), `first_contact` (accepted until contacted, 48h), `stalled` (per
//! stage, 7 days).

use crate::rng::SplitMix64;
use leadrail_core::kpi::LeadInfo;
use leadrail_core::sla::{Goal, SlaPolicy, SlaSet, StageSpec};
use leadrail_core::timeline::{Event, EventData, EventKind, Timeline};
use leadrail_core::value::EpochMs;
use rust_decimal::Decimal;

const MIN: i64 = 60_000;
const H: i64 = 3_600_000;
const DAY: i64 = 24 * H;
/// 2026-04-01T00:00:00Z: `now` of the workload.
pub const W5_NOW: EpochMs = 1_775_001_600_000;
/// 24 months (730 days) before `now`.
pub const W5_START: EpochMs = W5_NOW - 730 * DAY;

/// The stages leads move through.
pub const STAGES: [&str; 5] = ["new", "qualified", "proposal", "negotiation", "closing"];
/// Rejection reasons.
pub const REASONS: [&str; 5] = [
    "no capacity",
    "out of territory",
    "too small",
    "duplicate",
    "not our product",
];
/// Countries of the regions.
pub const COUNTRIES: [&str; 10] = ["US", "CA", "DE", "FR", "GB", "IT", "ES", "NL", "JP", "BR"];

/// The W5 workload.
#[derive(Debug, Clone)]
pub struct W5 {
    /// The lead timelines.
    pub timelines: Vec<Timeline>,
    /// The lead records.
    pub leads: Vec<LeadInfo>,
    /// The SLAs.
    pub slas: SlaSet,
    /// The instant the KPIs are as of.
    pub now: EpochMs,
}

/// The W5 SLAs.
pub fn slas() -> Result<SlaSet, String> {
    let wall = |h: i64| Goal {
        duration_ms: h * H,
        business: false,
        calendar: None,
    };
    let policy = |name: &str, start: Vec<EventKind>, stop: Vec<EventKind>, goal: Goal| SlaPolicy {
        name: name.into(),
        start,
        stop,
        pause_while: vec![],
        goal,
        warn: vec![],
        on_breach: vec![],
        per_stage: None,
    };
    let mut stalled = policy("stalled", vec![], vec![], wall(7 * 24));
    stalled.per_stage = Some(StageSpec { except: vec![] });
    SlaSet::new(
        vec![
            policy(
                "accept",
                vec![EventKind::Assigned],
                vec![EventKind::Accepted, EventKind::Rejected],
                wall(24),
            ),
            policy(
                "first_contact",
                vec![EventKind::Accepted],
                vec![EventKind::Contacted],
                wall(48),
            ),
            stalled,
        ],
        vec![],
    )
    .map_err(|e| format!("{e:?}"))
}

/// One of `items`, uniformly.
fn pick<'a>(rng: &mut SplitMix64, items: &[&'a str]) -> &'a str {
    let i = usize::try_from(rng.below(items.len() as u64)).unwrap_or(0);
    items.get(i).copied().unwrap_or_default()
}

fn partner(rng: &mut SplitMix64, partners: u64) -> String {
    format!("P{:04}", rng.below(partners))
}

/// One lead's timeline.
pub fn timeline(rng: &mut SplitMix64, i: usize, partners: u64) -> Timeline {
    let target = 62 + rng.below(81) as usize;
    let mut events: Vec<Event> = Vec::with_capacity(target + 8);
    let mut t = W5_START + rng.below_i64(720 * DAY);
    let push = |events: &mut Vec<Event>, t: &mut i64, gap: i64, data: EventData| {
        *t += gap;
        events.push(Event::new(*t, data));
    };
    let mut holder = Some(partner(rng, partners));
    push(
        &mut events,
        &mut t,
        0,
        EventData::Assigned {
            partner: holder.clone().unwrap_or_default(),
        },
    );
    for _ in 0..3 {
        let Some(p) = holder.clone() else { break };
        let gap = MIN + rng.below_i64(30 * H);
        if rng.below(2) == 0 {
            push(
                &mut events,
                &mut t,
                gap / 2,
                EventData::Viewed {
                    partner: Some(p.clone()),
                },
            );
        }
        let roll = rng.below(100);
        if roll < 65 {
            push(
                &mut events,
                &mut t,
                gap,
                EventData::Accepted { partner: p.clone() },
            );
            // distributors (every tenth partner) hand some leads down
            if p.ends_with('0') && rng.below(10) == 0 {
                let r = partner(rng, partners);
                push(
                    &mut events,
                    &mut t,
                    H,
                    EventData::HandedDown {
                        reseller: r.clone(),
                    },
                );
                if rng.below(10) < 8 {
                    push(
                        &mut events,
                        &mut t,
                        2 * H,
                        EventData::Accepted { partner: r },
                    );
                }
            }
            break;
        } else if roll < 80 {
            let reason = pick(rng, &REASONS).to_string();
            push(
                &mut events,
                &mut t,
                gap,
                EventData::Rejected { partner: p, reason },
            );
            holder = None;
            if rng.below(10) < 8 {
                let q = partner(rng, partners);
                push(
                    &mut events,
                    &mut t,
                    H,
                    EventData::Assigned { partner: q.clone() },
                );
                holder = Some(q);
            }
        } else if roll < 90 {
            push(
                &mut events,
                &mut t,
                gap,
                EventData::Retracted { partner: Some(p) },
            );
            holder = None;
            if rng.below(10) < 8 {
                let q = partner(rng, partners);
                push(
                    &mut events,
                    &mut t,
                    MIN,
                    EventData::Assigned { partner: q.clone() },
                );
                holder = Some(q);
            }
        } else if roll < 95 {
            let q = partner(rng, partners);
            push(
                &mut events,
                &mut t,
                gap,
                EventData::Reassigned { partner: q.clone() },
            );
            holder = Some(q);
        } else {
            break;
        }
    }
    let stages = 3 + rng.below(6) as usize;
    let fillers = target.saturating_sub(events.len() + stages + 3);
    let mut stage_at: Vec<usize> = rng.distinct(stages, fillers + stages);
    stage_at.reverse();
    let mut s = 0usize;
    for k in 0..fillers + stages {
        let gap = MIN + rng.below_i64(6 * H);
        if stage_at.last() == Some(&k) {
            stage_at.pop();
            // mostly forward, sometimes back (a reopened stage) or the same
            s = match rng.below(10) {
                0 => s.saturating_sub(1),
                1 => s,
                _ => (s + 1).min(STAGES.len() - 1),
            };
            let stage = STAGES.get(s).copied().unwrap_or("new").to_string();
            push(&mut events, &mut t, gap, EventData::StageChanged { stage });
            continue;
        }
        let data = match rng.below(3) {
            0 => EventData::Viewed { partner: None },
            1 => EventData::Contacted { partner: None },
            _ => EventData::StatusChanged {
                status: pick(rng, &["open", "waiting_on_customer"]).into(),
            },
        };
        push(&mut events, &mut t, gap, data);
    }
    match rng.below(100) {
        0..=29 => {
            push(
                &mut events,
                &mut t,
                H + rng.below_i64(2 * DAY),
                EventData::Won,
            );
            if rng.below(10) < 7 {
                push(
                    &mut events,
                    &mut t,
                    rng.below_i64(3 * DAY),
                    EventData::Ordered,
                );
                if rng.below(10) < 8 {
                    push(
                        &mut events,
                        &mut t,
                        rng.below_i64(10 * DAY),
                        EventData::Delivered,
                    );
                }
            }
        }
        30..=64 => push(
            &mut events,
            &mut t,
            H + rng.below_i64(2 * DAY),
            EventData::Lost,
        ),
        _ => {}
    }
    Timeline::new(format!("L{i:06}"), events)
}

/// A lead's record.
pub fn lead(rng: &mut SplitMix64, i: usize) -> LeadInfo {
    let amount = (1000.0 * 500f64.powf(rng.unit())).round() as i64;
    let country = pick(rng, &COUNTRIES);
    LeadInfo {
        id: format!("L{i:06}"),
        amount: Some(Decimal::from(amount)),
        region: Some(format!("{country}-{}", rng.below(5))),
        product_line: Some(format!("PL{:02}", rng.below(20))),
    }
}

/// Generates `n` leads over `partners` partners from `seed` (BENCH.md: 100,000 and 1,000).
pub fn generate(n: usize, partners: u64, seed: u64) -> Result<W5, String> {
    let mut rng = SplitMix64::new(seed);
    let timelines = (0..n).map(|i| timeline(&mut rng, i, partners)).collect();
    let leads = (0..n).map(|i| lead(&mut rng, i)).collect();
    Ok(W5 {
        timelines,
        leads,
        slas: slas()?,
        now: W5_NOW,
    })
}
