//! Pest's pairs to expressions: operator precedence, depth bounds and number literals.
//!
//! Precedence comes from pest's Pratt parser; chained comparisons (`a < b < c`) are refused
//! while building. An expression deeper than [`MAX_EXPR_DEPTH`] is refused before its tree is
//! built (a deep tree would overflow the stack when dropped). A number literal is exact or an
//! error: never rounded.

use std::str::FromStr;
use std::sync::OnceLock;

use leadrail_core::report::codes;
use pest::iterators::{Pair, Pairs};
use pest::pratt_parser::{Assoc, Op, PrattParser};
use rust_decimal::Decimal;

use super::{all_or_errors, Builder};
use crate::ast::*;
use crate::diagnostics::Diagnostic;
use crate::parse::{Rule, MAX_EXPR_DEPTH};

/// Operator precedence, lowest first.
fn pratt() -> &'static PrattParser<Rule> {
    static PRATT: OnceLock<PrattParser<Rule>> = OnceLock::new();
    PRATT.get_or_init(|| {
        PrattParser::new()
            .op(Op::infix(Rule::op_or, Assoc::Left))
            .op(Op::infix(Rule::op_and, Assoc::Left))
            .op(Op::prefix(Rule::op_not))
            .op(Op::infix(Rule::op_eq, Assoc::Left)
                | Op::infix(Rule::op_ne, Assoc::Left)
                | Op::infix(Rule::op_lt, Assoc::Left)
                | Op::infix(Rule::op_le, Assoc::Left)
                | Op::infix(Rule::op_gt, Assoc::Left)
                | Op::infix(Rule::op_ge, Assoc::Left)
                | Op::infix(Rule::op_in, Assoc::Left)
                | Op::infix(Rule::op_not_in, Assoc::Left)
                | Op::infix(Rule::op_covers, Assoc::Left))
            .op(Op::infix(Rule::op_add, Assoc::Left) | Op::infix(Rule::op_sub, Assoc::Left))
            .op(Op::infix(Rule::op_mul, Assoc::Left) | Op::infix(Rule::op_div, Assoc::Left))
            .op(Op::prefix(Rule::op_neg))
    })
}

/// An expression being built: the tree, its depth, and whether it was parenthesised.
type BuiltExpr = Result<(Expr, usize, bool), Vec<Diagnostic>>;

impl Builder<'_> {
    /// An expression, at most [`MAX_EXPR_DEPTH`] levels deep.
    pub(super) fn expr(&self, p: Pair<'_, Rule>) -> Result<Expr, Vec<Diagnostic>> {
        let span = self.span(&p);
        // bound the tree's depth before building it (deep trees overflow the stack on drop)
        let bound = depth_bound(&p);
        let (e, depth, _) = if bound > MAX_EXPR_DEPTH {
            (Expr::new(ExprKind::Bool(false), span), bound, false)
        } else {
            self.expr_inner(p)?
        };
        if depth > MAX_EXPR_DEPTH {
            return Err(vec![self
                .src
                .error(
                    codes::PARSE_TOO_DEEP,
                    "this expression is too deeply nested",
                )
                .label(span, format!("more than {MAX_EXPR_DEPTH} levels"))
                .help("split the expression into several `require` clauses")]);
        }
        Ok(e)
    }

    /// An expression and its depth, by precedence; refuses chained comparisons.
    fn expr_inner(&self, p: Pair<'_, Rule>) -> BuiltExpr {
        pratt()
            .map_primary(|q| self.primary(q))
            .map_prefix(|op, rhs| {
                let (rhs, depth, _) = rhs?;
                let ospan = self.span(&op);
                let uop = if op.as_rule() == Rule::op_not { UnOp::Not } else { UnOp::Neg };
                let span = ospan.to(rhs.span);
                Ok((Expr::new(ExprKind::Unary(uop, Box::new(rhs)), span), depth + 1, false))
            })
            .map_infix(|lhs, op, rhs| {
                let (lhs, ld, lparen) = lhs?;
                let (rhs, rd, _) = rhs?;
                let bop = match op.as_rule() {
                    Rule::op_or => BinOp::Or,
                    Rule::op_and => BinOp::And,
                    Rule::op_eq => BinOp::Cmp(CmpOp::Eq),
                    Rule::op_ne => BinOp::Cmp(CmpOp::Ne),
                    Rule::op_lt => BinOp::Cmp(CmpOp::Lt),
                    Rule::op_le => BinOp::Cmp(CmpOp::Le),
                    Rule::op_gt => BinOp::Cmp(CmpOp::Gt),
                    Rule::op_ge => BinOp::Cmp(CmpOp::Ge),
                    Rule::op_in => BinOp::In,
                    Rule::op_not_in => BinOp::NotIn,
                    Rule::op_covers => BinOp::Covers,
                    Rule::op_add => BinOp::Add,
                    Rule::op_sub => BinOp::Sub,
                    Rule::op_mul => BinOp::Mul,
                    _ => BinOp::Div,
                };
                let span = lhs.span.to(rhs.span);
                if bop.is_comparison() && !lparen {
                    if let ExprKind::Binary(prev, _, _) = &lhs.kind {
                        if prev.is_comparison() {
                            return Err(vec![self
                                .src
                                .error(
                                    codes::PARSE_CHAINED_COMPARISON,
                                    format!("comparisons cannot be chained: `{prev}` followed by `{bop}`"),
                                )
                                .label(self.span(&op), "second comparison")
                                .help("combine the comparisons with `and`, e.g. `a < b and b < c`")]);
                        }
                    }
                }
                let depth = ld.max(rd) + 1;
                Ok((Expr::new(ExprKind::Binary(bop, Box::new(lhs), Box::new(rhs)), span), depth, false))
            })
            .parse(p.into_inner())
    }

    /// The expressions among `pairs` (a list's items, a call's arguments) and the deepest's
    /// depth.
    fn exprs(&self, pairs: Pairs<'_, Rule>) -> Result<(Vec<Expr>, usize), Vec<Diagnostic>> {
        let mut depth = 0;
        let built = all_or_errors(pairs.filter(|q| q.as_rule() == Rule::expr), |q| {
            self.expr_inner(q).map(|(e, d, _)| {
                depth = depth.max(d);
                e
            })
        })?;
        Ok((built, depth))
    }

    /// An operand: a literal, a path, a call, a list or a parenthesised expression.
    fn primary(&self, p: Pair<'_, Rule>) -> BuiltExpr {
        let span = self.span(&p);
        let leaf = |k: ExprKind| Ok((Expr::new(k, span), 1, false));
        match p.as_rule() {
            Rule::paren => {
                let inner = self.next_content(&mut p.into_inner(), span)?;
                let (e, d, _) = self.expr_inner(inner)?;
                Ok((e, d, true))
            }
            Rule::list => {
                let (items, d) = self.exprs(p.into_inner())?;
                Ok((Expr::new(ExprKind::List(items), span), d + 1, false))
            }
            Rule::call => {
                let mut it = p.into_inner();
                let name = self.ident(self.next(&mut it, span)?);
                let (args, d) = self.exprs(it)?;
                Ok((Expr::new(ExprKind::Call(name, args), span), d + 1, false))
            }
            Rule::path => {
                let mut it = p.into_inner();
                let base = self.ident(self.next(&mut it, span)?);
                let field = self.ident(self.next(&mut it, span)?);
                leaf(ExprKind::Path(base, field))
            }
            Rule::symbol => leaf(ExprKind::Symbol(p.as_str().to_string())),
            Rule::boolean => leaf(ExprKind::Bool(p.as_str() == "true")),
            Rule::string => {
                let s = self.string(p)?;
                leaf(ExprKind::Str(s.value))
            }
            Rule::date => leaf(ExprKind::Date(self.date(&p)?)),
            Rule::number => self
                .number(p)
                .map(|n| (Expr::new(ExprKind::Number(n), span), 1, false)),
            _ => Err(vec![self.internal(span.start)]),
        }
    }

    /// A number literal with its unit, exact or an error.
    pub(super) fn number(&self, p: Pair<'_, Rule>) -> Result<NumLit, Vec<Diagnostic>> {
        let span = self.span(&p);
        let mut digits = "";
        let mut unit = Unit::None;
        for q in p.into_inner() {
            match q.as_rule() {
                Rule::digits => digits = q.as_str(),
                Rule::unit_km => unit = Unit::Km,
                Rule::unit_percent => unit = Unit::Percent,
                Rule::unit_duration => {
                    unit = match q.as_str() {
                        "ms" => Unit::Millis,
                        "s" => Unit::Seconds,
                        "m" => Unit::Minutes,
                        "h" => Unit::Hours,
                        "d" => Unit::Days,
                        _ => Unit::Weeks,
                    }
                }
                _ => {}
            }
        }
        let clean: String = digits.chars().filter(|c| *c != '_').collect();
        let fraction = clean.contains('.');
        let bad = |msg: String, help: &str| {
            vec![self
                .src
                .error(codes::PARSE_INVALID_LITERAL, msg)
                .label(span, "")
                .help(help.to_string())]
        };
        let exact_help = "numbers are exact decimals: at most 28 digits after the point, and at \
                          most 79228162514264337593543950335 (29 digits) in all";
        let value = Decimal::from_str(&clean)
            .map_err(|_| bad(format!("the number `{digits}` is too large"), exact_help))?;
        // rust_decimal rounds a literal with more digits than it holds: refuse to
        let percent_exact = unit != Unit::Percent
            || value
                .checked_div(Decimal::ONE_HUNDRED)
                .and_then(|r| r.checked_mul(Decimal::ONE_HUNDRED))
                == Some(value);
        if canonical_digits(&clean) != value.normalize().to_string() || !percent_exact {
            return Err(vec![self
                .src
                .error(
                    codes::PARSE_INVALID_LITERAL,
                    format!("the number `{digits}` cannot be represented exactly"),
                )
                .label(span, "it has more digits than a decimal holds")
                .help(exact_help)]);
        }
        if !fraction && unit != Unit::Km && unit != Unit::Percent && i64::from_str(&clean).is_err()
        {
            return Err(bad(
                format!("the number `{digits}` is too large"),
                "whole numbers range from -9223372036854775808 to 9223372036854775807",
            ));
        }
        if let Some(ms) = unit.millis() {
            if fraction {
                return Err(bad(
                    format!(
                        "the duration `{}` is not a whole number",
                        self.src.slice(span)
                    ),
                    "use a smaller unit, e.g. `90m` instead of `1.5h`",
                ));
            }
            let n = i64::from_str(&clean).ok().and_then(|n| n.checked_mul(ms));
            if n.is_none() {
                return Err(bad(
                    format!("the duration `{}` is too long", self.src.slice(span)),
                    "durations are at most about 292 million years",
                ));
            }
        }
        Ok(NumLit {
            value,
            fraction,
            unit,
        })
    }
}

/// The value of a literal's digits (no `_`) as `Decimal::normalize` writes it: no leading
/// zeros in the whole part, no trailing zeros in the fraction (`007.50` is `7.5`, `0.0` is `0`).
fn canonical_digits(clean: &str) -> String {
    let (int, frac) = clean.split_once('.').unwrap_or((clean, ""));
    let int = int.trim_start_matches('0');
    let int = if int.is_empty() { "0" } else { int };
    let frac = frac.trim_end_matches('0');
    if frac.is_empty() {
        int.to_string()
    } else {
        format!("{int}.{frac}")
    }
}

/// An upper bound of the depth of the tree an `expr` pair builds: its operators plus the
/// deepest operand. Recursion here follows bracket nesting only, which the scanner bounds.
fn depth_bound(p: &Pair<'_, Rule>) -> usize {
    match p.as_rule() {
        Rule::expr => {
            let mut ops = 0usize;
            let mut deepest = 0usize;
            for c in p.clone().into_inner() {
                if is_operator(c.as_rule()) {
                    ops += 1;
                } else {
                    deepest = deepest.max(depth_bound(&c));
                }
            }
            ops + deepest
        }
        Rule::paren | Rule::list | Rule::call | Rule::tie_round_robin => {
            1 + p
                .clone()
                .into_inner()
                .map(|c| depth_bound(&c))
                .max()
                .unwrap_or(0)
        }
        _ => 1,
    }
}

/// The operators of an expression (prefix and infix).
fn is_operator(rule: Rule) -> bool {
    use Rule::*;
    matches!(
        rule,
        op_or
            | op_and
            | op_not
            | op_not_in
            | op_in
            | op_covers
            | op_eq
            | op_ne
            | op_le
            | op_ge
            | op_lt
            | op_gt
            | op_add
            | op_sub
            | op_mul
            | op_div
            | op_neg
    )
}
