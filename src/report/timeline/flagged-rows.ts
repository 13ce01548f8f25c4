/**
 * The client records a verdict names, found while encoding: each `produce` or `ack` record whose
 * events include one a verdict lists, with the verdict that names it — so that the page outlines
 * those arrows (see `viz/model/verdict-arrows.ts`) without parsing every record's event list at
 * load, which for 10^5 acknowledged events cost a third of the page's start-up.
 *
 * Guarantee: a row's verdict is the first verdict listing the first of its events that any
 * verdict lists. Bounded by the rows naming listed events (checkers list few), not by the trace.
 * How it fails: verdicts set after records were added miss those records (the encoder takes
 * them before the first record).
 */
import type { TimelineVerdict } from '../../../viz/wire/annotations.ts';

export class FlaggedRows {
  private readonly named = new Map<string, number>();
  private readonly rows: Array<[row: number, verdict: number]> = [];

  constructor(verdicts: readonly TimelineVerdict[] | null) {
    verdicts?.forEach((v, index) => {
      for (const id of v.events) if (!this.named.has(id)) this.named.set(id, index);
    });
  }

  /** Notes a client record (row `row`) if it is a produce or ack of an event a verdict lists. */
  add(row: number, op: unknown, events: unknown): void {
    if (this.named.size === 0 || (op !== 'produce' && op !== 'ack') || !Array.isArray(events)) return;
    for (const id of events) {
      const verdict = this.named.get(String(id));
      if (verdict === undefined) continue;
      this.rows.push([row, verdict]);
      return;
    }
  }

  /** The flagged rows with their verdict's index, in row order. */
  list(): Array<[row: number, verdict: number]> {
    return this.rows;
  }
}
