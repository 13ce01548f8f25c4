/**
 * The alert brokers' data: a packet's alerts are a pure function of the sky seed and the packet
 * id (so replays and other brokers see the same alerts), objects reappear across packets, and the
 * per-object history is order-independent, counts a packet applied twice twice, and keeps saved
 * images apart from later updates.
 */
import test from 'ava';
import { ObjectHistory, packetAlerts, type PacketModel } from '../../../src/features/alerts/actors/index.ts';

const MODEL: PacketModel = { alerts: 500, alertBytes: 80_000, objects: 2_000, skySeed: 1 };
const packets = (n: number) => Array.from({ length: n }, (_, j) => packetAlerts(MODEL, `alert-producer-v0-${j}`));

test('a packet has the same alerts every time it is drawn, and another packet or seed has others', (t) => {
  const a = packetAlerts(MODEL, 'alert-producer-v3-7');
  t.deepEqual(packetAlerts(MODEL, 'alert-producer-v3-7'), a);
  t.notDeepEqual(packetAlerts(MODEL, 'alert-producer-v3-8').objects, a.objects);
  t.notDeepEqual(packetAlerts({ ...MODEL, skySeed: 2 }, 'alert-producer-v3-7').objects, a.objects);
  t.is(a.objects.length, 500);
  t.true(a.objects.every((o) => o >= 0 && o < MODEL.objects));
});

test('objects reappear, so alerts get classified against a history', (t) => {
  const history = ObjectHistory.empty(MODEL.objects);
  const first = history.apply(packets(1)[0]!, 2);
  const later = packets(10).slice(1).map((p) => history.apply(p, 2));
  const passed = (c: { brightening: number; fading: number; steady: number }) => c.brightening + c.fading + c.steady;
  t.true(passed(first) < 500, 'a first sighting is not passed on with min-detections 2');
  t.true(later.every((c) => passed(c) > 0));
  t.true(later.some((c) => c.brightening > 0) && later.some((c) => c.fading > 0), 'excursions are classified');
});

test('the history does not depend on the order packets are applied in, but counts a repeat', (t) => {
  const [a, b, c] = packets(3);
  const forward = ObjectHistory.empty(MODEL.objects);
  for (const p of [a!, b!, c!]) forward.apply(p, 2);
  const backward = ObjectHistory.empty(MODEL.objects);
  for (const p of [c!, b!, a!]) backward.apply(p, 2);
  t.is(backward.digest(), forward.digest());
  backward.apply(b!, 2);
  t.not(backward.digest(), forward.digest());
});

test('a snapshot is unchanged by later updates, and a restored history continues from it', (t) => {
  const [a, b] = packets(2);
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
