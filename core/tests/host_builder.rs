//! The host layer's column builder (what the Python binding fills value by value) and the host
//! arguments core reads from JSON: every value comes back as pushed whatever the mix of kinds
//! and the keys given, a NaN that JSON cannot hold is reported by row, and the arguments' errors
//! are core's.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "test code")]

use leadrail_core::api::{network_state, DoneJson, SlaAnswer, SlaRequest, SlaResult};
use leadrail_core::host::ColumnBuilder;
use leadrail_core::record::Column;
use leadrail_core::report::ErrorReport;
use proptest::prelude::*;
use serde_json::{json, Value as Json};

/// One host value as a binding pushes it.
#[derive(Debug, Clone)]
enum Cell {
    Missing,
    /// A text, and the key (host address) it is given with.
    Text(usize, Option<usize>),
    Int(i64),
    Float(f64),
    Other(bool),
}

const TEXTS: [&str; 5] = ["US", "DE", "US-TX", "line-01", ""];

fn push(b: &mut ColumnBuilder, c: &Cell) -> bool {
    match c {
        Cell::Missing => b.push_missing(),
        Cell::Text(t, key) => {
            // a key names one text: the binding tries it first
            if !key.is_some_and(|k| b.push_cached(k)) {
                b.push_text(TEXTS[*t], *key);
            }
        }
        Cell::Int(i) => b.push_int(*i),
        Cell::Float(x) => return b.push_float(*x),
        Cell::Other(x) => b.push_json(Json::Bool(*x)),
    }
    true
}

/// Row `i` of a column as JSON (a float as itself, NaN included).
fn cells(col: &Column) -> Vec<Result<Json, f64>> {
    match col {
        Column::Json(v) => v.iter().cloned().map(Ok).collect(),
        Column::Dict { dict, codes } => codes
            .iter()
            .map(|c| Ok(dict.get(*c as usize).cloned().unwrap_or(Json::Null)))
            .collect(),
        Column::Int(v) => v
            .iter()
            .map(|x| Ok(x.map_or(Json::Null, Json::from)))
            .collect(),
        Column::Float(v) => v
            .iter()
            .map(|x| match x {
                None => Ok(Json::Null),
                Some(x) => Err(*x),
            })
            .collect(),
        Column::Text(v) => v
            .iter()
            .map(|x| Ok(x.as_deref().map_or(Json::Null, Json::from)))
            .collect(),
        Column::Packed { text, ends } => {
            let starts = std::iter::once(0).chain(ends.iter().copied());
            starts
                .zip(ends)
                .map(|(a, b)| Ok(Json::from(&text[a..*b])))
                .collect()
        }
    }
}

fn text() -> impl Strategy<Value = Cell> {
    // few keys, so that they repeat; a key always names the same text
    (0..TEXTS.len(), any::<bool>())
        .prop_map(|(t, keyed)| Cell::Text(t, keyed.then_some(0x1000 + 16 * t)))
}

fn cell() -> impl Strategy<Value = Cell> {
    prop_oneof![
        Just(Cell::Missing),
        text(),
        (-3i64..3).prop_map(Cell::Int),
        prop_oneof![Just(0.5), Just(f64::NAN), Just(f64::INFINITY)].prop_map(Cell::Float),
        any::<bool>().prop_map(Cell::Other),
    ]
}

/// Columns of texts (the key cache at work) or of any mix of kinds.
fn column() -> impl Strategy<Value = Vec<Cell>> {
    prop_oneof![
        proptest::collection::vec(prop_oneof![9 => text(), 1 => Just(Cell::Missing)], 0..150),
        proptest::collection::vec(cell(), 0..150),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Every row reads back as pushed: texts, ints and other values as their JSON, a float as
    /// itself in a float column; a non-finite float in a JSON column is missing, and reported
    /// (returned as lost, or refused by `push_float`).
    #[test]
    fn values_read_back_as_pushed(values in column(), dedupe in any::<bool>()) {
        let mut b = ColumnBuilder::new(values.len(), dedupe);
        let held: Vec<bool> = values.iter().map(|c| push(&mut b, c)).collect();
        let (col, lost) = b.finish();
        prop_assert_eq!(col.len(), values.len());
        if !dedupe {
            let dict = matches!(col, Column::Dict { .. });
            prop_assert!(!dict, "ids are not a dictionary");
        }
        for (i, (got, c)) in cells(&col).into_iter().zip(&values).enumerate() {
            let want = match c {
                Cell::Missing => Json::Null,
                Cell::Text(t, _) => json!(TEXTS[*t]),
                Cell::Int(x) => json!(x),
                Cell::Float(x) if x.is_finite() => json!(x),
                Cell::Float(x) => {
                    match got {
                        Err(y) => prop_assert!(y.is_nan() == x.is_nan() && !lost.contains(&i)),
                        Ok(j) => {
                            prop_assert_eq!(j, Json::Null);
                            // lost when the column became JSON, else refused
                            prop_assert_eq!(lost.contains(&i), held[i], "row {} lost {:?}", i, &lost);
                        }
                    }
                    continue;
                }
                Cell::Other(x) => json!(x),
            };
            match got {
                Ok(j) => prop_assert_eq!(j, want),
                Err(y) => prop_assert_eq!(json!(y), want),
            }
        }
        prop_assert!(lost.windows(2).all(|w| w[0] < w[1]));
    }
}

#[test]
fn a_column_of_one_kind_keeps_its_cheap_form() {
    let mut b = ColumnBuilder::new(3, true);
    b.push_missing();
    b.push_int(4);
    b.push_int(5);
    assert_eq!(b.finish().0, Column::Int(vec![None, Some(4), Some(5)]));
    let mut b = ColumnBuilder::new(2, false);
    b.push_text("L1", Some(8));
    b.push_text("L2", Some(8)); // ids are not cached by key
    assert_eq!(
        b.finish().0,
        Column::Text(vec![Some("L1".into()), Some("L2".into())])
    );
    // more distinct keys than the key cache holds, then a few repeated: each row its own text
    let mut b = ColumnBuilder::new(5000, true);
    let mut hits = 0;
    for i in 0..5000usize {
        let t = if i < 3000 { i } else { i % 500 };
        let key = 0x10_0000 + 16 * t;
        if b.push_cached(key) {
            hits += 1;
        } else {
            b.push_text(&format!("t{t}"), Some(key));
        }
    }
    assert!(hits > 1000, "{hits}");
    let Column::Dict { dict, codes } = b.finish().0 else {
        panic!("not a dictionary")
    };
    assert_eq!(dict.len(), 3000);
    for (i, c) in codes.iter().enumerate() {
        let t = if i < 3000 { i } else { i % 500 };
        assert_eq!(dict[*c as usize], json!(format!("t{t}")));
    }
}

#[test]
fn sla_arguments_from_a_host() {
    let req = SlaRequest::from_host(
        vec![json!({})],
        7,
        Some(json!(["a:warn:50"])),
        Some(json!({"P1": "us"})),
    )
    .unwrap();
    assert_eq!(req.done, Some(DoneJson::Ids(vec!["a:warn:50".into()])));
    assert_eq!(req.partner_calendars.0.len(), 1);
    let req = SlaRequest::from_host(
        vec![],
        7,
        Some(json!("2026-11-24T09:00:00Z")),
        Some(Json::Null),
    )
    .unwrap();
    assert!(matches!(req.done, Some(DoneJson::Cursor(_))));
    let req = SlaRequest::from_host(vec![], 7, Some(Json::Null), None).unwrap();
    assert_eq!(req.done, None);
    for bad in [
        json!([1, 2]),
        json!([null]),
        json!({"a": 1}),
        json!(1.5),
        json!(true),
    ] {
        let e = SlaRequest::from_host(vec![], 7, Some(bad.clone()), None).unwrap_err();
        assert_eq!(e.code, "leadrail::request::invalid", "{bad}");
        assert!(
            e.message.starts_with("`done` must list action ids (text)"),
            "{}",
            e.message
        );
    }
    for bad in [json!({"P1": 5}), json!(["P1"])] {
        let e = SlaRequest::from_host(vec![], 7, None, Some(bad)).unwrap_err();
        assert!(
            e.message.starts_with("`partner_calendars` is not valid: "),
            "{}",
            e.message
        );
    }
}

#[test]
fn one_timeline_answer_and_a_state() {
    let e = ErrorReport::request("bad", "fix it");
    let one = SlaAnswer {
        results: vec![SlaResult::Error(e.clone())],
    };
    assert_eq!(one.single().unwrap_err(), e);
    let none = SlaAnswer { results: vec![] };
    assert_eq!(none.single().unwrap_err().message, "no result");
    let st = network_state(json!({"seq": 2, "partners": []})).unwrap();
    assert_eq!(st.seq, 2);
    let e = network_state(json!({"seq": -1, "partners": []})).unwrap_err();
    assert_eq!(e.code, "leadrail::request::invalid");
    assert!(
        e.message.starts_with("the state is not valid: "),
        "{}",
        e.message
    );
}
