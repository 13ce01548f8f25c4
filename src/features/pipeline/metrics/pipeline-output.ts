/**
 * What a pipeline delivered: distinct events that reached its output, duplicates seen downstream
 * (an id output more than once — what a rollback without transactional or idempotent output
 * causes), end-to-end latency from the source event's birth to its first output, and throughput.
 *
 * Reads `client` records with `op: output` (`events` ids and their `born` times). Memory: one entry
 * per distinct output id.
 */
import type { TraceRecord } from '../../../kernel/contract/index.ts';
import { SECOND } from '../../../kernel/contract/index.ts';
import { LatencyHistogram } from '../../../metrics/latency.ts';
import type { TraceEnd, TraceMetric } from '../../../metrics/metric.ts';

export class OutputMetrics implements TraceMetric {
  readonly name = 'output';
  readonly kinds = ['client'] as const;
  private readonly seen = new Set<string>();
  private readonly latency = new LatencyHistogram();
  private duplicates = 0;

  observe(record: TraceRecord): void {
    if (record.k !== 'client' || record.op !== 'output' || !Array.isArray(record.events)) return;
    const born = Array.isArray(record.born) ? (record.born as number[]) : [];
    (record.events as string[]).forEach((id, i) => {
      if (this.seen.has(id)) {
        this.duplicates++;
        return;
      }
      this.seen.add(id);
      if (born[i] !== undefined) this.latency.record(record.t - born[i]);
    });
  }

  result(end: TraceEnd): Record<string, unknown> {
    return {
      outputs: this.seen.size,
      duplicates: this.duplicates,
      latencyUs: this.latency.percentiles(),
      perSec: end.lastUs > 0 ? Math.round((this.seen.size * SECOND * 1000) / end.lastUs) / 1000 : 0,
    };
  }
}
