//! `Engine` (a compiled ruleset) and `Network` (partners and their state): thin wrappers over
//! `leadrail_dsl::compile`, `leadrail_core::route::Engine` and `leadrail_core::network::Network`.

use std::sync::{Arc, RwLock};

use leadrail_core::api::{self as api, request_error, InstantJson, SlaRequest, SlaResult};
use leadrail_core::network::{Network, NetworkState};
use leadrail_core::pipeline::Busy;
use leadrail_core::record::Column;
use leadrail_core::report::ErrorReport;
use leadrail_core::route::{DecisionView, Engine, LeadBatch, RouteOptions, RoutedBatch};
use leadrail_core::sla::SlaSet;
use leadrail_core::value::Instant;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyMapping, PyString, PyTuple};

use crate::chunks;
use crate::convert::{json_to_py, report_to_py};
use crate::exceptions::from_report;
use crate::routing::{self, Now, Parsed, Texts};

/// A compiled ruleset. Immutable; share it freely across threads.
#[pyclass(name = "Engine", module = "leadrail", frozen)]
pub struct PyEngine {
    engine: Arc<Engine>,
    sla: Arc<SlaSet>,
    warnings: Vec<ErrorReport>,
}

/// The `files` argument of `Engine.compile`: a mapping of path to text.
fn files_arg(
    py: Python<'_>,
    obj: &Bound<'_, PyAny>,
) -> PyResult<std::collections::BTreeMap<String, String>> {
    let bad = |what: String| {
        raise(
            py,
            Err(request_error(
                what,
                "pass a mapping of each holiday file's path (as written in the rule text) to \
                 its text, e.g. `{\"de.txt\": \"2026-12-25 Christmas\"}`",
            )),
        )
    };
    let Ok(map) = obj.cast::<PyMapping>() else {
        return bad(format!(
            "`files` must be a mapping of path to text, not a `{}`",
            obj.get_type().name()?
        ));
    };
    let mut out = std::collections::BTreeMap::new();
    for item in map.items()?.iter() {
        let (k, v): (Bound<'_, PyAny>, Bound<'_, PyAny>) = item.extract()?;
        let (Ok(k), Ok(v)) = (k.extract::<String>(), v.extract::<String>()) else {
            return bad(format!(
                "`files` must map `str` paths to `str` texts; found a `{}` -> `{}` entry",
                k.get_type().name()?,
                v.get_type().name()?
            ));
        };
        out.insert(k, v);
    }
    Ok(out)
}

fn raise<T>(py: Python<'_>, r: Result<T, ErrorReport>) -> PyResult<T> {
    r.map_err(|e| from_report(py, e))
}

/// The routing options of a call: `explain`, and the partner ids of `exclude` (one id or an
/// iterable of ids).
fn route_options(explain: bool, exclude: Option<&Bound<'_, PyAny>>) -> PyResult<RouteOptions> {
    Ok(RouteOptions {
        explain,
        exclude: match exclude {
            Some(x) => exclude_list(x)?,
            None => Vec::new(),
        },
    })
}

fn exclude_list(exclude: &Bound<'_, PyAny>) -> PyResult<Vec<String>> {
    if let Ok(s) = exclude.cast::<PyString>() {
        return Ok(vec![s.to_str()?.to_owned()]);
    }
    let mut out = Vec::new();
    for item in exclude.try_iter()? {
        let item = item?;
        match item.cast::<PyString>() {
            Ok(s) => out.push(s.to_str()?.to_owned()),
            Err(_) => {
                return Err(from_report(
                    exclude.py(),
                    request_error(
                        "`exclude` must hold partner ids (text)".into(),
                        "pass e.g. `exclude=[\"P1\", \"P2\"]`",
                    ),
                ))
            }
        }
    }
    Ok(out)
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
        let text = std::fs::read_to_string(&path)?;
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => std::path::PathBuf::from("."),
        };
        PyEngine::compile(py, &text, &path.to_string_lossy(), None, Some(dir))
    }

    /// The warnings of the compilation, as plain dicts.
    #[getter]
    fn warnings<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let list = PyList::empty(py);
        for w in &self.warnings {
            list.append(report_to_py(py, w)?)?;
        }
        Ok(list)
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

    /// A partner network from any iterable of mappings; raises `DataError` naming the record
    /// and the field.
    fn network(&self, py: Python<'_>, partners: &Bound<'_, PyAny>) -> PyResult<PyNetwork> {
        let schema = &self.engine.plan().partner_schema;
        let parsed = routing::records_split(partners, schema, "partners")?;
        // the first bad row (in row order) is the error
        if let Some((_, e)) = parsed.bad.into_iter().next() {
            return Err(from_report(py, e));
        }
        let records = parsed.good;
        let engine = self.engine.clone();
        let net = py.detach(|| Network::for_plan(engine.plan(), records));
        let net = raise(py, net.map_err(ErrorReport::from))?;
        Ok(PyNetwork {
            engine: self.engine.clone(),
            net: RwLock::new(net),
            busy: Busy::default(),
        })
    }

    /// Evaluates the SLAs over one timeline (a mapping `{"lead", "events"}`) or a sequence of
    /// them at `now`. `done`: the action ids already executed (a list) or the `cursor` of the
    /// previous evaluation (an instant); `partner_calendars`: `{partner_id: calendar_name}` or
    /// `{partner_id: {field: calendar_name}}`. One timeline: returns its evaluation dict
    /// (`lead`, `slas`, `due`, `next_deadline`, `cursor`, `reroute`) or raises `DataError`
    /// naming the lead (`.record`) and the event (`.field`). A sequence: one dict per timeline,
    /// `{"ok": evaluation}` or `{"error": report}`. Evaluation runs without the GIL.
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
        let set = self.sla.clone();
        let answer = raise(py, py.detach(|| api::evaluate_sla(&set, &req)))?;
        if single {
            return match answer.results.into_iter().next() {
                Some(SlaResult::Ok(o)) => json_to_py(py, &to_json(py, serde_json::to_value(&o))?),
                Some(SlaResult::Error(e)) => Err(from_report(py, e)),
                None => Err(from_report(
                    py,
                    request_error("no result".into(), "report this as a bug"),
                )),
            };
        }
        json_to_py(py, &to_json(py, serde_json::to_value(&answer.results))?)
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
    ) -> PyResult<Option<Instant>> {
        let req = sla_request(py, timeline, now, None, partner_calendars, true)?;
        let set = self.sla.clone();
        let answer = raise(py, py.detach(|| api::evaluate_sla(&set, &req)))?;
        match answer.results.into_iter().next() {
            Some(SlaResult::Ok(o)) => Ok(o.evaluation.next_deadline),
            Some(SlaResult::Error(e)) => Err(from_report(py, e)),
            None => Err(from_report(
                py,
                request_error("no result".into(), "report this as a bug"),
            )),
        }
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

/// Partners and their routing state, bound to the engine that built it.
#[pyclass(name = "Network", module = "leadrail", frozen)]
pub struct PyNetwork {
    engine: Arc<Engine>,
    net: RwLock<Network>,
    /// Marked while this network routes a chunked batch (see [`Busy`]).
    busy: Busy,
}

fn poisoned(py: Python<'_>) -> PyErr {
    from_report(
        py,
        request_error(
            "the network is unusable after a failure in another thread".into(),
            "build a new network",
        ),
    )
}

impl PyNetwork {
    /// Routes parsed leads in order, applying each assignment; bad leads get their own error.
    fn route_records(
        &self,
        py: Python<'_>,
        parsed: Parsed,
        now: Now,
        opts: &RouteOptions,
    ) -> PyResult<Routed> {
        let Parsed { rows, good, bad } = parsed;
        self.route_prepared(py, rows, now, opts, move |e| (e.prepare_leads(good), bad))
    }

    /// Routes a batch of `rows` leads in order without the GIL, applying each assignment:
    /// `prepare` readies the good leads and reports the rows (ascending) of the bad ones.
    fn route_prepared(
        &self,
        py: Python<'_>,
        rows: usize,
        now: Now,
        opts: &RouteOptions,
        prepare: impl FnOnce(&Engine) -> (LeadBatch, Vec<(usize, ErrorReport)>) + Send,
    ) -> PyResult<Routed> {
        if let Now::Each(ts) = &now {
            if ts.len() != rows {
                return raise(
                    py,
                    Err(request_error(
                        format!("{rows} leads but {} instants", ts.len()),
                        "give one `now` for all leads or one per lead",
                    )),
                );
            }
        }
        raise(py, self.busy.check(chunks::HOST_CODE))?;
        let engine = &self.engine;
        let net = &self.net;
        py.detach(|| {
            let (batch, bad) = prepare(engine);
            let decisions = {
                let Ok(mut n) = net.write() else {
                    return Err(());
                };
                chunks::route_good(engine, &mut n, &batch, &bad, &now, opts)
            };
            Ok(Routed {
                rows,
                decisions,
                bad,
            })
        })
        .map_err(|()| poisoned(py))
    }

    /// `route_batch` in one piece on this thread (routing without the GIL).
    fn route_batch_whole<'py>(
        &self,
        py: Python<'py>,
        leads: &Bound<'py, PyAny>,
        now: &Bound<'py, PyAny>,
        explain: bool,
        exclude: Option<&Bound<'py, PyAny>>,
        as_columns: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let parsed = routing::records_split(leads, &self.engine.plan().lead_schema, "leads")?;
        let now = raise(py, routing::now_arg(now)?)?;
        let opts = route_options(explain, exclude)?;
        let results = self.route_records(py, parsed, now, &opts)?;
        routing::without_gc(py, || {
            let mut sink = Sink::new(as_columns, results.rows);
            sink.push(py, &results)?;
            sink.finish(py)
        })
    }

    /// `route_columns` in one piece on this thread (routing without the GIL).
    fn route_columns_whole<'py>(
        &self,
        py: Python<'py>,
        columns: &Bound<'py, PyAny>,
        now: &Bound<'py, PyAny>,
        exclude: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let Ok(map) = columns.cast::<PyMapping>() else {
            return raise(
                py,
                Err(request_error(
                    "`columns` must be a mapping of field names to sequences".into(),
                    "pass e.g. `{\"id\": [...], \"region\": [...]}` or a dict of numpy arrays",
                )),
            );
        };
        let schema = &self.engine.plan().lead_schema;
        let Some(ids) = get_column(map, "id")? else {
            return raise(
                py,
                Err(request_error(
                    "`columns` has no `id` column".into(),
                    "add the lead ids as the column `id`",
                )),
            );
        };
        let ids = raise(py, routing::column(&ids, "id")?)?;
        let rows = ids.len();
        let mut cols: Vec<(String, Column)> = Vec::new();
        for f in &schema.fields {
            if let Some(c) = get_column(map, &f.name)? {
                let c = raise(py, routing::column(&c, &f.name)?)?;
                raise(py, c.check_len(&f.name, rows))?;
                cols.push((f.name.clone(), c));
            }
        }
        let now = raise(py, routing::now_arg(now)?)?;
        let opts = route_options(false, exclude)?;
        let results = self.route_prepared(py, rows, now, &opts, |e| {
            e.prepare_columns_at(0, rows, &ids, &cols)
        })?;
        let mut out = routing::ColumnsOut::with_capacity(results.rows);
        for r in results.iter() {
            out.push(py, r)?;
        }
        out.finish(py)
    }

    /// The arguments of a chunked batch of `rows` leads, or `None` when the batch is small or
    /// an argument is wrong (the one-piece path then raises exactly as it always has).
    fn chunked_args<'py>(
        &self,
        rows: usize,
        now: &Bound<'py, PyAny>,
        explain: bool,
        exclude: Option<&Bound<'py, PyAny>>,
    ) -> Option<(chunks::ChunkNow<'py>, RouteOptions)> {
        if rows < chunks::MIN_LEADS || self.net.is_poisoned() {
            return None;
        }
        let now = chunks::ChunkNow::new(now, rows)?;
        let exclude = match exclude {
            Some(x) => exclude_list(x).ok()?,
            None => Vec::new(),
        };
        Some((now, RouteOptions { explain, exclude }))
    }

    /// `route_batch` in chunks for a big list of leads; `None` for the one-piece path.
    fn route_batch_chunked<'py>(
        &self,
        py: Python<'py>,
        leads: &Bound<'py, PyAny>,
        now: &Bound<'py, PyAny>,
        explain: bool,
        exclude: Option<&Bound<'py, PyAny>>,
        as_columns: bool,
    ) -> PyResult<Option<Bound<'py, PyAny>>> {
        let Ok(list) = leads.cast::<PyList>() else {
            return Ok(None);
        };
        let n = list.len();
        let Some((now, opts)) = self.chunked_args(n, now, explain, exclude) else {
            return Ok(None);
        };
        let schema = &self.engine.plan().lead_schema;
        let mut sink = Sink::new(as_columns, n);
        // The collector stays paused for the whole batch, waits included: paused only while a
        // chunk's results are converted, the first collection after each chunk walks every
        // result dict made so far (+8% instructions on W1). Other threads that run during the
        // waits only have their collections deferred to the end of the batch.
        let run = routing::without_gc(py, || {
            Ok(chunks::route(
                py,
                &self.engine,
                &self.net,
                &self.busy,
                n,
                &now,
                &opts,
                |a, b| {
                    let chunk = match routing::records_read(&list.get_slice(a, b), schema, "leads")?
                    {
                        // (parsed into records on the routing thread)
                        routing::Read::Columns { rows, ids, cols } => chunks::Chunk::Columns {
                            rows,
                            ids,
                            cols: schema
                                .fields
                                .iter()
                                .map(|f| f.name.clone())
                                .zip(cols)
                                .collect(),
                        },
                        routing::Read::Parsed(p) => chunks::Chunk::Parsed(p),
                    };
                    if chunk.rows() != b - a {
                        // the list changed while the GIL was released: read it again, whole
                        return Err(chunks::Stop::Serial);
                    }
                    Ok(chunk)
                },
                |routed| sink.push(py, routed),
            ))
        })?;
        match run {
            Ok(()) => Ok(Some(sink.finish(py)?)),
            Err(stop) => self.stopped(py, stop).map(|()| None),
        }
    }

    /// `route_columns` in chunks for big columns given as lists, tuples or objects with
    /// `tolist()` (numpy arrays, pandas Series); `None` for the one-piece path.
    fn route_columns_chunked<'py>(
        &self,
        py: Python<'py>,
        columns: &Bound<'py, PyAny>,
        now: &Bound<'py, PyAny>,
        exclude: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Option<Bound<'py, PyDict>>> {
        let Ok(map) = columns.cast::<PyMapping>() else {
            return Ok(None);
        };
        let schema = &self.engine.plan().lead_schema;
        // the columns as lists (anything unusual, or a Python error, goes the one-piece way)
        let as_list = |name: &str| -> Option<Bound<'py, PyList>> {
            let obj = get_column(map, name).ok()??;
            if let Ok(l) = obj.cast::<PyList>() {
                return Some(l.clone());
            }
            if let Ok(t) = obj.cast::<PyTuple>() {
                return Some(t.to_list());
            }
            if obj.is_instance_of::<PyString>() || obj.cast::<PyMapping>().is_ok() {
                return None;
            }
            if !obj.hasattr("tolist").ok()? {
                return None;
            }
            obj.call_method0("tolist").ok()?.cast_into::<PyList>().ok()
        };
        let Some(ids) = as_list("id") else {
            return Ok(None);
        };
        let n = ids.len();
        let mut cols: Vec<(&str, Bound<'py, PyList>)> = Vec::new();
        for f in &schema.fields {
            if !map.contains(f.name.as_str()).unwrap_or(false) {
                continue;
            }
            match as_list(&f.name) {
                Some(l) if l.len() == n => cols.push((f.name.as_str(), l)),
                _ => return Ok(None),
            }
        }
        let Some((now, opts)) = self.chunked_args(n, now, false, exclude) else {
            return Ok(None);
        };
        let mut out = routing::ColumnsOut::with_capacity(n);
        let run = chunks::route(
            py,
            &self.engine,
            &self.net,
            &self.busy,
            n,
            &now,
            &opts,
            |a, b| {
                // a value no column can hold: the one-piece path raises its error
                // (or a list that changed while the GIL was released: read again, whole)
                let column = |l: &Bound<'py, PyList>, name: &str| match routing::column(
                    &l.get_slice(a, b),
                    name,
                )? {
                    Ok(c) if c.len() == b - a => Ok(c),
                    _ => Err(chunks::Stop::Serial),
                };
                let ids = column(&ids, "id")?;
                let cols = cols
                    .iter()
                    .map(|(name, l)| Ok(((*name).to_owned(), column(l, name)?)))
                    .collect::<Result<Vec<_>, chunks::Stop>>()?;
                // (parsed into records on the routing thread)
                Ok(chunks::Chunk::Columns {
                    rows: b - a,
                    ids,
                    cols,
                })
            },
            |routed| routed.iter().try_for_each(|r| out.push(py, r)),
        );
        match run {
            Ok(()) => Ok(Some(out.finish(py)?)),
            Err(stop) => self.stopped(py, stop).map(|()| None),
        }
    }

    /// The error a chunked batch stopped with (the state is as before the batch), or `Ok` when
    /// the batch is to be routed in one piece.
    fn stopped(&self, py: Python<'_>, stop: chunks::Stop) -> PyResult<()> {
        match stop {
            chunks::Stop::Py(e) => Err(e),
            chunks::Stop::Poisoned => Err(poisoned(py)),
            chunks::Stop::Panicked(p) => Err(from_report(
                py,
                request_error(p.to_string(), "report this as a bug in leadrail"),
            )),
            chunks::Stop::Serial => Ok(()),
        }
    }
}

/// A routed batch: the compact results of the good leads in order, the bad leads' errors apart.
pub(crate) struct Routed {
    pub(crate) rows: usize,
    pub(crate) decisions: RoutedBatch,
    pub(crate) bad: Vec<(usize, ErrorReport)>,
}

impl Routed {
    /// Each lead's result, in lead order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = Result<DecisionView<'_>, &ErrorReport>> + '_ {
        let mut bad = self.bad.iter().peekable();
        let mut decisions = self.decisions.views();
        (0..self.rows).map(move |i| match bad.next_if(|(b, _)| *b == i) {
            Some((_, e)) => Err(e),
            None => match decisions.next() {
                Some(r) => r,
                None => Err(&*NOT_ROUTED),
            },
        })
    }
}

/// Where a batch's results go: one dict per lead, or the columns of `route_columns`.
enum Sink<'py> {
    Dicts(Vec<Bound<'py, PyDict>>, Texts),
    Columns(routing::ColumnsOut<'py>),
}

impl<'py> Sink<'py> {
    fn new(as_columns: bool, n: usize) -> Sink<'py> {
        if as_columns {
            Sink::Columns(routing::ColumnsOut::with_capacity(n))
        } else {
            Sink::Dicts(Vec::with_capacity(n), Texts::default())
        }
    }

    /// Appends the results of a routed batch (or chunk), in lead order.
    fn push(&mut self, py: Python<'py>, routed: &Routed) -> PyResult<()> {
        match self {
            Sink::Dicts(items, texts) => {
                for r in routed.iter() {
                    items.push(routing::result(py, r, texts)?);
                }
            }
            Sink::Columns(out) => {
                for r in routed.iter() {
                    out.push(py, r)?;
                }
            }
        }
        Ok(())
    }

    fn finish(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        match self {
            Sink::Dicts(items, _) => Ok(PyList::new(py, items)?.into_any()),
            Sink::Columns(out) => Ok(out.finish(py)?.into_any()),
        }
    }
}

/// The error of a lead core returned no result for (an internal inconsistency, reported
/// rather than a panic).
static NOT_ROUTED: std::sync::LazyLock<ErrorReport> = std::sync::LazyLock::new(|| {
    request_error("a lead was not routed".into(), "report this as a bug")
});

#[pymethods]
impl PyNetwork {
    /// Routes one lead at `now` without changing any state; returns the decision as a dict.
    #[pyo3(signature = (lead, now, explain = false, exclude = None))]
    fn route<'py>(
        &self,
        py: Python<'py>,
        lead: &Bound<'py, PyAny>,
        now: &Bound<'py, PyAny>,
        explain: bool,
        exclude: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let schema = &self.engine.plan().lead_schema;
        let rec = routing::records_by_columns(py, std::slice::from_ref(lead), schema)?
            .pop()
            .unwrap_or_else(|| {
                Err(request_error(
                    "the lead was not read".into(),
                    "report this as a bug",
                ))
            });
        let rec = raise(py, rec)?;
        let now = raise(py, routing::instant(now)?)?;
        let opts = route_options(explain, exclude)?;
        raise(py, self.busy.check(chunks::HOST_CODE))?;
        let d = py.detach(|| {
            let net = self.net.read().map_err(|_| None)?;
            self.engine
                .route(&net, &rec, now, &opts)
                .map_err(|e| Some(ErrorReport::from(e)))
        });
        match d {
            Ok(d) => routing::decision(py, d.view(), &mut Texts::default()),
            Err(Some(e)) => Err(from_report(py, e)),
            Err(None) => Err(poisoned(py)),
        }
    }

    /// Routes leads in order (any iterable of mappings), applying each assignment to the
    /// partners' state; `now` is one instant or one per lead. Returns one dict per lead:
    /// `{"ok": decision}` or `{"error": report}` (a bad lead changes no state). Routing runs
    /// without the GIL; big batches are routed in chunks on a second thread while this one
    /// converts (same results, errors and state as in one piece).
    ///
    /// With `as_columns=True` the results come as the columns of `route_columns` (`kind`,
    /// `target`, `rule`, `error`) rather than one dict per lead: the same decisions, for a
    /// fraction of the cost of building four dicts per lead (no explanations in that form).
    #[pyo3(signature = (leads, now, explain = false, exclude = None, *, as_columns = false))]
    fn route_batch<'py>(
        &self,
        py: Python<'py>,
        leads: &Bound<'py, PyAny>,
        now: &Bound<'py, PyAny>,
        explain: bool,
        exclude: Option<&Bound<'py, PyAny>>,
        as_columns: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        if explain && as_columns {
            return raise(
                py,
                Err(request_error(
                    "`explain` needs one dict per lead, not `as_columns`".into(),
                    "drop `as_columns=True` to read explanations",
                )),
            );
        }
        // any other iterable is read into a list first, as `records_split` does
        let rows = if leads.is_instance_of::<PyList>()
            || leads.is_instance_of::<PyString>()
            || leads.cast::<PyMapping>().is_ok()
        {
            leads.clone()
        } else {
            match leads.try_iter() {
                Ok(it) => PyList::new(py, it.collect::<PyResult<Vec<_>>>()?)?.into_any(),
                Err(_) => leads.clone(),
            }
        };
        if let Some(out) = self.route_batch_chunked(py, &rows, now, explain, exclude, as_columns)? {
            return Ok(out);
        }
        self.route_batch_whole(py, &rows, now, explain, exclude, as_columns)
    }

    /// Routes leads given as columns: a mapping of field name (and `id`) to a sequence of
    /// values (lists, tuples, numpy arrays, pandas Series), all of one length. Same semantics
    /// as `route_batch`; returns columns too: `kind` (`partner`/`queue`/`unrouted`, or None for
    /// an error), `target` (partner id or queue name), `rule`, `error` (a report or None).
    #[pyo3(signature = (columns, now, exclude = None))]
    fn route_columns<'py>(
        &self,
        py: Python<'py>,
        columns: &Bound<'py, PyAny>,
        now: &Bound<'py, PyAny>,
        exclude: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyDict>> {
        if let Some(out) = self.route_columns_chunked(py, columns, now, exclude)? {
            return Ok(out);
        }
        self.route_columns_whole(py, columns, now, exclude)
    }
    /// The partners' routing state: `{"seq": int, "partners": [{"id", "active_leads",
    /// "last_assigned_at", "last_seq", "assigned", "version"}, ...]}` (ids ascending).
    fn state<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        // (locks are waited for without the GIL: a chunked batch in another thread holds the
        // write lock while it converts with the GIL)
        raise(py, self.busy.check(chunks::HOST_CODE))?;
        let st = py
            .detach(|| self.net.read().map(|n| n.export_state()).map_err(|_| ()))
            .map_err(|()| poisoned(py))?;
        let json = serde_json::to_value(&st)
            .map_err(|e| crate::exceptions::LeadrailError::new_err(e.to_string()))?;
        json_to_py(py, &json)
    }

    /// Loads a state exported by `state()` (e.g. from the host's database).
    fn load_state(&self, py: Python<'_>, state: &Bound<'_, PyAny>) -> PyResult<()> {
        let json = match routing::py_to_json(state)? {
            Ok(j) => j,
            Err(_) => {
                return raise(
                    py,
                    Err(request_error(
                        "`state` must be a mapping as returned by `state()`".into(),
                        "pass the dict that `Network.state()` returned",
                    )),
                )
            }
        };
        let st: NetworkState = raise(
            py,
            serde_json::from_value(json).map_err(|e| {
                request_error(
                    format!("the state is not valid: {e}"),
                    "pass the dict that `Network.state()` returned",
                )
            }),
        )?;
        raise(py, self.busy.check(chunks::HOST_CODE))?;
        let done = py.detach(|| {
            let mut net = self.net.write().map_err(|_| None)?;
            net.import_state(&st)
                .map_err(|e| Some(ErrorReport::from(e)))
        });
        match done {
            Ok(()) => Ok(()),
            Err(Some(e)) => Err(from_report(py, e)),
            Err(None) => Err(poisoned(py)),
        }
    }

    /// The number of partners.
    fn __len__(&self, py: Python<'_>) -> PyResult<usize> {
        raise(py, self.busy.check(chunks::HOST_CODE))?;
        py.detach(|| self.net.read().map(|n| n.len()).map_err(|_| ()))
            .map_err(|()| poisoned(py))
    }
}

fn to_json(
    py: Python<'_>,
    x: serde_json::Result<serde_json::Value>,
) -> PyResult<serde_json::Value> {
    x.map_err(|e| {
        from_report(
            py,
            request_error(
                format!("cannot convert the answer: {e}"),
                "report this as a bug",
            ),
        )
    })
}

fn json_arg(
    py: Python<'_>,
    obj: &Bound<'_, PyAny>,
    what: &str,
    help: &str,
) -> PyResult<serde_json::Value> {
    match routing::py_to_json(obj)? {
        Ok(j) => Ok(j),
        Err(_) => Err(from_report(
            py,
            request_error(format!("`{what}` holds a value with no JSON form"), help),
        )),
    }
}

/// An `SlaRequest` from the Python arguments (conversion only; core checks the shapes).
fn sla_request(
    py: Python<'_>,
    timelines: &Bound<'_, PyAny>,
    now: &Bound<'_, PyAny>,
    done: Option<&Bound<'_, PyAny>>,
    partner_calendars: Option<&Bound<'_, PyAny>>,
    single: bool,
) -> PyResult<SlaRequest> {
    let timeline_help = "pass `{\"lead\": \"L1\", \"events\": [{\"at\": \"2026-11-24T09:00:00Z\", \"event\": \"assigned\", \"partner\": \"P1\"}]}` or a list of them";
    let timelines = if single {
        vec![json_arg(py, timelines, "timeline", timeline_help)?]
    } else if timelines.cast::<PyString>().is_ok() {
        return Err(from_report(
            py,
            request_error(
                "`timelines` must be a mapping or a sequence of mappings, not a `str`".into(),
                timeline_help,
            ),
        ));
    } else {
        let mut out = Vec::new();
        let iter = timelines.try_iter().map_err(|_| {
            from_report(
                py,
                request_error(
                    "`timelines` must be a mapping or a sequence of mappings".into(),
                    timeline_help,
                ),
            )
        })?;
        for t in iter {
            out.push(json_arg(py, &t?, "timelines", timeline_help)?);
        }
        out
    };
    let now = raise(py, routing::instant(now)?)?;
    let done = match done {
        None => None,
        Some(d) if d.is_none() => None,
        Some(d)
            if d.is_instance_of::<pyo3::types::PyList>()
                || d.is_instance_of::<pyo3::types::PyTuple>()
                || d.is_instance_of::<pyo3::types::PySet>()
                || d.is_instance_of::<pyo3::types::PyFrozenSet>() =>
        {
            let mut ids = Vec::new();
            for id in d.try_iter()? {
                let id = id?;
                match id.cast::<PyString>() {
                    Ok(s) => ids.push(s.to_str()?.to_owned()),
                    Err(_) => return Err(from_report(
                        py,
                        request_error(
                            "`done` must list action ids (text)".into(),
                            "pass the `id`s of the due actions executed, or the previous `cursor`",
                        ),
                    )),
                }
            }
            Some(api::DoneJson::Ids(ids))
        }
        Some(d) => Some(api::DoneJson::Cursor(InstantJson::Millis(raise(
            py,
            routing::instant(d)?,
        )?))),
    };
    let partner_calendars = match partner_calendars {
        None => Default::default(),
        Some(p) if p.is_none() => Default::default(),
        Some(p) => {
            let help =
                "pass `{\"P1\": \"us-central\"}` or `{\"P1\": {\"calendar\": \"us-central\"}}`";
            let j = json_arg(py, p, "partner_calendars", help)?;
            raise(
                py,
                serde_json::from_value(j).map_err(|e| {
                    request_error(format!("`partner_calendars` is not valid: {e}"), help)
                }),
            )?
        }
    };
    Ok(SlaRequest {
        timelines,
        now: InstantJson::Millis(now),
        done,
        partner_calendars,
    })
}

fn get_column<'py>(map: &Bound<'py, PyMapping>, name: &str) -> PyResult<Option<Bound<'py, PyAny>>> {
    match map.get_item(name) {
        Ok(v) => Ok(Some(v)),
        Err(e) if e.is_instance_of::<pyo3::exceptions::PyKeyError>(map.py()) => Ok(None),
        Err(e) => Err(e),
    }
}
