/**
 * The alert brokers' data: an alert's object and magnitude are a pure function of the sky seed and
 * the alert id (so replays and other brokers see the same alert, in any order), objects reappear
 * across visits, and the per-object history is order-independent, counts an alert applied twice
 * twice, and keeps saved images apart from later updates.
 */
import test from 'ava';
import { ObjectHistory, Sky, type SkyModel } from '../../../src/features/alerts/actors/index.ts';

const MODEL: SkyModel = { objects: 2_000, skySeed: 1 };
const ids = (visit: number, from: number, to: number) => Array.from({ length: to - from }, (_, j) => `alert-producer-v${visit}-${from + j}`);
/** The alerts of visit `v`, in steps of 500. */
const steps = (v: number, n: number) => Array.from({ length: n }, (_, s) => new Sky(MODEL).alerts(ids(v, s * 500, (s + 1) * 500)));

test('an alert is the same whenever, wherever and in whatever order it is drawn; another alert or seed is another', (t) => {
  const a = new Sky(MODEL).alerts(ids(3, 0, 600));
  const tail = new Sky(MODEL).alerts(ids(3, 300, 600));
  t.deepEqual([...tail.objects], [...a.objects.slice(300)], 'drawing from the middle of a visit');
  t.deepEqual([...tail.milliMag], [...a.milliMag.slice(300)]);
  const sky = new Sky(MODEL);
  for (let v = 4; v < 12; v++) sky.alerts(ids(v, 0, 10)); // other visits in between: the first is forgotten, then drawn again
  t.deepEqual([...sky.alerts(ids(3, 0, 600)).objects], [...a.objects]);
  t.notDeepEqual([...new Sky(MODEL).alerts(ids(4, 0, 600)).objects], [...a.objects]);
  t.notDeepEqual([...new Sky({ ...MODEL, skySeed: 2 }).alerts(ids(3, 0, 600)).objects], [...a.objects]);
  t.true(a.objects.every((o) => o >= 0 && o < MODEL.objects));
});

test('objects reappear, so alerts get classified against a history', (t) => {
  const history = ObjectHistory.empty(MODEL.objects);
  const [first, ...later] = steps(0, 10);
  const passed = (c: { brightening: number; fading: number; steady: number }) => c.brightening + c.fading + c.steady;
  t.true(passed(history.apply(first!, 2)) < 500, 'a first sighting is not passed on with min-detections 2');
  const classes = later.map((s) => history.apply(s, 2));
  t.true(classes.every((c) => passed(c) > 0));
  t.true(classes.some((c) => c.brightening > 0) && classes.some((c) => c.fading > 0), 'excursions are classified');
});

test('the history does not depend on the order alerts are applied in, but counts a repeat', (t) => {
  const [a, b, c] = steps(0, 3);
  const forward = ObjectHistory.empty(MODEL.objects);
  for (const s of [a!, b!, c!]) forward.apply(s, 2);
  const backward = ObjectHistory.empty(MODEL.objects);
  for (const s of [c!, b!, a!]) backward.apply(s, 2);
  t.is(backward.digest(), forward.digest());
  backward.apply(b!, 2);
  t.not(backward.digest(), forward.digest());
});

test('a snapshot is unchanged by later updates, and a restored history continues from it', (t) => {
  const [a, b] = steps(0, 2);
  const history = ObjectHistory.empty(MODEL.objects);
  history.apply(a!, 2);
  const saved = history.snapshot();
  const digestAtSave = ObjectHistory.restore(saved).digest();
  history.apply(b!, 2);
  t.is(ObjectHistory.restore(saved).digest(), digestAtSave);
  const restored = ObjectHistory.restore(saved);
  restored.apply(b!, 2);
  t.is(restored.digest(), history.digest());
});
