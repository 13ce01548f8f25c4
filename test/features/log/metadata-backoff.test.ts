/**
 * Metadata refreshes are spaced by retry.backoff.ms (Kafka's `Metadata.timeToNextUpdate`): a producer
 * whose partition has no leader keeps asking, but once per backoff after the last answer, not once
 * per round trip.
 */
import test from 'ava';
import { LogProducer } from '../../../src/features/log/actors/index.ts';
import { MS, SECOND, type TraceRecord } from '../../../src/kernel/index.ts';
import { scriptedProducer, scriptedWorld } from './_scripted-brokers.ts';

test('a producer whose partition has no leader asks for metadata once per retry.backoff.ms, not once per round trip', (t) => {
  const { world, script } = scriptedWorld(1);
  script.leaderless = new Set([0]);
  world.spawn('p', 'nx', () => new LogProducer(scriptedProducer({ ratePerSec: 100, stopAtUs: 20 * SECOND }), 4));
  const asked: TraceRecord[] = [];
  world.trace.listen((r) => {
    if (r.k === 'send' && r.a === 'p' && r.msg === 'metadata') asked.push(r);
  });
  world.run({ until: 10 * SECOND });
  const gaps = asked.slice(1).map((r, i) => r.t - asked[i]!.t);
  t.true(asked.length > 50, `${asked.length} requests: it keeps asking`);
  // Each gap: the backoff after the answer, plus the round trip before it (< 5 ms on this LAN).
  t.true(gaps.every((gap) => gap >= 100 * MS && gap < 105 * MS), `gaps ${Math.min(...gaps)}–${Math.max(...gaps)} µs`);
});
