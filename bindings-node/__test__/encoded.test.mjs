// The batch methods read leads in JavaScript (index.js) and hand Rust encoded columns. They
// must give the results, the errors and the state that the addon's own conversions (which read
// every value through napi; deleted in issue 11, see golden.mjs) gave, value by value, for
// every kind of input.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import vm from 'node:vm'
import { RULES as W1_RULES, generate } from '../../benches/node_w1.mjs'
import { form, goldenFile } from './golden.mjs'

const require = createRequire(import.meta.url)
const { Engine, LeadrailError, Network } = require('../index.js')

const RULES = `ruleset "t" version 3
schema lead    { region: region, size: int, share: ratio?, due: date?, at: datetime?, tag: text?, amount: decimal? }
schema partner { territories: set<region>, capacity: int, active_leads: int, last_assigned_at: datetime? }
route "territory" {
  require partner.territories covers lead.region
  require partner.active_leads < partner.capacity
  tie     round_robin
}
fallback queue "triage"
`
const NOW = '2026-11-24T09:00:00Z'
const NOW_MS = 1795510800000
const engine = Engine.compile(RULES)
const partners = () => [
  { id: 'A', territories: ['US'], capacity: 3, active_leads: 0 },
  { id: 'B', territories: ['US-TX'], capacity: 2, active_leads: 0 },
  { id: 'C', territories: ['DE'], capacity: 1, active_leads: 0 },
]
const net = () => engine.network(partners())
const golden = goldenFile('encoded')

/**
 * The class an error was recorded with: the recorded path threw plain `Error`s; errors with a
 * leadrail code are now `LeadrailError`s (a subclass of `Error`, errors.js), checked here.
 */
function ctor(e) {
  if (typeof e?.code === 'string' && e.code.startsWith('leadrail::')) {
    assert.ok(e instanceof LeadrailError, `${e.code} thrown as ${e.constructor.name}`)
    return 'Error'
  }
  return e?.constructor?.name
}

/** What `fn` returns or throws, comparable with deepEqual. */
function outcome(fn) {
  try {
    return { value: fn() }
  } catch (e) {
    const { message, code, help, line, column, file, record, field, diagnostics } = e
    return { thrown: { ctor: ctor(e), message, code, help, line, column, file, record, field, diagnostics } }
  }
}

async function outcomeAsync(fn) {
  try {
    return { value: await fn() }
  } catch (e) {
    const { message, code, help, record, field, diagnostics } = e
    return { thrown: { message, code, help, record, field, diagnostics } }
  }
}

/** routeBatch through the JS path and through the addon agree, results and state. */
function sameBatch(leads, now = NOW, options = undefined) {
  const a = net()
  const b = net()
  const got = outcome(() => a.routeBatch(leads, now, options))
  const want = golden.want(() => outcome(() => b._routeBatchAddon(leads, now, options)))
  assert.deepEqual(form(got), want)
  assert.deepEqual(form(a.state()), golden.want(() => b.state()))
  return got
}

const base = (i) => ({ id: `L${i}`, region: ['US-TX', 'DE', 'US', 'FR'][i % 4], size: i + 1 })

const BAD_VALUES = [
  ['a string for an int', { size: '12' }],
  ['a numeric string for a decimal', { amount: '12.50' }],
  ['null', { size: null }],
  ['undefined', { region: undefined }],
  ['NaN', { size: NaN }],
  ['Infinity', { size: Infinity }],
  ['-Infinity', { amount: -Infinity }],
  ['-0', { size: -0 }],
  ['a float for an int', { size: 2.5 }],
  ['2^53', { size: 2 ** 53 }],
  ['2^53 + 2', { size: 2 ** 53 + 2 }],
  ['1e300', { size: 1e300 }],
  ['a bigint', { size: 7n }],
  ['a bigint out of range', { size: 2n ** 64n }],
  ['a negative bigint', { size: -(2n ** 63n) }],
  ['a boolean', { size: true }],
  ['an array for a region', { region: ['US'] }],
  ['an object', { region: { code: 'US' } }],
  ['a nested symbol', { region: [Symbol('US')] }],
  ['a symbol', { tag: Symbol('x') }],
  ['a function', { at: () => 1 }],
  ['a Date', { at: new Date(NOW_MS), due: new Date(NOW_MS) }],
  ['an invalid Date', { at: new Date('x') }],
  ['a date string', { due: '2026-02-30' }],
  ['a ratio out of range', { share: 1.5 }],
  ['a blank region', { region: '  ' }],
  ['an empty text', { tag: '' }],
  ['a lone surrogate', { tag: 'a\ud800b' }],
  ['non-ASCII text', { tag: 'Zürich — 東京 🚀' }],
  ['an unknown region', { region: 'XX-NOPE' }],
  ['an extra field', { nope: 1 }],
  ['a Map', { tag: new Map([['a', 1]]) }],
  ['an id number', { id: 42 }],
  ['an id float', { id: 1.5 }],
  ['an id NaN', { id: NaN }],
  ['an id bigint', { id: 12n }],
  ['an id boolean', { id: false }],
  ['an id null', { id: null }],
  ['a blank id', { id: ' ' }],
  ['an id symbol', { id: Symbol('L') }],
  ['an id object', { id: { a: 1 } }],
  ['an id with a surrogate', { id: 'L\udc00' }],
]

for (const [name, patch] of BAD_VALUES) {
  test(`routeBatch: ${name} gives the addon's result, alone and amid good leads`, () => {
    sameBatch([{ ...base(0), ...patch }])
    const leads = Array.from({ length: 9 }, (_, i) => base(i))
    Object.assign(leads[4], patch)
    const got = sameBatch(leads)
    assert.equal(got.value.length, 9)
  })
}

test('routeBatch: several bad values in one lead report the first in schema order, as the addon', () => {
  sameBatch([{ id: Symbol('x'), region: Symbol('r'), size: 'x' }])
  sameBatch([{ id: 'L', region: 'US', size: Symbol('s'), share: NaN, tag: Symbol('t') }])
  sameBatch([{ id: 'L', region: 'nope', size: Symbol('s') }])
  sameBatch([{ id: 'L', region: Symbol('r'), size: 'nope' }])
  sameBatch([{ id: 7n, size: NaN }])
})

test('routeBatch: leads that are not plain objects', () => {
  class Lead {
    constructor(i) {
      Object.assign(this, base(i))
    }
  }
  const foreign = vm.runInNewContext('({ id: "F", region: "US", size: 1 })')
  const foreignDate = vm.runInNewContext('new Date(0)')
  const proxied = new Proxy(base(1), {})
  const bare = Object.assign(Object.create(null), base(2))
  for (const odd of [null, undefined, 5, 'lead', true, 7n, Symbol('l'), ['L1', 'US'], new Date(NOW_MS), foreignDate, () => 1, new Map(), new Lead(3), foreign, proxied, bare, new Proxy([1], {})]) {
    sameBatch([base(0), odd, base(2)])
  }
  // holes, and an array with extra properties
  // eslint-disable-next-line no-sparse-arrays
  sameBatch([base(0), , base(2)])
  const withExtra = [base(0), base(1)]
  withExtra.extra = 1
  sameBatch(withExtra)
  sameBatch([])
})

test('routeBatch: getters run once per property, in the order the addon reads them', () => {
  const read = (log) => {
    const lead = {}
    for (const k of ['tag', 'size', 'id', 'region']) {
      Object.defineProperty(lead, k, {
        enumerable: true,
        get() {
          log.push(k)
          return k === 'size' ? 1 : k === 'region' ? 'US' : k === 'id' ? 'G' : undefined
        },
      })
    }
    return lead
  }
  const a = []
  const b = []
  assert.deepEqual(form(net().routeBatch([read(a)], NOW)), golden.want(() => net()._routeBatchAddon([read(b)], NOW)))
  assert.deepEqual(form(a), golden.want(() => b))
  assert.deepEqual(a, ['id', 'region', 'size', 'tag'])
})

test('strings that are special property names are dictionary entries like any other', () => {
  const special = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', '0', '01', '-0', '1e3', '4294967295', 'length', '', ' ']
  const leads = special.map((tag, i) => ({ ...base(i), tag, region: i % 2 ? 'US' : tag }))
  const got = sameBatch([...leads, ...leads.map((l) => ({ ...l, id: `${l.id}b` }))])
  assert.equal(got.value.length, 2 * special.length)
  sameColumns({ id: special.map((_, i) => `c${i}`), region: special, size: special.map((_, i) => i), tag: special })
})

test('routeBatch: columns of mixed kinds (numbers and strings, ints and floats)', () => {
  const leads = Array.from({ length: 12 }, (_, i) => base(i))
  leads[1].size = 2.5
  leads[2].amount = 3
  leads[3].amount = 3.25
  leads[4].amount = '4.5'
  leads[5].tag = 5
  leads[6].tag = 'six'
  leads[7].region = 8
  leads[8].due = '2026-12-01'
  leads[9].due = NOW_MS
  leads[10].at = NOW
  leads[11].at = NOW_MS
  sameBatch(leads)
  sameBatch(leads.map((l) => ({ ...l, size: 1.5 })))
  sameBatch(leads.map((l, i) => ({ ...l, amount: i / 4 })))
})

test('routeBatch: now as one instant, one per lead, and bad', () => {
  const leads = Array.from({ length: 6 }, (_, i) => base(i))
  const each = leads.map((_, i) => NOW_MS + i * 1000)
  for (const now of [
    NOW,
    NOW_MS,
    new Date(NOW_MS),
    each,
    each.map((t) => new Date(t)),
    each.map((t, i) => (i % 2 ? new Date(t).toISOString() : t)),
    [...each.slice(0, 5), 1.5],
    [...each.slice(0, 5), NaN],
    [...each.slice(0, 5), 2 ** 53],
    [...each.slice(0, 5), 2 ** 53 + 2],
    [...each.slice(0, 5), -0],
    each.slice(1),
    Float64Array.from(each),
    new Proxy(each, {}),
    'yesterday',
    null,
    undefined,
    {},
  ]) {
    sameBatch(leads, now)
  }
  // the instants of bad leads are skipped
  const withBad = leads.map((l, i) => (i === 2 ? { ...l, size: 'x' } : l))
  sameBatch(withBad, each)
  sameBatch([{ ...base(0), id: null }, base(1)], [NOW_MS, NOW_MS + 1])
})

test('routeBatch: bad arguments throw as the addon does', () => {
  for (const leads of ['leads', 42, null, undefined, { 0: base(0), length: 1 }, new Proxy([base(0)], {}), new Set([base(0)])]) {
    const got = sameBatch(leads)
    assert.ok('thrown' in got)
  }
  sameBatch([base(0)], NOW, { exclude: 'A' })
  sameBatch([base(0)], NOW, 5)
})

test('routeBatch: options exclude and explain', () => {
  const leads = Array.from({ length: 8 }, (_, i) => base(i))
  sameBatch(leads, NOW, { exclude: ['B'] })
  const got = sameBatch(leads, NOW, { explain: true })
  assert.ok(got.value.every((r) => 'explanation' in r.ok))
  sameBatch([...leads, { id: 'bad' }], NOW, { explain: true, exclude: ['A'] })
})

test('routeBatch: a bad lead changes no state', () => {
  const n = net()
  const m = net()
  const r = n.routeBatch([base(0), { ...base(1), size: NaN }, { ...base(2), region: Symbol('x') }, base(3)], NOW)
  assert.ok('ok' in r[0] && 'error' in r[1] && 'error' in r[2] && 'ok' in r[3])
  m.routeBatch([base(0), base(3)], NOW)
  assert.deepEqual(n.state(), m.state())
})

test('routeBatch: result objects have the addon\'s keys, in its order', () => {
  const [r] = net().routeBatch([base(0)], NOW)
  assert.deepEqual(Object.keys(r), ['ok'])
  assert.deepEqual(Object.keys(r.ok), ['outcome', 'rule', 'state_read'])
  assert.deepEqual(Object.keys(r.ok.outcome), ['kind', 'id'])
  assert.deepEqual(Object.keys(r.ok.state_read), ['partner', 'version', 'active_leads', 'last_assigned_at'])
  assert.equal(JSON.stringify(r), golden.want(() => net()._routeBatchAddon([base(0)], NOW)[0]))
})

test('routeBatchAsync: the JS path resolves to the addon\'s results, and throws bad arguments at once', async () => {
  const leads = Array.from({ length: 40 }, (_, i) => base(i))
  leads[3].size = NaN
  leads[7].region = Symbol('r')
  leads[9] = null
  const each = leads.map((_, i) => NOW_MS + i)
  for (const now of [NOW, each, each.map((t) => new Date(t))]) {
    const a = net()
    const b = net()
    const c = net()
    const got = await outcomeAsync(() => a.routeBatchAsync(leads, now))
    assert.deepEqual(form(got), await golden.wantAsync(() => outcomeAsync(() => b._routeBatchAsyncAddon(leads, now))))
    assert.deepEqual(got.value, c.routeBatch(leads, now))
    assert.deepEqual(form(a.state()), golden.want(() => b.state()))
  }
  for (const [leads, now] of [['leads', NOW], [[base(0)], 'yesterday'], [[base(0)], [NOW, NOW]]]) {
    const n = net()
    if (typeof leads === 'string' || now === 'yesterday') {
      assert.throws(() => n.routeBatchAsync(leads, now))
    } else {
      await assert.rejects(() => n.routeBatchAsync(leads, now), { message: '1 leads but 2 instants' })
    }
  }
})

test('routeBatchAsync routes off the JavaScript thread', async () => {
  // as in plumbing.test.mjs: a synchronous implementation would settle before the check phase
  const leads = Array.from({ length: 50000 }, (_, i) => base(i))
  const order = []
  const pending = net()
    .routeBatchAsync(leads, NOW)
    .then((r) => {
      order.push('settled')
      return r
    })
  setImmediate(() => order.push('immediate'))
  const result = await pending
  assert.deepEqual(order, ['immediate', 'settled'])
  assert.deepEqual(result, net().routeBatch(leads, NOW))
})

/** routeColumns through the JS path and through the addon agree, results and state. */
function sameColumns(columns, now = NOW, options = undefined) {
  const a = net()
  const b = net()
  const got = outcome(() => a.routeColumns(columns, now, options))
  const want = golden.want(() => outcome(() => b._routeColumnsAddon(columns, now, options)))
  assert.deepEqual(form(got), want)
  assert.deepEqual(form(a.state()), golden.want(() => b.state()))
  return got
}

test('routeColumns: arrays, typed arrays and mixed columns give the addon\'s results', () => {
  const ids = ['a', 'b', 'c', 'd', 'e']
  const region = ['US-TX', 'DE', null, 'US', undefined]
  for (const size of [
    [1, 2, 3, 4, 5],
    [1, 2.5, 3, 4, 5],
    [1.5, 2.5, 3.5, 4.5, 5.5],
    [1, NaN, 3, 4, 5],
    [1, Infinity, 3, 4, 5],
    [1, '2', 3, 4, 5],
    ['1', 2, 3, 4, 5],
    [null, 2, undefined, 4, 5],
    [1, 2n, 3, 4, 5],
    [1, 2 ** 53, 2 ** 60, -0, 5],
    [1, true, 3, 4, 5],
    new Float64Array([1, 2, 3, NaN, 5]),
    new Int32Array([1, 2, 3, 4, 5]),
    new Uint32Array([1, 2, 3, 4, 5]),
    new BigInt64Array([1n, 2n, 3n, 4n, 5n]),
  ]) {
    sameColumns({ id: ids, region, size })
  }
  sameColumns({ id: [1, 2, 3, 4, 5], region, size: [1, 2, 3, 4, 5] })
  sameColumns({ id: new Int32Array([1, 2, 3, 4, 5]), region, size: [1, 2, 3, 4, 5] })
  sameColumns({ id: ['a', 7, null, 'd', 1.5], region, size: [1, 2, 3, 4, 5] })
  sameColumns({ id: ids, region: ['US', 7, 'DE', ['US'], 'FR'], size: [1, 2, 3, 4, 5] })
  sameColumns({ id: ids, region: ['US', 'DE', 'a\ud800', 'Zürich', ''], size: [1, 2, 3, 4, 5], tag: ['x', 'y', 'x', 'y', 'x'] })
  sameColumns({ id: ids, region, size: [1, 2, 3, 4, 5], due: ['2026-12-01', NOW_MS, new Date(NOW_MS), null, '2026-02-30'] })
  // eslint-disable-next-line no-sparse-arrays
  sameColumns({ id: ['a', , 'c'], region: ['US', 'DE', , ], size: [1, 2, 3] })
  sameColumns({ id: ids, region, size: [1, 2, 3, 4, 5] }, ids.map((_, i) => NOW_MS + i))
  sameColumns({ id: ids, region, size: [1, 2, 3, 4, 5] }, NOW, { exclude: ['A'], explain: true })
})

test('routeColumns: Float64Array columns of int and decimal fields (read as integers when whole)', () => {
  const ids = ['a', 'b', 'c', 'd', 'e', 'f']
  const region = ['US', 'US-TX', 'DE', 'US', 'FR', 'US']
  for (const xs of [
    [1, 2, 3, 4, 5, 6],
    [1, -0, 3, 4, 5, 6],
    [1, 2 ** 53, -(2 ** 53), 4, 5, 6],
    [1, 2 ** 53 + 2, 3, 4, 5, 6],
    [1, 2.5, 3, 4, 5, 6],
    [1, NaN, 3, 4, 5, 6],
    [1, Infinity, 3, 4, 5, 6],
    [1e20, 2, 3, 4, 5, 6],
  ]) {
    sameColumns({ id: ids, region, size: new Float64Array(xs) })
    sameColumns({ id: ids, region, size: [1, 2, 3, 4, 5, 6], amount: new Float64Array(xs) })
    sameColumns({ id: ids, region, size: [1, 2, 3, 4, 5, 6], share: new Float64Array(xs) })
  }
})

test('routeColumns: bad columns throw as the addon does', () => {
  for (const columns of [
    { region: ['US'], size: [1] },
    { id: ['a', 'b'], region: ['US'], size: [1, 2] },
    { id: 'ab', region: ['US', 'US'] },
    { id: ['a'], region: null },
    { id: ['a'], region: { 0: 'US', length: 1 } },
    { id: ['a'], region: new Proxy(['US'], {}) },
    { id: ['a'], region: ['US'], size: new Float32Array([1]) },
    { id: ['a'], region: ['US'], size: [Symbol('s')] },
    { id: ['a', 'b'], region: ['US', 'US'], size: [1, NaN, 'x'].slice(1) },
    { id: [Symbol('a')], region: ['US'], size: [1] },
    [['a']],
    null,
    'columns',
  ]) {
    const got = sameColumns(columns)
    assert.ok("thrown" in got, String(Object.keys(columns ?? {})))
  }
  // a Proxy of the columns object is read through (the addon reads it too)
  sameColumns(new Proxy({ id: ['a'], region: ['US'], size: [1] }, {}))
  sameColumns({ id: ['a'], region: ['US'], size: [1] }, 'yesterday')
  sameColumns({ id: ['a'], region: ['US'], size: [1] }, [NOW, NOW])
})

test('W1-like data: routeBatch, routeBatchAsync and routeColumns agree lead by lead, with the addon too', async () => {
  const engine = Engine.compile(W1_RULES, 'w1.rail')
  const { partners, leads } = generate(7, 200, 3000)
  const times = leads.map((_, i) => 1_767_603_600_000 + i * 1000)
  const columns = {
    id: leads.map((l) => l.id),
    region: leads.map((l) => l.region),
    product_line: leads.map((l) => l.product_line),
    deal_size: Float64Array.from(leads, (l) => l.deal_size),
  }
  const nets = Array.from({ length: 5 }, () => engine.network(partners))
  const batch = nets[0].routeBatch(leads, times)
  const viaAsync = await nets[1].routeBatchAsync(leads, times)
  const cols = nets[2].routeColumns(columns, times)
  assert.deepEqual(form(batch), golden.want(() => nets[3]._routeBatchAddon(leads, times)))
  assert.deepEqual(form(cols), golden.want(() => nets[4]._routeColumnsAddon(columns, times)))
  assert.deepEqual(viaAsync, batch)
  assert.deepEqual(
    cols.target,
    batch.map((r) => r.ok.outcome.id ?? null),
  )
  assert.deepEqual(cols.rule, batch.map((r) => r.ok.rule))
  const routed = batch.filter((r) => r.ok.outcome.kind === 'partner').length
  assert.ok(routed > 0 && routed < leads.length, `${routed} routed`)
  for (const n of nets.slice(1, 3)) assert.deepEqual(n.state(), nets[0].state())
  for (const n of nets.slice(3)) assert.deepEqual(form(nets[0].state()), golden.want(() => n.state()))
})

test('called on something that is not a network, the methods throw the addon\'s error', () => {
  for (const m of ['routeBatch', 'routeColumns']) {
    const leads = m === 'routeBatch' ? [base(0)] : { id: ['a'], region: ['US'], size: [1] }
    const got = outcome(() => Network.prototype[m].call({}, leads, NOW))
    const want = golden.want(() => outcome(() => Network.prototype[`_${m}Addon`].call({}, leads, NOW)))
    assert.ok('thrown' in got)
    assert.deepEqual(form(got), want)
  }
  assert.throws(() => Network.prototype.routeBatchAsync.call({}, [base(0)], NOW))
})

test('one conversion path: the public batch methods, and no second reader of the leads', () => {
  for (const m of ['routeBatch', 'routeBatchAsync', 'routeColumns']) {
    assert.equal(typeof Network.prototype[m], 'function')
    assert.equal(Network.prototype[`_${m}Addon`], undefined)
  }
})

// String ids become the records' ids as they are (core's `Column::Text`), read as UTF-8 when
// the whole id column is ASCII and as UTF-16 otherwise; the errors of bad values are named by
// those ids.
const ID_FORMS = [
  ['ASCII ids', ['L1', 'L2', 'L3', 'L4', 'L5']],
  ['non-ASCII ids', ['Zürich-1', '東京-2', '🚀3', 'L4', 'Ünïcödé']],
  ['lone surrogates', ['L\ud8001', 'L2', '\udc00', 'L4', 'L5']],
  ['blank, empty and missing ids', ['L1', ' ', '', null, undefined]],
  ['duplicate ids', ['L', 'L', 'Ž', 'Ž', 'L']],
  ['long ids', ['x'.repeat(10_000), 'é'.repeat(5_000), 'L3', 'L4', 'L5']],
]

for (const [name, ids] of ID_FORMS) {
  test(`routeBatch, routeBatchAsync, routeColumns: ${name} as the addon reads them`, async () => {
    const leads = ids.map((id, i) => ({ ...base(i), id }))
    const got = sameBatch(leads)
    assert.equal(got.value.length, ids.length)
    // bad values named by their lead's id
    const bad = leads.map((l, i) => (i % 2 ? { ...l, size: Symbol('s') } : { ...l, region: 'XX-NOPE' }))
    sameBatch(bad)
    const a = net()
    const b = net()
    assert.deepEqual(
      form(await outcomeAsync(() => a.routeBatchAsync(bad, NOW))),
      await golden.wantAsync(() => outcomeAsync(() => b._routeBatchAsyncAddon(bad, NOW))),
    )
    assert.deepEqual(form(a.state()), golden.want(() => b.state()))
    const region = leads.map((l) => l.region)
    const size = leads.map((l) => l.size)
    sameColumns({ id: ids, region, size })
    sameColumns({ id: ids, region: region.map((r, i) => (i === 1 ? 'XX-NOPE' : r)), size })
  })
}

test('routeBatch: the records keep their ids exactly (errors echo them)', () => {
  const ids = ['Zürich-1', 'L\ud800', '🚀']
  const got = net().routeBatch(
    ids.map((id) => ({ id, region: 'XX-NOPE', size: 1 })),
    NOW,
  )
  // a lone surrogate becomes U+FFFD, as napi's UTF-8 reading gives it
  assert.deepEqual(
    got.map((r) => r.error.record),
    ['Zürich-1', 'L\ufffd', '🚀'],
  )
})
