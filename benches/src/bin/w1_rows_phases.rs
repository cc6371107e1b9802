//! Where W1 as a Rust host spends its time (the `w1_batch/engine_rows` bench, step by step),
//! beside the hand-written loop over the same string rows (`w1_batch/handwritten_rows`) and
//! over pre-resolved codes (`w1_batch/handwritten`).
//!
//! Each step is timed in the calling thread's CPU time, so the figures hold on a loaded
//! machine (wall-clock medians there swing 2x); the medians (and minima) of `N` rounds
//! (default 21) are printed.
//!
//! `cargo run --release -p leadrail-benches --bin w1_rows_phases -- [N] [whole]` (`whole`: run
//! the host layer's whole path `N` times and print nothing, for profilers)
//! (add `--features mimalloc` to allocate as the Python and Node bindings do)
//!
//! The steps: the host builds its columns (`ids`: packed into one string, `Column::packed`;
//! `texts`: region and product line dictionary-encoded with `Column::texts`; `ints`: deal
//! sizes), core reads and prepares them (`prepare`: `Rows::prepare`, which keeps the columns
//! and interns the probe keys), routes them and frees the prepared batch (`Prepared::route`).
//! `host layer, whole` is the same in one expression, as `engine_rows` runs it; `prepare with
//! records` is `Engine::prepare_columns` over the same columns (a record per lead) and the
//! batch freed, for comparison.
//!
//! Last, what one batch allocates, the host layer's whole path against the hand-written loop
//! (bytes requested and allocations, counted by `stats_alloc` around the system allocator; not
//! with `--features mimalloc`): memory a batch takes and gives back is what an allocator that
//! returns it to the kernel (glibc's `malloc` when the top of its heap is free) makes the next
//! batch fault in again, page by page.

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
use leadrail_core::host::{Host, Instants, Rows};
use leadrail_core::network::Network;
use leadrail_core::record::Column;
use leadrail_core::route::{Engine, RouteOptions};

#[cfg(feature = "mimalloc")]
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[cfg(not(feature = "mimalloc"))]
#[global_allocator]
static ALLOC: &stats_alloc::StatsAlloc<std::alloc::System> = &stats_alloc::INSTRUMENTED_SYSTEM;

/// The calling thread's CPU time so far.
fn cpu() -> Duration {
    let t = rustix::time::clock_gettime(rustix::time::ClockId::ThreadCPUTime);
    Duration::new(
        u64::try_from(t.tv_sec).unwrap_or(0),
        u32::try_from(t.tv_nsec).unwrap_or(0),
    )
}

const STEPS: [&str; 9] = [
    "ids",
    "texts",
    "ints",
    "prepare",
    "route, free batch",
    "engine, sum of steps",
    "host layer, whole",
    "prepare with records",
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
    let instants = Instants::Step {
        start: START,
        step_ms: STEP,
    };
    if std::env::args().nth(2).as_deref() == Some("whole") {
        // for profilers: the host layer's whole path only
        for _ in 0..rounds {
            let mut n = net.clone();
            let results = read_rows(&rows)
                .prepare(&engine)
                .route(&engine, &mut n, &instants, &opts);
            black_box(results);
        }
        return;
    }
    let mut t: Vec<Vec<Duration>> = vec![Vec::new(); STEPS.len() + 1];
    for _ in 0..rounds {
        let mut n = net.clone();
        let t0 = cpu();
        let ids = Column::packed(rows.iter().map(|r| r.id.as_str()));
        let t1 = cpu();
        let region = Column::texts(rows.iter().map(|r| Some(r.region.as_str())));
        let line = Column::texts(rows.iter().map(|r| Some(r.product_line.as_str())));
        let t2 = cpu();
        let size = Column::Int(rows.iter().map(|r| Some(r.deal_size)).collect());
        let t3 = cpu();
        // the reference: the columns read into a record per lead, prepared, the batch freed
        let named = [
            ("region", &region),
            ("product_line", &line),
            ("deal_size", &size),
        ];
        let r0 = cpu();
        let records = engine.prepare_columns(rows.len(), &ids, &named);
        drop(records);
        let r1 = cpu();
        let fields = vec![
            ("region".to_string(), region),
            ("product_line".to_string(), line),
            ("deal_size".to_string(), size),
        ];
        let t4 = cpu();
        let prepared = Rows::new(Host::RUST, rows.len(), ids, fields).prepare(&engine);
        let t5 = cpu();
        let results = prepared.route(&engine, &mut n, &instants, &opts);
        let t6 = cpu();
        black_box(results);
        let spans = [
            t1 - t0,
            t2 - t1,
            t3 - t2,
            t5 - t4,
            t6 - t5,
            (t3 - t0) + (t6 - t4),
        ];
        for (k, d) in spans.into_iter().enumerate() {
            t[k].push(d);
        }
        t[7].push(r1 - r0);

        let mut n = net.clone();
        let a = cpu();
        let results = read_rows(&rows)
            .prepare(&engine)
            .route(&engine, &mut n, &instants, &opts);
        t[6].push(cpu() - a);
        black_box(results);

        let mut h = hand.clone();
        let a = cpu();
        black_box(h.route_rows(&rows, START, STEP));
        t[8].push(cpu() - a);
        let mut h = hand.clone();
        let a = cpu();
        black_box(h.route_all(&w.leads, START, STEP));
        t[9].push(cpu() - a);
    }
    let ms = |d: &Duration| d.as_secs_f64() * 1e3;
    let hand_median = {
        let v = t.get_mut(8).unwrap();
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
    #[cfg(not(feature = "mimalloc"))]
    {
        use stats_alloc::Region;
        let mb = |s: stats_alloc::Stats| {
            (s.bytes_allocated + s.bytes_reallocated.max(0) as usize) as f64 / 1e6
        };
        let count = |s: stats_alloc::Stats| s.allocations + s.reallocations;
        let mut n = net.clone();
        let region = Region::new(ALLOC);
        let results = read_rows(&rows)
            .prepare(&engine)
            .route(&engine, &mut n, &instants, &opts);
        let engine_stats = region.change();
        drop(results);
        let mut h = hand.clone();
        let region = Region::new(ALLOC);
        let out = h.route_rows(&rows, START, STEP);
        let hand_stats = region.change();
        drop(out);
        println!("allocated in one batch (bytes requested, allocations):");
        for (name, s) in [
            ("host layer, whole", engine_stats),
            ("handwritten_rows", hand_stats),
        ] {
            println!("{name:>26}  {:6.2} MB  {:>6}", mb(s), count(s));
        }
    }
}
