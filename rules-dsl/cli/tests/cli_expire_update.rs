//! `leadrail expire --update-registry OUT`: the registry after expiry written to OUT in the
//! registry file's format (CSV: the fields some record has, instants in RFC 3339; JSON and JSON
//! Lines: core's form, instants in ms), every record in the order read, the expired ones
//! `expired`; read back, it expires nothing more and checks deals as the original did; OUT may
//! be the registry file itself (a scheduled job expiring in place).
#![expect(clippy::unwrap_used, reason = "test code")]

mod cli_support;
use cli_support::{leadrail, leadrail_with_stdin};
use std::path::{Path, PathBuf};

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

const REGISTRY: &str = "examples/dealreg/registry.csv";

fn temp(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("leadrail-expire-{}-{name}", std::process::id()))
}

/// Runs `leadrail expire` on `registry` at `now`, writing it to `out`; the ids printed.
fn expire(registry: &str, now: &str, out: &Path) -> String {
    let out = out.to_str().unwrap();
    let args = [
        "expire",
        "--registry",
        registry,
        "--now",
        now,
        "--update-registry",
        out,
    ];
    let o = leadrail(&args);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    text(&o.stdout)
}

/// `leadrail register` of the example deals against `registry` at `now`.
fn register(registry: &str, now: &str) -> String {
    let o = leadrail(&[
        "register",
        "--rules",
        "examples/dealreg/rules.rail",
        "--registry",
        registry,
        "--deals",
        "examples/dealreg/deals.csv",
        "--now",
        now,
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    text(&o.stdout)
}

#[test]
fn a_csv_registry_is_written_back_as_csv_with_the_expired_status() {
    let out = temp("registry.csv");
    assert_eq!(
        expire(REGISTRY, "2026-12-31T08:00:00Z", &out),
        "[\n  \"r3\",\n  \"r1\"\n]\n"
    );
    let written = std::fs::read_to_string(&out).unwrap();
    assert_eq!(
        written,
        "id,kind,partner,company,domain,contact_email,country,postal_code,product_lines,submitted_at,approved_at,protected_until,extensions,status
r1,registration,p1,Müller Hydraulik GmbH,mueller-hydraulik.de,,DE,80331,hydraulics;pumps,2026-10-01T08:00:00Z,2026-10-02T08:00:00Z,2026-12-31T08:00:00Z,0,expired
r2,registration,p2,Kone Oyj,,,FI,00330,elevators,2026-11-20T10:00:00Z,,,0,pending
a1,account,direct:jane,Globex Corporation,globex.com,,US,10001,,2025-01-01T00:00:00Z,2025-01-01T00:00:00Z,,0,approved
l1,lead,p3,Initech LLC,,bill@initech.example,US,78701,software,2026-11-23T15:00:00Z,,,0,pending
r3,registration,p4,Acme Inc,acme.example,,US,60601,hydraulics,2026-03-01T00:00:00Z,2026-03-02T00:00:00Z,2026-05-31T00:00:00Z,0,expired
"
    );
    // read back: nothing more to expire; the deals that conflicted with r1 no longer do
    let path = out.to_str().unwrap();
    assert_eq!(
        expire(path, "2026-12-31T08:00:00Z", &temp("again.csv")),
        "[]\n"
    );
    assert_ne!(
        register(path, "2026-11-24T09:00:00Z"),
        register(REGISTRY, "2026-11-24T09:00:00Z")
    );
    // nothing expired: the same registry, checking every deal alike
    let same = temp("same.csv");
    assert_eq!(expire(REGISTRY, "2026-01-01T00:00:00Z", &same), "[]\n");
    let now = "2026-11-24T09:00:00Z";
    assert_eq!(
        register(same.to_str().unwrap(), now),
        register(REGISTRY, now)
    );
    for f in [out, same, temp("again.csv")] {
        std::fs::remove_file(f).unwrap();
    }
}

#[test]
fn json_in_place_and_json_lines_keep_core_form() {
    let records = r#"[{"id": "x1", "partner": "p1", "company": "Acme", "submitted_at": "1970-01-01T00:00:00.005Z",
        "status": "approved", "protected_until": 10, "estimated_value": "1200.50"},
        {"id": "x2", "kind": "account", "partner": "direct:jane", "company": "Globex", "submitted_at": 0}]"#;
    let file = temp("registry.json");
    std::fs::write(&file, records).unwrap();
    let path = file.to_str().unwrap();
    // in place: the JSON file rewritten (instants in ms), then nothing more to expire
    assert_eq!(expire(path, "10", &file), "[\n  \"x1\"\n]\n");
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(
        written,
        serde_json::json!([
            {"id": "x1", "kind": "registration", "partner": "p1", "company": "Acme",
             "submitted_at": 5, "protected_until": 10, "estimated_value": "1200.50",
             "extensions": 0, "status": "expired"},
            {"id": "x2", "kind": "account", "partner": "direct:jane", "company": "Globex",
             "submitted_at": 0, "extensions": 0, "status": "pending"},
        ])
    );
    assert_eq!(expire(path, "10", &file), "[]\n");
    // from standard input to JSON Lines (OUT's extension says)
    let lines = temp("registry.jsonl");
    let words = "expire --registry - --input-format json --now 10 --update-registry";
    let args: Vec<&str> = words.split(' ').chain([lines.to_str().unwrap()]).collect();
    let o = leadrail_with_stdin(&args, records.as_bytes());
    assert_eq!(
        (o.status.code(), text(&o.stdout)),
        (Some(0), "[\n  \"x1\"\n]\n".into())
    );
    let written = std::fs::read_to_string(&lines).unwrap();
    let first = r#"{"company":"Acme","estimated_value":"1200.50","extensions":0,"id":"x1","kind":"registration","partner":"p1","protected_until":10,"status":"expired","submitted_at":5}"#;
    assert_eq!(written.lines().next(), Some(first));
    assert_eq!(written.lines().count(), 2);
    // a bad record writes nothing
    let bad = temp("bad.json");
    let args = [
        "expire",
        "--registry",
        "rules-dsl/cli/tests/cli_register/bad-instant.csv",
        "--now",
        "0",
        "--update-registry",
        bad.to_str().unwrap(),
    ];
    assert_eq!(leadrail(&args).status.code(), Some(2));
    assert!(!bad.exists());
    for f in [file, lines] {
        std::fs::remove_file(f).unwrap();
    }
}
