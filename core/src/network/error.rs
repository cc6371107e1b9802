//! Errors about host data: partners loaded into a network, leads given to the engine.

use crate::report::{codes, ErrorReport};

/// A problem with partner data or a partner reference.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NetworkError {
    /// Two partners share an id.
    #[error("partner `{id}` appears more than once")]
    DuplicateId {
        /// The repeated id.
        id: String,
    },
    /// A partner's field has a value of the wrong type or form.
    #[error("partner `{partner}`: field `{field}` expects {expected}, found {found}")]
    InvalidField {
        /// The partner id.
        partner: String,
        /// The field name.
        field: String,
        /// The expected type.
        expected: String,
        /// What was found.
        found: String,
    },
    /// A partner record has the wrong number of values.
    #[error("partner `{partner}` has {found} values but the partner schema has {expected} fields")]
    FieldCount {
        /// The partner id.
        partner: String,
        /// Number of schema fields.
        expected: usize,
        /// Number of values given.
        found: usize,
    },
    /// A partner id that the network does not hold.
    #[error("no partner `{id}` in the network")]
    UnknownPartner {
        /// The id.
        id: String,
    },
    /// A lead id that the network's ledger does not hold ([`Network::release`](crate::network::Network::release)).
    #[error("no held lead `{lead}` in the network")]
    UnknownLead {
        /// The lead id.
        lead: String,
    },
    /// Imported state with a sequence number the network cannot count on from.
    #[error("state `{field}` `{value}` is out of range: at most {max}")]
    StateOutOfRange {
        /// `seq`, or `last_seq` of a partner (`partners[P1].last_seq`).
        field: String,
        /// The value given.
        value: u64,
        /// The largest value accepted.
        max: u64,
    },
}

impl From<&NetworkError> for ErrorReport {
    fn from(e: &NetworkError) -> ErrorReport {
        let (code, help, record, field) = match e {
            NetworkError::DuplicateId { id } => (
                codes::DATA_DUPLICATE_ID,
                "give every partner a distinct id",
                Some(id.clone()),
                None,
            ),
            NetworkError::InvalidField { partner, field, .. } => (
                codes::DATA_INVALID_FIELD,
                "give the field a value of the type the partner schema declares",
                Some(partner.clone()),
                Some(field.clone()),
            ),
            NetworkError::FieldCount { partner, .. } => (
                codes::DATA_INVALID_RECORD,
                "build the record with one value per partner schema field, in schema order",
                Some(partner.clone()),
                None,
            ),
            NetworkError::UnknownPartner { id } => (
                codes::DATA_UNKNOWN_PARTNER,
                "add the partner to the network first, or check the id",
                Some(id.clone()),
                None,
            ),
            NetworkError::UnknownLead { lead } => (
                codes::DATA_UNKNOWN_LEAD,
                "release a lead that `assign` gave a partner and that is not released yet; for a \
                 lead routed in a batch, name its partner too",
                Some(lead.clone()),
                None,
            ),
            NetworkError::StateOutOfRange { field, .. } => (
                codes::DATA_INVALID_FIELD,
                "import the state a network exported: its sequence numbers count assignments and \
                 stay far below this bound",
                None,
                Some(field.clone()),
            ),
        };
        ErrorReport::error(code, e.to_string())
            .with_help(help)
            .with_record_opt(record)
            .with_field_opt(field)
    }
}

impl From<NetworkError> for ErrorReport {
    fn from(e: NetworkError) -> ErrorReport {
        ErrorReport::from(&e)
    }
}
