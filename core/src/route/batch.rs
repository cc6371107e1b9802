//! Prepared lead batches: leads checked once, index probes resolved once per distinct value.

use rustc_hash::FxHashMap;
use std::sync::Arc;

use super::eval::{eval, Env};
use super::exec::{Pre, Scratch};
use super::Decision;
use super::{Engine, Probe, RouteError, RouteOptions, Times};
use crate::geo::RegionCode;
use crate::network::bits::Bits;
use crate::network::{FieldIndex, Network, UNKNOWN};
use crate::record::Record;
use crate::report::ErrorReport;
use crate::value::Value;

/// A probe key: the lead-side value of a territory or membership require.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Region(RegionCode),
    Sym(Arc<str>),
    Null,
}

/// Leads checked against the lead schema, with the lead-side values of the plan's index probes
/// (territories, memberships) interned per batch, so routing resolves each distinct value
/// against the network once.
#[derive(Debug, Clone)]
pub struct LeadBatch {
    leads: Vec<Record>,
    checks: Vec<Option<RouteError>>,
    nprobes: usize,
    keys: Vec<u32>,
    distinct: Vec<(usize, Key)>,
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
            let c = self.check_lead(lead).err();
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
        LeadBatch {
            leads,
            checks,
            nprobes: np,
            keys,
            distinct,
        }
    }

    /// Routes a prepared batch in order, applying each assignment to the network's state, like
    /// [`Engine::route_batch`].
    pub fn route_prepared(
        &self,
        network: &mut Network,
        batch: &LeadBatch,
        times: Times<'_>,
        opts: &RouteOptions,
    ) -> Vec<Result<Decision, ErrorReport>> {
        let resolved = self.resolve(network, batch);
        let mut scratch = Scratch::default();
        scratch.set_exclude(network, &opts.exclude);
        let np = batch.nprobes;
        let mut out = Vec::with_capacity(batch.leads.len());
        for (i, lead) in batch.leads.iter().enumerate() {
            if let Some(Some(e)) = batch.checks.get(i) {
                out.push(Err(ErrorReport::from(e)));
                continue;
            }
            let Some(now) = times.get(i) else {
                out.push(Err(ErrorReport::from(RouteError::MissingInstant {
                    lead: lead.id.to_string(),
                })));
                continue;
            };
            let keys = batch.keys.get(i * np..(i + 1) * np).unwrap_or(&[]);
            let pre = Pre {
                bits: &resolved,
                keys,
            };
            let (d, chosen) =
                self.decide(network, lead, now, opts.explain, Some(pre), &mut scratch);
            if let Some(p) = chosen {
                network.assign(p, now);
            }
            out.push(Ok(d));
        }
        out
    }

    fn resolve(&self, net: &Network, batch: &LeadBatch) -> Vec<Bits> {
        batch
            .distinct
            .iter()
            .map(|(g, k)| {
                let mut b = Bits::with_len(net.slots());
                match (self.all_probes.get(*g), k) {
                    (Some(Probe::Territory { field, .. }), Key::Region(r)) => {
                        if let Some(FieldIndex::Territory(ix)) = net.index.get(usize::from(*field))
                        {
                            ix.lookup(r, &mut b);
                        }
                    }
                    (Some(Probe::Member { field, .. }), Key::Sym(s)) => {
                        let id = net.texts.lookup(s);
                        if let (true, Some(FieldIndex::Member(ix))) =
                            (id != UNKNOWN, net.index.get(usize::from(*field)))
                        {
                            if let Some(x) = ix.get(id) {
                                b.or_with(x);
                            }
                        }
                    }
                    _ => {}
                }
                b
            })
            .collect()
    }
}
