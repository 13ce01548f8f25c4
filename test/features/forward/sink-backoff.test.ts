/**
 * The forwarders' sink (also the pipelines' stream sink) backs a lane off as Kafka's producer backs
 * off a batch (KIP-580, the log clients' ExponentialBackoff): `retry.backoff` doubling per
 * consecutive failure up to `retry.backoff.max`, spread ±20 % from the sink's seeded stream — so
 * lanes refused together do not all come back in the same microsecond. Against the scripted brokers
 * of the log client tests, which here refuse every produce request (NOT_ENOUGH_REPLICAS, retriable).
 */
import test from 'ava';
import { FORWARDER_DEFAULTS } from '../../../src/features/forward/actors/index.ts';
import { MS, SECOND } from '../../../src/kernel/index.ts';
import { scriptedWorld } from '../log/_scripted-brokers.ts';
import { LANES, SinkHost } from './_sink-host.ts';

/** Per lane (= partition), the times a produce request carrying it reached its broker. */
function refusedLaneSends(seed: number, until: number): number[][] {
  const { world, script } = scriptedWorld(seed);
  script.produceError = 'not-enough-replicas';
  world.spawn('fwd', 'nx', () => new SinkHost({ plansPerLane: 1 }));
  world.run({ until });
  const sends: number[][] = Array.from({ length: LANES }, () => []);
  for (const { t, message } of script.received) {
    if (message.type === 'produce') for (const { partition } of message.partitions as { partition: number }[]) sends[partition]!.push(t);
  }
  return sends;
}

test('a lane refused again and again re-sends after 100, 200, 400 ms … doubling to the maximum, each pause spread ±20 %', (t) => {
  t.is(FORWARDER_DEFAULTS.retryBackoffUs, 100 * MS);
  const sends = refusedLaneSends(1, 20 * SECOND);
  const ratios: number[] = [];
  for (const [lane, times] of sends.entries()) {
    const gaps = times.slice(1).map((at, i) => at - times[i]!);
    t.true(gaps.length >= 6, `lane ${lane}: ${gaps.length} retries`);
    gaps.forEach((gap, n) => {
      const term = Math.min(FORWARDER_DEFAULTS.maxBackoffUs, 100 * MS * 2 ** n);
      // Each gap is the pause plus a round trip (well under 1 ms here).
      t.true(gap >= 0.8 * term && gap <= 1.2 * term + MS, `lane ${lane}, retry ${n}: ${gap} µs, term ${term} µs`);
      ratios.push(Math.round((gap / term) * 100));
    });
  }
  t.true(new Set(ratios).size > 4, `spread at random: ${[...new Set(ratios)].join(', ')} % of the term`);
});

test('lanes refused in the same reply come back spread apart, not one right after the other', (t) => {
  const sends = refusedLaneSends(2, 10 * SECOND);
  // b1 leads partitions 0 and 2: their first plans went out, and were refused, together.
  t.is(sends[0]![0], sends[2]![0], 'lanes 0 and 2 were first sent in one request');
  const retries = Math.min(sends[0]!.length, sends[2]!.length) - 1;
  t.true(retries >= 5, `${retries} retries each`);
  // Without the spread, lane 2's every retry follows lane 0's within a microsecond or two.
  const apart = Array.from({ length: retries }, (_, n) => Math.abs(sends[0]![n + 1]! - sends[2]![n + 1]!)).filter((gap) => gap > MS);
  t.true(apart.length >= retries / 2, `${apart.length} of ${retries} retries more than 1 ms apart`);
});
