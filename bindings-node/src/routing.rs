//! Conversions for routing: JavaScript records to JSON (then core records), instants, columns,
//! and decisions back to plain objects. No decisions are taken here.

use leadrail_core::api::{request_error, InstantJson, MAX_HOST_DEPTH, MAX_HOST_RESERVE};
use leadrail_core::record::{Column, Record};
use leadrail_core::report::{codes, ErrorReport, Severity};
use leadrail_core::route::{Decision, Outcome};
use leadrail_core::schema::Schema;
use leadrail_core::value::Instant;
use napi::bindgen_prelude::*;
use napi::{JsString, JsValue, ValueType};
use rustc_hash::FxHashMap;
use serde_json::{Map, Value as Json};

/// Why a JavaScript value has no JSON form (the value as shown in messages).
pub(crate) struct Unsupported(pub(crate) String);

const MAX_SAFE: f64 = 9_007_199_254_740_992.0;

fn text(value: Unknown<'_>) -> Result<String> {
    Ok(value.coerce_to_string()?.into_utf8()?.as_str()?.to_owned())
}

/// Whether `x` is a whole number within +-2^53 (so `x as i64` is exact): `x.fract() == 0.0 &&
/// x.abs() <= 2^53`, without the `trunc` call `fract` compiles to on baseline x86-64.
#[inline]
pub(crate) fn whole(x: f64) -> bool {
    x.abs() <= MAX_SAFE && (x as i64) as f64 == x
}

pub(crate) fn number_json(x: f64) -> std::result::Result<Json, Unsupported> {
    if !x.is_finite() {
        return Err(Unsupported(format!("`{x}`, which is not a finite number")));
    }
    // JavaScript has one number type: an integral value is an integer
    if whole(x) {
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
/// plain objects. Arrays and objects nested deeper than [`MAX_HOST_DEPTH`] (or containing
/// themselves), and sparse arrays (a hole: an index below `length` without an item), have no
/// JSON form.
pub(crate) fn js_to_json(value: Unknown<'_>) -> Result<std::result::Result<Json, Unsupported>> {
    js_to_json_at(value, 0)
}

/// Why a value nested deeper than [`MAX_HOST_DEPTH`] has no JSON form.
fn too_deep() -> Unsupported {
    Unsupported(format!(
        "a value nested more than {MAX_HOST_DEPTH} levels deep (or an array or object that \
         contains itself)"
    ))
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

/// The error of a hole at index `i` of the array argument `name` (see [`element`]); `record`
/// and `field` as the report names them. Reading stops there: a sparse array's claimed length
/// is never walked.
pub(crate) fn hole_report(name: &str, i: u32, record: String, field: Option<&str>) -> ErrorReport {
    ErrorReport {
        code: codes::DATA_INVALID_RECORD.to_owned(),
        message: format!("`{name}[{i}]` is a hole: `{name}` is a sparse array"),
        help: Some("pass an array with an item at every index (`null` for a missing value)".into()),
        severity: Severity::Error,
        file: None,
        line: 0,
        column: 0,
        labels: Vec::new(),
        record: Some(record),
        field: field.map(str::to_owned),
    }
}

/// [`js_to_json`] of a value inside `depth` arrays or objects.
fn js_to_json_at(
    value: Unknown<'_>,
    depth: usize,
) -> Result<std::result::Result<Json, Unsupported>> {
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
            if value.is_date()? {
                return date_json(value);
            }
            if depth >= MAX_HOST_DEPTH {
                return Ok(Err(too_deep()));
            }
            if value.is_array()? {
                let arr = value.coerce_to_object()?;
                let len = arr.get_array_length()?;
                let mut items = Vec::with_capacity(reserve(len));
                for i in 0..len {
                    let Some(item) = element(&arr, i)? else {
                        return Ok(Err(Unsupported(format!(
                            "a sparse array (its item {i} is a hole)"
                        ))));
                    };
                    match js_to_json_at(item, depth + 1)? {
                        Ok(j) => items.push(j),
                        Err(e) => return Ok(Err(e)),
                    }
                }
                Ok(Json::Array(items))
            } else {
                let obj = value.coerce_to_object()?;
                let keys = Object::keys(&obj)?;
                let mut map = Map::new();
                for k in keys {
                    match js_to_json_at(obj.get_named_property::<Unknown>(&k)?, depth + 1)? {
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

/// A host argument as JSON, a plain object field by field: a value without a JSON form is
/// returned with the key it is under (`None` when `value` is not a plain object).
pub(crate) fn fields_json(
    value: Unknown<'_>,
) -> Result<std::result::Result<Json, (Option<String>, Unsupported)>> {
    let is_object =
        value.get_type()? == ValueType::Object && !value.is_array()? && !value.is_date()?;
    if !is_object {
        return Ok(js_to_json(value)?.map_err(|e| (None, e)));
    }
    let obj = value.coerce_to_object()?;
    let mut map = Map::new();
    for k in Object::keys(&obj)? {
        match js_to_json_at(obj.get_named_property::<Unknown>(&k)?, 1)? {
            Ok(j) => {
                map.insert(k, j);
            }
            Err(e) => return Ok(Err((Some(k), e))),
        }
    }
    Ok(Ok(Json::Object(map)))
}

pub(crate) fn unsupported(record: &str, field: &str, what: Unsupported) -> ErrorReport {
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

/// `now` of a batch: one instant, or one per lead.
pub(crate) enum Now {
    One(Instant),
    Each(Vec<Instant>),
}

pub(crate) fn now_arg(value: Unknown<'_>) -> Result<std::result::Result<Now, ErrorReport>> {
    if value.get_type()? == ValueType::Object && value.is_array()? {
        let arr = value.coerce_to_object()?;
        let len = arr.get_array_length()?;
        let mut out = Vec::with_capacity(reserve(len));
        for i in 0..len {
            let Some(item) = element(&arr, i)? else {
                return Ok(Err(hole_report("now", i, format!("now[{i}]"), None)));
            };
            match instant(item)? {
                Ok(t) => out.push(t),
                Err(e) => return Ok(Err(e)),
            }
        }
        return Ok(Ok(Now::Each(out)));
    }
    Ok(instant(value)?.map(Now::One))
}

/// The partner ids of a call's `exclude` option: an array of strings, read item by item (its
/// `length` only bounds the reading; a hole, or a value that is not a string, is an error
/// naming `exclude[i]`).
pub(crate) fn exclude(env: &Env, value: Unknown<'_>) -> Result<Vec<String>> {
    let bad = |record: String, message: String| {
        crate::errors::from_report(
            env,
            ErrorReport {
                record: Some(record),
                ..request_error(message, "pass e.g. `{ exclude: ['P1', 'P2'] }`")
            },
        )
    };
    match value.get_type()? {
        ValueType::Undefined | ValueType::Null => return Ok(Vec::new()),
        ValueType::Object if value.is_array()? => {}
        _ => {
            return Err(bad(
                "exclude".into(),
                format!(
                    "`exclude` must be an array of partner ids, not {}",
                    crate::convert::type_name(&value)
                ),
            ))
        }
    }
    let arr = value.coerce_to_object()?;
    let len = arr.get_array_length()?;
    let mut out = Vec::with_capacity(reserve(len));
    for i in 0..len {
        let Some(v) = element(&arr, i)? else {
            return Err(crate::errors::from_report(
                env,
                hole_report("exclude", i, format!("exclude[{i}]"), None),
            ));
        };
        if v.get_type()? != ValueType::String {
            return Err(bad(
                format!("exclude[{i}]"),
                format!(
                    "`exclude[{i}]` must be a partner id (a string), not {}",
                    crate::convert::type_name(&v)
                ),
            ));
        }
        out.push(text(v)?);
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
    // the type of the first value (a hole is an error: a sparse array is not walked)
    let mut first = None;
    for i in 0..len {
        let Some(v) = element(&arr, i)? else {
            return Ok(Some(Err(column_hole(name, i))));
        };
        match v.get_type()? {
            ValueType::Null | ValueType::Undefined => {}
            t => {
                first = Some(t);
                break;
            }
        }
    }
    match first {
        Some(ValueType::String) if name != "id" => {
            let mut by_text: FxHashMap<String, u32> = FxHashMap::default();
            let mut dict = Vec::new();
            let mut codes = Vec::with_capacity(reserve(len));
            let mut ok = true;
            for i in 0..len {
                let Some(v) = element(&arr, i)? else {
                    return Ok(Some(Err(column_hole(name, i))));
                };
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
            let mut v = Vec::with_capacity(reserve(len));
            let mut ok = true;
            for i in 0..len {
                let Some(x) = element(&arr, i)? else {
                    return Ok(Some(Err(column_hole(name, i))));
                };
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
                if v.iter().flatten().all(|x| whole(*x)) {
                    return Ok(Some(Ok(Column::Int(
                        v.into_iter().map(|x| x.map(|x| x as i64)).collect(),
                    ))));
                }
                return Ok(Some(Ok(Column::Float(v))));
            }
        }
        _ => {}
    }
    let mut v = Vec::with_capacity(reserve(len));
    for i in 0..len {
        let Some(x) = element(&arr, i)? else {
            return Ok(Some(Err(column_hole(name, i))));
        };
        match js_to_json(x)? {
            Ok(j) => v.push(j),
            Err(e) => return Ok(Some(Err(unsupported(&format!("#{}", i + 1), name, e)))),
        }
    }
    Ok(Some(Ok(Column::Json(v))))
}

/// The error of a hole at row `i` of column `name`.
fn column_hole(name: &str, i: u32) -> ErrorReport {
    hole_report(name, i, format!("#{}", u64::from(i) + 1), Some(name))
}

/// Builds one column of a batch value by value: strings dictionary-encoded (each distinct
/// string parsed once by core), anything else as JSON.
enum Builder {
    Empty(usize),
    Texts {
        by_text: FxHashMap<String, u32>,
        dict: Vec<Json>,
        codes: Vec<u32>,
    },
    Json(Vec<Json>),
}

impl Builder {
    fn push_missing(&mut self) {
        match self {
            Builder::Empty(n) => *n += 1,
            Builder::Texts { codes, .. } => codes.push(u32::MAX),
            Builder::Json(v) => v.push(Json::Null),
        }
    }

    fn push_text(&mut self, s: String) {
        if let Builder::Empty(n) = self {
            *self = Builder::Texts {
                by_text: FxHashMap::default(),
                dict: Vec::new(),
                codes: vec![u32::MAX; *n],
            };
        }
        match self {
            Builder::Texts {
                by_text,
                dict,
                codes,
            } => {
                let c = match by_text.get(&s) {
                    Some(c) => *c,
                    None => {
                        let c = u32::try_from(dict.len()).unwrap_or(u32::MAX);
                        dict.push(Json::String(s.clone()));
                        by_text.insert(s, c);
                        c
                    }
                };
                codes.push(c);
            }
            _ => self.push_json(Json::String(s)),
        }
    }

    fn push_json(&mut self, j: Json) {
        let v = match std::mem::replace(self, Builder::Empty(0)) {
            Builder::Empty(n) => vec![Json::Null; n],
            Builder::Texts { dict, codes, .. } => codes
                .iter()
                .map(|c| dict.get(*c as usize).cloned().unwrap_or(Json::Null))
                .collect(),
            Builder::Json(v) => v,
        };
        let mut v = v;
        v.push(j);
        *self = Builder::Json(v);
    }

    fn push(
        &mut self,
        value: Unknown<'_>,
        dedupe: bool,
    ) -> Result<std::result::Result<(), Unsupported>> {
        match value.get_type()? {
            ValueType::Undefined | ValueType::Null => self.push_missing(),
            ValueType::String if dedupe => self.push_text(text(value)?),
            _ => match js_to_json(value)? {
                Ok(j) => {
                    if let Builder::Json(v) = self {
                        v.push(j);
                    } else {
                        self.push_json(j);
                    }
                }
                Err(e) => {
                    self.push_missing();
                    return Ok(Err(e));
                }
            },
        }
        Ok(Ok(()))
    }

    fn finish(self) -> Column {
        match self {
            Builder::Empty(n) => Column::Json(vec![Json::Null; n]),
            Builder::Texts { dict, codes, .. } => Column::Dict { dict, codes },
            Builder::Json(v) => Column::Json(v),
        }
    }
}

/// Rows handled per handle scope, so the handles of a large batch do not pile up.
const CHUNK: u32 = 512;

/// Parses an array of host records column by column with `Record::from_columns`, which gives
/// row for row what `Record::from_json_at` gives; rows that are not objects or hold values
/// without a JSON form get their own error.
pub(crate) fn records_by_columns(
    env: &Env,
    value: Unknown<'_>,
    schema: &Schema,
    what: &str,
) -> Result<std::result::Result<Vec<std::result::Result<Record, ErrorReport>>, ErrorReport>> {
    if value.get_type()? != ValueType::Object || !value.is_array()? {
        return Ok(Err(not_an_array(what, &value)));
    }
    let arr = value.coerce_to_object()?;
    let len = arr.get_array_length()?;
    let mut ids = Builder::Empty(0);
    let mut cols: Vec<Builder> = schema.fields.iter().map(|_| Builder::Empty(0)).collect();
    // (row, field order: 0 = the record or its id, 1 + i = field i, report)
    let mut own: Vec<(usize, usize, ErrorReport)> = Vec::new();
    let mut start = 0;
    // the first hole (reading stops there: a sparse array is not walked)
    let mut hole = None;
    while start < len && hole.is_none() {
        let end = start.saturating_add(CHUNK).min(len);
        EscapableHandleScope::with(env, arr, |_scope, arr| {
            for i in start..end {
                let row = i as usize;
                let Some(v) = element(&arr, i)? else {
                    hole = Some(i);
                    break;
                };
                let is_object =
                    v.get_type()? == ValueType::Object && !v.is_array()? && !v.is_date()?;
                if !is_object {
                    if let Err(e) = record(v, schema, row + 1)? {
                        own.push((row, 0, e));
                    }
                    ids.push_missing();
                    cols.iter_mut().for_each(Builder::push_missing);
                    continue;
                }
                let obj = v.coerce_to_object()?;
                let id = obj.get_named_property::<Unknown>("id")?;
                let id_text = if id.get_type()? == ValueType::String {
                    Some(text(id)?)
                } else {
                    None
                };
                let name = || id_text.clone().unwrap_or_else(|| format!("#{}", row + 1));
                if let Err(e) = ids.push(id, false)? {
                    own.push((row, 0, unsupported(&name(), "id", e)));
                }
                for (f, (field, col)) in schema.fields.iter().zip(cols.iter_mut()).enumerate() {
                    let x = obj.get_named_property::<Unknown>(&field.name)?;
                    if let Err(e) = col.push(x, true)? {
                        own.push((row, 1 + f, unsupported(&name(), &field.name, e)));
                    }
                }
            }
            Ok(())
        })?;
        start = end;
    }
    if let Some(i) = hole {
        return Ok(Err(hole_report(
            what,
            i,
            format!("#{}", u64::from(i) + 1),
            None,
        )));
    }
    let ids = ids.finish();
    let cols: Vec<Column> = cols.into_iter().map(Builder::finish).collect();
    let named = Column::named(schema, &cols);
    let mut out: Vec<std::result::Result<Record, ErrorReport>> =
        Record::from_columns(schema, len as usize, &ids, &named)
            .into_iter()
            .map(|r| r.map_err(ErrorReport::from))
            .collect();
    leadrail_core::record::merge_host_errors(schema, &mut out, own);
    Ok(Ok(out))
}

/// Property names and repeated strings of decision objects, created once per call (setting a
/// property by a Rust `&str` would decode and internalize the name every time).
pub(crate) struct Out<'e> {
    env: &'e Env,
    ok: JsString<'e>,
    error: JsString<'e>,
    outcome: JsString<'e>,
    kind: JsString<'e>,
    id: JsString<'e>,
    name: JsString<'e>,
    rule: JsString<'e>,
    state_read: JsString<'e>,
    partner: JsString<'e>,
    version: JsString<'e>,
    active_leads: JsString<'e>,
    last_assigned_at: JsString<'e>,
    explanation: JsString<'e>,
    k_partner: JsString<'e>,
    k_queue: JsString<'e>,
    k_unrouted: JsString<'e>,
    null: Unknown<'e>,
    texts: FxHashMap<*const u8, JsString<'e>>,
}

impl<'e> Out<'e> {
    pub(crate) fn new(env: &'e Env) -> Result<Out<'e>> {
        Ok(Out {
            env,
            ok: env.create_string("ok")?,
            error: env.create_string("error")?,
            outcome: env.create_string("outcome")?,
            kind: env.create_string("kind")?,
            id: env.create_string("id")?,
            name: env.create_string("name")?,
            rule: env.create_string("rule")?,
            state_read: env.create_string("state_read")?,
            partner: env.create_string("partner")?,
            version: env.create_string("version")?,
            active_leads: env.create_string("active_leads")?,
            last_assigned_at: env.create_string("last_assigned_at")?,
            explanation: env.create_string("explanation")?,
            k_partner: env.create_string("partner")?,
            k_queue: env.create_string("queue")?,
            k_unrouted: env.create_string("unrouted")?,
            null: Null.into_unknown(env)?,
            texts: FxHashMap::default(),
        })
    }

    /// A JavaScript string for a shared text, created once per distinct `Arc` (the handle
    /// lives in the caller's scope).
    pub(crate) fn text(&mut self, s: &std::sync::Arc<str>) -> Result<JsString<'e>> {
        if let Some(j) = self.texts.get(&s.as_ptr()) {
            return Ok(*j);
        }
        let j = self.env.create_string(&**s)?;
        self.texts.insert(s.as_ptr(), j);
        Ok(j)
    }

    pub(crate) fn kind_of(&self, o: &Outcome) -> JsString<'e> {
        match o {
            Outcome::Partner { .. } => self.k_partner,
            Outcome::Queue { .. } => self.k_queue,
            Outcome::Unrouted => self.k_unrouted,
        }
    }

    /// A decision as a plain object, equal (as JSON) to core's serde form.
    pub(crate) fn decision(&mut self, d: &Decision) -> Result<Object<'e>> {
        let env = self.env;
        let mut out = Object::new(env)?;
        let mut outcome = Object::new(env)?;
        outcome.set_property(self.kind, self.kind_of(&d.outcome))?;
        match &d.outcome {
            Outcome::Partner { id } => outcome.set_property(self.id, self.text(id)?)?,
            Outcome::Queue { name } => outcome.set_property(self.name, self.text(name)?)?,
            Outcome::Unrouted => {}
        }
        out.set_property(self.outcome, outcome)?;
        match &d.rule {
            Some(r) => out.set_property(self.rule, self.text(r)?)?,
            None => out.set_property(self.rule, self.null)?,
        }
        match &d.state_read {
            Some(s) => {
                let mut sr = Object::new(env)?;
                sr.set_property(self.partner, self.text(&s.partner)?)?;
                sr.set_property(self.version, env.create_double(s.version as f64)?)?;
                sr.set_property(self.active_leads, env.create_double(s.active_leads as f64)?)?;
                match s.last_assigned_at {
                    Some(t) => {
                        sr.set_property(self.last_assigned_at, env.create_double(t as f64)?)?
                    }
                    None => sr.set_property(self.last_assigned_at, self.null)?,
                }
                out.set_property(self.state_read, sr)?;
            }
            None => out.set_property(self.state_read, self.null)?,
        }
        if let Some(e) = &d.explanation {
            out.set_property(self.explanation, env.to_js_value(e)?)?;
        }
        Ok(out)
    }

    /// One batch result: `{ ok: decision }` or `{ error: report }`.
    pub(crate) fn result(
        &mut self,
        r: &std::result::Result<Decision, ErrorReport>,
    ) -> Result<Object<'e>> {
        let mut out = Object::new(self.env)?;
        match r {
            Ok(d) => {
                let d = self.decision(d)?;
                out.set_property(self.ok, d)?;
            }
            Err(e) => out.set_property(self.error, self.env.to_js_value(e)?)?,
        }
        Ok(out)
    }
}

/// The results of a batch as an array, built in chunks of handle scopes.
pub(crate) fn results_array<'e>(
    env: &'e Env,
    results: &[std::result::Result<Decision, ErrorReport>],
) -> Result<Array<'e>> {
    let arr = env.create_array(u32::try_from(results.len()).unwrap_or(u32::MAX))?;
    let mut out = Out::new(env)?;
    // texts used by the results, created in this (outer) scope so chunks can share them
    for r in results.iter().flatten() {
        match &r.outcome {
            Outcome::Partner { id } => {
                out.text(id)?;
            }
            Outcome::Queue { name } => {
                out.text(name)?;
            }
            Outcome::Unrouted => {}
        }
        if let Some(rule) = &r.rule {
            out.text(rule)?;
        }
    }
    for (c, chunk) in results.chunks(CHUNK as usize).enumerate() {
        EscapableHandleScope::with(env, arr, |_scope, mut arr| {
            for (j, r) in chunk.iter().enumerate() {
                let i = c * CHUNK as usize + j;
                arr.set(u32::try_from(i).unwrap_or(u32::MAX), out.result(r)?)?;
            }
            Ok(())
        })?;
    }
    Ok(arr)
}
