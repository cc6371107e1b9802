//! The lead slots computed when a batch is prepared (lead-only values that do not depend on the
//! network): comparisons of an int or decimal field with an integer as a range test, a slot
//! reading one dictionary-encoded field once per dictionary code, the others through the
//! slot's closure with an empty network built once per batch, only if needed.

use super::leads::{LazyLead, LeadSource};
use super::SlotTable;
use crate::network::{Network, Scalar};
use crate::record::Record;
use crate::route::compile::LeadFn;
use crate::route::number::IntRangeTest;
use crate::route::rule::LeadSlot;
use crate::route::Engine;

/// How a prepared slot's value is computed for a lead.
pub(super) enum SlotEval<'a> {
    /// `lead.f <op> k`, as a range test.
    IntRange(IntRangeTest),
    /// A slot reading one lead field only, whose column is dictionary-encoded: computed once
    /// per dictionary code (by the closure, on the first lead with that code).
    Memo {
        codes: &'a [u32],
        memo: Vec<Option<Scalar>>,
        eval: &'a LeadFn,
    },
    /// The slot's closure.
    Closure(&'a LeadFn),
}

/// A prepared slot of a rule and how its value is computed.
pub(super) struct PreparedSlot<'a> {
    pub(super) slot: &'a LeadSlot,
    pub(super) how: SlotEval<'a>,
}

impl<'a> PreparedSlot<'a> {
    /// The prepared slots of every rule of `engine`, in rule order.
    pub(super) fn of(engine: &'a Engine) -> Vec<PreparedSlot<'a>> {
        let schema = &engine.plan().lead_schema;
        engine
            .rules
            .iter()
            .flat_map(|r| r.slots.prepared.iter().filter_map(|k| r.slots.all.get(*k)))
            .map(|slot| PreparedSlot {
                slot,
                how: match IntRangeTest::of(&slot.expr, schema) {
                    Some(t) => SlotEval::IntRange(t),
                    None => SlotEval::Closure(&slot.eval),
                },
            })
            .collect()
    }
}

/// The empty network the closures of network-independent slots read, built on first use.
pub(super) struct EmptyNetwork<'a> {
    engine: &'a Engine,
    net: Option<Network>,
    /// Whether building it failed (then no slot values are kept).
    pub(super) failed: bool,
}

impl<'a> EmptyNetwork<'a> {
    pub(super) fn new(engine: &'a Engine) -> EmptyNetwork<'a> {
        EmptyNetwork {
            engine,
            net: None,
            failed: false,
        }
    }

    /// The network (`None` if it cannot be built).
    fn get(&mut self) -> Option<&Network> {
        if self.net.is_none() && !self.failed {
            match Network::new(&self.engine.plan().partner_schema, Vec::new()) {
                Ok(n) => self.net = Some(n),
                Err(_) => self.failed = true,
            }
        }
        self.net.as_ref()
    }

    /// A slot closure's value for `lead` (null without a network).
    fn eval(&mut self, f: &LeadFn, lead: &Record) -> Scalar {
        match self.get() {
            Some(net) => f(lead, net, 0),
            None => Scalar::Null,
        }
    }
}

/// Pushes the lead's prepared slot values to `vals` (nulls for a lead that fails its check).
#[inline]
pub(super) fn push_values<'b, S: LeadSource<'b>>(
    slots: &mut [PreparedSlot<'_>],
    vals: &mut SlotTable,
    net: &mut EmptyNetwork<'_>,
    lead: &mut LazyLead<'_, 'b, S>,
    passed: bool,
) {
    for slot in slots.iter_mut() {
        let v = if passed {
            slot.value(net, lead)
        } else {
            Scalar::Null
        };
        vals.push(v);
    }
}

impl PreparedSlot<'_> {
    /// The slot's value for a lead that passed its check.
    #[inline]
    pub(super) fn value<'b, S: LeadSource<'b>>(
        &mut self,
        net: &mut EmptyNetwork<'_>,
        lead: &mut LazyLead<'_, 'b, S>,
    ) -> Scalar {
        match &mut self.how {
            SlotEval::IntRange(t) => match lead.int(t.field()) {
                Some(x) => t.test_int(x),
                None => t.test(lead.get().0),
            },
            SlotEval::Memo { codes, memo, eval } => {
                let m = codes
                    .get(lead.row())
                    .and_then(|c| memo.get_mut(*c as usize));
                match m {
                    Some(Some(v)) => *v,
                    m => {
                        let v = net.eval(eval, lead.get().0);
                        if let Some(m) = m {
                            *m = Some(v);
                        }
                        v
                    }
                }
            }
            SlotEval::Closure(f) => net.eval(f, lead.get().0),
        }
    }
}
