/**
 * The messages between the lab page and the Web Worker that runs the simulation (src/lab/worker.ts).
 * Plain structured-cloneable data; the timeline's records cross as chunks of the wire format's
 * columns (viz/wire/live-chunk.ts), transferred, not copied.
 */
import type { LiveChunk } from '../wire/live-chunk.ts';

/** Where the worker's run stops (src/lab/session.ts `Stop`). */
export type LabStop =
  | { readonly until: 'end' }
  | { readonly until: 'events'; readonly count: number }
  | { readonly until: 'record'; readonly kinds: readonly string[] }
  | { readonly until: 'time'; readonly us: number };

/**
 * A fault injected by hand, at a time. `forUs` absent: it lasts until the final phase (never
 * repaired). The worker writes it into the scenario text as a timed fault (src/lab/hand-faults.ts).
 */
export type HandFault =
  | { readonly kind: 'node-crash'; readonly target: string; readonly atUs: number; readonly forUs?: number }
  | { readonly kind: 'slow-node'; readonly target: string; readonly factor: number; readonly atUs: number; readonly forUs?: number }
  | { readonly kind: 'partition'; readonly from: readonly string[]; readonly to: readonly string[]; readonly atUs: number; readonly forUs?: number };

export type ToWorker =
  /** A fresh run of `text` with `faults` written into it (a rewind is a fresh run to a number of events). */
  | { type: 'start'; id: number; text: string; faults: readonly HandFault[]; sets?: readonly string[]; file: string; seed?: number; version: string; stop?: LabStop }
  | { type: 'advance'; id: number; stop: LabStop; pauseOn?: PauseOn }
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
  /** The id of the last start or advance the worker took: the page knows which request a stop answers. */
  answers: number;
}

/** A record cited as evidence, named as the trace names it. */
export interface LabCite {
  a: string;
  n: number;
  t: number;
  k: string;
}

/** A failing check with its violations (src/check/checker.ts `Violation`), each citing its evidence. */
export interface LabViolation {
  check: string;
  violations: Array<{ anomaly: string; message: string; events?: string[]; cites: LabCite[] }>;
}

export interface LabActor {
  id: string;
  node: string;
  site: string;
  up: boolean;
}

/** A field of the "what if" form (src/lab/scenario-form.ts, from the scenario's JSON Schema). */
export interface FormField {
  /** The `--set` path. */
  path: string;
  /** The property name. */
  key: string;
  /** The value as the file writes it (YAML text), or null when the file leaves it out. */
  value: string | null;
  /** The schema's default, as YAML text, or null. */
  defaultText: string | null;
  input: 'select' | 'integer' | 'number' | 'text';
  /** Choices, for `select`. */
  options?: string[];
  /** What a text field holds and how to write it: "duration, e.g. 500ms, 2s", "a list like [a, b]". */
  unit?: string;
  min?: number;
  max?: number;
  description: string;
}

/** A section of the scenario in the form: `workload.detector`, `faults[1]`. */
export interface FormGroup {
  /** The section's path; empty for the top level. */
  path: string;
  /** How the group is titled (a list item adds its kind: `faults[1] node-crash`). */
  title: string;
  fields: FormField[];
}

export type FromWorker =
  | { type: 'started'; text: string; scenario: string; seed: number; endUs: number; durationUs: number; actors: LabActor[]; sites: Array<{ id: string; nodes: string[] }>; form: FormGroup[] }
  /** `chunk`: the records written since the previous chunk, for the live timeline to append. */
  | { type: 'status'; status: LabStatus; actors: LabActor[]; chunk?: LiveChunk; summary?: unknown }
  | { type: 'inspected'; actor: string; view: unknown }
  /** Live checks started failing; the run paused. */
  | { type: 'violation'; failed: LabViolation[] }
  | { type: 'error'; message: string };
