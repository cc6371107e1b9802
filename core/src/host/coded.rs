//! Coded columns: the form in which a host that reads its records in its own language (Node's
//! index.js) hands them over, one column per field, and their reading into [`Rows`].
//!
//! A [`CodedColumn`] holds one code per row: an index into the column's strings (each distinct
//! string once), or [`MISSING`], [`NUMBER`] (the number is in `nums`) or [`OTHER`] (any other
//! value, passed on as its JSON form or, when it has none, described in the host's words).
//! Which [`Column`] core reads it as (a dictionary, integers, floats or JSON values) is decided
//! here, as is the narrowing of whole floats of `int` and `decimal` fields to integers.

#![expect(
    clippy::result_large_err,
    reason = "batch items carry the language-neutral ErrorReport"
)]

use std::sync::Arc;

use serde_json::Value as Json;

use super::errors::{self, Host, Owner};
use super::rows::{Problem, Rows};
use crate::record::Column;
use crate::report::{codes, ErrorReport};
use crate::schema::Schema;
use crate::value::Type;

/// The code of a missing cell (null, undefined).
pub const MISSING: u32 = u32::MAX;
/// The code of a number cell (its value in [`CodedColumn::nums`]).
pub const NUMBER: u32 = u32::MAX - 1;
/// The code of any other cell (its value in [`CodedColumn::others`]).
pub const OTHER: u32 = u32::MAX - 2;

/// 2^53: every whole number up to it is exact as an `f64`.
const MAX_SAFE: f64 = 9_007_199_254_740_992.0;

/// One column of a host's records, coded (see the module docs).
///
/// ```
/// use leadrail_core::host::{CodedColumn, Host, Rows, MISSING, NUMBER};
/// use leadrail_core::schema::{Field, Schema};
/// use leadrail_core::value::Type;
///
/// let schema = Schema {
///     fields: vec![Field { name: "size".into(), ty: Type::Int, optional: false }],
/// };
/// let ids = CodedColumn { codes: vec![0, 1], strings: vec!["L1".into(), "L2".into()], ..Default::default() };
/// let sizes = CodedColumn { codes: vec![NUMBER, MISSING], nums: vec![5.0, 0.0], ..Default::default() };
/// let parsed = Rows::from_coded(Host::RUST, &schema, ids, vec![sizes], Vec::new()).records(&schema);
/// assert_eq!(parsed.good.len(), 1);
/// assert_eq!(parsed.bad[0].1.message, "record `L2`: missing required field `size`");
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CodedColumn {
    /// One code per row: an index into `strings`, or [`MISSING`], [`NUMBER`] or [`OTHER`].
    pub codes: Vec<u32>,
    /// The numbers by row (read at the rows coded [`NUMBER`]; empty when there are none).
    pub nums: Vec<f64>,
    /// The column's distinct strings (then those of `joined`).
    pub strings: Vec<String>,
    /// More of the column's strings, joined (split when core reads the column).
    pub joined: Joined,
    /// The rows coded [`OTHER`], ascending, each with its value's JSON form or, when it has
    /// none, its description in the host's words (e.g. "a value of type `symbol`").
    pub others: Vec<(usize, Result<Json, String>)>,
}

/// Strings given as one text and each one's length in it: the form in which a host whose
/// strings are UTF-16 (JavaScript) hands over many strings at the cost of one. Core splits them
/// when it reads the column (on a chunked batch's routing thread).
///
/// ```
/// use leadrail_core::host::{CodedColumn, Host, Joined, JoinedText, Rows};
/// use leadrail_core::schema::Schema;
///
/// let joined = Joined { text: JoinedText::Utf16("L1Lé".encode_utf16().collect()), lens: vec![2, 2] };
/// let ids = CodedColumn { codes: vec![1, 0], joined, ..Default::default() };
/// let schema = Schema { fields: Vec::new() };
/// let parsed = Rows::from_coded(Host::RUST, &schema, ids, Vec::new(), Vec::new()).records(&schema);
/// assert_eq!((&*parsed.good[0].id, &*parsed.good[1].id), ("Lé", "L1"));
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Joined {
    /// The strings, one after the other.
    pub text: JoinedText,
    /// The length of each string, in UTF-16 code units.
    pub lens: Vec<u32>,
}

/// The text of [`Joined`] strings.
#[derive(Debug, Clone, PartialEq)]
pub enum JoinedText {
    /// All ASCII (a length in UTF-16 code units is a length in bytes).
    Ascii(String),
    /// UTF-16 code units (a lone surrogate reads as U+FFFD).
    Utf16(Vec<u16>),
}

impl Default for JoinedText {
    fn default() -> JoinedText {
        JoinedText::Ascii(String::new())
    }
}

impl Joined {
    /// Each string, in order, as `make` makes it from its text.
    fn split<T>(&self, mut make: impl FnMut(&str) -> T) -> Vec<T> {
        let mut out = Vec::with_capacity(self.lens.len());
        let mut at = 0usize;
        for len in &self.lens {
            let end = at.saturating_add(*len as usize);
            out.push(match &self.text {
                JoinedText::Ascii(s) => {
                    let end = end.min(s.len());
                    make(s.get(at.min(end)..end).unwrap_or(""))
                }
                JoinedText::Utf16(u) => {
                    let end = end.min(u.len());
                    make(&String::from_utf16_lossy(
                        u.get(at.min(end)..end).unwrap_or(&[]),
                    ))
                }
            });
            at = end;
        }
        out
    }
}

/// A column of a batch given as columns ([`Rows::from_host_columns`]).
#[derive(Debug, Clone, PartialEq)]
pub enum HostColumn {
    /// Values the host coded.
    Coded(CodedColumn),
    /// A column the host read as it is (a typed array of numbers).
    Typed(Column),
}

/// How a coded column's numbers are read.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Numbers {
    /// Records: each number keeps its own JSON form (a column mixing integral and other
    /// numbers is JSON).
    Each,
    /// Columns: a column of numbers is integers if all are integral, else floats.
    Column,
}

/// Whether `x` is a whole number within +-2^53 (so `x as i64` is exact): `x.fract() == 0.0 &&
/// x.abs() <= 2^53`, without the `trunc` call `fract` compiles to on baseline x86-64.
#[inline]
pub fn whole(x: f64) -> bool {
    x.abs() <= MAX_SAFE && (x as i64) as f64 == x
}

/// A host's number as JSON, for a host with one number type (JavaScript): an integral value is
/// an integer; a value without a JSON form is described.
///
/// ```
/// use leadrail_core::host::number_json;
/// use serde_json::json;
///
/// assert_eq!(number_json(3.0), Ok(json!(3)));
/// assert_eq!(number_json(2.5), Ok(json!(2.5)));
/// assert_eq!(number_json(f64::NAN), Err("`NaN`, which is not a finite number".to_string()));
/// ```
pub fn number_json(x: f64) -> Result<Json, String> {
    if !x.is_finite() {
        return Err(format!("`{x}`, which is not a finite number"));
    }
    if whole(x) {
        return Ok(Json::from(x as i64));
    }
    serde_json::Number::from_f64(x)
        .map(Json::Number)
        .ok_or_else(|| format!("`{x}`"))
}

/// The error of a hole at index `i` of the array `name` (an index below its length without an
/// item, as in a sparse JavaScript array): reading stops there, a sparse array's claimed length
/// is never walked. `record` and `field` as the report names them.
///
/// ```
/// let e = leadrail_core::host::hole("leads", 2, "#3".into(), None);
/// assert_eq!(e.message, "`leads[2]` is a hole: `leads` is a sparse array");
/// ```
pub fn hole(name: &str, i: u64, record: String, field: Option<&str>) -> ErrorReport {
    let r = ErrorReport::error(
        codes::DATA_INVALID_RECORD,
        format!("`{name}[{i}]` is a hole: `{name}` is a sparse array"),
    )
    .with_help("pass an array with an item at every index (`null` for a missing value)")
    .with_record(record);
    match field {
        Some(f) => r.with_field(f),
        None => r,
    }
}

impl CodedColumn {
    fn num(&self, row: usize) -> f64 {
        self.nums.get(row).copied().unwrap_or(f64::NAN)
    }

    /// The column as [`Column::Text`] when every cell is a string or missing (an id column):
    /// each record's id as is, shared, without a JSON string per row.
    fn text_column(&self) -> Option<Column> {
        if !self.others.is_empty() {
            return None;
        }
        let mut texts: Vec<Arc<str>> = self.strings.iter().map(|s| Arc::from(s.as_str())).collect();
        texts.extend(self.joined.split(|s| Arc::<str>::from(s)));
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
    fn column(mut self, numbers: Numbers) -> (Column, Vec<(usize, String)>) {
        let joined = std::mem::take(&mut self.joined);
        self.strings.extend(joined.split(str::to_owned));
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
            if numbers == Numbers::Column || !any_int {
                return (Column::Float(vals), Vec::new());
            }
        }
        let mut others = self.others.iter().peekable();
        let mut bad = Vec::new();
        let mut out = Vec::with_capacity(self.codes.len());
        for (row, c) in self.codes.iter().enumerate() {
            let j = match *c {
                MISSING => Ok(Json::Null),
                NUMBER => number_json(self.num(row)),
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

    /// The column of a batch given as columns, or the error of its first value without a JSON
    /// form (the call fails as a whole).
    fn strict(self, host: Host, name: &str) -> Result<Column, ErrorReport> {
        let (col, bad) = self.column(Numbers::Column);
        match bad.into_iter().next() {
            Some((row, why)) => Err(errors::unreadable(
                host,
                Owner::Position(row + 1),
                name,
                &why,
            )),
            None => Ok(col),
        }
    }
}

/// A float column of an `int` or `decimal` field whose values are all whole numbers within
/// +-2^53 (and none is -0) as integers: core reads such a float as exactly the integer, without
/// formatting and parsing each value. Other columns are returned as they are.
fn narrow(col: Column, ty: &Type) -> Column {
    let whole_int = |x: &f64| whole(*x) && !(*x == 0.0 && x.is_sign_negative());
    match col {
        Column::Float(v)
            if matches!(ty, Type::Int | Type::Decimal)
                && v.iter().all(|x| x.as_ref().is_none_or(whole_int)) =>
        {
            Column::Int(v.into_iter().map(|x| x.map(|x| x as i64)).collect())
        }
        col => col,
    }
}

/// Records a host coded, kept as they came until core reads them ([`Rows::from_coded`]): on a
/// chunked batch's routing thread, not the host's.
#[derive(Debug, Clone)]
pub(super) struct CodedRows {
    ids: CodedColumn,
    fields: Vec<CodedColumn>,
    not_records: Vec<(usize, Result<Json, String>)>,
}

impl CodedRows {
    /// The rows read into columns, with the problems met (values without a JSON form, rows
    /// that are not records).
    pub(super) fn columns(self) -> (Column, Vec<Column>, Vec<Problem>) {
        let CodedRows {
            ids,
            fields,
            not_records,
        } = self;
        let mut problems = Vec::new();
        let mut unreadable = |field: Option<usize>, bad: Vec<(usize, String)>| {
            problems.extend(bad.into_iter().map(|(row, found)| Problem::Unreadable {
                row,
                field,
                found,
            }));
        };
        let ids = match ids.text_column() {
            Some(c) => c,
            None => {
                let (col, bad) = ids.column(Numbers::Each);
                unreadable(None, bad);
                col
            }
        };
        let mut columns = Vec::with_capacity(fields.len());
        for (i, c) in fields.into_iter().enumerate() {
            let (col, bad) = c.column(Numbers::Each);
            unreadable(Some(i), bad);
            columns.push(col);
        }
        problems.extend(
            not_records
                .into_iter()
                .map(|(row, value)| Problem::NotARecord { row, value }),
        );
        (ids, columns, problems)
    }
}

impl Rows {
    /// Records a host coded: `ids` and one column per field of `schema` (in its order, each as
    /// long as `ids`), and the rows that are not records at all with their values (the JSON
    /// form, or the description of a value without one). A value without a JSON form is that
    /// record's error, naming it and the field. The columns are read when the rows are parsed
    /// or prepared (on the routing thread of a chunked batch).
    pub fn from_coded(
        host: Host,
        schema: &Schema,
        ids: CodedColumn,
        fields: Vec<CodedColumn>,
        not_records: Vec<(usize, Result<Json, String>)>,
    ) -> Rows {
        let rows = ids.codes.len();
        let coded = CodedRows {
            ids,
            fields,
            not_records,
        };
        Rows::in_schema_order(host, rows, Column::Json(Vec::new()), schema, Vec::new())
            .with_coded(coded)
    }

    /// A batch given as columns: the ids and one column per field of `schema` (in its order;
    /// `None` for a field not given, missing in every row), each as the host read it or the
    /// error of reading it. The call fails with the first error in that order: a column's own,
    /// a value without a JSON form, no `id` column, a column whose length is not the ids'.
    pub fn from_host_columns(
        host: Host,
        schema: &Schema,
        ids: Option<Result<HostColumn, ErrorReport>>,
        fields: Vec<Option<Result<HostColumn, ErrorReport>>>,
    ) -> Result<Rows, ErrorReport> {
        let ids = match ids.transpose()? {
            Some(HostColumn::Typed(c)) => c,
            Some(HostColumn::Coded(c)) => match c.text_column() {
                Some(c) => c,
                None => c.strict(host, "id")?,
            },
            None => return Err(super::errors::no_id_column()),
        };
        let rows = ids.len();
        let mut columns = Vec::new();
        for (f, given) in schema.fields.iter().zip(fields) {
            let col = match given.transpose()? {
                Some(HostColumn::Typed(c)) => narrow(c, &f.ty),
                Some(HostColumn::Coded(c)) => narrow(c.strict(host, &f.name)?, &f.ty),
                None => continue,
            };
            col.check_len(&f.name, rows)?;
            columns.push((f.name.clone(), col));
        }
        Ok(Rows::new(host, rows, ids, columns))
    }
}
