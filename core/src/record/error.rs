//! Errors in host data: a value of the wrong form ([`ValueError`]) and a record's error naming the record and the field ([`DataError`]), with their texts.

use std::fmt;

use serde_json::Value as Json;

use crate::report::{codes, ErrorReport};
use crate::value::Type;

use super::RecordRef;

/// A value that does not have the form its type requires: a message (lower case, no final
/// period) and a fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ValueError {
    message: String,
    help: Option<String>,
}

impl ValueError {
    pub(crate) fn new(message: impl Into<String>, help: Option<String>) -> ValueError {
        ValueError {
            message: message.into(),
            help,
        }
    }

    pub(super) fn expected(ty: &Type, found: String) -> ValueError {
        ValueError::new(
            format!("expected {}, found {found}", expected(ty)),
            Some(example(ty)),
        )
    }

    pub(super) fn context(self, prefix: impl fmt::Display) -> ValueError {
        ValueError {
            message: format!("{prefix}: {}", self.message),
            help: self.help,
        }
    }

    /// What is wrong.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// How to fix it.
    pub fn help(&self) -> Option<&str> {
        self.help.as_deref()
    }
}

/// What is wrong with a record.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DataErrorKind {
    /// The record is not a JSON object, or its row does not match the header.
    InvalidRecord(String),
    /// The record has no `id` (or an empty one).
    MissingId,
    /// The `id` is neither a string nor an integer.
    InvalidId(String),
    /// A required field is absent, null or empty.
    MissingField,
    /// A field's value does not have the form of its type.
    InvalidField(ValueError),
}

/// Bad host data: names the record and the field, says what was expected and what was found.
///
/// Converts to an [`ErrorReport`] with a `leadrail::data::*` code and the `record` and `field`
/// set (`record` is the id, or `#` and the 1-based position when the id is missing).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{record}{}: {}", field_suffix(.field.as_deref(), .kind), kind_message(.field.as_deref(), .kind))]
pub struct DataError {
    record: RecordRef,
    field: Option<String>,
    kind: DataErrorKind,
}

fn field_suffix(field: Option<&str>, kind: &DataErrorKind) -> String {
    match (field, kind) {
        (Some(f), DataErrorKind::InvalidField(_)) => format!(", field `{f}`"),
        _ => String::new(),
    }
}

fn kind_message(field: Option<&str>, kind: &DataErrorKind) -> String {
    match kind {
        DataErrorKind::InvalidRecord(m) | DataErrorKind::InvalidId(m) => m.clone(),
        DataErrorKind::MissingId => "missing `id`".to_string(),
        DataErrorKind::MissingField => {
            format!("missing required field `{}`", field.unwrap_or_default())
        }
        DataErrorKind::InvalidField(e) => e.message.clone(),
    }
}

impl DataError {
    pub(crate) fn new(record: &RecordRef, field: Option<&str>, kind: DataErrorKind) -> DataError {
        DataError {
            record: record.clone(),
            field: field.map(str::to_string),
            kind,
        }
    }

    /// The record the error is about.
    pub fn record(&self) -> &RecordRef {
        &self.record
    }

    /// The field the error is about, if any.
    pub fn field(&self) -> Option<&str> {
        self.field.as_deref()
    }

    /// What is wrong.
    pub fn kind(&self) -> &DataErrorKind {
        &self.kind
    }

    /// The same error for the record at `position` (1-based) when the record is only known by
    /// its position (its id is missing); an error naming an id is unchanged.
    pub fn with_position(mut self, position: usize) -> DataError {
        if let RecordRef::Position(_) = self.record {
            self.record = RecordRef::Position(position);
        }
        self
    }

    /// The stable code from [`codes`].
    pub fn code(&self) -> &'static str {
        match self.kind {
            DataErrorKind::InvalidRecord(_)
            | DataErrorKind::MissingId
            | DataErrorKind::InvalidId(_) => codes::DATA_INVALID_RECORD,
            DataErrorKind::MissingField => codes::DATA_MISSING_FIELD,
            DataErrorKind::InvalidField(_) => codes::DATA_INVALID_FIELD,
        }
    }

    /// How to fix the data.
    pub fn help(&self) -> Option<String> {
        let field = self.field.as_deref().unwrap_or_default();
        match &self.kind {
            DataErrorKind::InvalidRecord(_) => {
                Some("pass each record as an object of field names to values, with an `id`".into())
            }
            DataErrorKind::MissingId | DataErrorKind::InvalidId(_) => {
                Some("give every record an `id`: a non-empty string or an integer".into())
            }
            DataErrorKind::MissingField => Some(format!(
                "add `{field}` to the record, or declare it optional (`{field}: type?`) in the \
                 schema"
            )),
            DataErrorKind::InvalidField(e) => e.help.clone(),
        }
    }
}

impl From<DataError> for ErrorReport {
    fn from(e: DataError) -> Self {
        let record = match &e.record {
            RecordRef::Id(id) => id.to_string(),
            RecordRef::Position(n) => format!("#{n}"),
        };
        ErrorReport::error(e.code(), e.to_string())
            .with_help_opt(e.help())
            .with_record(record)
            .with_field_opt(e.field)
    }
}

pub(super) fn expected(ty: &Type) -> String {
    match ty {
        Type::Text => "text".into(),
        Type::Int => "an integer".into(),
        Type::Decimal => "a decimal number".into(),
        Type::Ratio => "a ratio in [0, 1] or a percentage".into(),
        Type::Float => "a number".into(),
        Type::Bool => "`true` or `false`".into(),
        Type::Date => "a date".into(),
        Type::DateTime => "a datetime".into(),
        Type::Duration => "a duration".into(),
        Type::Enum(symbols) => format!("one of {}", symbol_list(symbols)),
        Type::Set(_) => format!("a list ({ty})"),
        Type::Map(_, _) => format!("an object ({ty})"),
        Type::Region => "a region code".into(),
        Type::GeoPoint => "a point".into(),
    }
}

pub(super) fn example(ty: &Type) -> String {
    match ty {
        Type::Text => "write text as a string: `\"hydraulics\"`".into(),
        Type::Int => "write a whole number without quotes: `42`".into(),
        Type::Decimal => {
            "write a number or a decimal string: `250000.50` or `\"250000.50\"`".into()
        }
        Type::Ratio => "write a number between 0 and 1 (`0.85`) or a percentage (`\"85%\"`)".into(),
        Type::Float => "write a finite number without quotes: `12.5`".into(),
        Type::Bool => "write `true` or `false` without quotes".into(),
        Type::Date => "write a date as `2026-12-24` (year-month-day)".into(),
        Type::DateTime => {
            "write an RFC 3339 datetime with an offset (`2026-11-24T09:00:00Z`) or milliseconds \
             since the epoch (`1795510800000`)"
                .into()
        }
        Type::Duration => {
            "write an amount and a unit (ms, s, m, h, d, w): `24h`, `90m`, `7d`".into()
        }
        Type::Enum(symbols) => format!("use one of {}", symbol_list(symbols)),
        Type::Set(t) => format!(
            "write a JSON array (in a text cell, items separated by `|`); each item: {}",
            example(t)
        ),
        Type::Map(_, _) => {
            "write a JSON object such as `{\"name\": \"2027-01-01\"}` (in a text cell, \
             `name=2027-01-01|other=2027-06-30`)"
                .into()
        }
        Type::Region => "write a region as `US`, `US-TX`, `US-TX:750` or `DE:80`, \
                         optionally followed by `except` and regions"
            .into(),
        Type::GeoPoint => {
            "write `{\"lat\": 41.9, \"lon\": -87.6}` or `[41.9, -87.6]` (in a text cell \
             `41.9 -87.6`), latitude in [-90, 90], longitude in [-180, 180]"
                .into()
        }
    }
}

pub(super) fn symbol_list(symbols: &[String]) -> String {
    let list: Vec<String> = symbols.iter().map(|s| format!("`{s}`")).collect();
    list.join(", ")
}

/// Shortens user input for messages.
pub(super) fn clip(s: &str) -> String {
    const MAX: usize = 40;
    if s.chars().count() <= MAX {
        s.to_string()
    } else {
        let head: String = s.chars().take(MAX).collect();
        format!("{head}...")
    }
}

/// How a JSON value is named in "found ..." (`"abc"`, `1.5`, an object).
pub(super) fn describe_json(v: &Json) -> String {
    match v {
        Json::Null => "null".into(),
        Json::Object(_) => "an object".into(),
        Json::Array(_) => "an array".into(),
        other => format!("`{}`", clip(&other.to_string())),
    }
}

pub(super) fn describe_text(s: &str) -> String {
    format!("`{}`", clip(s))
}
