/**
 * Percentiles of durations in µs, kept in an HDR histogram (3 significant digits), so memory is
 * fixed however many values are recorded.
 *
 * Guarantee: every reported percentile is within 0.1% of the exact one and never outside the
 * recorded values (`min ≤ p50 ≤ p99 ≤ p999 ≤ max`); `max` and `mean` are exact. Why the clamp is
 * sound: the histogram answers a percentile with the *highest value equivalent* to its bucket
 * (hdr-histogram-js `getValueAtPercentile`: "the value that the given percentage of the recorded
 * values are smaller than or equivalent to", where every value of a bucket is equivalent to every
 * other). A percentile above the maximum therefore lies in the maximum's bucket, and the maximum —
 * recorded, and equivalent — is the same answer at the histogram's precision, without reporting
 * a value nobody measured (`p50 5001215` for writes that all took 5000001 µs).
 */
// The histogram classes without the package's index, which loads their compressed encoding (pako,
// base64-js) and WebAssembly build too: ≈ 230 KB of JavaScript every run compiled and none of it
// called (bench/README, Session 14 — CLI start).
import { constructorFromBucketSize } from 'hdr-histogram-js/dist/JsHistogramFactory.js';
import type { Micros } from '../kernel/contract/index.ts';

export interface Percentiles {
  count: number;
  p50: Micros;
  p99: Micros;
  p999: Micros;
  max: Micros;
  mean: Micros;
}

/** What the index's `build({ numberOfSignificantValueDigits: 3 })` makes: 32-bit counts, values from 1, growing as needed. */
function newHistogram() {
  const Histogram = constructorFromBucketSize(32);
  const histogram = new Histogram(1, 2, 3);
  histogram.autoResize = true;
  return histogram;
}

export class LatencyHistogram {
  private readonly histogram = newHistogram();
  private min = Number.POSITIVE_INFINITY;
  private max = 0;
  private sum = 0;

  /** Records `value`, `count` times (many events that took the same time, recorded at once). */
  record(value: Micros, count = 1): void {
    if (count < 1) return;
    const us = Math.max(0, Math.round(value));
    if (count === 1) this.histogram.recordValue(us);
    else this.histogram.recordValueWithCount(us, count);
    this.min = Math.min(this.min, us);
    this.max = Math.max(this.max, us);
    this.sum += us * count;
  }

  percentiles(): Percentiles {
    const h = this.histogram;
    if (h.totalCount === 0) return { count: 0, p50: 0, p99: 0, p999: 0, max: 0, mean: 0 };
    const at = (percentile: number) => Math.min(this.max, Math.max(this.min, h.getValueAtPercentile(percentile)));
    return {
      count: h.totalCount,
      p50: at(50),
      p99: at(99),
      p999: at(99.9),
      max: this.max,
      mean: Math.round(this.sum / h.totalCount),
    };
  }
}
