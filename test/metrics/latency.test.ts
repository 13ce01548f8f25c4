/**
 * Latency percentiles: an HDR histogram keeps 3 significant digits, so a value is reported within
 * its bucket; but never outside what was recorded — no percentile above the maximum or below the
 * minimum, and the maximum, minimum and mean are the recorded values' own.
 */
import test from 'ava';
import { LatencyHistogram } from '../../src/metrics/latency.ts';

test('percentiles stay within the recorded values: one value is every percentile of itself', (t) => {
  const h = new LatencyHistogram();
  for (let i = 0; i < 10; i++) h.record(5_000_001);
  const p = h.percentiles();
  t.is(p.max, 5_000_001);
  t.is(p.mean, 5_000_001);
  t.is(p.p50, 5_000_001, `p50 ${p.p50} > max ${p.max}`);
  t.is(p.p99, 5_000_001);
  t.is(p.p999, 5_000_001);
});

test('percentiles of mixed values: ordered, between min and max, each within 0.1% of the exact one', (t) => {
  const h = new LatencyHistogram();
  const values: number[] = [];
  for (let i = 0; i < 1000; i++) values.push(4_990_000 + ((i * 7919) % 10_003));
  for (const v of values) h.record(v);
  const sorted = [...values].sort((a, b) => a - b);
  const p = h.percentiles();
  const max = sorted[sorted.length - 1];
  t.is(p.max, max);
  t.true(sorted[0] <= p.p50 && p.p50 <= p.p99 && p.p99 <= p.p999 && p.p999 <= p.max, JSON.stringify(p));
  const exact = (q: number) => sorted[Math.ceil((q / 100) * sorted.length) - 1];
  for (const [q, got] of [[50, p.p50], [99, p.p99], [99.9, p.p999]] as const) t.true(Math.abs(got - exact(q)) <= exact(q) / 1000, `p${q} ${got} vs ${exact(q)}`);
  t.is(p.mean, Math.round(values.reduce((a, b) => a + b, 0) / values.length));
});

test('a value recorded with a count counts that many times, as the same value recorded one by one', (t) => {
  const once = new LatencyHistogram();
  const each = new LatencyHistogram();
  once.record(1_000, 3);
  once.record(9_000, 1);
  for (const v of [1_000, 1_000, 1_000, 9_000]) each.record(v);
  t.deepEqual(once.percentiles(), each.percentiles());
  t.is(once.percentiles().count, 4);
  t.is(once.percentiles().mean, 3_000);
});
