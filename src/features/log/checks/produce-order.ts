/**
 * `produce-order`: each producer's events are stored in a partition in the order it sent them —
 * Kafka's ordering guarantee within a partition. With retries it holds only for an idempotent
 * producer (the broker refuses a batch whose sequence number is not the next one) or with
 * `max.in.flight.requests.per.connection` 1: a plain producer with several requests out re-sends
 * a lost one after the requests behind it were appended, and its events land after theirs (the
 * Kafka producer documentation of `max.in.flight.requests.per.connection` and `retries`).
 *
 * Reads `client` records `produce` (a producer's sends, in order: the record's actor is the
 * producer, its `events` the ids in send order) and the final read (`consume` with `final: true`,
 * and `final-read`). Within each stream (the final reader's service and topic, as final-positions.ts)
 * and partition, the first copy of each event is compared with the latest send, by the same
 * producer, stored before it; a later copy of an id (a duplicate, counted by `duplicate`, or a
 * position read twice by a restarted final reader) is not compared. Events no traced producer sent
 * (a forwarder's re-sends under the origin's ids are sends of the forwarder) are ignored.
 *
 * Anomalies: `reordered` (an event stored after one its producer sent later; cites its send and
 * the final page that found it) and `no-final-read`.
 */
import type { TraceRecord } from '../../../kernel/contract/index.ts';
import { cite, eventsOf, verdictOf, type Citation, type CheckerDefinition, type TraceChecker, type Verdict, type Violation } from '../../../check/checker.ts';

type OrderStats = { stored: number; reordered: number };

export const produceOrder: CheckerDefinition<OrderStats> = {
  name: 'produce-order',
  description: 'each producer\'s events are stored in a partition in the order it sent them',
  create: () => new ProduceOrder(),
  vacuous: (stats) => (stats.stored === 0 ? '0 produced events in the final read' : undefined),
};

/** One event's send: its producer, its place among that producer's sends, the record. */
interface Send {
  readonly producer: string;
  readonly seq: number;
  readonly record: Citation;
}

/** The latest send of one producer stored so far in one partition of one stream. */
interface Latest {
  readonly id: string;
  readonly seq: number;
  readonly offset: number;
}

class ProduceOrder implements TraceChecker<OrderStats> {
  readonly name = produceOrder.name;
  readonly kinds = ['client'] as const;
  readonly ops = { client: ['produce', 'consume', 'final-read'] };
  private readonly sends = new Map<string, Send>();
  /** Events each producer sent so far. */
  private readonly sent = new Map<string, number>();
  /** `<stream>\u0000<id>` of every first copy found. */
  private readonly found = new Set<string>();
  /** Per `<stream>/<partition>\u0000<producer>`: its latest send stored so far. */
  private readonly latest = new Map<string, Latest>();
  private readonly violations: Violation[] = [];
  private stored = 0;
  private finalRead = false;

  observe(record: TraceRecord): void {
    if (record.op === 'produce') return this.send(record);
    if (record.op === 'final-read') this.finalRead = true;
    else if (record.op === 'consume' && record.final === true) this.page(record);
  }

  verdict(): Verdict<OrderStats> {
    const violations = this.finalRead ? this.violations : [{ anomaly: 'no-final-read', message: 'the final read never completed, so the stored order cannot be checked', cites: [] }, ...this.violations];
    return verdictOf(violations, { stored: this.stored, reordered: this.violations.length });
  }

  private send(record: TraceRecord): void {
    const producer = record.a;
    let seq = this.sent.get(producer) ?? 0;
    for (const id of eventsOf(record)) {
      if (!this.sends.has(id)) this.sends.set(id, { producer, seq, record: cite(record) });
      seq++;
    }
    this.sent.set(producer, seq);
  }

  private page(record: TraceRecord): void {
    const stream = `${record.a}/${String(record.topic ?? '')}`;
    const partition = `${stream}-${String(record.partition ?? '')}`;
    const base = typeof record.offset === 'number' ? record.offset : 0;
    eventsOf(record).forEach((id, i) => {
      const offset = base + i;
      const key = `${stream}\u0000${id}`;
      if (this.found.has(key)) return;
      this.found.add(key);
      const send = this.sends.get(id);
      if (send === undefined) return;
      this.stored++;
      const slot = `${partition}\u0000${send.producer}`;
      const before = this.latest.get(slot);
      if (before === undefined || send.seq > before.seq) {
        this.latest.set(slot, { id, seq: send.seq, offset });
        return;
      }
      this.violations.push({
        anomaly: 'reordered',
        message: `${id} (${send.producer}'s ${ordinal(send.seq + 1)} send) is stored in ${partition} at offset ${offset}, after ${before.id} (its ${ordinal(before.seq + 1)}) at offset ${before.offset}`,
        events: [id, before.id],
        cites: [send.record, cite(record)],
      });
    });
  }
}

/** 1st, 2nd, 3rd, 4th … 11th, 12th, 13th, 21st. */
function ordinal(n: number): string {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${suffix}`;
}
