//! A host's call arguments read from their JSON form, with the errors about them written once:
//! an SLA call's `done` and partner calendars, a network's exported state, and the answer of an
//! SLA call on one timeline.

use serde_json::Value as Json;

use super::{
    request_error, DoneJson, InstantJson, PartnerCalendarMap, SlaAnswer, SlaOutcome, SlaRequest,
    SlaResult,
};
use crate::network::NetworkState;
use crate::report::ErrorReport;
use crate::value::EpochMs;

impl SlaRequest {
    /// An SLA call from a host's arguments, each converted to JSON: the timelines (each checked
    /// when it is evaluated), `now`, `done` (the executed action ids, or the previous `cursor`)
    /// and the partner calendars (`{"P1": "us-central"}` or `{"P1": {"calendar":
    /// "us-central"}}`); `None` or null for none.
    ///
    /// ```
    /// use leadrail_core::api::SlaRequest;
    /// use serde_json::json;
    ///
    /// let req = SlaRequest::from_host(vec![], 0, Some(json!(["accept:warn:50"])), None).unwrap();
    /// assert!(req.done.is_some() && req.partner_calendars.0.is_empty());
    /// let e = SlaRequest::from_host(vec![], 0, Some(json!([1, 2])), None).unwrap_err();
    /// assert_eq!(e.message, "`done` must list action ids (text)");
    /// let e = SlaRequest::from_host(vec![], 0, None, Some(json!({"P1": 5}))).unwrap_err();
    /// assert!(e.message.starts_with("`partner_calendars` is not valid: "));
    /// ```
    pub fn from_host(
        timelines: Vec<Json>,
        now: EpochMs,
        done: Option<Json>,
        partner_calendars: Option<Json>,
    ) -> Result<SlaRequest, ErrorReport> {
        let done = match done.filter(|d| !d.is_null()) {
            None => None,
            Some(Json::Array(ids)) => Some(DoneJson::Ids(
                ids.into_iter()
                    .map(|id| match id {
                        Json::String(id) => Ok(id),
                        _ => Err(bad_done("`done` must list action ids (text)")),
                    })
                    .collect::<Result<_, _>>()?,
            )),
            Some(cursor) => Some(DoneJson::Cursor(serde_json::from_value(cursor).map_err(
                |_| bad_done("`done` must list action ids (text) or be the previous `cursor`"),
            )?)),
        };
        let partner_calendars = partner_calendars_of(
            partner_calendars,
            "partner_calendars",
            "pass `{\"P1\": \"us-central\"}` or `{\"P1\": {\"calendar\": \"us-central\"}}`",
        )?;
        Ok(SlaRequest::of_host(timelines, now, done, partner_calendars))
    }

    /// The request of a host's call from its parts.
    pub(crate) fn of_host(
        timelines: Vec<Json>,
        now: EpochMs,
        done: Option<DoneJson>,
        partner_calendars: PartnerCalendarMap,
    ) -> SlaRequest {
        SlaRequest {
            timelines,
            now: InstantJson::Millis(now),
            done,
            partner_calendars,
        }
    }
}

/// A call's partner calendars from their JSON form (`None` or null for none); `name` is how
/// the call names them, `help` how to pass them.
pub(crate) fn partner_calendars_of(
    json: Option<Json>,
    name: &str,
    help: &str,
) -> Result<PartnerCalendarMap, ErrorReport> {
    match json.filter(|p| !p.is_null()) {
        None => Ok(PartnerCalendarMap::default()),
        Some(p) => serde_json::from_value(p)
            .map_err(|e| request_error(format!("`{name}` is not valid: {e}"), help)),
    }
}

fn bad_done(message: &str) -> ErrorReport {
    request_error(
        message.to_owned(),
        "pass the `id`s of the due actions executed, or the previous `cursor`",
    )
}

impl SlaAnswer {
    /// The result of a call on one timeline: its evaluation, or why it could not be evaluated.
    pub fn single(self) -> Result<SlaOutcome, ErrorReport> {
        match self.results.into_iter().next() {
            Some(SlaResult::Ok(o)) => Ok(o),
            Some(SlaResult::Error(e)) => Err(e),
            None => Err(request_error("no result".into(), "report this as a bug")),
        }
    }
}

/// A network's state as [`Network::export_state`](crate::network::Network::export_state)
/// exports it, from its JSON form.
///
/// ```
/// use leadrail_core::api::network_state;
/// use serde_json::json;
///
/// assert_eq!(network_state(json!({"seq": 3, "partners": []})).unwrap().seq, 3);
/// let e = network_state(json!({"seq": "x"})).unwrap_err();
/// assert!(e.message.starts_with("the state is not valid: "));
/// ```
pub fn network_state(value: Json) -> Result<NetworkState, ErrorReport> {
    serde_json::from_value(value).map_err(|e| {
        request_error(
            format!("the state is not valid: {e}"),
            "pass what `state()` returned",
        )
    })
}
