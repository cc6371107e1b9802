//! Writing `route`'s results as they come: one CSV row, one item of a JSON array, or one JSON
//! line per lead, in the leads' order. A lead that could not be routed (a malformed row, or a
//! lead the engine refuses) is an `error` row with the reason, so that the output has one row
//! per lead read.

use std::io::{self, Write};

use leadrail_core::dealreg::Verdict;
use leadrail_core::report::ErrorReport;
use leadrail_core::route::{DecisionView, Explanation, OutcomeRef};
use serde::Serialize;

use crate::output::write_nested;

/// How `route` prints decisions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    /// One CSV row per lead: lead, outcome, target, rule (and why, with --explain).
    Csv,
    /// One JSON array of `{"lead", "decision"}` (or `{"lead", "error"}`) objects.
    Json,
    /// JSON Lines: one `{"lead", "decision"}` (or `{"lead", "error"}`) object per line.
    Jsonl,
}

/// One lead's result in the JSON forms.
#[derive(Serialize)]
struct Item<'a> {
    /// The lead's id (`null` for a row without one).
    lead: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    decision: Option<leadrail_core::route::Decision>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a ErrorReport>,
    /// The lead's conflict (`route --registry`), core's serde form.
    #[serde(skip_serializing_if = "Option::is_none")]
    conflict: Option<&'a Verdict>,
}

/// The writer of `route`'s results.
pub struct Decisions<W: Write> {
    format: OutputFormat,
    explain: bool,
    /// With the conflict columns (`route --registry`).
    conflicts: bool,
    sink: Sink<W>,
    started: bool,
    items: usize,
    buf: Vec<u8>,
}

enum Sink<W: Write> {
    Csv(Box<csv::Writer<W>>),
    Json(W),
}

impl<W: Write> Decisions<W> {
    /// Results written to `out`.
    pub fn new(out: W, format: OutputFormat, explain: bool) -> Decisions<W> {
        let sink = match format {
            OutputFormat::Csv => Sink::Csv(Box::new(csv::Writer::from_writer(out))),
            OutputFormat::Json | OutputFormat::Jsonl => Sink::Json(out),
        };
        Decisions {
            format,
            explain,
            conflicts: false,
            sink,
            started: false,
            items: 0,
            buf: Vec::new(),
        }
    }

    /// With the conflict columns of `route --registry` (CSV: [`crate::conflicts::COLUMNS`]).
    pub fn with_conflicts(mut self, conflicts: bool) -> Decisions<W> {
        self.conflicts = conflicts;
        self
    }

    /// Writes the CSV header or the `[` of the JSON array, once.
    fn start(&mut self) -> io::Result<()> {
        if self.started {
            return Ok(());
        }
        self.started = true;
        match &mut self.sink {
            Sink::Csv(w) => {
                let mut header = vec!["lead", "outcome", "target", "rule"];
                if self.explain {
                    header.push("why");
                }
                if self.conflicts {
                    header.extend(crate::conflicts::COLUMNS);
                }
                w.write_record(&header).map_err(csv_io)
            }
            Sink::Json(out) if self.format == OutputFormat::Json => out.write_all(b"["),
            Sink::Json(_) => Ok(()),
        }
    }

    /// Writes lead `lead`'s decision.
    pub fn decision(&mut self, lead: &str, d: &DecisionView<'_>) -> io::Result<()> {
        self.checked(lead, d, None)
    }

    /// Writes lead `lead`'s decision and its conflict (`route --registry`).
    pub fn checked(
        &mut self,
        lead: &str,
        d: &DecisionView<'_>,
        conflict: Option<&Verdict>,
    ) -> io::Result<()> {
        self.start()?;
        if let Sink::Csv(w) = &mut self.sink {
            let (kind, target): (&str, &str) = match d.outcome {
                OutcomeRef::Partner(id) => ("partner", id),
                OutcomeRef::Queue(name) => ("queue", name),
                OutcomeRef::Unrouted => ("unrouted", ""),
            };
            let rule = d.rule.map_or("", |r| &**r);
            let why = match (self.explain, d.explanation) {
                (true, Some(x)) => why(x),
                _ => String::new(),
            };
            if self.conflicts {
                let head = [lead, kind, target, rule, why.as_str()];
                let head = head.get(..if self.explain { 5 } else { 4 }).unwrap_or(&[]);
                return crate::conflicts::csv_row(w, head, conflict).map_err(csv_io);
            }
            return if self.explain {
                w.write_record([lead, kind, target, rule, why.as_str()])
            } else {
                w.write_record([lead, kind, target, rule])
            }
            .map_err(csv_io);
        }
        self.item(&Item {
            lead: Some(lead),
            decision: Some(d.to_decision()),
            error: None,
            conflict,
        })
    }

    /// Writes an error row: the lead (its id, if it has one) could not be routed.
    pub fn error(&mut self, lead: Option<&str>, e: &ErrorReport) -> io::Result<()> {
        self.start()?;
        if let Sink::Csv(w) = &mut self.sink {
            let lead = lead.unwrap_or("");
            if self.conflicts {
                let head = [lead, "error", "", &e.message, ""];
                let head = head.get(..if self.explain { 5 } else { 4 }).unwrap_or(&[]);
                return crate::conflicts::csv_row(w, head, None).map_err(csv_io);
            }
            return if self.explain {
                w.write_record([lead, "error", "", &e.message, ""])
            } else {
                w.write_record([lead, "error", "", &e.message])
            }
            .map_err(csv_io);
        }
        self.item(&Item {
            lead,
            decision: None,
            error: Some(e),
            conflict: None,
        })
    }

    fn item(&mut self, item: &Item<'_>) -> io::Result<()> {
        let Sink::Json(out) = &mut self.sink else {
            return Ok(());
        };
        self.buf.clear();
        if self.format == OutputFormat::Jsonl {
            serde_json::to_writer(&mut self.buf, item)?;
            self.buf.push(b'\n');
            return out.write_all(&self.buf);
        }
        serde_json::to_writer_pretty(&mut self.buf, item)?;
        out.write_all(if self.items == 0 { b"\n  " } else { b",\n  " })?;
        self.items += 1;
        write_nested(out, &self.buf)
    }

    /// Ends the output (the CSV header if no row was written, the `]` of a JSON array) and
    /// flushes it.
    pub fn end(&mut self) -> io::Result<()> {
        self.start()?;
        match &mut self.sink {
            Sink::Csv(w) => w.flush(),
            Sink::Json(out) => {
                if self.format == OutputFormat::Json {
                    out.write_all(if self.items == 0 { b"]\n" } else { b"\n]\n" })?;
                }
                out.flush()
            }
        }
    }
}

/// A one-line summary of an explanation for the CSV `why` column.
fn why(x: &Explanation) -> String {
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

/// The I/O error inside a CSV writer's error (a closed pipe must stay recognisable).
fn csv_io(e: csv::Error) -> io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => io::Error::other(format!("{other:?}")),
    }
}
