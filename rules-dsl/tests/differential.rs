//! Differential test: the indexed, compiled engine (`leadrail_core::route::Engine`) and the naive
//! reference evaluator over the AST (`leadrail_dsl::reference`) give the same decisions, lead by
//! lead, over whole batches (so state updates — workload and round-robin recency — must agree
//! too), on random networks, leads and rules drawn from every routing construct.
//!
//! The random data is built to hit the hard cases: many ties (few distinct rates and instants),
//! missing optional values (Kleene nulls), zero weights and capacities, territories with
//! exclusions and postal prefixes, expired certifications, parents that are absent or paused.
#![expect(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test code"
)]

use std::sync::Arc;

use leadrail_core::network::Network;
use leadrail_core::record::Record;
use leadrail_core::route::{Engine, Outcome, RouteOptions, Times};
use leadrail_dsl::reference;
use proptest::prelude::*;
use serde_json::{json, Value as Json};

const SCHEMAS: &str = r#"
ruleset "differential" version 1
schema lead {
  region: region, line: text, size: int, loc: geopoint?, wanted: enum(gold, silver, bronze)?
}
schema partner {
  territories: set<region>, lines: set<text>, certs: map<text, date>,
  tier: enum(gold, silver, bronze), capacity: int, active_leads: int, rate: ratio, n: int,
  status: enum(active, paused), loc: geopoint?, parent: text?, weight: int,
  last_assigned_at: datetime?
}
"#;

const WHENS: &[&str] = &[
    "",
    "lead.size >= 5000",
    "lead.line == \"l1\"",
    "lead.line in [\"l1\", \"l2\"]",
    "lead.wanted == gold",
    "not (lead.size < 100) and lead.line != \"l3\"",
    "lead.wanted != bronze or lead.size > 9000",
];

const REQUIRES: &[&str] = &[
    "partner.territories covers lead.region",
    "lead.line in partner.lines",
    "certified(partner, lead.line)",
    "certified(partner, \"l1\")",
    "partner.tier in [gold, silver]",
    "partner.tier == gold",
    "partner.rate >= 0.5",
    "partner.active_leads < partner.capacity",
    "utilisation(partner) < 80%",
    "distance(partner.loc, lead.loc) <= 300 km",
    "partner.n > 3 or partner.tier == gold",
    "not (partner.rate < 0.25)",
    "lead.size < 5000 or partner.tier == gold",
    "partner.status == active",
    "lead.wanted == partner.tier",
    "partner.territories covers \"US-TX\"",
    // lead parts with fixed, state-reading and lead-reading partner rests (the fused loop's
    // per-lead split decisions, fixed-rest bit masks and per-candidate closures)
    "lead.size >= 1000 and partner.rate >= 0.5",
    "lead.size < 1000 or utilisation(partner) < 50%",
    "lead.size > 5000 or lead.wanted == partner.tier",
    "not (lead.size < 5000) or partner.n > 2",
];

const RANKS: &[&str] = &[
    "",
    "partner.rate",
    "0.5 * partner.rate + 0.5 * smoothed(partner.rate, partner.n)",
    "-distance(partner.loc, lead.loc)",
    "partner.n",
    "1 - utilisation(partner)",
    "partner.rate * 2 - partner.n / 10",
    // partner-only ranks over the active-leads state (rescored on assignment), with division
    // by a zero capacity, negation and a lead-dependent rank
    "partner.rate - partner.active_leads / partner.capacity",
    "0.5 * partner.rate + 0.2 * (1 - partner.active_leads / partner.capacity)",
    "-(partner.rate * partner.n)",
    "partner.rate * lead.size",
];

const TIES: &[&str] = &[
    "",
    "tie round_robin",
    "tie round_robin weighted by partner.weight",
    "tie id",
];
const ELSES: &[&str] = &["", "else next", "else queue \"q1\"", "else parent"];
const FALLBACKS: &[&str] = &["fallback queue \"fb\"", "fallback unrouted", ""];

const REGIONS: &[&str] = &[
    "US",
    "US-TX",
    "US-CA",
    "US-TX:75",
    "US-TX:750",
    "US:75",
    "DE",
    "DE-BY",
    "DE-BY:80",
    "DE:80",
    "GB-ENG",
    "GB-LND",
    "FR",
];
const TERRITORIES: &[&str] = &[
    "US",
    "US-TX",
    "US-CA",
    "US except US-TX",
    "US-TX:75",
    "DE",
    "DE-BY",
    "DE:80",
    "DE except DE-BY:80",
    "GB-ENG",
    "GB",
    "FR",
];
const LINES: &[&str] = &["l1", "l2", "l3"];
const TIERS: [&str; 3] = ["gold", "silver", "bronze"];
const POINTS: &[(f64, f64)] = &[
    (29.76, -95.37),
    (32.78, -96.80),
    (48.14, 11.58),
    (51.51, -0.09),
];
const INSTANTS: &[&str] = &[
    "2026-11-20T08:00:00Z",
    "2026-11-21T08:00:00Z",
    "2026-11-22T08:00:00Z",
];
const NOW0: i64 = 1_795_510_800_000; // 2026-11-24T09:00:00Z

#[derive(Debug, Clone)]
struct Rule {
    when: usize,
    requires: Vec<usize>,
    rank: usize,
    balance: bool,
    tie: usize,
    otherwise: usize,
}

fn rule() -> impl Strategy<Value = Rule> {
    (
        0..WHENS.len(),
        prop::collection::vec(0..REQUIRES.len(), 0..4),
        0..RANKS.len(),
        any::<bool>(),
        0..TIES.len(),
        0..ELSES.len(),
    )
        .prop_map(|(when, requires, rank, balance, tie, otherwise)| Rule {
            when,
            requires,
            rank,
            balance,
            tie,
            otherwise,
        })
}

fn rules_text(rules: &[Rule], fallback: usize) -> String {
    let mut s = SCHEMAS.to_string();
    for (i, r) in rules.iter().enumerate() {
        s.push_str(&format!("route \"r{i}\" {{\n"));
        if !WHENS[r.when].is_empty() {
            s.push_str(&format!("  when {}\n", WHENS[r.when]));
        }
        for q in &r.requires {
            s.push_str(&format!("  require {}\n", REQUIRES[*q]));
        }
        if !RANKS[r.rank].is_empty() {
            s.push_str(&format!("  rank {}\n", RANKS[r.rank]));
        }
        if r.balance {
            s.push_str("  balance workload\n");
        }
        for clause in [TIES[r.tie], ELSES[r.otherwise]] {
            if !clause.is_empty() {
                s.push_str(&format!("  {clause}\n"));
            }
        }
        s.push_str("}\n");
    }
    s.push_str(FALLBACKS[fallback]);
    s.push('\n');
    s
}

fn partner() -> impl Strategy<Value = Json> {
    (
        prop::collection::vec(0..TERRITORIES.len(), 0..3),
        prop::collection::vec(0..LINES.len(), 0..3),
        prop::collection::vec((0..LINES.len(), any::<bool>()), 0..3),
        (0usize..3, 0i64..5, 0i64..5, 0usize..5, 0i64..8),
        (
            any::<bool>(),
            prop::option::of(0..POINTS.len()),
            prop::option::of(0usize..30),
        ),
        (0i64..4, prop::option::of(0..INSTANTS.len())),
    )
        .prop_map(
            |(terr, lines, certs, (tier, cap, act, rate, n), (active, loc, parent), (w, last))| {
                let certs: serde_json::Map<String, Json> = certs
                    .into_iter()
                    .map(|(l, valid)| {
                        let date = if valid { "2027-01-31" } else { "2026-11-23" };
                        (LINES[l].to_string(), json!(date))
                    })
                    .collect();
                json!({
                    "territories": terr.iter().map(|t| TERRITORIES[*t]).collect::<Vec<_>>(),
                    "lines": lines.iter().map(|l| LINES[*l]).collect::<Vec<_>>(),
                    "certs": certs,
                    "tier": TIERS[tier],
                    "capacity": cap,
                    "active_leads": act,
                    "rate": rate as f64 / 4.0,
                    "n": n,
                    "status": if active { "active" } else { "paused" },
                    "loc": loc.map(|i| json!({"lat": POINTS[i].0, "lon": POINTS[i].1})),
                    "parent": parent.map(|p| format!("P{p:02}")),
                    "weight": w,
                    "last_assigned_at": last.map(|i| INSTANTS[i]),
                })
            },
        )
}

fn lead() -> impl Strategy<Value = (Json, i64)> {
    (
        0..REGIONS.len(),
        0..LINES.len(),
        prop::sample::select(vec![50i64, 1000, 5000, 9000, 20000]),
        prop::option::of(0..POINTS.len()),
        prop::option::of(0usize..3),
        0i64..3,
    )
        .prop_map(|(region, line, size, loc, wanted, gap)| {
            (
                json!({
                    "region": REGIONS[region],
                    "line": LINES[line],
                    "size": size,
                    "loc": loc.map(|i| json!([POINTS[i].0, POINTS[i].1])),
                    "wanted": wanted.map(|w| TIERS[w]),
                }),
                gap * 1000,
            )
        })
}

fn with_ids(items: Vec<Json>, prefix: &str) -> Vec<Json> {
    items
        .into_iter()
        .enumerate()
        .map(|(i, mut j)| {
            j["id"] = json!(format!("{prefix}{i:02}"));
            j
        })
        .collect()
}

/// Routes `leads` (at `times`) with the engine and with the reference evaluator, from the same
/// partners, and asserts the same outcome and deciding rule for every lead. Returns how many
/// leads went to a partner.
fn assert_same_decisions(
    text: &str,
    partners: Vec<Record>,
    leads: &[Record],
    times: &[i64],
) -> usize {
    let plan = Arc::new(leadrail_dsl::compile(text, "diff.rail").unwrap().plan);
    let engine = Engine::new(Arc::clone(&plan)).unwrap();
    let mut network = Network::for_plan(&plan, partners.clone()).unwrap();
    let got = engine.route_batch(
        &mut network,
        leads,
        Times::Each(times),
        &RouteOptions::default(),
    );
    // the prepared (fused) path decides exactly like the record path, state included
    let mut n2 = Network::for_plan(&plan, partners.clone()).unwrap();
    let prepared = engine.route_prepared(
        &mut n2,
        &engine.prepare_leads(leads.to_vec()),
        Times::Each(times),
        &RouteOptions::default(),
    );
    assert_eq!(got, prepared, "prepared path differs\nrules:\n{text}");
    assert_eq!(network.export_state(), n2.export_state());
    // the borrowed views of compact results are the same decisions, without and with
    // explanations (full decisions from the general path)
    for explain in [false, true] {
        let opts = RouteOptions {
            explain,
            ..RouteOptions::default()
        };
        let mut n3 = Network::for_plan(&plan, partners.clone()).unwrap();
        let compact = engine.route_prepared_compact(
            &mut n3,
            &engine.prepare_leads(leads.to_vec()),
            Times::Each(times),
            &opts,
        );
        let mut viewed = Vec::new();
        for v in compact.views() {
            viewed.push(match v {
                Ok(d) => Ok(d.to_decision()),
                Err(e) => Err(e.clone()),
            });
        }
        assert_eq!(viewed, compact.decisions(), "views differ\nrules:\n{text}");
        if !explain {
            assert_eq!(viewed, prepared, "views differ\nrules:\n{text}");
        }
    }

    let rs = reference::Ruleset::new(text, "diff.rail").unwrap();
    let mut refnet = reference::Network::new(rs.partner_schema(), partners);
    let batch: Vec<(Record, i64)> = leads.iter().cloned().zip(times.iter().copied()).collect();
    let want = reference::route_batch(&rs, &mut refnet, &batch);

    let mut to_partner = 0;
    for ((lead, g), w) in leads.iter().zip(&got).zip(&want) {
        let g = g
            .as_ref()
            .unwrap_or_else(|e| panic!("lead {}: {e:?}", lead.id));
        let g_outcome = match &g.outcome {
            Outcome::Partner { id } => {
                to_partner += 1;
                reference::Outcome::Partner(id.clone())
            }
            Outcome::Queue { name } => reference::Outcome::Queue(name.to_string()),
            Outcome::Unrouted => reference::Outcome::Unrouted,
        };
        // The engine names the fallback `fallback`; the reference gives no rule.
        let g_rule = g
            .rule
            .as_deref()
            .filter(|r| *r != "fallback")
            .map(str::to_string);
        assert_eq!(
            (&g_outcome, &g_rule),
            (&w.outcome, &w.rule),
            "lead {} differs (engine left, reference right)\nrules:\n{text}",
            lead.id
        );
    }
    to_partner
}

fn check_scenario(rules: &[Rule], fallback: usize, partners: Vec<Json>, leads: Vec<(Json, i64)>) {
    let text = rules_text(rules, fallback);
    let compiled =
        leadrail_dsl::compile(&text, "diff.rail").unwrap_or_else(|e| panic!("{e}\n{text}"));
    let plan = compiled.plan;
    let partners: Vec<Record> = with_ids(partners, "P")
        .iter()
        .map(|j| Record::from_json(&plan.partner_schema, j).unwrap())
        .collect();
    let mut t = NOW0;
    let mut times = Vec::new();
    let lead_records: Vec<Record> = with_ids(leads.iter().map(|(j, _)| j.clone()).collect(), "L")
        .iter()
        .zip(&leads)
        .map(|(j, (_, gap))| {
            t += gap;
            times.push(t);
            Record::from_json(&plan.lead_schema, j).unwrap()
        })
        .collect();
    assert_same_decisions(&text, partners, &lead_records, &times);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn engine_agrees_with_the_reference_evaluator(
        rules in prop::collection::vec(rule(), 1..4),
        fallback in 0..FALLBACKS.len(),
        partners in prop::collection::vec(partner(), 0..16),
        leads in prop::collection::vec(lead(), 1..20),
    ) {
        check_scenario(&rules, fallback, partners, leads);
    }
}

/// The bundled example, routed by both: the realistic rule file exercises every construct
/// together on data nobody tuned for this test.
#[test]
fn engine_agrees_with_the_reference_on_the_bundled_example() {
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples/industrial");
    let text = std::fs::read_to_string(root.join("rules.rail")).unwrap();
    let plan = Arc::new(leadrail_dsl::compile(&text, "rules.rail").unwrap().plan);
    let read = |name: &str, schema: &leadrail_core::schema::Schema| -> Vec<Record> {
        let mut reader = csv::Reader::from_path(root.join(name)).unwrap();
        let headers: Vec<String> = reader
            .headers()
            .unwrap()
            .iter()
            .map(str::to_string)
            .collect();
        let headers: Vec<&str> = headers.iter().map(String::as_str).collect();
        reader
            .records()
            .map(|row| {
                let row = row.unwrap();
                let cells: Vec<&str> = row.iter().collect();
                Record::from_text(schema, &headers, &cells).unwrap()
            })
            .collect()
    };
    let partners = read("partners.csv", &plan.partner_schema);
    let leads = read("leads.csv", &plan.lead_schema);
    let times: Vec<i64> = (0..leads.len() as i64).map(|i| NOW0 + i * 60_000).collect();
    let to_partner = assert_same_decisions(&text, partners, &leads, &times);
    assert!(
        to_partner > leads.len() / 2,
        "the example routes most leads to partners"
    );
}
