//! Timeline events: serde form and validation (issue #3, item 1).

use leadrail_core::report::{codes, ErrorReport};
use leadrail_core::timeline::{Event, EventData, EventKind, Timeline, TimelineError};

fn assigned(at: i64, p: &str) -> Event {
    Event::new(at, EventData::Assigned { partner: p.into() })
}
fn accepted(at: i64, p: &str) -> Event {
    Event::new(at, EventData::Accepted { partner: p.into() })
}

#[test]
fn a_full_lifecycle_is_valid_and_round_trips_through_json() {
    let tl = Timeline::new(
        "L1",
        vec![
            Event::new(0, EventData::Created),
            assigned(10, "P1"),
            Event::new(
                11,
                EventData::Viewed {
                    partner: Some("P1".into()),
                },
            ),
            Event::new(
                12,
                EventData::Rejected {
                    partner: "P1".into(),
                    reason: "out of area".into(),
                },
            ),
            assigned(20, "P2"),
            Event::new(
                21,
                EventData::HandedDown {
                    reseller: "R7".into(),
                },
            ),
            accepted(22, "R7"),
            Event::new(23, EventData::Contacted { partner: None }),
            Event::new(
                24,
                EventData::StageChanged {
                    stage: "qualified".into(),
                },
            ),
            Event::new(
                25,
                EventData::StatusChanged {
                    status: "waiting_on_customer".into(),
                },
            ),
            Event::new(
                25,
                EventData::StatusChanged {
                    status: "open".into(),
                },
            ),
            Event::new(30, EventData::Won),
            Event::new(31, EventData::Ordered),
            Event::new(32, EventData::Delivered),
        ],
    );
    tl.validate().unwrap();
    assert_eq!(tl.assignee(), Some("R7"));
    assert_eq!(tl.rejected_by(), vec!["P1"]);
    let json = serde_json::to_string(&tl).unwrap();
    assert!(
        json.contains(r#"{"at":10,"event":"assigned","partner":"P1"}"#),
        "{json}"
    );
    assert!(
        json.contains(r#"{"at":24,"event":"stage_changed","stage":"qualified"}"#),
        "{json}"
    );
    let back: Timeline = serde_json::from_str(&json).unwrap();
    assert_eq!(back, tl);
}

#[test]
fn out_of_order_instants() {
    let tl = Timeline::new("L2", vec![assigned(100, "P1"), accepted(99, "P1")]);
    let e = tl.validate().unwrap_err();
    assert_eq!(
        e,
        TimelineError::OutOfOrder {
            lead: "L2".into(),
            index: 1,
            kind: EventKind::Accepted,
            at: 99,
            previous: 100
        }
    );
    let r = ErrorReport::from(&e);
    assert_eq!(r.code, codes::TIMELINE_OUT_OF_ORDER);
    assert_eq!(r.record.as_deref(), Some("L2"));
    assert_eq!(r.field.as_deref(), Some("events[1]"));
    assert_eq!(
        r.message,
        "lead `L2`: event 1 (`accepted`) at 99 is earlier than the event before it at 100"
    );
}

#[test]
fn events_after_close() {
    let lost = Timeline::new(
        "L3",
        vec![
            assigned(1, "P1"),
            Event::new(2, EventData::Lost),
            Event::new(3, EventData::Contacted { partner: None }),
        ],
    );
    assert_eq!(
        lost.validate().unwrap_err(),
        TimelineError::AfterClose {
            lead: "L3".into(),
            index: 2,
            kind: EventKind::Contacted,
            closed_by: EventKind::Lost
        }
    );
    let won = Timeline::new(
        "L4",
        vec![
            Event::new(1, EventData::Won),
            Event::new(2, EventData::StageChanged { stage: "x".into() }),
        ],
    );
    assert_eq!(
        won.validate().unwrap_err(),
        TimelineError::AfterClose {
            lead: "L4".into(),
            index: 1,
            kind: EventKind::StageChanged,
            closed_by: EventKind::Won
        }
    );
    let delivered = Timeline::new(
        "L5",
        vec![
            Event::new(1, EventData::Won),
            Event::new(2, EventData::Delivered),
            Event::new(3, EventData::Ordered),
        ],
    );
    assert_eq!(
        ErrorReport::from(delivered.validate().unwrap_err()).code,
        codes::TIMELINE_AFTER_CLOSE
    );
}

#[test]
fn accept_by_a_partner_the_lead_is_not_assigned_to() {
    let tl = Timeline::new("L6", vec![assigned(1, "P1"), accepted(2, "P2")]);
    let e = tl.validate().unwrap_err();
    assert_eq!(
        e,
        TimelineError::NotAssigned {
            lead: "L6".into(),
            index: 1,
            kind: EventKind::Accepted,
            partner: "P2".into(),
            assignee: Some("P1".into())
        }
    );
    assert_eq!(
        e.to_string(),
        "lead `L6`: event 1 (`accepted`) by `P2`, but the lead is assigned to `P1`"
    );
    // Accepting after rejecting: the lead is no longer assigned.
    let tl = Timeline::new(
        "L7",
        vec![
            assigned(1, "P1"),
            Event::new(
                2,
                EventData::Rejected {
                    partner: "P1".into(),
                    reason: String::new(),
                },
            ),
            accepted(3, "P1"),
        ],
    );
    assert!(matches!(
        tl.validate(),
        Err(TimelineError::NotAssigned {
            index: 2,
            assignee: None,
            ..
        })
    ));
    // A retracted partner cannot accept either.
    let tl = Timeline::new(
        "L8",
        vec![
            assigned(1, "P1"),
            Event::new(2, EventData::Retracted { partner: None }),
            accepted(3, "P1"),
        ],
    );
    assert!(matches!(
        tl.validate(),
        Err(TimelineError::NotAssigned { index: 2, .. })
    ));
    // Retracting an unassigned lead.
    let tl = Timeline::new(
        "L9",
        vec![Event::new(2, EventData::Retracted { partner: None })],
    );
    assert!(matches!(
        tl.validate(),
        Err(TimelineError::NotAssigned { index: 0, .. })
    ));
}

#[test]
fn double_assignment_and_late_created() {
    let tl = Timeline::new("L10", vec![assigned(1, "P1"), assigned(2, "P2")]);
    assert_eq!(
        tl.validate().unwrap_err(),
        TimelineError::AlreadyAssigned {
            lead: "L10".into(),
            index: 1,
            partner: "P2".into(),
            assignee: "P1".into()
        }
    );
    let tl = Timeline::new(
        "L11",
        vec![assigned(1, "P1"), Event::new(2, EventData::Created)],
    );
    assert_eq!(
        tl.validate().unwrap_err(),
        TimelineError::CreatedNotFirst {
            lead: "L11".into(),
            index: 1
        }
    );
}

#[test]
fn event_kinds_parse_and_print() {
    for k in EventKind::ALL {
        assert_eq!(k.as_str().parse::<EventKind>().unwrap(), k);
        assert_eq!(
            serde_json::to_string(&k).unwrap(),
            format!("\"{}\"", k.as_str())
        );
    }
    assert_eq!(
        "acepted".parse::<EventKind>().unwrap_err().to_string(),
        "unknown event `acepted`"
    );
}
