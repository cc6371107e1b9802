//! The `leadrail` command-line tool's subcommands. Everything here is I/O and printing; the
//! decisions come from `leadrail_dsl` and `leadrail_core`.

pub mod check;
pub mod fmt;
pub mod input;
pub mod output;
pub mod render;
pub mod route;
pub mod sla;
