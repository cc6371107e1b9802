//! Where W1 as a Rust host spends its time (the `w1_batch/engine_rows` bench, step by step),
//! beside the hand-written loop over the same string rows (`w1_batch/handwritten_rows`) and
//! over pre-resolved codes (`w1_batch/handwritten`).
//!
//! Each step is timed in the calling thread's CPU time, so the figures hold on a loaded
//! machine (wall-clock medians there swing 2x); the medians (and minima) of `N` rounds
//! (default 21) are printed.
//!
//! `cargo run --release -p leadrail-benches --bin w1_rows_phases -- [N]`
//! (add `--features mimalloc` to allocate as the Python and Node bindings do)
//!
//! The steps: the host builds its columns (`ids`: one `Arc<str>` per lead; `texts`: region
//! and product line dictionary-encoded with `Column::texts`; `ints`: deal sizes), core reads
//! and prepares them (`prepare`: `Engine::prepare_columns`, which builds a `Record` per lead and
//! interns the probe keys), routes (`route`: `Engine::route_prepared_compact`) and frees the
//! prepared batch and the columns. `host layer, whole` is the same through `Rows::prepare` and
//! `Prepared::route`, as `engine_rows` runs it.

#![expect(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "a measuring tool over fixed tables: fail loudly on bad setup"
)]

use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

use leadrail_benches::handwritten::Handwritten;
use leadrail_benches::host::read_rows;
use leadrail_benches::w1::{START, STEP, W1};
use leadrail_core::host::Instants;
use leadrail_core::network::Network;
use leadrail_core::record::{Column, Record};
use leadrail_core::route::{Engine, RouteOptions, Times};

#[cfg(feature = "mimalloc")]
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The calling thread's CPU time so far.
fn cpu() -> Duration {
    let t = rustix::time::clock_gettime(rustix::time::ClockId::ThreadCPUTime);
    Duration::new(
        u64::try_from(t.tv_sec).unwrap_or(0),
        u32::try_from(t.tv_nsec).unwrap_or(0),
    )
}

const STEPS: [&str; 11] = [
    "ids",
    "texts",
    "ints",
    "prepare",
    "  of which the records",
    "route",
    "free batch",
    "free columns",
    "engine, sum of steps",
    "host layer, whole",
    "handwritten_rows",
];

fn main() {
    let rounds: usize = std::env::args()
        .nth(1)
        .map(|s| s.parse().unwrap())
        .unwrap_or(21);
    let w = W1::generate(1, 1_000, 100_000);
    let engine = Engine::new(Arc::new(W1::plan())).unwrap();
    let net = Network::new(&W1::partner_schema(), w.partner_records()).unwrap();
    let rows = w.lead_rows();
    let hand = Handwritten::new(&w);
    let opts = RouteOptions::default();
    let times = Times::Step {
        start: START,
        step: STEP,
    };
    let instants = Instants::Step {
        start: START,
        step_ms: STEP,
    };
    let mut t: Vec<Vec<Duration>> = vec![Vec::new(); STEPS.len() + 1];
    for _ in 0..rounds {
        let mut n = net.clone();
        let t0 = cpu();
        let ids = Column::Text(
            rows.iter()
                .map(|r| Some(Arc::from(r.id.as_str())))
                .collect(),
        );
        let t1 = cpu();
        let region = Column::texts(rows.iter().map(|r| Some(r.region.as_str())));
        let line = Column::texts(rows.iter().map(|r| Some(r.product_line.as_str())));
        let t2 = cpu();
        let size = Column::Int(rows.iter().map(|r| Some(r.deal_size)).collect());
        let t3 = cpu();
        let named = [
            ("region", &region),
            ("product_line", &line),
            ("deal_size", &size),
        ];
        let (batch, bad) = engine.prepare_columns(rows.len(), &ids, &named);
        let t4 = cpu();
        let out = engine.route_prepared_compact(&mut n, &batch, times, &opts);
        let t5 = cpu();
        drop(batch);
        let t6 = cpu();
        // the records alone (what `prepare` builds before interning their probe keys)
        let lead_schema = &engine.plan().lead_schema;
        let r0 = cpu();
        let records = Record::from_columns_split(lead_schema, rows.len(), &ids, &named);
        let r1 = cpu();
        drop(records);
        let t7 = cpu();
        drop((ids, region, line, size));
        let t8 = cpu();
        black_box((out, bad));
        let spans = [
            t1 - t0,
            t2 - t1,
            t3 - t2,
            t4 - t3,
            r1 - r0,
            t5 - t4,
            t6 - t5,
            t8 - t7,
            (t6 - t0) + (t8 - t7),
        ];
        for (k, d) in spans.into_iter().enumerate() {
            t[k].push(d);
        }

        let mut n = net.clone();
        let a = cpu();
        let results = read_rows(&rows)
            .prepare(&engine)
            .route(&engine, &mut n, &instants, &opts);
        t[9].push(cpu() - a);
        black_box(results);

        let mut h = hand.clone();
        let a = cpu();
        black_box(h.route_rows(&rows, START, STEP));
        t[10].push(cpu() - a);
        let mut h = hand.clone();
        let a = cpu();
        black_box(h.route_all(&w.leads, START, STEP));
        t[11].push(cpu() - a);
    }
    let ms = |d: &Duration| d.as_secs_f64() * 1e3;
    let hand_median = {
        let v = t.get_mut(10).unwrap();
        v.sort();
        ms(&v[v.len() / 2])
    };
    println!("W1, 100,000 leads, CPU time of the calling thread, {rounds} rounds");
    println!(
        "{:>26}  {:>8}  {:>8}  {:>9}",
        "step", "median", "min", "x hand"
    );
    let names = STEPS.iter().chain(["handwritten (codes)"].iter());
    for (name, v) in names.zip(t.iter_mut()) {
        v.sort();
        let m = ms(&v[v.len() / 2]);
        println!(
            "{name:>26}  {m:6.2}ms  {:6.2}ms  {:8.2}x",
            ms(&v[0]),
            m / hand_median
        );
    }
}
