//! `leadrail sla`: compile the rules (calendars and SLAs), read lead timelines, evaluate every
//! SLA of every lead at `--now` and print each SLA's state and the actions now due.
//!
//! Timelines are a JSON array or JSON lines of `{"lead": "L1", "events": [...]}`; an event is
//! `{"at": INSTANT, "event": "assigned", "partner": "P1"}` where `at` is milliseconds since the
//! epoch or an RFC 3339 string. SLAs on `business partner.<field>` read the partner's calendar
//! name from `--partners` (CSV or JSON with an `id`).
//!
//! Timelines are streamed: each is read, evaluated and written before the next is read.
//!
//! Exit codes: 0 every timeline evaluated; 1 the rule file has errors; 2 a data file is
//! unreadable or some timelines are bad (each is reported naming the lead and the event; the
//! others are evaluated and printed).

use std::collections::HashMap;
use std::io::{self, Write};
use std::path::PathBuf;

use leadrail_core::sla::{
    reroute_plan, Done, DueKind, Evaluation, PartnerCalendars, ReroutePlan, RerouteReason, SlaSet,
    SlaState,
};
use leadrail_core::timeline::Timeline;
use leadrail_core::value::EpochMs;
use serde::Serialize;

use crate::input::{self, Format, Input, Raw};
use crate::output::{self, write_nested};
use crate::progress::Progress;
use crate::rules;

/// How `sla` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SlaFormat {
    /// A readable block per lead.
    Text,
    /// A JSON array: per lead its evaluation and the re-route to perform, if any.
    Json,
    /// JSON Lines: the same objects as `json`, one per line.
    Jsonl,
}

/// The arguments of `leadrail sla`.
#[derive(Debug)]
pub struct SlaArgs {
    /// The rule file.
    pub rules: PathBuf,
    /// The timelines (`.json` or `.jsonl`; `-`: standard input).
    pub timelines: PathBuf,
    /// Partners (for partner calendars), optional.
    pub partners: Option<PathBuf>,
    /// The format of inputs whose name does not give it.
    pub input_format: Option<Format>,
    /// The output (`-`: standard output).
    pub output: PathBuf,
    /// The evaluation instant (RFC 3339).
    pub now: String,
    /// Output format.
    pub format: SlaFormat,
}

/// Partner id -> field -> text value, from a partner file.
#[derive(Debug, Default)]
struct PartnerTable(HashMap<String, HashMap<String, String>>);

impl PartnerCalendars for PartnerTable {
    fn calendar_name(&self, partner: &str, field: &str) -> Option<&str> {
        self.0.get(partner)?.get(field).map(String::as_str)
    }
}

#[derive(Serialize)]
struct LeadOut<'a> {
    #[serde(flatten)]
    evaluation: &'a Evaluation,
    #[serde(skip_serializing_if = "Option::is_none")]
    reroute: Option<ReroutePlan>,
}

/// Run `sla`; returns the exit code.
pub fn run(args: &SlaArgs) -> u8 {
    let name = input::name(&args.rules);
    let usage = |e: String| {
        eprintln!("error: {e}");
        2u8
    };
    let inputs = [Some(args.timelines.as_path()), args.partners.as_deref()];
    if let Err(e) = input::one_stdin(inputs.into_iter().flatten()) {
        return usage(e);
    }
    let timelines = match Input::new(&args.timelines, args.input_format).and_then(|i| {
        i.check()?;
        Ok(i)
    }) {
        Ok(i) => i,
        Err(e) => return usage(e.to_string()),
    };
    let compiled = match rules::compile(&args.rules) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let set = match SlaSet::from_specs(compiled.plan.slas.clone(), &compiled.plan.calendars) {
        Ok(s) => s,
        Err(errors) => {
            for e in errors {
                eprintln!("error: {name}: {e}");
            }
            return 1;
        }
    };
    let now = match parse_instant(&args.now) {
        Some(t) => t,
        None => {
            eprintln!(
                "error: --now `{}` is not an RFC 3339 instant; e.g. `2026-11-24T09:00:00Z`",
                args.now
            );
            return 2;
        }
    };
    let partners = match &args.partners {
        Some(p) => match partner_table(p, args.input_format) {
            Ok(t) => t,
            Err(code) => return code,
        },
        None => PartnerTable::default(),
    };
    // Timelines are read, evaluated and written one at a time: memory does not grow with the
    // file. The JSON output is one array, written `[`, items separated by `,`, `]` (the same
    // bytes as pretty-printing the whole array).
    let mut bad = 0usize;
    let mut out = match output::open(&args.output) {
        Ok(o) => o,
        Err(code) => return code,
    };
    let mut items = 0usize;
    let mut buf: Vec<u8> = Vec::new();
    let progress = Progress::new("timelines");
    let read = timelines.each(&progress, |_, origin, raw| {
        let location = timelines.at(origin);
        let timeline = match raw {
            Raw::Json(v) => leadrail_core::api::timeline_from_json(v).map_err(|r| r.message),
            Raw::Cells(_) => Err("timelines are JSON objects `{\"lead\", \"events\"}`".to_string()),
        };
        let timeline = match timeline {
            Ok(t) => t,
            Err(msg) => {
                bad += 1;
                progress.eprintln(&format!("error: {location}: {msg}"));
                return Ok(());
            }
        };
        let evaluation = match set.evaluate_with(&timeline, now, &Done::Nothing, &partners) {
            Ok(e) => e,
            Err(e) => {
                bad += 1;
                let report = leadrail_core::report::ErrorReport::from(&e);
                progress.eprintln(&format!("error: {location}: {}", report.message));
                if let Some(help) = report.help.filter(|h| !h.is_empty()) {
                    progress.eprintln(&format!("  help: {help}"));
                }
                return Ok(());
            }
        };
        let written = match args.format {
            SlaFormat::Json => {
                let row = LeadOut {
                    evaluation: &evaluation,
                    reroute: reroute_plan(&set, &timeline, &evaluation),
                };
                buf.clear();
                serde_json::to_writer_pretty(&mut buf, &row)
                    .map_err(io::Error::from)
                    .and_then(|()| {
                        out.write_all(if items == 0 { b"[\n  " } else { b",\n  " })?;
                        items += 1;
                        write_nested(&mut out, &buf)
                    })
            }
            SlaFormat::Jsonl => {
                let row = LeadOut {
                    evaluation: &evaluation,
                    reroute: reroute_plan(&set, &timeline, &evaluation),
                };
                buf.clear();
                serde_json::to_writer(&mut buf, &row)
                    .map_err(io::Error::from)
                    .and_then(|()| {
                        buf.push(b'\n');
                        items += 1;
                        out.write_all(&buf)
                    })
            }
            SlaFormat::Text => {
                items += 1;
                out.write_all(text_block(&set, &timeline, &evaluation).as_bytes())
            }
        };
        progress.done(items);
        written.map_err(|e| output::failed(&e))
    });
    progress.finish();
    let mut code = 0;
    match read {
        Ok(()) => {}
        Err(input::Stopped::Exit(c)) => return c,
        Err(input::Stopped::Read(e)) => {
            // the timelines before the error are evaluated and written; the run fails
            eprintln!("error: {e}");
            code = 2;
        }
    }
    let end: &[u8] = match (args.format, items) {
        (SlaFormat::Json, 0) => b"[]\n",
        (SlaFormat::Json, _) => b"\n]\n",
        (SlaFormat::Text | SlaFormat::Jsonl, _) => b"",
    };
    if let Err(c) = output::finish(out.write_all(end), &mut out) {
        return c;
    }
    if bad > 0 || code != 0 {
        return 2;
    }
    0
}

fn parse_instant(text: &str) -> Option<EpochMs> {
    chrono::DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.timestamp_millis())
}

fn partner_table(path: &std::path::Path, format: Option<Format>) -> Result<PartnerTable, u8> {
    let fail = |e: input::ReadError| {
        eprintln!("error: {e}");
        2u8
    };
    let input = Input::new(path, format).map_err(fail)?;
    let mut table = PartnerTable::default();
    let read = input.each(&Progress::off(), |headers, _, raw| {
        let row: HashMap<String, String> = match raw {
            Raw::Cells(cells) => headers
                .iter()
                .zip(cells)
                .map(|(h, c)| (h.to_string(), c.to_string()))
                .collect(),
            Raw::Json(v) => v
                .as_object()
                .map(|o| {
                    o.iter()
                        .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string())))
                        .collect()
                })
                .unwrap_or_default(),
        };
        if let Some(id) = row.get("id").cloned() {
            table.0.insert(id, row);
        }
        Ok(())
    });
    match read {
        Ok(()) => Ok(table),
        Err(input::Stopped::Read(e)) => Err(fail(e)),
        Err(input::Stopped::Exit(c)) => Err(c),
    }
}

fn instant(t: EpochMs) -> String {
    chrono::DateTime::from_timestamp_millis(t)
        .map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_else(|| t.to_string())
}

fn duration(ms: i64) -> String {
    let minutes = ms / 60_000;
    format!("{}h{:02}m", minutes / 60, minutes % 60)
}

fn state(s: SlaState) -> &'static str {
    match s {
        SlaState::Running => "running",
        SlaState::Paused => "paused",
        SlaState::Met => "met",
        SlaState::Breached => "breached",
        SlaState::Cancelled => "cancelled",
    }
}

/// The text form of one lead's evaluation.
fn text_block(set: &SlaSet, t: &Timeline, e: &Evaluation) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let _ = writeln!(out, "lead {}", e.lead);
    for s in &e.slas {
        let mut line = format!(
            "  {:<16} {:<9} elapsed {:>8}  remaining {:>8}",
            s.instance,
            state(s.state),
            duration(s.elapsed_ms),
            duration(s.remaining_ms)
        );
        if let Some(d) = s.due_at {
            let _ = write!(line, "  due {}", instant(d));
        }
        if let Some(p) = &s.partner {
            let _ = write!(line, "  partner {p}");
        }
        if let Some(st) = &s.stage {
            let _ = write!(line, "  stage {st}");
        }
        let _ = writeln!(out, "{}", line.trim_end());
    }
    for d in &e.due {
        let what = match &d.kind {
            DueKind::Warning { threshold } => format!("warning at {}%", threshold * 100.0),
            DueKind::Breach { action } => format!("breach: {}", action.id_part()),
        };
        let _ = writeln!(out, "  due {} at {} ({what})", d.id, instant(d.at));
    }
    if let Some(plan) = reroute_plan(set, t, e) {
        let exclude: Vec<String> = plan
            .exclude
            .iter()
            .map(|x| match &x.reason {
                RerouteReason::Rejected { .. } => format!("{} (rejected)", x.partner),
                RerouteReason::TimedOut { sla, .. } => {
                    format!("{} (timed out on {sla})", x.partner)
                }
            })
            .collect();
        let _ = writeln!(
            out,
            "  reroute: retract from {}; exclude {}",
            plan.retract.as_deref().unwrap_or("nobody"),
            if exclude.is_empty() {
                "nobody".to_string()
            } else {
                exclude.join(", ")
            }
        );
    }
    if let Some(n) = e.next_deadline {
        let _ = writeln!(out, "  next deadline {}", instant(n));
    }
    out
}
