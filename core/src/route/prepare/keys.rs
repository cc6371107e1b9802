//! Interning a batch's probe keys and numbering its candidate combinations: each lead's
//! territory and membership values become key ids (by the address of the lead's value first,
//! then by the value; once per dictionary code for dictionary-encoded columns), and each fused
//! rule's tuple of key ids a combination id (packed into one integer for up to two probes).

use rustc_hash::FxHashMap;
use std::sync::Arc;

use super::leads::{LazyLead, LeadSource};
use super::{Combinations, DistinctKey, PerLead};
use crate::plan::{Expr, Scope};
use crate::route::eval::{eval, ValueEnv};
use crate::route::probe::{Probe, ProbeKey};
use crate::route::Engine;
use crate::value::Value;
use serde_json::Value as Json;

/// The key ids of one probe's keys (carried from chunk to chunk of a batch: see
/// [`crate::route::Carry`]).
type KeyIds = FxHashMap<ProbeKey, u32>;

/// What one probe knows from a batch's earlier chunks: the id of each key, and of each
/// dictionary entry's text (when the probe is one dictionary-encoded field: each chunk has its
/// own dictionary, whose entries seen before need not be read and interned again).
#[derive(Default)]
pub(super) struct KnownKeys {
    by_key: KeyIds,
    by_text: FxHashMap<Box<str>, u32>,
}

/// Interns the lead-side keys of one probe: by the address of the value's `Arc` first (a
/// value read straight from a lead of the batch, which owns it for the batch's life), then by
/// the value itself, so a key is cloned only when it is new.
struct ProbeKeyInterner {
    /// A direct-mapped cache of `(address, id)`: a few hundred distinct values per batch hit
    /// it, and a batch of distinct `Arc`s costs no growth. (Per chunk: an address identifies
    /// a value only while the chunk's leads live.)
    by_address: Vec<(usize, u32)>,
    by_key: KeyIds,
}

/// The number of entries of [`ProbeKeyInterner::by_address`] (a power of two).
const ADDRESS_CACHE: usize = 1024;

impl ProbeKeyInterner {
    /// An interner that knows `by_key` already (the keys of earlier chunks).
    fn with_keys(by_key: KeyIds) -> ProbeKeyInterner {
        ProbeKeyInterner {
            by_address: vec![(0, u32::MAX); ADDRESS_CACHE],
            by_key,
        }
    }
}

/// The cache line of an address.
fn cache_line(address: usize) -> usize {
    // Fibonacci hashing of the address without its alignment bits
    let h = (address >> 3).wrapping_mul(0x9E37_79B9_7F4A_7C15_u64 as usize);
    (h >> (usize::BITS - ADDRESS_CACHE.trailing_zeros())) & (ADDRESS_CACHE - 1)
}

impl ProbeKeyInterner {
    /// The id of `key` (a key of probe `probe`), adding it to `distinct` when new.
    fn key(&mut self, probe: usize, key: ProbeKey, distinct: &mut Vec<DistinctKey>) -> u32 {
        if let Some(id) = self.by_key.get(&key) {
            return *id;
        }
        let id = u32::try_from(distinct.len()).unwrap_or(u32::MAX);
        self.by_key.insert(key.clone(), id);
        distinct.push(DistinctKey { probe, key });
        id
    }

    /// The id of the key `v` gives probe `probe` (`territory`: a territory probe, else a
    /// membership probe). `stable` says that `v` lives as long as the batch (it is read from a
    /// lead), so its `Arc`'s address identifies it.
    #[inline]
    fn value(
        &mut self,
        probe: usize,
        territory: bool,
        v: &Value,
        stable: bool,
        distinct: &mut Vec<DistinctKey>,
    ) -> u32 {
        let address = match v {
            Value::Region(t) if territory => Arc::as_ptr(t) as *const u8 as usize,
            Value::Text(t) | Value::Enum(t) if !territory => Arc::as_ptr(t) as *const u8 as usize,
            _ => 0,
        };
        let line = cache_line(address);
        if stable && address != 0 {
            if let Some((a, id)) = self.by_address.get(line) {
                if *a == address {
                    return *id;
                }
            }
        }
        let key = match v {
            Value::Region(t) if territory => ProbeKey::Region(t.region().clone()),
            Value::Text(t) | Value::Enum(t) if !territory => ProbeKey::Symbol(t.clone()),
            _ => ProbeKey::Null,
        };
        let id = self.key(probe, key, distinct);
        if stable && address != 0 {
            if let Some(e) = self.by_address.get_mut(line) {
                *e = (address, id);
            }
        }
        id
    }
}

/// The key ids of a dictionary-encoded column's codes, filled on first use (or from the
/// texts of entries seen in earlier chunks).
pub(super) struct DictKeys<'a> {
    pub(super) codes: &'a [u32],
    pub(super) ids: Vec<u32>,
    entries: &'a [Json],
}

/// One probe's interning state.
pub(super) struct ProbeKeys<'a> {
    /// The probe's id.
    id: usize,
    /// The lead-side expression and whether it is a territory probe (`None` for the probes
    /// routing resolves per lead).
    expr: Option<(&'a Expr, bool)>,
    /// The lead field that is the whole expression, if it is one.
    pub(super) field: Option<usize>,
    interner: ProbeKeyInterner,
    /// The key id of each dictionary entry's text seen so far (in earlier chunks too), kept
    /// if `texts`.
    by_text: FxHashMap<Box<str>, u32>,
    texts: bool,
    /// The key ids of the field's dictionary codes when its column is dictionary-encoded
    /// (columns only).
    pub(super) dict: Option<DictKeys<'a>>,
}

impl<'a> ProbeKeys<'a> {
    /// The probe `id`'s state, knowing the key ids `known` (of earlier chunks of the batch);
    /// `texts`: keep the key ids of dictionary entries' texts for later chunks.
    pub(super) fn new(id: usize, probe: &'a Probe, known: KnownKeys, texts: bool) -> ProbeKeys<'a> {
        let expr = probe.interned();
        ProbeKeys {
            id,
            expr,
            field: match expr {
                Some((Expr::Field(Scope::Lead, f), _)) => Some(usize::from(*f)),
                _ => None,
            },
            interner: ProbeKeyInterner::with_keys(known.by_key),
            by_text: known.by_text,
            texts,
            dict: None,
        }
    }

    /// The key ids interned so far, for the next chunk of the batch.
    pub(super) fn into_known(self) -> KnownKeys {
        KnownKeys {
            by_key: self.interner.by_key,
            by_text: self.by_text,
        }
    }

    /// Reads the probe's field from dictionary codes `codes` of entries `entries`: the key ids
    /// of entries whose texts earlier chunks interned are known at once.
    pub(super) fn use_dict(&mut self, codes: &'a [u32], entries: &'a [Json]) {
        let ids = entries
            .iter()
            .map(|e| match e {
                Json::String(t) => self.by_text.get(t.as_str()).copied(),
                _ => None,
            })
            .map(|id| id.unwrap_or(u32::MAX))
            .collect();
        self.dict = Some(DictKeys {
            codes,
            ids,
            entries,
        });
    }

    /// Whether a lead's key is read from its record beyond its dictionary code's first lead
    /// (the probe's expression is not one dictionary-encoded field).
    pub(super) fn reads_lead(&self) -> bool {
        self.expr.is_some() && (self.field.is_none() || self.dict.is_none())
    }

    /// The key id of row `row` when its dictionary code's is known already (the probe's
    /// expression is one dictionary-encoded field, and an earlier lead had that code).
    #[inline]
    pub(super) fn known(&self, row: usize) -> Option<u32> {
        let d = self.dict.as_ref()?;
        let id = *d.ids.get(*d.codes.get(row)? as usize)?;
        (id != u32::MAX).then_some(id)
    }

    /// The key id of the lead; `u32::MAX` for a probe routing resolves per lead.
    #[inline]
    pub(super) fn key<'b, S: LeadSource<'b>>(
        &mut self,
        lead: &mut LazyLead<'_, 'b, S>,
        distinct: &mut Vec<DistinctKey>,
    ) -> u32 {
        let Some((expr, territory)) = self.expr else {
            return u32::MAX;
        };
        let ProbeKeys {
            id,
            field,
            interner,
            dict,
            by_text,
            texts,
            ..
        } = self;
        let Some(f) = *field else {
            let env = ValueEnv {
                lead: lead.get().0,
                partner: None,
                now: 0,
            };
            let v = eval(expr, &env);
            return interner.value(*id, territory, &v, false, distinct);
        };
        let code = match dict {
            Some(d) => d.codes.get(lead.row()).map(|c| *c as usize),
            None => None,
        };
        if let (Some(d), Some(c)) = (dict.as_ref(), code) {
            if let Some(id) = d.ids.get(c).filter(|id| **id != u32::MAX) {
                return *id;
            }
        }
        let (record, stable) = lead.get();
        let key_id = match record.values.get(f) {
            Some(v) => interner.value(*id, territory, v, stable, distinct),
            None => interner.key(*id, ProbeKey::Null, distinct),
        };
        if let (Some(d), Some(c)) = (dict.as_mut(), code) {
            if let Some(x) = d.ids.get_mut(c) {
                *x = key_id;
            }
            // (an entry's text gives the same key in every chunk)
            if let (true, Some(Json::String(t))) = (*texts, d.entries.get(c)) {
                by_text.insert(t.as_str().into(), key_id);
            }
        }
        key_id
    }
}

/// The candidate combinations of one rule seen so far, by their probe keys: packed into one
/// `u64` for rules with at most two probes (the common case), else by slice. (Carried from
/// chunk to chunk of a batch: see [`crate::route::Carry`].)
pub(super) enum CombinationTable {
    Packed(PackedMap),
    Slices(FxHashMap<Vec<u32>, u32>),
}

impl CombinationTable {
    /// The table of a rule with `probes` probes.
    fn new(probes: usize) -> CombinationTable {
        if probes <= 2 {
            CombinationTable::Packed(PackedMap::default())
        } else {
            CombinationTable::Slices(FxHashMap::default())
        }
    }

    /// The combination id of the keys of `probes` in `keys` (a lead's key per probe id),
    /// `next` if they are new (`ks`: scratch); `None` if a probe has no key.
    #[inline]
    fn id(&mut self, probes: &[usize], keys: &[u32], next: u32, ks: &mut Vec<u32>) -> Option<u32> {
        match self {
            CombinationTable::Packed(m) => {
                let mut packed = 0u64;
                for g in probes {
                    match keys.get(*g) {
                        Some(k) if *k != u32::MAX => packed = (packed << 32) | u64::from(*k),
                        _ => return None,
                    }
                }
                Some(m.get_or_insert(packed, next))
            }
            CombinationTable::Slices(m) => {
                ks.clear();
                for g in probes {
                    match keys.get(*g) {
                        Some(k) if *k != u32::MAX => ks.push(*k),
                        _ => return None,
                    }
                }
                Some(match m.get(ks.as_slice()) {
                    Some(id) => *id,
                    None => {
                        m.insert(ks.clone(), next);
                        next
                    }
                })
            }
        }
    }
}

/// The combinations of a rule's probe keys as an array indexed by the keys' rule-local
/// numbers (each probe's distinct keys numbered apart): for a batch whose keys combine in few
/// enough ways, a lead's combination is found with a multiply-add per probe, no hashing.
struct DenseCombinations {
    /// Per probe of the rule, the local number of each key id (`u32::MAX`: another probe's).
    local: Vec<Vec<u32>>,
    /// Per probe, the stride of its local number in `table`.
    strides: Vec<usize>,
    /// Per combination of local numbers, its combination id (`u32::MAX`: not seen yet).
    table: Vec<u32>,
}

impl DenseCombinations {
    /// The table of the combinations of `probes`' keys among `distinct`, if it has at most
    /// `most` entries.
    fn new(probes: &[usize], distinct: &[DistinctKey], most: usize) -> Option<DenseCombinations> {
        let mut local = vec![vec![u32::MAX; distinct.len()]; probes.len()];
        let mut sizes = vec![0usize; probes.len()];
        for (k, d) in distinct.iter().enumerate() {
            for ((g, l), size) in probes.iter().zip(&mut local).zip(&mut sizes) {
                if d.probe == *g {
                    if let Some(x) = l.get_mut(k) {
                        *x = u32::try_from(*size).ok()?;
                    }
                    *size += 1;
                }
            }
        }
        let total = sizes.iter().try_fold(1usize, |t, s| t.checked_mul(*s))?;
        if total > most {
            return None;
        }
        let mut strides = Vec::with_capacity(sizes.len());
        let mut stride = 1usize;
        for s in sizes.iter().rev() {
            strides.push(stride);
            stride *= s;
        }
        strides.reverse();
        Some(DenseCombinations {
            local,
            strides,
            table: vec![u32::MAX; total],
        })
    }

    /// The entry of a lead's keys (`keys`: the lead's key per probe id), `None` if a probe has
    /// no key.
    #[inline]
    fn entry(&mut self, probes: &[usize], keys: &[u32]) -> Option<&mut u32> {
        let mut at = 0usize;
        for ((g, l), stride) in probes.iter().zip(&self.local).zip(&self.strides) {
            let k = *keys.get(*g)?;
            let n = *l.get(k as usize)?;
            if n == u32::MAX {
                return None;
            }
            at += n as usize * stride;
        }
        self.table.get_mut(at)
    }
}

/// A map from packed probe keys to combination ids: open addressing with linear probing and
/// Fibonacci hashing, at most half full, so a lookup is a multiply and a compare or two.
#[derive(Default)]
pub(super) struct PackedMap {
    /// `(key, id)`, `id == u32::MAX` for an empty entry; a power of two long (or empty).
    entries: Vec<(u64, u32)>,
    len: usize,
    /// `entries.len() - 1`, and the shift that takes a hash to an entry.
    mask: usize,
    shift: u32,
}

impl PackedMap {
    /// The first entry to probe for `key`.
    #[inline]
    fn home(&self, key: u64) -> usize {
        (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> self.shift) as usize
    }

    /// Puts `(key, id)` in the first free entry from `key`'s home (or in the entry that has
    /// `key`), returning the id that entry holds.
    #[inline(always)]
    fn place(&mut self, key: u64, id: u32) -> u32 {
        let mut i = self.home(key);
        for _ in 0..self.entries.len() {
            match self.entries.get_mut(i) {
                Some(e) if e.1 == u32::MAX => {
                    *e = (key, id);
                    self.len += 1;
                    return id;
                }
                Some(e) if e.0 == key => return e.1,
                _ => i = (i + 1) & self.mask,
            }
        }
        // (never reached: the map is at most half full)
        id
    }

    /// The id of `key`, inserting `next` when it is new.
    #[inline]
    pub(super) fn get_or_insert(&mut self, key: u64, next: u32) -> u32 {
        if self.len * 2 >= self.entries.len() {
            self.grow();
        }
        self.place(key, next)
    }

    /// Doubles the table (16 entries at first).
    #[cold]
    fn grow(&mut self) {
        let cap = (self.entries.len() * 2).max(16);
        let old = std::mem::replace(&mut self.entries, vec![(0, u32::MAX); cap]);
        self.mask = cap - 1;
        self.shift = 64 - cap.trailing_zeros();
        self.len = 0;
        for (key, id) in old.into_iter().filter(|e| e.1 != u32::MAX) {
            self.place(key, id);
        }
    }
}

/// One rule's candidate combinations.
pub(super) struct RuleCombinations {
    /// The ids of the probes of a fused rule (`None` for a rule the fused loop does not run,
    /// or whose combinations are numbered already).
    pub(super) probes: Option<Vec<usize>>,
    /// The combinations numbered so far (in earlier chunks of the batch too).
    pub(super) seen: CombinationTable,
    /// The chunk's combinations as an array, when its keys combine in few enough ways (a
    /// cache of `seen`).
    dense: Option<DenseCombinations>,
}

impl RuleCombinations {
    /// The combinations of every rule of `engine`, those numbered so far in `seen` (one table
    /// per rule, or none: a batch's first chunk).
    pub(super) fn of(engine: &Engine, seen: Vec<CombinationTable>) -> Vec<RuleCombinations> {
        let mut seen = (seen.len() == engine.rules.len()).then(|| seen.into_iter());
        engine
            .rules
            .iter()
            .map(|r| RuleCombinations {
                probes: r.fused.then(|| r.probes.iter().map(|p| p.id).collect()),
                seen: seen
                    .as_mut()
                    .and_then(Iterator::next)
                    .unwrap_or_else(|| CombinationTable::new(r.probes.len())),
                dense: None,
            })
            .collect()
    }
}

/// Numbers the candidate combination of each lead (`passed`: it passed its check) for each
/// fused rule from its probe keys: the first lead with a combination of keys numbers it.
// (inlined into its one caller, `Preparation::run`: measured 16 instructions per lead less)
#[inline(always)]
pub(super) fn number_combinations(
    rules: &mut [RuleCombinations],
    keys: &PerLead<u32>,
    distinct: &[DistinctKey],
    passed: impl Fn(usize) -> bool,
    leads: usize,
    combos: &mut PerLead<u32>,
    combinations: &mut Combinations,
) {
    if rules.iter().all(|rc| rc.probes.is_none()) {
        return;
    }
    let (width, keys) = (keys.width(), keys.values());
    let (rule_count, combos) = (combos.width(), combos.values_mut());
    // (an array of up to 4,096 entries, or one per lead)
    let most = leads.max(4_096);
    for rc in rules.iter_mut() {
        rc.dense = rc
            .probes
            .as_deref()
            .and_then(|p| DenseCombinations::new(p, distinct, most));
    }
    let mut ks: Vec<u32> = Vec::new();
    // where the lead's keys and combinations start
    let (mut kb, mut cb) = (0usize, 0usize);
    for i in 0..leads {
        if passed(i) {
            'rules: for (r, rc) in rules.iter_mut().enumerate() {
                let RuleCombinations {
                    probes,
                    seen,
                    dense,
                } = rc;
                let Some(probes) = probes else {
                    continue;
                };
                let next = u32::try_from(combinations.len()).unwrap_or(u32::MAX);
                let row = keys.get(kb..kb + width).unwrap_or(&[]);
                let found = match dense {
                    Some(d) => match d.entry(probes, row) {
                        Some(e) if *e != u32::MAX => *e,
                        Some(e) => match seen.id(probes, row, next, &mut ks) {
                            Some(id) => {
                                *e = id;
                                id
                            }
                            None => continue 'rules,
                        },
                        None => continue 'rules,
                    },
                    None => match seen.id(probes, row, next, &mut ks) {
                        Some(id) => id,
                        None => continue 'rules,
                    },
                };
                if found == next {
                    let keys = probes
                        .iter()
                        .map(|g| keys.get(kb + *g).copied().unwrap_or(u32::MAX));
                    combinations.push(keys);
                }
                if let Some(c) = combos.get_mut(cb + r) {
                    *c = found;
                }
            }
        }
        kb += width;
        cb += rule_count;
    }
}
