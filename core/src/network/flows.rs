//! The ledger of held leads: which partner holds each lead that [`Engine::assign`] gave it,
//! until the host releases the lead ([`Network::release`]: closed, lost, retracted).
//!
//! Batches record workload and round robin as one-lead `assign`s do but keep no lead ids (a
//! batch of a million leads would keep a million ids): a lead routed in a batch is released by
//! naming its partner too ([`Network::release`] with `Some(partner)`).
//!
//! [`Engine::assign`]: crate::route::Engine::assign

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::{bump, Network, NetworkError};

/// A held lead in a [`NetworkState`](super::NetworkState): the lead id and its partner's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hold {
    /// The lead id.
    pub lead: String,
    /// The id of the partner holding it.
    pub partner: String,
}

impl Network {
    /// The id of the partner holding `lead` (assigned with [`Engine::assign`] and not
    /// released), if any.
    ///
    /// [`Engine::assign`]: crate::route::Engine::assign
    pub fn holder(&self, lead: &str) -> Option<&str> {
        let p = *self.held.get(lead)?;
        self.id(p as usize).map(|s| &**s)
    }

    /// The number of held leads.
    pub fn held_count(&self) -> usize {
        self.held.len()
    }

    /// Releases a lead (closed, lost or retracted): the partner holding it gets its workload
    /// slot back (`active_leads` down by one, never below 0; its version grows by one; its
    /// round-robin position and `last_assigned_at` stay). Returns that partner's id.
    ///
    /// `partner: None` releases a lead of the ledger (given by [`Engine::assign`]); a lead
    /// the ledger does not hold (never assigned, already released, or held by a partner since
    /// removed) is [`NetworkError::UnknownLead`] and changes nothing, so a repeated release
    /// cannot free a slot twice. `Some(partner)` names the holder: a lead of the ledger must be
    /// held by it ([`NetworkError::UnknownLead`] otherwise); a lead routed in a batch (which
    /// keeps no ledger) frees a slot of that partner ([`NetworkError::UnknownPartner`] if there
    /// is none).
    ///
    /// [`Engine::assign`]: crate::route::Engine::assign
    pub fn release(&mut self, lead: &str, partner: Option<&str>) -> Result<String, NetworkError> {
        let unknown = || NetworkError::UnknownLead {
            lead: lead.to_owned(),
        };
        let p = match (self.held.get(lead).map(|p| *p as usize), partner) {
            (Some(p), None) => p,
            (Some(p), Some(id)) if self.slot(id) == Some(p) => p,
            (Some(_), Some(_)) | (None, None) => return Err(unknown()),
            (None, Some(id)) => self
                .slot(id)
                .ok_or_else(|| NetworkError::UnknownPartner { id: id.to_owned() })?,
        };
        self.held.remove(lead);
        if let Some(x) = self.state.active.get_mut(p) {
            *x = x.saturating_sub(1).max(0);
        }
        bump(&mut self.state.version, p);
        self.id(p).map(|s| s.to_string()).ok_or_else(unknown)
    }

    /// Records that slot `p` holds `lead`.
    pub(crate) fn hold(&mut self, lead: Arc<str>, p: usize) {
        if let Ok(p) = u32::try_from(p) {
            self.held.insert(lead, p);
        }
    }

    /// Forgets the leads slot `p` holds (the partner is removed).
    pub(super) fn drop_holds(&mut self, p: usize) {
        self.held.retain(|_, q| *q as usize != p);
    }

    /// The ledger as a state's `held`, ordered by lead id.
    pub(super) fn export_holds(&self) -> Vec<Hold> {
        let mut out: Vec<Hold> = self
            .held
            .iter()
            .filter_map(|(lead, p)| {
                Some(Hold {
                    lead: lead.to_string(),
                    partner: self.id(*p as usize)?.to_string(),
                })
            })
            .collect();
        out.sort_by(|a, b| a.lead.as_bytes().cmp(b.lead.as_bytes()));
        out
    }

    /// A state's `held` as a ledger, each partner checked.
    pub(super) fn import_holds(
        &self,
        holds: &[Hold],
    ) -> Result<rustc_hash::FxHashMap<Arc<str>, u32>, NetworkError> {
        let mut out = rustc_hash::FxHashMap::default();
        for h in holds {
            let p =
                self.by_id
                    .get(h.partner.as_str())
                    .ok_or_else(|| NetworkError::UnknownPartner {
                        id: h.partner.clone(),
                    })?;
            out.insert(Arc::from(h.lead.as_str()), *p);
        }
        Ok(out)
    }
}
