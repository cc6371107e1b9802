// Deal-registration expiry from Node: `registry.expire(now)` marks expired the approved
// registrations whose protection ended at or before `now` (`protected_until` is exclusive),
// returns their ids earliest end first and each once; an expired registration no longer
// conflicts with a lead, even one routed at an instant when it was still protected; `now` as a
// number, an RFC 3339 string or a Date; a bad `now` throws core's report as a `LeadrailError`.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { readFileSync } from 'node:fs'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'

const require = createRequire(import.meta.url)
const { Engine, LeadrailError, Registry } = require('../index.js')

// the rules, partners and registry of the conformance vector: R-late protected until `NOW + 1`,
// R-at until `NOW`, R-early until a day before, a pending registration, an account
const VECTOR = JSON.parse(readFileSync(join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'conformance', 'dealreg', 'expire_protection_ended.json'), 'utf8'))
const DAY = 86_400_000
const NOW = 1_795_510_800_000 // 2026-11-24T09:00:00Z
const approved = (id, company, until) => ({
  id, partner: 'p2', company, submitted_at: NOW - 100 * DAY, status: 'approved', approved_at: NOW - 99 * DAY, protected_until: until,
})
const world = () => [Engine.compile(VECTOR.rules).network(VECTOR.partners), Registry.fromRecords(VECTOR.calls[0].registry)]
/** The record each lead's conflict names first (null: no conflict), routed at `at` (what if). */
const holders = (net, reg, at) =>
  reg.route(net, ['Globex', 'Hooli', 'Initech', 'Umbrella'].map((c) => ({ id: `N-${c}`, region: 'US-TX', company: c })), at)
    .map((r) => r.conflict?.conflicts[0].id ?? null)

test('expire returns the ids ended at or before now, earliest end first, once', () => {
  const [, reg] = world()
  assert.deepEqual(reg.expire(NOW - DAY - 1), [])
  // R-early ended a day ago, R-at at `now` itself (the end is exclusive); R-late 1 ms later
  assert.deepEqual(reg.expire(NOW), ['R-early', 'R-at'])
  assert.deepEqual(reg.expire(NOW), [])
  assert.deepEqual(reg.expire(NOW + 1), ['R-late'])
  // the pending registration and the account never expire
  assert.deepEqual(reg.expire(NOW + 10_000 * DAY), [])
})

test('expired registrations no longer conflict, even with a lead routed before their end', () => {
  const [net, reg] = world()
  const before = NOW - 2 * DAY // every registration was protected then
  assert.deepEqual(holders(net, reg, before), ['R-at', 'R-early', 'R-late', 'R-pending'])
  assert.deepEqual(reg.expire(NOW), ['R-early', 'R-at'])
  // read back: R-early and R-at are expired (no conflict at any instant), R-late is not
  assert.deepEqual(holders(net, reg, before), [null, null, 'R-late', 'R-pending'])
  const [r] = reg.route(net, [{ id: 'N-9', region: 'US-TX', company: 'Initech' }], before)
  assert.deepEqual([r.decision.outcome.id, r.conflict.holder, r.conflict.outcome], ['p1', 'p2', 'reject'])
  // added again as approved, R-at expires again; added as expired, it is not returned
  assert.equal(reg.add(approved('R-at', 'Globex Corporation', NOW)), true)
  assert.equal(reg.add({ ...approved('R-x', 'Soylent', NOW), status: 'expired' }), false)
  assert.deepEqual(reg.expire(NOW), ['R-at'])
})

test('now as a number, an RFC 3339 string or a Date', () => {
  for (const now of [NOW, '2026-11-24T09:00:00Z', '2026-11-24T10:00:00+01:00', new Date(NOW)]) {
    const [, reg] = world()
    assert.deepEqual(reg.expire(now), ['R-early', 'R-at'], String(now))
  }
})

test("a bad now throws core's report and changes nothing", () => {
  const [, reg] = world()
  assert.throws(() => reg.expire('yesterday'), (e) => {
    assert.ok(e instanceof LeadrailError)
    assert.equal(e.code, 'leadrail::request::invalid')
    assert.equal(e.message, '`yesterday` is not an RFC 3339 instant')
    assert.equal(e.help, 'write instants like `2026-11-24T09:00:00Z` or as milliseconds since the epoch')
    return true
  })
  for (const bad of [1.5, new Date(NaN), null, {}]) {
    assert.throws(() => reg.expire(bad), (e) => e instanceof LeadrailError && e.code === 'leadrail::request::invalid', String(bad))
  }
  assert.deepEqual(reg.expire(NOW), ['R-early', 'R-at'])
})
