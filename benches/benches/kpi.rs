//! BENCH.md W5: KPIs and the stage-weighted forecast over the events of 100,000 leads across
//! 1,000 partners and 24 months (about 10,000,000 events), per partner and month: conversion,
//! acceptance, response-time statistics, time per stage, SLA attainment (three SLAs) and the
//! forecast, in one call (`kpi::kpis_and_forecast`).
//!
//! `cargo bench -p leadrail-benches --bench kpi` (set `W5_N` for the number of leads; default
//! 100,000). Variants: on rayon's pool (`parallel`) and on one thread; KPIs without the
//! forecast (`kpis_only`). The polars pipeline computing the same figures is
//! `benches/polars_w5.py`.
#![expect(clippy::expect_used, reason = "bench code")]

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use leadrail_benches::w5;
use leadrail_core::kpi::{self, GroupBy, KpiInput, KpiOptions};
use leadrail_core::sla::NoPartnerCalendars;

fn bench_w5(c: &mut Criterion) {
    let n: usize = std::env::var("W5_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let w = w5::generate(n, 1000, 5).expect("W5 workload");
    let events: usize = w.timelines.iter().map(|t| t.events.len()).sum();
    eprintln!("W5: {n} leads, {events} events");
    let input = KpiInput::new(&w.timelines)
        .with_leads(&w.leads)
        .with_slas(&w.slas, &NoPartnerCalendars);
    let opts = |threads| KpiOptions {
        by: GroupBy::parse(["partner", "month"]).expect("by"),
        threads,
        ..KpiOptions::default()
    };
    let mut g = c.benchmark_group("w5");
    g.sample_size(10);
    g.throughput(Throughput::Elements(events as u64));
    for (name, threads) in [("parallel", None), ("one_thread", Some(1))] {
        let o = opts(threads);
        g.bench_function(format!("kpis_and_forecast_{n}_{name}"), |b| {
            b.iter(|| {
                let (k, f) = kpi::kpis_and_forecast(&input, w.now, &o).expect("kpis");
                black_box((k.assignments.len(), f.total.expected))
            })
        });
    }
    let o = opts(None);
    g.bench_function(format!("kpis_only_{n}_parallel"), |b| {
        b.iter(|| {
            black_box(
                kpi::kpis(&input, w.now, &o)
                    .expect("kpis")
                    .assignments
                    .len(),
            )
        })
    });
    g.finish();
}

criterion_group!(benches, bench_w5);
criterion_main!(benches);
