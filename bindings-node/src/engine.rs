//! `Engine` (a compiled ruleset): a thin wrapper over `leadrail_dsl::compile` and
//! `leadrail_core::route::Engine`, with SLA evaluation and the networks it builds.

use std::sync::Arc;

use leadrail_core::api::{self as api, request_error, InstantJson, SlaRequest, SlaResult};
use leadrail_core::network::Network;
use leadrail_core::report::ErrorReport;
use leadrail_core::route::Engine;
use leadrail_core::sla::SlaSet;
use napi::bindgen_prelude::*;
use napi::{ScopedTask, ValueType};
use napi_derive::napi;

use crate::convert::{self, element, hole, json_arg, reserve};
use crate::errors::{from_report, from_reports, raise, utf16_columns};
use crate::network::JsNetwork;
use crate::wire;

/// A compiled ruleset. Immutable.
#[napi(js_name = "Engine")]
pub struct JsEngine {
    engine: Arc<Engine>,
    sla: Arc<SlaSet>,
    warnings: Vec<ErrorReport>,
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
    #[napi(
        factory,
        ts_args_type = "text: string, file?: string | CompileOptions | undefined | null, files?: Record<string, string> | undefined | null"
    )]
    pub fn compile(
        env: Env,
        text: String,
        file: Option<Unknown<'_>>,
        files: Option<Unknown<'_>>,
    ) -> Result<JsEngine> {
        let options = compile_options(&env, file, files)?;
        JsEngine::compile_with(env, &text, &options.0, &options.1)
    }

    /// Compiles a rule file (its path is the file name in diagnostics); holiday files are read
    /// from its directory, as with `baseDir`.
    #[napi(factory)]
    pub fn from_file(env: Env, path: String) -> Result<JsEngine> {
        let text = std::fs::read_to_string(&path).map_err(|e| {
            from_report(
                &env,
                request_error(
                    format!("cannot read `{path}`: {e}"),
                    "check the path and its permissions",
                ),
            )
        })?;
        let dir = match std::path::Path::new(&path).parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => std::path::PathBuf::from("."),
        };
        let sources = leadrail_dsl::HolidaySources {
            files: Default::default(),
            dir: Some(dir),
        };
        JsEngine::compile_with(env, &text, &path, &sources)
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

    /// Evaluates the SLAs over one timeline (`{ lead, events }`) or an array of them at `now`.
    /// `options.done`: the action ids already executed (an array) or the `cursor` of the
    /// previous evaluation (an instant); `options.partnerCalendars`: `{ P1: 'us-central' }` or
    /// `{ P1: { calendar: 'us-central' } }`. One timeline: returns its evaluation or throws an
    /// `Error` whose `record` names the lead and `field` the event; an array: one `{ ok }` or
    /// `{ error }` per timeline.
    #[napi(
        ts_args_type = "timelines: Timeline | Array<Timeline>, now: Date | number | string, options?: SlaOptions",
        ts_return_type = "SlaEvaluation | Array<SlaResult>"
    )]
    pub fn evaluate_sla<'env>(
        &self,
        env: &'env Env,
        timelines: Unknown<'_>,
        now: Unknown<'_>,
        options: Option<Unknown<'_>>,
    ) -> Result<Unknown<'env>> {
        let single = !(timelines.get_type()? == ValueType::Object && timelines.is_array()?);
        let req = sla_request(env, timelines, now, options, single)?;
        let answer = raise(env, api::evaluate_sla(&self.sla, &req))?;
        if single {
            return match answer.results.into_iter().next() {
                Some(SlaResult::Ok(o)) => env.to_js_value(&o),
                Some(SlaResult::Error(e)) => Err(from_report(env, e)),
                None => Err(from_report(
                    env,
                    request_error("no result".into(), "report this as a bug"),
                )),
            };
        }
        env.to_js_value(&answer.results)
    }

    /// The next instant (ms since the epoch) at which the SLA evaluation of one timeline
    /// changes if no event is recorded, or `null` if no SLA is running; throws like
    /// `evaluateSla`.
    #[napi(
        ts_args_type = "timeline: Timeline, now: Date | number | string, options?: SlaOptions",
        ts_return_type = "number | null"
    )]
    pub fn next_deadline(
        &self,
        env: Env,
        timeline: Unknown<'_>,
        now: Unknown<'_>,
        options: Option<Unknown<'_>>,
    ) -> Result<Option<f64>> {
        let mut req = sla_request(&env, timeline, now, options, true)?;
        req.done = None;
        let answer = raise(&env, api::evaluate_sla(&self.sla, &req))?;
        match answer.results.into_iter().next() {
            Some(SlaResult::Ok(o)) => Ok(o.evaluation.next_deadline.map(|t| t as f64)),
            Some(SlaResult::Error(e)) => Err(from_report(&env, e)),
            None => Err(from_report(
                &env,
                request_error("no result".into(), "report this as a bug"),
            )),
        }
    }

    /// Like `evaluateSla` with an array, evaluated on the libuv thread pool; resolves to one
    /// `{ ok }` or `{ error }` per timeline. Bad arguments throw at once.
    #[napi(
        ts_args_type = "timelines: Array<Timeline>, now: Date | number | string, options?: SlaOptions",
        ts_return_type = "Promise<Array<SlaResult>>"
    )]
    pub fn evaluate_sla_async(
        &self,
        env: Env,
        timelines: Unknown<'_>,
        now: Unknown<'_>,
        options: Option<Unknown<'_>>,
    ) -> Result<AsyncTask<SlaBatch>> {
        if !(timelines.get_type()? == ValueType::Object && timelines.is_array()?) {
            return Err(from_report(
                &env,
                request_error(
                    "`timelines` must be an array of timelines".into(),
                    "pass `[{ lead: 'L1', events: [...] }, ...]`",
                ),
            ));
        }
        let req = sla_request(&env, timelines, now, options, false)?;
        Ok(AsyncTask::new(SlaBatch {
            set: self.sla.clone(),
            req,
        }))
    }

    /// The names of the ruleset's SLAs, in order.
    #[napi(getter)]
    pub fn slas(&self) -> Vec<String> {
        self.sla.policies().map(|p| p.name.clone()).collect()
    }

    /// The partner schema's field names, in order (for index.js's encoder).
    #[napi(getter, js_name = "_partnerFields", skip_typescript)]
    pub fn partner_fields(&self) -> Vec<String> {
        let schema = &self.engine.plan().partner_schema;
        schema.fields.iter().map(|f| f.name.clone()).collect()
    }

    /// `network` (index.js): `encoded`, the partners as index.js encodes records, or null when
    /// `partners` is not an array; throws an `Error` whose `record` and `field` name the first
    /// bad value.
    #[napi(js_name = "_network", skip_typescript)]
    pub fn network(
        &self,
        env: Env,
        partners: Unknown<'_>,
        encoded: Option<Unknown<'_>>,
    ) -> Result<JsNetwork> {
        let Some(encoded) = encoded else {
            let what = convert::type_name(&partners);
            return raise(
                &env,
                Err(request_error(
                    format!("`partners` must be an array of objects, not {what}"),
                    "pass an array of plain objects",
                )),
            );
        };
        let schema = &self.engine.plan().partner_schema;
        let rows = raise(&env, wire::records(encoded, schema, "partners", 0)?)?;
        let parsed = rows.records(schema);
        if let Some((_, e)) = parsed.bad.into_iter().next() {
            return raise(&env, Err(e));
        }
        let net = Network::for_plan(self.engine.plan(), parsed.good).map_err(ErrorReport::from);
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
fn timeline_arg(env: &Env, value: Unknown<'_>, what: &str) -> Result<serde_json::Value> {
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
        out
    };
    let now = raise(env, convert::instant(now)?)?;
    let options_help =
        "pass `{ done: ['accept:warn:50'], partnerCalendars: { P1: 'us-central' } }`";
    let options = match options {
        None => serde_json::Value::Null,
        Some(o) => raise(env, json_arg(o, "options")?)?,
    };
    let options = match options {
        serde_json::Value::Null => serde_json::Map::new(),
        serde_json::Value::Object(m) => m,
        _ => {
            return Err(from_report(
                env,
                request_error("`options` must be an object".into(), options_help),
            ))
        }
    };
    let field = |name: &str| -> Result<Option<serde_json::Value>> {
        match options.get(name) {
            None | Some(serde_json::Value::Null) => Ok(None),
            Some(v) => Ok(Some(v.clone())),
        }
    };
    let done = match field("done")? {
        None => None,
        Some(v) => Some(raise(
            env,
            serde_json::from_value(v).map_err(|_| {
                request_error(
                    "`done` must be an array of action ids or an instant (the previous `cursor`)"
                        .into(),
                    options_help,
                )
            }),
        )?),
    };
    let partner_calendars = match field("partnerCalendars")? {
        None => Default::default(),
        Some(v) => raise(
            env,
            serde_json::from_value(v).map_err(|e| {
                request_error(
                    format!("`partnerCalendars` is not valid: {e}"),
                    options_help,
                )
            }),
        )?,
    };
    Ok(SlaRequest {
        timelines,
        now: InstantJson::Millis(now),
        done,
        partner_calendars,
    })
}

impl JsEngine {
    fn compile_with(
        env: Env,
        text: &str,
        file: &str,
        sources: &leadrail_dsl::HolidaySources,
    ) -> Result<JsEngine> {
        let compiled = match leadrail_dsl::compile_with_sources(text, file, sources) {
            Ok(c) => c,
            Err(d) => {
                let mut reports = d.reports();
                utf16_columns(text, &mut reports);
                return Err(from_reports(&env, &reports));
            }
        };
        let mut warnings: Vec<ErrorReport> =
            compiled.warnings.iter().map(|w| w.to_report()).collect();
        utf16_columns(text, &mut warnings);
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

/// The second and third arguments of `Engine.compile`: a file name and `files`, or options
/// `{ file?, files?, baseDir? }` (then no third argument).
fn compile_options(
    env: &Env,
    file: Option<Unknown<'_>>,
    files: Option<Unknown<'_>>,
) -> Result<(String, leadrail_dsl::HolidaySources)> {
    let help = "pass a file name (`'rules.rail'`) or options `{ file, files, baseDir }`";
    let bad = |what: String| from_report(env, request_error(what, help));
    let files_of = |v: Option<Unknown<'_>>| -> Result<std::collections::BTreeMap<String, String>> {
        Ok(match v {
            Some(f) => files_arg(env, f)?.unwrap_or_default(),
            None => Default::default(),
        })
    };
    let Some(file) = file else {
        return Ok((
            "rules.rail".to_owned(),
            leadrail_dsl::HolidaySources {
                files: files_of(files)?,
                dir: None,
            },
        ));
    };
    match file.get_type()? {
        ValueType::Undefined | ValueType::Null => Ok((
            "rules.rail".to_owned(),
            leadrail_dsl::HolidaySources {
                files: files_of(files)?,
                dir: None,
            },
        )),
        ValueType::String => Ok((
            file.coerce_to_string()?.into_utf8()?.as_str()?.to_owned(),
            leadrail_dsl::HolidaySources {
                files: files_of(files)?,
                dir: None,
            },
        )),
        ValueType::Object if !file.is_array()? => {
            if files.is_some_and(|f| {
                !matches!(f.get_type(), Ok(ValueType::Undefined) | Ok(ValueType::Null))
            }) {
                return Err(bad(
                    "give `files` in the options object, not as a third argument".to_owned(),
                ));
            }
            let obj = file.coerce_to_object()?;
            let text_option = |key: &str| -> Result<Option<String>> {
                let v = obj.get_named_property::<Unknown>(key)?;
                match v.get_type()? {
                    ValueType::Undefined | ValueType::Null => Ok(None),
                    ValueType::String => Ok(Some(
                        v.coerce_to_string()?.into_utf8()?.as_str()?.to_owned(),
                    )),
                    _ => Err(bad(format!(
                        "option `{key}` must be a string, not {}",
                        crate::convert::type_name(&v)
                    ))),
                }
            };
            let name = text_option("file")?.unwrap_or_else(|| "rules.rail".to_owned());
            let dir = text_option("baseDir")?.map(std::path::PathBuf::from);
            let files = files_of(Some(obj.get_named_property::<Unknown>("files")?))?;
            Ok((name, leadrail_dsl::HolidaySources { files, dir }))
        }
        _ => Err(bad(format!(
            "the second argument must be a file name or options, not {}",
            crate::convert::type_name(&file)
        ))),
    }
}

/// The `files` argument of `Engine.compile`: a plain object of path to text (`undefined` or
/// `null`: none).
fn files_arg(
    env: &Env,
    value: Unknown<'_>,
) -> Result<Option<std::collections::BTreeMap<String, String>>> {
    let help = "pass an object of each holiday file's path (as written in the rule text) to its \
                text, e.g. `{ \"de.txt\": \"2026-12-25 Christmas\" }`";
    let bad = |what: String| Err(from_report(env, request_error(what, help)));
    match value.get_type()? {
        ValueType::Undefined | ValueType::Null => return Ok(None),
        ValueType::Object if !value.is_array()? => {}
        _ => {
            return bad(format!(
                "`files` must be an object of path to text, not {}",
                convert::type_name(&value)
            ))
        }
    }
    let obj = value.coerce_to_object()?;
    let keys = obj.get_property_names()?;
    let mut out = std::collections::BTreeMap::new();
    for i in 0..keys.get_array_length()? {
        let key: String = keys.get_element::<String>(i)?;
        let v = obj.get_named_property::<Unknown>(&key)?;
        if v.get_type()? != ValueType::String {
            return bad(format!(
                "`files` must map paths to strings; `{key}` is {}",
                convert::type_name(&v)
            ));
        }
        out.insert(key, v.coerce_to_string()?.into_utf8()?.as_str()?.to_owned());
    }
    Ok(Some(out))
}
