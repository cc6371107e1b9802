//! Typed results: `RouteResults` (a batch, kept in core's compact form and read lazily),
//! `RouteResult`, `Decision` and the SLA evaluation, with attributes converted on access and
//! `to_dict()` giving the wire form (core's serde JSON). No decisions are taken here.
//!
//! A batch call creates no Python object per lead: its [`Results`] stay in Rust (in an `Arc`
//! shared by every object read from them); a lead's decision is expanded (once, for the whole
//! batch, as core's [`Results::decisions`]) when the batch is first indexed or iterated.

use std::sync::{Arc, OnceLock};

use leadrail_core::api::{SlaOutcome, SlaResult};
use leadrail_core::host::{ResultArrays, Results, RowKind};
use leadrail_core::report::{ErrorReport, Label};
use leadrail_core::route::{
    Candidate, Decision, Exclusion, Explanation, Outcome, PartnerStateRead, RuleTrace, RulesetInfo,
};
use leadrail_core::sla::{DueAction, DueKind, RerouteExclusion, ReroutePlan, SlaStatus};
use pyo3::exceptions::{PyIndexError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PySlice, PyString};
use rustc_hash::FxHashMap;

use crate::convert::wire;
use crate::exceptions::LeadrailError;

/// A dict of the items given, in their order (keys interned).
macro_rules! dict {
    ($py:ident, [$(($k:literal, $v:expr)),* $(,)?]) => {{
        let d = PyDict::new($py);
        $( d.set_item(pyo3::intern!($py, $k), $v)?; )*
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
    let state_read = match &d.state_read {
        Some(s) => state_dict(py, s, texts)?,
        None => py.None().into_bound(py),
    };
    let out = dict!(
        py,
        [
            ("outcome", outcome_dict(py, &d.outcome, texts)?),
            ("rule", d.rule.as_ref().map(|r| texts.get(py, r))),
            ("state_read", state_read)
        ]
    );
    if let Some(e) = &d.explanation {
        out.set_item(pyo3::intern!(py, "explanation"), wire(py, e)?)?;
    }
    Ok(out.into_any())
}

fn outcome_dict<'py>(
    py: Python<'py>,
    o: &Outcome,
    texts: &mut Texts<'py>,
) -> PyResult<Bound<'py, PyAny>> {
    Ok(match o {
        Outcome::Partner { id } => dict!(
            py,
            [
                ("kind", pyo3::intern!(py, "partner")),
                ("id", texts.get(py, id))
            ]
        ),
        Outcome::Queue { name } => dict!(
            py,
            [
                ("kind", pyo3::intern!(py, "queue")),
                ("name", texts.get(py, name))
            ]
        ),
        Outcome::Unrouted => dict!(py, [("kind", pyo3::intern!(py, "unrouted"))]),
    }
    .into_any())
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

/// A Python object of class `T` holding `x`, or None.
fn opt<'py, T: pyo3::PyClass + Into<pyo3::PyClassInitializer<T>>>(
    py: Python<'py>,
    x: Option<T>,
) -> PyResult<Bound<'py, PyAny>> {
    match x {
        Some(x) => Ok(Bound::new(py, x)?.into_any()),
        None => Ok(py.None().into_bound(py)),
    }
}

/// A list of Python objects of class `T`, one per item.
fn list_of<'py, I, T>(py: Python<'py>, items: I) -> PyResult<Bound<'py, PyAny>>
where
    I: IntoIterator<Item = T>,
    T: pyo3::PyClass + Into<pyo3::PyClassInitializer<T>>,
{
    let objs = items
        .into_iter()
        .map(|x| Bound::new(py, x))
        .collect::<PyResult<Vec<_>>>()?;
    Ok(PyList::new(py, objs)?.into_any())
}

/// A class holding a core value (cloned: these are small, or rare, or both), with getters that
/// convert a field on access, `to_dict()` (the wire form) and `__repr__` (the class name and
/// that form as JSON), and equality by value.
macro_rules! typed {
    (
        $(#[$doc:meta])*
        $Py:ident = $name:literal ($T:ty) {
            $( $(#[$fdoc:meta])* $field:ident($py:ident, $x:ident) $body:expr; )*
        }
    ) => {
        typed! {
            $(#[$doc])*
            $Py = $name ($T) to_dict(py, x) => wire(py, x); {
                $( $(#[$fdoc])* $field($py, $x) $body; )*
            }
        }
    };
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
    /// The ruleset a decision came from.
    PyRulesetInfo = "RulesetInfo" (RulesetInfo) {
        /// The ruleset's name.
        name(py, x) plain!(py, &x.name);
        /// Its version.
        version(py, x) plain!(py, x.version);
        /// Its content hash.
        content_hash(py, x) plain!(py, &x.content_hash);
    }
}

typed! {
    /// One rule that was tried.
    PyRuleTrace = "RuleTrace" (RuleTrace) {
        /// The rule's name.
        rule(py, x) plain!(py, &x.rule);
        /// Whether its `when` matched.
        matched(py, x) plain!(py, x.matched);
        /// How many partners were eligible.
        eligible(py, x) plain!(py, x.eligible);
        /// What it did: `decided`, `next`, `queue` or `parent`.
        outcome(py, x) wire(py, &x.outcome);
    }
}

typed! {
    /// Partners excluded for one reason.
    PyExclusion = "Exclusion" (Exclusion) {
        /// `excluded by host`, an implicit guard, or a require's label.
        reason(py, x) plain!(py, &x.reason);
        /// The partner ids, ascending.
        partners(py, x) plain!(py, x.partners.iter().map(|p| &**p).collect::<Vec<_>>());
    }
}

typed! {
    /// An eligible partner and how it ranked.
    PyCandidate = "Candidate" (Candidate) {
        /// The partner id.
        partner(py, x) plain!(py, &*x.partner);
        /// Its score (None when the rank was null or not a number).
        score(py, x) plain!(py, x.score);
        /// Its utilisation (with `balance workload`), else None.
        utilisation(py, x) plain!(py, x.utilisation);
        /// Its position in the order, from 1.
        position(py, x) plain!(py, x.position);
    }
}

typed! {
    /// Why a lead went where it went.
    PyExplanation = "Explanation" (Explanation) {
        /// The ruleset.
        ruleset(py, x) Ok(Bound::new(py, PyRulesetInfo(x.ruleset.clone()))?.into_any());
        /// Every rule tried, in order.
        rules(py, x) list_of(py, x.rules.iter().cloned().map(PyRuleTrace));
        /// The partners the deciding rule excluded, grouped by reason in check order.
        excluded(py, x) list_of(py, x.excluded.iter().cloned().map(PyExclusion));
        /// The eligible partners in rank order.
        candidates(py, x) list_of(py, x.candidates.iter().cloned().map(PyCandidate));
        /// What separated the first candidate from the second (None with fewer than two).
        tie_break(py, x) wire(py, &x.tie_break);
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
        state_read(py, x) opt(py, x.state_read.clone().map(PyStateRead));
        /// Why (when asked for with `explain=True`), else None.
        explanation(py, x) opt(py, x.explanation.as_deref().cloned().map(PyExplanation));
    }
}

typed! {
    /// A labelled range of a report.
    PyLabel = "Label" (Label) {
        /// What the label says (may be empty).
        message(py, x) plain!(py, &x.message);
        /// 1-based line of the range's start.
        line(py, x) plain!(py, x.line);
        /// 1-based column of the range's start.
        column(py, x) plain!(py, x.column);
        /// 1-based line of the range's end.
        end_line(py, x) plain!(py, x.end_line);
        /// 1-based column of the range's end.
        end_column(py, x) plain!(py, x.end_column);
    }
}

typed! {
    /// An error report (the one shape of every error; a batch item's error).
    PyReport = "Report" (ErrorReport) {
        /// A stable code, one of `error_codes()`.
        code(py, x) plain!(py, &x.code);
        /// What is wrong.
        message(py, x) plain!(py, &x.message);
        /// How to fix it, if known.
        help(py, x) plain!(py, x.help.as_deref());
        /// `error` or `warning`.
        severity(py, x) wire(py, &x.severity);
        /// The file the report is about, if any.
        file(py, x) plain!(py, x.file.as_deref());
        /// 1-based line (0 when the report has no position).
        line(py, x) plain!(py, x.line);
        /// 1-based column (0 when the report has no position).
        column(py, x) plain!(py, x.column);
        /// The labelled ranges; the first is the primary one.
        labels(py, x) list_of(py, x.labels.iter().cloned().map(PyLabel));
        /// The record (lead or partner id, or `#row`) a data error is about.
        record(py, x) plain!(py, x.record.as_deref());
        /// The field a data error is about.
        field(py, x) plain!(py, x.field.as_deref());
    }
}

typed! {
    /// One SLA instance, as of the evaluation's `now`.
    PySlaStatus = "SlaStatus" (SlaStatus) {
        /// The policy's name.
        sla(py, x) plain!(py, &*x.sla);
        /// The instance label: the policy name, or `name#n` for the n-th restart.
        instance(py, x) plain!(py, &*x.instance);
        /// The instance's index (0 for the first).
        index(py, x) plain!(py, x.index);
        /// The stage (per-stage policies), else None.
        stage(py, x) plain!(py, x.stage.as_deref());
        /// The partner assigned when the instance started, if any.
        partner(py, x) plain!(py, x.partner.as_deref());
        /// `running`, `paused`, `met`, `breached` or `cancelled`.
        state(py, x) wire(py, &x.state);
        /// When the instance started (ms since the epoch).
        started_at(py, x) plain!(py, x.started_at);
        /// When it ended, if it did.
        ended_at(py, x) plain!(py, x.ended_at);
        /// The goal (ms).
        goal_ms(py, x) plain!(py, x.goal_ms);
        /// Elapsed clock time (ms).
        elapsed_ms(py, x) plain!(py, x.elapsed_ms);
        /// `max(goal - elapsed, 0)` (ms).
        remaining_ms(py, x) plain!(py, x.remaining_ms);
        /// When the goal runs (or ran) out, if known.
        due_at(py, x) plain!(py, x.due_at);
        /// The next warning or due instant after `now` of a running instance.
        next_at(py, x) plain!(py, x.next_at);
    }
}

typed! {
    /// An action now due, to be executed once by the host.
    PyDueAction = "DueAction" (DueAction) {
        /// The stable id (e.g. `accept:warn:75`).
        id(py, x) plain!(py, &*x.id);
        /// The policy's name.
        sla(py, x) plain!(py, &*x.sla);
        /// The instance label.
        instance(py, x) plain!(py, &*x.instance);
        /// The instance's partner, if any.
        partner(py, x) plain!(py, x.partner.as_deref());
        /// When it became due (ms since the epoch).
        at(py, x) plain!(py, x.at);
        /// `warning` or `breach`.
        kind(py, x) plain!(py, match x.kind {
            DueKind::Warning { .. } => "warning",
            DueKind::Breach { .. } => "breach",
        });
        /// A warning's threshold (fraction of the goal), else None.
        threshold(py, x) plain!(py, match x.kind {
            DueKind::Warning { threshold } => Some(threshold),
            DueKind::Breach { .. } => None,
        });
        /// A breach's action (`{"action": "remind"}`, `{"action": "escalate", "role": ..}`,
        /// ...), else None.
        action(py, x) match &x.kind {
            DueKind::Breach { action } => wire(py, action),
            DueKind::Warning { .. } => Ok(py.None().into_bound(py)),
        };
    }
}

typed! {
    /// One partner a re-route must exclude.
    PyRerouteExclusion = "RerouteExclusion" (RerouteExclusion) {
        /// The partner id.
        partner(py, x) plain!(py, &x.partner);
        /// Why: `{"kind": "rejected", ...}` or `{"kind": "timed_out", ...}`.
        reason(py, x) wire(py, &x.reason);
    }
}

typed! {
    /// What to do for a due re-route action.
    PyReroutePlan = "ReroutePlan" (ReroutePlan) {
        /// The due action that triggers the re-route.
        trigger(py, x) Ok(Bound::new(py, PyDueAction(x.trigger.clone()))?.into_any());
        /// The partner to retract the lead from, if it still holds it.
        retract(py, x) plain!(py, x.retract.as_deref());
        /// The partners the new routing must exclude.
        exclude(py, x) list_of(py, x.exclude.iter().cloned().map(PyRerouteExclusion));
    }
}

typed! {
    /// One timeline's SLA evaluation and, when a re-route action is due, the re-route.
    PySlaEvaluation = "SlaEvaluation" (SlaOutcome) {
        /// The lead id.
        lead(py, x) plain!(py, &x.evaluation.lead);
        /// Every instance of every policy.
        slas(py, x) list_of(py, x.evaluation.slas.iter().cloned().map(PySlaStatus));
        /// The actions due now and not yet executed.
        due(py, x) list_of(py, x.evaluation.due.iter().cloned().map(PyDueAction));
        /// The earliest `next_at` of all instances, if any.
        next_deadline(py, x) plain!(py, x.evaluation.next_deadline);
        /// Pass as `done` to the next evaluation to get each action once.
        cursor(py, x) plain!(py, x.evaluation.cursor);
        /// The re-route to perform, if a re-route action is due.
        reroute(py, x) opt(py, x.reroute.clone().map(PyReroutePlan));
    }
}

/// One timeline's result in a batch evaluation: `ok` (its evaluation) or `error`.
#[pyclass(name = "SlaResult", module = "leadrail", frozen)]
pub struct PySlaResult(pub(crate) SlaResult);

#[pymethods]
impl PySlaResult {
    /// The evaluation, or None for a bad timeline.
    #[getter]
    fn ok(&self) -> Option<PySlaEvaluation> {
        match &self.0 {
            SlaResult::Ok(o) => Some(PySlaEvaluation(o.clone())),
            SlaResult::Error(_) => None,
        }
    }

    /// Why the timeline could not be evaluated, or None.
    #[getter]
    fn error(&self) -> Option<PyReport> {
        match &self.0 {
            SlaResult::Ok(_) => None,
            SlaResult::Error(e) => Some(PyReport(e.clone())),
        }
    }

    /// Whether the timeline was evaluated.
    fn is_ok(&self) -> bool {
        matches!(self.0, SlaResult::Ok(_))
    }

    /// `{"ok": evaluation}` or `{"error": report}`, as plain dicts.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        wire(py, &self.0)
    }

    fn __repr__(&self) -> String {
        let json = serde_json::to_string(&self.0).unwrap_or_default();
        format!("<leadrail.SlaResult {json}>")
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
        PyRouteResult {
            batch: self.batch.clone(),
            row,
        }
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
                k if k == RowKind::Partner as u8 => pyo3::intern!(py, "partner"),
                k if k == RowKind::Queue as u8 => pyo3::intern!(py, "queue"),
                k if k == RowKind::Unrouted as u8 => pyo3::intern!(py, "unrouted"),
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
            let mut items = Vec::with_capacity(s.slicelength);
            let mut i = s.start;
            for _ in 0..s.slicelength {
                items.push(Bound::new(py, self.item(i.unsigned_abs()))?);
                i += s.step;
            }
            return Ok(PyList::new(py, items)?.into_any());
        }
        let Ok(i) = index.extract::<isize>() else {
            return Err(PyTypeError::new_err(
                "RouteResults indices must be integers or slices",
            ));
        };
        let row = if i < 0 {
            i.checked_add_unsigned(n)
        } else {
            Some(i)
        };
        match row.and_then(|r| usize::try_from(r).ok()).filter(|r| *r < n) {
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
        if self.row >= self.batch.len {
            return None;
        }
        self.row += 1;
        Some(PyRouteResult {
            batch: self.batch.clone(),
            row: self.row - 1,
        })
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
    fn error(&self, py: Python<'_>) -> PyResult<Option<PyReport>> {
        Ok(self.get(py)?.err().cloned().map(PyReport))
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
        let json = match self.get(py)? {
            Ok(d) => serde_json::to_string(d),
            Err(e) => serde_json::to_string(e),
        };
        let kind = if self.get(py)?.is_ok() { "ok" } else { "error" };
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
    let gc = py.import(pyo3::intern!(py, "gc"))?;
    let enabled: bool = gc.call_method0(pyo3::intern!(py, "isenabled"))?.extract()?;
    if enabled {
        gc.call_method0(pyo3::intern!(py, "disable"))?;
    }
    let out = f();
    if enabled {
        gc.call_method0(pyo3::intern!(py, "enable"))?;
    }
    out
}
