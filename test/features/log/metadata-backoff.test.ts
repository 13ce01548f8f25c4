/**
 * Metadata refreshes are spaced by the client's own retry.backoff.ms (Kafka's `Metadata.timeToNextUpdate`:
 * every client builds its Metadata with its configured retry.backoff.ms): a producer whose partition
 * has no leader keeps asking, but once per backoff after the last answer, not once per round trip.
 */
import test from 'ava';
import { LogConsumer, LogProducer } from '../../../src/features/log/actors/index.ts';
import { MS, SECOND, type Micros, type TraceRecord } from '../../../src/kernel/index.ts';
import { scriptedConsumer, scriptedProducer, scriptedWorld, setupTimeoutRange } from './_scripted-brokers.ts';

/** The gaps between a producer's metadata requests while partition 0 has no leader. */
function producerMetadataGaps(retryBackoffUs: Micros): number[] {
  const { world, script } = scriptedWorld(1);
  script.leaderless = new Set([0]);
  world.spawn('p', 'nx', () => new LogProducer(scriptedProducer({ ratePerSec: 100, stopAtUs: 20 * SECOND, retryBackoffUs }), 4));
  const asked: TraceRecord[] = [];
  world.trace.listen((r) => {
    if (r.k === 'send' && r.a === 'p' && r.msg === 'metadata') asked.push(r);
  });
  world.run({ until: 10 * SECOND });
  return asked.slice(1).map((r, i) => r.t - asked[i]!.t);
}

for (const backoffMs of [100, 20, 250]) {
  test(`a producer whose partition has no leader asks for metadata once per its retry.backoff.ms (${backoffMs} ms), not once per round trip`, (t) => {
    const gaps = producerMetadataGaps(backoffMs * MS);
    t.true(gaps.length > 10_000 / backoffMs / 2, `${gaps.length + 1} requests: it keeps asking`);
    // Each gap: the backoff after the answer, plus the round trip before it (< 5 ms on this LAN).
    t.true(gaps.every((gap) => gap >= backoffMs * MS && gap < (backoffMs + 5) * MS), `gaps ${Math.min(...gaps)}–${Math.max(...gaps)} µs`);
  });
}

test('a consumer asks metadata again its own retry.backoff.ms after a request to a dead bootstrap host fails', (t) => {
  /** The consumer's first two metadata requests, with b1's node down from the start. */
  const metadataOf = (seed: number, retryBackoffUs: Micros) => {
    const { world } = scriptedWorld(seed);
    world.spawn('c', 'nx', () => new LogConsumer(scriptedConsumer({ retryBackoffUs })));
    const metadata: TraceRecord[] = [];
    world.trace.listen((r) => {
      if (r.k === 'send' && r.a === 'c' && r.msg === 'metadata') metadata.push(r);
    });
    world.at(0, 'b1 down', () => world.crashNode('n1', 'test'));
    world.run({ until: 15 * SECOND });
    return metadata;
  };
  // Seeds whose first metadata request draws b1 (the draw is the consumer's own).
  const seeds = [1, 2, 3, 4, 5, 6, 7, 8].filter((seed) => metadataOf(seed, 300 * MS)[0]?.to === 'b1');
  t.true(seeds.length > 0, 'some seed asks b1 first');
  for (const seed of seeds) {
    // The set-up timeout (10 s ± 20 %, the same draw at any retry.backoff.ms), then the consumer's retry.backoff.ms.
    const [slow, fast] = [300 * MS, 100 * MS].map((backoffUs) => metadataOf(seed, backoffUs)).map((m) => m[1]!.t - m[0]!.t);
    t.is(slow! - fast!, 200 * MS, `seed ${seed}: ${slow} µs at 300 ms, ${fast} µs at 100 ms`);
    t.true(fast! - 100 * MS >= setupTimeoutRange(0).lo && fast! - 100 * MS <= setupTimeoutRange(0).hi, `seed ${seed}: set-up timeout ${fast! - 100 * MS} µs`);
  }
});
