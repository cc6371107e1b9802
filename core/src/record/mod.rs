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

mod columns;
mod error;
mod texts;
mod value;

pub use columns::Column;
pub(crate) use columns::ColumnRows;
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
        let mut values = Vec::with_capacity(schema.fields.len());
        for field in &schema.fields {
            let raw = obj.get(&field.name);
            let missing = match raw {
                None | Some(Json::Null) => true,
                Some(j) => (field.optional || field.ty != Type::Text) && is_blank_string(j),
            };
            let value = match raw {
                Some(j) if !missing => Value::from_json(&field.ty, j).map_err(|e| {
                    DataError::new(&rec, Some(&field.name), DataErrorKind::InvalidField(e))
                })?,
                _ => Value::Null,
            };
            if missing && !field.optional {
                return Err(DataError::new(
                    &rec,
                    Some(&field.name),
                    DataErrorKind::MissingField,
                ));
            }
            values.push(value);
        }
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

    /// Parses the text row at 1-based `position` (the first data row is 1) against `schema`.
    ///
    /// # Errors
    /// The first [`DataError`] in schema order.
    pub fn from_text_at(
        schema: &Schema,
        headers: &[&str],
        cells: &[&str],
        position: usize,
    ) -> Result<Record, DataError> {
        let mut rec = RecordRef::Position(position);
        if headers.len() != cells.len() {
            return Err(DataError::new(
                &rec,
                None,
                DataErrorKind::InvalidRecord(format!(
                    "the row has {} cells but the header has {} columns",
                    cells.len(),
                    headers.len()
                )),
            ));
        }
        let cell = |name: &str| -> Option<&str> {
            let i = headers.iter().position(|h| h.trim() == name)?;
            cells.get(i).copied()
        };
        let id: Arc<str> = match cell("id").map(str::trim) {
            Some(s) if !s.is_empty() => Arc::from(s),
            _ => return Err(DataError::new(&rec, None, DataErrorKind::MissingId)),
        };
        rec = RecordRef::Id(id.clone());
        let mut values = Vec::with_capacity(schema.fields.len());
        for field in &schema.fields {
            let value = match cell(&field.name) {
                Some(c) => Value::from_text(&field.ty, c).map_err(|e| {
                    DataError::new(&rec, Some(&field.name), DataErrorKind::InvalidField(e))
                })?,
                None => Value::Null,
            };
            if value.is_null() && !field.optional {
                return Err(DataError::new(
                    &rec,
                    Some(&field.name),
                    DataErrorKind::MissingField,
                ));
            }
            values.push(value);
        }
        Ok(Record { id, values })
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
