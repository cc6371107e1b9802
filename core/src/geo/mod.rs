//! Geography: ISO 3166 regions, postal prefixes, territories with exclusions, distances.
//!
//! - [`iso`]: the ISO 3166-1 / 3166-2 tables shipped with the crate ([`AreaId`]).
//! - [`RegionCode`] (`US`, `US-TX`, `US-TX:750`, `DE:80`) and [`Territory`]
//!   (`US except US-AK, US-HI`): parsing, validation, display, serde, [`RegionCode::covers`]
//!   and [`Territory::covers`] (country > ISO subdivision hierarchy > postal prefix).
//! - [`RegionKey`] / [`RegionInterner`]: regions as integers with an ancestor walk, for the
//!   engine's territory index.
//! - [`haversine_km`] and the [`SpatialIndex`] for distance rules.

pub mod iso;
pub mod key;
mod region;
mod spatial;
pub(crate) mod suggest;

use serde::{Deserialize, Serialize};

pub use iso::AreaId;
pub use key::{RegionInterner, RegionKey};
pub use region::{RegionCode, RegionError, Territory, MAX_POSTAL_LEN};
pub use spatial::SpatialIndex;

/// The mean Earth radius used for distances, in km (IUGG mean radius R1).
pub const EARTH_RADIUS_KM: f64 = 6371.0088;

/// A latitude/longitude pair in degrees (WGS 84).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GeoPoint {
    /// Latitude in degrees, -90..=90.
    pub lat: f64,
    /// Longitude in degrees, -180..=180.
    pub lon: f64,
}

impl GeoPoint {
    /// Whether both coordinates are finite and in range (lat in -90..=90, lon in -180..=180).
    pub fn is_valid(&self) -> bool {
        self.lat.is_finite()
            && self.lon.is_finite()
            && (-90.0..=90.0).contains(&self.lat)
            && (-180.0..=180.0).contains(&self.lon)
    }
}

/// Great-circle distance in km between two points (haversine, mean Earth radius
/// [`EARTH_RADIUS_KM`]).
pub fn haversine_km(a: GeoPoint, b: GeoPoint) -> f64 {
    let (la1, la2) = (a.lat.to_radians(), b.lat.to_radians());
    let dlat = la2 - la1;
    let dlon = (b.lon - a.lon).to_radians();
    let h = (dlat / 2.0).sin().powi(2) + la1.cos() * la2.cos() * (dlon / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_KM * h.sqrt().min(1.0).asin()
}

/// Great-circle distances in km from `origin` to each of `points` ([`haversine_km`]).
pub fn distances_km(origin: GeoPoint, points: &[GeoPoint]) -> Vec<f64> {
    points.iter().map(|p| haversine_km(origin, *p)).collect()
}
