/**
 * One cell of a study: load the scenario with the cell's overrides, run it with the cell's seed,
 * and reduce the summary to what a study compares — the verdict, the trace hash and every number
 * the checks and metrics produced, flattened to `name.key[.sub]`.
 *
 * This runs inside pool workers (see `pool-worker.mjs`) and, for tests and `--jobs 1` checks, in
 * the calling thread; both give the same result, because the run is a pure function of the
 * scenario text, the overrides and the seed. Nothing is written to disk: the trace is hashed only.
 *
 * Guarantee: never throws. A cell that cannot run comes back as `status: 'error'` with the kind
 * (`input`: the scenario rejected these values; `internal`: a bug) and one message, so that one bad
 * cell never takes a thousand-cell sweep down with it.
 */
import { performance } from 'node:perf_hooks';
import { InputError, TraceWriter } from '../kernel/index.ts';
import { buildRun, loadScenarioAsync, prepareRun, type PreparedRun, type Scenario } from '../scenario/index.ts';
import { execute, type RunSummary } from './run.ts';

/** What a worker needs to run a cell: plain data, cheap to send across threads. */
export interface CellTask {
  scenarioText: string;
  file: string;
  sets: readonly string[];
  seed: number;
}

export type CellRun =
  | {
      status: 'pass' | 'fail';
      traceHash: string;
      events: number;
      /** Check name → whether it held. */
      checks: Record<string, boolean>;
      /** `passed` (1 or 0), then each check's stats and each metric's numbers. */
      values: Record<string, number>;
      wallTimeMs: number;
    }
  | {
      status: 'error';
      /**
       * `skipped`: the cell was not run — its scenario cannot be built and the study was asked to
       * skip such cells (`--skip-invalid`) — so merging slices knows it was skipped on purpose.
       */
      error: { kind: 'input' | 'internal'; message: string; skipped?: true };
      wallTimeMs: number;
    };

/**
 * Scenarios already loaded in this thread, by text and overrides: cells of one grid point and
 * variant differ only by seed, and parsing and validating the YAML costs a tenth of a short cell.
 * Safe because `prepareRun` only reads the scenario; it is frozen, so a write would be an error of
 * that cell rather than a silent difference between cells.
 */
const loaded = new Map<string, Scenario>();
const LOADED_MAX = 64;

async function load(task: CellTask): Promise<Scenario> {
  const key = `${task.file}\0${task.sets.join('\0')}\0${task.scenarioText}`;
  let scenario = loaded.get(key);
  if (scenario === undefined) {
    scenario = deepFreeze(await loadScenarioAsync(task.scenarioText, task.file, task.sets));
    if (loaded.size >= LOADED_MAX) loaded.delete(loaded.keys().next().value!);
    loaded.set(key, scenario);
  }
  return scenario;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

/**
 * Whether a cell's world can be built (sweep-build-check.ts asks before a study runs anything), and
 * whether building it read the seed: one that did not (up to its end, or its failure) builds the
 * same way for every seed. A world that builds says what its cell will report: the first part of
 * every name of its `values` (`reportedNames`), so a study can refuse a `--metrics` prefix that
 * names nothing before it runs a cell.
 */
export type CellBuild = { seeded: boolean } & ({ ok: true; reported: string[] } | { ok: false; error: { kind: 'input' | 'internal'; message: string } });

/**
 * Loads the cell's scenario and builds its world, measuring no fault-free reference (that is a
 * whole run; the probe hands the feature nothing). A feature that reads its reference while
 * building then fails with a non-input error, which the caller leaves to the cell to report.
 */
export async function buildCell(task: CellTask): Promise<CellBuild> {
  let seeded = false;
  try {
    const scenario = await load(task);
    const prepared = buildRun(scenario, { seed: task.seed, trace: new TraceWriter(), recall: () => undefined as never, onSeedRead: () => (seeded = true) });
    return { ok: true, seeded, reported: reportedNames(prepared) };
  } catch (error) {
    const kind = error instanceof InputError ? 'input' : 'internal';
    return { ok: false, seeded, error: { kind, message: error instanceof Error ? error.message : String(error) } };
  }
}

export async function runCell(task: CellTask): Promise<CellRun> {
  const started = performance.now();
  const wallTimeMs = () => Math.round((performance.now() - started) * 10) / 10;
  try {
    const scenario = await load(task);
    const summary = execute(prepareRun(scenario, { seed: task.seed, trace: new TraceWriter() }));
    return {
      status: summary.ok ? 'pass' : 'fail',
      traceHash: summary.traceHash,
      events: summary.events,
      checks: Object.fromEntries(Object.entries(summary.checks).map(([name, verdict]) => [name, verdict.ok])),
      values: flattenSummary(summary),
      wallTimeMs: wallTimeMs(),
    };
  } catch (error) {
    const kind = error instanceof InputError ? 'input' : 'internal';
    const message = error instanceof Error ? (kind === 'input' ? error.message : (error.stack ?? error.message)) : String(error);
    return { status: 'error', error: { kind, message }, wallTimeMs: wallTimeMs() };
  }
}

/** Every number of a summary under a dotted name (and `<check>.vacuous`), in the order the checks and metrics wrote them. */
export function flattenSummary(summary: Pick<RunSummary, 'ok' | 'checks' | 'metrics'>): Record<string, number> {
  const values: Record<string, number> = { passed: summary.ok ? 1 : 0 };
  for (const [name, verdict] of Object.entries(summary.checks)) {
    flattenInto(values, name, verdict.stats);
    // A check that passed having judged nothing: 1, so a study tells it from a real pass.
    values[`${name}.vacuous`] = verdict.vacuous === true ? 1 : 0;
  }
  for (const [name, metric] of Object.entries(summary.metrics)) flattenInto(values, name, metric);
  return values;
}

/**
 * The first part of every name `flattenSummary` gives a run of `prepared`: `passed`, each check and
 * each metric, known from the built world. The parts after it are the results' keys, known only
 * once the run has ended.
 */
export function reportedNames(prepared: Pick<PreparedRun, 'checks' | 'metrics'>): string[] {
  return ['passed', ...prepared.checks.map((check) => check.name), ...prepared.metrics.map((metric) => metric.name)];
}

function flattenInto(values: Record<string, number>, prefix: string, value: unknown): void {
  if (typeof value === 'number' && Number.isFinite(value)) values[prefix] = value;
  else if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [key, inner] of Object.entries(value)) flattenInto(values, `${prefix}.${key}`, inner);
  }
}
