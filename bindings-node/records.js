'use strict'
// The record encoder of index.js (its one conversion path, see there): records read in
// JavaScript into one encoded column per field, for src/wire.rs.
//
// index.js evaluates this file once per role (the leads of every routing call, and the
// partners of `network`): V8 keeps the type feedback of a property read per evaluation, so the
// lines of `readFields` that read lead fields see only the lead schema's keys. With one
// evaluation for both, the partner fields (other keys at the same lines) made each lead read a
// lookup: W1's lead encoding ran about 1.6x slower.

const { types } = require('node:util')

// The codes of the encoded columns (core's, through src/wire.rs).
const { MISSING, NUMBER, OTHER } = require('./native.js')._wire()
// The first capacity of an encoded column: it grows as the rows arrive, so that a sparse array
// claiming 2 ** 32 - 1 items allocates nothing big before its first hole.
const FIRST_CAPACITY = 2 ** 16

const { isArray } = Array
const { getPrototypeOf } = Object
const ObjectProto = Object.prototype

/** An array as the addon sees one (a Proxy is not an array to `napi_is_array`). */
const plainArray = (x) => isArray(x) && !types.isProxy(x)

/** Whether an element of a list of records is read as an object (else core reports it). */
function isRecord(o) {
  if (typeof o !== 'object' || o === null) return false
  const proto = getPrototypeOf(o)
  if (proto === ObjectProto || proto === null) return true
  return !(plainArray(o) || types.isDate(o))
}

/** Whether index `i` of `a` is a hole (an index below `length` without an item). */
const isHole = (a, i) => i < a.length && !(i in a)

/** The wire form of a column: `[codes, nums, text, lens, otherRows, otherVals, hole]`. */
function wire(codes, nums, strs, rows, vals, hole = -1) {
  const lens = new Uint32Array(strs.length)
  for (let i = 0; i < strs.length; i++) lens[i] = strs[i].length
  return [codes, nums, strs.join(''), lens, rows, vals, hole]
}

/**
 * The ids being read (each its own entry, appended to one string: V8 concatenates without
 * copying, and the addon reads the result once).
 */
const newIds = (capacity) => ({ codes: new Uint32Array(capacity), nums: null, text: '', lens: new Uint32Array(capacity), k: 0, rows: [], vals: [] })

/** Room for `capacity` rows in `a` (a typed array, or null). */
function grow(a, capacity) {
  if (a === null) return null
  const b = new a.constructor(capacity)
  b.set(a)
  return b
}

/**
 * Records `a..b` of `records` with the schema's `fields`, each read live from `records` (as one
 * pass over the whole array reads it, so a chunk sees what that pass would see):
 * `[ids, fields, badRows, badVals, hole]`, rows numbered from 0 at `a`. The id and then the
 * fields are read once per record, in schema order. Strings of fields are dictionary-encoded;
 * finite numbers go to `nums`; NaN and the infinities, like every other value, go to Rust as
 * they are.
 *
 * One pass reads the id and the first three fields, each further pass four more fields
 * (`readFields`), each field from its own line of code with its own local state: a property
 * read whose key is always the same is a cached load for V8, where one line reading every
 * field is a lookup per read (about three times slower on W1). Records that stop being
 * records between passes (a getter changed the array) read as missing in the later passes.
 */
function encodeRecords(records, fields, a, b) {
  const n = b - a
  const first = { ids: newIds(Math.min(n, FIRST_CAPACITY)), badRows: [], badVals: [], hole: -1 }
  const cols = readFields(records, a, n, fields.slice(0, 3), first)
  if (first.hole >= 0) return [null, null, null, null, first.hole]
  for (let j = 3; j < fields.length; j += 4) cols.push(...readFields(records, a, n, fields.slice(j, j + 4), null))
  const { codes, nums, text, lens, k, rows, vals } = first.ids
  const ids = [codes.subarray(0, n), nums && nums.subarray(0, n), text, lens.subarray(0, k), rows, vals, -1]
  return [ids, cols, first.badRows, first.badVals, -1]
}

/**
 * Reads up to four fields (`keys`) of records `a..a + n`, each into its own column; `first`
 * (the first pass, with up to three keys): also the ids, the rows that are not records and the
 * first hole, into `first`.
 */
function readFields(records, a, n, keys, first) {
  const [k0, k1, k2, k3] = keys
  const w = keys.length
  let capacity = Math.min(n, FIRST_CAPACITY)
  let c0 = new Uint32Array(w > 0 ? capacity : 0), m0 = Object.create(null), s0 = [], r0 = [], v0 = [], f0 = null
  let c1 = new Uint32Array(w > 1 ? capacity : 0), m1 = Object.create(null), s1 = [], r1 = [], v1 = [], f1 = null
  let c2 = new Uint32Array(w > 2 ? capacity : 0), m2 = Object.create(null), s2 = [], r2 = [], v2 = [], f2 = null
  let c3 = new Uint32Array(w > 3 ? capacity : 0), m3 = Object.create(null), s3 = [], r3 = [], v3 = [], f3 = null
  // the ids (first pass): local while reading
  const ids = first === null ? newIds(0) : first.ids
  let { codes: ci, nums: fi, lens: li, text: ti, k: ki } = ids
  for (let i = 0; i < n; i++) {
    if (i === capacity) {
      capacity = Math.min(n, 2 * capacity)
      ;[c0, c1, c2, c3] = [grow(c0, w > 0 ? capacity : 0), grow(c1, w > 1 ? capacity : 0), grow(c2, w > 2 ? capacity : 0), grow(c3, w > 3 ? capacity : 0)]
      ;[f0, f1, f2, f3] = [grow(f0, capacity), grow(f1, capacity), grow(f2, capacity), grow(f3, capacity)]
      if (first !== null) [ci, fi, li] = [grow(ci, capacity), grow(fi, capacity), grow(li, capacity)]
    }
    const o = records[a + i]
    if (!isRecord(o)) {
      if (first !== null) {
        if (o === undefined && isHole(records, a + i)) {
          first.hole = i
          return []
        }
        first.badRows.push(i)
        first.badVals.push(o)
        ci[i] = MISSING
      }
      c0[i] = c1[i] = c2[i] = c3[i] = MISSING
      continue
    }
    let x
    if (first !== null) {
      x = o.id
      if (typeof x === 'string') { ci[i] = ki; li[ki++] = x.length; ti += x }
      else if (typeof x === 'number' && x - x === 0) { if (fi === null) fi = new Float64Array(capacity); fi[i] = x; ci[i] = NUMBER }
      else if (x === undefined || x === null) ci[i] = MISSING
      else { ci[i] = OTHER; ids.rows.push(i); ids.vals.push(x) }
    }
    if (w < 1) continue
    x = o[k0]
    if (typeof x === 'string') { let c = m0[x]; if (c === undefined) { c = s0.length; m0[x] = c; s0.push(x) } c0[i] = c }
    else if (typeof x === 'number' && x - x === 0) { if (f0 === null) f0 = new Float64Array(capacity); f0[i] = x; c0[i] = NUMBER }
    else if (x === undefined || x === null) c0[i] = MISSING
    else { c0[i] = OTHER; r0.push(i); v0.push(x) }
    if (w < 2) continue
    x = o[k1]
    if (typeof x === 'string') { let c = m1[x]; if (c === undefined) { c = s1.length; m1[x] = c; s1.push(x) } c1[i] = c }
    else if (typeof x === 'number' && x - x === 0) { if (f1 === null) f1 = new Float64Array(capacity); f1[i] = x; c1[i] = NUMBER }
    else if (x === undefined || x === null) c1[i] = MISSING
    else { c1[i] = OTHER; r1.push(i); v1.push(x) }
    if (w < 3) continue
    x = o[k2]
    if (typeof x === 'string') { let c = m2[x]; if (c === undefined) { c = s2.length; m2[x] = c; s2.push(x) } c2[i] = c }
    else if (typeof x === 'number' && x - x === 0) { if (f2 === null) f2 = new Float64Array(capacity); f2[i] = x; c2[i] = NUMBER }
    else if (x === undefined || x === null) c2[i] = MISSING
    else { c2[i] = OTHER; r2.push(i); v2.push(x) }
    if (w < 4) continue
    x = o[k3]
    if (typeof x === 'string') { let c = m3[x]; if (c === undefined) { c = s3.length; m3[x] = c; s3.push(x) } c3[i] = c }
    else if (typeof x === 'number' && x - x === 0) { if (f3 === null) f3 = new Float64Array(capacity); f3[i] = x; c3[i] = NUMBER }
    else if (x === undefined || x === null) c3[i] = MISSING
    else { c3[i] = OTHER; r3.push(i); v3.push(x) }
  }
  Object.assign(ids, { codes: ci, nums: fi, lens: li, text: ti, k: ki })
  const cut = (f) => f && f.subarray(0, n)
  const out = [
    wire(c0.subarray(0, n), cut(f0), s0, r0, v0),
    wire(c1.subarray(0, n), cut(f1), s1, r1, v1),
    wire(c2.subarray(0, n), cut(f2), s2, r2, v2),
    wire(c3.subarray(0, n), cut(f3), s3, r3, v3),
  ]
  return out.slice(0, w)
}

module.exports = { FIRST_CAPACITY, encodeRecords, grow, isHole, isRecord, plainArray, wire }
