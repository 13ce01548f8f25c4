/**
 * The event queue pops in the total order `(time, origin, seq)`, whatever the order of pushes and
 * however pushes and pops interleave; it grows past its initial capacity; it refuses keys that
 * would break exact ordering (non-integer or negative times, origins or seqs out of range).
 */
import test from 'ava';
import fc from 'fast-check';
import { EventQueue } from '../../src/kernel/index.ts';
import { unpackOrder } from '../../src/kernel/event-queue.ts';

interface Key {
  time: number;
  origin: number;
  seq: number;
}

const ORIGIN_MAX = 2 ** 21 - 1;
const SEQ_MAX = 2 ** 32 - 1;

function compareKeys(a: Key, b: Key): number {
  return a.time - b.time || a.origin - b.origin || a.seq - b.seq;
}

const keyId = (k: Key) => `${k.origin}/${k.seq}`;

/** Small ranges make ties (on time, then on origin) common; wide ranges reach the limits. */
const timeArb = fc.oneof(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 1_000_000 }), fc.maxSafeNat());
const originArb = fc.oneof(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: ORIGIN_MAX }), fc.constant(ORIGIN_MAX));
const seqArb = fc.oneof(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: SEQ_MAX }), fc.constant(SEQ_MAX));

/** Pushes with unique `(origin, seq)` — the kernel's invariant — and where to pop in between. */
const scheduleArb = fc.record({
  pushes: fc.uniqueArray(fc.record({ time: timeArb, origin: originArb, seq: seqArb }), { selector: keyId, maxLength: 300 }),
  /** After push i, pop `pops[i]` times (if anything is queued). */
  pops: fc.array(fc.nat({ max: 3 }), { maxLength: 300 }),
  initialCapacity: fc.integer({ min: 1, max: 64 }),
});

test('pops in (time, origin, seq) order for any interleaving of pushes and pops', (t) => {
  fc.assert(
    fc.property(scheduleArb, ({ pushes, pops, initialCapacity }) => {
      const queue = new EventQueue<Key>(initialCapacity);
      const reference: Key[] = [];
      const popped: Key[] = [];
      const expected: Key[] = [];
      const popOne = () => {
        reference.sort(compareKeys);
        expected.push(reference.shift()!);
        if (queue.peekTime() !== expected[expected.length - 1].time) throw new Error('peekTime disagrees with the next pop');
        popped.push(queue.pop());
      };
      pushes.forEach((key, i) => {
        queue.push(key.time, key.origin, key.seq, key);
        reference.push(key);
        for (let n = pops[i] ?? 0; n > 0 && reference.length > 0; n--) popOne();
        if (queue.size !== reference.length) throw new Error(`size ${queue.size}, expected ${reference.length}`);
      });
      while (reference.length > 0) popOne();
      t.deepEqual(popped, expected);
      return queue.size === 0;
    }),
    { numRuns: 300 },
  );
});

test('the packed order key round-trips (origin, seq) exactly at the limits', (t) => {
  fc.assert(
    fc.property(originArb, seqArb, (origin, seq) => {
      const queue = new EventQueue<null>(1);
      queue.push(0, origin, seq, null);
      t.deepEqual(unpackOrder(queue.peekOrder()), { origin, seq });
    }),
  );
});

test('grows past its initial capacity without losing or reordering events', (t) => {
  const queue = new EventQueue<number>(2);
  const count = 10_000;
  // A fixed permutation of times with many ties: time = (i * 7919) mod 1000.
  for (let i = 0; i < count; i++) queue.push((i * 7919) % 1000, i % 5, i, i);
  t.is(queue.size, count);
  let previous: Key | undefined;
  let popped = 0;
  while (queue.size > 0) {
    const i = queue.pop();
    const key = { time: (i * 7919) % 1000, origin: i % 5, seq: i };
    if (previous !== undefined && compareKeys(previous, key) >= 0) t.fail(`out of order: ${JSON.stringify(previous)} then ${JSON.stringify(key)}`);
    previous = key;
    popped++;
  }
  t.is(popped, count);
});

test('rejects times that are not non-negative integers, and leaves the queue intact', (t) => {
  const queue = new EventQueue<string>(4);
  queue.push(5, 1, 0, 'kept');
  for (const time of [-1, 1.5, -0.5, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
    t.throws(() => queue.push(time, 1, 1, 'bad'), { message: /non-negative integer/ }, `time ${time}`);
  }
  t.is(queue.size, 1);
  t.is(queue.pop(), 'kept');
});

test('rejects origins and seqs that do not fit the packed key', (t) => {
  const queue = new EventQueue<string>();
  t.throws(() => queue.push(0, ORIGIN_MAX + 1, 0, 'x'), { message: /out of range/ });
  t.throws(() => queue.push(0, 0, SEQ_MAX + 1, 'x'), { message: /out of range/ });
  t.notThrows(() => queue.push(0, ORIGIN_MAX, SEQ_MAX, 'max'));
  t.is(queue.size, 1);
});

test('drops references to popped payloads (no retention in a long run)', (t) => {
  const queue = new EventQueue<object>(8);
  for (let i = 0; i < 8; i++) queue.push(i, 0, i, { i });
  while (queue.size > 0) queue.pop();
  // Private storage is inspected on purpose: a kept payload is a memory leak the API cannot show.
  const payloads = (queue as unknown as { payloads: unknown[] }).payloads;
  t.true(payloads.every((p) => p === undefined));
});
