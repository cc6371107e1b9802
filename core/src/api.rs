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
//!
//! SLAs: [`evaluate_sla`] over a plan's [`sla_set`] takes an [`SlaRequest`]
//! (`{"timelines": [...], "now": ..., "done": [ids] | cursor, "partner_calendars": {...}}`) and
//! answers `{"results": [{"ok": <Evaluation + reroute>} | {"error": <ErrorReport>}, ...]}`.

#![expect(
    clippy::result_large_err,
    reason = "the facade's errors are the language-neutral ErrorReport by design"
)]

mod host_args;

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::host::{Host, Instants, Rows};
use crate::network::{Network, NetworkState};
use crate::plan::Plan;
use crate::record::Record;
use crate::report::{codes, ErrorReport};
use crate::route::{Engine, RouteOptions};
use crate::sla::{reroute_plan, Done, Evaluation, PartnerCalendars, ReroutePlan, SlaSet};
use crate::timeline::{Event, EventKind, Timeline};
use crate::value::EpochMs;
pub use host_args::network_state;
pub(crate) use host_args::partner_calendars_of;

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
    pub fn millis(&self) -> Result<EpochMs, ErrorReport> {
        match self {
            InstantJson::Millis(t) => Ok(*t),
            InstantJson::Text(s) => crate::host::instant_text(s),
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

impl NowJson {
    /// The instants, each in milliseconds.
    pub fn instants(&self) -> Result<Instants, ErrorReport> {
        Ok(match self {
            NowJson::One(t) => Instants::One(t.millis()?),
            NowJson::Each(ts) => Instants::PerLead(
                ts.iter()
                    .map(InstantJson::millis)
                    .collect::<Result<_, _>>()?,
            ),
        })
    }
}

fn yes() -> bool {
    true
}

/// A route call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RouteRequest {
    /// Leads as JSON objects (a key repeated in one is an error).
    #[serde(deserialize_with = "crate::json::leads")]
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

pub use crate::host::RouteResult;

/// The answer to a route call: one result per lead, in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RouteAnswer {
    /// The results.
    pub results: Vec<RouteResult>,
}

/// A network load call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NetworkRequest {
    /// Partners as JSON objects (a key repeated in one is an error).
    #[serde(deserialize_with = "crate::json::partners")]
    pub partners: Vec<serde_json::Value>,
}

/// An engine and a network behind a JSON interface.
#[derive(Debug, Clone)]
pub struct Session {
    engine: Arc<Engine>,
    network: Network,
}

/// The deepest nesting of lists and mappings the bindings read from a host value: a record's
/// `territories` list is at depth 1, a state's partner at depth 2. A deeper value, or one that
/// contains itself (`l = []; l.append(l)`), is a data error naming the record and the field,
/// never a stack overflow of the host process.
pub const MAX_HOST_DEPTH: usize = 64;

/// The most items a binding reserves room for before reading them. A length the host claims
/// (a Python `__len__`, the `length` of a sparse JavaScript array) is a hint, never a size:
/// beyond this, vectors grow as the items arrive.
pub const MAX_HOST_RESERVE: usize = 65_536;

/// A request error report.
pub fn request_error(message: String, help: &str) -> ErrorReport {
    ErrorReport::request(message, help)
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
    pub fn new(plan: Arc<Plan>, network_json: &str) -> Result<Session, ErrorReport> {
        let engine = Engine::new(plan).map_err(ErrorReport::from)?;
        let req: NetworkRequest = parse_json(network_json, "network")?;
        let schema = &engine.plan().partner_schema;
        let partners = req
            .partners
            .iter()
            .enumerate()
            .map(|(i, p)| Record::from_json_at(schema, p, i + 1).map_err(ErrorReport::from))
            .collect::<Result<Vec<_>, _>>()?;
        let network = Network::new(schema, partners).map_err(ErrorReport::from)?;
        Ok(Session {
            engine: Arc::new(engine),
            network,
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
        let instants = req.now.instants()?;
        instants.check(req.leads.len())?;
        let schema = &self.engine.plan().lead_schema;
        let prepared = Rows::from_json(Host::RUST, schema, &req.leads).prepare(&self.engine);
        let opts = RouteOptions {
            explain: req.explain,
            exclude: req.exclude.clone(),
        };
        let results = if req.apply {
            prepared.route(&self.engine, &mut self.network, &instants, &opts)
        } else {
            prepared.route_unapplied(&self.engine, &self.network, &instants, &opts)
        };
        Ok(RouteAnswer {
            results: results.to_wire(),
        })
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

/// Which due actions the host already executed, in an SLA request: the executed action ids, or
/// the `cursor` of the previous evaluation (an instant).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum DoneJson {
    /// Executed action ids (e.g. `["accept:warn:50"]`).
    Ids(Vec<String>),
    /// The previous evaluation's cursor.
    Cursor(InstantJson),
}

/// A partner's calendars in an SLA request: one calendar name for every field, or a name per
/// partner field (`{"calendar": "us-central"}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum PartnerCalendarJson {
    /// The calendar name, whatever field the SLA reads.
    Name(String),
    /// Field -> calendar name.
    Fields(std::collections::BTreeMap<String, String>),
}

/// Partner id -> its calendar(s), for SLAs on `business partner.<field>`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PartnerCalendarMap(pub std::collections::BTreeMap<String, PartnerCalendarJson>);

impl PartnerCalendars for PartnerCalendarMap {
    fn calendar_name(&self, partner: &str, field: &str) -> Option<&str> {
        match self.0.get(partner)? {
            PartnerCalendarJson::Name(n) => Some(n),
            PartnerCalendarJson::Fields(f) => f.get(field).map(String::as_str),
        }
    }
}

/// An SLA evaluation call:
/// `{"timelines": [{"lead": "L1", "events": [{"at": INSTANT, "event": "assigned", "partner":
/// "P1"}, ...]}, ...], "now": INSTANT, "done": ["accept:warn:50"] | INSTANT,
/// "partner_calendars": {"P1": "us-central"}}`. Event instants are milliseconds or RFC 3339.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SlaRequest {
    /// Lead timelines as JSON objects (each is checked on its own; a key repeated in one is an
    /// error).
    #[serde(deserialize_with = "crate::json::timelines")]
    pub timelines: Vec<serde_json::Value>,
    /// The evaluation instant.
    pub now: InstantJson,
    /// Actions already executed (default: none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub done: Option<DoneJson>,
    /// Partner calendars (default: none).
    #[serde(default)]
    pub partner_calendars: PartnerCalendarMap,
}

/// One timeline's evaluation and, when a re-route action is due, the re-route to perform.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SlaOutcome {
    /// The evaluation.
    #[serde(flatten)]
    pub evaluation: Evaluation,
    /// The re-route to perform ([`reroute_plan`]), if a re-route action is due.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reroute: Option<ReroutePlan>,
}

/// One result of an SLA call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SlaResult {
    /// The timeline's evaluation.
    Ok(SlaOutcome),
    /// Why the timeline could not be evaluated (names the lead and the event).
    Error(ErrorReport),
}

/// The answer to an SLA call: one result per timeline, in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SlaAnswer {
    /// The results.
    pub results: Vec<SlaResult>,
}

/// The SLA set of a plan (its `sla` and `calendar` declarations); every problem as a report.
pub fn sla_set(plan: &Plan) -> Result<SlaSet, Vec<ErrorReport>> {
    SlaSet::from_specs(plan.slas.clone(), &plan.calendars)
        .map_err(|errors| errors.iter().map(ErrorReport::from).collect())
}

fn timeline_field_error(code: &str, lead: &str, field: String, message: String) -> ErrorReport {
    ErrorReport::error(code, message)
        .with_help(
            "a timeline is `{\"lead\": \"L1\", \"events\": [{\"at\": \"2026-11-24T09:00:00Z\", \"event\": \"assigned\", \"partner\": \"P1\"}]}`",
        )
        .with_record(lead)
        .with_field(field)
}

/// A [`Timeline`] from its JSON form; `at` may be milliseconds or an RFC 3339 string. Shape
/// errors name the lead (`record`) and the event (`field`, e.g. `events[2].at`); the order and
/// assignment rules are checked by the evaluation ([`Timeline::validate`]).
pub fn timeline_from_json(value: &serde_json::Value) -> Result<Timeline, ErrorReport> {
    use serde_json::Value as J;
    let Some(obj) = value.as_object() else {
        return Err(request_error(
            "a timeline must be an object `{\"lead\", \"events\"}`".into(),
            "pass each timeline as `{\"lead\": \"L1\", \"events\": [...]}`",
        ));
    };
    let lead = match obj.get("lead") {
        Some(J::String(s)) => s.clone(),
        Some(other) => {
            return Err(timeline_field_error(
                codes::DATA_INVALID_FIELD,
                "",
                "lead".into(),
                format!("a timeline's `lead` must be text, not `{other}`"),
            ))
        }
        None => {
            return Err(timeline_field_error(
                codes::DATA_MISSING_FIELD,
                "",
                "lead".into(),
                "a timeline needs a text `lead`".into(),
            ))
        }
    };
    let events = match obj.get("events") {
        Some(J::Array(a)) => a,
        Some(_) => {
            return Err(timeline_field_error(
                codes::DATA_INVALID_FIELD,
                &lead,
                "events".into(),
                format!("lead `{lead}`: `events` must be a list"),
            ))
        }
        None => {
            return Err(timeline_field_error(
                codes::DATA_MISSING_FIELD,
                &lead,
                "events".into(),
                format!("lead `{lead}`: the timeline has no `events`"),
            ))
        }
    };
    let mut out = Vec::with_capacity(events.len());
    for (i, ev) in events.iter().enumerate() {
        let invalid = |field: &str, message: String| {
            timeline_field_error(
                codes::DATA_INVALID_FIELD,
                &lead,
                format!("events[{i}]{field}"),
                message,
            )
        };
        let missing = |field: &str, message: String| {
            timeline_field_error(
                codes::DATA_MISSING_FIELD,
                &lead,
                format!("events[{i}].{field}"),
                message,
            )
        };
        let Some(map) = ev.as_object() else {
            return Err(invalid(
                "",
                format!("lead `{lead}`: event {i} must be an object, not `{ev}`"),
            ));
        };
        let at = match map.get("at") {
            Some(J::Number(n)) => n.as_i64().ok_or_else(|| {
                invalid(
                    ".at",
                    format!("lead `{lead}`: event {i}: `at` `{n}` is not whole milliseconds"),
                )
            })?,
            Some(J::String(s)) => InstantJson::Text(s.clone()).millis().map_err(|_| {
                invalid(
                    ".at",
                    format!("lead `{lead}`: event {i}: `at` `{s}` is not an RFC 3339 instant"),
                )
            })?,
            Some(other) => {
                return Err(invalid(
                    ".at",
                    format!("lead `{lead}`: event {i}: `at` must be an instant, not `{other}`"),
                ))
            }
            None => {
                return Err(missing(
                    "at",
                    format!("lead `{lead}`: event {i} has no `at`"),
                ))
            }
        };
        match map.get("event") {
            Some(J::String(kind)) => {
                if kind.parse::<EventKind>().is_err() {
                    return Err(invalid(
                        ".event",
                        format!("lead `{lead}`: event {i}: unknown event `{kind}`"),
                    ));
                }
            }
            Some(other) => {
                return Err(invalid(
                    ".event",
                    format!("lead `{lead}`: event {i}: `event` must be text, not `{other}`"),
                ))
            }
            None => {
                return Err(missing(
                    "event",
                    format!("lead `{lead}`: event {i} has no `event`"),
                ))
            }
        }
        // the details are text: name the field that is not
        for key in ["partner", "reason", "stage", "status", "reseller"] {
            match map.get(key) {
                None | Some(J::String(_)) | Some(J::Null) => {}
                Some(other) => {
                    return Err(invalid(
                        &format!(".{key}"),
                        format!("lead `{lead}`: event {i}: `{key}` must be text, not `{other}`"),
                    ))
                }
            }
        }
        let mut fixed = map.clone();
        fixed.insert("at".into(), J::from(at));
        let event: Event = serde_json::from_value(J::Object(fixed)).map_err(|e| {
            let text = e.to_string();
            // serde names a missing field as "missing field `partner`"
            match text
                .strip_prefix("missing field `")
                .and_then(|r| r.split('`').next())
            {
                Some(field) => missing(
                    field,
                    format!(
                        "lead `{lead}`: event {i} (`{}`) has no `{field}`",
                        kind_of(map)
                    ),
                ),
                None => invalid("", format!("lead `{lead}`: event {i}: {text}")),
            }
        })?;
        out.push(event);
    }
    Ok(Timeline::new(lead, out))
}

/// The `event` of an event object, for messages.
fn kind_of(map: &serde_json::Map<String, serde_json::Value>) -> &str {
    map.get("event").and_then(|e| e.as_str()).unwrap_or("?")
}

impl SlaRequest {
    fn done(&self) -> Result<Done, ErrorReport> {
        Ok(match &self.done {
            None => Done::Nothing,
            Some(DoneJson::Ids(ids)) => Done::Ids(ids.iter().cloned().collect()),
            Some(DoneJson::Cursor(t)) => Done::Cursor(t.millis()?),
        })
    }
}

/// Evaluates every timeline of a request (see [`SlaSet::evaluate_with`]); a malformed or
/// invalid timeline gets its own error, the others are evaluated. Fails as a whole only if
/// `now` or `done` is malformed.
pub fn evaluate_sla(set: &SlaSet, req: &SlaRequest) -> Result<SlaAnswer, ErrorReport> {
    let now = req.now.millis()?;
    let done = req.done()?;
    let results = req
        .timelines
        .iter()
        .map(|t| {
            let timeline = match timeline_from_json(t) {
                Ok(t) => t,
                Err(e) => return SlaResult::Error(e),
            };
            match set.evaluate_with(&timeline, now, &done, &req.partner_calendars) {
                Ok(evaluation) => {
                    let reroute = reroute_plan(set, &timeline, &evaluation);
                    SlaResult::Ok(SlaOutcome {
                        evaluation,
                        reroute,
                    })
                }
                Err(e) => SlaResult::Error(ErrorReport::from(&e)),
            }
        })
        .collect();
    Ok(SlaAnswer { results })
}

/// [`evaluate_sla`] over JSON: an [`SlaRequest`] in, an [`SlaAnswer`] out, or `{"error": ...}`
/// if the request itself is malformed.
pub fn evaluate_sla_json(set: &SlaSet, request: &str) -> String {
    match parse_json::<SlaRequest>(request, "sla").and_then(|r| evaluate_sla(set, &r)) {
        Ok(a) => to_json(&a),
        Err(e) => to_json(&SlaResult::Error(e)),
    }
}
