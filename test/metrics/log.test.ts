/**
 * The log's metrics on a run whose story is known: a broker is down for two seconds, so partitions
 * are under-replicated then and a leader is re-elected; a consumer group keeps up.
 */
import test from 'ava';
import { LogMetrics } from '../../src/features/log/metrics/log.ts';
import { MS, SECOND, logWorld, topic } from '../features/log/_harness.ts';

test('under-replicated partitions, elections, end-to-end latency and consumer lag', (t) => {
  const run = logWorld({ topics: [topic('t', 3)], flush: { kind: 'every-write' } });
  run.producer('p', { stopAtUs: 6 * SECOND, ratePerSec: 300 }).consumer('c', { commitIntervalUs: 500 * MS });
  run.crashNode('hpc-1', 2 * SECOND, 2 * SECOND);
  const metrics = new LogMetrics();
  let lastUs = 0;
  run.world.trace.listen((r) => {
    lastUs = r.t;
    metrics.observe(r);
  });
  run.go(12 * SECOND);
  const result = metrics.result({ lastUs }) as {
    underReplicatedPartitions: { peak: number; series: [number, number][] };
    elections: { total: number; unclean: number };
    endToEndLatencyUs: { count: number; p50: number; p99: number };
    consumed: number;
    consumerLag: Record<string, [number, number][]>;
  };
  const urp = new Map(result.underReplicatedPartitions.series);
  t.is(urp.get(1), 0, 'healthy before the crash');
  t.is(urp.get(3), 3, 'broker 1 holds a replica of every partition: all under-replicated while it is down');
  t.is(urp.get(6), 0, 'and healed after it caught up');
  t.is(result.underReplicatedPartitions.peak, 3);
  t.is(result.elections.total, 1, 'broker 1 led one partition');
  t.is(result.elections.unclean, 0);
  t.is(result.endToEndLatencyUs.count, 1800, 'every event delivered once is measured once');
  t.true(result.endToEndLatencyUs.p50 > 0 && result.endToEndLatencyUs.p50 < 50 * MS, `p50 ${result.endToEndLatencyUs.p50}us`);
  t.true(result.endToEndLatencyUs.p99 > SECOND / 2, 'the events held up by the election make the tail');
  const lag = result.consumerLag['g/t-0']!;
  t.true(lag.length >= 10);
  t.is(lag.at(-1)![1], 0, 'the group caught up');
});
