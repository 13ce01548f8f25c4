/**
 * Shrinking a failing run: minimises its realised fault list (see faults/shrink.ts) by running the
 * scenario in-process with candidate lists as explicit schedules (no nemesis), and writes the
 * smallest failing one as a scenario file in the user's own terms.
 *
 * Guarantee: every probe is a full, deterministic run of the recorded scenario and seed with only
 * the faults changed, judged by the named check alone; the minimal scenario written is loaded back
 * and run once more, and the result says whether it reproduced the failure. The scenario's
 * plug-ins are loaded first, and the minimal scenario names them relative to where it is written
 * (absolute when the two share no folder but the root), so it still finds them.
 * How it fails: `InputError` when the check is unknown, or passed in the recorded run (nothing to
 * shrink), or a plug-in cannot be loaded.
 */
import { dirname, relative, resolve, sep } from 'node:path';
import { type RealisedFault, type ShrinkProgress, type ShrinkResult, shrinkFaults } from '../faults/index.ts';
import { InputError, TraceWriter } from '../kernel/index.ts';
import { type Scenario, checkerNamed, loadPlugins, loadScenario, prepareRun, renderScenarioYaml, writtenFault } from '../scenario/index.ts';
import type { RunDirectory } from './run-dir.ts';
import { execute } from './run.ts';

export interface ShrinkRunOptions {
  /** The check that must keep failing; default: the first check that failed in the run. */
  check?: string;
  maxProbes?: number;
  resolutionUs?: number;
  /** Where the minimal scenario will be written: its plug-in paths are made relative to it. */
  out?: string;
  onProgress?: (progress: ShrinkProgress) => void;
}

export interface ShrinkRunResult extends ShrinkResult {
  readonly check: string;
  readonly before: readonly RealisedFault[];
  /** The minimal scenario as YAML text. */
  readonly yaml: string;
  /** Whether the YAML, loaded back and run, fails the check as well. */
  readonly verified: boolean;
}

export function failingCheck(run: RunDirectory, requested: string | undefined): string {
  const failed = Object.entries(run.summary.checks).filter(([, v]) => !v.ok).map(([name]) => name);
  if (requested === undefined) {
    if (failed.length === 0) throw new InputError(`${run.dir}: every check passed in this run; there is no failure to shrink`);
    return failed[0];
  }
  checkerNamed(requested, '--check');
  // A check the run did not judge has no failure to keep (red before: probed, then "did not reproduce", exit 1).
  if (run.summary.checks[requested] === undefined) {
    throw new InputError(`--check ${requested}: not a check of this run (it judged ${Object.keys(run.summary.checks).join(', ') || 'none'}); shrink keeps one of its failures failing`);
  }
  if (run.summary.checks[requested].ok) throw new InputError(`--check ${requested}: the check passed in this run; there is no failure to shrink`);
  return requested;
}

export async function shrinkRun(run: RunDirectory, options: ShrinkRunOptions = {}): Promise<ShrinkRunResult> {
  if (run.written === undefined) throw new InputError(`${run.dir}: no scenario.yaml here (a run from an older version); run the scenario again, then shrink`);
  await loadPlugins(run.scenario.plugins ?? []);
  const check = failingCheck(run, options.check);
  const { nemesis: _nemesis, ...base } = run.scenario;
  const fails = (faults: readonly RealisedFault[]): boolean => failsCheck({ ...base, checks: [check] as Scenario['checks'], faults: faults.map(specOf) }, run.seed, check);
  const result = shrinkFaults(run.faults, {
    fails,
    safetyEndUs: run.scenario.durationUs,
    ...(options.maxProbes === undefined ? {} : { maxProbes: options.maxProbes }),
    ...(options.resolutionUs === undefined ? {} : { resolutionUs: options.resolutionUs }),
    ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
  });
  const out = options.out ?? 'minimal scenario';
  const yaml = minimalScenario(run, check, result, dirname(resolve(out)));
  const verified = result.reproduced && reproduces(yaml, out, run.seed, check);
  return { ...result, check, before: run.faults, yaml, verified };
}

/** Whether the written scenario, loaded back as a user would, fails the check (false if it does not even load). */
function reproduces(yaml: string, file: string, seed: number, check: string): boolean {
  let scenario: Scenario;
  try {
    scenario = loadScenario(yaml, file);
  } catch (error) {
    // E.g. two crashes of one node that overlap: fine for the injector, refused in a schedule.
    if (error instanceof InputError) return false;
    throw error;
  }
  return failsCheck(scenario, seed, check);
}

function failsCheck(scenario: Scenario, seed: number, check: string): boolean {
  const summary = execute(prepareRun(scenario, { seed, trace: new TraceWriter() }));
  return summary.checks[check]?.ok === false;
}

/** A realised fault as a schedule entry: the id and source go, the spec stays. */
function specOf(fault: RealisedFault): Scenario['faults'][number] {
  const { id: _id, source: _source, ...spec } = fault;
  return spec as Scenario['faults'][number];
}

function minimalScenario(run: RunDirectory, check: string, result: ShrinkResult, folder: string): string {
  const { nemesis: _nemesis, ...written } = run.written!;
  const checks = Array.isArray(written.checks) ? (written.checks as string[]) : ['no-acked-loss'];
  const plugins = run.scenario.plugins ?? [];
  const data = {
    ...written,
    ...(plugins.length === 0 ? {} : { plugins: plugins.map((path) => pathFrom(folder, path)) }),
    seed: run.seed,
    checks: checks.includes(check) ? checks : [...checks, check],
    faults: result.faults.map(writtenFault),
  };
  return renderScenarioYaml(data, [
    `Minimal failing scenario written by diaspora shrink from ${run.dir}:`,
    `${run.faults.length} realised fault${run.faults.length === 1 ? '' : 's'} shrunk to ${result.faults.length}; check ${check} still fails with seed ${run.seed}.`,
    `${result.probes} probe runs${result.complete ? '' : ' (stopped at the probe budget: smaller may exist)'}.`,
  ]);
}

/** `path` as written in a file in `folder`: relative, unless the two share no folder but the root. */
function pathFrom(folder: string, path: string): string {
  const rel = relative(folder, path);
  const climbs = rel.split(sep).filter((part) => part === '..').length;
  if (climbs >= folder.split(sep).filter(Boolean).length) return path;
  return rel.startsWith('.') ? rel : `./${rel}`;
}
