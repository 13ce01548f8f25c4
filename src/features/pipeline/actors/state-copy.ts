/**
 * A copy of an operator's state, for a checkpoint's image, a restore or an inspection: what
 * `structuredClone` makes, made directly for the plain data the operator kinds keep (objects,
 * arrays, numbers, strings, booleans, null). Node 20's `structuredClone` serialises through a
 * message port: ≈ 50–100 µs for a state of a hundred characters, 836 copies ≈ 80 ms of an x-ray
 * hour under stream-replay (bench/README.md, "Session 17 — hour"); this copy takes a few µs.
 *
 * Guarantee: the copy is the one `structuredClone` would make — the same own enumerable keys in
 * the same order, the same values, nothing shared with the original, not frozen. Anything else in
 * the state — a `Map` or `Set`, a class instance, an object without a prototype, an array with
 * holes or extra properties, a `__proto__` key, an object reached twice (structuredClone keeps the
 * sharing, and cycles), a function or symbol (it refuses those) — sends the whole state to
 * `structuredClone`, which then decides as before. How it fails: a `Proxy` over a plain object is
 * copied through its traps where structuredClone refuses it; a state is never one (immer finalises
 * its drafts).
 */

/** What `plainCopy` returns for a value it does not copy itself. */
const NOT_PLAIN: unique symbol = Symbol('not plain data');

/** A copy of `state`, as `structuredClone(state)`. */
export function copyState<T>(state: T): T {
  const copy = plainCopy(state, new Set());
  return copy === NOT_PLAIN ? structuredClone(state) : (copy as T);
}

function plainCopy(value: unknown, seen: Set<object>): unknown {
  if (typeof value !== 'object') return typeof value === 'function' || typeof value === 'symbol' ? NOT_PLAIN : value;
  if (value === null) return null;
  if (seen.has(value)) return NOT_PLAIN;
  seen.add(value);
  const prototype = Object.getPrototypeOf(value) as unknown;
  if (prototype === Array.prototype) {
    const array = value as unknown[];
    const copy: unknown[] = [];
    for (let i = 0; i < array.length; i++) {
      if (!(i in array)) return NOT_PLAIN;
      const item = plainCopy(array[i], seen);
      if (item === NOT_PLAIN) return NOT_PLAIN;
      copy.push(item);
    }
    // No holes, so more keys than items are properties beside the items.
    return Object.keys(array).length === array.length ? copy : NOT_PLAIN;
  }
  if (prototype !== Object.prototype) return NOT_PLAIN;
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    // Assigned, `__proto__` would set the copy's prototype rather than make a key.
    if (key === '__proto__') return NOT_PLAIN;
    const item = plainCopy((value as Record<string, unknown>)[key], seen);
    if (item === NOT_PLAIN) return NOT_PLAIN;
    copy[key] = item;
  }
  return copy;
}
