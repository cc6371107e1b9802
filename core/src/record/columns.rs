//! Columnar batches: [`Column`], the column reader ([`Record::from_columns`] and its split form) and its per-batch caches (dictionary entries, distinct texts).

use std::borrow::Cow;
use std::sync::Arc;

use rust_decimal::Decimal;
use serde_json::Value as Json;

use crate::report::ErrorReport;
use crate::schema::Schema;
use crate::value::{Type, Value};

use super::build::{PackedColumn, TextColumn};
use super::error::*;
use super::texts::TextMap;
use super::value::*;
use super::{Record, RecordRef};

/// One column of a columnar record batch (see [`Record::from_columns`]): the values of one
/// field (or of the ids) for every row, in the forms [`Record::from_json`] accepts.
#[derive(Debug, Clone, PartialEq)]
pub enum Column {
    /// One JSON value per row.
    Json(Vec<Json>),
    /// Dictionary-encoded: row `i` holds `dict[codes[i]]`; a code past the dictionary is
    /// missing (null). Each distinct entry is parsed once per batch, which is what makes text,
    /// enum and region columns cheap.
    Dict {
        /// The distinct values.
        dict: Vec<Json>,
        /// One code per row.
        codes: Vec<u32>,
    },
    /// Integers; `None` is missing.
    Int(Vec<Option<i64>>),
    /// Floats; `None` is missing (NaN and infinities are invalid values, not missing ones).
    Float(Vec<Option<f64>>),
    /// Texts, each as its JSON string would be read; `None` is missing. Shared texts are not
    /// copied for ids (a record's id is the column's `Arc`).
    Text(Vec<Option<Arc<str>>>),
    /// Texts one after another in one string, each as its JSON string would be read: row `i`
    /// is `text[ends[i - 1]..ends[i]]` (row 0 starts at 0); a row past `ends` is missing. Two
    /// allocations for the whole column, which makes it the cheap form of a column of
    /// distinct texts such as ids (see [`Column::packed`]).
    Packed {
        /// The texts, one after another.
        text: String,
        /// Where each row's text ends in `text`.
        ends: Vec<usize>,
    },
}

impl Column {
    /// Checks that the column holds one value per row of a batch of `rows` (the length of its
    /// `id` column); the error names the field.
    ///
    /// ```
    /// use leadrail_core::record::Column;
    /// let sizes = Column::Int(vec![Some(5), None]);
    /// assert!(sizes.check_len("deal_size", 2).is_ok());
    /// let e = sizes.check_len("deal_size", 3).unwrap_err();
    /// assert_eq!(e.message, "column `deal_size` has 2 values but `id` has 3");
    /// ```
    #[expect(
        clippy::result_large_err,
        reason = "the language-neutral ErrorReport is what bindings raise"
    )]
    pub fn check_len(&self, field: &str, rows: usize) -> Result<(), ErrorReport> {
        if self.len() == rows {
            return Ok(());
        }
        Err(crate::report::column_length(&field, self.len(), rows))
    }

    /// Pairs columns given in the schema's field order with their field names: the form
    /// [`Record::from_columns`] and [`Record::from_columns_split`] take.
    pub fn named<'a>(schema: &'a Schema, columns: &'a [Column]) -> Vec<(&'a str, &'a Column)> {
        schema
            .fields
            .iter()
            .zip(columns)
            .map(|f| (f.0.name.as_str(), f.1))
            .collect()
    }

    /// A dictionary-encoded column ([`Column::Dict`]) of texts, `None` for a missing one: each
    /// distinct text is stored (and later parsed) once, which makes it the cheap form for a
    /// host that holds its records' texts itself (regions, product lines and enum symbols
    /// repeat across a batch). Row for row the column reads as [`Column::Text`] of the same
    /// texts.
    ///
    /// ```
    /// use leadrail_core::record::Column;
    /// use serde_json::json;
    ///
    /// let regions = Column::texts(["DE", "FR", "DE"].into_iter().map(Some).chain([None]));
    /// assert_eq!(
    ///     regions,
    ///     Column::Dict { dict: vec![json!("DE"), json!("FR")], codes: vec![0, 1, 0, u32::MAX] }
    /// );
    /// ```
    pub fn texts<'s>(texts: impl IntoIterator<Item = Option<&'s str>>) -> Column {
        let texts = texts.into_iter();
        let mut column = TextColumn::with_capacity(texts.size_hint().0);
        for t in texts {
            column.push(t);
        }
        column.finish()
    }

    /// A column of texts packed into one string ([`Column::Packed`]): the cheap form for a
    /// host's ids. Row for row it reads as [`Column::Text`] of the same texts.
    ///
    /// ```
    /// use leadrail_core::record::Column;
    ///
    /// let ids = Column::packed(["L1", "L22"]);
    /// assert_eq!(ids, Column::Packed { text: "L1L22".into(), ends: vec![2, 5] });
    /// assert_eq!(ids.len(), 2);
    /// ```
    pub fn packed<'s>(texts: impl IntoIterator<Item = &'s str>) -> Column {
        let texts = texts.into_iter();
        let mut column = PackedColumn::with_capacity(texts.size_hint().0);
        for t in texts {
            column.push(t);
        }
        column.finish()
    }

    /// The number of rows the column holds.
    pub fn len(&self) -> usize {
        match self {
            Column::Json(v) => v.len(),
            Column::Dict { codes, .. } => codes.len(),
            Column::Int(v) => v.len(),
            Column::Float(v) => v.len(),
            Column::Text(v) => v.len(),
            Column::Packed { ends, .. } => ends.len(),
        }
    }

    /// Whether the column holds no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Row `row`'s text of a [`Column::Packed`] (`None` past its rows).
#[inline]
pub(crate) fn packed_text<'a>(text: &'a str, ends: &[usize], row: usize) -> Option<&'a str> {
    let start = match row.checked_sub(1) {
        Some(r) => *ends.get(r)?,
        None => 0,
    };
    text.get(start..*ends.get(row)?)
}

/// A cell of a column as JSON (borrowed when the column holds JSON).
enum Cell<'a> {
    Missing,
    Json(&'a Json),
    Owned(Json),
    /// A float that JSON cannot hold (NaN, infinities).
    NonFinite(f64),
}

fn cell(col: &Column, row: usize) -> (Cell<'_>, Option<u32>) {
    match col {
        Column::Json(v) => (v.get(row).map_or(Cell::Missing, Cell::Json), None),
        Column::Dict { dict, codes } => match codes.get(row) {
            Some(&c) => match dict.get(c as usize) {
                Some(j) => (Cell::Json(j), Some(c)),
                None => (Cell::Missing, None),
            },
            None => (Cell::Missing, None),
        },
        Column::Int(v) => match v.get(row).copied().flatten() {
            Some(i) => (Cell::Owned(Json::from(i)), None),
            None => (Cell::Missing, None),
        },
        Column::Text(v) => match v.get(row) {
            Some(Some(t)) => (Cell::Owned(Json::String(t.to_string())), None),
            _ => (Cell::Missing, None),
        },
        Column::Packed { text, ends } => match packed_text(text, ends, row) {
            Some(t) => (Cell::Owned(Json::String(t.to_owned())), None),
            None => (Cell::Missing, None),
        },
        Column::Float(v) => match v.get(row).copied().flatten() {
            Some(x) => match serde_json::Number::from_f64(x) {
                Some(n) => (Cell::Owned(Json::Number(n)), None),
                None => (Cell::NonFinite(x), None),
            },
            None => (Cell::Missing, None),
        },
    }
}

/// Parses one field value with the rules of [`Record::from_json_at`] (null, absent and blank
/// strings are missing; a missing required field is an error).
fn field_value(field: &crate::schema::Field, raw: Option<&Json>) -> Result<Value, DataErrorKind> {
    let missing = match raw {
        None | Some(Json::Null) => true,
        Some(j) => (field.optional || field.ty != Type::Text) && is_blank_string(j),
    };
    if missing {
        return if field.optional {
            Ok(Value::Null)
        } else {
            Err(DataErrorKind::MissingField)
        };
    }
    match raw {
        Some(j) => Value::from_json(&field.ty, j).map_err(DataErrorKind::InvalidField),
        None => Ok(Value::Null),
    }
}

fn id_value(raw: Option<&Json>) -> Result<Arc<str>, DataErrorKind> {
    match raw {
        None | Some(Json::Null) => Err(DataErrorKind::MissingId),
        Some(Json::String(s)) if s.trim().is_empty() => Err(DataErrorKind::MissingId),
        Some(Json::String(s)) => Ok(Arc::from(s.as_str())),
        Some(Json::Number(n)) if n.is_i64() || n.is_u64() => Ok(Arc::from(n.to_string())),
        Some(other) => Err(DataErrorKind::InvalidId(format!(
            "expected a text or integer `id`, found {}",
            describe_json(other)
        ))),
    }
}

impl Record {
    /// Parses a columnar batch of `rows` records against `schema`: `ids` holds the `id` of each
    /// row and `columns` the schema's fields by name (columns the schema does not declare are
    /// ignored; a field without a column, or a column shorter than `rows`, is missing in those
    /// rows). Row `i` gives the same record or [`DataError`] as [`Record::from_json_at`] with
    /// position `i + 1` on the equivalent JSON object; a dictionary-encoded column parses each
    /// distinct entry once.
    pub fn from_columns(
        schema: &Schema,
        rows: usize,
        ids: &Column,
        columns: &[(&str, &Column)],
    ) -> Vec<Result<Record, DataError>> {
        let mut reader = ColumnRows::new(schema, ids, columns);
        let mut out = Vec::with_capacity(rows);
        for row in 0..rows {
            out.push(reader.row(row).map(|(r, _)| r));
        }
        out
    }

    /// Parses a columnar batch like [`Record::from_columns`], returning the records that
    /// parsed (in row order) apart from the errors of the rows that did not, each with its row
    /// index (ascending). Row for row it gives what [`Record::from_columns`] gives; the split
    /// form spares a batch mostly of good rows one large `Result` per row.
    ///
    /// ```
    /// use leadrail_core::record::{Column, Record};
    /// use leadrail_core::schema::{Field, Schema};
    /// use leadrail_core::value::Type;
    /// use serde_json::json;
    ///
    /// let schema = Schema {
    ///     fields: vec![Field {
    ///         name: "deal_size".into(),
    ///         ty: Type::Decimal,
    ///         optional: false,
    ///     }],
    /// };
    /// let ids = Column::Json(vec![json!("L1"), json!("L2"), json!("L3")]);
    /// let sizes = Column::Int(vec![Some(5), None, Some(7)]);
    /// let (good, bad) = Record::from_columns_split(&schema, 3, &ids, &[("deal_size", &sizes)]);
    /// assert_eq!(good.len(), 2);
    /// assert_eq!(&*good[1].id, "L3");
    /// assert_eq!(bad.len(), 1);
    /// assert_eq!(bad[0].0, 1); // row L2 has no deal_size
    /// ```
    pub fn from_columns_split(
        schema: &Schema,
        rows: usize,
        ids: &Column,
        columns: &[(&str, &Column)],
    ) -> (Vec<Record>, Vec<(usize, DataError)>) {
        let mut reader = ColumnRows::new(schema, ids, columns);
        let mut good = Vec::with_capacity(rows);
        let mut bad = Vec::new();
        for row in 0..rows {
            match reader.row(row) {
                Ok((r, _)) => good.push(r),
                Err(e) => bad.push((row, e)),
            }
        }
        (good, bad)
    }
}

/// The column of each schema field (by name), if given.
fn field_columns<'a>(schema: &Schema, columns: &[(&str, &'a Column)]) -> Vec<Option<&'a Column>> {
    schema
        .fields
        .iter()
        .map(|f| {
            columns
                .iter()
                .find(|(name, _)| *name == f.name)
                .map(|(_, c)| *c)
        })
        .collect()
}

/// A parsed dictionary entry per column, filled on first use.
type DictCache = Vec<Option<Entry>>;

/// A parsed dictionary entry: the value or what is wrong with it, and whether the value passes
/// the engine's record check for its field (`validate::check`), so rows built from entries
/// need no check.
#[derive(Debug, Clone)]
struct Entry {
    r: Result<Value, DataErrorKind>,
    valid: bool,
}

impl Entry {
    fn new(field: &crate::schema::Field, r: Result<Value, DataErrorKind>) -> Entry {
        let valid = match &r {
            Ok(v) => fits(field, v),
            Err(_) => false,
        };
        Entry { r, valid }
    }
}

/// Whether a parsed value passes the engine's record check for its field.
fn fits(field: &crate::schema::Field, v: &Value) -> bool {
    match v {
        // a region with exceptions passes the type check but not the engine's lead check
        Value::Region(t) if !t.except().is_empty() => false,
        v => crate::schema::field_ok(field, v),
    }
}

/// The parsed entries of a field's distinct text cells (of a text or JSON column), filled on
/// first use: hosts repeat a few hundred regions, product lines and enum symbols across a
/// batch, and each is parsed and checked once.
type TextCache<'a> = TextMap<'a, Entry>;

/// How the fast row reader reads a field's column.
#[derive(Debug, Clone, Copy)]
enum Src<'a> {
    /// Integers of an int field.
    Int(&'a [Option<i64>]),
    /// Integers of a decimal field.
    IntDecimal(&'a [Option<i64>]),
    /// Floats of a float (`false`) or ratio (`true`) field.
    Float(&'a [Option<f64>], bool),
    /// Dictionary codes (entries parsed once, in the field's cache).
    Dict(&'a [u32], &'a [Json]),
    /// Texts (each distinct text parsed once, in the field's text cache).
    Text(&'a [Option<Arc<str>>]),
    /// Packed texts (each distinct text parsed once, in the field's text cache).
    Packed(&'a str, &'a [usize]),
    /// JSON values (each distinct string parsed once, in the field's text cache; other values
    /// parsed per row).
    Json(&'a [Json]),
    /// No column: every row is missing the field.
    Absent,
    /// Anything else: the row goes through [`column_row`].
    Slow,
}

/// One schema field as the row reader reads it: its column and the entries parsed so far.
struct FieldReader<'a> {
    field: &'a crate::schema::Field,
    src: Src<'a>,
    /// Per dictionary code (a dictionary-encoded column), used by both row paths.
    dict: DictCache,
    /// Per distinct text (a text or JSON column), used by the fast path.
    texts: TextCache<'a>,
}

/// A columnar batch read row by row: each row gives what [`Record::from_columns`] gives for
/// it, with whether the record is known to pass the engine's record check.
///
/// Rows whose cells are all integers, floats of the field's type, dictionary entries, texts,
/// JSON values or missing optional values, with a text id, are built directly (one
/// allocation: the values; each distinct dictionary entry or text parsed and checked once per
/// batch); every other row, and every row with a problem, goes through [`column_row`].
pub(crate) struct ColumnRows<'a> {
    schema: &'a Schema,
    ids: &'a Column,
    cols: Vec<Option<&'a Column>>,
    fields: Vec<FieldReader<'a>>,
    /// The ids as the fast path reads them.
    fast_ids: Ids<'a>,
}

/// An id column as the fast row reader reads it.
#[derive(Debug, Clone, Copy)]
enum Ids<'a> {
    /// Texts (shared, not copied).
    Text(&'a [Option<Arc<str>>]),
    /// Packed texts (copied into an `Arc` when a record is built).
    Packed(&'a str, &'a [usize]),
    /// JSON values: strings are read, other rows go through [`column_row`].
    Json(&'a [Json]),
    /// Any other column: every row goes through [`column_row`].
    Other,
}

/// Whether an id is blank as `trim` sees it (stopping at the first other character).
#[inline]
fn blank(t: &str) -> bool {
    match t.as_bytes().first() {
        // (the common case: an id starting with a visible ASCII character)
        Some(b) if b.is_ascii_graphic() => false,
        _ => t.chars().all(char::is_whitespace),
    }
}

impl<'a> ColumnRows<'a> {
    /// A reader of `rows` rows of `ids` and `columns` against `schema`.
    pub(crate) fn new(
        schema: &'a Schema,
        ids: &'a Column,
        columns: &[(&str, &'a Column)],
    ) -> ColumnRows<'a> {
        let cols = field_columns(schema, columns);
        let fields = schema
            .fields
            .iter()
            .zip(&cols)
            .map(|(f, c)| FieldReader {
                field: f,
                src: match (c, &f.ty) {
                    (None, _) => Src::Absent,
                    (Some(Column::Int(v)), Type::Int) => Src::Int(v),
                    (Some(Column::Int(v)), Type::Decimal) => Src::IntDecimal(v),
                    (Some(Column::Float(v)), Type::Float) => Src::Float(v, false),
                    (Some(Column::Float(v)), Type::Ratio) => Src::Float(v, true),
                    (Some(Column::Dict { dict, codes }), _) => Src::Dict(codes, dict),
                    (Some(Column::Text(v)), _) => Src::Text(v),
                    (Some(Column::Packed { text, ends }), _) => Src::Packed(text, ends),
                    (Some(Column::Json(v)), _) => Src::Json(v),
                    _ => Src::Slow,
                },
                dict: match c {
                    Some(Column::Dict { dict, .. }) => vec![None; dict.len()],
                    _ => Vec::new(),
                },
                texts: TextCache::default(),
            })
            .collect();
        let fast_ids = match ids {
            Column::Text(v) => Ids::Text(v),
            Column::Packed { text, ends } => Ids::Packed(text, ends),
            Column::Json(v) => Ids::Json(v),
            _ => Ids::Other,
        };
        ColumnRows {
            schema,
            ids,
            cols,
            fields,
            fast_ids,
        }
    }

    /// The column of schema field `f`, if given.
    pub(crate) fn column(&self, f: usize) -> Option<&'a Column> {
        self.cols.get(f).copied().flatten()
    }

    /// Row `row`: the record, and whether it is known to pass the engine's record check (when
    /// `false` it may or may not).
    #[inline]
    pub(crate) fn row(&mut self, row: usize) -> Result<(Record, bool), DataError> {
        match self.fast(row) {
            Some(r) => Ok(r),
            None => column_row(self.schema, row, self.ids, &self.cols, &mut self.fields)
                .map(|r| (r, false)),
        }
    }

    /// A row of the common forms, or `None` for [`column_row`].
    #[inline]
    fn fast(&mut self, row: usize) -> Option<(Record, bool)> {
        let id = self.fast_id(row, true)?.unwrap_or_else(|| Arc::from(""));
        let mut values = Vec::with_capacity(self.fields.len());
        let valid = self.fast_values(row, Some(&mut values))?;
        Some((Record { id, values }, valid))
    }

    /// The integer cell of row `row` of schema field `f` when the field is an int or decimal
    /// field read from an integer column (`Some(None)`: the cell is missing): the value the
    /// row's record holds, as an integer.
    #[inline]
    pub(crate) fn int(&self, row: usize, f: usize) -> Option<Option<i64>> {
        match self.fields.get(f)?.src {
            Src::Int(v) | Src::IntDecimal(v) => Some(v.get(row).copied().flatten()),
            _ => None,
        }
    }

    /// The integer cells of schema field `f` when it is an int or decimal field read from an
    /// integer column (see [`ColumnRows::int`]; a row past them is missing).
    pub(crate) fn ints(&self, f: usize) -> Option<&'a [Option<i64>]> {
        match self.fields.get(f)?.src {
            Src::Int(v) | Src::IntDecimal(v) => Some(v),
            _ => None,
        }
    }

    /// Whether schema field `f` is an int or decimal field read from an integer column (see
    /// [`ColumnRows::int`]).
    pub(crate) fn int_column(&self, f: usize) -> bool {
        self.fields
            .get(f)
            .is_some_and(|r| matches!(r.src, Src::Int(_) | Src::IntDecimal(_)))
    }

    /// The id of row `row` when the fast path reads it (`Some(None)` when not asked to
    /// `build` it), `None` for [`column_row`].
    #[inline]
    fn fast_id(&self, row: usize, build: bool) -> Option<Option<Arc<str>>> {
        Some(match self.fast_ids {
            Ids::Text(v) => match v.get(row) {
                Some(Some(t)) if !blank(t) => build.then(|| t.clone()),
                _ => return None,
            },
            // what `id_value` reads from a JSON string
            Ids::Json(v) => match v.get(row) {
                Some(Json::String(t)) if !blank(t) => build.then(|| Arc::from(t.as_str())),
                _ => return None,
            },
            Ids::Packed(text, ends) => match packed_text(text, ends, row) {
                Some(t) if !blank(t) => build.then(|| Arc::from(t)),
                _ => return None,
            },
            Ids::Other => return None,
        })
    }

    /// Reads the values of row `row` into `out` (when given), returning whether they are known
    /// to pass the engine's record check, or `None` for [`column_row`].
    #[inline]
    fn fast_values(&mut self, row: usize, mut out: Option<&mut Vec<Value>>) -> Option<bool> {
        let mut valid = true;
        // (a value built only when it is kept)
        let keep = out.is_some();
        for f in &mut self.fields {
            let (v, ok) = f.read(row, keep)?;
            valid &= ok;
            if let Some(out) = out.as_deref_mut() {
                out.push(v.into_owned());
            }
        }
        Some(valid)
    }

    /// For each of rows `0..rows`, whether the row is of the common forms (the fast path
    /// reads it) and its record is known to pass the engine's record check, as
    /// [`ColumnRows::row`] would say, without building the records: worked out column by
    /// column, a dictionary code looked at once, an integer column in one loop.
    pub(crate) fn known_valid(&mut self, rows: usize) -> Vec<bool> {
        let mut ok = vec![true; rows];
        match self.fast_ids {
            Ids::Packed(text, ends) => {
                let bytes = text.as_bytes();
                let mut start = 0;
                for ((row, o), &end) in ok.iter_mut().enumerate().zip(ends.iter()) {
                    // (the common case, read from the bytes: an id starting with a visible
                    // ASCII character and ending on a character boundary)
                    let first = bytes.get(start).filter(|_| start < end);
                    let bounded =
                        end == bytes.len() || bytes.get(end).is_some_and(|b| (*b as i8) >= -0x40);
                    *o = match first {
                        Some(b) if bounded && b.is_ascii_graphic() => true,
                        _ => matches!(packed_text(text, ends, row), Some(t) if !blank(t)),
                    };
                    start = end;
                }
                // (rows past the ids have none)
                if let Some(rest) = ok.get_mut(ends.len()..) {
                    rest.fill(false);
                }
            }
            Ids::Other => return vec![false; rows],
            Ids::Text(_) | Ids::Json(_) => {
                for (row, o) in ok.iter_mut().enumerate() {
                    *o = self.fast_id(row, false).is_some();
                }
            }
        }
        for f in &mut self.fields {
            let optional = f.field.optional;
            match f.src {
                Src::Int(v) | Src::IntDecimal(v) => {
                    for (row, o) in ok.iter_mut().enumerate() {
                        *o &= optional || matches!(v.get(row), Some(Some(_)));
                    }
                }
                Src::Dict(codes, _) => {
                    // per code: 0 not looked at yet, 1 known valid, 2 not
                    let mut seen = vec![0u8; f.dict.len()];
                    for (row, o) in ok.iter_mut().enumerate() {
                        if !*o {
                            continue;
                        }
                        let c = codes.get(row).map_or(usize::MAX, |c| *c as usize);
                        *o = match seen.get(c).copied() {
                            Some(1) => true,
                            Some(2) => false,
                            Some(_) => {
                                let good = matches!(f.read(row, false), Some((_, true)));
                                if let Some(s) = seen.get_mut(c) {
                                    *s = if good { 1 } else { 2 };
                                }
                                good
                            }
                            // (a code past the dictionary is missing)
                            None => optional,
                        };
                    }
                }
                _ => {
                    for (row, o) in ok.iter_mut().enumerate() {
                        if *o {
                            *o = matches!(f.read(row, false), Some((_, true)));
                        }
                    }
                }
            }
        }
        ok
    }
}

impl<'a> FieldReader<'a> {
    /// The value of row `row`'s cell (built only when `keep`, else a null stands for it) and
    /// whether it is known to pass the engine's record check, or `None` for [`column_row`].
    #[inline]
    fn read(&mut self, row: usize, keep: bool) -> Option<(Cow<'_, Value>, bool)> {
        let field = self.field;
        let mut valid = true;
        let v: Cow<'_, Value> = match self.src {
            Src::Int(v) => match v.get(row) {
                Some(Some(i)) if keep => Cow::Owned(Value::Int(*i)),
                Some(Some(_)) => Cow::Borrowed(&NULL),
                _ => Cow::Owned(missing(field)?),
            },
            Src::IntDecimal(v) => match v.get(row) {
                Some(Some(i)) if keep => Cow::Owned(Value::Decimal(Decimal::from(*i))),
                Some(Some(_)) => Cow::Borrowed(&NULL),
                _ => Cow::Owned(missing(field)?),
            },
            Src::Float(v, ratio) => match v.get(row).copied().flatten() {
                // what the JSON number gives: a finite float (in [0, 1] for a ratio)
                Some(x) if ratio && x.is_finite() && (0.0..=1.0).contains(&x) => {
                    Cow::Owned(Value::Float(x))
                }
                Some(x) if !ratio && x.is_finite() => Cow::Owned(Value::Float(x)),
                Some(_) => return None,
                None => Cow::Owned(missing(field)?),
            },
            Src::Dict(codes, dict) => {
                // (a row past the codes, or a code past the dictionary, is missing)
                let c = codes.get(row).map_or(usize::MAX, |c| *c as usize);
                match self.dict.get_mut(c) {
                    Some(Some(e)) => {
                        valid &= e.valid;
                        Cow::Borrowed(e.r.as_ref().ok()?)
                    }
                    Some(slot) => {
                        let j = dict.get(c)?;
                        let e = slot.insert(Entry::new(field, field_value(field, Some(j))));
                        valid &= e.valid;
                        Cow::Borrowed(e.r.as_ref().ok()?)
                    }
                    None => Cow::Owned(missing(field)?),
                }
            }
            Src::Text(v) => match v.get(row) {
                Some(Some(t)) => {
                    let e = cached_text(&mut self.texts, field, t);
                    valid &= e.valid;
                    Cow::Borrowed(e.r.as_ref().ok()?)
                }
                _ => Cow::Owned(missing(field)?),
            },
            Src::Packed(text, ends) => match packed_text(text, ends, row) {
                Some(t) => {
                    let e = cached_text(&mut self.texts, field, t);
                    valid &= e.valid;
                    Cow::Borrowed(e.r.as_ref().ok()?)
                }
                None => Cow::Owned(missing(field)?),
            },
            Src::Json(v) => match v.get(row) {
                Some(Json::String(t)) => {
                    let e = cached_text(&mut self.texts, field, t);
                    valid &= e.valid;
                    Cow::Borrowed(e.r.as_ref().ok()?)
                }
                Some(Json::Null) | None => Cow::Owned(missing(field)?),
                Some(j) => {
                    let v = field_value(field, Some(j)).ok()?;
                    valid &= fits(field, &v);
                    Cow::Owned(v)
                }
            },
            Src::Absent => Cow::Owned(missing(field)?),
            Src::Slow => return None,
        };
        Some((v, valid))
    }
}

/// What a value not kept reads as.
static NULL: Value = Value::Null;

/// The entry of text cell `t` of `field`, parsed as the JSON string `t` on first use.
#[inline]
fn cached_text<'c, 'a>(
    texts: &'c mut TextCache<'a>,
    field: &crate::schema::Field,
    t: &'a str,
) -> &'c Entry {
    texts.get_or_insert_with(t, || {
        let j = Json::String(t.to_owned());
        Entry::new(field, field_value(field, Some(&j)))
    })
}

/// The value of a missing cell when the field is optional (`None` for the error path).
#[inline]
pub(super) fn missing(field: &crate::schema::Field) -> Option<Value> {
    field.optional.then_some(Value::Null)
}

/// One row of a columnar batch (see [`Record::from_columns`]).
fn column_row(
    schema: &Schema,
    row: usize,
    ids: &Column,
    cols: &[Option<&Column>],
    readers: &mut [FieldReader<'_>],
) -> Result<Record, DataError> {
    let text_id = match ids {
        // a text id as `id_value` reads a JSON string, without copying it
        Column::Text(v) => Some(match v.get(row) {
            // (blank as `trim` sees it, stopping at the first other character)
            Some(Some(t)) if !t.chars().all(char::is_whitespace) => Ok(t.clone()),
            _ => Err(DataErrorKind::MissingId),
        }),
        Column::Packed { text, ends } => Some(match packed_text(text, ends, row) {
            Some(t) if !t.chars().all(char::is_whitespace) => Ok(Arc::from(t)),
            _ => Err(DataErrorKind::MissingId),
        }),
        _ => None,
    };
    let id = match text_id {
        Some(r) => r,
        None => match cell(ids, row).0 {
            Cell::Missing => id_value(None),
            Cell::Json(j) => id_value(Some(j)),
            Cell::Owned(j) => id_value(Some(&j)),
            Cell::NonFinite(x) => Err(DataErrorKind::InvalidId(format!(
                "expected a text or integer `id`, found `{x}`"
            ))),
        },
    };
    let id = match id {
        Ok(id) => id,
        Err(kind) => {
            let field = matches!(kind, DataErrorKind::InvalidId(_)).then_some("id");
            return Err(DataError::new(&RecordRef::Position(row + 1), field, kind));
        }
    };
    let mut values = Vec::with_capacity(schema.fields.len());
    for ((field, col), reader) in schema.fields.iter().zip(cols).zip(readers.iter_mut()) {
        let cache = &mut reader.dict;
        // the common cases first: an int cell, a dictionary entry already parsed
        match col {
            Some(Column::Int(v)) => match (v.get(row).copied().flatten(), &field.ty) {
                (Some(i), Type::Int) => {
                    values.push(Value::Int(i));
                    continue;
                }
                (Some(i), Type::Decimal) => {
                    values.push(Value::Decimal(Decimal::from(i)));
                    continue;
                }
                _ => {}
            },
            Some(Column::Dict { codes, .. }) => {
                if let Some(Some(Entry { r: Ok(v), .. })) =
                    codes.get(row).and_then(|c| cache.get(*c as usize))
                {
                    values.push(v.clone());
                    continue;
                }
            }
            _ => {}
        }
        let v = match col {
            // an integer cell of an int or decimal field: what the JSON number would give
            Some(Column::Int(v)) if matches!(field.ty, Type::Int | Type::Decimal) => {
                match v.get(row).copied().flatten() {
                    Some(i) if field.ty == Type::Int => Ok(Value::Int(i)),
                    Some(i) => Ok(Value::Decimal(Decimal::from(i))),
                    None => field_value(field, None),
                }
            }
            Some(col) => {
                let (c, code) = cell(col, row);
                let cached = code.and_then(|k| cache.get_mut(k as usize));
                match (cached, c) {
                    (Some(Some(e)), _) => e.r.clone(),
                    (slot, c) => {
                        let r = match c {
                            Cell::Missing => field_value(field, None),
                            Cell::Json(j) => field_value(field, Some(j)),
                            Cell::Owned(j) => field_value(field, Some(&j)),
                            Cell::NonFinite(x) => Err(DataErrorKind::InvalidField(
                                ValueError::expected(&field.ty, format!("`{x}`")),
                            )),
                        };
                        if let Some(slot) = slot {
                            *slot = Some(Entry::new(field, r.clone()));
                        }
                        r
                    }
                }
            }
            None => field_value(field, None),
        };
        match v {
            Ok(v) => values.push(v),
            Err(kind) => {
                return Err(DataError::new(&RecordRef::Id(id), Some(&field.name), kind));
            }
        }
    }
    Ok(Record { id, values })
}
