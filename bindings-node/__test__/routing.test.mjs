// The routing API beyond the conformance vectors: bad input of every kind, state isolation of
// bad leads, the columnar entry, the async batch, state export/import, the quickstart.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const { Engine } = require('../index.js')

const RULES = `ruleset "t" version 3
schema lead    { region: region, size: int, share: ratio?, due: date?, at: datetime? }
schema partner { territories: set<region>, capacity: int, active_leads: int, last_assigned_at: datetime? }
route "territory" {
  require partner.territories covers lead.region
  tie     round_robin
}
fallback queue "triage"
`
const NOW = '2026-11-24T09:00:00Z'
const NOW_MS = 1795510800000
const partners = () => [
  { id: 'A', territories: ['US'], capacity: 3, active_leads: 0 },
  { id: 'B', territories: ['US-TX'], capacity: 3, active_leads: 0 },
  { id: 'C', territories: ['DE'], capacity: 1, active_leads: 0 },
]
const engine = Engine.compile(RULES)
const net = () => engine.network(partners())

function throwsWith(fn, props) {
  let err
  try {
    fn()
  } catch (e) {
    err = e
  }
  assert.ok(err instanceof Error, 'expected an Error')
  for (const [k, v] of Object.entries(props)) assert.deepEqual(err[k], v, k)
  return err
}

test('rule errors carry code, position and every diagnostic', () => {
  const e = throwsWith(() => Engine.compile(RULES.replace('tie     round_robin', 'tie     sideways'), 'bad.rail'), {
    code: 'leadrail::parse::unexpected_token',
    line: 6,
    column: 11,
    file: 'bad.rail',
    message: 'bad.rail:6:11: expected `round_robin` or `id`, found `sideways`',
  })
  assert.equal(e.diagnostics.length, 1)
  assert.equal(e.diagnostics[0].message, 'expected `round_robin` or `id`, found `sideways`')
  assert.equal(e.diagnostics[0].code, e.code)
})

test('fromFile names the file; a missing file is Node\'s ENOENT error', () => {
  const dir = mkdtempSync(join(tmpdir(), 'leadrail-'))
  const p = join(dir, 'r.rail')
  writeFileSync(p, RULES.replace('size: int', 'size: integer'))
  throwsWith(() => Engine.fromFile(p), { code: 'leadrail::type::unknown_type', file: p })
  throwsWith(() => Engine.fromFile(join(dir, 'missing.rail')), { code: 'ENOENT', path: join(dir, 'missing.rail') })
})

test('metadata and warnings', () => {
  assert.equal(engine.name, 't')
  assert.equal(engine.version, 3)
  assert.equal(engine.contentHash.length, 16)
  assert.deepEqual(engine.warnings, [])
})

for (const [patch, code, field] of [
  [{ capacity: '3' }, 'leadrail::data::invalid_field', 'capacity'],
  [{ capacity: null }, 'leadrail::data::missing_field', 'capacity'],
  [{ capacity: undefined }, 'leadrail::data::missing_field', 'capacity'],
  [{ capacity: NaN }, 'leadrail::data::invalid_field', 'capacity'],
  [{ capacity: 2 ** 64 }, 'leadrail::data::invalid_field', 'capacity'],
  [{ capacity: 10n ** 30n }, 'leadrail::data::invalid_field', 'capacity'],
  [{ capacity: 2.5 }, 'leadrail::data::invalid_field', 'capacity'],
  [{ territories: 'US' }, 'leadrail::data::invalid_field', 'territories'],
  [{ territories: { US: 1 } }, 'leadrail::data::invalid_field', 'territories'],
  [{ territories: [Symbol('US')] }, 'leadrail::data::invalid_field', 'territories'],
]) {
  test(`bad partner ${JSON.stringify(patch, (k, v) => (typeof v === 'bigint' ? `${v}n` : v))} names record and field`, () => {
    const ps = partners()
    Object.assign(ps[1], patch)
    const e = throwsWith(() => engine.network(ps), { code, record: 'B', field })
    assert.ok(e.message.startsWith('record `B`'), e.message)
  })
}

test('partners must be an array of objects', () => {
  for (const bad of ['partners', { id: 'A' }, 42, null, undefined]) {
    throwsWith(() => engine.network(bad), { code: 'leadrail::request::invalid' })
  }
  throwsWith(() => engine.network([partners()[0], ['B']]), { code: 'leadrail::data::invalid_record', record: '#2' })
})

test('JavaScript values convert: bigint, Date, integral numbers', () => {
  const ps = partners()
  ps[0].capacity = 3n
  ps[2].last_assigned_at = new Date('2026-01-01T00:00:00Z')
  const n = engine.network(ps)
  assert.equal(n.length, 3)
  assert.equal(n.state().partners[2].last_assigned_at, 1767225600000)
  const d = n.route({ id: 7, region: 'US-TX', size: 1, at: new Date(NOW), due: '2026-12-24' }, new Date(NOW))
  assert.deepEqual(d.outcome, { kind: 'partner', id: 'A' })
})

for (const [lead, code, field] of [
  [{ id: 'L', region: 'US', size: '12' }, 'leadrail::data::invalid_field', 'size'],
  [{ id: 'L', region: 'US' }, 'leadrail::data::missing_field', 'size'],
  [{ id: 'L', region: undefined, size: 1 }, 'leadrail::data::missing_field', 'region'],
  [{ id: 'L', region: null, size: 1 }, 'leadrail::data::missing_field', 'region'],
  [{ id: 'L', region: 'US', size: NaN }, 'leadrail::data::invalid_field', 'size'],
  [{ id: 'L', region: 'US', size: Infinity }, 'leadrail::data::invalid_field', 'size'],
  [{ id: 'L', region: 'US', size: 2n ** 64n }, 'leadrail::data::invalid_field', 'size'],
  [{ id: 'L', region: 'US', size: true }, 'leadrail::data::invalid_field', 'size'],
  [{ id: 'L', region: ['US'], size: 1 }, 'leadrail::data::invalid_field', 'region'],
  [{ id: 'L', region: 'US', size: 1, share: 1.5 }, 'leadrail::data::invalid_field', 'share'],
  [{ id: 'L', region: 'US', size: 1, due: '2026-02-30' }, 'leadrail::data::invalid_field', 'due'],
  [{ id: 'L', region: 'US', size: 1, at: () => 1 }, 'leadrail::data::invalid_field', 'at'],
  [{ id: null, region: 'US', size: 1 }, 'leadrail::data::invalid_record', null],
  [{ id: 1.5, region: 'US', size: 1 }, 'leadrail::data::invalid_record', 'id'],
]) {
  test(`bad lead ${JSON.stringify(lead, (k, v) => (typeof v === 'bigint' ? `${v}n` : v === undefined ? 'undefined' : v))}`, () => {
    const n = net()
    const e = throwsWith(() => n.route(lead, NOW), { code, field })
    const [r] = n.routeBatch([lead], NOW)
    assert.deepEqual(r.error, e.diagnostics[0])
  })
}

test('bad now', () => {
  const n = net()
  for (const now of [1.5, 'yesterday', '2026-11-24T09:00:00', null, undefined, true, {}, new Date('x')]) {
    throwsWith(() => n.route({ id: 'L', region: 'US', size: 1 }, now), { code: 'leadrail::request::invalid' })
  }
  throwsWith(() => n.routeBatch([{ id: 'L', region: 'US', size: 1 }], [NOW, NOW]), { message: '1 leads but 2 instants' })
})

test('now forms agree', () => {
  const n = net()
  const lead = { id: 'L', region: 'US', size: 1 }
  const a = n.route(lead, NOW)
  assert.deepEqual(n.route(lead, NOW_MS), a)
  assert.deepEqual(n.route(lead, new Date(NOW_MS)), a)
  assert.deepEqual(n.route(lead, '2026-11-24T10:00:00+01:00'), a)
})

test('leads must be an array; options are checked', () => {
  const n = net()
  for (const bad of [{ id: 'L' }, 'leads', 3, null]) {
    throwsWith(() => n.routeBatch(bad, NOW), { code: 'leadrail::request::invalid' })
  }
  assert.throws(() => n.route({ id: 'L', region: 'US', size: 1 }, NOW, { exclude: 'A' }))
  const d = n.route({ id: 'L', region: 'US', size: 1 }, NOW, { exclude: ['A'] })
  assert.deepEqual(d.outcome, { kind: 'queue', name: 'triage' })
})

test('bad leads change no state', () => {
  const n = net()
  const before = n.state()
  const bad = [
    { id: 'X1', region: 'US', size: '1' },
    { id: 'X2', region: 'US' },
    { id: 'X3', region: 'US', size: NaN },
    ['not', 'an', 'object'],
    { id: 'X5', region: 'ZZ', size: 1 },
    null,
    undefined,
  ]
  assert.ok(n.routeBatch(bad, NOW).every((r) => 'error' in r))
  assert.deepEqual(n.state(), before)
  const good = [0, 1, 2, 3].map((i) => ({ id: `G${i}`, region: 'US-TX', size: 1 }))
  const mixed = [bad[0], good[0], bad[1], good[1], good[2], bad[3], good[3]]
  const got = n.routeBatch(mixed, NOW).filter((r) => 'ok' in r)
  const alone = net()
  assert.deepEqual(got, alone.routeBatch(good, NOW))
  assert.deepEqual(n.state(), alone.state())
})

test('route changes no state, a batch does', () => {
  const n = net()
  const lead = { id: 'L', region: 'US-TX', size: 1 }
  const before = n.state()
  assert.deepEqual(n.route(lead, NOW), n.route(lead, NOW))
  assert.deepEqual(n.state(), before)
  const [r] = n.routeBatch([lead], NOW)
  const p = n.state().partners.find((p) => p.id === r.ok.outcome.id)
  assert.deepEqual([p.active_leads, p.assigned, p.version, p.last_assigned_at], [1, 1, 1, NOW_MS])
})

test('state round-trips; a bad state is rejected and changes nothing', () => {
  const n = net()
  n.routeBatch([0, 1, 2, 3].map((i) => ({ id: `L${i}`, region: 'US-TX', size: 1 })), NOW)
  const other = net()
  other.loadState(n.state())
  assert.deepEqual(other.state(), n.state())
  const before = other.state()
  throwsWith(() => other.loadState({ seq: 'x', partners: [] }), { code: 'leadrail::request::invalid' })
  throwsWith(() => other.loadState([]), { code: 'leadrail::request::invalid' })
  assert.throws(() =>
    other.loadState({ seq: 0, partners: [{ id: 'NOPE', active_leads: 0, last_assigned_at: null, last_seq: 0, assigned: 0, version: 0 }] }),
  )
  assert.deepEqual(other.state(), before)
})

test('columns equal records, with arrays and typed arrays', () => {
  const regions = ['US-TX', 'US', 'DE', 'FR', 'US-TX', null, 'DE']
  const sizes = [1, 2, 3, 4, 5, 6, 7]
  const ids = regions.map((_, i) => `L${i}`)
  const a = net()
  const got = a.routeColumns({ id: ids, region: regions, size: new Float64Array(sizes) }, NOW)
  const b = net()
  const want = b.routeBatch(ids.map((id, i) => ({ id, region: regions[i], size: sizes[i] })), NOW)
  assert.deepEqual(got.kind, want.map((r) => ('ok' in r ? r.ok.outcome.kind : null)))
  assert.deepEqual(got.target, want.map((r) => ('ok' in r ? r.ok.outcome.id ?? r.ok.outcome.name ?? null : null)))
  assert.deepEqual(got.rule, want.map((r) => ('ok' in r ? r.ok.rule : null)))
  assert.deepEqual(got.error, want.map((r) => r.error ?? null))
  assert.deepEqual(a.state(), b.state())
  const c = net()
  const viaInts = c.routeColumns({ id: ids, region: regions, size: new Int32Array(sizes) }, NOW)
  assert.deepEqual(viaInts, got)
})

test('bad columns', () => {
  const n = net()
  for (const [columns, message] of [
    [{ region: ['US'], size: [1] }, '`columns` has no `id` column'],
    [{ id: ['a', 'b'], region: ['US'], size: [1, 2] }, 'column `region` has 1 values but `id` has 2'],
    [{ id: 'ab', region: ['US', 'US'] }, 'column `id` must be an array or a typed array, not string'],
    [[['a']], '`columns` must be an object of field names to arrays'],
    [{ id: ['a'], region: ['US'], size: new Float32Array([1]) }, 'column `size` is a typed array of an unsupported element type'],
  ]) {
    throwsWith(() => n.routeColumns(columns, NOW), { code: 'leadrail::request::invalid', message })
  }
  const r = n.routeColumns({ id: ['a'], region: ['US'], size: new Float64Array([NaN]) }, NOW)
  assert.equal(r.error[0].code, 'leadrail::data::invalid_field')
  assert.equal(r.error[0].field, 'size')
})

test('routeBatchAsync resolves to the routeBatch results and applies state', async () => {
  const leads = Array.from({ length: 500 }, (_, i) => ({ id: `L${i}`, region: ['US-TX', 'DE-BY', 'FR'][i % 3], size: i }))
  const a = net()
  const b = net()
  const promise = a.routeBatchAsync(leads, NOW)
  assert.ok(promise instanceof Promise)
  assert.deepEqual(await promise, b.routeBatch(leads, NOW))
  assert.deepEqual(a.state(), b.state())
  assert.throws(() => a.routeBatchAsync('leads', NOW))
})

test('the quickstart runs', () => {
  const ex = join(dirname(fileURLToPath(import.meta.url)), '..', 'examples')
  const src = readFileSync(join(ex, 'quickstart.mjs'), 'utf8').trimEnd().split('\n')
  assert.ok(src.length <= 11, `${src.length} lines`)
  const out = execFileSync(process.execPath, ['quickstart.mjs'], { cwd: ex, encoding: 'utf8' })
  assert.equal(
    out,
    "{ kind: 'partner', id: 'P1' } [\n  { partner: 'P1', score: 8, position: 1 },\n  { partner: 'P2', score: 1, position: 2 }\n]\n" +
      "{ kind: 'partner', id: 'P2' }\nrecord `L3`: missing required field `region`\n",
  )
})

test('the W1 bench script runs (tiny); its generator matches the Python port', () => {
  const script = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'benches', 'node_w1.mjs')
  const out = execFileSync(process.execPath, [script, '--partners', '20', '--leads', '300', '--runs', '1'], { encoding: 'utf8' })
  assert.ok(out.includes('routed to a partner: 13 of 300 (objects, async and columns agree lead by lead)'), out)
})
