// Lead conflicts from Node: `Registry` built once, leads routed as `on lead_conflict` says,
// `{decision, conflict?}` in core's serde form, recorded with `assign`, `LeadrailError`s naming
// the record and the field.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const { Engine, LeadrailError, Registry } = require('../index.js')

const RULES = `ruleset "sticky" version 1
schema lead    { company: text, region: region, contact_email: text? }
schema partner { status: enum(active, paused), territories: set<region> }
route "territory" { require partner.territories covers lead.region  tie id }
fallback queue "inside-sales"
registration "default" {
  match name >= 0.9
  match email
  on lead_conflict holder else queue "review"
}
`
const DAY = 86_400_000
const NOW = 1_795_510_800_000
const PARTNERS = [
  { id: 'p1', territories: ['US'], status: 'active' },
  { id: 'p2', territories: ['DE'], status: 'active' },
  { id: 'p3', territories: ['FR'], status: 'paused' },
]
const RECORDS = [
  { id: 'L-0001', kind: 'lead', partner: 'p2', company: 'Globex Corporation', submitted_at: NOW - DAY },
  { id: 'R-7', partner: 'p3', company: 'Initech LLC', submitted_at: NOW - 9 * DAY, status: 'approved', protected_until: NOW + 80 * DAY },
]
const world = () => [Engine.compile(RULES).network(PARTNERS), Registry.fromRecords(RECORDS)]

test('a conflict goes to the holder, else to review; no conflict: the rules', () => {
  const [net, reg] = world()
  const [a, b, c] = reg.route(net, [
    { id: 'N-1', region: 'US-TX', company: 'GLOBEX Corp.' },
    { id: 'N-2', region: 'US-TX', company: 'Hooli' },
    { id: 'N-3', region: 'US-TX', company: 'Initech' },
  ], new Date(NOW))
  assert.deepEqual([a.decision.outcome, a.decision.rule, a.conflict.holder], [{ kind: 'partner', id: 'p2' }, 'lead conflict', 'p2'])
  assert.equal(a.conflict.reason, 'name match with open lead `L-0001` of `p2` (name score 1.000)')
  assert.deepEqual([b.decision.outcome, b.decision.rule, 'conflict' in b], [{ kind: 'partner', id: 'p1' }, 'territory', false])
  assert.deepEqual([c.decision.outcome, c.conflict.conflicts[0].id], [{ kind: 'queue', name: 'review' }, 'R-7'])
  // excluded holder: the deal desk; what if: nothing recorded
  const [d] = reg.route(net, [{ id: 'N-1', region: 'US-TX', company: 'Globex' }], NOW, { exclude: ['p2'] })
  assert.deepEqual(d.decision.outcome, { kind: 'queue', name: 'review' })
  assert.equal(net.holder('N-1'), null)
})

test('assign records each lead, and a lead sent again conflicts with the first', () => {
  const [net, reg] = world()
  const [a, b] = reg.route(net, [
    { id: 'N-1', region: 'US-TX', company: 'Hooli' },
    { id: 'N-2', region: 'US-CA', company: 'Hooli Inc.' },
  ], NOW, { assign: true })
  assert.deepEqual([a.decision.rule, b.decision.rule, b.conflict.holder, b.conflict.conflicts[0].id], ['territory', 'lead conflict', 'p1', 'N-1'])
  assert.deepEqual([net.holder('N-1'), net.holder('N-2')], ['p1', 'p1'])
  assert.throws(() => reg.route(net, [{ id: 'N-1', region: 'US-TX', company: 'Hooli' }], NOW, { assign: true }), (e) => {
    assert.ok(e instanceof LeadrailError)
    assert.equal(e.code, 'leadrail::data::lead_held')
    return true
  })
})

test('records change one at a time; bad records and leads name the field', () => {
  const [net, reg] = world()
  const lead = { id: 'N-1', region: 'US-TX', company: 'Umbrella' }
  assert.equal(reg.add({ id: 'A-1', kind: 'account', partner: 'direct:jane', company: 'Umbrella Corp', submitted_at: 0, status: 'approved' }), false)
  assert.deepEqual(reg.route(net, [lead], NOW)[0].decision.outcome, { kind: 'queue', name: 'review' })
  assert.deepEqual([reg.remove('A-1'), reg.remove('A-1')], [true, false])
  assert.equal(reg.route(net, [lead], NOW)[0].conflict, undefined)
  assert.throws(() => Registry.fromRecords([{ id: 'r1', partner: 'p1', company: 'Acme', submitted_at: 'soon' }]), (e) => {
    assert.ok(e instanceof LeadrailError)
    assert.deepEqual([e.record, e.field], ['r1', 'submitted_at'])
    return true
  })
  assert.throws(() => reg.route(net, [{ id: 'N-9', company: 'Acme' }], NOW), (e) => e instanceof LeadrailError && e.field === 'region')
})
