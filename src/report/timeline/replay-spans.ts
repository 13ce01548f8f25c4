/**
 * Finds, while the trace streams past, the spans in which an operator replays: from the `restore`
 * of a checkpoint until the last `state` record that processes an event it had already processed
 * before the restore. After that record it is back where it was and does new work.
 *
 * Guarantee: memory is one high mark per (operator, producer) — event ids are `<producer>:<seq>` or
 * `<producer>-<seq>`, with sequences increasing per producer — plus one open span per operator; never
 * one entry per event. How it fails: an operator that processes a producer's events out of sequence
 * order makes its replay look shorter (an event below the mark counts as re-processed, one above as
 * new); ids without a trailing sequence are compared whole, as their own producer with sequence 0.
 */
import type { TraceRecord } from '../../kernel/contract/index.ts';
import type { ReplaySpan } from '../../../viz/wire/annotations.ts';

const SEQUENCED = /^(.*?)(\d+)$/;

/** The producer part and the sequence number of an event id. */
function splitEventId(id: string): [producer: string, seq: number] {
  const match = SEQUENCED.exec(id);
  return match === null ? [id, 0] : [match[1], Number(match[2])];
}

export class ReplayTracker {
  /** Per operator: the highest sequence processed per producer. */
  private readonly processed = new Map<string, Map<string, number>>();
  /** Per operator in replay: the marks it had reached when it restored, and its span so far. */
  private readonly replaying = new Map<string, { marks: Map<string, number>; span: ReplaySpan }>();
  private readonly found: ReplaySpan[] = [];

  add(record: TraceRecord): void {
    if (record.k === 'ckpt' && record.op === 'restore') return this.restore(record);
    if (record.k !== 'state' || typeof record.event !== 'string') return;
    const [producer, seq] = splitEventId(record.event);
    const open = this.replaying.get(record.a);
    const mark = open?.marks.get(producer);
    if (open !== undefined && mark !== undefined && seq <= mark) {
      open.span.to = record.t;
      open.span.events++;
    }
    let highs = this.processed.get(record.a);
    if (highs === undefined) this.processed.set(record.a, (highs = new Map()));
    if (seq > (highs.get(producer) ?? -1)) highs.set(producer, seq);
  }

  /** The replay spans found, in the order of their restores; restores that replayed nothing are left out. */
  spans(): ReplaySpan[] {
    return this.found.filter((span) => span.events > 0);
  }

  private restore(record: TraceRecord): void {
    const span: ReplaySpan = { actor: record.a, from: record.t, to: record.t, events: 0 };
    // A copy: what the operator processes from here on must not move the marks it has to reach.
    this.replaying.set(record.a, { marks: new Map(this.processed.get(record.a)), span });
    this.found.push(span);
  }
}
