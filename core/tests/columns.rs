//! `Record::from_columns` gives row for row what `Record::from_json_at` gives on the equivalent
//! JSON objects, records and errors alike.

use std::sync::Arc;

use leadrail_core::record::{Column, Record};
use leadrail_core::schema::{Field, Schema};
use leadrail_core::value::Type;
use serde_json::{json, Value as Json};

fn schema() -> Schema {
    let f = |name: &str, ty: Type, optional: bool| Field {
        name: name.into(),
        ty,
        optional,
    };
    Schema {
        fields: vec![
            f("region", Type::Region, false),
            f("line", Type::Text, false),
            f("size", Type::Int, true),
            f("rate", Type::Ratio, false),
            f(
                "tier",
                Type::Enum(Arc::from(vec!["gold".to_string()])),
                true,
            ),
        ],
    }
}

#[test]
fn columns_equal_json_objects_row_for_row() {
    let ids = vec![
        json!("L1"),
        json!(2),
        json!(null),
        json!("L4"),
        json!(1.5),
        json!("L6"),
        json!("L7"),
        json!("L8"),
    ];
    let regions = vec![
        json!("US-TX"),
        json!("DE"),
        json!("US"),
        json!("XX"),
        json!("US"),
        json!(" "),
        json!("FR"),
        json!("US"),
    ];
    let lines = vec![
        json!("a"),
        json!(""),
        json!("b"),
        json!("c"),
        json!("d"),
        json!("e"),
        json!(7),
        json!("f"),
    ];
    let sizes = vec![
        Some(1),
        None,
        Some(3),
        Some(4),
        Some(5),
        Some(6),
        Some(7),
        Some(8),
    ];
    let rates = vec![
        Some(0.5),
        Some(1.0),
        Some(0.0),
        Some(0.25),
        Some(0.5),
        Some(0.5),
        Some(2.0),
        Some(f64::NAN),
    ];
    // dictionary-encoded tiers: "gold", "silver" (invalid), past the dictionary = missing
    let tier_dict = vec![json!("gold"), json!("silver")];
    let tier_codes = vec![0, 9, 0, 1, 0, 0, 0, 0];
    let cols = [
        ("region", Column::Json(regions.clone())),
        ("line", Column::Json(lines.clone())),
        ("size", Column::Int(sizes.clone())),
        ("rate", Column::Float(rates.clone())),
        (
            "tier",
            Column::Dict {
                dict: tier_dict.clone(),
                codes: tier_codes.clone(),
            },
        ),
        ("ignored", Column::Json(vec![json!({})])),
    ];
    let named: Vec<(&str, &Column)> = cols.iter().map(|(n, c)| (*n, c)).collect();
    let got = Record::from_columns(&schema(), ids.len(), &Column::Json(ids.clone()), &named);
    assert_eq!(got.len(), ids.len());
    for i in 0..ids.len() {
        let mut obj = serde_json::Map::new();
        obj.insert("id".into(), ids[i].clone());
        obj.insert("region".into(), regions[i].clone());
        obj.insert("line".into(), lines[i].clone());
        obj.insert("size".into(), sizes[i].map_or(Json::Null, Json::from));
        if !rates[i].unwrap().is_nan() {
            obj.insert("rate".into(), json!(rates[i].unwrap()));
        }
        if let Some(t) = tier_dict.get(tier_codes[i] as usize) {
            obj.insert("tier".into(), t.clone());
        }
        let want = Record::from_json_at(&schema(), &Json::Object(obj), i + 1);
        if rates[i].unwrap().is_nan() {
            // JSON cannot hold NaN: the column reports it as an invalid ratio
            let e = got[i].as_ref().unwrap_err();
            assert_eq!(e.field(), Some("rate"));
            assert_eq!(
                e.to_string(),
                "record `L8`, field `rate`: expected a ratio in [0, 1] or a percentage, found `NaN`"
            );
            continue;
        }
        assert_eq!(got[i], want, "row {i}");
    }
    assert!(got[0].is_ok());
    assert_eq!(
        got[2].as_ref().unwrap_err().to_string(),
        "record #3: missing `id`"
    );
}

#[test]
fn short_and_absent_columns_are_missing_values() {
    let got = Record::from_columns(
        &schema(),
        2,
        &Column::Json(vec![json!("a"), json!("b")]),
        &[
            ("region", &Column::Json(vec![json!("US"), json!("US")])),
            ("line", &Column::Json(vec![json!("x")])),
        ],
    );
    assert_eq!(
        got[0].as_ref().unwrap_err().to_string(),
        "record `a`: missing required field `rate`"
    );
    assert_eq!(
        got[1].as_ref().unwrap_err().to_string(),
        "record `b`: missing required field `line`"
    );
}

/// Host-side cell problems merge with core's per-row errors as `from_json_at` would order them:
/// the earliest field in schema order wins.
#[test]
fn host_errors_merge_in_schema_order() {
    use leadrail_core::host::merge_host_errors;
    use leadrail_core::report::{codes, ErrorReport};
    use leadrail_core::schema::{Field, Schema};
    use leadrail_core::value::Type;
    let schema = Schema {
        fields: vec![
            Field {
                name: "a".into(),
                ty: Type::Int,
                optional: false,
            },
            Field {
                name: "b".into(),
                ty: Type::Int,
                optional: false,
            },
        ],
    };
    let report = |field: &str, message: &str| {
        ErrorReport::error(codes::DATA_INVALID_FIELD, message)
            .with_record("r")
            .with_field(field)
    };
    let ok = leadrail_core::record::Record {
        id: "r".into(),
        values: vec![],
    };
    let mut rows = vec![
        Ok(ok),
        Err(report("b", "core b")),
        Err(report("a", "core a")),
    ];
    merge_host_errors(
        &schema,
        &mut rows,
        vec![
            (0, 2, report("b", "host b")),
            (1, 1, report("a", "host a")),
            (2, 2, report("b", "host b")),
            (0, 1, report("a", "host a")),
        ],
    );
    let messages: Vec<&str> = rows
        .iter()
        .map(|r| r.as_ref().map_or_else(|e| e.message.as_str(), |_| "ok"))
        .collect();
    assert_eq!(messages, ["host a", "host a", "core a"]);
}

/// `from_columns_split` gives the same records and errors as `from_columns`, good rows apart
/// from bad ones; integer cells of int and decimal fields read as their JSON numbers would.
#[test]
fn split_form_equals_row_form() {
    let schema = Schema {
        fields: vec![
            Field {
                name: "n".into(),
                ty: Type::Int,
                optional: true,
            },
            Field {
                name: "d".into(),
                ty: Type::Decimal,
                optional: false,
            },
            Field {
                name: "t".into(),
                ty: Type::Text,
                optional: false,
            },
        ],
    };
    let ids = Column::Json(vec![
        json!("a"),
        json!(null),
        json!("c"),
        json!(4),
        json!("e"),
    ]);
    let n = Column::Int(vec![Some(1), Some(2), None, Some(i64::MIN), Some(5)]);
    let d = Column::Int(vec![Some(10), Some(20), Some(i64::MAX), None, Some(-3)]);
    let t = Column::Dict {
        dict: vec![json!("x"), json!(7)],
        codes: vec![0, 0, 0, 0, 1],
    };
    let named = [("n", &n), ("d", &d), ("t", &t)];
    let rows = Record::from_columns(&schema, 5, &ids, &named);
    let (good, bad) = Record::from_columns_split(&schema, 5, &ids, &named);
    let mut g = good.iter();
    let mut b = bad.iter();
    for (i, r) in rows.iter().enumerate() {
        match r {
            Ok(rec) => assert_eq!(Some(rec), g.next(), "row {i}"),
            Err(e) => assert_eq!(Some(&(i, e.clone())), b.next(), "row {i}"),
        }
    }
    assert_eq!((g.next(), b.next()), (None, None));
    // the same rows as JSON objects
    let objs = [
        json!({"id": "a", "n": 1, "d": 10, "t": "x"}),
        json!({"id": null, "n": 2, "d": 20, "t": "x"}),
        json!({"id": "c", "d": i64::MAX, "t": "x"}),
        json!({"id": 4, "n": i64::MIN, "t": "x"}),
        json!({"id": "e", "n": 5, "d": -3, "t": 7}),
    ];
    for (i, o) in objs.iter().enumerate() {
        assert_eq!(rows[i], Record::from_json_at(&schema, o, i + 1), "row {i}");
    }
    assert_eq!(good.len(), 2);
    assert_eq!(
        bad.iter()
            .map(|(i, e)| (*i, e.to_string()))
            .collect::<Vec<_>>(),
        vec![
            (1, "record #2: missing `id`".to_string()),
            (3, "record `4`: missing required field `d`".to_string()),
            (
                4,
                "record `e`, field `t`: expected text, found `7`".to_string()
            ),
        ]
    );
}

/// A `Text` column reads as the JSON strings it holds: ids share the column's `Arc`, blank and
/// missing ids are missing, and text cells of fields parse as their JSON strings would.
#[test]
fn text_columns_equal_json_strings() {
    let t = |s: &str| Some(Arc::<str>::from(s));
    let ids = Column::Text(vec![t("L1"), t("  "), None, t("L4"), t("L5")]);
    let ids_json = Column::Json(vec![
        json!("L1"),
        json!("  "),
        json!(null),
        json!("L4"),
        json!("L5"),
    ]);
    let regions = Column::Text(vec![t("US-TX"), t("DE"), t("FR"), t("XX"), t(" ")]);
    let regions_json = Column::Json(vec![
        json!("US-TX"),
        json!("DE"),
        json!("FR"),
        json!("XX"),
        json!(" "),
    ]);
    let lines = Column::Text(vec![t("a"), t("b"), t("c"), t("d"), t("")]);
    let rates = Column::Float(vec![Some(0.5); 5]);
    let got = Record::from_columns(
        &schema(),
        5,
        &ids,
        &[("region", &regions), ("line", &lines), ("rate", &rates)],
    );
    let want = Record::from_columns(
        &schema(),
        5,
        &ids_json,
        &[
            ("region", &regions_json),
            (
                "line",
                &Column::Json(vec![
                    json!("a"),
                    json!("b"),
                    json!("c"),
                    json!("d"),
                    json!(""),
                ]),
            ),
            ("rate", &rates),
        ],
    );
    assert_eq!(got, want);
    assert!(got[0].is_ok());
    assert_eq!(
        got[1].as_ref().unwrap_err().to_string(),
        "record #2: missing `id`"
    );
    assert!(got[3].as_ref().unwrap_err().to_string().contains("`XX`"));
    // the record's id is the column's text
    if let (Column::Text(v), Ok(r)) = (&ids, &got[0]) {
        assert!(Arc::ptr_eq(v[0].as_ref().unwrap(), &r.id));
    }
}

/// Texts that repeat across a batch are parsed once per distinct text (a per-batch cache), in
/// every column form that holds texts: every row still gets what `Record::from_json_at` gives,
/// and a repeated bad text gives each of its rows its own error, naming the record and the
/// field.
#[test]
fn repeated_texts_read_as_json_objects_in_every_form() {
    let n = 12;
    let ids: Vec<String> = (0..n).map(|i| format!("L{i}")).collect();
    let region_of = |i: usize| ["DE", "XX", "US-TX", "", "US except US-AK"][i % 5];
    let line_of = |i: usize| ["a", "b", "", " "][i % 4];
    let tier_of = |i: usize| ["gold", "silver", ""][i % 3];
    let want: Vec<_> = (0..n)
        .map(|i| {
            let obj = json!({
                "id": ids[i],
                "region": region_of(i),
                "line": line_of(i),
                "rate": 0.5,
                "tier": tier_of(i),
            });
            Record::from_json_at(&schema(), &obj, i + 1)
        })
        .collect();
    let texts = |f: &dyn Fn(usize) -> &'static str| -> [Column; 3] {
        [
            Column::Text((0..n).map(|i| Some(Arc::from(f(i)))).collect()),
            Column::Json((0..n).map(|i| json!(f(i))).collect()),
            Column::texts((0..n).map(|i| Some(f(i)))),
        ]
    };
    let id_forms = [
        Column::Text(ids.iter().map(|s| Some(Arc::from(s.as_str()))).collect()),
        Column::Json(ids.iter().map(|s| json!(s)).collect()),
        Column::texts(ids.iter().map(|s| Some(s.as_str()))),
    ];
    let rates = Column::Float(vec![Some(0.5); n]);
    for (form, ((regions, lines), tiers)) in texts(&region_of)
        .iter()
        .zip(texts(&line_of).iter())
        .zip(texts(&tier_of).iter())
        .enumerate()
    {
        let named = [
            ("region", regions),
            ("line", lines),
            ("rate", &rates),
            ("tier", tiers),
        ];
        let got = Record::from_columns(&schema(), n, &id_forms[form], &named);
        assert_eq!(got, want, "column form {form}");
        let (good, bad) = Record::from_columns_split(&schema(), n, &id_forms[form], &named);
        assert_eq!(good.len() + bad.len(), n);
        let bad_rows: Vec<usize> = bad.iter().map(|(i, _)| *i).collect();
        let want_bad: Vec<usize> = (0..n).filter(|i| want[*i].is_err()).collect();
        assert_eq!(bad_rows, want_bad, "column form {form}");
    }
    // the repeated bad region: one error per row, each naming its record and the field
    let regions = Column::texts((0..n).map(|i| Some(region_of(i))));
    let lines = Column::texts((0..n).map(|_| Some("a")));
    let named = [("region", &regions), ("line", &lines), ("rate", &rates)];
    let (_, bad) = Record::from_columns_split(&schema(), n, &id_forms[2], &named);
    let errors: Vec<String> = bad.iter().map(|(_, e)| e.to_string()).collect();
    assert_eq!(errors.len(), 5, "{errors:?}");
    for (i, e) in bad.iter().filter(|(i, _)| region_of(*i) == "XX") {
        assert!(
            e.to_string()
                .starts_with(&format!("record `L{i}`, field `region`: ")),
            "{e}"
        );
    }
}

/// `Column::texts` dictionary-encodes: row for row it reads as a `Text` column of the same
/// texts, each distinct text stored once, a missing text past the dictionary.
#[test]
fn texts_builder_stores_each_distinct_text_once() {
    let cells = [
        Some("DE"),
        Some("FR"),
        None,
        Some("DE"),
        Some(""),
        Some("FR"),
    ];
    let col = Column::texts(cells);
    let Column::Dict { dict, codes } = &col else {
        panic!("not dictionary-encoded: {col:?}");
    };
    assert_eq!(dict, &[json!("DE"), json!("FR"), json!("")]);
    assert_eq!(codes.len(), cells.len());
    assert!(codes[2] as usize >= dict.len());
    let text = Column::Text(cells.iter().map(|c| c.map(Arc::from)).collect());
    let ids = Column::texts((0..cells.len()).map(|i| Some(["A", "B", "C", "D", "E", "F"][i])));
    let read = |c: &Column| Record::from_columns(&schema(), cells.len(), &ids, &[("region", c)]);
    assert_eq!(read(&col), read(&text));
}
