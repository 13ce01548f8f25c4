/**
 * A forwarder reading a log service (log-source.ts) can be outrun by that service's retention: what
 * retention deletes before the forwarder asks for it is skipped, recorded as a `forward-gap` with
 * the offsets it could not read — the break log-source.ts and forwarder.ts document. The events
 * skipped were acknowledged to their producer and never reach the destination: `no-acked-loss`
 * names exactly them. `forwarded-once` counts them as `skipped` and does not judge them (for a log
 * source, "accepted" is what the source's final read holds, and retention took them from there
 * too). With the default retention (7 days) nothing is skipped.
 */
import test from 'ava';
import { execute } from '../../../src/exec/run.ts';
import { SECOND, TraceWriter, type TraceRecord } from '../../../src/kernel/index.ts';
import { loadScenario, prepareRun } from '../../../src/scenario/index.ts';

// The bridge reads `local` on its own site and writes to `wide` across a WAN that is cut from 5 s to
// 20 s; its next connection to `wide` comes up at 35 s (set-up timeouts growing while cut off).
// Meanwhile it holds what it read ahead (readAheadBytes, 32 MiB: about 2,000 events of 16 KiB).
const SCENARIO = (retention: string) => `
name: forward-source-retention
seed: 1
duration: 30s
quiesce: 160s
sites:
  beamline: { role: instrument, nodes: 1 }
  hpc: { role: hpc, nodes: [hpc-1, hpc-2] }
  cloud: { role: cloud, nodes: [cloud-1, cloud-2, cloud-3] }
links:
  - { between: [beamline, hpc], latency: 1ms, bandwidth: 10Gbps }
  - { between: [hpc, cloud], latency: 20ms, bandwidth: 1Gbps }
services:
  local:
    kind: log
    nodes: [hpc-1]
    replication.factor: 1
    min.insync.replicas: 1
    log.retention.check.interval.ms: 1s
    segment.bytes: 1MiB
    retention.ms: ${retention}
    topics:
      frames: { partitions: 1 }
  wide:
    kind: log
    site: cloud
    replication.factor: 3
    min.insync.replicas: 2
    topics:
      frames: { partitions: 1 }
forwarders:
  bridge:
    node: hpc-2
    from: { service: local, topic: frames }
    to: { service: wide, topic: frames }
workload:
  detector: { node: beamline-1, service: local, topic: frames, rate: 100/s, size: 16KiB, acks: all }
faults:
  - { kind: partition, from: [hpc], to: [cloud], at: 5s, for: 15s }
checks: [forwarded-once, no-acked-loss, duplicate]
`;

function run(retention: string) {
  const trace = new TraceWriter();
  const gaps: TraceRecord[] = [];
  trace.listen((r) => {
    if (r.k === 'client' && r.op === 'forward-gap') gaps.push(r);
  });
  const summary = execute(prepareRun(loadScenario(SCENARIO(retention), 'forward-source-retention.yaml'), { trace }));
  return { summary, gaps };
}

test('retention shorter than a forwarder\'s outage skips what it deleted (forward-gap) and no-acked-loss names those events; the default retention skips nothing', (t) => {
  const short = run('4s');
  t.is(short.gaps.length, 1);
  const gap = short.gaps[0]!;
  t.like(gap, { a: 'bridge', topic: 'frames', partition: 0 });
  t.true(gap.t > 20 * SECOND, `skipped at ${gap.t}, after the cut healed`);
  const skipped = (gap.to as number) - (gap.from as number);
  t.true(skipped > 100, `${skipped} offsets skipped`);
  const loss = short.summary.checks['no-acked-loss']!;
  t.false(loss.ok);
  t.deepEqual(loss.violations.map((v) => v.anomaly), ['lost']);
  t.is(loss.stats.lost, skipped, 'the events lost are the offsets skipped');
  t.regex(loss.violations[0]!.message, new RegExp(`^${skipped} acknowledged events \\(detector-${gap.from} … detector-${(gap.to as number) - 1},`));
  t.true(short.summary.checks['forwarded-once']!.ok && short.summary.checks.duplicate!.ok);
  // Passing, forwarded-once says what it did not judge (red before: its stats had no word of the gap).
  t.is(short.summary.checks['forwarded-once']!.stats.skipped, skipped);
  t.is((short.summary.metrics.forward as Record<string, number>)['bridge.gaps'], 1);

  const kept = run('168h');
  t.deepEqual(kept.gaps, []);
  t.true(kept.summary.ok, JSON.stringify(kept.summary.checks));
  t.is(kept.summary.checks['no-acked-loss']!.stats.acked, 3000);
  t.is(kept.summary.checks['forwarded-once']!.stats.skipped, 0);
});
