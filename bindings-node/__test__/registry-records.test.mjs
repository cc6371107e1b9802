// Reading a registry back from Node: `registry.records()` gives every record as an object in the
// form `Registry.fromRecords` reads (the order added), `registry.get(id)` one record or null;
// after an assignment (a lead recorded) and `expire` (a status changed) they show the new lead
// and the `expired` status, and `Registry.fromRecords(registry.records())` routes and conflicts
// exactly like the original, also after a trip through JSON text (what a host persists).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { readFileSync } from 'node:fs'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'

const require = createRequire(import.meta.url)
const { Engine, Registry } = require('../index.js')

// the rules, partners and registry of the conformance vector: R-due protected until `NOW`,
// R-kept (every field given) until 60 days later, an account, p1's open lead L-0 (Globex)
const VECTOR = JSON.parse(readFileSync(join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'conformance', 'dealreg', 'registry_records_read_back.json'), 'utf8'))
const REGISTRY = VECTOR.calls[0].registry
const DAY = 86_400_000
const NOW = 1_795_510_800_000 // 2026-11-24T09:00:00Z
const PROBES = ['Initech', 'Müller Hydraulik', 'Globex', 'Hooli', 'Wayne Enterprises'].map((c) => ({ id: `N-${c}`, region: 'US-TX', company: c }))
const HOOLI = { id: 'N-1', region: 'US-TX', company: 'Hooli Inc' }
const world = () => [Engine.compile(VECTOR.rules).network(VECTOR.partners), Registry.fromRecords(REGISTRY)]

test('records and get show the assigned lead and the expired status', () => {
  const [net, reg] = world()
  // given as read: the defaults `kind`, `extensions` and `status` written, nothing else added
  assert.deepEqual(reg.records()[1], REGISTRY[1])
  assert.deepEqual(reg.get('R-due'), { ...REGISTRY[0], kind: 'registration', extensions: 0 })
  const [r] = reg.route(net, [HOOLI], NOW - DAY, { assign: true })
  assert.deepEqual([r.decision.outcome.id, r.conflict], ['p1', undefined])
  assert.deepEqual(reg.expire(NOW), ['R-due'])
  const records = reg.records()
  assert.deepEqual(records.map((x) => x.id), ['R-due', 'R-kept', 'A-1', 'L-0', 'N-1'])
  assert.deepEqual(records.map((x) => x.status), ['expired', 'approved', 'approved', 'pending', 'pending'])
  assert.deepEqual(records[4], {
    id: 'N-1', kind: 'lead', partner: 'p1', company: 'Hooli Inc', country: 'US', submitted_at: NOW - DAY, extensions: 0, status: 'pending',
  })
  assert.deepEqual(reg.get('N-1'), records[4])
  assert.equal(reg.get('R-due').status, 'expired')
  assert.equal(reg.get('R-missing'), null)
  // plain data, not views: changing them changes nothing
  records[0].status = 'approved'
  assert.equal(reg.get('R-due').status, 'expired')
  // removed: gone; replaced: moved to the end
  assert.ok(reg.remove('A-1') && reg.add(REGISTRY[1]))
  assert.deepEqual(reg.records().map((x) => x.id), ['R-due', 'L-0', 'N-1', 'R-kept'])
  assert.equal(reg.get('A-1'), null)
})

test('a registry read back from its records routes and conflicts alike', () => {
  const [net, reg] = world()
  reg.route(net, [HOOLI], NOW - DAY, { assign: true })
  reg.expire(NOW)
  const again = Registry.fromRecords(JSON.parse(JSON.stringify(reg.records())))
  assert.deepEqual(again.records(), reg.records())
  for (const at of [NOW - 2 * DAY, NOW, NOW + 61 * DAY]) {
    assert.deepEqual(again.route(net, PROBES, at), reg.route(net, PROBES, at))
  }
  // what that is: R-due expired (no conflict even before its end), R-kept protected, L-0 and
  // the recorded N-1 open leads of p1 (`on lead_conflict flag`: conflicts reported)
  const held = again.route(net, PROBES, NOW - 2 * DAY).map((r) => r.conflict?.conflicts[0].id ?? null)
  assert.deepEqual(held, [null, 'R-kept', 'L-0', 'N-1', 'A-1'])
  assert.deepEqual(again.expire(NOW + 60 * DAY), ['R-kept'])
  assert.deepEqual(reg.expire(NOW + 60 * DAY), ['R-kept'])
})

test('an empty registry reads back empty', () => {
  const reg = Registry.fromRecords([])
  assert.deepEqual(reg.records(), [])
  assert.equal(reg.get(''), null)
})
