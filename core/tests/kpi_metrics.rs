//! Issue 14: every KPI definition on crafted leads with hand-computed values (the definitions
//! are in `core/src/kpi/mod.rs` and `docs/kpi.md`).
#![expect(clippy::unwrap_used, reason = "test code")]

mod kpi_support;

use kpi_support::*;
use leadrail_core::kpi::{
    self, EngagementEvent, GroupBy, Joined, KpiInput, KpiOptions, KpiReport, LeadInfo, PartnerInfo,
    Stats,
};
use leadrail_core::sla::NoPartnerCalendars;
use leadrail_core::timeline::Timeline;

/// `now` of the scenario: 100 hours after T0.
const NOW: i64 = T0 + 100 * H;

/// The scenario's leads (hours after T0, a Monday):
/// - L1: rejected by P1, assigned to P1 again, re-routed twice (P2, P3), lost;
/// - L2: a hand-down chain D1 -> R1 -> R2, won by the reseller R2, ordered, delivered;
/// - L3: `delivered` without `won`;
/// - L4: open, pending, a stage entered twice (same stage), a stage reopened;
/// - L5: open, its `accepted` after `now`;
/// - L6: its only event after `now` (not a lead yet).
fn scenario() -> Vec<Timeline> {
    vec![
        tl(
            "L1",
            vec![
                assigned(0, "P1"),
                viewed(1),
                rejected(2, "P1", "too far"),
                assigned(3, "P1"),
                accepted(5, "P1"),
                contacted(6),
                reassigned(10, "P2"),
                reassigned(12, "P3"),
                viewed(13),
                stage(20, "qualified"),
                lost(30),
            ],
        ),
        tl(
            "L2",
            vec![
                assigned(0, "D1"),
                accepted(1, "D1"),
                handed_down(2, "R1"),
                handed_down(4, "R2"),
                accepted(5, "R2"),
                stage(6, "proposal"),
                contacted(8),
                won(30),
                ordered(40),
                delivered(60),
            ],
        ),
        tl(
            "L3",
            vec![
                assigned(0, "P2"),
                stage(2, "negotiation"),
                ordered(3),
                delivered(7),
            ],
        ),
        tl(
            "L4",
            vec![
                assigned(0, "P1"),
                stage(1, "new"),
                stage(2, "qualified"),
                stage(2, "qualified"),
                stage(5, "new"),
            ],
        ),
        tl("L5", vec![assigned(0, "P3"), accepted(200, "P3")]),
        tl("L6", vec![assigned(150, "P1")]),
    ]
}

fn report(timelines: &[Timeline], by: &[&str]) -> KpiReport {
    let opts = KpiOptions {
        by: GroupBy::parse(by.iter().copied()).unwrap(),
        untouched_after: Some(96 * H),
        ..KpiOptions::default()
    };
    kpi::kpis(&KpiInput::new(timelines), NOW, &opts).unwrap()
}

/// Statistics of hour values, for comparisons.
fn hours(v: &[i64]) -> Stats {
    let mut ms: Vec<i64> = v.iter().map(|h| h * H).collect();
    Stats::of(&mut ms)
}

#[test]
fn assignments_acceptance_conversion_and_response_in_total() {
    let r = report(&scenario(), &[]);
    assert_eq!(r.assignments.len(), 1);
    let a = &r.assignments[0];
    // L1: 4 (P1, P1, P2, P3), L2: 3 (D1, R1, R2), L3: 1, L4: 1, L5: 1; L6 is after `now`
    assert_eq!(a.assignments, 10);
    // accepted: L1's second P1 holding, D1 and R1 (their own hand-downs), R2, L3 (delivered
    // implies won); rejected: L1's first; lapsed: L1's P2 (reassigned) and P3 (lost); pending:
    // L4, L5 (its `accepted` is after `now`)
    assert_eq!((a.accepted, a.rejected, a.lapsed, a.pending), (5, 1, 2, 2));
    assert_eq!(a.acceptance_rate, Some(5.0 / 8.0));
    // converted: the whole chain D1, R1, R2 (won by R2) and L3
    assert_eq!(a.converted, 4);
    assert_eq!(a.conversion_rate, Some(0.4));
    // responses: L1 2h (rejected; `viewed` is none), 2h (accepted), none (P2's holding ends by
    // `reassigned`), 8h (P3: `viewed` is none, the stage change at 20h is); L2 1h, 2h (R1's
    // hand-down), 1h; L3 2h (a stage change); L4 1h; L5 none
    assert_eq!(a.response_time, hours(&[2, 2, 8, 1, 2, 1, 2, 1]));
    assert_eq!(a.response_time.count, 8);
    assert_eq!(a.response_time.sum, Some(19 * H));
    assert_eq!(a.response_time.mean, Some(19.0 * H as f64 / 8.0));
    assert_eq!(a.response_time.median, Some(2.0 * H as f64));
    assert_eq!(a.response_time.p90, Some(8 * H));
    // first contact: L1's second P1 holding 3h, R2 4h (a `contacted` without partner)
    assert_eq!(a.first_contact, hours(&[3, 4]));
    assert_eq!(a.first_contact.median, Some(3.5 * H as f64));
    assert_eq!(r.rejections.len(), 1);
    assert_eq!(
        (r.rejections[0].reason.as_str(), r.rejections[0].count),
        ("too far", 1)
    );
}

#[test]
fn assignments_by_partner() {
    let r = report(&scenario(), &["partner"]);
    // partner, assignments, accepted, rejected, lapsed, pending, rate, converted, response
    type Row = (String, u64, u64, u64, u64, u64, Option<f64>, u64, Stats);
    let got: Vec<Row> = r
        .assignments
        .iter()
        .map(|a| {
            (
                a.key.partner.clone().unwrap(),
                a.assignments,
                a.accepted,
                a.rejected,
                a.lapsed,
                a.pending,
                a.acceptance_rate,
                a.converted,
                a.response_time.clone(),
            )
        })
        .collect();
    let want = vec![
        ("D1".to_string(), 1, 1, 0, 0, 0, Some(1.0), 1, hours(&[1])),
        (
            "P1".to_string(),
            3,
            1,
            1,
            0,
            1,
            Some(0.5),
            0,
            hours(&[2, 2, 1]),
        ),
        ("P2".to_string(), 2, 1, 0, 1, 0, Some(0.5), 1, hours(&[2])),
        ("P3".to_string(), 2, 0, 0, 1, 1, Some(0.0), 0, hours(&[8])),
        ("R1".to_string(), 1, 1, 0, 0, 0, Some(1.0), 1, hours(&[2])),
        ("R2".to_string(), 1, 1, 0, 0, 0, Some(1.0), 1, hours(&[1])),
    ];
    assert_eq!(got, want);
    let json = serde_json::to_value(&r.assignments[1]).unwrap();
    assert_eq!(json["partner"], "P1");
    assert_eq!(json["conversion_rate"], 0.0);
    assert!(
        json.get("period").is_none(),
        "only grouped dimensions: {json}"
    );
}

#[test]
fn lead_conversion_counts_delivered_as_won() {
    let r = report(&scenario(), &[]);
    assert_eq!(r.leads.len(), 1);
    // L1..L5 (L6 has no event by `now`); won: L2, and L3 by its `delivered`
    assert_eq!((r.leads[0].leads, r.leads[0].won), (5, 2));
    assert_eq!(r.leads[0].conversion_rate, Some(0.4));
    // lead conversion has no partner, even when grouped by partner
    let r = report(&scenario(), &["partner"]);
    assert_eq!(r.leads.len(), 1);
    assert!(serde_json::to_value(&r.leads[0])
        .unwrap()
        .get("partner")
        .is_none());
}

#[test]
fn open_leads_age_and_untouched_ignore_events_after_now() {
    let r = report(&scenario(), &["partner"]);
    let open: Vec<(Option<&str>, u64, Stats, Option<u64>)> = r
        .open_leads
        .iter()
        .map(|o| (o.key.partner.as_deref(), o.open, o.age.clone(), o.untouched))
        .collect();
    // L4 (P1): last event at 5h, 95h before `now`; L5 (P3): its `accepted` at 200h does not
    // count, so its last event is at 0h, 100h before `now` (untouched for 96h)
    assert_eq!(
        open,
        vec![
            (Some("P1"), 1, hours(&[100]), Some(0)),
            (Some("P3"), 1, hours(&[100]), Some(1)),
        ]
    );
}

#[test]
fn time_in_stage_with_a_reopened_stage() {
    let r = report(&scenario(), &[]);
    let stages: Vec<(&str, Stats, u64, Option<f64>)> = r
        .stages
        .iter()
        .map(|s| {
            (
                s.stage.as_str(),
                s.time_in_stage.clone(),
                s.open,
                s.open_mean_age,
            )
        })
        .collect();
    assert_eq!(
        stages,
        vec![
            // L3: 2h -> 7h, closed by the `delivered` (and the `won` it implies)
            ("negotiation", hours(&[5]), 0, None),
            // L4: 1h -> 2h, then reopened at 5h and open at `now` (age 95h)
            ("new", hours(&[1]), 1, Some(95.0 * H as f64)),
            // L2: 6h -> won at 30h
            ("proposal", hours(&[24]), 0, None),
            // L1: 20h -> lost at 30h; L4: 2h -> 5h (the repeated `qualified` changes nothing)
            ("qualified", hours(&[10, 3]), 0, None),
        ]
    );
    // the holder at the opening: L1's `qualified` is P3's, L4's P1's
    let r = report(&scenario(), &["partner"]);
    let q: Vec<(Option<&str>, Stats)> = r
        .stages
        .iter()
        .filter(|s| s.stage == "qualified")
        .map(|s| (s.key.partner.as_deref(), s.time_in_stage.clone()))
        .collect();
    assert_eq!(
        q,
        vec![(Some("P1"), hours(&[3])), (Some("P3"), hours(&[10]))]
    );
}

#[test]
fn sales_cycle_and_order_fulfilment() {
    let r = report(&scenario(), &["partner"]);
    let deals: Vec<(Option<&str>, Stats, Stats)> = r
        .deals
        .iter()
        .map(|d| {
            (
                d.key.partner.as_deref(),
                d.sales_cycle.clone(),
                d.fulfilment.clone(),
            )
        })
        .collect();
    assert_eq!(
        deals,
        vec![
            // L3: won (implied) at 7h, ordered at 3h, delivered at 7h
            (Some("P2"), hours(&[7]), hours(&[4])),
            // L2: won by the reseller at 30h; ordered at 40h, delivered at 60h
            (Some("R2"), hours(&[30]), hours(&[20])),
        ]
    );
}

#[test]
fn sla_attainment_per_partner() {
    let timelines = scenario();
    let set = accept_sla(4);
    let input = KpiInput::new(&timelines).with_slas(&set, &NoPartnerCalendars);
    let opts = KpiOptions {
        by: GroupBy::parse(["partner"]).unwrap(),
        ..KpiOptions::default()
    };
    let r = kpi::kpis(&input, NOW, &opts).unwrap();
    type Row<'a> = (Option<&'a str>, &'a str, u64, u64, Option<f64>);
    let got: Vec<Row> = r
        .sla
        .iter()
        .map(|s| {
            (
                s.key.partner.as_deref(),
                s.sla.as_str(),
                s.met,
                s.breached,
                s.attainment,
            )
        })
        .collect();
    // L1: P1 met twice (rejected at 2h, accepted 2h after the new assignment); L2: D1 met;
    // L3: P2 breached at 4h (no stop before `delivered`); L4: P1 still running past its due
    // instant: breached; L5: P3's `accepted` is after `now`: breached
    assert_eq!(
        got,
        vec![
            (Some("D1"), "accept", 1, 0, Some(1.0)),
            (Some("P1"), "accept", 2, 1, Some(2.0 / 3.0)),
            (Some("P2"), "accept", 0, 1, Some(0.0)),
            (Some("P3"), "accept", 0, 1, Some(0.0)),
        ]
    );
    // dated: met at the stop, breached at due (T0 + 4h, the first day)
    let opts = KpiOptions {
        by: GroupBy::parse(["day"]).unwrap(),
        ..KpiOptions::default()
    };
    let r = kpi::kpis(&input, NOW, &opts).unwrap();
    assert_eq!(r.sla.len(), 1);
    assert_eq!(r.sla[0].key.period.as_deref(), Some("2026-03-02"));
    assert_eq!((r.sla[0].met, r.sla[0].breached), (3, 3));
}

#[test]
fn engagement_and_first_deals() {
    let timelines = scenario();
    let event = |p: &str, h: i64, kind: &str| EngagementEvent {
        partner: p.into(),
        at: at(h),
        kind: kind.into(),
    };
    let engagement = vec![
        event("P1", 1, "login"),
        event("P1", 2, "login"),
        event("P1", 30, "content_download"),
        event("P2", 50, "login"),
        event("P1", 150, "login"), // after `now`
    ];
    let partners = vec![
        PartnerInfo {
            id: "R2".into(),
            joined_at: Some(Joined::Date(
                chrono::NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(),
            )),
        },
        PartnerInfo {
            id: "P2".into(),
            joined_at: Some(Joined::At(at(-10))),
        },
        PartnerInfo {
            id: "D1".into(),
            joined_at: None,
        },
    ];
    let input = KpiInput::new(&timelines)
        .with_engagement(&engagement)
        .with_partners(&partners);
    let opts = KpiOptions {
        by: GroupBy::parse(["partner", "day"]).unwrap(),
        ..KpiOptions::default()
    };
    let r = kpi::kpis(&input, NOW, &opts).unwrap();
    let eng: Vec<(Option<&str>, Option<&str>, u64, u64)> = r
        .engagement
        .iter()
        .map(|e| {
            (
                e.key.partner.as_deref(),
                e.key.period.as_deref(),
                e.events,
                e.active_days,
            )
        })
        .collect();
    assert_eq!(
        eng,
        vec![
            (Some("P1"), Some("2026-03-02"), 2, 1),
            (Some("P1"), Some("2026-03-03"), 1, 1),
            (Some("P2"), Some("2026-03-04"), 1, 1),
        ]
    );
    let first: Vec<(Option<&str>, Option<&str>, Stats)> = r
        .first_deals
        .iter()
        .map(|f| {
            (
                f.key.partner.as_deref(),
                f.key.period.as_deref(),
                f.time_to_first_deal.clone(),
            )
        })
        .collect();
    // P2: L3's implied `won` at 7h, joined 10h before T0; R2: won at 30h, joined on the day
    // before T0 (its local start, UTC). D1 never held a lead at `won`.
    assert_eq!(
        first,
        vec![
            (Some("P2"), Some("2026-03-02"), hours(&[17])),
            (Some("R2"), Some("2026-03-03"), hours(&[54])),
        ]
    );
    // totals: active days per partner, summed over partners' rows by kind
    let opts = KpiOptions {
        by: GroupBy::parse(["partner"]).unwrap(),
        ..KpiOptions::default()
    };
    let r = kpi::kpis(&input, NOW, &opts).unwrap();
    assert_eq!(
        r.engagement
            .iter()
            .map(|e| (e.events, e.active_days))
            .collect::<Vec<_>>(),
        vec![(3, 2), (1, 1)]
    );
    let kinds: Vec<(Option<&str>, &str, u64)> = r
        .engagement_kinds
        .iter()
        .map(|k| (k.key.partner.as_deref(), k.kind.as_str(), k.events))
        .collect();
    assert_eq!(
        kinds,
        vec![
            (Some("P1"), "content_download", 1),
            (Some("P1"), "login", 2),
            (Some("P2"), "login", 1),
        ]
    );
}

/// One assignment per lead, at each instant.
fn assignments_at(instants: &[i64]) -> Vec<Timeline> {
    instants
        .iter()
        .enumerate()
        .map(|(i, &t)| {
            let mut e = assigned(0, "P1");
            e.at = t;
            tl(&format!("L{i}"), vec![e])
        })
        .collect()
}

fn per_period(timelines: &[Timeline], by: &str, tz: &str, now: i64) -> Vec<(String, u64)> {
    let opts = KpiOptions {
        by: GroupBy::parse([by]).unwrap(),
        tz: kpi::parse_tz(tz).unwrap(),
        ..KpiOptions::default()
    };
    let r = kpi::kpis(&KpiInput::new(timelines), now, &opts).unwrap();
    r.assignments
        .iter()
        .map(|a| (a.key.period.clone().unwrap(), a.assignments))
        .collect()
}

#[test]
fn days_across_a_dst_change_in_the_zone() {
    // Europe/Berlin springs forward on 2026-03-29: that day is 23 hours long
    let ts = assignments_at(&[
        ms("2026-03-28T22:59:00Z"), // 03-28 23:59 CET
        ms("2026-03-28T23:30:00Z"), // 03-29 00:30 CET
        ms("2026-03-29T21:59:00Z"), // 03-29 23:59 CEST
        ms("2026-03-29T22:00:00Z"), // 03-30 00:00 CEST
    ]);
    let now = ms("2026-04-01T00:00:00Z");
    let s = |v: &[(&str, u64)]| -> Vec<(String, u64)> {
        v.iter().map(|(p, n)| (p.to_string(), *n)).collect()
    };
    assert_eq!(
        per_period(&ts, "day", "Europe/Berlin", now),
        s(&[("2026-03-28", 1), ("2026-03-29", 2), ("2026-03-30", 1)])
    );
    assert_eq!(
        per_period(&ts, "day", "UTC", now),
        s(&[("2026-03-28", 2), ("2026-03-29", 2)])
    );
    // falling back on 2026-10-25: 25 hours
    let ts = assignments_at(&[
        ms("2026-10-24T21:59:00Z"), // 10-24 23:59 CEST
        ms("2026-10-24T22:00:00Z"), // 10-25 00:00 CEST
        ms("2026-10-25T22:59:00Z"), // 10-25 23:59 CET
        ms("2026-10-25T23:00:00Z"), // 10-26 00:00 CET
    ]);
    assert_eq!(
        per_period(&ts, "day", "Europe/Berlin", ms("2026-11-01T00:00:00Z")),
        s(&[("2026-10-24", 1), ("2026-10-25", 2), ("2026-10-26", 1)])
    );
}

#[test]
fn iso_weeks_across_the_week_year_boundary_in_the_zone() {
    let ts = assignments_at(&[
        ms("2025-12-29T12:00:00Z"), // Monday of ISO week 2026-W01
        ms("2026-12-28T05:00:00Z"), // Monday 00:00 in New York: 2026-W53
        ms("2027-01-04T04:30:00Z"), // Sunday 2027-01-03 23:30 in New York: still 2026-W53
        ms("2027-01-04T05:00:00Z"), // Monday 2027-01-04 00:00: 2027-W01
    ]);
    let now = ms("2027-02-01T00:00:00Z");
    let s = |v: &[(&str, u64)]| -> Vec<(String, u64)> {
        v.iter().map(|(p, n)| (p.to_string(), *n)).collect()
    };
    assert_eq!(
        per_period(&ts, "week", "America/New_York", now),
        s(&[("2026-W01", 1), ("2026-W53", 2), ("2027-W01", 1)])
    );
    assert_eq!(
        per_period(&ts, "week", "UTC", now),
        s(&[("2026-W01", 1), ("2026-W53", 1), ("2027-W01", 2)])
    );
    // quarters go by the calendar date: 2027-01-03 is in 2027-Q1 though in week 2026-W53
    assert_eq!(
        per_period(&ts, "quarter", "America/New_York", now),
        s(&[("2025-Q4", 1), ("2026-Q4", 1), ("2027-Q1", 2)])
    );
}

#[test]
fn an_empty_period_has_no_row_and_empty_sets_are_null() {
    // January and March have an assignment each, February none
    let ts = assignments_at(&[ms("2026-01-10T00:00:00Z"), ms("2026-03-10T00:00:00Z")]);
    let now = ms("2026-04-01T00:00:00Z");
    let opts = KpiOptions {
        by: GroupBy::parse(["month"]).unwrap(),
        ..KpiOptions::default()
    };
    let r = kpi::kpis(&KpiInput::new(&ts), now, &opts).unwrap();
    let months: Vec<&str> = r
        .assignments
        .iter()
        .map(|a| a.key.period.as_deref().unwrap())
        .collect();
    assert_eq!(months, vec!["2026-01", "2026-03"]);
    // a pending assignment: no decided one, no response, no contact
    let a = &r.assignments[0];
    assert_eq!(a.acceptance_rate, None);
    assert_eq!(a.conversion_rate, Some(0.0));
    let json = serde_json::to_value(&a.response_time).unwrap();
    assert_eq!(
        json,
        serde_json::json!({"count": 0, "sum": null, "mean": null, "median": null, "p90": null})
    );
    assert!(r.deals.is_empty() && r.stages.is_empty() && r.sla.is_empty());
}

#[test]
fn regions_by_country_or_subdivision_and_product_lines() {
    let ts = assignments_at(&[at(0), at(1), at(2), at(3)]);
    let lead = |id: &str, region: Option<&str>, product: Option<&str>| LeadInfo {
        id: id.into(),
        amount: None,
        region: region.map(str::to_string),
        product_line: product.map(str::to_string),
    };
    let leads = vec![
        lead("L0", Some("US-TX:750"), Some("pumps")),
        lead("L1", Some("US-CA"), Some("pumps")),
        lead("L2", Some("DE"), Some("valves")),
        // L3 has no record: nulls
    ];
    let input = KpiInput::new(&ts).with_leads(&leads);
    let keys = |by: &[&str]| -> Vec<(Option<String>, Option<String>, u64)> {
        let opts = KpiOptions {
            by: GroupBy::parse(by.iter().copied()).unwrap(),
            ..KpiOptions::default()
        };
        kpi::kpis(&input, NOW, &opts)
            .unwrap()
            .assignments
            .iter()
            .map(|a| {
                (
                    a.key.region.clone(),
                    a.key.product_line.clone(),
                    a.assignments,
                )
            })
            .collect()
    };
    let o = |s: &str| Some(s.to_string());
    assert_eq!(
        keys(&["country"]),
        vec![(None, None, 1), (o("DE"), None, 1), (o("US"), None, 2)]
    );
    assert_eq!(
        keys(&["region", "product"]),
        vec![
            (None, None, 1),
            (o("DE"), o("valves"), 1),
            (o("US-CA"), o("pumps"), 1),
            (o("US-TX"), o("pumps"), 1),
        ]
    );
    let opts = KpiOptions {
        by: GroupBy::parse(["country"]).unwrap(),
        ..KpiOptions::default()
    };
    let r = kpi::kpis(&input, NOW, &opts).unwrap();
    let json = serde_json::to_value(&r.assignments[2]).unwrap();
    assert_eq!(json["country"], "US");
}

#[test]
fn the_result_does_not_depend_on_threads() {
    // enough leads to run in parallel: the scenario repeated under new ids
    let mut ts = Vec::new();
    for k in 0..400 {
        for t in scenario() {
            ts.push(tl(&format!("{}-{k}", t.lead), t.events));
        }
    }
    let set = accept_sla(4);
    let input = KpiInput::new(&ts).with_slas(&set, &NoPartnerCalendars);
    let run = |threads| {
        let opts = KpiOptions {
            by: GroupBy::parse(["partner", "day"]).unwrap(),
            threads,
            ..KpiOptions::default()
        };
        kpi::kpis_and_forecast(&input, NOW, &opts).unwrap()
    };
    let one = run(Some(1));
    assert_eq!(one, run(Some(2)));
    assert_eq!(one, run(Some(3)));
    assert_eq!(one, run(None));
    assert_eq!(one.0.leads[0].leads, 400 * 5);
}

#[test]
fn bad_timelines_fail_the_call_naming_the_lead_and_field() {
    let mut ts = scenario();
    // L3: `ordered` before `stage_changed`'s instant
    ts[2].events.swap(1, 2);
    let err = kpi::kpis(&KpiInput::new(&ts), NOW, &KpiOptions::default()).unwrap_err();
    assert_eq!(err.code, "leadrail::timeline::out_of_order");
    assert_eq!(err.record.as_deref(), Some("L3"));
    assert_eq!(err.field.as_deref(), Some("events[2]"));

    let mut ts = scenario();
    ts.push(tl("L2", vec![assigned(0, "P1")]));
    let err = kpi::kpis(&KpiInput::new(&ts), NOW, &KpiOptions::default()).unwrap_err();
    assert_eq!(err.code, "leadrail::data::duplicate_id");
    assert_eq!(err.record.as_deref(), Some("L2"));
    assert_eq!(err.field.as_deref(), Some("lead"));
    assert_eq!(err.message, "lead `L2` has two timelines (#2 and #7)");
    let err = kpi::forecast(&KpiInput::new(&ts), NOW, &KpiOptions::default()).unwrap_err();
    assert_eq!(err.record.as_deref(), Some("L2"));

    let ts = scenario();
    let leads = vec![
        LeadInfo {
            id: "L1".into(),
            ..LeadInfo::default()
        };
        2
    ];
    let err = kpi::kpis(
        &KpiInput::new(&ts).with_leads(&leads),
        NOW,
        &KpiOptions::default(),
    )
    .unwrap_err();
    assert_eq!(
        (err.record.as_deref(), err.field.as_deref()),
        (Some("L1"), Some("id"))
    );

    let err = kpi::parse_tz("Mars/Olympus").unwrap_err();
    assert_eq!(err.code, "leadrail::calendar::unknown_time_zone");
    let err = GroupBy::parse(["partner", "fortnight"]).unwrap_err();
    assert_eq!(err.message, "unknown grouping `fortnight`");
    let err = GroupBy::parse(["country", "region"]).unwrap_err();
    assert_eq!(err.code, "leadrail::request::invalid");
}

#[test]
fn the_json_call_reads_records_strictly_and_answers_errors() {
    use leadrail_core::kpi::request;
    let answer = |text: &str| -> serde_json::Value {
        serde_json::from_str(&request::kpi_json(None, text)).unwrap()
    };
    let ok = answer(
        r#"{"timelines": [{"lead": "L1", "events": [{"at": "2026-03-02T00:00:00Z", "event": "assigned", "partner": "P1"}]}],
            "engagement": [{"partner": "P1", "at": 1772409600000, "kind": "login"}],
            "now": "2026-03-03T00:00:00Z", "by": "partner,day"}"#,
    );
    assert_eq!(ok["assignments"][0]["period"], "2026-03-02");
    assert_eq!(ok["engagement"][0]["active_days"], 1);
    let err = answer(
        r#"{"timelines": [], "engagement": [{"partner": "P1", "partner": "P2", "at": 0, "kind": "x"}], "now": 0}"#,
    );
    assert_eq!(err["error"]["code"], "leadrail::request::invalid");
    assert!(
        err["error"]["message"]
            .as_str()
            .unwrap()
            .contains("duplicate key `partner` in engagement event 1"),
        "{err}"
    );
    let err =
        answer(r#"{"timelines": [], "engagement": [{"partner": "P1", "kind": "x"}], "now": 0}"#);
    assert_eq!(err["error"]["code"], "leadrail::data::missing_field");
    assert_eq!(err["error"]["record"], "#1");
    assert_eq!(err["error"]["field"], "at");
    let err = answer(r#"{"timelines": [], "now": 0, "by": ["partner", "hour"]}"#);
    assert_eq!(err["error"]["code"], "leadrail::request::invalid");
}
