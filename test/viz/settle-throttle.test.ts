/**
 * The lab refreshes its whole-run views during a live run, spaced out by what a refresh costs: at
 * once for a new run, never more than twice a second, at most a tenth of the time, always at a stop.
 */
import test from 'ava';
import { SettleThrottle } from '../../viz/lab/settle-throttle.ts';

test('whole-run views refresh during a run, spaced by their cost, and always when it stops', (t) => {
  const throttle = new SettleThrottle();
  t.true(throttle.due(0, false), 'the first update of a run refreshes');
  throttle.done(0, 5);
  t.false(throttle.due(300, false), 'not twice within half a second');
  t.true(throttle.due(300, true), 'a stop always refreshes');
  t.true(throttle.due(505, false), 'a cheap refresh is due again after half a second');
  throttle.done(1000, 1200);
  t.false(throttle.due(2000, false), 'a refresh of 200 ms waits ten times as long');
  t.true(throttle.due(3200, false));
  throttle.reset();
  t.true(throttle.due(3201, false), 'a new run refreshes at once');
});
