/**
 * What a metric is: like a checker, a fold over the trace records, ending in named numbers.
 * Metrics never judge; they measure (latency, throughput, lost work, overhead). A metric's result
 * is typed by its definition (`TraceMetric<{ p99Us: number }>`, as a type literal so it fits the
 * default where metrics are listed together).
 */
import type { Micros, RecordKind, TraceRecord } from '../kernel/contract/index.ts';

/** A metric's result: plain JSON, numbers or objects of numbers. */
export type MetricResult = Record<string, unknown>;

/** What the run tells a metric when it asks for its result: where the trace ended. */
export interface TraceEnd {
  /** The time of the trace's last record, of any kind (0 for an empty trace). */
  readonly lastUs: Micros;
}

export interface TraceMetric<R extends MetricResult = MetricResult> {
  readonly name: string;
  /**
   * The record kinds it reads (`k`), so a run hands it only those; absent: every record — for a
   * field any kind may carry. A fold that needs only the time the trace reached (a rate over the
   * run, a time series sampled up to its end) reads it from `result`'s `end`, not from every record.
   */
  readonly kinds?: readonly RecordKind[];
  observe(record: TraceRecord): void;
  result(end: TraceEnd): R;
}
