//! Results to Python: decisions as plain dicts (copied from templates) and the columns of
//! `route_columns`, built from core's borrowed views. No decisions are taken here.

use std::sync::Arc;

use leadrail_core::report::ErrorReport;
use leadrail_core::route::{DecisionView, OutcomeRef};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyList, PyString};
use rustc_hash::FxHashMap;

use crate::convert::{json_to_py, report_to_py};

/// Python strings for the texts of many decisions, created once per distinct `Arc`, and the
/// template dicts the decision dicts of a batch are copied from.
///
/// Building a small dict key by key costs CPython an allocation of its key table on the first
/// insert and a probe plus an entry per key; `dict.copy()` of a template of the same keys
/// clones the whole table with one allocation and a `memcpy`, after which setting a value is a
/// probe that finds its (interned) key at once. The shapes (values None) are made once per
/// process ([`SHAPES`]); a partner seen a second time gets its own templates (its outcome dict,
/// complete, and its state-read dict with the partner set), and so does a rule, so that one
/// decision alone (`route`) makes no templates.
#[derive(Default)]
pub(crate) struct Texts {
    seen: FxHashMap<*const u8, Py<PyString>>,
    /// Per partner id seen twice (its text is in `seen` after the first time): its templates.
    partners: FxHashMap<*const u8, PartnerShapes>,
    /// Per rule name seen twice: the decision template with the rule set.
    rules: FxHashMap<*const u8, Py<PyDict>>,
}

/// The shapes of the decision dicts (values None where each copy sets its own). They are never
/// handed out, only copied.
struct Shapes {
    /// `{"outcome": None, "rule": None, "state_read": None}`
    decision: Py<PyDict>,
    /// `{"kind": "partner", "id": None}`
    partner: Py<PyDict>,
    /// `{"kind": "queue", "name": None}`
    queue: Py<PyDict>,
    /// `{"kind": "unrouted"}`
    unrouted: Py<PyDict>,
    /// `{"partner": None, "version": None, "active_leads": None, "last_assigned_at": None}`
    state_read: Py<PyDict>,
}

static SHAPES: PyOnceLock<Shapes> = PyOnceLock::new();

fn shapes(py: Python<'_>) -> PyResult<&'static Shapes> {
    SHAPES.get_or_try_init(py, || Shapes::new(py))
}

/// A partner's templates: its outcome dict (complete) and its state-read dict (the partner
/// set).
struct PartnerShapes {
    outcome: Py<PyDict>,
    state_read: Py<PyDict>,
}

fn shape<'py>(
    py: Python<'py>,
    items: &[(&Bound<'py, PyString>, Bound<'py, PyAny>)],
) -> PyResult<Py<PyDict>> {
    let d = PyDict::new(py);
    for (k, v) in items {
        d.set_item(*k, v)?;
    }
    Ok(d.unbind())
}

impl Shapes {
    fn new(py: Python<'_>) -> PyResult<Shapes> {
        let none = || py.None().into_bound(py);
        let k = |s: &'static str| PyString::intern(py, s);
        Ok(Shapes {
            decision: shape(
                py,
                &[
                    (&k("outcome"), none()),
                    (&k("rule"), none()),
                    (&k("state_read"), none()),
                ],
            )?,
            partner: shape(
                py,
                &[(&k("kind"), k("partner").into_any()), (&k("id"), none())],
            )?,
            queue: shape(
                py,
                &[(&k("kind"), k("queue").into_any()), (&k("name"), none())],
            )?,
            unrouted: shape(py, &[(&k("kind"), k("unrouted").into_any())])?,
            state_read: shape(
                py,
                &[
                    (&k("partner"), none()),
                    (&k("version"), none()),
                    (&k("active_leads"), none()),
                    (&k("last_assigned_at"), none()),
                ],
            )?,
        })
    }
}

/// A copy of `template` with `key` set to `value`.
fn copy_with<'py>(
    template: &Py<PyDict>,
    py: Python<'py>,
    key: &Bound<'py, PyString>,
    value: &Bound<'py, PyString>,
) -> PyResult<Bound<'py, PyDict>> {
    let d = template.bind(py).copy()?;
    d.set_item(key, value)?;
    Ok(d)
}

impl Texts {
    pub(crate) fn get<'py>(&mut self, py: Python<'py>, s: &Arc<str>) -> Bound<'py, PyString> {
        self.seen
            .entry(s.as_ptr())
            .or_insert_with(|| PyString::new(py, s).unbind())
            .bind(py)
            .clone()
    }

    /// A new outcome dict for partner `id` and, when `with_state`, a new state-read dict with
    /// the partner set.
    fn partner_dicts<'py>(
        &mut self,
        py: Python<'py>,
        id: &Arc<str>,
        with_state: bool,
    ) -> PyResult<(Bound<'py, PyDict>, Option<Bound<'py, PyDict>>)> {
        let key = id.as_ptr();
        if let Some(p) = self.partners.get(&key) {
            let sr = match with_state {
                true => Some(p.state_read.bind(py).copy()?),
                false => None,
            };
            return Ok((p.outcome.bind(py).copy()?, sr));
        }
        let seen_before = self.seen.contains_key(&key);
        let text = self.get(py, id);
        let sh = shapes(py)?;
        let outcome = copy_with(&sh.partner, py, pyo3::intern!(py, "id"), &text)?;
        let sr = copy_with(&sh.state_read, py, pyo3::intern!(py, "partner"), &text)?;
        if !seen_before {
            return Ok((outcome, with_state.then_some(sr)));
        }
        // seen before: the two just made become the partner's templates
        let out = (
            outcome.copy()?,
            match with_state {
                true => Some(sr.copy()?),
                false => None,
            },
        );
        self.partners.insert(
            key,
            PartnerShapes {
                outcome: outcome.unbind(),
                state_read: sr.unbind(),
            },
        );
        Ok(out)
    }

    /// A new decision dict with rule `rule` set (outcome and state read None).
    fn decision_dict<'py>(
        &mut self,
        py: Python<'py>,
        rule: Option<&Arc<str>>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let sh = shapes(py)?;
        let Some(rule) = rule else {
            return sh.decision.bind(py).copy();
        };
        let key = rule.as_ptr();
        if let Some(t) = self.rules.get(&key) {
            return t.bind(py).copy();
        }
        let seen_before = self.seen.contains_key(&key);
        let text = self.get(py, rule);
        let d = copy_with(&sh.decision, py, pyo3::intern!(py, "rule"), &text)?;
        if !seen_before {
            return Ok(d);
        }
        let out = d.copy()?;
        self.rules.insert(key, d.unbind());
        Ok(out)
    }
}

/// A decision as a plain dict, equal (as JSON) to core's serde form.
pub(crate) fn decision<'py>(
    py: Python<'py>,
    d: DecisionView<'_>,
    texts: &mut Texts,
) -> PyResult<Bound<'py, PyDict>> {
    let out = texts.decision_dict(py, d.rule)?;
    // the state read is (in practice always) the chosen partner's: its dict comes with the
    // outcome's
    let mut sr = None;
    let outcome = match d.outcome {
        OutcomeRef::Partner(id) => {
            let same = d.state_read.is_some_and(|s| Arc::ptr_eq(s.partner, id));
            let (outcome, s) = texts.partner_dicts(py, id, same)?;
            sr = s;
            outcome
        }
        OutcomeRef::Queue(name) => {
            let name = texts.get(py, name);
            copy_with(&shapes(py)?.queue, py, pyo3::intern!(py, "name"), &name)?
        }
        OutcomeRef::Unrouted => shapes(py)?.unrouted.bind(py).copy()?,
    };
    out.set_item(pyo3::intern!(py, "outcome"), outcome)?;
    if let Some(s) = d.state_read {
        let sr = match sr {
            Some(sr) => sr,
            None => {
                let partner = texts.get(py, s.partner);
                copy_with(
                    &shapes(py)?.state_read,
                    py,
                    pyo3::intern!(py, "partner"),
                    &partner,
                )?
            }
        };
        sr.set_item(pyo3::intern!(py, "version"), s.version)?;
        sr.set_item(pyo3::intern!(py, "active_leads"), s.active_leads)?;
        if let Some(t) = s.last_assigned_at {
            sr.set_item(pyo3::intern!(py, "last_assigned_at"), t)?;
        }
        out.set_item(pyo3::intern!(py, "state_read"), sr)?;
    }
    if let Some(e) = d.explanation {
        let json = serde_json::to_value(e)
            .map_err(|e| crate::exceptions::LeadrailError::new_err(e.to_string()))?;
        out.set_item(pyo3::intern!(py, "explanation"), json_to_py(py, &json)?)?;
    }
    Ok(out)
}

/// One batch result: `{"ok": decision}` or `{"error": report}`.
pub(crate) fn result<'py>(
    py: Python<'py>,
    r: Result<DecisionView<'_>, &ErrorReport>,
    texts: &mut Texts,
) -> PyResult<Bound<'py, PyDict>> {
    match r {
        Ok(d) => {
            let dec = decision(py, d, texts)?;
            let out = PyDict::new(py);
            out.set_item(pyo3::intern!(py, "ok"), dec)?;
            Ok(out)
        }
        Err(e) => {
            let out = PyDict::new(py);
            out.set_item(pyo3::intern!(py, "error"), report_to_py(py, e)?)?;
            Ok(out)
        }
    }
}

/// The columns result of `Network.route_columns`, built lead by lead: `kind`
/// (`partner`/`queue`/`unrouted`, or None for an error), `target` (partner id or queue name),
/// `rule`, `error` (a report or None).
pub(crate) struct ColumnsOut<'py> {
    kind: Vec<Bound<'py, PyAny>>,
    target: Vec<Bound<'py, PyAny>>,
    rule: Vec<Bound<'py, PyAny>>,
    error: Vec<Bound<'py, PyAny>>,
    texts: Texts,
}

impl<'py> ColumnsOut<'py> {
    /// An empty result for about `n` leads.
    pub(crate) fn with_capacity(n: usize) -> ColumnsOut<'py> {
        ColumnsOut {
            kind: Vec::with_capacity(n),
            target: Vec::with_capacity(n),
            rule: Vec::with_capacity(n),
            error: Vec::with_capacity(n),
            texts: Texts::default(),
        }
    }

    /// Forgets the results appended so far.
    pub(crate) fn clear(&mut self) {
        self.kind.clear();
        self.target.clear();
        self.rule.clear();
        self.error.clear();
    }

    /// Appends the result of the next lead.
    pub(crate) fn push(
        &mut self,
        py: Python<'py>,
        r: Result<DecisionView<'_>, &ErrorReport>,
    ) -> PyResult<()> {
        let none = || py.None().into_bound(py);
        match r {
            Ok(d) => {
                let (kind, target) = match d.outcome {
                    OutcomeRef::Partner(id) => (
                        pyo3::intern!(py, "partner"),
                        self.texts.get(py, id).into_any(),
                    ),
                    OutcomeRef::Queue(name) => (
                        pyo3::intern!(py, "queue"),
                        self.texts.get(py, name).into_any(),
                    ),
                    OutcomeRef::Unrouted => (pyo3::intern!(py, "unrouted"), none()),
                };
                self.kind.push(kind.clone().into_any());
                self.target.push(target);
                self.rule.push(match d.rule {
                    Some(name) => self.texts.get(py, name).into_any(),
                    None => none(),
                });
                self.error.push(none());
            }
            Err(e) => {
                self.kind.push(none());
                self.target.push(none());
                self.rule.push(none());
                self.error.push(report_to_py(py, e)?.into_any());
            }
        }
        Ok(())
    }

    /// The result as a dict of four lists.
    pub(crate) fn finish(self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let out = PyDict::new(py);
        out.set_item("kind", PyList::new(py, self.kind)?)?;
        out.set_item("target", PyList::new(py, self.target)?)?;
        out.set_item("rule", PyList::new(py, self.rule)?)?;
        out.set_item("error", PyList::new(py, self.error)?)?;
        Ok(out)
    }
}

/// Runs `f` with Python's cyclic garbage collector paused (if it was enabled). Building many
/// small acyclic containers (one dict per decision) otherwise triggers a collection every few
/// hundred allocations that walks every container made so far; nothing made here can form a
/// cycle, and no other Python code runs meanwhile (the GIL is held).
pub(crate) fn without_gc<T>(py: Python<'_>, f: impl FnOnce() -> PyResult<T>) -> PyResult<T> {
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
