//! The SLA call/answer form of the JSON facade (`leadrail_core::api::evaluate_sla`).
#![expect(clippy::unwrap_used, reason = "test code")]

use leadrail_core::api::{
    evaluate_sla, evaluate_sla_json, timeline_from_json, PartnerCalendarMap, SlaRequest, SlaResult,
};
use leadrail_core::sla::{Action, CalendarRef, Goal, PartnerCalendars, SlaPolicy, SlaSet};
use leadrail_core::timeline::EventKind;
use serde_json::{json, Value as Json};

const H: i64 = 3_600_000;
const T0: i64 = 1_795_510_800_000; // 2026-11-24T09:00:00Z

fn set() -> SlaSet {
    SlaSet::new(
        vec![SlaPolicy {
            name: "accept".into(),
            start: vec![EventKind::Assigned],
            stop: vec![EventKind::Accepted],
            pause_while: vec![],
            goal: Goal {
                duration_ms: 4 * H,
                business: false,
                calendar: None,
            },
            warn: vec![0.5],
            on_breach: vec![Action::Remind],
            per_stage: None,
        }],
        vec![],
    )
    .unwrap()
}

fn assigned() -> Json {
    json!({"lead": "L1", "events": [{"at": "2026-11-24T09:00:00Z", "event": "assigned", "partner": "P1"}]})
}

fn answer(req: Json) -> Json {
    serde_json::from_str(&evaluate_sla_json(&set(), &req.to_string())).unwrap()
}

#[test]
fn evaluates_each_timeline_with_instants_as_text_or_millis() {
    let a = answer(json!({"timelines": [assigned()], "now": T0 + 3 * H}));
    let ok = &a["results"][0]["ok"];
    assert_eq!(ok["lead"], "L1");
    assert_eq!(ok["slas"][0]["state"], "running");
    assert_eq!(ok["slas"][0]["elapsed_ms"], 3 * H);
    assert_eq!(ok["slas"][0]["due_at"], T0 + 4 * H);
    assert_eq!(ok["due"][0]["id"], "accept:warn:50");
    assert_eq!(ok["next_deadline"], T0 + 4 * H);
    assert_eq!(ok["cursor"], T0 + 3 * H);
    let b = answer(
        json!({"timelines": [{"lead": "L1", "events": [{"at": T0, "event": "assigned", "partner": "P1"}]}],
                          "now": "2026-11-24T12:00:00Z"}),
    );
    assert_eq!(a, b);
}

#[test]
fn done_as_ids_or_cursor() {
    let now = T0 + 5 * H;
    let all = answer(json!({"timelines": [assigned()], "now": now}));
    let ids: Vec<&str> = all["results"][0]["ok"]["due"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["accept:warn:50", "accept:breach:remind"]);
    let some = answer(json!({"timelines": [assigned()], "now": now, "done": ["accept:warn:50"]}));
    assert_eq!(some["results"][0]["ok"]["due"].as_array().unwrap().len(), 1);
    assert_eq!(
        some["results"][0]["ok"]["due"][0]["id"],
        "accept:breach:remind"
    );
    let cursor = answer(json!({"timelines": [assigned()], "now": now, "done": T0 + 3 * H}));
    assert_eq!(
        cursor["results"][0]["ok"]["due"][0]["id"],
        "accept:breach:remind"
    );
    let text =
        answer(json!({"timelines": [assigned()], "now": now, "done": "2026-11-24T14:00:00Z"}));
    assert_eq!(text["results"][0]["ok"]["due"], json!([]));
}

#[test]
fn a_bad_timeline_gets_its_own_error_naming_lead_and_event() {
    let a = answer(json!({"timelines": [
        {"lead": "L1", "events": [{"at": T0, "event": "assigned", "partner": "P1"}, {"at": T0 - 1, "event": "viewed"}]},
        {"lead": "L2", "events": [{"at": T0, "event": "teleported"}]},
        assigned(),
    ], "now": T0}));
    let r = &a["results"];
    assert_eq!(r[0]["error"]["code"], "leadrail::timeline::out_of_order");
    assert_eq!(r[0]["error"]["record"], "L1");
    assert_eq!(r[0]["error"]["field"], "events[1]");
    assert_eq!(r[1]["error"]["code"], "leadrail::data::invalid_field");
    assert_eq!(r[1]["error"]["record"], "L2");
    assert_eq!(r[1]["error"]["field"], "events[0].event");
    assert_eq!(
        r[1]["error"]["message"],
        "lead `L2`: event 0: unknown event `teleported`"
    );
    assert!(r[2].get("ok").is_some());
}

#[test]
fn timeline_shape_errors() {
    let cases = [
        (json!("L1"), "leadrail::request::invalid", None),
        (
            json!({"events": []}),
            "leadrail::data::missing_field",
            Some("lead"),
        ),
        (
            json!({"lead": 1, "events": []}),
            "leadrail::data::invalid_field",
            Some("lead"),
        ),
        (
            json!({"lead": "L1"}),
            "leadrail::data::missing_field",
            Some("events"),
        ),
        (
            json!({"lead": "L1", "events": [{"event": "created"}]}),
            "leadrail::data::missing_field",
            Some("events[0].at"),
        ),
        (
            json!({"lead": "L1", "events": [{"at": "noon", "event": "created"}]}),
            "leadrail::data::invalid_field",
            Some("events[0].at"),
        ),
        (
            json!({"lead": "L1", "events": [{"at": 1.5, "event": "created"}]}),
            "leadrail::data::invalid_field",
            Some("events[0].at"),
        ),
        (
            // the missing detail is named (issue 10)
            json!({"lead": "L1", "events": [{"at": 1, "event": "assigned"}]}),
            "leadrail::data::missing_field",
            Some("events[0].partner"),
        ),
        (
            json!({"lead": "L1", "events": [7]}),
            "leadrail::data::invalid_field",
            Some("events[0]"),
        ),
    ];
    for (value, code, field) in cases {
        let e = timeline_from_json(&value).unwrap_err();
        assert_eq!(e.code, code, "{value}");
        assert_eq!(e.field.as_deref(), field, "{value}");
    }
}

#[test]
fn a_malformed_request_is_one_error() {
    for req in [
        json!({"timelines": [assigned()], "now": "tomorrow"}),
        json!({"timelines": [assigned()], "now": T0, "done": [1]}),
        json!({"timelines": [assigned()], "now": T0, "done": "soon"}),
        json!({"timelines": assigned(), "now": T0}),
    ] {
        let a = answer(req.clone());
        assert_eq!(a["error"]["code"], "leadrail::request::invalid", "{req}");
    }
}

#[test]
fn partner_calendars_by_name_or_by_field() {
    let map: PartnerCalendarMap =
        serde_json::from_value(json!({"P1": "us", "P2": {"calendar": "de"}})).unwrap();
    assert_eq!(map.calendar_name("P1", "anything"), Some("us"));
    assert_eq!(map.calendar_name("P2", "calendar"), Some("de"));
    assert_eq!(map.calendar_name("P2", "other"), None);
    assert_eq!(map.calendar_name("P3", "calendar"), None);
    let mut policy = set().policies().next().unwrap().clone();
    policy.goal = Goal {
        duration_ms: 4 * H,
        business: true,
        calendar: Some(CalendarRef::PartnerField("calendar".into())),
    };
    let set = SlaSet::new(vec![policy], vec![]).unwrap();
    let req: SlaRequest = serde_json::from_value(
        json!({"timelines": [assigned()], "now": T0, "partner_calendars": {"P1": "nowhere"}}),
    )
    .unwrap();
    match &evaluate_sla(&set, &req).unwrap().results[0] {
        SlaResult::Error(e) => {
            assert_eq!(e.code, "leadrail::sla::unknown_calendar");
            assert_eq!(e.record.as_deref(), Some("L1"));
        }
        SlaResult::Ok(o) => panic!("expected an error, got {o:?}"),
    }
}
