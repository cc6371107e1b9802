//! The host layer's rows, instants and results: problems the host met itself merged with core's
//! errors in schema order, every record known only by its position named by its position in
//! the whole batch, the three forms of instants, routing without applying, and the results'
//! views, decisions and wire form agreeing.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "test code")]

mod host_support;

use host_support::*;
use leadrail_core::host::{
    Host, Instants, Problem, ResultArrays, RouteResult, Rows, SharedNetwork,
};
use leadrail_core::record::Column;
use leadrail_core::route::{Decision, RouteOptions};
use serde_json::json;

#[test]
fn bad_rows_are_named_by_their_position_in_the_whole_batch() {
    let n = 40_000;
    let mut xs: Vec<Lead> = leads(n, &[]).into_iter().map(Lead::Json).collect();
    // no id
    xs[20_000] = Lead::Json(json!({"region": "US", "line": "l0", "size": 1}));
    // not a record, with and without a JSON form
    xs[30_000] = Lead::Json(json!(42));
    xs[35_000] = Lead::Opaque("a value of type `object`".into());
    // unreadable cells: with a text id, and an unreadable id
    xs[36_000] = Lead::Unreadable(
        json!({"id": "L036000", "region": "US", "line": "l0", "size": 1}),
        Some(2),
        "the integer `18446744073709551616...`, which is out of the 64-bit range".into(),
    );
    xs[37_000] = Lead::Unreadable(
        json!({"id": "L037000", "region": "US", "line": "l0", "size": 1}),
        None,
        "a value of type `object`".into(),
    );
    // an unreadable cell after a field core rejects: core's error comes first
    xs[38_000] = Lead::Unreadable(
        json!({"id": "L038000", "region": "XX-NOPE", "line": "l0", "size": 1}),
        Some(3),
        "a value of type `object`".into(),
    );
    let engine = engine();
    let shared = SharedNetwork::new(network(), Host::RUST);
    let mut host = TestHost::of(xs);
    shared
        .route_batch(
            &engine,
            n,
            &Instants::One(NOW),
            &RouteOptions::default(),
            &mut host,
        )
        .unwrap();
    let err = |i: usize| host.out[i].as_ref().unwrap_err().clone();
    assert_eq!(err(20_000).message, "record #20001: missing `id`");
    assert_eq!(err(20_000).record.as_deref(), Some("#20001"));
    assert_eq!(
        err(30_000).message,
        "record #30001: expected an object, found `42`"
    );
    assert_eq!(
        err(35_000).message,
        "record #35001: expected an object, found a value of type `object`"
    );
    assert_eq!(err(35_000).code, "leadrail::data::invalid_record");
    let e = err(36_000);
    assert_eq!(
        e.message,
        "record `L036000`, field `size`: cannot read the integer `18446744073709551616...`, which is out of the 64-bit range"
    );
    assert_eq!(
        (e.code.as_str(), e.record.as_deref(), e.field.as_deref()),
        (
            "leadrail::data::invalid_field",
            Some("L036000"),
            Some("size")
        )
    );
    assert_eq!(e.help.as_deref(), Some("pass values with a JSON form"));
    let e = err(37_000);
    assert_eq!(
        e.message,
        "record #37001, field `id`: cannot read a value of type `object`"
    );
    assert_eq!(e.field.as_deref(), Some("id"));
    assert_eq!(err(38_000).field.as_deref(), Some("region"));
    let bad = [20_000, 30_000, 35_000, 36_000, 37_000, 38_000];
    assert_eq!(
        (0..n).filter(|i| host.out[*i].is_err()).collect::<Vec<_>>(),
        bad
    );
}

#[test]
fn the_earliest_problem_of_a_row_wins() {
    let schema = lead_schema();
    let ids = Column::Text(vec![Some("A".into()), Some("B".into()), Some("C".into())]);
    let region = Column::Json(vec![json!("US"), json!("nowhere-at-all"), json!("US")]);
    let line = Column::Json(vec![json!("l0"), json!("l0"), json!("l0")]);
    let size = Column::Int(vec![Some(1), Some(1), None]);
    let rows = Rows::new(
        Host::RUST,
        3,
        ids,
        vec![
            ("region".into(), region),
            ("line".into(), line),
            ("size".into(), size),
        ],
    )
    .with_problems(vec![
        // after core's error about `region`: core's wins
        Problem::Unreadable {
            row: 1,
            field: Some(2),
            found: "x".into(),
        },
        // two problems of one row: the earlier field wins, and replaces core's later error
        Problem::Unreadable {
            row: 2,
            field: Some(3),
            found: "late".into(),
        },
        Problem::Unreadable {
            row: 2,
            field: Some(1),
            found: "early".into(),
        },
    ])
    .starting_at(10);
    let parsed = rows.records(&schema);
    assert_eq!(parsed.good.len(), 1);
    let bad: Vec<(usize, Option<&str>, &str)> = parsed
        .bad
        .iter()
        .map(|(i, e)| (*i, e.field.as_deref(), e.message.as_str()))
        .collect();
    assert_eq!(bad[0].0, 1);
    assert_eq!(bad[0].1, Some("region"));
    assert_eq!(
        bad[1],
        (
            2,
            Some("line"),
            "record `C`, field `line`: cannot read early"
        )
    );
    // the row-by-row form
    let all = Rows::from_json(
        Host::RUST,
        &schema,
        &[
            json!({"id": "A"}),
            json!({"id": "B", "region": "US", "line": "x", "size": 2}),
        ],
    )
    .records(&schema)
    .into_rows();
    assert_eq!(
        all[0].as_ref().unwrap_err().field.as_deref(),
        Some("region")
    );
    assert_eq!(&*all[1].as_ref().unwrap().id, "B");
}

#[test]
fn instants_per_lead_skip_the_bad_rows() {
    // per lead, in steps, and one for all give what their instants say, bad rows skipped
    let engine = engine();
    let xs = leads(50, &[0, 7, 8, 49]);
    let step = Instants::Step {
        start: NOW,
        step_ms: 60_000,
    };
    let each = Instants::PerLead((0..50).map(|i| NOW + 60_000 * i).collect());
    let route = |instants: &Instants, at: usize| {
        let mut net = network();
        let out = Rows::from_json(Host::RUST, &lead_schema(), &xs)
            .starting_at(at)
            .prepare(&engine)
            .route(&engine, &mut net, instants, &RouteOptions::default())
            .decisions();
        (out, state(&net))
    };
    let (a, sa) = route(&step, 0);
    let (b, sb) = route(&each, 0);
    assert_eq!(a, b);
    assert_eq!(sa, sb);
    // each partner's last assignment is the instant of the lead it got last
    let last = a
        .iter()
        .enumerate()
        .filter_map(|(i, r)| match r {
            Ok(d) => d.state_read.as_ref().map(|s| (s.partner.to_string(), i)),
            Err(_) => None,
        })
        .collect::<std::collections::BTreeMap<_, _>>();
    for p in sa["partners"].as_array().unwrap() {
        if let Some(i) = last.get(p["id"].as_str().unwrap()) {
            assert_eq!(p["last_assigned_at"], json!(NOW + 60_000 * *i as i64));
        }
    }
    // rows 20.. of a batch take the batch's instants from row 20 on
    let (c, _) = route(
        &Instants::Step {
            start: NOW - 20 * 60_000,
            step_ms: 60_000,
        },
        20,
    );
    assert_eq!(a, c);
    assert_eq!(Instants::from(NOW), Instants::One(NOW));
}

#[test]
fn routing_without_applying_changes_nothing() {
    let engine = engine();
    let net = network();
    let before = state(&net);
    let xs = leads(100, &[4]);
    let unapplied = Rows::from_json(Host::RUST, &lead_schema(), &xs)
        .prepare(&engine)
        .route_unapplied(&engine, &net, &Instants::One(NOW), &RouteOptions::default());
    assert_eq!(state(&net), before);
    assert_eq!(unapplied.len(), 100);
    assert_eq!(unapplied.bad()[0].0, 4);
    // each lead sees the state before the batch
    for r in unapplied.decisions().into_iter().flatten() {
        if let Some(s) = r.state_read {
            let p = before["partners"]
                .as_array()
                .unwrap()
                .iter()
                .find(|p| p["id"] == json!(&*s.partner))
                .unwrap();
            assert_eq!(json!(s.version), p["version"]);
        }
    }
}

#[test]
fn views_decisions_and_wire_form_agree() {
    let engine = engine();
    let mut net = network();
    let xs = leads(200, &[3, 100]);
    let results = Rows::from_json(Host::RUST, &lead_schema(), &xs)
        .prepare(&engine)
        .route(
            &engine,
            &mut net,
            &Instants::One(NOW),
            &RouteOptions::default(),
        );
    let decisions = results.decisions();
    let wire = results.to_wire();
    let views: Vec<Result<Decision, String>> = results
        .views()
        .map(|r| r.map(|d| d.to_decision()).map_err(|e| e.message.clone()))
        .collect();
    assert_eq!(results.views().len(), 200);
    for ((d, w), v) in decisions.iter().zip(&wire).zip(&views) {
        match (d, w, v) {
            (Ok(d), RouteResult::Ok(w), Ok(v)) => {
                assert_eq!(d, w);
                assert_eq!(d, v);
            }
            (Err(d), RouteResult::Error(w), Err(v)) => {
                assert_eq!(d, w);
                assert_eq!(&d.message, v);
            }
            other => panic!("{other:?}"),
        }
    }
    let json = serde_json::to_value(&wire[3]).unwrap();
    assert_eq!(json["error"]["field"], json!("size"));
    assert!(serde_json::to_value(&wire[0]).unwrap()["ok"]["outcome"]["kind"].is_string());
}

#[test]
fn arrays_made_where_the_rows_are_routed_are_the_results_arrays() {
    let engine = engine();
    let xs = leads(200, &[3, 100]);
    let route = |rows: Rows| {
        let mut net = network();
        let opts = RouteOptions::default();
        (rows.prepare(&engine)).route(&engine, &mut net, &Instants::One(NOW), &opts)
    };
    let plain = route(Rows::from_json(Host::RUST, &lead_schema(), &xs));
    let arrayed = route(Rows::from_json(Host::RUST, &lead_schema(), &xs).with_arrays());
    // (compared as text: the arrays hold NaN for "no last assignment")
    let text = |a: ResultArrays| format!("{a:?}");
    assert_eq!(text(arrayed.to_arrays()), text(plain.to_arrays()));
    assert_eq!(arrayed.decisions(), plain.decisions());
    let want = plain.to_arrays();
    assert_eq!(want.errors.len(), 2);
    assert_eq!(text(arrayed.into_arrays()), text(want.clone()));
    assert_eq!(text(plain.into_arrays()), text(want));
}
