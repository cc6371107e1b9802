//! A rule's state in the fused loop ([`FusedRule`]), built once per batch: its constant
//! slots, a packed [`CandidateRecord`] per partner (implicit guards, the fixed residual
//! requires as bits, a partner-only rank's score), how each residual require is decided for a
//! lead, and the rank specialised for the batch.

use std::ops::Range;

use super::compile::LeadFrame;
use super::number::{NumLeaf, NumProgram, PartnerScore};
use super::order::{score, score_order};
use super::rule::{CompiledRule, Otherwise, Residual, SlotTiming};
use crate::network::{Network, Scalar};
use crate::plan::Expr;
use crate::record::Record;

/// One candidate's data for one rule in the fused loop, packed so that a scan reads one record
/// per candidate.
#[derive(Debug, Clone, Copy)]
pub(super) struct CandidateRecord {
    /// The cached score as an order key (see [`score_order`]) when the rank reads only the
    /// partner (or there is no rank).
    pub(super) score_order: u64,
    /// The room the implicit guards leave: [`FusedRule::capacities`] less the partner's active
    /// lead count (kept equal to the network's state) with a capacity guard (saturating, so
    /// its sign is exact), else the capacity alone; the guards pass while it is above 0.
    pub(super) room: i64,
    /// Bit `b` set: the partner passes the fixed rest of the residual require whose bit is `b`.
    pub(super) fixed_passed: u64,
}

/// A residual require with a lead part, decided per lead (Kleene logic: an `or` with a true
/// lead part passes every partner, an `and` with a false or unknown one fails them all,
/// otherwise the rest decides; a require without a rest is its lead part).
#[derive(Debug, Clone, Copy)]
pub(super) struct LeadSplit {
    /// The residual require's index.
    pub(super) residual: usize,
    /// The lead part's slot, and its position among the rule's prepared slots.
    pub(super) slot: usize,
    pub(super) prepared: Option<usize>,
    /// Whether the require is an `or` (else an `and`).
    pub(super) or: bool,
    /// Whether it has a partner-dependent rest, and the rest's bit when it is fixed.
    pub(super) has_rest: bool,
    pub(super) bit: Option<u64>,
}

/// A partner-only rank specialised for the batch, with each partner's row of static values.
struct SpecialisedScore {
    score: PartnerScore,
    /// `width` values per partner slot.
    rows: Vec<f64>,
    width: usize,
}

/// The frame of a batch-wide evaluation: no lead (`blank`), instant 0, the constant slots.
fn batch_frame<'a>(
    net: &'a Network,
    consts: &'a [Scalar],
    blank: &'a Record,
    statics: &'a [Vec<f64>],
) -> LeadFrame<'a> {
    LeadFrame {
        network: net,
        slots: consts,
        lead: blank,
        now: 0,
        statics,
    }
}

/// The bit of each residual require of `rule` whose rest is fixed for the batch (at most 64;
/// the others are evaluated per candidate).
fn residual_bits(rule: &CompiledRule) -> Vec<(&Residual, Option<u64>)> {
    let mut next = 0u32;
    rule.residual
        .iter()
        .map(|r| {
            let fixed = r.split.fixed && r.split.rest.is_some() && next < 64;
            let bit = fixed.then(|| {
                next += 1;
                1u64 << (next - 1)
            });
            (r, bit)
        })
        .collect()
}

/// How a rule's residual requires are decided in the fused loop.
struct Splits {
    /// Those with a lead part, decided per lead.
    lead_splits: Vec<LeadSplit>,
    /// The bits of the fixed ones without a lead part.
    always_needed: u64,
    /// The other ones without a lead part (evaluated per candidate).
    dynamic: Vec<usize>,
}

impl Splits {
    fn of(rule: &CompiledRule, residual: &[(&Residual, Option<u64>)]) -> Splits {
        let mut lead_splits = Vec::new();
        let (mut always_needed, mut dynamic) = (0u64, Vec::new());
        for (j, (r, bit)) in residual.iter().enumerate() {
            match (r.split.lead, bit) {
                (Some(lead), _) => lead_splits.push(LeadSplit {
                    residual: j,
                    slot: lead.slot,
                    prepared: rule.slots.prepared.iter().position(|x| *x == lead.slot),
                    or: lead.or,
                    has_rest: r.split.rest.is_some(),
                    bit: *bit,
                }),
                (None, Some(b)) => always_needed |= b,
                (None, None) => dynamic.push(j),
            }
        }
        Splits {
            lead_splits,
            always_needed,
            dynamic,
        }
    }
}

/// Whether the per-candidate closures of a rule may read the lead's slots (see
/// [`FusedRule::copy`]).
fn copies(rule: &CompiledRule, cached: bool, lead_splits: &[LeadSplit], dynamic: &[usize]) -> bool {
    !cached
        || rule.weight().is_some()
        || !dynamic.is_empty()
        || lead_splits
            .iter()
            .any(|ls| ls.prepared.is_none() || (ls.has_rest && ls.bit.is_none()))
}

/// Whether routing reads a lead's record for `rule` (beyond its prepared values): a rule the
/// fused loop does not run, a `when`, or per-candidate closures that read the lead.
pub(crate) fn fused_reads_lead(rule: &CompiledRule) -> bool {
    if !rule.fused || rule.when.is_some() {
        return true;
    }
    let Splits {
        lead_splits,
        dynamic,
        ..
    } = Splits::of(rule, &residual_bits(rule));
    let cached = rule.rank.is_none() || rule.folded_rank().is_some();
    copies(rule, cached, &lead_splits, &dynamic)
}

/// A rule's state in the fused loop.
pub(super) struct FusedRule<'e> {
    pub(super) rule: &'e CompiledRule,
    /// The rule's `when` (read per lead, kept here so that the loop reads one struct).
    pub(super) when: Option<&'e Expr>,
    /// Whether the rule's `else` is a queue (else the next rule is tried).
    pub(super) queues: bool,
    /// Where the rule's prepared slot values are within a lead's (set by the loop).
    pub(super) part: Range<usize>,
    /// The rule's slots for the current lead (constants filled once).
    pub(super) slots: Vec<Scalar>,
    /// The constant slots (what a partner-only rank or a fixed rest reads).
    consts: Vec<Scalar>,
    /// The per-partner values of the folded rank's static subexpressions.
    statics: Vec<Vec<f64>>,
    /// Per partner slot.
    pub(super) records: Vec<CandidateRecord>,
    /// Per partner slot, the implicit guards' static part: the capacity, or (without a
    /// capacity guard) 1; a partner failing the status guard (or without a capacity value)
    /// gets `i64::MIN`, which no count is below.
    pub(super) capacities: Vec<i64>,
    /// Whether [`CandidateRecord::score_order`] holds the score.
    pub(super) cached: bool,
    /// The residual requires with a lead part, decided per lead.
    pub(super) lead_splits: Vec<LeadSplit>,
    /// The bits of the fixed residual requires without a lead part (every candidate needs
    /// them).
    pub(super) always_needed: u64,
    /// The other residual requires without a lead part (evaluated per candidate).
    pub(super) dynamic: Vec<usize>,
    /// Whether per-candidate closures may read the lead's slots, so they are written per lead
    /// (else the lead splits read the prepared values in place).
    pub(super) copy: bool,
    /// Whether the score changes when the partner is assigned.
    pub(super) rescore_on_assign: bool,
    specialised: Option<SpecialisedScore>,
}

impl<'e> FusedRule<'e> {
    pub(super) fn new(rule: &'e CompiledRule, net: &Network, blank: &Record) -> FusedRule<'e> {
        let consts: Vec<Scalar> = rule
            .slots
            .all
            .iter()
            .map(|s| match s.timing {
                SlotTiming::Constant => (s.eval)(blank, net, 0),
                SlotTiming::Prepared | SlotTiming::Live => Scalar::Null,
            })
            .collect();
        let folded = rule.folded_rank();
        let statics: Vec<Vec<f64>> = match folded {
            Some(r) => {
                let frame = batch_frame(net, &consts, blank, &[]);
                let per_partner =
                    |f: &NumProgram| (0..net.slots()).map(|p| f.eval(&frame, p)).collect();
                r.statics.iter().map(per_partner).collect()
            }
            None => Vec::new(),
        };
        let residual = residual_bits(rule);
        let mut leaves = Vec::new();
        let specialised = folded
            .and_then(|r| r.program.partner_score(&consts, &mut leaves))
            .map(|score| {
                let frame = batch_frame(net, &consts, blank, &statics);
                let mut rows = Vec::with_capacity(net.slots() * leaves.len());
                for p in 0..net.slots() {
                    rows.extend(leaves.iter().map(|l| l.get(&frame, p)));
                }
                SpecialisedScore {
                    score,
                    rows,
                    width: leaves.len(),
                }
            });
        let Splits {
            lead_splits,
            always_needed,
            dynamic,
        } = Splits::of(rule, &residual);
        let cached = rule.rank.is_none() || folded.is_some();
        let copy = copies(rule, cached, &lead_splits, &dynamic);
        // (a rank that is one static value does not change on assignment)
        let rescore_on_assign = folded.is_some_and(|r| {
            !matches!(
                r.program,
                NumProgram::Leaf(NumLeaf::Static(_) | NumLeaf::Column(_) | NumLeaf::Const(_))
            )
        });
        let mut f = FusedRule {
            rule,
            when: rule.when.as_ref(),
            queues: matches!(rule.otherwise, Otherwise::Queue(_)),
            part: 0..0,
            lead_splits,
            always_needed,
            dynamic,
            copy,
            specialised,
            slots: consts.clone(),
            consts,
            statics,
            records: Vec::new(),
            capacities: Vec::new(),
            cached,
            rescore_on_assign,
        };
        (f.records, f.capacities) = (0..net.slots())
            .map(|p| f.record(net, blank, p, &residual))
            .unzip();
        f
    }

    /// Partner slot `p`'s record at the start of the batch, and its capacity (see
    /// [`FusedRule::capacities`]).
    fn record(
        &self,
        net: &Network,
        blank: &Record,
        p: usize,
        residual: &[(&Residual, Option<u64>)],
    ) -> (CandidateRecord, i64) {
        let status = match net.f_status {
            Some((fs, active)) => net.scalar(fs, p) == Scalar::Symbol(active),
            None => true,
        };
        let (active_leads, capacity) = match net.f_capacity {
            Some(fc) => {
                let active = net.state.active.get(p).copied().unwrap_or(0);
                let column = net.columns.get(usize::from(fc));
                match column.and_then(|c| c.scalars.get(p)) {
                    Some(Scalar::Int(c)) if status => (active, *c),
                    _ => (active, i64::MIN),
                }
            }
            None => (0, if status { 1 } else { i64::MIN }),
        };
        let score = if self.rule.rank.is_some() && self.rule.folded_rank().is_some() {
            self.score_of(net, blank, p)
        } else {
            0.0
        };
        let mut fixed_passed = 0u64;
        if residual.iter().any(|(_, bit)| bit.is_some()) {
            let frame = batch_frame(net, &self.consts, blank, &[]);
            for (r, bit) in residual {
                if let (Some(b), Some(rest)) = (bit, &r.split.rest) {
                    if rest(&frame, p) == Some(true) {
                        fixed_passed |= b;
                    }
                }
            }
        }
        let record = CandidateRecord {
            score_order: score_order(score),
            room: capacity.saturating_sub(active_leads),
            fixed_passed,
        };
        (record, capacity)
    }

    /// The score of a partner-only rank for slot `p` in the network's current state (the
    /// specialised rank inline: the fused loop rescores on every assignment).
    #[inline(always)]
    pub(super) fn score_of(&self, net: &Network, blank: &Record, p: usize) -> f64 {
        if let Some(s) = &self.specialised {
            let active = net.state.active.get(p).map_or(f64::NAN, |x| *x as f64);
            // (the closures read entries below `width` only)
            let row = s.rows.get(p * s.width..).unwrap_or(&[]);
            return s.score.eval(active, row) + 0.0;
        }
        self.score_evaluated(net, blank, p)
    }

    /// [`FusedRule::score_of`] without a specialised rank.
    #[inline(never)]
    fn score_evaluated(&self, net: &Network, blank: &Record, p: usize) -> f64 {
        let frame = batch_frame(net, &self.consts, blank, &self.statics);
        match self.rule.folded_rank() {
            Some(r) => r.program.eval(&frame, p) + 0.0,
            None => score(self.rule, &frame, p),
        }
    }
}
