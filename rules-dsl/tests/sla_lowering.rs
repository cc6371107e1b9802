//! `calendar` and `sla` declarations: lowering into the plan, holiday files through the loader,
//! formatting, and errors of holiday files.
#![expect(
    clippy::unwrap_used,
    reason = "test code: a failed setup or assertion should stop the test loudly"
)]

use std::sync::Arc;

use chrono::NaiveDate;
use leadrail_core::calendar::{Closure, Holiday, WorkInterval};
use leadrail_core::sla::{Action, CalendarRef, Goal, SlaPolicy, SlaSet, StageSpec};
use leadrail_core::timeline::EventKind;
use leadrail_dsl::{compile_with_loader, format};

const SOURCE: &str = r#"ruleset "t" version 1
schema lead    { region: text }
schema partner { calendar: text }
calendar "us-central" { timezone "America/Chicago"  hours mon-fri 08:00-12:00, 13:00-17:00
                        hours sat 09:00-12:00  closed 2026-12-24  closed 2026-12-28..2026-12-30
                        holidays "us-holidays.txt" }
sla accept        { start assigned  stop accepted, rejected  goal 24h business "us-central"
                    warn 50%, 75%, 90%  on breach remind, retract and reroute }
sla first_contact { start accepted  stop contacted  pause while waiting_on_customer
                    goal 48h business partner.calendar  on breach escalate "channel-manager" }
sla stalled       { each stage except won, lost  goal 7d  on breach alert "stalled lead" }
route "all" { }
"#;

const HOLIDAYS: &str =
    "# US\n2026-11-26 Thanksgiving\n2026-12-25\n2027-01-01..2027-01-02 New Year\n";

fn load(path: &str) -> Result<String, String> {
    match path {
        "us-holidays.txt" => Ok(HOLIDAYS.to_string()),
        other => Err(format!("no file `{other}`")),
    }
}

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

#[test]
fn calendars_and_slas_lower_to_core_types() {
    let plan = compile_with_loader(SOURCE, "t.rail", &load).unwrap().plan;
    assert_eq!(plan.calendars.len(), 1);
    let c = &plan.calendars[0];
    assert_eq!(c.name, "us-central");
    assert_eq!(c.timezone, "America/Chicago");
    let weekday = vec![
        WorkInterval::hm(8, 0, 12, 0),
        WorkInterval::hm(13, 0, 17, 0),
    ];
    assert_eq!(
        c.weekly,
        vec![
            weekday.clone(),
            weekday.clone(),
            weekday.clone(),
            weekday.clone(),
            weekday,
            vec![WorkInterval::hm(9, 0, 12, 0)],
            vec![],
        ]
    );
    assert_eq!(
        c.holidays,
        vec![
            Holiday {
                date: date("2026-12-24"),
                name: None
            },
            Holiday {
                date: date("2026-11-26"),
                name: Some("Thanksgiving".into())
            },
            Holiday {
                date: date("2026-12-25"),
                name: None
            },
        ]
    );
    assert_eq!(
        c.closures,
        vec![
            Closure {
                from: date("2026-12-28"),
                to: date("2026-12-30"),
                name: None
            },
            Closure {
                from: date("2027-01-01"),
                to: date("2027-01-02"),
                name: Some("New Year".into())
            },
        ]
    );
    let h = 3_600_000;
    assert_eq!(
        plan.slas,
        vec![
            SlaPolicy {
                name: "accept".into(),
                start: vec![EventKind::Assigned],
                stop: vec![EventKind::Accepted, EventKind::Rejected],
                pause_while: vec![],
                goal: Goal {
                    duration_ms: 24 * h,
                    business: true,
                    calendar: Some(CalendarRef::Named("us-central".into())),
                },
                warn: vec![0.5, 0.75, 0.9],
                on_breach: vec![Action::Remind, Action::RetractAndReroute],
                per_stage: None,
            },
            SlaPolicy {
                name: "first_contact".into(),
                start: vec![EventKind::Accepted],
                stop: vec![EventKind::Contacted],
                pause_while: vec!["waiting_on_customer".into()],
                goal: Goal {
                    duration_ms: 48 * h,
                    business: true,
                    calendar: Some(CalendarRef::PartnerField("calendar".into())),
                },
                warn: vec![],
                on_breach: vec![Action::Escalate {
                    role: Arc::from("channel-manager"),
                }],
                per_stage: None,
            },
            SlaPolicy {
                name: "stalled".into(),
                start: vec![],
                stop: vec![],
                pause_while: vec![],
                goal: Goal {
                    duration_ms: 7 * 24 * h,
                    business: false,
                    calendar: None,
                },
                warn: vec![],
                on_breach: vec![Action::Alert {
                    message: Arc::from("stalled lead"),
                }],
                per_stage: Some(StageSpec {
                    except: vec!["won".into(), "lost".into()],
                }),
            },
        ]
    );
    // the plan's definitions build a valid set, and survive a serde round trip
    let set = SlaSet::from_specs(plan.slas.clone(), &plan.calendars).unwrap();
    assert!(set
        .calendar("us-central")
        .unwrap()
        .is_working_day(date("2026-12-23")));
    assert!(!set
        .calendar("us-central")
        .unwrap()
        .is_working_day(date("2026-12-25")));
    assert!(!set
        .calendar("us-central")
        .unwrap()
        .is_working_day(date("2027-01-02")));
    let json = serde_json::to_string(&plan).unwrap();
    let back: leadrail_core::plan::Plan = serde_json::from_str(&json).unwrap();
    assert_eq!(back, plan);
}

#[test]
fn plans_without_slas_deserialize_with_empty_lists() {
    let plan = compile_with_loader(SOURCE, "t.rail", &load).unwrap().plan;
    let mut json: serde_json::Value = serde_json::to_value(&plan).unwrap();
    let obj = json.as_object_mut().unwrap();
    obj.remove("calendars");
    obj.remove("slas");
    let back: leadrail_core::plan::Plan = serde_json::from_value(json).unwrap();
    assert!(back.calendars.is_empty() && back.slas.is_empty());
}

#[test]
fn holiday_file_errors_name_the_file_line_and_point_at_the_path() {
    let bad = |_: &str| Ok("2026-11-26\n2026-13-01 Nope\n".to_string());
    let errs = compile_with_loader(SOURCE, "t.rail", &bad).unwrap_err();
    let reports = errs.reports();
    assert_eq!(reports.len(), 1);
    assert_eq!(reports[0].code, "leadrail::calendar::holiday_file");
    assert_eq!(
        reports[0].message,
        "`us-holidays.txt`: holiday file line 2: `2026-13-01` is not a date of the form YYYY-MM-DD in `2026-13-01 Nope`"
    );
    assert_eq!((reports[0].line, reports[0].column), (6, 34));
    let missing = |_: &str| Err("not found".to_string());
    let errs = compile_with_loader(SOURCE, "t.rail", &missing).unwrap_err();
    assert_eq!(
        errs.reports()[0].message,
        "cannot read holiday file `us-holidays.txt`: not found"
    );
}

#[test]
fn formatting_is_canonical_and_idempotent() {
    let once = format(SOURCE, "t.rail").unwrap();
    assert!(once.contains(
        "calendar \"us-central\" {\n  timezone \"America/Chicago\"\n  hours mon-fri 08:00-12:00, 13:00-17:00\n  hours sat 09:00-12:00\n  closed 2026-12-24\n  closed 2026-12-28..2026-12-30\n  holidays \"us-holidays.txt\"\n}\n"
    ));
    assert!(once.contains(
        "sla accept {\n  start assigned\n  stop accepted, rejected\n  goal 24h business \"us-central\"\n  warn 50%, 75%, 90%\n  on breach remind, retract and reroute\n}\n"
    ));
    assert!(once.contains("  goal 48h business partner.calendar\n"));
    assert!(once.contains("sla stalled {\n  each stage except won, lost\n  goal 7d\n"));
    assert_eq!(format(&once, "t.rail").unwrap(), once);
    let a = compile_with_loader(SOURCE, "t.rail", &load).unwrap().plan;
    let b = compile_with_loader(&once, "t.rail", &load).unwrap().plan;
    assert_eq!((a.calendars, a.slas), (b.calendars, b.slas));
}
