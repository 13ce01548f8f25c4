import test from 'ava';
import { formatMicros, MINUTE, MS, SECOND } from '../../src/kernel/index.ts';

test('durations read naturally, with at most three decimals and no dangling point', (t) => {
  t.is(formatMicros(250), '250us');
  t.is(formatMicros(1_500), '1.5ms');
  t.is(formatMicros(8_004 * MS), '8.004s');
  // 9.9999995 s rounds to 10.000 at three decimals: the point and zeros go, not just the zeros.
  t.is(formatMicros(10 * SECOND - 1), '10s');
  t.is(formatMicros(MINUTE + SECOND), '1m1s');
  t.is(formatMicros(90 * MINUTE), '1h30m');
});
