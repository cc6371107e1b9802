//! Feedback into routing: measured performance per partner, written into named partner fields
//! so that `rank` and `smoothed()` read measured values instead of figures the host computes.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::ser::SerializeMap;
use serde::{Deserialize, Serialize, Serializer};

use super::report::{AssignmentRow, KpiReport};
use crate::network::Network;
use crate::record::Record;
use crate::report::{codes, ErrorReport};
use crate::schema::Schema;
use crate::value::{Type, Value};

/// A partner's measured performance: its row of the report's assignments and its SLA
/// attainment. Serialised flat: `partner`, then each measure by name (see [`MeasureFields`];
/// counts as integers, 0 without assignments).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Measure {
    /// The partner id.
    pub partner: String,
    /// The partner's row of the report's `assignments` (none: it had no assignment).
    pub assignments: Option<AssignmentRow>,
    /// SLA attainment over every policy: met / (met + breached).
    pub sla_attainment: Option<f64>,
}

/// What kind of number a measure is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Count,
    Rate,
    Duration,
}

/// The measures by name, with their kind.
const MEASURES: [(&str, Kind); 13] = [
    ("leads_received", Kind::Count),
    ("accepted", Kind::Count),
    ("rejected", Kind::Count),
    ("lapsed", Kind::Count),
    ("pending", Kind::Count),
    ("acceptance_rate", Kind::Rate),
    ("converted", Kind::Count),
    ("conversion_rate", Kind::Rate),
    ("median_response_time", Kind::Duration),
    ("mean_response_time", Kind::Duration),
    ("p90_response_time", Kind::Duration),
    ("median_first_contact", Kind::Duration),
    ("sla_attainment", Kind::Rate),
];

impl Measure {
    /// A measure by name (see [`MeasureFields`]) as a number: counts exact (0 without
    /// assignments), durations in ms; `None` when null or not a measure.
    pub fn get(&self, name: &str) -> Option<f64> {
        let r = self.assignments.as_ref();
        let count = |f: fn(&AssignmentRow) -> u64| Some(r.map_or(0, f) as f64);
        match name {
            "leads_received" => count(|r| r.assignments),
            "accepted" => count(|r| r.accepted),
            "rejected" => count(|r| r.rejected),
            "lapsed" => count(|r| r.lapsed),
            "pending" => count(|r| r.pending),
            "converted" => count(|r| r.converted),
            "acceptance_rate" => r?.acceptance_rate,
            "conversion_rate" => r?.conversion_rate,
            "median_response_time" => r?.response_time.median,
            "mean_response_time" => r?.response_time.mean,
            "p90_response_time" => r?.response_time.p90.map(|x| x as f64),
            "median_first_contact" => r?.first_contact.median,
            "sla_attainment" => self.sla_attainment,
            _ => None,
        }
    }
}

impl Serialize for Measure {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(MEASURES.len() + 1))?;
        m.serialize_entry("partner", &self.partner)?;
        for (name, kind) in MEASURES {
            let x = self.get(name);
            match kind {
                Kind::Count => m.serialize_entry(name, &(x.unwrap_or(0.0) as u64))?,
                _ if name == "p90_response_time" => {
                    m.serialize_entry(name, &x.map(|v| v as i64))?
                }
                _ => m.serialize_entry(name, &x)?,
            }
        }
        m.end()
    }
}

/// Per partner measures from a report grouped by partner only (`by: ["partner"]`); the `null`
/// partner group is left out. Ordered by partner id.
///
/// # Errors
/// A request error when the report is grouped by anything but the partner.
pub fn measures(report: &KpiReport) -> Result<Vec<Measure>, ErrorReport> {
    let by = report.by;
    if !by.partner || by.region.is_some() || by.product_line || by.period.is_some() {
        return Err(ErrorReport::request(
            format!("measures need a report grouped by partner only, not by `{by}`"),
            "compute the report with `by: [\"partner\"]`",
        ));
    }
    let mut out: BTreeMap<String, Measure> = BTreeMap::new();
    for r in &report.assignments {
        let Some(p) = &r.key.partner else { continue };
        out.insert(
            p.clone(),
            Measure {
                partner: p.clone(),
                assignments: Some(r.clone()),
                sla_attainment: None,
            },
        );
    }
    let mut sla: BTreeMap<&str, (u64, u64)> = BTreeMap::new();
    for r in &report.sla {
        let Some(p) = &r.key.partner else { continue };
        let e = sla.entry(p).or_default();
        e.0 += r.met;
        e.1 += r.breached;
    }
    for (p, (met, breached)) in sla {
        let m = out.entry(p.to_string()).or_insert_with(|| Measure {
            partner: p.to_string(),
            ..Measure::default()
        });
        m.sla_attainment = super::stats::rate(met, met + breached);
    }
    Ok(out.into_values().collect())
}

/// Which measure goes into which partner field: measure name -> field name, e.g.
/// `{"acceptance_rate": "acceptance_rate", "leads_received": "leads_received",
/// "median_response_time": "response_ms"}`.
///
/// Measures: `leads_received`, `accepted`, `rejected`, `lapsed`, `pending`, `converted`
/// (counts: `int`, `number` or `decimal` fields), `acceptance_rate`, `conversion_rate`,
/// `sla_attainment` (rates: `ratio`, `number` or `decimal`), `median_response_time`,
/// `mean_response_time`, `p90_response_time`, `median_first_contact` (ms: `duration`, `int`,
/// `number` or `decimal`; rounded to whole ms for `duration` and `int`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct MeasureFields(pub BTreeMap<String, String>);

impl MeasureFields {
    /// The usual mapping, for the fields of that name `schema` has: `acceptance_rate`,
    /// `conversion_rate`, `leads_received`, `sla_attainment` (each into the field of the same
    /// name).
    pub fn usual(schema: &Schema) -> MeasureFields {
        MeasureFields(
            [
                "acceptance_rate",
                "conversion_rate",
                "leads_received",
                "sla_attainment",
            ]
            .into_iter()
            .filter(|m| schema.index_of(m).is_some())
            .map(|m| (m.to_string(), m.to_string()))
            .collect(),
        )
    }

    /// Checks the mapping against `schema`: (field index, measure name, kind) per entry.
    fn resolve(&self, schema: &Schema) -> Result<Vec<(usize, &str, Kind)>, ErrorReport> {
        let mut out = Vec::new();
        for (measure, field) in &self.0 {
            let Some(&(name, kind)) = MEASURES.iter().find(|(n, _)| n == measure) else {
                let names: Vec<&str> = MEASURES.iter().map(|(n, _)| *n).collect();
                return Err(ErrorReport::request(
                    format!("unknown measure `{measure}`"),
                    format!("measures are {}", names.join(", ")),
                )
                .with_field(measure.clone()));
            };
            let Some(i) = schema.index_of(field) else {
                return Err(ErrorReport::error(
                    codes::TYPE_UNKNOWN_FIELD,
                    format!("the partner schema has no field `{field}` for measure `{measure}`"),
                )
                .with_help(
                    "declare the field in `schema partner`, or map the measure to one it has",
                )
                .with_field(field.clone()));
            };
            let ty = schema.field(i).map(|f| &f.ty);
            let fits = matches!(
                (kind, ty),
                (_, Some(Type::Float | Type::Decimal))
                    | (Kind::Count, Some(Type::Int))
                    | (Kind::Rate, Some(Type::Ratio))
                    | (Kind::Duration, Some(Type::Int | Type::Duration))
            );
            if !fits {
                let want = match kind {
                    Kind::Count => "an `int`, `number` or `decimal`",
                    Kind::Rate => "a `ratio`, `number` or `decimal`",
                    Kind::Duration => "a `duration`, `int`, `number` or `decimal`",
                };
                let shown = ty.map(ToString::to_string).unwrap_or_default();
                return Err(ErrorReport::error(
                    codes::TYPE_MISMATCH,
                    format!("measure `{measure}` needs {want} field, but `{field}` is `{shown}`"),
                )
                .with_help("map the measure to a field of a fitting type")
                .with_field(field.clone()));
            }
            out.push((usize::from(i), name, kind));
        }
        Ok(out)
    }
}

/// The value of a measure for a field of type `ty` (the mapping is checked).
fn value_for(ty: &Type, x: f64) -> Value {
    match ty {
        Type::Int => Value::Int(x.round() as i64),
        Type::Duration => Value::Duration(x.round() as i64),
        Type::Ratio => Value::Float(x.clamp(0.0, 1.0)),
        Type::Decimal => Decimal::from_f64_retain(x).map_or(Value::Null, Value::Decimal),
        _ => Value::Float(x),
    }
}

fn write(
    schema: &Schema,
    record: &Record,
    measure: Option<&Measure>,
    fields: &[(usize, &str, Kind)],
) -> Record {
    let mut out = record.clone();
    let none = Measure::default();
    let m = measure.unwrap_or(&none);
    for &(i, name, _) in fields {
        let Some(field) = schema.fields.get(i) else {
            continue;
        };
        let value = match m.get(name) {
            Some(x) => value_for(&field.ty, x),
            None => Value::Null,
        };
        // a null measure (no assignment yet) clears an optional field, keeps a required one
        if value.is_null() && !field.optional {
            continue;
        }
        if let Some(slot) = out.values.get_mut(i) {
            *slot = value;
        }
    }
    out
}

/// A partner record with its measure written into the mapped fields (a partner without a
/// measure has counts 0 and null rates and times); a null value clears an optional field and
/// leaves a required one as it was. For hosts (and the CLI) that keep partner records.
///
/// # Errors
/// A report naming the field for an unknown measure, a field the schema lacks, or a field of a
/// type the measure does not fit.
pub fn apply_to_record(
    schema: &Schema,
    record: &Record,
    measure: Option<&Measure>,
    fields: &MeasureFields,
) -> Result<Record, ErrorReport> {
    let resolved = fields.resolve(schema)?;
    Ok(write(schema, record, measure, &resolved))
}

/// Writes measures into every partner of `network` (see [`apply_to_record`]); partners whose
/// record changes get a new version. Measures of partners the network does not hold are
/// ignored. Returns how many partners changed.
///
/// # Errors
/// As [`apply_to_record`], before anything is written.
pub fn apply_measures(
    network: &mut Network,
    measures: &[Measure],
    fields: &MeasureFields,
) -> Result<usize, ErrorReport> {
    let schema = network.schema().clone();
    let resolved = fields.resolve(&schema)?;
    let by_id: BTreeMap<&str, &Measure> =
        measures.iter().map(|m| (m.partner.as_str(), m)).collect();
    let ids: Vec<String> = network.ids().map(str::to_string).collect();
    let mut changed = 0;
    for id in ids {
        let Some(record) = network.partner(&id) else {
            continue;
        };
        let updated = write(&schema, record, by_id.get(id.as_str()).copied(), &resolved);
        if &updated != record {
            network.update_partner(updated).map_err(ErrorReport::from)?;
            changed += 1;
        }
    }
    Ok(changed)
}
