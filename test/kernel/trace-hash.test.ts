/**
 * The format-2 trace hash: MurmurHash3 x86-128 as the reference computes it; a record's digest is a
 * function of its JSON value (the same for the record and for its line parsed back); the
 * simulator's hand-written hot kinds digest exactly as the generic path.
 */
import test from 'ava';
import fc from 'fast-check';
import { hex, murmur128, TraceHasher } from '../../src/kernel/trace-hash.ts';

/** MurmurHash3_x86_128 over bytes, seed 0, transcribed from the reference C code (smhasher). */
function referenceMurmur(bytes: Uint8Array): string {
  const c1 = 0x239b961b, c2 = 0xab0e9789, c3 = 0x38b34ae5, c4 = 0xa1e38b93;
  const rotl = (x: number, r: number) => (x << r) | (x >>> (32 - r));
  const fmix = (h: number) => {
    h ^= h >>> 16; h = Math.imul(h, 0x85ebca6b); h ^= h >>> 13; h = Math.imul(h, 0xc2b2ae35); return h ^ (h >>> 16);
  };
  const word = (i: number) => bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24);
  let h1 = 0, h2 = 0, h3 = 0, h4 = 0;
  const blocks = Math.floor(bytes.length / 16);
  for (let b = 0; b < blocks; b++) {
    let k1 = word(b * 16), k2 = word(b * 16 + 4), k3 = word(b * 16 + 8), k4 = word(b * 16 + 12);
    k1 = Math.imul(k1, c1); k1 = rotl(k1, 15); k1 = Math.imul(k1, c2); h1 ^= k1;
    h1 = rotl(h1, 19); h1 = (h1 + h2) | 0; h1 = (Math.imul(h1, 5) + 0x561ccd1b) | 0;
    k2 = Math.imul(k2, c2); k2 = rotl(k2, 16); k2 = Math.imul(k2, c3); h2 ^= k2;
    h2 = rotl(h2, 17); h2 = (h2 + h3) | 0; h2 = (Math.imul(h2, 5) + 0x0bcaa747) | 0;
    k3 = Math.imul(k3, c3); k3 = rotl(k3, 17); k3 = Math.imul(k3, c4); h3 ^= k3;
    h3 = rotl(h3, 15); h3 = (h3 + h4) | 0; h3 = (Math.imul(h3, 5) + 0x96cd1c35) | 0;
    k4 = Math.imul(k4, c4); k4 = rotl(k4, 18); k4 = Math.imul(k4, c1); h4 ^= k4;
    h4 = rotl(h4, 13); h4 = (h4 + h1) | 0; h4 = (Math.imul(h4, 5) + 0x32ac3b17) | 0;
  }
  const tail = blocks * 16;
  let k1 = 0, k2 = 0, k3 = 0, k4 = 0;
  const rest = bytes.length & 15;
  for (let i = rest - 1; i >= 0; i--) {
    const v = bytes[tail + i];
    if (i >= 12) k4 ^= v << ((i - 12) * 8);
    else if (i >= 8) k3 ^= v << ((i - 8) * 8);
    else if (i >= 4) k2 ^= v << ((i - 4) * 8);
    else k1 ^= v << (i * 8);
  }
  if (rest > 12) { k4 = Math.imul(k4, c4); k4 = rotl(k4, 18); k4 = Math.imul(k4, c1); h4 ^= k4; }
  if (rest > 8) { k3 = Math.imul(k3, c3); k3 = rotl(k3, 17); k3 = Math.imul(k3, c4); h3 ^= k3; }
  if (rest > 4) { k2 = Math.imul(k2, c2); k2 = rotl(k2, 16); k2 = Math.imul(k2, c3); h2 ^= k2; }
  if (rest > 0) { k1 = Math.imul(k1, c1); k1 = rotl(k1, 15); k1 = Math.imul(k1, c2); h1 ^= k1; }
  h1 ^= bytes.length; h2 ^= bytes.length; h3 ^= bytes.length; h4 ^= bytes.length;
  h1 = (h1 + h2 + h3 + h4) | 0; h2 = (h2 + h1) | 0; h3 = (h3 + h1) | 0; h4 = (h4 + h1) | 0;
  h1 = fmix(h1); h2 = fmix(h2); h3 = fmix(h3); h4 = fmix(h4);
  h1 = (h1 + h2 + h3 + h4) | 0; h2 = (h2 + h1) | 0; h3 = (h3 + h1) | 0; h4 = (h4 + h1) | 0;
  return hex(h1, h2, h3, h4);
}

function murmurHex(words: readonly number[]): string {
  const out = new Int32Array(4);
  murmur128(Int32Array.from(words), words.length, out);
  return hex(out[0], out[1], out[2], out[3]);
}

test('murmur128 over words is MurmurHash3 x86-128 over their little-endian bytes', (t) => {
  // A published vector: the empty input with seed 0 hashes to zero.
  t.is(murmurHex([]), '0'.repeat(32));
  fc.assert(
    fc.property(fc.array(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { maxLength: 40 }), (words) => {
      t.is(murmurHex(words), referenceMurmur(new Uint8Array(new Int32Array(words).buffer)));
    }),
    { numRuns: 500 },
  );
});

function digestOf(record: object): string {
  const h = new TraceHasher();
  h.digest(record);
  return hex(h.d1, h.d2, h.d3, h.d4);
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
      const hex4 = () => hex(hot.d1, hot.d2, hot.d3, hot.d4);
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
        t.is(hex(hot.d1, hot.d2, hot.d3, hot.d4), digestOf({ t: time, k, a, n, ...fields }));
      }
    }),
    { numRuns: 300 },
  );
  // Past the cache of message types, a type is digested afresh each time: the same digests.
  const h = new TraceHasher();
  const [a, b] = [h.intern('alice'), h.intern('bob')];
  for (let i = 0; i < 5_000; i++) {
    h.digestSend(i, a, i, b, `type-${i}`, 64);
    if (i % 97 === 0) t.is(hex(h.d1, h.d2, h.d3, h.d4), digestOf({ t: i, k: 'send', a: 'alice', n: i, to: 'bob', msg: `type-${i}`, bytes: 64 }), `record ${i}`);
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
    t.deepEqual([h.d1, h.d2, h.d3, h.d4], [fresh.d1, fresh.d2, fresh.d3, fresh.d4], `record ${i}`);
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
  // It is MurmurHash3 over the record digests laid end to end.
  const digests: number[] = [];
  for (const r of records) {
    const h = new TraceHasher();
    h.digest(r);
    digests.push(h.d1, h.d2, h.d3, h.d4);
  }
  t.is(hash(records), murmurHex(digests));
  t.is(hash(records), hash(records.map((r) => JSON.parse(JSON.stringify(r)))));
  t.not(hash(records), hash([...records].reverse()));
  t.not(hash(records), hash(records.slice(1)));
});
