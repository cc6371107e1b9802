//! A portal's single-lead flow on a shared network: one lead assigned (routed and recorded),
//! partners added, changed and removed, leads released, each under the network's write lock as
//! batches take it, each changing nothing when it fails. Bindings read the record into a
//! [`Record`] (with [`Parsed::into_one`](super::Parsed::into_one)) and raise the reports as
//! they are.

#![expect(
    clippy::result_large_err,
    reason = "the language-neutral ErrorReport is what bindings raise"
)]

use super::batch::SharedNetwork;
use crate::record::Record;
use crate::report::ErrorReport;
use crate::route::{Decision, Engine, RouteOptions};
use crate::value::EpochMs;

impl SharedNetwork {
    /// Routes one lead at `now`: with `record`, routes and records it ([`Engine::assign`],
    /// under the write lock), else without changing any state ([`Engine::route`]); errors as
    /// [`SharedNetwork::read`]'s and [`SharedNetwork::write`]'s, or the lead's.
    pub fn route_lead(
        &self,
        engine: &Engine,
        lead: &Record,
        now: EpochMs,
        opts: &RouteOptions,
        record: bool,
    ) -> Result<Decision, ErrorReport> {
        let d = match record {
            true => self.write(|net| engine.assign(net, lead, now, opts))?,
            false => self.read(|net| engine.route(net, lead, now, opts))?,
        };
        d.map_err(ErrorReport::from)
    }

    /// Adds a partner ([`Network::add_partner`](crate::network::Network::add_partner)).
    pub fn add_partner(&self, record: Record) -> Result<(), ErrorReport> {
        self.write(|net| net.add_partner(record))?
            .map_err(ErrorReport::from)
    }

    /// Replaces a partner's record, keeping its state
    /// ([`Network::update_partner`](crate::network::Network::update_partner)).
    pub fn update_partner(&self, record: Record) -> Result<(), ErrorReport> {
        self.write(|net| net.update_partner(record))?
            .map_err(ErrorReport::from)
    }

    /// Removes a partner ([`Network::remove_partner`](crate::network::Network::remove_partner)).
    pub fn remove_partner(&self, id: &str) -> Result<(), ErrorReport> {
        self.write(|net| net.remove_partner(id).map(drop))?
            .map_err(ErrorReport::from)
    }

    /// Releases a lead; returns the id of the partner that held it
    /// ([`Network::release`](crate::network::Network::release)).
    pub fn release(&self, lead: &str, partner: Option<&str>) -> Result<String, ErrorReport> {
        self.write(|net| net.release(lead, partner))?
            .map_err(ErrorReport::from)
    }
}
