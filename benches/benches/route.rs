//! W1 routing benches (BENCH.md): batch decisions/s for the engine (prepared leads, leads
//! prepared from columns per iteration, and records) and the hand-written loop, and the
//! latency of one decision.
//!
//! `cargo bench -p leadrail-benches --bench route -- --warm-up-time 1 --measurement-time 3`
//! (add `--features mimalloc` to allocate, in every bench, as the Python and Node bindings do)
#![expect(
    clippy::unwrap_used,
    reason = "a bench harness: fail loudly on bad setup"
)]

use std::hint::black_box;
use std::sync::Arc;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use leadrail_benches::handwritten::Handwritten;
use leadrail_benches::host::{read_rows, RowsBatch};
use leadrail_benches::w1::{LeadRow, START, STEP, W1};
use leadrail_core::host::{Host, Instants, Rows, SharedNetwork};
use leadrail_core::network::Network;
use leadrail_core::record::Column;
use leadrail_core::route::{Engine, RouteOptions, Times};

#[cfg(feature = "mimalloc")]
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn w1(c: &mut Criterion) {
    let w = W1::generate(1, 1_000, 100_000);
    let engine = Engine::new(Arc::new(W1::plan())).unwrap();
    let net = Network::new(&W1::partner_schema(), w.partner_records()).unwrap();
    let leads = w.lead_records();
    let batch = engine.prepare_leads(leads.clone());
    let opts = RouteOptions::default();
    let times = Times::Step {
        start: START,
        step: STEP,
    };
    let hand = Handwritten::new(&w);

    let mut g = c.benchmark_group("w1_batch");
    g.throughput(Throughput::Elements(w.leads.len() as u64));
    g.sample_size(10);
    g.bench_function("engine_prepared", |b| {
        b.iter_batched_ref(
            || net.clone(),
            |n| black_box(engine.route_prepared(n, &batch, times, &opts)),
            BatchSize::LargeInput,
        )
    });
    g.bench_function("engine_compact", |b| {
        b.iter_batched_ref(
            || net.clone(),
            |n| black_box(engine.route_prepared_compact(n, &batch, times, &opts)),
            BatchSize::LargeInput,
        )
    });
    // leads as the bindings pass columns, prepared and routed per iteration
    let (ids, cols) = w.lead_columns();
    let named: Vec<(&str, &Column)> = ["region", "product_line", "deal_size"]
        .into_iter()
        .zip(cols.iter())
        .collect();
    g.bench_function("engine_columns", |b| {
        b.iter_batched_ref(
            || net.clone(),
            |n| {
                let (batch, bad) = engine.prepare_columns(w.leads.len(), &ids, &named);
                black_box(bad);
                black_box(engine.route_prepared_compact(n, &batch, times, &opts))
            },
            BatchSize::LargeInput,
        )
    });
    g.bench_function("engine_records", |b| {
        b.iter_batched_ref(
            || net.clone(),
            |n| black_box(engine.route_batch(n, &leads, times, &opts)),
            BatchSize::LargeInput,
        )
    });
    g.bench_function("handwritten", |b| {
        b.iter_batched_ref(
            || hand.clone(),
            |h| black_box(h.route_all(&w.leads, START, STEP)),
            BatchSize::LargeInput,
        )
    });
    // The second yardstick: leads as string rows, resolved inside the timed loop.
    let rows = w.lead_rows();
    g.bench_function("handwritten_rows", |b| {
        b.iter_batched_ref(
            || hand.clone(),
            |h| black_box(h.route_rows(&rows, START, STEP)),
            BatchSize::LargeInput,
        )
    });
    // The engine from the same rows, as a Rust host pays for it through core's host layer:
    // the rows read into columns (`host::read_rows`: ids as texts, region and product line
    // dictionary-encoded, deal sizes as integers), prepared, routed, the results in the compact
    // form every host gets (`Rows::prepare`, `Prepared::route`: the steps the batch runner of
    // the bindings takes for each piece), on one thread like the hand-written loop.
    // `engine_rows_chunked` runs the batch runner itself (`SharedNetwork::route_batch`: 100,000
    // leads go in chunks, read on the calling thread while a second thread prepares and routes
    // them); `engine_rows_text_cells` is `engine_rows` with every text as its own `Arc`
    // (`Column::Text`).
    let instants = Instants::Step {
        start: START,
        step_ms: STEP,
    };
    g.bench_function("engine_rows", |b| {
        b.iter_batched_ref(
            || net.clone(),
            |n| {
                let results = read_rows(&rows)
                    .prepare(&engine)
                    .route(&engine, n, &instants, &opts);
                black_box(results)
            },
            BatchSize::LargeInput,
        )
    });
    g.bench_function("engine_rows_chunked", |b| {
        b.iter_batched_ref(
            || SharedNetwork::new(net.clone(), Host::RUST),
            |n| {
                let mut batch = RowsBatch::new(&rows);
                n.route_batch(&engine, rows.len(), &instants, &opts, &mut batch)
                    .unwrap();
                black_box(batch.out)
            },
            BatchSize::LargeInput,
        )
    });
    g.bench_function("engine_rows_text_cells", |b| {
        b.iter_batched_ref(
            || net.clone(),
            |n| {
                let text = |f: fn(&LeadRow) -> &str| {
                    Column::Text(rows.iter().map(|r| Some(Arc::from(f(r)))).collect())
                };
                let ids = text(|r| &r.id);
                let fields = vec![
                    ("region".to_string(), text(|r| &r.region)),
                    ("product_line".to_string(), text(|r| &r.product_line)),
                    (
                        "deal_size".to_string(),
                        Column::Int(rows.iter().map(|r| Some(r.deal_size)).collect()),
                    ),
                ];
                let results = Rows::new(Host::RUST, rows.len(), ids, fields)
                    .prepare(&engine)
                    .route(&engine, n, &instants, &opts);
                black_box(results)
            },
            BatchSize::LargeInput,
        )
    });
    g.finish();

    let mut g = c.benchmark_group("w1_single");
    g.throughput(Throughput::Elements(1));
    let mut i = 0usize;
    g.bench_function("route_one_decision", |b| {
        b.iter(|| {
            i = (i + 1) % leads.len();
            let l = leads.get(i).unwrap();
            black_box(engine.route(&net, l, START, &opts).unwrap())
        })
    });
    g.finish();
}

criterion_group!(benches, w1);
criterion_main!(benches);
