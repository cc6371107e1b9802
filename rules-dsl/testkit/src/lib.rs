//! Test support for leadrail, never published: the oracle the engine is tested against and the
//! random scenarios the differential tests and the fuzz target share.
//!
//! - [`reference`](mod@reference): the naive reference evaluator (routing over the checked syntax tree, every
//!   partner visited, one comparison function), with types prefixed `Ref`;
//! - [`scenario`]: random routing scenarios as plain data ([`Scenario`]) and their rendering
//!   into a rule text, partners and leads;
//! - [`strategy`]: proptest strategies for scenarios (feature `proptest`, on by default); with
//!   the feature `arbitrary`, [`Scenario`] is decoded from fuzz bytes instead;
//! - [`compare`]: [`assert_engine_agrees`], every engine path against the reference on one
//!   [`Case`].
//!
//! Users: `rules-dsl/tests/differential.rs` (proptest, the bundled example, regressions),
//! `tests/reference.rs` here (the evaluator on hand-computed scenarios) and the fuzz target
//! `engine_vs_reference` (`fuzz/`, its own workspace).
//!
//! ```
//! use leadrail_testkit::{assert_engine_agrees, Scenario};
//! use leadrail_testkit::scenario::{LeadSpec, PartnerSpec, RuleSpec};
//!
//! // one rule without conditions, two partners, one lead: the engine and the reference agree
//! let scenario = Scenario {
//!     rules: vec![RuleSpec::default()],
//!     partners: vec![PartnerSpec { capacity: 2, active: true, ..PartnerSpec::default() }; 2],
//!     leads: vec![LeadSpec::default()],
//!     ..Scenario::default()
//! };
//! let agreed = assert_engine_agrees(&scenario.case().unwrap());
//! assert_eq!((agreed.leads, agreed.to_partner), (1, 1));
//! ```

#![deny(missing_docs)]

pub mod compare;
pub mod reference;
pub mod scenario;
#[cfg(feature = "proptest")]
pub mod strategy;

pub use compare::{assert_engine_agrees, Agreement, Case};
pub use scenario::Scenario;
