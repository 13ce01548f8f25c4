/**
 * A run's checkers and metrics fed from its trace as records are written, and the summary of the
 * finished run — shared by every way of executing a world (one thread, parallel, emulated, the lab
 * in a browser), so that a summary has the same fields however it was made. Pure: no file, no clock.
 *
 * Guarantee: the checks and metrics depend only on the records, in order.
 */
import { verdictFor, type RunResult, type Verdict } from '../check/index.ts';
import type { RealisedFault } from '../faults/index.ts';
import type { Micros, TraceWriter } from '../kernel/index.ts';
import type { PreparedRun } from '../scenario/build.ts';

/** A run's result (check/run-result.ts) and the faults it realised. */
export interface RunSummary extends RunResult {
  /** The realised faults, in injection order (also written to `faults.json`). */
  faults: RealisedFault[];
}

/** The checkers and metrics of a run, fed every record the trace receives. */
export interface ObservedTrace {
  /** The verdicts so far: of every check, or of those named (a live probe asks only for the few it watches). */
  checks(only?: ReadonlySet<string>): Record<string, Verdict>;
  metrics(): Record<string, Record<string, unknown>>;
}

/**
 * Feeds every record written to `trace` to the run's checkers and metrics, as it is written: each
 * record to those that read its kind (their `kinds`, or all of them), found once per kind. The
 * metrics' results get the time of the trace's last record, so a metric that needs only that
 * (a rate over the run) does not have to read every record for it.
 */
export function observeTrace(prepared: PreparedRun, trace: TraceWriter): ObservedTrace {
  const checkers = prepared.checks.map((c) => c.create());
  const metrics = prepared.metrics;
  // Each observer listens for what it declares it reads (its kinds, ops, field: contract/reads.ts),
  // in this order: the writer hands a record to its readers found with one lookup, and never
  // makes a record object that none of them reads (a `send`, a replica's `append`) — TraceWriter.listen.
  // A checker sees a pipeline's event ids by name, as the trace file shows them, unless it takes
  // the numbers (`eventIds`, check/checker.ts); metrics take the numbers (they print no id).
  for (const checker of checkers) trace.listen(checker.eventIds === 'numbers' ? (record) => checker.observe(record) : (record) => checker.observe(trace.named(record)), checker);
  for (const metric of metrics) trace.listen((record) => metric.observe(record), metric);
  return {
    checks: (only) =>
      Object.fromEntries(checkers.flatMap((checker, i) => (only === undefined || only.has(checker.name) ? [[checker.name, verdictFor(prepared.checks[i]!, checker)]] : []))),
    // The time of the trace's last record of any kind, read by an observer or not.
    metrics: () => Object.fromEntries(metrics.map((metric) => [metric.name, metric.result({ lastUs: trace.lastTime })])),
  };
}

/** What the kernel reports at the end of a run, and how long it took. */
export interface RunTotals {
  traceHash: string;
  events: number;
  records: number;
  simulatedTimeUs: Micros;
  wallTimeMs: number;
}

/** The summary of a finished run: the same shape however it was executed. */
export function summarize(prepared: PreparedRun, totals: RunTotals, observed: ObservedTrace, version: string): RunSummary {
  const checks = observed.checks();
  return {
    scenario: prepared.scenario,
    seed: prepared.world.seed,
    version,
    traceHash: totals.traceHash,
    events: totals.events,
    records: totals.records,
    simulatedTimeUs: totals.simulatedTimeUs,
    wallTimeMs: totals.wallTimeMs,
    ok: Object.values(checks).every((v) => v.ok),
    checks,
    metrics: observed.metrics(),
    faults: [...(prepared.faults ?? [])],
  };
}

