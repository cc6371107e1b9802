//! The JSON facade: sessions, route calls, canonical answers.
#![expect(clippy::unwrap_used, reason = "test helpers")]

mod engine_support;

use std::sync::Arc;

use engine_support::*;
use leadrail_core::api::Session;

fn session() -> Session {
    let plan = main_plan();
    let partners = r#"{"partners": [
      {"id": "A", "territories": ["US except US-AK"], "product_lines": ["hydraulics"], "certifications": {},
       "tier": "gold", "status": "active", "capacity": 2, "active_leads": 0, "rate": 0.5, "weight": 1, "crm_extra": 7},
      {"id": "B", "territories": ["US-AK", "DE"], "product_lines": ["hydraulics", "pumps"], "certifications": {"x": "2027-01-01"},
       "tier": "silver", "status": "active", "capacity": 5, "active_leads": 1, "rate": "90%", "weight": 1,
       "location": [41.9, -87.6], "last_assigned_at": "2026-11-01T00:00:00Z"}
    ]}"#;
    Session::new(Arc::new(plan), partners).unwrap()
}

#[test]
fn route_json_answers_canonically_and_applies_state() {
    let mut s = session();
    let req = r#"{"leads": [
        {"id": "L1", "region": "US-TX", "product_line": "hydraulics", "deal_size": 1000},
        {"id": "L2", "region": "US-TX", "product_line": "hydraulics", "deal_size": "12.50"},
        {"id": "L3", "region": "US-TX", "product_line": "hydraulics", "deal_size": 5},
        {"id": "L4", "region": "US-TX", "product_line": "hydraulics", "deal_size": "lots"},
        {"id": "L5", "region": "FR", "product_line": "hydraulics", "deal_size": 5}
      ], "now": "2026-11-24T09:00:00Z"}"#;
    let out = s.route_json(req);
    let expected = concat!(
        r#"{"results":["#,
        r#"{"ok":{"outcome":{"kind":"partner","id":"A"},"rule":"main","state_read":{"partner":"A","version":0,"active_leads":0,"last_assigned_at":null}}},"#,
        r#"{"ok":{"outcome":{"kind":"partner","id":"A"},"rule":"main","state_read":{"partner":"A","version":1,"active_leads":1,"last_assigned_at":1795510800000}}},"#,
        r#"{"ok":{"outcome":{"kind":"queue","name":"inside"},"rule":"fallback","state_read":null}},"#,
        r#"{"error":{"code":"leadrail::data::invalid_field","message":"record `L4`, field `deal_size`: expected a decimal number, found `\"lots\"`","help":"write a number or a decimal string: `250000.50` or `\"250000.50\"`","severity":"error","line":0,"column":0,"record":"L4","field":"deal_size"}},"#,
        r#"{"ok":{"outcome":{"kind":"queue","name":"inside"},"rule":"fallback","state_read":null}}"#,
        r#"]}"#
    );
    assert_eq!(out, expected);
    let st: serde_json::Value = serde_json::from_str(&s.state_json()).unwrap();
    assert_eq!(st["seq"], 2);
    assert_eq!(st["partners"][0]["active_leads"], 2);
}

#[test]
fn explanations_serialise_with_stable_fields() {
    let mut s = session();
    let req = r#"{"leads": [{"id": "L1", "region": "US-AK", "product_line": "hydraulics", "deal_size": 1}],
                  "now": [1764000000000], "explain": true, "apply": false}"#;
    let out: serde_json::Value = serde_json::from_str(&s.route_json(req)).unwrap();
    let ex = &out["results"][0]["ok"]["explanation"];
    assert_eq!(out["results"][0]["ok"]["outcome"]["id"], "B");
    assert_eq!(
        ex["ruleset"],
        serde_json::json!({"name": "test", "version": 3, "content_hash": "0123456789abcdef"})
    );
    assert_eq!(
        ex["rules"],
        serde_json::json!([{"rule": "main", "matched": true, "eligible": 1, "outcome": "decided"}])
    );
    assert_eq!(
        ex["excluded"],
        serde_json::json!([{"reason": "partner.territories covers lead.region", "partners": ["A"]}])
    );
    assert_eq!(
        ex["candidates"],
        serde_json::json!([{"partner": "B", "score": 0.9, "position": 1}])
    );
    assert_eq!(ex["tie_break"], serde_json::Value::Null);
    // apply: false leaves the state alone
    assert_eq!(s.network().state("B").unwrap().version, 0);
}

#[test]
fn malformed_requests_are_request_errors() {
    let mut s = session();
    let out: serde_json::Value = serde_json::from_str(&s.route_json(r#"{"leads": 3}"#)).unwrap();
    assert_eq!(out["error"]["code"], "leadrail::request::invalid");
    let out: serde_json::Value =
        serde_json::from_str(&s.route_json(r#"{"leads": [{}], "now": [1, 2]}"#)).unwrap();
    assert_eq!(out["error"]["message"], "1 leads but 2 instants");
    let out: serde_json::Value =
        serde_json::from_str(&s.route_json(r#"{"leads": [], "now": "yesterday"}"#)).unwrap();
    assert_eq!(
        out["error"]["message"],
        "`yesterday` is not an RFC 3339 instant"
    );
    let bad =
        Session::new(s.engine().plan().clone(), r#"{"partners": [{"id": "A"}]}"#).unwrap_err();
    assert_eq!(
        (bad.code.as_str(), bad.field.as_deref()),
        ("leadrail::data::missing_field", Some("territories"))
    );
}
