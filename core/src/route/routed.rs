//! Compact batch results: one 8-byte item per lead (partner slot and deciding rule), turned
//! into [`Decision`]s only when asked for.

use std::sync::Arc;

use super::decision::{Decision, Explanation, Outcome, PartnerStateRead};
use super::rule::Otherwise;
use super::{Engine, Times};
use crate::network::Network;
use crate::report::ErrorReport;
use crate::value::EpochMs;

/// No partner.
pub(crate) const NONE: u32 = u32::MAX;
/// `rule` of a lead decided by the fallback.
pub(crate) const FALLBACK: u32 = u32::MAX;
/// `rule` of a lead with an error (in `errors`).
pub(crate) const ERROR: u32 = u32::MAX - 1;
/// `rule` of a lead decided by the general path (in `full`).
pub(crate) const FULL: u32 = u32::MAX - 2;

/// One lead's result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Routed {
    /// The chosen partner's slot, or [`NONE`].
    pub(crate) slot: u32,
    /// The deciding rule's index, or [`FALLBACK`], [`ERROR`], [`FULL`].
    pub(crate) rule: u32,
}

/// The partner state the batch started from, replayed to recover each decision's
/// [`PartnerStateRead`].
#[derive(Debug, Clone)]
struct Snapshot {
    active: Vec<i64>,
    last_at: Vec<Option<EpochMs>>,
    version: Vec<u64>,
}

/// The instants of a batch, owned.
#[derive(Debug, Clone)]
enum OwnedTimes {
    At(EpochMs),
    Step { start: EpochMs, step: i64 },
    Each(Vec<EpochMs>),
}

impl OwnedTimes {
    fn get(&self, i: usize) -> Option<EpochMs> {
        match self {
            OwnedTimes::At(t) => Times::At(*t).get(i),
            OwnedTimes::Step { start, step } => Times::Step {
                start: *start,
                step: *step,
            }
            .get(i),
            OwnedTimes::Each(v) => v.get(i).copied(),
        }
    }
}

/// The results of [`Engine::route_prepared_compact`]: where each lead went, as partner slots
/// and rule indexes, with errors and (when explanations were asked for) full decisions aside.
/// [`RoutedBatch::decisions`] turns it into the same decisions [`Engine::route_prepared`]
/// returns.
#[derive(Debug, Clone)]
pub struct RoutedBatch {
    pub(crate) items: Vec<Routed>,
    /// (lead index, error), ascending.
    pub(crate) errors: Vec<(usize, ErrorReport)>,
    /// (lead index, decision, chosen slot), ascending.
    pub(crate) full: Vec<(usize, Decision, Option<usize>)>,
    ids: Vec<Arc<str>>,
    /// Per rule: its name and its queue (`else queue`).
    rules: Vec<(Arc<str>, Option<Arc<str>>)>,
    fallback_rule: Arc<str>,
    fallback_queue: Option<Arc<str>>,
    start: Snapshot,
    times: OwnedTimes,
    /// Reported for a lead whose error or full decision is missing (an internal
    /// inconsistency, reported rather than panicking).
    gap: ErrorReport,
}

impl RoutedBatch {
    pub(crate) fn new(engine: &Engine, net: &Network, n: usize, times: Times<'_>) -> RoutedBatch {
        let st = &net.state;
        RoutedBatch {
            items: Vec::with_capacity(n),
            errors: Vec::new(),
            full: Vec::new(),
            ids: net.ids.clone(),
            rules: engine
                .rules
                .iter()
                .map(|r| {
                    let q = match &r.otherwise {
                        Otherwise::Queue(q) => Some(q.clone()),
                        Otherwise::Next | Otherwise::Parent => None,
                    };
                    (r.name.clone(), q)
                })
                .collect(),
            fallback_rule: engine.fallback_name.clone(),
            fallback_queue: engine.fallback_queue.clone(),
            start: Snapshot {
                active: st.active.clone(),
                last_at: st.last_at.clone(),
                version: st.version.clone(),
            },
            times: match times {
                Times::At(t) => OwnedTimes::At(t),
                Times::Step { start, step } => OwnedTimes::Step { start, step },
                Times::Each(v) => OwnedTimes::Each(v.to_vec()),
            },
            gap: ErrorReport::request(
                "internal error: a batch result is missing",
                "report this as a bug in leadrail",
            ),
        }
    }

    pub(crate) fn error(&mut self, i: usize, e: ErrorReport) {
        self.errors.push((i, e));
        self.items.push(Routed {
            slot: NONE,
            rule: ERROR,
        });
    }

    pub(crate) fn full(&mut self, i: usize, d: Decision, chosen: Option<usize>) {
        self.full.push((i, d, chosen));
        self.items.push(Routed {
            slot: NONE,
            rule: FULL,
        });
    }

    /// Records lead `i`'s decision `d` from the general path (`chosen`: the assigned slot):
    /// as a compact item when the item gives back the same decision (no explanation, the
    /// outcome of a rule or of the fallback), else in full. A compact item is 8 bytes and holds
    /// no texts, so the general path's results cost as little to keep and read as the fused
    /// loop's.
    pub(crate) fn decided(
        &mut self,
        engine: &Engine,
        i: usize,
        d: Decision,
        chosen: Option<usize>,
    ) {
        match self.compact(engine, &d, chosen) {
            Some(item) => self.items.push(item),
            None => self.full(i, d, chosen),
        }
    }

    /// The compact item of `d`, if it gives back `d` exactly (its state read is replayed from
    /// the batch's start, as for the fused loop's items).
    fn compact(&self, engine: &Engine, d: &Decision, chosen: Option<usize>) -> Option<Routed> {
        if d.explanation.is_some() {
            return None;
        }
        let name = d.rule.as_ref()?;
        let rule = match engine.rules.iter().position(|r| Arc::ptr_eq(&r.name, name)) {
            Some(r) => u32::try_from(r).ok().filter(|r| *r < FULL)?,
            None if Arc::ptr_eq(name, &engine.fallback_name) => FALLBACK,
            None => return None,
        };
        let queue = match self.rules.get(rule as usize) {
            Some((_, q)) => q.as_ref(),
            None => self.fallback_queue.as_ref(),
        };
        let slot = match (&d.outcome, chosen, &d.state_read) {
            (Outcome::Partner { id }, Some(p), Some(read))
                if self.ids.get(p) == Some(id) && read.partner == *id =>
            {
                u32::try_from(p).ok().filter(|p| *p != NONE)?
            }
            (Outcome::Queue { name }, None, None) if queue == Some(name) => NONE,
            (Outcome::Unrouted, None, None) if queue.is_none() => NONE,
            _ => return None,
        };
        Some(Routed { slot, rule })
    }

    /// The number of leads.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether the batch is empty.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The id of the partner lead `i` was assigned to, if any.
    pub fn partner(&self, i: usize) -> Option<&str> {
        let it = self.items.get(i)?;
        match it.rule {
            ERROR => None,
            FULL => {
                let k = self.full.binary_search_by_key(&i, |x| x.0).ok()?;
                match &self.full.get(k)?.1.outcome {
                    Outcome::Partner { id } => Some(id),
                    _ => None,
                }
            }
            _ if it.slot == NONE => None,
            _ => self.ids.get(it.slot as usize).map(|s| &**s),
        }
    }

    /// The number of leads assigned to a partner.
    pub fn routed(&self) -> usize {
        (0..self.items.len())
            .filter(|i| self.partner(*i).is_some())
            .count()
    }

    /// The decisions, in lead order, as [`Engine::route_prepared`] returns them (each
    /// [`PartnerStateRead`] is the chosen partner's state just before that lead's assignment).
    pub fn decisions(&self) -> Vec<Result<Decision, ErrorReport>> {
        let mut snap = self.start.clone();
        let mut errors = self.errors.iter().peekable();
        let mut full = self.full.iter().peekable();
        let mut out = Vec::with_capacity(self.items.len());
        for (i, it) in self.items.iter().enumerate() {
            match it.rule {
                ERROR => {
                    let e = errors.next_if(|x| x.0 == i).map(|x| x.1.clone());
                    out.push(Err(e.unwrap_or_else(|| self.gap.clone())));
                }
                FULL => match full.next_if(|x| x.0 == i) {
                    Some((_, d, slot)) => {
                        if let Some(p) = slot {
                            snap.assign(*p, self.times.get(i));
                        }
                        out.push(Ok(d.clone()));
                    }
                    None => out.push(Err(self.gap.clone())),
                },
                r => {
                    let (rule, queue) = match self.rules.get(r as usize) {
                        Some((n, q)) => (n.clone(), q.clone()),
                        None => (self.fallback_rule.clone(), self.fallback_queue.clone()),
                    };
                    let p = it.slot as usize;
                    let d = match self.ids.get(p).filter(|_| it.slot != NONE) {
                        Some(id) => {
                            let read = PartnerStateRead {
                                partner: id.clone(),
                                version: snap.version.get(p).copied().unwrap_or(0),
                                active_leads: snap.active.get(p).copied().unwrap_or(0),
                                last_assigned_at: snap.last_at.get(p).copied().flatten(),
                            };
                            snap.assign(p, self.times.get(i));
                            Decision {
                                outcome: Outcome::Partner { id: id.clone() },
                                rule: Some(rule),
                                state_read: Some(read),
                                explanation: None,
                            }
                        }
                        None => Decision {
                            outcome: match queue {
                                Some(name) => Outcome::Queue { name },
                                None => Outcome::Unrouted,
                            },
                            rule: Some(rule),
                            state_read: None,
                            explanation: None,
                        },
                    };
                    out.push(Ok(d));
                }
            }
        }
        out
    }

    /// The results in lead order, borrowed: what [`RoutedBatch::decisions`] returns, without
    /// building a [`Decision`] per lead (hosts and bindings that convert the results to their
    /// own form read them from here).
    ///
    /// ```
    /// use leadrail_core::route::{OutcomeRef, RoutedBatch};
    ///
    /// /// Each lead's partner id and deciding rule; `None` for leads not routed to a partner.
    /// fn partners(routed: &RoutedBatch) -> Vec<Option<(String, String)>> {
    ///     routed
    ///         .views()
    ///         .map(|r| match r {
    ///             Ok(d) => match (d.outcome, d.rule) {
    ///                 (OutcomeRef::Partner(id), Some(rule)) => Some((id.to_string(), rule.to_string())),
    ///                 _ => None,
    ///             },
    ///             Err(report) => {
    ///                 eprintln!("{}", report.message);
    ///                 None
    ///             }
    ///         })
    ///         .collect()
    /// }
    /// ```
    pub fn views(&self) -> Views<'_> {
        Views {
            batch: self,
            snap: self.start.clone(),
            i: 0,
            errors: 0,
            full: 0,
        }
    }
}

/// Where a lead goes, borrowed from a [`RoutedBatch`] (see [`Outcome`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutcomeRef<'a> {
    /// Assigned to the partner with this id.
    Partner(&'a Arc<str>),
    /// Sent to the queue with this name.
    Queue(&'a Arc<str>),
    /// Not routed.
    Unrouted,
}

/// The chosen partner's state as read, borrowed (see [`PartnerStateRead`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StateReadRef<'a> {
    /// The partner id.
    pub partner: &'a Arc<str>,
    /// Its state version when it was chosen.
    pub version: u64,
    /// Its active leads when it was chosen.
    pub active_leads: i64,
    /// Its last assignment instant when it was chosen.
    pub last_assigned_at: Option<EpochMs>,
}

/// One lead's decision, borrowed from a [`RoutedBatch`] (see [`Decision`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DecisionView<'a> {
    /// Where the lead goes.
    pub outcome: OutcomeRef<'a>,
    /// The rule that decided (its name), or `fallback`.
    pub rule: Option<&'a Arc<str>>,
    /// The chosen partner's state as read, when the outcome is a partner.
    pub state_read: Option<StateReadRef<'a>>,
    /// Why, when explanations were asked for.
    pub explanation: Option<&'a Explanation>,
}

impl DecisionView<'_> {
    /// The owned [`Decision`].
    pub fn to_decision(&self) -> Decision {
        Decision {
            outcome: match self.outcome {
                OutcomeRef::Partner(id) => Outcome::Partner { id: id.clone() },
                OutcomeRef::Queue(name) => Outcome::Queue { name: name.clone() },
                OutcomeRef::Unrouted => Outcome::Unrouted,
            },
            rule: self.rule.cloned(),
            state_read: self.state_read.map(|s| PartnerStateRead {
                partner: s.partner.clone(),
                version: s.version,
                active_leads: s.active_leads,
                last_assigned_at: s.last_assigned_at,
            }),
            explanation: self.explanation.map(|e| Box::new(e.clone())),
        }
    }
}

impl Decision {
    /// The decision borrowed as a [`DecisionView`], the form [`RoutedBatch::views`] yields.
    pub fn view(&self) -> DecisionView<'_> {
        DecisionView {
            outcome: match &self.outcome {
                Outcome::Partner { id } => OutcomeRef::Partner(id),
                Outcome::Queue { name } => OutcomeRef::Queue(name),
                Outcome::Unrouted => OutcomeRef::Unrouted,
            },
            rule: self.rule.as_ref(),
            state_read: self.state_read.as_ref().map(|s| StateReadRef {
                partner: &s.partner,
                version: s.version,
                active_leads: s.active_leads,
                last_assigned_at: s.last_assigned_at,
            }),
            explanation: self.explanation.as_deref(),
        }
    }
}

/// The iterator of [`RoutedBatch::views`]: one `Ok(decision)` or `Err(report)` per lead, in
/// lead order.
#[derive(Debug, Clone)]
pub struct Views<'a> {
    batch: &'a RoutedBatch,
    /// The partner state replayed up to the current lead.
    snap: Snapshot,
    i: usize,
    errors: usize,
    full: usize,
}

impl<'a> Iterator for Views<'a> {
    type Item = Result<DecisionView<'a>, &'a ErrorReport>;

    fn next(&mut self) -> Option<Self::Item> {
        let b = self.batch;
        let i = self.i;
        let it = b.items.get(i)?;
        self.i += 1;
        Some(match it.rule {
            ERROR => match b.errors.get(self.errors).filter(|x| x.0 == i) {
                Some((_, e)) => {
                    self.errors += 1;
                    Err(e)
                }
                None => Err(&b.gap),
            },
            FULL => match b.full.get(self.full).filter(|x| x.0 == i) {
                Some((_, d, slot)) => {
                    self.full += 1;
                    if let Some(p) = slot {
                        self.snap.assign(*p, b.times.get(i));
                    }
                    Ok(d.view())
                }
                None => Err(&b.gap),
            },
            r => {
                let (rule, queue) = match b.rules.get(r as usize) {
                    Some((n, q)) => (n, q.as_ref()),
                    None => (&b.fallback_rule, b.fallback_queue.as_ref()),
                };
                let p = it.slot as usize;
                match b.ids.get(p).filter(|_| it.slot != NONE) {
                    Some(id) => {
                        let read = StateReadRef {
                            partner: id,
                            version: self.snap.version.get(p).copied().unwrap_or(0),
                            active_leads: self.snap.active.get(p).copied().unwrap_or(0),
                            last_assigned_at: self.snap.last_at.get(p).copied().flatten(),
                        };
                        self.snap.assign(p, b.times.get(i));
                        Ok(DecisionView {
                            outcome: OutcomeRef::Partner(id),
                            rule: Some(rule),
                            state_read: Some(read),
                            explanation: None,
                        })
                    }
                    None => Ok(DecisionView {
                        outcome: match queue {
                            Some(name) => OutcomeRef::Queue(name),
                            None => OutcomeRef::Unrouted,
                        },
                        rule: Some(rule),
                        state_read: None,
                        explanation: None,
                    }),
                }
            }
        })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.batch.items.len().saturating_sub(self.i);
        (n, Some(n))
    }
}

impl ExactSizeIterator for Views<'_> {}

impl Snapshot {
    /// Mirrors `Network::assign`.
    fn assign(&mut self, p: usize, now: Option<EpochMs>) {
        if let Some(x) = self.active.get_mut(p) {
            *x = x.saturating_add(1);
        }
        if let (Some(x), Some(t)) = (self.last_at.get_mut(p), now) {
            *x = Some(t);
        }
        if let Some(x) = self.version.get_mut(p) {
            *x = x.saturating_add(1);
        }
    }
}
