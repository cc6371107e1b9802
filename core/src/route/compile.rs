//! Compiling a plan's partner-dependent expressions to closure trees over network columns.
//!
//! Lead-only sub-expressions are hoisted into per-lead *slots*, evaluated once per lead (and
//! rule) by the generic evaluator; the closures then read partner columns and slots only, and
//! never allocate. Float-typed expressions compile to closures returning `f64` with `NaN`
//! standing for `Null` (arithmetic propagates it and comparisons treat it as unknown, as the
//! generic evaluator does). Shapes without a specialised closure fall back to the generic
//! evaluator for that sub-expression.

use std::cmp::Ordering;

use rust_decimal::Decimal;

use super::eval::{self, Env};
use crate::geo::haversine_km;
use crate::network::{Network, S};
use crate::plan::{ArithOp, CmpOp, Expr, Plan, Scope};
use crate::record::Record;
use crate::value::{EpochMs, Type, Value};

/// What compiled closures read.
pub(crate) struct Cx<'a> {
    pub(crate) net: &'a Network,
    pub(crate) slots: &'a [S],
    pub(crate) lead: &'a Record,
    pub(crate) now: EpochMs,
    /// Per-partner values of static float subexpressions (see [`Compiler::float_prog_folded`]).
    pub(crate) ext: &'a [Vec<f64>],
}

impl Cx<'_> {
    #[inline]
    fn slot(&self, k: usize) -> S {
        self.slots.get(k).copied().unwrap_or(S::Null)
    }
    fn env(&self, p: usize) -> Env<'_> {
        Env {
            lead: self.lead,
            partner: Some((self.net, p)),
            now: self.now,
        }
    }
}

/// A compiled predicate (Kleene: `None` is unknown).
pub(crate) type FB = Box<dyn Fn(&Cx<'_>, usize) -> Option<bool> + Send + Sync>;
/// A compiled float expression (`NaN` is null).
pub(crate) type FF = Box<dyn Fn(&Cx<'_>, usize) -> f64 + Send + Sync>;
/// A compiled scalar expression.
pub(crate) type FS = Box<dyn Fn(&Cx<'_>, usize) -> S + Send + Sync>;

/// A compiled lead-only expression, evaluated once per lead (and rule).
pub(crate) type FL = Box<dyn Fn(&Record, &Network, EpochMs) -> S + Send + Sync>;

/// A float operand read without a call: a constant, a column, the active-leads state or a slot.
#[derive(Debug, Clone, Copy)]
pub(crate) enum FLeaf {
    Const(f64),
    Col(usize),
    Active,
    Slot(usize),
    /// A static subexpression's value per partner, computed once per batch.
    Ext(usize),
}

impl FLeaf {
    #[inline(always)]
    fn get(self, cx: &Cx<'_>, p: usize) -> f64 {
        match self {
            FLeaf::Const(x) => x,
            FLeaf::Col(i) => cx
                .net
                .cols
                .get(i)
                .and_then(|c| c.f.get(p))
                .copied()
                .unwrap_or(f64::NAN),
            FLeaf::Active => cx.net.state.active.get(p).map_or(f64::NAN, |x| *x as f64),
            FLeaf::Slot(k) => cx.slot(k).f64(),
            FLeaf::Ext(j) => cx
                .ext
                .get(j)
                .and_then(|c| c.get(p))
                .copied()
                .unwrap_or(f64::NAN),
        }
    }
}

/// A cell operand read without a call.
#[derive(Debug, Clone, Copy)]
enum SLeaf {
    Const(S),
    Col(usize),
    Active,
    Last,
    Slot(usize),
}

impl SLeaf {
    #[inline(always)]
    fn get(self, cx: &Cx<'_>, p: usize) -> S {
        match self {
            SLeaf::Const(x) => x,
            SLeaf::Col(i) => cx
                .net
                .cols
                .get(i)
                .and_then(|c| c.s.get(p))
                .copied()
                .unwrap_or(S::Null),
            SLeaf::Active => cx.net.state.active.get(p).map_or(S::Null, |x| S::Int(*x)),
            SLeaf::Last => match cx.net.state.last_at.get(p) {
                Some(Some(t)) => S::Time(*t),
                _ => S::Null,
            },
            SLeaf::Slot(k) => cx.slot(k),
        }
    }
}

#[inline(always)]
fn farith(op: ArithOp, x: f64, y: f64) -> f64 {
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

/// Compiles the expressions of one rule, collecting its hoisted lead-only slots.
pub(crate) struct Compiler<'p> {
    plan: &'p Plan,
    /// The partner fields whose reads come from state.
    active: Option<u16>,
    last: Option<u16>,
    pub(crate) slots: Vec<Expr>,
    /// The compiled slots, parallel to `slots`.
    pub(crate) slot_fns: Vec<FL>,
    /// Whether each slot reads the lead (the others are constants of the network).
    pub(crate) slot_lead: Vec<bool>,
    /// Whether each slot's value depends on the network (texts and symbols are interned
    /// through it); the others are computed once per lead when a batch is prepared.
    pub(crate) slot_net: Vec<bool>,
}

fn is_float(t: &Option<Type>) -> bool {
    matches!(t, Some(Type::Float | Type::Ratio))
}

fn is_num(t: &Option<Type>) -> bool {
    t.as_ref().is_some_and(Type::is_numeric)
}

fn is_sym(t: &Option<Type>) -> bool {
    matches!(t, Some(Type::Text | Type::Enum(_)))
}

/// Whether an expression reads only the lead (and literals).
pub(crate) fn lead_only(e: &Expr) -> bool {
    match e {
        Expr::Lit(_) | Expr::Field(Scope::Lead, _) | Expr::Id(Scope::Lead) => true,
        Expr::Field(Scope::Partner, _)
        | Expr::Id(Scope::Partner)
        | Expr::Certified { .. }
        | Expr::Utilisation { .. } => false,
        Expr::Not(x) | Expr::Neg(x) => lead_only(x),
        Expr::And(xs) | Expr::Or(xs) => xs.iter().all(lead_only),
        Expr::Cmp(_, a, b)
        | Expr::Arith(_, a, b)
        | Expr::InSet(a, b)
        | Expr::Covers(a, b)
        | Expr::Distance(a, b) => lead_only(a) && lead_only(b),
        Expr::InList(x, xs) => lead_only(x) && xs.iter().all(lead_only),
        Expr::Smoothed { rate, n, .. } => lead_only(rate) && lead_only(n),
    }
}

/// Whether an expression depends only on partner fields, partner state and literals (not on
/// the lead or the routing instant), so its value per partner changes only when the partner
/// does.
pub(crate) fn partner_only(e: &Expr) -> bool {
    match e {
        Expr::Lit(_) | Expr::Field(Scope::Partner, _) | Expr::Id(Scope::Partner) => true,
        Expr::Utilisation { .. } => true,
        Expr::Field(Scope::Lead, _) | Expr::Id(Scope::Lead) | Expr::Certified { .. } => false,
        Expr::Not(x) | Expr::Neg(x) => partner_only(x),
        Expr::And(xs) | Expr::Or(xs) => xs.iter().all(partner_only),
        Expr::Cmp(_, a, b)
        | Expr::Arith(_, a, b)
        | Expr::InSet(a, b)
        | Expr::Covers(a, b)
        | Expr::Distance(a, b) => partner_only(a) && partner_only(b),
        Expr::InList(x, xs) => partner_only(x) && xs.iter().all(partner_only),
        Expr::Smoothed { rate, n, .. } => partner_only(rate) && partner_only(n),
    }
}

/// Whether an expression reads a lead field or the lead id.
fn reads_lead(e: &Expr) -> bool {
    match e {
        Expr::Field(Scope::Lead, _) | Expr::Id(Scope::Lead) => true,
        Expr::Lit(_) | Expr::Field(Scope::Partner, _) | Expr::Id(Scope::Partner) => false,
        Expr::Utilisation { .. } => false,
        Expr::Certified { name, .. } => reads_lead(name),
        Expr::Not(x) | Expr::Neg(x) => reads_lead(x),
        Expr::And(xs) | Expr::Or(xs) => xs.iter().any(reads_lead),
        Expr::Cmp(_, a, b)
        | Expr::Arith(_, a, b)
        | Expr::InSet(a, b)
        | Expr::Covers(a, b)
        | Expr::Distance(a, b) => reads_lead(a) || reads_lead(b),
        Expr::InList(x, xs) => reads_lead(x) || xs.iter().any(reads_lead),
        Expr::Smoothed { rate, n, .. } => reads_lead(rate) || reads_lead(n),
    }
}

fn cmp_result(op: CmpOp, o: Option<Ordering>) -> Option<bool> {
    let o = o?;
    Some(match op {
        CmpOp::Eq => o == Ordering::Equal,
        CmpOp::Ne => o != Ordering::Equal,
        CmpOp::Lt => o == Ordering::Less,
        CmpOp::Le => o != Ordering::Greater,
        CmpOp::Gt => o == Ordering::Greater,
        CmpOp::Ge => o != Ordering::Less,
    })
}

/// Orders two cells of the same static kind (numbers exactly, symbols by id for equality).
fn cmp_cells(a: S, b: S) -> Option<Ordering> {
    match (a, b) {
        (S::Int(x), S::Int(y)) => Some(x.cmp(&y)),
        (S::Int(x), S::Dec(y)) => Some(Decimal::from(x).cmp(&y)),
        (S::Dec(x), S::Int(y)) => Some(x.cmp(&Decimal::from(y))),
        (S::Dec(x), S::Dec(y)) => Some(x.cmp(&y)),
        (S::Float(_), _) | (_, S::Float(_)) => a.f64().partial_cmp(&b.f64()),
        (S::Bool(x), S::Bool(y)) => Some(x.cmp(&y)),
        (S::Date(x), S::Date(y)) => Some(x.cmp(&y)),
        (S::Time(x), S::Time(y)) | (S::Dur(x), S::Dur(y)) => Some(x.cmp(&y)),
        _ => None,
    }
}

fn sym_eq(a: S, b: S) -> Option<bool> {
    match (a, b) {
        (S::Sym(x), S::Sym(y)) => Some(x == y),
        _ => None,
    }
}

fn float_cell(x: f64) -> S {
    if x.is_nan() {
        S::Null
    } else {
        S::Float(x)
    }
}

impl<'p> Compiler<'p> {
    pub(crate) fn new(plan: &'p Plan) -> Compiler<'p> {
        let sch = &plan.partner_schema;
        let field = |name: &str, ty: Type| {
            sch.index_of(name)
                .filter(|i| sch.field(*i).is_some_and(|f| f.ty == ty))
        };
        Compiler {
            plan,
            active: field("active_leads", Type::Int),
            last: field("last_assigned_at", Type::DateTime),
            slots: Vec::new(),
            slot_fns: Vec::new(),
            slot_lead: Vec::new(),
            slot_net: Vec::new(),
        }
    }

    /// The static type of an expression, if known.
    pub(crate) fn ty(&self, e: &Expr) -> Option<Type> {
        match e {
            Expr::Lit(v) => match v {
                Value::Int(_) => Some(Type::Int),
                Value::Decimal(_) => Some(Type::Decimal),
                Value::Float(_) => Some(Type::Float),
                Value::Bool(_) => Some(Type::Bool),
                Value::Text(_) => Some(Type::Text),
                Value::Enum(_) => Some(Type::Enum(std::sync::Arc::from(Vec::new()))),
                Value::Date(_) => Some(Type::Date),
                Value::DateTime(_) => Some(Type::DateTime),
                Value::Duration(_) => Some(Type::Duration),
                Value::GeoPoint(_) => Some(Type::GeoPoint),
                Value::Region(_) => Some(Type::Region),
                _ => None,
            },
            Expr::Field(Scope::Lead, i) => self.plan.lead_schema.field(*i).map(|f| f.ty.clone()),
            Expr::Field(Scope::Partner, i) => {
                self.plan.partner_schema.field(*i).map(|f| f.ty.clone())
            }
            Expr::Id(_) => Some(Type::Text),
            Expr::Not(_)
            | Expr::And(_)
            | Expr::Or(_)
            | Expr::Cmp(..)
            | Expr::InList(..)
            | Expr::InSet(..)
            | Expr::Covers(..)
            | Expr::Certified { .. } => Some(Type::Bool),
            Expr::Neg(x) => self.ty(x),
            Expr::Arith(op, a, b) => {
                let (ta, tb) = (self.ty(a), self.ty(b));
                if is_num(&ta) && is_num(&tb) {
                    if is_float(&ta) || is_float(&tb) {
                        Some(Type::Float)
                    } else if ta == Some(Type::Int) && tb == Some(Type::Int) {
                        Some(if *op == ArithOp::Div {
                            Type::Float
                        } else {
                            Type::Int
                        })
                    } else {
                        Some(Type::Decimal)
                    }
                } else {
                    None
                }
            }
            Expr::Distance(..) | Expr::Smoothed { .. } | Expr::Utilisation { .. } => {
                Some(Type::Float)
            }
        }
    }

    /// The slot of a lead-only expression, hoisting it on first use.
    pub(crate) fn hoist(&mut self, e: &Expr) -> usize {
        if let Some(k) = self.slots.iter().position(|x| x == e) {
            return k;
        }
        let f = self.lead(e);
        self.slots.push(e.clone());
        self.slot_fns.push(f);
        self.slot_lead.push(reads_lead(e));
        let plain = matches!(self.ty(e), Some(t) if !matches!(t, Type::Text | Type::Enum(_)));
        self.slot_net.push(!plain);
        self.slots.len() - 1
    }

    /// Compiles a lead-only expression (numbers, dates and logic without the generic path;
    /// texts are interned through the network, unknown texts compare unequal to partner texts).
    fn lead(&self, e: &Expr) -> FL {
        let t = self.ty(e);
        match e {
            Expr::Lit(v) => {
                let v = v.clone();
                Box::new(move |_, net, _| net.to_cell(&v))
            }
            Expr::Field(Scope::Lead, i)
                if !matches!(t, Some(Type::Region | Type::Set(_) | Type::Map(..)) | None) =>
            {
                let i = usize::from(*i);
                Box::new(move |lead, net, _| lead.values.get(i).map_or(S::Null, |v| net.to_cell(v)))
            }
            Expr::Cmp(op, a, b) => {
                let (ta, tb) = (self.ty(a), self.ty(b));
                let plain = |t: &Option<Type>| {
                    is_num(t)
                        || matches!(
                            t,
                            Some(Type::Bool | Type::Date | Type::DateTime | Type::Duration)
                        )
                };
                if plain(&ta) && plain(&tb) {
                    let (fa, fb, op) = (self.lead(a), self.lead(b), *op);
                    Box::new(move |l, n, now| {
                        cmp_result(op, cmp_cells(fa(l, n, now), fb(l, n, now)))
                            .map_or(S::Null, S::Bool)
                    })
                } else {
                    Self::lead_generic(e)
                }
            }
            Expr::And(xs) | Expr::Or(xs) => {
                let dominant = matches!(e, Expr::Or(_));
                let parts: Vec<FL> = xs.iter().map(|x| self.lead(x)).collect();
                Box::new(move |l, n, now| {
                    let mut unknown = false;
                    for f in &parts {
                        match f(l, n, now) {
                            S::Bool(b) if b == dominant => return S::Bool(dominant),
                            S::Bool(_) => {}
                            _ => unknown = true,
                        }
                    }
                    if unknown {
                        S::Null
                    } else {
                        S::Bool(!dominant)
                    }
                })
            }
            Expr::Not(x) => {
                let f = self.lead(x);
                Box::new(move |l, n, now| match f(l, n, now) {
                    S::Bool(b) => S::Bool(!b),
                    _ => S::Null,
                })
            }
            _ => Self::lead_generic(e),
        }
    }

    fn lead_generic(e: &Expr) -> FL {
        let e = e.clone();
        Box::new(move |lead, net, now| {
            net.to_cell(&eval::eval(
                &e,
                &Env {
                    lead,
                    partner: None,
                    now,
                },
            ))
        })
    }

    fn fleaf(&mut self, e: &Expr) -> Option<FLeaf> {
        match e {
            Expr::Lit(v) => v.as_f64().map(FLeaf::Const),
            Expr::Field(Scope::Partner, f) if is_num(&self.ty(e)) => {
                Some(if Some(*f) == self.active {
                    FLeaf::Active
                } else {
                    FLeaf::Col(usize::from(*f))
                })
            }
            _ if lead_only(e) && is_num(&self.ty(e)) => Some(FLeaf::Slot(self.hoist(e))),
            _ => None,
        }
    }

    fn sleaf(&mut self, e: &Expr) -> Option<SLeaf> {
        match e {
            Expr::Lit(v) if !matches!(v, Value::Text(_) | Value::Enum(_)) => {
                Some(SLeaf::Const(crate::network::value_cell(v, |_| {
                    crate::network::UNKNOWN
                })))
            }
            Expr::Field(Scope::Partner, f) => {
                if matches!(
                    self.ty(e),
                    Some(Type::Set(_) | Type::Map(..) | Type::Region) | None
                ) {
                    None
                } else if Some(*f) == self.active {
                    Some(SLeaf::Active)
                } else if Some(*f) == self.last {
                    Some(SLeaf::Last)
                } else {
                    Some(SLeaf::Col(usize::from(*f)))
                }
            }
            _ if lead_only(e) => Some(SLeaf::Slot(self.hoist(e))),
            _ => None,
        }
    }

    fn generic_bool(e: &Expr) -> FB {
        let e = e.clone();
        Box::new(move |cx, p| eval::truth(&eval::eval(&e, &cx.env(p))))
    }

    fn generic_cell(e: &Expr) -> FS {
        let e = e.clone();
        Box::new(move |cx, p| cx.net.to_cell(&eval::eval(&e, &cx.env(p))))
    }

    /// Compiles a predicate.
    pub(crate) fn pred(&mut self, e: &Expr) -> FB {
        if lead_only(e) {
            let k = self.hoist(e);
            return Box::new(move |cx, _| match cx.slot(k) {
                S::Bool(b) => Some(b),
                _ => None,
            });
        }
        match e {
            Expr::And(xs) | Expr::Or(xs) => {
                let dominant = matches!(e, Expr::Or(_));
                let parts: Vec<FB> = xs.iter().map(|x| self.pred(x)).collect();
                Box::new(move |cx, p| {
                    let mut unknown = false;
                    for f in &parts {
                        match f(cx, p) {
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
                })
            }
            Expr::Not(x) => {
                let f = self.pred(x);
                Box::new(move |cx, p| f(cx, p).map(|b| !b))
            }
            Expr::Cmp(op, a, b) => self.cmp(*op, a, b),
            Expr::Field(Scope::Partner, _) if self.ty(e) == Some(Type::Bool) => {
                let f = self.cell(e);
                Box::new(move |cx, p| match f(cx, p) {
                    S::Bool(b) => Some(b),
                    _ => None,
                })
            }
            Expr::InList(x, items)
                if is_sym(&self.ty(x)) && matches!(**x, Expr::Field(Scope::Partner, _)) =>
            {
                let fx = self.cell(x);
                let fi: Vec<FS> = items.iter().map(|i| self.cell(i)).collect();
                Box::new(move |cx, p| {
                    let x = fx(cx, p);
                    if x == S::Null {
                        return None;
                    }
                    let mut unknown = false;
                    for f in &fi {
                        match sym_eq(x, f(cx, p)) {
                            Some(true) => return Some(true),
                            Some(false) => {}
                            None => unknown = true,
                        }
                    }
                    if unknown {
                        None
                    } else {
                        Some(false)
                    }
                })
            }
            _ => Self::generic_bool(e),
        }
    }

    /// Whether a text/enum expression compiles to an interned cell without the generic path.
    fn sym_fast(&self, e: &Expr) -> bool {
        matches!(e, Expr::Field(..) | Expr::Lit(_) | Expr::Id(Scope::Lead)) || lead_only(e)
    }

    fn cmp(&mut self, op: CmpOp, a: &Expr, b: &Expr) -> FB {
        let (ta, tb) = (self.ty(a), self.ty(b));
        if is_num(&ta) && is_num(&tb) {
            if is_float(&ta) || is_float(&tb) {
                if let (Some(x), Some(y)) = (self.fleaf(a), self.fleaf(b)) {
                    return Box::new(move |cx, p| {
                        cmp_result(op, x.get(cx, p).partial_cmp(&y.get(cx, p)))
                    });
                }
                let (fa, fb) = (self.float(a), self.float(b));
                return Box::new(move |cx, p| cmp_result(op, fa(cx, p).partial_cmp(&fb(cx, p))));
            }
            if let (Some(x), Some(y)) = (self.sleaf(a), self.sleaf(b)) {
                return Box::new(move |cx, p| {
                    cmp_result(op, cmp_cells(x.get(cx, p), y.get(cx, p)))
                });
            }
            let (fa, fb) = (self.cell(a), self.cell(b));
            return Box::new(move |cx, p| cmp_result(op, cmp_cells(fa(cx, p), fb(cx, p))));
        }
        if is_sym(&ta) && is_sym(&tb) && matches!(op, CmpOp::Eq | CmpOp::Ne) {
            if self.sym_fast(a) && self.sym_fast(b) {
                let ne = op == CmpOp::Ne;
                if let (Some(x), Some(y)) = (self.sleaf(a), self.sleaf(b)) {
                    return Box::new(move |cx, p| {
                        sym_eq(x.get(cx, p), y.get(cx, p)).map(|r| r != ne)
                    });
                }
                let (fa, fb) = (self.cell(a), self.cell(b));
                let ne = op == CmpOp::Ne;
                return Box::new(move |cx, p| sym_eq(fa(cx, p), fb(cx, p)).map(|x| x != ne));
            }
            return Self::generic_bool(&Expr::Cmp(op, Box::new(a.clone()), Box::new(b.clone())));
        }
        let plain = |t: &Option<Type>| {
            matches!(
                t,
                Some(Type::Bool | Type::Date | Type::DateTime | Type::Duration)
            )
        };
        if plain(&ta) && ta == tb {
            let (fa, fb) = (self.cell(a), self.cell(b));
            return Box::new(move |cx, p| cmp_result(op, cmp_cells(fa(cx, p), fb(cx, p))));
        }
        Self::generic_bool(&Expr::Cmp(op, Box::new(a.clone()), Box::new(b.clone())))
    }

    /// Compiles a scalar expression to a cell.
    pub(crate) fn cell(&mut self, e: &Expr) -> FS {
        match e {
            Expr::Lit(v) if !matches!(v, Value::Text(_) | Value::Enum(_)) => {
                let c = crate::network::value_cell(v, |_| crate::network::UNKNOWN);
                return Box::new(move |_, _| c);
            }
            _ => {}
        }
        if lead_only(e) {
            let k = self.hoist(e);
            return Box::new(move |cx, _| cx.slot(k));
        }
        let t = self.ty(e);
        if is_float(&t) {
            let f = self.float(e);
            return Box::new(move |cx, p| float_cell(f(cx, p)));
        }
        match e {
            Expr::Field(Scope::Partner, f) => {
                let f = *f;
                if Some(f) == self.active {
                    Box::new(move |cx, p| {
                        cx.net.state.active.get(p).map_or(S::Null, |x| S::Int(*x))
                    })
                } else if Some(f) == self.last {
                    Box::new(move |cx, p| match cx.net.state.last_at.get(p) {
                        Some(Some(t)) => S::Time(*t),
                        _ => S::Null,
                    })
                } else {
                    let i = usize::from(f);
                    Box::new(move |cx, p| {
                        cx.net
                            .cols
                            .get(i)
                            .and_then(|c| c.s.get(p))
                            .copied()
                            .unwrap_or(S::Null)
                    })
                }
            }
            Expr::Arith(op, a, b) if t == Some(Type::Int) => {
                let (fa, fb, op) = (self.cell(a), self.cell(b), *op);
                Box::new(move |cx, p| match (fa(cx, p), fb(cx, p)) {
                    (S::Int(x), S::Int(y)) => {
                        let r = match op {
                            ArithOp::Add => x.checked_add(y),
                            ArithOp::Sub => x.checked_sub(y),
                            ArithOp::Mul => x.checked_mul(y),
                            ArithOp::Div => None,
                        };
                        r.map_or(S::Null, S::Int)
                    }
                    _ => S::Null,
                })
            }
            Expr::Arith(op, a, b) if t == Some(Type::Decimal) => {
                let (fa, fb, op) = (self.cell(a), self.cell(b), *op);
                Box::new(move |cx, p| {
                    let d = |s: S| match s {
                        S::Int(i) => Some(Decimal::from(i)),
                        S::Dec(d) => Some(d),
                        _ => None,
                    };
                    match (d(fa(cx, p)), d(fb(cx, p))) {
                        (Some(x), Some(y)) => {
                            let r = match op {
                                ArithOp::Add => x.checked_add(y),
                                ArithOp::Sub => x.checked_sub(y),
                                ArithOp::Mul => x.checked_mul(y),
                                ArithOp::Div => x.checked_div(y),
                            };
                            r.map_or(S::Null, S::Dec)
                        }
                        _ => S::Null,
                    }
                })
            }
            Expr::Neg(x) if matches!(t, Some(Type::Int | Type::Decimal)) => {
                let f = self.cell(x);
                Box::new(move |cx, p| match f(cx, p) {
                    S::Int(i) => i.checked_neg().map_or(S::Null, S::Int),
                    S::Dec(d) => S::Dec(-d),
                    _ => S::Null,
                })
            }
            _ => Self::generic_cell(e),
        }
    }

    /// Compiles a numeric expression to a float closure (`NaN` = null).
    pub(crate) fn float(&mut self, e: &Expr) -> FF {
        if let Expr::Lit(v) = e {
            let x = v.as_f64().unwrap_or(f64::NAN);
            return Box::new(move |_, _| x);
        }
        if lead_only(e) {
            let k = self.hoist(e);
            return Box::new(move |cx, _| cx.slot(k).f64());
        }
        let t = self.ty(e);
        match e {
            Expr::Field(Scope::Partner, f) if is_num(&t) => {
                let f = *f;
                if Some(f) == self.active {
                    Box::new(move |cx, p| {
                        cx.net.state.active.get(p).map_or(f64::NAN, |x| *x as f64)
                    })
                } else {
                    let i = usize::from(f);
                    Box::new(move |cx, p| {
                        cx.net
                            .cols
                            .get(i)
                            .and_then(|c| c.f.get(p))
                            .copied()
                            .unwrap_or(f64::NAN)
                    })
                }
            }
            Expr::Arith(op, a, b) if t == Some(Type::Float) => {
                let op = *op;
                match (self.fleaf(a), self.fleaf(b)) {
                    (Some(x), Some(y)) => {
                        return Box::new(move |cx, p| farith(op, x.get(cx, p), y.get(cx, p)))
                    }
                    (Some(x), None) => {
                        let fb = self.float(b);
                        return Box::new(move |cx, p| farith(op, x.get(cx, p), fb(cx, p)));
                    }
                    (None, Some(y)) => {
                        let fa = self.float(a);
                        return Box::new(move |cx, p| farith(op, fa(cx, p), y.get(cx, p)));
                    }
                    (None, None) => {}
                }
                let (fa, fb) = (self.float(a), self.float(b));
                match op {
                    ArithOp::Add => Box::new(move |cx, p| fa(cx, p) + fb(cx, p)),
                    ArithOp::Sub => Box::new(move |cx, p| fa(cx, p) - fb(cx, p)),
                    ArithOp::Mul => Box::new(move |cx, p| fa(cx, p) * fb(cx, p)),
                    ArithOp::Div => Box::new(move |cx, p| {
                        let (x, y) = (fa(cx, p), fb(cx, p));
                        if y == 0.0 {
                            f64::NAN
                        } else {
                            x / y
                        }
                    }),
                }
            }
            Expr::Neg(x) if t == Some(Type::Float) || t == Some(Type::Ratio) => {
                let f = self.float(x);
                Box::new(move |cx, p| -f(cx, p))
            }
            Expr::Smoothed {
                rate,
                n,
                prior,
                weight,
            } => {
                let (fr, fnn, prior, weight) = (self.float(rate), self.float(n), *prior, *weight);
                Box::new(move |cx, p| eval::smoothed(fr(cx, p), fnn(cx, p), prior, weight))
            }
            Expr::Utilisation {
                active_leads,
                capacity,
            } => {
                let fa = self.float(&Expr::Field(Scope::Partner, *active_leads));
                let fc = self.float(&Expr::Field(Scope::Partner, *capacity));
                Box::new(move |cx, p| {
                    let (a, c) = (fa(cx, p), fc(cx, p));
                    if a.is_nan() || c.is_nan() {
                        f64::NAN
                    } else if c == 0.0 {
                        1.0
                    } else {
                        a / c
                    }
                })
            }
            Expr::Distance(a, b) => {
                let (fa, fb) = (self.cell(a), self.cell(b));
                Box::new(move |cx, p| match (fa(cx, p), fb(cx, p)) {
                    (S::Point(x), S::Point(y)) => haversine_km(x, y),
                    _ => f64::NAN,
                })
            }
            _ => {
                let f = self.cell(e);
                Box::new(move |cx, p| f(cx, p).f64())
            }
        }
    }
}

/// A float expression as a tree of operations over leaves read without a call (constants,
/// columns, state, slots): one `match` per node instead of an indirect call per node, and no
/// stack to initialise. Each node computes exactly the operation of the expression node it
/// stands for, so results are bit-identical to the generic evaluator.
pub(crate) enum FProg {
    /// A leaf.
    Leaf(FLeaf),
    /// `leaf op leaf`.
    LeafLeaf(ArithOp, FLeaf, FLeaf),
    /// `tree op leaf`.
    TreeLeaf(ArithOp, Box<FProg>, FLeaf),
    /// `leaf op tree`.
    LeafTree(ArithOp, FLeaf, Box<FProg>),
    /// `tree op tree`.
    Tree(ArithOp, Box<FProg>, Box<FProg>),
    /// `-tree`.
    Neg(Box<FProg>),
    /// A compiled closure (shapes without a tree form).
    Call(FF),
}

impl FProg {
    /// Evaluates the tree (subtrees whose operands are leaves are evaluated in their parent's
    /// frame: a call per deeper subtree only).
    pub(crate) fn eval(&self, cx: &Cx<'_>, p: usize) -> f64 {
        match self {
            FProg::Leaf(l) => l.get(cx, p),
            FProg::LeafLeaf(o, a, b) => farith(*o, a.get(cx, p), b.get(cx, p)),
            FProg::TreeLeaf(o, a, b) => farith(*o, a.shallow(cx, p), b.get(cx, p)),
            FProg::LeafTree(o, a, b) => farith(*o, a.get(cx, p), b.shallow(cx, p)),
            FProg::Tree(o, a, b) => farith(*o, a.shallow(cx, p), b.shallow(cx, p)),
            FProg::Neg(a) => -a.shallow(cx, p),
            FProg::Call(f) => f(cx, p),
        }
    }

    /// [`FProg::eval`] with leaf-only nodes inline.
    #[inline(always)]
    fn shallow(&self, cx: &Cx<'_>, p: usize) -> f64 {
        match self {
            FProg::Leaf(l) => l.get(cx, p),
            FProg::LeafLeaf(o, a, b) => farith(*o, a.get(cx, p), b.get(cx, p)),
            FProg::LeafTree(o, a, b) => farith(*o, a.get(cx, p), b.leafy(cx, p)),
            FProg::TreeLeaf(o, a, b) => farith(*o, a.leafy(cx, p), b.get(cx, p)),
            _ => self.eval(cx, p),
        }
    }

    /// A leaf, a leaf-only node or a leaf and a leaf-only node inline, anything deeper
    /// through [`FProg::eval`].
    #[inline(always)]
    fn leafy(&self, cx: &Cx<'_>, p: usize) -> f64 {
        match self {
            FProg::Leaf(l) => l.get(cx, p),
            FProg::LeafLeaf(o, a, b) => farith(*o, a.get(cx, p), b.get(cx, p)),
            FProg::LeafTree(o, a, b) => farith(*o, a.get(cx, p), b.flat(cx, p)),
            FProg::TreeLeaf(o, a, b) => farith(*o, a.flat(cx, p), b.get(cx, p)),
            _ => self.eval(cx, p),
        }
    }

    /// A leaf or leaf-only node inline, anything deeper through [`FProg::eval`].
    #[inline(always)]
    fn flat(&self, cx: &Cx<'_>, p: usize) -> f64 {
        match self {
            FProg::Leaf(l) => l.get(cx, p),
            FProg::LeafLeaf(o, a, b) => farith(*o, a.get(cx, p), b.get(cx, p)),
            _ => self.eval(cx, p),
        }
    }
}

impl Compiler<'_> {
    /// Compiles a numeric expression to a float program.
    pub(crate) fn float_prog(&mut self, e: &Expr) -> FProg {
        if let Some(l) = self.fleaf(e) {
            return FProg::Leaf(l);
        }
        let t = self.ty(e);
        match e {
            Expr::Arith(op, a, b) if t == Some(Type::Float) => {
                let op = *op;
                match (self.fleaf(a), self.fleaf(b)) {
                    (Some(x), Some(y)) => FProg::LeafLeaf(op, x, y),
                    (Some(x), None) => FProg::LeafTree(op, x, Box::new(self.float_prog(b))),
                    (None, Some(y)) => FProg::TreeLeaf(op, Box::new(self.float_prog(a)), y),
                    (None, None) => FProg::Tree(
                        op,
                        Box::new(self.float_prog(a)),
                        Box::new(self.float_prog(b)),
                    ),
                }
            }
            Expr::Neg(x) if t == Some(Type::Float) || t == Some(Type::Ratio) => {
                FProg::Neg(Box::new(self.float_prog(x)))
            }
            _ => FProg::Call(self.float(e)),
        }
    }

    /// Whether a partner expression's value per partner is fixed while a batch is routed: it
    /// reads partner fields and literals only (no lead, no partner state, no routing instant).
    pub(crate) fn fixed(&self, e: &Expr) -> bool {
        partner_only(e) && !self.reads_state(e)
    }

    /// Whether an expression reads partner state (`active_leads`, `last_assigned_at`).
    fn reads_state(&self, e: &Expr) -> bool {
        let rec = |x: &Expr| self.reads_state(x);
        match e {
            Expr::Field(Scope::Partner, f) => Some(*f) == self.active || Some(*f) == self.last,
            Expr::Utilisation { .. } | Expr::Certified { .. } => true,
            Expr::Lit(_) | Expr::Field(Scope::Lead, _) | Expr::Id(_) => false,
            Expr::Not(x) | Expr::Neg(x) => rec(x),
            Expr::And(xs) | Expr::Or(xs) => xs.iter().any(rec),
            Expr::Cmp(_, a, b)
            | Expr::Arith(_, a, b)
            | Expr::InSet(a, b)
            | Expr::Covers(a, b)
            | Expr::Distance(a, b) => rec(a) || rec(b),
            Expr::InList(x, xs) => rec(x) || xs.iter().any(rec),
            Expr::Smoothed { rate, n, .. } => rec(rate) || rec(n),
        }
    }

    /// A float program for a partner-only expression whose largest static subexpressions
    /// (partner fields and literals, no state), other than leaves, are read from
    /// [`Cx::ext`] column `j` for `statics[j]`, computed once per batch by the same programs.
    pub(crate) fn float_prog_folded(&mut self, e: &Expr, statics: &mut Vec<FProg>) -> FProg {
        if self.fleaf(e).is_none() && partner_only(e) && !self.reads_state(e) {
            statics.push(self.float_prog(e));
            return FProg::Leaf(FLeaf::Ext(statics.len() - 1));
        }
        if let Some(l) = self.fleaf(e) {
            return FProg::Leaf(l);
        }
        let t = self.ty(e);
        match e {
            Expr::Arith(op, a, b) if t == Some(Type::Float) => {
                let op = *op;
                let a = self.float_prog_folded(a, statics);
                let b = self.float_prog_folded(b, statics);
                match (a, b) {
                    (FProg::Leaf(x), FProg::Leaf(y)) => FProg::LeafLeaf(op, x, y),
                    (FProg::Leaf(x), b) => FProg::LeafTree(op, x, Box::new(b)),
                    (a, FProg::Leaf(y)) => FProg::TreeLeaf(op, Box::new(a), y),
                    (a, b) => FProg::Tree(op, Box::new(a), Box::new(b)),
                }
            }
            Expr::Neg(x) if t == Some(Type::Float) || t == Some(Type::Ratio) => {
                FProg::Neg(Box::new(self.float_prog_folded(x, statics)))
            }
            _ => FProg::Call(self.float(e)),
        }
    }
}

/// A partner-only float program specialised for one batch (see [`FProg::rank_fn`]): called
/// with the partner's active lead count (`NaN` if unknown) and its row of static values.
pub(crate) type RankFn = Box<dyn Fn(f64, &[f64]) -> f64 + Send + Sync>;

/// A leaf of a [`RankFn`].
#[derive(Debug, Clone, Copy)]
enum RLeaf {
    Const(f64),
    Active,
    Row(usize),
}

impl RLeaf {
    #[inline(always)]
    fn get(self, active: f64, row: &[f64]) -> f64 {
        match self {
            RLeaf::Const(x) => x,
            RLeaf::Active => active,
            RLeaf::Row(k) => row.get(k).copied().unwrap_or(f64::NAN),
        }
    }
}

/// A compiled node or a leaf.
enum RNode {
    Leaf(RLeaf),
    Fn(RankFn),
}

fn rank_leaf(l: RLeaf) -> RankFn {
    match l {
        RLeaf::Const(x) => Box::new(move |_, _| x),
        RLeaf::Active => Box::new(|a, _| a),
        RLeaf::Row(k) => Box::new(move |_, r| r.get(k).copied().unwrap_or(f64::NAN)),
    }
}

/// A [`RankFn`] computing `x op y` (as [`farith`]), with the operator chosen when compiling.
macro_rules! by_op {
    ($op:expr, |$a:ident, $r:ident| $x:expr, $y:expr) => {
        match $op {
            ArithOp::Add => Box::new(move |$a: f64, $r: &[f64]| $x + $y) as RankFn,
            ArithOp::Sub => Box::new(move |$a: f64, $r: &[f64]| $x - $y),
            ArithOp::Mul => Box::new(move |$a: f64, $r: &[f64]| $x * $y),
            ArithOp::Div => Box::new(move |$a: f64, $r: &[f64]| {
                let (x, y) = ($x, $y);
                if y == 0.0 {
                    f64::NAN
                } else {
                    x / y
                }
            }),
        }
    };
}

#[inline(always)]
fn row_at(r: &[f64], k: usize) -> f64 {
    r.get(k).copied().unwrap_or(f64::NAN)
}

fn rank_bin(op: ArithOp, a: RNode, b: RNode) -> RankFn {
    match (a, b) {
        (RNode::Leaf(x), RNode::Leaf(y)) => match (x, y) {
            (RLeaf::Const(c), RLeaf::Row(k)) => by_op!(op, |_a, r| c, row_at(r, k)),
            (RLeaf::Row(k), RLeaf::Const(c)) => by_op!(op, |_a, r| row_at(r, k), c),
            (RLeaf::Active, RLeaf::Row(k)) => by_op!(op, |a, r| a, row_at(r, k)),
            (RLeaf::Row(k), RLeaf::Active) => by_op!(op, |a, r| row_at(r, k), a),
            (RLeaf::Row(j), RLeaf::Row(k)) => by_op!(op, |_a, r| row_at(r, j), row_at(r, k)),
            (x, y) => by_op!(op, |a, r| x.get(a, r), y.get(a, r)),
        },
        (RNode::Leaf(x), RNode::Fn(g)) => match x {
            RLeaf::Const(c) => by_op!(op, |a, r| c, g(a, r)),
            RLeaf::Row(k) => by_op!(op, |a, r| row_at(r, k), g(a, r)),
            RLeaf::Active => by_op!(op, |a, r| a, g(a, r)),
        },
        (RNode::Fn(g), RNode::Leaf(y)) => match y {
            RLeaf::Const(c) => by_op!(op, |a, r| g(a, r), c),
            RLeaf::Row(k) => by_op!(op, |a, r| g(a, r), row_at(r, k)),
            RLeaf::Active => by_op!(op, |a, r| g(a, r), a),
        },
        (RNode::Fn(f), RNode::Fn(g)) => by_op!(op, |a, r| f(a, r), g(a, r)),
    }
}

impl FProg {
    /// This program as a [`RankFn`] for a partner-only rank: constants and constant slots
    /// (`consts`) become literals, the active-leads state the call's argument, and columns and
    /// static subexpressions entries of the partner's row, whose leaves are pushed to `row`
    /// (read them per partner with [`FLeaf`]'s reader, [`FProg::row_value`]). `None` if the
    /// program has a node without a tree form. Each node computes exactly the operation of
    /// [`FProg::eval`], so results are bit-identical.
    pub(crate) fn rank_fn(&self, consts: &[S], row: &mut Vec<FLeaf>) -> Option<RankFn> {
        match self.rank_node(consts, row)? {
            RNode::Leaf(l) => Some(rank_leaf(l)),
            RNode::Fn(f) => Some(f),
        }
    }

    fn rank_node(&self, consts: &[S], row: &mut Vec<FLeaf>) -> Option<RNode> {
        let leaf = |l: &FLeaf, row: &mut Vec<FLeaf>| -> RLeaf {
            match *l {
                FLeaf::Const(x) => RLeaf::Const(x),
                FLeaf::Active => RLeaf::Active,
                FLeaf::Slot(k) => RLeaf::Const(consts.get(k).copied().unwrap_or(S::Null).f64()),
                FLeaf::Col(_) | FLeaf::Ext(_) => {
                    row.push(*l);
                    RLeaf::Row(row.len() - 1)
                }
            }
        };
        Some(match self {
            FProg::Leaf(l) => RNode::Leaf(leaf(l, row)),
            FProg::LeafLeaf(o, a, b) => {
                let (a, b) = (leaf(a, row), leaf(b, row));
                RNode::Fn(rank_bin(*o, RNode::Leaf(a), RNode::Leaf(b)))
            }
            FProg::TreeLeaf(o, a, b) => {
                let a = a.rank_node(consts, row)?;
                let b = leaf(b, row);
                RNode::Fn(rank_bin(*o, a, RNode::Leaf(b)))
            }
            FProg::LeafTree(o, a, b) => {
                let a = leaf(a, row);
                let b = b.rank_node(consts, row)?;
                RNode::Fn(rank_bin(*o, RNode::Leaf(a), b))
            }
            FProg::Tree(o, a, b) => {
                let a = a.rank_node(consts, row)?;
                let b = b.rank_node(consts, row)?;
                RNode::Fn(rank_bin(*o, a, b))
            }
            FProg::Neg(a) => {
                let f = match a.rank_node(consts, row)? {
                    RNode::Leaf(l) => rank_leaf(l),
                    RNode::Fn(f) => f,
                };
                RNode::Fn(Box::new(move |x, r| -f(x, r)))
            }
            FProg::Call(_) => return None,
        })
    }

    /// The value of a row leaf of [`FProg::rank_fn`] for slot `p`.
    pub(crate) fn row_value(l: FLeaf, cx: &Cx<'_>, p: usize) -> f64 {
        l.get(cx, p)
    }
}
