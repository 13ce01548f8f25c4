/**
 * What a metric is: like a checker, a fold over the trace records, ending in named numbers.
 * Metrics never judge; they measure (latency, throughput, lost work, overhead). A metric's result
 * is typed by its definition (`TraceMetric<{ p99Us: number }>`, as a type literal so it fits the
 * default where metrics are listed together).
 */
import type { Micros, Reads, TraceRecord } from '../kernel/contract/index.ts';

/** A metric's result: plain JSON, numbers or objects of numbers. */
export type MetricResult = Record<string, unknown>;

/** What the run tells a metric when it asks for its result: where the trace ended. */
export interface TraceEnd {
  /** The time of the trace's last record, of any kind (0 for an empty trace). */
  readonly lastUs: Micros;
}

/**
 * Its `Reads` (kinds, ops, a field it needs) say which records a run hands it: only those. A fold
 * that needs only the time the trace reached (a rate over the run, a time series sampled up to its
 * end) reads it from `result`'s `end`, not from every record.
 */
export interface TraceMetric<R extends MetricResult = MetricResult> extends Reads {
  readonly name: string;
  observe(record: TraceRecord): void;
  result(end: TraceEnd): R;
}
