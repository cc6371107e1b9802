import { Engine } from 'leadrail'

const engine = Engine.fromFile('quickstart.rail')
const network = engine.network([
  { id: 'P1', territories: ['US-TX'], tier: 'gold', capacity: 10, active_leads: 2 },
  { id: 'P2', territories: ['US'], tier: 'silver', capacity: 5, active_leads: 4 },
])
const decision = network.route({ id: 'L1', region: 'US-TX:752' }, new Date('2026-11-24T09:00:00Z'), { explain: true })
console.log(decision.outcome, decision.explanation.candidates)
for (const result of await network.routeBatchAsync([{ id: 'L2', region: 'US-CA' }, { id: 'L3' }], '2026-11-24T09:05:00Z'))
  console.log('ok' in result ? result.ok.outcome : result.error.message)
