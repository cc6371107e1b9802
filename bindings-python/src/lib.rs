//! Python bindings for leadrail: `import leadrail`.
//!
//! This crate only converts Python objects to core types and back, and maps core
//! [`ErrorReport`](leadrail_core::report::ErrorReport)s to the exceptions declared in
//! `exceptions`. Every behaviour lives in `leadrail-core` (and `leadrail-dsl`).

#![expect(
    clippy::result_large_err,
    reason = "batch items carry the language-neutral ErrorReport, as in core's api module"
)]

use pyo3::prelude::*;

/// The allocator of the extension's Rust side: batches allocate a few small blocks per lead
/// (records, their values, ids), which mimalloc serves several times cheaper than the system
/// malloc.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod convert;
mod dealreg;
mod engine;
mod exceptions;
mod flows;
mod frames;
mod kpi;
mod network;
mod routing;
mod typed;

/// How core's messages name Python: the values it can pass, and the code of the leads a batch
/// runs (which the busy error names).
pub(crate) const PYTHON: leadrail_core::host::Host = leadrail_core::host::Host {
    values: "numbers, text, booleans, lists, mappings, dates, datetimes, Decimals or None",
    lead_code: "a mapping's `__getitem__`, a column's `tolist()` or other Python code of the leads",
};

/// The native module, imported by the pure-Python package `leadrail` as `leadrail._leadrail`.
#[pymodule]
mod _leadrail {
    use leadrail_core::geo;
    use leadrail_core::report::codes;
    use pyo3::prelude::*;

    use crate::convert;

    #[pymodule_export]
    use crate::exceptions::{DataError, LeadrailError, RuleError};

    #[pymodule_export]
    use crate::engine::PyEngine;

    #[pymodule_export]
    use crate::dealreg::{register, PyRegistry};

    #[pymodule_export]
    use crate::network::PyNetwork;

    #[pymodule_export]
    use crate::kpi::{feed_back_call, forecast_call, kpi_call, PyKpiAnswer};

    #[pymodule_export]
    use crate::typed::{
        PyDecision, PyOutcome, PyRouteResult, PyRouteResults, PyStateRead, RouteResultsIter,
    };

    /// Great-circle distance in km between two points, each a mapping `{"lat": .., "lon": ..}`
    /// or a pair `(lat, lon)` (degrees, WGS 84).
    #[pyfunction]
    fn haversine_km(a: &Bound<'_, PyAny>, b: &Bound<'_, PyAny>) -> PyResult<f64> {
        let a = convert::geo_point(a, "a")?;
        let b = convert::geo_point(b, "b")?;
        Ok(geo::haversine_km(a, b))
    }

    /// Great-circle distances in km from `origin` to each of `points` (any iterable of points),
    /// computed without holding the GIL.
    #[pyfunction]
    fn distances_km(
        py: Python<'_>,
        origin: &Bound<'_, PyAny>,
        points: &Bound<'_, PyAny>,
    ) -> PyResult<Vec<f64>> {
        let origin = convert::geo_point(origin, "origin")?;
        let points = convert::geo_points(points, "points")?;
        Ok(py.detach(|| {
            points
                .iter()
                .map(|p| geo::haversine_km(origin, *p))
                .collect()
        }))
    }

    /// Every stable error code, as `exc.code` may carry it.
    #[pyfunction]
    fn error_codes() -> Vec<&'static str> {
        codes::ALL.to_vec()
    }

    #[pymodule_init]
    fn init(m: &Bound<'_, PyModule>) -> PyResult<()> {
        m.add("__version__", env!("CARGO_PKG_VERSION"))
    }
}
