//! Prepared lead batches: leads checked once, index probes resolved once per distinct value.

use rustc_hash::FxHashMap;
use std::sync::Arc;

use std::cmp::Ordering;

use super::compile::Cx;
use super::eval::{eval, truth, Env};
use super::exec::{desc, key, key_scored, order, score, Key as RankKey, Pre, Scratch};
use super::routed::{Routed, RoutedBatch, FALLBACK, NONE};
use super::Decision;
use super::{Engine, Otherwise, Probe, RouteError, RouteOptions, Times, Verdict};
use crate::geo::RegionCode;
use crate::network::bits::Bits;
use crate::network::{FieldIndex, Network, S, UNKNOWN};
use crate::record::Record;
use crate::report::ErrorReport;
use crate::value::Value;

/// A probe key: the lead-side value of a territory or membership require.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Region(RegionCode),
    Sym(Arc<str>),
    Null,
}

/// Leads checked against the lead schema, with the lead-side values of the plan's index probes
/// (territories, memberships) interned per batch, so routing resolves each distinct value
/// against the network once.
#[derive(Debug, Clone)]
pub struct LeadBatch {
    leads: Vec<Record>,
    checks: Vec<Option<Box<RouteError>>>,
    nprobes: usize,
    keys: Vec<u32>,
    distinct: Vec<(usize, Key)>,
    /// Per lead and rule (lead-major): the lead's candidate combination for a fast rule (the
    /// keys of the rule's probes), `u32::MAX` for none.
    combos: Vec<u32>,
    /// Per combination: the rule and its probes' keys (indexes into `distinct`).
    combo_keys: Vec<(usize, Vec<u32>)>,
    /// Per lead (lead-major), the values of every rule's prepared slots in rule order
    /// (`CRule::slots_prepared`); empty if they could not be computed.
    slot_vals: Vec<S>,
}

impl LeadBatch {
    /// The number of leads.
    pub fn len(&self) -> usize {
        self.leads.len()
    }

    /// Whether the batch is empty.
    pub fn is_empty(&self) -> bool {
        self.leads.is_empty()
    }

    /// The leads.
    pub fn leads(&self) -> &[Record] {
        &self.leads
    }
}

impl Engine {
    /// Prepares leads for [`Engine::route_prepared`]: checks each against the lead schema and
    /// interns the values its index probes look up.
    pub fn prepare_leads(&self, leads: Vec<Record>) -> LeadBatch {
        let np = self.all_probes.len();
        let mut keys = vec![u32::MAX; leads.len() * np];
        let mut distinct = Vec::new();
        let mut seen: FxHashMap<(usize, Key), u32> = FxHashMap::default();
        let mut checks = Vec::with_capacity(leads.len());
        for (i, lead) in leads.iter().enumerate() {
            let c = self.check_lead(lead).err().map(Box::new);
            let ok = c.is_none();
            checks.push(c);
            if !ok {
                continue;
            }
            let env = Env {
                lead,
                partner: None,
                now: 0,
            };
            for (g, probe) in self.all_probes.iter().enumerate() {
                let k = match probe {
                    Probe::Territory { region, .. } => match eval(region, &env) {
                        Value::Region(t) => Key::Region(t.region().clone()),
                        _ => Key::Null,
                    },
                    Probe::Member { item, .. } => match eval(item, &env) {
                        Value::Text(t) | Value::Enum(t) => Key::Sym(t),
                        _ => Key::Null,
                    },
                    Probe::Cert { .. } | Probe::Near { .. } => continue,
                };
                let next = u32::try_from(distinct.len()).unwrap_or(u32::MAX);
                let id = *seen.entry((g, k.clone())).or_insert_with(|| {
                    distinct.push((g, k));
                    next
                });
                if let Some(slot) = keys.get_mut(i * np + g) {
                    *slot = id;
                }
            }
        }
        let nr = self.rules.len();
        let mut combos = vec![u32::MAX; leads.len() * nr];
        let mut combo_keys = Vec::new();
        let mut seen: FxHashMap<(usize, Vec<u32>), u32> = FxHashMap::default();
        for (i, c) in checks.iter().enumerate() {
            if c.is_some() {
                continue;
            }
            let lead_keys = keys.get(i * np..(i + 1) * np).unwrap_or(&[]);
            for (r, rule) in self.rules.iter().enumerate() {
                if !rule.fast {
                    continue;
                }
                let ks: Option<Vec<u32>> = rule
                    .probes
                    .iter()
                    .map(|(g, _)| lead_keys.get(*g).copied().filter(|k| *k != u32::MAX))
                    .collect();
                let Some(ks) = ks else { continue };
                let next = u32::try_from(combo_keys.len()).unwrap_or(u32::MAX);
                let id = *seen.entry((r, ks.clone())).or_insert_with(|| {
                    combo_keys.push((r, ks));
                    next
                });
                if let Some(slot) = combos.get_mut(i * nr + r) {
                    *slot = id;
                }
            }
        }
        // lead-only values that do not depend on the network, once per lead
        let stride: usize = self.rules.iter().map(|r| r.slots_prepared.len()).sum();
        let mut slot_vals = Vec::new();
        if stride > 0 {
            if let Ok(empty) = Network::new(&self.plan().partner_schema, Vec::new()) {
                slot_vals.reserve(leads.len() * stride);
                for (lead, c) in leads.iter().zip(&checks) {
                    for r in &self.rules {
                        for k in &r.slots_prepared {
                            let v = match (c, r.slot_fns.get(*k)) {
                                (None, Some(f)) => f(lead, &empty, 0),
                                _ => S::Null,
                            };
                            slot_vals.push(v);
                        }
                    }
                }
            }
        }
        LeadBatch {
            leads,
            checks,
            nprobes: np,
            keys,
            distinct,
            combos,
            combo_keys,
            slot_vals,
        }
    }

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
    /// and literals once per batch.
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
        // candidate slots per combination, as offsets into one array
        let mut offs = Vec::with_capacity(batch.combo_keys.len() + 1);
        let mut cands: Vec<u32> = Vec::new();
        let mut bits = Bits::default();
        offs.push(0usize);
        for (_, ks) in &batch.combo_keys {
            bits.copy_from(&network.alive);
            for k in ks {
                match resolved.get(*k as usize) {
                    Some(b) => bits.and_with(b),
                    None => bits.reset(0),
                }
            }
            bits.and_not_with(excl);
            cands.extend(bits.ones().filter_map(|p| u32::try_from(p).ok()));
            offs.push(cands.len());
        }
        // per rule: slot values, constants filled once
        let blank = Record {
            id: Arc::from(""),
            values: Vec::new(),
        };
        let mut slots: Vec<Vec<S>> = self
            .rules
            .iter()
            .map(|r| {
                r.slot_fns
                    .iter()
                    .zip(&r.slot_lead)
                    .map(|(f, lead)| {
                        if *lead {
                            S::Null
                        } else {
                            f(&blank, network, 0)
                        }
                    })
                    .collect()
            })
            .collect();
        // per rule with a partner-only rank: every slot's score, kept up to date on assignment
        // (computed with the rank's static subexpressions read from per-batch columns)
        let ext: Vec<Vec<Vec<f64>>> = self
            .rules
            .iter()
            .zip(&slots)
            .map(|(r, sl)| match &r.rank_folded {
                Some((_, statics)) if r.rank_cached => {
                    let cx = Cx {
                        net: network,
                        slots: sl,
                        lead: &blank,
                        now: 0,
                        ext: &[],
                    };
                    statics
                        .iter()
                        .map(|f| (0..network.slots()).map(|p| f.eval(&cx, p)).collect())
                        .collect()
                }
                _ => Vec::new(),
            })
            .collect();
        // a partner-only rank reads constant slots only
        let consts = slots.clone();
        let rescore = |net: &Network, r: usize, p: usize| -> f64 {
            let (Some(rule), Some(sl), Some(ext)) = (self.rules.get(r), consts.get(r), ext.get(r))
            else {
                return f64::NAN;
            };
            let cx = Cx {
                net,
                slots: sl,
                lead: &blank,
                now: 0,
                ext,
            };
            match &rule.rank_folded {
                Some((f, _)) => f.eval(&cx, p) + 0.0,
                None => score(rule, &cx, p),
            }
        };
        let mut scores: Vec<Vec<f64>> = self
            .rules
            .iter()
            .enumerate()
            .map(|(r, rule)| {
                if !rule.rank_cached {
                    return Vec::new();
                }
                (0..network.slots())
                    .map(|p| rescore(network, r, p))
                    .collect()
            })
            .collect();
        // the implicit guards' static parts (status, capacity) per slot; `guard_fail` reads
        // the same cells
        // (with a capacity, one array: a slot failing the static part gets `i64::MIN`, which
        // no active count is below)
        let has_cap = network.f_capacity.is_some();
        let (gstatic, cap): (Vec<bool>, Vec<i64>) = (0..network.slots())
            .map(|p| {
                let status = match network.f_status {
                    Some((f, active)) => network.cell(f, p) == S::Sym(active),
                    None => true,
                };
                match network.f_capacity {
                    Some(fc) => match network.cols.get(usize::from(fc)).and_then(|c| c.s.get(p)) {
                        Some(S::Int(c)) if status => (true, *c),
                        _ => (false, i64::MIN),
                    },
                    None => (status, i64::MIN),
                }
            })
            .unzip();
        let mut checks: Vec<usize> = Vec::new();
        let nr = self.rules.len();
        // where each rule's prepared slot values start within a lead's
        let mut pre_at = Vec::with_capacity(nr);
        let mut stride = 0usize;
        for r in &self.rules {
            pre_at.push(stride);
            stride += r.slots_prepared.len();
        }
        let prepared_ok = batch.slot_vals.len() == stride * batch.leads.len();
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
            for (r, ((rule, slots), cached)) in self
                .rules
                .iter()
                .zip(slots.iter_mut())
                .zip(&scores)
                .enumerate()
            {
                if let Some(w) = &rule.when {
                    let env = Env {
                        lead,
                        partner: None,
                        now,
                    };
                    if truth(&eval(w, &env)) != Some(true) {
                        continue;
                    }
                }
                // (every checked lead has a combination for every fast rule: its territory and
                // membership keys are always interned by `prepare_leads`)
                let combo = batch.combos.get(i * nr + r).copied().unwrap_or(u32::MAX) as usize;
                let (Some(&a), Some(&b)) = (offs.get(combo), offs.get(combo + 1)) else {
                    continue;
                };
                let base = i * stride + pre_at.get(r).copied().unwrap_or(0);
                let vals = if prepared_ok {
                    batch.slot_vals.get(base..base + rule.slots_prepared.len())
                } else {
                    None
                };
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
                checks.clear();
                let mut dead = false;
                for (j, sp) in rule.splits.iter().enumerate() {
                    match sp.verdict(slots) {
                        Verdict::Pass => {}
                        Verdict::Fail => {
                            dead = true;
                            break;
                        }
                        Verdict::Check => checks.push(j),
                    }
                }
                let mut best: Option<RankKey> = None;
                if !dead {
                    let cx = Cx {
                        net,
                        slots,
                        lead,
                        now,
                        ext: &[],
                    };
                    for &p in cands.get(a..b).unwrap_or(&[]) {
                        let p = p as usize;
                        let guard = if has_cap {
                            matches!(
                                (net.state.active.get(p), cap.get(p)),
                                (Some(a), Some(c)) if a < c
                            )
                        } else {
                            gstatic.get(p) == Some(&true)
                        };
                        if !guard {
                            continue;
                        }
                        let ok = checks.iter().all(|j| {
                            rule.splits
                                .get(*j)
                                .and_then(|sp| sp.rest.as_ref())
                                .is_some_and(|f| f(&cx, p) == Some(true))
                        });
                        if !ok {
                            continue;
                        }
                        let k = match cached.get(p) {
                            Some(sc) => {
                                // a lower score loses before the rest of the key is read
                                if let Some(b) = &best {
                                    if desc(*sc, b.score) == Ordering::Greater {
                                        continue;
                                    }
                                }
                                key_scored(rule, &cx, p, *sc)
                            }
                            None => key(rule, &cx, p),
                        };
                        match &best {
                            Some(b) if order(rule, &k, b).0 != Ordering::Less => {}
                            _ => best = Some(k),
                        }
                    }
                }
                let r32 = u32::try_from(r).unwrap_or(FALLBACK);
                if let Some(k) = best {
                    item = Routed {
                        slot: u32::try_from(k.p).unwrap_or(NONE),
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
                for (r, sc) in scores.iter_mut().enumerate() {
                    if let Some(x) = sc.get_mut(p) {
                        *x = rescore(network, r, p);
                    }
                }
            }
            out.items.push(item);
        }
    }

    /// The general path: each lead through `decide` (explanations, parents, per-lead probes).
    #[allow(clippy::too_many_arguments)]
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
