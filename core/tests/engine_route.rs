//! Crafted routing scenarios with exact decisions (plan/mod.rs semantics).
#![expect(clippy::unwrap_used, reason = "test helpers")]

mod engine_support;

use std::sync::Arc;

use engine_support::*;
use leadrail_core::network::{Network, NetworkError};
use leadrail_core::plan::{ArithOp, CmpOp, Else, Expr, Fallback, Scope, Tie};
use leadrail_core::route::{Decision, Engine, Outcome, RouteOptions, RuleOutcome, TieBreak, Times};
use leadrail_core::value::Value;

const NOW: &str = "2026-11-24";

fn engine(rules: Vec<leadrail_core::plan::RouteRule>, fb: Fallback) -> Engine {
    Engine::new(Arc::new(plan(rules, fb))).unwrap()
}

fn net(ps: &[P]) -> Network {
    Network::new(&partner_schema(), ps.iter().map(P::rec).collect()).unwrap()
}

fn partner_of(d: &Decision) -> Option<&str> {
    match &d.outcome {
        Outcome::Partner { id } => Some(id),
        _ => None,
    }
}

fn route1(e: &Engine, n: &Network, l: &leadrail_core::record::Record) -> Decision {
    e.route(n, l, at(NOW, 9), &RouteOptions::default()).unwrap()
}

fn explain(e: &Engine, n: &Network, l: &leadrail_core::record::Record) -> Decision {
    let o = RouteOptions {
        explain: true,
        exclude: vec![],
    };
    e.route(n, l, at(NOW, 9), &o).unwrap()
}

fn basic() -> Engine {
    engine(
        vec![rule(
            "main",
            vec![covers(), sells()],
            Some(rank_rate()),
            Else::Next,
        )],
        Fallback::Queue("inside-sales".into()),
    )
}

#[test]
fn highest_rank_wins_among_covering_partners() {
    let mut a = p("A");
    a.rate = 0.4;
    let mut b = p("B");
    b.rate = 0.9;
    let mut c = p("C");
    c.rate = 0.99;
    c.terr = vec!["DE"];
    let n = net(&[a, b, c]);
    let d = route1(&basic(), &n, &lead("L1", "US-TX", "hydraulics", 1000));
    assert_eq!(partner_of(&d), Some("B"));
    assert_eq!(d.rule.as_deref(), Some("main"));
    let sr = d.state_read.unwrap();
    assert_eq!(
        (
            &*sr.partner,
            sr.version,
            sr.active_leads,
            sr.last_assigned_at
        ),
        ("B", 0, 0, None)
    );
}

#[test]
fn fallback_queue_when_nobody_is_eligible() {
    let n = net(&[p("A")]);
    let d = route1(&basic(), &n, &lead("L1", "FR", "hydraulics", 1000));
    assert_eq!(
        d.outcome,
        Outcome::Queue {
            name: Arc::from("inside-sales")
        }
    );
    assert_eq!(d.rule.as_deref(), Some("fallback"));
    let e = engine(
        vec![rule("main", vec![covers()], None, Else::Next)],
        Fallback::Unrouted,
    );
    let d = route1(&e, &n, &lead("L1", "FR", "hydraulics", 1000));
    assert_eq!(d.outcome, Outcome::Unrouted);
}

#[test]
fn implicit_guards_exclude_inactive_and_full_partners_with_reasons() {
    let mut a = p("A");
    a.status = "paused";
    a.rate = 0.9;
    let mut b = p("B");
    b.active = 10; // capacity 10
    b.rate = 0.8;
    let mut c = p("C");
    c.rate = 0.1;
    let mut d = p("D");
    d.lines = vec!["lubricants"];
    let n = net(&[a, b, c, d]);
    let dec = explain(&basic(), &n, &lead("L1", "US", "hydraulics", 1000));
    assert_eq!(partner_of(&dec), Some("C"));
    let ex = dec.explanation.unwrap();
    let groups: Vec<(String, Vec<String>)> = ex
        .excluded
        .iter()
        .map(|g| {
            (
                g.reason.clone(),
                g.partners.iter().map(|s| s.to_string()).collect(),
            )
        })
        .collect();
    assert_eq!(
        groups,
        vec![
            (
                "partner.status == active".to_string(),
                vec!["A".to_string()]
            ),
            (
                "partner.active_leads < partner.capacity".to_string(),
                vec!["B".to_string()]
            ),
            (
                "lead.product_line in partner.product_lines".to_string(),
                vec!["D".to_string()]
            ),
        ]
    );
    assert_eq!(ex.ruleset.name, "test");
    assert_eq!(ex.ruleset.version, 3);
    assert_eq!(ex.rules.len(), 1);
    assert_eq!(ex.rules[0].eligible, 1);
    assert_eq!(ex.rules[0].outcome, RuleOutcome::Decided);
    assert_eq!(ex.tie_break, None);
}

#[test]
fn ties_go_to_never_assigned_then_least_recent_then_id() {
    let mut a = p("A");
    a.last = Some(at("2026-11-01", 0));
    let mut b = p("B");
    b.last = Some(at("2026-10-01", 0));
    let c = p("C");
    let d0 = p("D");
    let n = net(&[a.clone(), b.clone(), c, d0]);
    // C and D never assigned: C by id.
    let d = explain(&basic(), &n, &lead("L", "US", "hydraulics", 1));
    assert_eq!(partner_of(&d), Some("C"));
    assert_eq!(
        d.explanation.as_ref().unwrap().tie_break,
        Some(TieBreak::Id)
    );
    let n = net(&[a, b]);
    let d = explain(&basic(), &n, &lead("L", "US", "hydraulics", 1));
    assert_eq!(partner_of(&d), Some("B"));
    let ex = d.explanation.unwrap();
    assert_eq!(ex.tie_break, Some(TieBreak::LeastRecentlyAssigned));
    let order: Vec<(&str, usize)> = ex
        .candidates
        .iter()
        .map(|c| (&*c.partner, c.position))
        .collect();
    assert_eq!(order, vec![("B", 1), ("A", 2)]);
    assert_eq!(ex.candidates[0].score, Some(0.5));
}

#[test]
fn tie_id_ignores_recency_and_score_decides_first() {
    let mut a = p("A");
    a.last = Some(at("2026-11-01", 0));
    let b = p("B");
    let mut r = rule("main", vec![covers()], None, Else::Next);
    r.tie = Tie::Id;
    let e = engine(vec![r], Fallback::Unrouted);
    let n = net(&[b, a]);
    assert_eq!(
        partner_of(&route1(&e, &n, &lead("L", "US", "x", 1))),
        Some("A")
    );
    let d = explain(&basic(), &n, &lead("L", "US", "hydraulics", 1));
    assert_eq!(partner_of(&d), Some("B"));
}

#[test]
fn batch_round_robin_rotates_and_updates_state() {
    let n0 = net(&[p("A"), p("B"), p("C")]);
    let mut n = n0.clone();
    let leads: Vec<_> = (0..6)
        .map(|i| lead(&format!("L{i}"), "US", "hydraulics", 1))
        .collect();
    let t0 = at(NOW, 9);
    let out = basic().route_batch(
        &mut n,
        &leads,
        Times::Step {
            start: t0,
            step: 1000,
        },
        &RouteOptions::default(),
    );
    let got: Vec<&str> = out
        .iter()
        .map(|r| partner_of(r.as_ref().unwrap()).unwrap())
        .collect();
    assert_eq!(got, ["A", "B", "C", "A", "B", "C"]);
    let st = n.state("A").unwrap();
    assert_eq!(st.active_leads, 2);
    assert_eq!(st.assigned, 2);
    assert_eq!(st.version, 2);
    assert_eq!(st.last_seq, 4);
    assert_eq!(st.last_assigned_at, Some(t0 + 3000));
    assert_eq!(n.seq(), 6);
    // the 4th decision read A's state after its first assignment
    let sr = out[3].as_ref().unwrap().state_read.clone().unwrap();
    assert_eq!(
        (sr.version, sr.active_leads, sr.last_assigned_at),
        (1, 1, Some(t0))
    );
    // same instants: recency falls back to the assignment sequence
    let mut n = n0;
    let out = basic().route_batch(&mut n, &leads, Times::At(t0), &RouteOptions::default());
    let got: Vec<&str> = out
        .iter()
        .map(|r| partner_of(r.as_ref().unwrap()).unwrap())
        .collect();
    assert_eq!(got, ["A", "B", "C", "A", "B", "C"]);
}

#[test]
fn balance_workload_prefers_lower_utilisation() {
    let mut a = p("A");
    a.cap = 10;
    a.active = 5;
    let mut b = p("B");
    b.cap = 100;
    b.active = 10;
    let mut r = rule("main", vec![covers()], None, Else::Next);
    r.balance = true;
    let e = engine(vec![r], Fallback::Unrouted);
    let n = net(&[a, b]);
    let d = explain(&e, &n, &lead("L", "US", "x", 1));
    assert_eq!(partner_of(&d), Some("B"));
    let ex = d.explanation.unwrap();
    assert_eq!(ex.tie_break, Some(TieBreak::Workload));
    assert_eq!(ex.candidates[0].utilisation, Some(0.1));
    assert_eq!(ex.candidates[1].utilisation, Some(0.5));
}

#[test]
fn weighted_round_robin_shares_by_weight() {
    let mut a = p("A");
    a.weight = 2;
    a.cap = 1000;
    let mut b = p("B");
    b.weight = 1;
    b.cap = 1000;
    let mut r = rule("main", vec![covers()], None, Else::Next);
    r.tie = Tie::RoundRobin {
        weight: Some(Expr::Field(Scope::Partner, P_WEIGHT)),
    };
    let e = engine(vec![r], Fallback::Unrouted);
    let mut n = net(&[a, b]);
    let leads: Vec<_> = (0..30)
        .map(|i| lead(&format!("L{i}"), "US", "x", 1))
        .collect();
    let out = e.route_batch(
        &mut n,
        &leads,
        Times::Step { start: 0, step: 1 },
        &RouteOptions::default(),
    );
    let na = out
        .iter()
        .filter(|r| partner_of(r.as_ref().unwrap()) == Some("A"))
        .count();
    assert_eq!(na, 20);
    let first: Vec<&str> = out
        .iter()
        .take(3)
        .map(|r| partner_of(r.as_ref().unwrap()).unwrap())
        .collect();
    // A: (0+1)/2 = 0.5 < B: 1/1 -> A; then A 1.0 vs B 1.0 -> recency: B never assigned -> B; then A
    assert_eq!(first, ["A", "B", "A"]);
}

#[test]
fn else_queue_next_and_parent() {
    let tx = |name: &str, o: Else| {
        rule(
            name,
            vec![
                covers(),
                req(
                    cmp(
                        CmpOp::Lt,
                        Expr::Field(Scope::Partner, P_ACTIVE),
                        Expr::Field(Scope::Partner, P_CAP),
                    ),
                    "partner.active_leads < partner.capacity",
                    true,
                ),
            ],
            None,
            o,
        )
    };
    // dealer D (full) under distributor X (covers only DE, but the hand-off ignores fit of parents)
    let mut d = p("D");
    d.active = 10;
    d.parent = Some("X");
    let mut x = p("X");
    x.terr = vec!["DE"];
    let n = net(&[d, x]);
    let l = lead("L", "US-TX", "x", 1);
    let e = engine(
        vec![tx("q", Else::Queue("key-accounts".into()))],
        Fallback::Unrouted,
    );
    let dq = explain(&e, &n, &l);
    assert_eq!(
        dq.outcome,
        Outcome::Queue {
            name: Arc::from("key-accounts")
        }
    );
    assert_eq!(dq.rule.as_deref(), Some("q"));
    assert_eq!(dq.explanation.unwrap().rules[0].outcome, RuleOutcome::Queue);
    let e = engine(vec![tx("p", Else::Parent)], Fallback::Unrouted);
    let dp = explain(&e, &n, &l);
    assert_eq!(partner_of(&dp), Some("X"));
    assert_eq!(dp.rule.as_deref(), Some("p"));
    assert_eq!(
        dp.explanation.unwrap().rules[0].outcome,
        RuleOutcome::Parent
    );
    // a parent that is itself paused cannot take it: next rule, then fallback
    let mut x2 = p("X");
    x2.status = "paused";
    let mut d2 = p("D");
    d2.active = 10;
    d2.parent = Some("X");
    let n2 = net(&[d2, x2]);
    let e = engine(
        vec![tx("p", Else::Parent), tx("n", Else::Next)],
        Fallback::Queue("inside".into()),
    );
    let dn = explain(&e, &n2, &l);
    assert_eq!(
        dn.outcome,
        Outcome::Queue {
            name: Arc::from("inside")
        }
    );
    let rules: Vec<(String, RuleOutcome)> = dn
        .explanation
        .unwrap()
        .rules
        .iter()
        .map(|r| (r.rule.clone(), r.outcome))
        .collect();
    assert_eq!(
        rules,
        vec![
            ("p".to_string(), RuleOutcome::Next),
            ("n".to_string(), RuleOutcome::Next)
        ]
    );
}

#[test]
fn when_clause_selects_rules() {
    let mut big = rule("big", vec![covers()], None, Else::Next);
    big.when = Some(cmp(
        CmpOp::Ge,
        Expr::Field(Scope::Lead, L_DEAL),
        Expr::Lit(Value::Int(250_000)),
    ));
    big.requires.push(req(
        cmp(
            CmpOp::Eq,
            Expr::Field(Scope::Partner, P_TIER),
            Expr::Lit(sym("gold")),
        ),
        "partner.tier == gold",
        false,
    ));
    let any = rule("any", vec![covers()], None, Else::Next);
    let e = engine(vec![big, any], Fallback::Unrouted);
    let mut g = p("G");
    g.last = Some(5);
    let mut s = p("S");
    s.tier = "silver";
    let n = net(&[g, s]);
    let d = explain(&e, &n, &lead("L", "US", "x", 300_000));
    assert_eq!(
        (partner_of(&d), d.rule.as_deref()),
        (Some("G"), Some("big"))
    );
    let d = explain(&e, &n, &lead("L", "US", "x", 1000));
    assert_eq!(
        (partner_of(&d), d.rule.as_deref()),
        (Some("S"), Some("any"))
    );
    let tr = &d.explanation.unwrap().rules;
    assert!(!tr[0].matched);
    assert_eq!(tr[1].eligible, 2);
}

#[test]
fn host_exclusion_is_never_a_candidate() {
    let n = net(&[p("A"), p("B")]);
    let o = RouteOptions {
        explain: true,
        exclude: vec!["A".into(), "nobody".into()],
    };
    let d = basic()
        .route(&n, &lead("L", "US", "hydraulics", 1), 0, &o)
        .unwrap();
    assert_eq!(partner_of(&d), Some("B"));
    let ex = d.explanation.unwrap();
    assert_eq!(ex.excluded[0].reason, "excluded by host");
    assert_eq!(&*ex.excluded[0].partners[0], "A");
    let o = RouteOptions {
        explain: false,
        exclude: vec!["A".into(), "B".into()],
    };
    let d = basic()
        .route(&n, &lead("L", "US", "hydraulics", 1), 0, &o)
        .unwrap();
    assert_eq!(
        d.outcome,
        Outcome::Queue {
            name: Arc::from("inside-sales")
        }
    );
}

#[test]
fn certified_checks_validity_on_the_routing_date() {
    let mut a = p("A");
    a.certs = vec![("hydraulic-systems", "2026-11-24")];
    let mut b = p("B");
    b.certs = vec![("hydraulic-systems", "2026-11-23"), ("other", "2030-01-01")];
    let cert = req(
        Expr::Certified {
            field: P_CERTS,
            name: lit(text("hydraulic-systems")),
        },
        "certified(partner, \"hydraulic-systems\")",
        false,
    );
    let e = engine(
        vec![rule("c", vec![cert], None, Else::Next)],
        Fallback::Unrouted,
    );
    let n = net(&[b, a]);
    let l = lead("L", "US", "x", 1);
    let d = e
        .route(
            &n,
            &l,
            at("2026-11-24", 23),
            &RouteOptions {
                explain: true,
                exclude: vec![],
            },
        )
        .unwrap();
    assert_eq!(partner_of(&d), Some("A"));
    assert_eq!(
        d.explanation.unwrap().excluded[0].partners,
        vec![Arc::<str>::from("B")]
    );
    let d = e
        .route(&n, &l, at("2026-11-25", 0), &RouteOptions::default())
        .unwrap();
    assert_eq!(d.outcome, Outcome::Unrouted);
    let d = e
        .route(&n, &l, at("2026-11-23", 1), &RouteOptions::default())
        .unwrap();
    assert_eq!(partner_of(&d), Some("A")); // both valid, tie by id
                                           // a lead-side certification name
    let cert = req(
        Expr::Certified {
            field: P_CERTS,
            name: lf(L_LINE),
        },
        "certified(partner, lead.product_line)",
        false,
    );
    let e = engine(
        vec![rule("c", vec![cert], None, Else::Next)],
        Fallback::Unrouted,
    );
    let d = e
        .route(
            &n,
            &lead("L", "US", "other", 1),
            at("2026-11-24", 0),
            &RouteOptions::default(),
        )
        .unwrap();
    assert_eq!(partner_of(&d), Some("B"));
}

#[test]
fn distance_require_and_nearest_rank() {
    let dist = || Expr::Distance(pf(P_LOC), lf(L_LOC));
    let within = req(
        cmp(CmpOp::Le, dist(), Expr::Lit(Value::Float(150.0))),
        "distance(partner.location, lead.location) <= 150 km",
        false,
    );
    let e = engine(
        vec![rule(
            "near",
            vec![within],
            Some(Expr::Neg(Box::new(dist()))),
            Else::Next,
        )],
        Fallback::Unrouted,
    );
    let mut chicago = p("CHI");
    chicago.loc = Some((41.88, -87.63));
    let mut milwaukee = p("MKE");
    milwaukee.loc = Some((43.04, -87.91));
    let mut nyc = p("NYC");
    nyc.loc = Some((40.71, -74.01));
    let nowhere = p("NONE");
    let n = net(&[milwaukee, nyc, chicago, nowhere]);
    let d = explain(&e, &n, &lead_at("L", "US", "x", 41.80, -87.70)); // near Chicago
    assert_eq!(partner_of(&d), Some("CHI"));
    let ex = d.explanation.unwrap();
    assert_eq!(ex.candidates.len(), 2);
    assert_eq!(ex.tie_break, Some(TieBreak::Score));
    assert_eq!(
        ex.excluded[0].partners,
        vec![Arc::<str>::from("NONE"), Arc::from("NYC")]
    );
    // a lead without a location: distance is null, nobody qualifies
    let d = route1(&e, &n, &lead("L", "US", "x", 1));
    assert_eq!(d.outcome, Outcome::Unrouted);
    // fast path agrees
    let d = route1(&e, &n, &lead_at("L", "US", "x", 42.9, -87.9));
    assert_eq!(partner_of(&d), Some("MKE"));
}

#[test]
fn territory_hierarchy_and_exclusions() {
    let mut us = p("US");
    us.terr = vec!["US except US-AK, US-HI"];
    let mut ak = p("AK");
    ak.terr = vec!["US-AK"];
    ak.last = Some(10); // assigned once: US (never) wins ties where both cover
    let mut zip = p("ZIP");
    zip.terr = vec!["US-TX:750"];
    zip.rate = 0.9;
    let n = net(&[us, ak, zip]);
    let e = basic();
    let who =
        |r: &str| partner_of(&route1(&e, &n, &lead("L", r, "hydraulics", 1))).map(String::from);
    assert_eq!(who("US-AK").as_deref(), Some("AK"));
    assert_eq!(who("US-TX").as_deref(), Some("US"));
    assert_eq!(who("US-TX:75001").as_deref(), Some("ZIP"));
    assert_eq!(who("US-TX:76001").as_deref(), Some("US"));
    assert_eq!(who("US-HI"), None);
}

#[test]
fn rank_arithmetic_and_null_scores() {
    // rank = 0.5 * rate + 0.5 * (1 - active / capacity); capacity 0 partners fail the guard
    let rank = arith(
        ArithOp::Add,
        arith(ArithOp::Mul, Expr::Lit(Value::Float(0.5)), rank_rate()),
        arith(
            ArithOp::Mul,
            Expr::Lit(Value::Float(0.5)),
            arith(
                ArithOp::Sub,
                Expr::Lit(Value::Int(1)),
                arith(
                    ArithOp::Div,
                    Expr::Field(Scope::Partner, P_ACTIVE),
                    Expr::Field(Scope::Partner, P_CAP),
                ),
            ),
        ),
    );
    let e = engine(
        vec![rule("r", vec![covers()], Some(rank), Else::Next)],
        Fallback::Unrouted,
    );
    let mut a = p("A");
    a.rate = 0.5;
    a.active = 5; // 0.25 + 0.25 = 0.5
    let mut b = p("B");
    b.rate = 0.2;
    b.active = 0; // 0.1 + 0.5 = 0.6
    let n = net(&[a, b]);
    let d = explain(&e, &n, &lead("L", "US", "x", 1));
    assert_eq!(partner_of(&d), Some("B"));
    let sc: Vec<Option<f64>> = d
        .explanation
        .unwrap()
        .candidates
        .iter()
        .map(|c| c.score)
        .collect();
    assert_eq!(
        sc,
        vec![Some(0.1 + 0.5), Some(0.5 * 0.5 + 0.5 * (1.0 - 0.5))]
    );
    // a rank dividing by zero is null and sorts last
    let rank = arith(
        ArithOp::Div,
        rank_rate(),
        arith(
            ArithOp::Sub,
            Expr::Field(Scope::Partner, P_ACTIVE),
            Expr::Lit(Value::Int(1)),
        ),
    );
    let e = engine(
        vec![rule("r", vec![covers()], Some(rank), Else::Next)],
        Fallback::Unrouted,
    );
    let mut x = p("X");
    x.active = 2;
    let mut y = p("Y");
    y.active = 1;
    let n = net(&[y, x]);
    let d = explain(&e, &n, &lead("L", "US", "x", 1));
    assert_eq!(partner_of(&d), Some("X"));
    let ex = d.explanation.unwrap();
    assert_eq!(ex.candidates[0].score, Some(0.5));
    assert_eq!(ex.candidates[1].score, None);
    assert_eq!(ex.tie_break, Some(TieBreak::Score));
    assert_eq!(
        partner_of(&route1(&e, &n, &lead("L", "US", "x", 1))),
        Some("X")
    );
}

#[test]
fn kleene_requires() {
    // require not (partner.last_assigned_at > 5): null for never-assigned partners -> excluded
    let r = req(
        Expr::Not(Box::new(cmp(
            CmpOp::Gt,
            Expr::Field(Scope::Partner, P_LAST),
            Expr::Lit(Value::DateTime(5)),
        ))),
        "not (partner.last_assigned_at > 5)",
        false,
    );
    let e = engine(
        vec![rule("r", vec![r], None, Else::Next)],
        Fallback::Unrouted,
    );
    let mut a = p("A");
    a.last = Some(3);
    let mut b = p("B");
    b.last = Some(9);
    let c = p("C");
    let n = net(&[c, b, a]);
    let d = explain(&e, &n, &lead("L", "US", "x", 1));
    assert_eq!(partner_of(&d), Some("A"));
    assert_eq!(
        d.explanation.unwrap().excluded[0].partners,
        vec![Arc::<str>::from("B"), Arc::from("C")]
    );
    // or: true or null = true
    let r = req(
        Expr::Or(vec![
            cmp(
                CmpOp::Gt,
                Expr::Field(Scope::Partner, P_LAST),
                Expr::Lit(Value::DateTime(5)),
            ),
            cmp(
                CmpOp::Eq,
                Expr::Field(Scope::Partner, P_TIER),
                Expr::Lit(sym("gold")),
            ),
        ]),
        "x",
        false,
    );
    let e = engine(
        vec![rule("r", vec![r], None, Else::Next)],
        Fallback::Unrouted,
    );
    let d = explain(&e, &n, &lead("L", "US", "x", 1));
    assert_eq!(d.explanation.unwrap().candidates.len(), 3);
}

#[test]
fn incremental_updates_and_state_roundtrip() {
    let mut n = net(&[p("A"), p("B")]);
    let e = basic();
    let l = lead("L", "US", "hydraulics", 1);
    assert_eq!(partner_of(&route1(&e, &n, &l)), Some("A"));
    // A moves to Germany
    let mut a = p("A");
    a.terr = vec!["DE"];
    n.update_partner(a.rec()).unwrap();
    assert_eq!(n.state("A").unwrap().version, 1);
    assert_eq!(partner_of(&route1(&e, &n, &l)), Some("B"));
    assert_eq!(
        partner_of(&route1(&e, &n, &lead("L", "DE", "hydraulics", 1))),
        Some("A")
    );
    // B removed, 0A added (sorts first by id)
    n.remove_partner("B").unwrap();
    assert_eq!(
        route1(&e, &n, &l).outcome,
        Outcome::Queue {
            name: Arc::from("inside-sales")
        }
    );
    n.add_partner(p("0A").rec()).unwrap();
    n.add_partner(p("B").rec()).unwrap();
    assert_eq!(partner_of(&route1(&e, &n, &l)), Some("0A"));
    assert_eq!(n.len(), 3);
    // 0A full
    n.set_active_leads("0A", 10).unwrap();
    assert_eq!(partner_of(&route1(&e, &n, &l)), Some("B"));
    // errors
    assert!(matches!(
        n.add_partner(p("B").rec()),
        Err(NetworkError::DuplicateId { .. })
    ));
    assert!(matches!(
        n.remove_partner("zz"),
        Err(NetworkError::UnknownPartner { .. })
    ));
    // state export/import
    let mut m = n.clone();
    e.route_batch(
        &mut m,
        &[l.clone(), l.clone()],
        Times::At(7),
        &RouteOptions::default(),
    );
    let st = m.export_state();
    let json = serde_json::to_string(&st).unwrap();
    let back: leadrail_core::network::NetworkState = serde_json::from_str(&json).unwrap();
    n.import_state(&back).unwrap();
    assert_eq!(n.export_state(), m.export_state());
    assert_eq!(route1(&e, &n, &l), route1(&e, &m, &l));
}

#[test]
fn duplicate_ids_and_bad_partners_are_data_errors() {
    let err = Network::new(&partner_schema(), vec![p("A").rec(), p("A").rec()]).unwrap_err();
    assert_eq!(err, NetworkError::DuplicateId { id: "A".into() });
    let mut bad = p("B").rec();
    bad.values[P_CAP as usize] = text("ten");
    let err = Network::new(&partner_schema(), vec![bad]).unwrap_err();
    let rep = leadrail_core::report::ErrorReport::from(&err);
    assert_eq!(rep.code, "leadrail::data::invalid_field");
    assert_eq!(rep.record.as_deref(), Some("B"));
    assert_eq!(rep.field.as_deref(), Some("capacity"));
    assert_eq!(
        rep.message,
        "partner `B`: field `capacity` expects int, found text `ten`"
    );
}

#[test]
fn a_bad_lead_in_a_batch_changes_no_state() {
    let mut n = net(&[p("A"), p("B")]);
    let before = n.export_state();
    let mut bad = lead("L2", "US", "hydraulics", 1);
    bad.values[L_DEAL as usize] = text("lots");
    let short = leadrail_core::record::Record {
        id: Arc::from("L3"),
        values: vec![],
    };
    let out = basic().route_batch(
        &mut n,
        &[bad.clone(), short],
        Times::At(0),
        &RouteOptions::default(),
    );
    let e0 = out[0].as_ref().unwrap_err();
    assert_eq!(
        (e0.record.as_deref(), e0.field.as_deref()),
        (Some("L2"), Some("deal_size"))
    );
    assert_eq!(e0.code, "leadrail::data::invalid_field");
    let e1 = out[1].as_ref().unwrap_err();
    assert_eq!(
        (e1.record.as_deref(), e1.code.as_str()),
        (Some("L3"), "leadrail::data::invalid_record")
    );
    assert_eq!(n.export_state(), before);
    // mixed with good leads: the good ones are routed as if the bad one were absent
    let good = lead("L1", "US", "hydraulics", 1);
    let out = basic().route_batch(
        &mut n,
        &[good.clone(), bad, good],
        Times::At(0),
        &RouteOptions::default(),
    );
    assert_eq!(partner_of(out[0].as_ref().unwrap()), Some("A"));
    assert!(out[1].is_err());
    assert_eq!(partner_of(out[2].as_ref().unwrap()), Some("B"));
    let one = basic().route(
        &n,
        &lead("x", "US", "hydraulics", 1),
        0,
        &RouteOptions::default(),
    );
    assert!(one.is_ok());
    // missing instants
    let out = basic().route_batch(
        &mut n,
        &[lead("L9", "US", "hydraulics", 1)],
        Times::Each(&[]),
        &RouteOptions::default(),
    );
    assert_eq!(
        out[0].as_ref().unwrap_err().code,
        "leadrail::request::invalid"
    );
}

#[test]
fn prepared_batches_match_record_batches() {
    let mut ps = Vec::new();
    let terrs = ["US", "DE", "US-TX", "FR", "US except US-TX"];
    let lines = ["hydraulics", "lubricants", "pumps"];
    for i in 0..40 {
        let mut x = p(&format!("P{i:02}"));
        x.terr = vec![terrs[i % 5], terrs[(i * 7) % 5]];
        x.lines = vec![lines[i % 3]];
        x.cap = 2 + (i as i64 % 3);
        x.rate = (i % 7) as f64 / 7.0;
        ps.push(x);
    }
    let leads: Vec<_> = (0..200)
        .map(|i| {
            lead(
                &format!("L{i}"),
                ["US-TX", "DE", "FR", "US-CA", "IT"][i % 5],
                lines[i % 3],
                1,
            )
        })
        .collect();
    let e = basic();
    let mut n1 = net(&ps);
    let mut n2 = n1.clone();
    let t = Times::Step {
        start: 0,
        step: 1000,
    };
    let a = e.route_batch(&mut n1, &leads, t, &RouteOptions::default());
    let batch = e.prepare_leads(leads.clone());
    let b = e.route_prepared(&mut n2, &batch, t, &RouteOptions::default());
    assert_eq!(a, b);
    assert_eq!(n1.export_state(), n2.export_state());
    assert!(a.iter().any(|d| partner_of(d.as_ref().unwrap()).is_none()));
    assert!(a.iter().any(|d| partner_of(d.as_ref().unwrap()).is_some()));
    // explained decisions pick the same partners
    let mut n3 = net(&ps);
    let c = e.route_batch(
        &mut n3,
        &leads,
        t,
        &RouteOptions {
            explain: true,
            exclude: vec![],
        },
    );
    for (x, y) in a.iter().zip(&c) {
        assert_eq!(x.as_ref().unwrap().outcome, y.as_ref().unwrap().outcome);
    }
}

#[test]
fn engine_rejects_plans_with_unknown_fields() {
    let r = rule(
        "r",
        vec![req(
            cmp(
                CmpOp::Eq,
                Expr::Field(Scope::Partner, 99),
                Expr::Lit(Value::Int(1)),
            ),
            "x",
            false,
        )],
        None,
        Else::Next,
    );
    let err = Engine::new(Arc::new(plan(vec![r], Fallback::Unrouted))).unwrap_err();
    assert_eq!(
        err.to_string(),
        "rule `r` refers to partner field #99, which the partner schema does not declare"
    );
}
