//! Conversions between Python values and JSON, and the few core values a call takes (points,
//! instants). No decisions are taken here.

use leadrail_core::api::{InstantJson, MAX_HOST_DEPTH, MAX_HOST_RESERVE};
use leadrail_core::geo::GeoPoint;
use leadrail_core::host::{self, Instants, Owner};
use leadrail_core::report::ErrorReport;
use leadrail_core::value::{EpochMs, Type};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{
    PyBool, PyBytes, PyDict, PyFloat, PyFrozenSet, PyInt, PyList, PyMapping, PySequence, PySet,
    PyString, PyTuple, PyType,
};
use serde_json::{Map, Value as Json};

use crate::exceptions::from_report;
use crate::PYTHON;

/// A Python value without a JSON form: its description, and the key of the outermost mapping
/// it is under (if any).
pub(crate) struct Unsupported {
    pub(crate) found: String,
    pub(crate) key: Option<String>,
    /// A naive datetime (`found` is how it prints): core says what to pass instead.
    pub(crate) naive: bool,
}

fn unsupported(found: String) -> Unsupported {
    Unsupported {
        found,
        key: None,
        naive: false,
    }
}

impl Unsupported {
    pub(crate) fn naive(shown: String) -> Unsupported {
        Unsupported {
            naive: true,
            ..unsupported(shown)
        }
    }
}

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
        let class = |m: &Bound<'_, PyModule>, name| -> PyResult<Py<PyType>> {
            Ok(m.getattr(name)?.cast_into::<PyType>()?.unbind())
        };
        Ok(Classes {
            datetime: class(&dt, "datetime")?,
            date: class(&dt, "date")?,
            timedelta: class(&dt, "timedelta")?,
            decimal: class(&py.import("decimal")?, "Decimal")?,
        })
    })
}

/// How `x` prints when it is a naive datetime (a `datetime` whose `utcoffset()` is `None`;
/// pandas' `NaT` aside), else `None`.
pub(crate) fn naive(x: &Bound<'_, PyAny>) -> PyResult<Option<String>> {
    let py = x.py();
    if !x.is_instance(classes(py)?.datetime.bind(py))? || !x.call_method0("utcoffset")?.is_none() {
        return Ok(None);
    }
    if x.get_type().name()?.to_str()? == "NaTType" {
        return Ok(None);
    }
    Ok(Some(x.str()?.to_str()?.to_owned()))
}

/// The package's Python module `name`, imported once (into `cell`).
pub(crate) fn package_module<'py>(
    py: Python<'py>,
    cell: &'static PyOnceLock<Py<PyModule>>,
    name: &str,
) -> PyResult<&'py Bound<'py, PyModule>> {
    let m = cell.get_or_try_init(py, || Ok::<_, PyErr>(py.import(name)?.unbind()))?;
    Ok(m.bind(py))
}

/// The Python type name of `obj`, for messages.
pub(crate) fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "object".to_owned())
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

/// How a point given as a set (refused) is described.
const SET_POINT: &str = "a point given as a set (unordered); pass a mapping `{\"lat\": .., \"lon\": ..}` or an ordered pair `(lat, lon)`";

/// A Python value as JSON: `None`, `bool`, `int` (64-bit), finite `float`, `str`, lists,
/// tuples, sets, mappings with text keys; `datetime`/`date` as ISO 8601 text (a naive datetime
/// keeps no offset, which core rejects), `Decimal` as its exact text, `timedelta` as
/// milliseconds (`"90000ms"`); objects with `__index__` (numpy integers) as ints and other
/// objects with `__float__` (numpy floats) as floats. Lists and mappings nested deeper than
/// [`MAX_HOST_DEPTH`] (or containing themselves) have no JSON form; a claimed `__len__` only
/// sizes a reservation up to [`MAX_HOST_RESERVE`]. `ty`: the type the value is read as, where
/// a point (descending into sets and maps) given as a `set` has no JSON form either (unordered,
/// it has no latitude and longitude).
pub(crate) fn py_to_json(
    obj: &Bound<'_, PyAny>,
    ty: Option<&Type>,
) -> PyResult<Result<Json, Unsupported>> {
    to_json(obj, 0, ty)
}

/// [`py_to_json`] of a value inside `depth` lists or mappings.
fn to_json(
    obj: &Bound<'_, PyAny>,
    depth: usize,
    ty: Option<&Type>,
) -> PyResult<Result<Json, Unsupported>> {
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
    let inner = match ty {
        Some(Type::Set(t) | Type::Map(_, t)) => Some(&**t),
        _ => None,
    };
    let too_deep = depth >= MAX_HOST_DEPTH;
    if let Ok(d) = obj.cast::<PyDict>() {
        return mapping_json(d.items().into_any(), depth, inner, too_deep);
    }
    let set = obj.is_instance_of::<PySet>() || obj.is_instance_of::<PyFrozenSet>();
    if set && matches!(ty, Some(Type::GeoPoint)) {
        return Ok(Err(unsupported(SET_POINT.into())));
    }
    if set || obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>() {
        if too_deep {
            return Ok(Err(deep()));
        }
        let mut items = Vec::with_capacity(reserve_for(obj));
        for item in obj.try_iter()? {
            match to_json(&item?, depth + 1, inner)? {
                Ok(j) => items.push(j),
                Err(e) => return Ok(Err(e)),
            }
        }
        return Ok(Ok(Json::Array(items)));
    }
    let c = classes(py)?;
    if obj.is_instance(c.datetime.bind(py))? || obj.is_instance(c.date.bind(py))? {
        return Ok(Ok(Json::String(obj.call_method0("isoformat")?.extract()?)));
    }
    if obj.is_instance(c.decimal.bind(py))? {
        return Ok(Ok(Json::String(obj.str()?.extract()?)));
    }
    if obj.is_instance(c.timedelta.bind(py))? {
        let part = |name| -> PyResult<i64> { obj.getattr(name)?.extract() };
        let (days, secs, micros) = (part("days")?, part("seconds")?, part("microseconds")?);
        let ms = days
            .checked_mul(86_400_000)
            .and_then(|d| d.checked_add(secs * 1000 + micros / 1000));
        return Ok(match ms {
            Some(ms) => Ok(Json::String(format!("{ms}ms"))),
            None => Err(unsupported("a timedelta out of range".into())),
        });
    }
    if obj.cast::<PyMapping>().is_ok() {
        // the items view iterated (not `PyMapping_Items`, which sizes a list from `__len__`)
        let items = obj.call_method0(pyo3::intern!(py, "items"))?;
        return mapping_json(items, depth, inner, too_deep);
    }
    if obj.hasattr("__index__")? {
        return Ok(int_json(&obj.call_method0("__index__")?));
    }
    if obj.hasattr("__float__")? {
        return Ok(float_json(obj.call_method0("__float__")?.extract()?));
    }
    Ok(Err(unsupported(format!(
        "a value of type `{}`",
        type_name(obj)
    ))))
}

/// Why a value nested deeper than [`MAX_HOST_DEPTH`] has no JSON form.
fn deep() -> Unsupported {
    unsupported(format!(
        "a value nested more than {MAX_HOST_DEPTH} levels deep (or a list or mapping that \
         contains itself)"
    ))
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
    Err(unsupported(format!(
        "the integer `{shown}...`, which is out of the 64-bit range"
    )))
}

pub(crate) fn float_json(x: f64) -> Result<Json, Unsupported> {
    serde_json::Number::from_f64(x)
        .map(Json::Number)
        .ok_or_else(|| unsupported(format!("`{x}`, which is not a finite number")))
}

/// The JSON object of a mapping's `items` inside `depth` lists or mappings (`too_deep`: it is
/// one level too many); a value without a JSON form of the outermost mapping is returned with
/// its key.
fn mapping_json(
    items: Bound<'_, PyAny>,
    depth: usize,
    values: Option<&Type>,
    too_deep: bool,
) -> PyResult<Result<Json, Unsupported>> {
    if too_deep {
        return Ok(Err(deep()));
    }
    let mut map = Map::new();
    for pair in items.try_iter()? {
        let (k, v): (Bound<'_, PyAny>, Bound<'_, PyAny>) = pair?.extract()?;
        let Ok(k) = k.cast::<PyString>() else {
            return Ok(Err(unsupported(format!(
                "a mapping with a key of type `{}` (keys must be text)",
                type_name(&k)
            ))));
        };
        let k = k.to_str()?.to_owned();
        match to_json(&v, depth + 1, values)? {
            Ok(j) => {
                map.insert(k, j);
            }
            Err(mut e) => {
                if depth == 0 {
                    e.key = Some(k);
                }
                return Ok(Err(e));
            }
        }
    }
    Ok(Ok(Json::Object(map)))
}

/// A host argument as JSON; a value without a JSON form is a data error naming the argument
/// (`what`, e.g. `state`, `timelines[2]`; with `by_lead`, the record of the mapping's `lead`
/// when it has one) and the key it is under.
pub(crate) fn argument_json(obj: &Bound<'_, PyAny>, what: &str, by_lead: bool) -> PyResult<Json> {
    py_to_json(obj, None)?.map_err(|e| {
        let lead = match by_lead {
            true => obj
                .get_item("lead")
                .and_then(|l| l.extract::<String>())
                .ok(),
            false => None,
        };
        let owner = lead.as_deref().map_or(Owner::Argument(what), Owner::Record);
        let field = e.key.as_deref().unwrap_or("");
        from_report(obj.py(), host::unreadable(PYTHON, owner, field, &e.found))
    })
}

/// The timelines of a call (any iterable of mappings but a `str` or a mapping) as JSON, each
/// read as [`argument_json`] reads `timelines[i]`; anything else is refused as not `expected`
/// (with `help`).
pub(crate) fn timelines_json(
    obj: &Bound<'_, PyAny>,
    expected: &str,
    help: &str,
) -> PyResult<Vec<Json>> {
    let bad = || {
        let e = host::wrong_argument("`timelines`", expected, Some(&found(obj)), help);
        from_report(obj.py(), e)
    };
    if obj.is_instance_of::<PyString>() || obj.cast::<PyMapping>().is_ok() {
        return Err(bad());
    }
    let mut list = Vec::with_capacity(reserve_for(obj));
    for (i, t) in obj.try_iter().map_err(|_| bad())?.enumerate() {
        list.push(argument_json(&t?, &format!("timelines[{i}]"), true)?);
    }
    Ok(list)
}

/// A JSON value as plain Python objects (dict, list, str, int, float, bool, None).
pub(crate) fn json_to_py<'py>(py: Python<'py>, value: &Json) -> PyResult<Bound<'py, PyAny>> {
    Ok(match value {
        Json::Null => py.None().into_bound(py),
        Json::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        Json::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => i.into_pyobject(py)?.into_any(),
            (None, Some(u)) => u.into_pyobject(py)?.into_any(),
            _ => PyFloat::new(py, n.as_f64().unwrap_or(f64::NAN)).into_any(),
        },
        Json::String(s) => PyString::new(py, s).into_any(),
        Json::Array(items) => {
            let items = items.iter().map(|x| json_to_py(py, x));
            PyList::new(py, items.collect::<PyResult<Vec<_>>>()?)?.into_any()
        }
        Json::Object(map) => {
            let dict = PyDict::new(py);
            for (k, v) in map {
                dict.set_item(k, json_to_py(py, v)?)?;
            }
            dict.into_any()
        }
    })
}

/// `x` in the wire form (core's serde JSON) as plain Python objects.
pub(crate) fn wire<'py>(py: Python<'py>, x: &impl serde::Serialize) -> PyResult<Bound<'py, PyAny>> {
    let json = serde_json::to_value(x)
        .map_err(|e| crate::exceptions::LeadrailError::new_err(e.to_string()))?;
    json_to_py(py, &json)
}

/// A finite float from a Python `int` or `float` (not `bool`, not `str`).
fn number(obj: &Bound<'_, PyAny>, record: &str, field: &str) -> PyResult<f64> {
    let x = match obj.is_instance_of::<PyBool>() || obj.is_instance_of::<PyString>() {
        true => None,
        false => obj.extract::<f64>().ok(),
    };
    if let Some(x) = x.filter(|x| x.is_finite()) {
        return Ok(x);
    }
    let name = type_name(obj);
    let found = match x {
        Some(x) => host::Coordinate::NotFinite(x),
        None => host::Coordinate::NotANumber(&name),
    };
    let e = host::bad_coordinate(record, field, found);
    Err(from_report(obj.py(), e))
}

/// How a Python value is named in messages: "a `list`".
pub(crate) fn found(obj: &Bound<'_, PyAny>) -> String {
    format!("a `{}`", type_name(obj))
}

/// A point from a mapping `{"lat": .., "lon": ..}` or a pair `(lat, lon)`; `record` names the
/// argument or record in errors.
pub(crate) fn geo_point(obj: &Bound<'_, PyAny>, record: &str) -> PyResult<GeoPoint> {
    let py = obj.py();
    if let Ok(map) = obj.cast::<PyMapping>() {
        let coord = |field: &str| -> PyResult<f64> {
            match map.get_item(field) {
                Ok(v) if !v.is_none() => number(&v, record, field),
                _ => Err(from_report(
                    py,
                    host::bad_coordinate(record, field, host::Coordinate::Missing),
                )),
            }
        };
        return Ok(GeoPoint {
            lat: coord("lat")?,
            lon: coord("lon")?,
        });
    }
    if !obj.is_instance_of::<PyString>() {
        if let Ok(seq) = obj.cast::<PySequence>() {
            if seq.len().ok() == Some(2) {
                return Ok(GeoPoint {
                    lat: number(&seq.get_item(0)?, record, "lat")?,
                    lon: number(&seq.get_item(1)?, record, "lon")?,
                });
            }
        }
    }
    let expected = "a mapping with `lat` and `lon` or a pair (lat, lon)";
    let e = host::not_a_point(record, expected, &type_name(obj));
    Err(from_report(py, e))
}

/// Points from any iterable of points; an item's errors name it `name[index]` (0-based).
pub(crate) fn geo_points(obj: &Bound<'_, PyAny>, name: &str) -> PyResult<Vec<GeoPoint>> {
    let not_iterable = || {
        let e = host::not_points(name, "an iterable", &type_name(obj));
        from_report(obj.py(), e)
    };
    if obj.is_instance_of::<PyString>() || obj.cast::<PyMapping>().is_ok() {
        return Err(not_iterable());
    }
    let iter = obj.try_iter().map_err(|_| not_iterable())?;
    let mut points = Vec::with_capacity(reserve_for(obj));
    for (i, item) in iter.enumerate() {
        points.push(geo_point(&item?, &format!("{name}[{i}]"))?);
    }
    Ok(points)
}

/// An instant: an `int` (ms since the epoch), an RFC 3339 `str`, or an aware `datetime`.
pub(crate) fn instant(obj: &Bound<'_, PyAny>) -> PyResult<Result<EpochMs, ErrorReport>> {
    let py = obj.py();
    let bad = || {
        let expected =
            "milliseconds since the epoch (int), an RFC 3339 string or an aware datetime";
        let help =
            "pass e.g. `datetime.now(timezone.utc)`, `\"2026-11-24T09:00:00Z\"` or `1795510800000`";
        host::wrong_argument("`now`", expected, Some(&found(obj)), help)
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
        if let Some(shown) = naive(obj)? {
            return Ok(Err(host::naive_now(&shown)));
        }
        let text: String = obj.call_method0("isoformat")?.extract()?;
        return Ok(InstantJson::Text(text).millis());
    }
    Ok(Err(bad()))
}

/// `now` of a batch: one instant; one per lead (any sequence: a list, a tuple, a `range`, a
/// numpy array, a pandas Series, a pyarrow array); or `{"start": instant, "step": step}` (the
/// step in milliseconds, a `timedelta` or a duration text), read by core.
pub(crate) fn now_arg(obj: &Bound<'_, PyAny>) -> PyResult<Result<Instants, ErrorReport>> {
    if let Ok(map) = obj.cast::<PyMapping>() {
        let mut json = Map::new();
        for kv in map.items()?.iter() {
            let (k, v): (String, Bound<'_, PyAny>) = kv.extract()?;
            let v = match (k.as_str(), v) {
                ("start", v) => match instant(&v)? {
                    Ok(t) => Json::from(t),
                    Err(e) => return Ok(Err(e)),
                },
                (_, v) => py_to_json(&v, None)?.unwrap_or(Json::Null),
            };
            json.insert(k, v);
        }
        return Ok(Instants::from_json(&Json::Object(json)));
    }
    let one = obj.is_instance_of::<PyString>() || obj.is_instance_of::<PyInt>();
    let seq = obj.try_iter().is_ok() || obj.hasattr("tolist")?;
    if one || obj.is_instance_of::<PyBytes>() || !seq {
        return Ok(instant(obj)?.map(Instants::One));
    }
    let seq = crate::frames::values(obj)?;
    let mut out = Vec::with_capacity(reserve_for(&seq));
    for item in seq.try_iter()? {
        let item = item?;
        // an exact int (the common case) inline, anything else through `instant`
        let t = match item.is_exact_instance_of::<PyInt>() {
            true => item.extract::<i64>().ok(),
            false => None,
        };
        match t.map_or_else(|| instant(&item), |t| Ok(Ok(t)))? {
            Ok(t) => out.push(t),
            Err(e) => return Ok(Err(e)),
        }
    }
    Ok(Ok(Instants::PerLead(out)))
}
