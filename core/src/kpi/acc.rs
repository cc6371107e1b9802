//! Accumulators: per-thread tables of counts and duration lists keyed by raw group keys,
//! merged in any order (sums of integers, lists sorted when finished), then turned into rows.

use std::collections::hash_map::Entry;
use std::hash::Hash;

use rustc_hash::{FxHashMap, FxHashSet};

use super::group::{GroupBy, Keys, RawKey};
use super::period::Periods;
use super::report::*;
use super::stats::{rate, Stats};
use super::walk::{Acceptance, Facts};
use crate::sla::{Evaluation, SlaState};
use crate::value::{DurationMs, EpochMs};

#[derive(Debug, Default)]
pub(crate) struct AssignAcc {
    assignments: u64,
    accepted: u64,
    rejected: u64,
    lapsed: u64,
    pending: u64,
    converted: u64,
    response: Vec<DurationMs>,
    first_contact: Vec<DurationMs>,
}

#[derive(Debug, Default)]
pub(crate) struct OpenAcc {
    open: u64,
    ages: Vec<DurationMs>,
    untouched: u64,
}

#[derive(Debug, Default)]
pub(crate) struct StageAcc {
    closed: Vec<DurationMs>,
    open: u64,
    open_age: i128,
}

#[derive(Debug, Default)]
pub(crate) struct DealAcc {
    cycles: Vec<DurationMs>,
    fulfilment: Vec<DurationMs>,
}

/// What one thread accumulated.
#[derive(Debug, Default)]
pub(crate) struct Acc<'a> {
    assign: FxHashMap<RawKey<'a>, AssignAcc>,
    reasons: FxHashMap<(RawKey<'a>, &'a str), u64>,
    leads: FxHashMap<RawKey<'a>, (u64, u64)>,
    open: FxHashMap<RawKey<'a>, OpenAcc>,
    stages: FxHashMap<(RawKey<'a>, &'a str), StageAcc>,
    deals: FxHashMap<RawKey<'a>, DealAcc>,
    /// (key, policy index) -> (met, breached)
    sla: FxHashMap<(RawKey<'a>, usize), (u64, u64)>,
    /// Each partner's first `won` as holder.
    pub first_won: FxHashMap<&'a str, EpochMs>,
}

/// Merges `b` into `a`.
trait Merge {
    fn merge(&mut self, other: Self);
}

impl Merge for u64 {
    fn merge(&mut self, other: u64) {
        *self += other;
    }
}

impl Merge for (u64, u64) {
    fn merge(&mut self, other: (u64, u64)) {
        self.0 += other.0;
        self.1 += other.1;
    }
}

impl Merge for AssignAcc {
    fn merge(&mut self, o: AssignAcc) {
        self.assignments += o.assignments;
        self.accepted += o.accepted;
        self.rejected += o.rejected;
        self.lapsed += o.lapsed;
        self.pending += o.pending;
        self.converted += o.converted;
        self.response.extend(o.response);
        self.first_contact.extend(o.first_contact);
    }
}

impl Merge for OpenAcc {
    fn merge(&mut self, o: OpenAcc) {
        self.open += o.open;
        self.ages.extend(o.ages);
        self.untouched += o.untouched;
    }
}

impl Merge for StageAcc {
    fn merge(&mut self, o: StageAcc) {
        self.closed.extend(o.closed);
        self.open += o.open;
        self.open_age += o.open_age;
    }
}

impl Merge for DealAcc {
    fn merge(&mut self, o: DealAcc) {
        self.cycles.extend(o.cycles);
        self.fulfilment.extend(o.fulfilment);
    }
}

fn merge_map<K: Hash + Eq, V: Merge>(a: &mut FxHashMap<K, V>, b: FxHashMap<K, V>) {
    if a.len() < b.len() {
        // merge the smaller into the larger (the result is the same)
        let small = std::mem::replace(a, b);
        merge_map(a, small);
        return;
    }
    for (k, v) in b {
        match a.entry(k) {
            Entry::Occupied(mut o) => o.get_mut().merge(v),
            Entry::Vacant(e) => {
                e.insert(v);
            }
        }
    }
}

/// Sorted entries of a map (by key: the order of the answer's rows).
fn sorted<K: Ord, V>(m: FxHashMap<K, V>) -> Vec<(K, V)> {
    let mut v: Vec<(K, V)> = m.into_iter().collect();
    v.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    v
}

impl<'a> Acc<'a> {
    pub(crate) fn merge(&mut self, o: Acc<'a>) {
        merge_map(&mut self.assign, o.assign);
        merge_map(&mut self.reasons, o.reasons);
        merge_map(&mut self.leads, o.leads);
        merge_map(&mut self.open, o.open);
        merge_map(&mut self.stages, o.stages);
        merge_map(&mut self.deals, o.deals);
        merge_map(&mut self.sla, o.sla);
        for (p, at) in o.first_won {
            let e = self.first_won.entry(p).or_insert(at);
            *e = (*e).min(at);
        }
    }

    /// Adds the metrics of one lead's facts.
    pub(crate) fn add(
        &mut self,
        f: &Facts<'a>,
        keys: &Keys<'a>,
        periods: &mut Periods<'_>,
        now: EpochMs,
        untouched_after: Option<DurationMs>,
    ) {
        let Some(start) = f.start else {
            return;
        };
        let lead_key = keys.of(None, periods.of(start));
        let e = self.leads.entry(lead_key).or_default();
        e.0 += 1;
        e.1 += u64::from(f.won.is_some());
        for h in &f.holdings {
            let k = keys.of(Some(h.partner), periods.of(h.at));
            let a = self.assign.entry(k).or_default();
            a.assignments += 1;
            match h.acceptance() {
                Acceptance::Accepted => a.accepted += 1,
                Acceptance::Rejected => a.rejected += 1,
                Acceptance::Lapsed => a.lapsed += 1,
                Acceptance::Pending => a.pending += 1,
            }
            a.converted += u64::from(h.converted);
            if let Some(r) = h.response {
                a.response.push(r);
            }
            if let Some(c) = h.first_contact {
                a.first_contact.push(c);
            }
            if let Some(reason) = h.rejection() {
                *self.reasons.entry((k, reason)).or_default() += 1;
            }
        }
        for s in &f.stays {
            let k = keys.of(s.holder, periods.of(s.opened));
            let a = self.stages.entry((k, s.stage)).or_default();
            match s.closed {
                Some(c) => a.closed.push(c - s.opened),
                None => {
                    a.open += 1;
                    a.open_age += i128::from(now - s.opened);
                }
            }
        }
        if let Some((at, holder)) = f.won {
            let k = keys.of(holder, periods.of(at));
            self.deals.entry(k).or_default().cycles.push(at - start);
            if let Some(p) = holder {
                let e = self.first_won.entry(p).or_insert(at);
                *e = (*e).min(at);
            }
        }
        if let Some((holder, ordered, delivered)) = f.fulfilment {
            let k = keys.of(holder, periods.of(delivered));
            self.deals
                .entry(k)
                .or_default()
                .fulfilment
                .push(delivered - ordered);
        }
        if !f.closed() {
            let k = keys.of(f.holder, periods.of(start));
            let a = self.open.entry(k).or_default();
            a.open += 1;
            a.ages.push(now - start);
            if untouched_after.is_some_and(|d| now - f.last >= d) {
                a.untouched += 1;
            }
        }
    }

    /// Adds the met and breached SLA instances of one lead's evaluation.
    pub(crate) fn add_sla(
        &mut self,
        ev: &Evaluation,
        f: &Facts<'a>,
        keys: &Keys<'a>,
        periods: &mut Periods<'_>,
        policy_index: &FxHashMap<&str, usize>,
    ) {
        for s in &ev.slas {
            let (at, met) = match (s.state, s.ended_at, s.due_at) {
                (SlaState::Met, Some(stop), _) => (stop, true),
                (SlaState::Breached, _, Some(due)) => (due, false),
                _ => continue,
            };
            let Some(&policy) = policy_index.get(&*s.sla) else {
                continue;
            };
            // the instance's partner, borrowed from the timeline (it held the lead)
            let partner = s.partner.as_deref().and_then(|p| {
                f.holdings
                    .iter()
                    .find(|h| h.partner == p)
                    .map(|h| h.partner)
            });
            let k = keys.of(partner, periods.of(at));
            let e = self.sla.entry((k, policy)).or_default();
            if met {
                e.0 += 1;
            } else {
                e.1 += 1;
            }
        }
    }

    /// The rows of every lead-derived table.
    pub(crate) fn finish(
        self,
        now: EpochMs,
        tz: String,
        by: &GroupBy,
        untouched: bool,
        policies: &[String],
    ) -> KpiReport {
        let dims = by.dims(true, true);
        let lead_dims = by.dims(false, true);
        KpiReport {
            now,
            tz,
            by: *by,
            assignments: sorted(self.assign)
                .into_iter()
                .map(|(k, mut a)| AssignmentRow {
                    key: by.key(&k, dims),
                    assignments: a.assignments,
                    accepted: a.accepted,
                    rejected: a.rejected,
                    lapsed: a.lapsed,
                    pending: a.pending,
                    acceptance_rate: rate(a.accepted, a.accepted + a.rejected + a.lapsed),
                    converted: a.converted,
                    conversion_rate: rate(a.converted, a.assignments),
                    response_time: Stats::of(&mut a.response),
                    first_contact: Stats::of(&mut a.first_contact),
                })
                .collect(),
            rejections: sorted(self.reasons)
                .into_iter()
                .map(|((k, reason), count)| RejectionRow {
                    key: by.key(&k, dims),
                    reason: reason.to_string(),
                    count,
                })
                .collect(),
            leads: sorted(self.leads)
                .into_iter()
                .map(|(k, (leads, won))| LeadRow {
                    key: by.key(&k, lead_dims),
                    leads,
                    won,
                    conversion_rate: rate(won, leads),
                })
                .collect(),
            open_leads: sorted(self.open)
                .into_iter()
                .map(|(k, mut a)| OpenLeadRow {
                    key: by.key(&k, dims),
                    open: a.open,
                    age: Stats::of(&mut a.ages),
                    untouched: untouched.then_some(a.untouched),
                })
                .collect(),
            stages: sorted(self.stages)
                .into_iter()
                .map(|((k, stage), mut a)| StageRow {
                    key: by.key(&k, dims),
                    stage: stage.to_string(),
                    time_in_stage: Stats::of(&mut a.closed),
                    open: a.open,
                    open_mean_age: (a.open > 0).then(|| a.open_age as f64 / a.open as f64),
                })
                .collect(),
            deals: sorted(self.deals)
                .into_iter()
                .map(|(k, mut a)| DealRow {
                    key: by.key(&k, dims),
                    sales_cycle: Stats::of(&mut a.cycles),
                    fulfilment: Stats::of(&mut a.fulfilment),
                })
                .collect(),
            sla: sorted(self.sla)
                .into_iter()
                .map(|((k, policy), (met, breached))| SlaRow {
                    key: by.key(&k, dims),
                    sla: policies.get(policy).cloned().unwrap_or_default(),
                    met,
                    breached,
                    attainment: rate(met, met + breached),
                })
                .collect(),
            // from the partners' records and events, filled by the caller
            engagement: Vec::new(),
            engagement_kinds: Vec::new(),
            first_deals: Vec::new(),
        }
    }
}

/// Engagement tables from the partners' events (only those at or before `now`).
pub(crate) fn engagement<'a>(
    events: &'a [super::input::EngagementEvent],
    by: &GroupBy,
    periods: &mut Periods<'_>,
    now: EpochMs,
) -> (Vec<EngagementRow>, Vec<EngagementKindRow>) {
    let keys = Keys {
        by: *by,
        region: None,
        product_line: None,
    };
    let mut totals: FxHashMap<RawKey<'a>, u64> = FxHashMap::default();
    let mut days: FxHashSet<(RawKey<'a>, i32)> = FxHashSet::default();
    let mut kinds: FxHashMap<(RawKey<'a>, &'a str), u64> = FxHashMap::default();
    for e in events.iter().filter(|e| e.at <= now) {
        let k = keys.of(Some(e.partner.as_str()), periods.of(e.at));
        *totals.entry(k).or_default() += 1;
        days.insert((k, periods.day(e.at)));
        *kinds.entry((k, e.kind.as_str())).or_default() += 1;
    }
    let mut active: FxHashMap<RawKey<'a>, u64> = FxHashMap::default();
    for (k, _) in days {
        *active.entry(k).or_default() += 1;
    }
    let dims = by.dims(true, false);
    let rows = sorted(totals)
        .into_iter()
        .map(|(k, events)| EngagementRow {
            key: by.key(&k, dims),
            events,
            active_days: active.get(&k).copied().unwrap_or(0),
        })
        .collect();
    let kind_rows = sorted(kinds)
        .into_iter()
        .map(|((k, kind), events)| EngagementKindRow {
            key: by.key(&k, dims),
            kind: kind.to_string(),
            events,
        })
        .collect();
    (rows, kind_rows)
}

/// Time to first deal rows: per partner with a first `won` and a join instant.
pub(crate) fn first_deals<'a>(
    first_won: &FxHashMap<&'a str, EpochMs>,
    joined: &FxHashMap<&str, EpochMs>,
    by: &GroupBy,
    periods: &mut Periods<'_>,
) -> Vec<FirstDealRow> {
    let keys = Keys {
        by: *by,
        region: None,
        product_line: None,
    };
    let mut groups: FxHashMap<RawKey<'a>, Vec<DurationMs>> = FxHashMap::default();
    for (&p, &won) in first_won {
        if let Some(&j) = joined.get(p) {
            let k = keys.of(Some(p), periods.of(won));
            groups.entry(k).or_default().push(won - j);
        }
    }
    let dims = by.dims(true, false);
    sorted(groups)
        .into_iter()
        .map(|(k, mut v)| FirstDealRow {
            key: by.key(&k, dims),
            time_to_first_deal: Stats::of(&mut v),
        })
        .collect()
}
