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
use serde_json::Value as Json;

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
