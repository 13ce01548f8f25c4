/**
 * `produce-order`: each producer's events are stored in a partition in the order it sent them —
 * Kafka's ordering guarantee within a partition. With retries it holds only for an idempotent
 * producer (the broker refuses a batch whose sequence number is not the next one) or with
 * `max.in.flight.requests.per.connection` 1: a plain producer with several requests out re-sends
 * a lost one after the requests behind it were appended, and its events land after theirs (the
 * Kafka producer documentation of `max.in.flight.requests.per.connection` and `retries`).
 *
 * Reads `client` records `produce` (a producer's sends, in order: the producer is the record's
 * `client` where it names one — the emulated Kafka gateway records its clients' sends so — else
 * its actor; its `events` the ids in send order, its `topic` and `partition` where they go), the
 * forwarders' `forward-route` and `forward` records, and the final read (`consume` with
 * `final: true`, and `final-read`). Within each stream (the final reader's service and topic, as
 * final-positions.ts) and partition, the first copy of each event is compared with the latest send,
 * by the same producer, stored before it; a later copy of an id (a duplicate, counted by
 * `duplicate`, or a position read twice by a restarted final reader) is not compared. Only a copy
 * where its producer sent it is judged: one in another topic or partition than the send's, or one a
 * forwarder re-sent (a `forward` of the id to the stream `<service>-reader/<topic>` of its route's
 * destination), is the work of a forwarder — which may merge partitions or replay, and whose order
 * Kafka promises nothing about across them — and is not compared. How it breaks: a re-sender that
 * records no `forward` and keeps the topic and partition (none today) would be taken for the
 * producer. Events no traced producer sent are ignored.
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

/** One event's send: its producer, its place among that producer's sends, the record, where it went. */
interface Send {
  readonly producer: string;
  readonly seq: number;
  readonly record: Citation;
  /** The send's topic and partition (`<topic>-<partition>`), or undefined when it names none (the store's producer). */
  readonly target: string | undefined;
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
  readonly ops = { client: ['produce', 'forward-route', 'forward', 'consume', 'final-read'] };
  private readonly sends = new Map<string, Send>();
  /** Events each producer sent so far. */
  private readonly sent = new Map<string, number>();
  /** `<stream>\u0000<id>` of every first copy found. */
  private readonly found = new Set<string>();
  /** Per `<stream>/<partition>\u0000<producer>`: its latest send stored so far. */
  private readonly latest = new Map<string, Latest>();
  /** Each forwarder's destination stream (`<service>-reader/<topic>`), from its `forward-route`. */
  private readonly routes = new Map<string, string>();
  /** `<stream>\u0000<id>` of every sent event a forwarder re-sent to that stream. */
  private readonly forwarded = new Set<string>();
  private readonly violations: Violation[] = [];
  private stored = 0;
  private finalRead = false;

  observe(record: TraceRecord): void {
    if (record.op === 'produce') return this.send(record);
    if (record.op === 'forward-route') this.route(record);
    else if (record.op === 'forward') this.forward(record);
    else if (record.op === 'final-read') this.finalRead = true;
    else if (record.op === 'consume' && record.final === true) this.page(record);
  }

  verdict(): Verdict<OrderStats> {
    const violations = this.finalRead ? this.violations : [{ anomaly: 'no-final-read', message: 'the final read never completed, so the stored order cannot be checked', cites: [] }, ...this.violations];
    return verdictOf(violations, { stored: this.stored, reordered: this.violations.length });
  }

  private send(record: TraceRecord): void {
    // The emulated Kafka gateway records every client's produce as its own, naming the client in `client`.
    const producer = typeof record.client === 'string' && record.client !== '' ? record.client : record.a;
    let seq = this.sent.get(producer) ?? 0;
    const target = record.topic === undefined ? undefined : `${String(record.topic)}-${String(record.partition ?? '')}`;
    // One citation for the record's events (one per event retained 52 B more each: s21 review LOW-3).
    const citation = cite(record);
    for (const id of eventsOf(record)) {
      if (!this.sends.has(id)) this.sends.set(id, { producer, seq, record: citation, target });
      seq++;
    }
    this.sent.set(producer, seq);
  }

  private route(record: TraceRecord): void {
    const to = record.to as { service?: unknown; topic?: unknown } | undefined;
    if (to?.service !== undefined) this.routes.set(record.a, `${String(to.service)}-reader/${String(to.topic ?? '')}`);
  }

  private forward(record: TraceRecord): void {
    const stream = this.routes.get(record.a);
    if (stream === undefined) return;
    for (const id of eventsOf(record)) if (this.sends.has(id)) this.forwarded.add(`${stream}\u0000${id}`);
  }

  private page(record: TraceRecord): void {
    const stream = `${record.a}/${String(record.topic ?? '')}`;
    const target = `${String(record.topic ?? '')}-${String(record.partition ?? '')}`;
    const partition = `${record.a}/${target}`;
    const base = typeof record.offset === 'number' ? record.offset : 0;
    eventsOf(record).forEach((id, i) => {
      const offset = base + i;
      const key = `${stream}\u0000${id}`;
      if (this.found.has(key)) return;
      this.found.add(key);
      const send = this.sends.get(id);
      if (send === undefined || this.forwarded.has(key)) return;
      if (send.target !== undefined && send.target !== target) return;
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
