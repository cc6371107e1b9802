//! W5 (BENCH.md) measured in on-CPU time, which a shared, loaded machine does not distort the
//! way it distorts wall-clock medians: per part of the work (KPIs without and with the SLAs,
//! the forecast, everything in one pass), the calling thread's CPU time on one thread
//! (`/proc/thread-self/schedstat`, Linux), median of `RUNS` runs. Compare with the process
//! CPU time `benches/polars_w5.py` prints for the polars pipeline.
//!
//! `cargo run --release -p leadrail-benches --bin w5_cpu -- [LEADS] [RUNS]` (default 100,000
//! leads, 3 runs).
#![expect(clippy::expect_used, reason = "measurement tool")]

use std::time::Instant;

use leadrail_benches::w5;
use leadrail_core::kpi::{self, GroupBy, KpiInput, KpiOptions};
use leadrail_core::sla::NoPartnerCalendars;

/// On-CPU nanoseconds of the calling thread.
fn thread_cpu_ns() -> u64 {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").expect("Linux schedstat");
    s.split_whitespace()
        .next()
        .and_then(|v| v.parse().ok())
        .expect("schedstat format")
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(0.0)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().and_then(|v| v.parse().ok()).unwrap_or(100_000);
    let runs: usize = args.next().and_then(|v| v.parse().ok()).unwrap_or(3);
    let w = w5::generate(n, 1000, 5).expect("W5");
    let events: usize = w.timelines.iter().map(|t| t.events.len()).sum();
    println!("W5: {n} leads, {events} events, {runs} runs, one thread");
    let plain = KpiInput::new(&w.timelines).with_leads(&w.leads);
    let with_slas = plain.with_slas(&w.slas, &NoPartnerCalendars);
    let opts = KpiOptions {
        by: GroupBy::parse(["partner", "month"]).expect("by"),
        threads: Some(1),
        ..KpiOptions::default()
    };
    let parts: [(&str, &dyn Fn()); 4] = [
        ("kpis without SLAs", &|| {
            kpi::kpis(&plain, w.now, &opts).expect("kpis");
        }),
        ("kpis with 3 SLAs", &|| {
            kpi::kpis(&with_slas, w.now, &opts).expect("kpis");
        }),
        ("forecast", &|| {
            kpi::forecast(&plain, w.now, &opts).expect("forecast");
        }),
        ("kpis + SLAs + forecast, one pass", &|| {
            kpi::kpis_and_forecast(&with_slas, w.now, &opts).expect("both");
        }),
    ];
    for (name, f) in parts {
        let mut cpu = Vec::new();
        let mut wall = Vec::new();
        for _ in 0..runs {
            let (c0, t0) = (thread_cpu_ns(), Instant::now());
            f();
            cpu.push((thread_cpu_ns() - c0) as f64 / 1e9);
            wall.push(t0.elapsed().as_secs_f64());
        }
        println!(
            "{name:34} cpu {:.3} s ({:.0} ns/event), wall {:.3} s",
            median(cpu.clone()),
            median(cpu) * 1e9 / events as f64,
            median(wall)
        );
    }
}
