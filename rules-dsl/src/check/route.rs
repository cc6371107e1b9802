//! Route clauses: each clause typed in its scope, and what `balance workload`, `else parent`
//! and the tie-break need from the partner schema.

use leadrail_core::plan;
use leadrail_core::report::codes;
use leadrail_core::schema::Schema;
use leadrail_core::value::Type;

use super::expr::{ClauseContext, Reads};
use super::messages::{describe, this_is};
use super::{CheckedRule, Checker};
use crate::ast::{Clause, ElseDecl, Expr, RouteDecl, TieDecl};

impl Checker<'_> {
    /// Checks a route's clauses and elaborates them (`None` after an error was reported).
    pub(super) fn route(
        &mut self,
        r: &RouteDecl,
        lead: &Schema,
        partner: &Schema,
    ) -> Option<CheckedRule> {
        let in_clause = |reads, clause| ClauseContext {
            lead,
            partner,
            reads,
            clause,
        };
        // `Some(None)`: the clause is there and its error has been reported
        let when = r
            .when
            .as_ref()
            .map(|w| self.condition(&in_clause(Reads::LeadOnly, "when"), &w.node));
        let mut ok = !matches!(when, Some(None));
        let mut requires = Vec::new();
        for q in &r.requires {
            let ctx = in_clause(Reads::Both, "require");
            match self.condition(&ctx, &q.node) {
                Some(e) => requires.push(e),
                None => ok = false,
            }
        }
        let rank = r
            .rank
            .as_ref()
            .map(|k| self.numeric(&in_clause(Reads::Both, "rank"), &k.node));
        ok &= !matches!(rank, Some(None));
        if let Some(b) = &r.balance {
            if !has_int(partner, "capacity") || !has_int(partner, "active_leads") {
                self.requirement(
                    b.span,
                    "`balance workload`",
                    "int partner fields `capacity` and `active_leads`",
                    "add `capacity: int, active_leads: int` to the partner schema",
                );
                ok = false;
            }
        }
        let tie = match &r.tie {
            Some(Clause {
                node: TieDecl::RoundRobin(Some(w)),
                ..
            }) => {
                let ctx = in_clause(Reads::PartnerOnly, "weighted by");
                match self.numeric(&ctx, w) {
                    Some(e) => plan::Tie::RoundRobin { weight: Some(e) },
                    None => {
                        ok = false;
                        plan::Tie::RoundRobin { weight: None }
                    }
                }
            }
            Some(Clause {
                node: TieDecl::Id, ..
            }) => plan::Tie::Id,
            _ => plan::Tie::RoundRobin { weight: None },
        };
        let otherwise = match &r.otherwise {
            Some(Clause {
                node: ElseDecl::Queue(q),
                ..
            }) => plan::Else::Queue(q.value.clone()),
            Some(Clause {
                node: ElseDecl::Parent,
                span,
            }) => {
                let has_parent = partner
                    .fields
                    .iter()
                    .any(|f| f.name == "parent" && f.ty == Type::Text);
                if !has_parent {
                    self.requirement(
                        *span,
                        "`else parent`",
                        "a text partner field `parent`",
                        "add `parent: text?` (the parent partner's id) to the partner schema",
                    );
                    ok = false;
                }
                plan::Else::Parent
            }
            _ => plan::Else::Next,
        };
        ok.then(|| CheckedRule {
            name: r.name.value.clone(),
            when: when.flatten(),
            requires,
            rank: rank.flatten(),
            balance: r.balance.is_some(),
            tie,
            otherwise,
        })
    }

    /// A condition: an expression of type bool.
    fn condition(&mut self, ctx: &ClauseContext<'_>, e: &Expr) -> Option<plan::Expr> {
        let (ty, out) = self.expr(ctx, e, None)?;
        if ty != Type::Bool {
            let d = self
                .src
                .error(
                    codes::TYPE_MISMATCH,
                    format!(
                        "`{}` needs a condition (bool), found {}",
                        ctx.clause,
                        describe(&ty)
                    ),
                )
                .label(e.span, this_is(&ty))
                .help("compare the value, e.g. `partner.capacity > 0`");
            self.err(d);
            return None;
        }
        Some(out)
    }

    /// A score or a weight: an expression of a numeric type.
    fn numeric(&mut self, ctx: &ClauseContext<'_>, e: &Expr) -> Option<plan::Expr> {
        let (ty, out) = self.expr(ctx, e, None)?;
        if !ty.is_numeric() {
            let d = self
                .src
                .error(
                    codes::TYPE_MISMATCH,
                    format!("`{}` needs a number, found {}", ctx.clause, describe(&ty)),
                )
                .label(e.span, this_is(&ty))
                .help("scores and weights are numbers, e.g. `partner.conversion_rate`");
            self.err(d);
            return None;
        }
        Some(out)
    }
}

/// Whether a schema has an int field `name`.
pub(super) fn has_int(s: &Schema, name: &str) -> bool {
    s.index_of(name)
        .and_then(|i| s.field(i))
        .is_some_and(|f| f.ty == Type::Int)
}
