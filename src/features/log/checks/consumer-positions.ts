/**
 * Follows each consumer's position per partition through its `client` records, for the
 * `nonmonotonic` and `skip` checkers.
 *
 * A *session* is one consumer actor reading one partition between two (re)assignments: it starts
 * at the consumer's first `consume` record for the partition (wherever the committed offset put
 * it) and ends at the consumer's next `assign` record, or when the actor crashes or restarts. Within
 * a session each poll (`op: consume`, `offset` of its first event, `events`) must start exactly where
 * the previous one ended. The final reader's reads (`final: true`) form sessions too. A consumer
 * that detected a truncation (`op: truncation-detected`, KIP-320: an unclean election removed
 * records it had consumed) continues from the offset it names: the records it re-reads there are
 * new ones, and the loss is the `no-acked-loss` checker's to report.
 */
import type { TraceRecord } from '../../../kernel/contract/index.ts';
import { cite, eventsOf, type Citation } from '../../../check/checker.ts';

/** A poll that did not continue where the previous one in its session ended. */
export interface PositionJump {
  readonly consumer: string;
  readonly topic: string;
  readonly partition: number;
  /** Where the session expected the poll to start. */
  readonly expected: number;
  /** Where it started. */
  readonly offset: number;
  readonly previous: Citation;
  readonly poll: Citation;
  readonly events: readonly string[];
}

interface Session {
  next: number;
  last: Citation;
}

export class ConsumerPositions {
  private readonly sessions = new Map<string, Session>();
  polls = 0;

  constructor(private readonly onJump: (jump: PositionJump) => void) {}

  observe(record: TraceRecord): void {
    if (record.k === 'crash' || record.k === 'restart') return this.endSessions(record.a);
    if (record.k !== 'client') return;
    if (record.op === 'assign') return this.endSessions(record.a);
    if (record.op === 'truncation-detected') return this.truncated(record);
    if (record.op !== 'consume' || typeof record.offset !== 'number' || typeof record.partition !== 'number') return;
    const events = eventsOf(record);
    const topic = String(record.topic);
    const key = `${record.a}\u0000${topic}\u0000${record.partition}`;
    const session = this.sessions.get(key);
    this.polls++;
    if (session !== undefined && session.next !== record.offset) {
      this.onJump({ consumer: record.a, topic, partition: record.partition, expected: session.next, offset: record.offset, previous: session.last, poll: cite(record), events });
    }
    this.sessions.set(key, { next: record.offset + events.length, last: cite(record) });
  }

  private truncated(record: TraceRecord): void {
    const session = this.sessions.get(`${record.a}\u0000${String(record.topic)}\u0000${String(record.partition)}`);
    if (session !== undefined && typeof record.from === 'number') session.next = record.from;
  }

  get sessionCount(): number {
    return this.sessions.size;
  }

  private endSessions(actor: string): void {
    const prefix = `${actor}\u0000`;
    for (const key of [...this.sessions.keys()]) if (key.startsWith(prefix)) this.sessions.delete(key);
  }
}
