/**
 * The scheduler's rules: timers, cancellation, crash and restart, delivery to dead actors, random
 * streams, actor exceptions, and the determinism of the trace hash.
 */
import test from 'ava';
import fc from 'fast-check';
import type { Context, Message } from '../../src/kernel/index.ts';
import { deriveRng, SimulationError, TraceWriter } from '../../src/kernel/index.ts';
import { Kernel, LATENCY_US, logging, type Log } from './_harness.ts';

// --- timers ---

test('timers fire in time order; timers due at the same time fire in the order they were set', (t) => {
  const log: Log = [];
  new Kernel()
    .spawn(
      'a',
      logging(log, {
        start(ctx) {
          ctx.setTimer(30, 'c');
          ctx.setTimer(10, 'a1');
          ctx.setTimer(20, 'b');
          ctx.setTimer(10, 'a2');
          ctx.setTimer(0, 'now');
        },
      }),
    )
    .run();
  t.deepEqual(log, [
    [0, 'start'],
    [0, 'timer now'],
    [10, 'timer a1'],
    [10, 'timer a2'],
    [20, 'timer b'],
    [30, 'timer c'],
  ]);
});

test('any set of timer delays fires in (time, order set) order, including timers set by timers', (t) => {
  fc.assert(
    fc.property(fc.array(fc.nat({ max: 50 }), { minLength: 1, maxLength: 40 }), fc.array(fc.nat({ max: 50 }), { maxLength: 10 }), (delays, follow) => {
      const fired: [number, string][] = [];
      const expected: [number, string][] = [];
      // The first timer to fire sets `follow` more timers; they must slot into the same order.
      let followed = false;
      new Kernel()
        .spawn('a', () => ({
          start(ctx: Context) {
            delays.forEach((d, i) => ctx.setTimer(d, `t${i}`));
          },
          onTimer(ctx: Context, w) {
            fired.push([ctx.now(), w.name]);
            if (!followed) {
              followed = true;
              follow.forEach((d, i) => ctx.setTimer(d, `f${i}`));
            }
          },
        }))
        .run();
      const all = delays.map((d, i) => ({ time: d, name: `t${i}`, order: i }));
      const first = [...all].sort((x, y) => x.time - y.time || x.order - y.order)[0];
      follow.forEach((d, i) => all.push({ time: first.time + d, name: `f${i}`, order: delays.length + i }));
      for (const e of all.sort((x, y) => x.time - y.time || x.order - y.order)) expected.push([e.time, e.name]);
      t.deepEqual(fired, expected);
    }),
    { numRuns: 100 },
  );
});

test('events due at one instant run by origin actor, not by when they were scheduled', (t) => {
  // b sets its timer first (at 0), a sets its own later (at 5); both are due at 10. The event key
  // is (time, origin, seq), so a — spawned first, lower index — fires first.
  const log: Log = [];
  new Kernel()
    .spawn('a', logging(log, { start: (ctx) => void ctx.setTimer(5, 'arm'), onTimer: (ctx, w) => void (w.name === 'arm' && ctx.setTimer(5, 'a-due')) }))
    .spawn('b', logging(log, { start: (ctx) => void ctx.setTimer(10, 'b-due') }))
    .run();
  t.deepEqual(
    log.filter(([time]) => time === 10),
    [
      [10, 'timer a-due'],
      [10, 'timer b-due'],
    ],
  );
});

test('a cancelled timer does not fire and leaves no trace record', (t) => {
  const log: Log = [];
  const kernel = new Kernel().spawn(
    'a',
    logging(log, {
      start(ctx) {
        ctx.setTimer(10, 'keep-1');
        ctx.cancelTimer(ctx.setTimer(20, 'cancelled-at-once'));
        const doomed = ctx.setTimer(30, 'cancelled-by-a-timer');
        ctx.setTimer(30, 'keep-2');
        ctx.setTimer(25, 'canceller', doomed);
      },
      onTimer(ctx, w) {
        if (w.name === 'canceller') ctx.cancelTimer(w.data as number);
      },
    }),
  );
  kernel.run();
  t.deepEqual(log, [
    [0, 'start'],
    [10, 'timer keep-1'],
    [25, 'timer canceller'],
    [30, 'timer keep-2'],
  ]);
  t.deepEqual(
    kernel.kinds('timer').map((r) => r.name),
    ['keep-1', 'canceller', 'keep-2'],
  );
});

test('a timer cancelled by another timer due at the same instant does not fire', (t) => {
  const log: Log = [];
  let second = -1;
  new Kernel()
    .spawn(
      'a',
      logging(log, {
        start(ctx) {
          ctx.setTimer(10, 'first');
          second = ctx.setTimer(10, 'second');
        },
        onTimer(ctx, w) {
          if (w.name === 'first') ctx.cancelTimer(second);
        },
      }),
    )
    .run();
  t.deepEqual(log, [
    [0, 'start'],
    [10, 'timer first'],
  ]);
});

test('any mix of cancels — of pending, fired, unknown and already cancelled timers, past the purge of stale ones — stops exactly the pending ones', (t) => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.nat({ max: 50 }), fc.array(fc.integer({ min: -1, max: 45 }), { maxLength: 400 })), { minLength: 1, maxLength: 40 }),
      (plan) => {
        // Timer i (id i + 1) is set at start with delay plan[i][0]; when it fires it cancels the ids plan[i][1].
        const fired: number[] = [];
        new Kernel()
          .spawn('a', () => ({
            start(ctx: Context) {
              plan.forEach(([delay], i) => ctx.setTimer(delay, `t${i}`, i));
            },
            onTimer(ctx: Context, w) {
              const i = w.data as number;
              fired.push(i);
              for (const id of plan[i][1]) ctx.cancelTimer(id);
            },
          }))
          .run();
        const order = plan.map((_, i) => i).sort((x, y) => plan[x][0] - plan[y][0] || x - y);
        const cancelled = new Set<number>();
        const expected: number[] = [];
        for (const i of order) {
          if (cancelled.has(i + 1)) continue;
          expected.push(i);
          for (const id of plan[i][1]) cancelled.add(id);
        }
        t.deepEqual(fired, expected);
      },
    ),
    { numRuns: 60 },
  );
});

test('thousands of cancels of fired timers (purged from the cancelled set) leave the pending cancels in force', (t) => {
  // Timer k (delay k) cancels itself and its predecessor (both fired already: the predecessor is a
  // stale pair; the timer that fired last needs none) and, when k % 7 = 0, timer k + 5.
  const count = 5000;
  const fired: number[] = [];
  new Kernel()
    .spawn('a', () => ({
      start(ctx: Context) {
        for (let k = 1; k <= count; k++) ctx.setTimer(k, 'tick', k);
      },
      onTimer(ctx: Context, w) {
        const k = w.data as number;
        fired.push(k);
        ctx.cancelTimer(k);
        ctx.cancelTimer(k - 1);
        if (k % 7 === 0) ctx.cancelTimer(k + 5);
      },
    }))
    .run();
  const expected = Array.from({ length: count }, (_, i) => i + 1).filter((k) => !(k > 5 && (k - 5) % 7 === 0));
  t.deepEqual(fired, expected);
});

test('progress is reported at every multiple of progressEvery events, across runs and pauses', (t) => {
  // One timer per µs, 1..40: event k (the start is event 1) runs at k - 1 µs.
  const kernel = new Kernel().spawn('a', () => ({
    start(ctx: Context) {
      for (let k = 1; k <= 40; k++) ctx.setTimer(k, 'tick');
    },
  }));
  const seen: number[] = [];
  const onProgress = () => seen.push(kernel.sim.events);
  t.true(kernel.sim.run({ until: 10, onProgress, progressEvery: 4 }));
  let pauses = 0;
  t.false(kernel.sim.run({ until: 30, onProgress, progressEvery: 4, pause: () => ++pauses === 2 }));
  t.is(kernel.sim.events, 16, 'paused at the second report of this run');
  t.true(kernel.sim.run({ until: Number.POSITIVE_INFINITY, onProgress, progressEvery: 4 }));
  t.deepEqual(seen, [4, 8, 12, 16, 20, 24, 28, 32, 36, 40]);
  t.is(kernel.sim.events, 41);
});

test('timer delays must be non-negative integer µs', (t) => {
  for (const delay of [-1, 0.5, Number.NaN]) {
    const kernel = new Kernel().spawn('a', () => ({ start: (ctx: Context) => void ctx.setTimer(delay, 'bad') }));
    const error = t.throws(() => kernel.run(), { instanceOf: SimulationError });
    t.regex(String((error?.cause as Error).message), /non-negative integer/);
  }
});

// --- crash and restart ---

test('a crash cancels the actor’s timers, also for the restarted incarnation', (t) => {
  const log: Log = [];
  const kernel = new Kernel()
    .spawn(
      'a',
      logging(log, {
        start: (ctx) => void ctx.setTimer(100, 'old'),
        // The new incarnation's timer is due at the same instant as the cancelled one.
        recover: (ctx) => void ctx.setTimer(40, 'new'),
      }),
    )
    .crash('a', 50)
    .restart('a', 60);
  kernel.run();
  t.deepEqual(log, [
    [0, 'start'],
    [60, 'recover'],
    [100, 'timer new'],
  ]);
  t.deepEqual(
    kernel.records.filter((r) => r.a === 'a').map((r) => [r.t, r.k]),
    [
      [50, 'crash'],
      [60, 'restart'],
      [100, 'timer'],
    ],
  );
});

test('a message arriving at a dead actor is dropped with cause dead; after restart, delivered', (t) => {
  const log: Log = [];
  const kernel = new Kernel()
    .spawn('a', () => ({}))
    .spawn('b', logging(log))
    .at(1, () => kernel.ctx('a').send('b', { type: 'lost' })) // arrives at 101, b is down
    .crash('b', 50)
    .at(150, () => kernel.ctx('a').send('b', { type: 'kept' })) // arrives at 250, b is back
    .restart('b', 200);
  kernel.run();
  t.deepEqual(log, [
    [0, 'start'],
    [200, 'recover'],
    [150 + LATENCY_US, 'kept from a'],
  ]);
  const sends = kernel.kinds('send', 'a');
  const [drop] = kernel.kinds('drop');
  t.like(drop, { t: 1 + LATENCY_US, a: 'b', from: 'a', msg: 'lost', cause: 'dead', s: sends[0].n });
  t.is(kernel.kinds('drop').length, 1);
  t.like(kernel.kinds('recv', 'b')[0], { t: 150 + LATENCY_US, from: 'a', msg: 'kept', s: sends[1].n });
});

test('restart builds a fresh instance and calls recover (or start when there is no recover)', (t) => {
  const instances: object[] = [];
  const calls: string[] = [];
  class Counter {
    count = 0;
    constructor() {
      instances.push(this);
    }
    start() {
      this.count++;
      calls.push(`start ${this.count}`);
    }
    recover() {
      this.count++;
      calls.push(`recover ${this.count}`);
    }
  }
  class StartOnly {
    start(ctx: Context) {
      calls.push(`start-only at ${ctx.now()}`);
    }
  }
  new Kernel()
    .spawn('a', () => new Counter())
    .spawn('b', () => new StartOnly())
    .crash('a', 10)
    .restart('a', 20)
    .crash('a', 30)
    .restart('a', 40)
    .crash('b', 10)
    .restart('b', 20)
    .run();
  t.is(instances.length, 3);
  t.is(new Set(instances).size, 3);
  // In-memory state does not survive: every incarnation counts from zero.
  // World actions due at one instant run in the order they were scheduled (a's restart first).
  t.deepEqual(calls, ['start 1', 'start-only at 0', 'recover 1', 'start-only at 20', 'recover 1']);
});

test('crash and restart of an actor that is already down / up are no-ops', (t) => {
  const kernel = new Kernel().spawn('a', () => ({})).crash('a', 10).crash('a', 11).restart('a', 20).restart('a', 21);
  kernel.run();
  t.deepEqual(
    kernel.records.filter((r) => r.a === 'a').map((r) => [r.t, r.k]),
    [
      [10, 'crash'],
      [20, 'restart'],
    ],
  );
});

test('a context kept from before a crash cannot act', (t) => {
  let stale: Context | undefined;
  const kernel = new Kernel()
    .spawn('a', () => ({ start: (ctx: Context) => void (stale ??= ctx) }))
    .crash('a', 10)
    .restart('a', 20)
    .at(30, () => stale!.send('a', { type: 'ghost' }));
  const error = t.throws(() => kernel.run(), { instanceOf: SimulationError });
  t.regex(String((error?.cause as Error).message), /context from before its crash/);
});

test('an actor’s counters carry on across a crash and restart, and a stale context cancels nothing of the new incarnation', (t) => {
  let stale: Context | undefined;
  const ids: number[] = [];
  const fired: string[] = [];
  const kernel = new Kernel()
    .spawn('a', () => ({
      start: (ctx: Context) => {
        stale = ctx;
        ids.push(ctx.setTimer(100, 'old'), ctx.setTimer(5, 'early'));
      },
      recover: (ctx: Context) => void ids.push(ctx.setTimer(40, 'new')),
      onTimer: (_ctx: Context, wakeup: { name: string }) => void fired.push(wakeup.name),
    }))
    .crash('a', 50)
    .restart('a', 60)
    // The id the new incarnation's timer got: through the stale context, no effect.
    .at(70, () => stale!.cancelTimer(3));
  kernel.run();
  t.deepEqual(ids, [1, 2, 3]);
  t.deepEqual(fired, ['early', 'new']);
  t.deepEqual(
    kernel.records.filter((r) => r.a === 'a').map((r) => [r.t, r.k, r.n]),
    [
      [5, 'timer', 0],
      [50, 'crash', 1],
      [60, 'restart', 2],
      [100, 'timer', 3],
    ],
  );
});

// --- random streams ---

/** Draws `n` numbers from each purpose, in the order given, at start (and at recover). */
function drawer(draws: Record<string, number[]>, plan: [purpose: string, n: number][]) {
  return () => {
    const go = (ctx: Context) => {
      for (const [purpose, n] of plan) for (let i = 0; i < n; i++) (draws[purpose] ??= []).push(ctx.rng(purpose).next());
    };
    return { start: go, recover: go };
  };
}

test('rng streams are independent per purpose: drawing from one never shifts another', (t) => {
  const alone: Record<string, number[]> = {};
  new Kernel(7).spawn('a', drawer(alone, [['workload', 5]])).run();
  const mixed: Record<string, number[]> = {};
  new Kernel(7)
    .spawn(
      'a',
      drawer(mixed, [
        ['faults', 3],
        ['workload', 2],
        ['faults', 4],
        ['workload', 3],
      ]),
    )
    .run();
  t.deepEqual(mixed.workload, alone.workload);
  t.notDeepEqual(mixed.faults.slice(0, 5), alone.workload);
});

test('rng streams are independent per actor and per seed, and derived from (seed, actor, purpose)', (t) => {
  const draws: Record<string, Record<string, number[]>> = { a: {}, b: {}, a2: {} };
  new Kernel(7)
    .spawn('a', drawer(draws.a, [['x', 4]]))
    .spawn('b', drawer(draws.b, [['x', 4]]))
    .run();
  new Kernel(8).spawn('a', drawer(draws.a2, [['x', 4]])).run();
  t.notDeepEqual(draws.a.x, draws.b.x);
  t.notDeepEqual(draws.a.x, draws.a2.x);
  const reference = deriveRng(7, 'a', 'x');
  t.deepEqual(draws.a.x, [reference.next(), reference.next(), reference.next(), reference.next()]);
});

test('an actor’s rng stream continues across restarts instead of replaying', (t) => {
  const draws: Record<string, number[]> = {};
  new Kernel(3).spawn('a', drawer(draws, [['retry', 3]])).crash('a', 10).restart('a', 20).crash('a', 30).restart('a', 40).run();
  const reference = deriveRng(3, 'a', 'retry');
  t.deepEqual(
    draws.retry,
    Array.from({ length: 9 }, () => reference.next()),
  );
});

// --- actor exceptions ---

test('an exception in an actor becomes a SimulationError naming seed, time, actor and event', (t) => {
  const boom = new Error('boom');
  const kernel = new Kernel('seed-42')
    .spawn('quiet', () => ({}))
    .spawn('faulty', () => ({
      start: (ctx: Context) => void ctx.setTimer(250, 'explode'),
      onTimer() {
        throw boom;
      },
    }));
  const error = t.throws(() => kernel.run(), { instanceOf: SimulationError });
  t.like(error, { seed: 'seed-42', time: 250, actor: 'faulty', name: 'SimulationError' });
  t.is(error?.cause, boom);
  t.regex(error!.event, /explode/);
  t.regex(error!.message, /faulty.*t=250us.*seed seed-42.*explode.*boom/);
});

test('exceptions in start, onMessage and world actions are reported the same way', (t) => {
  const inStart = new Kernel(1).spawn('a', () => ({
    start() {
      throw new Error('no start');
    },
  }));
  t.like(t.throws(() => inStart.run(), { instanceOf: SimulationError }), { actor: 'a', time: 0, event: 'start' });

  const inMessage = new Kernel(1)
    .spawn('a', () => ({ start: (ctx: Context) => ctx.send('b', { type: 'poison' }) }))
    .spawn('b', () => ({
      onMessage(_ctx: Context, m: Message) {
        throw new Error(`cannot digest ${m.type}`);
      },
    }));
  const error = t.throws(() => inMessage.run(), { instanceOf: SimulationError });
  t.like(error, { actor: 'b', time: LATENCY_US });
  t.regex(error!.message, /poison from a.*cannot digest poison/);

  const inWorld = new Kernel(1).at(
    77,
    () => {
      throw new Error('bad fault');
    },
    'inject fault',
  );
  t.like(t.throws(() => inWorld.run(), { instanceOf: SimulationError }), { actor: 'world', time: 77, event: 'inject fault' });
});

// A factory (or constructor) that throws is actor code throwing too, but `instantiate` calls
// `handle.factory()` outside `guard`, so it escapes as a bare Error without seed/time/actor.
// Fix (src/kernel/simulator.ts, `instantiate`): build the instance and its context inside
// `this.guard(handle, entry, …)`. Remove `.failing` once fixed.
test('an exception in an actor’s constructor becomes a SimulationError', (t) => {
  const kernel = new Kernel(5).spawn('fragile', () => {
    throw new Error('constructor failed');
  });
  t.like(t.throws(() => kernel.run(), { instanceOf: SimulationError }), { actor: 'fragile', time: 0 });
});

// An actor spawned during a run gets a `start` event keyed (now, its index, 0). A message that
// arrives at that same instant from an actor with a lower index (possible with a zero-latency
// link) is dispatched first: `deliver` writes `recv` and then finds no instance, so the message is
// recorded as received but never handled. Fix (src/kernel/simulator.ts, `deliver`): if `to.up` and
// `to.instance === undefined`, `this.instantiate(to, 'start')` before delivering (the pending start
// event then sees the instance and is skipped); no other run's hash changes. Remove `.failing` once
// fixed.
test('a message arriving at the instant an actor is spawned is handled, not lost after recv', (t) => {
  const log: Log = [];
  const kernel = new Kernel(1, new TraceWriter(), 0)
    .spawn('a', () => ({}))
    .at(100, () => {
      kernel.sim.spawn({ id: 'late', node: 'late-node', site: 'lab' }, logging(log));
      kernel.ctx('a').send('late', { type: 'hello' }); // zero latency: arrives at 100
    });
  kernel.run();
  t.like(kernel.kinds('recv', 'late')[0], { t: 100, from: 'a', msg: 'hello' });
  t.deepEqual(log, [
    [100, 'start'],
    [100, 'hello from a'],
  ]);
});

// --- determinism of the trace hash ---

/** Actors that let randomness decide timing, sizes, targets and recorded state. */
function noisyRun(seed: number | string, until = 200_000): string {
  const kernel = new Kernel(seed);
  const peers = ['p0', 'p1', 'p2', 'p3'];
  for (const id of peers) {
    kernel.spawn(id, () => ({
      start: (ctx: Context) => void ctx.setTimer(ctx.rng('think').int(1, 1000), 'think'),
      onTimer(ctx: Context) {
        const rng = ctx.rng('work');
        ctx.send(rng.pick(peers), { type: 'work' }, { bytes: rng.int(1, 10_000) });
        ctx.setTimer(ctx.rng('think').int(1, 1000), 'think');
      },
      onMessage(ctx: Context) {
        ctx.record('state', { digest: ctx.rng('digest').int(0, 2 ** 31) });
      },
    }));
  }
  return kernel.run(until);
}

test('same seed ⇒ same trace hash; different seed ⇒ different hash', (t) => {
  const first = noisyRun(1);
  t.regex(first, /^[0-9a-f]{32}$/);
  t.is(noisyRun(1), first);
  t.not(noisyRun(2), first);
  t.not(noisyRun('1'), noisyRun('1 '));
});

test('the trace hash is a function of the seed (property over seeds)', (t) => {
  fc.assert(
    fc.property(fc.oneof(fc.integer(), fc.string({ maxLength: 8 })), (seed) => {
      t.is(noisyRun(seed, 20_000), noisyRun(seed, 20_000));
    }),
    { numRuns: 20 },
  );
});

test('trace record fields t, k, a, n are reserved', (t) => {
  const kernel = new Kernel().spawn('a', () => ({ start: (ctx: Context) => ctx.record('state', { t: 5 }) }));
  const error = t.throws(() => kernel.run(), { instanceOf: SimulationError });
  t.regex(String((error?.cause as Error).message), /reserved/);
});

test('records are numbered per actor, and a recv names its send by (a, n)', (t) => {
  const kernel = new Kernel(1)
    .spawn('a', () => ({ start: (ctx: Context) => [1, 2, 3].forEach(() => ctx.send('b', { type: 'm' })) }))
    .spawn('b', () => ({}));
  kernel.run();
  const perActor = new Map<string, number[]>();
  for (const r of kernel.records) perActor.set(r.a, [...(perActor.get(r.a) ?? []), r.n]);
  for (const [, ns] of perActor) t.deepEqual(ns, ns.map((_, i) => i));
  const sendNs = kernel.kinds('send', 'a').map((r) => r.n);
  t.deepEqual(
    kernel.kinds('recv', 'b').map((r) => r.s),
    sendNs,
  );
});

test('run stops at `until` and leaves later events for the next run', (t) => {
  const log: Log = [];
  const kernel = new Kernel().spawn('a', logging(log, { start: (ctx) => [10, 20, 30].forEach((d) => ctx.setTimer(d, `at${d}`)) }));
  kernel.sim.run({ until: 20 });
  t.is(kernel.sim.now(), 20);
  t.deepEqual(log.map(([time]) => time), [0, 10, 20]);
  t.is(kernel.sim.pending, 1);
  t.throws(() => kernel.sim.at(19, 'too late', () => undefined), { message: /in the past/ });
  kernel.sim.run({ until: 25 });
  t.is(kernel.sim.now(), 25);
  kernel.sim.run({ until: Number.POSITIVE_INFINITY });
  t.deepEqual(log.map(([time]) => time), [0, 10, 20, 30]);
  t.is(kernel.sim.now(), 30);
  t.is(kernel.sim.events, 4);
});

test('the harness trace writer is only hashing (no file)', (t) => {
  // Sanity check of the harness itself: a TraceWriter without a path writes nothing.
  const writer = new TraceWriter();
  writer.write({ t: 0, k: 'meta', a: 'world', n: 0 });
  t.regex(writer.close(), /^[0-9a-f]{32}$/);
});
