// W1 from Node, two builds of the package in one process: runs interleaved (A B, B A, ...),
// medians and the median ratio of each pair. On a loaded machine the rate of separate processes
// swings from one minute to the next; runs interleaved in one process share that swing.
//
//   node --expose-gc benches/node_ab.mjs BEFORE_DIR [--runs 11] [--leads 100000] [--cpu]
//
// With --expose-gc, a full garbage collection runs (untimed) before each timed run, so that no
// run pays for the garbage of the one before (of the other build: a major collection otherwise
// lands on whichever run is going, up to 30 ms on W1).
//
// --cpu: rates per second of the process's CPU time (user + system, all threads) rather than of
// wall time: on a machine shared with other jobs the wall time is mostly waiting for a core,
// while the CPU time is the work done (the chunked batch's overlap of two threads is then not
// seen; its wall time is).
//
// `BEFORE_DIR` is another checkout's `bindings-node` with its addon built (`npm ci` there);
// "after" is this checkout's. Paths: W1's five (`node_w1.mjs`), and two smaller ones (100
// batches of 1,000 leads, 20,000 single leads with `route`). Each run routes on a fresh network;
// each build runs every path once, untimed, before the timed runs.
import { createRequire } from 'node:module'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { performance } from 'node:perf_hooks'
import { RULES, generate } from './node_w1.mjs'

const require = createRequire(import.meta.url)
const HERE = dirname(fileURLToPath(import.meta.url))

function arg(name, dflt) {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? Number(process.argv[i + 1]) : dflt
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}

async function main() {
  const beforeDir = process.argv[2]
  if (!beforeDir || beforeDir.startsWith('--')) throw new Error('usage: node benches/node_ab.mjs BEFORE_DIR [--runs 11] [--leads 100000]')
  const builds = {
    before: require(join(resolve(beforeDir), 'index.js')),
    after: require(join(HERE, '..', 'bindings-node', 'index.js')),
  }
  const runs = arg('runs', 11)
  const cpu = process.argv.includes('--cpu')
  const clock = () => {
    if (!cpu) return performance.now()
    const { user, system } = process.cpuUsage()
    return (user + system) / 1000
  }
  const { partners, leads } = generate(1, 1_000, arg('leads', 100_000))
  const START = 1_767_603_600_000
  const times = leads.map((_, i) => START + i * 1_000)
  const columns = {
    id: leads.map((l) => l.id),
    region: leads.map((l) => l.region),
    product_line: leads.map((l) => l.product_line),
    deal_size: Float64Array.from(leads, (l) => l.deal_size),
  }
  const small = leads.slice(0, 1_000)
  const smallTimes = times.slice(0, 1_000)
  const single = leads.slice(0, 20_000)
  const n = leads.length
  // path: [leads routed, run(network), one piece]
  const paths = {
    'objects (routeBatch)': [n, (net) => net.routeBatch(leads, times)],
    'objects (routeBatch, one piece)': [n, (net) => net.routeBatch(leads, times), true],
    'objects (routeBatchAsync)': [n, (net) => net.routeBatchAsync(leads, times)],
    'objects -> columns (asColumns)': [n, (net) => net.routeBatch(leads, times, { asColumns: true })],
    'columns (routeColumns)': [n, (net) => net.routeColumns(columns, times)],
    '100 x routeBatch(1,000 leads)': [100_000, (net) => { for (let i = 0; i < 100; i++) net.routeBatch(small, smallTimes) }],
    '20,000 x route(lead)': [single.length, (net) => { for (const l of single) net.route(l, START) }],
  }
  const engines = Object.fromEntries(Object.entries(builds).map(([k, m]) => [k, m.Engine.compile(RULES, 'w1.rail')]))
  const network = (k, onePiece) => {
    const net = engines[k].network(partners)
    if (onePiece) Object.defineProperty(net, '_chunkMinLeads', { value: Infinity })
    return net
  }
  for (const [, run, onePiece] of Object.values(paths)) for (const k of Object.keys(builds)) await run(network(k, onePiece))
  const rates = {}
  for (const p of Object.keys(paths)) rates[p] = { before: [], after: [] }
  for (let r = 0; r < runs; r++) {
    for (const [p, [count, run, onePiece]] of Object.entries(paths)) {
      for (const k of r % 2 === 0 ? ['before', 'after'] : ['after', 'before']) {
        const net = network(k, onePiece)
        globalThis.gc?.()
        const t0 = clock()
        await run(net)
        rates[p][k].push(count / ((clock() - t0) / 1000))
      }
    }
  }
  const fmt = (x) => Math.round(x).toLocaleString('en-US').padStart(12)
  const unit = cpu ? 'decisions/CPU s' : 'decisions/s'
  console.log(`${unit.padEnd(32)} ${'before'.padStart(12)} ${'after'.padStart(12)} ${'after/before'.padStart(13)}  (medians of ${runs} interleaved runs)`)
  for (const [p, { before, after }] of Object.entries(rates)) {
    const pairs = median(before.map((b, i) => after[i] / b))
    console.log(`${p.padEnd(32)} ${fmt(median(before))} ${fmt(median(after))} ${(median(after) / median(before)).toFixed(2).padStart(12)}x  (pairs ${pairs.toFixed(2)}x)`)
  }
}

await main()
