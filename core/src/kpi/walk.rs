//! One pass over a lead's events up to `now`: the facts every metric is computed from
//! (holdings, stage intervals, closing events), per the definitions in the module docs.

use crate::timeline::{Event, EventData, EventKind};
use crate::value::{DurationMs, EpochMs};

/// How an assignment stands (the acceptance categories).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Acceptance {
    Accepted,
    Rejected,
    Lapsed,
    Pending,
}

/// One holding: its assignment and what happened in it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Holding<'a> {
    pub partner: &'a str,
    /// The assignment instant.
    pub at: EpochMs,
    /// `accepted` or `won` (or a `delivered` implying `won`) occurred in it.
    pub accepted: bool,
    /// `won` occurred in it.
    pub won: bool,
    /// How it ended (`None`: still held at `now`).
    pub end: Option<End<'a>>,
    /// The first event other than `viewed`, `retracted`, `reassigned`, minus the assignment.
    pub response: Option<DurationMs>,
    /// The first `contacted`, minus the assignment.
    pub first_contact: Option<DurationMs>,
    /// Converted: won in it, or in a holding it handed the lead down to (transitively).
    pub converted: bool,
}

/// How a holding ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum End<'a> {
    /// `rejected`, with the reason.
    Rejected(&'a str),
    /// The holder's own `handed_down` to another partner: the index of the new holding.
    HandedDown(usize),
    /// `retracted`, `reassigned` to another partner, `lost` or `delivered`.
    Other,
}

impl<'a> Holding<'a> {
    pub(crate) fn acceptance(&self) -> Acceptance {
        match (self.accepted, self.end) {
            (true, _) | (false, Some(End::HandedDown(_))) => Acceptance::Accepted,
            (false, Some(End::Rejected(_))) => Acceptance::Rejected,
            (false, Some(End::Other)) => Acceptance::Lapsed,
            (false, None) => Acceptance::Pending,
        }
    }

    pub(crate) fn rejection(&self) -> Option<&'a str> {
        match self.end {
            Some(End::Rejected(reason)) => Some(reason),
            _ => None,
        }
    }
}

/// A stay in a stage: opened by a `stage_changed` to another stage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Stay<'a> {
    pub stage: &'a str,
    /// The holder at the opening.
    pub holder: Option<&'a str>,
    pub opened: EpochMs,
    /// Closed by the next stage change, `won`, `lost` or `delivered`.
    pub closed: Option<EpochMs>,
}

/// The facts of one lead as of `now`. Reused across leads (`clear`) to keep allocations down.
#[derive(Debug, Clone, Default)]
pub(crate) struct Facts<'a> {
    /// The first event's instant (`None`: no event up to `now`).
    pub start: Option<EpochMs>,
    /// The last event's instant.
    pub last: EpochMs,
    /// `won` (or the `won` a `delivered` implies): its instant and the holder then.
    pub won: Option<(EpochMs, Option<&'a str>)>,
    pub lost: bool,
    pub delivered: bool,
    /// The first `ordered`: its instant and the holder then.
    pub ordered: Option<(EpochMs, Option<&'a str>)>,
    /// The first `delivered` after the first `ordered`: the order's holder, the order and the
    /// delivery instants.
    pub fulfilment: Option<(Option<&'a str>, EpochMs, EpochMs)>,
    /// The holder at `now`.
    pub holder: Option<&'a str>,
    /// The current stage (the last `stage_changed`).
    pub stage: Option<&'a str>,
    pub holdings: Vec<Holding<'a>>,
    pub stays: Vec<Stay<'a>>,
    /// Every (stage, holder) pair the lead was in before it closed, without repeats.
    pub seen: Vec<(&'a str, Option<&'a str>)>,
}

impl<'a> Facts<'a> {
    pub(crate) fn clear(&mut self) {
        self.start = None;
        self.last = 0;
        self.won = None;
        self.lost = false;
        self.delivered = false;
        self.ordered = None;
        self.fulfilment = None;
        self.holder = None;
        self.stage = None;
        self.holdings.clear();
        self.stays.clear();
        self.seen.clear();
    }

    /// Closed by `now`: `won`, `lost` or `delivered`.
    pub(crate) fn closed(&self) -> bool {
        self.won.is_some() || self.lost || self.delivered
    }

    /// Walks `events` (a valid timeline) up to `now`.
    pub(crate) fn walk(&mut self, events: &'a [Event], now: EpochMs) {
        self.clear();
        // the index of the open holding
        let mut open: Option<usize> = None;
        for ev in events {
            if ev.at > now {
                break;
            }
            if self.start.is_none() {
                self.start = Some(ev.at);
            }
            self.last = ev.at;
            if ev.kind() == EventKind::Delivered && self.won.is_none() {
                self.step(&EventData::Won, ev.at, &mut open);
            }
            self.step(&ev.data, ev.at, &mut open);
        }
        // conversion: won in the holding or down the hand-down chain (later holdings first)
        for i in (0..self.holdings.len()).rev() {
            let down = match self.holdings.get(i).and_then(|h| h.end) {
                Some(End::HandedDown(j)) => self.holdings.get(j).is_some_and(|h| h.converted),
                _ => false,
            };
            if let Some(h) = self.holdings.get_mut(i) {
                h.converted = h.won || down;
            }
        }
    }

    fn step(&mut self, data: &'a EventData, at: EpochMs, open: &mut Option<usize>) {
        let kind = data.kind();
        if let Some(h) = open.and_then(|i| self.holdings.get_mut(i)) {
            if h.response.is_none()
                && !matches!(
                    kind,
                    EventKind::Viewed | EventKind::Retracted | EventKind::Reassigned
                )
            {
                h.response = Some(at - h.at);
            }
            if kind == EventKind::Contacted && h.first_contact.is_none() {
                h.first_contact = Some(at - h.at);
            }
            if matches!(kind, EventKind::Accepted | EventKind::Won) {
                h.accepted = true;
            }
            if kind == EventKind::Won {
                h.won = true;
            }
        }
        let mut moved = false;
        match data {
            EventData::Assigned { partner } => {
                self.end(open, End::Other);
                self.begin(open, partner, at);
                moved = true;
            }
            EventData::Reassigned { partner } => {
                if self.holder != Some(partner.as_str()) {
                    self.end(open, End::Other);
                    self.begin(open, partner, at);
                    moved = true;
                }
            }
            EventData::HandedDown { reseller } => {
                if self.holder != Some(reseller.as_str()) {
                    let next = self.holdings.len();
                    if self.holder.is_some() {
                        self.end(open, End::HandedDown(next));
                    }
                    self.begin(open, reseller, at);
                    moved = true;
                }
            }
            EventData::Rejected { reason, .. } => {
                self.end(open, End::Rejected(reason));
                moved = true;
            }
            EventData::Retracted { .. } => {
                self.end(open, End::Other);
                moved = true;
            }
            EventData::Lost => {
                self.close_stay(at);
                self.lost = true;
                self.end(open, End::Other);
            }
            EventData::Delivered => {
                self.close_stay(at);
                if self.fulfilment.is_none() && !self.delivered {
                    if let Some((ordered, holder)) = self.ordered {
                        self.fulfilment = Some((holder, ordered, at));
                    }
                }
                self.delivered = true;
                self.end(open, End::Other);
            }
            EventData::Won => {
                self.close_stay(at);
                if self.won.is_none() {
                    self.won = Some((at, self.holder));
                }
            }
            EventData::Ordered => {
                if self.ordered.is_none() {
                    self.ordered = Some((at, self.holder));
                }
            }
            EventData::StageChanged { stage } => {
                if self.stage != Some(stage.as_str()) {
                    self.close_stay(at);
                    self.stage = Some(stage);
                    self.stays.push(Stay {
                        stage,
                        holder: self.holder,
                        opened: at,
                        closed: None,
                    });
                    moved = true;
                }
            }
            EventData::Created
            | EventData::Viewed { .. }
            | EventData::Accepted { .. }
            | EventData::Contacted { .. }
            | EventData::StatusChanged { .. } => {}
        }
        if moved && !self.closed() {
            if let Some(stage) = self.stage {
                let pair = (stage, self.holder);
                if !self.seen.contains(&pair) {
                    self.seen.push(pair);
                }
            }
        }
    }

    /// Starts a holding of `partner` at `at`.
    fn begin(&mut self, open: &mut Option<usize>, partner: &'a str, at: EpochMs) {
        *open = Some(self.holdings.len());
        self.holder = Some(partner);
        self.holdings.push(Holding {
            partner,
            at,
            accepted: false,
            won: false,
            end: None,
            response: None,
            first_contact: None,
            converted: false,
        });
    }

    /// Ends the open holding, if any.
    fn end(&mut self, open: &mut Option<usize>, how: End<'a>) {
        if let Some(h) = open.take().and_then(|i| self.holdings.get_mut(i)) {
            h.end = Some(how);
        }
        self.holder = None;
    }

    /// Closes the open stay, if any.
    fn close_stay(&mut self, at: EpochMs) {
        if let Some(s) = self.stays.last_mut() {
            if s.closed.is_none() {
                s.closed = Some(at);
            }
        }
    }
}
