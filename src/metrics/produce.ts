/**
 * Producer-side metrics from `client` records: how many events were produced, acknowledged,
 * retried and given up on, the produce→ack latency percentiles, and acknowledged throughput: acks
 * per second from the first produce to the last ack — what the producers achieved while they ran,
 * not diluted by the quiesce phase after them (as the log's consumedPerSec spans its consumes).
 * Only events still awaiting their ack are held in memory.
 */
import type { EventId, Micros, TraceRecord } from '../kernel/contract/index.ts';
import { SECOND } from '../kernel/contract/index.ts';
import { LatencyHistogram } from './latency.ts';
import type { TraceMetric } from './metric.ts';

export class ProduceMetrics implements TraceMetric {
  readonly name = 'produce';
  readonly kinds = ['client'] as const;
  private readonly producedAt = new Map<EventId, Micros>();
  private readonly latency = new LatencyHistogram();
  private produced = 0;
  private acked = 0;
  private retries = 0;
  private errors = 0;
  private firstProduceUs: Micros | undefined;
  private lastAckUs: Micros = 0;

  observe(record: TraceRecord): void {
    if (record.k !== 'client') return;
    const events = Array.isArray(record.events) ? (record.events as EventId[]) : [];
    switch (record.op) {
      case 'produce':
        this.produced += events.length;
        this.firstProduceUs ??= record.t;
        for (const id of events) this.producedAt.set(id, record.t);
        break;
      case 'ack':
        for (const id of events) {
          const at = this.producedAt.get(id);
          if (at === undefined) continue;
          this.producedAt.delete(id);
          this.acked++;
          this.lastAckUs = record.t;
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

  result(): Record<string, unknown> {
    const spanUs = this.firstProduceUs === undefined ? 0 : this.lastAckUs - this.firstProduceUs;
    return {
      produced: this.produced,
      acked: this.acked,
      retries: this.retries,
      errors: this.errors,
      unacknowledged: this.producedAt.size,
      ackLatencyUs: this.latency.percentiles(),
      ackedPerSec: spanUs > 0 ? Math.round((this.acked * SECOND * 1000) / spanUs) / 1000 : 0,
    };
  }
}
