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

/** A routing decision (core's `Decision`). */
export interface Decision {
  outcome: Outcome
  rule: string | null
  state_read: { partner: string; version: number; active_leads: number; last_assigned_at: number | null } | null
  explanation?: Explanation
}

/** One result of a batch. */
export type RouteResult = { ok: Decision } | { error: Diagnostic }

/** The result of `routeColumns`: one entry per lead in each column. */
export interface RouteColumnsResult {
  kind: Array<'partner' | 'queue' | 'unrouted' | null>
  target: Array<string | null>
  rule: Array<string | null>
  error: Array<Diagnostic | null>
}

/** Partner routing state, as exported and imported by the host. */
export interface NetworkState {
  seq: number
  partners: Array<{ id: string; active_leads: number; last_assigned_at: number | null; last_seq: number; assigned: number; version: number }>
}
