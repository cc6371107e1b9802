//! The one conversion path between index.js and core: index.js reads records and columns in
//! JavaScript (where property reads and string dictionaries are cheap) and hands over one
//! encoded column per field, read here into core's [`CodedColumn`]s; core's [`ResultArrays`] go
//! back as typed arrays and a string table, from which index.js builds the plain objects. The
//! codes of both forms are core's, exported to index.js ([`wire`]).
//!
//! An encoded column is a JavaScript array `[codes, nums, text, lens, otherRows, otherVals]`:
//! - `codes` (`Uint32Array`, one per row): an index into the column's strings, or [`MISSING`]
//!   (null, undefined), [`NUMBER`] (the number is `nums[row]`) or [`OTHER`] (any other value,
//!   passed as is in `otherVals`, its row in `otherRows`);
//! - `nums` (`Float64Array`, or null when no row holds a number);
//! - `text`, `lens`: the column's strings, concatenated, and their lengths in UTF-16 units.
//!
//! Encoded records are `[ids, fields, badRows, badVals, hole]`: the id column, one column per
//! schema field, the rows that are not records with their values, and the first hole of a
//! sparse array (-1 for none). A column of `routeColumns` has its first hole (or -1) as a 7th item.

use leadrail_core::api::request_error;
use leadrail_core::host::{
    hole, CodedColumn, HostColumn, Joined, JoinedText, ResultArrays, Rows, MISSING, NONE, NUMBER,
    OTHER, WIRE_CODES,
};
use leadrail_core::record::Column;
use leadrail_core::report::ErrorReport;
use leadrail_core::schema::Schema;
use napi::bindgen_prelude::*;
use napi::{JsString, ValueType};
use napi_derive::napi;
use serde_json::Value as Json;

use crate::convert::{self, element, js_to_json, reserve, NODE};

/// The codes of the wire forms (core's), for index.js.
#[napi(js_name = "_wire", skip_typescript)]
pub fn wire(env: &Env) -> Result<Object<'_>> {
    let mut o = Object::new(env)?;
    for (name, code) in WIRE_CODES {
        o.set_named_property(name, code)?;
    }
    Ok(o)
}

/// A column's concatenated strings: as UTF-8 when they are all ASCII (then a UTF-16 length is
/// a byte length), else as UTF-16 units.
fn joined_text(s: JsString<'_>) -> Result<JoinedText> {
    let utf8 = s.into_utf8()?;
    if utf8.as_slice().is_ascii() {
        return Ok(JoinedText::Ascii(utf8.into_owned()?));
    }
    Ok(JoinedText::Utf16(
        utf8.into_value().into_utf16()?.as_slice().to_vec(),
    ))
}

fn bad_shape(what: &str) -> ErrorReport {
    request_error(
        format!("`{what}` is not an encoded column"),
        "call the methods of `Network` through the package's index.js",
    )
}

/// One encoded column, copied out of JavaScript (so that it can cross threads).
fn coded(value: Unknown<'_>, what: &str) -> Result<std::result::Result<CodedColumn, ErrorReport>> {
    if value.get_type()? != ValueType::Object || !value.is_array()? {
        return Ok(Err(bad_shape(what)));
    }
    let arr = value.coerce_to_object()?;
    let (Ok(codes), Ok(nums), Ok(text), Ok(lens), Ok(rows), Ok(vals)) = (
        arr.get_element::<Uint32ArraySlice>(0),
        arr.get_element::<Option<Float64ArraySlice>>(1),
        arr.get_element::<JsString>(2),
        arr.get_element::<Uint32ArraySlice>(3),
        arr.get_element::<Object>(4),
        arr.get_element::<Object>(5),
    ) else {
        return Ok(Err(bad_shape(what)));
    };
    let joined = Joined {
        text: joined_text(text)?,
        lens: lens.to_vec(),
    };
    let n = rows.get_array_length()?;
    let mut others = Vec::with_capacity(reserve(n));
    for i in 0..n {
        let (Ok(row), Some(v)) = (rows.get_element::<u32>(i), element(&vals, i)?) else {
            return Ok(Err(bad_shape(what)));
        };
        others.push((row as usize, js_to_json(v)?));
    }
    Ok(Ok(CodedColumn {
        codes: codes.to_vec(),
        nums: nums.map(|n| n.to_vec()).unwrap_or_default(),
        joined,
        others,
        ..CodedColumn::default()
    }))
}

/// Reads records as index.js encodes them (see the module docs) into core's rows, with the
/// rows that are not records. `name` names the array in the error of a hole, `at` is the batch
/// row of the first row (a chunk's start).
pub(crate) fn records(
    value: Unknown<'_>,
    schema: &Schema,
    name: &str,
    at: usize,
) -> Result<std::result::Result<Rows, ErrorReport>> {
    if value.get_type()? != ValueType::Object || !value.is_array()? {
        return Ok(Err(bad_shape(name)));
    }
    let arr = value.coerce_to_object()?;
    if let Ok(h) = arr.get_element::<f64>(4) {
        if h >= 0.0 {
            let i = at as u64 + h as u64;
            return Ok(Err(hole(name, i, format!("#{}", i + 1), None)));
        }
    }
    let ids = match coded(arr.get_element::<Unknown>(0)?, "id")? {
        Ok(e) => e,
        Err(e) => return Ok(Err(e)),
    };
    let cols = arr.get_element::<Object>(1)?;
    let mut fields = Vec::with_capacity(schema.fields.len());
    for (i, f) in schema.fields.iter().enumerate() {
        match coded(cols.get_element::<Unknown>(i as u32)?, &f.name)? {
            Ok(c) if c.codes.len() == ids.codes.len() => fields.push(c),
            Ok(_) => return Ok(Err(bad_shape(&f.name))),
            Err(e) => return Ok(Err(e)),
        };
    }
    let bad_rows = arr.get_element::<Object>(2)?;
    let bad_vals = arr.get_element::<Object>(3)?;
    let mut not_records = Vec::new();
    for i in 0..bad_rows.get_array_length()? {
        let row = bad_rows.get_element::<u32>(i)? as usize;
        not_records.push((row, js_to_json(bad_vals.get_element::<Unknown>(i)?)?));
    }
    let rows = Rows::from_coded(NODE, schema, ids, fields, not_records);
    Ok(Ok(rows.with_arrays()))
}

/// One value of a record as a coded column of one row, coded as index.js's encoder codes it.
fn cell(value: Unknown<'_>) -> Result<CodedColumn> {
    let mut c = CodedColumn::default();
    let code = match value.get_type()? {
        ValueType::Undefined | ValueType::Null => MISSING,
        ValueType::Number if value.coerce_to_number()?.get_double()?.is_finite() => {
            c.nums.push(value.coerce_to_number()?.get_double()?);
            NUMBER
        }
        _ => match js_to_json(value)? {
            Ok(Json::String(s)) => {
                c.strings.push(s);
                0
            }
            j => {
                c.others.push((0, j));
                OTHER
            }
        },
    };
    c.codes.push(code);
    Ok(c)
}

/// One record as index.js reads it for `route`: `values`, its id and fields in schema order,
/// or `None` when `record` is not a record (core reports it).
pub(crate) fn record(
    record: Unknown<'_>,
    values: Option<Object<'_>>,
    schema: &Schema,
) -> Result<Rows> {
    let width = 1 + schema.fields.len();
    let mut cells = Vec::with_capacity(width);
    let mut not_records = Vec::new();
    for i in 0..width {
        cells.push(match &values {
            Some(v) => cell(v.get_element::<Unknown>(i as u32)?)?,
            None => CodedColumn {
                codes: vec![MISSING],
                ..CodedColumn::default()
            },
        });
    }
    if values.is_none() {
        not_records.push((0, js_to_json(record)?));
    }
    let ids = cells.remove(0);
    Ok(Rows::from_coded(NODE, schema, ids, cells, not_records))
}

/// Reads columns as given to `routeColumns` (`[id, ...fields]` in schema order, each an
/// encoded column, a typed array, or undefined when not given; anything else is the host's
/// own value, reported) into core's rows.
pub(crate) fn columns(
    given: Object<'_>,
    schema: &Schema,
) -> Result<std::result::Result<Rows, ErrorReport>> {
    let ids = given_column(&given, 0, "id")?;
    let mut fields = Vec::with_capacity(schema.fields.len());
    for (i, f) in schema.fields.iter().enumerate() {
        fields.push(given_column(&given, i as u32 + 1, &f.name)?);
    }
    Ok(Rows::from_host_columns(NODE, schema, ids, fields))
}

/// Column `i` of `routeColumns` (named `name`).
fn given_column(
    given: &Object<'_>,
    i: u32,
    name: &str,
) -> Result<Option<std::result::Result<HostColumn, ErrorReport>>> {
    let value = given.get_element::<Unknown>(i)?;
    let typed = |c: Column| Ok(Some(Ok(HostColumn::Typed(c))));
    let ints = |v: Vec<i64>| typed(Column::Int(v.into_iter().map(Some).collect()));
    match value.get_type()? {
        ValueType::Undefined => Ok(None),
        ValueType::Object if value.is_typedarray()? => {
            if let Ok(a) = given.get_element::<Float64ArraySlice>(i) {
                return typed(Column::Float(a.iter().map(|x| Some(*x)).collect()));
            }
            if let Ok(a) = given.get_element::<Int32ArraySlice>(i) {
                return ints(a.iter().map(|x| i64::from(*x)).collect());
            }
            if let Ok(a) = given.get_element::<BigInt64ArraySlice>(i) {
                return ints(a.to_vec());
            }
            if let Ok(a) = given.get_element::<Uint32ArraySlice>(i) {
                return ints(a.iter().map(|x| i64::from(*x)).collect());
            }
            Ok(Some(Err(request_error(
                format!("column `{name}` is a typed array of an unsupported element type"),
                "use a Float64Array, Int32Array, Uint32Array or BigInt64Array",
            ))))
        }
        // (index.js encodes every array it is given, up to its first hole)
        ValueType::Object if value.is_array()? => {
            if let Ok(h) = value.coerce_to_object()?.get_element::<f64>(6) {
                if h >= 0.0 {
                    let i = h as u64;
                    return Ok(Some(Err(hole(name, i, format!("#{}", i + 1), Some(name)))));
                }
            }
            Ok(Some(coded(value, name)?.map(HostColumn::Coded)))
        }
        _ => {
            let (what, help) = match value.get_type()? {
                ValueType::Object => ("an object", "pass e.g. `{ id: [...], region: [...] }`"),
                _ => (
                    convert::type_name(&value),
                    "pass e.g. `{ id: [...], region: [...], size: new Float64Array([...]) }`",
                ),
            };
            Ok(Some(Err(request_error(
                format!("column `{name}` must be an array or a typed array, not {what}"),
                help,
            ))))
        }
    }
}

/// Results as core's [`ResultArrays`] in the array index.js builds the result objects from:
/// `[kinds, target, rule, statePartner, stateNums, texts, errors, explanations]`.
pub(crate) fn results_js(a: ResultArrays, env: &Env) -> Result<Array<'_>> {
    let mut out = env.create_array(8)?;
    out.set(0, Uint8Array::new(a.kinds))?;
    out.set(1, Uint32Array::new(a.target))?;
    out.set(2, Uint32Array::new(a.rule))?;
    out.set(3, Uint32Array::new(a.state_partner))?;
    out.set(4, Float64Array::new(a.state_nums))?;
    out.set(5, a.texts.iter().map(|t| &**t).collect::<Vec<&str>>())?;
    out.set(6, pairs(env, &a.errors)?)?;
    out.set(7, pairs(env, &a.explanations)?)?;
    Ok(out)
}

/// `[row, value, row, value, ...]` of rows and serde values.
fn pairs<'e, T: serde::Serialize>(env: &'e Env, items: &[(u32, T)]) -> Result<Array<'e>> {
    let mut out = env.create_array(0)?;
    for (k, (i, x)) in items.iter().enumerate() {
        let k = u32::try_from(k * 2).unwrap_or(NONE);
        out.set(k, *i)?;
        out.set(k + 1, env.to_js_value(x)?)?;
    }
    Ok(out)
}
