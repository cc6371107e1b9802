//! The CLI never panics on its output (issue 10, deliverable 4): a full disk is an error
//! message with exit code 2, a reader that goes away ends the command quietly, and diagnostics
//! on lines too long for the snippet renderer are printed in a plain form.
#![expect(clippy::unwrap_used, reason = "test code")]

mod cli_support;
use cli_support::command as leadrail;

use std::io::Read;
use std::path::PathBuf;
use std::process::{Output, Stdio};

const ROUTE: [&str; 9] = [
    "route",
    "--rules",
    "rules-dsl/cli/tests/cli/rules.rail",
    "--partners",
    "rules-dsl/cli/tests/cli/partners.csv",
    "--leads",
    "rules-dsl/cli/tests/cli/leads.csv",
    "--now",
    "2026-11-24T09:00:00Z",
];

const SLA: [&str; 9] = [
    "sla",
    "--rules",
    "examples/industrial/rules.rail",
    "--timelines",
    "examples/industrial/timelines.json",
    "--partners",
    "examples/industrial/partner-calendars.csv",
    "--now",
    "2026-11-27T12:00:00Z",
];

/// Runs with stdout on `/dev/full`.
#[cfg(target_os = "linux")]
fn to_full(args: &[&str]) -> Output {
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    leadrail()
        .args(args)
        .stdout(full)
        .stderr(Stdio::piped())
        .output()
        .unwrap()
}

#[cfg(target_os = "linux")]
#[test]
fn a_full_disk_is_an_error_with_exit_code_2() {
    let with = |base: &[&str], more: &[&str]| -> Vec<String> {
        base.iter().chain(more).map(|s| s.to_string()).collect()
    };
    let cases = [
        with(&ROUTE, &["--format", "csv"]),
        with(&ROUTE, &["--format", "json"]),
        with(&ROUTE, &["--format", "json", "--explain"]),
        with(&SLA, &["--format", "json"]),
        with(&SLA, &["--format", "text"]),
        vec![
            "check".into(),
            "--json".into(),
            "examples/industrial/rules.rail".into(),
        ],
    ];
    for args in cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let o = to_full(&args);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.contains("error: cannot write the output: No space left on device"),
            "{args:?}: {err}"
        );
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
}

#[cfg(target_os = "linux")]
#[test]
fn a_full_stderr_does_not_panic() {
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let o = leadrail()
        .args(["check", "rules-dsl/tests/errors/01-single-equals.rail"])
        .stderr(full)
        .output()
        .unwrap();
    // 1: the file has errors (they could not be shown); a panic would be 101
    assert_eq!(o.status.code(), Some(1));
}

/// A lead file big enough that its output overflows a pipe's buffer.
fn many_leads() -> PathBuf {
    let path = std::env::temp_dir().join(format!("leadrail-output-{}.csv", std::process::id()));
    let mut text = String::from("id,region,product_line\n");
    for i in 0..20_000 {
        text.push_str(&format!("L{i},US-TX,pumps\n"));
    }
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn a_closed_pipe_ends_quietly() {
    let leads = many_leads();
    let leads = leads.to_str().unwrap();
    for format in ["csv", "json"] {
        let mut args = ROUTE.to_vec();
        args[6] = leads;
        args.extend(["--format", format, "--explain"]);
        let mut child = leadrail()
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdout = child.stdout.take().unwrap();
        let mut first = [0u8; 100];
        stdout.read_exact(&mut first).unwrap();
        drop(stdout); // the reader goes away, like `| head -c 100`
        let o = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(0), "{format}: {err}");
        assert!(!err.contains("panicked"), "{format}: {err}");
        assert!(!err.contains("error"), "{format}: {err}");
    }
}

#[test]
fn a_diagnostic_on_a_very_long_line_is_printed_plainly() {
    // a minified rule file: 100 KB on one line, the error at its end (column > 65,535)
    let mut text = String::from(
        "ruleset \"m\" version 1 schema lead { region: region } \
         schema partner { territories: set<region> } ",
    );
    for i in 0..1_600 {
        text.push_str(&format!(
            "route \"r{i}\" {{ require partner.territories covers lead.region }} "
        ));
    }
    let col = text.chars().count() + 31; // at `nope`
    text.push_str("route \"bad\" { require partner.nope covers lead.region }");
    assert!(text.len() > 100_000);
    let path = std::env::temp_dir().join(format!("leadrail-minified-{}.rail", std::process::id()));
    std::fs::write(&path, &text).unwrap();
    let name = path.display().to_string();
    let o = leadrail().args(["check", &name]).output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.starts_with(&format!(
            "{name}:1:{col}: error[leadrail::type::unknown_field]: `partner` has no field `nope`\n"
        )),
        "{err}"
    );
    assert!(
        err.contains("  help: the partner schema declares: territories, id\n"),
        "{err}"
    );
    // a short line in the same file (with short lines around it) still gets the snippet
    let short = text.replacen(
        "route \"r0\"",
        "\nroute \"x\" { rank partner.nope }\n\nroute \"r0\"",
        1,
    );
    std::fs::write(&path, short).unwrap();
    let o = leadrail().args(["check", &name]).output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains(&format!("{name}:2:")) && err.contains("╭─["),
        "{err}"
    );
    assert!(err.contains(&format!("{name}:4:")), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}
