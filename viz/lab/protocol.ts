/**
 * The messages between the lab page and the Web Worker that runs the simulation (src/lab/worker.ts).
 * Plain structured-cloneable data; the timeline's records cross as the wire format's payload bytes
 * (viz/wire), transferred, not copied.
 */

/** Where the worker's run stops (src/lab/session.ts `Stop`). */
export type LabStop =
  | { readonly until: 'end' }
  | { readonly until: 'events'; readonly count: number }
  | { readonly until: 'record'; readonly kinds: readonly string[] }
  | { readonly until: 'time'; readonly us: number };

export type ToWorker =
  /** A fresh run of `text` (a rewind is a fresh run to a number of events). */
  | { type: 'start'; text: string; file: string; seed?: number; version: string; stop?: LabStop }
  | { type: 'advance'; stop: LabStop; pauseOn?: PauseOn }
  | { type: 'pause' }
  | { type: 'inspect'; actor: string };

/** Which verdicts pause a run as they fail (live checks). */
export interface PauseOn {
  readonly violation: boolean;
}

export interface LabStatus {
  nowUs: number;
  endUs: number;
  events: number;
  records: number;
  done: boolean;
  traceHash: string | null;
  last: Record<string, unknown> | null;
  /** Whether the worker is running (between an advance and its stop). */
  running: boolean;
}

export interface LabActor {
  id: string;
  node: string;
  site: string;
  up: boolean;
}

export type FromWorker =
  | { type: 'started'; scenario: string; seed: number; endUs: number; durationUs: number; actors: LabActor[]; sites: Array<{ id: string; nodes: string[] }> }
  | { type: 'status'; status: LabStatus; actors: LabActor[]; payload?: Uint8Array; summary?: unknown }
  | { type: 'inspected'; actor: string; view: unknown }
  | { type: 'error'; message: string };
