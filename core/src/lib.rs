//! leadrail core: compiled routing plans, partner networks, SLA clocks and business calendars.
//!
//! The core has no parser: plans come from the `leadrail-dsl` crate (or are built
//! programmatically, or loaded from their serde form). The core never reads a clock: `now` is
//! always an argument.
#![deny(missing_docs)]

pub mod api;
pub mod calendar;
pub mod dealreg;
pub mod geo;
pub mod host;
pub mod json;
pub mod kpi;
pub mod network;
pub mod plan;
pub mod record;
pub mod report;
pub mod route;
pub mod schema;
pub mod sla;
pub mod timeline;
pub mod value;

// The types a host needs, at the root (the modules hold the rest).
pub use host::{Host, Instants, Results, Rows, SharedNetwork};
pub use network::{Network, NetworkError};
pub use plan::Plan;
pub use record::{Column, DataError, Record};
pub use report::ErrorReport;
pub use route::{Decision, Engine, Explanation, Outcome, RouteError, RouteOptions};
pub use schema::Schema;
