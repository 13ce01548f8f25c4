/**
 * The view state (viz/ui/view.ts) and time labels (viz/draw/format.ts): the URL hash round-trips,
 * bad hashes are ignored field by field, windows stay inside the run, and axis labels carry units.
 */
import test from 'ava';
import { formatTime, timeTicks } from '../../viz/draw/format.ts';
import { MIN_SPAN_US, View } from '../../viz/ui/view.ts';

test('the hash round-trips the view', (t) => {
  const view = new View([0, 1_000_000]);
  view.update({ t0: 1_000, t1: 250_000, filter: 'site:hpc -kind:timer', selection: { run: 1, row: 42 }, playhead: 5_000, speed: 4 });
  const copy = new View([0, 1_000_000]);
  copy.update(copy.fromHash(view.toHash(), [10, 100]));
  t.deepEqual(copy.state, view.state);
});

test('a damaged hash is ignored field by field', (t) => {
  const view = new View([0, 1_000]);
  t.deepEqual(view.fromHash('#t=5,2&f=%E0%A4%A&sel=3.1&s=3&p=7', [10]), { playhead: 7 });
});

test('windows are clamped into the domain with a minimum span', (t) => {
  const view = new View([0, 1_000]);
  view.update({ t0: -500, t1: 200 });
  t.deepEqual([view.state.t0, view.state.t1], [0, 700]);
  view.update({ t0: 990, t1: 5_000 });
  t.deepEqual([view.state.t0, view.state.t1], [0, 1_000]);
  view.update({ t0: 500, t1: 501 });
  t.is(view.state.t1 - view.state.t0, MIN_SPAN_US);
});

test('times and ticks are written with their unit', (t) => {
  t.is(formatTime(0), '0');
  t.is(formatTime(999), '999 µs');
  t.is(formatTime(12_500), '12.5 ms');
  t.is(formatTime(70_000_000), '70 s', 'seconds up to 10 min');
  t.is(formatTime(900_000_000), '15 min');
  const label = (t0: number, t1: number, count: number) => {
    const { values, format } = timeTicks(t0, t1, count);
    return values.map(format);
  };
  t.deepEqual(label(0, 40_000, 8), ['0', '5 ms', '10 ms', '15 ms', '20 ms', '25 ms', '30 ms', '35 ms', '40 ms']);
  t.deepEqual(label(1_000_000, 1_010_000, 5), ['1000 ms', '1002 ms', '1004 ms', '1006 ms', '1008 ms', '1010 ms']);
  t.deepEqual(label(0, 2_000_000, 4), ['0', '0.5 s', '1.0 s', '1.5 s', '2.0 s']);
  t.deepEqual(label(0, 3_600_000_000, 4), ['0', '15 min', '30 min', '45 min', '60 min'], 'whole minutes for long runs');
});
