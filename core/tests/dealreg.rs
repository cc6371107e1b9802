//! Deal registration: matching rules, outcomes, protection, the index against a full scan, and
//! the properties of issue 13 (never conflicts with itself; approve then resubmit from another
//! partner conflicts; no conflict after expiry; the verdict does not depend on the registry's
//! order).

use leadrail_core::dealreg::registration::DAY_MS;
use leadrail_core::dealreg::{
    MatchRule, Outcome, Policy, RecordKind, Registration, Registry, Status, Verdict,
};
use proptest::prelude::*;

const NOW: i64 = 1_780_000_000_000;

fn reg(id: &str, partner: &str, company: &str) -> Registration {
    Registration::new(id, partner, company, NOW - DAY_MS)
}

fn approved(id: &str, partner: &str, company: &str) -> Registration {
    let mut r = reg(id, partner, company);
    r.approve(NOW - DAY_MS, &Policy::default());
    r
}

fn check(registry: &[Registration], deal: &Registration) -> Verdict {
    Registry::from_records(registry.iter().cloned()).check(deal, NOW, &Policy::default())
}

#[test]
fn name_match_with_protected_registration_rejects_and_explains() {
    let v = check(
        &[approved("r1", "p1", "Robert Bosch GmbH")],
        &reg("d1", "p2", "ROBERT BOSCH G.m.b.H."),
    );
    assert_eq!(v.outcome, Outcome::Reject);
    assert_eq!(v.holder.as_deref(), Some("p1"));
    assert_eq!(v.normalized, "robert bosch");
    let c = &v.conflicts[0];
    assert_eq!((c.id.as_str(), c.rule), ("r1", MatchRule::Name));
    assert_eq!(c.normalized, "robert bosch");
    assert_eq!(c.name.score, 1.0);
    assert!(
        v.reason
            .contains("name match with protected registration `r1` of `p1`"),
        "{}",
        v.reason
    );
}

#[test]
fn no_conflict_auto_approves() {
    let v = check(
        &[approved("r1", "p1", "Siemens AG")],
        &reg("d1", "p2", "Siemens Energy AG"),
    );
    assert_eq!(v.outcome, Outcome::AutoApprove);
    assert_eq!(v.reason, "no conflict");
    assert!(v.conflicts.is_empty());
}

#[test]
fn domain_rule_and_free_mail() {
    let mut a = approved("r1", "p1", "Acme Holdings");
    a.domain = Some("https://www.acme-corp.com/".into());
    let mut d = reg("d1", "p2", "Totally Different Name");
    d.contact_email = Some("buyer@ACME-CORP.com".into());
    let v = check(&[a.clone()], &d);
    assert_eq!(v.outcome, Outcome::Reject);
    assert_eq!(v.conflicts[0].rule, MatchRule::Domain);
    assert_eq!(v.conflicts[0].domain.as_deref(), Some("acme-corp.com"));
    // gmail.com is never a company domain
    a.domain = Some("gmail.com".into());
    d.contact_email = Some("someone.else@gmail.com".into());
    assert_eq!(check(&[a], &d).outcome, Outcome::AutoApprove);
}

#[test]
fn postal_code_lowers_the_name_threshold_to_review() {
    let mut a = approved("r1", "p1", "Fourth Coffee");
    a.country = Some("US".into());
    a.postal_code = Some("98052".into());
    let mut d = reg("d1", "p2", "Fourth Street Coffee");
    let v = check(&[a.clone()], &d);
    assert_eq!(
        v.outcome,
        Outcome::AutoApprove,
        "0.8 is below the name threshold"
    );
    d.country = Some("us".into());
    d.postal_code = Some("98052 ".into());
    let v = check(&[a], &d);
    assert_eq!(v.outcome, Outcome::Review);
    assert_eq!(v.conflicts[0].rule, MatchRule::PostalName);
    assert_eq!(v.conflicts[0].postal.as_deref(), Some("US:98052"));
}

#[test]
fn product_lines_must_overlap() {
    let mut a = approved("r1", "p1", "Acme Inc");
    a.product_lines = vec!["hydraulics".into()];
    let mut d = reg("d1", "p2", "Acme Incorporated");
    d.product_lines = vec!["lubricants".into()];
    assert_eq!(check(&[a.clone()], &d).outcome, Outcome::AutoApprove);
    d.product_lines.push("Hydraulics".into());
    let v = check(&[a], &d);
    assert_eq!(v.outcome, Outcome::Reject);
    assert_eq!(v.conflicts[0].product_lines, ["hydraulics"]);
}

#[test]
fn accounts_leads_and_pending_registrations_ask_for_review() {
    let mut acct = reg("a1", "direct:jane", "Kone Corporation");
    acct.kind = RecordKind::Account;
    acct.status = Status::Approved;
    let mut lead = reg("l1", "p3", "Globex Corp");
    lead.kind = RecordKind::Lead;
    lead.contact_email = Some("Jane@globex.example".into());
    let pending = reg("r2", "p4", "Initech LLC");
    let v = check(&[acct], &reg("d1", "p2", "Kone Oyj"));
    assert_eq!(
        (v.outcome, v.conflicts[0].kind),
        (Outcome::Review, RecordKind::Account)
    );
    let mut d = reg("d2", "p2", "Someone Else Ltd");
    d.contact_email = Some("jane@GLOBEX.example".into());
    let v = check(&[lead], &d);
    assert_eq!(
        (v.outcome, v.conflicts[0].rule),
        (Outcome::Review, MatchRule::Domain)
    );
    assert!(v.conflicts[0].rules.contains(&MatchRule::Email));
    assert_eq!(v.holder.as_deref(), Some("p3"));
    assert_eq!(
        check(&[pending], &reg("d3", "p2", "Initech, L.L.C.")).outcome,
        Outcome::Review
    );
    let p = Policy {
        check_accounts: false,
        ..Policy::default()
    };
    let mut acct = reg("a1", "direct:jane", "Kone Corporation");
    acct.kind = RecordKind::Account;
    acct.status = Status::Approved;
    let v = Registry::from_records([acct]).check(&reg("d1", "p2", "Kone Oyj"), NOW, &p);
    assert_eq!(v.outcome, Outcome::AutoApprove);
}

#[test]
fn same_partner_closed_and_expired_records_do_not_conflict() {
    let own = approved("r1", "p2", "Acme Inc");
    let mut won = approved("r2", "p1", "Acme Inc");
    won.status = Status::Won;
    let mut old = reg("r3", "p1", "Acme Inc");
    old.approve(NOW - 200 * DAY_MS, &Policy::default());
    let v = check(&[own, won, old], &reg("d1", "p2", "ACME, Incorporated"));
    assert_eq!(v.outcome, Outcome::AutoApprove, "{v:?}");
}

#[test]
fn a_typo_in_a_long_word_still_conflicts() {
    let v = check(
        &[approved("r1", "p1", "Accenture plc")],
        &reg("d1", "p2", "Acenture"),
    );
    assert_eq!(v.outcome, Outcome::Reject);
    assert!(v.conflicts[0].name.score > 0.95);
    // in a short word it is another company
    let v = check(
        &[approved("r1", "p1", "Bayer AG")],
        &reg("d1", "p2", "Bauer AG"),
    );
    assert_eq!(v.outcome, Outcome::AutoApprove);
}

#[test]
fn index_finds_words_written_apart() {
    // "river" and "side" are rare, "logistics" common: the index probes the rare words and
    // must find "Riverside" through the joined pair
    let mut recs = vec![approved("r1", "p1", "Riverside Logistic")];
    for i in 0..20 {
        recs.push(approved(&format!("x{i}"), "p1", &format!("Logistics {i}")));
    }
    let v = check(&recs, &reg("d1", "p2", "River Side Logistics Co"));
    assert_eq!(v.outcome, Outcome::Reject, "{v:?}");
    assert_eq!(v.conflicts[0].id, "r1");
}

#[test]
fn registry_add_replace_remove_expire() {
    let mut r = Registry::new();
    r.insert(approved("r1", "p1", "Acme Inc"));
    r.insert(approved("r2", "p1", "Globex"));
    assert_eq!(r.len(), 2);
    // replacing r1 by another company drops its old keys
    r.insert(approved("r1", "p1", "Initech"));
    assert_eq!(r.len(), 2);
    let p = Policy::default();
    assert_eq!(
        r.check(&reg("d", "p2", "Acme Inc"), NOW, &p).outcome,
        Outcome::AutoApprove
    );
    assert_eq!(
        r.check(&reg("d", "p2", "Initech"), NOW, &p).outcome,
        Outcome::Reject
    );
    assert!(r.remove("r1").is_some());
    assert_eq!(
        r.check(&reg("d", "p2", "Initech"), NOW, &p).outcome,
        Outcome::AutoApprove
    );
    assert_eq!(r.expire_due(NOW), Vec::<String>::new());
    let later = NOW + 90 * DAY_MS;
    assert_eq!(r.expire_due(later), ["r2"]);
    assert_eq!(r.get("r2").map(|x| x.status), Some(Status::Expired));
    assert_eq!(
        r.check(&reg("d", "p2", "Globex"), later, &p).outcome,
        Outcome::AutoApprove
    );
}

#[test]
fn verdict_json_form() {
    let v = check(
        &[approved("r1", "p1", "Acme Inc")],
        &reg("d1", "p2", "Acme Corp"),
    );
    let j = serde_json::to_value(&v).unwrap_or_default();
    assert_eq!(j["outcome"], "reject");
    assert_eq!(j["conflicts"][0]["rule"], "name");
    assert_eq!(j["conflicts"][0]["name"]["score"], 1.0);
    assert_eq!(j["conflicts"][0]["name"]["words"][0]["a"], "acme");
    let back: Verdict = serde_json::from_value(j).unwrap_or_else(|_| v.clone());
    assert_eq!(back.conflicts.len(), v.conflicts.len());
}

// ---- properties ----

const WORDS: [&str; 27] = [
    "riverside",
    "greenleaf",
    "northstar",
    "acme",
    "global",
    "north",
    "star",
    "bosch",
    "müller",
    "schäfer",
    "river",
    "side",
    "tech",
    "systems",
    "logistics",
    "pacific",
    "ромашка",
    "αθηνά",
    "green",
    "leaf",
    "summit",
    "eagle",
    "accenture",
    "holdings",
    "group",
    "of",
    "international",
];
const FORMS: [&str; 10] = [
    "",
    " Inc",
    " GmbH",
    " S.p.A.",
    " Ltd.",
    " & Co. KG",
    " LLC",
    " ООО",
    " Oyj",
    " AB",
];

fn name() -> impl Strategy<Value = String> {
    (
        prop::collection::vec(prop::sample::select(&WORDS[..]), 1..4),
        prop::sample::select(&FORMS[..]),
    )
        .prop_map(|(w, f)| format!("{}{f}", w.join(" ")))
}

/// A variation of a name: case, punctuation, a legal form, a typo.
fn vary(name: &str, how: u8) -> String {
    match how % 5 {
        0 => name.to_uppercase(),
        1 => name.replace(' ', "-"),
        2 => format!("{name}, Inc."),
        3 => {
            let mut s: Vec<char> = name.chars().collect();
            if s.len() > 8 {
                s.remove(s.len() / 2);
            }
            s.into_iter().collect()
        }
        _ => name.to_owned(),
    }
}

fn record() -> impl Strategy<Value = Registration> {
    (
        0u32..6,
        name(),
        0u8..5,
        0u8..4,
        prop::option::of(0u8..3),
        prop::option::of(0u8..3),
        0u8..4,
    )
        .prop_map(|(p, n, how, status, dom, zip, kind)| {
            let mut r = Registration::new("", &format!("p{p}"), &vary(&n, how), NOW - 2 * DAY_MS);
            r.domain = dom.map(|d| format!("www.d{d}.com"));
            r.country = Some("DE".into());
            r.postal_code = zip.map(|z| format!("8033{z}"));
            r.kind = match kind {
                0 => RecordKind::Account,
                1 => RecordKind::Lead,
                _ => RecordKind::Registration,
            };
            match status {
                0 => r.approve(NOW - 100 * DAY_MS, &Policy::default()),
                1 => r.approve(NOW - DAY_MS, &Policy::default()),
                2 => r.status = Status::Lost,
                _ => {}
            }
            r
        })
}

fn registry() -> impl Strategy<Value = Vec<Registration>> {
    prop::collection::vec(record(), 0..40).prop_map(|mut v| {
        for (i, r) in v.iter_mut().enumerate() {
            r.id = format!("r{i}");
        }
        v
    })
}

fn policies() -> impl Strategy<Value = Policy> {
    (0.6f64..1.0, 0.4f64..0.9, any::<bool>()).prop_map(|(t, pt, overlap)| Policy {
        name_threshold: t,
        postal_name_threshold: pt,
        require_product_overlap: overlap,
        ..Policy::default()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn index_finds_what_a_full_scan_finds(recs in registry(), deal in record(), policy in policies()) {
        let r = Registry::from_records(recs);
        let mut deal = deal;
        deal.id = "deal".into();
        prop_assert_eq!(r.check(&deal, NOW, &policy), r.check_exhaustive(&deal, NOW, &policy));
    }

    #[test]
    fn never_conflicts_with_itself(recs in registry(), i in any::<prop::sample::Index>()) {
        prop_assume!(!recs.is_empty());
        let me = recs[i.index(recs.len())].clone();
        let r = Registry::from_records(recs);
        let v = r.check(&me, NOW, &Policy::default());
        prop_assert!(v.conflicts.iter().all(|c| c.id != me.id));
    }

    #[test]
    fn approved_then_resubmitted_by_another_partner_conflicts(
        recs in registry(), deal in record(), how in prop::sample::select(vec![0u8, 1, 2, 4]),
    ) {
        let mut r = Registry::from_records(recs);
        let policy = Policy::default();
        let mut deal = deal;
        deal.id = "deal".into();
        deal.kind = RecordKind::Registration;
        deal.status = Status::Pending;
        deal.partner = "first".into();
        let mut again = deal.clone();
        again.id = "again".into();
        again.partner = "second".into();
        again.company = vary(&deal.company, how);
        r.remove("deal");
        deal.approve(NOW, &policy);
        r.insert(deal.clone());
        let v = r.check(&again, NOW, &policy);
        // the same deal, re-cased, re-punctuated or with a legal form added, is a clear
        // conflict with the protected registration
        prop_assert_eq!(v.outcome, Outcome::Reject);
        prop_assert!(v.conflicts.iter().any(|c| c.id == "deal" && c.outcome == Outcome::Reject));
        // after its protection ends (and once expired) it conflicts no more
        let end = deal.protected_until.unwrap_or(NOW);
        let after = r.check(&again, end, &policy);
        prop_assert!(after.conflicts.iter().all(|c| c.id != "deal"));
        r.expire_due(end);
        let after = r.check(&again, end + 1, &policy);
        prop_assert!(after.conflicts.iter().all(|c| c.id != "deal"));
    }

    #[test]
    fn verdict_does_not_depend_on_registry_order(
        recs in registry(), deal in record(), seed in any::<u64>(),
    ) {
        let mut deal = deal;
        deal.id = "deal".into();
        let mut shuffled = recs.clone();
        // a deterministic shuffle from the seed
        let mut s = seed | 1;
        for i in (1..shuffled.len()).rev() {
            s ^= s << 13; s ^= s >> 7; s ^= s << 17;
            shuffled.swap(i, (s % (i as u64 + 1)) as usize);
        }
        let p = Policy::default();
        prop_assert_eq!(
            Registry::from_records(recs).check(&deal, NOW, &p),
            Registry::from_records(shuffled).check(&deal, NOW, &p)
        );
    }
}
