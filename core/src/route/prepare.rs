//! Prepared lead batches: leads checked once, index probes resolved once per distinct value.

use rustc_hash::FxHashMap;
use std::sync::Arc;

use super::eval::{eval, Env};
use super::{Engine, Probe, RouteError};
use crate::geo::RegionCode;
use crate::network::{Network, S};
use crate::plan::{Expr, Scope};
use crate::record::{Column, DataError, Record};
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

/// Interns the lead-side keys of one probe: by the address of the value's `Arc` first (a
/// value read straight from a lead of the batch, which owns it for the batch's life), then by
/// the value itself, so a key is cloned only when it is new.
struct Interner {
    /// A direct-mapped cache of `(address, id)`: a few hundred distinct values per batch hit
    /// it, and a batch of distinct `Arc`s costs no growth.
    by_ptr: Vec<(usize, u32)>,
    by_key: FxHashMap<Key, u32>,
}

/// The number of entries of [`Interner::by_ptr`] (a power of two).
const PTR_CACHE: usize = 1024;

impl Default for Interner {
    fn default() -> Interner {
        Interner {
            by_ptr: vec![(0, u32::MAX); PTR_CACHE],
            by_key: FxHashMap::default(),
        }
    }
}

/// The cache line of an address.
fn ptr_slot(ptr: usize) -> usize {
    // Fibonacci hashing of the address without its alignment bits
    let h = (ptr >> 3).wrapping_mul(0x9E37_79B9_7F4A_7C15_u64 as usize);
    (h >> (usize::BITS - PTR_CACHE.trailing_zeros())) & (PTR_CACHE - 1)
}

impl Interner {
    /// The id of `key` (a key of probe `g`), adding it to `distinct` when new.
    fn key(&mut self, g: usize, key: Key, distinct: &mut Vec<(usize, Key)>) -> u32 {
        if let Some(id) = self.by_key.get(&key) {
            return *id;
        }
        let id = u32::try_from(distinct.len()).unwrap_or(u32::MAX);
        self.by_key.insert(key.clone(), id);
        distinct.push((g, key));
        id
    }

    /// The id of the key `v` gives a probe `g` of `kind` (`true` for a territory probe).
    /// `stable` says that `v` lives as long as the batch (it is read from a lead), so its
    /// `Arc`'s address identifies it.
    #[inline]
    fn value(
        &mut self,
        g: usize,
        territory: bool,
        v: &Value,
        stable: bool,
        distinct: &mut Vec<(usize, Key)>,
    ) -> u32 {
        let ptr = match v {
            Value::Region(t) if territory => Arc::as_ptr(t) as *const u8 as usize,
            Value::Text(t) | Value::Enum(t) if !territory => Arc::as_ptr(t) as *const u8 as usize,
            _ => 0,
        };
        let line = ptr_slot(ptr);
        if stable && ptr != 0 {
            if let Some((p, id)) = self.by_ptr.get(line) {
                if *p == ptr {
                    return *id;
                }
            }
        }
        let key = match v {
            Value::Region(t) if territory => Key::Region(t.region().clone()),
            Value::Text(t) | Value::Enum(t) if !territory => Key::Sym(t.clone()),
            _ => Key::Null,
        };
        let id = self.key(g, key, distinct);
        if stable && ptr != 0 {
            if let Some(e) = self.by_ptr.get_mut(line) {
                *e = (ptr, id);
            }
        }
        id
    }
}

/// The candidate combinations of one rule seen so far, by their probe keys: packed into one
/// `u64` for rules with at most two probes (the common case), else by slice.
enum Combos {
    Packed(FxHashMap<u64, u32>),
    Slices(FxHashMap<Vec<u32>, u32>),
}

/// The lead-side expression of an interned probe and whether it is a territory probe.
fn probe_expr(probe: &Probe) -> Option<(&Expr, bool)> {
    match probe {
        Probe::Territory { region, .. } => Some((region, true)),
        Probe::Member { item, .. } => Some((item, false)),
        Probe::Cert { .. } | Probe::Near { .. } => None,
    }
}

impl Engine {
    /// Prepares leads for [`Engine::route_prepared`]: checks each against the lead schema and
    /// interns the values its index probes look up.
    ///
    /// The work per lead does not allocate: probe keys are interned per probe by the address
    /// of the lead's value (then by the value), candidate combinations per rule by their keys
    /// (looked up by slice), and the lead-only slot values are computed into one array.
    pub fn prepare_leads(&self, leads: Vec<Record>) -> LeadBatch {
        let n = leads.len();
        let np = self.all_probes.len();
        let nr = self.rules.len();
        let probes: Vec<Option<(&Expr, bool)>> = self.all_probes.iter().map(probe_expr).collect();
        let mut interners: Vec<Interner> = probes.iter().map(|_| Interner::default()).collect();
        let mut keys = vec![u32::MAX; n * np];
        let mut distinct = Vec::new();
        let mut checks = Vec::with_capacity(n);
        let mut combos = vec![u32::MAX; n * nr];
        let mut combo_keys: Vec<(usize, Vec<u32>)> = Vec::new();
        let mut combo_seen: Vec<Combos> = self
            .rules
            .iter()
            .map(|r| {
                if r.probes.len() <= 2 {
                    Combos::Packed(FxHashMap::default())
                } else {
                    Combos::Slices(FxHashMap::default())
                }
            })
            .collect();
        let mut ks: Vec<u32> = Vec::new();
        // lead-only values that do not depend on the network, once per lead
        let stride: usize = self.rules.iter().map(|r| r.slots_prepared.len()).sum();
        let empty = if stride > 0 {
            Network::new(&self.plan().partner_schema, Vec::new()).ok()
        } else {
            None
        };
        let mut slot_vals = Vec::new();
        if empty.is_some() {
            slot_vals.reserve(n * stride);
        }
        for (i, lead) in leads.iter().enumerate() {
            let c = self.check_lead(lead).err().map(Box::new);
            let ok = c.is_none();
            checks.push(c);
            if let Some(empty) = &empty {
                for r in &self.rules {
                    for k in &r.slots_prepared {
                        slot_vals.push(match r.slot_fns.get(*k) {
                            Some(f) if ok => f(lead, empty, 0),
                            _ => S::Null,
                        });
                    }
                }
            }
            if !ok {
                continue;
            }
            let lead_keys = keys.get_mut(i * np..(i + 1) * np).unwrap_or(&mut []);
            for (g, ((probe, interner), slot)) in probes
                .iter()
                .zip(interners.iter_mut())
                .zip(lead_keys.iter_mut())
                .enumerate()
            {
                let Some((expr, territory)) = probe else {
                    continue;
                };
                *slot = match expr {
                    Expr::Field(Scope::Lead, f) => match lead.values.get(usize::from(*f)) {
                        Some(v) => interner.value(g, *territory, v, true, &mut distinct),
                        None => interner.key(g, Key::Null, &mut distinct),
                    },
                    _ => {
                        let env = Env {
                            lead,
                            partner: None,
                            now: 0,
                        };
                        let v = eval(expr, &env);
                        interner.value(g, *territory, &v, false, &mut distinct)
                    }
                };
            }
            let lead_keys = keys.get(i * np..(i + 1) * np).unwrap_or(&[]);
            let lead_combos = combos.get_mut(i * nr..(i + 1) * nr).unwrap_or(&mut []);
            for (r, ((rule, seen), slot)) in self
                .rules
                .iter()
                .zip(combo_seen.iter_mut())
                .zip(lead_combos.iter_mut())
                .enumerate()
            {
                if !rule.fast {
                    continue;
                }
                ks.clear();
                let complete = rule.probes.iter().all(|(g, _)| {
                    match lead_keys.get(*g).copied().filter(|k| *k != u32::MAX) {
                        Some(k) => {
                            ks.push(k);
                            true
                        }
                        None => false,
                    }
                });
                if !complete {
                    continue;
                }
                let next = u32::try_from(combo_keys.len()).unwrap_or(u32::MAX);
                let found = match seen {
                    Combos::Packed(m) => {
                        let packed = ks.iter().fold(0u64, |acc, k| (acc << 32) | u64::from(*k));
                        *m.entry(packed).or_insert(next)
                    }
                    Combos::Slices(m) => match m.get(ks.as_slice()) {
                        Some(id) => *id,
                        None => {
                            m.insert(ks.clone(), next);
                            next
                        }
                    },
                };
                if found == next {
                    combo_keys.push((r, ks.clone()));
                }
                *slot = found;
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

    /// Prepares a columnar batch: the same batch and the same row errors as
    /// `Record::from_columns_split` followed by `Engine::prepare_leads`, faster.
    pub fn prepare_columns(
        &self,
        rows: usize,
        ids: &Column,
        columns: &[(&str, &Column)],
    ) -> (LeadBatch, Vec<(usize, DataError)>) {
        let (good, bad) = Record::from_columns_split(&self.plan().lead_schema, rows, ids, columns);
        (self.prepare_leads(good), bad)
    }
}
