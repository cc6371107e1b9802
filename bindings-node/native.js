'use strict'
// Loads the addon, written by hand (the napi CLI builds with `--no-js`): the file
// `leadrail.<platform>.node` in this folder (built here by `npm run build` or prepare.js, or
// packed), else the package `leadrail-<platform>` that npm installed from the published
// package's `optionalDependencies` (docs/releasing.md). `NAPI_RS_NATIVE_LIBRARY_PATH` names
// another file to load instead; with `NAPI_RS_ENFORCE_VERSION_CHECK` set (not `0`), a platform
// package of another version is refused.

const { readFileSync } = require('fs')

// The platforms a package is published for: bindings-node/npm/*, one per `napi.targets`.
const PUBLISHED = ['darwin-arm64', 'darwin-x64', 'linux-arm64-gnu', 'linux-x64-gnu', 'win32-x64-msvc']
const VERSION = require('./package.json').version

/** Whether this Linux runs on musl rather than glibc. */
function isMusl() {
  try {
    return readFileSync('/usr/bin/ldd', 'utf-8').includes('musl')
  } catch {
    if (!process.report || typeof process.report.getReport !== 'function') return false
    process.report.excludeNetwork = true
    const report = process.report.getReport()
    return !(report && report.header && report.header.glibcVersionRuntime)
  }
}

/** The names this machine's addon may have, as prepare.js and the napi CLI name them. */
function platforms() {
  const p = `${process.platform}-${process.arch}`
  if (process.platform === 'win32') return [`${p}-msvc`, `${p}-gnu`]
  if (process.platform !== 'linux') return [p]
  if (isMusl()) return [`${p}-musl`]
  return [process.arch === 'arm' ? `${p}-gnueabihf` : `${p}-gnu`]
}

/** The addon of the platform package `name`, refused when its version is not this one's. */
function platformPackage(name) {
  const binding = require(name)
  const version = require(`${name}/package.json`).version
  const enforce = process.env.NAPI_RS_ENFORCE_VERSION_CHECK
  if (version !== VERSION && enforce && enforce !== '0') {
    throw new Error(`Native binding package version mismatch, expected ${VERSION} but got ${version}. You can reinstall dependencies to fix this issue.`)
  }
  return binding
}

/** Each way to load the addon on this machine, in order. */
function candidates() {
  if (process.env.NAPI_RS_NATIVE_LIBRARY_PATH) return [() => require(process.env.NAPI_RS_NATIVE_LIBRARY_PATH)]
  const out = []
  for (const p of platforms()) {
    out.push(() => require(`./leadrail.${p}.node`))
    if (PUBLISHED.includes(p)) out.push(() => platformPackage(`leadrail-${p}`))
  }
  return out
}

/** The errors of every attempt as one chain of `cause`s, the last attempt's first. */
const chain = (errors) =>
  errors.reduce((previous, e) => {
    const error = new Error(e && typeof e.message === 'string' ? e.message : String(e))
    error.cause = previous
    return error
  }, null)

function load() {
  const errors = []
  for (const attempt of candidates()) {
    try {
      return attempt()
    } catch (e) {
      errors.push(e)
    }
  }
  const error = new Error(
    'Cannot find native binding. ' +
      'npm has a bug related to optional dependencies (https://github.com/npm/cli/issues/4828). ' +
      'Please try `npm i` again after removing both package-lock.json and node_modules directory.',
  )
  error.cause = chain(errors)
  throw error
}

const binding = load()
module.exports = binding
// (each export by name, so that Node's ESM loader finds the named exports of index.js;
// __test__/plumbing.test.mjs checks that every export of the addon is listed)
module.exports.Engine = binding.Engine
module.exports.Network = binding.Network
module.exports.Registry = binding.Registry
module.exports.distancesKm = binding.distancesKm
module.exports.distancesKmAsync = binding.distancesKmAsync
module.exports.errorCodes = binding.errorCodes
module.exports.haversineKm = binding.haversineKm
module.exports.register = binding.register
module.exports.version = binding.version
