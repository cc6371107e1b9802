//! What routing returns: [`Decision`] and its [`Explanation`].

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::value::EpochMs;

/// Where a lead goes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Outcome {
    /// Assigned to a partner.
    Partner {
        /// The partner id.
        id: Arc<str>,
    },
    /// Sent to a named queue (an internal team).
    Queue {
        /// The queue name.
        name: Arc<str>,
    },
    /// Not routed.
    Unrouted,
}

/// The state of the chosen partner that the decision read, for the host's compare-and-set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartnerStateRead {
    /// The partner id.
    pub partner: Arc<str>,
    /// Its state version when it was chosen.
    pub version: u64,
    /// Its active leads when it was chosen.
    pub active_leads: i64,
    /// Its last assignment instant when it was chosen.
    pub last_assigned_at: Option<EpochMs>,
}

/// The routing decision for one lead.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    /// Where the lead goes.
    pub outcome: Outcome,
    /// The rule that decided (its name), or `fallback`.
    pub rule: Option<Arc<str>>,
    /// The chosen partner's state as read, when the outcome is a partner.
    pub state_read: Option<PartnerStateRead>,
    /// Why, when asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explanation: Option<Box<Explanation>>,
}

/// The ruleset a decision came from, for the audit trail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RulesetInfo {
    /// The ruleset name.
    pub name: String,
    /// Its version.
    pub version: u32,
    /// Its content hash.
    pub content_hash: String,
}

/// What a tried rule did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleOutcome {
    /// It chose a partner.
    Decided,
    /// It did not match or found nobody, and the next rule was tried.
    Next,
    /// It found nobody and sent the lead to its queue.
    Queue,
    /// It found nobody and handed the lead to a parent distributor.
    Parent,
}

/// One rule that was tried.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleTrace {
    /// The rule name.
    pub rule: String,
    /// Whether its `when` matched.
    pub matched: bool,
    /// How many partners were eligible.
    pub eligible: usize,
    /// What it did.
    pub outcome: RuleOutcome,
}

/// Partners excluded for one reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exclusion {
    /// The reason: `excluded by host`, an implicit guard, or a require's label.
    pub reason: String,
    /// The partners, by id ascending.
    pub partners: Vec<Arc<str>>,
}

/// An eligible partner and how it ranked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    /// The partner id.
    pub partner: Arc<str>,
    /// Its score (`None` when the rank was null or not a number).
    pub score: Option<f64>,
    /// Its utilisation, with `balance workload`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub utilisation: Option<f64>,
    /// Its position in the order, from 1.
    pub position: usize,
}

/// Which ordering key separated the winner from the runner-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TieBreak {
    /// A higher score.
    #[serde(rename = "score")]
    Score,
    /// A lower utilisation (`balance workload`).
    #[serde(rename = "workload")]
    Workload,
    /// Fewer assignments per unit of weight.
    #[serde(rename = "weighted round robin")]
    WeightedRoundRobin,
    /// Assigned less recently.
    #[serde(rename = "least recently assigned")]
    LeastRecentlyAssigned,
    /// The smaller id.
    #[serde(rename = "id")]
    Id,
}

impl std::fmt::Display for TieBreak {
    /// The same words as the serde form: `score`, `workload`, `weighted round robin`,
    /// `least recently assigned`, `id`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            TieBreak::Score => "score",
            TieBreak::Workload => "workload",
            TieBreak::WeightedRoundRobin => "weighted round robin",
            TieBreak::LeastRecentlyAssigned => "least recently assigned",
            TieBreak::Id => "id",
        })
    }
}

/// Why a lead went where it went.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Explanation {
    /// The ruleset.
    pub ruleset: RulesetInfo,
    /// Every rule tried, in order.
    pub rules: Vec<RuleTrace>,
    /// For the last rule that looked at partners: the excluded partners, grouped by reason in
    /// check order (host, guards, requires in order).
    pub excluded: Vec<Exclusion>,
    /// For that rule: the eligible partners in rank order (for a parent hand-off, the parents).
    pub candidates: Vec<Candidate>,
    /// What separated the first candidate from the second (`None` with fewer than two).
    pub tie_break: Option<TieBreak>,
}
