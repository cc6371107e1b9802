// Big `routeBatch` calls are routed in chunks (`_routeChunked`: a second thread routes chunk k
// while the JavaScript thread encodes chunk k + 1 and builds the results of chunk k - 1). The
// results, errors and state must be those of routing the batch in one piece; a batch that throws
// leaves the state as it was; code the batch runs (a getter) cannot use the network meanwhile.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'

import { RULES, NOW_MS, REGIONS, LEAD_REGIONS, LINES } from './scenario.mjs'
import { form, goldenFile } from './golden.mjs'

const require = createRequire(import.meta.url)
const { Engine } = require('../index.js')

const engine = Engine.compile(RULES)
const golden = goldenFile('chunked')
const PARTNERS = Array.from({ length: 40 }, (_, i) => ({
  id: `P${String(i).padStart(2, '0')}`,
  territories: [REGIONS[i % REGIONS.length], REGIONS[(i * 3 + 1) % REGIONS.length]],
  lines: [LINES[i % LINES.length], LINES[(i + 1) % LINES.length]],
  // some partners fill up during a batch, the others keep changing their rank
  capacity: i % 4 === 0 ? 500 + i * 50 : 20_000 + i * 100,
  active_leads: i % 3,
  score: ((i * 7919) % 1000) / 1000,
}))

/** The chunks `[a, b]` of a batch of `n` leads: 8,192, up to 6 of equal length, 8,192. */
const chunksOf = (n) => {
  const edge = 8_192
  if (n <= 2 * edge) return n === 0 ? [] : [[0, n]]
  const middle = n - 2 * edge
  const parts = Math.min(Math.max(Math.floor(middle / 8_192), 1), 6)
  const len = Math.ceil(middle / parts)
  const out = [[0, edge]]
  for (let a = edge; a < n - edge; a += len) out.push([a, Math.min(a + len, n - edge)])
  out.push([n - edge, n])
  return out
}

const N = 100_000
// the first lead of each chunk of a batch of N leads
const S = chunksOf(N).map(([a]) => a)

/** Good leads. */
const goodLeads = (n) =>
  Array.from({ length: n }, (_, i) => ({
    id: `L${i}`,
    region: LEAD_REGIONS[(i * 5 + (i >> 7)) % LEAD_REGIONS.length],
    line: LINES[(i * 7 + (i >> 5)) % LINES.length],
    size: i % 1000,
  }))

/** The bad leads of `badLeads`, by index: at and around the chunk boundaries, and elsewhere. */
const BAD = {
  0: { region: 'US', line: 'a', size: 1 }, // no id: record #1
  [S[1] - 1]: { id: 'Lbig', region: 'US', line: 'a', size: 'big' },
  [S[1]]: null,
  [S[1] + 1]: 5,
  [S[2] - 1]: { region: 'DE', line: 'b', size: 2 },
  [S[2]]: { id: true, region: 'DE', line: 'b', size: 2 },
  40_000: { region: 'FR', line: 'c', size: 3 }, // no id: record #40001
  [S[3] - 1]: { id: Symbol('id'), region: 'FR', line: 'c', size: 3 },
  [S[3]]: { id: 'Lhalf', region: 'JP', line: 'a', size: 1.5 },
  [S[4]]: { id: 'Lsym', region: 'JP', line: Symbol('line'), size: 4 },
  [S[5]]: 'lead',
  [S[7] - 1]: { id: 'Lnull', region: null, line: 'a', size: 1 },
  [S[7] + 1]: { region: 'US', line: 'a', size: 1 }, // in the last chunk: no id
  [N - 1]: { region: 'US', line: 'a' },
}
const badLeads = () => {
  const leads = goodLeads(N)
  for (const [i, lead] of Object.entries(BAD)) leads[Number(i)] = lead
  return leads
}

const times = (n) => Array.from({ length: n }, (_, i) => NOW_MS + i * 1000)

/** A network whose `routeBatch` takes the one-piece path whatever the batch's length. */
function onePiece() {
  const net = engine.network(PARTNERS)
  Object.defineProperty(net, '_chunkMinLeads', { value: Infinity })
  return net
}

/** A network recording the chunks its `routeBatch` encodes and whether it routed in chunks. */
function chunked() {
  const net = engine.network(PARTNERS)
  const seen = { chunks: [], routed: [] }
  const inner = Object.getPrototypeOf(net)._routeChunked
  net._routeChunked = function (n, encode, emit, ...rest) {
    const r = inner.call(
      this,
      n,
      (a, b) => {
        seen.chunks.push([a, b])
        return encode(a, b)
      },
      emit,
      ...rest,
    )
    seen.routed.push(r)
    return r
  }
  return { net, seen }
}

/** Routes `leads` in chunks and in one piece; asserts equal results and states. */
function same(leads, now, options) {
  const { net, seen } = chunked()
  const got = net.routeBatch(leads, now, options)
  assert.deepEqual(seen.routed, [true], 'routed in chunks')
  assert.deepEqual(seen.chunks, chunksOf(leads.length))
  const ref = onePiece()
  const want = ref.routeBatch(leads, now, options)
  assert.deepEqual(got, want)
  assert.deepEqual(net.state(), ref.state())
  return { got, net }
}

test('a big batch: chunked results, errors and state are those of one piece and of the addon', () => {
  const leads = badLeads()
  const { got, net } = same(leads, NOW_MS)
  const errors = got.flatMap((r, i) => (r.error ? [i] : []))
  assert.deepEqual(
    errors,
    Object.keys(BAD)
      .map(Number)
      .sort((a, b) => a - b),
  )
  // positions count from the start of the batch, not of the chunk
  assert.equal(got[40_000].error.record, '#40001')
  assert.match(got[40_000].error.message, /^record #40001\b/)
  assert.equal(got[S[1]].error.record, `#${S[1] + 1}`)
  assert.equal(got[S[2] - 1].error.record, `#${S[2]}`)
  assert.equal(got[S[3] - 1].error.record, `#${S[3]}`)
  assert.equal(got[S[3] - 1].error.field, 'id')
  assert.equal(got[N - 1].error.record, `#${N}`)
  assert.equal(got[S[7] + 1].error.record, `#${S[7] + 2}`)
  assert.equal(got[S[1] - 1].error.record, 'Lbig')
  assert.equal(got[S[4]].error.record, 'Lsym')
  // both outcomes and a changing state across the chunks
  const kinds = new Set(got.filter((r) => r.ok).map((r) => r.ok.outcome.kind))
  assert.deepEqual([...kinds].sort(), ['partner', 'queue'])
  assert.ok(Math.max(...got.map((r) => r.ok?.state_read?.version ?? 0)) > 1000)
  // and the addon's own conversion (deleted in issue 11) agreed
  const addon = engine.network(PARTNERS)
  assert.deepEqual(golden.want(() => addon._routeBatchAddon(leads, NOW_MS)), form(got))
  assert.deepEqual(golden.want(() => addon.state()), form(net.state()))
})

test('per-lead instants with bad leads: the bad leads instants are skipped', () => {
  const leads = badLeads()
  const { got, net } = same(leads, times(N))
  // a lead of the last chunk assigned at its own instant
  const last = got.findLastIndex((r) => r.ok?.outcome.kind === 'partner')
  assert.ok(last >= S[7])
  const st = net.state().partners.find((p) => p.id === got[last].ok.outcome.id)
  assert.equal(st.last_assigned_at, NOW_MS + last * 1000)
  // instants as Dates (read by the addon) and as a mix
  const dates = times(N).map((t) => new Date(t))
  same(leads, dates)
})

test('asColumns and explain, in chunks', () => {
  const leads = badLeads()
  const cols = same(leads, times(N), { asColumns: true }).got
  assert.deepEqual(Object.keys(cols), ['kind', 'target', 'rule', 'error'])
  assert.equal(cols.kind.length, N)
  assert.equal(cols.error[40_000].record, '#40001')
  // 8,192, two chunks of 8,308, 8,192
  const n = 33_000
  const small = badLeads().slice(0, n)
  const { got } = same(small, NOW_MS, { explain: true, exclude: ['P01'] })
  const explained = got.filter((r) => r.ok?.explanation)
  assert.equal(explained.length, got.filter((r) => r.ok).length)
  assert.ok(got.every((r) => r.error || r.ok.outcome.id !== 'P01'))
  // `explain` with `asColumns` is refused as in one piece
  const { net, seen } = chunked()
  assert.throws(() => net.routeBatch(small, NOW_MS, { explain: true, asColumns: true }), { code: 'leadrail::request::invalid', message: /asColumns/ })
  assert.deepEqual(seen.chunks, [])
})

test('a batch just at the threshold is chunked, one lead fewer is not', () => {
  const { net, seen } = chunked()
  const min = net._chunkMinLeads
  assert.equal(min, 32_768)
  net.routeBatch(goodLeads(min - 1), NOW_MS)
  assert.deepEqual(seen.routed, [])
  assert.deepEqual(seen.chunks, [])
  same(goodLeads(min), NOW_MS)
})

test('a getter throwing mid-batch: that error, and the state as it was', () => {
  const { net, seen } = chunked()
  net.routeBatch(goodLeads(1000), NOW_MS)
  const before = net.state()
  const leads = goodLeads(N)
  const boom = new Error('no region today')
  Object.defineProperty(leads[50_500], 'region', {
    get() {
      throw boom
    },
  })
  assert.throws(
    () => net.routeBatch(leads, times(N)),
    (e) => e === boom,
  )
  // the chunks before the throwing one were routed, then undone
  assert.ok(seen.chunks.length >= 3)
  assert.deepEqual(net.state(), before)
  // a value thrown that is not an Error, in the last chunk
  Object.defineProperty(leads[N - 10], 'id', {
    get() {
      throw 'no id' // eslint-disable-line no-throw-literal
    },
  })
  delete leads[50_500].region
  leads[50_500].region = 'US'
  assert.throws(
    () => net.routeBatch(leads, times(N)),
    (e) => e === 'no id',
  )
  assert.deepEqual(seen.chunks.at(-1), [S[7], N])
  assert.deepEqual(net.state(), before)
  // the network is usable (the lock and the busy flag were released)
  const ok = goodLeads(N)
  const ref = onePiece()
  ref.routeBatch(goodLeads(1000), NOW_MS)
  assert.deepEqual(net.routeBatch(ok, NOW_MS), ref.routeBatch(ok, NOW_MS))
  assert.deepEqual(seen.routed.at(-1), true)
  assert.deepEqual(net.state(), ref.state())
  assert.equal(net.length, PARTNERS.length)
})

test('results that cannot be delivered: that error, and the state as it was', () => {
  const net = engine.network(PARTNERS)
  const before = net.state()
  const inner = Object.getPrototypeOf(net)._routeChunked
  const full = new RangeError('no room for results')
  let emitted = 0
  net._routeChunked = function (n, encode, emit, ...rest) {
    return inner.call(
      this,
      n,
      encode,
      (r, at) => {
        if (++emitted === 3) throw full
        emit(r, at)
      },
      ...rest,
    )
  }
  assert.throws(
    () => net.routeBatch(goodLeads(N), times(N)),
    (e) => e === full,
  )
  assert.equal(emitted, 3)
  assert.deepEqual(net.state(), before)
})

test('calling the network from a getter mid-batch throws leadrail::request::busy', () => {
  const { net } = chunked()
  const leads = goodLeads(N)
  const calls = {
    state: () => net.state(),
    length: () => net.length,
    route: () => net.route(goodLeads(1)[0], NOW_MS),
    routeBatch: () => net.routeBatch(goodLeads(3), NOW_MS),
    routeBatchBig: () => net.routeBatch(goodLeads(N), NOW_MS),
    routeColumns: () => net.routeColumns({ id: ['a'], region: ['US'], line: ['a'], size: [1] }, NOW_MS),
    loadState: () => net.loadState(net.state()),
  }
  const seen = {}
  let calling = true
  Object.defineProperty(leads[40_000], 'line', {
    get() {
      for (const [name, call] of Object.entries(calling ? calls : {})) {
        try {
          call()
          seen[name] = 'ok'
        } catch (e) {
          seen[name] = e.code
          assert.match(e.message, /routing a batch/)
        }
      }
      return 'b'
    },
  })
  const got = net.routeBatch(leads, NOW_MS)
  calling = false
  const busy = 'leadrail::request::busy'
  assert.deepEqual(seen, Object.fromEntries(Object.keys(calls).map((k) => [k, busy])))
  // the batch itself went on, as one piece would route it
  const ref = onePiece()
  assert.deepEqual(got, ref.routeBatch(leads, NOW_MS))
  assert.deepEqual(net.state(), ref.state())
  // after the batch, the network answers again
  assert.equal(net.length, PARTNERS.length)

  // not caught: the batch throws the busy error and changes nothing
  const other = engine.network(PARTNERS)
  const before = other.state()
  const again = goodLeads(N)
  Object.defineProperty(again[60_000], 'id', {
    get() {
      return other.state() && 'L60000'
    },
  })
  assert.throws(() => other.routeBatch(again, NOW_MS), { code: busy })
  assert.deepEqual(other.state(), before)
})

test('a bad now fails before any routing, with the one-piece error', () => {
  const leads = goodLeads(N)
  for (const now of [times(N - 1), times(N + 1), 'yesterday', [...times(N - 1), 'never']]) {
    const { net, seen } = chunked()
    const before = net.state()
    let want
    try {
      onePiece().routeBatch(leads, now)
    } catch (e) {
      want = e
    }
    assert.ok(want, `${String(now).slice(0, 20)} is refused`)
    assert.throws(
      () => net.routeBatch(leads, now),
      (e) => e.code === want.code && e.message === want.message,
    )
    // nothing was encoded in chunks, nothing routed
    assert.deepEqual(seen.chunks, [])
    assert.deepEqual(net.state(), before)
  }
})

test('leads that change while the batch reads them: read as one pass over the array reads them', () => {
  // a getter of lead 20,000 shortens the array and replaces a lead of its own chunk and one of
  // a later chunk: one pass reads the leads as they are when it reaches them, and so do chunks
  const changing = () => {
    const leads = goodLeads(N)
    Object.defineProperty(leads[20_000], 'size', {
      get() {
        leads[20_001] = { id: 'Lnew1', region: 'DE', line: 'b', size: 1 }
        leads[40_000] = { id: 'Lnew2', region: 'JP', line: 'c', size: 2 }
        leads.length = 45_000
        return 3
      },
    })
    return leads
  }
  const { net, seen } = chunked()
  const got = net.routeBatch(changing(), NOW_MS)
  assert.deepEqual(seen.routed, [true])
  assert.equal(got.length, N)
  assert.equal(got[45_000].error.record, '#45001')
  assert.match(got[45_000].error.message, /expected an object/)
  const ref = onePiece()
  assert.deepEqual(got, ref.routeBatch(changing(), NOW_MS))
  assert.deepEqual(net.state(), ref.state())
})
