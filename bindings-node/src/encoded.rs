//! The batch entry behind `routeBatch`, `routeBatchAsync` and `routeColumns`: the JavaScript
//! wrapper (`index.js`) reads the leads in JavaScript, where property reads and string
//! dictionaries are cheap, and hands over one encoded column per field; decisions come back as
//! typed arrays plus a small string table, which the wrapper turns into plain objects.
//!
//! An encoded column is a JavaScript array `[codes, nums, text, lens, otherRows, otherVals]`:
//! - `codes` (`Uint32Array`, one per row): an index into the column's strings, or [`MISSING`]
//!   (null, undefined, a hole), [`NUMBER`] (the number is `nums[row]`) or [`OTHER`] (any other
//!   value, passed as is in `otherVals`, its row in `otherRows`);
//! - `nums` (`Float64Array` or null when no row holds a number);
//! - `text`, `lens`: the column's strings, concatenated, and their lengths in UTF-16 units;
//! - `otherRows`, `otherVals`: arrays (usually empty).
//!
//! Every cell keeps the JSON form the record path gives it (`routing::js_to_json`), so core
//! parses exactly what it parsed before; values without a JSON form get the same errors.

use std::sync::{Arc, RwLock};

use leadrail_core::api::request_error;
use leadrail_core::network::Network;
use leadrail_core::record::{Column, DataError, Record};
use leadrail_core::report::ErrorReport;
use leadrail_core::route::{
    times_without, Engine, LeadBatch, OutcomeRef, RouteOptions, RoutedBatch, Times,
};
use leadrail_core::schema::Schema;
use leadrail_core::value::{Instant, Type};
use napi::bindgen_prelude::*;
use napi::{JsString, ValueType};
use rustc_hash::FxHashMap;
use serde_json::Value as Json;

use crate::routing::{self, Now, Unsupported};

/// Code of a missing cell (null, undefined).
pub(crate) const MISSING: u32 = u32::MAX;
/// Code of a number cell (its value in `nums`).
pub(crate) const NUMBER: u32 = u32::MAX - 1;
/// Code of any other cell (its value in `otherVals`).
pub(crate) const OTHER: u32 = u32::MAX - 2;

/// How a column's numbers and unreadable values are taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Leads as objects (`routeBatch`): each number keeps its own JSON form (integral numbers
    /// are integers), a value without a JSON form is an error of its lead.
    Records,
    /// Leads as columns (`routeColumns`): a column of numbers is integers if all are integral,
    /// else floats; a value without a JSON form makes the call throw.
    Columns,
}

/// One column as the wrapper encoded it, copied out of JavaScript (so it can cross threads).
pub(crate) struct Encoded {
    codes: Vec<u32>,
    nums: Vec<f64>,
    text: Text,
    lens: Vec<u32>,
    /// (row, the value's JSON form), ascending rows.
    others: Vec<(usize, std::result::Result<Json, Unsupported>)>,
}

/// The concatenated strings of a column: read as UTF-8 and kept so when they are all ASCII
/// (then a UTF-16 length is a byte length), else as UTF-16 units.
enum Text {
    Ascii(String),
    Utf16(Vec<u16>),
}

impl Text {
    /// Reads a JavaScript string.
    fn read(s: JsString<'_>) -> Result<Text> {
        let utf8 = s.into_utf8()?;
        if utf8.as_slice().is_ascii() {
            return Ok(Text::Ascii(utf8.into_owned()?));
        }
        Ok(Text::Utf16(
            utf8.into_value().into_utf16()?.as_slice().to_vec(),
        ))
    }

    /// The length in UTF-16 units.
    fn len(&self) -> usize {
        match self {
            Text::Ascii(s) => s.len(),
            Text::Utf16(u) => u.len(),
        }
    }

    /// The string of the UTF-16 units `at..end` (clamped to the text; lone surrogates become
    /// U+FFFD, as in `napi_get_value_string_utf8`).
    fn string(&self, at: usize, end: usize) -> Arc<str> {
        let end = end.min(self.len());
        match self {
            Text::Ascii(s) => Arc::from(s.get(at.min(end)..end).unwrap_or("")),
            Text::Utf16(u) => Arc::from(String::from_utf16_lossy(
                u.get(at.min(end)..end).unwrap_or(&[]),
            )),
        }
    }

    /// As [`Text::string`], owned.
    fn owned(&self, at: usize, end: usize) -> String {
        let end = end.min(self.len());
        match self {
            Text::Ascii(s) => s.get(at.min(end)..end).unwrap_or("").to_owned(),
            Text::Utf16(u) => String::from_utf16_lossy(u.get(at.min(end)..end).unwrap_or(&[])),
        }
    }
}

/// A column as given to `routeColumns`: encoded by the wrapper, or a typed array.
pub(crate) enum Given {
    Encoded(Encoded),
    Ready(Column),
}

fn bad_shape(what: &str) -> ErrorReport {
    request_error(
        format!("`{what}` is not an encoded column"),
        "call the methods of `Network` through the package's index.js",
    )
}

impl Encoded {
    /// Reads an encoded column (see the module documentation).
    pub(crate) fn read(
        value: Unknown<'_>,
        what: &str,
    ) -> Result<std::result::Result<Self, ErrorReport>> {
        if value.get_type()? != ValueType::Object || !value.is_array()? {
            return Ok(Err(bad_shape(what)));
        }
        let arr = value.coerce_to_object()?;
        let Ok(codes) = arr.get_element::<Uint32ArraySlice>(0) else {
            return Ok(Err(bad_shape(what)));
        };
        let nums = match arr.get_element::<Option<Float64ArraySlice>>(1) {
            Ok(n) => n.map(|n| n.to_vec()).unwrap_or_default(),
            Err(_) => return Ok(Err(bad_shape(what))),
        };
        let Ok(text) = arr.get_element::<JsString>(2) else {
            return Ok(Err(bad_shape(what)));
        };
        let text = Text::read(text)?;
        let Ok(lens) = arr.get_element::<Uint32ArraySlice>(3) else {
            return Ok(Err(bad_shape(what)));
        };
        let (Ok(rows), Ok(vals)) = (arr.get_element::<Object>(4), arr.get_element::<Object>(5))
        else {
            return Ok(Err(bad_shape(what)));
        };
        let n = rows.get_array_length()?;
        let mut others = Vec::with_capacity(routing::reserve(n));
        for i in 0..n {
            let (Ok(row), Some(v)) = (rows.get_element::<u32>(i), routing::element(&vals, i)?)
            else {
                return Ok(Err(bad_shape(what)));
            };
            others.push((row as usize, routing::js_to_json(v)?));
        }
        Ok(Ok(Encoded {
            codes: codes.to_vec(),
            nums,
            text,
            lens: lens.to_vec(),
            others,
        }))
    }

    /// The number of rows.
    pub(crate) fn len(&self) -> usize {
        self.codes.len()
    }

    /// The column's strings (lone surrogates become U+FFFD, as in `napi_get_value_string_utf8`).
    fn strings(&self) -> Vec<String> {
        let mut out = Vec::with_capacity(self.lens.len());
        let mut at = 0usize;
        for len in &self.lens {
            let end = at.saturating_add(*len as usize).min(self.text.len());
            out.push(self.text.owned(at, end));
            at = end;
        }
        out
    }

    /// The column as [`Column::Text`] when every cell is a string or missing (the usual id
    /// column): each text is the record's id as is (`Arc` shared, no JSON string per row).
    /// `None` for any other column.
    pub(crate) fn text_column(&self) -> Option<Column> {
        if !self.others.is_empty() {
            return None;
        }
        // the bounds of each string in `text`
        let mut bounds = Vec::with_capacity(self.lens.len());
        let mut at = 0usize;
        for len in &self.lens {
            let end = at.saturating_add(*len as usize).min(self.text.len());
            bounds.push((at, end));
            at = end;
        }
        let mut out = Vec::with_capacity(self.codes.len());
        for c in &self.codes {
            out.push(match *c {
                MISSING => None,
                c => match bounds.get(c as usize) {
                    Some((at, end)) => Some(self.text.string(*at, *end)),
                    // a number, another value or a bad code: the JSON way
                    None => return None,
                },
            });
        }
        Some(Column::Text(out))
    }

    fn num(&self, row: usize) -> f64 {
        self.nums.get(row).copied().unwrap_or(f64::NAN)
    }

    /// The core column, and the rows whose value has no JSON form (with why); in
    /// [`Mode::Columns`] the first such row makes the whole call fail.
    pub(crate) fn column(
        &self,
        strings: Vec<String>,
        mode: Mode,
    ) -> (Column, Vec<(usize, Unsupported)>) {
        let nstr = strings.len() as u64;
        let (mut has_str, mut has_num) = (false, false);
        for c in &self.codes {
            match *c {
                MISSING => {}
                NUMBER => has_num = true,
                OTHER => {}
                c if u64::from(c) < nstr => has_str = true,
                _ => {}
            }
        }
        let has_other = !self.others.is_empty();
        if !has_num && !has_other {
            let dict = strings.into_iter().map(Json::String).collect();
            return (
                Column::Dict {
                    dict,
                    codes: self.codes.clone(),
                },
                Vec::new(),
            );
        }
        if !has_str && !has_other {
            let vals: Vec<Option<f64>> = self
                .codes
                .iter()
                .enumerate()
                .map(|(row, c)| (*c == NUMBER).then(|| self.num(row)))
                .collect();
            let integral = |x: &f64| routing::whole(*x);
            let all_int = vals.iter().flatten().all(integral);
            let any_int = vals.iter().flatten().any(integral);
            if all_int {
                let ints = vals.into_iter().map(|x| x.map(|x| x as i64)).collect();
                return (Column::Int(ints), Vec::new());
            }
            // records: each number keeps its JSON form, so a mix goes the JSON way below
            if mode == Mode::Columns || !any_int {
                return (Column::Float(vals), Vec::new());
            }
        }
        let mut others = self.others.iter().peekable();
        let mut bad = Vec::new();
        let mut out = Vec::with_capacity(self.codes.len());
        for (row, c) in self.codes.iter().enumerate() {
            let j = match *c {
                MISSING => Json::Null,
                NUMBER => match routing::number_json(self.num(row)) {
                    Ok(j) => j,
                    Err(e) => {
                        bad.push((row, e));
                        Json::Null
                    }
                },
                OTHER => match others.next_if(|(r, _)| *r <= row) {
                    Some((r, Ok(j))) if *r == row => j.clone(),
                    Some((r, Err(e))) if *r == row => {
                        bad.push((row, Unsupported(e.0.clone())));
                        Json::Null
                    }
                    _ => Json::Null,
                },
                c => strings
                    .get(c as usize)
                    .map_or(Json::Null, |s| Json::String(s.clone())),
            };
            out.push(j);
        }
        (Column::Json(out), bad)
    }
}

/// Leads read by the wrapper from an array of objects: the ids, one column per schema field,
/// and the errors found while reading (rows that are not objects, values without a JSON form).
pub struct Leads {
    /// The batch position of the first row (0, or the start of a chunk): error positions
    /// (`record #n`) count from the start of the whole batch.
    at: usize,
    rows: usize,
    ids: Encoded,
    fields: Vec<Encoded>,
    /// (row, 0 for the record or its id, 1 + i for field i, report)
    host: Vec<(usize, usize, ErrorReport)>,
}

impl Leads {
    /// The number of rows.
    pub(crate) fn len(&self) -> usize {
        self.rows
    }

    /// Reads `[ids, fields, badRows, badVals]`, the leads as the wrapper encoded them: the id
    /// column, one column per schema field (in order), and the rows that are not objects with
    /// their values. `at`: the batch position of the first row (0 for a whole batch, the start
    /// of the chunk for a chunk of one), from which error positions count.
    pub(crate) fn read(
        value: Unknown<'_>,
        schema: &Schema,
        at: usize,
    ) -> Result<std::result::Result<Leads, ErrorReport>> {
        let what = "leads";
        if value.get_type()? != ValueType::Object || !value.is_array()? {
            return Ok(Err(bad_shape(what)));
        }
        let arr = value.coerce_to_object()?;
        let ids = match Encoded::read(arr.get_element::<Unknown>(0)?, "id")? {
            Ok(e) => e,
            Err(e) => return Ok(Err(e)),
        };
        let rows = ids.len();
        let cols = arr.get_element::<Object>(1)?;
        let mut fields = Vec::with_capacity(schema.fields.len());
        for (i, f) in schema.fields.iter().enumerate() {
            let c = match Encoded::read(cols.get_element::<Unknown>(i as u32)?, &f.name)? {
                Ok(c) => c,
                Err(e) => return Ok(Err(e)),
            };
            if c.len() != rows {
                return Ok(Err(bad_shape(&f.name)));
            }
            fields.push(c);
        }
        let mut host = Vec::new();
        let bad_rows = arr.get_element::<Object>(2)?;
        let bad_vals = arr.get_element::<Object>(3)?;
        for i in 0..bad_rows.get_array_length()? {
            let row = bad_rows.get_element::<u32>(i)? as usize;
            let v = bad_vals.get_element::<Unknown>(i)?;
            if let Err(e) = routing::record(v, schema, at + row + 1)? {
                host.push((row, 0, e));
            }
        }
        Ok(Ok(Leads {
            at,
            rows,
            ids,
            fields,
            host,
        }))
    }

    /// The leads as core records and the errors of the others, as `routing::records_by_columns`
    /// parses them. Runs no JavaScript, so it can run on the thread pool.
    pub(crate) fn parse(self, schema: &Schema) -> Parsed {
        let Leads {
            at,
            rows,
            ids,
            fields,
            mut host,
        } = self;
        // ids that are all strings (or missing): each record's id is the column's text
        let (id_col, bad) = match ids.text_column() {
            Some(c) => (c, Vec::new()),
            None => ids.column(ids.strings(), Mode::Records),
        };
        drop(ids);
        // the name of a row in host errors: its id if it is a string
        let name = |row: usize| match &id_col {
            Column::Text(v) => match v.get(row) {
                Some(Some(s)) => s.to_string(),
                _ => format!("#{}", at + row + 1),
            },
            Column::Dict { dict, codes } => {
                match codes.get(row).and_then(|c| dict.get(*c as usize)) {
                    Some(Json::String(s)) => s.clone(),
                    _ => format!("#{}", at + row + 1),
                }
            }
            Column::Json(v) => match v.get(row) {
                Some(Json::String(s)) => s.clone(),
                _ => format!("#{}", at + row + 1),
            },
            _ => format!("#{}", at + row + 1),
        };
        for (row, e) in bad {
            host.push((row, 0, routing::unsupported(&name(row), "id", e)));
        }
        let mut cols = Vec::with_capacity(fields.len());
        for (i, (f, c)) in schema.fields.iter().zip(&fields).enumerate() {
            let (col, bad) = c.column(c.strings(), Mode::Records);
            for (row, e) in bad {
                host.push((row, 1 + i, routing::unsupported(&name(row), &f.name, e)));
            }
            cols.push(col);
        }
        drop(fields);
        if host.is_empty() {
            // core parses and prepares the columns in one step when routing
            let named: Vec<(String, Column)> = schema
                .fields
                .iter()
                .map(|f| f.name.clone())
                .zip(cols)
                .collect();
            return Parsed::columns(rows, id_col, named).at(at);
        }
        let named = Column::named(schema, &cols);
        let (good, bad) = Record::from_columns_split(schema, rows, &id_col, &named);
        let bad = bad
            .into_iter()
            .map(|(i, e)| (i, e.with_position(at + i + 1)))
            .collect();
        Parsed::with_host_errors(schema, rows, good, bad, host).at(at)
    }
}

/// The leads of a [`Parsed`] batch.
enum Good {
    /// The records of the good leads, in order.
    Records(Vec<Record>),
    /// Columns (the ids, and fields by name) that `Engine::prepare_columns` parses when the
    /// batch is routed; their bad rows are known then.
    Columns {
        ids: Column,
        cols: Vec<(String, Column)>,
    },
}

/// Parsed leads: the good ones (records, or columns core parses when routing), in order, and
/// the errors of the others.
pub struct Parsed {
    /// The batch position of the first row (see [`Leads::read`]).
    at: usize,
    rows: usize,
    good: Good,
    /// (row, error), ascending rows.
    bad: Vec<(usize, ErrorReport)>,
}

/// Leads ready to route: the good ones prepared by core, in order, and the errors of the
/// others.
pub(crate) struct Prepared {
    rows: usize,
    batch: LeadBatch,
    /// (row, error), ascending rows.
    bad: Vec<(usize, ErrorReport)>,
}

impl Parsed {
    /// `rows` leads as columns: `ids` and fields by name, parsed by core when routed (with the
    /// errors `Record::from_columns_split` would give).
    pub(crate) fn columns(rows: usize, ids: Column, cols: Vec<(String, Column)>) -> Parsed {
        Parsed {
            at: 0,
            rows,
            good: Good::Columns { ids, cols },
            bad: Vec::new(),
        }
    }

    /// The same leads as rows `at..` of a batch (error positions count from there).
    fn at(self, at: usize) -> Parsed {
        Parsed { at, ..self }
    }

    /// What `Record::from_columns_split` returned for `rows` rows, with the problems the binding
    /// met reading cells itself (`(row, position, report)`, see `record::merge_host_errors`):
    /// each row reports the one `Record::from_json_at` would report first.
    fn with_host_errors(
        schema: &Schema,
        rows: usize,
        good: Vec<Record>,
        bad: Vec<(usize, DataError)>,
        host: Vec<(usize, usize, ErrorReport)>,
    ) -> Parsed {
        let bad = bad.into_iter().map(|(i, e)| (i, ErrorReport::from(e)));
        let mut all: Vec<std::result::Result<Record, ErrorReport>> = Vec::with_capacity(rows);
        let mut good = good.into_iter();
        let mut bad = bad.into_iter().peekable();
        for i in 0..rows {
            all.push(match bad.next_if(|(row, _)| *row == i) {
                Some((_, e)) => Err(e),
                None => good.next().ok_or_else(|| {
                    request_error("a lead was not parsed".into(), "report this as a bug")
                }),
            });
        }
        leadrail_core::record::merge_host_errors(schema, &mut all, host);
        let mut good = Vec::with_capacity(rows);
        let mut bad = Vec::new();
        for (i, r) in all.into_iter().enumerate() {
            match r {
                Ok(rec) => good.push(rec),
                Err(e) => bad.push((i, e)),
            }
        }
        Parsed {
            at: 0,
            rows,
            good: Good::Records(good),
            bad,
        }
    }

    /// Routes the good leads in order, applying each assignment (like `engine::route_records`),
    /// and returns every lead's result in compact form. The network is locked only while the
    /// prepared leads are routed.
    pub(crate) fn route(
        self,
        engine: &Engine,
        net: &RwLock<Network>,
        now: &Now,
        opts: &RouteOptions,
    ) -> std::result::Result<Compact, ErrorReport> {
        check_times(self.rows, now)?;
        let prepared = self.prepare(engine);
        // the lock only while routing
        let routed = {
            let mut n = net.write().map_err(|_| crate::engine::poisoned())?;
            prepared.route_only(engine, &mut n, now, opts)
        };
        Ok(prepared.compact(&routed))
    }

    /// Prepares the good leads for routing (parsing them first when they are columns; the
    /// errors of those that fail join the others).
    pub(crate) fn prepare(self, engine: &Engine) -> Prepared {
        let Parsed {
            at,
            rows,
            good,
            bad,
        } = self;
        let (batch, bad) = match good {
            Good::Records(good) => (engine.prepare_leads(good), bad),
            Good::Columns { ids, cols } => engine.prepare_columns_at(at, rows, &ids, &cols),
        };
        Prepared { rows, batch, bad }
    }
}

/// The error of a batch of `rows` leads given another number of instants.
pub(crate) fn check_times(rows: usize, now: &Now) -> std::result::Result<(), ErrorReport> {
    match now {
        Now::Each(ts) if ts.len() != rows => Err(request_error(
            format!("{rows} leads but {} instants", ts.len()),
            "give one `now` for all leads or one per lead",
        )),
        _ => Ok(()),
    }
}

impl Prepared {
    /// Routes the good leads in order on `net`, applying each assignment; `now`: one instant,
    /// or one per lead (checked by [`check_times`]), those of the bad leads skipped. Returns
    /// every lead's result in compact form.
    pub(crate) fn route(
        self,
        engine: &Engine,
        net: &mut Network,
        now: &Now,
        opts: &RouteOptions,
    ) -> Compact {
        let routed = self.route_only(engine, net, now, opts);
        self.compact(&routed)
    }

    /// Every lead's result in compact form, `routed` the results of the good ones.
    fn compact(self, routed: &RoutedBatch) -> Compact {
        let Prepared { rows, batch, bad } = self;
        drop(batch);
        Compact::new(rows, bad, routed)
    }

    /// The routing of [`Prepared::route`], without the compact results.
    fn route_only(
        &self,
        engine: &Engine,
        net: &mut Network,
        now: &Now,
        opts: &RouteOptions,
    ) -> RoutedBatch {
        let kept: Vec<Instant>;
        let times = match now {
            Now::One(t) => Times::At(*t),
            Now::Each(ts) => {
                if self.bad.is_empty() {
                    Times::Each(ts)
                } else {
                    kept = times_without(ts, self.bad.iter().map(|(i, _)| *i));
                    Times::Each(&kept)
                }
            }
        };
        engine.route_prepared_compact(net, &self.batch, times, opts)
    }
}

/// Reads column `i` of `columns` as given to `routeColumns`: an encoded column, a typed array
/// (as `routing::column` reads it), or undefined for a column that is not there. `ty`: the
/// field's type (`None` for the ids); a `Float64Array` of an `int` or `decimal` field is read
/// as integers when [`narrow`] would make it so.
pub(crate) fn given(
    columns: &Object<'_>,
    i: u32,
    name: &str,
    ty: Option<&Type>,
) -> Result<Option<std::result::Result<Given, ErrorReport>>> {
    let value = columns.get_element::<Unknown>(i)?;
    match value.get_type()? {
        ValueType::Undefined => Ok(None),
        ValueType::Object if value.is_typedarray()? => {
            if let Ok(a) = columns.get_element::<Float64ArraySlice>(i) {
                let col = if matches!(ty, Some(Type::Int | Type::Decimal))
                    && a.iter().all(|x| whole_int(*x))
                {
                    Column::Int(a.iter().map(|x| Some(*x as i64)).collect())
                } else {
                    Column::Float(a.iter().map(|x| Some(*x)).collect())
                };
                return Ok(Some(Ok(Given::Ready(col))));
            }
            if let Ok(a) = columns.get_element::<Int32ArraySlice>(i) {
                return Ok(Some(Ok(Given::Ready(Column::Int(
                    a.iter().map(|x| Some(i64::from(*x))).collect(),
                )))));
            }
            if let Ok(a) = columns.get_element::<BigInt64ArraySlice>(i) {
                return Ok(Some(Ok(Given::Ready(Column::Int(
                    a.iter().map(|x| Some(*x)).collect(),
                )))));
            }
            if let Ok(a) = columns.get_element::<Uint32ArraySlice>(i) {
                return Ok(Some(Ok(Given::Ready(Column::Int(
                    a.iter().map(|x| Some(i64::from(*x))).collect(),
                )))));
            }
            Ok(Some(Err(request_error(
                format!("column `{name}` is a typed array of an unsupported element type"),
                "use a Float64Array, Int32Array, Uint32Array or BigInt64Array",
            ))))
        }
        _ => Ok(Some(Encoded::read(value, name)?.map(Given::Encoded))),
    }
}

impl Given {
    /// The id column of `routeColumns`: [`Column::Text`] when every id is a string or missing,
    /// else as [`Given::column`] reads it.
    pub(crate) fn id_column(self) -> std::result::Result<Column, ErrorReport> {
        if let Given::Encoded(e) = &self {
            if let Some(c) = e.text_column() {
                return Ok(c);
            }
        }
        self.column("id")
    }

    /// The core column of `routeColumns`, or the error that makes the call throw.
    pub(crate) fn column(self, name: &str) -> std::result::Result<Column, ErrorReport> {
        match self {
            Given::Ready(c) => Ok(c),
            Given::Encoded(e) => {
                let (col, bad) = e.column(e.strings(), Mode::Columns);
                match bad.into_iter().next() {
                    Some((row, why)) => {
                        Err(routing::unsupported(&format!("#{}", row + 1), name, why))
                    }
                    None => Ok(col),
                }
            }
        }
    }
}

/// A float column of an `int` or `decimal` field whose values are all whole numbers within
/// +-2^53 (and none is -0) as integers: core reads such a float as exactly the integer
/// (`Value::Int(x as i64)`; `Decimal::from_str` of its display, which has no fraction or
/// exponent), without formatting and parsing each value. Other columns are returned as they are.
pub(crate) fn narrow(col: Column, ty: &Type) -> Column {
    match col {
        Column::Float(v)
            if matches!(ty, Type::Int | Type::Decimal)
                && v.iter().all(|x| x.is_none_or(whole_int)) =>
        {
            Column::Int(v.into_iter().map(|x| x.map(|x| x as i64)).collect())
        }
        col => col,
    }
}

/// Whether core reads the float `x` of an `int` or `decimal` field as exactly the integer
/// `x as i64` (see [`narrow`]).
fn whole_int(x: f64) -> bool {
    routing::whole(x) && !(x == 0.0 && x.is_sign_negative())
}

/// `now` of a batch: a `Float64Array` of integral instants the wrapper checked, else the
/// original argument.
pub(crate) fn now_arg(
    times: Option<Float64ArraySlice<'_>>,
    now: Unknown<'_>,
) -> Result<std::result::Result<Now, ErrorReport>> {
    match times {
        Some(t) => {
            let mut out = Vec::with_capacity(t.len());
            for x in t.iter() {
                if !routing::whole(*x) {
                    return routing::now_arg(now);
                }
                out.push(*x as Instant);
            }
            Ok(Ok(Now::Each(out)))
        }
        None => routing::now_arg(now),
    }
}

const K_PARTNER: u8 = 0;
const K_QUEUE: u8 = 1;
const K_UNROUTED: u8 = 2;
const K_ERROR: u8 = 3;
const NONE: u32 = u32::MAX;

/// Decisions in compact form, built off the JavaScript thread; [`Compact::into_js`] makes the
/// `[kinds, target, rule, statePartner, stateNums, texts, errors, explanations]` array the
/// wrapper reads.
pub struct Compact {
    kinds: Vec<u8>,
    target: Vec<u32>,
    rule: Vec<u32>,
    state_partner: Vec<u32>,
    /// version, active_leads, last_assigned_at (NaN for null) per lead.
    state_nums: Vec<f64>,
    texts: Vec<Arc<str>>,
    errors: Vec<(u32, ErrorReport)>,
    explanations: Vec<(u32, Box<leadrail_core::route::Explanation>)>,
}

impl Compact {
    /// The results of `rows` leads: `bad` the errors of some (ascending rows), `routed` the
    /// results of the others, in order.
    pub(crate) fn new(
        rows: usize,
        bad: Vec<(usize, ErrorReport)>,
        routed: &RoutedBatch,
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
        let mut bad = bad.into_iter().peekable();
        let mut views = routed.views();
        for i in 0..rows {
            let r = match bad.next_if(|(row, _)| *row == i) {
                Some((_, e)) => Err(e),
                None => match views.next() {
                    Some(Ok(d)) => Ok(d),
                    Some(Err(e)) => Err(e.clone()),
                    None => Err(request_error(
                        "a lead was not routed".into(),
                        "report this as a bug",
                    )),
                },
            };
            let i = u32::try_from(i).unwrap_or(NONE);
            match r {
                Err(e) => {
                    c.kinds.push(K_ERROR);
                    c.target.push(NONE);
                    c.rule.push(NONE);
                    c.state_partner.push(NONE);
                    c.state_nums.extend([0.0, 0.0, f64::NAN]);
                    c.errors.push((i, e));
                }
                Ok(d) => {
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
                        c.explanations.push((i, Box::new(e.clone())));
                    }
                }
            }
        }
        c
    }

    /// The number of leads.
    pub(crate) fn len(&self) -> usize {
        self.kinds.len()
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
        let mut errors = env.create_array(0)?;
        for (k, (i, e)) in self.errors.iter().enumerate() {
            let k = u32::try_from(k * 2).unwrap_or(NONE);
            errors.set(k, *i)?;
            errors.set(k + 1, env.to_js_value(e)?)?;
        }
        out.set(6, errors)?;
        let mut expl = env.create_array(0)?;
        for (k, (i, e)) in self.explanations.iter().enumerate() {
            let k = u32::try_from(k * 2).unwrap_or(NONE);
            expl.set(k, *i)?;
            expl.set(k + 1, env.to_js_value(e)?)?;
        }
        out.set(7, expl)?;
        Ok(out)
    }
}
