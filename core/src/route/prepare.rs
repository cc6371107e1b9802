//! Prepared lead batches: leads checked once, index probes resolved once per distinct value.

use rustc_hash::FxHashMap;
use std::sync::Arc;

use super::eval::{eval, Env};
use super::{Engine, Probe, RouteError};
use crate::geo::RegionCode;
use crate::network::{Network, S};
use crate::record::Record;
use crate::value::Value;

/// A probe key: the lead-side value of a territory or membership require.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) enum Key {
    Region(RegionCode),
    Sym(Arc<str>),
    Null,
}

/// Leads checked against the lead schema, with the lead-side values of the plan's index probes
/// (territories, memberships) interned per batch, so routing resolves each distinct value
/// against the network once.
#[derive(Debug, Clone)]
pub struct LeadBatch {
    pub(super) leads: Vec<Record>,
    pub(super) checks: Vec<Option<Box<RouteError>>>,
    pub(super) nprobes: usize,
    pub(super) keys: Vec<u32>,
    pub(super) distinct: Vec<(usize, Key)>,
    /// Per lead and rule (lead-major): the lead's candidate combination for a fast rule (the
    /// keys of the rule's probes), `u32::MAX` for none.
    pub(super) combos: Vec<u32>,
    /// Per combination: the rule and its probes' keys (indexes into `distinct`).
    pub(super) combo_keys: Vec<(usize, Vec<u32>)>,
    /// Per lead (lead-major), the values of every rule's prepared slots in rule order
    /// (`CRule::slots_prepared`); empty if they could not be computed.
    pub(super) slot_vals: Vec<S>,
}

impl LeadBatch {
    /// The number of leads.
    pub fn len(&self) -> usize {
        self.leads.len()
    }

    /// Whether the batch is empty.
    pub fn is_empty(&self) -> bool {
        self.leads.is_empty()
    }

    /// The leads.
    pub fn leads(&self) -> &[Record] {
        &self.leads
    }
}

impl Engine {
    /// Prepares leads for [`Engine::route_prepared`]: checks each against the lead schema and
    /// interns the values its index probes look up.
    pub fn prepare_leads(&self, leads: Vec<Record>) -> LeadBatch {
        let np = self.all_probes.len();
        let mut keys = vec![u32::MAX; leads.len() * np];
        let mut distinct = Vec::new();
        let mut seen: FxHashMap<(usize, Key), u32> = FxHashMap::default();
        let mut checks = Vec::with_capacity(leads.len());
        for (i, lead) in leads.iter().enumerate() {
            let c = self.check_lead(lead).err().map(Box::new);
            let ok = c.is_none();
            checks.push(c);
            if !ok {
                continue;
            }
            let env = Env {
                lead,
                partner: None,
                now: 0,
            };
            for (g, probe) in self.all_probes.iter().enumerate() {
                let k = match probe {
                    Probe::Territory { region, .. } => match eval(region, &env) {
                        Value::Region(t) => Key::Region(t.region().clone()),
                        _ => Key::Null,
                    },
                    Probe::Member { item, .. } => match eval(item, &env) {
                        Value::Text(t) | Value::Enum(t) => Key::Sym(t),
                        _ => Key::Null,
                    },
                    Probe::Cert { .. } | Probe::Near { .. } => continue,
                };
                let next = u32::try_from(distinct.len()).unwrap_or(u32::MAX);
                let id = *seen.entry((g, k.clone())).or_insert_with(|| {
                    distinct.push((g, k));
                    next
                });
                if let Some(slot) = keys.get_mut(i * np + g) {
                    *slot = id;
                }
            }
        }
        let nr = self.rules.len();
        let mut combos = vec![u32::MAX; leads.len() * nr];
        let mut combo_keys = Vec::new();
        let mut seen: FxHashMap<(usize, Vec<u32>), u32> = FxHashMap::default();
        for (i, c) in checks.iter().enumerate() {
            if c.is_some() {
                continue;
            }
            let lead_keys = keys.get(i * np..(i + 1) * np).unwrap_or(&[]);
            for (r, rule) in self.rules.iter().enumerate() {
                if !rule.fast {
                    continue;
                }
                let ks: Option<Vec<u32>> = rule
                    .probes
                    .iter()
                    .map(|(g, _)| lead_keys.get(*g).copied().filter(|k| *k != u32::MAX))
                    .collect();
                let Some(ks) = ks else { continue };
                let next = u32::try_from(combo_keys.len()).unwrap_or(u32::MAX);
                let id = *seen.entry((r, ks.clone())).or_insert_with(|| {
                    combo_keys.push((r, ks));
                    next
                });
                if let Some(slot) = combos.get_mut(i * nr + r) {
                    *slot = id;
                }
            }
        }
        // lead-only values that do not depend on the network, once per lead
        let stride: usize = self.rules.iter().map(|r| r.slots_prepared.len()).sum();
        let mut slot_vals = Vec::new();
        if stride > 0 {
            if let Ok(empty) = Network::new(&self.plan().partner_schema, Vec::new()) {
                slot_vals.reserve(leads.len() * stride);
                for (lead, c) in leads.iter().zip(&checks) {
                    for r in &self.rules {
                        for k in &r.slots_prepared {
                            let v = match (c, r.slot_fns.get(*k)) {
                                (None, Some(f)) => f(lead, &empty, 0),
                                _ => S::Null,
                            };
                            slot_vals.push(v);
                        }
                    }
                }
            }
        }
        LeadBatch {
            leads,
            checks,
            nprobes: np,
            keys,
            distinct,
            combos,
            combo_keys,
            slot_vals,
        }
    }
}
