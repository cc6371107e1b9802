//! The bundled example's decisions as the CLI gives them, kept in
//! `examples/industrial/decisions.jsonl`: the Python and Node tests check that the example's CSV
//! files read through their bindings (`csv.DictReader`, pandas, pyarrow, string rows, Arrow) give
//! these decisions exactly, and this test keeps the file the CLI's output.

mod cli_support;
use cli_support::{leadrail, root};

#[test]
fn the_example_decisions_file_is_the_cli_output() {
    let o = leadrail(&[
        "route",
        "--rules",
        "examples/industrial/rules.rail",
        "--partners",
        "examples/industrial/partners.csv",
        "--leads",
        "examples/industrial/leads.csv",
        "--now",
        "2026-11-24T09:00:00Z",
        "--format",
        "jsonl",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let want = std::fs::read_to_string(root().join("examples/industrial/decisions.jsonl")).unwrap();
    assert_eq!(String::from_utf8(o.stdout).unwrap(), want);
}
