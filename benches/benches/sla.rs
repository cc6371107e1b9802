//! BENCH.md W4: SLA evaluation of generated lead timelines (accept, first-contact and stalled
//! SLAs on three business calendars) at one `now`.
//!
//! `cargo bench -p leadrail-benches --bench sla` (set `W4_N` for the number of timelines;
//! default 200,000, the BENCH.md figure is per timeline so any N gives the rate). Four
//! variants: a fresh `Evaluation` per timeline (`evaluate_*`), and one reused per thread through
//! `SlaSet::evaluate_into` (`evaluate_into_*`, a host's batch loop); each on the rayon pool and
//! on one thread.
#![expect(clippy::expect_used, reason = "bench code")]

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use leadrail_benches::w4;
use rayon::prelude::*;

fn bench_w4(c: &mut Criterion) {
    let n: usize = std::env::var("W4_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200_000);
    let w = w4::generate(n, 42).expect("W4 workload");
    // Warm the calendars' lazily built tables outside the measurement.
    let ok = w
        .timelines
        .iter()
        .filter(|t| w4::evaluate(&w, t).is_ok())
        .count();
    assert_eq!(ok, n, "every generated timeline evaluates");
    let mut g = c.benchmark_group("w4");
    g.sample_size(10);
    g.throughput(Throughput::Elements(n as u64));
    g.bench_function(format!("evaluate_{n}_parallel"), |b| {
        b.iter(|| {
            let due: usize = w
                .timelines
                .par_iter()
                .map(|t| w4::evaluate(&w, t).map(|e| e.due.len()).unwrap_or(0))
                .sum();
            black_box(due)
        })
    });
    g.bench_function(format!("evaluate_{n}_one_thread"), |b| {
        b.iter(|| {
            let due: usize = w
                .timelines
                .iter()
                .map(|t| w4::evaluate(&w, t).map(|e| e.due.len()).unwrap_or(0))
                .sum();
            black_box(due)
        })
    });
    g.bench_function(format!("evaluate_into_{n}_parallel"), |b| {
        b.iter(|| {
            let due: usize = w
                .timelines
                .par_iter()
                .map_init(
                    || w4::scratch(&w),
                    |out, t| match w4::evaluate_into(&w, t, out) {
                        Ok(()) => out.due.len(),
                        Err(_) => 0,
                    },
                )
                .sum();
            black_box(due)
        })
    });
    g.bench_function(format!("evaluate_into_{n}_one_thread"), |b| {
        b.iter(|| {
            let mut out = w4::scratch(&w);
            let due: usize = w
                .timelines
                .iter()
                .map(|t| match w4::evaluate_into(&w, t, &mut out) {
                    Ok(()) => out.due.len(),
                    Err(_) => 0,
                })
                .sum();
            black_box(due)
        })
    });
    g.finish();
}

criterion_group!(benches, bench_w4);
criterion_main!(benches);
