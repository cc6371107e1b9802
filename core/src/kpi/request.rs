//! The JSON call/answer form of KPI and forecast calls, used by the conformance vectors and
//! the bindings (it reads timelines with [`crate::api::timeline_from_json`], so it sits above
//! the `api` facade).
//!
//! Request (one shape for both calls):
//!
//! ```json
//! {"timelines": [{"lead": "L1", "events": [...]}], "leads": [{"id": "L1", "amount": 1000,
//!  "region": "US-TX", "product_line": "pumps"}], "engagement": [{"partner": "P1", "at":
//!  "2026-03-02T09:00:00Z", "kind": "login"}], "partners": [{"id": "P1", "joined_at":
//!  "2025-06-01"}], "now": "2026-04-01T00:00:00Z", "by": ["partner", "month"], "tz":
//!  "Europe/Berlin", "untouched_after": "7d", "fields": {"amount": "deal_size"},
//!  "joined_field": "joined_at", "partner_calendars": {"P1": "us-central"},
//!  "forecast": {"m": 10, "draws": 10000, "seed": 0, "detail": false}, "format": "rows"}
//! ```
//!
//! Everything but `timelines` and `now` is optional. Answer: a [`KpiReport`] or a
//! [`Forecast`] (`"format": "columns"`: their tables as columns, see [`super::columns`]), or
//! `{"error": <ErrorReport>}`: a KPI call fails as a whole on the first bad input.

use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

use super::columns::{forecast_columns, report_columns, Tables};
use super::{
    EngagementEvent, Forecast, ForecastOptions, GroupBy, KpiInput, KpiOptions, KpiReport,
    LeadFields, LeadInfo, PartnerInfo,
};
use crate::api::{timeline_from_json, InstantJson, PartnerCalendarMap};
use crate::report::ErrorReport;
use crate::sla::SlaSet;
use crate::timeline::Timeline;
use crate::value::DurationMs;

/// A duration in a request: milliseconds or text such as `7d`, `36h`, `1h30m`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum DurationJson {
    /// Milliseconds.
    Millis(i64),
    /// Text (`7d`).
    Text(String),
}

impl DurationJson {
    fn millis(&self, field: &str) -> Result<DurationMs, ErrorReport> {
        match self {
            DurationJson::Millis(ms) => Ok(*ms),
            DurationJson::Text(s) => crate::record::parse_duration(s).map_err(|e| {
                ErrorReport::request(
                    format!("`{field}`: {}", e.message()),
                    "write a duration like `7d`, `36h` or `90m`, or milliseconds",
                )
                .with_field(field.to_string())
            }),
        }
    }
}

/// The answer's form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// Typed rows (the default).
    #[default]
    Rows,
    /// Each table as columns.
    Columns,
}

/// `#[serde(deserialize_with)]` for a list of engagement events read strictly.
fn engagement<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<Json>, D::Error> {
    use serde::de::DeserializeSeed;
    crate::json::StrictRecords {
        what: "engagement event",
    }
    .deserialize(d)
}

fn joined_at() -> String {
    "joined_at".into()
}

/// A KPI or forecast call (see the module docs).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KpiRequest {
    /// Lead timelines (a key repeated in one is an error).
    #[serde(deserialize_with = "crate::json::timelines")]
    pub timelines: Vec<Json>,
    /// Lead records.
    #[serde(default, deserialize_with = "crate::json::leads")]
    pub leads: Vec<Json>,
    /// Partner engagement events (a key repeated in one is an error).
    #[serde(default, deserialize_with = "engagement")]
    pub engagement: Vec<Json>,
    /// Partner records.
    #[serde(default, deserialize_with = "crate::json::partners")]
    pub partners: Vec<Json>,
    /// The instant the figures are as of.
    pub now: InstantJson,
    /// The breakdown: a list of dimension names or one comma-separated text.
    #[serde(default)]
    pub by: GroupBy,
    /// The zone of periods (default `UTC`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tz: Option<String>,
    /// Count open leads untouched for this long.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub untouched_after: Option<DurationJson>,
    /// The lead record fields to read.
    #[serde(default)]
    pub fields: LeadFields,
    /// The partner record field with the join date.
    #[serde(default = "joined_at")]
    pub joined_field: String,
    /// Partner calendars (for SLAs on partner calendars).
    #[serde(default)]
    pub partner_calendars: PartnerCalendarMap,
    /// The forecast's options.
    #[serde(default)]
    pub forecast: ForecastOptions,
    /// Threads (default: rayon's pool).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threads: Option<usize>,
    /// The answer's form.
    #[serde(default)]
    pub format: Format,
}

/// A request's inputs, read.
struct Read {
    timelines: Vec<Timeline>,
    leads: Vec<LeadInfo>,
    engagement: Vec<EngagementEvent>,
    partners: Vec<PartnerInfo>,
    now: i64,
    opts: KpiOptions,
}

impl KpiRequest {
    fn read(&self) -> Result<Read, ErrorReport> {
        let timelines = self
            .timelines
            .iter()
            .map(timeline_from_json)
            .collect::<Result<Vec<_>, _>>()?;
        let leads = self
            .leads
            .iter()
            .enumerate()
            .map(|(i, j)| LeadInfo::from_json_at(j, i + 1, &self.fields))
            .collect::<Result<Vec<_>, _>>()?;
        let engagement = self
            .engagement
            .iter()
            .enumerate()
            .map(|(i, j)| EngagementEvent::from_json_at(j, i + 1))
            .collect::<Result<Vec<_>, _>>()?;
        let partners = self
            .partners
            .iter()
            .enumerate()
            .map(|(i, j)| PartnerInfo::from_json_at(j, i + 1, &self.joined_field))
            .collect::<Result<Vec<_>, _>>()?;
        let tz = match &self.tz {
            Some(name) => super::parse_tz(name)?,
            None => chrono_tz::Tz::UTC,
        };
        let untouched_after = self
            .untouched_after
            .as_ref()
            .map(|d| d.millis("untouched_after"))
            .transpose()?;
        Ok(Read {
            timelines,
            leads,
            engagement,
            partners,
            now: self.now.millis()?,
            opts: KpiOptions {
                by: self.by,
                tz,
                untouched_after,
                threads: self.threads,
                forecast: self.forecast.clone(),
            },
        })
    }
}

impl Read {
    fn input<'a>(&'a self, slas: Option<&'a SlaSet>, cals: &'a PartnerCalendarMap) -> KpiInput<'a> {
        let input = KpiInput::new(&self.timelines)
            .with_leads(&self.leads)
            .with_engagement(&self.engagement)
            .with_partners(&self.partners);
        match slas {
            Some(s) => input.with_slas(s, cals),
            None => input,
        }
    }
}

/// Runs a KPI call with the ruleset's SLAs (if any).
///
/// # Errors
/// The first bad input, as an [`ErrorReport`] naming the record and the field.
pub fn kpi(slas: Option<&SlaSet>, req: &KpiRequest) -> Result<KpiReport, ErrorReport> {
    let r = req.read()?;
    super::kpis(&r.input(slas, &req.partner_calendars), r.now, &r.opts)
}

/// Runs a forecast call.
///
/// # Errors
/// As [`kpi`].
pub fn forecast(req: &KpiRequest) -> Result<Forecast, ErrorReport> {
    let r = req.read()?;
    super::forecast(&r.input(None, &req.partner_calendars), r.now, &r.opts)
}

/// The error answer.
#[derive(Serialize)]
struct ErrorAnswer<'a> {
    error: &'a ErrorReport,
}

fn answer<T: Serialize>(
    result: Result<T, ErrorReport>,
    columns: impl FnOnce(&T) -> Result<Tables, serde_json::Error>,
    format: Format,
) -> String {
    let text = match &result {
        Ok(x) => match format {
            Format::Rows => serde_json::to_string(x),
            Format::Columns => columns(x).and_then(|t| serde_json::to_string(&t)),
        },
        Err(e) => serde_json::to_string(&ErrorAnswer { error: e }),
    };
    text.unwrap_or_else(|e| {
        let e = ErrorReport::request(
            format!("cannot serialise the answer: {e}"),
            "report this as a bug",
        );
        serde_json::to_string(&ErrorAnswer { error: &e }).unwrap_or_default()
    })
}

fn parse(text: &str, what: &str) -> Result<KpiRequest, ErrorReport> {
    serde_json::from_str(text).map_err(|e| {
        ErrorReport::request(
            format!("the {what} request is not valid: {e}"),
            "see the request shape in the `kpi::request` module docs",
        )
    })
}

/// [`kpi`] over JSON text: a [`KpiRequest`] in, a [`KpiReport`] (or its columns) or
/// `{"error": ...}` out.
pub fn kpi_json(slas: Option<&SlaSet>, text: &str) -> String {
    let req = parse(text, "kpi");
    let format = req.as_ref().map(|r| r.format).unwrap_or_default();
    answer(
        req.and_then(|r| kpi(slas, &r)),
        |r| report_columns(r).map(Tables),
        format,
    )
}

/// [`forecast`] over JSON text: a [`KpiRequest`] in, a [`Forecast`] (or its columns) or
/// `{"error": ...}` out.
pub fn forecast_json(text: &str) -> String {
    let req = parse(text, "forecast");
    let format = req.as_ref().map(|r| r.format).unwrap_or_default();
    answer(
        req.and_then(|r| forecast(&r)),
        |f| forecast_columns(f).map(Tables),
        format,
    )
}
