//! The indexed engine against the reference evaluator on rules, partners and leads decoded from
//! the fuzz input with `arbitrary` (structured fuzzing), after `rules-dsl/tests/differential.rs`.
//!
//! Rules are built from the differential test's building blocks, composed further: `when` and
//! `require` conditions are trees of atoms under `and`, `or` and `not`; ranks are arithmetic
//! trees over numeric atoms. Every path of the engine (records, prepared batch, compact results
//! with and without explanations) must decide like the reference, lead by lead, state included.

use std::sync::Arc;

use arbitrary::Arbitrary;
use leadrail_core::network::Network;
use leadrail_core::record::Record;
use leadrail_core::route::{Engine, Outcome, RouteOptions, Times};
use leadrail_dsl::reference;
use serde_json::{json, Value as Json};

const SCHEMAS: &str = r#"
ruleset "fuzz-differential" version 1
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

/// Conditions on the lead only (`when`).
const LEAD_ATOMS: &[&str] = &[
    "lead.size >= 5000",
    "lead.line == \"l1\"",
    "lead.line in [\"l1\", \"l2\"]",
    "lead.wanted == gold",
    "lead.size < 100",
    "lead.line != \"l3\"",
    "lead.wanted != bronze",
    "lead.size > 9000",
    "lead.wanted in [gold, silver]",
    "lead.region == \"US-TX\"",
    "distance(lead.loc, lead.loc) < 1 km",
    "true",
    "false",
];

/// Conditions on the partner and the lead (`require`).
const REQUIRE_ATOMS: &[&str] = &[
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
    "partner.n > 3",
    "partner.rate < 0.25",
    "lead.size < 5000",
    "partner.status == active",
    "lead.wanted == partner.tier",
    "partner.territories covers \"US-TX\"",
    "lead.size >= 1000",
    "utilisation(partner) < 50%",
    "partner.n > 2",
    "partner.parent == \"P01\"",
    "partner.weight >= 2",
    "partner.last_assigned_at == partner.last_assigned_at",
    "distance(partner.loc, lead.loc) > 1000 km",
    "\"l2\" in partner.lines",
];

/// Numeric terms of a rank.
const NUM_ATOMS: &[&str] = &[
    "partner.rate",
    "smoothed(partner.rate, partner.n)",
    "distance(partner.loc, lead.loc)",
    "partner.n",
    "utilisation(partner)",
    "partner.active_leads / partner.capacity",
    "lead.size",
    "partner.weight",
    "partner.capacity",
    "partner.active_leads",
];
const CONSTS: &[&str] = &["0", "0.5", "1", "2", "10", "0.1", "3", "1000"];

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
    "US except US-TX:75, US-CA",
];
const LINES: &[&str] = &["l1", "l2", "l3"];
const TIERS: [&str; 3] = ["gold", "silver", "bronze"];
const SIZES: [i64; 6] = [50, 1000, 5000, 9000, 20000, 0];
const POINTS: &[(f64, f64)] = &[
    (29.76, -95.37),
    (32.78, -96.80),
    (48.14, 11.58),
    (51.51, -0.09),
    (29.76, -95.37),
];
const INSTANTS: &[&str] = &[
    "2026-11-20T08:00:00Z",
    "2026-11-21T08:00:00Z",
    "2026-11-22T08:00:00Z",
];
const NOW0: i64 = 1_795_510_800_000; // 2026-11-24T09:00:00Z

/// Deepest nesting of a decoded condition or rank (deeper subtrees render as their first atom).
const MAX_DEPTH: u8 = 4;

/// A condition tree.
#[derive(Debug, Clone, Arbitrary)]
pub enum Cond {
    /// An atom (index into the atom table, modulo its length).
    Atom(u8),
    /// `a and b`.
    And(Box<Cond>, Box<Cond>),
    /// `a or b`.
    Or(Box<Cond>, Box<Cond>),
    /// `not (a)`.
    Not(Box<Cond>),
}

impl Cond {
    fn render(&self, atoms: &[&str], depth: u8, out: &mut String) {
        let atom = |i: u8| atoms[usize::from(i) % atoms.len()];
        if depth >= MAX_DEPTH {
            out.push_str(atom(0));
            return;
        }
        match self {
            Cond::Atom(i) => out.push_str(atom(*i)),
            Cond::And(a, b) | Cond::Or(a, b) => {
                out.push('(');
                a.render(atoms, depth + 1, out);
                out.push_str(if matches!(self, Cond::And(..)) {
                    ") and ("
                } else {
                    ") or ("
                });
                b.render(atoms, depth + 1, out);
                out.push(')');
            }
            Cond::Not(a) => {
                out.push_str("not (");
                a.render(atoms, depth + 1, out);
                out.push(')');
            }
        }
    }
}

/// A rank expression tree.
#[derive(Debug, Clone, Arbitrary)]
pub enum Num {
    /// A numeric atom.
    Atom(u8),
    /// A constant.
    Const(u8),
    /// `a + b`.
    Add(Box<Num>, Box<Num>),
    /// `a - b`.
    Sub(Box<Num>, Box<Num>),
    /// `a * b`.
    Mul(Box<Num>, Box<Num>),
    /// `a / b`.
    Div(Box<Num>, Box<Num>),
    /// `-a`.
    Neg(Box<Num>),
}

impl Num {
    fn render(&self, depth: u8, out: &mut String) {
        let atom = |i: u8| NUM_ATOMS[usize::from(i) % NUM_ATOMS.len()];
        if depth >= MAX_DEPTH {
            out.push_str(NUM_ATOMS[0]);
            return;
        }
        let bin = |a: &Num, op: &str, b: &Num, out: &mut String| {
            out.push('(');
            a.render(depth + 1, out);
            out.push_str(op);
            b.render(depth + 1, out);
            out.push(')');
        };
        match self {
            Num::Atom(i) => out.push_str(atom(*i)),
            Num::Const(i) => out.push_str(CONSTS[usize::from(*i) % CONSTS.len()]),
            Num::Add(a, b) => bin(a, " + ", b, out),
            Num::Sub(a, b) => bin(a, " - ", b, out),
            Num::Mul(a, b) => bin(a, " * ", b, out),
            Num::Div(a, b) => bin(a, " / ", b, out),
            Num::Neg(a) => {
                out.push_str("-(");
                a.render(depth + 1, out);
                out.push(')');
            }
        }
    }
}

/// One route rule.
#[derive(Debug, Clone, Arbitrary)]
pub struct Rule {
    when: Option<Cond>,
    requires: Vec<Cond>,
    rank: Option<Num>,
    balance: bool,
    tie: u8,
    otherwise: u8,
}

/// One partner (fields as indexes into the value tables).
#[derive(Debug, Clone, Arbitrary)]
pub struct Partner {
    territories: Vec<u8>,
    lines: Vec<u8>,
    certs: Vec<(u8, bool)>,
    tier: u8,
    capacity: u8,
    active_leads: u8,
    rate: u8,
    n: u8,
    active: bool,
    loc: Option<u8>,
    parent: Option<u8>,
    weight: u8,
    last: Option<u8>,
}

/// One lead and the gap (in seconds, 0-2) since the previous lead's routing instant.
#[derive(Debug, Clone, Arbitrary)]
pub struct Lead {
    region: u8,
    line: u8,
    size: u8,
    loc: Option<u8>,
    wanted: Option<u8>,
    gap: u8,
}

/// A whole scenario: rules (1-4 used), a fallback, partners (up to 16), leads (1-20 used).
#[derive(Debug, Clone, Arbitrary)]
pub struct Scenario {
    rules: Vec<Rule>,
    fallback: u8,
    partners: Vec<Partner>,
    leads: Vec<Lead>,
}

fn pick<T: Copy>(table: &[T], i: u8) -> T {
    table[usize::from(i) % table.len()]
}

impl Scenario {
    /// The rule file.
    pub fn rules_text(&self) -> String {
        let mut s = SCHEMAS.to_string();
        let default = [Rule {
            when: None,
            requires: Vec::new(),
            rank: None,
            balance: false,
            tie: 0,
            otherwise: 0,
        }];
        let rules = if self.rules.is_empty() {
            &default[..]
        } else {
            &self.rules[..self.rules.len().min(4)]
        };
        for (i, r) in rules.iter().enumerate() {
            s.push_str(&format!("route \"r{i}\" {{\n"));
            if let Some(w) = &r.when {
                s.push_str("  when ");
                w.render(LEAD_ATOMS, 0, &mut s);
                s.push('\n');
            }
            for q in r.requires.iter().take(4) {
                s.push_str("  require ");
                q.render(REQUIRE_ATOMS, 0, &mut s);
                s.push('\n');
            }
            if let Some(rank) = &r.rank {
                s.push_str("  rank ");
                rank.render(0, &mut s);
                s.push('\n');
            }
            if r.balance {
                s.push_str("  balance workload\n");
            }
            for clause in [pick(TIES, r.tie), pick(ELSES, r.otherwise)] {
                if !clause.is_empty() {
                    s.push_str(&format!("  {clause}\n"));
                }
            }
            s.push_str("}\n");
        }
        s.push_str(pick(FALLBACKS, self.fallback));
        s.push('\n');
        s
    }

    /// The partners as JSON records (ids `P00`, `P01`, ...).
    pub fn partners_json(&self) -> Vec<Json> {
        self.partners
            .iter()
            .take(16)
            .enumerate()
            .map(|(i, p)| {
                let certs: serde_json::Map<String, Json> = p
                    .certs
                    .iter()
                    .take(3)
                    .map(|(l, valid)| {
                        let date = if *valid { "2027-01-31" } else { "2026-11-23" };
                        (pick(LINES, *l).to_string(), json!(date))
                    })
                    .collect();
                json!({
                    "id": format!("P{i:02}"),
                    "territories": p.territories.iter().take(3).map(|t| pick(TERRITORIES, *t)).collect::<Vec<_>>(),
                    "lines": p.lines.iter().take(3).map(|l| pick(LINES, *l)).collect::<Vec<_>>(),
                    "certs": certs,
                    "tier": pick(&TIERS, p.tier),
                    "capacity": p.capacity % 5,
                    "active_leads": p.active_leads % 5,
                    "rate": f64::from(p.rate % 5) / 4.0,
                    "n": p.n % 8,
                    "status": if p.active { "active" } else { "paused" },
                    "loc": p.loc.map(|i| { let (lat, lon) = pick(POINTS, i); json!({"lat": lat, "lon": lon}) }),
                    "parent": p.parent.map(|x| format!("P{:02}", x % 20)),
                    "weight": p.weight % 4,
                    "last_assigned_at": p.last.map(|i| pick(INSTANTS, i)),
                })
            })
            .collect()
    }

    /// The leads as JSON records (ids `L00`, ...) with their routing instants.
    pub fn leads_json(&self) -> Vec<(Json, i64)> {
        let default = [Lead {
            region: 0,
            line: 0,
            size: 0,
            loc: None,
            wanted: None,
            gap: 0,
        }];
        let leads = if self.leads.is_empty() {
            &default[..]
        } else {
            &self.leads[..self.leads.len().min(20)]
        };
        let mut t = NOW0;
        leads
            .iter()
            .enumerate()
            .map(|(i, l)| {
                t += i64::from(l.gap % 3) * 1000;
                (
                    json!({
                        "id": format!("L{i:02}"),
                        "region": pick(REGIONS, l.region),
                        "line": pick(LINES, l.line),
                        "size": pick(&SIZES, l.size),
                        "loc": l.loc.map(|i| { let (lat, lon) = pick(POINTS, i); json!([lat, lon]) }),
                        "wanted": l.wanted.map(|w| pick(&TIERS, w)),
                    }),
                    t,
                )
            })
            .collect()
    }
}

/// Routes the scenario with every engine path and with the reference evaluator; panics on the
/// first difference. Returns `false` when the decoded rules do not compile (a generator gap,
/// not a finding: such inputs are skipped).
pub fn check(scenario: &Scenario) -> bool {
    let text = scenario.rules_text();
    let compiled = match leadrail_dsl::compile(&text, "diff.rail") {
        Ok(c) => c,
        Err(e) if std::env::var_os("LEADRAIL_FUZZ_STRICT").is_some() => {
            panic!("generated rules do not compile:\n{e}\n{text}")
        }
        Err(_) => return false,
    };
    let plan = Arc::new(compiled.plan);
    let partners: Vec<Record> = scenario
        .partners_json()
        .iter()
        .map(|j| Record::from_json(&plan.partner_schema, j).expect("a generated partner parses"))
        .collect();
    let (leads, times): (Vec<Record>, Vec<i64>) = scenario
        .leads_json()
        .iter()
        .map(|(j, t)| {
            (
                Record::from_json(&plan.lead_schema, j).expect("a generated lead parses"),
                *t,
            )
        })
        .unzip();
    let engine = Engine::new(Arc::clone(&plan)).expect("the engine builds");
    // a partner network may be rejected (e.g. a parent cycle); the reference has no such rule
    let Ok(mut network) = Network::for_plan(&plan, partners.clone()) else {
        return true;
    };
    let got = engine.route_batch(
        &mut network,
        &leads,
        Times::Each(&times),
        &RouteOptions::default(),
    );
    let mut n2 = Network::for_plan(&plan, partners.clone()).expect("the network builds again");
    let prepared = engine.route_prepared(
        &mut n2,
        &engine.prepare_leads(leads.clone()),
        Times::Each(&times),
        &RouteOptions::default(),
    );
    assert_eq!(got, prepared, "prepared path differs\nrules:\n{text}");
    assert_eq!(
        network.export_state(),
        n2.export_state(),
        "prepared path state differs\nrules:\n{text}"
    );
    for explain in [false, true] {
        let opts = RouteOptions {
            explain,
            ..RouteOptions::default()
        };
        let mut n3 = Network::for_plan(&plan, partners.clone()).expect("the network builds again");
        let compact = engine.route_prepared_compact(
            &mut n3,
            &engine.prepare_leads(leads.clone()),
            Times::Each(&times),
            &opts,
        );
        let viewed: Vec<_> = compact
            .views()
            .map(|v| match v {
                Ok(d) => Ok(d.to_decision()),
                Err(e) => Err(e.clone()),
            })
            .collect();
        assert_eq!(viewed, compact.decisions(), "views differ\nrules:\n{text}");
        if !explain {
            assert_eq!(viewed, prepared, "compact path differs\nrules:\n{text}");
        }
        assert_eq!(
            network.export_state(),
            n3.export_state(),
            "compact path state differs (explain {explain})\nrules:\n{text}"
        );
    }

    let rs = reference::Ruleset::new(&text, "diff.rail").expect("the reference reads the rules");
    let mut refnet = reference::Network::new(rs.partner_schema(), partners);
    let batch: Vec<(Record, i64)> = leads.iter().cloned().zip(times.iter().copied()).collect();
    let want = reference::route_batch(&rs, &mut refnet, &batch);
    assert_eq!(got.len(), want.len());
    for ((lead, g), w) in leads.iter().zip(&got).zip(&want) {
        let g = g
            .as_ref()
            .unwrap_or_else(|e| panic!("lead {}: {e:?}\nrules:\n{text}", lead.id));
        let g_outcome = match &g.outcome {
            Outcome::Partner { id } => reference::Outcome::Partner(id.clone()),
            Outcome::Queue { name } => reference::Outcome::Queue(name.to_string()),
            Outcome::Unrouted => reference::Outcome::Unrouted,
        };
        // the engine names the fallback `fallback`; the reference gives no rule
        let g_rule = g
            .rule
            .as_deref()
            .filter(|r| *r != "fallback")
            .map(str::to_string);
        assert_eq!(
            (&g_outcome, &g_rule),
            (&w.outcome, &w.rule),
            "lead {} differs (engine left, reference right)\nrules:\n{text}\npartners: {}\nleads: {}",
            lead.id,
            serde_json::to_string(&scenario.partners_json()).unwrap_or_default(),
            serde_json::to_string(&scenario.leads_json()).unwrap_or_default(),
        );
    }
    true
}
