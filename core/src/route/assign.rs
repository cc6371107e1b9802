//! [`Engine::assign`]: one lead routed and recorded, the single-lead flow of a portal.

use super::decide::Scratch;
use super::{Decision, Engine, RouteError, RouteOptions};
use crate::network::Network;
use crate::record::Record;
use crate::value::EpochMs;

impl Engine {
    /// Routes one lead at `now` and records the assignment: the decision and the partners'
    /// state (workload, round robin, versions) are exactly those of a one-lead
    /// [`Engine::route_batch`], and the chosen partner holds the lead in the network's ledger
    /// until [`Network::release`]. [`Engine::route`] is the what-if form that changes nothing.
    /// A lead with bad data, or one a partner already holds ([`RouteError::LeadHeld`]: release
    /// it first), changes no state.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use leadrail_core::network::Network;
    /// # use leadrail_core::plan::{Else, Fallback, Plan, RouteRule, Tie};
    /// # use leadrail_core::record::Record;
    /// # use leadrail_core::route::{Engine, Outcome, RouteOptions};
    /// # use leadrail_core::schema::Schema;
    /// // one rule, every partner eligible, round robin
    /// let plan = Plan {
    ///     name: "doc".into(), version: 1, content_hash: "0".into(),
    ///     lead_schema: Schema::default(), partner_schema: Schema::default(),
    ///     rules: vec![RouteRule {
    ///         name: "all".into(), when: None, requires: vec![], rank: None, balance: false,
    ///         tie: Tie::RoundRobin { weight: None }, otherwise: Else::Next,
    ///     }],
    ///     fallback: Fallback::Unrouted, calendars: vec![], slas: vec![], registrations: vec![],
    /// };
    /// let engine = Engine::new(Arc::new(plan)).unwrap();
    /// let partner = |id: &str| Record { id: id.into(), values: vec![] };
    /// let mut net = Network::new(&Schema::default(), vec![partner("P1"), partner("P2")]).unwrap();
    /// let opts = RouteOptions::default();
    /// let mut assign = |id: &str, net: &mut Network| {
    ///     let lead = Record { id: id.into(), values: vec![] };
    ///     match engine.assign(net, &lead, 0, &opts).unwrap().outcome {
    ///         Outcome::Partner { id } => id.to_string(),
    ///         other => panic!("{other:?}"),
    ///     }
    /// };
    /// assert_eq!([assign("L1", &mut net), assign("L2", &mut net), assign("L3", &mut net)], ["P1", "P2", "P1"]);
    /// assert_eq!(net.holder("L2"), Some("P2"));
    /// assert_eq!(net.release("L2", None).unwrap(), "P2");
    /// assert!(net.release("L2", None).is_err()); // released already: nothing changes
    /// ```
    pub fn assign(
        &self,
        network: &mut Network,
        lead: &Record,
        now: EpochMs,
        opts: &RouteOptions,
    ) -> Result<Decision, RouteError> {
        self.check_lead(lead)?;
        not_held(network, &lead.id)?;
        let mut scratch = Scratch::new(network, &opts.exclude);
        let (d, chosen) = self.decide(network, lead, now, opts.explain, None, &mut scratch);
        if let Some(p) = chosen {
            network.assign(p, now);
            network.hold(lead.id.clone(), p);
        }
        Ok(d)
    }
}

/// [`RouteError::LeadHeld`] when a partner of `network` holds `lead`, else `Ok`.
pub(crate) fn not_held(network: &Network, lead: &str) -> Result<(), RouteError> {
    match network.holder(lead) {
        Some(partner) => Err(RouteError::LeadHeld {
            lead: lead.to_owned(),
            partner: partner.to_owned(),
        }),
        None => Ok(()),
    }
}
