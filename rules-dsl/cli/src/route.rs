//! `leadrail route`: compile the rules, load the partner network, route the leads in file order
//! (each assignment updating workload and round-robin state) and print one decision per lead.
//!
//! Leads are streamed: read, routed and written in chunks of 1,024, so memory follows a chunk
//! (and the network), not the lead file or the output; the output is the same as routing all
//! leads in one batch.
//!
//! Exit codes: 0 every lead routed; 1 the rule file has errors; 2 a data file is unreadable, a
//! partner is malformed (nothing is routed), some lead rows are malformed (they are reported
//! with file, line and field; the other leads are routed), the lead file breaks off midway (the
//! leads before the break are routed and written, the output is closed), or the output cannot
//! be written.

use std::io::{self, Write};
use std::path::PathBuf;
use std::sync::Arc;

use leadrail_core::network::Network;
use leadrail_core::record::{DataError, Record};
use leadrail_core::report::ErrorReport;
use leadrail_core::route::{Decision, Engine, Outcome, RouteOptions, Times};
use leadrail_core::schema::Schema;
use leadrail_core::value::EpochMs;

use crate::input::{self, Origin, Raw};
use crate::OutputFormat;
use crate::{output, render};

/// The arguments of `leadrail route`.
#[derive(Debug)]
pub struct RouteArgs {
    /// The rule file.
    pub rules: PathBuf,
    /// The partner file.
    pub partners: PathBuf,
    /// The lead file.
    pub leads: PathBuf,
    /// The routing instant (RFC 3339); `None` is the current time.
    pub now: Option<String>,
    /// Explain decisions.
    pub explain: bool,
    /// Output format.
    pub format: OutputFormat,
}

/// Run `route`; returns the exit code.
pub fn run(args: &RouteArgs) -> u8 {
    let name = args.rules.display().to_string();
    let source = match std::fs::read_to_string(&args.rules) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: cannot read {name}: {e}");
            return 2;
        }
    };
    let compiled = match leadrail_dsl::compile(&source, &name) {
        Ok(c) => c,
        Err(errors) => {
            for d in errors.iter() {
                eprint!("{}", render::diagnostic(d));
            }
            return 1;
        }
    };
    for w in &compiled.warnings {
        eprint!("{}", render::diagnostic(w));
    }
    let now = match parse_now(args.now.as_deref()) {
        Ok(t) => t,
        Err(msg) => {
            eprintln!("error: {msg}");
            return 2;
        }
    };
    let plan = Arc::new(compiled.plan);
    let engine = match Engine::new(Arc::clone(&plan)) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("error: {name}: {e}");
            return 1;
        }
    };

    let (partners, bad) = match load(&args.partners, &plan.partner_schema) {
        Ok(x) => x,
        Err(code) => return code,
    };
    if bad > 0 {
        eprintln!(
            "error: {}: {bad} malformed partner record(s); nothing was routed",
            args.partners.display()
        );
        return 2;
    }
    let mut network = match Network::for_plan(&plan, partners) {
        Ok(n) => n,
        Err(e) => {
            eprintln!("error: {}: {e}", args.partners.display());
            return 2;
        }
    };
    let opts = RouteOptions {
        explain: args.explain,
        exclude: Vec::new(),
    };
    // Leads are read, routed and written in chunks (each chunk's decisions dropped once
    // written), so memory follows the chunk, not the file; routing chunk after chunk applies
    // every assignment in file order, as one batch would.
    let schema = &plan.lead_schema;
    let mut rows = Rows::new(output::stdout(), args.format, args.explain);
    let mut counts = Counts::default();
    let mut chunk: Vec<Record> = Vec::with_capacity(CHUNK);
    let mut index = 0usize;
    let leads_path = args.leads.as_path();
    let mut route_chunk = |chunk: &mut Vec<Record>, rows: &mut Rows<_>, counts: &mut Counts| {
        let results = engine.route_batch(&mut network, chunk, Times::At(now), &opts);
        counts.tally(leads_path, chunk, &results);
        let written = rows.write(chunk, &results);
        chunk.clear();
        written.map_err(|e| output::failed(&e))
    };
    let read = input::each(leads_path, |headers, origin, raw| {
        index += 1;
        match parse_record(schema, headers, &raw, index) {
            Ok(r) => chunk.push(r),
            Err(e) => {
                counts.bad += 1;
                report_data_error(leads_path, &origin, &e);
            }
        }
        if chunk.len() >= CHUNK {
            route_chunk(&mut chunk, &mut rows, &mut counts)?;
        }
        Ok(())
    });
    let mut code = 0;
    match read {
        Ok(()) => {}
        Err(input::Stopped::Exit(c)) => return c,
        Err(input::Stopped::Read(e)) => {
            // the leads before the error are routed and written; the run fails
            eprintln!("error: {e}");
            code = 2;
        }
    }
    if let Err(c) = route_chunk(&mut chunk, &mut rows, &mut counts) {
        return c;
    }
    let written = rows.end();
    if let Err(c) = output::finish(written, &mut rows.out) {
        return c;
    }
    eprintln!(
        "{} lead(s): {} to a partner, {} to a queue or unrouted, {} with errors",
        counts.ok + counts.failed + counts.bad,
        counts.routed,
        counts.ok - counts.routed,
        counts.bad + counts.failed
    );
    if counts.bad + counts.failed > 0 {
        2
    } else {
        code
    }
}

/// Leads routed per chunk.
const CHUNK: usize = 1024;

/// What happened to the leads so far.
#[derive(Debug, Default)]
struct Counts {
    /// Routed (to a partner, a queue or unrouted).
    ok: usize,
    /// Routed to a partner.
    routed: usize,
    /// Rejected by the engine.
    failed: usize,
    /// Malformed rows.
    bad: usize,
}

impl Counts {
    fn tally(
        &mut self,
        path: &std::path::Path,
        leads: &[Record],
        results: &[Result<Decision, ErrorReport>],
    ) {
        for (lead, r) in leads.iter().zip(results) {
            match r {
                Ok(d) => {
                    self.ok += 1;
                    if matches!(d.outcome, Outcome::Partner { .. }) {
                        self.routed += 1;
                    }
                }
                Err(e) => {
                    self.failed += 1;
                    eprintln!(
                        "error: {}: lead `{}`: {}",
                        path.display(),
                        lead.id,
                        e.message
                    );
                }
            }
        }
    }
}

/// The decisions written as they come: CSV rows, or the items of one JSON array (`[`, the items
/// separated by `,`, `]`; the same bytes as pretty-printing the whole array at once).
struct Rows<W: Write> {
    out: W,
    format: OutputFormat,
    explain: bool,
    started: bool,
    items: usize,
    buf: Vec<u8>,
}

impl<W: Write> Rows<W> {
    fn new(out: W, format: OutputFormat, explain: bool) -> Rows<W> {
        Rows {
            out,
            format,
            explain,
            started: false,
            items: 0,
            buf: Vec::new(),
        }
    }

    /// Writes the header (CSV) or `[` (JSON) once, before the first rows or at the end.
    fn start(&mut self) -> io::Result<()> {
        if self.started {
            return Ok(());
        }
        self.started = true;
        match self.format {
            OutputFormat::Csv => {
                let mut header = vec!["lead", "outcome", "target", "rule"];
                if self.explain {
                    header.push("why");
                }
                let mut w = csv::Writer::from_writer(&mut self.out);
                w.write_record(&header).map_err(csv_io)?;
                w.flush()
            }
            OutputFormat::Json => self.out.write_all(b"["),
        }
    }

    fn write(
        &mut self,
        leads: &[Record],
        results: &[Result<Decision, ErrorReport>],
    ) -> io::Result<()> {
        if leads.is_empty() {
            return Ok(());
        }
        self.start()?;
        match self.format {
            OutputFormat::Csv => {
                let mut w = csv::Writer::from_writer(&mut self.out);
                for (lead, r) in leads.iter().zip(results) {
                    w.write_record(csv_row(lead, r, self.explain))
                        .map_err(csv_io)?;
                }
                w.flush()
            }
            OutputFormat::Json => {
                for (lead, r) in leads.iter().zip(results) {
                    let item = match r {
                        Ok(d) => serde_json::json!({ "lead": lead.id, "decision": d }),
                        Err(e) => serde_json::json!({ "lead": lead.id, "error": e }),
                    };
                    self.buf.clear();
                    serde_json::to_writer_pretty(&mut self.buf, &item)?;
                    self.out
                        .write_all(if self.items == 0 { b"\n  " } else { b",\n  " })?;
                    self.items += 1;
                    output::write_nested(&mut self.out, &self.buf)?;
                }
                Ok(())
            }
        }
    }

    /// Ends the output (`]` for JSON).
    fn end(&mut self) -> io::Result<()> {
        self.start()?;
        if self.format == OutputFormat::Json {
            self.out
                .write_all(if self.items == 0 { b"]\n" } else { b"\n]\n" })?;
        }
        Ok(())
    }
}

/// The routing instant: RFC 3339 with an offset, or the current time.
fn parse_now(now: Option<&str>) -> Result<EpochMs, String> {
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

/// Read a data file and parse its records against `schema`. Malformed records are reported
/// (file, line, record, field) and counted, not returned. Unreadable files give `Err(2)`.
fn load(path: &std::path::Path, schema: &Schema) -> Result<(Vec<Record>, usize), u8> {
    let mut records = Vec::new();
    let mut bad = 0usize;
    let mut index = 0usize;
    let read = input::each(path, |headers, origin, raw| {
        index += 1;
        match parse_record(schema, headers, &raw, index) {
            Ok(r) => records.push(r),
            Err(e) => {
                bad += 1;
                report_data_error(path, &origin, &e);
            }
        }
        Ok(())
    });
    match read {
        Ok(()) => Ok((records, bad)),
        Err(input::Stopped::Exit(c)) => Err(c),
        Err(input::Stopped::Read(e)) => {
            eprintln!("error: {e}");
            Err(2)
        }
    }
}

/// One raw record parsed against `schema` (`index`: its 1-based position in the file).
fn parse_record(
    schema: &Schema,
    headers: &[String],
    raw: &Raw,
    index: usize,
) -> Result<Record, DataError> {
    match raw {
        Raw::Cells(cells) => {
            let headers: Vec<&str> = headers.iter().map(String::as_str).collect();
            let cells: Vec<&str> = cells.iter().map(String::as_str).collect();
            Record::from_text_at(schema, &headers, &cells, index)
        }
        Raw::Json(v) => Record::from_json_at(schema, v, index),
    }
}

fn report_data_error(path: &std::path::Path, origin: &Origin, e: &DataError) {
    let location = match origin {
        Origin::Line(n) => format!("{}:{n}", path.display()),
        Origin::Item(n) => format!("{} (item {n})", path.display()),
    };
    eprintln!("error: {location}: {e}");
    if let Some(help) = e.help() {
        eprintln!("  help: {help}");
    }
}

fn target(d: &Decision) -> (&'static str, String) {
    match &d.outcome {
        Outcome::Partner { id } => ("partner", id.to_string()),
        Outcome::Queue { name } => ("queue", name.to_string()),
        Outcome::Unrouted => ("unrouted", String::new()),
    }
}

/// A one-line, human-readable summary of an explanation for the CSV `why` column.
fn why(d: &Decision) -> String {
    let Some(x) = &d.explanation else {
        return String::new();
    };
    let mut parts = Vec::new();
    for ex in &x.excluded {
        parts.push(format!("{} excluded: {}", ex.partners.len(), ex.reason));
    }
    let top: Vec<String> = x
        .candidates
        .iter()
        .take(3)
        .map(|c| match c.score {
            Some(s) => format!("{} {s:.4}", c.partner),
            None => c.partner.to_string(),
        })
        .collect();
    if !top.is_empty() {
        parts.push(format!("top: {}", top.join(", ")));
    }
    if let Some(t) = &x.tie_break {
        parts.push(format!("decided by: {t}"));
    }
    parts.join("; ")
}

fn csv_row(lead: &Record, r: &Result<Decision, ErrorReport>, explain: bool) -> Vec<String> {
    let mut row: Vec<String> = match r {
        Ok(d) => {
            let (kind, target) = target(d);
            vec![
                lead.id.to_string(),
                kind.to_string(),
                target,
                d.rule.as_deref().unwrap_or("").to_string(),
            ]
        }
        Err(e) => vec![
            lead.id.to_string(),
            "error".to_string(),
            String::new(),
            e.message.clone(),
        ],
    };
    if explain {
        row.push(r.as_ref().map(why).unwrap_or_default());
    }
    row
}

/// The I/O error inside a CSV writer's error (a closed pipe must stay recognisable).
fn csv_io(e: csv::Error) -> io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => io::Error::other(format!("{other:?}")),
    }
}
