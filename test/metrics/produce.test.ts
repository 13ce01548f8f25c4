/**
 * Producer metrics: acknowledged throughput is what the producers achieved while they ran — acks
 * per second from the first produce to the last ack — not diluted by the quiesce phase after the
 * workload (a 400/s producer whose run lasts twice its workload read 200/s before).
 */
import test from 'ava';
import { ProduceMetrics } from '../../src/metrics/produce.ts';
import { SECOND, type TraceRecord } from '../../src/kernel/index.ts';

let n = 0;
const client = (t: number, op: string, events: string[]): TraceRecord => ({ t, k: 'client', a: 'p', n: n++, op, events });

test('ackedPerSec spans the first produce to the last ack, whatever follows', (t) => {
  const metric = new ProduceMetrics();
  // 4 events a second for 10 s, each acknowledged 10 ms later; then 10 quiet seconds.
  for (let i = 0; i < 40; i++) {
    const at = SECOND + i * 250_000;
    metric.observe(client(at, 'produce', [`e${i}`]));
    metric.observe(client(at + 10_000, 'ack', [`e${i}`]));
  }
  const result = metric.result() as { acked: number; ackedPerSec: number };
  t.is(result.acked, 40);
  t.is(result.ackedPerSec, Math.round((40 / 9.76) * 1000) / 1000);
});

test('nothing acknowledged: 0 per second', (t) => {
  const metric = new ProduceMetrics();
  metric.observe(client(SECOND, 'produce', ['x']));
  t.is((metric.result() as { ackedPerSec: number }).ackedPerSec, 0);
});
