//! Evaluation of an [`SlaSet`] over one timeline (semantics in the parent module's docs).

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::calendar::{Calendar, CalendarError};
use crate::timeline::{EventData, EventKind, Timeline};
use crate::value::{DurationMs, Instant};

use super::{Action, ClockSpec, Compiled, Done, PartnerCalendars, SlaError, SlaSet};

/// The state of one SLA instance at `now`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SlaState {
    /// Open, clock running, goal not yet reached.
    Running,
    /// Open, clock stopped by a pausing status, goal not yet reached.
    Paused,
    /// Stopped in time.
    Met,
    /// The goal ran out before the stop event (open or ended).
    Breached,
    /// Ended before its stop event and before its goal ran out: restarted, the partner lost the
    /// lead, or the lead was closed.
    Cancelled,
}

/// One SLA instance, as of `now`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SlaStatus {
    /// The policy's name.
    pub sla: Arc<str>,
    /// The instance label: the policy name, or `name#n` for the n-th restart.
    pub instance: Arc<str>,
    /// The instance's index (0 for the first).
    pub index: u32,
    /// The stage, for per-stage policies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage: Option<String>,
    /// The partner assigned when the instance started.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partner: Option<Arc<str>>,
    /// The state.
    pub state: SlaState,
    /// When the instance started.
    pub started_at: Instant,
    /// When it ended (stop, restart, cancellation), if it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended_at: Option<Instant>,
    /// The goal (ms).
    pub goal_ms: DurationMs,
    /// Elapsed clock time (ms) up to the end or `now` (may exceed the goal once breached).
    pub elapsed_ms: DurationMs,
    /// `max(goal - elapsed, 0)`.
    pub remaining_ms: DurationMs,
    /// The due instant: when the goal runs out (or ran out). `None` while paused before it, and
    /// for instances that ended before it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_at: Option<Instant>,
    /// The next warning or due instant after `now` of a running instance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_at: Option<Instant>,
}

/// What a due action is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum DueKind {
    /// A warning threshold was crossed.
    Warning {
        /// The threshold (fraction of the goal).
        threshold: f64,
    },
    /// The goal ran out: one of the policy's breach actions.
    Breach {
        /// The action.
        action: Action,
    },
}

/// An action now due, to be executed once by the host.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DueAction {
    /// The stable id (e.g. `accept:warn:75`, `accept#1:breach:reroute`).
    pub id: Arc<str>,
    /// The policy's name.
    pub sla: Arc<str>,
    /// The instance label.
    pub instance: Arc<str>,
    /// The instance's partner, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partner: Option<Arc<str>>,
    /// When it became due.
    pub at: Instant,
    /// What it is.
    #[serde(flatten)]
    pub kind: DueKind,
}

/// The result of evaluating an [`SlaSet`] over one timeline at `now`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    /// The lead id.
    pub lead: String,
    /// Every instance of every policy, policies in set order, instances in start order.
    pub slas: Vec<SlaStatus>,
    /// Actions due now and not yet executed, by instant then policy order.
    pub due: Vec<DueAction>,
    /// The earliest `next_at` of all instances.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_deadline: Option<Instant>,
    /// Pass as [`Done::Cursor`] to the next evaluation to get each action once.
    pub cursor: Instant,
}

#[derive(Clone, Copy)]
enum Clock<'a> {
    Wall,
    Business(&'a Calendar),
}

impl Clock<'_> {
    fn between(self, a: Instant, b: Instant) -> Result<DurationMs, CalendarError> {
        match self {
            Clock::Wall => Ok(b.saturating_sub(a)),
            Clock::Business(c) => c.business_between(a, b),
        }
    }
    fn add(self, t: Instant, d: DurationMs) -> Result<Instant, CalendarError> {
        match self {
            Clock::Wall => Ok(t.saturating_add(d)),
            Clock::Business(c) => c.business_add(t, d),
        }
    }
}

struct Open<'t, 's> {
    index: u32,
    stage: Option<&'t str>,
    partner: Option<Arc<str>>,
    started: Instant,
    clock: Clock<'s>,
    elapsed: DurationMs,
    run_from: Option<Instant>,
    /// Crossing instants of `targets[..crossed.len()]`.
    crossed: Vec<Instant>,
}

enum End {
    Stop,
    Cancel,
}

struct Ctx<'a, 's> {
    set: &'s SlaSet,
    p: &'s Compiled,
    lead: &'a str,
    now: Instant,
    done: &'a Done,
    out: &'a mut Evaluation,
}

impl<'a, 's> Ctx<'a, 's> {
    fn cal_err(&self, source: CalendarError) -> SlaError {
        SlaError::Calendar {
            lead: self.lead.to_string(),
            source,
        }
    }

    /// Adds the running segment `[run_from, to)` to `o`, recording crossings up to `to`.
    fn close_segment(&self, o: &mut Open<'_, '_>, to: Instant) -> Result<(), SlaError> {
        if let Some(r) = o.run_from.take() {
            let seg = o.clock.between(r, to).map_err(|e| self.cal_err(e))?;
            while let Some(t) = self.p.targets.get(o.crossed.len()) {
                if t.at_elapsed > o.elapsed + seg {
                    break;
                }
                let at = o
                    .clock
                    .add(r, t.at_elapsed - o.elapsed)
                    .map_err(|e| self.cal_err(e))?;
                o.crossed.push(at);
            }
            o.elapsed += seg;
        }
        Ok(())
    }

    fn label(&self, index: u32) -> Arc<str> {
        if index == 0 {
            self.p.name.clone()
        } else {
            Arc::from(format!("{}#{}", self.p.name, index))
        }
    }

    fn goal(&self) -> DurationMs {
        self.p.policy.goal.duration_ms
    }

    /// Emits the due actions of the crossings `o.crossed` (those `<= now`, not done).
    fn emit(&mut self, o: &Open<'_, '_>, label: &Arc<str>) {
        let first = o.index == 0;
        for (k, (t, &at)) in self.p.targets.iter().zip(&o.crossed).enumerate() {
            if at > self.now {
                continue;
            }
            if let Done::Cursor(c) = self.done {
                if at <= *c {
                    continue;
                }
            }
            let mut push = |full: Option<&Arc<str>>, suffix: &str, kind: DueKind| {
                let id: Arc<str> = match full {
                    Some(id) if first => id.clone(),
                    _ => Arc::from(format!("{label}:{suffix}")),
                };
                if let Done::Ids(ids) = self.done {
                    if ids.contains(&*id) {
                        return;
                    }
                }
                self.out.due.push(DueAction {
                    id,
                    sla: self.p.name.clone(),
                    instance: label.clone(),
                    partner: o.partner.clone(),
                    at,
                    kind,
                });
            };
            match t.warn {
                Some(threshold) => push(
                    self.p.first_ids.get(k),
                    &t.suffix,
                    DueKind::Warning { threshold },
                ),
                None => {
                    for (j, (a, s)) in self
                        .p
                        .policy
                        .on_breach
                        .iter()
                        .zip(&self.p.breach_suffixes)
                        .enumerate()
                    {
                        push(
                            self.p.first_ids.get(k + j),
                            s,
                            DueKind::Breach { action: a.clone() },
                        );
                    }
                }
            }
        }
    }

    /// Ends an open instance at `x`.
    fn end(&mut self, mut o: Open<'_, '_>, x: Instant, how: End) -> Result<(), SlaError> {
        self.close_segment(&mut o, x)?;
        // The ending event takes precedence over a crossing at the same instant.
        while o.crossed.last().is_some_and(|&c| c >= x) {
            o.crossed.pop();
        }
        let breached = o.crossed.len() == self.p.targets.len();
        let due_at = if breached {
            o.crossed.last().copied()
        } else {
            None
        };
        let state = match (breached, how) {
            (true, _) => SlaState::Breached,
            (false, End::Stop) => SlaState::Met,
            (false, End::Cancel) => SlaState::Cancelled,
        };
        let label = self.label(o.index);
        self.emit(&o, &label);
        let goal = self.goal();
        self.out.slas.push(SlaStatus {
            sla: self.p.name.clone(),
            instance: label,
            index: o.index,
            stage: o.stage.map(str::to_string),
            partner: o.partner.clone(),
            state,
            started_at: o.started,
            ended_at: Some(x),
            goal_ms: goal,
            elapsed_ms: o.elapsed,
            remaining_ms: (goal - o.elapsed).max(0),
            due_at,
            next_at: None,
        });
        Ok(())
    }

    /// Reports an instance still open at `now`.
    fn project(&mut self, mut o: Open<'_, '_>) -> Result<(), SlaError> {
        let running_from = o.run_from;
        let before = o.elapsed;
        self.close_segment(&mut o, self.now)?;
        let mut next_at = None;
        let mut due_at = if o.crossed.len() == self.p.targets.len() {
            o.crossed.last().copied()
        } else {
            None
        };
        if let Some(r) = running_from {
            // Future crossings from the same running segment.
            if let Some(t) = self.p.targets.get(o.crossed.len()) {
                next_at = Some(
                    o.clock
                        .add(r, t.at_elapsed - before)
                        .map_err(|e| self.cal_err(e))?,
                );
            }
            if due_at.is_none() {
                due_at = if o.crossed.len() + 1 == self.p.targets.len() {
                    next_at
                } else {
                    Some(
                        o.clock
                            .add(r, self.goal() - before)
                            .map_err(|e| self.cal_err(e))?,
                    )
                };
            }
            // A crossing exactly at `now` is recorded; `next_at` is strictly later.
            if next_at.is_some_and(|n| n <= self.now) {
                next_at = None;
            }
        }
        let breached = o.crossed.len() == self.p.targets.len();
        let state = match (breached, running_from.is_some()) {
            (true, _) => SlaState::Breached,
            (false, true) => SlaState::Running,
            (false, false) => SlaState::Paused,
        };
        if let Some(n) = next_at {
            self.out.next_deadline = Some(self.out.next_deadline.map_or(n, |d| d.min(n)));
        }
        let label = self.label(o.index);
        self.emit(&o, &label);
        let goal = self.goal();
        self.out.slas.push(SlaStatus {
            sla: self.p.name.clone(),
            instance: label,
            index: o.index,
            stage: o.stage.map(str::to_string),
            partner: o.partner.clone(),
            state,
            started_at: o.started,
            ended_at: None,
            goal_ms: goal,
            elapsed_ms: o.elapsed,
            remaining_ms: (goal - o.elapsed).max(0),
            due_at,
            next_at,
        });
        Ok(())
    }

    fn clock_for(
        &self,
        partner: Option<&str>,
        partners: &dyn PartnerCalendars,
    ) -> Result<Clock<'s>, SlaError> {
        match &self.p.clock {
            ClockSpec::Wall => Ok(Clock::Wall),
            ClockSpec::Named(c) => Ok(Clock::Business(c)),
            ClockSpec::Partner(field) => partner
                .and_then(|p| partners.calendar_name(p, field))
                .and_then(|name| self.set.calendars.get(name))
                .map(Clock::Business)
                .ok_or_else(|| SlaError::NoPartnerCalendar {
                    sla: self.p.name.to_string(),
                    lead: self.lead.to_string(),
                    partner: partner.unwrap_or("").to_string(),
                    field: field.clone(),
                }),
        }
    }
}

fn is_paused(p: &Compiled, status: Option<&str>) -> bool {
    status.is_some_and(|s| p.policy.pause_while.iter().any(|w| w == s))
}

impl SlaSet {
    /// Evaluates every policy over a timeline at `now`, looking up partner calendars through
    /// `partners` (see the module docs). The timeline is validated first.
    pub fn evaluate_with(
        &self,
        timeline: &Timeline,
        now: Instant,
        done: &Done,
        partners: &dyn PartnerCalendars,
    ) -> Result<Evaluation, SlaError> {
        timeline.validate()?;
        let mut out = Evaluation {
            lead: timeline.lead.clone(),
            slas: Vec::with_capacity(self.policies.len() * 2 + timeline.events.len()),
            due: Vec::with_capacity(8),
            next_deadline: None,
            cursor: now,
        };
        for p in &self.policies {
            let mut ctx = Ctx {
                set: self,
                p,
                lead: &timeline.lead,
                now,
                done,
                out: &mut out,
            };
            eval_policy(&mut ctx, timeline, partners)?;
        }
        out.due.sort_by_key(|d| d.at);
        Ok(out)
    }
}

fn eval_policy(
    ctx: &mut Ctx<'_, '_>,
    timeline: &Timeline,
    partners: &dyn PartnerCalendars,
) -> Result<(), SlaError> {
    let p = ctx.p;
    let per_stage = p.policy.per_stage.as_ref();
    let mut status: Option<&str> = None;
    let mut assignee: Option<&str> = None;
    let mut open: Option<Open<'_, '_>> = None;
    let mut count: u32 = 0;
    let mut spare: Vec<Instant> = Vec::with_capacity(p.targets.len());
    for ev in &timeline.events {
        if ev.at > ctx.now {
            break;
        }
        let x = ev.at;
        let kind = ev.kind();
        let bit = kind.bit();
        if let EventData::StatusChanged { status: s } = &ev.data {
            status = Some(s);
            if let Some(o) = open.as_mut() {
                let paused = is_paused(p, status);
                if paused && o.run_from.is_some() {
                    ctx.close_segment(o, x)?;
                } else if !paused && o.run_from.is_none() {
                    o.run_from = Some(x);
                }
            }
        }
        if let Some(o) = open.take() {
            let ends =
                if p.stop & bit != 0 || (per_stage.is_some() && kind == EventKind::StageChanged) {
                    Some(End::Stop)
                } else if matches!(
                    kind,
                    EventKind::Won | EventKind::Lost | EventKind::Delivered
                ) || (per_stage.is_none()
                    && o.partner.is_some()
                    && matches!(
                        kind,
                        EventKind::Rejected
                            | EventKind::Retracted
                            | EventKind::Reassigned
                            | EventKind::HandedDown
                    ))
                {
                    Some(End::Cancel)
                } else {
                    None
                };
            match ends {
                Some(how) => ctx.end(o, x, how)?,
                None => open = Some(o),
            }
        }
        match &ev.data {
            EventData::Assigned { partner } | EventData::Reassigned { partner } => {
                assignee = Some(partner)
            }
            EventData::HandedDown { reseller } => assignee = Some(reseller),
            EventData::Rejected { .. } | EventData::Retracted { .. } => assignee = None,
            _ => {}
        }
        let starts: Option<Option<&str>> = match (per_stage, &ev.data) {
            (Some(spec), EventData::StageChanged { stage }) => {
                if spec.except.iter().any(|e| e == stage) {
                    None
                } else {
                    Some(Some(stage.as_str()))
                }
            }
            (Some(_), _) => None,
            (None, _) => (p.start & bit != 0).then_some(None),
        };
        if let Some(stage) = starts {
            if let Some(o) = open.take() {
                ctx.end(o, x, End::Cancel)?;
            }
            let clock = ctx.clock_for(assignee, partners)?;
            let mut crossed = std::mem::take(&mut spare);
            crossed.clear();
            let paused = is_paused(p, status);
            open = Some(Open {
                index: count,
                stage,
                partner: assignee.map(Arc::from),
                started: x,
                clock,
                elapsed: 0,
                run_from: (!paused).then_some(x),
                crossed,
            });
            count = count.saturating_add(1);
        }
    }
    if let Some(o) = open.take() {
        ctx.project(o)?;
    }
    Ok(())
}
