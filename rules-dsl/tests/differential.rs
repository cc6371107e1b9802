//! Differential test: the indexed, compiled engine (`leadrail_core::route::Engine`) and the naive
//! reference evaluator over the AST (`leadrail_testkit::reference`) give the same decisions, lead
//! by lead, over whole batches (so state updates — workload and round-robin recency — must agree
//! too), on random networks, leads and rules drawn from every routing construct.
//!
//! The scenarios (`leadrail_testkit::scenario`, shared with the fuzz target
//! `engine_vs_reference`) are built to hit the hard cases: many ties (few distinct rates and
//! instants), missing optional values (Kleene nulls), zero weights and capacities, territories
//! with exclusions and postal prefixes, expired certifications, parents that are absent or
//! paused, exact decimals equal to an integer. `leadrail_testkit::assert_engine_agrees` routes
//! each with every engine path (records, prepared, compact with and without explanations) and
//! with the reference.
#![expect(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test code"
)]

use leadrail_testkit::scenario::SCHEMAS;
use leadrail_testkit::{assert_engine_agrees, strategy, Case, Scenario};
use proptest::prelude::*;
use serde_json::{json, Value as Json};

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn engine_agrees_with_the_reference_evaluator(scenario in strategy::scenario()) {
        assert_engine_agrees(&case(&scenario));
    }

    /// Every rule ends `else parent` on a network whose partners' parents are partners: the
    /// parent hand-offs that the scenarios above seldom reach.
    #[test]
    fn engine_agrees_with_the_reference_on_two_tier_networks(
        scenario in strategy::two_tier_scenario(),
    ) {
        assert_engine_agrees(&case(&scenario));
    }
}

fn case(scenario: &Scenario) -> Case {
    scenario.case().unwrap_or_else(|e| {
        panic!(
            "generated rules do not compile: {e}\n{}",
            scenario.rules_text()
        )
    })
}

/// The bundled example, routed by both: the realistic rule file exercises every construct
/// together on data nobody tuned for this test.
#[test]
fn engine_agrees_with_the_reference_on_the_bundled_example() {
    let case = Case::bundled_example();
    let agreed = assert_engine_agrees(&case);
    assert!(
        agreed.to_partner > agreed.leads / 2,
        "the example routes most leads to partners"
    );
}

// Regressions: the cases proptest once shrank failures to (kept as explicit cases because the
// seeds it saved replay other values now that the scenarios are shared with the fuzz target).

/// A partner with everything empty or zero but its capacity and rate; `active`.
fn partner(capacity: i64, n: i64, rate: f64, tier: &str) -> Json {
    json!({
        "territories": [], "lines": [], "certs": {}, "tier": tier, "capacity": capacity,
        "active_leads": 0, "rate": rate, "n": n, "status": "active", "loc": null,
        "parent": null, "weight": 0, "last_assigned_at": null,
    })
}

/// Routes `n` identical leads (region `US`, line `l1`, the given size, one instant) through one
/// rule with the given clauses and `fallback queue "fb"`.
fn regression(clauses: &str, partners: Vec<Json>, size: i64, n: usize) {
    let text = format!("{SCHEMAS}route \"r0\" {{\n{clauses}}}\nfallback queue \"fb\"\n");
    let partners: Vec<Json> = partners
        .into_iter()
        .enumerate()
        .map(|(i, mut p)| {
            p["id"] = json!(format!("P{i:02}"));
            p
        })
        .collect();
    let leads: Vec<(Json, i64)> = (0..n)
        .map(|i| {
            let lead = json!({"id": format!("L{i:02}"), "region": "US", "line": "l1",
                              "size": size, "loc": null, "wanted": null});
            (lead, leadrail_testkit::scenario::NOW0)
        })
        .collect();
    assert_engine_agrees(&Case::from_json(&text, &partners, &leads).unwrap());
}

#[test]
fn regression_no_rank_two_leads_at_one_instant() {
    let partners = vec![partner(3, 0, 0.0, "gold"), partner(2, 0, 0.0, "gold")];
    regression("", partners, 50, 2);
}

#[test]
fn regression_rank_by_an_int_field() {
    let partners = vec![partner(2, 2, 0.0, "gold"), partner(1, 0, 0.0, "gold")];
    regression("  rank partner.n\n", partners, 50, 1);
}

#[test]
fn regression_rank_over_the_workload_state() {
    let partners = vec![partner(1, 0, 0.25, "gold"), partner(4, 0, 0.5, "gold")];
    regression(
        "  rank partner.rate - partner.active_leads / partner.capacity\n",
        partners,
        50,
        2,
    );
}

#[test]
fn regression_lead_part_or_partner_rest() {
    let partners = vec![partner(1, 0, 0.0, "silver")];
    regression(
        "  require lead.size < 5000 or partner.tier == gold\n",
        partners,
        5000,
        1,
    );
}

#[test]
fn regression_rank_with_smoothing() {
    let partners = vec![partner(3, 3, 0.0, "gold"), partner(2, 0, 0.0, "gold")];
    regression(
        "  rank 0.5 * partner.rate + 0.5 * smoothed(partner.rate, partner.n)\n",
        partners,
        50,
        1,
    );
}

/// The scenarios the proptests above draw reach every way a lead is decided: a rule choosing a
/// partner (separated from the runner-up by each of the five tie-breaks), a rule's `else queue`
/// and `else parent`, `else next` into a later rule, the fallback queue and unrouted. Counted on
/// the engine's explanations over 200 scenarios of each strategy, from a fixed seed.
#[test]
fn scenarios_reach_every_routing_path() {
    use std::collections::BTreeMap;
    use std::sync::Arc;

    use leadrail_core::network::Network;
    use leadrail_core::route::{Engine, Outcome, RouteOptions, RuleOutcome, Times};
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;

    let mut runner = TestRunner::deterministic();
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let plain = strategy::scenario();
    let two_tier = strategy::two_tier_scenario();
    for i in 0..400 {
        let scenario = match i % 2 {
            0 => plain.new_tree(&mut runner).unwrap().current(),
            _ => two_tier.new_tree(&mut runner).unwrap().current(),
        };
        let case = case(&scenario);
        let engine = Engine::new(Arc::clone(&case.plan)).unwrap();
        let mut network = Network::for_plan(&case.plan, case.partners.clone()).unwrap();
        let opts = RouteOptions {
            explain: true,
            ..RouteOptions::default()
        };
        let decisions =
            engine.route_batch(&mut network, &case.leads, Times::Each(&case.times), &opts);
        for d in decisions {
            let d = d.unwrap();
            let why = d.explanation.unwrap();
            let mut count = |path: String| *seen.entry(path).or_default() += 1;
            if why.rules.iter().any(|r| r.outcome == RuleOutcome::Next) {
                count("a rule passed the lead on".into());
            }
            let last = why.rules.last().map(|r| r.outcome);
            match (&d.outcome, d.rule.as_deref(), last) {
                (Outcome::Partner { .. }, _, Some(RuleOutcome::Parent)) => {
                    count("else parent".into())
                }
                (Outcome::Partner { .. }, _, _) => count(match why.tie_break {
                    Some(t) => format!("a partner by {t}"),
                    None => "a partner, the only candidate".into(),
                }),
                (Outcome::Queue { .. }, Some("fallback"), _) => count("fallback queue".into()),
                (Outcome::Queue { .. }, _, _) => count("else queue".into()),
                (Outcome::Unrouted, _, _) => count("unrouted".into()),
            }
        }
    }
    let paths = [
        "a rule passed the lead on",
        "a partner, the only candidate",
        "a partner by score",
        "a partner by workload",
        "a partner by weighted round robin",
        "a partner by least recently assigned",
        "a partner by id",
        "else parent",
        "else queue",
        "fallback queue",
        "unrouted",
    ];
    for path in paths {
        let n = seen.get(path).copied().unwrap_or(0);
        assert!(n >= 10, "{path}: {n} leads in 400 scenarios ({seen:?})");
    }
    assert_eq!(seen.len(), paths.len(), "{seen:?}");
}
