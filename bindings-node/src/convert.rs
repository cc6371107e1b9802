//! Conversions of single JavaScript values: values to JSON, instants, the `exclude` option and
//! points. No decisions are taken here.

use leadrail_core::api::{request_error, InstantJson, MAX_HOST_DEPTH, MAX_HOST_RESERVE};
use leadrail_core::geo::GeoPoint;
use leadrail_core::host::{
    self, bad_coordinate, hole, not_a_point, not_points, number_json, whole, Coordinate, Host,
    Instants,
};
use leadrail_core::report::ErrorReport;
use leadrail_core::value::EpochMs;
use napi::bindgen_prelude::*;
use napi::ValueType;
use serde_json::{Map, Value as Json};

use crate::errors;

/// What core's messages say about JavaScript values and code.
pub(crate) const NODE: Host = Host {
    values: "numbers, strings, booleans, bigints, arrays, objects, Dates or null",
    lead_code: "a getter or Proxy of a lead",
};

/// Why a value has no JSON form, as core's messages show it (e.g. "a value of type `symbol`").
pub(crate) type Unreadable = String;

fn text(value: Unknown<'_>) -> Result<String> {
    Ok(value.coerce_to_string()?.into_utf8()?.as_str()?.to_owned())
}

/// The JavaScript name of a value's type, for messages.
pub(crate) fn type_name(value: &Unknown<'_>) -> &'static str {
    match value.get_type() {
        Ok(ValueType::Undefined) => "undefined",
        Ok(ValueType::Null) => "null",
        Ok(ValueType::Boolean) => "boolean",
        Ok(ValueType::Number) => "number",
        Ok(ValueType::String) => "string",
        Ok(ValueType::Symbol) => "symbol",
        Ok(ValueType::Object) => match value.is_array() {
            Ok(true) => "array",
            _ => "object",
        },
        Ok(ValueType::Function) => "function",
        Ok(ValueType::External) => "external",
        Ok(ValueType::BigInt) => "bigint",
        _ => "unknown",
    }
}

fn date_json(value: Unknown<'_>) -> Result<std::result::Result<Json, Unreadable>> {
    let ms = value.coerce_to_number()?.get_double()?;
    if !ms.is_finite() {
        return Ok(Err("an invalid Date".into()));
    }
    Ok(
        match chrono::DateTime::<chrono::Utc>::from_timestamp_millis(ms as i64) {
            Some(t) => Ok(Json::String(
                t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
            )),
            None => Err("a Date out of range".into()),
        },
    )
}

/// A JavaScript value as JSON: `null`/`undefined`, booleans, finite numbers (integral ones as
/// integers), strings, bigints in the 64-bit range, arrays, `Date`s (as RFC 3339 in UTC) and
/// plain objects. Arrays and objects nested deeper than [`MAX_HOST_DEPTH`] (or containing
/// themselves), and sparse arrays (a hole: an index below `length` without an item), have no
/// JSON form.
pub(crate) fn js_to_json(value: Unknown<'_>) -> Result<std::result::Result<Json, Unreadable>> {
    js_to_json_at(value, 0)
}

/// The room to reserve for an array of `len` items: its `length` is a claim (a sparse array's
/// may be 2^32 - 1), so at most [`MAX_HOST_RESERVE`]; vectors grow as the items arrive.
pub(crate) fn reserve(len: u32) -> usize {
    (len as usize).min(MAX_HOST_RESERVE)
}

/// Item `i` of the array `arr`, or `None` for a hole: an index below its (current) `length`
/// with no item (which reads as `undefined`), as in a sparse array. (An index at or beyond the
/// length, of an array a getter shortened while it was read, reads as `undefined`.)
pub(crate) fn element<'a>(arr: &Object<'a>, i: u32) -> Result<Option<Unknown<'a>>> {
    let v = arr.get_element::<Unknown>(i)?;
    if v.get_type()? == ValueType::Undefined
        && !arr.has_element(i)?
        && i < arr.get_array_length()?
    {
        return Ok(None);
    }
    Ok(Some(v))
}

/// [`js_to_json`] of a value inside `depth` arrays or objects.
fn js_to_json_at(
    value: Unknown<'_>,
    depth: usize,
) -> Result<std::result::Result<Json, Unreadable>> {
    Ok(match value.get_type()? {
        ValueType::Undefined | ValueType::Null => Ok(Json::Null),
        ValueType::Boolean => Ok(Json::Bool(value.coerce_to_bool()?)),
        ValueType::Number => number_json(value.coerce_to_number()?.get_double()?),
        ValueType::String => Ok(Json::String(text(value)?)),
        ValueType::BigInt => {
            let s = text(value)?;
            match s.parse::<i64>() {
                Ok(i) => Ok(Json::from(i)),
                Err(_) => Err(format!(
                    "the bigint `{s}`, which is out of the 64-bit range"
                )),
            }
        }
        ValueType::Object if value.is_date()? => return date_json(value),
        ValueType::Object if depth >= MAX_HOST_DEPTH => Err(format!(
            "a value nested more than {MAX_HOST_DEPTH} levels deep (or an array or object that \
             contains itself)"
        )),
        ValueType::Object if value.is_array()? => {
            let arr = value.coerce_to_object()?;
            let len = arr.get_array_length()?;
            let mut items = Vec::with_capacity(reserve(len));
            for i in 0..len {
                let Some(item) = element(&arr, i)? else {
                    return Ok(Err(format!("a sparse array (its item {i} is a hole)")));
                };
                match js_to_json_at(item, depth + 1)? {
                    Ok(j) => items.push(j),
                    Err(e) => return Ok(Err(e)),
                }
            }
            Ok(Json::Array(items))
        }
        ValueType::Object => match object_json(value, depth)? {
            Ok(j) => Ok(j),
            Err((_, e)) => Err(e),
        },
        other => Err(format!("a value of type `{other}`")),
    })
}

/// An object's own enumerable properties as a JSON object (values inside `depth + 1`); a value
/// without a JSON form is returned with the key it is under.
fn object_json(
    value: Unknown<'_>,
    depth: usize,
) -> Result<std::result::Result<Json, (String, Unreadable)>> {
    let obj = value.coerce_to_object()?;
    let mut map = Map::new();
    for k in Object::keys(&obj)? {
        match js_to_json_at(obj.get_named_property::<Unknown>(&k)?, depth + 1)? {
            Ok(j) => {
                map.insert(k, j);
            }
            Err(e) => return Ok(Err((k, e))),
        }
    }
    Ok(Ok(Json::Object(map)))
}

/// A host argument as JSON, a plain object key by key: a value without a JSON form is returned
/// with the key it is under (`None` when `value` is not a plain object).
pub(crate) fn fields_json(
    value: Unknown<'_>,
) -> Result<std::result::Result<Json, (Option<String>, Unreadable)>> {
    let is_object =
        value.get_type()? == ValueType::Object && !value.is_array()? && !value.is_date()?;
    Ok(match is_object {
        true => object_json(value, 0)?.map_err(|(k, e)| (Some(k), e)),
        false => js_to_json(value)?.map_err(|e| (None, e)),
    })
}

/// [`fields_json`], a value without a JSON form being a data error naming `record` and the key.
pub(crate) fn json_arg(
    value: Unknown<'_>,
    record: &str,
) -> Result<std::result::Result<Json, ErrorReport>> {
    Ok(fields_json(value)?.map_err(|(key, why)| {
        host::unreadable(
            NODE,
            host::Owner::Record(record),
            key.as_deref().unwrap_or(""),
            &why,
        )
    }))
}

/// An instant: a number (ms since the epoch), an RFC 3339 string or a `Date`.
pub(crate) fn instant(value: Unknown<'_>) -> Result<std::result::Result<EpochMs, ErrorReport>> {
    let bad = |v: &Unknown<'_>| {
        request_error(
            format!(
                "`now` must be milliseconds since the epoch, an RFC 3339 string or a Date, not {}",
                type_name(v)
            ),
            "pass e.g. `new Date()`, `\"2026-11-24T09:00:00Z\"` or `1795510800000`",
        )
    };
    Ok(match value.get_type()? {
        ValueType::Number => {
            let x = value.coerce_to_number()?.get_double()?;
            if whole(x) {
                Ok(x as i64)
            } else {
                Err(bad(&value))
            }
        }
        ValueType::String => InstantJson::Text(text(value)?).millis(),
        ValueType::Object if value.is_date()? => {
            let x = value.coerce_to_number()?.get_double()?;
            if x.is_finite() {
                Ok(x as i64)
            } else {
                Err(bad(&value))
            }
        }
        _ => Err(bad(&value)),
    })
}

/// Whether an object has a `start` or a `step` (`now` as a start and a step).
fn starts(now: &Unknown<'_>) -> Result<bool> {
    let o = now.coerce_to_object()?;
    Ok(o.has_named_property("start")? || o.has_named_property("step")?)
}

/// `now` of a batch: `times`, the instants index.js packed when `now` is an array of integral
/// numbers, else `now` as given (one instant, an array of them, or `{ start, step }`).
pub(crate) fn now_arg(
    times: Option<Float64ArraySlice<'_>>,
    now: Unknown<'_>,
) -> Result<std::result::Result<Instants, ErrorReport>> {
    if let Some(t) = times {
        if t.iter().all(|x| whole(*x)) {
            return Ok(Ok(Instants::PerLead(
                t.iter().map(|x| *x as EpochMs).collect(),
            )));
        }
    }
    let object = now.get_type()? == ValueType::Object;
    if object && !now.is_array()? && !now.is_date()? && starts(&now)? {
        // `{ start, step }`: read by core
        return Ok(match js_to_json(now)? {
            Ok(json) => Instants::from_json(&json),
            Err(found) => Err(request_error(
                format!("`now` must be an instant, an array of them or {{ start, step }}: cannot read {found}"),
                "pass e.g. `{ start: new Date(), step: 60000 }`",
            )),
        });
    }
    if !object || !now.is_array()? {
        return Ok(instant(now)?.map(Instants::One));
    }
    let arr = now.coerce_to_object()?;
    let len = arr.get_array_length()?;
    let mut out = Vec::with_capacity(reserve(len));
    for i in 0..len {
        let Some(item) = element(&arr, i)? else {
            return Ok(Err(hole("now", i.into(), format!("now[{i}]"), None)));
        };
        match instant(item)? {
            Ok(t) => out.push(t),
            Err(e) => return Ok(Err(e)),
        }
    }
    Ok(Ok(Instants::PerLead(out)))
}

/// The partner ids of a call's `exclude` option: an array of strings, read item by item (its
/// `length` only bounds the reading; a hole, or a value that is not a string, is an error
/// naming `exclude[i]`).
pub(crate) fn exclude(value: Unknown<'_>) -> Result<std::result::Result<Vec<String>, ErrorReport>> {
    let bad = |record: String, message: String| {
        Ok(Err(request_error(
            message,
            "pass e.g. `{ exclude: ['P1', 'P2'] }`",
        )
        .with_record(record)))
    };
    match value.get_type()? {
        ValueType::Undefined | ValueType::Null => return Ok(Ok(Vec::new())),
        ValueType::Object if value.is_array()? => {}
        _ => {
            let t = type_name(&value);
            return bad(
                "exclude".into(),
                format!("`exclude` must be an array of partner ids, not {t}"),
            );
        }
    }
    let arr = value.coerce_to_object()?;
    let len = arr.get_array_length()?;
    let mut out = Vec::with_capacity(reserve(len));
    for i in 0..len {
        let Some(v) = element(&arr, i)? else {
            return Ok(Err(hole(
                "exclude",
                i.into(),
                format!("exclude[{i}]"),
                None,
            )));
        };
        if v.get_type()? != ValueType::String {
            let t = type_name(&v);
            return bad(
                format!("exclude[{i}]"),
                format!("`exclude[{i}]` must be a partner id (a string), not {t}"),
            );
        }
        out.push(text(v)?);
    }
    Ok(Ok(out))
}

/// A finite number from a JavaScript `number`: the `field` of a point, the argument `record`.
fn number(env: &Env, value: Unknown<'_>, record: &str, field: &str) -> Result<f64> {
    let found = match value.get_type()? {
        ValueType::Number => match value.coerce_to_number()?.get_double()? {
            x if x.is_finite() => return Ok(x),
            x => Coordinate::NotFinite(x),
        },
        ValueType::Undefined | ValueType::Null => Coordinate::Missing,
        _ => Coordinate::NotANumber(type_name(&value)),
    };
    Err(errors::from_report(
        env,
        bad_coordinate(record, field, found),
    ))
}

/// A point from `{ lat, lon }` or `[lat, lon]`; `record` names the argument or record in errors.
pub(crate) fn geo_point(env: &Env, value: Unknown<'_>, record: &str) -> Result<GeoPoint> {
    if value.get_type()? == ValueType::Object {
        let obj = value.coerce_to_object()?;
        let (lat, lon) = match value.is_array()? {
            true if obj.get_array_length()? == 2 => (
                Some(obj.get_element::<Unknown>(0)?),
                Some(obj.get_element::<Unknown>(1)?),
            ),
            true => (None, None),
            false => (
                Some(obj.get_named_property::<Unknown>("lat")?),
                Some(obj.get_named_property::<Unknown>("lon")?),
            ),
        };
        if let (Some(lat), Some(lon)) = (lat, lon) {
            return Ok(GeoPoint {
                lat: number(env, lat, record, "lat")?,
                lon: number(env, lon, record, "lon")?,
            });
        }
    }
    let shapes = "an object with `lat` and `lon` or a pair [lat, lon]";
    let r = not_a_point(record, shapes, type_name(&value));
    Err(errors::from_report(env, r))
}

/// Points from an array of points; an item's errors name it `name[index]` (0-based).
pub(crate) fn geo_points(env: &Env, value: Unknown<'_>, name: &str) -> Result<Vec<GeoPoint>> {
    if value.get_type()? != ValueType::Object || !value.is_array()? {
        let r = not_points(name, "an array", type_name(&value));
        return Err(errors::from_report(env, r));
    }
    let arr = value.coerce_to_object()?;
    let len = arr.get_array_length()?;
    let mut points = Vec::with_capacity(reserve(len));
    for i in 0..len {
        let record = format!("{name}[{i}]");
        let Some(item) = element(&arr, i)? else {
            return Err(errors::from_report(env, hole(name, i.into(), record, None)));
        };
        points.push(geo_point(env, item, &record)?);
    }
    Ok(points)
}
