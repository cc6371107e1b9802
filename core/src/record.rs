//! Records: leads and partners as typed values, one per schema field.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::value::Value;

/// A lead or a partner: its id and one value per field of its schema (in schema order;
/// `Value::Null` for a missing optional field).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// The record's id.
    pub id: Arc<str>,
    /// One value per schema field.
    pub values: Vec<Value>,
}
