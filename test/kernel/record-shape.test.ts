/**
 * `ctx.recordShaped` writes the record `ctx.record` writes with the same fields in the shape's
 * order — the same records, lines and trace hash — in the simulator and in the emulator's runtime;
 * a shape whose fields are in another order than the generic record's writes another record.
 */
import test from 'ava';
import { Deployment } from '../../src/deploy/index.ts';
import type { EmulatedClock, EmulatedTimers } from '../../src/exec/emulate/clock.ts';
import { NodeRuntime } from '../../src/exec/emulate/node-runtime.ts';
import type { Context, TraceRecord } from '../../src/kernel/index.ts';
import { recordShape, Simulator, TraceHasher, TraceWriter } from '../../src/kernel/index.ts';

const APPEND = recordShape('log', [['op', 'string'], ['topic', 'string'], ['offset', 'number'], ['events', 'json'], ['pid', 'json']]);
/** The same fields as `APPEND`, `offset` and `topic` swapped. */
const SWAPPED = recordShape('log', [['op', 'string'], ['offset', 'number'], ['topic', 'string'], ['events', 'json'], ['pid', 'json']]);

/** The records an actor writes at its i-th step: values of every field type, some that do not fit (a missing pid, a string offset). */
function values(i: number): [string, string, number, unknown, unknown] {
  const offset = i % 7 === 3 ? ('7' as unknown as number) : i * 1_000;
  return [i % 2 === 0 ? 'append' : 'replicate', `topic-${i % 3}`, offset, [`e${i}`, `e${i + 1}`], i % 5 === 0 ? undefined : i % 4 === 0 ? null : i];
}

/** The generic record `values(i)` makes, its fields in `APPEND`'s order. */
function fields(i: number): Record<string, unknown> {
  const [op, topic, offset, events, pid] = values(i);
  return { op, topic, offset, events, pid };
}

/**
 * A simulated actor writing twelve records, one per timer, the way `write` says: the run's hash and
 * its `log` records, if `listened` (else nobody reads them: they are digested without an object).
 */
function simulate(write: (ctx: Context, i: number) => void, listened = true): { hash: string; records: TraceRecord[] } {
  const trace = new TraceWriter();
  const records: TraceRecord[] = [];
  if (listened) trace.listen((record) => records.push(record), { kinds: ['log'] });
  const sim = new Simulator(3, trace);
  let i = 0;
  const step = (ctx: Context) => {
    write(ctx, i++);
    if (i < 12) ctx.setTimer(10, 'step');
  };
  sim.spawn({ id: 'broker-1', node: 'node-1', site: 'lab' }, () => ({ start: step, onTimer: step }));
  sim.run({ until: Number.POSITIVE_INFINITY });
  return { hash: trace.close(), records };
}

test('in the simulator, a shaped record is the generic one: same records, same hash, read or not; fields out of order hash apart', (t) => {
  const generic = simulate((ctx, i) => ctx.record('log', fields(i)));
  const shaped = simulate((ctx, i) => ctx.recordShaped(APPEND, values(i)));
  t.is(shaped.hash, generic.hash);
  t.is(simulate((ctx, i) => ctx.recordShaped(APPEND, values(i)), false).hash, generic.hash);
  t.deepEqual(shaped.records.map((r) => JSON.stringify(r)), generic.records.map((r) => JSON.stringify(r)));
  t.is(generic.records.length, 12);
  const [op, topic, offset, events, pid] = values(1);
  t.deepEqual(shaped.records[1], { t: 10, k: 'log', a: 'broker-1', n: generic.records[1]!.n, op, topic, offset, events, pid });
  // The same values under a shape that orders two fields otherwise: another record, another hash.
  const swapped = simulate((ctx, i) => {
    const [op, topic, offset, events, pid] = values(i);
    ctx.recordShaped(SWAPPED, [op, offset, topic, events, pid]);
  });
  t.not(swapped.hash, generic.hash);
});

/** The records one emulated actor's `start` writes the way `write` says, as the node's runtime hands them out. */
function emulate(write: (ctx: Context, i: number) => void): TraceRecord[] {
  const deployment = new Deployment();
  deployment.add({ id: 'broker-1', node: 'node-1', site: 'lab', factory: () => ({ start: (ctx: Context) => Array.from({ length: 12 }, (_, i) => write(ctx, i)) }) });
  const flushed: TraceRecord[] = [];
  const runtime = new NodeRuntime({
    node: 'node-1',
    seed: 3,
    deployment,
    clock: { now: () => 5_000 } as EmulatedClock,
    timers: { at: () => {}, stop: () => {} } as unknown as EmulatedTimers,
    diskDir: '/nonexistent',
    output: {
      flush: (records) => flushed.push(...records),
      failed: (failure) => {
        throw new Error(`${failure.actor} failed: ${failure.message}`);
      },
    },
    recordCounts: new Map([['broker-1', 40]]),
  });
  runtime.start('start');
  return flushed;
}

test('in the emulator, a shaped record is the generic one: the same records, digested alike', (t) => {
  const generic = emulate((ctx, i) => ctx.record('log', fields(i)));
  const shaped = emulate((ctx, i) => ctx.recordShaped(APPEND, values(i)));
  t.is(generic.length, 12);
  t.deepEqual(shaped.map((r) => JSON.stringify(r)), generic.map((r) => JSON.stringify(r)));
  t.like(shaped[0], { t: 5_000, k: 'log', a: 'broker-1', n: 40, op: 'append', topic: 'topic-0', offset: 0 });
  const digests = (records: TraceRecord[]) => {
    const h = new TraceHasher();
    return records.map((r) => (h.digest(r), [h.d1, h.d2]));
  };
  t.deepEqual(digests(shaped), digests(generic));
  const swapped = emulate((ctx, i) => {
    const [op, topic, offset, events, pid] = values(i);
    ctx.recordShaped(SWAPPED, [op, offset, topic, events, pid]);
  });
  t.notDeepEqual(digests(swapped), digests(generic));
});
