//! Lead conflicts: a lead that matches an open lead or an active registration (the same company
//! by the policy's rules, or the same contact e-mail) is flagged, and routed by the policy's
//! `on lead_conflict` entry: to the partner that already holds the account (stickiness), to a
//! review queue, or by the rules.
//!
//! The lead's comparable fields are read from the lead schema by name: `company` (text),
//! `domain` or `website` (text), `contact_email` or `email` (text), `country` (text; else the
//! country of a `region` field), `postal_code` (text), and `product_line` (text) or
//! `product_lines` (a set of texts). Fields the schema lacks are not compared.

use serde::{Deserialize, Serialize};

use crate::dealreg::{LeadConflict, Policy, Registration, Registry, Verdict};
use crate::network::Network;
use crate::record::Record;
use crate::route::{Decision, Engine, Outcome, PartnerStateRead, RouteError, RouteOptions};
use crate::schema::Schema;
use crate::value::{EpochMs, Value};

/// The rule name of a decision made by `on lead_conflict` (`holder` or `queue`).
pub const LEAD_CONFLICT_RULE: &str = "lead conflict";

/// A routing decision with the lead's conflict, if it has one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConflictDecision {
    /// Where the lead goes (rule `lead conflict` when the policy's `on lead_conflict` decided).
    pub decision: Decision,
    /// The lead's check against the registry, when it conflicts with something (its `holder`
    /// is the partner that holds the account).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conflict: Option<Verdict>,
}

fn text(schema: &Schema, lead: &Record, names: &[&str]) -> Option<String> {
    names.iter().find_map(|n| {
        let i = usize::from(schema.index_of(n)?);
        match lead.values.get(i)? {
            Value::Text(t) | Value::Enum(t) => Some(t.to_string()),
            _ => None,
        }
    })
}

/// The lead as a registration to check: its id, no partner, the fields of the module docs.
pub fn lead_registration(schema: &Schema, lead: &Record, now: EpochMs) -> Registration {
    let mut r = Registration::new(&lead.id, "", "", now);
    r.company = text(schema, lead, &["company"]).unwrap_or_default();
    r.domain = text(schema, lead, &["domain", "website"]);
    r.contact_email = text(schema, lead, &["contact_email", "email"]);
    r.postal_code = text(schema, lead, &["postal_code"]);
    r.country = text(schema, lead, &["country"]).or_else(|| {
        let i = usize::from(schema.index_of("region")?);
        match lead.values.get(i)? {
            Value::Region(t) => t.to_string().get(..2).map(str::to_owned),
            _ => None,
        }
    });
    let pl = |n: &str| -> Option<Vec<String>> {
        let i = usize::from(schema.index_of(n)?);
        match lead.values.get(i)? {
            Value::Text(t) => Some(vec![t.to_string()]),
            Value::Set(items) => Some(
                items
                    .iter()
                    .filter_map(|v| match v {
                        Value::Text(t) => Some(t.to_string()),
                        _ => None,
                    })
                    .collect(),
            ),
            _ => None,
        }
    };
    r.product_lines = pl("product_lines")
        .or_else(|| pl("product_line"))
        .unwrap_or_default();
    r
}

/// The policy routing uses for lead conflicts: the plan's first policy with an `on
/// lead_conflict` entry, else its first policy, else the default policy (flag only).
pub fn routing_policy(engine: &Engine) -> Policy {
    let plan = engine.plan();
    plan.registrations
        .iter()
        .find(|p| p.lead_conflict != LeadConflict::Flag)
        .or_else(|| plan.registrations.first())
        .cloned()
        .unwrap_or_default()
}

/// Whether partner `id` can take a lead now: in the network, not excluded by the host, and
/// passing the implicit guards (status `active`, capacity left).
fn can_take(network: &Network, id: &str, opts: &RouteOptions) -> Option<PartnerStateRead> {
    if opts.exclude.iter().any(|e| e == id) {
        return None;
    }
    let slot = network.slot(id)?;
    if network.guard_fail(slot).is_some() {
        return None;
    }
    let st = network.state(id)?;
    Some(PartnerStateRead {
        partner: id.into(),
        version: st.version,
        active_leads: st.active_leads,
        last_assigned_at: st.last_assigned_at,
    })
}

fn decided(outcome: Outcome, state_read: Option<PartnerStateRead>) -> Decision {
    Decision {
        outcome,
        rule: Some(LEAD_CONFLICT_RULE.into()),
        state_read,
        explanation: None,
    }
}

/// Routes a lead at `now`, first checking it against `registry` (open leads, registrations and
/// accounts) with [`routing_policy`]: a lead without conflict is routed by the rules; a lead in
/// conflict is flagged (`conflict`) and routed as the policy's `on lead_conflict` says.
pub fn route_checked(
    engine: &Engine,
    network: &Network,
    registry: &Registry,
    lead: &Record,
    now: EpochMs,
    opts: &RouteOptions,
) -> Result<ConflictDecision, RouteError> {
    let policy = routing_policy(engine);
    let probe = lead_registration(&engine.plan().lead_schema, lead, now);
    let verdict = registry.check(&probe, now, &policy);
    let conflict = (!verdict.conflicts.is_empty()).then_some(verdict);
    let holder = conflict.as_ref().and_then(|v| v.holder.clone());
    let decision = match (&policy.lead_conflict, &conflict, holder) {
        (LeadConflict::Queue(q), Some(_), _) => decided(
            Outcome::Queue {
                name: q.as_str().into(),
            },
            None,
        ),
        (LeadConflict::Holder { otherwise }, Some(_), holder) => {
            match holder.and_then(|h| can_take(network, &h, opts)) {
                Some(read) => decided(
                    Outcome::Partner {
                        id: read.partner.clone(),
                    },
                    Some(read),
                ),
                None => match otherwise {
                    Some(q) => decided(
                        Outcome::Queue {
                            name: q.as_str().into(),
                        },
                        None,
                    ),
                    None => engine.route(network, lead, now, opts)?,
                },
            }
        }
        _ => engine.route(network, lead, now, opts)?,
    };
    Ok(ConflictDecision { decision, conflict })
}
