//! Compiles a rule file once (parse + check + compile) and prints the wall time; with
//! `--phases`, first times `parse` and `parse` + `check` alone. CPU time and peak memory: run it
//! under `/usr/bin/time -v` (without `--phases`, the figures are those of one compile).
//!
//! ```text
//! cargo build --release -p leadrail-benches --bin compile_rules --bin gen_big_rules
//! target/release/gen_big_rules --bytes 10000000 --out /tmp/big.rail
//! /usr/bin/time -v target/release/compile_rules /tmp/big.rail
//! ```

use std::time::Instant;

fn main() {
    let mut path = None;
    let mut phases = false;
    for a in std::env::args().skip(1) {
        match a.as_str() {
            "--phases" => phases = true,
            _ => path = Some(a),
        }
    }
    let Some(path) = path else {
        eprintln!("usage: compile_rules [--phases] FILE");
        std::process::exit(2);
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("cannot read {path}: {e}");
            std::process::exit(1);
        }
    };
    let mb = text.len() as f64 / 1e6;
    if phases {
        let t = Instant::now();
        let parsed = leadrail_dsl::parse(&text, &path);
        let items = parsed.as_ref().map_or(0, |f| f.items.len());
        println!("parse {:.2} s ({items} items)", t.elapsed().as_secs_f64());
        drop(parsed);
        let t = Instant::now();
        let checked = leadrail_dsl::check(&text, &path);
        println!("parse+check {:.2} s", t.elapsed().as_secs_f64());
        drop(checked);
    }
    let t = Instant::now();
    let compiled = leadrail_dsl::compile(&text, &path);
    let secs = t.elapsed().as_secs_f64();
    let outcome = match &compiled {
        Ok(c) => format!(
            "{} rules, {} warnings",
            c.plan.rules.len(),
            c.warnings.len()
        ),
        // as the bindings and the CLI do: every diagnostic with its line and column
        Err(e) => format!("{} diagnostics", e.reports().len()),
    };
    println!(
        "{path}: {mb:.1} MB: parse+check+compile {secs:.2} s wall ({:.1} MB/s); {outcome}",
        mb / secs.max(1e-9)
    );
}
