//! The reference evaluator on hand-computed scenarios (exact winners).

// Tests may unwrap, index and panic: a failure is the test failing.
#![expect(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test code: a failed setup or assertion should stop the test loudly"
)]

use std::sync::Arc;

use chrono::NaiveDate;
use leadrail_core::geo::{GeoPoint, Territory};
use leadrail_core::record::Record;
use leadrail_core::value::Value;
use leadrail_testkit::reference::{
    route, route_batch, RefDecision, RefNetwork, RefOutcome, RefPartnerState, RefRuleset,
};

const RULES: &str = r#"
ruleset "acme" version 3
schema lead    { region: region, location: geopoint?, product_line: text, deal_size: money }
schema partner { territories: set<region>, location: geopoint?, certifications: map<text, date>,
                 tier: enum(platinum, gold, silver), capacity: int, active_leads: int,
                 acceptance_rate: ratio, leads_received: int,
                 status: enum(active, paused, suspended), parent: text? }

route "large hydraulics projects" {
  when    lead.product_line == "hydraulics" and lead.deal_size >= 250_000
  require partner.tier in [platinum, gold]
  require partner.territories covers lead.region
  require certified(partner, "hydraulic-systems")
  rank    smoothed(partner.acceptance_rate, partner.leads_received)
  else    queue "key-accounts"
}
route "nearest dealer" {
  require distance(partner.location, lead.location) <= 150 km
  rank    -distance(partner.location, lead.location)
  else    next
}
route "territory" {
  require partner.territories covers lead.region
  tie     round_robin
  else    parent
}
fallback queue "inside-sales"
"#;

fn region(s: &str) -> Value {
    Value::Region(Arc::new(Territory::parse(s).unwrap()))
}

fn date(s: &str) -> Value {
    Value::Date(NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap())
}

struct P<'a> {
    id: &'a str,
    terr: &'a [&'a str],
    at: Option<(f64, f64)>,
    cert: Option<&'a str>,
    tier: &'a str,
    cap: i64,
    active: i64,
    rate: f64,
    n: i64,
    status: &'a str,
    parent: Option<&'a str>,
}

fn partner(p: P<'_>) -> Record {
    let certs: Vec<(Value, Value)> = p
        .cert
        .map(|d| vec![(Value::Text("hydraulic-systems".into()), date(d))])
        .unwrap_or_default();
    Record {
        id: p.id.into(),
        values: vec![
            Value::Set(p.terr.iter().map(|t| region(t)).collect::<Vec<_>>().into()),
            p.at.map_or(Value::Null, |(lat, lon)| {
                Value::GeoPoint(GeoPoint { lat, lon })
            }),
            Value::Map(certs.into()),
            Value::Enum(p.tier.into()),
            Value::Int(p.cap),
            Value::Int(p.active),
            Value::Float(p.rate),
            Value::Int(p.n),
            Value::Enum(p.status.into()),
            p.parent.map_or(Value::Null, |s| Value::Text(s.into())),
        ],
    }
}

fn base() -> P<'static> {
    P {
        id: "",
        terr: &["US"],
        at: None,
        cert: None,
        tier: "silver",
        cap: 10,
        active: 0,
        rate: 0.5,
        n: 0,
        status: "active",
        parent: None,
    }
}

fn lead(region_code: &str, at: Option<(f64, f64)>, line: &str, size: i64) -> Record {
    Record {
        id: "lead".into(),
        values: vec![
            region(region_code),
            at.map_or(Value::Null, |(lat, lon)| {
                Value::GeoPoint(GeoPoint { lat, lon })
            }),
            Value::Text(line.into()),
            Value::Decimal(size.into()),
        ],
    }
}

// 2026-06-01T00:00:00Z
const NOW: i64 = 1_780_272_000_000;

fn partner_outcome(d: &RefDecision) -> &str {
    match &d.outcome {
        RefOutcome::Partner(id) => id,
        other => panic!("expected a partner, got {other:?}"),
    }
}

#[test]
fn large_project_goes_to_the_certified_gold_partner_with_the_best_smoothed_rate() {
    let rs = RefRuleset::new(RULES, "acme.rail").unwrap();
    let partners = vec![
        // certified, gold, rate 1.0 over 1 lead: smoothed (1*1 + 0.5*10)/11 = 0.5454
        partner(P {
            id: "a",
            tier: "gold",
            cert: Some("2027-01-01"),
            rate: 1.0,
            n: 1,
            ..base()
        }),
        // certified, platinum, rate 0.8 over 40 leads: (32 + 5)/50 = 0.74  -> best
        partner(P {
            id: "b",
            tier: "platinum",
            cert: Some("2026-06-01"),
            rate: 0.8,
            n: 40,
            ..base()
        }),
        // best rate but certificate expired the day before routing
        partner(P {
            id: "c",
            tier: "gold",
            cert: Some("2026-05-31"),
            rate: 0.99,
            n: 500,
            ..base()
        }),
        // silver: excluded by tier
        partner(P {
            id: "d",
            tier: "silver",
            cert: Some("2030-01-01"),
            rate: 0.99,
            n: 500,
            ..base()
        }),
        // paused: excluded by the implicit status guard
        partner(P {
            id: "e",
            tier: "gold",
            cert: Some("2030-01-01"),
            rate: 0.99,
            n: 500,
            status: "paused",
            ..base()
        }),
        // full: excluded by the implicit capacity guard
        partner(P {
            id: "f",
            tier: "gold",
            cert: Some("2030-01-01"),
            rate: 0.99,
            n: 500,
            cap: 3,
            active: 3,
            ..base()
        }),
    ];
    let net = RefNetwork::new(rs.partner_schema(), partners);
    let d = route(&rs, &net, &lead("US-TX", None, "hydraulics", 300_000), NOW);
    assert_eq!(partner_outcome(&d), "b");
    assert_eq!(d.rule.as_deref(), Some("large hydraulics projects"));

    // outside every territory: the rule's else queue decides
    let d = route(&rs, &net, &lead("DE-BY", None, "hydraulics", 300_000), NOW);
    assert_eq!(d.outcome, RefOutcome::Queue("key-accounts".into()));
    assert_eq!(d.rule.as_deref(), Some("large hydraulics projects"));
}

#[test]
fn nearest_dealer_then_parent_then_fallback() {
    let rs = RefRuleset::new(RULES, "acme.rail").unwrap();
    let chicago = (41.88, -87.63);
    let partners = vec![
        // Milwaukee (~130 km from Chicago), in territory US-WI only
        partner(P {
            id: "mke",
            terr: &["US-WI"],
            at: Some((43.04, -87.91)),
            ..base()
        }),
        // Gary (~40 km), paused
        partner(P {
            id: "gary",
            terr: &["US-IN"],
            at: Some((41.59, -87.35)),
            status: "paused",
            ..base()
        }),
        // Detroit (~380 km): too far
        partner(P {
            id: "det",
            terr: &["US-MI"],
            at: Some((42.33, -83.05)),
            parent: Some("dist"),
            ..base()
        }),
        // a distributor without a location, full
        partner(P {
            id: "dist",
            terr: &["CA"],
            cap: 5,
            active: 5,
            ..base()
        }),
        // another distributor, free, parent of nobody
        partner(P {
            id: "dist2",
            terr: &["CA"],
            ..base()
        }),
    ];
    let net = RefNetwork::new(rs.partner_schema(), partners);
    // small deal in Chicago: not a large project; nearest active dealer within 150 km is mke
    let d = route(
        &rs,
        &net,
        &lead("US-IL", Some(chicago), "filters", 1_000),
        NOW,
    );
    assert_eq!(partner_outcome(&d), "mke");
    assert_eq!(d.rule.as_deref(), Some("nearest dealer"));

    // no location: distance is null, so "nearest dealer" has no candidate and falls through;
    // "territory": US-MI is covered by det only -> det
    let d = route(&rs, &net, &lead("US-MI", None, "filters", 1_000), NOW);
    assert_eq!(partner_outcome(&d), "det");
    assert_eq!(d.rule.as_deref(), Some("territory"));

    // US-IN is covered only by gary (paused, so not a candidate); gary has no parent -> the
    // fallback queue decides
    let d = route(&rs, &net, &lead("US-IN", None, "filters", 1_000), NOW);
    assert_eq!(d.outcome, RefOutcome::Queue("inside-sales".into()));
    assert_eq!(d.rule, None);
}

#[test]
fn else_parent_hands_the_lead_to_the_fit_partners_parent() {
    let rs = RefRuleset::new(RULES, "acme.rail").unwrap();
    let partners = vec![
        // covers US-OH but is full; its parent is "dist"
        partner(P {
            id: "oh",
            terr: &["US-OH"],
            cap: 2,
            active: 2,
            parent: Some("dist"),
            ..base()
        }),
        partner(P {
            id: "dist",
            terr: &["CA"],
            ..base()
        }),
    ];
    let net = RefNetwork::new(rs.partner_schema(), partners);
    let d = route(&rs, &net, &lead("US-OH", None, "filters", 1_000), NOW);
    assert_eq!(partner_outcome(&d), "dist");
    assert_eq!(d.rule.as_deref(), Some("territory"));
}

#[test]
fn round_robin_rotates_by_recency_and_the_batch_updates_state() {
    let rs = RefRuleset::new(RULES, "acme.rail").unwrap();
    let partners = vec![
        partner(P {
            id: "x",
            terr: &["US-OH"],
            ..base()
        }),
        partner(P {
            id: "y",
            terr: &["US-OH"],
            ..base()
        }),
        partner(P {
            id: "z",
            terr: &["US-OH"],
            cap: 1,
            ..base()
        }),
    ];
    let mut net = RefNetwork::new(rs.partner_schema(), partners);
    let leads: Vec<(Record, i64)> = (0..5)
        .map(|i| (lead("US-OH", None, "filters", 10), NOW + i * 1_000))
        .collect();
    let got: Vec<String> = route_batch(&rs, &mut net, &leads)
        .iter()
        .map(|d| partner_outcome(d).to_string())
        .collect();
    // never-assigned first, by id; z reaches its capacity (1) after one lead
    assert_eq!(got, ["x", "y", "z", "x", "y"]);
    assert_eq!(
        net.states[0],
        RefPartnerState {
            active_leads: 2,
            last_assigned_at: Some(NOW + 3_000),
            last_seq: 4,
            assigned: 2
        }
    );
    assert_eq!(net.states[2].active_leads, 1);
    assert_eq!(net.seq, 5);
}

#[test]
fn weighted_round_robin_and_id_tie_breaks() {
    let rules = r#"
ruleset "w" version 1
schema lead { size: int }
schema partner { weight: int }
route "weighted" { when lead.size > 0  tie round_robin weighted by partner.weight }
route "by id" { tie id }
"#;
    let rs = RefRuleset::new(rules, "w.rail").unwrap();
    let p = |id: &str, w: i64| Record {
        id: id.into(),
        values: vec![Value::Int(w)],
    };
    let mut net = RefNetwork::new(rs.partner_schema(), vec![p("a", 1), p("b", 3)]);
    let leads: Vec<(Record, i64)> = (0..8)
        .map(|i| {
            (
                Record {
                    id: "l".into(),
                    values: vec![Value::Int(1)],
                },
                i,
            )
        })
        .collect();
    let got: String = route_batch(&rs, &mut net, &leads)
        .iter()
        .map(|d| partner_outcome(d).to_string())
        .collect();
    // keys (assigned+1)/weight: a 1, b 1/3 -> b; b 2/3 -> b; b 1 vs a 1, a never assigned -> a;
    // a 2, b 1 -> b; a 2, b 4/3 -> b; a 2, b 5/3 -> b; a 2 vs b 2, a older -> a; then b
    assert_eq!(got, "bbabbbab");
    // `tie id`: no recency, id order only
    let zero = Record {
        id: "l".into(),
        values: vec![Value::Int(0)],
    };
    assert_eq!(partner_outcome(&route(&rs, &net, &zero, 0)), "a");
}

#[test]
fn kleene_nulls_in_conditions() {
    let rules = r#"
ruleset "k" version 1
schema lead { x: int? }
schema partner { y: int? }
route "or" { require partner.y > 0 or lead.x > 0  else next }
route "not" { require not (partner.y > 0)  else queue "nope" }
"#;
    let rs = RefRuleset::new(rules, "k.rail").unwrap();
    let p = |id: &str, y: Option<i64>| Record {
        id: id.into(),
        values: vec![y.map_or(Value::Null, Value::Int)],
    };
    let net = RefNetwork::new(rs.partner_schema(), vec![p("n", None), p("neg", Some(-1))]);
    let l = |x: Option<i64>| Record {
        id: "l".into(),
        values: vec![x.map_or(Value::Null, Value::Int)],
    };
    // null or true = true: both partners pass; id order
    assert_eq!(partner_outcome(&route(&rs, &net, &l(Some(1)), 0)), "n");
    // null or null = null (excluded); false or null = null (excluded) -> rule "not":
    // not null = null (excluded), not false = true -> neg
    assert_eq!(partner_outcome(&route(&rs, &net, &l(None), 0)), "neg");
}
