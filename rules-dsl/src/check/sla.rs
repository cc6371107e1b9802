//! Checking `calendar` and `sla` declarations and elaborating them into the core's
//! [`CalendarSpec`] and [`SlaPolicy`].
//!
//! Every mistake is reported with the span of the offending word: an unknown time zone (with a
//! did-you-mean), bad or overlapping hours, an unknown weekday, a reversed closure, an unknown
//! event kind, an unknown calendar, a goal without a duration unit, a threshold outside
//! `0%..100%`, and the policy rules of [`leadrail_core::sla::SlaSet::new`].

use std::str::FromStr;
use std::sync::Arc;

use leadrail_core::calendar::{
    time_zone_names, Calendar, CalendarError, CalendarSpec, Closure, Holiday, WorkInterval,
};
use leadrail_core::report::codes;
use leadrail_core::schema::Schema;
use leadrail_core::sla::{Action, CalendarRef, Goal, SlaPolicy, StageSpec};
use leadrail_core::timeline::EventKind;
use rust_decimal::prelude::ToPrimitive;

use super::Checker;
use crate::ast::*;
use crate::diagnostics::{did_you_mean, suggest};

const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// A `holidays "file"` entry to resolve when compiling (the checker does no I/O).
#[derive(Debug, Clone)]
pub struct HolidayFile {
    /// Index of the calendar in [`CheckedSlas::calendars`].
    pub calendar: usize,
    /// The path as written (relative to the rule file).
    pub path: String,
    /// The span of the path string.
    pub span: Span,
}

/// The checked calendars and SLAs of a file.
#[derive(Debug, Clone, Default)]
pub struct CheckedSlas {
    /// The calendars (without the holidays of their files).
    pub calendars: Vec<CalendarSpec>,
    /// The holiday files to load into them.
    pub holiday_files: Vec<HolidayFile>,
    /// The SLA policies.
    pub slas: Vec<SlaPolicy>,
}

fn hhmm(m: u32) -> String {
    format!("{:02}:{:02}", m / 60, m % 60)
}

impl Checker<'_> {
    /// Checks the calendars and SLAs of a file.
    pub(super) fn calendars_and_slas(&mut self, file: &RuleFile, partner: &Schema) -> CheckedSlas {
        let mut out = CheckedSlas::default();
        let mut names: Vec<(&str, Span)> = Vec::new();
        for c in file.calendars() {
            if let Some((_, first)) = names.iter().find(|(n, _)| *n == c.name.value) {
                let d = self
                    .src
                    .error(
                        codes::CHECK_DUPLICATE_ITEM,
                        format!("two calendars are named `{}`", c.name.value),
                    )
                    .label(c.name.span, "second calendar with this name")
                    .label(*first, "first calendar with this name")
                    .help("give each calendar its own name");
                self.err(d);
                continue;
            }
            names.push((&c.name.value, c.name.span));
            if let Some(spec) = self.calendar(c, out.calendars.len(), &mut out.holiday_files) {
                out.calendars.push(spec);
            } else {
                // keep the name known so SLAs naming it do not report it as unknown
                out.calendars
                    .push(CalendarSpec::weekdays(&c.name.value, "UTC", &[]));
            }
        }
        let calendar_names: Vec<&str> = names.iter().map(|(n, _)| *n).collect();
        let mut sla_names: Vec<(&str, Span)> = Vec::new();
        for s in file.slas() {
            if let Some((_, first)) = sla_names.iter().find(|(n, _)| *n == s.name.name) {
                let d = self
                    .src
                    .error(
                        codes::CHECK_DUPLICATE_ITEM,
                        format!("two slas are named `{}`", s.name.name),
                    )
                    .label(s.name.span, "second sla with this name")
                    .label(*first, "first sla with this name")
                    .help("sla names prefix action ids; give each sla its own name");
                self.err(d);
                continue;
            }
            sla_names.push((&s.name.name, s.name.span));
            if let Some(p) = self.sla(s, &calendar_names, partner) {
                out.slas.push(p);
            }
        }
        out
    }

    fn calendar(
        &mut self,
        c: &CalendarDecl,
        index: usize,
        files: &mut Vec<HolidayFile>,
    ) -> Option<CalendarSpec> {
        let before = self.errors.len();
        let mut timezone: Option<&StrLit> = None;
        let mut weekly: Vec<Vec<(WorkInterval, Span)>> = vec![Vec::new(); 7];
        let mut holidays = Vec::new();
        let mut closures = Vec::new();
        for e in &c.entries {
            match &e.node {
                CalendarEntry::Timezone(tz) => {
                    if let Some(first) = timezone {
                        let d = self
                            .src
                            .error(
                                codes::CALENDAR_UNKNOWN_TIME_ZONE,
                                format!("calendar `{}` has two time zones", c.name.value),
                            )
                            .label(tz.span, "second time zone")
                            .label(first.span, "first time zone")
                            .help("a calendar has one `timezone`");
                        self.err(d);
                        continue;
                    }
                    timezone = Some(tz);
                    if chrono_tz_ok(&tz.value) {
                        continue;
                    }
                    let lower = tz.value.to_ascii_lowercase();
                    let hint = time_zone_names()
                        .find(|n| n.to_ascii_lowercase() == lower)
                        .map(|n| format!("did you mean `{n}`?"))
                        .or_else(|| suggest(&tz.value, time_zone_names()))
                        .unwrap_or_else(|| {
                            "use an IANA zone name such as `America/Chicago` or `Europe/Berlin`"
                                .to_string()
                        });
                    let d = self
                        .src
                        .error(
                            codes::CALENDAR_UNKNOWN_TIME_ZONE,
                            format!("unknown time zone `{}`", tz.value),
                        )
                        .label(tz.span, "not an IANA time zone")
                        .help(hint);
                    self.err(d);
                }
                CalendarEntry::Hours { days, intervals } => {
                    let mut which = Vec::new();
                    for r in days {
                        if let Some(ds) = self.day_range(r) {
                            which.extend(ds);
                        }
                    }
                    for iv in intervals {
                        if iv.start >= iv.end {
                            let d = self
                                .src
                                .error(
                                    codes::CALENDAR_INVALID_HOURS,
                                    format!(
                                        "working hours `{}-{}` end before they start",
                                        hhmm(iv.start),
                                        hhmm(iv.end)
                                    ),
                                )
                                .label(iv.span, "empty or reversed")
                                .help("write the start first, e.g. `08:00-17:00`; a night shift is two intervals on two days");
                            self.err(d);
                            continue;
                        }
                        let wi = WorkInterval {
                            start: u16::try_from(iv.start).unwrap_or(0),
                            end: u16::try_from(iv.end).unwrap_or(0),
                        };
                        for &day in &which {
                            let Some(list) = weekly.get_mut(day) else {
                                continue;
                            };
                            let clash = list
                                .iter()
                                .find(|(o, _)| o.start < wi.end && wi.start < o.end)
                                .map(|(o, sp)| (*o, *sp));
                            match clash {
                                Some((o, sp)) => {
                                    let name = WEEKDAYS.get(day).copied().unwrap_or("");
                                    let d = self
                                        .src
                                        .error(
                                            codes::CALENDAR_INVALID_HOURS,
                                            format!("working hours `{wi}` overlap `{o}` on {name}"),
                                        )
                                        .label(iv.span, "overlaps")
                                        .label(sp, "with these hours")
                                        .help("give each day non-overlapping intervals");
                                    self.err(d);
                                    break;
                                }
                                None => list.push((wi, iv.span)),
                            }
                        }
                    }
                }
                CalendarEntry::Closed(list) => {
                    for cd in list {
                        match cd.to {
                            None => holidays.push(Holiday {
                                date: cd.from,
                                name: None,
                            }),
                            Some(to) if to < cd.from => {
                                let d = self
                                    .src
                                    .error(
                                        codes::CALENDAR_INVALID_CLOSURE,
                                        format!(
                                            "closure `{}..{}` ends before it starts",
                                            cd.from, to
                                        ),
                                    )
                                    .label(cd.span, "reversed")
                                    .help("write the earlier date first");
                                self.err(d);
                            }
                            Some(to) => closures.push(Closure {
                                from: cd.from,
                                to,
                                name: None,
                            }),
                        }
                    }
                }
                CalendarEntry::Holidays(path) => files.push(HolidayFile {
                    calendar: index,
                    path: path.value.clone(),
                    span: path.span,
                }),
            }
        }
        let Some(tz) = timezone else {
            let d = self
                .src
                .error(
                    codes::CALENDAR_UNKNOWN_TIME_ZONE,
                    format!("calendar `{}` has no time zone", c.name.value),
                )
                .label(c.name.span, "no `timezone` entry")
                .help("add `timezone \"Area/City\"`, e.g. `timezone \"America/Chicago\"`");
            self.err(d);
            return None;
        };
        if self.errors.len() > before {
            return None;
        }
        let spec = CalendarSpec {
            name: c.name.value.clone(),
            timezone: tz.value.clone(),
            weekly: weekly
                .into_iter()
                .map(|d| d.into_iter().map(|(w, _)| w).collect())
                .collect(),
            holidays,
            closures,
        };
        match Calendar::new(spec.clone()) {
            Ok(_) => Some(spec),
            Err(e) => {
                self.calendar_error(&e, c.span);
                None
            }
        }
    }

    /// Reports a core calendar error at a span.
    pub(super) fn calendar_error(&mut self, e: &CalendarError, span: Span) {
        let d = self
            .src
            .error(calendar_code(e), e.to_string())
            .label(span, "")
            .help(e.help());
        self.err(d);
    }

    fn weekday(&mut self, w: &Ident) -> Option<usize> {
        let i = WEEKDAYS.iter().position(|d| *d == w.name);
        if i.is_none() {
            let lower = w.name.to_ascii_lowercase();
            let hint = WEEKDAYS
                .iter()
                .find(|d| lower.starts_with(**d))
                .map(|d| format!("did you mean `{d}`?"))
                .or_else(|| suggest(&w.name, WEEKDAYS))
                .unwrap_or_else(|| {
                    "days are `mon`, `tue`, `wed`, `thu`, `fri`, `sat`, `sun`".into()
                });
            let d = self
                .src
                .error(
                    codes::CALENDAR_INVALID_HOURS,
                    format!("unknown day `{}`", w.name),
                )
                .label(w.span, "not a day of the week")
                .help(hint);
            self.err(d);
        }
        i
    }

    fn day_range(&mut self, r: &DayRange) -> Option<Vec<usize>> {
        let from = self.weekday(&r.from);
        let to = match &r.to {
            Some(t) => self.weekday(t),
            None => from,
        };
        let (from, to) = (from?, to?);
        if to < from {
            let d = self
                .src
                .error(
                    codes::CALENDAR_INVALID_HOURS,
                    format!("the day range `{}` runs backwards", self.src.slice(r.span)),
                )
                .label(r.span, "weeks run from `mon` to `sun`")
                .help("write the days Monday first, e.g. `mon-fri`, or list them: `sat, sun`");
            self.err(d);
            return None;
        }
        Some((from..=to).collect())
    }

    fn events(&mut self, words: &[Ident], what: &str) -> Vec<EventKind> {
        let mut out = Vec::new();
        for w in words {
            match EventKind::from_str(&w.name) {
                Ok(k) => {
                    if !out.contains(&k) {
                        out.push(k);
                    }
                }
                Err(_) => {
                    let hint = suggest(&w.name, EventKind::ALL.iter().map(|k| k.as_str()))
                        .unwrap_or_else(|| {
                            format!(
                                "the events are {}",
                                EventKind::ALL
                                    .iter()
                                    .map(|k| format!("`{k}`"))
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            )
                        });
                    let d = self
                        .src
                        .error(
                            codes::SLA_UNKNOWN_EVENT,
                            format!("unknown event `{}` in `{what}`", w.name),
                        )
                        .label(w.span, "not a lifecycle event")
                        .help(hint);
                    self.err(d);
                }
            }
        }
        out
    }

    fn sla(&mut self, s: &SlaDecl, calendars: &[&str], partner: &Schema) -> Option<SlaPolicy> {
        let before = self.errors.len();
        let name = &s.name.name;
        let mut seen: Vec<(&'static str, Span)> = Vec::new();
        let mut start = Vec::new();
        let mut stop = Vec::new();
        let mut pause_while = Vec::new();
        let mut goal: Option<Goal> = None;
        let mut warn = Vec::new();
        let mut on_breach = Vec::new();
        let mut per_stage: Option<StageSpec> = None;
        let mut start_span = None;
        for e in &s.entries {
            let kw = match &e.node {
                SlaEntry::Start(_) => "start",
                SlaEntry::Stop(_) => "stop",
                SlaEntry::PauseWhile(_) => "pause while",
                SlaEntry::Goal { .. } => "goal",
                SlaEntry::Warn(_) => "warn",
                SlaEntry::OnBreach(_) => "on breach",
                SlaEntry::EachStage { .. } => "each stage",
            };
            if let Some((_, first)) = seen.iter().find(|(k, _)| *k == kw) {
                let d = self
                    .src
                    .error(
                        codes::PARSE_DUPLICATE_CLAUSE,
                        format!("an sla has at most one `{kw}` entry"),
                    )
                    .label(
                        Span::new(e.span.start, e.span.start + kw.len()),
                        "repeated here",
                    )
                    .label(Span::new(first.start, first.start + kw.len()), "first here")
                    .help("list every value in one entry, separated by commas");
                self.err(d);
                continue;
            }
            seen.push((kw, e.span));
            match &e.node {
                SlaEntry::Start(ws) => {
                    start = self.events(ws, "start");
                    start_span = Some(e.span);
                }
                SlaEntry::Stop(ws) => stop = self.events(ws, "stop"),
                SlaEntry::PauseWhile(ws) => {
                    pause_while = ws.iter().map(|w| w.name.clone()).collect();
                }
                SlaEntry::EachStage { except } => {
                    per_stage = Some(StageSpec {
                        except: except.iter().map(|w| w.name.clone()).collect(),
                    });
                }
                SlaEntry::Goal {
                    duration,
                    duration_span,
                    business,
                } => {
                    goal = self.goal(
                        duration,
                        *duration_span,
                        business.as_ref(),
                        calendars,
                        partner,
                    )
                }
                SlaEntry::Warn(list) => {
                    for (n, sp) in list {
                        let ok = n.unit == Unit::Percent
                            && n.value > rust_decimal::Decimal::ZERO
                            && n.value < rust_decimal::Decimal::ONE_HUNDRED;
                        if !ok {
                            let d = self
                                .src
                                .error(
                                    codes::SLA_INVALID_POLICY,
                                    format!(
                                        "warning threshold `{}` is not a percentage between 0% and 100%",
                                        self.src.slice(*sp)
                                    ),
                                )
                                .label(*sp, "expected a percentage such as `75%`")
                                .help("write thresholds as percentages of the goal: `warn 50%, 75%, 90%`");
                            self.err(d);
                            continue;
                        }
                        let f = n.value.to_f64().unwrap_or(0.0) / 100.0;
                        if warn.contains(&f) {
                            let d = self
                                .src
                                .error(
                                    codes::SLA_INVALID_POLICY,
                                    format!(
                                        "warning threshold `{}` is repeated",
                                        self.src.slice(*sp)
                                    ),
                                )
                                .label(*sp, "repeated")
                                .help("list each threshold once");
                            self.err(d);
                            continue;
                        }
                        warn.push(f);
                    }
                }
                SlaEntry::OnBreach(list) => {
                    for a in list {
                        let action = match &a.node {
                            BreachAction::Remind => Action::Remind,
                            BreachAction::Escalate(r) => Action::Escalate {
                                role: Arc::from(r.value.as_str()),
                            },
                            BreachAction::Alert(m) => Action::Alert {
                                message: Arc::from(m.value.as_str()),
                            },
                            BreachAction::RetractAndReroute => Action::RetractAndReroute,
                        };
                        if on_breach
                            .iter()
                            .any(|b: &Action| b.id_part() == action.id_part())
                        {
                            let d = self
                                .src
                                .error(
                                    codes::SLA_INVALID_POLICY,
                                    format!(
                                        "breach action `{}` is repeated",
                                        self.src.slice(a.span)
                                    ),
                                )
                                .label(a.span, "repeated")
                                .help("list each action once");
                            self.err(d);
                            continue;
                        }
                        on_breach.push(action);
                    }
                }
            }
        }
        match (&per_stage, start_span) {
            (None, None) => {
                let d = self
                    .src
                    .error(codes::SLA_INVALID_POLICY, format!("sla `{name}` has no start event"))
                    .label(s.name.span, "never starts")
                    .help("add `start <event>` (e.g. `start assigned`), or make it a per-stage sla with `each stage`");
                self.err(d);
            }
            (Some(_), Some(sp)) => {
                let d = self
                    .src
                    .error(
                        codes::SLA_INVALID_POLICY,
                        format!("sla `{name}` is per stage, so it takes no `start`"),
                    )
                    .label(
                        Span::new(sp.start, sp.start + "start".len()),
                        "not used by `each stage`",
                    )
                    .help("remove `start`: a per-stage sla starts at every stage change");
                self.err(d);
            }
            _ => {}
        }
        if !seen.iter().any(|(k, _)| *k == "goal") {
            let d = self
                .src
                .error(
                    codes::SLA_INVALID_POLICY,
                    format!("sla `{name}` has no goal"),
                )
                .label(s.name.span, "no `goal` entry")
                .help("add a goal such as `goal 24h business \"us-central\"` or `goal 7d`");
            self.err(d);
        }
        if self.errors.len() > before {
            return None;
        }
        Some(SlaPolicy {
            name: name.clone(),
            start,
            stop,
            pause_while,
            goal: goal?,
            warn,
            on_breach,
            per_stage,
        })
    }

    fn goal(
        &mut self,
        n: &NumLit,
        span: Span,
        business: Option<&BusinessClock>,
        calendars: &[&str],
        partner: &Schema,
    ) -> Option<Goal> {
        let ms = n
            .unit
            .millis()
            .and_then(|u| n.value.to_i64().and_then(|v| v.checked_mul(u)));
        let Some(duration_ms) = ms.filter(|m| *m > 0) else {
            let d = self
                .src
                .error(
                    codes::SLA_INVALID_POLICY,
                    format!(
                        "the goal `{}` is not a positive duration",
                        self.src.slice(span)
                    ),
                )
                .label(span, "expected a duration such as `24h`")
                .help(
                    "write the goal with a unit: `ms`, `s`, `m`, `h`, `d` or `w`, e.g. `goal 24h`",
                );
            self.err(d);
            return None;
        };
        let calendar = match business {
            None => None,
            Some(b) => match &b.calendar {
                None => {
                    let d = self
                        .src
                        .error(
                            codes::SLA_UNKNOWN_CALENDAR,
                            "a business-time goal needs a calendar",
                        )
                        .label(b.span, "which calendar?")
                        .help("name a calendar, e.g. `business \"us-central\"`, or a partner field: `business partner.calendar`");
                    self.err(d);
                    return None;
                }
                Some(BusinessCalendar::Named(c)) => {
                    if !calendars.contains(&c.value.as_str()) {
                        let hint = suggest(&c.value, calendars.iter().copied()).unwrap_or_else(|| {
                            if calendars.is_empty() {
                                "declare it: `calendar \"name\" { timezone \"Area/City\" hours mon-fri 09:00-17:00 }`".to_string()
                            } else {
                                format!(
                                    "the calendars are {}",
                                    calendars
                                        .iter()
                                        .map(|c| format!("`{c}`"))
                                        .collect::<Vec<_>>()
                                        .join(", ")
                                )
                            }
                        });
                        let d = self
                            .src
                            .error(
                                codes::SLA_UNKNOWN_CALENDAR,
                                format!("unknown calendar `{}`", c.value),
                            )
                            .label(c.span, "no calendar with this name")
                            .help(hint);
                        self.err(d);
                        return None;
                    }
                    Some(CalendarRef::Named(c.value.clone()))
                }
                Some(BusinessCalendar::Field(base, field)) => {
                    if base.name != "partner" {
                        let d = self
                            .src
                            .error(
                                codes::TYPE_UNKNOWN_RECORD,
                                format!(
                                    "a goal's calendar is a partner field, not `{}.{}`",
                                    base.name, field.name
                                ),
                            )
                            .label(base.span, "expected `partner`")
                            .help(format!("write `business partner.{}`", field.name));
                        self.err(d);
                        return None;
                    }
                    let names: Vec<&str> = partner.fields.iter().map(|f| f.name.as_str()).collect();
                    if !self.missing.contains(&"partner") && !names.contains(&field.name.as_str()) {
                        let hint = did_you_mean(&field.name, names.iter().copied())
                            .map(|c| format!("did you mean `partner.{c}`?"))
                            .unwrap_or_else(|| {
                                format!("add a text field `{}` naming the partner's calendar to `schema partner`", field.name)
                            });
                        let d = self
                            .src
                            .error(
                                codes::TYPE_UNKNOWN_FIELD,
                                format!("`partner` has no field `{}`", field.name),
                            )
                            .label(field.span, "unknown field")
                            .help(hint);
                        self.err(d);
                        return None;
                    }
                    Some(CalendarRef::PartnerField(field.name.clone()))
                }
            },
        };
        Some(Goal {
            duration_ms,
            business: business.is_some(),
            calendar,
        })
    }
}

fn chrono_tz_ok(name: &str) -> bool {
    time_zone_names().any(|n| n == name)
}

/// The code of a core calendar error.
pub(crate) fn calendar_code(e: &CalendarError) -> &'static str {
    e.code()
}
