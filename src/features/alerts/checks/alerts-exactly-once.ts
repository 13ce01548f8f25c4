/**
 * `alerts-exactly-once`: every alert packet the log acknowledged is in each alert broker's
 * per-object state exactly once at the end of the run — the promise of a broker that checkpoints
 * its state together with its log positions (src/features/alerts/actors/broker.ts).
 *
 * The fold: per broker and partition, the packets applied in offset order (`alert-apply`); a
 * restore (`alert-restore`) keeps only those below the positions it restored (the state it
 * restored contains exactly them), or none without a checkpoint. What remains at the end is what
 * the broker's state counts. An acknowledged packet is one the producer's `client` `ack` record
 * names on the broker's topic (`alert-broker` names the topic).
 *
 * Anomalies: `unprocessed` (acknowledged, not in a broker's state at the end — lost, or the run
 * ended before the broker caught up), `double-counted` (in a broker's state twice). Stats count
 * the brokers, acknowledged packets, and packets applied again after a restore (`replayed`).
 */
import type { TraceRecord } from '../../../kernel/contract/index.ts';
import { cite, eventsOf, verdictOf, type CheckerDefinition, type Citation, type TraceChecker, type Verdict, type Violation } from '../../../check/checker.ts';

export const alertsExactlyOnce: CheckerDefinition = {
  name: 'alerts-exactly-once',
  description: "every alert packet the log acknowledged is in each alert broker's per-object state exactly once",
  create: () => new AlertsExactlyOnce(),
  vacuous: (stats) => (stats.acknowledged === 0 ? '0 acknowledged alert packets' : undefined),
};

interface Applied {
  readonly packet: string;
  readonly offset: number;
  readonly cite: Citation;
}

interface BrokerFold {
  readonly topic: string;
  readonly cite: Citation;
  /** Per partition, the packets in the broker's state, in offset order. */
  readonly partitions: Map<number, Applied[]>;
  replayed: number;
  /** Packets applied at least once before, across restores. */
  readonly ever: Set<string>;
}

class AlertsExactlyOnce implements TraceChecker {
  readonly name = alertsExactlyOnce.name;
  private readonly brokers = new Map<string, BrokerFold>();
  /** Per topic, the acknowledged packets with the first ack record. */
  private readonly acked = new Map<string, Map<string, Citation>>();

  observe(record: TraceRecord): void {
    if (record.k === 'client' && record.op === 'ack') return this.noteAck(record);
    if (record.k !== 'state') return;
    switch (record.op) {
      case 'alert-broker':
        if (!this.brokers.has(record.a)) this.brokers.set(record.a, { topic: String(record.topic), cite: cite(record), partitions: new Map(), replayed: 0, ever: new Set() });
        return;
      case 'alert-apply': {
        const broker = this.brokers.get(record.a);
        if (broker === undefined) return;
        const packet = String(record.packet);
        if (broker.ever.has(packet)) broker.replayed++;
        broker.ever.add(packet);
        const partition = record.partition as number;
        let applied = broker.partitions.get(partition);
        if (applied === undefined) broker.partitions.set(partition, (applied = []));
        applied.push({ packet, offset: record.offset as number, cite: cite(record) });
        return;
      }
      case 'alert-restore': {
        const broker = this.brokers.get(record.a);
        if (broker === undefined) return;
        const positions = record.fromCheckpoint === true ? (record.positions as number[]) : [];
        for (const [partition, applied] of broker.partitions) {
          const keep = positions[partition] ?? 0;
          broker.partitions.set(partition, applied.filter((a) => a.offset < keep));
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
      const counted = new Map<string, Applied[]>();
      for (const applied of broker.partitions.values()) {
        for (const a of applied) counted.set(a.packet, [...(counted.get(a.packet) ?? []), a]);
      }
      for (const [packet, ack] of acked) {
        const times = counted.get(packet);
        if (times === undefined) {
          stats.unprocessed++;
          violations.push({ anomaly: 'unprocessed', message: `packet ${packet} was acknowledged but is not in ${name}'s state at the end of the run`, events: [packet], cites: [ack, broker.cite] });
        } else if (times.length > 1) {
          stats.doubleCounted++;
          violations.push({ anomaly: 'double-counted', message: `packet ${packet} is in ${name}'s state ${times.length} times`, events: [packet], cites: times.map((t) => t.cite) });
        }
      }
    }
    return verdictOf(violations, stats);
  }
}
