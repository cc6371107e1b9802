//! Data records on a fixed schema covering every field type: from JSON, from columns and from
//! CSV cells.
//!
//! Properties: parsing returns a record or a `DataError` (never panics); a parsed record's
//! `to_json` parses back to the same record; the columnar reader (`Record::from_columns` and
//! `from_columns_split`, with plain JSON, dictionary-encoded and typed columns) gives row for
//! row what `Record::from_json_at` gives.

use std::sync::Arc;

use leadrail_core::record::{Column, DataError, Record};
use leadrail_core::schema::{Field, Schema};
use leadrail_core::value::Type;
use serde_json::Value as Json;

fn symbols(names: &[&str]) -> Type {
    Type::Enum(Arc::from(
        names.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
    ))
}

/// The fixed schema: field names of the bundled example's leads and partners (so its CSV files
/// and the conformance records are meaningful seeds) plus one field of every other type. Only
/// `region` is required, so most inputs reach every field.
pub fn schema() -> Schema {
    let field = |name: &str, ty: Type, optional: bool| Field {
        name: name.to_string(),
        ty,
        optional,
    };
    let tiers = symbols(&["platinum", "gold", "silver"]);
    Schema {
        fields: vec![
            field("region", Type::Region, false),
            field("location", Type::GeoPoint, true),
            field("product_line", Type::Text, true),
            field("deal_size", Type::Decimal, true),
            field(
                "industry",
                symbols(&["agriculture", "construction", "food", "mining"]),
                true,
            ),
            field("kind", symbols(&["distributor", "dealer"]), true),
            field("name", Type::Text, true),
            field("territories", Type::Set(Box::new(Type::Region)), true),
            field("product_lines", Type::Set(Box::new(Type::Text)), true),
            field(
                "certifications",
                Type::Map(Box::new(Type::Text), Box::new(Type::Date)),
                true,
            ),
            field("tier", tiers.clone(), true),
            field("capacity", Type::Int, true),
            field("active_leads", Type::Int, true),
            field("acceptance_rate", Type::Ratio, true),
            field("conversion_rate", Type::Float, true),
            field("last_assigned_at", Type::DateTime, true),
            field("weight", Type::Int, true),
            field("active", Type::Bool, true),
            field("since", Type::Date, true),
            field("response", Type::Duration, true),
            field("tiers", Type::Set(Box::new(tiers)), true),
            field("sizes", Type::Set(Box::new(Type::Int)), true),
            field("days", Type::Set(Box::new(Type::Date)), true),
            field(
                "limits",
                Type::Map(Box::new(Type::Text), Box::new(Type::Decimal)),
                true,
            ),
            field("points", Type::Set(Box::new(Type::GeoPoint)), true),
            field("label", Type::Text, false),
        ],
    }
}

/// A parsed record's JSON form parses back to the same record.
fn roundtrip(schema: &Schema, rec: &Record, origin: &str) {
    let json = rec.to_json(schema);
    match Record::from_json(schema, &json) {
        Ok(back) => assert_eq!(
            &back, rec,
            "to_json then from_json changed the record\n--- input ---\n{origin}\n--- json ---\n{json}"
        ),
        Err(e) => panic!(
            "to_json of a parsed record does not parse back: {e}\n--- input ---\n{origin}\n--- json ---\n{json}"
        ),
    }
}

fn touch(e: &DataError) {
    let _ = e.to_string();
    let _ = e.code();
    let _ = e.help();
    let _ = leadrail_core::report::ErrorReport::from(e.clone());
}

/// The columns of a batch of JSON objects: ids and one column per schema field, in the forms
/// given by `form` (0 plain JSON, 1 dictionary-encoded, 2 typed where every value allows it).
fn columns(
    schema: &Schema,
    rows: &[&serde_json::Map<String, Json>],
    form: u8,
) -> (Column, Vec<Column>) {
    let values = |name: &str| -> Vec<Json> {
        rows.iter()
            .map(|o| o.get(name).cloned().unwrap_or(Json::Null))
            .collect()
    };
    let make = |vals: Vec<Json>| -> Column {
        match form {
            1 => {
                let mut dict: Vec<Json> = Vec::new();
                let mut codes = Vec::with_capacity(vals.len());
                for v in vals {
                    if v.is_null() {
                        // a code past the dictionary is missing
                        codes.push(u32::MAX);
                        continue;
                    }
                    let code = match dict.iter().position(|d| *d == v) {
                        Some(i) => i,
                        None => {
                            dict.push(v);
                            dict.len() - 1
                        }
                    };
                    codes.push(code as u32);
                }
                Column::Dict { dict, codes }
            }
            2 if vals.iter().all(|v| v.is_null() || v.is_i64()) => {
                Column::Int(vals.iter().map(Json::as_i64).collect())
            }
            2 if vals.iter().all(|v| v.is_null() || v.is_f64()) => {
                Column::Float(vals.iter().map(Json::as_f64).collect())
            }
            2 if vals.iter().all(|v| v.is_null() || v.is_string()) => {
                Column::Text(vals.iter().map(|v| v.as_str().map(Arc::from)).collect())
            }
            _ => Column::Json(vals),
        }
    };
    let ids = make(values("id"));
    let cols = schema
        .fields
        .iter()
        .map(|f| make(values(&f.name)))
        .collect();
    (ids, cols)
}

/// Records from a JSON text: one object, or an array of records (a batch).
pub fn from_json_bytes(data: &[u8]) {
    let Ok(json) = serde_json::from_slice::<Json>(data) else {
        return;
    };
    let schema = schema();
    let origin = String::from_utf8_lossy(data);
    let rows: Vec<&Json> = match &json {
        Json::Array(items) => items.iter().collect(),
        other => vec![other],
    };
    let mut parsed = Vec::with_capacity(rows.len());
    for (i, row) in rows.iter().enumerate() {
        let r = Record::from_json_at(&schema, row, i + 1);
        match &r {
            Ok(rec) => roundtrip(&schema, rec, &origin),
            Err(e) => touch(e),
        }
        parsed.push(r);
    }
    // the columnar reader, when every row is an object (what the bindings read into columns)
    let objects: Option<Vec<&serde_json::Map<String, Json>>> =
        rows.iter().map(|r| r.as_object()).collect();
    let Some(objects) = objects else {
        return;
    };
    for form in 0..3 {
        let (ids, cols) = columns(&schema, &objects, form);
        let named = Column::named(&schema, &cols);
        let got = Record::from_columns(&schema, objects.len(), &ids, &named);
        assert_eq!(
            got, parsed,
            "from_columns (form {form}) differs from from_json_at\n--- input ---\n{origin}"
        );
        let (good, bad) = Record::from_columns_split(&schema, objects.len(), &ids, &named);
        let mut merged: Vec<Result<Record, DataError>> = Vec::new();
        let mut good = good.into_iter();
        let mut bad = bad.into_iter().peekable();
        for row in 0..objects.len() {
            match bad.peek() {
                Some((r, _)) if *r == row => merged.push(Err(bad.next().unwrap().1)),
                _ => merged.push(Ok(good.next().expect("a good row"))),
            }
        }
        assert!(good.next().is_none() && bad.next().is_none());
        assert_eq!(
            merged, parsed,
            "from_columns_split (form {form}) differs from from_json_at\n--- input ---\n{origin}"
        );
    }
}

/// Records from a CSV text with a header row: every row through `Record::from_text_at`.
pub fn from_csv_bytes(data: &[u8]) {
    let schema = schema();
    let origin = String::from_utf8_lossy(data);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(data);
    let Ok(headers) = reader.headers() else {
        return;
    };
    let headers: Vec<String> = headers.iter().map(str::to_string).collect();
    let headers: Vec<&str> = headers.iter().map(String::as_str).collect();
    for (i, row) in reader.records().enumerate() {
        let Ok(row) = row else {
            return;
        };
        let cells: Vec<&str> = row.iter().collect();
        match Record::from_text_at(&schema, &headers, &cells, i + 1) {
            Ok(rec) => roundtrip(&schema, &rec, &origin),
            Err(e) => touch(&e),
        }
    }
}
