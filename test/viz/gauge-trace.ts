/**
 * A synthetic trace with every gauge the panels draw, in 2 s of simulated time: a log partition
 * whose leader's high watermark grows by one event per millisecond, a consumer group that commits
 * every 50 ms except while its consumer is down (0.6–1.2 s), a follower crash that shrinks the ISR
 * to one (1.0–1.6 s), and an edge forwarder whose buffer fills (and spills past 1 MiB) while its
 * uplink is cut (0.4–1.1 s). The three faults begin within one second, so their labels collide.
 */
import { TraceBuilder } from './synthetic-trace.ts';

export const MS = 1_000;
export const GAUGE_TIMES = { cutAt: 400 * MS, cutUntil: 1_100 * MS, consumerDownAt: 600 * MS, consumerUpAt: 1_200 * MS, followerDownAt: 1_000 * MS, followerUpAt: 1_600 * MS };
const partition = { topic: 'projections', partition: 0 };
const SPILL_ABOVE = 1 << 20;

export function gaugeTrace(): TraceBuilder {
  const T = GAUGE_TIMES;
  const trace = new TraceBuilder({
    scenario: 'viz-gauges', seed: 3, durationUs: 2_000 * MS,
    actors: [
      { id: 'sensors', node: 'edge-2', site: 'edge' },
      { id: 'uplink', node: 'edge-1', site: 'edge' },
      { id: 'controller', node: 'hpc-ctl', site: 'hpc' },
      { id: 'broker-1', node: 'hpc-1', site: 'hpc' },
      { id: 'broker-2', node: 'hpc-2', site: 'hpc' },
      { id: 'consumer', node: 'hpc-3', site: 'hpc' },
    ],
  });
  const isr = (at: number, op: string, members: string[], leader?: string) =>
    trace.record(at, 'controller', 'log', { op, ...partition, offset: -1, epoch: 0, ...(leader ? { leader } : {}), isr: members, replicas: 2 });
  isr(0, 'elect', ['broker-1', 'broker-2'], 'broker-1');
  isr(T.followerDownAt + 50 * MS, 'isr-shrink', ['broker-1']);
  isr(T.followerUpAt + 50 * MS, 'isr-expand', ['broker-1', 'broker-2']);
  let buffered = 0;
  for (let at = 10 * MS; at < 2_000 * MS; at += 10 * MS) {
    trace.record(at, 'broker-1', 'log', { op: 'hw', ...partition, offset: at / MS, epoch: 0 });
    // A follower's own high watermark lags the leader's; the lag must not be measured from it.
    trace.record(at, 'broker-2', 'log', { op: 'hw', ...partition, offset: at / MS - 5, epoch: 0 });
    const consumerUp = at < T.consumerDownAt || at >= T.consumerUpAt;
    if (consumerUp && at % (50 * MS) === 0) trace.record(at + 1, 'consumer', 'client', { op: 'commit', group: 'reconstruct', ...partition, offset: at / MS });
    const cut = at >= T.cutAt && at < T.cutUntil;
    buffered = cut ? buffered + 64 * 1024 : Math.max(0, buffered - 256 * 1024);
    const spill = Math.max(0, buffered - SPILL_ABOVE);
    trace.record(at + 2, 'uplink', 'client', { op: 'buffer', fastBytes: buffered - spill, spillBytes: spill, buffered: buffered / 65536, capacityBytes: 8 << 20 });
  }
  trace.crash('consumer', { at: T.consumerDownAt, until: T.consumerUpAt, reason: 'node-crash' });
  trace.crash('broker-2', { at: T.followerDownAt, until: T.followerUpAt, reason: 'node-crash' });
  trace.fault('cut', 'partition', { at: T.cutAt, until: T.cutUntil, targets: ['edge', 'hpc'], from: ['edge'], to: ['hpc'] });
  trace.fault('consumer-down', 'node-crash', { at: T.consumerDownAt, until: T.consumerUpAt, targets: ['hpc-3'] });
  trace.fault('follower-down', 'node-crash', { at: T.followerDownAt, until: T.followerUpAt, targets: ['hpc-2'] });
  return trace;
}
