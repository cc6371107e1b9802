//! A W1 batch run for profilers (`valgrind --tool=callgrind`): routes `N` leads (default
//! 20,000) of W1 through the prepared compact path once and prints the number routed.
//!
//! `cargo build --release -p leadrail-benches --bin w1_profile && valgrind --tool=callgrind
//! target/release/w1_profile 20000`

use std::sync::Arc;

use leadrail_benches::w1::{START, STEP, W1};
use leadrail_core::network::Network;
use leadrail_core::route::{Engine, RouteOptions, Times};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n: usize = std::env::args()
        .nth(1)
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(20_000);
    let w = W1::generate(1, 1_000, n);
    let engine = Engine::new(Arc::new(W1::plan()))?;
    let mut net = Network::new(&W1::partner_schema(), w.partner_records())?;
    let batch = engine.prepare_leads(w.lead_records());
    let times = Times::Step {
        start: START,
        step: STEP,
    };
    let out = engine.route_prepared_compact(&mut net, &batch, times, &RouteOptions::default());
    let routed = out.routed();
    println!("{routed} of {n} routed");
    Ok(())
}
