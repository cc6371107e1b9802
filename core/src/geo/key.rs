//! Regions as small integer keys, for territory indexes in the engine.
//!
//! # How the engine uses this
//!
//! A [`RegionKey`] stands for one [`RegionCode`]. Every ISO area (country or subdivision) has a
//! fixed key equal to its [`AreaId::index`], without interning; a region with a postal prefix
//! gets a key when it is [interned](RegionInterner::intern) (keys `AreaId::count()..`).
//!
//! The key property: **territory region `t` covers lead region `r` exactly when `t`'s key is
//! one of [`RegionInterner::ancestors`]`(r)`** (for `t` interned before the call). So a
//! territory index is built and probed like this:
//!
//! ```
//! use std::collections::HashMap;
//! use leadrail_core::geo::{RegionCode, RegionInterner, RegionKey, Territory};
//!
//! // Build (once per network): partner territories -> partner ids, keyed by region key.
//! let partners = [("P1", "US except US-AK"), ("P2", "US-TX:75"), ("P3", "GB-ENG")];
//! let mut interner = RegionInterner::new();
//! let mut index: HashMap<RegionKey, Vec<(usize, Territory)>> = HashMap::new();
//! for (i, (_, t)) in partners.iter().enumerate() {
//!     let t: Territory = t.parse().unwrap();
//!     let key = interner.intern(t.region());
//!     index.entry(key).or_default().push((i, t));
//! }
//!
//! // Probe (per lead): walk the lead region's ancestors, most specific first.
//! let lead: RegionCode = "US-TX:75001".parse().unwrap();
//! let mut hits = Vec::new();
//! for key in interner.ancestors(&lead) {
//!     for (i, t) in index.get(&key).into_iter().flatten() {
//!         // The key match means `t.region()` covers the lead; exclusions are checked here.
//!         if t.except().is_empty() || t.covers(&lead) {
//!             hits.push(partners[*i].0);
//!         }
//!     }
//! }
//! hits.sort();
//! assert_eq!(hits, ["P1", "P2"]);
//!
//! // ISO hierarchy: GB-ENG is an ancestor of GB-KEC.
//! let kec: RegionCode = "GB-KEC".parse().unwrap();
//! assert!(interner.ancestors(&kec).any(|k| index.get(&k).is_some_and(|v| v[0].0 == 2)));
//! ```
//!
//! The walk yields at most `(postal length + 1) * (ISO depth)` keys (ISO depth is 1 to 3:
//! subdivision, parent subdivision, country), each a hash probe for postal regions and an
//! integer for ISO areas, with no allocation. Exclusions can also be indexed as keys of their
//! own (a partner is a candidate through its region key and is removed by any exclusion key on
//! the same walk); [`Territory::covers`] is the reference.

use std::collections::HashMap;

use super::iso::AreaId;
use super::region::{RegionCode, Territory};

/// A region as a small integer: ISO areas have fixed keys, postal regions are interned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RegionKey(u32);

impl RegionKey {
    /// The key as an index (ISO areas: `0..AreaId::count()`; interned postal regions after).
    pub fn index(self) -> usize {
        self.0 as usize
    }

    /// The fixed key of an ISO area.
    pub fn of_area(area: AreaId) -> RegionKey {
        RegionKey(u32::try_from(area.index()).unwrap_or(u32::MAX))
    }
}

/// Interns regions with postal prefixes to [`RegionKey`]s and walks a region's covering keys.
///
/// See the [module docs](self) for how a territory index uses it.
#[derive(Debug, Clone, Default)]
pub struct RegionInterner {
    /// For each area (by index) that has interned postal regions: postal prefix -> key.
    postal: HashMap<AreaId, HashMap<Box<str>, RegionKey>>,
    /// The interned postal regions, by `key - AreaId::count()`.
    regions: Vec<RegionCode>,
    /// The length of the longest interned postal prefix (bounds the walk).
    max_postal: usize,
}

impl RegionInterner {
    /// An empty interner (ISO areas always have keys).
    pub fn new() -> RegionInterner {
        RegionInterner::default()
    }

    /// The key of `region`, interning it if it has a postal prefix not seen before.
    pub fn intern(&mut self, region: &RegionCode) -> RegionKey {
        let Some(postal) = region.postal() else {
            return RegionKey::of_area(region.area());
        };
        if let Some(k) = self.get(region) {
            return k;
        }
        let next = AreaId::count() + self.regions.len();
        let key = RegionKey(u32::try_from(next).unwrap_or(u32::MAX));
        self.regions.push(region.clone());
        self.max_postal = self.max_postal.max(postal.len());
        self.postal
            .entry(region.area())
            .or_default()
            .insert(postal.into(), key);
        key
    }

    /// The key of `region` if it has one (always, for a region without postal prefix).
    pub fn get(&self, region: &RegionCode) -> Option<RegionKey> {
        match region.postal() {
            None => Some(RegionKey::of_area(region.area())),
            Some(p) => self.postal.get(&region.area())?.get(p).copied(),
        }
    }

    /// The region a key stands for.
    pub fn resolve(&self, key: RegionKey) -> Option<RegionCode> {
        match AreaId::from_index(key.index()) {
            Some(a) => Some(RegionCode::from_area(a)),
            None => self
                .regions
                .get(key.index().checked_sub(AreaId::count())?)
                .cloned(),
        }
    }

    /// The number of interned postal regions.
    pub fn postal_len(&self) -> usize {
        self.regions.len()
    }

    /// Every key whose region covers `region` (as [`RegionCode::covers`]), among ISO areas and
    /// interned postal regions: for each ISO ancestor of `region`'s area (itself, then its ISO
    /// parents, then the country), first the interned postal prefixes of `region`'s postal code,
    /// longest first, then the area itself.
    pub fn ancestors<'a>(&'a self, region: &'a RegionCode) -> impl Iterator<Item = RegionKey> + 'a {
        let postal = region.postal().unwrap_or("");
        let longest = postal.len().min(self.max_postal);
        region.area().ancestors().flat_map(move |area| {
            let by_prefix = self.postal.get(&area);
            let prefixed = (1..=longest)
                .rev()
                .filter_map(move |n| by_prefix?.get(postal.get(..n)?).copied());
            prefixed.chain(std::iter::once(RegionKey::of_area(area)))
        })
    }

    /// The keys a territory is indexed under: its region's key and its exclusions' keys
    /// (interning them).
    pub fn intern_territory(&mut self, t: &Territory) -> (RegionKey, Vec<RegionKey>) {
        let key = self.intern(t.region());
        let except = t.except().iter().map(|e| self.intern(e)).collect();
        (key, except)
    }
}
