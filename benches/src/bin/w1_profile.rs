//! A W1 batch run for profilers (`valgrind --tool=callgrind`): routes `N` leads (default
//! 20,000) of W1 through the prepared compact path (or, with a second argument `hand`, the
//! hand-written loop) once and prints the number routed.
//!
//! `cargo build --release -p leadrail-benches --bin w1_profile && valgrind --tool=callgrind
//! target/release/w1_profile 20000`

use std::sync::Arc;

use leadrail_benches::handwritten::Handwritten;
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
    if std::env::args().nth(2).as_deref() == Some("hand") {
        let mut h = Handwritten::new(&w);
        let out = route_hand(&mut h, &w);
        let routed = out.iter().filter(|x| x.is_some()).count();
        println!("{routed} of {n} routed by the hand-written loop");
        return Ok(());
    }
    // a third argument repeats the batch on fresh copies of the network (for sampling profilers)
    let repeat: usize = std::env::args()
        .nth(3)
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(1);
    for _ in 1..repeat {
        let mut n = net.clone();
        std::hint::black_box(engine.route_prepared_compact(
            &mut n,
            &batch,
            times,
            &RouteOptions::default(),
        ));
    }
    let out = engine.route_prepared_compact(&mut net, &batch, times, &RouteOptions::default());
    let routed = out.routed();
    println!("{routed} of {n} routed");
    Ok(())
}

/// The hand-written loop (a named function, so profilers can select it).
#[inline(never)]
fn route_hand(h: &mut Handwritten, w: &W1) -> Vec<Option<u32>> {
    h.route_all(&w.leads, START, STEP)
}
