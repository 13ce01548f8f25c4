/**
 * The state digest: `digestOf` walks a value without building its canonical JSON, and must give
 * exactly the two FNV-1a hashes of that text — which is what `state` and `ckpt` records carry.
 */
import test from 'ava';
import fc from 'fast-check';
import { canonicalJson, digestOf, fnv1a } from '../../src/kernel/contract/hash.ts';

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
