//! Deciding one lead (plan/mod.rs, routing steps 1 to 5): rules in order, candidates from the
//! probes and the compiled requires, the best by the candidate order, `else` outcomes, and the
//! explanation. Routing one lead, a batch of records and the general path of prepared batches
//! all run this; the fused loop (`fused.rs`) is its specialisation for prepared batches
//! without explanations.

use std::sync::Arc;

use super::compile::LeadFrame;
use super::decision::{
    Candidate, Decision, Exclusion, Explanation, Outcome, PartnerStateRead, RuleOutcome, RuleTrace,
    TieBreak,
};
use super::eval::{eval, truth, ValueEnv};
use super::order::{before, candidate_key, compare, CandidateKey};
use super::rule::{CompiledRule, Otherwise};
use super::Engine;
use crate::network::bits::Bits;
use crate::network::{Guard, Network, Scalar};
use crate::record::Record;
use crate::value::EpochMs;

/// Reusable buffers for one routing thread.
#[derive(Debug, Default)]
pub(crate) struct Scratch {
    /// The current rule's lead slots.
    pub(crate) slots: Vec<Scalar>,
    /// The current rule's probe bits.
    pub(crate) probes: Vec<Bits>,
    pub(crate) candidates: Bits,
    /// The partners the host excludes.
    pub(crate) excluded: Bits,
    /// The parents of fit partners (`else parent`).
    pub(crate) parents: Bits,
    /// Each partner's parent slot and the distinct parents, found once per routing call
    /// (`else parent`; the partners do not change during a call, only their state).
    pub(crate) parent_slots: Option<Parents>,
}

impl Scratch {
    /// Buffers for routing on `net`, the partners `exclude` names excluded.
    pub(crate) fn new(net: &Network, exclude: &[String]) -> Scratch {
        let mut s = Scratch::default();
        s.excluded.reset(net.slots());
        for id in exclude {
            if let Some(p) = net.slot(id) {
                s.excluded.set(p);
            }
        }
        s
    }
}

/// Each partner's parent slot, and the distinct parents ascending.
#[derive(Debug, Default)]
pub(crate) struct Parents {
    of: Vec<Option<usize>>,
    distinct: Vec<usize>,
}

impl Parents {
    fn of(net: &Network) -> Parents {
        let of: Vec<Option<usize>> = (0..net.slots()).map(|p| net.parent_of(p)).collect();
        let mut distinct: Vec<usize> = of.iter().flatten().copied().collect();
        distinct.sort_unstable();
        distinct.dedup();
        Parents { of, distinct }
    }
}

/// Probe results resolved ahead of time for a prepared lead: `keys[probe id]` indexes `bits`
/// (`u32::MAX` = compute per lead).
#[derive(Clone, Copy)]
pub(crate) struct ResolvedProbes<'a> {
    pub(crate) bits: &'a [Bits],
    pub(crate) keys: &'a [u32],
}

/// The explanation's candidate part of the deciding rule.
struct Detail {
    excluded: Vec<Exclusion>,
    candidates: Vec<Candidate>,
    tie_break: Option<TieBreak>,
}

/// The probes prepared bits are read from in place (the others are copied).
const IN_PLACE: usize = 4;

/// Whether slot `p` passes require `i` (probe bits for exact probes).
#[inline]
fn passes(rule: &CompiledRule, frame: &LeadFrame<'_>, probes: &[Bits], i: usize, p: usize) -> bool {
    let Some(q) = rule.requires.get(i) else {
        return false;
    };
    if let Some(b) = q.exact_probe.and_then(|j| probes.get(j)) {
        return b.get(p);
    }
    (q.test)(frame, p) == Some(true)
}

fn ids_sorted(net: &Network, mut ps: Vec<usize>) -> Vec<Arc<str>> {
    ps.sort_by_key(|p| net.id_rank.get(*p).copied().unwrap_or(u32::MAX));
    ps.into_iter().filter_map(|p| net.id(p).cloned()).collect()
}

/// Sorts keys and builds the explanation's candidate list and tie-break.
fn rank_detail(
    rule: &CompiledRule,
    net: &Network,
    keys: &mut [CandidateKey],
) -> (Vec<Candidate>, Option<TieBreak>) {
    keys.sort_by(|a, b| compare(rule, a, b).0);
    let tb = match keys {
        [a, b, ..] => Some(compare(rule, a, b).1),
        _ => None,
    };
    let cands = keys
        .iter()
        .enumerate()
        .filter_map(|(i, k)| {
            Some(Candidate {
                partner: net.id(k.slot)?.clone(),
                score: (!k.score.is_nan()).then_some(k.score),
                utilisation: (rule.balance && !k.utilisation.is_nan()).then_some(k.utilisation),
                position: i + 1,
            })
        })
        .collect();
    (cands, tb)
}

/// The first of `keys` in the candidate order (the first listed among equals).
fn best_of(
    rule: &CompiledRule,
    keys: impl IntoIterator<Item = CandidateKey>,
) -> Option<CandidateKey> {
    let mut best: Option<CandidateKey> = None;
    for k in keys {
        match &best {
            Some(b) if !before(rule, &k, b) => {}
            _ => best = Some(k),
        }
    }
    best
}

fn trace(rule: &CompiledRule, matched: bool, outcome: RuleOutcome) -> RuleTrace {
    RuleTrace {
        rule: rule.name.to_string(),
        matched,
        eligible: 0,
        outcome,
    }
}

/// The reason a partner is excluded: by the host, by a guard, or by require `i`.
#[derive(Clone, Copy)]
enum Reason {
    Host,
    Guard(Guard),
    Require(usize),
}

impl Reason {
    /// The index of the reason's group in the explanation.
    fn group(self) -> usize {
        match self {
            Reason::Host => 0,
            Reason::Guard(Guard::Status) => 1,
            Reason::Guard(Guard::Capacity) => 2,
            Reason::Require(i) => 3 + i,
        }
    }

    /// The reason of group `g`.
    fn label(rule: &CompiledRule, g: usize) -> String {
        match g {
            0 => "excluded by host".to_string(),
            1 => Guard::Status.name().to_string(),
            2 => Guard::Capacity.name().to_string(),
            _ => rule
                .requires
                .get(g - 3)
                .map(|q| q.label.clone())
                .unwrap_or_default(),
        }
    }
}

/// Every live partner through the rule, with its exclusion reason: the eligible candidates'
/// keys (sorted) and the explanation's part.
fn explained_candidates(
    rule: &CompiledRule,
    frame: &LeadFrame<'_>,
    probes: &[Bits],
    excluded: &Bits,
) -> (Vec<CandidateKey>, Detail) {
    let net = frame.network;
    let mut groups: Vec<Vec<usize>> = vec![Vec::new(); 3 + rule.requires.len()];
    let mut keys = Vec::new();
    for p in net.alive.ones() {
        let reason = if excluded.get(p) {
            Some(Reason::Host)
        } else if let Some(g) = net.guard_fail(p) {
            Some(Reason::Guard(g))
        } else {
            (0..rule.requires.len())
                .find(|i| !passes(rule, frame, probes, *i, p))
                .map(Reason::Require)
        };
        match reason.and_then(|r| groups.get_mut(r.group())) {
            Some(g) => g.push(p),
            None => keys.push(candidate_key(rule, frame, p)),
        }
    }
    let (candidates, tie_break) = rank_detail(rule, net, &mut keys);
    let excluded = groups
        .into_iter()
        .enumerate()
        .filter(|(_, g)| !g.is_empty())
        .map(|(i, g)| Exclusion {
            reason: Reason::label(rule, i),
            partners: ids_sorted(net, g),
        })
        .collect();
    let detail = Detail {
        excluded,
        candidates,
        tie_break,
    };
    (keys, detail)
}

/// The best candidate: the live partners passing the probes (`ready` in place, else the
/// filled `probes`), not excluded, passing the guards and the residual requires.
fn best_candidate(
    rule: &CompiledRule,
    frame: &LeadFrame<'_>,
    probes: &[Bits],
    ready: &[Option<&Bits>; IN_PLACE],
    excluded: &Bits,
    candidates: &mut Bits,
) -> Option<CandidateKey> {
    let net = frame.network;
    candidates.copy_from(&net.alive);
    for (j, b) in probes.iter().take(rule.probes.len()).enumerate() {
        match ready.get(j).copied().flatten() {
            Some(r) => candidates.and_with(r),
            None => candidates.and_with(b),
        }
    }
    candidates.and_not_with(excluded);
    let mut best: Option<CandidateKey> = None;
    for p in candidates.ones() {
        if net.guard_fail(p).is_some() {
            continue;
        }
        if !rule.residual.iter().all(|r| {
            rule.requires
                .get(r.require)
                .is_some_and(|q| (q.test)(frame, p) == Some(true))
        }) {
            continue;
        }
        let k = candidate_key(rule, frame, p);
        match &best {
            Some(b) if !before(rule, &k, b) => {}
            _ => best = Some(k),
        }
    }
    best
}

impl Engine {
    /// Fills the rule's probe bits for `lead`: from `pre` when resolved ahead, read in place
    /// for the first [`IN_PLACE`] probes when `in_place` (the returned references), else
    /// copied or computed into `probes`.
    fn fill_probes<'a>(
        &self,
        rule: &CompiledRule,
        lead: (&Network, &Record, EpochMs),
        pre: Option<ResolvedProbes<'a>>,
        in_place: bool,
        probes: &mut Vec<Bits>,
    ) -> [Option<&'a Bits>; IN_PLACE] {
        let (net, lead, now) = lead;
        if probes.len() < rule.probes.len() {
            probes.resize_with(rule.probes.len(), Bits::default);
        }
        let mut ready: [Option<&Bits>; IN_PLACE] = [None; IN_PLACE];
        for (j, (probe, out)) in rule.probes.iter().zip(probes.iter_mut()).enumerate() {
            let pre_bits = pre.and_then(|pr| {
                let k = *pr.keys.get(probe.id)?;
                if k == u32::MAX {
                    None
                } else {
                    pr.bits.get(k as usize)
                }
            });
            match (pre_bits, ready.get_mut(j)) {
                (Some(b), Some(r)) if in_place => *r = Some(b),
                (Some(b), _) => out.copy_from(b),
                (None, _) => probe.probe.fill(net, lead, now, out),
            }
        }
        ready
    }

    /// Decides one lead. Returns the decision and the chosen partner's slot.
    pub(crate) fn decide(
        &self,
        net: &Network,
        lead: &Record,
        now: EpochMs,
        explain: bool,
        pre: Option<ResolvedProbes<'_>>,
        scratch: &mut Scratch,
    ) -> (Decision, Option<usize>) {
        let Scratch {
            slots,
            probes,
            candidates,
            excluded,
            parents,
            parent_slots,
        } = scratch;
        let mut traces: Vec<RuleTrace> = Vec::new();
        let mut detail: Option<Detail> = None;
        let env = ValueEnv {
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
                    traces.push(trace(rule, false, RuleOutcome::Next));
                }
                continue;
            }
            slots.clear();
            slots.extend(rule.slots.all.iter().map(|s| (s.eval)(lead, net, now)));
            // probe bits are used in place unless the explain or parent paths read them
            let in_place = !explain && !matches!(rule.otherwise, Otherwise::Parent);
            let ready = self.fill_probes(rule, (net, lead, now), pre, in_place, probes);
            let frame = LeadFrame {
                network: net,
                slots,
                lead,
                now,
                statics: &[],
            };
            let probes: &[Bits] = probes;
            let best = if explain {
                let (keys, d) = explained_candidates(rule, &frame, probes, excluded);
                detail = Some(d);
                keys.first().map(|k| (*k, keys.len()))
            } else {
                best_candidate(rule, &frame, probes, &ready, excluded, candidates).map(|k| (k, 0))
            };
            if let Some((k, eligible)) = best {
                if explain {
                    traces.push(RuleTrace {
                        eligible,
                        ..trace(rule, true, RuleOutcome::Decided)
                    });
                }
                return self.partner_decision(net, k.slot, &rule.name, explain, traces, detail);
            }
            match &rule.otherwise {
                Otherwise::Next => {}
                Otherwise::Queue(q) => {
                    if explain {
                        traces.push(trace(rule, true, RuleOutcome::Queue));
                    }
                    let d = Decision {
                        outcome: Outcome::Queue { name: q.clone() },
                        rule: Some(rule.name.clone()),
                        state_read: None,
                        explanation: self.explanation(explain, traces, detail),
                    };
                    return (d, None);
                }
                Otherwise::Parent => {
                    let of = parent_slots.get_or_insert_with(|| Parents::of(net));
                    let (pk, pdetail) =
                        self.parent(rule, &frame, probes, excluded, (parents, of), explain);
                    if let (Some(pd), Some(d)) = (pdetail, detail.as_mut()) {
                        d.candidates = pd.candidates;
                        d.tie_break = pd.tie_break;
                    }
                    if let Some(k) = pk {
                        if explain {
                            traces.push(trace(rule, true, RuleOutcome::Parent));
                        }
                        return self
                            .partner_decision(net, k.slot, &rule.name, explain, traces, detail);
                    }
                }
            }
            if explain {
                traces.push(trace(rule, true, RuleOutcome::Next));
            }
        }
        let outcome = match &self.fallback_queue {
            Some(q) => Outcome::Queue { name: q.clone() },
            None => Outcome::Unrouted,
        };
        let d = Decision {
            outcome,
            rule: Some(self.fallback_name.clone()),
            state_read: None,
            explanation: self.explanation(explain, traces, detail),
        };
        (d, None)
    }

    /// `else parent`: the parents of the fit partners (plan/mod.rs, routing step 4).
    /// `parents.1` holds each partner's parent slot.
    fn parent(
        &self,
        rule: &CompiledRule,
        frame: &LeadFrame<'_>,
        probes: &[Bits],
        excluded: &Bits,
        parents: (&mut Bits, &Parents),
        explain: bool,
    ) -> (Option<CandidateKey>, Option<Detail>) {
        let (parents, known) = parents;
        let net = frame.network;
        // a parent that cannot be a candidate (gone, excluded, failing a guard) is skipped
        // before its children's requires are tested (they are pure: the set is the same)
        let open = |q: usize| net.alive.get(q) && !excluded.get(q) && net.guard_fail(q).is_none();
        // the requires a fit partner passes (`workload` false) and those its parent passes
        let passes_all = |workload: bool, p: usize| {
            rule.requires
                .iter()
                .enumerate()
                .all(|(i, q)| q.workload != workload || passes(rule, frame, probes, i, p))
        };
        parents.reset(net.slots());
        // (when every parent is closed, as in a full network, no child is looked at)
        if known.distinct.iter().any(|q| open(*q)) {
            for p in net.alive.ones() {
                let Some(q) = known.of.get(p).copied().flatten() else {
                    continue;
                };
                if !parents.get(q) && open(q) && passes_all(false, p) {
                    parents.set(q);
                }
            }
        }
        let mut keys = Vec::new();
        for q in parents.ones() {
            if passes_all(true, q) {
                keys.push(candidate_key(rule, frame, q));
            }
        }
        if explain {
            let (candidates, tie_break) = rank_detail(rule, net, &mut keys);
            let detail = Detail {
                excluded: Vec::new(),
                candidates,
                tie_break,
            };
            return (keys.first().copied(), Some(detail));
        }
        (best_of(rule, keys), None)
    }

    fn partner_decision(
        &self,
        net: &Network,
        p: usize,
        rule: &Arc<str>,
        explain: bool,
        traces: Vec<RuleTrace>,
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
            explanation: self.explanation(explain, traces, detail),
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
