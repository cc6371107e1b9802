//! `Engine::prepare_columns` is `Record::from_columns_split` followed by
//! `Engine::prepare_leads`: the same records, the same row errors, the same batch (its debug
//! form shows every prepared value) and the same decisions, for W1-like columns and odd ones
//! (bad, blank and null dictionary entries, NaN floats, wrong JSON types, short and missing
//! columns, blank and non-text ids).
#![expect(clippy::unwrap_used, reason = "test code")]

use std::sync::Arc;

use leadrail_core::host::{Host, Instants, Rows};
use leadrail_core::network::Network;
use leadrail_core::plan::{CmpOp, Else, Expr, Fallback, Plan, Require, RouteRule, Scope, Tie};
use leadrail_core::record::{Column, Record};
use leadrail_core::report::ErrorReport;
use leadrail_core::route::{Decision, Engine, LeadBatch, RouteOptions, Times};
use leadrail_core::schema::{Field, Schema};
use leadrail_core::value::{Type, Value};
use proptest::prelude::*;
use serde_json::{json, Value as Json};

fn field(name: &str, ty: Type, optional: bool) -> Field {
    Field {
        name: name.into(),
        ty,
        optional,
    }
}

fn syms(xs: &[&str]) -> Type {
    Type::Enum(Arc::from(
        xs.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
    ))
}

/// Lead fields: region, line, size (decimal), tier (enum, optional), count (int, optional),
/// score (ratio, optional).
const FIELDS: [&str; 6] = ["region", "line", "size", "tier", "count", "score"];

fn lead_schema() -> Schema {
    Schema {
        fields: vec![
            field("region", Type::Region, false),
            field("line", Type::Text, false),
            field("size", Type::Decimal, false),
            field("tier", syms(&["gold", "silver"]), true),
            field("count", Type::Int, true),
            field("score", Type::Ratio, true),
        ],
    }
}

fn partner_schema() -> Schema {
    Schema {
        fields: vec![
            field("territories", Type::Set(Box::new(Type::Region)), false),
            field("lines", Type::Set(Box::new(Type::Text)), false),
            field("tier", syms(&["gold", "silver", "bronze"]), false),
            field("capacity", Type::Int, false),
            field("active_leads", Type::Int, false),
            field("rate", Type::Ratio, false),
            field(
                "certs",
                Type::Map(Box::new(Type::Text), Box::new(Type::Date)),
                false,
            ),
        ],
    }
}

fn l(i: u16) -> Box<Expr> {
    Box::new(Expr::Field(Scope::Lead, i))
}

fn p(i: u16) -> Box<Expr> {
    Box::new(Expr::Field(Scope::Partner, i))
}

fn lit(v: Value) -> Box<Expr> {
    Box::new(Expr::Lit(v))
}

fn req(expr: Expr) -> Require {
    Require {
        expr,
        label: "r".into(),
        workload: false,
    }
}

fn gold() -> Value {
    Value::Enum(Arc::from("gold"))
}

/// Three fast rules (a `when`, an otherwise queue, lead-only operands of an int and a decimal
/// field against integers) and, with `cert`, a first rule with a `certified` probe, which
/// sends every batch through the general path.
fn plan(cert: bool) -> Plan {
    let covers = || req(Expr::Covers(p(0), l(0)));
    let member = || req(Expr::InSet(l(1), p(1)));
    let or_gold = |e: Expr| req(Expr::Or(vec![e, Expr::Cmp(CmpOp::Eq, p(2), lit(gold()))]));
    let rule = |name: &str, when, requires, rank, otherwise| RouteRule {
        name: name.into(),
        when,
        requires,
        rank,
        balance: false,
        tie: Tie::RoundRobin { weight: None },
        otherwise,
    };
    let mut rules = vec![
        rule(
            "vip",
            Some(Expr::Cmp(CmpOp::Eq, l(3), lit(gold()))),
            vec![covers(), member()],
            Some(Expr::Field(Scope::Partner, 5)),
            Else::Next,
        ),
        rule(
            "counted",
            Some(Expr::Cmp(CmpOp::Gt, l(5), lit(Value::Float(0.5)))),
            vec![
                covers(),
                // (literal first: the comparison is mirrored)
                or_gold(Expr::Cmp(CmpOp::Lt, lit(Value::Int(3)), l(4))),
            ],
            None,
            Else::Queue("review".into()),
        ),
        rule(
            "size",
            None,
            vec![
                covers(),
                member(),
                or_gold(Expr::Cmp(CmpOp::Lt, l(2), lit(Value::Int(100_000)))),
                req(Expr::Cmp(CmpOp::Lt, p(4), p(3))),
            ],
            Some(Expr::Field(Scope::Partner, 5)),
            Else::Next,
        ),
    ];
    if cert {
        rules.insert(
            0,
            rule(
                "cert",
                None,
                vec![req(Expr::Certified {
                    field: 6,
                    name: l(1),
                })],
                None,
                Else::Next,
            ),
        );
    }
    Plan {
        name: "prep".into(),
        version: 1,
        content_hash: "0".into(),
        lead_schema: lead_schema(),
        partner_schema: partner_schema(),
        rules,
        fallback: Fallback::Queue("unassigned".into()),
        calendars: Vec::new(),
        slas: Vec::new(),
        registrations: Vec::new(),
    }
}

fn network() -> Network {
    let rows = [
        ("P1", vec!["US"], vec!["pumps"], "gold", 3, 0.9, vec![]),
        (
            "P2",
            vec!["US-TX", "DE"],
            vec!["pumps", "valves"],
            "silver",
            2,
            0.5,
            vec!["pumps"],
        ),
        (
            "P3",
            vec!["DE", "FR"],
            vec!["valves"],
            "bronze",
            4,
            0.5,
            vec![],
        ),
        (
            "P4",
            vec!["FR"],
            vec!["gears", "pumps"],
            "gold",
            1,
            0.2,
            vec!["gears"],
        ),
        (
            "P5",
            vec!["US except US-TX"],
            vec!["valves"],
            "silver",
            2,
            0.7,
            vec![],
        ),
    ];
    let records = rows
        .into_iter()
        .map(|(id, terr, lines, tier, cap, rate, certs)| {
            let obj = json!({
                "id": id,
                "territories": terr,
                "lines": lines,
                "tier": tier,
                "capacity": cap,
                "active_leads": 0,
                "rate": rate,
                "certs": certs.iter().map(|c| (c.to_string(), json!("2099-01-01")))
                    .collect::<serde_json::Map<_, _>>(),
            });
            Record::from_json(&partner_schema(), &obj).unwrap()
        })
        .collect();
    Network::new(&partner_schema(), records).unwrap()
}

const TIMES: Times<'static> = Times::Step {
    start: 1_767_603_600_000,
    step: 1_000,
};

fn opts(explain: bool) -> RouteOptions {
    RouteOptions {
        explain,
        exclude: Vec::new(),
    }
}

fn text(d: Result<Decision, ErrorReport>) -> String {
    match d {
        Ok(d) => format!("{:?} {:?}", d.outcome, d.rule),
        Err(e) => format!("error {} {}", e.code, e.message),
    }
}

/// The decisions of a prepared batch (routed with and without explanations: the general path
/// and, without a `certified` rule, the fused loop) as comparable text.
fn decisions(engine: &Engine, batch: &LeadBatch) -> Vec<String> {
    let mut out = Vec::new();
    for explain in [false, true] {
        let routed = engine.route_prepared_compact(&mut network(), batch, TIMES, &opts(explain));
        out.extend(routed.decisions().into_iter().map(text));
    }
    out
}

/// The decisions of records routed one by one without preparation (`route_batch`), the
/// independent reference.
fn direct(engine: &Engine, leads: &[Record]) -> Vec<String> {
    let mut out = Vec::new();
    for explain in [false, true] {
        let routed = engine.route_batch(&mut network(), leads, TIMES, &opts(explain));
        out.extend(routed.into_iter().map(text));
    }
    out
}

/// Asserts that `prepare_columns` equals its two-step definition on these columns; returns
/// the batch's decisions.
fn assert_same(engine: &Engine, rows: usize, ids: &Column, cols: &[(&str, Column)]) -> Vec<String> {
    let named: Vec<(&str, &Column)> = cols.iter().map(|(n, c)| (*n, c)).collect();
    let (batch, bad) = engine.prepare_columns(rows, ids, &named);
    let (good, bad2) = Record::from_columns_split(&lead_schema(), rows, ids, &named);
    assert_eq!(bad, bad2, "row errors");
    assert_eq!(batch.leads(), good.as_slice(), "records");
    let d = decisions(engine, &batch);
    assert_eq!(d, direct(engine, &good), "decisions against route_batch");
    let reference = engine.prepare_leads(good);
    assert_eq!(
        format!("{batch:?}"),
        format!("{reference:?}"),
        "prepared batch"
    );
    assert_eq!(d, decisions(engine, &reference), "decisions");
    assert_host_path(engine, rows, ids, cols);
    d
}

/// The host layer's path on the same columns (`Rows::prepare`, which keeps the columns when
/// they serve every probe key and slot value) gives, row by row, the bad rows' errors of the
/// split form and the good rows' decisions of `route_batch` over their records.
fn assert_host_path(engine: &Engine, rows: usize, ids: &Column, cols: &[(&str, Column)]) {
    let named: Vec<(&str, &Column)> = cols.iter().map(|(n, c)| (*n, c)).collect();
    let owned: Vec<(String, Column)> = cols
        .iter()
        .map(|(n, c)| (n.to_string(), c.clone()))
        .collect();
    let (good, bad) = Record::from_columns_split(&lead_schema(), rows, ids, &named);
    let t0 = 1_767_603_600_000;
    for explain in [false, true] {
        let got: Vec<String> = Rows::new(Host::RUST, rows, ids.clone(), owned.clone())
            .prepare(engine)
            .route(engine, &mut network(), &Instants::One(t0), &opts(explain))
            .decisions()
            .into_iter()
            .map(text)
            .collect();
        let mut decided = engine
            .route_batch(&mut network(), &good, Times::At(t0), &opts(explain))
            .into_iter();
        let mut errors = bad.iter().peekable();
        let want: Vec<String> = (0..rows)
            .map(|r| match errors.next_if(|(i, _)| *i == r) {
                Some((_, e)) => text(Err(ErrorReport::from(e.clone().with_position(r + 1)))),
                None => decided.next().map(text).unwrap_or_default(),
            })
            .collect();
        assert_eq!(got, want, "host path, explain: {explain}");
    }
}

fn text_col(xs: &[Option<&str>]) -> Column {
    Column::Text(xs.iter().map(|x| x.map(Arc::from)).collect())
}

fn dict(entries: &[Json], codes: &[u32]) -> Column {
    Column::Dict {
        dict: entries.to_vec(),
        codes: codes.to_vec(),
    }
}

#[test]
fn w1_like_columns_route_as_records_do() {
    let engines = [
        Engine::new(Arc::new(plan(false))).unwrap(),
        Engine::new(Arc::new(plan(true))).unwrap(),
    ];
    let n = 12;
    let ids = Column::Text((0..n).map(|i| Some(Arc::from(format!("L{i}")))).collect());
    let regions = dict(
        &[json!("US-TX"), json!("DE"), json!("FR"), json!("US-CA")],
        &[0, 1, 2, 3, 0, 0, 1, 2, 3, 0, 1, 0],
    );
    let lines = dict(
        &[json!("pumps"), json!("valves"), json!("gears")],
        &[0, 1, 2, 0, 0, 1, 1, 2, 0, 0, 0, 0],
    );
    let sizes = Column::Int(
        [5, 250_000, 99_999, 100_000, 7, 1, 2, 3, 4, 500_000, 6, 8]
            .into_iter()
            .map(Some)
            .collect(),
    );
    let tiers = dict(
        &[json!("gold"), json!("silver")],
        &[1, 0, 1, 1, 0, 1, 1, 1, 0, 1, 1, 1],
    );
    let cols = vec![
        ("region", regions),
        ("line", lines),
        ("size", sizes),
        ("tier", tiers),
    ];
    for engine in &engines {
        let d = assert_same(engine, n, &ids, &cols);
        // every lead is routed somewhere: a partner or the fallback queue
        assert_eq!(d.len(), 2 * n);
        assert!(d.iter().any(|x| x.starts_with("Partner")), "{d:?}");
        assert!(d.iter().any(|x| x.contains("unassigned")), "{d:?}");
    }
}

#[test]
fn bad_rows_are_left_out_with_their_errors() {
    let engine = Engine::new(Arc::new(plan(false))).unwrap();
    let ids = text_col(&[
        Some("L1"),
        Some(" "),
        None,
        Some("L4"),
        Some("L5"),
        Some("L6"),
    ]);
    // row 3 has an unknown region, row 4 a null line, row 5 no size (the column is short)
    let regions = dict(&[json!("DE"), json!("XX-ZZZ")], &[0, 0, 0, 1, 0, 0]);
    let lines = dict(&[json!("pumps"), Json::Null], &[0, 0, 0, 0, 1, 0]);
    let sizes = Column::Int(vec![Some(1), Some(2), Some(3), Some(4), Some(5)]);
    let cols = vec![("region", regions), ("line", lines), ("size", sizes)];
    let named: Vec<(&str, &Column)> = cols.iter().map(|(n, c)| (*n, c)).collect();
    let (batch, bad) = engine.prepare_columns(6, &ids, &named);
    let rows: Vec<usize> = bad.iter().map(|(r, _)| *r).collect();
    assert_eq!(rows, [1, 2, 3, 4, 5]);
    assert_eq!(batch.len(), 1);
    assert_eq!(&*batch.leads()[0].id, "L1");
    assert_eq!(bad[4].1.field(), Some("size"));
    assert_same(&engine, 6, &ids, &cols);
}

#[test]
fn a_dictionary_int_field_feeds_the_lead_operand_per_entry() {
    // `count` arrives dictionary-encoded: `3 < lead.count` is computed once per entry
    let engine = Engine::new(Arc::new(plan(false))).unwrap();
    let n = 6;
    let ids = Column::Text((0..n).map(|i| Some(Arc::from(format!("L{i}")))).collect());
    let cols = vec![
        ("region", dict(&[json!("US-TX")], &[0; 6])),
        ("line", dict(&[json!("gears")], &[0; 6])),
        ("size", Column::Int(vec![Some(1); 6])),
        (
            "count",
            dict(&[json!(5), json!(2), Json::Null], &[0, 1, 2, 0, 1, 9]),
        ),
        ("score", Column::Float(vec![Some(0.9); 6])),
    ];
    let d = assert_same(&engine, n, &ids, &cols);
    // rule `counted` (US-TX is covered by P1, gold, capacity 3, and P2, silver, capacity 2;
    // never assigned partners first, then by id): a count above 3 lets both in, else only
    // gold P1 (null or gold is true); once P1 is full, low counts go to `review`
    let first: Vec<&str> = d[..n].iter().map(String::as_str).collect();
    assert_eq!(
        first,
        [
            "Partner { id: \"P1\" } Some(\"counted\")",
            "Partner { id: \"P1\" } Some(\"counted\")",
            "Partner { id: \"P1\" } Some(\"counted\")",
            "Partner { id: \"P2\" } Some(\"counted\")",
            "Queue { name: \"review\" } Some(\"counted\")",
            "Queue { name: \"review\" } Some(\"counted\")",
        ]
    );
}

/// A column of `len` cells drawn from `pool`, in one of the forms bindings pass.
fn cells(pool: Vec<Json>, len: usize) -> BoxedStrategy<Column> {
    let n = pool.len() as u32;
    let texts: Vec<Option<Arc<str>>> = pool.iter().map(|j| j.as_str().map(Arc::from)).collect();
    prop_oneof![
        3 => proptest::collection::vec(0..n + 2, len).prop_map({
            let pool = pool.clone();
            move |codes| Column::Dict {
                dict: pool.clone(),
                codes,
            }
        }),
        1 => proptest::collection::vec(proptest::sample::select(pool), len)
            .prop_map(Column::Json),
        1 => proptest::collection::vec(proptest::sample::select(texts), len)
            .prop_map(Column::Text),
    ]
    .boxed()
}

fn ints(len: usize) -> BoxedStrategy<Column> {
    proptest::collection::vec(
        proptest::sample::select(vec![
            Some(-5),
            Some(0),
            Some(3),
            Some(4),
            Some(99_999),
            Some(100_000),
            Some(250_000),
            Some(i64::MIN),
            None,
        ]),
        len,
    )
    .prop_map(Column::Int)
    .boxed()
}

fn floats(len: usize) -> BoxedStrategy<Column> {
    proptest::collection::vec(
        proptest::sample::select(vec![
            Some(0.2),
            Some(0.9),
            Some(1.0),
            Some(-0.0),
            Some(1.5),
            Some(50_000.0),
            Some(f64::NAN),
            Some(f64::INFINITY),
            None,
        ]),
        len,
    )
    .prop_map(Column::Float)
    .boxed()
}

/// A column for lead field `f` (or none), `len` cells.
fn column(f: usize, len: usize) -> BoxedStrategy<Option<Column>> {
    let pool: Vec<Json> = match f {
        0 => vec![
            json!("US-TX"),
            json!("DE"),
            json!("FR"),
            json!("US-CA"),
            json!("DE"),
            json!("us-tx"),
            json!("US except US-TX"),
            json!("XX-ZZZ"),
            json!(""),
            Json::Null,
            json!(7),
        ],
        1 => vec![
            json!("pumps"),
            json!("valves"),
            json!("gears"),
            json!(" pumps"),
            json!(""),
            json!("  "),
            Json::Null,
            json!(5),
            json!(["pumps"]),
        ],
        2 => vec![
            json!(5),
            json!(150_000),
            json!("99999.5"),
            json!("x"),
            json!(1e40),
            Json::Null,
            json!(true),
        ],
        3 => vec![
            json!("gold"),
            json!("silver"),
            json!("bronze"),
            json!(""),
            Json::Null,
            json!(3),
        ],
        4 => vec![
            json!(5),
            json!(2),
            json!(7.0),
            json!(2.5),
            json!("5"),
            Json::Null,
        ],
        _ => vec![
            json!(0.9),
            json!(0.1),
            json!("85%"),
            json!("x"),
            json!(1.5),
            Json::Null,
        ],
    };
    let mut kinds = vec![(6, cells(pool, len).prop_map(Some).boxed())];
    if f >= 2 {
        kinds.push((3, ints(len).prop_map(Some).boxed()));
        kinds.push((2, floats(len).prop_map(Some).boxed()));
    }
    kinds.push((1, Just(None).boxed()));
    proptest::strategy::Union::new_weighted(kinds).boxed()
}

fn ids(len: usize) -> BoxedStrategy<Column> {
    let texts = proptest::collection::vec(
        prop_oneof![
            8 => (0..50u32).prop_map(|i| Some(Arc::from(format!("L{i}")))),
            1 => proptest::sample::select(vec![Some(Arc::from(" ")), Some(Arc::from("")), None]),
        ],
        len,
    )
    .prop_map(Column::Text);
    let json = proptest::collection::vec(
        proptest::sample::select(vec![
            json!("L1"),
            json!("L2"),
            json!(17),
            json!(1.5),
            json!(""),
            Json::Null,
            json!(true),
        ]),
        len,
    )
    .prop_map(Column::Json);
    let packed = proptest::collection::vec(
        prop_oneof![
            8 => (0..50u32).prop_map(|i| format!("L{i}")),
            1 => proptest::sample::select(vec![" ".to_string(), String::new()]),
        ],
        len,
    )
    .prop_map(|v| Column::packed(v.iter().map(String::as_str)));
    prop_oneof![4 => texts, 2 => packed, 1 => json, 1 => floats(len)].boxed()
}

/// A length for a column of a batch of `rows`: mostly `rows`, sometimes short.
fn len(rows: usize) -> BoxedStrategy<usize> {
    prop_oneof![8 => Just(rows), 1 => 0..=rows].boxed()
}

type Batch = (usize, Column, Vec<(usize, Option<Column>)>);

fn batch() -> impl Strategy<Value = Batch> {
    (0..40usize).prop_flat_map(|rows| {
        let cols: Vec<BoxedStrategy<(usize, Option<Column>)>> = (0..FIELDS.len())
            .map(|f| {
                len(rows)
                    .prop_flat_map(move |n| column(f, n).prop_map(move |c| (f, c)))
                    .boxed()
            })
            .collect();
        (Just(rows), len(rows).prop_flat_map(ids), cols)
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn prepare_columns_is_split_then_prepare((rows, ids, cols) in batch(), cert in any::<bool>()) {
        let engine = Engine::new(Arc::new(plan(cert))).unwrap();
        let cols: Vec<(&str, Column)> = cols
            .into_iter()
            .filter_map(|(f, c)| c.map(|c| (FIELDS[f], c)))
            .collect();
        assert_same(&engine, rows, &ids, &cols);
    }
}

/// Cell `row` of a column as the JSON value of an object's key (`None`: the key is absent;
/// `Err`: a float JSON cannot hold).
fn json_cell(col: &Column, row: usize) -> Result<Option<Json>, ()> {
    Ok(match col {
        Column::Json(v) => v.get(row).cloned(),
        Column::Dict { dict, codes } => codes.get(row).and_then(|c| dict.get(*c as usize)).cloned(),
        Column::Int(v) => v.get(row).copied().flatten().map(Json::from),
        Column::Float(v) => match v.get(row).copied().flatten() {
            Some(x) => Some(Json::Number(serde_json::Number::from_f64(x).ok_or(())?)),
            None => None,
        },
        Column::Text(v) => v.get(row).cloned().flatten().map(|t| Json::from(&*t)),
        Column::Packed { text, ends } => {
            let start = row.checked_sub(1).map_or(Some(0), |r| ends.get(r).copied());
            match (start, ends.get(row)) {
                (Some(a), Some(b)) => Some(Json::from(&text[a..*b])),
                _ => None,
            }
        }
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// The row reader (its direct path for text ids, integers, floats and dictionary entries
    /// included) gives what `Record::from_json_at` gives on the equivalent JSON object.
    #[test]
    fn columns_rows_are_json_objects((rows, ids, cols) in batch()) {
        let cols: Vec<(&str, Column)> = cols
            .into_iter()
            .filter_map(|(f, c)| c.map(|c| (FIELDS[f], c)))
            .collect();
        let named: Vec<(&str, &Column)> = cols.iter().map(|(n, c)| (*n, c)).collect();
        let got = Record::from_columns(&lead_schema(), rows, &ids, &named);
        prop_assert_eq!(got.len(), rows);
        'rows: for (row, got) in got.iter().enumerate() {
            let mut obj = serde_json::Map::new();
            for (name, col) in std::iter::once(("id", &ids)).chain(named.iter().copied()) {
                match json_cell(col, row) {
                    Ok(Some(j)) => {
                        obj.insert(name.to_string(), j);
                    }
                    Ok(None) => {}
                    // (NaN and infinities have no JSON form)
                    Err(()) => continue 'rows,
                }
            }
            let want = Record::from_json_at(&lead_schema(), &Json::Object(obj), row + 1);
            prop_assert_eq!(got, &want, "row {}", row);
        }
    }
}

#[test]
fn an_uncovered_lead_goes_to_the_fallback_queue() {
    // no partner covers US-CA: the lead goes to the fallback queue
    let engine = Engine::new(Arc::new(plan(false))).unwrap();
    let ids = text_col(&[Some("L1")]);
    let cols = vec![
        ("region", dict(&[json!("US-CA")], &[0])),
        ("line", dict(&[json!("gears")], &[0])),
        ("size", Column::Int(vec![Some(1)])),
    ];
    let d = assert_same(&engine, 1, &ids, &cols);
    assert_eq!(d[0], "Queue { name: \"unassigned\" } Some(\"fallback\")");
}

#[test]
fn prepare_columns_at_counts_positions_in_the_larger_batch() {
    let engine = Engine::new(Arc::new(plan(false))).unwrap();
    // row 1 has no id (known by its position), row 2 a bad region (known by its id)
    let ids = text_col(&[Some("L0"), None, Some("L2"), Some("L3")]);
    let regions = dict(&[json!("DE"), json!("nowhere")], &[0, 0, 1, 0]);
    let lines = dict(&[json!("pumps")], &[0, 0, 0, 0]);
    let sizes = Column::Int(vec![Some(1), Some(2), Some(3), Some(4)]);
    let cols = vec![
        ("region".to_string(), regions),
        ("line".to_string(), lines),
        ("size".to_string(), sizes),
    ];
    let named: Vec<(&str, &Column)> = cols.iter().map(|(n, c)| (n.as_str(), c)).collect();
    let (whole, whole_bad) = engine.prepare_columns(4, &ids, &named);

    let (batch, bad) = engine.prepare_columns_at(0, 4, &ids, &cols);
    assert_eq!(batch.leads(), whole.leads());
    let reports: Vec<(usize, ErrorReport)> = whole_bad
        .into_iter()
        .map(|(i, e)| (i, ErrorReport::from(e)))
        .collect();
    assert_eq!(bad, reports);

    let (batch, bad) = engine.prepare_columns_at(40_000, 4, &ids, &cols);
    assert_eq!(batch.leads(), whole.leads());
    let rows: Vec<usize> = bad.iter().map(|(i, _)| *i).collect();
    assert_eq!(rows, [1, 2]);
    assert_eq!(bad[0].1.record.as_deref(), Some("#40002"));
    assert!(
        bad[0].1.message.starts_with("record #40002"),
        "{}",
        bad[0].1.message
    );
    assert_eq!(bad[1].1.record.as_deref(), Some("L2"));
    assert_eq!(bad[1].1.field.as_deref(), Some("region"));
}
