/**
 * The state digest: `digestOf` walks a value without building its canonical JSON, and must give
 * exactly the two FNV-1a hashes of that text — which is what `state` and `ckpt` records carry.
 * `textDigest` below is that definition, written the straightforward way, and is the reference
 * every test here compares with: `digestOf`'s shortcuts (insertion-sorted keys, integers two digits
 * at a time, the escape check inside the hashing loop) must never change a bit.
 */
import test from 'ava';
import fc from 'fast-check';
import { canonicalJson, digestOf, fnv1a, hex64 } from '../../src/kernel/contract/hash.ts';

/** The definition: both FNV-1a hashes of the canonical JSON text. */
function textDigest(value: unknown): string {
  const json = canonicalJson(value);
  return fnv1a(json).toString(16).padStart(8, '0') + fnv1a(json, 0x9747b28c).toString(16).padStart(8, '0');
}

test('digestOf is FNV-1a of the canonical JSON, for any value JSON can write', (t) => {
  const values = fc.anything({
    withBoxedValues: false,
    withMap: false,
    withSet: false,
    withBigInt: false,
    withSparseArray: true,
    withNullPrototype: true,
    withTypedArray: true,
    withDate: true,
    withObjectString: true,
    stringUnit: 'binary',
  });
  fc.assert(
    fc.property(values, (value) => {
      t.is(digestOf(value), textDigest(value));
    }),
    { numRuns: 2000 },
  );
});

test('digestOf escapes as JSON does: quotes, backslashes, control characters, lone surrogates', (t) => {
  for (const text of ['"', '\\', '\n', '\u0000', '\ud800', 'a\udc00b', '😀', 'é', '', '-0']) {
    const value = { [text]: text, list: [text, -0, NaN, Infinity, undefined, null, true] };
    t.is(digestOf(value), textDigest(value));
  }
});

test('digestOf writes integers as JSON does, around every boundary of its shortcut', (t) => {
  for (const n of [0, -0, 1, -1, 9, 10, 99, 100, 2 ** 31 - 1, 2 ** 31, -(2 ** 31), 0xffffffff, 0xffffffff + 1, -0xffffffff, 2 ** 53, 1e21, 0.5, -1.5e-7]) {
    t.is(digestOf([n]), textDigest([n]), String(n));
  }
  fc.assert(fc.property(fc.integer({ min: -(2 ** 33), max: 2 ** 33 }), (n) => digestOf(n) === textDigest(n)));
});

/** Numbers around every shortcut's edge: -0, 32-bit and safe-integer bounds, fractions, non-finite. */
const edgeNumber = fc.oneof(
  fc.constantFrom(0, -0, 9, 10, 99, 100, 101, 999, 1000, 2 ** 31, 0xffffffff, 2 ** 32, 2 ** 53, 2 ** 53 + 2, -(2 ** 53), 1e21, 1e-7, 0.1, NaN, Infinity, -Infinity),
  fc.integer({ min: -(2 ** 32) - 5, max: 2 ** 32 + 5 }),
  fc.nat({ max: 99999 }),
  fc.double(),
);

/** Strings that need no escaping and strings that do: quotes, backslashes, controls, unicode, lone surrogates. */
const edgeString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.string({ unit: fc.constantFrom('a', 'Z', '"', '\\', '\n', '\u0000', '\u001f', '\u007f', 'é', '\u2028', '😀', '\ud800', '\udfff', '/') }),
);

/** Keys that sort differently as text than in insertion or integer order (`Object.keys` puts integer-like keys first). */
const edgeKey = fc.oneof(edgeString, fc.constantFrom('a', 'b', 'B', '_', '10', '9', '2', '-1', '01', 'é', 'e', '😀', '\ufffd', ''));

const nested = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, tie('leaf'), tie('array'), tie('object'), tie('wide')),
  leaf: fc.oneof(edgeNumber, edgeString, fc.constantFrom(null, true, false, undefined)),
  array: fc.array(tie('value'), { maxLength: 6 }),
  object: fc.dictionary(edgeKey, tie('value'), { maxKeys: 8 }),
  // Past the insertion sort's limit (16 keys), where the library sort takes over.
  wide: fc.dictionary(edgeKey, tie('leaf'), { minKeys: 17, maxKeys: 40 }),
}));

test('digestOf equals the definition on random nested values, in any key order', (t) => {
  fc.assert(
    fc.property(nested.value, fc.integer(), (value, seed) => {
      const expected = textDigest(value);
      t.is(digestOf(value), expected);
      // The same entries inserted in another order digest alike.
      t.is(digestOf(reinsert(value, seed)), expected);
    }),
    { numRuns: 3000 },
  );
});

/** A deep copy of `value` with every object's keys inserted in an order drawn from `seed`. */
function reinsert(value: unknown, seed: number): unknown {
  if (Array.isArray(value)) return value.map((item) => reinsert(item, seed));
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value);
  let state = seed >>> 0;
  for (let i = entries.length - 1; i > 0; i--) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    const j = state % (i + 1);
    [entries[i], entries[j]] = [entries[j]!, entries[i]!];
  }
  const copy: Record<string, unknown> = {};
  // defineProperty, so that a `__proto__` key stays an own entry.
  for (const [key, item] of entries) Object.defineProperty(copy, key, { value: reinsert(item, seed + 1), enumerable: true, writable: true, configurable: true });
  return copy;
}

test('hex64 writes each word as toString(16) padded to 8 digits, signed or unsigned', (t) => {
  const padded = (w: number): string => (w >>> 0).toString(16).padStart(8, '0');
  for (const w of [0, 1, 15, 16, 0x7fffffff, -0x80000000, -1, 0xffffffff, 0x80000000, 0x0abcdef0]) t.is(hex64(w, ~w), padded(w) + padded(~w));
  fc.assert(
    fc.property(fc.integer({ min: -0x80000000, max: 0xffffffff }), fc.integer({ min: -0x80000000, max: 0xffffffff }), (a, b) => {
      t.is(hex64(a, b), padded(a) + padded(b));
    }),
    { numRuns: 2000 },
  );
});
