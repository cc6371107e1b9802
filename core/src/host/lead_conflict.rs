//! Lead conflicts: a lead that matches an open lead or an active registration (the same company
//! by the policy's rules, or the same contact e-mail) is flagged, and routed by the policy's
//! `on lead_conflict` entry: to the partner that already holds the account (stickiness), to a
//! review queue, or by the rules.
//!
//! The lead's comparable fields are read from the lead schema by name: `company` (text),
//! `domain` or `website` (text), `contact_email` or `email` (text), `country` (text; else the
//! country of a `region` field), `postal_code` (text), and `product_line` (text) or
//! `product_lines` (a set of texts). Fields the schema lacks are not compared.
//!
//! [`route_checked`] and [`route_all`] are the what-if forms; [`assign_checked`] and
//! [`assign_all`] record the assignment and add the lead to the registry as an open lead of its
//! partner. Hosts hold the registry in a [`SharedRegistry`](super::SharedRegistry).

#![expect(
    clippy::result_large_err,
    reason = "the language-neutral ErrorReport is what hosts report and bindings raise"
)]

use serde::{Deserialize, Serialize};

use crate::dealreg::{LeadConflict, Policy, RecordKind, Registration, Registry, Verdict};
use crate::network::Network;
use crate::record::Record;
use crate::report::ErrorReport;
use crate::route::{
    not_held, Decision, Engine, Outcome, PartnerStateRead, RouteError, RouteOptions,
};
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

/// The lead's conflict with `registry` under [`routing_policy`], if it has one.
fn conflict_of(
    engine: &Engine,
    registry: &Registry,
    lead: &Record,
    now: EpochMs,
) -> (Policy, Option<Verdict>) {
    let policy = routing_policy(engine);
    let probe = lead_registration(&engine.plan().lead_schema, lead, now);
    let verdict = registry.check(&probe, now, &policy);
    (policy, (!verdict.conflicts.is_empty()).then_some(verdict))
}

/// The decision of the policy's `on lead_conflict` for a lead with `conflict` (`None`: the
/// rules decide).
fn on_conflict(
    network: &Network,
    policy: &Policy,
    conflict: Option<&Verdict>,
    opts: &RouteOptions,
) -> Option<Decision> {
    let queue = |q: &str| decided(Outcome::Queue { name: q.into() }, None);
    match (&policy.lead_conflict, conflict) {
        (LeadConflict::Queue(q), Some(_)) => Some(queue(q)),
        (LeadConflict::Holder { otherwise }, Some(v)) => {
            match v.holder.as_deref().and_then(|h| can_take(network, h, opts)) {
                Some(read) => Some(decided(
                    Outcome::Partner {
                        id: read.partner.clone(),
                    },
                    Some(read),
                )),
                None => otherwise.as_deref().map(queue),
            }
        }
        _ => None,
    }
}

/// Routes a lead at `now`, first checking it against `registry` (open leads, registrations and
/// accounts) with [`routing_policy`]: a lead without conflict is routed by the rules; a lead in
/// conflict is flagged (`conflict`) and routed as the policy's `on lead_conflict` says. Changes
/// nothing (the what-if form of [`assign_checked`]).
pub fn route_checked(
    engine: &Engine,
    network: &Network,
    registry: &Registry,
    lead: &Record,
    now: EpochMs,
    opts: &RouteOptions,
) -> Result<ConflictDecision, RouteError> {
    engine.check_lead(lead)?;
    let (policy, conflict) = conflict_of(engine, registry, lead, now);
    let decision = match on_conflict(network, &policy, conflict.as_ref(), opts) {
        Some(d) => d,
        None => engine.route(network, lead, now, opts)?,
    };
    Ok(ConflictDecision { decision, conflict })
}

/// [`route_checked`], recorded: the partner chosen (by the rules or as the holder of the
/// account) is assigned the lead as [`Engine::route_batch`] assigns one (workload, round robin,
/// versions) and, with `hold`, holds it in the network's ledger until [`Network::release`] as
/// after [`Engine::assign`]; the lead joins `registry` as an open lead of that partner (so a
/// lead sent again conflicts with it). A lead with bad data, or with `hold` one a partner
/// already holds ([`RouteError::LeadHeld`]), changes nothing.
pub fn assign_checked(
    engine: &Engine,
    network: &mut Network,
    registry: &mut Registry,
    lead: &Record,
    now: EpochMs,
    opts: &RouteOptions,
    hold: bool,
) -> Result<ConflictDecision, RouteError> {
    if hold {
        engine.check_lead(lead)?;
        not_held(network, &lead.id)?;
    }
    let ConflictDecision { decision, conflict } =
        route_checked(engine, network, registry, lead, now, opts)?;
    if let Outcome::Partner { id } = &decision.outcome {
        if let Some(slot) = network.slot(id) {
            network.assign(slot, now);
            if hold {
                network.hold(lead.id.clone(), slot);
            }
        }
        let mut open = lead_registration(&engine.plan().lead_schema, lead, now);
        open.kind = RecordKind::Lead;
        open.partner = id.to_string();
        registry.insert(open);
    }
    Ok(ConflictDecision { decision, conflict })
}

/// [`route_checked`] for each lead in order, nothing recorded; the first lead refused is the
/// error.
pub fn route_all(
    engine: &Engine,
    network: &Network,
    registry: &Registry,
    leads: &[Record],
    now: EpochMs,
    opts: &RouteOptions,
) -> Result<Vec<ConflictDecision>, ErrorReport> {
    leads
        .iter()
        .map(|l| route_checked(engine, network, registry, l, now, opts).map_err(ErrorReport::from))
        .collect()
}

/// [`assign_checked`] for each lead in order, each held by its partner (each assignment counts
/// for the leads after it).
/// The leads are checked first: one with bad data, one a partner holds or one given twice is
/// the error, and then nothing changes.
pub fn assign_all(
    engine: &Engine,
    network: &mut Network,
    registry: &mut Registry,
    leads: &[Record],
    now: EpochMs,
    opts: &RouteOptions,
) -> Result<Vec<ConflictDecision>, ErrorReport> {
    let mut seen = rustc_hash::FxHashSet::default();
    for l in leads {
        engine.check_lead(l)?;
        not_held(network, &l.id)?;
        if !seen.insert(&l.id) {
            return Err(ErrorReport::request(
                format!("lead `{}` is given twice", l.id),
                "give every lead of a batch its own id",
            ));
        }
    }
    leads
        .iter()
        .map(|l| {
            assign_checked(engine, network, registry, l, now, opts, true).map_err(ErrorReport::from)
        })
        .collect()
}
