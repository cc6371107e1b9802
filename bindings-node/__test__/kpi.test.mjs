// KPIs, the forecast and the feedback into routing from Node: plain objects in core's serde
// form, columns, instants as numbers, strings or Dates, errors naming the record and field.
import assert from 'node:assert/strict'
import { test } from 'node:test'

import { Engine } from 'leadrail'

const RULES = `ruleset "kpi" version 1
schema lead    { region: region }
schema partner { territories: set<region>, acceptance_rate: ratio, leads_received: int }
route "measured" {
  require partner.territories covers lead.region
  rank    smoothed(partner.acceptance_rate, partner.leads_received)
}
sla accept { start assigned  stop accepted, rejected  goal 4h  on breach alert "late" }
`
const H = 3_600_000
const T0 = 1772409600000 // 2026-03-02T00:00Z
const NOW = T0 + 100 * H
const ev = (h, event, more = {}) => ({ at: T0 + h * H, event, ...more })
const TIMELINES = [
  { lead: 'L1', events: [ev(0, 'assigned', { partner: 'P1' }), ev(1, 'viewed'), ev(2, 'rejected', { partner: 'P1', reason: 'too far' }), ev(3, 'assigned', { partner: 'P1' }), ev(5, 'accepted', { partner: 'P1' })] },
  { lead: 'L2', events: [ev(0, 'assigned', { partner: 'D1' }), ev(1, 'accepted', { partner: 'D1' }), ev(2, 'handed_down', { reseller: 'R1' }), ev(4, 'stage_changed', { stage: 'proposal' }), ev(30, 'won')] },
  { lead: 'L3', events: [ev(0, 'assigned', { partner: 'P2' }), ev(2, 'stage_changed', { stage: 'proposal' })] },
]
const engine = Engine.compile(RULES)

const throwsWith = (fn, want) =>
  assert.throws(fn, (e) => {
    for (const [k, v] of Object.entries(want)) assert.equal(e[k], v, k)
    return true
  })

test('kpi gives core\'s report as plain objects', () => {
  const r = engine.kpi(TIMELINES, NOW, { by: ['partner'] })
  assert.deepEqual(Object.keys(r).sort(), ['now', 'tz', 'by', 'assignments', 'rejections', 'leads', 'open_leads', 'stages', 'deals', 'sla', 'engagement', 'engagement_kinds', 'first_deals'].sort())
  const p1 = r.assignments.find((a) => a.partner === 'P1')
  assert.deepEqual([p1.assignments, p1.accepted, p1.rejected, p1.acceptance_rate], [2, 1, 1, 0.5])
  assert.deepEqual(p1.response_time, { count: 2, sum: 4 * H, mean: 2 * H, median: 2 * H, p90: 2 * H })
  // the hand-down chain: D1 gets credit for R1's win
  assert.deepEqual(r.assignments.filter((a) => a.converted).map((a) => a.partner), ['D1', 'R1'])
  assert.deepEqual(r.sla.map((s) => [s.partner, s.met, s.breached]), [['D1', 1, 0], ['P1', 2, 0], ['P2', 0, 1]])
  assert.deepEqual(r.rejections, [{ partner: 'P1', reason: 'too far', count: 1 }])
})

test('instants as numbers, RFC 3339 strings and Dates agree', () => {
  const asDates = TIMELINES.map((t) => ({ ...t, events: t.events.map((e) => ({ ...e, at: new Date(e.at) })) }))
  const a = engine.kpi(TIMELINES, NOW, { by: 'partner,month', untouchedAfter: '96h' })
  const b = engine.kpi(asDates, new Date(NOW).toISOString(), { by: ['partner', 'month'], untouched_after: 96 * H })
  const c = engine.kpi(asDates, new Date(NOW), { by: 'partner,month', untouchedAfter: '4d' })
  assert.deepEqual(a, b)
  assert.deepEqual(a, c)
  // L3 (P2): last event at 2h, idle 98h; L1 (P1): last event at 5h
  assert.deepEqual(a.open_leads.map((r) => [r.partner, r.untouched]), [['P1', 0], ['P2', 1]])
})

test('columns: one array per column', () => {
  const cols = engine.kpi(TIMELINES, NOW, { by: ['partner'], format: 'columns' })
  assert.deepEqual(cols.assignments.partner, ['D1', 'P1', 'P2', 'R1'])
  // D1 accepts at 1h; P1 at 2h (median of 2h, 2h); P2 and R1 by their stage changes, 2h
  assert.deepEqual(cols.assignments.response_time_median, [H, 2 * H, 2 * H, 2 * H])
  assert.deepEqual(cols.engagement, {})
})

test('forecast with detail', () => {
  const leads = [{ id: 'L3', amount: '1000.50' }]
  const f = engine.forecast(TIMELINES, NOW, { leads, by: ['partner'], detail: true, m: 10 })
  // closed: L2 (won, in proposal) -> R_proposal = 1; P2 never held a closed lead in proposal
  assert.deepEqual(f.leads, [{ lead: 'L3', stage: 'proposal', partner: 'P2', amount: 1000.5, probability: 1 }])
  assert.equal(f.total.expected, 1000.5)
  assert.equal(f.range.method, 'exact')
  const cols = engine.forecast(TIMELINES, NOW, { leads, by: ['partner'], format: 'columns' })
  assert.deepEqual(cols.groups.partner, ['P2'])
})

test('feedBack writes measured values that rank reads', () => {
  const net = engine.network([
    { id: 'P1', territories: ['US'], acceptance_rate: 0.1, leads_received: 0 },
    { id: 'P2', territories: ['US'], acceptance_rate: 0.9, leads_received: 50 },
  ])
  const lead = { id: 'N1', region: 'US-TX' }
  assert.equal(net.route(lead, NOW).outcome.id, 'P2')
  const tl = []
  for (let i = 0; i < 20; i++) {
    tl.push({ lead: `A${i}`, events: [ev(i, 'assigned', { partner: 'P1' }), ev(i + 1, 'accepted', { partner: 'P1' })] })
    tl.push({ lead: `B${i}`, events: [ev(i, 'assigned', { partner: 'P2' }), ev(i + 1, 'rejected', { partner: 'P2' })] })
  }
  const ms = net.feedBack(tl, NOW)
  assert.deepEqual(ms.map((m) => [m.partner, m.leads_received, m.acceptance_rate]), [['P1', 20, 1], ['P2', 20, 0]])
  assert.equal(net.route(lead, NOW).outcome.id, 'P1')
  throwsWith(() => net.feedBack(tl, NOW, { measureFields: { conversion_rate: 'nope' } }), { field: 'nope' })
})

test('bad inputs throw naming the record and the field', () => {
  const bad = [{ lead: 'L1', events: [ev(2, 'assigned', { partner: 'P1' }), ev(1, 'accepted', { partner: 'P1' })] }]
  throwsWith(() => engine.kpi(bad, NOW), { code: 'leadrail::timeline::out_of_order', record: 'L1', field: 'events[1]' })
  throwsWith(() => engine.forecast(TIMELINES, NOW, { leads: [{ id: 'L1', amount: 'lots' }] }), { record: 'L1', field: 'amount' })
  throwsWith(() => engine.kpi(TIMELINES, NOW, { engagement: [{ partner: 'P1', at: 'soon', kind: 'login' }] }), { record: '#1', field: 'at' })
  throwsWith(() => engine.kpi(TIMELINES, NOW, { untouched: '7d' }), { message: 'unknown option `untouched`', field: 'untouched' })
  throwsWith(() => engine.kpi('L1', NOW), { message: '`timelines` must be an array of timelines' })
})
