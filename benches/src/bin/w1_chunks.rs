//! What routing W1 (100,000 leads, 1,000 partners) through core's host layer in chunks costs
//! per chunk: the string rows read into columns (`leadrail_benches::host::read_rows`, as the
//! `w1_batch/engine_rows` bench reads them), prepared and routed chunk after chunk on one
//! thread, as `SharedNetwork::route_batch` routes a big batch (on its routing thread).
//!
//! Each shape is routed two ways, alternating round by round: `fresh` prepares and routes
//! each chunk on its own (`Rows::prepare`, `Prepared::route`: every chunk interns its probe
//! values, numbers its combinations, resolves its keys and lists its candidates again), and
//! `carry` with one `Carry` for the batch (`Rows::prepare_with`, `Prepared::route_with`: a
//! chunk does that only for what earlier chunks did not have). The shapes: one piece, 2 chunks,
//! `Chunking::Equal` and `Chunking::ShortEdges` (what the Python and Node runners use), and
//! chunks of 12,500, 8,192 and 4,096 leads. Per chunk: (shape - one piece) / (chunks - 1).
//!
//! Each batch is timed in the calling thread's CPU time, so the figures hold on a loaded
//! machine; the medians of `N` rounds (default 15) are printed.
//!
//! `cargo run --release -p leadrail-benches --bin w1_chunks -- [N] [profile]` (`profile`: route
//! the batch in chunks of 4,096 leads with a carry `N` times and print nothing, for profilers)
//! (with `GLIBC_TUNABLES=glibc.malloc.trim_threshold=131072` glibc gives freed memory back to
//! the kernel at once, so that a batch faults its pages in again, as in a host process that
//! does other work between batches)

#![expect(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "a measuring tool over fixed tables: fail loudly on bad setup"
)]

use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

use leadrail_benches::host::read_rows;
use leadrail_benches::w1::{START, STEP, W1};
use leadrail_core::host::{Chunking, Instants};
use leadrail_core::network::Network;
use leadrail_core::route::{Carry, Engine, RouteOptions};

/// The calling thread's CPU time so far.
fn cpu() -> Duration {
    let t = rustix::time::clock_gettime(rustix::time::ClockId::ThreadCPUTime);
    Duration::new(
        u64::try_from(t.tv_sec).unwrap_or(0),
        u32::try_from(t.tv_nsec).unwrap_or(0),
    )
}

/// The chunk ends of a batch of `n` leads cut into chunks of `len`.
fn every(n: usize, len: usize) -> Vec<usize> {
    (1..=n.div_ceil(len)).map(|k| (k * len).min(n)).collect()
}

fn median(mut v: Vec<Duration>) -> f64 {
    v.sort();
    v[v.len() / 2].as_secs_f64() * 1e3
}

fn main() {
    let rounds: usize = std::env::args()
        .nth(1)
        .map(|s| s.parse().unwrap())
        .unwrap_or(15);
    let w = W1::generate(1, 1_000, 100_000);
    let engine = Engine::new(Arc::new(W1::plan())).unwrap();
    let net = Network::new(&W1::partner_schema(), w.partner_records()).unwrap();
    let rows = w.lead_rows();
    let n = rows.len();
    let opts = RouteOptions::default();
    let instants = Instants::Step {
        start: START,
        step_ms: STEP,
    };
    let shapes: Vec<(&str, Vec<usize>)> = vec![
        ("one piece", vec![n]),
        ("2 chunks", every(n, n.div_ceil(2))),
        ("Chunking::Equal", Chunking::Equal.ends(n)),
        ("Chunking::ShortEdges", Chunking::ShortEdges.ends(n)),
        ("chunks of 12,500", every(n, 12_500)),
        ("chunks of 8,192", every(n, 8_192)),
        ("chunks of 4,096", every(n, 4_096)),
    ];
    // one batch cut at `ends`, with one carry or a fresh one per chunk
    let batch = |ends: &[usize], carried: bool| {
        let mut net = net.clone();
        let mut carry = Carry::new();
        let t = cpu();
        let mut at = 0;
        for &end in ends {
            let chunk = read_rows(&rows[at..end]).starting_at(at);
            let results = if carried {
                let prepared = chunk.prepare_with(&engine, &mut carry);
                prepared.route_with(&engine, &mut net, &instants, &opts, &mut carry)
            } else {
                let prepared = chunk.prepare(&engine);
                prepared.route(&engine, &mut net, &instants, &opts)
            };
            black_box(results);
            at = end;
        }
        cpu() - t
    };
    if std::env::args().nth(2).as_deref() == Some("profile") {
        let ends = every(n, 4_096);
        for _ in 0..rounds {
            black_box(batch(&ends, true));
        }
        return;
    }
    let mut t: Vec<[Vec<Duration>; 2]> = vec![[Vec::new(), Vec::new()]; shapes.len()];
    // (a shape's rounds one after another, so that each batch reuses the memory the last one
    // freed, as a host's batches of one shape do; the two ways alternating within them)
    for (s, (_, ends)) in shapes.iter().enumerate() {
        for round in 0..rounds {
            for k in [round % 2, 1 - round % 2] {
                t[s][k].push(batch(ends, k == 1));
            }
        }
    }
    let medians: Vec<[f64; 2]> = t.into_iter().map(|[a, b]| [median(a), median(b)]).collect();
    println!("thread CPU, medians of {rounds} rounds (ms)");
    println!(
        "{:<22} {:>6} {:>9} {:>9} {:>15} {:>15}",
        "shape", "chunks", "fresh", "carry", "fresh per chunk", "carry per chunk"
    );
    for ((name, ends), [fresh, carry]) in shapes.iter().zip(&medians) {
        let per = |x: f64, one: f64| match ends.len() {
            1 => String::from("-"),
            k => format!("{:.3}", (x - one) / (k - 1) as f64),
        };
        println!(
            "{name:<22} {:>6} {fresh:>9.2} {carry:>9.2} {:>15} {:>15}",
            ends.len(),
            per(*fresh, medians[0][0]),
            per(*carry, medians[0][1]),
        );
    }
}
