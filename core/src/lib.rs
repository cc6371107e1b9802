//! leadrail core: compiled routing plans, partner networks, SLA clocks and business calendars.
//!
//! The core has no parser: plans come from the `leadrail-dsl` crate (or are built
//! programmatically, or loaded from their serde form). The core never reads a clock: `now` is
//! always an argument.
#![deny(missing_docs)]

pub mod api;
pub mod calendar;
pub mod geo;
pub mod host;
pub mod json;
pub mod network;
pub mod plan;
pub mod record;
pub mod report;
pub mod route;
pub mod schema;
pub mod sla;
pub mod timeline;
pub mod value;

/// The two-thread pipeline and the busy marker under their old path, for the Node binding until
/// it routes through [`host`] (which runs batches with them); not for new code.
pub mod pipeline {
    pub use crate::host::pipeline::{overlap, Block, Busy, BusyGuard, WorkerPanicked};
}
