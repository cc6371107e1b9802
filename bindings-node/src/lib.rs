//! Node.js bindings for leadrail (`require("leadrail")`).
//!
//! This crate only converts JavaScript values to core types and back, and maps core
//! [`ErrorReport`](leadrail_core::report::ErrorReport)s to `Error` objects (see `errors.rs`).
//! Every behaviour lives in `leadrail-core` (and `leadrail-dsl`).

#![expect(
    clippy::result_large_err,
    reason = "batch items carry the language-neutral ErrorReport, as in core's api module"
)]

mod convert;
mod engine;
mod errors;
mod network;
// (after `network`: it names `Network`)
mod dealreg;
// (after `network`: napi's type definitions name `Network`'s methods here only once the
// struct is known; so does napi's registration of the class's methods at run time)
mod flows;
mod kpi;
mod wire;

pub use dealreg::{register, JsRegistry, LeadRouteOptions};
pub use engine::{JsEngine, SlaBatch};
pub use network::{JsNetwork, RouteLeads, RouteOptionsJs};
pub use wire::wire;

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
    ts_args_type = "a: GeoPoint | readonly [lat: number, lon: number], b: GeoPoint | readonly [lat: number, lon: number]"
)]
pub fn haversine_km(env: Env, a: Unknown<'_>, b: Unknown<'_>) -> Result<f64> {
    let a = convert::geo_point(&env, a, "a")?;
    let b = convert::geo_point(&env, b, "b")?;
    Ok(geo::haversine_km(a, b))
}

/// Great-circle distances in km from `origin` to each of `points`.
#[napi(
    ts_args_type = "origin: GeoPoint | readonly [lat: number, lon: number], points: ReadonlyArray<GeoPoint | readonly [lat: number, lon: number]>"
)]
pub fn distances_km(env: Env, origin: Unknown<'_>, points: Unknown<'_>) -> Result<Vec<f64>> {
    let origin = convert::geo_point(&env, origin, "origin")?;
    let points = convert::geo_points(&env, points, "points")?;
    Ok(geo::distances_km(origin, &points))
}

/// Like [`distances_km`], computed on the libuv thread pool; bad arguments throw at once.
#[napi(
    ts_args_type = "origin: GeoPoint | readonly [lat: number, lon: number], points: ReadonlyArray<GeoPoint | readonly [lat: number, lon: number]>",
    ts_return_type = "Promise<Array<number>>"
)]
pub fn distances_km_async(
    env: Env,
    origin: Unknown<'_>,
    points: Unknown<'_>,
) -> Result<AsyncTask<Distances>> {
    let origin = convert::geo_point(&env, origin, "origin")?;
    let points = convert::geo_points(&env, points, "points")?;
    Ok(AsyncTask::new(Distances { origin, points }))
}

/// The work of [`distances_km_async`], run off the JavaScript thread.
pub struct Distances {
    origin: geo::GeoPoint,
    points: Vec<geo::GeoPoint>,
}

impl Task for Distances {
    type Output = Vec<f64>;
    type JsValue = Vec<f64>;

    fn compute(&mut self) -> Result<Self::Output> {
        Ok(geo::distances_km(self.origin, &self.points))
    }

    fn resolve(&mut self, _env: Env, output: Self::Output) -> Result<Self::JsValue> {
        Ok(output)
    }
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

/// The addon's Rust allocations (records, decisions, the encoded columns of a batch) go to
/// mimalloc: a batch allocates and frees ~100,000 small objects and a few vectors of megabytes,
/// where glibc's malloc returns the heap to the kernel after each batch and faults it back in on
/// the next; about a quarter of the addon's time in W1 (see benches/node_w1.mjs --split).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
