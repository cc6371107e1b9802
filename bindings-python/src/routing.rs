//! Conversions of host values for routing: Python values to JSON, records read into core's
//! columns (with the problems met reading them), instants and columns. No decisions are taken
//! here, and no error text about records is written: core's host layer writes them.

use leadrail_core::api::{request_error, InstantJson, MAX_HOST_DEPTH, MAX_HOST_RESERVE};
use leadrail_core::host::{self, Instants, Problem, Rows};
use leadrail_core::record::Column;
use leadrail_core::report::ErrorReport;
use leadrail_core::schema::Schema;
use leadrail_core::value::{EpochMs, Type};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{
    PyBool, PyDict, PyFloat, PyFrozenSet, PyInt, PyList, PyMapping, PySet, PyString, PyTuple,
    PyType,
};
use serde_json::{Map, Value as Json};

use crate::columns::Builder;
use crate::PYTHON;

/// Why a Python value has no JSON form (the value as shown in messages).
pub(crate) struct Unsupported(String);

/// The `datetime` module's classes and `decimal.Decimal`, looked up once.
struct Classes {
    datetime: Py<PyType>,
    date: Py<PyType>,
    timedelta: Py<PyType>,
    decimal: Py<PyType>,
}

static CLASSES: PyOnceLock<Classes> = PyOnceLock::new();

fn classes(py: Python<'_>) -> PyResult<&Classes> {
    CLASSES.get_or_try_init(py, || {
        let dt = py.import("datetime")?;
        let dec = py.import("decimal")?;
        Ok(Classes {
            datetime: dt.getattr("datetime")?.cast_into::<PyType>()?.unbind(),
            date: dt.getattr("date")?.cast_into::<PyType>()?.unbind(),
            timedelta: dt.getattr("timedelta")?.cast_into::<PyType>()?.unbind(),
            decimal: dec.getattr("Decimal")?.cast_into::<PyType>()?.unbind(),
        })
    })
}

fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "object".to_owned())
}

/// A Python value as JSON: `None`, `bool`, `int` (64-bit), finite `float`, `str`, lists,
/// tuples, sets, mappings with text keys; `datetime`/`date` as ISO 8601 text (a naive datetime
/// keeps no offset, which core rejects), `Decimal` as its exact text, `timedelta` as
/// milliseconds (`"90000ms"`); objects with `__index__` (numpy integers) as ints and other
/// objects with `__float__` (numpy floats) as floats. Lists and mappings nested deeper than
/// [`MAX_HOST_DEPTH`] (or containing themselves) have no JSON form; a claimed `__len__` only
/// sizes a reservation up to [`MAX_HOST_RESERVE`].
pub(crate) fn py_to_json(obj: &Bound<'_, PyAny>) -> PyResult<Result<Json, Unsupported>> {
    py_to_json_at(obj, 0)
}

/// Why a value nested deeper than [`MAX_HOST_DEPTH`] has no JSON form.
fn too_deep() -> Unsupported {
    Unsupported(format!(
        "a value nested more than {MAX_HOST_DEPTH} levels deep (or a list or mapping that \
         contains itself)"
    ))
}

/// The room to reserve for the items of `obj`: the real size of a list or tuple, else its
/// `__len__` (which may lie or raise) up to [`MAX_HOST_RESERVE`].
pub(crate) fn reserve_for(obj: &Bound<'_, PyAny>) -> usize {
    if let Ok(l) = obj.cast_exact::<PyList>() {
        return l.len();
    }
    if let Ok(t) = obj.cast_exact::<PyTuple>() {
        return t.len();
    }
    obj.len().unwrap_or(0).min(MAX_HOST_RESERVE)
}

/// [`py_to_json`] of a value inside `depth` lists or mappings.
fn py_to_json_at(obj: &Bound<'_, PyAny>, depth: usize) -> PyResult<Result<Json, Unsupported>> {
    let py = obj.py();
    if obj.is_none() {
        return Ok(Ok(Json::Null));
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(Ok(Json::String(s.to_str()?.to_owned())));
    }
    if let Ok(b) = obj.cast::<PyBool>() {
        return Ok(Ok(Json::Bool(b.is_true())));
    }
    if obj.is_instance_of::<PyInt>() {
        return Ok(int_json(obj));
    }
    if let Ok(f) = obj.cast::<PyFloat>() {
        return Ok(float_json(f.value()));
    }
    if let Ok(d) = obj.cast::<PyDict>() {
        if depth >= MAX_HOST_DEPTH {
            return Ok(Err(too_deep()));
        }
        return mapping_json(d.items().into_any(), depth + 1);
    }
    if obj.is_instance_of::<PyList>()
        || obj.is_instance_of::<PyTuple>()
        || obj.is_instance_of::<PySet>()
        || obj.is_instance_of::<PyFrozenSet>()
    {
        if depth >= MAX_HOST_DEPTH {
            return Ok(Err(too_deep()));
        }
        let mut items = Vec::with_capacity(reserve_for(obj));
        for item in obj.try_iter()? {
            match py_to_json_at(&item?, depth + 1)? {
                Ok(j) => items.push(j),
                Err(e) => return Ok(Err(e)),
            }
        }
        return Ok(Ok(Json::Array(items)));
    }
    let c = classes(py)?;
    if obj.is_instance(c.datetime.bind(py))? || obj.is_instance(c.date.bind(py))? {
        let text: String = obj.call_method0("isoformat")?.extract()?;
        return Ok(Ok(Json::String(text)));
    }
    if obj.is_instance(c.decimal.bind(py))? {
        let text: String = obj.str()?.extract()?;
        return Ok(Ok(Json::String(text)));
    }
    if obj.is_instance(c.timedelta.bind(py))? {
        let days: i64 = obj.getattr("days")?.extract()?;
        let secs: i64 = obj.getattr("seconds")?.extract()?;
        let micros: i64 = obj.getattr("microseconds")?.extract()?;
        let ms = days
            .checked_mul(86_400_000)
            .and_then(|d| d.checked_add(secs * 1000 + micros / 1000));
        return Ok(match ms {
            Some(ms) => Ok(Json::String(format!("{ms}ms"))),
            None => Err(Unsupported("a timedelta out of range".into())),
        });
    }
    if obj.cast::<PyMapping>().is_ok() {
        if depth >= MAX_HOST_DEPTH {
            return Ok(Err(too_deep()));
        }
        // the items view iterated (not `PyMapping_Items`, which sizes a list from `__len__`)
        return mapping_json(obj.call_method0(pyo3::intern!(py, "items"))?, depth + 1);
    }
    if obj.hasattr("__index__")? {
        return Ok(int_json(&obj.call_method0("__index__")?));
    }
    if obj.hasattr("__float__")? {
        let x: f64 = obj.call_method0("__float__")?.extract()?;
        return Ok(float_json(x));
    }
    Ok(Err(Unsupported(format!(
        "a value of type `{}`",
        type_name(obj)
    ))))
}

fn int_json(obj: &Bound<'_, PyAny>) -> Result<Json, Unsupported> {
    if let Ok(i) = obj.extract::<i64>() {
        return Ok(Json::from(i));
    }
    if let Ok(u) = obj.extract::<u64>() {
        return Ok(Json::from(u));
    }
    let shown = obj.str().map(|s| s.to_string()).unwrap_or_default();
    let shown: String = shown.chars().take(24).collect();
    Err(Unsupported(format!(
        "the integer `{shown}...`, which is out of the 64-bit range"
    )))
}

fn float_json(x: f64) -> Result<Json, Unsupported> {
    serde_json::Number::from_f64(x)
        .map(Json::Number)
        .ok_or_else(|| Unsupported(format!("`{x}`, which is not a finite number")))
}

/// The JSON object of a mapping's `items` at `depth`.
fn mapping_json(items: Bound<'_, PyAny>, depth: usize) -> PyResult<Result<Json, Unsupported>> {
    let mut map = Map::new();
    for pair in items.try_iter()? {
        let (k, v): (Bound<'_, PyAny>, Bound<'_, PyAny>) = pair?.extract()?;
        let Ok(k) = k.cast::<PyString>() else {
            return Ok(Err(Unsupported(format!(
                "a mapping with a key of type `{}` (keys must be text)",
                type_name(&k)
            ))));
        };
        match py_to_json_at(&v, depth)? {
            Ok(j) => {
                map.insert(k.to_str()?.to_owned(), j);
            }
            Err(e) => return Ok(Err(e)),
        }
    }
    Ok(Ok(Json::Object(map)))
}

/// A host argument as JSON, a mapping field by field: a value without a JSON form is returned
/// with the key it is under (`None` when `obj` is not a mapping).
pub(crate) fn fields_json(
    obj: &Bound<'_, PyAny>,
) -> PyResult<Result<Json, (Option<String>, Unsupported)>> {
    let items = if let Ok(d) = obj.cast::<PyDict>() {
        d.items().into_any()
    } else if obj.cast::<PyMapping>().is_ok() {
        obj.call_method0(pyo3::intern!(obj.py(), "items"))?
    } else {
        return Ok(py_to_json(obj)?.map_err(|e| (None, e)));
    };
    let mut map = Map::new();
    for pair in items.try_iter()? {
        let (k, v): (Bound<'_, PyAny>, Bound<'_, PyAny>) = pair?.extract()?;
        let Ok(k) = k.cast::<PyString>() else {
            return Ok(Err((
                None,
                Unsupported(format!(
                    "a mapping with a key of type `{}` (keys must be text)",
                    type_name(&k)
                )),
            )));
        };
        let k = k.to_str()?.to_owned();
        match py_to_json_at(&v, 1)? {
            Ok(j) => {
                map.insert(k, j);
            }
            Err(e) => return Ok(Err((Some(k), e))),
        }
    }
    Ok(Ok(Json::Object(map)))
}

/// A data error about a value of an argument without a JSON form: `record` names the record
/// (`Ok(id)`, in core's words) or the argument (`Err("state")`, `Err("timelines[2]")`),
/// `field` the key the value is under.
pub(crate) fn value_error(
    record: Result<&str, &str>,
    field: Option<&str>,
    what: Unsupported,
) -> ErrorReport {
    let field = field.unwrap_or("");
    match record {
        Ok(id) => host::unreadable(PYTHON, host::Owner::Record(id), field, &what.0),
        Err(arg) => host::unreadable(PYTHON, host::Owner::Argument(arg), field, &what.0),
    }
}

/// Whether values of type `ty` hold geographic points.
fn has_point(ty: &Type) -> bool {
    match ty {
        Type::GeoPoint => true,
        Type::Set(t) | Type::Map(_, t) => has_point(t),
        _ => false,
    }
}

/// Whether `v`, a value of type `ty`, gives a point as a `set` or `frozenset`: unordered, it
/// has no latitude and longitude (a point is a mapping or an ordered pair). Descends by the
/// type, which is finite, not by the value.
fn set_as_point(v: &Bound<'_, PyAny>, ty: &Type) -> PyResult<bool> {
    let is_set =
        |v: &Bound<'_, PyAny>| v.is_instance_of::<PySet>() || v.is_instance_of::<PyFrozenSet>();
    match ty {
        Type::GeoPoint => Ok(is_set(v)),
        Type::Set(t) if has_point(t) => {
            if v.is_instance_of::<PyList>() || v.is_instance_of::<PyTuple>() || is_set(v) {
                for item in v.try_iter()? {
                    if set_as_point(&item?, t)? {
                        return Ok(true);
                    }
                }
            }
            Ok(false)
        }
        Type::Map(_, t) if has_point(t) => {
            if let Ok(d) = v.cast::<PyDict>() {
                for (_, x) in d.iter() {
                    if set_as_point(&x, t)? {
                        return Ok(true);
                    }
                }
            }
            Ok(false)
        }
        _ => Ok(false),
    }
}

/// How a point given as a set (refused) is described.
const SET_POINT: &str = "a point given as a set (unordered); pass a mapping `{\"lat\": .., \"lon\": ..}` or an ordered pair `(lat, lon)`";

/// The interned names of a schema's fields, for fast mapping look-ups.
pub(crate) struct Keys {
    id: Py<PyString>,
    fields: Vec<(String, Py<PyString>)>,
}

impl Keys {
    pub(crate) fn new(py: Python<'_>, schema: &Schema) -> Keys {
        Keys {
            id: PyString::intern(py, "id").unbind(),
            fields: schema
                .fields
                .iter()
                .map(|f| (f.name.clone(), PyString::intern(py, &f.name).unbind()))
                .collect(),
        }
    }
}

fn get<'py>(
    obj: &Bound<'py, PyAny>,
    dict: Option<&Bound<'py, PyDict>>,
    key: &Bound<'py, PyString>,
) -> PyResult<Option<Bound<'py, PyAny>>> {
    match dict {
        Some(d) => d.get_item(key),
        None => match obj.get_item(key) {
            Ok(v) => Ok(Some(v)),
            Err(e) if e.is_instance_of::<pyo3::exceptions::PyKeyError>(obj.py()) => Ok(None),
            Err(e) => Err(e),
        },
    }
}

/// A batch of records as a list: a list as it is, any other iterable (but a `str` or a
/// mapping) read into one; `what` names the argument in the error.
pub(crate) fn record_list<'py>(
    obj: &Bound<'py, PyAny>,
    what: &str,
) -> PyResult<Bound<'py, PyList>> {
    let py = obj.py();
    let not_rows = || {
        crate::exceptions::from_report(
            py,
            request_error(
                format!(
                    "`{what}` must be an iterable of mappings, not a `{}`",
                    type_name(obj)
                ),
                "pass a list of dicts, e.g. `df.to_dict(\"records\")`",
            ),
        )
    };
    if obj.is_instance_of::<PyString>() || obj.cast::<PyMapping>().is_ok() {
        return Err(not_rows());
    }
    if let Ok(list) = obj.cast::<PyList>() {
        return Ok(list.clone());
    }
    let Ok(iter) = obj.try_iter() else {
        return Err(not_rows());
    };
    PyList::new(py, iter.collect::<PyResult<Vec<_>>>()?)
}

/// An instant: an `int` (ms since the epoch), an RFC 3339 `str`, or an aware `datetime`.
pub(crate) fn instant(obj: &Bound<'_, PyAny>) -> PyResult<Result<EpochMs, ErrorReport>> {
    let py = obj.py();
    let bad = || {
        request_error(
            format!(
                "`now` must be milliseconds since the epoch (int), an RFC 3339 string or an aware datetime, not a `{}`",
                type_name(obj)
            ),
            "pass e.g. `datetime.now(timezone.utc)`, `\"2026-11-24T09:00:00Z\"` or `1795510800000`",
        )
    };
    if obj.is_instance_of::<PyBool>() {
        return Ok(Err(bad()));
    }
    if obj.is_instance_of::<PyInt>() {
        return Ok(obj.extract::<i64>().map_err(|_| bad()));
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(InstantJson::Text(s.to_str()?.to_owned()).millis());
    }
    if obj.is_instance(classes(py)?.datetime.bind(py))? {
        let text: String = obj.call_method0("isoformat")?.extract()?;
        return Ok(InstantJson::Text(text).millis());
    }
    Ok(Err(bad()))
}

/// `now` of a batch: one instant, or one per lead (any non-string sequence).
pub(crate) fn now_arg(obj: &Bound<'_, PyAny>) -> PyResult<Result<Instants, ErrorReport>> {
    if obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>() || obj.hasattr("tolist")? {
        let seq = if obj.hasattr("tolist")? && !obj.is_instance_of::<PyList>() {
            obj.call_method0("tolist")?
        } else {
            obj.clone()
        };
        let mut out = Vec::with_capacity(reserve_for(&seq));
        // an exact int (the common case) inline, anything else through `instant`
        let one = |out: &mut Vec<EpochMs>,
                   item: &Bound<'_, PyAny>|
         -> PyResult<Result<(), ErrorReport>> {
            if item.is_exact_instance_of::<PyInt>() {
                if let Ok(t) = item.extract::<i64>() {
                    out.push(t);
                    return Ok(Ok(()));
                }
            }
            Ok(instant(item)?.map(|t| out.push(t)))
        };
        if let Ok(list) = seq.cast::<PyList>() {
            for item in list.iter() {
                if item.is_exact_instance_of::<PyInt>() {
                    if let Ok(t) = item.extract::<i64>() {
                        out.push(t);
                        continue;
                    }
                }
                if let Err(e) = one(&mut out, &item)? {
                    return Ok(Err(e));
                }
            }
        } else {
            for item in seq.try_iter()? {
                if let Err(e) = one(&mut out, &item?)? {
                    return Ok(Err(e));
                }
            }
        }
        return Ok(Ok(Instants::PerLead(out)));
    }
    Ok(instant(obj)?.map(Instants::One))
}

/// Reads host records (mappings) column by column into core's [`Rows`], with the problems met
/// reading them: a row that is not a mapping, a value without a JSON form.
pub(crate) fn read_rows<'py>(
    py: Python<'py>,
    rows: impl Iterator<Item = Bound<'py, PyAny>>,
    schema: &Schema,
) -> PyResult<Rows> {
    let keys = Keys::new(py, schema);
    let n = rows.size_hint().0;
    let mut ids = Builder::with_capacity(n);
    let mut cols: Vec<Builder> = schema
        .fields
        .iter()
        .map(|_| Builder::with_capacity(n))
        .collect();
    // the types of the fields that hold points (a set is refused there)
    let points: Vec<Option<&Type>> = schema
        .fields
        .iter()
        .map(|f| has_point(&f.ty).then_some(&f.ty))
        .collect();
    let mut problems = Vec::new();
    let mut lost: Vec<(usize, usize)> = Vec::new();
    let mut scratch = Vec::new();
    let mut count = 0;
    for (row, obj) in rows.enumerate() {
        count = row + 1;
        let dict = obj.cast::<PyDict>().ok();
        if dict.is_none() && obj.cast::<PyMapping>().is_err() {
            let value =
                py_to_json(&obj)?.map_err(|_| format!("a value of type `{}`", type_name(&obj)));
            problems.push(Problem::NotARecord { row, value });
            ids.push_missing();
            cols.iter_mut().for_each(Builder::push_missing);
            continue;
        }
        match get(&obj, dict, keys.id.bind(py))? {
            Some(v) => {
                if !ids.push_known(&v, false)? {
                    if let Err(e) = ids.push(&v, false, false, &mut scratch)? {
                        problems.push(Problem::Unreadable {
                            row,
                            field: None,
                            found: e.0,
                        });
                    }
                }
            }
            None => ids.push_missing(),
        }
        for (f, ((_, key), col)) in keys.fields.iter().zip(cols.iter_mut()).enumerate() {
            match get(&obj, dict, key.bind(py))? {
                Some(v) => {
                    if col.push_known(&v, dict.is_some())? {
                        continue;
                    }
                    if let Some(ty) = points.get(f).copied().flatten() {
                        if set_as_point(&v, ty)? {
                            problems.push(Problem::Unreadable {
                                row,
                                field: Some(f),
                                found: SET_POINT.into(),
                            });
                            col.push_missing();
                            continue;
                        }
                    }
                    scratch.clear();
                    let r = col.push(&v, true, dict.is_some(), &mut scratch)?;
                    lost.extend(scratch.iter().map(|r| (*r, f)));
                    if let Err(e) = r {
                        problems.push(Problem::Unreadable {
                            row,
                            field: Some(f),
                            found: e.0,
                        });
                    }
                }
                None => col.push_missing(),
            }
        }
    }
    // a non-finite float that had to become JSON: the row's error says so
    problems.extend(lost.into_iter().map(|(row, f)| Problem::Unreadable {
        row,
        field: Some(f),
        found: NOT_FINITE.into(),
    }));
    let cols = cols.into_iter().map(Builder::finish).collect();
    Ok(Rows::in_schema_order(PYTHON, count, ids.finish(), schema, cols).with_problems(problems))
}

/// How a non-finite float that a column had to hold as JSON is described.
const NOT_FINITE: &str = "a value that is not a finite number";

/// A column given by the host (any sequence; numpy arrays and pandas Series through
/// `tolist()`) as a core column.
///
/// `ty`: the field's type (`None` for the ids); where it holds points, a point given as a set
/// is refused.
pub(crate) fn column(
    obj: &Bound<'_, PyAny>,
    name: &str,
    ty: Option<&Type>,
) -> PyResult<Result<Column, ErrorReport>> {
    let bad = || {
        request_error(
            format!(
                "column `{name}` must be a sequence of values, not a `{}`",
                type_name(obj)
            ),
            "pass a dict of lists (or numpy arrays / pandas Series), one per field",
        )
    };
    if obj.is_instance_of::<PyString>() || obj.cast::<PyMapping>().is_ok() {
        return Ok(Err(bad()));
    }
    let seq = if obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>() {
        obj.clone()
    } else if obj.hasattr("tolist")? {
        obj.call_method0("tolist")?
    } else {
        match obj.try_iter() {
            Ok(it) => {
                let items: Vec<Bound<'_, PyAny>> = it.collect::<PyResult<_>>()?;
                PyList::new(obj.py(), items)?.into_any()
            }
            Err(_) => return Ok(Err(bad())),
        }
    };
    let mut b = Builder::with_capacity(reserve_for(&seq));
    let mut lost = Vec::new();
    let dedupe = name != "id";
    let points = ty.filter(|t| has_point(t));
    let set_point =
        |i: usize| host::unreadable(PYTHON, host::Owner::Position(i + 1), name, SET_POINT);
    if let Ok(list) = seq.cast::<PyList>() {
        for (i, x) in list.iter().enumerate() {
            if b.push_known(&x, true)? {
                continue;
            }
            if let Some(ty) = points {
                if set_as_point(&x, ty)? {
                    return Ok(Err(set_point(i)));
                }
            }
            if let Err(e) = b.push(&x, dedupe, true, &mut lost)? {
                return Ok(Err(host::unreadable(
                    PYTHON,
                    host::Owner::Position(i + 1),
                    name,
                    &e.0,
                )));
            }
        }
    } else {
        for (i, x) in seq.try_iter()?.enumerate() {
            let x = x?;
            if let Some(ty) = points {
                if set_as_point(&x, ty)? {
                    return Ok(Err(set_point(i)));
                }
            }
            if let Err(e) = b.push(&x, dedupe, true, &mut lost)? {
                return Ok(Err(host::unreadable(
                    PYTHON,
                    host::Owner::Position(i + 1),
                    name,
                    &e.0,
                )));
            }
        }
    }
    if let Some(i) = lost.first() {
        return Ok(Err(host::unreadable(
            PYTHON,
            host::Owner::Position(i + 1),
            name,
            NOT_FINITE,
        )));
    }
    Ok(Ok(b.finish()))
}
