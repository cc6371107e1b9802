//! proptest strategies for [`Scenario`]s (feature `proptest`, on by default): every index
//! within its table, so every value is used as drawn and shrinks to the tables' first entries.
//!
//! Most conditions and ranks are single atoms (the atom tables already hold the compound
//! shapes the engine compiles specially); the rest are trees of up to two levels of `and`,
//! `or`, `not` and arithmetic over them.

use proptest::prelude::*;

use crate::scenario::*;

fn index(table_len: usize) -> impl Strategy<Value = u8> + Clone {
    let n = u8::try_from(table_len).unwrap_or(u8::MAX).max(1);
    0..n
}

fn cond_over(
    inner: impl Strategy<Value = Cond> + Clone + 'static,
    leaf: impl Strategy<Value = Cond> + Clone + 'static,
) -> BoxedStrategy<Cond> {
    prop_oneof![
        5 => leaf,
        1 => (inner.clone(), inner.clone()).prop_map(|(a, b)| Cond::And(Box::new(a), Box::new(b))),
        1 => (inner.clone(), inner.clone()).prop_map(|(a, b)| Cond::Or(Box::new(a), Box::new(b))),
        1 => inner.prop_map(|a| Cond::Not(Box::new(a))),
    ]
    .boxed()
}

/// A condition over a table of `atoms` atoms.
pub fn cond(atoms: usize) -> BoxedStrategy<Cond> {
    let leaf = index(atoms).prop_map(Cond::Atom);
    let one = cond_over(leaf.clone(), leaf.clone());
    cond_over(one, leaf)
}

fn num_over(
    inner: impl Strategy<Value = Num> + Clone + 'static,
    leaf: impl Strategy<Value = Num> + Clone + 'static,
) -> BoxedStrategy<Num> {
    let pair = (inner.clone(), inner.clone());
    prop_oneof![
        5 => leaf,
        1 => pair.clone().prop_map(|(a, b)| Num::Add(Box::new(a), Box::new(b))),
        1 => pair.clone().prop_map(|(a, b)| Num::Sub(Box::new(a), Box::new(b))),
        1 => pair.clone().prop_map(|(a, b)| Num::Mul(Box::new(a), Box::new(b))),
        1 => pair.prop_map(|(a, b)| Num::Div(Box::new(a), Box::new(b))),
        1 => inner.prop_map(|a| Num::Neg(Box::new(a))),
    ]
    .boxed()
}

/// A rank.
pub fn num() -> BoxedStrategy<Num> {
    let leaf = prop_oneof![
        4 => index(NUM_ATOMS.len()).prop_map(Num::Atom),
        1 => index(CONSTS.len()).prop_map(Num::Const),
    ]
    .boxed();
    let one = num_over(leaf.clone(), leaf.clone());
    num_over(one, leaf)
}

/// A route rule: a `when` three times in four, zero to three requires, a rank seven times in
/// ten (without one, the tie-breaks decide).
pub fn rule() -> impl Strategy<Value = RuleSpec> {
    (
        prop::option::weighted(0.75, cond(LEAD_ATOMS.len())),
        prop::collection::vec(cond(REQUIRE_ATOMS.len()), 0..4),
        prop::option::weighted(0.7, num()),
        any::<bool>(),
        index(TIES.len()),
        index(ELSES.len()),
    )
        .prop_map(|(when, requires, rank, balance, tie, otherwise)| RuleSpec {
            when,
            requires,
            rank,
            balance,
            tie,
            otherwise,
        })
}

/// A partner.
pub fn partner() -> impl Strategy<Value = PartnerSpec> {
    (
        prop::collection::vec(index(TERRITORIES.len()), 0..3),
        prop::collection::vec(index(LINES.len()), 0..3),
        prop::collection::vec((index(LINES.len()), any::<bool>()), 0..3),
        (index(TIERS.len()), 0u8..5, 0u8..5, 0u8..5, 0u8..8),
        (
            any::<bool>(),
            prop::option::of(index(POINTS.len())),
            prop::option::of(0..PARENTS),
        ),
        (0u8..4, prop::option::of(index(INSTANTS.len()))),
    )
        .prop_map(
            |(
                territories,
                lines,
                certs,
                (tier, capacity, active_leads, rate, n),
                (active, loc, parent),
                (weight, last),
            )| {
                PartnerSpec {
                    territories,
                    lines,
                    certs,
                    tier,
                    capacity,
                    active_leads,
                    rate,
                    n,
                    active,
                    loc,
                    parent,
                    weight,
                    last,
                }
            },
        )
}

/// A lead.
pub fn lead() -> impl Strategy<Value = LeadSpec> {
    (
        index(REGIONS.len()),
        index(LINES.len()),
        index(SIZES.len()),
        prop::option::of(index(POINTS.len())),
        prop::option::of(index(TIERS.len())),
        prop::option::weighted(0.8, index(BUDGETS.len())),
        0u8..3,
    )
        .prop_map(|(region, line, size, loc, wanted, budget, gap)| LeadSpec {
            region,
            line,
            size,
            loc,
            wanted,
            budget,
            gap,
        })
}

/// A scenario: one to three rules, any fallback, up to 15 partners, one to 19 leads; no
/// two-tier network.
pub fn scenario() -> impl Strategy<Value = Scenario> {
    (
        prop::collection::vec(rule(), 1..MAX_RULES),
        index(FALLBACKS.len()),
        prop::collection::vec(partner(), 0..MAX_PARTNERS),
        prop::collection::vec(lead(), 1..MAX_LEADS),
    )
        .prop_map(|(rules, fallback, partners, leads)| Scenario {
            rules,
            fallback,
            partners,
            leads,
            hand_offs: false,
        })
}

/// A scenario on a two-tier network ([`Scenario::hand_offs`]): every rule ends `else parent`.
pub fn two_tier_scenario() -> impl Strategy<Value = Scenario> {
    scenario().prop_map(|s| Scenario {
        hand_offs: true,
        ..s
    })
}
