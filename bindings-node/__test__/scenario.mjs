// The rules and vocabulary shared by the batch tests (as-columns, chunked): one route rule over
// region, line and capacity with round-robin ties, and a queue for the leads nobody covers.
export const RULES = `ruleset "batches" version 1
schema lead    { region: region, line: text, size: int }
schema partner { territories: set<region>, lines: set<text>, capacity: int, active_leads: int, score: ratio }
route "best" {
  require partner.territories covers lead.region
  require lead.line in partner.lines
  require partner.active_leads < partner.capacity
  rank    partner.score - partner.active_leads / partner.capacity
  tie     round_robin
}
fallback queue "triage"
`
export const NOW_MS = 1795510800000
export const REGIONS = ['US', 'US-TX', 'DE', 'FR', 'JP']
export const LEAD_REGIONS = [...REGIONS, 'BR'] // no partner covers BR: those leads go to the queue
export const LINES = ['a', 'b', 'c']
