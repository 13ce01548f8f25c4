/**
 * Forwarding metrics from the forwarders' `client` records, per forwarder: events and bytes
 * forwarded, re-sends the destination recognised as duplicates, retries, events dropped by the
 * overflow policy, requests refused while the buffer was full, and the buffer's peak fill (fast
 * tier and spill). Only counters are kept.
 */
import type { TraceRecord } from '../../../kernel/contract/index.ts';
import type { TraceMetric } from '../../../metrics/metric.ts';

interface ForwarderTotals {
  forwardedEvents: number;
  duplicateBatches: number;
  retries: number;
  droppedEvents: number;
  droppedBytes: number;
  blockedEpisodes: number;
  peakBufferBytes: number;
  peakSpillBytes: number;
  peakBufferEvents: number;
  gaps: number;
}

export class ForwardMetrics implements TraceMetric {
  readonly name = 'forward';
  private readonly forwarders = new Map<string, ForwarderTotals>();

  observe(record: TraceRecord): void {
    if (record.k !== 'client' || typeof record.op !== 'string' || !FORWARD_OPS.has(record.op)) return;
    const totals = this.totals(record.a);
    const events = Array.isArray(record.events) ? record.events.length : 0;
    switch (record.op) {
      case 'forwarded':
        if (record.duplicate === true) totals.duplicateBatches++;
        else totals.forwardedEvents += events;
        break;
      case 'forward-retry':
        totals.retries++;
        break;
      case 'drop':
        totals.droppedEvents += events;
        totals.droppedBytes += typeof record.bytes === 'number' ? record.bytes : 0;
        break;
      case 'forward-gap':
        totals.gaps++;
        break;
      case 'buffer':
        if (record.state === 'blocked') totals.blockedEpisodes++;
        totals.peakBufferBytes = Math.max(totals.peakBufferBytes, num(record.fastBytes));
        totals.peakSpillBytes = Math.max(totals.peakSpillBytes, num(record.spillBytes));
        totals.peakBufferEvents = Math.max(totals.peakBufferEvents, num(record.buffered));
        break;
    }
  }

  /** Flat `<forwarder>.<counter>` keys, so reports can print them as they print other metrics. */
  result(): Record<string, unknown> {
    const flat: Record<string, number> = {};
    for (const [forwarder, totals] of this.forwarders) for (const [key, value] of Object.entries(totals)) flat[`${forwarder}.${key}`] = value;
    return flat;
  }

  private totals(forwarder: string): ForwarderTotals {
    let totals = this.forwarders.get(forwarder);
    if (totals === undefined) {
      totals = { forwardedEvents: 0, duplicateBatches: 0, retries: 0, droppedEvents: 0, droppedBytes: 0, blockedEpisodes: 0, peakBufferBytes: 0, peakSpillBytes: 0, peakBufferEvents: 0, gaps: 0 };
      this.forwarders.set(forwarder, totals);
    }
    return totals;
  }
}

const FORWARD_OPS = new Set(['forwarded', 'forward-retry', 'drop', 'forward-gap', 'buffer']);

function num(value: unknown): number {
  return typeof value === 'number' ? value : 0;
}
