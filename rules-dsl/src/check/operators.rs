//! Binary operators: `and`/`or`, arithmetic, comparisons, membership (`in`, `not in`) and
//! `covers`, with the rules of which types mix.

use std::sync::Arc;

use leadrail_core::plan::{self, ArithOp, CmpOp};
use leadrail_core::value::Type;

use super::expr::{ClauseContext, TypedExpr};
use super::messages::{describe, this_is};
use super::Checker;
use crate::ast::{BinOp, Expr, ExprKind, Span};

/// Whether an operand takes its type from the other operand: a string (text or a region), a
/// bare name (an enum symbol) or a list.
fn typed_by_context(e: &Expr) -> bool {
    matches!(
        e.kind,
        ExprKind::Str(_) | ExprKind::Symbol(_) | ExprKind::List(_)
    )
}

/// The type of arithmetic on two numbers: a ratio or a float makes a float, else a decimal
/// makes a decimal, else ints give an int (a float for `/`).
fn numeric_result(op: BinOp, a: &Type, b: &Type) -> Type {
    let float = |t: &Type| matches!(t, Type::Ratio | Type::Float);
    if float(a) || float(b) {
        Type::Float
    } else if matches!(a, Type::Decimal) || matches!(b, Type::Decimal) {
        Type::Decimal
    } else if op == BinOp::Div {
        Type::Float
    } else {
        Type::Int
    }
}

/// Whether two types can be compared: both numbers, or the same type.
fn same_kind(a: &Type, b: &Type) -> bool {
    (a.is_numeric() && b.is_numeric()) || same_type(a, b)
}

/// `a == b`, in constant time for two uses of one enum type (an enum's member list is shared:
/// comparing the lists of an enum of n symbols n times would cost n squared).
fn same_type(a: &Type, b: &Type) -> bool {
    match (a, b) {
        (Type::Enum(x), Type::Enum(y)) => Arc::ptr_eq(x, y) || x == y,
        (Type::Set(x), Type::Set(y)) => same_type(x, y),
        (Type::Map(k, v), Type::Map(k2, v2)) => same_type(k, k2) && same_type(v, v2),
        _ => a == b,
    }
}

impl Checker<'_> {
    /// A binary operation.
    pub(super) fn binary(
        &mut self,
        ctx: &ClauseContext<'_>,
        span: Span,
        op: BinOp,
        a: &Expr,
        b: &Expr,
    ) -> TypedExpr {
        match op {
            BinOp::And | BinOp::Or => self.logical(ctx, op, a, b),
            BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div => {
                let ((lt, le), (rt, re)) = self.both_operands(ctx, a, b, None)?;
                if !lt.is_numeric() || !rt.is_numeric() {
                    let durations = lt == Type::Duration || rt == Type::Duration;
                    let help = durations.then(|| {
                    "arithmetic is defined on numbers only; compare durations directly, e.g. `x < 24h`"
                        .to_string()
                });
                    let (lt, rt) = (describe(&lt), describe(&rt));
                    let message = format!("`{op}` needs numbers, found {lt} and {rt}");
                    self.mismatch(span, message, "not numbers".to_string(), help);
                    return None;
                }
                let aop = match op {
                    BinOp::Add => ArithOp::Add,
                    BinOp::Sub => ArithOp::Sub,
                    BinOp::Mul => ArithOp::Mul,
                    _ => ArithOp::Div,
                };
                let ty = numeric_result(op, &lt, &rt);
                Some((ty, plan::Expr::Arith(aop, Box::new(le), Box::new(re))))
            }
            BinOp::In | BinOp::NotIn => {
                let out = self.membership(ctx, op, a, b)?;
                let out = if op == BinOp::NotIn {
                    plan::Expr::Not(Box::new(out))
                } else {
                    out
                };
                Some((Type::Bool, out))
            }
            BinOp::Covers => self.covers(ctx, a, b),
            BinOp::Cmp(cop) => {
                let (l, r) = self.operands(ctx, a, b);
                self.comparison(span, cop, l?, r?)
            }
        }
    }

    /// `and`, `or` on conditions; a chain of one operator is one flat list.
    fn logical(&mut self, ctx: &ClauseContext<'_>, op: BinOp, a: &Expr, b: &Expr) -> TypedExpr {
        let ((lt, le), (rt, re)) = self.both_operands(ctx, a, b, None)?;
        for (t, e) in [(&lt, a), (&rt, b)] {
            if *t != Type::Bool {
                self.mismatch(
                    e.span,
                    format!("`{op}` needs conditions (bool), found {}", describe(t)),
                    this_is(t),
                    Some(format!(
                        "both sides of `{op}` are conditions, e.g. `partner.rate > 0.5`"
                    )),
                );
            }
        }
        if lt != Type::Bool || rt != Type::Bool {
            return None;
        }
        let mut items = Vec::new();
        for x in [le, re] {
            match (op, x) {
                (BinOp::And, plan::Expr::And(v)) | (BinOp::Or, plan::Expr::Or(v)) => {
                    items.extend(v)
                }
                (_, x) => items.push(x),
            }
        }
        let out = if op == BinOp::And {
            plan::Expr::And(items)
        } else {
            plan::Expr::Or(items)
        };
        Some((Type::Bool, out))
    }

    /// `territories covers region`: a region or a set of regions on the left, a region on the
    /// right.
    fn covers(&mut self, ctx: &ClauseContext<'_>, a: &Expr, b: &Expr) -> TypedExpr {
        let ((lt, le), (rt, re)) = self.both_operands(ctx, a, b, Some(&Type::Region))?;
        let lok = lt == Type::Region || lt == Type::Set(Box::new(Type::Region));
        if !lok {
            self.mismatch(
                a.span,
                format!(
                    "`covers` needs a region or a set of regions on its left, found {}",
                    describe(&lt)
                ),
                this_is(&lt),
                Some("e.g. `partner.territories covers lead.region`".to_string()),
            );
        }
        if rt != Type::Region {
            self.mismatch(
                b.span,
                format!(
                    "`covers` needs a region on its right, found {}",
                    describe(&rt)
                ),
                this_is(&rt),
                Some(
                    "e.g. `partner.territories covers lead.region` or `covers \"US-TX\"`"
                        .to_string(),
                ),
            );
        }
        if !lok || rt != Type::Region {
            return None;
        }
        Some((Type::Bool, plan::Expr::Covers(Box::new(le), Box::new(re))))
    }

    /// Both operands, each typed on its own (the right one expecting `right`): both errors are
    /// reported before either is given up.
    fn both_operands(
        &mut self,
        ctx: &ClauseContext<'_>,
        a: &Expr,
        b: &Expr,
        right: Option<&Type>,
    ) -> Option<((Type, plan::Expr), (Type, plan::Expr))> {
        let l = self.expr(ctx, a, None);
        let r = self.expr(ctx, b, right);
        Some((l?, r?))
    }

    /// The two operands of a comparison: `a` typed on its own, then `b` with `a`'s type as
    /// context (the other way round when only `a` takes its type from context, as in
    /// `"US-TX" == lead.region`); the results in source order.
    fn operands(&mut self, ctx: &ClauseContext<'_>, a: &Expr, b: &Expr) -> (TypedExpr, TypedExpr) {
        if typed_by_context(a) && !typed_by_context(b) {
            let r = self.expr(ctx, b, None);
            let want = r.as_ref().map(|(t, _)| t.clone());
            let l = self.expr(ctx, a, want.as_ref());
            (l, r)
        } else {
            let l = self.expr(ctx, a, None);
            let want = l.as_ref().map(|(t, _)| t.clone());
            let r = if l.is_none() && typed_by_context(b) {
                None
            } else {
                self.expr(ctx, b, want.as_ref())
            };
            (l, r)
        }
    }

    /// `==`, `!=`, `<`, `<=`, `>`, `>=` on the typed operands.
    fn comparison(
        &mut self,
        span: Span,
        cop: CmpOp,
        (lt, le): (Type, plan::Expr),
        (rt, re): (Type, plan::Expr),
    ) -> TypedExpr {
        if let Some((msg, help)) = compare_problem(&lt, &rt, cop.is_ordering()) {
            let (lt, rt) = (describe(&lt), describe(&rt));
            let op = cop.as_str();
            let message = format!("cannot compare {lt} with {rt} using `{op}`{msg}");
            self.mismatch(span, message, String::new(), help);
            return None;
        }
        Some((Type::Bool, plan::Expr::Cmp(cop, Box::new(le), Box::new(re))))
    }

    /// `x in [a, b]`, `x in set` or `key in map` (and `not in`).
    fn membership(
        &mut self,
        ctx: &ClauseContext<'_>,
        op: BinOp,
        a: &Expr,
        b: &Expr,
    ) -> Option<plan::Expr> {
        if let ExprKind::List(items) = &b.kind {
            let l = self.expr(ctx, a, None);
            let (lt, le) = l?;
            let mut outs = Vec::new();
            let mut ok = true;
            for it in items {
                match self.expr(ctx, it, Some(&lt)) {
                    Some((t, e)) => {
                        if let Some((msg, help)) = compare_problem(&lt, &t, false) {
                            self.mismatch(
                                it.span,
                                format!(
                                    "cannot look for {} in a list holding {}{msg}",
                                    describe(&lt),
                                    describe(&t)
                                ),
                                this_is(&t),
                                help,
                            );
                            ok = false;
                        }
                        outs.push(e);
                    }
                    None => ok = false,
                }
            }
            return ok.then_some(plan::Expr::InList(Box::new(le), outs));
        }
        // a set or a map on the right
        let r = self.expr(ctx, b, None);
        let (rt, re) = r?;
        let elem = match &rt {
            Type::Set(t) => (**t).clone(),
            Type::Map(k, _) => (**k).clone(),
            other => {
                let l = self.expr(ctx, a, None);
                let _ = l;
                self.mismatch(
                    b.span,
                    format!("`{op}` needs a list, a set or a map on its right, found {}", describe(other)),
                    this_is(other),
                    Some("write `x in [a, b]`, or `x in partner.some_set`; to compare one value, use `==`".to_string()),
                );
                return None;
            }
        };
        let (lt, le) = self.expr(ctx, a, Some(&elem))?;
        if let Some((msg, help)) = compare_problem(&lt, &elem, false) {
            self.mismatch(
                a.span,
                format!(
                    "cannot look for {} in {}{msg}",
                    describe(&lt),
                    describe(&rt)
                ),
                this_is(&lt),
                help,
            );
            return None;
        }
        Some(plan::Expr::InSet(Box::new(le), Box::new(re)))
    }
}

/// Why two types cannot be compared, if they cannot: (message suffix, help).
fn compare_problem(a: &Type, b: &Type, ordered: bool) -> Option<(String, Option<String>)> {
    if (a == &Type::Duration && b.is_numeric()) || (b == &Type::Duration && a.is_numeric()) {
        return Some((
            String::new(),
            Some("give the number a unit: `24h`, `30m`, `90s`, `7d`, `2w`".to_string()),
        ));
    }
    if !same_kind(a, b) {
        let help = match (a, b) {
            (Type::Region, Type::Text) | (Type::Text, Type::Region) => {
                Some("compare with a region literal such as `\"US-TX\"`".to_string())
            }
            (Type::Set(_), _) | (_, Type::Set(_)) => {
                Some("to test membership, write `x in set`".to_string())
            }
            _ => None,
        };
        return Some((String::new(), help));
    }
    if ordered {
        let can_order = a.is_numeric() || matches!(a, Type::Date | Type::DateTime | Type::Duration);
        if !can_order {
            return Some((
                format!(" ({} values have no order)", describe(a)),
                Some("use `==` or `!=`".to_string()),
            ));
        }
    } else if matches!(a, Type::GeoPoint | Type::Set(_) | Type::Map(..)) {
        return Some((
            " (these values cannot be compared)".to_string(),
            Some("compare a field of them instead, e.g. `distance(a, b) < 10 km`".to_string()),
        ));
    }
    None
}
