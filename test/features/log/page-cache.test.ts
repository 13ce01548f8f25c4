/**
 * `flush: never` (Kafka's default) relies on the page cache and on replication: the operating
 * system writes a dirty file back once it has been dirty for `vm.dirty_expire_centisecs` (30 s),
 * at the flusher's next wake-up (every 5 s), on its own. So when every replica loses power at
 * once, what was acknowledged more than 35 s before survives and at most the last ~35 s is lost —
 * not the whole log. (How much of those 35 s depends on when the segment file was last written
 * back: Linux writes back whole files, young pages with old.)
 */
import test from 'ava';
import { execute } from '../../../src/exec/run.ts';
import { SECOND, TraceWriter } from '../../../src/kernel/index.ts';
import { loadScenario, prepareRun } from '../../../src/scenario/index.ts';

const SITE_POWER_LOSS = `name: page-cache
seed: 1
duration: 90s
quiesce: 3m
sites:
  beamline: { role: instrument, nodes: 1 }
  hpc: { role: hpc, nodes: [hpc-1, hpc-2, hpc-3, hpc-ctl] }
links:
  - { between: [beamline, hpc], latency: 500us }
services:
  stream:
    kind: log
    nodes: [hpc-1, hpc-2, hpc-3]
    controller: hpc-ctl
    replication.factor: 3
    min.insync.replicas: 2
    flush: never
    topics:
      projections: { partitions: 1 }
workload:
  detector: { node: beamline-1, service: stream, topic: projections, rate: 200/s, size: 4KiB, acks: all }
faults:
  - { kind: power-loss, target: hpc, at: 80s, for: 2s }
checks: [no-acked-loss, divergence]
`;

test('flush never: a site-wide power loss takes only what was acknowledged in the last ~30–35 s', (t) => {
  const summary = execute(prepareRun(loadScenario(SITE_POWER_LOSS, 'page-cache.yaml'), { trace: new TraceWriter() }));
  const verdict = summary.checks['no-acked-loss']!;
  const lostAcks = verdict.violations.filter((v) => v.anomaly === 'lost').flatMap((v) => v.cites.filter((c) => c.k === 'client').map((c) => c.t));
  const lost = verdict.stats.lost!;
  t.true(lost > 0, 'the last seconds before the power loss were in no device');
  // 200 events/s: at most dirty_expire + dirty_writeback = 35 s of them.
  t.true(lost <= 35 * 200, `${lost} lost`);
  t.true(Math.min(...lostAcks) >= 45 * SECOND, `acknowledged at ${Math.min(...lostAcks)} µs, more than 35 s before the power loss, and lost`);
  t.true(verdict.stats.acked! > lost + 40 * 200, 'everything acknowledged before was written back and kept');
  // The checker follows the writeback: the recovered logs are the written-back prefixes, verified.
  const divergence = summary.checks['divergence']!.stats;
  t.is(divergence.unverified, 0);
  t.true(divergence.writtenBack! > 0);
});
