//! Record parsing from JSON and text cells: every type, every error, exact messages.
#![expect(clippy::unwrap_used, clippy::panic, reason = "tests fail loudly")]

use std::sync::Arc;

use leadrail_core::record::{DataErrorKind, Record, RecordRef};
use leadrail_core::report::{codes, ErrorReport};
use leadrail_core::schema::{Field, Schema};
use leadrail_core::value::{Type, Value};
use rust_decimal::Decimal;
use serde_json::json;

fn tiers() -> Type {
    Type::Enum(Arc::from(vec![
        "platinum".to_string(),
        "gold".into(),
        "silver".into(),
    ]))
}

fn one(ty: Type, optional: bool) -> Schema {
    Schema {
        fields: vec![Field {
            name: "f".into(),
            ty,
            optional,
        }],
    }
}

fn ok_json(ty: Type, v: serde_json::Value) -> Value {
    let r = Record::from_json(&one(ty, false), &json!({"id": "L1", "f": v}))
        .unwrap_or_else(|e| panic!("{e}"));
    r.values.into_iter().next().unwrap()
}

fn err_json(ty: Type, v: serde_json::Value) -> String {
    Record::from_json(&one(ty, false), &json!({"id": "L1", "f": v}))
        .unwrap_err()
        .to_string()
}

fn ok_text(ty: Type, cell: &str) -> Value {
    let r = Record::from_text(&one(ty, false), &["id", "f"], &["L1", cell])
        .unwrap_or_else(|e| panic!("{e}"));
    r.values.into_iter().next().unwrap()
}

fn err_text(ty: Type, cell: &str) -> String {
    Record::from_text(&one(ty, false), &["id", "f"], &["L1", cell])
        .unwrap_err()
        .to_string()
}

fn dec(s: &str) -> Value {
    Value::Decimal(s.parse::<Decimal>().unwrap())
}

fn text(s: &str) -> Value {
    Value::Text(Arc::from(s))
}

const P: &str = "record `L1`, field `f`: ";

#[test]
fn scalars_from_json() {
    assert_eq!(ok_json(Type::Text, json!("hydraulics")), text("hydraulics"));
    assert_eq!(ok_json(Type::Text, json!("")), text(""));
    assert_eq!(ok_json(Type::Int, json!(42)), Value::Int(42));
    assert_eq!(ok_json(Type::Int, json!(-7)), Value::Int(-7));
    assert_eq!(ok_json(Type::Int, json!(1.0)), Value::Int(1));
    assert_eq!(
        ok_json(Type::Int, json!(9007199254740992.0)),
        Value::Int(1 << 53)
    );
    assert_eq!(ok_json(Type::Int, json!(i64::MAX)), Value::Int(i64::MAX));
    assert_eq!(ok_json(Type::Decimal, json!(250000.5)), dec("250000.5"));
    assert_eq!(ok_json(Type::Decimal, json!("250000.50")), dec("250000.50"));
    assert_eq!(ok_json(Type::Decimal, json!(12)), dec("12"));
    assert_eq!(ok_json(Type::Ratio, json!(0.85)), Value::Float(0.85));
    assert_eq!(ok_json(Type::Ratio, json!(1)), Value::Float(1.0));
    assert_eq!(ok_json(Type::Ratio, json!("85%")), Value::Float(0.85));
    assert_eq!(ok_json(Type::Ratio, json!("100 %")), Value::Float(1.0));
    assert_eq!(ok_json(Type::Float, json!(-12.5)), Value::Float(-12.5));
    assert_eq!(ok_json(Type::Bool, json!(true)), Value::Bool(true));
    assert_eq!(
        ok_json(Type::Date, json!("2026-12-24")),
        Value::Date(chrono::NaiveDate::from_ymd_opt(2026, 12, 24).unwrap())
    );
    assert_eq!(
        ok_json(Type::DateTime, json!("2026-11-24T09:00:00Z")),
        Value::DateTime(1_795_510_800_000)
    );
    assert_eq!(
        ok_json(Type::DateTime, json!("2026-11-24T10:00:00.250+01:00")),
        Value::DateTime(1_795_510_800_250)
    );
    assert_eq!(
        ok_json(Type::Duration, json!("24h")),
        Value::Duration(86_400_000)
    );
    assert_eq!(
        ok_json(Type::Duration, json!("1h30m")),
        Value::Duration(5_400_000)
    );
    assert_eq!(
        ok_json(Type::Duration, json!("7d")),
        Value::Duration(604_800_000)
    );
    assert_eq!(
        ok_json(Type::Duration, json!("250ms")),
        Value::Duration(250)
    );
    assert_eq!(
        ok_json(tiers(), json!("gold")),
        Value::Enum(Arc::from("gold"))
    );
    let Value::Region(t) = ok_json(Type::Region, json!("us except us-ak")) else {
        panic!()
    };
    assert_eq!(t.to_string(), "US except US-AK");
    let Value::GeoPoint(p) = ok_json(Type::GeoPoint, json!({"lat": 41.9, "lon": -87.6})) else {
        panic!()
    };
    assert_eq!((p.lat, p.lon), (41.9, -87.6));
    let Value::GeoPoint(p) = ok_json(Type::GeoPoint, json!([41.9, -87.6])) else {
        panic!()
    };
    assert_eq!((p.lat, p.lon), (41.9, -87.6));
}

#[test]
fn containers_from_json() {
    let set = ok_json(Type::Set(Box::new(Type::Text)), json!(["b", "a", "b"]));
    assert_eq!(set, Value::Set(vec![text("a"), text("b")].into()));
    let set = ok_json(
        Type::Set(Box::new(Type::Region)),
        json!(["US-TX", "us-tx", "DE"]),
    );
    let Value::Set(items) = set else { panic!() };
    assert_eq!(items.len(), 2);
    let map = ok_json(
        Type::Map(Box::new(Type::Text), Box::new(Type::Date)),
        json!({"z": "2027-01-01", "a": "2027-06-30"}),
    );
    let Value::Map(pairs) = map else { panic!() };
    assert_eq!(pairs[0].0, text("a"));
    assert_eq!(pairs[1].0, text("z"));
    let map = ok_json(
        Type::Map(Box::new(tiers()), Box::new(Type::Int)),
        json!({"gold": 1}),
    );
    let Value::Map(pairs) = map else { panic!() };
    assert_eq!(pairs[0], (Value::Enum(Arc::from("gold")), Value::Int(1)));
}

#[test]
fn json_errors_name_record_field_expected_and_found() {
    let set_int = || Type::Set(Box::new(Type::Int));
    let map_date = || Type::Map(Box::new(Type::Text), Box::new(Type::Date));
    let cases: Vec<(Type, serde_json::Value, String)> = vec![
        (Type::Text, json!(42), "expected text, found `42`".into()),
        (
            Type::Int,
            json!("42"),
            "expected an integer, found text `\"42\"`".into(),
        ),
        (
            Type::Int,
            json!(1.5),
            "expected an integer, found `1.5`".into(),
        ),
        (
            Type::Int,
            json!(18446744073709551615u64),
            "integer `18446744073709551615` is out of range".into(),
        ),
        (
            Type::Int,
            json!(1e16),
            "integer `1e+16` is beyond 2^53 and written as a float".into(),
        ),
        (
            Type::Int,
            json!(true),
            "expected an integer, found `true`".into(),
        ),
        (
            Type::Int,
            json!({"a": 1}),
            "expected an integer, found an object".into(),
        ),
        (
            Type::Decimal,
            json!("abc"),
            "expected a decimal number, found `\"abc\"`".into(),
        ),
        (
            Type::Decimal,
            json!(1e30),
            "decimal `1e+30` is out of range".into(),
        ),
        (
            Type::Ratio,
            json!(1.5),
            "ratio `1.5` is outside [0, 1]".into(),
        ),
        (
            Type::Ratio,
            json!(-0.1),
            "ratio `-0.1` is outside [0, 1]".into(),
        ),
        (
            Type::Ratio,
            json!("150%"),
            "ratio `150%` is outside [0, 1]".into(),
        ),
        (
            Type::Ratio,
            json!("0.85"),
            "expected a ratio in [0, 1] or a percentage, found `\"0.85\"`".into(),
        ),
        (
            Type::Bool,
            json!("true"),
            "expected `true` or `false`, found text `\"true\"`".into(),
        ),
        (
            Type::Bool,
            json!(1),
            "expected `true` or `false`, found `1`".into(),
        ),
        (
            Type::Float,
            json!("1.5"),
            "expected a number, found text `\"1.5\"`".into(),
        ),
        (
            Type::Date,
            json!("2026-02-30"),
            "date `2026-02-30` does not exist".into(),
        ),
        (
            Type::Date,
            json!("24/12/2026"),
            "expected a date, found `24/12/2026`".into(),
        ),
        (
            Type::DateTime,
            json!("2026-11-24T09:00:00"),
            "datetime `2026-11-24T09:00:00` has no offset".into(),
        ),
        (
            Type::DateTime,
            json!("tomorrow"),
            "expected a datetime, found `tomorrow`".into(),
        ),
        (
            Type::DateTime,
            json!(1795510800000.5),
            "expected a datetime, found `1795510800000.5`".into(),
        ),
        (
            Type::Duration,
            json!("24"),
            "expected a duration, found `24`".into(),
        ),
        (
            Type::Duration,
            json!("2y"),
            "expected a duration, found `2y`".into(),
        ),
        (
            Type::Duration,
            json!(24),
            "expected a duration, found `24`".into(),
        ),
        (
            tiers(),
            json!("Gold"),
            "unknown symbol `Gold`, expected one of `platinum`, `gold`, `silver`".into(),
        ),
        (
            Type::Region,
            json!("UK"),
            "unknown country code `UK`".into(),
        ),
        (
            Type::Region,
            json!("US except CA"),
            "exclusion `CA` does not lie inside `US`".into(),
        ),
        (
            Type::GeoPoint,
            json!([91.0, 0.0]),
            "point `[91.0,0.0]` is out of range".into(),
        ),
        (
            Type::GeoPoint,
            json!([1.0]),
            "expected a point, found an array of length 1".into(),
        ),
        (
            Type::GeoPoint,
            json!({"lat": 1.0}),
            "expected a point, found `{\"lat\":1.0}`".into(),
        ),
        (
            set_int(),
            json!("1|2"),
            "expected a list (set<int>), found `\"1|2\"`".into(),
        ),
        (
            set_int(),
            json!({"a": 1}),
            "expected a list (set<int>), found an object".into(),
        ),
        (
            set_int(),
            json!([1, "x"]),
            "item 2: expected an integer, found `\"x\"`".into(),
        ),
        (
            set_int(),
            json!([1, null]),
            "item 2: expected an integer, found null".into(),
        ),
        (
            set_int(),
            json!([[1]]),
            "item 1: expected an integer, found an array".into(),
        ),
        (
            map_date(),
            json!(["a"]),
            "expected an object (map<text, date>), found an array".into(),
        ),
        (
            map_date(),
            json!({"a": "2027-13-01"}),
            "value of `a`: date `2027-13-01` does not exist".into(),
        ),
    ];
    for (ty, v, msg) in cases {
        assert_eq!(
            err_json(ty.clone(), v.clone()),
            format!("{P}{msg}"),
            "{ty} {v}"
        );
    }
}

#[test]
fn helps_say_how_to_fix() {
    let schema = one(Type::Int, false);
    let e = Record::from_json(&schema, &json!({"id": "L1", "f": "42"})).unwrap_err();
    assert_eq!(
        e.help().as_deref(),
        Some("write the number without quotes: `42`")
    );
    let e = Record::from_json(&one(tiers(), false), &json!({"id": "L1", "f": "Gold"})).unwrap_err();
    assert_eq!(e.help().as_deref(), Some("did you mean `gold`?"));
    let e = Record::from_json(
        &one(Type::DateTime, false),
        &json!({"id": "L1", "f": "2026-11-24T09:00:00"}),
    )
    .unwrap_err();
    assert_eq!(
        e.help().as_deref(),
        Some("add `Z` for UTC or the offset of its time zone: `2026-11-24T09:00:00Z` or `2026-11-24T09:00:00-06:00`")
    );
    let e =
        Record::from_json(&one(Type::Region, false), &json!({"id": "L1", "f": "UK"})).unwrap_err();
    assert_eq!(
        e.help().as_deref(),
        Some("`UK` is not an ISO 3166-1 code; the United Kingdom is `GB`")
    );
    let e =
        Record::from_json(&one(Type::Bool, false), &json!({"id": "L1", "f": "true"})).unwrap_err();
    assert_eq!(
        e.help().as_deref(),
        Some("write the value without quotes: `true`")
    );
}

#[test]
fn record_level_errors_and_ids() {
    let schema = one(Type::Int, false);
    let cases: Vec<(serde_json::Value, &str, &str, Option<&str>)> = vec![
        (
            json!([1]),
            "record #1: expected an object, found an array",
            codes::DATA_INVALID_RECORD,
            None,
        ),
        (
            json!({"f": 1}),
            "record #1: missing `id`",
            codes::DATA_INVALID_RECORD,
            None,
        ),
        (
            json!({"id": null, "f": 1}),
            "record #1: missing `id`",
            codes::DATA_INVALID_RECORD,
            None,
        ),
        (
            json!({"id": " ", "f": 1}),
            "record #1: missing `id`",
            codes::DATA_INVALID_RECORD,
            None,
        ),
        (
            json!({"id": 1.5, "f": 1}),
            "record #1: expected a text or integer `id`, found `1.5`",
            codes::DATA_INVALID_RECORD,
            Some("id"),
        ),
        (
            json!({"id": "L1"}),
            "record `L1`: missing required field `f`",
            codes::DATA_MISSING_FIELD,
            Some("f"),
        ),
        (
            json!({"id": "L1", "f": null}),
            "record `L1`: missing required field `f`",
            codes::DATA_MISSING_FIELD,
            Some("f"),
        ),
        (
            json!({"id": "L1", "f": ""}),
            "record `L1`: missing required field `f`",
            codes::DATA_MISSING_FIELD,
            Some("f"),
        ),
        (
            json!({"id": "L1", "f": "x"}),
            "record `L1`, field `f`: expected an integer, found `\"x\"`",
            codes::DATA_INVALID_FIELD,
            Some("f"),
        ),
    ];
    for (v, msg, code, field) in cases {
        let e = Record::from_json(&schema, &v).unwrap_err();
        assert_eq!(e.to_string(), msg);
        assert_eq!(e.code(), code);
        assert_eq!(e.field(), field);
        let report: ErrorReport = e.clone().into();
        assert_eq!(report.code, code);
        assert_eq!(report.message, msg);
        assert!(report.help.is_some());
        assert_eq!(report.field.as_deref(), field);
    }
    // Position in a batch.
    let e = Record::from_json_at(&schema, &json!({"f": 1}), 7).unwrap_err();
    assert_eq!(e.to_string(), "record #7: missing `id`");
    assert_eq!(e.record(), &RecordRef::Position(7));
    let report: ErrorReport = e.into();
    assert_eq!(report.record.as_deref(), Some("#7"));
    let e = Record::from_json(&schema, &json!({"id": "L1"}))
        .unwrap_err()
        .with_position(3);
    assert_eq!(e.record(), &RecordRef::Id(Arc::from("L1")));
    assert_eq!(*e.kind(), DataErrorKind::MissingField);
    let report: ErrorReport = e.into();
    assert_eq!(report.record.as_deref(), Some("L1"));
    // Integer ids become text; unknown fields are ignored; optional fields may be absent.
    let schema = Schema {
        fields: vec![
            Field {
                name: "a".into(),
                ty: Type::Int,
                optional: true,
            },
            Field {
                name: "b".into(),
                ty: Type::Text,
                optional: true,
            },
            Field {
                name: "c".into(),
                ty: Type::Date,
                optional: true,
            },
        ],
    };
    let r =
        Record::from_json(&schema, &json!({"id": 17, "b": "", "c": "", "zzz": [1, 2]})).unwrap();
    assert_eq!(&*r.id, "17");
    assert_eq!(r.values, vec![Value::Null, Value::Null, Value::Null]);
}

#[test]
fn text_cells() {
    assert_eq!(ok_text(Type::Text, " as is "), text(" as is "));
    assert_eq!(ok_text(Type::Int, "250_000"), Value::Int(250_000));
    assert_eq!(ok_text(Type::Int, " -42 "), Value::Int(-42));
    assert_eq!(ok_text(Type::Int, "42.0"), Value::Int(42));
    assert_eq!(ok_text(Type::Decimal, "250000.50"), dec("250000.50"));
    assert_eq!(ok_text(Type::Ratio, "0.85"), Value::Float(0.85));
    assert_eq!(ok_text(Type::Ratio, "85%"), Value::Float(0.85));
    assert_eq!(ok_text(Type::Float, "1e3"), Value::Float(1000.0));
    assert_eq!(ok_text(Type::Bool, "TRUE"), Value::Bool(true));
    assert_eq!(ok_text(Type::Bool, "false"), Value::Bool(false));
    assert_eq!(ok_text(Type::Duration, "90m"), Value::Duration(5_400_000));
    assert_eq!(ok_text(tiers(), "silver"), Value::Enum(Arc::from("silver")));
    assert_eq!(
        ok_text(Type::Set(Box::new(Type::Text)), "b|a|b"),
        Value::Set(vec![text("a"), text("b")].into())
    );
    let Value::Map(pairs) = ok_text(
        Type::Map(Box::new(Type::Text), Box::new(Type::Date)),
        "name=2027-01-01|other=2027-06-30",
    ) else {
        panic!()
    };
    assert_eq!(pairs.len(), 2);
    for cell in ["41.9 -87.6", "41.9;-87.6", " 41.9 ; -87.6 "] {
        let Value::GeoPoint(p) = ok_text(Type::GeoPoint, cell) else {
            panic!()
        };
        assert_eq!((p.lat, p.lon), (41.9, -87.6));
    }

    for (ty, cell, msg) in [
        (Type::Int, "1_", "expected an integer, found `1_`"),
        (Type::Int, "4.5", "expected an integer, found `4.5`"),
        (
            Type::Int,
            "99999999999999999999",
            "integer `99999999999999999999` is out of range",
        ),
        (Type::Float, "NaN", "expected a number, found `NaN`"),
        (Type::Float, "inf", "expected a number, found `inf`"),
        (Type::Ratio, "NaN", "ratio `NaN` is outside [0, 1]"),
        (Type::Ratio, "1.01", "ratio `1.01` is outside [0, 1]"),
        (Type::Bool, "yes", "expected `true` or `false`, found `yes`"),
        (Type::GeoPoint, "NaN 0", "point `NaN 0` is out of range"),
        (Type::GeoPoint, "41.9", "expected a point, found `41.9`"),
        (
            Type::Set(Box::new(Type::Int)),
            "1||2",
            "empty item 2 in `1||2`",
        ),
        (
            Type::Set(Box::new(Type::Int)),
            "1|x",
            "item 2: expected an integer, found `x`",
        ),
        (
            Type::Map(Box::new(Type::Text), Box::new(Type::Date)),
            "a=2027-01-01|a=2027-01-02",
            "duplicate key in `a=2027-01-01|a=2027-01-02`",
        ),
        (
            Type::Map(Box::new(Type::Text), Box::new(Type::Date)),
            "a:2027-01-01",
            "expected `key=value`, found `a:2027-01-01`",
        ),
        (Type::Date, "2026-02-29", "date `2026-02-29` does not exist"),
    ] {
        assert_eq!(
            err_text(ty.clone(), cell),
            format!("{P}{msg}"),
            "{ty} {cell}"
        );
    }

    // Row-level errors.
    let schema = one(Type::Int, false);
    let e = Record::from_text_at(&schema, &["id", "f"], &["L1"], 4).unwrap_err();
    assert_eq!(
        e.to_string(),
        "record #4: the row has 1 cells but the header has 2 columns"
    );
    let e = Record::from_text_at(&schema, &["id", "f"], &["", "1"], 4).unwrap_err();
    assert_eq!(e.to_string(), "record #4: missing `id`");
    let e = Record::from_text(&schema, &["id", "f"], &["L1", "  "]).unwrap_err();
    assert_eq!(e.to_string(), "record `L1`: missing required field `f`");
    let e = Record::from_text(&schema, &["id"], &["L1"]).unwrap_err();
    assert_eq!(e.to_string(), "record `L1`: missing required field `f`");
    let r = Record::from_text(&one(Type::Int, true), &["x", "id", "f"], &["?", "L9", ""]).unwrap();
    assert_eq!((&*r.id, r.values.clone()), ("L9", vec![Value::Null]));
}

mod robustness {
    use super::*;
    use proptest::prelude::*;

    fn all_types() -> Vec<Type> {
        vec![
            Type::Text,
            Type::Int,
            Type::Decimal,
            Type::Ratio,
            Type::Float,
            Type::Bool,
            Type::Date,
            Type::DateTime,
            Type::Duration,
            tiers(),
            Type::Region,
            Type::GeoPoint,
            Type::Set(Box::new(Type::Int)),
            Type::Map(Box::new(Type::Text), Box::new(Type::Duration)),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        #[test]
        fn text_parsing_never_panics(cell in "\\PC{0,20}|[0-9_.e%|=;: -]{0,16}") {
            for ty in all_types() {
                let _ = Value::from_text(&ty, &cell);
                let _ = Value::from_json(&ty, &json!(cell));
            }
        }
    }
}
