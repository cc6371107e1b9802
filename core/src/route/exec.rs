//! Deciding one lead: rules in order, candidates, ranking, tie-break, explanation.

use std::cmp::Ordering;
use std::sync::Arc;

use super::compile::Cx;
use super::decision::{
    Candidate, Decision, Exclusion, Explanation, Outcome, PartnerStateRead, RuleOutcome, RuleTrace,
    TieBreak,
};
use super::eval::{eval, truth, Env};
use super::{CRule, Engine, Otherwise, Probe};
use crate::network::bits::Bits;
use crate::network::index::Grid;
use crate::network::{day_of_instant, FieldIndex, Network, S, UNKNOWN};
use crate::record::Record;
use crate::value::{EpochMs, Value};

/// Reusable buffers for one routing thread.
#[derive(Debug, Default)]
pub(crate) struct Scratch {
    pub(crate) slots: Vec<S>,
    pub(crate) probes: Vec<Bits>,
    pub(crate) cand: Bits,
    pub(crate) excl: Bits,
    pub(crate) tmp: Bits,
}

impl Scratch {
    pub(crate) fn set_exclude(&mut self, net: &Network, ids: &[String]) {
        self.excl.reset(net.slots());
        for id in ids {
            if let Some(p) = net.slot(id) {
                self.excl.set(p);
            }
        }
    }
}

/// Probe results resolved ahead of time for a prepared lead: `keys[global probe id]` indexes
/// `bits` (`u32::MAX` = compute per lead).
#[derive(Clone, Copy)]
pub(crate) struct Pre<'a> {
    pub(crate) bits: &'a [Bits],
    pub(crate) keys: &'a [u32],
}

/// A candidate's ordering key.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Key {
    pub(crate) p: usize,
    pub(crate) score: f64,
    util: f64,
    wrr: f64,
    assigned: bool,
    at: i64,
    seq: u64,
    idr: u32,
}

/// Descending, `NaN` last; `-0.0 == 0.0`.
#[inline]
pub(crate) fn desc(a: f64, b: f64) -> Ordering {
    match (a.is_nan(), b.is_nan()) {
        (false, false) => b.partial_cmp(&a).unwrap_or(Ordering::Equal),
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Greater,
        (false, true) => Ordering::Less,
    }
}

/// Compares two keys (`Less` = `a` first) and says which key decided.
#[inline]
pub(crate) fn order(rule: &CRule, a: &Key, b: &Key) -> (Ordering, TieBreak) {
    let o = desc(a.score, b.score);
    if o != Ordering::Equal {
        return (o, TieBreak::Score);
    }
    if rule.balance {
        let o = asc_nan_last(a.util, b.util);
        if o != Ordering::Equal {
            return (o, TieBreak::Workload);
        }
    }
    if rule.recency {
        if rule.weight.is_some() {
            let o = asc_nan_last(a.wrr, b.wrr);
            if o != Ordering::Equal {
                return (o, TieBreak::WeightedRoundRobin);
            }
        }
        let o = (a.assigned, a.at, a.seq).cmp(&(b.assigned, b.at, b.seq));
        if o != Ordering::Equal {
            return (o, TieBreak::LeastRecentlyAssigned);
        }
    }
    (a.idr.cmp(&b.idr), TieBreak::Id)
}

#[inline]
fn asc_nan_last(a: f64, b: f64) -> Ordering {
    match (a.is_nan(), b.is_nan()) {
        (false, false) => a.partial_cmp(&b).unwrap_or(Ordering::Equal),
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Greater,
        (false, true) => Ordering::Less,
    }
}

/// A candidate's score (its rank, `-0.0` normalised to `0.0`; 0 without a rank).
#[inline]
pub(crate) fn score(rule: &CRule, cx: &Cx<'_>, p: usize) -> f64 {
    match &rule.rank {
        Some(f) => f.eval(cx, p) + 0.0,
        None => 0.0,
    }
}

#[inline]
pub(crate) fn key(rule: &CRule, cx: &Cx<'_>, p: usize) -> Key {
    key_scored(rule, cx, p, score(rule, cx, p))
}

/// [`key`] with the score already known.
#[inline]
pub(crate) fn key_scored(rule: &CRule, cx: &Cx<'_>, p: usize, score: f64) -> Key {
    let net = cx.net;
    let st = &net.state;
    let util = if rule.balance {
        net.utilisation(p)
    } else {
        0.0
    };
    let wrr = match &rule.weight {
        Some(w) => {
            let w = w.eval(cx, p);
            let n = st.assigned.get(p).copied().unwrap_or(0) as f64 + 1.0;
            if w > 0.0 {
                n / w
            } else {
                f64::INFINITY
            }
        }
        None => 0.0,
    };
    let (assigned, at, seq) = match st.last_at.get(p).copied().flatten() {
        Some(t) => (true, t, st.last_seq.get(p).copied().unwrap_or(0)),
        None => (false, 0, 0),
    };
    Key {
        p,
        score,
        util,
        wrr,
        assigned,
        at,
        seq,
        idr: net.id_rank.get(p).copied().unwrap_or(u32::MAX),
    }
}

/// Whether slot `p` passes require `i` (probe bits for exact probes).
#[inline]
fn passes(rule: &CRule, cx: &Cx<'_>, probes: &[Bits], i: usize, p: usize) -> bool {
    let Some(q) = rule.reqs.get(i) else {
        return false;
    };
    if q.exact {
        if let Some(b) = q.probe.and_then(|j| probes.get(j)) {
            return b.get(p);
        }
    }
    (q.pred)(cx, p) == Some(true)
}

struct Detail {
    excluded: Vec<Exclusion>,
    candidates: Vec<Candidate>,
    tie_break: Option<TieBreak>,
}

fn ids_sorted(net: &Network, mut ps: Vec<usize>) -> Vec<Arc<str>> {
    ps.sort_by_key(|p| net.id_rank.get(*p).copied().unwrap_or(u32::MAX));
    ps.into_iter().filter_map(|p| net.id(p).cloned()).collect()
}

/// Sorts keys and builds the explanation's candidate list and tie-break.
fn rank_detail(
    rule: &CRule,
    net: &Network,
    keys: &mut [Key],
) -> (Vec<Candidate>, Option<TieBreak>) {
    keys.sort_by(|a, b| order(rule, a, b).0);
    let tb = match keys {
        [a, b, ..] => Some(order(rule, a, b).1),
        _ => None,
    };
    let cands = keys
        .iter()
        .enumerate()
        .filter_map(|(i, k)| {
            Some(Candidate {
                partner: net.id(k.p)?.clone(),
                score: (!k.score.is_nan()).then_some(k.score),
                utilisation: (rule.balance && !k.util.is_nan()).then_some(k.util),
                position: i + 1,
            })
        })
        .collect();
    (cands, tb)
}

impl Engine {
    fn probe_into(
        &self,
        probe: &Probe,
        net: &Network,
        lead: &Record,
        now: EpochMs,
        out: &mut Bits,
    ) {
        out.reset(net.slots());
        let env = Env {
            lead,
            partner: None,
            now,
        };
        let sym = |v: Value| match v {
            Value::Text(t) | Value::Enum(t) => Some(net.texts.lookup(&t)),
            _ => None,
        };
        match probe {
            Probe::Territory { field, region } => {
                if let (Value::Region(t), Some(FieldIndex::Territory(ix))) =
                    (eval(region, &env), net.index.get(usize::from(*field)))
                {
                    ix.lookup(t.region(), out);
                }
            }
            Probe::Member { field, item } => {
                if let (Some(id), Some(FieldIndex::Member(ix))) =
                    (sym(eval(item, &env)), net.index.get(usize::from(*field)))
                {
                    if id != UNKNOWN {
                        if let Some(b) = ix.get(id) {
                            out.or_with(b);
                        }
                    }
                }
            }
            Probe::Cert { field, name } => {
                if let (Some(id), Some(Some(ix)), Some(today)) = (
                    sym(eval(name, &env)),
                    net.certs.get(usize::from(*field)),
                    day_of_instant(now),
                ) {
                    ix.lookup(id, today, out);
                }
            }
            Probe::Near { field, at, km } => {
                if let (Value::GeoPoint(at), Some(km), Some(FieldIndex::Grid(g))) = (
                    eval(at, &env),
                    eval(km, &env).as_f64(),
                    net.index.get(usize::from(*field)),
                ) {
                    let g: &Grid = g;
                    g.query(at, km, out);
                }
            }
        }
    }

    /// Decides one lead. Returns the decision and the chosen partner's slot.
    pub(crate) fn decide(
        &self,
        net: &Network,
        lead: &Record,
        now: EpochMs,
        explain: bool,
        pre: Option<Pre<'_>>,
        scratch: &mut Scratch,
    ) -> (Decision, Option<usize>) {
        let Scratch {
            slots,
            probes,
            cand,
            excl,
            tmp,
        } = scratch;
        let mut trace: Vec<RuleTrace> = Vec::new();
        let mut detail: Option<Detail> = None;
        let env = Env {
            lead,
            partner: None,
            now,
        };
        for rule in &self.rules {
            let matched = match &rule.when {
                Some(w) => truth(&eval(w, &env)) == Some(true),
                None => true,
            };
            if !matched {
                if explain {
                    trace.push(RuleTrace {
                        rule: rule.name.to_string(),
                        matched: false,
                        eligible: 0,
                        outcome: RuleOutcome::Next,
                    });
                }
                continue;
            }
            slots.clear();
            for f in &rule.slot_fns {
                slots.push(f(lead, net, now));
            }
            if probes.len() < rule.probes.len() {
                probes.resize_with(rule.probes.len(), Bits::default);
            }
            // probe bits are used in place unless the explain or parent paths read them
            let by_ref = !explain && !matches!(rule.otherwise, Otherwise::Parent);
            let mut ready: [Option<&Bits>; 4] = [None; 4];
            for (j, ((gid, probe), out)) in rule.probes.iter().zip(probes.iter_mut()).enumerate() {
                let pre_bits = pre.and_then(|pr| {
                    let k = *pr.keys.get(*gid)?;
                    if k == u32::MAX {
                        None
                    } else {
                        pr.bits.get(k as usize)
                    }
                });
                match (pre_bits, ready.get_mut(j)) {
                    (Some(b), Some(r)) if by_ref => *r = Some(b),
                    (Some(b), _) => out.copy_from(b),
                    (None, _) => self.probe_into(probe, net, lead, now, out),
                }
            }
            let cx = Cx {
                net,
                slots,
                lead,
                now,
                ext: &[],
            };
            let probes: &[Bits] = probes;
            let mut best: Option<Key> = None;
            let mut eligible = 0usize;
            if explain {
                let nreq = rule.reqs.len();
                let mut groups: Vec<Vec<usize>> = vec![Vec::new(); 3 + nreq];
                let mut keys = Vec::new();
                for p in net.alive.ones() {
                    let reason = if excl.get(p) {
                        Some(0)
                    } else if let Some(g) = net.guard_fail(p) {
                        Some(match g {
                            crate::network::Guard::Status => 1,
                            crate::network::Guard::Capacity => 2,
                        })
                    } else {
                        (0..nreq)
                            .find(|i| !passes(rule, &cx, probes, *i, p))
                            .map(|i| 3 + i)
                    };
                    match reason.and_then(|r| groups.get_mut(r)) {
                        Some(g) => g.push(p),
                        None => keys.push(key(rule, &cx, p)),
                    }
                }
                eligible = keys.len();
                let (cands, tb) = rank_detail(rule, net, &mut keys);
                best = keys.first().copied();
                let excluded = groups
                    .into_iter()
                    .enumerate()
                    .filter(|(_, g)| !g.is_empty())
                    .map(|(i, g)| Exclusion {
                        reason: match i {
                            0 => "excluded by host".to_string(),
                            1 => crate::network::Guard::Status.name().to_string(),
                            2 => crate::network::Guard::Capacity.name().to_string(),
                            _ => rule
                                .reqs
                                .get(i - 3)
                                .map(|q| q.label.clone())
                                .unwrap_or_default(),
                        },
                        partners: ids_sorted(net, g),
                    })
                    .collect();
                detail = Some(Detail {
                    excluded,
                    candidates: cands,
                    tie_break: tb,
                });
            } else {
                cand.copy_from(&net.alive);
                for (j, b) in probes.iter().take(rule.probes.len()).enumerate() {
                    match ready.get(j).copied().flatten() {
                        Some(r) => cand.and_with(r),
                        None => cand.and_with(b),
                    }
                }
                cand.and_not_with(excl);
                for p in cand.ones() {
                    if net.guard_fail(p).is_some() {
                        continue;
                    }
                    if !rule.residual.iter().all(|i| {
                        rule.reqs
                            .get(*i)
                            .is_some_and(|q| (q.pred)(&cx, p) == Some(true))
                    }) {
                        continue;
                    }
                    let k = key(rule, &cx, p);
                    match &best {
                        Some(b) if order(rule, &k, b).0 != Ordering::Less => {}
                        _ => best = Some(k),
                    }
                }
            }
            if let Some(k) = best {
                if explain {
                    trace.push(RuleTrace {
                        rule: rule.name.to_string(),
                        matched: true,
                        eligible,
                        outcome: RuleOutcome::Decided,
                    });
                }
                return self.partner_decision(net, k.p, &rule.name, explain, trace, detail);
            }
            let outcome = match &rule.otherwise {
                Otherwise::Next => RuleOutcome::Next,
                Otherwise::Queue(_) => RuleOutcome::Queue,
                Otherwise::Parent => RuleOutcome::Parent,
            };
            match &rule.otherwise {
                Otherwise::Next => {}
                Otherwise::Queue(q) => {
                    if explain {
                        trace.push(RuleTrace {
                            rule: rule.name.to_string(),
                            matched: true,
                            eligible: 0,
                            outcome,
                        });
                    }
                    let d = Decision {
                        outcome: Outcome::Queue { name: q.clone() },
                        rule: Some(rule.name.clone()),
                        state_read: None,
                        explanation: self.explanation(explain, trace, detail),
                    };
                    return (d, None);
                }
                Otherwise::Parent => {
                    let (pk, pdetail) = self.parent(rule, &cx, probes, excl, tmp, explain);
                    if explain {
                        if let Some(pd) = pdetail {
                            if let Some(d) = detail.as_mut() {
                                d.candidates = pd.candidates;
                                d.tie_break = pd.tie_break;
                            }
                        }
                    }
                    if let Some(k) = pk {
                        if explain {
                            trace.push(RuleTrace {
                                rule: rule.name.to_string(),
                                matched: true,
                                eligible: 0,
                                outcome: RuleOutcome::Parent,
                            });
                        }
                        return self.partner_decision(net, k.p, &rule.name, explain, trace, detail);
                    }
                }
            }
            if explain {
                trace.push(RuleTrace {
                    rule: rule.name.to_string(),
                    matched: true,
                    eligible: 0,
                    outcome: RuleOutcome::Next,
                });
            }
        }
        let outcome = match &self.fallback {
            Some(q) => Outcome::Queue { name: q.clone() },
            None => Outcome::Unrouted,
        };
        let d = Decision {
            outcome,
            rule: Some(self.fallback_name.clone()),
            state_read: None,
            explanation: self.explanation(explain, trace, detail),
        };
        (d, None)
    }

    /// `else parent`: the parents of the fit partners (plan/mod.rs, routing step 4).
    fn parent(
        &self,
        rule: &CRule,
        cx: &Cx<'_>,
        probes: &[Bits],
        excl: &Bits,
        parents: &mut Bits,
        explain: bool,
    ) -> (Option<Key>, Option<Detail>) {
        let net = cx.net;
        parents.reset(net.slots());
        for p in net.alive.ones() {
            let fit = rule
                .reqs
                .iter()
                .enumerate()
                .all(|(i, q)| q.workload || passes(rule, cx, probes, i, p));
            if fit {
                if let Some(q) = net.parent_of(p) {
                    parents.set(q);
                }
            }
        }
        let mut keys = Vec::new();
        for q in parents.ones() {
            if !net.alive.get(q) || excl.get(q) || net.guard_fail(q).is_some() {
                continue;
            }
            let ok = rule
                .reqs
                .iter()
                .enumerate()
                .all(|(i, r)| !r.workload || passes(rule, cx, probes, i, q));
            if ok {
                keys.push(key(rule, cx, q));
            }
        }
        if explain {
            let (cands, tb) = rank_detail(rule, net, &mut keys);
            let best = keys.first().copied();
            return (
                best,
                Some(Detail {
                    excluded: Vec::new(),
                    candidates: cands,
                    tie_break: tb,
                }),
            );
        }
        let mut best: Option<Key> = None;
        for k in keys {
            match &best {
                Some(b) if order(rule, &k, b).0 != Ordering::Less => {}
                _ => best = Some(k),
            }
        }
        (best, None)
    }

    fn partner_decision(
        &self,
        net: &Network,
        p: usize,
        rule: &Arc<str>,
        explain: bool,
        trace: Vec<RuleTrace>,
        detail: Option<Detail>,
    ) -> (Decision, Option<usize>) {
        let st = &net.state;
        let id = net.id(p).cloned().unwrap_or_else(|| Arc::from(""));
        let d = Decision {
            outcome: Outcome::Partner { id: id.clone() },
            rule: Some(rule.clone()),
            state_read: Some(PartnerStateRead {
                partner: id,
                version: st.version.get(p).copied().unwrap_or(0),
                active_leads: st.active.get(p).copied().unwrap_or(0),
                last_assigned_at: st.last_at.get(p).copied().flatten(),
            }),
            explanation: self.explanation(explain, trace, detail),
        };
        (d, Some(p))
    }

    fn explanation(
        &self,
        explain: bool,
        rules: Vec<RuleTrace>,
        detail: Option<Detail>,
    ) -> Option<Box<Explanation>> {
        if !explain {
            return None;
        }
        let d = detail.unwrap_or(Detail {
            excluded: Vec::new(),
            candidates: Vec::new(),
            tie_break: None,
        });
        Some(Box::new(Explanation {
            ruleset: self.info.clone(),
            rules,
            excluded: d.excluded,
            candidates: d.candidates,
            tie_break: d.tie_break,
        }))
    }
}
