//! Numbers: the one place where the engine's numeric semantics live and where numeric
//! expressions are compiled and evaluated.
//!
//! - This file: the semantics every evaluator shares: exact int and decimal arithmetic (an
//!   overflow is null), float arithmetic (division by zero is null), ordering across number
//!   kinds, `smoothed`, `utilisation`, and the integer range test prepared batches use for
//!   `lead.f <op> k`. The generic evaluator ([`super::eval`]) and the compiled one
//!   ([`super::compile`]) both call these, so they agree by construction.
//! - `program.rs`: [`NumProgram`], a numeric expression (a condition's operand, a rank, a
//!   round-robin weight, a distance) compiled once to a tree over operands read without a call,
//!   evaluated per candidate.
//! - `partner_score.rs`: a partner-only rank's program specialised for one batch.

mod partner_score;
mod program;

use std::cmp::Ordering;

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

pub(crate) use partner_score::PartnerScore;
pub(crate) use program::{NumLeaf, NumProgram};

use super::eval::holds;
use crate::network::Scalar;
use crate::plan::{ArithOp, CmpOp, Expr, Scope};
use crate::record::Record;
use crate::schema::Schema;
use crate::value::{Type, Value};

/// A number of any kind, as the evaluators compare and combine them.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Number {
    Int(i64),
    Decimal(Decimal),
    Float(f64),
}

impl Number {
    /// A value's number, if it is one.
    #[inline(always)]
    pub(crate) fn of_value(v: &Value) -> Option<Number> {
        match v {
            Value::Int(i) => Some(Number::Int(*i)),
            Value::Decimal(d) => Some(Number::Decimal(*d)),
            Value::Float(x) => Some(Number::Float(*x)),
            _ => None,
        }
    }

    /// A scalar's number, if it is one.
    #[inline(always)]
    pub(crate) fn of_scalar(s: Scalar) -> Option<Number> {
        match s {
            Scalar::Int(i) => Some(Number::Int(i)),
            Scalar::Decimal(d) => Some(Number::Decimal(d)),
            Scalar::Float(x) => Some(Number::Float(x)),
            _ => None,
        }
    }

    /// The number as a float (`NaN` for a decimal out of range).
    #[inline(always)]
    pub(crate) fn to_f64(self) -> f64 {
        match self {
            Number::Int(i) => i as f64,
            Number::Decimal(d) => d.to_f64().unwrap_or(f64::NAN),
            Number::Float(x) => x,
        }
    }

    /// The number as an exact decimal (`None` for a float).
    #[inline(always)]
    pub(crate) fn to_decimal(self) -> Option<Decimal> {
        match self {
            Number::Int(i) => Some(Decimal::from(i)),
            Number::Decimal(d) => Some(d),
            Number::Float(_) => None,
        }
    }

    /// Orders two numbers: ints and decimals exactly, anything with a float as floats (`None`
    /// when a float is `NaN`).
    #[inline(always)]
    pub(crate) fn compare(self, other: Number) -> Option<Ordering> {
        match (self, other) {
            (Number::Int(x), Number::Int(y)) => Some(x.cmp(&y)),
            (Number::Int(x), Number::Decimal(y)) => Some(Decimal::from(x).cmp(&y)),
            (Number::Decimal(x), Number::Int(y)) => Some(x.cmp(&Decimal::from(y))),
            (Number::Decimal(x), Number::Decimal(y)) => Some(x.cmp(&y)),
            (Number::Float(x), y) => x.partial_cmp(&y.to_f64()),
            (x, Number::Float(y)) => x.to_f64().partial_cmp(&y),
        }
    }
}

/// Int arithmetic (`None` on overflow; division, which gives a float, is `None` here).
#[inline]
pub(crate) fn int_arith(op: ArithOp, x: i64, y: i64) -> Option<i64> {
    match op {
        ArithOp::Add => x.checked_add(y),
        ArithOp::Sub => x.checked_sub(y),
        ArithOp::Mul => x.checked_mul(y),
        ArithOp::Div => None,
    }
}

/// Decimal arithmetic (`None` on overflow and division by zero).
#[inline]
pub(crate) fn decimal_arith(op: ArithOp, x: Decimal, y: Decimal) -> Option<Decimal> {
    match op {
        ArithOp::Add => x.checked_add(y),
        ArithOp::Sub => x.checked_sub(y),
        ArithOp::Mul => x.checked_mul(y),
        ArithOp::Div => x.checked_div(y),
    }
}

/// Float arithmetic with `NaN` standing for null: division by zero is `NaN`.
#[inline(always)]
pub(crate) fn float_arith(op: ArithOp, x: f64, y: f64) -> f64 {
    match op {
        ArithOp::Add => x + y,
        ArithOp::Sub => x - y,
        ArithOp::Mul => x * y,
        ArithOp::Div => {
            if y == 0.0 {
                f64::NAN
            } else {
                x / y
            }
        }
    }
}

/// `smoothed(rate, n)` on floats; `NaN` when undefined.
#[inline]
pub(crate) fn smoothed(rate: f64, n: f64, prior: f64, weight: f64) -> f64 {
    let den = n + weight;
    if den == 0.0 {
        f64::NAN
    } else {
        (rate * n + prior * weight) / den
    }
}

/// `utilisation(partner)`: `active / capacity`, 1.0 at capacity 0.
#[inline]
pub(crate) fn utilisation(active: f64, capacity: f64) -> f64 {
    if capacity == 0.0 {
        1.0
    } else {
        active / capacity
    }
}

/// `lead.f <op> k` for an int or decimal lead field `f` and an integer literal `k`, decided as
/// a range test on the field's value (what the compiled comparison computes, without it).
#[derive(Debug, Clone, Copy)]
pub(crate) struct IntRangeTest {
    field: usize,
    op: CmpOp,
    k: i64,
    /// The comparison holds for `lo <= x <= hi`, or outside that range with `outside` (`!=`).
    lo: i128,
    hi: i128,
    outside: bool,
}

impl IntRangeTest {
    /// The test for an expression of that shape (`lead.f <op> k` or `k <op> lead.f`).
    pub(crate) fn of(e: &Expr, lead_schema: &Schema) -> Option<IntRangeTest> {
        let Expr::Cmp(op, a, b) = e else {
            return None;
        };
        let (f, op, k) = match (&**a, &**b) {
            (Expr::Field(Scope::Lead, f), Expr::Lit(Value::Int(k))) => (*f, *op, *k),
            (Expr::Lit(Value::Int(k)), Expr::Field(Scope::Lead, f)) => (*f, flip(*op), *k),
            _ => return None,
        };
        if !matches!(lead_schema.field(f)?.ty, Type::Int | Type::Decimal) {
            return None;
        }
        let k128 = i128::from(k);
        let (lo, hi, outside) = match op {
            CmpOp::Eq => (k128, k128, false),
            CmpOp::Ne => (k128, k128, true),
            CmpOp::Lt => (i128::MIN, k128 - 1, false),
            CmpOp::Le => (i128::MIN, k128, false),
            CmpOp::Gt => (k128 + 1, i128::MAX, false),
            CmpOp::Ge => (k128, i128::MAX, false),
        };
        Some(IntRangeTest {
            field: usize::from(f),
            op,
            k,
            lo,
            hi,
            outside,
        })
    }

    /// The lead field the comparison reads.
    pub(crate) fn field(&self) -> usize {
        self.field
    }

    /// Whether `x` is in the range.
    #[inline]
    fn in_range(&self, x: i128) -> Scalar {
        Scalar::Bool((self.lo <= x && x <= self.hi) != self.outside)
    }

    /// The comparison's value for the field's value `x`, an integer (of an int field or a
    /// whole decimal; `None`: null).
    #[inline]
    pub(crate) fn test_int(&self, x: Option<i64>) -> Scalar {
        match x {
            Some(x) => self.in_range(i128::from(x)),
            None => Scalar::Null,
        }
    }

    /// The comparison's value for a checked lead (null for a null field).
    #[inline]
    pub(crate) fn test(&self, lead: &Record) -> Scalar {
        match lead.values.get(self.field) {
            Some(Value::Int(x)) => self.in_range(i128::from(*x)),
            // (a whole decimal is its mantissa)
            Some(Value::Decimal(d)) if d.scale() == 0 => self.in_range(d.mantissa()),
            Some(Value::Decimal(d)) => Scalar::Bool(holds(self.op, d.cmp(&Decimal::from(self.k)))),
            // null (nothing else is in a checked lead)
            _ => Scalar::Null,
        }
    }
}

/// `op` with its operands swapped.
fn flip(op: CmpOp) -> CmpOp {
    match op {
        CmpOp::Lt => CmpOp::Gt,
        CmpOp::Le => CmpOp::Ge,
        CmpOp::Gt => CmpOp::Lt,
        CmpOp::Ge => CmpOp::Le,
        CmpOp::Eq | CmpOp::Ne => op,
    }
}
