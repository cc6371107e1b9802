// The package's types, written by hand. The declarations of the addon's classes and functions
// are generated from the Rust source by `npm run build` into native.d.ts (the types of
// native.js), which imports the types it names from here; both are exported from here.
import type { RouteOptions } from './native'
export * from './native'

/** One error or warning, in the shape shared by Rust, Python and Node (columns in UTF-16 units). */
export interface Diagnostic {
  code: string
  message: string
  help?: string
  severity: 'error' | 'warning'
  file?: string
  line: number
  column: number
  labels?: Array<{ message: string; line: number; column: number; end_line: number; end_column: number }>
  record?: string
  field?: string
}

/** Options of `Engine.compile(text, options)`. */
export interface CompileOptions {
  /** The file name in diagnostics (default `rules.rail`). */
  file?: string
  /** Holiday files in memory: path as written in `holidays "path"` -> the file's text. */
  files?: Record<string, string>
  /**
   * The directory holiday files are read from when not in `files`: only relative paths that
   * stay inside it (symbolic links resolved), regular files of at most 1 MiB. Without it (and
   * without `files`), rule text reads no file from disk.
   */
  baseDir?: string
}

/**
 * The error every leadrail call throws for a leadrail reason (`err instanceof LeadrailError`):
 * `code` is a stable leadrail code, `diagnostics` every report; `message` is the first at
 * `file:line:column` and "(and N more)". A missing rule file throws Node's `ENOENT` error.
 */
export declare class LeadrailError extends Error {
  private constructor()
  code: string
  help: string | null
  line: number
  column: number
  file: string | null
  record: string | null
  field: string | null
  diagnostics: Array<Diagnostic>
}

/** Where a lead goes. */
export type Outcome = { kind: 'partner'; id: string } | { kind: 'queue'; name: string } | { kind: 'unrouted' }

/** Why a lead went where it went (core's `Explanation`). */
export interface Explanation {
  ruleset: { name: string; version: number; content_hash: string }
  rules: Array<{ rule: string; matched: boolean; eligible: number; outcome: 'decided' | 'next' | 'queue' | 'parent' }>
  excluded: Array<{ reason: string; partners: Array<string> }>
  candidates: Array<{ partner: string; score: number | null; utilisation?: number; position: number }>
  tie_break: 'score' | 'workload' | 'weighted round robin' | 'least recently assigned' | 'id' | null
}

/** A routing decision (core's `Decision`; `explanation` when asked for). */
export interface Decision {
  outcome: Outcome
  rule: string | null
  state_read: { partner: string; version: number; active_leads: number; last_assigned_at: number | null } | null
  explanation?: Explanation
}

/** A decision asked for with `explain: true`: its explanation is there. */
export type ExplainedDecision = Decision & { explanation: Explanation }

/** The language-neutral error report (core's `ErrorReport`): a `Diagnostic`. */
export type ErrorReport = Diagnostic

/** One result of a batch: the lead's decision, or why it could not be routed. */
export type RouteResult = { ok: Decision } | { error: ErrorReport }

/** The instant of a call: ms since the epoch, an RFC 3339 string or a `Date`. */
export type InstantLike = Date | number | string

/**
 * A lead or a partner: `id` and the schema's fields (other keys are ignored; a missing or bad
 * field is reported by core). Any object: a plain object, or a row typed by an interface.
 */
export type HostRecord = object

// The methods that take records or columns are defined in index.js (the one conversion path);
// the interfaces `Engine` and `Network` below merge with the classes of native.d.ts.

/**
 * An Apache Arrow table (apache-arrow's `Table`; the package is not a dependency): read as
 * columns, nulls missing, its string cells as text cells unless `textCells: false`.
 */
export interface ArrowTableLike {
  readonly numRows: number
  readonly schema: unknown
  getChild(name: string): unknown
}

/**
 * `now` of a batch: one instant, one per lead, or `{ start, step }` (lead `i` at `start + i *
 * step`; the step in milliseconds or a duration text, `'90s'`).
 */
export type InstantsLike = InstantLike | ReadonlyArray<InstantLike> | { start: InstantLike; step: number | string }

declare module './native' {
  export interface Engine {
    /**
     * A partner network from an array of plain objects or an Arrow table; throws an `Error`
     * whose `record` and `field` name the bad value. `textCells: true`: string values are CSV
     * cells (`a|b` sets, `US except US-AK` territories, `k=v|k2=v2` maps, `lat lon` points).
     */
    network(partners: ReadonlyArray<HostRecord> | ArrowTableLike, options?: { textCells?: boolean }): Network
    /**
     * Evaluates the SLAs over one timeline (`{ lead, events }`) at `now`. `options.done`: the
     * action ids already executed (an array) or the `cursor` of the previous evaluation (an
     * instant); `options.partnerCalendars`: `{ P1: 'us-central' }` or `{ P1: { calendar:
     * 'us-central' } }`. Returns its evaluation or throws a `LeadrailError` whose `record`
     * names the lead and `field` the event.
     */
    evaluateSla(timeline: Timeline, now: InstantLike, options?: SlaOptions): SlaEvaluation
    /** Evaluates the SLAs over each timeline of an array: one `{ ok }` or `{ error }` per timeline. */
    evaluateSla(timelines: ReadonlyArray<Timeline>, now: InstantLike, options?: SlaOptions): Array<SlaResult>
    /**
     * Like `evaluateSla` with an array, evaluated on the libuv thread pool; resolves to one
     * `{ ok }` or `{ error }` per timeline. Bad arguments throw at once.
     */
    evaluateSlaAsync(timelines: ReadonlyArray<Timeline>, now: InstantLike, options?: SlaOptions): Promise<Array<SlaResult>>
    /**
     * The next instant (ms since the epoch) at which the SLA evaluation of one timeline
     * changes if no event is recorded, or `null` if no SLA is running; throws like
     * `evaluateSla`.
     */
    nextDeadline(timeline: Timeline, now: InstantLike, options?: SlaOptions): number | null
    /**
     * Every KPI as of `now`, with the ruleset's SLAs (docs/kpi.md); throws an `Error` whose
     * `record` and `field` name the first bad input.
     */
    kpi<F extends 'rows' | 'columns' = 'rows'>(timelines: Array<Timeline>, now: Date | number | string, options?: KpiOptions<F>): F extends 'columns' ? KpiColumns : KpiReport
    /** The stage-weighted forecast as of `now` (docs/kpi.md). */
    forecast<F extends 'rows' | 'columns' = 'rows'>(timelines: Array<Timeline>, now: Date | number | string, options?: ForecastOptions<F>): F extends 'columns' ? ForecastColumns : Forecast
  }

  export interface Network {
    /** Routes one lead at `now` without changing any state; returns the decision. */
    route(lead: HostRecord, now: InstantLike, options: RouteOptions & { explain: true }): ExplainedDecision
    route(lead: HostRecord, now: InstantLike, options?: RouteOptions): Decision
    /**
     * Routes one lead at `now` and records it: the decision and state of a one-lead
     * `routeBatch`, and the partner holds the lead until `release(leadId)`. A lead a partner
     * already holds throws `leadrail::data::lead_held`.
     */
    assign(lead: HostRecord, now: InstantLike, options: RouteOptions & { explain: true }): ExplainedDecision
    assign(lead: HostRecord, now: InstantLike, options?: RouteOptions): Decision
    /** Adds a partner; a bad record or a known id throws (naming the record and the field) and changes nothing. */
    addPartner(partner: HostRecord): void
    /** Replaces a partner's record by its `id`, keeping its state (workload, held leads, round robin); throws like `addPartner`. */
    updatePartner(partner: HostRecord): void
    /**
     * Routes leads in order, applying each assignment to the partners' state; `now` is one
     * instant or one per lead. Returns one `{ ok }` or `{ error }` per lead (a bad lead changes
     * no state); with `asColumns: true`, the columns of `routeColumns` instead.
     */
    routeBatch(
      leads: ReadonlyArray<HostRecord> | ArrowTableLike,
      now: InstantsLike,
      options: RouteOptions & { asColumns: true },
    ): RouteColumnsResult
    routeBatch(leads: ReadonlyArray<HostRecord> | ArrowTableLike, now: InstantsLike, options?: RouteOptions): Array<RouteResult>
    /**
     * Like `routeBatch`, routed on the libuv thread pool; resolves to the same results. Bad
     * arguments throw at once.
     */
    routeBatchAsync(
      leads: ReadonlyArray<HostRecord>,
      now: InstantsLike,
      options: RouteOptions & { asColumns: true },
    ): Promise<RouteColumnsResult>
    routeBatchAsync(
      leads: ReadonlyArray<HostRecord>,
      now: InstantsLike,
      options?: RouteOptions,
    ): Promise<Array<RouteResult>>
    /**
     * Routes leads given as columns: an object of field name (and `id`) to an array or typed
     * array, all of one length. Same semantics as `routeBatch`; returns columns: `kind`
     * (`partner`/`queue`/`unrouted`, or null for an error), `target` (partner id or queue
     * name), `rule`, `error` (a report or null).
     */
    routeColumns(columns: ({ readonly id: ArrayLike<unknown> } & object) | ArrowTableLike, now: InstantsLike, options?: RouteOptions): RouteColumnsResult
  }
}

/** The result of `routeColumns`: one entry per lead in each column. */
export interface RouteColumnsResult {
  kind: Array<'partner' | 'queue' | 'unrouted' | null>
  target: Array<string | null>
  rule: Array<string | null>
  error: Array<ErrorReport | null>
}

/** Partner routing state, as exported and imported by the host. */
export interface NetworkState {
  seq: number
  partners: Array<{ id: string; active_leads: number; last_assigned_at: number | null; last_seq: number; assigned: number; version: number }>
  /** The leads partners hold (given by `assign`, until `release`); absent when none. */
  held?: Array<{ lead: string; partner: string }>
}

/** One lifecycle event of a lead; `at` is ms since the epoch, an RFC 3339 string or a Date. */
export interface TimelineEvent {
  at: Date | number | string
  event: 'created' | 'assigned' | 'viewed' | 'accepted' | 'rejected' | 'contacted' | 'stage_changed'
    | 'status_changed' | 'retracted' | 'reassigned' | 'handed_down' | 'won' | 'lost' | 'ordered' | 'delivered'
  partner?: string
  reseller?: string
  reason?: string
  stage?: string
  status?: string
}

/** A lead's lifecycle events, in the order they happened. */
export interface Timeline {
  lead: string
  events: ReadonlyArray<TimelineEvent>
}

/** Options of `evaluateSla` / `nextDeadline`. */
export interface SlaOptions {
  /** The action ids already executed, or the `cursor` of the previous evaluation. */
  done?: ReadonlyArray<string> | Date | number | string | null
  /** Partner id -> calendar name, or -> { field: calendar name }. */
  partnerCalendars?: Readonly<Record<string, string | Readonly<Record<string, string>>>> | null
}

/** One SLA instance as of `now`. */
export interface SlaStatus {
  sla: string
  instance: string
  index: number
  stage?: string
  partner?: string
  state: 'running' | 'paused' | 'met' | 'breached' | 'cancelled'
  started_at: number
  ended_at?: number
  goal_ms: number
  elapsed_ms: number
  remaining_ms: number
  due_at?: number
  next_at?: number
}

/** A breach action of an SLA. */
export type SlaAction =
  | { action: 'remind' }
  | { action: 'escalate'; role: string }
  | { action: 'alert'; message: string }
  | { action: 'retract_and_reroute' }

/** An action now due, to be executed once (then passed back in `done`). */
export type DueAction = {
  id: string
  sla: string
  instance: string
  partner?: string
  at: number
} & ({ kind: 'warning'; threshold: number } | { kind: 'breach'; action: SlaAction })

/** Why a partner is excluded from re-routing. */
export type RerouteReason =
  | { kind: 'rejected'; at: number; reason: string }
  | { kind: 'timed_out'; sla: string; instance: string; due_at: number }

/** The re-route to perform for a due `retract and reroute` action. */
export interface ReroutePlan {
  trigger: DueAction
  retract?: string
  exclude: Array<{ partner: string; reason: RerouteReason }>
}

/** The SLA evaluation of one timeline. */
export interface SlaEvaluation {
  lead: string
  slas: Array<SlaStatus>
  due: Array<DueAction>
  next_deadline?: number
  cursor: number
  reroute?: ReroutePlan
}

export type SlaResult = { ok: SlaEvaluation } | { error: Diagnostic }

// ---- KPIs and the forecast (src/kpi.rs, docs/kpi.md) ----

/** An instant: ms since the epoch, an RFC 3339 string or a `Date`. */
export type KpiInstant = Date | number | string

/** The breakdown: `partner`, `country` or `region`, `product` (`product_line`), and one of `day`, `week`, `month`, `quarter`. */
export type KpiDimension = 'partner' | 'country' | 'region' | 'product' | 'product_line' | 'day' | 'week' | 'month' | 'quarter'

/** Options of `engine.kpi` (every input but the timelines). */
export interface KpiOptions<F extends 'rows' | 'columns' = 'rows' | 'columns'> {
  /** Lead records `{ id, amount?, region?, product_line? }` (amount: a number or a decimal string). */
  leads?: Array<Record<string, unknown>>
  /** Partner engagement events. */
  engagement?: Array<{ partner: string; at: KpiInstant; kind: string }>
  /** Partner records `{ id, joined_at? }` (a date `2025-06-01` or an instant); other fields are ignored. */
  partners?: Array<Record<string, unknown>>
  /** The breakdown, as a list or one comma-separated string (none: the totals). */
  by?: Array<KpiDimension> | string
  /** The IANA zone of periods and local days (default `UTC`). */
  tz?: string
  /** Count open leads untouched for this long: ms or text (`7d`). */
  untouchedAfter?: number | string
  /** The lead record fields read, e.g. `{ amount: 'deal_size' }`. */
  fields?: { amount?: string; region?: string; product_line?: string }
  /** The partner field with the join date (default `joined_at`). */
  joinedField?: string
  /** Partner id -> calendar name, for SLAs on partner calendars. */
  partnerCalendars?: Record<string, string | Record<string, string>>
  /** Run on this many threads (default: the global pool); results do not depend on it. */
  threads?: number
  /** `rows` (default): typed rows; `columns`: each table as `{ column: values }`. */
  format?: F
}

/** Options of `engine.forecast`. */
export interface ForecastOptions<F extends 'rows' | 'columns' = 'rows' | 'columns'> extends Omit<KpiOptions<F>, 'engagement' | 'partners' | 'untouchedAfter' | 'joinedField' | 'partnerCalendars'> {
  /** The weight of the all-partner rate of a stage (default 10). */
  m?: number
  /** Draws for the range of more than 16 leads (default and least 10,000). */
  draws?: number
  /** The seed of the draws (default 0). */
  seed?: number
  /** List each forecast lead's probability (`leads`). */
  detail?: boolean
}

/** Options of `network.feedBack`. */
export interface FeedBackOptions extends Omit<KpiOptions<'rows'>, 'by' | 'format'> {
  /** Measure name -> partner field (default: `acceptance_rate`, `conversion_rate`, `leads_received`, `sla_attainment` where the schema has them). */
  measureFields?: Partial<Record<keyof Omit<Measure, 'partner'>, string>>
}

/** Statistics of durations (ms); an empty set has count 0 and the rest null. */
export interface Stats {
  count: number
  sum: number | null
  mean: number | null
  median: number | null
  /** The value at position ceil(9n/10) of the ascending list. */
  p90: number | null
}

/** The group of a row: only the grouped dimensions are present (null: unheld, or no region). */
export interface KpiKey {
  partner?: string | null
  country?: string | null
  region?: string | null
  product_line?: string | null
  /** `2026-03-02`, `2026-W53`, `2026-03` or `2026-Q1`. */
  period?: string | null
}

/** What became of a partner's assignments (in `AssignmentRow` and `Measure`). */
export interface KpiOutcomes {
  accepted: number
  rejected: number
  lapsed: number
  pending: number
  acceptance_rate: number | null
  converted: number
  conversion_rate: number | null
}

export interface AssignmentRow extends KpiKey, KpiOutcomes {
  assignments: number
  response_time: Stats
  first_contact: Stats
}
export interface RejectionRow extends KpiKey { reason: string; count: number }
export interface LeadRow extends KpiKey { leads: number; won: number; conversion_rate: number | null }
export interface OpenLeadRow extends KpiKey { open: number; age: Stats; untouched: number | null }
export interface StageRow extends KpiKey { stage: string; time_in_stage: Stats; open: number; open_mean_age: number | null }
export interface DealRow extends KpiKey { sales_cycle: Stats; fulfilment: Stats }
export interface SlaRow extends KpiKey { sla: string; met: number; breached: number; attainment: number | null }
export interface EngagementRow extends KpiKey { events: number; active_days: number }
export interface EngagementKindRow extends KpiKey { kind: string; events: number }
export interface FirstDealRow extends KpiKey { time_to_first_deal: Stats }

/** Every KPI as of `now` (core's `KpiReport`). */
export interface KpiReport {
  now: number
  tz: string
  by: Array<string>
  assignments: Array<AssignmentRow>
  rejections: Array<RejectionRow>
  leads: Array<LeadRow>
  open_leads: Array<OpenLeadRow>
  stages: Array<StageRow>
  deals: Array<DealRow>
  sla: Array<SlaRow>
  engagement: Array<EngagementRow>
  engagement_kinds: Array<EngagementKindRow>
  first_deals: Array<FirstDealRow>
}

/** A table as columns (statistics flattened: `response_time_median`); an empty table has none. */
export type KpiTable = Record<string, Array<string | number | null>>

/** Every table of a `KpiReport` as columns. */
export type KpiColumns = Record<'assignments' | 'rejections' | 'leads' | 'open_leads' | 'stages' | 'deals' | 'sla' | 'engagement' | 'engagement_kinds' | 'first_deals', KpiTable>

export interface StageRate { stage?: string; closed: number; won: number; rate: number | null }
export interface ForecastRow extends KpiKey { leads: number; amount: number; expected: number }
export interface ForecastRange {
  p10: number
  p90: number
  method: 'exact' | 'draws'
  draws?: number
  seed?: number
  p10_interval?: [number, number]
  p90_interval?: [number, number]
}
export interface LeadForecast { lead: string; stage: string; partner: string | null; amount: number; probability: number }

/** The stage-weighted forecast (core's `Forecast`). */
export interface Forecast {
  now: number
  tz: string
  by: Array<string>
  m: number
  overall: StageRate
  stages: Array<StageRate>
  total: ForecastRow
  range: ForecastRange
  groups: Array<ForecastRow>
  left_out: { leads: number; amount: number }
  leads?: Array<LeadForecast>
}

/** The forecast's tables as columns (`leads` with `detail`). */
export type ForecastColumns = { groups: KpiTable; stages: KpiTable; leads?: KpiTable }

/** A partner's measured performance, as `network.feedBack` writes it. */
export interface Measure extends KpiOutcomes {
  partner: string
  leads_received: number
  median_response_time: number | null
  mean_response_time: number | null
  p90_response_time: number | null
  median_first_contact: number | null
  sla_attainment: number | null
}

/** A registration, CRM account (`kind: 'account'`) or open lead (`kind: 'lead'`) of the registry, or a deal. */
export interface Registration {
  id: string
  kind?: 'registration' | 'account' | 'lead'
  partner: string
  company: string
  domain?: string
  contact_email?: string
  country?: string
  postal_code?: string
  address?: string
  product_lines?: Array<string>
  /** An exact decimal, as a string. */
  estimated_value?: string
  /** Instants in ms since the epoch. */
  submitted_at: number
  approved_at?: number
  protected_until?: number
  extended_at?: number
  extensions?: number
  status?: 'pending' | 'approved' | 'rejected' | 'expired' | 'won' | 'lost'
}

/**
 * A registry record as `Registry.get` and `Registry.records` give it back: a `Registration`
 * with `kind`, `extensions` and `status` always present (absent optional fields left out).
 */
export interface RegistryRecord extends Registration {
  kind: 'registration' | 'account' | 'lead'
  extensions: number
  status: 'pending' | 'approved' | 'rejected' | 'expired' | 'won' | 'lost'
}

/** Options of `register`. */
export interface RegisterOptions {
  /** The registration policy's name (default: the ruleset's first). */
  policy?: string | null
  /** Submit the deals in order (a later deal conflicts with an earlier approved one). */
  submit?: boolean
}

export type MatchRule = 'domain' | 'name' | 'postal_name' | 'email'
export type RegistrationOutcome = 'auto_approve' | 'review' | 'reject'

/** One registry record a deal matched, and why. */
export interface Conflict {
  id: string
  kind: 'registration' | 'account' | 'lead'
  partner: string
  /** The strongest rule that matched. */
  rule: MatchRule
  rules: Array<MatchRule>
  outcome: RegistrationOutcome
  name: { score: number; words: Array<{ a: string; b: string; score: number }>; legal_conflict: boolean }
  /** The record's company name, normalised. */
  normalized: string
  domain?: string
  postal?: string
  product_lines?: Array<string>
  protected_until?: number
}

/** The verdict on one deal: the outcome, why, and every conflict (the strongest first). */
export interface Verdict {
  id: string
  outcome: RegistrationOutcome
  reason: string
  /** The deal's company name, normalised. */
  normalized: string
  domain?: string
  /** The partner that holds the account. */
  holder?: string
  conflicts: Array<Conflict>
}

/**
 * A lead's routing decision and its conflict, if it has one (core's `ConflictDecision`), as
 * `Registry.route` gives them.
 */
export interface LeadRoute {
  /** Where the lead goes (rule `lead conflict` when the policy's `on lead_conflict` decided). */
  decision: Decision
  /** The lead's check against the registry, when it conflicts (`holder`: the partner holding the account). */
  conflict?: Verdict
}
