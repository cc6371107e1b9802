//! Property tests of routing invariants.
#![expect(clippy::indexing_slicing, clippy::unwrap_used, reason = "test helpers")]

mod engine_support;

use std::collections::HashMap;
use std::sync::Arc;

use engine_support::*;
use leadrail_core::network::Network;
use leadrail_core::plan::{CmpOp, Else, Expr, Fallback, Scope};
use leadrail_core::route::{Engine, Outcome, RouteOptions, Times};
use leadrail_core::value::Value;
use proptest::prelude::*;

const TERRS: [&str; 5] = ["US", "US-TX", "DE", "US except US-TX", "FR"];
const REGIONS: [&str; 5] = ["US-TX", "US-CA", "DE", "FR", "IT"];
const LINES: [&str; 3] = ["hydraulics", "lubricants", "pumps"];
const STATUS: [&str; 3] = ["active", "active", "paused"];
const TIERS: [&str; 3] = ["gold", "silver", "bronze"];

#[derive(Debug, Clone)]
struct Gen {
    terr: Vec<usize>,
    lines: Vec<usize>,
    status: usize,
    tier: usize,
    cap: i64,
    active: i64,
    rate: u8,
}

fn partner_strategy() -> impl Strategy<Value = Gen> {
    (
        proptest::collection::vec(0..5usize, 1..3),
        proptest::collection::vec(0..3usize, 1..3),
        0..3usize,
        0..3usize,
        0..4i64,
        0..3i64,
        0..4u8,
    )
        .prop_map(|(terr, lines, status, tier, cap, active, rate)| Gen {
            terr,
            lines,
            status,
            tier,
            cap,
            active,
            rate,
        })
}

fn build(gs: &[Gen]) -> Vec<P> {
    gs.iter()
        .enumerate()
        .map(|(i, g)| {
            let mut x = p(&format!("P{i:02}"));
            let mut t: Vec<&'static str> = g.terr.iter().map(|i| TERRS[*i]).collect();
            t.sort();
            t.dedup();
            x.terr = t;
            let mut l: Vec<&'static str> = g.lines.iter().map(|i| LINES[*i]).collect();
            l.sort();
            l.dedup();
            x.lines = l;
            x.status = STATUS[g.status];
            x.tier = TIERS[g.tier];
            x.cap = g.cap;
            x.active = g.active;
            x.rate = f64::from(g.rate) / 4.0;
            x
        })
        .collect()
}

fn the_engine(balance: bool) -> Engine {
    let tier_ok = req(
        Expr::Or(vec![
            cmp(
                CmpOp::Lt,
                Expr::Field(Scope::Lead, L_DEAL),
                Expr::Lit(Value::Int(1000)),
            ),
            cmp(
                CmpOp::Eq,
                Expr::Field(Scope::Partner, P_TIER),
                Expr::Lit(sym("gold")),
            ),
        ]),
        "lead.deal_size < 1000 or partner.tier == gold",
        false,
    );
    let mut r = rule(
        "main",
        vec![covers(), sells(), tier_ok],
        Some(rank_rate()),
        Else::Next,
    );
    r.balance = balance;
    let r2 = rule("any line", vec![covers()], None, Else::Queue("q".into()));
    Engine::new(Arc::new(plan(vec![r, r2], Fallback::Unrouted))).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn decisions_respect_requires_guards_and_capacity(
        gs in proptest::collection::vec(partner_strategy(), 0..25),
        ls in proptest::collection::vec((0..5usize, 0..3usize, prop_oneof![Just(10i64), Just(5000i64)]), 0..60),
        balance in any::<bool>(),
    ) {
        let ps = build(&gs);
        let leads: Vec<_> = ls.iter().enumerate()
            .map(|(i, (r, l, d))| lead(&format!("L{i}"), REGIONS[*r], LINES[*l], *d)).collect();
        let e = the_engine(balance);
        let mut n = Network::new(&partner_schema(), ps.iter().map(P::rec).collect()).unwrap();
        let n0 = n.clone();
        let t = Times::Step { start: 1_000, step: 1_000 };
        let out = e.route_batch(&mut n, &leads, t, &RouteOptions::default());
        let mut active: HashMap<String, i64> = ps.iter().map(|x| (x.id.clone(), x.active)).collect();
        for (i, d) in out.iter().enumerate() {
            let d = d.as_ref().unwrap();
            let (r, l, deal) = ls[i];
            if let Outcome::Partner { id } = &d.outcome {
                let x = ps.iter().find(|x| x.id == **id).unwrap();
                let a = active.get_mut(&x.id).unwrap();
                prop_assert_eq!(x.status, "active");
                prop_assert!(*a < x.cap, "at capacity");
                let reg = code(REGIONS[r]);
                prop_assert!(x.terr.iter().any(|t| terr(t).covers(&reg)));
                if d.rule.as_deref() == Some("main") {
                    prop_assert!(x.lines.contains(&LINES[l]));
                    prop_assert!(deal < 1000 || x.tier == "gold");
                }
                prop_assert_eq!(d.state_read.as_ref().unwrap().active_leads, *a);
                *a += 1;
            }
        }
        // same input, same decisions; prepared path and explained path agree
        let mut n2 = n0.clone();
        prop_assert_eq!(&out, &e.route_batch(&mut n2, &leads, t, &RouteOptions::default()));
        let mut n3 = n0.clone();
        let batch = e.prepare_leads(leads.clone());
        prop_assert_eq!(&out, &e.route_prepared(&mut n3, &batch, t, &RouteOptions::default()));
        prop_assert_eq!(n.export_state(), n3.export_state());
        let mut n4 = n0.clone();
        let ex = e.route_batch(&mut n4, &leads, t, &RouteOptions { explain: true, exclude: vec![] });
        for (a, b) in out.iter().zip(&ex) {
            let (a, b) = (a.as_ref().unwrap(), b.as_ref().unwrap());
            prop_assert_eq!(&a.outcome, &b.outcome);
            prop_assert_eq!(&a.state_read, &b.state_read);
            let x = b.explanation.as_ref().unwrap();
            if let Outcome::Partner { id } = &a.outcome {
                if a.rule.as_deref() == Some("main") {
                    prop_assert_eq!(&x.candidates[0].partner, id);
                }
            }
        }
    }

    #[test]
    fn round_robin_among_equals_differs_by_at_most_one(k in 1..7usize, m in 0..60usize, start in 0..5usize) {
        let ps: Vec<P> = (0..k).map(|i| { let mut x = p(&format!("P{i}")); x.cap = 1000; x }).collect();
        let mut n = Network::new(&partner_schema(), ps.iter().map(P::rec).collect()).unwrap();
        let e = the_engine(false);
        let leads: Vec<_> = (0..m).map(|i| lead(&format!("L{i}"), "US-TX", "hydraulics", 10)).collect();
        // a warm-up prefix so the batch starts mid-rotation
        let warm: Vec<_> = (0..start).map(|i| lead(&format!("W{i}"), "US-TX", "hydraulics", 10)).collect();
        e.route_batch(&mut n, &warm, Times::At(0), &RouteOptions::default());
        let out = e.route_batch(&mut n, &leads, Times::Step { start: 10, step: 1 }, &RouteOptions::default());
        let mut counts: HashMap<String, usize> = ps.iter().map(|x| (x.id.clone(), 0)).collect();
        for d in &out {
            if let Outcome::Partner { id } = &d.as_ref().unwrap().outcome {
                *counts.get_mut(&**id).unwrap() += 1;
            }
        }
        let mx = counts.values().max().copied().unwrap_or(0);
        let mn = counts.values().min().copied().unwrap_or(0);
        prop_assert!(mx - mn <= 1, "{counts:?}");
        prop_assert_eq!(counts.values().sum::<usize>(), m);
    }
}
