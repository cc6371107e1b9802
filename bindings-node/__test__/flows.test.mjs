// A portal's single-lead flow (issue 12, item 4): `assign` routes and records exactly as a
// one-lead batch does, partners are added, changed and removed on a live network, `release`
// frees a workload slot once, and a call that fails changes nothing.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const { Engine, LeadrailError } = require('../index.js')

const RULES = `ruleset "flows" version 1
schema lead    { region: region }
schema partner { territories: set<region>, capacity: int, active_leads: int }
route "territory" {
  require partner.territories covers lead.region
  tie     round_robin
}
fallback queue "triage"
`
const NOW = '2026-11-24T09:00:00Z'
const engine = Engine.compile(RULES)
const partner = (id, capacity = 10, territories = ['US']) => ({ id, territories, capacity, active_leads: 0 })
const lead = (id, region = 'US-TX') => ({ id, region })
const target = (d) => (d.outcome.kind === 'partner' ? d.outcome.id : `${d.outcome.kind} ${d.outcome.name}`)
const code = (c) => (e) => e instanceof LeadrailError && e.code === c

test('three assigns give the decisions of one batch', () => {
  const net = engine.network([partner('P1'), partner('P2')])
  assert.deepEqual([0, 1, 2].map((i) => target(net.route(lead(`L${i}`), NOW))), ['P1', 'P1', 'P1'])
  assert.deepEqual([0, 1, 2].map((i) => target(net.assign(lead(`L${i}`), NOW))), ['P1', 'P2', 'P1'])
  const batchNet = engine.network([partner('P1'), partner('P2')])
  const batch = batchNet.routeBatch([0, 1, 2].map((i) => lead(`L${i}`)), NOW)
  assert.deepEqual(batch.map((r) => r.ok.outcome.id), ['P1', 'P2', 'P1'])
  const { held, ...state } = net.state()
  assert.deepEqual(held, [
    { lead: 'L0', partner: 'P1' },
    { lead: 'L1', partner: 'P2' },
    { lead: 'L2', partner: 'P1' },
  ])
  assert.deepEqual(state, batchNet.state())
  assert.equal(net.holder('L1'), 'P2')
  assert.equal(net.holder('nope'), null)
})

test('release frees a slot once; a repeated release changes nothing', () => {
  const net = engine.network([partner('P1', 1)])
  assert.equal(target(net.assign(lead('L1'), NOW)), 'P1')
  assert.equal(target(net.assign(lead('L2'), NOW)), 'queue triage')
  assert.equal(net.release('L1'), 'P1')
  const before = net.state()
  for (const id of ['L1', 'L2', 'never']) {
    assert.throws(() => net.release(id), (e) => code('leadrail::data::unknown_lead')(e) && e.record === id)
  }
  assert.deepEqual(net.state(), before)
  assert.equal(target(net.assign(lead('L2'), NOW)), 'P1')
  // a batch lead is released by naming its partner
  const other = engine.network([partner('P1', 1)])
  other.routeBatch([lead('B1')], NOW)
  assert.throws(() => other.release('B1'), code('leadrail::data::unknown_lead'))
  assert.equal(other.release('B1', 'P1'), 'P1')
})

test('a held lead cannot be assigned twice', () => {
  const net = engine.network([partner('P1'), partner('P2')])
  net.assign(lead('L1'), NOW)
  const before = net.state()
  assert.throws(() => net.assign(lead('L1'), NOW), code('leadrail::data::lead_held'))
  assert.deepEqual(net.state(), before)
})

test('partners added, changed and removed on a live network', () => {
  const net = engine.network([partner('P1')])
  net.addPartner(partner('P2'))
  assert.equal(net.length, 2)
  assert.deepEqual([0, 1, 2, 3].map((i) => target(net.assign(lead(`L${i}`), NOW))), ['P1', 'P2', 'P1', 'P2'])
  net.updatePartner(partner('P1', 10, ['DE']))
  const p1 = net.state().partners[0]
  assert.deepEqual([p1.active_leads, p1.assigned, p1.version], [2, 2, 3])
  assert.equal(target(net.assign(lead('L5'), NOW)), 'P2')
  assert.equal(target(net.assign(lead('D1', 'DE-BY'), NOW)), 'P1')
  net.removePartner('P2')
  assert.equal(net.holder('L1'), null)
  assert.equal(target(net.assign(lead('L6'), NOW)), 'queue triage')
  assert.throws(() => net.removePartner('P2'), code('leadrail::data::unknown_partner'))
})

test('a failed add or update changes nothing', () => {
  const net = engine.network([partner('P1'), partner('P2')])
  net.assign(lead('L1'), NOW)
  const before = net.state()
  assert.throws(() => net.updatePartner({ ...partner('P1'), capacity: 'ten' }), (e) => e instanceof LeadrailError && e.record === 'P1' && e.field === 'capacity')
  assert.throws(() => net.addPartner({ ...partner('P3'), capacity: 'ten' }), (e) => e.record === 'P3' && e.field === 'capacity')
  assert.throws(() => net.addPartner(partner('P2')), code('leadrail::data::duplicate_id'))
  assert.throws(() => net.updatePartner(partner('P9')), code('leadrail::data::unknown_partner'))
  assert.deepEqual(net.state(), before)
  assert.equal(net.length, 2)
  assert.equal(target(net.assign(lead('L2'), NOW)), 'P2')
})
