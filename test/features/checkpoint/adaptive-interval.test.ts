/**
 * The adaptive checkpoint interval: Daly's higher-order optimum (Daly 2006, eq. 37),
 *   τ = √(2δM)·[1 + ⅓·√(δ/2M) + ⅑·(δ/2M)] − δ   for δ < 2M, else τ = M,
 * from the checkpoint cost δ measured on the checkpoints taken so far and the MTBF M — the one
 * given, or, when none is, elapsed time over the failures seen.
 */
import test from 'ava';
import { MINUTE, SECOND } from '../../../src/kernel/index.ts';
import { CheckpointClock } from '../../../src/features/checkpoint/actors/index.ts';

/** Daly's higher-order optimum, written out from the paper. */
function daly(delta: number, m: number): number {
  if (delta >= 2 * m) return m;
  const x = delta / (2 * m);
  return Math.sqrt(2 * delta * m) * (1 + Math.sqrt(x) / 3 + x / 9) - delta;
}

const adaptive = (mtbfUs?: number) => new CheckpointClock({ kind: 'adaptive', ...(mtbfUs === undefined ? {} : { mtbfUs }), minUs: SECOND, maxUs: 10 * 3600 * SECOND });

test('a 5 s checkpoint with an MTBF of 24 min: Daly\'s 116.7 s, from the measured cost', (t) => {
  const clock = adaptive(24 * MINUTE);
  for (const us of [4.9, 5.0, 5.1]) clock.observeCost(us * SECOND);
  const tau = clock.nextDelay({ failures: 0, nowUs: 600 * SECOND })!;
  t.is(Math.round(tau / 100_000) / 10, 116.7);
  t.true(Math.abs(tau - daly(5 * SECOND, 24 * MINUTE)) <= 1);
  // A given MTBF is the MTBF: failures seen do not move it.
  t.is(clock.nextDelay({ failures: 3, nowUs: 1200 * SECOND }), tau);
});

test('the higher-order terms matter where first order is off: M = 15 min, δ = 5 min', (t) => {
  const clock = adaptive(15 * MINUTE);
  clock.observeCost(5 * MINUTE);
  const tau = clock.nextDelay({ failures: 0, nowUs: 0 })!;
  t.true(Math.abs(tau - daly(5 * MINUTE, 15 * MINUTE)) <= 1, `${tau}`);
  const firstOrder = Math.sqrt(2 * 5 * MINUTE * 15 * MINUTE) - 5 * MINUTE;
  t.true(tau > firstOrder * 1.2, `${tau} vs first order ${firstOrder}`);
  // δ ≥ 2M: checkpoint every M.
  const dense = adaptive(MINUTE);
  dense.observeCost(3 * MINUTE);
  t.is(dense.nextDelay({ failures: 0, nowUs: 0 }), MINUTE);
});

test('no MTBF given: elapsed time over the failures seen', (t) => {
  const clock = adaptive();
  clock.observeCost(10 * SECOND);
  // 4 failures in an hour: M = 15 min.
  t.true(Math.abs(clock.nextDelay({ failures: 4, nowUs: 3600 * SECOND })! - daly(10 * SECOND, 15 * MINUTE)) <= 1);
  // None yet in half an hour: M is at least 30 min.
  t.true(Math.abs(clock.nextDelay({ failures: 0, nowUs: 1800 * SECOND })! - daly(10 * SECOND, 30 * MINUTE)) <= 1);
});

test('before any checkpoint completes, one cut short says δ is at least what it ran: δ ≥ 2M gives Daly\'s τ = M', (t) => {
  // M = 1 min and checkpoints of ≈ 150 s: the next failure cuts each short, none completes. With
  // δ taken as 1 s until one does, τ would stay √(2 · 1 s · 1 min) ≈ 10.3 s for ever.
  const clock = adaptive(MINUTE);
  t.true(Math.abs(clock.nextDelay({ failures: 0, nowUs: 0 })! - daly(SECOND, MINUTE)) <= 1);
  clock.observeIncomplete(16 * SECOND);
  t.true(Math.abs(clock.nextDelay({ failures: 1, nowUs: 30 * SECOND })! - daly(16 * SECOND, MINUTE)) <= 1);
  // A shorter one cut short says less: the longest stands.
  clock.observeIncomplete(6 * SECOND);
  t.true(Math.abs(clock.nextDelay({ failures: 2, nowUs: 60 * SECOND })! - daly(16 * SECOND, MINUTE)) <= 1);
  clock.observeIncomplete(130 * SECOND);
  t.is(clock.nextDelay({ failures: 3, nowUs: 300 * SECOND }), MINUTE);
  // Once one completes, the completed ones are the measure (an abandoned one may have waited on contention).
  clock.observeCost(20 * SECOND);
  t.true(Math.abs(clock.nextDelay({ failures: 3, nowUs: 400 * SECOND })! - daly(20 * SECOND, MINUTE)) <= 1);
  // Below the 1 s default, an abandoned one changes nothing.
  const cheap = adaptive(MINUTE);
  cheap.observeIncomplete(SECOND / 2);
  t.is(cheap.nextDelay({ failures: 1, nowUs: 0 }), adaptive(MINUTE).nextDelay({ failures: 1, nowUs: 0 }));
});
