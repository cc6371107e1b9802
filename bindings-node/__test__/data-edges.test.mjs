// Issue 10's data edges from Node: a lead region with `except` is a data error naming the lead
// and the field (on the object and the columnar paths); state whose sequence number would wrap
// is refused.
import assert from 'node:assert/strict'
import test from 'node:test'

import { Engine } from '../index.js'

const RULES = `ruleset "t" version 1
schema lead    { region: region }
schema partner { territories: set<region> }
route "territory" { require partner.territories covers lead.region  tie round_robin }
fallback queue "triage"
`
const NOW = '2026-11-24T09:00:00Z'

const net = () => Engine.compile(RULES).network([{ id: 'A', territories: ['US except US-AK'] }])

test('a lead region with exceptions is a data error', () => {
  const n = net()
  const [r] = n.routeBatch([{ id: 'L1', region: 'US except US-TX' }], NOW)
  assert.equal(r.error.code, 'leadrail::data::invalid_field')
  assert.deepEqual([r.error.record, r.error.field], ['L1', 'region'])
  assert.equal(n.state().seq, 0)
})

test('state whose sequence number would wrap is refused', () => {
  const n = net()
  const before = n.state()
  // 2**64 is not a u64; the largest exact JS integer is accepted and counts on
  assert.throws(() => n.loadState({ seq: 2 ** 64, partners: [] }), (e) => e.code.startsWith('leadrail::'))
  assert.deepEqual(n.state(), before)
  n.loadState({ seq: Number.MAX_SAFE_INTEGER - 1, partners: [] })
  n.routeBatch([{ id: 'L1', region: 'US-TX' }], NOW)
  assert.equal(BigInt(n.state().seq), BigInt(Number.MAX_SAFE_INTEGER)) // a BigInt past 2**53 - 1
})
