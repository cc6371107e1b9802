//! The generic evaluator over [`Value`]s: `when` clauses, per-lead hoisted subexpressions and
//! the shapes the compiled evaluator does not specialise. It follows plan/mod.rs exactly
//! (Kleene logic, `Null` propagation, division by zero is `Null`); its comparison and Kleene
//! steps ([`holds`], [`kleene`]) and the numeric semantics of [`super::number`] are the ones the
//! compiled evaluator uses too.

use std::borrow::Cow;
use std::cmp::Ordering;

use super::number::{decimal_arith, float_arith, int_arith, smoothed, utilisation, Number};
use crate::geo::haversine_km;
use crate::network::{day_of, day_of_instant, Network};
use crate::plan::{ArithOp, CmpOp, Expr, Scope};
use crate::record::Record;
use crate::value::{EpochMs, Value};

/// What an expression can read: the lead, a partner (the network and its slot) and the
/// routing instant.
pub(crate) struct ValueEnv<'a> {
    pub(crate) lead: &'a Record,
    pub(crate) partner: Option<(&'a Network, usize)>,
    pub(crate) now: EpochMs,
}

/// A value as a Kleene truth value (`None` = unknown).
pub(crate) fn truth(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        _ => None,
    }
}

/// Whether `op` holds for two operands in order `o`.
#[inline]
pub(crate) fn holds(op: CmpOp, o: Ordering) -> bool {
    match op {
        CmpOp::Eq => o == Ordering::Equal,
        CmpOp::Ne => o != Ordering::Equal,
        CmpOp::Lt => o == Ordering::Less,
        CmpOp::Le => o != Ordering::Greater,
        CmpOp::Gt => o == Ordering::Greater,
        CmpOp::Ge => o != Ordering::Less,
    }
}

/// Kleene `or` (`dominant` true) or `and` (`dominant` false) of truth values (`None` is
/// unknown), read in order until one is `dominant`.
#[inline]
pub(crate) fn kleene(
    truths: impl IntoIterator<Item = Option<bool>>,
    dominant: bool,
) -> Option<bool> {
    let mut unknown = false;
    for t in truths {
        match t {
            Some(b) if b == dominant => return Some(dominant),
            Some(_) => {}
            None => unknown = true,
        }
    }
    if unknown {
        None
    } else {
        Some(!dominant)
    }
}

/// Orders two values (`None` if either is null or they are not ordered).
pub(crate) fn compare(a: &Value, b: &Value) -> Option<Ordering> {
    if let (Some(x), Some(y)) = (Number::of_value(a), Number::of_value(b)) {
        return x.compare(y);
    }
    match (a, b) {
        (Value::Text(x) | Value::Enum(x), Value::Text(y) | Value::Enum(y)) => {
            Some(x.as_bytes().cmp(y.as_bytes()))
        }
        (Value::Bool(x), Value::Bool(y)) => Some(x.cmp(y)),
        (Value::Date(x), Value::Date(y)) => Some(x.cmp(y)),
        (Value::DateTime(x), Value::DateTime(y)) => Some(x.cmp(y)),
        (Value::Duration(x), Value::Duration(y)) => Some(x.cmp(y)),
        _ => None,
    }
}

/// Equality (`None` if either is null).
pub(crate) fn equal(a: &Value, b: &Value) -> Option<bool> {
    if a.is_null() || b.is_null() {
        return None;
    }
    if let (Some(x), Some(y)) = (Number::of_value(a), Number::of_value(b)) {
        return x.compare(y).map(|o| o == Ordering::Equal);
    }
    match (a, b) {
        (Value::Text(x) | Value::Enum(x), Value::Text(y) | Value::Enum(y)) => Some(x == y),
        _ => Some(a == b),
    }
}

fn arith(op: ArithOp, a: &Value, b: &Value) -> Value {
    use ArithOp::*;
    if let (Some(x), Some(y)) = (Number::of_value(a), Number::of_value(b)) {
        return match (x, y) {
            (Number::Int(x), Number::Int(y)) if op == Div => float_op(op, x as f64, y as f64),
            (Number::Int(x), Number::Int(y)) => int_arith(op, x, y).map_or(Value::Null, Value::Int),
            (Number::Float(x), y) => float_op(op, x, y.to_f64()),
            (x, Number::Float(y)) => float_op(op, x.to_f64(), y),
            (x, y) => match (x.to_decimal(), y.to_decimal()) {
                (Some(x), Some(y)) => decimal_arith(op, x, y).map_or(Value::Null, Value::Decimal),
                _ => Value::Null,
            },
        };
    }
    match (op, a, b) {
        (Add, Value::DateTime(t), Value::Duration(d))
        | (Add, Value::Duration(d), Value::DateTime(t)) => {
            t.checked_add(*d).map_or(Value::Null, Value::DateTime)
        }
        (Sub, Value::DateTime(t), Value::Duration(d)) => {
            t.checked_sub(*d).map_or(Value::Null, Value::DateTime)
        }
        (Sub, Value::DateTime(x), Value::DateTime(y)) => {
            x.checked_sub(*y).map_or(Value::Null, Value::Duration)
        }
        (Add, Value::Duration(x), Value::Duration(y)) => {
            x.checked_add(*y).map_or(Value::Null, Value::Duration)
        }
        (Sub, Value::Duration(x), Value::Duration(y)) => {
            x.checked_sub(*y).map_or(Value::Null, Value::Duration)
        }
        _ => Value::Null,
    }
}

/// Float arithmetic as a value (division by zero is null).
fn float_op(op: ArithOp, x: f64, y: f64) -> Value {
    if op == ArithOp::Div && y == 0.0 {
        Value::Null
    } else {
        Value::Float(float_arith(op, x, y))
    }
}

fn float_value(x: f64) -> Value {
    if x.is_nan() {
        Value::Null
    } else {
        Value::Float(x)
    }
}

/// The value of an operand: a literal or a lead field borrowed (not cloned: a `when` reads
/// them for every lead), anything else evaluated.
#[inline]
fn operand<'a>(e: &'a Expr, env: &'a ValueEnv<'_>) -> Cow<'a, Value> {
    match e {
        Expr::Lit(v) => Cow::Borrowed(v),
        Expr::Field(Scope::Lead, i) => match env.lead.values.get(usize::from(*i)) {
            Some(v) => Cow::Borrowed(v),
            None => Cow::Owned(Value::Null),
        },
        _ => Cow::Owned(eval(e, env)),
    }
}

/// Evaluates an expression.
pub(crate) fn eval(e: &Expr, env: &ValueEnv<'_>) -> Value {
    match e {
        Expr::Lit(v) => v.clone(),
        Expr::Field(Scope::Lead, i) => env
            .lead
            .values
            .get(usize::from(*i))
            .cloned()
            .unwrap_or(Value::Null),
        Expr::Field(Scope::Partner, i) => match env.partner {
            Some((net, p)) => net.value(*i, p),
            None => Value::Null,
        },
        Expr::Id(Scope::Lead) => Value::Text(env.lead.id.clone()),
        Expr::Id(Scope::Partner) => match env.partner.and_then(|(n, p)| n.id(p)) {
            Some(id) => Value::Text(id.clone()),
            None => Value::Null,
        },
        Expr::Not(x) => match truth(&eval(x, env)) {
            Some(b) => Value::Bool(!b),
            None => Value::Null,
        },
        Expr::Neg(x) => match eval(x, env) {
            Value::Int(i) => i.checked_neg().map_or(Value::Null, Value::Int),
            Value::Decimal(d) => Value::Decimal(-d),
            Value::Float(x) => Value::Float(-x),
            Value::Duration(d) => d.checked_neg().map_or(Value::Null, Value::Duration),
            _ => Value::Null,
        },
        Expr::And(xs) | Expr::Or(xs) => {
            let truths = xs.iter().map(|x| truth(&eval(x, env)));
            kleene(truths, matches!(e, Expr::Or(_))).map_or(Value::Null, Value::Bool)
        }
        Expr::Cmp(op, a, b) => {
            let (a, b) = (operand(a, env), operand(b, env));
            let r = match op {
                CmpOp::Eq => equal(&a, &b),
                CmpOp::Ne => equal(&a, &b).map(|x| !x),
                _ => compare(&a, &b).map(|o| holds(*op, o)),
            };
            r.map_or(Value::Null, Value::Bool)
        }
        Expr::Arith(op, a, b) => arith(*op, &eval(a, env), &eval(b, env)),
        Expr::InList(x, items) => {
            let x = operand(x, env);
            if x.is_null() {
                return Value::Null;
            }
            let equalities = items.iter().map(|it| equal(&x, &operand(it, env)));
            kleene(equalities, true).map_or(Value::Null, Value::Bool)
        }
        Expr::InSet(x, s) => {
            let x = operand(x, env);
            if x.is_null() {
                return Value::Null;
            }
            match eval(s, env) {
                Value::Set(items) => Value::Bool(items.iter().any(|y| equal(&x, y) == Some(true))),
                Value::Map(kv) => Value::Bool(kv.iter().any(|(k, _)| equal(&x, k) == Some(true))),
                _ => Value::Null,
            }
        }
        Expr::Covers(t, r) => {
            let r = match eval(r, env) {
                Value::Region(r) => r,
                _ => return Value::Null,
            };
            match eval(t, env) {
                Value::Region(t) => Value::Bool(t.covers(r.region())),
                Value::Set(items) => Value::Bool(items.iter().any(|x| match x {
                    Value::Region(t) => t.covers(r.region()),
                    _ => false,
                })),
                _ => Value::Null,
            }
        }
        Expr::Distance(a, b) => match (eval(a, env), eval(b, env)) {
            (Value::GeoPoint(a), Value::GeoPoint(b)) => float_value(haversine_km(a, b)),
            _ => Value::Null,
        },
        Expr::Certified { field, name } => {
            let Some(today) = day_of_instant(env.now) else {
                return Value::Null;
            };
            let name = match eval(name, env) {
                Value::Text(t) | Value::Enum(t) => t,
                _ => return Value::Null,
            };
            match eval(&Expr::Field(Scope::Partner, *field), env) {
                Value::Map(kv) => Value::Bool(kv.iter().any(|(k, d)| match (k, d) {
                    (Value::Text(k), Value::Date(d)) => **k == *name && day_of(*d) >= today,
                    _ => false,
                })),
                _ => Value::Null,
            }
        }
        Expr::Smoothed {
            rate,
            n,
            prior,
            weight,
        } => match (eval(rate, env).as_f64(), eval(n, env).as_f64()) {
            (Some(r), Some(n)) => float_value(smoothed(r, n, *prior, *weight)),
            _ => Value::Null,
        },
        Expr::Utilisation {
            active_leads,
            capacity,
        } => {
            let a = eval(&Expr::Field(Scope::Partner, *active_leads), env);
            let c = eval(&Expr::Field(Scope::Partner, *capacity), env);
            match (a.as_f64(), c.as_f64()) {
                (Some(a), Some(c)) => float_value(utilisation(a, c)),
                _ => Value::Null,
            }
        }
    }
}
