//! The columnar form of KPI and forecast tables: per table, one list of values per column, as
//! pandas (`pd.DataFrame(table)`), polars and pyarrow (`pa.table(table)`) take it as it is.
//!
//! Columns are ordered by name; nested statistics are flattened with `_`
//! (`response_time_median`); key columns are the grouped dimensions. An empty table has no
//! columns.

use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};
use serde_json::Value as Json;

use super::forecast::Forecast;
use super::report::KpiReport;

/// One table as columns.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Table {
    /// (column name, one value per row).
    pub columns: Vec<(String, Vec<Json>)>,
}

impl Serialize for Table {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.columns.len()))?;
        for (name, values) in &self.columns {
            m.serialize_entry(name, values)?;
        }
        m.end()
    }
}

/// Flattens one row's JSON object into (column, value) pairs.
fn flatten(prefix: &str, v: Json, out: &mut Vec<(String, Json)>) {
    match v {
        Json::Object(map) => {
            for (k, x) in map {
                let name = if prefix.is_empty() {
                    k
                } else {
                    format!("{prefix}_{k}")
                };
                flatten(&name, x, out);
            }
        }
        other => out.push((prefix.to_string(), other)),
    }
}

impl Table {
    /// The columns of `rows`.
    ///
    /// # Errors
    /// A row that does not serialise to a JSON object.
    pub fn of<T: Serialize>(rows: &[T]) -> Result<Table, serde_json::Error> {
        let mut t = Table::default();
        let mut pairs = Vec::new();
        for (i, row) in rows.iter().enumerate() {
            pairs.clear();
            flatten("", serde_json::to_value(row)?, &mut pairs);
            for (j, (name, value)) in pairs.drain(..).enumerate() {
                // rows of one type have the same columns in the same order: try position j first
                let at = match t.columns.get(j) {
                    Some((n, _)) if *n == name => Some(j),
                    _ => t.columns.iter().position(|(n, _)| *n == name),
                };
                match at.and_then(|k| t.columns.get_mut(k)) {
                    Some((_, col)) => col.push(value),
                    None => {
                        // a column first seen in row i: null before
                        let mut col = vec![Json::Null; i];
                        col.push(value);
                        t.columns.push((name, col));
                    }
                }
            }
            for (_, col) in &mut t.columns {
                col.resize(i + 1, Json::Null);
            }
        }
        Ok(t)
    }
}

/// Every table of a KPI report as columns, by table name (`assignments`, `rejections`, ...).
///
/// # Errors
/// As [`Table::of`] (not expected for the report's rows).
pub fn report_columns(r: &KpiReport) -> Result<Vec<(&'static str, Table)>, serde_json::Error> {
    Ok(vec![
        ("assignments", Table::of(&r.assignments)?),
        ("rejections", Table::of(&r.rejections)?),
        ("leads", Table::of(&r.leads)?),
        ("open_leads", Table::of(&r.open_leads)?),
        ("stages", Table::of(&r.stages)?),
        ("deals", Table::of(&r.deals)?),
        ("sla", Table::of(&r.sla)?),
        ("engagement", Table::of(&r.engagement)?),
        ("engagement_kinds", Table::of(&r.engagement_kinds)?),
        ("first_deals", Table::of(&r.first_deals)?),
    ])
}

/// The forecast's tables as columns: `groups`, `stages` and (with `detail`) `leads`.
///
/// # Errors
/// As [`Table::of`].
pub fn forecast_columns(f: &Forecast) -> Result<Vec<(&'static str, Table)>, serde_json::Error> {
    let mut out = vec![
        ("groups", Table::of(&f.groups)?),
        ("stages", Table::of(&f.stages)?),
    ];
    if let Some(leads) = &f.leads {
        out.push(("leads", Table::of(leads)?));
    }
    Ok(out)
}

/// Tables by name, serialised as one JSON object.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Tables(pub Vec<(&'static str, Table)>);

impl Serialize for Tables {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (name, t) in &self.0 {
            m.serialize_entry(name, t)?;
        }
        m.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn rows_to_columns() {
        let rows = vec![
            json!({"partner": "P1", "response_time": {"count": 1, "median": 5.0}}),
            json!({"partner": null, "response_time": {"count": 0, "median": null}}),
        ];
        let t = Table::of(&rows).unwrap();
        assert_eq!(
            serde_json::to_value(&t).unwrap(),
            json!({
                "partner": ["P1", null],
                "response_time_count": [1, 0],
                "response_time_median": [5.0, null],
            })
        );
    }
}
