// `routeBatch(leads, now, { asColumns: true })` (and the async variant): the same decisions and
// errors as the objects, as the columns of `routeColumns`, with the same state afterwards;
// `explain` is refused.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'

import { RULES, NOW_MS, REGIONS, LEAD_REGIONS, LINES } from './scenario.mjs'

const require = createRequire(import.meta.url)
const { Engine } = require('../index.js')

const engine = Engine.compile(RULES)
const partners = () =>
  Array.from({ length: 30 }, (_, i) => ({
    id: `P${String(i).padStart(2, '0')}`,
    territories: [REGIONS[i % REGIONS.length], REGIONS[(i * 3 + 1) % REGIONS.length]],
    lines: [LINES[i % LINES.length]],
    capacity: 3 + (i % 5),
    active_leads: i % 2,
    score: ((i * 7919) % 1000) / 1000,
  }))
const leads = (n) => {
  const out = Array.from({ length: n }, (_, i) => ({
    id: `L${i}`,
    region: LEAD_REGIONS[(i * 5) % LEAD_REGIONS.length],
    line: LINES[(i * 7) % LINES.length],
    size: i,
  }))
  out[3] = { ...out[3], size: 'big' }
  out[n - 1] = { ...out[n - 1], id: undefined }
  return out
}

/** Object results as the columns form, lead by lead. */
function columnsOf(results) {
  const out = { kind: [], target: [], rule: [], error: [] }
  for (const r of results) {
    if (r.error) {
      out.kind.push(null)
      out.target.push(null)
      out.rule.push(null)
      out.error.push(r.error)
      continue
    }
    const o = r.ok.outcome
    out.kind.push(o.kind)
    out.target.push(o.id ?? o.name ?? null)
    out.rule.push(r.ok.rule)
    out.error.push(null)
  }
  return out
}

const times = (n) => Array.from({ length: n }, (_, i) => NOW_MS + i * 1000)

test('asColumns gives the decisions and errors of the objects, and the same state', () => {
  const n = 200
  const a = engine.network(partners())
  const b = engine.network(partners())
  const objects = a.routeBatch(leads(n), times(n))
  const cols = b.routeBatch(leads(n), times(n), { asColumns: true })
  assert.deepEqual(Object.keys(cols), ['kind', 'target', 'rule', 'error'])
  assert.deepEqual(cols, columnsOf(objects))
  assert.ok(cols.kind.includes('partner') && cols.kind.includes('queue'))
  assert.equal(cols.error.filter((e) => e !== null).length, 2)
  assert.equal(cols.error[3].field, 'size')
  assert.deepEqual(a.state(), b.state())
})

test('asColumns with routeBatchAsync agrees; a Proxy is refused as without it', async () => {
  const n = 120
  const want = columnsOf(engine.network(partners()).routeBatch(leads(n), times(n)))
  assert.deepEqual(await engine.network(partners()).routeBatchAsync(leads(n), times(n), { asColumns: true }), want)
  const net = engine.network(partners())
  const error = (f) => {
    try {
      f()
    } catch (e) {
      return [e.code, e.message]
    }
    return null
  }
  const proxy = () => new Proxy(leads(n), {})
  const plain = error(() => net.routeBatch(proxy(), NOW_MS))
  assert.ok(plain !== null)
  assert.deepEqual(error(() => net.routeBatch(proxy(), NOW_MS, { asColumns: true })), plain)
})

test('asColumns equals routeColumns on the same leads', () => {
  const good = leads(100).filter((l) => l.id !== undefined && typeof l.size === 'number')
  const columns = { id: [], region: [], line: [], size: [] }
  for (const l of good) for (const k of Object.keys(columns)) columns[k].push(l[k])
  const a = engine.network(partners()).routeBatch(good, NOW_MS, { asColumns: true, exclude: ['P01'] })
  const b = engine.network(partners()).routeColumns(columns, NOW_MS, { exclude: ['P01'] })
  assert.deepEqual(a, b)
  assert.ok(!a.target.includes('P01'))
})

test('explain with asColumns is refused before any routing', async () => {
  const net = engine.network(partners())
  const before = net.state()
  for (const call of [
    () => net.routeBatch(leads(10), NOW_MS, { explain: true, asColumns: true }),
    () => net.routeBatchAsync(leads(10), NOW_MS, { explain: true, asColumns: true }),
  ]) {
    assert.throws(call, (e) => e.code === 'leadrail::request::invalid' && /asColumns/.test(e.message))
  }
  assert.deepEqual(net.state(), before)
})
