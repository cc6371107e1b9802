// Expected values for the differential tests that compared index.js's conversions with the
// addon's own (`_routeBatchAddon`, `_routeBatchAsyncAddon`, `_routeColumnsAddon`, which read
// every value through napi). Issue 11 left one conversion path (index.js, the faster on W1) and
// deleted the other; these files hold what the deleted path returned, recorded from it before
// it went (LEADRAIL_RECORD_GOLDEN=1 with that build), one file per test file, one entry per
// comparison in the order the tests make them. A value is kept as its JSON text, or as the
// SHA-256 of that text when it is long.
import { readFileSync, writeFileSync } from 'node:fs'
import { createHash } from 'node:crypto'

const RECORD = process.env.LEADRAIL_RECORD_GOLDEN === '1'

/** The JSON text of `x` (its SHA-256 when longer than 2,000 characters). */
export function form(x) {
  const text = JSON.stringify(x) ?? 'undefined'
  return text.length > 2000 ? `sha256:${createHash('sha256').update(text).digest('hex')}` : text
}

/** The recorded values of one test file (`name`). */
export function goldenFile(name) {
  const file = new URL(`./golden/${name}.json`, import.meta.url)
  const stored = RECORD ? [] : JSON.parse(readFileSync(file, 'utf8'))
  let next = 0
  const save = (i, value) => {
    stored[i] = form(value)
    writeFileSync(file, `[\n${stored.map((x) => JSON.stringify(x)).join(',\n')}\n]\n`)
  }
  return {
    /** The recorded form of the next comparison (of `make()`, the deleted path's value, when recording). */
    want(make) {
      const i = next++
      if (RECORD) save(i, make())
      return stored[i]
    },
    /** `want` of an async `make`. */
    async wantAsync(make) {
      const i = next++
      if (RECORD) save(i, await make())
      return stored[i]
    },
  }
}
