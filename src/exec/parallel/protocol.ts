/**
 * What the coordinator and a partition's worker thread say to each other: plain data, one message
 * each way per window, moved by structured clone.
 *
 * Why a cloned batch: bench/parallel.ts measures one window's round trip (coordinator ⇄ two
 * workers) three ways — `postMessage` of the batch (structured clone), the batch `v8.serialize`d
 * into a transferred ArrayBuffer, and a SharedArrayBuffer mailbox with `Atomics.wait`/`notify`
 * (trace lines encoded straight into shared memory, messages `v8.serialize`d). On a quiet 2-core
 * machine the clone was fastest at every batch size (1, 16, 256, 4096 messages: ≈15 k windows/s
 * against 8–9 k at 1 message; 0.74 M messages/s against 0.57–0.71 M at 256); under heavy load the
 * three trade places within the noise, and no run put another clearly ahead. V8's own clone beats
 * `v8.serialize` plus a copy, and it needs no buffer sizing or overflow path.
 */
import type { Micros, RemoteMessage } from '../../kernel/index.ts';
import type { WorldRecipe } from '../recipe.ts';

/**
 * A partition's assignment for one run: build the world from the recipe and own these actors. A
 * thread takes one assignment after another, so a pool of threads serves many runs.
 */
export interface PartitionAssignment {
  recipe: WorldRecipe;
  partition: number;
  /** Partition of every actor by index (see PartitionPlan). */
  partitionOf: number[];
  partitions: number;
  writesWorld: boolean;
}

/**
 * Trace records of one window in this partition's order: `text` holds the lines, each followed by
 * `\n`; `tags` holds seven numbers per record: the merge tag (time, order, step, index), the
 * offset in `text` just past the record's newline, and the record's digest (two 32-bit words,
 * kernel/trace-hash.ts), which the coordinator folds into the trace hash in the merged order.
 */
export interface RecordBatch {
  text: string;
  tags: Float64Array;
}

export const TAG_WIDTH = 7;

/** Start a run; or run every event up to and including `until`, after injecting `inbound`. */
export type ToWorker = ({ type: 'assign' } & PartitionAssignment) | { type: 'window'; until: Micros; inbound: RemoteMessage[] };

export interface WindowDone {
  type: 'done';
  records: RecordBatch;
  /** Messages for other partitions, by partition index. */
  outbound: RemoteMessage[][];
  /** Time of this partition's earliest pending event, or Infinity. */
  nextTime: Micros;
  /** Events this partition is responsible for, so far. */
  events: number;
  /** Wall time spent inside the window's events, ms. */
  busyMs: number;
}

/** A failure inside the worker; `simulation` when an actor threw (a SimulationError). */
export interface WorkerFailed {
  type: 'failed';
  message: string;
  stack?: string;
  simulation?: { seed: number | string; time: Micros; actor: string; event: string; cause: string; causeStack?: string };
  input?: boolean;
}

export type FromWorker = ({ type: 'ready' } & Omit<WindowDone, 'type' | 'busyMs'>) | WindowDone | WorkerFailed;
