//! Conversions for routing: JavaScript records to JSON (then core records), instants, columns,
//! and decisions back to plain objects. No decisions are taken here.

use std::collections::HashMap;

use leadrail_core::api::{request_error, InstantJson};
use leadrail_core::record::{Column, Record};
use leadrail_core::report::{codes, ErrorReport, Severity};
use leadrail_core::route::{Decision, Outcome};
use leadrail_core::schema::Schema;
use leadrail_core::value::Instant;
use napi::bindgen_prelude::*;
use napi::ValueType;
use serde_json::{Map, Value as Json};

/// Why a JavaScript value has no JSON form (the value as shown in messages).
pub(crate) struct Unsupported(String);

const MAX_SAFE: f64 = 9_007_199_254_740_992.0;

fn text(value: Unknown<'_>) -> Result<String> {
    Ok(value.coerce_to_string()?.into_utf8()?.as_str()?.to_owned())
}

fn number_json(x: f64) -> std::result::Result<Json, Unsupported> {
    if !x.is_finite() {
        return Err(Unsupported(format!("`{x}`, which is not a finite number")));
    }
    // JavaScript has one number type: an integral value is an integer
    if x.fract() == 0.0 && x.abs() <= MAX_SAFE {
        return Ok(Json::from(x as i64));
    }
    serde_json::Number::from_f64(x)
        .map(Json::Number)
        .ok_or_else(|| Unsupported(format!("`{x}`")))
}

fn date_json(value: Unknown<'_>) -> Result<std::result::Result<Json, Unsupported>> {
    let ms = value.coerce_to_number()?.get_double()?;
    if !ms.is_finite() {
        return Ok(Err(Unsupported("an invalid Date".into())));
    }
    Ok(
        match chrono::DateTime::<chrono::Utc>::from_timestamp_millis(ms as i64) {
            Some(t) => Ok(Json::String(
                t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
            )),
            None => Err(Unsupported("a Date out of range".into())),
        },
    )
}

/// A JavaScript value as JSON: `null`/`undefined`, booleans, finite numbers (integral ones as
/// integers), strings, bigints in the 64-bit range, arrays, `Date`s (as RFC 3339 in UTC) and
/// plain objects.
pub(crate) fn js_to_json(value: Unknown<'_>) -> Result<std::result::Result<Json, Unsupported>> {
    Ok(match value.get_type()? {
        ValueType::Undefined | ValueType::Null => Ok(Json::Null),
        ValueType::Boolean => Ok(Json::Bool(value.coerce_to_bool()?)),
        ValueType::Number => number_json(value.coerce_to_number()?.get_double()?),
        ValueType::String => Ok(Json::String(text(value)?)),
        ValueType::BigInt => {
            let s = text(value)?;
            match s.parse::<i64>() {
                Ok(i) => Ok(Json::from(i)),
                Err(_) => Err(Unsupported(format!(
                    "the bigint `{s}`, which is out of the 64-bit range"
                ))),
            }
        }
        ValueType::Object => {
            if value.is_array()? {
                let arr = value.coerce_to_object()?;
                let len = arr.get_array_length()?;
                let mut items = Vec::with_capacity(len as usize);
                for i in 0..len {
                    match js_to_json(arr.get_element::<Unknown>(i)?)? {
                        Ok(j) => items.push(j),
                        Err(e) => return Ok(Err(e)),
                    }
                }
                Ok(Json::Array(items))
            } else if value.is_date()? {
                date_json(value)?
            } else {
                let obj = value.coerce_to_object()?;
                let keys = Object::keys(&obj)?;
                let mut map = Map::new();
                for k in keys {
                    match js_to_json(obj.get_named_property::<Unknown>(&k)?)? {
                        Ok(j) => {
                            map.insert(k, j);
                        }
                        Err(e) => return Ok(Err(e)),
                    }
                }
                Ok(Json::Object(map))
            }
        }
        other => Err(Unsupported(format!("a value of type `{other}`"))),
    })
}

fn unsupported(record: &str, field: &str, what: Unsupported) -> ErrorReport {
    ErrorReport {
        code: codes::DATA_INVALID_FIELD.to_owned(),
        message: format!("{}, field `{field}`: cannot read {}", shown(record), what.0),
        help: Some(
            "pass numbers, strings, booleans, bigints, arrays, objects, Dates or null".into(),
        ),
        severity: Severity::Error,
        file: None,
        line: 0,
        column: 0,
        labels: Vec::new(),
        record: Some(record.to_owned()),
        field: Some(field.to_owned()),
    }
}

fn shown(record: &str) -> String {
    if record.starts_with('#') {
        format!("record {record}")
    } else {
        format!("record `{record}`")
    }
}

/// One host record (a plain object) as a core record of `schema`; `position` is 1-based. Only
/// `id` and the schema's fields are read; anything else is passed on as JSON (core rejects it
/// naming the record).
pub(crate) fn record(
    value: Unknown<'_>,
    schema: &Schema,
    position: usize,
) -> Result<std::result::Result<Record, ErrorReport>> {
    let is_object =
        value.get_type()? == ValueType::Object && !value.is_array()? && !value.is_date()?;
    if !is_object {
        return Ok(match js_to_json(value)? {
            Ok(j) => Record::from_json_at(schema, &j, position).map_err(ErrorReport::from),
            Err(e) => Err(ErrorReport {
                code: codes::DATA_INVALID_RECORD.to_owned(),
                message: format!("record #{position}: expected an object, found {}", e.0),
                help: Some(
                    "pass each record as an object of field names to values, with an `id`".into(),
                ),
                severity: Severity::Error,
                file: None,
                line: 0,
                column: 0,
                labels: Vec::new(),
                record: Some(format!("#{position}")),
                field: None,
            }),
        });
    }
    let obj = value.coerce_to_object()?;
    let mut map = Map::new();
    let mut name = format!("#{position}");
    match js_to_json(obj.get_named_property::<Unknown>("id")?)? {
        Ok(j) => {
            if let Json::String(s) = &j {
                name.clone_from(s);
            }
            map.insert("id".to_owned(), j);
        }
        Err(e) => return Ok(Err(unsupported(&name, "id", e))),
    }
    for f in &schema.fields {
        match js_to_json(obj.get_named_property::<Unknown>(&f.name)?)? {
            Ok(Json::Null) => {}
            Ok(j) => {
                map.insert(f.name.clone(), j);
            }
            Err(e) => return Ok(Err(unsupported(&name, &f.name, e))),
        }
    }
    Ok(Record::from_json_at(schema, &Json::Object(map), position).map_err(ErrorReport::from))
}

fn not_an_array(what: &str, value: &Unknown<'_>) -> ErrorReport {
    request_error(
        format!(
            "`{what}` must be an array of objects, not {}",
            crate::convert::type_name(value)
        ),
        "pass an array of plain objects",
    )
}

/// Records from an array of objects.
pub(crate) fn records(
    value: Unknown<'_>,
    schema: &Schema,
    what: &str,
) -> Result<std::result::Result<Vec<std::result::Result<Record, ErrorReport>>, ErrorReport>> {
    if value.get_type()? != ValueType::Object || !value.is_array()? {
        return Ok(Err(not_an_array(what, &value)));
    }
    let arr = value.coerce_to_object()?;
    let len = arr.get_array_length()?;
    let mut out = Vec::with_capacity(len as usize);
    for i in 0..len {
        out.push(record(
            arr.get_element::<Unknown>(i)?,
            schema,
            i as usize + 1,
        )?);
    }
    Ok(Ok(out))
}

/// An instant: a number (ms since the epoch), an RFC 3339 string or a `Date`.
pub(crate) fn instant(value: Unknown<'_>) -> Result<std::result::Result<Instant, ErrorReport>> {
    let bad = |v: &Unknown<'_>| {
        request_error(
            format!(
                "`now` must be milliseconds since the epoch, an RFC 3339 string or a Date, not {}",
                crate::convert::type_name(v)
            ),
            "pass e.g. `new Date()`, `\"2026-11-24T09:00:00Z\"` or `1795510800000`",
        )
    };
    Ok(match value.get_type()? {
        ValueType::Number => {
            let x = value.coerce_to_number()?.get_double()?;
            if x.is_finite() && x.fract() == 0.0 && x.abs() <= MAX_SAFE {
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

/// `now` of a batch: one instant, or one per lead.
pub(crate) enum Now {
    One(Instant),
    Each(Vec<Instant>),
}

pub(crate) fn now_arg(value: Unknown<'_>) -> Result<std::result::Result<Now, ErrorReport>> {
    if value.get_type()? == ValueType::Object && value.is_array()? {
        let arr = value.coerce_to_object()?;
        let len = arr.get_array_length()?;
        let mut out = Vec::with_capacity(len as usize);
        for i in 0..len {
            match instant(arr.get_element::<Unknown>(i)?)? {
                Ok(t) => out.push(t),
                Err(e) => return Ok(Err(e)),
            }
        }
        return Ok(Ok(Now::Each(out)));
    }
    Ok(instant(value)?.map(Now::One))
}

/// A decision as a plain object, equal (as JSON) to core's serde form.
pub(crate) fn decision<'env>(env: &'env Env, d: &Decision) -> Result<Object<'env>> {
    let mut out = Object::new(env)?;
    let mut outcome = Object::new(env)?;
    match &d.outcome {
        Outcome::Partner { id } => {
            outcome.set_named_property("kind", "partner")?;
            outcome.set_named_property("id", &**id)?;
        }
        Outcome::Queue { name } => {
            outcome.set_named_property("kind", "queue")?;
            outcome.set_named_property("name", &**name)?;
        }
        Outcome::Unrouted => outcome.set_named_property("kind", "unrouted")?,
    }
    out.set_named_property("outcome", outcome)?;
    out.set_named_property("rule", d.rule.as_deref())?;
    match &d.state_read {
        Some(s) => {
            let mut sr = Object::new(env)?;
            sr.set_named_property("partner", &*s.partner)?;
            sr.set_named_property("version", s.version as f64)?;
            sr.set_named_property("active_leads", s.active_leads as f64)?;
            sr.set_named_property("last_assigned_at", s.last_assigned_at.map(|t| t as f64))?;
            out.set_named_property("state_read", sr)?;
        }
        None => out.set_named_property("state_read", Null)?,
    }
    if let Some(e) = &d.explanation {
        out.set_named_property("explanation", env.to_js_value(e)?)?;
    }
    Ok(out)
}

/// One batch result: `{ ok: decision }` or `{ error: report }`.
pub(crate) fn result<'env>(
    env: &'env Env,
    r: &std::result::Result<Decision, ErrorReport>,
) -> Result<Object<'env>> {
    let mut out = Object::new(env)?;
    match r {
        Ok(d) => out.set_named_property("ok", decision(env, d)?)?,
        Err(e) => out.set_named_property("error", env.to_js_value(e)?)?,
    }
    Ok(out)
}

/// A column: an array of values or a typed array, in the cheapest core form its values allow:
/// numbers, dictionary-encoded strings, else JSON.
pub(crate) fn column(
    columns: &Object<'_>,
    name: &str,
) -> Result<Option<std::result::Result<Column, ErrorReport>>> {
    let value = columns.get_named_property::<Unknown>(name)?;
    match value.get_type()? {
        ValueType::Undefined => return Ok(None),
        ValueType::Object => {}
        _ => {
            return Ok(Some(Err(request_error(
                format!(
                    "column `{name}` must be an array or a typed array, not {}",
                    crate::convert::type_name(&value)
                ),
                "pass e.g. `{ id: [...], region: [...], size: new Float64Array([...]) }`",
            ))))
        }
    }
    if value.is_typedarray()? {
        if let Ok(a) = columns.get_named_property::<Float64Array>(name) {
            return Ok(Some(Ok(Column::Float(
                a.iter().map(|x| Some(*x)).collect(),
            ))));
        }
        if let Ok(a) = columns.get_named_property::<Int32Array>(name) {
            return Ok(Some(Ok(Column::Int(
                a.iter().map(|x| Some(i64::from(*x))).collect(),
            ))));
        }
        if let Ok(a) = columns.get_named_property::<BigInt64Array>(name) {
            return Ok(Some(Ok(Column::Int(a.iter().map(|x| Some(*x)).collect()))));
        }
        if let Ok(a) = columns.get_named_property::<Uint32Array>(name) {
            return Ok(Some(Ok(Column::Int(
                a.iter().map(|x| Some(i64::from(*x))).collect(),
            ))));
        }
        return Ok(Some(Err(request_error(
            format!("column `{name}` is a typed array of an unsupported element type"),
            "use a Float64Array, Int32Array, Uint32Array or BigInt64Array",
        ))));
    }
    if !value.is_array()? {
        return Ok(Some(Err(request_error(
            format!("column `{name}` must be an array or a typed array, not an object"),
            "pass e.g. `{ id: [...], region: [...] }`",
        ))));
    }
    let arr = value.coerce_to_object()?;
    let len = arr.get_array_length()?;
    let first = (0..len)
        .map(|i| arr.get_element::<Unknown>(i))
        .find(|v| {
            !matches!(
                v.as_ref().map(|v| v.get_type()),
                Ok(Ok(ValueType::Null | ValueType::Undefined))
            )
        })
        .transpose()?
        .map(|v| v.get_type())
        .transpose()?;
    match first {
        Some(ValueType::String) => {
            let mut by_text: HashMap<String, u32> = HashMap::new();
            let mut dict = Vec::new();
            let mut codes = Vec::with_capacity(len as usize);
            let mut ok = true;
            for i in 0..len {
                let v = arr.get_element::<Unknown>(i)?;
                match v.get_type()? {
                    ValueType::Null | ValueType::Undefined => codes.push(u32::MAX),
                    ValueType::String => {
                        let s = text(v)?;
                        let next = u32::try_from(dict.len()).unwrap_or(u32::MAX);
                        let c = *by_text.entry(s).or_insert_with_key(|s| {
                            dict.push(Json::String(s.clone()));
                            next
                        });
                        codes.push(c);
                    }
                    _ => {
                        ok = false;
                        break;
                    }
                }
            }
            if ok {
                return Ok(Some(Ok(Column::Dict { dict, codes })));
            }
        }
        Some(ValueType::Number) => {
            let mut v = Vec::with_capacity(len as usize);
            let mut ok = true;
            for i in 0..len {
                let x = arr.get_element::<Unknown>(i)?;
                match x.get_type()? {
                    ValueType::Null | ValueType::Undefined => v.push(None),
                    ValueType::Number => v.push(Some(x.coerce_to_number()?.get_double()?)),
                    _ => {
                        ok = false;
                        break;
                    }
                }
            }
            if ok {
                // integral numbers are integers, as in records
                if v.iter()
                    .flatten()
                    .all(|x| x.fract() == 0.0 && x.abs() <= MAX_SAFE)
                {
                    return Ok(Some(Ok(Column::Int(
                        v.into_iter().map(|x| x.map(|x| x as i64)).collect(),
                    ))));
                }
                return Ok(Some(Ok(Column::Float(v))));
            }
        }
        _ => {}
    }
    let mut v = Vec::with_capacity(len as usize);
    for i in 0..len {
        match js_to_json(arr.get_element::<Unknown>(i)?)? {
            Ok(j) => v.push(j),
            Err(e) => return Ok(Some(Err(unsupported(&format!("#{}", i + 1), name, e)))),
        }
    }
    Ok(Some(Ok(Column::Json(v))))
}
