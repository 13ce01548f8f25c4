/**
 * What the encoder derives beside the record columns, for the page to draw without re-reading the
 * trace: the spans in which an operator re-processed events after restoring a checkpoint (replay),
 * and the checkers' verdicts of the run (when the trace came from a run directory).
 *
 * Guarantee: both are bounded by the number of restores and of listed violations (checkers list
 * at most twenty), never by the number of events. How it fails: absent fields mean "not derived"
 * (an older page, a bare trace), and the page then draws nothing for them.
 */

/** An operator re-processing, after a restore, events it had processed before it failed. */
export interface ReplaySpan {
  actor: string;
  /** The restore (µs). */
  from: number;
  /** The last re-processed event (µs): from here on the operator does new work. */
  to: number;
  /** How many events it processed a second time. */
  events: number;
}

/** A record cited as evidence, named as the trace names it. */
export interface EvidenceCite {
  a: string;
  n: number;
  t: number;
  k: string;
}

/** One violation of one check, as `summary.json` lists it. */
export interface TimelineVerdict {
  check: string;
  anomaly: string;
  message: string;
  /** Event ids the violation names (lost, duplicated …). */
  events: string[];
  cites: EvidenceCite[];
}

/** One of a run's metrics as the page shows it beside the verdicts (`src/report/timeline/run-numbers.ts`). */
export interface RunNumber {
  /** The metric's path in `summary.json`, e.g. `recovery.wasteFraction`. */
  key: string;
  label: string;
  value: number;
  unit: 'events' | 'count' | 'fraction' | 'us' | 'bytes';
}

export interface Annotations {
  replays: ReplaySpan[];
  /** Null when the trace has no `summary.json` beside it. */
  verdicts: TimelineVerdict[] | null;
  /**
   * The `produce` and `ack` client rows whose events a verdict lists, each with the index (in
   * `verdicts`) of the verdict naming it; found by the encoder, so the page parses no event lists.
   */
  flagged: Array<[row: number, verdict: number]>;
  /** Recovery and output metrics from the summary; absent in older payloads, null for a bare trace. */
  numbers?: RunNumber[] | null;
}
