/**
 * Astronomical alert metrics (src/features/alerts/actors/): per community broker, the share of alerts its
 * subscribers received within 60 s of the end of their visit (Rubin's latency requirement), and
 * the alert latency percentiles.
 *
 * - Denominator: every packet the survey's alert producer produced (`client` `produce` records of
 *   the `producer` actor), times the broker's subscribers — a packet the log never stored, or a
 *   broker never delivered, counts as late.
 * - A delivery is a subscriber's first `alert-delivered` record of a packet; its latency is the
 *   arrival time minus the visit's end. `duplicates` counts repeated receipts (a broker replaying
 *   after a crash: at-least-once downstream).
 * - `within60sShare` over every broker and subscriber, `within60sShare.<broker>` per broker (both
 *   in [0, 1]), `latencyUs` percentiles over every first delivery, and under each broker's name its
 *   latency percentiles (µs; `count` is its first deliveries), `expected` and `duplicates` — one
 *   level deep, so the printed summary shows each broker's p50/p99 and studies can compare
 *   `alerts.<broker>.p99`.
 *   Every packet holds `alertsPerPacket` alerts, so shares of packets are shares of alerts.
 */
import type { Micros, TraceRecord } from '../../../kernel/contract/index.ts';
import { LatencyHistogram } from '../../../metrics/latency.ts';
import type { TraceMetric } from '../../../metrics/metric.ts';

export interface AlertMetricsConfig {
  /** The alert producer's actor id. */
  readonly producer: string;
  readonly alertsPerPacket: number;
  /** The latency requirement, µs (Rubin: 60 s). */
  readonly deadlineUs: Micros;
  /** Each broker's actor id and its number of subscribers, in scenario order. */
  readonly brokers: readonly { readonly name: string; readonly subscribers: number }[];
}

interface BrokerTally {
  readonly latency: LatencyHistogram;
  inTime: number;
  duplicates: number;
}

export class AlertMetrics implements TraceMetric {
  readonly name = 'alerts';
  private readonly produced = new Set<string>();
  private readonly visits = new Set<string>();
  private readonly firstReceipt = new Set<string>();
  private readonly tallies = new Map<string, BrokerTally>();
  private readonly latency = new LatencyHistogram();

  constructor(private readonly config: AlertMetricsConfig) {
    for (const broker of config.brokers) this.tallies.set(broker.name, { latency: new LatencyHistogram(), inTime: 0, duplicates: 0 });
  }

  observe(record: TraceRecord): void {
    if (record.k === 'client' && record.op === 'produce' && record.a === this.config.producer) {
      for (const id of record.events as string[]) {
        this.produced.add(id);
        // A packet's id is `<producer>-v<visit>-<j>` (features/log/actors/bursts.ts): its visit is the id without `-<j>`.
        this.visits.add(id.slice(0, id.lastIndexOf('-')));
      }
      return;
    }
    if (record.k !== 'state' || record.op !== 'alert-delivered') return;
    const tally = this.tallies.get(record.broker as string);
    if (tally === undefined) return;
    const key = `${record.a}|${String(record.packet)}`;
    if (this.firstReceipt.has(key)) {
      tally.duplicates++;
      return;
    }
    this.firstReceipt.add(key);
    const latencyUs = record.t - (record.visitUs as number);
    if (latencyUs <= this.config.deadlineUs) tally.inTime++;
    tally.latency.record(latencyUs);
    this.latency.record(latencyUs);
  }

  result(): Record<string, unknown> {
    const packets = this.produced.size;
    let expected = 0;
    let inTime = 0;
    const shares: Record<string, number> = {};
    const brokers: Record<string, unknown> = {};
    for (const { name, subscribers } of this.config.brokers) {
      const tally = this.tallies.get(name)!;
      const due = packets * subscribers;
      expected += due;
      inTime += tally.inTime;
      shares[`within60sShare.${name}`] = share(tally.inTime, due);
      brokers[name] = { ...tally.latency.percentiles(), expected: due, duplicates: tally.duplicates };
    }
    return {
      visits: this.visits.size,
      packets,
      alerts: packets * this.config.alertsPerPacket,
      within60sShare: share(inTime, expected),
      ...shares,
      latencyUs: this.latency.percentiles(),
      ...brokers,
    };
  }
}

/** `part / whole`, rounded to 4 decimals so summaries stay readable; 0 of 0 is 0. */
function share(part: number, whole: number): number {
  return whole === 0 ? 0 : Math.round((part / whole) * 10_000) / 10_000;
}
