//! The JSON call/answer facade used by the bindings and the conformance vectors.
//!
//! A [`Session`] holds an [`Engine`] and a [`Network`] and takes and returns JSON strings, so
//! bindings only move strings (or `serde_json::Value`s) across their boundary. Answers are
//! canonical JSON: struct fields in declaration order (snake_case), lists in a defined order.
//!
//! Requests:
//! - network: `{"partners": [{"id": "P1", "territories": ["US"], ...}, ...]}`
//! - route: `{"leads": [{...}, ...], "now": "2026-11-24T09:00:00Z" | 1764... | [one per lead],
//!   "explain": false, "exclude": ["P1"], "apply": true}`; with `apply` (the default) leads are
//!   routed in order and each assignment updates the session's partner state.
//!
//! Answer: `{"results": [{"ok": <Decision>} | {"error": <ErrorReport>}, ...]}`.

#![expect(
    clippy::result_large_err,
    reason = "the facade's errors are the language-neutral ErrorReport by design"
)]

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::network::{Network, NetworkState};
use crate::plan::Plan;
use crate::record::Record;
use crate::report::{codes, ErrorReport, Severity};
use crate::route::{Decision, Engine, RouteOptions, Times};
use crate::schema::Schema;
use crate::value::Instant;

/// Parses one JSON record against a schema (swappable, e.g. for `Record::from_json`).
pub type RecordParser = fn(&Schema, &serde_json::Value) -> Result<Record, ErrorReport>;

/// An instant in a request: milliseconds since the epoch or an RFC 3339 string.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum InstantJson {
    /// Milliseconds since 1970-01-01T00:00:00Z.
    Millis(i64),
    /// RFC 3339 with an offset, e.g. `2026-11-24T09:00:00Z`.
    Text(String),
}

impl InstantJson {
    /// The instant in milliseconds.
    pub fn millis(&self) -> Result<Instant, ErrorReport> {
        match self {
            InstantJson::Millis(t) => Ok(*t),
            InstantJson::Text(s) => chrono::DateTime::parse_from_rfc3339(s)
                .map(|t| t.timestamp_millis())
                .map_err(|_| {
                    request_error(
                        format!("`{s}` is not an RFC 3339 instant"),
                        "write instants like `2026-11-24T09:00:00Z` or as milliseconds since the epoch",
                    )
                }),
        }
    }
}

/// `now` in a route request: one instant for all leads, or one per lead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum NowJson {
    /// The same instant for every lead.
    One(InstantJson),
    /// One instant per lead.
    Each(Vec<InstantJson>),
}

fn yes() -> bool {
    true
}

/// A route call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RouteRequest {
    /// Leads as JSON objects.
    pub leads: Vec<serde_json::Value>,
    /// The routing instant(s).
    pub now: NowJson,
    /// Return explanations.
    #[serde(default)]
    pub explain: bool,
    /// Partner ids that are never candidates.
    #[serde(default)]
    pub exclude: Vec<String>,
    /// Apply each assignment to the session's state (default `true`).
    #[serde(default = "yes")]
    pub apply: bool,
}

/// One result of a route call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RouteResult {
    /// The lead's decision.
    Ok(Decision),
    /// Why the lead could not be routed.
    Error(ErrorReport),
}

/// The answer to a route call: one result per lead, in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RouteAnswer {
    /// The results.
    pub results: Vec<RouteResult>,
}

/// A network load call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NetworkRequest {
    /// Partners as JSON objects.
    pub partners: Vec<serde_json::Value>,
}

/// An engine and a network behind a JSON interface.
#[derive(Debug, Clone)]
pub struct Session {
    engine: Arc<Engine>,
    network: Network,
    parse: RecordParser,
}

/// A request error report.
pub fn request_error(message: String, help: &str) -> ErrorReport {
    ErrorReport {
        code: codes::REQUEST_INVALID.to_string(),
        message,
        help: Some(help.to_string()),
        severity: Severity::Error,
        file: None,
        line: 0,
        column: 0,
        labels: Vec::new(),
        record: None,
        field: None,
    }
}

fn parse_json<T: for<'de> Deserialize<'de>>(text: &str, what: &str) -> Result<T, ErrorReport> {
    serde_json::from_str(text).map_err(|e| {
        request_error(
            format!("the {what} request is not valid: {e}"),
            "see the request shapes in the `api` module docs",
        )
    })
}

fn to_json<T: Serialize>(x: &T) -> String {
    serde_json::to_string(x).unwrap_or_else(|e| {
        format!(
            "{{\"error\":{{\"code\":\"{}\",\"message\":\"cannot serialise the answer: {}\",\"severity\":\"error\",\"line\":0,\"column\":0}}}}",
            codes::REQUEST_INVALID,
            e.to_string().replace('"', "'")
        )
    })
}

impl Session {
    /// A session for a plan with partners from a [`NetworkRequest`] in JSON.
    pub fn new(
        plan: Arc<Plan>,
        network_json: &str,
        parse: RecordParser,
    ) -> Result<Session, ErrorReport> {
        let engine = Engine::new(plan).map_err(ErrorReport::from)?;
        let req: NetworkRequest = parse_json(network_json, "network")?;
        let schema = &engine.plan().partner_schema;
        let partners = req
            .partners
            .iter()
            .map(|p| parse(schema, p))
            .collect::<Result<Vec<_>, _>>()?;
        let network = Network::new(schema, partners).map_err(ErrorReport::from)?;
        Ok(Session {
            engine: Arc::new(engine),
            network,
            parse,
        })
    }

    /// The engine.
    pub fn engine(&self) -> &Arc<Engine> {
        &self.engine
    }

    /// The network.
    pub fn network(&self) -> &Network {
        &self.network
    }

    /// The network, for incremental updates.
    pub fn network_mut(&mut self) -> &mut Network {
        &mut self.network
    }

    /// Routes a [`RouteRequest`] given as JSON; returns a [`RouteAnswer`] as JSON, or an
    /// [`ErrorReport`] as JSON (`{"error": ...}`) if the request itself is malformed.
    pub fn route_json(&mut self, request: &str) -> String {
        match parse_json::<RouteRequest>(request, "route").and_then(|r| self.route(&r)) {
            Ok(a) => to_json(&a),
            Err(e) => to_json(&RouteResult::Error(e)),
        }
    }

    /// Routes a request.
    pub fn route(&mut self, req: &RouteRequest) -> Result<RouteAnswer, ErrorReport> {
        let times: Vec<Instant> = match &req.now {
            NowJson::One(t) => vec![t.millis()?; req.leads.len()],
            NowJson::Each(ts) => {
                if ts.len() != req.leads.len() {
                    return Err(request_error(
                        format!("{} leads but {} instants", req.leads.len(), ts.len()),
                        "give one `now` for all leads or one per lead",
                    ));
                }
                ts.iter()
                    .map(InstantJson::millis)
                    .collect::<Result<_, _>>()?
            }
        };
        let schema = &self.engine.plan().lead_schema;
        let parsed: Vec<Result<Record, ErrorReport>> =
            req.leads.iter().map(|l| (self.parse)(schema, l)).collect();
        let good: Vec<Record> = parsed
            .iter()
            .filter_map(|r| r.as_ref().ok().cloned())
            .collect();
        let good_times: Vec<Instant> = parsed
            .iter()
            .zip(&times)
            .filter(|(r, _)| r.is_ok())
            .map(|(_, t)| *t)
            .collect();
        let opts = RouteOptions {
            explain: req.explain,
            exclude: req.exclude.clone(),
        };
        let each = Times::Each(&good_times);
        let routed = if req.apply {
            self.engine
                .route_batch(&mut self.network, &good, each, &opts)
        } else {
            self.engine.route_many(&self.network, &good, each, &opts)
        };
        let mut routed = routed.into_iter();
        let results = parsed
            .into_iter()
            .map(|r| match r {
                Err(e) => RouteResult::Error(e),
                Ok(_) => match routed.next() {
                    Some(Ok(d)) => RouteResult::Ok(d),
                    Some(Err(e)) => RouteResult::Error(e),
                    None => RouteResult::Error(request_error(
                        "a lead was not routed".into(),
                        "report this as a bug",
                    )),
                },
            })
            .collect();
        Ok(RouteAnswer { results })
    }

    /// The network state as JSON ([`NetworkState`]).
    pub fn state_json(&self) -> String {
        to_json(&self.network.export_state())
    }

    /// Imports network state from JSON.
    pub fn import_state_json(&mut self, json: &str) -> Result<(), ErrorReport> {
        let st: NetworkState = parse_json(json, "state")?;
        self.network.import_state(&st).map_err(ErrorReport::from)
    }
}

/// An interim JSON record parser following `docs/architecture.md` ("Data formats"), used until
/// `Record::from_json` (helper geo) is merged; pass either as the session's [`RecordParser`].
pub fn basic_record_from_json(
    schema: &Schema,
    json: &serde_json::Value,
) -> Result<Record, ErrorReport> {
    use crate::value::Value;
    let data_error =
        |code: &str, record: Option<String>, field: Option<String>, message: String| ErrorReport {
            code: code.to_string(),
            message,
            help: Some("give the value in the form `docs/architecture.md` describes".into()),
            severity: Severity::Error,
            file: None,
            line: 0,
            column: 0,
            labels: Vec::new(),
            record,
            field,
        };
    let obj = json.as_object().ok_or_else(|| {
        data_error(
            codes::DATA_INVALID_RECORD,
            None,
            None,
            "a record must be a JSON object".into(),
        )
    })?;
    let id: Arc<str> = match obj.get("id") {
        Some(serde_json::Value::String(s)) => Arc::from(s.as_str()),
        _ => {
            return Err(data_error(
                codes::DATA_INVALID_RECORD,
                None,
                Some("id".into()),
                "a record needs a text `id`".into(),
            ))
        }
    };
    let mut values = Vec::with_capacity(schema.fields.len());
    for f in &schema.fields {
        let v = match obj.get(&f.name) {
            None | Some(serde_json::Value::Null) => {
                if f.optional {
                    Value::Null
                } else {
                    return Err(data_error(
                        codes::DATA_MISSING_FIELD,
                        Some(id.to_string()),
                        Some(f.name.clone()),
                        format!("record `{id}` lacks the field `{}`", f.name),
                    ));
                }
            }
            Some(j) => json_value(&f.ty, j).ok_or_else(|| {
                data_error(
                    codes::DATA_INVALID_FIELD,
                    Some(id.to_string()),
                    Some(f.name.clone()),
                    format!(
                        "record `{id}`: field `{}` expects {}, found `{j}`",
                        f.name, f.ty
                    ),
                )
            })?,
        };
        values.push(v);
    }
    Ok(Record { id, values })
}

fn region_code(s: &str) -> Option<crate::geo::RegionCode> {
    let s = s.trim();
    let (main, postal) = match s.split_once(':') {
        Some((a, b)) => (a, Some(b.trim().to_string())),
        None => (s, None),
    };
    let country = main.get(..2)?.to_ascii_uppercase();
    if !country.chars().all(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    let subdivision = match main.get(2..) {
        Some("") | None => None,
        Some(rest) if rest.starts_with('-') && rest.len() > 1 => Some(main.to_ascii_uppercase()),
        Some(_) => return None,
    };
    Some(crate::geo::RegionCode {
        country,
        subdivision,
        postal,
    })
}

fn json_value(ty: &crate::value::Type, j: &serde_json::Value) -> Option<crate::value::Value> {
    use crate::geo::{GeoPoint, Territory};
    use crate::value::{Type, Value};
    use serde_json::Value as J;
    Some(match (ty, j) {
        (Type::Text, J::String(s)) => Value::Text(Arc::from(s.as_str())),
        (Type::Int, J::Number(n)) => Value::Int(n.as_i64()?),
        (Type::Decimal, J::Number(n)) => Value::Decimal(n.to_string().parse().ok()?),
        (Type::Decimal, J::String(s)) => Value::Decimal(s.parse().ok()?),
        (Type::Ratio, J::Number(n)) => {
            Value::Float(n.as_f64().filter(|x| (0.0..=1.0).contains(x))?)
        }
        (Type::Ratio, J::String(s)) => {
            Value::Float(s.strip_suffix('%')?.trim().parse::<f64>().ok()? / 100.0)
        }
        (Type::Float, J::Number(n)) => Value::Float(n.as_f64()?),
        (Type::Bool, J::Bool(b)) => Value::Bool(*b),
        (Type::Date, J::String(s)) => {
            Value::Date(chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()?)
        }
        (Type::DateTime, J::String(s)) => Value::DateTime(
            chrono::DateTime::parse_from_rfc3339(s)
                .ok()?
                .timestamp_millis(),
        ),
        (Type::Duration, J::String(s)) => {
            let unit = s.trim_start_matches(|c: char| c.is_ascii_digit());
            let n: i64 = s.get(..s.len() - unit.len())?.parse().ok()?;
            let ms = match unit {
                "ms" => 1,
                "s" => 1_000,
                "m" => 60_000,
                "h" => 3_600_000,
                "d" => 86_400_000,
                _ => return None,
            };
            Value::Duration(n.checked_mul(ms)?)
        }
        (Type::Enum(syms), J::String(s)) if syms.iter().any(|x| x == s) => {
            Value::Enum(Arc::from(s.as_str()))
        }
        (Type::Region, J::String(s)) => {
            let (main, ex) = match s.split_once(" except ") {
                Some((a, b)) => (
                    a,
                    b.split(',').map(region_code).collect::<Option<Vec<_>>>()?,
                ),
                None => (s.as_str(), Vec::new()),
            };
            Value::Region(Arc::new(Territory {
                region: region_code(main)?,
                except: ex,
            }))
        }
        (Type::GeoPoint, J::Object(o)) => Value::GeoPoint(GeoPoint {
            lat: o.get("lat")?.as_f64()?,
            lon: o.get("lon")?.as_f64()?,
        }),
        (Type::GeoPoint, J::Array(a)) => match a.as_slice() {
            [lat, lon] => Value::GeoPoint(GeoPoint {
                lat: lat.as_f64()?,
                lon: lon.as_f64()?,
            }),
            _ => return None,
        },
        (Type::Set(t), J::Array(a)) => {
            let mut items = a
                .iter()
                .map(|x| json_value(t, x))
                .collect::<Option<Vec<_>>>()?;
            items.sort_by(|x, y| format!("{x:?}").cmp(&format!("{y:?}")));
            items.dedup();
            Value::Set(items.into())
        }
        (Type::Map(k, v), J::Object(o)) if **k == Type::Text => {
            let items = o
                .iter()
                .map(|(a, b)| Some((Value::Text(Arc::from(a.as_str())), json_value(v, b)?)))
                .collect::<Option<Vec<_>>>()?;
            Value::Map(items.into())
        }
        _ => return None,
    })
}
