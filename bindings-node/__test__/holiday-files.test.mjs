// Holiday files from Node (issue 10): rule text reads nothing from disk unless the host gives a
// base directory (or compiles a file by its path), and then only regular files inside it; an
// error never quotes a file that is not a holiday file.
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import test from 'node:test'

import { Engine } from '../index.js'

const SECRET = 'API_TOKEN=hunter2-do-not-print'

const rules = (path) =>
  'ruleset "h" version 1\nschema lead { region: text }\nschema partner { calendar: text }\n' +
  `calendar "c" { timezone "Europe/Berlin"  hours mon-fri 09:00-17:00  holidays "${path}" }\n` +
  'route "all" { }\n'

function tree() {
  const root = mkdtempSync(join(tmpdir(), 'leadrail-holidays-'))
  mkdirSync(join(root, 'rules'))
  writeFileSync(join(root, 'rules', 'de.txt'), '2026-12-25 Christmas\n')
  writeFileSync(join(root, 'secret.txt'), SECRET + '\n')
  return root
}

function refused(compile, why) {
  assert.throws(compile, (e) => {
    assert.equal(e.code, 'leadrail::calendar::holiday_file')
    assert.equal(e.diagnostics.length, 1)
    assert.ok(e.diagnostics[0].message.includes(why), e.diagnostics[0].message)
    const all = e.message + JSON.stringify(e.diagnostics)
    assert.ok(!all.includes('hunter2') && !all.includes('root:'), all)
    return true
  })
}

test('rule text alone reads nothing from disk', () => {
  const root = tree()
  const cwd = process.cwd()
  process.chdir(join(root, 'rules')) // de.txt is in the working directory: still not read
  try {
    refused(() => Engine.compile(rules('de.txt')), 'no files were given with the rule text, and no directory')
    refused(() => Engine.compile(rules('de.txt'), 'x.rail', null), 'no directory to read them from')
  } finally {
    process.chdir(cwd)
  }
})

test('a valid file in the base directory is read; options may also carry files', () => {
  const root = tree()
  const baseDir = join(root, 'rules')
  assert.equal(Engine.compile(rules('de.txt'), { baseDir }).name, 'h')
  assert.equal(Engine.compile(rules('m.txt'), { file: 'm.rail', files: { 'm.txt': '2026-12-24' } }).name, 'h')
  assert.equal(Engine.compile(rules('m.txt'), { files: { 'm.txt': '2026-12-24' }, baseDir }).name, 'h')
  writeFileSync(join(root, 'rules', 'ok.rail'), rules('de.txt'))
  assert.equal(Engine.fromFile(join(root, 'rules', 'ok.rail')).name, 'h')
})

test('absolute paths, `..`, symbolic links out, special files and big files are refused', () => {
  const root = tree()
  const baseDir = join(root, 'rules')
  for (const p of ['/etc/passwd', '/proc/self/environ', '/dev/zero']) {
    refused(() => Engine.compile(rules(p), { baseDir }), 'an absolute path is not read')
  }
  refused(() => Engine.compile(rules('../secret.txt'), { baseDir }), "the path leaves the rule file's directory")
  writeFileSync(join(baseDir, 'bad.rail'), rules('../secret.txt'))
  refused(() => Engine.fromFile(join(baseDir, 'bad.rail')), "the path leaves the rule file's directory")
  if (process.platform !== 'win32') {
    symlinkSync(join(root, 'secret.txt'), join(baseDir, 'link.txt'))
    symlinkSync('/dev/zero', join(baseDir, 'zero.txt'))
    for (const p of ['link.txt', 'zero.txt']) {
      refused(() => Engine.compile(rules(p), { baseDir }), "the path leads outside the rule file's directory")
    }
  }
  mkdirSync(join(baseDir, 'sub'))
  refused(() => Engine.compile(rules('sub'), { baseDir }), 'it is not a regular file')
  writeFileSync(join(baseDir, 'big.txt'), '2026-12-25 Christmas\n'.repeat(60_000))
  refused(() => Engine.compile(rules('big.txt'), { baseDir }), 'it is larger than the 1024 KiB')
  writeFileSync(join(baseDir, 'settings.env'), SECRET + '\nPASSWORD=hunter2\n')
  refused(
    () => Engine.compile(rules('settings.env'), { baseDir }),
    '`settings.env` is not a holiday file: 2 of its 2 entry line(s) are not holiday entries (the first is line 1)',
  )
})

test('options of the wrong shape give a clear error', () => {
  for (const [opts, msg] of [
    [{ baseDir: 42 }, 'option `baseDir` must be a string'],
    [{ file: ['x'] }, 'option `file` must be a string'],
    [{ files: 'x' }, '`files` must be an object'],
    [42, 'the second argument must be a file name or options'],
  ]) {
    assert.throws(
      () => Engine.compile(rules('de.txt'), opts),
      (e) => e.code === 'leadrail::request::invalid' && e.message.startsWith(msg),
      JSON.stringify(opts),
    )
  }
  assert.throws(
    () => Engine.compile(rules('de.txt'), { baseDir: '.' }, { 'de.txt': '2026-12-25' }),
    /give `files` in the options object/,
  )
})
