//! Records: leads and partners as typed values, one per schema field; parsing host data from
//! JSON and from text cells (CSV), and writing records back to JSON.
//!
//! The accepted forms per type are in `docs/architecture.md` ("Data formats"). Decisions on the
//! edge cases:
//! - `id` is required: a non-empty string, or a JSON integer (converted to its decimal text).
//! - `int`: a JSON integer in the `i64` range; a JSON float is accepted only if it is integral
//!   and at most 2^53 in magnitude (beyond that the float may already have lost digits: send an
//!   integer). A string of digits is an error in JSON. In text cells `42`, `250_000`, `-7` and
//!   integral decimals such as `42.0` (what pandas writes for an int column with gaps) are
//!   accepted.
//! - `decimal`/`money`: a JSON number or a decimal string (`"250000.50"`, exact).
//! - `ratio`: a number in `[0, 1]` or a percentage string `"85%"` (`0.85`); outside `[0, 1]`,
//!   NaN and infinities are errors.
//! - `bool`: JSON `true`/`false` only (a string `"true"` is an error); in text cells `true` and
//!   `false` in any case.
//! - `datetime`: RFC 3339 with an offset (`Z` or `+01:00`); without an offset it is an error.
//! - `date`: `YYYY-MM-DD` of a real day (`2026-02-30` is an error).
//! - `duration`: one or more `<integer><unit>` with units `ms`, `s`, `m`, `h`, `d`, `w`
//!   (`24h`, `90m`, `1h30m`).
//! - `set<T>`: duplicates are dropped and items sorted; `map<K, V>`: sorted by key, duplicate
//!   keys in a text cell are an error.
//! - Missing optional fields: JSON `null`, an absent key, or an empty string (for any type but
//!   a required `text` field, where `""` is the empty text); an empty text cell (for a set or
//!   a map an empty cell is the empty collection: CSV has no other way to write it). A missing
//!   required field is a [`DataErrorKind::MissingField`] error.
//! - Fields the schema does not declare are ignored.
//! - A `region` field parses a territory with exclusions (`US except US-AK`) for any record; the
//!   engine rejects a lead whose region has exclusions ([`region_with_exceptions`]): exclusions
//!   carve out partner territories, a lead is in one region.

mod cells;
mod columns;
mod error;
mod texts;
mod value;

pub use cells::CellCache;
pub use columns::Column;
pub(crate) use columns::{packed_text, ColumnRows};
use error::*;
pub use error::{DataError, DataErrorKind, ValueError};
use value::*;
pub use value::{
    compare_values, format_duration, make_set, parse_duration, region_with_exceptions,
};

use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

use crate::schema::Schema;
use crate::value::{Type, Value};

/// A lead or a partner: its id and one value per field of its schema (in schema order;
/// `Value::Null` for a missing optional field).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// The record's id.
    pub id: Arc<str>,
    /// One value per schema field.
    pub values: Vec<Value>,
}

/// Which record a [`DataError`] is about.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum RecordRef {
    /// The record's id.
    Id(Arc<str>),
    /// The 1-based position of the record in its batch or file (used when the id is missing or
    /// not yet read).
    Position(usize),
}

impl fmt::Display for RecordRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RecordRef::Id(id) => write!(f, "record `{id}`"),
            RecordRef::Position(n) => write!(f, "record #{n}"),
        }
    }
}

impl Record {
    /// Parses a JSON object against `schema` (a single record: numbered 1 in errors if its id
    /// is missing; see [`Record::from_json_at`]).
    ///
    /// # Errors
    /// The first [`DataError`] in schema order.
    pub fn from_json(schema: &Schema, json: &Json) -> Result<Record, DataError> {
        Record::from_json_at(schema, json, 1)
    }

    /// Parses the JSON object at 1-based `position` of a batch against `schema`.
    ///
    /// # Errors
    /// The first [`DataError`] in schema order.
    pub fn from_json_at(
        schema: &Schema,
        json: &Json,
        position: usize,
    ) -> Result<Record, DataError> {
        let mut rec = RecordRef::Position(position);
        let Json::Object(obj) = json else {
            return Err(DataError::new(
                &rec,
                None,
                DataErrorKind::InvalidRecord(format!(
                    "expected an object, found {}",
                    describe_json(json)
                )),
            ));
        };
        let id: Arc<str> = match obj.get("id") {
            None | Some(Json::Null) => {
                return Err(DataError::new(&rec, None, DataErrorKind::MissingId))
            }
            Some(Json::String(s)) if s.trim().is_empty() => {
                return Err(DataError::new(&rec, None, DataErrorKind::MissingId))
            }
            Some(Json::String(s)) => Arc::from(s.as_str()),
            Some(Json::Number(n)) if n.is_i64() || n.is_u64() => Arc::from(n.to_string()),
            Some(other) => {
                return Err(DataError::new(
                    &rec,
                    Some("id"),
                    DataErrorKind::InvalidId(format!(
                        "expected a text or integer `id`, found {}",
                        describe_json(other)
                    )),
                ))
            }
        };
        rec = RecordRef::Id(id.clone());
        let values = read_fields(schema, &rec, |_, field| match obj.get(&field.name) {
            None | Some(Json::Null) => Ok(Value::Null),
            Some(j) if (field.optional || field.ty != Type::Text) && is_blank_string(j) => {
                Ok(Value::Null)
            }
            Some(j) => Value::from_json(&field.ty, j),
        })?;
        Ok(Record { id, values })
    }

    /// Parses a text row (CSV cells under `headers`) against `schema` (numbered 1 in errors
    /// if its id is missing; see [`Record::from_text_at`]). Columns the schema does not
    /// declare are ignored; an empty cell is a missing value.
    ///
    /// # Errors
    /// The first [`DataError`] in schema order.
    pub fn from_text(
        schema: &Schema,
        headers: &[&str],
        cells: &[&str],
    ) -> Result<Record, DataError> {
        Record::from_text_at(schema, headers, cells, 1)
    }

    /// Parses the text row at 1-based `position` (the first data row is 1) against `schema`
    /// (a file's rows are read faster through one [`TextHeader`]).
    ///
    /// # Errors
    /// The first [`DataError`] in schema order.
    pub fn from_text_at(
        schema: &Schema,
        headers: &[&str],
        cells: &[&str],
        position: usize,
    ) -> Result<Record, DataError> {
        TextHeader::new(schema, headers).record(cells, position)
    }

    /// The record as a JSON object (`id` first, then every schema field; `null` for a missing
    /// optional value), in the form [`Record::from_json`] reads back.
    pub fn to_json(&self, schema: &Schema) -> Json {
        let mut obj = serde_json::Map::new();
        obj.insert("id".into(), Json::String(self.id.to_string()));
        for (field, value) in schema.fields.iter().zip(self.values.iter()) {
            obj.insert(field.name.clone(), value.to_json());
        }
        Json::Object(obj)
    }
}

/// A header row of text cells (CSV) resolved against a schema: the column of the id and of
/// each field are found once, and every row under the header is read with
/// [`TextHeader::record`] as [`Record::from_text_at`] reads it.
///
/// ```
/// use leadrail_core::record::TextHeader;
/// use leadrail_core::schema::{Field, Schema};
/// use leadrail_core::value::{Type, Value};
///
/// let schema = Schema { fields: vec![Field { name: "size".into(), ty: Type::Int, optional: false }] };
/// let header = TextHeader::new(&schema, &["size", "id", "note"]);
/// let record = header.record(&["250_000", "L1", "ignored"], 1).unwrap();
/// assert_eq!(record.values, [Value::Int(250_000)]);
/// let e = header.record(&["lots", "L2", ""], 2).unwrap_err();
/// assert_eq!(e.to_string(), "record `L2`, field `size`: expected an integer, found `lots`");
/// ```
#[derive(Debug, Clone)]
pub struct TextHeader<'a> {
    schema: &'a Schema,
    /// The number of columns.
    width: usize,
    /// The column of the id.
    id: Option<usize>,
    /// The column of each schema field.
    fields: Vec<Option<usize>>,
}

impl<'a> TextHeader<'a> {
    /// The columns named by `headers` (surrounding whitespace ignored) for `schema`'s fields;
    /// columns the schema does not declare are ignored.
    pub fn new(schema: &'a Schema, headers: &[&str]) -> TextHeader<'a> {
        let column = |name: &str| headers.iter().position(|h| h.trim() == name);
        TextHeader {
            schema,
            width: headers.len(),
            id: column("id"),
            fields: schema.fields.iter().map(|f| column(&f.name)).collect(),
        }
    }

    /// Parses the row of `cells` at 1-based `position` (the first data row is 1); an empty
    /// cell is a missing value.
    ///
    /// # Errors
    /// The first [`DataError`] in schema order.
    pub fn record(&self, cells: &[&str], position: usize) -> Result<Record, DataError> {
        self.record_with(cells, position, |_, ty, cell| Value::from_text(ty, cell))
    }

    /// [`TextHeader::record`] with the value of a field's cell read by `value` (given the
    /// field's index, its type and the cell; [`Value::from_text`] or the same values).
    fn record_with(
        &self,
        cells: &[&str],
        position: usize,
        mut value: impl FnMut(usize, &Type, &str) -> Result<Value, ValueError>,
    ) -> Result<Record, DataError> {
        let mut rec = RecordRef::Position(position);
        if self.width != cells.len() {
            return Err(DataError::new(
                &rec,
                None,
                DataErrorKind::InvalidRecord(format!(
                    "the row has {} cells but the header has {} columns",
                    cells.len(),
                    self.width
                )),
            ));
        }
        let cell = |column: Option<usize>| column.and_then(|i| cells.get(i).copied());
        let id: Arc<str> = match cell(self.id).map(str::trim) {
            Some(s) if !s.is_empty() => Arc::from(s),
            _ => return Err(DataError::new(&rec, None, DataErrorKind::MissingId)),
        };
        rec = RecordRef::Id(id.clone());
        let values = read_fields(self.schema, &rec, |i, field| {
            match cell(self.fields.get(i).copied().flatten()) {
                Some(c) => value(i, &field.ty, c),
                None => Ok(Value::Null),
            }
        })?;
        Ok(Record { id, values })
    }
}

/// Reads every field of `schema` with `read` (given the field's index and the field;
/// `Value::Null` for a missing value), in schema
/// order; the first invalid value, or a missing value of a required field, is the error.
fn read_fields(
    schema: &Schema,
    rec: &RecordRef,
    mut read: impl FnMut(usize, &crate::schema::Field) -> Result<Value, ValueError>,
) -> Result<Vec<Value>, DataError> {
    let mut values = Vec::with_capacity(schema.fields.len());
    for (i, field) in schema.fields.iter().enumerate() {
        let value = read(i, field)
            .map_err(|e| DataError::new(rec, Some(&field.name), DataErrorKind::InvalidField(e)))?;
        if value.is_null() && !field.optional {
            return Err(DataError::new(
                rec,
                Some(&field.name),
                DataErrorKind::MissingField,
            ));
        }
        values.push(value);
    }
    Ok(values)
}
