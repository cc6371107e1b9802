//! The full lead lifecycle of issue #3, routing half included, from a rule file: assigned ->
//! no acceptance -> warning at 75% -> breach -> retraction -> re-routed (excluding the partner
//! that timed out) to a different qualified partner -> accepted -> contacted within goal -> met.
//! The new decision records why the first partner was excluded.
//!
//! Calendar `us-central`: America/Chicago (CST, UTC-6 in November), Mon-Fri 08:00-17:00.
#![expect(clippy::unwrap_used, reason = "test code")]

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use chrono::DateTime;
use leadrail_core::network::Network;
use leadrail_core::record::Record;
use leadrail_core::route::{Engine, Exclusion, Outcome, RouteOptions};
use leadrail_core::sla::{reroute_plan, Action, Done, DueKind, RerouteReason, SlaSet, SlaState};
use leadrail_core::timeline::{Event, EventData, Timeline};
use serde_json::json;

const RULES: &str = r#"
ruleset "lifecycle" version 1
schema lead    { region: region }
schema partner { territories: set<region>, calendar: text }
calendar "us-central" { timezone "America/Chicago"  hours mon-fri 08:00-17:00 }
sla accept {
  start assigned
  stop accepted, rejected
  goal 8h business partner.calendar
  warn 75%
  on breach retract and reroute
}
sla first_contact {
  start accepted
  stop contacted
  goal 16h business partner.calendar
  on breach escalate "channel-manager"
}
route "territory" {
  require partner.territories covers lead.region
  tie     id
}
fallback queue "inside-sales"
"#;

const H: i64 = 3_600_000;

fn t(s: &str) -> i64 {
    DateTime::parse_from_rfc3339(s).unwrap().timestamp_millis()
}

fn ev(at: &str, data: EventData) -> Event {
    Event::new(t(at), data)
}

#[test]
fn breach_retract_reroute_accept_contact_met() {
    let plan = Arc::new(leadrail_dsl::compile(RULES, "lifecycle.rail").unwrap().plan);
    let engine = Engine::new(Arc::clone(&plan)).unwrap();
    let partner = |id: &str, territories: &[&str]| {
        Record::from_json(
            &plan.partner_schema,
            &json!({"id": id, "territories": territories, "calendar": "us-central"}),
        )
        .unwrap()
    };
    // A and B cover Texas (A first by id); C is in Germany and never qualifies.
    let network = Network::for_plan(
        &plan,
        vec![
            partner("A", &["US-TX"]),
            partner("B", &["US"]),
            partner("C", &["DE"]),
        ],
    )
    .unwrap();
    let lead =
        Record::from_json(&plan.lead_schema, &json!({"id": "L1", "region": "US-TX"})).unwrap();
    let set = SlaSet::from_specs(plan.slas.clone(), &plan.calendars).unwrap();
    let calendars: HashMap<String, String> = ["A", "B", "C"]
        .iter()
        .map(|p| (p.to_string(), "us-central".to_string()))
        .collect();

    // Monday 09:00 CST: routed to A.
    let t0 = t("2026-11-16T15:00:00Z");
    let first = engine
        .route(&network, &lead, t0, &RouteOptions::default())
        .unwrap();
    assert_eq!(first.outcome, Outcome::Partner { id: "A".into() });
    let mut timeline = Timeline::new(
        "L1",
        vec![ev(
            "2026-11-16T15:00:00Z",
            EventData::Assigned {
                partner: "A".into(),
            },
        )],
    );

    // No acceptance. 75% of 8 business hours = 6h: Monday 15:00 CST (21:00Z).
    let e = set
        .evaluate_with(
            &timeline,
            t("2026-11-16T21:00:00Z"),
            &Done::Nothing,
            &calendars,
        )
        .unwrap();
    assert_eq!(e.slas.len(), 1);
    assert_eq!(e.slas[0].state, SlaState::Running);
    assert_eq!(
        (e.slas[0].elapsed_ms, e.slas[0].remaining_ms),
        (6 * H, 2 * H)
    );
    assert_eq!(e.due.len(), 1);
    assert_eq!(&*e.due[0].id, "accept:warn:75");
    assert_eq!(e.due[0].kind, DueKind::Warning { threshold: 0.75 });
    assert_eq!(e.due[0].at, t("2026-11-16T21:00:00Z"));
    // the breach is at Monday 17:00 CST, the next thing that happens
    assert_eq!(e.next_deadline, Some(t("2026-11-16T23:00:00Z")));
    let warned: HashSet<String> = e.due.iter().map(|d| d.id.to_string()).collect();

    // Tuesday 09:00 CST: breached; only the re-route is still due.
    let now = t("2026-11-17T15:00:00Z");
    let e = set
        .evaluate_with(&timeline, now, &Done::Ids(warned), &calendars)
        .unwrap();
    assert_eq!(e.slas[0].state, SlaState::Breached);
    assert_eq!(e.slas[0].due_at, Some(t("2026-11-16T23:00:00Z")));
    assert_eq!(e.due.len(), 1);
    assert_eq!(&*e.due[0].id, "accept:breach:reroute");
    assert_eq!(
        e.due[0].kind,
        DueKind::Breach {
            action: Action::RetractAndReroute
        }
    );
    let plan_b = reroute_plan(&set, &timeline, &e).unwrap();
    assert_eq!(plan_b.retract.as_deref(), Some("A"));
    assert_eq!(plan_b.exclude_ids(), vec!["A".to_string()]);
    assert_eq!(
        plan_b.exclude[0].reason,
        RerouteReason::TimedOut {
            sla: "accept".into(),
            instance: "accept".into(),
            due_at: t("2026-11-16T23:00:00Z"),
        }
    );

    // Retract from A and route again without A: B, a different qualified partner.
    timeline.events.push(ev(
        "2026-11-17T15:00:00Z",
        EventData::Retracted {
            partner: Some("A".into()),
        },
    ));
    let opts = RouteOptions {
        explain: true,
        exclude: plan_b.exclude_ids(),
    };
    let mut second = engine.route(&network, &lead, now, &opts).unwrap();
    assert_eq!(second.outcome, Outcome::Partner { id: "B".into() });
    let excluded = &second.explanation.as_ref().unwrap().excluded;
    assert_eq!(excluded[0].reason, "excluded by host");
    assert_eq!(excluded[0].partners, vec![Arc::<str>::from("A")]);
    // the decision records why A was excluded
    plan_b.annotate(&mut second);
    let excluded = &second.explanation.as_ref().unwrap().excluded;
    assert_eq!(
        excluded,
        &vec![
            Exclusion {
                reason: "timed out on sla `accept`".into(),
                partners: vec!["A".into()],
            },
            Exclusion {
                reason: "partner.territories covers lead.region".into(),
                partners: vec!["C".into()],
            },
        ]
    );

    // B is assigned, accepts at 10:00 CST, contacts the customer Wednesday 09:00 CST.
    timeline.events.extend([
        ev(
            "2026-11-17T15:00:00Z",
            EventData::Assigned {
                partner: "B".into(),
            },
        ),
        ev(
            "2026-11-17T16:00:00Z",
            EventData::Accepted {
                partner: "B".into(),
            },
        ),
        ev(
            "2026-11-18T15:00:00Z",
            EventData::Contacted {
                partner: Some("B".into()),
            },
        ),
    ]);
    let end = t("2026-11-18T16:00:00Z");
    let e = set
        .evaluate_with(&timeline, end, &Done::Cursor(now), &calendars)
        .unwrap();
    let states: Vec<(&str, Option<&str>, SlaState, i64)> = e
        .slas
        .iter()
        .map(|s| (&*s.instance, s.partner.as_deref(), s.state, s.elapsed_ms))
        .collect();
    assert_eq!(
        states,
        vec![
            // A's instance: breached Monday 17:00, ended by the retraction (8h + Tue 08-09)
            ("accept", Some("A"), SlaState::Breached, 9 * H),
            // B accepted after one business hour
            ("accept#1", Some("B"), SlaState::Met, H),
            // contacted after Tue 10:00-17:00 and Wed 08:00-09:00: 8h of 16h
            ("first_contact", Some("B"), SlaState::Met, 8 * H),
        ]
    );
    assert!(e.due.is_empty(), "{:?}", e.due);
    assert_eq!(e.next_deadline, None);
    // B timed out on nothing: a later re-route would exclude only A
    let later = leadrail_core::sla::exclusions(&set, &timeline, &e);
    assert_eq!(later.len(), 1);
    assert_eq!(later[0].partner, "A");
}

#[test]
fn a_rejection_is_recorded_as_the_exclusion_reason() {
    let plan = Arc::new(leadrail_dsl::compile(RULES, "lifecycle.rail").unwrap().plan);
    let engine = Engine::new(Arc::clone(&plan)).unwrap();
    let partner = |id: &str| {
        Record::from_json(
            &plan.partner_schema,
            &json!({"id": id, "territories": ["US"], "calendar": "us-central"}),
        )
        .unwrap()
    };
    let network = Network::for_plan(&plan, vec![partner("A"), partner("B"), partner("D")]).unwrap();
    let lead =
        Record::from_json(&plan.lead_schema, &json!({"id": "L2", "region": "US-TX"})).unwrap();
    let set = SlaSet::from_specs(plan.slas.clone(), &plan.calendars).unwrap();
    let calendars: HashMap<String, String> = ["A", "B", "D"]
        .iter()
        .map(|p| (p.to_string(), "us-central".to_string()))
        .collect();
    // A rejects, B is assigned and times out: the re-route excludes both, each with its reason.
    let timeline = Timeline::new(
        "L2",
        vec![
            ev(
                "2026-11-16T15:00:00Z",
                EventData::Assigned {
                    partner: "A".into(),
                },
            ),
            ev(
                "2026-11-16T15:30:00Z",
                EventData::Rejected {
                    partner: "A".into(),
                    reason: "no capacity".into(),
                },
            ),
            ev(
                "2026-11-16T16:00:00Z",
                EventData::Assigned {
                    partner: "B".into(),
                },
            ),
        ],
    );
    let now = t("2026-11-18T15:00:00Z");
    let e = set
        .evaluate_with(&timeline, now, &Done::Nothing, &calendars)
        .unwrap();
    let plan_d = reroute_plan(&set, &timeline, &e).unwrap();
    assert_eq!(&*plan_d.trigger.id, "accept#1:breach:reroute");
    assert_eq!(plan_d.retract.as_deref(), Some("B"));
    let mut d = engine
        .route(
            &network,
            &lead,
            now,
            &RouteOptions {
                explain: true,
                exclude: plan_d.exclude_ids(),
            },
        )
        .unwrap();
    assert_eq!(d.outcome, Outcome::Partner { id: "D".into() });
    plan_d.annotate(&mut d);
    let reasons: Vec<(String, Vec<Arc<str>>)> = d
        .explanation
        .unwrap()
        .excluded
        .into_iter()
        .map(|x| (x.reason, x.partners))
        .collect();
    assert_eq!(
        reasons,
        vec![
            (
                "rejected the lead: no capacity".to_string(),
                vec!["A".into()]
            ),
            ("timed out on sla `accept`".to_string(), vec!["B".into()]),
        ]
    );
}
