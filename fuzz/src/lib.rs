//! Shared pieces of the leadrail fuzz targets (`fuzz_targets/*.rs`): the fixed record schema,
//! the fixed SLA set, the properties checked on rule files and records, and the check of the
//! differential target on the structured scenarios (rules, partners, leads) of
//! `leadrail-testkit`, decoded with `arbitrary`.
//!
//! A property that does not hold panics, which libFuzzer reports as a crash with the input
//! saved under `fuzz/artifacts/TARGET/`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::result_large_err
)] // fuzz harness: a failed property is a panic; the engine's results are compared as they are

pub mod records;
pub mod rules;
pub mod scenario;
pub mod sla;
