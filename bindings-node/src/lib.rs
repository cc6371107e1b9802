//! Node.js bindings for leadrail (`require("leadrail")`).
//!
//! This crate only converts JavaScript values to core types and back, and maps core
//! [`ErrorReport`](leadrail_core::report::ErrorReport)s to `Error` objects (see [`errors`]).
//! Every behaviour lives in `leadrail-core` (and `leadrail-dsl`).

mod convert;
mod errors;

use leadrail_core::geo;
use leadrail_core::report::codes;
use napi::bindgen_prelude::*;
use napi_derive::napi;

/// A latitude/longitude pair in degrees (WGS 84). Wherever a point is taken, `[lat, lon]` is
/// accepted too.
#[napi(object)]
pub struct GeoPoint {
    /// Latitude in degrees, -90..=90.
    pub lat: f64,
    /// Longitude in degrees, -180..=180.
    pub lon: f64,
}

/// Great-circle distance in km between two points, each `{ lat, lon }` or `[lat, lon]`
/// (degrees, WGS 84).
#[napi(
    ts_args_type = "a: GeoPoint | [lat: number, lon: number], b: GeoPoint | [lat: number, lon: number]"
)]
pub fn haversine_km(env: Env, a: Unknown<'_>, b: Unknown<'_>) -> Result<f64> {
    let a = convert::geo_point(&env, a, "a")?;
    let b = convert::geo_point(&env, b, "b")?;
    Ok(geo::haversine_km(a, b))
}

/// Every stable error code, as `err.code` may carry it.
#[napi]
pub fn error_codes() -> Vec<&'static str> {
    codes::ALL.to_vec()
}

/// The version of the package (the crate's version).
#[napi]
pub fn version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}
