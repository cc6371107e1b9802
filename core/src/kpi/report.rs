//! The KPI answer: one table per family of metrics, each a list of rows keyed by the grouped
//! dimensions (see [`super::GroupBy`]), ordered by key (nulls first, periods in time order).

use serde::Serialize;

use super::group::{GroupBy, Key};
use super::stats::Stats;
use crate::value::EpochMs;

/// Assignments ("leads received") and what became of them, dated at the assignment, by the
/// assigned partner.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AssignmentRow {
    /// The group.
    #[serde(flatten)]
    pub key: Key,
    /// Assignments: starts of a holding.
    pub assignments: u64,
    /// Accepted: `accepted` or `won` in the holding, or ended by the holder's `handed_down`.
    pub accepted: u64,
    /// Rejected: not accepted, ended by `rejected`.
    pub rejected: u64,
    /// Lapsed: neither, and ended (`retracted`, `reassigned`, `lost`).
    pub lapsed: u64,
    /// Pending: none of these; still held at `now`.
    pub pending: u64,
    /// accepted / (accepted + rejected + lapsed); null when that is 0.
    pub acceptance_rate: Option<f64>,
    /// Assignments that converted (won in the holding or down its hand-down chain).
    pub converted: u64,
    /// converted / assignments; null when there are none.
    pub conversion_rate: Option<f64>,
    /// Response times (ms) of the assignments with a response.
    pub response_time: Stats,
    /// Times to first contact (ms) of the assignments with a `contacted`.
    pub first_contact: Stats,
}

/// Rejections per reason text, dated with the assignment they ended.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RejectionRow {
    /// The group.
    #[serde(flatten)]
    pub key: Key,
    /// The reason as given (may be empty).
    pub reason: String,
    /// How many assignments it ended.
    pub count: u64,
}

/// Lead conversion: leads with `won` / leads, dated at each lead's start (no partner).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LeadRow {
    /// The group (no partner).
    #[serde(flatten)]
    pub key: Key,
    /// Leads (with an event by `now`).
    pub leads: u64,
    /// Leads won by `now`.
    pub won: u64,
    /// won / leads.
    pub conversion_rate: Option<f64>,
}

/// Open leads by holder at `now` and period of their start.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OpenLeadRow {
    /// The group.
    #[serde(flatten)]
    pub key: Key,
    /// Open leads: no `won`, `lost` or `delivered` by `now`.
    pub open: u64,
    /// Lead ages (`now` - start, ms).
    pub age: Stats,
    /// Open leads whose last event is at least `untouched_after` before `now` (null when the
    /// option is not given).
    pub untouched: Option<u64>,
}

/// Time in stage (pipeline velocity), by the holder at each stay's opening, dated at the
/// opening.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StageRow {
    /// The group.
    #[serde(flatten)]
    pub key: Key,
    /// The stage.
    pub stage: String,
    /// Durations (ms) of the closed stays.
    pub time_in_stage: Stats,
    /// Stays still open at `now`.
    pub open: u64,
    /// Their mean age at `now` (ms); null when none is open.
    pub open_mean_age: Option<f64>,
}

/// Sales cycles (by the holder at `won`, dated at `won`) and order fulfilment (by the holder
/// at `ordered`, dated at `delivered`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DealRow {
    /// The group.
    #[serde(flatten)]
    pub key: Key,
    /// `won` - the lead's start (ms).
    pub sales_cycle: Stats,
    /// The first `delivered` after the first `ordered` - that `ordered` (ms).
    pub fulfilment: Stats,
}

/// SLA attainment per policy, by the partner of each instance (the one holding the lead when
/// it started); met instances dated at their stop, breached ones at their due instant.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SlaRow {
    /// The group.
    #[serde(flatten)]
    pub key: Key,
    /// The policy's name.
    pub sla: String,
    /// Stopped at or before the due instant.
    pub met: u64,
    /// Due at or before `now`, neither stopped nor cancelled by then.
    pub breached: u64,
    /// met / (met + breached).
    pub attainment: Option<f64>,
}

/// Partner engagement by partner and period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EngagementRow {
    /// The group (partner and period only).
    #[serde(flatten)]
    pub key: Key,
    /// Engagement events.
    pub events: u64,
    /// Distinct local days with an event.
    pub active_days: u64,
}

/// Partner engagement events per kind.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EngagementKindRow {
    /// The group (partner and period only).
    #[serde(flatten)]
    pub key: Key,
    /// The kind.
    pub kind: String,
    /// Events of that kind.
    pub events: u64,
}

/// Time to first deal: a partner's first `won` (as holder) - its `joined_at`, dated at that
/// `won`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FirstDealRow {
    /// The group (partner and period only).
    #[serde(flatten)]
    pub key: Key,
    /// The durations (ms), one per partner.
    pub time_to_first_deal: Stats,
}

/// Every KPI of the channel as of `now`, broken down by `by` (see the module docs for the
/// definitions). Tables that do not apply to a dimension leave it out of their keys.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KpiReport {
    /// The instant the report is as of.
    pub now: EpochMs,
    /// The zone of the periods.
    pub tz: String,
    /// The breakdown.
    pub by: GroupBy,
    /// Assignments, acceptance, conversion, response and first-contact times.
    pub assignments: Vec<AssignmentRow>,
    /// Rejection reasons.
    pub rejections: Vec<RejectionRow>,
    /// Lead conversion.
    pub leads: Vec<LeadRow>,
    /// Open leads, lead age, untouched leads.
    pub open_leads: Vec<OpenLeadRow>,
    /// Time in stage.
    pub stages: Vec<StageRow>,
    /// Sales cycle and order fulfilment.
    pub deals: Vec<DealRow>,
    /// SLA attainment (empty without SLAs).
    pub sla: Vec<SlaRow>,
    /// Engagement.
    pub engagement: Vec<EngagementRow>,
    /// Engagement per kind.
    pub engagement_kinds: Vec<EngagementKindRow>,
    /// Time to first deal.
    pub first_deals: Vec<FirstDealRow>,
}
