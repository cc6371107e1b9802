// SLA evaluation from Node: shapes, `done`, partner calendars and bad input.
import assert from 'node:assert/strict'
import { test } from 'node:test'

import { Engine } from 'leadrail'

const RULES = `ruleset "sla" version 1
schema lead    { region: region }
schema partner { territories: set<region> }
route "territory" { require partner.territories covers lead.region }
calendar "us" { timezone "America/Chicago"  hours mon-fri 09:00-17:00 }
sla accept { start assigned  stop accepted  goal 8h business "us"  warn 50%  on breach remind }
`

// Tue 2026-11-24 09:00 CST; 50% at 13:00 CST (19:00Z), due 17:00 CST (23:00Z).
const T0 = '2026-11-24T15:00:00Z'
const T0_MS = 1795532400000
const HOUR = 3_600_000
const WARN_MS = T0_MS + 4 * HOUR
const DUE_MS = T0_MS + 8 * HOUR
const ASSIGNED = { at: T0, event: 'assigned', partner: 'P1' }
const timeline = (events, lead = 'L1') => ({ lead, events })
const engine = Engine.compile(RULES)

const throwsWith = (fn, want) =>
  assert.throws(fn, (e) => {
    assert.ok(e instanceof Error)
    for (const [k, v] of Object.entries(want)) assert.equal(e[k], v, k)
    return true
  })

test('one timeline gives its evaluation', () => {
  const got = engine.evaluateSla(timeline([ASSIGNED]), '2026-11-24T20:00:00Z')
  assert.equal(got.lead, 'L1')
  assert.deepEqual(
    got.slas.map((s) => [s.instance, s.state, s.elapsed_ms, s.due_at]),
    [['accept', 'running', 5 * HOUR, DUE_MS]],
  )
  assert.deepEqual(got.due.map((d) => d.id), ['accept:warn:50'])
  assert.equal(got.next_deadline, DUE_MS)
  assert.equal(got.cursor, T0_MS + 5 * HOUR)
  assert.deepEqual(engine.slas, ['accept'])
})

test('instants as numbers, strings and Dates agree', () => {
  const a = engine.evaluateSla(timeline([ASSIGNED]), '2026-11-24T20:00:00Z')
  const b = engine.evaluateSla(timeline([{ ...ASSIGNED, at: T0_MS }]), T0_MS + 5 * HOUR)
  const c = engine.evaluateSla(timeline([{ ...ASSIGNED, at: new Date(T0) }]), new Date('2026-11-24T20:00:00Z'))
  assert.deepEqual(a, b)
  assert.deepEqual(a, c)
})

test('done as ids or as the previous cursor makes each action due once', () => {
  const now = '2026-11-24T20:00:00Z'
  const first = engine.evaluateSla(timeline([ASSIGNED]), now)
  assert.deepEqual(engine.evaluateSla(timeline([ASSIGNED]), now, { done: ['accept:warn:50'] }).due, [])
  assert.deepEqual(engine.evaluateSla(timeline([ASSIGNED]), now, { done: first.cursor }).due, [])
  const later = engine.evaluateSla(timeline([ASSIGNED]), DUE_MS, { done: first.cursor })
  assert.deepEqual(later.due.map((d) => d.id), ['accept:breach:remind'])
})

test('nextDeadline', () => {
  assert.equal(engine.nextDeadline(timeline([ASSIGNED]), T0), WARN_MS)
  assert.equal(engine.nextDeadline(timeline([ASSIGNED]), WARN_MS), DUE_MS)
  assert.equal(engine.nextDeadline(timeline([ASSIGNED]), DUE_MS), null)
  assert.equal(engine.nextDeadline(timeline([]), T0), null)
})

test('an array gives one result per timeline', () => {
  const got = engine.evaluateSla(
    [timeline([ASSIGNED]), timeline([{ at: T0, event: 'nope' }], 'L2'), timeline([ASSIGNED], 'L3')],
    '2026-11-24T20:00:00Z',
  )
  assert.deepEqual(got.map((r) => Object.keys(r)[0]), ['ok', 'error', 'ok'])
  assert.equal(got[1].error.record, 'L2')
  assert.equal(got[1].error.field, 'events[0].event')
  assert.equal(got[2].ok.lead, 'L3')
  assert.deepEqual(engine.evaluateSla([], T0), [])
})

test('out-of-order events throw naming the lead and the event', () => {
  const bad = timeline([ASSIGNED, { at: '2026-11-24T14:00:00Z', event: 'accepted', partner: 'P1' }])
  throwsWith(() => engine.evaluateSla(bad, T0), {
    code: 'leadrail::timeline::out_of_order',
    record: 'L1',
    field: 'events[1]',
  })
  throwsWith(() => engine.nextDeadline(bad, T0), { code: 'leadrail::timeline::out_of_order' })
})

test('an unknown event kind', () => {
  throwsWith(() => engine.evaluateSla(timeline([ASSIGNED, { at: T0, event: 'approved' }]), T0), {
    code: 'leadrail::data::invalid_field',
    record: 'L1',
    field: 'events[1].event',
  })
})

for (const [event, field, code] of [
  [{ event: 'created' }, 'events[0].at', 'leadrail::data::missing_field'],
  [{ at: undefined, event: 'created' }, 'events[0].at', 'leadrail::data::invalid_field'],
  [{ at: 'yesterday', event: 'created' }, 'events[0].at', 'leadrail::data::invalid_field'],
  [{ at: 1.5, event: 'created' }, 'events[0].at', 'leadrail::data::invalid_field'],
  [{ at: T0 }, 'events[0].event', 'leadrail::data::missing_field'],
  [{ at: T0, event: 3 }, 'events[0].event', 'leadrail::data::invalid_field'],
  // the missing or mistyped detail is named (issue 10)
  [{ at: T0, event: 'assigned' }, 'events[0].partner', 'leadrail::data::missing_field'],
  [{ at: T0, event: 'assigned', partner: 7 }, 'events[0].partner', 'leadrail::data::invalid_field'],
  ['assigned', 'events[0]', 'leadrail::data::invalid_field'],
]) {
  test(`a bad event ${JSON.stringify(event)}`, () => {
    throwsWith(() => engine.evaluateSla(timeline([event]), T0), { code, record: 'L1', field })
  })
}

test('NaN has no JSON form: the call is rejected, naming the lead and the field', () => {
  throwsWith(() => engine.evaluateSla(timeline([{ at: NaN, event: 'created' }]), T0), {
    code: 'leadrail::data::invalid_field',
    record: 'L1',
    field: 'events',
  })
})

for (const tl of [{ events: [] }, { lead: 5, events: [] }, { lead: 'L1' }, { lead: 'L1', events: {} }]) {
  test(`a bad timeline shape ${JSON.stringify(tl)}`, () => {
    assert.throws(() => engine.evaluateSla(tl, T0), (e) => ['lead', 'events'].includes(e.field))
  })
}

for (const now of ['tomorrow', '2026-11-24T09:00:00', null, undefined, 1.5, NaN, true, [T0], {}, 2 ** 60]) {
  test(`a bad now ${String(now)}`, () => {
    throwsWith(() => engine.evaluateSla(timeline([ASSIGNED]), now), { code: 'leadrail::request::invalid' })
  })
}

for (const timelines of ['L1', 5, null, undefined]) {
  test(`a wrong container ${String(timelines)}`, () => {
    throwsWith(() => engine.evaluateSla(timelines, T0), { code: 'leadrail::request::invalid' })
  })
}

test('bad items in an array are errors for those items', () => {
  const got = engine.evaluateSla([5, null, 'L1', timeline([ASSIGNED])], T0)
  assert.deepEqual(got.map((r) => r.error?.code ?? 'ok'), [
    'leadrail::request::invalid',
    'leadrail::request::invalid',
    'leadrail::request::invalid',
    'ok',
  ])
})

for (const options of [{ done: [1, 2] }, { done: 'not an instant' }, { done: { a: 1 } }, { partnerCalendars: ['P1'] }, 5]) {
  test(`bad options ${JSON.stringify(options)}`, () => {
    throwsWith(() => engine.evaluateSla(timeline([ASSIGNED]), T0, options), { code: 'leadrail::request::invalid' })
  })
}

test('partner calendars', () => {
  const rules = RULES.replace('goal 8h business "us"', 'goal 8h business partner.calendar').replace(
    'schema partner { territories: set<region> }',
    'schema partner { territories: set<region>, calendar: text }',
  )
  const e = Engine.compile(rules)
  const ok = e.evaluateSla(timeline([ASSIGNED]), '2026-11-24T20:00:00Z', { partnerCalendars: { P1: 'us' } })
  assert.equal(ok.slas[0].due_at, DUE_MS)
  const byField = e.evaluateSla(timeline([ASSIGNED]), '2026-11-24T20:00:00Z', {
    partnerCalendars: { P1: { calendar: 'us' } },
  })
  assert.deepEqual(byField, ok)
  throwsWith(() => e.evaluateSla(timeline([ASSIGNED]), T0), { code: 'leadrail::sla::unknown_calendar', record: 'L1' })
})

test('evaluateSlaAsync resolves to the same results as evaluateSla', async () => {
  const timelines = [timeline([ASSIGNED]), timeline([{ at: T0, event: 'nope' }], 'L2')]
  const now = '2026-11-24T20:00:00Z'
  const got = await engine.evaluateSlaAsync(timelines, now, { done: ['accept:warn:50'] })
  assert.deepEqual(got, engine.evaluateSla(timelines, now, { done: ['accept:warn:50'] }))
  assert.equal(got[1].error.field, 'events[0].event')
  throwsWith(() => engine.evaluateSlaAsync(timeline([ASSIGNED]), now), { code: 'leadrail::request::invalid' })
  throwsWith(() => engine.evaluateSlaAsync([], 'soon'), { code: 'leadrail::request::invalid' })
})

const HOLIDAY_RULES = RULES.replace(
  'hours mon-fri 09:00-17:00 }',
  'hours mon-fri 09:00-17:00  holidays "us.txt" }',
)

test('holiday files given as an object move the deadline', () => {
  // Tuesday 2026-11-24 is a holiday: the 8 business hours run on Wednesday instead.
  const e = Engine.compile(HOLIDAY_RULES, 'sla.rail', { 'us.txt': '2026-11-24 test day\n' })
  const got = e.evaluateSla(timeline([ASSIGNED]), '2026-11-24T20:00:00Z')
  assert.deepEqual(
    got.slas.map((s) => [s.state, s.elapsed_ms, s.due_at]),
    [['running', 0, DUE_MS + 24 * HOUR]],
  )
})

test('a holiday file missing from the object is a rule error at its entry', () => {
  throwsWith(() => Engine.compile(HOLIDAY_RULES, 'sla.rail', { 'de.txt': '2026-12-25' }), {
    code: 'leadrail::calendar::holiday_file',
    message: 'sla.rail:5:81: cannot read holiday file `us.txt`: it is not among the files given (`de.txt`)',
  })
  assert.throws(
    () => Engine.compile(HOLIDAY_RULES, 'sla.rail', {}),
    (e) => {
      assert.equal(e.diagnostics.length, 1)
      assert.deepEqual([e.diagnostics[0].line, e.diagnostics[0].column], [5, 81])
      assert.match(e.diagnostics[0].message, /no files were given/)
      return true
    },
  )
})

test('a bad line in a given holiday file names the file and the line', () => {
  assert.throws(
    () => Engine.compile(HOLIDAY_RULES, 'sla.rail', { 'us.txt': '2026-11-24\n2026-13-01 bad\n' }),
    (e) => e.message.includes('`us.txt`') && e.message.includes('line 2'),
  )
})

test('files of the wrong shape give a clear error', () => {
  for (const files of [['us.txt'], 'us.txt', { 'us.txt': 1 }, 42]) {
    assert.throws(
      () => Engine.compile(HOLIDAY_RULES, 'sla.rail', files),
      (e) => e.code === 'leadrail::request::invalid' && e.message.startsWith('`files` must'),
      JSON.stringify(files),
    )
  }
  // undefined and null mean none: rule text reads no file from disk
  assert.throws(() => Engine.compile(HOLIDAY_RULES, 'sla.rail', null), /cannot read holiday file `us.txt`/)
})
