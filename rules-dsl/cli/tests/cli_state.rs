//! Routing over time from the CLI (issue 12, item 6): `--state FILE` carries the partners'
//! workload and round-robin turns from run to run, so two runs of half the leads each decide
//! as one run of all of them; `--now-column` gives each lead its own instant.
#![expect(clippy::unwrap_used, reason = "test code")]

mod cli_support;
use cli_support::{leadrail, root, tmp};

use std::process::Output;

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A state file path for this test process (none there yet).
fn state_path(name: &str) -> String {
    let path = std::env::temp_dir().join(format!("leadrail-{}-{name}", std::process::id()));
    let _ = std::fs::remove_file(&path);
    path.display().to_string()
}

/// Routes `leads` with the bundled example, `more` options added; the JSON Lines output.
fn route(rules: &str, partners: &str, leads: &str, more: &[&str]) -> Vec<serde_json::Value> {
    let mut args = vec![
        "route",
        "--rules",
        rules,
        "--partners",
        partners,
        "--leads",
        leads,
        "--format",
        "jsonl",
    ];
    args.extend(more);
    let o = leadrail(&args);
    assert_eq!(o.status.code(), Some(0), "{args:?}: {}", stderr(&o));
    String::from_utf8(o.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// The header and the rows of a CSV file, the rows cut in two halves.
fn halves(path: &str) -> (String, String) {
    let text = std::fs::read_to_string(root().join(path)).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    let rows: Vec<&str> = lines.collect();
    let (a, b) = rows.split_at(rows.len() / 2);
    let file = |rows: &[&str]| format!("{header}\n{}\n", rows.join("\n"));
    (file(a), file(b))
}

#[test]
fn two_runs_of_half_the_leads_with_state_decide_as_one_run_of_all() {
    let cases = [
        (
            "examples/industrial/rules.rail",
            "examples/industrial/partners.csv",
            "examples/industrial/leads.csv",
        ),
        (
            "rules-dsl/cli/tests/cli/rules.rail",
            "rules-dsl/cli/tests/cli/partners.csv",
            "rules-dsl/cli/tests/cli/leads.csv",
        ),
    ];
    for (i, (rules, partners, leads)) in cases.into_iter().enumerate() {
        let now = ["--now", "2026-11-24T09:00:00Z"];
        let all = route(rules, partners, leads, &now);
        let (first, second) = halves(leads);
        let first = tmp(&format!("state-first-{i}.csv"), &first);
        let second = tmp(&format!("state-second-{i}.csv"), &second);
        let state = state_path(&format!("state-{i}.json"));
        let with_state = [now[0], now[1], "--state", &state];
        let mut split = route(rules, partners, &first, &with_state);
        assert!(std::path::Path::new(&state).exists(), "the state is saved");
        split.extend(route(rules, partners, &second, &with_state));
        // the decisions, with the partner state each one read (version, open leads, last
        // assignment), are those of one run
        assert_eq!(split, all, "{leads}");

        // without the state, the second half starts from the partner file again: the test
        // would not notice a state that is not carried
        let mut forgetful = route(rules, partners, &first, &now);
        forgetful.extend(route(rules, partners, &second, &now));
        assert_ne!(forgetful, all, "{leads}");
    }
}

#[test]
fn the_state_file_is_core_network_state_and_bad_ones_are_refused() {
    let (rules, partners, leads) = (
        "rules-dsl/cli/tests/cli/rules.rail",
        "rules-dsl/cli/tests/cli/partners.csv",
        "rules-dsl/cli/tests/cli/leads.csv",
    );
    let state = state_path("state-shape.json");
    route(
        rules,
        partners,
        leads,
        &["--now", "2026-11-24T09:00:00Z", "--state", &state],
    );
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&state).unwrap()).unwrap();
    assert_eq!(saved["seq"], 4, "four leads went to partners: {saved}");
    assert_eq!(saved["partners"][0]["id"], "P1");
    assert_eq!(saved["partners"][0]["active_leads"], 2);

    let run = |state: &str| {
        leadrail(&[
            "route",
            "--rules",
            rules,
            "--partners",
            partners,
            "--leads",
            leads,
            "--now",
            "2026-11-24T09:00:00Z",
            "--state",
            state,
        ])
    };
    let garbage = tmp("state-garbage.json", "{\"seq\": \"x\"}");
    let o = run(&garbage);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains(&format!("error: {garbage}: not a routing state file")));
    assert!(stderr(&o).contains("help: the state file is written by `leadrail route --state`"));
    assert!(o.stdout.is_empty(), "nothing is routed");

    let text = "{\"seq\": 1, \"partners\": [{\"id\": \"P9\", \"active_leads\": 1, \
                \"last_assigned_at\": null, \"last_seq\": 1, \"assigned\": 1, \"version\": 1}]}";
    let unknown = tmp("state-unknown.json", text);
    let o = run(&unknown);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains(&format!("error: {unknown}: no partner `P9` in the network")),
        "{}",
        stderr(&o)
    );
    assert!(stderr(&o).contains("help: the state was saved with another partner file"));
    assert_eq!(
        std::fs::read_to_string(&unknown).unwrap(),
        text,
        "a refused state file is left as it was"
    );
}

#[test]
fn each_lead_arrives_at_the_instant_of_its_column() {
    let (rules, partners) = (
        "rules-dsl/cli/tests/cli/rules.rail",
        "rules-dsl/cli/tests/cli/partners.csv",
    );
    let leads = tmp(
        "now-column.csv",
        "id,region,product_line,created_at\n\
         L1,US-TX,pumps,2026-11-24T09:00:00Z\n\
         L2,US-TX,pumps,2026-11-24T10:30:00+01:00\n\
         L3,US-TX,pumps,2026-11-24T11:00:00Z\n\
         L4,US-TX,pumps,yesterday\n\
         L5,US-TX,pumps,\n",
    );
    let o = leadrail(&[
        "route",
        "--rules",
        rules,
        "--partners",
        partners,
        "--leads",
        &leads,
        "--format",
        "jsonl",
        "--now-column",
        "created_at",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let lines: Vec<serde_json::Value> = String::from_utf8(o.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    // L1 -> P1 at 09:00, L2 -> P2 at 09:30 (its offset), L3 -> P1 again, which read P1's
    // last assignment: L1's instant
    assert_eq!(lines[0]["decision"]["outcome"]["id"], "P1");
    assert_eq!(lines[1]["decision"]["outcome"]["id"], "P2");
    assert_eq!(lines[2]["decision"]["outcome"]["id"], "P1");
    assert_eq!(
        lines[2]["decision"]["state_read"]["last_assigned_at"], 1_795_510_800_000_i64,
        "{}",
        lines[2]
    );
    // a lead without a readable instant is an error row naming the record and the column
    assert_eq!(lines[3]["error"]["record"], "L4");
    assert_eq!(lines[3]["error"]["field"], "created_at");
    assert!(
        lines[3]["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("record `L4`, field `created_at`: expected a datetime"),
        "{}",
        lines[3]
    );
    assert_eq!(
        lines[4]["error"]["message"],
        "record `L5`: missing required field `created_at`"
    );

    // a column the header does not have is named before anything is routed
    let o = leadrail(&[
        "route",
        "--rules",
        rules,
        "--partners",
        partners,
        "--leads",
        &leads,
        "--now-column",
        "arrived",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("the header row has no `arrived` column (named by --now-column)"),
        "{}",
        stderr(&o)
    );
    // one instant for all, or one per lead: not both
    let o = leadrail(&[
        "route",
        "--rules",
        rules,
        "--partners",
        partners,
        "--leads",
        &leads,
        "--now-column",
        "created_at",
        "--now",
        "2026-11-24T09:00:00Z",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("cannot be used with"), "{}", stderr(&o));
}
