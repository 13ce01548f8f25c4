/**
 * What a metric is: like a checker, a fold over the trace records, ending in named numbers.
 * Metrics never judge; they measure (latency, throughput, lost work, overhead). A metric's result
 * is typed by its definition (`TraceMetric<{ p99Us: number }>`, as a type literal so it fits the
 * default where metrics are listed together).
 */
import type { TraceRecord } from '../kernel/contract/index.ts';

/** A metric's result: plain JSON, numbers or objects of numbers. */
export type MetricResult = Record<string, unknown>;

export interface TraceMetric<R extends MetricResult = MetricResult> {
  readonly name: string;
  observe(record: TraceRecord): void;
  result(): R;
}
