//! Writing a registry file (`leadrail expire --update-registry OUT`): every record of a
//! registry in core's JSON form (`host::register::registry_to_json`, the form `register
//! --registry` reads back), in the order read, as CSV, JSON or JSON Lines.
//!
//! JSON and JSON Lines carry core's form as it is (instants in ms since the epoch). CSV has a
//! header row with the fields some record has, in the order of a registration's fields (`kind`,
//! `extensions` and `status` always), `product_lines` joined with `;`, instants in RFC 3339
//! (UTC), and an empty cell for a field a record lacks: the cells `register --registry` reads.

use std::io::Write;
use std::path::Path;

use leadrail_core::dealreg::Registry;
use leadrail_core::host::register::registry_to_json;
use serde_json::Value as Json;

use crate::input::Format;
use crate::output;

/// A registration's fields, in order (the CSV columns; any other field of core's form follows
/// them, by name).
const FIELDS: [&str; 17] = [
    "id",
    "kind",
    "partner",
    "company",
    "domain",
    "contact_email",
    "country",
    "postal_code",
    "address",
    "product_lines",
    "estimated_value",
    "submitted_at",
    "approved_at",
    "protected_until",
    "extended_at",
    "extensions",
    "status",
];

/// A CSV cell of field `name`.
fn cell(name: &str, v: &Json) -> String {
    match v {
        Json::Array(items) => items
            .iter()
            .filter_map(Json::as_str)
            .collect::<Vec<_>>()
            .join(";"),
        Json::Number(n) if crate::register::INSTANTS.contains(&name) => n
            .as_i64()
            .and_then(chrono::DateTime::from_timestamp_millis)
            .map_or_else(
                || n.to_string(),
                |t| t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
            ),
        Json::String(s) => s.clone(),
        Json::Null => String::new(),
        other => other.to_string(),
    }
}

fn csv_bytes(records: &[Json]) -> Vec<u8> {
    let mut columns: Vec<&str> = FIELDS
        .into_iter()
        .filter(|f| records.iter().any(|r| r.get(*f).is_some()))
        .collect();
    // (a field core writes that the list above lacks is kept too, after the others)
    let mut extra: Vec<&str> = records
        .iter()
        .filter_map(Json::as_object)
        .flat_map(|o| o.keys().map(String::as_str))
        .filter(|k| !FIELDS.contains(k))
        .collect();
    extra.sort_unstable();
    extra.dedup();
    columns.extend(extra);
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut rows = vec![columns.iter().map(|c| (*c).to_owned()).collect::<Vec<_>>()];
    rows.extend(records.iter().map(|r| {
        let at = |c: &&str| r.get(*c).map(|v| cell(c, v)).unwrap_or_default();
        columns.iter().map(at).collect()
    }));
    for row in rows {
        // writing to memory cannot fail
        let _ = w.write_record(&row);
    }
    w.into_inner().unwrap_or_default()
}

/// Writes every record of `registry` to `out` in `format` (`None`: the one `out`'s name says,
/// else JSON); `Err` is the exit code (the reason printed).
pub fn write(registry: &Registry, out: &Path, format: Option<Format>) -> Result<(), u8> {
    let records = registry_to_json(registry);
    let bytes = match Format::of(out).or(format) {
        Some(Format::Csv) => csv_bytes(&records),
        Some(Format::JsonLines) => records
            .iter()
            .map(|v| v.to_string() + "\n")
            .collect::<String>()
            .into_bytes(),
        Some(Format::Json) | None => {
            (serde_json::to_string_pretty(&records).unwrap_or_default() + "\n").into_bytes()
        }
    };
    let mut w = output::open(out)?;
    output::finish(w.write_all(&bytes), &mut w)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_keeps_fields_past_the_known_ones_after_them() {
        let records = [
            serde_json::json!({"id": "R-1", "partner": "p1", "note": "x", "extensions": 0}),
            serde_json::json!({"id": "R-2", "partner": "p2", "alpha": 1, "extensions": 1}),
        ];
        let text = String::from_utf8(csv_bytes(&records)).unwrap_or_default();
        assert_eq!(
            text,
            "id,partner,extensions,alpha,note\nR-1,p1,0,,x\nR-2,p2,1,1,\n"
        );
    }
}
