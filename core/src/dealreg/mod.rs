//! Deal registration: company names and domains normalised and compared, registrations with
//! protection periods, and the check of a deal against the registry (other partners' active
//! registrations, CRM accounts, open leads), each verdict explained.

pub mod check;
pub mod domains;
pub mod legal;
pub mod names;
pub mod registration;
pub mod registry;

pub use check::{Conflict, MatchRule, Outcome, Verdict};
pub use names::{compare, similarity, NameMatch, NormalizedName};
pub use registration::{ExtendError, LeadConflict, Policy, RecordKind, Registration, Status};
pub use registry::Registry;
