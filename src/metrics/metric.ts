/**
 * What a metric is: like a checker, a fold over the trace records, ending in named numbers.
 * Metrics never judge; they measure (latency, throughput, lost work, overhead).
 */
import type { TraceRecord } from '../kernel/contract/index.ts';

export interface TraceMetric {
  readonly name: string;
  observe(record: TraceRecord): void;
  /** Plain JSON: numbers, or objects of numbers. */
  result(): Record<string, unknown>;
}
