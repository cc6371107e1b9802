//! The check of a deal (or a lead) against one registry record: the matching rules, and the
//! verdict with its explanation.

use serde::{Deserialize, Serialize};

use super::domains::{company_domain, normalize_email};
use super::names::{compare, NameMatch, NormalizedName};
use super::registration::{Policy, RecordKind, Registration};
use crate::value::EpochMs;

/// The outcome of a check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Nothing conflicts: approve at once.
    AutoApprove,
    /// A possible duplicate exists: a person decides.
    Review,
    /// A clear conflict with another partner's active protected registration.
    Reject,
}

/// The matching rule that found a conflict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchRule {
    /// The same company domain.
    Domain,
    /// Company-name similarity at or above `name_threshold`.
    Name,
    /// The same country and postal code, and name similarity at or above
    /// `postal_name_threshold`.
    PostalName,
    /// The same contact e-mail address.
    Email,
}

/// A deal's (or lead's) comparable forms, computed once per check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Probe {
    /// The company name, normalised.
    pub name: NormalizedName,
    /// The company domain, normalised (none for a free-mail domain).
    pub domain: Option<String>,
    /// The contact e-mail, normalised.
    pub email: Option<String>,
    /// Country and postal code, normalised (upper case, no spaces or dashes).
    pub postal: Option<String>,
    /// Product lines, lower case.
    pub product_lines: Vec<String>,
}

/// The postal key: country and code upper-cased without spaces or dashes (`DE:80331`).
pub fn postal_key(country: Option<&str>, code: Option<&str>) -> Option<String> {
    let code: String = code?
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_uppercase)
        .collect();
    if code.is_empty() {
        return None;
    }
    let country = country.map(|c| c.trim().to_uppercase()).unwrap_or_default();
    Some(format!("{country}:{code}"))
}

impl Probe {
    /// The comparable forms of a registration.
    pub fn new(r: &Registration) -> Self {
        let domain = r
            .domain
            .as_deref()
            .and_then(company_domain)
            .or_else(|| r.contact_email.as_deref().and_then(company_domain));
        Probe {
            name: NormalizedName::new(&r.company),
            domain,
            email: r.contact_email.as_deref().and_then(normalize_email),
            postal: postal_key(r.country.as_deref(), r.postal_code.as_deref()),
            product_lines: r
                .product_lines
                .iter()
                .map(|p| p.trim().to_lowercase())
                .collect(),
        }
    }
}

/// One registry record a deal conflicts with, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Conflict {
    /// The record's id.
    pub id: String,
    /// What the record is.
    pub kind: RecordKind,
    /// Its partner (or direct owner).
    pub partner: String,
    /// The rule that matched (the strongest when several did: domain, name, postal_name, email).
    pub rule: MatchRule,
    /// Every rule that matched.
    pub rules: Vec<MatchRule>,
    /// What this conflict alone decides (the policy's `clear_conflict` outcome, reject by
    /// default, for a protected registration matched by domain or name; else its
    /// `possible_duplicate` outcome, review by default).
    pub outcome: Outcome,
    /// The name comparison: score, the words aligned, and whether legal forms conflict.
    pub name: NameMatch,
    /// The record's company name, normalised (the deal's is in the verdict).
    pub normalized: String,
    /// The shared domain, when the domain rule matched.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    /// The shared postal key, when both have the same.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal: Option<String>,
    /// The product lines both have (empty when either has none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub product_lines: Vec<String>,
    /// The end of the record's protection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protected_until: Option<EpochMs>,
}

/// The verdict on one deal: the outcome, the rule that decided it and every conflict.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    /// The deal's id.
    pub id: String,
    /// What to do.
    pub outcome: Outcome,
    /// Why, in one line (`no conflict`, `name match with protected registration r7 of p2`).
    pub reason: String,
    /// The deal's company name as normalised.
    pub normalized: String,
    /// The deal's company domain as normalised.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    /// The partner that already holds the account (the strongest conflict's), for stickiness.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub holder: Option<String>,
    /// Every conflict, the strongest first (outcome, then name score, then id).
    pub conflicts: Vec<Conflict>,
}

/// Compares a deal's probe with one active record of another partner; `None` when no rule
/// matches (or product lines do not overlap where the policy needs them to).
pub fn match_record(
    deal: &Probe,
    rec: &Registration,
    rp: &Probe,
    now: EpochMs,
    policy: &Policy,
) -> Option<Conflict> {
    // the cheap tests first: the name score without allocating (`names::score`), the domain,
    // e-mail and postal keys compared in place; the full comparison (the explanation) only for
    // a record that matches
    let score = super::names::score(&deal.name, &rp.name);
    let mut rules = Vec::new();
    let same_domain = policy.match_domain && deal.domain.is_some() && deal.domain == rp.domain;
    if same_domain {
        rules.push(MatchRule::Domain);
    }
    if score >= policy.name_threshold {
        rules.push(MatchRule::Name);
    }
    let same_postal = deal.postal.is_some() && deal.postal == rp.postal;
    if same_postal && score >= policy.postal_name_threshold {
        rules.push(MatchRule::PostalName);
    }
    if policy.match_email && deal.email.is_some() && deal.email == rp.email {
        rules.push(MatchRule::Email);
    }
    let rule = *rules.first()?;
    let product_lines: Vec<String> = deal
        .product_lines
        .iter()
        .filter(|p| rp.product_lines.contains(p))
        .cloned()
        .collect();
    let overlap =
        deal.product_lines.is_empty() || rp.product_lines.is_empty() || !product_lines.is_empty();
    if policy.require_product_overlap && !overlap {
        return None;
    }
    let name = compare(&deal.name, &rp.name);
    let domain = if same_domain {
        deal.domain.clone()
    } else {
        None
    };
    let postal = if same_postal {
        deal.postal.clone()
    } else {
        None
    };
    let clear = matches!(rule, MatchRule::Domain | MatchRule::Name);
    let outcome = if clear && rec.is_protected(now) {
        policy.clear_conflict
    } else {
        policy.possible_duplicate
    };
    Some(Conflict {
        id: rec.id.clone(),
        kind: rec.kind,
        partner: rec.partner.clone(),
        rule,
        rules,
        outcome,
        name,
        normalized: rp.name.normalized.clone(),
        domain,
        postal,
        product_lines,
        protected_until: rec.protected_until,
    })
}

/// Whether a record is checked against a deal of `partner` at `now` under `policy`.
pub fn counts_against(
    rec: &Registration,
    deal_id: &str,
    partner: &str,
    now: EpochMs,
    policy: &Policy,
) -> bool {
    rec.id != deal_id
        && rec.partner != partner
        && rec.is_active(now)
        && match rec.kind {
            RecordKind::Registration => policy.check_registrations,
            RecordKind::Account => policy.check_accounts,
            RecordKind::Lead => policy.check_leads,
        }
}

/// Builds the verdict from the conflicts found (in any order: they are sorted here).
pub fn verdict(deal: &Registration, probe: &Probe, mut conflicts: Vec<Conflict>) -> Verdict {
    conflicts.sort_by(|a, b| {
        b.outcome
            .cmp(&a.outcome)
            .then(a.rule.cmp(&b.rule))
            .then(b.name.score.total_cmp(&a.name.score))
            .then(a.id.cmp(&b.id))
    });
    let (outcome, reason, holder) = match conflicts.first() {
        None => (Outcome::AutoApprove, "no conflict".to_owned(), None),
        Some(c) => {
            let what = match (c.kind, c.outcome) {
                (RecordKind::Registration, Outcome::Reject) => "protected registration",
                (RecordKind::Registration, _) => "registration",
                (RecordKind::Account, _) => "account",
                (RecordKind::Lead, _) => "open lead",
            };
            let rule = match c.rule {
                MatchRule::Domain => "domain",
                MatchRule::Name => "name",
                MatchRule::PostalName => "postal code and name",
                MatchRule::Email => "contact e-mail",
            };
            (
                c.outcome,
                format!(
                    "{rule} match with {what} `{}` of `{}` (name score {:.3})",
                    c.id, c.partner, c.name.score
                ),
                Some(c.partner.clone()),
            )
        }
    };
    Verdict {
        id: deal.id.clone(),
        outcome,
        reason,
        normalized: probe.name.normalized.clone(),
        domain: probe.domain.clone(),
        holder,
        conflicts,
    }
}
