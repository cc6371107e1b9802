//! Issue 14: properties of the KPIs and the forecast on random valid timelines (proptest):
//! the order of independent inputs and the thread count change nothing, acceptance categories
//! partition assignments, groups add up to the totals, events after `now` are ignored, and
//! totals agree with a naive count over the events.
#![expect(clippy::unwrap_used, clippy::indexing_slicing, reason = "test code")]

mod kpi_support;

use kpi_support::*;
use leadrail_core::kpi::{
    self, EngagementEvent, GroupBy, Joined, KpiInput, KpiOptions, LeadInfo, PartnerInfo,
};
use leadrail_core::sla::NoPartnerCalendars;
use leadrail_core::timeline::{Event, EventData, Timeline};
use proptest::prelude::*;
use rust_decimal::Decimal;

const PARTNERS: [&str; 4] = ["P0", "P1", "P2", "P3"];
const STAGES: [&str; 3] = ["new", "proposal", "closing"];

/// A valid timeline from random steps: each step is (action, partner, hours later); actions
/// that the lead's state does not allow are skipped.
fn build(lead: String, steps: &[(u8, usize, i64)]) -> Timeline {
    let mut events = Vec::new();
    let mut t = 0i64;
    let mut holder: Option<&str> = None;
    let mut won = false;
    let mut closed = false;
    for &(action, p, gap) in steps {
        if closed {
            break;
        }
        t += gap;
        let partner = PARTNERS[p % PARTNERS.len()].to_string();
        let data = match (action % 16, holder) {
            (_, _) if won => match action % 3 {
                0 => EventData::Ordered,
                1 => EventData::Delivered,
                _ => continue,
            },
            (0 | 1, None) => EventData::Assigned { partner },
            (2, Some(h)) => EventData::Accepted { partner: h.into() },
            (3, Some(h)) => EventData::Rejected {
                partner: h.into(),
                reason: ["busy", "too far", ""][p % 3].into(),
            },
            (4, Some(_)) => EventData::Reassigned { partner },
            (5, Some(_)) => EventData::HandedDown { reseller: partner },
            (6, Some(_)) => EventData::Retracted { partner: None },
            (7, _) => EventData::Viewed { partner: None },
            (8, _) => EventData::Contacted { partner: None },
            (9 | 10, _) => EventData::StageChanged {
                stage: STAGES[p % STAGES.len()].into(),
            },
            (11, _) => EventData::StatusChanged {
                status: "waiting".into(),
            },
            (12, _) => EventData::Won,
            (13, _) => EventData::Lost,
            (14, _) => EventData::Ordered,
            (15, _) => EventData::Delivered,
            _ => continue,
        };
        match &data {
            EventData::Assigned { partner } | EventData::Reassigned { partner } => {
                holder = PARTNERS.iter().copied().find(|x| x == partner)
            }
            EventData::HandedDown { reseller } => {
                holder = PARTNERS.iter().copied().find(|x| x == reseller)
            }
            EventData::Rejected { .. } | EventData::Retracted { .. } => holder = None,
            EventData::Won => won = true,
            EventData::Lost | EventData::Delivered => closed = true,
            _ => {}
        }
        events.push(Event::new(at(t), data));
    }
    let tl = Timeline::new(lead, events);
    tl.validate().unwrap();
    tl
}

fn timelines() -> impl Strategy<Value = Vec<Timeline>> {
    prop::collection::vec(
        prop::collection::vec((any::<u8>(), 0usize..4, 0i64..30), 0..14),
        0..40,
    )
    .prop_map(|leads| {
        leads
            .iter()
            .enumerate()
            .map(|(i, steps)| build(format!("L{i:03}"), steps))
            .collect()
    })
}

fn lead_records(n: usize) -> Vec<LeadInfo> {
    (0..n)
        .filter(|i| i % 5 != 4)
        .map(|i| LeadInfo {
            id: format!("L{i:03}"),
            amount: (i % 3 != 2).then(|| Decimal::from(100 * (i as i64 % 7 + 1))),
            region: Some(["US-TX", "US-CA:9", "DE", "FR-IDF"][i % 4].into()),
            product_line: Some(["pumps", "valves"][i % 2].into()),
        })
        .collect()
}

fn engagement(n: usize) -> Vec<EngagementEvent> {
    (0..n)
        .map(|i| EngagementEvent {
            partner: PARTNERS[i % 4].into(),
            at: at((i as i64 * 7) % 300),
            kind: ["login", "lead_update"][i % 2].into(),
        })
        .collect()
}

fn partners() -> Vec<PartnerInfo> {
    vec![
        PartnerInfo {
            id: "P0".into(),
            joined_at: Some(Joined::At(at(-100))),
        },
        PartnerInfo {
            id: "P2".into(),
            joined_at: Some(Joined::Date(
                chrono::NaiveDate::from_ymd_opt(2026, 2, 1).unwrap(),
            )),
        },
    ]
}

fn options(by: &[&str], tz: &str, threads: Option<usize>) -> KpiOptions {
    KpiOptions {
        by: GroupBy::parse(by.iter().copied()).unwrap(),
        tz: kpi::parse_tz(tz).unwrap(),
        untouched_after: Some(48 * H),
        threads,
        ..KpiOptions::default()
    }
}

const BYS: [&[&str]; 4] = [
    &[],
    &["partner"],
    &["partner", "country", "product", "week"],
    &["region", "day"],
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn order_of_inputs_and_threads_change_nothing(
        ts in timelines(),
        now_h in 0i64..400,
        by in 0usize..4,
        seed in any::<u64>(),
    ) {
        let now = at(now_h);
        let leads = lead_records(ts.len());
        let eng = engagement(30);
        let ps = partners();
        let set = accept_sla(6);
        let opts = options(BYS[by], "Europe/Berlin", Some(1));
        let input = KpiInput::new(&ts)
            .with_leads(&leads)
            .with_engagement(&eng)
            .with_partners(&ps)
            .with_slas(&set, &NoPartnerCalendars);
        let want = kpi::kpis_and_forecast(&input, now, &opts).unwrap();
        // every input list rotated and reversed
        let turn = |n: usize| if n == 0 { 0 } else { (seed as usize) % n };
        let mut ts2 = ts.clone();
        ts2.rotate_left(turn(ts.len()));
        ts2.reverse();
        let mut leads2 = leads.clone();
        leads2.rotate_left(turn(leads.len()));
        let mut eng2 = eng.clone();
        eng2.reverse();
        let mut ps2 = ps.clone();
        ps2.reverse();
        let input2 = KpiInput::new(&ts2)
            .with_leads(&leads2)
            .with_engagement(&eng2)
            .with_partners(&ps2)
            .with_slas(&set, &NoPartnerCalendars);
        let got = kpi::kpis_and_forecast(&input2, now, &opts);
        prop_assert_eq!(&got.unwrap(), &want);
        // enough leads for the parallel path: the timelines 16 times under new ids
        let big: Vec<Timeline> = (0..16)
            .flat_map(|k| ts.iter().map(move |t| Timeline::new(format!("{}-{k}", t.lead), t.events.clone())))
            .collect();
        let input = KpiInput::new(&big)
            .with_engagement(&eng)
            .with_slas(&set, &NoPartnerCalendars);
        let one = kpi::kpis_and_forecast(&input, now, &options(BYS[by], "Europe/Berlin", Some(1))).unwrap();
        for threads in [Some(2), Some(3), None] {
            let got = kpi::kpis_and_forecast(&input, now, &options(BYS[by], "Europe/Berlin", threads));
            prop_assert_eq!(&got.unwrap(), &one);
        }
    }

    #[test]
    fn categories_partition_assignments_and_groups_add_up(
        ts in timelines(),
        now_h in 0i64..400,
    ) {
        let now = at(now_h);
        let leads = lead_records(ts.len());
        let input = KpiInput::new(&ts).with_leads(&leads);
        let total = kpi::kpis(&input, now, &options(&[], "UTC", None)).unwrap();
        let grouped = kpi::kpis(&input, now, &options(BYS[2], "America/New_York", None)).unwrap();
        let sum = |rows: &[kpi::AssignmentRow], f: fn(&kpi::AssignmentRow) -> u64| -> u64 {
            rows.iter().map(f).sum()
        };
        for rows in [&total.assignments, &grouped.assignments] {
            for a in rows.iter() {
                prop_assert_eq!(a.accepted + a.rejected + a.lapsed + a.pending, a.assignments);
                prop_assert!(a.converted <= a.assignments);
                prop_assert!(a.response_time.count <= a.assignments);
                prop_assert!(a.first_contact.count <= a.assignments);
            }
        }
        for f in [
            |a: &kpi::AssignmentRow| a.assignments,
            |a: &kpi::AssignmentRow| a.accepted,
            |a: &kpi::AssignmentRow| a.rejected,
            |a: &kpi::AssignmentRow| a.lapsed,
            |a: &kpi::AssignmentRow| a.pending,
            |a: &kpi::AssignmentRow| a.converted,
            |a: &kpi::AssignmentRow| a.response_time.count,
        ] {
            prop_assert_eq!(sum(&total.assignments, f), sum(&grouped.assignments, f));
        }
        let leads_total: u64 = total.leads.iter().map(|l| l.leads).sum();
        let leads_grouped: u64 = grouped.leads.iter().map(|l| l.leads).sum();
        prop_assert_eq!(leads_total, leads_grouped);
        let open: u64 = total.open_leads.iter().map(|o| o.open).sum();
        let open_grouped: u64 = grouped.open_leads.iter().map(|o| o.open).sum();
        prop_assert_eq!(open, open_grouped);
        // every `rejected` ends an assignment and gives its reason, also when the assignment
        // counts as accepted (an `accepted` before it)
        let rejections: u64 = total.rejections.iter().map(|r| r.count).sum();
        prop_assert!(rejections >= sum(&total.assignments, |a| a.rejected));

        // a naive count over the events up to `now`
        let mut assignments = 0u64;
        let mut started = 0u64;
        let mut won = 0u64;
        let mut closed = 0u64;
        let mut rejected_events = 0u64;
        for t in &ts {
            let evs: Vec<&Event> = t.events.iter().filter(|e| e.at <= now).collect();
            if evs.is_empty() {
                continue;
            }
            started += 1;
            let mut holder: Option<&str> = None;
            for e in &evs {
                match &e.data {
                    EventData::Assigned { partner } => {
                        assignments += 1;
                        holder = Some(partner);
                    }
                    EventData::Reassigned { partner } | EventData::HandedDown { reseller: partner } => {
                        if holder != Some(partner.as_str()) {
                            assignments += 1;
                        }
                        holder = Some(partner);
                    }
                    EventData::Rejected { .. } => {
                        rejected_events += 1;
                        holder = None;
                    }
                    EventData::Retracted { .. } | EventData::Lost | EventData::Delivered => {
                        holder = None
                    }
                    _ => {}
                }
            }
            let is = |f: fn(&EventData) -> bool| evs.iter().any(|e| f(&e.data));
            let w = is(|d| matches!(d, EventData::Won | EventData::Delivered));
            won += u64::from(w);
            closed += u64::from(w || is(|d| matches!(d, EventData::Lost)));
        }
        prop_assert_eq!(sum(&total.assignments, |a| a.assignments), assignments);
        prop_assert_eq!(leads_total, started);
        prop_assert_eq!(total.leads.iter().map(|l| l.won).sum::<u64>(), won);
        prop_assert_eq!(open, started - closed);
        prop_assert_eq!(rejections, rejected_events);
    }

    #[test]
    fn events_after_now_are_ignored(ts in timelines(), now_h in 0i64..400) {
        let now = at(now_h);
        let leads = lead_records(ts.len());
        let cut: Vec<Timeline> = ts
            .iter()
            .map(|t| Timeline::new(t.lead.clone(), t.events.iter().filter(|e| e.at <= now).cloned().collect()))
            .collect();
        let set = accept_sla(6);
        let opts = options(BYS[2], "Asia/Tokyo", None);
        let run = |ts: &[Timeline]| {
            let input = KpiInput::new(ts)
                .with_leads(&leads)
                .with_slas(&set, &NoPartnerCalendars);
            kpi::kpis_and_forecast(&input, now, &opts).unwrap()
        };
        prop_assert_eq!(run(&ts), run(&cut));
    }

    #[test]
    fn probabilities_are_rates_and_expected_values_add_up(ts in timelines(), now_h in 0i64..400) {
        let now = at(now_h);
        let leads = lead_records(ts.len());
        let mut opts = options(&["partner", "product"], "UTC", None);
        opts.forecast.detail = true;
        let f = kpi::forecast(&KpiInput::new(&ts).with_leads(&leads), now, &opts).unwrap();
        let detail = f.leads.clone().unwrap();
        prop_assert_eq!(detail.len() as u64, f.total.leads);
        for l in &detail {
            prop_assert!((0.0..=1.0).contains(&l.probability), "{l:?}");
        }
        let groups: f64 = f.groups.iter().map(|g| g.expected).sum();
        prop_assert!((groups - f.total.expected).abs() <= 1e-9 * f.total.expected.abs().max(1.0));
        let n: u64 = f.groups.iter().map(|g| g.leads).sum();
        prop_assert_eq!(n, f.total.leads);
        prop_assert!(f.range.p10 <= f.range.p90);
    }
}
