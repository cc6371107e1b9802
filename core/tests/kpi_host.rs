//! Issue 14: the KPI, forecast and feedback calls of a host (`kpi::host::KpiCall`, what the
//! Python and Node bindings call): options under snake_case or camelCase names, the forecast's
//! options at the top level or nested, unknown options refused, answers in rows or columns, and
//! the feedback writing measures into a network.
#![expect(clippy::unwrap_used, reason = "test code")]

use std::sync::Arc;

use leadrail_core::kpi::host::{KpiAnswer, KpiCall};
use leadrail_core::network::Network;
use leadrail_core::record::Record;
use leadrail_core::value::Value;
use serde_json::{json, Value as Json};

const H: i64 = 3_600_000;

fn timelines() -> Vec<Json> {
    vec![
        json!({"lead": "A", "events": [
            {"at": 0, "event": "assigned", "partner": "P1"},
            {"at": H, "event": "accepted", "partner": "P1"},
            {"at": 2 * H, "event": "stage_changed", "stage": "proposal"}]}),
        json!({"lead": "B", "events": [
            {"at": 0, "event": "assigned", "partner": "P2"},
            {"at": 3 * H, "event": "rejected", "partner": "P2", "reason": "busy"}]}),
        json!({"lead": "C", "events": [
            {"at": 0, "event": "assigned", "partner": "P1"},
            {"at": H, "event": "stage_changed", "stage": "proposal"},
            {"at": 5 * H, "event": "won"}]}),
    ]
}

fn call(options: Json) -> KpiCall {
    KpiCall::from_call(timelines(), 10 * H, options).unwrap()
}

#[test]
fn snake_and_camel_case_options_are_the_same_request() {
    let snake = call(json!({"untouched_after": "1h", "joined_field": "since",
                            "partner_calendars": {"P1": "us"}, "by": "partner"}));
    let camel = call(json!({"untouchedAfter": "1h", "joinedField": "since",
                            "partnerCalendars": {"P1": "us"}, "by": ["partner"]}));
    assert_eq!(snake, camel);
    // the forecast's options at the top level or nested; null is as if not given
    let flat = call(json!({"m": 5, "draws": 20000, "seed": 7, "detail": true, "tz": null}));
    let nested = call(json!({"forecast": {"m": 5, "draws": 20000, "seed": 7, "detail": true}}));
    assert_eq!(flat, nested);
    assert_eq!(flat.request.forecast.m, 5.0);
}

#[test]
fn bad_options_are_request_errors_naming_the_option() {
    let e = KpiCall::from_call(timelines(), 0, json!({"untouched": "7d"})).unwrap_err();
    assert_eq!(
        (e.message.as_str(), e.field.as_deref()),
        ("unknown option `untouched`", Some("untouched"))
    );
    assert!(e
        .help
        .unwrap()
        .starts_with("options are leads, engagement, partners"));
    let e = KpiCall::from_call(timelines(), 0, json!(["by"])).unwrap_err();
    assert_eq!(e.message, "the options must be an object");
    let e = KpiCall::from_call(timelines(), 0, json!({"forecast": 3})).unwrap_err();
    assert_eq!(e.message, "option `forecast` must be an object");
    let e = KpiCall::from_call(timelines(), 0, json!({"by": "colour"})).unwrap_err();
    assert!(
        e.message.contains("unknown grouping `colour`"),
        "{}",
        e.message
    );
    let e = KpiCall::from_call(timelines(), 0, json!({"measureFields": ["x"]})).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("measureFields"));
}

#[test]
fn answers_in_rows_or_columns() {
    let answer = call(json!({"by": ["partner"]})).kpi(None).unwrap();
    let rows = answer.rows().unwrap();
    assert_eq!(rows["assignments"][0]["partner"], "P1");
    assert_eq!(rows["assignments"][1]["rejected"], 1);
    let cols = answer.columns().unwrap();
    assert_eq!(cols["assignments"]["partner"], json!(["P1", "P2"]));
    assert_eq!(cols["assignments"]["acceptance_rate"], json!([1.0, 0.0]));
    let c = call(json!({"format": "columns"}));
    assert_eq!(answer.to_json(c.request.format).unwrap(), cols);
    let KpiAnswer::Report(r) = &answer else {
        panic!("a report")
    };
    assert_eq!(
        answer.measures().unwrap(),
        leadrail_core::kpi::measures(r).unwrap()
    );
    // A is open in `proposal` (P1), C won from it: R_proposal = 1
    let f = call(json!({"leads": [{"id": "A", "amount": 100}], "detail": true}))
        .forecast()
        .unwrap();
    let rows = f.rows().unwrap();
    assert_eq!(rows["total"]["expected"], 100.0);
    assert_eq!(rows["leads"][0]["probability"], 1.0);
    assert!(f.measures().is_err());
}

#[test]
fn feed_back_writes_measures_into_the_network() {
    let compiled = plan_without_slas();
    let partner = |id: &str| Record {
        id: Arc::from(id),
        values: vec![Value::Float(0.5), Value::Int(0)],
    };
    let mut net =
        Network::for_plan(&compiled, vec![partner("P1"), partner("P2"), partner("P3")]).unwrap();
    let measures = call(Json::Null).feed_back(&compiled, &mut net).unwrap();
    assert_eq!(measures.len(), 2);
    assert_eq!(
        net.partner("P1").unwrap().values,
        vec![Value::Float(1.0), Value::Int(2)]
    );
    assert_eq!(
        net.partner("P2").unwrap().values,
        vec![Value::Float(0.0), Value::Int(1)]
    );
    // P3 had no assignment: 0 received, its (required) rate kept
    assert_eq!(
        net.partner("P3").unwrap().values,
        vec![Value::Float(0.5), Value::Int(0)]
    );
    // grouped by more than the partner: refused, nothing written
    let e = call(json!({"by": ["partner", "month"]}))
        .feed_back(&compiled, &mut net)
        .unwrap_err();
    assert!(
        e.message
            .starts_with("measures need a report grouped by partner only"),
        "{}",
        e.message
    );
    // a mapping the schema does not fit: refused before anything is written
    let e = call(json!({"measure_fields": {"conversion_rate": "nope"}}))
        .feed_back(&compiled, &mut net)
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("nope"));
}

/// A plan whose partner schema is `{ acceptance_rate: ratio, leads_received: int }`, without
/// SLAs (core's tests do not compile rule text).
fn plan_without_slas() -> leadrail_core::plan::Plan {
    use leadrail_core::schema::{Field, Schema};
    use leadrail_core::value::Type;
    let field = |name: &str, ty: Type| Field {
        name: name.into(),
        ty,
        optional: false,
    };
    leadrail_core::plan::Plan {
        name: "kpi".into(),
        version: 1,
        content_hash: String::new(),
        lead_schema: Schema::default(),
        partner_schema: Schema {
            fields: vec![
                field("acceptance_rate", Type::Ratio),
                field("leads_received", Type::Int),
            ],
        },
        rules: Vec::new(),
        fallback: leadrail_core::plan::Fallback::Unrouted,
        calendars: Vec::new(),
        slas: Vec::new(),
        registrations: Vec::new(),
    }
}
