/**
 * What a metric is: like a checker, a fold over the trace records, ending in named numbers.
 * Metrics never judge; they measure (latency, throughput, lost work, overhead). A metric's result
 * is typed by its definition (`TraceMetric<{ p99Us: number }>`, as a type literal so it fits the
 * default where metrics are listed together).
 */
import type { RecordKind, TraceRecord } from '../kernel/contract/index.ts';

/** A metric's result: plain JSON, numbers or objects of numbers. */
export type MetricResult = Record<string, unknown>;

export interface TraceMetric<R extends MetricResult = MetricResult> {
  readonly name: string;
  /**
   * The record kinds it reads (`k`), so a run hands it only those; absent: every record — for a
   * fold that reads every record's time, or a field any kind may carry.
   */
  readonly kinds?: readonly RecordKind[];
  observe(record: TraceRecord): void;
  result(): R;
}
