/**
 * `assert` from the actor contract: a broken invariant inside a handler stops the run with a
 * `SimulationError` naming the seed, the simulated time and the actor, whatever the entry point
 * (start, message, timer); a holding invariant costs nothing, not even its message.
 */
import test from 'ava';
import type { Context, Message } from '../../src/kernel/index.ts';
import { SimulationError } from '../../src/kernel/index.ts';
import { assert, InvariantViolation, isInvariantViolation } from '../../src/kernel/contract/index.ts';
import { Kernel, LATENCY_US } from './_harness.ts';

/** A counter whose invariant (never above `limit`) breaks when a message pushes it over. */
function counter(limit: number) {
  let value = 0;
  return () => ({
    onMessage(_ctx: Context, message: Message) {
      value += (message as Message & { by: number }).by;
      assert(value <= limit, () => `counter ≤ ${limit}, but it is ${value}`);
    },
  });
}

test('an assertion failing in a message handler names the seed, the simulated time and the actor', (t) => {
  const kernel = new Kernel('seed-42')
    .spawn('counter', counter(3))
    .spawn('client', () => ({ start: (ctx: Context) => void ctx.setTimer(500, 'go'), onTimer: (ctx: Context) => ctx.send('counter', { type: 'add', by: 5 }) }));
  const error = t.throws(() => kernel.run(), { instanceOf: SimulationError }) as SimulationError;
  t.is(error.seed, 'seed-42');
  t.is(error.time, 500 + LATENCY_US);
  t.is(error.actor, 'counter');
  t.true(isInvariantViolation(error.cause));
  t.is((error.cause as Error).name, 'InvariantViolation');
  t.regex(error.message, /actor counter threw at t=600us \(seed seed-42\) while handling message add from client: counter ≤ 3, but it is 5/);
});

test('an assertion failing at start or in a timer is reported the same way', (t) => {
  const atStart = new Kernel(7).spawn('a', () => ({ start: () => assert(false, 'start invariant') }));
  const e1 = t.throws(() => atStart.run(), { instanceOf: SimulationError }) as SimulationError;
  t.like(e1, { seed: 7, time: 0, actor: 'a' });
  t.true(e1.cause instanceof InvariantViolation);

  const inTimer = new Kernel(8).spawn('b', () => ({ start: (ctx: Context) => void ctx.setTimer(1234, 'tick'), onTimer: () => assert(0, 'timer invariant') }));
  const e2 = t.throws(() => inTimer.run(), { instanceOf: SimulationError }) as SimulationError;
  t.like(e2, { seed: 8, time: 1234, actor: 'b' });
  t.regex(e2.message, /timer invariant/);
});

test('a holding assertion does not build its message', (t) => {
  let built = 0;
  assert(1 <= 2, () => `built ${++built}`);
  t.is(built, 0);
  t.throws(() => assert(null, () => `built ${++built}`), { instanceOf: InvariantViolation, message: 'built 1' });
});
