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
use crate::tails::{csv_record, Tails};

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

/// The writer of `route`'s results. Rows are written into a reused buffer (a decision's id and
/// its cached tail, [`Tails`]), which goes to the output when it is full and at the end.
pub struct Decisions<W: Write> {
    format: OutputFormat,
    explain: bool,
    /// With the conflict columns (`route --registry`).
    conflicts: bool,
    out: W,
    started: bool,
    items: usize,
    buf: Vec<u8>,
    tails: Tails,
}

/// The buffer is handed to the output past this many bytes.
const FLUSH_AT: usize = 1 << 16;

impl<W: Write> Decisions<W> {
    /// Results written to `out`.
    pub fn new(out: W, format: OutputFormat, explain: bool) -> Decisions<W> {
        Decisions {
            format,
            explain,
            conflicts: false,
            out,
            started: false,
            items: 0,
            buf: Vec::with_capacity(FLUSH_AT + 4_096),
            tails: Tails::default(),
        }
    }

    /// With the conflict columns of `route --registry` (CSV: [`crate::conflicts::COLUMNS`]).
    pub fn with_conflicts(mut self, conflicts: bool) -> Decisions<W> {
        self.conflicts = conflicts;
        self
    }

    /// Writes the CSV header or the `[` of the JSON array, once.
    fn start(&mut self) {
        if self.started {
            return;
        }
        self.started = true;
        match self.format {
            OutputFormat::Csv => {
                let mut header = vec!["lead", "outcome", "target", "rule"];
                if self.explain {
                    header.push("why");
                }
                if self.conflicts {
                    header.extend(crate::conflicts::COLUMNS);
                }
                csv_record(&mut self.buf, &header);
            }
            OutputFormat::Json => self.buf.push(b'['),
            OutputFormat::Jsonl => {}
        }
    }

    /// Hands the buffer to the output when it is full.
    #[inline]
    fn spill(&mut self) -> io::Result<()> {
        if self.buf.len() < FLUSH_AT {
            return Ok(());
        }
        let written = self.out.write_all(&self.buf);
        self.buf.clear();
        written
    }

    /// Writes lead `lead`'s decision.
    pub fn decision(&mut self, lead: &str, d: &DecisionView<'_>) -> io::Result<()> {
        self.start();
        match (self.format, self.explain) {
            (OutputFormat::Csv, false) => self.tails.csv(&mut self.buf, lead, d),
            (OutputFormat::Csv, true) => {
                let (kind, target): (&str, &str) = match d.outcome {
                    OutcomeRef::Partner(id) => ("partner", id),
                    OutcomeRef::Queue(name) => ("queue", name),
                    OutcomeRef::Unrouted => ("unrouted", ""),
                };
                let rule = d.rule.map_or("", |r| &**r);
                let why = d.explanation.map(why).unwrap_or_default();
                csv_record(&mut self.buf, &[lead, kind, target, rule, why.as_str()]);
            }
            (OutputFormat::Jsonl, _) if self.tails.json(&mut self.buf, lead, d) => {}
            (OutputFormat::Json | OutputFormat::Jsonl, _) => self.item(&Item {
                lead: Some(lead),
                decision: Some(d.to_decision()),
                error: None,
                conflict: None,
            })?,
        }
        self.spill()
    }

    /// Writes lead `lead`'s decision and its conflict (`route --registry`).
    pub fn checked(
        &mut self,
        lead: &str,
        d: &DecisionView<'_>,
        conflict: Option<&Verdict>,
    ) -> io::Result<()> {
        self.start();
        if self.format == OutputFormat::Csv {
            let (kind, target): (&str, &str) = match d.outcome {
                OutcomeRef::Partner(id) => ("partner", id),
                OutcomeRef::Queue(name) => ("queue", name),
                OutcomeRef::Unrouted => ("unrouted", ""),
            };
            let why = match (self.explain, d.explanation) {
                (true, Some(x)) => why(x),
                _ => String::new(),
            };
            let head = [
                lead,
                kind,
                target,
                d.rule.map_or("", |r| &**r),
                why.as_str(),
            ];
            let head = head.get(..if self.explain { 5 } else { 4 }).unwrap_or(&[]);
            crate::conflicts::csv_row(&mut self.buf, head, conflict);
        } else {
            self.item(&Item {
                lead: Some(lead),
                decision: Some(d.to_decision()),
                error: None,
                conflict,
            })?;
        }
        self.spill()
    }

    /// Writes an error row: the lead (its id, if it has one) could not be routed.
    pub fn error(&mut self, lead: Option<&str>, e: &ErrorReport) -> io::Result<()> {
        self.start();
        if self.format == OutputFormat::Csv {
            let lead = lead.unwrap_or("");
            if self.conflicts {
                let head = [lead, "error", "", &e.message, ""];
                let head = head.get(..if self.explain { 5 } else { 4 }).unwrap_or(&[]);
                crate::conflicts::csv_row(&mut self.buf, head, None);
            } else if self.explain {
                csv_record(&mut self.buf, &[lead, "error", "", &e.message, ""]);
            } else {
                csv_record(&mut self.buf, &[lead, "error", "", &e.message]);
            }
        } else {
            self.item(&Item {
                lead,
                decision: None,
                error: Some(e),
                conflict: None,
            })?;
        }
        self.spill()
    }

    /// Writes a JSON item through serde.
    fn item(&mut self, item: &Item<'_>) -> io::Result<()> {
        if self.format == OutputFormat::Jsonl {
            serde_json::to_writer(&mut self.buf, item)?;
            self.buf.push(b'\n');
            return Ok(());
        }
        let mut pretty = Vec::new();
        serde_json::to_writer_pretty(&mut pretty, item)?;
        self.buf
            .extend_from_slice(if self.items == 0 { b"\n  " } else { b",\n  " });
        self.items += 1;
        write_nested(&mut self.buf, &pretty)
    }

    /// Ends the output (the CSV header if no row was written, the `]` of a JSON array) and
    /// flushes it.
    pub fn end(&mut self) -> io::Result<()> {
        self.start();
        if self.format == OutputFormat::Json {
            self.buf
                .extend_from_slice(if self.items == 0 { b"]\n" } else { b"\n]\n" });
        }
        self.out.write_all(&self.buf)?;
        self.buf.clear();
        self.out.flush()
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
