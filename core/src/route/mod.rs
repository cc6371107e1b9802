//! The routing [`Engine`]: a [`Plan`] compiled once, evaluated against a [`Network`].
//!
//! `Engine::new` analyses each rule's requires and picks index-driven candidate generation for
//! the shapes it recognises (`partner.T covers lead.R`, `lead.X in partner.S`,
//! `certified(partner, name)`, `distance(partner.L, lead.L) <= C`); everything else compiles to
//! closures over the network's columns (see `compile.rs`). Semantics: `crate::plan` module docs.
//!
//! Prepared batches ([`Engine::prepare_leads`], [`Engine::route_prepared_compact`]) run rules
//! whose probes are territory and membership lookups in one fused loop: candidate slots per
//! combination of probe keys, lead-only require operands decided once per lead, partner-only
//! rank scores kept per partner and recomputed on assignment, and compact results
//! ([`RoutedBatch`]) expanded to [`Decision`]s only on request.

mod batch;
mod compile;
mod decision;
mod error;
mod eval;
mod exec;
mod prepare;
mod routed;

use std::sync::Arc;

use serde::{Deserialize, Serialize};

pub use decision::{
    Candidate, Decision, Exclusion, Explanation, Outcome, PartnerStateRead, RuleOutcome, RuleTrace,
    RulesetInfo, TieBreak,
};
pub use error::RouteError;
pub use prepare::LeadBatch;
pub use routed::{DecisionView, OutcomeRef, RoutedBatch, StateReadRef, Views};

use crate::network::Network;
use crate::plan::{CmpOp, Else, Expr, Fallback, Plan, Scope, Tie};
use crate::record::Record;
use crate::report::{codes, ErrorReport};
use crate::schema::Schema;
use crate::value::{DurationMs, EpochMs, Type};
use compile::{lead_only, Compiler, FProg, FB};

/// Per-call options.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RouteOptions {
    /// Return an [`Explanation`] with each decision.
    pub explain: bool,
    /// Partner ids that are never candidates (e.g. partners that rejected or timed out on this
    /// lead); their exclusion reason is `excluded by host`.
    pub exclude: Vec<String>,
}

/// The routing instants of a batch.
#[derive(Debug, Clone, Copy)]
pub enum Times<'a> {
    /// Every lead at the same instant.
    At(EpochMs),
    /// Lead `i` at `start + i * step`.
    Step {
        /// The first lead's instant.
        start: EpochMs,
        /// The gap between consecutive leads.
        step: DurationMs,
    },
    /// One instant per lead; a lead without one gets an error.
    Each(&'a [EpochMs]),
}

impl Times<'_> {
    /// The instant of lead `i`.
    pub fn get(&self, i: usize) -> Option<EpochMs> {
        match self {
            Times::At(t) => Some(*t),
            Times::Step { start, step } => {
                let i = i64::try_from(i).ok()?;
                start.checked_add(step.checked_mul(i)?)
            }
            Times::Each(v) => v.get(i).copied(),
        }
    }
}

/// A plan that cannot be compiled.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PlanError {
    /// An expression refers to a field index the schema does not have.
    #[error(
        "rule `{rule}` refers to {scope} field #{index}, which the {scope} schema does not declare"
    )]
    UnknownField {
        /// The rule name.
        rule: String,
        /// `lead` or `partner`.
        scope: String,
        /// The field index.
        index: u16,
    },
}

impl From<&PlanError> for ErrorReport {
    fn from(e: &PlanError) -> ErrorReport {
        let (rule, field) = match e {
            PlanError::UnknownField { rule, index, .. } => (rule.clone(), format!("#{index}")),
        };
        ErrorReport::error(codes::TYPE_UNKNOWN_FIELD, e.to_string())
            .with_help("rebuild the plan against the schemas it was checked with")
            .with_record(rule)
            .with_field(field)
    }
}

impl From<PlanError> for ErrorReport {
    fn from(e: PlanError) -> ErrorReport {
        ErrorReport::from(&e)
    }
}

/// How a require's partners are found through an index.
#[derive(Debug, Clone)]
pub(crate) enum Probe {
    /// `partner.T covers <lead region>`.
    Territory { field: u16, region: Expr },
    /// `<lead text> in partner.S` (set items or map keys).
    Member { field: u16, item: Expr },
    /// `certified(partner, <lead text>)`.
    Cert { field: u16, name: Expr },
    /// `distance(partner.L, <lead point>) <= <lead number>` (a superset; the require is still
    /// evaluated exactly).
    Near { field: u16, at: Expr, km: Expr },
}

pub(crate) struct CReq {
    pub(crate) label: String,
    pub(crate) workload: bool,
    pub(crate) pred: FB,
    /// Index into the rule's probes.
    pub(crate) probe: Option<usize>,
    /// Whether the probe decides the require exactly.
    pub(crate) exact: bool,
}

/// A residual require split for prepared batches: its lead-only operands (one hoisted slot,
/// decided once per lead) and the partner-dependent rest (evaluated per candidate).
pub(crate) struct Split {
    /// The slot of the lead-only part and whether the require is an `or` (else an `and`).
    pub(crate) lead: Option<(usize, bool)>,
    /// The partner-dependent part.
    pub(crate) rest: Option<FB>,
    /// Whether the rest reads only partner fields and literals (no lead, no partner state), so
    /// its value per partner is fixed for a whole batch.
    pub(crate) fixed: bool,
}

impl Split {
    fn new(c: &mut Compiler<'_>, e: &Expr) -> Split {
        if lead_only(e) {
            return Split {
                lead: Some((c.hoist(e), true)),
                rest: None,
                fixed: false,
            };
        }
        let whole = |c: &mut Compiler<'_>| Split {
            lead: None,
            rest: Some(c.pred(e)),
            fixed: c.fixed(e),
        };
        let (xs, or) = match e {
            Expr::Or(xs) => (xs, true),
            Expr::And(xs) => (xs, false),
            _ => return whole(c),
        };
        let (l, r): (Vec<Expr>, Vec<Expr>) = xs.iter().cloned().partition(lead_only);
        let join = |mut v: Vec<Expr>| {
            if v.len() <= 1 {
                v.pop()
            } else if or {
                Some(Expr::Or(v))
            } else {
                Some(Expr::And(v))
            }
        };
        match (join(l), join(r)) {
            (Some(l), Some(r)) => Split {
                lead: Some((c.hoist(&l), or)),
                rest: Some(c.pred(&r)),
                fixed: c.fixed(&r),
            },
            _ => whole(c),
        }
    }
}

pub(crate) enum Otherwise {
    Next,
    Queue(Arc<str>),
    Parent,
}

pub(crate) struct CRule {
    pub(crate) name: Arc<str>,
    pub(crate) when: Option<Expr>,
    pub(crate) reqs: Vec<CReq>,
    /// (global probe id, probe).
    pub(crate) probes: Vec<(usize, Probe)>,
    /// Requires evaluated per candidate on the fast path.
    pub(crate) residual: Vec<usize>,
    pub(crate) slot_fns: Vec<compile::FL>,
    /// The hoisted lead-only expression of each slot (parallel to `slot_fns`), for prepared
    /// batches that evaluate common shapes without the closure.
    pub(crate) slot_exprs: Vec<Expr>,
    /// Whether each slot reads the lead (else it is computed once per batch).
    pub(crate) slot_lead: Vec<bool>,
    /// The lead slots computed when a batch is prepared (they do not depend on the network).
    pub(crate) slots_prepared: Vec<usize>,
    /// The lead slots computed per lead when routing (texts and symbols, interned through the
    /// network).
    pub(crate) slots_live: Vec<usize>,
    /// The residual requires split for prepared batches, parallel to `residual`.
    pub(crate) splits: Vec<Split>,
    /// Whether prepared batches route this rule through the fused loop: its probes are all
    /// resolved per batch (territory, membership) and it does not hand leads to a parent.
    pub(crate) fast: bool,
    /// Whether the rank reads only the partner (fields, state, literals), so prepared batches
    /// keep each partner's score and recompute it only when the partner is assigned.
    pub(crate) rank_cached: bool,
    /// For a cached rank: the rank with its static subexpressions read from per-batch
    /// columns, and those subexpressions.
    pub(crate) rank_folded: Option<(FProg, Vec<FProg>)>,
    pub(crate) rank: Option<FProg>,
    pub(crate) weight: Option<FProg>,
    pub(crate) balance: bool,
    pub(crate) recency: bool,
    pub(crate) otherwise: Otherwise,
}

/// A compiled plan. Immutable and shareable across threads.
pub struct Engine {
    plan: Arc<Plan>,
    pub(crate) rules: Vec<CRule>,
    pub(crate) fallback: Option<Arc<str>>,
    pub(crate) info: RulesetInfo,
    pub(crate) fallback_name: Arc<str>,
    /// All probes of all rules, by global id (for prepared batches).
    pub(crate) all_probes: Vec<Probe>,
}

const _: () = {
    const fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Engine>();
    assert_send_sync::<Network>();
};

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("ruleset", &self.info)
            .field("rules", &self.rules.len())
            .finish()
    }
}

fn check_fields(e: &Expr, plan: &Plan, rule: &str) -> Result<(), PlanError> {
    let bad = |scope: Scope, index: u16| PlanError::UnknownField {
        rule: rule.to_string(),
        scope: match scope {
            Scope::Lead => "lead".into(),
            Scope::Partner => "partner".into(),
        },
        index,
    };
    let has = |scope: Scope, i: u16| match scope {
        Scope::Lead => plan.lead_schema.field(i).is_some(),
        Scope::Partner => plan.partner_schema.field(i).is_some(),
    };
    let rec = |x: &Expr| check_fields(x, plan, rule);
    match e {
        Expr::Lit(_) | Expr::Id(_) => Ok(()),
        Expr::Field(s, i) => {
            if has(*s, *i) {
                Ok(())
            } else {
                Err(bad(*s, *i))
            }
        }
        Expr::Not(x) | Expr::Neg(x) => rec(x),
        Expr::And(xs) | Expr::Or(xs) => xs.iter().try_for_each(rec),
        Expr::Cmp(_, a, b)
        | Expr::Arith(_, a, b)
        | Expr::InSet(a, b)
        | Expr::Covers(a, b)
        | Expr::Distance(a, b) => rec(a).and_then(|_| rec(b)),
        Expr::InList(x, xs) => rec(x).and_then(|_| xs.iter().try_for_each(rec)),
        Expr::Certified { field, name } => {
            if has(Scope::Partner, *field) {
                rec(name)
            } else {
                Err(bad(Scope::Partner, *field))
            }
        }
        Expr::Smoothed { rate, n, .. } => rec(rate).and_then(|_| rec(n)),
        Expr::Utilisation {
            active_leads,
            capacity,
        } => [*active_leads, *capacity].iter().try_for_each(|i| {
            if has(Scope::Partner, *i) {
                Ok(())
            } else {
                Err(bad(Scope::Partner, *i))
            }
        }),
    }
}

fn partner_field(e: &Expr) -> Option<u16> {
    match e {
        Expr::Field(Scope::Partner, f) => Some(*f),
        _ => None,
    }
}

fn ptype(s: &Schema, f: u16) -> Option<&Type> {
    s.field(f).map(|x| &x.ty)
}

/// Recognises an index-driven require: the probe and whether it is exact.
fn probe_of(e: &Expr, plan: &Plan) -> Option<(Probe, bool)> {
    let ps = &plan.partner_schema;
    let sym = |x: &Expr| {
        let c = Compiler::new(plan);
        matches!(c.ty(x), Some(Type::Text | Type::Enum(_)))
    };
    match e {
        Expr::Covers(t, r) => {
            let f = partner_field(t)?;
            let ok = match ptype(ps, f)? {
                Type::Region => true,
                Type::Set(x) => **x == Type::Region,
                _ => false,
            };
            (ok && lead_only(r) && Compiler::new(plan).ty(r) == Some(Type::Region)).then(|| {
                (
                    Probe::Territory {
                        field: f,
                        region: (**r).clone(),
                    },
                    true,
                )
            })
        }
        Expr::InSet(x, s) => {
            let f = partner_field(s)?;
            let ok = match ptype(ps, f)? {
                Type::Set(t) => matches!(**t, Type::Text | Type::Enum(_)),
                Type::Map(k, _) => **k == Type::Text,
                _ => false,
            };
            (ok && lead_only(x) && sym(x)).then(|| {
                (
                    Probe::Member {
                        field: f,
                        item: (**x).clone(),
                    },
                    true,
                )
            })
        }
        Expr::Certified { field, name } => {
            let ok = matches!(ptype(ps, *field)?, Type::Map(k, v) if **k == Type::Text && **v == Type::Date);
            (ok && lead_only(name) && sym(name)).then(|| {
                (
                    Probe::Cert {
                        field: *field,
                        name: (**name).clone(),
                    },
                    true,
                )
            })
        }
        Expr::Cmp(op, a, b) => {
            let (d, km) = match op {
                CmpOp::Le | CmpOp::Lt => (a, b),
                CmpOp::Ge | CmpOp::Gt => (b, a),
                _ => return None,
            };
            let Expr::Distance(x, y) = &**d else {
                return None;
            };
            if !lead_only(km) {
                return None;
            }
            let (f, at) = match (partner_field(x), partner_field(y)) {
                (Some(f), None) if lead_only(y) => (f, y),
                (None, Some(f)) if lead_only(x) => (f, x),
                _ => return None,
            };
            (ptype(ps, f)? == &Type::GeoPoint).then(|| {
                (
                    Probe::Near {
                        field: f,
                        at: (**at).clone(),
                        km: (**km).clone(),
                    },
                    false,
                )
            })
        }
        _ => None,
    }
}

impl Engine {
    /// Compiles a plan.
    pub fn new(plan: Arc<Plan>) -> Result<Engine, PlanError> {
        let ps = &plan.partner_schema;
        let int_field = |n: &str| ps.index_of(n).filter(|i| ptype(ps, *i) == Some(&Type::Int));
        let guard_expr = match (int_field("active_leads"), int_field("capacity")) {
            (Some(a), Some(c)) => Some(Expr::Cmp(
                CmpOp::Lt,
                Box::new(Expr::Field(Scope::Partner, a)),
                Box::new(Expr::Field(Scope::Partner, c)),
            )),
            _ => None,
        };
        let mut rules = Vec::with_capacity(plan.rules.len());
        let mut all_probes = Vec::new();
        for r in &plan.rules {
            let exprs = r
                .when
                .iter()
                .chain(r.requires.iter().map(|q| &q.expr))
                .chain(r.rank.iter());
            for e in exprs {
                check_fields(e, &plan, &r.name)?;
            }
            if let Tie::RoundRobin { weight: Some(w) } = &r.tie {
                check_fields(w, &plan, &r.name)?;
            }
            let mut c = Compiler::new(&plan);
            let mut reqs = Vec::with_capacity(r.requires.len());
            let mut probes = Vec::new();
            let mut residual = Vec::new();
            for (i, q) in r.requires.iter().enumerate() {
                let pred = c.pred(&q.expr);
                let implied = guard_expr.as_ref() == Some(&q.expr);
                let (probe, exact) = match probe_of(&q.expr, &plan) {
                    Some((p, exact)) => {
                        probes.push((all_probes.len(), p.clone()));
                        all_probes.push(p);
                        (Some(probes.len() - 1), exact)
                    }
                    None => (None, false),
                };
                if !exact && !implied {
                    // requires the capacity guard implies are never evaluated on the fast path
                    residual.push(i);
                }
                reqs.push(CReq {
                    label: q.label.clone(),
                    workload: q.workload,
                    pred,
                    probe,
                    exact,
                });
            }
            let splits = residual
                .iter()
                .filter_map(|i| r.requires.get(*i))
                .map(|q| Split::new(&mut c, &q.expr))
                .collect();
            let fast = !matches!(r.otherwise, Else::Parent)
                && probes
                    .iter()
                    .all(|(_, p)| matches!(p, Probe::Territory { .. } | Probe::Member { .. }));
            let rank = r.rank.as_ref().map(|e| c.float_prog(e));
            let rank_folded = r
                .rank
                .as_ref()
                .filter(|e| compile::partner_only(e))
                .map(|e| {
                    let mut statics = Vec::new();
                    let f = c.float_prog_folded(e, &mut statics);
                    (f, statics)
                });
            let (recency, weight) = match &r.tie {
                Tie::RoundRobin { weight } => (true, weight.as_ref().map(|w| c.float_prog(w))),
                Tie::Id => (false, None),
            };
            rules.push(CRule {
                name: Arc::from(r.name.as_str()),
                when: r.when.clone(),
                reqs,
                probes,
                residual,
                slot_fns: c.slot_fns,
                slot_exprs: c.slots,
                slots_prepared: (0..c.slot_lead.len())
                    .filter(|k| {
                        c.slot_lead.get(*k) == Some(&true) && c.slot_net.get(*k) == Some(&false)
                    })
                    .collect(),
                slots_live: (0..c.slot_lead.len())
                    .filter(|k| {
                        c.slot_lead.get(*k) == Some(&true) && c.slot_net.get(*k) != Some(&false)
                    })
                    .collect(),
                slot_lead: c.slot_lead,
                splits,
                fast,
                rank_cached: r.rank.as_ref().is_some_and(compile::partner_only),
                rank_folded,
                rank,
                weight,
                balance: r.balance,
                recency,
                otherwise: match &r.otherwise {
                    Else::Next => Otherwise::Next,
                    Else::Queue(q) => Otherwise::Queue(Arc::from(q.as_str())),
                    Else::Parent => Otherwise::Parent,
                },
            });
        }
        Ok(Engine {
            fallback: match &plan.fallback {
                Fallback::Queue(q) => Some(Arc::from(q.as_str())),
                Fallback::Unrouted => None,
            },
            info: RulesetInfo {
                name: plan.name.clone(),
                version: plan.version,
                content_hash: plan.content_hash.clone(),
            },
            fallback_name: Arc::from("fallback"),
            rules,
            all_probes,
            plan,
        })
    }

    /// The compiled plan.
    pub fn plan(&self) -> &Arc<Plan> {
        &self.plan
    }

    /// Routes one lead at `now` without changing the network (the host applies the decision,
    /// e.g. with compare-and-set on [`Decision::state_read`]).
    pub fn route(
        &self,
        network: &Network,
        lead: &Record,
        now: EpochMs,
        opts: &RouteOptions,
    ) -> Result<Decision, RouteError> {
        self.check_lead(lead)?;
        let mut scratch = exec::Scratch::default();
        scratch.set_exclude(network, &opts.exclude);
        Ok(self
            .decide(network, lead, now, opts.explain, None, &mut scratch)
            .0)
    }

    /// Routes leads in order, applying each assignment to the network's state (see the plan
    /// module docs). A lead with bad data gets its own error and changes no state.
    pub fn route_batch(
        &self,
        network: &mut Network,
        leads: &[Record],
        times: Times<'_>,
        opts: &RouteOptions,
    ) -> Vec<Result<Decision, ErrorReport>> {
        let mut scratch = exec::Scratch::default();
        scratch.set_exclude(network, &opts.exclude);
        let mut out = Vec::with_capacity(leads.len());
        for (i, lead) in leads.iter().enumerate() {
            let r = self.check_lead(lead).and_then(|_| {
                times.get(i).ok_or_else(|| RouteError::MissingInstant {
                    lead: lead.id.to_string(),
                })
            });
            match r {
                Err(e) => out.push(Err(ErrorReport::from(e))),
                Ok(now) => {
                    let (d, chosen) =
                        self.decide(network, lead, now, opts.explain, None, &mut scratch);
                    if let Some(p) = chosen {
                        network.assign(p, now);
                    }
                    out.push(Ok(d));
                }
            }
        }
        out
    }

    #[expect(
        clippy::result_large_err,
        reason = "batch items carry the language-neutral ErrorReport"
    )]
    /// Routes leads without changing the network, in parallel on rayon's pool. Each lead sees
    /// the same state, so results do not depend on the thread count.
    pub fn route_many(
        &self,
        network: &Network,
        leads: &[Record],
        times: Times<'_>,
        opts: &RouteOptions,
    ) -> Vec<Result<Decision, ErrorReport>> {
        use rayon::prelude::*;
        leads
            .par_iter()
            .enumerate()
            .map_init(
                || {
                    let mut s = exec::Scratch::default();
                    s.set_exclude(network, &opts.exclude);
                    s
                },
                |scratch, (i, lead)| {
                    self.check_lead(lead)
                        .and_then(|_| {
                            times.get(i).ok_or_else(|| RouteError::MissingInstant {
                                lead: lead.id.to_string(),
                            })
                        })
                        .map(|now| {
                            self.decide(network, lead, now, opts.explain, None, scratch)
                                .0
                        })
                        .map_err(ErrorReport::from)
                },
            )
            .collect()
    }

    #[inline]
    pub(crate) fn check_lead(&self, lead: &Record) -> Result<(), RouteError> {
        use crate::network::validate::{check, Invalid};
        if let Some((field, t)) =
            crate::record::region_with_exceptions(&self.plan.lead_schema, lead)
        {
            return Err(RouteError::InvalidField {
                lead: lead.id.to_string(),
                field: field.to_string(),
                expected: "a region without `except` (exceptions carve out partner territories, \
                           a lead is in one region)"
                    .into(),
                found: format!("`{t}`"),
            });
        }
        check(&self.plan.lead_schema, lead).map_err(|e| match e {
            Invalid::Count { expected, found } => RouteError::FieldCount {
                lead: lead.id.to_string(),
                expected,
                found,
            },
            Invalid::Field {
                field,
                expected,
                found,
            } => RouteError::InvalidField {
                lead: lead.id.to_string(),
                field,
                expected,
                found,
            },
        })
    }
}
