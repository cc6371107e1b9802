//! Compiling a rule's conditions to closures over the network's partner columns.
//!
//! Lead-only subexpressions are hoisted into per-lead *slots* ([`LeadSlot`]), evaluated once
//! per lead (and rule); the closures then read partner columns and slots only, and never
//! allocate. Numbers compile to [`NumProgram`](super::number::NumProgram)s (see
//! [`super::number`]), with `NaN` standing for null (arithmetic propagates it and comparisons
//! treat it as unknown, as the generic evaluator does). Shapes without a specialised closure
//! fall back to the generic evaluator ([`super::eval`]) for that subexpression.

use std::cmp::Ordering;

use super::analysis::{
    is_float, is_number, is_symbol, lead_only, reads_lead, static_type, StateFields,
};
use super::eval::{self, holds, kleene, ValueEnv};
use super::number::{decimal_arith, int_arith, Number};
use super::rule::{LeadSlot, SlotTiming};
use crate::network::{scalar_of, Network, PartnerColumn, Scalar, UNKNOWN};
use crate::plan::{CmpOp, Expr, Plan, Scope};
use crate::record::Record;
use crate::value::{EpochMs, Type, Value};

/// What compiled expressions read while one lead is routed through one rule, besides the
/// partner slot they are called with.
pub(crate) struct LeadFrame<'a> {
    pub(crate) network: &'a Network,
    /// The rule's lead slots for this lead.
    pub(crate) slots: &'a [Scalar],
    pub(crate) lead: &'a Record,
    pub(crate) now: EpochMs,
    /// Per-partner values of static number subexpressions (see [`Compiler::number_folded`]).
    pub(crate) statics: &'a [Vec<f64>],
}

impl LeadFrame<'_> {
    /// Lead slot `k`.
    #[inline]
    pub(crate) fn slot(&self, k: usize) -> Scalar {
        self.slots.get(k).copied().unwrap_or(Scalar::Null)
    }

    /// Partner column `i`'s entry for slot `p` in one of its views (`missing` if none).
    #[inline(always)]
    fn partner_entry<T: Copy>(
        &self,
        i: usize,
        p: usize,
        view: impl Fn(&PartnerColumn) -> &[T],
        missing: T,
    ) -> T {
        let column = self.network.columns.get(i);
        column
            .and_then(|c| view(c).get(p))
            .copied()
            .unwrap_or(missing)
    }

    /// Partner column `i`'s number for slot `p` (`NaN` for null).
    #[inline(always)]
    pub(crate) fn partner_number(&self, i: usize, p: usize) -> f64 {
        self.partner_entry(i, p, |c| &c.numbers, f64::NAN)
    }

    /// Partner column `i`'s scalar for slot `p`.
    #[inline(always)]
    fn partner_scalar(&self, i: usize, p: usize) -> Scalar {
        self.partner_entry(i, p, |c| &c.scalars, Scalar::Null)
    }

    /// Slot `p`'s active lead count (state).
    #[inline(always)]
    pub(crate) fn active_leads(&self, p: usize) -> Option<i64> {
        self.network.state.active.get(p).copied()
    }

    /// Slot `p`'s last assignment instant (state).
    #[inline(always)]
    fn last_assigned_at(&self, p: usize) -> Scalar {
        match self.network.state.last_at.get(p) {
            Some(Some(t)) => Scalar::DateTime(*t),
            _ => Scalar::Null,
        }
    }

    /// The generic evaluator's view of partner slot `p`.
    fn env(&self, p: usize) -> ValueEnv<'_> {
        ValueEnv {
            lead: self.lead,
            partner: Some((self.network, p)),
            now: self.now,
        }
    }
}

/// A compiled condition for a partner slot (Kleene: `None` is unknown).
pub(crate) type PredicateFn = Box<dyn Fn(&LeadFrame<'_>, usize) -> Option<bool> + Send + Sync>;
/// A compiled scalar expression for a partner slot.
pub(crate) type ScalarFn = Box<dyn Fn(&LeadFrame<'_>, usize) -> Scalar + Send + Sync>;
/// A compiled lead-only expression (a slot), evaluated once per lead (and rule).
pub(crate) type LeadFn = Box<dyn Fn(&Record, &Network, EpochMs) -> Scalar + Send + Sync>;

/// A scalar operand read without a call.
#[derive(Debug, Clone, Copy)]
enum ScalarLeaf {
    Const(Scalar),
    /// A partner column.
    Column(usize),
    ActiveLeads,
    LastAssignedAt,
    Slot(usize),
}

impl ScalarLeaf {
    #[inline(always)]
    fn get(self, frame: &LeadFrame<'_>, p: usize) -> Scalar {
        match self {
            ScalarLeaf::Const(x) => x,
            ScalarLeaf::Column(i) => frame.partner_scalar(i, p),
            ScalarLeaf::ActiveLeads => frame.active_leads(p).map_or(Scalar::Null, Scalar::Int),
            ScalarLeaf::LastAssignedAt => frame.last_assigned_at(p),
            ScalarLeaf::Slot(k) => frame.slot(k),
        }
    }

    /// The leaf as a closure, specialised to its kind.
    fn into_fn(self) -> ScalarFn {
        match self {
            ScalarLeaf::Const(c) => Box::new(move |_, _| c),
            ScalarLeaf::Column(i) => Box::new(move |f, p| ScalarLeaf::Column(i).get(f, p)),
            ScalarLeaf::ActiveLeads => Box::new(|f, p| ScalarLeaf::ActiveLeads.get(f, p)),
            ScalarLeaf::LastAssignedAt => Box::new(|f, p| ScalarLeaf::LastAssignedAt.get(f, p)),
            ScalarLeaf::Slot(k) => Box::new(move |f, _| f.slot(k)),
        }
    }
}

/// A scalar as a truth value (`None` for null and non-booleans).
#[inline]
pub(crate) fn truth(s: Scalar) -> Option<bool> {
    match s {
        Scalar::Bool(b) => Some(b),
        _ => None,
    }
}

/// Orders two scalars of the same static kind (numbers exactly, as [`Number::compare`]).
#[inline]
fn compare_scalars(a: Scalar, b: Scalar) -> Option<Ordering> {
    if let (Some(x), Some(y)) = (Number::of_scalar(a), Number::of_scalar(b)) {
        return x.compare(y);
    }
    match (a, b) {
        (Scalar::Bool(x), Scalar::Bool(y)) => Some(x.cmp(&y)),
        (Scalar::Date(x), Scalar::Date(y)) => Some(x.cmp(&y)),
        (Scalar::DateTime(x), Scalar::DateTime(y)) | (Scalar::Duration(x), Scalar::Duration(y)) => {
            Some(x.cmp(&y))
        }
        _ => None,
    }
}

/// `op` on two scalars (`None` when they are not ordered).
#[inline]
fn compare_holds(op: CmpOp, a: Scalar, b: Scalar) -> Option<bool> {
    compare_scalars(a, b).map(|o| holds(op, o))
}

/// Equality of two symbols (`None` unless both are symbols).
#[inline]
fn symbol_eq(a: Scalar, b: Scalar) -> Option<bool> {
    match (a, b) {
        (Scalar::Symbol(x), Scalar::Symbol(y)) => Some(x == y),
        _ => None,
    }
}

/// A float as a scalar (`NaN` is null).
fn float_scalar(x: f64) -> Scalar {
    if x.is_nan() {
        Scalar::Null
    } else {
        Scalar::Float(x)
    }
}

/// A literal as a scalar, its texts unknown to every network (texts are compiled per lead).
fn literal_scalar(v: &Value) -> Scalar {
    scalar_of(v, |_| UNKNOWN)
}

/// Whether a static type compares as a plain scalar (numbers, booleans, dates, times,
/// durations).
fn is_plain(t: &Option<Type>) -> bool {
    is_number(t)
        || matches!(
            t,
            Some(Type::Bool | Type::Date | Type::DateTime | Type::Duration)
        )
}

/// Compiles the expressions of one rule, collecting its hoisted lead-only slots.
pub(crate) struct Compiler<'p> {
    plan: &'p Plan,
    /// The partner fields whose reads come from state.
    pub(crate) state: StateFields,
    pub(crate) slots: Vec<LeadSlot>,
}

impl<'p> Compiler<'p> {
    pub(crate) fn new(plan: &'p Plan) -> Compiler<'p> {
        Compiler {
            plan,
            state: StateFields::of(&plan.partner_schema),
            slots: Vec::new(),
        }
    }

    /// The static type of an expression, if known.
    pub(crate) fn ty(&self, e: &Expr) -> Option<Type> {
        static_type(self.plan, e)
    }

    /// The slot of a lead-only expression, hoisting it on first use.
    pub(crate) fn hoist(&mut self, e: &Expr) -> usize {
        if let Some(k) = self.slots.iter().position(|s| s.expr == *e) {
            return k;
        }
        let eval = self.lead(e);
        // texts and symbols are interned through the network
        let plain = matches!(self.ty(e), Some(t) if !matches!(t, Type::Text | Type::Enum(_)));
        let timing = match (reads_lead(e), plain) {
            (false, _) => SlotTiming::Constant,
            (true, true) => SlotTiming::Prepared,
            (true, false) => SlotTiming::Live,
        };
        self.slots.push(LeadSlot {
            expr: e.clone(),
            eval,
            timing,
        });
        self.slots.len() - 1
    }

    /// Compiles a lead-only expression (numbers, dates and logic without the generic path;
    /// texts are interned through the network, unknown texts compare unequal to partner texts).
    fn lead(&self, e: &Expr) -> LeadFn {
        let t = self.ty(e);
        match e {
            Expr::Lit(v) => {
                let v = v.clone();
                Box::new(move |_, net, _| net.to_scalar(&v))
            }
            Expr::Field(Scope::Lead, i)
                if !matches!(t, Some(Type::Region | Type::Set(_) | Type::Map(..)) | None) =>
            {
                let i = usize::from(*i);
                Box::new(move |lead, net, _| {
                    lead.values
                        .get(i)
                        .map_or(Scalar::Null, |v| net.to_scalar(v))
                })
            }
            Expr::Cmp(op, a, b) if is_plain(&self.ty(a)) && is_plain(&self.ty(b)) => {
                let (fa, fb, op) = (self.lead(a), self.lead(b), *op);
                Box::new(move |l, n, now| {
                    compare_holds(op, fa(l, n, now), fb(l, n, now))
                        .map_or(Scalar::Null, Scalar::Bool)
                })
            }
            Expr::And(xs) | Expr::Or(xs) => {
                let dominant = matches!(e, Expr::Or(_));
                let parts: Vec<LeadFn> = xs.iter().map(|x| self.lead(x)).collect();
                Box::new(move |l, n, now| {
                    let truths = parts.iter().map(|f| truth(f(l, n, now)));
                    kleene(truths, dominant).map_or(Scalar::Null, Scalar::Bool)
                })
            }
            Expr::Not(x) => {
                let f = self.lead(x);
                Box::new(move |l, n, now| {
                    truth(f(l, n, now)).map_or(Scalar::Null, |b| Scalar::Bool(!b))
                })
            }
            _ => {
                let e = e.clone();
                Box::new(move |lead, net, now| {
                    let env = ValueEnv {
                        lead,
                        partner: None,
                        now,
                    };
                    net.to_scalar(&eval::eval(&e, &env))
                })
            }
        }
    }

    /// The leaf of a scalar operand read without a call: a non-text literal, a scalar partner
    /// field, a lead-only expression (hoisted to a slot).
    fn scalar_leaf(&mut self, e: &Expr) -> Option<ScalarLeaf> {
        match e {
            Expr::Lit(v) if !matches!(v, Value::Text(_) | Value::Enum(_)) => {
                Some(ScalarLeaf::Const(literal_scalar(v)))
            }
            Expr::Field(Scope::Partner, f) => {
                if matches!(
                    self.ty(e),
                    Some(Type::Set(_) | Type::Map(..) | Type::Region) | None
                ) {
                    None
                } else {
                    Some(self.partner_field(*f))
                }
            }
            _ if lead_only(e) => Some(ScalarLeaf::Slot(self.hoist(e))),
            _ => None,
        }
    }

    /// The leaf reading partner field `f` (from state for the state fields).
    fn partner_field(&self, f: u16) -> ScalarLeaf {
        if Some(f) == self.state.active_leads {
            ScalarLeaf::ActiveLeads
        } else if Some(f) == self.state.last_assigned_at {
            ScalarLeaf::LastAssignedAt
        } else {
            ScalarLeaf::Column(usize::from(f))
        }
    }

    fn generic_predicate(e: &Expr) -> PredicateFn {
        let e = e.clone();
        Box::new(move |frame, p| eval::truth(&eval::eval(&e, &frame.env(p))))
    }

    fn generic_scalar(e: &Expr) -> ScalarFn {
        let e = e.clone();
        Box::new(move |frame, p| frame.network.to_scalar(&eval::eval(&e, &frame.env(p))))
    }

    /// Compiles a condition.
    pub(crate) fn predicate(&mut self, e: &Expr) -> PredicateFn {
        if lead_only(e) {
            let k = self.hoist(e);
            return Box::new(move |frame, _| truth(frame.slot(k)));
        }
        match e {
            Expr::And(xs) | Expr::Or(xs) => {
                let dominant = matches!(e, Expr::Or(_));
                let parts: Vec<PredicateFn> = xs.iter().map(|x| self.predicate(x)).collect();
                Box::new(move |frame, p| kleene(parts.iter().map(|f| f(frame, p)), dominant))
            }
            Expr::Not(x) => {
                let f = self.predicate(x);
                Box::new(move |frame, p| f(frame, p).map(|b| !b))
            }
            Expr::Cmp(op, a, b) => self.comparison(*op, a, b),
            Expr::Field(Scope::Partner, _) if self.ty(e) == Some(Type::Bool) => {
                let f = self.scalar(e);
                Box::new(move |frame, p| truth(f(frame, p)))
            }
            Expr::InList(x, items)
                if is_symbol(&self.ty(x)) && matches!(**x, Expr::Field(Scope::Partner, _)) =>
            {
                let fx = self.scalar(x);
                let fi: Vec<ScalarFn> = items.iter().map(|i| self.scalar(i)).collect();
                Box::new(move |frame, p| {
                    let x = fx(frame, p);
                    if x == Scalar::Null {
                        return None;
                    }
                    kleene(fi.iter().map(|f| symbol_eq(x, f(frame, p))), true)
                })
            }
            _ => Self::generic_predicate(e),
        }
    }

    /// Whether a text/enum expression compiles to an interned scalar without the generic path.
    fn symbol_fast(&self, e: &Expr) -> bool {
        matches!(e, Expr::Field(..) | Expr::Lit(_) | Expr::Id(Scope::Lead)) || lead_only(e)
    }

    fn comparison(&mut self, op: CmpOp, a: &Expr, b: &Expr) -> PredicateFn {
        let (ta, tb) = (self.ty(a), self.ty(b));
        if is_number(&ta) && is_number(&tb) {
            if is_float(&ta) || is_float(&tb) {
                if let (Some(x), Some(y)) = (self.num_leaf(a), self.num_leaf(b)) {
                    return Box::new(move |frame, p| {
                        let o = x.get(frame, p).partial_cmp(&y.get(frame, p));
                        o.map(|o| holds(op, o))
                    });
                }
                let (fa, fb) = (self.number(a), self.number(b));
                return Box::new(move |frame, p| {
                    let o = fa.eval(frame, p).partial_cmp(&fb.eval(frame, p));
                    o.map(|o| holds(op, o))
                });
            }
            if let (Some(x), Some(y)) = (self.scalar_leaf(a), self.scalar_leaf(b)) {
                return Box::new(move |frame, p| {
                    compare_holds(op, x.get(frame, p), y.get(frame, p))
                });
            }
            let (fa, fb) = (self.scalar(a), self.scalar(b));
            return Box::new(move |frame, p| compare_holds(op, fa(frame, p), fb(frame, p)));
        }
        if is_symbol(&ta) && is_symbol(&tb) && matches!(op, CmpOp::Eq | CmpOp::Ne) {
            if self.symbol_fast(a) && self.symbol_fast(b) {
                let ne = op == CmpOp::Ne;
                if let (Some(x), Some(y)) = (self.scalar_leaf(a), self.scalar_leaf(b)) {
                    return Box::new(move |frame, p| {
                        symbol_eq(x.get(frame, p), y.get(frame, p)).map(|r| r != ne)
                    });
                }
                let (fa, fb) = (self.scalar(a), self.scalar(b));
                return Box::new(move |frame, p| {
                    symbol_eq(fa(frame, p), fb(frame, p)).map(|x| x != ne)
                });
            }
            return Self::generic_predicate(&Expr::Cmp(
                op,
                Box::new(a.clone()),
                Box::new(b.clone()),
            ));
        }
        let plain = matches!(
            ta,
            Some(Type::Bool | Type::Date | Type::DateTime | Type::Duration)
        );
        if plain && ta == tb {
            let (fa, fb) = (self.scalar(a), self.scalar(b));
            return Box::new(move |frame, p| compare_holds(op, fa(frame, p), fb(frame, p)));
        }
        Self::generic_predicate(&Expr::Cmp(op, Box::new(a.clone()), Box::new(b.clone())))
    }

    /// Compiles a scalar expression.
    pub(crate) fn scalar(&mut self, e: &Expr) -> ScalarFn {
        if let Expr::Lit(v) = e {
            if !matches!(v, Value::Text(_) | Value::Enum(_)) {
                return ScalarLeaf::Const(literal_scalar(v)).into_fn();
            }
        }
        if lead_only(e) {
            return ScalarLeaf::Slot(self.hoist(e)).into_fn();
        }
        let t = self.ty(e);
        if is_float(&t) {
            let f = self.number(e);
            return Box::new(move |frame, p| float_scalar(f.eval(frame, p)));
        }
        match e {
            Expr::Field(Scope::Partner, f) => self.partner_field(*f).into_fn(),
            Expr::Arith(op, a, b) if t == Some(Type::Int) => {
                let (fa, fb, op) = (self.scalar(a), self.scalar(b), *op);
                Box::new(move |frame, p| match (fa(frame, p), fb(frame, p)) {
                    (Scalar::Int(x), Scalar::Int(y)) => {
                        int_arith(op, x, y).map_or(Scalar::Null, Scalar::Int)
                    }
                    _ => Scalar::Null,
                })
            }
            Expr::Arith(op, a, b) if t == Some(Type::Decimal) => {
                let (fa, fb, op) = (self.scalar(a), self.scalar(b), *op);
                Box::new(move |frame, p| {
                    let d = |s: Scalar| Number::of_scalar(s)?.to_decimal();
                    match (d(fa(frame, p)), d(fb(frame, p))) {
                        (Some(x), Some(y)) => {
                            decimal_arith(op, x, y).map_or(Scalar::Null, Scalar::Decimal)
                        }
                        _ => Scalar::Null,
                    }
                })
            }
            Expr::Neg(x) if matches!(t, Some(Type::Int | Type::Decimal)) => {
                let f = self.scalar(x);
                Box::new(move |frame, p| match f(frame, p) {
                    Scalar::Int(i) => i.checked_neg().map_or(Scalar::Null, Scalar::Int),
                    Scalar::Decimal(d) => Scalar::Decimal(-d),
                    _ => Scalar::Null,
                })
            }
            _ => Self::generic_scalar(e),
        }
    }
}
