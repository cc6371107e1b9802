//! Shared builders for the host layer's tests: an engine, a network, leads as JSON, and a
//! `HostBatch` over them that can fail, ask for one piece or run host code while reading.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "test support code"
)]

use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::Arc;

use leadrail_core::host::{Chunking, Host, HostBatch, Problem, ReadError, Results, Rows};
use leadrail_core::network::Network;
use leadrail_core::plan::{CmpOp, Else, Expr, Fallback, Plan, Require, RouteRule, Scope, Tie};
use leadrail_core::record::Record;
use leadrail_core::report::ErrorReport;
use leadrail_core::route::{Decision, Engine};
use leadrail_core::schema::{Field, Schema};
use leadrail_core::value::Type;
use serde_json::{json, Value as Json};

pub const NOW: i64 = 1_795_510_800_000;
pub const REGIONS: [&str; 8] = ["US", "US-TX", "US-CA", "DE", "DE-BY", "FR", "GB", "JP"];
/// No partner covers BR: those leads go to the queue.
pub const LEAD_REGIONS: [&str; 9] = [
    "US", "US-TX", "US-CA", "DE", "DE-BY", "FR", "GB", "JP", "BR",
];
pub const LINES: [&str; 6] = ["l0", "l1", "l2", "l3", "l4", "l5"];

fn field(name: &str, ty: Type, optional: bool) -> Field {
    Field {
        name: name.into(),
        ty,
        optional,
    }
}

pub fn lead_schema() -> Schema {
    Schema {
        fields: vec![
            field("region", Type::Region, false),
            field("line", Type::Text, false),
            field("size", Type::Int, false),
            field("wait", Type::Duration, true),
        ],
    }
}

pub fn partner_schema() -> Schema {
    Schema {
        fields: vec![
            field("territories", Type::Set(Box::new(Type::Region)), false),
            field("lines", Type::Set(Box::new(Type::Text)), false),
            field("capacity", Type::Int, false),
            field("active_leads", Type::Int, false),
            field("score", Type::Ratio, false),
        ],
    }
}

pub fn l(i: u16) -> Box<Expr> {
    Box::new(Expr::Field(Scope::Lead, i))
}

pub fn p(i: u16) -> Box<Expr> {
    Box::new(Expr::Field(Scope::Partner, i))
}

pub fn req(expr: Expr, label: &str) -> Require {
    Require {
        expr,
        label: label.into(),
        workload: false,
    }
}

/// `route "best"`: covers, member, capacity guard, rank by score, round robin; fallback queue.
pub fn engine() -> Engine {
    engine_of(vec![RouteRule {
        name: "best".into(),
        when: None,
        requires: vec![
            req(
                Expr::Covers(p(0), l(0)),
                "partner.territories covers lead.region",
            ),
            req(Expr::InSet(l(1), p(1)), "lead.line in partner.lines"),
            req(
                Expr::Cmp(CmpOp::Lt, p(3), p(2)),
                "partner.active_leads < partner.capacity",
            ),
        ],
        rank: Some(Expr::Field(Scope::Partner, 4)),
        balance: false,
        tie: Tie::RoundRobin { weight: None },
        otherwise: Else::Next,
    }])
}

/// An engine of `rules` over the test schemas; fallback queue `triage`.
pub fn engine_of(rules: Vec<RouteRule>) -> Engine {
    let plan = Plan {
        name: "host".into(),
        version: 1,
        content_hash: "0".into(),
        lead_schema: lead_schema(),
        partner_schema: partner_schema(),
        rules,
        fallback: Fallback::Queue("triage".into()),
        calendars: Vec::new(),
        slas: Vec::new(),
        registrations: Vec::new(),
    };
    Engine::new(Arc::new(plan)).unwrap()
}

/// 60 partners, small capacities (so that partners fill up within a batch).
pub fn network() -> Network {
    let schema = partner_schema();
    let partners: Vec<Json> = (0..60)
        .map(|i| {
            json!({
                "id": format!("P{i:03}"),
                "territories": [REGIONS[i % 8], REGIONS[(i * 3 + 1) % 8]],
                "lines": [LINES[i % 6], LINES[(i + 2) % 6]],
                "capacity": 200 + (i * 37) % 900,
                "active_leads": i % 7,
                "score": ((i * 7919) % 1000) as f64 / 1000.0,
            })
        })
        .collect();
    let records: Vec<Record> = partners
        .iter()
        .map(|p| Record::from_json(&schema, p).unwrap())
        .collect();
    Network::new(&schema, records).unwrap()
}

/// `n` leads; with `bad`, bad ones at `rows` (a size that is not an int).
pub fn leads(n: usize, bad: &[usize]) -> Vec<Json> {
    let mut out: Vec<Json> = (0..n)
        .map(|i| {
            json!({
                "id": format!("L{i:06}"),
                "region": LEAD_REGIONS[(i * 5) % 9],
                "line": LINES[(i * 11) % 6],
                "size": i % 1000,
            })
        })
        .collect();
    for &i in bad {
        out[i]["size"] = json!("big");
    }
    out
}

/// A lead of a test batch: JSON, or a row the host reports a problem for.
#[derive(Debug, Clone)]
pub enum Lead {
    Json(Json),
    /// The lead with an unreadable cell (`None`: the id) described by the string.
    Unreadable(Json, Option<usize>, String),
    /// Not a record, without a JSON form.
    Opaque(String),
}

/// A host over a list of leads, recording what the runner asks of it.
pub struct TestHost<'a> {
    pub leads: Vec<Lead>,
    pub out: Vec<Result<Decision, ErrorReport>>,
    /// The start of each `Results` emitted.
    pub starts: Vec<usize>,
    pub reads: Vec<Range<usize>>,
    pub restarts: usize,
    pub detached: usize,
    /// A read of a range holding this row fails with a host error.
    pub fail_read: Option<usize>,
    /// The emit after this many emits fails.
    pub fail_emit: Option<usize>,
    /// A chunked read of a range holding this row asks for one piece.
    pub one_piece: Option<usize>,
    /// Whether the runner may chunk, and how.
    pub chunked: bool,
    pub chunking: Chunking,
    /// Host code run on each read.
    pub on_read: Option<Box<dyn FnMut() + 'a>>,
}

impl<'a> TestHost<'a> {
    pub fn new(leads: Vec<Json>) -> TestHost<'a> {
        TestHost::of(leads.into_iter().map(Lead::Json).collect())
    }

    pub fn of(leads: Vec<Lead>) -> TestHost<'a> {
        TestHost {
            leads,
            out: Vec::new(),
            starts: Vec::new(),
            reads: Vec::new(),
            restarts: 0,
            detached: 0,
            fail_read: None,
            fail_emit: None,
            one_piece: None,
            chunked: true,
            chunking: Chunking::ShortEdges,
            on_read: None,
        }
    }
}

/// Rows of `leads`, as a host reads them: JSON cells, problems by row.
pub fn rows_of(leads: &[Lead]) -> Rows {
    let schema = lead_schema();
    let mut json = Vec::with_capacity(leads.len());
    let mut problems = Vec::new();
    for (row, lead) in leads.iter().enumerate() {
        match lead {
            Lead::Json(j) => json.push(j.clone()),
            Lead::Unreadable(j, field, found) => {
                let mut j = j.clone();
                let key = match field {
                    Some(f) => schema.fields[*f].name.clone(),
                    None => "id".to_owned(),
                };
                j.as_object_mut().unwrap().remove(&key);
                json.push(j);
                problems.push(Problem::Unreadable {
                    row,
                    field: *field,
                    found: found.clone(),
                });
            }
            Lead::Opaque(what) => {
                json.push(json!({}));
                problems.push(Problem::NotARecord {
                    row,
                    value: Err(what.clone()),
                });
            }
        }
    }
    let host = Host::RUST;
    let mut all = Rows::from_json(host, &schema, &json);
    if !problems.is_empty() {
        all = all.with_problems(problems);
    }
    all
}

impl HostBatch for TestHost<'_> {
    type Error = String;

    fn read(&mut self, rows: Range<usize>) -> Result<Rows, ReadError<String>> {
        if let Some(f) = &mut self.on_read {
            f();
        }
        self.reads.push(rows.clone());
        if self.fail_read.is_some_and(|r| rows.contains(&r)) {
            return Err(ReadError::Host("no reading today".into()));
        }
        let whole = rows.start == 0 && rows.end == self.leads.len();
        if !whole && self.one_piece.is_some_and(|r| rows.contains(&r)) {
            return Err(ReadError::OnePiece);
        }
        Ok(rows_of(&self.leads[rows]))
    }

    fn emit(&mut self, results: Results) -> Result<(), String> {
        if self.fail_emit == Some(self.starts.len()) {
            return Err("no writing today".into());
        }
        self.starts.push(results.start());
        self.out.extend(results.decisions());
        Ok(())
    }

    fn detach(&mut self, work: &mut leadrail_core::host::Block<'_>) {
        self.detached += 1;
        work()
    }

    fn restart(&mut self) {
        self.restarts += 1;
        self.out.clear();
        self.starts.clear();
    }

    fn chunked(&self) -> bool {
        self.chunked
    }

    fn chunking(&self) -> Chunking {
        self.chunking
    }
}

/// The state of a network as comparable JSON.
pub fn state(net: &Network) -> Json {
    serde_json::to_value(net.export_state()).unwrap()
}

/// Counts of outcomes by kind (`partner`, `queue`, `error`).
pub fn kinds(out: &[Result<Decision, ErrorReport>]) -> BTreeMap<&'static str, usize> {
    let mut m = BTreeMap::new();
    for r in out {
        let k = match r {
            Ok(d) => match d.outcome {
                leadrail_core::route::Outcome::Partner { .. } => "partner",
                leadrail_core::route::Outcome::Queue { .. } => "queue",
                leadrail_core::route::Outcome::Unrouted => "unrouted",
            },
            Err(_) => "error",
        };
        *m.entry(k).or_default() += 1;
    }
    m
}
