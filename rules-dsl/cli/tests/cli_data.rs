//! Data files through the CLI (issue 10, item 8): repeated CSV columns and repeated JSON keys
//! are errors naming the file, the record and the column or key; a UTF-8 byte order mark at the
//! start of a `.json` or `.jsonl` file is accepted, as in CSV.
#![expect(clippy::unwrap_used, reason = "test code")]

use std::path::PathBuf;
use std::process::{Command, Output};

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/cli")
}

fn tmp(name: &str, bytes: &[u8]) -> String {
    let path = std::env::temp_dir().join(format!("leadrail-data-{}-{name}", std::process::id()));
    std::fs::write(&path, bytes).unwrap();
    path.display().to_string()
}

fn route(leads: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_leadrail"))
        .args([
            "route",
            "--rules",
            "rules.rail",
            "--partners",
            "partners.csv",
            "--leads",
            leads,
            "--now",
            "2026-11-24T09:00:00Z",
        ])
        .current_dir(dir())
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

const EXPECTED: &str = "lead,outcome,target,rule\nL1,partner,P1,territory\n";

#[test]
fn a_repeated_csv_column_is_an_error() {
    let leads = tmp(
        "dup.csv",
        b"id,region,product_line,region\nL1,US-TX,pumps,US-AK\n",
    );
    let o = route(&leads);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains(&format!(
            "error: {leads}:1: the header row repeats the column `region` (columns 2 and 4): \
             rename or remove one"
        )),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_repeated_json_key_is_an_error_naming_the_record() {
    let leads = tmp(
        "dup.json",
        b"[{\"id\": \"L1\", \"region\": \"US-TX\", \"product_line\": \"pumps\"},\n \
          {\"id\": \"L2\", \"region\": \"US-TX\", \"product_line\": \"pumps\", \"region\": \"US-AK\"}]",
    );
    let o = route(&leads);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains(&format!(
            "error: {leads}:2: invalid JSON: duplicate key `region` in record `L2` at line 2"
        )),
        "{}",
        stderr(&o)
    );
    let leads = tmp(
        "dup.jsonl",
        b"{\"id\": \"L1\", \"region\": \"US-TX\", \"product_line\": \"pumps\", \"id\": \"L9\"}\n",
    );
    let o = route(&leads);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains(&format!(
            "error: {leads}:1: invalid JSON: duplicate key `id` in record `L1`"
        )),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_byte_order_mark_is_accepted_in_every_format() {
    let row = "{\"id\": \"L1\", \"region\": \"US-TX\", \"product_line\": \"pumps\"}";
    for (name, text) in [
        ("bom.json", format!("\u{feff}[{row}]")),
        ("bom.jsonl", format!("\u{feff}{row}\n")),
        (
            "bom.csv",
            "\u{feff}id,region,product_line\nL1,US-TX,pumps\n".to_string(),
        ),
    ] {
        let o = route(&tmp(name, text.as_bytes()));
        assert_eq!(o.status.code(), Some(0), "{name}: {}", stderr(&o));
        assert_eq!(String::from_utf8_lossy(&o.stdout), EXPECTED, "{name}");
    }
}

#[test]
fn a_lead_region_with_exceptions_is_rejected() {
    let leads = tmp(
        "except.csv",
        b"id,region,product_line\nL1,US except US-TX,pumps\n",
    );
    let o = route(&leads);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("lead `L1`: field `region` expects a region without `except`"),
        "{}",
        stderr(&o)
    );
}
