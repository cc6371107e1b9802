//! `Engine` (a compiled ruleset): a thin wrapper over `leadrail_dsl::compile`,
//! `leadrail_core::route::Engine` and the SLA evaluation of `leadrail_core::api`.

use std::sync::Arc;

use leadrail_core::api::{self as api, SlaOutcome, SlaRequest};
use leadrail_core::host;
use leadrail_core::network::Network;
use leadrail_core::report::ErrorReport;
use leadrail_core::route::Engine;
use leadrail_core::sla::SlaSet;
use leadrail_core::value::EpochMs;
use pyo3::prelude::*;
use pyo3::types::PyMapping;

use crate::convert::{self, argument_json, found, wire};
use crate::network::{raise, PyNetwork};
use crate::routing;
use crate::typed::read_once;

/// A compiled ruleset. Immutable; share it freely across threads.
#[pyclass(name = "Engine", module = "leadrail", frozen)]
pub struct PyEngine {
    engine: Arc<Engine>,
    pub(crate) sla: Arc<SlaSet>,
    warnings: Vec<ErrorReport>,
}

/// The `files` argument of `Engine.compile`: a mapping of path to text.
fn files_arg(
    py: Python<'_>,
    obj: &Bound<'_, PyAny>,
) -> PyResult<std::collections::BTreeMap<String, String>> {
    let help = "pass a mapping of each holiday file's path (as written in the rule text) to its \
                text, e.g. `{\"de.txt\": \"2026-12-25 Christmas\"}`";
    let Ok(map) = obj.cast::<PyMapping>() else {
        let expected = "a mapping of path to text";
        let e = host::wrong_argument("`files`", expected, Some(&found(obj)), help);
        return raise(py, Err(e));
    };
    let mut out = std::collections::BTreeMap::new();
    for item in map.items()?.iter() {
        let (k, v): (Bound<'_, PyAny>, Bound<'_, PyAny>) = item.extract()?;
        let (Ok(k), Ok(v)) = (k.extract::<String>(), v.extract::<String>()) else {
            let entry = format!("{} -> `{}` entry", found(&k), convert::type_name(&v));
            let e = host::wrong_entry("`files`", "`str` paths to `str` texts", &entry, help);
            return raise(py, Err(e));
        };
        out.insert(k, v);
    }
    Ok(out)
}

impl PyEngine {
    /// The compiled plan.
    pub(crate) fn plan(&self) -> &leadrail_core::Plan {
        self.engine.plan()
    }
}

#[pymethods]
impl PyEngine {
    /// Compiles rule text; raises `RuleError` with every diagnostic. Holiday files
    /// (`holidays "path"`) come from `files` (a mapping of path to text), then from `base_dir`
    /// (relative paths inside it only, regular files of at most 1 MiB); with neither, rule
    /// text reads no file from disk.
    #[staticmethod]
    #[pyo3(signature = (text, file = "rules.rail", files = None, base_dir = None))]
    fn compile(
        py: Python<'_>,
        text: &str,
        file: &str,
        files: Option<&Bound<'_, PyAny>>,
        base_dir: Option<std::path::PathBuf>,
    ) -> PyResult<PyEngine> {
        let sources = leadrail_dsl::HolidaySources {
            files: match files {
                Some(f) => files_arg(py, f)?,
                None => Default::default(),
            },
            dir: base_dir,
        };
        let compiled = py.detach(|| leadrail_dsl::compile_with_sources(text, file, &sources));
        let compiled = match compiled {
            Ok(c) => c,
            Err(d) => return Err(crate::exceptions::rule_error(py, &d.reports())),
        };
        let warnings = compiled.warnings.iter().map(|w| w.to_report()).collect();
        let sla =
            api::sla_set(&compiled.plan).map_err(|r| crate::exceptions::from_reports(py, &r))?;
        let engine = raise(
            py,
            Engine::new(Arc::new(compiled.plan)).map_err(ErrorReport::from),
        )?;
        Ok(PyEngine {
            engine: Arc::new(engine),
            sla: Arc::new(sla),
            warnings,
        })
    }

    /// Compiles a rule file (its path is the file name in diagnostics); holiday files are read
    /// from its directory (relative paths inside it only).
    #[staticmethod]
    fn from_file(py: Python<'_>, path: std::path::PathBuf) -> PyResult<PyEngine> {
        let text = std::fs::read_to_string(&path)
            .map_err(|e| crate::exceptions::os_error(py, &e, &path))?;
        let options = host::CompileOptions::for_file(&path.to_string_lossy());
        PyEngine::compile(py, &text, &options.file, None, options.base_dir)
    }

    /// The warnings of the compilation, as plain dicts.
    #[getter]
    fn warnings<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        wire(py, &self.warnings)
    }

    /// The ruleset's name.
    #[getter]
    fn name(&self) -> String {
        self.engine.plan().name.clone()
    }

    /// The ruleset's version.
    #[getter]
    fn version(&self) -> u32 {
        self.engine.plan().version
    }

    /// The content hash of the rule text.
    #[getter]
    fn content_hash(&self) -> String {
        self.engine.plan().content_hash.clone()
    }

    /// A partner network from any iterable of mappings, a pandas DataFrame or a pyarrow Table;
    /// raises `DataError` naming the record and the field. `text_cells=True` (the default for a
    /// table) reads string values as CSV cells (`a|b` sets, `US except US-AK` territories,
    /// `k=v|k2=v2` maps, `lat lon` points, `42`), as `csv.DictReader` gives them.
    #[pyo3(signature = (partners, *, text_cells = None))]
    fn network(
        &self,
        py: Python<'_>,
        partners: &Bound<'_, PyAny>,
        text_cells: Option<bool>,
    ) -> PyResult<PyNetwork> {
        let schema = &self.engine.plan().partner_schema;
        let rows = match crate::frames::table_rows(partners, schema, text_cells)? {
            Some(rows) => rows,
            None => {
                let list = routing::record_list(partners, "partners")?;
                let text = text_cells.unwrap_or(false);
                routing::read_rows(py, list.iter(), list.len(), schema, text)?
            }
        };
        let engine = self.engine.clone();
        let net = py.detach(|| {
            // the first bad row (in row order) is the error
            let records = rows.records(&engine.plan().partner_schema).into_records()?;
            Network::for_plan(engine.plan(), records).map_err(ErrorReport::from)
        });
        Ok(PyNetwork::new(self.engine.clone(), raise(py, net)?))
    }

    /// Evaluates the SLAs over one timeline (a mapping `{"lead", "events"}`) or a sequence of
    /// them at `now`. `done`: the action ids already executed (a list) or the `cursor` of the
    /// previous evaluation (an instant); `partner_calendars`: `{partner_id: calendar_name}` or
    /// `{partner_id: {field: calendar_name}}`. One timeline: returns its `SlaEvaluation`
    /// (`lead`, `slas`, `due`, `next_deadline`, `cursor`, `reroute`) or raises `DataError`
    /// naming the lead (`.record`) and the event (`.field`). A sequence: one `SlaResult` per
    /// timeline (`ok` or `error`). Evaluation runs without the GIL.
    #[pyo3(signature = (timelines, now, done = None, partner_calendars = None))]
    fn evaluate_sla<'py>(
        &self,
        py: Python<'py>,
        timelines: &Bound<'py, PyAny>,
        now: &Bound<'py, PyAny>,
        done: Option<&Bound<'py, PyAny>>,
        partner_calendars: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let single = timelines.cast::<PyMapping>().is_ok();
        let req = sla_request(py, timelines, now, done, partner_calendars, single)?;
        let answer = raise(py, py.detach(|| api::evaluate_sla(&self.sla, &req)))?;
        if single {
            return read_once(py, "SlaEvaluation", &raise(py, answer.single())?);
        }
        read_once(py, "SlaResult", &answer.results)
    }

    /// The next instant (ms since the epoch) at which the SLA evaluation of one timeline
    /// changes if no event is recorded, or `None` if no SLA is running; raises like
    /// `evaluate_sla`.
    #[pyo3(signature = (timeline, now, partner_calendars = None))]
    fn next_deadline(
        &self,
        py: Python<'_>,
        timeline: &Bound<'_, PyAny>,
        now: &Bound<'_, PyAny>,
        partner_calendars: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Option<EpochMs>> {
        let req = sla_request(py, timeline, now, None, partner_calendars, true)?;
        let answer = raise(py, py.detach(|| api::evaluate_sla(&self.sla, &req)))?;
        let outcome: SlaOutcome = raise(py, answer.single())?;
        Ok(outcome.evaluation.next_deadline)
    }

    /// The names of the ruleset's SLAs, in order.
    #[getter]
    fn slas(&self) -> Vec<String> {
        self.sla.policies().map(|p| p.name.clone()).collect()
    }

    fn __repr__(&self) -> String {
        let p = self.engine.plan();
        format!("<leadrail.Engine {:?} version {}>", p.name, p.version)
    }
}

/// An `SlaRequest` from the Python arguments: converted to JSON (a value without a JSON form
/// is a data error naming the lead, or the timeline's place, or `partner_calendars`, and the
/// key it is under), then read by core.
fn sla_request(
    py: Python<'_>,
    timelines: &Bound<'_, PyAny>,
    now: &Bound<'_, PyAny>,
    done: Option<&Bound<'_, PyAny>>,
    partner_calendars: Option<&Bound<'_, PyAny>>,
    single: bool,
) -> PyResult<SlaRequest> {
    let help = "pass `{\"lead\": \"L1\", \"events\": [{\"at\": \"2026-11-24T09:00:00Z\", \"event\": \"assigned\", \"partner\": \"P1\"}]}` or a list of them";
    let timelines = match single {
        true => vec![argument_json(timelines, "timeline", true)?],
        false => convert::timelines_json(timelines, "a mapping or a sequence of mappings", help)?,
    };
    let now = raise(py, convert::instant(now)?)?;
    let json =
        |x: Option<&Bound<'_, PyAny>>, what| x.map(|x| argument_json(x, what, false)).transpose();
    let done = json(done, "done")?;
    let partner_calendars = json(partner_calendars, "partner_calendars")?;
    raise(
        py,
        SlaRequest::from_host(timelines, now, done, partner_calendars),
    )
}
