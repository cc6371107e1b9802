//! Geography: ISO 3166 regions, postal prefixes, territories with exclusions, distances.

use serde::{Deserialize, Serialize};

/// A latitude/longitude pair in degrees (WGS 84).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GeoPoint {
    /// Latitude in degrees, -90..=90.
    pub lat: f64,
    /// Longitude in degrees, -180..=180.
    pub lon: f64,
}

/// A region: an ISO 3166-1 country, optionally an ISO 3166-2 subdivision, optionally a postal
/// code prefix. Written `US`, `US-TX`, `US-TX:750`, `DE:80`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct RegionCode {
    /// ISO 3166-1 alpha-2 country code, upper case.
    pub country: String,
    /// ISO 3166-2 subdivision code (the full code, e.g. `US-TX`), if any.
    pub subdivision: Option<String>,
    /// Postal code prefix, if any.
    pub postal: Option<String>,
}

/// A territory: a region minus excluded regions (`US except US-AK, US-HI`). A lead's region is a
/// territory without exclusions.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Territory {
    /// The covered region.
    pub region: RegionCode,
    /// Regions carved out of it.
    pub except: Vec<RegionCode>,
}

impl RegionCode {
    /// Whether this region covers `other` (same country; this subdivision, if any, equal to
    /// `other`'s; this postal prefix, if any, a prefix of `other`'s postal code).
    pub fn covers(&self, other: &RegionCode) -> bool {
        if self.country != other.country {
            return false;
        }
        if let Some(sub) = &self.subdivision {
            if other.subdivision.as_ref() != Some(sub) {
                return false;
            }
        }
        match (&self.postal, &other.postal) {
            (None, _) => true,
            (Some(p), Some(q)) => q.starts_with(p.as_str()),
            (Some(_), None) => false,
        }
    }
}

impl Territory {
    /// Whether this territory covers `region`: its region covers it and no exclusion does.
    pub fn covers(&self, region: &RegionCode) -> bool {
        self.region.covers(region) && !self.except.iter().any(|e| e.covers(region))
    }
}

/// Great-circle distance in km between two points (haversine, mean Earth radius 6371.0088 km).
pub fn haversine_km(a: GeoPoint, b: GeoPoint) -> f64 {
    const R: f64 = 6371.0088;
    let (la1, la2) = (a.lat.to_radians(), b.lat.to_radians());
    let dlat = la2 - la1;
    let dlon = (b.lon - a.lon).to_radians();
    let h = (dlat / 2.0).sin().powi(2) + la1.cos() * la2.cos() * (dlon / 2.0).sin().powi(2);
    2.0 * R * h.sqrt().min(1.0).asin()
}
