/**
 * What a finished run says about itself, as every executor writes it (`summary.json`) and every
 * report reads it: what ran, how big it was, and the verdicts and metrics. The executors' summary
 * (`RunSummary` in exec/observe.ts) is this plus the realised faults; reports that do not show the
 * faults take this type, so the fields are declared once.
 */
import type { Micros } from '../kernel/contract/index.ts';
import type { Verdict } from './checker.ts';

export interface RunResult {
  scenario: string;
  seed: number;
  /** diaspora-sim version that produced the run. */
  version: string;
  traceHash: string;
  /** Kernel events dispatched. */
  events: number;
  /** Trace records written. */
  records: number;
  simulatedTimeUs: Micros;
  wallTimeMs: number;
  /** True when every check held. */
  ok: boolean;
  checks: Record<string, Verdict>;
  metrics: Record<string, Record<string, unknown>>;
}
