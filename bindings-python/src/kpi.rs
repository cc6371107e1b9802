//! KPIs, the forecast and the feedback into routing: the arguments converted to JSON and read
//! by core (`leadrail_core::kpi::host`), the answers kept in Rust and given as dicts (`to_dict`,
//! core's serde form) or columns. The typed classes are `leadrail.kpi`'s (Python).

use leadrail_core::kpi::host::{KpiAnswer, KpiCall};
use pyo3::prelude::*;

use crate::convert::{self, argument_json, json_to_py, wire};
use crate::engine::PyEngine;
use crate::network::{raise, PyNetwork};

/// A KPI or forecast answer, as core computed it.
#[pyclass(name = "KpiAnswer", module = "leadrail", frozen)]
pub struct PyKpiAnswer(KpiAnswer);

#[pymethods]
impl PyKpiAnswer {
    /// The answer as plain dicts and lists (core's serde form).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json_to_py(py, &raise(py, self.0.rows())?)
    }

    /// Each table as columns: `{table: {column: [values]}}`.
    fn columns<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json_to_py(py, &raise(py, self.0.columns())?)
    }

    /// The per-partner measures of a report grouped by partner only, as dicts.
    fn measures<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        wire(py, &raise(py, self.0.measures())?)
    }
}

/// The call read from the Python arguments: the timelines (any iterable of mappings), `now`
/// and the options mapping, converted to JSON and read by core.
fn call(
    py: Python<'_>,
    timelines: &Bound<'_, PyAny>,
    now: &Bound<'_, PyAny>,
    options: Option<&Bound<'_, PyAny>>,
) -> PyResult<KpiCall> {
    let help = "pass a list of `{\"lead\": \"L1\", \"events\": [...]}`";
    let list = convert::timelines_json(timelines, "a sequence of mappings", help)?;
    let now = raise(py, convert::instant(now)?)?;
    let options = match options {
        Some(o) => argument_json(o, "options", false)?,
        None => serde_json::Value::Null,
    };
    raise(py, KpiCall::from_call(list, now, options))
}

/// The KPIs as of `now` (with `engine`'s SLAs, if given); `options` as `leadrail.kpi` takes
/// them. Runs without the GIL.
#[pyfunction]
#[pyo3(signature = (timelines, now, options = None, engine = None))]
pub fn kpi_call(
    py: Python<'_>,
    timelines: &Bound<'_, PyAny>,
    now: &Bound<'_, PyAny>,
    options: Option<&Bound<'_, PyAny>>,
    engine: Option<PyRef<'_, PyEngine>>,
) -> PyResult<PyKpiAnswer> {
    let c = call(py, timelines, now, options)?;
    let slas = engine.as_ref().map(|e| &*e.sla);
    raise(py, py.detach(|| c.kpi(slas)).map(PyKpiAnswer))
}

/// The forecast as of `now`. Runs without the GIL.
#[pyfunction]
#[pyo3(signature = (timelines, now, options = None))]
pub fn forecast_call(
    py: Python<'_>,
    timelines: &Bound<'_, PyAny>,
    now: &Bound<'_, PyAny>,
    options: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyKpiAnswer> {
    let c = call(py, timelines, now, options)?;
    raise(py, py.detach(|| c.forecast()).map(PyKpiAnswer))
}

/// Writes the measured KPIs (by partner, with the network's SLAs) into `network`'s partner
/// fields (`options["measure_fields"]`, default the usual ones); returns the measures as dicts.
#[pyfunction]
#[pyo3(signature = (network, timelines, now, options = None))]
pub fn feed_back_call<'py>(
    py: Python<'py>,
    network: &Bound<'py, PyNetwork>,
    timelines: &Bound<'py, PyAny>,
    now: &Bound<'py, PyAny>,
    options: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let c = call(py, timelines, now, options)?;
    let (net, plan) = (&network.get().net, network.get().engine.plan());
    let measures = py.detach(|| net.write(|n| c.feed_back(plan, n)));
    wire(py, &raise(py, measures.and_then(|m| m))?)
}
