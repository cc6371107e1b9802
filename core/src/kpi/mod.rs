//! Channel KPIs and the stage-weighted forecast, computed from lead timelines, lead records,
//! partner engagement events and partner records as of `now`.
//!
//! The definitions are the contract; `docs/kpi.md` has each with a worked example.
//!
//! # Inputs
//!
//! - **Timelines** ([`Timeline`]): validated whole ([`Timeline::validate`]); only events at or
//!   before `now` count. An invalid timeline, or a second timeline for a lead, fails the call
//!   with an error naming the lead and the field.
//! - **Lead records** ([`LeadInfo`]): amount, region, product line; a lead without a record has
//!   nulls there. Records of leads without a timeline are ignored.
//! - **Engagement events** ([`EngagementEvent`]) `{partner, at, kind}`, any kind.
//! - **Partner records** ([`PartnerInfo`]) with an optional `joined_at`.
//! - The ruleset's SLAs and calendars ([`SlaSet`]), for SLA attainment.
//!
//! Instants are ms since the epoch, UTC, between the years 1 and 9999; durations are elapsed ms.
//! A lead with no event at or before `now` does not exist yet and counts nowhere.
//!
//! # Definitions
//!
//! - **Holder at an event**: the partner holding the lead just before it (none: the `null`
//!   partner group, still counted in totals).
//! - **Holding, assignment**: P holds a lead from an `assigned` to P, a `reassigned` to P or a
//!   `handed_down` to P, until the next `rejected`, `retracted`, `reassigned` or `handed_down`
//!   to another partner, `lost` or `delivered` (that ending event belongs to the holding;
//!   `won`, `ordered`, stage and status events do not end it). A `reassigned`/`handed_down`
//!   naming the current holder changes nothing. Each start of a holding is an **assignment**,
//!   dated at its event ("leads received"). The events of a holding are those after its
//!   starting event, up to and including its ending event.
//! - **Periods** ([`Granularity`]): a day, an ISO week (labelled by ISO week-year: `2026-W53`),
//!   a month or a quarter of the local date in an IANA zone (default UTC); half-open, so local
//!   midnight starts the new day and DST days last 23 or 25 hours. A metric "for a period" takes
//!   the items dated in it.
//! - **Response** of an assignment: the first event of its holding other than `viewed`,
//!   `retracted` and `reassigned`; response time = its instant - the assignment's.
//! - **Acceptance**: *accepted* if `accepted` or `won` occurs in its holding (even if a later
//!   `rejected` ends it) or it ends by the holder's own `handed_down`; else *rejected* if a
//!   `rejected` ends it; else *lapsed* if it ended; else *pending*. Acceptance rate = accepted /
//!   (accepted + rejected + lapsed); pending is reported apart.
//! - **Conversion** (per partner) = assignments that convert / assignments; an assignment
//!   converts if `won` occurs in its holding, or in the holding of a partner it handed the lead
//!   down to, directly or through further hand-downs. **Lead conversion** (no partner) = leads
//!   with `won` / leads, dated at the lead's start (its first event). A `delivered` with no
//!   earlier `won` implies `won` at that instant (for every metric).
//! - **Time to first contact** = the first `contacted` in the holding - the assignment instant.
//! - **Time in stage**: a `stage_changed` to a stage other than the current one opens a stay,
//!   closed by the next stage change, `won`, `lost` or `delivered`; it keeps the holder at its
//!   opening and is dated at its opening. Closed stays give the statistics; open ones are
//!   reported apart (count, mean age at `now`). A `stage_changed` to the current stage changes
//!   nothing.
//! - **Sales cycle** = `won` - the lead's start, for the holder at `won`, dated at `won`.
//!   **Order fulfilment** = the first `delivered` after the first `ordered` - that `ordered`,
//!   for the holder at `ordered`, dated at `delivered`.
//! - **Open lead**: no `won`, `lost` or `delivered` by `now`; grouped by holder at `now` and
//!   period of its start; **lead age** = `now` - start; **untouched** for D: open, and `now` -
//!   its last event >= D.
//! - **SLA attainment** per policy and partner (the partner of the instance: the one holding the
//!   lead when it started, as [`crate::sla`] assigns it): met if stopped at or before its due
//!   instant (dated at the stop); breached if due <= `now` and it was neither stopped nor
//!   cancelled at or before due (dated at due); running and cancelled instances are not
//!   counted; rate = met / (met + breached).
//! - **Engagement**: engagement events (at or before `now`) per kind and distinct active local
//!   days, per partner and period. **Time to first deal** = P's first `won` (as holder) -
//!   `joined_at` (a date is the start of that local date), dated at that `won`; none without
//!   `joined_at`. **Rejection reasons**: the `rejected` ending each assignment, counted per
//!   reason text, dated with the assignment.
//! - **Statistics** ([`Stats`]) of a duration set: count, sum (exact), mean, median (the mean
//!   of the two middle values for an even count), p90 (the value at position ceil(9n/10) of
//!   the ascending list). Empty set: count 0, the rest null. A rate with a zero denominator is
//!   null.
//! - **Forecast** ([`Forecast`]): open leads with a current stage S (the last `stage_changed`)
//!   and an amount A; P = holder at `now`. Win probability (w + m R_S) / (n + m): n closed
//!   leads (`won` or `lost` by `now`) that were in S while P held them at some point, w of them
//!   won; R_S the same rate over all closed leads that were in S (held or not, each counted
//!   once; the overall rate of closed leads if none was in S); m = 10 unless given; an unheld
//!   lead, or n + m = 0, gets R_S. Leads without a stage or an amount (all leads, when no lead
//!   has closed yet) are left out and reported. Expected value = sum of A x probability, per
//!   group (holder at `now`, the lead's region and product line, period of its start) and in
//!   total; range: the least x with P(T <= x) >= 0.1 and >= 0.9 for the total T under
//!   independent outcomes, exact up to [`forecast::EXACT_MAX_LEADS`] leads, else from at least
//!   10,000 seeded draws with a 95% interval for each point.
//!
//! # Grouping
//!
//! [`GroupBy`]: partner, region (country or subdivision), product line and period, in any
//! combination. Lead conversion has no partner; engagement and time to first deal are by
//! partner and period only. Rows are ordered by key, nulls first.
//!
//! # Determinism
//!
//! Leads are processed in parallel with rayon (in fixed chunks, on rayon's pool or on a pool
//! of `threads`); results do not depend on the thread count or on the order of the inputs:
//! counts are integers, duration lists are sorted before their statistics, and the forecast
//! sums in lead id order.
//!
//! # Example
//!
//! ```
//! use leadrail_core::kpi::{self, KpiInput, KpiOptions, GroupBy};
//! use leadrail_core::timeline::{Event, EventData, Timeline};
//!
//! let h = 3_600_000;
//! let t = Timeline::new("L1", vec![
//!     Event::new(0, EventData::Assigned { partner: "P1".into() }),
//!     Event::new(2 * h, EventData::Viewed { partner: None }),
//!     Event::new(3 * h, EventData::Accepted { partner: "P1".into() }),
//!     Event::new(50 * h, EventData::Won),
//! ]);
//! let timelines = [t];
//! let opts = KpiOptions { by: GroupBy::parse(["partner"])?, ..KpiOptions::default() };
//! let report = kpi::kpis(&KpiInput::new(&timelines), 100 * h, &opts)?;
//! let row = &report.assignments[0];
//! assert_eq!(row.key.partner.as_deref(), Some("P1"));
//! assert_eq!((row.assignments, row.accepted, row.converted), (1, 1, 1));
//! assert_eq!(row.acceptance_rate, Some(1.0));
//! assert_eq!(row.response_time.median, Some((3 * h) as f64)); // `viewed` is no response
//! assert_eq!(report.deals[0].sales_cycle.sum, Some(50 * h));
//! # Ok::<(), leadrail_core::ErrorReport>(())
//! ```

#![expect(
    clippy::result_large_err,
    reason = "the module's errors are the language-neutral ErrorReport, as in the api facade"
)]

mod acc;
pub mod columns;
mod feedback;
pub mod forecast;
mod group;
pub mod host;
mod input;
mod period;
mod report;
pub mod request;
mod stats;
mod walk;

use chrono_tz::Tz;
use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::report::{codes, ErrorReport};
use crate::sla::{Done, Evaluation, NoPartnerCalendars, PartnerCalendars, SlaSet};
use crate::timeline::Timeline;
use crate::value::{DurationMs, EpochMs};

pub use feedback::{apply_measures, apply_to_record, measures, Measure, MeasureFields};
pub use forecast::{
    Forecast, ForecastOptions, ForecastRow, LeadForecast, LeftOut, Range, RangeMethod, StageRate,
};
pub use group::{GroupBy, Key, KeyDims, RegionLevel};
pub use input::{EngagementEvent, Joined, LeadFields, LeadInfo, PartnerInfo};
pub use period::Granularity;
pub use report::{
    AssignmentRow, DealRow, EngagementKindRow, EngagementRow, FirstDealRow, KpiReport, LeadRow,
    OpenLeadRow, RejectionRow, SlaRow, StageRow,
};
pub use stats::Stats;

use acc::Acc;
use forecast::ForecastAcc;
use group::Keys;
use period::{Periods, Zone, MAX_INSTANT, MIN_INSTANT};
use walk::Facts;

/// The inputs of a KPI or forecast call (borrowed; build with [`KpiInput::new`] and the
/// `with_*` methods).
#[derive(Clone, Copy)]
pub struct KpiInput<'a> {
    /// Lead timelines, one per lead.
    pub timelines: &'a [Timeline],
    /// Lead records, at most one per lead.
    pub leads: &'a [LeadInfo],
    /// Partner engagement events.
    pub engagement: &'a [EngagementEvent],
    /// Partner records, at most one per partner.
    pub partners: &'a [PartnerInfo],
    /// The ruleset's SLAs and calendars (no SLA attainment without).
    pub slas: Option<&'a SlaSet>,
    /// Partner calendars for SLAs on `business partner.<field>`.
    pub partner_calendars: &'a (dyn PartnerCalendars + Sync),
}

impl std::fmt::Debug for KpiInput<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KpiInput")
            .field("timelines", &self.timelines.len())
            .field("leads", &self.leads.len())
            .field("engagement", &self.engagement.len())
            .field("partners", &self.partners.len())
            .field("slas", &self.slas.is_some())
            .finish()
    }
}

impl<'a> KpiInput<'a> {
    /// Timelines only (no lead records, engagement, partners or SLAs).
    pub fn new(timelines: &'a [Timeline]) -> KpiInput<'a> {
        KpiInput {
            timelines,
            leads: &[],
            engagement: &[],
            partners: &[],
            slas: None,
            partner_calendars: &NoPartnerCalendars,
        }
    }

    /// With lead records.
    pub fn with_leads(self, leads: &'a [LeadInfo]) -> KpiInput<'a> {
        KpiInput { leads, ..self }
    }

    /// With engagement events.
    pub fn with_engagement(self, engagement: &'a [EngagementEvent]) -> KpiInput<'a> {
        KpiInput { engagement, ..self }
    }

    /// With partner records.
    pub fn with_partners(self, partners: &'a [PartnerInfo]) -> KpiInput<'a> {
        KpiInput { partners, ..self }
    }

    /// With the ruleset's SLAs (and the partners' calendars, for SLAs on partner calendars).
    pub fn with_slas(
        self,
        slas: &'a SlaSet,
        partner_calendars: &'a (dyn PartnerCalendars + Sync),
    ) -> KpiInput<'a> {
        KpiInput {
            slas: Some(slas),
            partner_calendars,
            ..self
        }
    }
}

/// How KPIs and the forecast are computed.
#[derive(Debug, Clone, PartialEq)]
pub struct KpiOptions {
    /// The breakdown (default: none, the totals).
    pub by: GroupBy,
    /// The zone of periods, local days and `joined_at` dates (default UTC).
    pub tz: Tz,
    /// Count open leads untouched for at least this long (default: not counted).
    pub untouched_after: Option<DurationMs>,
    /// Run on a private pool of this many threads (default: rayon's global pool); 1 runs on
    /// the calling thread. Results are the same for any count.
    pub threads: Option<usize>,
    /// The forecast's options.
    pub forecast: ForecastOptions,
}

impl Default for KpiOptions {
    fn default() -> KpiOptions {
        KpiOptions {
            by: GroupBy::default(),
            tz: Tz::UTC,
            untouched_after: None,
            threads: None,
            forecast: ForecastOptions::default(),
        }
    }
}

/// Parses an IANA zone name (`Europe/Berlin`, `UTC`).
///
/// # Errors
/// `leadrail::calendar::unknown_time_zone` for a name not in the IANA database.
pub fn parse_tz(name: &str) -> Result<Tz, ErrorReport> {
    name.trim().parse::<Tz>().map_err(|_| {
        ErrorReport::error(
            codes::CALENDAR_UNKNOWN_TIME_ZONE,
            format!("unknown time zone `{name}`"),
        )
        .with_help("use an IANA zone name such as `America/Chicago`, `Europe/Berlin` or `UTC`")
        .with_field("tz")
    })
}

/// Every KPI as of `now` (see the module docs).
///
/// # Errors
/// An [`ErrorReport`] naming the lead and the field for an invalid timeline, a second
/// timeline or lead record for a lead, an instant outside the years 1 to 9999, or an SLA
/// evaluation that fails; naming the partner for a second partner record; a request error for
/// `now` out of range.
pub fn kpis(
    input: &KpiInput<'_>,
    now: EpochMs,
    opts: &KpiOptions,
) -> Result<KpiReport, ErrorReport> {
    Ok(run(input, now, opts, Want::Kpis)?
        .0
        .unwrap_or_else(|| empty_report(now, opts)))
}

/// The stage-weighted forecast as of `now` (see the module docs).
///
/// # Errors
/// As [`kpis`].
pub fn forecast(
    input: &KpiInput<'_>,
    now: EpochMs,
    opts: &KpiOptions,
) -> Result<Forecast, ErrorReport> {
    let (_, f) = run(input, now, opts, Want::Forecast)?;
    f.ok_or_else(|| ErrorReport::request("no forecast was computed", "report this as a bug"))
}

/// [`kpis`] and [`forecast()`] in one pass over the timelines.
///
/// # Errors
/// As [`kpis`].
pub fn kpis_and_forecast(
    input: &KpiInput<'_>,
    now: EpochMs,
    opts: &KpiOptions,
) -> Result<(KpiReport, Forecast), ErrorReport> {
    match run(input, now, opts, Want::Both)? {
        (Some(k), Some(f)) => Ok((k, f)),
        _ => Err(ErrorReport::request(
            "no report was computed",
            "report this as a bug",
        )),
    }
}

fn empty_report(now: EpochMs, opts: &KpiOptions) -> KpiReport {
    Acc::default().finish(now, opts.tz.name().to_string(), &opts.by, false, &[])
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Want {
    Kpis,
    Forecast,
    Both,
}

impl Want {
    fn kpis(self) -> bool {
        self != Want::Forecast
    }
    fn forecast(self) -> bool {
        self != Want::Kpis
    }
}

/// Timelines per parallel task: fixed, so the tasks (and their first error) do not depend on
/// the thread count.
const CHUNK: usize = 256;
/// Fewer timelines than this run on the calling thread.
const PARALLEL_FROM: usize = 2 * CHUNK;

/// What one chunk of timelines gave.
struct Part<'a> {
    acc: Acc<'a>,
    forecast: ForecastAcc<'a>,
}

fn out_of_range(record: &str, field: String, what: &str, at: EpochMs) -> ErrorReport {
    ErrorReport::error(
        codes::DATA_INVALID_FIELD,
        format!("{what}: instant `{at}` is outside the years 1 to 9999"),
    )
    .with_help(
        "pass instants in milliseconds since 1970-01-01T00:00:00Z between the years 1 and 9999",
    )
    .with_record(record.to_string())
    .with_field(field)
}

/// What is given twice.
#[derive(Debug, Clone, Copy)]
enum Twice {
    Timeline,
    LeadRecord,
    PartnerRecord,
}

fn duplicate(id: &str, what: Twice, first: usize, second: usize) -> ErrorReport {
    let (message, help, field) = match what {
        Twice::Timeline => (
            format!("lead `{id}` has two timelines (#{first} and #{second})"),
            "merge the lead's events into one timeline",
            "lead",
        ),
        Twice::LeadRecord => (
            format!("lead `{id}` has two lead records (#{first} and #{second})"),
            "give each lead one record",
            "id",
        ),
        Twice::PartnerRecord => (
            format!("partner `{id}` has two partner records (#{first} and #{second})"),
            "give each partner one record",
            "id",
        ),
    };
    ErrorReport::error(codes::DATA_DUPLICATE_ID, message)
        .with_help(help)
        .with_record(id.to_string())
        .with_field(field)
}

/// The one pass behind every entry point.
fn run<'a>(
    input: &KpiInput<'a>,
    now: EpochMs,
    opts: &KpiOptions,
    want: Want,
) -> Result<(Option<KpiReport>, Option<Forecast>), ErrorReport> {
    if !(MIN_INSTANT..=MAX_INSTANT).contains(&now) {
        return Err(ErrorReport::request(
            format!("`now` `{now}` is outside the years 1 to 9999"),
            "pass `now` in milliseconds since 1970-01-01T00:00:00Z, or as RFC 3339",
        ));
    }
    // one timeline, one record per lead
    let mut timeline_of: FxHashMap<&str, usize> = FxHashMap::default();
    for (i, t) in input.timelines.iter().enumerate() {
        if let Some(first) = timeline_of.insert(t.lead.as_str(), i) {
            return Err(duplicate(&t.lead, Twice::Timeline, first + 1, i + 1));
        }
    }
    let mut lead_of: FxHashMap<&str, &LeadInfo> = FxHashMap::default();
    let mut lead_pos: FxHashMap<&str, usize> = FxHashMap::default();
    for (i, l) in input.leads.iter().enumerate() {
        if let Some(first) = lead_pos.insert(l.id.as_str(), i) {
            return Err(duplicate(&l.id, Twice::LeadRecord, first + 1, i + 1));
        }
        lead_of.insert(l.id.as_str(), l);
    }
    // the span of instants that get a period: the earliest first event up to `now`
    let mut lo = now;
    for t in input.timelines {
        if let Some(e) = t.events.first() {
            lo = lo.min(e.at);
        }
    }
    for (i, e) in input.engagement.iter().enumerate() {
        if e.at <= now {
            if e.at < MIN_INSTANT {
                return Err(out_of_range(
                    &format!("#{}", i + 1),
                    "at".into(),
                    &format!("engagement event #{}", i + 1),
                    e.at,
                ));
            }
            lo = lo.min(e.at);
        }
    }
    let zone = Zone::new(opts.tz, lo.max(MIN_INSTANT), now);
    let policies: Vec<String> = input
        .slas
        .map(|s| s.policies().map(|p| p.name.clone()).collect())
        .unwrap_or_default();
    let policy_index: FxHashMap<&str, usize> = policies
        .iter()
        .enumerate()
        .map(|(i, p)| (p.as_str(), i))
        .collect();
    let by = opts.by;
    let slas = if want.kpis() { input.slas } else { None };

    // one chunk of timelines: validate, walk, accumulate
    let chunk = |timelines: &'a [Timeline]| -> Result<Part<'a>, ErrorReport> {
        let mut part = Part {
            acc: Acc::default(),
            forecast: ForecastAcc::default(),
        };
        let mut facts: Facts<'a> = Facts::default();
        let mut periods = Periods::new(&zone, by.period);
        let mut eval: Option<Evaluation> = None;
        for t in timelines {
            t.validate().map_err(ErrorReport::from)?;
            if let Some(e) = t
                .events
                .first()
                .filter(|e| e.at <= now && e.at < MIN_INSTANT)
            {
                return Err(out_of_range(
                    &t.lead,
                    "events[0].at".into(),
                    &format!("lead `{}`: event 0", t.lead),
                    e.at,
                ));
            }
            facts.walk(&t.events, now);
            let info = lead_of.get(t.lead.as_str()).copied();
            let keys = Keys {
                by,
                region: by.region_key(info.and_then(|l| l.region.as_deref())),
                product_line: info
                    .and_then(|l| l.product_line.as_deref())
                    .filter(|_| by.product_line),
            };
            if want.kpis() {
                part.acc
                    .add(&facts, &keys, &mut periods, now, opts.untouched_after);
            }
            if want.forecast() {
                part.forecast.add(
                    &t.lead,
                    &facts,
                    info.and_then(|l| l.amount),
                    &keys,
                    &mut periods,
                );
            }
            if let Some(set) = slas {
                let out = eval.get_or_insert_with(|| Evaluation {
                    lead: String::new(),
                    slas: Vec::new(),
                    due: Vec::new(),
                    next_deadline: None,
                    cursor: now,
                });
                set.evaluate_into(t, now, &Done::Nothing, input.partner_calendars, out)
                    .map_err(ErrorReport::from)?;
                part.acc
                    .add_sla(out, &facts, &keys, &mut periods, &policy_index);
            }
        }
        Ok(part)
    };
    let timelines = input.timelines;
    let sequential = opts.threads == Some(1);
    let pool = opts
        .threads
        .filter(|&n| n > 1)
        .and_then(|n| rayon::ThreadPoolBuilder::new().num_threads(n).build().ok());
    let parts: Vec<Result<Part<'a>, ErrorReport>> = if timelines.len() < PARALLEL_FROM || sequential
    {
        timelines.chunks(CHUNK).map(chunk).collect()
    } else {
        let work = || timelines.par_chunks(CHUNK).map(chunk).collect();
        match &pool {
            Some(pool) => pool.install(work),
            None => work(),
        }
    };
    // the first error in input order; else everything merged
    let mut total = Part {
        acc: Acc::default(),
        forecast: ForecastAcc::default(),
    };
    for p in parts {
        let p = p?;
        total.acc.merge(p.acc);
        total.forecast.merge(p.forecast);
    }
    let tz = opts.tz.name().to_string();
    let forecast = if want.forecast() {
        let acc = std::mem::take(&mut total.forecast);
        let finish = || acc.finish(&by, &opts.forecast, now, tz.clone(), !sequential);
        Some(match &pool {
            Some(pool) => pool.install(finish),
            None => finish(),
        })
    } else {
        None
    };
    if !want.kpis() {
        return Ok((None, forecast));
    }
    // partners' join instants
    let mut joined: FxHashMap<&str, EpochMs> = FxHashMap::default();
    let mut partner_pos: FxHashMap<&str, usize> = FxHashMap::default();
    for (i, p) in input.partners.iter().enumerate() {
        if let Some(first) = partner_pos.insert(p.id.as_str(), i) {
            return Err(duplicate(&p.id, Twice::PartnerRecord, first + 1, i + 1));
        }
        let at = match p.joined_at {
            Some(Joined::At(t)) => t,
            Some(Joined::Date(d)) => zone.start_of(d),
            None => continue,
        };
        if !(MIN_INSTANT..=MAX_INSTANT).contains(&at) {
            return Err(out_of_range(
                &p.id,
                "joined_at".into(),
                &format!("partner `{}`", p.id),
                at,
            ));
        }
        joined.insert(p.id.as_str(), at);
    }
    let mut periods = Periods::new(&zone, by.period);
    let first_won = std::mem::take(&mut total.acc.first_won);
    let first_deals = acc::first_deals(&first_won, &joined, &by, &mut periods);
    let (engagement, engagement_kinds) = acc::engagement(input.engagement, &by, &mut periods, now);
    let mut report = total
        .acc
        .finish(now, tz, &by, opts.untouched_after.is_some(), &policies);
    report.engagement = engagement;
    report.engagement_kinds = engagement_kinds;
    report.first_deals = first_deals;
    Ok((Some(report), forecast))
}
