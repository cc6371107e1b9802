//! The generic evaluator over [`Value`]s: `when` clauses, per-lead hoisted sub-expressions and
//! the shapes the compiled evaluator does not specialise. It follows plan/mod.rs exactly
//! (Kleene logic, `Null` propagation, division by zero is `Null`).

use std::cmp::Ordering;

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

use crate::geo::haversine_km;
use crate::network::{day_of, day_of_instant, Network};
use crate::plan::{ArithOp, CmpOp, Expr, Scope};
use crate::record::Record;
use crate::value::{EpochMs, Value};

/// What an expression can read.
pub(crate) struct Env<'a> {
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

enum Num {
    I(i64),
    D(Decimal),
    F(f64),
}

fn num(v: &Value) -> Option<Num> {
    match v {
        Value::Int(i) => Some(Num::I(*i)),
        Value::Decimal(d) => Some(Num::D(*d)),
        Value::Float(x) => Some(Num::F(*x)),
        _ => None,
    }
}

fn dec_f64(d: Decimal) -> f64 {
    d.to_f64().unwrap_or(f64::NAN)
}

fn num_cmp(a: &Num, b: &Num) -> Option<Ordering> {
    match (a, b) {
        (Num::I(x), Num::I(y)) => Some(x.cmp(y)),
        (Num::I(x), Num::D(y)) => Some(Decimal::from(*x).cmp(y)),
        (Num::D(x), Num::I(y)) => Some(x.cmp(&Decimal::from(*y))),
        (Num::D(x), Num::D(y)) => Some(x.cmp(y)),
        (Num::F(x), _) => x.partial_cmp(&num_f64(b)),
        (_, Num::F(y)) => num_f64(a).partial_cmp(y),
    }
}

fn num_f64(a: &Num) -> f64 {
    match a {
        Num::I(i) => *i as f64,
        Num::D(d) => dec_f64(*d),
        Num::F(x) => *x,
    }
}

/// Orders two values (`None` if either is null or they are not ordered).
pub(crate) fn compare(a: &Value, b: &Value) -> Option<Ordering> {
    if let (Some(x), Some(y)) = (num(a), num(b)) {
        return num_cmp(&x, &y);
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
    if let (Some(x), Some(y)) = (num(a), num(b)) {
        return num_cmp(&x, &y).map(|o| o == Ordering::Equal);
    }
    match (a, b) {
        (Value::Text(x) | Value::Enum(x), Value::Text(y) | Value::Enum(y)) => Some(x == y),
        _ => Some(a == b),
    }
}

fn arith(op: ArithOp, a: &Value, b: &Value) -> Value {
    use ArithOp::*;
    if let (Some(x), Some(y)) = (num(a), num(b)) {
        return match (x, y) {
            (Num::I(x), Num::I(y)) => match op {
                Add => x.checked_add(y).map_or(Value::Null, Value::Int),
                Sub => x.checked_sub(y).map_or(Value::Null, Value::Int),
                Mul => x.checked_mul(y).map_or(Value::Null, Value::Int),
                Div => float_div(x as f64, y as f64),
            },
            (Num::F(x), y) => float_op(op, x, num_f64(&y)),
            (x, Num::F(y)) => float_op(op, num_f64(&x), y),
            (x, y) => {
                let dx = match x {
                    Num::I(i) => Decimal::from(i),
                    Num::D(d) => d,
                    Num::F(_) => return Value::Null,
                };
                let dy = match y {
                    Num::I(i) => Decimal::from(i),
                    Num::D(d) => d,
                    Num::F(_) => return Value::Null,
                };
                let r = match op {
                    Add => dx.checked_add(dy),
                    Sub => dx.checked_sub(dy),
                    Mul => dx.checked_mul(dy),
                    Div => dx.checked_div(dy),
                };
                r.map_or(Value::Null, Value::Decimal)
            }
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

fn float_div(x: f64, y: f64) -> Value {
    if y == 0.0 {
        Value::Null
    } else {
        Value::Float(x / y)
    }
}

fn float_op(op: ArithOp, x: f64, y: f64) -> Value {
    match op {
        ArithOp::Add => Value::Float(x + y),
        ArithOp::Sub => Value::Float(x - y),
        ArithOp::Mul => Value::Float(x * y),
        ArithOp::Div => float_div(x, y),
    }
}

fn kleene(xs: &[Expr], env: &Env<'_>, dominant: bool) -> Value {
    let mut unknown = false;
    for x in xs {
        match truth(&eval(x, env)) {
            Some(b) if b == dominant => return Value::Bool(dominant),
            Some(_) => {}
            None => unknown = true,
        }
    }
    if unknown {
        Value::Null
    } else {
        Value::Bool(!dominant)
    }
}

/// `smoothed(rate, n)` on floats; `NaN` when undefined.
pub(crate) fn smoothed(rate: f64, n: f64, prior: f64, weight: f64) -> f64 {
    let den = n + weight;
    if den == 0.0 {
        f64::NAN
    } else {
        (rate * n + prior * weight) / den
    }
}

fn float_value(x: f64) -> Value {
    if x.is_nan() {
        Value::Null
    } else {
        Value::Float(x)
    }
}

/// Evaluates an expression.
pub(crate) fn eval(e: &Expr, env: &Env<'_>) -> Value {
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
        Expr::And(xs) => kleene(xs, env, false),
        Expr::Or(xs) => kleene(xs, env, true),
        Expr::Cmp(op, a, b) => {
            let (a, b) = (eval(a, env), eval(b, env));
            let r = match op {
                CmpOp::Eq => equal(&a, &b),
                CmpOp::Ne => equal(&a, &b).map(|x| !x),
                CmpOp::Lt => compare(&a, &b).map(|o| o == Ordering::Less),
                CmpOp::Le => compare(&a, &b).map(|o| o != Ordering::Greater),
                CmpOp::Gt => compare(&a, &b).map(|o| o == Ordering::Greater),
                CmpOp::Ge => compare(&a, &b).map(|o| o != Ordering::Less),
            };
            r.map_or(Value::Null, Value::Bool)
        }
        Expr::Arith(op, a, b) => arith(*op, &eval(a, env), &eval(b, env)),
        Expr::InList(x, items) => {
            let x = eval(x, env);
            if x.is_null() {
                return Value::Null;
            }
            let mut unknown = false;
            for it in items {
                match equal(&x, &eval(it, env)) {
                    Some(true) => return Value::Bool(true),
                    Some(false) => {}
                    None => unknown = true,
                }
            }
            if unknown {
                Value::Null
            } else {
                Value::Bool(false)
            }
        }
        Expr::InSet(x, s) => {
            let x = eval(x, env);
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
                (Some(_), Some(0.0)) => Value::Float(1.0),
                (Some(a), Some(c)) => float_value(a / c),
                _ => Value::Null,
            }
        }
    }
}
