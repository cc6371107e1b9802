//! The `leadrail` binary: exit codes, exact decisions and data errors naming file, line, field.
#![expect(clippy::unwrap_used, reason = "test code")]

use std::path::PathBuf;
use std::process::{Command, Output};

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/cli")
}

fn leadrail(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_leadrail"))
        .args(args)
        .current_dir(dir())
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

const NOW: &str = "2026-11-24T09:00:00Z";

#[test]
fn route_prints_exact_decisions_in_order() {
    let o = leadrail(&[
        "route",
        "--rules",
        "rules.rail",
        "--partners",
        "partners.csv",
        "--leads",
        "leads.csv",
        "--now",
        NOW,
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // P3 is paused; P1 (capacity 2) and P2 alternate by least recently assigned (never assigned
    // first, then by id); L3 in Alaska is carved out of P2's territory; L4 needs valves (P1 only);
    // by L5, P1 holds 2 leads = capacity, so P2 takes it.
    assert_eq!(
        stdout(&o),
        "lead,outcome,target,rule\n\
         L1,partner,P1,territory\n\
         L2,partner,P2,territory\n\
         L3,queue,inside-sales,fallback\n\
         L4,partner,P1,territory\n\
         L5,partner,P2,territory\n"
    );
}

#[test]
fn route_json_has_explanations() {
    let o = leadrail(&[
        "route",
        "--rules",
        "rules.rail",
        "--partners",
        "partners.csv",
        "--leads",
        "leads.csv",
        "--now",
        NOW,
        "--explain",
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let first = &v[0]["decision"];
    assert_eq!(
        first["outcome"],
        serde_json::json!({"kind": "partner", "id": "P1"}),
        "{first}"
    );
    assert_eq!(
        first["explanation"]["tie_break"], "id",
        "never-assigned partners tie on recency"
    );
    let x = &first["explanation"];
    assert_eq!(x["ruleset"]["name"], "cli-test");
    assert_eq!(x["ruleset"]["version"], 1);
    let excluded = x["excluded"].as_array().unwrap();
    assert!(
        excluded
            .iter()
            .any(|e| e["partners"] == serde_json::json!(["P3"])),
        "P3 (paused) is listed as excluded: {x}"
    );
}

#[test]
fn a_malformed_lead_row_names_file_line_and_field_and_exits_2() {
    let o = leadrail(&[
        "route",
        "--rules",
        "rules.rail",
        "--partners",
        "partners.csv",
        "--leads",
        "bad_leads.csv",
        "--now",
        NOW,
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("bad_leads.csv:3"), "{err}");
    assert!(err.contains("`L2`") && err.contains("`region`"), "{err}");
    // The other leads are still routed; the malformed one is an error row in its place
    // (issue 12: malformed leads do not vanish from the output).
    assert_eq!(
        stdout(&o),
        "lead,outcome,target,rule\nL1,partner,P1,territory\n\
         L2,error,,\"record `L2`, field `region`: unknown country code `XX`\"\n\
         L3,partner,P2,territory\n"
    );
}

#[test]
fn check_reports_errors_with_position_and_exits_1() {
    let path = std::env::temp_dir().join(format!("leadrail-cli-{}.rail", std::process::id()));
    std::fs::write(
        &path,
        std::fs::read_to_string(dir().join("rules.rail"))
            .unwrap()
            .replace("lead.product_line in", "lead.product_lin in"),
    )
    .unwrap();
    let o = leadrail(&["check", "--json", path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v[0]["code"], "leadrail::type::unknown_field");
    assert_eq!(
        (v[0]["line"].as_u64(), v[0]["column"].as_u64()),
        (Some(9), Some(16))
    );
    assert!(
        v[0]["help"].as_str().unwrap().contains("product_line"),
        "{v}"
    );
    let _ = std::fs::remove_file(&path);
    let ok = leadrail(&["check", "rules.rail"]);
    assert_eq!(ok.status.code(), Some(0), "{}", stderr(&ok));
}

#[test]
fn fmt_check_passes_on_the_bundled_example() {
    let o = leadrail(&[
        "fmt",
        "--check",
        "../../../../examples/industrial/rules.rail",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
}
