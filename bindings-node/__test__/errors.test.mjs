// Errors as users meet them (issue 12, item 5): every call of the package throws a
// `LeadrailError` (a runtime class: `instanceof` works) with `code` and `diagnostics`, whose
// `message` is the first diagnostic at file:line:column and how many more; a missing rule file
// throws Node's own `ENOENT` error with the path.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createRequire } from 'node:module'
import * as esm from 'leadrail'

const require = createRequire(import.meta.url)
const leadrail = require('../index.js')
const { Engine, LeadrailError } = leadrail

const RULES = `ruleset "t" version 1
schema lead    { region: region }
schema partner { territories: set<region> }
route "r" {
  require partner.territories covers lead.regoin
  require partner.teritories covers lead.region
}
`
const GOOD = RULES.replace('lead.regoin', 'lead.region').replace('partner.teritories', 'partner.territories')

test('LeadrailError is a runtime class, exported to CommonJS and ESM', () => {
  assert.equal(typeof LeadrailError, 'function')
  assert.equal(esm.LeadrailError, LeadrailError)
  assert.ok(LeadrailError.prototype instanceof Error)
})

test('a rule error is a LeadrailError whose message has the position and the count', () => {
  let err
  try {
    Engine.compile(RULES, 'bad.rail')
  } catch (e) {
    err = e
  }
  assert.ok(err instanceof LeadrailError)
  assert.ok(err instanceof Error)
  assert.equal(err.name, 'LeadrailError')
  const [first, ...rest] = err.diagnostics
  assert.ok(rest.length >= 1)
  assert.equal(err.code, first.code)
  assert.equal(err.message, `bad.rail:${first.line}:${first.column}: ${first.message} (and ${rest.length} more)`)
  assert.equal(String(err).startsWith('LeadrailError: bad.rail:'), true)
})

test('every call throws LeadrailError: engine, network, batch, async, SLA, functions', async () => {
  const engine = Engine.compile(GOOD)
  const net = engine.network([{ id: 'P1', territories: ['US'] }])
  const isLeadrail = (e) => e instanceof LeadrailError && typeof e.code === 'string' && Array.isArray(e.diagnostics)
  assert.throws(() => engine.network([{ id: 'P1', territories: 7 }]), isLeadrail)
  assert.throws(() => net.route({ id: 'L1', region: 7 }, 0), isLeadrail)
  assert.throws(() => net.assign({ id: 'L1', region: 7 }, 0), isLeadrail)
  assert.throws(() => net.routeBatch('leads', 0), isLeadrail)
  assert.throws(() => net.routeColumns(7, 0), isLeadrail)
  assert.throws(() => net.loadState({ seq: 'x' }), isLeadrail)
  assert.throws(() => net.release('L9'), isLeadrail)
  assert.throws(() => net.removePartner('P9'), isLeadrail)
  assert.throws(() => net.addPartner({ id: 'P1', territories: ['US'] }), isLeadrail)
  assert.throws(() => engine.evaluateSla({ lead: 'L1', events: [{ at: 'x', event: 'created' }] }, 0), isLeadrail)
  assert.throws(() => leadrail.haversineKm({ lat: 'x' }, [0, 0]), isLeadrail)
  await assert.rejects(async () => net.routeBatchAsync([{ id: 'L1', region: 'US' }], [0, 1]), isLeadrail)
  // a lead whose getter throws: that error, as it is
  const boom = new TypeError('boom')
  const lead = { id: 'L1', get region() { throw boom } }
  assert.throws(() => net.route(lead, 0), (e) => e === boom)
})

test('a missing rule file throws ENOENT with the path', () => {
  const dir = mkdtempSync(join(tmpdir(), 'leadrail-'))
  const path = join(dir, 'missing.rail')
  assert.throws(
    () => Engine.fromFile(path),
    (e) => e.code === 'ENOENT' && e.path === path && e.syscall === 'open' && e.message === `ENOENT: no such file or directory, open '${path}'` && !(e instanceof LeadrailError),
  )
  assert.throws(() => Engine.fromFile(dir), (e) => e.code === 'EISDIR' && e.path === dir)
})
