/**
 * Percentiles of durations in µs, kept in an HDR histogram (3 significant digits), so memory is
 * fixed however many values are recorded.
 */
import * as hdr from 'hdr-histogram-js';
import type { Micros } from '../kernel/contract/index.ts';

export interface Percentiles {
  count: number;
  p50: Micros;
  p99: Micros;
  p999: Micros;
  max: Micros;
  mean: Micros;
}

export class LatencyHistogram {
  private readonly histogram = hdr.build({ useWebAssembly: false, numberOfSignificantValueDigits: 3 });

  record(value: Micros): void {
    this.histogram.recordValue(Math.max(0, Math.round(value)));
  }

  percentiles(): Percentiles {
    const h = this.histogram;
    if (h.totalCount === 0) return { count: 0, p50: 0, p99: 0, p999: 0, max: 0, mean: 0 };
    return {
      count: h.totalCount,
      p50: h.getValueAtPercentile(50),
      p99: h.getValueAtPercentile(99),
      p999: h.getValueAtPercentile(99.9),
      max: h.maxValue,
      mean: Math.round(h.mean),
    };
  }
}
