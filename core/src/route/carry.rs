//! Carrying what the chunks of one batch share from chunk to chunk ([`Carry`]): on the prepare
//! side, each probe's key ids and each rule's combination numbering (a chunk interns only the
//! values and numbers only the combinations earlier chunks did not have); on the route side,
//! the partners passing each key and the candidate lists of each combination (a chunk
//! resolves and lists only the new ones).

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use super::fused::CandidateLists;
use super::prepare::{Carried, LeadBatch};
use super::routed::RoutedBatch;
use super::{Engine, RouteOptions, Times};
use crate::network::bits::Bits;
use crate::network::Network;
use crate::plan::Plan;

/// The token of the next preparation with a carry (0 means none).
static TOKENS: AtomicU64 = AtomicU64::new(1);

/// What the chunks of one batch share, carried from chunk to chunk so that each chunk costs
/// about what its new probe values and combinations cost, not what all of its values do.
///
/// A host that routes one batch in chunks, in order, with one engine, one network and one set
/// of options, prepares and routes each chunk with the same carry
/// ([`Rows::prepare_with`](crate::host::Rows::prepare_with),
/// [`Prepared::route_with`](crate::host::Prepared::route_with)); the results and the network's
/// state are those of routing the chunks without one (as [`SharedNetwork::route_batch`]
/// does for a big batch). Between a chunk's preparation and its routing nothing else may use
/// the carry, and the network must change only by the chunks' own assignments: partner
/// capacities are read as counts that only grow within the batch. A carry notices another
/// engine, another chunk prepared before the last one was routed, other options, a network
/// with other partners or with assignments made in between, and starts afresh then.
///
/// [`SharedNetwork::route_batch`]: crate::host::SharedNetwork::route_batch
///
/// ```
/// # use leadrail_core::host::{Instants, Rows};
/// # use leadrail_core::network::Network;
/// # use leadrail_core::route::{Carry, Engine, RouteOptions};
/// # fn demo(engine: &Engine, network: &mut Network, chunks: Vec<Rows>, instants: &Instants) {
/// let opts = RouteOptions::default();
/// let mut carry = Carry::new();
/// for rows in chunks {
///     let results = rows
///         .prepare_with(engine, &mut carry)
///         .route_with(engine, network, instants, &opts, &mut carry);
///     # let _ = results;
/// }
/// # }
/// ```
#[derive(Default)]
pub struct Carry {
    /// The plan of the engine the carry serves.
    plan: Option<Arc<Plan>>,
    carried: Carried,
    /// The token of the prepared chunk that holds the batch's keys and combinations so far
    /// (0: none, they are in `carried`).
    lent: u64,
    route: Option<RouteCarry>,
    /// A carry for a batch in one piece (nothing kept for later chunks).
    one_piece: bool,
}

impl fmt::Debug for Carry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Carry")
            .field("lent", &self.lent)
            .field("routed", &self.route.is_some())
            .finish_non_exhaustive()
    }
}

/// What the chunks of a batch share on the route side: the partners passing each distinct
/// probe key (indexed by the carried key ids) and the candidate lists of each combination.
#[derive(Default)]
pub(crate) struct RouteCarry {
    pub(super) resolved: Vec<Bits>,
    pub(super) lists: CandidateLists,
    /// What the lists hold for: the network's slots, live partners and assignment sequence
    /// number after the last chunk, and the options.
    slots: usize,
    alive: Bits,
    seq: u64,
    opts: RouteOptions,
}

impl RouteCarry {
    /// Whether the carried lists hold for a chunk routed on `net` with `opts`.
    fn holds(&self, net: &Network, opts: &RouteOptions) -> bool {
        self.slots == net.slots()
            && self.seq == net.seq()
            && self.alive == net.alive
            && self.opts == *opts
    }
}

impl Carry {
    /// A carry for a new batch.
    pub fn new() -> Carry {
        Carry::default()
    }

    /// A carry for a batch in one piece.
    pub(crate) fn one_piece() -> Carry {
        Carry {
            one_piece: true,
            ..Carry::default()
        }
    }

    /// Prepares a chunk with `prepare`, which numbers keys and combinations after the carried
    /// ones (a carry of another engine's, or whose last chunk was not routed, starts afresh).
    pub(crate) fn prepare<T>(
        &mut self,
        engine: &Engine,
        prepare: impl FnOnce(&mut Carried) -> (LeadBatch, T),
    ) -> (LeadBatch, T) {
        let same = self
            .plan
            .as_ref()
            .is_some_and(|p| Arc::ptr_eq(p, &engine.plan));
        if !same || self.lent != 0 {
            *self = Carry {
                plan: Some(engine.plan.clone()),
                one_piece: self.one_piece,
                ..Carry::default()
            };
        }
        self.carried.chunks = !self.one_piece;
        let (mut batch, t) = prepare(&mut self.carried);
        let token = TOKENS.fetch_add(1, Ordering::Relaxed);
        batch.carry = token;
        self.lent = token;
        (batch, t)
    }

    /// Routes a chunk (like [`Engine::route_prepared_compact`]); when it is the chunk this
    /// carry prepared last, with the carried resolutions and candidate lists (if they hold for
    /// `network` and `opts`), and its keys and combinations go back to the carry.
    pub(crate) fn route(
        &mut self,
        engine: &Engine,
        network: &mut Network,
        batch: &mut LeadBatch,
        times: Times<'_>,
        opts: &RouteOptions,
    ) -> RoutedBatch {
        let ours = batch.carry != 0 && batch.carry == self.lent;
        let mut route = match self.route.take() {
            Some(r) if ours && r.holds(network, opts) => r,
            _ => RouteCarry::default(),
        };
        let routed = engine.route_carried(network, batch, times, opts, &mut route);
        if ours {
            self.carried.distinct = std::mem::take(&mut batch.distinct);
            self.carried.combinations = std::mem::take(&mut batch.combinations);
            self.lent = 0;
            route.slots = network.slots();
            route.alive = network.alive.clone();
            route.seq = network.seq();
            route.opts = opts.clone();
            self.route = Some(route);
        }
        routed
    }
}
