//! W4 (BENCH.md) measured in on-CPU time, which a shared, loaded machine does not distort the
//! way it distorts wall-clock medians: the per-thread CPU time (`/proc/thread-self/schedstat`,
//! Linux) per evaluated timeline, one thread, fresh `Evaluation`s and a reused one; then the
//! process CPU time and the wall time per timeline on the rayon pool.
//!
//! `cargo run --release -p leadrail-benches --bin w4_cpu -- [N]` (default 200,000 timelines).
#![expect(clippy::expect_used, reason = "measurement tool")]

use std::time::Instant;

use leadrail_benches::w4;
use rayon::prelude::*;

/// On-CPU nanoseconds of the calling thread.
fn thread_cpu_ns() -> u64 {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").expect("Linux schedstat");
    s.split_whitespace()
        .next()
        .and_then(|v| v.parse().ok())
        .expect("schedstat format")
}

/// User + system nanoseconds of the whole process (10 ms resolution).
fn process_cpu_ns() -> u64 {
    let s = std::fs::read_to_string("/proc/self/stat").expect("Linux stat");
    let rest = s.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let fields: Vec<u64> = rest
        .split_whitespace()
        .skip(1)
        .map(|f| f.parse().unwrap_or(0))
        .collect();
    let ticks = fields.get(10).copied().unwrap_or(0) + fields.get(11).copied().unwrap_or(0);
    ticks * 10_000_000
}

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(200_000);
    let w = w4::generate(n, 42).expect("W4 workload");
    let mut out = w4::scratch(&w);
    for t in &w.timelines {
        w4::evaluate_into(&w, t, &mut out).expect("every generated timeline evaluates");
    }
    let per = |ns: u64, reps: usize| ns as f64 / (n * reps) as f64;
    let (mut fresh, mut into) = (f64::MAX, f64::MAX);
    for _ in 0..7 {
        let c0 = thread_cpu_ns();
        let mut due = 0usize;
        for t in &w.timelines {
            due += w4::evaluate(&w, t).map(|e| e.due.len()).unwrap_or(0);
        }
        let c1 = thread_cpu_ns();
        for t in &w.timelines {
            if w4::evaluate_into(&w, t, &mut out).is_ok() {
                due += out.due.len();
            }
        }
        let c2 = thread_cpu_ns();
        std::hint::black_box(due);
        fresh = fresh.min(per(c1 - c0, 1));
        into = into.min(per(c2 - c1, 1));
    }
    println!("one thread, best of 7: {fresh:.0} ns CPU per timeline (fresh), {into:.0} (reused)");
    println!(
        "  = {:.2} M timelines/s per core (fresh), {:.2} (reused)",
        1e3 / fresh,
        1e3 / into
    );
    let reps = 5;
    let c0 = process_cpu_ns();
    let t0 = Instant::now();
    let mut due = 0usize;
    for _ in 0..reps {
        due += w
            .timelines
            .par_iter()
            .map(|t| w4::evaluate(&w, t).map(|e| e.due.len()).unwrap_or(0))
            .sum::<usize>();
    }
    let wall = t0.elapsed().as_nanos();
    let cpu = process_cpu_ns() - c0;
    std::hint::black_box(due);
    println!(
        "rayon pool ({} threads), fresh: {:.0} ns CPU per timeline, {:.0} ns wall = {:.2} M timelines/s",
        rayon::current_num_threads(),
        per(cpu, reps),
        wall as f64 / (n * reps) as f64,
        (n * reps) as f64 / wall as f64 * 1e3
    );
}
