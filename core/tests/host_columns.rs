//! A batch prepared from a host's columns whose probes read dictionary-encoded fields keeps the
//! columns instead of a record per lead; it routes, explains, routes without applying and
//! reports bad rows exactly as the same leads given as JSON (which are prepared as records).
#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "test code")]

mod host_support;

use host_support::*;
use leadrail_core::host::{Host, Instants, Rows};
use leadrail_core::record::Column;
use leadrail_core::report::ErrorReport;
use leadrail_core::route::{Decision, RouteOptions};
use proptest::prelude::*;
use serde_json::{json, Value as Json};

/// The leads as a host that holds them itself passes them: ids packed, region and line
/// dictionary-encoded, sizes as JSON (so the bad ones stay bad).
fn columns_of(leads: &[Json]) -> Rows {
    let text = |k: &'static str| leads.iter().map(move |l| l[k].as_str());
    let ids = Column::packed(text("id").map(Option::unwrap));
    let fields = vec![
        ("region".to_string(), Column::texts(text("region"))),
        ("line".to_string(), Column::texts(text("line"))),
        (
            "size".to_string(),
            Column::Json(leads.iter().map(|l| l["size"].clone()).collect()),
        ),
    ];
    Rows::new(Host::RUST, leads.len(), ids, fields)
}

/// Routes `leads` as JSON records and as the columns `rows` gives, explained and not, excluding
/// P007: the same decisions and state; returns the decisions of the last (explained) run.
fn routes_as_records(
    leads: &[Json],
    rows: impl Fn() -> Rows,
) -> Vec<Result<Decision, ErrorReport>> {
    let engine = engine();
    let schema = lead_schema();
    let n = leads.len() as i64;
    let instants = Instants::PerLead((0..n).map(|i| NOW + i * 1_000).collect());
    let mut last = Vec::new();
    for explain in [false, true] {
        let opts = RouteOptions {
            explain,
            exclude: vec!["P007".into()],
        };
        let (mut a, mut b) = (network(), network());
        let want = Rows::from_json(Host::RUST, &schema, leads)
            .prepare(&engine)
            .route(&engine, &mut a, &instants, &opts)
            .decisions();
        let got = rows()
            .prepare(&engine)
            .route(&engine, &mut b, &instants, &opts)
            .decisions();
        assert_eq!(got, want, "explain: {explain}");
        assert_eq!(state(&b), state(&a), "explain: {explain}");
        assert_eq!(kinds(&got), kinds(&want));
        last = got;
    }
    last
}

#[test]
fn a_batch_held_as_columns_routes_as_the_same_leads_as_records() {
    let leads = leads(3_000, &[5, 1_700, 2_999]);
    let engine = engine();
    let schema = lead_schema();
    let instants = Instants::PerLead((0..3_000).map(|i| NOW + i * 1_000).collect());
    let got = routes_as_records(&leads, || columns_of(&leads));
    assert!(got[1_700].is_err() && got[0].is_ok());
    // routing without applying reads every lead's record from the columns
    let net = network();
    let opts = RouteOptions::default();
    let want = Rows::from_json(Host::RUST, &schema, &leads)
        .prepare(&engine)
        .route_unapplied(&engine, &net, &instants, &opts)
        .decisions();
    let got = columns_of(&leads)
        .prepare(&engine)
        .route_unapplied(&engine, &net, &instants, &opts)
        .decisions();
    assert_eq!(got, want);
}

/// A batch of good rows only, sizes as integers (the common case: every lead is its row and
/// passed its check), explained and not, routes as the same leads as records: the probes'
/// keys are then read from the dictionary codes, not kept per lead.
#[test]
fn a_batch_of_good_rows_with_integer_sizes_routes_as_records() {
    let leads = leads(3_000, &[]);
    let int_rows = || {
        let text = |k: &'static str| leads.iter().map(move |l| l[k].as_str());
        let fields = vec![
            (
                "size".to_string(),
                Column::Int(leads.iter().map(|l| l["size"].as_i64()).collect()),
            ),
            ("line".to_string(), Column::texts(text("line"))),
            ("region".to_string(), Column::texts(text("region"))),
        ];
        Rows::new(
            Host::RUST,
            leads.len(),
            Column::packed(text("id").map(Option::unwrap)),
            fields,
        )
    };
    let k = kinds(&routes_as_records(&leads, int_rows));
    assert!(k["partner"] > 100 && k["queue"] > 100, "{k:?}");
}

#[test]
fn packed_texts_read_as_text_cells() {
    let ids = ["L1", " ", "L3", "", "L5"];
    let packed = Column::packed(ids);
    let text = Column::Text(ids.iter().map(|t| Some(std::sync::Arc::from(*t))).collect());
    let lines = Column::texts(["l0"; 5].into_iter().map(Some));
    let rows = |ids: Column| {
        let fields = vec![
            ("region".to_string(), Column::texts(["US"; 5].map(Some))),
            ("line".to_string(), lines.clone()),
            ("size".to_string(), Column::Int(vec![Some(1); 5])),
        ];
        Rows::new(Host::RUST, 5, ids, fields)
    };
    let schema = lead_schema();
    assert_eq!(rows(packed).records(&schema), rows(text).records(&schema));
}

/// A row of [`host_batch`]: id, region code, line code, size.
type HostRow = (String, u32, u32, Option<i64>);

/// A random batch as a host holds it: ids packed (some blank), region and line
/// dictionary-encoded (entries that are bad values, codes past the dictionary: missing),
/// sizes as integers (some missing); and the same rows as JSON objects.
fn host_batch() -> impl Strategy<Value = (Rows, Vec<Json>)> {
    let regions = vec![
        json!("US-TX"),
        json!("DE"),
        json!("BR"),
        json!("us-tx"),
        json!("XX-ZZZ"),
        json!(""),
        json!(7),
        json!("DE"),
    ];
    let lines = vec![
        json!("l0"),
        json!("l1"),
        json!("l5"),
        json!(""),
        json!(null),
        json!("l1"),
    ];
    let row = (
        prop_oneof![9 => (0..40u32).prop_map(|i| format!("L{i}")), 1 => Just(" ".to_string())],
        0..regions.len() as u32 + 1,
        0..lines.len() as u32 + 1,
        prop_oneof![9 => (0..300i64).prop_map(Some), 1 => Just(None)],
    );
    proptest::collection::vec(row, 0..60).prop_map(move |rows| {
        let ids = Column::packed(rows.iter().map(|r| r.0.as_str()));
        let codes = |k: fn(&HostRow) -> u32| rows.iter().map(k).collect();
        let fields = vec![
            (
                "line".to_string(),
                Column::Dict {
                    dict: lines.clone(),
                    codes: codes(|r| r.2),
                },
            ),
            (
                "region".to_string(),
                Column::Dict {
                    dict: regions.clone(),
                    codes: codes(|r| r.1),
                },
            ),
            (
                "size".to_string(),
                Column::Int(rows.iter().map(|r| r.3).collect()),
            ),
        ];
        let json: Vec<Json> = rows
            .iter()
            .map(|(id, r, l, size)| {
                let mut o = serde_json::Map::new();
                o.insert("id".into(), json!(id));
                if let Some(v) = regions.get(*r as usize) {
                    o.insert("region".into(), v.clone());
                }
                if let Some(v) = lines.get(*l as usize) {
                    o.insert("line".into(), v.clone());
                }
                if let Some(s) = size {
                    o.insert("size".into(), json!(s));
                }
                Json::Object(o)
            })
            .collect();
        (Rows::new(Host::RUST, rows.len(), ids, fields), json)
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// The host layer's column path (rows checked column by column, keys read from the
    /// dictionary codes) gives each row the decision or error the same row given as JSON gets.
    #[test]
    fn host_columns_route_as_json_rows((rows, leads) in host_batch(), explain in any::<bool>()) {
        let engine = engine();
        let opts = RouteOptions { explain, exclude: vec!["P007".into()] };
        let instants = Instants::One(NOW);
        let (mut a, mut b) = (network(), network());
        let want = Rows::from_json(Host::RUST, &lead_schema(), &leads)
            .prepare(&engine)
            .route(&engine, &mut a, &instants, &opts)
            .decisions();
        let got = rows.prepare(&engine).route(&engine, &mut b, &instants, &opts).decisions();
        prop_assert_eq!(got, want);
        prop_assert_eq!(state(&b), state(&a));
    }
}
