// Deal registration from Node: verdicts in core's serde form, errors naming the record and field.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const { Engine, register } = require('../index.js')

const RULES = `ruleset "deals" version 1
schema lead    { region: region, company: text }
schema partner { territories: set<region> }
fallback queue "inside-sales"
registration "default" { match name >= 0.9  match domain }
registration "lenient" { match name >= 0.9  on clear_conflict review }
`
const DAY = 86_400_000
const NOW = 1_795_510_800_000
const REGISTRY = [
  { id: 'r1', partner: 'p1', company: 'Müller Hydraulik GmbH', submitted_at: NOW - 30 * DAY, status: 'approved', protected_until: NOW + 60 * DAY },
]

test('verdicts name the matching record, the rule, the score and the normalised forms', () => {
  const engine = Engine.compile(RULES)
  const [v1, v2] = register(engine, REGISTRY, [
    { id: 'd1', partner: 'p2', company: 'MUELLER HYDRAULIK', submitted_at: NOW },
    { id: 'd2', partner: 'p2', company: 'Umbrella', submitted_at: NOW },
  ], new Date(NOW))
  assert.deepEqual([v1.outcome, v1.holder, v1.normalized], ['reject', 'p1', 'mueller hydraulik'])
  assert.deepEqual([v1.conflicts[0].id, v1.conflicts[0].rule, v1.conflicts[0].name.score], ['r1', 'name', 1])
  assert.deepEqual([v2.outcome, v2.conflicts], ['auto_approve', []])
  const [lenient] = register(engine, REGISTRY, [{ id: 'd1', partner: 'p2', company: 'Mueller Hydraulik', submitted_at: NOW }], NOW, { policy: 'lenient' })
  assert.equal(lenient.outcome, 'review')
})

test('a bad record throws an Error naming the record and the field', () => {
  const engine = Engine.compile(RULES)
  assert.throws(() => register(engine, REGISTRY, [{ id: 'd1', partner: 'p2', company: 'X', submitted_at: 'soon' }], NOW), (e) => {
    assert.equal(e.code, 'leadrail::data::invalid_field')
    assert.equal(e.diagnostics[0].record, 'd1')
    assert.equal(e.diagnostics[0].field, 'submitted_at')
    return true
  })
})
