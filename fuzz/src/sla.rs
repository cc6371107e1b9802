//! SLA timelines from JSON, evaluated with a small fixed policy set and calendars.
//!
//! Properties: `timeline_from_json` and the evaluation return values (never panic); an
//! evaluation serialises; evaluating again with every due action marked done (by id, or by the
//! returned cursor) leaves nothing due; the JSON facade (`evaluate_sla_json`) answers any text.

use std::collections::{BTreeMap, HashSet};
use std::sync::OnceLock;

use leadrail_core::api::{
    evaluate_sla, evaluate_sla_json, timeline_from_json, InstantJson, PartnerCalendarJson,
    PartnerCalendarMap, SlaRequest,
};
use leadrail_core::sla::{Done, SlaSet};
use serde_json::Value as Json;

/// The fixed rules: wall-clock and business-time SLAs on three calendars (a DST zone, a holiday
/// file, closures, a round-the-clock calendar, a partner's calendar), pauses, stage clocks,
/// warnings and every breach action.
pub const RULES: &str = r#"
ruleset "fuzz-sla" version 1
schema lead    { region: region }
schema partner { territories: set<region>, calendar: text }
route "territory" { require partner.territories covers lead.region }

calendar "us" {
  timezone "America/Chicago"
  hours mon-fri 09:00-17:00
  closed 2026-11-26
  holidays "us.txt"
}
calendar "de" { timezone "Europe/Berlin"  hours mon-fri 08:00-12:00, 13:00-17:00 }
calendar "always" { timezone "America/Chicago"  hours mon-sun 00:00-24:00 }

sla accept { start assigned, reassigned  stop accepted, rejected  goal 8h business "us"
             warn 50%, 75%  on breach retract and reroute }
sla first_contact { start accepted  stop contacted  pause while waiting_on_customer
                    goal 16h business partner.calendar  on breach escalate "channel-manager" }
sla stalled { each stage except won, lost  goal 7d  on breach alert "stalled lead" }
sla round_clock { start assigned  stop accepted  goal 48h business "always"  warn 90%
                  on breach remind }
"#;

const HOLIDAYS: &str =
    "# US\n2026-12-24 Christmas Eve\n2026-12-25\n2026-12-28..2026-12-31 year end\n";

/// The SLA set of [`RULES`] (built once).
pub fn set() -> &'static SlaSet {
    static SET: OnceLock<SlaSet> = OnceLock::new();
    SET.get_or_init(|| {
        let files = BTreeMap::from([("us.txt".to_string(), HOLIDAYS.to_string())]);
        let compiled = leadrail_dsl::compile_with_files(RULES, "sla.rail", &files)
            .unwrap_or_else(|e| panic!("the fixed SLA rules compile: {e}"));
        leadrail_core::api::sla_set(&compiled.plan)
            .unwrap_or_else(|e| panic!("the fixed SLA set builds: {e:?}"))
    })
}

fn partner_calendars() -> PartnerCalendarMap {
    PartnerCalendarMap(BTreeMap::from([
        ("P1".to_string(), PartnerCalendarJson::Name("de".into())),
        (
            "P2".to_string(),
            PartnerCalendarJson::Fields(BTreeMap::from([("calendar".into(), "us".into())])),
        ),
        (
            "P3".to_string(),
            PartnerCalendarJson::Name("nowhere".into()),
        ),
    ]))
}

/// Evaluation instants: around the DST change, the holidays, far past and far future, and the
/// instants near the timeline's own events.
fn nows(events: &[i64]) -> Vec<i64> {
    let mut out = vec![
        1_795_510_800_000, // 2026-11-24T09:00:00Z
        1_793_530_800_000, // 2026-11-01T09:00:00Z (US DST ends that night)
        1_798_700_400_000, // 2026-12-31T23:00:00Z
        0,
        -62_135_596_800_000, // 0001-01-01
        253_402_300_799_000, // 9999-12-31T23:59:59Z
        i64::MIN,
        i64::MAX,
    ];
    for t in events.iter().take(4) {
        out.push(*t);
        out.push(t.saturating_add(3_600_000));
        out.push(t.saturating_add(9 * 86_400_000));
    }
    out
}

/// Evaluates the timelines in `data` (a JSON timeline, an array of them, or a whole SLA
/// request) and checks the properties above.
pub fn evaluate_bytes(data: &[u8]) {
    let set = set();
    if let Ok(text) = std::str::from_utf8(data) {
        let answer = evaluate_sla_json(set, text);
        assert!(
            serde_json::from_str::<Json>(&answer).is_ok(),
            "the answer is JSON"
        );
    }
    let Ok(json) = serde_json::from_slice::<Json>(data) else {
        return;
    };
    let timelines: Vec<Json> = match json {
        Json::Array(items) => items,
        Json::Object(ref o) if o.contains_key("timelines") => match o.get("timelines") {
            Some(Json::Array(items)) => items.clone(),
            _ => return,
        },
        other => vec![other],
    };
    let calendars = partner_calendars();
    for t in timelines.iter().take(8) {
        let timeline = match timeline_from_json(t) {
            Ok(tl) => tl,
            Err(e) => {
                assert!(!e.code.is_empty() && !e.message.is_empty());
                continue;
            }
        };
        let events: Vec<i64> = timeline.events.iter().map(|e| e.at).collect();
        for now in nows(&events) {
            let Ok(first) = set.evaluate_with(&timeline, now, &Done::Nothing, &calendars) else {
                continue;
            };
            let json = serde_json::to_string(&first).expect("an evaluation serialises");
            let ids: HashSet<String> = first.due.iter().map(|d| d.id.to_string()).collect();
            let again = set
                .evaluate_with(&timeline, now, &Done::Ids(ids), &calendars)
                .unwrap_or_else(|e| panic!("a second evaluation fails: {e}\n{t}"));
            assert!(
                again.due.is_empty(),
                "actions still due after marking them done (now {now})\n--- timeline ---\n{t}\n--- first ---\n{json}"
            );
            let cursor = set
                .evaluate_with(&timeline, now, &Done::Cursor(first.cursor), &calendars)
                .unwrap_or_else(|e| panic!("an evaluation from the cursor fails: {e}\n{t}"));
            assert!(
                cursor.due.is_empty(),
                "actions still due after the cursor (now {now})\n--- timeline ---\n{t}\n--- first ---\n{json}"
            );
            assert_eq!(first.slas, again.slas, "done ids changed the statuses");
        }
    }
    // the same timelines as one request (the path the bindings and the CLI take)
    let req = SlaRequest {
        timelines: timelines.into_iter().take(8).collect(),
        now: InstantJson::Millis(1_795_510_800_000),
        done: None,
        partner_calendars: partner_calendars(),
    };
    if let Ok(answer) = evaluate_sla(set, &req) {
        let _ = serde_json::to_string(&answer).expect("an answer serialises");
    }
}
