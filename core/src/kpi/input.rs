//! The inputs besides timelines: lead records, partner engagement events, partner records;
//! each from JSON (the facade, the bindings) or, for leads, from a [`Record`] of a plan's lead
//! schema (the CLI).

use std::sync::Arc;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

use crate::record::Record;
use crate::report::{codes, ErrorReport};
use crate::schema::{Field, Schema};
use crate::value::{EpochMs, Type, Value};

/// What the KPIs read of a lead record: its amount, region and product line (each may be
/// missing: a lead without a record has nulls there).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct LeadInfo {
    /// The lead id (the timeline's `lead`).
    pub id: String,
    /// The deal amount (money, exact).
    #[serde(default)]
    pub amount: Option<Decimal>,
    /// The region code (`US-TX`, `DE`, `US-TX:750`).
    #[serde(default)]
    pub region: Option<String>,
    /// The product line.
    #[serde(default)]
    pub product_line: Option<String>,
}

/// The names of the lead record fields the KPIs read (default `amount`, `region`,
/// `product_line`), e.g. `{"amount": "deal_size"}` for the example rule file's schema.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct LeadFields {
    /// The amount field (a number, or a decimal string).
    pub amount: String,
    /// The region field (text or a region).
    pub region: String,
    /// The product line field (text or an enum symbol).
    pub product_line: String,
}

impl Default for LeadFields {
    fn default() -> LeadFields {
        LeadFields {
            amount: "amount".into(),
            region: "region".into(),
            product_line: "product_line".into(),
        }
    }
}

impl LeadFields {
    /// The schema lead records are read with: the three fields, optional.
    fn schema(&self) -> Schema {
        let field = |name: &str, ty: Type| Field {
            name: name.to_string(),
            ty,
            optional: true,
        };
        Schema {
            fields: vec![
                field(&self.amount, Type::Decimal),
                field(&self.region, Type::Text),
                field(&self.product_line, Type::Text),
            ],
        }
    }
}

fn text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::Text(s) | Value::Enum(s) => Some(s.to_string()),
        Value::Region(t) => Some(t.region().to_string()),
        _ => None,
    }
}

impl LeadInfo {
    /// A lead record from its JSON object at 1-based `position` of its list (named by its
    /// position in errors until its `id` is read). Fields other than `fields` are ignored.
    ///
    /// # Errors
    /// A data error naming the record and the field (an amount that is not a number or a
    /// decimal string, a region or product line that is not text, a missing `id`).
    pub fn from_json_at(
        json: &Json,
        position: usize,
        fields: &LeadFields,
    ) -> Result<LeadInfo, ErrorReport> {
        let record = Record::from_json_at(&fields.schema(), json, position)?;
        Ok(LeadInfo::of_values(&record.id, &record.values))
    }

    /// A lead record from a CSV row (cells under `headers`), at 1-based `position`.
    ///
    /// # Errors
    /// As [`LeadInfo::from_json_at`].
    pub fn from_text_at(
        headers: &[&str],
        cells: &[&str],
        position: usize,
        fields: &LeadFields,
    ) -> Result<LeadInfo, ErrorReport> {
        let record = Record::from_text_at(&fields.schema(), headers, cells, position)?;
        Ok(LeadInfo::of_values(&record.id, &record.values))
    }

    fn of_values(id: &Arc<str>, values: &[Value]) -> LeadInfo {
        LeadInfo {
            id: id.to_string(),
            amount: match values.first() {
                Some(Value::Decimal(d)) => Some(*d),
                _ => None,
            },
            region: text(values.get(1)),
            product_line: text(values.get(2)),
        }
    }

    /// A lead record from a record of `schema` (e.g. a plan's lead schema, as the CLI reads
    /// leads): the amount from an `int`, `decimal` or `number` field, the region from a
    /// `region` or `text` field, the product line from a `text` or `enum` field. A field the
    /// schema does not have, or of another type, reads as missing.
    pub fn from_record(schema: &Schema, record: &Record, fields: &LeadFields) -> LeadInfo {
        let get = |name: &str| {
            schema
                .index_of(name)
                .and_then(|i| record.values.get(usize::from(i)))
        };
        let amount = match get(&fields.amount) {
            Some(Value::Decimal(d)) => Some(*d),
            Some(Value::Int(i)) => Some(Decimal::from(*i)),
            Some(Value::Float(x)) => Decimal::from_f64_retain(*x),
            _ => None,
        };
        LeadInfo {
            id: record.id.to_string(),
            amount,
            region: text(get(&fields.region)),
            product_line: text(get(&fields.product_line)),
        }
    }
}

/// A partner engagement event: a login, a lead update, a content download, ... (any kind).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EngagementEvent {
    /// The partner id.
    pub partner: String,
    /// When (ms since the epoch).
    pub at: EpochMs,
    /// What kind of engagement (free text: `login`, `lead_update`, `content_download`, ...).
    pub kind: String,
}

/// When a partner joined: a local date (its start in the report's zone) or an instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Joined {
    /// A date: the start of that local date counts.
    Date(NaiveDate),
    /// An instant (ms since the epoch).
    At(EpochMs),
}

/// What the KPIs read of a partner record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartnerInfo {
    /// The partner id.
    pub id: String,
    /// When it joined, if known (time to first deal needs it).
    #[serde(default)]
    pub joined_at: Option<Joined>,
}

fn invalid(record: String, field: &str, message: String, help: &str) -> ErrorReport {
    ErrorReport::error(codes::DATA_INVALID_FIELD, message)
        .with_help(help)
        .with_record(record)
        .with_field(field)
}

fn missing(record: String, field: &str, message: String) -> ErrorReport {
    ErrorReport::error(codes::DATA_MISSING_FIELD, message)
        .with_help(format!("add `{field}` to the record"))
        .with_record(record)
        .with_field(field)
}

const INSTANT_HELP: &str =
    "write instants like `2026-11-24T09:00:00Z` or as milliseconds since the epoch";

/// An instant from JSON: integer milliseconds or RFC 3339 text.
fn instant(j: &Json) -> Option<EpochMs> {
    match j {
        Json::Number(n) => n.as_i64(),
        Json::String(s) => chrono::DateTime::parse_from_rfc3339(s.trim())
            .ok()
            .map(|t| t.timestamp_millis()),
        _ => None,
    }
}

impl EngagementEvent {
    /// An engagement event from `{"partner": "P1", "at": INSTANT, "kind": "login"}` at 1-based
    /// `position` of its list (errors name it `#position`).
    ///
    /// # Errors
    /// A data error naming the event and the field.
    pub fn from_json_at(json: &Json, position: usize) -> Result<EngagementEvent, ErrorReport> {
        let record = format!("#{position}");
        let name = format!("engagement event #{position}");
        let Some(obj) = json.as_object() else {
            return Err(ErrorReport::error(
                codes::DATA_INVALID_RECORD,
                format!("{name}: expected an object, found `{json}`"),
            )
            .with_help("pass each event as `{\"partner\": \"P1\", \"at\": \"2026-11-24T09:00:00Z\", \"kind\": \"login\"}`")
            .with_record(record));
        };
        let text_field = |field: &str| -> Result<String, ErrorReport> {
            match obj.get(field) {
                Some(Json::String(s)) if !s.trim().is_empty() => Ok(s.clone()),
                None | Some(Json::Null) => Err(missing(
                    record.clone(),
                    field,
                    format!("{name}: missing required field `{field}`"),
                )),
                Some(other) => Err(invalid(
                    record.clone(),
                    field,
                    format!("{name}: `{field}` must be non-empty text, not `{other}`"),
                    "write the value as text",
                )),
            }
        };
        let partner = text_field("partner")?;
        let kind = text_field("kind")?;
        let at = match obj.get("at") {
            None | Some(Json::Null) => {
                return Err(missing(
                    record,
                    "at",
                    format!("{name}: missing required field `at`"),
                ))
            }
            Some(j) => instant(j).ok_or_else(|| {
                invalid(
                    record,
                    "at",
                    format!("{name}: `at` must be an instant, not `{j}`"),
                    INSTANT_HELP,
                )
            })?,
        };
        Ok(EngagementEvent { partner, at, kind })
    }
}

impl PartnerInfo {
    /// A partner record from its JSON object at 1-based `position`: its `id` and, if present,
    /// `joined_field` (a date `2025-06-01`, an RFC 3339 instant or milliseconds). Other fields
    /// are ignored, so a network's partner file can be passed as it is.
    ///
    /// # Errors
    /// A data error naming the record and the field.
    pub fn from_json_at(
        json: &Json,
        position: usize,
        joined_field: &str,
    ) -> Result<PartnerInfo, ErrorReport> {
        let record = Record::from_json_at(&Schema::default(), json, position)?;
        let id = record.id.to_string();
        let joined_at = match json.get(joined_field) {
            None | Some(Json::Null) => None,
            Some(Json::String(s)) if s.trim().is_empty() => None,
            Some(j) => Some(joined(j).ok_or_else(|| {
                invalid(
                    id.clone(),
                    joined_field,
                    format!("record `{id}`, field `{joined_field}`: expected a date or an instant, found `{j}`"),
                    "write a date like `2025-06-01`, an instant like `2025-06-01T09:00:00Z`, or milliseconds since the epoch",
                )
            })?),
        };
        Ok(PartnerInfo { id, joined_at })
    }

    /// A partner record from a CSV row, as [`PartnerInfo::from_json_at`].
    ///
    /// # Errors
    /// A data error naming the record and the field.
    pub fn from_text_at(
        headers: &[&str],
        cells: &[&str],
        position: usize,
        joined_field: &str,
    ) -> Result<PartnerInfo, ErrorReport> {
        let record = Record::from_text_at(&Schema::default(), headers, cells, position)?;
        let cell = headers
            .iter()
            .position(|h| h.trim() == joined_field)
            .and_then(|i| cells.get(i))
            .map(|c| c.trim())
            .filter(|c| !c.is_empty());
        let joined_at = match cell {
            None => None,
            Some(c) => {
                let j = match c.parse::<i64>() {
                    Ok(ms) => Json::from(ms),
                    Err(_) => Json::String(c.to_string()),
                };
                Some(joined(&j).ok_or_else(|| {
                    invalid(
                        record.id.to_string(),
                        joined_field,
                        format!("record `{}`, field `{joined_field}`: expected a date or an instant, found `{c}`", record.id),
                        "write a date like `2025-06-01`, an instant like `2025-06-01T09:00:00Z`, or milliseconds since the epoch",
                    )
                })?)
            }
        };
        Ok(PartnerInfo {
            id: record.id.to_string(),
            joined_at,
        })
    }
}

fn joined(j: &Json) -> Option<Joined> {
    if let Json::String(s) = j {
        if let Ok(d) = NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d") {
            return Some(Joined::Date(d));
        }
    }
    instant(j).map(Joined::At)
}
