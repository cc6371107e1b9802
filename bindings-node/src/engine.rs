//! `Engine` (a compiled ruleset) and `Network` (partners and their state): thin wrappers over
//! `leadrail_dsl::compile`, `leadrail_core::route::Engine` and `leadrail_core::network::Network`.

use std::sync::{Arc, RwLock};

use leadrail_core::api::{self as api, request_error, InstantJson, SlaRequest, SlaResult};
use leadrail_core::network::{Network, NetworkState};
use leadrail_core::record::{Column, Record};
use leadrail_core::report::ErrorReport;
use leadrail_core::route::{Decision, Engine, Outcome, RouteOptions, Times};
use leadrail_core::sla::SlaSet;
use leadrail_core::value::Instant;
use napi::bindgen_prelude::*;
use napi::bindgen_prelude::{FnArgs, Function};
use napi::{ScopedTask, ValueType};
use napi_derive::napi;

use crate::chunks::{self, Stop};
use crate::encoded::{self, Compact, Leads, Parsed};
use crate::errors::{from_report, from_reports, utf16_columns};
use crate::routing::{self, Now};
use leadrail_core::pipeline::Busy;

type Routed = Vec<std::result::Result<Decision, ErrorReport>>;

fn raise<T>(env: &Env, r: std::result::Result<T, ErrorReport>) -> Result<T> {
    r.map_err(|e| from_report(env, e))
}

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

    /// A partner network from an array of plain objects; throws an `Error` whose `record` and
    /// `field` name the bad value.
    #[napi(ts_args_type = "partners: Array<Record<string, unknown>>")]
    pub fn network(&self, env: Env, partners: Unknown<'_>) -> Result<JsNetwork> {
        let schema = &self.engine.plan().partner_schema;
        let records = raise(
            &env,
            routing::records_by_columns(&env, partners, schema, "partners")?,
        )?;
        let records = raise(
            &env,
            records
                .into_iter()
                .collect::<std::result::Result<Vec<_>, _>>(),
        )?;
        let net = raise(
            &env,
            Network::for_plan(self.engine.plan(), records).map_err(ErrorReport::from),
        )?;
        Ok(JsNetwork {
            engine: self.engine.clone(),
            net: Arc::new(RwLock::new(net)),
            busy: Busy::default(),
        })
    }
}

/// Options of `route`, `routeBatch`, `routeBatchAsync` and `routeColumns`.
#[napi(object, js_name = "RouteOptions")]
pub struct RouteOptionsJs {
    /// Return explanations.
    pub explain: Option<bool>,
    /// Partner ids that are never candidates.
    pub exclude: Option<Vec<String>>,
    /// `routeBatch` and `routeBatchAsync`: return the columns of `routeColumns` rather than
    /// one object per lead (the same decisions, for much less; not with `explain`).
    pub as_columns: Option<bool>,
}

fn options(o: Option<RouteOptionsJs>) -> RouteOptions {
    let o = o.unwrap_or(RouteOptionsJs {
        explain: None,
        exclude: None,
        as_columns: None,
    });
    RouteOptions {
        explain: o.explain.unwrap_or(false),
        exclude: o.exclude.unwrap_or_default(),
    }
}

/// The options of a batch call: `asColumns` (applied by the JavaScript wrapper) cannot come
/// with `explain`.
fn batch_options(o: Option<RouteOptionsJs>) -> std::result::Result<RouteOptions, ErrorReport> {
    if let Some(RouteOptionsJs {
        explain: Some(true),
        as_columns: Some(true),
        ..
    }) = &o
    {
        return Err(request_error(
            "`explain` needs one object per lead, not `asColumns`".into(),
            "drop `asColumns: true` to read explanations",
        ));
    }
    Ok(options(o))
}

/// Partners and their routing state, bound to the engine that built it.
#[napi(js_name = "Network")]
pub struct JsNetwork {
    engine: Arc<Engine>,
    net: Arc<RwLock<Network>>,
    /// Set while `_routeChunked` routes a batch (holding `net`'s write lock) and runs
    /// JavaScript: the methods that lock `net` on the JavaScript thread throw meanwhile.
    busy: Busy,
}

pub(crate) fn poisoned() -> ErrorReport {
    request_error(
        "the network is unusable after a failure in another thread".into(),
        "build a new network",
    )
}

/// Routes parsed leads in order, applying each assignment; bad leads get their own error.
fn route_records(
    engine: &Engine,
    net: &RwLock<Network>,
    parsed: Vec<std::result::Result<Record, ErrorReport>>,
    now: &Now,
    opts: &RouteOptions,
) -> std::result::Result<Routed, ErrorReport> {
    if let Now::Each(ts) = now {
        if ts.len() != parsed.len() {
            return Err(request_error(
                format!("{} leads but {} instants", parsed.len(), ts.len()),
                "give one `now` for all leads or one per lead",
            ));
        }
    }
    let mut good = Vec::with_capacity(parsed.len());
    let mut times: Vec<Instant> = Vec::new();
    let mut slots = Vec::with_capacity(parsed.len());
    for (i, r) in parsed.into_iter().enumerate() {
        match r {
            Ok(rec) => {
                if let Now::Each(ts) = now {
                    times.push(ts.get(i).copied().unwrap_or_default());
                }
                good.push(rec);
                slots.push(Ok(()));
            }
            Err(e) => slots.push(Err(e)),
        }
    }
    let t = match now {
        Now::One(t) => Times::At(*t),
        Now::Each(_) => Times::Each(&times),
    };
    let batch = engine.prepare_leads(good);
    let routed = {
        let mut n = net.write().map_err(|_| poisoned())?;
        engine.route_prepared(&mut n, &batch, t, opts)
    };
    let mut routed = routed.into_iter();
    Ok(slots
        .into_iter()
        .map(|s| match s {
            Err(e) => Err(e),
            Ok(()) => routed.next().unwrap_or_else(|| {
                Err(request_error(
                    "a lead was not routed".into(),
                    "report this as a bug",
                ))
            }),
        })
        .collect())
}

/// The work of `routeBatchAsync`, run on the libuv thread pool.
pub struct RouteBatch {
    engine: Arc<Engine>,
    net: Arc<RwLock<Network>>,
    parsed: Option<Vec<std::result::Result<Record, ErrorReport>>>,
    now: Now,
    opts: RouteOptions,
}

impl<'task> ScopedTask<'task> for RouteBatch {
    type Output = std::result::Result<Routed, ErrorReport>;
    type JsValue = Array<'task>;

    fn compute(&mut self) -> Result<Self::Output> {
        let parsed = self.parsed.take().unwrap_or_default();
        Ok(route_records(
            &self.engine,
            &self.net,
            parsed,
            &self.now,
            &self.opts,
        ))
    }

    fn resolve(&mut self, env: &'task Env, output: Self::Output) -> Result<Self::JsValue> {
        let results = raise(env, output)?;
        routing::results_array(env, &results)
    }
}

/// The work of `routeBatchAsync` on leads encoded by the wrapper: parsing, routing and the
/// compact results, all on the libuv thread pool.
pub struct RouteLeads {
    engine: Arc<Engine>,
    net: Arc<RwLock<Network>>,
    leads: Option<Leads>,
    now: Now,
    opts: RouteOptions,
}

impl<'task> ScopedTask<'task> for RouteLeads {
    type Output = std::result::Result<Compact, ErrorReport>;
    type JsValue = Array<'task>;

    fn compute(&mut self) -> Result<Self::Output> {
        let Some(leads) = self.leads.take() else {
            return Ok(Err(request_error(
                "the batch was already routed".into(),
                "report this as a bug",
            )));
        };
        let parsed = leads.parse(&self.engine.plan().lead_schema);
        Ok(parsed.route(&self.engine, &self.net, &self.now, &self.opts))
    }

    fn resolve(&mut self, env: &'task Env, output: Self::Output) -> Result<Self::JsValue> {
        raise(env, output)?.into_js(env)
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

#[napi]
impl JsNetwork {
    /// Routes one lead at `now` without changing any state; returns the decision.
    #[napi(
        ts_args_type = "lead: Record<string, unknown>, now: Date | number | string, options?: RouteOptions",
        ts_return_type = "Decision"
    )]
    pub fn route<'env>(
        &self,
        env: &'env Env,
        lead: Unknown<'_>,
        now: Unknown<'_>,
        options: Option<RouteOptionsJs>,
    ) -> Result<Object<'env>> {
        self.free(env)?;
        let schema = &self.engine.plan().lead_schema;
        let rec = routing::record(lead, schema, 1)?;
        let rec = raise(env, rec)?;
        let now = raise(env, routing::instant(now)?)?;
        let opts = self::options(options);
        let net = self.net.read().map_err(|_| from_report(env, poisoned()))?;
        let d = raise(
            env,
            self.engine
                .route(&net, &rec, now, &opts)
                .map_err(ErrorReport::from),
        )?;
        routing::Out::new(env)?.decision(&d)
    }

    /// Routes leads in order, applying each assignment to the partners' state; `now` is one
    /// instant or one per lead. Returns one `{ ok }` or `{ error }` per lead (a bad lead changes
    /// no state); with `asColumns: true`, the columns of `routeColumns` instead.
    #[napi(
        ts_generic_types = "O extends RouteOptions = RouteOptions",
        ts_args_type = "leads: Array<Record<string, unknown>>, now: Date | number | string | Array<Date | number | string>, options?: O",
        ts_return_type = "O extends { asColumns: true } ? RouteColumnsResult : Array<RouteResult>"
    )]
    pub fn route_batch<'env>(
        &self,
        env: &'env Env,
        leads: Unknown<'_>,
        now: Unknown<'_>,
        options: Option<RouteOptionsJs>,
    ) -> Result<Array<'env>> {
        self.free(env)?;
        let opts = raise(env, batch_options(options))?;
        let parsed = raise(
            env,
            routing::records_by_columns(env, leads, &self.engine.plan().lead_schema, "leads")?,
        )?;
        let now = raise(env, routing::now_arg(now)?)?;
        let results = raise(
            env,
            route_records(&self.engine, &self.net, parsed, &now, &opts),
        )?;
        routing::results_array(env, &results)
    }

    /// Like `routeBatch`, routed on the libuv thread pool; resolves to the same results. Bad
    /// arguments throw at once.
    #[napi(
        ts_generic_types = "O extends RouteOptions = RouteOptions",
        ts_args_type = "leads: Array<Record<string, unknown>>, now: Date | number | string | Array<Date | number | string>, options?: O",
        ts_return_type = "Promise<O extends { asColumns: true } ? RouteColumnsResult : Array<RouteResult>>"
    )]
    pub fn route_batch_async(
        &self,
        env: Env,
        leads: Unknown<'_>,
        now: Unknown<'_>,
        options: Option<RouteOptionsJs>,
    ) -> Result<AsyncTask<RouteBatch>> {
        let opts = raise(&env, batch_options(options))?;
        let parsed = raise(
            &env,
            routing::records_by_columns(&env, leads, &self.engine.plan().lead_schema, "leads")?,
        )?;
        let now = raise(&env, routing::now_arg(now)?)?;
        Ok(AsyncTask::new(RouteBatch {
            engine: self.engine.clone(),
            net: self.net.clone(),
            parsed: Some(parsed),
            now,
            opts,
        }))
    }

    /// Routes leads given as columns: an object of field name (and `id`) to an array or typed
    /// array, all of one length. Same semantics as `routeBatch`; returns columns: `kind`
    /// (`partner`/`queue`/`unrouted`, or null for an error), `target` (partner id or queue
    /// name), `rule`, `error` (a report or null).
    #[napi(
        ts_args_type = "columns: Record<string, ArrayLike<unknown>>, now: Date | number | string | Array<Date | number | string>, options?: RouteOptions",
        ts_return_type = "RouteColumnsResult"
    )]
    pub fn route_columns<'env>(
        &self,
        env: &'env Env,
        columns: Unknown<'_>,
        now: Unknown<'_>,
        options: Option<RouteOptionsJs>,
    ) -> Result<Object<'env>> {
        self.free(env)?;
        if columns.get_type()? != ValueType::Object || columns.is_array()? {
            return raise(
                env,
                Err(request_error(
                    "`columns` must be an object of field names to arrays".into(),
                    "pass e.g. `{ id: [...], region: [...] }`",
                )),
            );
        }
        let obj = columns.coerce_to_object()?;
        let schema = &self.engine.plan().lead_schema;
        let Some(ids) = routing::column(&obj, "id")? else {
            return raise(
                env,
                Err(request_error(
                    "`columns` has no `id` column".into(),
                    "add the lead ids as the column `id`",
                )),
            );
        };
        let ids = raise(env, ids)?;
        let rows = ids.len();
        let mut cols: Vec<(String, Column)> = Vec::new();
        for f in &schema.fields {
            if let Some(c) = routing::column(&obj, &f.name)? {
                let c = raise(env, c)?;
                raise(env, c.check_len(&f.name, rows))?;
                cols.push((f.name.clone(), c));
            }
        }
        let now = raise(env, routing::now_arg(now)?)?;
        let mut opts = self::options(options);
        opts.explain = false;
        let named: Vec<(&str, &Column)> = cols.iter().map(|(n, c)| (n.as_str(), c)).collect();
        let parsed: Vec<_> = Record::from_columns(schema, rows, &ids, &named)
            .into_iter()
            .map(|r| r.map_err(ErrorReport::from))
            .collect();
        let results = raise(
            env,
            route_records(&self.engine, &self.net, parsed, &now, &opts),
        )?;
        let n = results.len() as u32;
        let mut texts = routing::Out::new(env)?;
        let (mut kind, mut target, mut rule, mut error) = (
            env.create_array(n)?,
            env.create_array(n)?,
            env.create_array(n)?,
            env.create_array(n)?,
        );
        for (i, r) in results.iter().enumerate() {
            let i = i as u32;
            match r {
                Ok(d) => {
                    match &d.outcome {
                        Outcome::Partner { id: t } | Outcome::Queue { name: t } => {
                            kind.set(i, texts.kind_of(&d.outcome))?;
                            target.set(i, texts.text(t)?)?;
                        }
                        Outcome::Unrouted => {
                            kind.set(i, texts.kind_of(&d.outcome))?;
                            target.set(i, Null)?;
                        }
                    }
                    match &d.rule {
                        Some(r) => rule.set(i, texts.text(r)?)?,
                        None => rule.set(i, Null)?,
                    }
                    error.set(i, Null)?;
                }
                Err(e) => {
                    kind.set(i, Null)?;
                    target.set(i, Null)?;
                    rule.set(i, Null)?;
                    error.set(i, env.to_js_value(e)?)?;
                }
            }
        }
        let mut out = Object::new(env)?;
        out.set_named_property("kind", kind)?;
        out.set_named_property("target", target)?;
        out.set_named_property("rule", rule)?;
        out.set_named_property("error", error)?;
        Ok(out)
    }

    /// The lead schema's field names, in order (for the wrapper's encoder).
    #[napi(getter, js_name = "_leadFields", skip_typescript)]
    pub fn lead_fields(&self) -> Vec<String> {
        self.engine
            .plan()
            .lead_schema
            .fields
            .iter()
            .map(|f| f.name.clone())
            .collect()
    }

    /// `routeBatch` on leads the wrapper encoded (`encoded::Leads`); `times` is `now` as
    /// checked instants, or null. Returns the compact results (`encoded::Compact`).
    #[napi(js_name = "_routeLeads", skip_typescript)]
    pub fn route_leads<'env>(
        &self,
        env: &'env Env,
        leads: Unknown<'_>,
        times: Option<Float64ArraySlice<'_>>,
        now: Unknown<'_>,
        options: Option<RouteOptionsJs>,
    ) -> Result<Array<'env>> {
        self.free(env)?;
        let opts = raise(env, batch_options(options))?;
        let schema = &self.engine.plan().lead_schema;
        let leads = raise(env, Leads::read(leads, schema, 0)?)?;
        let now = raise(env, encoded::now_arg(times, now)?)?;
        let parsed = leads.parse(schema);
        raise(env, parsed.route(&self.engine, &self.net, &now, &opts))?.into_js(env)
    }

    /// `routeBatchAsync` on leads the wrapper encoded: like `_routeLeads`, with the parsing and
    /// routing on the libuv thread pool.
    #[napi(js_name = "_routeLeadsAsync", skip_typescript)]
    pub fn route_leads_async(
        &self,
        env: Env,
        leads: Unknown<'_>,
        times: Option<Float64ArraySlice<'_>>,
        now: Unknown<'_>,
        options: Option<RouteOptionsJs>,
    ) -> Result<AsyncTask<RouteLeads>> {
        let opts = raise(&env, batch_options(options))?;
        let leads = raise(
            &env,
            Leads::read(leads, &self.engine.plan().lead_schema, 0)?,
        )?;
        let now = raise(&env, encoded::now_arg(times, now)?)?;
        Ok(AsyncTask::new(RouteLeads {
            engine: self.engine.clone(),
            net: self.net.clone(),
            leads: Some(leads),
            now,
            opts,
        }))
    }

    /// `routeColumns` on columns the wrapper encoded: `columns` is `[id, ...fields]` in schema
    /// order, each an encoded column, a typed array or undefined. Returns the compact results.
    #[napi(js_name = "_routeColumns", skip_typescript)]
    pub fn route_encoded_columns<'env>(
        &self,
        env: &'env Env,
        columns: Object<'_>,
        times: Option<Float64ArraySlice<'_>>,
        now: Unknown<'_>,
        options: Option<RouteOptionsJs>,
    ) -> Result<Array<'env>> {
        self.free(env)?;
        let schema = &self.engine.plan().lead_schema;
        let Some(ids) = encoded::given(&columns, 0, "id", None)? else {
            return raise(
                env,
                Err(request_error(
                    "`columns` has no `id` column".into(),
                    "add the lead ids as the column `id`",
                )),
            );
        };
        let ids = raise(env, raise(env, ids)?.id_column())?;
        let rows = ids.len();
        let mut cols: Vec<(&str, Column)> = Vec::new();
        for (i, f) in schema.fields.iter().enumerate() {
            let at = u32::try_from(i + 1).unwrap_or(u32::MAX);
            if let Some(c) = encoded::given(&columns, at, &f.name, Some(&f.ty))? {
                let c = encoded::narrow(raise(env, raise(env, c)?.column(&f.name))?, &f.ty);
                raise(env, c.check_len(&f.name, rows))?;
                cols.push((f.name.as_str(), c));
            }
        }
        let now = raise(env, encoded::now_arg(times, now)?)?;
        let mut opts = self::options(options);
        opts.explain = false;
        let cols = cols.into_iter().map(|(n, c)| (n.to_string(), c)).collect();
        let parsed = Parsed::columns(rows, ids, cols);
        raise(env, parsed.route(&self.engine, &self.net, &now, &opts))?.into_js(env)
    }

    /// The smallest batch `_routeChunked` routes in chunks (for the wrapper).
    #[napi(getter, js_name = "_chunkMinLeads", skip_typescript)]
    pub fn chunk_min_leads(&self) -> u32 {
        u32::try_from(chunks::MIN_LEADS).unwrap_or(u32::MAX)
    }

    /// `routeBatch` of `n` leads in chunks (see `chunks`): `encodeChunk(a, b)` returns leads
    /// `a..b` as the wrapper's encoder encodes them (`encoded::Leads`), `emit(compact, a)`
    /// receives the compact results (`encoded::Compact`) of the chunk starting at lead `a`, in
    /// order; `times` and `now` as for `_routeLeads`. Returns `false`, having routed nothing,
    /// when the batch is to be routed in one piece: it is small, an argument is wrong (the
    /// one-piece path throws its error), the network's lock is poisoned, or a chunk is not as
    /// the wrapper encodes them. Throws the error of the encoder or of `emit`, or of a failure
    /// while routing, with the network's state as it was before the call.
    #[napi(js_name = "_routeChunked", skip_typescript)]
    #[allow(clippy::too_many_arguments)]
    pub fn route_chunked(
        &self,
        env: &Env,
        n: u32,
        encode_chunk: Function<'_, FnArgs<(u32, u32)>, Unknown<'_>>,
        emit: Function<'_, FnArgs<(Array<'_>, u32)>, Unknown<'_>>,
        times: Option<Float64ArraySlice<'_>>,
        now: Unknown<'_>,
        options: Option<RouteOptionsJs>,
    ) -> Result<bool> {
        self.free(env)?;
        let n = n as usize;
        if n < chunks::MIN_LEADS {
            return Ok(false);
        }
        let Ok(opts) = batch_options(options) else {
            return Ok(false);
        };
        let Ok(now) = encoded::now_arg(times, now)? else {
            return Ok(false);
        };
        if encoded::check_times(n, &now).is_err() {
            return Ok(false);
        }
        let schema = &self.engine.plan().lead_schema;
        let run = chunks::route(
            &self.engine,
            schema,
            &self.net,
            &self.busy,
            n,
            &now,
            &opts,
            |a, b| {
                let (a32, b32) = (
                    u32::try_from(a).unwrap_or(u32::MAX),
                    u32::try_from(b).unwrap_or(u32::MAX),
                );
                let value = encode_chunk.call(FnArgs::from((a32, b32)))?;
                match Leads::read(value, schema, a)? {
                    Ok(leads) if leads.len() == b - a => Ok(leads),
                    // not as the wrapper's encoder makes them
                    _ => Err(Stop::Serial),
                }
            },
            |compact, a| {
                let js = compact.into_js(env)?;
                emit.call(FnArgs::from((js, u32::try_from(a).unwrap_or(u32::MAX))))?;
                Ok(())
            },
        );
        match run {
            Ok(()) => Ok(true),
            Err(Stop::Serial) => Ok(false),
            Err(Stop::Js(e)) => Err(e),
            Err(Stop::Report(r)) => Err(from_report(env, r)),
            Err(Stop::Panicked(p)) => Err(from_report(
                env,
                request_error(p.to_string(), "report this as a bug in leadrail"),
            )),
        }
    }

    /// Throws the `leadrail::request::busy` error while a batch of this network is being routed
    /// on this thread (see `_routeChunked`): taking the network's lock would wait forever.
    fn free(&self, env: &Env) -> Result<()> {
        self.busy
            .check(chunks::HOST_CODE)
            .map_err(|e| from_report(env, e))
    }

    /// The partners' routing state: `{ seq, partners: [{ id, active_leads, last_assigned_at,
    /// last_seq, assigned, version }] }` (ids ascending).
    #[napi(ts_return_type = "NetworkState")]
    pub fn state<'env>(&self, env: &'env Env) -> Result<Unknown<'env>> {
        self.free(env)?;
        let st = self
            .net
            .read()
            .map_err(|_| from_report(env, poisoned()))?
            .export_state();
        env.to_js_value(&st)
    }

    /// Loads a state exported by `state()` (e.g. from the host's database).
    #[napi(ts_args_type = "state: NetworkState")]
    pub fn load_state(&self, env: Env, state: Unknown<'_>) -> Result<()> {
        self.free(&env)?;
        let json = match routing::js_to_json(state)? {
            Ok(j) => j,
            Err(_) => {
                return raise(
                    &env,
                    Err(request_error(
                        "`state` must be an object as returned by `state()`".into(),
                        "pass the object that `network.state()` returned",
                    )),
                )
            }
        };
        let st: NetworkState = raise(
            &env,
            serde_json::from_value(json).map_err(|e| {
                request_error(
                    format!("the state is not valid: {e}"),
                    "pass the object that `network.state()` returned",
                )
            }),
        )?;
        let mut net = self
            .net
            .write()
            .map_err(|_| from_report(&env, poisoned()))?;
        raise(&env, net.import_state(&st).map_err(ErrorReport::from))
    }

    /// The number of partners.
    #[napi(getter)]
    pub fn length(&self, env: Env) -> Result<u32> {
        self.free(&env)?;
        let n = self
            .net
            .read()
            .map_err(|_| from_report(&env, poisoned()))?
            .len();
        Ok(u32::try_from(n).unwrap_or(u32::MAX))
    }
}

fn json_arg(env: &Env, value: Unknown<'_>, what: &str, help: &str) -> Result<serde_json::Value> {
    match routing::js_to_json(value)? {
        Ok(j) => Ok(j),
        Err(_) => Err(from_report(
            env,
            request_error(format!("`{what}` holds a value with no JSON form"), help),
        )),
    }
}

/// An `SlaRequest` from the JavaScript arguments (conversion only; core checks the shapes).
fn sla_request(
    env: &Env,
    timelines: Unknown<'_>,
    now: Unknown<'_>,
    options: Option<Unknown<'_>>,
    single: bool,
) -> Result<SlaRequest> {
    let timeline_help = "pass `{ lead: 'L1', events: [{ at: '2026-11-24T09:00:00Z', event: 'assigned', partner: 'P1' }] }` or an array of them";
    let timelines = match json_arg(env, timelines, "timelines", timeline_help)? {
        serde_json::Value::Array(items) if !single => items,
        one => vec![one],
    };
    let now = raise(env, routing::instant(now)?)?;
    let options_help =
        "pass `{ done: ['accept:warn:50'], partnerCalendars: { P1: 'us-central' } }`";
    let options = match options {
        None => serde_json::Value::Null,
        Some(o) => json_arg(env, o, "options", options_help)?,
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
                crate::convert::type_name(&value)
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
                crate::convert::type_name(&v)
            ));
        }
        out.insert(key, v.coerce_to_string()?.into_utf8()?.as_str()?.to_owned());
    }
    Ok(Some(out))
}
