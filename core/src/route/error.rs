//! The engine's errors: a plan it cannot compile ([`PlanError`]) and a lead it cannot route
//! as given ([`RouteError`]), each with its [`ErrorReport`] form.

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
    /// `assign` of a lead that a partner already holds.
    #[error("lead `{lead}` is already held by partner `{partner}`")]
    LeadHeld {
        /// The lead id.
        lead: String,
        /// The partner that holds it.
        partner: String,
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
            RouteError::LeadHeld { lead, .. } => (
                codes::DATA_LEAD_HELD,
                "release the lead first (e.g. after a retract), then assign it again",
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

/// A plan that cannot be compiled.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PlanError {
    /// An expression refers to a field index the schema does not have.
    #[error(
        "rule `{rule}` refers to {scope} field #{index}, which the {scope} schema does not declare"
    )]
    UnknownField {
        /// The rule name.
        rule: String,
        /// `lead` or `partner`.
        scope: String,
        /// The field index.
        index: u16,
    },
}

impl From<&PlanError> for ErrorReport {
    fn from(e: &PlanError) -> ErrorReport {
        let (rule, field) = match e {
            PlanError::UnknownField { rule, index, .. } => (rule.clone(), format!("#{index}")),
        };
        ErrorReport::error(codes::TYPE_UNKNOWN_FIELD, e.to_string())
            .with_help("rebuild the plan against the schemas it was checked with")
            .with_record(rule)
            .with_field(field)
    }
}

impl From<PlanError> for ErrorReport {
    fn from(e: PlanError) -> ErrorReport {
        ErrorReport::from(&e)
    }
}
