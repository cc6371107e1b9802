//! Typing and elaborating expressions: literals, enum symbols, field paths and unary operators.
//!
//! An expression is typed in the context of its clause ([`ClauseContext`]): which records it
//! may read, and the clause's keyword for messages. A string or a bare name takes its type
//! from the other side of a comparison (`lead.region == "US-TX"`, `partner.tier == gold`).
//! Binary operators are in `operators`, built-in calls in `calls`.

use std::sync::Arc;

use leadrail_core::geo::Territory;
use leadrail_core::plan::{self, Scope};
use leadrail_core::report::codes;
use leadrail_core::schema::Schema;
use leadrail_core::value::{Type, Value};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

use super::messages::{describe, this_is};
use super::{Checker, MAX_DEPTH};
use crate::ast::{Expr, ExprKind, Ident, NumLit, Span, UnOp, Unit};
use crate::diagnostics::{did_you_mean, suggest};

/// Enums with more members than this are looked up through [`Checker::enum_sets`].
const SMALL_ENUM: usize = 16;

/// Which records a clause may read.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Reads {
    /// `when`: it chooses the leads a rule applies to.
    LeadOnly,
    /// `require`, `rank`.
    Both,
    /// `weighted by`: a weight is a property of the partner.
    PartnerOnly,
}

/// The clause an expression is in.
pub(super) struct ClauseContext<'a> {
    /// The lead schema.
    pub(super) lead: &'a Schema,
    /// The partner schema.
    pub(super) partner: &'a Schema,
    /// Which records the clause may read.
    pub(super) reads: Reads,
    /// The clause's keyword, for messages.
    pub(super) clause: &'static str,
}

/// An expression's type and its elaboration, or `None` once its error has been reported.
pub(super) type TypedExpr = Option<(Type, plan::Expr)>;

impl Checker<'_> {
    /// Types and elaborates an expression, at most [`MAX_DEPTH`] levels deep.
    pub(super) fn expr(
        &mut self,
        ctx: &ClauseContext<'_>,
        e: &Expr,
        expected: Option<&Type>,
    ) -> TypedExpr {
        if self.depth >= MAX_DEPTH {
            self.too_deep(e.span, "expression");
            return None;
        }
        self.depth += 1;
        let out = self.expr_inner(ctx, e, expected);
        self.depth -= 1;
        out
    }

    /// [`Self::expr`] without the depth bound.
    fn expr_inner(
        &mut self,
        ctx: &ClauseContext<'_>,
        e: &Expr,
        expected: Option<&Type>,
    ) -> TypedExpr {
        match &e.kind {
            ExprKind::Number(n) => Some(number_literal(n)),
            ExprKind::Str(s) => {
                if expected == Some(&Type::Region) {
                    match Territory::parse(s) {
                        Ok(t) => Some((Type::Region, plan::Expr::Lit(Value::Region(Arc::new(t))))),
                        Err(err) => {
                            let help = err.help().unwrap_or_else(|| {
                                "regions are written `US`, `US-TX`, `US-TX:750` or `DE:80` \
                                 (ISO 3166-1 / 3166-2, then an optional postal prefix)"
                                    .to_string()
                            });
                            let d = self
                                .src
                                .error(
                                    codes::TYPE_INVALID_REGION,
                                    format!("`{s}` is not a valid region: {err}"),
                                )
                                .label(e.span, "expected a region")
                                .help(help);
                            self.err(d);
                            None
                        }
                    }
                } else {
                    Some((
                        Type::Text,
                        plan::Expr::Lit(Value::Text(Arc::from(s.as_str()))),
                    ))
                }
            }
            ExprKind::Bool(b) => Some((Type::Bool, plan::Expr::Lit(Value::Bool(*b)))),
            ExprKind::Date(d) => Some((Type::Date, plan::Expr::Lit(Value::Date(*d)))),
            ExprKind::Symbol(name) => self.symbol(ctx, e.span, name, expected),
            ExprKind::Path(base, field) => self.path(ctx, base, field),
            ExprKind::List(_) => {
                self.mismatch(
                    e.span,
                    "a list can only follow `in`".to_string(),
                    "list".to_string(),
                    Some("write `x in [a, b]`".to_string()),
                );
                None
            }
            ExprKind::Call(name, args) => self.call(ctx, e.span, name, args),
            ExprKind::Unary(op, x) => self.unary(ctx, *op, x),
            ExprKind::Binary(op, a, b) => self.binary(ctx, e.span, *op, a, b),
        }
    }

    /// `not x` (x a condition) or `-x` (x a number).
    fn unary(&mut self, ctx: &ClauseContext<'_>, op: UnOp, x: &Expr) -> TypedExpr {
        let (ty, out) = self.expr(ctx, x, None)?;
        let (fits, written, needs, help) = match op {
            UnOp::Not => (
                ty == Type::Bool,
                "not",
                "a condition (bool)",
                "negate a comparison, e.g. `not (partner.rate > 0.5)`",
            ),
            UnOp::Neg => (
                ty.is_numeric(),
                "-",
                "a number",
                "only numbers can be negated",
            ),
        };
        if !fits {
            let message = format!("`{written}` needs {needs}, found {}", describe(&ty));
            self.mismatch(x.span, message, this_is(&ty), Some(help.to_string()));
            return None;
        }
        Some(match op {
            UnOp::Not => (Type::Bool, plan::Expr::Not(Box::new(out))),
            UnOp::Neg => {
                let ty = if ty == Type::Ratio { Type::Float } else { ty };
                (ty, plan::Expr::Neg(Box::new(out)))
            }
        })
    }

    /// Whether `name` is a member of an enum (in constant time for a large enum).
    fn is_member(&mut self, members: &Arc<[String]>, name: &str) -> bool {
        if members.len() <= SMALL_ENUM {
            return members.iter().any(|m| m == name);
        }
        // the schemas hold every enum type's list for the whole check: its address is stable
        let key = Arc::as_ptr(members).cast::<String>() as usize;
        self.enum_sets
            .entry(key)
            .or_insert_with(|| members.iter().cloned().collect())
            .contains(name)
    }

    /// A bare name: a member of the `expected` enum type, or an error that says what it may be.
    fn symbol(
        &mut self,
        ctx: &ClauseContext<'_>,
        span: Span,
        name: &str,
        expected: Option<&Type>,
    ) -> TypedExpr {
        if let Some(Type::Enum(members)) = expected {
            if self.is_member(members, name) {
                return Some((
                    Type::Enum(members.clone()),
                    plan::Expr::Lit(Value::Enum(Arc::from(name))),
                ));
            }
            let help = suggest(name, members.iter().map(String::as_str))
                .unwrap_or_else(|| format!("the members are {}", some_members(members)));
            let d = self
                .src
                .error(
                    codes::TYPE_UNKNOWN_SYMBOL,
                    format!(
                        "`{name}` is not a member of enum({})",
                        some_members(members)
                    ),
                )
                .label(Span::new(span.start, span.end), "unknown symbol")
                .help(help);
            self.err(d);
            return None;
        }
        if name == "lead" || name == "partner" {
            let d = self
                .src
                .error(
                    codes::TYPE_MISMATCH,
                    format!("`{name}` is a record, not a value"),
                )
                .label(span, "a whole record")
                .help(format!("read one of its fields, e.g. `{name}.id`"));
            self.err(d);
            return None;
        }
        let in_lead = ctx.lead.index_of(name).is_some();
        let in_partner = ctx.partner.index_of(name).is_some();
        let help = if in_partner && ctx.reads != Reads::LeadOnly {
            format!("did you mean `partner.{name}`?")
        } else if in_lead && ctx.reads != Reads::PartnerOnly {
            format!("did you mean `lead.{name}`?")
        } else if in_partner {
            format!("did you mean `partner.{name}`?")
        } else if in_lead {
            format!("did you mean `lead.{name}`?")
        } else {
            "fields are read as `lead.field` or `partner.field`; a bare name is an enum symbol, \
             compared with an enum field (`partner.tier == gold`)"
                .to_string()
        };
        let d = self
            .src
            .error(codes::TYPE_UNKNOWN_SYMBOL, format!("unknown name `{name}`"))
            .label(span, "not a field or an enum symbol here")
            .help(help);
        self.err(d);
        None
    }

    /// Whether the clause may read `scope` (reports the error if not).
    pub(super) fn scope_allowed(
        &mut self,
        ctx: &ClauseContext<'_>,
        scope: Scope,
        span: Span,
        what: &str,
    ) -> bool {
        let allowed = !matches!(
            (ctx.reads, scope),
            (Reads::LeadOnly, Scope::Partner) | (Reads::PartnerOnly, Scope::Lead)
        );
        if !allowed {
            let (reads, help) = match ctx.reads {
                Reads::LeadOnly => (
                    "only lead fields",
                    "`when` chooses the leads a rule applies to; move partner conditions to a `require` clause",
                ),
                _ => ("only partner fields", "a weight is a property of the partner; remove the lead field"),
            };
            let d = self
                .src
                .error(
                    codes::TYPE_SCOPE,
                    format!("`{}` reads {reads}, found `{what}`", ctx.clause),
                )
                .label(span, "not allowed here")
                .help(help);
            self.err(d);
        }
        allowed
    }

    /// A field path: `lead.field` or `partner.field`.
    fn path(&mut self, ctx: &ClauseContext<'_>, base: &Ident, field: &Ident) -> TypedExpr {
        let span = base.span.to(field.span);
        let (scope, schema, other, other_name) = match base.name.as_str() {
            "lead" => (Scope::Lead, ctx.lead, ctx.partner, "partner"),
            "partner" => (Scope::Partner, ctx.partner, ctx.lead, "lead"),
            b => {
                let d = self
                    .src
                    .error(codes::TYPE_UNKNOWN_RECORD, format!("unknown record `{b}`"))
                    .label(base.span, "not `lead` or `partner`")
                    .help(suggest(b, ["lead", "partner"]).unwrap_or_else(|| {
                        "fields are read as `lead.field` or `partner.field`".to_string()
                    }));
                self.err(d);
                return None;
            }
        };
        if self.missing.contains(&base.name.as_str()) {
            return None;
        }
        let text = format!("{}.{}", base.name, field.name);
        if !self.scope_allowed(ctx, scope, span, &text) {
            return None;
        }
        if field.name == "id" {
            return Some((Type::Text, plan::Expr::Id(scope)));
        }
        match schema.index_of(&field.name) {
            Some(i) => {
                let ty = schema.field(i).map(|f| f.ty.clone())?;
                Some((ty, plan::Expr::Field(scope, i)))
            }
            None => {
                let names = schema.fields.iter().map(|f| f.name.as_str()).chain(["id"]);
                let help = did_you_mean(&field.name, names)
                    .map(|c| format!("did you mean `{}.{c}`?", base.name))
                    .or_else(|| {
                        other.index_of(&field.name).map(|_| {
                            format!("`{other_name}.{}` exists; did you mean it?", field.name)
                        })
                    })
                    .unwrap_or_else(|| {
                        format!("the {} schema declares: {}", base.name, field_list(schema))
                    });
                let d = self
                    .src
                    .error(
                        codes::TYPE_UNKNOWN_FIELD,
                        format!("`{}` has no field `{}`", base.name, field.name),
                    )
                    .label(field.span, "unknown field")
                    .help(help);
                self.err(d);
                None
            }
        }
    }
}

/// An enum's members for a message: all of them, or the first few and how many more.
fn some_members(members: &[String]) -> String {
    const SHOWN: usize = 12;
    if members.len() <= SHOWN {
        return members.join(", ");
    }
    let first: Vec<&str> = members.iter().take(SHOWN).map(String::as_str).collect();
    format!("{}, ... ({} more)", first.join(", "), members.len() - SHOWN)
}

/// A schema's field names for a message, `id` included.
fn field_list(s: &Schema) -> String {
    let mut names: Vec<&str> = s.fields.iter().map(|f| f.name.as_str()).collect();
    names.push("id");
    names.join(", ")
}

/// A number literal's type and value: its unit decides (`%` a ratio, `km` a number, a
/// duration unit a duration); without a unit, a whole number is an int, else a decimal.
fn number_literal(n: &NumLit) -> (Type, plan::Expr) {
    match n.unit {
        Unit::None if n.fraction => (Type::Decimal, plan::Expr::Lit(Value::Decimal(n.value))),
        Unit::None => match n.value.to_i64() {
            Some(i) => (Type::Int, plan::Expr::Lit(Value::Int(i))),
            None => (Type::Decimal, plan::Expr::Lit(Value::Decimal(n.value))),
        },
        Unit::Km => (
            Type::Float,
            plan::Expr::Lit(Value::Float(n.value.to_f64().unwrap_or(f64::NAN))),
        ),
        Unit::Percent => {
            let v = (n.value / Decimal::ONE_HUNDRED)
                .to_f64()
                .unwrap_or(f64::NAN);
            (Type::Ratio, plan::Expr::Lit(Value::Float(v)))
        }
        unit => {
            let ms = unit
                .millis()
                .and_then(|m| n.value.to_i64().and_then(|v| v.checked_mul(m)))
                .unwrap_or(i64::MAX);
            (Type::Duration, plan::Expr::Lit(Value::Duration(ms)))
        }
    }
}
