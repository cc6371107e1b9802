//! Calendar definitions: validation, holiday files, serde, error reports.
#![expect(clippy::unwrap_used, reason = "test code")]

use chrono::NaiveDate;
use leadrail_core::calendar::{
    parse_holidays, Calendar, CalendarError, CalendarSpec, WorkInterval,
};
use leadrail_core::report::{codes, ErrorReport};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

#[test]
fn holiday_file_parses_dates_names_ranges_and_comments() {
    let text = "# US holidays 2026\n\n2026-01-01 New Year's Day\n2026-07-03   Independence Day (observed)  # moved\n2026-12-24\n2026-12-28..2026-12-30 plant shutdown\n";
    let (holidays, closures) = parse_holidays(text).unwrap();
    assert_eq!(holidays.len(), 3);
    assert_eq!(holidays[0].date, d("2026-01-01"));
    assert_eq!(holidays[0].name.as_deref(), Some("New Year's Day"));
    assert_eq!(
        holidays[1].name.as_deref(),
        Some("Independence Day (observed)")
    );
    assert_eq!(holidays[2].name, None);
    assert_eq!(closures.len(), 1);
    assert_eq!(
        (closures[0].from, closures[0].to),
        (d("2026-12-28"), d("2026-12-30"))
    );
    assert_eq!(closures[0].name.as_deref(), Some("plant shutdown"));
}

#[test]
fn holiday_file_reports_every_bad_line_with_its_number() {
    let text =
        "2026-01-01 ok\n2026-13-01 bad month\n# fine\n26-1-1\n2026-12-30..2026-12-28 reversed\n";
    let errors = parse_holidays(text).unwrap_err();
    let lines: Vec<usize> = errors
        .iter()
        .map(|e| match e {
            CalendarError::HolidayLine { line, .. } => *line,
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    assert_eq!(lines, vec![2, 4, 5]);
    assert_eq!(
        errors[0].to_string(),
        "holiday file line 2: `2026-13-01` is not a date of the form YYYY-MM-DD in `2026-13-01 bad month`"
    );
    let report = ErrorReport::from(&errors[1]);
    assert_eq!(report.code, codes::CALENDAR_HOLIDAY_FILE);
    assert_eq!(report.line, 4);
    assert!(report.help.unwrap().contains("YYYY-MM-DD"));
}

#[test]
fn invalid_definitions_are_typed_errors() {
    let bad_tz = CalendarSpec::weekdays("x", "America/Chicgo", &[WorkInterval::hm(8, 0, 17, 0)]);
    let e = Calendar::new(bad_tz).unwrap_err();
    assert_eq!(
        e,
        CalendarError::UnknownTimeZone {
            name: "America/Chicgo".into()
        }
    );
    assert_eq!(e.to_string(), "unknown time zone `America/Chicgo`");
    assert_eq!(ErrorReport::from(e).code, codes::CALENDAR_UNKNOWN_TIME_ZONE);

    let overlap = CalendarSpec::weekdays(
        "x",
        "UTC",
        &[
            WorkInterval::hm(8, 0, 12, 30),
            WorkInterval::hm(12, 0, 17, 0),
        ],
    );
    assert_eq!(
        Calendar::new(overlap).unwrap_err().to_string(),
        "invalid working hours `12:00-17:00` on mon: it overlaps another interval of the day"
    );
    let reversed = CalendarSpec::weekdays("x", "UTC", &[WorkInterval::hm(17, 0, 8, 0)]);
    assert!(matches!(
        Calendar::new(reversed),
        Err(CalendarError::InvalidHours { .. })
    ));
    let late = CalendarSpec::weekdays("x", "UTC", &[WorkInterval::hm(20, 0, 25, 0)]);
    assert!(matches!(
        Calendar::new(late),
        Err(CalendarError::InvalidHours { .. })
    ));
    let mut short = CalendarSpec::weekdays("x", "UTC", &[WorkInterval::hm(8, 0, 17, 0)]);
    short.weekly.pop();
    assert_eq!(
        Calendar::new(short).unwrap_err(),
        CalendarError::WeekLength { found: 6 }
    );
}

#[test]
fn touching_intervals_merge_and_unsorted_input_is_sorted() {
    let spec = CalendarSpec::weekdays(
        "x",
        "UTC",
        &[
            WorkInterval::hm(12, 0, 17, 0),
            WorkInterval::hm(8, 0, 12, 0),
        ],
    );
    let cal = Calendar::new(spec).unwrap();
    // Monday 2026-06-01 08:00Z + 9h = 17:00Z.
    let mon8 = 1_780_300_800_000; // 2026-06-01T08:00:00Z
    assert_eq!(
        cal.business_add(mon8, 9 * 3_600_000).unwrap(),
        mon8 + 9 * 3_600_000
    );
}

#[test]
fn serde_round_trip_keeps_the_definition() {
    let mut spec = CalendarSpec::weekdays(
        "us-central",
        "America/Chicago",
        &[WorkInterval::hm(8, 0, 17, 0)],
    );
    let (holidays, closures) =
        parse_holidays("2026-12-24 Christmas Eve\n2026-12-28..2026-12-30\n").unwrap();
    spec.holidays = holidays;
    spec.closures = closures;
    let cal = Calendar::new(spec).unwrap();
    let json = serde_json::to_string(&cal).unwrap();
    assert!(json.contains("\"timezone\":\"America/Chicago\""));
    let back: Calendar = serde_json::from_str(&json).unwrap();
    assert_eq!(back, cal);
    assert!(!back.is_working_day(d("2026-12-29")));
    let bad = json.replace("America/Chicago", "Mars/Olympus");
    assert!(serde_json::from_str::<Calendar>(&bad)
        .unwrap_err()
        .to_string()
        .contains("unknown time zone `Mars/Olympus`"));
}

#[test]
fn every_code_is_in_the_catalogue() {
    for c in [
        codes::CALENDAR_UNKNOWN_TIME_ZONE,
        codes::CALENDAR_INVALID_HOURS,
        codes::CALENDAR_HOLIDAY_FILE,
        codes::CALENDAR_OUT_OF_RANGE,
        codes::CALENDAR_NO_WORKING_TIME,
        codes::CALENDAR_INVALID_CLOSURE,
    ] {
        assert!(codes::ALL.contains(&c));
    }
}
