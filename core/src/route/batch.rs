//! Routing prepared batches: the fused loop for fast rules and the general path.

use std::sync::Arc;

use std::cmp::Ordering;

use super::compile::{Cx, FLeaf, FProg, RankFn};
use super::eval::{eval, truth, Env};
use super::exec::{key_scored, order, score, Pre, Scratch};
use super::prepare::{Key, LeadBatch};
use super::routed::{Routed, RoutedBatch, FALLBACK, NONE};
use super::Decision;
use super::{CRule, Engine, Otherwise, Probe, RouteError, RouteOptions, Times};
use crate::network::bits::Bits;
use crate::network::{FieldIndex, Network, S, UNKNOWN};
use crate::plan::Expr;
use crate::record::Record;
use crate::report::ErrorReport;
use crate::value::EpochMs;

impl Engine {
    /// Routes a prepared batch in order, applying each assignment to the network's state, like
    /// [`Engine::route_batch`].
    pub fn route_prepared(
        &self,
        network: &mut Network,
        batch: &LeadBatch,
        times: Times<'_>,
        opts: &RouteOptions,
    ) -> Vec<Result<Decision, ErrorReport>> {
        self.route_prepared_compact(network, batch, times, opts)
            .decisions()
    }

    /// Routes a prepared batch like [`Engine::route_prepared`], returning compact results
    /// (a partner slot and rule index per lead; [`RoutedBatch::decisions`] expands them).
    ///
    /// Without explanations, rules whose probes are all territory and membership lookups and
    /// that do not hand leads to a parent run in one fused loop: each combination of probe
    /// keys in the batch is resolved once to a list of candidate slots (live, not excluded,
    /// passing the probes), lead-only operands of the other requires are decided once per lead,
    /// and literals once per batch. Each candidate is read from one packed record per rule
    /// (implicit guards, the requires whose partner part is fixed for the batch as a bit mask,
    /// and a partner-only rank's score, rescored on assignment); the recency and id tie-break
    /// is read only on an exact score tie, and partners failing the implicit guards are dropped
    /// from their combinations (counts only grow within a batch).
    pub fn route_prepared_compact(
        &self,
        network: &mut Network,
        batch: &LeadBatch,
        times: Times<'_>,
        opts: &RouteOptions,
    ) -> RoutedBatch {
        let mut out = RoutedBatch::new(self, network, batch.leads.len(), times);
        let resolved = self.resolve(network, batch);
        let mut scratch = Scratch::default();
        scratch.set_exclude(network, &opts.exclude);
        if !opts.explain && self.rules.iter().all(|r| r.fast) {
            self.fused(network, batch, times, &resolved, &scratch.excl, &mut out);
        } else {
            self.general(
                network,
                batch,
                times,
                opts,
                &resolved,
                &mut scratch,
                &mut out,
            );
        }
        out
    }

    /// The fused loop (see [`Engine::route_prepared_compact`]).
    fn fused(
        &self,
        network: &mut Network,
        batch: &LeadBatch,
        times: Times<'_>,
        resolved: &[Bits],
        excl: &Bits,
        out: &mut RoutedBatch,
    ) {
        // candidate slots per combination, as ranges of one array
        let mut ranges: Vec<[u32; 2]> = Vec::with_capacity(batch.combo_keys.len());
        let mut cands: Vec<u32> = Vec::new();
        let mut sets: Vec<&Bits> = Vec::new();
        for (_, ks) in &batch.combo_keys {
            sets.clear();
            let mut known = true;
            for k in ks {
                match resolved.get(*k as usize) {
                    Some(b) => sets.push(b),
                    None => known = false,
                }
            }
            let a = u32::try_from(cands.len()).unwrap_or(u32::MAX);
            if known {
                network.alive.push_ones_and(&sets, excl, &mut cands);
            }
            ranges.push([a, u32::try_from(cands.len()).unwrap_or(u32::MAX)]);
        }
        let blank = Record {
            id: Arc::from(""),
            values: Vec::new(),
        };
        let has_cap = network.f_capacity.is_some();
        let mut fast: Vec<Fast<'_>> = self
            .rules
            .iter()
            .map(|r| Fast::new(r, network, &blank))
            .collect();
        let nr = self.rules.len();
        // where each rule's prepared slot values start within a lead's
        let mut pre_at = Vec::with_capacity(nr);
        let mut stride = 0usize;
        for r in &self.rules {
            pre_at.push(stride);
            stride += r.slots_prepared.len();
        }
        let prepared_ok = batch.slot_vals.len() == stride * batch.leads.len();
        // the splits evaluated per candidate with a closure (for one lead and rule)
        let mut checks: Vec<usize> = Vec::new();
        for (i, lead) in batch.leads.iter().enumerate() {
            if let Some(Some(e)) = batch.checks.get(i) {
                out.error(i, ErrorReport::from(&**e));
                continue;
            }
            let Some(now) = times.get(i) else {
                out.error(
                    i,
                    ErrorReport::from(RouteError::MissingInstant {
                        lead: lead.id.to_string(),
                    }),
                );
                continue;
            };
            let mut item = Routed {
                slot: NONE,
                rule: FALLBACK,
            };
            let net: &Network = network;
            for (r, f) in fast.iter_mut().enumerate() {
                let rule = f.rule;
                if let Some(w) = &rule.when {
                    if !holds(w, lead, now) {
                        continue;
                    }
                }
                // (every checked lead has a combination for every fast rule: its territory and
                // membership keys are always interned by `prepare_leads`)
                let combo = batch.combos.get(i * nr + r).copied().unwrap_or(u32::MAX) as usize;
                let Some(&[a, b]) = ranges.get(combo) else {
                    continue;
                };
                let vals = if prepared_ok {
                    let base = i * stride + pre_at.get(r).copied().unwrap_or(0);
                    batch.slot_vals.get(base..base + rule.slots_prepared.len())
                } else {
                    None
                };
                let slots = &mut f.slots;
                if f.copy || vals.is_none() {
                    fill(rule, slots, vals, lead, net, now);
                }
                // what a candidate must pass for this lead: static bits, and closures for the
                // rest
                checks.clear();
                if !f.base_dyn.is_empty() {
                    checks.extend_from_slice(&f.base_dyn);
                }
                let mut need = f.base_need;
                let mut dead = false;
                for ls in &f.lead_splits {
                    let v = match (ls.pre, vals) {
                        (Some(at), Some(vals)) => vals.get(at),
                        _ => slots.get(ls.slot),
                    };
                    let v = matches!(v, Some(S::Bool(true)));
                    if v == ls.or {
                        // `true or _`, `false and _`
                        if !v {
                            dead = true;
                            break;
                        }
                    } else if !ls.rest {
                        // a lead-only require that is not true
                        if !v {
                            dead = true;
                            break;
                        }
                    } else {
                        match ls.bit {
                            Some(m) => need |= m,
                            None => checks.push(ls.split),
                        }
                    }
                }
                if dead {
                    if let Otherwise::Queue(_) = rule.otherwise {
                        item = Routed {
                            slot: NONE,
                            rule: u32::try_from(r).unwrap_or(FALLBACK),
                        };
                        break;
                    }
                    continue;
                }
                let slots: &[S] = slots;
                // (closures read the slots only when `f.copy`)
                let cx = || Cx {
                    net,
                    slots,
                    lead,
                    now,
                    ext: &[],
                };
                let mut best: Option<(usize, u64)> = None;
                let recs: &[Cand] = &f.recs;
                let (mut j, mut end) = (a as usize, b as usize);
                while let (true, Some(&p)) = (j < end, cands.get(j)) {
                    let p = p as usize;
                    let Some(c) = recs.get(p) else {
                        j += 1;
                        continue;
                    };
                    if c.active >= c.cap {
                        // the guards fail for the rest of the batch (counts only grow): drop the
                        // partner from this combination (the best candidate does not depend on
                        // the order of the scan)
                        end -= 1;
                        if let Some(&last) = cands.get(end) {
                            if let Some(x) = cands.get_mut(j) {
                                *x = last;
                            }
                        }
                        continue;
                    }
                    j += 1;
                    if c.mask & need != need {
                        continue;
                    }
                    if !checks.is_empty() {
                        let cx = cx();
                        let ok = checks.iter().all(|j| {
                            rule.splits
                                .get(*j)
                                .and_then(|sp| sp.rest.as_ref())
                                .is_some_and(|f| f(&cx, p) == Some(true))
                        });
                        if !ok {
                            continue;
                        }
                    }
                    let k = if f.cached {
                        c.key
                    } else {
                        score_key(score(rule, &cx(), p))
                    };
                    match best {
                        // a lower score loses before the tie-break state is read
                        Some((q, bk)) if k < bk || (k == bk && tie(rule, &cx(), p, q).is_ge()) => {}
                        _ => best = Some((p, k)),
                    }
                }
                if end != b as usize {
                    if let Some(rg) = ranges.get_mut(combo) {
                        rg[1] = u32::try_from(end).unwrap_or(0);
                    }
                }
                let r32 = u32::try_from(r).unwrap_or(FALLBACK);
                if let Some((p, _)) = best {
                    item = Routed {
                        slot: u32::try_from(p).unwrap_or(NONE),
                        rule: r32,
                    };
                    break;
                }
                if let Otherwise::Queue(_) = rule.otherwise {
                    item = Routed {
                        slot: NONE,
                        rule: r32,
                    };
                    break;
                }
            }
            if item.slot != NONE {
                let p = item.slot as usize;
                network.assign(p, now);
                let active = network.state.active.get(p).copied().unwrap_or(0);
                for f in &mut fast {
                    let key = if f.rescore {
                        Some(score_key(f.rescore(network, &blank, p)))
                    } else {
                        None
                    };
                    if let Some(c) = f.recs.get_mut(p) {
                        if has_cap {
                            c.active = active;
                        }
                        if let Some(k) = key {
                            c.key = k;
                        }
                    }
                }
            }
            out.items.push(item);
        }
    }

    /// The general path: each lead through `decide` (explanations, parents, per-lead probes).
    #[expect(
        clippy::too_many_arguments,
        reason = "test code: a failed setup or assertion should stop the test loudly"
    )]
    fn general(
        &self,
        network: &mut Network,
        batch: &LeadBatch,
        times: Times<'_>,
        opts: &RouteOptions,
        resolved: &[Bits],
        scratch: &mut Scratch,
        out: &mut RoutedBatch,
    ) {
        let np = batch.nprobes;
        for (i, lead) in batch.leads.iter().enumerate() {
            if let Some(Some(e)) = batch.checks.get(i) {
                out.error(i, ErrorReport::from(&**e));
                continue;
            }
            let Some(now) = times.get(i) else {
                out.error(
                    i,
                    ErrorReport::from(RouteError::MissingInstant {
                        lead: lead.id.to_string(),
                    }),
                );
                continue;
            };
            let keys = batch.keys.get(i * np..(i + 1) * np).unwrap_or(&[]);
            let pre = Pre {
                bits: resolved,
                keys,
            };
            let (d, chosen) = self.decide(network, lead, now, opts.explain, Some(pre), scratch);
            if let Some(p) = chosen {
                network.assign(p, now);
            }
            out.full(i, d, chosen);
        }
    }

    fn resolve(&self, net: &Network, batch: &LeadBatch) -> Vec<Bits> {
        batch
            .distinct
            .iter()
            .map(|(g, k)| {
                let mut b = Bits::with_len(net.slots());
                match (self.all_probes.get(*g), k) {
                    (Some(Probe::Territory { field, .. }), Key::Region(r)) => {
                        if let Some(FieldIndex::Territory(ix)) = net.index.get(usize::from(*field))
                        {
                            ix.lookup(r, &mut b);
                        }
                    }
                    (Some(Probe::Member { field, .. }), Key::Sym(s)) => {
                        let id = net.texts.lookup(s);
                        if let (true, Some(FieldIndex::Member(ix))) =
                            (id != UNKNOWN, net.index.get(usize::from(*field)))
                        {
                            if let Some(x) = ix.get(id) {
                                b.or_with(x);
                            }
                        }
                    }
                    _ => {}
                }
                b
            })
            .collect()
    }
}

/// One candidate's data for one rule in the fused loop, packed so that a scan reads one record
/// per candidate.
#[derive(Debug, Clone, Copy)]
struct Cand {
    /// The cached score as an order key (see [`score_key`]) when the rank reads only the
    /// partner (or there is no rank).
    key: u64,
    /// The partner's active lead count (kept equal to the network's state) with a capacity
    /// guard, else 0.
    active: i64,
    /// The implicit guards' static part: the capacity, or (without a capacity guard) 1; a
    /// partner failing the status guard (or without a capacity value) gets `i64::MIN`, which
    /// no count is below.
    cap: i64,
    /// Bit `b` set: the partner passes the fixed rest of the split whose bit is `b`.
    mask: u64,
}

/// A split with a lead part, decided per lead (Kleene logic: an `or` with a true lead part
/// passes every partner, an `and` with a false or unknown one fails them all, otherwise the rest
/// decides; a require without a rest is its lead part).
#[derive(Debug, Clone, Copy)]
struct LeadSplit {
    /// The split's index.
    split: usize,
    /// The lead part's slot, and its position among the rule's prepared slots.
    slot: usize,
    pre: Option<usize>,
    /// Whether the require is an `or` (else an `and`).
    or: bool,
    /// Whether it has a partner-dependent rest, and the rest's bit when it is fixed.
    rest: bool,
    bit: Option<u64>,
}

/// A rule's state in the fused loop.
struct Fast<'e> {
    rule: &'e CRule,
    /// The rule's slots for the current lead (constants filled once).
    slots: Vec<S>,
    /// The constant slots (what a partner-only rank or a fixed rest reads).
    consts: Vec<S>,
    /// The per-partner values of the cached rank's static subexpressions.
    ext: Vec<Vec<f64>>,
    /// Per partner slot.
    recs: Vec<Cand>,
    /// Per split: the bit of its rest in [`Cand::mask`] when the rest is fixed for the batch
    /// (at most 64; the others are evaluated per candidate).
    bits: Vec<Option<u64>>,
    /// Whether [`Cand::key`] holds the score.
    cached: bool,
    /// The splits with a lead part, decided per lead.
    lead_splits: Vec<LeadSplit>,
    /// The bits of the fixed splits without a lead part (every candidate needs them).
    base_need: u64,
    /// The other splits without a lead part (evaluated per candidate).
    base_dyn: Vec<usize>,
    /// Whether per-candidate closures may read the lead's slots, so they are written per lead
    /// (else the lead splits read the prepared values in place).
    copy: bool,
    /// Whether the score changes when the partner is assigned.
    rescore: bool,
    /// The cached rank specialised for the batch, and per partner its row of static values
    /// (`width` each).
    rank_fn: Option<RankFn>,
    rows: Vec<f64>,
    width: usize,
}

impl<'e> Fast<'e> {
    fn new(rule: &'e CRule, net: &Network, blank: &Record) -> Fast<'e> {
        let consts: Vec<S> = rule
            .slot_fns
            .iter()
            .zip(&rule.slot_lead)
            .map(|(f, lead)| if *lead { S::Null } else { f(blank, net, 0) })
            .collect();
        let ext: Vec<Vec<f64>> = match &rule.rank_folded {
            Some((_, statics)) if rule.rank_cached => {
                let cx = Cx {
                    net,
                    slots: &consts,
                    lead: blank,
                    now: 0,
                    ext: &[],
                };
                statics
                    .iter()
                    .map(|f| (0..net.slots()).map(|p| f.eval(&cx, p)).collect())
                    .collect()
            }
            _ => Vec::new(),
        };
        let mut next = 0u32;
        let bits: Vec<Option<u64>> = rule
            .splits
            .iter()
            .map(|sp| {
                if sp.fixed && sp.rest.is_some() && next < 64 {
                    next += 1;
                    Some(1u64 << (next - 1))
                } else {
                    None
                }
            })
            .collect();
        let mut leaves = Vec::new();
        let rank_fn = match &rule.rank_folded {
            Some((f, _)) if rule.rank_cached => f.rank_fn(&consts, &mut leaves),
            _ => None,
        };
        let mut rows = Vec::new();
        if rank_fn.is_some() {
            let cx = Cx {
                net,
                slots: &consts,
                lead: blank,
                now: 0,
                ext: &ext,
            };
            rows.reserve(net.slots() * leaves.len());
            for p in 0..net.slots() {
                rows.extend(leaves.iter().map(|l| FProg::row_value(*l, &cx, p)));
            }
        }
        let mut lead_splits = Vec::new();
        let (mut base_need, mut base_dyn) = (0u64, Vec::new());
        for (j, (sp, bit)) in rule.splits.iter().zip(&bits).enumerate() {
            match (sp.lead, bit) {
                (Some((k, or)), _) => lead_splits.push(LeadSplit {
                    split: j,
                    slot: k,
                    pre: rule.slots_prepared.iter().position(|x| *x == k),
                    or,
                    rest: sp.rest.is_some(),
                    bit: *bit,
                }),
                (None, Some(b)) => base_need |= b,
                (None, None) => base_dyn.push(j),
            }
        }
        let cached = rule.rank.is_none() || rule.rank_cached;
        let copy = !cached
            || rule.weight.is_some()
            || !base_dyn.is_empty()
            || lead_splits
                .iter()
                .any(|ls| ls.pre.is_none() || (ls.rest && ls.bit.is_none()));
        let mut f = Fast {
            rule,
            lead_splits,
            base_need,
            base_dyn,
            copy,
            rank_fn,
            rows,
            width: leaves.len(),
            slots: consts.clone(),
            consts,
            ext,
            recs: Vec::new(),
            bits,
            cached,
            // (a rank that is one static value does not change on assignment)
            rescore: rule.rank.is_some()
                && rule.rank_cached
                && !matches!(
                    &rule.rank_folded,
                    Some((
                        FProg::Leaf(FLeaf::Ext(_) | FLeaf::Col(_) | FLeaf::Const(_)),
                        _
                    ))
                ),
        };
        let has_cap = net.f_capacity.is_some();
        let recs: Vec<Cand> = (0..net.slots())
            .map(|p| {
                let status = match net.f_status {
                    Some((fs, active)) => net.cell(fs, p) == S::Sym(active),
                    None => true,
                };
                let (active, cap) = match net.f_capacity {
                    Some(fc) => {
                        let active = net.state.active.get(p).copied().unwrap_or(0);
                        match net.cols.get(usize::from(fc)).and_then(|c| c.s.get(p)) {
                            Some(S::Int(c)) if status => (active, *c),
                            _ => (active, i64::MIN),
                        }
                    }
                    None => (0, if status { 1 } else { i64::MIN }),
                };
                let key = if rule.rank.is_some() && rule.rank_cached {
                    score_key(f.rescore(net, blank, p))
                } else {
                    score_key(0.0)
                };
                let mut mask = 0u64;
                if f.bits.iter().any(Option::is_some) {
                    let cx = Cx {
                        net,
                        slots: &f.consts,
                        lead: blank,
                        now: 0,
                        ext: &[],
                    };
                    for (sp, bit) in rule.splits.iter().zip(&f.bits) {
                        if let (Some(b), Some(rest)) = (bit, &sp.rest) {
                            if rest(&cx, p) == Some(true) {
                                mask |= b;
                            }
                        }
                    }
                }
                Cand {
                    key,
                    active: if has_cap { active } else { 0 },
                    cap,
                    mask,
                }
            })
            .collect();
        f.recs = recs;
        f
    }

    /// The score of a partner-only rank for slot `p` in the network's current state.
    #[inline]
    fn rescore(&self, net: &Network, blank: &Record, p: usize) -> f64 {
        if let Some(f) = &self.rank_fn {
            let active = net.state.active.get(p).map_or(f64::NAN, |x| *x as f64);
            // (the closures read entries below `width` only)
            let row = self.rows.get(p * self.width..).unwrap_or(&[]);
            return f(active, row) + 0.0;
        }
        let cx = Cx {
            net,
            slots: &self.consts,
            lead: blank,
            now: 0,
            ext: &self.ext,
        };
        match &self.rule.rank_folded {
            Some((f, _)) => f.eval(&cx, p) + 0.0,
            None => score(self.rule, &cx, p),
        }
    }
}

/// Whether a `when` holds for a lead.
#[inline(never)]
fn holds(w: &Expr, lead: &Record, now: EpochMs) -> bool {
    let env = Env {
        lead,
        partner: None,
        now,
    };
    truth(&eval(w, &env)) == Some(true)
}

/// Writes a lead's values into a rule's slots: the prepared values `vals` and the live slots, or
/// without prepared values every lead slot.
#[inline(never)]
fn fill(
    rule: &CRule,
    slots: &mut [S],
    vals: Option<&[S]>,
    lead: &Record,
    net: &Network,
    now: EpochMs,
) {
    match vals {
        Some(vals) => {
            for (k, v) in rule.slots_prepared.iter().zip(vals) {
                if let Some(s) = slots.get_mut(*k) {
                    *s = *v;
                }
            }
            for k in &rule.slots_live {
                if let (Some(s), Some(f)) = (slots.get_mut(*k), rule.slot_fns.get(*k)) {
                    *s = f(lead, net, now);
                }
            }
        }
        None => {
            for ((f, is_lead), s) in rule
                .slot_fns
                .iter()
                .zip(&rule.slot_lead)
                .zip(slots.iter_mut())
            {
                if *is_lead {
                    *s = f(lead, net, now);
                }
            }
        }
    }
}

/// A score as an order key: higher keys rank first, equal keys are equal scores (`-0.0` and
/// `0.0` alike), and `NaN` (0) comes after every number.
#[inline]
fn score_key(s: f64) -> u64 {
    if s.is_nan() {
        return 0;
    }
    let b = (s + 0.0).to_bits();
    if b >> 63 == 1 {
        !b
    } else {
        b | (1 << 63)
    }
}

/// The tie-break between two candidates with equal scores (`Less` = `a` first).
#[cold]
fn tie(rule: &CRule, cx: &Cx<'_>, a: usize, b: usize) -> Ordering {
    order(
        rule,
        &key_scored(rule, cx, a, 0.0),
        &key_scored(rule, cx, b, 0.0),
    )
    .0
}
