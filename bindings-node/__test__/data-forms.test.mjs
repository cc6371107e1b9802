// Data in the forms users have it (issue 12, item 3): the bundled example's CSV files as string
// rows (`textCells: true`) and as Apache Arrow tables give the CLI's decisions exactly
// (examples/industrial/decisions.jsonl, which the CLI's tests keep its output); datetimes as
// epoch ms; `now` as `{ start, step }`.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const { Engine } = require('../index.js')
const arrow = require('apache-arrow')

const EXAMPLE = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'examples', 'industrial')
const NOW = '2026-11-24T09:00:00Z'
const NOW_MS = 1795510800000
const CLI = readFileSync(join(EXAMPLE, 'decisions.jsonl'), 'utf8')
  .split('\n')
  .filter((l) => l !== '')
  .map((l) => JSON.parse(l))

/** The rows of a CSV file (RFC 4180 quoting) as objects of strings, as a CSV parser gives them. */
function csvRows(name) {
  const text = readFileSync(join(EXAMPLE, name), 'utf8')
  const rows = []
  let row = []
  let cell = ''
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') cell += text[++i]
      else if (c === '"') quoted = false
      else cell += c
    } else if (c === '"') quoted = true
    else if (c === ',') row.push(cell), (cell = '')
    else if (c === '\n') row.push(cell), rows.push(row), (row = []), (cell = '')
    else if (c !== '\r') cell += c
  }
  if (cell !== '' || row.length > 0) row.push(cell), rows.push(row)
  const [header, ...body] = rows
  return body.map((r) => Object.fromEntries(header.map((h, j) => [h, r[j]])))
}

/** The decisions of a batch in the CLI's JSON Lines form. */
const asCli = (leads, results) => results.map((r, i) => ({ lead: leads[i], decision: r.ok ?? r }))

const engine = () => Engine.fromFile(join(EXAMPLE, 'rules.rail'))

test('string rows of the example CSVs give the CLI decisions with textCells', () => {
  const e = engine()
  const net = e.network(csvRows('partners.csv'), { textCells: true })
  const leads = csvRows('leads.csv')
  const got = net.routeBatch(leads, NOW, { textCells: true })
  assert.deepEqual(asCli(leads.map((l) => l.id), got), CLI)
  // one lead at a time too (on a fresh network: the first lead's decision)
  const fresh = e.network(csvRows('partners.csv'), { textCells: true })
  assert.deepEqual(fresh.route(leads[0], NOW, { textCells: true }), CLI[0].decision)
})

test('string rows without textCells are read as JSON values (a set given as text is refused)', () => {
  assert.throws(
    () => engine().network(csvRows('partners.csv')),
    (e) => e.record === 'D-US-1' && e.field === 'territories',
  )
})

/** An Arrow table of a CSV file's rows: numbers typed where the column holds only numbers, empty cells null. */
function arrowTable(name, ints = []) {
  const rows = csvRows(name)
  const cols = {}
  for (const h of Object.keys(rows[0])) {
    const cells = rows.map((r) => (r[h] === '' ? null : r[h]))
    const numeric = cells.every((c) => c === null || /^-?\d+(\.\d+)?$/.test(c))
    if (ints.includes(h)) cols[h] = arrow.vectorFromArray(cells.map((c) => (c === null ? null : Number(c))), new arrow.Int32())
    else if (numeric && cells.some((c) => c !== null)) cols[h] = arrow.vectorFromArray(cells.map((c) => (c === null ? null : Number(c))), new arrow.Float64())
    else cols[h] = arrow.vectorFromArray(cells, new arrow.Utf8())
  }
  return new arrow.Table(cols)
}

test('Arrow tables of the example CSVs give the CLI decisions', () => {
  const partners = arrowTable('partners.csv', ['capacity', 'active_leads', 'leads_received', 'weight'])
  const leads = arrowTable('leads.csv')
  const net = engine().network(partners)
  const ids = leads.getChild('id').toArray()
  assert.deepEqual(asCli(ids, net.routeBatch(leads, NOW)), CLI)
  // routeColumns and asColumns: the same targets
  const targets = CLI.map((d) => d.decision.outcome.id ?? d.decision.outcome.name ?? null)
  assert.deepEqual(engine().network(partners).routeColumns(leads, NOW).target, targets)
  assert.deepEqual(engine().network(partners).routeBatch(leads, NOW, { asColumns: true }).target, targets)
  // with explanations (read row by row)
  const explained = engine().network(partners).routeBatch(leads, NOW, { explain: true })
  assert.deepEqual(explained.map((r) => r.ok.outcome), CLI.map((d) => d.decision.outcome))
})

const RULES = `ruleset "forms" version 1
schema lead    { region: region, size: int, created_at: datetime? }
schema partner { territories: set<region>, since: datetime? }
route "territory" {
  require partner.territories covers lead.region
  tie     round_robin
}
fallback queue "triage"
`

test('Arrow nulls are missing, int64 and timestamps are numbers, datetimes take epoch ms', () => {
  const e = Engine.compile(RULES)
  const net = e.network([
    { id: 'A', territories: 'US-NY|CA', since: NOW_MS },
    { id: 'B', territories: 'US-TX', since: '' },
  ], { textCells: true })
  const leads = new arrow.Table({
    id: arrow.vectorFromArray(['L1', 'L2', 'L3'], new arrow.Utf8()),
    region: arrow.vectorFromArray(['US-TX', null, 'CA'], new arrow.Utf8()),
    size: arrow.vectorFromArray([1n, 2n, 3n], new arrow.Int64()),
    created_at: arrow.vectorFromArray([NOW_MS, null, NOW_MS], new arrow.TimestampMillisecond()),
  })
  const got = net.routeBatch(leads, NOW)
  assert.deepEqual(got[0].ok.outcome, { kind: 'partner', id: 'B' })
  assert.equal(got[1].error.message, 'record `L2`: missing required field `region`')
  assert.deepEqual(got[2].ok.outcome, { kind: 'partner', id: 'A' })
  // a datetime field takes epoch ms from plain rows too
  const r = net.route({ id: 'L4', region: 'US-NY', size: 1, created_at: NOW_MS }, NOW)
  assert.equal(r.outcome.kind, 'partner')
})

test('a bad text cell names the record and the field', () => {
  const e = Engine.compile(RULES)
  const net = e.network([{ id: 'A', territories: 'US' }], { textCells: true })
  const got = net.routeBatch([{ id: 'L1', region: 'US', size: 'many' }], NOW, { textCells: true })
  assert.equal(got[0].error.message, 'record `L1`, field `size`: expected an integer, found `many`')
  assert.throws(() => e.network([{ id: 'A', territories: 'US|' }], { textCells: true }), (err) => err.record === 'A' && err.field === 'territories')
})

test('now as { start, step }', () => {
  const e = Engine.compile(RULES)
  const run = (now) => {
    const net = e.network([{ id: 'A', territories: ['US'] }])
    net.routeBatch([1, 2, 3].map((i) => ({ id: `L${i}`, region: 'US', size: i })), now)
    return net.state()
  }
  const want = run([NOW_MS, NOW_MS + 60000, NOW_MS + 120000])
  assert.equal(want.partners[0].last_assigned_at, NOW_MS + 120000)
  for (const now of [{ start: NOW_MS, step: 60000 }, { start: NOW, step: '1m' }, { start: new Date(NOW_MS), step: 60000 }]) {
    assert.deepEqual(run(now), want)
  }
  assert.throws(() => run({ start: NOW_MS }), /`now` as start and step needs `step`/)
  assert.throws(() => run({ start: NOW_MS, step: 1, end: 2 }), /unknown key `end`/)
})
