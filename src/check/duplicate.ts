/**
 * `duplicate`: no event is stored twice. An event id found by the final read at two different
 * positions (topic, partition, offset) was appended twice — typically a non-idempotent producer's
 * retry of a batch whose acknowledgement was lost. Jepsen calls this a duplicate; for an
 * at-least-once pipeline it is expected, and the count is what matters.
 *
 * Reads `client` records `consume` with `final: true` (each event's position is `offset` plus its
 * index) and `final-read`. Reading the same position twice (a restarted final reader) is not a
 * duplicate. Consumers receiving an event more than once (a rebalance, a restart) is counted in
 * `redelivered`, never a violation: consumption is at least once by contract.
 *
 * Anomalies: `duplicate` (one per duplicated id, citing the two reads) and `no-final-read`.
 */
import type { TraceRecord } from '../kernel/index.ts';
import { cite, eventsOf, verdictOf, type CheckerDefinition, type Citation, type TraceChecker, type Verdict, type Violation } from './checker.ts';

export const duplicate: CheckerDefinition = {
  name: 'duplicate',
  description: 'no event id is stored at two positions of the log',
  create: () => new Duplicate(),
};

interface Position {
  readonly at: string;
  readonly read: Citation;
}

class Duplicate implements TraceChecker {
  readonly name = duplicate.name;
  private readonly stored = new Map<string, Position>();
  private readonly violations: Violation[] = [];
  private readonly consumed = new Set<string>();
  private redelivered = 0;
  private finalRead = false;

  observe(record: TraceRecord): void {
    if (record.k !== 'client') return;
    if (record.op === 'final-read') this.finalRead = true;
    if (record.op !== 'consume') return;
    const events = eventsOf(record);
    if (record.final !== true) {
      for (const id of events) {
        if (this.consumed.has(id)) this.redelivered++;
        else this.consumed.add(id);
      }
      return;
    }
    const base = typeof record.offset === 'number' ? record.offset : 0;
    events.forEach((id, i) => this.storedAt(id, `${String(record.topic)}-${String(record.partition)}@${base + i}`, record));
  }

  private storedAt(id: string, at: string, record: TraceRecord): void {
    const first = this.stored.get(id);
    if (first === undefined) {
      this.stored.set(id, { at, read: cite(record) });
      return;
    }
    if (first.at === at) return;
    this.violations.push({ anomaly: 'duplicate', message: `event ${id} is stored at ${first.at} and again at ${at}`, events: [id], cites: [first.read, cite(record)] });
  }

  verdict(): Verdict {
    const violations = this.finalRead ? this.violations : [{ anomaly: 'no-final-read', message: 'the final read never completed, so duplicates cannot be counted', cites: [] }, ...this.violations];
    return verdictOf(violations, { stored: this.stored.size, duplicates: this.violations.length, redelivered: this.redelivered });
  }
}
