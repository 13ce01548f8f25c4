/**
 * Astronomical alert metrics (src/features/alerts/actors/): per community broker, the share of
 * alerts its subscribers received within 60 s of the end of their visit (Rubin's latency
 * requirement), and the alert latency percentiles. One log record is one alert.
 *
 * - Denominator: every alert the survey's alert producer produced (`client` `produce` records of
 *   the `producer` actor), times the broker's subscribers — an alert the log never stored, or a
 *   broker never delivered, counts as late.
 * - A delivery is a subscriber's first receipt of an alert: its `alert-delivered` records name a
 *   partition's offset range, and the first notice covering an offset delivers that alert. Its
 *   latency is the arrival time minus the end of the alert's visit (the notice's `visits` runs).
 *   `duplicates` counts alerts received again (a broker replaying after a crash: at-least-once
 *   downstream).
 * - `within60sShare` over every broker and subscriber, `within60sShare.<broker>` per broker (both
 *   in [0, 1]) — named after the requirement (`alerts.latency-target`, 60 s by default:
 *   `within2mShare` for 2 min), `latencyUs` percentiles over every first delivery, and under each broker's name its
 *   latency percentiles (µs; `count` is its first deliveries), `expected` and `duplicates` — one
 *   level deep, so the printed summary shows each broker's p50/p99 and studies can compare
 *   `alerts.<broker>.p99`. `visits` and `alerts` count what the survey produced.
 * - `toLogUs`: the first component of that latency, from the end of an alert's visit to the log's
 *   acknowledgement of it to the producer (prompt processing, the WAN, replication: `client` `ack`
 *   records of the producer: each alert's first ack only, should a producer whose retried request
 *   was answered twice ack the alert again); the rest of
 *   `latencyUs` is the log → broker → subscriber path, classification queueing included.
 *
 * Memory: per subscriber and partition, the offset ranges delivered (a few, merged as they grow);
 * the id of every alert acknowledged (one sample each), as bits of a per-visit counter (metrics/id-set.ts).
 */
import type { Micros, TraceRecord } from '../../../kernel/contract/index.ts';
import { IdSet } from '../../../metrics/id-set.ts';
import { LatencyHistogram } from '../../../metrics/latency.ts';
import type { TraceMetric } from '../../../metrics/metric.ts';
import { OffsetRanges } from '../../../metrics/offset-ranges.ts';

export interface AlertMetricsConfig {
  /** The alert producer's actor id. */
  readonly producer: string;
  /** The latency requirement, µs (Rubin: 60 s). */
  readonly deadlineUs: Micros;
  /** Each broker's actor id and its number of subscribers, in scenario order. */
  readonly brokers: readonly { readonly name: string; readonly subscribers: number }[];
  /** The end of an alert's visit (the nominal time of its burst), µs, from its id. */
  readonly visitEndUs: (alert: string) => Micros | undefined;
}

interface BrokerTally {
  readonly latency: LatencyHistogram;
  inTime: number;
  duplicates: number;
}

export class AlertMetrics implements TraceMetric {
  readonly name = 'alerts';
  private produced = 0;
  private readonly visits = new Set<string>();
  /** Per `<subscriber>|<partition>`, the offsets delivered so far. */
  private readonly delivered = new Map<string, OffsetRanges>();
  private readonly tallies = new Map<string, BrokerTally>();
  private readonly latency = new LatencyHistogram();
  private readonly toLog = new LatencyHistogram();
  /** The alerts `toLog` has sampled: one sample per alert, at its first ack (compact for the producer's counter ids: metrics/id-set.ts). */
  private readonly acked = new IdSet();
  /** `within60sShare`, or named after another requirement (`within90sShare`, `within2mShare`). */
  private readonly shareKey: string;

  constructor(private readonly config: AlertMetricsConfig) {
    for (const broker of config.brokers) this.tallies.set(broker.name, { latency: new LatencyHistogram(), inTime: 0, duplicates: 0 });
    const seconds = config.deadlineUs / 1_000_000;
    this.shareKey = `within${seconds >= 120 && seconds % 60 === 0 ? `${seconds / 60}m` : `${seconds}s`}Share`;
  }

  observe(record: TraceRecord): void {
    if (record.k === 'client' && record.op === 'produce' && record.a === this.config.producer) {
      const ids = record.events as string[];
      this.produced += ids.length;
      // An alert's id is `<producer>-v<visit>-<j>` (features/log/actors/bursts.ts): its visit is the id without `-<j>`.
      for (const id of ids) this.visits.add(id.slice(0, id.lastIndexOf('-')));
      return;
    }
    if (record.k === 'client' && record.op === 'ack' && record.a === this.config.producer) {
      for (const id of record.events as string[]) {
        if (!this.acked.add(id)) continue;
        const visitEndUs = this.config.visitEndUs(id);
        if (visitEndUs !== undefined) this.toLog.record(record.t - visitEndUs, 1);
      }
      return;
    }
    if (record.k !== 'state' || record.op !== 'alert-delivered') return;
    const tally = this.tallies.get(record.broker as string);
    if (tally === undefined) return;
    const key = `${record.a}|${String(record.partition)}`;
    let ranges = this.delivered.get(key);
    if (ranges === undefined) this.delivered.set(key, (ranges = new OffsetRanges()));
    const offset = record.offset as number;
    const count = record.alerts as number;
    let fresh = 0;
    for (const [from, to] of ranges.add(offset, offset + count)) {
      for (const [visitUs, alerts] of visitRuns(record.visits as [Micros, number][], offset, from, to)) {
        const latencyUs = record.t - visitUs;
        if (latencyUs <= this.config.deadlineUs) tally.inTime += alerts;
        tally.latency.record(latencyUs, alerts);
        this.latency.record(latencyUs, alerts);
        fresh += alerts;
      }
    }
    tally.duplicates += count - fresh;
  }

  result(): Record<string, unknown> {
    let expected = 0;
    let inTime = 0;
    const shares: Record<string, number> = {};
    const brokers: Record<string, unknown> = {};
    for (const { name, subscribers } of this.config.brokers) {
      const tally = this.tallies.get(name)!;
      const due = this.produced * subscribers;
      expected += due;
      inTime += tally.inTime;
      shares[`${this.shareKey}.${name}`] = share(tally.inTime, due);
      brokers[name] = { ...tally.latency.percentiles(), expected: due, duplicates: tally.duplicates };
    }
    return {
      visits: this.visits.size,
      alerts: this.produced,
      [this.shareKey]: share(inTime, expected),
      ...shares,
      latencyUs: this.latency.percentiles(),
      toLogUs: this.toLog.percentiles(),
      ...brokers,
    };
  }
}

/** The `[visit end, alerts]` runs of the offsets `from … to − 1`, given the runs from `offset` on. */
function* visitRuns(runs: readonly [Micros, number][], offset: number, from: number, to: number): Generator<[Micros, number]> {
  let start = offset;
  for (const [visitUs, alerts] of runs) {
    const overlap = Math.min(to, start + alerts) - Math.max(from, start);
    if (overlap > 0) yield [visitUs, overlap];
    start += alerts;
  }
}

/** `part / whole`, rounded to 4 decimals so summaries stay readable; 0 of 0 is 0. */
function share(part: number, whole: number): number {
  return whole === 0 ? 0 : Math.round((part / whole) * 10_000) / 10_000;
}
