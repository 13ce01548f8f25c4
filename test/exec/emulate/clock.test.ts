import test from 'ava';
import { setTimeout as sleep } from 'node:timers/promises';
import { EmulatedClock, EmulatedTimers, realNowMs } from '../../../src/exec/emulate/clock.ts';

test('emulated time runs at the given speed and stands still while paused', async (t) => {
  const clock = new EmulatedClock({ epochMs: realNowMs(), speed: 10, pausedMs: 0 });
  await sleep(50);
  const running = clock.now();
  t.true(running >= 400_000, `about 10 × 50 ms of emulated time, got ${running} µs`);
  clock.pause();
  const paused = clock.now();
  await sleep(50);
  t.is(clock.now(), paused);
  clock.resume();
  const resumed = realNowMs();
  await sleep(20);
  t.true(clock.now() > paused);
  t.true(clock.now() <= paused + (realNowMs() - resumed) * 10 * 1000 + 1000, 'the pause is not counted');
});

test('timers fire in due order, ties in the order set, and not while paused', async (t) => {
  const clock = new EmulatedClock({ epochMs: realNowMs(), speed: 100, pausedMs: 0 });
  const timers = new EmulatedTimers(clock);
  const fired: string[] = [];
  const now = clock.now();
  timers.at(now + 300_000, () => fired.push('c'));
  timers.at(now + 100_000, () => fired.push('a1'));
  timers.at(now + 100_000, () => fired.push('a2'));
  timers.at(now + 200_000, () => fired.push('b'));
  clock.pause();
  timers.hold();
  await sleep(20);
  t.deepEqual(fired, [], 'nothing fires while paused');
  clock.resume();
  timers.arm();
  for (let waited = 0; fired.length < 4 && waited < 5000; waited += 10) await sleep(10);
  t.deepEqual(fired, ['a1', 'a2', 'b', 'c']);
  timers.stop();
});
