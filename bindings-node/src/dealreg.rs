//! Deal registration: `register(engine, registry, deals, now, { policy, submit })` converts its
//! arguments to core's registration request (`host::register::register_request`) and returns the
//! verdicts in core's serde form (typed as `Verdict` in index.d.ts); `Registry` holds core's
//! registry for routing leads with lead conflicts (`host::lead_conflict`), results in core's
//! serde form (`LeadRoute`).

use leadrail_core::host::register::register_request;
use leadrail_core::host::{Rows, SharedRegistry};
use napi::bindgen_prelude::*;
use napi_derive::napi;
use serde_json::{json, Value as Json};

use crate::convert::{instant, json_arg, NODE};
use crate::engine::JsEngine;
use crate::errors::raise;
use crate::network::JsNetwork;

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

/// Options of `Registry.route`.
#[napi(object, object_to_js = false)]
#[derive(Default)]
pub struct LeadRouteOptions {
    /// Partner ids that never get the lead.
    #[napi(ts_type = "ReadonlyArray<string>")]
    pub exclude: Option<Vec<String>>,
    /// Record each assignment (the partner holds the lead until `network.release`) and add each
    /// lead given to a partner to the registry as its open lead; default: what if.
    pub assign: Option<bool>,
}

/// Registrations, CRM accounts and open leads held once for routing leads with lead conflicts
/// (core's `host::SharedRegistry`): built once, changed one record at a time, registrations
/// past their protection marked expired with `expire`, read back with `get` and `records`.
#[napi(js_name = "Registry")]
pub struct JsRegistry(SharedRegistry);

#[napi]
impl JsRegistry {
    /// The registry of `records` (built once; its index is not rebuilt per call); throws
    /// naming the bad record and field.
    // (writable and configurable, so that errors.js can wrap it, as `Engine.compile`)
    #[napi(
        factory,
        writable = true,
        configurable = true,
        ts_args_type = "records: ReadonlyArray<Registration>"
    )]
    pub fn from_records(env: Env, records: Unknown<'_>) -> Result<Self> {
        let records = raise(&env, json_arg(records, "registry")?)?;
        Ok(Self(raise(&env, SharedRegistry::from_json(&records))?))
    }

    /// Adds a record, or replaces the one of the same id (then returns true).
    #[napi(ts_args_type = "record: Registration")]
    pub fn add(&self, env: Env, record: Unknown<'_>) -> Result<bool> {
        raise(&env, self.0.add(&raise(&env, json_arg(record, "record")?)?))
    }

    /// Removes the record of `id`; false when there was none.
    #[napi]
    pub fn remove(&self, env: Env, id: String) -> Result<bool> {
        raise(&env, self.0.remove(&id))
    }

    /// Marks expired every approved registration whose protection ended at or before `now`
    /// (`protected_until <= now`); their ids, earliest end first. Throws for a bad `now`.
    #[napi(ts_args_type = "now: InstantLike")]
    pub fn expire(&self, env: Env, now: Unknown<'_>) -> Result<Vec<String>> {
        let now = raise(&env, instant(now)?)?;
        raise(&env, self.0.expire(now))
    }

    /// The record of `id` in the form `add` reads (core's), or null.
    #[napi(ts_return_type = "RegistryRecord | null")]
    pub fn get(&self, env: Env, id: String) -> Result<Option<Json>> {
        raise(&env, self.0.get(&id))
    }

    /// Every record in the form `add` reads, in the order added.
    #[napi(ts_return_type = "Array<RegistryRecord>")]
    pub fn records(&self, env: Env) -> Result<Vec<Json>> {
        raise(&env, self.0.records())
    }

    /// Routes the leads in order at `now`, each checked against the registry and routed as the
    /// engine's `on lead_conflict` says; one `{decision, conflict?}` per lead. A bad lead (or,
    /// with `assign`, one a partner holds or one given twice) throws and changes nothing.
    #[napi(
        ts_args_type = "network: Network, leads: ReadonlyArray<HostRecord>, now: InstantLike, options?: LeadRouteOptions | null",
        ts_return_type = "Array<LeadRoute>"
    )]
    pub fn route(
        &self,
        env: Env,
        network: &JsNetwork,
        leads: Unknown<'_>,
        now: Unknown<'_>,
        options: Option<LeadRouteOptions>,
    ) -> Result<Json> {
        let (o, e, n) = (options.unwrap_or_default(), &network.engine, &network.net);
        let schema = &e.plan().lead_schema;
        let leads = raise(&env, json_arg(leads, "leads")?)?;
        let rows = Rows::from_json(NODE, schema, leads.as_array().map_or(&[], Vec::as_slice));
        let (leads, now) = (rows.records(schema).into_records(), instant(now)?);
        let (leads, now) = (raise(&env, leads)?, raise(&env, now)?);
        let (exclude, assign) = (o.exclude.unwrap_or_default(), o.assign.unwrap_or(false));
        let out = self.0.route(e, n, &leads, now, exclude, assign);
        Ok(serde_json::to_value(raise(&env, out)?).unwrap_or_default())
    }
}
