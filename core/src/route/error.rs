//! Errors about a lead given to the engine.

use crate::report::{codes, ErrorReport};

/// A lead that cannot be routed as given. Routing it changes no state.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RouteError {
    /// A lead field has a value of the wrong type or form.
    #[error("lead `{lead}`: field `{field}` expects {expected}, found {found}")]
    InvalidField {
        /// The lead id.
        lead: String,
        /// The field name.
        field: String,
        /// The expected type.
        expected: String,
        /// What was found.
        found: String,
    },
    /// A lead record has the wrong number of values.
    #[error("lead `{lead}` has {found} values but the lead schema has {expected} fields")]
    FieldCount {
        /// The lead id.
        lead: String,
        /// Number of schema fields.
        expected: usize,
        /// Number of values given.
        found: usize,
    },
    /// No routing instant was given for the lead.
    #[error("lead `{lead}` has no routing instant")]
    MissingInstant {
        /// The lead id.
        lead: String,
    },
}

impl From<&RouteError> for ErrorReport {
    fn from(e: &RouteError) -> ErrorReport {
        let (code, help, record, field) = match e {
            RouteError::InvalidField { lead, field, .. } => (
                codes::DATA_INVALID_FIELD,
                "give the field a value of the type the lead schema declares",
                lead.clone(),
                Some(field.clone()),
            ),
            RouteError::FieldCount { lead, .. } => (
                codes::DATA_INVALID_RECORD,
                "build the record with one value per lead schema field, in schema order",
                lead.clone(),
                None,
            ),
            RouteError::MissingInstant { lead } => (
                codes::REQUEST_INVALID,
                "pass one instant per lead, or one instant for the whole batch",
                lead.clone(),
                None,
            ),
        };
        ErrorReport::error(code, e.to_string())
            .with_help(help)
            .with_record(record)
            .with_field_opt(field)
    }
}

impl From<RouteError> for ErrorReport {
    fn from(e: RouteError) -> ErrorReport {
        ErrorReport::from(&e)
    }
}
