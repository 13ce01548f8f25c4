/**
 * What a pipeline delivered: distinct events that reached its output, duplicates seen downstream
 * (an id output more than once — what a rollback without transactional or idempotent output
 * causes), end-to-end latency from the source event's birth to its first output, and throughput.
 *
 * Reads `client` records with `op: output` (`events` ids and their `born` times). Memory: one entry
 * per distinct output id.
 *
 * `instrumentLost` (shown when a bounded instrument buffer lost anything, instrument.ts): how many
 * of the sources' events were overwritten before the source took them, each position counted once
 * however often a rollback sends its source back past it (`op: instrument-lost` records).
 */
import type { EventId, TraceRecord } from '../../../kernel/contract/index.ts';
import { SECOND } from '../../../kernel/contract/index.ts';
import { LatencyHistogram } from '../../../metrics/latency.ts';
import { OffsetRanges } from '../../../metrics/offset-ranges.ts';
import type { TraceEnd, TraceMetric } from '../../../metrics/metric.ts';

export class OutputMetrics implements TraceMetric {
  readonly name = 'output';
  readonly kinds = ['client'] as const;
  private readonly seen = new Set<EventId>();
  private readonly latency = new LatencyHistogram();
  private duplicates = 0;
  /** By source instance, the positions its instrument overwrote (they come as runs: a range per record). */
  private readonly lost = new Map<string, OffsetRanges>();
  private instrumentLost = 0;

  observe(record: TraceRecord): void {
    if (record.k === 'client' && record.op === 'instrument-lost') return this.overwritten(record.a, record.first as number, record.count as number);
    if (record.k !== 'client' || record.op !== 'output' || !Array.isArray(record.events)) return;
    const born = Array.isArray(record.born) ? (record.born as number[]) : [];
    (record.events as EventId[]).forEach((id, i) => {
      if (this.seen.has(id)) {
        this.duplicates++;
        return;
      }
      this.seen.add(id);
      if (born[i] !== undefined) this.latency.record(record.t - born[i]);
    });
  }

  private overwritten(source: string, first: number, count: number): void {
    let positions = this.lost.get(source);
    if (positions === undefined) this.lost.set(source, (positions = new OffsetRanges()));
    for (const [from, to] of positions.add(first, first + count)) this.instrumentLost += to - from;
  }

  result(end: TraceEnd): Record<string, unknown> {
    const instrumentLost = this.instrumentLost;
    return {
      outputs: this.seen.size,
      duplicates: this.duplicates,
      latencyUs: this.latency.percentiles(),
      perSec: end.lastUs > 0 ? Math.round((this.seen.size * SECOND * 1000) / end.lastUs) / 1000 : 0,
      ...(instrumentLost === 0 ? {} : { instrumentLost }),
    };
  }
}
