//! The lead lifecycle as a timeline of events that the host records.
//!
//! A [`Timeline`] is a lead id and its [`Event`]s in the order they happened. The host appends
//! events as they occur and stores the timeline (it is serde-serialisable); the engine never
//! records anything itself.
//!
//! # Validity
//!
//! [`Timeline::validate`] checks, in order, and reports the first problem as a typed
//! [`TimelineError`]:
//! - instants never decrease (equal instants keep their recorded order);
//! - `created`, if present, is the first event;
//! - nothing follows `lost` or `delivered`; after `won` only `ordered` and `delivered` may follow;
//! - `assigned` needs an unassigned lead (use `reassigned` to move an assigned lead);
//! - `accepted`, `rejected`, and `viewed` / `contacted` / `retracted` when they name a partner,
//!   must name the partner the lead is assigned to; `reassigned`, `handed_down` and `retracted`
//!   need an assigned lead.
//!
//! The current assignee changes on `assigned(p)`, `reassigned(p)` and `handed_down(r)` (to `p`
//! or `r`); `rejected` and `retracted` leave the lead unassigned.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::report::{codes, ErrorReport};
use crate::value::EpochMs;

/// One lifecycle event: what happened and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// When it happened (ms since the epoch, UTC).
    pub at: EpochMs,
    /// What happened.
    #[serde(flatten)]
    pub data: EventData,
}

impl Event {
    /// An event at an instant.
    pub fn new(at: EpochMs, data: EventData) -> Event {
        Event { at, data }
    }

    /// The event's kind.
    pub fn kind(&self) -> EventKind {
        self.data.kind()
    }
}

/// What happened, with its details. Serialised with an `event` tag, e.g.
/// `{"at": 1767225600000, "event": "assigned", "partner": "P0001"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum EventData {
    /// The lead was created.
    Created,
    /// The lead was assigned to a partner (it was unassigned).
    Assigned {
        /// The partner id.
        partner: String,
    },
    /// The partner opened the lead.
    Viewed {
        /// The partner, if recorded (must be the assignee).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        partner: Option<String>,
    },
    /// The assigned partner accepted the lead.
    Accepted {
        /// The partner id (must be the assignee).
        partner: String,
    },
    /// The assigned partner rejected the lead; it becomes unassigned.
    Rejected {
        /// The partner id (must be the assignee).
        partner: String,
        /// Why, as given by the partner.
        #[serde(default)]
        reason: String,
    },
    /// The partner contacted the customer.
    Contacted {
        /// The partner, if recorded (must be the assignee).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        partner: Option<String>,
    },
    /// The lead moved to a pipeline stage.
    StageChanged {
        /// The new stage.
        stage: String,
    },
    /// The lead's status changed (e.g. `waiting_on_customer`); SLAs may pause while in a status.
    StatusChanged {
        /// The new status.
        status: String,
    },
    /// The lead was taken back from its partner; it becomes unassigned.
    Retracted {
        /// The partner it was taken from, if recorded (must be the assignee).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        partner: Option<String>,
    },
    /// The lead was moved directly from its partner to another one.
    Reassigned {
        /// The new partner id.
        partner: String,
    },
    /// The assigned distributor handed the lead down to one of its resellers.
    HandedDown {
        /// The reseller's partner id (the new assignee).
        reseller: String,
    },
    /// The deal was won.
    Won,
    /// The deal was lost; the lead is closed.
    Lost,
    /// The customer ordered.
    Ordered,
    /// The order was delivered; the lead is closed.
    Delivered,
}

impl EventData {
    /// The kind of this event.
    pub fn kind(&self) -> EventKind {
        match self {
            EventData::Created => EventKind::Created,
            EventData::Assigned { .. } => EventKind::Assigned,
            EventData::Viewed { .. } => EventKind::Viewed,
            EventData::Accepted { .. } => EventKind::Accepted,
            EventData::Rejected { .. } => EventKind::Rejected,
            EventData::Contacted { .. } => EventKind::Contacted,
            EventData::StageChanged { .. } => EventKind::StageChanged,
            EventData::StatusChanged { .. } => EventKind::StatusChanged,
            EventData::Retracted { .. } => EventKind::Retracted,
            EventData::Reassigned { .. } => EventKind::Reassigned,
            EventData::HandedDown { .. } => EventKind::HandedDown,
            EventData::Won => EventKind::Won,
            EventData::Lost => EventKind::Lost,
            EventData::Ordered => EventKind::Ordered,
            EventData::Delivered => EventKind::Delivered,
        }
    }
}

/// The kind of an event, without its details: what SLA start/stop conditions name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// `created`
    Created,
    /// `assigned`
    Assigned,
    /// `viewed`
    Viewed,
    /// `accepted`
    Accepted,
    /// `rejected`
    Rejected,
    /// `contacted`
    Contacted,
    /// `stage_changed`
    StageChanged,
    /// `status_changed`
    StatusChanged,
    /// `retracted`
    Retracted,
    /// `reassigned`
    Reassigned,
    /// `handed_down`
    HandedDown,
    /// `won`
    Won,
    /// `lost`
    Lost,
    /// `ordered`
    Ordered,
    /// `delivered`
    Delivered,
}

impl EventKind {
    /// Every kind, in declaration order.
    pub const ALL: [EventKind; 15] = [
        EventKind::Created,
        EventKind::Assigned,
        EventKind::Viewed,
        EventKind::Accepted,
        EventKind::Rejected,
        EventKind::Contacted,
        EventKind::StageChanged,
        EventKind::StatusChanged,
        EventKind::Retracted,
        EventKind::Reassigned,
        EventKind::HandedDown,
        EventKind::Won,
        EventKind::Lost,
        EventKind::Ordered,
        EventKind::Delivered,
    ];

    /// The kind's name in the rule language and in JSON (`stage_changed`).
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Created => "created",
            EventKind::Assigned => "assigned",
            EventKind::Viewed => "viewed",
            EventKind::Accepted => "accepted",
            EventKind::Rejected => "rejected",
            EventKind::Contacted => "contacted",
            EventKind::StageChanged => "stage_changed",
            EventKind::StatusChanged => "status_changed",
            EventKind::Retracted => "retracted",
            EventKind::Reassigned => "reassigned",
            EventKind::HandedDown => "handed_down",
            EventKind::Won => "won",
            EventKind::Lost => "lost",
            EventKind::Ordered => "ordered",
            EventKind::Delivered => "delivered",
        }
    }

    /// A bit for sets of kinds.
    pub(crate) fn bit(self) -> u32 {
        1u32 << (self as u32)
    }
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error of parsing an unknown event kind name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown event `{0}`")]
pub struct UnknownEventKind(pub String);

impl FromStr for EventKind {
    type Err = UnknownEventKind;
    fn from_str(s: &str) -> Result<EventKind, UnknownEventKind> {
        EventKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| UnknownEventKind(s.to_string()))
    }
}

/// A lead's lifecycle: its id and its events in recorded order.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Timeline {
    /// The lead id.
    pub lead: String,
    /// The events, in the order they happened.
    pub events: Vec<Event>,
}

/// Why a timeline is invalid. Every variant names the lead and the 0-based event index.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TimelineError {
    /// An event is earlier than the one before it.
    #[error("lead `{lead}`: event {index} (`{kind}`) at {at} is earlier than the event before it at {previous}")]
    OutOfOrder {
        /// The lead id.
        lead: String,
        /// The event's index.
        index: usize,
        /// The event's kind.
        kind: EventKind,
        /// Its instant.
        at: EpochMs,
        /// The previous event's instant.
        previous: EpochMs,
    },
    /// `created` is not the first event.
    #[error("lead `{lead}`: event {index} is `created` but is not the first event")]
    CreatedNotFirst {
        /// The lead id.
        lead: String,
        /// The event's index.
        index: usize,
    },
    /// An event after the lead was closed.
    #[error(
        "lead `{lead}`: event {index} (`{kind}`) comes after the lead was closed by `{closed_by}`"
    )]
    AfterClose {
        /// The lead id.
        lead: String,
        /// The event's index.
        index: usize,
        /// The event's kind.
        kind: EventKind,
        /// The event that closed the lead.
        closed_by: EventKind,
    },
    /// An event by (or about) a partner the lead is not assigned to.
    #[error("lead `{lead}`: event {index} (`{kind}`) by `{partner}`, but the lead is {}", match assignee { Some(a) => format!("assigned to `{a}`"), None => "not assigned".to_string() })]
    NotAssigned {
        /// The lead id.
        lead: String,
        /// The event's index.
        index: usize,
        /// The event's kind.
        kind: EventKind,
        /// The partner the event names (empty when it names none).
        partner: String,
        /// The current assignee, if any.
        assignee: Option<String>,
    },
    /// `assigned` while the lead is already assigned.
    #[error("lead `{lead}`: event {index} assigns `{partner}` but the lead is already assigned to `{assignee}`")]
    AlreadyAssigned {
        /// The lead id.
        lead: String,
        /// The event's index.
        index: usize,
        /// The partner being assigned.
        partner: String,
        /// The current assignee.
        assignee: String,
    },
}

impl TimelineError {
    /// The stable code of this error.
    pub fn code(&self) -> &'static str {
        match self {
            TimelineError::OutOfOrder { .. } => codes::TIMELINE_OUT_OF_ORDER,
            TimelineError::CreatedNotFirst { .. } => codes::TIMELINE_CREATED_NOT_FIRST,
            TimelineError::AfterClose { .. } => codes::TIMELINE_AFTER_CLOSE,
            TimelineError::NotAssigned { .. } => codes::TIMELINE_NOT_ASSIGNED,
            TimelineError::AlreadyAssigned { .. } => codes::TIMELINE_ALREADY_ASSIGNED,
        }
    }

    /// How to fix it.
    pub fn help(&self) -> &'static str {
        match self {
            TimelineError::OutOfOrder { .. } => "record events in the order they happened",
            TimelineError::CreatedNotFirst { .. } => "record `created` once, as the first event",
            TimelineError::AfterClose { .. } => {
                "a lead closed by `lost` or `delivered` takes no more events; after `won` only `ordered` and `delivered`"
            }
            TimelineError::NotAssigned { .. } => {
                "record the event for the partner the lead is assigned to, or assign the lead first"
            }
            TimelineError::AlreadyAssigned { .. } => {
                "record `reassigned`, or `retracted` before the new `assigned`"
            }
        }
    }

    fn lead_and_index(&self) -> (&str, usize) {
        match self {
            TimelineError::OutOfOrder { lead, index, .. }
            | TimelineError::CreatedNotFirst { lead, index }
            | TimelineError::AfterClose { lead, index, .. }
            | TimelineError::NotAssigned { lead, index, .. }
            | TimelineError::AlreadyAssigned { lead, index, .. } => (lead, *index),
        }
    }
}

impl From<&TimelineError> for ErrorReport {
    fn from(e: &TimelineError) -> ErrorReport {
        let (lead, index) = e.lead_and_index();
        ErrorReport::error(e.code(), e.to_string())
            .with_help(e.help())
            .with_record(lead.to_string())
            .with_field(format!("events[{index}]"))
    }
}

impl From<TimelineError> for ErrorReport {
    fn from(e: TimelineError) -> ErrorReport {
        ErrorReport::from(&e)
    }
}

impl Timeline {
    /// A timeline for a lead.
    pub fn new(lead: impl Into<String>, events: Vec<Event>) -> Timeline {
        Timeline {
            lead: lead.into(),
            events,
        }
    }

    /// Checks the timeline (see the module docs).
    pub fn validate(&self) -> Result<(), TimelineError> {
        let lead = || self.lead.clone();
        let mut previous: Option<EpochMs> = None;
        let mut assignee: Option<&str> = None;
        let mut closed_by: Option<EventKind> = None;
        let mut won = false;
        for (index, ev) in self.events.iter().enumerate() {
            let kind = ev.kind();
            if let Some(p) = previous {
                if ev.at < p {
                    return Err(TimelineError::OutOfOrder {
                        lead: lead(),
                        index,
                        kind,
                        at: ev.at,
                        previous: p,
                    });
                }
            }
            previous = Some(ev.at);
            if let Some(c) = closed_by {
                return Err(TimelineError::AfterClose {
                    lead: lead(),
                    index,
                    kind,
                    closed_by: c,
                });
            }
            if won && !matches!(kind, EventKind::Ordered | EventKind::Delivered) {
                return Err(TimelineError::AfterClose {
                    lead: lead(),
                    index,
                    kind,
                    closed_by: EventKind::Won,
                });
            }
            let not_assigned = |partner: &str, assignee: Option<&str>| TimelineError::NotAssigned {
                lead: lead(),
                index,
                kind,
                partner: partner.to_string(),
                assignee: assignee.map(str::to_string),
            };
            let must_be = |p: &str, assignee: Option<&str>| match assignee {
                Some(a) if a == p => Ok(()),
                _ => Err(not_assigned(p, assignee)),
            };
            match &ev.data {
                EventData::Created => {
                    if index != 0 {
                        return Err(TimelineError::CreatedNotFirst {
                            lead: lead(),
                            index,
                        });
                    }
                }
                EventData::Assigned { partner } => {
                    if let Some(a) = assignee {
                        return Err(TimelineError::AlreadyAssigned {
                            lead: lead(),
                            index,
                            partner: partner.clone(),
                            assignee: a.to_string(),
                        });
                    }
                    assignee = Some(partner);
                }
                EventData::Accepted { partner } => must_be(partner, assignee)?,
                EventData::Rejected { partner, .. } => {
                    must_be(partner, assignee)?;
                    assignee = None;
                }
                EventData::Viewed { partner } | EventData::Contacted { partner } => {
                    if let Some(p) = partner {
                        must_be(p, assignee)?;
                    }
                }
                EventData::Retracted { partner } => {
                    match partner {
                        Some(p) => must_be(p, assignee)?,
                        None if assignee.is_none() => return Err(not_assigned("", None)),
                        None => {}
                    }
                    assignee = None;
                }
                EventData::Reassigned { partner } => {
                    if assignee.is_none() {
                        return Err(not_assigned(partner, None));
                    }
                    assignee = Some(partner);
                }
                EventData::HandedDown { reseller } => {
                    if assignee.is_none() {
                        return Err(not_assigned(reseller, None));
                    }
                    assignee = Some(reseller);
                }
                EventData::Won => won = true,
                EventData::Lost | EventData::Delivered => closed_by = Some(kind),
                EventData::StageChanged { .. }
                | EventData::StatusChanged { .. }
                | EventData::Ordered => {}
            }
        }
        Ok(())
    }

    /// The partner the lead is assigned to after all events, if any.
    pub fn assignee(&self) -> Option<&str> {
        let mut assignee = None;
        for ev in &self.events {
            match &ev.data {
                EventData::Assigned { partner } | EventData::Reassigned { partner } => {
                    assignee = Some(partner.as_str())
                }
                EventData::HandedDown { reseller } => assignee = Some(reseller.as_str()),
                EventData::Rejected { .. } | EventData::Retracted { .. } => assignee = None,
                _ => {}
            }
        }
        assignee
    }

    /// The partners that rejected the lead, in order of first rejection, without duplicates.
    pub fn rejected_by(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for ev in &self.events {
            if let EventData::Rejected { partner, .. } = &ev.data {
                if !out.contains(&partner.as_str()) {
                    out.push(partner);
                }
            }
        }
        out
    }
}
