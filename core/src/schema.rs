//! Record schemas: the typed fields of leads and partners.

use serde::{Deserialize, Serialize};

use crate::value::Type;

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

    /// A field by index.
    pub fn field(&self, index: u16) -> Option<&Field> {
        self.fields.get(usize::from(index))
    }
}
