//! Reading host JSON strictly: an object that repeats a key is an error naming the key and the
//! record, instead of serde_json's silent "last key wins" (a row exported twice into one object,
//! a hand-edited file with `"region"` written twice, would otherwise route on whichever came
//! last). The value built is an ordinary `serde_json::Value`.
//!
//! ```
//! let err = leadrail_core::json::from_str(r#"{"id": "L1", "region": "US", "region": "CA"}"#)
//!     .unwrap_err();
//! assert!(err.to_string().starts_with("duplicate key `region` in record `L1`"), "{err}");
//! let ok = leadrail_core::json::from_str(r#"{"id": "L1", "region": "US"}"#).unwrap();
//! assert_eq!(ok["region"], "US");
//! ```

use std::fmt;

use serde::de::{DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde::Deserializer;
use serde_json::{Map, Value};

/// Parses JSON text into a value, rejecting repeated keys (see the module docs).
///
/// # Errors
/// serde_json's error for malformed JSON or a repeated key (with its line and column).
pub fn from_str(text: &str) -> Result<Value, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_str(text);
    let v = Strict::top().deserialize(&mut de)?;
    de.end()?;
    Ok(v)
}

/// A JSON value read strictly, as a seed: `record` names the record (e.g. "lead 3") in an error
/// until the record's own `id` is known; `field` the record field an inner object belongs to.
#[derive(Debug, Clone, Copy)]
pub struct Strict<'a> {
    record: Option<&'a str>,
    id: Option<&'a str>,
    field: Option<&'a str>,
    /// Whether this value is the record itself (its `id` names it in errors).
    is_record: bool,
}

impl<'a> Strict<'a> {
    /// A value at the top of a document: itself a record if it is an object.
    pub fn top() -> Strict<'static> {
        Strict {
            record: None,
            id: None,
            field: None,
            is_record: true,
        }
    }

    /// A record named `label` (e.g. "lead 3") in errors until its `id` is read.
    pub fn record(label: &'a str) -> Strict<'a> {
        Strict {
            record: Some(label),
            id: None,
            field: None,
            is_record: true,
        }
    }

    fn duplicate<E: serde::de::Error>(&self, key: &str, id: Option<&str>) -> E {
        let mut m = format!("duplicate key `{key}`");
        if let Some(f) = self.field {
            m.push_str(&format!(" in field `{f}`"));
        }
        match (id.or(self.id), self.record) {
            (Some(id), _) => m.push_str(&format!(" in record `{id}`")),
            (None, Some(label)) => m.push_str(&format!(" in {label}")),
            (None, None) => {}
        }
        E::custom(m)
    }
}

impl<'de> DeserializeSeed<'de> for Strict<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

/// A JSON array of records read strictly: item `n` is named `"{what} {n}"` in errors.
#[derive(Debug, Clone, Copy)]
pub struct StrictRecords<'a> {
    /// What the items are ("lead", "partner", "timeline").
    pub what: &'a str,
}

impl<'de> DeserializeSeed<'de> for StrictRecords<'_> {
    type Value = Vec<Value>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Vec<Value>, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for StrictRecords<'_> {
    type Value = Vec<Value>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a list of {}s", self.what)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<Value>, A::Error> {
        let mut out = Vec::new();
        let mut label = String::new();
        loop {
            label.clear();
            label.push_str(&format!("{} {}", self.what, out.len() + 1));
            match seq.next_element_seed(Strict::record(&label))? {
                Some(v) => out.push(v),
                None => return Ok(out),
            }
        }
    }
}

/// `#[serde(deserialize_with)]` for a list of leads read strictly.
pub fn leads<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Value>, D::Error> {
    StrictRecords { what: "lead" }.deserialize(d)
}

/// `#[serde(deserialize_with)]` for a list of partners read strictly.
pub fn partners<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Value>, D::Error> {
    StrictRecords { what: "partner" }.deserialize(d)
}

/// `#[serde(deserialize_with)]` for a list of timelines read strictly.
pub fn timelines<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Value>, D::Error> {
    StrictRecords { what: "timeline" }.deserialize(d)
}

impl<'de> Visitor<'de> for Strict<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        self.deserialize(d)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let inner = Strict {
            is_record: false,
            ..self
        };
        let mut out = Vec::new();
        while let Some(v) = seq.next_element_seed(inner)? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        use serde_json::map::Entry;
        let mut out = Map::new();
        // the record's id, once read, names it in errors
        let mut id: Option<String> = None;
        while let Some(key) = map.next_key::<String>()? {
            let inner = Strict {
                field: if self.is_record {
                    Some(key.as_str())
                } else {
                    self.field
                },
                id: id.as_deref().or(self.id),
                is_record: false,
                ..self
            };
            let value = map.next_value_seed(inner)?;
            match out.entry(key) {
                Entry::Occupied(o) => {
                    let id = id.as_deref();
                    return Err(self.duplicate(o.key(), id));
                }
                Entry::Vacant(v) => {
                    if self.is_record && v.key() == "id" {
                        id = match &value {
                            Value::String(s) => Some(s.clone()),
                            Value::Number(n) => Some(n.to_string()),
                            _ => None,
                        };
                    }
                    v.insert(value);
                }
            }
        }
        Ok(Value::Object(out))
    }
}
