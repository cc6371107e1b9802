//! Answers one KPI or forecast call given as JSON on stdin, for authoring the conformance
//! vectors (`conformance/tools/author_kpi.py`) before the bindings expose the calls:
//!
//! ```text
//! echo '{"call": "kpi", "rules": "...", "timelines": [...], "now": ...}' \
//!   | cargo run --release -p leadrail-benches --bin kpi_answer
//! ```
//!
//! `rules` is compiled as `rules.rail` (its SLAs and calendars feed SLA attainment); the rest is
//! a `leadrail_core::kpi::request::KpiRequest`. Prints the answer (`kpi_json` / `forecast_json`).

use std::io::Read;

use leadrail_core::api;
use leadrail_core::kpi::request;

fn main() {
    let mut text = String::new();
    if std::io::stdin().read_to_string(&mut text).is_err() {
        eprintln!("kpi_answer: cannot read stdin");
        std::process::exit(2);
    }
    let call: serde_json::Value = match serde_json::from_str(&text) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("kpi_answer: {e}");
            std::process::exit(2);
        }
    };
    let rules = call.get("rules").and_then(|r| r.as_str()).unwrap_or("");
    let compiled = match leadrail_dsl::compile(rules, "rules.rail") {
        Ok(c) => c,
        Err(d) => {
            eprintln!("kpi_answer: the rules do not compile: {d:?}");
            std::process::exit(2);
        }
    };
    let set = api::sla_set(&compiled.plan).ok();
    let answer = match call.get("call").and_then(|c| c.as_str()) {
        Some("forecast") => request::forecast_json(&text),
        _ => request::kpi_json(set.as_ref(), &text),
    };
    println!("{answer}");
}
