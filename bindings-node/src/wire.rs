//! The one conversion path between index.js and core: index.js reads records and columns in
//! JavaScript (where property reads and string dictionaries are cheap) and hands over one
//! encoded column per field, read here into core's [`Rows`]; core's [`Results`] go back as
//! typed arrays and a string table, from which index.js builds the plain objects. The codes of
//! both forms are defined here and exported to index.js ([`wire`]).
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

use std::sync::Arc;

use leadrail_core::api::request_error;
use leadrail_core::host::{self, Problem, Results, Rows};
use leadrail_core::record::Column;
use leadrail_core::report::ErrorReport;
use leadrail_core::route::{DecisionView, Explanation, OutcomeRef};
use leadrail_core::schema::Schema;
use leadrail_core::value::Type;
use napi::bindgen_prelude::*;
use napi::{JsString, ValueType};
use napi_derive::napi;
use rustc_hash::FxHashMap;
use serde_json::Value as Json;

use crate::convert::{self, element, hole, js_to_json, reserve, whole, Unreadable, NODE};

/// Code of a missing cell (null, undefined).
const MISSING: u32 = u32::MAX;
/// Code of a number cell (its value in `nums`).
const NUMBER: u32 = u32::MAX - 1;
/// Code of any other cell (its value in `otherVals`).
const OTHER: u32 = u32::MAX - 2;
/// "None" in the compact results.
const NONE: u32 = u32::MAX;
/// The kinds of the compact results.
const K_PARTNER: u8 = 0;
const K_QUEUE: u8 = 1;
const K_UNROUTED: u8 = 2;
const K_ERROR: u8 = 3;

/// The codes of the wire forms, for index.js.
#[napi(js_name = "_wire", skip_typescript)]
pub fn wire(env: &Env) -> Result<Object<'_>> {
    let mut o = Object::new(env)?;
    o.set_named_property("MISSING", MISSING)?;
    o.set_named_property("NUMBER", NUMBER)?;
    o.set_named_property("OTHER", OTHER)?;
    o.set_named_property("NONE", NONE)?;
    o.set_named_property("PARTNER", K_PARTNER)?;
    o.set_named_property("QUEUE", K_QUEUE)?;
    o.set_named_property("UNROUTED", K_UNROUTED)?;
    o.set_named_property("ERROR", K_ERROR)?;
    Ok(o)
}

/// The concatenated strings of a column: kept as UTF-8 when they are all ASCII (then a UTF-16
/// length is a byte length), else as UTF-16 units.
enum Text {
    Ascii(String),
    Utf16(Vec<u16>),
}

impl Text {
    fn read(s: JsString<'_>) -> Result<Text> {
        let utf8 = s.into_utf8()?;
        if utf8.as_slice().is_ascii() {
            return Ok(Text::Ascii(utf8.into_owned()?));
        }
        Ok(Text::Utf16(
            utf8.into_value().into_utf16()?.as_slice().to_vec(),
        ))
    }

    fn len(&self) -> usize {
        match self {
            Text::Ascii(s) => s.len(),
            Text::Utf16(u) => u.len(),
        }
    }

    /// The string of the UTF-16 units `at..end` (clamped; lone surrogates become U+FFFD, as in
    /// `napi_get_value_string_utf8`).
    fn string(&self, at: usize, end: usize) -> String {
        let end = end.min(self.len());
        match self {
            Text::Ascii(s) => s.get(at.min(end)..end).unwrap_or("").to_owned(),
            Text::Utf16(u) => String::from_utf16_lossy(u.get(at.min(end)..end).unwrap_or(&[])),
        }
    }
}

/// One encoded column, copied out of JavaScript (so that it can cross threads).
struct Encoded {
    codes: Vec<u32>,
    nums: Vec<f64>,
    strings: Vec<String>,
    /// (row, the value's JSON form), ascending rows.
    others: Vec<(usize, std::result::Result<Json, Unreadable>)>,
}

fn bad_shape(what: &str) -> ErrorReport {
    request_error(
        format!("`{what}` is not an encoded column"),
        "call the methods of `Network` through the package's index.js",
    )
}

/// How a column's numbers are taken.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Records: each number keeps its own JSON form (a column mixing integral and other
    /// numbers is JSON).
    Records,
    /// Columns: a column of numbers is integers if all are integral, else floats.
    Columns,
}

impl Encoded {
    fn read(value: Unknown<'_>, what: &str) -> Result<std::result::Result<Encoded, ErrorReport>> {
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
        let text = Text::read(text)?;
        let mut strings = Vec::with_capacity(lens.len());
        let mut at = 0usize;
        for len in lens.iter() {
            let end = at.saturating_add(*len as usize);
            strings.push(text.string(at, end));
            at = end;
        }
        let n = rows.get_array_length()?;
        let mut others = Vec::with_capacity(reserve(n));
        for i in 0..n {
            let (Ok(row), Some(v)) = (rows.get_element::<u32>(i), element(&vals, i)?) else {
                return Ok(Err(bad_shape(what)));
            };
            others.push((row as usize, js_to_json(v)?));
        }
        Ok(Ok(Encoded {
            codes: codes.to_vec(),
            nums: nums.map(|n| n.to_vec()).unwrap_or_default(),
            strings,
            others,
        }))
    }

    fn num(&self, row: usize) -> f64 {
        self.nums.get(row).copied().unwrap_or(f64::NAN)
    }

    /// The column as [`Column::Text`] when every cell is a string or missing (an id column):
    /// each record's id as is, shared, without a JSON string per row.
    fn text_column(&self) -> Option<Column> {
        if !self.others.is_empty() {
            return None;
        }
        let texts: Vec<Arc<str>> = self.strings.iter().map(|s| Arc::from(s.as_str())).collect();
        let mut out = Vec::with_capacity(self.codes.len());
        for c in &self.codes {
            out.push(match *c {
                MISSING => None,
                c => Some(texts.get(c as usize)?.clone()),
            });
        }
        Some(Column::Text(out))
    }

    /// The core column, and the rows whose value has no JSON form (with why).
    fn column(self, mode: Mode) -> (Column, Vec<(usize, Unreadable)>) {
        let nstr = self.strings.len() as u64;
        let has_num = self.codes.contains(&NUMBER);
        let has_str = self.codes.iter().any(|c| u64::from(*c) < nstr);
        let has_other = !self.others.is_empty();
        if !has_num && !has_other {
            let dict = self.strings.into_iter().map(Json::String).collect();
            let codes = self.codes;
            return (Column::Dict { dict, codes }, Vec::new());
        }
        if !has_str && !has_other {
            let vals: Vec<Option<f64>> = (0..self.codes.len())
                .map(|row| (self.codes.get(row) == Some(&NUMBER)).then(|| self.num(row)))
                .collect();
            let all_int = vals.iter().flatten().all(|x| whole(*x));
            let any_int = vals.iter().flatten().any(|x| whole(*x));
            if all_int {
                let ints = vals.into_iter().map(|x| x.map(|x| x as i64)).collect();
                return (Column::Int(ints), Vec::new());
            }
            if mode == Mode::Columns || !any_int {
                return (Column::Float(vals), Vec::new());
            }
        }
        let mut others = self.others.iter().peekable();
        let mut bad = Vec::new();
        let mut out = Vec::with_capacity(self.codes.len());
        for (row, c) in self.codes.iter().enumerate() {
            let j = match *c {
                MISSING => Ok(Json::Null),
                NUMBER => convert::number_json(self.num(row)),
                OTHER => match others.next_if(|(r, _)| *r <= row) {
                    Some((r, j)) if *r == row => j.clone(),
                    _ => Ok(Json::Null),
                },
                c => Ok(self
                    .strings
                    .get(c as usize)
                    .map_or(Json::Null, |s| Json::String(s.clone()))),
            };
            out.push(j.unwrap_or_else(|why| {
                bad.push((row, why));
                Json::Null
            }));
        }
        (Column::Json(out), bad)
    }
}

/// Reads records as index.js encodes them (see the module docs) into core's rows, with the
/// problems met: rows that are not records, values without a JSON form. `name` names the
/// array in the error of a hole, `at` is the batch row of the first row (a chunk's start).
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
    let ids = match Encoded::read(arr.get_element::<Unknown>(0)?, "id")? {
        Ok(e) => e,
        Err(e) => return Ok(Err(e)),
    };
    let rows = ids.codes.len();
    let mut problems = Vec::new();
    let ids = match ids.text_column() {
        Some(c) => c,
        None => {
            let (col, bad) = ids.column(Mode::Records);
            problems.extend(bad.into_iter().map(|(row, found)| Problem::Unreadable {
                row,
                field: None,
                found,
            }));
            col
        }
    };
    let cols = arr.get_element::<Object>(1)?;
    let mut fields = Vec::with_capacity(schema.fields.len());
    for (i, f) in schema.fields.iter().enumerate() {
        let c = match Encoded::read(cols.get_element::<Unknown>(i as u32)?, &f.name)? {
            Ok(c) if c.codes.len() == rows => c,
            Ok(_) => return Ok(Err(bad_shape(&f.name))),
            Err(e) => return Ok(Err(e)),
        };
        let (col, bad) = c.column(Mode::Records);
        problems.extend(bad.into_iter().map(|(row, found)| Problem::Unreadable {
            row,
            field: Some(i),
            found,
        }));
        fields.push(col);
    }
    let bad_rows = arr.get_element::<Object>(2)?;
    let bad_vals = arr.get_element::<Object>(3)?;
    for i in 0..bad_rows.get_array_length()? {
        let row = bad_rows.get_element::<u32>(i)? as usize;
        let value = js_to_json(bad_vals.get_element::<Unknown>(i)?)?;
        problems.push(Problem::NotARecord { row, value });
    }
    let rows = Rows::in_schema_order(NODE, rows, ids, schema, fields);
    Ok(Ok(rows.with_problems(problems)))
}

/// A column given to `routeColumns`: encoded by index.js, or a typed array.
enum Given {
    Encoded(Encoded),
    Ready(Column),
}

/// Reads columns as given to `routeColumns` (`[id, ...fields]` in schema order, each an
/// encoded column, a typed array, or undefined when not given; anything else is the host's
/// own value, reported) into core's rows. A value without a JSON form makes the call throw.
pub(crate) fn columns(
    given: Object<'_>,
    schema: &Schema,
) -> Result<std::result::Result<Rows, ErrorReport>> {
    let read = |i: u32,
                name: &str,
                ty: Option<&Type>|
     -> Result<Option<std::result::Result<Column, ErrorReport>>> {
        let Some(g) = given_column(&given, i, name, ty)? else {
            return Ok(None);
        };
        Ok(Some(g.and_then(|g| match g {
            Given::Ready(c) => Ok(c),
            Given::Encoded(e) if ty.is_none() => match e.text_column() {
                Some(c) => Ok(c),
                None => strict(e, name),
            },
            Given::Encoded(e) => strict(e, name).map(|c| narrow(c, ty)),
        })))
    };
    let ids = match read(0, "id", None)? {
        Some(Ok(c)) => c,
        Some(Err(e)) => return Ok(Err(e)),
        None => {
            return Ok(Err(request_error(
                "`columns` has no `id` column".into(),
                "add the lead ids as the column `id`",
            )))
        }
    };
    let rows = ids.len();
    let mut fields = Vec::new();
    for (i, f) in schema.fields.iter().enumerate() {
        match read(i as u32 + 1, &f.name, Some(&f.ty))? {
            Some(Ok(c)) => match c.check_len(&f.name, rows) {
                Ok(()) => fields.push((f.name.clone(), c)),
                Err(e) => return Ok(Err(e)),
            },
            Some(Err(e)) => return Ok(Err(e)),
            None => {}
        }
    }
    Ok(Ok(Rows::new(NODE, rows, ids, fields)))
}

/// An encoded column of `routeColumns`, or the error of its first value without a JSON form.
fn strict(e: Encoded, name: &str) -> std::result::Result<Column, ErrorReport> {
    let (col, bad) = e.column(Mode::Columns);
    match bad.into_iter().next() {
        Some((row, why)) => Err(host::unreadable(
            NODE,
            host::Owner::Position(row + 1),
            name,
            &why,
        )),
        None => Ok(col),
    }
}

/// Column `i` of `routeColumns` (named `name`, of type `ty`, `None` for the ids).
fn given_column(
    given: &Object<'_>,
    i: u32,
    name: &str,
    ty: Option<&Type>,
) -> Result<Option<std::result::Result<Given, ErrorReport>>> {
    let value = given.get_element::<Unknown>(i)?;
    let ints = |v: Vec<i64>| {
        Ok(Some(Ok(Given::Ready(Column::Int(
            v.into_iter().map(Some).collect(),
        )))))
    };
    match value.get_type()? {
        ValueType::Undefined => Ok(None),
        ValueType::Object if value.is_typedarray()? => {
            if let Ok(a) = given.get_element::<Float64ArraySlice>(i) {
                let col = Column::Float(a.iter().map(|x| Some(*x)).collect());
                return Ok(Some(Ok(Given::Ready(narrow(col, ty)))));
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
            Ok(Some(Encoded::read(value, name)?.map(Given::Encoded)))
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

/// A float column of an `int` or `decimal` field whose values are all whole numbers within
/// +-2^53 (and none is -0) as integers: core reads such a float as exactly the integer, without
/// formatting and parsing each value. Other columns are returned as they are.
fn narrow(col: Column, ty: Option<&Type>) -> Column {
    let whole_int = |x: &f64| whole(*x) && !(*x == 0.0 && x.is_sign_negative());
    match col {
        Column::Float(v)
            if matches!(ty, Some(Type::Int | Type::Decimal))
                && v.iter().all(|x| x.as_ref().is_none_or(whole_int)) =>
        {
            Column::Int(v.into_iter().map(|x| x.map(|x| x as i64)).collect())
        }
        col => col,
    }
}

/// Results in compact form, built off the JavaScript thread; `Compact::into_js` makes the
/// `[kinds, target, rule, statePartner, stateNums, texts, errors, explanations]` array from
/// which index.js builds the result objects.
pub struct Compact {
    kinds: Vec<u8>,
    target: Vec<u32>,
    rule: Vec<u32>,
    state_partner: Vec<u32>,
    /// version, active_leads, last_assigned_at (NaN for null) per lead.
    state_nums: Vec<f64>,
    texts: Vec<Arc<str>>,
    errors: Vec<(u32, ErrorReport)>,
    explanations: Vec<(u32, Explanation)>,
}

impl Compact {
    /// The compact form of every row of `results`.
    pub(crate) fn of(results: &Results) -> Compact {
        Compact::new(results.len(), results.views())
    }

    /// The compact form of `rows` results.
    pub(crate) fn new<'a>(
        rows: usize,
        results: impl Iterator<Item = std::result::Result<DecisionView<'a>, &'a ErrorReport>>,
    ) -> Compact {
        let mut c = Compact {
            kinds: Vec::with_capacity(rows),
            target: Vec::with_capacity(rows),
            rule: Vec::with_capacity(rows),
            state_partner: Vec::with_capacity(rows),
            state_nums: Vec::with_capacity(rows * 3),
            texts: Vec::new(),
            errors: Vec::new(),
            explanations: Vec::new(),
        };
        // texts by the address of their `Arc` (partner ids, queue and rule names are shared)
        let mut index: FxHashMap<*const u8, u32> = FxHashMap::default();
        let mut text = |texts: &mut Vec<Arc<str>>, s: &Arc<str>| -> u32 {
            *index.entry(s.as_ptr()).or_insert_with(|| {
                texts.push(s.clone());
                u32::try_from(texts.len() - 1).unwrap_or(NONE)
            })
        };
        // consecutive decisions mostly share their rule
        let mut last_rule: (*const u8, u32) = (std::ptr::null(), NONE);
        for (i, r) in results.enumerate() {
            let i = u32::try_from(i).unwrap_or(NONE);
            let d = match r {
                Ok(d) => d,
                Err(e) => {
                    c.kinds.push(K_ERROR);
                    c.target.push(NONE);
                    c.rule.push(NONE);
                    c.state_partner.push(NONE);
                    c.state_nums.extend([0.0, 0.0, f64::NAN]);
                    c.errors.push((i, e.clone()));
                    continue;
                }
            };
            let (k, t) = match d.outcome {
                OutcomeRef::Partner(id) => (K_PARTNER, text(&mut c.texts, id)),
                OutcomeRef::Queue(name) => (K_QUEUE, text(&mut c.texts, name)),
                OutcomeRef::Unrouted => (K_UNROUTED, NONE),
            };
            c.kinds.push(k);
            c.target.push(t);
            let rule = match d.rule {
                Some(r) if r.as_ptr() == last_rule.0 => last_rule.1,
                Some(r) => {
                    let k = text(&mut c.texts, r);
                    last_rule = (r.as_ptr(), k);
                    k
                }
                None => NONE,
            };
            c.rule.push(rule);
            match d.state_read {
                Some(s) => {
                    let p = match d.outcome {
                        OutcomeRef::Partner(id) if Arc::ptr_eq(id, s.partner) => t,
                        _ => text(&mut c.texts, s.partner),
                    };
                    c.state_partner.push(p);
                    c.state_nums.extend([
                        s.version as f64,
                        s.active_leads as f64,
                        s.last_assigned_at.map_or(f64::NAN, |t| t as f64),
                    ]);
                }
                None => {
                    c.state_partner.push(NONE);
                    c.state_nums.extend([0.0, 0.0, f64::NAN]);
                }
            }
            if let Some(e) = d.explanation {
                c.explanations.push((i, e.clone()));
            }
        }
        c
    }

    pub(crate) fn into_js<'e>(self, env: &'e Env) -> Result<Array<'e>> {
        let mut out = env.create_array(8)?;
        out.set(0, Uint8Array::new(self.kinds))?;
        out.set(1, Uint32Array::new(self.target))?;
        out.set(2, Uint32Array::new(self.rule))?;
        out.set(3, Uint32Array::new(self.state_partner))?;
        out.set(4, Float64Array::new(self.state_nums))?;
        let mut texts = env.create_array(u32::try_from(self.texts.len()).unwrap_or(NONE))?;
        for (i, t) in self.texts.iter().enumerate() {
            texts.set(u32::try_from(i).unwrap_or(NONE), env.create_string(t)?)?;
        }
        out.set(5, texts)?;
        out.set(6, pairs(env, &self.errors)?)?;
        out.set(7, pairs(env, &self.explanations)?)?;
        Ok(out)
    }
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
