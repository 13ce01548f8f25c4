/**
 * Runs one prepared world to its end in this thread, feeding every trace record to the checkers
 * and metrics as it is written, and returns the run's summary.
 *
 * Guarantee: the summary's `traceHash`, `events` and verdicts depend only on the world and its seed
 * (wall time is reported, never used). Memory stays bounded by the checkers' and metrics' own state:
 * records are streamed, never collected.
 */
import { failingVacuous } from '../check/index.ts';
import { formatMicros, InputError, type Micros } from '../kernel/index.ts';
import { observeTrace, summarize, type RunSummary } from './observe.ts';
import { VERSION } from './version.ts';

import type { PreparedRun } from '../scenario/build.ts';

export type { PreparedRun };
export { observeTrace, summarize, type ObservedTrace, type RunSummary, type RunTotals } from './observe.ts';

export interface ExecuteOptions {
  /** Recorded in the summary; defaults to this package's version. */
  version?: string;
  /** Called now and then with the simulated time reached. */
  onProgress?: (nowUs: Micros, endUs: Micros) => void;
  /**
   * The most kernel events the run may dispatch (checked every PROGRESS_EVERY events, or at event
   * maxEvents + 1 when that comes first, so a small budget is exact): past it, the run stops with
   * an `InputError` — the net under the estimate `work-estimate.ts` makes before the run, for work
   * no estimate foresaw (a scenario without an estimate runs under this alone).
   */
  maxEvents?: number;
}

/** Events between two progress reports, pauses and budget checks. */
const PROGRESS_EVERY = 16384;
/** Wall time a sliced run keeps the event loop before handing it back. */
const SLICE_MS = 50;

export function execute(prepared: PreparedRun, options: ExecuteOptions = {}): RunSummary {
  const run = startRun(prepared, options);
  run.advance();
  return run.finish();
}

/**
 * `execute`, handing the event loop back every SLICE_MS of work, so that Ctrl-C, SIGTERM and
 * timers are served during a long run. A pause changes nothing that happens (see
 * `RunOptions.pause`), so the trace and the summary are `execute`'s.
 */
export async function executeInSlices(prepared: PreparedRun, options: ExecuteOptions = {}): Promise<RunSummary> {
  const run = startRun(prepared, options);
  for (;;) {
    const started = performance.now();
    // Wall time only decides when to pause; it decides nothing that reaches the trace.
    if (run.advance(() => performance.now() - started > SLICE_MS)) break;
    await new Promise((resolve) => setImmediate(resolve));
  }
  return run.finish();
}

/** A run being executed: advance it (until it ends, or `pause` says so), then finish it. */
function startRun(prepared: PreparedRun, options: ExecuteOptions): { advance: (pause?: () => boolean) => boolean; finish: () => RunSummary } {
  const { world, endUs } = prepared;
  const observed = observeTrace(prepared, world.trace);
  const started = performance.now();
  let events = 0;
  const every = Math.min(PROGRESS_EVERY, (options.maxEvents ?? Infinity) + 1);
  const progress = (nowUs: Micros) => {
    events += every;
    if (options.maxEvents !== undefined && events > options.maxEvents) {
      throw new InputError(
        `the run of ${prepared.scenario} passed its budget of ${options.maxEvents.toLocaleString('en-US')} event${options.maxEvents === 1 ? '' : 's'} at ${formatMicros(nowUs)} of ${formatMicros(endUs)} simulated; ` +
          'raise --max-events to let it finish',
      );
    }
    options.onProgress?.(nowUs, endUs);
  };
  return {
    advance(pause) {
      try {
        return world.advance({ until: endUs, onProgress: progress, progressEvery: every, ...(pause ? { pause } : {}) });
      } catch (error) {
        // A failed run must not leave a trace that looks complete (or an open file).
        world.trace.abort();
        throw error;
      }
    },
    finish() {
      const result = world.finish();
      const wallTimeMs = Math.round((performance.now() - started) * 10) / 10;
      return summarize(prepared, { ...result, wallTimeMs }, observed, options.version ?? VERSION);
    },
  };
}

/** `--fail-vacuous`: the summary with every vacuous check failed (and `ok` accordingly). */
export function failingVacuousChecks(summary: RunSummary): RunSummary {
  const checks = Object.fromEntries(Object.entries(summary.checks).map(([name, verdict]) => [name, failingVacuous(verdict)]));
  return { ...summary, checks, ok: Object.values(checks).every((v) => v.ok) };
}
