//! Deal registration: company names and domains normalised and compared, registrations with
//! protection periods, and the check of a deal against the registry (other partners' active
//! registrations, CRM accounts, open leads), each verdict explained.

pub mod domains;
pub mod legal;
pub mod names;

pub use names::{compare, similarity, NameMatch, NormalizedName};

/// The registration policy (placeholder: thresholds only until the checker lands).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Policy {
    /// Name similarity at or above which two companies are the same.
    pub name_threshold: f64,
}

impl Default for Policy {
    fn default() -> Self {
        Policy { name_threshold: 0.9 }
    }
}
