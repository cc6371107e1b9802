'use strict'
// The error class of the package. The addon throws `Error`s carrying a leadrail `code` (core's
// reports, see src/errors.rs); every public function and method of the package is wrapped here
// so that what it throws (or its promise rejects with) is a `LeadrailError`: `instanceof`
// works, and `code`, `help`, `line`, `column`, `file`, `record`, `field` and `diagnostics` are
// the addon's. Errors that are not leadrail's (a getter of a lead that throws, Node's `ENOENT`
// of a missing rule file) pass through as they are.

/** The error every leadrail call throws for a leadrail reason: `code` is a stable leadrail code. */
class LeadrailError extends Error {}
Object.defineProperty(LeadrailError.prototype, 'name', { value: 'LeadrailError', writable: true, configurable: true })

/** `e` with the prototype of `LeadrailError` when it carries a leadrail code. */
function adopt(e) {
  if (e instanceof Error && !(e instanceof LeadrailError) && typeof e.code === 'string' && e.code.startsWith('leadrail::')) {
    Object.setPrototypeOf(e, LeadrailError.prototype)
  }
  return e
}

const rejected = (e) => {
  throw adopt(e)
}

/** `fn` whose thrown errors and rejected promises are adopted. */
function wrap(fn) {
  const wrapped = {
    [fn.name](...args) {
      try {
        const r = fn.apply(this, args)
        return r instanceof Promise ? r.then(undefined, rejected) : r
      } catch (e) {
        throw adopt(e)
      }
    },
  }[fn.name]
  return wrapped
}

/**
 * Wraps the methods and getters of `target` (a prototype or a class) in place: the public ones
 * and the addon's own (`_route`, ...), so that the two paths throw the same class.
 */
function wrapMembers(target) {
  for (const name of Object.getOwnPropertyNames(target)) {
    if (name === 'constructor' || name === 'prototype' || name === 'length' || name === 'name') continue
    const d = Object.getOwnPropertyDescriptor(target, name)
    if (!d.configurable) continue
    if (typeof d.value === 'function') d.value = wrap(d.value)
    else if (typeof d.get === 'function') d.get = wrap(d.get)
    else continue
    Object.defineProperty(target, name, d)
  }
}

/** Wraps every public function and class (statics and methods) of the module's exports. */
function adoptErrors(exports) {
  for (const name of Object.keys(exports)) {
    const x = exports[name]
    if (typeof x !== 'function' || name.startsWith('_') || x === LeadrailError) continue
    if (x.prototype && /^[A-Z]/.test(name)) {
      wrapMembers(x)
      wrapMembers(x.prototype)
    } else {
      exports[name] = wrap(x)
    }
  }
}

module.exports = { LeadrailError, adoptErrors }
