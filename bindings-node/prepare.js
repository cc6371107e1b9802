'use strict'
// `npm install ./bindings-node` (a folder or git dependency) and `npm pack` run this `prepare`
// script: it builds the addon from source with cargo and nothing from npm, so a consumer needs a
// Rust toolchain and no devDependencies (npm installs none for a dependency). It writes the file
// the loader (native.js) looks for first, `leadrail.<platform>-<arch>[-<abi>].node`, in this folder.
// Cargo decides what to rebuild, so a second install only checks and copies.
//
// Installs from the registry or from a packed tarball never run it: there the addon comes prebuilt
// (in the tarball, or in the per-platform package `leadrail-<platform>-<arch>[-<abi>]` listed in
// `optionalDependencies` at publish time, see docs/releasing.md). The developer build that also
// regenerates native.js and index.d.ts is `npm run build` (the napi CLI, a devDependency).
//
// Env: CARGO (default `cargo`), CARGO_TARGET_DIR (cargo's own), LEADRAIL_NODE_PROFILE (`release`,
// or `debug`).

const { execFileSync } = require('child_process')
const fs = require('fs')
const path = require('path')

const here = __dirname
const cargo = process.env.CARGO || 'cargo'
const profile = process.env.LEADRAIL_NODE_PROFILE === 'debug' ? 'debug' : 'release'

function fail(message, help) {
  console.error(`leadrail: ${message}`)
  if (help) console.error(`  help: ${help}`)
  process.exit(1)
}

/** The suffix of the addon's file name, as native.js spells it. */
function platformSuffix(triple) {
  const arch = { x64: 'x64', arm64: 'arm64', arm: 'arm', ia32: 'ia32' }[process.arch] || process.arch
  if (process.platform === 'linux') {
    if (triple.endsWith('-musl')) return `linux-${arch}-musl`
    if (triple.endsWith('-gnueabihf')) return `linux-${arch}-gnueabihf`
    return `linux-${arch}-gnu`
  }
  if (process.platform === 'win32') return `win32-${arch}-${triple.endsWith('-gnu') ? 'gnu' : 'msvc'}`
  return `${process.platform}-${arch}`
}

let host
try {
  host = execFileSync('rustc', ['-vV'], { encoding: 'utf8' }).match(/^host: (.+)$/m)[1].trim()
} catch (e) {
  fail(
    'building the addon from source needs a Rust toolchain (`rustc` was not found or failed)',
    'install Rust from https://rustup.rs, or install a published or packed `leadrail` package, which carries the addon prebuilt',
  )
}

// `--target <host>`, as `napi build` passes it: both builds share target/<host>/release.
const args = ['build', '--lib', '-p', 'leadrail-node', '--target', host, '--message-format=json-render-diagnostics']
if (profile === 'release') args.push('--release')
let out
try {
  out = execFileSync(cargo, args, { cwd: here, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 28 })
} catch (e) {
  fail(`\`${cargo} ${args.join(' ')}\` failed (see its messages above)`)
}

let built = null
for (const line of out.split('\n')) {
  if (!line.startsWith('{')) continue
  const msg = JSON.parse(line)
  if (msg.reason !== 'compiler-artifact' || !msg.target || msg.target.name !== 'leadrail_node') continue
  built = msg.filenames.find((f) => /\.(so|dylib|dll)$/.test(f)) || built
}
if (!built) fail('cargo reported no addon library for `leadrail-node`')

const dest = path.join(here, `leadrail.${platformSuffix(host)}.node`)
// Write a new file and rename it over the old one: a process that has the old addon loaded keeps
// its mapping, and a failed copy never leaves half a file behind.
const tmp = `${dest}.${process.pid}.tmp`
fs.copyFileSync(built, tmp)
fs.renameSync(tmp, dest)
console.error(`leadrail: built ${path.relative(process.cwd(), dest) || dest} (${profile}, ${host})`)
