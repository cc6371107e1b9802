//! `Network` (partners and their routing state): a thin wrapper over core's
//! [`SharedNetwork`]. The batches are core's ([`SharedNetwork::route_batch`]: the lock, the
//! busy marker, chunks on two threads, the state put back on failure); this file hands core
//! the leads index.js encoded ([`wire::records`], [`wire::columns`]) and hands index.js the
//! results in compact form ([`Compact`]), from which it builds the result objects.

use std::convert::Infallible;
use std::ops::Range;
use std::sync::Arc;

use leadrail_core::api::request_error;
use leadrail_core::host::{
    self, BatchError, HostBatch, Instants, ReadError, Results, Rows, SharedNetwork, MIN_CHUNKED,
};
use leadrail_core::network::{Network, NetworkState};
use leadrail_core::report::ErrorReport;
use leadrail_core::route::{Engine, RouteOptions};
use leadrail_core::schema::Schema;
use napi::bindgen_prelude::*;
use napi::bindgen_prelude::{FnArgs, Function};
use napi::ScopedTask;
use napi_derive::napi;

use crate::convert::{self, NODE};
use crate::errors::{from_report, raise};
use crate::wire::{self, Compact};

/// Partners and their routing state, bound to the engine that built it.
#[napi(js_name = "Network")]
pub struct JsNetwork {
    engine: Arc<Engine>,
    net: Arc<SharedNetwork>,
}

impl JsNetwork {
    pub(crate) fn new(engine: Arc<Engine>, net: Network) -> JsNetwork {
        JsNetwork {
            engine,
            net: Arc::new(SharedNetwork::new(net, NODE)),
        }
    }
}

/// Options of `route`, `routeBatch`, `routeBatchAsync` and `routeColumns`.
#[napi(object, object_to_js = false, js_name = "RouteOptions")]
pub struct RouteOptionsJs<'a> {
    /// Return explanations.
    pub explain: Option<bool>,
    /// Partner ids that are never candidates.
    // (read by `convert::exclude`, item by item: an array's `length` sizes nothing)
    #[napi(ts_type = "Array<string>")]
    pub exclude: Option<Unknown<'a>>,
    /// `routeBatch` and `routeBatchAsync`: return the columns of `routeColumns` rather than
    /// one object per lead (the same decisions, for much less; not with `explain`).
    pub as_columns: Option<bool>,
}

fn route_options(env: &Env, o: Option<RouteOptionsJs<'_>>) -> Result<RouteOptions> {
    let Some(o) = o else {
        return Ok(RouteOptions::default());
    };
    let exclude = match o.exclude {
        Some(e) => raise(env, convert::exclude(e)?)?,
        None => Vec::new(),
    };
    Ok(RouteOptions {
        explain: o.explain.unwrap_or(false),
        exclude,
    })
}

/// The options of a batch call: `asColumns` (applied by index.js) cannot come with `explain`.
fn batch_options(env: &Env, o: Option<RouteOptionsJs<'_>>) -> Result<RouteOptions> {
    if let Some(RouteOptionsJs {
        explain: Some(true),
        as_columns: Some(true),
        ..
    }) = &o
    {
        return raise(
            env,
            Err(request_error(
                "`explain` needs one object per lead, not `asColumns`".into(),
                "drop `asColumns: true` to read explanations",
            )),
        );
    }
    route_options(env, o)
}

/// A batch read before it is routed, in one piece: its rows, then its results.
struct Whole {
    rows: Option<Rows>,
    out: Option<Compact>,
}

impl HostBatch for Whole {
    type Error = Infallible;

    fn read(&mut self, _: Range<usize>) -> std::result::Result<Rows, ReadError<Infallible>> {
        self.rows.take().ok_or(ReadError::OnePiece)
    }

    fn emit(&mut self, results: Results) -> std::result::Result<(), Infallible> {
        self.out = Some(Compact::of(&results));
        Ok(())
    }

    fn chunked(&self) -> bool {
        false
    }
}

/// Routes `rows` in one piece with core's batch runner; every row's result in compact form.
fn route_whole(
    engine: &Engine,
    net: &SharedNetwork,
    rows: Rows,
    instants: &Instants,
    opts: &RouteOptions,
) -> std::result::Result<Compact, ErrorReport> {
    let n = rows.len();
    let mut batch = Whole {
        rows: Some(rows),
        out: None,
    };
    match net.route_batch(engine, n, instants, opts, &mut batch) {
        Ok(()) => batch.out.ok_or_else(|| {
            request_error("internal error: no results".into(), "report this as a bug")
        }),
        Err(BatchError::Report(r)) => Err(r),
        Err(BatchError::Host(never)) => match never {},
    }
}

/// `routeBatch` of a big array (`_routeChunked`): index.js's encoder reads chunk k + 1 and
/// its result building takes chunk k - 1 on this thread while core routes chunk k.
struct Chunks<'e> {
    env: &'e Env,
    schema: &'e Schema,
    encode: &'e Function<'e, FnArgs<(u32, u32)>, Unknown<'e>>,
    emit: &'e Function<'e, FnArgs<(Array<'e>, u32)>, Unknown<'e>>,
}

/// A row number as JavaScript takes it.
fn js_row(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

impl HostBatch for Chunks<'_> {
    type Error = napi::Error;

    fn read(&mut self, rows: Range<usize>) -> std::result::Result<Rows, ReadError<napi::Error>> {
        let args = FnArgs::from((js_row(rows.start), js_row(rows.end)));
        let value = self.encode.call(args).map_err(ReadError::Host)?;
        match wire::records(value, self.schema, "leads", rows.start) {
            Ok(Ok(rows)) => Ok(rows),
            Ok(Err(report)) => Err(ReadError::Host(from_report(self.env, report))),
            Err(e) => Err(ReadError::Host(e)),
        }
    }

    fn emit(&mut self, results: Results) -> std::result::Result<(), napi::Error> {
        let js = Compact::of(&results).into_js(self.env)?;
        self.emit
            .call(FnArgs::from((js, js_row(results.start()))))?;
        Ok(())
    }
}

/// The work of `routeBatchAsync`: routing and the compact results on the libuv thread pool.
pub struct RouteLeads {
    engine: Arc<Engine>,
    net: Arc<SharedNetwork>,
    rows: Option<Rows>,
    instants: Instants,
    opts: RouteOptions,
}

impl<'task> ScopedTask<'task> for RouteLeads {
    type Output = std::result::Result<Compact, ErrorReport>;
    type JsValue = Array<'task>;

    fn compute(&mut self) -> Result<Self::Output> {
        let Some(rows) = self.rows.take() else {
            let again = request_error(
                "the batch was already routed".into(),
                "report this as a bug",
            );
            return Ok(Err(again));
        };
        Ok(route_whole(
            &self.engine,
            &self.net,
            rows,
            &self.instants,
            &self.opts,
        ))
    }

    fn resolve(&mut self, env: &'task Env, output: Self::Output) -> Result<Self::JsValue> {
        raise(env, output)?.into_js(env)
    }
}

#[napi]
impl JsNetwork {
    /// `route` (index.js): the lead as index.js encodes records; returns its decision in
    /// compact form. Routes without changing any state.
    #[napi(js_name = "_route", skip_typescript)]
    pub fn route<'env>(
        &self,
        env: &'env Env,
        lead: Unknown<'_>,
        now: Unknown<'_>,
        options: Option<RouteOptionsJs<'_>>,
    ) -> Result<Array<'env>> {
        let schema = &self.engine.plan().lead_schema;
        let rows = raise(env, wire::records(lead, schema, "leads", 0)?)?;
        let lead = match rows.records(schema).into_rows().into_iter().next() {
            Some(lead) => raise(env, lead)?,
            None => return raise(env, Err(request_error("no lead".into(), "pass one lead"))),
        };
        let now = raise(env, convert::instant(now)?)?;
        let opts = route_options(env, options)?;
        let engine = &self.engine;
        let d = self.net.read(|net| engine.route(net, &lead, now, &opts));
        let d = raise(env, d.and_then(|d| d.map_err(ErrorReport::from)))?;
        Compact::new(1, std::iter::once(Ok(d.view()))).into_js(env)
    }

    /// `routeBatch` in one piece (index.js): `encoded`, the leads as index.js encodes records
    /// (null when `leads` is not an array), `times` `now` as instants index.js packed (or
    /// null). Returns the compact results.
    #[napi(js_name = "_routeLeads", skip_typescript)]
    pub fn route_leads<'env>(
        &self,
        env: &'env Env,
        leads: Unknown<'_>,
        encoded: Option<Unknown<'_>>,
        times: Option<Float64ArraySlice<'_>>,
        now: Unknown<'_>,
        options: Option<RouteOptionsJs<'_>>,
    ) -> Result<Array<'env>> {
        let (rows, instants, opts) = self.batch_args(env, leads, encoded, times, now, options)?;
        let out = route_whole(&self.engine, &self.net, rows, &instants, &opts);
        raise(env, out)?.into_js(env)
    }

    /// `routeBatchAsync` (index.js): like `_routeLeads`, routed on the libuv thread pool.
    #[napi(js_name = "_routeLeadsAsync", skip_typescript)]
    pub fn route_leads_async(
        &self,
        env: Env,
        leads: Unknown<'_>,
        encoded: Option<Unknown<'_>>,
        times: Option<Float64ArraySlice<'_>>,
        now: Unknown<'_>,
        options: Option<RouteOptionsJs<'_>>,
    ) -> Result<AsyncTask<RouteLeads>> {
        let (rows, instants, opts) = self.batch_args(&env, leads, encoded, times, now, options)?;
        Ok(AsyncTask::new(RouteLeads {
            engine: self.engine.clone(),
            net: self.net.clone(),
            rows: Some(rows),
            instants,
            opts,
        }))
    }

    /// The arguments of a batch in one piece, read.
    fn batch_args(
        &self,
        env: &Env,
        leads: Unknown<'_>,
        encoded: Option<Unknown<'_>>,
        times: Option<Float64ArraySlice<'_>>,
        now: Unknown<'_>,
        options: Option<RouteOptionsJs<'_>>,
    ) -> Result<(Rows, Instants, RouteOptions)> {
        let opts = batch_options(env, options)?;
        let Some(encoded) = encoded else {
            let what = convert::type_name(&leads);
            return raise(
                env,
                Err(request_error(
                    format!("`leads` must be an array of objects, not {what}"),
                    "pass an array of plain objects",
                )),
            );
        };
        let schema = &self.engine.plan().lead_schema;
        let rows = raise(env, wire::records(encoded, schema, "leads", 0)?)?;
        let instants = raise(env, convert::now_arg(times, now)?)?;
        Ok((rows, instants, opts))
    }

    /// `routeColumns` (index.js): `given` is `[id, ...fields]` in schema order, each an
    /// encoded column, a typed array, undefined or the value given (null when `columns` is not
    /// an object). Returns the compact results.
    #[napi(js_name = "_routeColumns", skip_typescript)]
    pub fn route_columns<'env>(
        &self,
        env: &'env Env,
        given: Option<Object<'_>>,
        times: Option<Float64ArraySlice<'_>>,
        now: Unknown<'_>,
        options: Option<RouteOptionsJs<'_>>,
    ) -> Result<Array<'env>> {
        let Some(given) = given else {
            return raise(
                env,
                Err(request_error(
                    "`columns` must be an object of field names to arrays".into(),
                    "pass e.g. `{ id: [...], region: [...] }`",
                )),
            );
        };
        let rows = raise(env, wire::columns(given, &self.engine.plan().lead_schema)?)?;
        let instants = raise(env, convert::now_arg(times, now)?)?;
        let mut opts = route_options(env, options)?;
        opts.explain = false;
        let out = route_whole(&self.engine, &self.net, rows, &instants, &opts);
        raise(env, out)?.into_js(env)
    }

    /// The lead schema's field names, in order (for index.js's encoder).
    #[napi(getter, js_name = "_leadFields", skip_typescript)]
    pub fn lead_fields(&self) -> Vec<String> {
        let schema = &self.engine.plan().lead_schema;
        schema.fields.iter().map(|f| f.name.clone()).collect()
    }

    /// The smallest batch that index.js routes with `_routeChunked` (core's).
    #[napi(getter, js_name = "_chunkMinLeads", skip_typescript)]
    pub fn chunk_min_leads(&self) -> u32 {
        js_row(MIN_CHUNKED)
    }

    /// `routeBatch` of `n` leads with core's batch runner, in chunks on two threads when it is
    /// big: `encodeChunk(a, b)` returns leads `a..b` as index.js encodes records, `emit(compact,
    /// a)` receives the compact results of the rows from `a`, in order; `times` and `now` as
    /// for `_routeLeads`. Returns `true`; throws the error of the encoder or of `emit`, or of
    /// the batch, with the network's state as it was before the call.
    #[napi(js_name = "_routeChunked", skip_typescript)]
    #[allow(
        clippy::too_many_arguments,
        reason = "the JavaScript method's arguments and the environment (`expect` is left \
                  unfulfilled in the copy napi's macro makes)"
    )]
    pub fn route_chunked(
        &self,
        env: &Env,
        n: u32,
        encode_chunk: Function<'_, FnArgs<(u32, u32)>, Unknown<'_>>,
        emit: Function<'_, FnArgs<(Array<'_>, u32)>, Unknown<'_>>,
        times: Option<Float64ArraySlice<'_>>,
        now: Unknown<'_>,
        options: Option<RouteOptionsJs<'_>>,
    ) -> Result<bool> {
        let opts = batch_options(env, options)?;
        let instants = raise(env, convert::now_arg(times, now)?)?;
        let mut batch = Chunks {
            env,
            schema: &self.engine.plan().lead_schema,
            encode: &encode_chunk,
            emit: &emit,
        };
        match self
            .net
            .route_batch(&self.engine, n as usize, &instants, &opts, &mut batch)
        {
            Ok(()) => Ok(true),
            Err(BatchError::Host(e)) => Err(e),
            Err(BatchError::Report(r)) => raise(env, Err(r)),
        }
    }

    /// The partners' routing state: `{ seq, partners: [{ id, active_leads, last_assigned_at,
    /// last_seq, assigned, version }] }` (ids ascending).
    #[napi(ts_return_type = "NetworkState")]
    pub fn state<'env>(&self, env: &'env Env) -> Result<Unknown<'env>> {
        let st = raise(env, self.net.read(Network::export_state))?;
        env.to_js_value(&st)
    }

    /// Loads a state exported by `state()` (e.g. from the host's database).
    #[napi(ts_args_type = "state: NetworkState")]
    pub fn load_state(&self, env: Env, state: Unknown<'_>) -> Result<()> {
        let help = "pass the object that `network.state()` returned";
        let json = match convert::fields_json(state)? {
            Ok(j) => j,
            // a value without a JSON form inside the state: named by its key
            Err((Some(key), why)) => {
                return raise(
                    &env,
                    Err(host::unreadable(
                        NODE,
                        host::Owner::Record("state"),
                        &key,
                        &why,
                    )),
                )
            }
            Err((None, _)) => {
                let e = request_error(
                    "`state` must be an object as returned by `state()`".into(),
                    help,
                );
                return raise(&env, Err(e));
            }
        };
        let st: NetworkState = raise(
            &env,
            serde_json::from_value(json)
                .map_err(|e| request_error(format!("the state is not valid: {e}"), help)),
        )?;
        let done = self.net.write(|net| net.import_state(&st));
        raise(&env, done.and_then(|r| r.map_err(ErrorReport::from)))
    }

    /// The number of partners.
    #[napi(getter)]
    pub fn length(&self, env: Env) -> Result<u32> {
        Ok(js_row(raise(&env, self.net.read(Network::len))?))
    }
}
