//! Conversions between Python objects and core values. No decisions are taken here.

use leadrail_core::geo::GeoPoint;
use leadrail_core::report::{codes, ErrorReport};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyList, PyMapping, PySequence, PyString};

use crate::exceptions;

/// A data error report about `field` of the argument or record `record`.
pub(crate) fn data_report(code: &str, record: &str, field: &str, message: String) -> ErrorReport {
    ErrorReport::error(code, message)
        .with_record(record)
        .with_field(field)
}

/// The Python type name of `obj`, for messages.
fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "object".to_owned())
}

/// A finite float from a Python `int` or `float` (not `bool`, not `str`).
fn number(obj: &Bound<'_, PyAny>, record: &str, field: &str) -> PyResult<f64> {
    let py = obj.py();
    if obj.is_instance_of::<PyBool>() || obj.is_instance_of::<PyString>() {
        let msg = format!("`{field}` must be a number, not {}", type_name(obj));
        return Err(exceptions::from_report(
            py,
            data_report(codes::DATA_INVALID_FIELD, record, field, msg),
        ));
    }
    match obj.extract::<f64>() {
        Ok(x) if x.is_finite() => Ok(x),
        Ok(x) => {
            let msg = format!("`{field}` must be a finite number, not `{x}`");
            Err(exceptions::from_report(
                py,
                data_report(codes::DATA_INVALID_FIELD, record, field, msg),
            ))
        }
        Err(_) => {
            let msg = format!("`{field}` must be a number, not {}", type_name(obj));
            Err(exceptions::from_report(
                py,
                data_report(codes::DATA_INVALID_FIELD, record, field, msg),
            ))
        }
    }
}

/// A point from a mapping `{"lat": .., "lon": ..}` or a pair `(lat, lon)`; `record` names the
/// argument or record in errors.
pub(crate) fn geo_point(obj: &Bound<'_, PyAny>, record: &str) -> PyResult<GeoPoint> {
    let py = obj.py();
    if let Ok(map) = obj.cast::<PyMapping>() {
        let coord = |field: &str| -> PyResult<f64> {
            match map.get_item(field) {
                Ok(v) if !v.is_none() => number(&v, record, field),
                _ => Err(exceptions::from_report(
                    py,
                    data_report(
                        codes::DATA_MISSING_FIELD,
                        record,
                        field,
                        format!("missing field `{field}` of a point"),
                    ),
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
    let msg = format!(
        "a point must be a mapping with `lat` and `lon` or a pair (lat, lon), not {}",
        type_name(obj)
    );
    Err(exceptions::from_report(
        py,
        data_report(codes::DATA_INVALID_RECORD, record, "", msg),
    ))
}

/// Points from any iterable of points; an item's errors name it `name[index]` (0-based).
pub(crate) fn geo_points(obj: &Bound<'_, PyAny>, name: &str) -> PyResult<Vec<GeoPoint>> {
    let py = obj.py();
    let not_iterable = || {
        let msg = format!(
            "`{name}` must be an iterable of points, not {}",
            type_name(obj)
        );
        exceptions::from_report(py, data_report(codes::DATA_INVALID_RECORD, name, "", msg))
    };
    if obj.is_instance_of::<PyString>() || obj.cast::<PyMapping>().is_ok() {
        return Err(not_iterable());
    }
    let iter = obj.try_iter().map_err(|_| not_iterable())?;
    let mut points = Vec::with_capacity(crate::routing::reserve_for(obj));
    for (i, item) in iter.enumerate() {
        points.push(geo_point(&item?, &format!("{name}[{i}]"))?);
    }
    Ok(points)
}

/// A JSON value as plain Python objects (dict, list, str, int, float, bool, None).
pub(crate) fn json_to_py<'py>(
    py: Python<'py>,
    value: &serde_json::Value,
) -> PyResult<Bound<'py, PyAny>> {
    use serde_json::Value as J;
    Ok(match value {
        J::Null => py.None().into_bound(py),
        J::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        J::Number(n) => {
            if let Some(i) = n.as_i64() {
                i.into_pyobject(py)?.into_any()
            } else if let Some(u) = n.as_u64() {
                u.into_pyobject(py)?.into_any()
            } else {
                PyFloat::new(py, n.as_f64().unwrap_or(f64::NAN)).into_any()
            }
        }
        J::String(s) => PyString::new(py, s).into_any(),
        J::Array(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(json_to_py(py, item)?)?;
            }
            list.into_any()
        }
        J::Object(map) => {
            let dict = PyDict::new(py);
            for (k, v) in map {
                dict.set_item(k, json_to_py(py, v)?)?;
            }
            dict.into_any()
        }
    })
}

/// An error report as a plain dict, in the shared wire shape.
pub(crate) fn report_to_py<'py>(
    py: Python<'py>,
    report: &ErrorReport,
) -> PyResult<Bound<'py, PyAny>> {
    let value = serde_json::to_value(report)
        .map_err(|e| exceptions::LeadrailError::new_err(e.to_string()))?;
    json_to_py(py, &value)
}
