//! A W1 batch run for profilers (`valgrind --tool=callgrind`): routes `N` leads (default
//! 20,000) of W1 through the prepared compact path (or, with a second argument `hand`, the
//! hand-written loop) once and prints the number routed.
//!
//! `cargo build --release -p leadrail-benches --bin w1_profile && valgrind --tool=callgrind
//! target/release/w1_profile 20000`
//!
//! Preparation modes (second argument), for counting instructions per lead with
//! `valgrind --tool=callgrind --toggle-collect='*prepare_columns*' target/release/w1_profile
//! 100000 <mode>`: the leads are built as the Python and Node bindings build them (ids
//! `Column::Text`, region and product line `Column::Dict`, deal size `Column::Int`) and
//! - `columns` runs `Engine::prepare_columns`;
//! - `split` runs `Record::from_columns_split` and `Engine::prepare_leads` (in
//!   `prepare_columns_via_split`);
//! - `records` runs `Engine::prepare_leads` on prebuilt records (in
//!   `prepare_columns_via_records`).
//!
//! Each then routes the batch as the default mode does (outside the collected functions).
//! With `--features mimalloc` the binary allocates through mimalloc, as the Python and Node
//! bindings do (the system allocator costs ~190 instructions per record on this path).

use std::sync::Arc;

use leadrail_benches::handwritten::Handwritten;
use leadrail_benches::w1::{START, STEP, W1};
use leadrail_core::network::Network;
use leadrail_core::record::{Column, DataError, Record};
use leadrail_core::route::{Engine, LeadBatch, RouteOptions, Times};

#[cfg(feature = "mimalloc")]
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n: usize = std::env::args()
        .nth(1)
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(20_000);
    let w = W1::generate(1, 1_000, n);
    let engine = Engine::new(Arc::new(W1::plan()))?;
    let mut net = Network::new(&W1::partner_schema(), w.partner_records())?;
    let times = Times::Step {
        start: START,
        step: STEP,
    };
    let mode = std::env::args().nth(2);
    let batch = match mode.as_deref() {
        Some("hand") => {
            let mut h = Handwritten::new(&w);
            let out = route_hand(&mut h, &w);
            let routed = out.iter().filter(|x| x.is_some()).count();
            println!("{routed} of {n} routed by the hand-written loop");
            return Ok(());
        }
        Some(m @ ("columns" | "split")) => {
            let (ids, cols) = w.lead_columns();
            let named: Vec<(&str, &Column)> = ["region", "product_line", "deal_size"]
                .into_iter()
                .zip(cols.iter())
                .collect();
            let (batch, bad) = if m == "columns" {
                engine.prepare_columns(n, &ids, &named)
            } else {
                prepare_columns_via_split(&engine, n, &ids, &named)
            };
            println!("{} leads prepared, {} bad rows", batch.len(), bad.len());
            batch
        }
        Some("records") => prepare_columns_via_records(&engine, w.lead_records()),
        _ => engine.prepare_leads(w.lead_records()),
    };
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

/// `Record::from_columns_split` then `Engine::prepare_leads` (what `prepare_columns` replaces).
#[inline(never)]
fn prepare_columns_via_split(
    engine: &Engine,
    rows: usize,
    ids: &Column,
    named: &[(&str, &Column)],
) -> (LeadBatch, Vec<(usize, DataError)>) {
    let (good, bad) = Record::from_columns_split(&engine.plan().lead_schema, rows, ids, named);
    (engine.prepare_leads(good), bad)
}

/// `Engine::prepare_leads` on records (named to match the same callgrind toggle).
#[inline(never)]
fn prepare_columns_via_records(engine: &Engine, leads: Vec<Record>) -> LeadBatch {
    engine.prepare_leads(leads)
}

/// The hand-written loop (a named function, so profilers can select it).
#[inline(never)]
fn route_hand(h: &mut Handwritten, w: &W1) -> Vec<Option<u32>> {
    h.route_all(&w.leads, START, STEP)
}
