//! Route the bundled example's leads from Rust: compile the rule file, load the partners and the
//! leads from their CSV files, route every lead in one batch (each assignment updates the
//! partners' workload and round-robin state, as the CLI does) and explain one decision.
//!
//! ```sh
//! cargo run --release -p leadrail-dsl --example route_leads
//! cargo run --release -p leadrail-dsl --example route_leads -- examples/industrial 2026-11-24T09:00:00Z L-0002
//! ```
//!
//! It prints the decisions as `leadrail route` does (`lead,outcome,target,rule`; the tests compare
//! the two), then, after a blank line, why the chosen lead (default: the first) went where it went.

use std::error::Error;
use std::path::PathBuf;
use std::sync::Arc;

use leadrail_core::record::TextHeader;
use leadrail_core::route::{RuleOutcome, Times};
use leadrail_core::schema::Schema;
use leadrail_core::{Decision, Engine, ErrorReport, Network, Outcome, Record, RouteOptions};

fn main() -> Result<(), Box<dyn Error>> {
    let mut args = std::env::args().skip(1);
    let dir = match args.next() {
        Some(d) => PathBuf::from(d),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples/industrial"),
    };
    let now = args
        .next()
        .unwrap_or_else(|| "2026-11-24T09:00:00Z".to_string());
    let explain_id = args.next();

    // 1. Compile the rules: every error of the file at once, each with file:line:col and a hint.
    let rules_path = dir.join("rules.rail");
    let source = std::fs::read_to_string(&rules_path)?;
    let compiled = match leadrail_dsl::compile(&source, &rules_path.to_string_lossy()) {
        Ok(c) => c,
        Err(diagnostics) => {
            for report in diagnostics.reports() {
                eprintln!(
                    "{}:{}:{}: {}",
                    rules_path.display(),
                    report.line,
                    report.column,
                    report.message
                );
            }
            return Err("the rule file has errors".into());
        }
    };
    let plan = Arc::new(compiled.plan);

    // 2. Load the partners (the CSV cell forms: `a|b` sets, `US except US-AK`, `k=v` maps) and
    //    index them for the plan.
    let partners = read_csv(&dir.join("partners.csv"), &plan.partner_schema)?;
    let mut network = Network::for_plan(&plan, partners)?;
    let engine = Engine::new(plan.clone())?;

    // 3. Route the leads in order at `now`, recording each assignment in the network's state.
    let leads = read_csv(&dir.join("leads.csv"), &plan.lead_schema)?;
    let now_ms = chrono::DateTime::parse_from_rfc3339(&now)?.timestamp_millis();
    let opts = RouteOptions {
        explain: true,
        ..RouteOptions::default()
    };
    let results = engine.route_batch(&mut network, &leads, Times::At(now_ms), &opts);

    println!("lead,outcome,target,rule");
    for (lead, result) in leads.iter().zip(&results) {
        match result {
            Ok(d) => {
                let (kind, target) = match &d.outcome {
                    Outcome::Partner { id } => ("partner", id.as_ref()),
                    Outcome::Queue { name } => ("queue", name.as_ref()),
                    Outcome::Unrouted => ("unrouted", ""),
                };
                println!(
                    "{},{kind},{target},{}",
                    lead.id,
                    d.rule.as_deref().unwrap_or("")
                );
            }
            Err(report) => println!("{},error,,{}", lead.id, report.message),
        }
    }

    // 4. Explain one decision.
    let chosen = leads.iter().zip(&results).find(|(lead, _)| {
        explain_id
            .as_deref()
            .is_none_or(|id| lead.id.as_ref() == id)
    });
    match chosen {
        Some((lead, Ok(decision))) => explain(&lead.id, decision),
        Some((lead, Err(report))) => println!("\n{}: {}", lead.id, report_text(report)),
        None => return Err(format!("no lead `{}`", explain_id.unwrap_or_default()).into()),
    }
    Ok(())
}

/// The records of a CSV file, read as the CLI reads them (cells trimmed, empty = missing).
fn read_csv(path: &std::path::Path, schema: &Schema) -> Result<Vec<Record>, Box<dyn Error>> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_path(path)?;
    let headers = reader.headers()?.clone();
    let headers: Vec<&str> = headers.iter().collect();
    let header = TextHeader::new(schema, &headers);
    let mut records = Vec::new();
    for (i, row) in reader.records().enumerate() {
        let row = row?;
        let cells: Vec<&str> = row.iter().collect();
        let record = header
            .record(&cells, i + 1)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        records.push(record);
    }
    Ok(records)
}

fn explain(lead: &str, decision: &Decision) {
    let to = match &decision.outcome {
        Outcome::Partner { id } => format!("partner {id}"),
        Outcome::Queue { name } => format!("queue `{name}`"),
        Outcome::Unrouted => "nobody (unrouted)".to_string(),
    };
    println!(
        "\nwhy {lead} went to {to}, by rule `{}`:",
        decision.rule.as_deref().unwrap_or("-")
    );
    let Some(why) = &decision.explanation else {
        return;
    };
    println!(
        "  ruleset {} version {} ({})",
        why.ruleset.name, why.ruleset.version, why.ruleset.content_hash
    );
    for rule in &why.rules {
        let when = if rule.matched {
            "matched"
        } else {
            "did not match"
        };
        let then = match rule.outcome {
            RuleOutcome::Decided => "decided",
            RuleOutcome::Next => "next rule",
            RuleOutcome::Queue => "its queue",
            RuleOutcome::Parent => "the parent distributor",
        };
        println!(
            "  rule `{}`: {when}, {} eligible -> {then}",
            rule.rule, rule.eligible
        );
    }
    for group in &why.excluded {
        println!(
            "  excluded by `{}`: {} partner(s)",
            group.reason,
            group.partners.len()
        );
    }
    for c in why.candidates.iter().take(3) {
        let score = c.score.map_or("-".to_string(), |s| format!("{s:.4}"));
        println!("  candidate {}: {} (score {score})", c.position, c.partner);
    }
    if let Some(tie) = why.tie_break {
        println!("  the first two candidates were separated by: {tie}");
    }
}

fn report_text(report: &ErrorReport) -> String {
    match &report.help {
        Some(help) => format!("{} (help: {help})", report.message),
        None => report.message.clone(),
    }
}
