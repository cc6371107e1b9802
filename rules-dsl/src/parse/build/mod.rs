//! Pest's pairs to the syntax tree: declarations, schemas, types and routes.
//!
//! [`Builder`] walks the pairs of one item (or one clause, when recovering) and returns its
//! [`ast`](crate::ast) node with spans in the whole file, or every error found in it: a
//! repeated or misplaced route clause, a bad literal. Expressions are built in `expr`, calendar
//! and SLA declarations in `calendar_sla`.

use std::str::FromStr;

use chrono::NaiveDate;
use leadrail_core::report::codes;
use pest::iterators::{Pair, Pairs};

use super::Rule;
use crate::ast::*;
use crate::diagnostics::{Diagnostic, SourceFile};

mod calendar_sla;
mod expr;
mod registration;

/// Builds the syntax tree of one piece of the file (an item or a clause).
pub(super) struct Builder<'s> {
    /// The whole file (for spans and diagnostics).
    pub(super) src: &'s SourceFile,
    /// Where the piece starts in the file: pest's positions are relative to the piece.
    pub(super) off: usize,
}

impl Builder<'_> {
    /// The span of a pair, in the whole file.
    fn span(&self, p: &Pair<'_, Rule>) -> Span {
        let s = p.as_span();
        Span::new(self.off + s.start(), self.off + s.end())
    }

    /// The error for a pair the grammar should not produce (a bug, reported rather than a
    /// panic).
    pub(super) fn internal(&self, pos: usize) -> Diagnostic {
        self.src
            .error(
                codes::PARSE_UNEXPECTED_TOKEN,
                "the parser could not read this",
            )
            .label(Span::new(pos, pos), "")
    }

    /// The next pair.
    fn next<'i>(
        &self,
        pairs: &mut Pairs<'i, Rule>,
        at: Span,
    ) -> Result<Pair<'i, Rule>, Vec<Diagnostic>> {
        pairs.next().ok_or_else(|| vec![self.internal(at.start)])
    }

    /// The next pair that is not punctuation or a keyword.
    fn next_content<'i>(
        &self,
        pairs: &mut Pairs<'i, Rule>,
        at: Span,
    ) -> Result<Pair<'i, Rule>, Vec<Diagnostic>> {
        pairs
            .find(|p| !is_token(p.as_rule()))
            .ok_or_else(|| vec![self.internal(at.start)])
    }

    /// A top-level item.
    pub(super) fn item(&self, p: Pair<'_, Rule>) -> Result<Item, Vec<Diagnostic>> {
        let span = self.span(&p);
        match p.as_rule() {
            Rule::ruleset_decl => {
                let mut it = p.into_inner();
                let name = self.string(self.next_content(&mut it, span)?)?;
                let v = self.next_content(&mut it, span)?;
                let vspan = self.span(&v);
                let digits: String = v.as_str().chars().filter(|c| *c != '_').collect();
                let version = u32::from_str(&digits).map_err(|_| {
                    vec![self
                        .src
                        .error(
                            codes::PARSE_INVALID_LITERAL,
                            format!("version `{}` is too large", v.as_str()),
                        )
                        .label(vspan, "not a version number")
                        .help("a version is a whole number from 0 to 4294967295")]
                })?;
                Ok(Item::Ruleset(RulesetDecl {
                    name,
                    version,
                    span,
                }))
            }
            Rule::schema_decl => {
                let mut it = p.into_inner();
                let kind = self.ident(self.next_content(&mut it, span)?);
                let mut fields = Vec::new();
                for f in it.filter(|q| q.as_rule() == Rule::field_decl) {
                    fields.push(self.field(f)?);
                }
                Ok(Item::Schema(SchemaDecl { kind, fields, span }))
            }
            Rule::route_decl => self.route(p).map(|r| Item::Route(Box::new(r))),
            Rule::calendar_decl => self.calendar(p).map(|c| Item::Calendar(Box::new(c))),
            Rule::sla_decl => self.sla(p).map(|c| Item::Sla(Box::new(c))),
            Rule::registration_decl => self
                .registration(p)
                .map(|r| Item::Registration(Box::new(r))),
            Rule::fallback_decl => {
                let target = self.next_content(&mut p.into_inner(), span)?;
                let queue = match target.as_rule() {
                    Rule::queue_target => {
                        let tspan = self.span(&target);
                        Some(self.string(self.next_content(&mut target.into_inner(), tspan)?)?)
                    }
                    _ => None,
                };
                Ok(Item::Fallback(FallbackDecl { queue, span }))
            }
            _ => Err(vec![self.internal(span.start)]),
        }
    }

    /// The words (event, status or stage names) among `pairs`.
    fn words(&self, pairs: Pairs<'_, Rule>) -> Vec<Ident> {
        pairs
            .filter(|q| q.as_rule() == Rule::word)
            .map(|q| self.ident(q))
            .collect()
    }

    /// A date literal (`YYYY-MM-DD`).
    fn date(&self, p: &Pair<'_, Rule>) -> Result<NaiveDate, Vec<Diagnostic>> {
        NaiveDate::parse_from_str(p.as_str(), "%Y-%m-%d").map_err(|_| {
            vec![self
                .src
                .error(
                    codes::PARSE_INVALID_LITERAL,
                    format!("`{}` is not a valid date", p.as_str()),
                )
                .label(self.span(p), "no such date")
                .help("dates are written `YYYY-MM-DD`, e.g. `2026-12-24`")]
        })
    }

    /// A name.
    fn ident(&self, p: Pair<'_, Rule>) -> Ident {
        Ident::new(p.as_str(), self.span(&p))
    }

    /// A string literal, unescaped.
    fn string(&self, p: Pair<'_, Rule>) -> Result<StrLit, Vec<Diagnostic>> {
        let span = self.span(&p);
        let inner = p.into_inner().next().map(|q| q.as_str()).unwrap_or("");
        Ok(StrLit {
            value: unescape(inner),
            span,
        })
    }

    /// A schema field.
    fn field(&self, p: Pair<'_, Rule>) -> Result<FieldDecl, Vec<Diagnostic>> {
        let span = self.span(&p);
        let mut it = p.into_inner();
        let name = self.ident(self.next_content(&mut it, span)?);
        let ty = self.type_expr(self.next_content(&mut it, span)?)?;
        let optional = it.any(|q| q.as_rule() == Rule::question);
        Ok(FieldDecl {
            name,
            ty,
            optional,
            span,
        })
    }

    /// A written type.
    fn type_expr(&self, p: Pair<'_, Rule>) -> Result<TypeExpr, Vec<Diagnostic>> {
        let span = self.span(&p);
        let inner = self.next(&mut p.into_inner(), span)?;
        let kind = match inner.as_rule() {
            Rule::type_name => TypeKind::Named(inner.as_str().to_string()),
            Rule::enum_type => TypeKind::Enum(
                inner
                    .into_inner()
                    .filter(|q| q.as_rule() == Rule::name)
                    .map(|q| self.ident(q))
                    .collect(),
            ),
            Rule::set_type => {
                let t = self.next_content(&mut inner.into_inner(), span)?;
                TypeKind::Set(Box::new(self.type_expr(t)?))
            }
            Rule::map_type => {
                let mut it = inner.into_inner();
                let k = self.type_expr(self.next_content(&mut it, span)?)?;
                let v = self.type_expr(self.next_content(&mut it, span)?)?;
                TypeKind::Map(Box::new(k), Box::new(v))
            }
            _ => return Err(vec![self.internal(span.start)]),
        };
        Ok(TypeExpr { kind, span })
    }

    /// A route, with every clause error (repeated, out of order, or inside a clause).
    fn route(&self, p: Pair<'_, Rule>) -> Result<RouteDecl, Vec<Diagnostic>> {
        let span = self.span(&p);
        let mut it = p.into_inner();
        let name = self.string(self.next_content(&mut it, span)?)?;
        let mut route = empty_route(name, span);
        let mut errors = Vec::new();
        // (order index, keyword, span) of the clauses seen so far
        let mut seen: Vec<(usize, &'static str, Span)> = Vec::new();
        for c in it.filter(|q| !is_token(q.as_rule())) {
            let cspan = self.span(&c);
            let (order, kw) = match c.as_rule() {
                Rule::when_clause => (0, "when"),
                Rule::require_clause => (1, "require"),
                Rule::rank_clause => (2, "rank"),
                Rule::balance_clause => (3, "balance"),
                Rule::tie_clause => (4, "tie"),
                Rule::else_clause => (5, "else"),
                _ => continue,
            };
            let kw_span = Span::new(cspan.start, cspan.start + kw.len());
            if kw != "require" {
                if let Some((_, _, first)) = seen.iter().find(|(o, _, _)| *o == order) {
                    errors.push(
                        self.src
                            .error(
                                codes::PARSE_DUPLICATE_CLAUSE,
                                format!("a route has at most one `{kw}` clause"),
                            )
                            .label(kw_span, "repeated here")
                            .label(Span::new(first.start, first.start + kw.len()), "first here")
                            .help(match kw {
                                "when" | "rank" => {
                                    format!("combine the two `{kw}` expressions into one")
                                }
                                _ => format!("remove one of the `{kw}` clauses"),
                            }),
                    );
                    continue;
                }
            }
            if let Some((_, later, later_span)) = seen.iter().find(|(o, _, _)| *o > order) {
                errors.push(
                    self.src
                        .error(codes::PARSE_CLAUSE_ORDER, format!("`{kw}` must come before `{later}`"))
                        .label(kw_span, "out of order")
                        .label(Span::new(later_span.start, later_span.start + later.len()), format!("`{later}` is here"))
                        .help("a route's clauses go in this order: `when`, `require`, `rank`, `balance`, `tie`, `else`"),
                );
                continue;
            }
            seen.push((order, kw, cspan));
            match self.clause(c, &mut route) {
                Ok(()) => {}
                Err(mut es) => errors.append(&mut es),
            }
        }
        if errors.is_empty() {
            Ok(route)
        } else {
            Err(errors)
        }
    }

    /// One clause of a route, stored into `route`.
    pub(super) fn clause(
        &self,
        c: Pair<'_, Rule>,
        route: &mut RouteDecl,
    ) -> Result<(), Vec<Diagnostic>> {
        let span = self.span(&c);
        let rule = c.as_rule();
        let mut it = c.into_inner();
        match rule {
            Rule::when_clause => {
                route.when = Some(Clause {
                    node: self.expr(self.next_content(&mut it, span)?)?,
                    span,
                })
            }
            Rule::require_clause => route.requires.push(Clause {
                node: self.expr(self.next_content(&mut it, span)?)?,
                span,
            }),
            Rule::rank_clause => {
                route.rank = Some(Clause {
                    node: self.expr(self.next_content(&mut it, span)?)?,
                    span,
                })
            }
            Rule::balance_clause => route.balance = Some(Clause { node: (), span }),
            Rule::tie_clause => {
                let t = self.next_content(&mut it, span)?;
                let node = match t.as_rule() {
                    Rule::tie_round_robin => {
                        match t.into_inner().find(|q| q.as_rule() == Rule::expr) {
                            Some(w) => TieDecl::RoundRobin(Some(self.expr(w)?)),
                            None => TieDecl::RoundRobin(None),
                        }
                    }
                    _ => TieDecl::Id,
                };
                route.tie = Some(Clause { node, span });
            }
            Rule::else_clause => {
                let t = self.next_content(&mut it, span)?;
                let tspan = self.span(&t);
                let node = match t.as_rule() {
                    Rule::next_target => ElseDecl::Next,
                    Rule::parent_target => ElseDecl::Parent,
                    _ => ElseDecl::Queue(
                        self.string(self.next_content(&mut t.into_inner(), tspan)?)?,
                    ),
                };
                route.otherwise = Some(Clause { node, span });
            }
            _ => return Err(vec![self.internal(span.start)]),
        }
        Ok(())
    }
}

/// A route with a name and no clauses yet.
pub(super) fn empty_route(name: StrLit, span: Span) -> RouteDecl {
    RouteDecl {
        name,
        when: None,
        requires: Vec::new(),
        rank: None,
        balance: None,
        tie: None,
        otherwise: None,
        span,
    }
}

/// Punctuation and keyword pairs, skipped when looking for content.
fn is_token(rule: Rule) -> bool {
    use Rule::*;
    matches!(
        rule,
        lbrace
            | rbrace
            | lparen
            | rparen
            | lbracket
            | rbracket
            | langle
            | rangle
            | comma
            | colon
            | EOI
    ) || matches!(
        rule,
        kw_ruleset
            | kw_version
            | kw_schema
            | kw_enum
            | kw_set
            | kw_map
            | kw_route
            | kw_fallback
            | kw_when
            | kw_require
            | kw_rank
            | kw_balance
            | kw_workload
            | kw_tie
            | kw_round_robin
            | kw_weighted
            | kw_by
            | kw_id
            | kw_else
            | kw_next
            | kw_parent
            | kw_queue
            | kw_unrouted
            | kw_true
            | kw_false
            | kw_not
            | kw_in
    ) || matches!(
        rule,
        kw_calendar
            | kw_timezone
            | kw_hours
            | kw_closed
            | kw_holidays
            | kw_sla
            | kw_start
            | kw_stop
            | kw_pause
            | kw_while
            | kw_goal
            | kw_business
            | kw_warn
            | kw_on
            | kw_breach
            | kw_retract
            | kw_reroute
            | kw_escalate
            | kw_alert
            | kw_remind
            | kw_each
            | kw_stage
            | kw_except
            | op_and
    ) || matches!(
        rule,
        kw_registration
            | kw_match
            | kw_overlap
            | kw_check
            | kw_protect
            | kw_extend
            | kw_max
            | kw_holder
    )
}

/// A string literal's text with its escapes (`\"`, `\\`, `\n`) replaced.
fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut it = s.chars();
    while let Some(c) = it.next() {
        if c == '\\' {
            match it.next() {
                Some('n') => out.push('\n'),
                Some(o) => out.push(o),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Applies `f` to every item and returns every result, or else every error of every item (a
/// file's errors are reported all at once, never only the first).
fn all_or_errors<I, T>(
    items: impl Iterator<Item = I>,
    mut f: impl FnMut(I) -> Result<T, Vec<Diagnostic>>,
) -> Result<Vec<T>, Vec<Diagnostic>> {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for item in items {
        match f(item) {
            Ok(x) => out.push(x),
            Err(mut es) => errors.append(&mut es),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}
