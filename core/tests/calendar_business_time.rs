//! Table-driven business-time arithmetic on hand-computed cases (issue #3, item 2).
//!
//! Every instant is written with its UTC offset worked out by hand (CST = -06:00, CDT = -05:00,
//! CET = +01:00, CEST = +02:00, JST = +09:00), so the tests do not trust the time-zone library
//! they exercise.
#![expect(clippy::unwrap_used, clippy::indexing_slicing, reason = "test code")]

use chrono::{DateTime, NaiveDate};
use leadrail_core::calendar::{
    Calendar, CalendarError, CalendarSpec, Closure, Holiday, WorkInterval,
};

const H: i64 = 3_600_000;
const M: i64 = 60_000;

fn t(s: &str) -> i64 {
    DateTime::parse_from_rfc3339(s).unwrap().timestamp_millis()
}

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn iv(a: (u16, u16), b: (u16, u16)) -> WorkInterval {
    WorkInterval::hm(a.0, a.1, b.0, b.1)
}

fn chicago() -> Calendar {
    let mut spec = CalendarSpec::weekdays("us-central", "America/Chicago", &[iv((8, 0), (17, 0))]);
    spec.holidays.push(Holiday {
        date: d("2026-07-03"),
        name: Some("Independence Day (observed)".into()),
    });
    Calendar::new(spec).unwrap()
}

fn all_day(tz: &str) -> Calendar {
    let mut spec = CalendarSpec::weekdays("always", tz, &[iv((0, 0), (24, 0))]);
    spec.weekly[5] = vec![iv((0, 0), (24, 0))];
    spec.weekly[6] = vec![iv((0, 0), (24, 0))];
    Calendar::new(spec).unwrap()
}

fn sunday_only(tz: &str, hours: WorkInterval) -> Calendar {
    let mut weekly = vec![Vec::new(); 7];
    weekly[6] = vec![hours];
    Calendar::new(CalendarSpec {
        name: "sunday".into(),
        timezone: tz.into(),
        weekly,
        holidays: vec![],
        closures: vec![],
    })
    .unwrap()
}

fn berlin_with_closure() -> Calendar {
    let mut spec = CalendarSpec::weekdays("de", "Europe/Berlin", &[iv((9, 0), (17, 0))]);
    for (date, name) in [
        ("2026-12-25", "Christmas"),
        ("2026-12-26", "Boxing Day"),
        ("2027-01-01", "New Year"),
    ] {
        spec.holidays.push(Holiday {
            date: d(date),
            name: Some(name.into()),
        });
    }
    spec.closures.push(Closure {
        from: d("2026-12-28"),
        to: d("2026-12-30"),
        name: Some("shutdown".into()),
    });
    Calendar::new(spec).unwrap()
}

fn tokyo_lunch() -> Calendar {
    Calendar::new(CalendarSpec::weekdays(
        "jp",
        "Asia/Tokyo",
        &[iv((9, 0), (12, 0)), iv((13, 0), (18, 0))],
    ))
    .unwrap()
}

fn night_shift() -> Calendar {
    // Mon-Fri 22:00-24:00 and 00:00-02:00: a shift that crosses midnight.
    Calendar::new(CalendarSpec::weekdays(
        "night",
        "Europe/Berlin",
        &[iv((0, 0), (2, 0)), iv((22, 0), (24, 0))],
    ))
    .unwrap()
}

struct AddCase {
    what: &'static str,
    cal: Calendar,
    from: &'static str,
    add: i64,
    expect: &'static str,
}

#[test]
fn business_add_table() {
    let cases = vec![
        AddCase {
            what: "assigned 16:59 wednesday, 24 business hours",
            cal: chicago(),
            from: "2026-03-11T16:59:00-05:00",
            add: 24 * H,
            expect: "2026-03-16T13:59:00-05:00",
        },
        AddCase {
            what: "assigned 02:00 saturday, 24 business hours",
            cal: chicago(),
            from: "2026-03-14T02:00:00-05:00",
            add: 24 * H,
            expect: "2026-03-18T14:00:00-05:00",
        },
        AddCase {
            what: "holiday on the friday before a weekend",
            cal: chicago(),
            from: "2026-07-02T15:00:00-05:00",
            add: 24 * H,
            expect: "2026-07-08T12:00:00-05:00",
        },
        AddCase {
            what: "across spring-forward weekend (CST friday to CDT monday)",
            cal: chicago(),
            from: "2026-03-06T16:00:00-06:00",
            add: 2 * H,
            expect: "2026-03-09T09:00:00-05:00",
        },
        AddCase {
            what: "across fall-back weekend (CDT friday to CST monday)",
            cal: chicago(),
            from: "2026-10-30T16:00:00-05:00",
            add: 2 * H,
            expect: "2026-11-02T09:00:00-06:00",
        },
        AddCase {
            what: "ends at close, not next opening",
            cal: chicago(),
            from: "2026-03-13T16:00:00-05:00",
            add: H,
            expect: "2026-03-13T17:00:00-05:00",
        },
        AddCase {
            what: "zero duration is the same instant, even off hours",
            cal: chicago(),
            from: "2026-03-14T02:00:00-05:00",
            add: 0,
            expect: "2026-03-14T02:00:00-05:00",
        },
        AddCase {
            what: "chicago 24/7 over spring-forward night",
            cal: all_day("America/Chicago"),
            from: "2026-03-08T00:00:00-06:00",
            add: 3 * H,
            expect: "2026-03-08T04:00:00-05:00",
        },
        AddCase {
            what: "chicago 24/7 over fall-back night",
            cal: all_day("America/Chicago"),
            from: "2026-11-01T00:00:00-05:00",
            add: 3 * H,
            expect: "2026-11-01T02:00:00-06:00",
        },
        AddCase {
            what: "berlin fall-back: repeated 02:00 counts twice",
            cal: sunday_only("Europe/Berlin", iv((0, 0), (4, 0))),
            from: "2026-10-25T00:00:00+02:00",
            add: 3 * H,
            expect: "2026-10-25T02:00:00+01:00",
        },
        AddCase {
            what: "berlin spring-forward: missing 02:00 skipped",
            cal: sunday_only("Europe/Berlin", iv((1, 0), (5, 0))),
            from: "2026-03-29T01:00:00+01:00",
            add: 2 * H,
            expect: "2026-03-29T04:00:00+02:00",
        },
        AddCase {
            what: "3-day closure between christmas and new year",
            cal: berlin_with_closure(),
            from: "2026-12-24T16:00:00+01:00",
            add: 16 * H,
            expect: "2027-01-04T16:00:00+01:00",
        },
        AddCase {
            what: "lunch break skipped",
            cal: tokyo_lunch(),
            from: "2026-06-02T11:00:00+09:00",
            add: 2 * H,
            expect: "2026-06-02T14:00:00+09:00",
        },
        AddCase {
            what: "lunch break: ends at 12:00, not 13:00",
            cal: tokyo_lunch(),
            from: "2026-06-02T11:00:00+09:00",
            add: H,
            expect: "2026-06-02T12:00:00+09:00",
        },
        AddCase {
            what: "starting inside lunch waits for 13:00",
            cal: tokyo_lunch(),
            from: "2026-06-02T12:10:00+09:00",
            add: 30 * M,
            expect: "2026-06-02T13:30:00+09:00",
        },
        AddCase {
            what: "night shift across midnight",
            cal: night_shift(),
            from: "2026-06-01T23:00:00+02:00",
            add: 2 * H,
            expect: "2026-06-02T01:00:00+02:00",
        },
        AddCase {
            what: "night shift: friday 23:00 + 2h lands monday 00:00 + 1h",
            cal: night_shift(),
            from: "2026-06-05T23:00:00+02:00",
            add: 2 * H,
            expect: "2026-06-08T01:00:00+02:00",
        },
    ];
    for c in cases {
        let got = c.cal.business_add(t(c.from), c.add).unwrap();
        assert_eq!(
            got,
            t(c.expect),
            "{}: got {}",
            c.what,
            DateTime::from_timestamp_millis(got).unwrap()
        );
        assert_eq!(
            c.cal.business_between(t(c.from), got).unwrap(),
            c.add,
            "{}: round trip",
            c.what
        );
    }
}

struct BetweenCase {
    what: &'static str,
    cal: Calendar,
    from: &'static str,
    to: &'static str,
    expect: i64,
}

#[test]
fn business_between_table() {
    let cases = vec![
        BetweenCase {
            what: "chicago spring-forward day is 23h",
            cal: all_day("America/Chicago"),
            from: "2026-03-08T00:00:00-06:00",
            to: "2026-03-09T00:00:00-05:00",
            expect: 23 * H,
        },
        BetweenCase {
            what: "chicago fall-back day is 25h",
            cal: all_day("America/Chicago"),
            from: "2026-11-01T00:00:00-05:00",
            to: "2026-11-02T00:00:00-06:00",
            expect: 25 * H,
        },
        BetweenCase {
            what: "berlin spring-forward day is 23h",
            cal: all_day("Europe/Berlin"),
            from: "2026-03-29T00:00:00+01:00",
            to: "2026-03-30T00:00:00+02:00",
            expect: 23 * H,
        },
        BetweenCase {
            what: "berlin fall-back day is 25h",
            cal: all_day("Europe/Berlin"),
            from: "2026-10-25T00:00:00+02:00",
            to: "2026-10-26T00:00:00+01:00",
            expect: 25 * H,
        },
        BetweenCase {
            what: "berlin sunday 01:00-05:00 over spring-forward is 3h",
            cal: sunday_only("Europe/Berlin", iv((1, 0), (5, 0))),
            from: "2026-03-28T00:00:00+01:00",
            to: "2026-03-30T00:00:00+02:00",
            expect: 3 * H,
        },
        BetweenCase {
            what: "berlin sunday 00:00-04:00 over fall-back is 5h",
            cal: sunday_only("Europe/Berlin", iv((0, 0), (4, 0))),
            from: "2026-10-24T00:00:00+02:00",
            to: "2026-10-26T00:00:00+01:00",
            expect: 5 * H,
        },
        BetweenCase {
            what: "chicago sunday 01:00-03:00 over fall-back is 3h",
            cal: sunday_only("America/Chicago", iv((1, 0), (3, 0))),
            from: "2026-10-31T00:00:00-05:00",
            to: "2026-11-02T00:00:00-06:00",
            expect: 3 * H,
        },
        BetweenCase {
            what: "chicago sunday 01:00-03:00 over spring-forward is 1h",
            cal: sunday_only("America/Chicago", iv((1, 0), (3, 0))),
            from: "2026-03-07T00:00:00-06:00",
            to: "2026-03-09T00:00:00-05:00",
            expect: H,
        },
        BetweenCase {
            what: "weekend is zero",
            cal: chicago(),
            from: "2026-03-14T02:00:00-05:00",
            to: "2026-03-16T08:00:00-05:00",
            expect: 0,
        },
        BetweenCase {
            what: "holiday friday and weekend are zero",
            cal: chicago(),
            from: "2026-07-02T17:00:00-05:00",
            to: "2026-07-06T08:00:00-05:00",
            expect: 0,
        },
        BetweenCase {
            what: "a full week around the holiday is 4 days",
            cal: chicago(),
            from: "2026-06-29T00:00:00-05:00",
            to: "2026-07-06T00:00:00-05:00",
            expect: 36 * H,
        },
        BetweenCase {
            what: "closure week",
            cal: berlin_with_closure(),
            from: "2026-12-21T00:00:00+01:00",
            to: "2027-01-11T00:00:00+01:00",
            expect: (4 + 1 + 5) * 8 * H,
        },
        BetweenCase {
            what: "lunch break excluded",
            cal: tokyo_lunch(),
            from: "2026-06-02T11:30:00+09:00",
            to: "2026-06-02T13:30:00+09:00",
            expect: H,
        },
        BetweenCase {
            what: "night shift over midnight",
            cal: night_shift(),
            from: "2026-06-01T23:00:00+02:00",
            to: "2026-06-02T01:00:00+02:00",
            expect: 2 * H,
        },
        BetweenCase {
            what: "reversed bounds are negative",
            cal: chicago(),
            from: "2026-03-11T10:00:00-05:00",
            to: "2026-03-11T09:00:00-05:00",
            expect: -H,
        },
        BetweenCase {
            what: "across a year boundary",
            cal: chicago(),
            from: "2026-12-31T16:00:00-06:00",
            to: "2027-01-04T09:00:00-06:00",
            expect: 2 * H + 9 * H,
        },
    ];
    for c in cases {
        assert_eq!(
            c.cal.business_between(t(c.from), t(c.to)).unwrap(),
            c.expect,
            "{}",
            c.what
        );
    }
}

#[test]
fn working_days_and_instants() {
    let cal = berlin_with_closure();
    assert!(!cal.is_working_day(d("2026-12-29")));
    assert!(!cal.is_working_day(d("2026-12-25")));
    assert!(!cal.is_working_day(d("2026-12-27")));
    assert!(cal.is_working_day(d("2026-12-31")));
    assert!(cal.is_working_at(t("2026-12-31T09:00:00+01:00")).unwrap());
    assert!(!cal.is_working_at(t("2026-12-31T17:00:00+01:00")).unwrap());
}

#[test]
fn arithmetic_errors() {
    let cal = chicago();
    assert_eq!(
        cal.business_add(0, -1),
        Err(CalendarError::NegativeDuration { duration_ms: -1 })
    );
    let far = t("2250-01-01T00:00:00Z");
    assert_eq!(
        cal.business_between(0, far),
        Err(CalendarError::OutOfRange { at: far })
    );
    let closed = Calendar::new(CalendarSpec {
        name: "never".into(),
        timezone: "UTC".into(),
        weekly: vec![vec![]; 7],
        holidays: vec![],
        closures: vec![],
    })
    .unwrap();
    assert!(matches!(
        closed.business_add(0, H),
        Err(CalendarError::NoWorkingTime { .. })
    ));
    assert_eq!(closed.business_between(0, 10 * H).unwrap(), 0);
    // A calendar whose only working day is far away still terminates, with an answer.
    let mut rare = CalendarSpec::weekdays("rare", "UTC", &[iv((9, 0), (10, 0))]);
    rare.closures.push(Closure {
        from: d("1970-01-01"),
        to: d("2100-01-01"),
        name: None,
    });
    let rare = Calendar::new(rare).unwrap();
    assert_eq!(rare.business_add(0, H).unwrap(), t("2100-01-04T10:00:00Z"));
}
