//! `covers` truth table (hierarchy, postal prefixes, exclusions) and the region-key walk.
#![expect(clippy::unwrap_used, reason = "tests fail loudly")]

use leadrail_core::geo::{RegionCode, RegionInterner, RegionKey, Territory};
use proptest::prelude::*;

fn r(s: &str) -> RegionCode {
    s.parse().unwrap()
}

fn t(s: &str) -> Territory {
    s.parse().unwrap()
}

const CASES: &[(&str, &str, bool)] = &[
    // country > subdivision
    ("US", "US", true),
    ("US", "US-TX", true),
    ("US", "US-TX:75001", true),
    ("US", "CA-QC", false),
    ("US-TX", "US", false),
    ("US-TX", "US-TX", true),
    ("US-TX", "US-CA", false),
    ("US-TX", "US-TX:750", true),
    // ISO hierarchy
    ("GB-ENG", "GB-KEC", true),
    ("GB", "GB-KEC", true),
    ("GB-KEC", "GB-ENG", false),
    ("GB-SCT", "GB-KEC", false),
    ("FR-IDF", "FR-75C", true),
    ("FR-ARA", "FR-75C", false),
    ("GB-ENG:SW3", "GB-KEC:SW34AB", true),
    // postal prefixes
    ("DE:80", "DE-BY:80331", true),
    ("DE:80", "DE:80331", true),
    ("DE:80", "DE:81", false),
    ("DE:80", "DE-BY", false),
    ("DE:80", "DE", false),
    ("DE-BY:80", "DE:80331", false),
    ("DE-BY:80", "DE-BE:80331", false),
    ("US-TX:750", "US-TX:7501", true),
    ("US-TX:750", "US-TX:75", false),
    ("US-TX:750", "US-TX", false),
    ("US:750", "US-TX:75001", true),
    ("US-TX", "US:75001", false),
    // exclusions
    ("US except US-AK, US-HI", "US-TX", true),
    ("US except US-AK, US-HI", "US-AK", false),
    ("US except US-AK, US-HI", "US-HI:967", false),
    ("US except US-AK, US-HI", "US", true),
    ("US except US-AK, US-HI", "CA", false),
    ("GB except GB-ENG", "GB-KEC", false),
    ("GB except GB-ENG", "GB-SCT", true),
    ("DE except DE:80", "DE-BY:80331", false),
    ("DE except DE:80", "DE-BY:81", true),
    ("DE except DE:80", "DE-BY", true),
    ("US-TX:75 except US-TX:750", "US-TX:751", true),
    ("US-TX:75 except US-TX:750", "US-TX:7509", false),
];

#[test]
fn covers_truth_table() {
    for &(territory, region, expected) in CASES {
        let tt = t(territory);
        let rr = r(region);
        assert_eq!(tt.covers(&rr), expected, "{territory} covers {region}");
        if tt.except().is_empty() {
            assert_eq!(
                tt.region().covers(&rr),
                expected,
                "{territory} covers {region}"
            );
        }
    }
}

/// Reference: the keys in `ancestors(region)` are exactly the interned regions covering it.
fn check_walk(territories: &[&str], lead: &str) {
    let mut interner = RegionInterner::new();
    let keys: Vec<(RegionKey, RegionCode)> = territories
        .iter()
        .map(|s| {
            let rc = r(s);
            (interner.intern(&rc), rc)
        })
        .collect();
    let lead = r(lead);
    let walked: Vec<RegionKey> = interner.ancestors(&lead).collect();
    for (k, rc) in &keys {
        assert_eq!(walked.contains(k), rc.covers(&lead), "{rc} vs {lead}");
        assert_eq!(interner.resolve(*k).as_ref(), Some(rc));
        assert_eq!(interner.get(rc), Some(*k));
    }
    // No key appears twice, and every walked key's region covers the lead.
    let mut sorted = walked.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), walked.len());
    for k in &walked {
        assert!(interner.resolve(*k).unwrap().covers(&lead));
    }
}

#[test]
fn region_keys_walk_ancestors() {
    let territories = [
        "US",
        "US-TX",
        "US-TX:75",
        "US-TX:750",
        "US:75",
        "US-CA",
        "DE:80",
        "DE-BY:8",
        "GB-ENG",
        "GB-ENG:SW3",
        "GB-KEC",
        "GB-SCT",
    ];
    for lead in [
        "US-TX:75001",
        "US-TX",
        "US",
        "US:75001",
        "DE-BY:80331",
        "DE:80331",
        "GB-KEC:SW34AB",
        "GB-KEC",
        "FR-75C",
    ] {
        check_walk(&territories, lead);
    }
    // Most specific first: postal prefixes longest first, then the area, then up the ISO chain.
    let mut i = RegionInterner::new();
    let k75 = i.intern(&r("US-TX:75"));
    let k750 = i.intern(&r("US-TX:750"));
    let kus75 = i.intern(&r("US:75"));
    let walk: Vec<RegionKey> = i.ancestors(&r("US-TX:75001")).collect();
    let tx = i.get(&r("US-TX")).unwrap();
    let us = i.get(&r("US")).unwrap();
    assert_eq!(walk, vec![k750, k75, tx, kus75, us]);
    assert_eq!(i.postal_len(), 3);
    assert_eq!(i.intern(&r("us-tx:75")), k75);
    assert_eq!(i.get(&r("US-TX:7")), None);
}

fn region_strategy() -> impl Strategy<Value = String> {
    let areas = prop::sample::select(vec![
        "US", "US-TX", "US-CA", "GB", "GB-ENG", "GB-KEC", "GB-SCT", "FR", "FR-IDF", "FR-75C",
    ]);
    let postal = prop::option::of("[0-9]{1,4}");
    (areas, postal).prop_map(|(a, p)| match p {
        Some(p) => format!("{a}:{p}"),
        None => a.to_string(),
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]
    #[test]
    fn walk_matches_covers(
        territories in prop::collection::vec(region_strategy(), 1..12),
        lead in region_strategy(),
    ) {
        let refs: Vec<&str> = territories.iter().map(String::as_str).collect();
        check_walk(&refs, &lead);
    }

    #[test]
    fn display_round_trips(region in region_strategy()) {
        let rc = r(&region);
        prop_assert_eq!(r(&rc.to_string()), rc.clone());
        prop_assert_eq!(r(&region.to_lowercase()), rc);
    }
}
