//! A batch routed in chunks with one carry (`Rows::prepare_with`, `Prepared::route_with`, as
//! `SharedNetwork::route_batch` routes a big batch) gives every lead the decision or error, and
//! leaves the network in the state, of the same batch routed in one piece: the probe keys and
//! combinations interned, the keys resolved and the candidates listed (and pruned as partners
//! fill up) in earlier chunks are reused, whatever each chunk's dictionaries and form.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "test code")]

mod host_support;

use host_support::{
    engine_of, l, p, partner_schema, req, rows_of, state, Lead, LINES, NOW, REGIONS,
};
use leadrail_core::host::{Host, Instants, Rows};
use leadrail_core::network::Network;
use leadrail_core::plan::{CmpOp, Else, Expr, RouteRule, Scope, Tie};
use leadrail_core::record::{Column, Record};
use leadrail_core::report::ErrorReport;
use leadrail_core::route::{Carry, Decision, Engine, RouteOptions};
use leadrail_core::value::Value;
use proptest::prelude::*;
use serde_json::{json, Value as Json};

/// `route "best"`: covers, member, a lead-only size test, capacity guard, rank by score,
/// round robin; `route "any"`: covers and capacity, by id; fallback queue.
fn engine() -> Engine {
    let covers = || {
        req(
            Expr::Covers(p(0), l(0)),
            "partner.territories covers lead.region",
        )
    };
    let room = || {
        req(
            Expr::Cmp(CmpOp::Lt, p(3), p(2)),
            "partner.active_leads < partner.capacity",
        )
    };
    let size = Expr::Cmp(CmpOp::Ge, l(2), Box::new(Expr::Lit(Value::Int(50))));
    engine_of(vec![
        RouteRule {
            name: "best".into(),
            when: None,
            requires: vec![
                covers(),
                req(Expr::InSet(l(1), p(1)), "lead.line in partner.lines"),
                req(size, "lead.size >= 50"),
                room(),
            ],
            rank: Some(Expr::Field(Scope::Partner, 4)),
            balance: false,
            tie: Tie::RoundRobin { weight: None },
            otherwise: Else::Next,
        },
        RouteRule {
            name: "any".into(),
            when: None,
            requires: vec![covers(), room()],
            rank: None,
            balance: false,
            tie: Tie::Id,
            otherwise: Else::Next,
        },
    ])
}

/// 24 partners with capacities `caps` (some full from the start: 2 leads active).
fn network(caps: &[i64]) -> Network {
    let schema = partner_schema();
    let records: Vec<Record> = (0..24)
        .map(|i| {
            let j = json!({
                "id": format!("P{i:03}"),
                "territories": [REGIONS[i % 8], REGIONS[(i * 3 + 1) % 8]],
                "lines": [LINES[i % 6], LINES[(i + 2) % 6]],
                "capacity": caps[i % caps.len()],
                "active_leads": 2,
                "score": ((i * 7919) % 1000) as f64 / 1000.0,
            });
            Record::from_json(&schema, &j).unwrap()
        })
        .collect();
    Network::new(&schema, records).unwrap()
}

/// How a chunk reaches core: dictionary-encoded regions and lines with integer sizes (the
/// leads kept as columns), the same with sizes as JSON cells (prepared as records), or JSON
/// records with the host's problems.
#[derive(Debug, Clone, Copy)]
enum Form {
    Dict,
    DictJsonSizes,
    Json,
}

/// A random lead: region and line from pools with bad and missing values, a size that may be
/// missing or not an integer; now and then a lead the host could not read.
fn lead() -> impl Strategy<Value = Lead> {
    let regions = [
        "US", "US-TX", "US-CA", "DE", "DE-BY", "FR", "GB", "JP", "BR", "us-tx", "XX-ZZZ", "",
    ];
    let lines = ["l0", "l1", "l2", "l3", "l4", "l5", "l9", ""];
    let value = |pool: Vec<Json>| {
        prop_oneof![
            12 => proptest::sample::select(pool),
            1 => Just(json!(7)),
            1 => Just(Json::Null),
        ]
    };
    let regions: Vec<Json> = regions.iter().map(|r| json!(r)).collect();
    let lines: Vec<Json> = lines.iter().map(|r| json!(r)).collect();
    let size = prop_oneof![
        16 => (0..200i64).prop_map(|s| json!(s)),
        1 => Just(json!("big")),
        1 => Just(Json::Null),
    ];
    let id = prop_oneof![30 => (0..500u32).prop_map(|i| format!("L{i}")), 1 => Just(" ".into())];
    (id, value(regions), value(lines), size, 0..40u8).prop_map(|(id, region, line, size, k)| {
        let mut o = serde_json::Map::new();
        o.insert("id".into(), json!(id));
        for (key, v) in [("region", region), ("line", line), ("size", size)] {
            if !v.is_null() {
                o.insert(key.into(), v);
            }
        }
        let j = Json::Object(o);
        match k {
            0 => Lead::Unreadable(j, Some(1), "a <Widget>".into()),
            1 => Lead::Opaque("a <function>".into()),
            _ => Lead::Json(j),
        }
    })
}

/// A dictionary-encoded column of `field` of `leads`: the chunk's own dictionary (values in
/// order of first appearance, rotated by `turn`), a missing value coded past its end.
fn dict_column(leads: &[&Json], field: &str, turn: usize) -> Column {
    let mut dict: Vec<Json> = Vec::new();
    for j in leads {
        if let Some(v) = j.get(field) {
            if !dict.contains(v) {
                dict.push(v.clone());
            }
        }
    }
    if !dict.is_empty() {
        let k = turn % dict.len();
        dict.rotate_left(k);
    }
    let codes = leads
        .iter()
        .map(|j| match j.get(field) {
            Some(v) => dict.iter().position(|d| d == v).unwrap() as u32,
            None => dict.len() as u32,
        })
        .collect();
    Column::Dict { dict, codes }
}

/// The leads `leads` as a host reading them in `form` passes them.
fn chunk_rows(leads: &[Lead], form: Form, turn: usize) -> Rows {
    let json: Option<Vec<&Json>> = leads
        .iter()
        .map(|l| match l {
            Lead::Json(j) => Some(j),
            _ => None,
        })
        .collect();
    let (Some(json), Form::Dict | Form::DictJsonSizes) = (json, form) else {
        return rows_of(leads);
    };
    let ids = Column::packed(json.iter().map(|j| j["id"].as_str().unwrap()));
    let sizes: Vec<Option<&Json>> = json.iter().map(|j| j.get("size")).collect();
    let ints: Option<Vec<Option<i64>>> = sizes
        .iter()
        .map(|s| match s {
            None => Some(None),
            Some(v) => v.as_i64().map(Some),
        })
        .collect();
    let size = match (form, ints) {
        (Form::Dict, Some(ints)) => Column::Int(ints),
        _ => Column::Json(
            sizes
                .iter()
                .map(|s| s.cloned().unwrap_or(Json::Null))
                .collect(),
        ),
    };
    let fields = vec![
        ("line".to_string(), dict_column(&json, "line", turn)),
        ("region".to_string(), dict_column(&json, "region", turn + 1)),
        ("size".to_string(), size),
    ];
    Rows::new(Host::RUST, json.len(), ids, fields)
}

type Out = Vec<Result<Decision, ErrorReport>>;

/// Routes `leads` in one piece.
fn whole(leads: &[Lead], net: &mut Network, instants: &Instants, opts: &RouteOptions) -> Out {
    let engine = engine();
    rows_of(leads)
        .prepare(&engine)
        .route(&engine, net, instants, opts)
        .decisions()
}

/// Routes `leads` in chunks of `lens` (cycled), each in its form, with one carry.
fn chunked(
    leads: &[Lead],
    chunks: &[(usize, Form)],
    net: &mut Network,
    instants: &Instants,
    opts: &RouteOptions,
) -> Out {
    let engine = engine();
    let mut carry = Carry::new();
    let mut out = Vec::new();
    let (mut at, mut k) = (0, 0);
    while at < leads.len() {
        let (len, form) = chunks[k % chunks.len()];
        let end = (at + len).min(leads.len());
        let rows = chunk_rows(&leads[at..end], form, k).starting_at(at);
        let results = rows
            .prepare_with(&engine, &mut carry)
            .route_with(&engine, net, instants, opts, &mut carry);
        out.extend(results.decisions());
        (at, k) = (end, k + 1);
    }
    out
}

fn form() -> impl Strategy<Value = Form> {
    prop_oneof![
        3 => Just(Form::Dict),
        1 => Just(Form::DictJsonSizes),
        1 => Just(Form::Json),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Chunks routed with one carry decide, fail and assign as the batch in one piece.
    #[test]
    fn chunks_with_a_carry_route_as_one_piece(
        leads in proptest::collection::vec(lead(), 0..240),
        chunks in proptest::collection::vec((1..60usize, form()), 1..8),
        caps in proptest::collection::vec(0..9i64, 1..6),
        exclude in proptest::sample::subsequence(vec!["P001", "P004", "P009", "P013", "P020"], 0..3),
        explain in proptest::bool::weighted(0.2),
    ) {
        let opts = RouteOptions {
            explain,
            exclude: exclude.iter().map(|s| s.to_string()).collect(),
        };
        let instants = Instants::Step { start: NOW, step_ms: 60_000 };
        let (mut a, mut b) = (network(&caps), network(&caps));
        let want = whole(&leads, &mut a, &instants, &opts);
        let got = chunked(&leads, &chunks, &mut b, &instants, &opts);
        prop_assert_eq!(got, want);
        prop_assert_eq!(state(&b), state(&a));
    }
}

/// W1-like rows in dictionary-encoded chunks (each with its own dictionary): partners fill up
/// in the first chunks, new regions and lines come in later ones, and the results are the
/// one piece's.
#[test]
fn partners_that_fill_up_stay_dropped_and_new_combinations_are_listed() {
    let regions = [
        "US-TX", "DE", "US", "FR", "GB", "JP", "DE-BY", "US-CA", "BR",
    ];
    let leads: Vec<Lead> = (0..900)
        .map(|i| {
            // the first 300 leads see three regions and two lines only
            let (r, n) = if i < 300 {
                (i % 3, i % 2)
            } else {
                (i % 9, i % 6)
            };
            Lead::Json(json!({
                "id": format!("L{i}"),
                "region": regions[r],
                "line": LINES[n],
                "size": (i * 13) % 120,
            }))
        })
        .collect();
    let instants = Instants::Step {
        start: NOW,
        step_ms: 1_000,
    };
    let caps = [3, 40, 7, 1, 25];
    for exclude in [vec![], vec!["P002".to_string(), "P011".to_string()]] {
        let opts = RouteOptions {
            explain: false,
            exclude,
        };
        let (mut a, mut b) = (network(&caps), network(&caps));
        let want = whole(&leads, &mut a, &instants, &opts);
        let got = chunked(&leads, &[(128, Form::Dict)], &mut b, &instants, &opts);
        assert_eq!(got, want);
        assert_eq!(state(&b), state(&a));
        // partners filled up: some leads went to the second rule or the queue
        let queued = got
            .iter()
            .filter(|d| {
                matches!(
                    &d.as_ref().unwrap().outcome,
                    leadrail_core::route::Outcome::Queue { .. }
                )
            })
            .count();
        assert!(queued > 100, "{queued}");
    }
}

/// A carry used with another network, or after the network changed between chunks, starts
/// afresh: the second chunk is routed as it is without a carry.
#[test]
fn a_carry_notices_another_network() {
    let leads: Vec<Lead> = (0..200)
        .map(|i| {
            Lead::Json(json!({
                "id": format!("L{i}"),
                "region": REGIONS[i % 8],
                "line": LINES[i % 6],
                "size": 60 + i % 50,
            }))
        })
        .collect();
    let engine = engine();
    let opts = RouteOptions::default();
    let instants = Instants::One(NOW);
    let (first, second) = leads.split_at(100);
    let mut carry = Carry::new();
    let mut a = network(&[4, 9]);
    rows_of(first)
        .prepare_with(&engine, &mut carry)
        .route_with(&engine, &mut a, &instants, &opts, &mut carry);
    // another network (fresh: nothing assigned yet), and the first one changed in between
    let mut changed = a.clone();
    rows_of(&leads[..3])
        .prepare(&engine)
        .route(&engine, &mut changed, &instants, &opts);
    for mut net in [network(&[4, 9]), changed] {
        let mut fresh = net.clone();
        let want = rows_of(second)
            .prepare(&engine)
            .route(&engine, &mut fresh, &instants, &opts)
            .decisions();
        let mut c = Carry::new();
        rows_of(first).prepare_with(&engine, &mut c).route_with(
            &engine,
            &mut a.clone(),
            &instants,
            &opts,
            &mut c,
        );
        let got = rows_of(second)
            .prepare_with(&engine, &mut c)
            .route_with(&engine, &mut net, &instants, &opts, &mut c)
            .decisions();
        assert_eq!(got, want);
        assert_eq!(state(&net), state(&fresh));
    }
}
