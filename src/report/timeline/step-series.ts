/**
 * A level that holds between changes, recorded at a bounded level of detail while a trace streams
 * by: time is cut into buckets, and each bucket in which the level changed keeps its lowest,
 * highest and last value. When more than `maxBuckets` buckets are stored, the bucket width
 * doubles and neighbours merge (min of mins, max of maxes, the later last), so a series of 10^6
 * changes costs at most `maxBuckets` buckets and memory never grows with the trace.
 *
 * Guarantee: the last value of a bucket is the exact level at the bucket's end, and no swing of
 * the level is lost — it is inside some bucket's min–max. What is lost is *when* inside the bucket.
 *
 * How it fails: a time before the previous one throws (the encoder has already checked order).
 */
import type { GaugeWire } from '../../../viz/wire/gauges.ts';

/** Buckets per series: about one per two pixels of a full-width panel. */
export const MAX_BUCKETS = 512;

export class StepSeries {
  private bucketUs = 1;
  private readonly index: number[] = [];
  private readonly min: number[] = [];
  private readonly max: number[] = [];
  private readonly last: number[] = [];

  constructor(private readonly maxBuckets = MAX_BUCKETS) {}

  /** The level most recently set, or undefined before the first. */
  get level(): number | undefined {
    return this.last.length === 0 ? undefined : this.last[this.last.length - 1];
  }

  /** Sets the level at time `t` (µs); setting the level it already has is a no-op. */
  set(t: number, value: number): void {
    if (value === this.level) return;
    const bucket = Math.floor(t / this.bucketUs);
    const end = this.index.length - 1;
    if (end >= 0 && bucket < this.index[end]) throw new Error(`step series: time ${t} before the previous change`);
    if (end >= 0 && bucket === this.index[end]) {
      this.min[end] = Math.min(this.min[end], value);
      this.max[end] = Math.max(this.max[end], value);
      this.last[end] = value;
      return;
    }
    this.index.push(bucket);
    this.min.push(value);
    this.max.push(value);
    this.last.push(value);
    while (this.index.length > this.maxBuckets) this.coarsen();
  }

  /** The series in its wire form (see `viz/wire/gauges.ts`), deltas between stored bucket indexes. */
  steps(): Pick<GaugeWire, 'bucketUs' | 'steps'> {
    const steps: number[] = [];
    let previous = 0;
    for (let i = 0; i < this.index.length; i++) {
      steps.push(this.index[i] - previous, this.min[i], this.max[i], this.last[i]);
      previous = this.index[i];
    }
    return { bucketUs: this.bucketUs, steps };
  }

  /** Doubles the bucket width, merging each pair of buckets that now fall into one. */
  private coarsen(): void {
    this.bucketUs *= 2;
    let out = -1;
    for (let i = 0; i < this.index.length; i++) {
      const bucket = Math.floor(this.index[i] / 2);
      if (out >= 0 && this.index[out] === bucket) {
        this.min[out] = Math.min(this.min[out], this.min[i]);
        this.max[out] = Math.max(this.max[out], this.max[i]);
        this.last[out] = this.last[i];
        continue;
      }
      out++;
      this.index[out] = bucket;
      this.min[out] = this.min[i];
      this.max[out] = this.max[i];
      this.last[out] = this.last[i];
    }
    for (const column of [this.index, this.min, this.max, this.last]) column.length = out + 1;
  }
}
