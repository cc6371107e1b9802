//! `Network` (partners and their routing state): a thin wrapper over core's
//! [`SharedNetwork`]. The batches are core's ([`SharedNetwork::route_batch`]: the lock, the
//! busy marker, chunks on two threads, the state put back on failure); this file hands core
//! the leads index.js encoded ([`wire::records`], [`wire::columns`]) and hands index.js the
//! results as core's arrays ([`wire::results_js`]), from which it builds the result objects.

use std::ops::Range;
use std::sync::Arc;

use leadrail_core::api::request_error;
use leadrail_core::host::{
    self, batch_options, state_from_json, BatchError, HostBatch, Instants, Owner, ReadError,
    ResultArrays, Results, Rows, SharedNetwork, MIN_CHUNKED,
};
use leadrail_core::network::Network;
use leadrail_core::report::ErrorReport;
use leadrail_core::route::{Engine, RouteOptions};
use leadrail_core::schema::Schema;
use napi::bindgen_prelude::*;
use napi::bindgen_prelude::{FnArgs, Function};
use napi::ScopedTask;
use napi_derive::napi;

use crate::convert::{self, NODE};
use crate::errors::{from_report, raise};
use crate::wire::{self, results_js};

/// Partners and their routing state, bound to the engine that built it.
#[napi(js_name = "Network")]
pub struct JsNetwork {
    pub(crate) engine: Arc<Engine>,
    pub(crate) net: Arc<SharedNetwork>,
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
    #[napi(ts_type = "ReadonlyArray<string>")]
    pub exclude: Option<Unknown<'a>>,
    /// `routeBatch` and `routeBatchAsync`: return the columns of `routeColumns` rather than
    /// one object per lead (the same decisions, for much less; not with `explain`).
    pub as_columns: Option<bool>,
    /// Read string values as CSV cells, as a CSV parser gives them (`a|b` sets, `US except
    /// US-AK` territories, `k=v|k2=v2` maps, `lat lon` points, `42`; empty cells missing).
    pub text_cells: Option<bool>,
}

/// Whether a call's options ask for text cells.
pub(crate) fn text_cells(o: &Option<RouteOptionsJs<'_>>) -> bool {
    o.as_ref().and_then(|o| o.text_cells).unwrap_or(false)
}

/// `rows`, read as text cells when `text` (core's `Rows::text_cells`).
pub(crate) fn cells(rows: Rows, schema: &Schema, text: bool) -> Rows {
    match text {
        true => rows.text_cells(schema),
        false => rows,
    }
}

/// The options of a call; `batch`: of a batch call (where `asColumns` is read too).
pub(crate) fn route_options(
    env: &Env,
    o: Option<RouteOptionsJs<'_>>,
    batch: bool,
) -> Result<RouteOptions> {
    let Some(o) = o else {
        return Ok(RouteOptions::default());
    };
    let explain = o.explain.unwrap_or(false);
    let as_columns = batch && o.as_columns.unwrap_or(false);
    let mut opts = raise(env, batch_options(explain, as_columns))?;
    if let Some(e) = o.exclude {
        opts.exclude = raise(env, convert::exclude(e)?)?;
    }
    Ok(opts)
}

/// `routeBatch` of a big array (`_routeChunked`): index.js's encoder reads chunk k + 1 and
/// its result building takes chunk k - 1 on this thread while core routes chunk k.
struct Chunks<'e> {
    env: &'e Env,
    schema: &'e Schema,
    encode: &'e Function<'e, FnArgs<(u32, u32)>, Unknown<'e>>,
    emit: &'e Function<'e, FnArgs<(Array<'e>, u32)>, Unknown<'e>>,
    text: bool,
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
            Ok(Ok(rows)) => Ok(cells(rows, self.schema, self.text)),
            Ok(Err(report)) => Err(ReadError::Host(from_report(self.env, report))),
            Err(e) => Err(ReadError::Host(e)),
        }
    }

    fn emit(&mut self, results: Results) -> std::result::Result<(), napi::Error> {
        let start = js_row(results.start());
        let js = results_js(results.into_arrays(), self.env)?;
        self.emit.call(FnArgs::from((js, start)))?;
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
    type Output = std::result::Result<ResultArrays, ErrorReport>;
    type JsValue = Array<'task>;

    fn compute(&mut self) -> Result<Self::Output> {
        let Some(rows) = self.rows.take() else {
            let again = request_error("the batch was already routed".into(), "report a bug");
            return Ok(Err(again));
        };
        let out = self
            .net
            .route_rows(&self.engine, rows, &self.instants, &self.opts);
        Ok(out.map(Results::into_arrays))
    }

    fn resolve(&mut self, env: &'task Env, output: Self::Output) -> Result<Self::JsValue> {
        results_js(raise(env, output)?, env)
    }
}

#[napi]
impl JsNetwork {
    /// `route` and `assign` (index.js): `values`, the lead's id and fields in schema order as
    /// index.js read them (null when `lead` is not a record, which core reports); returns its
    /// decision (core's serde form). `record` false: routes without changing any state; true:
    /// routes and records (a one-lead `routeBatch`, and the partner holds the lead until
    /// `release`).
    #[napi(js_name = "_route", skip_typescript)]
    pub fn route<'env>(
        &self,
        env: &'env Env,
        values: Option<Object<'_>>,
        lead: Unknown<'_>,
        now: Unknown<'_>,
        options: Option<RouteOptionsJs<'_>>,
        record: Option<bool>,
    ) -> Result<Unknown<'env>> {
        let schema = &self.engine.plan().lead_schema;
        let rows = wire::record(lead, values, schema)?;
        let rows = cells(rows, schema, text_cells(&options));
        let lead = raise(env, rows.records(schema).into_one())?;
        let now = raise(env, convert::instant(now)?)?;
        let opts = route_options(env, options, false)?;
        let record = record.unwrap_or(false);
        let decision = self.net.route_lead(&self.engine, &lead, now, &opts, record);
        env.to_js_value(&raise(env, decision)?)
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
        let out = self.net.route_rows(&self.engine, rows, &instants, &opts);
        results_js(raise(env, out)?.into_arrays(), env)
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
        let text = text_cells(&options);
        let opts = route_options(env, options, true)?;
        let Some(encoded) = encoded else {
            return raise(
                env,
                Err(host::not_records("leads", convert::type_name(&leads))),
            );
        };
        let schema = &self.engine.plan().lead_schema;
        let rows = raise(env, wire::records(encoded, schema, "leads", 0)?)?;
        let instants = raise(env, convert::now_arg(times, now)?)?;
        Ok((cells(rows, schema, text), instants, opts))
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
            return raise(env, Err(host::not_columns()));
        };
        let schema = &self.engine.plan().lead_schema;
        let rows = cells(
            raise(env, wire::columns(given, schema)?)?,
            schema,
            text_cells(&options),
        );
        let instants = raise(env, convert::now_arg(times, now)?)?;
        let mut opts = route_options(env, options, false)?;
        opts.explain = false;
        let out = self.net.route_rows(&self.engine, rows, &instants, &opts);
        results_js(raise(env, out)?.into_arrays(), env)
    }

    /// The lead schema's field names, in order (for index.js's encoder).
    #[napi(getter, js_name = "_leadFields", skip_typescript)]
    pub fn lead_fields(&self) -> Vec<String> {
        self.engine.plan().lead_schema.names()
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
        let text = text_cells(&options);
        let opts = route_options(env, options, true)?;
        let instants = raise(env, convert::now_arg(times, now)?)?;
        let mut batch = Chunks {
            env,
            schema: &self.engine.plan().lead_schema,
            encode: &encode_chunk,
            emit: &emit,
            text,
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
        let json = match convert::fields_json(state)? {
            Ok(j) => Ok(j),
            // a value without a JSON form inside the state: named by its key
            Err((Some(key), why)) => {
                Err(host::unreadable(NODE, Owner::Record("state"), &key, &why))
            }
            Err((None, _)) => Err(host::not_a_state()),
        };
        let st = raise(&env, json.and_then(state_from_json))?;
        let done = self.net.write(|net| net.import_state(&st));
        raise(&env, done.and_then(|r| r.map_err(ErrorReport::from)))
    }

    /// The number of partners.
    #[napi(getter)]
    pub fn length(&self, env: Env) -> Result<u32> {
        Ok(js_row(raise(&env, self.net.read(Network::len))?))
    }
}
