//! SLA policies as a plan declares them (`sla` declarations): the data the rule language
//! produces and [`crate::sla::SlaSet::from_specs`] compiles. Defined here, below `sla`, so that
//! a plan does not depend on the SLA engine; re-exported from [`crate::sla`], their public path.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::timeline::EventKind;
use crate::value::DurationMs;

/// One SLA policy: the core form of an `sla` declaration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SlaPolicy {
    /// The policy's name (unique in a set); prefixes its action ids.
    pub name: String,
    /// Events that start an instance (ignored by per-stage policies).
    #[serde(default)]
    pub start: Vec<EventKind>,
    /// Events that stop an instance.
    #[serde(default)]
    pub stop: Vec<EventKind>,
    /// Lead statuses during which the clock is paused.
    #[serde(default)]
    pub pause_while: Vec<String>,
    /// The goal.
    pub goal: Goal,
    /// Warning thresholds as fractions of the goal, each in `(0, 1)`, e.g. `[0.5, 0.75, 0.9]`.
    #[serde(default)]
    pub warn: Vec<f64>,
    /// What happens on breach.
    #[serde(default)]
    pub on_breach: Vec<Action>,
    /// Per-stage ("stalled") policy: one instance per stage entered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per_stage: Option<StageSpec>,
}

/// An SLA goal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Goal {
    /// The goal's length in ms (business or calendar time), `> 0`.
    pub duration_ms: DurationMs,
    /// Business time on a calendar (`true`) or calendar time (`false`).
    pub business: bool,
    /// The calendar for business time; required when `business`, ignored otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calendar: Option<CalendarRef>,
}

/// Which calendar a business goal runs on.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CalendarRef {
    /// A calendar of the set, by name.
    Named(String),
    /// The calendar named by a field of the instance's partner (e.g. `partner.calendar`).
    PartnerField(String),
}

/// A breach action.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "action")]
pub enum Action {
    /// Remind the partner.
    Remind,
    /// Escalate to a role (e.g. `channel-manager`).
    Escalate {
        /// The role (shared: due actions carry it without copying).
        role: Arc<str>,
    },
    /// Raise an alert with a message.
    Alert {
        /// The message (shared: due actions carry it without copying).
        message: Arc<str>,
    },
    /// Retract the lead from its partner and route it again, excluding every partner that
    /// rejected it or timed out on it (see [`crate::sla::reroute_plan`]).
    RetractAndReroute,
}

impl Action {
    /// The action's part of an action id: `remind`, `escalate:{role}`, `alert`, `reroute`.
    pub fn id_part(&self) -> String {
        match self {
            Action::Remind => "remind".into(),
            Action::Escalate { role } => format!("escalate:{role}"),
            Action::Alert { .. } => "alert".into(),
            Action::RetractAndReroute => "reroute".into(),
        }
    }
}

/// A per-stage ("stalled") SLA: every stage except the listed ones.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct StageSpec {
    /// Stages that start no instance (e.g. `won`, `lost`).
    #[serde(default)]
    pub except: Vec<String>,
}
