//! Routing prepared batches: the entry points, the choice between the fused loop (`fused.rs`)
//! and the general path (each lead through `decide.rs`), and the resolution of a batch's
//! distinct probe keys against the network's indexes.

use super::carry::RouteCarry;
use super::decide::{ResolvedProbes, Scratch};
use super::prepare::LeadBatch;
use super::routed::RoutedBatch;
use super::{Decision, Engine, RouteOptions, Times};
use std::sync::Arc;

use crate::network::bits::Bits;
use crate::network::Network;
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
        let mut carry = RouteCarry::default();
        self.route_carried(network, batch, times, opts, &mut carry)
    }

    /// [`Engine::route_prepared_compact`] for a chunk of a batch: the probe keys resolved and
    /// the candidates listed for earlier chunks are in `carry` (the same network, options and
    /// key and combination numbering: see [`crate::route::Carry`]), which this chunk extends.
    pub(crate) fn route_carried(
        &self,
        network: &mut Network,
        batch: &LeadBatch,
        times: Times<'_>,
        opts: &RouteOptions,
        carry: &mut RouteCarry,
    ) -> RoutedBatch {
        let mut out = RoutedBatch::new(self, network, batch.len(), times);
        self.resolve(network, batch, &mut carry.resolved);
        if !opts.explain && self.rules.iter().all(|r| r.fused) {
            let excluded = Scratch::new(network, &opts.exclude).excluded;
            self.route_fused(network, batch, times, carry, &excluded, &mut out);
        } else {
            self.route_general(network, batch, &carry.resolved, times, opts, &mut out);
        }
        out
    }

    /// The general path: each lead through `decide` (explanations, parents, per-lead probes),
    /// with the probes resolved for the batch (`resolved`) read from there.
    fn route_general(
        &self,
        network: &mut Network,
        batch: &LeadBatch,
        resolved: &[Bits],
        times: Times<'_>,
        opts: &RouteOptions,
        out: &mut RoutedBatch,
    ) {
        let mut scratch = Scratch::new(network, &opts.exclude);
        let mut leads = batch.reader();
        let mut keys = Vec::new();
        for i in 0..batch.len() {
            let lead = leads.lead(i);
            let lead: &Record = &lead;
            let Some(now) = ready(batch, i, &mut |_| lead.id.clone(), times, out) else {
                continue;
            };
            let pre = ResolvedProbes {
                bits: resolved,
                keys: batch.key_row(i, &mut keys),
            };
            let (d, chosen) =
                self.decide(network, lead, now, opts.explain, Some(pre), &mut scratch);
            if let Some(p) = chosen {
                network.assign(p, now);
            }
            out.decided(self, i, d, chosen);
        }
    }

    /// The partners passing each distinct probe key of the batch, pushed to `resolved` for
    /// the keys past those it holds (resolved for earlier chunks of the batch).
    fn resolve(&self, net: &Network, batch: &LeadBatch, resolved: &mut Vec<Bits>) {
        let new = batch.distinct.iter().skip(resolved.len());
        resolved.extend(new.map(|d| match self.probes.get(d.probe) {
            Some(p) => p.fill_for_key(net, &d.key),
            None => Bits::with_len(net.slots()),
        }));
    }
}

/// The routing instant of prepared lead `i`, or `None` once its error (a failed check, no
/// instant) is in `out` (`id`: the id of lead `i`).
#[inline(always)]
pub(super) fn ready(
    batch: &LeadBatch,
    i: usize,
    id: &mut dyn FnMut(usize) -> Arc<str>,
    times: Times<'_>,
    out: &mut RoutedBatch,
) -> Option<EpochMs> {
    if let Some(e) = batch.checks.error(i) {
        out.error(i, ErrorReport::from(e));
        return None;
    }
    let now = times.get(i);
    if now.is_none() {
        no_instant(i, id(i), times, out);
    }
    now
}

#[cold]
fn no_instant(i: usize, id: Arc<str>, times: Times<'_>, out: &mut RoutedBatch) {
    if let Err(e) = times.of_lead(i, &id) {
        out.error(i, ErrorReport::from(e));
    }
}
