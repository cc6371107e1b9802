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

/** The `Error` every leadrail call throws: `code` is a stable leadrail code. */
export interface LeadrailError extends Error {
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

/** The language-neutral error report (core's `ErrorReport`): a `Diagnostic`. */
export type ErrorReport = Diagnostic

/** One result of a batch: the lead's decision, or why it could not be routed. */
export type RouteResult = { ok: Decision } | { error: ErrorReport }

/** The instant of a call: ms since the epoch, an RFC 3339 string or a `Date`. */
export type InstantLike = Date | number | string

/** A lead or a partner: `id` and the schema's fields (other keys are reported by core). */
export type HostRecord = Record<string, unknown>

// The methods that take records or columns are defined in index.js (the one conversion path);
// these interfaces merge with the classes declared below.

export interface Engine {
  /**
   * A partner network from an array of plain objects; throws an `Error` whose `record` and
   * `field` name the bad value.
   */
  network(partners: Array<HostRecord>): Network
}

export interface Network {
  /** Routes one lead at `now` without changing any state; returns the decision. */
  route(lead: HostRecord, now: InstantLike, options?: RouteOptions): Decision
  /**
   * Routes leads in order, applying each assignment to the partners' state; `now` is one
   * instant or one per lead. Returns one `{ ok }` or `{ error }` per lead (a bad lead changes
   * no state); with `asColumns: true`, the columns of `routeColumns` instead.
   */
  routeBatch<O extends RouteOptions = RouteOptions>(
    leads: Array<HostRecord>,
    now: InstantLike | Array<InstantLike>,
    options?: O,
  ): O extends { asColumns: true } ? RouteColumnsResult : Array<RouteResult>
  /**
   * Like `routeBatch`, routed on the libuv thread pool; resolves to the same results. Bad
   * arguments throw at once.
   */
  routeBatchAsync<O extends RouteOptions = RouteOptions>(
    leads: Array<HostRecord>,
    now: InstantLike | Array<InstantLike>,
    options?: O,
  ): Promise<O extends { asColumns: true } ? RouteColumnsResult : Array<RouteResult>>
  /**
   * Routes leads given as columns: an object of field name (and `id`) to an array or typed
   * array, all of one length. Same semantics as `routeBatch`; returns columns: `kind`
   * (`partner`/`queue`/`unrouted`, or null for an error), `target` (partner id or queue
   * name), `rule`, `error` (a report or null).
   */
  routeColumns(columns: Record<string, ArrayLike<unknown>>, now: InstantLike | Array<InstantLike>, options?: RouteOptions): RouteColumnsResult
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
  events: Array<TimelineEvent>
}

/** Options of `evaluateSla` / `nextDeadline`. */
export interface SlaOptions {
  /** The action ids already executed, or the `cursor` of the previous evaluation. */
  done?: Array<string> | Date | number | string | null
  /** Partner id -> calendar name, or -> { field: calendar name }. */
  partnerCalendars?: Record<string, string | Record<string, string>> | null
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
 * Which binding artifact the generated loader actually loaded: `'native'` for
 * a native addon, otherwise the `platformArchABI` of the WASI flavor. Every
 * flavor napi-rs can build is listed, because `NAPI_RS_NATIVE_LIBRARY_PATH`
 * can point the loader at a WASI artifact this package does not build itself.
 */
export declare const __napiBindingTarget: 'native' | 'wasm32-wasi' | 'wasm32-wasip1'

/** A compiled ruleset. Immutable. */
export declare class Engine {
  /**
   * Compiles rule text; throws an `Error` with `code` and every diagnostic in `diagnostics`
   * (columns in UTF-16 units).
   *
   * The second argument is the file name for diagnostics, or options `{ file, files,
   * baseDir }`. Holiday files (`holidays "path"`) come from `files` (an object of path to
   * text), then from `baseDir` (relative paths inside it only, regular files of at most
   * 1 MiB); with neither, rule text reads no file from disk.
   */
  static compile(text: string, file?: string | CompileOptions | undefined | null, files?: Record<string, string> | undefined | null): Engine
  /**
   * Compiles a rule file (its path is the file name in diagnostics); holiday files are read
   * from its directory, as with `baseDir`.
   */
  static fromFile(path: string): Engine
  /** The warnings of the compilation (reports as plain objects). */
  get warnings(): Array<Diagnostic>
  /** The ruleset's name. */
  get name(): string
  /** The ruleset's version. */
  get version(): number
  /** The content hash of the rule text. */
  get contentHash(): string
  /**
   * Evaluates the SLAs over one timeline (`{ lead, events }`) or an array of them at `now`.
   * `options.done`: the action ids already executed (an array) or the `cursor` of the
   * previous evaluation (an instant); `options.partnerCalendars`: `{ P1: 'us-central' }` or
   * `{ P1: { calendar: 'us-central' } }`. One timeline: returns its evaluation or throws an
   * `Error` whose `record` names the lead and `field` the event; an array: one `{ ok }` or
   * `{ error }` per timeline.
   */
  evaluateSla(timelines: Timeline | Array<Timeline>, now: Date | number | string, options?: SlaOptions): SlaEvaluation | Array<SlaResult>
  /**
   * The next instant (ms since the epoch) at which the SLA evaluation of one timeline
   * changes if no event is recorded, or `null` if no SLA is running; throws like
   * `evaluateSla`.
   */
  nextDeadline(timeline: Timeline, now: Date | number | string, options?: SlaOptions): number | null
  /**
   * Like `evaluateSla` with an array, evaluated on the libuv thread pool; resolves to one
   * `{ ok }` or `{ error }` per timeline. Bad arguments throw at once.
   */
  evaluateSlaAsync(timelines: Array<Timeline>, now: Date | number | string, options?: SlaOptions): Promise<Array<SlaResult>>
  /** The names of the ruleset's SLAs, in order. */
  get slas(): Array<string>
}
export type JsEngine = Engine

/** Partners and their routing state, bound to the engine that built it. */
export declare class Network {
  /**
   * The partners' routing state: `{ seq, partners: [{ id, active_leads, last_assigned_at,
   * last_seq, assigned, version }] }` (ids ascending).
   */
  state(): NetworkState
  /** Loads a state exported by `state()` (e.g. from the host's database). */
  loadState(state: NetworkState): void
  /** The number of partners. */
  get length(): number
}
export type JsNetwork = Network

/** Great-circle distances in km from `origin` to each of `points`. */
export declare function distancesKm(origin: GeoPoint | [lat: number, lon: number], points: Array<GeoPoint | [lat: number, lon: number]>): Array<number>

/** Like [`distances_km`], computed on the libuv thread pool; bad arguments throw at once. */
export declare function distancesKmAsync(origin: GeoPoint | [lat: number, lon: number], points: Array<GeoPoint | [lat: number, lon: number]>): Promise<Array<number>>

/** Every stable error code, as `err.code` may carry it. */
export declare function errorCodes(): Array<string>

/**
 * A latitude/longitude pair in degrees (WGS 84). Wherever a point is taken, `[lat, lon]` is
 * accepted too.
 */
export interface GeoPoint {
  /** Latitude in degrees, -90..=90. */
  lat: number
  /** Longitude in degrees, -180..=180. */
  lon: number
}

/**
 * Great-circle distance in km between two points, each `{ lat, lon }` or `[lat, lon]`
 * (degrees, WGS 84).
 */
export declare function haversineKm(a: GeoPoint | [lat: number, lon: number], b: GeoPoint | [lat: number, lon: number]): number

/**
 * Checks each deal against the registry (registrations, CRM accounts, open leads) under the
 * engine's registration policy `options.policy` (default: the first) at `now`; with
 * `options.submit`, submits the deals in order. One verdict per deal; throws an `Error` whose
 * `record` and `field` name the bad record and field.
 */
export declare function register(engine: Engine, registry: Array<Registration>, deals: Array<Registration>, now: Date | number | string, options?: RegisterOptions | null): Array<Verdict>

/** Options of `route`, `routeBatch`, `routeBatchAsync` and `routeColumns`. */
export interface RouteOptions {
  /** Return explanations. */
  explain?: boolean
  /** Partner ids that are never candidates. */
  exclude?: Array<string>
  /**
   * `routeBatch` and `routeBatchAsync`: return the columns of `routeColumns` rather than
   * one object per lead (the same decisions, for much less; not with `explain`).
   */
  asColumns?: boolean
}

/** The version of the package (the crate's version). */
export declare function version(): string
