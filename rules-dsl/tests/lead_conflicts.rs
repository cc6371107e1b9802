//! Lead conflicts (`on lead_conflict ...`): a lead matching an open lead or an active
//! registration is flagged and routed to the partner holding the account, to review, or by the
//! rules; crafted scenarios through the DSL and core's `host::lead_conflict::route_checked`.

// Tests may unwrap, index and panic: a failure is the test failing.
#![expect(clippy::unwrap_used, clippy::indexing_slicing, reason = "test code")]

use std::sync::Arc;

use leadrail_core::dealreg::{RecordKind, Registration, Registry, Status};
use leadrail_core::host::lead_conflict::route_checked;
use leadrail_core::route::Outcome;
use leadrail_core::{Engine, Network, Record, RouteOptions};
use serde_json::json;

const DAY: i64 = 86_400_000;
const NOW: i64 = 1_795_510_800_000;

fn rules(action: &str) -> String {
    format!(
        r#"ruleset "sticky" version 1
schema lead    {{ region: region, company: text, contact_email: text? }}
schema partner {{ territories: set<region>, status: enum(active, paused) }}
route "territory" {{ require partner.territories covers lead.region  tie id }}
fallback queue "inside-sales"
registration "default" {{
  match name >= 0.9
  match email
  {action}
}}
"#
    )
}

struct World {
    engine: Engine,
    network: Network,
    registry: Registry,
}

fn world(action: &str) -> World {
    let plan = Arc::new(
        leadrail_dsl::compile(&rules(action), "sticky.rail")
            .unwrap()
            .plan,
    );
    let partners = [
        json!({"id": "p1", "territories": ["US"], "status": "active"}),
        json!({"id": "p2", "territories": ["DE"], "status": "active"}),
        json!({"id": "p3", "territories": ["FR"], "status": "paused"}),
    ];
    let partners = partners
        .iter()
        .map(|p| Record::from_json(&plan.partner_schema, p).unwrap())
        .collect();
    let network = Network::for_plan(&plan, partners).unwrap();
    let mut open_lead = Registration::new("L-0001", "p2", "Globex Corporation", NOW - DAY);
    open_lead.kind = RecordKind::Lead;
    let mut registration = Registration::new("R-7", "p3", "Initech LLC", NOW - 9 * DAY);
    registration.status = Status::Approved;
    registration.protected_until = Some(NOW + 80 * DAY);
    let mut account = Registration::new("A-1", "direct:jane", "Umbrella Corp", NOW - 900 * DAY);
    account.kind = RecordKind::Account;
    account.status = Status::Approved;
    account.contact_email = Some("ceo@umbrella.example".into());
    World {
        engine: Engine::new(plan).unwrap(),
        network,
        registry: Registry::from_records([open_lead, registration, account]),
    }
}

fn lead(w: &World, id: &str, company: &str, email: Option<&str>) -> Record {
    let mut j = json!({"id": id, "region": "US-TX", "company": company});
    if let Some(e) = email {
        j["contact_email"] = json!(e);
    }
    Record::from_json(&w.engine.plan().lead_schema, &j).unwrap()
}

fn route(w: &World, l: &Record, exclude: &[&str]) -> (Outcome, Option<String>, Option<String>) {
    let opts = RouteOptions {
        exclude: exclude.iter().map(|s| s.to_string()).collect(),
        ..RouteOptions::default()
    };
    let d = route_checked(&w.engine, &w.network, &w.registry, l, NOW, &opts).unwrap();
    (
        d.decision.outcome,
        d.decision.rule.map(|r| r.to_string()),
        d.conflict.and_then(|c| c.holder),
    )
}

fn partner(id: &str) -> Outcome {
    Outcome::Partner { id: id.into() }
}

fn queue(name: &str) -> Outcome {
    Outcome::Queue { name: name.into() }
}

#[test]
fn holder_keeps_the_account_when_it_can_take_the_lead() {
    let w = world(r#"on lead_conflict holder else queue "deal-desk""#);
    // the same company as p2's open lead (a US lead: the rules would give it to p1)
    let l = lead(&w, "L-2", "GLOBEX Corp.", None);
    assert_eq!(
        route(&w, &l, &[]),
        (
            partner("p2"),
            Some("lead conflict".into()),
            Some("p2".into())
        )
    );
    // a lead without conflict is routed by the rules, not flagged
    let l = lead(&w, "L-3", "Hooli", None);
    assert_eq!(
        route(&w, &l, &[]),
        (partner("p1"), Some("territory".into()), None)
    );
    // the holder excluded by the host (it rejected the lead): to review
    let l = lead(&w, "L-2", "Globex", None);
    assert_eq!(
        route(&w, &l, &["p2"]),
        (
            queue("deal-desk"),
            Some("lead conflict".into()),
            Some("p2".into())
        )
    );
}

#[test]
fn a_holder_that_cannot_take_it_sends_it_to_review_or_to_the_rules() {
    // p3 holds Initech's protected registration but is paused
    let w = world(r#"on lead_conflict holder else queue "deal-desk""#);
    let l = lead(&w, "L-4", "Initech", None);
    assert_eq!(
        route(&w, &l, &[]),
        (
            queue("deal-desk"),
            Some("lead conflict".into()),
            Some("p3".into())
        )
    );
    // the same contact e-mail as a CRM account of the direct team (not a partner)
    let l = lead(&w, "L-5", "Someone Else", Some("CEO@umbrella.example"));
    assert_eq!(
        route(&w, &l, &[]),
        (
            queue("deal-desk"),
            Some("lead conflict".into()),
            Some("direct:jane".into())
        )
    );
    // `holder` alone: routed by the rules, still flagged
    let w = world("on lead_conflict holder");
    let l = lead(&w, "L-4", "Initech", None);
    assert_eq!(
        route(&w, &l, &[]),
        (partner("p1"), Some("territory".into()), Some("p3".into()))
    );
}

#[test]
fn review_and_flag_only() {
    let w = world(r#"on lead_conflict queue "conflicts""#);
    let l = lead(&w, "L-2", "Globex", None);
    assert_eq!(
        route(&w, &l, &[]),
        (
            queue("conflicts"),
            Some("lead conflict".into()),
            Some("p2".into())
        )
    );
    let w = world("on lead_conflict flag");
    assert_eq!(
        route(&w, &l, &[]),
        (partner("p1"), Some("territory".into()), Some("p2".into()))
    );
    // the open lead itself (the same id, re-routed) does not conflict with itself
    let l = lead(&w, "L-0001", "Globex", None);
    assert_eq!(
        route(&w, &l, &[]),
        (partner("p1"), Some("territory".into()), None)
    );
}

#[test]
fn a_holder_decision_reads_the_partners_state_for_compare_and_set() {
    let w = world("on lead_conflict holder");
    let l = lead(&w, "L-2", "Globex", None);
    let d = route_checked(
        &w.engine,
        &w.network,
        &w.registry,
        &l,
        NOW,
        &RouteOptions::default(),
    )
    .unwrap();
    let read = d.decision.state_read.unwrap();
    assert_eq!((read.partner.as_ref(), read.version), ("p2", 0));
    let c = d.conflict.unwrap();
    assert_eq!(
        (c.conflicts[0].id.as_str(), c.conflicts[0].kind),
        ("L-0001", RecordKind::Lead)
    );
}
