//! Routing prepared batches: the fused loop for fast rules and the general path.

use std::sync::Arc;

use std::cmp::Ordering;

use super::compile::Cx;
use super::eval::{eval, truth, Env};
use super::exec::{desc, key, key_scored, order, score, Key as RankKey, Pre, Scratch};
use super::prepare::{Key, LeadBatch};
use super::routed::{Routed, RoutedBatch, FALLBACK, NONE};
use super::Decision;
use super::{Engine, Otherwise, Probe, RouteError, RouteOptions, Times, Verdict};
use crate::network::bits::Bits;
use crate::network::{FieldIndex, Network, S, UNKNOWN};
use crate::record::Record;
use crate::report::ErrorReport;

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
