//! `leadrail register`: check partners' deals against a registry of registrations, CRM accounts
//! and open leads under a `registration` policy of the rule file, and print each verdict with
//! the records it matched, the rule, the scores and the normalised forms compared.
//!
//! Inputs are CSV (a header row; `product_lines` separated by `;`), a JSON array or JSON Lines.
//! Instants (`submitted_at`, `approved_at`, `protected_until`, `extended_at`) are milliseconds
//! since the epoch or RFC 3339 (`2026-11-24T09:00:00Z`). A record that cannot be read stops the
//! command with exit code 2 and a message naming its file, line, record and field.

use std::io::Write;
use std::path::{Path, PathBuf};

use leadrail_core::dealreg::{Registration, Verdict};
use leadrail_core::host::register::{policy_of, register, registration_from_json};
use leadrail_core::value::EpochMs;
use serde_json::{Map, Value as Json};

use crate::input::{self, Format, Input, Raw, Stopped};
use crate::output;
use crate::progress::Progress;

/// How `register` prints its verdicts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum RegisterFormat {
    /// One row per deal and matching record (a deal without conflict: one row).
    Csv,
    /// The verdicts as a JSON array (core's serde form).
    Json,
}

/// The options of `leadrail register`.
#[derive(Debug)]
pub struct RegisterArgs {
    /// The rule file with the `registration` policy.
    pub rules: PathBuf,
    /// Registrations, accounts and open leads.
    pub registry: PathBuf,
    /// The deals to check.
    pub deals: PathBuf,
    /// The policy's name (default: the file's first).
    pub policy: Option<String>,
    /// The instant of the check (RFC 3339 or ms; default: now).
    pub now: Option<String>,
    /// Submit the deals in order instead of checking each against the registry alone.
    pub submit: bool,
    /// The format of inputs whose file name does not say.
    pub input_format: Option<Format>,
    /// How to print the verdicts.
    pub format: RegisterFormat,
    /// Where to print them.
    pub output: PathBuf,
}

pub(crate) const INSTANTS: [&str; 4] = [
    "submitted_at",
    "approved_at",
    "protected_until",
    "extended_at",
];

/// An instant: ms since the epoch, or RFC 3339.
fn instant(text: &str) -> Option<EpochMs> {
    let t = text.trim();
    t.parse::<EpochMs>().ok().or_else(|| {
        chrono::DateTime::parse_from_rfc3339(t)
            .ok()
            .map(|d| d.timestamp_millis())
    })
}

/// A record as read, to the JSON form core reads: CSV cells typed by field, RFC 3339 instants
/// to ms. `Err` names the field.
fn to_json(headers: &[&str], raw: Raw<'_>) -> Result<Json, (String, String)> {
    let mut obj = match raw {
        Raw::Json(Json::Object(o)) => o.clone(),
        Raw::Json(other) => return Ok(other.clone()),
        Raw::Cells(cells) => {
            let mut o = Map::new();
            for (h, c) in headers.iter().zip(cells.iter()) {
                let c = c.trim();
                if c.is_empty() {
                    continue;
                }
                let v = match *h {
                    "product_lines" => Json::Array(
                        c.split(';')
                            .map(str::trim)
                            .filter(|s| !s.is_empty())
                            .map(|s| Json::String(s.to_owned()))
                            .collect(),
                    ),
                    "extensions" => match c.parse::<u32>() {
                        Ok(n) => Json::from(n),
                        Err(_) => {
                            return Err(((*h).to_owned(), format!("`{c}` is not a whole number")))
                        }
                    },
                    _ => Json::String(c.to_owned()),
                };
                o.insert((*h).to_owned(), v);
            }
            o
        }
    };
    for f in INSTANTS {
        if let Some(Json::String(s)) = obj.get(f) {
            let ms = instant(s).ok_or_else(|| {
                (
                    f.to_owned(),
                    format!("`{s}` is not an instant; write ms since the epoch or RFC 3339, e.g. `2026-11-24T09:00:00Z`"),
                )
            })?;
            obj.insert(f.to_owned(), Json::from(ms));
        }
    }
    Ok(Json::Object(obj))
}

/// Reads the registrations of `path`; `Err` is the exit code (the reason printed).
pub(crate) fn read(
    path: &Path,
    list: &str,
    format: Option<Format>,
) -> Result<Vec<Registration>, u8> {
    let input = Input::new(path, format).map_err(|e| {
        eprintln!("error: {e}");
        2u8
    })?;
    let mut out: Vec<Registration> = Vec::new();
    let mut seen = std::collections::HashMap::new();
    let read = input.each(&Progress::off(), |headers, origin, raw| {
        let at = input.at(origin);
        let json = to_json(headers, raw).map_err(|(field, message)| {
            let id = match raw {
                Raw::Json(j) => j.get("id").and_then(Json::as_str).map(str::to_owned),
                Raw::Cells(cells) => headers
                    .iter()
                    .position(|h| *h == "id")
                    .and_then(|i| cells.get(i))
                    .map(|c| (*c).to_owned()),
            };
            let record = id.map(|i| format!(" `{i}`")).unwrap_or_default();
            eprintln!("error: {at}: {list} record{record}: field `{field}`: {message}");
            2u8
        })?;
        let rec = registration_from_json(&json, list, out.len() + 1).map_err(|e| {
            eprintln!("error: {at}: {}", e.message);
            if let Some(h) = &e.help {
                eprintln!("  help: {h}");
            }
            2u8
        })?;
        if let Some(first) = seen.insert(rec.id.clone(), at.clone()) {
            eprintln!(
                "error: {at}: {list} record `{}`: the id is used twice (first at {first})",
                rec.id
            );
            return Err(2);
        }
        out.push(rec);
        Ok(())
    });
    match read {
        Ok(()) => Ok(out),
        Err(Stopped::Exit(code)) => Err(code),
        Err(Stopped::Read(e)) => {
            eprintln!("error: {e}");
            Err(2)
        }
    }
}

/// The instant of `--now` (RFC 3339 or ms; default: the clock's); `Err` is the exit code (the
/// reason printed).
pub(crate) fn now_of(now: Option<&str>) -> Result<EpochMs, u8> {
    match now {
        None => crate::route::parse_now(None),
        Some(t) => instant(t).ok_or_else(|| {
            format!(
                "--now `{t}` is not an instant; e.g. `2026-11-24T09:00:00Z` or ms since the epoch"
            )
        }),
    }
    .map_err(|e| {
        eprintln!("error: {e}");
        2u8
    })
}

/// Runs `leadrail register`; returns the exit code.
pub fn run(args: &RegisterArgs) -> u8 {
    match run_inner(args) {
        Ok(()) => 0,
        Err(code) => code,
    }
}

fn run_inner(args: &RegisterArgs) -> Result<(), u8> {
    input::one_stdin([args.rules.as_path(), &args.registry, &args.deals]).map_err(|e| {
        eprintln!("error: {e}");
        2u8
    })?;
    let now = now_of(args.now.as_deref())?;
    let compiled = crate::rules::compile(&args.rules)?;
    let policy = policy_of(&compiled.plan, args.policy.as_deref()).map_err(|e| {
        eprintln!("error: {}", e.message);
        if let Some(h) = &e.help {
            eprintln!("  help: {h}");
        }
        2u8
    })?;
    let registry = read(&args.registry, "registry", args.input_format)?;
    let deals = read(&args.deals, "deals", args.input_format)?;
    let verdicts = register(&policy, registry, deals, now, args.submit);
    let mut out = output::open(&args.output)?;
    let written = match args.format {
        RegisterFormat::Json => serde_json::to_writer_pretty(&mut out, &verdicts)
            .map_err(std::io::Error::from)
            .and_then(|()| out.write_all(b"\n")),
        RegisterFormat::Csv => write_csv(&mut out, &verdicts),
    };
    output::finish(written, &mut out)
}

const CSV_HEADER: [&str; 17] = [
    "deal",
    "outcome",
    "reason",
    "normalized",
    "domain",
    "holder",
    "record",
    "kind",
    "partner",
    "rule",
    "rules",
    "score",
    "record_normalized",
    "shared_domain",
    "postal",
    "product_lines",
    "protected_until",
];

/// An instant as RFC 3339 (UTC, seconds), or its ms when out of range.
fn rfc3339(ms: EpochMs) -> String {
    chrono::DateTime::from_timestamp_millis(ms).map_or_else(
        || ms.to_string(),
        |t| t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
    )
}

/// A unit enum's serde name (`auto_approve`, `postal_name`).
pub(crate) fn snake<T: serde::Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(Json::String(s)) => s,
        _ => String::new(),
    }
}

/// One row per deal and conflict (a deal without conflict: one row with empty conflict
/// columns).
fn write_csv(out: &mut impl Write, verdicts: &[Verdict]) -> std::io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(CSV_HEADER)?;
    for v in verdicts {
        let head = [
            v.id.clone(),
            snake(&v.outcome),
            v.reason.clone(),
            v.normalized.clone(),
            v.domain.clone().unwrap_or_default(),
            v.holder.clone().unwrap_or_default(),
        ];
        if v.conflicts.is_empty() {
            let empty = std::iter::repeat_n(String::new(), CSV_HEADER.len() - head.len());
            w.write_record(head.iter().cloned().chain(empty))?;
        }
        for c in &v.conflicts {
            let rules: Vec<String> = c.rules.iter().map(snake).collect();
            let tail = [
                c.id.clone(),
                snake(&c.kind),
                c.partner.clone(),
                snake(&c.rule),
                rules.join(";"),
                format!("{:.3}", c.name.score),
                c.normalized.clone(),
                c.domain.clone().unwrap_or_default(),
                c.postal.clone().unwrap_or_default(),
                c.product_lines.join(";"),
                c.protected_until.map(rfc3339).unwrap_or_default(),
            ];
            w.write_record(head.iter().chain(tail.iter()))?;
        }
    }
    w.flush()
}
