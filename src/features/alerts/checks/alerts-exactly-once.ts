/**
 * `alerts-exactly-once`: every alert the log acknowledged is in each alert broker's per-object
 * state exactly once at the end of the run — the promise of a broker that checkpoints its state
 * together with its log positions (src/features/alerts/actors/broker.ts).
 *
 * The fold: per broker and partition, the steps applied in offset order (`alert-apply`: the alert
 * ids of consecutive offsets from `offset`); a restore (`alert-restore`) keeps only the alerts
 * below the positions it restored (the state it restored contains exactly them), or none without a
 * checkpoint. What remains at the end is what the broker's state counts. An acknowledged alert is
 * one the producer's `client` `ack` record names on the broker's topic (`alert-broker` names the
 * topic).
 *
 * Anomalies, one violation per broker and kind, naming the first alerts: `unprocessed`
 * (acknowledged, not in a broker's state at the end — lost, or the run ended before the broker
 * caught up), `double-counted` (in a broker's state twice). Stats count the brokers, acknowledged
 * alerts, the alerts of each kind, and alerts applied again after a restore (`replayed`). Memory:
 * the acknowledged ids, and each broker's applied ids.
 */
import type { TraceRecord } from '../../../kernel/contract/index.ts';
import { cite, eventsOf, verdictOf, type CheckerDefinition, type Citation, type TraceChecker, type Verdict, type Violation } from '../../../check/checker.ts';

export const alertsExactlyOnce: CheckerDefinition = {
  name: 'alerts-exactly-once',
  description: "every alert the log acknowledged is in each alert broker's per-object state exactly once",
  create: () => new AlertsExactlyOnce(),
  vacuous: (stats) => (stats.acknowledged === 0 ? '0 acknowledged alerts' : undefined),
};

/** Alerts named in one violation; the message gives the full count. */
const EVENTS_SHOWN = 20;

/** One `alert-apply` step, or what a restore kept of it. */
interface Step {
  readonly offset: number;
  readonly ids: readonly string[];
  readonly cite: Citation;
}

interface BrokerFold {
  readonly topic: string;
  readonly cite: Citation;
  /** Per partition, the steps in the broker's state, in offset order. */
  readonly partitions: Map<number, Step[]>;
  /** Per partition, the offset after the last alert ever applied: a step below it is a replay. */
  readonly appliedEnd: Map<number, number>;
  replayed: number;
}

class AlertsExactlyOnce implements TraceChecker {
  readonly name = alertsExactlyOnce.name;
  private readonly brokers = new Map<string, BrokerFold>();
  /** Per topic, the acknowledged alerts with the first ack record. */
  private readonly acked = new Map<string, Map<string, Citation>>();

  observe(record: TraceRecord): void {
    if (record.k === 'client' && record.op === 'ack') return this.noteAck(record);
    if (record.k !== 'state') return;
    switch (record.op) {
      case 'alert-broker':
        if (!this.brokers.has(record.a)) this.brokers.set(record.a, { topic: String(record.topic), cite: cite(record), partitions: new Map(), appliedEnd: new Map(), replayed: 0 });
        return;
      case 'alert-apply': {
        const broker = this.brokers.get(record.a);
        if (broker === undefined) return;
        const partition = record.partition as number;
        const offset = record.offset as number;
        const ids = eventsOf(record);
        const end = broker.appliedEnd.get(partition) ?? 0;
        broker.replayed += Math.max(0, Math.min(end, offset + ids.length) - offset);
        broker.appliedEnd.set(partition, Math.max(end, offset + ids.length));
        let steps = broker.partitions.get(partition);
        if (steps === undefined) broker.partitions.set(partition, (steps = []));
        steps.push({ offset, ids, cite: cite(record) });
        return;
      }
      case 'alert-restore': {
        const broker = this.brokers.get(record.a);
        if (broker === undefined) return;
        const positions = record.fromCheckpoint === true ? (record.positions as number[]) : [];
        for (const [partition, steps] of broker.partitions) {
          const keep = positions[partition] ?? 0;
          const kept = steps.filter((s) => s.offset < keep).map((s) => (s.offset + s.ids.length <= keep ? s : { ...s, ids: s.ids.slice(0, keep - s.offset) }));
          broker.partitions.set(partition, kept);
        }
        return;
      }
    }
  }

  private noteAck(record: TraceRecord): void {
    const topic = String(record.topic);
    let acked = this.acked.get(topic);
    if (acked === undefined) this.acked.set(topic, (acked = new Map()));
    for (const id of eventsOf(record)) if (!acked.has(id)) acked.set(id, cite(record));
  }

  verdict(): Verdict {
    const violations: Violation[] = [];
    const stats = { brokers: this.brokers.size, acknowledged: 0, unprocessed: 0, doubleCounted: 0, replayed: 0 };
    for (const [name, broker] of this.brokers) {
      const acked = this.acked.get(broker.topic) ?? new Map<string, Citation>();
      stats.acknowledged = Math.max(stats.acknowledged, acked.size);
      stats.replayed += broker.replayed;
      // Each alert in the broker's state, with the steps that put it there.
      const counted = new Map<string, Citation[]>();
      for (const steps of broker.partitions.values()) {
        for (const step of steps) for (const id of step.ids) counted.set(id, [...(counted.get(id) ?? []), step.cite]);
      }
      const unprocessed: { id: string; ack: Citation }[] = [];
      const doubled: { id: string; cites: Citation[] }[] = [];
      for (const [id, ack] of acked) {
        const times = counted.get(id);
        if (times === undefined) unprocessed.push({ id, ack });
        else if (times.length > 1) doubled.push({ id, cites: times });
      }
      stats.unprocessed += unprocessed.length;
      stats.doubleCounted += doubled.length;
      if (unprocessed.length > 0) {
        const shown = unprocessed.slice(0, EVENTS_SHOWN);
        violations.push({
          anomaly: 'unprocessed',
          message: `${unprocessed.length} acknowledged alert(s) are not in ${name}'s state at the end of the run, first ${shown[0]!.id}`,
          events: shown.map((u) => u.id),
          cites: [shown[0]!.ack, broker.cite],
        });
      }
      if (doubled.length > 0) {
        const shown = doubled.slice(0, EVENTS_SHOWN);
        violations.push({
          anomaly: 'double-counted',
          message: `${doubled.length} alert(s) are in ${name}'s state more than once, first ${shown[0]!.id} (${shown[0]!.cites.length} times)`,
          events: shown.map((d) => d.id),
          cites: shown[0]!.cites,
        });
      }
    }
    return verdictOf(violations, stats);
  }
}
