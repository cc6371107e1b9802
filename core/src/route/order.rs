//! The candidate order (plan/mod.rs, routing step 3): score descending, then utilisation with
//! `balance workload`, then the round-robin tie-break (weighted, then least recently
//! assigned), then partner id. Both routing loops (`decide.rs`, `fused.rs`) order candidates
//! with these keys.

use std::cmp::Ordering;

use super::compile::LeadFrame;
use super::decision::TieBreak;
use super::rule::CompiledRule;

/// What a candidate is ordered by.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CandidateKey {
    /// The partner slot.
    pub(crate) slot: usize,
    pub(crate) score: f64,
    /// `active_leads / capacity` with `balance workload` (else 0).
    pub(crate) utilisation: f64,
    /// `(assigned + 1) / weight` with a weighted round robin (else 0).
    weighted_turn: f64,
    /// Whether the partner was ever assigned, its last assignment instant and sequence number.
    assigned: bool,
    last_at: i64,
    last_seq: u64,
    /// The partner id's position in byte order.
    id_rank: u32,
}

/// Two floats in the order `numbers` gives when neither is `NaN`, `NaN` last.
#[inline(always)]
fn nan_last(a: f64, b: f64, numbers: impl FnOnce() -> Ordering) -> Ordering {
    match (a.is_nan(), b.is_nan()) {
        (false, false) => numbers(),
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Greater,
        (false, true) => Ordering::Less,
    }
}

/// Descending, `NaN` last; `-0.0 == 0.0`.
#[inline]
fn desc_nan_last(a: f64, b: f64) -> Ordering {
    nan_last(a, b, || b.partial_cmp(&a).unwrap_or(Ordering::Equal))
}

/// Ascending, `NaN` last.
#[inline]
fn asc_nan_last(a: f64, b: f64) -> Ordering {
    nan_last(a, b, || a.partial_cmp(&b).unwrap_or(Ordering::Equal))
}

/// Compares two candidates of a rule (`Less` = `a` first) and says which key decided.
#[inline]
pub(crate) fn compare(
    rule: &CompiledRule,
    a: &CandidateKey,
    b: &CandidateKey,
) -> (Ordering, TieBreak) {
    let o = desc_nan_last(a.score, b.score);
    if o != Ordering::Equal {
        return (o, TieBreak::Score);
    }
    if rule.balance {
        let o = asc_nan_last(a.utilisation, b.utilisation);
        if o != Ordering::Equal {
            return (o, TieBreak::Workload);
        }
    }
    if let Some(rr) = &rule.round_robin {
        if rr.weight.is_some() {
            let o = asc_nan_last(a.weighted_turn, b.weighted_turn);
            if o != Ordering::Equal {
                return (o, TieBreak::WeightedRoundRobin);
            }
        }
        let o = (a.assigned, a.last_at, a.last_seq).cmp(&(b.assigned, b.last_at, b.last_seq));
        if o != Ordering::Equal {
            return (o, TieBreak::LeastRecentlyAssigned);
        }
    }
    (a.id_rank.cmp(&b.id_rank), TieBreak::Id)
}

/// Whether candidate `a` comes before `b`.
#[inline]
pub(crate) fn before(rule: &CompiledRule, a: &CandidateKey, b: &CandidateKey) -> bool {
    compare(rule, a, b).0 == Ordering::Less
}

/// A candidate's score (its rank, `-0.0` normalised to `0.0`; 0 without a rank).
#[inline]
pub(crate) fn score(rule: &CompiledRule, frame: &LeadFrame<'_>, p: usize) -> f64 {
    match &rule.rank {
        Some(r) => r.program.eval(frame, p) + 0.0,
        None => 0.0,
    }
}

/// Partner slot `p`'s key as a candidate of `rule`.
#[inline]
pub(crate) fn candidate_key(rule: &CompiledRule, frame: &LeadFrame<'_>, p: usize) -> CandidateKey {
    scored_key(rule, frame, p, score(rule, frame, p))
}

/// [`candidate_key`] with the score already known.
#[inline]
pub(crate) fn scored_key(
    rule: &CompiledRule,
    frame: &LeadFrame<'_>,
    p: usize,
    score: f64,
) -> CandidateKey {
    let net = frame.network;
    let st = &net.state;
    let utilisation = if rule.balance {
        net.utilisation(p)
    } else {
        0.0
    };
    let weighted_turn = match rule.weight() {
        Some(w) => {
            let w = w.eval(frame, p);
            let n = st.assigned.get(p).copied().unwrap_or(0) as f64 + 1.0;
            if w > 0.0 {
                n / w
            } else {
                f64::INFINITY
            }
        }
        None => 0.0,
    };
    let (assigned, last_at, last_seq) = match st.last_at.get(p).copied().flatten() {
        Some(t) => (true, t, st.last_seq.get(p).copied().unwrap_or(0)),
        None => (false, 0, 0),
    };
    CandidateKey {
        slot: p,
        score,
        utilisation,
        weighted_turn,
        assigned,
        last_at,
        last_seq,
        id_rank: net.id_rank.get(p).copied().unwrap_or(u32::MAX),
    }
}

/// A score as an order key: higher keys rank first, equal keys are equal scores (`-0.0` and
/// `0.0` alike), and `NaN` (0) comes after every number.
#[inline]
pub(crate) fn score_order(s: f64) -> u64 {
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
pub(crate) fn tie(rule: &CompiledRule, frame: &LeadFrame<'_>, a: usize, b: usize) -> Ordering {
    let key = |p| scored_key(rule, frame, p, 0.0);
    compare(rule, &key(a), &key(b)).0
}
