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

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, NaiveDateTime, SecondsFormat, Utc};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

use crate::geo::suggest::did_you_mean;
use crate::geo::{GeoPoint, Territory};
use crate::report::{codes, ErrorReport, Severity};
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

/// A value that does not have the form its type requires: a message (lower case, no final
/// period) and a fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ValueError {
    message: String,
    help: Option<String>,
}

impl ValueError {
    fn new(message: impl Into<String>, help: Option<String>) -> ValueError {
        ValueError {
            message: message.into(),
            help,
        }
    }

    fn expected(ty: &Type, found: String) -> ValueError {
        ValueError::new(
            format!("expected {}, found {found}", expected(ty)),
            Some(example(ty)),
        )
    }

    fn context(self, prefix: impl fmt::Display) -> ValueError {
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
        ErrorReport {
            code: e.code().to_string(),
            message: e.to_string(),
            help: e.help(),
            severity: Severity::Error,
            file: None,
            line: 0,
            column: 0,
            labels: Vec::new(),
            record: Some(match &e.record {
                RecordRef::Id(id) => id.to_string(),
                RecordRef::Position(n) => format!("#{n}"),
            }),
            field: e.field,
        }
    }
}

fn expected(ty: &Type) -> String {
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

fn example(ty: &Type) -> String {
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
            "write an RFC 3339 datetime with an offset: `2026-11-24T09:00:00Z`".into()
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

fn symbol_list(symbols: &[String]) -> String {
    let list: Vec<String> = symbols.iter().map(|s| format!("`{s}`")).collect();
    list.join(", ")
}

/// Shortens user input for messages.
fn clip(s: &str) -> String {
    const MAX: usize = 40;
    if s.chars().count() <= MAX {
        s.to_string()
    } else {
        let head: String = s.chars().take(MAX).collect();
        format!("{head}...")
    }
}

/// How a JSON value is named in "found ..." (`"abc"`, `1.5`, an object).
fn describe_json(v: &Json) -> String {
    match v {
        Json::Null => "null".into(),
        Json::Object(_) => "an object".into(),
        Json::Array(_) => "an array".into(),
        other => format!("`{}`", clip(&other.to_string())),
    }
}

fn describe_text(s: &str) -> String {
    format!("`{}`", clip(s))
}

/// 2^53: the largest magnitude up to which every integer is exact in an `f64`.
const MAX_EXACT_FLOAT_INT: f64 = 9_007_199_254_740_992.0;

fn parse_int_text(s: &str) -> Option<Result<i64, ValueError>> {
    let t = s.trim();
    let digits = t.strip_prefix(['-', '+']).unwrap_or(t);
    let ok_underscores = !digits.starts_with('_')
        && !digits.ends_with('_')
        && !digits.contains("__")
        && !digits.contains("_.")
        && !digits.contains("._");
    if digits.is_empty() || !ok_underscores {
        return None;
    }
    let clean: String = t.chars().filter(|c| *c != '_').collect();
    if clean
        .trim_start_matches(['-', '+'])
        .bytes()
        .all(|b| b.is_ascii_digit())
    {
        return Some(clean.parse::<i64>().map_err(|_| {
            ValueError::new(
                format!("integer {} is out of range", describe_text(t)),
                Some(
                    "an int holds values between -9223372036854775808 and \
                      9223372036854775807; use a decimal field for larger numbers"
                        .into(),
                ),
            )
        }));
    }
    // An integral decimal (`42.0`).
    let d = Decimal::from_str(&clean).ok()?;
    if d.fract().is_zero() {
        Some(d.to_i64().ok_or_else(|| {
            ValueError::new(
                format!("integer {} is out of range", describe_text(t)),
                None,
            )
        }))
    } else {
        Some(Err(ValueError::new(
            format!("expected an integer, found {}", describe_text(t)),
            Some("an int field takes whole numbers only".into()),
        )))
    }
}

fn parse_decimal_text(s: &str) -> Option<Decimal> {
    let t = s.trim();
    let clean: String = t.chars().filter(|c| *c != '_').collect();
    if clean.is_empty() || clean.starts_with('_') || t.contains("__") {
        return None;
    }
    Decimal::from_str(&clean)
        .ok()
        .or_else(|| Decimal::from_scientific(&clean).ok())
}

fn ratio_checked(x: f64, shown: &str) -> Result<f64, ValueError> {
    if x.is_finite() && (0.0..=1.0).contains(&x) {
        Ok(x)
    } else {
        Err(ValueError::new(
            format!("ratio {shown} is outside [0, 1]"),
            Some("a ratio is between 0 and 1 (`0.85`) or a percentage up to 100% (`85%`)".into()),
        ))
    }
}

/// `85%`, `85.5 %`.
fn parse_percent(s: &str) -> Option<Result<f64, ValueError>> {
    let num = s.trim().strip_suffix('%')?.trim_end();
    let x: f64 = num.parse().ok()?;
    Some(ratio_checked(x / 100.0, &describe_text(s.trim())))
}

fn parse_date(s: &str) -> Result<NaiveDate, ValueError> {
    let t = s.trim();
    let shaped = t.len() == 10
        && t.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    match NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        Ok(d) if shaped => Ok(d),
        _ if shaped => Err(ValueError::new(
            format!("date {} does not exist", describe_text(t)),
            Some("check the day and month: the date is written year-month-day".into()),
        )),
        _ => Err(ValueError::expected(&Type::Date, describe_text(t))),
    }
}

fn parse_datetime(s: &str) -> Result<i64, ValueError> {
    let t = s.trim();
    if let Ok(dt) = DateTime::parse_from_rfc3339(t) {
        return Ok(dt.timestamp_millis());
    }
    let naive = [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
    ]
    .iter()
    .any(|f| NaiveDateTime::parse_from_str(t, f).is_ok());
    if naive {
        return Err(ValueError::new(
            format!("datetime {} has no offset", describe_text(t)),
            Some(format!(
                "add `Z` for UTC or the offset of its time zone: `{}Z` or `{}-06:00`",
                clip(t),
                clip(t)
            )),
        ));
    }
    Err(ValueError::expected(&Type::DateTime, describe_text(t)))
}

/// Parses `24h`, `90m`, `1h30m`, `500ms` into milliseconds.
pub fn parse_duration(s: &str) -> Result<i64, ValueError> {
    let t = s.trim();
    let bad = || ValueError::expected(&Type::Duration, describe_text(t));
    let overflow = || {
        ValueError::new(
            format!("duration {} is too long", describe_text(t)),
            Some("a duration is at most about 292 million years".into()),
        )
    };
    if t.is_empty() {
        return Err(bad());
    }
    let mut rest = t;
    let mut total: i64 = 0;
    while !rest.is_empty() {
        let digits_end = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        let (num, after) = rest.split_at(digits_end);
        if num.is_empty() {
            return Err(bad());
        }
        let unit_end = after
            .find(|c: char| !c.is_ascii_alphabetic())
            .unwrap_or(after.len());
        let (unit, next) = after.split_at(unit_end);
        let ms: i64 = match unit {
            "ms" => 1,
            "s" => 1_000,
            "m" => 60_000,
            "h" => 3_600_000,
            "d" => 86_400_000,
            "w" => 604_800_000,
            _ => return Err(bad()),
        };
        let n: i64 = num.parse().map_err(|_| overflow())?;
        total = n
            .checked_mul(ms)
            .and_then(|v| total.checked_add(v))
            .ok_or_else(overflow)?;
        rest = next;
    }
    Ok(total)
}

/// Writes milliseconds as `1h30m`, `7d`, `500ms` (`0s` for zero), the form
/// [`parse_duration`] reads.
pub fn format_duration(ms: i64) -> String {
    if ms == 0 {
        return "0s".into();
    }
    let mut out = String::new();
    if ms < 0 {
        // Parsing never yields a negative duration; write it readably anyway.
        out.push('-');
    }
    let mut rest = ms.unsigned_abs();
    for (unit, size) in [
        ("w", 604_800_000u64),
        ("d", 86_400_000),
        ("h", 3_600_000),
        ("m", 60_000),
        ("s", 1_000),
        ("ms", 1),
    ] {
        let n = rest / size;
        if n > 0 {
            out.push_str(&format!("{n}{unit}"));
            rest %= size;
        }
    }
    out
}

fn parse_enum(symbols: &[String], s: &str) -> Result<Value, ValueError> {
    let t = s.trim();
    if let Some(sym) = symbols.iter().find(|x| x.as_str() == t) {
        return Ok(Value::Enum(Arc::from(sym.as_str())));
    }
    let help = match did_you_mean(t, symbols.iter().map(String::as_str)) {
        Some(m) => format!("did you mean `{m}`?"),
        None => format!("use one of {}", symbol_list(symbols)),
    };
    Err(ValueError::new(
        format!(
            "unknown symbol {}, expected one of {}",
            describe_text(t),
            symbol_list(symbols)
        ),
        Some(help),
    ))
}

fn parse_region(s: &str) -> Result<Value, ValueError> {
    Territory::parse(s)
        .map(|t| Value::Region(Arc::new(t)))
        .map_err(|e| ValueError::new(e.to_string(), e.help()))
}

fn point(lat: f64, lon: f64, shown: &str) -> Result<Value, ValueError> {
    let p = GeoPoint { lat, lon };
    if p.is_valid() {
        Ok(Value::GeoPoint(p))
    } else {
        Err(ValueError::new(
            format!("point {shown} is out of range"),
            Some(example(&Type::GeoPoint)),
        ))
    }
}

/// Parses one string-valued form shared by JSON strings and text cells (date, datetime,
/// duration, enum, region, decimal string, percentage).
fn from_string(ty: &Type, s: &str, shown: String) -> Result<Value, ValueError> {
    match ty {
        Type::Text => Ok(Value::Text(Arc::from(s))),
        Type::Date => parse_date(s).map(Value::Date),
        Type::DateTime => parse_datetime(s).map(Value::DateTime),
        Type::Duration => parse_duration(s).map(Value::Duration),
        Type::Enum(symbols) => parse_enum(symbols, s),
        Type::Region => parse_region(s),
        Type::Decimal => parse_decimal_text(s)
            .map(Value::Decimal)
            .ok_or_else(|| ValueError::expected(ty, shown)),
        Type::Ratio => match parse_percent(s) {
            Some(r) => r.map(Value::Float),
            None => Err(ValueError::expected(ty, shown)),
        },
        _ => Err(ValueError::expected(ty, shown)),
    }
}

impl Value {
    /// Parses a JSON value as a value of type `ty` (see the module docs for the accepted
    /// forms). JSON `null` gives [`Value::Null`]; whether that is allowed is the caller's
    /// (the record's) decision.
    ///
    /// # Errors
    /// A [`ValueError`] saying what was expected and what was found.
    pub fn from_json(ty: &Type, json: &Json) -> Result<Value, ValueError> {
        if json.is_null() {
            return Ok(Value::Null);
        }
        value_from_json(ty, json)
    }

    /// Parses a text cell (CSV) as a value of type `ty`. An empty cell gives [`Value::Null`]
    /// (for `text` too: a cell cannot tell an empty text from a missing one), except for sets
    /// and maps, where it is the empty collection (a partner without certifications).
    ///
    /// # Errors
    /// A [`ValueError`] saying what was expected and what was found.
    pub fn from_text(ty: &Type, cell: &str) -> Result<Value, ValueError> {
        if cell.trim().is_empty() {
            return Ok(match ty {
                Type::Set(_) => Value::Set(Arc::from(Vec::new())),
                Type::Map(_, _) => Value::Map(Arc::from(Vec::new())),
                _ => Value::Null,
            });
        }
        value_from_text(ty, cell)
    }

    /// The value as JSON, in the form [`Value::from_json`] reads back (decimals as strings,
    /// to stay exact; datetimes as RFC 3339 in UTC; durations as `1h30m`).
    pub fn to_json(&self) -> Json {
        match self {
            Value::Null => Json::Null,
            Value::Bool(b) => Json::Bool(*b),
            Value::Int(i) => Json::from(*i),
            Value::Decimal(d) => Json::String(d.to_string()),
            Value::Float(x) => serde_json::Number::from_f64(*x).map_or(Json::Null, Json::Number),
            Value::Text(s) | Value::Enum(s) => Json::String(s.to_string()),
            Value::Date(d) => Json::String(d.format("%Y-%m-%d").to_string()),
            Value::DateTime(ms) => match DateTime::<Utc>::from_timestamp_millis(*ms) {
                Some(dt) => Json::String(dt.to_rfc3339_opts(SecondsFormat::AutoSi, true)),
                None => Json::from(*ms),
            },
            Value::Duration(ms) => Json::String(format_duration(*ms)),
            Value::Region(t) => Json::String(t.to_string()),
            Value::GeoPoint(p) => serde_json::json!({ "lat": p.lat, "lon": p.lon }),
            Value::Set(items) => Json::Array(items.iter().map(Value::to_json).collect()),
            Value::Map(pairs) => Json::Object(
                pairs
                    .iter()
                    .map(|(k, v)| (key_text(k), v.to_json()))
                    .collect(),
            ),
        }
    }
}

/// A map key as text (the form [`Value::from_text`] reads back).
fn key_text(k: &Value) -> String {
    match k.to_json() {
        Json::String(s) => s,
        other => other.to_string(),
    }
}

fn value_from_json(ty: &Type, json: &Json) -> Result<Value, ValueError> {
    let found = || describe_json(json);
    match (ty, json) {
        (_, Json::Null) => Err(ValueError::expected(ty, found())),
        (Type::Int, Json::Number(n)) => {
            if let Some(i) = n.as_i64() {
                Ok(Value::Int(i))
            } else if n.is_u64() {
                Err(ValueError::new(
                    format!("integer {} is out of range", found()),
                    Some(
                        "an int holds values up to 9223372036854775807; use a decimal field \
                          for larger numbers"
                            .into(),
                    ),
                ))
            } else {
                let x = n.as_f64().unwrap_or(f64::NAN);
                if x.fract() != 0.0 || !x.is_finite() {
                    Err(ValueError::new(
                        format!("expected an integer, found {}", found()),
                        Some("an int field takes whole numbers only".into()),
                    ))
                } else if x.abs() > MAX_EXACT_FLOAT_INT {
                    Err(ValueError::new(
                        format!("integer {} is beyond 2^53 and written as a float", found()),
                        Some(
                            "the number may have lost digits; send it as a JSON integer \
                              (without a decimal point or exponent)"
                                .into(),
                        ),
                    ))
                } else {
                    // Integral and within +-2^53: exact.
                    Ok(Value::Int(x as i64))
                }
            }
        }
        (Type::Decimal, Json::Number(n)) => {
            let d = if let Some(i) = n.as_i64() {
                Some(Decimal::from(i))
            } else if let Some(u) = n.as_u64() {
                Some(Decimal::from(u))
            } else {
                n.as_f64()
                    .and_then(|x| Decimal::from_str(&x.to_string()).ok())
            };
            d.map(Value::Decimal).ok_or_else(|| {
                ValueError::new(
                    format!("decimal {} is out of range", found()),
                    Some("a decimal holds up to 28 significant digits".into()),
                )
            })
        }
        (Type::Ratio, Json::Number(n)) => {
            let x = n.as_f64().unwrap_or(f64::NAN);
            ratio_checked(x, &found()).map(Value::Float)
        }
        (Type::Float, Json::Number(n)) => n
            .as_f64()
            .filter(|x| x.is_finite())
            .map(Value::Float)
            .ok_or_else(|| ValueError::expected(ty, found())),
        (Type::Bool, Json::Bool(b)) => Ok(Value::Bool(*b)),
        (Type::Int, Json::String(s)) if parse_int_text(s).is_some_and(|r| r.is_ok()) => {
            Err(ValueError::new(
                format!("expected an integer, found text {}", found()),
                Some(format!("write the number without quotes: `{}`", s.trim())),
            ))
        }
        (Type::Bool | Type::Float, Json::String(s)) => Err(ValueError::new(
            format!("expected {}, found text {}", expected(ty), found()),
            Some(format!(
                "write the value without quotes: `{}`",
                clip(s.trim())
            ))
            .filter(|_| value_from_text(ty, s).is_ok())
            .or_else(|| Some(example(ty))),
        )),
        (Type::Set(item), Json::Array(items)) => {
            let mut values = Vec::with_capacity(items.len());
            for (i, v) in items.iter().enumerate() {
                values.push(
                    value_from_json(item, v)
                        .map_err(|e| e.context(format_args!("item {}", i + 1)))?,
                );
            }
            Ok(make_set(values))
        }
        (Type::Map(k, v), Json::Object(obj)) => {
            let mut pairs = Vec::with_capacity(obj.len());
            for (key, val) in obj {
                let kv = value_from_text(k, key)
                    .map_err(|e| e.context(format_args!("key {}", describe_text(key))))?;
                let vv = value_from_json(v, val)
                    .map_err(|e| e.context(format_args!("value of {}", describe_text(key))))?;
                pairs.push((kv, vv));
            }
            make_map(pairs)
        }
        (Type::GeoPoint, Json::Object(obj)) => {
            let lat = obj.get("lat").and_then(Json::as_f64);
            let lon = obj.get("lon").and_then(Json::as_f64);
            match (lat, lon) {
                (Some(lat), Some(lon)) if obj.len() == 2 => {
                    point(lat, lon, &clip(&json.to_string()))
                }
                _ => Err(ValueError::expected(
                    ty,
                    format!("`{}`", clip(&json.to_string())),
                )),
            }
        }
        (Type::GeoPoint, Json::Array(a)) => match a.as_slice() {
            [lat, lon] => match (lat.as_f64(), lon.as_f64()) {
                (Some(lat), Some(lon)) => {
                    point(lat, lon, &format!("`{}`", clip(&json.to_string())))
                }
                _ => Err(ValueError::expected(
                    ty,
                    format!("`{}`", clip(&json.to_string())),
                )),
            },
            _ => Err(ValueError::expected(
                ty,
                format!("an array of length {}", a.len()),
            )),
        },
        (_, Json::String(s)) => from_string(ty, s, found()),
        _ => Err(ValueError::expected(ty, found())),
    }
}

fn value_from_text(ty: &Type, cell: &str) -> Result<Value, ValueError> {
    let t = cell.trim();
    let shown = describe_text(t);
    match ty {
        Type::Text => Ok(Value::Text(Arc::from(cell))),
        Type::Int => match parse_int_text(t) {
            Some(r) => r.map(Value::Int),
            None => Err(ValueError::expected(ty, shown)),
        },
        Type::Float => t
            .parse::<f64>()
            .ok()
            .filter(|x| x.is_finite())
            .map(Value::Float)
            .ok_or_else(|| ValueError::expected(ty, shown)),
        Type::Ratio => match parse_percent(t) {
            Some(r) => r.map(Value::Float),
            None => match t.parse::<f64>() {
                Ok(x) => ratio_checked(x, &shown).map(Value::Float),
                Err(_) => Err(ValueError::expected(ty, shown)),
            },
        },
        Type::Bool => {
            if t.eq_ignore_ascii_case("true") {
                Ok(Value::Bool(true))
            } else if t.eq_ignore_ascii_case("false") {
                Ok(Value::Bool(false))
            } else {
                Err(ValueError::expected(ty, shown))
            }
        }
        Type::Set(item) => {
            let mut values = Vec::new();
            for (i, part) in t.split('|').enumerate() {
                if part.trim().is_empty() {
                    return Err(ValueError::new(
                        format!("empty item {} in {shown}", i + 1),
                        Some("separate items with a single `|`: `a|b|c`".into()),
                    ));
                }
                let v = value_from_text(item, part.trim())
                    .map_err(|e| e.context(format_args!("item {}", i + 1)))?;
                values.push(v);
            }
            Ok(make_set(values))
        }
        Type::Map(k, v) => {
            let mut pairs = Vec::new();
            for part in t.split('|') {
                let Some((key, val)) = part.split_once('=') else {
                    return Err(ValueError::new(
                        format!("expected `key=value`, found {}", describe_text(part)),
                        Some(example(ty)),
                    ));
                };
                let (key, val) = (key.trim(), val.trim());
                let kv = value_from_text(k, key)
                    .map_err(|e| e.context(format_args!("key {}", describe_text(key))))?;
                let vv = if val.is_empty() {
                    Err(ValueError::expected(v, "nothing".into()))
                } else {
                    value_from_text(v, val)
                }
                .map_err(|e| e.context(format_args!("value of {}", describe_text(key))))?;
                pairs.push((kv, vv));
            }
            let n = pairs.len();
            let map = make_map(pairs)?;
            if let Value::Map(m) = &map {
                if m.len() != n {
                    return Err(ValueError::new(
                        format!("duplicate key in {shown}"),
                        Some("give each key once".into()),
                    ));
                }
            }
            Ok(map)
        }
        Type::GeoPoint => {
            let parts: Vec<&str> = t
                .split(|c: char| c == ';' || c == ',' || c.is_whitespace())
                .filter(|p| !p.is_empty())
                .collect();
            match parts.as_slice() {
                [lat, lon] => match (lat.parse::<f64>(), lon.parse::<f64>()) {
                    (Ok(lat), Ok(lon)) => point(lat, lon, &shown),
                    _ => Err(ValueError::expected(ty, shown)),
                },
                _ => Err(ValueError::expected(ty, shown)),
            }
        }
        _ => from_string(ty, t, shown),
    }
}

/// The total order of values of one type used for sets and maps: numbers by value (floats by
/// `total_cmp`), text and enum symbols by code point, dates and instants by time, regions by
/// code, points by (lat, lon), sets and maps lexicographically. Values of different kinds
/// order by kind.
pub fn compare_values(a: &Value, b: &Value) -> Ordering {
    use Value as V;
    fn rank(v: &Value) -> u8 {
        match v {
            V::Null => 0,
            V::Bool(_) => 1,
            V::Int(_) => 2,
            V::Decimal(_) => 3,
            V::Float(_) => 4,
            V::Text(_) => 5,
            V::Enum(_) => 6,
            V::Date(_) => 7,
            V::DateTime(_) => 8,
            V::Duration(_) => 9,
            V::Region(_) => 10,
            V::GeoPoint(_) => 11,
            V::Set(_) => 12,
            V::Map(_) => 13,
        }
    }
    match (a, b) {
        (V::Bool(x), V::Bool(y)) => x.cmp(y),
        (V::Int(x), V::Int(y)) => x.cmp(y),
        (V::Decimal(x), V::Decimal(y)) => x.cmp(y),
        (V::Float(x), V::Float(y)) => x.total_cmp(y),
        (V::Text(x), V::Text(y)) | (V::Enum(x), V::Enum(y)) => x.cmp(y),
        (V::Date(x), V::Date(y)) => x.cmp(y),
        (V::DateTime(x), V::DateTime(y)) | (V::Duration(x), V::Duration(y)) => x.cmp(y),
        (V::Region(x), V::Region(y)) => x.cmp(y),
        (V::GeoPoint(x), V::GeoPoint(y)) => x.lat.total_cmp(&y.lat).then(x.lon.total_cmp(&y.lon)),
        (V::Set(x), V::Set(y)) => {
            for (p, q) in x.iter().zip(y.iter()) {
                let o = compare_values(p, q);
                if o != Ordering::Equal {
                    return o;
                }
            }
            x.len().cmp(&y.len())
        }
        (V::Map(x), V::Map(y)) => {
            for ((pk, pv), (qk, qv)) in x.iter().zip(y.iter()) {
                let o = compare_values(pk, qk).then_with(|| compare_values(pv, qv));
                if o != Ordering::Equal {
                    return o;
                }
            }
            x.len().cmp(&y.len())
        }
        _ => rank(a).cmp(&rank(b)),
    }
}

/// A set value: items sorted by [`compare_values`], duplicates dropped.
pub fn make_set(mut items: Vec<Value>) -> Value {
    items.sort_by(compare_values);
    items.dedup_by(|a, b| compare_values(a, b) == Ordering::Equal);
    Value::Set(items.into())
}

/// A map value: pairs sorted by key. Duplicate keys keep the last value.
fn make_map(mut pairs: Vec<(Value, Value)>) -> Result<Value, ValueError> {
    pairs.reverse();
    pairs.sort_by(|a, b| compare_values(&a.0, &b.0));
    pairs.dedup_by(|a, b| compare_values(&a.0, &b.0) == Ordering::Equal);
    Ok(Value::Map(pairs.into()))
}

/// The first `region` field of `record` whose value has exclusions (`US except US-TX`), with
/// that value: meaningful for a partner's territory, an error for a lead.
pub fn region_with_exceptions<'a>(
    schema: &'a Schema,
    record: &'a Record,
) -> Option<(&'a str, &'a Territory)> {
    schema
        .fields
        .iter()
        .zip(&record.values)
        .find_map(|(f, v)| match (&f.ty, v) {
            (Type::Region, Value::Region(t)) if !t.except().is_empty() => {
                Some((f.name.as_str(), &**t))
            }
            _ => None,
        })
}

fn is_blank_string(json: &Json) -> bool {
    json.as_str().is_some_and(|s| s.trim().is_empty())
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
    /// copied for ids (a record's id is the column's `Arc`), which makes it the cheap form of
    /// an id column.
    Text(Vec<Option<Arc<str>>>),
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
        Err(crate::host::column_length(&field, self.len(), rows))
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

    /// The number of rows the column holds.
    pub fn len(&self) -> usize {
        match self {
            Column::Json(v) => v.len(),
            Column::Dict { codes, .. } => codes.len(),
            Column::Int(v) => v.len(),
            Column::Float(v) => v.len(),
            Column::Text(v) => v.len(),
        }
    }

    /// Whether the column holds no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
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
            // a region with exceptions passes the type check but not the engine's lead check
            Ok(Value::Region(t)) if !t.except().is_empty() => false,
            Ok(v) => crate::network::validate::field_ok(field, v),
            Err(_) => false,
        };
        Entry { r, valid }
    }
}

fn dict_caches(cols: &[Option<&Column>]) -> Vec<DictCache> {
    cols.iter()
        .map(|c| match c {
            Some(Column::Dict { dict, .. }) => vec![None; dict.len()],
            _ => Vec::new(),
        })
        .collect()
}

/// How the fast row reader reads a field's column.
#[derive(Debug, Clone, Copy)]
enum Src<'a> {
    /// Integers of an int (`false`) or decimal (`true`) field.
    Int(&'a [Option<i64>], bool),
    /// Floats of a float (`false`) or ratio (`true`) field.
    Float(&'a [Option<f64>], bool),
    /// Dictionary codes (entries parsed once, in the field's cache).
    Dict(&'a [u32], &'a [Json]),
    /// No column: every row is missing the field.
    Absent,
    /// Anything else: the row goes through [`column_row`].
    Slow,
}

/// A columnar batch read row by row: each row gives what [`Record::from_columns`] gives for
/// it, with whether the record is known to pass the engine's record check.
///
/// Rows whose cells are all integers, floats of the field's type, dictionary entries or
/// missing optional values, with a text id, are built directly (one allocation: the values);
/// every other row, and every row with a problem, goes through [`column_row`].
pub(crate) struct ColumnRows<'a> {
    schema: &'a Schema,
    ids: &'a Column,
    cols: Vec<Option<&'a Column>>,
    caches: Vec<DictCache>,
    srcs: Vec<Src<'a>>,
    /// Whether the ids are texts (the fast path reads no other id column).
    text_ids: Option<&'a [Option<Arc<str>>]>,
}

impl<'a> ColumnRows<'a> {
    /// A reader of `rows` rows of `ids` and `columns` against `schema`.
    pub(crate) fn new(
        schema: &'a Schema,
        ids: &'a Column,
        columns: &[(&str, &'a Column)],
    ) -> ColumnRows<'a> {
        let cols = field_columns(schema, columns);
        let caches = dict_caches(&cols);
        let srcs = schema
            .fields
            .iter()
            .zip(&cols)
            .map(|(f, c)| match (c, &f.ty) {
                (None, _) => Src::Absent,
                (Some(Column::Int(v)), Type::Int) => Src::Int(v, false),
                (Some(Column::Int(v)), Type::Decimal) => Src::Int(v, true),
                (Some(Column::Float(v)), Type::Float) => Src::Float(v, false),
                (Some(Column::Float(v)), Type::Ratio) => Src::Float(v, true),
                (Some(Column::Dict { dict, codes }), _) => Src::Dict(codes, dict),
                _ => Src::Slow,
            })
            .collect();
        let text_ids = match ids {
            Column::Text(v) => Some(v.as_slice()),
            _ => None,
        };
        ColumnRows {
            schema,
            ids,
            cols,
            caches,
            srcs,
            text_ids,
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
            None => column_row(self.schema, row, self.ids, &self.cols, &mut self.caches)
                .map(|r| (r, false)),
        }
    }

    /// A row of the common forms, or `None` for [`column_row`].
    #[inline]
    fn fast(&mut self, row: usize) -> Option<(Record, bool)> {
        let id = match self.text_ids?.get(row) {
            // (blank as `trim` sees it, stopping at the first other character)
            Some(Some(t)) if !t.chars().all(char::is_whitespace) => t.clone(),
            _ => return None,
        };
        let mut values = Vec::with_capacity(self.schema.fields.len());
        let mut valid = true;
        for ((field, src), cache) in self
            .schema
            .fields
            .iter()
            .zip(&self.srcs)
            .zip(self.caches.iter_mut())
        {
            let v = match *src {
                Src::Int(v, dec) => match v.get(row).copied().flatten() {
                    Some(i) if dec => Value::Decimal(Decimal::from(i)),
                    Some(i) => Value::Int(i),
                    None => missing(field)?,
                },
                Src::Float(v, ratio) => match v.get(row).copied().flatten() {
                    // what the JSON number gives: a finite float (in [0, 1] for a ratio)
                    Some(x) if ratio && x.is_finite() && (0.0..=1.0).contains(&x) => {
                        Value::Float(x)
                    }
                    Some(x) if !ratio && x.is_finite() => Value::Float(x),
                    Some(_) => return None,
                    None => missing(field)?,
                },
                Src::Dict(codes, dict) => {
                    let code = codes.get(row).map(|c| *c as usize);
                    match code.and_then(|c| dict.get(c).map(|j| (c, j))) {
                        Some((c, j)) => {
                            let e = cache.get_mut(c)?;
                            let e = e.get_or_insert_with(|| {
                                Entry::new(field, field_value(field, Some(j)))
                            });
                            valid &= e.valid;
                            e.r.as_ref().ok()?.clone()
                        }
                        None => missing(field)?,
                    }
                }
                Src::Absent => missing(field)?,
                Src::Slow => return None,
            };
            values.push(v);
        }
        Some((Record { id, values }, valid))
    }
}

/// The value of a missing cell when the field is optional (`None` for the error path).
#[inline]
fn missing(field: &crate::schema::Field) -> Option<Value> {
    field.optional.then_some(Value::Null)
}

/// One row of a columnar batch (see [`Record::from_columns`]).
fn column_row(
    schema: &Schema,
    row: usize,
    ids: &Column,
    cols: &[Option<&Column>],
    caches: &mut [DictCache],
) -> Result<Record, DataError> {
    let text_id = match ids {
        // a text id as `id_value` reads a JSON string, without copying it
        Column::Text(v) => Some(match v.get(row) {
            // (blank as `trim` sees it, stopping at the first other character)
            Some(Some(t)) if !t.chars().all(char::is_whitespace) => Ok(t.clone()),
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
    for ((field, col), cache) in schema.fields.iter().zip(cols).zip(caches.iter_mut()) {
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

/// Combines rows read by [`Record::from_columns`] with the problems a host binding met while
/// reading cells itself (values without a JSON form, e.g. a Python object or a JS symbol), so
/// that each row reports the problem [`Record::from_json_at`] would report first: the one of
/// the earliest field in schema order, the id before every field.
///
/// `host` holds `(row, position, report)`: position 0 for the id, `1 + i` for schema field `i`.
/// A host problem replaces a row's record, or core's error unless core's is about an earlier
/// field; of several host problems of a row, the earliest position wins.
pub fn merge_host_errors(
    schema: &Schema,
    rows: &mut [Result<Record, ErrorReport>],
    mut host: Vec<(usize, usize, ErrorReport)>,
) {
    let position = |e: &ErrorReport| match e.field.as_deref() {
        None | Some("id") => 0,
        Some(f) => schema.index_of(f).map_or(0, |i| 1 + usize::from(i)),
    };
    host.sort_by_key(|(row, pos, _)| (*row, *pos));
    let mut last_row = None;
    for (row, pos, report) in host {
        if last_row == Some(row) {
            continue;
        }
        last_row = Some(row);
        if let Some(slot) = rows.get_mut(row) {
            let replace = match slot {
                Ok(_) => true,
                Err(core) => position(core) >= pos,
            };
            if replace {
                *slot = Err(report);
            }
        }
    }
}
