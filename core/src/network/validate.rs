//! Checking record values against a schema.

use crate::record::Record;
use crate::schema::Schema;
use crate::value::{Type, Value};

/// What is wrong with a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Invalid {
    /// Wrong number of values.
    Count { expected: usize, found: usize },
    /// A value of the wrong type or form.
    Field {
        field: String,
        expected: String,
        found: String,
    },
}

/// A short description of a value's kind, for messages.
pub(crate) fn describe(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(_) => "a bool".into(),
        Value::Int(_) => "an int".into(),
        Value::Decimal(_) => "a decimal".into(),
        Value::Float(_) => "a number".into(),
        Value::Text(t) => format!("text `{t}`"),
        Value::Enum(s) => format!("symbol `{s}`"),
        Value::Date(_) => "a date".into(),
        Value::DateTime(_) => "a datetime".into(),
        Value::Duration(_) => "a duration".into(),
        Value::Region(_) => "a region".into(),
        Value::GeoPoint(_) => "a geopoint".into(),
        Value::Set(_) => "a set".into(),
        Value::Map(_) => "a map".into(),
    }
}

/// Whether `v` is a (non-null) value of type `ty`. The scalar types without a further
/// condition are decided inline (record checks call this once per field); the rest out of line.
#[inline]
pub(crate) fn matches(ty: &Type, v: &Value) -> bool {
    match (ty, v) {
        (Type::Text, Value::Text(_))
        | (Type::Int, Value::Int(_))
        | (Type::Decimal, Value::Decimal(_))
        | (Type::Bool, Value::Bool(_))
        | (Type::Date, Value::Date(_))
        | (Type::DateTime, Value::DateTime(_))
        | (Type::Duration, Value::Duration(_))
        | (Type::Region, Value::Region(_)) => true,
        _ => matches_other(ty, v),
    }
}

/// [`matches`] for the types with a further condition (finite numbers, enum symbols, point
/// ranges, collection items), and every mismatch.
#[inline(never)]
fn matches_other(ty: &Type, v: &Value) -> bool {
    match (ty, v) {
        (Type::Ratio, Value::Float(x)) => x.is_finite(),
        (Type::Float, Value::Float(x)) => !x.is_nan(),
        (Type::Enum(syms), Value::Enum(s)) => syms.iter().any(|x| x.as_str() == &**s),
        (Type::GeoPoint, Value::GeoPoint(p)) => {
            (-90.0..=90.0).contains(&p.lat) && (-180.0..=180.0).contains(&p.lon)
        }
        (Type::Set(t), Value::Set(items)) => items.iter().all(|x| matches(t, x)),
        (Type::Map(k, t), Value::Map(items)) => {
            items.iter().all(|(a, b)| matches(k, a) && matches(t, b))
        }
        _ => false,
    }
}

/// Checks a record's values against a schema: one value per field, each of the field's type
/// (or null when the field is optional).
pub(crate) fn check(schema: &Schema, record: &Record) -> Result<(), Invalid> {
    if record.values.len() != schema.fields.len() {
        return Err(Invalid::Count {
            expected: schema.fields.len(),
            found: record.values.len(),
        });
    }
    for (f, v) in schema.fields.iter().zip(&record.values) {
        let ok = match v {
            Value::Null => f.optional,
            _ => matches(&f.ty, v),
        };
        if !ok {
            return Err(invalid(f, v));
        }
    }
    Ok(())
}

/// The error for field `f` holding the value `v` (kept out of line: the check's loop stays
/// small).
#[cold]
#[inline(never)]
fn invalid(f: &crate::schema::Field, v: &Value) -> Invalid {
    let expected = if f.optional {
        format!("{}?", f.ty)
    } else {
        f.ty.to_string()
    };
    Invalid::Field {
        field: f.name.clone(),
        expected,
        found: describe(v),
    }
}
