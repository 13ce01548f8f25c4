/**
 * The format-3 trace hash: the record digest and the fold are what their definitions say (a plain
 * transcription of the spec below); a record's digest is a function of its JSON value (the same
 * for the record and for its line parsed back); the simulator's hot kinds digest exactly as the
 * generic path.
 */
import test from 'ava';
import fc from 'fast-check';
import { digestWords, hex, TraceHasher } from '../../src/kernel/trace-hash.ts';

// The format as kernel/trace-hash.ts's header states it, written out plainly.
const [P1, P2, P3, P4, P5] = [0x9e3779b1, 0x85ebca77, 0xc2b2ae3d, 0x27d4eb2f, 0x165667b1];

/** The two lanes' last mixing. */
function referenceFinish(a: number, b: number): [number, number] {
  a = Math.imul(a ^ (b >>> 16), P3);
  b = Math.imul(b ^ (a >>> 15), P4);
  a = Math.imul(a ^ (b >>> 13), P5);
  b = Math.imul(b ^ (a >>> 16), P3);
  a ^= b >>> 16;
  return [a, b ^ (a >>> 15)];
}

/** A record digest: lane a takes the even-numbered words, lane b the odd ones, then the two are finished. */
function referenceDigest(words: readonly number[]): [number, number] {
  const lanes = [0x243f6a88 ^ words.length, 0x85a308d3 | 0];
  words.forEach((word, i) => {
    const lane = Math.imul(lanes[i % 2]! ^ word, i % 2 === 0 ? P1 : P2);
    lanes[i % 2] = lane ^ (lane >>> 15);
  });
  return referenceFinish(lanes[0]!, lanes[1]!);
}

/** The trace hash: two chains over the record digests, each finished with the record count. */
function referenceTraceHash(digests: readonly [number, number][]): string {
  let [h1, h2, h3, h4] = [0x13198a2e, 0x03707344, 0xa4093822 | 0, 0x299f31d0];
  for (const [d1, d2] of digests) {
    h1 = Math.imul(h1 ^ d1, P1);
    h2 = Math.imul(h2 ^ d2, P2);
    h1 ^= h2 >>> 15;
    h2 ^= h1 >>> 13;
    h3 = Math.imul(h3 ^ d2, P3);
    h4 = Math.imul(h4 ^ d1, P4);
    h3 ^= h4 >>> 16;
    h4 ^= h3 >>> 11;
  }
  const n = digests.length;
  return hex(...referenceFinish(h1 ^ n, h2), ...referenceFinish(h3 ^ Math.floor(n / 2 ** 32), h4 ^ n));
}

function digestOfWords(words: readonly number[]): [number, number] {
  const out = new Int32Array(2);
  digestWords(Int32Array.from(words), words.length, out);
  return [out[0]!, out[1]!];
}

const word = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });

test('digestWords is the record digest as specified', (t) => {
  fc.assert(
    fc.property(fc.array(word, { maxLength: 40 }), (words) => {
      t.deepEqual(digestOfWords(words), referenceDigest(words));
    }),
    { numRuns: 500 },
  );
});

test('word sequences of one length that differ in one word always digest apart (each step is a bijection)', (t) => {
  fc.assert(
    fc.property(fc.array(word, { minLength: 1, maxLength: 20 }), fc.nat(), word, (words, at, other) => {
      const i = at % words.length;
      fc.pre(words[i] !== other);
      const changed = [...words];
      changed[i] = other;
      t.notDeepEqual(digestOfWords(words), digestOfWords(changed));
    }),
    { numRuns: 2000 },
  );
  // The length is part of the digest: a trailing zero word is not the missing one.
  t.notDeepEqual(digestOfWords([1, 2, 3]), digestOfWords([1, 2, 3, 0]));
});

function digestOf(record: object): string {
  const h = new TraceHasher();
  h.digest(record);
  return hex(h.d1, h.d2, 0, 0);
}

/** JSON-ish values with what JSON normalises: undefined, NaN, ±Infinity, -0, lone surrogates, nesting. */
const jsonish = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.string({ unit: 'binary' }),
    fc.double(),
    fc.constantFrom(-0, NaN, Infinity, -Infinity, 0, 2 ** 53, 1e-300),
    fc.boolean(),
    fc.constant(null),
    fc.constant(undefined),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.string({ maxLength: 6 }), tie('value'), { maxKeys: 5 }),
  ),
})).value;

test('a record digests as its line parsed back: the digest is a function of the JSON value', (t) => {
  fc.assert(
    fc.property(fc.dictionary(fc.string({ maxLength: 6 }), jsonish, { maxKeys: 8 }), (fields) => {
      const record = { t: 5, k: 'x', a: 'actor', n: 1, ...fields };
      t.is(digestOf(record), digestOf(JSON.parse(JSON.stringify(record))));
    }),
    { numRuns: 1000 },
  );
  const withToJson = { t: 1, k: 'x', a: 'a', n: 0, when: { toJSON: () => 'then' } };
  t.is(digestOf(withToJson), digestOf(JSON.parse(JSON.stringify(withToJson))));
});

test('digests tell apart what JSON tells apart', (t) => {
  const base = { t: 1, k: 'x', a: 'a', n: 0 };
  const variants = [base, { ...base, t: 2 }, { ...base, v: '' }, { ...base, v: null }, { ...base, v: 0 }, { ...base, v: false }, { ...base, v: [] }, { ...base, v: {} }, { ...base, v: [null] }, { ...base, v: 'ab' }, { ...base, v: ['a', 'b'] }, { n: 0, t: 1, k: 'x', a: 'a' }];
  t.is(new Set(variants.map(digestOf)).size, variants.length);
});

test('the hot kinds digest exactly as the generic path, which uses their short form', (t) => {
  const text = fc.string({ unit: 'binary', maxLength: 20 });
  const int = fc.nat({ max: 2 ** 53 - 1 });
  const num = fc.oneof(int, fc.double({ noNaN: true, noDefaultInfinity: true }));
  fc.assert(
    fc.property(int, text, int, text, text, num, (time, a, n, other, msg, x) => {
      const hot = new TraceHasher();
      const hex4 = () => hex(hot.d1, hot.d2, 0, 0);
      hot.digestSend(time, hot.intern(a), n, hot.intern(other), msg, x);
      t.is(hex4(), digestOf({ t: time, k: 'send', a, n, to: other, msg, bytes: x }));
      hot.digestRecv(time, hot.intern(a), n, hot.intern(other), msg, x);
      t.is(hex4(), digestOf({ t: time, k: 'recv', a, n, from: other, msg, s: x }));
      hot.digestTimer(time, hot.intern(a), n, msg);
      t.is(hex4(), digestOf({ t: time, k: 'timer', a, n, name: msg }));
    }),
    { numRuns: 500 },
  );
});

test('the fused hot paths digest as the word-buffer path for any numbers and strings, memo hits and a full cache included', (t) => {
  // Numbers around the encodings' edges: small, near 2^32 (where the high word starts to count),
  // large safe integers, -0, and some that take the long form (fractions, negatives, unsafe).
  const edge = fc.oneof(
    fc.nat({ max: 1000 }),
    fc.integer({ min: 2 ** 32 - 3, max: 2 ** 32 + 3 }),
    fc.nat({ max: Number.MAX_SAFE_INTEGER }),
    fc.constantFrom(-0, 0.5, -1, 2 ** 53, 1e300),
  );
  const text = fc.string({ unit: 'binary', maxLength: 12 });
  const record = fc.record({ k: fc.constantFrom('send', 'recv', 'timer'), time: edge, a: text, n: edge, other: text, msg: fc.constantFrom('token', 'ping', 'hold'), x: edge });
  fc.assert(
    fc.property(fc.array(record, { minLength: 1, maxLength: 20 }), (records) => {
      // One hasher for the whole sequence, so the last-named memo and the cache are exercised.
      const hot = new TraceHasher();
      for (const { k, time, a, n, other, msg, x } of records) {
        if (k === 'send') hot.digestSend(time, hot.intern(a), n, hot.intern(other), msg, x);
        else if (k === 'recv') hot.digestRecv(time, hot.intern(a), n, hot.intern(other), msg, x);
        else hot.digestTimer(time, hot.intern(a), n, msg);
        const fields = k === 'send' ? { to: other, msg, bytes: x } : k === 'recv' ? { from: other, msg, s: x } : { name: msg };
        t.is(hex(hot.d1, hot.d2, 0, 0), digestOf({ t: time, k, a, n, ...fields }));
      }
    }),
    { numRuns: 300 },
  );
  // Past the cache of message types, a type is digested afresh each time: the same digests.
  const h = new TraceHasher();
  const [a, b] = [h.intern('alice'), h.intern('bob')];
  for (let i = 0; i < 5_000; i++) {
    h.digestSend(i, a, i, b, `type-${i}`, 64);
    if (i % 97 === 0) t.is(hex(h.d1, h.d2, 0, 0), digestOf({ t: i, k: 'send', a: 'alice', n: i, to: 'bob', msg: `type-${i}`, bytes: 64 }), `record ${i}`);
  }
});

test('a hot kind digests as its line parsed back, whatever its fields (short form or not)', (t) => {
  const odd = fc.oneof(fc.string({ unit: 'binary', maxLength: 8 }), fc.double(), fc.constantFrom(-0, NaN, Infinity, undefined, null, 7));
  fc.assert(
    fc.property(fc.constantFrom('send', 'recv', 'timer'), odd, odd, odd, odd, odd, fc.boolean(), (k, a, n, x, y, z, extra) => {
      const fields = k === 'send' ? { to: x, msg: y, bytes: z } : k === 'recv' ? { from: x, msg: y, s: z } : { name: x };
      const record = { t: 10, k, a, n, ...fields, ...(extra ? { more: 1 } : {}) };
      t.is(digestOf(record), digestOf(JSON.parse(JSON.stringify(record))));
    }),
    { numRuns: 2000 },
  );
  // Many distinct strings: past the hasher's cache, they are digested afresh, to the same result
  // as a hasher that has seen nothing yet.
  const h = new TraceHasher();
  for (let i = 0; i < 5_000; i++) {
    const record = { t: i, k: 'send', a: `actor-${i}`, n: i, to: `peer-${i}`, msg: `type-${i}`, bytes: 64 };
    h.digest(record);
    if (i % 97 !== 0) continue;
    const fresh = new TraceHasher();
    fresh.digest(JSON.parse(JSON.stringify(record)));
    t.deepEqual([h.d1, h.d2], [fresh.d1, fresh.d2], `record ${i}`);
  }
});

test('the trace hash folds record digests in order', (t) => {
  const records = Array.from({ length: 50 }, (_, i) => ({ t: i, k: 'state', a: `x-${i % 3}`, n: i }));
  const hash = (order: readonly object[]) => {
    const h = new TraceHasher();
    for (const r of order) {
      h.digest(r);
      h.foldLast();
    }
    return h.hex();
  };
  t.regex(hash(records), /^[0-9a-f]{32}$/);
  // It is the two chains over the record digests, in order.
  const digests = records.map((r): [number, number] => {
    const h = new TraceHasher();
    h.digest(r);
    return [h.d1, h.d2];
  });
  t.is(hash(records), referenceTraceHash(digests));
  t.is(hash(records), hash(records.map((r) => JSON.parse(JSON.stringify(r)))));
  t.not(hash(records), hash([...records].reverse()));
  t.not(hash(records), hash(records.slice(1)));
  t.not(hash([]), hash(records.slice(0, 1)));
});
