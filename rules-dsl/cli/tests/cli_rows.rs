//! `route` writes its rows itself (issue 12, item 6's speed): the CSV rows are the bytes the csv
//! crate's writer gives, and the JSON Lines items those serde_json gives, for ids that need
//! quoting or escaping too, in every outcome (partner, queue, error) and with `--explain`.

mod cli_support;
use cli_support::{leadrail, tmp};

/// Lead ids that need CSV quoting or JSON escaping, as CSV cells, with their text.
const IDS: [(&str, &str); 6] = [
    ("\"L,1\"", "L,1"),
    ("\"say \"\"hi\"\"\"", "say \"hi\""),
    ("\"two\nlines\"", "two\nlines"),
    ("tab\there", "tab\there"),
    ("ünïcode-☃", "ünïcode-☃"),
    ("back\\slash", "back\\slash"),
];

fn leads() -> String {
    let mut csv = String::from("id,region,product_line\n");
    // partners, the queue (no partner covers DE) and an error row (no region)
    let regions = ["US-TX", "DE", "US-TX", "", "US-OK", "US-TX"];
    for ((cell, _), region) in IDS.iter().zip(regions) {
        csv.push_str(&format!("{cell},{region},pumps\n"));
    }
    tmp("rows.csv", &csv)
}

/// The CLI test example's rules and partners at 2026-11-24T09:00:00Z.
const FIXED: &str = "route --rules rules-dsl/cli/tests/cli/rules.rail --partners \
                     rules-dsl/cli/tests/cli/partners.csv --now 2026-11-24T09:00:00Z";

fn route(leads: &str, format: &str, explain: bool) -> Vec<u8> {
    let mut args: Vec<&str> = FIXED.split_whitespace().collect();
    args.extend(["--leads", leads, "--format", format]);
    if explain {
        args.push("--explain");
    }
    let o = leadrail(&args);
    // (the lead without a region is an error row: exit code 2)
    assert_eq!(
        o.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    o.stdout
}

#[test]
fn csv_rows_are_the_csv_writers_bytes() {
    let leads = leads();
    for explain in [false, true] {
        let out = route(&leads, "csv", explain);
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(out.as_slice());
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        let ids: Vec<&str> = rows.iter().skip(1).map(|r| r.get(0).unwrap()).collect();
        assert_eq!(ids, IDS.map(|(_, id)| id));
        let outcomes: Vec<&str> = rows.iter().skip(1).map(|r| r.get(1).unwrap()).collect();
        assert_eq!(
            outcomes,
            ["partner", "queue", "partner", "error", "partner", "partner"]
        );
        let mut writer = csv::Writer::from_writer(Vec::new());
        for r in &rows {
            writer.write_record(r).unwrap();
        }
        let again = writer.into_inner().unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            String::from_utf8(again).unwrap()
        );
    }
}

#[test]
fn json_lines_are_the_json_items_serde_writes() {
    let leads = leads();
    let lines = String::from_utf8(route(&leads, "jsonl", false)).unwrap();
    let array: serde_json::Value = serde_json::from_slice(&route(&leads, "json", false)).unwrap();
    let items = array.as_array().unwrap();
    assert_eq!(lines.lines().count(), IDS.len());
    for ((line, item), (_, id)) in lines.lines().zip(items).zip(IDS) {
        let parsed: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(&parsed, item);
        // the id escaped as serde_json escapes it, first
        let start = format!("{{\"lead\":{}", serde_json::to_string(id).unwrap());
        assert!(line.starts_with(&start), "{line}");
    }
    // a partner decision, byte for byte
    assert_eq!(
        lines.lines().next().unwrap(),
        "{\"lead\":\"L,1\",\"decision\":{\"outcome\":{\"kind\":\"partner\",\"id\":\"P1\"},\
         \"rule\":\"territory\",\"state_read\":{\"partner\":\"P1\",\"version\":0,\
         \"active_leads\":0,\"last_assigned_at\":null}}}"
    );
    // the queue
    assert_eq!(
        lines.lines().nth(1).unwrap(),
        "{\"lead\":\"say \\\"hi\\\"\",\"decision\":{\"outcome\":{\"kind\":\"queue\",\
         \"name\":\"inside-sales\"},\"rule\":\"fallback\",\"state_read\":null}}"
    );
}
