//! The KPI, forecast and feedback calls of a host (the Python and Node bindings): timelines as
//! JSON, `now`, and one options object, read here once so that both bindings take the same
//! options under the same names (snake_case, or camelCase for JavaScript), answer in the same
//! forms and write measures into a network the same way.
//!
//! Options (all optional): `leads`, `engagement`, `partners`, `by`, `tz`, `untouched_after`
//! (`untouchedAfter`), `fields`, `joined_field` (`joinedField`), `partner_calendars`
//! (`partnerCalendars`), `threads`, `format`, the forecast's `m`, `draws`, `seed`, `detail`
//! (or them in `forecast`), and for the feedback `measure_fields` (`measureFields`), as in
//! [`super::request::KpiRequest`]. A name not among them fails the call.
//!
//! ```
//! use leadrail_core::kpi::host::KpiCall;
//! use serde_json::json;
//!
//! let t = json!({"lead": "L1", "events": [
//!     {"at": 0, "event": "assigned", "partner": "P1"},
//!     {"at": 3_600_000, "event": "accepted", "partner": "P1"}]});
//! let call = KpiCall::from_call(vec![t], 7_200_000, json!({"by": ["partner"], "draws": 10000}))?;
//! let answer = call.kpi(None)?;
//! let rows = answer.rows()?;
//! assert_eq!(rows["assignments"][0]["acceptance_rate"], json!(1.0));
//! assert_eq!(answer.columns()?["assignments"]["partner"], json!(["P1"]));
//! let e = KpiCall::from_call(vec![], 0, json!({"untouched": "7d"})).unwrap_err();
//! assert_eq!(e.message, "unknown option `untouched`");
//! # Ok::<(), leadrail_core::ErrorReport>(())
//! ```

use serde_json::{Map, Value as Json};

use super::columns::{forecast_columns, report_columns, Tables};
use super::request::{self, Format, KpiRequest};
use super::{Forecast, GroupBy, KpiReport, Measure, MeasureFields};
use crate::network::Network;
use crate::plan::Plan;
use crate::report::ErrorReport;
use crate::sla::SlaSet;
use crate::value::EpochMs;

/// The request's options: (name, camelCase name).
const OPTIONS: [(&str, &str); 12] = [
    ("leads", "leads"),
    ("engagement", "engagement"),
    ("partners", "partners"),
    ("by", "by"),
    ("tz", "tz"),
    ("untouched_after", "untouchedAfter"),
    ("fields", "fields"),
    ("joined_field", "joinedField"),
    ("partner_calendars", "partnerCalendars"),
    ("threads", "threads"),
    ("format", "format"),
    ("forecast", "forecast"),
];

/// The forecast's options, also taken at the top level.
const FORECAST_OPTIONS: [&str; 4] = ["m", "draws", "seed", "detail"];

const HELP: &str = "options are leads, engagement, partners, by, tz, untouched_after, fields, \
                    joined_field, partner_calendars, threads, format, m, draws, seed, detail \
                    and measure_fields (or their camelCase names)";

/// A host's KPI, forecast or feedback call, read.
#[derive(Debug, Clone, PartialEq)]
pub struct KpiCall {
    /// The request (timelines, inputs, options).
    pub request: KpiRequest,
    /// Which measure goes into which partner field, for the feedback (default: the usual ones
    /// the partner schema has, [`MeasureFields::usual`]).
    pub measure_fields: Option<MeasureFields>,
}

/// The answer of a KPI or forecast call.
#[derive(Debug, Clone, PartialEq)]
pub enum KpiAnswer {
    /// The KPIs.
    Report(KpiReport),
    /// The forecast.
    Forecast(Forecast),
}

fn json_error(e: serde_json::Error) -> ErrorReport {
    ErrorReport::request(
        format!("cannot serialise the answer: {e}"),
        "report this as a bug",
    )
}

impl KpiAnswer {
    /// The answer in rows: core's serde form of the [`KpiReport`] or [`Forecast`].
    ///
    /// # Errors
    /// Not expected (a value without a JSON form).
    pub fn rows(&self) -> Result<Json, ErrorReport> {
        match self {
            KpiAnswer::Report(r) => serde_json::to_value(r),
            KpiAnswer::Forecast(f) => serde_json::to_value(f),
        }
        .map_err(json_error)
    }

    /// The answer's tables as columns (see [`super::columns`]).
    ///
    /// # Errors
    /// As [`KpiAnswer::rows`].
    pub fn columns(&self) -> Result<Json, ErrorReport> {
        let tables = match self {
            KpiAnswer::Report(r) => report_columns(r),
            KpiAnswer::Forecast(f) => forecast_columns(f),
        };
        tables
            .and_then(|t| serde_json::to_value(Tables(t)))
            .map_err(json_error)
    }

    /// The answer in the form the call asked for (`format`: rows or columns).
    ///
    /// # Errors
    /// As [`KpiAnswer::rows`].
    pub fn to_json(&self, format: Format) -> Result<Json, ErrorReport> {
        match format {
            Format::Rows => self.rows(),
            Format::Columns => self.columns(),
        }
    }

    /// The measures of a report grouped by partner only ([`super::measures`]).
    ///
    /// # Errors
    /// A request error for a forecast or a report grouped otherwise.
    pub fn measures(&self) -> Result<Vec<Measure>, ErrorReport> {
        match self {
            KpiAnswer::Report(r) => super::measures(r),
            KpiAnswer::Forecast(_) => Err(ErrorReport::request(
                "a forecast has no measures",
                "compute the KPIs grouped by partner",
            )),
        }
    }
}

/// The first of `reports` (an SLA set that does not build).
fn first(reports: Vec<ErrorReport>) -> ErrorReport {
    reports
        .into_iter()
        .next()
        .unwrap_or_else(|| ErrorReport::request("the SLAs do not build", "report this as a bug"))
}

impl KpiCall {
    /// The call of a host: `timelines` as JSON, `now`, and the options object as JSON (null:
    /// none).
    ///
    /// # Errors
    /// A request error naming an unknown or invalid option.
    pub fn from_call(
        timelines: Vec<Json>,
        now: EpochMs,
        options: Json,
    ) -> Result<KpiCall, ErrorReport> {
        let options = match options {
            Json::Null => Map::new(),
            Json::Object(m) => m,
            _ => return Err(ErrorReport::request("the options must be an object", HELP)),
        };
        let mut req = Map::new();
        let mut forecast = Map::new();
        let mut measure_fields = None;
        for (k, v) in options {
            if v.is_null() {
                continue;
            }
            if let Some((name, _)) = OPTIONS.iter().find(|(s, c)| *s == k || *c == k) {
                match (*name, v) {
                    ("forecast", Json::Object(m)) => forecast.extend(m),
                    ("forecast", _) => {
                        return Err(ErrorReport::request(
                            "option `forecast` must be an object",
                            "pass `{\"m\": 10, \"draws\": 10000, \"seed\": 0, \"detail\": false}`",
                        )
                        .with_field("forecast"))
                    }
                    (name, v) => {
                        req.insert(name.to_string(), v);
                    }
                }
            } else if FORECAST_OPTIONS.contains(&k.as_str()) {
                forecast.insert(k, v);
            } else if k == "measure_fields" || k == "measureFields" {
                measure_fields = Some(serde_json::from_value(v).map_err(|e| {
                    ErrorReport::request(
                        format!("option `{k}` is not valid: {e}"),
                        "map measure names to partner fields, e.g. `{\"acceptance_rate\": \"acceptance_rate\"}`",
                    )
                    .with_field(k.clone())
                })?);
            } else {
                return Err(
                    ErrorReport::request(format!("unknown option `{k}`"), HELP).with_field(k)
                );
            }
        }
        if !forecast.is_empty() {
            req.insert("forecast".into(), Json::Object(forecast));
        }
        req.insert("timelines".into(), Json::Array(timelines));
        req.insert("now".into(), Json::from(now));
        let request = serde_json::from_value(Json::Object(req))
            .map_err(|e| ErrorReport::request(format!("the options are not valid: {e}"), HELP))?;
        Ok(KpiCall {
            request,
            measure_fields,
        })
    }

    /// The KPIs, with the ruleset's SLAs (if any).
    ///
    /// # Errors
    /// The first bad input, naming the record and the field.
    pub fn kpi(&self, slas: Option<&SlaSet>) -> Result<KpiAnswer, ErrorReport> {
        request::kpi(slas, &self.request).map(KpiAnswer::Report)
    }

    /// The forecast.
    ///
    /// # Errors
    /// As [`KpiCall::kpi`].
    pub fn forecast(&self) -> Result<KpiAnswer, ErrorReport> {
        request::forecast(&self.request).map(KpiAnswer::Forecast)
    }

    /// Feedback into routing: the KPIs by partner (the call's `by` must be empty or the
    /// partner only) with the SLAs of `plan`, their measures written into `network`'s partners
    /// through `measure_fields` ([`super::apply_measures`]). Returns the measures, by partner
    /// id.
    ///
    /// # Errors
    /// As [`KpiCall::kpi`], and a report naming the field for a mapping the partner schema
    /// does not fit (before anything is written).
    pub fn feed_back(
        &self,
        plan: &Plan,
        network: &mut Network,
    ) -> Result<Vec<Measure>, ErrorReport> {
        let slas = crate::api::sla_set(plan).map_err(first)?;
        let mut req = self.request.clone();
        if req.by == GroupBy::default() {
            req.by = GroupBy::parse(["partner"])?;
        }
        req.format = Format::Rows;
        let measures = super::measures(&request::kpi(Some(&slas), &req)?)?;
        let fields = match &self.measure_fields {
            Some(f) => f.clone(),
            None => MeasureFields::usual(network.schema()),
        };
        super::apply_measures(network, &measures, &fields)?;
        Ok(measures)
    }
}
