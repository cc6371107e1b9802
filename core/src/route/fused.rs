//! The fused loop: prepared batches without explanations whose rules all probe territories and
//! memberships only and never hand leads to a parent (see
//! [`Engine::route_prepared_compact`]). It decides as `decide.rs` does (the differential tests
//! hold every path to the reference evaluator) from per-batch data: candidate lists per
//! combination of probe keys, a packed record per partner and rule (`fused_rule.rs`), and
//! lead-only require parts decided once per lead.

use std::sync::Arc;

use super::batch::ready;
use super::carry::RouteCarry;
use super::compile::LeadFrame;
use super::eval::{eval, truth, ValueEnv};
use super::fused_rule::{CandidateRecord, FusedRule};
use super::order::{score, score_order, tie};
use super::prepare::{LeadBatch, Leads, SlotValues};
use super::routed::{Routed, RoutedBatch, FALLBACK, NONE};
use super::rule::SlotTiming;
use super::{Engine, Times};
use crate::network::bits::Bits;
use crate::network::{Network, Scalar};
use crate::plan::Expr;
use crate::record::Record;
use crate::value::EpochMs;

/// The candidate slots of each combination of probe keys in the batch (live, not excluded,
/// passing the probes), as ranges of one array. A range shrinks as its partners fail the
/// implicit guards, which they then fail for the rest of the batch (counts only grow), so
/// the lists are carried from chunk to chunk of a batch ([`crate::route::Carry`]) and
/// extended for the combinations each chunk adds.
#[derive(Default)]
pub(super) struct CandidateLists {
    /// Per distinct key: `[start, end)` in `key_slots`, its live, not excluded partners.
    of_key: Vec<[u32; 2]>,
    key_slots: Vec<u32>,
    /// Per combination: `[start, end)` in `slots`.
    ranges: Vec<[u32; 2]>,
    slots: Vec<u32>,
}

impl CandidateLists {
    /// Lists the candidates of each combination of `batch` not listed yet (and the partners of
    /// each key not listed yet) from the live, not excluded partners of the key with the
    /// fewest of them, testing the other keys' sets bit by bit (a combination's keys are
    /// usually a sparse set, such as a territory, and a dense one).
    pub(super) fn extend(
        &mut self,
        net: &Network,
        batch: &LeadBatch,
        resolved: &[Bits],
        excluded: &Bits,
    ) {
        let CandidateLists {
            of_key,
            key_slots,
            ranges,
            slots,
        } = self;
        // each distinct key's live, not excluded partners, ascending
        of_key.reserve(resolved.len().saturating_sub(of_key.len()));
        for b in resolved.iter().skip(of_key.len()) {
            let start = u32::try_from(key_slots.len()).unwrap_or(u32::MAX);
            net.alive.push_ones_and(&[b], excluded, key_slots);
            of_key.push([start, u32::try_from(key_slots.len()).unwrap_or(u32::MAX)]);
        }
        let (of_key, key_slots) = (&*of_key, &*key_slots);
        let key_list = |k: u32| {
            of_key
                .get(k as usize)
                .and_then(|&[a, b]| key_slots.get(a as usize..b as usize))
        };
        ranges.reserve(batch.combinations.len().saturating_sub(ranges.len()));
        let mut others: Vec<&Bits> = Vec::new();
        for keys in batch.combinations.iter().skip(ranges.len()) {
            let start = slots.len();
            // the position and list of the key with the fewest partners (`known`: every key
            // has a list)
            let (mut fewest, mut known) = (None::<(usize, &[u32])>, true);
            for (x, k) in keys.iter().enumerate() {
                match key_list(*k) {
                    Some(l) if fewest.is_none_or(|(_, m)| l.len() < m.len()) => {
                        fewest = Some((x, l));
                    }
                    Some(_) => {}
                    None => known = false,
                }
            }
            match fewest {
                // a key without a list (not resolved): no candidates
                _ if !known => {}
                // no keys: every live, not excluded partner
                None => net.alive.push_ones_and(&[], excluded, slots),
                Some((x, list)) => {
                    // the other keys' sets
                    others.clear();
                    for (y, k) in keys.iter().enumerate() {
                        if let (true, Some(b)) = (y != x, resolved.get(*k as usize)) {
                            others.push(b);
                        }
                    }
                    // written unconditionally, kept when in every other key's set (no branch
                    // on the test)
                    slots.resize(start + list.len(), 0);
                    let mut end = start;
                    for &p32 in list {
                        let p = p32 as usize;
                        let keep = match others.as_slice() {
                            [b] => b.get(p),
                            sets => sets.iter().fold(true, |keep, b| keep & b.get(p)),
                        };
                        if let Some(x) = slots.get_mut(end) {
                            *x = p32;
                        }
                        end += usize::from(keep);
                    }
                    slots.truncate(end);
                }
            }
            let at = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
            ranges.push([at(start), at(slots.len())]);
        }
    }
}

/// What a rule does with a lead in the fused loop.
enum Step {
    /// The lead goes to this partner slot.
    Partner(usize),
    /// The lead goes to the rule's queue.
    Queue,
    /// The next rule is tried.
    Next,
}

impl Engine {
    /// The fused loop (see the module docs), with the batch's keys resolved and the
    /// candidates listed so far in `carry` (its lists extended for the batch's new
    /// combinations).
    pub(super) fn route_fused(
        &self,
        network: &mut Network,
        batch: &LeadBatch,
        times: Times<'_>,
        carry: &mut RouteCarry,
        excluded: &Bits,
        out: &mut RoutedBatch,
    ) {
        // (a local while the loop runs, put back at the end: the loop keeps its lists'
        // fields in registers)
        let mut lists = std::mem::take(&mut carry.lists);
        lists.extend(network, batch, &carry.resolved, excluded);
        let blank = Record {
            id: Arc::from(""),
            values: Vec::new(),
        };
        let has_capacity = network.f_capacity.is_some();
        let mut rules: Vec<FusedRule<'_>> = self
            .rules
            .iter()
            .map(|r| FusedRule::new(r, network, &blank))
            .collect();
        // where each rule's prepared slot values are within a lead's
        let mut width = 0usize;
        for f in &mut rules {
            let n = f.rule.slots.prepared.len();
            f.part = width..width + n;
            width += n;
        }
        let prepared = batch.prepared.as_ref().filter(|t| t.width() == width);
        // the residual requires evaluated per candidate with a closure (for one lead and rule)
        let mut checks: Vec<usize> = Vec::new();
        // a lead's record is read only when a rule reads it (else its prepared values are all
        // the loop reads: a batch held as columns builds no record)
        let read = prepared.is_none()
            || rules.iter().any(|f| f.when.is_some() || f.copy)
            || matches!(batch.leads, Leads::Records(_));
        let mut leads = batch.reader();
        for i in 0..batch.len() {
            let record = read.then(|| leads.lead(i));
            let lead: &Record = record.as_deref().unwrap_or(&blank);
            let Some(now) = ready(batch, i, &mut |i| leads.lead(i).id.clone(), times, out) else {
                continue;
            };
            let mut item = Routed {
                slot: NONE,
                rule: FALLBACK,
            };
            let net: &Network = network;
            for (r, f) in rules.iter_mut().enumerate() {
                if let Some(w) = f.when {
                    if !when_holds(w, lead, now) {
                        continue;
                    }
                }
                // (every checked lead has a combination for every fused rule: its territory and
                // membership keys are always interned by `prepare_leads`)
                let combo = batch.combos.get(i, r).unwrap_or(u32::MAX) as usize;
                let vals = prepared.and_then(|t| t.part(i, f.part.clone()));
                let step = f.step((lead, now), net, vals, &mut lists, combo, &mut checks);
                let r32 = u32::try_from(r).unwrap_or(FALLBACK);
                match step {
                    Step::Partner(p) => {
                        let slot = u32::try_from(p).unwrap_or(NONE);
                        item = Routed { slot, rule: r32 };
                        break;
                    }
                    Step::Queue => {
                        item = Routed {
                            slot: NONE,
                            rule: r32,
                        };
                        break;
                    }
                    Step::Next => {}
                }
            }
            if item.slot != NONE {
                let p = item.slot as usize;
                network.assign(p, now);
                let active = network.state.active.get(p).copied().unwrap_or(0);
                for f in &mut rules {
                    let order = f
                        .rescore_on_assign
                        .then(|| score_order(f.score_of(network, &blank, p)));
                    let cap = f.capacities.get(p).copied().unwrap_or(i64::MIN);
                    if let Some(c) = f.records.get_mut(p) {
                        if has_capacity {
                            c.room = cap.saturating_sub(active);
                        }
                        if let Some(k) = order {
                            c.score_order = k;
                        }
                    }
                }
            }
            out.items.push(item);
        }
        carry.lists = lists;
    }
}

impl FusedRule<'_> {
    /// Decides the rule for one lead: its prepared slot values `vals` (if any), the candidates
    /// of combination `combo` (partners failing the guards are dropped from it).
    #[inline]
    fn step(
        &mut self,
        (lead, now): (&Record, EpochMs),
        net: &Network,
        vals: Option<SlotValues<'_>>,
        lists: &mut CandidateLists,
        combo: usize,
        checks: &mut Vec<usize>,
    ) -> Step {
        let rule = self.rule;
        let queue_or_next = if self.queues { Step::Queue } else { Step::Next };
        let Some(&[a, b]) = lists.ranges.get(combo) else {
            return Step::Next;
        };
        if self.copy || vals.is_none() {
            fill_slots(self, vals, lead, net, now);
        }
        let Some(need) = self.lead_parts(vals, checks) else {
            return queue_or_next;
        };
        let slots: &[Scalar] = &self.slots;
        // (closures read the slots only when `self.copy`)
        let frame = || LeadFrame {
            network: net,
            slots,
            lead,
            now,
            statics: &[],
        };
        // the best candidate so far (if `found`) and its score key
        let (mut best, mut best_k, mut found) = (0usize, 0u64, false);
        // (a cached score without per-candidate requires: no branch on the candidate's
        // requires or score below but the tie-break's, so that the scan costs about the same
        // whichever candidates pass)
        let plain = self.cached && checks.is_empty();
        let records: &[CandidateRecord] = &self.records;
        let cands = &mut lists.slots;
        let (mut j, mut end) = (a as usize, b as usize);
        while let (true, Some(&p)) = (j < end, cands.get(j)) {
            let p = p as usize;
            let Some(c) = records.get(p) else {
                j += 1;
                continue;
            };
            if c.room <= 0 {
                // the guards fail for the rest of the batch (counts only grow): drop the
                // partner from this combination (the best candidate does not depend on the
                // order of the scan)
                end -= 1;
                if let Some(&last) = cands.get(end) {
                    if let Some(x) = cands.get_mut(j) {
                        *x = last;
                    }
                }
                continue;
            }
            j += 1;
            let eligible = c.fixed_passed & need == need;
            let k = if plain {
                c.score_order
            } else {
                if !eligible || !self.residuals_pass(checks, &frame(), p) {
                    continue;
                }
                if self.cached {
                    c.score_order
                } else {
                    score_order(score(rule, &frame(), p))
                }
            };
            // a lower score loses before the tie-break state is read
            let mut take = eligible & (!found | (k > best_k));
            if eligible & found & (k == best_k) {
                take = tie(rule, &frame(), p, best).is_lt();
            }
            // (by masks: the compiler turns a select back into a branch)
            let m = 0u64.wrapping_sub(u64::from(take));
            best = ((p as u64 & m) | (best as u64 & !m)) as usize;
            best_k = (k & m) | (best_k & !m);
            found |= take;
        }
        if end != b as usize {
            if let Some(rg) = lists.ranges.get_mut(combo) {
                rg[1] = u32::try_from(end).unwrap_or(0);
            }
        }
        if found {
            Step::Partner(best)
        } else {
            queue_or_next
        }
    }

    /// Whether partner slot `p` passes the residual requires evaluated per candidate
    /// (`checks`) for the lead of `frame`.
    #[inline(never)]
    fn residuals_pass(&self, checks: &[usize], frame: &LeadFrame<'_>, p: usize) -> bool {
        checks.iter().all(|j| {
            self.rule
                .residual
                .get(*j)
                .and_then(|r| r.split.rest.as_ref())
                .is_some_and(|f| f(frame, p) == Some(true))
        })
    }

    /// Decides the lead parts of the residual requires: `None` if one fails the lead outright,
    /// else the fixed bits a candidate needs, with the residuals evaluated per candidate in
    /// `checks`.
    #[inline]
    fn lead_parts(&self, vals: Option<SlotValues<'_>>, checks: &mut Vec<usize>) -> Option<u64> {
        checks.clear();
        if !self.dynamic.is_empty() {
            checks.extend_from_slice(&self.dynamic);
        }
        let mut need = self.always_needed;
        for ls in &self.lead_splits {
            // (the lead part's value is a coin toss per lead: no branch on it, so in integers,
            // 1 for true)
            let v = u64::from(match (ls.prepared, vals) {
                (Some(at), Some(vals)) => vals.is_true(at),
                _ => matches!(self.slots.get(ls.slot), Some(Scalar::Bool(true))),
            });
            // `true or _` passes every partner and `false and _` none; otherwise the rest
            // decides, or, without one, the lead part must be true
            let rest = (v ^ u64::from(ls.or)) & u64::from(ls.has_rest);
            if v | rest == 0 {
                return None;
            }
            match ls.bit {
                Some(m) => need |= m & rest.wrapping_neg(),
                None if rest != 0 => checks.push(ls.residual),
                None => {}
            }
        }
        Some(need)
    }
}

/// Whether a `when` holds for a lead.
#[inline(never)]
fn when_holds(w: &Expr, lead: &Record, now: EpochMs) -> bool {
    let env = ValueEnv {
        lead,
        partner: None,
        now,
    };
    truth(&eval(w, &env)) == Some(true)
}

/// Writes a lead's values into a rule's slots: the prepared values `vals` and the live slots, or
/// without prepared values every lead slot.
#[inline(never)]
fn fill_slots(
    f: &mut FusedRule<'_>,
    vals: Option<SlotValues<'_>>,
    lead: &Record,
    net: &Network,
    now: EpochMs,
) {
    let slots = &f.rule.slots;
    match vals {
        Some(vals) => {
            for (j, k) in slots.prepared.iter().enumerate() {
                if let (Some(s), Some(v)) = (f.slots.get_mut(*k), vals.get(j)) {
                    *s = v;
                }
            }
            for k in &slots.live {
                if let (Some(s), Some(slot)) = (f.slots.get_mut(*k), slots.all.get(*k)) {
                    *s = (slot.eval)(lead, net, now);
                }
            }
        }
        None => {
            for (slot, s) in slots.all.iter().zip(f.slots.iter_mut()) {
                if slot.timing != SlotTiming::Constant {
                    *s = (slot.eval)(lead, net, now);
                }
            }
        }
    }
}
