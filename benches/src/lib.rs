//! Workload generators and the hand-written yardstick for leadrail's benches (BENCH.md).

pub mod handwritten;
pub mod host;
pub mod rng;
pub mod w1;
pub mod w4;
pub mod w5;
pub mod w6;
