//! Evaluation of an [`SlaSet`] over one timeline (semantics in the parent module's docs).

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::calendar::{Calendar, CalendarError};
use crate::timeline::{EventData, EventKind, Timeline};
use crate::value::{DurationMs, EpochMs};

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
    pub started_at: EpochMs,
    /// When it ended (stop, restart, cancellation), if it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended_at: Option<EpochMs>,
    /// The goal (ms).
    pub goal_ms: DurationMs,
    /// Elapsed clock time (ms) up to the end or `now` (may exceed the goal once breached).
    pub elapsed_ms: DurationMs,
    /// `max(goal - elapsed, 0)`.
    pub remaining_ms: DurationMs,
    /// The due instant: when the goal runs out (or ran out). `None` while paused before it, and
    /// for instances that ended before it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_at: Option<EpochMs>,
    /// The next warning or due instant after `now` of a running instance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_at: Option<EpochMs>,
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
    pub at: EpochMs,
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
    pub next_deadline: Option<EpochMs>,
    /// Pass as [`Done::Cursor`] to the next evaluation to get each action once.
    pub cursor: EpochMs,
}

#[derive(Clone, Copy)]
enum Clock<'a> {
    Wall,
    Business(&'a Calendar),
}

impl Clock<'_> {
    fn between(self, a: EpochMs, b: EpochMs) -> Result<DurationMs, CalendarError> {
        match self {
            Clock::Wall => Ok(b.saturating_sub(a)),
            Clock::Business(c) => c.business_between(a, b),
        }
    }
    fn add(self, t: EpochMs, d: DurationMs) -> Result<EpochMs, CalendarError> {
        match self {
            Clock::Wall => Ok(t.saturating_add(d)),
            Clock::Business(c) => c.business_add(t, d),
        }
    }
}

/// Crossing instants of an instance's targets, in target order; inline up to 8 (no
/// allocation for policies with up to 7 warning thresholds).
struct Crossed {
    inline: [EpochMs; 8],
    len: usize,
    spill: Vec<EpochMs>,
}

impl Crossed {
    fn new() -> Crossed {
        Crossed {
            inline: [0; 8],
            len: 0,
            spill: Vec::new(),
        }
    }
    fn clear(&mut self) {
        self.len = 0;
        self.spill.clear();
    }
    fn len(&self) -> usize {
        self.len
    }
    fn get(&self, k: usize) -> Option<EpochMs> {
        if k >= self.len {
            return None;
        }
        match self.inline.get(k) {
            Some(&at) => Some(at),
            None => self.spill.get(k - self.inline.len()).copied(),
        }
    }
    fn last(&self) -> Option<EpochMs> {
        self.len.checked_sub(1).and_then(|k| self.get(k))
    }
    fn push(&mut self, at: EpochMs) {
        match self.inline.get_mut(self.len) {
            Some(slot) => *slot = at,
            None => self.spill.push(at),
        }
        self.len += 1;
    }
    fn pop(&mut self) {
        if self.len > self.inline.len() {
            self.spill.pop();
        }
        self.len = self.len.saturating_sub(1);
    }
}

/// A partner seen in the timeline: its id shared once per evaluation, and its clock.
struct SeenPartner<'t, 's> {
    id: &'t str,
    arc: Arc<str>,
    /// The clock resolved for a partner field, if any was asked for.
    clock: Option<(&'s str, Clock<'s>)>,
}

/// The partners of one evaluation (a lead rarely has more than a few), so that each one's id
/// is allocated once and its calendar looked up once, whatever the number of policies.
struct Seen<'t, 's> {
    slots: [Option<SeenPartner<'t, 's>>; 4],
}

impl<'t, 's> Seen<'t, 's> {
    fn new() -> Seen<'t, 's> {
        Seen {
            slots: Default::default(),
        }
    }

    /// The slot of `id`, inserted if there is room.
    fn slot(&mut self, id: &'t str) -> Option<&mut SeenPartner<'t, 's>> {
        let pos = self.slots.iter().position(|s| match s {
            None => true,
            Some(s) => std::ptr::eq(s.id, id) || s.id == id,
        })?;
        let slot = self.slots.get_mut(pos)?;
        if slot.is_none() {
            *slot = Some(SeenPartner {
                id,
                arc: Arc::from(id),
                clock: None,
            });
        }
        slot.as_mut()
    }

    fn arc(&mut self, id: &'t str) -> Arc<str> {
        match self.slot(id) {
            Some(s) => s.arc.clone(),
            None => Arc::from(id),
        }
    }
}

struct Open<'t, 's> {
    index: u32,
    stage: Option<&'t str>,
    partner: Option<Arc<str>>,
    started: EpochMs,
    clock: Clock<'s>,
    elapsed: DurationMs,
    run_from: Option<EpochMs>,
}

enum End {
    Stop,
    Cancel,
}

struct Ctx<'a, 's> {
    set: &'s SlaSet,
    p: &'s Compiled,
    lead: &'a str,
    now: EpochMs,
    done: &'a Done,
    out: &'a mut Evaluation,
    /// Crossing instants of the open instance's `targets[..crossed.len()]`.
    crossed: &'a mut Crossed,
}

impl<'a, 's> Ctx<'a, 's> {
    fn cal_err(&self, source: CalendarError) -> SlaError {
        SlaError::Calendar {
            lead: self.lead.to_string(),
            source,
        }
    }

    /// Adds the running segment `[run_from, to)` to `o`, recording crossings up to `to`.
    fn close_segment(&mut self, o: &mut Open<'_, '_>, to: EpochMs) -> Result<(), SlaError> {
        if let Some(r) = o.run_from.take() {
            let seg = o.clock.between(r, to).map_err(|e| self.cal_err(e))?;
            while let Some(t) = self.p.targets.get(self.crossed.len()) {
                if t.at_elapsed > o.elapsed + seg {
                    break;
                }
                let at = o
                    .clock
                    .add(r, t.at_elapsed - o.elapsed)
                    .map_err(|e| self.cal_err(e))?;
                self.crossed.push(at);
            }
            o.elapsed += seg;
        }
        Ok(())
    }

    fn label(&self, index: u32) -> Arc<str> {
        match self.p.labels.get(index as usize) {
            Some(label) => label.clone(),
            None => super::instance_label(&self.p.name, index),
        }
    }

    fn goal(&self) -> DurationMs {
        self.p.policy.goal.duration_ms
    }

    /// Emits the due actions of the crossings in `self.crossed` (those `<= now`, not done).
    fn emit(&mut self, o: &Open<'_, '_>, label: &Arc<str>) {
        let shared = self.p.ids.get(o.index as usize);
        let done = self.done;
        let now = self.now;
        let p = self.p;
        let out = &mut *self.out;
        for (k, t) in p.targets.iter().enumerate() {
            let Some(at) = self.crossed.get(k) else {
                break;
            };
            if at > now {
                continue;
            }
            if let Done::Cursor(c) = done {
                if at <= *c {
                    continue;
                }
            }
            let mut push = |n: usize, suffix: &str, kind: DueKind| {
                let id: Arc<str> = match shared.and_then(|ids| ids.get(n)) {
                    Some(id) => id.clone(),
                    None => Arc::from(format!("{label}:{suffix}")),
                };
                if let Done::Ids(ids) = done {
                    if ids.contains(&*id) {
                        return;
                    }
                }
                out.due.push(DueAction {
                    id,
                    sla: p.name.clone(),
                    instance: label.clone(),
                    partner: o.partner.clone(),
                    at,
                    kind,
                });
            };
            match t.warn {
                Some(threshold) => push(k, &t.suffix, DueKind::Warning { threshold }),
                None => {
                    for (j, (a, s)) in p
                        .policy
                        .on_breach
                        .iter()
                        .zip(&p.breach_suffixes)
                        .enumerate()
                    {
                        push(k + j, s, DueKind::Breach { action: a.clone() });
                    }
                }
            }
        }
    }

    /// Ends an open instance at `x`.
    fn end(&mut self, mut o: Open<'_, '_>, x: EpochMs, how: End) -> Result<(), SlaError> {
        self.close_segment(&mut o, x)?;
        // The ending event takes precedence over a crossing at the same instant.
        while self.crossed.last().is_some_and(|c| c >= x) {
            self.crossed.pop();
        }
        let breached = self.crossed.len() == self.p.targets.len();
        let due_at = if breached { self.crossed.last() } else { None };
        let state = match (breached, how) {
            (true, _) => SlaState::Breached,
            (false, End::Stop) => SlaState::Met,
            (false, End::Cancel) => SlaState::Cancelled,
        };
        self.report(o, state, Some(x), due_at, None);
        Ok(())
    }

    /// Reports an instance still open at `now`.
    fn project(&mut self, mut o: Open<'_, '_>) -> Result<(), SlaError> {
        let running_from = o.run_from;
        let before = o.elapsed;
        self.close_segment(&mut o, self.now)?;
        let targets = self.p.targets.len();
        let mut next_at = None;
        let mut due_at = if self.crossed.len() == targets {
            self.crossed.last()
        } else {
            None
        };
        if let Some(r) = running_from {
            // Future crossings from the same running segment.
            if let Some(t) = self.p.targets.get(self.crossed.len()) {
                next_at = Some(
                    o.clock
                        .add(r, t.at_elapsed - before)
                        .map_err(|e| self.cal_err(e))?,
                );
            }
            if due_at.is_none() {
                due_at = if self.crossed.len() + 1 == targets {
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
        let breached = self.crossed.len() == targets;
        let state = match (breached, running_from.is_some()) {
            (true, _) => SlaState::Breached,
            (false, true) => SlaState::Running,
            (false, false) => SlaState::Paused,
        };
        if let Some(n) = next_at {
            self.out.next_deadline = Some(self.out.next_deadline.map_or(n, |d| d.min(n)));
        }
        self.report(o, state, None, due_at, next_at);
        Ok(())
    }

    /// Emits the instance's events and pushes its status.
    fn report(
        &mut self,
        o: Open<'_, '_>,
        state: SlaState,
        ended_at: Option<EpochMs>,
        due_at: Option<EpochMs>,
        next_at: Option<EpochMs>,
    ) {
        let label = self.label(o.index);
        self.emit(&o, &label);
        let goal = self.goal();
        self.out.slas.push(SlaStatus {
            sla: self.p.name.clone(),
            instance: label,
            index: o.index,
            stage: o.stage.map(str::to_string),
            partner: o.partner,
            state,
            started_at: o.started,
            ended_at,
            goal_ms: goal,
            elapsed_ms: o.elapsed,
            remaining_ms: (goal - o.elapsed).max(0),
            due_at,
            next_at,
        });
    }

    fn clock_for<'t>(
        &self,
        partner: Option<&'t str>,
        partners: &dyn PartnerCalendars,
        seen: &mut Seen<'t, 's>,
    ) -> Result<Clock<'s>, SlaError> {
        let field: &'s str = match &self.p.clock {
            ClockSpec::Wall => return Ok(Clock::Wall),
            ClockSpec::Named(c) => return Ok(Clock::Business(c)),
            ClockSpec::Partner(field) => field,
        };
        let slot = partner.and_then(|p| seen.slot(p));
        if let Some((f, clock)) = slot.as_ref().and_then(|s| s.clock) {
            if f == field {
                return Ok(clock);
            }
        }
        let clock = partner
            .and_then(|p| partners.calendar_name(p, field))
            .and_then(|name| self.set.calendars.get(name))
            .map(Clock::Business)
            .ok_or_else(|| SlaError::NoPartnerCalendar {
                sla: self.p.name.to_string(),
                lead: self.lead.to_string(),
                partner: partner.unwrap_or("").to_string(),
                field: field.to_string(),
            })?;
        if let Some(s) = slot {
            s.clock = Some((field, clock));
        }
        Ok(clock)
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
        now: EpochMs,
        done: &Done,
        partners: &dyn PartnerCalendars,
    ) -> Result<Evaluation, SlaError> {
        let mut out = Evaluation {
            lead: String::new(),
            slas: Vec::new(),
            due: Vec::new(),
            next_deadline: None,
            cursor: now,
        };
        self.evaluate_into(timeline, now, done, partners, &mut out)?;
        Ok(out)
    }

    /// [`SlaSet::evaluate_with`] into an existing [`Evaluation`], whose buffers are reused: the
    /// form for hosts that evaluate many timelines in a loop (one `Evaluation` per thread).
    /// On success `out` holds exactly what `evaluate_with` returns; on error its content is
    /// unspecified.
    pub fn evaluate_into(
        &self,
        timeline: &Timeline,
        now: EpochMs,
        done: &Done,
        partners: &dyn PartnerCalendars,
        out: &mut Evaluation,
    ) -> Result<(), SlaError> {
        timeline.validate()?;
        out.lead.clear();
        out.lead.push_str(&timeline.lead);
        out.slas.clear();
        out.due.clear();
        out.next_deadline = None;
        out.cursor = now;
        // Room for every instance: at most one per starting event of each policy.
        let mut kinds = [0usize; EventKind::ALL.len()];
        for ev in timeline.events.iter().take_while(|e| e.at <= now) {
            if let Some(n) = kinds.get_mut(ev.kind() as usize) {
                *n += 1;
            }
        }
        let count = |k: EventKind| kinds.get(k as usize).copied().unwrap_or(0);
        let starts = |p: &Compiled| match p.policy.per_stage {
            Some(_) => count(EventKind::StageChanged),
            None => p.policy.start.iter().map(|&k| count(k)).sum(),
        };
        let instances: usize = self.policies.iter().map(starts).sum();
        out.slas.reserve(instances);
        out.due.reserve(8);
        let mut crossed = Crossed::new();
        let mut seen = Seen::new();
        for p in &self.policies {
            if starts(p) == 0 {
                // no event up to `now` starts an instance of this policy: nothing to report
                continue;
            }
            let mut ctx = Ctx {
                set: self,
                p,
                lead: &timeline.lead,
                now,
                done,
                out: &mut *out,
                crossed: &mut crossed,
            };
            eval_policy(&mut ctx, timeline, partners, &mut seen)?;
        }
        out.due.sort_by_key(|d| d.at);
        Ok(())
    }
}

fn eval_policy<'t, 's>(
    ctx: &mut Ctx<'_, 's>,
    timeline: &'t Timeline,
    partners: &dyn PartnerCalendars,
    seen: &mut Seen<'t, 's>,
) -> Result<(), SlaError> {
    let p = ctx.p;
    let per_stage = p.policy.per_stage.as_ref();
    let mut status: Option<&str> = None;
    let mut assignee: Option<&'t str> = None;
    let mut open: Option<Open<'t, 's>> = None;
    let mut count: u32 = 0;
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
        let starts: Option<Option<&'t str>> = match (per_stage, &ev.data) {
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
            let clock = ctx.clock_for(assignee, partners, seen)?;
            ctx.crossed.clear();
            let paused = is_paused(p, status);
            open = Some(Open {
                index: count,
                stage,
                partner: assignee.map(|a| seen.arc(a)),
                started: x,
                clock,
                elapsed: 0,
                run_from: (!paused).then_some(x),
            });
            count = count.saturating_add(1);
        }
    }
    if let Some(o) = open.take() {
        ctx.project(o)?;
    }
    Ok(())
}
