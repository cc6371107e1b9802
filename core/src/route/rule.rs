//! A compiled rule ([`CompiledRule`]): what routing reads of one plan rule, built once by
//! [`Engine::new`](super::Engine::new). Each item of a rule (a require, a probe, a lead slot,
//! a residual require and its split) is one struct, so nothing depends on vectors being kept
//! the same length.

use std::sync::Arc;

use super::analysis::{check_fields, lead_only, partner_only};
use super::compile::{Compiler, LeadFn, PredicateFn};
use super::error::PlanError;
use super::number::NumProgram;
use super::probe::Probe;
use crate::plan::{CmpOp, Else, Expr, Plan, RouteRule, Scope, Tie};
use crate::value::Type;

/// One rule, compiled.
pub(crate) struct CompiledRule {
    pub(crate) name: Arc<str>,
    pub(crate) when: Option<Expr>,
    /// The requires, in order.
    pub(crate) requires: Vec<CompiledRequire>,
    /// The rule's index probes.
    pub(crate) probes: Vec<RuleProbe>,
    /// The requires evaluated per candidate when the probes have narrowed the candidates (the
    /// others are decided exactly by a probe or implied by the capacity guard).
    pub(crate) residual: Vec<Residual>,
    /// The lead-only subexpressions the compiled requires and rank read.
    pub(crate) slots: LeadSlots,
    /// Whether prepared batches route this rule through the fused loop: its probes are all
    /// resolved per batch (territory, membership) and it does not hand leads to a parent.
    pub(crate) fused: bool,
    pub(crate) rank: Option<Rank>,
    /// `balance workload`: utilisation orders candidates of equal score.
    pub(crate) balance: bool,
    /// `tie round_robin`, with its weight if any (else the tie-break is the partner id).
    pub(crate) round_robin: Option<RoundRobin>,
    pub(crate) otherwise: Otherwise,
}

/// A compiled require.
pub(crate) struct CompiledRequire {
    /// Its source text (the exclusion reason).
    pub(crate) label: String,
    /// Whether it is a workload require (see [`crate::plan::Require::workload`]).
    pub(crate) workload: bool,
    pub(crate) test: PredicateFn,
    /// The index (into [`CompiledRule::probes`]) of a probe that decides this require exactly:
    /// a partner passes it when the probe's bit is set.
    pub(crate) exact_probe: Option<usize>,
}

/// A probe of a rule.
pub(crate) struct RuleProbe {
    /// Its index among all the engine's probes ([`super::Engine::probes`]), by which prepared
    /// batches resolve it.
    pub(crate) id: usize,
    pub(crate) probe: Probe,
}

/// A residual require: its index among the rule's requires and its split.
pub(crate) struct Residual {
    pub(crate) require: usize,
    pub(crate) split: SplitRequire,
}

/// A residual require split for prepared batches: its lead-only operands (one hoisted slot,
/// decided once per lead) and the partner-dependent rest (evaluated per candidate).
pub(crate) struct SplitRequire {
    pub(crate) lead: Option<LeadPart>,
    /// The partner-dependent part.
    pub(crate) rest: Option<PredicateFn>,
    /// Whether the rest reads only partner fields and literals (no lead, no partner state), so
    /// its value per partner is fixed for a whole batch.
    pub(crate) fixed: bool,
}

/// The lead-only part of a [`SplitRequire`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct LeadPart {
    /// Its slot.
    pub(crate) slot: usize,
    /// Whether the require is an `or` of the parts (else an `and`).
    pub(crate) or: bool,
}

/// A hoisted lead-only subexpression.
pub(crate) struct LeadSlot {
    pub(crate) expr: Expr,
    pub(crate) eval: LeadFn,
    pub(crate) timing: SlotTiming,
}

/// When a slot's value is computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SlotTiming {
    /// It does not read the lead: once per batch.
    Constant,
    /// It reads the lead, not the network: when a batch is prepared.
    Prepared,
    /// It reads the lead and interns texts through the network: per lead when routing.
    Live,
}

/// A rule's lead slots.
#[derive(Default)]
pub(crate) struct LeadSlots {
    pub(crate) all: Vec<LeadSlot>,
    /// The slots computed when a batch is prepared, in the order of a lead's prepared values.
    pub(crate) prepared: Vec<usize>,
    /// The slots computed per lead when routing a prepared batch.
    pub(crate) live: Vec<usize>,
}

impl LeadSlots {
    fn new(all: Vec<LeadSlot>) -> LeadSlots {
        let with = |timing: SlotTiming| {
            all.iter()
                .enumerate()
                .filter(|(_, s)| s.timing == timing)
                .map(|(k, _)| k)
                .collect()
        };
        LeadSlots {
            prepared: with(SlotTiming::Prepared),
            live: with(SlotTiming::Live),
            all,
        }
    }
}

/// A compiled rank.
pub(crate) struct Rank {
    pub(crate) program: NumProgram,
    /// For a rank that reads only the partner (fields, state, literals): the form prepared
    /// batches keep per partner and recompute only when the partner is assigned.
    pub(crate) partner_only: Option<FoldedRank>,
}

/// A partner-only rank with its static subexpressions read from per-batch columns.
pub(crate) struct FoldedRank {
    pub(crate) program: NumProgram,
    /// The static subexpressions, computed per partner once per batch.
    pub(crate) statics: Vec<NumProgram>,
}

/// `tie round_robin`.
pub(crate) struct RoundRobin {
    pub(crate) weight: Option<NumProgram>,
}

/// What a rule does when no candidate is left.
pub(crate) enum Otherwise {
    Next,
    Queue(Arc<str>),
    Parent,
}

impl CompiledRule {
    /// The partner-only form of the rank, if the rank has one.
    pub(crate) fn folded_rank(&self) -> Option<&FoldedRank> {
        self.rank.as_ref()?.partner_only.as_ref()
    }

    /// The round-robin weight, if any.
    pub(crate) fn weight(&self) -> Option<&NumProgram> {
        self.round_robin.as_ref()?.weight.as_ref()
    }

    /// Compiles rule `r` of `plan`, adding its probes to the engine's `probes`.
    pub(crate) fn new(
        r: &RouteRule,
        plan: &Plan,
        probes: &mut Vec<Probe>,
    ) -> Result<CompiledRule, PlanError> {
        let exprs = r
            .when
            .iter()
            .chain(r.requires.iter().map(|q| &q.expr))
            .chain(r.rank.iter());
        for e in exprs {
            check_fields(e, plan, &r.name)?;
        }
        if let Tie::RoundRobin { weight: Some(w) } = &r.tie {
            check_fields(w, plan, &r.name)?;
        }
        let guard = capacity_guard(plan);
        let mut c = Compiler::new(plan);
        let mut requires = Vec::with_capacity(r.requires.len());
        let mut rule_probes = Vec::new();
        let mut residual = Vec::new();
        for (i, q) in r.requires.iter().enumerate() {
            let test = c.predicate(&q.expr);
            let implied = guard.as_ref() == Some(&q.expr);
            let mut exact_probe = None;
            if let Some((probe, exact)) = Probe::of(&q.expr, plan) {
                if exact {
                    exact_probe = Some(rule_probes.len());
                }
                rule_probes.push(RuleProbe {
                    id: probes.len(),
                    probe: probe.clone(),
                });
                probes.push(probe);
            }
            if exact_probe.is_none() && !implied {
                // requires the capacity guard implies are never evaluated on the fast path
                residual.push(i);
            }
            requires.push(CompiledRequire {
                label: q.label.clone(),
                workload: q.workload,
                test,
                exact_probe,
            });
        }
        let residual = residual
            .into_iter()
            .filter_map(|i| {
                let q = r.requires.get(i)?;
                Some(Residual {
                    require: i,
                    split: SplitRequire::new(&mut c, &q.expr),
                })
            })
            .collect();
        let fused = !matches!(r.otherwise, Else::Parent)
            && rule_probes
                .iter()
                .all(|p| matches!(p.probe, Probe::Territory { .. } | Probe::Member { .. }));
        let rank = r.rank.as_ref().map(|e| Rank {
            program: c.number(e),
            partner_only: partner_only(e).then(|| {
                let mut statics = Vec::new();
                let program = c.number_folded(e, &mut statics);
                FoldedRank { program, statics }
            }),
        });
        let round_robin = match &r.tie {
            Tie::RoundRobin { weight } => Some(RoundRobin {
                weight: weight.as_ref().map(|w| c.number(w)),
            }),
            Tie::Id => None,
        };
        Ok(CompiledRule {
            name: Arc::from(r.name.as_str()),
            when: r.when.clone(),
            requires,
            probes: rule_probes,
            residual,
            slots: LeadSlots::new(c.slots),
            fused,
            rank,
            balance: r.balance,
            round_robin,
            otherwise: match &r.otherwise {
                Else::Next => Otherwise::Next,
                Else::Queue(q) => Otherwise::Queue(Arc::from(q.as_str())),
                Else::Parent => Otherwise::Parent,
            },
        })
    }
}

/// `partner.active_leads < partner.capacity` when the partner schema has both int fields: the
/// implicit capacity guard, which makes a require of that form redundant.
fn capacity_guard(plan: &Plan) -> Option<Expr> {
    let ps = &plan.partner_schema;
    let int_field = |n: &str| {
        ps.index_of(n)
            .filter(|i| ps.field(*i).map(|f| &f.ty) == Some(&Type::Int))
    };
    let field = |i: u16| Box::new(Expr::Field(Scope::Partner, i));
    Some(Expr::Cmp(
        CmpOp::Lt,
        field(int_field("active_leads")?),
        field(int_field("capacity")?),
    ))
}

impl SplitRequire {
    fn new(c: &mut Compiler<'_>, e: &Expr) -> SplitRequire {
        if lead_only(e) {
            return SplitRequire {
                lead: Some(LeadPart {
                    slot: c.hoist(e),
                    or: true,
                }),
                rest: None,
                fixed: false,
            };
        }
        let whole = |c: &mut Compiler<'_>| SplitRequire {
            lead: None,
            rest: Some(c.predicate(e)),
            fixed: c.state.fixed(e),
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
            (Some(l), Some(r)) => SplitRequire {
                lead: Some(LeadPart {
                    slot: c.hoist(&l),
                    or,
                }),
                rest: Some(c.predicate(&r)),
                fixed: c.state.fixed(&r),
            },
            _ => whole(c),
        }
    }
}
