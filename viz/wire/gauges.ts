/**
 * Gauges: quantities that hold a level between changes (consumer lag, in-sync replica count, edge
 * buffer fill), carried in the payload header at a bounded level of detail and drawn as step lines
 * on the panels. Shared by the encoder (Node), which writes them, and the page, which reads them.
 *
 * A gauge is a run of time buckets of `bucketUs` each; only buckets in which the value changed
 * are stored, each with the lowest, highest and last value set in it. So the last value of each
 * bucket is the exact level from that bucket to the next one, and min/max say how far it swung
 * in between — a step line is honest at any zoom, only its time resolution is the bucket.
 *
 * How it fails: a `steps` array whose length is not a multiple of four throws on decoding.
 */

/** Which panel a gauge belongs to. */
export type GaugePanel = 'lag' | 'isr' | 'buffer';

export interface GaugeWire {
  panel: GaugePanel;
  /** The series' name in the panel's legend: a group and partition, a partition, a forwarder. */
  name: string;
  /** `fill` for a buffer's total fill, `spill` for the part spilled to disk; `level` otherwise. */
  role: 'level' | 'fill' | 'spill';
  bucketUs: number;
  /**
   * Flat `[Δbucket, min, max, last]` per stored bucket: Δbucket is the bucket index minus the
   * previous stored one (the first counts from 0), so time = index · bucketUs.
   */
  steps: number[];
  /** A fixed bound to draw as a dotted line: a buffer's capacity, min.insync.replicas. */
  limit?: number;
}

export interface Gauge {
  panel: GaugePanel;
  name: string;
  role: GaugeWire['role'];
  bucketUs: number;
  /** Bucket start times (µs), ascending. */
  t: Float64Array;
  min: Float64Array;
  max: Float64Array;
  last: Float64Array;
  limit?: number;
}

export function decodeGauge(wire: GaugeWire): Gauge {
  if (wire.steps.length % 4 !== 0) throw new Error(`timeline payload: gauge ${wire.name} has ${wire.steps.length} step values, not a multiple of 4`);
  const count = wire.steps.length / 4;
  const gauge: Gauge = {
    panel: wire.panel, name: wire.name, role: wire.role, bucketUs: wire.bucketUs, limit: wire.limit,
    t: new Float64Array(count), min: new Float64Array(count), max: new Float64Array(count), last: new Float64Array(count),
  };
  let bucket = 0;
  for (let i = 0; i < count; i++) {
    bucket += wire.steps[4 * i];
    gauge.t[i] = bucket * wire.bucketUs;
    gauge.min[i] = wire.steps[4 * i + 1];
    gauge.max[i] = wire.steps[4 * i + 2];
    gauge.last[i] = wire.steps[4 * i + 3];
  }
  return gauge;
}

/** The level of a gauge at time `t` (the last value of the latest bucket at or before it), or null before its first. */
export function levelAt(gauge: Gauge, t: number): number | null {
  let lo = 0;
  let hi = gauge.t.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (gauge.t[mid] <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo === 0 ? null : gauge.last[lo - 1];
}
