//! `leadrail route`: compile the rules, load the partner network (and the saved routing state),
//! route the leads in the order given (each assignment updating workload and round-robin state)
//! and write one result per lead.
//!
//! Leads are streamed through three threads: one reads, parses and prepares chunks of 8,192
//! leads, one routes them in order, one writes the routed chunks (and frees them), so memory
//! follows a few chunks (and the network), not the input or the output, and the output is the
//! same as routing all leads in one batch. Repeated cells are parsed once (core's
//! `CellCache`) and rows are written from cached tails into a reused buffer (`tails.rs`).
//!
//! Exit codes: 0 every lead routed; 1 the rule file has errors; 2 an input is unreadable, a
//! partner is malformed (nothing is routed), some leads are malformed or refused (each is an
//! `error` row in the output and is reported on stderr with file, line and field; the other
//! leads are routed), the lead input breaks off midway (the leads before the break are routed
//! and written, the output is closed), the state file is unreadable or cannot be saved, or the
//! output cannot be written.

use std::io;
use std::path::PathBuf;
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::Arc;

use leadrail_core::network::Network;
use leadrail_core::record::{CellCache, DataError, Record, RecordRef, TextHeader};
use leadrail_core::report::ErrorReport;
use leadrail_core::route::{Engine, LeadBatch, OutcomeRef, RouteOptions, RoutedBatch, Times};
use leadrail_core::schema::{Field, Schema};
use leadrail_core::value::{EpochMs, Type, Value};

use crate::decisions::{Decisions, OutputFormat};
use crate::input::{self, Format, Input, Origin, Raw, Stopped};
use crate::output;
use crate::progress::Progress;
use crate::{rules, state};

/// When the leads arrive.
#[derive(Debug)]
pub enum Now {
    /// All at this instant (RFC 3339); `None` is the current time.
    At(Option<String>),
    /// Each at the instant in this column (or field) of the lead.
    Column(String),
}

/// The arguments of `leadrail route`.
#[derive(Debug)]
pub struct RouteArgs {
    /// The rule file.
    pub rules: PathBuf,
    /// The partners (`-`: standard input).
    pub partners: PathBuf,
    /// The leads (`-`: standard input).
    pub leads: PathBuf,
    /// The format of inputs whose name does not give it.
    pub input_format: Option<Format>,
    /// When the leads arrive.
    pub now: Now,
    /// The routing state file.
    pub state: Option<PathBuf>,
    /// Registrations, accounts and open leads to check each lead against (`conflicts.rs`).
    pub registry: Option<PathBuf>,
    /// Explain decisions.
    pub explain: bool,
    /// Output format.
    pub format: OutputFormat,
    /// The output (`-`: standard output).
    pub output: PathBuf,
}

/// Leads read, prepared and routed per chunk.
const CHUNK: usize = 8_192;

/// Run `route`; returns the exit code.
pub fn run(args: &RouteArgs) -> u8 {
    match Setup::new(args) {
        Ok(setup) => setup.run(args),
        Err(code) => code,
    }
}

/// Everything a run needs before its first lead.
struct Setup {
    engine: Engine,
    network: Network,
    leads: Input,
    now: When,
    registry: Option<leadrail_core::dealreg::Registry>,
}

/// The instants of the leads.
pub(crate) enum When {
    At(EpochMs),
    /// Read per lead, as a required datetime field of a one-field schema (so the errors are
    /// core's, naming the record and the column).
    Column(Schema),
}

impl Setup {
    fn new(args: &RouteArgs) -> Result<Setup, u8> {
        let usage = |e: String| {
            eprintln!("error: {e}");
            2u8
        };
        input::one_stdin([args.partners.as_path(), args.leads.as_path()]).map_err(usage)?;
        let partners =
            Input::new(&args.partners, args.input_format).map_err(|e| usage(e.to_string()))?;
        let leads = Input::new(&args.leads, args.input_format).map_err(|e| usage(e.to_string()))?;
        leads.check().map_err(|e| usage(e.to_string()))?;
        let compiled = rules::compile(&args.rules)?;
        let now = match &args.now {
            Now::At(text) => When::At(parse_now(text.as_deref()).map_err(usage)?),
            Now::Column(name) => When::Column(Schema {
                fields: vec![Field {
                    name: name.clone(),
                    ty: Type::DateTime,
                    optional: false,
                }],
            }),
        };
        let plan = Arc::new(compiled.plan);
        let engine = Engine::new(Arc::clone(&plan)).map_err(|e| {
            eprintln!("error: {}: {e}", input::name(&args.rules));
            1u8
        })?;
        let (records, bad) = load(&partners, &plan.partner_schema)?;
        if bad > 0 {
            return Err(usage(format!(
                "{}: {bad} malformed partner record(s); nothing was routed",
                partners.name()
            )));
        }
        let mut network = Network::for_plan(&plan, records)
            .map_err(|e| usage(format!("{}: {e}", partners.name())))?;
        if let Some(path) = &args.state {
            state::load(path, &mut network).map_err(|e| {
                eprintln!("error: {}", e.message);
                eprintln!("  help: {}", e.help);
                2u8
            })?;
        }
        let registry = match &args.registry {
            Some(path) => Some(crate::conflicts::load(path, args.input_format)?),
            None => None,
        };
        Ok(Setup {
            engine,
            network,
            leads,
            now,
            registry,
        })
    }

    fn run(mut self, args: &RouteArgs) -> u8 {
        let out = match output::open(&args.output) {
            Ok(o) => o,
            Err(code) => return code,
        };
        let progress = Progress::new("leads");
        let opts = RouteOptions {
            explain: args.explain,
            exclude: Vec::new(),
        };
        let mut writer = Writer {
            out: Decisions::new(out, args.format, args.explain)
                .with_conflicts(self.registry.is_some()),
            progress: &progress,
            leads: &self.leads,
            counts: Counts::default(),
        };
        let (tx, rx) = sync_channel::<Ready>(2);
        let (routed_tx, routed_rx) = sync_channel::<Routed>(2);
        let (engine, leads, now) = (&self.engine, &self.leads, &self.now);
        let (network, registry) = (&mut self.network, self.registry.as_mut());
        let (read, written) = std::thread::scope(|s| {
            let progress = &progress;
            let reader = s.spawn(move || read_chunks(engine, leads, now, progress, tx));
            let writer = s.spawn(move || writer.write_all(routed_rx).map(|()| writer));
            route_all(engine, (network, registry), now, &opts, rx, routed_tx);
            (reader.join(), writer.join())
        });
        progress.finish();
        let mut code = 0;
        match read {
            Ok(Ok(())) => {}
            // the reader stopped with this code (the reason printed), or with 0 when the
            // writer stopped first (its exit code is below)
            Ok(Err(Stopped::Exit(c))) => code = c,
            Ok(Err(Stopped::Read(e))) => {
                // the leads before the error are routed and written; the run fails
                eprintln!("error: {e}");
                code = 2;
            }
            Err(_) => {
                eprintln!("error: internal error: the thread reading the leads stopped");
                code = 2;
            }
        }
        let mut writer = match written {
            Ok(Ok(w)) => w,
            Ok(Err(e)) => return output::failed(&e),
            Err(_) => {
                eprintln!("error: internal error: the thread writing the results stopped");
                return 2;
            }
        };
        if let Err(e) = writer.out.end() {
            return output::failed(&e);
        }
        let c = &writer.counts;
        eprintln!(
            "{} lead(s): {} to a partner, {} to a queue or unrouted, {} with errors",
            c.ok + c.failed + c.bad,
            c.routed,
            c.ok - c.routed,
            c.bad + c.failed
        );
        if code == 0 {
            if let Some(path) = &args.state {
                if let Err(e) = state::save(path, &self.network) {
                    eprintln!("error: {}", e.message);
                    eprintln!("  help: {}", e.help);
                    return 2;
                }
            }
        }
        if c.bad + c.failed > 0 {
            return 2;
        }
        code
    }
}

/// A malformed row: its lead's id (if it has one) and the error.
pub(crate) type Bad = Box<(Option<Arc<str>>, ErrorReport)>;

/// A chunk of leads as read: every row in order (its origin and, for a malformed row, its
/// error), the good rows' records and, with `--now-column`, their instants.
struct Chunk {
    rows: Vec<(Origin, Option<Bad>)>,
    records: Vec<Record>,
    times: Vec<EpochMs>,
}

/// A chunk ready to route.
pub(crate) struct Ready {
    pub(crate) rows: Vec<(Origin, Option<Bad>)>,
    pub(crate) batch: LeadBatch,
    pub(crate) times: Vec<EpochMs>,
}

impl Chunk {
    /// An empty chunk with room for [`CHUNK`] rows.
    fn new() -> Chunk {
        Chunk {
            rows: Vec::with_capacity(CHUNK),
            records: Vec::with_capacity(CHUNK),
            times: Vec::new(),
        }
    }

    fn prepare(self, engine: &Engine) -> Ready {
        Ready {
            rows: self.rows,
            batch: engine.prepare_leads(self.records),
            times: self.times,
        }
    }
}

/// Reads the leads, parses and prepares them chunk by chunk and sends the chunks to the
/// routing thread (runs on its own thread). Stops when the routing thread has gone.
fn read_chunks(
    engine: &Engine,
    leads: &Input,
    now: &When,
    progress: &Progress,
    tx: SyncSender<Ready>,
) -> Result<(), Stopped> {
    let mut parser = Parser::new(&engine.plan().lead_schema);
    let mut instants = match now {
        When::Column(s) => Some(Parser::new(s)),
        When::At(_) => None,
    };
    let mut chunk = Chunk::new();
    let mut index = 0usize;
    let mut checked = false;
    let read = leads.each(progress, |headers, origin, raw| {
        if let (When::Column(s), false) = (now, checked) {
            checked = true;
            let column = s.fields.first().map_or("", |f| f.name.as_str());
            if !headers.is_empty() && !headers.contains(&column) {
                progress.eprintln(&format!(
                    "error: {}:1: the header row has no `{column}` column (named by \
                     --now-column)",
                    leads.name()
                ));
                return Err(2);
            }
        }
        index += 1;
        let parsed = parser
            .parse(headers, raw, index)
            .map_err(bad)
            .and_then(|record| match &mut instants {
                None => Ok((record, None)),
                Some(p) => instant(p, headers, raw, index).map(|t| (record, Some(t))),
            });
        match parsed {
            Ok((record, t)) => {
                chunk.records.push(record);
                chunk.times.extend(t);
                chunk.rows.push((origin, None));
            }
            Err(e) => chunk.rows.push((origin, Some(e))),
        }
        if chunk.rows.len() >= CHUNK {
            let full = std::mem::replace(&mut chunk, Chunk::new()).prepare(engine);
            tx.send(full).map_err(|_| 0u8)?;
        }
        Ok(())
    });
    // the leads before a broken input are routed too
    if !chunk.rows.is_empty() && !matches!(read, Err(Stopped::Exit(_))) {
        let _ = tx.send(chunk.prepare(engine));
    }
    read
}

/// A malformed row's error.
fn bad(e: DataError) -> Bad {
    let lead = match e.record() {
        RecordRef::Id(id) => Some(Arc::clone(id)),
        RecordRef::Position(_) => None,
    };
    Box::new((lead, ErrorReport::from(e)))
}

/// A lead's instant from its `--now-column`.
fn instant(
    parser: &mut Parser<'_>,
    headers: &[&str],
    raw: Raw<'_>,
    index: usize,
) -> Result<EpochMs, Bad> {
    let record = parser.parse(headers, raw, index).map_err(bad)?;
    match record.values.first() {
        Some(Value::DateTime(t)) => Ok(*t),
        // (a required datetime field parses to a datetime or fails)
        _ => Err(Box::new((
            Some(record.id),
            ErrorReport::request(
                "internal error: the instant of the lead was not read",
                "report this as a bug in leadrail",
            ),
        ))),
    }
}

/// Writes the results; counts what happened.
pub(crate) struct Writer<'a> {
    pub(crate) out: Decisions<output::Output>,
    pub(crate) progress: &'a Progress,
    leads: &'a Input,
    pub(crate) counts: Counts,
}

/// A routed chunk, ready to write.
struct Routed {
    ready: Ready,
    routed: RoutedBatch,
    /// With `--registry`: each lead's decision and conflict (`conflicts.rs`), `routed` empty.
    checked: Option<crate::conflicts::Checked>,
}

/// Routes the chunks as they arrive (on the calling thread) and hands them to the writing
/// thread, in order. Stops when the reading thread is done or the writing thread has gone.
fn route_all(
    engine: &Engine,
    (network, mut registry): (&mut Network, Option<&mut leadrail_core::dealreg::Registry>),
    now: &When,
    opts: &RouteOptions,
    rx: Receiver<Ready>,
    tx: SyncSender<Routed>,
) {
    for ready in rx {
        let checked = registry
            .as_deref_mut()
            .map(|r| crate::conflicts::route(engine, network, r, &ready, now, opts));
        let times = match now {
            When::At(t) => Times::At(*t),
            When::Column(_) => Times::Each(&ready.times),
        };
        // (with `--registry` the leads are routed above, this batch is empty)
        let none = checked.as_ref().map(|_| engine.prepare_leads(Vec::new()));
        let batch = none.as_ref().unwrap_or(&ready.batch);
        let routed = engine.route_prepared_compact(network, batch, times, opts);
        if tx
            .send(Routed {
                ready,
                routed,
                checked,
            })
            .is_err()
        {
            return;
        }
    }
}

impl Writer<'_> {
    /// Writes the routed chunks as they arrive (on its own thread), in order; frees them.
    fn write_all(&mut self, rx: Receiver<Routed>) -> io::Result<()> {
        for Routed {
            ready,
            routed,
            checked,
        } in rx
        {
            if let Some(checked) = checked {
                self.checked(ready, checked)?;
                continue;
            }
            let mut views = routed.views();
            let records = ready.batch.leads();
            let mut leads = records.iter();
            for (origin, bad) in ready.rows {
                if let Some(e) = bad {
                    self.counts.bad += 1;
                    let (lead, report) = &*e;
                    self.report(origin, report);
                    self.out.error(lead.as_deref(), report)?;
                    continue;
                }
                let (Some(lead), Some(view)) = (leads.next(), views.next()) else {
                    return Err(io::Error::other("internal error: a decision went missing"));
                };
                match view {
                    Ok(d) => {
                        self.counts.ok += 1;
                        if matches!(d.outcome, OutcomeRef::Partner(_)) {
                            self.counts.routed += 1;
                        }
                        self.out.decision(&lead.id, &d)?;
                    }
                    Err(report) => {
                        self.counts.failed += 1;
                        self.report(origin, report);
                        self.out.error(Some(&lead.id), report)?;
                    }
                }
            }
            let c = &self.counts;
            self.progress.done(c.ok + c.failed + c.bad);
        }
        Ok(())
    }

    /// Reports a lead's error on stderr: where it is and what is wrong (the message names the
    /// lead and the field), and the help.
    pub(crate) fn report(&self, origin: Origin, e: &ErrorReport) {
        self.progress
            .eprintln(&format!("error: {}: {}", self.leads.at(origin), e.message));
        if let Some(help) = e.help.as_deref().filter(|h| !h.is_empty()) {
            self.progress.eprintln(&format!("  help: {help}"));
        }
    }
}

/// What happened to the leads so far.
#[derive(Debug, Default)]
pub(crate) struct Counts {
    /// Routed (to a partner, a queue or unrouted).
    pub(crate) ok: usize,
    /// Routed to a partner.
    pub(crate) routed: usize,
    /// Refused by the engine.
    pub(crate) failed: usize,
    /// Malformed rows.
    pub(crate) bad: usize,
}

/// The routing instant: RFC 3339 with an offset, or the current time.
pub(crate) fn parse_now(now: Option<&str>) -> Result<EpochMs, String> {
    match now {
        Some(text) => chrono::DateTime::parse_from_rfc3339(text)
            .map(|t| t.timestamp_millis())
            .map_err(|e| {
                format!(
                    "--now `{text}` is not an RFC 3339 instant ({e}); e.g. `2026-11-24T09:00:00Z`"
                )
            }),
        None => {
            #[expect(
                clippy::disallowed_methods,
                reason = "the CLI is a host: it is where `now` comes from when not given"
            )]
            let since = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
            since
                .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
                .map_err(|e| format!("the system clock is before 1970: {e}"))
        }
    }
}

/// Reads the partners and parses them against `schema`. Malformed records are reported (file,
/// line, record, field) and counted, not returned. An unreadable input gives `Err(2)`.
fn load(input: &Input, schema: &Schema) -> Result<(Vec<Record>, usize), u8> {
    let mut records = Vec::new();
    let mut bad = 0usize;
    let mut index = 0usize;
    let mut parser = Parser::new(schema);
    let read = input.each(&Progress::off(), |headers, origin, raw| {
        index += 1;
        match parser.parse(headers, raw, index) {
            Ok(r) => records.push(r),
            Err(e) => {
                bad += 1;
                eprintln!("error: {}: {e}", input.at(origin));
                if let Some(help) = e.help() {
                    eprintln!("  help: {help}");
                }
            }
        }
        Ok(())
    });
    match read {
        Ok(()) => Ok((records, bad)),
        Err(Stopped::Exit(c)) => Err(c),
        Err(Stopped::Read(e)) => {
            eprintln!("error: {e}");
            Err(2)
        }
    }
}

/// Parses the records of one input against a schema (a CSV header is resolved once).
struct Parser<'a> {
    schema: &'a Schema,
    header: Option<TextHeader<'a>>,
    /// The values of repeated cells (a CSV file's regions, product lines, enum symbols).
    cells: CellCache,
}

impl<'a> Parser<'a> {
    fn new(schema: &'a Schema) -> Parser<'a> {
        Parser {
            schema,
            header: None,
            cells: CellCache::new(),
        }
    }

    /// One record (`index`: its 1-based position in the input).
    fn parse(&mut self, headers: &[&str], raw: Raw<'_>, index: usize) -> Result<Record, DataError> {
        match raw {
            Raw::Cells(cells) => {
                let schema = self.schema;
                self.header
                    .get_or_insert_with(|| TextHeader::new(schema, headers))
                    .record_cached(cells, index, &mut self.cells)
            }
            Raw::Json(v) => Record::from_json_at(self.schema, v, index),
        }
    }
}
