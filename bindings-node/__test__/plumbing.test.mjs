// End-to-end checks of the build: the addon loads, converts values and maps errors.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { inspect } from 'node:util'

const require = createRequire(import.meta.url)
const leadrail = require('../index.js')

const CHICAGO = { lat: 41.8781, lon: -87.6298 }
const NEW_YORK = [40.7128, -74.006]

test('version is the crate version', () => {
  assert.equal(leadrail.version(), '0.1.0')
})

test('haversineKm accepts objects and pairs', () => {
  const d = leadrail.haversineKm(CHICAGO, NEW_YORK)
  assert.ok(Math.abs(d - 1144.29) < 0.01, `got ${d}`)
  assert.equal(leadrail.haversineKm(NEW_YORK, CHICAGO), d)
  assert.equal(leadrail.haversineKm([0, 0], { lat: 0, lon: 0 }), 0)
})

test('haversineKm matches a quarter meridian', () => {
  const d = leadrail.haversineKm([90, 0], [0, 0])
  assert.ok(Math.abs(d - (Math.PI / 2) * 6371.0088) < 1e-9, `got ${d}`)
})

test('a string where a number is expected is an Error with a code', () => {
  assert.throws(
    () => leadrail.haversineKm({ lat: 'north', lon: 0 }, NEW_YORK),
    (e) => {
      assert.ok(e instanceof Error)
      assert.equal(e.code, 'leadrail::data::invalid_field')
      assert.equal(e.message, '`lat` must be a number, not string')
      assert.equal(e.record, 'a')
      assert.equal(e.field, 'lat')
      assert.deepEqual(e.diagnostics, [
        {
          code: 'leadrail::data::invalid_field',
          message: '`lat` must be a number, not string',
          severity: 'error',
          line: 0,
          column: 0,
          record: 'a',
          field: 'lat',
        },
      ])
      return true
    },
  )
})

const BAD_POINTS = [
  [{ lat: 1 }, 'leadrail::data::missing_field', 'lon'],
  [{ lat: null, lon: 1 }, 'leadrail::data::missing_field', 'lat'],
  [{ lat: undefined, lon: 1 }, 'leadrail::data::missing_field', 'lat'],
  [{ lat: NaN, lon: 1 }, 'leadrail::data::invalid_field', 'lat'],
  [[1, Infinity], 'leadrail::data::invalid_field', 'lon'],
  [[true, 1], 'leadrail::data::invalid_field', 'lat'],
  [[1, [2]], 'leadrail::data::invalid_field', 'lon'],
  [[1n, 2], 'leadrail::data::invalid_field', 'lat'],
  ['41.9 -87.6', 'leadrail::data::invalid_record', ''],
  [[1, 2, 3], 'leadrail::data::invalid_record', ''],
  [null, 'leadrail::data::invalid_record', ''],
  [undefined, 'leadrail::data::invalid_record', ''],
  [42, 'leadrail::data::invalid_record', ''],
]

for (const [point, code, field] of BAD_POINTS) {
  test(`bad point ${inspect(point)} gives ${code} on field '${field}'`, () => {
    assert.throws(
      () => leadrail.haversineKm(NEW_YORK, point),
      (e) => e instanceof Error && e.code === code && e.record === 'b' && e.field === field,
    )
  })
}

test('error codes come from the core catalogue', () => {
  const codes = leadrail.errorCodes()
  assert.ok(codes.includes('leadrail::data::invalid_field'))
  assert.ok(codes.includes('leadrail::parse::unexpected_token'))
  assert.equal(new Set(codes).size, codes.length)
  assert.ok(codes.every((c) => c.startsWith('leadrail::')))
})

test('missing arguments are errors, not crashes', () => {
  assert.throws(() => leadrail.haversineKm(NEW_YORK), Error)
  assert.throws(() => leadrail.haversineKm(), Error)
})

test('distancesKm matches single calls, sync and async', async () => {
  const points = [NEW_YORK, { lat: 51.5074, lon: -0.1278 }, [0, 0]]
  const expected = points.map((p) => leadrail.haversineKm(CHICAGO, p))
  assert.deepEqual(leadrail.distancesKm(CHICAGO, points), expected)
  const pending = leadrail.distancesKmAsync(CHICAGO, points)
  assert.ok(pending instanceof Promise)
  assert.deepEqual(await pending, expected)
  assert.deepEqual(await leadrail.distancesKmAsync(CHICAGO, []), [])
})

test('a bad item in a batch is named by its index', () => {
  for (const f of [leadrail.distancesKm, leadrail.distancesKmAsync]) {
    assert.throws(
      () => f(CHICAGO, [NEW_YORK, NEW_YORK, { lat: 1, lon: 'x' }]),
      (e) => e.code === 'leadrail::data::invalid_field' && e.record === 'points[2]' && e.field === 'lon',
    )
  }
})

test('a wrong container is a data error', () => {
  for (const points of ['abc', { lat: 1, lon: 2 }, 5, null, undefined, new Float64Array(2)]) {
    assert.throws(
      () => leadrail.distancesKm(CHICAGO, points),
      (e) => e.code === 'leadrail::data::invalid_record' && e.record === 'points',
      inspect(points),
    )
  }
})

test('the async variant computes off the JavaScript thread', async () => {
  // A synchronous implementation would settle the promise before any macrotask could run; on the
  // thread pool, the computation of a large batch is still running when the check phase comes.
  const points = []
  for (let i = 0; i < 400_000; i++) points.push([(i % 1801) / 10 - 90, (i % 3601) / 10 - 180])
  const order = []
  const pending = leadrail.distancesKmAsync(CHICAGO, points).then((r) => {
    order.push('settled')
    return r
  })
  setImmediate(() => order.push('immediate'))
  const result = await pending
  assert.deepEqual(order, ['immediate', 'settled'])
  assert.equal(result.length, points.length)
  assert.equal(result[12345], leadrail.haversineKm(CHICAGO, points[12345]))
})
