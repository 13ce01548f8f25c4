/**
 * What `compare` and `sweep` do with their shared options (study-options.ts): read the scenario
 * and the flags into a planned study, check that every cell's scenario can be built, the worker
 * pool, Ctrl-C, and the first line every command prints (version, scenario, seeds).
 */
import { defaultJobs, workerPool, type CellRunner } from '../exec/pool.ts';
import { checkStudyBuilds, skipping, unbuildableError } from '../exec/sweep-build-check.ts';
import { planStudy, type Study, type StudyRequest } from '../exec/sweep-plan.ts';
import { parseParam, parseSeeds, parseVariant, strategyVariants } from '../exec/sweep-values.ts';
import { loadScenarioPlugins, readScenarioText } from '../scenario/index.ts';
import { onInterrupt } from '../exec/interrupt.ts';
import { VERSION } from '../exec/version.ts';
import { formatSeeds } from '../report/study-format.ts';
import type { StudyArgs } from './study-options.ts';

/**
 * Builds every scenario of the study before any cell runs (sweep-build-check.ts). When some cannot
 * be built, refuses the study with one line per cause, or with `--skip-invalid` says so once and
 * returns a runner that records their cells as input errors without running them. Also returns
 * what the cells that can be built will report (`BuildCheck.reported`).
 */
export async function checkedRunner(study: Study, runner: CellRunner, skipInvalid: boolean, say: (line: string) => void): Promise<{ runner: CellRunner; reported: readonly string[] }> {
  const check = await checkStudyBuilds(study, runner);
  const error = unbuildableError(check, '--skip-invalid');
  if (error === undefined) return { runner, reported: check.reported };
  const runnable = check.total - check.unbuildable.reduce((sum, u) => sum + u.cells, 0);
  if (!skipInvalid || runnable === 0) throw error;
  say(`--skip-invalid: skipping ${check.total - runnable} of ${check.total} cells whose scenario cannot be built:`);
  for (const line of check.lines) say(`  ${line}`);
  return { runner: skipping(runner, check.unbuildable), reported: check.reported };
}

/** Reads the scenario and the flags into a planned study (every variant and grid point loaded once). */
export async function studyFromArgs(args: StudyArgs, kind: StudyRequest['kind'], params: readonly string[], defaultSeeds: number): Promise<Study> {
  const scenarioText = readScenarioText(args.scenario);
  await loadScenarioPlugins(scenarioText, args.scenario);
  const variants = [...(args.strategies === undefined ? [] : strategyVariants(args.strategies)), ...args.variant.map(parseVariant)];
  return planStudy({
    kind,
    file: args.scenario,
    scenarioText,
    sets: args.set,
    variants,
    ...(args.baseline === undefined ? {} : { baseline: args.baseline }),
    params: params.map(parseParam),
    seeds: args.seeds === undefined ? parseSeeds(String(defaultSeeds)) : parseSeeds(args.seeds),
    maxEvents: args.maxEvents,
  });
}

/** The pool for `--jobs` (checked by its option, study-options.ts: a whole number from 1 to 1024). */
export function runnerFor(jobs: number | undefined): CellRunner {
  // Even one job runs in a worker, so that Ctrl-C and the progress bar stay responsive during a cell.
  return workerPool(jobs ?? defaultJobs());
}

export function studyBanner(study: Study): string {
  return `diaspora-sim ${VERSION} · ${study.spec.scenario.name} · ${study.spec.kind} ${study.id} · seeds ${formatSeeds(study.spec.seeds)}`;
}

/** `3 values of a × 2 variants × 10 seeds = 60 cells`. */
export function studyShape(study: Study, cells: number): string {
  const { spec } = study;
  const parts = [
    ...spec.params.map((p) => `${p.values.length} value${p.values.length === 1 ? '' : 's'} of ${p.path}`),
    `${spec.variants.length} variant${spec.variants.length === 1 ? '' : 's'}`,
    `${spec.seeds.length} seed${spec.seeds.length === 1 ? '' : 's'}`,
  ];
  return `${parts.join(' × ')} = ${cells} cells`;
}

/** Ctrl-C stops handing out cells; a second Ctrl-C leaves at once. Returns a function that unhooks it. */
export function stopOnInterrupt(stop: { stopped: boolean }, say: (line: string) => void): () => void {
  return onInterrupt(() => {
    stop.stopped = true;
    say('stopping: letting the running cells finish (Ctrl-C again to leave now)');
  });
}
