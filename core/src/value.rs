//! Typed values and types shared by schemas, plans and records.
//!
//! Numbers (see `docs/language.md`, "Numbers"):
//! - `int`: `i64`;
//! - `decimal` / `money`: exact decimal ([`rust_decimal::Decimal`]);
//! - `ratio` and every score, distance (km) and arithmetic result involving a ratio: `f64`;
//! - `date`: a calendar date; `datetime`: an instant in milliseconds since the Unix epoch (UTC);
//! - `duration`: milliseconds.

use std::fmt;
use std::sync::Arc;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::geo::{GeoPoint, Territory};

/// An instant as milliseconds since 1970-01-01T00:00:00Z.
pub type EpochMs = i64;

/// A span of time in milliseconds.
pub type DurationMs = i64;

/// The type of a schema field or of an expression.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "of")]
pub enum Type {
    /// Unicode text.
    Text,
    /// 64-bit signed integer.
    Int,
    /// Exact decimal (`decimal` or `money` in the language).
    Decimal,
    /// A ratio in `[0, 1]` (`15%` is `0.15`), stored as `f64`.
    Ratio,
    /// A floating-point number: scores, distances in km, results of ratio arithmetic.
    Float,
    /// `true` / `false`.
    Bool,
    /// A calendar date.
    Date,
    /// An instant (UTC).
    DateTime,
    /// A span of time.
    Duration,
    /// One of a fixed list of symbols.
    Enum(Arc<[String]>),
    /// A set of values of one type.
    Set(Box<Type>),
    /// A map (keys and values of one type each).
    Map(Box<Type>, Box<Type>),
    /// A geographic region (ISO 3166-1 / 3166-2 / postal prefix), possibly with exclusions.
    Region,
    /// A latitude/longitude pair.
    GeoPoint,
}

impl Type {
    /// Whether values of this type are numbers (`int`, `decimal`, `ratio`, `float`).
    pub fn is_numeric(&self) -> bool {
        matches!(self, Type::Int | Type::Decimal | Type::Ratio | Type::Float)
    }
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Type::Text => f.write_str("text"),
            Type::Int => f.write_str("int"),
            Type::Decimal => f.write_str("decimal"),
            Type::Ratio => f.write_str("ratio"),
            Type::Float => f.write_str("number"),
            Type::Bool => f.write_str("bool"),
            Type::Date => f.write_str("date"),
            Type::DateTime => f.write_str("datetime"),
            Type::Duration => f.write_str("duration"),
            Type::Enum(v) => write!(f, "enum({})", v.join(", ")),
            Type::Set(t) => write!(f, "set<{t}>"),
            Type::Map(k, v) => write!(f, "map<{k}, {v}>"),
            Type::Region => f.write_str("region"),
            Type::GeoPoint => f.write_str("geopoint"),
        }
    }
}

/// A dynamically typed value, as held in records and literals.
///
/// The compiled engine does not evaluate on `Value`s in its hot loop (it uses columns); this
/// type is the exchange form between hosts, the checker and the reference evaluator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "type", content = "value")]
pub enum Value {
    /// A missing optional value.
    Null,
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// An exact decimal.
    Decimal(Decimal),
    /// A float (ratios, scores, distances).
    Float(f64),
    /// Text.
    Text(Arc<str>),
    /// An enum symbol (its name).
    Enum(Arc<str>),
    /// A date.
    Date(NaiveDate),
    /// An instant in milliseconds since the epoch.
    DateTime(EpochMs),
    /// A duration in milliseconds.
    Duration(DurationMs),
    /// A region or territory.
    Region(Arc<Territory>),
    /// A point.
    GeoPoint(GeoPoint),
    /// A set (sorted, without duplicates).
    Set(Arc<[Value]>),
    /// A map as sorted key/value pairs.
    Map(Arc<[(Value, Value)]>),
}

impl Value {
    /// Whether this is [`Value::Null`].
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// The value as an `f64` if it is a number (int, decimal, float).
    pub fn as_f64(&self) -> Option<f64> {
        use rust_decimal::prelude::ToPrimitive;
        match self {
            Value::Int(i) => Some(*i as f64),
            Value::Decimal(d) => d.to_f64(),
            Value::Float(x) => Some(*x),
            _ => None,
        }
    }
}
