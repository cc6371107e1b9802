//! Deal registration: `leadrail._leadrail.register(engine, registry, deals, now, policy=,
//! submit=)` converts its arguments to core's registration request
//! (`host::register::register_request`) and gives the verdicts as core's serde form; the typed
//! `Verdict` and `Conflict` classes are `leadrail._dealreg`'s (Python).

use leadrail_core::host::register::register_request;
use pyo3::prelude::*;
use serde_json::json;

use crate::convert::{argument_json, instant, wire};
use crate::engine::PyEngine;
use crate::network::raise;

/// Checks each deal (a mapping) against the registry (registrations, CRM accounts, open leads)
/// under the engine's registration policy `policy` (default: the first) at `now`; with
/// `submit`, submits the deals in order. One verdict (core's serde form) per deal; raises
/// `DataError` naming the record and the field. Runs without the GIL.
#[pyfunction]
#[pyo3(signature = (engine, registry, deals, now, policy = None, submit = false))]
pub fn register<'py>(
    py: Python<'py>,
    engine: &PyEngine,
    registry: &Bound<'_, PyAny>,
    deals: &Bound<'_, PyAny>,
    now: &Bound<'_, PyAny>,
    policy: Option<String>,
    submit: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let now = raise(py, instant(now)?)?;
    let req = json!({
        "registry": argument_json(registry, "registry", false)?,
        "deals": argument_json(deals, "deals", false)?,
        "now": now, "policy": policy, "submit": submit,
    });
    let plan = engine.plan();
    wire(py, &raise(py, py.detach(|| register_request(plan, &req)))?)
}
