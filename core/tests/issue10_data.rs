//! Issue 10's smaller data items: repeated JSON keys are errors, timeline errors name the event
//! and the field, a lead region with `except` is rejected, and imported state cannot make the
//! assignment sequence wrap.
#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers"
)]

mod engine_support;

use std::sync::Arc;

use engine_support::*;
use leadrail_core::api::{timeline_from_json, Session};
use leadrail_core::plan::{Else, Fallback};

fn session() -> Session {
    let plan = main_plan();
    let partners = r#"{"partners": [
      {"id": "A", "territories": ["US except US-AK"], "product_lines": ["hydraulics"], "certifications": {},
       "tier": "gold", "status": "active", "capacity": 2, "active_leads": 0, "rate": 0.5, "weight": 1}
    ]}"#;
    Session::new(Arc::new(plan), partners).unwrap()
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap()
}

#[test]
fn a_repeated_key_in_a_lead_is_an_error_naming_the_lead_and_the_key() {
    let mut s = session();
    let out = json(&s.route_json(
        r#"{"leads": [
            {"id": "L1", "region": "US-TX", "product_line": "hydraulics", "deal_size": 1},
            {"id": "L2", "region": "US-TX", "product_line": "hydraulics", "region": "US-AK", "deal_size": 1}
        ], "now": "2026-11-24T09:00:00Z"}"#,
    ));
    let msg = out["error"]["message"].as_str().unwrap();
    assert!(
        msg.contains("duplicate key `region` in record `L2` at line 3"),
        "{msg}"
    );
    assert_eq!(out["error"]["code"], "leadrail::request::invalid");
    // before the id is read, the position names it; nested objects name their field too
    let out = json(&s.route_json(
        r#"{"leads": [{"region": "US-TX", "region": "US-TX", "id": "L1"}], "now": 0}"#,
    ));
    assert!(
        out["error"]["message"]
            .as_str()
            .unwrap()
            .contains("duplicate key `region` in lead 1"),
        "{out}"
    );
    let out = json(
        &s.route_json(r#"{"leads": [{"id": "L1", "location": {"lat": 1, "lat": 2}}], "now": 0}"#),
    );
    assert!(
        out["error"]["message"]
            .as_str()
            .unwrap()
            .contains("duplicate key `lat` in field `location` in record `L1`"),
        "{out}"
    );
    // nothing was routed
    assert_eq!(json(&s.state_json())["seq"], 0);
}

#[test]
fn a_repeated_key_in_a_partner_or_timeline_is_an_error() {
    let plan = plan(
        vec![rule("main", vec![covers()], None, Else::Next)],
        Fallback::Unrouted,
    );
    let err = Session::new(
        Arc::new(plan),
        r#"{"partners": [{"id": "A", "id": "B", "territories": ["US"]}]}"#,
    )
    .unwrap_err();
    assert!(
        err.message.contains("duplicate key `id` in record `A`"),
        "{}",
        err.message
    );
    let set = leadrail_core::sla::SlaSet::from_specs(Vec::new(), &[]).unwrap();
    let out = json(&leadrail_core::api::evaluate_sla_json(
        &set,
        r#"{"timelines": [{"lead": "L1", "events": [], "events": []}], "now": 0}"#,
    ));
    assert!(
        out["error"]["message"]
            .as_str()
            .unwrap()
            .contains("duplicate key `events` in timeline 1"),
        "{out}"
    );
    // the plain parser
    assert!(
        leadrail_core::json::from_str(r#"[{"a": 1}, {"a": 1, "b": {"c": 1, "c": 2}}]"#).is_err()
    );
    assert!(
        leadrail_core::json::from_str(r#"[{"a": 1}, {"a": 1, "b": {"c": 1, "d": 2}}]"#).is_ok()
    );
}

#[test]
fn timeline_errors_name_the_lead_the_event_and_the_field() {
    let cases = [
        (
            r#"{"lead": "L1", "events": [{"at": 0, "event": "created"}, {"at": 1, "event": "assigned", "partner": 5}]}"#,
            "events[1].partner",
            "lead `L1`: event 1: `partner` must be text, not `5`",
        ),
        (
            r#"{"lead": "L1", "events": [{"at": 0, "event": "assigned"}]}"#,
            "events[0].partner",
            "lead `L1`: event 0 (`assigned`) has no `partner`",
        ),
        (
            r#"{"lead": "L1", "events": [{"at": 0, "event": "stage_changed", "stage": ["won"]}]}"#,
            "events[0].stage",
            "lead `L1`: event 0: `stage` must be text, not `[\"won\"]`",
        ),
    ];
    for (text, field, message) in cases {
        let e = timeline_from_json(&json(text)).unwrap_err();
        assert_eq!(e.record.as_deref(), Some("L1"));
        assert_eq!(e.field.as_deref(), Some(field), "{}", e.message);
        assert_eq!(e.message, message);
    }
}

#[test]
fn a_lead_region_with_exceptions_is_rejected() {
    let mut s = session();
    let out = json(&s.route_json(
        r#"{"leads": [{"id": "L1", "region": "US except US-TX", "product_line": "hydraulics", "deal_size": 1}],
            "now": "2026-11-24T09:00:00Z"}"#,
    ));
    let e = &out["results"][0]["error"];
    assert_eq!(e["code"], "leadrail::data::invalid_field", "{out}");
    assert_eq!(e["record"], "L1");
    assert_eq!(e["field"], "region");
    assert!(
        e["message"].as_str().unwrap().contains(
            "field `region` expects a region without `except` (exceptions carve out partner \
             territories, a lead is in one region), found `US except US-TX`"
        ),
        "{out}"
    );
    assert_eq!(json(&s.state_json())["seq"], 0);
}

#[test]
fn imported_state_cannot_make_the_sequence_wrap() {
    let mut s = session();
    let before = s.state_json();
    let max = u64::MAX;
    let err = s
        .import_state_json(&format!(r#"{{"seq": {max}, "partners": []}}"#))
        .unwrap_err();
    assert_eq!(err.field.as_deref(), Some("seq"));
    assert_eq!(
        err.message,
        "state `seq` `18446744073709551615` is out of range: at most 9223372036854775807"
    );
    let err = s
        .import_state_json(&format!(
            r#"{{"seq": 1, "partners": [{{"id": "A", "active_leads": 0, "last_assigned_at": null,
                "last_seq": {max}, "assigned": 0, "version": 0}}]}}"#
        ))
        .unwrap_err();
    assert_eq!(err.field.as_deref(), Some("partners[A].last_seq"));
    assert_eq!(s.state_json(), before, "a refused import changes nothing");
    // the largest accepted value still counts up
    let top = leadrail_core::network::Network::MAX_SEQ;
    s.import_state_json(&format!(r#"{{"seq": {top}, "partners": []}}"#))
        .unwrap();
    let out = json(&s.route_json(
        r#"{"leads": [{"id": "L1", "region": "US-TX", "product_line": "hydraulics", "deal_size": 1}], "now": 0}"#,
    ));
    assert_eq!(out["results"][0]["ok"]["outcome"]["id"], "A", "{out}");
    let st = json(&s.state_json());
    assert_eq!(st["seq"], top + 1);
    assert_eq!(st["partners"][0]["last_seq"], top + 1);
}

#[test]
fn a_lead_region_with_exceptions_is_rejected_on_the_prepared_path_too() {
    use leadrail_core::record::Record;
    use leadrail_core::route::{RouteOptions, Times};
    let s = session();
    let engine = s.engine().clone();
    let lead = Record::from_json(
        &engine.plan().lead_schema,
        &json(r#"{"id": "L1", "region": "US except US-TX", "product_line": "hydraulics", "deal_size": 1}"#),
    )
    .unwrap();
    let batch = engine.prepare_leads(vec![lead]);
    let mut network = s.network().clone();
    let opts = RouteOptions {
        explain: false,
        exclude: Vec::new(),
    };
    let routed = engine.route_prepared_compact(&mut network, &batch, Times::At(0), &opts);
    let [r] = routed.decisions().try_into().unwrap();
    let e = r.unwrap_err();
    assert_eq!(e.field.as_deref(), Some("region"));
    assert_eq!(network.seq(), 0);
}
