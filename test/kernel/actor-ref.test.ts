/**
 * Actor refs (`World.spawn`'s and `ctx.actor(id)`'s): a send through a ref is a send by name —
 * the same records and hash, the same delivery across crashes and restarts, the same drops — and a
 * ref copied out of its run (structured clone, another simulator) falls back to its id.
 */
import test from 'ava';
import fc from 'fast-check';
import type { ActorRef, Context, Message } from '../../src/kernel/index.ts';
import { Kernel, LATENCY_US, logging, type Log } from './_harness.ts';

/** How a sender names its peer: by id, by a ref from `ctx.actor`, or by a structured clone of one. */
type Naming = 'id' | 'ref' | 'clone';

function address(ctx: Context, id: string, naming: Naming): string | ActorRef {
  if (naming === 'id') return id;
  const ref = ctx.actor(id);
  return naming === 'ref' ? ref : structuredClone(ref);
}

/**
 * `a` sends to `b` at the given times (µs); `b` answers each by the sender it was given; `b`
 * crashes and restarts at the given times; the kernel's records, whatever the naming.
 */
function exchange(naming: Naming, sends: readonly number[], crashAt: number, restartAt: number): { hash: string; log: Log; records: unknown[] } {
  const log: Log = [];
  let to: string | ActorRef | undefined;
  const kernel = new Kernel()
    .spawn('a', logging(log, { start: (ctx) => void (to = address(ctx, 'b', naming)) }))
    .spawn('b', logging(log, { onMessage: (ctx, message, from) => ctx.send(address(ctx, from, naming), { type: `re-${message.type}` }) }));
  sends.forEach((at, i) => kernel.at(at, () => kernel.ctx('a').send(to!, { type: `m${i}` })));
  kernel.crash('b', crashAt).restart('b', restartAt);
  const hash = kernel.run();
  return { hash, log, records: kernel.records };
}

test('a send through a ref, or through a clone of one, writes the records a send by name writes, across a crash and restart', (t) => {
  fc.assert(
    fc.property(fc.uniqueArray(fc.integer({ min: 1, max: 2000 }), { maxLength: 12 }), fc.integer({ min: 1, max: 1500 }), fc.integer({ min: 1, max: 1500 }), (sends, crashAt, gap) => {
      const byName = exchange('id', sends, crashAt, crashAt + gap);
      for (const naming of ['ref', 'clone'] as const) {
        const other = exchange(naming, sends, crashAt, crashAt + gap);
        t.deepEqual(other.records, byName.records);
        t.deepEqual(other.log, byName.log);
        t.is(other.hash, byName.hash);
      }
    }),
    { numRuns: 40 },
  );
});

test('a ref kept across its actor’s crash reaches the restarted incarnation, and drops as dead while it is down', (t) => {
  const log: Log = [];
  let ref: ActorRef | undefined;
  const kernel = new Kernel()
    .spawn('a', () => ({ start: (ctx) => void (ref = ctx.actor('b')) }))
    .spawn('b', logging(log))
    .at(1, () => kernel.ctx('a').send(ref!, { type: 'lost' }))
    .crash('b', 50)
    .at(150, () => kernel.ctx('a').send(ref!, { type: 'kept' }))
    .restart('b', 200);
  kernel.run();
  t.deepEqual(log, [
    [0, 'start'],
    [200, 'recover'],
    [150 + LATENCY_US, 'kept from a'],
  ]);
  t.like(kernel.kinds('drop')[0], { a: 'b', msg: 'lost', cause: 'dead' });
  t.is(kernel.kinds('drop').length, 1);
});

test('a ref to an actor not spawned yet drops as unknown-target, then reaches the actor once it exists', (t) => {
  const log: Log = [];
  let ref: ActorRef | undefined;
  const kernel = new Kernel().spawn('a', () => ({ start: (ctx) => void (ref = ctx.actor('late')) }));
  kernel.at(10, () => kernel.ctx('a').send(ref!, { type: 'early' }));
  kernel.at(20, () => kernel.sim.spawn({ id: 'late', node: 'late-node', site: 'lab' }, logging(log)));
  kernel.at(30, () => kernel.ctx('a').send(ref!, { type: 'on-time' }));
  kernel.run();
  t.like(kernel.kinds('drop', 'a')[0], { t: 10, to: 'late', msg: 'early', cause: 'unknown-target' });
  t.deepEqual(log, [
    [20, 'start'],
    [30 + LATENCY_US, 'on-time from a'],
  ]);
});

test('ctx.actor gives the ref World.spawn gave; a structured clone of it is plain { id }', (t) => {
  const kernel = new Kernel().spawn('a', () => ({})).spawn('b', () => ({}));
  kernel.run(0);
  const ref = kernel.ctx('a').actor('b');
  t.is(ref, kernel.sim.handle('b').ref);
  t.is(kernel.ctx('b').actor('b'), ref, 'one ref per actor, whoever asks');
  t.deepEqual(structuredClone(ref), { id: 'b' });
  t.is(JSON.stringify(ref), '{"id":"b"}');
});

test('a ref of another simulator is followed by its id, never to that simulator’s actor', (t) => {
  const other = new Kernel().spawn('b', () => ({}));
  const foreign = other.sim.handle('b').ref;
  const log: Log = [];
  const kernel = new Kernel().spawn('a', () => ({})).spawn('b', logging(log));
  kernel.at(5, () => kernel.ctx('a').send(foreign, { type: 'hello' }));
  kernel.run();
  other.run();
  t.deepEqual(log, [
    [0, 'start'],
    [5 + LATENCY_US, 'hello from a'],
  ]);
  t.is(other.kinds('recv').length, 0);
});

test('cancelling the timer whose handler is running (the usual re-arm) keeps nothing in the cancelled set', (t) => {
  let fired = 0;
  const kernel = new Kernel().spawn('a', () => {
    let timer = 0;
    return {
      start(ctx: Context) {
        timer = ctx.setTimer(10, 'silence');
      },
      onTimer(ctx: Context) {
        fired++;
        ctx.cancelTimer(timer);
        if (fired < 100) timer = ctx.setTimer(10, 'silence');
      },
    };
  });
  kernel.run();
  t.is(fired, 100);
  t.is(kernel.sim.cancelledHeld, 0);
});

test('answering through ctx.actor(from) reaches the sender', (t) => {
  const byRef: Message[] = [];
  const kernel = new Kernel()
    .spawn('a', () => ({ start: (ctx) => ctx.send(ctx.actor('b'), { type: 'ping' }), onMessage: (_ctx, m) => void byRef.push(m) }))
    .spawn('b', () => ({ onMessage: (ctx, _m, from) => ctx.send(ctx.actor(from), { type: 'pong' }) }));
  kernel.run();
  t.deepEqual(byRef, [{ type: 'pong' }]);
});
