//! `leadrail register`: the deal-registration example's verdicts, exactly, from CSV and JSON
//! inputs; `--submit`, `--policy` and the JSON output; bad records name their file, line,
//! record and field and exit 2.

mod cli_support;
use cli_support::leadrail;

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

const RULES: &str = "examples/dealreg/rules.rail";
const NOW: &str = "2026-11-24T09:00:00Z";

fn register(registry: &str, deals: &str, more: &[&str]) -> std::process::Output {
    let mut args = vec![
        "register",
        "--rules",
        RULES,
        "--registry",
        registry,
        "--deals",
        deals,
        "--now",
        NOW,
    ];
    args.extend_from_slice(more);
    leadrail(&args)
}

const EXPECTED_CSV: &str = "\
deal,outcome,reason,normalized,domain,holder,record,kind,partner,rule,rules,score,record_normalized,shared_domain,postal,product_lines,protected_until
d1,reject,domain match with protected registration `r1` of `p1` (name score 1.000),muller hydraulik,mueller-hydraulik.de,p1,r1,registration,p1,domain,domain;name;postal_name,1.000,muller hydraulik,mueller-hydraulik.de,DE:80331,hydraulics,2026-12-31T08:00:00Z
d2,review,name match with registration `r2` of `p2` (name score 1.000),kone,,p2,r2,registration,p2,name,name;postal_name,1.000,kone,,FI:00330,elevators,
d3,review,name match with account `a1` of `direct:jane` (name score 1.000),globex,,direct:jane,a1,account,direct:jane,name,name;postal_name,1.000,globex,,US:10001,,
d4,review,domain match with open lead `l1` of `p3` (name score 0.000),initrode,initech.example,p3,l1,lead,p3,domain,domain;email,0.000,initech,initech.example,,software,
d5,auto_approve,no conflict,acme,,,,,,,,,,,,,
d6,auto_approve,no conflict,muller hydraulik,,,,,,,,,,,,,
d7,review,postal code and name match with registration `r1` of `p1` (name score 0.800),muller hydraulik service,,p1,r1,registration,p1,postal_name,postal_name,0.800,muller hydraulik,,DE:80331,hydraulics,2026-12-31T08:00:00Z
";

#[test]
fn example_verdicts_are_exact_from_csv_and_json() {
    // d1: the same domain and name as p1's protected registration: rejected; d2, d3, d4: a
    // pending registration, a CRM account, an open lead's contact e-mail: review; d5: Acme's
    // protection ended in May: approved; d6: lubricants do not overlap hydraulics; d7: another
    // name in the same postal code scores 0.8 >= 0.75: review
    for deals in ["examples/dealreg/deals.csv", "examples/dealreg/deals.json"] {
        let o = register("examples/dealreg/registry.csv", deals, &[]);
        assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
        assert_eq!(text(&o.stdout), EXPECTED_CSV, "{deals}");
    }
}

#[test]
fn json_output_is_cores_verdicts_and_the_policy_is_chosen_by_name() {
    let o = register(
        "examples/dealreg/registry.csv",
        "examples/dealreg/deals.csv",
        &["--format", "json", "--policy", "names-only"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let outcomes: Vec<(&str, &str)> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["id"].as_str().unwrap(), d["outcome"].as_str().unwrap()))
        .collect();
    // names only (>= 0.95), clear conflicts reviewed: d1 is review now, d4 (e-mail) and d7
    // (postal code) no longer match, d6 matches r1 by name (no product-line rule)
    assert_eq!(
        outcomes,
        [
            ("d1", "review"),
            ("d2", "review"),
            ("d3", "review"),
            ("d4", "auto_approve"),
            ("d5", "auto_approve"),
            ("d6", "review"),
            ("d7", "auto_approve")
        ]
    );
    let c = &v[0]["conflicts"][0];
    assert_eq!(c["name"]["words"][0]["a"], "muller hydraulik");
    assert_eq!(c["protected_until"], 1_798_704_000_000_i64);
}

#[test]
fn submitted_deals_conflict_with_the_earlier_approved_ones() {
    // d5 is approved and protected at once; the same company from another partner is rejected
    let dir = std::env::temp_dir().join(format!("leadrail-register-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let deals = dir.join("deals.csv");
    std::fs::write(
        &deals,
        "id,partner,company,submitted_at\nx1,p1,Initech Software AG,0\nx2,p2,INITECH SOFTWARE,0\n",
    )
    .unwrap();
    let o = register(
        "examples/dealreg/registry.csv",
        deals.to_str().unwrap(),
        &["--submit"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    assert!(out.contains("\nx1,auto_approve,no conflict,"), "{out}");
    assert!(
        out.contains("\nx2,reject,name match with protected registration `x1` of `p1`"),
        "{out}"
    );
    let o = register(
        "examples/dealreg/registry.csv",
        deals.to_str().unwrap(),
        &[],
    );
    assert!(
        text(&o.stdout).contains("\nx2,auto_approve,"),
        "without --submit"
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn bad_records_name_the_file_line_record_and_field() {
    let t = "rules-dsl/cli/tests/cli_register";
    let cases = [
        (
            format!("{t}/missing-company.csv"),
            format!("error: {t}/missing-company.csv:3: registry record `d2`: missing required field `company`\n"),
        ),
        (
            format!("{t}/bad-instant.csv"),
            format!("error: {t}/bad-instant.csv:2: registry record `d1`: field `submitted_at`: `yesterday` is not an instant; write ms since the epoch or RFC 3339, e.g. `2026-11-24T09:00:00Z`\n"),
        ),
        (
            format!("{t}/bad-status.json"),
            format!("error: {t}/bad-status.json (item 2): registry record `r2`: field `status`: unknown variant `open`, expected one of `pending`, `approved`, `rejected`, `expired`, `won`, `lost`\n"),
        ),
        (
            format!("{t}/duplicate.jsonl"),
            format!("error: {t}/duplicate.jsonl:2: registry record `r1`: the id is used twice (first at {t}/duplicate.jsonl:1)\n"),
        ),
    ];
    for (file, first_line) in cases {
        let o = register(&file, "examples/dealreg/deals.csv", &[]);
        assert_eq!(o.status.code(), Some(2), "{file}");
        assert!(o.stdout.is_empty(), "{file}: nothing printed");
        let err = text(&o.stderr);
        assert!(err.starts_with(&first_line), "{file}: {err}");
    }
    let o = register(
        "examples/dealreg/registry.csv",
        "examples/dealreg/deals.csv",
        &["--policy", "strict"],
    );
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        text(&o.stderr),
        "error: the ruleset has no registration policy `strict`\n  help: the policies are `default`, `names-only`\n"
    );
}
