//! `leadrail kpi` and `leadrail forecast` on the leads of docs/kpi.md's examples (times in
//! hours after 2026-03-02T00:00Z; `now` = 100h = 2026-03-06T04:00:00Z): exact CSV tables, the
//! JSON answer, the partners file with measured values, and errors naming the file, the line,
//! the record and the field.

mod cli_support;
use cli_support::leadrail;

const D: &str = "rules-dsl/cli/tests/cli_kpi";
const NOW: &str = "2026-03-06T04:00:00Z";

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Runs `leadrail kpi` on the example's rules and timelines with `more` arguments; exit 0.
fn kpi(more: &[&str]) -> String {
    let (rules, timelines) = (format!("{D}/rules.rail"), format!("{D}/timelines.jsonl"));
    let mut args = vec![
        "kpi",
        "--rules",
        &rules,
        "--timelines",
        &timelines,
        "--now",
        NOW,
    ];
    args.extend(more);
    let o = leadrail(&args);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    text(&o.stdout)
}

/// Runs a failing command; returns its stderr (exit 2, nothing on stdout).
fn fails(args: &[&str]) -> String {
    let o = leadrail(args);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stdout));
    assert!(o.stdout.is_empty(), "{}", text(&o.stdout));
    text(&o.stderr)
}

#[test]
fn assignments_by_partner() {
    // P1: L1 rejected at 2h, L1 again accepted 2h after, L4 pending (its stage change at 1h
    // is its response); D1 -> R1 -> R2 convert by R2's win; P3 lapses on L1 (lost), pending L5
    assert_eq!(
        kpi(&["--by", "partner"]),
        "partner,acceptance_rate,accepted,assignments,conversion_rate,converted,first_contact_count,first_contact_mean,first_contact_median,first_contact_p90,first_contact_sum,lapsed,pending,rejected,response_time_count,response_time_mean,response_time_median,response_time_p90,response_time_sum
D1,1.0,1,1,1.0,1,0,,,,,0,0,0,1,3600000.0,3600000.0,3600000,3600000
P1,0.5,1,3,0.0,0,1,10800000.0,10800000.0,10800000,10800000,0,1,1,3,6000000.0,7200000.0,7200000,18000000
P2,0.5,1,2,0.5,1,0,,,,,1,0,0,1,7200000.0,7200000.0,7200000,7200000
P3,0.0,0,2,0.0,0,0,,,,,1,1,0,1,28800000.0,28800000.0,28800000,28800000
R1,1.0,1,1,1.0,1,0,,,,,0,0,0,1,7200000.0,7200000.0,7200000,7200000
R2,1.0,1,1,1.0,1,1,14400000.0,14400000.0,14400000,14400000,0,0,0,1,3600000.0,3600000.0,3600000,3600000
"
    );
}

#[test]
fn other_tables() {
    assert_eq!(
        kpi(&["--by", "partner", "--table", "stages"]),
        "partner,stage,open,open_mean_age,time_in_stage_count,time_in_stage_mean,time_in_stage_median,time_in_stage_p90,time_in_stage_sum
P1,new,1,342000000.0,1,3600000.0,3600000.0,3600000,3600000
P1,qualified,0,,1,10800000.0,10800000.0,10800000,10800000
P2,negotiation,0,,1,18000000.0,18000000.0,18000000,18000000
P3,qualified,0,,1,36000000.0,36000000.0,36000000,36000000
R2,proposal,0,,1,86400000.0,86400000.0,86400000,86400000
"
    );
    assert_eq!(
        kpi(&[
            "--by",
            "partner",
            "--table",
            "open_leads",
            "--untouched-after",
            "96h"
        ]),
        "partner,age_count,age_mean,age_median,age_p90,age_sum,open,untouched
P1,1,360000000.0,360000000.0,360000000,360000000,1,0
P3,1,360000000.0,360000000.0,360000000,360000000,1,1
"
    );
    assert_eq!(
        kpi(&["--by", "partner", "--table", "sla"]),
        "partner,sla,attainment,breached,met
D1,accept,1.0,0,1
P1,accept,0.6666666666666666,1,2
P2,accept,0.0,1,0
P3,accept,0.0,1,0
"
    );
    // lead records: L5 has none (a null country); L3 and L4 are in DE
    let leads = format!("{D}/leads.csv");
    assert_eq!(
        kpi(&["--leads", &leads, "--by", "country,month", "--table", "leads"]),
        "country,period,conversion_rate,leads,won\n,2026-03,0.0,1,0\nDE,2026-03,0.5,2,1\nUS,2026-03,0.5,2,1\n"
    );
    assert_eq!(
        kpi(&["--leads", &leads, "--by", "product", "--table", "deals"]),
        "product_line,fulfilment_count,fulfilment_mean,fulfilment_median,fulfilment_p90,fulfilment_sum,sales_cycle_count,sales_cycle_mean,sales_cycle_median,sales_cycle_p90,sales_cycle_sum
pumps,1,72000000.0,72000000.0,72000000,72000000,1,108000000.0,108000000.0,108000000,108000000
valves,1,14400000.0,14400000.0,14400000,14400000,1,25200000.0,25200000.0,25200000,25200000
"
    );
}

#[test]
fn engagement_and_first_deals_from_partner_and_event_files() {
    let (p, e) = (format!("{D}/partners.csv"), format!("{D}/engagement.csv"));
    let with = |table: &str| {
        kpi(&[
            "--by",
            "partner",
            "--partners",
            &p,
            "--engagement",
            &e,
            "--table",
            table,
        ])
    };
    // R2 joined 2026-03-01: its first `won` at 30h gives 54h; R2's login is after `now`
    assert_eq!(
        with("first_deals"),
        "partner,time_to_first_deal_count,time_to_first_deal_mean,time_to_first_deal_median,time_to_first_deal_p90,time_to_first_deal_sum\nR2,1,194400000.0,194400000.0,194400000,194400000\n"
    );
    assert_eq!(with("engagement"), "partner,active_days,events\nP1,2,3\n");
    assert_eq!(
        with("engagement_kinds"),
        "partner,kind,events\nP1,content_download,1\nP1,login,2\n"
    );
}

#[test]
fn json_is_cores_report() {
    let v: serde_json::Value = serde_json::from_str(&kpi(&["--format", "json"])).unwrap();
    assert_eq!(v["now"], 1772769600000_i64);
    assert_eq!(v["assignments"][0]["assignments"], 10);
    assert_eq!(v["assignments"][0]["acceptance_rate"], 0.625);
    assert_eq!(
        v["leads"][0],
        serde_json::json!({"leads": 5, "won": 2, "conversion_rate": 0.4})
    );
    assert_eq!(v["sla"][0]["attainment"], 0.5);
}

#[test]
fn update_partners_writes_measured_values() {
    let p = format!("{D}/partners.csv");
    let out = std::env::temp_dir().join(format!("leadrail-kpi-{}.csv", std::process::id()));
    let out_s = out.to_string_lossy().into_owned();
    kpi(&["--partners", &p, "--update-partners", &out_s]);
    let written = std::fs::read_to_string(&out).unwrap();
    let _ = std::fs::remove_file(&out);
    // P1: 1 accepted of 2 decided, 3 received; X9 had no assignment: 0 received, its
    // (required) acceptance rate kept; every other cell as it was
    assert_eq!(
        written,
        "id,territories,acceptance_rate,leads_received,joined_at
P1,US,0.5,3,2026-02-01
P2,US|DE,0.5,2,
P3,US,0.0,2,
D1,US,1.0,1,
R1,US,1.0,1,
R2,US,1.0,1,2026-03-01
X9,US,0.25,0,
"
    );
    // mapped to other fields; a field the schema lacks is an error naming it
    let rules = format!("{D}/rules.rail");
    let timelines = format!("{D}/timelines.jsonl");
    let err = fails(&[
        "kpi",
        "--rules",
        &rules,
        "--timelines",
        &timelines,
        "--now",
        NOW,
        "--partners",
        &p,
        "--update-partners",
        &out_s,
        "--measure",
        "conversion_rate=nope",
    ]);
    assert_eq!(
        err,
        "error: --update-partners: the partner schema has no field `nope` for measure `conversion_rate`\n  help: declare the field in `schema partner`, or map the measure to one it has\n"
    );
}

#[test]
fn forecast_tables() {
    let (t, l) = (format!("{D}/timelines.jsonl"), format!("{D}/leads.csv"));
    let run = |more: &[&str]| {
        let mut args = vec!["forecast", "--timelines", &t, "--leads", &l, "--now", NOW];
        args.extend(more);
        let o = leadrail(&args);
        assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
        text(&o.stdout)
    };
    // L4 (P1, stage `new`, 300): no closed lead was in `new`, so R = the overall 2/3 and P1's
    // probability (0 + 10 x 2/3) / (0 + 10); L5 has no stage (left out)
    assert_eq!(
        run(&["--by", "partner", "--detail", "--table", "leads"]),
        "partner,stage,lead,amount,probability\nP1,new,L4,300.0,0.6666666666666666\n"
    );
    assert_eq!(
        run(&["--by", "partner,product"]),
        "partner,product_line,amount,expected,leads\nP1,valves,300.0,200.0,1\n"
    );
    let v: serde_json::Value = serde_json::from_str(&run(&["--format", "json"])).unwrap();
    assert_eq!(v["total"]["expected"], 200.0);
    assert_eq!(
        v["range"],
        serde_json::json!({"method": "exact", "p10": 0.0, "p90": 300.0})
    );
}

#[test]
fn bad_inputs_name_the_file_line_record_and_field() {
    let rules = format!("{D}/rules.rail");
    let base = |timelines: &str| {
        vec![
            "kpi".to_string(),
            "--rules".into(),
            rules.clone(),
            "--timelines".into(),
            format!("{D}/{timelines}"),
            "--now".into(),
            NOW.into(),
        ]
    };
    let run = |args: Vec<String>| fails(&args.iter().map(String::as_str).collect::<Vec<_>>());
    let mut a = base("timelines.jsonl");
    a.extend(["--leads".into(), format!("{D}/bad_leads.csv")]);
    assert_eq!(
        run(a),
        format!("error: {D}/bad_leads.csv:3: record `L2`, field `amount`: expected a decimal number, found `lots`\n  help: write a number or a decimal string: `250000.50` or `\"250000.50\"`\n")
    );
    assert_eq!(
        run(base("bad_timelines.jsonl")),
        format!("error: {D}/bad_timelines.jsonl:2: lead `L3`: event 1 (`stage_changed`) at 1772409599000 is earlier than the event before it at 1772409600000 (field `events[1]`)\n  help: record events in the order they happened\n")
    );
    assert_eq!(
        run(base("dup_timelines.jsonl")),
        format!("error: {D}/dup_timelines.jsonl:3: lead `L1` has a second timeline (the first is at {D}/dup_timelines.jsonl:1) (field `lead`)\n  help: merge the lead's events into one timeline\n")
    );
    let mut a = base("timelines.jsonl");
    a.extend(["--tz".into(), "Mars/Olympus".into()]);
    assert!(run(a).starts_with("error: unknown time zone `Mars/Olympus`"));
    let mut a = base("timelines.jsonl");
    a.extend(["--table".into(), "nope".into()]);
    assert!(
        run(a).starts_with("error: no table `nope`\n  help: tables are assignments, rejections,")
    );
}
