/**
 * What failures cost a pipeline: lost work, recovery time, time blocked, and the waste fraction.
 *
 * - Lost work: events an operator instance processed again (the same event id at the same
 *   instance, from `state` records) — work redone after a restore — and the service time spent on
 *   them.
 * - Recovery time: for each failure (the `crash` records of one instant), the time until every
 *   operator instance that had been working has processed an event born (produced by its source)
 *   at or after the failure — it has caught up with the present. A failure not caught up with
 *   when the trace ends is counted `unrecovered`.
 * - Blocked: time operators were held, by reason (`checkpoint`: coordinated pauses; `recovery`:
 *   waiting for a global rollback; `restore`: reading their own checkpoint back).
 * - Waste fraction: (redone service time + blocked time) / (all service time + blocked time) — the
 *   share of operator time not spent on useful, first-time work. Time an operator was down is not
 *   counted: it is the fault's, the same under every strategy.
 *
 * Memory: one entry per (instance, event id) processed, to recognise re-processing.
 */
import type { Micros, TraceRecord } from '../../../kernel/contract/index.ts';
import type { TraceMetric } from '../../../metrics/metric.ts';

interface Failure {
  readonly atUs: Micros;
  readonly waiting: Set<string>;
  recoveredUs?: Micros;
}

export class RecoveryMetrics implements TraceMetric {
  readonly name = 'recovery';
  private readonly operators = new Set<string>();
  private readonly working = new Set<string>();
  private readonly processed = new Set<string>();
  private readonly failures: Failure[] = [];
  private readonly blockedUs: Record<string, number> = {};
  private events = 0;
  private serviceUs = 0;
  private redone = 0;
  private redoneUs = 0;
  private restores = 0;
  private restoresToStart = 0;
  private rollbacks = 0;
  private rolledBackToStart = 0;

  observe(record: TraceRecord): void {
    switch (record.k) {
      case 'state':
        return this.state(record);
      case 'crash': {
        const last = this.failures[this.failures.length - 1];
        if (last?.atUs === record.t) return;
        this.failures.push({ atUs: record.t, waiting: new Set(this.working) });
        return;
      }
      case 'ckpt':
        return this.checkpoint(record);
    }
  }

  private state(record: TraceRecord): void {
    if (record.init === true) {
      this.operators.add(record.a);
      return;
    }
    if (typeof record.event !== 'string') return;
    const us = typeof record.us === 'number' ? record.us : 0;
    this.events++;
    this.serviceUs += us;
    const key = `${record.a}\u0000${record.event}`;
    if (this.processed.has(key)) {
      this.redone++;
      this.redoneUs += us;
    } else {
      this.processed.add(key);
    }
    this.working.add(record.a);
    const born = record.born as number;
    for (const failure of this.failures) {
      if (failure.recoveredUs !== undefined || born < failure.atUs) continue;
      failure.waiting.delete(record.a);
      if (failure.waiting.size === 0) failure.recoveredUs = record.t;
    }
  }

  private checkpoint(record: TraceRecord): void {
    switch (record.op) {
      case 'blocked': {
        const reason = String(record.reason);
        this.blockedUs[reason] = (this.blockedUs[reason] ?? 0) + (record.us as number);
        return;
      }
      case 'restore':
        this.restores++;
        if (record.toStart === true) this.restoresToStart++;
        return;
      case 'rollback':
        this.rollbacks++;
        this.rolledBackToStart += Array.isArray(record.toStart) ? record.toStart.length : 0;
        return;
    }
  }

  result(): Record<string, unknown> {
    const recovered = this.failures.filter((f) => f.recoveredUs !== undefined).map((f) => f.recoveredUs! - f.atUs);
    const blocked = Object.values(this.blockedUs).reduce((a, b) => a + b, 0);
    const total = this.serviceUs + blocked;
    return {
      operators: this.operators.size,
      eventsProcessed: this.events,
      lostWorkEvents: this.redone,
      lostWorkUs: this.redoneUs,
      failures: this.failures.length,
      recovered: recovered.length,
      unrecovered: this.failures.length - recovered.length,
      recoveryUs: {
        mean: recovered.length === 0 ? 0 : Math.round(recovered.reduce((a, b) => a + b, 0) / recovered.length),
        max: recovered.length === 0 ? 0 : Math.max(...recovered),
        each: recovered,
      },
      blockedUs: { ...this.blockedUs },
      wasteFraction: total === 0 ? 0 : Math.round(((this.redoneUs + blocked) / total) * 10_000) / 10_000,
      restores: this.restores,
      restoresToStart: this.restoresToStart,
      rollbacks: this.rollbacks,
      rolledBackToStart: this.rolledBackToStart,
    };
  }
}
