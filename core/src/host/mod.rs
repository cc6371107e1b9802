//! The host layer: what every host of the engine (the Python and Node bindings, the JSON
//! facade, a Rust program with its own record format) needs around [`Engine`], written once.
//!
//! - [`Rows`]: a host's records read into columns (with the [`Problem`]s the host met reading
//!   them itself), parsed and prepared by core, good and bad rows apart, every row's position
//!   kept;
//! - [`Rows::text_cells`]: the records of a text table (CSV rows, a data frame read from a
//!   CSV file) with their cells in the CSV forms the `leadrail` CLI reads, parsed here;
//! - [`Instants`]: one way to give the routing instants (one for the batch, one per lead, or a
//!   start and a step), checked once;
//! - [`SharedNetwork`]: a network shared by a host's threads, which routes a host's batch
//!   ([`HostBatch`]) in one piece or, when it is big, in chunks on two threads, holding its lock,
//!   marking itself busy for host code the batch runs, and putting its state back on failure;
//! - [`Results`]: every row's result in compact form, read borrowed ([`Results::views`]) or
//!   expanded to [`Decision`]s and the JSON wire form ([`RouteResult`]);
//! - [`CodedColumn`]: the columns of a host that codes its records itself, and
//!   [`ResultArrays`]: results as flat arrays for a host that builds its own objects;
//! - the arguments of host calls checked once (a batch in one piece, one lead, batch options,
//!   SLA options, compile options, a network state);
//! - [`SharedRegistry`]: a deal-registration registry held by a host object, which routes
//!   leads checked for lead conflicts ([`lead_conflict`]);
//! - the error texts of all of it, produced here (bindings raise them as they are), naming the
//!   host's language through [`Host`].
//!
//! A binding reads host values into columns, calls this layer and converts the results: it
//! takes no decision and writes no error text about records, positions or instants.
//!
//! ```
//! use std::sync::Arc;
//!
//! use leadrail_core::host::{Host, Instants, Rows};
//! use leadrail_core::network::Network;
//! use leadrail_core::plan::{Else, Expr, Fallback, Plan, Require, RouteRule, Scope, Tie};
//! use leadrail_core::route::{Engine, Outcome, RouteOptions};
//! use leadrail_core::schema::{Field, Schema};
//! use leadrail_core::value::Type;
//! use serde_json::json;
//!
//! let field = |name: &str, ty: Type| Field { name: name.into(), ty, optional: false };
//! let lead_schema = Schema { fields: vec![field("line", Type::Text)] };
//! let partner_schema = Schema { fields: vec![field("lines", Type::Set(Box::new(Type::Text)))] };
//! // route "line": require lead.line in partner.lines
//! let plan = Plan {
//!     name: "doc".into(),
//!     version: 1,
//!     content_hash: "0".into(),
//!     lead_schema: lead_schema.clone(),
//!     partner_schema: partner_schema.clone(),
//!     rules: vec![RouteRule {
//!         name: "line".into(),
//!         when: None,
//!         requires: vec![Require {
//!             expr: Expr::InSet(
//!                 Box::new(Expr::Field(Scope::Lead, 0)),
//!                 Box::new(Expr::Field(Scope::Partner, 0)),
//!             ),
//!             label: "lead.line in partner.lines".into(),
//!             workload: false,
//!         }],
//!         rank: None,
//!         balance: false,
//!         tie: Tie::Id,
//!         otherwise: Else::Next,
//!     }],
//!     fallback: Fallback::Unrouted,
//!     calendars: Vec::new(),
//!     slas: Vec::new(),
//!     registrations: Vec::new(),
//! };
//! let engine = Engine::new(Arc::new(plan)).unwrap();
//! let partners = Rows::from_json(Host::RUST, &partner_schema, &[json!({"id": "P1", "lines": ["pumps"]})])
//!     .records(&partner_schema);
//! let mut network = Network::new(&partner_schema, partners.good).unwrap();
//!
//! let leads = [json!({"id": "L1", "line": "pumps"}), json!({"line": "valves"}), json!(7)];
//! let results = Rows::from_json(Host::RUST, &lead_schema, &leads)
//!     .prepare(&engine)
//!     .route(&engine, &mut network, &Instants::One(0), &RouteOptions::default());
//! let out = results.decisions();
//! assert!(matches!(out[0].as_ref().unwrap().outcome, Outcome::Partner { .. }));
//! assert_eq!(out[1].as_ref().unwrap_err().message, "record #2: missing `id`");
//! assert_eq!(out[2].as_ref().unwrap_err().message, "record #3: expected an object, found `7`");
//! ```
//!
//! [`Engine`]: crate::route::Engine
//! [`Decision`]: crate::route::Decision

mod arrays;
mod batch;
mod builder;
mod calls;
mod cells;
mod coded;
pub(crate) mod errors;
mod flows;
mod instants;
pub mod lead_conflict;
pub(crate) mod pipeline;
pub mod register;
mod registry;
mod results;
mod rows;

pub use arrays::{ResultArrays, RowKind, NONE, WIRE_CODES};
pub use batch::{BatchError, Chunking, HostBatch, ReadError, SharedNetwork, MIN_CHUNKED};
pub use builder::ColumnBuilder;
pub use calls::{
    batch_options, columns_in_utf16, numbers_as_doubles, state_from_json, CompileOptions,
};
pub use cells::naive_datetime;
pub use coded::{
    hole, number_json, whole, CodedColumn, HostColumn, Joined, JoinedText, MISSING, NUMBER, OTHER,
};
pub use errors::{
    bad_coordinate, column_length, explain_as_columns, file_error, naive_now, no_id_column,
    not_a_point, not_a_state, not_columns, not_points, not_records, not_timelines, summary,
    unreadable, wrong_argument, wrong_entry, Coordinate, FileError, Host, Owner,
};
pub(crate) use instants::instant_text;
pub use instants::Instants;
pub use pipeline::Block;
pub use registry::SharedRegistry;
pub use results::{ResultViews, Results, RouteResult, Span};
pub use rows::{merge_host_errors, Parsed, Prepared, Problem, Rows};
