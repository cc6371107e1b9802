// The hand-written loader (native.js) and the type files: the platforms it knows are the
// published packages (npm/*, napi.targets), every export of the addon is an ESM named export,
// a machine without an addon gets the error napi's generated loader gave, and index.d.ts is
// written once (the generated declarations are native.d.ts, not a copy of it).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { copyFileSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'

const PKG = join(dirname(fileURLToPath(import.meta.url)), '..')
const require = createRequire(import.meta.url)
const read = (name) => readFileSync(join(PKG, name), 'utf8')

test('the loader knows exactly the platforms of npm/* (one per napi target)', () => {
  const published = JSON.parse(read('native.js').match(/const PUBLISHED = (\[.*\])/)[1].replaceAll("'", '"'))
  const dirs = readdirSync(join(PKG, 'npm')).sort()
  assert.deepEqual([...published].sort(), dirs)
  assert.equal(JSON.parse(read('package.json')).napi.targets.length, dirs.length)
})

test('every export of the addon is a named export of the package in ESM', async () => {
  const esm = await import('../index.js')
  const cjs = require('../index.js')
  const names = Object.keys(cjs).filter((k) => !k.startsWith('_'))
  assert.ok(names.includes('Engine') && names.includes('register'), names.join())
  for (const name of names) assert.equal(esm[name], cjs[name], `\`${name}\` is not a named ESM export: list it in native.js`)
})

test('without an addon the loader throws napi\'s error, the attempts chained as causes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'leadrail-loader-'))
  copyFileSync(join(PKG, 'native.js'), join(dir, 'native.js'))
  copyFileSync(join(PKG, 'package.json'), join(dir, 'package.json'))
  const script = `try { require('./native.js') } catch (e) { console.log(JSON.stringify([e.message, e.cause && e.cause.message])) }`
  const env = { ...process.env }
  delete env.NAPI_RS_NATIVE_LIBRARY_PATH
  const out = spawnSync(process.execPath, ['-e', script], { cwd: dir, env, encoding: 'utf8' })
  const [message, cause] = JSON.parse(out.stdout)
  assert.equal(
    message,
    'Cannot find native binding. npm has a bug related to optional dependencies (https://github.com/npm/cli/issues/4828). ' +
      'Please try `npm i` again after removing both package-lock.json and node_modules directory.',
  )
  assert.match(cause, /Cannot find module/)
})

test('index.d.ts is written by hand and takes the generated declarations from native.d.ts', () => {
  const index = read('index.d.ts')
  assert.ok(!index.includes('export declare class Engine'), 'index.d.ts holds a copy of the generated declarations')
  assert.match(index, /export \* from '\.\/native'/)
  const native = read('native.d.ts')
  assert.match(native, /export declare class Engine/)
  assert.ok(!native.includes('export interface Decision'), 'native.d.ts holds a copy of the hand-written types')
})
