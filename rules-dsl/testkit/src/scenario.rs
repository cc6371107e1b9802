//! Random routing scenarios: rules, partners and leads over one fixed pair of schemas, built to
//! hit the hard cases of routing.
//!
//! A [`Scenario`] is plain data: indexes into the value tables below, and `when`, `require` and
//! `rank` clauses as trees ([`Cond`], [`Num`]) over tables of atoms. Any value is a valid
//! scenario (an index is taken modulo its table's length, a list is cut to its maximum), so the
//! same type is drawn by proptest ([`crate::strategy`], from proptest's seed) and decoded from
//! fuzz bytes (`arbitrary::Arbitrary`, feature `arbitrary`). [`Scenario::case`] renders it
//! into a rule text and records, ready for [`crate::compare::assert_engine_agrees`].
//!
//! The tables aim at the hard cases: many ties (few distinct rates and instants), missing
//! optional values (Kleene nulls), zero weights and capacities, territories with exclusions and
//! postal prefixes, expired certifications, parents that are absent or paused, equal distances,
//! decimals that equal an integer (`5000.00`); and, with [`Scenario::hand_offs`], two-tier
//! networks where rules hand leads to parents. The atoms use every built-in (`covers`,
//! `distance`, `certified`, `smoothed`, `utilisation`), `in` over lists and sets, every
//! comparison and arithmetic operator, and compound atoms for the shapes the engine compiles
//! specially (lead parts with fixed, state-reading and lead-reading partner rests; partner-only
//! ranks over the workload state).

use leadrail_core::value::EpochMs;
use leadrail_dsl::Diagnostics;
use serde_json::{json, Value as Json};

use crate::compare::Case;

/// The schemas every scenario's rule text starts with.
pub const SCHEMAS: &str = r#"
ruleset "differential" version 1
schema lead {
  region: region, line: text, size: int, loc: geopoint?, wanted: enum(gold, silver, bronze)?,
  budget: money?
}
schema partner {
  territories: set<region>, lines: set<text>, certs: map<text, date>,
  tier: enum(gold, silver, bronze), capacity: int, active_leads: int, rate: ratio, n: int,
  status: enum(active, paused), loc: geopoint?, parent: text?, weight: int,
  last_assigned_at: datetime?
}
"#;

/// Conditions on the lead only (the atoms of `when`).
pub const LEAD_ATOMS: &[&str] = &[
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
    "not (lead.size < 100) and lead.line != \"l3\"",
    "lead.wanted != bronze or lead.size > 9000",
    // an exact decimal against an integer (whole and fractional budgets, equal ones)
    "lead.budget >= 5000",
    "lead.budget < 5000",
    "lead.budget == 5000",
];

/// Conditions on the partner and the lead (the atoms of `require`).
pub const REQUIRE_ATOMS: &[&str] = &[
    // the shapes the engine turns into index probes
    "partner.territories covers lead.region",
    "lead.line in partner.lines",
    "certified(partner, lead.line)",
    "certified(partner, \"l1\")",
    "distance(partner.loc, lead.loc) <= 300 km",
    "partner.territories covers \"US-TX\"",
    // partner fields, the workload state and the lead
    "partner.tier in [gold, silver]",
    "partner.tier == gold",
    "partner.rate >= 0.5",
    "partner.active_leads < partner.capacity",
    "utilisation(partner) < 80%",
    "partner.n > 3",
    "partner.rate < 0.25",
    "lead.size < 5000",
    "partner.status == active",
    "lead.wanted == partner.tier",
    "lead.size >= 1000",
    "utilisation(partner) < 50%",
    "partner.n > 2",
    "partner.parent == \"P01\"",
    "partner.weight >= 2",
    "partner.last_assigned_at == partner.last_assigned_at",
    "distance(partner.loc, lead.loc) > 1000 km",
    "\"l2\" in partner.lines",
    "partner.n > 3 or partner.tier == gold",
    "not (partner.rate < 0.25)",
    "lead.size < 5000 or partner.tier == gold",
    // lead parts with fixed, state-reading and lead-reading partner rests (the fused loop's
    // per-lead split decisions, fixed-rest bit masks and per-candidate closures)
    "lead.size >= 1000 and partner.rate >= 0.5",
    "lead.size < 1000 or utilisation(partner) < 50%",
    "lead.size > 5000 or lead.wanted == partner.tier",
    "not (lead.size < 5000) or partner.n > 2",
    // the same over an exact decimal, compared with an integer (a budget of `5000.00` equals it)
    "lead.budget >= 5000 or partner.rate >= 0.5",
    "lead.budget <= 5000 and partner.active_leads < partner.capacity",
    "lead.budget == 5000 or partner.tier == gold",
    "lead.budget > 5000 and partner.n > 2",
];

/// Numeric terms of a rank.
pub const NUM_ATOMS: &[&str] = &[
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
    "0.5 * partner.rate + 0.5 * smoothed(partner.rate, partner.n)",
    "-distance(partner.loc, lead.loc)",
    "1 - utilisation(partner)",
    "partner.rate * 2 - partner.n / 10",
    // partner-only ranks over the active-leads state (rescored on assignment), with division
    // by a zero capacity, negation and a lead-dependent rank
    "partner.rate - partner.active_leads / partner.capacity",
    "0.5 * partner.rate + 0.2 * (1 - partner.active_leads / partner.capacity)",
    "-(partner.rate * partner.n)",
    "partner.rate * lead.size",
    "lead.budget / 1000",
];

/// Constants of a rank.
pub const CONSTS: &[&str] = &["0", "0.5", "1", "2", "10", "0.1", "3", "1000"];

/// The `tie` clauses (`""`: none).
pub const TIES: &[&str] = &[
    "",
    "tie round_robin",
    "tie round_robin weighted by partner.weight",
    "tie id",
];
/// The `else` clauses (`""`: none).
pub const ELSES: &[&str] = &["", "else next", "else queue \"q1\"", "else parent"];
/// The fallbacks (`""`: none).
pub const FALLBACKS: &[&str] = &["fallback queue \"fb\"", "fallback unrouted", ""];

/// Lead regions.
pub const REGIONS: &[&str] = &[
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
/// Partner territories.
pub const TERRITORIES: &[&str] = &[
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
/// Product lines.
pub const LINES: &[&str] = &["l1", "l2", "l3"];
/// Partner tiers (and the tier a lead wants).
pub const TIERS: &[&str] = &["gold", "silver", "bronze"];
/// Deal sizes.
pub const SIZES: &[i64] = &[50, 1000, 5000, 9000, 20000, 0];
/// Budgets (money, as decimal strings): 5000 written with a fraction of zeros and without,
/// just below and above it, far above.
pub const BUDGETS: &[&str] = &["5000.00", "5000", "4999.99", "5000.01", "250000.50"];
/// Locations (latitude, longitude); the first and the last are the same place.
pub const POINTS: &[(f64, f64)] = &[
    (29.76, -95.37),
    (32.78, -96.80),
    (48.14, 11.58),
    (51.51, -0.09),
    (29.76, -95.37),
];
/// Partners' last assignments.
pub const INSTANTS: &[&str] = &[
    "2026-11-20T08:00:00Z",
    "2026-11-21T08:00:00Z",
    "2026-11-22T08:00:00Z",
];
/// The first lead's routing instant before its gap: 2026-11-24T09:00:00Z.
pub const NOW0: EpochMs = 1_795_510_800_000;

/// At most this many rules, partners and leads are used.
pub const MAX_RULES: usize = 4;
/// See [`MAX_RULES`].
pub const MAX_PARTNERS: usize = 16;
/// See [`MAX_RULES`].
pub const MAX_LEADS: usize = 20;
/// Parent ids are `P00` to `P29`: most name no partner of the scenario.
pub const PARENTS: u8 = 30;
/// The deepest nesting of a condition or rank (deeper subtrees render as their table's first
/// atom).
pub const MAX_DEPTH: u8 = 4;

/// A condition: a tree over a table of atoms.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum Cond {
    /// An atom (its index in the table, modulo the table's length).
    Atom(u8),
    /// `(a) and (b)`.
    And(Box<Cond>, Box<Cond>),
    /// `(a) or (b)`.
    Or(Box<Cond>, Box<Cond>),
    /// `not (a)`.
    Not(Box<Cond>),
}

impl Cond {
    fn render(&self, atoms: &[&str], depth: u8, out: &mut String) {
        if depth >= MAX_DEPTH {
            out.push_str(pick(atoms, 0));
            return;
        }
        match self {
            Cond::Atom(i) => out.push_str(pick(atoms, *i)),
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

/// A rank: an arithmetic tree over [`NUM_ATOMS`] and [`CONSTS`].
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum Num {
    /// A numeric atom.
    Atom(u8),
    /// A constant.
    Const(u8),
    /// `(a + b)`.
    Add(Box<Num>, Box<Num>),
    /// `(a - b)`.
    Sub(Box<Num>, Box<Num>),
    /// `(a * b)`.
    Mul(Box<Num>, Box<Num>),
    /// `(a / b)`.
    Div(Box<Num>, Box<Num>),
    /// `-(a)`.
    Neg(Box<Num>),
}

impl Num {
    fn render(&self, depth: u8, out: &mut String) {
        if depth >= MAX_DEPTH {
            out.push_str(pick(NUM_ATOMS, 0));
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
            // a compound atom inside an operation keeps its own grouping
            Num::Atom(i) if depth > 0 && pick(NUM_ATOMS, *i).contains(' ') => {
                out.push('(');
                out.push_str(pick(NUM_ATOMS, *i));
                out.push(')');
            }
            Num::Atom(i) => out.push_str(pick(NUM_ATOMS, *i)),
            Num::Const(i) => out.push_str(pick(CONSTS, *i)),
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
#[derive(Debug, Clone, PartialEq, Default)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct RuleSpec {
    /// `when`, over [`LEAD_ATOMS`].
    pub when: Option<Cond>,
    /// The `require` clauses (at most four used), over [`REQUIRE_ATOMS`].
    pub requires: Vec<Cond>,
    /// `rank`.
    pub rank: Option<Num>,
    /// `balance workload`.
    pub balance: bool,
    /// Index into [`TIES`].
    pub tie: u8,
    /// Index into [`ELSES`].
    pub otherwise: u8,
}

/// One partner: each field an index into its table, or a number taken modulo its range.
#[derive(Debug, Clone, PartialEq, Default)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct PartnerSpec {
    /// Indexes into [`TERRITORIES`] (at most three used).
    pub territories: Vec<u8>,
    /// Indexes into [`LINES`] (at most three used).
    pub lines: Vec<u8>,
    /// Certifications (at most three used): an index into [`LINES`] and whether it is still
    /// valid at the routing instants (else it expired the day before [`NOW0`]).
    pub certs: Vec<(u8, bool)>,
    /// Index into [`TIERS`].
    pub tier: u8,
    /// `capacity`, modulo 5.
    pub capacity: u8,
    /// `active_leads`, modulo 5.
    pub active_leads: u8,
    /// `rate` in quarters, modulo 5 (0 to 1).
    pub rate: u8,
    /// `n`, modulo 8.
    pub n: u8,
    /// `status` is `active` (else `paused`).
    pub active: bool,
    /// Index into [`POINTS`].
    pub loc: Option<u8>,
    /// The parent's number, modulo [`PARENTS`] (see [`Scenario::hand_offs`]).
    pub parent: Option<u8>,
    /// `weight`, modulo 4.
    pub weight: u8,
    /// Index into [`INSTANTS`].
    pub last: Option<u8>,
}

/// One lead and the gap since the previous lead's routing instant.
#[derive(Debug, Clone, PartialEq, Default)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct LeadSpec {
    /// Index into [`REGIONS`].
    pub region: u8,
    /// Index into [`LINES`].
    pub line: u8,
    /// Index into [`SIZES`].
    pub size: u8,
    /// Index into [`POINTS`].
    pub loc: Option<u8>,
    /// Index into [`TIERS`].
    pub wanted: Option<u8>,
    /// Index into [`BUDGETS`].
    pub budget: Option<u8>,
    /// Seconds since the previous lead's instant, modulo 3 (many leads share an instant).
    pub gap: u8,
}

/// A whole scenario: rules (one to [`MAX_RULES`] used: none stands for one empty rule), a
/// fallback, partners (up to [`MAX_PARTNERS`]) and leads (one to [`MAX_LEADS`]).
#[derive(Debug, Clone, PartialEq, Default)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct Scenario {
    /// A two-tier network: every rule ends `else parent`, and every partner has a parent among
    /// the scenario's partners (its own `parent` modulo their number, or half its own number
    /// when it has none; so `P00` is its own parent). Without this, a parent hand-off needs a
    /// drawn parent that exists and qualifies, which random data seldom gives.
    ///
    /// The first field, so that fuzz bytes decode it from their first byte (the last field of
    /// a decoded struct mostly meets an exhausted input and takes its default).
    pub hand_offs: bool,
    /// The route rules, in order.
    pub rules: Vec<RuleSpec>,
    /// Index into [`FALLBACKS`].
    pub fallback: u8,
    /// The partners, ids `P00`, `P01`, ...
    pub partners: Vec<PartnerSpec>,
    /// The leads, ids `L00`, `L01`, ...
    pub leads: Vec<LeadSpec>,
}

/// The item of `table` at `i` modulo its length.
fn pick<T: Copy + Default>(table: &[T], i: u8) -> T {
    match table.len() {
        0 => T::default(),
        n => table.get(usize::from(i) % n).copied().unwrap_or_default(),
    }
}

impl Scenario {
    /// The rule file: [`SCHEMAS`], the rules, the fallback.
    pub fn rules_text(&self) -> String {
        let default = [RuleSpec::default()];
        let rules = match self.rules.get(..self.rules.len().min(MAX_RULES)) {
            Some(rules) if !rules.is_empty() => rules,
            _ => &default[..],
        };
        let mut s = SCHEMAS.to_string();
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
            let otherwise = if self.hand_offs {
                "else parent"
            } else {
                pick(ELSES, r.otherwise)
            };
            for clause in [pick(TIES, r.tie), otherwise] {
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
        let count = self.partners.len().clamp(1, MAX_PARTNERS);
        self.partners
            .iter()
            .take(MAX_PARTNERS)
            .enumerate()
            .map(|(i, p)| {
                let parent = if self.hand_offs {
                    Some(p.parent.map_or(i / 2, usize::from) % count)
                } else {
                    p.parent.map(|x| usize::from(x % PARENTS))
                };
                let certs: serde_json::Map<String, Json> = p
                    .certs
                    .iter()
                    .take(3)
                    .map(|(l, valid)| {
                        let date = if *valid { "2027-01-31" } else { "2026-11-23" };
                        (pick(LINES, *l).to_string(), json!(date))
                    })
                    .collect();
                let territories: Vec<&str> = p
                    .territories
                    .iter()
                    .take(3)
                    .map(|t| pick(TERRITORIES, *t))
                    .collect();
                let lines: Vec<&str> = p.lines.iter().take(3).map(|l| pick(LINES, *l)).collect();
                json!({
                    "id": format!("P{i:02}"),
                    "territories": territories,
                    "lines": lines,
                    "certs": certs,
                    "tier": pick(TIERS, p.tier),
                    "capacity": p.capacity % 5,
                    "active_leads": p.active_leads % 5,
                    "rate": f64::from(p.rate % 5) / 4.0,
                    "n": p.n % 8,
                    "status": if p.active { "active" } else { "paused" },
                    "loc": p.loc.map(|i| {
                        let (lat, lon) = pick(POINTS, i);
                        json!({"lat": lat, "lon": lon})
                    }),
                    "parent": parent.map(|x| format!("P{x:02}")),
                    "weight": p.weight % 4,
                    "last_assigned_at": p.last.map(|i| pick(INSTANTS, i)),
                })
            })
            .collect()
    }

    /// The leads as JSON records (ids `L00`, `L01`, ...) with their routing instants, from
    /// [`NOW0`] plus the first gap on.
    pub fn leads_json(&self) -> Vec<(Json, EpochMs)> {
        let default = [LeadSpec::default()];
        let leads = match self.leads.get(..self.leads.len().min(MAX_LEADS)) {
            Some(leads) if !leads.is_empty() => leads,
            _ => &default[..],
        };
        let mut t = NOW0;
        leads
            .iter()
            .enumerate()
            .map(|(i, l)| {
                t += i64::from(l.gap % 3) * 1000;
                let lead = json!({
                    "id": format!("L{i:02}"),
                    "region": pick(REGIONS, l.region),
                    "line": pick(LINES, l.line),
                    "size": pick(SIZES, l.size),
                    "loc": l.loc.map(|i| {
                        let (lat, lon) = pick(POINTS, i);
                        json!([lat, lon])
                    }),
                    "wanted": l.wanted.map(|w| pick(TIERS, w)),
                    "budget": l.budget.map(|b| pick(BUDGETS, b)),
                });
                (lead, t)
            })
            .collect()
    }

    /// The scenario as a [`Case`]: the rule text compiled, the partners and leads read with its
    /// schemas. `Err` when the rules do not compile (a gap in the generator, not an engine
    /// failure: the differential tests fail on it, the fuzz target skips the input).
    pub fn case(&self) -> Result<Case, Diagnostics> {
        Case::from_json(
            &self.rules_text(),
            &self.partners_json(),
            &self.leads_json(),
        )
    }
}
