// Hostile host values (issue 10): values that contain themselves, values nested 100,000 deep
// and sparse arrays claiming 2 ** 32 - 1 items. Each is a clean Error with a `code` naming the
// record and the field, never a crash of the process nor a walk over four billion holes, and a
// batch that meets one changes no state. Every batch method is checked through the wrapper
// (index.js) and through the addon's own conversions.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const { Engine, distancesKm, distancesKmAsync, haversineKm } = require('../index.js')

const RULES = `ruleset "t" version 1
schema lead    { region: region, size: int, location: geopoint?, tags: set<text>? }
schema partner { territories: set<region>, capacity: int, certifications: map<text, date>? }
calendar "us" { timezone "America/Chicago"  hours mon-fri 09:00-17:00 }
route "territory" {
  require partner.territories covers lead.region
  tie     round_robin
}
fallback queue "triage"
sla accept { start assigned  stop accepted  goal 8h business "us"  warn 50%  on breach remind }
`
const NOW = '2026-11-24T15:00:00Z'
const DEEP = 100_000
const engine = Engine.compile(RULES)
const partners = () => [
  { id: 'A', territories: ['US'], capacity: 3 },
  { id: 'B', territories: ['DE'], capacity: 3 },
]
const lead = (i = 0, fields = {}) => ({ id: `L${i}`, region: 'US', size: 1, ...fields })

const selfArray = () => {
  const x = []
  x.push(x)
  return x
}
const selfObject = () => {
  const x = {}
  x.x = x
  return x
}
const deepArray = () => {
  let x = []
  for (let i = 0; i < DEEP; i++) x = [x]
  return x
}
const deepObject = () => {
  let x = {}
  for (let i = 0; i < DEEP; i++) x = { x }
  return x
}
/** An array of `items` whose `length` claims 2 ** 32 - 1 (holes after the items). */
const sparse = (...items) => {
  const a = [...items]
  a.length = 2 ** 32 - 1
  return a
}

// values that cannot be read as a field's value
const NESTED = { selfArray, selfObject, deepArray, deepObject, sparse: () => sparse('US') }

const SPARSE = 'leadrail::data::invalid_record'
const INVALID = 'leadrail::data::invalid_field'

/** Asserts `fn` throws (or rejects with) an Error with these properties. */
async function rejects(fn, want) {
  let thrown
  try {
    await fn()
  } catch (e) {
    thrown = e
  }
  assert.ok(thrown instanceof Error, `expected an error, got ${thrown}`)
  for (const [k, v] of Object.entries(want)) assert.equal(thrown[k], v, `${k}: ${thrown.message}`)
  return thrown
}

// ---- partners (Engine.network) ----------------------------------------------------------------

for (const [name, make] of Object.entries(NESTED)) {
  test(`network: a partner field ${name}`, async () => {
    const e = await rejects(() => engine.network([...partners(), { id: 'X', territories: make(), capacity: 1 }]), {
      code: INVALID,
      record: 'X',
      field: 'territories',
    })
    assert.match(e.message, name === 'sparse' ? /sparse array/ : /nested more than 64 levels/)
    await rejects(() => engine.network([{ id: 'X', territories: ['US'], capacity: 1, certifications: { crm: make() } }]), {
      code: INVALID,
      record: 'X',
      field: 'certifications',
    })
  })
}

test('network: a sparse partner list', async () => {
  await rejects(() => engine.network(sparse(...partners())), { code: SPARSE, record: '#3' })
  const e = await rejects(() => engine.network(sparse()), { code: SPARSE, record: '#1' })
  assert.match(e.message, /`partners\[0\]` is a hole/)
})

test('network: a partner list that contains itself', async () => {
  const ps = partners()
  ps.push(ps)
  await rejects(() => engine.network(ps), { record: '#3' })
})

// ---- one lead (network.route) -----------------------------------------------------------------

for (const [name, make] of Object.entries(NESTED)) {
  test(`route: a lead field ${name}`, async () => {
    const net = engine.network(partners())
    await rejects(() => net.route(lead(0, { region: make() }), NOW), { code: INVALID, record: 'L0', field: 'region' })
    await rejects(() => net.route(lead(0, { tags: make() }), NOW), { code: INVALID, record: 'L0', field: 'tags' })
    await rejects(() => net.route(make(), NOW), { record: '#1' })
  })
}

test('route: exclude', async () => {
  const net = engine.network(partners())
  await rejects(() => net.route(lead(), NOW, { exclude: sparse('A') }), { code: SPARSE, record: 'exclude[1]' })
  await rejects(() => net.route(lead(), NOW, { exclude: selfArray() }), {
    code: 'leadrail::request::invalid',
    record: 'exclude[0]',
  })
  await rejects(() => net.route(lead(), NOW, { exclude: 'A' }), { code: 'leadrail::request::invalid', record: 'exclude' })
  assert.equal(net.route(lead(), NOW, { exclude: ['A'] }).outcome.kind, 'queue')
})

// ---- batches ----------------------------------------------------------------------------------

/** The batch entry points, through the wrapper and through the addon. */
const BATCHES = {
  routeBatch: (net, leads, now, o) => net.routeBatch(leads, now, o),
  routeBatchAddon: (net, leads, now, o) => net._routeBatchAddon(leads, now, o),
  routeBatchColumns: (net, leads, now, o) => net.routeBatch(leads, now, { ...o, asColumns: true }),
  routeBatchAsync: (net, leads, now, o) => net.routeBatchAsync(leads, now, o),
  routeBatchAsyncAddon: (net, leads, now, o) => net._routeBatchAsyncAddon(leads, now, o),
}

/** The errors of a batch's results, `{ code, record, field }` each. */
const errorsOf = (got) =>
  (Array.isArray(got) ? got.map((r) => r.error) : got.error).filter(Boolean).map(({ code, record, field }) => ({ code, record, field }))

for (const [entry, call] of Object.entries(BATCHES)) {
  for (const [name, make] of Object.entries(NESTED)) {
    test(`${entry}: a lead field ${name}`, async () => {
      const net = engine.network(partners())
      const before = net.state()
      const got = await call(net, [lead(1, { region: make() }), lead(2, { tags: make() })], NOW)
      assert.deepEqual(errorsOf(got), [
        { code: INVALID, record: 'L1', field: 'region' },
        { code: INVALID, record: 'L2', field: 'tags' },
      ])
      assert.deepEqual(net.state(), before)
    })
  }

  test(`${entry}: sparse leads, instants and exclude`, async () => {
    const net = engine.network(partners())
    const before = net.state()
    const e = await rejects(() => call(net, sparse(lead(0), lead(1)), NOW), { code: SPARSE, record: '#3' })
    assert.match(e.message, /`leads\[2\]` is a hole/)
    await rejects(() => call(net, sparse(), NOW), { code: SPARSE, record: '#1' })
    await rejects(() => call(net, [lead(0), lead(1)], sparse(NOW)), { code: SPARSE, record: 'now[1]' })
    await rejects(() => call(net, [lead(0)], NOW, { exclude: sparse() }), { code: SPARSE, record: 'exclude[0]' })
    assert.deepEqual(net.state(), before)
  })

  test(`${entry}: leads that contain themselves`, async () => {
    const net = engine.network(partners())
    const before = net.state()
    const leads = [lead(0)]
    leads.push(leads)
    const got = await call(net, leads, NOW)
    assert.equal(errorsOf(got)[0].record, '#2')
    net.loadState(before)
  })
}

test('routeBatch in chunks: a hole after the first chunk leaves the state as it was', async () => {
  const net = engine.network(partners())
  const before = net.state()
  const n = net._chunkMinLeads + 20_000
  const leads = Array.from({ length: n }, (_, i) => lead(i))
  delete leads[n - 5]
  await rejects(() => net.routeBatch(leads, NOW), { code: SPARSE, record: `#${n - 4}` })
  assert.deepEqual(net.state(), before)
})

const COLUMNS = {
  routeColumns: (net, cols, now) => net.routeColumns(cols, now),
  routeColumnsAddon: (net, cols, now) => net._routeColumnsAddon(cols, now),
}

for (const [entry, call] of Object.entries(COLUMNS)) {
  for (const [name, make] of Object.entries(NESTED)) {
    test(`${entry}: a value ${name}`, async () => {
      const net = engine.network(partners())
      const before = net.state()
      await rejects(() => call(net, { id: ['L1', 'L2'], region: ['US', make()], size: [1, 1] }, NOW), {
        code: INVALID,
        record: '#2',
        field: 'region',
      })
      assert.deepEqual(net.state(), before)
    })
  }

  test(`${entry}: sparse columns and instants`, async () => {
    const net = engine.network(partners())
    const before = net.state()
    for (const [col, at] of [
      ['id', 1],
      ['region', 2],
      ['size', 2],
    ]) {
      const cols = { id: ['L1', 'L2'], region: ['US', 'US'], size: [1, 1] }
      cols[col] = sparse(...cols[col].slice(0, at))
      await rejects(() => call(net, cols, NOW), { code: SPARSE, record: `#${at + 1}`, field: col })
    }
    await rejects(() => call(net, { id: ['L1', 'L2'], region: ['US', 'US'], size: [1, 1] }, sparse(NOW)), {
      code: SPARSE,
      record: 'now[1]',
    })
    assert.deepEqual(net.state(), before)
  })
}

// ---- state ------------------------------------------------------------------------------------

for (const [name, make] of Object.entries(NESTED)) {
  test(`loadState: ${name}`, async () => {
    const net = engine.network(partners())
    const before = net.state()
    await rejects(() => net.loadState({ seq: 0, partners: make() }), { code: INVALID, record: 'state', field: 'partners' })
    await rejects(() => net.loadState({ ...before, extra: make() }), { code: INVALID, record: 'state', field: 'extra' })
    assert.deepEqual(net.state(), before)
  })
}

// ---- SLA evaluation ---------------------------------------------------------------------------

const ASSIGNED = { at: NOW, event: 'assigned', partner: 'A' }

for (const [name, make] of Object.entries(NESTED)) {
  test(`evaluateSla: ${name} events, timelines and options`, async () => {
    const want = { code: INVALID, record: 'L1', field: 'events' }
    await rejects(() => engine.evaluateSla({ lead: 'L1', events: make() }, NOW), want)
    await rejects(() => engine.evaluateSla({ lead: 'L1', events: [{ ...ASSIGNED, data: make() }] }, NOW), want)
    await rejects(() => engine.nextDeadline({ lead: 'L1', events: make() }, NOW), want)
    const two = [{ lead: 'L0', events: [ASSIGNED] }, { lead: 'L1', events: make() }]
    await rejects(() => engine.evaluateSla(two, NOW), want)
    await rejects(() => engine.evaluateSlaAsync(two, NOW), want)
    const tl = { lead: 'L1', events: [ASSIGNED] }
    const cal = { code: INVALID, record: 'options', field: 'partnerCalendars' }
    await rejects(() => engine.evaluateSla(tl, NOW, { partnerCalendars: { A: make() } }), cal)
    await rejects(() => engine.nextDeadline(tl, NOW, { partnerCalendars: { A: make() } }), cal)
    await rejects(() => engine.evaluateSla(tl, NOW, { done: make() }), { code: INVALID, record: 'options', field: 'done' })
  })
}

test('evaluateSla: sparse timelines', async () => {
  const tl = { lead: 'L1', events: [ASSIGNED] }
  await rejects(() => engine.evaluateSla(sparse(tl), NOW), { code: SPARSE, record: 'timelines[1]' })
  await rejects(() => engine.evaluateSlaAsync(sparse(tl), NOW), { code: SPARSE, record: 'timelines[1]' })
  const self = [tl]
  self.push(self)
  await rejects(() => engine.evaluateSla(self, NOW), { code: INVALID, record: 'timelines[1]' })
})

// ---- points -----------------------------------------------------------------------------------

test('distancesKm: sparse points, and a Set is not a point', async () => {
  const a = [41.9, -87.6]
  const e = await rejects(() => distancesKm(a, sparse(a, a)), { code: SPARSE, record: 'points[2]' })
  assert.match(e.message, /`points\[2\]` is a hole/)
  await rejects(() => distancesKm(a, [a, selfArray()]), { record: 'points[1]' })
  await rejects(() => distancesKmAsync(a, sparse(a)), { code: SPARSE, record: 'points[1]' })
  await rejects(() => haversineKm(a, new Set(a)), { record: 'b' })
  assert.deepEqual(distancesKm(a, [a, a]), [0, 0])
})

