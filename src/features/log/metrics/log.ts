/**
 * Metrics of the replicated log, from its trace records:
 *  - end-to-end latency (an event's `produce` record to its first delivery to a consumer), p50/p99/
 *    p99.9, and consumed events per second;
 *  - consumer lag per group and partition over time (the highest high watermark any replica
 *    reported, minus the group's last committed offset), sampled every simulated second;
 *  - under-replicated partitions over time (ISR smaller than the replica set, from the controller's
 *    `log` records), sampled likewise, with the peak;
 *  - rejected writes (`log` op `reject` at leaders, and producers' final errors by cause);
 *  - leader elections (clean and unclean) and times a partition went offline.
 *
 * Produce→ack latency and acknowledged throughput are `ProduceMetrics`'. Memory: one entry per
 * event awaiting its first delivery (at most a million; older ones are dropped and counted as
 * `endToEndUntracked`), plus the series.
 */
import type { EventId, Micros, TraceRecord } from '../../../kernel/contract/index.ts';
import { SECOND } from '../../../kernel/contract/index.ts';
import { LatencyHistogram } from '../../../metrics/latency.ts';
import type { TraceEnd, TraceMetric } from '../../../metrics/metric.ts';

const SAMPLE_US = SECOND;
/** Events awaiting their first delivery kept at most; older ones are forgotten (and counted). */
const TRACKED_MAX = 1_000_000;

export class LogMetrics implements TraceMetric {
  readonly name = 'log';
  readonly kinds = ['client', 'log'] as const;
  /**
   * The ops `onClient` and `onLog` fold; the rest (a replica's `append` and `replicate`, half the
   * `log` records) are never handed over. A sample is taken at the first record read past its time,
   * from state that only records read change, so the series are those every record would give.
   */
  readonly ops = { client: ['produce', 'consume', 'commit', 'error'], log: ['hw', 'reject', 'elect', 'offline', 'isr-shrink', 'isr-expand'] };
  private readonly endToEnd = new LatencyHistogram();
  private readonly producedAt = new Map<EventId, Micros>();
  private untracked = 0;
  private consumed = 0;
  private firstConsumeUs: Micros | undefined;
  private lastConsumeUs: Micros = 0;
  /**
   * Highest high watermark reported per partition, by topic, then partition: no `<topic>-<partition>`
   * string is built per `hw` record (one per replica per batch appended).
   */
  private readonly highWatermark = new Map<string, Map<string, number>>();
  /** Last committed offset per `group/partition`, with the partition it is of. */
  private readonly committed = new Map<string, { readonly topic: string; readonly partition: string; offset: number }>();
  private readonly lagSeries = new Map<string, [number, number][]>();
  /** Per partition: ISR size and replica count, as the controller last set them. */
  private readonly replication = new Map<string, { isr: number; replicas: number }>();
  private readonly underReplicated: [number, number][] = [];
  private peakUnderReplicated = 0;
  private nextSampleUs: Micros = SAMPLE_US;
  private rejectedAtLeader = 0;
  private readonly producerErrors = new Map<string, number>();
  private elections = 0;
  private uncleanElections = 0;
  private offline = 0;

  observe(record: TraceRecord): void {
    while (record.t >= this.nextSampleUs) this.sample();
    if (record.k === 'client') this.onClient(record);
    else if (record.k === 'log') this.onLog(record);
  }

  private onClient(record: TraceRecord): void {
    const events = Array.isArray(record.events) ? (record.events as EventId[]) : [];
    switch (record.op) {
      case 'produce':
        for (const id of events) this.producedAt.set(id, record.t);
        this.forgetOldest();
        break;
      case 'consume':
        if (record.final === true) break;
        this.consumed += events.length;
        this.firstConsumeUs ??= record.t;
        this.lastConsumeUs = record.t;
        for (const id of events) {
          const at = this.producedAt.get(id);
          if (at === undefined) continue;
          this.producedAt.delete(id);
          this.endToEnd.record(record.t - at);
        }
        break;
      case 'commit':
        this.committed.set(`${String(record.group)}/${partitionOf(record)}`, { topic: String(record.topic), partition: String(record.partition), offset: Number(record.offset) });
        break;
      case 'error': {
        const cause = String(record.error);
        this.producerErrors.set(cause, (this.producerErrors.get(cause) ?? 0) + events.length);
        break;
      }
    }
  }

  /** Bounds memory when nothing consumes: the oldest undelivered events stop being tracked. */
  private forgetOldest(): void {
    for (const id of this.producedAt.keys()) {
      if (this.producedAt.size <= TRACKED_MAX) return;
      this.producedAt.delete(id);
      this.untracked++;
    }
  }

  private onLog(record: TraceRecord): void {
    switch (record.op) {
      case 'hw': {
        const topic = String(record.topic);
        let byPartition = this.highWatermark.get(topic);
        if (byPartition === undefined) this.highWatermark.set(topic, (byPartition = new Map()));
        const partition = String(record.partition);
        if ((byPartition.get(partition) ?? -1) < Number(record.offset)) byPartition.set(partition, Number(record.offset));
        break;
      }
      case 'reject':
        this.rejectedAtLeader++;
        break;
      case 'elect':
        if (record.reason !== 'topic created') this.elections++;
        if (record.clean === false) this.uncleanElections++;
        this.setIsr(record);
        break;
      case 'offline':
        this.offline++;
        this.setIsr(record);
        break;
      case 'isr-shrink':
      case 'isr-expand':
        this.setIsr(record);
        break;
    }
  }

  private setIsr(record: TraceRecord): void {
    const tp = partitionOf(record);
    const isr = Array.isArray(record.isr) ? record.isr.length : 0;
    const replicas = typeof record.replicas === 'number' ? record.replicas : (this.replication.get(tp)?.replicas ?? isr);
    this.replication.set(tp, { isr, replicas });
  }

  /** One sample of the time series, at `nextSampleUs`. */
  private sample(): void {
    const t = this.nextSampleUs / SECOND;
    let urp = 0;
    for (const { isr, replicas } of this.replication.values()) if (isr < replicas) urp++;
    this.underReplicated.push([t, urp]);
    this.peakUnderReplicated = Math.max(this.peakUnderReplicated, urp);
    for (const [key, { topic, partition, offset }] of this.committed) {
      const lag = Math.max(0, (this.highWatermark.get(topic)?.get(partition) ?? 0) - offset);
      let series = this.lagSeries.get(key);
      if (series === undefined) this.lagSeries.set(key, (series = []));
      series.push([t, lag]);
    }
    this.nextSampleUs += SAMPLE_US;
  }

  result(end: TraceEnd): Record<string, unknown> {
    // The series run to the trace's end, as if every record had been read: later records of other
    // kinds change nothing the samples show.
    while (end.lastUs >= this.nextSampleUs) this.sample();
    const span = this.firstConsumeUs === undefined ? 0 : this.lastConsumeUs - this.firstConsumeUs;
    // Without consumers (a log read only by forwarders or brokers through their own fetch loops)
    // there is no end-to-end latency to report: leave it out rather than print zeros.
    const delivery =
      this.consumed === 0
        ? {}
        : {
            endToEndLatencyUs: this.endToEnd.percentiles(),
            endToEndUntracked: this.untracked,
            consumed: this.consumed,
            consumedPerSec: span > 0 ? Math.round((this.consumed * SECOND * 1000) / span) / 1000 : 0,
          };
    return {
      ...delivery,
      consumerLag: Object.fromEntries(this.lagSeries),
      underReplicatedPartitions: { peak: this.peakUnderReplicated, series: this.underReplicated },
      rejectedWrites: { atLeader: this.rejectedAtLeader, producerErrors: Object.fromEntries(this.producerErrors) },
      elections: { total: this.elections, unclean: this.uncleanElections, offline: this.offline },
    };
  }
}

/** A `log` record's partition, as `<topic>-<partition>` (built only for the records that need it: most are appends). */
function partitionOf(record: TraceRecord): string {
  return `${String(record.topic)}-${String(record.partition)}`;
}
