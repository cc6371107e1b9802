//! Property tests of business-time arithmetic and SLA evaluation (issue #3, "proptest").
#![expect(clippy::unwrap_used, clippy::indexing_slicing, reason = "test code")]

use std::collections::HashSet;
use std::sync::LazyLock;

use leadrail_core::calendar::{Calendar, CalendarSpec, Closure, Holiday, WorkInterval};
use leadrail_core::sla::{Action, CalendarRef, Done, Goal, SlaPolicy, SlaSet, SlaState, StageSpec};
use leadrail_core::timeline::{Event, EventData, EventKind, Timeline};
use proptest::prelude::*;

const H: i64 = 3_600_000;
const T2020: i64 = 1_577_836_800_000; // 2020-01-01T00:00:00Z
const T2030: i64 = 1_893_456_000_000; // 2030-01-01T00:00:00Z

fn date(s: &str) -> chrono::NaiveDate {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

static CALENDARS: LazyLock<Vec<Calendar>> = LazyLock::new(|| {
    let mut us = CalendarSpec::weekdays("us", "America/Chicago", &[WorkInterval::hm(8, 0, 17, 0)]);
    for y in 2020..2031 {
        us.holidays.push(Holiday {
            date: date(&format!("{y}-07-04")),
            name: None,
        });
        us.holidays.push(Holiday {
            date: date(&format!("{y}-12-25")),
            name: None,
        });
    }
    let mut de = CalendarSpec::weekdays(
        "de",
        "Europe/Berlin",
        &[
            WorkInterval::hm(9, 0, 12, 0),
            WorkInterval::hm(13, 0, 17, 30),
        ],
    );
    for y in 2020..2031 {
        de.closures.push(Closure {
            from: date(&format!("{y}-12-24")),
            to: date(&format!("{y}-12-31")),
            name: None,
        });
    }
    let mut night = CalendarSpec::weekdays(
        "night",
        "Asia/Tokyo",
        &[WorkInterval::hm(0, 0, 3, 0), WorkInterval::hm(21, 0, 24, 0)],
    );
    night.weekly[5] = vec![WorkInterval::hm(1, 30, 2, 45)];
    // Sunday 00:00-04:00 in Berlin: covers both DST transitions every year.
    let mut sunday = CalendarSpec::weekdays("sunday", "Europe/Berlin", &[]);
    sunday.weekly[6] = vec![WorkInterval::hm(0, 0, 4, 0)];
    [us, de, night, sunday]
        .into_iter()
        .map(|s| Calendar::new(s).unwrap())
        .collect()
});

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn add_then_between_is_the_identity(cal in 0usize..4, t in T2020..T2030, d in 0i64..(3000 * H)) {
        let cal = &CALENDARS[cal];
        let u = cal.business_add(t, d).unwrap();
        prop_assert!(u >= t);
        prop_assert_eq!(cal.business_between(t, u).unwrap(), d);
        // Earliest: one millisecond earlier is not enough.
        if d > 0 {
            prop_assert_eq!(cal.business_between(t, u - 1).unwrap(), d - 1);
        }
    }

    #[test]
    fn between_is_additive(cal in 0usize..4, a in T2020..T2030, b in T2020..T2030, c in T2020..T2030) {
        let cal = &CALENDARS[cal];
        let ab = cal.business_between(a, b).unwrap();
        let bc = cal.business_between(b, c).unwrap();
        prop_assert_eq!(ab + bc, cal.business_between(a, c).unwrap());
        prop_assert_eq!(ab, -cal.business_between(b, a).unwrap());
    }
}

fn policies() -> SlaSet {
    let business = |h: i64, cal: &str| Goal {
        duration_ms: h * H,
        business: true,
        calendar: Some(CalendarRef::Named(cal.into())),
    };
    SlaSet::new(
        vec![
            SlaPolicy {
                name: "accept".into(),
                start: vec![EventKind::Assigned, EventKind::Reassigned],
                stop: vec![EventKind::Accepted, EventKind::Rejected],
                pause_while: vec![],
                goal: business(24, "us"),
                warn: vec![0.5, 0.75, 0.9],
                on_breach: vec![Action::Remind, Action::RetractAndReroute],
                per_stage: None,
            },
            SlaPolicy {
                name: "first_contact".into(),
                start: vec![EventKind::Accepted],
                stop: vec![EventKind::Contacted],
                pause_while: vec!["waiting_on_customer".into()],
                goal: business(48, "de"),
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
                pause_while: vec!["waiting_on_customer".into()],
                goal: Goal {
                    duration_ms: 7 * 24 * H,
                    business: false,
                    calendar: None,
                },
                warn: vec![0.5],
                on_breach: vec![Action::Alert {
                    message: "stalled".into(),
                }],
                per_stage: Some(StageSpec {
                    except: vec!["won".into(), "lost".into()],
                }),
            },
        ],
        CALENDARS.clone(),
    )
    .unwrap()
}

/// Builds a valid timeline from random operations and gaps (invalid operations are skipped).
fn timeline(start: i64, ops: &[(u8, i64)]) -> Timeline {
    let mut events = Vec::new();
    let mut at = start;
    let mut assignee: Option<String> = None;
    let mut n = 0;
    let mut paused = false;
    for &(op, gap) in ops {
        at += gap;
        let data = match (op % 9, &assignee) {
            (0, None) => {
                n += 1;
                let p = format!("P{n}");
                assignee = Some(p.clone());
                EventData::Assigned { partner: p }
            }
            (1, Some(p)) => EventData::Accepted { partner: p.clone() },
            (2, Some(p)) => {
                let e = EventData::Rejected {
                    partner: p.clone(),
                    reason: String::new(),
                };
                assignee = None;
                e
            }
            (3, Some(_)) => EventData::Contacted { partner: None },
            (4, _) => {
                paused = !paused;
                EventData::StatusChanged {
                    status: if paused {
                        "waiting_on_customer"
                    } else {
                        "open"
                    }
                    .into(),
                }
            }
            (5, _) | (6, _) => EventData::StageChanged {
                stage: ["new", "qualified", "proposal", "negotiation", "won"][(gap % 5) as usize]
                    .into(),
            },
            (7, Some(_)) => {
                assignee = None;
                EventData::Retracted { partner: None }
            }
            (8, Some(_)) => {
                n += 1;
                let p = format!("P{n}");
                assignee = Some(p.clone());
                EventData::Reassigned { partner: p }
            }
            _ => continue,
        };
        events.push(Event::new(at, data));
    }
    Timeline::new("L", events)
}

fn ops() -> impl Strategy<Value = Vec<(u8, i64)>> {
    prop::collection::vec((0u8..9, 0i64..(3 * 24 * H)), 0..14)
}

static SET: LazyLock<SlaSet> = LazyLock::new(policies);

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn elapsed_plus_remaining_is_the_goal_while_running(start in T2020..(T2030 - 400 * 24 * H), ops in ops(), now_gap in 0i64..(60 * 24 * H)) {
        let tl = timeline(start, &ops);
        let now = start + now_gap;
        let e = SET.evaluate(&tl, now, &Done::Nothing).unwrap();
        for s in &e.slas {
            prop_assert!(s.elapsed_ms >= 0 && s.remaining_ms >= 0);
            if matches!(s.state, SlaState::Running | SlaState::Paused) {
                prop_assert_eq!(s.elapsed_ms + s.remaining_ms, s.goal_ms, "{:?}", s);
            }
            if s.state == SlaState::Running {
                prop_assert!(s.due_at.unwrap() > now);
                prop_assert!(s.next_at.unwrap() > now && s.next_at <= s.due_at);
            }
        }
        if let Some(d) = e.next_deadline {
            prop_assert!(d > now);
        }
        // The deadline holds if no event is recorded before it.
        let quiet = e.next_deadline.filter(|&d| !tl.events.iter().any(|ev| ev.at > now && ev.at <= d));
        if let Some(d) = quiet {
            // Nothing changes before the deadline: the same actions are due just before it.
            let before = SET.evaluate(&tl, d - 1, &Done::Nothing).unwrap();
            let at_now: Vec<_> = e.due.iter().map(|a| &a.id).collect();
            let at_before: Vec<_> = before.due.iter().map(|a| &a.id).collect();
            prop_assert_eq!(at_now, at_before);
            let at_deadline = SET.evaluate(&tl, d, &Done::Nothing).unwrap();
            prop_assert!(at_deadline.due.len() > e.due.len() || at_deadline.slas.iter().zip(&e.slas).any(|(a, b)| a.state != b.state));
        }
    }

    #[test]
    fn a_pause_never_reduces_the_remaining_time(start in T2020..(T2030 - 400 * 24 * H), accept_gap in 0i64..(5 * 24 * H), p1 in 0i64..(10 * 24 * H), len in 0i64..(10 * 24 * H), now_gap in 0i64..(30 * 24 * H)) {
        let assigned = Event::new(start, EventData::Assigned { partner: "P1".into() });
        let accepted = Event::new(start + accept_gap, EventData::Accepted { partner: "P1".into() });
        let plain = Timeline::new("L", vec![assigned.clone(), accepted.clone()]);
        let paused = Timeline::new("L", vec![
            assigned,
            accepted,
            Event::new(start + accept_gap + p1, EventData::StatusChanged { status: "waiting_on_customer".into() }),
            Event::new(start + accept_gap + p1 + len, EventData::StatusChanged { status: "open".into() }),
        ]);
        let now = start + now_gap;
        let a = SET.evaluate(&plain, now, &Done::Nothing).unwrap();
        let b = SET.evaluate(&paused, now, &Done::Nothing).unwrap();
        let contact = |e: &leadrail_core::sla::Evaluation| e.slas.iter().find(|s| &*s.sla == "first_contact").map(|s| (s.remaining_ms, s.due_at));
        if let (Some((ra, da)), Some((rb, db))) = (contact(&a), contact(&b)) {
            prop_assert!(rb >= ra, "pause reduced remaining: {} < {}", rb, ra);
            if let (Some(da), Some(db)) = (da, db) {
                prop_assert!(db >= da);
            }
        }
        // And remaining never grows as time passes without events.
        let later = SET.evaluate(&paused, now + 5 * H, &Done::Nothing).unwrap();
        if let (Some((r1, _)), Some((r2, _))) = (contact(&b), contact(&later)) {
            prop_assert!(r2 <= r1);
        }
    }

    #[test]
    fn an_action_is_never_due_twice(start in T2020..(T2030 - 400 * 24 * H), ops in ops(), steps in prop::collection::vec(0i64..(2 * 24 * H), 1..20)) {
        let tl = timeline(start, &ops);
        let mut executed: HashSet<String> = HashSet::new();
        let mut cursor_seen: HashSet<String> = HashSet::new();
        let mut cursor = Done::Nothing;
        let mut now = start;
        for step in steps {
            now += step;
            let e = SET.evaluate(&tl, now, &Done::Ids(executed.clone())).unwrap();
            for a in &e.due {
                prop_assert!(a.at <= now);
                prop_assert!(executed.insert(a.id.to_string()), "{} due twice", a.id);
            }
            let c = SET.evaluate(&tl, now, &cursor).unwrap();
            for a in &c.due {
                prop_assert!(cursor_seen.insert(a.id.to_string()), "{} due twice with a cursor", a.id);
            }
            cursor = Done::Cursor(c.cursor);
        }
        // Every action due by the end was reported exactly once, by both protocols.
        let all: HashSet<String> = SET.evaluate(&tl, now, &Done::Nothing).unwrap().due.into_iter().map(|a| a.id.to_string()).collect();
        prop_assert_eq!(&all, &executed);
        prop_assert_eq!(&all, &cursor_seen);
    }
}
