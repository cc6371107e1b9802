//! `leadrail route`: compile the rules, load the partner network, route the leads in file order
//! (each assignment updating workload and round-robin state) and print one decision per lead.
//!
//! Exit codes: 0 every lead routed; 1 the rule file has errors; 2 a data file is unreadable, a
//! partner is malformed (nothing is routed), or some lead rows are malformed (they are reported
//! with file, line and field; the other leads are routed).

use std::io::{self, Write};
use std::path::PathBuf;
use std::sync::Arc;

use leadrail_core::network::Network;
use leadrail_core::record::{DataError, Record};
use leadrail_core::report::ErrorReport;
use leadrail_core::route::{Decision, Engine, Outcome, RouteOptions, Times};
use leadrail_core::schema::Schema;
use leadrail_core::value::Instant;

use super::input::{self, DataFile, Origin, Raw};
use super::{output, render};
use crate::OutputFormat;

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
    let (leads, bad_leads) = match load(&args.leads, &plan.lead_schema) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let opts = RouteOptions {
        explain: args.explain,
        exclude: Vec::new(),
    };
    let results = engine.route_batch(&mut network, &leads, Times::At(now), &opts);
    let mut item_errors = 0usize;
    let rows: Vec<(&Record, Result<Decision, ErrorReport>)> = leads.iter().zip(results).collect();
    for (lead, r) in &rows {
        if let Err(e) = r {
            item_errors += 1;
            eprintln!(
                "error: {}: lead `{}`: {}",
                args.leads.display(),
                lead.id,
                e.message
            );
        }
    }
    let mut out = output::stdout();
    let written = match args.format {
        OutputFormat::Csv => print_csv(&mut out, &rows, args.explain),
        OutputFormat::Json => print_json(&mut out, &rows),
    };
    if let Err(code) = output::finish(written, &mut out) {
        return code;
    }
    let routed = rows
        .iter()
        .filter(|(_, r)| matches!(r, Ok(d) if matches!(d.outcome, Outcome::Partner { .. })))
        .count();
    eprintln!(
        "{} lead(s): {routed} to a partner, {} to a queue or unrouted, {} with errors",
        rows.len() + bad_leads,
        rows.len() - routed - item_errors,
        bad_leads + item_errors
    );
    if bad_leads + item_errors > 0 {
        2
    } else {
        0
    }
}

/// The routing instant: RFC 3339 with an offset, or the current time.
fn parse_now(now: Option<&str>) -> Result<Instant, String> {
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
    let file: DataFile = input::read(path).map_err(|e| {
        eprintln!("error: {e}");
        2u8
    })?;
    let headers: Vec<&str> = file.headers.iter().map(String::as_str).collect();
    let mut records = Vec::with_capacity(file.records.len());
    let mut bad = 0usize;
    for (i, (origin, raw)) in file.records.iter().enumerate() {
        let parsed = match raw {
            Raw::Cells(cells) => {
                let cells: Vec<&str> = cells.iter().map(String::as_str).collect();
                Record::from_text_at(schema, &headers, &cells, i + 1)
            }
            Raw::Json(v) => Record::from_json_at(schema, v, i + 1),
        };
        match parsed {
            Ok(r) => records.push(r),
            Err(e) => {
                bad += 1;
                report_data_error(&file.path, origin, &e);
            }
        }
    }
    Ok((records, bad))
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

fn print_csv(
    out: &mut impl Write,
    rows: &[(&Record, Result<Decision, ErrorReport>)],
    explain: bool,
) -> io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    let mut header = vec!["lead", "outcome", "target", "rule"];
    if explain {
        header.push("why");
    }
    w.write_record(&header).map_err(csv_io)?;
    for (lead, r) in rows {
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
        w.write_record(&row).map_err(csv_io)?;
    }
    w.flush()
}

/// The I/O error inside a CSV writer's error (a closed pipe must stay recognisable).
fn csv_io(e: csv::Error) -> io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => io::Error::other(format!("{other:?}")),
    }
}

fn print_json(
    out: &mut impl Write,
    rows: &[(&Record, Result<Decision, ErrorReport>)],
) -> io::Result<()> {
    let items: Vec<serde_json::Value> = rows
        .iter()
        .map(|(lead, r)| match r {
            Ok(d) => serde_json::json!({ "lead": lead.id, "decision": d }),
            Err(e) => serde_json::json!({ "lead": lead.id, "error": e }),
        })
        .collect();
    serde_json::to_writer_pretty(&mut *out, &items)?;
    writeln!(out)
}
