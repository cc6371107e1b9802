//! Deal registration: `register(engine, registry, deals, now, { policy, submit })` converts its
//! arguments to core's registration request (`host::register::register_request`) and returns the
//! verdicts in core's serde form (typed as `Verdict` in index.d.ts).

use leadrail_core::host::register::register_request;
use napi::bindgen_prelude::*;
use napi_derive::napi;
use serde_json::{json, Value as Json};

use crate::convert::{instant, json_arg};
use crate::engine::JsEngine;
use crate::errors::raise;

/// Checks each deal against the registry (registrations, CRM accounts, open leads) under the
/// engine's registration policy `options.policy` (default: the first) at `now`; with
/// `options.submit`, submits the deals in order. One verdict per deal; throws an `Error` whose
/// `record` and `field` name the bad record and field.
#[napi(
    ts_args_type = "engine: Engine, registry: Array<Registration>, deals: Array<Registration>, now: Date | number | string, options?: RegisterOptions | null",
    ts_return_type = "Array<Verdict>"
)]
pub fn register(
    env: Env,
    engine: &JsEngine,
    registry: Unknown<'_>,
    deals: Unknown<'_>,
    now: Unknown<'_>,
    options: Option<Unknown<'_>>,
) -> Result<Json> {
    let now = raise(&env, instant(now)?)?;
    let options = match options {
        Some(o) if !matches!(o.get_type()?, ValueType::Undefined | ValueType::Null) => {
            raise(&env, json_arg(o, "options")?)?
        }
        _ => Json::Null,
    };
    let req = json!({
        "registry": raise(&env, json_arg(registry, "registry")?)?,
        "deals": raise(&env, json_arg(deals, "deals")?)?,
        "now": now,
        "policy": options.get("policy"),
        "submit": options.get("submit").filter(|s| !s.is_null()).cloned().unwrap_or(Json::Bool(false)),
    });
    let verdicts = raise(&env, register_request(engine.plan(), &req))?;
    Ok(serde_json::to_value(verdicts).unwrap_or_default())
}
