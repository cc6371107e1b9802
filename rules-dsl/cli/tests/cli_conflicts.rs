//! `leadrail route --registry`: each lead checked against the deal-registration example's
//! registry and routed as its `on lead_conflict holder else queue "deal-desk"` says; the
//! conflict columns and objects exactly, the holder's assignment recorded in the state, a lead
//! sent again conflicting with the first, and a bad registry record naming its file and line.

mod cli_support;
use cli_support::{leadrail, tmp};

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn route(leads: &str, more: &[&str]) -> std::process::Output {
    let mut args = vec![
        "route",
        "--rules",
        "examples/dealreg/rules.rail",
        "--partners",
        "examples/dealreg/partners.csv",
        "--leads",
        leads,
        "--now",
        "2026-11-24T09:00:00Z",
    ];
    args.extend_from_slice(more);
    leadrail(&args)
}

const LEADS: &str = "examples/dealreg/leads.csv";
const REGISTRY: &str = "examples/dealreg/registry.csv";

#[test]
fn conflicts_route_to_the_holder_or_the_review_queue_and_are_shown() {
    // L1: Mueller Hydraulik is p1's protected registration (the rules would give it to p5);
    // L3: Globex is a CRM account of the direct team, not a partner: the deal desk; L4: the
    // contact e-mail's domain is p3's open lead; L5: Acme's protection ended: the rules; L6:
    // p2's pending registration; L7: Hooli again, which L2 gave p5 earlier in this run
    let o = route(LEADS, &["--registry", REGISTRY]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert_eq!(
        text(&o.stdout),
        "\
lead,outcome,target,rule,conflict,conflict_rule,holder,conflict_records
L1,partner,p1,lead conflict,registration,name,p1,r1
L2,partner,p5,territory,,,,
L3,queue,deal-desk,lead conflict,account,name,direct:jane,a1
L4,partner,p3,lead conflict,lead,domain,p3,l1
L5,partner,p5,territory,,,,
L6,partner,p2,lead conflict,registration,name,p2,r2
L7,partner,p5,lead conflict,lead,name,p5,L2
"
    );
    // without the registry: the rules alone, the columns of every `route`
    let o = route(LEADS, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert_eq!(
        text(&o.stdout),
        "\
lead,outcome,target,rule
L1,partner,p5,territory
L2,partner,p5,territory
L3,partner,p3,territory
L4,partner,p5,territory
L5,partner,p5,territory
L6,partner,p2,territory
L7,partner,p5,territory
"
    );
}

#[test]
fn json_lines_carry_cores_verdict_and_the_state_records_the_holder() {
    let state = tmp("conflicts-state.json", "");
    std::fs::remove_file(&state).unwrap();
    let jsonl = [
        "--registry",
        REGISTRY,
        "--format",
        "jsonl",
        "--state",
        &state,
    ];
    let o = route(LEADS, &jsonl);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let lines: Vec<serde_json::Value> = text(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        lines[0],
        serde_json::json!({
            "lead": "L1",
            "decision": {
                "outcome": {"kind": "partner", "id": "p1"},
                "rule": "lead conflict",
                "state_read": {"partner": "p1", "version": 0, "active_leads": 0, "last_assigned_at": null}
            },
            "conflict": {
                "id": "L1",
                "outcome": "reject",
                "reason": "name match with protected registration `r1` of `p1` (name score 1.000)",
                "normalized": "mueller hydraulik",
                "holder": "p1",
                "conflicts": [{
                    "id": "r1", "kind": "registration", "partner": "p1", "rule": "name",
                    "rules": ["name"], "outcome": "reject",
                    "name": {"score": 1.0, "words": [{"a": "mueller hydraulik", "b": "muller hydraulik", "score": 1.0}], "legal_conflict": false},
                    "normalized": "muller hydraulik", "product_lines": ["hydraulics"],
                    "protected_until": 1_798_704_000_000_i64
                }]
            }
        })
    );
    // a lead without conflict has no `conflict`
    assert_eq!(lines[1]["lead"], "L2");
    assert!(lines[1].get("conflict").is_none(), "{}", lines[1]);
    // the holder's assignment counts like any other: p1 holds one lead
    let st: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&state).unwrap()).unwrap();
    let p1 = &st["partners"][0];
    assert_eq!(
        (&p1["id"], &p1["active_leads"], &p1["version"]),
        (
            &serde_json::json!("p1"),
            &serde_json::json!(1),
            &serde_json::json!(1)
        )
    );
    // the next run reads the state: p1's version moved on
    let o = route(LEADS, &jsonl);
    let first: serde_json::Value =
        serde_json::from_str(text(&o.stdout).lines().next().unwrap()).unwrap();
    assert_eq!(first["decision"]["state_read"]["version"], 1);
}

#[test]
fn explain_and_error_rows_keep_the_conflict_columns() {
    let leads = tmp(
        "conflicts-leads.csv",
        "id,region,company,contact_email,product_line\nB1,nowhere,Kone,,elevators\nB2,FI,Kone Oyj,,elevators\n",
    );
    let o = route(&leads, &["--registry", REGISTRY, "--explain"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    let mut rows = out.lines();
    assert_eq!(
        rows.next(),
        Some("lead,outcome,target,rule,why,conflict,conflict_rule,holder,conflict_records")
    );
    let b1 = rows.next().unwrap();
    assert!(
        b1.starts_with("B1,error,,") && b1.ends_with(",,,,,"),
        "{b1}"
    );
    assert_eq!(
        rows.next(),
        Some("B2,partner,p2,lead conflict,,registration,name,p2,r2")
    );
}

#[test]
fn a_bad_registry_record_names_its_file_line_and_field() {
    let registry = tmp(
        "conflicts-registry.csv",
        "id,partner,company,submitted_at\nr1,p1,Acme,yesterday\n",
    );
    let o = route(LEADS, &["--registry", &registry]);
    assert_eq!(o.status.code(), Some(2));
    let err = text(&o.stderr);
    assert!(
        err.contains(
            ":2: registry record `r1`: field `submitted_at`: `yesterday` is not an instant"
        ),
        "{err}"
    );
    assert!(o.stdout.is_empty(), "nothing is routed");
}
