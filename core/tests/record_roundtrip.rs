//! `Record::to_json` then `Record::from_json` gives back the same record.
#![expect(clippy::unwrap_used, reason = "tests fail loudly")]

use std::sync::Arc;

use leadrail_core::geo::{GeoPoint, Territory};
use leadrail_core::record::{make_set, Record};
use leadrail_core::schema::{Field, Schema};
use leadrail_core::value::{Type, Value};
use proptest::prelude::*;
use rust_decimal::Decimal;

fn tiers() -> Type {
    Type::Enum(Arc::from(vec![
        "platinum".to_string(),
        "gold".into(),
        "silver".into(),
    ]))
}

fn types() -> Vec<Type> {
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
        Type::Set(Box::new(Type::Text)),
        Type::Map(Box::new(Type::Text), Box::new(Type::Date)),
        Type::Region,
        Type::GeoPoint,
        Type::Set(Box::new(Type::Region)),
    ]
}

fn schema() -> Schema {
    Schema {
        fields: types()
            .into_iter()
            .enumerate()
            .map(|(i, ty)| Field {
                name: format!("f{i}"),
                ty,
                optional: i % 2 == 1,
            })
            .collect(),
    }
}

fn text() -> impl Strategy<Value = Value> {
    "[a-zA-Z0-9][a-zA-Z0-9 é_-]{0,10}".prop_map(|s| Value::Text(Arc::from(s.as_str())))
}

fn date() -> impl Strategy<Value = Value> {
    (-50_000i64..50_000).prop_map(|d| {
        Value::Date(
            chrono::NaiveDate::from_ymd_opt(2000, 1, 1).unwrap() + chrono::Duration::days(d),
        )
    })
}

fn region() -> impl Strategy<Value = Value> {
    prop::sample::select(vec![
        "US",
        "US-TX:750",
        "DE:80",
        "GB-ENG except GB-KEC",
        "US except US-AK, US-HI",
        "JP-13",
    ])
    .prop_map(|s| Value::Region(Arc::new(Territory::parse(s).unwrap())))
}

fn value(ty: &Type) -> BoxedStrategy<Value> {
    match ty {
        Type::Text => text().boxed(),
        Type::Int => any::<i64>().prop_map(Value::Int).boxed(),
        Type::Decimal => (any::<i64>(), 0u32..8)
            .prop_map(|(m, s)| Value::Decimal(Decimal::new(m, s)))
            .boxed(),
        Type::Ratio => (0.0..=1.0f64).prop_map(Value::Float).boxed(),
        Type::Float => (-1e12..1e12f64).prop_map(Value::Float).boxed(),
        Type::Bool => any::<bool>().prop_map(Value::Bool).boxed(),
        Type::Date => date().boxed(),
        Type::DateTime => (-5_000_000_000_000i64..5_000_000_000_000)
            .prop_map(Value::DateTime)
            .boxed(),
        Type::Duration => (0i64..10_000_000_000_000).prop_map(Value::Duration).boxed(),
        Type::Enum(_) => prop::sample::select(vec!["platinum", "gold", "silver"])
            .prop_map(|s| Value::Enum(Arc::from(s)))
            .boxed(),
        Type::Set(item) => prop::collection::vec(value(item), 0..5)
            .prop_map(make_set)
            .boxed(),
        Type::Map(_, _) => prop::collection::btree_map("[a-z]{1,6}", date(), 0..4)
            .prop_map(|m| {
                Value::Map(
                    m.into_iter()
                        .map(|(k, v)| (Value::Text(Arc::from(k.as_str())), v))
                        .collect(),
                )
            })
            .boxed(),
        Type::Region => region().boxed(),
        Type::GeoPoint => (-90.0..=90.0f64, -180.0..=180.0f64)
            .prop_map(|(lat, lon)| Value::GeoPoint(GeoPoint { lat, lon }))
            .boxed(),
    }
}

fn record() -> impl Strategy<Value = Record> {
    let s = schema();
    let fields: Vec<BoxedStrategy<Value>> = s
        .fields
        .iter()
        .map(|f| {
            if f.optional {
                prop::option::of(value(&f.ty))
                    .prop_map(|v| v.unwrap_or(Value::Null))
                    .boxed()
            } else {
                value(&f.ty)
            }
        })
        .collect();
    ("[A-Z][0-9]{1,6}", fields).prop_map(|(id, values)| Record {
        id: Arc::from(id.as_str()),
        values,
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]
    #[test]
    fn json_round_trip(r in record()) {
        let s = schema();
        let json = r.to_json(&s);
        let back = Record::from_json(&s, &json).unwrap_or_else(|e| panic!("{e}\n{json}"));
        prop_assert_eq!(back, r.clone());
        // Through the JSON text too.
        let text = serde_json::to_string(&json).unwrap();
        let back = Record::from_json(&s, &serde_json::from_str(&text).unwrap()).unwrap();
        prop_assert_eq!(back, r);
    }
}

#[test]
fn to_json_forms() {
    let s = schema();
    let r = Record::from_json(
        &s,
        &serde_json::json!({
            "id": "L1", "f0": "x", "f2": "250000.50", "f4": 1.5, "f6": "2026-12-24",
            "f8": "90m", "f10": ["b", "a"], "f12": "us-tx:750", "f14": []
        }),
    )
    .unwrap();
    let j = r.to_json(&s);
    assert_eq!(j["id"], "L1");
    assert_eq!(j["f2"], "250000.50");
    assert_eq!(j["f6"], "2026-12-24");
    assert_eq!(j["f8"], "1h30m");
    assert_eq!(j["f10"], serde_json::json!(["a", "b"]));
    assert_eq!(j["f12"], "US-TX:750");
    assert_eq!(j["f1"], serde_json::Value::Null);
    let r = Record::from_json(
        &s,
        &serde_json::json!({
            "id": "L2", "f0": "x", "f2": 1, "f4": 1.5, "f6": "2026-12-24",
            "f8": "0ms", "f10": [], "f12": "US", "f14": [], "f7": "2026-11-24T09:00:00.250+01:00"
        }),
    )
    .unwrap();
    let j = r.to_json(&s);
    assert_eq!(j["f7"], "2026-11-24T08:00:00.250Z");
    assert_eq!(j["f8"], "0s");
}
