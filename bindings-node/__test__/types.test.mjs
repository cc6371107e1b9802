// `tsc --strict` over realistic user code (issue 12, item 5): the README's example
// (examples/quickstart.mjs) and an interface-typed one (examples/typed.mts) type-check against
// index.d.ts, and a misspelt field makes each fail. TypeScript is installed, pinned, by
// scripts/test-bindings.sh, which passes its `tsc` in LEADRAIL_TSC.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'

const PKG = join(dirname(fileURLToPath(import.meta.url)), '..')
const EXAMPLES = join(PKG, 'examples')
const TSC = process.env.LEADRAIL_TSC

/** Runs `tsc --strict` over `files` (name -> text) in a new directory; its exit code and output. */
function tsc(files) {
  const dir = mkdtempSync(join(tmpdir(), 'leadrail-tsc-'))
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text)
  const config = {
    compilerOptions: {
      strict: true,
      noEmit: true,
      target: 'es2022',
      module: 'nodenext',
      moduleResolution: 'nodenext',
      lib: ['es2022', 'dom'],
      types: [],
      paths: { leadrail: [join(PKG, 'index.d.ts')] },
    },
    files: Object.keys(files),
  }
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(config))
  const out = spawnSync(TSC, ['-p', dir], { encoding: 'utf8' })
  return { status: out.status, output: out.stdout + out.stderr }
}

const skip = !TSC && 'LEADRAIL_TSC is not set (scripts/test-bindings.sh installs TypeScript)'
const readme = () => readFileSync(join(EXAMPLES, 'quickstart.mjs'), 'utf8')
const typed = () => readFileSync(join(EXAMPLES, 'typed.mts'), 'utf8')

test('tsc --strict accepts the README example and the interface-typed example', { skip }, () => {
  const out = tsc({ 'quickstart.mts': readme(), 'typed.mts': typed() })
  assert.equal(out.status, 0, out.output)
})

test('tsc --strict refuses a misspelt field', { skip }, () => {
  const text = readme()
  assert.ok(text.includes('decision.explanation.candidates'))
  const bad = tsc({ 'quickstart.mts': text.replace('decision.explanation.candidates', 'decision.explanation.candidate') })
  assert.notEqual(bad.status, 0)
  assert.match(bad.output, /Property 'candidate' does not exist on type 'Explanation'/)
  // a row literal with a misspelt interface field
  const row = "{ id: 'P3', territories: ['DE'],"
  assert.ok(typed().includes(row))
  const badRow = tsc({ 'typed.mts': typed().replace(row, "{ id: 'P3', teritories: ['DE'],") })
  assert.notEqual(badRow.status, 0)
  assert.match(badRow.output, /'teritories' does not exist in type 'PartnerRow'/)
  // a misspelt option
  const badOption = tsc({ 'typed.mts': typed().replace('{ explain: true, exclude', '{ explain: true, exlude') })
  assert.notEqual(badOption.status, 0)
  assert.match(badOption.output, /exlude/)
})

test('tsc --strict: Registry.route takes a readonly exclude array, Registry.expire gives ids', { skip }, () => {
  const code = (use) => `import { Engine, Registry } from 'leadrail'
const network = Engine.compile('rules').network([])
const registry = Registry.fromRecords([{ id: 'R-1', partner: 'p1', company: 'Acme', submitted_at: 0 }])
const rejectedBy: readonly string[] = ['p2']
const routes = registry.route(network, [{ id: 'L1' }], Date.now(), { exclude: rejectedBy, assign: false })
console.log(routes.length, ${use})
`
  const ok = tsc({ 'registry.mts': code("registry.expire(new Date()).join(', '), registry.expire('2026-11-24T09:00:00Z') satisfies string[]") })
  assert.equal(ok.status, 0, ok.output)
  // the ids are strings
  const bad = tsc({ 'registry.mts': code('registry.expire(0) satisfies number[]') })
  assert.notEqual(bad.status, 0)
  assert.match(bad.output, /Type 'string' is not assignable to type 'number'/)
})

test('tsc --strict: Registry.get gives a record or null, Registry.records records', { skip }, () => {
  const code = (use) => `import { Registry, type RegistryRecord } from 'leadrail'
const registry = Registry.fromRecords([{ id: 'R-1', partner: 'p1', company: 'Acme', submitted_at: 0 }])
const all: RegistryRecord[] = registry.records()
console.log(all.length, ${use})
`
  const ok = tsc({ 'records.mts': code("registry.get('R-1')?.status, registry.records()[0].extensions + 1, Registry.fromRecords(all).records().length") })
  assert.equal(ok.status, 0, ok.output)
  // get may give null
  const bad = tsc({ 'records.mts': code("registry.get('R-1').status") })
  assert.notEqual(bad.status, 0)
  assert.match(bad.output, /possibly 'null'/)
})
