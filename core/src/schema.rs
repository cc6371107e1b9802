//! Record schemas: the typed fields of leads and partners.

use serde::{Deserialize, Serialize};

use crate::value::{Type, Value};

/// One field of a schema.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Field {
    /// The field's name.
    pub name: String,
    /// The field's type.
    pub ty: Type,
    /// Whether the field may be missing (`?` in the language).
    pub optional: bool,
}

/// The fields of a record kind (`schema lead { ... }` or `schema partner { ... }`).
///
/// Every record also has an implicit text `id`, which is not listed here.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Schema {
    /// The fields, in declaration order. Field references in plans are indexes into this list.
    pub fields: Vec<Field>,
}

impl Schema {
    /// The index of a field by name.
    pub fn index_of(&self, name: &str) -> Option<u16> {
        self.fields
            .iter()
            .position(|f| f.name == name)
            .and_then(|i| u16::try_from(i).ok())
    }

    /// The fields' names, in order.
    pub fn names(&self) -> Vec<String> {
        self.fields.iter().map(|f| f.name.clone()).collect()
    }

    /// A field by index.
    pub fn field(&self, index: u16) -> Option<&Field> {
        self.fields.get(usize::from(index))
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

/// Whether `v` may be the value of field `f` in a checked record: a value of its type, or
/// null when the field is optional.
#[inline]
pub(crate) fn field_ok(f: &Field, v: &Value) -> bool {
    match v {
        Value::Null => f.optional,
        _ => matches(&f.ty, v),
    }
}
