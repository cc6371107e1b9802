// Realistic TypeScript over the package under `tsc --strict` (the tests check it, and that a
// misspelt field fails it): rows typed by interfaces, readonly arrays, one SLA evaluation typed
// by its argument, the single-lead flow, and `LeadrailError` caught with `instanceof`.
import { Engine, LeadrailError, type Decision, type SlaEvaluation, type Timeline } from 'leadrail'

interface PartnerRow {
  id: string
  territories: readonly string[]
  tier: 'gold' | 'silver'
  capacity: number
  active_leads: number
}

interface LeadRow {
  readonly id: string
  readonly region: string
}

const partners: readonly PartnerRow[] = [
  { id: 'P1', territories: ['US-TX'], tier: 'gold', capacity: 10, active_leads: 2 },
  { id: 'P2', territories: ['US'], tier: 'silver', capacity: 5, active_leads: 4 },
]
const leads: LeadRow[] = [{ id: 'L1', region: 'US-TX' }, { id: 'L2', region: 'US-CA' }]
const rejectedBy: readonly string[] = ['P2']

const engine = Engine.fromFile('quickstart.rail')
const network = engine.network(partners)

const explained = network.route(leads[0], Date.now(), { explain: true, exclude: rejectedBy })
const first: string = explained.explanation.candidates.map((c) => c.partner).join(', ')
const decision: Decision = network.assign(leads[1], new Date())
const partner: string | null = decision.outcome.kind === 'partner' ? decision.outcome.id : null
if (partner !== null) network.release(leads[1].id)

network.addPartner({ id: 'P3', territories: ['DE'], tier: 'gold', capacity: 3, active_leads: 0 } satisfies PartnerRow)
network.updatePartner({ ...partners[0], capacity: 12 })
network.removePartner('P3')

for (const r of network.routeBatch(leads, '2026-11-24T09:05:00Z', { exclude: rejectedBy })) {
  console.log('ok' in r ? r.ok.outcome.kind : r.error.code)
}

const timeline: Timeline = { lead: 'L1', events: [{ at: 0, event: 'created' }] }
const one: SlaEvaluation = engine.evaluateSla(timeline, 0)
const all = engine.evaluateSla([timeline] as const, 0)
console.log(first, one.next_deadline, all.length)

try {
  Engine.compile('ruleset')
} catch (e) {
  if (e instanceof LeadrailError) console.log(e.code, e.diagnostics.length, e.message)
}
