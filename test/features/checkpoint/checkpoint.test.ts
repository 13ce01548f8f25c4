/**
 * The checkpoint machinery on its own: recovery lines (the domino effect), incremental chains
 * rebuilt from immer patches, the fixed and events intervals (adaptive: adaptive-interval.test.ts),
 * and store retention.
 */
import test from 'ava';
import fc from 'fast-check';
import { produceWithPatches, type Patch } from 'immer';
import { SECOND } from '../../../src/kernel/index.ts';
import {
  CheckpointClock,
  materialize,
  recoveryLine,
  recoveryLineCandidates,
  type ChannelLink,
  type CheckpointCounters,
  type OperatorImage,
  type StoredCheckpoint,
} from '../../../src/features/checkpoint/actors/index.ts';
import { CheckpointCatalog } from '../../../src/features/checkpoint/actors/catalog.ts';
import { incrementalBytes } from '../../../src/features/checkpoint/actors/image.ts';

const channels: ChannelLink[] = [
  { sender: 'p', receiver: 'q', out: 'm>q', in: 'm<p' },
  { sender: 'q', receiver: 'p', out: 'm>p', in: 'm<q' },
];

/** A checkpoint with counters: p→q sent/received and q→p sent/received. */
function at(id: number, counters: { sent?: number; received?: number; self: 'p' | 'q' }): CheckpointCounters {
  const other = counters.self === 'p' ? 'q' : 'p';
  return { id, outputs: { [`m>${other}`]: counters.sent ?? 0 }, inputs: { [`m<${other}`]: counters.received ?? 0 } };
}

test('recovery line: a ping-pong where every interval sends and receives falls back to the start (domino)', (t) => {
  // p and q exchange one message per step; each checkpoints between a receive and a send, never together.
  const histories = new Map([
    ['p', [at(1, { self: 'p', sent: 1, received: 0 }), at(3, { self: 'p', sent: 2, received: 1 }), at(5, { self: 'p', sent: 3, received: 2 })]],
    ['q', [at(2, { self: 'q', sent: 1, received: 1 }), at(4, { self: 'q', sent: 2, received: 2 }), at(6, { self: 'q', sent: 3, received: 3 })]],
  ]);
  const line = recoveryLine(histories, channels);
  t.deepEqual(Object.fromEntries(line), { p: 0, q: 0 });
});

test('recovery line: checkpoints taken when nothing was in flight are kept', (t) => {
  const histories = new Map([
    ['p', [at(1, { self: 'p', sent: 2, received: 2 }), at(3, { self: 'p', sent: 5, received: 4 })]],
    ['q', [at(2, { self: 'q', sent: 2, received: 2 }), at(4, { self: 'q', sent: 4, received: 5 })]],
  ]);
  t.deepEqual(Object.fromEntries(recoveryLine(histories, channels)), { p: 3, q: 4 });
});

test('recovery line: an orphan rolls the receiver back, an in-transit message the sender', (t) => {
  // q received 3 of p's messages but p's latest checkpoint had sent only 2: q goes back to its first.
  const orphan = new Map([
    ['p', [at(1, { self: 'p', sent: 2, received: 0 })]],
    ['q', [at(2, { self: 'q', sent: 0, received: 2 }), at(4, { self: 'q', sent: 0, received: 3 })]],
  ]);
  t.deepEqual(Object.fromEntries(recoveryLine(orphan, channels)), { p: 1, q: 2 });
  // p sent 3 but q only received 2: nobody logged the third, so p goes back to when it had sent 2.
  const inTransit = new Map([
    ['p', [at(1, { self: 'p', sent: 2, received: 0 }), at(3, { self: 'p', sent: 3, received: 0 })]],
    ['q', [at(2, { self: 'q', sent: 0, received: 2 })]],
  ]);
  t.deepEqual(Object.fromEntries(recoveryLine(inTransit, channels)), { p: 1, q: 2 });
});

test("recovery line with survivors' present states: kept unless an orphan or a message in transit forces them back", (t) => {
  const history = new Map([
    ['p', [at(1, { self: 'p', sent: 2, received: 2 })]],
    ['q', [at(2, { self: 'q', sent: 2, received: 2 })]],
  ]);
  // q failed at its checkpoint #2; p survived with nothing sent or received since: p keeps its present state.
  const quiet = recoveryLineCandidates(history, channels, new Map([['p', at(9, { self: 'p', sent: 2, received: 2 })]]));
  t.deepEqual([...quiet].map(([instance, c]) => [instance, c.id]), [['p', 9], ['q', 2]]);
  // p sent q a third message that q's checkpoint lacks: nobody can send it again, p goes back to #1 (depth 1).
  t.deepEqual(Object.fromEntries(recoveryLine(history, channels, new Map([['p', at(9, { self: 'p', sent: 3, received: 2 })]]))), { p: 1, q: 2 });
  // q sent p a third message after its checkpoint: an orphan at p, which goes back to #1.
  t.deepEqual(Object.fromEntries(recoveryLine(history, channels, new Map([['p', at(9, { self: 'p', sent: 2, received: 3 })]]))), { p: 1, q: 2 });
  // Both survivors with present states, one message between them in each direction since: a line of present states.
  const both = new Map([['p', at(9, { self: 'p', sent: 3, received: 3 })], ['q', at(9, { self: 'q', sent: 3, received: 3 })]]);
  t.deepEqual(Object.fromEntries(recoveryLine(history, channels, both)), { p: 9, q: 9 });
});

test('recovery line: whatever the histories, the line has sent = received on every channel', (t) => {
  const history = (self: 'p' | 'q') =>
    fc.array(fc.tuple(fc.nat(3), fc.nat(3)), { maxLength: 6 }).map((steps) => {
      let sent = 0;
      let received = 0;
      return steps.map(([s, r], i) => at(i + 1, { self, sent: (sent += s), received: (received += r) }));
    });
  fc.assert(
    fc.property(history('p'), history('q'), (p, q) => {
      const line = recoveryLine(new Map([['p', p], ['q', q]]), channels);
      const pick = (list: CheckpointCounters[], id: number) => list.find((c) => c.id === id) ?? { id: 0, inputs: {}, outputs: {} };
      const cp = pick(p, line.get('p')!);
      const cq = pick(q, line.get('q')!);
      return (cp.outputs['m>q'] ?? 0) === (cq.inputs['m<p'] ?? 0) && (cq.outputs['m>p'] ?? 0) === (cp.inputs['m<q'] ?? 0);
    }),
  );
  t.pass();
});

interface Counts {
  counts: Record<string, number>;
  total: number;
}

const image = (state: unknown): OperatorImage => ({ state, inputs: {}, outputs: {}, generated: 0, pending: [], outbox: [] });

test('incremental chain: a full checkpoint plus the patches since rebuild exactly the state', (t) => {
  fc.assert(
    fc.property(fc.array(fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c', 'd'), fc.integer({ min: -5, max: 5 })), { maxLength: 8 }), { minLength: 1, maxLength: 6 }), (batches) => {
      let state: Counts = { counts: {}, total: 0 };
      const chain: StoredCheckpoint[] = [{ id: 1, kind: 'full', bytes: 100, image: image(state) }];
      batches.forEach((batch, i) => {
        const patches: Patch[] = [];
        for (const [key, delta] of batch) {
          const [next, p] = produceWithPatches(state, (draft) => {
            draft.counts[key] = (draft.counts[key] ?? 0) + delta;
            draft.total += delta;
            if (draft.counts[key] === 0) delete draft.counts[key];
          });
          state = next;
          patches.push(...p);
        }
        const rest = { inputs: { x: i }, outputs: {}, generated: i, pending: [], outbox: [] };
        chain.push({ id: i + 2, kind: 'incremental', bytes: 1, base: i + 1, patches, image: rest });
      });
      const rebuilt = materialize(chain);
      return rebuilt !== undefined && JSON.stringify(rebuilt.state) === JSON.stringify(state) && rebuilt.generated === batches.length - 1;
    }),
  );
  t.pass();
});

test('incremental chain: a chain without its full base, or with a gap, cannot be materialized', (t) => {
  const full: StoredCheckpoint = { id: 1, kind: 'full', bytes: 1, image: image({ n: 1 }) };
  const incr = (id: number, base: number): StoredCheckpoint => ({ id, kind: 'incremental', bytes: 1, base, patches: [], image: image(undefined) });
  t.is(materialize([incr(2, 1)]), undefined);
  t.is(materialize([full, incr(3, 2)]), undefined);
  t.deepEqual(materialize([full, incr(2, 1)])?.state, { n: 1 });
});

test('incremental size: the share of state cells the patches touched', (t) => {
  const state = { a: [1, 2, 3, 4], b: 0, c: 0, d: 0, e: 0 }; // 8 cells
  t.is(incrementalBytes(800, state, [{ op: 'replace', path: ['b'], value: 1 }]), 100);
  t.is(incrementalBytes(800, state, [{ op: 'replace', path: ['a'], value: [1, 2, 3, 4] }]), 400);
  // Touching one path twice costs it once; the whole state caps the size.
  t.is(incrementalBytes(800, state, [{ op: 'replace', path: ['b'], value: 1 }, { op: 'replace', path: ['b'], value: 2 }]), 100);
});

test('fixed and events intervals', (t) => {
  const fixed = new CheckpointClock({ kind: 'time', everyUs: 30 * SECOND });
  t.is(fixed.nextDelay({ failures: 9, nowUs: 0 }), 30 * SECOND);
  const events = new CheckpointClock({ kind: 'events', every: 3 });
  t.deepEqual([1, 2, 3, 4, 5, 6].map(() => events.countEvent()), [false, false, true, false, false, true]);
});

test('store retention: keeps every entry from the second-latest full checkpoint on, or everything when asked', (t) => {
  const catalog = new CheckpointCatalog();
  const full = (id: number): StoredCheckpoint => ({ id, kind: 'full', bytes: 10, image: image(id) });
  const incr = (id: number): StoredCheckpoint => ({ id, kind: 'incremental', bytes: 1, base: id - 1, patches: [], image: image(undefined) });
  const dropped = [full(1), incr(2), full(3), incr(4), full(5), incr(6)].flatMap((entry) => catalog.add('op', entry, { all: false }));
  t.deepEqual(dropped, [1, 2]);
  t.deepEqual(catalog.chain('op', 'latest')?.map((e) => e.id), [5, 6]);
  t.deepEqual(catalog.chain('op', 4)?.map((e) => e.id), [3, 4]);
  t.is(catalog.chain('op', 2), undefined);
  const all = new CheckpointCatalog();
  t.deepEqual([full(1), full(2), full(3), full(4)].flatMap((entry) => all.add('op', entry, { all: true })), []);
  // The last complete global checkpoint stays restorable however many abandoned ones follow it.
  const kept = new CheckpointCatalog();
  const droppedKept = [full(1), incr(2), full(3), full(4), full(5), full(6)].flatMap((entry) => kept.add('op', entry, { all: false, keep: 2 }));
  t.deepEqual(droppedKept, []);
  t.deepEqual(kept.chain('op', 2)?.map((e) => e.id), [1, 2]);
});
