/**
 * Reads a run directory written by `diaspora run`: the resolved scenario and seed to run it again,
 * the summary with its trace hash and verdicts, the realised faults, the scenario as written, and
 * the trace when it was kept.
 *
 * Guarantee: returns only when the files `replay` and `shrink` need are present and parse. How it
 * fails: an `InputError` naming the directory and what is missing or unreadable — a directory of
 * an older version without `faults.json` or `scenario.yaml` is told so, not misread.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { RealisedFault } from '../faults/index.ts';
import { InputError } from '../kernel/index.ts';
import type { Scenario } from '../scenario/index.ts';
import type { RunSummary } from './run.ts';

export interface RunDirectory {
  readonly dir: string;
  /** The resolved scenario, with the seed the run used. */
  readonly scenario: Scenario;
  readonly seed: number;
  readonly summary: RunSummary;
  /** The realised faults (from `faults.json`, or the summary). */
  readonly faults: readonly RealisedFault[];
  /** `scenario.yaml`'s data, when the run kept it. */
  readonly written: Record<string, unknown> | undefined;
  /** `trace.jsonl`, when the run kept it (`--trace`). */
  readonly tracePath: string | undefined;
}

export function readRunDirectory(dir: string): RunDirectory {
  if (!existsSync(dir)) throw new InputError(`${dir}: no such directory`);
  if (!statSync(dir).isDirectory()) throw new InputError(`${dir}: not a run directory (give the directory diaspora run wrote)`);
  const scenario = readJson<Scenario & { seed: number }>(dir, 'scenario.resolved.json');
  const summary = readJson<RunSummary>(dir, 'summary.json');
  if (typeof summary.traceHash !== 'string' || typeof scenario.durationUs !== 'number') {
    throw new InputError(`${dir}: scenario.resolved.json or summary.json is not what diaspora run writes`);
  }
  const faultsFile = join(dir, 'faults.json');
  const faults = existsSync(faultsFile) ? readJson<{ faults: RealisedFault[] }>(dir, 'faults.json').faults : summary.faults;
  const yamlFile = join(dir, 'scenario.yaml');
  const trace = join(dir, 'trace.jsonl');
  return {
    dir,
    scenario,
    seed: scenario.seed,
    summary,
    faults: faults ?? [],
    written: existsSync(yamlFile) ? (parse(readFileSync(yamlFile, 'utf8')) as Record<string, unknown>) : undefined,
    tracePath: existsSync(trace) ? trace : undefined,
  };
}

function readJson<T>(dir: string, file: string): T {
  const path = join(dir, file);
  if (!existsSync(path)) throw new InputError(`${dir}: no ${file} here; is this a directory written by diaspora run?`);
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch {
    throw new InputError(`${path}: not valid JSON (was the run interrupted?)`);
  }
}
