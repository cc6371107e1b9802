//! BENCH.md W6: deal registration, new deals checked against existing registrations.
//!
//! `cargo bench -p leadrail-benches --bench dealreg` (`W6_EXISTING`, default 1,000,000;
//! `W6_NEW`, default 100,000). Measures one check (`check_one`, deals taken in turn) and the
//! whole batch on rayon's pool (`check_batch`). Building the registry is timed once and printed.
#![expect(clippy::expect_used, reason = "bench code")]

use std::hint::black_box;
use std::time::Instant;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use leadrail_benches::w6;
use leadrail_core::dealreg::{Outcome, Policy, Registry};

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn bench_w6(c: &mut Criterion) {
    let existing = env("W6_EXISTING", 1_000_000);
    let new = env("W6_NEW", 100_000);
    let (regs, deals) = w6::generate(existing, new, 6);
    let t = Instant::now();
    let registry = Registry::from_records(regs);
    println!("w6: registry of {existing} built in {:.2?}", t.elapsed());
    let policy = Policy::default();
    let t = Instant::now();
    let verdicts = registry.check_batch(&deals, w6::NOW, &policy);
    let count = |o| verdicts.iter().filter(|v| v.outcome == o).count();
    println!(
        "w6: {new} deals in {:.2?} (one pass): auto_approve {}, review {}, reject {}",
        t.elapsed(),
        count(Outcome::AutoApprove),
        count(Outcome::Review),
        count(Outcome::Reject)
    );
    assert_eq!(verdicts.len(), new);
    let mut g = c.benchmark_group("w6");
    let mut i = 0usize;
    g.bench_function(format!("check_one_against_{existing}"), |b| {
        b.iter(|| {
            i = (i + 1) % deals.len();
            let d = deals.get(i).expect("a deal");
            black_box(registry.check(d, w6::NOW, &policy).conflicts.len())
        })
    });
    g.sample_size(10);
    g.throughput(Throughput::Elements(new as u64));
    g.bench_function(format!("check_batch_{new}_against_{existing}"), |b| {
        b.iter(|| black_box(registry.check_batch(&deals, w6::NOW, &policy).len()))
    });
    g.finish();
}

criterion_group!(benches, bench_w6);
criterion_main!(benches);
