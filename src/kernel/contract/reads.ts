/**
 * What a trace reader reads — a checker, a metric, any listener of a trace: the records a run hands
 * it (kernel/trace.ts, `TraceWriter.listen`). A record that no reader reads and no file takes is
 * hashed and counted but never made into an object, so a reader that says precisely what it reads
 * saves the run the records it would have looked at and dropped (an hour of aps-xray under
 * stream-replay writes 0.79 M `log` records; its metrics look at the half that are `hw` moves).
 *
 * Guarantee: a reader is handed every record it declares — of its kinds, of those kinds' ops, with
 * its field — in trace order, and no other. How it fails: a reader that declares less than it
 * reads silently misses records (its tests must show its results unchanged); `carrying` naming a
 * record's head (`t`, `k`, `a`, `n`), which every record has, throws at `listen`, as does a
 * listener that brings a writer's distinct `carrying` fields past 16 (kernel/trace-readers.ts).
 */
import type { RecordKind } from './record.ts';

export interface Reads {
  /** The record kinds it reads (`k`); absent: every kind — for a field any kind may carry. */
  readonly kinds?: readonly RecordKind[];
  /**
   * For a kind named here, only its records whose `op` is one of these (`===`; a record without an
   * `op` is not read): a metric that folds the high-watermark moves of the `log` kind need not see
   * every replica's `append`. A kind not named here: all its records (of `kinds`).
   */
  readonly ops?: { readonly [K in RecordKind]?: readonly string[] };
  /**
   * Only records that carry this field (its value not `undefined`), of `kinds`: a reader of a mark
   * that some records carry (`cover`, metrics/coverage.ts) — a record written by a shape that has
   * no such field (contract/record-shape.ts) never reaches it.
   */
  readonly carrying?: string;
}
