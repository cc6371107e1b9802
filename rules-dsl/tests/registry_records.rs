//! Reading a registry back (`host::SharedRegistry::records` and `get`): after leads are
//! assigned (each recorded as an open lead of its partner) and registrations expired, the
//! records show the new leads and the `expired` statuses, and a registry read back from them
//! routes and conflicts exactly like the original; through the DSL and core's host layer.

// Tests may unwrap, index and panic: a failure is the test failing.
#![expect(clippy::unwrap_used, reason = "test code")]

use std::sync::Arc;

use leadrail_core::host::SharedRegistry;
use leadrail_core::{Engine, Host, Network, Record, SharedNetwork};
use serde_json::{json, Value as Json};

const DAY: i64 = 86_400_000;
const NOW: i64 = 1_795_510_800_000;

const RULES: &str = r#"ruleset "sticky" version 1
schema lead    { region: region, company: text, contact_email: text? }
schema partner { territories: set<region> }
route "territory" { require partner.territories covers lead.region  tie id }
fallback queue "inside-sales"
registration "default" {
  match name >= 0.9
  on lead_conflict holder else queue "deal-desk"
}
"#;

fn engine() -> Engine {
    let plan = leadrail_dsl::compile(RULES, "sticky.rail").unwrap().plan;
    Engine::new(Arc::new(plan)).unwrap()
}

fn network(e: &Engine) -> SharedNetwork {
    let partners = [
        json!({"id": "p1", "territories": ["US"]}),
        json!({"id": "p2", "territories": ["DE"]}),
    ];
    let partners = partners
        .iter()
        .map(|p| Record::from_json(&e.plan().partner_schema, p).unwrap())
        .collect();
    SharedNetwork::new(Network::for_plan(e.plan(), partners).unwrap(), Host::RUST)
}

fn leads(e: &Engine, companies: &[(&str, &str)]) -> Vec<Record> {
    let lead = |(id, company): &(&str, &str)| {
        let j = json!({"id": id, "region": "US-TX", "company": company});
        Record::from_json(&e.plan().lead_schema, &j).unwrap()
    };
    companies.iter().map(lead).collect()
}

fn records() -> Json {
    json!([
        {"id": "R-1", "partner": "p2", "company": "Initech LLC", "submitted_at": NOW - 90 * DAY,
         "status": "approved", "approved_at": NOW - 89 * DAY, "protected_until": NOW},
        {"id": "R-2", "partner": "p2", "company": "Globex Corporation",
         "submitted_at": NOW - 9 * DAY, "status": "approved", "approved_at": NOW - 8 * DAY,
         "protected_until": NOW + 80 * DAY, "product_lines": ["pumps"]},
    ])
}

/// Each lead's (outcome, rule, holder) when routed on `net` against `reg` at `at` (what if).
fn routes(e: &Engine, net: &SharedNetwork, reg: &SharedRegistry, at: i64) -> Vec<Json> {
    let probe = leads(
        e,
        &[("N-1", "Initech"), ("N-2", "Globex"), ("N-3", "Hooli Inc")],
    );
    let out = reg.route(e, net, &probe, at, Vec::new(), false).unwrap();
    let each = |d: &leadrail_core::host::lead_conflict::ConflictDecision| {
        json!([
            d.decision.outcome,
            d.decision.rule,
            d.conflict.as_ref().map(|c| &c.holder)
        ])
    };
    out.iter().map(each).collect()
}

#[test]
fn records_show_the_assigned_lead_and_the_expired_status_and_read_back_alike() {
    let (e, reg) = (engine(), SharedRegistry::from_json(&records()).unwrap());
    let net = network(&e);
    // Hooli goes to p1 by the rules and joins the registry as p1's open lead
    let out = reg.route(
        &e,
        &net,
        &leads(&e, &[("L-9", "Hooli Inc")]),
        NOW - DAY,
        Vec::new(),
        true,
    );
    assert_eq!(out.unwrap()[0].decision.rule.as_deref(), Some("territory"));
    assert_eq!(reg.expire(NOW).unwrap(), ["R-1"]);
    let got = reg.records().unwrap();
    let ids: Vec<&str> = got.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["R-1", "R-2", "L-9"]);
    assert_eq!(got[0]["status"], "expired");
    assert_eq!(got[1], {
        let mut r2 = records()[1].clone();
        r2["kind"] = json!("registration");
        r2["extensions"] = json!(0);
        r2
    });
    assert_eq!(
        got[2],
        json!({"id": "L-9", "kind": "lead", "partner": "p1", "company": "Hooli Inc", "country": "US",
               "submitted_at": NOW - DAY, "extensions": 0, "status": "pending"})
    );
    assert_eq!(reg.get("L-9").unwrap().as_ref(), Some(&got[2]));
    assert_eq!(reg.get("L-404").unwrap(), None);
    // read back: Initech no longer conflicts (expired), Globex goes to p2 (R-2), Hooli to p1
    // (its open lead L-9), the same as on the original, even at an instant R-1 protected
    let again = SharedRegistry::from_json(&json!(got)).unwrap();
    assert_eq!(again.records().unwrap(), got);
    let sticky = |p: &str| json!([{"kind": "partner", "id": p}, "lead conflict", p]);
    let expect = vec![
        json!([{"kind": "partner", "id": "p1"}, "territory", null]),
        sticky("p2"),
        sticky("p1"),
    ];
    for at in [NOW - 2 * DAY, NOW + DAY] {
        assert_eq!(routes(&e, &net, &reg, at), expect);
        assert_eq!(routes(&e, &net, &again, at), expect);
    }
}
