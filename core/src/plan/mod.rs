//! The compiled form of a ruleset: what the DSL lowers to and what the engine runs.
//!
//! A `Plan` has no spans and no parser types. It keeps rule names and the source text of each
//! `require` (its `label`) for explanations. Hosts may also build plans programmatically or load
//! them from their serde form.
//!
//! # Routing semantics (the contract between the DSL, the reference evaluator and the engine)
//!
//! Expressions use three-valued (Kleene) logic: a missing optional field is `Null`; any
//! comparison, arithmetic or built-in with a `Null` operand is `Null`; `and`/`or` follow Kleene
//! (`false and null = false`, `true or null = true`); `not null = null`. A `when` or `require`
//! that is `Null` counts as false. A `rank` that is `Null` (or NaN) sorts after every number.
//!
//! For `route(lead, now)`, rules are tried in order:
//! 1. `when` (lead-only) must be true (a rule without `when` matches every lead).
//! 2. Candidates are the partners of the network that pass the *implicit guards* (if the partner
//!    schema has a `status` enum field, status must be `active`; if it has `capacity` and
//!    `active_leads` int fields, `active_leads < capacity`) and then every `require` in order.
//!    A partner is excluded by the first guard or require it fails; that is its reason.
//! 3. Eligible candidates are ordered by: `rank` descending (no rank: all 0); then, with
//!    `balance workload`, utilisation (`active_leads / capacity`) ascending; then the tie-break:
//!    [`Tie::RoundRobin`] without weight = least recently assigned first (never assigned first;
//!    equal instants by assignment sequence), with weight = smallest `(assigned + 1) / weight`
//!    first, then least recently assigned; [`Tie::Id`] = no recency; finally partner id ascending
//!    (byte order). Scores compare exactly (`f64` total order; `-0.0 == 0.0`).
//! 4. The first candidate wins. If there is none, `otherwise` decides: [`Else::Next`] tries the
//!    next rule; [`Else::Queue`] ends with that queue; [`Else::Parent`] hands the lead to a
//!    distributor: the *fit* candidates are the partners passing every require that is not a
//!    workload require ([`Require::workload`]), ignoring the implicit guards; their parents
//!    (partner field `parent`, a partner id) that pass the implicit guards and every workload
//!    require are ranked and tie-broken like candidates; the first wins; if none, the next rule
//!    is tried.
//! 5. After the last rule, [`Plan::fallback`] decides (a queue, or unrouted).
//!
//! # Partner state
//!
//! Each partner has a state, held by the network and exported/imported by the host:
//! `active_leads` (initialised from the partner field `active_leads` if the schema has it, else
//! 0), `last_assigned_at` (from the field `last_assigned_at` if present, else never),
//! `last_seq` (the network's assignment sequence number at its last assignment, 0 = none since
//! the network was loaded), `assigned` (assignments since load) and `version` (grows by one on
//! every change, for the host's compare-and-set). Expressions that read `partner.active_leads`
//! or `partner.last_assigned_at` read the state, not the loaded record.
//!
//! Recency order ("least recently assigned first"): never assigned first, then
//! `last_assigned_at` ascending, then `last_seq` ascending.
//!
//! On assignment (in `route_batch`) the chosen partner's `active_leads` grows by one, its
//! `last_assigned_at` becomes the lead's routing instant, the network sequence grows by one and
//! becomes its `last_seq`, and `assigned` and `version` grow by one. A queue or unrouted outcome
//! changes no state; a lead with bad data changes no state.
//!
//! `Engine::assign` routes one lead and applies its assignment exactly so (the same decision
//! and state as a one-lead `route_batch`), and records in the network's ledger that the chosen
//! partner holds the lead. On release (`Network::release`: the lead closed, lost or retracted)
//! the holder's `active_leads` falls by one (never below 0) and its `version` grows by one;
//! `last_assigned_at`, `last_seq` and `assigned` stay, so round robin is unchanged. A lead is
//! released once: releasing it again, or a lead never assigned, is `leadrail::data::unknown_lead`
//! and changes nothing; assigning a held lead is `leadrail::data::lead_held`. Batches keep no
//! ledger (a batch lead is released by naming its partner). Partners added later start with
//! their own state; an update keeps the partner's state (the record's `active_leads` and
//! `last_assigned_at` are not read again); a removed partner's state and held leads go with it.

pub(crate) mod policy;

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::schema::Schema;
use crate::value::Value;
use policy::SlaPolicy;

/// A compiled ruleset.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// The ruleset's name (`ruleset "name"`).
    pub name: String,
    /// The ruleset's version.
    pub version: u32,
    /// A content hash of the source (hex, 16 digits), for the audit trail.
    pub content_hash: String,
    /// The lead schema.
    pub lead_schema: Schema,
    /// The partner schema.
    pub partner_schema: Schema,
    /// Route rules, in order.
    pub rules: Vec<RouteRule>,
    /// What happens when no rule decides.
    pub fallback: Fallback,
    /// Business calendars (`calendar` declarations), used by the SLAs.
    #[serde(default)]
    pub calendars: Vec<crate::calendar::CalendarSpec>,
    /// SLA policies (`sla` declarations); build an [`crate::sla::SlaSet`] with
    /// [`crate::sla::SlaSet::from_specs`]`(plan.slas.clone(), &plan.calendars)`.
    #[serde(default)]
    pub slas: Vec<SlaPolicy>,
    /// Deal-registration policies (`registration` declarations), in order; see
    /// [`Plan::registration`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub registrations: Vec<crate::dealreg::Policy>,
}

impl Plan {
    /// The registration policy named `name`, or the first one for `None`; the default policy
    /// when the plan declares none and no name is asked for.
    pub fn registration(&self, name: Option<&str>) -> Option<crate::dealreg::Policy> {
        match name {
            Some(n) => self.registrations.iter().find(|p| p.name == n).cloned(),
            None => Some(self.registrations.first().cloned().unwrap_or_default()),
        }
    }
}

/// One `route "name" { ... }` rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RouteRule {
    /// The rule's name.
    pub name: String,
    /// The lead predicate; `None` matches every lead.
    pub when: Option<Expr>,
    /// Partner eligibility conditions, in order.
    pub requires: Vec<Require>,
    /// The score; higher is better. `None` scores every candidate 0.
    pub rank: Option<Expr>,
    /// `balance workload`.
    pub balance: bool,
    /// The tie-break.
    pub tie: Tie,
    /// What happens when no partner is eligible.
    pub otherwise: Else,
}

/// One `require` clause.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Require {
    /// The condition (over `lead.` and `partner.` fields).
    pub expr: Expr,
    /// The clause's source text, normalised by the formatter, used as the exclusion reason.
    pub label: String,
    /// Whether this is a workload require: it reads the partner's `status`, `active_leads` or
    /// `capacity` field or calls `utilisation(partner)`. Used by [`Else::Parent`].
    pub workload: bool,
}

/// The tie-break among equally ranked (and balanced) candidates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tie {
    /// Least recently assigned first, optionally weighted by a partner expression (the weight).
    RoundRobin {
        /// The weight expression (partner-only); `None` is unweighted.
        weight: Option<Expr>,
    },
    /// Partner id only.
    Id,
}

/// What a rule does when no partner is eligible.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Else {
    /// Try the next rule.
    Next,
    /// Send the lead to a named queue.
    Queue(String),
    /// Hand the lead to a parent distributor (see the module docs).
    Parent,
}

/// What happens when no rule decides.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fallback {
    /// Send the lead to a named queue.
    Queue(String),
    /// Leave the lead unrouted.
    Unrouted,
}

/// Which record a field reference reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// `lead.`
    Lead,
    /// `partner.`
    Partner,
}

/// Comparison operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CmpOp {
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

impl CmpOp {
    /// The operator as written in the rule language.
    pub fn as_str(self) -> &'static str {
        match self {
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        }
    }

    /// Whether it orders its operands (`<`, `<=`, `>`, `>=`), rather than testing equality.
    pub fn is_ordering(self) -> bool {
        !matches!(self, CmpOp::Eq | CmpOp::Ne)
    }
}

/// Arithmetic operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ArithOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/` (division by zero is `Null`)
    Div,
}

/// A typed, resolved expression. Field references are indexes into the plan's schemas.
///
/// Numeric typing (decided by the checker, see `docs/language.md`): `int op int` is `int`
/// (except `/`, which is a float); any operand `decimal` with `int`/`decimal` is `decimal`;
/// any operand `ratio`/`float` makes the result a float. Comparisons between numbers compare
/// their exact values (decimals exactly, floats as `f64`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Expr {
    /// A literal.
    Lit(Value),
    /// A field of the lead or the partner: index into the schema's fields.
    Field(Scope, u16),
    /// The record's id (`lead.id`, `partner.id`).
    Id(Scope),
    /// Boolean negation.
    Not(Box<Expr>),
    /// Arithmetic negation.
    Neg(Box<Expr>),
    /// Conjunction (Kleene).
    And(Vec<Expr>),
    /// Disjunction (Kleene).
    Or(Vec<Expr>),
    /// A comparison.
    Cmp(CmpOp, Box<Expr>, Box<Expr>),
    /// Arithmetic.
    Arith(ArithOp, Box<Expr>, Box<Expr>),
    /// `x in [a, b, ...]`: membership in a literal list.
    InList(Box<Expr>, Vec<Expr>),
    /// `x in s` where `s` is a set-valued expression; also `k in m` for map keys.
    InSet(Box<Expr>, Box<Expr>),
    /// `t covers r`: `t` is a region or set of regions (territories, with exclusions), `r` a
    /// region; true if any territory covers `r` (see [`crate::geo`]).
    Covers(Box<Expr>, Box<Expr>),
    /// `distance(a, b)` in km (haversine); `Null` if either point is missing.
    Distance(Box<Expr>, Box<Expr>),
    /// `certified(partner, name)`: the partner's `map<text, date>` field at `field` has `name`
    /// with a validity date on or after the routing date (the UTC date of `now`).
    Certified {
        /// Index of the partner's certifications field.
        field: u16,
        /// The certification name (text expression).
        name: Box<Expr>,
    },
    /// `smoothed(rate, n)`: `(rate * n + prior * weight) / (n + weight)`.
    Smoothed {
        /// The observed rate.
        rate: Box<Expr>,
        /// The number of observations.
        n: Box<Expr>,
        /// The prior mean (default 0.5).
        prior: f64,
        /// The prior's weight in pseudo-observations (default 10).
        weight: f64,
    },
    /// `utilisation(partner)`: `active_leads / capacity` as a float (capacity 0 gives 1.0).
    Utilisation {
        /// Index of the partner's `active_leads` field.
        active_leads: u16,
        /// Index of the partner's `capacity` field.
        capacity: u16,
    },
}

/// Shared handle to an immutable plan.
pub type PlanRef = Arc<Plan>;
