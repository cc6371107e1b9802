//! The CLI in pipelines (issue 12, item 6): `-` for standard input, the input format from
//! `--input-format`, JSON Lines output, `| head -1` ending quietly, malformed leads as error
//! rows in the output, help in the user's words and `--version`.
#![expect(clippy::unwrap_used, clippy::indexing_slicing, reason = "test code")]

mod cli_support;
use cli_support::{leadrail, leadrail_with_stdin, root, tmp};

use std::process::Output;

const RULES: &str = "rules-dsl/cli/tests/cli/rules.rail";
const PARTNERS: &str = "rules-dsl/cli/tests/cli/partners.csv";
const LEADS: &str = "rules-dsl/cli/tests/cli/leads.csv";
const NOW: &str = "2026-11-24T09:00:00Z";

/// The decisions of `leads.csv` (see `cli.rs`).
const DECISIONS: &str = "lead,outcome,target,rule\n\
                         L1,partner,P1,territory\n\
                         L2,partner,P2,territory\n\
                         L3,queue,inside-sales,fallback\n\
                         L4,partner,P1,territory\n\
                         L5,partner,P2,territory\n";

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn route(more: &[&str]) -> Vec<String> {
    let mut args: Vec<String> = [
        "route",
        "--rules",
        RULES,
        "--partners",
        PARTNERS,
        "--now",
        NOW,
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    args.extend(more.iter().map(|s| s.to_string()));
    args
}

fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

fn leads_csv() -> String {
    std::fs::read_to_string(root().join(LEADS)).unwrap()
}

/// The leads of `leads.csv` as JSON Lines.
fn leads_jsonl() -> String {
    let mut out = String::new();
    for line in leads_csv().lines().skip(1) {
        let cells: Vec<&str> = line.split(',').collect();
        out.push_str(
            &serde_json::json!({"id": cells[0], "region": cells[1], "product_line": cells[2]})
                .to_string(),
        );
        out.push('\n');
    }
    out
}

#[test]
fn leads_from_standard_input_in_the_format_given() {
    let args = route(&["--leads", "-", "--input-format", "csv"]);
    let o = leadrail_with_stdin(&strs(&args), leads_csv().as_bytes());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), DECISIONS);

    let args = route(&["--leads", "-", "--input-format", "jsonl"]);
    let o = leadrail_with_stdin(&strs(&args), leads_jsonl().as_bytes());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), DECISIONS);

    // without the format, standard input cannot be read, and says how to fix it
    let args = route(&["--leads", "-"]);
    let o = leadrail_with_stdin(&strs(&args), leads_csv().as_bytes());
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains(
            "error: <stdin>: the format of standard input is not known: pass \
             `--input-format csv`, `json` or `jsonl`"
        ),
        "{}",
        stderr(&o)
    );
    assert_eq!(
        stdout(&o),
        "",
        "nothing is written before the inputs are known"
    );

    // a file whose extension does not say is read in the format given
    let txt = tmp("pipe-leads.txt", &leads_jsonl());
    let o = leadrail(&strs(&route(&["--leads", &txt, "--input-format", "jsonl"])));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), DECISIONS);

    // the partners and the leads cannot both come from standard input
    let mut args = route(&["--leads", "-", "--input-format", "csv"]);
    args[4] = "-".into();
    let o = leadrail_with_stdin(&strs(&args), b"");
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("only one input can be read from standard input"));
}

#[test]
fn check_and_fmt_read_standard_input() {
    let rules = std::fs::read_to_string(root().join(RULES)).unwrap();
    let o = leadrail_with_stdin(&["check", "-"], rules.as_bytes());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("<stdin>: ok"), "{}", stderr(&o));

    let broken = rules.replace("lead.product_line in", "lead.product_lin in");
    let o = leadrail_with_stdin(&["check", "--json", "-"], broken.as_bytes());
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v[0]["code"], "leadrail::type::unknown_field");
    assert_eq!(v[0]["file"], "<stdin>");
    assert_eq!(
        (v[0]["line"].as_u64(), v[0]["column"].as_u64()),
        (Some(9), Some(16))
    );

    // `fmt -` prints the formatted rules
    let rules = std::fs::read_to_string(root().join("examples/industrial/rules.rail")).unwrap();
    let messy = rules.replace("  balance workload", "balance    workload");
    assert_ne!(messy, rules);
    let o = leadrail_with_stdin(&["fmt", "-"], messy.as_bytes());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), rules);
    let o = leadrail_with_stdin(&["fmt", "--check", "-"], messy.as_bytes());
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stdout(&o), "<stdin>: not formatted\n");
}

#[test]
fn json_lines_output_has_one_object_per_lead() {
    let o = leadrail(&strs(&route(&["--leads", LEADS, "--format", "jsonl"])));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = stdout(&o);
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 5, "{text}");
    assert_eq!(lines[0]["lead"], "L1");
    assert_eq!(
        lines[0]["decision"]["outcome"],
        serde_json::json!({"kind": "partner", "id": "P1"})
    );
    assert_eq!(lines[2]["decision"]["outcome"]["name"], "inside-sales");
    // the same objects as the JSON array
    let o = leadrail(&strs(&route(&["--leads", LEADS, "--format", "json"])));
    let array: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(serde_json::Value::Array(lines), array);
}

/// `leadrail ... | head -1` in a shell with `pipefail`: the status is the command's own.
fn piped_to_head(format: &str) -> Output {
    let leads = {
        let mut text = String::from("id,region,product_line\n");
        for i in 0..50_000 {
            text.push_str(&format!("L{i},US-TX,pumps\n"));
        }
        tmp(&format!("pipe-head-{format}.csv"), &text)
    };
    let bin = env!("CARGO_BIN_EXE_leadrail");
    let script = format!(
        "set -o pipefail; '{bin}' route --rules {RULES} --partners {PARTNERS} --leads '{leads}' \
         --now {NOW} --format {format} | head -1"
    );
    std::process::Command::new("bash")
        .args(["-c", &script])
        .current_dir(root())
        .output()
        .unwrap()
}

#[cfg(unix)]
#[test]
fn piped_into_head_it_exits_0_without_a_panic() {
    for format in ["jsonl", "csv", "json"] {
        let o = piped_to_head(format);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(0), "{format}: {err}");
        assert!(!err.contains("panicked"), "{format}: {err}");
        assert!(!err.contains("error"), "{format}: {err}");
        assert_eq!(stdout(&o).lines().count(), 1, "{format}");
    }
}

#[test]
fn malformed_leads_are_error_rows_in_the_output_too() {
    let leads = tmp(
        "pipe-bad.csv",
        "id,region,product_line\nL1,US-TX,pumps\nL2,XX-YY,pumps\n,US-TX,pumps\n\
         L4,US except US-TX,pumps\nL5,US-TX,pumps\n",
    );
    let o = leadrail(&strs(&route(&["--leads", &leads])));
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stdout(&o),
        "lead,outcome,target,rule\n\
         L1,partner,P1,territory\n\
         L2,error,,\"record `L2`, field `region`: unknown country code `XX`\"\n\
         ,error,,record #3: missing `id`\n\
         L4,error,,\"lead `L4`: field `region` expects a region without `except` (exceptions \
         carve out partner territories, a lead is in one region), found `US except US-TX`\"\n\
         L5,partner,P2,territory\n"
    );
    let err = stderr(&o);
    // on stderr too, with the line; the lead is named once
    assert!(
        err.contains(&format!(
            "error: {leads}:3: record `L2`, field `region`: unknown country code `XX`"
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!("error: {leads}:4: record #3: missing `id`")),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "error: {leads}:5: lead `L4`: field `region` expects"
        )),
        "{err}"
    );
    assert!(!err.contains("lead `L4`: lead `L4`"), "{err}");
    assert!(err.contains("5 lead(s): 2 to a partner, 0 to a queue or unrouted, 3 with errors"));

    // as JSON Lines: the error report with its code, record and field
    let o = leadrail(&strs(&route(&["--leads", &leads, "--format", "jsonl"])));
    let lines: Vec<serde_json::Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 5);
    assert_eq!(lines[1]["lead"], "L2");
    assert_eq!(lines[1]["error"]["code"], "leadrail::data::invalid_field");
    assert_eq!(lines[1]["error"]["record"], "L2");
    assert_eq!(lines[1]["error"]["field"], "region");
    assert_eq!(lines[2]["lead"], serde_json::Value::Null);
    assert_eq!(lines[2]["error"]["record"], "#3");
    assert_eq!(lines[3]["error"]["field"], "region");
    assert_eq!(lines[4]["decision"]["outcome"]["id"], "P2");
}

#[test]
fn output_to_a_file() {
    let out = std::env::temp_dir().join(format!("leadrail-{}-pipe-out.csv", std::process::id()));
    let out = out.display().to_string();
    let o = leadrail(&strs(&route(&["--leads", LEADS, "--output", &out])));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), DECISIONS);
}

#[test]
fn help_is_in_the_users_words_and_there_is_a_version() {
    let o = leadrail(&["--help"]);
    assert_eq!(o.status.code(), Some(0));
    let help = stdout(&o);
    for internal in [
        "pest", "grammar", "lowering", "AST", "miette", "checker", "crate",
    ] {
        assert!(
            !help.contains(internal),
            "`{internal}` in the help:\n{help}"
        );
    }
    for said in [
        "partner",
        "lead",
        "route",
        "check",
        "fmt",
        "sla",
        "standard input",
        "Exit status",
    ] {
        assert!(help.contains(said), "`{said}` not in the help:\n{help}");
    }
    let o = leadrail(&["route", "--help"]);
    let help = stdout(&o);
    for flag in [
        "--input-format",
        "--now-column",
        "--state",
        "--output",
        "jsonl",
    ] {
        assert!(help.contains(flag), "`{flag}` not in route's help:\n{help}");
    }
    let o = leadrail(&["--version"]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(
        stdout(&o),
        format!("leadrail {}\n", env!("CARGO_PKG_VERSION"))
    );
}
