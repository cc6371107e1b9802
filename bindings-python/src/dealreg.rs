//! Deal registration: `leadrail._leadrail.register(engine, registry, deals, now, policy=,
//! submit=)` converts its arguments to core's registration request
//! (`host::register::register_request`) and gives the verdicts as core's serde form; the typed
//! `Verdict` and `Conflict` classes are `leadrail._dealreg`'s (Python). `Registry` holds core's
//! registry for lead routing with lead conflicts (`host::lead_conflict`).

use leadrail_core::host::lead_conflict::ConflictDecision;
use leadrail_core::host::register::register_request;
use leadrail_core::host::SharedRegistry;
use pyo3::prelude::*;
use serde_json::json;

use crate::convert::{argument_json, instant, wire};
use crate::engine::PyEngine;
use crate::network::{raise, PyNetwork};
use crate::routing::read_rows;
use crate::typed::PyDecision;

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

/// Registrations, CRM accounts and open leads held once for lead routing: core's
/// `host::SharedRegistry` (read from mappings as `register` reads its registry; changed one
/// record at a time). `leadrail.Registry` (`_dealreg.py`) wraps it with typed results.
#[pyclass(name = "Registry", module = "leadrail._leadrail", frozen)]
pub struct PyRegistry(SharedRegistry);

#[pymethods]
impl PyRegistry {
    #[new]
    fn new(py: Python<'_>, records: &Bound<'_, PyAny>) -> PyResult<Self> {
        let records = argument_json(records, "records", false)?;
        Ok(Self(raise(py, SharedRegistry::from_json(&records))?))
    }
    fn add(&self, py: Python<'_>, record: &Bound<'_, PyAny>) -> PyResult<bool> {
        raise(py, self.0.add(&argument_json(record, "record", false)?))
    }
    fn remove(&self, py: Python<'_>, id: &str) -> PyResult<bool> {
        raise(py, self.0.remove(id))
    }
    fn __len__(&self, py: Python<'_>) -> PyResult<usize> {
        raise(py, self.0.len())
    }
    /// Marks expired the approved registrations whose protection ended at `now`; their ids.
    fn expire(&self, py: Python<'_>, now: &Bound<'_, PyAny>) -> PyResult<Vec<String>> {
        let now = raise(py, instant(now)?)?;
        raise(py, py.detach(|| self.0.expire(now)))
    }
    /// The record of `id` in the form `add` reads (core's), or None.
    fn get<'py>(&self, py: Python<'py>, id: &str) -> PyResult<Bound<'py, PyAny>> {
        wire(py, &raise(py, self.0.get(id))?)
    }
    /// Every record in the form `add` reads, in the order added.
    fn records<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        wire(py, &raise(py, self.0.records())?)
    }
    /// Each lead's decision (typed) and conflict (core's serde form, or None).
    #[pyo3(signature = (network, leads, now, exclude = Vec::new(), assign = false))]
    fn route<'py>(
        &self,
        network: &PyNetwork,
        leads: Vec<Bound<'py, PyAny>>,
        now: &Bound<'py, PyAny>,
        exclude: Vec<String>,
        assign: bool,
    ) -> PyResult<Vec<(PyDecision, Bound<'py, PyAny>)>> {
        let (py, e, n) = (now.py(), &network.engine, &network.net);
        let schema = &e.plan().lead_schema;
        let rows = read_rows(py, leads.iter().cloned(), leads.len(), schema, false)?;
        let (leads, now) = (rows.records(schema).into_records(), instant(now)?);
        let (leads, now) = (raise(py, leads)?, raise(py, now)?);
        let out = py.detach(|| self.0.route(e, n, &leads, now, exclude, assign));
        let each = |d: ConflictDecision| Ok((PyDecision(d.decision), wire(py, &d.conflict)?));
        raise(py, out)?.into_iter().map(each).collect()
    }
}
