//! The routing [`Engine`]: a [`Plan`] compiled once, evaluated against a [`Network`].
//!
//! `Engine::new` analyses each rule's requires and picks index-driven candidate generation for
//! the shapes it recognises (`probe.rs`); everything else compiles to closures over the
//! network's columns (`compile.rs`) and numbers to programs (`number/`). Semantics: `crate::plan`
//! module docs.
//!
//! Prepared batches ([`Engine::prepare_leads`], [`Engine::route_prepared_compact`]) run rules
//! whose probes are territory and membership lookups in one fused loop: candidate slots per
//! combination of probe keys, lead-only require operands decided once per lead, partner-only
//! rank scores kept per partner and recomputed on assignment, and compact results
//! ([`RoutedBatch`]) expanded to [`Decision`]s only on request.
//!
//! | file | job |
//! |---|---|
//! | `mod.rs` | [`Engine`], options and instants, routing one lead or a batch of records |
//! | `assign.rs` | [`Engine::assign`]: one lead routed and recorded, held until released |
//! | `rule.rs` | the compiled rule and how a plan rule is compiled |
//! | `analysis.rs` | what an expression reads, its static type, its field references |
//! | `probe.rs` | index probes: recognised shapes and index lookups |
//! | `compile.rs` | conditions and scalars compiled to closures, lead slots |
//! | `number/` | numeric semantics, numeric programs, batch-specialised scores |
//! | `eval.rs` | the generic evaluator over values |
//! | `order.rs` | the candidate order (score, workload, round robin, id) |
//! | `decide.rs` | deciding one lead: rules in order, candidates, explanation |
//! | `prepare/` | prepared batches: checks, probe keys, prepared slot values |
//! | `batch.rs`, `fused.rs`, `fused_rule.rs` | prepared batches: the general path, the fused loop |
//! | `carry.rs` | what a batch's chunks share, carried from chunk to chunk |
//! | `routed.rs`, `decision.rs`, `error.rs` | what routing returns and its errors |

mod analysis;
mod assign;
pub(crate) use assign::not_held;
mod batch;
mod carry;
mod compile;
mod decide;
mod decision;
mod error;
mod eval;
mod fused;
mod fused_rule;
mod number;
mod order;
mod prepare;
mod probe;
mod routed;
mod rule;

use std::sync::Arc;

use serde::{Deserialize, Serialize};

pub use carry::Carry;
pub use decision::{
    Candidate, Decision, Exclusion, Explanation, Outcome, PartnerStateRead, RuleOutcome, RuleTrace,
    RulesetInfo, TieBreak,
};
pub use error::{PlanError, RouteError};
pub use prepare::LeadBatch;
pub use routed::{DecisionView, OutcomeRef, RoutedBatch, StateReadRef, Views};

use crate::network::Network;
use crate::plan::{Fallback, Plan};
use crate::record::Record;
use crate::report::ErrorReport;
use crate::value::{DurationMs, EpochMs};
use decide::Scratch;
use probe::Probe;
use rule::CompiledRule;

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
    #[inline]
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

    /// The instant of lead `i`, or the error of a lead without one.
    #[inline]
    pub(crate) fn of_lead(&self, i: usize, lead: &str) -> Result<EpochMs, RouteError> {
        self.get(i).ok_or_else(|| RouteError::MissingInstant {
            lead: lead.to_string(),
        })
    }
}

/// A compiled plan. Immutable and shareable across threads.
pub struct Engine {
    plan: Arc<Plan>,
    pub(crate) rules: Vec<CompiledRule>,
    /// The fallback's queue (`None`: unrouted).
    pub(crate) fallback_queue: Option<Arc<str>>,
    /// The rule name decisions of the fallback carry.
    pub(crate) fallback_name: Arc<str>,
    pub(crate) info: RulesetInfo,
    /// All probes of all rules, by id ([`rule::RuleProbe::id`]), for prepared batches.
    pub(crate) probes: Vec<Probe>,
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

impl Engine {
    /// Compiles a plan.
    pub fn new(plan: Arc<Plan>) -> Result<Engine, PlanError> {
        let mut probes = Vec::new();
        let rules = plan
            .rules
            .iter()
            .map(|r| CompiledRule::new(r, &plan, &mut probes))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Engine {
            fallback_queue: match &plan.fallback {
                Fallback::Queue(q) => Some(Arc::from(q.as_str())),
                Fallback::Unrouted => None,
            },
            fallback_name: Arc::from("fallback"),
            info: RulesetInfo {
                name: plan.name.clone(),
                version: plan.version,
                content_hash: plan.content_hash.clone(),
            },
            rules,
            probes,
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
        let mut scratch = Scratch::new(network, &opts.exclude);
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
        let mut scratch = Scratch::new(network, &opts.exclude);
        let mut out = Vec::with_capacity(leads.len());
        for (i, lead) in leads.iter().enumerate() {
            match self
                .check_lead(lead)
                .and_then(|_| times.of_lead(i, &lead.id))
            {
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
                || Scratch::new(network, &opts.exclude),
                |scratch, (i, lead)| {
                    self.check_lead(lead)
                        .and_then(|_| times.of_lead(i, &lead.id))
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
