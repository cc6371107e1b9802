//! The naive reference evaluator: routing over the checked syntax tree (not the plan), kept
//! simple and obviously right, against which the indexed engine is tested (the differential
//! tests and the `engine_vs_reference` fuzz target). Its types are prefixed `Ref` so that they
//! are never mistaken for the engine's (`leadrail_core::route::Decision` and the like).
//!
//! It follows the routing contract of `leadrail_core::plan` exactly: every partner is visited,
//! every clause is interpreted on [`Value`]s, candidates are sorted with one comparison
//! function. Choices the contract leaves open are documented in `docs/language.md` and here:
//! an `in [..]` whose items include a null is null unless an item equals; a NaN rank or weight
//! counts as null; a tie weight that is null, zero or negative sorts after every valid weight;
//! integer overflow is null.
//!
//! ```
//! use leadrail_core::record::Record;
//! use leadrail_core::value::Value;
//! use leadrail_testkit::reference::{route, RefNetwork, RefOutcome, RefRuleset};
//!
//! let rs = RefRuleset::new(r#"
//!     ruleset "r" version 1
//!     schema lead { size: int }
//!     schema partner { score: int }
//!     route "big" { when lead.size > 10  rank partner.score  else queue "review" }
//! "#, "r.rail").unwrap();
//! let net = RefNetwork::new(rs.partner_schema(), vec![
//!     Record { id: "a".into(), values: vec![Value::Int(1)] },
//!     Record { id: "b".into(), values: vec![Value::Int(5)] },
//! ]);
//! let lead = Record { id: "l1".into(), values: vec![Value::Int(20)] };
//! let d = route(&rs, &net, &lead, 0);
//! assert_eq!(d.outcome, RefOutcome::Partner("b".into()));
//! assert_eq!(d.rule.as_deref(), Some("big"));
//! let small = Record { id: "l2".into(), values: vec![Value::Int(2)] };
//! assert_eq!(route(&rs, &net, &small, 0).outcome, RefOutcome::Unrouted);
//! ```

use std::cmp::Ordering;
use std::sync::Arc;

use chrono::DateTime;
use leadrail_core::geo::{haversine_km, Territory};
use leadrail_core::record::Record;
use leadrail_core::schema::Schema;
use leadrail_core::value::{EpochMs, Type, Value};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

use leadrail_dsl::ast::*;
use leadrail_dsl::Diagnostics;

/// A checked ruleset, as the reference evaluator reads it.
#[derive(Debug, Clone)]
pub struct RefRuleset {
    file: RuleFile,
    lead: Schema,
    partner: Schema,
    fallback: Option<String>,
}

impl RefRuleset {
    /// Parses and checks a rule file.
    pub fn new(source: &str, file: &str) -> Result<RefRuleset, Diagnostics> {
        let (tree, checked) = leadrail_dsl::check(source, file)?;
        let fallback = tree
            .fallback()
            .and_then(|f| f.queue.as_ref())
            .map(|q| q.value.clone());
        Ok(RefRuleset {
            file: tree,
            lead: checked.lead,
            partner: checked.partner,
            fallback,
        })
    }

    /// The lead schema.
    pub fn lead_schema(&self) -> &Schema {
        &self.lead
    }

    /// The partner schema.
    pub fn partner_schema(&self) -> &Schema {
        &self.partner
    }
}

/// A partner's routing state (see `leadrail_core::plan`, "Partner state").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RefPartnerState {
    /// Open leads.
    pub active_leads: i64,
    /// The instant of the last assignment, if any.
    pub last_assigned_at: Option<EpochMs>,
    /// The network's sequence number at the last assignment (0 = none since load).
    pub last_seq: u64,
    /// Assignments since load.
    pub assigned: u64,
}

impl RefPartnerState {
    /// The initial state of a partner: `active_leads` and `last_assigned_at` from its fields of
    /// those names if the schema has them, else 0 and never.
    pub fn initial(schema: &Schema, partner: &Record) -> RefPartnerState {
        let get = |name: &str| {
            schema
                .index_of(name)
                .and_then(|i| partner.values.get(usize::from(i)))
        };
        let active_leads = match get("active_leads") {
            Some(Value::Int(n)) => *n,
            _ => 0,
        };
        let last_assigned_at = match get("last_assigned_at") {
            Some(Value::DateTime(t)) => Some(*t),
            _ => None,
        };
        RefPartnerState {
            active_leads,
            last_assigned_at,
            last_seq: 0,
            assigned: 0,
        }
    }
}

/// Partners with their states and the assignment sequence.
#[derive(Debug, Clone)]
pub struct RefNetwork {
    /// The partners, in load order.
    pub partners: Vec<Record>,
    /// One state per partner.
    pub states: Vec<RefPartnerState>,
    /// The assignment sequence number (0 after load).
    pub seq: u64,
}

impl RefNetwork {
    /// A freshly loaded network: initial states, sequence 0.
    pub fn new(schema: &Schema, partners: Vec<Record>) -> RefNetwork {
        let states = partners
            .iter()
            .map(|p| RefPartnerState::initial(schema, p))
            .collect();
        RefNetwork {
            partners,
            states,
            seq: 0,
        }
    }
}

/// Where a lead goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefOutcome {
    /// To the partner with this id.
    Partner(Arc<str>),
    /// To a named queue.
    Queue(String),
    /// Nowhere.
    Unrouted,
}

/// The outcome and the rule that decided (`None` when the fallback decided).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefDecision {
    /// The outcome.
    pub outcome: RefOutcome,
    /// The deciding rule's name.
    pub rule: Option<String>,
}

/// Routes one lead at `now` without changing any state.
pub fn route(rs: &RefRuleset, net: &RefNetwork, lead: &Record, now: EpochMs) -> RefDecision {
    route_inner(rs, net, lead, now).0
}

/// Routes leads in order, applying each assignment to the network's state before the next.
pub fn route_batch(
    rs: &RefRuleset,
    net: &mut RefNetwork,
    leads: &[(Record, EpochMs)],
) -> Vec<RefDecision> {
    let mut out = Vec::with_capacity(leads.len());
    for (lead, now) in leads {
        let (d, chosen) = route_inner(rs, net, lead, *now);
        if let Some(st) = chosen.and_then(|i| net.states.get_mut(i)) {
            net.seq += 1;
            st.active_leads = st.active_leads.saturating_add(1);
            st.last_assigned_at = Some(*now);
            st.last_seq = net.seq;
            st.assigned += 1;
        }
        out.push(d);
    }
    out
}

struct Env<'a> {
    rs: &'a RefRuleset,
    lead: &'a Record,
    partner: Option<(&'a Record, &'a RefPartnerState)>,
    now: EpochMs,
}

fn route_inner(
    rs: &RefRuleset,
    net: &RefNetwork,
    lead: &Record,
    now: EpochMs,
) -> (RefDecision, Option<usize>) {
    let all: Vec<usize> = (0..net.partners.len()).collect();
    for rule in rs.file.routes() {
        let lead_env = Env {
            rs,
            lead,
            partner: None,
            now,
        };
        if let Some(w) = &rule.when {
            if eval(&w.node, &lead_env) != Value::Bool(true) {
                continue;
            }
        }
        let passes = |i: usize, guards: bool, only_workload: Option<bool>| -> bool {
            let (Some(p), Some(st)) = (net.partners.get(i), net.states.get(i)) else {
                return false;
            };
            if guards && !implicit_guards(rs, p, st) {
                return false;
            }
            let env = Env {
                rs,
                lead,
                partner: Some((p, st)),
                now,
            };
            rule.requires.iter().all(|q| {
                let keep = match only_workload {
                    None => true,
                    Some(w) => is_workload(&q.node) == w,
                };
                !keep || eval(&q.node, &env) == Value::Bool(true)
            })
        };
        let candidates: Vec<usize> = all
            .iter()
            .copied()
            .filter(|&i| passes(i, true, None))
            .collect();
        if let Some(best) = best(rs, net, rule, lead, now, &candidates) {
            let id = net
                .partners
                .get(best)
                .map(|p| p.id.clone())
                .unwrap_or_else(|| Arc::from(""));
            return (
                RefDecision {
                    outcome: RefOutcome::Partner(id),
                    rule: Some(rule.name.value.clone()),
                },
                Some(best),
            );
        }
        match rule.otherwise.as_ref().map(|c| &c.node) {
            None | Some(ElseDecl::Next) => {}
            Some(ElseDecl::Queue(q)) => {
                return (
                    RefDecision {
                        outcome: RefOutcome::Queue(q.value.clone()),
                        rule: Some(rule.name.value.clone()),
                    },
                    None,
                )
            }
            Some(ElseDecl::Parent) => {
                let parent_ix = rs.partner.index_of("parent").map(usize::from);
                let fit: Vec<usize> = all
                    .iter()
                    .copied()
                    .filter(|&i| passes(i, false, Some(false)))
                    .collect();
                let mut parent_ids: Vec<Arc<str>> = Vec::new();
                for i in fit {
                    let pid =
                        parent_ix.and_then(|k| net.partners.get(i).and_then(|p| p.values.get(k)));
                    if let Some(Value::Text(t)) = pid {
                        if !parent_ids.contains(t) {
                            parent_ids.push(t.clone());
                        }
                    }
                }
                let parents: Vec<usize> = all
                    .iter()
                    .copied()
                    .filter(|&i| {
                        net.partners
                            .get(i)
                            .is_some_and(|p| parent_ids.contains(&p.id))
                    })
                    .filter(|&i| passes(i, true, Some(true)))
                    .collect();
                if let Some(best) = best(rs, net, rule, lead, now, &parents) {
                    let id = net
                        .partners
                        .get(best)
                        .map(|p| p.id.clone())
                        .unwrap_or_else(|| Arc::from(""));
                    return (
                        RefDecision {
                            outcome: RefOutcome::Partner(id),
                            rule: Some(rule.name.value.clone()),
                        },
                        Some(best),
                    );
                }
            }
        }
    }
    let outcome = match &rs.fallback {
        Some(q) => RefOutcome::Queue(q.clone()),
        None => RefOutcome::Unrouted,
    };
    (
        RefDecision {
            outcome,
            rule: None,
        },
        None,
    )
}

/// The implicit guards: `status` (if an enum field) is `active`; `active_leads < capacity`
/// (if both are int fields).
fn implicit_guards(rs: &RefRuleset, p: &Record, st: &RefPartnerState) -> bool {
    let field = |name: &str| {
        rs.partner.index_of(name).and_then(|i| {
            let ty = rs.partner.field(i).map(|f| f.ty.clone());
            p.values.get(usize::from(i)).map(|v| (ty, v))
        })
    };
    if let Some((Some(Type::Enum(_)), v)) = field("status") {
        if !matches!(v, Value::Enum(s) if &**s == "active") {
            return false;
        }
    }
    let is_int = |name: &str| matches!(field(name), Some((Some(Type::Int), _)));
    if is_int("capacity") && is_int("active_leads") {
        match field("capacity") {
            Some((_, Value::Int(c))) if st.active_leads < *c => {}
            _ => return false,
        }
    }
    true
}

fn is_workload(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Path(b, f) => {
            b.name == "partner" && matches!(f.name.as_str(), "status" | "active_leads" | "capacity")
        }
        ExprKind::Call(n, args) => n.name == "utilisation" || args.iter().any(is_workload),
        ExprKind::List(items) => items.iter().any(is_workload),
        ExprKind::Unary(_, x) => is_workload(x),
        ExprKind::Binary(_, a, b) => is_workload(a) || is_workload(b),
        _ => false,
    }
}

/// A rank, balance or weight value as a sortable number (`None` for null or NaN).
fn num(v: &Value) -> Option<f64> {
    let x = v.as_f64()?;
    if x.is_nan() {
        None
    } else if x == 0.0 {
        Some(0.0)
    } else {
        Some(x)
    }
}

/// `None` sorts after every number.
fn cmp_opt(a: Option<f64>, b: Option<f64>, descending: bool) -> Ordering {
    match (a, b) {
        (Some(x), Some(y)) => {
            if descending {
                y.total_cmp(&x)
            } else {
                x.total_cmp(&y)
            }
        }
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

fn utilisation(rs: &RefRuleset, p: &Record, st: &RefPartnerState) -> Option<f64> {
    let cap = rs
        .partner
        .index_of("capacity")
        .and_then(|i| p.values.get(usize::from(i)));
    match cap {
        Some(Value::Int(0)) => Some(1.0),
        Some(Value::Int(c)) => Some(st.active_leads as f64 / *c as f64),
        _ => None,
    }
}

fn best(
    rs: &RefRuleset,
    net: &RefNetwork,
    rule: &RouteDecl,
    lead: &Record,
    now: EpochMs,
    cands: &[usize],
) -> Option<usize> {
    struct Key<'a> {
        i: usize,
        rank: Option<f64>,
        util: Option<f64>,
        weight_key: Option<f64>,
        st: RefPartnerState,
        id: &'a str,
    }
    let weight = match rule.tie.as_ref().map(|t| &t.node) {
        Some(TieDecl::RoundRobin(Some(w))) => Some(w),
        _ => None,
    };
    let by_recency = !matches!(rule.tie.as_ref().map(|t| &t.node), Some(TieDecl::Id));
    let mut keys: Vec<Key<'_>> = Vec::new();
    for &i in cands {
        let (Some(p), Some(st)) = (net.partners.get(i), net.states.get(i)) else {
            continue;
        };
        let env = Env {
            rs,
            lead,
            partner: Some((p, st)),
            now,
        };
        let rank = match &rule.rank {
            Some(r) => num(&eval(&r.node, &env)),
            None => Some(0.0),
        };
        let util = if rule.balance.is_some() {
            utilisation(rs, p, st)
        } else {
            None
        };
        let weight_key = weight.and_then(|w| {
            let w = num(&eval(w, &env))?;
            (w > 0.0).then(|| (st.assigned as f64 + 1.0) / w)
        });
        keys.push(Key {
            i,
            rank,
            util,
            weight_key,
            st: *st,
            id: &p.id,
        });
    }
    keys.sort_by(|a, b| {
        let mut o = cmp_opt(a.rank, b.rank, true);
        if rule.balance.is_some() {
            o = o.then_with(|| cmp_opt(a.util, b.util, false));
        }
        if weight.is_some() {
            o = o.then_with(|| cmp_opt(a.weight_key, b.weight_key, false));
        }
        if by_recency {
            let rec = |s: &RefPartnerState| {
                (s.last_assigned_at.is_some(), s.last_assigned_at, s.last_seq)
            };
            o = o.then_with(|| rec(&a.st).cmp(&rec(&b.st)));
        }
        o.then_with(|| a.id.as_bytes().cmp(b.id.as_bytes()))
    });
    keys.first().map(|k| k.i)
}

// ---------------------------------------------------------------------------------------------
// The value interpreter

fn field_value(env: &Env<'_>, base: &str, field: &str) -> Value {
    let (rec, schema, state) = match (base, env.partner) {
        ("lead", _) => (env.lead, &env.rs.lead, None),
        ("partner", Some((p, st))) => (p, &env.rs.partner, Some(st)),
        _ => return Value::Null,
    };
    if field == "id" {
        return Value::Text(rec.id.clone());
    }
    if let Some(st) = state {
        if field == "active_leads" && schema.index_of(field).is_some() {
            return Value::Int(st.active_leads);
        }
        if field == "last_assigned_at" && schema.index_of(field).is_some() {
            return st.last_assigned_at.map_or(Value::Null, Value::DateTime);
        }
    }
    schema
        .index_of(field)
        .and_then(|i| rec.values.get(usize::from(i)))
        .cloned()
        .unwrap_or(Value::Null)
}

fn literal(n: &NumLit) -> Value {
    match n.unit {
        Unit::None if n.fraction => Value::Decimal(n.value),
        Unit::None => n.value.to_i64().map_or(Value::Decimal(n.value), Value::Int),
        Unit::Km => n.value.to_f64().map_or(Value::Null, Value::Float),
        Unit::Percent => (n.value / Decimal::ONE_HUNDRED)
            .to_f64()
            .map_or(Value::Null, Value::Float),
        u => u
            .millis()
            .and_then(|m| n.value.to_i64().and_then(|v| v.checked_mul(m)))
            .map_or(Value::Null, Value::Duration),
    }
}

fn truth(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        _ => None,
    }
}

fn eval(e: &Expr, env: &Env<'_>) -> Value {
    match &e.kind {
        ExprKind::Number(n) => literal(n),
        ExprKind::Str(s) => Value::Text(Arc::from(s.as_str())),
        ExprKind::Bool(b) => Value::Bool(*b),
        ExprKind::Date(d) => Value::Date(*d),
        ExprKind::Symbol(s) => Value::Enum(Arc::from(s.as_str())),
        ExprKind::Path(b, f) => field_value(env, &b.name, &f.name),
        ExprKind::List(_) => Value::Null,
        ExprKind::Call(name, args) => call(&name.name, args, env),
        ExprKind::Unary(UnOp::Not, x) => match truth(&eval(x, env)) {
            Some(b) => Value::Bool(!b),
            None => Value::Null,
        },
        ExprKind::Unary(UnOp::Neg, x) => match eval(x, env) {
            Value::Int(i) => i.checked_neg().map_or(Value::Null, Value::Int),
            Value::Decimal(d) => Value::Decimal(-d),
            Value::Float(f) => Value::Float(-f),
            _ => Value::Null,
        },
        ExprKind::Binary(op, a, b) => binary(*op, a, b, env),
    }
}

fn binary(op: BinOp, a: &Expr, b: &Expr, env: &Env<'_>) -> Value {
    match op {
        BinOp::And => {
            let (x, y) = (truth(&eval(a, env)), truth(&eval(b, env)));
            match (x, y) {
                (Some(false), _) | (_, Some(false)) => Value::Bool(false),
                (Some(true), Some(true)) => Value::Bool(true),
                _ => Value::Null,
            }
        }
        BinOp::Or => {
            let (x, y) = (truth(&eval(a, env)), truth(&eval(b, env)));
            match (x, y) {
                (Some(true), _) | (_, Some(true)) => Value::Bool(true),
                (Some(false), Some(false)) => Value::Bool(false),
                _ => Value::Null,
            }
        }
        BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div => {
            arith(op, &eval(a, env), &eval(b, env))
        }
        BinOp::In | BinOp::NotIn => {
            let r = membership(a, b, env);
            match (op, r) {
                (BinOp::NotIn, Some(x)) => Value::Bool(!x),
                (_, Some(x)) => Value::Bool(x),
                (_, None) => Value::Null,
            }
        }
        BinOp::Covers => {
            let (t, r) = (eval(a, env), as_region(&eval(b, env)));
            let Some(r) = r else { return Value::Null };
            match t {
                Value::Region(t) => Value::Bool(t.covers(r.region())),
                Value::Set(items) => Value::Bool(items.iter().any(|x| match x {
                    Value::Region(t) => t.covers(r.region()),
                    _ => false,
                })),
                _ => Value::Null,
            }
        }
        _ => {
            let (x, y) = (eval(a, env), eval(b, env));
            let res = match op {
                BinOp::Cmp(CmpOp::Eq) => equal(&x, &y),
                BinOp::Cmp(CmpOp::Ne) => equal(&x, &y).map(|b| !b),
                _ => order(&x, &y).map(|o| match op {
                    BinOp::Cmp(CmpOp::Lt) => o == Ordering::Less,
                    BinOp::Cmp(CmpOp::Le) => o != Ordering::Greater,
                    BinOp::Cmp(CmpOp::Gt) => o == Ordering::Greater,
                    _ => o != Ordering::Less,
                }),
            };
            res.map_or(Value::Null, Value::Bool)
        }
    }
}

fn membership(a: &Expr, b: &Expr, env: &Env<'_>) -> Option<bool> {
    let x = eval(a, env);
    if x.is_null() {
        return None;
    }
    let results: Vec<Option<bool>> = match &b.kind {
        ExprKind::List(items) => items.iter().map(|i| equal(&x, &eval(i, env))).collect(),
        _ => match eval(b, env) {
            Value::Set(items) => items.iter().map(|i| equal(&x, i)).collect(),
            Value::Map(pairs) => pairs.iter().map(|(k, _)| equal(&x, k)).collect(),
            _ => return None,
        },
    };
    if results.contains(&Some(true)) {
        Some(true)
    } else if results.contains(&None) {
        None
    } else {
        Some(false)
    }
}

fn as_region(v: &Value) -> Option<Arc<Territory>> {
    match v {
        Value::Region(t) => Some(t.clone()),
        Value::Text(s) => Territory::parse(s).ok().map(Arc::new),
        _ => None,
    }
}

fn to_decimal(v: &Value) -> Option<Decimal> {
    match v {
        Value::Int(i) => Some(Decimal::from(*i)),
        Value::Decimal(d) => Some(*d),
        _ => None,
    }
}

/// Equality with the language's coercions; `None` if either side is null.
fn equal(x: &Value, y: &Value) -> Option<bool> {
    if x.is_null() || y.is_null() {
        return None;
    }
    if let Some(o) = numeric_order(x, y) {
        return Some(o == Some(Ordering::Equal));
    }
    match (x, y) {
        (Value::Region(_), Value::Text(_)) | (Value::Text(_), Value::Region(_)) => {
            Some(as_region(x)? == as_region(y)?)
        }
        _ => Some(x == y),
    }
}

/// `Some(order)` if both are numbers (`Some(None)` if unordered, e.g. NaN).
fn numeric_order(x: &Value, y: &Value) -> Option<Option<Ordering>> {
    let is_num = |v: &Value| matches!(v, Value::Int(_) | Value::Decimal(_) | Value::Float(_));
    if !is_num(x) || !is_num(y) {
        return None;
    }
    Some(match (x, y) {
        (Value::Int(a), Value::Int(b)) => Some(a.cmp(b)),
        (Value::Float(_), _) | (_, Value::Float(_)) => x.as_f64()?.partial_cmp(&y.as_f64()?),
        _ => Some(to_decimal(x)?.cmp(&to_decimal(y)?)),
    })
}

fn order(x: &Value, y: &Value) -> Option<Ordering> {
    if let Some(o) = numeric_order(x, y) {
        return o;
    }
    match (x, y) {
        (Value::Date(a), Value::Date(b)) => Some(a.cmp(b)),
        (Value::DateTime(a), Value::DateTime(b)) => Some(a.cmp(b)),
        (Value::Duration(a), Value::Duration(b)) => Some(a.cmp(b)),
        (Value::Text(a), Value::Text(b)) => Some(a.cmp(b)),
        _ => None,
    }
}

fn arith(op: BinOp, x: &Value, y: &Value) -> Value {
    match (x, y) {
        (Value::Int(a), Value::Int(b)) => match op {
            BinOp::Add => a.checked_add(*b).map_or(Value::Null, Value::Int),
            BinOp::Sub => a.checked_sub(*b).map_or(Value::Null, Value::Int),
            BinOp::Mul => a.checked_mul(*b).map_or(Value::Null, Value::Int),
            _ if *b == 0 => Value::Null,
            _ => Value::Float(*a as f64 / *b as f64),
        },
        (Value::Float(_), _) | (_, Value::Float(_)) => {
            let (Some(a), Some(b)) = (x.as_f64(), y.as_f64()) else {
                return Value::Null;
            };
            match op {
                BinOp::Add => Value::Float(a + b),
                BinOp::Sub => Value::Float(a - b),
                BinOp::Mul => Value::Float(a * b),
                _ if b == 0.0 => Value::Null,
                _ => Value::Float(a / b),
            }
        }
        _ => {
            let (Some(a), Some(b)) = (to_decimal(x), to_decimal(y)) else {
                return Value::Null;
            };
            let r = match op {
                BinOp::Add => a.checked_add(b),
                BinOp::Sub => a.checked_sub(b),
                BinOp::Mul => a.checked_mul(b),
                _ => a.checked_div(b),
            };
            r.map_or(Value::Null, Value::Decimal)
        }
    }
}

fn call(name: &str, args: &[Expr], env: &Env<'_>) -> Value {
    let arg = |i: usize| args.get(i).map_or(Value::Null, |a| eval(a, env));
    match name {
        "distance" => match (arg(0), arg(1)) {
            (Value::GeoPoint(a), Value::GeoPoint(b)) => Value::Float(haversine_km(a, b)),
            _ => Value::Null,
        },
        "certified" => {
            let Some((p, _)) = env.partner else {
                return Value::Null;
            };
            let map_ty = Type::Map(Box::new(Type::Text), Box::new(Type::Date));
            let Some(ix) = env.rs.partner.fields.iter().position(|f| f.ty == map_ty) else {
                return Value::Null;
            };
            let Value::Text(want) = arg(1) else {
                return Value::Null;
            };
            let Some(day) = DateTime::from_timestamp_millis(env.now).map(|t| t.date_naive()) else {
                return Value::Null;
            };
            match p.values.get(ix) {
                Some(Value::Map(pairs)) => Value::Bool(pairs.iter().any(|(k, v)| {
                    matches!((k, v), (Value::Text(k), Value::Date(d)) if *k == want && *d >= day)
                })),
                _ => Value::Null,
            }
        }
        "smoothed" => {
            let (Some(rate), Some(n)) = (arg(0).as_f64(), arg(1).as_f64()) else {
                return Value::Null;
            };
            let prior = if args.len() > 2 {
                arg(2).as_f64()
            } else {
                Some(0.5)
            };
            let weight = if args.len() > 3 {
                arg(3).as_f64()
            } else {
                Some(10.0)
            };
            let (Some(prior), Some(weight)) = (prior, weight) else {
                return Value::Null;
            };
            let den = n + weight;
            if den == 0.0 {
                Value::Null
            } else {
                Value::Float((rate * n + prior * weight) / den)
            }
        }
        "utilisation" => match env.partner {
            Some((p, st)) => utilisation(env.rs, p, st).map_or(Value::Null, Value::Float),
            None => Value::Null,
        },
        _ => Value::Null,
    }
}
