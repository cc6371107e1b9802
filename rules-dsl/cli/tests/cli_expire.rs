//! `leadrail expire`: the example registry's approved registrations whose protection ended at
//! or before `--now` (the end is exclusive: ended at `protected_until` itself), as a JSON array
//! of ids, earliest end first; pending registrations and accounts never expire; a bad `--now`
//! or a bad record exits 2 naming what is wrong.
#![expect(clippy::unwrap_used, reason = "test code")]

mod cli_support;
use cli_support::{leadrail, leadrail_with_stdin};

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

const REGISTRY: &str = "examples/dealreg/registry.csv";

/// The ids `leadrail expire` prints for the example registry at `now`.
fn expired(now: &str) -> Vec<String> {
    let o = leadrail(&["expire", "--registry", REGISTRY, "--now", now]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    serde_json::from_slice(&o.stdout).unwrap()
}

#[test]
fn ids_whose_protection_ended_at_or_before_now_earliest_end_first() {
    // r3 (Acme) protected until 2026-05-31T00:00Z, r1 (Müller) until 2026-12-31T08:00Z; r2 is
    // pending, a1 an account (no end), l1 an open lead: none of them expires
    assert_eq!(expired("2026-05-30T23:59:59.999Z"), Vec::<String>::new());
    assert_eq!(expired("2026-05-31T00:00:00Z"), ["r3"]);
    assert_eq!(expired("2026-11-24T09:00:00Z"), ["r3"]);
    assert_eq!(expired("2026-12-31T07:59:59.999Z"), ["r3"]);
    // r1 listed first in the file, r3 ended first; ms since the epoch as --now
    assert_eq!(expired("2026-12-31T08:00:00Z"), ["r3", "r1"]);
    assert_eq!(expired("1798704000000"), ["r3", "r1"]);
    assert_eq!(expired("2030-01-01T00:00:00Z"), ["r3", "r1"]);
}

#[test]
fn the_output_is_a_json_array_and_the_registry_may_come_from_stdin() {
    let o = leadrail(&[
        "expire",
        "--registry",
        REGISTRY,
        "--now",
        "2026-12-31T08:00:00Z",
    ]);
    assert_eq!(text(&o.stdout), "[\n  \"r3\",\n  \"r1\"\n]\n");
    let records = r#"[{"id": "x1", "partner": "p1", "company": "Acme", "submitted_at": 0,
        "status": "approved", "protected_until": 10}]"#;
    let args = [
        "expire",
        "--registry",
        "-",
        "--input-format",
        "json",
        "--now",
        "10",
    ];
    let o = leadrail_with_stdin(&args, records.as_bytes());
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert_eq!(text(&o.stdout), "[\n  \"x1\"\n]\n");
    // an empty registry, at the default `now` (the clock's)
    let o = leadrail_with_stdin(&args[..5], b"[]");
    assert_eq!((o.status.code(), text(&o.stdout)), (Some(0), "[]\n".into()));
}

#[test]
fn a_bad_now_or_record_exits_2_naming_it() {
    let o = leadrail(&["expire", "--registry", REGISTRY, "--now", "yesterday"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(o.stdout.is_empty());
    assert_eq!(
        text(&o.stderr),
        "error: --now `yesterday` is not an instant; e.g. `2026-11-24T09:00:00Z` or ms since the epoch\n"
    );
    let file = "rules-dsl/cli/tests/cli_register/bad-instant.csv";
    let o = leadrail(&["expire", "--registry", file, "--now", "0"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(o.stdout.is_empty());
    assert!(
        text(&o.stderr).starts_with(&format!("error: {file}:2: registry record `d1`: field `submitted_at`: `yesterday` is not an instant")),
        "{}",
        text(&o.stderr)
    );
}
