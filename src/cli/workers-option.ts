/**
 * `--workers N` and `--partition-by` for `diaspora run`: run the scenario in this thread, or split
 * over worker threads with the same result (src/exec/parallel).
 *
 * How it fails: a malformed `--partition-by`, one without `--workers` (it would be ignored), or a
 * partitioning the world cannot run with (a zero-latency link between partitions) is an
 * `InputError` naming the flags as typed, printed as one line, exit code 2.
 */
import { formatMicros, InputError, type Micros } from '../kernel/contract/index.ts';
import type { TraceWriter } from '../kernel/index.ts';
import type { ParallelStats, PartitionBy } from '../exec/parallel/index.ts';
import type { RunSummary } from '../exec/run.ts';
import { VERSION } from '../exec/version.ts';
import type { Scenario } from '../scenario/index.ts';
import { countReader, numericOption } from './numeric-flags.ts';

/** More threads than this is a typo: a run has one partition per site or node at most. */
const MAX_WORKERS = 1024;

export const WORKERS_OPTIONS = {
  workers: numericOption('--workers', 'Split the run over N worker threads, one partition of sites each (same trace hash as one thread)', countReader(1, MAX_WORKERS, 'worker threads'), 'w'),
  // No default here: a --partition-by given without --workers is refused, so it must be told from none.
  'partition-by': {
    type: 'string',
    describe: 'With --workers: "site" (the default), "node", or explicit groups of sites/nodes, e.g. "beamline,hpc-1;hpc-2"',
  },
} as const;

export interface WorkersArgs {
  workers?: number;
  /** As typed; undefined when not given (by site). */
  partitionBy?: string;
  /** Stops a single-thread run past this many events (the parallel runner has no such net yet). */
  maxEvents?: number;
}

/**
 * The flags' shape, before the scenario is read: `--partition-by` without `--workers` would be
 * ignored (the run goes on in one thread, as if it had not been given), and a malformed one is
 * refused before anything runs or is printed.
 */
export function checkWorkersFlags(args: Pick<WorkersArgs, 'workers' | 'partitionBy'>): void {
  if (args.partitionBy === undefined) return;
  if (args.workers === undefined) {
    throw new InputError(`--partition-by ${args.partitionBy}: applies only with --workers N (a run split over worker threads); add --workers, or leave --partition-by out`);
  }
  parsePartitionBy(args.partitionBy);
}

/** `site`, `node`, or `a,b;c` — groups separated by `;`, names by `,`. */
export function parsePartitionBy(text: string): PartitionBy {
  if (text === 'site' || text === 'node') return text;
  const groups = text.split(';').map((group) => group.split(',').map((name) => name.trim()).filter((name) => name.length > 0));
  if (groups.length < 1 || groups.some((g) => g.length === 0)) {
    throw new InputError(`--partition-by: expected site, node, or groups of site/node names like "beamline,hpc-1;hpc-2", got "${text}"`);
  }
  return { groups };
}

export interface ScenarioRun {
  summary: RunSummary;
  parallel?: ParallelStats;
}

/** Runs the scenario in this thread, or over `--workers` threads. */
export async function executeScenario(scenario: Scenario, seed: number, trace: TraceWriter, args: WorkersArgs, onProgress: (now: Micros, end: Micros) => void): Promise<ScenarioRun> {
  if (args.workers === undefined) {
    // Building and running a world loads the simulator and every protocol's actors (scenario/feature.ts
    // FeatureBuild): imported here, once the scenario is valid, so a command refusing its input and
    // `--help` (the options above) never load them.
    const [{ prepareRun }, { executeInSlices }] = await Promise.all([import('../scenario/prepare.ts'), import('../exec/run.ts')]);
    return { summary: await executeInSlices(prepareRun(scenario, { seed, trace }), { version: VERSION, onProgress, ...(args.maxEvents === undefined ? {} : { maxEvents: args.maxEvents }) }) };
  }
  const partitionBy = parsePartitionBy(args.partitionBy ?? 'site');
  // Loaded only for a parallel run: a run in this thread does not pay the worker machinery's modules.
  const [{ executeParallel, PartitionPlanError }, { scenarioRecipe }] = await Promise.all([import('../exec/parallel/index.ts'), import('../exec/scenario-recipe.ts')]);
  try {
    const { summary, stats } = await executeParallel(scenarioRecipe(scenario, seed), { workers: args.workers, partitionBy, trace, version: VERSION, onProgress });
    return { summary, parallel: stats };
  } catch (error) {
    // The plan's problems are the flags' (a group naming no site, a site split over threads): named as typed.
    if (!(error instanceof PartitionPlanError)) throw error;
    const flags = `--workers ${args.workers}${args.partitionBy === undefined ? '' : ` --partition-by ${args.partitionBy}`}`;
    throw new InputError(`${flags}: ${error.message}`);
  }
}

/** One line about how the parallel run went, for people. */
export function describeParallel(stats: ParallelStats): string {
  const parts = stats.partitions.map((p) => p.sites.join('+')).join(' | ');
  const lookahead = stats.lookaheadUs === null ? 'no link between partitions' : `lookahead ${formatMicros(stats.lookaheadUs)} (${stats.limitingLink})`;
  return (
    `parallel: ${stats.partitions.length} partition(s) [${parts}], ${lookahead}, ${stats.windows} windows, ` +
    `${stats.eventsPerWindow} events/window, ${stats.crossMessages} messages across, ${Math.round(stats.barrierShare * 100)}% of worker time at barriers`
  );
}
