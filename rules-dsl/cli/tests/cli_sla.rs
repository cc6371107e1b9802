//! `leadrail sla`: states, due actions and re-routes of the industrial example's timelines; bad
//! timelines name the lead and the event and exit 2.

mod cli_support;
use cli_support::leadrail;

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

const EXAMPLE: [&str; 8] = [
    "sla",
    "--rules",
    "examples/industrial/rules.rail",
    "--timelines",
    "examples/industrial/timelines.json",
    "--partners",
    "examples/industrial/partner-calendars.csv",
    "--now",
];

#[test]
fn example_text_output_is_exact() {
    let mut args = EXAMPLE.to_vec();
    args.push("2026-11-27T12:00:00Z");
    let o = leadrail(&args);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    // L-0002: assigned Tue 14:00 Chicago; 8 business hours = Tue 14-17 + Wed 08-12, 13-14, so
    // due Wed 14:00 (20:00Z); 50% = 4h at Wed 09:00 (15:00Z), 75% = 6h at Wed 11:00 (17:00Z).
    // Thanksgiving and the day after are holidays (us-holidays.txt): only 11h have elapsed.
    assert!(out.contains(
        "lead L-0002\n  accept           breached  elapsed   11h00m  remaining    0h00m  due 2026-11-25T20:00:00Z  partner K-045\n  due accept:warn:50 at 2026-11-25T15:00:00Z (warning at 50%)\n  due accept:warn:75 at 2026-11-25T17:00:00Z (warning at 75%)\n  due accept:breach:remind at 2026-11-25T20:00:00Z (breach: remind)\n  due accept:breach:reroute at 2026-11-25T20:00:00Z (breach: reroute)\n  reroute: retract from K-045; exclude K-045 (timed out on accept)\n"
    ), "{out}");
    // L-0003: rejected by K-007, accepted by D-DE-1, paused while waiting on the customer
    assert!(out.contains(
        "lead L-0003\n  accept           met       elapsed    2h00m  remaining    6h00m  partner K-007\n  accept#1         met       elapsed    3h00m  remaining    5h00m  partner D-DE-1\n  first_contact    paused    elapsed    3h00m  remaining   13h00m  partner D-DE-1\n"
    ), "{out}");
    // L-0004 on the Toronto calendar (08:30-17:00): 3h on Thursday, the 50% warning at 09:30
    // Friday, due at 13:30 Friday
    assert!(out.contains(
        "lead L-0004\n  accept           running   elapsed    3h00m  remaining    5h00m  due 2026-11-27T18:30:00Z  partner K-002\n  next deadline 2026-11-27T14:30:00Z\n"
    ), "{out}");
    assert!(out.contains("  stalled#1        breached  elapsed  384h00m  remaining    0h00m  due 2026-11-24T16:00:00Z  partner K-004  stage proposal\n  due stalled#1:breach:alert at 2026-11-24T16:00:00Z (breach: alert)\n"), "{out}");
}

#[test]
fn example_json_output_has_evaluations_and_reroutes() {
    let mut args = EXAMPLE.to_vec();
    args.extend(["2026-11-27T12:00:00Z", "--format", "json"]);
    let o = leadrail(&args);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let leads = v.as_array().unwrap();
    assert_eq!(leads.len(), 5);
    let l2 = &leads[1];
    assert_eq!(l2["lead"], "L-0002");
    assert_eq!(l2["slas"][0]["state"], "breached");
    assert_eq!(l2["due"].as_array().unwrap().len(), 4);
    assert_eq!(l2["reroute"]["retract"], "K-045");
    assert_eq!(l2["reroute"]["trigger"]["id"], "accept:breach:reroute");
    assert_eq!(l2["reroute"]["exclude"][0]["partner"], "K-045");
    assert_eq!(l2["reroute"]["exclude"][0]["reason"]["kind"], "timed_out");
    assert!(leads[0].get("reroute").is_none());
    assert_eq!(leads[3]["next_deadline"], 1_795_789_800_000_i64); // 2026-11-27T14:30:00Z
}

#[test]
fn bad_timelines_name_lead_and_event_and_exit_2() {
    let o = leadrail(&[
        "sla",
        "--rules",
        "examples/industrial/rules.rail",
        "--timelines",
        "rules-dsl/cli/tests/cli_sla/bad.jsonl",
        "--partners",
        "examples/industrial/partner-calendars.csv",
        "--now",
        "2026-11-27T12:00:00Z",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = text(&o.stderr);
    assert!(err.contains("bad.jsonl:1: lead `B1`: event 1 (`accepted`) at 1795528800000 is earlier than the event before it at 1795532400000\n  help: record events in the order they happened\n"), "{err}");
    assert!(err.contains("bad.jsonl:2: lead `B2`: event 1 (`accepted`) by `P2`, but the lead is assigned to `P1`\n"), "{err}");
    assert!(
        err.contains(
            "bad.jsonl:3: lead `B3`: event 0: `at` `yesterday` is not an RFC 3339 instant\n"
        ),
        "{err}"
    );
    // the event and the field are named (issue 10)
    assert!(
        err.contains("bad.jsonl:4: lead `B4`: event 0: unknown event `teleported`\n"),
        "{err}"
    );
    assert!(
        err.contains("bad.jsonl:6: lead `B5`: event 0: `partner` must be text, not `5`\n"),
        "{err}"
    );
    assert!(
        err.contains("bad.jsonl:7: lead `B6`: event 1 (`assigned`) has no `partner`\n"),
        "{err}"
    );
    // P1 has no calendar for the partner-calendar SLAs
    assert!(err.contains("bad.jsonl:5: sla `accept` on lead `G1`: no calendar for partner `P1` in field `calendar`\n"), "{err}");
    assert_eq!(text(&o.stdout), "");
}

#[test]
fn a_bad_now_is_a_usage_error() {
    let mut args = EXAMPLE.to_vec();
    args.push("tomorrow");
    let o = leadrail(&args);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("--now `tomorrow` is not an RFC 3339 instant"));
}
