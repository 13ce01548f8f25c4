/**
 * The emulated clock: scaled real time that stands still while paused, timers in due order, and
 * governance — a thread that stops beating freezes emulated time, and when it beats again time
 * goes on from where it stood, without the jump its stall would have made. Every bound below is
 * measured against the real time that actually passed, so a loaded machine cannot break it.
 */
import test from 'ava';
import { setTimeout as sleep } from 'node:timers/promises';
import { EmulatedClock, EmulatedTimers, LAG_MS, realNowMs } from '../../../src/exec/emulate/clock.ts';

function running(speed: number): EmulatedClock {
  const clock = EmulatedClock.create(speed);
  clock.resume();
  return clock;
}

test('emulated time runs at the given speed and stands still while paused', async (t) => {
  const started = realNowMs();
  const clock = running(10);
  await sleep(50);
  const first = clock.now();
  t.true(first >= 400_000, `about 10 × 50 ms of emulated time, got ${first} µs`);
  t.true(first <= (realNowMs() - started) * 10 * 1000 + 1000, 'no faster than 10×');
  clock.pause();
  const paused = clock.now();
  await sleep(50);
  t.is(clock.now(), paused);
  const resumed = realNowMs();
  clock.resume();
  await sleep(20);
  t.true(clock.now() > paused);
  t.true(clock.now() <= paused + (realNowMs() - resumed) * 10 * 1000 + 1000, 'the pause is not counted');
});

test('a thread that stops beating freezes time; its next beat lets time go on from there, without a jump', async (t) => {
  const clock = running(10);
  clock.join(1);
  await sleep(LAG_MS * 3);
  const frozen = clock.now();
  await sleep(LAG_MS * 2);
  t.is(clock.now(), frozen, 'emulated time waits for the starved thread');
  t.false(clock.paused, 'a freeze is not a pause');
  const beat = realNowMs();
  clock.beat(1);
  const after = clock.now();
  t.true(after >= frozen);
  t.true(after - frozen <= (realNowMs() - beat) * 10 * 1000 + 1000, `no jump: ${after - frozen} µs after the beat`);
  clock.leave(1);
  await sleep(LAG_MS * 2);
  t.true(clock.now() > after, 'a thread that left is not waited for');
});

test('a clock in shared memory reads the same in every view of it', (t) => {
  const clock = running(1);
  const other = new EmulatedClock(clock.buffer);
  clock.pause();
  t.true(other.paused);
  t.is(other.now(), clock.now());
});

test('timers fire in due order, ties in the order set, and not while paused', async (t) => {
  const clock = running(100);
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
  for (let waited = 0; fired.length < 4 && waited < 60_000; waited += 10) await sleep(10);
  t.deepEqual(fired, ['a1', 'a2', 'b', 'c']);
  timers.stop();
});

test('the time a starved thread holds the clock is counted as held, a pause is not', async (t) => {
  const clock = running(10);
  t.is(clock.heldMs(), 0);
  // The join's own reading of real time lies between these two: the stall is at least as long as
  // from `joined` to the beat, and at most as long as from `joining` to now.
  const joining = realNowMs();
  clock.join(1);
  const joined = realNowMs();
  await sleep(LAG_MS * 5);
  const stalled = realNowMs() - joined;
  clock.beat(1);
  const held = clock.heldMs();
  // The clock ran LAG_MS past the thread's last beat, then stood still until this beat.
  t.true(held >= stalled - LAG_MS - 1, `held ${held} ms of a ${stalled} ms stall`);
  t.true(held <= realNowMs() - joining, `held ${held} ms, no more than the stall`);
  clock.leave(1);
  clock.pause();
  await sleep(LAG_MS * 3);
  clock.resume();
  t.is(clock.heldMs(), held, 'a pause is not held time');
});

// Red before: a delay past Node's longest timer (2^31 − 1 ms) was set as is, which Node fires after
// 1 ms with a TimeoutOverflowWarning — a 1 ms polling loop for the rest of a slow run.
test.serial('a timer due further off than a Node timer reaches waits without overflowing it', async (t) => {
  const clock = running(1e-9);
  const timers = new EmulatedTimers(clock);
  const warnings: string[] = [];
  const onWarning = (warning: Error) => void warnings.push(warning.name);
  process.on('warning', onWarning);
  let fired = false;
  timers.at(clock.now() + 1_000_000, () => (fired = true));
  await sleep(30);
  process.off('warning', onWarning);
  timers.stop();
  t.false(fired);
  t.deepEqual(warnings.filter((name) => name === 'TimeoutOverflowWarning'), []);
});
