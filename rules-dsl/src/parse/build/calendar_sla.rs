//! Pest's pairs to `calendar` and `sla` declarations: their entries, days and times of day.

use leadrail_core::report::codes;
use pest::iterators::Pair;

use super::{all_or_errors, is_token, Builder};
use crate::ast::*;
use crate::diagnostics::Diagnostic;
use crate::parse::Rule;

impl Builder<'_> {
    /// A time of day (`HH:MM`, `00:00` to `24:00`) in minutes.
    fn clock(&self, p: &Pair<'_, Rule>) -> Result<u32, Vec<Diagnostic>> {
        let text = p.as_str();
        let (h, m) = text.split_once(':').unwrap_or((text, ""));
        match (h.parse::<u32>(), m.parse::<u32>()) {
            (Ok(h), Ok(m)) if m < 60 && (h < 24 || (h == 24 && m == 0)) => Ok(h * 60 + m),
            _ => Err(vec![self
                .src
                .error(
                    codes::PARSE_INVALID_LITERAL,
                    format!("`{text}` is not a time of day"),
                )
                .label(self.span(p), "no such time")
                .help(
                    "times are written `HH:MM` from `00:00` to `24:00`, e.g. `08:30`",
                )]),
        }
    }

    /// A `calendar` declaration.
    pub(super) fn calendar(&self, p: Pair<'_, Rule>) -> Result<CalendarDecl, Vec<Diagnostic>> {
        let (name, entries, span) = self.block(p, |e| self.calendar_entry(e))?;
        Ok(CalendarDecl {
            name: self.string(name)?,
            entries,
            span,
        })
    }

    /// One entry of a calendar.
    fn calendar_entry(&self, e: Pair<'_, Rule>) -> Result<Clause<CalendarEntry>, Vec<Diagnostic>> {
        let span = self.span(&e);
        let rule = e.as_rule();
        let mut it = e.into_inner();
        let node = match rule {
            Rule::timezone_entry => {
                CalendarEntry::Timezone(self.string(self.next_content(&mut it, span)?)?)
            }
            Rule::holidays_entry => {
                CalendarEntry::Holidays(self.string(self.next_content(&mut it, span)?)?)
            }
            Rule::hours_entry => {
                let mut days = Vec::new();
                let mut intervals = Vec::new();
                for q in it {
                    let qspan = self.span(&q);
                    match q.as_rule() {
                        Rule::day_range => {
                            let mut w = q.into_inner().map(|x| self.ident(x));
                            let from = w.next().ok_or_else(|| vec![self.internal(qspan.start)])?;
                            days.push(DayRange {
                                from,
                                to: w.next(),
                                span: qspan,
                            });
                        }
                        Rule::time_range => {
                            let clocks: Vec<Pair<'_, Rule>> = q.into_inner().collect();
                            let (Some(a), Some(b)) = (clocks.first(), clocks.get(1)) else {
                                return Err(vec![self.internal(qspan.start)]);
                            };
                            intervals.push(TimeRange {
                                start: self.clock(a)?,
                                end: self.clock(b)?,
                                span: qspan,
                            });
                        }
                        _ => {}
                    }
                }
                CalendarEntry::Hours { days, intervals }
            }
            Rule::closed_entry => {
                let mut closed = Vec::new();
                for q in it.filter(|q| q.as_rule() == Rule::closed_days) {
                    let qspan = self.span(&q);
                    let dates: Vec<Pair<'_, Rule>> = q.into_inner().collect();
                    let from = match dates.first() {
                        Some(d) => self.date(d)?,
                        None => return Err(vec![self.internal(qspan.start)]),
                    };
                    let to = match dates.get(1) {
                        Some(d) => Some(self.date(d)?),
                        None => None,
                    };
                    closed.push(ClosedDays {
                        from,
                        to,
                        span: qspan,
                    });
                }
                CalendarEntry::Closed(closed)
            }
            _ => return Err(vec![self.internal(span.start)]),
        };
        Ok(Clause { node, span })
    }

    /// An `sla` declaration.
    pub(super) fn sla(&self, p: Pair<'_, Rule>) -> Result<SlaDecl, Vec<Diagnostic>> {
        let (name, entries, span) = self.block(p, |e| self.sla_entry(e))?;
        Ok(SlaDecl {
            name: self.ident(name),
            entries,
            span,
        })
    }

    /// A declaration that names a block of entries (`calendar "de" { ... }`, `sla accept
    /// { ... }`): the name's pair, every entry built by `entry` (or every error of every
    /// entry), and the declaration's span.
    pub(super) fn block<'i, T>(
        &self,
        p: Pair<'i, Rule>,
        entry: impl FnMut(Pair<'i, Rule>) -> Result<T, Vec<Diagnostic>>,
    ) -> Result<(Pair<'i, Rule>, Vec<T>, Span), Vec<Diagnostic>> {
        let span = self.span(&p);
        let mut it = p.into_inner();
        let name = self.next_content(&mut it, span)?;
        let entries = all_or_errors(it.filter(|q| !is_token(q.as_rule())), entry)?;
        Ok((name, entries, span))
    }

    /// One entry of an SLA.
    fn sla_entry(&self, e: Pair<'_, Rule>) -> Result<Clause<SlaEntry>, Vec<Diagnostic>> {
        let span = self.span(&e);
        let rule = e.as_rule();
        let mut it = e.into_inner();
        let node = match rule {
            Rule::start_entry => SlaEntry::Start(self.words(it)),
            Rule::stop_entry => SlaEntry::Stop(self.words(it)),
            Rule::pause_entry => SlaEntry::PauseWhile(self.words(it)),
            Rule::stage_entry => SlaEntry::EachStage {
                except: self.words(it),
            },
            Rule::goal_entry => {
                let n = self.next_content(&mut it, span)?;
                let duration_span = self.span(&n);
                let duration = self.number(n)?;
                let business = match it.find(|q| q.as_rule() == Rule::goal_business) {
                    None => None,
                    Some(b) => {
                        let bspan = self.span(&b);
                        let calendar = match b.into_inner().find(|q| !is_token(q.as_rule())) {
                            None => None,
                            Some(c) if c.as_rule() == Rule::string => {
                                Some(BusinessCalendar::Named(self.string(c)?))
                            }
                            Some(c) => {
                                let cspan = self.span(&c);
                                let mut parts = c.into_inner();
                                let base = self.ident(self.next(&mut parts, cspan)?);
                                let field = self.ident(self.next(&mut parts, cspan)?);
                                Some(BusinessCalendar::Field(base, field))
                            }
                        };
                        Some(BusinessClock {
                            calendar,
                            span: bspan,
                        })
                    }
                };
                SlaEntry::Goal {
                    duration,
                    duration_span,
                    business,
                }
            }
            Rule::warn_entry => {
                let mut out = Vec::new();
                for q in it.filter(|q| q.as_rule() == Rule::number) {
                    let qspan = self.span(&q);
                    out.push((self.number(q)?, qspan));
                }
                SlaEntry::Warn(out)
            }
            Rule::breach_entry => {
                let mut out = Vec::new();
                for q in it.filter(|q| q.as_rule() == Rule::breach_action) {
                    let qspan = self.span(&q);
                    let a = self.next(&mut q.into_inner(), qspan)?;
                    let aspan = self.span(&a);
                    let rule = a.as_rule();
                    let mut parts = a.into_inner();
                    let node = match rule {
                        Rule::action_remind => BreachAction::Remind,
                        Rule::action_reroute => BreachAction::RetractAndReroute,
                        Rule::action_escalate => BreachAction::Escalate(
                            self.string(self.next_content(&mut parts, aspan)?)?,
                        ),
                        _ => {
                            BreachAction::Alert(self.string(self.next_content(&mut parts, aspan)?)?)
                        }
                    };
                    out.push(Clause { node, span: qspan });
                }
                SlaEntry::OnBreach(out)
            }
            _ => return Err(vec![self.internal(span.start)]),
        };
        Ok(Clause { node, span })
    }
}
