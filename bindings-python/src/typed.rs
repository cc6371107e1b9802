//! Typed results read lazily: `RouteResults` (a batch, kept in core's compact form),
//! `RouteResult`, `Decision`, `Outcome` and `StateRead`, with attributes converted on access and
//! `to_dict()` giving the wire form (core's serde JSON). The results read once, whole (reports,
//! explanations, SLA evaluations), are `leadrail._results`' classes, made from the wire form
//! ([`read_once`]). No decisions are taken here.
//!
//! A batch call creates no Python object per lead: its [`Results`] stay in Rust (in an `Arc`
//! shared by every object read from them); a lead's decision is expanded (once, for the whole
//! batch, as core's [`Results::decisions`]) when the batch is first indexed or iterated.

use std::sync::{Arc, OnceLock};

use leadrail_core::host::{ResultArrays, Results, RowKind};
use leadrail_core::report::ErrorReport;
use leadrail_core::route::{Decision, Outcome, PartnerStateRead};
use pyo3::exceptions::{PyIndexError, PyTypeError};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyList, PySlice, PyString};
use rustc_hash::FxHashMap;

use crate::convert::{package_module, wire};
use crate::exceptions::LeadrailError;

/// A dict of the items given, in their order (keys interned).
macro_rules! dict {
    ($py:ident, [$(($k:literal, $v:expr)),* $(,)?]) => {{
        let d = PyDict::new($py);
        $( d.set_item(intern!($py, $k), $v)?; )*
        d
    }};
}

/// The Python strings of the texts of many results (partner ids, queue and rule names), one
/// per distinct text (the results' texts outlive it).
#[derive(Default)]
pub(crate) struct Texts<'py>(FxHashMap<*const u8, Bound<'py, PyString>>);

impl<'py> Texts<'py> {
    fn get(&mut self, py: Python<'py>, s: &Arc<str>) -> Bound<'py, PyAny> {
        let t = self.0.entry(s.as_ptr());
        t.or_insert_with(|| PyString::new(py, s)).clone().into_any()
    }
}

/// A decision in the wire form, its keys in the order `route` always gave them (core's
/// declaration order; the explanation as [`wire`] gives it).
fn decision_dict<'py>(
    py: Python<'py>,
    d: &Decision,
    texts: &mut Texts<'py>,
) -> PyResult<Bound<'py, PyAny>> {
    let state_read = d.state_read.as_ref().map(|s| state_dict(py, s, texts));
    let out = dict!(
        py,
        [
            ("outcome", outcome_dict(py, &d.outcome, texts)?),
            ("rule", d.rule.as_ref().map(|r| texts.get(py, r))),
            ("state_read", state_read.transpose()?)
        ]
    );
    if let Some(e) = &d.explanation {
        out.set_item(intern!(py, "explanation"), wire(py, e)?)?;
    }
    Ok(out.into_any())
}

fn outcome_dict<'py>(
    py: Python<'py>,
    o: &Outcome,
    texts: &mut Texts<'py>,
) -> PyResult<Bound<'py, PyAny>> {
    let (kind, key, text) = match o {
        Outcome::Partner { id } => (intern!(py, "partner"), intern!(py, "id"), Some(id)),
        Outcome::Queue { name } => (intern!(py, "queue"), intern!(py, "name"), Some(name)),
        Outcome::Unrouted => (intern!(py, "unrouted"), intern!(py, "id"), None),
    };
    let d = dict!(py, [("kind", kind)]);
    if let Some(t) = text {
        d.set_item(key, texts.get(py, t))?;
    }
    Ok(d.into_any())
}

fn state_dict<'py>(
    py: Python<'py>,
    s: &PartnerStateRead,
    texts: &mut Texts<'py>,
) -> PyResult<Bound<'py, PyAny>> {
    let d = dict!(
        py,
        [
            ("partner", texts.get(py, &s.partner)),
            ("version", s.version),
            ("active_leads", s.active_leads),
            ("last_assigned_at", s.last_assigned_at)
        ]
    );
    Ok(d.into_any())
}

/// `{"ok": decision}` or `{"error": report}`.
fn result_dict<'py>(
    py: Python<'py>,
    r: Result<&Decision, &ErrorReport>,
    texts: &mut Texts<'py>,
) -> PyResult<Bound<'py, PyAny>> {
    Ok(match r {
        Ok(d) => dict!(py, [("ok", decision_dict(py, d, texts)?)]),
        Err(e) => dict!(py, [("error", wire(py, e)?)]),
    }
    .into_any())
}

static RESULTS: PyOnceLock<Py<PyModule>> = PyOnceLock::new();

/// An object of `leadrail._results`' class `class` (a result read once, whole: a report, an
/// explanation, an SLA evaluation), or a list of them (`x` a sequence), from `x`'s wire form
/// given as JSON text (which Python parses at C speed, and reads from when asked).
pub(crate) fn read_once<'py>(
    py: Python<'py>,
    class: &str,
    x: &impl serde::Serialize,
) -> PyResult<Bound<'py, PyAny>> {
    let m = package_module(py, &RESULTS, "leadrail._results")?;
    let json = serde_json::to_string(x).map_err(|e| LeadrailError::new_err(e.to_string()))?;
    m.getattr(class)?
        .call_method1(intern!(py, "_json"), (json,))
}

/// A class holding a core value (cloned: these are small, or rare, or both), with getters that
/// convert a field on access, `to_dict()` (the wire form) and `__repr__` (the class name and
/// that form as JSON), and equality by value.
macro_rules! typed {
    (
        $(#[$doc:meta])*
        $Py:ident = $name:literal ($T:ty) to_dict($dpy:ident, $dx:ident) => $dict:expr; {
            $( $(#[$fdoc:meta])* $field:ident($py:ident, $x:ident) $body:expr; )*
        }
    ) => {
        $(#[$doc])*
        #[pyclass(name = $name, module = "leadrail", frozen, eq)]
        #[derive(PartialEq)]
        pub struct $Py(pub(crate) $T);

        #[pymethods]
        impl $Py {
            $(
                $(#[$fdoc])*
                #[getter]
                fn $field<'py>(&self, $py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
                    let $x = &self.0;
                    $body
                }
            )*

            /// This value in the wire form: plain dicts, lists and scalars, as JSON would
            /// hold them.
            fn to_dict<'py>(&self, $dpy: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
                let $dx = &self.0;
                $dict
            }

            fn __repr__(&self) -> String {
                let json = serde_json::to_string(&self.0).unwrap_or_default();
                format!("<leadrail.{} {}>", $name, json)
            }
        }
    };
}

/// Plain values of a field, converted as the wire form has them.
macro_rules! plain {
    ($py:ident, $v:expr) => {
        pyo3::IntoPyObjectExt::into_bound_py_any($v, $py)
    };
}

typed! {
    /// Where a lead goes: `kind` (`partner`, `queue`, `unrouted`), with the partner's `id` or
    /// the queue's `name`.
    PyOutcome = "Outcome" (Outcome) to_dict(py, x) => outcome_dict(py, x, &mut Texts::default()); {
        /// `partner`, `queue` or `unrouted`.
        kind(py, x) plain!(py, match x {
            Outcome::Partner { .. } => "partner",
            Outcome::Queue { .. } => "queue",
            Outcome::Unrouted => "unrouted",
        });
        /// The partner id (a `partner` outcome), else None.
        id(py, x) plain!(py, match x {
            Outcome::Partner { id } => Some(&**id),
            _ => None,
        });
        /// The queue name (a `queue` outcome), else None.
        name(py, x) plain!(py, match x {
            Outcome::Queue { name } => Some(&**name),
            _ => None,
        });
    }
}

typed! {
    /// The chosen partner's state as the decision read it (for a compare-and-set).
    PyStateRead = "StateRead" (PartnerStateRead) to_dict(py, x) => state_dict(py, x, &mut Texts::default()); {
        /// The partner id.
        partner(py, x) plain!(py, &*x.partner);
        /// Its state version when it was chosen.
        version(py, x) plain!(py, x.version);
        /// Its active leads when it was chosen.
        active_leads(py, x) plain!(py, x.active_leads);
        /// Its last assignment instant (ms since the epoch) when it was chosen, or None.
        last_assigned_at(py, x) plain!(py, x.last_assigned_at);
    }
}

typed! {
    /// The routing decision for one lead.
    PyDecision = "Decision" (Decision) to_dict(py, x) => decision_dict(py, x, &mut Texts::default()); {
        /// Where the lead goes.
        outcome(py, x) Ok(Bound::new(py, PyOutcome(x.outcome.clone()))?.into_any());
        /// The rule that decided (its name), or `fallback`.
        rule(py, x) plain!(py, x.rule.as_deref());
        /// The chosen partner's state as read (a partner outcome), else None.
        state_read(py, x) plain!(py, x.state_read.clone().map(PyStateRead));
        /// Why (when asked for with `explain=True`), else None.
        explanation(py, x) match &x.explanation {
            Some(e) => read_once(py, "Explanation", e),
            None => Ok(py.None().into_bound(py)),
        };
    }
}

/// A batch's results, shared by every object read from them.
struct Batch {
    /// Core's compact results, one per chunk, in row order.
    chunks: Vec<Results>,
    len: usize,
    /// Every row's decision or error, expanded on first use.
    expanded: OnceLock<Vec<Result<Decision, ErrorReport>>>,
}

impl Batch {
    fn expanded(&self, py: Python<'_>) -> &[Result<Decision, ErrorReport>] {
        if let Some(v) = self.expanded.get() {
            return v;
        }
        // expanded without the GIL (a big batch takes milliseconds); no Python code runs in it
        let v = py.detach(|| self.chunks.iter().flat_map(Results::decisions).collect());
        self.expanded.get_or_init(|| v)
    }
}

/// The results of `route_batch` and `route_columns`: a sequence of [`PyRouteResult`], one per
/// lead in order, kept in core's compact form (each item made when read).
#[pyclass(name = "RouteResults", module = "leadrail", frozen, sequence)]
pub struct PyRouteResults {
    batch: Arc<Batch>,
}

impl PyRouteResults {
    /// The results of a batch routed in `chunks` (core's results, in row order).
    pub(crate) fn new(chunks: Vec<Results>) -> PyRouteResults {
        let len = chunks.iter().map(|r| r.len()).sum();
        PyRouteResults {
            batch: Arc::new(Batch {
                chunks,
                len,
                expanded: OnceLock::new(),
            }),
        }
    }

    fn item(&self, row: usize) -> PyRouteResult {
        item(&self.batch, row)
    }

    /// The columns form: `kind`, `target`, `rule`, `error`, one list each.
    pub(crate) fn columns_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let mut out = Columns::new(py, self.batch.len);
        for results in &self.batch.chunks {
            out.push(results.to_arrays())?;
        }
        out.finish()
    }
}

/// The columns form of results (`kind`, `target`, `rule`, `error`), built chunk by chunk
/// (with one Python string per distinct text: the results' texts outlive it).
pub(crate) struct Columns<'py> {
    py: Python<'py>,
    texts: Texts<'py>,
    cols: [Vec<Bound<'py, PyAny>>; 4],
}

impl<'py> Columns<'py> {
    pub(crate) fn new(py: Python<'py>, n: usize) -> Columns<'py> {
        let cols = std::array::from_fn(|_| Vec::with_capacity(n));
        Columns {
            py,
            texts: Texts::default(),
            cols,
        }
    }

    /// Appends the results of the next rows, as core's arrays.
    pub(crate) fn push(&mut self, a: ResultArrays) -> PyResult<()> {
        let py = self.py;
        let texts: Vec<_> = a.texts.iter().map(|t| self.texts.get(py, t)).collect();
        let none = py.None().into_bound(py);
        let text = |i: &u32| texts.get(*i as usize).unwrap_or(&none).clone();
        let mut errors = a.errors.iter();
        let rows = a.kinds.iter().zip(&a.target).zip(&a.rule);
        for ((kind, target), rule) in rows {
            let kind = match *kind {
                k if k == RowKind::Partner as u8 => intern!(py, "partner"),
                k if k == RowKind::Queue as u8 => intern!(py, "queue"),
                k if k == RowKind::Unrouted as u8 => intern!(py, "unrouted"),
                _ => {
                    let e = match errors.next() {
                        Some((_, e)) => wire(py, e)?,
                        None => none.clone(),
                    };
                    let row = [none.clone(), none.clone(), none.clone(), e];
                    self.cols.iter_mut().zip(row).for_each(|(c, x)| c.push(x));
                    continue;
                }
            };
            let row = [
                kind.clone().into_any(),
                text(target),
                text(rule),
                none.clone(),
            ];
            self.cols.iter_mut().zip(row).for_each(|(c, x)| c.push(x));
        }
        Ok(())
    }

    pub(crate) fn finish(self) -> PyResult<Bound<'py, PyDict>> {
        let (py, [kind, target, rule, error]) = (self.py, self.cols);
        Ok(dict!(
            py,
            [
                ("kind", PyList::new(py, kind)?),
                ("target", PyList::new(py, target)?),
                ("rule", PyList::new(py, rule)?),
                ("error", PyList::new(py, error)?)
            ]
        ))
    }
}

#[pymethods]
impl PyRouteResults {
    fn __len__(&self) -> usize {
        self.batch.len
    }

    /// The result of lead `index` (negative from the end), or a list of them for a slice.
    fn __getitem__<'py>(
        &self,
        py: Python<'py>,
        index: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let n = self.batch.len;
        if let Ok(slice) = index.cast::<PySlice>() {
            let s = slice.indices(isize::try_from(n).unwrap_or(isize::MAX))?;
            let rows = (0..s.slicelength).map(|k| s.start + k as isize * s.step);
            let items = rows.map(|i| Bound::new(py, self.item(i.unsigned_abs())));
            return Ok(PyList::new(py, items.collect::<PyResult<Vec<_>>>()?)?.into_any());
        }
        let Ok(i) = index.extract::<isize>() else {
            return Err(PyTypeError::new_err(
                "RouteResults indices must be integers or slices",
            ));
        };
        // (a negative index counts from the end)
        let row = usize::try_from(i)
            .ok()
            .or_else(|| n.checked_sub(i.unsigned_abs()));
        match row.filter(|r| *r < n) {
            Some(row) => Ok(Bound::new(py, self.item(row))?.into_any()),
            None => Err(PyIndexError::new_err("RouteResults index out of range")),
        }
    }

    fn __iter__(&self) -> RouteResultsIter {
        RouteResultsIter {
            batch: self.batch.clone(),
            row: 0,
        }
    }

    /// The results as columns (`kind`: `partner`/`queue`/`unrouted` or None for an error,
    /// `target`: partner id or queue name, `rule`, `error`: a report dict or None), one list
    /// each: what `as_columns=True` returns.
    fn columns<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        self.columns_dict(py)
    }

    /// One dict per lead, `{"ok": decision}` or `{"error": report}`: the wire form.
    fn to_list<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let mut texts = Texts::default();
        let items = without_gc(py, || {
            let all = self.batch.expanded(py).iter();
            all.map(|r| result_dict(py, r.as_ref(), &mut texts))
                .collect::<PyResult<Vec<_>>>()
        })?;
        PyList::new(py, items)
    }

    fn __repr__(&self) -> String {
        format!("<leadrail.RouteResults of {} leads>", self.batch.len)
    }
}

/// The result of row `row` of `batch`.
fn item(batch: &Arc<Batch>, row: usize) -> PyRouteResult {
    let batch = batch.clone();
    PyRouteResult { batch, row }
}

/// The iterator of a [`PyRouteResults`].
#[pyclass(name = "RouteResultsIterator", module = "leadrail")]
pub struct RouteResultsIter {
    batch: Arc<Batch>,
    row: usize,
}

#[pymethods]
impl RouteResultsIter {
    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __next__(&mut self) -> Option<PyRouteResult> {
        let row = self.row;
        self.row += 1;
        (row < self.batch.len).then(|| item(&self.batch, row))
    }
}

/// One lead's result in a batch: `ok` (its decision) or `error` (why it was not routed).
#[pyclass(name = "RouteResult", module = "leadrail", frozen)]
pub struct PyRouteResult {
    batch: Arc<Batch>,
    row: usize,
}

impl PyRouteResult {
    fn get<'a>(&'a self, py: Python<'_>) -> PyResult<Result<&'a Decision, &'a ErrorReport>> {
        match self.batch.expanded(py).get(self.row) {
            Some(r) => Ok(r.as_ref()),
            None => Err(LeadrailError::new_err(
                "internal error: a result went missing",
            )),
        }
    }
}

#[pymethods]
impl PyRouteResult {
    /// The decision, or None for a lead that was not routed.
    #[getter]
    fn ok(&self, py: Python<'_>) -> PyResult<Option<PyDecision>> {
        Ok(self.get(py)?.ok().cloned().map(PyDecision))
    }

    /// Why the lead was not routed (a bad lead), or None.
    #[getter]
    fn error<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        let e = self.get(py)?.err();
        e.map(|e| read_once(py, "Report", e)).transpose()
    }

    /// Whether the lead was routed (`ok` is set).
    fn is_ok(&self, py: Python<'_>) -> PyResult<bool> {
        Ok(self.get(py)?.is_ok())
    }

    /// `{"ok": decision}` or `{"error": report}`, as plain dicts.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        result_dict(py, self.get(py)?, &mut Texts::default())
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let (kind, json) = match self.get(py)? {
            Ok(d) => ("ok", serde_json::to_string(d)),
            Err(e) => ("error", serde_json::to_string(e)),
        };
        Ok(format!(
            "<leadrail.RouteResult {kind} {}>",
            json.unwrap_or_default()
        ))
    }
}

/// Runs `f` with Python's cyclic garbage collector paused (if it was enabled). Building many
/// small acyclic containers (dicts per decision) otherwise triggers a collection every few
/// hundred allocations that walks every container made so far; nothing made here can form a
/// cycle, and no other Python code runs meanwhile (the GIL is held).
fn without_gc<T>(py: Python<'_>, f: impl FnOnce() -> PyResult<T>) -> PyResult<T> {
    let gc = py.import(intern!(py, "gc"))?;
    let enabled: bool = gc.call_method0(intern!(py, "isenabled"))?.extract()?;
    if enabled {
        gc.call_method0(intern!(py, "disable"))?;
    }
    let out = f();
    if enabled {
        gc.call_method0(intern!(py, "enable"))?;
    }
    out
}
