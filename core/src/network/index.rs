//! Partner indexes: territory (region -> partners), competency (value -> partners),
//! certifications with validity dates, and a lat/lon grid for distance requires.

use std::sync::Arc;

use rustc_hash::FxHashMap;

use super::bits::Bits;
use crate::geo::{GeoPoint, RegionCode, Territory};

/// Territories of one region-valued partner field.
///
/// Distinct territories are kept with the partners that hold them, bucketed by country. A lead
/// region is resolved by testing [`Territory::covers`] on the territories of its country, so the
/// index follows whatever hierarchy `covers` implements (country > subdivision > postal prefix,
/// exclusions) exactly.
#[derive(Debug, Clone, Default)]
pub(crate) struct TerritoryIndex {
    entries: Vec<(Territory, Bits)>,
    pos: FxHashMap<Territory, usize>,
    by_country: FxHashMap<String, Vec<usize>>,
}

impl TerritoryIndex {
    pub(crate) fn add(&mut self, p: usize, t: &Territory) {
        let i = match self.pos.get(t) {
            Some(i) => *i,
            None => {
                let i = self.entries.len();
                self.entries.push((t.clone(), Bits::default()));
                self.pos.insert(t.clone(), i);
                self.by_country
                    .entry(t.region().country().to_string())
                    .or_default()
                    .push(i);
                i
            }
        };
        if let Some((_, b)) = self.entries.get_mut(i) {
            b.set(p);
        }
    }

    pub(crate) fn remove(&mut self, p: usize, t: &Territory) {
        if let Some(i) = self.pos.get(t) {
            if let Some((_, b)) = self.entries.get_mut(*i) {
                b.clear(p);
            }
        }
    }

    /// Adds to `out` every partner with a territory covering `r`.
    pub(crate) fn lookup(&self, r: &RegionCode, out: &mut Bits) {
        if let Some(list) = self.by_country.get(r.country()) {
            for i in list {
                if let Some((t, b)) = self.entries.get(*i) {
                    if t.covers(r) {
                        out.or_with(b);
                    }
                }
            }
        }
    }
}

/// Partners by the text/enum items of a set field (or the keys of a map field).
#[derive(Debug, Clone, Default)]
pub(crate) struct MemberIndex {
    pub(crate) by_item: FxHashMap<u32, Bits>,
}

impl MemberIndex {
    pub(crate) fn add(&mut self, p: usize, item: u32) {
        self.by_item.entry(item).or_default().set(p);
    }
    pub(crate) fn remove(&mut self, p: usize, item: u32) {
        if let Some(b) = self.by_item.get_mut(&item) {
            b.clear(p);
        }
    }
    pub(crate) fn get(&self, item: u32) -> Option<&Bits> {
        self.by_item.get(&item)
    }
}

/// Certification name -> (partner, valid-until day) for a `map<text, date>` field.
#[derive(Debug, Clone, Default)]
pub(crate) struct CertIndex {
    by_name: FxHashMap<u32, Vec<(u32, i32)>>,
}

impl CertIndex {
    pub(crate) fn add(&mut self, p: u32, name: u32, day: i32) {
        self.by_name.entry(name).or_default().push((p, day));
    }
    pub(crate) fn remove(&mut self, p: u32) {
        for v in self.by_name.values_mut() {
            v.retain(|(q, _)| *q != p);
        }
    }
    /// Adds to `out` the partners holding `name` valid on `today` or later.
    pub(crate) fn lookup(&self, name: u32, today: i32, out: &mut Bits) {
        if let Some(v) = self.by_name.get(&name) {
            for (p, day) in v {
                if *day >= today {
                    out.set(*p as usize);
                }
            }
        }
    }
}

/// A one-degree lat/lon grid of partner locations. Queries return a superset of the partners
/// within a radius; the exact haversine test stays in the require.
#[derive(Debug, Clone, Default)]
pub(crate) struct Grid {
    cells: FxHashMap<(i32, i32), Vec<u32>>,
}

fn cell_of(p: GeoPoint) -> (i32, i32) {
    (p.lat.floor() as i32, norm_lon(p.lon.floor() as i32))
}

fn norm_lon(x: i32) -> i32 {
    (x + 180).rem_euclid(360) - 180
}

impl Grid {
    pub(crate) fn add(&mut self, p: u32, at: GeoPoint) {
        self.cells.entry(cell_of(at)).or_default().push(p);
    }
    pub(crate) fn remove(&mut self, p: u32, at: GeoPoint) {
        if let Some(v) = self.cells.get_mut(&cell_of(at)) {
            v.retain(|q| *q != p);
        }
    }
    /// Adds to `out` every partner whose cell may hold points within `km` of `at`.
    pub(crate) fn query(&self, at: GeoPoint, km: f64, out: &mut Bits) {
        if !(km.is_finite() && at.lat.is_finite() && at.lon.is_finite()) || km < 0.0 {
            if km.is_infinite() && km > 0.0 {
                for v in self.cells.values() {
                    for p in v {
                        out.set(*p as usize);
                    }
                }
            }
            return;
        }
        // One degree of latitude is at least 110.5 km; keep a one-cell margin.
        let dlat = km / 110.5 + 1.0;
        let lat0 = (at.lat - dlat).floor().max(-91.0) as i32;
        let lat1 = (at.lat + dlat).floor().min(91.0) as i32;
        let maxlat = (at.lat.abs() + dlat).min(90.0);
        let coslat = maxlat.to_radians().cos();
        let whole = coslat < 0.02 || km >= 20_000.0;
        let dlon = if whole {
            360.0
        } else {
            km / (111.0 * coslat) + 1.0
        };
        if whole || dlon >= 180.0 {
            for ((la, _), v) in &self.cells {
                if (lat0..=lat1).contains(la) {
                    for p in v {
                        out.set(*p as usize);
                    }
                }
            }
            return;
        }
        let lon0 = (at.lon - dlon).floor() as i32;
        let lon1 = (at.lon + dlon).floor() as i32;
        for la in lat0..=lat1 {
            for lo in lon0..=lon1 {
                if let Some(v) = self.cells.get(&(la, norm_lon(lo))) {
                    for p in v {
                        out.set(*p as usize);
                    }
                }
            }
        }
    }
}

/// The territories held in a region or set-of-regions value.
pub(crate) fn territories(v: &crate::value::Value) -> Vec<Arc<Territory>> {
    use crate::value::Value;
    match v {
        Value::Region(t) => vec![t.clone()],
        Value::Set(items) => items
            .iter()
            .filter_map(|x| match x {
                Value::Region(t) => Some(t.clone()),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}
