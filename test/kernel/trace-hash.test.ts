/**
 * The format-4 trace hash: the record digest, the string digest, the encoding and the fold are
 * what their definitions say (a plain transcription of kernel/trace-hash.ts's header below); a
 * record's digest is a function of its JSON value (the same for the record and for its line parsed
 * back); the simulator's hot kinds digest exactly as the generic path; any one change to a record
 * (a value, a key, the keys' order, a member more or less) changes its digest.
 */
import test from 'ava';
import fc from 'fast-check';
import { recordShape, type ShapeFieldType } from '../../src/kernel/contract/record-shape.ts';
import { digestWords, hex, stringDigest, TraceHasher } from '../../src/kernel/trace-hash.ts';

// The format as kernel/trace-hash.ts's header states it, written out plainly.
const [P1, P2, P3, P4, P5] = [0x9e3779b1, 0x85ebca77, 0xc2b2ae3d, 0x27d4eb2f, 0x165667b1];
const [SEED_A, SEED_B] = [0x243f6a88, 0x85a308d3 | 0];
const [OBJECT, ARRAY, STRING, NUMBER, TRUE, FALSE, NULL, RECORD, SMALL, UINT] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

/** The two lanes' last mixing. */
function referenceFinish(a: number, b: number): [number, number] {
  a = Math.imul(a ^ (b >>> 16), P3);
  b = Math.imul(b ^ (a >>> 15), P4);
  a = Math.imul(a ^ (b >>> 13), P5);
  b = Math.imul(b ^ (a >>> 16), P3);
  a ^= b >>> 16;
  return [a, b ^ (a >>> 15)];
}

/** The lanes over `words` from `seedA`: lane a takes the even-numbered words, lane b the odd ones. */
function referenceLanes(words: readonly number[], seedA: number): [number, number] {
  const lanes = [seedA, SEED_B];
  words.forEach((word, i) => {
    const lane = Math.imul(lanes[i % 2]! ^ word, i % 2 === 0 ? P1 : P2);
    lanes[i % 2] = lane ^ (lane >>> 15);
  });
  return [lanes[0]!, lanes[1]!];
}

/** A record digest: the lanes, then lane a with the word count, finished. */
function referenceDigest(words: readonly number[]): [number, number] {
  const [a, b] = referenceLanes(words, SEED_A);
  return referenceFinish(a ^ words.length, b);
}

/** A string digest: the lanes over its code units two per word, lane a from `SEED_A ^ length`, finished. */
function referenceString(s: string): [number, number] {
  const words: number[] = [];
  for (let i = 0; i < s.length; i += 2) words.push(s.charCodeAt(i) | (i + 1 < s.length ? s.charCodeAt(i + 1) << 16 : 0));
  return referenceFinish(...referenceLanes(words, SEED_A ^ s.length));
}

/** A shape: the chain from its root over each key's digest and whether its value is a string. */
function referenceShape(root: [number, number], keys: readonly [string, boolean][]): [number, number] {
  let [x, y] = root;
  for (const [key, isString] of keys) {
    const [kl, kh] = referenceString(key);
    x = Math.imul(x ^ kl, P3);
    y = Math.imul(y ^ kh ^ (isString ? 0xbe5466cf : 0), P4);
    x ^= y >>> 15;
    y ^= x >>> 13;
  }
  return [x, y];
}

const isUint = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;

/** A number's tagged words. */
function referenceNumber(x: number): number[] {
  if (isUint(x) || Object.is(x, -0)) {
    if (x < 2 ** 24) return [(SMALL << 24) | x];
    return [(UINT << 24) | Math.floor(x / 2 ** 32), x % 2 ** 32 | 0];
  }
  if (!Number.isFinite(x)) return [NULL];
  const bits = new Int32Array(new Float64Array([x]).buffer);
  return [NUMBER, bits[0]!, bits[1]!];
}

/** A JSON value's words, tagged (the value as `JSON.parse` gives it back: no undefined, no toJSON). */
function referenceWords(value: unknown): number[] {
  if (typeof value === 'string') return [STRING, ...referenceString(value)];
  if (typeof value === 'number') return referenceNumber(value);
  if (value === true) return [TRUE];
  if (value === false) return [FALSE];
  if (value === null) return [NULL];
  if (Array.isArray(value)) {
    const head = value.length < 0xffffff ? [(ARRAY << 24) | value.length] : [(ARRAY << 24) | 0xffffff, value.length];
    return [...head, ...value.flatMap(referenceWords)];
  }
  const members = Object.entries(value as object);
  const valueWords = (v: unknown) => (typeof v === 'string' ? referenceString(v) : referenceWords(v));
  const [t, k, a, n] = members;
  const record = members.length >= 4 && t![0] === 't' && isUint(t![1]) && k![0] === 'k' && typeof k![1] === 'string' && a![0] === 'a' && typeof a![1] === 'string' && n![0] === 'n' && isUint(n![1]);
  const shapeOf = (ms: [string, unknown][]) => ms.map(([key, v]): [string, boolean] => [key, typeof v === 'string']);
  if (record) {
    const [kl, kh] = referenceString(k![1] as string);
    const rest = members.slice(4);
    const uint = (x: number) => [(UINT << 24) | Math.floor(x / 2 ** 32), x % 2 ** 32 | 0];
    return [RECORD, ...referenceShape([kl ^ 0x452821e6, kh ^ 0x38d01377], shapeOf(rest)), ...uint(t![1] as number), ...referenceString(a![1] as string), ...uint(n![1] as number), ...rest.flatMap(([, v]) => valueWords(v))];
  }
  return [OBJECT, ...referenceShape([0x082efa98, 0xec4e6c89 | 0], shapeOf(members)), ...members.flatMap(([, v]) => valueWords(v))];
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

test('words that differ only in one lane meet in its 32 bits of state (a constructed pair): the header\'s odds of about 2^-32 for that case', (t) => {
  // Lane a takes words 0 and 2. Change word 0, then solve word 2 so that lane a ends as before: the
  // step `lane = (lane ^ w)·P1; lane ^= lane >>> 15` is inverted (xorshift, then P1's inverse mod 2^32).
  let inverse = P1;
  for (let i = 0; i < 5; i++) inverse = Math.imul(inverse, 2 - Math.imul(P1, inverse));
  const step = (lane: number, w: number) => {
    const m = Math.imul(lane ^ w, P1);
    return m ^ (m >>> 15);
  };
  const words = [11, 22, 33, 44];
  const target = step(step(SEED_A, words[0]!), words[2]!);
  const changed = [12345, 22, 0, 44];
  const m = target ^ (target >>> 15) ^ (target >>> 30);
  changed[2] = step(SEED_A, changed[0]!) ^ Math.imul(m, inverse);
  t.not(changed[2], words[2]);
  t.deepEqual(digestOfWords(changed), digestOfWords(words));
});

function digestOf(record: object): string {
  const h = new TraceHasher();
  h.digest(record);
  return hex(h.d1, h.d2, 0, 0);
}

/** The digest the plain transcription gives a record (as its line parsed back). */
function referenceOf(record: object): string {
  const [d1, d2] = referenceDigest(referenceWords(JSON.parse(JSON.stringify(record))));
  return hex(d1, d2, 0, 0);
}

test('stringDigest is the string digest as specified', (t) => {
  const out = new Int32Array(2);
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (s) => {
      stringDigest(s, out);
      t.deepEqual([out[0], out[1]], referenceString(s));
    }),
    { numRuns: 1000 },
  );
  // The length is part of it: a trailing U+0000 is not packed away.
  stringDigest('a', out);
  const a = [out[0], out[1]];
  stringDigest('a\u0000', out);
  t.notDeepEqual([out[0], out[1]], a);
});

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

test('a record digests as the plain transcription of the format says, records and other objects alike', (t) => {
  const head = fc.record({ t: fc.oneof(fc.nat(), fc.nat({ max: Number.MAX_SAFE_INTEGER }), fc.constantFrom(-1, 0.5, 2 ** 53)), k: fc.string({ maxLength: 6 }), a: fc.string({ unit: 'binary', maxLength: 24 }), n: fc.nat() });
  fc.assert(
    fc.property(head, fc.dictionary(fc.string({ maxLength: 6 }), jsonish, { maxKeys: 8 }), fc.boolean(), (h, fields, nested) => {
      const record = { ...h, ...fields, ...(nested ? { inner: { ...h, x: [fields] } } : {}) };
      t.is(digestOf(record), referenceOf(record));
      // Not a record: the head out of order, or a field missing from it.
      t.is(digestOf({ ...fields, ...h }), referenceOf({ ...fields, ...h }));
      t.is(digestOf({ t: h.t, k: h.k, n: h.n, ...fields }), referenceOf({ t: h.t, k: h.k, n: h.n, ...fields }));
    }),
    { numRuns: 1000 },
  );
  for (const record of [{ t: 3, k: 'send', a: 'x', n: 1, to: 'y', msg: 'm', bytes: 2 ** 40 }, { t: 2 ** 33, k: 'timer', a: 'x', n: 2 ** 24, name: '' }, { k: 'x' }, {}, { t: 1, k: 'x', a: 'y' }]) {
    t.is(digestOf(record), referenceOf(record), JSON.stringify(record));
  }
});

test('a head and fields copied and digested in one walk, or digested without the copy, digest as the whole record: digit keys, __proto__, toJSON and a non-record head included', (t) => {
  const head = fc.record({ t: fc.oneof(fc.nat(), fc.constantFrom(-1, 0.5, 2 ** 53)), k: fc.constantFrom('log', 'disk', 'state'), a: fc.constantFrom('broker-1', 'op-1', ''), n: fc.nat() });
  const fields = fc.dictionary(fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('0', '12', '1a', '01', 'op', 'file')), jsonish, { maxKeys: 8 });
  fc.assert(
    fc.property(fc.array(fc.tuple(head, fields), { minLength: 1, maxLength: 12 }), (records) => {
      // One hasher for the sequence: the memos (last actor, a key's last string) are exercised.
      const h = new TraceHasher();
      const actors = ['broker-1', 'op-1', ''];
      for (const id of actors) h.addActor(id);
      for (const [hd, fs] of records) {
        const kept = Object.fromEntries(Object.entries(fs).filter(([key]) => !['t', 'k', 'a', 'n'].includes(key)));
        const record: Record<string, unknown> = { ...hd };
        h.digestFields(record, kept);
        const whole: Record<string, unknown> = { ...hd };
        for (const key in kept) whole[key] = kept[key];
        t.is(JSON.stringify(record), JSON.stringify(whole));
        t.is(hex(h.d1, h.d2, 0, 0), digestOf(whole));
        t.is(hex(h.d1, h.d2, 0, 0), referenceOf(whole));
        h.digestFields({ ...hd }, kept, false);
        t.is(hex(h.d1, h.d2, 0, 0), digestOf(whole));
        // The actor named by its number (`addActor`), copied or not.
        for (const copy of [true, false]) {
          h.digestFields({ ...hd }, kept, copy, actors.indexOf(hd.a));
          t.is(hex(h.d1, h.d2, 0, 0), digestOf(whole), 'by the actor\'s number');
        }
      }
    }),
    { numRuns: 500 },
  );
  const h = new TraceHasher();
  const cases: Record<string, unknown>[] = [
    { op: 'x', 3: 'index', after: 1 },
    JSON.parse('{"op":"x","__proto__":{"p":1},"after":1}') as Record<string, unknown>,
    { when: { toJSON: () => 'then' }, gone: { toJSON: () => undefined }, u: undefined, f: () => 1, s: new String('s') },
  ];
  for (const fs of cases) {
    const record: Record<string, unknown> = { t: 1, k: 'log', a: 'b', n: 2 };
    h.digestFields(record, fs);
    const whole: Record<string, unknown> = { t: 1, k: 'log', a: 'b', n: 2 };
    for (const key in fs) whole[key] = fs[key];
    t.is(hex(h.d1, h.d2, 0, 0), digestOf(whole), JSON.stringify(whole));
    h.digestFields({ t: 1, k: 'log', a: 'b', n: 2 }, fs, false);
    t.is(hex(h.d1, h.d2, 0, 0), digestOf(whole), `${JSON.stringify(whole)} without the copy`);
  }
  for (const copy of [true, false]) {
    t.throws(() => h.digestFields({ t: 1, k: 'log', a: 'b', n: 2 }, { op: 'x', n: 3 }, copy), { message: 'trace field name n is reserved' });
    t.throws(() => h.digestFields({ k: 'log' }, { op: 'x', a: 3 }, copy), { message: 'trace field name a is reserved' });
  }
});

test('any one change to a record changes its digest: a value, a key, the keys\' order, a member more or less', (t) => {
  const scalar = fc.oneof(fc.string({ maxLength: 8 }), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null), fc.array(fc.string({ maxLength: 4 }), { maxLength: 3 }));
  fc.assert(
    fc.property(fc.uniqueArray(fc.tuple(fc.string({ minLength: 1, maxLength: 6 }), scalar), { minLength: 2, maxLength: 8, selector: ([key]) => key }), fc.nat(), fc.nat(), (members, i, j) => {
      const build = (ms: readonly (readonly [string, unknown])[]) => Object.fromEntries([['t', 7], ['k', 'log'], ['a', 'broker-1'], ['n', 3], ...ms.filter(([key]) => !['t', 'k', 'a', 'n', '__proto__'].includes(key) && !/^\d+$/.test(key))]);
      const base = build(members);
      const kept = Object.keys(base).length - 4;
      fc.pre(kept >= 2);
      const rest = Object.entries(base).slice(4);
      const at = i % kept;
      const other = (j % (kept - 1)) + (j % (kept - 1) >= at ? 1 : 0);
      const value = rest[at]![1];
      const changedValue = typeof value === 'string' ? value + 'x' : typeof value === 'number' ? (value === 0 ? 1 : -value) : value === null ? false : Array.isArray(value) ? [...value, 'x'] : !value;
      const swapped = [...rest];
      [swapped[at], swapped[other]] = [swapped[other]!, swapped[at]!];
      const variants = [
        build(rest.map(([k, v], m): [string, unknown] => (m === at ? [k, changedValue] : [k, v]))),
        build(rest.map(([k, v], m): [string, unknown] => (m === at ? [`${k}_`, v] : [k, v]))),
        build(swapped),
        build(rest.filter((_, m) => m !== at)),
        build([...rest, ['extra', value]]),
        { ...base, a: 'broker-2' },
        { ...base, k: 'disk' },
        { ...base, t: 8 },
        { ...base, n: 4 },
      ];
      for (const variant of variants) t.not(digestOf(variant), digestOf(base), `${JSON.stringify(base)} vs ${JSON.stringify(variant)}`);
    }),
    { numRuns: 1000 },
  );
});

test('what JSON writes differently from the object is digested as JSON writes it (toJSON, wrapper objects, omitted members)', (t) => {
  const records = [
    { t: 1, k: 'x', a: 'a', n: 0, when: { toJSON: () => 'then' } },
    { t: 1, k: 'x', a: 'a', n: 0, gone: { toJSON: () => undefined }, kept: 1 },
    { t: 1, k: 'x', a: 'a', n: 0, s: new String('str'), m: new Number(4), b: new Boolean(false), list: [new String('in'), undefined, () => 1] },
    { t: new Number(1), k: new String('x'), a: 'a', n: 0 },
    { t: 1, k: 'x', a: 'a', n: 0, map: new Map([[1, 2]]), date: new Date(0), f: () => 1, u: undefined },
    { t: { toJSON: () => 5 }, k: 'x', a: { toJSON: () => 'y' }, n: 0 },
  ];
  for (const record of records) t.is(digestOf(record), digestOf(JSON.parse(JSON.stringify(record))), JSON.stringify(record));
});

test('past the shape cache\'s bounds (objects keyed by data), shapes are computed: the same digests as a fresh hasher', (t) => {
  const h = new TraceHasher();
  for (let i = 0; i < 12_000; i++) {
    const record = { t: i, k: `kind-${i % 100}`, a: 'x', n: i, [`key-${i}`]: i, inputs: { [`topic/${i % 300}`]: i, [`other-${i}`]: 'v' } };
    h.digest(record);
    if (i % 101 !== 0) continue;
    const fresh = new TraceHasher();
    fresh.digest(record);
    t.deepEqual([h.d1, h.d2], [fresh.d1, fresh.d2], `record ${i}`);
    t.is(hex(h.d1, h.d2, 0, 0), referenceOf(record));
  }
});

test('a key\'s memo of its last string values (hits, wrap-around, rest after a run of misses) never changes a digest', (t) => {
  // A `file` cycling through 1 to 20 names (up to the memo's eight, and past it) beside an `event`
  // that never repeats (its memo gives up and rests), by the generic and the shaped path alike.
  const shape = recordShape('disk', [['op', 'string'], ['file', 'string'], ['event', 'string'], ['bytes', 'number']]);
  for (const names of [1, 5, 8, 9, 20]) {
    const h = new TraceHasher();
    h.addActor('broker-1');
    for (let i = 0; i < 3000; i++) {
      const values = [i % 3 === 0 ? 'append' : 'put', `slabs-in-${i % names}/0000000000000512.log`, `detector:${i}`, i] as const;
      const record = shape.recordOf<Record<string, unknown>>({ t: i, k: 'disk', a: 'broker-1', n: i }, values);
      t.true(h.digestShaped(shape, i, 0, i, values));
      const shaped = hex(h.d1, h.d2, 0, 0);
      h.digest(record);
      if (i % 7 !== 0 && i < 2990) continue;
      t.is(shaped, referenceOf(record), `${names} names, record ${i}, shaped`);
      t.is(hex(h.d1, h.d2, 0, 0), referenceOf(record), `${names} names, record ${i}, generic`);
    }
  }
});

test('digests tell apart what JSON tells apart', (t) => {
  const base = { t: 1, k: 'x', a: 'a', n: 0 };
  const variants = [base, { ...base, t: 2 }, { ...base, v: '' }, { ...base, v: null }, { ...base, v: 0 }, { ...base, v: false }, { ...base, v: [] }, { ...base, v: {} }, { ...base, v: [null] }, { ...base, v: 'ab' }, { ...base, v: ['a', 'b'] }, { n: 0, t: 1, k: 'x', a: 'a' }];
  t.is(new Set(variants.map(digestOf)).size, variants.length);
});

test('the hot kinds\' register paths digest exactly as the generic path', (t) => {
  const text = fc.string({ unit: 'binary', maxLength: 20 });
  const int = fc.nat({ max: 2 ** 53 - 1 });
  const num = fc.oneof(int, fc.double({ noNaN: true, noDefaultInfinity: true }));
  fc.assert(
    fc.property(int, text, int, text, text, num, (time, a, n, other, msg, x) => {
      const hot = new TraceHasher();
      const hex4 = () => hex(hot.d1, hot.d2, 0, 0);
      hot.foldSend(time, hot.addActor(a), n, hot.addActor(other), msg, x);
      t.is(hex4(), digestOf({ t: time, k: 'send', a, n, to: other, msg, bytes: x }));
      hot.foldRecv(time, hot.addActor(a), n, hot.addActor(other), msg, x);
      t.is(hex4(), digestOf({ t: time, k: 'recv', a, n, from: other, msg, s: x }));
      hot.foldTimer(time, hot.addActor(a), n, msg);
      t.is(hex4(), digestOf({ t: time, k: 'timer', a, n, name: msg }));
    }),
    { numRuns: 500 },
  );
});

test('a record shape digests its values by position as the generic path digests the record they make, or declines when they do not fit it', (t) => {
  const edge = fc.oneof(fc.nat({ max: 1000 }), fc.nat({ max: Number.MAX_SAFE_INTEGER }), fc.constantFrom(-0, 0.5, -1, 2 ** 53, 1e300, NaN, Infinity));
  const json = fc.oneof(
    fc.array(fc.constantFrom('detector:0', 'distribute/detector:0#0', 'r-1'), { maxLength: 4 }),
    fc.array(edge, { maxLength: 3 }),
    fc.constantFrom<unknown>(true, false, null, { x: 1 }, { toJSON: () => [1, 2] }, [undefined, 'a']),
    edge,
  );
  // Mostly values of the declared types; sometimes not (undefined, a string for a number, a number
  // for a string, an object, a string or an object whose toJSON gives one for a json field).
  const value = (type: ShapeFieldType) =>
    fc.oneof(
      { weight: 8, arbitrary: type === 'string' ? fc.constantFrom('append', 'fsync', 'slabs-in-0/0.log', 'slabs-in-1/0.log', 'a', 'b', 'c', 'd', 'e', '') : type === 'number' ? edge : json },
      { weight: 1, arbitrary: fc.constantFrom<unknown>(undefined, '7', 7, null, { x: 1 }, { toJSON: () => 's' }, () => 1) },
    );
  const shapes = [
    recordShape('disk', [['op', 'string'], ['file', 'string'], ['bytes', 'number']]),
    recordShape('disk', [['op', 'string'], ['bytes', 'number']]),
    recordShape('log', [['op', 'string'], ['topic', 'string'], ['partition', 'number'], ['offset', 'number'], ['epoch', 'number']]),
    recordShape('log', [['op', 'string'], ['offset', 'number'], ['events', 'json'], ['pid', 'json']]),
    recordShape('ckpt', []),
  ];
  const written = fc.oneof(
    ...shapes.map((shape, i) => fc.record({ shape: fc.constant(i), t: edge, a: fc.constantFrom(0, 1), n: edge, values: fc.tuple(...shape.types.map(value)) })),
  );
  /** Whether `value` fits a field of type `type` (contract/record-shape.ts), as JSON would see it. */
  const fits = (value: unknown, type: ShapeFieldType): boolean => {
    if (type !== 'json') return typeof value === type;
    const toJSON = (value as { toJSON?: unknown } | null | undefined)?.toJSON;
    const resolved: unknown = typeof toJSON === 'function' ? (toJSON as () => unknown).call(value) : value;
    return !['string', 'undefined', 'function', 'symbol'].includes(typeof resolved);
  };
  fc.assert(
    fc.property(fc.array(written, { minLength: 1, maxLength: 30 }), (records) => {
      // One hasher for the sequence: the generic path's records share its trie and memos, as in a run.
      const h = new TraceHasher();
      const actors = ['stream-broker-1', 'reconstruct-1'];
      for (const id of actors) h.addActor(id);
      for (const { shape: i, t: time, a, n, values } of records) {
        const shape = shapes[i]!;
        const record = shape.recordOf<Record<string, unknown>>({ t: time, k: shape.kind, a: actors[a], n }, values);
        if (h.digestShaped(shape, time, a, n, values)) {
          t.is(hex(h.d1, h.d2, 0, 0), digestOf(record), JSON.stringify(record));
          t.is(hex(h.d1, h.d2, 0, 0), referenceOf(record));
        } else {
          // Declined: a value that does not fit its field, or a head that is not a record's.
          const fitting = values.every((v, j) => fits(v, shape.types[j]!));
          t.false(fitting && Number.isSafeInteger(time) && time >= 0 && Number.isSafeInteger(n) && n >= 0, JSON.stringify(record));
        }
        h.digest(record);
      }
    }),
    { numRuns: 300 },
  );
  for (const key of ['n', '0', '__proto__']) t.throws(() => recordShape('log', [['op', 'string'], [key, 'number']]), { message: `trace field name ${key} cannot be in a record shape` });
});

test('the register paths digest as the word-buffer path for any numbers and strings, memo hits and a full cache included', (t) => {
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
        if (k === 'send') hot.foldSend(time, hot.addActor(a), n, hot.addActor(other), msg, x);
        else if (k === 'recv') hot.foldRecv(time, hot.addActor(a), n, hot.addActor(other), msg, x);
        else hot.foldTimer(time, hot.addActor(a), n, msg);
        const fields = k === 'send' ? { to: other, msg, bytes: x } : k === 'recv' ? { from: other, msg, s: x } : { name: msg };
        t.is(hex(hot.d1, hot.d2, 0, 0), digestOf({ t: time, k, a, n, ...fields }));
      }
    }),
    { numRuns: 300 },
  );
  // Past the cache of message types, a type is digested afresh each time: the same digests.
  const h = new TraceHasher();
  const [a, b] = [h.addActor('alice'), h.addActor('bob')];
  for (let i = 0; i < 5_000; i++) {
    h.foldSend(i, a, i, b, `type-${i}`, 64);
    if (i % 97 === 0) t.is(hex(h.d1, h.d2, 0, 0), digestOf({ t: i, k: 'send', a: 'alice', n: i, to: 'bob', msg: `type-${i}`, bytes: 64 }), `record ${i}`);
  }
});

test('a hot kind digests as its line parsed back, whatever its fields', (t) => {
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
