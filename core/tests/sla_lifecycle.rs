//! SLA evaluation on hand-computed lifecycles (issue #3, items 3-5).
//!
//! Calendar `us-central`: America/Chicago, Mon-Fri 08:00-17:00 (9 business hours a day).
//! Instants carry their offsets worked out by hand (CST -06:00 until 2026-03-08, CDT -05:00 after).
#![expect(clippy::unwrap_used, reason = "test code")]

use std::collections::{HashMap, HashSet};

use chrono::DateTime;
use leadrail_core::calendar::{Calendar, CalendarSpec, WorkInterval};
use leadrail_core::report::{codes, ErrorReport};
use leadrail_core::sla::{
    reroute_plan, Action, CalendarRef, Done, DueKind, Goal, RerouteReason, SlaError, SlaPolicy,
    SlaSet, SlaState, StageSpec,
};
use leadrail_core::timeline::{Event, EventData, EventKind, Timeline};

const H: i64 = 3_600_000;
const M: i64 = 60_000;
const DAY: i64 = 24 * H;

fn t(s: &str) -> i64 {
    DateTime::parse_from_rfc3339(s).unwrap().timestamp_millis()
}

fn calendars() -> Vec<Calendar> {
    let us = Calendar::new(CalendarSpec::weekdays(
        "us-central",
        "America/Chicago",
        &[WorkInterval::hm(8, 0, 17, 0)],
    ))
    .unwrap();
    let de = Calendar::new(CalendarSpec::weekdays(
        "de",
        "Europe/Berlin",
        &[WorkInterval::hm(9, 0, 17, 0)],
    ))
    .unwrap();
    vec![us, de]
}

fn business(hours: i64, cal: CalendarRef) -> Goal {
    Goal {
        duration_ms: hours * H,
        business: true,
        calendar: Some(cal),
    }
}

fn accept_policy() -> SlaPolicy {
    SlaPolicy {
        name: "accept".into(),
        start: vec![EventKind::Assigned],
        stop: vec![EventKind::Accepted, EventKind::Rejected],
        pause_while: vec![],
        goal: business(24, CalendarRef::Named("us-central".into())),
        warn: vec![0.75, 0.5],
        on_breach: vec![Action::Remind, Action::RetractAndReroute],
        per_stage: None,
    }
}

fn contact_policy() -> SlaPolicy {
    SlaPolicy {
        name: "first_contact".into(),
        start: vec![EventKind::Accepted],
        stop: vec![EventKind::Contacted],
        pause_while: vec!["waiting_on_customer".into()],
        goal: business(48, CalendarRef::Named("us-central".into())),
        warn: vec![],
        on_breach: vec![Action::Escalate {
            role: "channel-manager".into(),
        }],
        per_stage: None,
    }
}

fn stalled_policy() -> SlaPolicy {
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
    }
}

fn set() -> SlaSet {
    SlaSet::new(
        vec![accept_policy(), contact_policy(), stalled_policy()],
        calendars(),
    )
    .unwrap()
}

fn ev(at: &str, data: EventData) -> Event {
    Event::new(t(at), data)
}

fn ids(e: &leadrail_core::sla::Evaluation) -> Vec<&str> {
    e.due.iter().map(|d| &*d.id).collect()
}

#[test]
fn lifecycle_assigned_warning_breach_retraction_reassignment_acceptance_contact_met() {
    let set = set();
    // Monday 2026-03-02 08:00 CST: assigned to P1. 50% (12h) = Tue 11:00, 75% (18h) = Tue 17:00,
    // due (24h = 9 + 9 + 6) = Wed 14:00 CST.
    let mut tl = Timeline::new(
        "L1",
        vec![ev(
            "2026-03-02T08:00:00-06:00",
            EventData::Assigned {
                partner: "P1".into(),
            },
        )],
    );

    // Wednesday 12:00: 9 + 9 + 4 = 22h elapsed, both warnings due, next deadline the breach.
    let now = t("2026-03-04T12:00:00-06:00");
    let e = set.evaluate(&tl, now, &Done::Nothing).unwrap();
    assert_eq!(e.slas.len(), 1);
    let s = &e.slas[0];
    assert_eq!(
        (s.state, s.elapsed_ms, s.remaining_ms),
        (SlaState::Running, 22 * H, 2 * H)
    );
    assert_eq!(s.due_at, Some(t("2026-03-04T14:00:00-06:00")));
    assert_eq!(s.partner.as_deref(), Some("P1"));
    assert_eq!(ids(&e), vec!["accept:warn:50", "accept:warn:75"]);
    assert_eq!(e.due[0].at, t("2026-03-03T11:00:00-06:00"));
    assert_eq!(e.due[1].at, t("2026-03-03T17:00:00-06:00"));
    assert_eq!(e.due[1].kind, DueKind::Warning { threshold: 0.75 });
    assert_eq!(e.next_deadline, Some(t("2026-03-04T14:00:00-06:00")));
    assert_eq!(
        set.next_deadline(&tl, now).unwrap(),
        Some(t("2026-03-04T14:00:00-06:00"))
    );
    // Monday 10:00 the next deadline is the 50% warning.
    assert_eq!(
        set.next_deadline(&tl, t("2026-03-02T10:00:00-06:00"))
            .unwrap(),
        Some(t("2026-03-03T11:00:00-06:00"))
    );

    // The host executed the 50% warning on Tuesday at 12:00 and passes the cursor: only 75% is due.
    let e = set
        .evaluate(&tl, now, &Done::Cursor(t("2026-03-03T12:00:00-06:00")))
        .unwrap();
    assert_eq!(ids(&e), vec!["accept:warn:75"]);
    assert_eq!(e.cursor, now);

    // Thursday 09:00: breached at Wed 14:00; breach actions due once, warnings already done.
    let executed: HashSet<String> = ["accept:warn:50", "accept:warn:75"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let now = t("2026-03-05T09:00:00-06:00");
    let e = set
        .evaluate(&tl, now, &Done::Ids(executed.clone()))
        .unwrap();
    let s = &e.slas[0];
    assert_eq!(
        (s.state, s.elapsed_ms, s.remaining_ms),
        (SlaState::Breached, 28 * H, 0)
    );
    assert_eq!(
        ids(&e),
        vec!["accept:breach:remind", "accept:breach:reroute"]
    );
    assert!(e.due.iter().all(|d| d.at == t("2026-03-04T14:00:00-06:00")));
    assert_eq!(e.next_deadline, None);

    // The re-route: retract from P1, exclude P1 (timed out).
    let plan = reroute_plan(&set, &tl, &e).unwrap();
    assert_eq!(&*plan.trigger.id, "accept:breach:reroute");
    assert_eq!(plan.retract.as_deref(), Some("P1"));
    assert_eq!(plan.exclude_ids(), vec!["P1"]);
    assert_eq!(
        plan.exclude[0].reason,
        RerouteReason::TimedOut {
            sla: "accept".into(),
            instance: "accept".into(),
            due_at: t("2026-03-04T14:00:00-06:00")
        }
    );

    // The host retracts, re-routes to P2 (routing half comes later), P2 accepts, pauses for the
    // customer over the weekend (DST starts Sunday 2026-03-08), and contacts on Monday.
    tl.events.extend([
        ev(
            "2026-03-05T09:05:00-06:00",
            EventData::Retracted {
                partner: Some("P1".into()),
            },
        ),
        ev(
            "2026-03-05T09:06:00-06:00",
            EventData::Assigned {
                partner: "P2".into(),
            },
        ),
        ev(
            "2026-03-05T10:00:00-06:00",
            EventData::Accepted {
                partner: "P2".into(),
            },
        ),
        ev(
            "2026-03-05T11:00:00-06:00",
            EventData::StatusChanged {
                status: "waiting_on_customer".into(),
            },
        ),
        ev(
            "2026-03-09T09:00:00-05:00",
            EventData::StatusChanged {
                status: "open".into(),
            },
        ),
        ev(
            "2026-03-09T10:00:00-05:00",
            EventData::Contacted {
                partner: Some("P2".into()),
            },
        ),
    ]);
    let mut executed = executed;
    executed.extend([
        "accept:breach:remind".to_string(),
        "accept:breach:reroute".to_string(),
    ]);
    let now = t("2026-03-09T12:00:00-05:00");
    let e = set.evaluate(&tl, now, &Done::Ids(executed)).unwrap();
    assert!(e.due.is_empty(), "{:?}", e.due);
    assert_eq!(e.next_deadline, None);
    let by: HashMap<&str, _> = e.slas.iter().map(|s| (&*s.instance, s)).collect();
    assert_eq!(by.len(), 3);
    let first = by["accept"];
    assert_eq!(first.state, SlaState::Breached);
    assert_eq!(first.ended_at, Some(t("2026-03-05T09:05:00-06:00")));
    assert_eq!(first.elapsed_ms, 28 * H + 5 * M);
    let second = by["accept#1"];
    assert_eq!(
        (second.state, second.index, second.partner.as_deref()),
        (SlaState::Met, 1, Some("P2"))
    );
    assert_eq!(second.elapsed_ms, 54 * M);
    assert_eq!(second.remaining_ms, 24 * H - 54 * M);
    let contact = by["first_contact"];
    assert_eq!((contact.state, contact.elapsed_ms), (SlaState::Met, 2 * H));

    // A later re-route would exclude P1 only: P2 neither rejected nor timed out.
    assert!(reroute_plan(&set, &tl, &e).is_none());
}

#[test]
fn pause_stops_the_clock_and_keeps_the_remaining_time() {
    let set = set();
    let tl = Timeline::new(
        "L2",
        vec![
            ev(
                "2026-06-01T08:00:00-05:00",
                EventData::Assigned {
                    partner: "P1".into(),
                },
            ),
            ev(
                "2026-06-01T09:00:00-05:00",
                EventData::Accepted {
                    partner: "P1".into(),
                },
            ),
            ev(
                "2026-06-01T12:00:00-05:00",
                EventData::StatusChanged {
                    status: "waiting_on_customer".into(),
                },
            ),
        ],
    );
    let at_pause = set
        .evaluate(&tl, t("2026-06-01T12:00:00-05:00"), &Done::Nothing)
        .unwrap();
    let later = set
        .evaluate(&tl, t("2026-06-10T12:00:00-05:00"), &Done::Nothing)
        .unwrap();
    for e in [&at_pause, &later] {
        let c = e.slas.iter().find(|s| &*s.sla == "first_contact").unwrap();
        assert_eq!(
            (c.state, c.elapsed_ms, c.remaining_ms, c.due_at),
            (SlaState::Paused, 3 * H, 45 * H, None)
        );
    }
    assert_eq!(later.next_deadline, None);
    assert!(later.due.is_empty());
}

#[test]
fn stalled_stages_each_get_an_instance_except_won_and_lost() {
    let set = set();
    let tl = Timeline::new(
        "L3",
        vec![
            ev(
                "2026-06-01T08:00:00Z",
                EventData::StageChanged {
                    stage: "new".into(),
                },
            ),
            ev(
                "2026-06-04T08:00:00Z",
                EventData::StageChanged {
                    stage: "qualified".into(),
                },
            ),
            ev(
                "2026-06-14T08:00:00Z",
                EventData::StageChanged {
                    stage: "proposal".into(),
                },
            ),
            ev(
                "2026-06-15T08:00:00Z",
                EventData::StageChanged {
                    stage: "won".into(),
                },
            ),
        ],
    );
    let e = set
        .evaluate(&tl, t("2026-06-20T00:00:00Z"), &Done::Nothing)
        .unwrap();
    let st: Vec<(&str, Option<&str>, SlaState)> = e
        .slas
        .iter()
        .map(|s| (&*s.instance, s.stage.as_deref(), s.state))
        .collect();
    assert_eq!(
        st,
        vec![
            ("stalled", Some("new"), SlaState::Met),
            ("stalled#1", Some("qualified"), SlaState::Breached),
            ("stalled#2", Some("proposal"), SlaState::Met),
        ]
    );
    assert_eq!(ids(&e), vec!["stalled#1:breach:alert"]);
    assert_eq!(e.due[0].at, t("2026-06-11T08:00:00Z"));
    assert_eq!(
        e.due[0].kind,
        DueKind::Breach {
            action: Action::Alert {
                message: "stalled lead".into()
            }
        }
    );
    // While stalled in `proposal`, the next deadline is 7 days after entering it.
    assert_eq!(
        set.next_deadline(&tl, t("2026-06-14T09:00:00Z")).unwrap(),
        Some(t("2026-06-21T08:00:00Z"))
    );
}

#[test]
fn rejection_stops_and_excludes_and_partner_calendars_are_used() {
    let mut policy = accept_policy();
    policy.goal = business(8, CalendarRef::PartnerField("calendar".into()));
    let set = SlaSet::new(vec![policy], calendars()).unwrap();
    let tl = Timeline::new(
        "L4",
        vec![
            ev(
                "2026-06-01T09:00:00+02:00",
                EventData::Assigned {
                    partner: "DE1".into(),
                },
            ),
            ev(
                "2026-06-01T10:00:00+02:00",
                EventData::Rejected {
                    partner: "DE1".into(),
                    reason: "no capacity".into(),
                },
            ),
            ev(
                "2026-06-01T10:01:00+02:00",
                EventData::Assigned {
                    partner: "US1".into(),
                },
            ),
        ],
    );
    let partners: HashMap<String, String> = [("DE1", "de"), ("US1", "us-central")]
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    let now = t("2026-06-02T12:00:00-05:00");
    let e = set
        .evaluate_with(&tl, now, &Done::Nothing, &partners)
        .unwrap();
    assert_eq!(e.slas[0].state, SlaState::Met);
    assert_eq!(e.slas[0].elapsed_ms, H);
    // US1 on Chicago hours: assigned 03:01 CDT Monday -> due Monday 16:00 CDT (8h from 08:00).
    assert_eq!(e.slas[1].due_at, Some(t("2026-06-01T16:00:00-05:00")));
    assert_eq!(e.slas[1].state, SlaState::Breached);
    let plan = reroute_plan(&set, &tl, &e).unwrap();
    assert_eq!(plan.retract.as_deref(), Some("US1"));
    assert_eq!(plan.exclude_ids(), vec!["DE1", "US1"]);
    assert!(
        matches!(plan.exclude[0].reason, RerouteReason::Rejected { ref reason, .. } if reason == "no capacity")
    );
    // Without partner calendars it is a typed error.
    let err = set.evaluate(&tl, now, &Done::Nothing).unwrap_err();
    assert!(matches!(err, SlaError::NoPartnerCalendar { ref partner, .. } if partner == "DE1"));
    assert_eq!(ErrorReport::from(&err).code, codes::SLA_UNKNOWN_CALENDAR);
}

#[test]
fn stop_exactly_at_the_due_instant_is_met_and_one_ms_later_is_breached() {
    let set = set();
    for (accept_at, state, due) in [
        ("2026-03-04T14:00:00-06:00", SlaState::Met, 0),
        ("2026-03-04T14:00:00.001-06:00", SlaState::Breached, 2),
    ] {
        let tl = Timeline::new(
            "L5",
            vec![
                ev(
                    "2026-03-02T08:00:00-06:00",
                    EventData::Assigned {
                        partner: "P1".into(),
                    },
                ),
                ev(
                    accept_at,
                    EventData::Accepted {
                        partner: "P1".into(),
                    },
                ),
            ],
        );
        let e = set
            .evaluate(&tl, t("2026-03-06T00:00:00-06:00"), &Done::Nothing)
            .unwrap();
        assert_eq!(e.slas[0].state, state, "{accept_at}");
        assert_eq!(
            e.due
                .iter()
                .filter(|d| matches!(d.kind, DueKind::Breach { .. }))
                .count(),
            due
        );
    }
}

#[test]
fn events_after_now_are_ignored_and_invalid_timelines_are_errors() {
    let set = set();
    let tl = Timeline::new(
        "L6",
        vec![
            ev(
                "2026-03-02T08:00:00-06:00",
                EventData::Assigned {
                    partner: "P1".into(),
                },
            ),
            ev(
                "2026-03-02T10:00:00-06:00",
                EventData::Accepted {
                    partner: "P1".into(),
                },
            ),
        ],
    );
    let e = set
        .evaluate(&tl, t("2026-03-02T09:00:00-06:00"), &Done::Nothing)
        .unwrap();
    assert_eq!(
        (e.slas.len(), e.slas[0].state, e.slas[0].elapsed_ms),
        (1, SlaState::Running, H)
    );
    let bad = Timeline::new(
        "L7",
        vec![ev(
            "2026-03-02T08:00:00-06:00",
            EventData::Accepted {
                partner: "P1".into(),
            },
        )],
    );
    let err = set.evaluate(&bad, 0, &Done::Nothing).unwrap_err();
    assert!(matches!(err, SlaError::Timeline(_)));
    assert_eq!(ErrorReport::from(&err).code, codes::TIMELINE_NOT_ASSIGNED);
}

#[test]
fn invalid_policies_are_all_reported() {
    let mut a = accept_policy();
    a.warn = vec![0.5, 1.5];
    let mut b = contact_policy();
    b.goal.calendar = Some(CalendarRef::Named("nowhere".into()));
    let mut c = stalled_policy();
    c.start = vec![EventKind::Assigned];
    let mut d = accept_policy();
    d.on_breach = vec![Action::Remind, Action::Remind];
    let errors = SlaSet::new(vec![a, b, c, d], calendars()).unwrap_err();
    let messages: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
    assert_eq!(
        messages,
        vec![
            "sla `accept`: warning thresholds must be between 0% and 100%, exclusive",
            "sla `first_contact` uses calendar `nowhere`, which is not defined",
            "sla `stalled`: is per stage, so it starts on stage changes and takes no start event",
            "sla `accept`: is defined twice",
            "sla `accept`: a breach action is repeated",
        ]
    );
    assert!(errors
        .iter()
        .all(|e| ErrorReport::from(e).code.starts_with("leadrail::sla::")));
}

#[test]
fn policies_round_trip_through_json() {
    let policies = vec![accept_policy(), contact_policy(), stalled_policy()];
    let json = serde_json::to_string(&policies).unwrap();
    assert!(
        json.contains(r#""calendar":{"named":"us-central"}"#),
        "{json}"
    );
    assert!(
        json.contains(r#"{"action":"escalate","role":"channel-manager"}"#),
        "{json}"
    );
    let back: Vec<SlaPolicy> = serde_json::from_str(&json).unwrap();
    assert_eq!(back, policies);
}
