//! Deal registration: `leadrail.register(engine, registry, deals, now, policy=, submit=)`
//! converts its arguments to core's registration request (`host::register::register_request`)
//! and each verdict to a typed `Verdict` (its conflicts to `Conflict`s) whose `to_dict()` is
//! core's serde form.

use leadrail_core::dealreg::{Conflict, Verdict};
use leadrail_core::host::register::register_request;
use pyo3::prelude::*;
use serde_json::{json, Value as Json};

use crate::convert::{argument_json, instant, json_to_py, wire};
use crate::engine::PyEngine;
use crate::network::raise;

/// An enum's wire name (`auto_approve`, `postal_name`, ...).
fn name(x: &impl serde::Serialize) -> String {
    serde_json::to_value(x)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// One registry record a deal matched, and why.
#[pyclass(name = "Conflict", module = "leadrail", frozen)]
pub struct PyConflict {
    #[pyo3(get)]
    id: String,
    #[pyo3(get)]
    kind: String,
    #[pyo3(get)]
    partner: String,
    #[pyo3(get)]
    rule: String,
    #[pyo3(get)]
    rules: Vec<String>,
    #[pyo3(get)]
    outcome: String,
    #[pyo3(get)]
    score: f64,
    #[pyo3(get)]
    name: Py<PyAny>,
    #[pyo3(get)]
    normalized: String,
    #[pyo3(get)]
    domain: Option<String>,
    #[pyo3(get)]
    postal: Option<String>,
    #[pyo3(get)]
    product_lines: Vec<String>,
    #[pyo3(get)]
    protected_until: Option<i64>,
    form: Json,
}

impl PyConflict {
    fn new(py: Python<'_>, c: Conflict) -> PyResult<PyConflict> {
        let form = serde_json::to_value(&c).unwrap_or_default();
        Ok(PyConflict {
            kind: name(&c.kind),
            rule: name(&c.rule),
            rules: c.rules.iter().map(name).collect(),
            outcome: name(&c.outcome),
            score: c.name.score,
            name: wire(py, &c.name)?.unbind(),
            form,
            id: c.id,
            partner: c.partner,
            normalized: c.normalized,
            domain: c.domain,
            postal: c.postal,
            product_lines: c.product_lines,
            protected_until: c.protected_until,
        })
    }
}

/// The verdict on one deal: the outcome, why, and every conflict (the strongest first).
#[pyclass(name = "Verdict", module = "leadrail", frozen)]
pub struct PyVerdict {
    #[pyo3(get)]
    id: String,
    #[pyo3(get)]
    outcome: String,
    #[pyo3(get)]
    reason: String,
    #[pyo3(get)]
    normalized: String,
    #[pyo3(get)]
    domain: Option<String>,
    #[pyo3(get)]
    holder: Option<String>,
    #[pyo3(get)]
    conflicts: Vec<Py<PyConflict>>,
    form: Json,
}

#[pymethods]
impl PyConflict {
    /// Core's serde form as plain dicts.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json_to_py(py, &self.form)
    }
}

#[pymethods]
impl PyVerdict {
    /// Core's serde form as plain dicts.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json_to_py(py, &self.form)
    }
    fn __repr__(&self) -> String {
        format!("Verdict(id={:?}, outcome={:?})", self.id, self.outcome)
    }
}

fn verdict(py: Python<'_>, v: Verdict) -> PyResult<PyVerdict> {
    let form = serde_json::to_value(&v).unwrap_or_default();
    let conflicts = v
        .conflicts
        .into_iter()
        .map(|c| Py::new(py, PyConflict::new(py, c)?));
    Ok(PyVerdict {
        outcome: name(&v.outcome),
        conflicts: conflicts.collect::<PyResult<_>>()?,
        form,
        id: v.id,
        reason: v.reason,
        normalized: v.normalized,
        domain: v.domain,
        holder: v.holder,
    })
}

/// Checks each deal (a mapping) against the registry (registrations, CRM accounts, open leads)
/// under the engine's registration policy `policy` (default: the first) at `now`; with
/// `submit`, submits the deals in order. One `Verdict` per deal; raises `DataError` naming the
/// record and the field. Runs without the GIL.
#[pyfunction]
#[pyo3(signature = (engine, registry, deals, now, policy = None, submit = false))]
pub fn register(
    py: Python<'_>,
    engine: &PyEngine,
    registry: &Bound<'_, PyAny>,
    deals: &Bound<'_, PyAny>,
    now: &Bound<'_, PyAny>,
    policy: Option<String>,
    submit: bool,
) -> PyResult<Vec<PyVerdict>> {
    let now = raise(py, instant(now)?)?;
    let req = json!({
        "registry": argument_json(registry, "registry", false)?,
        "deals": argument_json(deals, "deals", false)?,
        "now": now, "policy": policy, "submit": submit,
    });
    let plan = engine.plan();
    let verdicts = raise(py, py.detach(|| register_request(plan, &req)))?;
    verdicts.into_iter().map(|v| verdict(py, v)).collect()
}
