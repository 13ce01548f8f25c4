/**
 * Where the final read found each event, per stream: the bookkeeping `no-acked-loss` and
 * `duplicate` share to tell a duplicate from a look-alike.
 *
 * A stream is one final reader's topic: each log service and each store has its own final reader
 * (`<service>-reader`), so the reader's actor id names the service. Within a stream a position is
 * `partition@offset` (each event of a `consume` page at `offset` plus its index). Guarantee: an id
 * is a duplicate only when one stream holds it at two positions — the same id in two services (an
 * edge log and the cloud log it is forwarded to, even under the same topic name and offset) and a
 * position read twice (a restarted final reader) are not. How it breaks: two final readers of the
 * same service would count as two streams, so a duplicate split across them would go unseen.
 */
import type { TraceRecord } from '../kernel/contract/index.ts';
import { cite, eventsOf, type Citation } from './checker.ts';

/** One place the final read found an event. */
export interface FinalPosition {
  /** `<reader>/<topic>`: the service (through its reader) and the topic. */
  readonly stream: string;
  /** `partition@offset` within the stream. */
  readonly at: string;
  readonly read: Citation;
}

/** An id found at a second (third …) position of one stream, with where it was found first. */
export interface FinalDuplicate {
  readonly id: string;
  readonly first: FinalPosition;
  readonly again: FinalPosition;
}

export class FinalPositions {
  /** Ids found in any stream. */
  readonly ids = new Set<string>();
  /** Per stream and id (`<stream>\u0000<id>`), the first place found and every position. */
  private readonly found = new Map<string, { first: FinalPosition; positions: Set<string> }>();
  private extra = 0;

  /** Positions beyond the first of an id within its stream, summed over streams. */
  get duplicates(): number {
    return this.extra;
  }

  /** Adds a final page (`consume` with `final: true`); returns the ids it found at a new position of a stream that already held them. */
  add(record: TraceRecord): FinalDuplicate[] {
    const stream = `${record.a}/${String(record.topic ?? '')}`;
    const base = typeof record.offset === 'number' ? record.offset : 0;
    const read = cite(record);
    const duplicates: FinalDuplicate[] = [];
    eventsOf(record).forEach((id, i) => {
      this.ids.add(id);
      const position: FinalPosition = { stream, at: `${String(record.partition ?? '')}@${base + i}`, read };
      const key = `${stream}\u0000${id}`;
      const seen = this.found.get(key);
      if (seen === undefined) {
        this.found.set(key, { first: position, positions: new Set([position.at]) });
      } else if (!seen.positions.has(position.at)) {
        seen.positions.add(position.at);
        this.extra++;
        duplicates.push({ id, first: seen.first, again: position });
      }
    });
    return duplicates;
  }
}
