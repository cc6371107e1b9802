//! `registration` declarations: what they lower to, and the plan exposing them.

// Tests may unwrap, index and panic: a failure is the test failing.
#![expect(clippy::panic, reason = "test code")]

use leadrail_core::dealreg::{LeadConflict, Outcome, Policy};

const HEAD: &str = r#"ruleset "deals" version 1
schema lead    { region: region, company: text, contact_email: text? }
schema partner { territories: set<region> }
route "territory" { require partner.territories covers lead.region }
fallback queue "inside-sales"
"#;

fn policies(body: &str) -> Vec<Policy> {
    let src = format!("{HEAD}{body}");
    match leadrail_dsl::compile(&src, "deals.rail") {
        Ok(c) => c.plan.registrations,
        Err(e) => panic!("{:?}", e.reports()),
    }
}

#[test]
fn every_entry_lowers_to_the_policy() {
    let p = policies(
        r#"registration "default" {
  match name >= 0.92
  match domain
  match postal and name >= 70%
  match email
  require product_lines overlap
  check registrations, leads
  protect 60d extend 2w max 3
  on clear_conflict review
  on possible_duplicate approve
  on lead_conflict holder else queue "deal-desk"
}"#,
    );
    let want = Policy {
        name: "default".into(),
        name_threshold: 0.92,
        postal_name_threshold: 0.7,
        match_domain: true,
        match_email: true,
        require_product_overlap: true,
        check_registrations: true,
        check_accounts: false,
        check_leads: true,
        protection_days: 60,
        extension_days: 14,
        max_extensions: 3,
        clear_conflict: Outcome::Review,
        possible_duplicate: Outcome::AutoApprove,
        lead_conflict: LeadConflict::Holder {
            otherwise: Some("deal-desk".into()),
        },
    };
    assert_eq!(p, vec![want]);
}

#[test]
fn a_policy_matches_by_what_it_says_and_defaults_the_rest() {
    let p = policies(
        r#"registration "domains only" { match domain }
registration "names" { match name >= 1  protect 30d  on lead_conflict queue "review" }"#,
    );
    assert_eq!(p.len(), 2);
    let (a, b) = (&p[0], &p[1]);
    assert_eq!(a.name, "domains only");
    assert!(a.match_domain && !a.match_email && !a.require_product_overlap);
    assert!(
        a.name_threshold > 1.0 && a.postal_name_threshold > 1.0,
        "name rules off"
    );
    assert!(a.check_registrations && a.check_accounts && a.check_leads);
    assert_eq!(
        (a.protection_days, a.extension_days, a.max_extensions),
        (90, 30, 1)
    );
    assert_eq!(
        (a.clear_conflict, a.possible_duplicate),
        (Outcome::Reject, Outcome::Review)
    );
    assert_eq!(a.lead_conflict, LeadConflict::Flag);
    assert_eq!(b.name_threshold, 1.0);
    assert_eq!(
        (b.protection_days, b.extension_days, b.max_extensions),
        (30, 0, 0)
    );
    assert_eq!(b.lead_conflict, LeadConflict::Queue("review".into()));
}

#[test]
fn the_plan_picks_a_policy_by_name_and_keeps_its_serde_form() {
    let src = format!(
        "{HEAD}registration \"a\" {{ match domain }}\nregistration \"b\" {{ match email }}\n"
    );
    let plan = leadrail_dsl::compile(&src, "x.rail").unwrap().plan;
    assert!(plan.registration(Some("b")).unwrap().match_email);
    assert!(plan.registration(None).unwrap().match_domain);
    assert_eq!(plan.registration(Some("c")), None);
    let json = serde_json::to_string(&plan).unwrap();
    let back: leadrail_core::Plan = serde_json::from_str(&json).unwrap();
    assert_eq!(back.registrations, plan.registrations);
    // a plan without policies serialises as before (no `registrations` key) and checks with
    // the default policy
    let plain = leadrail_dsl::compile(HEAD, "x.rail").unwrap().plan;
    assert!(!serde_json::to_string(&plain)
        .unwrap()
        .contains("registrations"));
    assert_eq!(plain.registration(None), Some(Policy::default()));
}

#[test]
fn errors_point_at_the_word_with_a_code_and_a_hint() {
    let src = format!("{HEAD}registration \"d\" {{\n  match name >= 1.2\n  check acounts\n}}\n");
    let err = leadrail_dsl::compile(&src, "x.rail").unwrap_err();
    let r = err.reports();
    let got: Vec<(&str, u32, u32)> = r
        .iter()
        .map(|r| (r.code.as_str(), r.line, r.column))
        .collect();
    assert_eq!(
        got,
        [
            ("leadrail::registration::invalid_policy", 7, 17),
            ("leadrail::registration::unknown_name", 8, 9)
        ]
    );
    assert_eq!(r[1].help.as_deref(), Some("did you mean `accounts`?"));
    assert_eq!(r[0].file.as_deref(), Some("x.rail"));
}
