/**
 * Producer-side metrics from `client` records: how many events were produced, acknowledged,
 * retried and given up on, the produce→ack latency percentiles, and acknowledged throughput over
 * the simulated time the run covered. Only events still awaiting their ack are held in memory.
 */
import type { Micros, TraceRecord } from '../kernel/contract/index.ts';
import { SECOND } from '../kernel/contract/index.ts';
import { LatencyHistogram } from './latency.ts';
import type { TraceEnd, TraceMetric } from './metric.ts';

export class ProduceMetrics implements TraceMetric {
  readonly name = 'produce';
  readonly kinds = ['client'] as const;
  private readonly producedAt = new Map<string, Micros>();
  private readonly latency = new LatencyHistogram();
  private produced = 0;
  private acked = 0;
  private retries = 0;
  private errors = 0;

  observe(record: TraceRecord): void {
    if (record.k !== 'client') return;
    const events = Array.isArray(record.events) ? (record.events as string[]) : [];
    switch (record.op) {
      case 'produce':
        this.produced += events.length;
        for (const id of events) this.producedAt.set(id, record.t);
        break;
      case 'ack':
        for (const id of events) {
          const at = this.producedAt.get(id);
          if (at === undefined) continue;
          this.producedAt.delete(id);
          this.acked++;
          this.latency.record(record.t - at);
        }
        break;
      case 'retry':
        this.retries += events.length;
        break;
      case 'error':
        for (const id of events) if (this.producedAt.delete(id)) this.errors++;
        break;
    }
  }

  result(end: TraceEnd): Record<string, unknown> {
    return {
      produced: this.produced,
      acked: this.acked,
      retries: this.retries,
      errors: this.errors,
      unacknowledged: this.producedAt.size,
      ackLatencyUs: this.latency.percentiles(),
      ackedPerSec: end.lastUs > 0 ? Math.round((this.acked * SECOND * 1000) / end.lastUs) / 1000 : 0,
    };
  }
}
