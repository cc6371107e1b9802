//! Calls of the built-in functions (`distance`, `certified`, `smoothed`, `utilisation`): the
//! arity and the type of each argument, and the schema fields a function needs.

use leadrail_core::plan::{self, Scope};
use leadrail_core::report::codes;
use leadrail_core::value::Type;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

use super::expr::{ClauseContext, TypedExpr};
use super::messages::{describe, this_is};
use super::route::has_int;
use super::Checker;
use crate::ast::{Expr, ExprKind, Ident, NumLit, Span, UnOp, Unit};
use crate::builtins;
use crate::diagnostics::suggest;

impl Checker<'_> {
    /// Checks that the first argument is `partner` (and that the clause may read it).
    fn partner_arg(
        &mut self,
        ctx: &ClauseContext<'_>,
        fname: &str,
        arg: Option<&Expr>,
        call_span: Span,
    ) -> bool {
        match arg {
            Some(Expr {
                kind: ExprKind::Symbol(s),
                span,
            }) if s == "partner" => self.scope_allowed(
                ctx,
                Scope::Partner,
                *span,
                &format!("{fname}(partner, ...)"),
            ),
            other => {
                let span = other.map_or(call_span, |a| a.span);
                self.mismatch(
                    span,
                    format!("the first argument of `{fname}` must be `partner`"),
                    "expected `partner`".to_string(),
                    builtins::lookup(fname).map(|b| {
                        format!(
                            "write `{}`",
                            b.example
                                .trim_start_matches("require ")
                                .trim_start_matches("rank ")
                        )
                    }),
                );
                false
            }
        }
    }

    /// A call of a built-in function.
    pub(super) fn call(
        &mut self,
        ctx: &ClauseContext<'_>,
        span: Span,
        name: &Ident,
        args: &[Expr],
    ) -> TypedExpr {
        let Some(b) =
            builtins::lookup(&name.name).filter(|b| b.kind == builtins::BuiltinKind::Function)
        else {
            let help = suggest(&name.name, builtins::function_names()).unwrap_or_else(|| {
                format!(
                    "the functions are {}",
                    builtins::function_names().collect::<Vec<_>>().join(", ")
                )
            });
            let d = self
                .src
                .error(
                    codes::TYPE_UNKNOWN_FUNCTION,
                    format!("unknown function `{}`", name.name),
                )
                .label(name.span, "not a built-in")
                .help(help);
            self.err(d);
            return None;
        };
        if args.len() < b.min_args || args.len() > b.max_args {
            let want = if b.min_args == b.max_args {
                format!("{}", b.min_args)
            } else {
                format!("{} to {}", b.min_args, b.max_args)
            };
            let d = self
                .src
                .error(
                    codes::TYPE_ARITY,
                    format!(
                        "`{}` takes {want} argument{}, found {}",
                        b.name,
                        if b.max_args == 1 { "" } else { "s" },
                        args.len()
                    ),
                )
                .label(span, "")
                .help(format!("the signature is `{}`", b.signature));
            self.err(d);
            return None;
        }
        let arg = |i: usize| args.get(i);
        match b.name {
            "distance" => {
                let a = self.arg_of(ctx, b.name, arg(0), &Type::GeoPoint);
                let c = self.arg_of(ctx, b.name, arg(1), &Type::GeoPoint);
                Some((
                    Type::Float,
                    plan::Expr::Distance(Box::new(a?), Box::new(c?)),
                ))
            }
            "certified" => {
                let ok = self.partner_arg(ctx, b.name, arg(0), span);
                let name_e = self.arg_of(ctx, b.name, arg(1), &Type::Text);
                let maps: Vec<u16> = ctx
                    .partner
                    .fields
                    .iter()
                    .enumerate()
                    .filter(|(_, f)| f.ty == Type::Map(Box::new(Type::Text), Box::new(Type::Date)))
                    .filter_map(|(i, _)| u16::try_from(i).ok())
                    .collect();
                let field = match maps.as_slice() {
                    [one] => Some(*one),
                    [] => {
                        self.requirement(span, "`certified`", "a partner field of type `map<text, date>`", "add e.g. `certifications: map<text, date>` (name to validity date) to the partner schema");
                        None
                    }
                    _ => {
                        self.requirement(
                            span,
                            "`certified`",
                            "exactly one partner field of type `map<text, date>`",
                            "keep one certification map in the partner schema",
                        );
                        None
                    }
                };
                if !ok {
                    return None;
                }
                Some((
                    Type::Bool,
                    plan::Expr::Certified {
                        field: field?,
                        name: Box::new(name_e?),
                    },
                ))
            }
            "smoothed" => {
                let rate = self.numeric_arg(ctx, b.name, arg(0));
                let n = self.numeric_arg(ctx, b.name, arg(1));
                let prior = match arg(2) {
                    Some(p) => self.literal_number(p, "the prior"),
                    None => Some(0.5),
                };
                let weight = match arg(3) {
                    Some(w) => self.literal_number(w, "the weight"),
                    None => Some(10.0),
                };
                Some((
                    Type::Float,
                    plan::Expr::Smoothed {
                        rate: Box::new(rate?),
                        n: Box::new(n?),
                        prior: prior?,
                        weight: weight?,
                    },
                ))
            }
            "utilisation" => {
                if !self.partner_arg(ctx, b.name, arg(0), span) {
                    return None;
                }
                match (
                    ctx.partner.index_of("active_leads"),
                    ctx.partner.index_of("capacity"),
                ) {
                    (Some(a), Some(c))
                        if has_int(ctx.partner, "active_leads")
                            && has_int(ctx.partner, "capacity") =>
                    {
                        Some((
                            Type::Float,
                            plan::Expr::Utilisation {
                                active_leads: a,
                                capacity: c,
                            },
                        ))
                    }
                    _ => {
                        self.requirement(
                            span,
                            "`utilisation`",
                            "int partner fields `capacity` and `active_leads`",
                            "add `capacity: int, active_leads: int` to the partner schema",
                        );
                        None
                    }
                }
            }
            _ => None,
        }
    }

    /// An argument that must have type `want`.
    fn arg_of(
        &mut self,
        ctx: &ClauseContext<'_>,
        fname: &str,
        a: Option<&Expr>,
        want: &Type,
    ) -> Option<plan::Expr> {
        let a = a?;
        let (ty, out) = self.expr(ctx, a, Some(want))?;
        if &ty != want {
            self.mismatch(
                a.span,
                format!(
                    "`{fname}` expects {} here, found {}",
                    describe(want),
                    describe(&ty)
                ),
                this_is(&ty),
                builtins::lookup(fname).map(|b| format!("the signature is `{}`", b.signature)),
            );
            return None;
        }
        Some(out)
    }

    /// An argument that must be a number.
    fn numeric_arg(
        &mut self,
        ctx: &ClauseContext<'_>,
        fname: &str,
        a: Option<&Expr>,
    ) -> Option<plan::Expr> {
        let a = a?;
        let (ty, out) = self.expr(ctx, a, None)?;
        if !ty.is_numeric() {
            self.mismatch(
                a.span,
                format!("`{fname}` expects a number here, found {}", describe(&ty)),
                this_is(&ty),
                builtins::lookup(fname).map(|b| format!("the signature is `{}`", b.signature)),
            );
            return None;
        }
        Some(out)
    }

    /// A `smoothed` parameter: a number literal (or its negation).
    fn literal_number(&mut self, e: &Expr, what: &str) -> Option<f64> {
        let v = match &e.kind {
            ExprKind::Number(n) if matches!(n.unit, Unit::None | Unit::Percent) => number_f64(n),
            ExprKind::Unary(UnOp::Neg, x) => match &x.kind {
                ExprKind::Number(n) if matches!(n.unit, Unit::None | Unit::Percent) => {
                    number_f64(n).map(|v| -v)
                }
                _ => None,
            },
            _ => None,
        };
        if v.is_none() {
            self.mismatch(
                e.span,
                format!("{what} of `smoothed` must be a number literal"),
                "not a literal".to_string(),
                Some("write e.g. `smoothed(partner.acceptance_rate, partner.leads_received, 0.5, 10)`".to_string()),
            );
        }
        v
    }
}

/// A number literal's value as a float (`%` divided by 100).
fn number_f64(n: &NumLit) -> Option<f64> {
    let v = n.value.to_f64()?;
    Some(if n.unit == Unit::Percent {
        (n.value / Decimal::ONE_HUNDRED).to_f64()?
    } else {
        v
    })
}
