//! Lowering: a checked file to the core [`Plan`] (rules with resolved expressions, require
//! labels and workload flags, schemas, the content hash).

use leadrail_core::plan::{Expr, Plan, Require, RouteRule, Scope};
use leadrail_core::schema::Schema;
use sha2::{Digest, Sha256};

use crate::ast::RuleFile;
use crate::check::Checked;
use crate::fmt::expr_to_string;

/// The first 16 hex digits of the SHA-256 of the source.
pub fn content_hash(source: &str) -> String {
    let digest = Sha256::digest(source.as_bytes());
    digest.iter().take(8).map(|b| format!("{b:02x}")).collect()
}

/// Whether an expression reads the partner's `status`, `active_leads` or `capacity` field or
/// calls `utilisation(partner)`.
pub fn is_workload(e: &Expr, partner: &Schema) -> bool {
    let workload_field = |i: u16| {
        partner
            .field(i)
            .is_some_and(|f| matches!(f.name.as_str(), "status" | "active_leads" | "capacity"))
    };
    let mut stack = vec![e];
    while let Some(x) = stack.pop() {
        match x {
            Expr::Field(Scope::Partner, i) if workload_field(*i) => return true,
            Expr::Utilisation { .. } => return true,
            Expr::Lit(_) | Expr::Field(..) | Expr::Id(_) => {}
            Expr::Not(a) | Expr::Neg(a) => stack.push(a),
            Expr::And(v) | Expr::Or(v) => stack.extend(v.iter()),
            Expr::Cmp(_, a, b)
            | Expr::Arith(_, a, b)
            | Expr::InSet(a, b)
            | Expr::Covers(a, b)
            | Expr::Distance(a, b) => {
                stack.push(a);
                stack.push(b);
            }
            Expr::InList(a, v) => {
                stack.push(a);
                stack.extend(v.iter());
            }
            Expr::Certified { name, .. } => stack.push(name),
            Expr::Smoothed { rate, n, .. } => {
                stack.push(rate);
                stack.push(n);
            }
        }
    }
    false
}

/// Builds the plan of a checked file. `file` is the syntax tree `checked` came from (for the
/// require labels) and `source` its text (for the content hash).
pub fn lower(source: &str, file: &RuleFile, checked: Checked) -> Plan {
    let partner = checked.partner;
    let rules = checked
        .rules
        .into_iter()
        .zip(file.routes())
        .map(|(rule, ast)| RouteRule {
            requires: rule
                .requires
                .into_iter()
                .zip(ast.requires.iter())
                .map(|(expr, clause)| Require {
                    workload: is_workload(&expr, &partner),
                    label: expr_to_string(&clause.node),
                    expr,
                })
                .collect(),
            name: rule.name,
            when: rule.when,
            rank: rule.rank,
            balance: rule.balance,
            tie: rule.tie,
            otherwise: rule.otherwise,
        })
        .collect();
    Plan {
        name: checked.name,
        version: checked.version,
        content_hash: content_hash(source),
        lead_schema: checked.lead,
        partner_schema: partner,
        rules,
        fallback: checked.fallback,
        calendars: checked.slas.calendars,
        slas: checked.slas.slas,
        registrations: checked.registrations,
    }
}
