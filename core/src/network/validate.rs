//! Checking record values against a schema.

use crate::record::Record;
use crate::schema::{field_ok, Schema};
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
        if !field_ok(f, v) {
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

/// The variant of a value, as a number (for [`Shape`]).
#[inline]
fn kind(v: &Value) -> u8 {
    match v {
        Value::Null => 0,
        Value::Bool(_) => 1,
        Value::Int(_) => 2,
        Value::Decimal(_) => 3,
        Value::Float(_) => 4,
        Value::Text(_) => 5,
        Value::Enum(_) => 6,
        Value::Date(_) => 7,
        Value::DateTime(_) => 8,
        Value::Duration(_) => 9,
        Value::Region(_) => 10,
        Value::GeoPoint(_) => 11,
        Value::Set(_) => 12,
        Value::Map(_) => 13,
    }
}

/// A schema's fields as the value variants that pass [`check`] without a further condition,
/// for a quick test of many leads: a record passing [`Shape::passes`] passes [`check`] and
/// the engine's lead check (no region with exceptions).
#[derive(Debug, Clone)]
pub(crate) struct Shape {
    /// Per field: the variant of its type when the type has no further condition (`u8::MAX`
    /// otherwise), and whether the field is optional.
    fields: Vec<(u8, bool)>,
}

impl Shape {
    /// The shape of `schema`.
    pub(crate) fn new(schema: &Schema) -> Shape {
        let fields = schema
            .fields
            .iter()
            .map(|f| {
                let k = match f.ty {
                    Type::Bool => 1,
                    Type::Int => 2,
                    Type::Decimal => 3,
                    Type::Text => 5,
                    Type::Date => 7,
                    Type::DateTime => 8,
                    Type::Duration => 9,
                    Type::Region => 10,
                    _ => u8::MAX,
                };
                (k, f.optional)
            })
            .collect();
        Shape { fields }
    }

    /// Whether `record` certainly passes [`check`] (`false`: it may or may not).
    #[inline]
    pub(crate) fn passes(&self, record: &Record) -> bool {
        record.values.len() == self.fields.len()
            && self
                .fields
                .iter()
                .zip(&record.values)
                .all(|((k, optional), v)| match (kind(v), v) {
                    (0, _) => *optional,
                    // a lead region with exceptions fails the engine's lead check
                    (10, Value::Region(t)) => *k == 10 && t.except().is_empty(),
                    (x, _) => x == *k,
                })
    }
}
