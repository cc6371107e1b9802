//! `Engine` (a compiled ruleset): a thin wrapper over `leadrail_dsl::compile` and
//! `leadrail_core::route::Engine`, with SLA evaluation and the networks it builds.

use std::sync::Arc;

use leadrail_core::api::{self as api, SlaRequest};
use leadrail_core::host::{columns_in_utf16, hole, not_records, not_timelines, CompileOptions};
use leadrail_core::network::Network;
use leadrail_core::report::ErrorReport;
use leadrail_core::route::Engine;
use leadrail_core::sla::SlaSet;
use napi::bindgen_prelude::*;
use napi::{ScopedTask, ValueType};
use napi_derive::napi;

use crate::convert::{self, element, json_arg, reserve};
use crate::errors::{from_reports, os_error, raise};
use crate::kpi;
use crate::network::JsNetwork;
use crate::wire;

/// A compiled ruleset. Immutable.
#[napi(js_name = "Engine")]
pub struct JsEngine {
    engine: Arc<Engine>,
    pub(crate) sla: Arc<SlaSet>,
    warnings: Vec<ErrorReport>,
}

impl JsEngine {
    /// The compiled plan.
    pub(crate) fn plan(&self) -> &leadrail_core::Plan {
        self.engine.plan()
    }
}

#[napi]
impl JsEngine {
    /// Compiles rule text; throws an `Error` with `code` and every diagnostic in `diagnostics`
    /// (columns in UTF-16 units).
    ///
    /// The second argument is the file name for diagnostics, or options `{ file, files,
    /// baseDir }`. Holiday files (`holidays "path"`) come from `files` (an object of path to
    /// text), then from `baseDir` (relative paths inside it only, regular files of at most
    /// 1 MiB); with neither, rule text reads no file from disk.
    // (writable and configurable, as methods are, so that index.js can wrap it: errors.js)
    #[napi(
        factory,
        writable = true,
        configurable = true,
        ts_args_type = "text: string, file?: string | CompileOptions | undefined | null, files?: Record<string, string> | undefined | null"
    )]
    pub fn compile(
        env: Env,
        text: String,
        file: Option<Unknown<'_>>,
        files: Option<Unknown<'_>>,
    ) -> Result<JsEngine> {
        let arg = |v: Option<Unknown<'_>>| match v {
            Some(v) => raise(&env, json_arg(v, "options")?),
            None => Ok(serde_json::Value::Null),
        };
        let options = raise(&env, CompileOptions::from_call(arg(file)?, arg(files)?))?;
        JsEngine::compile_with(env, &text, options)
    }

    /// Compiles a rule file (its path is the file name in diagnostics); holiday files are read
    /// from its directory, as with `baseDir`.
    #[napi(factory, writable = true, configurable = true)]
    pub fn from_file(env: Env, path: String) -> Result<JsEngine> {
        let text = std::fs::read_to_string(&path).map_err(|e| os_error(&env, &e, &path))?;
        JsEngine::compile_with(env, &text, CompileOptions::for_file(&path))
    }

    /// The warnings of the compilation (reports as plain objects).
    #[napi(getter, ts_return_type = "Array<Diagnostic>")]
    pub fn warnings<'env>(&self, env: &'env Env) -> Result<Unknown<'env>> {
        env.to_js_value(&self.warnings)
    }

    /// The ruleset's name.
    #[napi(getter)]
    pub fn name(&self) -> String {
        self.engine.plan().name.clone()
    }

    /// The ruleset's version.
    #[napi(getter)]
    pub fn version(&self) -> u32 {
        self.engine.plan().version
    }

    /// The content hash of the rule text.
    #[napi(getter)]
    pub fn content_hash(&self) -> String {
        self.engine.plan().content_hash.clone()
    }

    /// The calls over timelines (index.js's `evaluateSla`, `evaluateSlaAsync`, `nextDeadline`,
    /// `kpi` and `forecast`, typed in index.d.ts), their arguments `timelines`, `now` and
    /// `options` read once; `call` names the call.
    #[napi(js_name = "_timelines", skip_typescript)]
    pub fn timelines<'env>(
        &self,
        env: &'env Env,
        call: String,
        timelines: Unknown<'_>,
        now: Unknown<'_>,
        options: Option<Unknown<'_>>,
    ) -> Result<Either<Unknown<'env>, AsyncTask<SlaBatch>>> {
        let answer = match call.as_str() {
            "kpi" => {
                let c = kpi::call(env, timelines, now, options)?;
                kpi::answer(env, &c, c.kpi(Some(&self.sla)))?
            }
            "forecast" => {
                let c = kpi::call(env, timelines, now, options)?;
                kpi::answer(env, &c, c.forecast())?
            }
            "evaluateSlaAsync" => {
                let req = sla_request(env, timelines, now, options, false)?;
                let set = self.sla.clone();
                return Ok(Either::B(AsyncTask::new(SlaBatch { set, req })));
            }
            "nextDeadline" => {
                let mut req = sla_request(env, timelines, now, options, true)?;
                req.done = None;
                let answer = raise(env, api::evaluate_sla(&self.sla, &req))?;
                let outcome = raise(env, answer.into_one())?;
                env.to_js_value(&outcome.evaluation.next_deadline.map(|t| t as f64))?
            }
            "evaluateSla" => {
                let single =
                    !(timelines.get_type()? == ValueType::Object && timelines.is_array()?);
                let req = sla_request(env, timelines, now, options, single)?;
                let answer = raise(env, api::evaluate_sla(&self.sla, &req))?;
                match single {
                    true => env.to_js_value(&raise(env, answer.into_one())?)?,
                    false => env.to_js_value(&answer.results)?,
                }
            }
            other => {
                let help = "call the methods of `Engine` through the package's index.js";
                return raise(
                    env,
                    Err(ErrorReport::request(format!("no call `{other}`"), help)),
                );
            }
        };
        Ok(Either::A(answer))
    }

    /// The names of the ruleset's SLAs, in order.
    #[napi(getter)]
    pub fn slas(&self) -> Vec<String> {
        self.sla.policies().map(|p| p.name.clone()).collect()
    }

    /// The partner schema's field names, in order (for index.js's encoder).
    #[napi(getter, js_name = "_partnerFields", skip_typescript)]
    pub fn partner_fields(&self) -> Vec<String> {
        self.engine.plan().partner_schema.names()
    }

    /// `network` (index.js): `encoded`, the partners as index.js encodes records, or null when
    /// `partners` is not an array; `options`: `{ textCells }`; throws an `Error` whose `record` and `field` name the first
    /// bad value.
    #[napi(js_name = "_network", skip_typescript)]
    pub fn network(
        &self,
        env: Env,
        partners: Unknown<'_>,
        encoded: Option<Unknown<'_>>,
        options: Option<crate::network::RouteOptionsJs<'_>>,
    ) -> Result<JsNetwork> {
        let Some(encoded) = encoded else {
            return raise(
                &env,
                Err(not_records("partners", convert::type_name(&partners))),
            );
        };
        let schema = &self.engine.plan().partner_schema;
        let rows = raise(&env, wire::records(encoded, schema, "partners", 0)?)?;
        let text = crate::network::text_cells(&options);
        let rows = crate::network::cells(rows, schema, text);
        let partners = raise(&env, rows.records(schema).into_records())?;
        let net = Network::for_plan(self.engine.plan(), partners).map_err(ErrorReport::from);
        Ok(JsNetwork::new(self.engine.clone(), raise(&env, net)?))
    }
}

/// The work of `evaluateSlaAsync`.
pub struct SlaBatch {
    set: Arc<SlaSet>,
    req: SlaRequest,
}

impl<'task> ScopedTask<'task> for SlaBatch {
    type Output = std::result::Result<api::SlaAnswer, ErrorReport>;
    type JsValue = Unknown<'task>;

    fn compute(&mut self) -> Result<Self::Output> {
        Ok(api::evaluate_sla(&self.set, &self.req))
    }

    fn resolve(&mut self, env: &'task Env, output: Self::Output) -> Result<Self::JsValue> {
        let answer = raise(env, output)?;
        env.to_js_value(&answer.results)
    }
}

/// A timeline as JSON; a value without a JSON form is a data error naming the lead (or the
/// timeline's place, `what`) and the field.
pub(crate) fn timeline_arg(env: &Env, value: Unknown<'_>, what: &str) -> Result<serde_json::Value> {
    let is_object = value.get_type()? == ValueType::Object && !value.is_array()?;
    let lead = if is_object {
        let lead = value
            .coerce_to_object()?
            .get_named_property::<Unknown>("lead")?;
        match lead.get_type()? {
            ValueType::String => Some(lead.coerce_to_string()?.into_utf8()?.as_str()?.to_owned()),
            _ => None,
        }
    } else {
        None
    };
    raise(env, json_arg(value, lead.as_deref().unwrap_or(what))?)
}

/// An `SlaRequest` from the JavaScript arguments (conversion only; core checks the shapes).
fn sla_request(
    env: &Env,
    timelines: Unknown<'_>,
    now: Unknown<'_>,
    options: Option<Unknown<'_>>,
    single: bool,
) -> Result<SlaRequest> {
    let timelines = if single {
        vec![timeline_arg(env, timelines, "timeline")?]
    } else {
        timelines_arg(env, timelines)?
    };
    let (now, options) = now_and_options(env, now, options)?;
    raise(env, SlaRequest::from_call(timelines, now, options))
}

/// Each timeline of a JavaScript array (not an array, or a hole, is an error).
pub(crate) fn timelines_arg(env: &Env, timelines: Unknown<'_>) -> Result<Vec<serde_json::Value>> {
    if !(timelines.get_type()? == ValueType::Object && timelines.is_array()?) {
        return raise(env, Err(not_timelines()));
    }
    let arr = timelines.coerce_to_object()?;
    let len = arr.get_array_length()?;
    let mut out = Vec::with_capacity(reserve(len));
    for i in 0..len {
        let Some(t) = element(&arr, i)? else {
            let r = hole("timelines", i.into(), format!("timelines[{i}]"), None);
            return raise(env, Err(r));
        };
        out.push(timeline_arg(env, t, &format!("timelines[{i}]"))?);
    }
    Ok(out)
}

/// A call's instant and its options object (null when not given) as JSON.
pub(crate) fn now_and_options(
    env: &Env,
    now: Unknown<'_>,
    options: Option<Unknown<'_>>,
) -> Result<(leadrail_core::value::EpochMs, serde_json::Value)> {
    let now = raise(env, convert::instant(now)?)?;
    let options = match options {
        None => serde_json::Value::Null,
        Some(o) => raise(env, json_arg(o, "options")?)?,
    };
    Ok((now, options))
}

impl JsEngine {
    fn compile_with(env: Env, text: &str, options: CompileOptions) -> Result<JsEngine> {
        let sources = leadrail_dsl::HolidaySources {
            files: options.files,
            dir: options.base_dir,
        };
        let compiled = match leadrail_dsl::compile_with_sources(text, &options.file, &sources) {
            Ok(c) => c,
            Err(d) => {
                let mut reports = d.reports();
                columns_in_utf16(text, &mut reports);
                return Err(from_reports(&env, &reports));
            }
        };
        let mut warnings: Vec<ErrorReport> =
            compiled.warnings.iter().map(|w| w.to_report()).collect();
        columns_in_utf16(text, &mut warnings);
        let sla = api::sla_set(&compiled.plan).map_err(|r| from_reports(&env, &r))?;
        let engine = raise(
            &env,
            Engine::new(Arc::new(compiled.plan)).map_err(ErrorReport::from),
        )?;
        Ok(JsEngine {
            engine: Arc::new(engine),
            sla: Arc::new(sla),
            warnings,
        })
    }
}
