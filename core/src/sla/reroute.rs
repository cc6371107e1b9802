//! Retraction and re-routing: which partners a re-routed lead must avoid, and why.
//!
//! On a breach whose action is [`Action::RetractAndReroute`], the host retracts the lead from
//! its partner and routes it again excluding every partner that **rejected** it (a `rejected`
//! event) or **timed out** on it (an instance bound to that partner breached, on a policy whose
//! breach actions include re-routing). [`reroute_plan`] computes that from a timeline and its
//! evaluation, so the routing call is one line:
//! `engine.route(&network, &lead, now, &RouteOptions { exclude: plan.exclude_ids(), .. })`.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::route::{Decision, Exclusion};
use crate::timeline::{EventData, Timeline};
use crate::value::EpochMs;

use super::{Action, DueAction, DueKind, Evaluation, SlaSet, SlaState};

/// Why a partner is excluded from re-routing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum RerouteReason {
    /// The partner rejected the lead.
    Rejected {
        /// When.
        at: EpochMs,
        /// The reason it gave.
        reason: String,
    },
    /// The partner let an SLA with a re-route action run out.
    TimedOut {
        /// The policy.
        sla: String,
        /// The instance label.
        instance: String,
        /// When the goal ran out.
        due_at: EpochMs,
    },
}

/// One excluded partner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RerouteExclusion {
    /// The partner id.
    pub partner: String,
    /// The first reason found (rejections first, then time-outs, each in timeline order).
    pub reason: RerouteReason,
}

/// What to do for a due re-route action.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReroutePlan {
    /// The due action that triggers the re-route (its id is what the host marks as executed).
    pub trigger: DueAction,
    /// The partner to retract the lead from (record `retracted` for it), if it still holds it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retract: Option<String>,
    /// Partners the new routing must exclude, each once.
    pub exclude: Vec<RerouteExclusion>,
}

impl ReroutePlan {
    /// The excluded partner ids, for the routing engine's `exclude` option.
    pub fn exclude_ids(&self) -> Vec<String> {
        self.exclude.iter().map(|e| e.partner.clone()).collect()
    }

    /// Records in a decision routed with [`ReroutePlan::exclude_ids`] why those partners were
    /// excluded: the explanation's `excluded by host` group is replaced by one group per
    /// reason, in its place, e.g. `rejected the lead: no capacity` and `timed out on sla
    /// `accept``; partners excluded by the host for no reason of this plan stay in `excluded by
    /// host`. Each group lists its partners by id ascending. A decision without an explanation
    /// is left as it is.
    pub fn annotate(&self, decision: &mut Decision) {
        let Some(explanation) = decision.explanation.as_mut() else {
            return;
        };
        let Some(pos) = explanation
            .excluded
            .iter()
            .position(|e| e.reason == HOST_EXCLUSION)
        else {
            return;
        };
        let host = explanation.excluded.remove(pos);
        let mut groups: Vec<Exclusion> = Vec::new();
        let mut rest: Vec<Arc<str>> = Vec::new();
        for partner in host.partners {
            let reason = self
                .exclude
                .iter()
                .find(|e| *e.partner == *partner)
                .map(|e| e.reason.label());
            match reason {
                Some(reason) => match groups.iter_mut().find(|g| g.reason == reason) {
                    Some(g) => g.partners.push(partner),
                    None => groups.push(Exclusion {
                        reason,
                        partners: vec![partner],
                    }),
                },
                None => rest.push(partner),
            }
        }
        if !rest.is_empty() {
            groups.push(Exclusion {
                reason: HOST_EXCLUSION.to_string(),
                partners: rest,
            });
        }
        for (i, g) in groups.into_iter().enumerate() {
            explanation.excluded.insert(pos + i, g);
        }
    }
}

/// The reason the routing engine gives partners excluded through `RouteOptions::exclude`.
const HOST_EXCLUSION: &str = "excluded by host";

impl RerouteReason {
    /// A short text for explanations: `rejected the lead: {reason}` (or `rejected the lead`
    /// without a reason) and `timed out on sla `{sla}``.
    pub fn label(&self) -> String {
        match self {
            RerouteReason::Rejected { reason, .. } if reason.is_empty() => {
                "rejected the lead".to_string()
            }
            RerouteReason::Rejected { reason, .. } => format!("rejected the lead: {reason}"),
            RerouteReason::TimedOut { sla, .. } => format!("timed out on sla `{sla}`"),
        }
    }
}

/// The partners that rejected the lead or timed out on it (see the module docs).
pub fn exclusions(
    set: &SlaSet,
    timeline: &Timeline,
    evaluation: &Evaluation,
) -> Vec<RerouteExclusion> {
    let mut out: Vec<RerouteExclusion> = Vec::new();
    let mut add = |partner: &str, reason: RerouteReason| {
        if !out.iter().any(|e| e.partner == partner) {
            out.push(RerouteExclusion {
                partner: partner.to_string(),
                reason,
            });
        }
    };
    for ev in &timeline.events {
        if ev.at > evaluation.cursor {
            break;
        }
        if let EventData::Rejected { partner, reason } = &ev.data {
            add(
                partner,
                RerouteReason::Rejected {
                    at: ev.at,
                    reason: reason.clone(),
                },
            );
        }
    }
    let mut timed_out: Vec<(&str, RerouteReason, EpochMs)> = Vec::new();
    for s in &evaluation.slas {
        let reroutes = set
            .policies
            .iter()
            .find(|p| p.name == s.sla)
            .is_some_and(|p| p.policy.on_breach.contains(&Action::RetractAndReroute));
        if let (true, SlaState::Breached, Some(partner), Some(due_at)) =
            (reroutes, s.state, s.partner.as_deref(), s.due_at)
        {
            timed_out.push((
                partner,
                RerouteReason::TimedOut {
                    sla: s.sla.to_string(),
                    instance: s.instance.to_string(),
                    due_at,
                },
                due_at,
            ));
        }
    }
    timed_out.sort_by_key(|t| t.2);
    for (partner, reason, _) in timed_out {
        add(partner, reason);
    }
    out
}

/// The re-route to perform now, if a re-route action is due in `evaluation` (the earliest one).
pub fn reroute_plan(
    set: &SlaSet,
    timeline: &Timeline,
    evaluation: &Evaluation,
) -> Option<ReroutePlan> {
    let trigger = evaluation.due.iter().find(|d| {
        matches!(
            d.kind,
            DueKind::Breach {
                action: Action::RetractAndReroute
            }
        )
    })?;
    let holder = timeline.assignee();
    let retract = match (holder, trigger.partner.as_deref()) {
        (Some(h), Some(p)) if h == p => Some(h.to_string()),
        _ => None,
    };
    Some(ReroutePlan {
        trigger: trigger.clone(),
        retract,
        exclude: exclusions(set, timeline, evaluation),
    })
}
