/**
 * The emulation's trace: records from every node thread (and the orchestrator's own — faults,
 * crashes, restarts, messages to dead nodes) put into time order and written to one trace.
 *
 * Records reach the orchestrator a little after they happen and from several threads at once, so
 * they wait in a reorder buffer and are written, sorted by time (ties in arrival order), once they
 * are older than a slack. Each actor's records keep their numbering `n` across the node's lives:
 * the sink knows the next number of every actor, hands it to a restarted node, and uses it itself
 * for records it writes on behalf of an actor whose node is down.
 *
 * Guarantee: the same record format as simulation, every record written exactly once, each actor's
 * records in order. Not deterministic, and a record that arrives later than the slack is still
 * written (late, so slightly out of time order) rather than lost.
 */
import type { Micros, RecordKind, TraceRecord, TraceWriter } from '../../kernel/index.ts';

export class EmulationTrace {
  private buffer: TraceRecord[] = [];
  private readonly next = new Map<string, number>();

  constructor(
    private readonly trace: TraceWriter,
    private readonly slackUs: Micros,
  ) {}

  /** Takes records written by a node's actors. */
  add(records: readonly TraceRecord[]): void {
    for (const record of records) {
      this.buffer.push(record);
      this.next.set(record.a, Math.max(this.next.get(record.a) ?? 0, record.n + 1));
    }
  }

  /** Writes a record at an actor (or `world`) that no node thread is writing for now. */
  recordAt(actor: string, t: Micros, kind: RecordKind, fields: Record<string, unknown> = {}): void {
    this.add([{ t, k: kind, a: actor, n: this.nextNumber(actor), ...fields }]);
  }

  nextNumber(actor: string): number {
    return this.next.get(actor) ?? 0;
  }

  /** Writes, in time order, the buffered records older than `nowUs - slack` (all, when final). */
  flush(nowUs: Micros, final = false): void {
    if (this.buffer.length === 0) return;
    const horizon = final ? Infinity : nowUs - this.slackUs;
    const ordered = this.buffer.map((record, i) => ({ record, i })).sort((a, b) => a.record.t - b.record.t || a.i - b.i);
    const keep: TraceRecord[] = [];
    for (const { record } of ordered) {
      if (record.t <= horizon) this.trace.write(record);
      else keep.push(record);
    }
    this.buffer = keep;
  }
}
