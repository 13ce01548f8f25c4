/**
 * What the coordinator and a partition's worker thread say to each other: plain data, one message
 * each way per window (a batch: measured faster than moving serialised bytes through transferable
 * or shared buffers; see bench/parallel.ts).
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
 * `\n`; `tags` holds five numbers per record: the merge tag (time, order, step, index) and the
 * offset in `text` just past the record's newline.
 */
export interface RecordBatch {
  text: string;
  tags: Float64Array;
}

export const TAG_WIDTH = 5;

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
