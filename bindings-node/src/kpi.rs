//! KPIs, the forecast and the feedback into routing (`engine.kpi` and `engine.forecast`
//! through engine.rs's `_timelines`, `network.feedBack`): the arguments converted to JSON and
//! read by core (`leadrail_core::kpi::host`), the answers given as core's serde form (or as
//! columns).

use leadrail_core::host::numbers_as_doubles;
use leadrail_core::kpi::host::{KpiAnswer, KpiCall};
use leadrail_core::report::ErrorReport;
use napi::bindgen_prelude::*;
use napi_derive::napi;
use serde_json::Value as Json;

use crate::engine::{now_and_options, timelines_arg};
use crate::errors::raise;
use crate::network::JsNetwork;

/// The call read from the JavaScript arguments (conversion only; core checks the shapes).
pub(crate) fn call(
    env: &Env,
    timelines: Unknown<'_>,
    now: Unknown<'_>,
    options: Option<Unknown<'_>>,
) -> Result<KpiCall> {
    let list = timelines_arg(env, timelines)?;
    let (now, options) = now_and_options(env, now, options)?;
    raise(env, KpiCall::from_call(list, now, options))
}

/// `json` as JavaScript values, every number a double (napi turns a `u64` into a BigInt).
fn to_js(env: &Env, mut json: Json) -> Result<Unknown<'_>> {
    numbers_as_doubles(&mut json);
    env.to_js_value(&json)
}

/// The answer in the form the call asked for (`format`: rows or columns).
pub(crate) fn answer<'env>(
    env: &'env Env,
    c: &KpiCall,
    a: std::result::Result<KpiAnswer, ErrorReport>,
) -> Result<Unknown<'env>> {
    to_js(
        env,
        raise(env, a.and_then(|a| a.to_json(c.request.format)))?,
    )
}

#[napi]
impl JsNetwork {
    /// Writes each partner's measured performance (the KPIs by partner as of `now`, with the
    /// ruleset's SLAs) into its fields (`measureFields`, default `acceptance_rate`,
    /// `conversion_rate`, `leads_received`, `sla_attainment` where the schema has them);
    /// returns the measures.
    #[napi(
        js_name = "feedBack",
        ts_args_type = "timelines: Array<Timeline>, now: Date | number | string, options?: FeedBackOptions",
        ts_return_type = "Array<Measure>"
    )]
    pub fn feed_back<'env>(
        &self,
        env: &'env Env,
        timelines: Unknown<'_>,
        now: Unknown<'_>,
        options: Option<Unknown<'_>>,
    ) -> Result<Unknown<'env>> {
        let c = call(env, timelines, now, options)?;
        let plan = self.engine.plan();
        let measures = raise(env, self.net.write(|n| c.feed_back(plan, n)))?;
        let json = serde_json::to_value(raise(env, measures)?);
        to_js(env, json.map_err(|e| Error::from_reason(e.to_string()))?)
    }
}
