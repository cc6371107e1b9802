// Runs every conformance vector (conformance/README.md) through the Node binding and compares
// canonical JSON exactly.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const { Engine, Registry, register } = require('../index.js')

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'conformance')
const files = readdirSync(ROOT)
  // the capabilities this binding offers: every suite
  .filter((d) => ['routing', 'sla', 'errors', 'kpi', 'flows', 'dealreg', 'lead_conflicts'].includes(d) && statSync(join(ROOT, d)).isDirectory())
  .flatMap((d) => readdirSync(join(ROOT, d)).filter((f) => f.endsWith('.json')).map((f) => join(d, f)))
  .sort()

/** Canonical JSON: sorted keys; numbers are JavaScript numbers already. */
export function canon(x) {
  if (Array.isArray(x)) return `[${x.map(canon).join(',')}]`
  if (x !== null && typeof x === 'object') {
    return `{${Object.keys(x).sort().map((k) => `${JSON.stringify(k)}:${canon(x[k])}`).join(',')}}`
  }
  if (x === undefined) throw new Error('undefined is not JSON')
  return JSON.stringify(x)
}

/** A code-point column of `text`'s line as UTF-16 units (the Node binding's unit). */
function utf16Column(text, line, column) {
  if (line === 0 || column === 0) return column
  const l = text.split('\n')[line - 1] ?? ''
  return [...l].slice(0, column - 1).join('').length + Math.max(0, column - 1 - [...l].length) + 1
}

const project = (d) => ({ code: d.code, severity: d.severity, message: d.message, line: d.line, column: d.column })
const expectDiag = (rules) => (d) => ({ ...d, column: utf16Column(rules, d.line, d.column) })

// The single-lead flow's calls (flows/): each answers a value or throws.
const FLOWS = {
  assign: (net, c, options) => net.assign(c.lead, c.now, options),
  add_partner: (net, c) => net.addPartner(c.partner),
  update_partner: (net, c) => net.updatePartner(c.partner),
  remove_partner: (net, c) => net.removePartner(c.id),
  release: (net, c) => net.release(c.lead, c.partner),
}

/** An `expire` call: the registry expired at each instant of `now` in turn, then, with `leads`,
 * the leads routed against it at `route_at` (what if). */
function expireCall(net, call) {
  try {
    const registry = Registry.fromRecords(call.registry)
    const got = { expired: call.now.map((t) => registry.expire(t)) }
    if (call.leads) got.routes = registry.route(net, call.leads, call.route_at)
    return { ok: got }
  } catch (e) {
    return { error: e.diagnostics[0] }
  }
}

/** A `registry_records` call: the registry, with `leads` assigned at `assign_at` (recorded),
 * expired at `expire_at`, read back with `records` and `get`. */
function registryRecordsCall(net, call) {
  try {
    const registry = Registry.fromRecords(call.registry)
    if (call.leads) registry.route(net, call.leads, call.assign_at, { assign: true })
    const expired = registry.expire(call.expire_at)
    return { ok: { expired, records: registry.records(), get: call.get.map((id) => registry.get(id)) } }
  } catch (e) {
    return { error: e.diagnostics[0] }
  }
}

test('there are at least 40 vectors', () => {
  assert.ok(files.length >= 40, `${files.length} vectors`)
})

for (const file of files) {
  test(`vector ${file}`, () => {
    const vec = JSON.parse(readFileSync(join(ROOT, file), 'utf8'))
    const expect = vec.expect
    let engine
    try {
      engine = Engine.compile(vec.rules, 'rules.rail', vec.files)
    } catch (e) {
      assert.ok(expect.compile_errors, `unexpected compile error ${e.message}`)
      assert.equal(canon(e.diagnostics.map(project)), canon(expect.compile_errors.map(expectDiag(vec.rules))))
      return
    }
    assert.equal(expect.compile_errors, undefined)
    assert.equal(canon(engine.warnings.map(project)), canon(expect.warnings.map(expectDiag(vec.rules))))
    let net
    try {
      net = engine.network(vec.partners)
    } catch (e) {
      assert.ok(expect.network_error, `unexpected network error ${e.message}`)
      assert.equal(canon(e.diagnostics[0]), canon(expect.network_error))
      return
    }
    assert.equal(expect.network_error, undefined)
    for (const call of vec.calls) {
      const options = { explain: call.explain, exclude: call.exclude ?? [] }
      let got
      if (call.call === 'route_batch') {
        got = net.routeBatch(call.leads, call.now, options)
      } else if (call.call === 'route') {
        try {
          got = { ok: net.route(call.lead, call.now, options) }
        } catch (e) {
          got = { error: e.diagnostics[0] }
        }
      } else if (call.call === 'state') {
        got = net.state()
      } else if (FLOWS[call.call]) {
        try {
          got = { ok: FLOWS[call.call](net, call, options) ?? null }
        } catch (e) {
          got = { error: e.diagnostics[0] }
        }
      } else if (call.call === 'sla') {
        got = engine.evaluateSla(call.timelines, call.now, { done: call.done, partnerCalendars: call.partner_calendars })
      } else if (call.call === 'next_deadline') {
        try {
          got = engine.nextDeadline(call.timeline, call.now, { partnerCalendars: call.partner_calendars })
        } catch (e) {
          got = { error: e.diagnostics[0] }
        }
      } else if (call.call === 'kpi' || call.call === 'forecast') {
        // the call object's other keys are the options (snake_case names are taken as they are)
        const { call: kind, timelines, now, expect: _, ...options } = call
        try {
          got = kind === 'kpi' ? engine.kpi(timelines, now, options) : engine.forecast(timelines, now, options)
        } catch (e) {
          got = { error: e.diagnostics[0] }
        }
      } else if (call.call === 'register') {
        try {
          got = { verdicts: register(engine, call.registry, call.deals, call.now, { policy: call.policy, submit: call.submit }) }
        } catch (e) {
          got = { error: e.diagnostics[0] }
        }
      } else if (call.call === 'route_conflicts') {
        try {
          const options = { exclude: call.exclude, assign: call.assign }
          got = { ok: Registry.fromRecords(call.registry).route(net, call.leads, call.now, options) }
        } catch (e) {
          got = { error: e.diagnostics[0] }
        }
      } else if (call.call === 'expire') {
        got = expireCall(net, call)
      } else if (call.call === 'registry_records') {
        got = registryRecordsCall(net, call)
      } else {
        throw new Error(`unknown call ${call.call}`)
      }
      assert.equal(canon(got), canon(call.expect), call.call)
    }
  })
}

test('the async batch gives the same results as the sync one', async () => {
  for (const file of files) {
    const vec = JSON.parse(readFileSync(join(ROOT, file), 'utf8'))
    // (flows/ vectors interleave single-lead calls, which change the state between batches)
    if (!vec.calls || file.startsWith('flows')) continue
    const batches = vec.calls.filter((c) => c.call === 'route_batch')
    if (batches.length === 0) continue
    const net = Engine.compile(vec.rules, 'rules.rail', vec.files).network(vec.partners)
    for (const call of batches) {
      const got = await net.routeBatchAsync(call.leads, call.now, { explain: call.explain, exclude: call.exclude ?? [] })
      assert.equal(canon(got), canon(call.expect), file)
    }
  }
})
