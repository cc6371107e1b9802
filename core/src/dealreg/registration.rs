//! The registration record, its statuses and its protection period (approval, extension,
//! expiry), and the policy's numbers.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::check::Outcome;
use crate::value::EpochMs;

/// One day in milliseconds.
pub const DAY_MS: EpochMs = 86_400_000;

/// What a registry record is: a partner's registration, a CRM account with a direct owner, or
/// an open lead. All three are checked against (see [`Policy`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    /// A deal registration by a partner.
    #[default]
    Registration,
    /// A CRM account owned by the brand's direct team (`partner` holds the owner).
    Account,
    /// A lead already routed and still open (`partner` holds the partner working it).
    Lead,
}

/// A registration's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Submitted, not decided yet (an open lead, for a lead).
    #[default]
    Pending,
    /// Approved: protected until `protected_until` (an active account, for an account).
    Approved,
    /// Rejected.
    Rejected,
    /// Its protection ran out.
    Expired,
    /// Closed won.
    Won,
    /// Closed lost.
    Lost,
}

/// A deal registration (or a CRM account or open lead, by `kind`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Registration {
    /// The record's id (unique in a registry).
    pub id: String,
    /// What the record is.
    #[serde(default)]
    pub kind: RecordKind,
    /// The registering partner (the direct owner of an account; the partner of a lead).
    pub partner: String,
    /// The customer company's name as written.
    pub company: String,
    /// The company's web or e-mail domain (a free-mail domain is ignored).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    /// The contact's e-mail address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_email: Option<String>,
    /// The address's country (ISO 3166-1 alpha-2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// The address's postal code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    /// The address's street and city, as written (not compared).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// The product lines of the deal (none: all).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub product_lines: Vec<String>,
    /// The estimated value, an exact decimal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub estimated_value: Option<Decimal>,
    /// When it was submitted (ms since the epoch).
    pub submitted_at: EpochMs,
    /// When it was approved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved_at: Option<EpochMs>,
    /// The end of its protection (exclusive; none: no end, e.g. an account).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protected_until: Option<EpochMs>,
    /// When it was last extended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extended_at: Option<EpochMs>,
    /// How many times it was extended.
    #[serde(default)]
    pub extensions: u32,
    /// Its status.
    #[serde(default)]
    pub status: Status,
}

impl Registration {
    /// A pending registration with only the required fields.
    pub fn new(id: &str, partner: &str, company: &str, submitted_at: EpochMs) -> Self {
        Registration {
            id: id.to_owned(),
            kind: RecordKind::Registration,
            partner: partner.to_owned(),
            company: company.to_owned(),
            domain: None,
            contact_email: None,
            country: None,
            postal_code: None,
            address: None,
            product_lines: Vec::new(),
            estimated_value: None,
            submitted_at,
            approved_at: None,
            protected_until: None,
            extended_at: None,
            extensions: 0,
            status: Status::Pending,
        }
    }

    /// Whether the record counts against others at `now`: a pending or approved registration
    /// whose protection has not ended, an approved account, an open (pending or approved) lead.
    pub fn is_active(&self, now: EpochMs) -> bool {
        match self.status {
            Status::Pending => true,
            Status::Approved => !matches!(self.protected_until, Some(t) if now >= t),
            _ => false,
        }
    }

    /// Whether it is an approved registration protected at `now` (a conflict with it rejects).
    pub fn is_protected(&self, now: EpochMs) -> bool {
        self.kind == RecordKind::Registration
            && self.status == Status::Approved
            && !matches!(self.protected_until, Some(t) if now >= t)
    }

    /// Approves it at `now`: protected for the policy's period.
    pub fn approve(&mut self, now: EpochMs, policy: &Policy) {
        self.status = Status::Approved;
        self.approved_at = Some(now);
        self.protected_until = Some(now.saturating_add(policy.protection_ms()));
    }

    /// Extends its protection by the policy's extension; an error when it is not protected at
    /// `now` or has used every extension.
    pub fn extend(&mut self, now: EpochMs, policy: &Policy) -> Result<EpochMs, ExtendError> {
        if !self.is_protected(now) {
            return Err(ExtendError::NotProtected);
        }
        if self.extensions >= policy.max_extensions {
            return Err(ExtendError::NoExtensionLeft {
                max: policy.max_extensions,
            });
        }
        let until = self
            .protected_until
            .unwrap_or(now)
            .saturating_add(policy.extension_ms());
        self.protected_until = Some(until);
        self.extended_at = Some(now);
        self.extensions += 1;
        Ok(until)
    }

    /// Marks it expired when its protection has ended at `now`; whether it changed.
    pub fn expire(&mut self, now: EpochMs) -> bool {
        let ended = self.status == Status::Approved
            && self.kind == RecordKind::Registration
            && self.protected_until.is_some_and(|t| now >= t);
        if ended {
            self.status = Status::Expired;
        }
        ended
    }
}

/// Why a protection could not be extended.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ExtendError {
    /// Only an approved registration under protection can be extended.
    #[error("the registration is not under protection")]
    NotProtected,
    /// Every extension the policy allows was used.
    #[error("the registration was already extended {max} times, the most the policy allows")]
    NoExtensionLeft {
        /// The policy's number of extensions.
        max: u32,
    },
}

/// What routing does with a lead that conflicts with an open lead or an active registration
/// (`on lead_conflict ...` in the rule language; see [`crate::host::lead_conflict`]).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LeadConflict {
    /// Flag the conflict in the decision and route the lead by the rules.
    #[default]
    Flag,
    /// Give the lead to the partner that holds the account, when it can take it (status active,
    /// capacity left); else to the queue `otherwise`, or by the rules when there is none.
    Holder {
        /// The queue when the holder cannot take the lead.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        otherwise: Option<String>,
    },
    /// Send every conflicting lead to this queue (review).
    Queue(String),
}

/// The registration policy: matching thresholds, what to check against, outcomes and
/// protection periods.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Policy {
    /// The policy's name (`registration "name"`).
    pub name: String,
    /// Name similarity at or above which two companies are the same (rule `name`).
    pub name_threshold: f64,
    /// The lower name similarity that suffices in the same country and postal code (rule
    /// `postal_name`).
    pub postal_name_threshold: f64,
    /// Whether the same company domain is a match (rule `domain`).
    pub match_domain: bool,
    /// Whether the same contact e-mail is a match (rule `email`).
    pub match_email: bool,
    /// Whether a match needs overlapping product lines (records without product lines overlap
    /// with all).
    pub require_product_overlap: bool,
    /// Check against other partners' registrations.
    pub check_registrations: bool,
    /// Check against CRM accounts.
    pub check_accounts: bool,
    /// Check against open leads.
    pub check_leads: bool,
    /// Protection period of an approved registration, in days.
    pub protection_days: u32,
    /// Length of one extension, in days.
    pub extension_days: u32,
    /// How many extensions a registration may have.
    pub max_extensions: u32,
    /// The outcome of a clear conflict: a domain or name match with another partner's
    /// protected registration (`reject` or `review`).
    pub clear_conflict: Outcome,
    /// The outcome of any other match, a possible duplicate (`review` or `auto_approve`).
    pub possible_duplicate: Outcome,
    /// What routing does with a lead in conflict.
    pub lead_conflict: LeadConflict,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            name: "default".to_owned(),
            name_threshold: 0.9,
            postal_name_threshold: 0.75,
            match_domain: true,
            match_email: true,
            require_product_overlap: true,
            check_registrations: true,
            check_accounts: true,
            check_leads: true,
            protection_days: 90,
            extension_days: 30,
            max_extensions: 1,
            clear_conflict: Outcome::Reject,
            possible_duplicate: Outcome::Review,
            lead_conflict: LeadConflict::Flag,
        }
    }
}

impl Policy {
    /// The protection period in milliseconds.
    pub fn protection_ms(&self) -> EpochMs {
        EpochMs::from(self.protection_days).saturating_mul(DAY_MS)
    }

    /// One extension in milliseconds.
    pub fn extension_ms(&self) -> EpochMs {
        EpochMs::from(self.extension_days).saturating_mul(DAY_MS)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn protection_extension_expiry() {
        let p = Policy::default();
        let mut r = Registration::new("r1", "p1", "Acme", 0);
        assert!(r.is_active(0) && !r.is_protected(0));
        assert_eq!(r.extend(0, &p), Err(ExtendError::NotProtected));
        r.approve(10, &p);
        assert_eq!(r.protected_until, Some(10 + 90 * DAY_MS));
        assert!(r.is_protected(10 + 90 * DAY_MS - 1));
        assert!(!r.is_protected(10 + 90 * DAY_MS));
        assert_eq!(r.extend(20, &p), Ok(10 + 120 * DAY_MS));
        assert_eq!(
            r.extend(30, &p),
            Err(ExtendError::NoExtensionLeft { max: 1 })
        );
        assert!(!r.expire(10 + 120 * DAY_MS - 1));
        assert!(r.expire(10 + 120 * DAY_MS));
        assert_eq!(r.status, Status::Expired);
        assert!(!r.is_active(10 + 120 * DAY_MS));
    }

    #[test]
    fn json_form() {
        let mut r = Registration::new("r1", "p1", "Acme GmbH", 5);
        r.estimated_value = Some(Decimal::new(1_250_050, 2));
        let j = serde_json::to_string(&r).unwrap_or_default();
        assert_eq!(
            j,
            r#"{"id":"r1","kind":"registration","partner":"p1","company":"Acme GmbH","estimated_value":"12500.50","submitted_at":5,"extensions":0,"status":"pending"}"#
        );
        let back: Registration = serde_json::from_str(&j).unwrap_or_else(|_| r.clone());
        assert_eq!(back, r);
        assert!(serde_json::from_str::<Registration>(r#"{"id":"x"}"#).is_err());
        let p: Policy = serde_json::from_str(r#"{"name_threshold":0.8}"#).unwrap_or_default();
        assert_eq!(p.name_threshold, 0.8);
        assert_eq!(p.protection_days, 90);
    }
}
